#!/bin/bash
# Usage: examples/demo/demo.sh [--keep]           (make demo, make demo-keep)
#
# (The nginx binary is NGINX_BIN: nginx itself reads $NGINX, for sockets
# inherited across a binary upgrade, and would then not daemonize.)
#
# Makes a throwaway PKI with Cisco-SPA-shaped device certificates, writes
# per-device profiles and the access list, which prov-acl (PROV_ACL, built
# by make into build/) imports into an LMDB database, starts nginx with the
# module on 127.0.0.1:$PORT, then fetches as devices would (curl with each
# device's certificate) and prints each outcome beside the access-log line
# it produced.  Then it revokes a device without reload: the device fetches,
# "prov-acl set ... deny", the same device is refused, "prov-acl set ...
# allow", it is served again, and nginx's master and worker pids are the
# same before and after.  Exits 0 only when every outcome is the expected
# one.  Stops the nginx it started, unless --keep: then it leaves it running
# and prints the curl and prov-acl lines to try.

set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/examples/demo"

nginx=${NGINX_BIN:-/usr/sbin/nginx}
module=${MODULE:-$root/build/ngx_http_prov_module.so}
prov_acl=${PROV_ACL:-${BUILD:-$root/build}/prov-acl}
dir=${DEMO_DIR:-${BUILD:-$root/build}/demo}
port=${PORT:-8443}
keep=no

[ "${1:-}" = "--keep" ] && keep=yes

if [ ! -x "$prov_acl" ]; then
    echo "$0: $prov_acl not found: make builds it" >&2
    exit 1
fi

if [ -f "$dir/nginx.pid" ] && kill -0 "$(cat "$dir/nginx.pid")" 2>/dev/null
then
    echo "stopping the demo nginx left running earlier"
    "$nginx" -p "$dir" -c "$dir/nginx.conf" -s stop || true
    sleep 0.5
fi

rm -rf "$dir"
mkdir -p "$dir/logs" "$dir/tmp" "$dir/profiles/devices"

echo "== a throwaway PKI in $dir/pki"
bash "$root/t/pki/make-pki.sh" "$dir/pki" >/dev/null

