
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * "prov-acl import": the list's line format (ngx_http_prov_acl_line.c)
 * built as prov-acl builds it, without nginx's tree, read through
 * ngx_http_prov_acl_parse_file() with read, add and error handlers, each
 * device turned into its database value.  The first byte picks the ids
 * (bit 0 set: MAC addresses, clear: values of at most
 * NGX_HTTP_PROV_LMDB_KEY_MAX bytes), whether the size is known (bit 1
 * set: a file; clear: "-", a pipe read to its end) and how much each
 * read returns (bits 2-7: 0 as much as asked, 1-15 that many bytes,
 * more: 97 bytes a step, to cross the line limit and the read buffer's
 * end at every offset); the rest is the list.
 *
 * Checked: the parser's own account (lines, devices, the unterminated
 * last line, at most one error a line, in order, and no more than
 * NGX_HTTP_PROV_ACL_ERRORS of them, then "too many" once); every device
 * it hands over has a canonical id, a value that
 * ngx_http_prov_acl_value_check() accepts, whose attributes
 * ngx_http_prov_acl_attrs_find() finds, and whose printed line
 * (ngx_http_prov_acl_value_print(), as "prov-acl dump" and "get" print
 * it) parses back to the same id, flags, pin and attributes; the dump
 * of all of them, read as a file, imports the same list.
 *
 * Then the same input goes through prov-acl's own reading of a list
 * (tools/prov-acl.c, included: ngx_prov_acl_read_input(), as "import
 * PATH -" runs it, its reads of stdin returning as the first byte says):
 * its duplicates, found by sorting, and its errors, printed in line
 * order, are exactly what the parser says reading the lines in order
 * ("FILE:LINE: text", at most NGX_HTTP_PROV_ACL_ERRORS, then "too many",
 * then the count); a list it accepts is sorted in LMDB's order (as
 * MDB_APPEND needs), each id once, with the values above.
 */


#if !(NGX_HTTP_PROV_ACL_TOOL)
#error "fuzz/import.c is built as prov-acl is: -DNGX_HTTP_PROV_ACL_TOOL=1"
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lmdb.h>

#include "ngx_http_prov_acl_line.h"


/*
 * prov-acl, its main() renamed (libFuzzer has one), its reads of stdin
 * served from the input, its messages kept for the checks
 */

static ssize_t ngx_prov_fuzz_sys_read(int fd, void *buf, size_t size);

static FILE  *ngx_prov_fuzz_stderr;

#define main  ngx_prov_fuzz_prov_acl_main
#define read(fd, buf, size)  ngx_prov_fuzz_sys_read(fd, buf, size)
#undef stderr
#define stderr  ngx_prov_fuzz_stderr

#include "../tools/prov-acl.c"

#undef main
#undef read
#undef stderr
#define stderr  stderr


#define NGX_PROV_FUZZ_BUF_SIZE                                                \
    (NGX_HTTP_PROV_ACL_READ_SIZE + NGX_HTTP_PROV_ACL_LINE_MAX)


typedef struct {
    u_char                     *id;
    size_t                      id_len;
    u_char                     *value;
    size_t                      value_len;
    ngx_uint_t                  seen;
} ngx_prov_fuzz_device_t;


typedef struct {
    ngx_uint_t                  line;
    size_t                      len;
    u_char                      text[NGX_HTTP_PROV_ACL_ERROR_MAX];
} ngx_prov_fuzz_error_t;


typedef struct {
    const u_char               *data;
    size_t                      size;
    size_t                      chunk;
    size_t                      offset;     /* prov-acl's reads */

    ngx_prov_fuzz_device_t     *devices;
    ngx_uint_t                  ndevices;
    ngx_uint_t                  mask;

    u_char                     *dump;
    size_t                      dump_len;
    size_t                      dump_size;

    ngx_uint_t                  added;
    ngx_uint_t                  texts;
    ngx_uint_t                  capped;
    ngx_uint_t                  error_line;
    ngx_prov_fuzz_error_t      *errors;

    ngx_http_prov_acl_line_t   *again;      /* a printed line, parsed */
    ngx_uint_t                  parsed;
} ngx_prov_fuzz_import_t;


