# A hostile review of "prov_id ... issuer=FILE" (issue 17): a device of
# one CA read by another CA's rule, or another device's profile.
#
# Findings (each block fails on main at bd59b29, f739812 and 1bd3d07):
#
# - TESTS 2-4: the CAs of an issuer file are compared with the verified
#   chain as whole certificates (X509_cmp(): the SHA-1 of the DER, then
#   the TBS).  An intermediate the device sends itself (the usual setup:
#   ssl_client_certificate holds the makers' roots) is in the verified
#   chain in the form the device sent, and the device picks that form: an
#   ECDSA signature has two valid values (s and n - s), so every
#   EC-signed intermediate exists as a second certificate, with the same
#   TBS, key and subject, that verifies as well; a CA re-issued with its
#   key (a renewal) is another.  A rule pinned to the intermediate then
#   misses, and the device is read by a later rule: the catch-all the
#   README documents ("one that comes last is a catch-all") reads a
#   Polycom-CA certificate whose ST is a Cisco phone's MAC as that phone,
#   and serves it the phone's profile.  Without a catch-all the Polycom
#   phone that sends its re-issued intermediate is refused
#   (unknown_issuer).
#   TEST 15: the same where the module verifies again (no SNI).
# - TEST 8: PEM blocks other than CERTIFICATE in an issuer file are
#   skipped without a word (PEM_read_bio_X509() looks for the next block
#   it reads): a CA written as "TRUSTED CERTIFICATE" (openssl x509
#   -trustout; nginx's ssl_client_certificate reads it as a trust anchor)
#   is not in the rule, and its devices fall to the next rule.
#
# Fixed: a CA of an issuer file is found in the chain as that certificate
# or as one with its subject and public key (TESTS 2-4, 15); issuer files
# are read block by block, TRUSTED CERTIFICATE blocks as CAs (as nginx's
# trust store reads them, TESTS 8, 9), any other block stops nginx -t
# (TEST 16).
#
# What held (these blocks passed on main): the client sending the other
# maker's CA certificate with its own chain (TEST 5); an intermediate
# under the Cisco root with the Polycom intermediate's subject and key
# identifier (TEST 6); the malleated intermediate when the intermediate is
# in the server's store (TEST 7: verification takes the store's copy);
# issuer files that are a FIFO, a directory, a symbolic link loop or DER
# (TESTS 10-13); the look-alike intermediate when the real one is in the
# store (TEST 14: nginx's 400).
#
# The PKI is made at test time (make_pki() below, openssl), into
# $TEST_NGINX_ATK_ISSUER_PKI or "$TEST_NGINX_PROV_PKI-atk-issuer"; the
# server's certificate is ProvTest's.  EC P-256 keys.
#   cisco-ca     /O=Sipura Technology/CN=Atk Sipura Root CA          9301
#   poly-root    /O=Polycom Inc./CN=Atk Polycom Root CA              9302
#   poly-int     /O=Polycom Inc./CN=Atk Polycom Equipment Policy CA  9303
#   poly-int2    poly-int re-issued by poly-root: same key, subject  9304
#   poly-int-m   poly-int with the other ECDSA signature value (n - s)
#   forged-int   under cisco-ca: poly-int's subject and subject key
#                identifier, a key of its own                        9305
#   spa          cisco-ca, Cisco SPA: ST=CN=000e08aa0001             9311
#   pol          poly-int, Polycom: CN=0004F2AA0003 (+ poly-int)     9312
#   pas          poly-int, CN=0004F2AA0011, ST=000e08aa0001 (the SPA's
#                MAC in Cisco's attribute) (+ poly-int)              9313
#   fgd          forged-int, CN=0004F2AA0003 (the Polycom's MAC),
#                ST=000e08aa0099 (+ forged-int)                      9314
#   <dev>-m, <dev>-r, <dev>-a: the same leaf sent with poly-int-m,
#                with poly-int2, with poly-int and cisco-ca
#   roots.crt    cisco-ca and poly-root: ssl_client_certificate

use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

