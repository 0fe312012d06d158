
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include "ngx_http_prov_acl_line.h"


static ngx_int_t ngx_http_prov_acl_parse_option(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *option, ngx_http_prov_acl_line_t *device);
static ngx_int_t ngx_http_prov_acl_field(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *field, const char *what);
static ngx_int_t ngx_http_prov_acl_invisible(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *field, const char *what);


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
 * Reads the list in chunks into buf (NGX_HTTP_PROV_ACL_READ_SIZE +
 * NGX_HTTP_PROV_ACL_LINE_MAX bytes), up to size (-1: to the end), and
 * hands each line, without its newline, to ap->handler (prov-acl's
 * batches) or else to ngx_http_prov_acl_parse_line()
 */

ngx_int_t
ngx_http_prov_acl_parse_file(ngx_http_prov_acl_parse_t *ap, off_t size,
    u_char *buf)
{
    u_char   *p, *start, *last, *eol;
    off_t     offset;
    size_t    kept;
    ssize_t   n;

    kept = 0;
    offset = 0;

    for ( ;; ) {
        n = 0;

        if (size < 0 || offset < size) {
            n = ap->read(ap, buf + kept, NGX_HTTP_PROV_ACL_READ_SIZE, offset);
            if (n == -1) {
                return NGX_ERROR;
            }

            offset += n;
        }

        last = buf + kept + n;
        start = buf;

        for ( ;; ) {
            eol = ngx_strlchr(start, last, LF);

            if (eol == NULL) {
                break;
            }

            ap->line++;

            if (eol - start > NGX_HTTP_PROV_ACL_LINE_MAX) {
                ngx_http_prov_acl_error(ap, "line longer than %d bytes",
                                    NGX_HTTP_PROV_ACL_LINE_MAX);

            } else {
                p = start;

                /*
                 * Windows editors may start a UTF-8 file with a byte
                 * order mark: it is stripped, for every kind of id, as
                 * operators expect.  Anywhere else it is refused: kept in
                 * an id no certificate carries, it would make a "deny"
                 * line silently deny nothing.
                 */

                if (ap->line == 1
                    && eol - p >= 3
                    && ngx_strncmp(p, "\xef\xbb\xbf", 3) == 0)
                {
                    p += 3;
                }

                if (ap->handler != NULL) {
                    (void) ap->handler(ap, p, eol);

                } else {
                    (void) ngx_http_prov_acl_parse_line(ap, p, eol);
                }

                if (ap->stop) {
                    return NGX_OK;
                }
            }

            start = eol + 1;
        }

        kept = last - start;

        if (n == 0) {
            /*
             * a last line without its newline may be cut short: it is not
             * read, and refused once the file is known not to have changed
             */

            if (kept) {
                ap->line++;
                ap->unterminated = ap->line;
            }

            return NGX_OK;
        }

        if (kept > NGX_HTTP_PROV_ACL_LINE_MAX) {
            ap->line++;
            ngx_http_prov_acl_error(ap, "line longer than %d bytes",
                                    NGX_HTTP_PROV_ACL_LINE_MAX);

            /*
             * skip the rest of the overlong line, up to the size the file
             * had when opened: a file that grows meanwhile is refused as
             * changed, and not read on for as long as it grows
             */

            for ( ;; ) {
                if (size >= 0 && offset >= size) {
                    return NGX_OK;
                }

                n = ap->read(ap, buf,
                             (size < 0 || size - offset
                                           > NGX_HTTP_PROV_ACL_READ_SIZE)
                             ? NGX_HTTP_PROV_ACL_READ_SIZE
                             : (size_t) (size - offset),
                             offset);
                if (n == -1) {
                    return NGX_ERROR;
                }

                if (n == 0) {
                    return NGX_OK;
                }

                p = ngx_strlchr(buf, buf + n, LF);

                if (p != NULL) {
                    offset += p + 1 - buf;
                    break;
                }

                offset += n;
            }

            kept = 0;
            continue;
        }

        ngx_memmove(buf, start, kept);
    }
}


/*
 * NGX_OK for a device's line (kept by ap->add), a blank line or a
 * comment; NGX_ERROR for a line refused
 */