static ssize_t ngx_prov_fuzz_read(ngx_http_prov_acl_parse_t *ap, u_char *buf,
    size_t size, off_t offset);
static ngx_int_t ngx_prov_fuzz_add(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device);
static void ngx_prov_fuzz_error(ngx_http_prov_acl_parse_t *ap, u_char *text,
    size_t len);
static void ngx_prov_fuzz_check_id(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device);
static void ngx_prov_fuzz_check_value(ngx_http_prov_acl_line_t *device,
    u_char *value, size_t len);
static void ngx_prov_fuzz_check_print(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device, u_char *value, size_t len);
static ngx_int_t ngx_prov_fuzz_add_again(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device);
static void ngx_prov_fuzz_error_again(ngx_http_prov_acl_parse_t *ap,
    u_char *text, size_t len);
static ngx_int_t ngx_prov_fuzz_add_dump(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device);
static ngx_prov_fuzz_device_t *ngx_prov_fuzz_find(ngx_prov_fuzz_import_t *im,
    ngx_str_t *id);
static void ngx_prov_fuzz_keep(ngx_prov_fuzz_import_t *im, ngx_str_t *id,
    u_char *value, size_t len);
static uint64_t ngx_prov_fuzz_hash(u_char *p, size_t len);
static void ngx_prov_fuzz_append(ngx_prov_fuzz_import_t *im, u_char *line,
    size_t len);
static void ngx_prov_fuzz_prov_acl(ngx_prov_fuzz_import_t *im,
    ngx_http_prov_acl_parse_t *ap, const u_char *data, size_t size);
static void ngx_prov_fuzz_free(ngx_prov_fuzz_import_t *im);
static void *ngx_prov_fuzz_alloc(size_t size);
static void ngx_prov_fuzz_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static u_char                  *ngx_prov_fuzz_buf;
static ngx_prov_fuzz_import_t  *ngx_prov_fuzz_current;
static ngx_prov_fuzz_error_t    ngx_prov_fuzz_errors[NGX_HTTP_PROV_ACL_ERRORS];


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                      tail;
    ngx_int_t                   rc;
    ngx_uint_t                  i, lines, step;
    ngx_prov_fuzz_import_t      im;
    ngx_http_prov_acl_parse_t   ap, dp;

    if (size == 0) {
        return 0;
    }

    if (ngx_prov_fuzz_buf == NULL) {
        ngx_prov_fuzz_buf = ngx_prov_fuzz_alloc(NGX_PROV_FUZZ_BUF_SIZE);
    }

    memset(&im, 0, sizeof(ngx_prov_fuzz_import_t));

    im.errors = ngx_prov_fuzz_errors;

    step = data[0] >> 2;

    im.data = data + 1;
    im.size = size - 1;
    im.chunk = (step == 0) ? NGX_HTTP_PROV_ACL_READ_SIZE
                           : (step < 16) ? step : (step - 15) * 97;

    /* as prov-acl's import sets it up */

    memset(&ap, 0, sizeof(ngx_http_prov_acl_parse_t));
    ap.mac = data[0] & 1;
    ap.id_max = NGX_HTTP_PROV_LMDB_KEY_MAX;
    ap.data = &im;
    ap.read = ngx_prov_fuzz_read;
    ap.add = ngx_prov_fuzz_add;
    ap.error = ngx_prov_fuzz_error;

    rc = ngx_http_prov_acl_parse_file(&ap, (data[0] & 2) ? (off_t) im.size
                                                          : -1,
                                      ngx_prov_fuzz_buf);

    if (rc != NGX_OK) {
        ngx_prov_fuzz_fail("parse_file: %d", (int) rc);
    }

    /* the parser's own account */

    lines = 0;

    for (i = 0; i < im.size; i++) {
        if (im.data[i] == LF) {
            lines++;
        }
    }

    tail = 0;

    while (tail < im.size && im.data[im.size - 1 - tail] != LF) {
        tail++;
    }

    if (tail) {
        lines++;
    }

    if (ap.line != lines) {
        ngx_prov_fuzz_fail("%lu lines read of %lu", (unsigned long) ap.line,
                           (unsigned long) lines);
    }

    /* a last line without its newline is refused, or reported overlong */

    if (ap.unterminated
        != ((tail && tail <= NGX_HTTP_PROV_ACL_LINE_MAX) ? lines : 0))
    {
        ngx_prov_fuzz_fail("unterminated: line %lu, the last line has "
                           "%lu bytes", (unsigned long) ap.unterminated,
                           (unsigned long) tail);
    }

    if (ap.devices != im.added || ap.devices != im.ndevices) {
        ngx_prov_fuzz_fail("%lu devices counted, %lu added, %lu kept",
                           (unsigned long) ap.devices,
                           (unsigned long) im.added,
                           (unsigned long) im.ndevices);
    }

    if (im.texts != ngx_min(ap.errors, NGX_HTTP_PROV_ACL_ERRORS)
        || im.capped != (ap.errors > NGX_HTTP_PROV_ACL_ERRORS))
    {
        ngx_prov_fuzz_fail("%lu errors, %lu shown, %lu \"too many\"",
                           (unsigned long) ap.errors,
                           (unsigned long) im.texts,
                           (unsigned long) im.capped);
    }

    /* prov-acl reports the list's last line once it has read it all */

    if (ap.unterminated) {
        ngx_http_prov_acl_unterminated(&ap);
    }

    ngx_prov_fuzz_prov_acl(&im, &ap, data, size);

    /* the dump of what was accepted imports the same list */

    memset(&dp, 0, sizeof(ngx_http_prov_acl_parse_t));
    dp.mac = ap.mac;
    dp.id_max = NGX_HTTP_PROV_LMDB_KEY_MAX;
    dp.data = &im;
    dp.read = ngx_prov_fuzz_read;
    dp.add = ngx_prov_fuzz_add_dump;
    dp.error = ngx_prov_fuzz_error_again;

    im.data = im.dump;
    im.size = im.dump_len;
    im.chunk = NGX_HTTP_PROV_ACL_READ_SIZE;

    rc = ngx_http_prov_acl_parse_file(&dp, (off_t) im.dump_len,
                                      ngx_prov_fuzz_buf);

    if (rc != NGX_OK || dp.errors || dp.unterminated
        || dp.devices != im.ndevices)
    {
        ngx_prov_fuzz_fail("the dump of %lu devices imports %lu",
                           (unsigned long) im.ndevices,
                           (unsigned long) dp.devices);
    }

    ngx_prov_fuzz_free(&im);

    return 0;
}


