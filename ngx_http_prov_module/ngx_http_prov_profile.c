
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


static ngx_int_t ngx_http_prov_profile_exists(ngx_http_request_t *r,
    ngx_str_t *uri, ngx_http_prov_file_t *file);
static ngx_int_t ngx_http_prov_profile_send(ngx_http_request_t *r);


/*
 * "prov_profile uri ... [=code | fallback];" runs after the gate and works
 * as try_files does: the first candidate that exists under the location's
 * root is served by this location in place, without running the phases
 * again; a named location or the fallback is reached by an internal
 * redirect, so that it may be an "internal" location or a renderer.
 *
 * Where the static module would send the file (no content handler in the
 * location), the existence test opens it and the module sends it with
 * that descriptor: the static module would open it once more, one system
 * call per request that try_files costs too.
 */

ngx_int_t
ngx_http_prov_profile_handler(ngx_http_request_t *r)
{
    u_char                    *escaped, *id;
    ngx_str_t                  uri;
    ngx_uint_t                 i, n;
    ngx_http_prov_ctx_t       *ctx;
    ngx_http_prov_file_t      *file;
    ngx_http_prov_profile_t   *profile;
    ngx_http_prov_loc_conf_t  *plcf;

    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prov_module);

    if (plcf->profiles == NULL || r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_prov_get_ctx(r);

    /* what was picked is served; an error_page target does not pick again */

    if (ctx != NULL && ctx->picked) {
        return NGX_DECLINED;
    }

    /*
     * whatever else granted access ("satisfy any"), a profile goes only
     * to a device the gate allowed
     */

    if (ctx == NULL || ctx->result != NGX_HTTP_PROV_ALLOW) {
        return NGX_HTTP_FORBIDDEN;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (r->content_handler == NULL) {
        file = &ctx->file;
        file->fd = NGX_INVALID_FILE;

    } else {
        file = NULL;                   /* proxy_pass and the like serve it */
    }

    profile = plcf->profiles->elts;
    n = plcf->profiles->nelts;

    for (i = 0; i < n; i++) {

        if (ngx_http_complex_value(r, &profile[i].value, &uri) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (profile[i].value.lengths != NULL
            && ngx_http_prov_profile_safe(&uri, profile[i].slashes) != NGX_OK)
        {
            escaped = ngx_http_prov_log_escape(r->pool, &uri);
            id = ngx_http_prov_log_escape(r->pool, &ctx->id);

            if (escaped == NULL || id == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "prov: unsafe profile uri \"%s\" skipped for "
                          "device \"%s\"", escaped, id);
            continue;
        }

        if (i == n - 1 && plcf->profile_code == 0) {
            break;                             /* the fallback: no test */
        }

        switch (ngx_http_prov_profile_exists(r, &uri, file)) {

        case NGX_OK:

            if (uri.data[0] == '@') {
                goto redirect;
            }

            ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "prov profile of \"%V\": \"%V\" in place",
                           &ctx->id, &uri);

            ctx->picked = 1;

            r->uri = uri;
            ngx_http_set_exten(r);

            /*
             * as after "rewrite ... break": a proxy_pass here sends the
             * candidate (not what the device asked for), escaped and
             * whole; with valid_location it would put its uri part in
             * place of as many bytes as the location's prefix has, more
             * than the candidate may have (the worker crashed)
             */
            r->internal = 1;
            r->valid_location = 0;
            r->valid_unparsed_uri = 0;

            if (file != NULL && file->fd != NGX_INVALID_FILE) {
                r->content_handler = ngx_http_prov_profile_send;
            }

            return NGX_DECLINED;

        case NGX_DECLINED:
            continue;

        default:
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (i == n) {
        return plcf->profile_code ? plcf->profile_code : NGX_HTTP_NOT_FOUND;
    }

redirect:

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "prov profile of \"%V\": redirect to \"%V\"",
                   &ctx->id, &uri);

    ctx->picked = 1;

    if (uri.len && uri.data[0] == '@') {
        (void) ngx_http_named_location(r, &uri);

    } else {
        /* the arguments stay, as with a candidate served in place */
        (void) ngx_http_internal_redirect(r, &uri, &r->args);
    }

    ngx_http_finalize_request(r, NGX_DONE);

    return NGX_DONE;
}


/*
 * what variables put into a candidate must not add a path segment or
 * leave the folder: no "/" beyond the template's own, no "." or ".."
 * segment, nothing a later decoder or log could read otherwise
 */

ngx_int_t
ngx_http_prov_profile_safe(ngx_str_t *uri, ngx_uint_t slashes)
{
    u_char      *p, *last, *segment;
    size_t       len;
    ngx_uint_t   n;

    /*
     * a byte's class, one look-up a byte: 0 plain, 1 "/" (ends a segment),
     * 2 refused (control characters, "%", "?", "#", "\")
     */

    static u_char  byte_class[] = {
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0x00 */
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  /* 0x10 */
        0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,  /* 0x20  #  %  / */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,  /* 0x30  ? */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,  /* 0x50  \ */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,  /* 0x70  DEL */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    if (uri->len == 0 || (uri->data[0] != '/' && uri->data[0] != '@')) {
        return NGX_DECLINED;
    }

    n = 0;
    last = uri->data + uri->len;
    segment = uri->data;

    for (p = uri->data; /* void */ ; p++) {

        while (p < last && byte_class[*p] == 0) {
            p++;
        }

        if (p < last && byte_class[*p] == 2) {
            return NGX_DECLINED;
        }

        /* an empty variable must not make "dir//file" into "dir/file" */

        len = p - segment;

        if ((len == 0 && p != uri->data)
            || (len == 1 && segment[0] == '.')
            || (len == 2 && segment[0] == '.' && segment[1] == '.'))
        {
            return NGX_DECLINED;
        }

        if (p == last) {
            break;
        }

        n++;
        segment = p + 1;
    }

    return (n == slashes) ? NGX_OK : NGX_DECLINED;
}


/*
 * NGX_OK when the candidate is a regular file under the location's root;
 * with "file", it is also opened and "file" describes it, unless it could
 * not be opened (then the static module answers, as it would have)
 */

static ngx_int_t
ngx_http_prov_profile_exists(ngx_http_request_t *r, ngx_str_t *uri,
    ngx_http_prov_file_t *file)
{
    u_char                    *p;
    size_t                     root;
    ngx_str_t                  path;
    ngx_open_file_info_t       of;
    ngx_http_core_loc_conf_t  *clcf;

    if (uri->data[0] == '@') {
        return NGX_OK;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    /* the root part of the path, as the static module would build it */

    if (ngx_http_map_uri_to_path(r, &path, &root, uri->len + 1) == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(path.data + root, uri->data, uri->len);
    *p = '\0';
    path.len = p - path.data;

    ngx_memzero(&of, sizeof(ngx_open_file_info_t));

    of.read_ahead = clcf->read_ahead;
    of.directio = clcf->directio;
    of.valid = clcf->open_file_cache_valid;
    of.min_uses = clcf->open_file_cache_min_uses;
    of.test_only = (file == NULL);
    of.errors = clcf->open_file_cache_errors;
    of.events = clcf->open_file_cache_events;

    if (ngx_http_set_disable_symlinks(r, clcf, &path, &of) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_open_cached_file(clcf->open_file_cache, &path, &of, r->pool)
        != NGX_OK)
    {
        if (of.err == 0) {
            return NGX_ERROR;
        }

        if (of.err != NGX_ENOENT
            && of.err != NGX_ENOTDIR
            && of.err != NGX_ENAMETOOLONG)
        {
            if (file != NULL) {
                /*
                 * an unreadable file exists all the same: the test alone
                 * says so, and the static module then refuses it
                 */
                return ngx_http_prov_profile_exists(r, uri, NULL);
            }

            ngx_log_error(NGX_LOG_CRIT, r->connection->log, of.err,
                          "%s \"%s\" failed", of.failed, path.data);
        }

        return NGX_DECLINED;
    }

    if (!of.is_file) {
        return NGX_DECLINED;
    }

    if (file != NULL) {
        file->path = path;
        file->fd = of.fd;
        file->size = of.size;
        file->mtime = of.mtime;
        file->directio = of.is_directio;
    }

    return NGX_OK;
}


/*
 * the picked profile, opened by the test, sent as the static module sends
 * a file: the same headers, and the filters give ranges, conditional
 * requests and HEAD
 */

static ngx_int_t
ngx_http_prov_profile_send(ngx_http_request_t *r)
{
    ngx_int_t              rc;
    ngx_buf_t             *b;
    ngx_chain_t            out;
    ngx_http_prov_ctx_t   *ctx;
    ngx_http_prov_file_t  *file;

    ctx = ngx_http_get_module_ctx(r, ngx_http_prov_module);

    if (ctx == NULL || ctx->file.fd == NGX_INVALID_FILE) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    file = &ctx->file;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "prov profile: sending \"%V\"", &file->path);

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    r->connection->log->action = "sending response to client";

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = file->size;
    r->headers_out.last_modified_time = file->mtime;

    if (ngx_http_set_etag(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_set_content_type(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->allow_ranges = 1;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->file = ngx_pcalloc(r->pool, sizeof(ngx_file_t));
    if (b->file == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b->file_pos = 0;
    b->file_last = file->size;

    b->in_file = b->file_last ? 1 : 0;
    b->last_buf = 1;
    b->last_in_chain = 1;

    b->file->fd = file->fd;
    b->file->name = file->path;
    b->file->log = r->connection->log;
    b->file->directio = file->directio;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* "prov_profile" */

char *
ngx_http_prov_profile(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prov_loc_conf_t *plcf = conf;

    u_char                            *p;
    ngx_int_t                          code;
    ngx_str_t                         *value;
    ngx_uint_t                         i, last;
    ngx_http_prov_profile_t           *profile;
    ngx_http_compile_complex_value_t   ccv;

    if (plcf->profiles != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    last = cf->args->nelts - 1;

    /* "off" cancels a prov_profile inherited from the server */

    if (last == 1 && ngx_strcmp(value[1].data, "off") == 0) {
        plcf->profiles = NULL;
        return NGX_CONF_OK;
    }

    plcf->profile_code = 0;
    /* the name itself: an included file's ngx_conf_file_t is gone */

    if (cf->conf_file != NULL) {
        plcf->profile_file = cf->conf_file->file.name;
        plcf->profile_line = cf->conf_file->line;
    }

    if (value[last].len > 1 && value[last].data[0] == '=') {
        code = ngx_atoi(value[last].data + 1, value[last].len - 1);

        if (code == NGX_ERROR || code < 100 || code > 999) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid code \"%V\"", &value[last]);
            return NGX_CONF_ERROR;
        }

        plcf->profile_code = code;
        last--;
    }

    if (last == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"prov_profile\" needs a uri");
        return NGX_CONF_ERROR;
    }

    plcf->profiles = ngx_array_create(cf->pool, last,
                                      sizeof(ngx_http_prov_profile_t));
    if (plcf->profiles == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i <= last; i++) {

        /* a literal "/" first: the folder variables cannot change */

        if (value[i].len == 0
            || (value[i].data[0] != '/'
                && !(i == last && plcf->profile_code == 0
                     && value[i].data[0] == '@')))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "profile uri \"%V\" must start with \"/\"",
                               &value[i]);
            return NGX_CONF_ERROR;
        }

        profile = ngx_array_push(plcf->profiles);
        if (profile == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(profile, sizeof(ngx_http_prov_profile_t));

        for (p = value[i].data; p < value[i].data + value[i].len; p++) {
            if (*p == '/') {
                profile->slashes++;
            }
        }

        ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

        ccv.cf = cf;
        ccv.value = &value[i];
        ccv.complex_value = &profile->value;

        if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}
