#!/bin/bash
# Usage: scripts/test-asan.sh [t/file.t ...]     (make test-asan T="t/x.t")
#
# Runs the test suite (scripts/run-tests.sh) against the nginx that
# scripts/build-asan.sh built with the module compiled in and
# AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer.  Every
# nginx process the tests start (masters, workers, "nginx -t", "-s reload")
# writes any sanitizer report into $ASAN_BUILD/reports/ instead of stderr;
# the run fails when a test fails or when any report is there, and prints
# the reports.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

asan=${ASAN_BUILD:-$root/build/asan}
nginx=$asan/sbin/nginx
reports=$asan/reports

if [ ! -x "$nginx" ]; then
    echo "no $nginx: run make test-asan (or scripts/build-asan.sh)" >&2
    exit 1
fi

rm -rf "$reports"
mkdir -p "$reports"
# workers may run as another user (user nobody / www-data in the examples):
# they must be able to create their report here
chmod 1777 "$reports"

# halt_on_error, abort_on_error: the first error ends the process with
# SIGABRT (in a worker also an [alert] "worker process exited on signal 6"
# in error.log); exitcode=0: a leak report does not change the exit status
# of the process (LSan reports at the exit of "nginx -t", "nginx -s
# reload", the daemonising parent: their status stays what nginx says),
# the reports themselves are the verdict; detect_leaks: LeakSanitizer at
# the exit of every process, workers included.  t/lsan.supp holds LSan suppressions (see that file),
# t/ubsan.supp the same for UBSan.  Options already in the environment come
# last and win (fast_unwind_on_malloc=0: whole stacks through OpenSSL).
# Commas, log_path first: the real Test::Nginx rewrites ASAN_OPTIONS for
# each block, its log_path=... up to the next comma, into
# log_path=<path>-<test>-t<n>.
export ASAN_OPTIONS="log_path=$reports/asan,halt_on_error=1,abort_on_error=1,exitcode=0,detect_leaks=1,detect_stack_use_after_return=1,strict_string_checks=1,print_summary=1${ASAN_OPTIONS:+,$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$reports/ubsan:halt_on_error=1:print_stacktrace=1:print_summary=1:suppressions=$root/t/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$root/t/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

status=0
start=$(date +%s)

NGINX_BIN=$nginx MODULE= \
    TEST_NGINX_PROV_PKI=${TEST_NGINX_PROV_PKI:-$asan/pki} \
    bash scripts/run-tests.sh "$@" || status=$?

echo "test-asan: the suite took $(( $(date +%s) - start )) s"

shopt -s nullglob
found=("$reports"/*)

if [ ${#found[@]} -gt 0 ]; then
    # all but the known leaks of nginx's main() (see the script)
    if ! perl scripts/sanitizer-reports.pl "${found[@]}"; then
        echo "test-asan: sanitizer report(s) in $reports" >&2
        exit 1
    fi

    echo "test-asan: ${#found[@]} report(s) of nginx's main() returning" \
         "without freeing init_cycle.pool (-s, a failed configuration)" \
         "or the cycle (nginx -t), ignored (scripts/sanitizer-reports.pl)"
fi

if [ "$status" -ne 0 ]; then
    echo "test-asan: the test suite failed (exit status $status)" >&2
    exit "$status"
fi

echo "test-asan: no sanitizer report"
