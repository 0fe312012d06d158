#!/bin/bash
# make-pki.sh OUTDIR -- the throwaway test PKI of ngx_http_prov_module.
#
# Needs bash and the openssl command line tool (and iconv, od from the base
# system).  Idempotent: a complete OUTDIR made by this same script is left
# alone; a stale one (made by an older version of this script) is rebuilt.
# Everything is generated at test time; never commit the output (the keys are
# world-readable on purpose: nginx worker processes read them).
#
# Keys are EC P-256 unless said otherwise.  Serial numbers are fixed so tests
# can match the "serial <HEX>" of the module's log lines: device certs of the
# device root are 10xx, of the intermediate 20xx, of the server root 50xx, of
# the rogue roots 60xx/70xx.  Every file is <name>.crt / <name>.key.
#
# Certification authorities
#   device-ca       device root (ssl_client_certificate of the tests)
#   device-int      intermediate under device-ca (chain-c is issued by it)
#   server-ca       server root (issues "server" and srvca-a)
#   rogue-ca        an attacker's root, unknown to the server
#   forged-ca       another key with exactly device-ca's subject name
# Server
#   server          CN=localhost, SAN DNS:localhost, IP:127.0.0.1 (server-ca)
#   server-rsa      the same with an RSA-2048 key (RSA key exchange of old devices)
# Cisco SPA shaped devices: /C=US/ST=<mac>/L=<serial>/O=Cisco Systems, Inc./OU=SPA-962/CN=<mac>
#   dev-a           000e08abcdef                               serial 1001
#   dev-b           000e08abcdf0                               serial 1002
#   dev-a2          dev-a's subject, its own key: a second valid certificate
#                   for the same device (a clone; what pins are for)  1007
#   generic         pre-2.0 shared cert: ST=L=ciscogeneric, OU=cisco.com  1003
#   expired-a       dev-a's subject, valid 2020-2021               1005
#   notyet-a        dev-a's subject, valid from 2090               1006
#   ou-inject       own ST 000e08abcd10, OU "SPA-962,ST=000e08abcdf0"  1010
#   ou-inject-nost  no ST at all, OU "SPA-962,ST=000e08abcdf0", CN=b's mac 1011
#   ou-slash-nost   no ST, OU "SPA-962/ST=000e08abcdf0" (fools /C=../ST=.. strings) 1012
#   two-st          ST=000e08abcd20 and ST=000e08abcdf0            1020
#   multi-rdn       RDN "ST=000e08abcd21+OU=SPA-962"               1021
#   multi-rdn-dup   RDN "ST=000e08abcd22+ST=000e08abcdf0"          1022
#   dotdot          ST "../000e08abcdf0"                           1030
#   dot             ST "."                                         1031
#   dotdot-only     ST ".."                                        1032
#   backslash       ST "..\000e08abcdf0"                           1033
#   (nul, ctrl, empty, long, univ, t61, utf8, homoglyph are written raw, see
#   resign(); their CN is "dev<serial>")
#   nul             ST "000e08abcdf0<NUL>x" (UTF8String)           1035
#   ctrl            ST "000e08abcd36<CR><LF>[error] forged" (log injection) 1036
#   empty           ST "" (zero-length UTF8String)                 1037
#   long            ST "000e08abcdf0" and 188 "A" (200 bytes, over X.520's 128) 1038
#   quote           ST '000e08abcdf0" id="000e08abcdf0' (quotes in log lines) 1039
#   bmp             every string a BMPString, ST 000e08abcd40,
#                   O "Téléphonie Ωmega"                           1040
#   univ            ST 000e08abcd41 as UniversalString             1041
#   t61             ST 000e08abcd42 as T61String                   1042
#   utf8            ST 000e08abcd43, O "Téléphonie Ωmega" (UTF8String) 1043
#   homoglyph       ST "000е08abcdef" (Cyrillic U+0435 for the first e) 1044
#   bidi            ST "000e08abcd45<U+202E><U+009B>" (RLO, CSI: log display tricks) 1045
#   ou-crlf         ST 000e08abcd46, OU "SPA-962<CR><LF>X-Account: 9999" (header
#                   injection through $prov_cert_ou), L "88012BA01046<TAB><DEL>\" 1046
#   client-inject   ST '000e08abcd48", client: 198.51.100.1, server: x' (a
#                   log line's client address, for fail2ban filters)  1048
#   mac-colon       00:0e:08:ab:cd:51                              1051
#   mac-dash        00-0e-08-ab-cd-52                              1052
#   mac-dot         000e.08ab.cd53                                 1053
#   mac-upper       000E08ABCD54                                   1054
#   mac-upper-colon 00:0E:08:AB:CD:55                              1055
#   mac-six         000e08-abcd56                                  1056
#   mac-dash4       000e-08ab-cd57                                 1057
#   mac-upper-dot   000E.08AB.CD58                                 1058
#   mac-mixed       00:0e-08:ab:cd:61   (two separators)           1061
#   mac-group3      000:e08:abc:d62     (groups of 3)              1062
#   mac-short       000e08abcd          (10 digits)                1063
#   mac-long        000e08abcd640       (13 digits)                1064
#   mac-nonhex      000e08abcdxg                                   1065
#   mac-trailing    00:0e:08:ab:cd:66:  (trailing separator)       1066
#   mac-uneven      00:0e:08:ab:cd67    (uneven groups)            1067
#   mac-space       "00 0e 08 ab cd 68" (space separator)          1068
#   full            Cisco MPP shape plus serialNumber, UID, emailAddress,
#                   title, two DC, OID 1.3.6.1.4.1.55555.1; ST 000e08abcd80 1080
#   old-spa         RSA-1024 key, SHA-1 signature, ST 000e08abcd90 (old device) 1090
#                   (a client must lower its security level to send it:
#                   ProvTest's /old/ route does)
# Other vendors
#   polycom         /O=Polycom/OU=VVX 411/CN=0004f2abcdef          1071
#   yealink         /C=CN/O=Yealink/OU=T46S/CN=00:15:65:AB:CD:EF   1072
#   cisco-sep       /O=Cisco Systems/OU=CP-7975G/CN=SEP00112233AABB 1073
# Not verifiable by the server
#   rogue-a         dev-a's subject, issued by rogue-ca            6001
#   rogue-a-chain   rogue-a.crt followed by rogue-ca.crt (key = rogue-a's) 6001
#   selfsigned-a    dev-a's subject, self-signed                   6002
#   rogue-expired-a dev-a's subject, issued by rogue-ca, valid 2020-2021 6003
#   forged-a        dev-a's subject, issued by forged-ca, no AKID (so the
#                   server finds device-ca and fails the signature)  7001
#   srvca-a         dev-a's subject, issued by server-ca           5001
# Chains
#   chain-c         000e08abcdc1 issued by device-int; .crt holds leaf+intermediate 2001
#   chain-c-nochain the same leaf without the intermediate          2001
#
# Vendor-shaped CAs (mixed fleets, issue 17: a rule per manufacturer's CA)
#   cisco-ca        /O=Sipura Technology/CN=Sipura CA Client Root            31
#   mpp-ca          /O=Cisco Systems Inc./CN=Multiplatform Phone CA Client Root 32
#   polycom-root    /O=Polycom Inc./CN=Polycom Root CA                       33
#   polycom-int     /O=Polycom Inc./CN=Polycom Equipment Policy CA, under
#                   polycom-root (not in vendor-roots: devices send it)      34
#   snom-ca         /C=DE/ST=Berlin/L=Berlin/O=Snom Technology AG/CN=Snom Phone 1 35
#   yealink-ca      /O=Yealink Network Technology/CN=Yealink Equipment Issuing CA 36
#   other-ca        /O=Other Phones/CN=Other Phones Root CA (trusted, no rule) 37
#   fake-polycom-int  polycom-int's subject, its own key, self-signed (not
#                   trusted: issues x-int-sent)                              38
#   vendor-roots.crt  cisco-ca, mpp-ca, polycom-root, snom-ca, yealink-ca and
#                   other-ca (the ssl_client_certificate of a mixed fleet)
#   polycom-bundle.crt  polycom-root and polycom-int (an issuer= file)
#   notca.crt       a copy of v-spa.crt: a device certificate (CA:FALSE) for
#                   the "not a CA" error of issuer=
# Vendor-shaped devices
#   v-spa           Cisco SPA /C=US/ST=000e08aa0001/L=88012BA03001/
#                   O=Cisco Systems, Inc./OU=SPA-962/CN=000e08aa0001 (cisco-ca) 3001
#   v-mpp           Cisco MPP /C=US/ST=00562baa0002/L=FCH2230A002/
#                   O=Cisco Systems, Inc./OU=CP-8841-3PCC/CN=00562baa0002 (mpp-ca) 3002
#   v-polycom       /O=Polycom Inc./CN=0004F2AA0003 (polycom-int); .crt holds
#                   leaf+polycom-int                                         3003
#   v-polycom-nochain  the same leaf alone                                   3003
#   v-yealink       /O=Yealink/OU=T46S/CN=001565AA0004 (yealink-ca)          3004
#   v-snom          /O=Snom Technology AG/OU=snom710/CN=000413AA0005 (snom-ca) 3005
#   v-other         /ST=000e08aa0001/O=Other Phones/CN=00AABBAA0006 (other-ca) 3006
# Cross-vendor impersonation: another CA's certificate carrying a device's
# MAC in that device's vendor attribute
#   x-polycom-as-spa  /C=US/ST=000e08aa0001/O=Polycom Inc./OU=SPA-962/
#                   CN=0004F2AA0011 (polycom-int); .crt holds leaf+polycom-int 3011
#   x-snom-as-spa   /C=US/ST=000e08aa0001/L=88012BA03001/O=Cisco Systems, Inc./
#                   OU=SPA-962/CN=000413AA0012 (snom-ca)                     3012
#   x-spa-as-polycom  /ST=000e08aa0013/O=Polycom Inc./CN=0004F2AA0003 (cisco-ca) 3013
#   x-yealink-as-snom /O=Snom Technology AG/CN=000413AA0005 (yealink-ca; the
#                   CN of v-snom)                                            3014
#   x-int-sent      /O=Polycom Inc./CN=0004F2AA0015 issued by fake-polycom-int,
#                   no AKID (so a verifier picks the real polycom-int and fails
#                   the signature); .crt holds leaf+the REAL polycom-int: must
#                   never verify, never match the Polycom rule           3015
#   x-other-with-int  /O=Polycom Inc./CN=0004F2AA0003 (v-polycom's CN) issued
#                   by other-ca; .crt holds leaf+the real polycom-int, which
#                   the client sends but verification does not use: it
#                   verifies (other-ca), and must not match the Polycom rule 3016

