#!/bin/bash
# Usage: scripts/deps.sh [--check] PACKAGE...
#
# Makes sure the Debian packages are installed: as root it installs the
# missing ones, otherwise (or with --check) it prints the apt-get line to
# run and fails.  It never stops or restarts a service: the host may be
# serving with its own nginx (the tests and the demo use ports of their own).

set -euo pipefail

install=1

if [ "${1:-}" = "--check" ]; then
    install=0
    shift
fi

missing=()

for pkg in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$install" -eq 0 ] || [ "$(id -u)" -ne 0 ]; then
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

