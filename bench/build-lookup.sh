#!/bin/bash
# Usage: bench/build-lookup.sh NGINX_SRC BUILD_DIR
#
# Builds bench/lookup.c into BUILD_DIR/lookup: nginx (a full source tree,
# scripts/nginx-source.sh) configured in BUILD_DIR/nginx with the module
# compiled in and -O2 (no sanitizers), all of its objects linked with the
# program and fuzz/lib's configuration context, nginx.o with its main()
# renamed, as scripts/build-fuzz.sh links the fuzz targets: the lookups
# run the module's own code, nothing of it copied.

set -euo pipefail

nginx_src=$(cd "$1" && pwd)
build=$(mkdir -p "$2" && cd "$2" && pwd)
module_dir=$(cd "$(dirname "$0")/.." && pwd)
cc=${CC:-gcc}

cflags=(-O2 -g -fno-omit-frame-pointer)

# only what the module needs: a shorter build
flags=(--with-cc="$cc"
       --with-cc-opt="${cflags[*]}"
       --with-http_ssl_module
       --without-http_gzip_module
       --without-http_ssi_module
       --without-http_userid_module
       --without-http_autoindex_module
       --without-http_geo_module
       --without-http_map_module
       --without-http_split_clients_module
       --without-http_referer_module
       --without-http_proxy_module
       --without-http_fastcgi_module
       --without-http_uwsgi_module
       --without-http_scgi_module
       --without-http_grpc_module
       --without-http_memcached_module
       --without-http_limit_conn_module
       --without-http_limit_req_module
       --without-http_empty_gif_module
       --without-http_browser_module
       --without-http_upstream_hash_module
       --without-http_upstream_ip_hash_module
       --without-http_upstream_least_conn_module
       --without-http_upstream_random_module
       --without-http_upstream_keepalive_module
       --without-http_upstream_zone_module
       --add-module="$module_dir")

tree="$build/nginx"

bash "$module_dir/scripts/configure-nginx.sh" "$nginx_src" "$tree" \
     "$build/configure.log" "${flags[@]}"

make -s -C "$tree" -f objs/Makefile -j "$(nproc)" objs/nginx >&2

objs="$tree/objs"

objcopy --redefine-sym main=ngx_nginx_main "$objs/src/core/nginx.o" \
        "$build/nginx-nomain.o"

mapfile -t nginx_objs < <(find "$objs" -name '*.o' \
                               ! -path "$objs/src/core/nginx.o" | sort)

includes=()

for dir in src/core src/event src/event/modules src/os/unix src/http \
           src/http/modules objs
do
    includes+=(-I "$tree/$dir")
done

includes+=(-I "$module_dir/ngx_http_prov_module" -I "$module_dir/fuzz/lib")

ccflags=("${cflags[@]}" -Wall -Wextra -Werror -Wno-unused-parameter)

"$cc" "${ccflags[@]}" "${includes[@]}" -c "$module_dir/fuzz/lib/ngx_prov_fuzz.c" \
      -o "$build/lib-ngx_prov_fuzz.o"
"$cc" "${ccflags[@]}" "${includes[@]}" -c "$module_dir/bench/lookup.c" \
      -o "$build/lookup.o"
"$cc" -o "$build/lookup" "$build/lookup.o" "$build/lib-ngx_prov_fuzz.o" \
      "$build/nginx-nomain.o" "${nginx_objs[@]}" \
      -lcrypt -lpcre2-8 -lssl -lcrypto -lz -ldl -lpthread -llmdb

echo "built $build/lookup" >&2
