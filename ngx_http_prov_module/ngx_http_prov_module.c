
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


static ngx_int_t ngx_http_prov_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_prov_precontent_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_prov_log_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_prov_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_prov_recheck_uri(ngx_http_request_t *r);
static void ngx_http_prov_log_refusal(ngx_http_request_t *r,
    ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_check_certificate(ngx_http_request_t *r,
    ngx_http_prov_gate_t *gate, ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_check_identity(ngx_http_request_t *r,
    ngx_http_prov_gate_t *gate, X509 *cert, long verify,
    ngx_http_prov_conn_t *conn, ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_check_issuer(ngx_http_request_t *r,
    ngx_http_prov_gate_t *gate, X509 *cert, ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_conn_identity(ngx_http_request_t *r,
    ngx_http_prov_conn_t *conn, ngx_http_prov_gate_t *gate);
static ngx_uint_t ngx_http_prov_check_generic(ngx_http_request_t *r,
    ngx_http_prov_gate_t *gate, X509 *cert, ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_check_id(ngx_http_request_t *r,
    ngx_http_prov_gate_t *gate, X509 *cert, ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_check_acl(ngx_http_request_t *r,
    ngx_http_prov_gate_t *gate, X509 *cert, ngx_http_prov_conn_t *conn,
    ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_check_ua(ngx_http_request_t *r,
    ngx_http_prov_ua_id_t *ua_id, ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_ua_kept(ngx_http_request_t *r,
    ngx_http_prov_ua_id_t *ua_id, ngx_http_prov_ctx_t *ctx,
    ngx_http_prov_conn_t *conn, ngx_table_elt_t **line);
static void ngx_http_prov_ua_keep(ngx_http_request_t *r,
    ngx_http_prov_ua_id_t *ua_id, ngx_http_prov_ctx_t *ctx,
    ngx_http_prov_conn_t *conn, ngx_table_elt_t *line);
static ngx_table_elt_t *ngx_http_prov_ua_next(ngx_list_part_t **part,
    ngx_uint_t *i);
static ngx_uint_t ngx_http_prov_is_user_agent(ngx_table_elt_t *h);
static ngx_uint_t ngx_http_prov_check_uri(ngx_http_request_t *r,
    ngx_http_prov_regex_t *uri_id, ngx_http_prov_ctx_t *ctx);
static ngx_uint_t ngx_http_prov_refuse(ngx_http_request_t *r,
    ngx_http_prov_ctx_t *ctx, ngx_uint_t result, const char *fmt, ...);
static void ngx_http_prov_cleanup(void *data);

static void *ngx_http_prov_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_prov_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_prov_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_http_prov_gate_t *ngx_http_prov_merge_gate(ngx_conf_t *cf,
    ngx_http_prov_loc_conf_t *conf);
static char *ngx_http_prov_generic(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_prov_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_prov_init(ngx_conf_t *cf);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;


static ngx_str_t  ngx_http_prov_results[] = {
    ngx_null_string,
    ngx_string("allow"),
    ngx_string("no_cert"),
    ngx_string("unverified"),
    ngx_string("bad_id"),
    ngx_string("generic"),
    ngx_string("not_listed"),
    ngx_string("denied"),
    ngx_string("pin_mismatch"),
    ngx_string("uri_mismatch"),
    ngx_string("unknown_issuer"),
    ngx_string("ua_mismatch")
};


static ngx_conf_enum_t  ngx_http_prov_log_levels[] = {
    { ngx_string("info"), NGX_LOG_INFO },
    { ngx_string("notice"), NGX_LOG_NOTICE },
    { ngx_string("warn"), NGX_LOG_WARN },
    { ngx_string("error"), NGX_LOG_ERR },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_prov_commands[] = {

    { ngx_string("prov"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prov_loc_conf_t, enable),
      NULL },

    { ngx_string("prov_id"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE123,
      ngx_http_prov_id,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("prov_generic"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_prov_generic,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("prov_acl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_prov_acl,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("prov_profile"),
      NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_prov_profile,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("prov_uri_id"),
      NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_prov_uri_id,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("prov_ua_id"),
      NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_prov_ua_id,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("prov_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_prov_status,
      0,
      0,
      NULL },

    { ngx_string("prov_log_level"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_prov_loc_conf_t, log_level),
      &ngx_http_prov_log_levels },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_prov_module_ctx = {
    ngx_http_prov_preconfiguration,        /* preconfiguration */
    ngx_http_prov_init,                    /* postconfiguration */

    ngx_http_prov_create_main_conf,        /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_prov_create_loc_conf,         /* create location configuration */
    ngx_http_prov_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_http_prov_module = {
    NGX_MODULE_V1,
    &ngx_http_prov_module_ctx,             /* module context */
    ngx_http_prov_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_prov_lmdb_init_module,        /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_http_prov_handler(ngx_http_request_t *r)
{
    ngx_http_prov_ctx_t       *ctx;
    ngx_http_core_loc_conf_t  *clcf;
    ngx_http_prov_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prov_module);

    if (!plcf->enable) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_prov_evaluate(r, plcf->gate);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->enforced = 1;

    /* the User-Agent, on every request: it may change on a connection */

    if (ctx->result == NGX_HTTP_PROV_ALLOW && plcf->ua_id != NULL) {
        ctx->result = ngx_http_prov_check_ua(r, plcf->ua_id, ctx);

        if (ctx->result == NGX_HTTP_PROV_NONE) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    /*
     * the URI is checked here, each time the access phase runs: a rewrite
     * or a redirect may have changed it since a variable evaluated the gate;
     * ngx_http_prov_recheck_uri() checks it once more with the same
     * prov_uri_id, if try_files or prov_profile changed it in place
     */

    ctx->uri_id = plcf->uri_id;

    if (ctx->result == NGX_HTTP_PROV_ALLOW && plcf->uri_id != NULL) {
        ctx->result = ngx_http_prov_check_uri(r, plcf->uri_id, ctx);

        if (ctx->result == NGX_HTTP_PROV_NONE) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->checked_uri = r->uri;
    }

    if (ctx->result == NGX_HTTP_PROV_ALLOW) {
        return NGX_OK;
    }

    ctx->log_level = plcf->log_level;
    ctx->refused_at = r->uri_changes;
    ctx->granted = 0;
    ctx->pending = 1;

    /*
     * under "satisfy all" the refusal is the answer, unless error_page
     * serves a generic certificate its bootstrap profile; under "satisfy
     * any" another access module may grant the request: the log handler
     * decides these once the answer is known
     */

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->satisfy == NGX_HTTP_SATISFY_ALL
        && ctx->result != NGX_HTTP_PROV_GENERIC)
    {
        ngx_http_prov_log_refusal(r, ctx);
    }

    return NGX_HTTP_FORBIDDEN;
}


/*
 * the gate refused in this very location and the request got past the
 * access phase all the same: another access module granted it ("satisfy
 * any"); an error_page target is reached through an internal redirect,
 * which counts down r->uri_changes
 */

static ngx_int_t
ngx_http_prov_precontent_handler(ngx_http_request_t *r)
{
    ngx_int_t             rc;
    ngx_uint_t            granted;
    ngx_http_prov_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prov_module);

    granted = (r == r->main && ctx != NULL && ctx->pending
               && ctx->refused_at == r->uri_changes);

    rc = ngx_http_prov_profile_handler(r);

    /* prov_profile refuses what the gate refused: that is the answer */

    if (granted && rc != NGX_HTTP_FORBIDDEN) {
        ctx->granted = 1;
    }

    /* the URI as try_files or prov_profile left it, before any content */

    if (rc == NGX_DECLINED) {
        rc = ngx_http_prov_recheck_uri(r);
    }

    return rc;
}


static ngx_int_t
ngx_http_prov_log_handler(ngx_http_request_t *r)
{
    ngx_http_prov_ctx_t  *ctx;

    if (r != r->main) {
        return NGX_OK;
    }

    ctx = ngx_http_prov_get_ctx(r);

    if (ctx == NULL) {
        return NGX_OK;
    }

    if (ctx->pending) {
        ngx_http_prov_log_refusal(r, ctx);
    }

    /* once a request, its last outcome, whatever redirects it went through */

    if (ctx->enforced) {
        ngx_http_prov_status_count(r, ctx->result);
    }

    return NGX_OK;
}


/*
 * one line per refusal: at prov_log_level when the refusal is the
 * answer, "access forbidden" (what fail2ban filters match); at info
 * when the operator's configuration turned it into a success: another
 * access module granted the request under "satisfy any", or error_page
 * served a generic certificate (its bootstrap profile); any other
 * refusal that error_page turns into a success stays at prov_log_level
 */

static void
ngx_http_prov_log_refusal(ngx_http_request_t *r, ngx_http_prov_ctx_t *ctx)
{
    char        *action;
    ngx_log_t   *log;
    ngx_str_t   *name;
    ngx_uint_t   status;

    ctx->pending = 0;

    log = r->connection->log;
    name = ngx_http_prov_result_name(ctx->result);

    /* the answer so far, as $status has it */

    status = r->err_status ? r->err_status : r->headers_out.status;

    /* from the log phase: the line reads as the access phase's would */

    action = log->action;
    log->action = NULL;

    if (ctx->granted) {
        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "prov: certificate refused (%V), access granted by "
                      "another module (satisfy any): %V",
                      name, &ctx->reason);

    } else if (ctx->result == NGX_HTTP_PROV_GENERIC
               && status >= NGX_HTTP_OK
               && status < NGX_HTTP_BAD_REQUEST)
    {
        ngx_log_error(NGX_LOG_INFO, log, 0,
                      "prov: certificate refused (%V), answered %ui by "
                      "error_page: %V",
                      name, status, &ctx->reason);

    } else {
        ngx_log_error(ctx->log_level, log, 0,
                      "prov: access forbidden (%V): %V",
                      name, &ctx->reason);
    }

    log->action = action;
}


/*
 * try_files and prov_profile change the URI in place, after the access
 * phase: an allowed request is answered only if the URI it answers still
 * names no other device, under the prov_uri_id of the access phase that
 * allowed it (a location reached since without one, "prov off", serves
 * under it).  NGX_DECLINED: it may go on; NGX_HTTP_FORBIDDEN: refused.
 */

static ngx_int_t
ngx_http_prov_recheck_uri(ngx_http_request_t *r)
{
    ngx_uint_t                 result;
    ngx_http_prov_ctx_t       *ctx;
    ngx_http_prov_loc_conf_t  *plcf;

    if (r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_prov_get_ctx(r);

    if (ctx == NULL
        || !ctx->enforced
        || ctx->result != NGX_HTTP_PROV_ALLOW
        || ctx->uri_id == NULL
        || (r->uri.data == ctx->checked_uri.data
            && r->uri.len == ctx->checked_uri.len))
    {
        return NGX_DECLINED;
    }

    result = ngx_http_prov_check_uri(r, ctx->uri_id, ctx);

    if (result == NGX_HTTP_PROV_ALLOW) {
        ctx->checked_uri = r->uri;
        return NGX_DECLINED;
    }

    if (result == NGX_HTTP_PROV_NONE) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prov_module);

    /* an attack, logged now at prov_log_level */

    ctx->result = result;
    ctx->log_level = plcf->log_level;
    ctx->granted = 0;

    ngx_http_prov_log_refusal(r, ctx);

    return NGX_HTTP_FORBIDDEN;
}


/*
 * the last guard: whatever changed the URI in place after the precontent
 * phase's check, the response does not go out for another device
 */

static ngx_int_t
ngx_http_prov_header_filter(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_prov_recheck_uri(r);

    if (rc == NGX_DECLINED) {
        return ngx_http_next_header_filter(r);
    }

    if (rc == NGX_HTTP_INTERNAL_SERVER_ERROR) {
        return NGX_ERROR;
    }

    return ngx_http_filter_finalize_request(r, &ngx_http_prov_module, rc);
}


/*
 * the outcome for this request under the given gate; kept in the request,
 * and found again after internal redirects: locations that share the gate
 * share the outcome, an internal redirect does not check again.  Once the
 * access phase refused the request, the refusal stands under any gate
 * (an error_page target of other settings must not let it in); an
 * outcome only a variable asked for is the gate's that asked.
 */

ngx_http_prov_ctx_t *
ngx_http_prov_evaluate(ngx_http_request_t *r, ngx_http_prov_gate_t *gate)
{
    ngx_pool_cleanup_t   *cln;
    ngx_http_prov_ctx_t  *ctx;

    ctx = ngx_http_prov_get_ctx(r);

    if (ctx != NULL
        && (ctx->gate == gate
            || (ctx->enforced && ctx->result != NGX_HTTP_PROV_ALLOW)))
    {
        return ctx;
    }

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_prov_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        cln = ngx_pool_cleanup_add(r->pool, 0);
        if (cln == NULL) {
            return NULL;
        }

        cln->handler = ngx_http_prov_cleanup;
        cln->data = ctx;

        ctx->request = r;

        ngx_http_set_ctx(r, ctx, ngx_http_prov_module);

    } else {
        /* another gate decides now: the last one's refusal is logged */

        if (ctx->pending) {
            ngx_http_prov_log_refusal(r, ctx);
        }

        ngx_str_null(&ctx->id);
        ngx_str_null(&ctx->reason);
        ngx_str_null(&ctx->checked_uri);
        ctx->entry = NULL;
        ctx->rule = NULL;
        ctx->reused = 0;
    }

    ctx->gate = gate;
    ctx->result = ngx_http_prov_check_certificate(r, gate, ctx);

    if (ctx->result == NGX_HTTP_PROV_NONE) {
        return NULL;
    }

    return ctx;
}


ngx_http_prov_ctx_t *
ngx_http_prov_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t   *cln;
    ngx_http_prov_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prov_module);

    if (ctx != NULL) {
        return ctx;
    }

    /*
     * internal redirects, named locations and error pages clear module
     * contexts; the outcome must survive them, for the access log and
     * the redirect's target.  Subrequests share the pool: each has an
     * outcome of its own.
     */

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler != ngx_http_prov_cleanup) {
            continue;
        }

        ctx = cln->data;

        if (ctx->request == r) {
            ngx_http_set_ctx(r, ctx, ngx_http_prov_module);
            return ctx;
        }
    }

    return NULL;
}


static void
ngx_http_prov_cleanup(void *data)
{
    /* only a marker to find the context by */
}


ngx_str_t *
ngx_http_prov_result_name(ngx_uint_t result)
{
    return &ngx_http_prov_results[result];
}


/* NGX_HTTP_PROV_NONE on internal errors */

static ngx_uint_t
ngx_http_prov_check_certificate(ngx_http_request_t *r,
    ngx_http_prov_gate_t *gate, ngx_http_prov_ctx_t *ctx)
{
    X509                  *cert;
    long                   verify;
    ngx_uint_t             result;
    ngx_http_prov_conn_t  *conn;

    cert = ngx_http_prov_verified_certificate(r, &verify);

    if (cert == NULL) {
        return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_NO_CERT,
                                    "no client certificate");
    }

    conn = ngx_http_prov_conn(r->connection->ssl->connection);

    if (conn == NULL) {
        result = NGX_HTTP_PROV_NONE;

    } else {
        result = ngx_http_prov_check_identity(r, gate, cert, verify, conn,
                                              ctx);
    }

    if (result == NGX_HTTP_PROV_ALLOW && gate->acl != NULL) {
        result = ngx_http_prov_check_acl(r, gate, cert, conn, ctx);
    }

    X509_free(cert);

    return result;
}


/*
 * the certificate does not change during a TLS connection: its subject
 * is read once, and later requests and HTTP/2 streams under the same gate
 * and the same server's CAs (the chain, and so the rule, depends on them)
 * reuse what was found; whether it was verified is asked on every
 * request, the request's server may trust other CAs
 */

static ngx_uint_t
ngx_http_prov_check_identity(ngx_http_request_t *r, ngx_http_prov_gate_t *gate,
    X509 *cert, long verify, ngx_http_prov_conn_t *conn,
    ngx_http_prov_ctx_t *ctx)
{
    long                      foreign;
    ngx_uint_t                result;
    const char               *where;
    ngx_pool_t               *pool;
    ngx_ssl_conn_t           *ssl_conn;
    ngx_connection_t         *c;
    ngx_http_ssl_srv_conf_t  *sscf;

    ssl_conn = r->connection->ssl->connection;

    if (verify != X509_V_OK) {

        /* the handshake's result, or the one with this server's CAs */

        if (SSL_get_verify_result(ssl_conn) != X509_V_OK) {
            where = "";

        } else if (SSL_session_reused(ssl_conn)) {
            where = " with this server's CAs (resumed TLS session)";

        } else {
            where = " with this server's CAs (handshake of another server)";
        }

        /*
         * an error a genuine certificate may have (expired, revoked), met
         * by one of another CA: that CA's is the error to report, the log
         * line says an attack (examples/fail2ban bans the one, not the
         * other)
         */

        foreign = ngx_http_prov_verify_foreign(r, cert, verify);

        if (foreign != X509_V_OK) {
            return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_UNVERIFIED,
                                        "client certificate verify error "
                                        "%l \"%s\"%s, and %l \"%s\"",
                                        foreign,
                                        X509_verify_cert_error_string(foreign),
                                        where, verify,
                                        X509_verify_cert_error_string(verify));
        }

        return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_UNVERIFIED,
                                    "client certificate verify error "
                                    "%l \"%s\"%s", verify,
                                    X509_verify_cert_error_string(verify),
                                    where);
    }

    if (ngx_http_prov_conn_identity(r, conn, gate)) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "prov identity of the connection reused: %V",
                       ngx_http_prov_result_name(conn->result));

        ctx->reused = 1;
        ctx->id = conn->id;
        ctx->reason = conn->reason;
        ctx->rule = conn->rule;
        return conn->result;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "prov identity read from the certificate");

    result = ngx_http_prov_check_issuer(r, gate, cert, ctx);

    if (result == NGX_HTTP_PROV_ALLOW) {
        result = ngx_http_prov_check_generic(r, gate, cert, ctx);
    }

    if (result == NGX_HTTP_PROV_ALLOW) {
        result = ngx_http_prov_check_id(r, gate, cert, ctx);
    }

    if (result == NGX_HTTP_PROV_NONE || conn->gate != NULL) {
        /* one gate's identity per connection is kept: memory stays bounded */
        return result;
    }

    /* an empty string may have no data: memcpy() from NULL is undefined */

    c = ngx_ssl_get_connection(ssl_conn);
    pool = c->pool;

    if (ctx->id.len) {
        conn->id.data = ngx_pstrdup(pool, &ctx->id);
        if (conn->id.data == NULL) {
            return NGX_HTTP_PROV_NONE;
        }

        conn->id.len = ctx->id.len;
    }

    if (ctx->reason.len) {
        conn->reason.data = ngx_pstrdup(pool, &ctx->reason);
        if (conn->reason.data == NULL) {
            return NGX_HTTP_PROV_NONE;
        }

        conn->reason.len = ctx->reason.len;
    }

    sscf = ngx_http_get_module_srv_conf(r, ngx_http_ssl_module);

    conn->gate = gate;
    conn->identity_ctx = sscf->ssl.ctx;
    conn->rule = ctx->rule;
    conn->result = result;

    return result;
}


/* whether the connection's identity is this gate's, with these CAs */

static ngx_uint_t
ngx_http_prov_conn_identity(ngx_http_request_t *r,
    ngx_http_prov_conn_t *conn, ngx_http_prov_gate_t *gate)
{
    ngx_http_ssl_srv_conf_t  *sscf;

    if (conn->gate != gate) {
        return 0;
    }

    sscf = ngx_http_get_module_srv_conf(r, ngx_http_ssl_module);

    return conn->identity_ctx == sscf->ssl.ctx;
}


/*
 * the prov_id that reads the certificate, by the CAs of its verified
 * chain: none is a refusal, whatever the subject says
 */

static ngx_uint_t
ngx_http_prov_check_issuer(ngx_http_request_t *r, ngx_http_prov_gate_t *gate,
    X509 *cert, ngx_http_prov_ctx_t *ctx)
{
    u_char                   *escaped;
    ngx_str_t                 issuer;
    STACK_OF(X509)           *chain;
    ngx_http_prov_id_conf_t  *rules;

    rules = gate->ids->elts;

    /* the common case, one rule for every CA: no chain to look at */

    if (rules[0].issuers == NULL) {
        ctx->rule = &rules[0];
        return NGX_HTTP_PROV_ALLOW;
    }

    if (ngx_http_prov_verified_chain(r, cert, &chain) != NGX_OK) {
        return NGX_HTTP_PROV_NONE;
    }

    ctx->rule = ngx_http_prov_id_rule(gate->ids, chain);

    if (ctx->rule != NULL) {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "prov_id %V, issuer file \"%V\"",
                       &ctx->rule->name, &ctx->rule->issuer_file);

        return NGX_HTTP_PROV_ALLOW;
    }

    /* a CA's name: a trusted one's, but it may hold anything */

    if (ngx_ssl_get_issuer_dn(r->connection, r->pool, &issuer) != NGX_OK) {
        return NGX_HTTP_PROV_NONE;
    }

    escaped = ngx_http_prov_log_escape(r->pool, &issuer);
    if (escaped == NULL) {
        return NGX_HTTP_PROV_NONE;
    }

    return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_UNKNOWN_ISSUER,
                                "certificate issued by \"%s\" is read by "
                                "no prov_id", escaped);
}


static ngx_uint_t
ngx_http_prov_check_generic(ngx_http_request_t *r, ngx_http_prov_gate_t *gate,
    X509 *cert, ngx_http_prov_ctx_t *ctx)
{
    int                i, n;
    u_char            *escaped;
    ngx_int_t          rc;
    ngx_str_t          value, *generic, *attr;
    ngx_uint_t         k;
    X509_NAME         *name;
    X509_NAME_ENTRY   *entry;

    if (gate->generic == NULL) {
        return NGX_HTTP_PROV_ALLOW;
    }

    name = X509_get_subject_name(cert);
    if (name == NULL) {
        return NGX_HTTP_PROV_ALLOW;
    }

    generic = gate->generic->elts;
    n = X509_NAME_entry_count(name);

    for (i = 0; i < n; i++) {
        rc = ngx_http_prov_entry_value(r->pool, name, i, &value);

        if (rc == NGX_ERROR) {
            return NGX_HTTP_PROV_NONE;
        }

        if (rc != NGX_OK) {
            continue;
        }

        for (k = 0; k < gate->generic->nelts; k++) {
            if (value.len != generic[k].len
                || ngx_strncasecmp(value.data, generic[k].data, value.len)
                   != 0)
            {
                continue;
            }

            entry = X509_NAME_get_entry(name, i);

            attr = ngx_http_prov_attribute_name(r->pool,
                                          X509_NAME_ENTRY_get_object(entry));
            escaped = ngx_http_prov_log_escape(r->pool, &value);

            if (attr == NULL || escaped == NULL) {
                return NGX_HTTP_PROV_NONE;
            }

            return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_GENERIC,
                                        "generic certificate, %V \"%s\"",
                                        attr, escaped);
        }
    }

    return NGX_HTTP_PROV_ALLOW;
}


static ngx_uint_t
ngx_http_prov_check_id(ngx_http_request_t *r, ngx_http_prov_gate_t *gate,
    X509 *cert, ngx_http_prov_ctx_t *ctx)
{
    int                       index;
    u_char                   *escaped;
    ngx_int_t                 n, rc;
    ngx_str_t                 value;
    X509_NAME                *name;
    const char               *problem;
    ngx_http_prov_id_conf_t  *id;

    id = ctx->rule;

    name = X509_get_subject_name(cert);

    /* set on every path: clang's -Wconditional-uninitialized */

    n = 0;
    index = -1;

    if (name != NULL) {
        n = ngx_http_prov_attribute_count(name, id->object, &index);
    }

    if (n == 0) {
        return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_BAD_ID,
                                    "%V missing",
                                    &id->name);
    }

    if (n > 1) {
        return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_BAD_ID,
                                    "%V present %i times",
                                    &id->name, n);
    }

    rc = ngx_http_prov_entry_value(r->pool, name, index, &value);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_PROV_NONE;
    }

    if (rc != NGX_OK) {
        return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_BAD_ID,
                                    "%V is not a valid string",
                                    &id->name);
    }

    if (value.len == 0) {
        return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_BAD_ID,
                                    "%V is empty",
                                    &id->name);
    }

    if (ngx_http_prov_id_safe(&value) != NGX_OK) {
        problem = "contains a forbidden character";

    } else {
        rc = ngx_http_prov_id_extract(r, id, &value, &ctx->id);

        if (rc == NGX_OK) {
            return NGX_HTTP_PROV_ALLOW;
        }

        if (rc == NGX_ERROR) {
            return NGX_HTTP_PROV_NONE;
        }

        problem = (id->format == NGX_HTTP_PROV_ID_MAC)
                  ? "is not a MAC address" : "does not match the pattern";
    }

    ngx_str_null(&ctx->id);

    escaped = ngx_http_prov_log_escape(r->pool, &value);
    if (escaped == NULL) {
        return NGX_HTTP_PROV_NONE;
    }

    return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_BAD_ID,
                                "%V \"%s\" %s",
                                &id->name, escaped, problem);
}


