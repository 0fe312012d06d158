
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


/*
 * The access list is an open-addressing hash table of 16-byte slots,
 * filled to at most 3/4, so a device costs at most 43 bytes; the table is
 * sized by the lines that can name a device, not by blank and comment
 * lines.  MAC ids are their own 48-bit keys, other ids are hashed and kept
 * in the record area to confirm a match.  Records (pin, id, attributes)
 * exist only for the devices that need one.  Lookups allocate nothing.
 *
 * A list may be read while it is written: a list whose last line has no
 * newline, or whose file changed while it was read, is refused.
 */


#define NGX_HTTP_PROV_ACL_USED       ((uint64_t) 1 << 63)
#define NGX_HTTP_PROV_ACL_LINE_MAX   4096
#define NGX_HTTP_PROV_ACL_READ_SIZE  65536
#define NGX_HTTP_PROV_ACL_ERRORS     100
#define NGX_HTTP_PROV_ACL_BOM        "\xef\xbb\xbf"

/*
 * record offsets are 32-bit and the area grows by doubling: 2 GiB of
 * records at most (one byte less: offset 0 means "no record")
 */
#define NGX_HTTP_PROV_ACL_DATA_MAX   ((size_t) 1 << 31)
#define NGX_HTTP_PROV_ACL_DATA_TEXT  "2 GiB"

/* what an entry holds */
#define NGX_HTTP_PROV_ACL_ALLOW      0x01
#define NGX_HTTP_PROV_ACL_PIN        0x02
#define NGX_HTTP_PROV_ACL_ATTRS      0x04


/* a device's slot in the table */

struct ngx_http_prov_acl_entry_s {
    uint64_t                    key;        /* 0: a free slot */
    uint32_t                    record;     /* offset in data, 0: none */
    uint32_t                    flags;
};


struct ngx_http_prov_acl_s {
    ngx_http_prov_acl_info_t    info;
    ngx_uint_t                  mac;        /* ids are MAC addresses */
    ngx_http_prov_acl_entry_t  *slots;
    ngx_uint_t                  mask;
    ngx_uint_t                  shift;
    u_char                     *data;       /* records */
    size_t                      size;
    size_t                      used;
};


typedef struct {
    ngx_str_t                   key;
    ngx_str_t                   value;
} ngx_http_prov_acl_attr_t;


typedef struct {
    ngx_conf_t                 *cf;
    ngx_http_prov_acl_t        *acl;
    ngx_http_prov_id_conf_t    *id;
    ngx_uint_t                  line;
    ngx_uint_t                  errors;
    ngx_uint_t                  unterminated;   /* its line number */
    unsigned                    stop:1;     /* read no further */
    ngx_array_t                 attrs;      /* of the current line */
} ngx_http_prov_acl_parse_t;


static ngx_http_prov_acl_t *ngx_http_prov_acl_read(ngx_conf_t *cf,
    ngx_str_t *path, ngx_http_prov_id_conf_t *id);
static ngx_int_t ngx_http_prov_acl_count_entries(ngx_file_t *file,
    off_t size, u_char *buf, ngx_uint_t *entries);
static ngx_int_t ngx_http_prov_acl_changed(ngx_conf_t *cf, ngx_file_t *file,
    ngx_file_info_t *before, u_char *buf);
static ngx_uint_t ngx_http_prov_acl_same_file(ngx_file_info_t *a,
    ngx_file_info_t *b);
static ngx_uint_t ngx_http_prov_acl_same_ctime(ngx_file_info_t *a,
    ngx_file_info_t *b);
static ngx_int_t ngx_http_prov_acl_parse_file(ngx_http_prov_acl_parse_t *ap,
    ngx_file_t *file, off_t size, u_char *buf);
static void ngx_http_prov_acl_parse_line(ngx_http_prov_acl_parse_t *ap,
    u_char *p, u_char *last);
static ngx_int_t ngx_http_prov_acl_parse_option(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *option, u_char *pin, ngx_array_t *attrs);
static ngx_int_t ngx_http_prov_acl_parse_pin(ngx_str_t *hex, u_char *pin);
static ngx_int_t ngx_http_prov_acl_invisible(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *field, const char *what);
static ngx_int_t ngx_http_prov_acl_add(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *id, uint32_t flags, u_char *pin, ngx_array_t *attrs);
static void ngx_http_prov_acl_error(ngx_http_prov_acl_parse_t *ap,
    const char *fmt, ...);
