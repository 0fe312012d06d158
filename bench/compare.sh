#!/bin/bash
# Usage: bench/compare.sh                                       (make bench)
#
# The module against what operators run without it, side by side in one
# run, on the same machine, certificates and 4 KB profile:
#
#   floor    stock nginx serving the profile, ssl_verify_client on, no gating
#   map      stock nginx, the "no module" config: a regex map on
#            $ssl_client_s_dn, an ACL map, if, try_files
#   prov     the module: prov on, prov_id ST mac, prov_acl, prov_profile
#   prov-M   the same for a mixed fleet: three prov_id rules, each pinned
#            to its CAs with issuer= (the device's CA in the third),
#            prov_ua_id with the branch-reset regex of
#            examples/mixed-fleet.conf, and "pcre_jit on;" as it has it
#   prov-MN  prov-M without pcre_jit, Debian's default (callgrind only)
#   prov-L   the same with an access list of ACL_LARGE devices (10^7)
#   prov-D   the same list in LMDB: prov_acl lmdb:PATH, imported with
#            prov-acl (build/prov-acl) at the start, the import timed
#   apache   Debian's apache2, mod_ssl SSLVerifyClient require, mod_rewrite
#            on %{SSL:SSL_CLIENT_S_DN_ST}
#
# Figures: keep-alive requests/s with a client certificate (ab -k -E, TLS
# 1.2, one server process pinned to one core, ab on the other; every
# request of every server sends the User-Agent of a Cisco SPA naming the
# device, BENCH_UA), full
# mutual-TLS handshakes/s without keep-alive or resumption (ECDSA P-256 and
# RSA-2048 server keys), the server's CPU time per request (schedstat),
# system calls per request (strace -c, where strace is installed),
# instructions per request of the nginx worker on an established keep-alive
# connection and on HTTP/2 streams (callgrind: whether the certificate's
# subject is read once per connection), peak RSS.  Rounds alternate between
# the servers; the tables give medians, the targets the median of the
# per-round ratios.
#
# Writes bench/results/compare.md (raw figures in $BENCH_DIR/results.tsv).
# Takes about 7 minutes on 2 cores.  Every server it starts is stopped by
# bench/lib.sh's stop_server (SIGTERM, repeated, then SIGKILL: a server that
# needs SIGKILL fails the run), also on an error or Ctrl-C; every client
# step runs under timeout(1), the whole run under BENCH_LIMIT.  Fails when
# a benchmark breaks, or when a kept-alive request through the module costs
# more than KA_MAX_OVER_FLOOR instructions above the floor's, or one through
# prov-M more than MIXED_MAX_OVER_PROV above one through prov.
#
# QUICK=1 (make bench QUICK=1, in CI): 3 rounds of 1 s, 10^5 devices in the
# large list, no Apache, callgrind on the floor, the module, the mixed
# fleet's (with and without pcre_jit) and the LMDB list only (100 and 600
# requests, 10 and 30 connections); about 2 minutes, its
# report in $BENCH_DIR/compare.md.  The LMDB list's kept-alive request is
# gated too, at LMDB_MAX_OVER_FLOOR instructions above the floor's (the
# connection keeps an allow while nothing is committed: no commit happens
# during the callgrind runs; a lookup, mdb_get's B-tree search, is some
# 2,100 instructions at 10^5 devices: bench/acl-lmdb.sh times it).
# Knobs (environment; QUICK=1 changes the defaults):
#   ROUNDS=9  KA_SECONDS=2  HS_SECONDS=2  KA_CONC="1 4"  HS_CONC=4
#   ACL_SMALL=1e3  ACL_LARGE=1e7  CG_ACL_LARGE=1e6  CG_REQUESTS="100 1100"
#   CG_CONNECTIONS="10 60"
#   CG_KINDS="floor map prov prov-M prov-MN prov-CL prov-D"
#   SERVER_CPU=0  CLIENT_CPU=1  NO_APACHE=1  NO_CALLGRIND=1  NO_STRACE=1
#   BENCH_PORT=18800 (ports BENCH_PORT to BENCH_PORT+13)
#   BENCH_LIMIT=5400 (seconds; QUICK: 600)  KA_MAX_OVER_FLOOR=3000
#   LMDB_MAX_OVER_FLOOR=3000  MIXED_MAX_OVER_PROV=1000
#   BENCH_UA="Cisco/SPA962-6.1.5(a) (000E08ABCDEF)(CBT141400UK)"
#   BENCH_NOTE="..." (a sentence for the report: what else ran)

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
nginx=${NGINX_BIN:-/usr/sbin/nginx}
apache=${APACHE_BIN:-/usr/sbin/apache2}
apache_modules=${APACHE_MODULES:-/usr/lib/apache2/modules}
module=${MODULE:-$root/build/ngx_http_prov_module.so}
build=${BUILD:-$root/build}
work=${BENCH_DIR:-$build/bench-compare}
quick=${QUICK:-}
[ "$quick" != 0 ] || quick=

