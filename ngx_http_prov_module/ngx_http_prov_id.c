
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


#if (NGX_PCRE)
static char *ngx_http_prov_id_regex(ngx_conf_t *cf,
    ngx_http_prov_id_conf_t *id, ngx_str_t *pattern);
#endif


char *
ngx_http_prov_id_compile(ngx_conf_t *cf, ngx_http_prov_id_conf_t *id,
    ngx_str_t *format)
{
    if (format == NULL) {
        id->format = NGX_HTTP_PROV_ID_VALUE;
        return NGX_CONF_OK;
    }

    if (format->len == 3 && ngx_strncmp(format->data, "mac", 3) == 0) {
        id->format = NGX_HTTP_PROV_ID_MAC;
        return NGX_CONF_OK;
    }

#if (NGX_PCRE)
    return ngx_http_prov_id_regex(cf, id, format);
#else
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "using regex \"%V\" requires PCRE library", format);
    return NGX_CONF_ERROR;
#endif
}


#if (NGX_PCRE)

static char *
ngx_http_prov_id_regex(ngx_conf_t *cf, ngx_http_prov_id_conf_t *id,
    ngx_str_t *pattern)
{
    u_char               *p;
    ngx_regex_compile_t   rc;
    u_char                errstr[NGX_MAX_CONF_ERRSTR];

    if (pattern->len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "empty regex in \"prov_id\"");
        return NGX_CONF_ERROR;
    }

    /* the pattern must match the whole value, not a part of it */

    ngx_memzero(&rc, sizeof(ngx_regex_compile_t));

    rc.pattern.len = sizeof("^(?:)\\z") - 1 + pattern->len;
    rc.pattern.data = ngx_pnalloc(cf->pool, rc.pattern.len);
    if (rc.pattern.data == NULL) {
        return NGX_CONF_ERROR;
    }

    p = ngx_cpymem(rc.pattern.data, "^(?:", sizeof("^(?:") - 1);
    p = ngx_cpymem(p, pattern->data, pattern->len);
    ngx_memcpy(p, ")\\z", sizeof(")\\z") - 1);

    rc.pool = cf->pool;
    rc.err.len = NGX_MAX_CONF_ERRSTR;
    rc.err.data = errstr;

    if (ngx_regex_compile(&rc) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%V in \"%V\"",
                           &rc.err, pattern);
        return NGX_CONF_ERROR;
    }

    if (rc.captures == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "regex \"%V\" has no capture for the id", pattern);
        return NGX_CONF_ERROR;
    }

    id->format = NGX_HTTP_PROV_ID_REGEX;
    ngx_http_prov_regex_set(&id->regex, &rc);

    return NGX_CONF_OK;
}


/* a compiled regex whose id is the capture named "id", else the first */

void
ngx_http_prov_regex_set(ngx_http_prov_regex_t *re, ngx_regex_compile_t *rc)
{
    u_char     *name;
    ngx_int_t   i;

    re->regex = rc->regex;
    re->ncaptures = (rc->captures + 1) * 3;
    re->capture = 1;

    name = rc->names;

    for (i = 0; i < rc->named_captures; i++, name += rc->name_size) {
        if (ngx_strcmp(&name[2], "id") == 0) {
            re->capture = 256 * name[0] + name[1];
            break;
        }
    }
}


/*
 * the id capture of a match in "subject": NGX_DECLINED when the regex
 * does not match or leaves the capture unset
 */

ngx_int_t
ngx_http_prov_regex_capture(ngx_http_request_t *r, ngx_http_prov_regex_t *re,
    ngx_str_t *subject, ngx_str_t *value)
{
    int        *captures;
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
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      ngx_regex_exec_n " failed: %i on \"%V\"", rc, subject);
        return NGX_ERROR;
    }

    /* captures past the last one set are undefined with old PCRE */

    if ((ngx_uint_t) rc <= re->capture || captures[2 * re->capture] < 0) {
        return NGX_DECLINED;
    }

    value->data = subject->data + captures[2 * re->capture];
    value->len = captures[2 * re->capture + 1] - captures[2 * re->capture];

    return NGX_OK;
}

#endif


/*
 * an id ends up in file names and URIs: refuse anything that could
 * leave a folder or confuse a log line, whatever the pattern allows
 */

ngx_int_t
ngx_http_prov_id_safe(ngx_str_t *value)
{
    u_char  *p, *last;

    if (value->len == 0) {
        return NGX_DECLINED;
    }

    if ((value->len == 1 && value->data[0] == '.')
        || (value->len == 2 && value->data[0] == '.' && value->data[1] == '.'))
    {
        return NGX_DECLINED;
    }

    last = value->data + value->len;

    for (p = value->data; p < last; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\') {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/*
 * 12 hex digits, bare or in groups of 2, 4 or 6 joined by one
 * separator used throughout: 000e08abcdef, 00:0E:08:AB:CD:EF,
 * 00-0e-08-ab-cd-ef, 000e.08ab.cdef, 000e08-abcdef
 */

ngx_int_t
ngx_http_prov_mac_normalize(ngx_str_t *value, u_char *mac)
{
    u_char      ch, sep;
    ngx_uint_t  i, n, group;

    if (value->len == NGX_HTTP_PROV_MAC_LEN) {
        group = NGX_HTTP_PROV_MAC_LEN;
        sep = '\0';

    } else {
        for (group = 0; group < value->len; group++) {
            ch = value->data[group];

            if (ch == ':' || ch == '-' || ch == '.') {
                break;
            }
        }

        if (group != 2 && group != 4 && group != 6) {
            return NGX_DECLINED;
        }

        if (value->len != NGX_HTTP_PROV_MAC_LEN
                          + NGX_HTTP_PROV_MAC_LEN / group - 1)
        {
            return NGX_DECLINED;
        }

        sep = value->data[group];
    }

    n = 0;

    for (i = 0; i < value->len; i++) {
        ch = value->data[i];

        if ((i + 1) % (group + 1) == 0) {
            if (ch != sep) {
                return NGX_DECLINED;
            }

            continue;
        }

        if (ch >= '0' && ch <= '9') {
            mac[n++] = ch;
            continue;
        }

        ch = (u_char) (ch | 0x20);

        if (ch >= 'a' && ch <= 'f') {
            mac[n++] = ch;
            continue;
        }

        return NGX_DECLINED;
    }

    return (n == NGX_HTTP_PROV_MAC_LEN) ? NGX_OK : NGX_DECLINED;
}


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

        rc = ngx_http_prov_regex_capture(r, &id->regex, value, result);

        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_prov_id_safe(result);

#endif

    default: /* NGX_HTTP_PROV_ID_VALUE */

        *result = *value;
        return NGX_OK;
    }
}
