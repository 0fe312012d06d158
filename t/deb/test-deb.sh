#!/bin/bash
# Usage: t/deb/test-deb.sh [libnginx-mod-http-prov_VERSION_ARCH.deb]
#
# As root (`make test-deb`): installs the Debian package, checks what it put
# in place (the module, its modules-available snippet, the modules-enabled
# link its postinst makes, the nginx ABI dependency, README and examples
# under /usr/share/doc), runs `nginx -t` on a throwaway configuration that
# loads /etc/nginx/modules-enabled/*.conf and uses the module's directives,
# runs /usr/sbin/prov-acl (a list imported, read back, changed; its man
# page), then removes and purges the package and checks that nginx no
# longer knows them and that nothing is left.
#
# Between install and removal it deploys examples/debian/prov.conf as an
# operator does, into Debian's real /etc/nginx, with Debian's nginx: the
# shell blocks of README.md marked "<!-- run: NAME -->" ("Deploy on
# Debian", "Operations") run as they stand, in README order (deploy(); the
# install block from this tree's README, every other from the README the
# package installed), and their "fetch" lines must answer what their
# comments promise (t/deb/readme.sh); the status block's counters are
# checked too.  The README's blocks are the list below ($blocks): a block
# added to or missing from README fails the test.  nginx: when no master
# runs (/run/nginx.pid), one is started before the site is loaded and
# stopped at the end; a running one is reloaded back to its configuration.
# Refused up front: the site's paths exist already (/etc/nginx/sites-*/prov,
# /etc/nginx/prov, /srv/prov, /var/lib/nginx-prov, /root/prov-trial,
# /var/log/nginx/prov.log), or /etc/nginx/nginx.conf fails `nginx -t`.
#
# Not a t/*.t file: it changes the system, and puts it back.  Packages apt
# had to install for the .deb (nginx on a machine without it) are purged
# again; a machine where the package is already installed is refused.
# Without an argument it builds the package first (`make deb`, which
# installs the build dependencies it lacks; those stay, as with `make`).
# Needs curl and openssl (`make test-deb` installs them).
#
# Any failure: a message, everything the deploy made removed, nginx back
# as it was, the package removed again, exit status 1.

set -euo pipefail

pkg=libnginx-mod-http-prov
so=/usr/lib/nginx/modules/ngx_http_prov_module.so
tool=/usr/sbin/prov-acl
manpage=/usr/share/man/man8/prov-acl.8.gz
available=/usr/share/nginx/modules-available/mod-http-prov.conf
enabled=/etc/nginx/modules-enabled/50-mod-http-prov.conf
nginx=/usr/sbin/nginx
doc=/usr/share/doc/$pkg

# the site as README deploys it: what it makes, and Debian's nginx
site_enabled=/etc/nginx/sites-enabled/prov
site_available=/etc/nginx/sites-available/prov
site_made=(/etc/nginx/prov /srv/prov /var/lib/nginx-prov /root/prov-trial
           /var/log/nginx/prov.log)
prov_log=/var/log/nginx/prov.log            # t/deb/readme.sh reads it
nginx_pid=/run/nginx.pid

# README.md's "<!-- run: NAME -->" blocks, in their order: install from
# this tree's README (the package is not there yet), the deploy, the
# operations, and the removal, which takes the place of a dpkg -r
blocks=(install site pki profiles list load fetch status
        add revoke pin reload upgrade remove)

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build}

# readme_block, readme_run
# shellcheck source=t/deb/readme.sh
. "$top/t/deb/readme.sh"

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