static ngx_uint_t
ngx_http_prov_check_acl(ngx_http_request_t *r, ngx_http_prov_gate_t *gate,
    X509 *cert, ngx_http_prov_conn_t *conn, ngx_http_prov_ctx_t *ctx)
{
    u_char                *id, *hex;
    size_t                 txnid;
    ngx_str_t             *path;
    ngx_uint_t             result;
    ngx_http_prov_lmdb_t  *lmdb;
    u_char                 digest[NGX_HTTP_PROV_SHA256_LEN];

    lmdb = ngx_http_prov_acl_lmdb(gate->acl);
    txnid = 0;

    /*
     * the certificate does not change during a TLS connection: what the
     * gate's list allowed once, it allows on every later request and
     * stream; a refusal is looked up again.  An LMDB list changes while
     * nginx runs: its allow holds only while nothing was committed to it
     * since (a commit moves its transaction id).
     */

    if (ctx->reused && conn->acl_allowed
        && (lmdb == NULL
            || ngx_http_prov_lmdb_unchanged(lmdb, r->connection->log,
                                            conn->acl_txnid)
               == NGX_OK))
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "prov access list outcome of the connection reused");

        ctx->entry = conn->acl_entry;
        return NGX_HTTP_PROV_ALLOW;
    }

    if (lmdb != NULL) {
        if (ctx->reused) {
            conn->acl_allowed = 0;
        }

        /* its errors are logged there */

        result = ngx_http_prov_lmdb_verdict(lmdb, r, &ctx->id, cert,
                                            &ctx->entry, digest, &txnid);

        if (result == NGX_HTTP_PROV_NONE) {
            return NGX_HTTP_PROV_NONE;
        }

    } else {
        result = ngx_http_prov_acl_verdict(gate->acl, &ctx->id, cert,
                                           &ctx->entry, digest);
    }

    if (result == NGX_HTTP_PROV_NOT_LISTED && gate->acl_default_allow) {
        result = NGX_HTTP_PROV_ALLOW;
    }

    if (result == NGX_HTTP_PROV_ALLOW) {
        if (ngx_http_prov_conn_identity(r, conn, gate)
            && (lmdb == NULL || ngx_http_prov_lmdb_reusable(ctx->entry)))
        {
            conn->acl_allowed = 1;
            conn->acl_entry = ctx->entry;
            conn->acl_txnid = txnid;
        }

        return NGX_HTTP_PROV_ALLOW;
    }

    if (result == NGX_HTTP_PROV_NONE) {
        ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "X509_digest() failed");
        return NGX_HTTP_PROV_NONE;
    }

    /* an id that is no MAC address may hold quotes, bidi overrides, ... */

    id = ngx_http_prov_log_escape(r->pool, &ctx->id);
    if (id == NULL) {
        return NGX_HTTP_PROV_NONE;
    }

    path = &ngx_http_prov_acl_info(gate->acl)->path;

    if (result == NGX_HTTP_PROV_NOT_LISTED) {
        return ngx_http_prov_refuse(r, ctx, result,
                                    "device \"%s\" not in \"%V\"", id, path);
    }

    if (result == NGX_HTTP_PROV_DENIED) {
        return ngx_http_prov_refuse(r, ctx, result,
                                    "device \"%s\" denied by \"%V\"", id,
                                    path);
    }

    /* a pinned device that presented another certificate */

    hex = ngx_pnalloc(r->pool, NGX_HTTP_PROV_PIN_PRINT_LEN + 1);
    if (hex == NULL) {
        return NGX_HTTP_PROV_NONE;
    }

    *ngx_http_prov_acl_pin_print(hex, digest, 1) = '\0';

    return ngx_http_prov_refuse(r, ctx, result,
                                "device \"%s\" presented sha256 %s, not the "
                                "certificate pinned in \"%V\"",
                                id, hex, path);
}


