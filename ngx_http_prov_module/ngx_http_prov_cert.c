
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


/*
 * Everything read from the certificate goes through OpenSSL's X.509
 * structures: the $ssl_client_s_dn string cannot be trusted, since an
 * attribute value may carry text that looks like another attribute.
 */


typedef struct {
    ngx_str_t                   name;
    int                         nid;
} ngx_http_prov_attribute_t;


static ngx_uint_t ngx_http_prov_handshake_here(ngx_http_request_t *r,
    SSL_CTX **ssl_ctx);
static long ngx_http_prov_verify_here(ngx_http_request_t *r, X509 *cert);
static long ngx_http_prov_verify_chain(ngx_http_request_t *r,
    ngx_ssl_conn_t *ssl_conn, X509 *cert, SSL_CTX *ssl_ctx,
    ngx_uint_t relax, STACK_OF(X509) **chain);
static void ngx_http_prov_free_chain(void *data);
static ngx_int_t ngx_http_prov_oid_from_underscores(ngx_str_t *name,
    u_char *buf, size_t size);


/* the ex_data slot of what a TLS connection keeps */
static int  ngx_http_prov_conn_index = -1;


/*
 * OpenSSL's short names are case-sensitive; operators write "ST", "st"
 * or, as Cisco's documentation does, "S".  Variable names reach us in
 * lower case.
 */

static ngx_http_prov_attribute_t  ngx_http_prov_attributes[] = {
    { ngx_string("c"), NID_countryName },
    { ngx_string("st"), NID_stateOrProvinceName },
    { ngx_string("s"), NID_stateOrProvinceName },
    { ngx_string("l"), NID_localityName },
    { ngx_string("o"), NID_organizationName },
    { ngx_string("ou"), NID_organizationalUnitName },
    { ngx_string("cn"), NID_commonName },
    { ngx_string("serialnumber"), NID_serialNumber },
    { ngx_string("uid"), NID_userId },
    { ngx_string("emailaddress"), NID_pkcs9_emailAddress },
    { ngx_string("dc"), NID_domainComponent },
    { ngx_string("title"), NID_title },
    { ngx_string("sn"), NID_surname },
    { ngx_string("gn"), NID_givenName },
    { ngx_string("givenname"), NID_givenName },
    { ngx_string("initials"), NID_initials },
    { ngx_string("street"), NID_streetAddress },
    { ngx_string("postalcode"), NID_postalCode },
    { ngx_string("name"), NID_name },
    { ngx_string("pseudonym"), NID_pseudonym },
    { ngx_string("dnqualifier"), NID_dnQualifier },
    { ngx_string("description"), NID_description },
    { ngx_string("businesscategory"), NID_businessCategory },
    { ngx_null_string, NID_undef }
};


