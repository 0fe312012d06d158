#!/bin/bash
# Usage: scripts/run-fuzz.sh SRC_DIR BUILD_DIR SECONDS [TARGET...]
#
# Builds the libFuzzer targets (fuzz/*.c, scripts/build-fuzz.sh) against
# Debian's nginx source, unpacked once into SRC_DIR (scripts/nginx-source.sh),
# into BUILD_DIR, then for each target,
# one after the other:
#   1. replays fuzz/corpus/<target>/: the seeds and every input that once
#      crashed it; any failure fails the run;
#   2. fuzzes for SECONDS, from a working corpus BUILD_DIR/corpus/<target>/
#      that keeps growing across runs.
# A crash leaves its input in BUILD_DIR/crashes/<target>/ and fails the
# run: fix the module, then add the input to fuzz/corpus/<target>/.

set -euo pipefail

src_dir=$1
build=$(mkdir -p "$2" && cd "$2" && pwd)
seconds=$3
shift 3
module_dir=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -eq 0 ]; then
    for src in "$module_dir"/fuzz/*.c; do
        set -- "$@" "$(basename "$src" .c)"
    done
fi

nginx_src=$(bash "$module_dir/scripts/nginx-source.sh" "$src_dir")

bash "$module_dir/scripts/build-fuzz.sh" "$nginx_src" "$build" "$@"

# a report names the line; leaks are errors
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

summary=()
failed=0

for target in "$@"; do
    fuzzer="$build/$target"
    seeds="$module_dir/fuzz/corpus/$target"
    corpus="$build/corpus/$target"
    crashes="$build/crashes/$target"
    log="$build/$target.log"

    mkdir -p "$corpus" "$crashes"

    echo "fuzz $target: replaying $seeds" >&2

    if ! "$fuzzer" -timeout=10 "$seeds"/* > "$log.replay" 2>&1; then
        tail -40 "$log.replay" >&2
        echo "fuzz $target: a corpus input fails, see $log.replay" >&2
        failed=1
        continue
    fi

    echo "fuzz $target: $seconds s" >&2

    if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 \
                   -print_final_stats=1 -artifact_prefix="$crashes/" \
                   "$corpus" "$seeds" > "$log" 2>&1
    then
        tail -60 "$log" >&2
        echo "fuzz $target: failed, input in $crashes/, log $log" >&2
        failed=1
        continue
    fi

    # "#123<tab>DONE   cov: 456 ft: 789 corp: 12/345b ..." and the final stats
    done_line=$(grep -a 'DONE ' "$log" | tail -1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")

    cov=$(echo "$done_line" | grep -o 'cov: [0-9]* ft: [0-9]* corp: [^ ]*' \
          || true)

    summary+=("$target: ${execs:-?} runs, ${rate:-?} exec/s, ${cov:-?}")
done

for line in "${summary[@]}"; do
    echo "fuzz $line"
done

exit $failed