ngx_int_t
ngx_http_prov_acl_parse_line(ngx_http_prov_acl_parse_t *ap, u_char *p,
    u_char *last)
{
    uint32_t      flags;
    ngx_int_t     rc;
    ngx_str_t     token[3];
    ngx_uint_t    n;
    const char   *what;
    ngx_http_prov_acl_line_t  *device;

    device = &ap->device;
    device->nattrs = 0;

    flags = 0;
    n = 0;

    /* id, action, then options: sha256=<fingerprint>, key=value */

    for ( ;; ) {
        while (p < last && (*p == ' ' || *p == '\t' || *p == CR)) {
            p++;
        }

        /*
         * "#" starts a comment at the start of a line or after a blank
         * only, as ngx_http_prov_acl_count_entries() reads it too
         */

        if (p == last || *p == '#') {
            break;
        }

        token[n].data = p;

        while (p < last && *p != ' ' && *p != '\t' && *p != CR) {
            p++;
        }

        token[n].len = p - token[n].data;

        what = (n == 0) ? "the id" : (n == 1) ? "the action" : "an option";

        if (ngx_http_prov_acl_field(ap, &token[n], what) != NGX_OK) {
            return NGX_ERROR;
        }

        if (n == 0) {
            n++;
            continue;
        }

        if (n == 1) {
            if (token[1].len == 5
                && ngx_strncmp(token[1].data, "allow", 5) == 0)
            {
                flags |= NGX_HTTP_PROV_ACL_ALLOW;

            } else if (token[1].len != 4
                       || ngx_strncmp(token[1].data, "deny", 4) != 0)
            {
                ngx_http_prov_acl_error(ap, "unknown action \"%.*s\"",
                                        (int) token[1].len, token[1].data);
                return NGX_ERROR;
            }

            n++;
            continue;
        }

        rc = ngx_http_prov_acl_parse_option(ap, &token[2], device);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DONE) {
            if (flags & NGX_HTTP_PROV_ACL_PIN) {
                ngx_http_prov_acl_error(ap, "more than one \"sha256=\"");
                return NGX_ERROR;
            }

            flags |= NGX_HTTP_PROV_ACL_PIN;
        }
    }

    if (n == 0) {
        return NGX_OK;                              /* blank or comment */
    }

    if (n == 1) {
        ngx_http_prov_acl_error(ap, "no action after \"%.*s\"",
                                (int) token[0].len, token[0].data);
        return NGX_ERROR;
    }

    if (ngx_http_prov_acl_parse_id(ap, &token[0], device) != NGX_OK) {
        return NGX_ERROR;
    }

    if (device->nattrs) {
        flags |= NGX_HTTP_PROV_ACL_ATTRS;
    }

    device->flags = flags;

    rc = ap->add(ap, device);

    if (rc == NGX_DECLINED) {
        ngx_http_prov_acl_duplicate(ap, &device->id);
        return NGX_ERROR;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    ap->devices++;

    return NGX_OK;
}


/*
 * a line's id (or prov-acl's ID argument), normalised as the
 * certificates' ids are, into device->id: MAC ids point into device->mac,
 * other ids into the line
 */

ngx_int_t
ngx_http_prov_acl_parse_id(ngx_http_prov_acl_parse_t *ap, ngx_str_t *id,
    ngx_http_prov_acl_line_t *device)
{
    if (ap->mac) {
        if (ngx_http_prov_mac_normalize(id, device->mac) != NGX_OK) {
            ngx_http_prov_acl_error(ap, "bad id \"%.*s\": not a MAC address",
                                    (int) id->len, id->data);
            return NGX_ERROR;
        }

        device->id.len = NGX_HTTP_PROV_MAC_LEN;
        device->id.data = device->mac;

        return NGX_OK;
    }

    if (ngx_http_prov_id_safe(id) != NGX_OK || id->len > ap->id_max) {
        ngx_http_prov_acl_error(ap, "bad id \"%.*s\"",
                                (int) id->len, id->data);
        return NGX_ERROR;
    }

    device->id = *id;

    return NGX_OK;
}


