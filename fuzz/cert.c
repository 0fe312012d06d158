
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * The gate on a certificate: the input is a DER certificate, or a DER
 * X.509 name put as the subject of a certificate made at start.  The
 * certificate becomes the peer certificate of a TLS session (nginx
 * verified it), and requests on that connection are evaluated by
 * ngx_http_prov_evaluate() under several configurations, made by the
 * module's own directives: the subject's attributes, prov_id (value,
 * mac, regex), prov_generic, prov_acl (with a pin) and prov_uri_id, the
 * refusal's reason and the certificate's serial, then $prov_cert_<attr>
 * and $prov_acl_<key>, and a second request reusing the identity.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"
#include "ngx_prov_fuzz.h"


#define NGX_PROV_FUZZ_CONFS  4


static X509 *ngx_prov_fuzz_template(void);
static ngx_http_prov_loc_conf_t *ngx_prov_fuzz_cert_conf(
    ngx_prov_fuzz_conf_t *fc, char *acl, char *id, char *format,
    char *generic, char *acl_default, char *uri_id);
static SSL_SESSION *ngx_prov_fuzz_session(const u_char *data, size_t size);
static ngx_http_request_t *ngx_prov_fuzz_request(ngx_pool_t *pool,
    ngx_connection_t *c);
static void ngx_prov_fuzz_evaluate(ngx_pool_t *pool, SSL_SESSION *session,
    ngx_http_prov_loc_conf_t *plcf);


static SSL_CTX                   *ngx_prov_fuzz_ssl_ctx;

/* the server's TLS settings: the context the session's SSL was made in */
static ngx_http_ssl_srv_conf_t    ngx_prov_fuzz_sscf;
static X509                      *ngx_prov_fuzz_cert;
static ngx_http_prov_loc_conf_t  *ngx_prov_fuzz_confs[NGX_PROV_FUZZ_CONFS];
static ASN1_OBJECT               *ngx_prov_fuzz_attrs[5];

static ngx_str_t  ngx_prov_fuzz_uri = ngx_string("/spa962_000e08abcdef.cfg");
static ngx_str_t  ngx_prov_fuzz_key = ngx_string("account");


static char  ngx_prov_fuzz_mac_acl[] =
    "000e08abcdef  allow  account=1042\n"
    "00:0E:08:AB:CD:F0 deny            # stolen\n"
    "000e08abcdf1  allow  sha256="
    "5d2f000000000000000000000000000000000000000000000000000000000000\n";

static char  ngx_prov_fuzz_value_acl[] =
    "phone-1 allow account=1\n"
    "phone-2 deny\n";


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ngx_str_t              name;
    ngx_uint_t             i;
    ngx_prov_fuzz_conf_t  *fc;

    static char  *attrs[] = { "ST", "L", "OU", "CN", "1.3.6.1.4.1.99999.1" };

    ngx_prov_fuzz_init();

    ngx_prov_fuzz_ssl_ctx = SSL_CTX_new(TLS_method());
    ngx_prov_fuzz_sscf.ssl.ctx = ngx_prov_fuzz_ssl_ctx;
    ngx_prov_fuzz_cert = ngx_prov_fuzz_template();

    if (ngx_prov_fuzz_ssl_ctx == NULL || ngx_prov_fuzz_cert == NULL) {
        abort();
    }

    fc = ngx_prov_fuzz_conf(ngx_prov_fuzz_pool);
    if (fc == NULL) {
        abort();
    }

    /* Cisco SPA and MPP */

    ngx_prov_fuzz_confs[0] = ngx_prov_fuzz_cert_conf(fc,
                                 ngx_prov_fuzz_mac_acl, "S", "mac",
                                 "ciscogeneric", NULL,
                                 "_(?<id>[0-9A-Fa-f:]{12,17})\\.cfg$");

    ngx_prov_fuzz_confs[1] = ngx_prov_fuzz_cert_conf(fc,
                                 ngx_prov_fuzz_value_acl, "CN",
                                 "(?<id>[0-9a-z-]+)\\.dev\\.example\\.net",
                                 NULL, "default=allow", NULL);

    ngx_prov_fuzz_confs[2] = ngx_prov_fuzz_cert_conf(fc, NULL,
                                 "serialNumber", NULL, "generic", NULL,
                                 NULL);

    ngx_prov_fuzz_confs[3] = ngx_prov_fuzz_cert_conf(fc, NULL,
                                 "1.3.6.1.4.1.99999.1", "[a-z]*([0-9]+)",
                                 NULL, NULL, "([0-9]+)");

    for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        name.len = ngx_strlen(attrs[i]);
        name.data = (u_char *) attrs[i];

        ngx_prov_fuzz_attrs[i] = ngx_http_prov_attribute_object(&name, 0);

        if (ngx_prov_fuzz_attrs[i] == NULL) {
            abort();
        }
    }

    return 0;
}


