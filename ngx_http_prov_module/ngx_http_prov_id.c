
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


static char *ngx_http_prov_id_format(ngx_conf_t *cf,
    ngx_http_prov_id_conf_t *id, ngx_str_t *value);
static char *ngx_http_prov_id_issuers(ngx_conf_t *cf,
    ngx_http_prov_id_conf_t *id, ngx_str_t *value);
static char *ngx_http_prov_id_read_issuers(ngx_conf_t *cf,
    ngx_http_prov_id_conf_t *id, u_char *pem, size_t size);
static char *ngx_http_prov_id_reachable(ngx_conf_t *cf, ngx_array_t *ids,
    ngx_http_prov_id_conf_t *id);
static ngx_uint_t ngx_http_prov_id_mac(ngx_http_prov_id_conf_t *id);
static ngx_uint_t ngx_http_prov_issuers_hold(STACK_OF(X509) *issuers,
    X509 *cert);
static void ngx_http_prov_free_object(void *data);
static void ngx_http_prov_free_issuers(void *data);
#if (NGX_PCRE)
static char *ngx_http_prov_regex_compile(ngx_conf_t *cf,
    ngx_http_prov_regex_t *re, ngx_str_t *pattern, ngx_uint_t whole);
static ngx_int_t ngx_http_prov_regex_set(ngx_http_prov_regex_t *re,
    ngx_regex_compile_t *rc);
static ngx_int_t ngx_http_prov_regex_match(ngx_http_request_t *r,
    ngx_http_prov_regex_t *re, ngx_str_t *subject, ngx_str_t *value,
    ngx_str_t *match, ngx_uint_t level);
static ngx_int_t ngx_http_prov_regex_capture(ngx_http_request_t *r,
    ngx_http_prov_regex_t *re, ngx_str_t *subject, ngx_str_t *value);
static ngx_int_t ngx_http_prov_regex_names(ngx_http_request_t *r,
    ngx_http_prov_regex_t *re, ngx_http_prov_id_conf_t *id_conf,
    ngx_str_t *id, ngx_str_t *subject, ngx_str_t *named, ngx_uint_t level);
static ngx_int_t ngx_http_prov_id_names(ngx_http_prov_id_conf_t *id_conf,
    ngx_str_t *id, ngx_str_t *value);
#endif


/* the largest issuer file read: CA bundles are some hundred kilobytes */
#define NGX_HTTP_PROV_ISSUERS_MAX  (16 * 1024 * 1024)


#define NGX_HTTP_PROV_ISSUER_PREFIX  "issuer="


/*
 * "prov_id attribute [mac | regex] [issuer=file];", several times in one
 * context: the first whose issuers hold a CA of the certificate's
 * verified chain reads it.  Any prov_id in a context replaces every one
 * it would inherit.
 */

char *
ngx_http_prov_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prov_loc_conf_t *plcf = conf;

    ngx_str_t                *value, *name;
    ngx_uint_t                i, format_set;
    ngx_pool_cleanup_t       *cln;
    ngx_http_prov_id_conf_t  *id, *rule;

    if (plcf->ids == NGX_CONF_UNSET_PTR) {
        plcf->ids = ngx_array_create(cf->pool, 2,
                                     sizeof(ngx_http_prov_id_conf_t));
        if (plcf->ids == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    /* filled before it joins the rules, checked against those before it */

    id = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_id_conf_t));
    if (id == NULL) {
        return NGX_CONF_ERROR;
    }

    id->object = ngx_http_prov_attribute_object(&value[1], 0);

    if (id->object == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown certificate attribute \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ASN1_OBJECT_free(id->object);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_prov_free_object;
    cln->data = id->object;

    name = ngx_http_prov_attribute_name(cf->pool, id->object);
    if (name == NULL) {
        return NGX_CONF_ERROR;
    }

    id->name = *name;
    id->format = NGX_HTTP_PROV_ID_VALUE;

    format_set = 0;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, NGX_HTTP_PROV_ISSUER_PREFIX,
                        sizeof(NGX_HTTP_PROV_ISSUER_PREFIX) - 1)
            == 0)
        {
            if (id->issuers != NULL) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "duplicate \"%V\" parameter", &value[i]);
                return NGX_CONF_ERROR;
            }

            if (ngx_http_prov_id_issuers(cf, id, &value[i]) != NGX_CONF_OK) {
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (format_set) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        if (ngx_http_prov_id_format(cf, id, &value[i]) != NGX_CONF_OK) {
            return NGX_CONF_ERROR;
        }

        format_set = 1;
    }

    if (ngx_http_prov_id_reachable(cf, plcf->ids, id) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    rule = ngx_array_push(plcf->ids);
    if (rule == NULL) {
        return NGX_CONF_ERROR;
    }

    *rule = *id;

    return NGX_CONF_OK;
}


