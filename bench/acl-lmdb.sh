#!/bin/bash
# Usage: bench/acl-lmdb.sh [SIZES]       (make bench-acl; SIZES="1e3 ... 1e7")
#
# The LMDB list ("prov_acl lmdb:PATH", prov-acl) against the in-memory
# table of a list file, in one run:
#
#   lookup   ns per lookup of random listed ids in lists of each of SIZES
#            devices (10^3 to 10^7): the module's in-memory table
#            (ngx_http_prov_acl_verdict) and its LMDB list
#            (ngx_http_prov_lmdb_verdict), warm, and for LMDB with the
#            database's pages dropped from the page cache first (cold);
#            and what a kept-alive request pays for an allow its connection
#            keeps while nothing is committed (ngx_http_prov_lmdb_unchanged);
#            bench/lookup.c, built against the module's own objects
#            (bench/build-lookup.sh): warm, the best of 5 runs (and their
#            median), cold the median of 3
#   import   prov-acl import of each size: seconds, bytes per device on
#            disk
#   memory   two nginx workers with 10^3 and with the largest LMDB list
#            (and with the largest list file, for comparison), after 2,000
#            kept-alive requests: Private_Dirty, Pss and Rss
#            (/proc/PID/smaps_rollup) per worker
#   live     8 devices fetching over kept-alive TLS while prov-acl sets 100
#            changes a second for 30 s (LIVE_SECONDS, LIVE_RATE), in a list
#            of LIVE_SIZE (10^6) devices: every answer judged against the
#            list at that moment (bench/acl-live.pl), no failed request, no
#            reload (the same master and workers), the workers' memory
#            before and after, the time from "prov-acl set ... deny"
#            returning to the refused answer (median, 99th percentile)
#
# Writes bench/results/acl-lmdb.md.  Ports BENCH_PORT+1..+4 (18740); the
# servers are stopped by bench/lib.sh's stop_server, the whole run is
# bounded by BENCH_LIMIT (3600 s).  Needs Debian's nginx source for the
# lookup program (scripts/nginx-source.sh, into build/src, as make fuzz).

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
nginx=${NGINX_BIN:-/usr/sbin/nginx}
module=${MODULE:-$root/build/ngx_http_prov_module.so}
build=${BUILD:-$root/build}
prov_acl=${PROV_ACL:-$build/prov-acl}
work=${BENCH_DIR:-$build/bench-lmdb}
out=${BENCH_OUT:-$root/bench/results/acl-lmdb.md}
sizes=${1:-"1e3 1e4 1e5 1e6 1e7"}
count=${LOOKUPS:-1000000}
cold_count=${COLD_LOOKUPS:-2000}
live_seconds=${LIVE_SECONDS:-30}
live_rate=${LIVE_RATE:-100}
live_size=$(perl -e 'printf "%d", $ARGV[0]' "${LIVE_SIZE:-1e6}")
base_port=${BENCH_PORT:-18740}

. "$root/bench/lib.sh"
bench_start "${BENCH_LIMIT:-3600}"

log() { bench_log "$@"; }
norm() { perl -e 'printf "%d", $ARGV[0]' "$1"; }