/* the certificate whose subject a name input replaces */

static X509 *
ngx_prov_fuzz_template(void)
{
    X509       *x;
    EVP_PKEY   *key;
    X509_NAME  *name;

    key = EVP_EC_gen("P-256");
    x = X509_new();

    if (key == NULL || x == NULL) {
        return NULL;
    }

    name = X509_get_subject_name(x);

    if (X509_set_version(x, 2) == 0
        || ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1042) == 0
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                      (u_char *) "prov fuzz", -1, -1, 0)
           == 0
        || X509_set_issuer_name(x, name) == 0
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 86400) == NULL
        || X509_set_pubkey(x, key) == 0
        || X509_sign(x, key, EVP_sha256()) == 0)
    {
        return NULL;
    }

    EVP_PKEY_free(key);

    return x;
}


static ngx_http_prov_loc_conf_t *
ngx_prov_fuzz_cert_conf(ngx_prov_fuzz_conf_t *fc, char *acl, char *id,
    char *format, char *generic, char *acl_default, char *uri_id)
{
    ngx_str_t                  path;
    ngx_http_prov_loc_conf_t  *plcf;

    plcf = ngx_prov_fuzz_loc_conf(fc);
    if (plcf == NULL) {
        abort();
    }

    if (ngx_prov_fuzz_directive(fc, plcf, "prov", "on", NULL) != NGX_OK
        || ngx_prov_fuzz_directive(fc, plcf, "prov_id", id, format, NULL)
           != NGX_OK
        || (generic != NULL
            && ngx_prov_fuzz_directive(fc, plcf, "prov_generic", generic,
                                       NULL)
               != NGX_OK)
        || (uri_id != NULL
            && ngx_prov_fuzz_directive(fc, plcf, "prov_uri_id", uri_id, NULL)
               != NGX_OK))
    {
        abort();
    }

    /* the list is read when merged: one temporary file will do */

    if (acl != NULL) {
        (void) ngx_prov_fuzz_temp_file((u_char *) acl, ngx_strlen(acl),
                                       &path);

        if (ngx_prov_fuzz_directive(fc, plcf, "prov_acl", path.data,
                                    acl_default, NULL)
            != NGX_OK)
        {
            abort();
        }
    }

    if (ngx_prov_fuzz_merge(fc, plcf) != NGX_OK) {
        abort();
    }

    return plcf;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_uint_t    i;
    ngx_pool_t   *pool;
    SSL_SESSION  *session;

    session = ngx_prov_fuzz_session(data, size);

    if (session == NULL) {
        ERR_clear_error();
        return 0;
    }

    for (i = 0; i < NGX_PROV_FUZZ_CONFS; i++) {
        pool = ngx_prov_fuzz_create_pool();

        ngx_prov_fuzz_evaluate(pool, session, ngx_prov_fuzz_confs[i]);

        ngx_destroy_pool(pool);
    }

    SSL_SESSION_free(session);
    ERR_clear_error();

    return 0;
}


