
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#ifndef _NGX_PROV_FUZZ_H_INCLUDED_
#define _NGX_PROV_FUZZ_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


/*
 * What the module's code expects of a running nginx, without one: the
 * time, a log to /dev/null, ngx_cycle, module indices, OpenSSL, and a
 * configuration context in which the module's own handlers (directives,
 * create and merge, postconfiguration) run as nginx -t runs them.
 */

typedef struct {
    ngx_conf_t                  cf;
    ngx_array_t                 args;
    ngx_http_conf_ctx_t         ctx;
} ngx_prov_fuzz_conf_t;


extern ngx_pool_t  *ngx_prov_fuzz_pool;    /* lives as long as the process */
extern ngx_log_t   *ngx_prov_fuzz_log;
extern ngx_uint_t   ngx_prov_fuzz_verbose;  /* PROV_FUZZ_VERBOSE=1 */


/* libFuzzer's; the library's LLVMFuzzerInitialize() is a weak default */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void ngx_prov_fuzz_init(void);
ngx_pool_t *ngx_prov_fuzz_create_pool(void);
ngx_prov_fuzz_conf_t *ngx_prov_fuzz_conf(ngx_pool_t *pool);
ngx_http_prov_loc_conf_t *ngx_prov_fuzz_loc_conf(ngx_prov_fuzz_conf_t *fc);
ngx_int_t ngx_prov_fuzz_directive(ngx_prov_fuzz_conf_t *fc,
    ngx_http_prov_loc_conf_t *plcf, char *name, ...);
ngx_int_t ngx_prov_fuzz_merge(ngx_prov_fuzz_conf_t *fc,
    ngx_http_prov_loc_conf_t *plcf);
ngx_int_t ngx_prov_fuzz_temp_file(const u_char *data, size_t size,
    ngx_str_t *path);


#endif /* _NGX_PROV_FUZZ_H_INCLUDED_ */
