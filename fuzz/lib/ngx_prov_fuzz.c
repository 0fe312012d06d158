
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"
#include "ngx_prov_fuzz.h"


static void ngx_prov_fuzz_unlink(void);


ngx_pool_t  *ngx_prov_fuzz_pool;
ngx_log_t   *ngx_prov_fuzz_log;
ngx_uint_t   ngx_prov_fuzz_verbose;

static ngx_log_t         ngx_prov_fuzz_log_s;
static ngx_open_file_t   ngx_prov_fuzz_log_file;
static ngx_cycle_t       ngx_prov_fuzz_cycle;
static u_char            ngx_prov_fuzz_file[NGX_MAX_PATH];


/* a target that needs more than ngx_prov_fuzz_init() defines its own */

__attribute__((weak)) int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ngx_prov_fuzz_init();

    return 0;
}


void
ngx_prov_fuzz_init(void)
{
    ngx_uint_t             n;
    ngx_http_module_t     *module;
    ngx_prov_fuzz_conf_t  *fc;

    ngx_prov_fuzz_verbose = (getenv("PROV_FUZZ_VERBOSE") != NULL);

    ngx_pagesize = getpagesize();

    for (n = ngx_pagesize; n >>= 1; ngx_pagesize_shift++) { /* void */ }

    ngx_cacheline_size = NGX_CPU_CACHE_LINE;

    ngx_time_init();

    /*
     * messages are formatted as nginx would format them, up to "info",
     * and written to /dev/null only
     */

    ngx_use_stderr = 0;

    ngx_prov_fuzz_log_file.fd = ngx_open_file("/dev/null", NGX_FILE_WRONLY,
                                              NGX_FILE_OPEN, 0);
    if (ngx_prov_fuzz_log_file.fd == NGX_INVALID_FILE) {
        ngx_log_stderr(ngx_errno, "open(/dev/null) failed");
        exit(1);
    }

    ngx_prov_fuzz_log_s.file = &ngx_prov_fuzz_log_file;
    ngx_prov_fuzz_log_s.log_level = NGX_LOG_INFO;
    ngx_prov_fuzz_log = &ngx_prov_fuzz_log_s;

    ngx_prov_fuzz_pool = ngx_create_pool(NGX_CYCLE_POOL_SIZE,
                                         ngx_prov_fuzz_log);
    if (ngx_prov_fuzz_pool == NULL) {
        exit(1);
    }

    ngx_prov_fuzz_cycle.pool = ngx_prov_fuzz_pool;
    ngx_prov_fuzz_cycle.log = ngx_prov_fuzz_log;
    if (ngx_list_init(&ngx_prov_fuzz_cycle.shared_memory, ngx_prov_fuzz_pool,
                      1, sizeof(ngx_shm_zone_t))
        != NGX_OK)
    {
        exit(1);
    }

    ngx_cycle = &ngx_prov_fuzz_cycle;

    if (ngx_preinit_modules() != NGX_OK
        || ngx_cycle_modules(&ngx_prov_fuzz_cycle) != NGX_OK)
    {
        exit(1);
    }

    ngx_http_max_module = ngx_count_modules(&ngx_prov_fuzz_cycle,
                                            NGX_HTTP_MODULE);

    if (ngx_ssl_init(ngx_prov_fuzz_log) != NGX_OK) {
        exit(1);
    }

    /* the module's postconfiguration: its TLS connection data index */

    fc = ngx_prov_fuzz_conf(ngx_prov_fuzz_pool);
    if (fc == NULL) {
        exit(1);
    }

    module = ngx_http_prov_module.ctx;

    if (module->postconfiguration(&fc->cf) != NGX_OK) {
        ngx_log_stderr(0, "the module's postconfiguration failed");
        exit(1);
    }

    atexit(ngx_prov_fuzz_unlink);
}


ngx_pool_t *
ngx_prov_fuzz_create_pool(void)
{
    ngx_pool_t  *pool;

    /* as small as nginx's request pools start, so that they grow */

    pool = ngx_create_pool(1024, ngx_prov_fuzz_log);
    if (pool == NULL) {
        abort();
    }

    return pool;
}


/* what "http { ... }" gives the module's handlers */