static char *
ngx_http_prov_id_format(ngx_conf_t *cf, ngx_http_prov_id_conf_t *id,
    ngx_str_t *value)
{
    if (ngx_strcmp(value->data, "mac") == 0) {
        id->format = NGX_HTTP_PROV_ID_MAC;
        return NGX_CONF_OK;
    }

#if (NGX_PCRE)

    /* the pattern must match the whole value, not a part of it */

    if (ngx_http_prov_regex_compile(cf, &id->regex, value, 1)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    id->format = NGX_HTTP_PROV_ID_REGEX;

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "using regex \"%V\" requires PCRE library", value);
    return NGX_CONF_ERROR;

#endif
}


/*
 * "issuer=file": the CA certificates whose chains this rule reads, as
 * "ssl_client_certificate" names its file; read whole first, so that
 * errors name the file, and opened as nginx opens the files it serves
 * (a FIFO would hold "nginx -t")
 */

static char *
ngx_http_prov_id_issuers(ngx_conf_t *cf, ngx_http_prov_id_conf_t *id,
    ngx_str_t *value)
{
    char             *rv;
    u_char           *pem;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         file;
    ngx_file_info_t   fi;

    file.len = value->len - (sizeof(NGX_HTTP_PROV_ISSUER_PREFIX) - 1);
    file.data = value->data + sizeof(NGX_HTTP_PROV_ISSUER_PREFIX) - 1;

    if (file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"issuer=\" names no file");
        return NGX_CONF_ERROR;
    }

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    id->issuer_file = file;

    fd = ngx_open_file(file.data, NGX_FILE_RDONLY|NGX_FILE_NONBLOCK,
                       NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot open issuer file \"%s\"", file.data);
        return NGX_CONF_ERROR;
    }

    rv = NGX_CONF_ERROR;
    pem = NULL;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%s\" failed", file.data);
        goto done;
    }

    if (!ngx_is_file(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "issuer file \"%s\" is not a file", file.data);
        goto done;
    }

    if (ngx_file_size(&fi) > NGX_HTTP_PROV_ISSUERS_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "issuer file \"%s\" is larger than %d bytes",
                           file.data, NGX_HTTP_PROV_ISSUERS_MAX);
        goto done;
    }

    pem = ngx_alloc((size_t) ngx_file_size(&fi) + 1, cf->log);
    if (pem == NULL) {
        goto done;
    }

    n = ngx_read_fd(fd, pem, (size_t) ngx_file_size(&fi) + 1);

    if (n == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_read_fd_n " \"%s\" failed", file.data);
        goto done;
    }

    if (n > ngx_file_size(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "issuer file \"%s\" grew while read", file.data);
        goto done;
    }

    rv = ngx_http_prov_id_read_issuers(cf, id, pem, n);

done:

    if (pem != NULL) {
        ngx_free(pem);
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%s\" failed", file.data);
    }

    return rv;
}


