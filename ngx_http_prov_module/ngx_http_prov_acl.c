
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

/*
 * record offsets are 32-bit and the area grows by doubling: 2 GiB of
 * records at most (one byte less: offset 0 means "no record")
 */
#define NGX_HTTP_PROV_ACL_DATA_MAX   ((size_t) 1 << 31)
#define NGX_HTTP_PROV_ACL_DATA_TEXT  "2 GiB"

/* a device's slot in the table */

struct ngx_http_prov_acl_entry_s {
    uint64_t                    key;        /* 0: a free slot */
    uint32_t                    record;     /* offset in data, 0: none */
    uint32_t                    flags;
};


struct ngx_http_prov_acl_s {
    ngx_http_prov_acl_info_t    info;
    ngx_uint_t                  mac;        /* ids are MAC addresses */
    ngx_http_prov_lmdb_t       *lmdb;       /* "lmdb:PATH", or NULL */
    ngx_http_prov_acl_entry_t  *slots;
    ngx_uint_t                  mask;
    ngx_uint_t                  shift;
    u_char                     *data;       /* records */
    size_t                      size;
    size_t                      used;
};


/* what the loader's handlers of the line format need */

typedef struct {
    ngx_conf_t                 *cf;
    ngx_http_prov_acl_t        *acl;
    ngx_file_t                 *file;
} ngx_http_prov_acl_load_t;


static ngx_http_prov_acl_t *ngx_http_prov_acl_read(ngx_conf_t *cf,
    ngx_str_t *path, ngx_uint_t mac);
static ngx_http_prov_acl_t *ngx_http_prov_acl_open_lmdb(ngx_conf_t *cf,
    ngx_str_t *path, ngx_uint_t mac);
static ngx_int_t ngx_http_prov_acl_count_entries(ngx_file_t *file,
    off_t size, u_char *buf, ngx_uint_t *entries);
static ngx_int_t ngx_http_prov_acl_changed(ngx_conf_t *cf, ngx_file_t *file,
    ngx_file_info_t *before, u_char *buf);
static ngx_uint_t ngx_http_prov_acl_same_file(ngx_file_info_t *a,
    ngx_file_info_t *b);
static ngx_uint_t ngx_http_prov_acl_same_ctime(ngx_file_info_t *a,
    ngx_file_info_t *b);
static ssize_t ngx_http_prov_acl_read_handler(ngx_http_prov_acl_parse_t *ap,
    u_char *buf, size_t size, off_t offset);
static ngx_int_t ngx_http_prov_acl_add(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device);
static void ngx_http_prov_acl_error_handler(ngx_http_prov_acl_parse_t *ap,
    u_char *text, size_t len);
static uint64_t ngx_http_prov_acl_key(ngx_http_prov_acl_t *acl,
    ngx_str_t *id);
static u_char *ngx_http_prov_acl_reserve(ngx_http_prov_acl_parse_t *ap,
    size_t size);
static ngx_http_prov_acl_entry_t *ngx_http_prov_acl_lookup(
    ngx_http_prov_acl_t *acl, ngx_str_t *id);
static void ngx_http_prov_acl_cleanup(void *data);


/*
 * "prov_acl file | lmdb:path [default=allow | default=deny] | off;"
 * an LMDB list's path is kept with its prefix, "lmdb:/full/path"
 */