set -euo pipefail
umask 022

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

command -v openssl >/dev/null || { echo "$0: openssl not found" >&2; exit 1; }

OUT=$1
SELF=${BASH_SOURCE[0]}
STAMP_VALUE=$(cksum < "$SELF" | cut -d' ' -f1)
STAMP=.make-pki-stamp

up_to_date() { [ -f "$OUT/$STAMP" ] && [ "$(cat "$OUT/$STAMP")" = "$STAMP_VALUE" ]; }

if up_to_date; then
    exit 0
fi

# one maker at a time (prove -j): the others wait, then find it done
mkdir -p "$(dirname "$OUT")"
if command -v flock >/dev/null; then
    exec 9>"$OUT.lock"
    flock 9
    if up_to_date; then
        exit 0
    fi
fi

if [ -e "$OUT" ] && [ ! -f "$OUT/$STAMP" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
    echo "$0: $OUT exists, is not empty and was not made by $0" >&2
    exit 1
fi

D=$(mktemp -d "$OUT.tmp.XXXXXX")
chmod 755 "$D"
trap 'rm -rf "$D"' EXIT
W=$D/.work
mkdir "$W"

export OPENSSL_CONF=$W/openssl.cnf
cat > "$OPENSSL_CONF" <<'EOF'
[req]
distinguished_name = req_dn
string_mask = utf8only
[req_dn]
[bmp]
distinguished_name = req_dn
string_mask = MASK:0x800
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_dev]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_dev_noakid]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = none
authorityKeyIdentifier = none
[v3_server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

q() {
    "$@" >/dev/null 2>"$W/err.$BASHPID" \
        || { cat "$W/err.$BASHPID" >&2; echo "$0: failed: $*" >&2; exit 1; }
}

# Certificates are made by background jobs, two per CPU; "barrier" waits for them.
JOBS=()
bg() { "$@" & JOBS+=($!); }
barrier() {
    local p rc=0
    for p in "${JOBS[@]}"; do wait "$p" || rc=1; done
    JOBS=()
    [ $rc = 0 ] || { echo "$0: failed" >&2; exit 1; }
}

newkey() {  # newkey NAME [rsa1024]
    if [ "${2:-}" = rsa1024 ]; then
        q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$D/$1.key"
    else
        q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/$1.key"
    fi
}

# ca NAME SERIAL SUBJECT [PARENT]
ca() {
    newkey "$1"
    if [ -z "${4:-}" ]; then
        q openssl req -new -x509 -key "$D/$1.key" -subj "$3" -set_serial "0x$2" \
            -days 7300 -sha256 -extensions v3_ca -out "$D/$1.crt"
    else
        q openssl req -new -key "$D/$1.key" -subj "$3" -out "$W/$1.csr"
        q openssl x509 -req -in "$W/$1.csr" -CA "$D/$4.crt" -CAkey "$D/$4.key" \
            -set_serial "0x$2" -days 7300 -sha256 \
            -extfile "$OPENSSL_CONF" -extensions v3_ca -out "$D/$1.crt"
    fi
}

# cert NAME ISSUER SERIAL SUBJECT [options]
#   options: -rsa1024 -rsa2048 -sha1 -bmp -utf8 -ext SECTION -selfsigned
cert() {
    local name=$1 issuer=$2 serial=$3 subj=$4
    shift 4
    local keyopt='' md=-sha256 reqsect=req ext=v3_dev utf8='' selfsigned=''
    while [ $# -gt 0 ]; do
        case $1 in
        -rsa1024) keyopt=rsa:1024 ;;
        -rsa2048) keyopt=rsa:2048 ;;
        -sha1) md=-sha1 ;;
        -bmp) reqsect=bmp ;;
        -utf8) utf8=-utf8 ;;
        -ext) ext=$2; shift ;;
        -selfsigned) selfsigned=1 ;;
        *) echo "cert: bad option $1" >&2; exit 1 ;;
        esac
        shift
    done
    local newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    [ -n "$keyopt" ] && newkey=(-newkey "$keyopt")
    local signer=(-CA "$D/$issuer.crt" -CAkey "$D/$issuer.key")
    [ -n "$selfsigned" ] && signer=()
    q openssl req -x509 -section "$reqsect" $utf8 "${newkey[@]}" -noenc -keyout "$D/$name.key" \
        -subj "$subj" "${signer[@]}" -set_serial "0x$serial" -days 3650 $md \
        -extensions "$ext" -out "$D/$name.crt"
}

