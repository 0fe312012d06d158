#!/bin/bash
# Usage: scripts/nginx-source.sh DIR
#
# Unpacks Debian's nginx source package (the nginx Debian's binary is built
# from, with Debian's patches applied) into DIR/nginx-<version> once and
# prints that path.  The main bookworm suite's deb-src entry goes into a list
# file of our own (as root); NGINX_DEB_VERSION picks the version.

set -euo pipefail

dir=${1:?usage: nginx-source.sh DIR}
# absolute: the unpacking below runs in DIR/download
dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
version=${NGINX_DEB_VERSION:-1.22.1-9+deb12u9}
upstream=${version%%-*}
tree=$dir/nginx-$upstream

if [ -f "$tree/.prov-source-$version" ]; then
    echo "$tree"
    exit 0
fi

list=/etc/apt/sources.list.d/prov-deb-src.sources

if ! apt-get source --print-uris -q "nginx=$version" >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "Debian's nginx source needs a deb-src entry; as root put" >&2
        echo "    Types: deb-src" >&2
        echo "    URIs: http://deb.debian.org/debian" >&2
        echo "    Suites: bookworm" >&2
        echo "    Components: main" >&2
        echo "into $list and run apt-get update" >&2
        exit 1
    fi

    cat > "$list" <<LIST
# ngx_http_prov_module: nginx's Debian source (make test-asan, make fuzz)
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
LIST
    apt-get update -q >&2
fi

bash "$(dirname "$0")/deps.sh" dpkg-dev

rm -rf "$tree" "$dir/download"
mkdir -p "$dir/download"

(
    cd "$dir/download"
    # as root apt warns that _apt cannot write here; the download is checked
    # against the signed .dsc all the same
    apt-get source -q --download-only "nginx=$version" >&2
    dpkg-source -x nginx_"$version".dsc "$tree" >&2
)

touch "$tree/.prov-source-$version"
echo "$tree"
