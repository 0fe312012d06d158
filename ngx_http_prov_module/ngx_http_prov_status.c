
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


/*
 * Counters live in a small shared zone, so that every worker adds to
 * the same ones and a reload keeps them (nginx hands a zone of the same
 * name and size to the new cycle).
 *
 * The zone is found through the main configuration of the cycle that
 * serves, never through a static variable: a reload that fails after the
 * http block (a bad directive further on, a listen socket it cannot bind)
 * has run the postconfiguration handler of its cycle and then freed that
 * cycle, while the master keeps the old one and forks from it every
 * worker it respawns.
 */


#define NGX_HTTP_PROV_STATUS_ZONE  "ngx_http_prov_status"


typedef struct {
    ngx_atomic_t                requests[NGX_HTTP_PROV_RESULTS];
} ngx_http_prov_counters_t;


static ngx_int_t ngx_http_prov_status_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_prov_status_handler(ngx_http_request_t *r);
static ngx_buf_t *ngx_http_prov_status_json(ngx_http_request_t *r,
    ngx_http_prov_counters_t *counters, ngx_array_t *acls);
static ngx_buf_t *ngx_http_prov_status_prometheus(ngx_http_request_t *r,
    ngx_http_prov_counters_t *counters, ngx_array_t *acls);


static void ngx_http_prov_status_refresh(ngx_http_request_t *r,
    ngx_array_t *acls);
static u_char *ngx_http_prov_status_metric(u_char *p, ngx_array_t *acls,
    u_char *head, size_t len, char *name, ngx_uint_t which);
static u_char *ngx_http_prov_status_label(u_char *dst, ngx_str_t *value);


ngx_int_t
ngx_http_prov_status_add_zone(ngx_conf_t *cf)
{
    ngx_str_t                   name = ngx_string(NGX_HTTP_PROV_STATUS_ZONE);
    ngx_shm_zone_t             *shm_zone;
    ngx_http_prov_main_conf_t  *pmcf;

    shm_zone = ngx_shared_memory_add(cf, &name, 8 * ngx_pagesize,
                                     &ngx_http_prov_module);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    shm_zone->init = ngx_http_prov_status_init_zone;

    pmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_prov_module);
    pmcf->status_zone = shm_zone;

    return NGX_OK;
}


static ngx_int_t
ngx_http_prov_status_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t           *shpool;
    ngx_http_prov_counters_t  *counters;

    if (data != NULL) {
        /* a reload: keep counting where the old cycle stopped */
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        return NGX_OK;
    }

    counters = ngx_slab_calloc(shpool, sizeof(ngx_http_prov_counters_t));
    if (counters == NULL) {
        return NGX_ERROR;
    }

    shpool->data = counters;
    shm_zone->data = counters;

    return NGX_OK;
}


void
ngx_http_prov_status_count(ngx_http_request_t *r, ngx_uint_t result)
{
    ngx_http_prov_counters_t   *counters;
    ngx_http_prov_main_conf_t  *pmcf;

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prov_module);

    if (pmcf->status_zone == NULL
        || pmcf->status_zone->data == NULL
        || result >= NGX_HTTP_PROV_RESULTS)
    {
        return;
    }

    counters = pmcf->status_zone->data;

    (void) ngx_atomic_fetch_add(&counters->requests[result], 1);
}


