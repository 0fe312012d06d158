#!/bin/bash
# Usage: scripts/build-asan.sh BUILD_DIR [SOURCE_DIR]
#
# Builds a whole nginx, BUILD_DIR/sbin/nginx, from Debian's nginx source
# package (scripts/nginx-source.sh: the version and patches of Debian's
# binary) with this module compiled in (--add-module) and AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer in every object, for
# `make test-asan`.
#
# The configure flags are Debian's own, read from the source package's
# debian/rules (bin_configure_flags: paths, --with-debug, the static http
# modules), except
#   - --with-cc-opt / --with-ld-opt: the sanitizers instead of Debian's
#     hardening flags (_FORTIFY_SOURCE does not mix with ASan's own checks
#     of the same functions, and -O2 hides frames from the reports);
#   - the =dynamic modules (geoip, image filter, perl, xslt, mail, stream)
#     and the mail/stream options that only matter with them: they need
#     libraries the module does not use, and nothing in t/ loads them.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(mkdir -p "$1" && cd "$1" && pwd)
srcdir=${2:-$root/build/src}

# clang, not gcc: with clang, ASan, LSan and UBSan are one runtime that
# honours log_path for every report (gcc's separate libubsan writes its
# reports to stderr, which nginx sends into error.log); the runtime is
# only a Recommends of clang's packages
bash "$root/scripts/deps.sh" clang libclang-rt-14-dev make dpkg-dev \
    libssl-dev libpcre2-dev zlib1g-dev liblmdb-dev

src=$(bash "$root/scripts/nginx-source.sh" "$srcdir")

# Debian's flags, as its debian/rules spells them (one word a flag; the
# quoted --with-cc-opt/--with-ld-opt values are dropped, words that do not
# start with "--" are their pieces)
read -r -a debian_flags < <(
    make -s --no-print-directory -C "$src" -f debian/rules \
        --eval 'prov-print-flags: ; @echo $(filter-out --with-cc-opt=% --with-ld-opt=% %=dynamic --with-mail% --with-stream%,$(filter --%,$(bin_configure_flags)))' \
        prov-print-flags
)

if [ ${#debian_flags[@]} -lt 10 ]; then
    echo "could not read the configure flags from $src/debian/rules" >&2
    exit 1
fi

sanitize="-fsanitize=address,undefined -fno-omit-frame-pointer"

# NGX_DEBUG_PALLOC: every ngx_palloc() is a malloc() of its own (nginx's
# ngx_palloc_large()), so that ASan sees each pool allocation with its own
# red zones; otherwise an overflow inside a pool block goes unnoticed
flags=("${debian_flags[@]}"
       --with-cc=clang
       --with-cc-opt="$sanitize -g -O1 -DNGX_DEBUG_PALLOC=1"
       --with-ld-opt="$sanitize"
       --add-module="$root")

tree="$build/nginx"

bash "$root/scripts/configure-nginx.sh" "$src" "$tree" "$build/configure.log" \
     "${flags[@]}"

make -s -C "$tree" -f objs/Makefile -j"$(nproc)" binary

mkdir -p "$build/sbin"

# replace, never overwrite in place: a running nginx may have it mapped
cp "$tree/objs/nginx" "$build/sbin/.nginx.new"
mv -f "$build/sbin/.nginx.new" "$build/sbin/nginx"
echo "built $build/sbin/nginx"
