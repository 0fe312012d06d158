#!/bin/bash
# Usage: NGINX_SUITE=suite [NGINX_PCRE1=1] [NGINX_SUITE_SRC=tree] \
#            scripts/build-nginx.sh BUILD_DIR
#
# Builds the nginx of a Debian suite, BUILD_DIR/sbin/nginx, from that
# suite's nginx source package (scripts/nginx-source.sh: bullseye 1.18,
# bookworm 1.22, trixie 1.26, sid), configured as Debian's debian/rules
# configures its nginx binary, then the module against it,
# BUILD_DIR/ngx_http_prov_module.so (scripts/build-module.sh, with the
# module's -Wall -Wextra -Werror), for `make test NGINX_SUITE=...` and
# `make demo NGINX_SUITE=...`.  Both are kept in BUILD_DIR and built again
# only when the source, the flags or the module change.
#
# The configure flags are Debian's own (bin_configure_flags, or
# core_configure_flags in bullseye's rules, where nginx-core is the
# "nginx" binary): the paths, --with-compat, --with-debug, the DAV module
# and the other static http modules, and Debian's compiler and linker
# flags, except
#   - the =dynamic modules (geoip, image filter, perl, xslt, mail, stream)
#     and the mail/stream options that only matter with them: they need
#     libraries the module does not use, and nothing in t/ loads them;
#   - -Wno-deprecated-declarations for nginx's own files: nginx
#     older than 1.21 (bullseye's 1.18) calls OpenSSL functions that
#     OpenSSL 3 deprecates, and nginx's configure adds -Werror;
#   - NGINX_PCRE1=1 adds --without-pcre2 (nginx 1.21.5 and later; 1.18
#     only knows PCRE1): the old PCRE library, as an nginx built on
#     Ubuntu 22.04 or Debian 11 has it.
# The module is configured with the same flags, so that it is binary
# compatible with that nginx (--with-compat), PCRE1 or 2 alike.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(mkdir -p "$1" && cd "$1" && pwd)
suite=${NGINX_SUITE:?NGINX_SUITE: bullseye, bookworm, trixie or sid}

pcre=libpcre2-dev
if [ "$suite" = bullseye ] || [ -n "${NGINX_PCRE1:-}" ]; then
    pcre=libpcre3-dev
fi

bash "$root/scripts/deps.sh" gcc make dpkg-dev libssl-dev "$pcre" \
    zlib1g-dev liblmdb-dev

if [ -n "${NGINX_SUITE_SRC:-}" ]; then
    # another nginx tree with a suite's debian/ folder beside its sources
    # (e.g. an upstream release the archive does not serve, with the
    # debian/ of the suite whose flags it should be built with)
    src=$(cd "$NGINX_SUITE_SRC" && pwd)
else
    src=$(NGINX_SUITE=$suite bash "$root/scripts/nginx-source.sh" \
              "$root/build/src")
fi

rules_var=bin_configure_flags
if ! grep -q '^bin_configure_flags' "$src/debian/rules"; then
    rules_var=core_configure_flags
fi

# Debian's flags, as its debian/rules spells them (one word a flag; the
# quoted --with-cc-opt/--with-ld-opt values are dropped, words that do not
# start with "--" are their pieces)
read -r -a debian_flags < <(
    make -s --no-print-directory -C "$src" -f debian/rules \
        --eval "prov-print-flags: ; @echo \$(filter-out --with-cc-opt=% --with-ld-opt=% %=dynamic --with-mail% --with-stream%,\$(filter --%,\$($rules_var)))" \
        prov-print-flags
)

if [ ${#debian_flags[@]} -lt 10 ]; then
    echo "could not read the configure flags from $src/debian/rules" >&2
    exit 1
fi

# Debian's compiler and linker flags (dpkg-buildflags, hardening=+all)
read -r cc_opt ld_opt < <(
    DEB_BUILD_MAINT_OPTIONS=hardening=+all \
    make -s --no-print-directory -C "$src" -f debian/rules \
        --eval 'prov-print-cc: ; @echo "$(subst $(eval) ,:,$(debian_cflags)) $(subst $(eval) ,:,$(debian_ldflags))"' \
        prov-print-cc
)
cc_opt=${cc_opt//:/ }
ld_opt=${ld_opt//:/ }

case " ${debian_flags[*]} " in
*" --with-compat "*) ;;
*) debian_flags+=(--with-compat) ;;
esac

if [ -n "${NGINX_PCRE1:-}" ] && [ "$suite" != bullseye ]; then
    debian_flags+=(--without-pcre2)
fi

bash "$root/scripts/configure-nginx.sh" "$src" "$build/nginx-bin" \
     "$build/configure-bin.log" "${debian_flags[@]}" \
     --with-cc-opt="$cc_opt -Wno-deprecated-declarations" \
     --with-ld-opt="$ld_opt"

echo "building nginx $(basename "$src") of $suite in $build" >&2
make -s -C "$build/nginx-bin" -f objs/Makefile -j"$(nproc)" binary >&2

mkdir -p "$build/sbin"

if ! cmp -s "$build/nginx-bin/objs/nginx" "$build/sbin/nginx"; then
    # replace, never overwrite in place: a running nginx may have it mapped
    cp "$build/nginx-bin/objs/nginx" "$build/sbin/.nginx.new"
    mv -f "$build/sbin/.nginx.new" "$build/sbin/nginx"
fi

# the module: the same flags, in the form of Debian's nginx-dev conf_flags
printf 'NGX_CONF_FLAGS=( %s )\n' "${debian_flags[*]}" > "$build/conf_flags"

bash "$root/scripts/build-module.sh" "$src" "$build" "$build/conf_flags"

echo "$build/sbin/nginx: $("$build/sbin/nginx" -v 2>&1)"