/*
 * an id given alone (prov-acl's batch "delete", its ID arguments): what
 * a line refuses in its first field is refused here too, or a "delete"
 * of "SEP001122#stolen" or "SEP001122<U+00A0>" would delete nothing and
 * succeed, a revocation silently not done
 */

ngx_int_t
ngx_http_prov_acl_parse_id_field(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *id, ngx_http_prov_acl_line_t *device)
{
    if (ngx_http_prov_acl_field(ap, id, "the id") != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_prov_acl_parse_id(ap, id, device);
}


/*
 * "account=suite#4 sha256=..." read as "account=suite" and a comment
 * would drop the pin after it, silently: refused, as are invisible
 * characters
 */

static ngx_int_t
ngx_http_prov_acl_field(ngx_http_prov_acl_parse_t *ap, ngx_str_t *field,
    const char *what)
{
    if (ngx_strlchr(field->data, field->data + field->len, '#') != NULL) {
        ngx_http_prov_acl_error(ap, "\"#\" inside \"%.*s\": a comment "
                                "needs a blank before it",
                                (int) field->len, field->data);
        return NGX_ERROR;
    }

    return ngx_http_prov_acl_invisible(ap, field, what);
}


/*
 * the later of two lines naming one device; prov-acl finds them by
 * sorting, after the lines are read, and reports them at their lines
 */

void
ngx_http_prov_acl_duplicate(ngx_http_prov_acl_parse_t *ap, ngx_str_t *id)
{
    ngx_http_prov_acl_error(ap, "duplicate id \"%.*s\"",
                            (int) id->len, id->data);
}


/*
 * a list whose last line has no newline, once the list is known not to
 * have changed while read (nginx), or read to its end (prov-acl)
 */

void
ngx_http_prov_acl_unterminated(ngx_http_prov_acl_parse_t *ap)
{
    ap->line = ap->unterminated;

    ngx_http_prov_acl_error(ap, "last line has no newline: the list may be "
                            "cut short or still being written (replace "
                            "lists atomically: write elsewhere, then mv)");
}


/* NGX_DONE for a pin, NGX_OK for an attribute */

static ngx_int_t
ngx_http_prov_acl_parse_option(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *option, ngx_http_prov_acl_line_t *device)
{
    u_char                    *eq, *p;
    ngx_str_t                  hex;
    ngx_uint_t                 i;
    ngx_http_prov_acl_attr_t  *attr, *a;

    eq = ngx_strlchr(option->data, option->data + option->len, '=');

    if (eq == NULL || eq == option->data) {
        ngx_http_prov_acl_error(ap, "bad option \"%.*s\": not key=value",
                                (int) option->len, option->data);
        return NGX_ERROR;
    }

    /* "SHA256=" must not pass for an attribute and leave a device unpinned */

    if (eq - option->data == 6
        && ngx_strncasecmp(option->data, (u_char *) "sha256", 6) == 0)
    {
        hex.len = option->len - 7;
        hex.data = option->data + 7;

        if (ngx_http_prov_acl_parse_pin(&hex, device->pin) != NGX_OK) {
            ngx_http_prov_acl_error(ap, "bad sha256 fingerprint \"%.*s\"",
                                    (int) hex.len, hex.data);
            return NGX_ERROR;
        }

        return NGX_DONE;
    }

    /* keys become variable names: $prov_acl_<key> */

    for (p = option->data; p < eq; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_'))
        {
            ngx_http_prov_acl_error(ap, "bad key in \"%.*s\"",
                                    (int) option->len, option->data);
            return NGX_ERROR;
        }
    }

    if (eq + 1 == option->data + option->len) {
        ngx_http_prov_acl_error(ap, "empty value in \"%.*s\"",
                                (int) option->len, option->data);
        return NGX_ERROR;
    }

    if (eq - option->data > 255 || option->data + option->len - eq > 65535) {
        ngx_http_prov_acl_error(ap, "option too long");
        return NGX_ERROR;
    }

    for (p = eq + 1; p < option->data + option->len; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            ngx_http_prov_acl_error(ap, "control character in \"%.*s\"",
                                    (int) option->len, option->data);
            return NGX_ERROR;
        }
    }

    a = device->attrs;

    for (i = 0; i < device->nattrs; i++) {
        if ((size_t) (eq - option->data) == a[i].key.len
            && ngx_strncasecmp(a[i].key.data, option->data, a[i].key.len)
               == 0)
        {
            ngx_http_prov_acl_error(ap, "duplicate key in \"%.*s\"",
                                    (int) option->len, option->data);
            return NGX_ERROR;
        }
    }

    /* a line of NGX_HTTP_PROV_ACL_LINE_MAX bytes cannot hold more */

    attr = &device->attrs[device->nattrs++];

    attr->key.data = option->data;
    attr->key.len = eq - option->data;
    attr->value.data = eq + 1;
    attr->value.len = option->data + option->len - (eq + 1);

    return NGX_OK;
}