/*
 * every User-Agent line of the request (a second one must not hide a
 * device the first does not name) names the certificate's device, if
 * any; under "required" at least one names it.  No phone sends more than
 * a few hundred bytes: more is refused before any regex runs, which may
 * cost the square of its subject's length.
 */

static ngx_uint_t
ngx_http_prov_check_ua(ngx_http_request_t *r, ngx_http_prov_ua_id_t *ua_id,
    ngx_http_prov_ctx_t *ctx)
{
    u_char                *escaped, *id;
    size_t                 total;
    ngx_int_t              rc;
    ngx_str_t              named;
    ngx_uint_t             i, found, other;
    const char            *problem;
    ngx_list_part_t       *part;
    ngx_table_elt_t       *h, *line;
    ngx_http_prov_conn_t  *conn;

    /* NULL (no memory): nothing is kept, the line is searched */

    conn = ngx_http_prov_conn(r->connection->ssl->connection);

    if (ngx_http_prov_ua_kept(r, ua_id, ctx, conn, &line)) {
        return NGX_HTTP_PROV_ALLOW;
    }

    found = 0;
    other = 0;
    total = 0;
    problem = NULL;
    ngx_str_null(&named);

    part = &r->headers_in.headers.part;
    i = 0;

    while ((h = ngx_http_prov_ua_next(&part, &i)) != NULL) {

        total += h->value.len;

        if (total > NGX_HTTP_PROV_UA_MAX) {
            problem = "sent more than " NGX_HTTP_PROV_UA_MAX_STR
                      " bytes of User-Agent";
            break;
        }

        rc = ngx_http_prov_ua_id_check(r, &ua_id->regex, ctx->rule,
                                       &ctx->id, &h->value, &named);

        if (rc == NGX_ERROR) {
            return NGX_HTTP_PROV_NONE;
        }

        if (rc == NGX_ABORT) {
            problem = "sent a User-Agent the regex failed on";
            break;
        }

        if (rc == NGX_DECLINED) {
            other = 1;
            break;
        }

        if (rc == NGX_OK) {
            found = 1;
        }
    }

    if (problem == NULL && !other && (found || !ua_id->required)) {

        if (line != NULL && conn != NULL) {
            ngx_http_prov_ua_keep(r, ua_id, ctx, conn, line);
        }

        return NGX_HTTP_PROV_ALLOW;
    }

    id = ngx_http_prov_log_escape(r->pool, &ctx->id);
    if (id == NULL) {
        return NGX_HTTP_PROV_NONE;
    }

    if (problem != NULL) {
        return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_UA_MISMATCH,
                                    "device \"%s\" %s", id, problem);
    }

    if (!other) {
        return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_UA_MISMATCH,
                                    "device \"%s\" is named by no "
                                    "User-Agent", id);
    }

    escaped = ngx_http_prov_log_escape(r->pool, &named);
    if (escaped == NULL) {
        return NGX_HTTP_PROV_NONE;
    }

    return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_UA_MISMATCH,
                                "device \"%s\" announced \"%s\" in its "
                                "User-Agent", id, escaped);
}