use File::Path qw(make_path remove_tree);
use Math::BigInt;
use MIME::Base64 qw(decode_base64 encode_base64);

our $PKI = make_pki();

# a backend of its own: the front picks the certificate from this PKI
sub backend {
    my %o = (rules => '', ssl => '', more => '', http => '', @_);
    my $h = ProvTest::headers();
    my $no_keepalive = ProvTest::no_keepalive();

    return <<"_EOC_";
    upstream pt_tls {
        server unix:\$TEST_NGINX_SERVER_ROOT/html/tls.sock;
        $no_keepalive
    }

    map \$pt_dev \$pt_crt {
        default  \$TEST_NGINX_ATK_ISSUER_PKI/\$pt_dev.crt;
    }

    map \$pt_dev \$pt_key {
        default  \$TEST_NGINX_ATK_ISSUER_PKI/\$pt_dev.key;
    }
$o{http}

    server {
        listen unix:\$TEST_NGINX_SERVER_ROOT/html/tls.sock ssl;
        server_name localhost;

        ssl_certificate \$TEST_NGINX_PROV_PKI/server.crt;
        ssl_certificate_key \$TEST_NGINX_PROV_PKI/server.key;
        ssl_client_certificate \$TEST_NGINX_ATK_ISSUER_PKI/roots.crt;
        ssl_verify_client optional;
        ssl_verify_depth 3;
        $o{ssl}
        root \$TEST_NGINX_SERVER_ROOT/html;
$h
        prov on;
        $o{rules}
        prov_profile /devices/\$prov_id.cfg =404;

        location / { }
        location ^~ /devices/ { internal; }
        $o{more}
    }
_EOC_
}

sub front {
    return <<'_EOC_';
        proxy_ssl_certificate $pt_crt;
        proxy_ssl_certificate_key $pt_key;
        proxy_ssl_session_reuse off;
        proxy_ssl_protocols TLSv1.2 TLSv1.3;
        proxy_http_version 1.1;
        proxy_set_header Host localhost;
        proxy_set_header Connection close;
        proxy_read_timeout 5s;

        location ~ ^/as/(?<pt_dev>[^/]+)(?<pt_path>/.*)$ {
            proxy_pass https://pt_tls$pt_path;
        }
_EOC_
}

# the rules of a mixed fleet as the README writes them: Polycom (MAC in CN)
# pinned to the CA that issues its phones, the rest read by a catch-all
# (Cisco: MAC in ST)
our $CatchAll = 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/poly-int.crt;'
              . ' prov_id ST mac;';

# every rule pinned
our $Pinned = 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/poly-int.crt;'
            . ' prov_id ST mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/cisco-ca.crt;';

# a default server on the backend's socket: the front sends no SNI, so the
# handshake runs in its context and the module verifies again for
# "localhost" (the Host)
our $Default = <<'_EOC_';
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/tls.sock ssl default_server;
        server_name a.test;
        ssl_certificate $TEST_NGINX_PROV_PKI/server.crt;
        ssl_certificate_key $TEST_NGINX_PROV_PKI/server.key;
        ssl_client_certificate $TEST_NGINX_ATK_ISSUER_PKI/roots.crt;
        ssl_verify_client optional;
        ssl_verify_depth 3;
        location / { return 200 "server a\n"; }
    }
_EOC_

our $Files = join '', map { ">>> devices/$_.cfg\nprofile of $_\n" }
    qw(000e08aa0001 0004f2aa0003 0004f2aa0011 000e08aa0099);

sub profile { ProvTest::exactly("profile of $_[0]\n") }

ProvTest::defaults(
    http_config => backend(rules => $CatchAll),
    config => front(),
    user_files => $Files,
);

no_shuffle();
run_tests();


