
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#ifndef _NGX_HTTP_PROV_MODULE_H_INCLUDED_
#define _NGX_HTTP_PROV_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_acl_line.h"


/* results of the gate, in the order of $prov_result's names */
#define NGX_HTTP_PROV_NONE            0
#define NGX_HTTP_PROV_ALLOW           1
#define NGX_HTTP_PROV_NO_CERT         2
#define NGX_HTTP_PROV_UNVERIFIED      3
#define NGX_HTTP_PROV_BAD_ID          4
#define NGX_HTTP_PROV_GENERIC         5
#define NGX_HTTP_PROV_NOT_LISTED      6
#define NGX_HTTP_PROV_DENIED          7
#define NGX_HTTP_PROV_PIN_MISMATCH    8
#define NGX_HTTP_PROV_URI_MISMATCH    9
#define NGX_HTTP_PROV_UNKNOWN_ISSUER  10
#define NGX_HTTP_PROV_UA_MISMATCH     11
#define NGX_HTTP_PROV_RESULTS         12


/* how the id is read from the attribute value */
#define NGX_HTTP_PROV_ID_VALUE        0
#define NGX_HTTP_PROV_ID_MAC          1
#define NGX_HTTP_PROV_ID_REGEX        2


/* the most bytes of User-Agent lines prov_ua_id searches in a request */
#define NGX_HTTP_PROV_UA_MAX          1024
#define NGX_HTTP_PROV_UA_MAX_STR      "1024"

/* the longest User-Agent a connection keeps, allowed, for its next request */
#define NGX_HTTP_PROV_UA_KEEP         256


/* longest attribute value quoted in a log line */
#define NGX_HTTP_PROV_LOG_VALUE_LEN   128


/* a regex whose capture names a device: prov_id's and prov_uri_id's */

typedef struct {
#if (NGX_PCRE)
    ngx_regex_t                *regex;
    ngx_uint_t                  capture;    /* index of the id capture */
    ngx_uint_t                  ncaptures;  /* size of the ovector */
#endif
    unsigned                    mac:1;      /* the capture is named "mac" */
} ngx_http_prov_regex_t;


/* one prov_id: where a certificate of these CAs holds the device id */

typedef struct {
    ASN1_OBJECT                *object;
    ngx_str_t                   name;       /* short name or OID, for logs */
    ngx_uint_t                  format;
    ngx_http_prov_regex_t       regex;

    STACK_OF(X509)             *issuers;    /* NULL: any CA */
    ngx_str_t                   issuer_file;
} ngx_http_prov_id_conf_t;


/* prov_ua_id */

typedef struct {
    ngx_http_prov_regex_t       regex;
    ngx_flag_t                  required;
} ngx_http_prov_ua_id_t;


/*
 * the access list's internals are ngx_http_prov_acl.c's own, an LMDB
 * list's ngx_http_prov_acl_lmdb.c's
 */
typedef struct ngx_http_prov_acl_s        ngx_http_prov_acl_t;
typedef struct ngx_http_prov_acl_entry_s  ngx_http_prov_acl_entry_t;
typedef struct ngx_http_prov_lmdb_s       ngx_http_prov_lmdb_t;

/* what is shown of a list */
typedef struct {
    ngx_str_t                   path;       /* "lmdb:PATH" for LMDB lists */
    ngx_uint_t                  entries;
    ngx_msec_t                  load_time;

    /* LMDB lists: read again for each prov_status request */
    uint64_t                    serial;
    uint64_t                    generation;
    unsigned                    lmdb:1;
    unsigned                    available:1;
} ngx_http_prov_acl_info_t;


/*
 * who a device is and whether it may in: locations whose settings are the
 * same share one gate (ngx_http_prov_merge_loc_conf() finds it), so that
 * an outcome found under one holds under the others
 */

typedef struct {
    ngx_array_t                *ids;        /* of ngx_http_prov_id_conf_t */
    ngx_array_t                *generic;    /* of ngx_str_t */
    ngx_http_prov_acl_t        *acl;
    ngx_flag_t                  acl_default_allow;
} ngx_http_prov_gate_t;


typedef struct {
    ngx_array_t                 acls;       /* of ngx_http_prov_acl_t * */
    ngx_array_t                 lmdbs;      /* of ngx_http_prov_lmdb_t * */
    ngx_array_t                 gates;      /* of ngx_http_prov_gate_t * */
    ngx_shm_zone_t             *status_zone;
} ngx_http_prov_main_conf_t;


typedef struct {
    ngx_http_complex_value_t    value;
    ngx_uint_t                  slashes;    /* "/" in the template */
} ngx_http_prov_profile_t;