/*
 * a phone sends the same User-Agent on every request of a connection:
 * the one line this connection's last search allowed, under the same
 * prov_ua_id and rule (so the same id), is allowed again without a regex;
 * "line" is the request's User-Agent line when it has exactly one
 */

static ngx_uint_t
ngx_http_prov_ua_kept(ngx_http_request_t *r, ngx_http_prov_ua_id_t *ua_id,
    ngx_http_prov_ctx_t *ctx, ngx_http_prov_conn_t *conn,
    ngx_table_elt_t **line)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;

    part = &r->headers_in.headers.part;
    i = 0;

    *line = ngx_http_prov_ua_next(&part, &i);

    if (*line == NULL) {
        return 0;
    }

    if (ngx_http_prov_ua_next(&part, &i) != NULL) {
        *line = NULL;
        return 0;
    }

    return conn != NULL
           && conn->ua_id == ua_id
           && conn->ua_rule == ctx->rule
           && conn->ua_len == (*line)->value.len
           && ngx_memcmp(conn->ua, (*line)->value.data, conn->ua_len) == 0;
}


static void
ngx_http_prov_ua_keep(ngx_http_request_t *r, ngx_http_prov_ua_id_t *ua_id,
    ngx_http_prov_ctx_t *ctx, ngx_http_prov_conn_t *conn,
    ngx_table_elt_t *line)
{
    ngx_connection_t  *c;

    /* one buffer per connection, whatever it sees: memory stays bounded */

    if (line->value.len > NGX_HTTP_PROV_UA_KEEP) {
        conn->ua_id = NULL;
        return;
    }

    if (conn->ua == NULL) {
        c = ngx_ssl_get_connection(r->connection->ssl->connection);

        conn->ua = ngx_pnalloc(c->pool, NGX_HTTP_PROV_UA_KEEP);
        if (conn->ua == NULL) {
            return;
        }
    }

    ngx_memcpy(conn->ua, line->value.data, line->value.len);
    conn->ua_len = line->value.len;
    conn->ua_id = ua_id;
    conn->ua_rule = ctx->rule;
}