# make_pki(): the PKI of the header, made once per version of this file
sub make_pki {
    my $dir = $ENV{TEST_NGINX_ATK_ISSUER_PKI}
              // "$ProvTest::PKI-atk-issuer";
    $ENV{TEST_NGINX_ATK_ISSUER_PKI} = $dir;
    my $stamp = "$dir/.done-" . (stat __FILE__)[9];
    return $dir if -e $stamp;

    remove_tree($dir);
    make_path($dir);

    write_file("$dir/openssl.cnf", <<'_CNF_');
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[v3_dev]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
_CNF_
    local $ENV{OPENSSL_CONF} = "$dir/openssl.cnf";

    my $key = sub {
        ossl('genpkey', '-algorithm', 'EC', '-pkeyopt',
             'ec_paramgen_curve:P-256', '-out', "$dir/$_[0].key");
    };
    my $root = sub {
        my ($name, $serial, $subj) = @_;
        $key->($name);
        ossl('req', '-new', '-x509', '-key', "$dir/$name.key", '-subj', $subj,
             '-set_serial', "0x$serial", '-days', 3650, '-sha256',
             '-extensions', 'v3_ca', '-out', "$dir/$name.crt");
    };
    # sign(NAME, ISSUER, SERIAL, SUBJECT, EXTENSIONS[, KEY NAME])
    my $sign = sub {
        my ($name, $issuer, $serial, $subj, $ext, $k) = @_;
        $k //= $name;
        $key->($k) unless -e "$dir/$k.key";
        ossl('req', '-new', '-key', "$dir/$k.key", '-subj', $subj,
             '-out', "$dir/$name.csr");
        ossl('x509', '-req', '-in', "$dir/$name.csr", '-CA', "$dir/$issuer.crt",
             '-CAkey', "$dir/$issuer.key", '-set_serial', "0x$serial",
             '-days', 3650, '-sha256', '-extfile', "$dir/openssl.cnf",
             '-extensions', $ext, '-out', "$dir/$name.crt");
        unlink "$dir/$name.csr";
    };

    my $int = '/O=Polycom Inc./CN=Atk Polycom Equipment Policy CA';
    $root->('cisco-ca', 9301, '/O=Sipura Technology/CN=Atk Sipura Root CA');
    $root->('poly-root', 9302, '/O=Polycom Inc./CN=Atk Polycom Root CA');
    $sign->('poly-int', 'poly-root', 9303, $int, 'v3_ca');
    $sign->('poly-int2', 'poly-root', 9304, $int, 'v3_ca', 'poly-int');
    write_file("$dir/poly-int-m.crt", malleate(slurp("$dir/poly-int.crt")));

    my $skid = `openssl x509 -in '$dir/poly-int.crt' -noout -ext subjectKeyIdentifier`;
    $skid =~ /((?:[0-9A-F]{2}:)+[0-9A-F]{2})/ or die "no key identifier: $skid";
    append_file("$dir/openssl.cnf", "[v3_forged]\nbasicConstraints = critical, CA:TRUE\n"
        . "keyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = $1\n"
        . "authorityKeyIdentifier = keyid:always\n");
    $sign->('forged-int', 'cisco-ca', 9305, $int, 'v3_forged');

    $sign->('spa', 'cisco-ca', 9311,
            '/C=US/ST=000e08aa0001/O=Cisco Systems, Inc./OU=SPA-962/CN=000e08aa0001', 'v3_dev');
    $sign->('pol-leaf', 'poly-int', 9312, '/O=Polycom Inc./CN=0004F2AA0003', 'v3_dev', 'pol');
    $sign->('pas-leaf', 'poly-int', 9313,
            '/C=US/ST=000e08aa0001/O=Polycom Inc./OU=SPA-962/CN=0004F2AA0011', 'v3_dev', 'pas');
    $sign->('fgd-leaf', 'forged-int', 9314,
            '/ST=000e08aa0099/O=Polycom Inc./CN=0004F2AA0003', 'v3_dev', 'fgd');

    my %chain = ('' => ['poly-int'], '-m' => ['poly-int-m'], '-r' => ['poly-int2'],
                 '-a' => ['poly-int', 'cisco-ca']);
    for my $dev (qw(pol pas)) {
        for my $v (sort keys %chain) {
            write_file("$dir/$dev$v.crt", join '', map { slurp("$dir/$_.crt") }
                                                   "$dev-leaf", @{ $chain{$v} });
            write_file("$dir/$dev$v.key", slurp("$dir/$dev.key")) if $v ne '';
        }
    }
    write_file("$dir/fgd.crt", slurp("$dir/fgd-leaf.crt") . slurp("$dir/forged-int.crt"));
    write_file("$dir/roots.crt", slurp("$dir/cisco-ca.crt") . slurp("$dir/poly-root.crt"));

    # odd issuer files
    ossl('x509', '-in', "$dir/poly-int.crt", '-trustout', '-addtrust', 'clientAuth',
         '-out', "$dir/poly-int-trusted.pem");
    write_file("$dir/key-and-ca.pem", slurp("$dir/poly-int.crt") . slurp("$dir/spa.key"));
    write_file("$dir/bundle-trusted.pem",
               slurp("$dir/cisco-ca.crt") . slurp("$dir/poly-int-trusted.pem"));
    ossl('x509', '-in', "$dir/poly-int.crt", '-outform', 'DER', '-out', "$dir/poly-int.der");
    system('mkfifo', "$dir/fifo.pem") == 0 or die "mkfifo failed";
    mkdir "$dir/dir.pem" or die "mkdir: $!";
    symlink 'loop.pem', "$dir/loop.pem" or die "symlink: $!";

    chmod 0644, glob "$dir/*.key";
    write_file($stamp, '');
    return $dir;
}

