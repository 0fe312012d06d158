
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * The access list's line format, and the records and database values
 * built from its lines: one implementation, shared by the module and by
 * prov-acl (tools/prov-acl.c), which is built without nginx's tree.
 */


#ifndef _NGX_HTTP_PROV_ACL_LINE_H_INCLUDED_
#define _NGX_HTTP_PROV_ACL_LINE_H_INCLUDED_


#if (NGX_HTTP_PROV_ACL_TOOL)

/* the few names of nginx's core the line format uses */

#include <sys/types.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef intptr_t        ngx_int_t;
typedef uintptr_t       ngx_uint_t;

typedef struct {
    size_t      len;
    u_char     *data;
} ngx_str_t;

#define NGX_OK          0
#define NGX_ERROR      -1
#define NGX_DONE       -4
#define NGX_DECLINED   -5

#define LF     (u_char) '\n'
#define CR     (u_char) '\r'

#define ngx_memcpy(dst, src, n)   (void) memcpy(dst, src, n)
#define ngx_cpymem(dst, src, n)   (((u_char *) memcpy(dst, src, n)) + (n))
#define ngx_memmove(dst, src, n)  (void) memmove(dst, src, n)
#define ngx_memcmp(s1, s2, n)                                                 \
    memcmp((const char *) s1, (const char *) s2, n)
#define ngx_strncmp(s1, s2, n)                                                \
    strncmp((const char *) s1, (const char *) s2, n)
#define ngx_strncasecmp(s1, s2, n)                                            \
    strncasecmp((const char *) s1, (const char *) s2, n)
#define ngx_strlchr(p, last, c)                                               \
    ((u_char *) memchr(p, c, (size_t) ((last) - (p))))
#define ngx_min(val1, val2)       ((val1 > val2) ? (val2) : (val1))

#else

#include <ngx_config.h>
#include <ngx_core.h>

#endif


#define NGX_HTTP_PROV_MAC_LEN         12
#define NGX_HTTP_PROV_SHA256_LEN      32

/* openssl's form of a pin: "5D:2F:...:A0" */
#define NGX_HTTP_PROV_PIN_PRINT_LEN   (3 * NGX_HTTP_PROV_SHA256_LEN - 1)

#define NGX_HTTP_PROV_ACL_LINE_MAX    4096
#define NGX_HTTP_PROV_ACL_READ_SIZE   65536
#define NGX_HTTP_PROV_ACL_ERRORS      100
#define NGX_HTTP_PROV_ACL_ERROR_MAX   512

/* a device's line printed back: id, action, pin, attributes, newline */
#define NGX_HTTP_PROV_ACL_PRINT_SIZE(id_len, value_len)                      \
    ((id_len) + (value_len) + 128)

/* "k=v" and a blank: the most attributes a line can hold */
#define NGX_HTTP_PROV_ACL_ATTRS_MAX   (NGX_HTTP_PROV_ACL_LINE_MAX / 4 + 1)

/* what a device's entry holds */
#define NGX_HTTP_PROV_ACL_ALLOW       0x01
#define NGX_HTTP_PROV_ACL_PIN         0x02
#define NGX_HTTP_PROV_ACL_ATTRS       0x04


/*
 * An LMDB list ("prov_acl lmdb:PATH"): a file (MDB_NOSUBDIR) with two
 * named databases.  "devices": the canonical id, its value
 * [u8 flags] [32-byte pin] [attributes], each part only when a flag asks
 * for it.  "meta": decimal text under "format", "ids" ("mac" or
 * "value"), "serial" and "generation".
 */

#define NGX_HTTP_PROV_LMDB_PREFIX     "lmdb:"
#define NGX_HTTP_PROV_LMDB_FORMAT     "1"
#define NGX_HTTP_PROV_LMDB_DEVICES    "devices"
#define NGX_HTTP_PROV_LMDB_META       "meta"
#define NGX_HTTP_PROV_LMDB_DBS        2
#define NGX_HTTP_PROV_LMDB_KEY_MAX    511       /* LMDB's default */


typedef struct {
    ngx_str_t                   key;
    ngx_str_t                   value;
} ngx_http_prov_acl_attr_t;


/* a line that names a device, its id canonical */