[ -x "$prov_acl" ] || { echo "$0: $prov_acl not found: make tool" >&2; exit 1; }
[ -f "$module" ] || { echo "$0: $module not found: make module" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work" "$(dirname "$out")"
started=$(date +%s)

log "building bench/lookup against the module's objects"
nginx_src=$(NGINX_SUITE= bash "$root/scripts/nginx-source.sh" "$build/src")
limit 1800 bash "$root/bench/build-lookup.sh" "$nginx_src" "$build/bench-lookup-bin"
lookup=$build/bench-lookup-bin/lookup

# N ids 100000000000 + i * 7919, all allowed, and the test device dev-a
make_list() {
    limit 1200 perl -e '
        my ($n) = @ARGV;
        printf "%012x allow\n", 0x100000000000 + $_ * 7919 for 0 .. $n - 1;
        print "000e08abcdef allow\n";
    ' "$1" > "$2"
}

median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A imp_s imp_b
: > "$work/lookup.tsv"

for size in $sizes; do
    n=$(norm "$size")
    list=$work/acl.$n
    make_list "$n" "$list"
    t0=$(date +%s%N)
    limit 1200 "$prov_acl" import "$list.mdb" "$list" > /dev/null
    t1=$(date +%s%N)
    imp_s[$n]=$(perl -e 'printf "%.2f", $ARGV[0] / 1e9' "$((t1 - t0))")
    imp_b[$n]=$(stat -c %s "$list.mdb")
    log "$n devices: imported in ${imp_s[$n]} s, ${imp_b[$n]} bytes"
    sync

    table=() warm=() cold=() kept=()
    for r in 1 2 3 4 5; do
        table+=("$(limit 900 "$lookup" "$list" "$n" "$count" | cut -d' ' -f1)")
    done
    # warm: the whole database in the page cache first (a cold run drops
    # it: they come last)
    cat "$list.mdb" > /dev/null
    for r in 1 2 3 4 5; do
        warm+=("$(limit 900 "$lookup" "lmdb:$list.mdb" "$n" "$count" | cut -d' ' -f1)")
        kept+=("$(limit 900 "$lookup" "lmdb:$list.mdb" "$n" "$count" unchanged \
                  | cut -d' ' -f1)")
    done
    for r in 1 2 3; do
        cold+=("$(limit 900 "$lookup" "lmdb:$list.mdb" "$n" "$cold_count" cold \
                  | cut -d' ' -f1)")
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$(best "${table[@]}")" \
        "$(best "${warm[@]}")" "$(median "${cold[@]}")" \
        "${imp_s[$n]}" "${imp_b[$n]}" "$(median "${table[@]}")" \
        "$(median "${warm[@]}")" "$(best "${kept[@]}")" >> "$work/lookup.tsv"
    log "$n devices: table ${table[*]} ns, LMDB warm ${warm[*]}, cold ${cold[*]}, kept ${kept[*]}"
    [ "$n" = "$(norm "${sizes##* }")" ] || [ "$n" = "$(norm "${sizes%% *}")" ] \
        || rm -f "$list" "$list.mdb" "$list.mdb-lock"
done

small=$(norm "${sizes%% *}")
large=$(norm "${sizes##* }")

# --- the workers' memory ---------------------------------------------------

limit 600 bash "$root/t/pki/make-pki.sh" "$build/pki" > /dev/null
pki=$work/pki
cp -r "$build/pki" "$pki"
mkdir -p "$work/html/devices"
echo "profile of 000e08abcdef" > "$work/html/devices/000e08abcdef.cfg"
chmod -R a+rX "$work"

# conf NAME PORT LIST WORKERS: nginx with the module, prov_acl LIST
conf() {
    local name=$1 port=$2 list=$3 workers=$4 d=$work/$1
    mkdir -p "$d/logs"
    cat > "$d/nginx.conf" <<CONF
load_module $module;
worker_processes $workers;
error_log $d/logs/error.log warn;
pid $d/nginx.pid;
events { }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $pki/server.crt;
        ssl_certificate_key $pki/server.key;
        ssl_client_certificate $pki/device-ca.crt;
        ssl_verify_client on;
        location / {
            prov on;
            prov_id ST mac;
            prov_acl $list;
            root $work/html;
            try_files /devices/\$prov_id.cfg =404;
        }
    }
}
CONF
}

declare -A pid port
start_nginx() {   # start_nginx NAME PORT
    local name=$1 i
    spawn "$work/$name/stdout.log" \
        "$nginx" -p "$work/$name" -c "$work/$name/nginx.conf" -g 'daemon off;'
    pid[$name]=$spawned
    port[$name]=$2
    for i in $(seq 1200); do
        (exec 3<> "/dev/tcp/127.0.0.1/$2") 2> /dev/null && return 0
        leader_alive "${pid[$name]}" || break
        sleep 0.1
    done
    echo "$0: nginx $name does not listen on $2" >&2
    cat "$work/$name/stdout.log" "$work/$name/logs/error.log" >&2
    exit 1
}

workers() { cat /proc/"${pid[$1]}"/task/*/children 2> /dev/null || true; }

# kB of Private_Dirty of each worker of NAME, blank separated
private_dirty() {
    local p out=()
    for p in $(workers "$1"); do
        out+=("$(awk '/^Private_Dirty:/ { s += $2 } END { print s }' \
                     /proc/"$p"/smaps_rollup)")
    done
    echo "${out[*]}"
}

# "Private_Dirty/Pss/Rss" kB of each worker of NAME
worker_memory() {
    local p out=()
    for p in $(workers "$1"); do
        out+=("$(awk '/^Private_Dirty:/ { d = $2 } /^Pss:/ { p = $2 }
                      /^Rss:/ { r = $2 } END { print d "/" p "/" r }' \
                     /proc/"$p"/smaps_rollup)")
    done
    echo "${out[*]}"
}

fetch() {   # fetch NAME REQUESTS: keep-alive requests of dev-a
    local i
    for i in $(seq "$2"); do
        echo "url = https://localhost:${port[$1]}/p.cfg"
        echo "output = /dev/null"
    done > "$work/$1/urls"
    limit 300 curl -s --fail --resolve "localhost:${port[$1]}:127.0.0.1" \
        --cacert "$pki/server-ca.crt" --cert "$pki/dev-a.crt" \
        --key "$pki/dev-a.key" -K "$work/$1/urls" \
        || { echo "$0: curl failed against $1" >&2; exit 1; }
}

log "workers' memory: LMDB lists of $small and $large devices, the file of $large"
conf mem-small $((base_port + 1)) "lmdb:$work/acl.$small.mdb" 2
conf mem-large $((base_port + 2)) "lmdb:$work/acl.$large.mdb" 2
conf mem-file $((base_port + 3)) "$work/acl.$large" 2
start_nginx mem-small $((base_port + 1))
start_nginx mem-large $((base_port + 2))
start_nginx mem-file $((base_port + 3))
declare -A pd
for s in mem-small mem-large mem-file; do
    # each worker serves some: several connections
    for _ in 1 2 3 4; do fetch "$s" 500; done
    pd[$s]=$(worker_memory "$s")
    log "$s: Private_Dirty/Pss/Rss ${pd[$s]} kB"
done
for s in mem-small mem-large mem-file; do
    stop_server "${pid[$s]}" "nginx $s" || exit 1
done
rm -f "$work/acl.$large"

# --- live changes under load ------------------------------------------------

log "live: $live_rate changes/s for $live_seconds s, 8 devices, $live_size listed"
live=$work/live
limit 600 perl "$root/stress/client.pl" pki "$live" 0
{
    perl -e 'printf "%012x allow\n", 0x100000000000 + $_ * 7919
                 for 0 .. $ARGV[0] - 9' "$live_size"
    cut -f2 "$live/devices.tsv" | grep '^0200000100' | sed 's/$/ allow/'
} > "$live/acl"
limit 1200 "$prov_acl" import "$live/acl.mdb" "$live/acl" > /dev/null
mkdir -p "$live/html/devices"
for m in $(cut -f2 "$live/devices.tsv"); do
    echo "profile of $m" > "$live/html/devices/$m.cfg"
done
chmod -R a+rX "$live"
pki=$live/pki
conf live $((base_port + 4)) "lmdb:$live/acl.mdb" 2
sed -i "s|root $work/html;|root $live/html;|" "$work/live/nginx.conf"
start_nginx live $((base_port + 4))
# a short run first: the workers open the database, their memory settles
limit 300 perl "$root/bench/acl-live.pl" "$live" "${port[live]}" "$prov_acl" \
    "$live/acl.mdb" 3 10 "$work/warm.out" \
    || { echo "$0: the warm-up of the live run failed" >&2; exit 1; }
w0=$(workers live)
rss0=$(private_dirty live)
set +e
limit $((live_seconds + 300)) perl "$root/bench/acl-live.pl" "$live" \
    "${port[live]}" "$prov_acl" "$live/acl.mdb" "$live_seconds" "$live_rate" \
    "$work/live.out"
live_rc=$?
set -e
w1=$(workers live)
rss1=$(private_dirty live)
reloads=$(grep -c 'reconfiguring\|signal 1 (SIGHUP)' "$work/live/logs/error.log" || true)
stop_server "${pid[live]}" "nginx live" || exit 1
cat "$work/live.out" >&2

# --- the report ---------------------------------------------------------------

elapsed=$(($(date +%s) - started))

perl - "$work/lookup.tsv" "$work/live.out" "$live_rc" "$small" "$large" \
    "${pd[mem-small]}" "${pd[mem-large]}" "${pd[mem-file]}" \
    "$w0" "$w1" "$rss0" "$rss1" "$reloads" "$elapsed" "$live_size" \
    "$count" "$cold_count" "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)" \
    > "$out" <<'PERL'
my ($tsv, $live, $rc, $small, $large, $pds, $pdl, $pdf, $w0, $w1, $r0, $r1,
    $reloads, $elapsed, $live_size, $count, $cold, $load0, $load1) = @ARGV;
sub p10 { my $e = log($_[0]) / log(10);
          abs($e - int($e + 0.5)) < 1e-9 ? sprintf('10^%d', $e + 0.5) : $_[0] }
sub sum { my $s = 0; $s += $_ for split ' ', $_[0] // ''; $s }
sub mb { sprintf '%.1f MB', $_[0] / 1024 }
my @rows;
open my $t, '<', $tsv or die;
push @rows, [ split /\t/ ] while <$t>;
chomp @$_ for @rows;
my %l;
open my $f, '<', $live or die;
while (<$f>) { my ($k, $v) = split; $l{$k} = $v }
my $cpu = `sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1`;
chomp $cpu;
my $rev = `git rev-parse --short HEAD 2> /dev/null` || 'unknown';
chomp $rev;
printf "# The LMDB list against the in-memory table\n\n";
printf "Generated by `bench/acl-lmdb.sh` (`make bench-acl`) on %s in %d min %d s: "
    . "%s, %d cores; the module at %s. Load average (1, 5, 15 min) %s at "
    . "the start, %s at the end.\n\n",
    `date -u +%Y-%m-%d` =~ s/\n//r, $elapsed / 60, $elapsed % 60, $cpu,
    `nproc` + 0, $rev, $load0, $load1;
printf "## Lookups\n\n"
    . "ns per lookup of a random listed id (`bench/lookup.c`: the module's "
    . "own `ngx_http_prov_acl_verdict()` for a list file, "
    . "`ngx_http_prov_lmdb_verdict()` for `lmdb:` — a read transaction "
    . "renewed and reset, `mdb_get`, the value checked — with the list read "
    . "by the module's directives; %d lookups warm: the best of 5 runs, "
    . "their median in brackets; the database read into the page cache "
    . "first; each run's process maps its pages afresh). "
    . "Cold: the database's pages dropped from the page cache "
    . "(`posix_fadvise(DONTNEED)`) first, then %d lookups timed one by one; "
    . "the median of 3 runs; the in-memory table has no file pages to "
    . "drop. Kept allow: what a later request on a kept-alive connection "
    . "pays for the allow its connection keeps while nothing is committed "
    . "(`ngx_http_prov_lmdb_unchanged()`: the read transaction renewed, its "
    . "id compared, reset), best of 5.\n\n", $count, $cold;
print "| devices | in-memory table | LMDB, warm | LMDB, cold | LMDB ÷ table (warm) "
    . "| LMDB, kept allow | import | database | bytes/device |\n"
    . "|---|---|---|---|---|---|---|---|---|\n";
for my $r (@rows) {
    my ($n, $tab, $warm, $cold, $s, $b, $tabm, $warmm, $kept) = @$r;
    printf "| %s | %.0f ns (%.0f) | %.0f ns (%.0f) | %.0f ns | %.1f × | %.0f ns | %.2f s | %.1f MB | %.1f |\n",
        p10($n), $tab, $tabm, $warm, $warmm, $cold, $warm / $tab, $kept, $s,
        $b / 1e6, $b / $n;
}
my ($big) = grep { $_->[0] == $large } @rows;
sub cells {
    my @w = map { [ split m{/} ] } split ' ', $_[0];
    return join(' | ', map { my $i = $_; join ', ', map { $_->[$i] } @w } 0 .. 2);
}
printf "\n## Workers' memory\n\n"
    . "Two workers each, after 2,000 kept-alive requests of a listed device; "
    . "from `/proc/PID/smaps_rollup`, kB per worker. Private_Dirty is the "
    . "worker's own; the in-memory table is built by the master and shared "
    . "with the workers (it shows in Pss and Rss), an LMDB list's pages are "
    . "the file's, shared and clean.\n\n"
    . "| list | Private_Dirty | Pss | Rss |\n|---|---|---|---|\n"
    . "| LMDB, %s devices | %s |\n| LMDB, %s devices | %s |\n"
    . "| list file, %s devices (in-memory table) | %s |\n",
    p10($small), cells($pds), p10($large), cells($pdl), p10($large),
    cells($pdf);
my @s = map { (split m{/})[0] } split ' ', $pds;
my @g = map { (split m{/})[0] } split ' ', $pdl;
my ($ms) = sort { $b <=> $a } @s;
my ($mg) = sort { $b <=> $a } @g;
my $grow = ($mg // 0) - ($ms // 0);
printf "\n## Changes under load\n\n"
    . "8 devices fetching over one kept-alive TLS connection each "
    . "(`bench/acl-live.pl`), two nginx workers, %s devices in the LMDB list, "
    . "while `prov-acl set` ran %d changes (%.1f a second), %d of them "
    . "turning one of the 8 devices to deny or allow.\n\n",
    p10($live_size), $l{changes}, $l{rate}, $l{device_changes};
printf "| | |\n|---|---|\n";
printf "| answers | %d (%d/s) |\n", $l{answers}, $l{requests_per_s};
printf "| wrong for the list at that moment | %d |\n", $l{wrong};
printf "| failed requests | %d |\n", $l{failed};
printf "| answers overlapping a change of their device (either is right) | %d |\n",
    $l{overlapping};
printf "| `prov-acl set` returning → the refused answer, median | %.2f ms |\n",
    $l{latency_median_ms};
printf "| … 99th percentile (max) | %.2f ms (%.2f ms), %d denies |\n",
    $l{latency_p99_ms}, $l{latency_max_ms}, $l{denies_measured};
printf "| reloads; workers (pids) before, after | %d; %s; %s |\n",
    $reloads, join(' ', sort split ' ', $w0), join(' ', sort split ' ', $w1);
printf "| workers' Private_Dirty before, after | %s kB; %s kB |\n",
    join(', ', split ' ', $r0), join(', ', split ' ', $r1);
printf "\n## Targets\n\n| target | measured | |\n|---|---|---|\n";
printf "| import 10^7 devices in at most 60 s, at most 64 bytes/device | %s | %s |\n",
    $big ? sprintf('%s devices: %.1f s, %.1f bytes/device', p10($big->[0]),
                   $big->[4], $big->[5] / $big->[0]) : '–',
    !$big ? 'not measured' : $big->[0] < 1e7 ? 'not measured at 10^7'
        : ($big->[4] <= 60 && $big->[5] / $big->[0] <= 64) ? 'met' : 'missed';
printf "| workers' Private_Dirty grows by at most 1 MB from %s to %s devices | %+.0f kB (the busiest worker) | %s |\n",
    p10($small), p10($large), $grow, $grow <= 1024 ? 'met' : 'missed';
printf "| every answer right, no failed request, no reload, same workers | %d wrong, %d failed, %d reloads | %s |\n",
    $l{wrong}, $l{failed}, $reloads,
    (!$rc && !$l{wrong} && !$l{failed} && !$reloads
     && join(' ', sort split ' ', $w0) eq join(' ', sort split ' ', $w1))
        ? 'met' : 'missed';
PERL
cat "$out"
log "wrote $out in $elapsed s"
[ "$live_rc" = 0 ] || { echo "$0: the live run failed" >&2; exit 1; }
