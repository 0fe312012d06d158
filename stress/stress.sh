#!/bin/bash
# Usage: stress/stress.sh                                     (make stress)
#
# The module under load, reloads, a broken access list, missing profiles and
# a fleet of devices, each scenario with a verdict.  Starts its own nginx
# (NGINX_BIN, the built MODULE, two workers, 127.0.0.1:$STRESS_PORT, every
# file under $BUILD/stress), drives it with stress/client.pl (Perl,
# IO::Socket::SSL, forked clients, each with its own device certificate),
# stops it again.  Exits 1 when any scenario fails.
#
#   reload      8 clients, each its own device, fetch for RELOAD_SECONDS
#               while nginx -s reload runs every RELOAD_EVERY seconds, each
#               reload with an access list that excludes another of them
#               (left out, or listed "deny", in turn).  Every answer carries
#               the generation of the configuration that served it
#               (X-Prov-Gen) and must be what that generation owes the
#               device: its own profile, byte for byte, or 403 when the
#               generation excludes it.  After each reload completes (every
#               worker of the master is new or "shutting down", so no worker
#               of the old configuration accepts connections any more), a
#               fresh connection of the device just removed must get 403
#               and one of the device just added back its profile, both from
#               the new generation; and every client connection opened after
#               that moment must be served by that generation or a later
#               one.  Kept-alive connections of old workers finish on the
#               old configuration: judged by it, and counted.
#   broken-acl  the same clients while the access list gets a bad line 3:
#               nginx -t and nginx -s reload (which reads the configuration
#               before it signals) fail naming devices.acl:3; the master,
#               sent SIGHUP directly, logs that line, starts no worker, and
#               the old generation keeps serving with its list; a good list
#               reloads afterwards.
#   profiles    a device without a profile file, one whose file is chmod
#               000, one whose "file" is a directory, and every device while
#               the profile folder is chmod 000: 404, the fallback, or the
#               static module's 403 for a file it may not read, never
#               another device's profile.  As root, the workers run as
#               nobody (nginx "user nobody nogroup"): root reads a chmod 000
#               file anyway.
#   fleet       FLEET (1000) devices with certificates made at run time
#               (each its own EC P-256 key), PROCS (64) parallel clients,
#               twice: per device a new connection (TLS 1.3 and 1.2 in
#               turn) with 5 keep-alive requests, the 4th for another
#               device's URI (403).  Every answer checked; no worker
#               exits or restarts; each worker's open descriptors the same
#               before, after the first and after the second round; worker
#               RSS after the second round at most RSS_BOUND_KB (512) above
#               the first (each worker serves some 2500 requests on 500
#               connections a round: a leak of 256 bytes a request or 2 KB a
#               connection fails it; round 2 grows about 100 KB).
#   counters    prov_status's total (a zone shared by the workers, kept
#               across reloads) is the number of answers clients and probes
#               got: each gated request counted once.
#   no-crash    no worker crashed anywhere: the error log (level warn) holds
#               no "signal" and no "exited on"; the master's descriptors
#               after all reloads are those before them, and its RSS at the
#               end at most RSS_BOUND_KB above the one after the 3rd reload
#               (old cycles are freed, the heap does not grow with reloads).
#
# Then, with that nginx stopped, three nginx nodes of their own, each with
# its own LMDB access list (prov_acl lmdb:PATH) on STRESS_PORT + 1, + 2 and
# + 3, changed by prov-acl while they serve, never reloaded
# (stress/nodes.sh, which says how each is judged):
#
#   nodes          the same stream of serial-numbered changes (a whole list,
#                  then batches) applied to each node under load: every
#                  answer what that node's list owes at that moment, none
#                  failed, the same pids throughout, and at the end the same
#                  dump and serial (prov_status, JSON and Prometheus) on
#                  all three.
#   missed-batch   a node that missed a batch shows the serial before and
#                  another dump; replaying the feed converges it.
#   killed-import  prov-acl killed with SIGKILL in the middle of a 10^6
#                  device import, three times: the node serves the list
#                  before throughout, the database opens and dumps cleanly.
#
# Writes stress/results/stress.md (STRESS_OUT).  Takes about 3 minutes on 2
# cores.  Knobs: STRESS_PORT=22443 FLEET=1000 PROCS=64 RELOAD_SECONDS=30
# RELOAD_EVERY=2 RSS_BOUND_KB=512; NODES_SIZE=100000 NODES_BATCHES=40
# NODES_CHANGES=100 NODES_EVERY=0.25 BIG=1000000 PROV_ACL=$BUILD/prov-acl.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
nginx=${NGINX_BIN:-/usr/sbin/nginx}
module=${MODULE:-$root/build/ngx_http_prov_module.so}
build=${BUILD:-$root/build}
dir=${STRESS_DIR:-$build/stress}
out=${STRESS_OUT:-$root/stress/results/stress.md}
port=${STRESS_PORT:-22443}
fleet=${FLEET:-1000}
procs=${PROCS:-64}
reload_seconds=${RELOAD_SECONDS:-30}
reload_every=${RELOAD_EVERY:-2}
rss_bound_kb=${RSS_BOUND_KB:-512}