. "$root/bench/lib.sh"

num() { perl -e 'printf "%d", $ARGV[0]' "$1"; }

if [ -n "$quick" ]; then
    out=${BENCH_OUT:-$work/compare.md}
    rounds=${ROUNDS:-3}
    ka_seconds=${KA_SECONDS:-1}
    hs_seconds=${HS_SECONDS:-1}
    acl_large=$(num "${ACL_LARGE:-1e5}")
    cg_acl_large=$acl_large
    cg_default_kinds="floor prov prov-M prov-MN prov-D"
    cg_default_requests="100 600"
    cg_default_connections="10 30"
    NO_APACHE=1
    limit_default=600
else
    out=${BENCH_OUT:-$root/bench/results/compare.md}
    rounds=${ROUNDS:-9}
    ka_seconds=${KA_SECONDS:-2}
    hs_seconds=${HS_SECONDS:-2}
    acl_large=$(num "${ACL_LARGE:-1e7}")
    cg_acl_large=$(num "${CG_ACL_LARGE:-1e6}")
    cg_default_kinds="floor map prov prov-M prov-MN prov-CL prov-D"
    cg_default_requests="100 1100"
    cg_default_connections="10 60"
    limit_default=5400
fi
ka_conc=${KA_CONC:-"1 4"}
hs_conc=${HS_CONC:-4}
acl_small=$(num "${ACL_SMALL:-1e3}")
cg_kinds=${CG_KINDS:-$cg_default_kinds}
read -r cg_n1 cg_n2 <<< "${CG_REQUESTS:-$cg_default_requests}"
read -r cg_c1 cg_c2 <<< "${CG_CONNECTIONS:-$cg_default_connections}"
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
base_port=${BENCH_PORT:-18800}
ka_max=${KA_MAX_OVER_FLOOR:-3000}
lmdb_max=${LMDB_MAX_OVER_FLOOR:-3000}
mixed_max=${MIXED_MAX_OVER_PROV:-1000}
# what a Cisco SPA sends (the model, firmware, its MAC, its serial): prov-M
# checks the MAC against the certificate's, the others ignore it
ua=${BENCH_UA:-"Cisco/SPA962-6.1.5(a) (000E08ABCDEF)(CBT141400UK)"}
# prov-M's prov_ua_id: examples/mixed-fleet.conf's regex (README.md's)
ua_regex='(?i)(?|^Cisco[/-]\S* \((?<id>[0-9a-f]{12})\)|^Yealink .* (?<id>[0-9a-f]{2}(?::[0-9a-f]{2}){5})$|^(?=.*snom).* (?<id>[0-9a-f]{12})\)?$|DevId (?<id>[0-9a-f]{12})|MAC:(?<id>[0-9a-f]{12}|[0-9a-f]{2}(?:-[0-9a-f]{2}){5}))'
prov_acl=${PROV_ACL:-$build/prov-acl}

started=$(date +%s)
tsv=$work/results.tsv
load_start=$(cut -d' ' -f1 /proc/loadavg)

for tool in ab taskset perl timeout curl openssl; do
    command -v "$tool" > /dev/null || { echo "$0: $tool not found" >&2; exit 1; }
done
[ -n "${NO_APACHE:-}" ] || [ -x "$apache" ] \
    || { echo "$0: $apache not found (NO_APACHE=1 to skip)" >&2; exit 1; }
[ -n "${NO_CALLGRIND:-}" ] || command -v valgrind > /dev/null \
    || { echo "$0: valgrind not found (NO_CALLGRIND=1 to skip)" >&2; exit 1; }
[ -n "${NO_STRACE:-}" ] || command -v strace > /dev/null \
    || { echo "$0: strace not found (NO_STRACE=1 to skip)" >&2; exit 1; }
[ -f "$module" ] || { echo "$0: $module not found: make module" >&2; exit 1; }
[ -x "$prov_acl" ] || { echo "$0: $prov_acl not found: make tool" >&2; exit 1; }
if [ "$(nproc)" -lt 2 ]; then
    echo "$0: needs 2 cores (server and client each on its own)" >&2
    exit 1
fi

log() { bench_log "$@"; }

# the traps stop every server still running, on any exit; the watchdog ends
# a run that takes longer than BENCH_LIMIT
bench_start "${BENCH_LIMIT:-$limit_default}"

wait_port() {   # wait_port PORT TRIES(0.1 s each) PID
    local i
    for i in $(seq "$2"); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then
            return 0
        fi
        leader_alive "$3" || break
        sleep 0.1
    done
    echo "$0: nothing listens on 127.0.0.1:$1" >&2
    return 1
}