/*
 * Characters no one sees in a list (a byte order mark past the file's
 * start, what a list pasted from a spreadsheet, a web page or an input
 * method carries): kept in an id no certificate carries, they make a
 * "deny" line silently deny nothing; between an attribute and a pin
 * ("account=1042<U+00A0>sha256=..."), they make one attribute of both
 * and drop the pin.  Refused in every field: Unicode's White_Space and
 * Default_Ignorable_Code_Point characters past ASCII, C1 controls, the
 * blank-looking fillers (U+2800, U+3164, U+FFA0, U+115F, U+1160) and
 * the annotation characters (U+FFF9-U+FFFB).  A field that is no UTF-8
 * is refused too: a Latin-1 or Windows-1252 list (a spreadsheet's CSV)
 * writes a no-break space as the single byte A0.
 */

static ngx_int_t
ngx_http_prov_acl_invisible(ngx_http_prov_acl_parse_t *ap, ngx_str_t *field,
    const char *what)
{
    u_char      *p, *last;
    uint32_t     c, min;
    ngx_uint_t   i, len;

    static uint32_t  invisible[][2] = {
        { 0x0080, 0x00a0 },             /* C1 controls, no-break space */
        { 0x00ad, 0x00ad },             /* soft hyphen */
        { 0x034f, 0x034f },             /* combining grapheme joiner */
        { 0x061c, 0x061c },             /* arabic letter mark */
        { 0x115f, 0x1160 },             /* hangul fillers */
        { 0x1680, 0x1680 },             /* ogham space mark */
        { 0x17b4, 0x17b5 },             /* khmer inherent vowels */
        { 0x180b, 0x180f },             /* mongolian selectors, separator */
        { 0x2000, 0x200f },             /* spaces, zero widths, marks */
        { 0x2028, 0x202f },             /* separators, embeddings, space */
        { 0x205f, 0x206f },             /* space, joiner, isolates */
        { 0x2800, 0x2800 },             /* braille blank */
        { 0x3000, 0x3000 },             /* ideographic space */
        { 0x3164, 0x3164 },             /* hangul filler */
        { 0xfe00, 0xfe0f },             /* variation selectors */
        { 0xffa0, 0xffa0 },             /* halfwidth hangul filler */
        { 0xfff0, 0xfffb },             /* unassigned, annotations */
        { 0x1bca0, 0x1bca3 },           /* shorthand format controls */
        { 0x1d173, 0x1d17a },           /* musical format controls */
        { 0xe0000, 0xe0fff }            /* tags, variation selectors */
    };

    last = field->data + field->len;

    for (p = field->data; p < last; p += len + 1) {

        len = 0;

        if (*p < 0x80) {
            continue;
        }

        c = *p;

        if (c >= 0xc2 && c <= 0xdf) {
            len = 1;
            c &= 0x1f;
            min = 0x80;

        } else if (c >= 0xe0 && c <= 0xef) {
            len = 2;
            c &= 0x0f;
            min = 0x800;

        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 3;
            c &= 0x07;
            min = 0x10000;

        } else {
            goto not_utf8;
        }

        if ((size_t) (last - p) <= len) {
            goto not_utf8;
        }

        for (i = 1; i <= len; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                goto not_utf8;
            }

            c = (c << 6) | (p[i] & 0x3f);
        }

        /* overlong forms (E0 82 A0 for U+00A0), surrogates, past U+10FFFF */

        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
            goto not_utf8;
        }

        if (c == 0xfeff) {
            ngx_http_prov_acl_error(ap, "byte order mark not at the start "
                                    "of the file");
            return NGX_ERROR;
        }

        for (i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++) {
            if (c >= invisible[i][0] && c <= invisible[i][1]) {
                ngx_http_prov_acl_error(ap, "invisible character U+%04X "
                                        "in %s (a no-break space, a "
                                        "zero-width or format character)",
                                        c, what);
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;

not_utf8:

    ngx_http_prov_acl_error(ap, "byte %02X in %s is no UTF-8 (a Latin-1 "
                            "list? its no-break space is A0)",
                            (uint32_t) *p, what);
    return NGX_ERROR;
}


/* 64 hex digits, with or without colons, as openssl prints them */

ngx_int_t
ngx_http_prov_acl_parse_pin(ngx_str_t *hex, u_char *pin)
{
    u_char      *p, *last;
    ngx_int_t    digit;
    ngx_uint_t   n, colons;

    if (hex->len == 2 * NGX_HTTP_PROV_SHA256_LEN) {
        colons = 0;

    } else if (hex->len == NGX_HTTP_PROV_PIN_PRINT_LEN) {
        colons = 1;

    } else {
        return NGX_ERROR;
    }

    n = 0;
    last = hex->data + hex->len;

    for (p = hex->data; p < last; p++) {

        if (colons && (p - hex->data) % 3 == 2) {
            if (*p != ':') {
                return NGX_ERROR;
            }

            continue;
        }

        if (*p >= '0' && *p <= '9') {
            digit = *p - '0';

        } else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f') {
            digit = (*p | 0x20) - 'a' + 10;

        } else {
            return NGX_ERROR;
        }

        if (n % 2 == 0) {
            pin[n / 2] = (u_char) (digit << 4);

        } else {
            pin[n / 2] |= (u_char) digit;
        }

        n++;
    }

    return (n == 2 * NGX_HTTP_PROV_SHA256_LEN) ? NGX_OK : NGX_ERROR;
}