static uint64_t ngx_http_prov_acl_key(ngx_http_prov_acl_t *acl,
    ngx_str_t *id);
static u_char *ngx_http_prov_acl_reserve(ngx_http_prov_acl_parse_t *ap,
    size_t size);
static ngx_http_prov_acl_entry_t *ngx_http_prov_acl_lookup(
    ngx_http_prov_acl_t *acl, ngx_str_t *id);
static void ngx_http_prov_acl_cleanup(void *data);


/* "prov_acl file [default=allow | default=deny] | off;" */

char *
ngx_http_prov_acl(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prov_loc_conf_t *plcf = conf;

    ngx_str_t  *value, *path;

    if (plcf->acl_path != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        if (cf->args->nelts != 2) {
            return "takes no parameters after \"off\"";
        }

        plcf->acl_path = NULL;
        plcf->acl_default_allow = 0;
        return NGX_CONF_OK;
    }

    plcf->acl_default_allow = 0;

    if (cf->args->nelts == 3) {
        if (ngx_strcmp(value[2].data, "default=allow") == 0) {
            plcf->acl_default_allow = 1;

        } else if (ngx_strcmp(value[2].data, "default=deny") != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[2]);
            return NGX_CONF_ERROR;
        }
    }

    path = ngx_palloc(cf->pool, sizeof(ngx_str_t));
    if (path == NULL) {
        return NGX_CONF_ERROR;
    }

    *path = value[1];

    /* relative to the configuration prefix, as other nginx files */

    if (ngx_conf_full_name(cf->cycle, path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    plcf->acl_path = path;

    return NGX_CONF_OK;
}


ngx_http_prov_acl_t *
ngx_http_prov_acl_load(ngx_conf_t *cf, ngx_str_t *path,
    ngx_http_prov_id_conf_t *id)
{
    ngx_uint_t                  i, mac;
    ngx_http_prov_acl_t        *acl, **loaded;
    ngx_http_prov_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prov_module);

    mac = (id->format == NGX_HTTP_PROV_ID_MAC);

    /* a file named by several servers or locations is read once */

    loaded = pmcf->acls.elts;

    for (i = 0; i < pmcf->acls.nelts; i++) {
        if (loaded[i]->mac == mac
            && loaded[i]->info.path.len == path->len
            && ngx_strncmp(loaded[i]->info.path.data, path->data,
                           path->len)
               == 0)
        {
            return loaded[i];
        }
    }

    acl = ngx_http_prov_acl_read(cf, path, id);
    if (acl == NULL) {
        return NULL;
    }

    loaded = ngx_array_push(&pmcf->acls);
    if (loaded == NULL) {
        return NULL;
    }

    *loaded = acl;

    return acl;
}