/*
 * PEM blocks one by one, as nginx's trust store reads them: certificates,
 * also "TRUSTED CERTIFICATE" (openssl x509 -trustout); any other block is
 * an error, not a CA left out without a word
 */

static char *
ngx_http_prov_id_read_issuers(ngx_conf_t *cf, ngx_http_prov_id_conf_t *id,
    u_char *pem, size_t size)
{
    BIO                  *bio;
    long                  len;
    char                 *type, *header;
    X509                 *cert;
    u_char               *der;
    ngx_uint_t            n;
    unsigned long         err;
    const u_char         *p;
    ngx_pool_cleanup_t   *cln;
    char                  name[256], reason[256];

    id->issuers = sk_X509_new_null();
    if (id->issuers == NULL) {
        ngx_ssl_error(NGX_LOG_EMERG, cf->log, 0, "sk_X509_new_null() failed");
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        sk_X509_free(id->issuers);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_prov_free_issuers;
    cln->data = id->issuers;

    bio = BIO_new_mem_buf(pem, (int) size);
    if (bio == NULL) {
        ngx_ssl_error(NGX_LOG_EMERG, cf->log, 0, "BIO_new_mem_buf() failed");
        return NGX_CONF_ERROR;
    }

    for (n = 1; /* void */; n++) {

        if (PEM_read_bio(bio, &type, &header, &der, &len) == 0) {
            err = ERR_peek_last_error();

            /* the end of the file: nothing more that begins a PEM block */

            if (ERR_GET_LIB(err) == ERR_LIB_PEM
                && ERR_GET_REASON(err) == PEM_R_NO_START_LINE)
            {
                ERR_clear_error();
                break;
            }

            ERR_error_string_n(err, reason, sizeof(reason));
            ERR_clear_error();

            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "block %ui of issuer file \"%V\" cannot be "
                               "read: %s", n, &id->issuer_file, reason);
            BIO_free(bio);
            return NGX_CONF_ERROR;
        }

        p = der;

        if (ngx_strcmp(type, PEM_STRING_X509) == 0
            || ngx_strcmp(type, PEM_STRING_X509_OLD) == 0)
        {
            cert = d2i_X509(NULL, &p, len);

        } else if (ngx_strcmp(type, PEM_STRING_X509_TRUSTED) == 0) {
            cert = d2i_X509_AUX(NULL, &p, len);

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "block %ui of issuer file \"%V\" is \"%s\", "
                               "not a certificate", n, &id->issuer_file,
                               type);

            OPENSSL_free(type);
            OPENSSL_free(header);
            OPENSSL_free(der);
            BIO_free(bio);
            return NGX_CONF_ERROR;
        }

        OPENSSL_free(type);
        OPENSSL_free(header);
        OPENSSL_free(der);

        if (cert == NULL) {
            err = ERR_peek_last_error();
            ERR_error_string_n(err, reason, sizeof(reason));
            ERR_clear_error();

            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "certificate %ui of issuer file \"%V\" "
                               "cannot be read: %s",
                               n, &id->issuer_file, reason);
            BIO_free(bio);
            return NGX_CONF_ERROR;
        }

        if (sk_X509_push(id->issuers, cert) == 0) {
            ngx_ssl_error(NGX_LOG_EMERG, cf->log, 0, "sk_X509_push() failed");
            X509_free(cert);
            BIO_free(bio);
            return NGX_CONF_ERROR;
        }

        /* a device's certificate would make its own chain an issuer */

        if (X509_check_ca(cert) == 0) {
            X509_NAME_oneline(X509_get_subject_name(cert), name,
                              sizeof(name));

            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "certificate %ui of issuer file \"%V\" is not "
                               "a CA certificate: \"%s\"",
                               n, &id->issuer_file, name);
            BIO_free(bio);
            return NGX_CONF_ERROR;
        }
    }

    BIO_free(bio);

    if (sk_X509_num(id->issuers) == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "issuer file \"%V\" holds no PEM certificate",
                           &id->issuer_file);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * a rule after one that reads any certificate, or whose every CA an
 * earlier rule holds, would never read a certificate: a mistake
 */