/*
 * openssl's form (x509 -noout -fingerprint -sha256), or the 64 digits
 * alone; the log, the dump and openssl then print one pin the same way
 */

u_char *
ngx_http_prov_acl_pin_print(u_char *b, u_char *pin, ngx_uint_t colons)
{
    ngx_uint_t  i;

    static u_char  hex[] = "0123456789ABCDEF";

    for (i = 0; i < NGX_HTTP_PROV_SHA256_LEN; i++) {
        if (i && colons) {
            *b++ = ':';
        }

        *b++ = hex[pin[i] >> 4];
        *b++ = hex[pin[i] & 0xf];
    }

    return b;
}


/*
 * "FILE:LINE: " and the newline are the caller's: nginx -t and prov-acl
 * say the same of the same line
 */

void
ngx_http_prov_acl_error(ngx_http_prov_acl_parse_t *ap, const char *fmt, ...)
{
    int      n;
    va_list  args;
    u_char   text[NGX_HTTP_PROV_ACL_ERROR_MAX];

    ap->errors++;

    if (ap->errors > NGX_HTTP_PROV_ACL_ERRORS) {

        if (ap->errors == NGX_HTTP_PROV_ACL_ERRORS + 1) {
            ap->error(ap, NULL, 0);
        }

        return;
    }

    va_start(args, fmt);
    n = vsnprintf((char *) text, sizeof(text), fmt, args);
    va_end(args);

    if (n < 0) {
        n = 0;
    }

    ap->error(ap, text, ngx_min((size_t) n, sizeof(text) - 1));
}


/*
 * a device's attributes, as the records and database values keep them:
 * [u16 count], then per attribute [u8 key length] key [u16 value length]
 * value, in the host's byte order
 */

size_t
ngx_http_prov_acl_attrs_size(ngx_http_prov_acl_line_t *device)
{
    size_t      size;
    ngx_uint_t  i;

    size = 2;

    for (i = 0; i < device->nattrs; i++) {
        size += 1 + device->attrs[i].key.len + 2 + device->attrs[i].value.len;
    }

    return size;
}