# --- raw certificates: the parts openssl req cannot write (a NUL, a control
# character or nothing at all in a string, UniversalString, T61String, any OID,
# validity in the past) are spliced into the TBSCertificate of a normal
# certificate, which is then signed again with the issuer key.

# hexstr SPEC: the bytes of SPEC as hex digits; SPEC may use \0 \r \n \\ \xHH
hexstr() {
    local LC_ALL=C s=$1 i c out=''
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [ "$c" = '\' ]; then
            i=$((i + 1)); c=${s:i:1}
            case $c in
            0) out+=00 ;; r) out+=0d ;; n) out+=0a ;; '\') out+=5c ;;
            x) out+=${s:i+1:2}; i=$((i + 2)) ;;
            *) echo "hexstr: bad escape \\$c" >&2; exit 1 ;;
            esac
        else
            printf -v c '%02x' "'$c"; out+=$c
        fi
    done
    echo "$out"
}

derlen() {  # DER length octets of $1, written to stdout
    local n=$1
    if [ "$n" -lt 128 ]; then
        printf "$(printf '\\x%02x' "$n")"
    elif [ "$n" -lt 256 ]; then
        printf "\\x81$(printf '\\x%02x' "$n")"
    else
        printf "\\x82$(printf '\\x%02x\\x%02x' $((n >> 8)) $((n & 255)))"
    fi
}