ngx_int_t
ngx_http_prov_ssl_init(ngx_conf_t *cf)
{
    if (ngx_http_prov_conn_index != -1) {
        return NGX_OK;                                   /* a reload */
    }

    ngx_http_prov_conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL,
                                                    NULL);

    if (ngx_http_prov_conn_index == -1) {
        ngx_ssl_error(NGX_LOG_EMERG, cf->log, 0,
                      "SSL_get_ex_new_index() failed");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * what the TLS connection keeps, made on first use in the connection's
 * pool (HTTP/2 streams have pools of their own): NULL on errors
 */

ngx_http_prov_conn_t *
ngx_http_prov_conn(ngx_ssl_conn_t *ssl_conn)
{
    ngx_connection_t      *c;
    ngx_http_prov_conn_t  *conn;

    conn = SSL_get_ex_data(ssl_conn, ngx_http_prov_conn_index);

    if (conn != NULL) {
        return conn;
    }

    c = ngx_ssl_get_connection(ssl_conn);

    conn = ngx_pcalloc(c->pool, sizeof(ngx_http_prov_conn_t));
    if (conn == NULL) {
        return NULL;
    }

    if (SSL_set_ex_data(ssl_conn, ngx_http_prov_conn_index, conn) == 0) {
        ngx_ssl_error(NGX_LOG_ALERT, c->log, 0, "SSL_set_ex_data() failed");
        return NULL;
    }

    return conn;
}


X509 *
ngx_http_prov_verified_certificate(ngx_http_request_t *r, long *verify_result)
{
    X509              *cert;
    ngx_connection_t  *c;

    *verify_result = X509_V_OK;

    c = r->connection;

    if (c->ssl == NULL) {
        return NULL;
    }

    cert = SSL_get_peer_certificate(c->ssl->connection);

    if (cert == NULL) {
        return NULL;
    }

    /*
     * the result is kept in the TLS session; under "ssl_verify_client
     * optional_no_ca" nginx lets unverified certificates through, we do not
     */

    *verify_result = SSL_get_verify_result(c->ssl->connection);

    if (*verify_result == X509_V_OK) {
        *verify_result = ngx_http_prov_verify_here(r, cert);
    }

    return cert;
}


/*
 * whether the TLS connection's handshake was a full one in the request's
 * server's own context (*ssl_ctx): only then does nginx's verification,
 * and the chain it built, hold for this request
 */

static ngx_uint_t
ngx_http_prov_handshake_here(ngx_http_request_t *r, SSL_CTX **ssl_ctx)
{
    ngx_ssl_conn_t           *ssl_conn;
    ngx_http_ssl_srv_conf_t  *sscf;

    ssl_conn = r->connection->ssl->connection;

    sscf = ngx_http_get_module_srv_conf(r, ngx_http_ssl_module);
    *ssl_ctx = sscf->ssl.ctx;

    return *ssl_ctx != NULL
           && *ssl_ctx == SSL_get_SSL_CTX(ssl_conn)
           && !SSL_session_reused(ssl_conn);
}


/*
 * nginx verified the certificate with the trust store of the TLS context
 * the handshake ran in, which need not be the request's server's: without
 * SNI the handshake runs in the default server's context whatever server
 * the Host header picks, and a resumed session carries the certificate and
 * the verification result of its first handshake, made in any server of
 * the listening socket that shares the session cache or ticket keys
 * (CVE-2025-23419, and the shapes nginx's fix leaves open).  Unless the
 * handshake was a full one in the request's server's own context, the
 * certificate is verified again against that server's trust store, once
 * per TLS connection and server.
 */

static long
ngx_http_prov_verify_here(ngx_http_request_t *r, X509 *cert)
{
    long                      result;
    SSL_CTX                  *ssl_ctx;
    STACK_OF(X509)           *chain;
    ngx_ssl_conn_t           *ssl_conn;
    ngx_connection_t         *c;
    ngx_pool_cleanup_t       *cln;
    ngx_http_prov_conn_t     *conn;

    ssl_conn = r->connection->ssl->connection;

    if (ngx_http_prov_handshake_here(r, &ssl_ctx)) {
        return X509_V_OK;
    }

    conn = ngx_http_prov_conn(ssl_conn);

    if (conn != NULL && conn->verified && conn->verify_ctx == ssl_ctx) {
        return conn->verify_result;
    }

    chain = NULL;

    result = ngx_http_prov_verify_chain(r, ssl_conn, cert, ssl_ctx, 0,
                                        &chain);

    /*
     * internal errors are not kept; nor a second server's result.  The
     * chain is kept with the result, for the issuers of prov_id.
     */

    if (conn != NULL && !conn->verified && result != X509_V_ERR_UNSPECIFIED)
    {
        if (chain != NULL) {
            c = ngx_ssl_get_connection(ssl_conn);

            cln = ngx_pool_cleanup_add(c->pool, 0);
            if (cln == NULL) {
                sk_X509_pop_free(chain, X509_free);
                return X509_V_ERR_UNSPECIFIED;
            }

            cln->handler = ngx_http_prov_free_chain;
            cln->data = chain;

            conn->verify_chain = chain;
        }

        conn->verify_ctx = ssl_ctx;
        conn->verify_result = result;
        conn->verified = 1;

        return result;
    }

    if (chain != NULL) {
        sk_X509_pop_free(chain, X509_free);
    }

    return result;
}


/*
 * the chain verification built for the request's server, from its trust
 * store: the client's certificates are in it only as far as verification
 * linked them to a CA of the store.  The handshake's, if it was a full
 * one in that server's context; else the one the module verified (see
 * ngx_http_prov_verify_here()); a second server on the connection gets a
 * chain of its own, freed with the request.  NULL when not verified.
 */

ngx_int_t
ngx_http_prov_verified_chain(ngx_http_request_t *r, X509 *cert,
    STACK_OF(X509) **chain)
{
    long                      result;
    SSL_CTX                  *ssl_ctx;
    ngx_ssl_conn_t           *ssl_conn;
    ngx_pool_cleanup_t       *cln;
    ngx_http_prov_conn_t     *conn;

    *chain = NULL;

    ssl_conn = r->connection->ssl->connection;

    if (ngx_http_prov_handshake_here(r, &ssl_ctx)) {
        *chain = SSL_get0_verified_chain(ssl_conn);
        return NGX_OK;
    }

    conn = ngx_http_prov_conn(ssl_conn);
    if (conn == NULL) {
        return NGX_ERROR;
    }

    if (conn->verified && conn->verify_ctx == ssl_ctx) {
        *chain = conn->verify_chain;
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    result = ngx_http_prov_verify_chain(r, ssl_conn, cert, ssl_ctx, 0,
                                        chain);

    if (result == X509_V_ERR_UNSPECIFIED) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_prov_free_chain;
    cln->data = *chain;

    if (result != X509_V_OK) {
        *chain = NULL;
    }

    return NGX_OK;
}


/*
 * An expired, not yet valid or revoked certificate, or one whose CRL is
 * missing or stale (verify errors 3, 9, 10, 11, 12, 23), may be a genuine
 * device's; but OpenSSL reports the last error it met, and checks dates
 * and CRLs after the chain: a certificate of an unknown CA, self-signed or
 * badly signed is reported with such an error as well when it is expired
 * too, or under ssl_crl (no CRL for an attacker's CA).  Such a result is
 * checked again with the request's server's CAs, dates and CRLs aside:
 * the error found then, if any, is the one to report, the certificate
 * being none of those CAs'.  X509_V_OK: the result stands.
 */

long
ngx_http_prov_verify_foreign(ngx_http_request_t *r, X509 *cert, long verify)
{
    long                      result;
    ngx_http_ssl_srv_conf_t  *sscf;

    switch (verify) {

    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CERT_REVOKED:
        break;

    default:
        return X509_V_OK;
    }

    sscf = ngx_http_get_module_srv_conf(r, ngx_http_ssl_module);

    result = ngx_http_prov_verify_chain(r, r->connection->ssl->connection,
                                        cert, sscf->ssl.ctx, 1, NULL);

    /* an internal error: the result stands */

    return result == X509_V_ERR_UNSPECIFIED ? X509_V_OK : result;
}


static void
ngx_http_prov_free_chain(void *data)
{
    STACK_OF(X509)  *chain = data;

    if (chain != NULL) {
        sk_X509_pop_free(chain, X509_free);
    }
}


/*
 * what OpenSSL does in the handshake (ssl_verify_cert_chain()), with the
 * trust store, depth and flags (ssl_crl) of the request's server; the
 * client's intermediates are only there when the session stayed in
 * memory (not from a ticket, nor from the shared cache): otherwise they
 * must be in the server's store (ssl_trusted_certificate).  With relax,
 * the dates and the CRLs are not checked: only whether the certificate
 * is one of the store's CAs'.  The verified chain is returned in chain,
 * unless it is NULL
 */

static long
ngx_http_prov_verify_chain(ngx_http_request_t *r, ngx_ssl_conn_t *ssl_conn,
    X509 *cert, SSL_CTX *ssl_ctx, ngx_uint_t relax, STACK_OF(X509) **chain)
{
    long                result;
    X509_STORE_CTX     *store_ctx;
    X509_VERIFY_PARAM  *param;

    if (ssl_ctx == NULL) {
        /* a server without TLS settings of its own trusts no CA */
        return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
    }

    store_ctx = X509_STORE_CTX_new();

    if (store_ctx == NULL) {
        ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "X509_STORE_CTX_new() failed");
        return X509_V_ERR_UNSPECIFIED;
    }

    if (X509_STORE_CTX_init(store_ctx, SSL_CTX_get_cert_store(ssl_ctx), cert,
                            SSL_get_peer_cert_chain(ssl_conn))
        == 0)
    {
        ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "X509_STORE_CTX_init() failed");
        X509_STORE_CTX_free(store_ctx);
        return X509_V_ERR_UNSPECIFIED;
    }

    /* the client's purpose, then the server's depth ("ssl_verify_depth") */

    param = X509_STORE_CTX_get0_param(store_ctx);

    if (X509_STORE_CTX_set_default(store_ctx, "ssl_client") == 0
        || X509_VERIFY_PARAM_set1(param, SSL_CTX_get0_param(ssl_ctx)) == 0)
    {
        ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "X509_STORE_CTX_set_default() failed");
        X509_STORE_CTX_free(store_ctx);
        return X509_V_ERR_UNSPECIFIED;
    }

    if (relax) {
        /* the store's flags ("ssl_crl") are in param since the init */

        if (X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_CRL_CHECK
                                                 |X509_V_FLAG_CRL_CHECK_ALL)
            == 0
            || X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME)
               == 0)
        {
            ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "X509_VERIFY_PARAM_set_flags() failed");
            X509_STORE_CTX_free(store_ctx);
            return X509_V_ERR_UNSPECIFIED;
        }
    }

    if (X509_verify_cert(store_ctx) == 1) {
        result = X509_V_OK;

        if (chain != NULL) {
            *chain = X509_STORE_CTX_get1_chain(store_ctx);

            if (*chain == NULL) {
                ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                              "X509_STORE_CTX_get1_chain() failed");
                result = X509_V_ERR_UNSPECIFIED;
            }
        }

    } else {
        result = X509_STORE_CTX_get_error(store_ctx);

        if (result == X509_V_OK) {
            result = X509_V_ERR_UNSPECIFIED;
        }
    }

    X509_STORE_CTX_free(store_ctx);

    /* nginx would report the queued errors later, on another request */
    ERR_clear_error();

    return result;
}