/* the input as a file, or as a pipe that returns a few bytes a read */

static ssize_t
ngx_prov_fuzz_read(ngx_http_prov_acl_parse_t *ap, u_char *buf, size_t size,
    off_t offset)
{
    size_t                   n;
    ngx_prov_fuzz_import_t  *im;

    im = ap->data;

    if (offset < 0) {
        ngx_prov_fuzz_fail("read at %ld", (long) offset);
    }

    if ((size_t) offset >= im->size) {
        return 0;
    }

    n = ngx_min(size, im->chunk);
    n = ngx_min(n, im->size - (size_t) offset);

    /* within the parser's buffer: ASan sees a read past its end */

    ngx_memcpy(buf, im->data + offset, n);

    return (ssize_t) n;
}


static ngx_int_t
ngx_prov_fuzz_add(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device)
{
    u_char                  *value, *last;
    size_t                   len;
    ngx_prov_fuzz_device_t  *d;
    ngx_prov_fuzz_import_t  *im;

    im = ap->data;

    ngx_prov_fuzz_check_id(ap, device);

    /* prov-acl refuses an id twice in one import */

    d = ngx_prov_fuzz_find(im, &device->id);

    if (d != NULL && d->id != NULL) {
        return NGX_DECLINED;
    }

    len = ngx_http_prov_acl_value_size(device);

    /* of its exact size: a write or a read past it is caught */

    value = ngx_prov_fuzz_alloc(len);

    last = ngx_http_prov_acl_value_write(value, device);

    if ((size_t) (last - value) != len) {
        ngx_prov_fuzz_fail("value of %lu bytes written in %lu",
                           (unsigned long) (last - value),
                           (unsigned long) len);
    }

    ngx_prov_fuzz_check_value(device, value, len);
    ngx_prov_fuzz_check_print(ap, device, value, len);

    ngx_prov_fuzz_keep(im, &device->id, value, len);

    im->added++;

    return NGX_OK;
}


