#!/bin/bash
# Usage: trial-pki.sh DIR [MAC ...]
#
# A throwaway PKI for a trial of examples/debian/prov.conf, shaped like a
# Cisco SPA fleet: a device CA standing in for Cisco's, a certificate per
# device with the subject Cisco gives its phones, the shared generic
# certificate of pre-2.0 firmware, a server certificate, a clone of the
# first device (the device CA's certificate with its subject and another
# key: what a pin refuses), and an impostor: a certificate of a foreign CA
# that carries the first device's MAC, which the server must refuse. Never use it for a real fleet: the real devices carry
# Cisco's certificates, and the server's comes from the provider's CA.
#
# MACs in any spelling (00:0E:08:AB:CD:EF, 000e.08ab.cdef, ...); default
# 000e08abcdef 000e08abcdf0. Files are named by the MAC in lowercase hex
# without separators (<mac> below), as prov_id ST mac reads it.
#
# DIR must not exist or be empty: the script refuses to overwrite anything
# (exit status 1), so a run never replaces keys in use; an empty DIR must
# be the user's own, writable by no one else, not a symbolic link. Needs bash and the
# openssl command (Debian's openssl package).
#
# What it writes (keys mode 0600: nginx's master reads them as root; the
# rest 0644, folders 0755 but DIR/ca):
#
#   DIR/device-ca.pem          the device CA's certificate: nginx's
#                              ssl_client_certificate
#   DIR/server.crt, .key       the server: CN=prov.example.com, also valid
#                              for localhost and 127.0.0.1
#   DIR/server-ca.pem          the CA of server.crt, for the devices (and
#                              curl --cacert)
#   DIR/devices/<mac>.crt, .key  a device: C=US, ST=<mac>, L=<serial>,
#                              O=Cisco Systems, Inc., OU=SPA-962, CN=<mac>
#                              (serial 88012BA01001, 88012BA01002, ...)
#   DIR/generic.crt, .key      the generic certificate: ST=L=ciscogeneric,
#                              OU=cisco.com
#   DIR/clone/<mac>.crt, .key  the first device's subject, issued by the
#                              device CA, its own key
#   DIR/impostor/<mac>.crt, .key  the first device's subject, issued by a
#                              foreign CA (DIR/ca/foreign-ca.crt)
#   DIR/ca/                    (mode 0700) the CAs: device-ca, server-ca,
#                              foreign-ca, each .crt and .key
#
# For example, as root (README, Deploy on Debian: the server needs only
# server.crt, server.key and device-ca.pem in /etc/nginx/prov/):
#
#   bash trial-pki.sh /root/prov-trial 000e08abcdef 000e08abcdf0
#   curl --resolve prov.example.com:443:127.0.0.1 \
#        --cacert /root/prov-trial/server-ca.pem \
#        --cert /root/prov-trial/devices/000e08abcdef.crt \
#        --key /root/prov-trial/devices/000e08abcdef.key \
#        https://prov.example.com/spa962_000e08abcdef.cfg

set -euo pipefail

usage() {
    echo "usage: $0 DIR [MAC ...]" >&2
    exit 2
}

