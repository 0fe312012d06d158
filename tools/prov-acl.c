
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


/*
 * prov-acl: the LMDB access list of "prov_acl lmdb:PATH", written and
 * read from the command line.  The line format, its errors, the ids'
 * normalisation and the database values are ngx_http_prov_acl_line.c's,
 * built with NGX_HTTP_PROV_ACL_TOOL: nginx -t and prov-acl say the same
 * of the same line.  See tools/prov-acl.8.
 */


#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <lmdb.h>

#include "ngx_http_prov_acl_line.h"


#define NGX_PROV_ACL_OK           0
#define NGX_PROV_ACL_NOT_LISTED   1
#define NGX_PROV_ACL_USAGE        2
#define NGX_PROV_ACL_BAD_INPUT    3
#define NGX_PROV_ACL_SERIAL       4
#define NGX_PROV_ACL_DATABASE     5

#define NGX_PROV_ACL_READ         0x01
#define NGX_PROV_ACL_WRITE        0x02
#define NGX_PROV_ACL_CREATE       0x04

/*
 * LMDB sizes the reader table of the lock file at its first opener, and
 * never shrinks it; a process that opens it while another has it open
 * gets it as it is.  Made by prov-acl, it must hold nginx's workers (the
 * module asks 4 * workers + 8): room for 256 workers, 64 KB
 */
#define NGX_PROV_ACL_READERS      (4 * 256 + 8)

/* sparse: readers rarely meet MDB_MAP_RESIZED */
#define NGX_PROV_ACL_MAPSIZE                                                 \
    ((sizeof(size_t) == 8) ? ((size_t) 64 << 30) : ((size_t) 1 << 30))

#define NGX_PROV_ACL_BATCH_SET    1
#define NGX_PROV_ACL_BATCH_DELETE 2

/* a record in the arena: [u32 line] [u16 id length] [u16 value length] */
#define NGX_PROV_ACL_RECORD_HEAD  8


typedef struct {
    const char                 *path;
    char                       *real;       /* path, no link: malloc()ed */
    MDB_env                    *env;
    MDB_dbi                     devices;
    MDB_dbi                     meta;
    ngx_uint_t                  mac;        /* ids are MAC addresses */
    ngx_uint_t                  fresh;      /* no list yet */
    uint64_t                    serial;
    uint64_t                    generation;
} ngx_prov_acl_db_t;


/* a device to write: sorted by key, then by its place in the arena */

typedef struct {
    uint64_t                    key;
    uint64_t                    offset;
} ngx_prov_acl_entry_t;


/* a line the parser refused, kept until the duplicates are known */

typedef struct {
    uint32_t                    line;
    u_char                      text[NGX_HTTP_PROV_ACL_ERROR_MAX];
    size_t                      len;
} ngx_prov_acl_error_t;


/* a later line of an id listed already: its text is made when shown */

typedef struct {
    uint32_t                    line;
    size_t                      index;      /* in the sorted entries */
} ngx_prov_acl_dup_t;


/* what a list or a batch read from a file becomes */

typedef struct {
    const char                 *name;       /* "-" for stdin */
    int                         fd;

    /* the last bytes read: parse_file() may ask for some again */
    u_char                     *saved;
    off_t                       saved_offset;
    size_t                      saved_len;
    off_t                       position;

    u_char                     *arena;
    size_t                      used;
    size_t                      size;

    ngx_prov_acl_entry_t       *entries;
    size_t                      nentries;
    size_t                      nalloc;

    ngx_prov_acl_error_t       *errors;
    ngx_uint_t                  nerrors;

    ngx_uint_t                  batch;      /* 1: set/delete lines */
    ngx_uint_t                  mac;
    ngx_uint_t                  failed;     /* no memory, read errors */
} ngx_prov_acl_input_t;


static int ngx_prov_acl_import(ngx_prov_acl_db_t *db, const char *path,
    const char *file, uint64_t serial, const char *ids);
static void ngx_prov_acl_settle(ngx_prov_acl_db_t *db);
static int ngx_prov_acl_old_serial(ngx_prov_acl_db_t *db, uint64_t serial);
static int ngx_prov_acl_apply(ngx_prov_acl_db_t *db, const char *file,
    uint64_t serial);
static int ngx_prov_acl_set(ngx_prov_acl_db_t *db, int argc, char **argv);
static int ngx_prov_acl_delete(ngx_prov_acl_db_t *db, char *arg);
static int ngx_prov_acl_get(ngx_prov_acl_db_t *db, char *arg);
static int ngx_prov_acl_dump(ngx_prov_acl_db_t *db);
static int ngx_prov_acl_stat(ngx_prov_acl_db_t *db);

static int ngx_prov_acl_read_input(ngx_prov_acl_db_t *db,
    ngx_prov_acl_input_t *in, const char *file, ngx_uint_t batch);
static ssize_t ngx_prov_acl_read(ngx_http_prov_acl_parse_t *ap, u_char *buf,
    size_t size, off_t offset);
static ngx_int_t ngx_prov_acl_add(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device);
static ngx_int_t ngx_prov_acl_batch_line(ngx_http_prov_acl_parse_t *ap,
    u_char *p, u_char *last);
static u_char *ngx_prov_acl_record(ngx_prov_acl_input_t *in, uint32_t line,
    ngx_str_t *id, size_t value_len);
static void ngx_prov_acl_keep_error(ngx_http_prov_acl_parse_t *ap,
    u_char *text, size_t len);
static void ngx_prov_acl_print_error(ngx_http_prov_acl_parse_t *ap,
    u_char *text, size_t len);
static void ngx_prov_acl_arg_error(ngx_http_prov_acl_parse_t *ap,
    u_char *text, size_t len);
static ngx_uint_t ngx_prov_acl_duplicates(ngx_prov_acl_input_t *in,
    ngx_uint_t errors);
static int ngx_prov_acl_cmp(const void *one, const void *two);
static int ngx_prov_acl_same(ngx_prov_acl_input_t *in,
    ngx_prov_acl_entry_t *a, ngx_prov_acl_entry_t *b);
static int ngx_prov_acl_line_cmp(const void *one, const void *two);
static void ngx_prov_acl_key(ngx_prov_acl_input_t *in,
    ngx_prov_acl_entry_t *e, u_char *mac, MDB_val *key, MDB_val *value,
    uint32_t *line);
static void ngx_prov_acl_input_free(ngx_prov_acl_input_t *in);

static int ngx_prov_acl_open(ngx_prov_acl_db_t *db, const char *path,
    ngx_uint_t flags);
static size_t ngx_prov_acl_mapsize(void);
static int ngx_prov_acl_create_file(const char *path, mode_t mode);
static int ngx_prov_acl_lock_file(const char *path);
static void ngx_prov_acl_writable(const char *path);
static int ngx_prov_acl_check(ngx_prov_acl_db_t *db, MDB_txn *txn,
    ngx_uint_t create);
static int ngx_prov_acl_meta_get(ngx_prov_acl_db_t *db, MDB_txn *txn,
    const char *name, ngx_str_t *value);
static int ngx_prov_acl_meta_number(ngx_prov_acl_db_t *db, MDB_txn *txn,
    const char *name, uint64_t *n);
static int ngx_prov_acl_meta_put(ngx_prov_acl_db_t *db, MDB_txn *txn,
    const char *name, const char *value);
static int ngx_prov_acl_begin(ngx_prov_acl_db_t *db, MDB_txn **txn,
    ngx_uint_t create);
static int ngx_prov_acl_commit(ngx_prov_acl_db_t *db, MDB_txn *txn,
    uint64_t serial);
static int ngx_prov_acl_id_arg(ngx_prov_acl_db_t *db, char *arg,
    ngx_http_prov_acl_line_t *device);
static int ngx_prov_acl_mdb_error(ngx_prov_acl_db_t *db, const char *what,
    int rc);
static void ngx_prov_acl_close(ngx_prov_acl_db_t *db);
static ngx_uint_t ngx_prov_acl_key_ok(ngx_prov_acl_db_t *db, MDB_val *key);
static int ngx_prov_acl_usage(FILE *out, int status);


static const char            *ngx_prov_acl_program = "prov-acl";
static ngx_uint_t             ngx_prov_acl_stdin_closed;

/* qsort() has no argument for its comparison's context */
static ngx_prov_acl_input_t  *ngx_prov_acl_sorted;


