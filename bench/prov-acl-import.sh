#!/bin/bash
# Usage: bench/prov-acl-import.sh [SIZES]   (make bench-acl; SIZES="1e6 1e7")
#
# prov-acl import at fleet scale: for each size, a shuffled list of MAC
# ids (every 10th denied, no pin, no attribute) imported into a new
# database, then another list of the same size imported over it twice
# (the file reuses the pages of the list before last: its size after the
# third import is the one it keeps), then dump.  Wall time, peak memory
# (GNU time's maximum resident set size) and the file's bytes per device.
#
# Writes bench/results/prov-acl-import.md.  Fails when an import of 10^7
# devices takes more than 60 s (IMPORT_SECONDS) or its file more than 64
# bytes per device (IMPORT_BYTES), new or replaced: issue 16's figures.
# Each step runs under timeout(1) (IMPORT_LIMIT, 600 s), the whole run
# under BENCH_LIMIT (3600 s).  Needs some 2 GB of disk space at 10^7.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tool=${PROV_ACL:-$root/build/prov-acl}
work=${BENCH_DIR:-$root/build/bench-prov-acl}
sizes=${1:-"1000000 10000000"}
out="$root/bench/results/prov-acl-import.md"
step_limit=${IMPORT_LIMIT:-600}
max_seconds=${IMPORT_SECONDS:-60}
max_bytes=${IMPORT_BYTES:-64}

. "$root/bench/lib.sh"
bench_start "${BENCH_LIMIT:-3600}"

if [ ! -x "$tool" ]; then
    echo "$0: no $tool: run make" >&2
    exit 1
fi

rm -rf "$work"
mkdir -p "$work" "$(dirname "$out")"

norm() { perl -e 'printf "%d", $ARGV[0]' "$1"; }

# make_list N SEED FILE: N distinct ids in an order of their own
make_list() {
    limit "$step_limit" perl -e '
        my ($n, $seed, $file) = @ARGV;
        open my $fh, ">", $file or die "$file: $!";
        # i * a mod 2^32 with a odd visits each of 2^32 values once
        my $a = 2654435761 + 2 * $seed;
        for my $i (0 .. $n - 1) {
            printf $fh "000e%08x %s\n", ($i * $a + $seed) % 4294967296,
                $i % 10 ? "allow" : "deny";
        }
        close $fh or die "$file: $!";
    ' "$1" "$2" "$3"
}

# timed WHAT CMD...: runs CMD, records "seconds KB" in $work/time.WHAT
timed() {
    local what=$1
    shift
    limit "$step_limit" /usr/bin/time -f '%e %M' -o "$work/time.$what" "$@"
}

fail=0
rows=()

for size in $sizes; do
    n=$(norm "$size")
    db="$work/acl.$n.mdb"

    bench_log "$n devices: making the lists"
    make_list "$n" 1 "$work/list1.$n"
    make_list "$n" 2 "$work/list2.$n"

    for step in new replaced again; do
        list="$work/list1.$n"
        [ "$step" = replaced ] && list="$work/list2.$n"
        bench_log "$n devices: import ($step)"
        timed "$step.$n" "$tool" import "$db" "$list"
        read -r secs kb < "$work/time.$step.$n"
        bytes=$(stat -c %s "$db")
        per=$(perl -e 'printf "%.1f", $ARGV[0] / $ARGV[1]' "$bytes" "$n")
        rows+=("| $n | import, $step | $secs | $((kb / 1024)) | $bytes | $per |")
        if [ "$n" -ge 10000000 ]; then
            if perl -e 'exit !($ARGV[0] > $ARGV[1])' "$secs" "$max_seconds"
            then
                echo "$0: import of $n ($step): $secs s > $max_seconds s" >&2
                fail=1
            fi
            if perl -e 'exit !($ARGV[0] > $ARGV[1])' "$per" "$max_bytes"
            then
                echo "$0: import of $n ($step): $per bytes per device" \
                     "> $max_bytes" >&2
                fail=1
            fi
        fi
    done

    bench_log "$n devices: dump"
    timed "dump.$n" sh -c '"$1" dump "$2" > "$3"' sh "$tool" "$db" \
        "$work/dump.$n"
    read -r secs kb < "$work/time.dump.$n"
    if ! sort "$work/list1.$n" | cmp -s - "$work/dump.$n"; then
        echo "$0: the dump of $n devices is not the sorted list" >&2
        fail=1
    fi
    rows+=("| $n | dump | $secs | $((kb / 1024)) | | |")

    rm -f "$work/list1.$n" "$work/list2.$n" "$work/dump.$n" "$db" "$db-lock"
done

{
    echo "# prov-acl import"
    echo
    echo "bench/prov-acl-import.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs,"
    echo "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)."
    echo "Shuffled MAC lists, every 10th device denied, no pins or attributes;"
    echo "\"new\": into a new database, \"replaced\": another list over it,"
    echo "\"again\": the first list again (the file's lasting size)."
    echo
    echo "| devices | step | seconds | peak MB | file bytes | bytes/device |"
    echo "|---:|---|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
} > "$out"

cat "$out"
exit "$fail"