/*
 * a TLS session whose peer is the certificate, verified:
 * SEQUENCE { version 1, TLS 1.2, cipher, session id, master key,
 * [3] certificate }, as OpenSSL encodes sessions
 */

static SSL_SESSION *
ngx_prov_fuzz_session(const u_char *data, size_t size)
{
    int             len;
    u_char         *der, *p, *encoded, *tbs;
    size_t          n, cert_len;
    X509           *x;
    X509_NAME      *name;
    SSL_SESSION    *session;
    const u_char   *cert, *q;

    static u_char  head[] = { 0x02, 0x01, 0x01,             /* version */
                              0x02, 0x02, 0x03, 0x03,       /* TLS 1.2 */
                              0x04, 0x02, 0x00, 0x2f,       /* cipher */
                              0x04, 0x00,                   /* id */
                              0x04, 0x00 };                 /* master key */

    encoded = NULL;
    cert = data;
    cert_len = size;

    q = data;
    x = d2i_X509(NULL, &q, size);

    if (x != NULL) {
        X509_free(x);

    } else {
        /* a name */

        q = data;
        name = d2i_X509_NAME(NULL, &q, size);

        if (name == NULL) {
            return NULL;
        }

        x = X509_dup(ngx_prov_fuzz_cert);

        if (x == NULL) {
            abort();
        }

        /* a name OpenSSL parses but cannot encode again is no subject */

        if (X509_set_subject_name(x, name) == 0) {
            X509_NAME_free(name);
            X509_free(x);
            ERR_clear_error();
            return NULL;
        }

        X509_NAME_free(name);

        /* OpenSSL 3.0 would encode the template's cached subject */

        tbs = NULL;
        len = i2d_re_X509_tbs(x, &tbs);
        OPENSSL_free(tbs);

        if (len > 0) {
            len = i2d_X509(x, &encoded);
        }

        X509_free(x);

        if (len <= 0) {
            return NULL;
        }

        cert = encoded;
        cert_len = len;
    }

    der = malloc(cert_len + sizeof(head) + 12);
    if (der == NULL) {
        abort();
    }

    n = sizeof(head) + 6 + cert_len;

    p = der;
    *p++ = 0x30;
    *p++ = 0x84;
    *p++ = (u_char) (n >> 24);
    *p++ = (u_char) (n >> 16);
    *p++ = (u_char) (n >> 8);
    *p++ = (u_char) n;
    p = ngx_cpymem(p, head, sizeof(head));
    *p++ = 0xa3;
    *p++ = 0x84;
    *p++ = (u_char) (cert_len >> 24);
    *p++ = (u_char) (cert_len >> 16);
    *p++ = (u_char) (cert_len >> 8);
    *p++ = (u_char) cert_len;
    p = ngx_cpymem(p, cert, cert_len);

    q = der;
    session = d2i_SSL_SESSION(NULL, &q, p - der);

    free(der);
    OPENSSL_free(encoded);

    return session;
}


static ngx_http_request_t *
ngx_prov_fuzz_request(ngx_pool_t *pool, ngx_connection_t *c)
{
    ngx_http_request_t  *r;

    r = ngx_pcalloc(pool, sizeof(ngx_http_request_t));
    if (r == NULL) {
        abort();
    }

    r->ctx = ngx_pcalloc(pool, sizeof(void *) * ngx_http_max_module);
    if (r->ctx == NULL) {
        abort();
    }

    r->srv_conf = ngx_pcalloc(pool, sizeof(void *) * ngx_http_max_module);
    if (r->srv_conf == NULL) {
        abort();
    }

    r->srv_conf[ngx_http_ssl_module.ctx_index] = &ngx_prov_fuzz_sscf;

    r->main = r;
    r->pool = pool;
    r->connection = c;
    r->uri = ngx_prov_fuzz_uri;

    return r;
}