bytes() {  # bytes FILE OFFSET LEN
    dd if="$1" iflag=skip_bytes,count_bytes skip="$2" count="$3" bs=4096 status=none
}

# raw_name OUTFILE  "ATTR TYPE VALUE" ...
#   ATTR: short/long name or dotted OID; TYPE: P printable, U utf8, B bmp,
#   W universal, T t61, I ia5; VALUE: see hexstr (B and W: ASCII only).
raw_name() {
    local out=$1 i=0 spec attr type val tag h
    shift
    {
        echo "asn1 = SEQUENCE:name"
        echo "[name]"
        for spec in "$@"; do echo "r$i = SET:r$i"; i=$((i + 1)); done
        i=0
        for spec in "$@"; do
            attr=${spec%% *}; spec=${spec#* }
            type=${spec%% *}; val=${spec#* }
            case $type in
            P) tag=19 ;; U) tag=12 ;; T) tag=20 ;; I) tag=22 ;; B) tag=30 ;; W) tag=28 ;;
            *) echo "raw_name: bad type $type" >&2; exit 1 ;;
            esac
            h=$(hexstr "$val")
            case $type in
            B) h=$(sed -E 's/(..)/00\1/g' <<< "$h") ;;
            W) h=$(sed -E 's/(..)/000000\1/g' <<< "$h") ;;
            esac
            echo "[r$i]"
            echo "a = SEQUENCE:a$i"
            echo "[a$i]"
            echo "o = OID:$attr"
            if [ -n "$h" ]; then
                echo "v = IMPLICIT:${tag}U,FORMAT:HEX,OCTETSTRING:$h"
            else
                echo "v = IMPLICIT:${tag}U,NULL"
            fi
            i=$((i + 1))
        done
    } > "$out.conf"
    q openssl asn1parse -genconf "$out.conf" -noout -out "$out"
}