/* the next User-Agent line of the request after (*part, *i), or NULL */

static ngx_table_elt_t *
ngx_http_prov_ua_next(ngx_list_part_t **part, ngx_uint_t *i)
{
    ngx_table_elt_t  *h;

    for ( ;; ) {

        if (*i >= (*part)->nelts) {
            if ((*part)->next == NULL) {
                return NULL;
            }

            *part = (*part)->next;
            *i = 0;
            continue;
        }

        h = (*part)->elts;

        if (ngx_http_prov_is_user_agent(&h[(*i)++])) {
            return &h[*i - 1];
        }
    }
}


/*
 * "User-Agent" in any case, and "User_Agent": under underscores_in_headers
 * nginx hands both to FastCGI, uwsgi and SCGI as HTTP_USER_AGENT
 */

static ngx_uint_t
ngx_http_prov_is_user_agent(ngx_table_elt_t *h)
{
    u_char      ch;
    ngx_uint_t  i;

    static u_char  name[] = "user-agent";

    if (h->hash == 0 || h->key.len != sizeof(name) - 1) {
        return 0;
    }

    for (i = 0; i < h->key.len; i++) {
        ch = ngx_tolower(h->key.data[i]);

        if (ch == '_') {
            ch = '-';
        }

        if (ch != name[i]) {
            return 0;
        }
    }

    return 1;
}