static char *
ngx_http_prov_id_reachable(ngx_conf_t *cf, ngx_array_t *ids,
    ngx_http_prov_id_conf_t *id)
{
    int                       k;
    X509                     *ca;
    ngx_uint_t                i, held;
    ngx_http_prov_id_conf_t  *rules;

    rules = ids->elts;

    for (i = 0; i < ids->nelts; i++) {
        if (rules[i].issuers == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"prov_id\" can never be reached: the "
                               "\"prov_id %V\" before it has no \"issuer=\" "
                               "and reads every certificate",
                               &rules[i].name);
            return NGX_CONF_ERROR;
        }
    }

    if (ids->nelts == 0) {
        return NGX_CONF_OK;
    }

    if (id->issuers == NULL) {
        return NGX_CONF_OK;
    }

    for (k = 0; k < sk_X509_num(id->issuers); k++) {
        ca = sk_X509_value(id->issuers, k);
        held = 0;

        for (i = 0; i < ids->nelts; i++) {
            if (ngx_http_prov_issuers_hold(rules[i].issuers, ca)) {
                held = 1;
                break;
            }
        }

        if (!held) {
            ERR_clear_error();
            return NGX_CONF_OK;
        }
    }

    ERR_clear_error();

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"prov_id\" can never be reached: every CA of "
                       "\"%V\" is in the issuer file of an earlier "
                       "\"prov_id\"", &id->issuer_file);

    return NGX_CONF_ERROR;
}


/*
 * ids of an access list are read one way: a gate whose rules read MAC
 * addresses and other ids cannot share one
 */