static ngx_http_prov_acl_t *
ngx_http_prov_acl_read(ngx_conf_t *cf, ngx_str_t *path,
    ngx_http_prov_id_conf_t *id)
{
    u_char                     *buf;
    size_t                      slots;
    ngx_fd_t                    fd;
    ngx_int_t                   rc;
    ngx_uint_t                  entries, bits;
    ngx_file_t                  file;
    ngx_msec_t                  start;
    ngx_time_t                 *tp;
    ngx_file_info_t             fi;
    ngx_pool_cleanup_t         *cln;
    ngx_http_prov_acl_t        *acl;
    ngx_http_prov_acl_parse_t   ap;

    tp = ngx_timeofday();
    start = tp->sec * 1000 + tp->msec;

    acl = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_acl_t));
    if (acl == NULL) {
        return NULL;
    }

    acl->info.path = *path;
    acl->mac = (id->format == NGX_HTTP_PROV_ID_MAC);
    acl->used = 1;                          /* offset 0 means "no record" */

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NULL;
    }

    cln->handler = ngx_http_prov_acl_cleanup;
    cln->data = acl;

    /*
     * Non-blocking, as nginx opens the files it serves: open() of a FIFO
     * would wait for a writer, holding "nginx -t" or the master's reload
     * (a regular file reads the same).  The type is checked on the
     * descriptor: a path checked before open() could be swapped between.
     */

    fd = ngx_open_file(path->data, NGX_FILE_RDONLY|NGX_FILE_NONBLOCK,
                       NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%s\" failed", path->data);
        return NULL;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.fd = fd;
    file.name = *path;
    file.log = cf->log;

    buf = NULL;
    rc = NGX_ERROR;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%s\" failed", path->data);
        goto done;
    }

    if (!ngx_is_file(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "access list \"%s\" is not a regular file",
                           path->data);
        goto done;
    }

    buf = ngx_alloc(NGX_HTTP_PROV_ACL_READ_SIZE + NGX_HTTP_PROV_ACL_LINE_MAX,
                    cf->log);
    if (buf == NULL) {
        goto done;
    }

    /*
     * size the table once, by the lines that can name a device; should the
     * file change before the second reading, ngx_http_prov_acl_add() never
     * fills it past 3/4
     */

    if (ngx_http_prov_acl_count_entries(&file, ngx_file_size(&fi), buf,
                                        &entries)
        != NGX_OK)
    {
        goto done;
    }

    for (bits = 4, slots = 16; slots / 4 * 3 < entries; bits++, slots *= 2) {
        /* void */
    }

    acl->slots = ngx_alloc(slots * sizeof(ngx_http_prov_acl_entry_t), cf->log);
    if (acl->slots == NULL) {
        goto done;
    }

    ngx_memzero(acl->slots, slots * sizeof(ngx_http_prov_acl_entry_t));

    acl->mask = slots - 1;
    acl->shift = 64 - bits;

    ngx_memzero(&ap, sizeof(ngx_http_prov_acl_parse_t));
    ap.cf = cf;
    ap.acl = acl;
    ap.id = id;

    if (ngx_array_init(&ap.attrs, cf->temp_pool, 4,
                       sizeof(ngx_http_prov_acl_attr_t))
        != NGX_OK)
    {
        goto done;
    }

    rc = ngx_http_prov_acl_parse_file(&ap, &file, ngx_file_size(&fi), buf);

    if (rc != NGX_OK) {
        goto done;
    }

    /*
     * A list written in place ("cp", ">", a generator) while nginx reads
     * it is not whole: refused.  Its errors so far may be the writer's,
     * so the count of errors is left out.
     */

    rc = ngx_http_prov_acl_changed(cf, &file, &fi, buf);

    if (rc != NGX_OK) {
        goto done;
    }

    /*
     * unchanged, yet cut short: a writer paused mid-line, or a list
     * installed without its last newline
     */

    if (ap.unterminated) {
        ap.line = ap.unterminated;
        ngx_http_prov_acl_error(&ap, "last line has no newline: the list "
                                "may be cut short or still being written "
                                "(replace lists atomically: write "
                                "elsewhere, then mv)");
    }

    if (ap.errors) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%ui error(s) in access list \"%V\"",
                           ap.errors, path);
        rc = NGX_ERROR;
        goto done;
    }

    /*
     * no device at all: as likely a list emptied by "make-list > list"
     * as one meant so, and under default=allow it lets every device in
     */

    if (acl->info.entries == 0) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "access list \"%V\" names no device: every "
                           "device gets the default (default=allow lets "
                           "all in, default=deny none)", path);
    }

done:

    if (buf != NULL) {
        ngx_free(buf);
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%s\" failed", path->data);
    }

    if (rc != NGX_OK) {
        return NULL;
    }

    ngx_time_update();
    tp = ngx_timeofday();
    acl->info.load_time = tp->sec * 1000 + tp->msec - start;

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, cf->log, 0,
                   "prov acl \"%V\": %ui devices, %ui slots, %M ms",
                   path, acl->info.entries, acl->mask + 1, acl->info.load_time);

    return acl;
}


/*
 * The lines that can name a device: those whose first byte that is no
 * blank (space, tab, CR) is neither a newline nor "#".  Every line that
 * ngx_http_prov_acl_parse_line() adds is one of them (a byte order mark
 * at the start of the file counts its line, one too many at most).
 */

