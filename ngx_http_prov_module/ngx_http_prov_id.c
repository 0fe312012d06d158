
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


static void ngx_http_prov_free_object(void *data);
#if (NGX_PCRE)
static char *ngx_http_prov_regex_compile(ngx_conf_t *cf,
    ngx_http_prov_regex_t *re, ngx_str_t *pattern, ngx_uint_t whole);
static void ngx_http_prov_regex_set(ngx_http_prov_regex_t *re,
    ngx_regex_compile_t *rc);
static ngx_int_t ngx_http_prov_regex_match(ngx_http_request_t *r,
    ngx_http_prov_regex_t *re, ngx_str_t *subject, ngx_str_t *value,
    ngx_str_t *match);
static ngx_int_t ngx_http_prov_regex_capture(ngx_http_request_t *r,
    ngx_http_prov_regex_t *re, ngx_str_t *subject, ngx_str_t *value);
static ngx_int_t ngx_http_prov_uri_names(ngx_http_prov_id_conf_t *id_conf,
    ngx_str_t *id, ngx_str_t *value);
#endif


/* "prov_id attribute [mac | regex];" */

char *
ngx_http_prov_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prov_loc_conf_t *plcf = conf;

    ngx_str_t                *value, *name;
    ngx_pool_cleanup_t       *cln;
    ngx_http_prov_id_conf_t  *id;

    if (plcf->id != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

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

    if (cf->args->nelts == 2) {
        id->format = NGX_HTTP_PROV_ID_VALUE;

    } else if (ngx_strcmp(value[2].data, "mac") == 0) {
        id->format = NGX_HTTP_PROV_ID_MAC;

    } else {
#if (NGX_PCRE)
        /* the pattern must match the whole value, not a part of it */

        if (ngx_http_prov_regex_compile(cf, &id->regex, &value[2], 1)
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

        id->format = NGX_HTTP_PROV_ID_REGEX;
#else
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "using regex \"%V\" requires PCRE library",
                           &value[2]);
        return NGX_CONF_ERROR;
#endif
    }

    plcf->id = id;

    return NGX_CONF_OK;
}


static void
ngx_http_prov_free_object(void *data)
{
    ASN1_OBJECT  *object = data;

    /* a no-op for OpenSSL's built-in objects */

    ASN1_OBJECT_free(object);
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

    ngx_http_prov_regex_set(re, &rc);

    return NGX_CONF_OK;
}


/* a compiled regex whose id is the capture named "id", else the first */

static void
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
 * the first match in "subject" (its whole text in "match") and its id
 * capture: NGX_DECLINED when the regex does not match, NGX_DONE when the
 * match leaves the capture unset
 */

static ngx_int_t
ngx_http_prov_regex_match(ngx_http_request_t *r, ngx_http_prov_regex_t *re,
    ngx_str_t *subject, ngx_str_t *value, ngx_str_t *match)
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

        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      ngx_regex_exec_n " failed: %i on \"%s\"", rc,
                      escaped != NULL ? escaped : (u_char *) "");
        return NGX_ERROR;
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

    rc = ngx_http_prov_regex_match(r, re, subject, value, &match);

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


/*
 * NGX_OK when the uri names no device but this one.  Every match counts,
 * not the first only: naming this device first must not hide another
 * where a location reads only the end of the uri ("/<own id>/<other
 * id>.cfg" under an alias with a capture).  The regex is searched again
 * in what follows each match, as a subject of its own (a lookbehind or
 * "^" sees no further back than its start).  The id a match names is
 * read by the same rules as the certificate's.
 */

ngx_int_t
ngx_http_prov_uri_id_check(ngx_http_request_t *r,
    ngx_http_prov_regex_t *uri_id, ngx_http_prov_id_conf_t *id_conf,
    ngx_str_t *id, ngx_str_t *named)
{
#if (NGX_PCRE)
    size_t     end;
    ngx_int_t  rc;
    ngx_str_t  subject, value, match;

    subject = r->uri;

    for ( ;; ) {
        rc = ngx_http_prov_regex_match(r, uri_id, &subject, &value, &match);

        if (rc == NGX_DECLINED) {
            return NGX_OK;
        }

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        /* NGX_DONE: a match that names no device */

        if (rc == NGX_OK && ngx_http_prov_uri_names(id_conf, id, &value)
                            != NGX_OK)
        {
            *named = value;
            return NGX_DECLINED;
        }

        /*
         * on after the match, or after its first byte when it is empty
         * (it would be found again); nothing left: done, as an empty
         * match there names nothing the uri holds
         */

        end = (size_t) (match.data + match.len - subject.data);

        if (match.len == 0) {
            end++;
        }

        if (end >= subject.len) {
            return NGX_OK;
        }

        subject.data += end;
        subject.len -= end;
    }

#else

    return NGX_OK;

#endif
}


#if (NGX_PCRE)

/* NGX_OK when "value", taken from a uri, names the device "id" */

static ngx_int_t
ngx_http_prov_uri_names(ngx_http_prov_id_conf_t *id_conf, ngx_str_t *id,
    ngx_str_t *value)
{
    ngx_str_t  name;
    u_char     mac[NGX_HTTP_PROV_MAC_LEN];

    name = *value;

    if (id_conf->format == NGX_HTTP_PROV_ID_MAC) {
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