typedef struct {
    ngx_str_t                   id;
    uint32_t                    flags;
    u_char                      pin[NGX_HTTP_PROV_SHA256_LEN];
    u_char                      mac[NGX_HTTP_PROV_MAC_LEN];
    ngx_uint_t                  nattrs;
    ngx_http_prov_acl_attr_t    attrs[NGX_HTTP_PROV_ACL_ATTRS_MAX];
} ngx_http_prov_acl_line_t;


typedef struct ngx_http_prov_acl_parse_s  ngx_http_prov_acl_parse_t;

/* bytes read at offset, 0 at the end, -1 on errors (reported) */
typedef ssize_t (*ngx_http_prov_acl_read_pt)(ngx_http_prov_acl_parse_t *ap,
    u_char *buf, size_t size, off_t offset);

/*
 * a device's line: NGX_OK, NGX_DECLINED for an id listed already,
 * NGX_ERROR when it cannot be kept (the handler says why, and may set
 * ap->stop)
 */
typedef ngx_int_t (*ngx_http_prov_acl_add_pt)(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device);

/* a whole line of another format built on this one (prov-acl's batches) */
typedef ngx_int_t (*ngx_http_prov_acl_line_pt)(ngx_http_prov_acl_parse_t *ap,
    u_char *p, u_char *last);

/* an error of the current line; text NULL: too many errors */
typedef void (*ngx_http_prov_acl_error_pt)(ngx_http_prov_acl_parse_t *ap,
    u_char *text, size_t len);


struct ngx_http_prov_acl_parse_s {
    ngx_uint_t                  mac;        /* ids are MAC addresses */
    ngx_uint_t                  id_max;     /* longest id */
    ngx_uint_t                  line;
    ngx_uint_t                  errors;
    ngx_uint_t                  devices;
    ngx_uint_t                  unterminated;   /* its line number */
    unsigned                    stop:1;     /* read no further */

    void                       *data;
    ngx_http_prov_acl_read_pt   read;
    ngx_http_prov_acl_add_pt    add;
    ngx_http_prov_acl_error_pt  error;
    ngx_http_prov_acl_line_pt   handler;    /* NULL: list lines */

    ngx_http_prov_acl_line_t    device;
};


ngx_int_t ngx_http_prov_acl_parse_file(ngx_http_prov_acl_parse_t *ap,
    off_t size, u_char *buf);
ngx_int_t ngx_http_prov_acl_parse_line(ngx_http_prov_acl_parse_t *ap,
    u_char *p, u_char *last);
ngx_int_t ngx_http_prov_acl_parse_id(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *id, ngx_http_prov_acl_line_t *device);
ngx_int_t ngx_http_prov_acl_parse_id_field(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *id, ngx_http_prov_acl_line_t *device);
void ngx_http_prov_acl_duplicate(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *id);
void ngx_http_prov_acl_unterminated(ngx_http_prov_acl_parse_t *ap);
void ngx_http_prov_acl_error(ngx_http_prov_acl_parse_t *ap,
    const char *fmt, ...);
ngx_int_t ngx_http_prov_acl_parse_pin(ngx_str_t *hex, u_char *pin);
u_char *ngx_http_prov_acl_pin_print(u_char *b, u_char *pin,
    ngx_uint_t colons);

ngx_int_t ngx_http_prov_id_safe(ngx_str_t *value);
ngx_int_t ngx_http_prov_mac_normalize(ngx_str_t *value, u_char *mac);

size_t ngx_http_prov_acl_attrs_size(ngx_http_prov_acl_line_t *device);
u_char *ngx_http_prov_acl_attrs_write(u_char *p,
    ngx_http_prov_acl_line_t *device);
ngx_int_t ngx_http_prov_acl_attrs_find(u_char *p, u_char *last,
    ngx_str_t *key, ngx_str_t *value);

size_t ngx_http_prov_acl_value_size(ngx_http_prov_acl_line_t *device);
u_char *ngx_http_prov_acl_value_write(u_char *p,
    ngx_http_prov_acl_line_t *device);
ngx_int_t ngx_http_prov_acl_value_check(u_char *p, size_t len);
size_t ngx_http_prov_acl_value_print(u_char *buf, ngx_str_t *id, u_char *p,
    size_t len);


#endif /* _NGX_HTTP_PROV_ACL_LINE_H_INCLUDED_ */