static ngx_int_t
ngx_http_prov_acl_count_entries(ngx_file_t *file, off_t size, u_char *buf,
    ngx_uint_t *entries)
{
    u_char      *p, *last;
    off_t        offset;
    ssize_t      n;
    ngx_uint_t   skip;

    *entries = 0;
    skip = 0;                       /* in a line already counted or not */

    for (offset = 0; offset < size; offset += n) {
        n = ngx_read_file(file, buf, NGX_HTTP_PROV_ACL_READ_SIZE, offset);

        if (n == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (n == 0) {
            break;
        }

        last = buf + n;

        for (p = buf; p < last; p++) {

            if (skip) {
                p = ngx_strlchr(p, last, LF);

                if (p == NULL) {
                    break;
                }

                skip = 0;
                continue;
            }

            switch (*p) {

            case ' ':
            case '\t':
            case CR:
            case LF:
                break;

            case '#':
                skip = 1;
                break;

            default:
                (*entries)++;
                skip = 1;
            }
        }
    }

    return NGX_OK;
}


/*
 * NGX_OK when the file read is the file as it was when opened: its size,
 * modification time (to the nanosecond where the system keeps it), inode
 * and device the same after both readings, and nothing past its size (a
 * file of /proc, or of some FUSE file systems, says it is empty and is
 * not).  A list renamed over the path meanwhile ("mv", as lists should be
 * installed) leaves the file read whole: it is loaded, with a warning.
 *
 * The modification time can be put back ("touch -r", "rsync --inplace
 * -t", "cp --preserve=timestamps" onto a file of the same size), the
 * change time cannot: a file whose ctime moved is refused, but for the
 * one change a rename over the path makes to the file read: it loses a
 * link, which moves its ctime too.
 */

static ngx_int_t
ngx_http_prov_acl_changed(ngx_conf_t *cf, ngx_file_t *file,
    ngx_file_info_t *before, u_char *buf)
{
    ssize_t          n;
    ngx_uint_t       replaced;
    ngx_file_info_t  after, now;

    n = ngx_read_file(file, buf, 1, ngx_file_size(before));

    if (n == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (ngx_fd_info(file->fd, &after) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%V\" failed", &file->name);
        return NGX_ERROR;
    }

    /* the path names another file now, or none */

    replaced = (ngx_file_info(file->name.data, &now) == NGX_FILE_ERROR
                || ngx_file_uniq(&now) != ngx_file_uniq(before)
                || now.st_dev != before->st_dev);

    if (!ngx_http_prov_acl_same_file(before, &after)
        || (!ngx_http_prov_acl_same_ctime(before, &after)
            && !(replaced && after.st_nlink < before->st_nlink)))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "access list \"%V\" changed while being read; "
                           "replace lists atomically: write elsewhere, "
                           "then mv", &file->name);
        return NGX_ERROR;
    }

    if (n != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "access list \"%V\" holds more than its size "
                           "says (no plain file?)", &file->name);
        return NGX_ERROR;
    }

    if (replaced) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "access list \"%V\" was replaced or removed "
                           "while being read: the list as it was is "
                           "loaded; reload again to read the new one",
                           &file->name);
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_http_prov_acl_same_file(ngx_file_info_t *a, ngx_file_info_t *b)
{
    if (ngx_file_size(a) != ngx_file_size(b)
        || ngx_file_mtime(a) != ngx_file_mtime(b)
        || ngx_file_uniq(a) != ngx_file_uniq(b)
        || a->st_dev != b->st_dev)
    {
        return 0;
    }

#if (NGX_LINUX)

    /* a rewrite in the same second as the write before it */

    if (a->st_mtim.tv_nsec != b->st_mtim.tv_nsec) {
        return 0;
    }

#endif

    return 1;
}


static ngx_uint_t
ngx_http_prov_acl_same_ctime(ngx_file_info_t *a, ngx_file_info_t *b)
{
    if (a->st_ctime != b->st_ctime) {
        return 0;
    }

#if (NGX_LINUX)

    if (a->st_ctim.tv_nsec != b->st_ctim.tv_nsec) {
        return 0;
    }

#endif

    return 1;
}