char *
ngx_http_prov_acl(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_prov_loc_conf_t *plcf = conf;

    u_char     *p;
    ngx_str_t  *value, *path, name;

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

    /*
     * the list is read when the settings are merged, at the end of
     * "http": its errors name this directive's place instead
     */

    if (cf->conf_file != NULL) {
        plcf->acl_file = cf->conf_file->file.name;
        plcf->acl_line = cf->conf_file->line;
    }

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

    if (path->len >= sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1
        && ngx_strncmp(path->data, NGX_HTTP_PROV_LMDB_PREFIX,
                       sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1)
           == 0)
    {
        name.len = path->len - (sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1);
        name.data = path->data + sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1;

        if (name.len == 0) {
            return "needs a database path after \"lmdb:\"";
        }

        if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        path->len = sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1 + name.len;
        path->data = ngx_pnalloc(cf->pool, path->len + 1);
        if (path->data == NULL) {
            return NGX_CONF_ERROR;
        }

        p = ngx_cpymem(path->data, NGX_HTTP_PROV_LMDB_PREFIX,
                       sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1);
        p = ngx_cpymem(p, name.data, name.len);
        *p = '\0';

        plcf->acl_path = path;

        return NGX_CONF_OK;
    }

    /* relative to the configuration prefix, as other nginx files */

    if (ngx_conf_full_name(cf->cycle, path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    plcf->acl_path = path;

    return NGX_CONF_OK;
}


ngx_http_prov_acl_t *
ngx_http_prov_acl_load(ngx_conf_t *cf, ngx_str_t *path, ngx_uint_t mac)
{
    ngx_uint_t                  i;
    ngx_http_prov_acl_t        *acl, **loaded;
    ngx_http_prov_main_conf_t  *pmcf;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prov_module);

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

    if (path->len > sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1
        && ngx_strncmp(path->data, NGX_HTTP_PROV_LMDB_PREFIX,
                       sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1)
           == 0)
    {
        acl = ngx_http_prov_acl_open_lmdb(cf, path, mac);

        if (acl == NULL) {
            return NULL;
        }

        /* another spelling of a database's path: the list is the same */

        for (i = 0; i < pmcf->acls.nelts; i++) {
            if (loaded[i]->lmdb == acl->lmdb && loaded[i]->mac == mac) {
                return loaded[i];
            }
        }

    } else {
        acl = ngx_http_prov_acl_read(cf, path, mac);
        if (acl == NULL) {
            return NULL;
        }
    }

    loaded = ngx_array_push(&pmcf->acls);
    if (loaded == NULL) {
        return NULL;
    }

    *loaded = acl;

    return acl;
}


static ngx_http_prov_acl_t *
ngx_http_prov_acl_read(ngx_conf_t *cf, ngx_str_t *path, ngx_uint_t mac)
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
    ngx_http_prov_acl_load_t    load;
    ngx_http_prov_acl_parse_t   ap;

    tp = ngx_timeofday();
    start = tp->sec * 1000 + tp->msec;

    acl = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_acl_t));
    if (acl == NULL) {
        return NULL;
    }

    acl->info.path = *path;
    acl->mac = mac;
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

    load.cf = cf;
    load.acl = acl;
    load.file = &file;

    ngx_memzero(&ap, sizeof(ngx_http_prov_acl_parse_t));
    ap.mac = acl->mac;
    ap.id_max = 65535;
    ap.data = &load;
    ap.read = ngx_http_prov_acl_read_handler;
    ap.add = ngx_http_prov_acl_add;
    ap.error = ngx_http_prov_acl_error_handler;

    rc = ngx_http_prov_acl_parse_file(&ap, ngx_file_size(&fi), buf);

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
        ngx_http_prov_acl_unterminated(&ap);
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


/* an LMDB list: checked here, opened by each worker on its first lookup */