char *
ngx_http_prov_ids_check(ngx_conf_t *cf, ngx_array_t *ids)
{
    ngx_uint_t                i, mac;
    ngx_http_prov_id_conf_t  *rules;

    rules = ids->elts;
    mac = ngx_http_prov_id_mac(&rules[0]);

    for (i = 1; i < ids->nelts; i++) {
        if (ngx_http_prov_id_mac(&rules[i]) != mac) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"prov_acl\" needs every \"prov_id\" to read "
                               "MAC addresses (\"mac\", or a regex capture "
                               "named \"mac\") or none: \"prov_id %V\" and "
                               "\"prov_id %V\" differ",
                               &rules[0].name, &rules[i].name);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


ngx_uint_t
ngx_http_prov_ids_mac(ngx_array_t *ids)
{
    ngx_http_prov_id_conf_t  *rules;

    rules = ids->elts;

    return ngx_http_prov_id_mac(&rules[0]);
}


static ngx_uint_t
ngx_http_prov_id_mac(ngx_http_prov_id_conf_t *id)
{
    return id->format == NGX_HTTP_PROV_ID_MAC
           || (id->format == NGX_HTTP_PROV_ID_REGEX && id->regex.mac);
}


/*
 * the rule that reads a certificate: the first without "issuer=", or
 * whose issuers hold the certificate's issuer or a CA above it in the
 * chain verification built (never what the client merely sent)
 */

ngx_http_prov_id_conf_t *
ngx_http_prov_id_rule(ngx_array_t *ids, STACK_OF(X509) *chain)
{
    int                       k, n;
    ngx_uint_t                i;
    ngx_http_prov_id_conf_t  *rules, *rule;

    rules = ids->elts;
    n = (chain != NULL) ? sk_X509_num(chain) : 0;
    rule = NULL;

    for (i = 0; i < ids->nelts && rule == NULL; i++) {
        if (rules[i].issuers == NULL) {
            rule = &rules[i];
            break;
        }

        for (k = 1; k < n; k++) {
            if (ngx_http_prov_issuers_hold(rules[i].issuers,
                                           sk_X509_value(chain, k)))
            {
                rule = &rules[i];
                break;
            }
        }
    }

    /* keys of other types, names that do not parse: queued errors */

    ERR_clear_error();

    return rule;
}


/*
 * whether "cert", a CA of a verified chain above its first certificate,
 * is one of the issuers: the same certificate, or one with the same
 * subject and public key.  A CA is in a verified chain because its key
 * signed the certificate below it; the form of an intermediate that a
 * device sends is the device's choice (a re-issue with the same key, the
 * other valid value of an ECDSA signature).  Never a name or a key
 * identifier alone, which another CA can copy.
 */

static ngx_uint_t
ngx_http_prov_issuers_hold(STACK_OF(X509) *issuers, X509 *cert)
{
    int        k, rc;
    X509      *ca;
    EVP_PKEY  *key, *ca_key;

    key = X509_get0_pubkey(cert);

    for (k = 0; k < sk_X509_num(issuers); k++) {
        ca = sk_X509_value(issuers, k);

        if (X509_cmp(ca, cert) == 0) {
            return 1;
        }

        ca_key = X509_get0_pubkey(ca);

        if (key == NULL
            || ca_key == NULL
            || X509_NAME_cmp(X509_get_subject_name(ca),
                             X509_get_subject_name(cert))
               != 0)
        {
            continue;
        }

#if (OPENSSL_VERSION_NUMBER >= 0x30000000L)
        rc = EVP_PKEY_eq(ca_key, key);
#else
        rc = EVP_PKEY_cmp(ca_key, key);
#endif

        if (rc == 1) {
            return 1;
        }
    }

    return 0;
}


static void
ngx_http_prov_free_object(void *data)
{
    ASN1_OBJECT  *object = data;

    /* a no-op for OpenSSL's built-in objects */

    ASN1_OBJECT_free(object);
}


static void
ngx_http_prov_free_issuers(void *data)
{
    STACK_OF(X509)  *issuers = data;

    sk_X509_pop_free(issuers, X509_free);
}


/* "prov_uri_id regex | off;" */

char *
ngx_http_prov_uri_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
#if (NGX_PCRE)
    ngx_http_prov_loc_conf_t *plcf = conf;

    ngx_str_t              *value;
    ngx_http_prov_regex_t  *uri_id;

    if (plcf->uri_id != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        plcf->uri_id = NULL;
        return NGX_CONF_OK;
    }

    uri_id = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_regex_t));
    if (uri_id == NULL) {
        return NGX_CONF_ERROR;
    }

    /* searched in the URI: a device may be named anywhere in it */

    if (ngx_http_prov_regex_compile(cf, uri_id, &value[1], 0)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    plcf->uri_id = uri_id;

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"prov_uri_id\" requires PCRE library");
    return NGX_CONF_ERROR;

#endif
}


/* "prov_ua_id regex [required] | off;" */

char *
ngx_http_prov_ua_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
#if (NGX_PCRE)
    ngx_http_prov_loc_conf_t *plcf = conf;

    ngx_str_t              *value;
    ngx_http_prov_ua_id_t  *ua_id;

    if (plcf->ua_id != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        if (cf->args->nelts > 2) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[2]);
            return NGX_CONF_ERROR;
        }

        plcf->ua_id = NULL;
        return NGX_CONF_OK;
    }

    ua_id = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_ua_id_t));
    if (ua_id == NULL) {
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts > 2) {
        if (ngx_strcmp(value[2].data, "required") != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[2]);
            return NGX_CONF_ERROR;
        }

        ua_id->required = 1;
    }

    /* searched in the User-Agent: vendors put the MAC anywhere in it */

    if (ngx_http_prov_regex_compile(cf, &ua_id->regex, &value[1], 0)
        != NGX_CONF_OK)
    {
        return NGX_CONF_ERROR;
    }

    plcf->ua_id = ua_id;

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"prov_ua_id\" requires PCRE library");
    return NGX_CONF_ERROR;