static ngx_int_t
ngx_http_prov_acl_parse_file(ngx_http_prov_acl_parse_t *ap, ngx_file_t *file,
    off_t size, u_char *buf)
{
    u_char   *p, *start, *last, *eol;
    off_t     offset;
    size_t    kept;
    ssize_t   n;

    kept = 0;
    offset = 0;

    for ( ;; ) {
        n = 0;

        if (offset < size) {
            n = ngx_read_file(file, buf + kept, NGX_HTTP_PROV_ACL_READ_SIZE,
                              offset);
            if (n == NGX_ERROR) {
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
                ngx_http_prov_acl_parse_line(ap, start, eol);

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
                if (offset >= size) {
                    return NGX_OK;
                }

                n = ngx_read_file(file, buf,
                                  (size_t) ngx_min(size - offset,
                                                   NGX_HTTP_PROV_ACL_READ_SIZE),
                                  offset);
                if (n == NGX_ERROR) {
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


static void
ngx_http_prov_acl_parse_line(ngx_http_prov_acl_parse_t *ap, u_char *p,
    u_char *last)
{
    uint32_t      flags;
    ngx_int_t     rc;
    ngx_str_t     token[3], id;
    ngx_uint_t    n;
    const char   *what;
    u_char        pin[NGX_HTTP_PROV_SHA256_LEN];
    u_char        mac[NGX_HTTP_PROV_MAC_LEN];

    /*
     * Windows editors may start a UTF-8 file with a byte order mark: it
     * is stripped, for every kind of id, as operators expect.  Anywhere
     * else it is refused: kept in an id no certificate carries, it would
     * make a "deny" line silently deny nothing.
     */

    if (ap->line == 1
        && last - p >= 3
        && ngx_strncmp(p, NGX_HTTP_PROV_ACL_BOM, 3) == 0)
    {
        p += 3;
    }

    ap->attrs.nelts = 0;

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

        /*
         * "account=suite#4 sha256=..." read as "account=suite" and a
         * comment would drop the pin after it, silently: refused
         */

        if (ngx_strlchr(token[n].data, p, '#') != NULL) {
            ngx_http_prov_acl_error(ap, "\"#\" inside \"%V\": a comment "
                                    "needs a blank before it", &token[n]);
            return;
        }

        what = (n == 0) ? "the id" : (n == 1) ? "the action" : "an option";

        if (ngx_http_prov_acl_invisible(ap, &token[n], what) != NGX_OK) {
            return;
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
                ngx_http_prov_acl_error(ap, "unknown action \"%V\"",
                                        &token[1]);
                return;
            }

            n++;
            continue;
        }

        rc = ngx_http_prov_acl_parse_option(ap, &token[2], pin, &ap->attrs);

        if (rc == NGX_ERROR) {
            return;
        }

        if (rc == NGX_DONE) {
            if (flags & NGX_HTTP_PROV_ACL_PIN) {
                ngx_http_prov_acl_error(ap, "more than one \"sha256=\"");
                return;
            }

            flags |= NGX_HTTP_PROV_ACL_PIN;
        }
    }

    if (n == 0) {
        return;                                     /* blank or comment */
    }

    if (n == 1) {
        ngx_http_prov_acl_error(ap, "no action after \"%V\"", &token[0]);
        return;
    }

    /* ids are normalised as the certificates' ids are */

    if (ap->acl->mac) {
        if (ngx_http_prov_mac_normalize(&token[0], mac) != NGX_OK) {
            ngx_http_prov_acl_error(ap, "bad id \"%V\": not a MAC address",
                                    &token[0]);
            return;
        }

        id.len = NGX_HTTP_PROV_MAC_LEN;
        id.data = mac;

    } else {
        if (ngx_http_prov_id_safe(&token[0]) != NGX_OK
            || token[0].len > 65535)
        {
            ngx_http_prov_acl_error(ap, "bad id \"%V\"", &token[0]);
            return;
        }

        id = token[0];
    }

    if (ap->attrs.nelts) {
        flags |= NGX_HTTP_PROV_ACL_ATTRS;
    }

    (void) ngx_http_prov_acl_add(ap, &id, flags, pin, &ap->attrs);
}


/* NGX_DONE for a pin, NGX_OK for an attribute */

static ngx_int_t
ngx_http_prov_acl_parse_option(ngx_http_prov_acl_parse_t *ap,
    ngx_str_t *option, u_char *pin, ngx_array_t *attrs)
{
    u_char                    *eq, *p;
    ngx_str_t                  hex;
    ngx_uint_t                 i;
    ngx_http_prov_acl_attr_t  *attr, *a;

    eq = ngx_strlchr(option->data, option->data + option->len, '=');

    if (eq == NULL || eq == option->data) {
        ngx_http_prov_acl_error(ap, "bad option \"%V\": not key=value",
                                option);
        return NGX_ERROR;
    }

    /* "SHA256=" must not pass for an attribute and leave a device unpinned */

    if (eq - option->data == 6
        && ngx_strncasecmp(option->data, (u_char *) "sha256", 6) == 0)
    {
        hex.len = option->len - 7;
        hex.data = option->data + 7;

        if (ngx_http_prov_acl_parse_pin(&hex, pin) != NGX_OK) {
            ngx_http_prov_acl_error(ap, "bad sha256 fingerprint \"%V\"",
                                    &hex);
            return NGX_ERROR;
        }

        return NGX_DONE;
    }

    /* keys become variable names: $prov_acl_<key> */

    for (p = option->data; p < eq; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_'))
        {
            ngx_http_prov_acl_error(ap, "bad key in \"%V\"", option);
            return NGX_ERROR;
        }
    }

    if (eq + 1 == option->data + option->len) {
        ngx_http_prov_acl_error(ap, "empty value in \"%V\"", option);
        return NGX_ERROR;
    }

    if (eq - option->data > 255 || option->data + option->len - eq > 65535) {
        ngx_http_prov_acl_error(ap, "option too long");
        return NGX_ERROR;
    }

    for (p = eq + 1; p < option->data + option->len; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            ngx_http_prov_acl_error(ap, "control character in \"%V\"",
                                    option);
            return NGX_ERROR;
        }
    }

    a = attrs->elts;

    for (i = 0; i < attrs->nelts; i++) {
        if ((size_t) (eq - option->data) == a[i].key.len
            && ngx_strncasecmp(a[i].key.data, option->data, a[i].key.len)
               == 0)
        {
            ngx_http_prov_acl_error(ap, "duplicate key in \"%V\"", option);
            return NGX_ERROR;
        }
    }

    attr = ngx_array_push(attrs);
    if (attr == NULL) {
        ap->errors++;
        return NGX_ERROR;
    }

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
                ngx_http_prov_acl_error(ap, "invisible character U+%04XD "
                                        "in %s (a no-break space, a "
                                        "zero-width or format character)",
                                        c, what);
                return NGX_ERROR;
            }
        }
    }

    return NGX_OK;