static ngx_uint_t
ngx_http_prov_check_uri(ngx_http_request_t *r, ngx_http_prov_regex_t *uri_id,
    ngx_http_prov_ctx_t *ctx)
{
    u_char     *escaped, *id;
    ngx_int_t   rc;
    ngx_str_t   named;

    ngx_str_null(&named);

    rc = ngx_http_prov_uri_id_check(r, uri_id, ctx->rule, &ctx->id,
                                    &named);

    if (rc == NGX_OK) {
        return NGX_HTTP_PROV_ALLOW;
    }

    if (rc == NGX_ERROR) {
        return NGX_HTTP_PROV_NONE;
    }

    escaped = ngx_http_prov_log_escape(r->pool, &named);
    id = ngx_http_prov_log_escape(r->pool, &ctx->id);

    if (escaped == NULL || id == NULL) {
        return NGX_HTTP_PROV_NONE;
    }

    return ngx_http_prov_refuse(r, ctx, NGX_HTTP_PROV_URI_MISMATCH,
                                "device \"%s\" asked for the profile of "
                                "\"%s\"", id, escaped);
}


/*
 * records why the request is refused, for the handler's log line; the
 * certificate, if any, is named by its serial number, as $ssl_client_serial
 */

static ngx_uint_t
ngx_http_prov_refuse(ngx_http_request_t *r, ngx_http_prov_ctx_t *ctx,
    ngx_uint_t result, const char *fmt, ...)
{
    u_char     *p;
    va_list     args;
    ngx_str_t   serial;
    u_char      buf[NGX_MAX_ERROR_STR];

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + sizeof(buf), fmt, args);
    va_end(args);

    if (r->connection->ssl != NULL) {
        if (ngx_ssl_get_serial_number(r->connection, r->pool, &serial)
            != NGX_OK)
        {
            return NGX_HTTP_PROV_NONE;
        }

        if (serial.len) {
            p = ngx_slprintf(p, buf + sizeof(buf), ", serial %V", &serial);
        }
    }

    ctx->reason.len = p - buf;
    ctx->reason.data = ngx_pnalloc(r->pool, ctx->reason.len);

    if (ctx->reason.data == NULL) {
        return NGX_HTTP_PROV_NONE;
    }

    ngx_memcpy(ctx->reason.data, buf, ctx->reason.len);

    return result;
}


