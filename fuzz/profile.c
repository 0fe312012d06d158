
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * ngx_http_prov_profile_safe(): the first byte is the number of "/" in
 * the candidate's template, the rest the candidate as variables made
 * it.  A candidate it accepts starts with "/" or "@", has exactly that
 * many "/", no empty, "." or ".." segment after the first, and none of
 * the bytes a decoder or a log line could read otherwise.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"
#include "ngx_prov_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char      *copy, *p, *last, *segment;
    ngx_str_t    uri;
    ngx_uint_t   slashes, n;

    if (size == 0) {
        return 0;
    }

    slashes = data[0] & 0x0f;

    /* a copy of the exact size: a read past the candidate is caught */

    copy = malloc(size);
    if (copy == NULL) {
        return 0;
    }

    ngx_memcpy(copy, data + 1, size - 1);

    uri.len = size - 1;
    uri.data = copy;

    if (ngx_http_prov_profile_safe(&uri, slashes) == NGX_OK) {

        if (uri.len == 0 || (copy[0] != '/' && copy[0] != '@')) {
            ngx_log_stderr(0, "accepted without \"/\" or \"@\"");
            abort();
        }

        n = 0;
        last = copy + uri.len;
        segment = copy;

        for (p = copy; p <= last; p++) {

            if (p == last || *p == '/') {

                if (p != copy
                    && (p == segment
                        || (p - segment == 1 && segment[0] == '.')
                        || (p - segment == 2 && segment[0] == '.'
                            && segment[1] == '.')))
                {
                    ngx_log_stderr(0, "accepted a bad segment at %uz",
                                   (size_t) (p - copy));
                    abort();
                }

                if (p < last) {
                    n++;
                    segment = p + 1;
                }

                continue;
            }

            if (*p < 0x20 || *p == 0x7f || *p == '\\' || *p == '%'
                || *p == '?' || *p == '#')
            {
                ngx_log_stderr(0, "accepted byte 0x%02Xd", *p);
                abort();
            }
        }

        if (n != slashes) {
            ngx_log_stderr(0, "accepted %ui \"/\" for %ui", n, slashes);
            abort();
        }
    }

    free(copy);

    return 0;
}
