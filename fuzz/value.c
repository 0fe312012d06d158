
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * An LMDB list's value as the module reads it from the database, whatever
 * wrote it: the input is the value.  ngx_http_prov_acl_value_check()
 * decides; a value it accepts is read as ngx_http_prov_lmdb_verdict() and
 * ngx_http_prov_lmdb_attribute() read it (the flags, the pin, every
 * attribute found by its key, within the value: never NGX_ERROR) and
 * printed by ngx_http_prov_acl_value_print() ("prov-acl dump" and "get")
 * within NGX_HTTP_PROV_ACL_PRINT_SIZE(); the value is copied to a buffer
 * of its exact size, so that a read past it is caught.  Built as prov-acl
 * is (see fuzz/import.c).
 */


#if !(NGX_HTTP_PROV_ACL_TOOL)
#error "fuzz/value.c is built as prov-acl is: -DNGX_HTTP_PROV_ACL_TOOL=1"
#endif

#include <stdlib.h>

#include "ngx_http_prov_acl_line.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char      *value, *p, *last, *line;
    size_t       n, print;
    uint16_t     len16, count;
    ngx_str_t    id, key, found;
    ngx_int_t    rc;
    ngx_uint_t   i, flags;

    value = malloc(size ? size : 1);
    if (value == NULL) {
        return 0;
    }

    ngx_memcpy(value, data, size);

    if (ngx_http_prov_acl_value_check(value, size) != NGX_OK) {
        free(value);
        return 0;
    }

    last = value + size;
    flags = value[0];
    p = value + 1;

    if (flags & NGX_HTTP_PROV_ACL_PIN) {
        p += NGX_HTTP_PROV_SHA256_LEN;
    }

    /* every attribute found by its own key, inside the value */

    if (flags & NGX_HTTP_PROV_ACL_ATTRS) {
        ngx_memcpy(&count, p, 2);

        for (i = 0, n = 2; i < count; i++) {
            key.len = p[n];
            key.data = p + n + 1;

            ngx_memcpy(&len16, p + n + 1 + key.len, 2);

            rc = ngx_http_prov_acl_attrs_find(p, last, &key, &found);

            if (rc != NGX_OK
                || found.data < p || found.data + found.len > last)
            {
                fprintf(stderr, "attribute %lu not found in a checked "
                        "value\n", (unsigned long) i);
                abort();
            }

            n += 1 + key.len + 2 + len16;
        }

        key.len = sizeof("sha256") - 1;
        key.data = (u_char *) "sha256";

        if (ngx_http_prov_acl_attrs_find(p, last, &key, &found)
            == NGX_ERROR)
        {
            fprintf(stderr, "a checked value's attributes run past it\n");
            abort();
        }
    }

    /* printed within the size the callers allocate */

    id.len = NGX_HTTP_PROV_MAC_LEN;
    id.data = (u_char *) "000e08abcdef";

    print = NGX_HTTP_PROV_ACL_PRINT_SIZE(id.len, size);

    line = malloc(print);
    if (line == NULL) {
        free(value);
        return 0;
    }

    n = ngx_http_prov_acl_value_print(line, &id, value, size);

    if (n == 0 || n > print || line[n - 1] != LF) {
        fprintf(stderr, "printed in %lu bytes of %lu\n", (unsigned long) n,
                (unsigned long) print);
        abort();
    }

    free(line);
    free(value);

    return 0;
}