int
main(int argc, char **argv)
{
    int                 c, fd, status;
    char               *end, *command;
    uint64_t            serial;
    const char         *ids;
    ngx_prov_acl_db_t   db;

    static struct option  options[] = {
        { "serial", required_argument, NULL, 's' },
        { "ids", required_argument, NULL, 'i' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };

    /*
     * A descriptor 0, 1 or 2 left closed (">&-", a daemon that closed
     * them) would be given to LMDB's lock or data file, and what is said
     * on stdout or stderr written into the database ("not listed" over
     * its first page).  /dev/null, read-only, takes its place: a write
     * to it fails, as to the closed descriptor.
     */

    for (fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) {
            continue;
        }

        if (open("/dev/null", O_RDONLY) != fd) {
            return NGX_PROV_ACL_DATABASE;
        }

        /* "-" is no empty list then: "import PATH - <&-" must not empty it */

        if (fd == STDIN_FILENO) {
            ngx_prov_acl_stdin_closed = 1;
        }
    }

    serial = 0;
    ids = NULL;

    /* "+": options before the command only; ids may start with "-" */

    while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {

        switch (c) {

        case 's':
            if (serial) {
                fprintf(stderr, "%s: --serial given twice\n",
                        ngx_prov_acl_program);
                return NGX_PROV_ACL_USAGE;
            }

            errno = 0;
            serial = strtoull(optarg, &end, 10);

            if (errno || *end != '\0' || optarg[0] < '0' || optarg[0] > '9'
                || serial == 0)
            {
                fprintf(stderr, "%s: --serial: \"%s\" is not a number from "
                        "1 to %" PRIu64 "\n", ngx_prov_acl_program, optarg,
                        UINT64_MAX);
                return NGX_PROV_ACL_USAGE;
            }

            break;

        case 'i':
            if (ids != NULL) {
                fprintf(stderr, "%s: --ids given twice\n",
                        ngx_prov_acl_program);
                return NGX_PROV_ACL_USAGE;
            }

            if (strcmp(optarg, "mac") != 0 && strcmp(optarg, "value") != 0) {
                fprintf(stderr, "%s: --ids: \"%s\": mac or value\n",
                        ngx_prov_acl_program, optarg);
                return NGX_PROV_ACL_USAGE;
            }

            ids = optarg;
            break;

        case 'h':
            return ngx_prov_acl_usage(stdout, NGX_PROV_ACL_OK);

        default:
            return ngx_prov_acl_usage(stderr, NGX_PROV_ACL_USAGE);
        }
    }

    argc -= optind;
    argv += optind;

    if (argc < 2) {
        return ngx_prov_acl_usage(stderr, NGX_PROV_ACL_USAGE);
    }

    command = argv[0];

    if ((serial && strcmp(command, "import") != 0
         && strcmp(command, "apply") != 0)
        || (ids != NULL && strcmp(command, "import") != 0))
    {
        fprintf(stderr, "%s: %s takes no %s\n", ngx_prov_acl_program,
                command, serial ? "--serial" : "--ids");
        return NGX_PROV_ACL_USAGE;
    }

    memset(&db, 0, sizeof(ngx_prov_acl_db_t));

    if (strcmp(command, "import") == 0 && argc == 3) {
        status = ngx_prov_acl_import(&db, argv[1], argv[2], serial, ids);

    } else if (strcmp(command, "apply") == 0 && argc == 3) {
        status = ngx_prov_acl_open(&db, argv[1], NGX_PROV_ACL_WRITE);
        if (status == NGX_PROV_ACL_OK) {
            status = ngx_prov_acl_apply(&db, argv[2], serial);
        }

    } else if (strcmp(command, "set") == 0 && argc >= 3) {
        status = ngx_prov_acl_open(&db, argv[1], NGX_PROV_ACL_WRITE);
        if (status == NGX_PROV_ACL_OK) {
            status = ngx_prov_acl_set(&db, argc - 2, argv + 2);
        }

    } else if (strcmp(command, "delete") == 0 && argc == 3) {
        status = ngx_prov_acl_open(&db, argv[1], NGX_PROV_ACL_WRITE);
        if (status == NGX_PROV_ACL_OK) {
            status = ngx_prov_acl_delete(&db, argv[2]);
        }

    } else if (strcmp(command, "get") == 0 && argc == 3) {
        status = ngx_prov_acl_open(&db, argv[1], NGX_PROV_ACL_READ);
        if (status == NGX_PROV_ACL_OK) {
            status = ngx_prov_acl_get(&db, argv[2]);
        }

    } else if (strcmp(command, "dump") == 0 && argc == 2) {
        status = ngx_prov_acl_open(&db, argv[1], NGX_PROV_ACL_READ);
        if (status == NGX_PROV_ACL_OK) {
            status = ngx_prov_acl_dump(&db);
        }

    } else if (strcmp(command, "stat") == 0 && argc == 2) {
        status = ngx_prov_acl_open(&db, argv[1], NGX_PROV_ACL_READ);
        if (status == NGX_PROV_ACL_OK) {
            status = ngx_prov_acl_stat(&db);
        }

    } else {
        return ngx_prov_acl_usage(stderr, NGX_PROV_ACL_USAGE);
    }

    ngx_prov_acl_close(&db);

    return status;
}


static int
ngx_prov_acl_usage(FILE *out, int status)
{
    fprintf(out,
        "usage: %s [--serial N] [--ids mac|value] import PATH FILE|-\n"
        "       %s [--serial N] apply PATH FILE|-\n"
        "       %s set PATH ID allow|deny [sha256=FINGERPRINT] "
        "[KEY=VALUE...]\n"
        "       %s delete PATH ID\n"
        "       %s get PATH ID\n"
        "       %s dump PATH\n"
        "       %s stat PATH\n"
        "exit status: 0 done, 1 not listed (get, delete), 2 usage, "
        "3 bad input,\n"
        "4 serial not greater than the database's, 5 database error "
        "(see prov-acl(8))\n",
        ngx_prov_acl_program, ngx_prov_acl_program, ngx_prov_acl_program,
        ngx_prov_acl_program, ngx_prov_acl_program, ngx_prov_acl_program,
        ngx_prov_acl_program);

    return status;
}


/*
 * The whole list is read and checked before the database is written:
 * one bad line and nothing is (not even a new, empty database).  Then
 * one transaction empties "devices" and appends the devices in key order
 * (LMDB fills its pages whole).
 */

static int
ngx_prov_acl_import(ngx_prov_acl_db_t *db, const char *path,
    const char *file, uint64_t serial, const char *ids)
{
    int                    rc, status;
    u_char                 mac[NGX_HTTP_PROV_MAC_LEN];
    size_t                 i;
    MDB_txn               *txn;
    MDB_val                key, value;
    uint32_t               line;
    ngx_uint_t             exists;
    struct stat            st;
    ngx_prov_acl_input_t   in;

    exists = (stat(path, &st) == 0);

    if (exists) {
        status = ngx_prov_acl_open(db, path,
                                   NGX_PROV_ACL_WRITE|NGX_PROV_ACL_CREATE);
        if (status != NGX_PROV_ACL_OK) {
            return status;
        }
    }

    if (!exists || db->fresh) {
        db->path = path;
        db->mac = (ids == NULL || strcmp(ids, "mac") == 0);

    } else if (ids != NULL && db->mac != (strcmp(ids, "mac") == 0)) {
        fprintf(stderr, "%s: %s: the database holds %s ids: --ids %s is "
                "only for a new database\n", ngx_prov_acl_program, db->path,
                db->mac ? "mac" : "value", ids);
        return NGX_PROV_ACL_USAGE;
    }

    /* a snapshot replayed: refused before it is read */

    if (serial && serial <= db->serial) {
        return ngx_prov_acl_old_serial(db, serial);
    }

    status = ngx_prov_acl_read_input(db, &in, file, 0);

    if (status != NGX_PROV_ACL_OK) {
        ngx_prov_acl_input_free(&in);
        return status;
    }

    if (!exists) {
        /* another prov-acl may make it meanwhile: begin() checks its ids */

        status = ngx_prov_acl_open(db, path,
                                   NGX_PROV_ACL_WRITE|NGX_PROV_ACL_CREATE);
        if (status != NGX_PROV_ACL_OK) {
            ngx_prov_acl_input_free(&in);
            return status;
        }

        db->mac = in.mac;
    }

    if (in.nentries == 0) {
        fprintf(stderr, "%s: warning: %s names no device: the list is "
                "emptied (default=allow lets all in, default=deny none)\n",
                ngx_prov_acl_program, file);
    }

    status = ngx_prov_acl_begin(db, &txn, 1);

    if (status != NGX_PROV_ACL_OK) {
        ngx_prov_acl_input_free(&in);
        return status;
    }

    /* another writer may have moved it on meanwhile */

    if (serial && serial <= db->serial) {
        mdb_txn_abort(txn);
        ngx_prov_acl_input_free(&in);
        return ngx_prov_acl_old_serial(db, serial);
    }

    rc = mdb_drop(txn, db->devices, 0);

    if (rc != 0) {
        mdb_txn_abort(txn);
        ngx_prov_acl_input_free(&in);
        return ngx_prov_acl_mdb_error(db, "emptying the list", rc);
    }

    for (i = 0; i < in.nentries; i++) {
        ngx_prov_acl_key(&in, &in.entries[i], mac, &key, &value, &line);

        rc = mdb_put(txn, db->devices, &key, &value, MDB_APPEND);

        if (rc != 0) {
            mdb_txn_abort(txn);
            ngx_prov_acl_input_free(&in);
            return ngx_prov_acl_mdb_error(db, "writing the list", rc);
        }
    }

    ngx_prov_acl_input_free(&in);

    status = ngx_prov_acl_commit(db, txn, serial);

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    ngx_prov_acl_settle(db);

    return NGX_PROV_ACL_OK;
}


/*
 * LMDB reuses the pages a transaction freed only two transactions later:
 * the next import could not have the pages of this one's predecessor,
 * and the file would hold three lists, not two.  A write of no change
 * (the generation, as it is now) moves on by one.
 */

