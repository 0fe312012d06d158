#!/bin/bash
# Usage: scripts/build-module.sh NGINX_SRC BUILD_DIR [CONF_FLAGS]
#
# Builds ngx_http_prov_module.so against an nginx source tree, in
# BUILD_DIR, never inside the source trees.  With Debian's nginx-dev tree
# (/usr/share/nginx/src) it uses the flags Debian's nginx was built with
# (conf_flags) and --with-compat, so the module loads into that binary.
# CONF_FLAGS: a file in the same form, for another source tree
# (scripts/build-nginx.sh).

set -euo pipefail

nginx_src=$(cd "$1" && pwd)
build=$(mkdir -p "$2" && cd "$2" && pwd)
module_dir=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -x "$nginx_src/configure" ] && [ ! -x "$nginx_src/auto/configure" ]
then
    echo "$nginx_src: not an nginx source tree (no configure)" >&2
    exit 1
fi

conf_flags=${3:-$nginx_src/conf_flags}

if [ -f "$conf_flags" ]; then
    # shellcheck disable=SC1090
    . "$conf_flags"
    flags=("${NGX_CONF_FLAGS[@]}")
    # conf_flags leave out the compiler flags: these are what Debian's
    # build of nginx used (dpkg-buildflags of bookworm, "nginx -V")
    cc_opt="-g -O2 -fstack-protector-strong -Wformat -Werror=format-security"
    cc_opt="$cc_opt -fPIC -Wdate-time -D_FORTIFY_SOURCE=2"
else
    flags=(--with-compat --with-http_ssl_module --with-http_v2_module
           --with-debug)
    cc_opt=
fi

flags+=(--with-cc-opt="$cc_opt -Wall -Wextra -Werror"
        --add-dynamic-module="$module_dir")

tree="$build/nginx"

bash "$module_dir/scripts/configure-nginx.sh" "$nginx_src" "$tree" \
     "$build/configure.log" "${flags[@]}"

make -s -C "$tree" -f objs/Makefile modules

# replace, never overwrite in place: a running nginx may have it mapped
cp "$tree/objs/ngx_http_prov_module.so" "$build/.ngx_http_prov_module.so.new"
mv -f "$build/.ngx_http_prov_module.so.new" "$build/ngx_http_prov_module.so"
echo "built $build/ngx_http_prov_module.so"