sub ossl {
    my @cmd = ('openssl', @_);
    my $out = `@{[ join ' ', map { my $w = $_; $w =~ s/'/'\\''/g; "'$w'" } @cmd ]} 2>&1`;
    die "failed: @cmd\n$out" if $?;
}

sub slurp {
    open my $in, '<', $_[0] or die "$_[0]: $!";
    local $/;
    return scalar <$in>;
}

sub write_file {
    open my $out, '>', $_[0] or die "$_[0]: $!";
    print {$out} $_[1];
    close $out or die "$_[0]: $!";
}

sub append_file {
    open my $out, '>>', $_[0] or die "$_[0]: $!";
    print {$out} $_[1];
    close $out or die "$_[0]: $!";
}

# malleate(PEM): the certificate with the other valid value of its P-256
# ECDSA signature, (r, n - s): the same TBS, another DER
sub malleate {
    my ($pem) = @_;
    $pem =~ /-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----/s
        or die "malleate: no certificate";
    my $der = decode_base64($1);
    my (undef, $hl) = tlv($der, 0);
    my ($off, @parts) = ($hl);
    for (1 .. 3) {
        my (undef, $h, $l) = tlv($der, $off);
        push @parts, substr($der, $off, $h + $l);
        $off += $h + $l;
    }
    my (undef, $bh, $bl) = tlv($parts[2], 0);
    my $sig = substr($parts[2], $bh + 1, $bl - 1);    # after "unused bits"
    my (undef, $sh) = tlv($sig, 0);
    my (undef, $rh, $rl) = tlv($sig, $sh);
    my $r = substr($sig, $sh, $rh + $rl);
    my (undef, $h, $l) = tlv($sig, $sh + $rh + $rl);
    my $s = Math::BigInt->from_hex(unpack 'H*', substr($sig, $sh + $rh + $rl + $h, $l));
    my $n = Math::BigInt->from_hex('FFFFFFFF00000000FFFFFFFFFFFFFFFF'
                                   . 'BCE6FAADA7179E84F3B9CAC2FC632551');
    (my $hex = $n->bsub($s)->as_hex) =~ s/^0x//;
    $hex = "0$hex" if length($hex) % 2;
    my $sb = pack 'H*', $hex;
    $sb = "\0$sb" if ord($sb) & 0x80;
    my $cert = der(0x30, $parts[0] . $parts[1]
                         . der(0x03, "\0" . der(0x30, $r . der(0x02, $sb))));
    (my $b64 = encode_base64($cert, '')) =~ s/(.{64})/$1\n/g;
    $b64 =~ s/\n?\z/\n/;
    return "-----BEGIN CERTIFICATE-----\n$b64-----END CERTIFICATE-----\n";
}

