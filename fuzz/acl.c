
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * Access list files through the module's loader, as "prov_acl" reads
 * them at nginx -t: the first byte picks the ids (bit 0 set: "prov_id ST
 * mac", clear: "prov_id CN") and whether the file gets the newline its
 * last line lacks (bit 1 set: most inputs lack it, and a list without
 * it is refused: half the inputs reach the rest of the loader); the rest
 * is the file.  A file it accepts ends with a newline (or is empty), and
 * is read back: every device line's id is found, with its action, and
 * with the value of each of its attributes.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"
#include "ngx_prov_fuzz.h"


#define NGX_PROV_FUZZ_ACL_TOKENS  64


static void ngx_prov_fuzz_acl_check(ngx_http_prov_acl_t *acl, ngx_uint_t mac,
    u_char *p, u_char *last);
static void ngx_prov_fuzz_acl_check_line(ngx_http_prov_acl_t *acl,
    ngx_uint_t mac, ngx_str_t *token, ngx_uint_t n);


static ngx_array_t  *ngx_prov_fuzz_ids[2];


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ngx_prov_fuzz_conf_t      *fc;
    ngx_http_prov_loc_conf_t  *value, *mac;

    ngx_prov_fuzz_init();

    fc = ngx_prov_fuzz_conf(ngx_prov_fuzz_pool);
    if (fc == NULL) {
        abort();
    }

    value = ngx_prov_fuzz_loc_conf(fc);
    mac = ngx_prov_fuzz_loc_conf(fc);

    if (value == NULL || mac == NULL
        || ngx_prov_fuzz_directive(fc, value, "prov_id", "CN", NULL)
           != NGX_OK
        || ngx_prov_fuzz_directive(fc, mac, "prov_id", "ST", "mac", NULL)
           != NGX_OK)
    {
        abort();
    }

    ngx_prov_fuzz_ids[0] = value->ids;
    ngx_prov_fuzz_ids[1] = mac->ids;

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                    *copy;
    size_t                     len;
    ngx_str_t                  path;
    ngx_pool_t                *pool;
    ngx_prov_fuzz_conf_t      *fc;
    ngx_http_prov_loc_conf_t  *plcf;

    if (size == 0) {
        return 0;
    }

    pool = ngx_prov_fuzz_create_pool();

    fc = ngx_prov_fuzz_conf(pool);
    if (fc == NULL) {
        abort();
    }

    plcf = ngx_prov_fuzz_loc_conf(fc);
    if (plcf == NULL) {
        abort();
    }

    plcf->ids = ngx_prov_fuzz_ids[data[0] & 1];

    len = size - 1;

    copy = ngx_pnalloc(pool, len + 1);
    if (copy == NULL) {
        abort();
    }

    ngx_memcpy(copy, data + 1, len);

    if ((data[0] & 2) && len && copy[len - 1] != LF) {
        copy[len++] = LF;
    }

    (void) ngx_prov_fuzz_temp_file(copy, len, &path);

    if (ngx_prov_fuzz_directive(fc, plcf, "prov_acl", path.data, NULL)
        != NGX_OK)
    {
        abort();
    }

    if (ngx_prov_fuzz_merge(fc, plcf) == NGX_OK) {

        if (plcf->gate == NULL || plcf->gate->acl == NULL) {
            ngx_log_stderr(0, "a list merged, but not loaded");
            abort();
        }

        if (len && copy[len - 1] != LF) {
            ngx_log_stderr(0, "accepted a list whose last line has no "
                           "newline");
            abort();
        }

        ngx_prov_fuzz_acl_check(plcf->gate->acl,
                                ngx_http_prov_ids_mac(plcf->ids),
                                copy, copy + len);
    }

    ngx_destroy_pool(pool);

    return 0;
}


/* the lines as the list's format defines them */

