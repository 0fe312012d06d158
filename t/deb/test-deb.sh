#!/bin/bash
# Usage: t/deb/test-deb.sh [libnginx-mod-http-prov_VERSION_ARCH.deb]
#
# As root (`make test-deb`): installs the Debian package, checks what it put
# in place (the module, its modules-available snippet, the modules-enabled
# link its postinst makes, the nginx ABI dependency), runs `nginx -t` on a
# throwaway configuration that loads /etc/nginx/modules-enabled/*.conf and
# uses the module's directives, runs /usr/sbin/prov-acl (a list imported,
# read back, changed; its man page), then removes and purges the package
# and checks that nginx no longer knows them and that nothing is left.
#
# Not a t/*.t file: it changes the system, and puts it back.  Packages apt
# had to install for the .deb (nginx on a machine without it) are purged
# again; a machine where the package is already installed is refused.
# Without an argument it builds the package first (`make deb`, which
# installs the build dependencies it lacks; those stay, as with `make`).
#
# Any failure: a message, the package removed again, exit status 1.

set -euo pipefail

pkg=libnginx-mod-http-prov
so=/usr/lib/nginx/modules/ngx_http_prov_module.so
tool=/usr/sbin/prov-acl
manpage=/usr/share/man/man8/prov-acl.8.gz
available=/usr/share/nginx/modules-available/mod-http-prov.conf
enabled=/etc/nginx/modules-enabled/50-mod-http-prov.conf
nginx=/usr/sbin/nginx

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}

export DEBIAN_FRONTEND=noninteractive

n=0
ok()   { n=$((n + 1)); echo "ok $n - $*"; }
fail() { echo "not ok $((n + 1)) - $*" >&2; exit 1; }
step() { echo; echo "# $*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "$0: installs and removes a Debian package: run it as root" >&2
    exit 1
fi

# the package to test

if [ $# -gt 0 ]; then
    deb=$(realpath "$1")
else
    step "building the package: make deb"
    make -C "$top" deb BUILD="$build"
    debs=("$build/deb/${pkg}_"*"_$(dpkg --print-architecture).deb")
    if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
        fail "make deb: expected one $pkg .deb in $build/deb"
    fi
    deb=${debs[0]}
fi

[ -f "$deb" ] || fail "$deb: no such file"
[ "$(dpkg-deb -f "$deb" Package)" = "$pkg" ] || fail "$deb: not $pkg"

# the machine before

state() {
    dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | tr -d ' ' \
        || true
}

installed_packages() {
    dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' \
        | awk '$1 == "ii" { print $2 }' | sort
}

# what the package and its scripts touch: names, types, modes, link targets
snapshot() {
    find /etc/nginx/modules-enabled /usr/share/nginx/modules-available \
        /usr/lib/nginx/modules -mindepth 1 -printf '%p %y %m %l\n' 2>&1 \
        | sort || true
}

case "$(state)" in
    ""|un|pn) final=purge ;;     # never installed, or purged
    rc)       final=remove ;;    # removed earlier: back to that state
    *)
        echo "$0: $pkg is installed ($(state)): this test would remove it;" \
             "dpkg -r $pkg first" >&2
        exit 1
        ;;
esac

# a module installed by hand (README, Installation) would be replaced, and
# then removed with the package
for f in "$so" "$enabled" "$tool"; do
    if [ -e "$f" ] || [ -L "$f" ]; then
        echo "$0: $f exists but $pkg is not installed (installed by hand?):" \
             "installing and purging $pkg would replace and remove it" >&2
        exit 1
    fi
done

tmp=$(mktemp -d /tmp/test-deb.XXXXXX)
chmod 755 "$tmp"                 # apt reads the .deb as _apt
cp "$deb" "$tmp/"
local_deb="$tmp/$(basename "$deb")"

before_packages=$(installed_packages)
before_files=$(snapshot)
new_packages=

system_conf_ok=no
if [ -f /etc/nginx/nginx.conf ] && "$nginx" -t -q 2>/dev/null; then
    system_conf_ok=yes
