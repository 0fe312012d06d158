#!/bin/bash
# Usage: scripts/deps.sh PACKAGE...
#
# Makes sure the Debian packages are installed: as root it installs the
# missing ones, otherwise it prints the apt-get line to run and fails.

set -euo pipefail

missing=()

for pkg in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages; run as root:" >&2
    echo "    apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "installing ${missing[*]}" >&2

export DEBIAN_FRONTEND=noninteractive

# a fresh machine may have no package lists yet
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# Debian's nginx package starts a server on port 80 where an init system
# runs; the tests and the demo start their own
if command -v systemctl >/dev/null 2>&1 \
   && systemctl is-active --quiet nginx 2>/dev/null; then
    systemctl stop nginx >&2 || true
fi
