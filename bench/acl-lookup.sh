#!/bin/bash
# Usage: bench/acl-lookup.sh [SMALL LARGE [REQUESTS]]       (make bench-acl)
#
# Per-request cost against access lists of SMALL (default 10^3) and LARGE
# (default 10^7) devices, side by side in one run: one nginx worker, a
# listed device fetching a small profile REQUESTS times over one keep-alive
# TLS connection (curl), rounds alternating between the two servers.
# Writes bench/results/acl-lookup.md.  Ports BENCH_PORT+1 and +2 (18700);
# the servers are stopped by bench/lib.sh's stop_server, also on an error
# or Ctrl-C, every client step runs under timeout(1), the whole run under
# BENCH_LIMIT (1800 s).

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
nginx=${NGINX_BIN:-/usr/sbin/nginx}
module=${MODULE:-$root/build/ngx_http_prov_module.so}
work=${BENCH_DIR:-$root/build/bench-lookup}
small=$(perl -e 'printf "%d", $ARGV[0]' "${1:-1e3}")
large=$(perl -e 'printf "%d", $ARGV[0]' "${2:-1e7}")
requests=${3:-5000}
rounds=5
out="$root/bench/results/acl-lookup.md"
base_port=${BENCH_PORT:-18700}

. "$root/bench/lib.sh"
bench_start "${BENCH_LIMIT:-1800}"

rm -rf "$work"
mkdir -p "$work/html/devices"

limit 600 bash "$root/t/pki/make-pki.sh" "$work/pki" > /dev/null
echo "profile of 000e08abcdef" > "$work/html/devices/000e08abcdef.cfg"

# the device under test sits among N others
for n in "$small" "$large"; do
    limit 1200 perl -e '
        my ($n) = @ARGV;
        for my $i (1 .. $n - 1) {
            printf "%012x allow\n", 0x100000000000 + $i * 7919;
        }
        print "000e08abcdef allow\n";
    ' "$n" > "$work/acl.$n"
done

declare -A pid port
p=$base_port
for n in "$small" "$large"; do
    p=$((p + 1))
    port[$n]=$p
done
for n in "$small" "$large"; do
    mkdir -p "$work/$n/logs"
    cat > "$work/$n/nginx.conf" <<CONF
load_module $module;
worker_processes 1;
error_log $work/$n/logs/error.log warn;
pid $work/$n/nginx.pid;
events { }
http {
    access_log off;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:${port[$n]} ssl;
        ssl_certificate $work/pki/server.crt;
        ssl_certificate_key $work/pki/server.key;
        ssl_client_certificate $work/pki/device-ca.crt;
        ssl_verify_client on;
        location / {
            prov on;
            prov_id ST mac;
            prov_acl $work/acl.$n;
            root $work/html;
            try_files /devices/\$prov_id.cfg =404;
        }
    }
}
CONF
    # the master in the foreground, leading a process group: ours to stop
    spawn "$work/$n/stdout.log" \
        "$nginx" -p "$work/$n" -c "$work/$n/nginx.conf" -g 'daemon off;'
    pid[$n]=$spawned
    for _ in $(seq "$requests"); do
        echo "url = https://localhost:${port[$n]}/p.cfg"
        echo "output = /dev/null"
    done > "$work/$n/urls"
done

for n in "$small" "$large"; do
    for i in $(seq 600); do
        (exec 3<> "/dev/tcp/127.0.0.1/${port[$n]}") 2> /dev/null && break
        leader_alive "${pid[$n]}" && [ "$i" -lt 600 ] || {
            echo "$0: nginx with $n devices does not listen on ${port[$n]}" >&2
            cat "$work/$n/stdout.log" "$work/$n/logs/error.log" >&2
            exit 1
        }
        sleep 0.1
    done
done

run() {
    local n=$1 port=$2 start end
    start=$(date +%s.%N)
    limit 300 curl -s --fail --resolve "localhost:$port:127.0.0.1" \
         --cacert "$work/pki/server-ca.crt" \
         --cert "$work/pki/dev-a.crt" --key "$work/pki/dev-a.key" \
         -K "$work/$n/urls" \
        || { echo "$0: curl failed against $n devices" >&2; exit 1; }
    end=$(date +%s.%N)
    perl -e 'printf "%.1f", $ARGV[2] / ($ARGV[1] - $ARGV[0])' \
         "$start" "$end" "$requests"
}

results_small=() results_large=()
for r in $(seq $rounds); do
    run "$small" "${port[$small]}" > "$work/rate"
    results_small+=("$(cat "$work/rate")")
    run "$large" "${port[$large]}" > "$work/rate"
    results_large+=("$(cat "$work/rate")")
done

for n in "$small" "$large"; do
    stop_server "${pid[$n]}" "nginx with $n devices" || exit 1
done

perl -e '
    my ($small, $large, $requests, $rounds, @r) = @ARGV;
    my @s = sort { $a <=> $b } @r[0 .. $rounds - 1];
    my @l = sort { $a <=> $b } @r[$rounds .. 2 * $rounds - 1];
    my ($ms, $ml) = ($s[$rounds / 2], $l[$rounds / 2]);
    printf "# Per-request cost against the access list size\n\n";
    printf "Keep-alive requests/s of one listed device over one TLS "
         . "connection (curl, %d requests a round, median of %d rounds, "
         . "alternating), one nginx worker.\n\n", $requests, $rounds;
    printf "| devices in the list | requests/s | ratio to %d | rounds |\n",
        $small;
    printf "|---|---|---|---|\n";
    printf "| %d | %.0f | 1.00 | %s |\n", $small, $ms, join(" ", @s);
    printf "| %d | %.0f | %.2f | %s |\n", $large, $ml, $ml / $ms,
        join(" ", @l);
' "$small" "$large" "$requests" "$rounds" \
    "${results_small[@]}" "${results_large[@]}" | tee "$out"