static void
ngx_prov_acl_settle(ngx_prov_acl_db_t *db)
{
    int        rc;
    char       number[32];
    MDB_txn   *txn;
    MDB_val    key, value;

    rc = mdb_txn_begin(db->env, NULL, 0, &txn);

    if (rc != 0) {
        goto failed;
    }

    key.mv_size = sizeof("generation") - 1;
    key.mv_data = "generation";

    rc = mdb_get(txn, db->meta, &key, &value);

    if (rc == 0 && value.mv_size >= sizeof(number)) {
        rc = MDB_CORRUPTED;
    }

    if (rc == 0) {
        /* a value read is the map's: not to be written from */

        ngx_memcpy(number, value.mv_data, value.mv_size);
        value.mv_data = number;

        rc = mdb_put(txn, db->meta, &key, &value, 0);
    }

    if (rc != 0) {
        mdb_txn_abort(txn);
        goto failed;
    }

    rc = mdb_txn_commit(txn);

    if (rc == 0) {
        return;
    }

failed:

    /* the list is in: the next import may make the file larger */

    fprintf(stderr, "%s: %s: warning: after the import: %s\n",
            ngx_prov_acl_program, db->path, mdb_strerror(rc));
}


static int
ngx_prov_acl_old_serial(ngx_prov_acl_db_t *db, uint64_t serial)
{
    fprintf(stderr, "%s: %s: serial %" PRIu64 " is not greater than the "
            "database's %" PRIu64 ": nothing written\n",
            ngx_prov_acl_program, db->path, serial, db->serial);

    return NGX_PROV_ACL_SERIAL;
}


/* a batch of "set <line>" and "delete <id>", all or nothing */

static int
ngx_prov_acl_apply(ngx_prov_acl_db_t *db, const char *file, uint64_t serial)
{
    int                    rc, status;
    u_char                *p;
    size_t                 off;
    MDB_txn               *txn;
    MDB_val                key, value;
    uint16_t               klen, vlen;
    ngx_prov_acl_input_t   in;

    if (serial && serial <= db->serial) {
        return ngx_prov_acl_old_serial(db, serial);
    }

    status = ngx_prov_acl_read_input(db, &in, file, 1);

    if (status != NGX_PROV_ACL_OK) {
        ngx_prov_acl_input_free(&in);
        return status;
    }

    status = ngx_prov_acl_begin(db, &txn, 0);

    if (status != NGX_PROV_ACL_OK) {
        ngx_prov_acl_input_free(&in);
        return status;
    }

    /* another writer may have moved it on meanwhile */

    if (serial && serial <= db->serial) {
        mdb_txn_abort(txn);
        ngx_prov_acl_input_free(&in);
        return ngx_prov_acl_old_serial(db, serial);
    }

    /* the batch's lines in order: [u8 op] [u16 id] [u16 value] id value */

    for (off = 0; off < in.used; off += 5 + klen + vlen) {
        p = in.arena + off;
        ngx_memcpy(&klen, p + 1, 2);
        ngx_memcpy(&vlen, p + 3, 2);

        key.mv_size = klen;
        key.mv_data = p + 5;

        if (p[0] == NGX_PROV_ACL_BATCH_SET) {
            value.mv_size = vlen;
            value.mv_data = p + 5 + klen;
            rc = mdb_put(txn, db->devices, &key, &value, 0);

        } else {
            /* a device not listed: done already, as a replayed batch has */

            rc = mdb_del(txn, db->devices, &key, NULL);

            if (rc == MDB_NOTFOUND) {
                rc = 0;
            }
        }

        if (rc != 0) {
            mdb_txn_abort(txn);
            ngx_prov_acl_input_free(&in);
            return ngx_prov_acl_mdb_error(db, "applying the batch", rc);
        }
    }

    ngx_prov_acl_input_free(&in);

    return ngx_prov_acl_commit(db, txn, serial);
}


/* the words make one line of the list: "ID allow|deny [options]" */

static int
ngx_prov_acl_set(ngx_prov_acl_db_t *db, int argc, char **argv)
{
    int                         rc, status;
    u_char                     *p, *value;
    size_t                      len, size;
    MDB_txn                    *txn;
    MDB_val                     key, val;
    ngx_int_t                   n;
    ngx_http_prov_acl_parse_t   ap;
    u_char                      line[NGX_HTTP_PROV_ACL_LINE_MAX + 1];

    p = line;

    for (n = 0; n < argc; n++) {
        len = strlen(argv[n]);

        /*
         * in a list line "#" after a blank starts a comment: a quoted
         * "#note" word would silently drop the words after it (a pin)
         */

        if (argv[n][0] == '#') {
            fprintf(stderr, "%s: set: \"%s\" would start a comment and drop "
                    "the words after it\n", ngx_prov_acl_program, argv[n]);
            return NGX_PROV_ACL_BAD_INPUT;
        }

        if ((size_t) (line + NGX_HTTP_PROV_ACL_LINE_MAX - p) < len + 1) {
            fprintf(stderr, "%s: line longer than %d bytes\n",
                    ngx_prov_acl_program, NGX_HTTP_PROV_ACL_LINE_MAX);
            return NGX_PROV_ACL_BAD_INPUT;
        }

        if (n) {
            *p++ = ' ';
        }

        p = ngx_cpymem(p, argv[n], len);
    }

    memset(&ap, 0, sizeof(ngx_http_prov_acl_parse_t));
    ap.mac = db->mac;
    ap.id_max = NGX_HTTP_PROV_LMDB_KEY_MAX;
    ap.data = NULL;
    ap.add = ngx_prov_acl_add;
    ap.error = ngx_prov_acl_arg_error;

    /* ngx_prov_acl_add() keeps nothing without an input: the device stays */

    if (ngx_http_prov_acl_parse_line(&ap, line, p) != NGX_OK || ap.errors) {
        return NGX_PROV_ACL_BAD_INPUT;
    }

    if (ap.devices == 0) {
        fprintf(stderr, "%s: set: no device in \"%.*s\"\n",
                ngx_prov_acl_program, (int) (p - line), line);
        return NGX_PROV_ACL_BAD_INPUT;
    }

    size = ngx_http_prov_acl_value_size(&ap.device);

    value = malloc(size);
    if (value == NULL) {
        fprintf(stderr, "%s: no memory\n", ngx_prov_acl_program);
        return NGX_PROV_ACL_DATABASE;
    }

    (void) ngx_http_prov_acl_value_write(value, &ap.device);

    status = ngx_prov_acl_begin(db, &txn, 0);

    if (status != NGX_PROV_ACL_OK) {
        free(value);
        return status;
    }

    key.mv_size = ap.device.id.len;
    key.mv_data = ap.device.id.data;
    val.mv_size = size;
    val.mv_data = value;

    rc = mdb_put(txn, db->devices, &key, &val, 0);

    free(value);

    if (rc != 0) {
        mdb_txn_abort(txn);
        return ngx_prov_acl_mdb_error(db, "writing the device", rc);
    }

    return ngx_prov_acl_commit(db, txn, 0);
}


static int
ngx_prov_acl_delete(ngx_prov_acl_db_t *db, char *arg)
{
    int                        rc, status;
    MDB_txn                   *txn;
    MDB_val                    key;
    ngx_http_prov_acl_line_t   device;

    status = ngx_prov_acl_id_arg(db, arg, &device);

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    status = ngx_prov_acl_begin(db, &txn, 0);

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    key.mv_size = device.id.len;
    key.mv_data = device.id.data;

    rc = mdb_del(txn, db->devices, &key, NULL);

    if (rc == MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        fprintf(stderr, "%s: not listed\n", arg);
        return NGX_PROV_ACL_NOT_LISTED;
    }

    if (rc != 0) {
        mdb_txn_abort(txn);
        return ngx_prov_acl_mdb_error(db, "deleting the device", rc);
    }

    return ngx_prov_acl_commit(db, txn, 0);
}


static int
ngx_prov_acl_get(ngx_prov_acl_db_t *db, char *arg)
{
    int                        rc, status;
    u_char                    *buf;
    size_t                     len;
    MDB_txn                   *txn;
    MDB_val                    key, value;
    ngx_http_prov_acl_line_t   device;

    status = ngx_prov_acl_id_arg(db, arg, &device);

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_txn_begin", rc);
    }

    status = ngx_prov_acl_check(db, txn, 0);

    if (status != NGX_PROV_ACL_OK) {
        mdb_txn_abort(txn);
        return status;
    }

    key.mv_size = device.id.len;
    key.mv_data = device.id.data;

    rc = mdb_get(txn, db->devices, &key, &value);

    if (rc == MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        fprintf(stderr, "%s: not listed\n", arg);
        return NGX_PROV_ACL_NOT_LISTED;
    }

    if (rc != 0) {
        mdb_txn_abort(txn);
        return ngx_prov_acl_mdb_error(db, "mdb_get", rc);
    }

    if (ngx_http_prov_acl_value_check(value.mv_data, value.mv_size)
        != NGX_OK)
    {
        mdb_txn_abort(txn);
        fprintf(stderr, "%s: %s: the value of \"%.*s\" is not one prov-acl "
                "writes\n", ngx_prov_acl_program, db->path,
                (int) device.id.len, device.id.data);
        return NGX_PROV_ACL_DATABASE;
    }

    buf = malloc(NGX_HTTP_PROV_ACL_PRINT_SIZE(device.id.len, value.mv_size));
    if (buf == NULL) {
        mdb_txn_abort(txn);
        fprintf(stderr, "%s: no memory\n", ngx_prov_acl_program);
        return NGX_PROV_ACL_DATABASE;
    }

    len = ngx_http_prov_acl_value_print(buf, &device.id, value.mv_data,
                                        value.mv_size);

    mdb_txn_abort(txn);

    status = NGX_PROV_ACL_OK;

    if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "%s: writing: %s\n", ngx_prov_acl_program,
                strerror(errno));
        status = NGX_PROV_ACL_DATABASE;
    }

    free(buf);

    return status;
}