if [ $# -lt 1 ] || [ -z "$1" ]; then
    usage
fi

dir=$1
shift

# a relative DIR starting with "-" is no option to mkdir, cp or find
case $dir in
    /*) ;;
    *) dir=./$dir ;;
esac

if [ $# -eq 0 ]; then
    set -- 000e08abcdef 000e08abcdf0
fi

command -v openssl >/dev/null || { echo "$0: openssl not found" >&2; exit 1; }

# the MACs, canonical: 12 lowercase hex digits, each once
macs=()
for m in "$@"; do
    c=$(printf '%s' "$m" | tr 'A-F' 'a-f' | tr -d ':.-')
    if ! [[ $c =~ ^[0-9a-f]{12}$ ]]; then
        echo "$0: $m: not a MAC address" >&2
        exit 2
    fi
    for d in "${macs[@]}"; do
        if [ "$d" = "$c" ]; then
            echo "$0: $m: given twice" >&2
            exit 2
        fi
    done
    macs+=("$c")
done

if [ -e "$dir" ] && { [ ! -d "$dir" ] || [ -n "$(ls -A -- "$dir")" ]; }; then
    echo "$0: $dir exists and is not an empty folder: nothing written" \
         "(this script never overwrites keys)" >&2
    exit 1
fi

# a folder made in advance by someone else, or one others may write to:
# they could swap device-ca.pem for their own CA before it is copied to
# /etc/nginx/prov/ (and every certificate of theirs would pass the gate)
if [ -e "$dir" ] && { [ ! -O "$dir" ] || [ -L "$dir" ] \
        || (( 8#$(stat -c %a -- "$dir") & 8#022 )); }; then
    echo "$0: $dir is not a folder of yours that only you may write to:" \
         "nothing written" >&2
    exit 1
fi

umask 077

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export OPENSSL_CONF=$work/openssl.cnf
cat > "$OPENSSL_CONF" <<'EOF'
[req]
distinguished_name = req_dn
string_mask = utf8only
[req_dn]
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_device]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:prov.example.com, DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# run quietly; on failure show openssl's message
q() {
    "$@" >/dev/null 2>"$work/err" \
        || { cat "$work/err" >&2; echo "$0: failed: $*" >&2; exit 1; }
}

# ca NAME SUBJECT: a self-signed CA, DIR/ca/NAME.crt and .key
ca() {
    q openssl req -x509 -newkey rsa:2048 -noenc -keyout "$dir/ca/$1.key" \
        -subj "$2" -days 7300 -sha256 -extensions v3_ca -out "$dir/ca/$1.crt"
}

# cert CA OUT SERIAL SUBJECT [EXTENSIONS]: OUT.crt and OUT.key, issued by
# DIR/ca/CA
cert() {
    q openssl req -x509 -newkey rsa:2048 -noenc -keyout "$2.key" \
        -subj "$4" -CA "$dir/ca/$1.crt" -CAkey "$dir/ca/$1.key" \
        -set_serial "$3" -days 3650 -sha256 -extensions "${5:-v3_device}" \
        -out "$2.crt"
}

# a Cisco SPA subject: spa MAC SERIAL
spa() {
    echo "/C=US/ST=$1/L=$2/O=Cisco Systems, Inc./OU=SPA-962/CN=$1"
}

mkdir -p -- "$dir"
mkdir -m 0700 "$dir/ca"
mkdir -m 0755 "$dir/devices" "$dir/clone" "$dir/impostor"
chmod 0755 "$dir"

ca device-ca '/C=US/O=Trial Devices/CN=Trial Device CA'
ca server-ca '/C=US/O=Trial Servers/CN=Trial Server CA'
ca foreign-ca '/C=US/O=Not Cisco/CN=Foreign Device CA'

cert server-ca "$dir/server" 0x5001 '/CN=prov.example.com' v3_server

n=0
for m in "${macs[@]}"; do
    n=$((n + 1))
    cert device-ca "$dir/devices/$m" "0x$((1000 + n))" \
        "$(spa "$m" "88012BA0$((1000 + n))")"
done

cert device-ca "$dir/generic" 0x1000 \
    '/C=US/ST=ciscogeneric/L=ciscogeneric/O=Cisco Systems, Inc./OU=cisco.com/CN=Cisco SPA Generic'

cert device-ca "$dir/clone/${macs[0]}" 0x7001 \
    "$(spa "${macs[0]}" 88012BA01001)"

cert foreign-ca "$dir/impostor/${macs[0]}" 0x6001 \
    "$(spa "${macs[0]}" 88012BA01001)"

cp "$dir/ca/device-ca.crt" "$dir/device-ca.pem"
cp "$dir/ca/server-ca.crt" "$dir/server-ca.pem"

find "$dir" -name '*.key' -exec chmod 0600 {} +
find "$dir" \( -name '*.crt' -o -name '*.pem' \) -exec chmod 0644 {} +

echo "$dir: device CA, server (prov.example.com), ${#macs[@]} device(s)," \
     "generic, clone and impostor of ${macs[0]}"