static void *
ngx_http_prov_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_prov_main_conf_t  *pmcf;

    pmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_main_conf_t));
    if (pmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&pmcf->acls, cf->pool, 2,
                       sizeof(ngx_http_prov_acl_t *))
        != NGX_OK
        || ngx_array_init(&pmcf->gates, cf->pool, 4,
                          sizeof(ngx_http_prov_gate_t *))
           != NGX_OK
        || ngx_array_init(&pmcf->lmdbs, cf->pool, 1,
                          sizeof(ngx_http_prov_lmdb_t *))
           != NGX_OK)
    {
        return NULL;
    }

    return pmcf;
}


static void *
ngx_http_prov_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_prov_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->enable = NGX_CONF_UNSET;
    conf->ids = NGX_CONF_UNSET_PTR;
    conf->generic = NGX_CONF_UNSET_PTR;
    conf->log_level = NGX_CONF_UNSET_UINT;
    conf->acl_path = NGX_CONF_UNSET_PTR;
    conf->acl_default_allow = NGX_CONF_UNSET;
    conf->profiles = NGX_CONF_UNSET_PTR;
    conf->uri_id = NGX_CONF_UNSET_PTR;
    conf->ua_id = NGX_CONF_UNSET_PTR;

    /*
     * set by ngx_pcalloc():
     *
     *     conf->gate = NULL;
     */

    return conf;
}


