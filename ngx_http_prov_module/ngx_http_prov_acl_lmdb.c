
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <setjmp.h>
#include <lmdb.h>
#include "ngx_http_prov_module.h"


/*
 * "prov_acl lmdb:PATH": the list is an LMDB file that prov-acl writes
 * while nginx runs, each commit seen by the next lookup.
 *
 * The master opens the database only to check it (nginx -t and every
 * start or reload), then closes it: LMDB's lock file must not be shared
 * across fork().  Each worker opens it on its first lookup, clears the
 * reader slots of dead processes (a worker killed during a lookup leaves
 * its slot), and keeps one read transaction per database, reset between
 * lookups and renewed for the next: a lookup allocates nothing, and copies
 * into the request's pool only the attributes of an entry that has them.
 *
 * Nothing of an LMDB list's verdict is kept past the request: a device
 * denied while it holds a connection is refused from its next request on.
 *
 * The file checked by the master is the list of this configuration: once
 * a second, a worker compares the path with the file it has open, and
 * refuses every device (500 and an alert) when the path names another file
 * or none: a removed list must not let stale allows in.
 */


#define NGX_HTTP_PROV_LMDB_READERS_MIN  126
#define NGX_HTTP_PROV_LMDB_CREATE                                            \
    "create it with \"prov-acl import PATH FILE\""


struct ngx_http_prov_lmdb_s {
    ngx_str_t                   path;       /* NUL-terminated */
    u_char                     *real;       /* path, no link: LMDB's */
    u_char                     *lock;       /* real "-lock" */
    ngx_http_prov_acl_info_t   *info;
    ngx_uint_t                  mac;        /* ids are MAC addresses */
    ngx_uint_t                  maxreaders;
    dev_t                       dev;        /* the file checked */
    ino_t                       ino;
    dev_t                       lock_dev;   /* the lock file open */
    ino_t                       lock_ino;
    struct timespec             mtime;      /* the file, last compared */
    off_t                       size;
    size_t                      txnid;      /* the last one seen */
    size_t                      version;    /* moves with any change */

    MDB_env                    *env;        /* this worker's, or NULL */
    MDB_txn                    *txn;        /* reset between lookups */
    MDB_dbi                     devices;
    MDB_dbi                     meta;
    ngx_pid_t                   pid;        /* the process of env */

    time_t                      checked;    /* the path, last compared */
    time_t                      tried;      /* the last failed open */
    time_t                      alerted;
    unsigned                    gone:1;     /* the path names another file */
};


/* a listed device's entry, as $prov_acl_<key> reads it */

typedef struct {
    size_t                      len;        /* 0: no attributes */
    u_char                     *attrs;
} ngx_http_prov_lmdb_entry_t;


static ngx_int_t ngx_http_prov_lmdb_env_open(ngx_http_prov_lmdb_t *db,
    ngx_uint_t keep, u_char *err, size_t size);
static ngx_int_t ngx_http_prov_lmdb_read_meta(ngx_http_prov_lmdb_t *db,
    MDB_txn *txn, MDB_dbi meta, u_char *err, size_t size);
static int ngx_http_prov_lmdb_meta_number(MDB_txn *txn, MDB_dbi meta,
    char *name, uint64_t *n);
static ngx_int_t ngx_http_prov_lmdb_lock_check(ngx_http_prov_lmdb_t *db,
    struct stat *fi, u_char *err, size_t size);
static ngx_int_t ngx_http_prov_lmdb_begin(ngx_http_prov_lmdb_t *db,
    ngx_log_t *log);
static void ngx_http_prov_lmdb_end(ngx_http_prov_lmdb_t *db);
static size_t ngx_http_prov_lmdb_mapsize(struct stat *fi);
static ngx_uint_t ngx_http_prov_lmdb_readers(ngx_cycle_t *cycle);
static void ngx_http_prov_lmdb_cleanup(void *data);
static ngx_uint_t ngx_http_prov_lmdb_lookup(ngx_http_prov_lmdb_t *db,
    ngx_http_request_t *r, ngx_str_t *id, X509 *cert,
    ngx_http_prov_acl_entry_t **entry, u_char *digest, size_t *txnid);
static ngx_int_t ngx_http_prov_lmdb_same(ngx_http_prov_lmdb_t *db,
    ngx_log_t *log, size_t txnid);
static ngx_int_t ngx_http_prov_lmdb_figures(ngx_http_prov_lmdb_t *db,
    ngx_log_t *log);
static void ngx_http_prov_lmdb_guard(void);
static ngx_int_t ngx_http_prov_lmdb_check_open(ngx_http_prov_lmdb_t *db,
    u_char *err, size_t size);
static void ngx_http_prov_lmdb_sigbus(int signo, siginfo_t *si, void *data);
static void ngx_http_prov_lmdb_fault(ngx_http_prov_lmdb_t *db,
    ngx_log_t *log);


/* a listed device without attributes */
static ngx_http_prov_lmdb_entry_t  ngx_http_prov_lmdb_listed;

/*
 * A file cut short under a worker (truncated, or the first moment of a cp
 * over it) leaves its map reaching past the file's end: LMDB's next read
 * there is a SIGBUS, which would kill the worker and every request it
 * holds.  The reads of the map run guarded: a SIGBUS then comes back
 * here, the database is closed (opened again a second later, or refused).
 */

static sigjmp_buf                   ngx_http_prov_lmdb_jmp;
static volatile sig_atomic_t        ngx_http_prov_lmdb_guarded;
static struct sigaction             ngx_http_prov_lmdb_sa;   /* before */
static ngx_pid_t                    ngx_http_prov_lmdb_sa_pid;

/* what the master's check holds open, closed should a SIGBUS cut it short */
static MDB_env                     *ngx_http_prov_lmdb_check_env;
static MDB_txn                     *ngx_http_prov_lmdb_check_txn;