char *
ngx_http_prov_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_prov_status_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_prov_status_handler(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_buf_t                  *b;
    ngx_str_t                   format;
    ngx_chain_t                 out;
    ngx_http_prov_counters_t   *counters;
    ngx_http_prov_main_conf_t  *pmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    pmcf = ngx_http_get_module_main_conf(r, ngx_http_prov_module);

    if (pmcf->status_zone == NULL || pmcf->status_zone->data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    counters = pmcf->status_zone->data;

    ngx_http_prov_status_refresh(r, &pmcf->acls);

    if (ngx_http_arg(r, (u_char *) "format", 6, &format) == NGX_OK
        && format.len == 10
        && ngx_strncmp(format.data, "prometheus", 10) == 0)
    {
        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4");
        b = ngx_http_prov_status_prometheus(r, counters, &pmcf->acls);

    } else {
        ngx_str_set(&r->headers_out.content_type, "application/json");
        b = ngx_http_prov_status_json(r, counters, &pmcf->acls);
    }

    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* an LMDB list's figures are the database's now */

static void
ngx_http_prov_status_refresh(ngx_http_request_t *r, ngx_array_t *acls)
{
    ngx_uint_t              i;
    ngx_http_prov_acl_t   **acl;
    ngx_http_prov_lmdb_t   *lmdb;

    acl = acls->elts;

    for (i = 0; i < acls->nelts; i++) {
        lmdb = ngx_http_prov_acl_lmdb(acl[i]);

        if (lmdb != NULL) {
            (void) ngx_http_prov_lmdb_stat(lmdb, r->connection->log);
        }
    }
}


static ngx_buf_t *
ngx_http_prov_status_json(ngx_http_request_t *r,
    ngx_http_prov_counters_t *counters, ngx_array_t *acls)
{
    size_t                     size;
    ngx_buf_t                 *b;
    ngx_str_t                 *name;
    ngx_uint_t                 i;
    ngx_atomic_uint_t          total;
    ngx_http_prov_acl_t      **acl;
    ngx_http_prov_acl_info_t  *info;

    acl = acls->elts;

    size = sizeof("{\"requests\":{},\"acls\":[]}\n") + sizeof("\"total\":")
           + NGX_ATOMIC_T_LEN;

    for (i = 1; i < NGX_HTTP_PROV_RESULTS; i++) {
        size += sizeof("\"\":,") + 16 + NGX_ATOMIC_T_LEN;
    }

    for (i = 0; i < acls->nelts; i++) {
        info = ngx_http_prov_acl_info(acl[i]);
        size += sizeof("{\"file\":\"\",\"devices\":,\"load_ms\":},")
                + info->path.len
                + ngx_escape_json(NULL, info->path.data, info->path.len)
                + 2 * NGX_ATOMIC_T_LEN
                + sizeof(",\"serial\":,\"generation\":,"
                         "\"available\":false") + 2 * NGX_INT64_LEN;
    }

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    total = 0;

    b->last = ngx_cpymem(b->last, "{\"requests\":{", 13);

    for (i = 1; i < NGX_HTTP_PROV_RESULTS; i++) {
        name = ngx_http_prov_result_name(i);
        total += counters->requests[i];

        b->last = ngx_sprintf(b->last, "\"%V\":%uA,", name,
                              counters->requests[i]);
    }

    b->last = ngx_sprintf(b->last, "\"total\":%uA},\"acls\":[", total);

    for (i = 0; i < acls->nelts; i++) {
        info = ngx_http_prov_acl_info(acl[i]);
        b->last = ngx_cpymem(b->last, "{\"file\":\"", 9);
        b->last = (u_char *) ngx_escape_json(b->last, info->path.data,
                                             info->path.len);
        b->last = ngx_sprintf(b->last, "\",\"devices\":%ui,\"load_ms\":%M",
                              info->entries, info->load_time);

        if (info->lmdb) {
            b->last = ngx_sprintf(b->last, ",\"serial\":%uL,"
                                  "\"generation\":%uL,\"available\":%s",
                                  info->serial, info->generation,
                                  info->available ? "true" : "false");
        }

        b->last = ngx_sprintf(b->last, "}%s",
                              (i + 1 < acls->nelts) ? "," : "");
    }

    b->last = ngx_cpymem(b->last, "]}\n", 3);

    return b;
}


static ngx_buf_t *
ngx_http_prov_status_prometheus(ngx_http_request_t *r,
    ngx_http_prov_counters_t *counters, ngx_array_t *acls)
{
    size_t                     size;
    ngx_buf_t                 *b;
    ngx_str_t                 *name;
    ngx_uint_t                 i;
    ngx_http_prov_acl_t      **acl;
    ngx_http_prov_acl_info_t  *info;

    static u_char  requests_head[] =
        "# HELP nginx_prov_requests_total Requests decided by the prov gate,"
        " by result.\n"
        "# TYPE nginx_prov_requests_total counter\n";

    static u_char  acl_head[] =
        "# HELP nginx_prov_acl_devices Devices in a loaded access list.\n"
        "# TYPE nginx_prov_acl_devices gauge\n";

    static u_char  load_head[] =
        "# HELP nginx_prov_acl_load_seconds Time to read an access list.\n"
        "# TYPE nginx_prov_acl_load_seconds gauge\n";

    static u_char  serial_head[] =
        "# HELP nginx_prov_acl_serial Last serial applied to an LMDB access"
        " list.\n"
        "# TYPE nginx_prov_acl_serial gauge\n";

    static u_char  generation_head[] =
        "# HELP nginx_prov_acl_generation Commits to an LMDB access list.\n"
        "# TYPE nginx_prov_acl_generation gauge\n";

    static u_char  available_head[] =
        "# HELP nginx_prov_acl_available Whether the workers can read an"
        " LMDB access list.\n"
        "# TYPE nginx_prov_acl_available gauge\n";

    acl = acls->elts;

    size = sizeof(requests_head) + sizeof(acl_head) + sizeof(load_head)
           + sizeof(serial_head) + sizeof(generation_head)
           + sizeof(available_head);

    for (i = 1; i < NGX_HTTP_PROV_RESULTS; i++) {
        size += sizeof("nginx_prov_requests_total{result=\"\"} \n") + 16
                + NGX_ATOMIC_T_LEN;
    }

    for (i = 0; i < acls->nelts; i++) {
        /* label values escape "\" and '"' as \\ and \" */
        info = ngx_http_prov_acl_info(acl[i]);
        size += 5 * (sizeof("nginx_prov_acl_load_seconds{file=\"\"} \n")
                     + 2 * info->path.len + NGX_INT64_LEN + 8);
    }

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    b->last = ngx_cpymem(b->last, requests_head, sizeof(requests_head) - 1);

    for (i = 1; i < NGX_HTTP_PROV_RESULTS; i++) {
        name = ngx_http_prov_result_name(i);
        b->last = ngx_sprintf(b->last,
                              "nginx_prov_requests_total{result=\"%V\"} %uA\n",
                              name, counters->requests[i]);
    }

    if (acls->nelts == 0) {
        return b;
    }

    b->last = ngx_cpymem(b->last, acl_head, sizeof(acl_head) - 1);

    for (i = 0; i < acls->nelts; i++) {
        b->last = ngx_cpymem(b->last, "nginx_prov_acl_devices{file=\"",
                             sizeof("nginx_prov_acl_devices{file=\"") - 1);

        info = ngx_http_prov_acl_info(acl[i]);
        b->last = ngx_http_prov_status_label(b->last, &info->path);

        b->last = ngx_sprintf(b->last, "\"} %ui\n", info->entries);
    }

    b->last = ngx_cpymem(b->last, load_head, sizeof(load_head) - 1);

    for (i = 0; i < acls->nelts; i++) {
        b->last = ngx_cpymem(b->last, "nginx_prov_acl_load_seconds{file=\"",
                             sizeof("nginx_prov_acl_load_seconds{file=\"")
                             - 1);

        info = ngx_http_prov_acl_info(acl[i]);
        b->last = ngx_http_prov_status_label(b->last, &info->path);

        b->last = ngx_sprintf(b->last, "\"} %M.%03M\n",
                              info->load_time / 1000,
                              info->load_time % 1000);
    }

    for (i = 0; i < acls->nelts; i++) {
        if (ngx_http_prov_acl_info(acl[i])->lmdb) {
            break;
        }
    }

    if (i == acls->nelts) {
        return b;
    }

    b->last = ngx_http_prov_status_metric(b->last, acls, serial_head,
                                          sizeof(serial_head) - 1,
                                          "nginx_prov_acl_serial", 0);
    b->last = ngx_http_prov_status_metric(b->last, acls, generation_head,
                                          sizeof(generation_head) - 1,
                                          "nginx_prov_acl_generation", 1);
    b->last = ngx_http_prov_status_metric(b->last, acls, available_head,
                                          sizeof(available_head) - 1,
                                          "nginx_prov_acl_available", 2);

    return b;
}


/* one of the LMDB lists' gauges: 0 serial, 1 generation, 2 available */

static u_char *
ngx_http_prov_status_metric(u_char *p, ngx_array_t *acls, u_char *head,
    size_t len, char *name, ngx_uint_t which)
{
    uint64_t                   value;
    ngx_uint_t                 i;
    ngx_http_prov_acl_t      **acl;
    ngx_http_prov_acl_info_t  *info;

    acl = acls->elts;

    p = ngx_cpymem(p, head, len);

    for (i = 0; i < acls->nelts; i++) {
        info = ngx_http_prov_acl_info(acl[i]);

        if (!info->lmdb) {
            continue;
        }

        value = (which == 0) ? info->serial
                : (which == 1) ? info->generation : info->available;

        p = ngx_sprintf(p, "%s{file=\"", name);
        p = ngx_http_prov_status_label(p, &info->path);
        p = ngx_sprintf(p, "\"} %uL\n", value);
    }

    return p;
}


/* a Prometheus label value: backslash and quote escaped, no newline */

static u_char *
ngx_http_prov_status_label(u_char *dst, ngx_str_t *value)
{
    u_char  *p, *last;

    last = value->data + value->len;

    for (p = value->data; p < last; p++) {
        if (*p == '\\' || *p == '"') {
            *dst++ = '\\';
        }

        *dst++ = (*p == '\n') ? ' ' : *p;
    }

    return dst;
}
