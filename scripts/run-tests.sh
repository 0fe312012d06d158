#!/bin/bash
# Usage: scripts/run-tests.sh [t/file.t ...]      (make test T="t/x.t")
#
# Runs t/ with prove against the built module.  The real Test::Nginx is used
# when Perl finds it (or when TEST_NGINX_LIB points at a copy of its lib/);
# otherwise the project's minimal implementation of its format in
# t/harness/lib.

set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

build=${BUILD:-$root/build}

export TEST_NGINX_BINARY=${NGINX_BIN:-/usr/sbin/nginx}
# MODULE set but empty: the binary has the module compiled in (make
# test-asan); as with the real Test::Nginx, an empty TEST_NGINX_LOAD_MODULES
# writes no load_module line
export TEST_NGINX_LOAD_MODULES=${MODULE-$build/ngx_http_prov_module.so}
export TEST_NGINX_PROV_PKI=${TEST_NGINX_PROV_PKI:-$build/pki}
# the command-line tool of LMDB lists (t/lib/ProvAcl.pm runs it)
export PROV_ACL=${PROV_ACL:-$build/prov-acl}

if [ -n "$TEST_NGINX_LOAD_MODULES" ]; then
    if [ ! -f "$TEST_NGINX_LOAD_MODULES" ]; then
        echo "no module at $TEST_NGINX_LOAD_MODULES: run make first" >&2
        exit 1
    fi
elif ! "$TEST_NGINX_BINARY" -V 2>&1 \
        | grep -q -e '--add-module='; then
    echo "MODULE is empty but $TEST_NGINX_BINARY has no module compiled in" \
         "(--add-module)" >&2
    exit 1
fi

# the test front gives each request its device's certificate with
# proxy_ssl_certificate $variable, which nginx has from 1.21.0 on
version=$("$TEST_NGINX_BINARY" -v 2>&1 | sed -n 's|.*/\([0-9][0-9.]*\).*|\1|p')
if [ -n "$version" ] && \
   [ "$(printf '%s\n' 1.21.0 "$version" | sort -V | head -1)" != 1.21.0 ]
then
    echo "$TEST_NGINX_BINARY is nginx $version: the test suite needs 1.21.0" \
         "or later (proxy_ssl_certificate with variables); make demo runs" \
         "on older ones" >&2
    exit 1
fi

# fail2ban's tools for t/017, unpacked from Debian's package (not installed)
export TEST_NGINX_FAIL2BAN=${TEST_NGINX_FAIL2BAN:-$(bash scripts/fail2ban.sh "$build/fail2ban")}

# a new throwaway PKI each run: no key is ever kept or committed
rm -rf "$TEST_NGINX_PROV_PKI"
bash t/pki/make-pki.sh "$TEST_NGINX_PROV_PKI" >/dev/null

includes=()

if [ -n "${TEST_NGINX_LIB:-}" ]; then
    echo "Test::Nginx from $TEST_NGINX_LIB"
    includes=(-I "$TEST_NGINX_LIB")
elif perl -MTest::Nginx::Socket -e 1 2>/dev/null; then
    echo "Test::Nginx: the installed one"
else
    echo "Test::Nginx is not installed: using the fallback in t/harness/lib"
    includes=(-I t/harness/lib)
fi

# which nginx the results below are of
echo "nginx under test: $("$TEST_NGINX_BINARY" -v 2>&1 | sed 's/^nginx version: //')" \
     "($TEST_NGINX_BINARY${TEST_NGINX_LOAD_MODULES:+, $TEST_NGINX_LOAD_MODULES})"

if [ $# -eq 0 ]; then
    set -- t/
fi

prove "${includes[@]}" -r "$@"