children() { cat /proc/"$1"/task/*/children 2> /dev/null || true; }

# the processes that serve: nginx's worker, or apache's parent and children
serving() {
    case $1 in
        apache) echo "${server_pid[$1]} $(children "${server_pid[$1]}")" ;;
        *)      children "${server_pid[$1]}" ;;
    esac
}

peak_kb() { awk '/^VmHWM/ { print $2 }' /proc/"$1"/status; }

# --- PKI, profile, lists -------------------------------------------------

rm -rf "$work"
mkdir -p "$work/html/devices" "$(dirname "$out")"
: > "$tsv"

log "test PKI"
limit 600 bash "$root/t/pki/make-pki.sh" "$build/pki" > /dev/null
pki=$work/pki
cp -r "$build/pki" "$pki"
cat "$pki/dev-a.crt" "$pki/dev-a.key" > "$work/dev-a.pem"

# the 4 KB profile of dev-a (ST=000e08abcdef)
perl -e 'my $l = "; profile of 000e08abcdef " . "x" x 100 . "\n";
         my $s = ""; $s .= $l while length($s) < 4096;
         print substr($s, 0, 4095), "\n"' \
    > "$work/html/devices/000e08abcdef.cfg"

# dev-a among N-1 other devices, as a prov_acl file and as a map include
make_acl() {
    limit 1200 perl -e '
        my ($n, $acl, $map) = @ARGV;
        open my $a, ">", $acl or die "$acl: $!";
        my $m;
        if ($map) { open $m, ">", $map or die "$map: $!"; }
        for my $i (1 .. $n - 1) {
            my $id = sprintf "%012x", 0x100000000000 + $i * 7919;
            print $a "$id allow\n";
            print $m "$id 1;\n" if $m;
        }
        print $a "000e08abcdef allow\n";
        print $m "000e08abcdef 1;\n" if $m;
    ' "$@"
}

log "access lists: $acl_small, $acl_large devices"
make_acl "$acl_small" "$work/acl.$acl_small" "$work/map.$acl_small"
make_acl "$acl_large" "$work/acl.$acl_large"
[ -n "${NO_CALLGRIND:-}" ] || [ "$cg_acl_large" = "$acl_large" ] \
    || make_acl "$cg_acl_large" "$work/acl.$cg_acl_large"

# the large list in LMDB, as an operator makes it: one prov-acl import
lmdb=$work/acl.$acl_large.mdb
log "prov-acl import of $acl_large devices"
t0=$(date +%s%N)
limit 1200 "$prov_acl" import "$lmdb" "$work/acl.$acl_large" \
    || { echo "$0: prov-acl import failed" >&2; exit 1; }
t1=$(date +%s%N)
record_import() {
    printf 'import\tprov-D\t%s\t1\t%s\t%s\t%s\n' "$acl_large" \
        "$(perl -e 'printf "%.1f", $ARGV[0] / 1e9' "$((t1 - t0))")" \
        "$(stat -c %s "$lmdb")" "$(stat -c %s "$work/acl.$acl_large")" \
        >> "$tsv"
}
record_import

# prov-M's issuer files: the CAs of two other vendors' rules (one of them
# with exactly device-ca's subject name, another key), then device-ca's
cat "$pki/forged-ca.crt" "$pki/rogue-ca.crt" > "$work/issuers-1.pem"
cp "$pki/server-ca.crt" "$work/issuers-2.pem"

# --- configurations ------------------------------------------------------

# nginx_conf KIND DIR PORT [callgrind [h2]]: servers on PORT (ECDSA) and
# PORT+1 (RSA); one process in the foreground for callgrind; HTTP/2
nginx_conf() {
    local kind=$1 dir=$2 port=$3 cg=${4:-} n h2=
    [ "${5:-}" = h2 ] && h2=" http2"
    mkdir -p "$dir/logs"
    {
        case $kind in
            prov*) echo "load_module $module;" ;;
        esac
        echo "worker_processes 1;"
        # prov-M: the User-Agent regex compiled by PCRE's JIT, as README
        # and examples/mixed-fleet.conf set it; prov-MN: without
        [ "$kind" != prov-M ] || echo "pcre_jit on;"
        if [ -n "$cg" ]; then
            echo "daemon off;"
            echo "master_process off;"
        else
            echo "worker_cpu_affinity $(perl -e 'printf "%b", 1 << $ARGV[0]' "$server_cpu");"
        fi
        echo "error_log $dir/logs/error.log warn;"
        echo "pid $dir/nginx.pid;"
        echo "events { worker_connections 1024; }"
        echo "http {"
        echo "    access_log off;"
        echo "    keepalive_requests 10000000;"
        echo "    keepalive_timeout 60s;"
        echo "    ssl_session_cache off;"
        echo "    ssl_session_tickets off;"
        echo "    ssl_client_certificate $pki/device-ca.crt;"
        echo "    ssl_verify_client on;"
        echo "    root $work/html;"
        if [ "$kind" = map ]; then
            echo "    map_hash_max_size $((acl_small * 2 + 1024));"
            echo "    map \$ssl_client_s_dn \$mac {"
            echo "        \"~ST=(?<m>[0-9a-f]{12})\" \$m;"
            echo "    }"
            echo "    map \$mac \$allowed {"
            echo "        default 0;"
            echo "        include $work/map.$acl_small;"
            echo "    }"
        fi
        for key in server server-rsa; do
            echo "    server {"
            echo "        listen 127.0.0.1:$port ssl$h2;"
            echo "        ssl_certificate $pki/$key.crt;"
            echo "        ssl_certificate_key $pki/$key.key;"
            case $kind in
            floor)
                echo "        location / { }"
                ;;
            map)
                echo "        location / {"
                echo "            if (\$allowed != 1) {"
                echo "                return 403;"
                echo "            }"
                echo "            try_files /devices/\$mac.cfg =404;"
                echo "        }"
                ;;
            prov*)
                n=$acl_small
                [ "$kind" = prov-L ] && n=$acl_large
                [ "$kind" = prov-CL ] && n=$cg_acl_large
                acl=$work/acl.$n
                [ "$kind" = prov-D ] && acl=lmdb:$lmdb
                echo "        location / {"
                echo "            prov on;"
                if [ "$kind" = prov-M ] || [ "$kind" = prov-MN ]; then
                    echo "            prov_id CN \"(?i)(?<mac>0004f2[0-9a-f]{6})\""
                    echo "                    issuer=$work/issuers-1.pem;"
                    echo "            prov_id CN mac issuer=$work/issuers-2.pem;"
                    echo "            prov_id ST mac issuer=$pki/device-ca.crt;"
                    echo "            prov_ua_id '$ua_regex';"
                else
                    echo "            prov_id ST mac;"
                fi
                echo "            prov_acl $acl;"
                echo "            prov_profile /devices/\$prov_id.cfg =404;"
                echo "        }"
                echo "        location /devices/ { internal; }"
                ;;
            esac
            echo "    }"
            port=$((port + 1))
        done
        echo "}"
    } > "$dir/nginx.conf"
}

apache_conf() {   # apache_conf DIR PORT
    local dir=$1 port=$2 m key
    mkdir -p "$dir/run"
    {
        for m in mpm_event authz_core ssl rewrite; do
            echo "LoadModule ${m}_module $apache_modules/mod_$m.so"
        done
        cat <<CONF
ServerRoot $dir
ServerName localhost
DefaultRuntimeDir $dir/run
PidFile $dir/run/httpd.pid
Mutex file:$dir/run default
ErrorLog $dir/error.log
LogLevel warn
User www-data
Group www-data
StartServers 1
ServerLimit 1
ThreadLimit 16
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 16
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
SSLSessionCache none
SSLRandomSeed startup builtin
SSLRandomSeed connect builtin
DocumentRoot $work/html
<Directory />
    Require all denied
    AllowOverride None
</Directory>
<Directory $work/html>
    Require all granted
</Directory>
CONF
        for key in server server-rsa; do
            cat <<CONF
Listen 127.0.0.1:$port
<VirtualHost 127.0.0.1:$port>
    SSLEngine on
    SSLCertificateFile $pki/$key.crt
    SSLCertificateKeyFile $pki/$key.key
    SSLCACertificateFile $pki/device-ca.crt
    SSLVerifyClient require
    SSLVerifyDepth 2
    SSLSessionTickets off
    RewriteEngine on
    RewriteCond %{SSL:SSL_CLIENT_S_DN_ST} ^([0-9a-f]{12})\$
    RewriteRule ^ /devices/%1.cfg [L]
    RewriteRule ^ - [F]
</VirtualHost>
CONF
            port=$((port + 1))
        done
    } > "$dir/httpd.conf"
}

# --- the load servers ----------------------------------------------------

servers="floor map prov prov-M prov-L prov-D"
[ -n "${NO_APACHE:-}" ] || servers="$servers apache"

declare -A server_port server_pid server_uri tls_seen
port=$base_port
for s in $servers; do
    server_port[$s]=$port
    server_uri[$s]=/profile.cfg
    port=$((port + 2))
done
server_uri[floor]=/devices/000e08abcdef.cfg

# the worker has to be able to read them
chmod -R a+rX "$work"

for s in $servers; do
    dir=$work/$s
    mkdir -p "$dir"
    if [ "$s" = apache ]; then
        apache_conf "$dir" "${server_port[$s]}"
        limit 60 "$apache" -t -f "$dir/httpd.conf" 2> "$dir/configtest.log" \
            || { cat "$dir/configtest.log" >&2; exit 1; }
        spawn "$dir/stdout.log" taskset -c "$server_cpu" \
            "$apache" -f "$dir/httpd.conf" -D FOREGROUND
    else
        nginx_conf "$s" "$dir" "${server_port[$s]}"
        # the master stays in the foreground: its pid is ours to stop
        spawn "$dir/stdout.log" taskset -c "$server_cpu" \
            "$nginx" -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'
    fi
    server_pid[$s]=$spawned
done

log "starting $servers"
for s in $servers; do
    wait_port "$((server_port[$s] + 1))" 600 "${server_pid[$s]}" \
        || { cat "$work/$s"/*.log "$work/$s"/logs/*.log >&2 2> /dev/null; exit 1; }
done
sleep 0.5

# CPU time of the whole machine, ns (all cores, busy and stolen)
machine_ns() {
    awk '/^cpu / { printf "%.0f\n", ($2 + $3 + $4 + $7 + $8 + $9) * 1e9 / 100; exit }' \
        /proc/stat
}

# sets child to the CPU ns of this shell's finished children (ab among them)
child_ns() {
    local u s ns=0 t
    times > "$work/times"
    { read -r _ _; read -r u s; } < "$work/times"
    for t in "$u" "$s"; do
        [[ $t =~ ^([0-9]+)m([0-9]+)\.([0-9]{3})s$ ]] || continue
        ns=$((ns + (BASH_REMATCH[1] * 60 + 10#${BASH_REMATCH[2]}) * 1000000000
                 + 10#${BASH_REMATCH[3]} * 1000000))
    done
    child=$ns
}

# ab_run SERVER PORT CONC SECONDS [-k]: sets rps (requests/s), cpu (server
# CPU ns per request), util (server CPU time over wall time) and other
# (CPU used meanwhile by neither the server nor ab, in cores)
ab_run() {
    local s=$1 port=$2 conc=$3 secs=$4 ka=${5:-} o=$work/ab.out
    local procs c0 c1 t0 t1 n m0 m1 a0 proto
    procs=$(serving "$s")
    c0=$(cpu_ns $procs)
    m0=$(machine_ns)
    child_ns
    a0=$child
    t0=$(date +%s%N)
    if ! limit $((secs + 60)) taskset -c "$client_cpu" \
            ab -f TLS1.2 -q -S -d -r $ka -c "$conc" -t "$secs" -n 10000000 -s 20 \
               -E "$work/dev-a.pem" -H "User-Agent: $ua" \
               "https://127.0.0.1:$port${server_uri[$s]}" > "$o" 2>&1
    then
        echo "$0: ab failed against $s (port $port):" >&2
        cat "$o" >&2
        exit 1
    fi
    t1=$(date +%s%N)
    child_ns
    m1=$(machine_ns)
    c1=$(cpu_ns $procs)
    if ! grep -q '^Document Length: *4096 bytes' "$o" \
       || ! grep -q '^Failed requests: *0$' "$o" \
       || grep -q '^Non-2xx responses' "$o"; then
        echo "$0: $s (port $port) did not serve the profile:" >&2
        cat "$o" >&2
        exit 1
    fi
    n=$(awk '/^Complete requests:/ { print $3 }' "$o")
    rps=$(awk '/^Requests per second:/ { print $4 }' "$o")
    proto=$(sed -n 's/^SSL\/TLS Protocol: *//p' "$o")
    [ -z "$proto" ] || tls_seen[$proto]=1
    read -r cpu util other < <(perl -e '
        my ($n, $c, $t, $m, $a) = @ARGV;
        printf "%.0f %.3f %.2f\n", $c / $n, $c / $t, ($m - $c - $a) / $t;
    ' "$n" "$((c1 - c0))" "$((t1 - t0))" "$((m1 - m0))" "$((child - a0))")
}

record() { printf '%s\n' "$(IFS=$'\t'; echo "$*")" >> "$tsv"; }

# every round starts with another server
rotate() {   # rotate ROUND WORDS...
    local r=$1
    shift
    local a=("$@") i n=$#
    for i in $(seq 0 $((n - 1))); do
        echo "${a[$(((i + r) % n))]}"
    done
}

log "warm-up"
for s in $servers; do
    ab_run "$s" "${server_port[$s]}" 1 1 -k
    ab_run "$s" "$((server_port[$s] + 1))" 1 1
done

log "keep-alive: $rounds rounds of $ka_seconds s, concurrency $ka_conc"
for r in $(seq "$rounds"); do
    for c in $ka_conc; do
        for s in $(rotate "$r" $servers); do
            ab_run "$s" "${server_port[$s]}" "$c" "$ka_seconds" -k
            record ka "$s" "$c" "$r" "$rps" "$cpu" "$util" "$other"
        done
    done
done

hs_servers=${servers/ prov-L prov-D/}
log "handshakes: $rounds rounds of $hs_seconds s, concurrency $hs_conc"
for r in $(seq "$rounds"); do
    for key in ec rsa; do
        for s in $(rotate "$r" $hs_servers); do
            p=${server_port[$s]}
            [ "$key" = rsa ] && p=$((p + 1))
            ab_run "$s" "$p" "$hs_conc" "$hs_seconds"
            record hs "$s" "$key" "$r" "$rps" "$cpu" "$util" "$other"
        done
    done
done

for s in $servers; do
    w=0
    for p in $(serving "$s"); do
        [ "$p" = "${server_pid[$s]}" ] && continue
        w=$((w + $(peak_kb "$p")))
    done
    record mem "$s" "$w" "$(peak_kb "${server_pid[$s]}")"
done

# --- system calls per request and per connection: strace -c -------------

# strace_run SERVER MODE: strace -c on the serving process while ab makes
# 1000 keep-alive requests (MODE ka) or 200 connections of one request each
# (hs, ECDSA); records the system calls per request or connection
strace_run() {
    local s=$1 mode=$2 tasks=() p t sp n o=$work/ab.strace.$1.$2
    local f=$work/strace.$1.$2 args=(-k -n 1000)
    [ "$mode" = hs ] && args=(-n 200)
    for p in $(serving "$s"); do
        [ "$s" = apache ] && [ "$p" = "${server_pid[$s]}" ] && continue
        for t in /proc/"$p"/task/*; do
            tasks+=(-p "${t##*/}")
        done
    done
    spawn "$f.log" strace -f -c -o "$f" "${tasks[@]}"
    sp=$spawned
    sleep 1
    if ! limit 120 taskset -c "$client_cpu" \
            ab -f TLS1.2 -q -S -d -c 1 -s 20 "${args[@]}" -E "$work/dev-a.pem" \
               -H "User-Agent: $ua" \
            "https://127.0.0.1:${server_port[$s]}${server_uri[$s]}" > "$o" 2>&1 \
       || ! grep -q '^Failed requests: *0$' "$o" \
       || grep -q '^Non-2xx responses' "$o"
    then
        echo "$0: ab under strace failed against $s:" >&2
        cat "$o" >&2
        exit 1
    fi
    # strace -c writes its table when SIGINT detaches it
    stop_server "$sp" "strace of $s" INT now || exit 1
    n=$(awk '/^Complete requests:/ { print $3 }' "$o")
    record "$([ "$mode" = hs ] && echo sysc || echo sys)" "$s" "$n" 1 "$(perl -e '
        my ($f, $n) = @ARGV;
        open my $h, "<", $f or die "$f: $!";
        my ($total, @each);
        while (<$h>) {
            my @c = split;
            next unless @c >= 5 && $c[3] =~ /^\d+$/;
            my ($calls, $name) = ($c[3], $c[-1]);
            if ($name eq "total") { $total = $calls; next }
            push @each, [$name, sprintf "%.0f", $calls / $n]
                if $calls / $n >= 0.5;
        }
        die "$f: no total\n" unless $total;
        printf "%.2f\t%s", $total / $n, join ", ",
            map { "$_->[0] $_->[1]" }
            sort { $b->[1] <=> $a->[1] || $a->[0] cmp $b->[0] } @each;
    ' "$f" "$n")"
}