static void
ngx_prov_fuzz_error(ngx_http_prov_acl_parse_t *ap, u_char *text, size_t len)
{
    ngx_prov_fuzz_import_t  *im;

    im = ap->data;

    if (text == NULL) {
        if (im->capped || im->texts != NGX_HTTP_PROV_ACL_ERRORS) {
            ngx_prov_fuzz_fail("\"too many errors\" after %lu errors, "
                               "%lu times", (unsigned long) im->texts,
                               (unsigned long) im->capped);
        }

        im->capped++;
        return;
    }

    if (im->capped || im->texts >= NGX_HTTP_PROV_ACL_ERRORS) {
        ngx_prov_fuzz_fail("an error shown past the cap");
    }

    if (len == 0 || len >= NGX_HTTP_PROV_ACL_ERROR_MAX) {
        ngx_prov_fuzz_fail("an error of %lu bytes", (unsigned long) len);
    }

    /* "FILE:LINE: text": one error a line, in the file's order */

    if (ap->line == 0 || ap->line <= im->error_line) {
        ngx_prov_fuzz_fail("an error on line %lu after one on line %lu",
                           (unsigned long) ap->line,
                           (unsigned long) im->error_line);
    }

    im->error_line = ap->line;

    im->errors[im->texts].line = ap->line;
    im->errors[im->texts].len = len;
    ngx_memcpy(im->errors[im->texts].text, text, len);

    im->texts++;
}


static void
ngx_prov_fuzz_check_id(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device)
{
    ngx_uint_t  i;

    if (ap->mac) {
        if (device->id.len != NGX_HTTP_PROV_MAC_LEN) {
            ngx_prov_fuzz_fail("a MAC of %lu bytes",
                               (unsigned long) device->id.len);
        }

        for (i = 0; i < NGX_HTTP_PROV_MAC_LEN; i++) {
            if (!((device->id.data[i] >= '0' && device->id.data[i] <= '9')
                  || (device->id.data[i] >= 'a' && device->id.data[i] <= 'f')))
            {
                ngx_prov_fuzz_fail("MAC \"%.*s\" not canonical",
                                   (int) device->id.len, device->id.data);
            }
        }

    } else {
        if (device->id.len == 0 || device->id.len > ap->id_max
            || ngx_http_prov_id_safe(&device->id) != NGX_OK)
        {
            ngx_prov_fuzz_fail("id \"%.*s\" accepted",
                               (int) device->id.len, device->id.data);
        }
    }

    if (device->flags & ~(NGX_HTTP_PROV_ACL_ALLOW|NGX_HTTP_PROV_ACL_PIN
                          |NGX_HTTP_PROV_ACL_ATTRS)
        || !(device->flags & NGX_HTTP_PROV_ACL_ATTRS) != !device->nattrs
        || device->nattrs > NGX_HTTP_PROV_ACL_ATTRS_MAX)
    {
        ngx_prov_fuzz_fail("flags %02X with %lu attributes",
                           (unsigned) device->flags,
                           (unsigned long) device->nattrs);
    }
}


/* what the module reads of a database value */

