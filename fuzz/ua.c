
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * The User-Agent check, ngx_http_prov_ua_id_check(), on one User-Agent
 * value, with examples/mixed-fleet.conf's branch-reset regex (README.md's)
 * given to the module's prov_ua_id directive, under four rules made by
 * its prov_id: "ST mac", a regex whose capture is named "mac" (both read
 * MAC addresses), the value, and a regex with an "id" capture.
 *
 * The input's first byte: bits 0-1 the rule, bit 2 a User-Agent made of
 * the rest as it is, else one built from a vendor's form; bytes 1-6 the
 * device: its MAC, under the other rules its id as 12 lowercase hex
 * digits.  Checked for every input, against a model made here (the regex
 * compiled again, each match searched in what follows the last, the
 * capture "id", "mac" or the first, read by the rule's format): the
 * result (names the device only, no device, another) and the value named
 * on a refusal.  For a built User-Agent under a MAC rule, also: naming
 * the device alone, in any spelling (any case; ":", "-", "." or no
 * separator), it is not refused, and in its vendor's own form, nothing
 * before or after it, it is found; naming another device so, it is
 * refused and names that device.
 *
 * A built User-Agent: byte 7 the vendor's form, byte 8: bits 0-1 the
 * separator, bit 2 the vendor's own, bit 3 another device (bytes 9-14)
 * in the vendor's own spelling, bit 4 "Mozilla/5.0 " before it, bit 5 a
 * second vendor's form after it (byte 15), naming the device or, bit 6,
 * the other; bytes 16-17 the case of each hex letter; more bytes: text
 * after it, of bytes that are no hex digit, separator or bracket.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"
#include "ngx_prov_fuzz.h"


#define NGX_PROV_FUZZ_UA_RULES  4
#define NGX_PROV_FUZZ_UA_MAX    1024


/* examples/mixed-fleet.conf's, README.md's (prov_ua_id) */
#define NGX_PROV_FUZZ_UA_REGEX                                                \
    "(?i)(?|^Cisco[/-]\\S* \\((?<id>[0-9a-f]{12})\\)|"                        \
    "^Yealink .* (?<id>[0-9a-f]{2}(?::[0-9a-f]{2}){5})$|"                     \
    "^(?=.*snom).* (?<id>[0-9a-f]{12})\\)?$|DevId (?<id>[0-9a-f]{12})|"       \
    "MAC:(?<id>[0-9a-f]{12}|[0-9a-f]{2}(?:-[0-9a-f]{2}){5}))"


typedef struct {
    char        *form;          /* %s: the MAC */
    ngx_uint_t   separator;     /* the vendor's own: 0 none, ':' or '-' */
} ngx_prov_fuzz_ua_form_t;


static ngx_int_t ngx_prov_fuzz_ua_model(ngx_http_request_t *r,
    ngx_uint_t rule, ngx_str_t *id, ngx_str_t *ua, ngx_str_t *named);
static ngx_int_t ngx_prov_fuzz_ua_names(ngx_uint_t rule, ngx_str_t *id,
    ngx_str_t *value);
static u_char *ngx_prov_fuzz_ua_mac(u_char *p, const u_char *mac,
    ngx_uint_t separator, ngx_uint_t cases);
static u_char *ngx_prov_fuzz_ua_form(u_char *p, ngx_uint_t form,
    const u_char *mac, ngx_uint_t separator, ngx_uint_t own, ngx_uint_t cases);


static ngx_prov_fuzz_ua_form_t  ngx_prov_fuzz_ua_forms[] = {
    { "Cisco/SPA508G-7.4.4 (%s)(CBT141400UK)", 0 },
    { "Cisco-CP-8841-3PCC/11.0 (%s)", 0 },
    { "Yealink SIP-T46G 28.72.0.1 %s", ':' },
    { "Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 %s)",
      0 },
    { "Grandstream Model HW GXP2160 SW 1.0.7.13 DevId %s", 0 },
    { "Avaya one-X Deskphone/J179 (MAC:%s)", 0 },
    { "Mitel 6867i/5.1.0.2040 MAC:%s", '-' },
};

#define NGX_PROV_FUZZ_UA_FORMS                                                \
    (sizeof(ngx_prov_fuzz_ua_forms) / sizeof(ngx_prov_fuzz_ua_form_t))


static ngx_http_prov_regex_t     *ngx_prov_fuzz_ua;
static ngx_http_prov_id_conf_t   *ngx_prov_fuzz_rules[NGX_PROV_FUZZ_UA_RULES];

/* the model's own copy of the regex */
static ngx_regex_t               *ngx_prov_fuzz_regex;
static ngx_uint_t                 ngx_prov_fuzz_capture;
static ngx_uint_t                 ngx_prov_fuzz_ncaptures;

/* the rules that read a MAC */
static ngx_uint_t  ngx_prov_fuzz_mac_rule[NGX_PROV_FUZZ_UA_RULES] = {
    1, 1, 0, 0
};

static u_char  ngx_prov_fuzz_text[] =
    "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ /;_+=,!~*";


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    u_char                    *name;
    ngx_int_t                  i;
    ngx_regex_compile_t        rc;
    ngx_prov_fuzz_conf_t      *fc;
    ngx_http_prov_loc_conf_t  *plcf;
    u_char                     errstr[NGX_MAX_CONF_ERRSTR];

    static char  *rules[NGX_PROV_FUZZ_UA_RULES][2] = {
        { "ST", "mac" },
        { "CN", "(?i)[a-z ]*(?<mac>[0-9a-f]{12})" },
        { "CN", NULL },
        { "CN", "(?<id>[0-9a-z-]+)\\.dev\\.example\\.net" },
    };

    ngx_prov_fuzz_init();

    fc = ngx_prov_fuzz_conf(ngx_prov_fuzz_pool);
    if (fc == NULL) {
        abort();
    }

    for (i = 0; i < NGX_PROV_FUZZ_UA_RULES; i++) {
        plcf = ngx_prov_fuzz_loc_conf(fc);

        if (plcf == NULL
            || ngx_prov_fuzz_directive(fc, plcf, "prov", "on", NULL) != NGX_OK
            || ngx_prov_fuzz_directive(fc, plcf, "prov_id", rules[i][0],
                                       rules[i][1], NULL)
               != NGX_OK
            || ngx_prov_fuzz_directive(fc, plcf, "prov_ua_id",
                                       NGX_PROV_FUZZ_UA_REGEX, NULL)
               != NGX_OK
            || ngx_prov_fuzz_merge(fc, plcf) != NGX_OK
            || plcf->gate == NULL
            || plcf->gate->ids->nelts != 1
            || plcf->ua_id == NULL)
        {
            ngx_log_stderr(0, "configuration %i failed", i);
            abort();
        }

        ngx_prov_fuzz_rules[i] = plcf->gate->ids->elts;
        ngx_prov_fuzz_ua = &plcf->ua_id->regex;
    }

    /* the model's: searched, not anchored, as prov_uri_id's */

    ngx_memzero(&rc, sizeof(ngx_regex_compile_t));

    ngx_str_set(&rc.pattern, NGX_PROV_FUZZ_UA_REGEX);
    rc.pool = ngx_prov_fuzz_pool;
    rc.err.len = NGX_MAX_CONF_ERRSTR;
    rc.err.data = errstr;

    if (ngx_regex_compile(&rc) != NGX_OK || rc.captures == 0) {
        ngx_log_stderr(0, "the model's regex: %V", &rc.err);
        abort();
    }

    ngx_prov_fuzz_regex = rc.regex;
    ngx_prov_fuzz_ncaptures = (rc.captures + 1) * 3;
    ngx_prov_fuzz_capture = 1;

    name = rc.names;

    for (i = 0; i < rc.named_captures; i++, name += rc.name_size) {
        if (ngx_strcmp(&name[2], "id") == 0) {
            ngx_prov_fuzz_capture = 256 * name[0] + name[1];
            break;
        }

        if (ngx_strcmp(&name[2], "mac") == 0) {
            ngx_prov_fuzz_capture = 256 * name[0] + name[1];
        }
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char               *ua, *p, *last;
    ngx_int_t             rc, want;
    ngx_str_t             id, subject, named, expect, other_id;
    ngx_uint_t            rule, i, form, opts, built, other, cases, mac_rule,
                          alone, same;
    ngx_pool_t           *pool;
    ngx_connection_t     *c;
    ngx_http_request_t   *r;
    u_char                mac[6], omac[6], hex[12], ohex[12];

    static u_char  digits[] = "0123456789abcdef";

    if (size < 7) {
        return 0;
    }

    rule = data[0] & 0x03;
    built = !(data[0] & 0x04);
    mac_rule = ngx_prov_fuzz_mac_rule[rule];

    ngx_memcpy(mac, &data[1], 6);

    for (i = 0; i < 6; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 0x0f];
    }

    /* the certificate's id: 12 lowercase hex digits, as the rules read it */

    id.len = 12;
    id.data = hex;

    pool = ngx_prov_fuzz_create_pool();

    /* a copy of the exact size: a read past the value is caught */

    ua = ngx_pnalloc(pool, NGX_PROV_FUZZ_UA_MAX);
    if (ua == NULL) {
        abort();
    }

    other = 0;
    form = 0;
    opts = 0;
    cases = 0;

    if (!built) {
        subject.len = ngx_min(size - 7, NGX_PROV_FUZZ_UA_MAX);
        ngx_memcpy(ua, &data[7], subject.len);

    } else {
        if (size < 18) {
            ngx_destroy_pool(pool);
            return 0;
        }

        form = data[7] % NGX_PROV_FUZZ_UA_FORMS;
        opts = data[8];
        other = (opts & 0x08) ? 1 : 0;
        cases = (data[16] << 8) | data[17];

        ngx_memcpy(omac, &data[9], 6);

        for (i = 0; i < 6; i++) {
            ohex[2 * i] = digits[omac[i] >> 4];
            ohex[2 * i + 1] = digits[omac[i] & 0x0f];
        }

        if (other && ngx_memcmp(omac, mac, 6) == 0) {
            other = 0;
        }

        p = ua;

        if (opts & 0x10) {
            p = ngx_cpymem(p, "Mozilla/5.0 ", sizeof("Mozilla/5.0 ") - 1);
        }

        p = ngx_prov_fuzz_ua_form(p, form, other ? omac : mac, opts & 0x03,
                                  (opts & 0x04) || other, cases);

        if (opts & 0x20) {
            *p++ = ' ';
            p = ngx_prov_fuzz_ua_form(p, data[15] % NGX_PROV_FUZZ_UA_FORMS,
                                      (opts & 0x40) ? omac : mac, 0, 1,
                                      cases >> 3);
        }

        /* text after it that cannot make or change a MAC */

        last = ua + NGX_PROV_FUZZ_UA_MAX;

        for (i = 18; i < size && p < last; i++) {
            if (i == 18) {
                *p++ = ' ';
                continue;
            }

            *p++ = ngx_prov_fuzz_text[data[i] % (sizeof(ngx_prov_fuzz_text)
                                                 - 1)];
        }

        subject.len = p - ua;
    }

    subject.data = ua;

    /* a request of its own */

    c = ngx_pcalloc(pool, sizeof(ngx_connection_t));
    r = ngx_pcalloc(pool, sizeof(ngx_http_request_t));

    if (c == NULL || r == NULL) {
        abort();
    }

    c->pool = pool;
    c->log = ngx_prov_fuzz_log;
    r->main = r;
    r->pool = pool;
    r->connection = c;

    ngx_str_null(&named);

    rc = ngx_http_prov_ua_id_check(r, ngx_prov_fuzz_ua,
                                   ngx_prov_fuzz_rules[rule], &id, &subject,
                                   &named);

    ngx_str_null(&expect);

    want = ngx_prov_fuzz_ua_model(r, rule, &id, &subject, &expect);

    same = (rc == want
            && (rc != NGX_DECLINED
                || (named.data == expect.data && named.len == expect.len)));

    /* "%V" of an empty string would memcpy() from NULL */

    if (named.len == 0) {
        ngx_str_set(&named, "");
    }

    if (expect.len == 0) {
        ngx_str_set(&expect, "");
    }

    if (ngx_prov_fuzz_verbose) {
        ngx_log_stderr(0, "rule %ui, id %V, \"%V\": %i (model %i), "
                       "named \"%V\"", rule, &id, &subject, rc, want, &named);
    }

    if (!same) {
        ngx_log_stderr(0, "rule %ui, id %V, User-Agent \"%V\": %i, named "
                       "\"%V\"; the model: %i, \"%V\"", rule, &id, &subject,
                       rc, &named, want, &expect);
        abort();
    }

    if (built && mac_rule) {
        /* the device alone, however spelt, passes */

        if (!other && !((opts & 0x20) && (opts & 0x40)) && rc == NGX_DECLINED)
        {
            ngx_log_stderr(0, "the device %V alone refused: \"%V\", "
                           "named \"%V\"", &id, &subject, &named);
            abort();
        }

        alone = !(opts & 0x30) && size == 18;

        /* and is found in its vendor's own form, whatever the case */

        if (!other && alone && (opts & 0x04) && rc != NGX_OK) {
            ngx_log_stderr(0, "the device %V not found in \"%V\"",
                           &id, &subject);
            abort();
        }

        /* another device in its vendor's own form is refused, and named */

        other_id.len = 12;
        other_id.data = ohex;

        if (other && alone && rc != NGX_DECLINED) {
            ngx_log_stderr(0, "device %V, another (%V) passes: \"%V\"",
                           &id, &other_id, &subject);
            abort();
        }

        if (other && alone
            && ngx_prov_fuzz_ua_names(rule, &other_id, &named) != NGX_OK)
        {
            ngx_log_stderr(0, "device %V, another (%V) in \"%V\": "
                           "named \"%V\"", &id, &other_id, &subject, &named);
            abort();
        }
    }

    ngx_destroy_pool(pool);

    return 0;
}