client=(perl "$root/stress/client.pl")
started=$EPOCHREALTIME

[ -f "$module" ] || { echo "$0: $module not found: make module" >&2; exit 1; }
perl -MIO::Socket::SSL -e 1 2> /dev/null \
    || { echo "$0: needs IO::Socket::SSL (libio-socket-ssl-perl)" >&2; exit 1; }

log() { echo "stress: $*" >&2; }

# nodes, missed-batch, killed-import: nodes_scenarios, stop_nodes
# shellcheck source=stress/nodes.sh
. "$root/stress/nodes.sh"

# --- our nginx -----------------------------------------------------------

ngx() { "$nginx" -p "$dir" -c "$dir/nginx.conf" "$@"; }

master() { cat "$dir/nginx.pid"; }

workers() { cat /proc/"$(master)"/task/*/children 2> /dev/null | tr ' ' '\n' \
                | sed '/^$/d' | sort -n; }

fds() { ls /proc/"$1"/fd 2> /dev/null | wc -l; }

rss() { awk '/^VmRSS/ { print $2 }' /proc/"$1"/status; }

load_pid=

stop() {
    local m
    if [ -n "$load_pid" ]; then
        kill -TERM "$load_pid" 2> /dev/null || true
        wait "$load_pid" 2> /dev/null || true
    fi
    chmod 755 "$dir/profiles/devices" 2> /dev/null || true
    if declare -F stop_nodes > /dev/null; then
        stop_nodes
    fi
    [ -f "$dir/nginx.pid" ] || return 0
    m=$(master)
    # ours: a master process started with our prefix (not a reused pid)
    tr '\0' ' ' 2> /dev/null < /proc/"$m"/cmdline \
        | grep -q "master process.* -p $dir " || return 0
    ngx -s stop 2> /dev/null || kill -TERM "$m"
    for _ in $(seq 100); do
        kill -0 "$m" 2> /dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$m" 2> /dev/null || true
}
trap stop EXIT

if [ -f "$dir/nginx.pid" ]; then
    log "stopping the nginx left running by an earlier run"
    stop
fi

# --- access list and generation -----------------------------------------

# write_acl GEN EXCLUDED [broken]: the reload devices r0..r7 but EXCLUDED
# (left out in even generations, listed "deny" in odd ones), the special
# devices and the fleet allowed; "broken" puts a bad line 3 in it
write_acl() {
    local gen=$1 ex=$2 broken=${3:-} name mac
    {
        echo "# generation $gen: $ex excluded"
        echo "# id          action"
        [ -z "$broken" ] || echo "020000010099  alow    # a typo, on purpose"
        while IFS=$'\t' read -r name mac; do
            if [ "$name" != "$ex" ]; then
                echo "$mac  allow   name=$name"
            elif [ $((gen % 2)) -eq 1 ]; then
                echo "$mac  deny    name=$name"
            fi
        done < "$dir/devices.tsv"
    } > "$dir/devices.acl.new"
    mv "$dir/devices.acl.new" "$dir/devices.acl"
}

write_gen() {
    echo "add_header  X-Prov-Gen  $1  always;" > "$dir/gen.conf.new"
    mv "$dir/gen.conf.new" "$dir/gen.conf"
}

# reload: nginx -s reload, then wait until it took effect: a new worker runs
# and every worker of before is gone or shutting down (its listening sockets
# closed).  Sets signalled_at and done_at (epoch seconds) and took (ms);
# 1 on time-out.
reload() {
    local before w new old t0
    before=" $(workers | tr '\n' ' ')"
    t0=$EPOCHREALTIME
    signalled_at=$t0
    ngx -s reload 2>> "$dir/logs/signal.log"
    for _ in $(seq 200); do
        new=0
        old=0
        for w in $(workers); do
            if [[ $before != *" $w "* ]]; then
                new=$((new + 1))
            elif ! tr '\0' ' ' 2> /dev/null < /proc/"$w"/cmdline \
                    | grep -q 'shutting down'; then
                old=$((old + 1))
            fi
        done
        if [ "$new" -gt 0 ] && [ "$old" -eq 0 ]; then
            done_at=$EPOCHREALTIME
            took=$(perl -e 'printf "%.0f", ($ARGV[1] - $ARGV[0]) * 1000' \
                        "$t0" "$done_at")
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# probe SPEC...: client.pl probe, its lines in probe.out and probes.log
probe() {
    local rc=0
    "${client[@]}" probe "$dir" "$port" "$@" > "$dir/probe.out" || rc=$?
    cat "$dir/probe.out" >> "$dir/probes.log"
    return $rc
}

wait_port() {
    for _ in $(seq 100); do
        (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && return 0
        sleep 0.1
    done
    echo "$0: nothing listens on 127.0.0.1:$port" >&2
    return 1
}

# wait_idle PID... : until each worker has the descriptors it had at rest
# (fds_at_rest[pid]), at most 10 s
wait_idle() {
    local p busy
    for _ in $(seq 100); do
        busy=0
        for p in "$@"; do
            [ "$(fds "$p")" -le "${fds_at_rest[$p]}" ] || busy=1
        done
        [ $busy -eq 0 ] && return 0
        sleep 0.1
    done
}

# --- results -------------------------------------------------------------

rows=()
failed=0

# verdict SCENARIO PASS|FAIL FIGURES
verdict() {
    rows+=("| $1 | $2 | $3 |")
    [ "$2" = pass ] || failed=$((failed + 1))
    log "$1: $2: $3"
}

fig() {   # fig KEY FIGURES: the value of KEY= in a check line
    sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<< "$2"
}

# --- set up --------------------------------------------------------------

umask 022
rm -rf "$dir"
mkdir -p "$dir/logs" "$dir/tmp" "$dir/records" "$(dirname "$out")"
chmod 755 "$dir"

log "a throwaway PKI: $fleet fleet devices and 11 others, each its own key"
t=$EPOCHREALTIME
"${client[@]}" pki "$dir" "$fleet"
pki_s=$(perl -e 'printf "%.1f", $ARGV[1] - $ARGV[0]' "$t" "$EPOCHREALTIME")

user=
if [ "$(id -u)" -eq 0 ]; then
    user="user  nobody nogroup;      # root reads chmod 000 files: not nobody"
fi

sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" -e "s|@MODULE@|$module|g" \
    -e "s|@USER@|$user|" "$root/stress/nginx.conf" > "$dir/nginx.conf"

gen=0
write_acl 0 r0
write_gen 0
echo "0 r0 0 0" > "$dir/gens"

ngx -t -q
ngx
wait_port

m_fds0=$(fds "$(master)")
m_rss0=$(rss "$(master)")

# --- reload under load ---------------------------------------------------

log "reload: 8 devices fetching for $reload_seconds s, a reload every $reload_every s"

"${client[@]}" load "$dir" "$port" "$dir/records/reload" reload \
    devs=r0,r1,r2,r3,r4,r5,r6,r7 duration="$reload_seconds" &
load_pid=$!
t0=$EPOCHREALTIME
reloads=0
probes_failed=0
reload_timeouts=0
took_max=0
took_sum=0

while :; do
    next=$(perl -e 'printf "%.3f", $ARGV[0] + $ARGV[1] * ($ARGV[2] + 1)' \
                "$t0" "$reload_every" "$gen")
    # the last reload must complete while the clients still fetch
    perl -e 'exit($ARGV[0] + 1 < $ARGV[1] + $ARGV[2] ? 0 : 1)' \
         "$next" "$t0" "$reload_seconds" || break
    perl -MTime::HiRes=sleep -e 'my $d = $ARGV[0] - $ARGV[1]; sleep $d if $d > 0' \
         "$next" "$EPOCHREALTIME"

    gen=$((gen + 1))
    ex=r$((gen % 8))
    back=r$(((gen - 1) % 8))
    write_acl "$gen" "$ex"
    write_gen "$gen"
    if ! reload; then
        log "reload $gen did not complete in 10 s"
        reload_timeouts=$((reload_timeouts + 1))
        continue
    fi
    reloads=$((reloads + 1))
    took_sum=$((took_sum + took))
    [ "$took" -le "$took_max" ] || took_max=$took
    echo "$gen $ex $done_at $signalled_at" >> "$dir/gens"
    # the master's memory once reloads have warmed it up
    [ "$gen" -ne 3 ] || m_rss_warm=$(rss "$(master)")

    # a fresh connection after the reload completed: removed, re-added
    probe gen="$gen" "$ex=403" "$back=own" || {
            probes_failed=$((probes_failed + 1))
            sed 's/^/  /' "$dir/probe.out" >&2
        }
done

ok=pass
wait "$load_pid" || { ok=FAIL; log "the clients failed"; }
load_pid=

r=$("${client[@]}" check "$dir" "$dir/records/reload" reload "$dir/gens") \
    || ok=FAIL
[ "$probes_failed" -eq 0 ] && [ "$reload_timeouts" -eq 0 ] \
    && [ "$reloads" -gt 0 ] || ok=FAIL
verdict reload "$ok" "$(fig requests "$r") requests in $(fig seconds "$r") s \
($(fig own "$r") own profile, $(fig status_403 "$r") 403 while excluded), \
$(fig failures "$r") failed; $reloads reloads ($reload_timeouts timed out), \
completed in $((took_sum / (reloads > 0 ? reloads : 1))) ms on average, $took_max ms at most; \
$((reloads * 2)) fresh-connection probes after them, $probes_failed failed; \
$(fig old_gen "$r") answers by an old generation after a reload was \
signalled, judged by its list ($(fig old_worker "$r") of them after the reload \
completed, on connections opened before); $(fig retried "$r") requests repeated \
on a new connection after an old worker closed an idle one"

# --- a reload with a broken access list ----------------------------------

log "broken-acl: a bad line 3 in the access list, under load"

"${client[@]}" load "$dir" "$port" "$dir/records/broken" reload \
    devs=r0,r1,r2,r3,r4,r5,r6,r7 duration=8 &
load_pid=$!
sleep 2

ok=pass
notes=()
ex=r$((gen % 8))
other=r$(((gen + 1) % 8))
write_acl "$((gen + 1))" "$other" broken
write_gen "$((gen + 1))"

if t_out=$(ngx -t 2>&1); then
    ok=FAIL
    notes+=("nginx -t accepted the broken list")
elif ! grep -q "devices\.acl:3: " <<< "$t_out"; then
    ok=FAIL
    notes+=("nginx -t did not name devices.acl:3")
fi
emerg=$(grep -m1 'devices\.acl:3: ' <<< "$t_out" \
        | sed -E 's/.*\] ([0-9]+#[0-9]+: )?//' || true)

# "nginx -s reload" reads the configuration before it signals the master:
# it fails and says where
if s_out=$(ngx -s reload 2>&1); then
    ok=FAIL
    notes+=("nginx -s reload signalled the master")
elif ! grep -q "devices\.acl:3: " <<< "$s_out"; then
    ok=FAIL
    notes+=("nginx -s reload did not name devices.acl:3")
fi

# the master, signalled directly (kill -HUP, as an init script may), tries
# and keeps the old configuration
log_size=$(stat -c %s "$dir/logs/error.log")
before=$(workers | tr '\n' ' ')
kill -HUP "$(master)"
named=no
for _ in $(seq 50); do
    if tail -c +"$((log_size + 1))" "$dir/logs/error.log" \
            | grep -q 'emerg.*devices\.acl:3: '; then
        named=yes
        break
    fi
    sleep 0.1
done
[ $named = yes ] || { ok=FAIL; notes+=("the error log does not name devices.acl:3"); }
sleep 1
after=$(workers | tr '\n' ' ')
if [ "$before" != "$after" ]; then
    ok=FAIL
    notes+=("workers changed: $before -> $after")
fi
for w in $after; do
    if tr '\0' ' ' 2> /dev/null < /proc/"$w"/cmdline \
            | grep -q 'shutting down'; then
        ok=FAIL
        notes+=("worker $w shuts down")
    fi
done

# the old generation, with its list, keeps serving fresh connections
probe gen="$gen" "$ex=403" "$other=own" \
    || { ok=FAIL; notes+=("$(tr '\n' ';' < "$dir/probe.out")"); }
old_gen=$gen

# and a good list loads again
gen=$((gen + 1))
write_acl "$gen" "$other"
write_gen "$gen"
if reload; then
    echo "$gen $other $done_at $signalled_at" >> "$dir/gens"
    probe gen="$gen" "$other=403" "$ex=own" \
        || { ok=FAIL; notes+=("$(tr '\n' ';' < "$dir/probe.out")"); }
else
    ok=FAIL
    notes+=("the good list did not reload")
fi

wait "$load_pid" || { ok=FAIL; notes+=("the clients failed"); }
load_pid=
r=$("${client[@]}" check "$dir" "$dir/records/broken" reload "$dir/gens") \
    || ok=FAIL

m_fds1=$(fds "$(master)")
m_rss1=$(rss "$(master)")
[ "$m_fds1" -eq "$m_fds0" ] \
    || { ok=FAIL; notes+=("master descriptors $m_fds0 -> $m_fds1"); }

verdict broken-acl "$ok" "nginx -t and nginx -s reload fail: \`$emerg\`; \
the master, sent SIGHUP, logs it too, starts no worker, and generation \
$old_gen keeps serving; $(fig requests "$r") requests meanwhile, \
$(fig failures "$r") failed; then a good list reloaded (generation $gen)\
${notes[*]:+; ${notes[*]}}"

# --- missing and unreadable profiles --------------------------------------

log "profiles: missing, chmod 000, a directory, an unreadable folder"

declare -A mac
while IFS=$'\t' read -r name m; do
    mac[$name]=$m
done < "$dir/devices.tsv"

ok=pass
pdir=$dir/profiles/devices
# s1: no file.  s2: its profile, chmod 000.  s3: a directory in its place.
chmod 000 "$pdir/${mac[s2]}.cfg"
mkdir "$pdir/${mac[s3]}.cfg"

probe s1=404 s1:/fb/any=fallback \
      "s2=403|404|fallback" "s2:/fb/any=403|404|fallback" \
      s3=404 s3:/fb/any=fallback || ok=FAIL
cp "$dir/probe.out" "$dir/profiles.out"

# the whole folder unreadable: every device gets 404 or the fallback
chmod 000 "$pdir"
probe "f0001=403|404|fallback" "f0001:/fb/any=403|404|fallback" || ok=FAIL
chmod 755 "$pdir"
cat "$dir/probe.out" >> "$dir/profiles.out"
sed 's/^/  /' "$dir/profiles.out" >&2
# a 403 for the chmod 000 file is the static module's, which says why
grep -q '^ok s2 .*/spa962_.* 403 gen' "$dir/profiles.out" \
    && ! grep -q 'open() .*/profiles/devices/.* failed (13: Permission denied)' \
            "$dir/logs/error.log" \
    && { ok=FAIL; echo "  403 for s2 without a logged open() failure" >&2; }

verdict profiles "$ok" "$(awk '{ printf "%s%s %s: %s", (NR > 1 ? "; " : ""), $2, $3, $4 }' \
    "$dir/profiles.out" | sed -e "s|/spa962_[0-9a-f]*\\.cfg|own URI|g" \
                          -e 's|/fb/any|/fb/|g') \
(s1 no file, s2 chmod 000, s3 a directory, f0001 with the folder chmod 000)"

# --- the fleet ------------------------------------------------------------

log "fleet: $fleet devices, $procs parallel clients, two rounds"

ok=pass
notes=()
declare -A fds_at_rest
ws=$(workers | tr '\n' ' ')
for w in $ws; do
    fds_at_rest[$w]=$(fds "$w")
done
fd0=$(for w in $ws; do fds "$w"; done | paste -sd/)
rss0=$(for w in $ws; do rss "$w"; done | paste -sd/)

round() {   # round N: sets r, t (seconds), fdN, rssN
    local t1=$EPOCHREALTIME
    "${client[@]}" load "$dir" "$port" "$dir/records/fleet$1" fleet \
        procs="$procs" rounds=1 || { ok=FAIL; notes+=("clients of round $1 failed"); }
    t=$(perl -e 'printf "%.1f", $ARGV[1] - $ARGV[0]' "$t1" "$EPOCHREALTIME")
    r=$("${client[@]}" check "$dir" "$dir/records/fleet$1" fleet) \
        || { ok=FAIL; notes+=("round $1 failed"); }
    # shellcheck disable=SC2086
    wait_idle $ws
}

round 1
r1=$r t1=$t
fd1=$(for w in $ws; do fds "$w"; done | paste -sd/)
rss1=$(for w in $ws; do rss "$w"; done | paste -sd/)
round 2
r2=$r t2=$t
fd2=$(for w in $ws; do fds "$w"; done | paste -sd/)
rss2=$(for w in $ws; do rss "$w"; done | paste -sd/)

[ "$(workers | tr '\n' ' ')" = "$ws" ] || { ok=FAIL; notes+=("the workers changed"); }
[ "$fd0" = "$fd1" ] && [ "$fd1" = "$fd2" ] \
    || { ok=FAIL; notes+=("descriptors grew"); }
growth=$(perl -e '
    my @a = split m{/}, $ARGV[0]; my @b = split m{/}, $ARGV[1];
    my $max = 0;
    for (0 .. $#a) { my $d = $b[$_] - $a[$_]; $max = $d if $d > $max }
    print $max' "$rss1" "$rss2")
[ "$growth" -le "$rss_bound_kb" ] \
    || { ok=FAIL; notes+=("RSS grew by $growth KB in round 2"); }

verdict fleet "$ok" "round 1: $(fig requests "$r1") requests on $fleet \
connections in $t1 s, $(fig failures "$r1") failed; round 2: $(fig requests "$r2") \
in $t2 s, $(fig failures "$r2") failed; worker descriptors $fd0 -> $fd1 -> $fd2; \
worker RSS KB $rss0 -> $rss1 -> $rss2 (round 2 grew $growth KB at most, bound \
$rss_bound_kb)${notes[*]:+; ${notes[*]}}"

# --- the counters ---------------------------------------------------------

# prov_status counts each gated request once, in a zone shared by the
# workers and kept across reloads: its total must be every answer the
# clients and probes got (none went unanswered but those refused by TLS)
answered=$(cat "$dir"/records/* | awk -F'\t' '$5 ~ /^[0-9]+$/' | wc -l)
probed=$(awk '$4 ~ /^([0-9]+|own|fallback|OTHER.*)$/' "$dir/probes.log" | wc -l)
if total=$("${client[@]}" status "$dir" "$port"); then
    [ "$total" -eq $((answered + probed)) ] && ok=pass || ok=FAIL
else
    total="no answer"
    ok=FAIL
fi
verdict counters "$ok" "prov_status total $total over $((reloads + 1)) reloads \
and a failed one: answers counted by the clients $answered + probes $probed"

# --- no crash anywhere ----------------------------------------------------

crash=$(grep -E -c 'signal|exited on' "$dir/logs/error.log" || true)
m_growth=$((m_rss1 - ${m_rss_warm:-$m_rss1}))
if [ "$crash" -eq 0 ] && [ "$m_growth" -le "$rss_bound_kb" ]; then
    ok=pass
else
    ok=FAIL
    grep -E 'signal|exited on' "$dir/logs/error.log" | head >&2 || true
fi
verdict no-crash "$ok" "$crash error log lines with \"signal\" or \"exited on\"; \
master descriptors $m_fds0 -> $m_fds1 over $((reloads + 1)) reloads and a failed \
one, master RSS KB $m_rss0 at start, ${m_rss_warm:-?} after reload 3, $m_rss1 at \
the end (bound $rss_bound_kb above reload 3)"

stop

# --- several nodes, one source of truth -----------------------------------

nodes_scenarios

# --- report ---------------------------------------------------------------

elapsed=$(perl -e 'printf "%.0f", $ARGV[1] - $ARGV[0]' "$started" "$EPOCHREALTIME")
rev=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo unknown)
git -C "$root" diff --quiet HEAD -- config ngx_http_prov_module tools 2> /dev/null \
    || rev="$rev with uncommitted changes to the module"

{
    echo "# make stress"
    echo
    echo "$(date -u +%Y-%m-%d), nginx $("$nginx" -v 2>&1 | sed 's/.*nginx\///'),"
    echo "$(openssl version | awk '{ print "OpenSSL " $2 }'), module $rev,"
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
    echo "$(nproc) cores ($cpu),"
    echo "workers as $([ -n "$user" ] && echo nobody || id -un);"
    echo "PKI of $((fleet + 11)) device"
    echo "certificates made in $pki_s s; whole run $elapsed s."
    echo "FLEET=$fleet PROCS=$procs RELOAD_SECONDS=$reload_seconds"
    echo "RELOAD_EVERY=$reload_every RSS_BOUND_KB=$rss_bound_kb"
    echo "NODES_SIZE=$nodes_size NODES_BATCHES=$nodes_batches"
    echo "NODES_CHANGES=$nodes_changes NODES_EVERY=$nodes_every BIG=$big."
    echo "What each scenario does and how it is judged: stress/stress.sh,"
    echo "stress/nodes.sh (nodes, missed-batch, killed-import)."
    echo
    echo "| scenario | verdict | figures |"
    echo "|---|---|---|"
    printf '%s\n' "${rows[@]}"
} > "$out"

cat "$out"
log "wrote $out in $elapsed s"

if [ "$failed" -ne 0 ]; then
    log "$failed scenario(s) failed"
    exit 1
fi
