# bench/lib.sh: sourced by bench/compare.sh, bench/acl-load.sh and
# bench/acl-lookup.sh.  What makes a benchmark finish unattended:
#
#   spawn         starts a server in the background in a process group of
#                 its own, so that everything it forks can be found again
#   stop_server   stops it: SIGTERM to the leader once it is idle, repeated
#                 every 3 s, then SIGKILL to the whole group; a server that
#                 needed SIGKILL fails the run, with a message
#   limit         a client step under timeout(1), stopped by the traps too
#   bench_start   traps (EXIT, INT, TERM, HUP) that stop every server still
#                 running, and a watchdog that ends the whole run after
#                 BENCH_LIMIT seconds
#
# Why the repeated SIGTERM (issue 15): for callgrind, nginx runs as one
# process (master_process off).  In that mode its SIGTERM handler only sets
# ngx_terminate, which the loop tests after ngx_process_events_and_timers()
# returns; a signal handled between that test and epoll_wait() is acted on
# at the next event or timer only, and after the client's last connection
# closed there is neither: epoll_wait() waits forever.  Natively the window
# is a few instructions.  Under valgrind it is all of the processing of the
# client's close: valgrind keeps signals blocked while it runs nginx's code
# and its non-blocking system calls (close, epoll_ctl), and delivers a
# pending one at the next blocking call, epoll_wait(), before that call
# starts, which it then restarts ("not started: restarting" with
# --trace-signals=yes).  A SIGTERM sent as the client exits lands there in
# most runs; one sent to an idle nginx interrupts epoll_wait() and is acted
# on at once.  So stop_server waits until the server uses no CPU, and sends
# SIGTERM again if it is still there 3 s later.

bench_log() { echo "bench: $*" >&2; }

bench_groups=()     # process groups (leader pids) we started, not stopped yet
declare -A bench_born   # leader pid -> its start time (/proc/PID/stat, 22)

read -r _ _ _ bench_session _ < <(sed 's/^.*) //' "/proc/$$/stat")

proc_field() {   # proc_field PID N: field N of /proc/PID/stat (1 = pid)
    local s
    s=$(cat "/proc/$1/stat" 2> /dev/null) || return 1
    s=${s##*) }
    set -- "$2" $s
    local n=$1
    shift
    [ "$n" -ge 3 ] || return 1
    shift $((n - 3))
    echo "$1"
}

# the live processes of group G that are ours: in our session, started no
# earlier than G's leader (a pid, and so a group id, can be reused once the
# group is gone; a zombie is not alive: here PID 1 may not reap orphans)
group_pids() {
    perl -e '
        my ($g, $sid, $born) = @ARGV;
        for my $f (glob "/proc/[0-9]*/stat") {
            open my $h, "<", $f or next;
            my $s = <$h> // next;
            my ($pid) = $f =~ m{^/proc/(\d+)/};
            $s =~ s/^.*\) //s;
            my @f = split " ", $s;
            # @f: state ppid pgrp session ... starttime is $f[19]
            next if $f[0] eq "Z" || $f[0] eq "X";
            print "$pid\n" if $f[2] == $g && $f[3] == $sid && $f[19] >= $born;
        }' "$1" "$bench_session" "${bench_born[$1]:-0}"
}

# the leader itself: still our child and not a zombie
leader_alive() {
    local st
    st=$(proc_field "$1" 3) || return 1
    [ "$st" != Z ] && [ "$st" != X ] && [ "$(proc_field "$1" 4)" = "$$" ]
}