static void
ngx_prov_fuzz_evaluate(ngx_pool_t *pool, SSL_SESSION *session,
    ngx_http_prov_loc_conf_t *plcf)
{
    X509                 *cert;
    long                  verify;
    ngx_str_t             value;
    ngx_uint_t            i;
    ngx_connection_t     *c;
    ngx_http_request_t   *r;
    ngx_http_prov_ctx_t  *ctx, *again;

    c = ngx_pcalloc(pool, sizeof(ngx_connection_t));
    if (c == NULL) {
        abort();
    }

    c->ssl = ngx_pcalloc(pool, sizeof(ngx_ssl_connection_t));
    if (c->ssl == NULL) {
        abort();
    }

    c->pool = pool;
    c->log = ngx_prov_fuzz_log;

    c->ssl->connection = SSL_new(ngx_prov_fuzz_ssl_ctx);

    if (c->ssl->connection == NULL
        || SSL_set_ex_data(c->ssl->connection, ngx_ssl_connection_index, c)
           == 0
        || SSL_set_session(c->ssl->connection, session) == 0)
    {
        abort();
    }

    r = ngx_prov_fuzz_request(pool, c);

    ctx = ngx_http_prov_evaluate(r, plcf->gate);

    if (ctx == NULL) {
        ngx_log_stderr(0, "no outcome");
        abort();
    }

    if (ngx_prov_fuzz_verbose) {
        /* "%V" of an empty string would memcpy() from NULL */

        ngx_log_stderr(0, "prov_id %V: %V, id \"%*s\", %*s",
                       &((ngx_http_prov_id_conf_t *) plcf->ids->elts)->name,
                       ngx_http_prov_result_name(ctx->result),
                       ctx->id.len, ctx->id.len ? ctx->id.data : (u_char *) "",
                       ctx->reason.len,
                       ctx->reason.len ? ctx->reason.data : (u_char *) "");
    }

    if (ctx->result == NGX_HTTP_PROV_ALLOW
        && (ngx_http_prov_id_safe(&ctx->id) != NGX_OK
            || (ngx_http_prov_ids_mac(plcf->ids)
                && ctx->id.len != NGX_HTTP_PROV_MAC_LEN)))
    {
        ngx_log_stderr(0, "allowed with id \"%V\"", &ctx->id);
        abort();
    }

    if (ctx->result != NGX_HTTP_PROV_ALLOW && ctx->reason.len == 0) {
        ngx_log_stderr(0, "refused without a reason");
        abort();
    }

    /* what the handler logs, and the variables */

    if (ngx_http_prov_log_escape(pool, &ctx->reason) == NULL) {
        abort();
    }

    if (ctx->entry != NULL) {
        (void) ngx_http_prov_acl_attribute(ctx->gate->acl, ctx->entry,
                                           &ngx_prov_fuzz_key, &value);
    }

    cert = ngx_http_prov_verified_certificate(r, &verify);

    if (cert == NULL || verify != X509_V_OK) {
        abort();
    }

    for (i = 0; i < sizeof(ngx_prov_fuzz_attrs) / sizeof(ASN1_OBJECT *); i++)
    {
        if (ngx_http_prov_cert_value(pool, cert, ngx_prov_fuzz_attrs[i],
                                     &value)
            == NGX_ERROR)
        {
            abort();
        }
    }

    X509_free(cert);

    /*
     * another request on the connection, with its own pool, as nginx
     * makes them: the identity is reused
     */

    pool = ngx_prov_fuzz_create_pool();
    r = ngx_prov_fuzz_request(pool, c);

    again = ngx_http_prov_evaluate(r, plcf->gate);

    if (again == NULL
        || !again->reused
        || again->result != ctx->result
        || again->id.len != ctx->id.len
        || (ctx->id.len
            && ngx_memcmp(again->id.data, ctx->id.data, ctx->id.len) != 0))
    {
        ngx_log_stderr(0, "the connection's identity changed");
        abort();
    }

    ngx_destroy_pool(pool);

    SSL_free(c->ssl->connection);
}
