#!/bin/bash
# Usage: scripts/configure-nginx.sh NGINX_SRC TREE LOG CONFIGURE_ARGS...
#
# Configures a copy of the nginx source tree NGINX_SRC in TREE (configure
# writes into its current folder: never into the source tree itself),
# with CONFIGURE_ARGS, its output in LOG.  Nothing is done when TREE was
# configured so already; a change of the arguments, of the source tree
# or of the module's config (its list of sources) configures it again.

set -euo pipefail

nginx_src=$1
tree=$2
log=$3
shift 3
module_dir=$(cd "$(dirname "$0")/.." && pwd)

stamp="$tree/.prov-configured"
wanted="$nginx_src $* $(cksum < "$module_dir/config")"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    exit 0
fi

rm -rf "$tree"
mkdir -p "$tree"

cp -a "$nginx_src/." "$tree/"

configure=./configure
if [ ! -x "$tree/configure" ]; then
    configure=auto/configure                    # a git checkout of nginx
fi

rm -rf "$tree/objs" "$tree/Makefile"

(cd "$tree" && $configure "$@") > "$log" 2>&1 || {
    tail -30 "$log" >&2
    echo "configure failed, see $log" >&2
    exit 1
}

echo "$wanted" > "$stamp"