# what the package, its scripts and the deploy touch: names, types, modes,
# link targets
snapshot() {
    find /etc/nginx/modules-enabled /usr/share/nginx/modules-available \
        /usr/lib/nginx/modules /etc/nginx/sites-enabled \
        /etc/nginx/sites-available -mindepth 1 -printf '%p %y %m %l\n' 2>&1 \
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

# the deploy makes these, and removes them at the end: an operator's own
# would be lost
for f in "$site_enabled" "$site_available" "${site_made[@]}"; do
    if [ -e "$f" ] || [ -L "$f" ]; then
        echo "$0: $f exists: the README's deploy this test runs would" \
             "change it, and its end remove it; move it away first" >&2
        exit 1
    fi
done

for c in curl openssl; do
    command -v "$c" >/dev/null \
        || { echo "$0: $c not found (apt-get install $c)" >&2; exit 1; }
done

# the README's blocks, as this tree's README lists them
names=$(sed -n 's/^<!-- run: \([a-z0-9_-]*\) -->$/\1/p' "$top/README.md" \
        | tr '\n' ' ')
if [ "$names" != "${blocks[*]} " ]; then
    echo "$0: README.md's run blocks are \"$names\", this test runs" \
         "\"${blocks[*]}\": update \$blocks" >&2
    exit 1
fi

# a master of Debian's nginx (its pid file), running before the test
master() {
    local pid
    pid=$(cat "$nginx_pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

nginx_before=stopped
if master >/dev/null; then
    nginx_before=running
fi

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
elif [ -f /etc/nginx/nginx.conf ]; then
    echo "$0: nginx -t fails on /etc/nginx/nginx.conf: the deploy reloads" \
         "Debian's nginx; fix its configuration first" >&2
    exit 1
fi

installed_by_us=no
deployed=no
readme_block_name=

# nginx back as it was: a master this test started stopped, a running one
# reloaded (without the site, and once the package is gone, the module)
nginx_restore() {
    local pid
    pid=$(master) || return 0
    if [ "$nginx_before" = running ]; then
        "$nginx" -t -q && "$nginx" -s reload
        return
    fi
    if [ -d /run/systemd/system ]; then
        systemctl stop nginx
    else
        "$nginx" -s quit
    fi
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "# nginx $pid did not quit: TERM" >&2
    kill -TERM "$pid"
}

# what the deploy made, gone
undeploy() {
    rm -f "$site_enabled" "$site_available"
    rm -rf "${site_made[@]}"
}

cleanup() {
    status=$?
    set +e
    if [ -n "$readme_block_name" ] && [ -f "$tmp/readme.$readme_block_name.out" ]; then
        echo "# README block \"$readme_block_name\" failed; its output:" >&2
        sed 's/^/#   /' "$tmp/readme.$readme_block_name.out" >&2
    fi
    if [ "$deployed" = yes ]; then
        echo "# cleaning up after a failure: the site, nginx" >&2
        rm -f "$site_enabled"
        nginx_restore >&2
        undeploy
    fi
    if [ "$installed_by_us" = yes ]; then
        echo "# cleaning up after a failure: $final $pkg" >&2
        if [ "$final" = purge ]; then
            dpkg --purge "$pkg" >&2
        else
            dpkg -r "$pkg" >&2
        fi
    fi
    if [ "$deployed" = yes ] && [ "$nginx_before" = running ]; then
        nginx_restore >&2          # the module gone from the running master
    fi
    if [ -n "$new_packages" ]; then
        # shellcheck disable=SC2086
        apt-get purge -y -q $new_packages >&2
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT

# the README's blocks run in $tmp/tree, where ./build/deb/ holds the .deb
# under its own name (the install and upgrade blocks name it so); apt
# installs what the package needs without asking, as it would with -y
# (an operator answers its question)
mkdir -p "$tmp/tree/build/deb"
chmod -R 755 "$tmp/tree"
cp "$deb" "$tmp/tree/build/deb/"
printf 'APT::Get::Assume-Yes "true";\n' > "$tmp/apt.conf"
export APT_CONFIG=$tmp/apt.conf

# once the site is loaded: until Debian's nginx answers with it (a reload
# returns before the new workers run)
wait_for_site() {
    local code
    for _ in $(seq 100); do
        code=$(curl -sk --resolve prov.example.com:443:127.0.0.1 \
                   -o /dev/null -w '%{http_code}' \
                   https://prov.example.com/prov-status 2>/dev/null) || true
        [ "$code" = 200 ] && return 0
        sleep 0.1
    done
    fail "nginx does not answer https://prov.example.com/prov-status after the" \
         "README's load block (last status: ${code:-none})"
}

# deploy FILE NAME...: README's blocks NAME... of FILE, as they stand,
# in this shell (a block's functions and variables stay for the next ones:
# fetch, $doc, $fp), each followed by what the test does between them
deploy() {
    local file=$1 name
    shift
    for name in "$@"; do
        case $name in
            load)
                # the README's reload wants a running nginx ("with
                # Debian's nginx running"): start one if none runs
                if ! master >/dev/null; then
                    echo "# no nginx master runs: starting Debian's nginx"
                    if [ -d /run/systemd/system ]; then
                        systemctl start nginx
                    else
                        "$nginx"
                    fi
                    master >/dev/null || fail "nginx did not start"
                fi
                ;;
        esac
        readme_run "$file" "$name"
        case $name in
            load) wait_for_site ;;
        esac
    done
}

# install

step "installing $(basename "$deb")"
dpkg-deb -f "$deb" Package Version Depends

# a fresh machine: no package lists yet
if ! apt-get install -s -q "$local_deb" >/dev/null 2>&1; then
    apt-get update -q
fi
installed_by_us=yes
deployed=yes
cd "$tmp/tree"
deploy "$top/README.md" install

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

for f in "$doc/examples/debian/prov.conf" "$doc/examples/debian/trial-pki.sh" \
         "$doc/examples/cisco-spa.conf" "$doc/examples/demo/demo.sh" \
         "$doc/examples/fail2ban/filter.d/nginx-prov.conf"; do
    dpkg-query -L "$pkg" | grep -qx "$f" || fail "$f not in $pkg"
    [ -f "$f" ] || fail "$f missing"
done
[ -x "$doc/examples/debian/trial-pki.sh" ] \
    || fail "$doc/examples/debian/trial-pki.sh is not executable"
cmp -s "$doc/examples/debian/prov.conf" "$top/examples/debian/prov.conf" \
    || echo "# $doc/examples/debian/prov.conf differs from this tree's"
readme=$doc/README.md.gz
[ -f "$readme" ] || readme=$doc/README.md
[ -f "$readme" ] || fail "$doc/README.md(.gz) missing"
ok "README and examples in $doc ($(basename "$readme"), examples/debian/)"

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

# the deploy, as the installed README says, with Debian's nginx

# the error log's lines from here on are this test's
error_log=/var/log/nginx/error.log
error_pos=$(stat -c %s "$error_log" 2>/dev/null || echo 0)

step "README, Deploy on Debian: ${blocks[*]:1:7} ($readme)"
deploy "$readme" "${blocks[@]:1:7}"

status_out=$tmp/readme.status.out
for want in 'nginx_prov_requests_total{result="allow"} 1' \
            'nginx_prov_requests_total{result="uri_mismatch"} 2' \
            'nginx_prov_requests_total{result="unverified"} 1'; do
    grep -qxF "$want" "$status_out" \
        || fail "README block \"status\": no \"$want\": $(cat "$status_out")"
done
grep -q '^nginx_prov_acl_devices{file="lmdb:/var/lib/nginx-prov/devices.db"} 2$' \
    "$status_out" || fail "README block \"status\": no list of 2 devices"
ok "prov-status: 1 allow, 2 uri_mismatch, the impostor counted unverified, 2 devices listed"

if grep -q 'prov-status' "$prov_log"; then
    fail "$prov_log has the status scrapes: $(grep prov-status "$prov_log")"
fi
tail -c +$((error_pos + 1)) "$error_log" \
    | grep -q 'prov: access forbidden (unverified).* serial 6001,' \
    || fail "the impostor (serial 6001) is not in $error_log"

ok "the impostor in error.log, the scrapes not in $prov_log"

step "README, Operations: ${blocks[*]:8:5}"
deploy "$readme" "${blocks[@]:8:5}"

# remove, purge

step "README, Operations: remove (the site disabled, $pkg removed)"
deploy "$readme" remove

[ ! -e "$site_enabled" ] || fail "$site_enabled left by the README's remove block"
"$nginx" -t -q || fail "nginx -t on /etc/nginx/nginx.conf after the removal"
ok "the site disabled, nginx -t passes without $pkg"

nginx_restore || fail "nginx not back as it was ($nginx_before)"
if [ "$nginx_before" = stopped ]; then
    ! master >/dev/null || fail "the nginx this test started still runs"
    ok "the nginx this test started stopped"
else
    ok "the running nginx reloaded without the site and the module"
fi

undeploy
for f in "$site_enabled" "$site_available" "${site_made[@]}"; do
    if [ -e "$f" ] || [ -L "$f" ]; then
        fail "$f left after the deploy's removal"
    fi
done
deployed=no
ok "the site, its PKI, profiles, list and log removed"

[ ! -e "$so" ] || fail "$so left after the removal"
if [ -e "$enabled" ] || [ -L "$enabled" ]; then
    fail "$enabled left after the removal"
fi
[ ! -e "$tool" ] || fail "$tool left after the removal"
ok "removed: module, modules-enabled link and prov-acl gone"

if out=$("$nginx" -t -c "$tmp/nginx.conf" 2>&1); then
    fail "nginx -t still accepts prov after the removal"
fi
echo "$out" | grep -q 'unknown directive "prov"' \
    || { echo "$out" >&2; fail "nginx -t after the removal: not 'unknown directive'"; }
ok "nginx -t after the removal: unknown directive \"prov\""

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
ok "modules-enabled, modules-available, /usr/lib/nginx/modules, sites-* as before"

echo
echo "PASS: $n checks"