raw_validity() {  # raw_validity OUTFILE NOTBEFORE NOTAFTER (YYYYMMDDhhmmssZ)
    local t v=''
    for t in "$2" "$3"; do  # RFC 5280: UTCTime through 2049, GeneralizedTime from 2050
        if [ "${t:0:4}" -lt 2050 ]; then v+="UTCTIME:${t:2}"; else v+="GENTIME:$t"; fi
        v+=$'\n'
    done
    printf 'asn1 = SEQUENCE:v\n[v]\nb = %sa = %s' "${v%%$'\n'*}"$'\n' "${v#*$'\n'}" > "$1.conf"
    q openssl asn1parse -genconf "$1.conf" -noout -out "$1"
}

# resign NAME ISSUER validity|subject DERFILE
#   replaces that TBSCertificate field of $D/NAME.crt and signs it again.
resign() {
    local name=$1 issuer=$2 field=$3 new=$4
    local der=$W/$name.der
    q openssl x509 -in "$D/$name.crt" -outform DER -out "$der"
    # offset, header length and length of the elements at depth 1 and 2
    local -a d1=() d2=()
    local line
    local re='^ *([0-9]+):d=([0-9]+) +hl= *([0-9]+) +l= *([0-9]+) '
    while read -r line; do
        [[ $line =~ $re ]] || continue
        case ${BASH_REMATCH[2]} in
        1) d1+=("${BASH_REMATCH[1]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]}") ;;
        2) [ ${#d1[@]} -eq 1 ] && d2+=("${BASH_REMATCH[1]}") ;;
        esac
    done < <(openssl asn1parse -inform DER -in "$der")
    # d2: [0] version, serial, signature, issuer, validity, subject, spki, [3] ext
    local k=4
    [ "$field" = subject ] && k=5
    local to th tl ao ah al
    read -r to th tl <<< "${d1[0]}"
    read -r ao ah al <<< "${d1[1]}"
    local start=$((to + th)) end=$((to + th + tl))
    local fs=${d2[k]} fe=${d2[k + 1]}
    local tbs=$W/$name.tbs body=$W/$name.body
    {
        bytes "$der" "$start" $((fs - start))
        cat "$new"
        bytes "$der" "$fe" $((end - fe))
    } > "$body"
    { printf '\x30'; derlen "$(stat -c %s "$body")"; cat "$body"; } > "$tbs"
    q openssl dgst -sha256 -sign "$D/$issuer.key" -out "$W/$name.sig" "$tbs"
    {
        cat "$tbs"
        bytes "$der" "$ao" $((ah + al))
        printf '\x03'; derlen $(($(stat -c %s "$W/$name.sig") + 1)); printf '\x00'
        cat "$W/$name.sig"
    } > "$body"
    { printf '\x30'; derlen "$(stat -c %s "$body")"; cat "$body"; } > "$der"
    q openssl x509 -inform DER -in "$der" -out "$D/$name.crt"
}

spa() {  # spa MAC [L] [SERIAL]: a Cisco SPA subject
    echo "/C=US/ST=$1/L=${2:-88012BA0$3}/O=Cisco Systems, Inc./OU=SPA-962/CN=$1"
}

# composite jobs
dated() {  # dated NAME SERIAL NOTBEFORE NOTAFTER [ISSUER]: dev-a's subject, given validity
    local issuer=${5:-device-ca}
    cert "$1" "$issuer" "$2" "$(spa $A '' "$2")"
    raw_validity "$W/$1.val.der" "$3" "$4"
    resign "$1" "$issuer" validity "$W/$1.val.der"
}
rawcert() {  # rawcert NAME SERIAL "ATTR TYPE VALUE"...: a device with exactly that subject
    local name=$1 serial=$2
    shift 2
    cert "$name" device-ca "$serial" '/CN=placeholder'
    raw_name "$W/$name.name.der" "$@"
    resign "$name" device-ca subject "$W/$name.name.der"
}
rawspa() {  # rawspa NAME SERIAL "ST TYPE VALUE" [O spec]: SPA shaped, ST given raw
    rawcert "$1" "$2" "C P US" "$3" "L P 88012BA0$2" "${4:-O P Cisco Systems, Inc.}" \
        "OU P SPA-962" "CN P dev$2"
}
chain() {
    ca device-int 1e '/C=US/O=Prov Test Devices/CN=Prov Test Device Intermediate CA' device-ca
    cert chain-c-nochain device-int 2001 "$(spa 000e08abcdc1 '' 2001)"
    cat "$D/chain-c-nochain.crt" "$D/device-int.crt" > "$D/chain-c.crt"
    cp "$D/chain-c-nochain.key" "$D/chain-c.key"
}
polycom_chain() {  # polycom_chain NAME SERIAL SUBJECT: leaf+polycom-int
    cert "$1-nochain" polycom-int "$2" "$3"
    cat "$D/$1-nochain.crt" "$D/polycom-int.crt" > "$D/$1.crt"
    cp "$D/$1-nochain.key" "$D/$1.key"
}
x_int_sent() {
    cert x-int-sent-nochain fake-polycom-int 3015 '/O=Polycom Inc./CN=0004F2AA0015' \
        -ext v3_dev_noakid
    cat "$D/x-int-sent-nochain.crt" "$D/polycom-int.crt" > "$D/x-int-sent.crt"
    cp "$D/x-int-sent-nochain.key" "$D/x-int-sent.key"
    rm "$D/x-int-sent-nochain.crt" "$D/x-int-sent-nochain.key"
}
x_other_with_int() {
    cert x-other-with-int-nochain other-ca 3016 '/O=Polycom Inc./CN=0004F2AA0003'
    cat "$D/x-other-with-int-nochain.crt" "$D/polycom-int.crt" > "$D/x-other-with-int.crt"
    cp "$D/x-other-with-int-nochain.key" "$D/x-other-with-int.key"
    rm "$D/x-other-with-int-nochain.crt" "$D/x-other-with-int-nochain.key"
}
rogue() {
    cert rogue-a rogue-ca 6001 "$(spa $A '' 1001)"
    cat "$D/rogue-a.crt" "$D/rogue-ca.crt" > "$D/rogue-a-chain.crt"
    cp "$D/rogue-a.key" "$D/rogue-a-chain.key"
}

A=000e08abcdef
B=000e08abcdf0

# --- authorities
bg ca device-ca 1d '/C=US/O=Prov Test Devices/CN=Prov Test Device Root CA'
bg ca server-ca 5e '/C=US/O=Prov Test Servers/CN=Prov Test Server Root CA'
bg ca rogue-ca 6f '/C=US/O=Rogue/CN=Rogue Root CA'
bg ca forged-ca 7f '/C=US/O=Prov Test Devices/CN=Prov Test Device Root CA'
bg ca cisco-ca 31 '/O=Sipura Technology/CN=Sipura CA Client Root'
bg ca mpp-ca 32 '/O=Cisco Systems Inc./CN=Multiplatform Phone CA Client Root'
bg ca polycom-root 33 '/O=Polycom Inc./CN=Polycom Root CA'
bg ca snom-ca 35 '/C=DE/ST=Berlin/L=Berlin/O=Snom Technology AG/CN=Snom Phone 1'
bg ca yealink-ca 36 '/O=Yealink Network Technology/CN=Yealink Equipment Issuing CA'
bg ca other-ca 37 '/O=Other Phones/CN=Other Phones Root CA'
bg ca fake-polycom-int 38 '/O=Polycom Inc./CN=Polycom Equipment Policy CA'
barrier
bg ca polycom-int 34 '/O=Polycom Inc./CN=Polycom Equipment Policy CA' polycom-root

bg chain
bg cert server server-ca 5e01 '/CN=localhost' -ext v3_server
bg cert server-rsa server-ca 5e02 '/CN=localhost' -ext v3_server -rsa2048

# --- Cisco SPA devices
bg cert dev-a device-ca 1001 "$(spa $A '' 1001)"
bg cert dev-b device-ca 1002 "$(spa $B '' 1002)"
bg cert dev-a2 device-ca 1007 "$(spa $A '' 1001)"
bg cert generic device-ca 1003 \
    '/C=US/ST=ciscogeneric/L=ciscogeneric/O=Cisco Systems, Inc./OU=cisco.com/CN=Cisco SPA Generic'
bg dated expired-a 1005 20200101000000Z 20211231235959Z
bg dated notyet-a 1006 20900101000000Z 21001231235959Z

bg cert ou-inject device-ca 1010 \
    "/C=US/ST=000e08abcd10/L=88012BA01010/O=Cisco Systems, Inc./OU=SPA-962,ST=$B/CN=000e08abcd10"
bg cert ou-inject-nost device-ca 1011 \
    "/C=US/L=88012BA01011/O=Cisco Systems, Inc./OU=SPA-962,ST=$B/CN=$B"
bg cert ou-slash-nost device-ca 1012 \
    "/C=US/L=88012BA01012/O=Cisco Systems, Inc./OU=SPA-962\\/ST=$B/CN=$B"
bg cert two-st device-ca 1020 \
    "/C=US/ST=000e08abcd20/ST=$B/L=88012BA01020/O=Cisco Systems, Inc./OU=SPA-962/CN=000e08abcd20"
bg cert multi-rdn device-ca 1021 \
    "/C=US/ST=000e08abcd21+OU=SPA-962/L=88012BA01021/O=Cisco Systems, Inc./CN=000e08abcd21"
bg cert multi-rdn-dup device-ca 1022 \
    "/C=US/ST=000e08abcd22+ST=$B/L=88012BA01022/O=Cisco Systems, Inc./OU=SPA-962/CN=000e08abcd22"
bg cert dotdot device-ca 1030 "$(spa "..\\/$B" 88012BA01030)"
bg cert dot device-ca 1031 "$(spa . 88012BA01031)"
bg cert dotdot-only device-ca 1032 "$(spa .. 88012BA01032)"
bg cert backslash device-ca 1033 "$(spa "..\\\\$B" 88012BA01033)"

bg rawspa nul 1035 "ST U $B\\0x"
bg rawspa ctrl 1036 'ST U 000e08abcd36\r\n2000/01/01 00:00:00 [error] 1#1: forged line'
bg rawspa empty 1037 'ST U '
bg rawspa long 1038 "ST U $B$(printf 'A%.0s' {1..188})"
bg cert quote device-ca 1039 "$(spa "$B\" id=\"$B" 88012BA01039)"
bg cert bmp device-ca 1040 \
    '/C=US/ST=000e08abcd40/L=88012BA01040/O=Téléphonie Ωmega/OU=SPA-962/CN=000e08abcd40' -bmp -utf8