typedef struct {
    ngx_flag_t                  enable;
    ngx_http_prov_gate_t       *gate;       /* NULL: no prov_id applies */

    /* the gate's settings as this level's directives give them */
    ngx_array_t                *ids;
    ngx_array_t                *generic;
    ngx_str_t                  *acl_path;   /* NULL: "prov_acl off" */
    ngx_flag_t                  acl_default_allow;
    ngx_str_t                   acl_file;   /* where prov_acl is */
    ngx_uint_t                  acl_line;

    ngx_uint_t                  log_level;
    ngx_array_t                *profiles;   /* of ngx_http_prov_profile_t */
    ngx_int_t                   profile_code;
    ngx_str_t                   profile_file;   /* where prov_profile is */
    ngx_uint_t                  profile_line;
    ngx_http_prov_regex_t      *uri_id;
    ngx_http_prov_ua_id_t      *ua_id;
} ngx_http_prov_loc_conf_t;


/*
 * what a TLS connection keeps, in one ex_data slot: the certificate does
 * not change during a connection
 */

typedef struct {
    /* the certificate verified again with one server's CAs */
    SSL_CTX                    *verify_ctx;
    long                        verify_result;

    /* the chain that verification built, when the module verified */
    STACK_OF(X509)             *verify_chain;

    /*
     * the identity found under one gate, with the chain verified by one
     * server's CAs (the rule depends on it), and its list's entry
     */
    ngx_http_prov_gate_t       *gate;
    SSL_CTX                    *identity_ctx;
    ngx_http_prov_id_conf_t    *rule;
    ngx_uint_t                  result;
    ngx_str_t                   id;
    ngx_str_t                   reason;
    ngx_http_prov_acl_entry_t  *acl_entry;
    size_t                      acl_txnid;  /* an LMDB list's, then */

    /*
     * the one User-Agent line prov_ua_id allowed last, under which
     * prov_ua_id and rule: phones send the same on every request
     */
    ngx_http_prov_ua_id_t      *ua_id;
    ngx_http_prov_id_conf_t    *ua_rule;
    u_char                     *ua;         /* NGX_HTTP_PROV_UA_KEEP bytes */
    size_t                      ua_len;

    unsigned                    verified:1;     /* verify_* are set */
    unsigned                    acl_allowed:1;  /* the gate's list let it in */
} ngx_http_prov_conn_t;


/* the profile prov_profile opened to send itself */
typedef struct {
    ngx_str_t                   path;
    ngx_fd_t                    fd;
    off_t                       size;
    time_t                      mtime;
    unsigned                    directio:1;
} ngx_http_prov_file_t;


typedef struct {
    ngx_uint_t                  result;
    ngx_str_t                   id;         /* canonical device id */
    ngx_str_t                   reason;     /* why refused, for the log */
    ngx_http_prov_gate_t       *gate;       /* what it was evaluated with */
    ngx_http_prov_id_conf_t    *rule;       /* the prov_id that read the id */
    ngx_http_prov_acl_entry_t  *entry;      /* the device's, if listed */
    ngx_http_prov_file_t        file;       /* the profile picked, if open */
    ngx_http_request_t         *request;    /* subrequests have their own */
    ngx_http_prov_regex_t      *uri_id;     /* of the last access phase */
    ngx_str_t                   checked_uri; /* prov_uri_id found it fine */

    /* a refusal whose log line waits for the answer to the request */
    ngx_uint_t                  log_level;
    ngx_uint_t                  refused_at; /* r->uri_changes then */

    unsigned                    picked:1;
    unsigned                    reused:1;   /* identity of the connection */
    unsigned                    enforced:1; /* the access phase decided */
    unsigned                    pending:1;  /* the refusal is not logged yet */
    unsigned                    granted:1;  /* by another module, "satisfy
                                               any" */
} ngx_http_prov_ctx_t;


/* ngx_http_prov_module.c */
ngx_http_prov_ctx_t *ngx_http_prov_evaluate(ngx_http_request_t *r,
    ngx_http_prov_gate_t *gate);
ngx_http_prov_ctx_t *ngx_http_prov_get_ctx(ngx_http_request_t *r);
ngx_str_t *ngx_http_prov_result_name(ngx_uint_t result);

/* ngx_http_prov_cert.c */
ngx_int_t ngx_http_prov_ssl_init(ngx_conf_t *cf);
ngx_http_prov_conn_t *ngx_http_prov_conn(ngx_ssl_conn_t *ssl_conn);
X509 *ngx_http_prov_verified_certificate(ngx_http_request_t *r,
    long *verify_result);
ngx_int_t ngx_http_prov_verified_chain(ngx_http_request_t *r, X509 *cert,
    STACK_OF(X509) **chain);
long ngx_http_prov_verify_foreign(ngx_http_request_t *r, X509 *cert,
    long verify);
ASN1_OBJECT *ngx_http_prov_attribute_object(ngx_str_t *name,
    ngx_uint_t underscores);