# tlv(DER, OFFSET): tag, header length and content length there
sub tlv {
    my ($der, $off) = @_;
    my $tag = ord substr($der, $off, 1);
    my $l = ord substr($der, $off + 1, 1);
    my $hl = 2;
    if ($l & 0x80) {
        my $n = $l & 0x7f;
        $l = 0;
        $l = $l * 256 + ord substr($der, $off + 2 + $_, 1) for 0 .. $n - 1;
        $hl += $n;
    }
    return ($tag, $hl, $l);
}

sub der {
    my ($tag, $body) = @_;
    my $l = length $body;
    my $len = chr $l;
    if ($l >= 128) {
        my $b = '';
        for (; $l; $l >>= 8) { $b = chr($l & 255) . $b }
        $len = chr(0x80 | length $b) . $b;
    }
    return chr($tag) . $len . $body;
}

__DATA__

=== TEST 1: the README's mixed fleet (Polycom pinned, a catch-all): each device its own profile
--- request eval
["GET /as/spa/x.cfg", "GET /as/pol/x.cfg", "GET /as/pas/x.cfg"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[main::profile('000e08aa0001'), main::profile('0004f2aa0003'), main::profile('0004f2aa0011')]
--- response_headers eval
["X-Prov-Id: 000e08aa0001", "X-Prov-Id: 0004f2aa0003", "X-Prov-Id: 0004f2aa0011"]
--- no_error_log
prov: access forbidden



=== TEST 2: FINDING: the Polycom intermediate sent with its other ECDSA signature value: the catch-all reads ST, the SPA's profile
The Polycom-CA certificate (ST: a Cisco SPA's MAC) sends poly-int with
(r, n - s) instead of (r, s): it verifies, and X509_cmp() finds it in no
issuer file.  It must still be read by the Polycom rule (CN).
--- request
GET /as/pas-m/x.cfg
--- error_code: 200
--- response_body_like eval
main::profile('0004f2aa0011')
--- response_headers
X-Prov-Id: 0004f2aa0011
X-Verify: SUCCESS



=== TEST 3: FINDING: the same with the intermediate re-issued by its root (same key and subject, another serial)
--- request
GET /as/pas-r/x.cfg
--- error_code: 200
--- response_body_like eval
main::profile('0004f2aa0011')
--- response_headers
X-Prov-Id: 0004f2aa0011
X-Verify: SUCCESS



=== TEST 4: FINDING: every rule pinned: a Polycom phone that sends its intermediate in another form is its CA's all the same
--- http_config eval
main::backend(rules => $main::Pinned)
--- request eval
["GET /as/pol-m/x.cfg", "GET /as/pol-r/x.cfg", "GET /as/pas-m/x.cfg"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[main::profile('0004f2aa0003'), main::profile('0004f2aa0003'), main::profile('0004f2aa0011')]
--- response_headers eval
["X-Prov-Id: 0004f2aa0003", "X-Prov-Id: 0004f2aa0003", "X-Prov-Id: 0004f2aa0011"]
--- no_error_log
prov: access forbidden (unknown_issuer)



=== TEST 5: holds: the client sends Cisco's root along with its Polycom chain (Cisco's rule first)
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/cisco-ca.crt;'
                     . ' prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/poly-int.crt;')
--- request
GET /as/pas-a/x.cfg
--- error_code: 200
--- response_body_like eval
main::profile('0004f2aa0011')
--- response_headers
X-Prov-Id: 0004f2aa0011



=== TEST 6: holds: an intermediate under Cisco's root with the Polycom intermediate's subject and key identifier
Its certificate (CN: the Polycom phone's MAC) is read by the Cisco rule.
--- http_config eval
main::backend(rules => $main::Pinned)
--- request
GET /as/fgd/x.cfg
--- error_code: 200
--- response_body_like eval
main::profile('000e08aa0099')
--- response_headers
X-Prov-Id: 000e08aa0099



=== TEST 7: holds: the intermediate in the server's store: verification takes the store's copy, whatever the device sends
--- http_config eval
main::backend(ssl => 'ssl_trusted_certificate $TEST_NGINX_ATK_ISSUER_PKI/poly-int.crt;',
              rules => $main::CatchAll)
--- request eval
["GET /as/pas-m/x.cfg", "GET /as/pas-r/x.cfg"]
--- error_code eval
[200, 200]
--- response_body_like eval
[main::profile('0004f2aa0011'), main::profile('0004f2aa0011')]
--- response_headers eval
["X-Prov-Id: 0004f2aa0011", "X-Prov-Id: 0004f2aa0011"]



=== TEST 8: FINDING: an issuer file with a TRUSTED CERTIFICATE block: nginx -t skipped it silently
The Polycom intermediate written by "openssl x509 -trustout" after the
Cisco root: the module read only the root, the Polycom phones fell to
the catch-all.  nginx's trust store (ssl_client_certificate) reads such a
block as a CA: so does the issuer file now, and the Polycom rule reads
the phone.
--- http_config eval
main::backend(rules => 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/bundle-trusted.pem;'
                     . ' prov_id ST mac;')
--- request
GET /as/pas/x.cfg
--- error_code: 200
--- response_body_like eval
main::profile('0004f2aa0011')
--- response_headers
X-Prov-Id: 0004f2aa0011



=== TEST 9: an issuer file holding only a TRUSTED CERTIFICATE block is read
--- http_config eval
main::backend(rules => 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/poly-int-trusted.pem;')
--- request
GET /as/pas/x.cfg
--- error_code: 200
--- response_body_like eval
main::profile('0004f2aa0011')



=== TEST 10: holds: a DER issuer file
--- http_config eval
main::backend(rules => 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/poly-int.der;')
--- request
GET /as/pas/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] .*issuer file "[^"]*poly-int\.der" holds no PEM certificate/



=== TEST 11: holds: a FIFO as issuer file (nginx -t does not hang)
--- http_config eval
main::backend(rules => 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/fifo.pem;')
--- request
GET /as/pas/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] .*issuer file "[^"]*fifo\.pem" is not a file/



=== TEST 12: holds: a directory as issuer file
--- http_config eval
main::backend(rules => 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/dir.pem;')
--- request
GET /as/pas/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] .*issuer file "[^"]*dir\.pem" is not a file/