static void
ngx_prov_fuzz_check_value(ngx_http_prov_acl_line_t *device, u_char *value,
    size_t len)
{
    u_char     *p;
    size_t      n;
    ngx_str_t   key, found;
    ngx_uint_t  i;

    if (ngx_http_prov_acl_value_check(value, len) != NGX_OK) {
        ngx_prov_fuzz_fail("value of \"%.*s\" refused",
                           (int) device->id.len, device->id.data);
    }

    /* a value cut short is refused */

    for (i = 0; i < 3; i++) {
        n = (i == 0) ? 0 : (i == 1) ? len / 2 : len - 1;

        if (ngx_http_prov_acl_value_check(value, n) == NGX_OK) {
            ngx_prov_fuzz_fail("value of \"%.*s\" accepted cut to %lu bytes",
                               (int) device->id.len, device->id.data,
                               (unsigned long) n);
        }
    }

    if (value[0] != (u_char) device->flags) {
        ngx_prov_fuzz_fail("flags not kept");
    }

    if (!(device->flags & NGX_HTTP_PROV_ACL_ATTRS)) {
        return;
    }

    p = value + 1;

    if (device->flags & NGX_HTTP_PROV_ACL_PIN) {
        p += NGX_HTTP_PROV_SHA256_LEN;
    }

    for (i = 0; i < device->nattrs; i++) {
        if (ngx_http_prov_acl_attrs_find(p, value + len, &device->attrs[i].key,
                                         &found)
            != NGX_OK
            || found.len != device->attrs[i].value.len
            || ngx_memcmp(found.data, device->attrs[i].value.data, found.len)
               != 0)
        {
            ngx_prov_fuzz_fail("attribute \"%.*s\" not found",
                               (int) device->attrs[i].key.len,
                               device->attrs[i].key.data);
        }
    }

    /* "sha256" is a pin, never an attribute */

    key.len = sizeof("sha256") - 1;
    key.data = (u_char *) "sha256";

    if (ngx_http_prov_acl_attrs_find(p, value + len, &key, &found)
        != NGX_DECLINED)
    {
        ngx_prov_fuzz_fail("an attribute \"sha256\"");
    }
}


/* "prov-acl dump" and "get": the line parses back to the same device */

static void
ngx_prov_fuzz_check_print(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device, u_char *value, size_t len)
{
    u_char                     *line, *again;
    size_t                      size, n;
    ngx_uint_t                  i;
    ngx_prov_fuzz_import_t     *im;
    ngx_http_prov_acl_parse_t   lp;

    im = ap->data;

    size = NGX_HTTP_PROV_ACL_PRINT_SIZE(device->id.len, len);

    line = ngx_prov_fuzz_alloc(size);

    n = ngx_http_prov_acl_value_print(line, &device->id, value, len);

    if (n == 0 || n > size || line[n - 1] != LF
        || ngx_strlchr(line, line + n - 1, LF) != NULL)
    {
        ngx_prov_fuzz_fail("\"%.*s\" printed in %lu bytes",
                           (int) device->id.len, device->id.data,
                           (unsigned long) n);
    }

    /* a dump's line is read by an import: within the line limit */

    if (n - 1 > NGX_HTTP_PROV_ACL_LINE_MAX) {
        ngx_prov_fuzz_fail("\"%.*s\" printed in a line of %lu bytes, "
                           "longer than an import reads",
                           (int) device->id.len, device->id.data,
                           (unsigned long) (n - 1));
    }

    memset(&lp, 0, sizeof(ngx_http_prov_acl_parse_t));
    lp.mac = ap->mac;
    lp.id_max = ap->id_max;
    lp.line = 1;
    lp.data = im;
    lp.add = ngx_prov_fuzz_add_again;
    lp.error = ngx_prov_fuzz_error_again;

    im->again = ngx_prov_fuzz_alloc(sizeof(ngx_http_prov_acl_line_t));
    im->parsed = 0;

    if (ngx_http_prov_acl_parse_line(&lp, line, line + n - 1) != NGX_OK
        || lp.errors || im->parsed != 1)
    {
        ngx_prov_fuzz_fail("printed \"%.*s\" does not parse",
                           (int) (n - 1), line);
    }

    if (im->again->id.len != device->id.len
        || ngx_memcmp(im->again->id.data, device->id.data, device->id.len)
           != 0
        || im->again->flags != device->flags
        || ((device->flags & NGX_HTTP_PROV_ACL_PIN)
            && ngx_memcmp(im->again->pin, device->pin,
                          NGX_HTTP_PROV_SHA256_LEN)
               != 0)
        || im->again->nattrs != device->nattrs)
    {
        ngx_prov_fuzz_fail("printed \"%.*s\": another id, action or pin",
                           (int) (n - 1), line);
    }

    for (i = 0; i < device->nattrs; i++) {
        if (im->again->attrs[i].key.len != device->attrs[i].key.len
            || im->again->attrs[i].value.len != device->attrs[i].value.len
            || ngx_memcmp(im->again->attrs[i].key.data,
                          device->attrs[i].key.data,
                          device->attrs[i].key.len)
               != 0
            || ngx_memcmp(im->again->attrs[i].value.data,
                          device->attrs[i].value.data,
                          device->attrs[i].value.len)
               != 0)
        {
            ngx_prov_fuzz_fail("printed \"%.*s\": attribute %lu differs",
                               (int) (n - 1), line, (unsigned long) i);
        }
    }

    /* and gives the same value */

    if (ngx_http_prov_acl_value_size(im->again) != len) {
        ngx_prov_fuzz_fail("printed \"%.*s\": another value size",
                           (int) (n - 1), line);
    }

    again = ngx_prov_fuzz_alloc(len);

    (void) ngx_http_prov_acl_value_write(again, im->again);

    if (ngx_memcmp(again, value, len) != 0) {
        ngx_prov_fuzz_fail("printed \"%.*s\": another value",
                           (int) (n - 1), line);
    }

    ngx_prov_fuzz_append(im, line, n);

    free(again);
    free(im->again);
    free(line);

    im->again = NULL;
}