static char *
ngx_http_prov_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_prov_loc_conf_t  *prev = parent;
    ngx_http_prov_loc_conf_t  *conf = child;

    ngx_http_core_loc_conf_t  *clcf;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_ptr_value(conf->ids, prev->ids, NULL);
    ngx_conf_merge_ptr_value(conf->generic, prev->generic, NULL);
    ngx_conf_merge_uint_value(conf->log_level, prev->log_level, NGX_LOG_ERR);

    if (conf->acl_path == NGX_CONF_UNSET_PTR) {
        conf->acl_path = prev->acl_path;
        conf->acl_default_allow = prev->acl_default_allow;
        conf->acl_file = prev->acl_file;
        conf->acl_line = prev->acl_line;
    }

    if (conf->acl_path == NGX_CONF_UNSET_PTR) {
        conf->acl_path = NULL;
    }

    ngx_conf_merge_value(conf->acl_default_allow, prev->acl_default_allow, 0);

    /*
     * prov_profile, prov_uri_id and prov_ua_id are part of the gate: set
     * here, they need "prov on"; inherited by a location where the gate is
     * off (a status page, a bootstrap route), they do not apply there
     */

    if (!conf->enable
        && ((conf->profiles != NGX_CONF_UNSET_PTR && conf->profiles != NULL)
            || (conf->uri_id != NGX_CONF_UNSET_PTR && conf->uri_id != NULL)
            || (conf->ua_id != NGX_CONF_UNSET_PTR && conf->ua_id != NULL)))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"prov_profile\", \"prov_uri_id\" and "
                           "\"prov_ua_id\" require \"prov on\"");
        return NGX_CONF_ERROR;
    }

    if (conf->profiles == NGX_CONF_UNSET_PTR) {
        conf->profiles = conf->enable ? prev->profiles : NULL;
        conf->profile_code = prev->profile_code;
        conf->profile_file = prev->profile_file;
        conf->profile_line = prev->profile_line;
    }

    if (conf->profiles == NGX_CONF_UNSET_PTR) {
        conf->profiles = NULL;
    }

    /*
     * candidates are tested as files under "root"; under "alias" every
     * device would get 500: a mistake nginx -t should name.  The merge
     * runs at the end of "http", so the message says where each is.
     */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (conf->profiles != NULL
        && clcf->alias
        && (conf->profiles->nelts > 1 || conf->profile_code))
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"prov_profile\" (%V:%ui) tests files under "
                      "\"root\", but location \"%V\" has \"alias\": "
                      "use \"root\" there, or \"prov_profile off;\"",
                      &conf->profile_file, conf->profile_line, &clcf->name);
        return NGX_CONF_ERROR;
    }

    /*
     * inherited through a location with the gate off, where the access
     * handler never reads them, so that a location inside it that turns
     * the gate on again checks what the server says
     */

    ngx_conf_merge_ptr_value(conf->uri_id, prev->uri_id, NULL);
    ngx_conf_merge_ptr_value(conf->ua_id, prev->ua_id, NULL);

    if (conf->enable && conf->ids == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"prov\" requires \"prov_id\"");
        return NGX_CONF_ERROR;
    }

    if (conf->ids != NULL) {
        conf->gate = ngx_http_prov_merge_gate(cf, conf);
        if (conf->gate == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/*
 * the gate of the merged settings: one per set of settings, so that the
 * locations that share them share their outcome (a pointer comparison)
 */

static ngx_http_prov_gate_t *
ngx_http_prov_merge_gate(ngx_conf_t *cf, ngx_http_prov_loc_conf_t *conf)
{
    ngx_flag_t                  default_allow;
    ngx_uint_t                  i;
    ngx_conf_file_t            *conf_file, directive;
    ngx_http_prov_acl_t        *acl;
    ngx_http_prov_gate_t       *gate, **gates;
    ngx_http_prov_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prov_module);

    /* ids in the list are read as this level's prov_id reads them */

    acl = NULL;
    default_allow = 0;

    if (conf->acl_path != NULL) {

        /*
         * the merge runs at the end of "http": what goes wrong with the
         * list is reported at the prov_acl directive, in its own file
         */

        conf_file = cf->conf_file;

        if (conf_file != NULL && conf->acl_file.len) {
            directive = *conf_file;
            directive.file.name = conf->acl_file;
            directive.line = conf->acl_line;

            cf->conf_file = &directive;
        }

        if (ngx_http_prov_ids_check(cf, conf->ids) == NGX_CONF_OK) {
            acl = ngx_http_prov_acl_load(cf, conf->acl_path,
                                         ngx_http_prov_ids_mac(conf->ids));
        }

        cf->conf_file = conf_file;

        if (acl == NULL) {
            return NULL;
        }

        default_allow = conf->acl_default_allow;
    }

    gates = pmcf->gates.elts;

    for (i = 0; i < pmcf->gates.nelts; i++) {
        gate = gates[i];

        if (gate->ids == conf->ids
            && gate->generic == conf->generic
            && gate->acl == acl
            && gate->acl_default_allow == default_allow)
        {
            return gate;
        }
    }

    gate = ngx_palloc(cf->pool, sizeof(ngx_http_prov_gate_t));
    if (gate == NULL) {
        return NULL;
    }

    gate->ids = conf->ids;
    gate->generic = conf->generic;
    gate->acl = acl;
    gate->acl_default_allow = default_allow;

    gates = ngx_array_push(&pmcf->gates);
    if (gates == NULL) {
        return NULL;
    }

    *gates = gate;

    return gate;
}


static char *
ngx_http_prov_generic(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prov_loc_conf_t *plcf = conf;

    ngx_str_t   *value, *generic;
    ngx_uint_t   i;

    if (plcf->generic == NGX_CONF_UNSET_PTR) {
        plcf->generic = ngx_array_create(cf->pool, 2, sizeof(ngx_str_t));
        if (plcf->generic == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (value[i].len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "empty value in \"%V\" directive",
                               &cmd->name);
            return NGX_CONF_ERROR;
        }

        generic = ngx_array_push(plcf->generic);
        if (generic == NULL) {
            return NGX_CONF_ERROR;
        }

        *generic = value[i];
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_prov_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_prov_add_variables(cf);
}


static ngx_int_t
ngx_http_prov_init(ngx_conf_t *cf)
{
    ngx_uint_t                  n;
    ngx_http_handler_pt        *h, *handlers;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_prov_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PRECONTENT_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    /*
     * first in the array, so that the phase engine runs it last of the
     * phase: after try_files has changed the URI in place
     */

    handlers = cmcf->phases[NGX_HTTP_PRECONTENT_PHASE].handlers.elts;
    n = cmcf->phases[NGX_HTTP_PRECONTENT_PHASE].handlers.nelts;

    ngx_memmove(&handlers[1], &handlers[0],
                (n - 1) * sizeof(ngx_http_handler_pt));

    handlers[0] = ngx_http_prov_precontent_handler;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_prov_log_handler;

    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_prov_header_filter;

    if (ngx_http_prov_ssl_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_prov_status_add_zone(cf);
}
