#!/bin/bash
# Usage: scripts/nginx-configure.sh NGINX_SRC BUILD_DIR CONFIGURE_FLAG...
#
# Copies the nginx source tree NGINX_SRC to BUILD_DIR/nginx and runs its
# configure there with the flags (output in BUILD_DIR/configure.log), unless
# that copy was configured with the same source, flags and module config
# already; the source trees themselves are never written to.  Used by
# build-module.sh and build-asan.sh.

set -euo pipefail

nginx_src=$1
build=$2
shift 2

module_dir=$(cd "$(dirname "$0")/.." && pwd)

tree="$build/nginx"
stamp="$tree/.prov-configured"
# the module's config lists its sources: a change there needs configure
wanted="$nginx_src $* $(cksum < "$module_dir/config")"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    exit 0
fi

rm -rf "$tree"
mkdir -p "$tree"

# configure writes into the current folder: work on a copy
cp -a "$nginx_src/." "$tree/"

configure=./configure
if [ ! -x "$tree/configure" ]; then
    configure=auto/configure                    # a git checkout of nginx
fi

rm -rf "$tree/objs" "$tree/Makefile"

(cd "$tree" && $configure "$@") > "$build/configure.log" 2>&1 || {
    tail -30 "$build/configure.log" >&2
    echo "configure failed, see $build/configure.log" >&2
    exit 1
}

echo "$wanted" > "$stamp"