not_utf8:

    ngx_http_prov_acl_error(ap, "byte %02XD in %s is no UTF-8 (a Latin-1 "
                            "list? its no-break space is A0)",
                            (uint32_t) *p, what);
    return NGX_ERROR;
}


/* 64 hex digits, with or without colons, as openssl prints them */

static ngx_int_t
ngx_http_prov_acl_parse_pin(ngx_str_t *hex, u_char *pin)
{
    u_char      *p, *last;
    ngx_int_t    digit;
    ngx_uint_t   n, colons;

    if (hex->len == 2 * NGX_HTTP_PROV_SHA256_LEN) {
        colons = 0;

    } else if (hex->len == 3 * NGX_HTTP_PROV_SHA256_LEN - 1) {
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

        digit = ngx_hextoi(p, 1);

        if (digit == NGX_ERROR) {
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
 * record layout, present only when a flag asks for it:
 *   [32-byte pin] [u16 id length, id (non-MAC lists)]
 *   [u16 count, then per attribute: u8 key length, key, u16 value
 *   length, value]
 */

static ngx_int_t
ngx_http_prov_acl_add(ngx_http_prov_acl_parse_t *ap, ngx_str_t *id,
    uint32_t flags, u_char *pin, ngx_array_t *attrs)
{
    u_char                    *p;
    size_t                     size;
    uint16_t                   len16;
    uint64_t                   key;
    ngx_uint_t                 i;
    ngx_http_prov_acl_t       *acl;
    ngx_http_prov_acl_entry_t  *slot;
    ngx_http_prov_acl_attr_t  *attr;

    acl = ap->acl;

    if (ngx_http_prov_acl_lookup(acl, id) != NULL) {
        ngx_http_prov_acl_error(ap, "duplicate id \"%V\"", id);
        return NGX_ERROR;
    }

    /*
     * more devices than counted: the file changed between the readings;
     * a table filled past 3/4 would be probed for long, or (full) forever
     */

    if (acl->info.entries >= (acl->mask + 1) / 4 * 3) {
        ngx_http_prov_acl_error(ap, "more devices than counted: the file "
                                "changed while being read");
        ap->stop = 1;
        return NGX_ERROR;
    }

    size = 0;

    if (flags & NGX_HTTP_PROV_ACL_PIN) {
        size += NGX_HTTP_PROV_SHA256_LEN;
    }

    if (!acl->mac) {
        size += 2 + id->len;
    }

    if (flags & NGX_HTTP_PROV_ACL_ATTRS) {
        size += 2;
        attr = attrs->elts;

        for (i = 0; i < attrs->nelts; i++) {
            size += 1 + attr[i].key.len + 2 + attr[i].value.len;
        }
    }

    p = NULL;

    if (size) {
        p = ngx_http_prov_acl_reserve(ap, size);
        if (p == NULL) {
            ap->stop = 1;
            return NGX_ERROR;
        }
    }

    key = ngx_http_prov_acl_key(acl, id);

    for (i = (key * 0x9e3779b97f4a7c15ULL) >> acl->shift;
         acl->slots[i].key != 0;
         i = (i + 1) & acl->mask)
    {
        /* void */
    }

    slot = &acl->slots[i];
    slot->key = key;
    slot->flags = flags;
    slot->record = 0;

    acl->info.entries++;

    if (p == NULL) {
        return NGX_OK;
    }

    slot->record = (uint32_t) (p - acl->data);

    if (flags & NGX_HTTP_PROV_ACL_PIN) {
        p = ngx_cpymem(p, pin, NGX_HTTP_PROV_SHA256_LEN);
    }

    if (!acl->mac) {
        len16 = (uint16_t) id->len;
        p = ngx_cpymem(p, &len16, 2);
        p = ngx_cpymem(p, id->data, id->len);
    }

    if (flags & NGX_HTTP_PROV_ACL_ATTRS) {
        len16 = (uint16_t) attrs->nelts;
        p = ngx_cpymem(p, &len16, 2);
        attr = attrs->elts;

        for (i = 0; i < attrs->nelts; i++) {
            *p++ = (u_char) attr[i].key.len;
            p = ngx_cpymem(p, attr[i].key.data, attr[i].key.len);
            len16 = (uint16_t) attr[i].value.len;
            p = ngx_cpymem(p, &len16, 2);
            p = ngx_cpymem(p, attr[i].value.data, attr[i].value.len);
        }
    }

    return NGX_OK;
}


/*
 * room for a record: the area doubles as it fills, up to
 * NGX_HTTP_PROV_ACL_DATA_MAX (offsets are 32-bit); past it, the line is
 * refused and the list read no further
 */

static u_char *
ngx_http_prov_acl_reserve(ngx_http_prov_acl_parse_t *ap, size_t size)
{
    u_char               *data;
    size_t                grown;
    ngx_http_prov_acl_t  *acl;

    acl = ap->acl;

    if (size > NGX_HTTP_PROV_ACL_DATA_MAX - acl->used) {
        ngx_http_prov_acl_error(ap, "access list records exceed "
                                NGX_HTTP_PROV_ACL_DATA_TEXT " (pins, "
                                "non-MAC ids and attributes)");
        return NULL;
    }

    if (acl->used + size > acl->size) {
        grown = ngx_max(acl->size * 2, 65536);

        while (grown < acl->used + size) {
            grown *= 2;
        }

        data = ngx_alloc(grown, ap->cf->log);
        if (data == NULL) {
            ngx_http_prov_acl_error(ap, "no memory for the list's records");
            return NULL;
        }

        if (acl->data != NULL) {
            ngx_memcpy(data, acl->data, acl->used);
            ngx_free(acl->data);
        }

        acl->data = data;
        acl->size = grown;
    }

    data = acl->data + acl->used;
    acl->used += size;

    return data;
}


static uint64_t
ngx_http_prov_acl_key(ngx_http_prov_acl_t *acl, ngx_str_t *id)
{
    u_char    *p, *last;
    uint64_t   key;

    key = 0;
    last = id->data + id->len;

    if (acl->mac) {
        /* the canonical id: 12 lowercase hex digits */

        for (p = id->data; p < last; p++) {
            key = (key << 4) | ((*p <= '9') ? *p - '0' : *p - 'a' + 10);
        }

        return key | NGX_HTTP_PROV_ACL_USED;
    }

    /* FNV-1a */

    key = 0xcbf29ce484222325ULL;

    for (p = id->data; p < last; p++) {
        key = (key ^ *p) * 0x100000001b3ULL;
    }

    return key | NGX_HTTP_PROV_ACL_USED;
}


static ngx_http_prov_acl_entry_t *
ngx_http_prov_acl_lookup(ngx_http_prov_acl_t *acl, ngx_str_t *id)
{
    u_char                    *record;
    uint16_t                   len16;
    uint64_t                   key;
    ngx_uint_t                 i;
    ngx_http_prov_acl_entry_t  *slot;

    if (acl->mac && id->len != NGX_HTTP_PROV_MAC_LEN) {
        return NULL;
    }

    key = ngx_http_prov_acl_key(acl, id);

    for (i = (key * 0x9e3779b97f4a7c15ULL) >> acl->shift;
         acl->slots[i].key != 0;
         i = (i + 1) & acl->mask)
    {
        slot = &acl->slots[i];

        if (slot->key != key) {
            continue;
        }

        if (acl->mac) {
            return slot;
        }

        record = acl->data + slot->record;

        if (slot->flags & NGX_HTTP_PROV_ACL_PIN) {
            record += NGX_HTTP_PROV_SHA256_LEN;
        }

        ngx_memcpy(&len16, record, 2);

        if (len16 == id->len && ngx_memcmp(record + 2, id->data, len16) == 0)
        {
            return slot;
        }
    }

    return NULL;
}


/*
 * the list's word on a device: NGX_HTTP_PROV_ALLOW, NOT_LISTED, DENIED or
 * PIN_MISMATCH (a pinned entry and a certificate of another SHA-256, or
 * none: "digest" then holds the certificate's), NGX_HTTP_PROV_NONE when the
 * certificate cannot be hashed; "entry" is the device's, if listed
 */

ngx_uint_t
ngx_http_prov_acl_verdict(ngx_http_prov_acl_t *acl, ngx_str_t *id,
    X509 *cert, ngx_http_prov_acl_entry_t **entry, u_char *digest)
{
    unsigned int                len;
    ngx_http_prov_acl_entry_t  *slot;

    slot = ngx_http_prov_acl_lookup(acl, id);
    *entry = slot;

    if (slot == NULL) {
        return NGX_HTTP_PROV_NOT_LISTED;
    }

    if (!(slot->flags & NGX_HTTP_PROV_ACL_ALLOW)) {
        return NGX_HTTP_PROV_DENIED;
    }

    if (!(slot->flags & NGX_HTTP_PROV_ACL_PIN)) {
        return NGX_HTTP_PROV_ALLOW;
    }

    if (cert == NULL) {
        return NGX_HTTP_PROV_PIN_MISMATCH;
    }

    /* the SHA-256 of the certificate's DER, as openssl -fingerprint */

    if (X509_digest(cert, EVP_sha256(), digest, &len) == 0
        || len != NGX_HTTP_PROV_SHA256_LEN)
    {
        return NGX_HTTP_PROV_NONE;
    }

    if (ngx_memcmp(digest, acl->data + slot->record, NGX_HTTP_PROV_SHA256_LEN)
        != 0)
    {
        return NGX_HTTP_PROV_PIN_MISMATCH;
    }

    return NGX_HTTP_PROV_ALLOW;
}


ngx_http_prov_acl_info_t *
ngx_http_prov_acl_info(ngx_http_prov_acl_t *acl)
{
    return &acl->info;
}


/* an attribute's value, pointing into the list: nothing allocated */

ngx_int_t
ngx_http_prov_acl_attribute(ngx_http_prov_acl_t *acl,
    ngx_http_prov_acl_entry_t *slot, ngx_str_t *key, ngx_str_t *value)
{
    u_char      *p;
    uint16_t     len16, count;
    ngx_uint_t   i, klen;

    if (!(slot->flags & NGX_HTTP_PROV_ACL_ATTRS)) {
        return NGX_DECLINED;
    }

    p = acl->data + slot->record;

    if (slot->flags & NGX_HTTP_PROV_ACL_PIN) {
        p += NGX_HTTP_PROV_SHA256_LEN;
    }

    if (!acl->mac) {
        ngx_memcpy(&len16, p, 2);
        p += 2 + len16;
    }

    ngx_memcpy(&count, p, 2);
    p += 2;

    for (i = 0; i < count; i++) {
        klen = *p++;
        ngx_memcpy(&len16, p + klen, 2);

        if (klen == key->len && ngx_strncasecmp(p, key->data, klen) == 0) {
            value->len = len16;
            value->data = p + klen + 2;
            return NGX_OK;
        }

        p += klen + 2 + len16;
    }

    return NGX_DECLINED;
}


static void
ngx_http_prov_acl_error(ngx_http_prov_acl_parse_t *ap, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;
    u_char    buf[NGX_MAX_ERROR_STR];

    ap->errors++;

    if (ap->errors > NGX_HTTP_PROV_ACL_ERRORS) {

        if (ap->errors == NGX_HTTP_PROV_ACL_ERRORS + 1) {
            ngx_log_error(NGX_LOG_EMERG, ap->cf->log, 0,
                          "%V: too many errors, the rest are not shown",
                          &ap->acl->info.path);
        }

        return;
    }

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + sizeof(buf), fmt, args);
    va_end(args);

    ngx_log_error(NGX_LOG_EMERG, ap->cf->log, 0, "%V:%ui: %*s",
                  &ap->acl->info.path, ap->line, (size_t) (p - buf), buf);
}


static void
ngx_http_prov_acl_cleanup(void *data)
{
    ngx_http_prov_acl_t  *acl = data;

    if (acl->slots != NULL) {
        ngx_free(acl->slots);
    }

    if (acl->data != NULL) {
        ngx_free(acl->data);
    }
}