/*
 * the master's check of a database; every line naming the same file
 * (by its device and inode) shares one
 */

ngx_http_prov_lmdb_t *
ngx_http_prov_lmdb_check(ngx_conf_t *cf, ngx_str_t *path, ngx_uint_t mac,
    ngx_http_prov_acl_info_t *info)
{
    ngx_uint_t                  i;
    size_t                      len;
    ngx_pool_cleanup_t         *cln;
    ngx_http_prov_lmdb_t       *db, **dbs;
    ngx_http_prov_main_conf_t  *pmcf;
    u_char                      err[NGX_MAX_ERROR_STR];
    char                        real[PATH_MAX];

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prov_module);

    db = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_lmdb_t));
    if (db == NULL) {
        return NULL;
    }

    db->path.len = path->len;
    db->path.data = ngx_pnalloc(cf->pool, path->len + 1);
    if (db->path.data == NULL) {
        return NULL;
    }

    ngx_memcpy(db->path.data, path->data, path->len);
    db->path.data[path->len] = '\0';

    /*
     * LMDB names the lock file after the path it opens: the path without
     * links, as prov-acl opens it, or nginx's readers and prov-acl would
     * hold two lock files, and the workers would never see a commit
     */

    if (realpath((char *) db->path.data, real) != NULL) {
        len = ngx_strlen(real);

    } else {
        /* env_open() says what is wrong with the path */
        len = path->len;
        ngx_memcpy(real, db->path.data, len);
    }

    db->real = ngx_pnalloc(cf->pool, 2 * (len + sizeof("-lock")));
    if (db->real == NULL) {
        return NULL;
    }

    db->lock = db->real + len + sizeof("-lock");

    ngx_memcpy(db->real, real, len);
    db->real[len] = '\0';
    (void) ngx_sprintf(db->lock, "%s-lock%Z", db->real);

    db->mac = mac;
    db->info = info;
    db->maxreaders = ngx_http_prov_lmdb_readers(cf->cycle);

    if (ngx_http_prov_lmdb_check_open(db, err, sizeof(err)) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
        return NULL;
    }

    dbs = pmcf->lmdbs.elts;

    for (i = 0; i < pmcf->lmdbs.nelts; i++) {
        if (dbs[i]->dev == db->dev && dbs[i]->ino == db->ino) {
            return dbs[i];
        }
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_prov_lmdb_cleanup;
    cln->data = db;

    dbs = ngx_array_push(&pmcf->lmdbs);
    if (dbs == NULL) {
        return NULL;
    }

    *dbs = db;

    return db;
}


/*
 * Opens the database read-only and checks that it is a prov list of the
 * right kind: "keep" leaves it open in this process, with its dbi handles
 * and a reset read transaction; otherwise it is closed again.  The first
 * open in a worker (keep) also checks that the path still names the file
 * the master checked.
 */