static int
ngx_prov_acl_dump(ngx_prov_acl_db_t *db)
{
    int            rc, status;
    u_char        *buf;
    size_t         len;
    MDB_txn       *txn;
    MDB_val        key, value;
    ngx_str_t      id;
    MDB_cursor    *cursor;

    static u_char  out[65536];

    rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_txn_begin", rc);
    }

    status = ngx_prov_acl_check(db, txn, 0);

    if (status != NGX_PROV_ACL_OK) {
        mdb_txn_abort(txn);
        return status;
    }

    rc = mdb_cursor_open(txn, db->devices, &cursor);

    if (rc != 0) {
        mdb_txn_abort(txn);
        return ngx_prov_acl_mdb_error(db, "mdb_cursor_open", rc);
    }

    setvbuf(stdout, (char *) out, _IOFBF, sizeof(out));

    /* a value and its id: within a line the parser read */

    buf = malloc(NGX_HTTP_PROV_ACL_PRINT_SIZE(NGX_HTTP_PROV_LMDB_KEY_MAX,
                                              65536 * 2));
    if (buf == NULL) {
        mdb_txn_abort(txn);
        fprintf(stderr, "%s: no memory\n", ngx_prov_acl_program);
        return NGX_PROV_ACL_DATABASE;
    }

    status = NGX_PROV_ACL_OK;

    for (rc = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
         rc == 0;
         rc = mdb_cursor_get(cursor, &key, &value, MDB_NEXT))
    {
        if (!ngx_prov_acl_key_ok(db, &key)
            || value.mv_size > 65536 * 2
            || ngx_http_prov_acl_value_check(value.mv_data, value.mv_size)
               != NGX_OK)
        {
            fprintf(stderr, "%s: %s: the value of \"%.*s\" is not one "
                    "prov-acl writes\n", ngx_prov_acl_program, db->path,
                    (int) ngx_min(key.mv_size, 511), (char *) key.mv_data);
            status = NGX_PROV_ACL_DATABASE;
            break;
        }

        id.len = key.mv_size;
        id.data = key.mv_data;

        len = ngx_http_prov_acl_value_print(buf, &id, value.mv_data,
                                            value.mv_size);

        if (fwrite(buf, 1, len, stdout) != len) {
            break;
        }
    }

    if (rc != 0 && rc != MDB_NOTFOUND) {
        status = ngx_prov_acl_mdb_error(db, "reading the list", rc);
    }

    free(buf);
    mdb_cursor_close(cursor);
    mdb_txn_abort(txn);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: writing: %s\n", ngx_prov_acl_program,
                strerror(errno));
        return NGX_PROV_ACL_DATABASE;
    }

    return status;
}


static int
ngx_prov_acl_stat(ngx_prov_acl_db_t *db)
{
    int           rc, fd, status;
    MDB_txn      *txn;
    MDB_stat      ms;
    struct stat   st;

    rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_txn_begin", rc);
    }

    status = ngx_prov_acl_check(db, txn, 0);

    if (status != NGX_PROV_ACL_OK) {
        mdb_txn_abort(txn);
        return status;
    }

    rc = mdb_stat(txn, db->devices, &ms);

    mdb_txn_abort(txn);

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_stat", rc);
    }

    if (mdb_env_get_fd(db->env, &fd) != 0 || fstat(fd, &st) == -1) {
        fprintf(stderr, "%s: %s: fstat: %s\n", ngx_prov_acl_program,
                db->path, strerror(errno));
        return NGX_PROV_ACL_DATABASE;
    }

    printf("devices %zu\nserial %" PRIu64 "\ngeneration %" PRIu64 "\n"
           "bytes %jd\nids %s\n",
           ms.ms_entries, db->serial, db->generation, (intmax_t) st.st_size,
           db->mac ? "mac" : "value");

    if (fflush(stdout) != 0) {
        return NGX_PROV_ACL_DATABASE;
    }

    return NGX_PROV_ACL_OK;
}


/*
 * Reads a list (batch 0) or a batch (1) whole into in: nothing is
 * written unless every line is good.  Errors are printed "FILE:LINE:
 * reason", in line order, the first NGX_HTTP_PROV_ACL_ERRORS of them,
 * as nginx -t prints them.
 */

static int
ngx_prov_acl_read_input(ngx_prov_acl_db_t *db, ngx_prov_acl_input_t *in,
    const char *file, ngx_uint_t batch)
{
    u_char                     *buf;
    ngx_uint_t                  errors;
    ngx_http_prov_acl_parse_t  *ap;

    memset(in, 0, sizeof(ngx_prov_acl_input_t));

    in->name = file;
    in->batch = batch;
    in->mac = db->mac;

    if (strcmp(file, "-") == 0) {
        if (ngx_prov_acl_stdin_closed) {
            fprintf(stderr, "%s: -: the standard input is closed\n",
                    ngx_prov_acl_program);
            return NGX_PROV_ACL_BAD_INPUT;
        }

        in->fd = STDIN_FILENO;

    } else {
        in->fd = open(file, O_RDONLY);

        if (in->fd == -1) {
            fprintf(stderr, "%s: %s: %s\n", ngx_prov_acl_program, file,
                    strerror(errno));
            return NGX_PROV_ACL_BAD_INPUT;
        }
    }

    /* the parser's state is large (a line's attributes): not on the stack */

    ap = calloc(1, sizeof(ngx_http_prov_acl_parse_t));
    buf = malloc(NGX_HTTP_PROV_ACL_READ_SIZE + NGX_HTTP_PROV_ACL_LINE_MAX);
    in->saved = malloc(NGX_HTTP_PROV_ACL_READ_SIZE);
    in->errors = calloc(NGX_HTTP_PROV_ACL_ERRORS,
                        sizeof(ngx_prov_acl_error_t));

    if (ap == NULL || buf == NULL || in->saved == NULL || in->errors == NULL)
    {
        free(ap);
        free(buf);
        fprintf(stderr, "%s: no memory\n", ngx_prov_acl_program);
        return NGX_PROV_ACL_DATABASE;
    }

    ap->mac = db->mac;
    ap->id_max = NGX_HTTP_PROV_LMDB_KEY_MAX;
    ap->data = in;
    ap->read = ngx_prov_acl_read;
    ap->add = ngx_prov_acl_add;
    ap->error = batch ? ngx_prov_acl_print_error : ngx_prov_acl_keep_error;
    ap->handler = batch ? ngx_prov_acl_batch_line : NULL;

    if (ngx_http_prov_acl_parse_file(ap, -1, buf) != NGX_OK || in->failed) {
        free(ap);
        free(buf);
        return in->failed ? in->failed : NGX_PROV_ACL_BAD_INPUT;
    }

    free(buf);

    /* read to its end, yet cut short: a writer not done, or a pipe broken */

    if (ap->unterminated) {
        ngx_http_prov_acl_unterminated(ap);
    }

    errors = ap->errors;

    free(ap);

    if (!batch) {
        errors = ngx_prov_acl_duplicates(in, errors);
    }

    if (errors) {
        fprintf(stderr, "%s: %lu error(s) in %s \"%s\": nothing written\n",
                ngx_prov_acl_program, (unsigned long) errors,
                batch ? "batch" : "access list", file);
        return NGX_PROV_ACL_BAD_INPUT;
    }

    return NGX_PROV_ACL_OK;
}


/*
 * parse_file() reads on from where it asked last, but after an overlong
 * line it may ask again for bytes it had: a pipe cannot seek, so the
 * last bytes read are kept
 */

static ssize_t
ngx_prov_acl_read(ngx_http_prov_acl_parse_t *ap, u_char *buf, size_t size,
    off_t offset)
{
    size_t                 skip;
    ssize_t                n;
    ngx_prov_acl_input_t  *in = ap->data;

    if (offset < in->position) {
        if (offset < in->saved_offset) {
            fprintf(stderr, "%s: %s: cannot read back\n",
                    ngx_prov_acl_program, in->name);
            in->failed = NGX_PROV_ACL_BAD_INPUT;
            return -1;
        }

        skip = offset - in->saved_offset;
        n = ngx_min(size, in->saved_len - skip);
        ngx_memcpy(buf, in->saved + skip, n);

        return n;
    }

    if (size > NGX_HTTP_PROV_ACL_READ_SIZE) {
        size = NGX_HTTP_PROV_ACL_READ_SIZE;
    }

    do {
        n = read(in->fd, buf, size);
    } while (n == -1 && errno == EINTR);

    if (n == -1) {
        fprintf(stderr, "%s: %s: %s\n", ngx_prov_acl_program, in->name,
                strerror(errno));
        in->failed = NGX_PROV_ACL_BAD_INPUT;
        return -1;
    }

    ngx_memcpy(in->saved, buf, n);
    in->saved_offset = in->position;
    in->saved_len = n;
    in->position += n;

    return n;
}