ASN1_OBJECT *
ngx_http_prov_attribute_object(ngx_str_t *name, ngx_uint_t underscores)
{
    u_char                     *p;
    ASN1_OBJECT                *obj;
    ngx_http_prov_attribute_t  *a;
    u_char                      buf[128];

    for (a = ngx_http_prov_attributes; a->name.len; a++) {
        if (a->name.len == name->len
            && ngx_strncasecmp(a->name.data, name->data, name->len) == 0)
        {
            return OBJ_nid2obj(a->nid);
        }
    }

    if (underscores) {
        if (ngx_http_prov_oid_from_underscores(name, buf, sizeof(buf))
            != NGX_OK)
        {
            return NULL;
        }

        obj = OBJ_txt2obj((char *) buf, 1);

    } else {
        if (name->len == 0 || name->len >= sizeof(buf)) {
            return NULL;
        }

        p = ngx_cpymem(buf, name->data, name->len);
        *p = '\0';

        /* long names and dotted OIDs, whether OpenSSL knows them or not */

        obj = OBJ_txt2obj((char *) buf, 0);
    }

    if (obj == NULL) {
        /* nginx would report the queued error later, on another request */
        ERR_clear_error();
    }

    return obj;
}


static ngx_int_t
ngx_http_prov_oid_from_underscores(ngx_str_t *name, u_char *buf, size_t size)
{
    u_char      ch;
    ngx_uint_t  i;

    if (name->len == 0 || name->len >= size) {
        return NGX_ERROR;
    }

    for (i = 0; i < name->len; i++) {
        ch = name->data[i];

        if (ch == '_') {
            buf[i] = '.';
            continue;
        }

        if (ch < '0' || ch > '9') {
            return NGX_ERROR;
        }

        buf[i] = ch;
    }

    buf[i] = '\0';

    return NGX_OK;
}