static ngx_int_t
ngx_http_prov_lmdb_env_open(ngx_http_prov_lmdb_t *db, ngx_uint_t keep,
    u_char *err, size_t size)
{
    int               rc, dead;
    u_char           *last;
    mdb_filehandle_t  fd;
    MDB_dbi           devices, meta;
    MDB_env          *env;
    MDB_txn          *txn;
    MDB_stat          st;
    ngx_err_t         e;
    struct stat       fi;
    const char       *what;

    last = err + size - 1;
    env = NULL;
    txn = NULL;

    /* set on every path: clang's -Wconditional-uninitialized */

    devices = 0;
    meta = 0;

    if (stat((char *) db->path.data, &fi) == -1) {
        e = ngx_errno;

        if (e == NGX_ENOENT) {
            *ngx_slprintf(err, last, "access list database \"%V\" does not "
                          "exist: " NGX_HTTP_PROV_LMDB_CREATE, &db->path)
                = '\0';

        } else {
            *ngx_slprintf(err, last, "stat() \"%V\" failed (%d: %s)",
                          &db->path, e, strerror(e))
                = '\0';
        }

        return NGX_ERROR;
    }

    if (!S_ISREG(fi.st_mode)) {
        *ngx_slprintf(err, last, "access list database \"%V\" is not a "
                      "regular file (lmdb:PATH names the database file, "
                      "not a folder): " NGX_HTTP_PROV_LMDB_CREATE, &db->path)
            = '\0';
        return NGX_ERROR;
    }

    /* a lock file LMDB would write in and the master give away */

    if (ngx_http_prov_lmdb_lock_check(db, NULL, err, size) != NGX_OK) {
        return NGX_ERROR;
    }

    what = "mdb_env_create()";
    rc = mdb_env_create(&env);

    if (!keep) {
        ngx_http_prov_lmdb_check_env = env;
    }

    if (rc == 0) {
        what = "mdb_env_set_maxdbs()";
        rc = mdb_env_set_maxdbs(env, NGX_HTTP_PROV_LMDB_DBS);
    }

    if (rc == 0) {
        what = "mdb_env_set_maxreaders()";
        rc = mdb_env_set_maxreaders(env, (unsigned int) db->maxreaders);
    }

    if (rc == 0) {
        what = "mdb_env_set_mapsize()";
        rc = mdb_env_set_mapsize(env, ngx_http_prov_lmdb_mapsize(&fi));
    }

    if (rc != 0) {
        *ngx_slprintf(err, last, "%s for \"%V\" failed: %s", what,
                      &db->path, mdb_strerror(rc))
            = '\0';
        goto failed;
    }

    /*
     * MDB_NOTLS: the reader slot belongs to the one transaction kept, not
     * to a thread; MDB_NORDAHEAD: lookups are random, read ahead would
     * fill the page cache with pages no lookup wants
     */

    fd = -1;            /* set by mdb_env_get_fd(): clang cannot tell */

    rc = mdb_env_open(env, (char *) db->real,
                      MDB_RDONLY|MDB_NOSUBDIR|MDB_NOTLS|MDB_NORDAHEAD, 0664);

    /* the file opened, should the path have changed since stat() */

    if (rc == 0) {
        rc = mdb_env_get_fd(env, &fd);

        if (rc == 0 && fstat(fd, &fi) == -1) {
            rc = ngx_errno;
        }
    }

    if (rc != 0) {
        if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) {
            *ngx_slprintf(err, last, "access list database \"%V\" is not an "
                          "LMDB file of this LMDB version (%s): "
                          NGX_HTTP_PROV_LMDB_CREATE, &db->path,
                          mdb_strerror(rc))
                = '\0';

        } else if (rc == EACCES || rc == EPERM || rc == EROFS) {
            *ngx_slprintf(err, last, "mdb_env_open() \"%V\" failed (%s): "
                          "nginx reads \"%V\" and writes its lock file "
                          "\"%V-lock\", which must be writable by the "
                          "workers' user", &db->path, mdb_strerror(rc),
                          &db->path, &db->path)
                = '\0';

        } else {
            *ngx_slprintf(err, last, "mdb_env_open() \"%V\" failed: %s",
                          &db->path, mdb_strerror(rc))
                = '\0';
        }

        goto failed;
    }

    if (keep) {
        /* the lock file LMDB opened, compared with its path once a second */

        if (ngx_http_prov_lmdb_lock_check(db, &fi, err, size) != NGX_OK) {
            goto failed;
        }

        db->lock_dev = fi.st_dev;
        db->lock_ino = fi.st_ino;

        if (fstat(fd, &fi) == -1) {
            rc = ngx_errno;
            *ngx_slprintf(err, last, "fstat() \"%V\" failed: %s",
                          &db->path, strerror(rc))
                = '\0';
            goto failed;
        }

        db->mtime = fi.st_mtim;
        db->size = fi.st_size;

        /* whatever was kept under the environment closed holds no more */
        db->version++;

        /* slots of readers that died (a worker killed while reading) */

        rc = mdb_reader_check(env, &dead);

        if (rc != 0) {
            *ngx_slprintf(err, last, "mdb_reader_check() \"%V\" failed: %s",
                          &db->path, mdb_strerror(rc))
                = '\0';
            goto failed;
        }

        /* the file this configuration checked, not one put there since */

        if (fi.st_dev != db->dev || fi.st_ino != db->ino) {
            *ngx_slprintf(err, last, "access list database \"%V\" was "
                          "replaced since nginx read its configuration: every "
                          "device is refused; reload nginx to open the new "
                          "file (update the list with prov-acl, never by "
                          "replacing the file)", &db->path)
                = '\0';
            goto failed;
        }
    }

    rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);

    if (!keep) {
        ngx_http_prov_lmdb_check_txn = txn;
    }

    if (rc != 0) {
        *ngx_slprintf(err, last, "mdb_txn_begin() \"%V\" failed: %s",
                      &db->path, mdb_strerror(rc))
            = '\0';
        goto failed;
    }

    rc = mdb_dbi_open(txn, NGX_HTTP_PROV_LMDB_META, 0, &meta);

    if (rc == 0) {
        rc = mdb_dbi_open(txn, NGX_HTTP_PROV_LMDB_DEVICES, 0, &devices);
    }

    if (rc != 0) {
        if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
            *ngx_slprintf(err, last, "\"%V\" is an LMDB file but no prov "
                          "access list (no \"" NGX_HTTP_PROV_LMDB_META
                          "\" and \"" NGX_HTTP_PROV_LMDB_DEVICES "\" "
                          "databases): " NGX_HTTP_PROV_LMDB_CREATE,
                          &db->path)
                = '\0';

        } else {
            *ngx_slprintf(err, last, "mdb_dbi_open() \"%V\" failed: %s",
                          &db->path, mdb_strerror(rc))
                = '\0';
        }

        goto failed;
    }

    if (ngx_http_prov_lmdb_read_meta(db, txn, meta, err, size) != NGX_OK) {
        goto failed;
    }

    rc = mdb_stat(txn, devices, &st);

    if (rc != 0) {
        *ngx_slprintf(err, last, "mdb_stat() \"%V\" failed: %s",
                      &db->path, mdb_strerror(rc))
            = '\0';
        goto failed;
    }

    db->info->entries = st.ms_entries;
    db->info->available = 1;

    if (!keep) {
        mdb_txn_abort(txn);
        mdb_env_close(env);

        ngx_http_prov_lmdb_check_txn = NULL;
        ngx_http_prov_lmdb_check_env = NULL;

        db->dev = fi.st_dev;
        db->ino = fi.st_ino;

        return NGX_OK;
    }

    /*
     * a read transaction that opened handles keeps them in the
     * environment only when committed; the one kept for lookups is then
     * begun and reset, holding its reader slot
     */

    rc = mdb_txn_commit(txn);
    txn = NULL;

    if (rc == 0) {
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    }

    if (rc != 0) {
        *ngx_slprintf(err, last, "mdb_txn_begin() \"%V\" failed: %s",
                      &db->path, mdb_strerror(rc))
            = '\0';
        goto failed;
    }

    mdb_txn_reset(txn);

    db->env = env;
    db->txn = txn;
    db->devices = devices;
    db->meta = meta;
    db->pid = ngx_pid;

    return NGX_OK;

failed:

    if (txn != NULL) {
        mdb_txn_abort(txn);
    }

    if (env != NULL) {
        mdb_env_close(env);
    }

    ngx_http_prov_lmdb_check_txn = NULL;
    ngx_http_prov_lmdb_check_env = NULL;

    return NGX_ERROR;
}


