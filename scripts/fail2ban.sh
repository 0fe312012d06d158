#!/bin/bash
# Usage: scripts/fail2ban.sh DIR
#
# Debian's fail2ban package, unpacked into DIR (not installed: installing
# it would start a fail2ban daemon with Debian's sshd jail on a host with
# systemd), for t/017's fail2ban-regex and fail2ban-client: DIR/usr/bin,
# DIR/usr/lib/python3/dist-packages, DIR/etc/fail2ban.  Prints DIR.

set -euo pipefail

dir=$(mkdir -p "$1" && cd "$1" && pwd)

if [ -x "$dir/usr/bin/fail2ban-regex" ]; then
    echo "$dir"
    exit 0
fi

work=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

download() {
    (cd "$work" && apt-get download -q fail2ban >&2)
}

# a fresh machine may have no package lists yet
if ! download; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "$0: cannot download Debian's fail2ban package; run as root:" \
             "apt-get update" >&2
        exit 1
    fi

    apt-get update -q >&2
    download
fi

dpkg-deb -x "$work"/fail2ban_*.deb "$dir"

echo "$dir"