# each device's own profile: its SIP account, which nobody else may read
for dev in 000e08abcdef:1042 000e08abcdf0:1043 000e08abcd10:1044; do
    mac=${dev%%:*} account=${dev##*:}
    cat > "$dir/profiles/devices/$mac.cfg" <<PROFILE
<flat-profile>
  <User_ID_1_>$account</User_ID_1_>
  <Password_1_>secret-of-$mac</Password_1_>
</flat-profile>
PROFILE
done

mkdir -p "$dir/profiles/bootstrap"
cat > "$dir/profiles/bootstrap/upgrade.cfg" <<'PROFILE'
<flat-profile>
  <Upgrade_Rule>https://prov.example.com/firmware/spa962-7.6.2.bin</Upgrade_Rule>
</flat-profile>
PROFILE

# the provider's word on each device
cat > "$dir/devices.acl" <<'ACL'
# id              action
000e08abcdef      allow   account=1042
00:0E:08:AB:CD:F0 allow   account=1043
000e08abcd10      deny    # reported stolen
ACL

# the list nginx reads: an LMDB database, changed while nginx serves
echo "== the access list into $dir/devices.db"
echo "   \$ prov-acl import devices.db devices.acl"
"$prov_acl" import "$dir/devices.db" "$dir/devices.acl"
echo "   \$ prov-acl stat devices.db"
"$prov_acl" stat "$dir/devices.db" | sed 's/^/   /'

sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@MODULE@|$module|g" \
    "$here/nginx.conf" > "$dir/nginx.conf"

"$nginx" -t -q -p "$dir" -c "$dir/nginx.conf"
"$nginx" -p "$dir" -c "$dir/nginx.conf"

stop() {
    "$nginx" -p "$dir" -c "$dir/nginx.conf" -s stop 2>/dev/null || true
}

[ $keep = yes ] || trap stop EXIT

echo "== nginx with ngx_http_prov_module on https://127.0.0.1:$port/"
echo

url="https://localhost:$port"
resolve="--resolve localhost:$port:127.0.0.1"
failed=0

# fetch EXPECTED_STATUS DESCRIPTION CERT_NAME|- PATH
fetch() {
    local expected=$1 what=$2 cert=$3 path=$4 tls=() status lines before

    if [ "$cert" != - ]; then
        tls=(--cert "$dir/pki/$cert.crt" --key "$dir/pki/$cert.key")
    fi

    before=$(wc -l < "$dir/logs/access.log" 2>/dev/null || echo 0)

    status=$(curl -s -o "$dir/body" -w '%{http_code}' $resolve \
                  --cacert "$dir/pki/server-ca.crt" "${tls[@]}" \
                  "$url$path" || true)

    # the log line is written as the request ends, just after the reply
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        lines=$(wc -l < "$dir/logs/access.log" 2>/dev/null || echo 0)
        [ "$lines" -gt "$before" ] && break
        sleep 0.1
    done

    if [ "$status" = "$expected" ]; then
        printf '  ok    %-58s %s\n' "$what" "$status"
    else
        printf '  FAIL  %-58s %s, expected %s\n' "$what" "$status" "$expected"
        failed=$((failed + 1))
    fi

    if [ "$lines" -gt "$before" ]; then
        printf '        log: %s\n' "$(tail -n 1 "$dir/logs/access.log")"
    else
        printf '        log: (no line: refused by TLS before HTTP)\n'
    fi

    if [ "$status" = 200 ]; then
        printf '        got: %s\n' \
            "$(grep -o -e 'User_ID_1_>[0-9][0-9]*' -e 'Upgrade_Rule>[^<][^<]*' \
                    "$dir/body")"
    fi
}

fetch 200 "SPA-962 000e08abcdef fetches its own profile" dev-a   /spa962_000e08abcdef.cfg
fetch 200 "SPA-962 000e08abcdf0 fetches its own profile" dev-b   /spa962_000e08abcdf0.cfg
fetch 403 "000e08abcdef asks for 000e08abcdf0's profile" dev-a   /spa962_000e08abcdf0.cfg
fetch 403 "000e08abcdef asks for 000e08abcdf0's file itself" dev-a /devices/000e08abcdf0.cfg
fetch 200 "000e08abcdef asks for its own file itself"   dev-a   /devices/000e08abcdef.cfg
fetch 403 "a device the list does not name"              multi-rdn /spa962.cfg
fetch 403 "a device the list denies (stolen)"            ou-inject /spa962.cfg
fetch 200 "pre-2.0 device, generic certificate: bootstrap" generic /spa962.cfg
fetch 403 "a browser without a certificate"              -       /spa962.cfg
fetch 403 "a certificate whose ST is ../000e08abcdf0"    dotdot  /spa962.cfg
fetch 403 "a's MAC in a certificate of another CA"       rogue-a /spa962.cfg
fetch 403 "a's certificate, expired (2020-2021)"         expired-a /spa962.cfg

# nginx's master and worker pids: "master 1234, worker 1235"
pids() {
    local m
    m=$(cat "$dir/nginx.pid")
    echo "master $m, worker$(cat /proc/"$m"/task/*/children 2>/dev/null \
                               | tr ' ' '\n' | sed '/^$/d' | sort -n \
                               | paste -sd, | sed 's/,/, /g; s/^/ /')"
}

# acl ARGS...: prov-acl on the demo's list, shown as typed
acl() {
    echo "        \$ prov-acl $*"
    if ! "$prov_acl" "$1" "$dir/devices.db" "${@:3}" 2>&1 \
            | sed 's/^/          /'; then
        echo "  FAIL  prov-acl $1 failed"
        failed=$((failed + 1))
    fi
}

echo
echo "== revoking a device while nginx serves: no reload"
echo
before=$(pids)
echo "  nginx: $before"
fetch 200 "000e08abcdef fetches its own profile"        dev-a /spa962_000e08abcdef.cfg
acl set devices.db 00:0E:08:AB:CD:EF deny
fetch 403 "000e08abcdef, now denied, is refused"        dev-a /spa962_000e08abcdef.cfg
acl set devices.db 00:0E:08:AB:CD:EF allow account=1042
acl get devices.db 00:0E:08:AB:CD:EF
fetch 200 "000e08abcdef, allowed again, is served"      dev-a /spa962_000e08abcdef.cfg
after=$(pids)
if [ "$after" = "$before" ]; then
    echo "  nginx: $after (the same processes: no reload, no restart)"
else
    echo "  FAIL  nginx: $after (was $before)"
    failed=$((failed + 1))
fi

echo
echo "refusals in the error log:"
grep 'prov: access forbidden' "$dir/logs/error.log" | sed 's/^/  /' \
    | cut -c1-160

echo
echo "the gate's counters (prov_status, not in access.log):"
echo "  \$ curl $url/prov-status"
curl -s $resolve --cacert "$dir/pki/server-ca.crt" "$url/prov-status" \
    | sed 's/^/  /'
echo

if [ $keep = yes ]; then
    cat <<HINT

nginx keeps running ($dir). Try:
  curl $resolve --cacert $dir/pki/server-ca.crt \\
       --cert $dir/pki/dev-a.crt --key $dir/pki/dev-a.key $url/spa962.cfg
  curl $resolve --cacert $dir/pki/server-ca.crt $url/spa962.cfg
  $prov_acl set $dir/devices.db 00:0E:08:AB:CD:EF deny
  $prov_acl dump $dir/devices.db
Stop it with:
  $nginx -p $dir -c $dir/nginx.conf -s stop
HINT
fi

echo
if [ $failed -ne 0 ]; then
    echo "demo: $failed outcome(s) not as expected"
    exit 1
fi

echo "demo: every outcome as expected"