bg rawspa univ 1041 'ST W 000e08abcd41'
bg rawspa t61 1042 'ST T 000e08abcd42'
bg rawspa utf8 1043 'ST P 000e08abcd43' 'O U Téléphonie Ωmega'
bg rawspa homoglyph 1044 'ST U 000\xd0\xb508abcdef'
bg rawspa bidi 1045 'ST U 000e08abcd45\xe2\x80\xae\xc2\x9b'
bg rawcert ou-crlf 1046 'C P US' 'ST P 000e08abcd46' 'L U 88012BA01046\x09\x7f\\' \
    'O P Cisco Systems, Inc.' 'OU U SPA-962\r\nX-Account: 9999' 'CN P dev1046'
bg cert client-inject device-ca 1048 \
    "$(spa '000e08abcd48", client: 198.51.100.1, server: x' 88012BA01048)"

macs=(
    mac-colon 1051 00:0e:08:ab:cd:51
    mac-dash 1052 00-0e-08-ab-cd-52
    mac-dot 1053 000e.08ab.cd53
    mac-upper 1054 000E08ABCD54
    mac-upper-colon 1055 00:0E:08:AB:CD:55
    mac-six 1056 000e08-abcd56
    mac-dash4 1057 000e-08ab-cd57
    mac-upper-dot 1058 000E.08AB.CD58
    mac-mixed 1061 00:0e-08:ab:cd:61
    mac-group3 1062 000:e08:abc:d62
    mac-short 1063 000e08abcd
    mac-long 1064 000e08abcd640
    mac-nonhex 1065 000e08abcdxg
    mac-trailing 1066 00:0e:08:ab:cd:66:
    mac-uneven 1067 00:0e:08:ab:cd67
    mac-space 1068 '00 0e 08 ab cd 68'
)
for ((i = 0; i < ${#macs[@]}; i += 3)); do
    bg cert "${macs[i]}" device-ca "${macs[i + 1]}" "$(spa "${macs[i + 2]}" '' "${macs[i + 1]}")"
done

bg rawcert full 1080 'C P US' 'ST P 000e08abcd80' 'L P 88012BA01080' 'O U Cisco Systems, Inc.' \
    'OU U CP-8841-3PCC' 'CN U 000e08abcd80' 'serialNumber P FCH2080A0B0' 'UID U uid-0080' \
    'emailAddress I dev80@example.com' 'title U Lobby phone' 'DC I example' 'DC I com' \
    '1.3.6.1.4.1.55555.1 U custom-0080'

bg cert old-spa device-ca 1090 "$(spa 000e08abcd90 '' 1090)" -rsa1024 -sha1

# --- other vendors
bg cert polycom device-ca 1071 '/O=Polycom/OU=VVX 411/CN=0004f2abcdef'
bg cert yealink device-ca 1072 '/C=CN/O=Yealink/OU=T46S/CN=00:15:65:AB:CD:EF'
bg cert cisco-sep device-ca 1073 '/O=Cisco Systems/OU=CP-7975G/CN=SEP00112233AABB'

# --- vendor-shaped devices (polycom-int's are below: after the barrier)
bg cert v-spa cisco-ca 3001 "$(spa 000e08aa0001 '' 3001)"
bg cert v-mpp mpp-ca 3002 \
    '/C=US/ST=00562baa0002/L=FCH2230A002/O=Cisco Systems, Inc./OU=CP-8841-3PCC/CN=00562baa0002'
bg cert v-yealink yealink-ca 3004 '/O=Yealink/OU=T46S/CN=001565AA0004'
bg cert v-snom snom-ca 3005 '/O=Snom Technology AG/OU=snom710/CN=000413AA0005'
bg cert v-other other-ca 3006 '/ST=000e08aa0001/O=Other Phones/CN=00AABBAA0006'
bg cert x-snom-as-spa snom-ca 3012 \
    '/C=US/ST=000e08aa0001/L=88012BA03001/O=Cisco Systems, Inc./OU=SPA-962/CN=000413AA0012'
bg cert x-spa-as-polycom cisco-ca 3013 '/ST=000e08aa0013/O=Polycom Inc./CN=0004F2AA0003'
bg cert x-yealink-as-snom yealink-ca 3014 '/O=Snom Technology AG/CN=000413AA0005'

# --- not verifiable
bg rogue
bg cert selfsigned-a - 6002 "$(spa $A '' 1001)" -selfsigned
bg dated rogue-expired-a 6003 20200101000000Z 20211231235959Z rogue-ca
bg cert forged-a forged-ca 7001 "$(spa $A '' 1001)" -ext v3_dev_noakid
bg cert srvca-a server-ca 5001 "$(spa $A '' 1001)"
barrier

# --- under polycom-int, made above
bg polycom_chain v-polycom 3003 '/O=Polycom Inc./CN=0004F2AA0003'
bg polycom_chain x-polycom-as-spa 3011 \
    '/C=US/ST=000e08aa0001/O=Polycom Inc./OU=SPA-962/CN=0004F2AA0011'
bg x_int_sent
bg x_other_with_int
barrier
rm "$D/x-polycom-as-spa-nochain.crt" "$D/x-polycom-as-spa-nochain.key"
cat "$D"/{cisco-ca,mpp-ca,polycom-root,snom-ca,yealink-ca,other-ca}.crt > "$D/vendor-roots.crt"
cat "$D/polycom-root.crt" "$D/polycom-int.crt" > "$D/polycom-bundle.crt"
cp "$D/v-spa.crt" "$D/notca.crt"

# sanity checks
[ "$(openssl asn1parse -in "$D/bmp.crt" | grep -c BMPSTRING)" -ge 5 ] \
    || { echo "$0: bmp.crt has no BMPString" >&2; exit 1; }
for n in univ t61 full nul empty; do q openssl x509 -in "$D/$n.crt" -noout; done
q openssl verify -CAfile "$D/device-ca.crt" "$D/dev-a.crt" "$D/nul.crt" "$D/full.crt" "$D/univ.crt"
q openssl verify -CAfile "$D/device-ca.crt" -untrusted "$D/device-int.crt" "$D/chain-c.crt"
q openssl verify -CAfile "$D/server-ca.crt" "$D/server.crt"
V=$D/vendor-roots.crt
q openssl verify -CAfile "$V" "$D/v-spa.crt" "$D/v-mpp.crt" "$D/v-yealink.crt" \
    "$D/v-snom.crt" "$D/v-other.crt" "$D/x-snom-as-spa.crt" "$D/x-spa-as-polycom.crt" \
    "$D/x-yealink-as-snom.crt"
q openssl verify -CAfile "$V" -untrusted "$D/polycom-int.crt" "$D/v-polycom.crt" \
    "$D/v-polycom-nochain.crt" "$D/x-polycom-as-spa.crt"
# the intermediate it sends is not in the chain verification builds
q openssl verify -CAfile "$V" -untrusted "$D/x-other-with-int.crt" "$D/x-other-with-int.crt"
[ "$(openssl verify -CAfile "$V" -untrusted "$D/x-other-with-int.crt" -show_chain \
    "$D/x-other-with-int.crt" | grep -c 'Polycom Equipment')" = 0 ] \
    || { echo "$0: x-other-with-int verifies through polycom-int" >&2; exit 1; }
# must not verify: the leaf alone, and the rogue leaf with the real intermediate
for n in v-polycom-nochain x-int-sent; do
    if openssl verify -CAfile "$V" -untrusted "$D/$n.crt" "$D/$n.crt" >/dev/null 2>&1; then
        echo "$0: $n.crt verifies against vendor-roots.crt" >&2
        exit 1
    fi
done
[ "$(grep -c 'BEGIN CERT' "$V")" = 6 ] && [ "$(grep -c 'BEGIN CERT' "$D/x-int-sent.crt")" = 2 ] \
    || { echo "$0: vendor bundles" >&2; exit 1; }

chmod 644 "$D"/*.key "$D"/*.crt
rm -rf "$W"
echo "$STAMP_VALUE" > "$D/$STAMP"
trap - EXIT
rm -rf "$OUT"
mv -T "$D" "$OUT" 2>/dev/null || { rm -rf "$D"; [ -f "$OUT/$STAMP" ]; }