=== TEST 13: holds: a symbolic link loop as issuer file
--- http_config eval
main::backend(rules => 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/loop.pem;')
--- request
GET /as/pas/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] .*cannot open issuer file "[^"]*loop\.pem"/



=== TEST 14: holds: the look-alike intermediate when the real one is in the server's store: its certificate fails verification
The store's copy (same subject, same key identifier) is taken as the
issuer, and the leaf's signature does not verify with its key: nginx's
own 400, no rule reads it.
--- http_config eval
main::backend(ssl => 'ssl_trusted_certificate $TEST_NGINX_ATK_ISSUER_PKI/poly-int.crt;',
              rules => $main::CatchAll)
--- request
GET /as/fgd/x.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::CERT_ERROR



=== TEST 15: FINDING: the same through the module's own verification (no SNI: the handshake ran in the default server's context)
--- http_config eval
main::backend(http => $main::Default, rules => $main::CatchAll)
--- request eval
["GET /as/pas-m/x.cfg", "GET /as/pas-r/x.cfg"]
--- error_code eval
[200, 200]
--- response_body_like eval
[main::profile('0004f2aa0011'), main::profile('0004f2aa0011')]
--- response_headers eval
["X-Prov-Id: 0004f2aa0011", "X-Prov-Id: 0004f2aa0011"]



=== TEST 16: any other PEM block stops nginx -t, naming the file and the block
A private key in an issuer file (a CRL, a CSR) is no CA: left out without
a word, the CA the operator meant would be missing from the rule.
--- http_config eval
main::backend(rules => 'prov_id CN mac issuer=$TEST_NGINX_ATK_ISSUER_PKI/key-and-ca.pem;')
--- request
GET /as/pas/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] .*block 2 of issuer file "[^"]*key-and-ca\.pem" is "PRIVATE KEY", not a certificate/
