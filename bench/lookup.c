
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * bench/lookup: nanoseconds per access list lookup, in the module's own
 * code, without a request around it (bench/acl-lmdb.sh, make bench-acl).
 *
 *   lookup LIST N COUNT [cold|unchanged]
 *
 * LIST is a list file ("prov_acl FILE": the in-memory table) or
 * lmdb:PATH; it holds the N MAC ids 100000000000 + i * 7919 (i < N).  The
 * list is read by the module's "prov_id ST mac" and "prov_acl" directive
 * handlers, as nginx -t reads it (fuzz/lib's configuration context), then
 * COUNT random listed ids, drawn before the clock starts, are looked up
 * with ngx_http_prov_acl_verdict() or ngx_http_prov_lmdb_verdict(), what
 * a request's gate calls.  Prints "ns_per_lookup allowed".
 *
 * cold (LMDB only): the database's pages are dropped from the page cache
 * (posix_fadvise DONTNEED; nothing has it mapped: the configuration's
 * check closed it) before the lookups, and each lookup is timed on its
 * own: the first lookups read the tree's pages from the disk.
 *
 * unchanged (LMDB only): what a kept-alive connection's later request
 * pays for a kept allow, ngx_http_prov_lmdb_unchanged() on the
 * transaction of a verdict found before the clock starts.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"
#include "ngx_prov_fuzz.h"


static uint64_t ngx_prov_bench_now(void);
static void ngx_prov_bench_drop(char *path);


int
main(int argc, char **argv)
{
    char                      *list;
    u_char                    *ids;
    size_t                     txnid;
    uint64_t                   start, total, t;
    ngx_str_t                  id;
    ngx_uint_t                 n, count, i, allowed, cold, unchanged,
                               verdict;
    ngx_connection_t           c;
    ngx_http_request_t         r;
    ngx_prov_fuzz_conf_t      *fc;
    ngx_http_prov_lmdb_t      *db;
    ngx_http_prov_acl_t       *acl;
    ngx_http_prov_loc_conf_t  *plcf;
    ngx_http_prov_acl_entry_t *entry;
    u_char                     digest[NGX_HTTP_PROV_SHA256_LEN];

    if (argc < 4) {
        fprintf(stderr, "usage: lookup LIST N COUNT [cold|unchanged]\n");
        return 2;
    }

    list = argv[1];
    n = strtoul(argv[2], NULL, 10);
    count = strtoul(argv[3], NULL, 10);
    cold = (argc > 4 && strcmp(argv[4], "cold") == 0);
    unchanged = (argc > 4 && strcmp(argv[4], "unchanged") == 0);

    if (n == 0 || count == 0) {
        fprintf(stderr, "lookup: N and COUNT must be positive\n");
        return 2;
    }

    ngx_prov_fuzz_init();

    ngx_pid = getpid();

    /* no core configuration: the LMDB list sizes its readers for one */

    ((ngx_cycle_t *) ngx_cycle)->conf_ctx =
        ngx_pcalloc(ngx_prov_fuzz_pool, ngx_max_module * sizeof(void *));

    fc = ngx_prov_fuzz_conf(ngx_prov_fuzz_pool);
    if (fc == NULL) {
        return 1;
    }

    plcf = ngx_prov_fuzz_loc_conf(fc);

    if (plcf == NULL
        || ngx_prov_fuzz_directive(fc, plcf, "prov_id", "ST", "mac", NULL)
           != NGX_OK
        || ngx_prov_fuzz_directive(fc, plcf, "prov_acl", list, NULL) != NGX_OK
        || ngx_prov_fuzz_merge(fc, plcf) != NGX_OK
        || plcf->gate == NULL || plcf->gate->acl == NULL)
    {
        fprintf(stderr, "lookup: \"prov_acl %s\" refused\n", list);
        return 1;
    }

    acl = plcf->gate->acl;
    db = ngx_http_prov_acl_lmdb(acl);

    /* the ids, at random, drawn before the clock starts */

    ids = malloc(count * NGX_HTTP_PROV_MAC_LEN + 1);
    if (ids == NULL) {
        return 1;
    }

    srandom(16);

    for (i = 0; i < count; i++) {
        t = ((uint64_t) random() << 31 | (uint64_t) random()) % n;
        (void) snprintf((char *) ids + i * NGX_HTTP_PROV_MAC_LEN,
                        NGX_HTTP_PROV_MAC_LEN + 1, "%012llx",
                        (unsigned long long) (0x100000000000ULL + t * 7919));
    }

    /* what ngx_http_prov_lmdb_verdict() uses of a request */

    ngx_memzero(&c, sizeof(ngx_connection_t));
    ngx_memzero(&r, sizeof(ngx_http_request_t));
    c.log = ngx_prov_fuzz_log;
    r.connection = &c;
    r.pool = ngx_prov_fuzz_create_pool();

    if ((cold || unchanged) && db == NULL) {
        fprintf(stderr, "lookup: %s is for lmdb: lists\n", argv[4]);
        return 2;
    }

    if (cold) {
        ngx_prov_bench_drop(list + sizeof("lmdb:") - 1);
    }

    id.len = NGX_HTTP_PROV_MAC_LEN;

    if (unchanged) {
        id.data = ids;
        txnid = 0;

        if (ngx_http_prov_lmdb_verdict(db, &r, &id, NULL, &entry, digest,
                                       &txnid)
            != NGX_HTTP_PROV_ALLOW)
        {
            fprintf(stderr, "lookup: the first id is not allowed\n");
            return 1;
        }

        allowed = 0;
        start = ngx_prov_bench_now();

        for (i = 0; i < count; i++) {
            allowed += (ngx_http_prov_lmdb_unchanged(db, c.log, txnid)
                        == NGX_OK);
        }

        total = ngx_prov_bench_now() - start;

        printf("%.1f %lu\n", (double) total / count, (unsigned long) allowed);

        return (allowed == count) ? 0 : 1;
    }

    allowed = 0;
    total = 0;
    start = ngx_prov_bench_now();

    for (i = 0; i < count; i++) {
        id.data = ids + i * NGX_HTTP_PROV_MAC_LEN;

        if (cold) {
            start = ngx_prov_bench_now();
        }

        if (db != NULL) {
            verdict = ngx_http_prov_lmdb_verdict(db, &r, &id, NULL, &entry,
                                                 digest, &txnid);

        } else {
            verdict = ngx_http_prov_acl_verdict(acl, &id, NULL, &entry,
                                                digest);
        }

        if (cold) {
            total += ngx_prov_bench_now() - start;
        }

        allowed += (verdict == NGX_HTTP_PROV_ALLOW);
    }

    if (!cold) {
        total = ngx_prov_bench_now() - start;
    }

    printf("%.1f %lu\n", (double) total / count, (unsigned long) allowed);

    return (allowed == count) ? 0 : 1;
}


static uint64_t
ngx_prov_bench_now(void)
{
    struct timespec  ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}


static void
ngx_prov_bench_drop(char *path)
{
    int  fd;

    fd = open(path, O_RDONLY);
    if (fd == -1) {
        perror(path);
        exit(1);
    }

    if (fdatasync(fd) == -1
        || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
    {
        perror("posix_fadvise");
        exit(1);
    }

    (void) close(fd);
}