ngx_str_t *
ngx_http_prov_attribute_name(ngx_pool_t *pool, ASN1_OBJECT *obj)
{
    int          nid, len;
    ngx_str_t   *name, oid;
    const char  *sn;
    char         buf[128];

    name = ngx_palloc(pool, sizeof(ngx_str_t));
    if (name == NULL) {
        return NULL;
    }

    nid = OBJ_obj2nid(obj);
    sn = (nid == NID_undef) ? NULL : OBJ_nid2sn(nid);

    if (sn != NULL) {
        name->len = ngx_strlen(sn);
        name->data = (u_char *) sn;
        return name;
    }

    len = OBJ_obj2txt(buf, sizeof(buf), obj, 1);
    if (len <= 0 || (size_t) len >= sizeof(buf)) {
        return NULL;
    }

    oid.len = len;
    oid.data = (u_char *) buf;

    name->len = len;
    name->data = ngx_pstrdup(pool, &oid);
    if (name->data == NULL) {
        return NULL;
    }

    return name;
}


/*
 * the number of times the attribute occurs in the name, members of
 * multi-valued RDNs included; "last" is the index of the last one
 */

ngx_int_t
ngx_http_prov_attribute_count(X509_NAME *name, ASN1_OBJECT *obj, int *last)
{
    int         index;
    ngx_int_t   n;

    n = 0;
    index = -1;
    *last = -1;

    for ( ;; ) {
        index = X509_NAME_get_index_by_OBJ(name, obj, index);

        if (index < 0) {
            break;
        }

        *last = index;
        n++;
    }

    return n;
}


