
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * The rule a verified chain is read by, ngx_http_prov_id_rule(), with
 * rules made by the module's own prov_id directive and merge.  The input
 * gives up to four rules, each with an issuer file made of some of seven
 * certificates (none: no issuer=), and a chain: the device's certificate
 * and what verification put above it, each one of the seven, one of them
 * with a bit flipped, or DER bytes.  The certificates are fixed (below),
 * so that an input can carry their exact bytes: rootA, intA under it,
 * rootB, twinB (rootB's name and key, another serial), fakeIntA (intA's
 * subject, issuer, serial and key identifier, its own key), rootC, and a
 * device's certificate under intA (no CA).
 *
 * Checked, for every input: nginx -t refuses exactly the configurations
 * where a file holds a certificate that is no CA or a rule can never be
 * reached (after a rule without issuer=, or every CA of its file in
 * earlier files); the rule chosen is the first without issuer= or whose
 * file holds a CA of chain[1..] (the device's own, chain[0], never
 * counts), the same CA meaning the same DER encoding, or the same subject
 * name (X509_NAME_cmp()) and public key (a CA re-issued or its signature
 * made again), never the same name, key identifier or serial alone: twinB
 * is rootB, fakeIntA is not intA; NULL when there is no such rule; the
 * chain is left as it was.
 *
 * Input: byte 0, bits 0-1: the number of rules less one; one byte per
 * rule: bits 0-6 the certificates of its file (bit 6 the device's), bit
 * 7 "mac" (else the value); then at most 8 certificates of the chain, each
 * a byte: bits 0-2 below 7 one of the seven (bit 7 set: with a bit flipped,
 * the bit's index in the next two bytes), 7 DER of the length in the next
 * two bytes.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"
#include "ngx_prov_fuzz.h"


#define NGX_PROV_FUZZ_CERTS  7
#define NGX_PROV_FUZZ_LEAF   6      /* the device's: no CA */
#define NGX_PROV_FUZZ_RULES  4
#define NGX_PROV_FUZZ_CHAIN  8
#define NGX_PROV_FUZZ_MASKS  (1 << NGX_PROV_FUZZ_CERTS)


static X509 *ngx_prov_fuzz_chain_cert(const u_char **pos, const u_char *last);
static ngx_uint_t ngx_prov_fuzz_same_ca(X509 *x, u_char *der, int len,
    ngx_uint_t k);
static char *ngx_prov_fuzz_cert_name(u_char *der, int len);
static ngx_str_t *ngx_prov_fuzz_issuer_file(ngx_uint_t mask);
static void ngx_prov_fuzz_issuer_cleanup(void);


static char  *ngx_prov_fuzz_names[NGX_PROV_FUZZ_CERTS] = {
    "rootA", "intA", "rootB", "twinB", "fakeIntA", "rootC", "device"
};

/* made once with openssl(1), EC P-256 */

static char  ngx_prov_fuzz_pem[] =
    /* rootA */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBojCCAUigAwIBAgIBATAKBggqhkjOPQQDAjAnMQ8wDQYDVQQKDAZGdXp6IEEx\n"
    "FDASBgNVBAMMC0Z1enogUm9vdCBBMCAXDTI2MTIwMjE5MjIzNVoYDzIxMjYxMTA4\n"
    "MTkyMjM1WjAnMQ8wDQYDVQQKDAZGdXp6IEExFDASBgNVBAMMC0Z1enogUm9vdCBB\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaDdxuSEF2eb02z3Jg03SHSQIKoiR\n"
    "EyGWLNY+b8V+Yz3/SRbFZ1VBuvGZQjFMtTHvx+8BO/zOaObXf91/FFQzM6NjMGEw\n"
    "HQYDVR0OBBYEFJ9pWpE3fTDqSNe48PGsm+eBmR+rMB8GA1UdIwQYMBaAFJ9pWpE3\n"
    "fTDqSNe48PGsm+eBmR+rMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEG\n"
    "MAoGCCqGSM49BAMCA0gAMEUCIHWtUeelTH4TLOrWM55Gjr39wLFtlz7sVbLI2M+W\n"
    "fpT+AiEAyZWqRqMJPbF6+JfharyIGi6mE84Sp/GWwczErG5mb8I=\n"
    "-----END CERTIFICATE-----\n"
    /* intA */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBoDCCAUegAwIBAgIBAjAKBggqhkjOPQQDAjAnMQ8wDQYDVQQKDAZGdXp6IEEx\n"
    "FDASBgNVBAMMC0Z1enogUm9vdCBBMCAXDTI2MTIwMjE5MjIzNVoYDzIxMjYxMTA4\n"
    "MTkyMjM1WjAmMQ8wDQYDVQQKDAZGdXp6IEExEzARBgNVBAMMCkZ1enogSW50IEEw\n"
    "WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARkIgYn5hDTbQRPjnllsWPSXWOaa+Ow\n"
    "r1YqRBdPW5JACMvaTZt8OVJMcQid9lzVxku9PKIH1fYzDEU4kXmE1VF2o2MwYTAP\n"
    "BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUao4bygMz\n"
    "vdtE80yj/N36y9glyu0wHwYDVR0jBBgwFoAUn2lakTd9MOpI17jw8ayb54GZH6sw\n"
    "CgYIKoZIzj0EAwIDRwAwRAIge/sYGJhzRgRCAnMDK4ScUnJ9g201Kvs5b+9nV7WX\n"
    "2RsCIFjA+5/pltVpshWocDS28lXCJlOzhJOyfEgt/v8EqCBI\n"
    "-----END CERTIFICATE-----\n"
    /* rootB */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBojCCAUigAwIBAgIBAzAKBggqhkjOPQQDAjAnMQ8wDQYDVQQKDAZGdXp6IEIx\n"
    "FDASBgNVBAMMC0Z1enogUm9vdCBCMCAXDTI2MTIwMjE5MjIzNVoYDzIxMjYxMTA4\n"
    "MTkyMjM1WjAnMQ8wDQYDVQQKDAZGdXp6IEIxFDASBgNVBAMMC0Z1enogUm9vdCBC\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENeo42gIXTaiI5J+6g2a6INWGppw7\n"
    "0b93qAELStQqhxeemUfovoCyFbF5Qvl6Ii+beLnbTKWMaPcuH9O8Zy6xyaNjMGEw\n"
    "HQYDVR0OBBYEFGkMJO/XqDn9iWV464Lj3iVjVe/pMB8GA1UdIwQYMBaAFGkMJO/X\n"
    "qDn9iWV464Lj3iVjVe/pMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEG\n"
    "MAoGCCqGSM49BAMCA0gAMEUCIQCyXLitdricmhvPJ5HJTj2g/c5IislTvGccgxQI\n"
    "iAzbFwIgSBV0jdQteDxst74k54XQrjOYRU1g5UHbvMCm86PDDEA=\n"
    "-----END CERTIFICATE-----\n"
    /* twinB */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBozCCAUigAwIBAgIBBDAKBggqhkjOPQQDAjAnMQ8wDQYDVQQKDAZGdXp6IEIx\n"
    "FDASBgNVBAMMC0Z1enogUm9vdCBCMCAXDTI2MTIwMjE5MjIzNVoYDzIxMjYxMTA4\n"
    "MTkyMjM1WjAnMQ8wDQYDVQQKDAZGdXp6IEIxFDASBgNVBAMMC0Z1enogUm9vdCBC\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENeo42gIXTaiI5J+6g2a6INWGppw7\n"
    "0b93qAELStQqhxeemUfovoCyFbF5Qvl6Ii+beLnbTKWMaPcuH9O8Zy6xyaNjMGEw\n"
    "HQYDVR0OBBYEFGkMJO/XqDn9iWV464Lj3iVjVe/pMB8GA1UdIwQYMBaAFGkMJO/X\n"
    "qDn9iWV464Lj3iVjVe/pMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEG\n"
    "MAoGCCqGSM49BAMCA0kAMEYCIQCAzI6nwJjQ5c0TnqM7f/RPoY5wiqwIx/gFhqkP\n"
    "eYEJ0AIhAL2bhuJiM8/bFIFHdHco5MTT9wlfnKIItGwmL4RkwoZg\n"
    "-----END CERTIFICATE-----\n"
    /* fakeIntA */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBgDCCASagAwIBAgIBAjAKBggqhkjOPQQDAjAnMQ8wDQYDVQQKDAZGdXp6IEEx\n"
    "FDASBgNVBAMMC0Z1enogUm9vdCBBMCAXDTI2MTIwMjE5MjIzNVoYDzIxMjYxMTA4\n"
    "MTkyMjM1WjAmMQ8wDQYDVQQKDAZGdXp6IEExEzARBgNVBAMMCkZ1enogSW50IEEw\n"
    "WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATXlQoj1dw1nEeDU9PUPk5005gS9s+L\n"
    "qiF2MLLVrNPu09JzYJLk2oORnM40OxIn5WlgkV+hqD098dn7OsIC3eJoo0IwQDAP\n"
    "BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUao4bygMz\n"
    "vdtE80yj/N36y9glyu0wCgYIKoZIzj0EAwIDSAAwRQIgV1IIBxVZFRBPynU1CLBQ\n"
    "GsY4MBV2SJIY///G5uKVuCoCIQDs9jhm6GabyzmuXxb6t8mGZ/YiTPPptqeji2Ql\n"
    "WAg36w==\n"
    "-----END CERTIFICATE-----\n"
    /* rootC */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBozCCAUigAwIBAgIBBTAKBggqhkjOPQQDAjAnMQ8wDQYDVQQKDAZGdXp6IEMx\n"
    "FDASBgNVBAMMC0Z1enogUm9vdCBDMCAXDTI2MTIwMjE5MjIzNVoYDzIxMjYxMTA4\n"
    "MTkyMjM1WjAnMQ8wDQYDVQQKDAZGdXp6IEMxFDASBgNVBAMMC0Z1enogUm9vdCBD\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZW71XgUdia5rptrMQXxY1DmHYerg\n"
    "ke+u2QraMFqhVtUBNA2JKCNW2Xu0UQpf4X0kMZ8lvK8H8m+HhxiB+KGcFKNjMGEw\n"
    "HQYDVR0OBBYEFK6XZsuOzh5Uny8PSFSVrcTq6QZHMB8GA1UdIwQYMBaAFK6XZsuO\n"
    "zh5Uny8PSFSVrcTq6QZHMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEG\n"
    "MAoGCCqGSM49BAMCA0kAMEYCIQDsD5bpB2EK4+QCfKyjVIfj3LcMptjfJrKAUbio\n"
    "aB0cNwIhAP+kDpX+lvgSNAk2dmSmbMnFk8jSstXwfaQNTtYO9PfL\n"
    "-----END CERTIFICATE-----\n"
    /* leaf */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBXTCCAQMCAhABMAoGCCqGSM49BAMCMCYxDzANBgNVBAoMBkZ1enogQTETMBEG\n"
    "A1UEAwwKRnV6eiBJbnQgQTAgFw0yNjEyMDIxOTIyMzVaGA8yMTI2MTEwODE5MjIz\n"
    "NVowTDELMAkGA1UEBhMCVVMxFTATBgNVBAgMDDAwMGUwOGFhMDAwMTEPMA0GA1UE\n"
    "CgwGRnV6eiBBMRUwEwYDVQQDDAwwMDBlMDhhYTAwMDEwWTATBgcqhkjOPQIBBggq\n"
    "hkjOPQMBBwNCAASO6i0es5uhRA86xg1LG35VpLii3RVcpEE4r03hdJBRbpI/+8AD\n"
    "ACODA36FNieTxCsGQfylULQ442Mj4HmBkYeNMAoGCCqGSM49BAMCA0gAMEUCIQC5\n"
    "B2XEFvIMItCklRPWV09jkcv6Xdz37t2WZQFU2fFmEgIgJqGn0wBokNKgP0j8r4q6\n"
    "9ZEA0p5eROi2YRWg2ZflmqI=\n"
    "-----END CERTIFICATE-----\n";

static X509       *ngx_prov_fuzz_certs[NGX_PROV_FUZZ_CERTS];
static u_char     *ngx_prov_fuzz_der[NGX_PROV_FUZZ_CERTS];
static int         ngx_prov_fuzz_der_len[NGX_PROV_FUZZ_CERTS];
static ngx_str_t   ngx_prov_fuzz_pem_of[NGX_PROV_FUZZ_CERTS];

/* whether two of the seven are the same CA */
static ngx_uint_t  ngx_prov_fuzz_same[NGX_PROV_FUZZ_CERTS]
                                     [NGX_PROV_FUZZ_CERTS];

/* the issuer file of each set of certificates, written when first used */
static ngx_str_t   ngx_prov_fuzz_files[NGX_PROV_FUZZ_MASKS];
static u_char      ngx_prov_fuzz_dir[NGX_MAX_PATH];


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    int          len;
    BIO         *bio;
    char        *dir, *start, *end;
    ngx_uint_t   i, k;

    ngx_prov_fuzz_init();

    start = ngx_prov_fuzz_pem;

    for (i = 0; i < NGX_PROV_FUZZ_CERTS; i++) {
        end = ngx_strstr(start, "-----END CERTIFICATE-----\n");
        if (end == NULL) {
            abort();
        }

        end += sizeof("-----END CERTIFICATE-----\n") - 1;

        ngx_prov_fuzz_pem_of[i].data = (u_char *) start;
        ngx_prov_fuzz_pem_of[i].len = end - start;

        bio = BIO_new_mem_buf(start, end - start);
        if (bio == NULL) {
            abort();
        }

        ngx_prov_fuzz_certs[i] = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        BIO_free(bio);

        if (ngx_prov_fuzz_certs[i] == NULL) {
            abort();
        }

        len = i2d_X509(ngx_prov_fuzz_certs[i], &ngx_prov_fuzz_der[i]);
        if (len <= 0) {
            abort();
        }

        ngx_prov_fuzz_der_len[i] = len;

        start = end;
    }

    for (i = 0; i < NGX_PROV_FUZZ_CERTS; i++) {
        for (k = 0; k < NGX_PROV_FUZZ_CERTS; k++) {
            ngx_prov_fuzz_same[i][k] = ngx_prov_fuzz_same_ca(
                                           ngx_prov_fuzz_certs[i],
                                           ngx_prov_fuzz_der[i],
                                           ngx_prov_fuzz_der_len[i], k);
        }
    }

    /* twinB is rootB, fakeIntA is not intA */

    if (!ngx_prov_fuzz_same[2][3] || ngx_prov_fuzz_same[1][4]) {
        abort();
    }

    /* the files' folder: memory, where there is such a file system */

    dir = getenv("TMPDIR");

    if (dir == NULL || dir[0] == '\0') {
        dir = (access("/dev/shm", W_OK) == 0) ? "/dev/shm" : "/tmp";
    }

    ngx_snprintf(ngx_prov_fuzz_dir, NGX_MAX_PATH - 16,
                 "%s/ngx_prov_fuzz_issuer.%P%Z", dir, ngx_getpid());

    if (ngx_create_dir(ngx_prov_fuzz_dir, 0700) == NGX_FILE_ERROR
        && ngx_errno != NGX_EEXIST)
    {
        ngx_log_stderr(ngx_errno, "mkdir(\"%s\") failed", ngx_prov_fuzz_dir);
        abort();
    }

    atexit(ngx_prov_fuzz_issuer_cleanup);

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                        len, lens[NGX_PROV_FUZZ_CHAIN];
    char                      *args[4];
    u_char                    *ders[NGX_PROV_FUZZ_CHAIN], *der;
    X509                      *x;
    ngx_int_t                  want;
    ngx_str_t                 *file;
    ngx_uint_t                 nrules, i, j, k, n, a, mask, seen, held,
                               open, refused, refuse;
    ngx_pool_t                *pool;
    const u_char              *p, *last;
    STACK_OF(X509)            *chain;
    ngx_prov_fuzz_conf_t      *fc;
    ngx_http_prov_id_conf_t   *rule, *rules;
    ngx_http_prov_loc_conf_t  *plcf;
    u_char                     masks[NGX_PROV_FUZZ_RULES];

    if (size < 1) {
        return 0;
    }

    nrules = (data[0] & 0x03) + 1;

    if (size < 1 + nrules) {
        return 0;
    }

    ngx_memcpy(masks, &data[1], nrules);

    p = data + 1 + nrules;
    last = data + size;

    chain = sk_X509_new_null();
    if (chain == NULL) {
        abort();
    }

    while (p < last && sk_X509_num(chain) < NGX_PROV_FUZZ_CHAIN) {
        x = ngx_prov_fuzz_chain_cert(&p, last);

        if (x == NULL) {
            continue;
        }

        if (sk_X509_push(chain, x) == 0) {
            abort();
        }
    }

    ERR_clear_error();

    n = sk_X509_num(chain);

    /* verification never builds an empty chain */

    if (n == 0) {
        sk_X509_free(chain);
        return 0;
    }

    /* what each certificate is, as it was handed over */

    for (i = 0; i < n; i++) {
        ders[i] = NULL;
        lens[i] = i2d_X509(sk_X509_value(chain, i), &ders[i]);

        if (lens[i] <= 0) {
            abort();
        }
    }

    /* the rules, as nginx -t reads them */

    pool = ngx_prov_fuzz_create_pool();

    fc = ngx_prov_fuzz_conf(pool);
    if (fc == NULL) {
        abort();
    }

    plcf = ngx_prov_fuzz_loc_conf(fc);
    if (plcf == NULL
        || ngx_prov_fuzz_directive(fc, plcf, "prov", "on", NULL) != NGX_OK)
    {
        abort();
    }

    refused = 0;
    refuse = 0;
    seen = 0;
    open = 0;

    for (i = 0; i < nrules && !refused; i++) {
        mask = masks[i] & (NGX_PROV_FUZZ_MASKS - 1);

        /* a device's certificate in the file, or a rule never reached */

        held = 0;

        for (k = 0; k < NGX_PROV_FUZZ_CERTS; k++) {
            for (j = 0; j < NGX_PROV_FUZZ_CERTS; j++) {
                if ((seen & (1 << j)) && ngx_prov_fuzz_same[k][j]) {
                    held |= 1 << k;
                    break;
                }
            }
        }

        if (!refuse
            && (open
                || (mask & (1 << NGX_PROV_FUZZ_LEAF))
                || (mask != 0 && (mask & ~held) == 0)))
        {
            refuse = 1;
        }

        seen |= mask;
        open |= (mask == 0);

        a = 0;
        args[a++] = "CN";

        if (masks[i] & 0x80) {
            args[a++] = "mac";
        }

        if (mask) {
            file = ngx_prov_fuzz_issuer_file(mask);
            args[a++] = (char *) file->data;
        }

        while (a < 4) {
            args[a++] = NULL;
        }

        if (ngx_prov_fuzz_directive(fc, plcf, "prov_id", args[0], args[1],
                                    args[2], args[3])
            != NGX_OK)
        {
            refused = 1;
        }
    }

    if (!refused && ngx_prov_fuzz_merge(fc, plcf) != NGX_OK) {
        refused = 1;
    }

    if (refused != refuse) {
        ngx_log_stderr(0, "nginx -t %s the rules (%ui):",
                       refused ? "refused" : "accepted", nrules);

        for (i = 0; i < nrules; i++) {
            ngx_log_stderr(0, "  rule %ui: 0x%02xd", i, (int) masks[i]);
        }

        abort();
    }

    if (refused) {
        goto done;
    }

    if (plcf->gate == NULL || plcf->gate->ids == NULL
        || plcf->gate->ids->nelts != nrules)
    {
        ngx_log_stderr(0, "the gate has not the %ui rules", nrules);
        abort();
    }

    rules = plcf->gate->ids->elts;

    /* the first rule without a file or with a certificate of chain[1..] */

    want = -1;

    for (i = 0; i < nrules && want < 0; i++) {
        mask = masks[i] & (NGX_PROV_FUZZ_MASKS - 1);

        if (mask == 0) {
            want = i;
            break;
        }

        for (j = 1; j < n && want < 0; j++) {
            for (k = 0; k < NGX_PROV_FUZZ_CERTS; k++) {
                if ((mask & (1 << k))
                    && ngx_prov_fuzz_same_ca(sk_X509_value(chain, j),
                                             ders[j], lens[j], k))
                {
                    want = i;
                    break;
                }
            }
        }
    }

    rule = ngx_http_prov_id_rule(plcf->gate->ids, chain);

    if (ngx_prov_fuzz_verbose) {
        ngx_log_stderr(0, "%ui rules, chain of %ui: rule %i, expected %i",
                       nrules, n, rule ? (ngx_int_t) (rule - rules) : -1,
                       want);
    }

    if (rule != (want < 0 ? NULL : &rules[want])) {
        ngx_log_stderr(0, "chain of %ui: rule %i chosen, rule %i expected",
                       n, rule ? (ngx_int_t) (rule - rules) : -1, want);

        for (i = 0; i < nrules; i++) {
            ngx_log_stderr(0, "  rule %ui: 0x%02xd", i, (int) masks[i]);
        }

        for (i = 0; i < n; i++) {
            ngx_log_stderr(0, "  chain[%ui]: %s", i,
                           ngx_prov_fuzz_cert_name(ders[i], lens[i]));
        }

        abort();
    }

    /* the chain as it was */

    if ((ngx_uint_t) sk_X509_num(chain) != n) {
        ngx_log_stderr(0, "the chain's length changed");
        abort();
    }

    for (i = 0; i < n; i++) {
        der = NULL;
        len = i2d_X509(sk_X509_value(chain, i), &der);

        if (len != lens[i] || ngx_memcmp(der, ders[i], len) != 0) {
            ngx_log_stderr(0, "certificate %ui of the chain changed", i);
            abort();
        }

        OPENSSL_free(der);
    }

done:

    ngx_destroy_pool(pool);

    for (i = 0; i < n; i++) {
        OPENSSL_free(ders[i]);
    }

    sk_X509_pop_free(chain, X509_free);
    ERR_clear_error();

    return 0;
}


/* one certificate of the chain: NULL when its bytes are no certificate */

static X509 *
ngx_prov_fuzz_chain_cert(const u_char **pos, const u_char *last)
{
    u_char        *copy;
    X509          *x;
    size_t         len, arg;
    ngx_uint_t     op, k;
    const u_char  *p, *q;

    p = *pos;
    op = *p++;
    k = op & 0x07;
    arg = 0;

    if (k == 7 || (op & 0x80)) {
        if (last - p < 2) {
            *pos = last;
            return NULL;
        }

        arg = ((size_t) p[0] << 8) | p[1];
        p += 2;
    }

    if (k == 7) {
        /* DER bytes, in a copy of their exact size */

        len = ngx_min(arg, (size_t) (last - p));

        copy = malloc(len ? len : 1);
        if (copy == NULL) {
            abort();
        }

        ngx_memcpy(copy, p, len);
        p += len;

    } else {
        /* one of the seven, from its own bytes: an X509 object of its own */

        len = ngx_prov_fuzz_der_len[k];

        copy = malloc(len);
        if (copy == NULL) {
            abort();
        }

        ngx_memcpy(copy, ngx_prov_fuzz_der[k], len);

        if (op & 0x80) {
            arg %= len * 8;
            copy[arg / 8] ^= (u_char) (1 << (arg % 8));
        }
    }

    *pos = p;

    q = copy;
    x = d2i_X509(NULL, &q, len);

    free(copy);

    return x;
}


/*
 * whether a certificate (its DER "der") is the CA "k" of the seven: the
 * same encoding, or the same subject name and public key
 */

static ngx_uint_t
ngx_prov_fuzz_same_ca(X509 *x, u_char *der, int len, ngx_uint_t k)
{
    int         rc;
    X509       *ca;
    EVP_PKEY   *key, *ca_key;

    if (len == ngx_prov_fuzz_der_len[k]
        && ngx_memcmp(der, ngx_prov_fuzz_der[k], len) == 0)
    {
        return 1;
    }

    ca = ngx_prov_fuzz_certs[k];

    key = X509_get0_pubkey(x);
    ca_key = X509_get0_pubkey(ca);

    rc = (key != NULL && ca_key != NULL
          && X509_NAME_cmp(X509_get_subject_name(ca),
                           X509_get_subject_name(x))
             == 0
          && EVP_PKEY_eq(ca_key, key) == 1);

    ERR_clear_error();

    return rc;
}


/* which of the seven a certificate is, by its encoding, for messages */

static char *
ngx_prov_fuzz_cert_name(u_char *der, int len)
{
    ngx_uint_t  k;

    for (k = 0; k < NGX_PROV_FUZZ_CERTS; k++) {
        if (len == ngx_prov_fuzz_der_len[k]
            && ngx_memcmp(der, ngx_prov_fuzz_der[k], len) == 0)
        {
            return ngx_prov_fuzz_names[k];
        }
    }

    return "another";
}


static ngx_str_t *
ngx_prov_fuzz_issuer_file(ngx_uint_t mask)
{
    u_char      *p, *text;
    size_t       size;
    ngx_fd_t     fd;
    ngx_str_t   *file;
    ngx_uint_t   k;

    file = &ngx_prov_fuzz_files[mask];

    if (file->len) {
        return file;
    }

    /* "issuer=" and the path */

    file->data = ngx_pnalloc(ngx_prov_fuzz_pool, NGX_MAX_PATH);
    if (file->data == NULL) {
        abort();
    }

    p = ngx_snprintf(file->data, NGX_MAX_PATH - 1, "issuer=%s/%02xi.pem",
                     ngx_prov_fuzz_dir, mask);
    *p = '\0';
    file->len = p - file->data;

    size = 0;

    for (k = 0; k < NGX_PROV_FUZZ_CERTS; k++) {
        if (mask & (1 << k)) {
            size += ngx_prov_fuzz_pem_of[k].len;
        }
    }

    text = ngx_pnalloc(ngx_prov_fuzz_pool, size);
    if (text == NULL) {
        abort();
    }

    p = text;

    for (k = 0; k < NGX_PROV_FUZZ_CERTS; k++) {
        if (mask & (1 << k)) {
            p = ngx_cpymem(p, ngx_prov_fuzz_pem_of[k].data,
                           ngx_prov_fuzz_pem_of[k].len);
        }
    }

    fd = ngx_open_file(file->data + sizeof("issuer=") - 1, NGX_FILE_WRONLY,
                       NGX_FILE_TRUNCATE, NGX_FILE_DEFAULT_ACCESS);
    if (fd == NGX_INVALID_FILE
        || write(fd, text, size) != (ssize_t) size)
    {
        ngx_log_stderr(ngx_errno, "writing \"%s\" failed", file->data);
        abort();
    }

    ngx_close_file(fd);

    return file;
}


static void
ngx_prov_fuzz_issuer_cleanup(void)
{
    ngx_uint_t  mask;

    for (mask = 0; mask < NGX_PROV_FUZZ_MASKS; mask++) {
        if (ngx_prov_fuzz_files[mask].len) {
            (void) ngx_delete_file(ngx_prov_fuzz_files[mask].data
                                   + sizeof("issuer=") - 1);
        }
    }

    (void) ngx_delete_dir(ngx_prov_fuzz_dir);
}