/*
 * a device's line (of a list, or of a batch's "set"): [u32 line] [u16 id
 * length] [u16 value length] [id: not for MAC lists, whose key holds it]
 * [value]
 */

static ngx_int_t
ngx_prov_acl_add(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device)
{
    u_char                *p;
    size_t                 n;
    uint64_t               key;
    ngx_uint_t             i;
    ngx_prov_acl_entry_t  *entries;
    ngx_prov_acl_input_t  *in = ap->data;

    if (in == NULL) {
        /* prov-acl set: ap->device is the line's */
        return NGX_OK;
    }

    if (in->batch) {
        p = ngx_prov_acl_record(in, 0, &device->id,
                                ngx_http_prov_acl_value_size(device));
        if (p == NULL) {
            ap->stop = 1;
            return NGX_ERROR;
        }

        p[0] = NGX_PROV_ACL_BATCH_SET;
        (void) ngx_http_prov_acl_value_write(p + 5 + device->id.len, device);

        return NGX_OK;
    }

    if (ap->line > UINT32_MAX) {
        ngx_http_prov_acl_error(ap, "more than %u lines", UINT32_MAX);
        ap->stop = 1;
        return NGX_ERROR;
    }

    if (in->nentries == in->nalloc) {
        n = in->nalloc ? in->nalloc * 2 : 65536;

        entries = realloc(in->entries, n * sizeof(ngx_prov_acl_entry_t));
        if (entries == NULL) {
            fprintf(stderr, "%s: no memory for the list\n",
                    ngx_prov_acl_program);
            in->failed = NGX_PROV_ACL_DATABASE;
            ap->stop = 1;
            return NGX_ERROR;
        }

        in->entries = entries;
        in->nalloc = n;
    }

    /*
     * the sort key: a MAC's 48 bits (lowercase hex sorts as the numbers
     * do), or an id's first 8 bytes, big-endian, then the id itself
     */

    key = 0;

    if (ap->mac) {
        for (i = 0; i < NGX_HTTP_PROV_MAC_LEN; i++) {
            key = (key << 4) | (uint64_t) ((device->mac[i] <= '9')
                                           ? device->mac[i] - '0'
                                           : device->mac[i] - 'a' + 10);
        }

    } else {
        for (i = 0; i < 8; i++) {
            key = (key << 8)
                  | (uint64_t) ((i < device->id.len) ? device->id.data[i] : 0);
        }
    }

    in->entries[in->nentries].key = key;
    in->entries[in->nentries].offset = in->used;

    p = ngx_prov_acl_record(in, (uint32_t) ap->line,
                            ap->mac ? NULL : &device->id,
                            ngx_http_prov_acl_value_size(device));
    if (p == NULL) {
        ap->stop = 1;
        return NGX_ERROR;
    }

    in->nentries++;

    (void) ngx_http_prov_acl_value_write(p, device);

    return NGX_OK;
}


/* room for a record, and its head written: returns where its value goes */

static u_char *
ngx_prov_acl_record(ngx_prov_acl_input_t *in, uint32_t line, ngx_str_t *id,
    size_t value_len)
{
    u_char    *p, *arena;
    size_t     size, n;
    uint16_t   len16;

    size = NGX_PROV_ACL_RECORD_HEAD + (id ? id->len : 0) + value_len;

    if (in->used + size > in->size) {
        n = in->size ? in->size * 2 : 1048576;

        while (n < in->used + size) {
            n *= 2;
        }

        arena = realloc(in->arena, n);
        if (arena == NULL) {
            fprintf(stderr, "%s: no memory for the list\n",
                    ngx_prov_acl_program);
            in->failed = NGX_PROV_ACL_DATABASE;
            return NULL;
        }

        in->arena = arena;
        in->size = n;
    }

    p = in->arena + in->used;

    if (in->batch) {
        /* [u8 op] [u16 id length] [u16 value length] id value */

        p[0] = 0;
        len16 = (uint16_t) id->len;
        ngx_memcpy(p + 1, &len16, 2);
        len16 = (uint16_t) value_len;
        ngx_memcpy(p + 3, &len16, 2);
        ngx_memcpy(p + 5, id->data, id->len);

        in->used += 5 + id->len + value_len;

        return p;
    }

    ngx_memcpy(p, &line, 4);
    len16 = (uint16_t) (id ? id->len : 0);
    ngx_memcpy(p + 4, &len16, 2);
    len16 = (uint16_t) value_len;
    ngx_memcpy(p + 6, &len16, 2);
    p += NGX_PROV_ACL_RECORD_HEAD;

    if (id) {
        p = ngx_cpymem(p, id->data, id->len);
    }

    in->used += size;

    return p;
}


/* a batch's line: "set <list line>", "delete <id>", blank or comment */