if [ -z "${NO_STRACE:-}" ]; then
    log "system calls per keep-alive request and per connection"
    for s in $servers; do
        strace_run "$s" ka
        [ "$s" = prov-L ] || [ "$s" = prov-D ] || strace_run "$s" hs
    done
fi

log "stopping $servers"
for s in $servers; do
    stop_server "${server_pid[$s]}" "$s server" || exit 1
done
[ "$acl_large" = "$cg_acl_large" ] || rm -f "$work/acl.$acl_large"

# --- instructions per request: callgrind ---------------------------------
#
# nginx as one process (master_process off) under callgrind, counting only
# inside ngx_process_events_and_timers (the event loop: handshakes and
# requests, not start-up, configuration or the access list load).  One
# keep-alive connection with N1 requests, another run with N2: the
# difference over N2 - N1 is the cost of one request on a connection that is
# already established, where a per-connection cache shows (calls of
# X509_get_subject_name per request).  The same with HTTP/2 streams on one
# connection, and with C1 and C2 connections of one request each (the cost
# of a full handshake and its request).

# callgrind_run KIND N MODE: MODE is ka (N keep-alive requests on one
# connection), h2 (N streams on one HTTP/2 connection), hs-ec or hs-rsa (N
# connections, one request each).  Sets ir (instructions), calls (of
# X509_get_subject_name, which reads the certificate's subject), own
# (instructions in the module's own code) and objects (instructions by
# object: "nginx=...;libc.so.6=...")
callgrind_run() {
    local kind=$1 n=$2 mode=$3 dir pid f url port=$base_port o
    dir=$work/cg-$kind-$mode
    f=$dir/callgrind.$n.out
    o=$dir/client.$n.out
    [ "$mode" = hs-rsa ] && port=$((base_port + 1))
    url="https://127.0.0.1:$port${server_uri[$kind]}"
    nginx_conf "$kind" "$dir" "$base_port" callgrind "$mode"
    spawn "$dir/valgrind.$n.log" taskset -c "$server_cpu" \
        valgrind --tool=callgrind -q \
        --callgrind-out-file="$f" --collect-atstart=no \
        --toggle-collect=ngx_process_events_and_timers \
        "$nginx" -p "$dir" -c "$dir/nginx.conf"
    pid=$spawned
    wait_port "$((base_port + 1))" 3000 "$pid" \
        || { cat "$dir/valgrind.$n.log" "$dir/logs/error.log" >&2; exit 1; }
    case $mode in
    h2)
        # curl: N transfers, each a new stream on the one HTTP/2 connection
        for _ in $(seq "$n"); do
            echo "url = $url"
            echo "output = /dev/null"
        done > "$dir/urls"
        if ! limit 600 taskset -c "$client_cpu" \
                curl -s --http2 --tlsv1.2 --tls-max 1.2 --max-time 60 -A "$ua" \
                     --cacert "$pki/server-ca.crt" \
                     --cert "$pki/dev-a.crt" --key "$pki/dev-a.key" \
                     -w '%{http_code} %{http_version} %{size_download} %{num_connects}\n' \
                     -K "$dir/urls" > "$o" 2>&1 \
           || [ "$(grep -c '^200 2 4096 [01]$' "$o")" != "$n" ] \
           || [ "$(grep -c ' 1$' "$o")" != 1 ]
        then
            echo "$0: callgrind run of $kind: not $n HTTP/2 streams on one connection:" >&2
            head "$o" >&2
            exit 1
        fi
        ;;
    ka)
        if ! limit 600 taskset -c "$client_cpu" \
                ab -f TLS1.2 -q -S -d -k -c 1 -n "$n" -s 60 -E "$work/dev-a.pem" \
                   -H "User-Agent: $ua" \
                   "$url" > "$o" 2>&1 \
           || ! grep -q "^Keep-Alive requests: *$n\$" "$o" \
           || ! grep -q '^Document Length: *4096 bytes' "$o"
        then
            echo "$0: callgrind run of $kind: not $n keep-alive requests:" >&2
            cat "$o" >&2
            exit 1
        fi
        ;;
    hs-*)
        if ! limit 600 taskset -c "$client_cpu" \
                ab -f TLS1.2 -q -S -d -c 1 -n "$n" -s 60 -E "$work/dev-a.pem" \
                   -H "User-Agent: $ua" \
                   "$url" > "$o" 2>&1 \
           || ! grep -q "^Complete requests: *$n\$" "$o" \
           || ! grep -q '^Failed requests: *0$' "$o" \
           || grep -q '^Non-2xx responses' "$o" \
           || ! grep -q '^Document Length: *4096 bytes' "$o"
        then
            echo "$0: callgrind run of $kind: not $n connections:" >&2
            cat "$o" >&2
            exit 1
        fi
        ;;
    esac
    # the SIGTERM that issue 15 saw lost: nginx handled it but slept on in
    # epoll_wait() (bench/lib.sh says why); stop_server sends it once
    # nginx is idle, and again if need be.  SIGKILL would leave no profile.
    stop_server "$pid" "nginx under callgrind ($kind, $mode, $n)" || exit 1
    grep -q '^totals: [0-9]' "$f" \
        || { echo "$0: $f: no totals" >&2; cat "$dir/valgrind.$n.log" >&2; exit 1; }
    read -r ir calls own objects < <(perl -e '
        my ($f, $so) = @ARGV;
        open my $h, "<", $f or die "$f: $!";
        my (%name, %obj, %byob, $ob, $cfn, $call, $total, $calls, $own);
        while (<$h>) {
            if (/^(?:summary|totals): (\d+)/) { $total = $1; next }
            if (/^(c?)ob=\((\d+)\)(?: (.*))?$/) {
                my ($callee, $id, $o) = ($1, $2, $3);
                $obj{$id} = $o if defined $o;
                $ob = $obj{$id} unless $callee;
                next;
            }
            if (/^(c?)fn=\((\d+)\)(?: (.*))?$/) {
                my ($callee, $id, $fn) = ($1, $2, $3);
                $name{$id} = $fn if defined $fn;
                $cfn = $name{$id} if $callee;
                next;
            }
            if (/^calls=(\d+)/) {
                $calls += $1 if defined $cfn && $cfn eq "X509_get_subject_name";
                $call = 1;
                next;
            }
            if (/^(?:[+-]?\d+|\*)\s+(\d+)/) {
                my $cost = $1;
                # the line after calls= is the call'"'"'s inclusive cost
                if (!$call && defined $ob) {
                    $own += $cost if $ob =~ m{(?:^|/)\Q$so\E$};
                    $byob{ $ob =~ s{.*/}{}r } += $cost;
                }
                $call = 0;
            }
        }
        printf "%d %d %d %s\n", $total // 0, $calls // 0, $own // 0,
            join ";", map { "$_=$byob{$_}" } sort keys %byob;
    ' "$f" "$(basename "$module")")
}

