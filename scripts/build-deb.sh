#!/bin/bash
# Usage: scripts/build-deb.sh OUT_DIR
#
# Builds the Debian package libnginx-mod-http-prov (debian/) with
# `dpkg-buildpackage -b -us -uc` and leaves the .deb files, .changes and
# .buildinfo in OUT_DIR.  The build runs on a copy of the tree in
# OUT_DIR/src, since dpkg-buildpackage writes its results into the parent
# of the tree and debhelper its own files into debian/: the checkout and
# the folder around it stay as they were.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "$1" && cd "$1" && pwd)

source=$(cd "$top" && dpkg-parsechangelog -S Source)
version=$(cd "$top" && dpkg-parsechangelog -S Version)
upstream=${version%-*}

src="$out/src"
tree="$src/$source-$upstream"

excludes=(--exclude=./.git --exclude=./build --exclude=./build-deb
          --exclude='./t/servroot*'
          # debhelper's output, from a dpkg-buildpackage run in the checkout
          --exclude=./debian/build --exclude=./debian/.debhelper
          --exclude=./debian/files --exclude='./debian/*.substvars'
          --exclude='./debian/*.debhelper' --exclude='./debian/*.debhelper.log'
          --exclude=./debian/debhelper-build-stamp
          --exclude="./debian/$source" --exclude="./debian/$source-dbgsym")

# OUT_DIR inside the checkout (BUILD=./out): not copied into itself
case "$out/" in
    "$top"/*) excludes+=(--exclude="./${out#"$top"/}") ;;
esac

rm -rf "$src"
rm -f "$out/${source}"_*.deb "$out/${source}"-dbgsym_*.deb \
      "$out/${source}"_*.changes "$out/${source}"_*.buildinfo
mkdir -p "$tree"

tar -C "$top" "${excludes[@]}" -cf - . | tar -C "$tree" -xf -

(cd "$tree" && dpkg-buildpackage -b -us -uc)

mv "$src"/*.deb "$src"/*.changes "$src"/*.buildinfo "$out/"
rm -rf "$src"

echo "built:"
ls -l "$out"/*.deb
