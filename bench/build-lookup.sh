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

# scripts/minimal-nginx.sh: the modules left out
# shellcheck source=scripts/minimal-nginx.sh
. "$module_dir/scripts/minimal-nginx.sh"

flags=(--with-cc="$cc"
       --with-cc-opt="${cflags[*]}"
       "${ngx_prov_minimal_modules[@]}"
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
