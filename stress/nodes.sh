# stress/nodes.sh: sourced by stress/stress.sh (make stress), after its
# own nginx stopped; uses its dir, PKI, client, log, verdict, fig.
#
# Several nodes, one source of truth: three nginx nodes, each with its own
# LMDB access list (prov_acl lmdb:PATH) on its own port (STRESS_PORT + 1,
# + 2, + 3), fed the same change stream by prov-acl while every load device
# fetches from every node over kept-alive TLS (stress/client.pl load
# nodes: 8 devices x 3 nodes, connections of 20 to 220 requests, kept
# across refusals).  The stream is what stress/feed.pl, the provider's
# system, publishes: a whole list at serial 1 (NODES_SIZE devices of its
# own, 100,000, plus the fleet and the load devices), imported by each node
# before it starts ("prov-acl --serial 1 import"), then NODES_BATCHES (40)
# batches of NODES_CHANGES (100) changes, serials 2.., one every
# NODES_EVERY (0.25) s, applied to each node in turn ("prov-acl --serial S
# apply"); each batch turns one of the load devices r0..r5 from allowed to
# refused ("deny" or deleted) or back.  Node 3 imports the whole list
# published at the middle serial instead of applying that batch.
#
#   nodes          every answer is what the list of that node owes the
#                  device at that moment (stress/client.pl check nodes:
#                  judged by the timeline of the changes each node
#                  applied; a request sent after a change returned must
#                  get what the new list owes, so a device refused by a
#                  batch is refused by that node from its next request on,
#                  also on a connection it kept alive; an allowed device is
#                  never refused); zero failed requests; the same master
#                  and worker pids on every node from start to end (no
#                  reload, no respawn) and no crash, alert or emerg in
#                  their logs (reported, not judged: the time from a
#                  change's prov-acl returning to the device's first
#                  refusal, negative when the refusal came first, as a
#                  commit is seen before prov-acl has closed the database
#                  and exited); once the stream is applied, the three
#                  nodes' "prov-acl dump" are identical and are the
#                  provider's list (field by field), and prov_status says
#                  the same serial on every node, in JSON and in
#                  Prometheus' text.
#   missed-batch   the next batch reaches nodes 1 and 2 only: node 3's
#                  prov_status (JSON and Prometheus) shows the serial
#                  before, its dump differs (it is the list before the
#                  batch); replaying the feed on it from the batch before
#                  (already applied: refused, non-zero exit, its generation
#                  unchanged), then the missed one (accepted) converges it:
#                  dumps identical, serials equal.  The clients fetch all
#                  the while, and node 3 is judged by its own list.
#   killed-import  on node 1, under the same load, prov-acl imports a
#                  whole list of BIG (10^6) devices in which every load
#                  device's verdict is turned over, and is killed with
#                  SIGKILL three times (stress/killer.pl, which watches it):
#                  after reading half of the list from a pipe (it has read
#                  every byte given and waits for more), once it has read
#                  the whole list from its file (it checks a whole list
#                  before it writes), and as soon as the database file
#                  grows (its commit writing the pages).  Throughout, node 1
#                  serves the previous list (every answer judged by it);
#                  afterwards "prov-acl stat" and "prov-acl dump" run
#                  cleanly on it, the dump is the previous list (that of
#                  node 2) and prov_status's serial, generation and devices
#                  are unchanged.  Then the same import, not killed, takes
#                  (its time is reported) and node 1 serves the new list at
#                  once; nodes 2 and 3 import it too and all three dumps
#                  and serials are equal again.
#
# Knobs: NODES_SIZE=100000 NODES_BATCHES=40 NODES_CHANGES=100
# NODES_EVERY=0.25 BIG=1000000; PROV_ACL (default $BUILD/prov-acl).

prov_acl=${PROV_ACL:-$build/prov-acl}
nodes_size=${NODES_SIZE:-100000}
nodes_batches=${NODES_BATCHES:-40}
nodes_changes=${NODES_CHANGES:-100}
nodes_every=${NODES_EVERY:-0.25}
big=${BIG:-1000000}