/*
 * the value of one name entry as UTF-8, whatever its ASN.1 string type
 * (BMPString, UniversalString, T61String, ...), with its real length
 */

ngx_int_t
ngx_http_prov_entry_value(ngx_pool_t *pool, X509_NAME *name, int index,
    ngx_str_t *value)
{
    int               len;
    u_char           *utf8;
    X509_NAME_ENTRY  *entry;

    entry = X509_NAME_get_entry(name, index);
    if (entry == NULL) {
        return NGX_DECLINED;
    }

    utf8 = NULL;
    len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));

    if (len < 0) {
        ERR_clear_error();
        return NGX_DECLINED;
    }

    value->len = len;
    value->data = ngx_pnalloc(pool, len + 1);

    if (value->data == NULL) {
        OPENSSL_free(utf8);
        return NGX_ERROR;
    }

    ngx_memcpy(value->data, utf8, len);
    value->data[len] = '\0';

    OPENSSL_free(utf8);

    return NGX_OK;
}


/*
 * the value of an attribute that occurs exactly once and holds no NUL,
 * as $prov_cert_<attr> shows it
 */

ngx_int_t
ngx_http_prov_cert_value(ngx_pool_t *pool, X509 *cert, ASN1_OBJECT *obj,
    ngx_str_t *value)
{
    int         index;
    ngx_int_t   rc;
    X509_NAME  *name;

    name = X509_get_subject_name(cert);
    if (name == NULL) {
        return NGX_DECLINED;
    }

    if (ngx_http_prov_attribute_count(name, obj, &index) != 1) {
        return NGX_DECLINED;
    }

    rc = ngx_http_prov_entry_value(pool, name, index, value);

    if (rc != NGX_OK) {
        return rc;
    }

    if (ngx_strlchr(value->data, value->data + value->len, '\0') != NULL) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}