static ngx_int_t
ngx_http_prov_lmdb_read_meta(ngx_http_prov_lmdb_t *db, MDB_txn *txn,
    MDB_dbi meta, u_char *err, size_t size)
{
    int          rc;
    u_char      *last;
    MDB_val      key, val;
    ngx_str_t    value;
    ngx_uint_t   mac;

    last = err + size - 1;

    key.mv_data = "format";
    key.mv_size = sizeof("format") - 1;

    rc = mdb_get(txn, meta, &key, &val);

    if (rc == MDB_NOTFOUND) {
        *ngx_slprintf(err, last, "\"%V\" is an LMDB file but no prov access "
                      "list (no format version): " NGX_HTTP_PROV_LMDB_CREATE,
                      &db->path)
            = '\0';
        return NGX_ERROR;
    }

    if (rc != 0) {
        goto failed;
    }

    if (val.mv_size != sizeof(NGX_HTTP_PROV_LMDB_FORMAT) - 1
        || ngx_memcmp(val.mv_data, NGX_HTTP_PROV_LMDB_FORMAT, val.mv_size)
           != 0)
    {
        value.len = ngx_min(val.mv_size, 32);
        value.data = val.mv_data;

        if (ngx_http_prov_id_safe(&value) != NGX_OK) {
            ngx_str_set(&value, "?");
        }

        *ngx_slprintf(err, last, "access list database \"%V\" has format "
                      "version \"%V\", this module reads version "
                      NGX_HTTP_PROV_LMDB_FORMAT ": dump it with the prov-acl "
                      "that wrote it, then " NGX_HTTP_PROV_LMDB_CREATE
                      " with this module's prov-acl", &db->path, &value)
            = '\0';
        return NGX_ERROR;
    }

    key.mv_data = "ids";
    key.mv_size = sizeof("ids") - 1;

    rc = mdb_get(txn, meta, &key, &val);

    if (rc != 0 && rc != MDB_NOTFOUND) {
        goto failed;
    }

    if (rc == 0 && val.mv_size == 3 && ngx_memcmp(val.mv_data, "mac", 3) == 0)
    {
        mac = 1;

    } else if (rc == 0 && val.mv_size == 5
               && ngx_memcmp(val.mv_data, "value", 5) == 0)
    {
        mac = 0;

    } else {
        *ngx_slprintf(err, last, "access list database \"%V\" says not "
                      "what its ids are (\"ids\" is neither \"mac\" nor "
                      "\"value\"): " NGX_HTTP_PROV_LMDB_CREATE, &db->path)
            = '\0';
        return NGX_ERROR;
    }

    if (mac != db->mac) {
        *ngx_slprintf(err, last, "access list database \"%V\" lists %s, "
                      "but prov_id here reads %s: create it with "
                      "\"prov-acl --ids %s import PATH FILE\", or use the "
                      "prov_id it was made for", &db->path,
                      mac ? "MAC addresses" : "ids that are no MAC address",
                      db->mac ? "MAC addresses" : "ids as they are",
                      db->mac ? "mac" : "value")
            = '\0';
        return NGX_ERROR;
    }

    rc = ngx_http_prov_lmdb_meta_number(txn, meta, "serial",
                                        &db->info->serial);

    if (rc == 0) {
        rc = ngx_http_prov_lmdb_meta_number(txn, meta, "generation",
                                            &db->info->generation);
    }

    if (rc != 0) {
        goto failed;
    }

    return NGX_OK;

failed:

    *ngx_slprintf(err, last, "mdb_get() \"%V\" failed: %s", &db->path,
                  mdb_strerror(rc))
        = '\0';

    return NGX_ERROR;
}


/*
 * a decimal number of "meta": 0 when it is missing or is no number; the
 * result of mdb_get() unless it found nothing
 */

static int
ngx_http_prov_lmdb_meta_number(MDB_txn *txn, MDB_dbi meta, char *name,
    uint64_t *n)
{
    int        rc;
    u_char    *p, *last;
    MDB_val    key, val;
    uint64_t   v;

    *n = 0;

    key.mv_data = name;
    key.mv_size = ngx_strlen(name);

    rc = mdb_get(txn, meta, &key, &val);

    if (rc == MDB_NOTFOUND) {
        return 0;
    }

    if (rc != 0) {
        return rc;
    }

    p = val.mv_data;
    last = p + val.mv_size;
    v = 0;

    if (p == last || last - p > 20) {
        return 0;
    }

    for ( /* void */ ; p < last; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) {
            return 0;
        }

        v = v * 10 + (*p - '0');
    }

    *n = v;

    return 0;
}


/*
 * NGX_OK when the lock file is missing (LMDB makes it) or a regular file
 * with one name: a link planted by whoever may write the folder would
 * have LMDB, in a master running as root, write into the file it names;
 * "fi" (when not NULL) gets the lock file's, which must exist
 */