ngx_str_t *ngx_http_prov_attribute_name(ngx_pool_t *pool, ASN1_OBJECT *obj);
ngx_int_t ngx_http_prov_attribute_count(X509_NAME *name, ASN1_OBJECT *obj,
    int *last);
ngx_int_t ngx_http_prov_entry_value(ngx_pool_t *pool, X509_NAME *name,
    int index, ngx_str_t *value);
ngx_int_t ngx_http_prov_cert_value(ngx_pool_t *pool, X509 *cert,
    ASN1_OBJECT *obj, ngx_str_t *value);

/* ngx_http_prov_id.c */
char *ngx_http_prov_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_prov_uri_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_prov_ua_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_prov_ids_check(ngx_conf_t *cf, ngx_array_t *ids);
ngx_uint_t ngx_http_prov_ids_mac(ngx_array_t *ids);
ngx_http_prov_id_conf_t *ngx_http_prov_id_rule(ngx_array_t *ids,
    STACK_OF(X509) *chain);
ngx_int_t ngx_http_prov_id_extract(ngx_http_request_t *r,
    ngx_http_prov_id_conf_t *id, ngx_str_t *value, ngx_str_t *result);
ngx_int_t ngx_http_prov_uri_id_check(ngx_http_request_t *r,
    ngx_http_prov_regex_t *uri_id, ngx_http_prov_id_conf_t *id_conf,
    ngx_str_t *id, ngx_str_t *named);
ngx_int_t ngx_http_prov_ua_id_check(ngx_http_request_t *r,
    ngx_http_prov_regex_t *ua_id, ngx_http_prov_id_conf_t *id_conf,
    ngx_str_t *id, ngx_str_t *subject, ngx_str_t *named);

/* ngx_http_prov_acl.c */
char *ngx_http_prov_acl(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_http_prov_acl_t *ngx_http_prov_acl_load(ngx_conf_t *cf, ngx_str_t *path,
    ngx_uint_t mac);
ngx_uint_t ngx_http_prov_acl_verdict(ngx_http_prov_acl_t *acl, ngx_str_t *id,
    X509 *cert, ngx_http_prov_acl_entry_t **entry, u_char *digest);
ngx_int_t ngx_http_prov_acl_attribute(ngx_http_prov_acl_t *acl,
    ngx_http_prov_acl_entry_t *entry, ngx_str_t *key, ngx_str_t *value);
ngx_http_prov_acl_info_t *ngx_http_prov_acl_info(ngx_http_prov_acl_t *acl);
ngx_http_prov_lmdb_t *ngx_http_prov_acl_lmdb(ngx_http_prov_acl_t *acl);

/* ngx_http_prov_acl_lmdb.c */
ngx_http_prov_lmdb_t *ngx_http_prov_lmdb_check(ngx_conf_t *cf,
    ngx_str_t *path, ngx_uint_t mac, ngx_http_prov_acl_info_t *info);
ngx_int_t ngx_http_prov_lmdb_init_module(ngx_cycle_t *cycle);
ngx_uint_t ngx_http_prov_lmdb_verdict(ngx_http_prov_lmdb_t *db,
    ngx_http_request_t *r, ngx_str_t *id, X509 *cert,
    ngx_http_prov_acl_entry_t **entry, u_char *digest, size_t *txnid);
ngx_int_t ngx_http_prov_lmdb_unchanged(ngx_http_prov_lmdb_t *db,
    ngx_log_t *log, size_t txnid);
ngx_uint_t ngx_http_prov_lmdb_reusable(ngx_http_prov_acl_entry_t *entry);
ngx_int_t ngx_http_prov_lmdb_attribute(ngx_http_prov_acl_entry_t *entry,
    ngx_str_t *key, ngx_str_t *value);
ngx_int_t ngx_http_prov_lmdb_stat(ngx_http_prov_lmdb_t *db, ngx_log_t *log);

/* ngx_http_prov_profile.c */
ngx_int_t ngx_http_prov_profile_handler(ngx_http_request_t *r);
char *ngx_http_prov_profile(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
ngx_int_t ngx_http_prov_profile_safe(ngx_str_t *uri, ngx_uint_t slashes);

/* ngx_http_prov_status.c */
ngx_int_t ngx_http_prov_status_add_zone(ngx_conf_t *cf);
void ngx_http_prov_status_count(ngx_http_request_t *r, ngx_uint_t result);
char *ngx_http_prov_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

/* ngx_http_prov_variables.c */
ngx_int_t ngx_http_prov_add_variables(ngx_conf_t *cf);

/* ngx_http_prov_escape.c: whatever comes from a device or a request */
u_char *ngx_http_prov_log_escape(ngx_pool_t *pool, ngx_str_t *value);
ngx_int_t ngx_http_prov_value_escape(ngx_pool_t *pool, ngx_str_t *value);


extern ngx_module_t  ngx_http_prov_module;


#endif /* _NGX_HTTP_PROV_MODULE_H_INCLUDED_ */
