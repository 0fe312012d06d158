#!/bin/bash
# Usage: scripts/build-fuzz.sh NGINX_SRC BUILD_DIR TARGET...
#
# Builds the libFuzzer targets fuzz/<target>.c, with what they share
# (fuzz/lib/), into BUILD_DIR/<target>.
# nginx (a full source tree, e.g. from scripts/nginx-source.sh) is
# configured in BUILD_DIR/nginx with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, with the module compiled in, and each
# target is linked with all of its objects: nginx.o has its main()
# renamed, since libFuzzer brings its own.
# A target that says "#if !(NGX_HTTP_PROV_ACL_TOOL)" (fuzz/import.c) is
# built as prov-acl is, without nginx's tree: with
# -DNGX_HTTP_PROV_ACL_TOOL=1, the list's line format
# (ngx_http_prov_acl_line.c) and liblmdb; nginx is not built for such
# targets alone.

set -euo pipefail

nginx_src=$(cd "$1" && pwd)
build=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
module_dir=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -eq 0 ]; then
    echo "usage: build-fuzz.sh NGINX_SRC BUILD_DIR TARGET..." >&2
    exit 1
fi

if [ ! -x "$nginx_src/configure" ] && [ ! -x "$nginx_src/auto/configure" ]
then
    echo "$nginx_src: not an nginx source tree (no configure)" >&2
    exit 1
fi

sanitize=(-fsanitize=address -fsanitize=undefined -fno-sanitize-recover=all)
cflags=("${sanitize[@]}" -fsanitize=fuzzer-no-link -g -O1
        -fno-omit-frame-pointer)

# scripts/minimal-nginx.sh: the modules left out
# shellcheck source=scripts/minimal-nginx.sh
. "$module_dir/scripts/minimal-nginx.sh"

flags=(--with-cc=clang
       --with-cc-opt="${cflags[*]}"
       --with-ld-opt="${sanitize[*]}"
       "${ngx_prov_minimal_modules[@]}"
       --add-module="$module_dir")

# the targets built as prov-acl is, and those that need nginx
tool_targets=()
nginx_targets=()

for target in "$@"; do
    src="$module_dir/fuzz/$target.c"

    if [ ! -f "$src" ]; then
        echo "no fuzz target $src" >&2
        exit 1
    fi

    if grep -q '^#if !(NGX_HTTP_PROV_ACL_TOOL)' "$src"; then
        tool_targets+=("$target")
    else
        nginx_targets+=("$target")
    fi
done

ccflags=("${cflags[@]}" -Wall -Wextra -Werror -Wno-unused-parameter)

if [ ${#tool_targets[@]} -gt 0 ]; then
    toolflags=("${ccflags[@]}" -std=c99 -D_DEFAULT_SOURCE
               -DNGX_HTTP_PROV_ACL_TOOL=1
               -I "$module_dir/ngx_http_prov_module")
    tool_objs=()

    for src in "$module_dir/ngx_http_prov_module/ngx_http_prov_acl_line.c"
    do
        obj="$build/tool-$(basename "$src" .c).o"
        clang "${toolflags[@]}" -c "$src" -o "$obj"
        tool_objs+=("$obj")
    done

    for target in "${tool_targets[@]}"; do
        clang "${toolflags[@]}" -c "$module_dir/fuzz/$target.c" \
              -o "$build/$target.o"
        clang "${sanitize[@]}" -fsanitize=fuzzer -o "$build/$target" \
              "$build/$target.o" "${tool_objs[@]}" -llmdb
        echo "built $build/$target" >&2
    done
fi

if [ ${#nginx_targets[@]} -eq 0 ]; then
    exit 0
fi

tree="$build/nginx"

bash "$module_dir/scripts/configure-nginx.sh" "$nginx_src" "$tree" \
     "$build/configure.log" "${flags[@]}"

make -s -C "$tree" -f objs/Makefile -j "$(nproc)" objs/nginx >&2

objs="$tree/objs"

objcopy --redefine-sym main=ngx_nginx_main "$objs/src/core/nginx.o" \
        "$build/nginx-nomain.o"

mapfile -t nginx_objs < <(find "$objs" -name '*.o' \
                               ! -path "$objs/src/core/nginx.o" | sort)

libs=(-lcrypt -lpcre2-8 -lssl -lcrypto -lz -ldl -lpthread -llmdb)
includes=()

for dir in src/core src/event src/event/modules src/os/unix src/http \
           src/http/modules objs
do
    includes+=(-I "$tree/$dir")
done

includes+=(-I "$module_dir/ngx_http_prov_module" -I "$module_dir/fuzz/lib")

# what the targets share: fuzz/lib/
lib_objs=()

for src in "$module_dir"/fuzz/lib/*.c; do
    obj="$build/lib-$(basename "$src" .c).o"
    clang "${ccflags[@]}" "${includes[@]}" -c "$src" -o "$obj"
    lib_objs+=("$obj")
done

for target in "${nginx_targets[@]}"; do
    src="$module_dir/fuzz/$target.c"

    clang "${ccflags[@]}" "${includes[@]}" -c "$src" -o "$build/$target.o"

    clang "${sanitize[@]}" -fsanitize=fuzzer -o "$build/$target" \
          "$build/$target.o" "${lib_objs[@]}" "$build/nginx-nomain.o" \
          "${nginx_objs[@]}" "${libs[@]}"

    echo "built $build/$target" >&2
done