static ngx_int_t
ngx_prov_acl_batch_line(ngx_http_prov_acl_parse_t *ap, u_char *p,
    u_char *last)
{
    u_char                    *rec;
    ngx_str_t                  word, id;
    ngx_uint_t                 devices;
    ngx_prov_acl_input_t      *in = ap->data;
    ngx_http_prov_acl_line_t  *device;

    while (p < last && (*p == ' ' || *p == '\t' || *p == CR)) {
        p++;
    }

    if (p == last || *p == '#') {
        return NGX_OK;
    }

    word.data = p;

    while (p < last && *p != ' ' && *p != '\t' && *p != CR) {
        p++;
    }

    word.len = p - word.data;

    if (word.len == 3 && ngx_strncmp(word.data, "set", 3) == 0) {
        devices = ap->devices;

        if (ngx_http_prov_acl_parse_line(ap, p, last) != NGX_OK) {
            return NGX_ERROR;
        }

        /* "set" alone, or a comment: a feed's line cut short */

        if (ap->devices == devices) {
            ngx_http_prov_acl_error(ap, "\"set\" takes a list line");
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if (word.len != 6 || ngx_strncmp(word.data, "delete", 6) != 0) {
        ngx_http_prov_acl_error(ap, "unknown command \"%.*s\" (set or "
                                "delete)", (int) ngx_min(word.len, 64),
                                word.data);
        return NGX_ERROR;
    }

    while (p < last && (*p == ' ' || *p == '\t' || *p == CR)) {
        p++;
    }

    id.data = p;

    while (p < last && *p != ' ' && *p != '\t' && *p != CR) {
        p++;
    }

    id.len = p - id.data;

    while (p < last && (*p == ' ' || *p == '\t' || *p == CR)) {
        p++;
    }

    if (id.len == 0 || (p < last && *p != '#')) {
        ngx_http_prov_acl_error(ap, "\"delete\" takes one id");
        return NGX_ERROR;
    }

    device = &ap->device;

    if (ngx_http_prov_acl_parse_id_field(ap, &id, device) != NGX_OK) {
        return NGX_ERROR;
    }

    rec = ngx_prov_acl_record(in, 0, &device->id, 0);
    if (rec == NULL) {
        ap->stop = 1;
        return NGX_ERROR;
    }

    rec[0] = NGX_PROV_ACL_BATCH_DELETE;

    return NGX_OK;
}


/* a list's errors wait for its duplicates, found once it is sorted */

static void
ngx_prov_acl_keep_error(ngx_http_prov_acl_parse_t *ap, u_char *text,
    size_t len)
{
    ngx_prov_acl_error_t  *err;
    ngx_prov_acl_input_t  *in = ap->data;

    if (text == NULL || in->nerrors == NGX_HTTP_PROV_ACL_ERRORS) {
        return;
    }

    err = &in->errors[in->nerrors++];
    err->line = (uint32_t) ap->line;
    err->len = len;
    ngx_memcpy(err->text, text, len);
}


/* nginx's "%V:%ui: %*s" and "%V: too many errors, the rest are not shown" */

static void
ngx_prov_acl_print_error(ngx_http_prov_acl_parse_t *ap, u_char *text,
    size_t len)
{
    ngx_prov_acl_input_t  *in = ap->data;

    if (text == NULL) {
        fprintf(stderr, "%s: too many errors, the rest are not shown\n",
                in->name);
        return;
    }

    fprintf(stderr, "%s:%lu: %.*s\n", in->name, (unsigned long) ap->line,
            (int) len, text);
}


static void
ngx_prov_acl_arg_error(ngx_http_prov_acl_parse_t *ap, u_char *text,
    size_t len)
{
    (void) ap;

    if (text != NULL) {
        fprintf(stderr, "%s: %.*s\n", ngx_prov_acl_program, (int) len, text);
    }
}


/*
 * Sorts the list and reports the later lines of every id listed twice
 * with the parser's errors, in line order, as nginx reports them while
 * it reads: the first NGX_HTTP_PROV_ACL_ERRORS of all.  Returns the count
 * of all errors.
 */

static ngx_uint_t
ngx_prov_acl_duplicates(ngx_prov_acl_input_t *in, ngx_uint_t errors)
{
    u_char                      mac[NGX_HTTP_PROV_MAC_LEN];
    size_t                      i, ndups, nall;
    MDB_val                     key, value;
    uint32_t                    line;
    ngx_str_t                   id;
    ngx_uint_t                  e, d, shown;
    ngx_prov_acl_dup_t         *dups;
    ngx_prov_acl_error_t       *err;
    ngx_http_prov_acl_parse_t  *ap;

    ngx_prov_acl_sorted = in;

    /* no device, no entries: qsort() must not be given NULL */

    if (in->nentries > 1) {
        qsort(in->entries, in->nentries, sizeof(ngx_prov_acl_entry_t),
              ngx_prov_acl_cmp);
    }

    /* the same id sorts together, its earliest line first */

    ndups = 0;

    for (i = 1; i < in->nentries; i++) {
        if (ngx_prov_acl_same(in, &in->entries[i - 1], &in->entries[i])) {
            ndups++;
        }
    }

    if (errors + ndups == 0) {
        return 0;
    }

    dups = NULL;
    ap = NULL;

    if (ndups) {
        dups = malloc(ndups * sizeof(ngx_prov_acl_dup_t));
        ap = calloc(1, sizeof(ngx_http_prov_acl_parse_t));

        if (dups == NULL || ap == NULL) {
            free(dups);
            free(ap);
            fprintf(stderr, "%s: no memory\n", ngx_prov_acl_program);
            return errors + ndups;
        }

        d = 0;

        for (i = 1; i < in->nentries; i++) {
            if (ngx_prov_acl_same(in, &in->entries[i - 1], &in->entries[i])) {
                ngx_prov_acl_key(in, &in->entries[i], mac, &key, &value,
                                 &line);
                dups[d].line = line;
                dups[d].index = i;
                d++;
            }
        }

        qsort(dups, ndups, sizeof(ngx_prov_acl_dup_t),
              ngx_prov_acl_line_cmp);

        ap->data = in;
        ap->error = ngx_prov_acl_print_error;
    }

    nall = errors + ndups;
    shown = 0;
    e = 0;
    d = 0;

    while (shown < NGX_HTTP_PROV_ACL_ERRORS
           && (e < in->nerrors || d < ndups))
    {
        if (e < in->nerrors
            && (d == ndups || in->errors[e].line <= dups[d].line))
        {
            err = &in->errors[e++];
            fprintf(stderr, "%s:%lu: %.*s\n", in->name,
                    (unsigned long) err->line, (int) err->len, err->text);

        } else {
            ngx_prov_acl_key(in, &in->entries[dups[d].index], mac, &key,
                             &value, &line);
            id.len = key.mv_size;
            id.data = key.mv_data;

            ap->line = line;
            ngx_http_prov_acl_duplicate(ap, &id);
            d++;
        }

        shown++;
    }

    if (nall > NGX_HTTP_PROV_ACL_ERRORS) {
        fprintf(stderr, "%s: too many errors, the rest are not shown\n",
                in->name);
    }

    free(dups);
    free(ap);

    return nall;
}


/* ids in LMDB's order (memcmp, then the shorter first), then lines */

static int
ngx_prov_acl_cmp(const void *one, const void *two)
{
    int                    rc;
    MDB_val                k1, k2, v;
    uint32_t               line;
    ngx_prov_acl_entry_t  *a, *b;

    a = (ngx_prov_acl_entry_t *) one;
    b = (ngx_prov_acl_entry_t *) two;

    if (a->key != b->key) {
        return (a->key < b->key) ? -1 : 1;
    }

    if (!ngx_prov_acl_sorted->mac) {
        ngx_prov_acl_key(ngx_prov_acl_sorted, a, NULL, &k1, &v, &line);
        ngx_prov_acl_key(ngx_prov_acl_sorted, b, NULL, &k2, &v, &line);

        rc = memcmp(k1.mv_data, k2.mv_data, ngx_min(k1.mv_size, k2.mv_size));

        if (rc != 0) {
            return rc;
        }

        if (k1.mv_size != k2.mv_size) {
            return (k1.mv_size < k2.mv_size) ? -1 : 1;
        }
    }

    return (a->offset < b->offset) ? -1 : (a->offset > b->offset);
}


static int
ngx_prov_acl_same(ngx_prov_acl_input_t *in, ngx_prov_acl_entry_t *a,
    ngx_prov_acl_entry_t *b)
{
    MDB_val   k1, k2, v;
    uint32_t  line;

    if (a->key != b->key) {
        return 0;
    }

    if (in->mac) {
        return 1;
    }

    ngx_prov_acl_key(in, a, NULL, &k1, &v, &line);
    ngx_prov_acl_key(in, b, NULL, &k2, &v, &line);

    return k1.mv_size == k2.mv_size
           && memcmp(k1.mv_data, k2.mv_data, k1.mv_size) == 0;
}


static int
ngx_prov_acl_line_cmp(const void *one, const void *two)
{
    ngx_prov_acl_dup_t  *a, *b;

    a = (ngx_prov_acl_dup_t *) one;
    b = (ngx_prov_acl_dup_t *) two;

    return (a->line < b->line) ? -1 : (a->line > b->line);
}


/* an entry's id, value and line; a MAC id is written into mac */

static void
ngx_prov_acl_key(ngx_prov_acl_input_t *in, ngx_prov_acl_entry_t *e,
    u_char *mac, MDB_val *key, MDB_val *value, uint32_t *line)
{
    u_char      *p;
    uint16_t     klen, vlen;
    uint64_t     k;
    ngx_uint_t   i;

    static u_char  hex[] = "0123456789abcdef";

    p = in->arena + e->offset;

    ngx_memcpy(line, p, 4);
    ngx_memcpy(&klen, p + 4, 2);
    ngx_memcpy(&vlen, p + 6, 2);
    p += NGX_PROV_ACL_RECORD_HEAD;

    if (in->mac) {
        if (mac != NULL) {
            k = e->key;

            for (i = NGX_HTTP_PROV_MAC_LEN; i > 0; i--) {
                mac[i - 1] = hex[k & 0xf];
                k >>= 4;
            }
        }

        key->mv_size = NGX_HTTP_PROV_MAC_LEN;
        key->mv_data = mac;

    } else {
        key->mv_size = klen;
        key->mv_data = p;
        p += klen;
    }

    value->mv_size = vlen;
    value->mv_data = p;
}


static void
ngx_prov_acl_input_free(ngx_prov_acl_input_t *in)
{
    if (in->fd > STDIN_FILENO) {
        (void) close(in->fd);
    }

    free(in->saved);
    free(in->arena);
    free(in->entries);
    free(in->errors);

    memset(in, 0, sizeof(ngx_prov_acl_input_t));
    in->fd = -1;
}


/*
 * Opens PATH (one file, MDB_NOSUBDIR; its lock file PATH-lock) to read,
 * or to write; to create it too (import).  Files made here are 0644, the
 * lock file 0664 (nginx's workers write their reader slots in it), the
 * umask notwithstanding; an existing file keeps its owner and mode.
 */

static int
ngx_prov_acl_open(ngx_prov_acl_db_t *db, const char *path, ngx_uint_t flags)
{
    int           rc, status;
    char         *lock;
    size_t        len;
    MDB_txn      *txn;
    struct stat   st;

    db->path = path;

    if (stat(path, &st) == -1) {
        if (errno != ENOENT || !(flags & NGX_PROV_ACL_CREATE)) {
            fprintf(stderr, "%s: %s: %s%s\n", ngx_prov_acl_program, path,
                    strerror(errno),
                    (errno == ENOENT) ? " (create it with \"prov-acl import "
                                        "PATH FILE\")" : "");
            return NGX_PROV_ACL_DATABASE;
        }

        if (ngx_prov_acl_create_file(path, 0644) != NGX_PROV_ACL_OK) {
            return NGX_PROV_ACL_DATABASE;
        }

    } else if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "%s: %s: not a regular file\n", ngx_prov_acl_program,
                path);
        return NGX_PROV_ACL_DATABASE;

    } else if (st.st_size == 0 && !(flags & NGX_PROV_ACL_CREATE)) {
        /* LMDB would write its meta pages into it, and then be refused */

        fprintf(stderr, "%s: %s: an empty file, not a prov database; create "
                "one with \"prov-acl import PATH FILE\"\n",
                ngx_prov_acl_program, path);
        return NGX_PROV_ACL_DATABASE;
    }

    /*
     * LMDB names the lock file after the path it opens: the path with no
     * link in it, as nginx opens it, or a link would give its readers and
     * this writer two lock files (nginx would see no commit)
     */

    db->real = realpath(path, NULL);
    if (db->real == NULL) {
        fprintf(stderr, "%s: %s: %s\n", ngx_prov_acl_program, path,
                strerror(errno));
        return NGX_PROV_ACL_DATABASE;
    }

    len = strlen(db->real);

    lock = malloc(len + sizeof("-lock"));
    if (lock == NULL) {
        fprintf(stderr, "%s: no memory\n", ngx_prov_acl_program);
        return NGX_PROV_ACL_DATABASE;
    }

    ngx_memcpy(lock, db->real, len);
    ngx_memcpy(lock + len, "-lock", sizeof("-lock"));

    status = NGX_PROV_ACL_OK;

    /* whoever may write the folder must not make LMDB write elsewhere */

    if (lstat(lock, &st) == -1) {
        status = ngx_prov_acl_create_file(lock, 0664);
    }

    if (status == NGX_PROV_ACL_OK) {
        status = ngx_prov_acl_lock_file(lock);
    }

    /*
     * every user may write: the list itself, or the readers' slots (a
     * slot cleared lets a writer reuse the pages a worker is reading)
     */

    if (status == NGX_PROV_ACL_OK && !(flags & NGX_PROV_ACL_READ)) {
        ngx_prov_acl_writable(path);
        ngx_prov_acl_writable(lock);
    }

    free(lock);

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    rc = mdb_env_create(&db->env);

    if (rc != 0) {
        db->env = NULL;
        return ngx_prov_acl_mdb_error(db, "mdb_env_create", rc);
    }

    rc = mdb_env_set_maxdbs(db->env, NGX_HTTP_PROV_LMDB_DBS);

    if (rc == 0) {
        rc = mdb_env_set_maxreaders(db->env, NGX_PROV_ACL_READERS);
    }

    if (rc == 0 && !(flags & NGX_PROV_ACL_READ)) {
        rc = mdb_env_set_mapsize(db->env, ngx_prov_acl_mapsize());
    }

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_env_set", rc);
    }

    rc = mdb_env_open(db->env, db->real,
                      MDB_NOSUBDIR
                      | ((flags & NGX_PROV_ACL_READ) ? MDB_RDONLY : 0),
                      0644);

    if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH) {
        fprintf(stderr, "%s: %s: not a prov database (%s); create one with "
                "\"prov-acl import PATH FILE\"\n", ngx_prov_acl_program,
                path, mdb_strerror(rc));
        return NGX_PROV_ACL_DATABASE;
    }

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_env_open", rc);
    }

    if (!(flags & NGX_PROV_ACL_READ)) {
        /* reader slots of killed processes would hold old pages */
        (void) mdb_reader_check(db->env, NULL);
    }

    /* what kind of ids the list has, to read the input with */

    rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_txn_begin", rc);
    }

    status = ngx_prov_acl_check(db, txn, flags & NGX_PROV_ACL_CREATE);

    mdb_txn_abort(txn);

    return status;
}