/*
 * what the check should find: every match searched in what follows the
 * last (after its first byte when empty), as a subject of its own; its
 * capture, when set, must name the device by the rule's format.  NGX_OK:
 * it names the device and no other, NGX_DONE: no device, NGX_DECLINED:
 * another ("named")
 */

static ngx_int_t
ngx_prov_fuzz_ua_model(ngx_http_request_t *r, ngx_uint_t rule,
    ngx_str_t *id, ngx_str_t *ua, ngx_str_t *named)
{
    int        *captures;
    size_t      end;
    ngx_int_t   rc;
    ngx_str_t   subject, value;
    ngx_uint_t  found;

    captures = ngx_palloc(r->pool, ngx_prov_fuzz_ncaptures * sizeof(int));
    if (captures == NULL) {
        abort();
    }

    subject = *ua;
    found = 0;

    for ( ;; ) {
        rc = ngx_regex_exec(ngx_prov_fuzz_regex, &subject, captures,
                            ngx_prov_fuzz_ncaptures);

        if (rc == NGX_REGEX_NO_MATCHED) {
            break;
        }

        if (rc < 0) {
            /* refused: the User-Agent cannot be searched */
            return NGX_ABORT;
        }

        if ((ngx_uint_t) rc > ngx_prov_fuzz_capture
            && captures[2 * ngx_prov_fuzz_capture] >= 0)
        {
            value.data = subject.data + captures[2 * ngx_prov_fuzz_capture];
            value.len = captures[2 * ngx_prov_fuzz_capture + 1]
                        - captures[2 * ngx_prov_fuzz_capture];

            if (ngx_prov_fuzz_ua_names(rule, id, &value) != NGX_OK) {
                *named = value;
                return NGX_DECLINED;
            }

            found = 1;
        }

        end = captures[1];

        if (captures[1] == captures[0]) {
            end++;
        }

        if (end >= subject.len) {
            break;
        }

        subject.data += end;
        subject.len -= end;
    }

    return found ? NGX_OK : NGX_DONE;
}