u_char *
ngx_http_prov_acl_attrs_write(u_char *p, ngx_http_prov_acl_line_t *device)
{
    uint16_t                   len16;
    ngx_uint_t                 i;
    ngx_http_prov_acl_attr_t  *attr;

    len16 = (uint16_t) device->nattrs;
    p = ngx_cpymem(p, &len16, 2);

    attr = device->attrs;

    for (i = 0; i < device->nattrs; i++) {
        *p++ = (u_char) attr[i].key.len;
        p = ngx_cpymem(p, attr[i].key.data, attr[i].key.len);
        len16 = (uint16_t) attr[i].value.len;
        p = ngx_cpymem(p, &len16, 2);
        p = ngx_cpymem(p, attr[i].value.data, attr[i].value.len);
    }

    return p;
}


/*
 * an attribute's value, pointing into the block: nothing allocated;
 * NGX_DECLINED when the block has no such key, NGX_ERROR when it runs
 * past last (a database value not written by prov-acl)
 */

ngx_int_t
ngx_http_prov_acl_attrs_find(u_char *p, u_char *last, ngx_str_t *key,
    ngx_str_t *value)
{
    uint16_t    len16, count;
    ngx_uint_t  i, klen;

    if (last - p < 2) {
        return NGX_ERROR;
    }

    ngx_memcpy(&count, p, 2);
    p += 2;

    for (i = 0; i < count; i++) {
        if (last - p < 3) {
            return NGX_ERROR;
        }

        klen = *p++;

        if ((size_t) (last - p) < klen + 2) {
            return NGX_ERROR;
        }

        ngx_memcpy(&len16, p + klen, 2);

        if ((size_t) (last - p) < klen + 2 + len16) {
            return NGX_ERROR;
        }

        if (klen == key->len && ngx_strncasecmp(p, key->data, klen) == 0) {
            value->len = len16;
            value->data = p + klen + 2;
            return NGX_OK;
        }

        p += klen + 2 + len16;
    }

    return NGX_DECLINED;
}


/* an LMDB list's value: [u8 flags] [pin] [attributes] */

size_t
ngx_http_prov_acl_value_size(ngx_http_prov_acl_line_t *device)
{
    size_t  size;

    size = 1;

    if (device->flags & NGX_HTTP_PROV_ACL_PIN) {
        size += NGX_HTTP_PROV_SHA256_LEN;
    }

    if (device->flags & NGX_HTTP_PROV_ACL_ATTRS) {
        size += ngx_http_prov_acl_attrs_size(device);
    }

    return size;
}


u_char *
ngx_http_prov_acl_value_write(u_char *p, ngx_http_prov_acl_line_t *device)
{
    *p++ = (u_char) device->flags;

    if (device->flags & NGX_HTTP_PROV_ACL_PIN) {
        p = ngx_cpymem(p, device->pin, NGX_HTTP_PROV_SHA256_LEN);
    }

    if (device->flags & NGX_HTTP_PROV_ACL_ATTRS) {
        p = ngx_http_prov_acl_attrs_write(p, device);
    }

    return p;
}


/*
 * NGX_OK when a value read from a database is one prov-acl writes: its
 * parts as long as its flags say, its attributes within it
 */