ngx_prov_fuzz_conf_t *
ngx_prov_fuzz_conf(ngx_pool_t *pool)
{
    ngx_uint_t                  i;
    ngx_http_module_t          *module;
    ngx_prov_fuzz_conf_t       *fc;
    ngx_http_core_loc_conf_t   *clcf;
    ngx_http_core_main_conf_t  *cmcf;

    static ngx_uint_t  phases[] = { NGX_HTTP_ACCESS_PHASE,
                                    NGX_HTTP_PRECONTENT_PHASE,
                                    NGX_HTTP_LOG_PHASE };

    fc = ngx_pcalloc(pool, sizeof(ngx_prov_fuzz_conf_t));
    if (fc == NULL) {
        return NULL;
    }

    if (ngx_array_init(&fc->args, pool, 4, sizeof(ngx_str_t)) != NGX_OK) {
        return NULL;
    }

    fc->cf.args = &fc->args;
    fc->cf.pool = pool;
    fc->cf.temp_pool = pool;
    fc->cf.cycle = &ngx_prov_fuzz_cycle;
    fc->cf.log = ngx_prov_fuzz_log;
    fc->cf.ctx = &fc->ctx;
    fc->cf.module_type = NGX_HTTP_MODULE;
    fc->cf.cmd_type = NGX_HTTP_LOC_CONF;

    fc->ctx.main_conf = ngx_pcalloc(pool,
                                    sizeof(void *) * ngx_http_max_module);
    if (fc->ctx.main_conf == NULL) {
        return NULL;
    }

    cmcf = ngx_pcalloc(pool, sizeof(ngx_http_core_main_conf_t));
    if (cmcf == NULL) {
        return NULL;
    }

    /* the phases the module's postconfiguration adds handlers to */

    for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
        if (ngx_array_init(&cmcf->phases[phases[i]].handlers, pool, 1,
                           sizeof(ngx_http_handler_pt))
            != NGX_OK)
        {
            return NULL;
        }
    }

    fc->ctx.main_conf[ngx_http_core_module.ctx_index] = cmcf;

    /* the merge reads the location's "alias" (none: a location of root) */

    fc->ctx.loc_conf = ngx_pcalloc(pool, sizeof(void *) * ngx_http_max_module);
    if (fc->ctx.loc_conf == NULL) {
        return NULL;
    }

    clcf = ngx_pcalloc(pool, sizeof(ngx_http_core_loc_conf_t));
    if (clcf == NULL) {
        return NULL;
    }

    fc->ctx.loc_conf[ngx_http_core_module.ctx_index] = clcf;

    module = ngx_http_prov_module.ctx;

    fc->ctx.main_conf[ngx_http_prov_module.ctx_index] =
                                             module->create_main_conf(&fc->cf);

    if (fc->ctx.main_conf[ngx_http_prov_module.ctx_index] == NULL) {
        return NULL;
    }

    return fc;
}


ngx_http_prov_loc_conf_t *
ngx_prov_fuzz_loc_conf(ngx_prov_fuzz_conf_t *fc)
{
    ngx_http_module_t  *module;

    module = ngx_http_prov_module.ctx;

    return module->create_loc_conf(&fc->cf);
}


/* one directive with its arguments, NULL-terminated, as nginx -t runs it */

ngx_int_t
ngx_prov_fuzz_directive(ngx_prov_fuzz_conf_t *fc,
    ngx_http_prov_loc_conf_t *plcf, char *name, ...)
{
    char           *rv, *arg;
    va_list         args;
    ngx_str_t      *value;
    ngx_command_t  *cmd;

    for (cmd = ngx_http_prov_module.commands; cmd->name.len; cmd++) {
        if (ngx_strcmp(cmd->name.data, name) == 0) {
            break;
        }
    }

    if (cmd->name.len == 0) {
        ngx_log_stderr(0, "no directive \"%s\"", name);
        abort();
    }

    fc->args.nelts = 0;

    va_start(args, name);

    for (arg = name; arg != NULL; arg = va_arg(args, char *)) {
        value = ngx_array_push(&fc->args);
        if (value == NULL) {
            va_end(args);
            return NGX_ERROR;
        }

        value->len = ngx_strlen(arg);
        value->data = (u_char *) arg;
    }

    va_end(args);

    rv = cmd->set(&fc->cf, cmd, plcf);

    if (rv != NGX_CONF_OK) {
        if (rv != NGX_CONF_ERROR) {
            ngx_log_error(NGX_LOG_EMERG, fc->cf.log, 0, "\"%s\" %s",
                          name, rv);
        }

        return NGX_ERROR;
    }

    return NGX_OK;
}


/* merged into the defaults, as a location without an outer level */

ngx_int_t
ngx_prov_fuzz_merge(ngx_prov_fuzz_conf_t *fc, ngx_http_prov_loc_conf_t *plcf)
{
    ngx_http_module_t         *module;
    ngx_http_prov_loc_conf_t  *parent;

    module = ngx_http_prov_module.ctx;

    parent = module->create_loc_conf(&fc->cf);
    if (parent == NULL) {
        return NGX_ERROR;
    }

    if (module->merge_loc_conf(&fc->cf, parent, plcf) != NGX_CONF_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* one file of this process, rewritten by each call, removed at exit */

ngx_int_t
ngx_prov_fuzz_temp_file(const u_char *data, size_t size, ngx_str_t *path)
{
    char      *dir;
    ssize_t    n;
    ngx_fd_t   fd;

    if (ngx_prov_fuzz_file[0] == '\0') {
        dir = getenv("TMPDIR");

        if (dir == NULL || dir[0] == '\0') {
            /* memory, where there is such a file system: a write per run */
            dir = (access("/dev/shm", W_OK) == 0) ? "/dev/shm" : "/tmp";
        }

        ngx_snprintf(ngx_prov_fuzz_file, NGX_MAX_PATH - 1,
                     "%s/ngx_prov_fuzz.%P%Z", dir, ngx_getpid());
    }

    fd = ngx_open_file(ngx_prov_fuzz_file, NGX_FILE_WRONLY, NGX_FILE_TRUNCATE,
                       NGX_FILE_DEFAULT_ACCESS);
    if (fd == NGX_INVALID_FILE) {
        ngx_log_stderr(ngx_errno, "open(\"%s\") failed", ngx_prov_fuzz_file);
        abort();
    }

    while (size) {
        n = write(fd, data, size);

        if (n <= 0) {
            ngx_log_stderr(ngx_errno, "write(\"%s\") failed",
                           ngx_prov_fuzz_file);
            abort();
        }

        data += n;
        size -= n;
    }

    ngx_close_file(fd);

    path->len = ngx_strlen(ngx_prov_fuzz_file);
    path->data = ngx_prov_fuzz_file;

    return NGX_OK;
}


static void
ngx_prov_fuzz_unlink(void)
{
    if (ngx_prov_fuzz_file[0] != '\0') {
        (void) ngx_delete_file(ngx_prov_fuzz_file);
    }
}