static ngx_int_t
ngx_http_prov_lmdb_lock_check(ngx_http_prov_lmdb_t *db, struct stat *fi,
    u_char *err, size_t size)
{
    ngx_err_t    e;
    struct stat  st;

    if (fi == NULL) {
        fi = &st;
    }

    if (lstat((char *) db->lock, fi) == -1) {
        e = ngx_errno;

        if (e == NGX_ENOENT && fi == &st) {
            return NGX_OK;
        }

        *ngx_slprintf(err, err + size - 1, "lstat() \"%s\" failed (%d: %s)",
                      db->lock, e, strerror(e))
            = '\0';
        return NGX_ERROR;
    }

    if (!S_ISREG(fi->st_mode) || fi->st_nlink != 1) {
        *ngx_slprintf(err, err + size - 1, "the lock file \"%s\" of the "
                      "access list database \"%V\" is a link or no regular "
                      "file: it is not used; remove it (prov-acl and nginx "
                      "make it again), and let no one else write its folder",
                      db->lock, &db->path)
            = '\0';
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * the workers' readers and those of the workers a reload leaves behind,
 * and prov-acl's
 */

static ngx_uint_t
ngx_http_prov_lmdb_readers(ngx_cycle_t *cycle)
{
    ngx_int_t         n;
    ngx_core_conf_t  *ccf;

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    n = 1;

    if (ccf != NULL && ccf->worker_processes > 0) {
        n = ccf->worker_processes;
    }

    return ngx_max(NGX_HTTP_PROV_LMDB_READERS_MIN, 4 * (ngx_uint_t) n + 8);
}


/*
 * the lock file holds the readers' slots: the workers must write it.  When
 * the master runs as root, its check may have created it (owned by root),
 * or an operator's prov-acl did: it is given to the workers' user and
 * group, as nginx does with its temporary folders.
 */

ngx_int_t
ngx_http_prov_lmdb_init_module(ngx_cycle_t *cycle)
{
    ngx_fd_t                    fd;
    ngx_uint_t                  i;
    ngx_file_info_t             fi;
    ngx_core_conf_t            *ccf;
    ngx_http_prov_lmdb_t      **dbs;
    ngx_http_prov_main_conf_t  *pmcf;

    if (cycle->conf_ctx[ngx_http_module.index] == NULL) {
        return NGX_OK;
    }

    pmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_prov_module);

    if (pmcf == NULL || pmcf->lmdbs.nelts == 0) {
        return NGX_OK;
    }

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    dbs = pmcf->lmdbs.elts;

    for (i = 0; i < pmcf->lmdbs.nelts; i++) {
        dbs[i]->maxreaders = ngx_http_prov_lmdb_readers(cycle);
    }

    if (geteuid() != 0 || ccf->user == (ngx_uid_t) NGX_CONF_UNSET_UINT) {
        return NGX_OK;
    }

    for (i = 0; i < pmcf->lmdbs.nelts; i++) {
        /*
         * never through a link, never another file than the lock file the
         * check saw: a file given away by root is no one else's to choose
         */

        fd = open((char *) dbs[i]->lock,
                  O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_CLOEXEC);

        if (fd == -1) {
            if (ngx_errno != NGX_ENOENT) {
                ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                              "open(\"%s\") failed: the lock file of the "
                              "access list database \"%V\" is not given to "
                              "the workers' user", dbs[i]->lock,
                              &dbs[i]->path);
            }

            /* the check made it: gone since, a worker makes it again */
            continue;
        }

        if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
            || !S_ISREG(fi.st_mode) || fi.st_nlink != 1)
        {
            ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                          "the lock file \"%s\" of the access list database "
                          "\"%V\" is a link or no regular file: not given "
                          "to the workers' user", dbs[i]->lock,
                          &dbs[i]->path);
            (void) close(fd);
            continue;
        }

        if (fi.st_uid == ccf->user && fi.st_gid == ccf->group) {
            (void) close(fd);
            continue;
        }

        /*
         * a failure is no reason to stop a running master (a reload):
         * the workers' first lookup says what is wrong
         */

        if (fchown(fd, ccf->user, ccf->group) == -1) {
            ngx_log_error(NGX_LOG_ALERT, cycle->log, ngx_errno,
                          "fchown(\"%s\", %d, %d) failed: the workers cannot "
                          "use the access list database \"%V\"",
                          dbs[i]->lock, ccf->user, ccf->group, &dbs[i]->path);
        }

        (void) close(fd);
    }

    return NGX_OK;
}


/* the verdict's lookup, guarded (below) */

static ngx_uint_t
ngx_http_prov_lmdb_lookup(ngx_http_prov_lmdb_t *db, ngx_http_request_t *r,
    ngx_str_t *id, X509 *cert, ngx_http_prov_acl_entry_t **entry,
    u_char *digest, size_t *txnid)
{
    int                          rc;
    u_char                      *p, *last;
    size_t                       len;
    MDB_val                      key, val;
    ngx_uint_t                   flags;
    unsigned int                 dlen;
    ngx_http_prov_lmdb_entry_t  *e;
    u_char                       pin[NGX_HTTP_PROV_SHA256_LEN];

    *entry = NULL;

    if (id->len == 0
        || id->len > NGX_HTTP_PROV_LMDB_KEY_MAX
        || (db->mac && id->len != NGX_HTTP_PROV_MAC_LEN))
    {
        /* never listed: no key of the database is so */

        if (ngx_http_prov_lmdb_begin(db, r->connection->log) != NGX_OK) {
            return NGX_HTTP_PROV_NONE;
        }

        *txnid = db->version;
        ngx_http_prov_lmdb_end(db);

        return NGX_HTTP_PROV_NOT_LISTED;
    }

    if (ngx_http_prov_lmdb_begin(db, r->connection->log) != NGX_OK) {
        return NGX_HTTP_PROV_NONE;
    }

    *txnid = db->version;

    key.mv_size = id->len;
    key.mv_data = id->data;

    rc = mdb_get(db->txn, db->devices, &key, &val);

    if (rc == MDB_NOTFOUND) {
        ngx_http_prov_lmdb_end(db);
        return NGX_HTTP_PROV_NOT_LISTED;
    }

    if (rc != 0) {
        ngx_http_prov_lmdb_end(db);
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "mdb_get() \"%V\" failed: %s", &db->path,
                      mdb_strerror(rc));
        return NGX_HTTP_PROV_NONE;
    }

    p = val.mv_data;
    len = val.mv_size;

    if (ngx_http_prov_acl_value_check(p, len) != NGX_OK) {
        ngx_http_prov_lmdb_end(db);
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "access list database \"%V\" holds a malformed entry "
                      "for a device (not written by prov-acl?): it is "
                      "refused", &db->path);
        return NGX_HTTP_PROV_NONE;
    }

    last = p + len;
    flags = *p++;

    if (flags & NGX_HTTP_PROV_ACL_PIN) {
        ngx_memcpy(pin, p, NGX_HTTP_PROV_SHA256_LEN);
        p += NGX_HTTP_PROV_SHA256_LEN;
    }

    /* the attributes outlive the transaction: copied, the only allocation */

    if (flags & NGX_HTTP_PROV_ACL_ATTRS) {
        e = ngx_palloc(r->pool, sizeof(ngx_http_prov_lmdb_entry_t)
                                + (last - p));
        if (e == NULL) {
            ngx_http_prov_lmdb_end(db);
            return NGX_HTTP_PROV_NONE;
        }

        e->len = last - p;
        e->attrs = (u_char *) &e[1];
        ngx_memcpy(e->attrs, p, e->len);

    } else {
        e = &ngx_http_prov_lmdb_listed;
    }

    ngx_http_prov_lmdb_end(db);

    *entry = (ngx_http_prov_acl_entry_t *) e;

    if (!(flags & NGX_HTTP_PROV_ACL_ALLOW)) {
        return NGX_HTTP_PROV_DENIED;
    }

    if (!(flags & NGX_HTTP_PROV_ACL_PIN)) {
        return NGX_HTTP_PROV_ALLOW;
    }

    if (cert == NULL) {
        return NGX_HTTP_PROV_PIN_MISMATCH;
    }

    if (X509_digest(cert, EVP_sha256(), digest, &dlen) == 0
        || dlen != NGX_HTTP_PROV_SHA256_LEN)
    {
        ngx_ssl_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "X509_digest() failed");
        return NGX_HTTP_PROV_NONE;
    }

    if (ngx_memcmp(digest, pin, NGX_HTTP_PROV_SHA256_LEN) != 0) {
        return NGX_HTTP_PROV_PIN_MISMATCH;
    }

    return NGX_HTTP_PROV_ALLOW;
}