feed=$dir/feed
node_port=("" $((port + 1)) $((port + 2)) $((port + 3)))
feeder=(perl "$root/stress/feed.pl")
timeline=$dir/timeline
nodes_load_pid=

ndir() { echo "$dir/node$1"; }

nngx() {
    local n=$1
    shift
    "$nginx" -p "$(ndir "$n")" -c "$(ndir "$n")/nginx.conf" "$@"
}

# the master's pid and its workers', sorted: "master: w1 w2"
npids() {
    local m
    m=$(cat "$(ndir "$1")/nginx.pid" 2> /dev/null) || { echo none; return; }
    echo "$m: $(cat /proc/"$m"/task/*/children 2> /dev/null | tr ' ' '\n' \
                | sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//')"
}

stop_node() {
    local m f
    f=$(ndir "$1")/nginx.pid
    [ -f "$f" ] || return 0
    m=$(cat "$f")
    tr '\0' ' ' 2> /dev/null < /proc/"$m"/cmdline \
        | grep -q "master process.* -p $(ndir "$1") " || return 0
    kill -TERM "$m" 2> /dev/null || true
    for _ in $(seq 100); do
        kill -0 "$m" 2> /dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$m" 2> /dev/null || true
}

stop_nodes() {
    if [ -n "$nodes_load_pid" ]; then
        kill -TERM "$nodes_load_pid" 2> /dev/null || true
        wait "$nodes_load_pid" 2> /dev/null || true
        nodes_load_pid=
    fi
    for n in 1 2 3; do
        stop_node "$n"
    done
}

# change N SERIAL import|apply FILE: prov-acl on node N, its start, return
# and exit status into the timeline; its exit status
change() {
    local n=$1 serial=$2 how=$3 file=$4 t0 rc=0
    t0=$EPOCHREALTIME
    "$prov_acl" --serial "$serial" "$how" "$(ndir "$n")/devices.db" "$file" \
        > "$dir/change.out" 2>&1 || rc=$?
    echo "${node_port[$n]} $serial $t0 $EPOCHREALTIME $rc" >> "$timeline"
    [ "$rc" -eq 0 ] || sed "s/^/  node$n: /" "$dir/change.out" >&2
    return "$rc"
}

# acl_status N: stress/client.pl acl-status of node N into $st
acl_status() {
    st=$("${client[@]}" acl-status "$dir" "${node_port[$1]}" 2>&1) \
        || st="error: $st"
}

# serials_equal SERIAL N...: JSON and Prometheus say SERIAL on each node N,
# and that its workers read the list; sets serial_note
serials_equal() {
    local want=$1 n ok=0
    shift
    serial_note=
    for n in "$@"; do
        acl_status "$n"
        if [ "$(fig json_serial "$st")" != "$want" ] \
           || [ "$(fig prom_serial "$st")" != "$want" ] \
           || [ "$(fig json_available "$st")" != 1 ] \
           || [ "$(fig prom_available "$st")" != 1 ]; then
            ok=1
            serial_note+="node$n: $st (not serial $want); "
        fi
    done
    return $ok
}

# dump N: prov-acl dump of node N into $dir/dump.N, 1 on failure
dump() {
    "$prov_acl" dump "$(ndir "$1")/devices.db" > "$dir/dump.$1" \
        2> "$dir/dump.$1.err"
}

# same_as_model N SERIAL: node N's dump is the provider's list at SERIAL
same_as_model() {
    "${feeder[@]}" norm "$dir/dump.$1" | cmp -s - "$feed/model-$2.txt"
}