static ngx_int_t
ngx_prov_fuzz_add_again(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device)
{
    ngx_prov_fuzz_import_t  *im;

    im = ap->data;

    /* it points into the printed line, which outlives the copy */

    ngx_memcpy(im->again, device, sizeof(ngx_http_prov_acl_line_t));

    if (device->id.data == device->mac) {
        im->again->id.data = im->again->mac;
    }

    im->parsed++;

    return NGX_OK;
}


static void
ngx_prov_fuzz_error_again(ngx_http_prov_acl_parse_t *ap, u_char *text,
    size_t len)
{
    ngx_prov_fuzz_fail("line %lu printed by the dump refused: %.*s",
                       (unsigned long) ap->line, (int) len,
                       text ? (char *) text : "too many errors");
}


static ngx_int_t
ngx_prov_fuzz_add_dump(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device)
{
    u_char                  *value;
    size_t                   len;
    ngx_prov_fuzz_device_t  *d;
    ngx_prov_fuzz_import_t  *im;

    im = ap->data;

    d = ngx_prov_fuzz_find(im, &device->id);

    if (d == NULL || d->id == NULL || d->seen) {
        ngx_prov_fuzz_fail("the dump has \"%.*s\" %s",
                           (int) device->id.len, device->id.data,
                           (d && d->id) ? "twice" : "not imported");
    }

    d->seen = 1;

    len = ngx_http_prov_acl_value_size(device);

    if (len != d->value_len) {
        ngx_prov_fuzz_fail("the dump's \"%.*s\" has another value",
                           (int) device->id.len, device->id.data);
    }

    value = ngx_prov_fuzz_alloc(len);

    (void) ngx_http_prov_acl_value_write(value, device);

    if (ngx_memcmp(value, d->value, len) != 0) {
        ngx_prov_fuzz_fail("the dump's \"%.*s\" has another value",
                           (int) device->id.len, device->id.data);
    }

    free(value);

    return NGX_OK;
}


/* the devices imported so far, by id: open addressing, FNV-1a */

static ngx_prov_fuzz_device_t *
ngx_prov_fuzz_find(ngx_prov_fuzz_import_t *im, ngx_str_t *id)
{
    ngx_uint_t               i;
    ngx_prov_fuzz_device_t  *d;

    if (im->devices == NULL) {
        return NULL;
    }

    for (i = ngx_prov_fuzz_hash(id->data, id->len) & im->mask;
         /* void */;
         i = (i + 1) & im->mask)
    {
        d = &im->devices[i];

        if (d->id == NULL) {
            return d;
        }

        if (d->id_len == id->len && ngx_memcmp(d->id, id->data, id->len) == 0)
        {
            return d;
        }
    }
}