if [ -z "${NO_CALLGRIND:-}" ]; then
    server_uri[prov-CL]=/profile.cfg
    server_uri[prov-MN]=/profile.cfg
    log "callgrind: $cg_kinds, $cg_n1 and $cg_n2 keep-alive requests"
    for kind in $cg_kinds; do
        for n in "$cg_n1" "$cg_n2"; do
            callgrind_run "$kind" "$n" ka
            record cg "$kind" "$n" 1 "$ir" "$calls" "$own" "$objects"
        done
    done
    log "callgrind: floor prov, $cg_n1 and $cg_n2 HTTP/2 streams"
    for kind in floor prov; do
        for n in "$cg_n1" "$cg_n2"; do
            callgrind_run "$kind" "$n" h2
            record cg "$kind-h2" "$n" 1 "$ir" "$calls" "$own" "$objects"
        done
    done
    hs_kinds="floor prov"
    [ -n "$quick" ] || hs_kinds="$hs_kinds prov-M"
    log "callgrind: $hs_kinds, $cg_c1 and $cg_c2 connections"
    for mode in hs-ec hs-rsa; do
        for kind in $hs_kinds; do
            for n in "$cg_c1" "$cg_c2"; do
                callgrind_run "$kind" "$n" "$mode"
                record cg "$kind-$mode" "$n" 1 "$ir" "$calls" "$own" "$objects"
            done
        done
    done