/*
 * PROV_ACL_MAPSIZE (bytes) is for tools that cannot map 64 GiB, as
 * valgrind: a database larger than it is not written
 */

static size_t
ngx_prov_acl_mapsize(void)
{
    char                *value, *end;
    unsigned long long   size;

    value = getenv("PROV_ACL_MAPSIZE");

    if (value == NULL || value[0] < '0' || value[0] > '9') {
        return NGX_PROV_ACL_MAPSIZE;
    }

    errno = 0;
    size = strtoull(value, &end, 10);

    if (errno || *end != '\0' || size < 1048576
        || size > NGX_PROV_ACL_MAPSIZE)
    {
        return NGX_PROV_ACL_MAPSIZE;
    }

    return (size_t) size;
}


static int
ngx_prov_acl_create_file(const char *path, mode_t mode)
{
    int  fd;

    fd = open(path, O_RDWR|O_CREAT|O_EXCL, mode);

    if (fd == -1) {
        if (errno == EEXIST) {
            return NGX_PROV_ACL_OK;     /* another prov-acl made it */
        }

        fprintf(stderr, "%s: %s: %s\n", ngx_prov_acl_program, path,
                strerror(errno));
        return NGX_PROV_ACL_DATABASE;
    }

    /* the umask may have taken the group's or the others' bits */

    if (fchmod(fd, mode) == -1) {
        fprintf(stderr, "%s: %s: fchmod: %s\n", ngx_prov_acl_program, path,
                strerror(errno));
        (void) close(fd);
        return NGX_PROV_ACL_DATABASE;
    }

    if (close(fd) == -1) {
        fprintf(stderr, "%s: %s: %s\n", ngx_prov_acl_program, path,
                strerror(errno));
        return NGX_PROV_ACL_DATABASE;
    }

    return NGX_PROV_ACL_OK;
}


/*
 * LMDB opens PATH-lock O_RDWR|O_CREAT, through a symbolic link too, and
 * truncates it to its reader table, even to read: a link planted there
 * (to /etc/shadow) would have a root's "prov-acl stat" overwrite the file
 * it names, or make one where it points.  The lock must be a regular
 * file of one link.  A link put there between this check and LMDB's
 * open() is not caught: PATH's folder must be writable by root only.
 * Removed while nginx runs, its workers would keep their slots in the
 * old one, where no writer sees them: hence "stop nginx" first.
 */

static int
ngx_prov_acl_lock_file(const char *path)
{
    int          fd;
    const char  *why;
    struct stat  st;

    fd = open(path, O_RDONLY|O_NOFOLLOW|O_NONBLOCK);

    if (fd == -1) {
        fprintf(stderr, "%s: %s: %s\n", ngx_prov_acl_program, path,
                (errno == ELOOP) ? "a symbolic link: LMDB would write "
                                   "through it into the file it names; "
                                   "stop nginx, remove it, start nginx "
                                   "(prov-acl makes the lock file again)"
                                 : strerror(errno));
        return NGX_PROV_ACL_DATABASE;
    }

    why = NULL;

    if (fstat(fd, &st) == -1) {
        why = strerror(errno);

    } else if (!S_ISREG(st.st_mode)) {
        why = "not a regular file";

    } else if (st.st_nlink != 1) {
        why = "a file of other links (a hard link): LMDB would write into "
              "it; stop nginx, remove it, start nginx (prov-acl makes the "
              "lock file again)";
    }

    (void) close(fd);

    if (why != NULL) {
        fprintf(stderr, "%s: %s: %s\n", ngx_prov_acl_program, path, why);
        return NGX_PROV_ACL_DATABASE;
    }

    return NGX_PROV_ACL_OK;
}


static void
ngx_prov_acl_writable(const char *path)
{
    struct stat  st;

    if (stat(path, &st) == 0 && (st.st_mode & S_IWOTH)) {
        fprintf(stderr, "%s: warning: %s is writable by every user: any "
                "local user can change what nginx reads (chmod o-w %s)\n",
                ngx_prov_acl_program, path, path);
    }
}


/*
 * Opens the two databases and reads "meta" in txn.  A database without
 * them is a new one (create: import makes them) or not a prov database.
 */

static int
ngx_prov_acl_check(ngx_prov_acl_db_t *db, MDB_txn *txn, ngx_uint_t create)
{
    int        rc, status;
    MDB_dbi    main;
    MDB_stat   ms;
    ngx_str_t  value;

    db->fresh = 0;
    db->serial = 0;
    db->generation = 0;

    rc = mdb_dbi_open(txn, NGX_HTTP_PROV_LMDB_META, 0, &db->meta);

    if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
        if (rc == MDB_NOTFOUND && create) {
            rc = mdb_dbi_open(txn, NULL, 0, &main);

            if (rc == 0) {
                rc = mdb_stat(txn, main, &ms);
            }

            if (rc != 0) {
                return ngx_prov_acl_mdb_error(db, "mdb_stat", rc);
            }

            if (ms.ms_entries == 0) {
                db->fresh = 1;
                return NGX_PROV_ACL_OK;
            }
        }

        fprintf(stderr, "%s: %s: not a prov database (no \"%s\" in it)%s\n",
                ngx_prov_acl_program, db->path, NGX_HTTP_PROV_LMDB_META,
                create ? "" : "; create one with \"prov-acl import PATH "
                              "FILE\"");
        return NGX_PROV_ACL_DATABASE;
    }

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_dbi_open", rc);
    }

    status = ngx_prov_acl_meta_get(db, txn, "format", &value);

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    if (value.len != sizeof(NGX_HTTP_PROV_LMDB_FORMAT) - 1
        || ngx_memcmp(value.data, NGX_HTTP_PROV_LMDB_FORMAT, value.len) != 0)
    {
        fprintf(stderr, "%s: %s: format \"%.*s\", this prov-acl knows format "
                "\"%s\"\n", ngx_prov_acl_program, db->path,
                (int) ngx_min(value.len, 32), value.data,
                NGX_HTTP_PROV_LMDB_FORMAT);
        return NGX_PROV_ACL_DATABASE;
    }

    status = ngx_prov_acl_meta_get(db, txn, "ids", &value);

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    if (value.len == 3 && ngx_memcmp(value.data, "mac", 3) == 0) {
        db->mac = 1;

    } else if (value.len == 5 && ngx_memcmp(value.data, "value", 5) == 0) {
        db->mac = 0;

    } else {
        fprintf(stderr, "%s: %s: unknown ids \"%.*s\"\n",
                ngx_prov_acl_program, db->path, (int) ngx_min(value.len, 32),
                value.data);
        return NGX_PROV_ACL_DATABASE;
    }

    status = ngx_prov_acl_meta_number(db, txn, "serial", &db->serial);

    if (status == NGX_PROV_ACL_OK) {
        status = ngx_prov_acl_meta_number(db, txn, "generation",
                                          &db->generation);
    }

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    rc = mdb_dbi_open(txn, NGX_HTTP_PROV_LMDB_DEVICES, 0, &db->devices);

    if (rc == MDB_NOTFOUND) {
        fprintf(stderr, "%s: %s: not a prov database (no \"%s\" in it)\n",
                ngx_prov_acl_program, db->path, NGX_HTTP_PROV_LMDB_DEVICES);
        return NGX_PROV_ACL_DATABASE;
    }

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_dbi_open", rc);
    }

    return NGX_PROV_ACL_OK;
}