static void
ngx_prov_fuzz_keep(ngx_prov_fuzz_import_t *im, ngx_str_t *id, u_char *value,
    size_t len)
{
    ngx_str_t                old;
    ngx_uint_t               i, slots;
    ngx_prov_fuzz_device_t  *devices, *d;

    if (im->devices == NULL || (im->ndevices + 1) * 2 > im->mask + 1) {
        devices = im->devices;
        slots = (devices == NULL) ? 0 : im->mask + 1;

        im->mask = (slots == 0) ? 63 : slots * 2 - 1;
        im->devices = ngx_prov_fuzz_alloc((im->mask + 1)
                                          * sizeof(ngx_prov_fuzz_device_t));
        memset(im->devices, 0,
               (im->mask + 1) * sizeof(ngx_prov_fuzz_device_t));

        for (i = 0; i < slots; i++) {
            if (devices[i].id != NULL) {
                old.len = devices[i].id_len;
                old.data = devices[i].id;

                *ngx_prov_fuzz_find(im, &old) = devices[i];
            }
        }

        free(devices);
    }

    d = ngx_prov_fuzz_find(im, id);

    if (d->id != NULL) {
        ngx_prov_fuzz_fail("\"%.*s\" kept twice", (int) id->len, id->data);
    }

    d->id = ngx_prov_fuzz_alloc(id->len);
    ngx_memcpy(d->id, id->data, id->len);
    d->id_len = id->len;
    d->value = value;
    d->value_len = len;

    im->ndevices++;
}


static uint64_t
ngx_prov_fuzz_hash(u_char *p, size_t len)
{
    size_t    i;
    uint64_t  hash;

    hash = 14695981039346656037ULL;

    for (i = 0; i < len; i++) {
        hash = (hash ^ p[i]) * 1099511628211ULL;
    }

    return hash;
}


static void
ngx_prov_fuzz_append(ngx_prov_fuzz_import_t *im, u_char *line, size_t len)
{
    u_char  *dump;
    size_t   size;

    if (im->dump_len + len > im->dump_size) {
        size = ngx_min((im->dump_len + len) * 2, (size_t) -1);

        dump = ngx_prov_fuzz_alloc(size);

        if (im->dump != NULL) {
            ngx_memcpy(dump, im->dump, im->dump_len);
            free(im->dump);
        }

        im->dump = dump;
        im->dump_size = size;
    }

    ngx_memcpy(im->dump + im->dump_len, line, len);
    im->dump_len += len;
}


/*
 * "prov-acl import PATH -" up to its transaction: what it prints is what
 * the parser said, and what it would write is the list read, in order
 */