#endif
}


#if (NGX_PCRE)

/*
 * every regex of the module names a device by a capture; "whole" anchors
 * it at both ends of the value.  The pattern is NUL-terminated: PCRE1's
 * pcre_compile() reads up to a NUL whatever nginx says the length is.
 */

static char *
ngx_http_prov_regex_compile(ngx_conf_t *cf, ngx_http_prov_regex_t *re,
    ngx_str_t *pattern, ngx_uint_t whole)
{
    u_char               *p;
    ngx_regex_compile_t   rc;
    u_char                errstr[NGX_MAX_CONF_ERRSTR];

    if (pattern->len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "empty regex");
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&rc, sizeof(ngx_regex_compile_t));

    rc.pattern.len = pattern->len;

    if (whole) {
        rc.pattern.len += sizeof("^(?:)\\z") - 1;
    }

    rc.pattern.data = ngx_pnalloc(cf->pool, rc.pattern.len + 1);
    if (rc.pattern.data == NULL) {
        return NGX_CONF_ERROR;
    }

    p = rc.pattern.data;

    if (whole) {
        p = ngx_cpymem(p, "^(?:", sizeof("^(?:") - 1);
    }

    p = ngx_cpymem(p, pattern->data, pattern->len);

    if (whole) {
        p = ngx_cpymem(p, ")\\z", sizeof(")\\z") - 1);
    }

    *p = '\0';

    rc.pool = cf->pool;
    rc.err.len = NGX_MAX_CONF_ERRSTR;
    rc.err.data = errstr;

    if (ngx_regex_compile(&rc) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V", &rc.err);
        return NGX_CONF_ERROR;
    }

    if (rc.captures == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "regex \"%V\" has no capture for the id", pattern);
        return NGX_CONF_ERROR;
    }

    /*
     * several groups named "id" ((?J)) or both "id" and "mac": only one
     * would be read, and a match through another would name no device
     */

    if (ngx_http_prov_regex_set(re, &rc) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "regex \"%V\" has more than one capture named "
                           "\"id\" or \"mac\": use one, in a branch reset "
                           "group \"(?|...)\" for several forms", pattern);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * a compiled regex whose id is the capture named "id" or "mac" (read as a
 * MAC address), else the first; NGX_DECLINED when more than one group has
 * one of these names (a branch reset group gives all its alternatives one)
 */

static ngx_int_t
ngx_http_prov_regex_set(ngx_http_prov_regex_t *re, ngx_regex_compile_t *rc)
{
    u_char      *name;
    ngx_int_t    i;
    ngx_uint_t   named;

    re->regex = rc->regex;
    re->ncaptures = (rc->captures + 1) * 3;
    re->capture = 1;
    re->mac = 0;

    named = 0;
    name = rc->names;

    for (i = 0; i < rc->named_captures; i++, name += rc->name_size) {
        if (ngx_strcmp(&name[2], "id") == 0) {
            re->capture = 256 * name[0] + name[1];
            re->mac = 0;
            named++;

        } else if (ngx_strcmp(&name[2], "mac") == 0) {
            re->capture = 256 * name[0] + name[1];
            re->mac = 1;
            named++;
        }
    }

    return (named > 1) ? NGX_DECLINED : NGX_OK;
}


/*
 * the first match in "subject" (its whole text in "match") and its id
 * capture: NGX_DECLINED when the regex does not match, NGX_DONE when the
 * match leaves the capture unset
 */