nodes_scenarios() {
    local n s last mid ok notes=() pids0=() pids1=() r t0 t1 how file rc

    [ -x "$prov_acl" ] || {
        verdict nodes FAIL "$prov_acl not found: make builds it"
        return
    }

    last=$((nodes_batches + 1))      # the batch node 3 misses
    mid=$((nodes_batches / 2 + 1))   # node 3 imports this serial's snapshot
    : > "$timeline"

    log "nodes: the provider's feed: $nodes_size devices, $nodes_batches batches of $nodes_changes changes"
    "${feeder[@]}" feed "$feed" "$dir/devices.tsv" "$nodes_size" \
        "$nodes_batches" "$nodes_changes" "$mid"
    log "nodes: a whole list of $big devices for killed-import"
    "${feeder[@]}" big "$feed" "$dir/devices.tsv" "$big" $((last + 1))

    # --- three nodes, each its own database ------------------------------

    for n in 1 2 3; do
        mkdir -p "$(ndir "$n")/logs" "$(ndir "$n")/tmp"
        change "$n" 1 import "$feed/snapshot-1.acl" \
            || { verdict nodes FAIL "node$n: the first import failed"; return; }
        sed -e "s|@NODE@|node$n|g" -e "s|@NDIR@|$(ndir "$n")|g" \
            -e "s|@DIR@|$dir|g" -e "s|@PORT@|${node_port[$n]}|g" \
            -e "s|@MODULE@|$module|g" -e "s|@USER@|$user|" \
            "$root/stress/node.conf" > "$(ndir "$n")/nginx.conf"
        if ! nngx "$n" -t -q 2> "$dir/node-t.out" || ! nngx "$n"; then
            verdict nodes FAIL "node$n does not start: $(head -3 "$dir/node-t.out")"
            return
        fi
    done
    for n in 1 2 3; do
        port=${node_port[$n]} wait_port
        pids0[$n]=$(npids "$n")
    done

    log "nodes: 8 devices fetching from each node; the stream, a batch every $nodes_every s"
    rm -f "$dir/nodes.stop"
    "${client[@]}" load "$dir" "$port" "$dir/records/nodes" nodes \
        ports="${node_port[1]},${node_port[2]},${node_port[3]}" \
        devs=r0,r1,r2,r3,r4,r5,r6,r7 duration=600 until="$dir/nodes.stop" &
    nodes_load_pid=$!
    sleep 1

    ok=pass
    for s in $(seq 2 $((last - 1))); do
        for n in 1 2 3; do
            if [ "$n" -eq 3 ] && [ "$s" -eq "$mid" ]; then
                how=import file=$feed/snapshot-$s.acl
            else
                how=apply file=$feed/batch-$s.txt
            fi
            change "$n" "$s" "$how" "$file" \
                || { ok=FAIL; notes+=("node$n: $how of serial $s failed"); }
        done
        sleep "$nodes_every"
    done

    # converged: the same dump, the provider's list, the same serial
    for n in 1 2 3; do
        dump "$n" || { ok=FAIL; notes+=("node$n: dump failed"); }
    done
    if ! cmp -s "$dir/dump.1" "$dir/dump.2" || ! cmp -s "$dir/dump.1" "$dir/dump.3"
    then
        ok=FAIL
        notes+=("the dumps differ")
    fi
    same_as_model 1 $((last - 1)) \
        || { ok=FAIL; notes+=("node1's dump is not the provider's list"); }
    serials_equal $((last - 1)) 1 2 3 || { ok=FAIL; notes+=("$serial_note"); }
    acl_status 1
    converged="$(wc -l < "$dir/dump.1") devices, dumps identical and the \
provider's list, serial $(fig json_serial "$st") on all three (JSON and \
Prometheus; generation $(fig json_generation "$st") on node 1)"
    nodes_ok=$ok
    nodes_notes=("${notes[@]}")

    # --- a node misses a batch ------------------------------------------

    log "missed-batch: batch $last reaches nodes 1 and 2, not 3"
    ok=pass
    notes=()
    change 1 "$last" apply "$feed/batch-$last.txt" || { ok=FAIL; notes+=("node1 refused $last"); }
    change 2 "$last" apply "$feed/batch-$last.txt" || { ok=FAIL; notes+=("node2 refused $last"); }
    serials_equal "$last" 1 2 || { ok=FAIL; notes+=("$serial_note"); }
    serials_equal $((last - 1)) 3 || { ok=FAIL; notes+=("$serial_note"); }
    acl_status 3
    behind="node 3 at serial $(fig json_serial "$st") (Prometheus \
$(fig prom_serial "$st")), nodes 1 and 2 at $last"
    gen3=$(fig json_generation "$st")
    dump 1 || true
    dump 3 || true
    if cmp -s "$dir/dump.1" "$dir/dump.3"; then
        ok=FAIL
        notes+=("node 3's dump is node 1's")
    fi
    same_as_model 3 $((last - 1)) \
        || { ok=FAIL; notes+=("node 3's dump is not the list at $((last - 1))"); }
    differ=$(diff "$dir/dump.1" "$dir/dump.3" | grep -c '^[<>]' || true)
    sleep 1

    # the feed replayed on node 3 from the batch before the missed one
    # (exit status 4: a serial not greater than the database's)
    rc=0
    refused=$(
        "$prov_acl" --serial $((last - 1)) apply "$(ndir 3)/devices.db" \
            "$feed/batch-$((last - 1)).txt" 2>&1
    ) || rc=$?
    [ "$rc" -eq 4 ] \
        || { ok=FAIL; notes+=("node 3 given serial $((last - 1)) again: exit status $rc, not 4"); }
    refused="exit status $rc, \`$(head -1 <<< "$refused" | sed "s|$dir/||g")\`"

    acl_status 3
    [ "$(fig json_generation "$st")" = "$gen3" ] \
        || { ok=FAIL; notes+=("the refused batch changed node 3's generation: $gen3 -> $(fig json_generation "$st")"); }
    change 3 "$last" apply "$feed/batch-$last.txt" \
        || { ok=FAIL; notes+=("node 3 refused the missed batch"); }
    for n in 1 2 3; do
        dump "$n" || { ok=FAIL; notes+=("node$n: dump failed"); }
    done
    if ! cmp -s "$dir/dump.1" "$dir/dump.3" || ! cmp -s "$dir/dump.1" "$dir/dump.2"
    then
        ok=FAIL
        notes+=("not converged")
    fi
    same_as_model 3 "$last" || { ok=FAIL; notes+=("node 3 is not the list at $last"); }
    serials_equal "$last" 1 2 3 || { ok=FAIL; notes+=("$serial_note"); }
    missed_ok=$ok
    missed_notes=("${notes[@]}")

    # --- prov-acl killed in the middle of an import -----------------------

    log "killed-import: $big devices into node 1, SIGKILL three times"
    ok=pass
    notes=()
    local bigf=$feed/big-$((last + 1)).acl db1 half st1 kill1 kill2 kill3
    db1=$(ndir 1)/devices.db
    acl_status 1
    st1=$st
    dump 2 || true
    t0=$EPOCHREALTIME

    # 1: half of the list through a pipe, killed waiting for the rest
    half=$(perl -e 'my $h = (-s $ARGV[0]) >> 1; open my $f, "<", $ARGV[0]
                    or die; seek $f, $h, 0; <$f>; print tell $f' "$bigf")
    rm -f "$dir/big.fifo"
    mkfifo "$dir/big.fifo"
    "$prov_acl" --serial $((last + 1)) import "$db1" - < "$dir/big.fifo" \
        > "$dir/kill1.out" 2>&1 &
    local imp=$!
    exec 7> "$dir/big.fifo"
    head -c "$half" "$bigf" >&7 &
    local writer=$!
    kill1=$(perl "$root/stress/killer.pl" input "$imp" "$half") \
        || { ok=FAIL; notes+=("pipe: $kill1"); }
    rc=0
    wait "$imp" 2> /dev/null || rc=$?   # no "Killed" line: on purpose
    exec 7>&-
    wait "$writer" 2> /dev/null || true
    [ "$rc" -eq 137 ] || { ok=FAIL; notes+=("pipe: prov-acl exit status $rc, not 137 (SIGKILL)"); }
    rm -f "$dir/big.fifo"
    kill1="$kill1 ($((half / 1048576)) MB, half the list)"
    check_killed 1

    # 2: from its file, killed once it has read the whole list
    "$prov_acl" --serial $((last + 1)) import "$db1" "$bigf" \
        > "$dir/kill2.out" 2>&1 &
    imp=$!
    kill2=$(perl "$root/stress/killer.pl" read "$imp" "$(readlink -f "$bigf")" \
                 "$db1") \
        || { ok=FAIL; notes+=("read: $kill2"); }
    rc=0
    wait "$imp" 2> /dev/null || rc=$?   # no "Killed" line: on purpose
    [ "$rc" -eq 137 ] || { ok=FAIL; notes+=("read: prov-acl exit status $rc, not 137 (SIGKILL)"); }
    check_killed 2

    # 3: killed as its commit writes the pages
    "$prov_acl" --serial $((last + 1)) import "$db1" "$bigf" \
        > "$dir/kill3.out" 2>&1 &
    imp=$!
    kill3=$(perl "$root/stress/killer.pl" commit "$imp" "$db1") \
        || { ok=FAIL; notes+=("commit: $kill3"); }
    rc=0
    wait "$imp" 2> /dev/null || rc=$?   # no "Killed" line: on purpose
    [ "$rc" -eq 137 ] || { ok=FAIL; notes+=("commit: prov-acl exit status $rc, not 137 (SIGKILL)"); }
    check_killed 3
    kill3=${kill3//$dir\//}
    t1=$EPOCHREALTIME

    # the same list, not killed, then on the other nodes too
    local ti=$EPOCHREALTIME
    change 1 $((last + 1)) import "$bigf" \
        || { ok=FAIL; notes+=("the import after the kills failed"); }
    took=$(perl -e 'printf "%.1f", $ARGV[1] - $ARGV[0]' "$ti" "$EPOCHREALTIME")
    bytes=$(stat -c %s "$db1")
    sleep 1
    for n in 2 3; do
        change "$n" $((last + 1)) import "$bigf" \
            || { ok=FAIL; notes+=("node$n: the import failed"); }
    done
    for n in 1 2 3; do
        dump "$n" || { ok=FAIL; notes+=("node$n: dump failed"); }
    done
    if ! cmp -s "$dir/dump.1" "$dir/dump.2" || ! cmp -s "$dir/dump.1" "$dir/dump.3"
    then
        ok=FAIL
        notes+=("the dumps differ after the import")
    fi
    same_as_model 1 $((last + 1)) \
        || { ok=FAIL; notes+=("node 1's dump is not the big list"); }
    serials_equal $((last + 1)) 1 2 3 || { ok=FAIL; notes+=("$serial_note"); }
    acl_status 1
    [ "$(fig json_devices "$st")" -eq "$(wc -l < "$dir/dump.1")" ] 2> /dev/null \
        || { ok=FAIL; notes+=("node 1's status says $(fig json_devices "$st") devices"); }
    killed_ok=$ok
    killed_notes=("${notes[@]}")
    sleep 1

    # --- the load's verdict ---------------------------------------------

    touch "$dir/nodes.stop"
    wait "$nodes_load_pid" || { nodes_ok=FAIL; nodes_notes+=("the clients failed"); }
    nodes_load_pid=
    r=$("${client[@]}" check "$dir" "$dir/records/nodes" nodes "$timeline" \
            "$feed/states" "${node_port[1]},$t0,$t1") \
        || nodes_ok=FAIL
    # every refusal a change owed was seen: no change went untested
    [ "$(fig refusals_seen "$r")" = "$(fig refusals_owed "$r")" ] \
        || { nodes_ok=FAIL; nodes_notes+=("refusals owed but not seen"); }
    [ "$(fig window_failures "$r")" = 0 ] && [ "$(fig window_requests "$r")" -gt 0 ] \
        || { killed_ok=FAIL; killed_notes+=("node 1's answers during the kills"); }

    for n in 1 2 3; do
        pids1[$n]=$(npids "$n")
        [ "${pids0[$n]}" = "${pids1[$n]}" ] \
            || { nodes_ok=FAIL; nodes_notes+=("node$n pids ${pids0[$n]} -> ${pids1[$n]}"); }
        if grep -E -q '\[(alert|crit|emerg)\]|signal|exited on' \
                "$(ndir "$n")/logs/error.log"; then
            nodes_ok=FAIL
            nodes_notes+=("node$n: $(grep -E -m1 '\[(alert|crit|emerg)\]|signal|exited on' "$(ndir "$n")/logs/error.log")")
        fi
    done

    verdict nodes "$nodes_ok" "$(fig requests "$r") requests in $(fig seconds "$r") s \
from 8 devices to each of 3 nodes over kept-alive TLS ($(fig own "$r") own profile, \
$(fig refused "$r") refused), $(fig failures "$r") failed, $(fig ambiguous "$r") \
answered while a change committed; $((last - 1)) serials (an import, \
$((last - 2)) batches of $nodes_changes changes, node 3 importing serial $mid's \
whole list instead), $(fig refusals_owed "$r") device refusals owed by changes \
over the whole run, $(fig refusals_seen "$r") seen, each from the device's next \
request (prov-acl's return to the first refusal: median \
$(fig refusal_ms_median "$r") ms, 99th percentile $(fig refusal_ms_p99 "$r") ms, \
max $(fig refusal_ms_max "$r") ms), $(fig kept_alive_refused "$r") times on a \
connection that had been served, $(fig kept_alive_served_again "$r") served again \
on one that had been refused; then $converged; pids unchanged \
(${pids1[1]}; ${pids1[2]}; ${pids1[3]})${nodes_notes[*]:+; ${nodes_notes[*]}}"

    verdict missed-batch "$missed_ok" "$behind; node 3's dump differs from \
node 1's by $differ lines (it is the list at $((last - 1))); replayed: serial \
$((last - 1)) refused ($refused, generation $gen3 unchanged), serial $last \
accepted: dumps identical, serial $last on all three\
${missed_notes[*]:+; ${missed_notes[*]}}"

    verdict killed-import "$killed_ok" "a $big-device import killed three \
times: $kill1; $kill2; $kill3; after each, prov-acl stat and dump ran cleanly and node 1 \
was the list before ($kill_state); $(fig window_requests "$r") requests to \
node 1 meanwhile, $(fig window_failures "$r") failed; then the import, not \
killed, took $took s ($((bytes / 1048576)) MB file) and the three nodes \
converged: $(wc -l < "$dir/dump.1") devices, serial $((last + 1))\
${killed_notes[*]:+; ${killed_notes[*]}}"

    stop_nodes
}

# check_killed K: after kill K, node 1's database opens and dumps cleanly,
# it is the list before (node 2's dump) and its status unchanged
check_killed() {
    if ! "$prov_acl" stat "$db1" > "$dir/stat.$1" 2>&1; then
        ok=FAIL
        notes+=("kill $1: prov-acl stat failed: $(head -1 "$dir/stat.$1")")
    fi
    if ! "$prov_acl" dump "$db1" > "$dir/dump.k$1" 2> "$dir/dump.k$1.err"; then
        ok=FAIL
        notes+=("kill $1: prov-acl dump failed: $(head -1 "$dir/dump.k$1.err")")
    elif ! cmp -s "$dir/dump.k$1" "$dir/dump.2"; then
        ok=FAIL
        notes+=("kill $1: node 1's dump is no longer the list before")
    fi
    acl_status 1
    [ "$st" = "$st1" ] \
        || { ok=FAIL; notes+=("kill $1: status $st1 -> $st"); }
    kill_state="serial $(fig json_serial "$st"), generation \
$(fig json_generation "$st"), $(fig json_devices "$st") devices"
}