/*
 * NGX_OK: "value" names the device "id" under the rule's format (a MAC
 * as ngx_http_prov_mac_normalize() reads it: fuzz/mac.c checks that)
 */

static ngx_int_t
ngx_prov_fuzz_ua_names(ngx_uint_t rule, ngx_str_t *id, ngx_str_t *value)
{
    ngx_str_t  name;
    u_char     mac[NGX_HTTP_PROV_MAC_LEN];

    name = *value;

    if (ngx_prov_fuzz_mac_rule[rule]) {
        if (ngx_http_prov_mac_normalize(value, mac) != NGX_OK) {
            return NGX_DECLINED;
        }

        name.len = NGX_HTTP_PROV_MAC_LEN;
        name.data = mac;
    }

    return (name.len == id->len
            && ngx_memcmp(name.data, id->data, id->len) == 0)
           ? NGX_OK : NGX_DECLINED;
}


/* a vendor's User-Agent naming "mac" */

static u_char *
ngx_prov_fuzz_ua_form(u_char *p, ngx_uint_t form, const u_char *mac,
    ngx_uint_t separator, ngx_uint_t own, ngx_uint_t cases)
{
    char                     *s;
    ngx_uint_t                sep;
    ngx_prov_fuzz_ua_form_t  *f;

    static ngx_uint_t  separators[] = { 0, ':', '-', '.' };

    f = &ngx_prov_fuzz_ua_forms[form];

    sep = own ? f->separator : separators[separator];

    for (s = f->form; *s; s++) {
        if (s[0] == '%' && s[1] == 's') {
            p = ngx_prov_fuzz_ua_mac(p, mac, sep, cases);
            s++;
            continue;
        }

        *p++ = *s;
    }

    return p;
}


/* each letter uppercase where its bit of "cases" is set */

static u_char *
ngx_prov_fuzz_ua_mac(u_char *p, const u_char *mac, ngx_uint_t separator,
    ngx_uint_t cases)
{
    u_char      c;
    ngx_uint_t  i;

    static u_char  digits[] = "0123456789abcdef";

    for (i = 0; i < 12; i++) {
        if (i && i % 2 == 0 && separator) {
            *p++ = (u_char) separator;
        }

        c = digits[(i % 2) ? (mac[i / 2] & 0x0f) : (mac[i / 2] >> 4)];

        if (((cases >> i) & 1) && c >= 'a') {
            c &= ~0x20;
        }

        *p++ = c;
    }

    return p;
}