static int
ngx_prov_acl_meta_get(ngx_prov_acl_db_t *db, MDB_txn *txn, const char *name,
    ngx_str_t *value)
{
    int      rc;
    MDB_val  key, val;

    key.mv_size = strlen(name);
    key.mv_data = (void *) name;

    rc = mdb_get(txn, db->meta, &key, &val);

    if (rc == MDB_NOTFOUND) {
        value->len = 0;
        value->data = NULL;

        if (strcmp(name, "format") == 0 || strcmp(name, "ids") == 0) {
            fprintf(stderr, "%s: %s: not a prov database (no \"%s\" in "
                    "\"meta\")\n", ngx_prov_acl_program, db->path, name);
            return NGX_PROV_ACL_DATABASE;
        }

        return NGX_PROV_ACL_OK;
    }

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_get", rc);
    }

    value->len = val.mv_size;
    value->data = val.mv_data;

    return NGX_PROV_ACL_OK;
}


/* decimal; absent: 0 */

static int
ngx_prov_acl_meta_number(ngx_prov_acl_db_t *db, MDB_txn *txn,
    const char *name, uint64_t *n)
{
    int         status;
    size_t      i;
    ngx_str_t   value;

    *n = 0;

    status = ngx_prov_acl_meta_get(db, txn, name, &value);

    if (status != NGX_PROV_ACL_OK) {
        return status;
    }

    if (value.len > 20) {
        goto bad;
    }

    for (i = 0; i < value.len; i++) {
        if (value.data[i] < '0' || value.data[i] > '9'
            || *n > (UINT64_MAX - (value.data[i] - '0')) / 10)
        {
            goto bad;
        }

        *n = *n * 10 + (value.data[i] - '0');
    }

    return NGX_PROV_ACL_OK;

bad:

    fprintf(stderr, "%s: %s: \"%s\" in \"meta\" is not a number\n",
            ngx_prov_acl_program, db->path, name);

    return NGX_PROV_ACL_DATABASE;
}


static int
ngx_prov_acl_meta_put(ngx_prov_acl_db_t *db, MDB_txn *txn, const char *name,
    const char *value)
{
    int      rc;
    MDB_val  key, val;

    key.mv_size = strlen(name);
    key.mv_data = (void *) name;
    val.mv_size = strlen(value);
    val.mv_data = (void *) value;

    rc = mdb_put(txn, db->meta, &key, &val, 0);

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "writing \"meta\"", rc);
    }

    return NGX_PROV_ACL_OK;
}


/*
 * A write transaction: LMDB's lock makes writers wait for each other.
 * What was read of "meta" before is read again in it: another prov-acl
 * may have written meanwhile.
 */

static int
ngx_prov_acl_begin(ngx_prov_acl_db_t *db, MDB_txn **txn, ngx_uint_t create)
{
    int         rc, status;
    ngx_uint_t  mac;

    mac = db->mac;

    rc = mdb_txn_begin(db->env, NULL, 0, txn);

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "mdb_txn_begin", rc);
    }

    status = ngx_prov_acl_check(db, *txn, create);

    if (status != NGX_PROV_ACL_OK) {
        mdb_txn_abort(*txn);
        return status;
    }

    if (db->fresh) {
        rc = mdb_dbi_open(*txn, NGX_HTTP_PROV_LMDB_META, MDB_CREATE,
                          &db->meta);

        if (rc == 0) {
            rc = mdb_dbi_open(*txn, NGX_HTTP_PROV_LMDB_DEVICES, MDB_CREATE,
                              &db->devices);
        }

        if (rc != 0) {
            mdb_txn_abort(*txn);
            return ngx_prov_acl_mdb_error(db, "creating the database", rc);
        }

        db->mac = mac;

        if (ngx_prov_acl_meta_put(db, *txn, "format",
                                  NGX_HTTP_PROV_LMDB_FORMAT)
            != NGX_PROV_ACL_OK
            || ngx_prov_acl_meta_put(db, *txn, "ids", mac ? "mac" : "value")
               != NGX_PROV_ACL_OK)
        {
            mdb_txn_abort(*txn);
            return NGX_PROV_ACL_DATABASE;
        }

        return NGX_PROV_ACL_OK;
    }

    if (db->mac != mac) {
        mdb_txn_abort(*txn);
        fprintf(stderr, "%s: %s: its ids changed from %s to %s while the "
                "input was read: nothing written\n", ngx_prov_acl_program,
                db->path, mac ? "mac" : "value", db->mac ? "mac" : "value");
        return NGX_PROV_ACL_DATABASE;
    }

    return NGX_PROV_ACL_OK;
}


/* the serial (when given) and the next generation, then the commit */

static int
ngx_prov_acl_commit(ngx_prov_acl_db_t *db, MDB_txn *txn, uint64_t serial)
{
    int   rc;
    char  number[32];

    if (serial) {
        snprintf(number, sizeof(number), "%" PRIu64, serial);

        if (ngx_prov_acl_meta_put(db, txn, "serial", number)
            != NGX_PROV_ACL_OK)
        {
            mdb_txn_abort(txn);
            return NGX_PROV_ACL_DATABASE;
        }
    }

    snprintf(number, sizeof(number), "%" PRIu64, db->generation + 1);

    if (ngx_prov_acl_meta_put(db, txn, "generation", number)
        != NGX_PROV_ACL_OK)
    {
        mdb_txn_abort(txn);
        return NGX_PROV_ACL_DATABASE;
    }

    rc = mdb_txn_commit(txn);

    if (rc != 0) {
        return ngx_prov_acl_mdb_error(db, "commit", rc);
    }

    return NGX_PROV_ACL_OK;
}


/* an ID argument: any form of a MAC that prov_id's "mac" reads */

static int
ngx_prov_acl_id_arg(ngx_prov_acl_db_t *db, char *arg,
    ngx_http_prov_acl_line_t *device)
{
    ngx_str_t                   id;
    ngx_http_prov_acl_parse_t  *ap;

    ap = calloc(1, sizeof(ngx_http_prov_acl_parse_t));
    if (ap == NULL) {
        fprintf(stderr, "%s: no memory\n", ngx_prov_acl_program);
        return NGX_PROV_ACL_DATABASE;
    }

    ap->mac = db->mac;
    ap->id_max = NGX_HTTP_PROV_LMDB_KEY_MAX;
    ap->error = ngx_prov_acl_arg_error;

    id.len = strlen(arg);
    id.data = (u_char *) arg;

    if (ngx_http_prov_acl_parse_id_field(ap, &id, device) != NGX_OK) {
        free(ap);
        return NGX_PROV_ACL_BAD_INPUT;
    }

    free(ap);

    /* a MAC id points into device->mac, which the caller has */

    return NGX_PROV_ACL_OK;
}


/*
 * LMDB says EIO of a write cut short: on a file system with no room left
 * that is a full disk, and said so
 */

static int
ngx_prov_acl_mdb_error(ngx_prov_acl_db_t *db, const char *what, int rc)
{
    int             fd;
    const char     *text;
    struct statvfs  fs;

    text = mdb_strerror(rc);

    if (rc == EIO
        && db->env != NULL
        && mdb_env_get_fd(db->env, &fd) == 0
        && fstatvfs(fd, &fs) == 0
        && (uint64_t) fs.f_bavail * fs.f_frsize < 65536)
    {
        text = strerror(ENOSPC);
    }

    fprintf(stderr, "%s: %s: %s: %s%s\n", ngx_prov_acl_program, db->path,
            what, text,
            (rc == ENOSPC || rc == MDB_MAP_FULL || rc == EIO
             || rc == MDB_TXN_FULL)
            ? ": nothing written" : "");

    return NGX_PROV_ACL_DATABASE;
}


/*
 * an id as prov-acl writes it (canonical, a word of a list's line): one
 * written by hand must not print as lines of its own in a dump
 */

static ngx_uint_t
ngx_prov_acl_key_ok(ngx_prov_acl_db_t *db, MDB_val *key)
{
    u_char     *p, *last;
    ngx_str_t   id;

    if (key->mv_size == 0 || key->mv_size > NGX_HTTP_PROV_LMDB_KEY_MAX
        || (db->mac && key->mv_size != NGX_HTTP_PROV_MAC_LEN))
    {
        return 0;
    }

    id.len = key->mv_size;
    id.data = key->mv_data;

    if (ngx_http_prov_id_safe(&id) != NGX_OK) {
        return 0;
    }

    last = id.data + id.len;

    for (p = id.data; p < last; p++) {
        if (*p <= 0x20 || *p == 0x7f
            || (db->mac && !((*p >= '0' && *p <= '9')
                             || (*p >= 'a' && *p <= 'f'))))
        {
            return 0;
        }
    }

    return 1;
}


static void
ngx_prov_acl_close(ngx_prov_acl_db_t *db)
{
    if (db->env != NULL) {
        mdb_env_close(db->env);
        db->env = NULL;
    }

    free(db->real);
    db->real = NULL;
}
