
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


/*
 * Whatever a device or a request brings (attribute values, ids, URIs)
 * passes through here before it reaches a log line or a header.
 */


/*
 * attribute values come from the device: keep them to printable ASCII
 * in the error log, and short
 */

u_char *
ngx_http_prov_log_escape(ngx_pool_t *pool, ngx_str_t *value)
{
    u_char      ch, *dst, *p;
    size_t      len;
    ngx_uint_t  i;

    len = ngx_min(value->len, NGX_HTTP_PROV_LOG_VALUE_LEN);

    dst = ngx_pnalloc(pool, len * 4 + sizeof("...") + 1);
    if (dst == NULL) {
        return NULL;
    }

    p = dst;

    for (i = 0; i < len; i++) {
        ch = value->data[i];

        if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
            p = ngx_sprintf(p, "\\x%02Xd", ch);
            continue;
        }

        *p++ = ch;
    }

    if (value->len > len) {
        p = ngx_cpymem(p, "...", 3);
    }

    *p = '\0';

    return dst;
}


/*
 * values from a certificate or a list end up in headers and logs: control
 * characters become "\XX" and "\" becomes "\\", as nginx escapes
 * $ssl_client_s_dn, so that no value can add a header line of its own;
 * UTF-8 stays as it is
 */

ngx_int_t
ngx_http_prov_value_escape(ngx_pool_t *pool, ngx_str_t *value)
{
    u_char      ch, *dst, *p;
    size_t      n;
    ngx_uint_t  i;

    static u_char  hex[] = "0123456789ABCDEF";

    n = 0;

    for (i = 0; i < value->len; i++) {
        ch = value->data[i];

        if (ch < 0x20 || ch == 0x7f) {
            n += 2;

        } else if (ch == '\\') {
            n++;
        }
    }

    if (n == 0) {
        return NGX_OK;
    }

    dst = ngx_pnalloc(pool, value->len + n);
    if (dst == NULL) {
        return NGX_ERROR;
    }

    p = dst;

    for (i = 0; i < value->len; i++) {
        ch = value->data[i];

        if (ch < 0x20 || ch == 0x7f) {
            *p++ = '\\';
            *p++ = hex[ch >> 4];
            *p++ = hex[ch & 0xf];

        } else if (ch == '\\') {
            *p++ = '\\';
            *p++ = '\\';

        } else {
            *p++ = ch;
        }
    }

    value->data = dst;
    value->len = p - dst;

    return NGX_OK;
}