/*
 * NGX_OK when nothing changed in the database since the lookup that gave
 * "txnid" (this process's version of it: it moves with every commit, with
 * the file written otherwise, seen once a second, and when the database
 * is opened again): a verdict found then holds still; NGX_DECLINED when
 * something did, NGX_ERROR when the database cannot be read (logged)
 */

static ngx_int_t
ngx_http_prov_lmdb_same(ngx_http_prov_lmdb_t *db, ngx_log_t *log,
    size_t txnid)
{
    ngx_int_t  rc;

    if (ngx_http_prov_lmdb_begin(db, log) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = (db->version == txnid) ? NGX_OK : NGX_DECLINED;

    ngx_http_prov_lmdb_end(db);

    return rc;
}


/*
 * whether a connection may keep an entry for its later requests: one
 * without attributes (nothing of it lives in a request's pool), or none
 * (a device let in by default=allow)
 */

ngx_uint_t
ngx_http_prov_lmdb_reusable(ngx_http_prov_acl_entry_t *entry)
{
    return entry == NULL
           || entry == (ngx_http_prov_acl_entry_t *) &ngx_http_prov_lmdb_listed;
}


ngx_int_t
ngx_http_prov_lmdb_attribute(ngx_http_prov_acl_entry_t *entry,
    ngx_str_t *key, ngx_str_t *value)
{
    ngx_http_prov_lmdb_entry_t  *e = (ngx_http_prov_lmdb_entry_t *) entry;

    if (e->len == 0) {
        return NGX_DECLINED;
    }

    return ngx_http_prov_acl_attrs_find(e->attrs, e->attrs + e->len, key,
                                        value);
}


/* the list's figures now, for prov_status */

static ngx_int_t
ngx_http_prov_lmdb_figures(ngx_http_prov_lmdb_t *db, ngx_log_t *log)
{
    int       rc;
    u_char   *p;
    MDB_stat  st;
    u_char    err[NGX_MAX_ERROR_STR];

    if (ngx_http_prov_lmdb_begin(db, log) != NGX_OK) {
        db->info->available = 0;
        return NGX_ERROR;
    }

    rc = mdb_stat(db->txn, db->devices, &st);

    if (rc == 0) {
        db->info->entries = st.ms_entries;

        if (ngx_http_prov_lmdb_read_meta(db, db->txn, db->meta, err,
                                         sizeof(err))
            != NGX_OK)
        {
            rc = -1;
        }
    }

    ngx_http_prov_lmdb_end(db);

    if (rc != 0) {
        p = err;

        if (rc != -1) {
            *ngx_slprintf(err, err + sizeof(err) - 1,
                          "mdb_stat() \"%V\" failed: %s", &db->path,
                          mdb_strerror(rc))
                = '\0';
        }

        ngx_log_error(NGX_LOG_ALERT, log, 0, "%s", p);
        db->info->available = 0;
        return NGX_ERROR;
    }

    db->info->available = 1;

    return NGX_OK;
}


/*
 * the read transaction renewed for one lookup: opened on the first one in
 * this process; once a second, the path is compared with the file open
 */

static ngx_int_t
ngx_http_prov_lmdb_begin(ngx_http_prov_lmdb_t *db, ngx_log_t *log)
{
    int               rc;
    size_t            txnid;
    time_t            now;
    ngx_uint_t        n;
    MDB_envinfo       info;
    struct stat       fi;
    mdb_filehandle_t  fd;
    u_char            err[NGX_MAX_ERROR_STR];

    now = ngx_time();

    if (db->env != NULL && db->pid != ngx_pid) {
        /* never used across fork(): not this process's to use or close */
        db->env = NULL;
        db->txn = NULL;
    }

    if (db->env != NULL && db->checked != now) {
        db->checked = now;

        db->gone = (stat((char *) db->path.data, &fi) == -1
                    || fi.st_dev != db->dev
                    || fi.st_ino != db->ino);

        /*
         * written since (a commit, or the file overwritten in place, as
         * cp does, perhaps with the transaction id it had): what a
         * connection kept holds no more
         */

        if (!db->gone
            && (fi.st_mtim.tv_sec != db->mtime.tv_sec
                || fi.st_mtim.tv_nsec != db->mtime.tv_nsec
                || fi.st_size != db->size))
        {
            db->mtime = fi.st_mtim;
            db->size = fi.st_size;
            db->version++;
        }

        if (!db->gone
            && (lstat((char *) db->lock, &fi) == -1
                || fi.st_dev != db->lock_dev
                || fi.st_ino != db->lock_ino))
        {
            /*
             * the lock file removed (or replaced): a writer uses another,
             * in which these readers are unknown and the last commit
             * never moves; open the database again, with the lock file
             * there now
             */

            ngx_log_error(NGX_LOG_WARN, log, 0, "the lock file \"%s\" of "
                          "the access list database \"%V\" was removed or "
                          "replaced: the database is opened again", db->lock,
                          &db->path);

            mdb_txn_abort(db->txn);
            mdb_env_close(db->env);
            db->env = NULL;
            db->txn = NULL;
            db->tried = 0;
        }
    }

    if (db->env == NULL) {
        if (db->tried == now) {
            return NGX_ERROR;
        }

        if (ngx_http_prov_lmdb_env_open(db, 1, err, sizeof(err)) != NGX_OK) {
            db->tried = now;
            ngx_log_error(NGX_LOG_ALERT, log, 0, "%s", err);
            return NGX_ERROR;
        }

        db->checked = now;
        db->gone = 0;
    }

    if (db->gone) {
        if (db->alerted != now) {
            db->alerted = now;
            ngx_log_error(NGX_LOG_ALERT, log, 0,
                          "access list database \"%V\" was removed or "
                          "replaced since nginx read its configuration: "
                          "every device is refused; reload nginx to open "
                          "the file there now (update the list with "
                          "prov-acl, never by replacing the file)",
                          &db->path);
        }

        return NGX_ERROR;
    }

    rc = mdb_txn_renew(db->txn);

    for (n = 0; rc == MDB_MAP_RESIZED && n < 3; n++) {

        /* a writer grew the data past this process's map: map it again */

        rc = mdb_env_get_fd(db->env, &fd);

        if (rc == 0 && fstat(fd, &fi) == -1) {
            rc = ngx_errno;
        }

        if (rc == 0) {
            rc = mdb_env_set_mapsize(db->env, ngx_http_prov_lmdb_mapsize(&fi));
        }

        if (rc == 0) {
            rc = mdb_txn_renew(db->txn);
        }
    }

    if (rc != 0) {
        ngx_log_error(NGX_LOG_ALERT, log, 0, "mdb_txn_renew() \"%V\" "
                      "failed: %s", &db->path, mdb_strerror(rc));
        return NGX_ERROR;
    }

    /*
     * The lock file names the last commit, the file's meta pages hold it
     * (one more while a writer commits): any other pair is a file written
     * by no LMDB writer of this lock file (overwritten in place), read
     * through a meta page that may hold an older list.  Refused until a
     * commit of prov-acl sets the lock file right.
     */

    txnid = mdb_txn_id(db->txn);

    (void) mdb_env_info(db->env, &info);

    if (info.me_last_txnid != txnid && info.me_last_txnid != txnid + 1) {
        mdb_txn_reset(db->txn);

        if (db->alerted != now) {
            db->alerted = now;
            ngx_log_error(NGX_LOG_ALERT, log, 0,
                          "access list database \"%V\" holds transaction "
                          "%uz, its lock file says %uz: the file was "
                          "overwritten in place, every device is refused "
                          "until prov-acl commits a change (update the list "
                          "with prov-acl, never by copying over the file)",
                          &db->path, (size_t) info.me_last_txnid, txnid);
        }

        return NGX_ERROR;
    }

    if (txnid != db->txnid) {
        db->txnid = txnid;
        db->version++;
    }

    return NGX_OK;
}


/*
 * the list's word on a device, as ngx_http_prov_acl_verdict() gives it;
 * NGX_HTTP_PROV_NONE (logged) when the database cannot be read
 */

ngx_uint_t
ngx_http_prov_lmdb_verdict(ngx_http_prov_lmdb_t *db, ngx_http_request_t *r,
    ngx_str_t *id, X509 *cert, ngx_http_prov_acl_entry_t **entry,
    u_char *digest, size_t *txnid)
{
    ngx_uint_t  rc;

    ngx_http_prov_lmdb_guard();

    if (sigsetjmp(ngx_http_prov_lmdb_jmp, 0) != 0) {
        ngx_http_prov_lmdb_fault(db, r->connection->log);
        *entry = NULL;
        return NGX_HTTP_PROV_NONE;
    }

    ngx_http_prov_lmdb_guarded = 1;
    rc = ngx_http_prov_lmdb_lookup(db, r, id, cert, entry, digest, txnid);
    ngx_http_prov_lmdb_guarded = 0;

    return rc;
}


ngx_int_t
ngx_http_prov_lmdb_unchanged(ngx_http_prov_lmdb_t *db, ngx_log_t *log,
    size_t txnid)
{
    ngx_int_t  rc;

    ngx_http_prov_lmdb_guard();

    if (sigsetjmp(ngx_http_prov_lmdb_jmp, 0) != 0) {
        ngx_http_prov_lmdb_fault(db, log);
        return NGX_ERROR;
    }

    ngx_http_prov_lmdb_guarded = 1;
    rc = ngx_http_prov_lmdb_same(db, log, txnid);
    ngx_http_prov_lmdb_guarded = 0;

    return rc;
}


ngx_int_t
ngx_http_prov_lmdb_stat(ngx_http_prov_lmdb_t *db, ngx_log_t *log)
{
    ngx_int_t  rc;

    ngx_http_prov_lmdb_guard();

    if (sigsetjmp(ngx_http_prov_lmdb_jmp, 0) != 0) {
        ngx_http_prov_lmdb_fault(db, log);
        db->info->available = 0;
        return NGX_ERROR;
    }

    ngx_http_prov_lmdb_guarded = 1;
    rc = ngx_http_prov_lmdb_figures(db, log);
    ngx_http_prov_lmdb_guarded = 0;

    return rc;
}


/*
 * the master's check, guarded as the workers' reads: a file cut short
 * while it is read must fail the configuration (a reload keeps the one
 * running), not kill the master.  The handler from before is put back:
 * the workers set theirs.
 */

static ngx_int_t
ngx_http_prov_lmdb_check_open(ngx_http_prov_lmdb_t *db, u_char *err,
    size_t size)
{
    ngx_int_t         rc;
    struct sigaction  sa, old;

    ngx_memzero(&sa, sizeof(struct sigaction));
    sa.sa_sigaction = ngx_http_prov_lmdb_sigbus;
    sa.sa_flags = SA_SIGINFO|SA_NODEFER;
    sigemptyset(&sa.sa_mask);

    if (sigaction(SIGBUS, &sa, &old) == -1) {
        return ngx_http_prov_lmdb_env_open(db, 0, err, size);
    }

    if (sigsetjmp(ngx_http_prov_lmdb_jmp, 0) != 0) {
        (void) sigaction(SIGBUS, &old, NULL);

        /* closing reads nothing of the map: the handles are freed */

        if (ngx_http_prov_lmdb_check_txn != NULL) {
            mdb_txn_abort(ngx_http_prov_lmdb_check_txn);
            ngx_http_prov_lmdb_check_txn = NULL;
        }

        if (ngx_http_prov_lmdb_check_env != NULL) {
            mdb_env_close(ngx_http_prov_lmdb_check_env);
            ngx_http_prov_lmdb_check_env = NULL;
        }

        *ngx_slprintf(err, err + size - 1, "access list database \"%V\" "
                      "was cut short while nginx read it (SIGBUS): "
                      NGX_HTTP_PROV_LMDB_CREATE ", or update it with "
                      "prov-acl, never by truncating or copying over it",
                      &db->path)
            = '\0';
        return NGX_ERROR;
    }

    ngx_http_prov_lmdb_guarded = 1;
    rc = ngx_http_prov_lmdb_env_open(db, 0, err, size);
    ngx_http_prov_lmdb_guarded = 0;

    (void) sigaction(SIGBUS, &old, NULL);

    return rc;
}


/*
 * the handler, set once in each process that reads a database; SA_NODEFER:
 * the jump out of it leaves SIGBUS unblocked
 */

static void
ngx_http_prov_lmdb_guard(void)
{
    struct sigaction  sa;

    if (ngx_http_prov_lmdb_sa_pid == ngx_pid) {
        return;
    }

    ngx_memzero(&sa, sizeof(struct sigaction));
    sa.sa_sigaction = ngx_http_prov_lmdb_sigbus;
    sa.sa_flags = SA_SIGINFO|SA_NODEFER;
    sigemptyset(&sa.sa_mask);

    if (sigaction(SIGBUS, &sa, &ngx_http_prov_lmdb_sa) == 0) {
        ngx_http_prov_lmdb_sa_pid = ngx_pid;
    }
}


static void
ngx_http_prov_lmdb_sigbus(int signo, siginfo_t *si, void *data)
{
    if (ngx_http_prov_lmdb_guarded) {
        ngx_http_prov_lmdb_guarded = 0;
        siglongjmp(ngx_http_prov_lmdb_jmp, 1);
    }

    /*
     * not a read of the map: the action from before, which the fault,
     * raised again on return, meets
     */

    (void) sigaction(SIGBUS, &ngx_http_prov_lmdb_sa, NULL);
    ngx_http_prov_lmdb_sa_pid = 0;
}


/* a SIGBUS in the map: nothing of it is read again */

static void
ngx_http_prov_lmdb_fault(ngx_http_prov_lmdb_t *db, ngx_log_t *log)
{
    ngx_http_prov_lmdb_guarded = 0;

    ngx_log_error(NGX_LOG_ALERT, log, 0, "access list database \"%V\" was "
                  "cut short while nginx read it (SIGBUS): every device is "
                  "refused until it is whole again (update the list with "
                  "prov-acl, never by truncating or copying over the file)",
                  &db->path);

    if (db->env != NULL && db->pid == ngx_pid) {
        if (db->txn != NULL) {
            mdb_txn_abort(db->txn);
        }

        mdb_env_close(db->env);
    }

    db->env = NULL;
    db->txn = NULL;
    db->tried = ngx_time();
}


/*
 * A reader maps what the file holds, with room to grow, not the map size
 * the writer asked for (prov-acl's 64 GiB): valgrind cannot map that much,
 * nor can a 32-bit process.  Should the data outgrow it, the renewal of
 * the transaction says MDB_MAP_RESIZED and the file is mapped again.
 */

static size_t
ngx_http_prov_lmdb_mapsize(struct stat *fi)
{
    off_t  size;

    size = fi->st_size;

    if (size > (off_t) (NGX_MAX_SIZE_T_VALUE / 4)) {
        return (size_t) size;
    }

    return ngx_max((size_t) size * 2, (size_t) 64 * 1024 * 1024);
}


static void
ngx_http_prov_lmdb_end(ngx_http_prov_lmdb_t *db)
{
    mdb_txn_reset(db->txn);
}


static void
ngx_http_prov_lmdb_cleanup(void *data)
{
    ngx_http_prov_lmdb_t  *db = data;

    /* a worker's exit: its reader slot is freed */

    if (db->env == NULL || db->pid != ngx_pid) {
        return;
    }

    if (db->txn != NULL) {
        mdb_txn_abort(db->txn);
    }

    mdb_env_close(db->env);

    db->env = NULL;
    db->txn = NULL;
}
