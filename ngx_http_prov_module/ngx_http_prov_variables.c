
/*
 * Copyright (C) The ngx_http_prov_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_http_prov_module.h"


static ngx_http_prov_ctx_t *ngx_http_prov_variable_ctx(ngx_http_request_t *r);
static void ngx_http_prov_variable_set(ngx_http_variable_value_t *v,
    ngx_str_t *value);
static ngx_int_t ngx_http_prov_variable_set_escaped(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, ngx_str_t *value);
static ngx_int_t ngx_http_prov_id_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_prov_result_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_prov_cert_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_prov_acl_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


#define NGX_HTTP_PROV_CERT_PREFIX  "prov_cert_"
#define NGX_HTTP_PROV_ACL_PREFIX   "prov_acl_"


static ngx_http_variable_t  ngx_http_prov_vars[] = {

    { ngx_string("prov_id"), NULL, ngx_http_prov_id_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("prov_result"), NULL, ngx_http_prov_result_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string(NGX_HTTP_PROV_CERT_PREFIX), NULL,
      ngx_http_prov_cert_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

    { ngx_string(NGX_HTTP_PROV_ACL_PREFIX), NULL,
      ngx_http_prov_acl_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_http_prov_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_prov_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/*
 * the request's outcome under this location's gate; a refusal of the
 * access phase stands everywhere after it (also after it redirected), an
 * allow is a gate's own: a location of other settings says its own
 */

static ngx_http_prov_ctx_t *
ngx_http_prov_variable_ctx(ngx_http_request_t *r)
{
    ngx_http_prov_ctx_t       *ctx;
    ngx_http_prov_loc_conf_t  *plcf;

    ctx = ngx_http_prov_get_ctx(r);
    plcf = ngx_http_get_module_loc_conf(r, ngx_http_prov_module);

    if (ctx != NULL
        && (ctx->gate == plcf->gate
            || plcf->gate == NULL
            || (ctx->enforced && ctx->result != NGX_HTTP_PROV_ALLOW)))
    {
        return ctx;
    }

    if (plcf->gate == NULL) {
        return NULL;
    }

    return ngx_http_prov_evaluate(r, plcf->gate);
}


static void
ngx_http_prov_variable_set(ngx_http_variable_value_t *v, ngx_str_t *value)
{
    v->len = value->len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = value->data;
}


/* a value from a certificate or a list: escaped, it may reach a header */

static ngx_int_t
ngx_http_prov_variable_set_escaped(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, ngx_str_t *value)
{
    if (ngx_http_prov_value_escape(r->pool, value) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_http_prov_variable_set(v, value);

    return NGX_OK;
}


static ngx_int_t
ngx_http_prov_id_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_prov_ctx_t  *ctx;

    ctx = ngx_http_prov_variable_ctx(r);

    if (ctx == NULL || ctx->id.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    ngx_http_prov_variable_set(v, &ctx->id);

    return NGX_OK;
}


static ngx_int_t
ngx_http_prov_result_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t            *name;
    ngx_http_prov_ctx_t  *ctx;

    ctx = ngx_http_prov_variable_ctx(r);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    name = ngx_http_prov_result_name(ctx->result);

    ngx_http_prov_variable_set(v, name);

    return NGX_OK;
}


static ngx_int_t
ngx_http_prov_cert_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t *var = (ngx_str_t *) data;

    X509         *cert;
    long          verify;
    ngx_int_t     rc;
    ngx_str_t     attr, value;
    ASN1_OBJECT  *obj;

    attr.len = var->len - (sizeof(NGX_HTTP_PROV_CERT_PREFIX) - 1);
    attr.data = var->data + sizeof(NGX_HTTP_PROV_CERT_PREFIX) - 1;

    obj = ngx_http_prov_attribute_object(&attr, 1);

    if (obj == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    cert = ngx_http_prov_verified_certificate(r, &verify);

    if (cert == NULL || verify != X509_V_OK) {
        rc = NGX_DECLINED;

    } else {
        rc = ngx_http_prov_cert_value(r->pool, cert, obj, &value);
    }

    if (cert != NULL) {
        X509_free(cert);
    }

    ASN1_OBJECT_free(obj);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc != NGX_OK) {
        v->not_found = 1;
        return NGX_OK;
    }

    return ngx_http_prov_variable_set_escaped(r, v, &value);
}


/* an attribute of the device's access list entry, when it has one */

static ngx_int_t
ngx_http_prov_acl_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t *var = (ngx_str_t *) data;

    ngx_str_t             key, value;
    ngx_http_prov_ctx_t  *ctx;

    ctx = ngx_http_prov_variable_ctx(r);

    if (ctx == NULL || ctx->entry == NULL || ctx->id.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    key.len = var->len - (sizeof(NGX_HTTP_PROV_ACL_PREFIX) - 1);
    key.data = var->data + sizeof(NGX_HTTP_PROV_ACL_PREFIX) - 1;

    if (ngx_http_prov_acl_attribute(ctx->gate->acl, ctx->entry, &key, &value)
        != NGX_OK)
    {
        v->not_found = 1;
        return NGX_OK;
    }

    return ngx_http_prov_variable_set_escaped(r, v, &value);
}