fi

rm -f "$work/acl.$cg_acl_large" "$lmdb" "$lmdb-lock"

# --- the report ----------------------------------------------------------

elapsed=$(($(date +%s) - started))

{
    echo "meta	date	$(date -u +%Y-%m-%d)"
    echo "meta	cpu	$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "meta	cores	$(nproc)"
    echo "meta	nginx	$("$nginx" -v 2>&1 | sed 's/.*nginx\///')"
    echo "meta	openssl	$(openssl version | awk '{ print $2 }')"
    [ -n "${NO_APACHE:-}" ] \
        || echo "meta	apache	$("$apache" -v | sed -n 's/^Server version: Apache\///p')"
    echo "meta	ab	$(ab -V | sed -n 's/.*Version \([^ ]*\).*/\1/p')"
    echo "meta	tls	$(printf '%s; ' "${!tls_seen[@]}" | sed 's/; $//')"
    rev=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo unknown)
    git -C "$root" diff --quiet HEAD -- config ngx_http_prov_module 2> /dev/null \
        || rev="$rev with uncommitted changes to the module"
    echo "meta	module	$rev"
    echo "meta	rounds	$rounds"
    echo "meta	ka_seconds	$ka_seconds"
    echo "meta	hs_seconds	$hs_seconds"
    echo "meta	hs_conc	$hs_conc"
    echo "meta	acl_small	$acl_small"
    echo "meta	acl_large	$acl_large"
    echo "meta	cg_acl_large	$cg_acl_large"
    echo "meta	cg_requests	$cg_n1 $cg_n2"
    echo "meta	cg_connections	$cg_c1 $cg_c2"
    echo "meta	elapsed	$elapsed"
    echo "meta	quick	${quick:+1}"
    echo "meta	load	$load_start $(cut -d' ' -f1 /proc/loadavg)"
    echo "meta	note	${BENCH_NOTE:-}"
    echo "meta	ka_max	$ka_max"
    echo "meta	lmdb_max	$lmdb_max"
    echo "meta	mixed_max	$mixed_max"
    echo "meta	ua	$ua"
} >> "$tsv"

# the report; it fails (after writing it) when the module's kept-alive
# request (its file list or its LMDB list) costs more than ka_max
# instructions above the floor's, or the mixed fleet's more than
# mixed_max above the module's
gate=()
[ -n "${NO_CALLGRIND:-}" ] \
    || gate=(--max-over-floor "$ka_max" --lmdb-max-over-floor "$lmdb_max"
             --mixed-max-over-prov "$mixed_max")
status=0
perl "$root/bench/compare-report.pl" "${gate[@]}" "$tsv" > "$out" || status=$?
cat "$out"
log "wrote $out in $elapsed s"
exit "$status"