ngx_int_t
ngx_http_prov_acl_value_check(u_char *p, size_t len)
{
    u_char     *last, *k;
    uint16_t    len16, count;
    ngx_uint_t  i, flags;

    if (len == 0) {
        return NGX_ERROR;
    }

    last = p + len;
    flags = *p++;

    if (flags & ~(NGX_HTTP_PROV_ACL_ALLOW|NGX_HTTP_PROV_ACL_PIN
                  |NGX_HTTP_PROV_ACL_ATTRS))
    {
        return NGX_ERROR;
    }

    if (flags & NGX_HTTP_PROV_ACL_PIN) {
        if (last - p < NGX_HTTP_PROV_SHA256_LEN) {
            return NGX_ERROR;
        }

        p += NGX_HTTP_PROV_SHA256_LEN;
    }

    if (!(flags & NGX_HTTP_PROV_ACL_ATTRS)) {
        return (p == last) ? NGX_OK : NGX_ERROR;
    }

    if (last - p < 2) {
        return NGX_ERROR;
    }

    ngx_memcpy(&count, p, 2);
    p += 2;

    for (i = 0; i < count; i++) {
        if (last - p < 1 || (size_t) (last - p) < 1 + (size_t) p[0] + 2) {
            return NGX_ERROR;
        }

        ngx_memcpy(&len16, p + 1 + p[0], 2);

        if ((size_t) (last - p) < 1 + (size_t) p[0] + 2 + len16) {
            return NGX_ERROR;
        }

        /*
         * what the parser takes and no more: a value written by hand
         * must not print as lines of its own in a dump
         */

        if (p[0] == 0 || len16 == 0) {
            return NGX_ERROR;
        }

        for (k = p + 1; k < p + 1 + p[0]; k++) {
            if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z')
                  || (*k >= '0' && *k <= '9') || *k == '_'))
            {
                return NGX_ERROR;
            }
        }

        for (k = p + 1 + p[0] + 2; k < p + 1 + p[0] + 2 + len16; k++) {
            if (*k <= 0x20 || *k == 0x7f) {
                return NGX_ERROR;
            }
        }

        p += 1 + p[0] + 2 + len16;
    }

    return (p == last) ? NGX_OK : NGX_ERROR;
}


/*
 * a device's line in the list's format, with its newline, from a value
 * that passed ngx_http_prov_acl_value_check(); buf holds
 * NGX_HTTP_PROV_ACL_PRINT_SIZE(id->len, len) bytes
 */

size_t
ngx_http_prov_acl_value_print(u_char *buf, ngx_str_t *id, u_char *p,
    size_t len)
{
    u_char      *b, *last, *a;
    size_t       size;
    uint16_t     len16, count;
    ngx_uint_t   i, flags, colons;

    last = p + len;
    flags = *p++;

    /*
     * The pin in openssl's form is 31 bytes longer than the 64 hex digits
     * a line may give: a line of up to 4096 bytes would dump longer, and
     * the dump would not import.  Such a line's pin is printed without
     * colons: the line printed is then no longer than the line read.
     */

    colons = 1;

    if (flags & NGX_HTTP_PROV_ACL_PIN) {
        size = id->len + sizeof(" sha256=") - 1
               + ((flags & NGX_HTTP_PROV_ACL_ALLOW) ? sizeof(" allow") - 1
                                                    : sizeof(" deny") - 1)
               + NGX_HTTP_PROV_PIN_PRINT_LEN;

        if (flags & NGX_HTTP_PROV_ACL_ATTRS) {
            a = p + NGX_HTTP_PROV_SHA256_LEN;
            ngx_memcpy(&count, a, 2);
            a += 2;

            for (i = 0; i < count && a < last; i++) {
                ngx_memcpy(&len16, a + 1 + a[0], 2);
                size += 2 + a[0] + len16;
                a += 1 + a[0] + 2 + len16;
            }
        }

        colons = (size <= NGX_HTTP_PROV_ACL_LINE_MAX);
    }

    b = ngx_cpymem(buf, id->data, id->len);

    if (flags & NGX_HTTP_PROV_ACL_ALLOW) {
        b = ngx_cpymem(b, " allow", sizeof(" allow") - 1);

    } else {
        b = ngx_cpymem(b, " deny", sizeof(" deny") - 1);
    }

    if (flags & NGX_HTTP_PROV_ACL_PIN) {
        b = ngx_cpymem(b, " sha256=", sizeof(" sha256=") - 1);
        b = ngx_http_prov_acl_pin_print(b, p, colons);
        p += NGX_HTTP_PROV_SHA256_LEN;
    }

    if (flags & NGX_HTTP_PROV_ACL_ATTRS) {
        ngx_memcpy(&count, p, 2);
        p += 2;

        for (i = 0; i < count && p < last; i++) {
            *b++ = ' ';
            b = ngx_cpymem(b, p + 1, p[0]);
            *b++ = '=';
            ngx_memcpy(&len16, p + 1 + p[0], 2);
            b = ngx_cpymem(b, p + 1 + p[0] + 2, len16);
            p += 1 + p[0] + 2 + len16;
        }
    }

    *b++ = LF;

    return b - buf;
}