fi

installed_by_us=no

cleanup() {
    status=$?
    set +e
    if [ "$installed_by_us" = yes ]; then
        echo "# cleaning up after a failure: $final $pkg" >&2
        if [ "$final" = purge ]; then
            dpkg --purge "$pkg" >&2
        else
            dpkg -r "$pkg" >&2
        fi
    fi
    if [ -n "$new_packages" ]; then
        # shellcheck disable=SC2086
        apt-get purge -y -q $new_packages >&2
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT

# install

step "installing $(basename "$deb")"
dpkg-deb -f "$deb" Package Version Depends

install_it() {
    apt-get install -y -q --no-install-recommends "$local_deb"
}
installed_by_us=yes
if ! install_it; then
    apt-get update -q                # a fresh machine: no package lists yet
    install_it || fail "apt-get install $local_deb"
fi

[ "$(state)" = ii ] || fail "$pkg installed (dpkg status: $(state))"
ok "$pkg $(dpkg-query -W -f='${Version}' "$pkg") installed"

new_packages=$(comm -13 <(echo "$before_packages") <(installed_packages) \
               | grep -vx "$pkg" | tr '\n' ' ' || true)
[ -z "$new_packages" ] || echo "# installed as dependencies: $new_packages"

# what it put in place

[ -f "$so" ] || fail "$so missing"
ok "$so"

dpkg-query -L "$pkg" | grep -qx "$so" || fail "$so not listed in $pkg"
ok "$so belongs to $pkg"

[ "$(cat "$available" 2>/dev/null)" = \
  "load_module modules/ngx_http_prov_module.so;" ] \
    || fail "$available: $(cat "$available" 2>&1)"
ok "$available: $(cat "$available")"

if [ ! -L "$enabled" ] || [ "$(readlink "$enabled")" != "$available" ]; then
    fail "$enabled is not a link to $available"
fi
ok "$enabled -> $(readlink "$enabled")"

abi=$(dpkg-query -W -f='${Depends}' "$pkg" | grep -o 'nginx-abi-[^ ,]*' \
      || true)
[ -n "$abi" ] || fail "$pkg does not depend on an nginx-abi-* package"
dpkg-query -W -f='${Provides}' nginx 2>/dev/null | grep -qw -- "$abi" \
    || fail "the installed nginx does not provide $abi"
ok "depends on $abi, which nginx $(dpkg-query -W -f='${Version}' nginx) provides"

# prov-acl

[ -x "$tool" ] || fail "$tool missing"
dpkg-query -L "$pkg" | grep -qx "$tool" || fail "$tool not listed in $pkg"
ok "$tool belongs to $pkg"

dpkg-query -W -f='${Depends}' "$pkg" | grep -q 'liblmdb0' \
    || fail "$pkg does not depend on liblmdb0 (\${shlibs:Depends})"
ok "depends on liblmdb0"

[ -f "$manpage" ] || fail "$manpage missing"
dpkg-query -L "$pkg" | grep -qx "$manpage" || fail "$manpage not in $pkg"
if command -v groff >/dev/null; then
    out=$(zcat "$manpage" | groff -man -Tutf8 -ww -z 2>&1) \
        || fail "groff on $manpage: $out"
    [ -z "$out" ] || fail "groff warns on $manpage: $out"
fi
ok "$manpage"

step "$tool import, set, get, dump, stat"
db="$tmp/acl.mdb"
(umask 077 && printf '00:0E:08:AB:CD:EF allow account=1\n000e08abcd01 deny\n' \
    | "$tool" --serial 1 import "$db" -) || fail "$tool import"
[ "$(stat -c %a "$db")" = 644 ] && [ "$(stat -c %a "$db-lock")" = 664 ] \
    || fail "modes: $(stat -c '%n %a' "$db" "$db-lock")"
"$tool" set "$db" 000E.08AB.CD02 deny || fail "$tool set"
[ "$("$tool" get "$db" 00-0e-08-ab-cd-02)" = "000e08abcd02 deny" ] \
    || fail "$tool get"
[ "$("$tool" dump "$db")" = "000e08abcd01 deny
000e08abcd02 deny
000e08abcdef allow account=1" ] || fail "$tool dump: $("$tool" dump "$db")"
"$tool" stat "$db" | grep -qx 'devices 3' || fail "$tool stat"
status=0
printf 'set 000e08abcd03 allow\n' | "$tool" --serial 1 apply "$db" - \
    2>/dev/null || status=$?
[ "$status" -eq 4 ] || fail "$tool apply with an old serial: exit $status, not 4"
ok "$tool imports, sets, gets, dumps, refuses an old serial"

# nginx -t

# nginx's prefix stays Debian's (/usr/share/nginx), where "modules/" of
# the snippet's load_module is found
cat > "$tmp/nginx.conf" <<EOF
include /etc/nginx/modules-enabled/*.conf;

pid $tmp/nginx.pid;
error_log $tmp/error.log;

events {}

http {
    access_log off;

    server {
        listen 127.0.0.1:8443;

        prov on;
        prov_id ST mac;

        location / {
            return 204;
        }
    }
}
EOF

step "$nginx -t -c $tmp/nginx.conf"
out=$("$nginx" -t -c "$tmp/nginx.conf" 2>&1) || {
    echo "$out" >&2
    fail "nginx -t with the module enabled"
}
echo "$out"
echo "$out" | grep -q "test is successful" || fail "nginx -t: no success"
ok "nginx -t accepts prov on; prov_id ST mac; with the package's snippet"

if [ "$system_conf_ok" = yes ]; then
    out=$("$nginx" -t 2>&1) || {
        echo "$out" >&2
        fail "nginx -t on /etc/nginx/nginx.conf, which passed before"
    }
    ok "nginx -t on /etc/nginx/nginx.conf still passes with the module loaded"
fi

# remove, purge

step "dpkg -r $pkg"
dpkg -r "$pkg"

[ ! -e "$so" ] || fail "$so left after dpkg -r"
if [ -e "$enabled" ] || [ -L "$enabled" ]; then
    fail "$enabled left after dpkg -r"
fi
[ ! -e "$tool" ] || fail "$tool left after dpkg -r"
ok "dpkg -r: module, modules-enabled link and prov-acl gone"

if out=$("$nginx" -t -c "$tmp/nginx.conf" 2>&1); then
    fail "nginx -t still accepts prov after dpkg -r"
fi
echo "$out" | grep -q 'unknown directive "prov"' \
    || { echo "$out" >&2; fail "nginx -t after dpkg -r: not 'unknown directive'"; }
ok "nginx -t after dpkg -r: unknown directive \"prov\""

if [ "$final" = purge ]; then
    step "dpkg --purge $pkg"
    dpkg --purge "$pkg"
    [ -z "$(state)" ] || [ "$(state)" = un ] || [ "$(state)" = pn ] \
        || fail "$pkg not purged (dpkg status: $(state))"
    for f in "$enabled" "$enabled.removed" "$available" "$so"; do
        if [ -e "$f" ] || [ -L "$f" ]; then
            fail "$f left after purge"
        fi
    done
    ok "dpkg --purge: no file of $pkg left"
fi
installed_by_us=no

if [ -n "$new_packages" ]; then
    step "apt-get purge $new_packages"
    # shellcheck disable=SC2086
    apt-get purge -y -q $new_packages
    new_packages=
fi

# the machine after

[ "$(installed_packages)" = "$before_packages" ] \
    || fail "installed packages differ from before: $(diff \
            <(echo "$before_packages") <(installed_packages) | grep '^[<>]')"
ok "installed packages as before"

after_files=$(snapshot)
[ "$after_files" = "$before_files" ] \
    || fail "nginx module folders differ from before:
$(diff <(echo "$before_files") <(echo "$after_files"))"
ok "modules-enabled, modules-available, /usr/lib/nginx/modules as before"

echo
echo "PASS: $n checks"