# CPU nanoseconds spent by the given processes, all their threads
cpu_ns() {
    local p t ns total=0
    for p in "$@"; do
        for t in /proc/"$p"/task/*/schedstat; do
            read -r ns _ < "$t" 2> /dev/null || continue
            total=$((total + ns))
        done
    done
    echo "$total"
}

# spawn LOG CMD [ARG...]: CMD in the background, output to LOG (- : ours),
# leading a process group of its own (perl's setpgrp, then exec: no fork,
# so $! is CMD's pid; taskset and Debian's valgrind script exec too).  Sets
# spawned.
spawn() {
    local log=$1
    local run=(perl -e 'setpgrp(0, 0) or die "setpgrp: $!\n";
                        exec { $ARGV[0] } @ARGV or die "$ARGV[0]: $!\n"' --)
    shift
    if [ "$log" = - ]; then
        "${run[@]}" "$@" &
    else
        "${run[@]}" "$@" > "$log" 2>&1 &
    fi
    spawned=$!
    bench_born[$spawned]=$(proc_field "$spawned" 22 || echo 0)
    bench_groups+=("$spawned")
}

# wait_idle PID TRIES: until the group used no CPU for 0.2 s (TRIES * 0.2 s
# at most)
wait_idle() {
    local i a b
    b=$(cpu_ns $(group_pids "$1"))
    for i in $(seq "$2"); do
        sleep 0.2
        a=$b
        b=$(cpu_ns $(group_pids "$1"))
        [ "$a" != "$b" ] || return 0
    done
    return 1
}

# stop_server PID WHAT [SIGNAL [now]]: stops the group PID leads.  SIGNAL
# (TERM; strace: INT) to the leader once the group is idle (not with now:
# on an error or Ctrl-C), again after 3 s, three times in all; then SIGKILL
# to every process of the group.  Returns 1, saying so, unless SIGNAL did
# it: a server that does not stop on its own fails the run.
stop_server() {
    local pid=$1 what=$2 sig=${3:-TERM} now=${4:-} try i left rc=0
    [ -n "$now" ] || wait_idle "$pid" 50 || true
    for try in 1 2 3; do
        leader_alive "$pid" || break
        kill -"$sig" "$pid" 2> /dev/null || true
        for i in $(seq 30); do
            [ -n "$(group_pids "$pid")" ] || break 2
            sleep 0.1
        done
        bench_log "$what (pid $pid) still running 3 s after SIG$sig" \
                  "number $try"
    done
    left=$(group_pids "$pid")
    if [ -n "$left" ]; then
        echo "$0: $what (pid $pid) did not stop on SIG$sig:" \
             "SIGKILL to" $left >&2
        kill -KILL $left 2> /dev/null || true
        for i in $(seq 50); do
            left=$(group_pids "$pid")
            [ -n "$left" ] || break
            sleep 0.1
        done
        [ -z "$left" ] || echo "$0: $what: processes $left survive SIGKILL" >&2
        rc=1
    elif [ "$try" -gt 1 ]; then
        bench_log "$what (pid $pid) stopped on SIG$sig number $try"
    fi
    wait "$pid" 2> /dev/null || true
    forget_group "$pid"
    return "$rc"
}

forget_group() {
    local g keep=()
    for g in "${bench_groups[@]}"; do
        [ "$g" = "$1" ] || keep+=("$g")
    done
    bench_groups=("${keep[@]}")
}

# limit SECONDS CMD [ARG...]: CMD under timeout(1): SIGTERM after SECONDS,
# SIGKILL 5 s later.  In the background, waited for with wait: a trapped
# signal (Ctrl-C) ends wait at once, where a foreground command would
# first have to finish (and Ctrl-C reaching ab, which catches SIGINT and
# exits normally, would make bash assume the signal was handled and go
# on).  timeout leads a process group of its own: the traps stop it.
limit() {
    local s=$1 rc=0 pid
    shift
    timeout -k 5 "$s" "$@" &
    pid=$!
    bench_born[$pid]=$(proc_field "$pid" 22 || echo 0)
    bench_groups+=("$pid")
    wait "$pid" || rc=$?
    forget_group "$pid"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        echo "$0: did not finish within $s s, killed: $*" >&2
    fi
    return "$rc"
}

bench_cleanup() {
    local rc=$? g
    trap - EXIT INT TERM HUP
    # a trap runs inside the redirections of the step it interrupted
    exec 2>&"$bench_stderr"
    for g in "${bench_groups[@]}"; do
        stop_server "$g" "process group $g" TERM now || rc=1
    done
    exit "$rc"
}

# bench_start SECONDS: the traps, and a watchdog that sends this shell
# SIGTERM after SECONDS (acted on at once in limit's wait, otherwise when
# the short step under way ends; the traps stop the servers)
bench_start() {
    exec {bench_stderr}>&2
    trap bench_cleanup EXIT
    trap 'bench_log "interrupted" 2>&"$bench_stderr"; exit 130' INT
    trap 'bench_log "terminated" 2>&"$bench_stderr"; exit 143' TERM
    trap 'exit 129' HUP
    spawn - perl -e '
        sleep $ARGV[0];
        print STDERR "$ARGV[2]: still running after $ARGV[0] s ",
            "(BENCH_LIMIT): stopping\n";
        kill "TERM", $ARGV[1];' "$1" "$$" "$0"
    bench_watchdog=$spawned
}
