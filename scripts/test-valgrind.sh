#!/bin/bash
# Usage: scripts/test-valgrind.sh [t/file.t ...]  (make test-valgrind T="t/x.t")
#
# Runs the test suite (scripts/run-tests.sh) with Debian's nginx and the
# built module under valgrind's memcheck: Test::Nginx's
# TEST_NGINX_USE_VALGRIND (the real module, or the fallback in t/harness/lib,
# which does the same: daemon off, one nginx under valgrind per block,
# stopped after it).  The options are ours (TEST_NGINX_USE_VALGRIND that is
# not a number is valgrind's command line): each nginx process writes its
# report into $VALGRIND_BUILD/reports/vg.<pid>; the run fails when a test
# fails or when any report is not empty, and prints them.  t/valgrind.supp
# holds the suppressions (see that file).  Slow: every request crosses
# TLS twice inside one nginx under valgrind.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=${VALGRIND_BUILD:-$root/build/valgrind}
reports=$out/reports

rm -rf "$reports"
mkdir -p "$reports"
# workers may run as another user (nobody, www-data)
chmod 1777 "$reports"

opts=(--tool=memcheck --leak-check=full --show-possibly-lost=no
      --keep-debuginfo=yes --num-callers=50 --track-origins=yes
      --gen-suppressions=all --suppressions="$root/t/valgrind.supp"
      --log-file="$reports/vg.%p")

export TEST_NGINX_USE_VALGRIND="${opts[*]}"
# valgrind starts nginx and answers many times slower
export TEST_NGINX_TIMEOUT=${TEST_NGINX_TIMEOUT:-20}
# LMDB readers map a database as large as its writer did, and valgrind
# cannot map prov-acl's 64 GiB: the tests' databases get 1 GiB
export PROV_ACL_MAPSIZE=${PROV_ACL_MAPSIZE:-1073741824}

status=0
start=$(date +%s)

TEST_NGINX_PROV_PKI=${TEST_NGINX_PROV_PKI:-$out/pki} \
    bash scripts/run-tests.sh "$@" || status=$?

echo "test-valgrind: the suite took $(( $(date +%s) - start )) s"

bad=0

for f in "$reports"/vg.*; do
    [ -s "$f" ] || continue
    echo "==== $f"
    cat "$f"
    bad=$((bad + 1))
done

if [ "$bad" -gt 0 ]; then
    echo "test-valgrind: $bad valgrind report(s) in $reports" >&2
    exit 1
fi

if [ "$status" -ne 0 ]; then
    echo "test-valgrind: the test suite failed (exit status $status)" >&2
    exit "$status"
fi

echo "test-valgrind: no valgrind report"