static ngx_http_prov_acl_t *
ngx_http_prov_acl_open_lmdb(ngx_conf_t *cf, ngx_str_t *path, ngx_uint_t mac)
{
    ngx_str_t             name;
    ngx_msec_t            start;
    ngx_time_t           *tp;
    ngx_http_prov_acl_t  *acl;

    tp = ngx_timeofday();
    start = tp->sec * 1000 + tp->msec;

    acl = ngx_pcalloc(cf->pool, sizeof(ngx_http_prov_acl_t));
    if (acl == NULL) {
        return NULL;
    }

    acl->info.path = *path;
    acl->info.lmdb = 1;
    acl->mac = mac;

    name.len = path->len - (sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1);
    name.data = path->data + sizeof(NGX_HTTP_PROV_LMDB_PREFIX) - 1;

    acl->lmdb = ngx_http_prov_lmdb_check(cf, &name, mac, &acl->info);
    if (acl->lmdb == NULL) {
        return NULL;
    }

    ngx_time_update();
    tp = ngx_timeofday();
    acl->info.load_time = tp->sec * 1000 + tp->msec - start;

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


static ssize_t
ngx_http_prov_acl_read_handler(ngx_http_prov_acl_parse_t *ap, u_char *buf,
    size_t size, off_t offset)
{
    ngx_http_prov_acl_load_t  *load = ap->data;

    return ngx_read_file(load->file, buf, size, offset);
}


/*
 * record layout, present only when a flag asks for it:
 *   [32-byte pin] [u16 id length, id (non-MAC lists)] [attributes, as
 *   ngx_http_prov_acl_attrs_write() writes them]
 */

static ngx_int_t
ngx_http_prov_acl_add(ngx_http_prov_acl_parse_t *ap,
    ngx_http_prov_acl_line_t *device)
{
    u_char                     *p;
    size_t                      size;
    uint16_t                    len16;
    uint64_t                    key;
    ngx_str_t                  *id;
    ngx_uint_t                  i;
    ngx_http_prov_acl_t        *acl;
    ngx_http_prov_acl_load_t   *load;
    ngx_http_prov_acl_entry_t  *slot;

    load = ap->data;
    acl = load->acl;
    id = &device->id;

    if (ngx_http_prov_acl_lookup(acl, id) != NULL) {
        return NGX_DECLINED;
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

    if (device->flags & NGX_HTTP_PROV_ACL_PIN) {
        size += NGX_HTTP_PROV_SHA256_LEN;
    }

    if (!acl->mac) {
        size += 2 + id->len;
    }

    if (device->flags & NGX_HTTP_PROV_ACL_ATTRS) {
        size += ngx_http_prov_acl_attrs_size(device);
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
    slot->flags = device->flags;
    slot->record = 0;

    acl->info.entries++;

    if (p == NULL) {
        return NGX_OK;
    }

    slot->record = (uint32_t) (p - acl->data);

    if (device->flags & NGX_HTTP_PROV_ACL_PIN) {
        p = ngx_cpymem(p, device->pin, NGX_HTTP_PROV_SHA256_LEN);
    }

    if (!acl->mac) {
        len16 = (uint16_t) id->len;
        p = ngx_cpymem(p, &len16, 2);
        p = ngx_cpymem(p, id->data, id->len);
    }

    if (device->flags & NGX_HTTP_PROV_ACL_ATTRS) {
        (void) ngx_http_prov_acl_attrs_write(p, device);
    }

    return NGX_OK;
}


static void
ngx_http_prov_acl_error_handler(ngx_http_prov_acl_parse_t *ap, u_char *text,
    size_t len)
{
    ngx_http_prov_acl_load_t  *load = ap->data;

    if (text == NULL) {
        ngx_log_error(NGX_LOG_EMERG, load->cf->log, 0,
                      "%V: too many errors, the rest are not shown",
                      &load->acl->info.path);
        return;
    }

    ngx_log_error(NGX_LOG_EMERG, load->cf->log, 0, "%V:%ui: %*s",
                  &load->acl->info.path, ap->line, len, text);
}


/*
 * room for a record: the area doubles as it fills, up to
 * NGX_HTTP_PROV_ACL_DATA_MAX (offsets are 32-bit); past it, the line is
 * refused and the list read no further
 */

static u_char *
ngx_http_prov_acl_reserve(ngx_http_prov_acl_parse_t *ap, size_t size)
{
    u_char                    *data;
    size_t                     grown;
    ngx_http_prov_acl_t       *acl;
    ngx_http_prov_acl_load_t  *load;

    load = ap->data;
    acl = load->acl;

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

        data = ngx_alloc(grown, load->cf->log);
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


ngx_http_prov_lmdb_t *
ngx_http_prov_acl_lmdb(ngx_http_prov_acl_t *acl)
{
    return acl->lmdb;
}


/* an attribute's value, pointing into the list: nothing allocated */

ngx_int_t
ngx_http_prov_acl_attribute(ngx_http_prov_acl_t *acl,
    ngx_http_prov_acl_entry_t *slot, ngx_str_t *key, ngx_str_t *value)
{
    u_char    *p;
    uint16_t   len16;

    if (acl->lmdb != NULL) {
        return ngx_http_prov_lmdb_attribute(slot, key, value);
    }

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

    return ngx_http_prov_acl_attrs_find(p, acl->data + acl->used, key, value);
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