static void
ngx_prov_fuzz_prov_acl(ngx_prov_fuzz_import_t *im,
    ngx_http_prov_acl_parse_t *ap, const u_char *data, size_t size)
{
    int                      status;
    char                    *out;
    FILE                    *expected;
    size_t                   i, out_len, exp_len;
    MDB_val                  key, value, prev;
    uint32_t                 line;
    ngx_str_t                id;
    ngx_uint_t               n, errors;
    ngx_prov_acl_db_t        db;
    ngx_prov_fuzz_device_t  *d;
    ngx_prov_acl_input_t     in;
    char                    *exp;
    u_char                   mac[NGX_HTTP_PROV_MAC_LEN];
    u_char                   last[NGX_HTTP_PROV_LMDB_KEY_MAX];

    memset(&db, 0, sizeof(ngx_prov_acl_db_t));
    db.path = "fuzz.mdb";
    db.mac = ap->mac;

    im->data = data + 1;
    im->size = size - 1;
    im->offset = 0;

    ngx_prov_fuzz_current = im;

    ngx_prov_fuzz_stderr = open_memstream(&out, &out_len);
    if (ngx_prov_fuzz_stderr == NULL) {
        ngx_prov_fuzz_fail("open_memstream() failed");
    }

    status = ngx_prov_acl_read_input(&db, &in, "-", 0);

    if (fclose(ngx_prov_fuzz_stderr) != 0) {
        ngx_prov_fuzz_fail("fclose() failed");
    }

    ngx_prov_fuzz_stderr = NULL;

    /* what nginx -t says of the same lines, read in order */

    expected = open_memstream(&exp, &exp_len);
    if (expected == NULL) {
        ngx_prov_fuzz_fail("open_memstream() failed");
    }

    for (n = 0; n < im->texts; n++) {
        fprintf(expected, "-:%lu: %.*s\n", (unsigned long) im->errors[n].line,
                (int) im->errors[n].len, im->errors[n].text);
    }

    errors = ap->errors;

    if (errors > NGX_HTTP_PROV_ACL_ERRORS) {
        fprintf(expected, "-: too many errors, the rest are not shown\n");
    }

    if (errors) {
        fprintf(expected, "prov-acl: %lu error(s) in access list \"-\": "
                "nothing written\n", (unsigned long) errors);
    }

    if (fclose(expected) != 0) {
        ngx_prov_fuzz_fail("fclose() failed");
    }

    if (out_len != exp_len || memcmp(out, exp, out_len) != 0) {
        ngx_prov_fuzz_fail("prov-acl says:\n%s\nthe parser:\n%s", out, exp);
    }

    if (status != (errors ? NGX_PROV_ACL_BAD_INPUT : NGX_PROV_ACL_OK)) {
        ngx_prov_fuzz_fail("prov-acl: exit %d after %lu errors", status,
                           (unsigned long) errors);
    }

    free(out);
    free(exp);

    if (status != NGX_PROV_ACL_OK) {
        ngx_prov_acl_input_free(&in);
        return;
    }

    /* each id once, in LMDB's order, with its value: MDB_APPEND takes it */

    if (in.nentries != im->ndevices) {
        ngx_prov_fuzz_fail("prov-acl: %lu devices, the parser %lu",
                           (unsigned long) in.nentries,
                           (unsigned long) im->ndevices);
    }

    prev.mv_size = 0;
    prev.mv_data = last;

    for (i = 0; i < in.nentries; i++) {
        ngx_prov_acl_key(&in, &in.entries[i], mac, &key, &value, &line);

        if (i > 0) {
            n = ngx_min(prev.mv_size, key.mv_size);

            if (memcmp(prev.mv_data, key.mv_data, n) > 0
                || (memcmp(prev.mv_data, key.mv_data, n) == 0
                    && prev.mv_size >= key.mv_size))
            {
                ngx_prov_fuzz_fail("prov-acl: \"%.*s\" after \"%.*s\"",
                                   (int) key.mv_size, (char *) key.mv_data,
                                   (int) prev.mv_size, (char *) prev.mv_data);
            }
        }

        id.len = key.mv_size;
        id.data = key.mv_data;

        d = ngx_prov_fuzz_find(im, &id);

        if (d == NULL || d->id == NULL || d->value_len != value.mv_size
            || memcmp(d->value, value.mv_data, value.mv_size) != 0
            || line == 0 || line > ap->line)
        {
            ngx_prov_fuzz_fail("prov-acl: \"%.*s\" (line %u) not the "
                               "parser's", (int) id.len, (char *) id.data,
                               (unsigned) line);
        }

        if (key.mv_size > sizeof(last)) {
            ngx_prov_fuzz_fail("prov-acl: a key of %lu bytes",
                               (unsigned long) key.mv_size);
        }

        ngx_memcpy(last, key.mv_data, key.mv_size);
        prev.mv_size = key.mv_size;
    }

    ngx_prov_acl_input_free(&in);
}


/* prov-acl's read(2) of stdin: the input, as many bytes a read as it says */

static ssize_t
ngx_prov_fuzz_sys_read(int fd, void *buf, size_t size)
{
    size_t                   n;
    ngx_prov_fuzz_import_t  *im;

    im = ngx_prov_fuzz_current;

    if (fd != STDIN_FILENO || im == NULL) {
        ngx_prov_fuzz_fail("read(%d) not of stdin", fd);
    }

    n = ngx_min(size, im->chunk);
    n = ngx_min(n, im->size - im->offset);

    ngx_memcpy(buf, im->data + im->offset, n);
    im->offset += n;

    return (ssize_t) n;
}


static void
ngx_prov_fuzz_free(ngx_prov_fuzz_import_t *im)
{
    ngx_uint_t  i;

    if (im->devices != NULL) {
        for (i = 0; i <= im->mask; i++) {
            free(im->devices[i].id);
            free(im->devices[i].value);
        }

        free(im->devices);
    }

    free(im->dump);
}


static void *
ngx_prov_fuzz_alloc(size_t size)
{
    void  *p;

    p = malloc(size ? size : 1);

    if (p == NULL) {
        ngx_prov_fuzz_fail("malloc(%lu) failed", (unsigned long) size);
    }

    return p;
}


static void
ngx_prov_fuzz_fail(const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    (void) vfprintf(stderr, fmt, args);
    va_end(args);

    (void) fputc('\n', stderr);

    abort();
}
