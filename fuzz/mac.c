
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * ngx_http_prov_mac_normalize(): whatever the value, a MAC it accepts
 * is 12 lowercase hex digits, its own canonical form, made of the
 * value's own hex digits; ngx_http_prov_id_safe() on the same value.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"
#include "ngx_prov_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char      *copy, *p, *last;
    ngx_str_t    value, canonical;
    ngx_uint_t   i, digits;
    u_char       mac[NGX_HTTP_PROV_MAC_LEN], again[NGX_HTTP_PROV_MAC_LEN];

    /* a copy of the exact size: a read past the value is caught */

    copy = malloc(size ? size : 1);
    if (copy == NULL) {
        return 0;
    }

    ngx_memcpy(copy, data, size);

    value.len = size;
    value.data = copy;

    (void) ngx_http_prov_id_safe(&value);

    if (ngx_http_prov_mac_normalize(&value, mac) == NGX_OK) {

        digits = 0;
        last = copy + size;

        for (p = copy; p < last; p++) {
            if ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a'
                                             && (*p | 0x20) <= 'f'))
            {
                if (digits < NGX_HTTP_PROV_MAC_LEN
                    && mac[digits] != (u_char) (*p | ((*p > '9') ? 0x20 : 0)))
                {
                    ngx_log_stderr(0, "digit %ui differs", digits);
                    abort();
                }

                digits++;
            }
        }

        if (digits != NGX_HTTP_PROV_MAC_LEN) {
            ngx_log_stderr(0, "%ui hex digits accepted as a MAC", digits);
            abort();
        }

        for (i = 0; i < NGX_HTTP_PROV_MAC_LEN; i++) {
            if (!((mac[i] >= '0' && mac[i] <= '9')
                  || (mac[i] >= 'a' && mac[i] <= 'f')))
            {
                ngx_log_stderr(0, "not canonical: \"%*s\"",
                               (size_t) NGX_HTTP_PROV_MAC_LEN, mac);
                abort();
            }
        }

        canonical.len = NGX_HTTP_PROV_MAC_LEN;
        canonical.data = mac;

        if (ngx_http_prov_mac_normalize(&canonical, again) != NGX_OK
            || ngx_memcmp(mac, again, NGX_HTTP_PROV_MAC_LEN) != 0
            || ngx_http_prov_id_safe(&canonical) != NGX_OK)
        {
            ngx_log_stderr(0, "the canonical form is not its own");
            abort();
        }
    }

    free(copy);

    return 0;
}