static ngx_int_t
ngx_http_prov_regex_match(ngx_http_request_t *r, ngx_http_prov_regex_t *re,
    ngx_str_t *subject, ngx_str_t *value, ngx_str_t *match, ngx_uint_t level)
{
    int        *captures;
    u_char     *escaped;
    ngx_int_t   rc;

    captures = ngx_palloc(r->pool, re->ncaptures * sizeof(int));
    if (captures == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_regex_exec(re->regex, subject, captures, re->ncaptures);

    if (rc == NGX_REGEX_NO_MATCHED) {
        return NGX_DECLINED;
    }

    if (rc < 0) {
        /* the subject comes from the device or the request */

        escaped = ngx_http_prov_log_escape(r->pool, subject);

        ngx_log_error(level, r->connection->log, 0,
                      ngx_regex_exec_n " failed: %i on \"%s\"", rc,
                      escaped != NULL ? escaped : (u_char *) "");
        return NGX_ABORT;
    }

    match->data = subject->data + captures[0];
    match->len = captures[1] - captures[0];

    /* captures past the last one set are undefined with old PCRE */

    if ((ngx_uint_t) rc <= re->capture || captures[2 * re->capture] < 0) {
        return NGX_DONE;
    }

    value->data = subject->data + captures[2 * re->capture];
    value->len = captures[2 * re->capture + 1] - captures[2 * re->capture];

    return NGX_OK;
}


/*
 * the id capture of the first match in "subject": NGX_DECLINED when the
 * regex does not match or leaves the capture unset
 */

static ngx_int_t
ngx_http_prov_regex_capture(ngx_http_request_t *r, ngx_http_prov_regex_t *re,
    ngx_str_t *subject, ngx_str_t *value)
{
    ngx_int_t  rc;
    ngx_str_t  match;

    rc = ngx_http_prov_regex_match(r, re, subject, value, &match,
                                   NGX_LOG_ALERT);

    if (rc == NGX_ABORT) {
        return NGX_ERROR;
    }

    return (rc == NGX_DONE) ? NGX_DECLINED : rc;
}

#endif


/*
 * the device id from a value already known to be safe: NGX_DECLINED
 * when the value does not have the configured form
 */

ngx_int_t
ngx_http_prov_id_extract(ngx_http_request_t *r, ngx_http_prov_id_conf_t *id,
    ngx_str_t *value, ngx_str_t *result)
{
#if (NGX_PCRE)
    ngx_int_t  rc;
    ngx_str_t  capture;
#endif

    switch (id->format) {

    case NGX_HTTP_PROV_ID_MAC:

        result->data = ngx_pnalloc(r->pool, NGX_HTTP_PROV_MAC_LEN);
        if (result->data == NULL) {
            return NGX_ERROR;
        }

        result->len = NGX_HTTP_PROV_MAC_LEN;

        return ngx_http_prov_mac_normalize(value, result->data);

#if (NGX_PCRE)

    case NGX_HTTP_PROV_ID_REGEX:

        rc = ngx_http_prov_regex_capture(r, &id->regex, value, &capture);

        if (rc != NGX_OK) {
            return rc;
        }

        if (!id->regex.mac) {
            *result = capture;
            return ngx_http_prov_id_safe(result);
        }

        result->data = ngx_pnalloc(r->pool, NGX_HTTP_PROV_MAC_LEN);
        if (result->data == NULL) {
            return NGX_ERROR;
        }

        result->len = NGX_HTTP_PROV_MAC_LEN;

        return ngx_http_prov_mac_normalize(&capture, result->data);

#endif

    default: /* NGX_HTTP_PROV_ID_VALUE */

        *result = *value;
        return NGX_OK;
    }
}


/* NGX_OK when the uri names no device but this one */

ngx_int_t
ngx_http_prov_uri_id_check(ngx_http_request_t *r,
    ngx_http_prov_regex_t *uri_id, ngx_http_prov_id_conf_t *id_conf,
    ngx_str_t *id, ngx_str_t *named)
{
#if (NGX_PCRE)
    ngx_int_t  rc;

    rc = ngx_http_prov_regex_names(r, uri_id, id_conf, id, &r->uri, named,
                                   NGX_LOG_ALERT);

    if (rc == NGX_ABORT) {
        return NGX_ERROR;
    }

    return (rc == NGX_DONE) ? NGX_OK : rc;

#else

    return NGX_OK;

#endif
}


/*
 * a User-Agent: NGX_OK when it names this device and no other, NGX_DONE
 * when it names no device, NGX_DECLINED when it names another ("named"),
 * NGX_ABORT when the regex failed on it (PCRE's match limit: the device
 * chose it, the refusal line says so, no alert)
 */

ngx_int_t
ngx_http_prov_ua_id_check(ngx_http_request_t *r, ngx_http_prov_regex_t *ua_id,
    ngx_http_prov_id_conf_t *id_conf, ngx_str_t *id, ngx_str_t *subject,
    ngx_str_t *named)
{
#if (NGX_PCRE)

    return ngx_http_prov_regex_names(r, ua_id, id_conf, id, subject, named,
                                     NGX_LOG_INFO);

#else

    return NGX_DONE;

#endif
}


#if (NGX_PCRE)

/*
 * whether "subject" names the device "id": NGX_OK when it does and names
 * no other, NGX_DONE when it names no device, NGX_DECLINED when it names
 * another.  Every match counts, not the first only: naming this device
 * first must not hide another where a location reads only the end of the
 * uri ("/<own id>/<other id>.cfg" under an alias with a capture).  The
 * regex is searched again in what follows each match, as a subject of its
 * own (a lookbehind or "^" sees no further back than its start).  The id
 * a match names is read by the rule that read the certificate's.
 */

static ngx_int_t
ngx_http_prov_regex_names(ngx_http_request_t *r, ngx_http_prov_regex_t *re,
    ngx_http_prov_id_conf_t *id_conf, ngx_str_t *id, ngx_str_t *subject,
    ngx_str_t *named, ngx_uint_t level)
{
    size_t      end;
    ngx_int_t   rc;
    ngx_str_t   rest, value, match;
    ngx_uint_t  found;

    rest = *subject;
    found = 0;

    for ( ;; ) {
        rc = ngx_http_prov_regex_match(r, re, &rest, &value, &match, level);

        if (rc == NGX_DECLINED) {
            break;
        }

        if (rc == NGX_ERROR || rc == NGX_ABORT) {
            return rc;
        }

        /* NGX_DONE: a match that names no device */

        if (rc == NGX_OK) {
            if (ngx_http_prov_id_names(id_conf, id, &value) != NGX_OK) {
                *named = value;
                return NGX_DECLINED;
            }

            found = 1;
        }

        /*
         * on after the match, or after its first byte when it is empty
         * (it would be found again); nothing left: done, as an empty
         * match there names nothing the subject holds
         */

        end = (size_t) (match.data + match.len - rest.data);

        if (match.len == 0) {
            end++;
        }

        if (end >= rest.len) {
            break;
        }

        rest.data += end;
        rest.len -= end;
    }

    return found ? NGX_OK : NGX_DONE;
}

#endif


#if (NGX_PCRE)

/*
 * NGX_OK when "value", taken from a uri or a User-Agent, names the device
 * "id" as the rule that read it reads ids
 */

static ngx_int_t
ngx_http_prov_id_names(ngx_http_prov_id_conf_t *id_conf, ngx_str_t *id,
    ngx_str_t *value)
{
    ngx_str_t  name;
    u_char     mac[NGX_HTTP_PROV_MAC_LEN];

    name = *value;

    if (ngx_http_prov_id_mac(id_conf)) {
        if (ngx_http_prov_mac_normalize(value, mac) != NGX_OK) {
            return NGX_DECLINED;
        }

        name.data = mac;
        name.len = NGX_HTTP_PROV_MAC_LEN;
    }

    if (name.len == id->len && ngx_memcmp(name.data, id->data, id->len) == 0)
    {
        return NGX_OK;
    }

    return NGX_DECLINED;
}

#endif