static void
ngx_prov_fuzz_acl_check(ngx_http_prov_acl_t *acl, ngx_uint_t mac, u_char *p,
    u_char *last)
{
    u_char      *eol;
    ngx_str_t    token[NGX_PROV_FUZZ_ACL_TOKENS];
    ngx_uint_t   n;

    /* a UTF-8 byte order mark at the start of the file is no part of it */

    if (last - p >= 3 && ngx_strncmp(p, "\xef\xbb\xbf", 3) == 0) {
        p += 3;
    }

    while (p < last) {
        eol = ngx_strlchr(p, last, LF);
        if (eol == NULL) {
            eol = last;
        }

        n = 0;

        while (p < eol && *p != '#' && n < NGX_PROV_FUZZ_ACL_TOKENS) {

            if (*p == ' ' || *p == '\t' || *p == CR) {
                p++;
                continue;
            }

            token[n].data = p;

            while (p < eol && *p != ' ' && *p != '\t' && *p != CR) {
                p++;
            }

            token[n].len = p - token[n].data;

            /* "#" starts a comment after a blank only */

            if (ngx_strlchr(token[n].data, p, '#') != NULL) {
                ngx_log_stderr(0, "accepted a \"#\" inside \"%V\"",
                               &token[n]);
                abort();
            }

            n++;
        }

        if (n >= 2) {
            ngx_prov_fuzz_acl_check_line(acl, mac, token, n);
        }

        p = eol + 1;
    }
}


static void
ngx_prov_fuzz_acl_check_line(ngx_http_prov_acl_t *acl, ngx_uint_t mac,
    ngx_str_t *token, ngx_uint_t n)
{
    u_char                     *eq;
    ngx_str_t                   id, key, value, found;
    ngx_uint_t                  i, allow, pinned, verdict, expected;
    ngx_http_prov_acl_entry_t  *entry;
    u_char                      digest[NGX_HTTP_PROV_SHA256_LEN];
    u_char                      canonical[NGX_HTTP_PROV_MAC_LEN];

    id = token[0];

    if (mac) {
        if (ngx_http_prov_mac_normalize(&token[0], canonical) != NGX_OK) {
            ngx_log_stderr(0, "accepted a bad MAC \"%V\"", &token[0]);
            abort();
        }

        id.len = NGX_HTTP_PROV_MAC_LEN;
        id.data = canonical;
    }

    /* no certificate: a pinned allow line answers "pin_mismatch" */

    verdict = ngx_http_prov_acl_verdict(acl, &id, NULL, &entry, digest);

    if (verdict == NGX_HTTP_PROV_NOT_LISTED || entry == NULL) {
        ngx_log_stderr(0, "accepted \"%V\", not found", &token[0]);
        abort();
    }

    allow = (token[1].len == 5);
    pinned = 0;

    for (i = 2; i < n; i++) {
        eq = ngx_strlchr(token[i].data, token[i].data + token[i].len, '=');

        if (eq == NULL) {
            ngx_log_stderr(0, "accepted option \"%V\"", &token[i]);
            abort();
        }

        key.data = token[i].data;
        key.len = eq - token[i].data;
        value.data = eq + 1;
        value.len = token[i].data + token[i].len - value.data;

        if (key.len == 6
            && ngx_strncasecmp(key.data, (u_char *) "sha256", 6) == 0)
        {
            pinned = 1;
            continue;
        }

        if (ngx_http_prov_acl_attribute(acl, entry, &key, &found) != NGX_OK
            || found.len != value.len
            || ngx_memcmp(found.data, value.data, value.len) != 0)
        {
            ngx_log_stderr(0, "\"%V\": attribute \"%V\" not kept",
                           &token[0], &key);
            abort();
        }
    }

    if (!allow) {
        expected = NGX_HTTP_PROV_DENIED;

    } else {
        expected = pinned ? NGX_HTTP_PROV_PIN_MISMATCH : NGX_HTTP_PROV_ALLOW;
    }

    if (verdict != expected) {
        ngx_log_stderr(0, "\"%V\": not its action or pin", &token[0]);
        abort();
    }
}
