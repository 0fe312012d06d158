# prov_id ... issuer=FILE (issue 17): mixed-vendor fleets.  Each vendor's
# CA vouches for the attribute its devices carry the MAC in (Cisco SPA and
# MPP: ST, Polycom, Yealink, Snom: CN); a certificate is read by the first
# rule whose issuer file holds a CA of the chain that verification built
# from the server's trust store (never what the client merely sent).  The
# vendor-shaped PKI is t/pki/make-pki.sh's (v-*: the vendors' devices,
# x-*: another CA's certificate carrying a device's MAC in the victim
# vendor's attribute, other-ca: trusted, no rule).
#
# TESTS 1-3: each vendor's device, intermediates sent and only in the
# store; TESTS 4-12 try every order of the five rules (120 locations, one
# per order) with every device and impostor; TESTS 13-17 each impostor
# against its victim's rule alone (unknown_issuer); 18-20 unknown_issuer in
# $prov_result, the log and prov_status, and vendor CAs merely sent by the
# client; 21-25 a rogue intermediate, issuers compared as certificates (a
# trusted CA with polycom-int's name), rules on the root and the
# intermediate; 26-27 prov_uri_id and prov_status with the rule that
# matched; resumed sessions (TLS 1.2 and 1.3), HTTP/2 and keep-alive in
# TESTS 30-37; the nginx -t errors and the inheritance of rules in TESTS
# 40-58; what operators add around the gate in TESTS 60-69; two servers
# with their own trust stores on one connection (HTTP/1.1, resumed, HTTP/2)
# in TESTS 80-84.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly page);

# the devices: their MAC ($prov_id) and serial
our %ID = (
    'v-spa' => '000e08aa0001',
    'v-mpp' => '00562baa0002',
    'v-polycom' => '0004f2aa0003',
    'v-polycom-nochain' => '0004f2aa0003',
    'v-yealink' => '001565aa0004',
    'v-snom' => '000413aa0005',
    # what the impostors are read as, by their own vendor's rule
    'x-polycom-as-spa' => '0004f2aa0011',
    'x-snom-as-spa' => '000413aa0012',
    'x-spa-as-polycom' => '000e08aa0013',
);

our %SERIAL = (
    'v-spa' => 3001, 'v-mpp' => 3002, 'v-polycom' => 3003,
    'v-polycom-nochain' => 3003, 'v-yealink' => 3004, 'v-snom' => 3005,
    'v-other' => 3006, 'x-polycom-as-spa' => 3011, 'x-snom-as-spa' => 3012,
    'x-spa-as-polycom' => 3013, 'x-yealink-as-snom' => 3014,
    'x-int-sent' => 3015,
);

# The rules, each pinned to its vendor's CA; Polycom, Yealink and Snom
# also pinned to the vendor's OUI (a "(?<mac>)" regex: a MAC id)
our $P = '$TEST_NGINX_PROV_PKI';
our %RULE = (
    spa => "prov_id ST mac issuer=$P/cisco-ca.crt;",
    mpp => "prov_id ST mac issuer=$P/mpp-ca.crt;",
    polycom => qq{prov_id CN "(?i)^(?<mac>0004f2[0-9a-f]{6})\$" issuer=$P/polycom-root.crt;},
    yealink => qq{prov_id CN "(?i)^(?<mac>001565[0-9a-f]{6})\$" issuer=$P/yealink-ca.crt;},
    snom => qq{prov_id CN "(?i)^(?<mac>000413[0-9a-f]{6})\$" issuer=$P/snom-ca.crt;},
);
our @VENDORS = qw(spa mpp polycom yealink snom);

# the same without the OUI pins
our %PLAIN = (
    %RULE,
    polycom => "prov_id CN mac issuer=$P/polycom-root.crt;",
    yealink => "prov_id CN mac issuer=$P/yealink-ca.crt;",
    snom => "prov_id CN mac issuer=$P/snom-ca.crt;",
);

sub rules { join "\n", map { $RULE{$_} } @_ ? @_ : @VENDORS }

# LINES joined by newlines (Test::Base has a "join" of its own where the
# sections are evaluated)
sub lines { join "\n", @_ }

our $PROFILE_RULE = 'prov_profile /devices/$prov_id.cfg =404;';
our $FOLDERS = ProvTest::internal('^~ /devices/');

# backend(rules => prov_id lines, more => more server text, %ProvTest
# options): the gate, vendor-roots.crt trusted, each device's own profile
# by $prov_id in "location /"
sub backend {
    my %o = (rules => rules(), more => '', location => $PROFILE_RULE,
             extra => $FOLDERS, @_);
    my $rules = delete $o{rules};
    my $more = delete $o{more};
    return ProvTest::backend(
        verify => 'on',
        ca => 'vendor-roots',
        server => "prov on;\n$rules\n$more",
        %o,
    );
}

# the profiles of the vendors' devices (the impostors' own ids have none:
# 404 once read by their own vendor's rule)
sub files {
    my %seen;
    my @f = grep { !$seen{$_}++ } map { $ID{$_} } grep { /^v-/ } keys %ID;
    return [['profile.cfg', $ProvTest::PROFILE],
            map { ["devices/$_.cfg", dev_profile($_)] } sort @f];
}

our $NOT_FOUND = page('404 Not Found');

# a 403 holding none of the victim's bytes
sub forbidden { $ProvTest::FORBIDDEN }

# the refusal line of a verified certificate that no rule reads
sub unknown_issuer {
    my ($cert, $issuer) = @_;
    return qr/prov: access forbidden \(unknown_issuer\): certificate issued by "[^"]*CN=\Q$issuer\E[^"]*" is read by no prov_id, serial $SERIAL{$cert}\b/;
}

# the outcome of CERT under the five rules: [code, body, headers]
sub outcome {
    my ($cert) = @_;
    if ($cert eq 'x-yealink-as-snom') {
        # Yealink's rule reads it; its CN is no Yealink MAC
        return [403, forbidden(), "X-Prov-Id: \nX-Prov-Result: bad_id"];
    }
    if ($cert =~ /^x-/) {
        # read by its own vendor's rule: its own id, which has no profile
        return [404, $NOT_FOUND, "X-Prov-Id: $ID{$cert}\nX-Prov-Result: allow"];
    }
    return [200, exactly(dev_profile($ID{$cert})),
            "X-Prov-Id: $ID{$cert}\nX-Prov-Result: allow"];
}

# every order of LIST
sub permutations {
    my @list = @_;
    return [[]] if !@list;
    my @out;
    for my $i (0 .. $#list) {
        my @rest = @list;
        my ($x) = splice @rest, $i, 1;
        push @out, [$x, @$_] for @{ permutations(@rest) };
    }
    return \@out;
}

our @ORDERS = @{ permutations(@VENDORS) };

# a location /o/N/ for every order N of the rules, each serving
# /o/N/<path> as <path> (prov_profile at server level)
sub orders_backend {
    my $extra = $FOLDERS;
    for my $n (0 .. $#ORDERS) {
        $extra .= "        location /o/$n/ {\n"
                . join('', map { "            $RULE{$_}\n" } @{ $ORDERS[$n] })
                . "            rewrite ^/o/$n(/.*)\$ \$1 break;\n"
                . "            $PROFILE_RULE\n"
                . "        }\n";
    }
    return backend(extra => $extra);
}

# the requests of CERT in every order, and what each gets
sub orders_requests { my ($c) = @_; [map { "GET /as/$c/o/$_/x.cfg" } 0 .. $#ORDERS] }
sub orders_codes { my ($c) = @_; [(outcome($c)->[0]) x @ORDERS] }
sub orders_bodies { my ($c) = @_; [(outcome($c)->[1]) x @ORDERS] }
sub orders_headers { my ($c) = @_; [(outcome($c)->[2]) x @ORDERS] }

# front(%ProvTest::front options): /sent/<path>: v-other's certificate
# sent with the vendors' CA certificates after it (html/sent.crt)
our $SENT = <<'_EOC_';
        location ~ ^/sent(?<pt_path>/.*)$ {
            proxy_ssl_certificate $TEST_NGINX_SERVER_ROOT/html/sent.crt;
            proxy_ssl_certificate_key $TEST_NGINX_PROV_PKI/v-other.key;
            proxy_pass https://pt_tls$pt_path$is_args$args;
        }
_EOC_

sub slurp {
    my ($name) = @_;
    open my $fh, '<', "$ProvTest::PKI/$name" or die "$name: $!";
    local $/;
    return <$fh>;
}

# prov_status at /status in the front
our $STATUS = <<'_EOC_';
        location = /status {
            prov_status;
        }
_EOC_

# what each certificate gets from backend() (the five rules, polycom-int
# in the store): code, body, headers
our (%CODE, %BODY, %HEAD);
for my $c (keys(%SERIAL)) {
    if ($c eq 'v-other') {
        ($CODE{$c}, $BODY{$c}, $HEAD{$c})
            = (403, forbidden(), "X-Prov-Id: \nX-Prov-Result: unknown_issuer");
        next;
    }
    next if $c eq 'x-int-sent';
    ($CODE{$c}, $BODY{$c}, $HEAD{$c}) = @{ outcome($c) };
}

# servers(%options): two servers on one socket, as in t/022: "spa.test"
# (the default server, trusting spa_ca: every vendor) and "prov.test"
# (trusting prov_ca: Cisco's SPA CA), both with the gate; the rules at
# http level (the five), or each server's own (spa_rules, prov_rules);
# spa_ssl, prov_ssl: more ssl_* directives.  The front reaches them with
# sni_front()'s routes:
#   /nosni/<host>/<cert>/<path>    no SNI, Host <host>, a resumed session
#   /nosnika/<host>/<cert>/<path>  no SNI, Host <host>, kept alive
#   /h2nosni/<host>/<cert>/<path>  no SNI, Host <host>, HTTP/2 kept alive
# (one session and one kept-alive pool for every certificate: a block
# uses one certificate per route)
sub servers {
    my %o = (spa_ca => 'vendor-roots', prov_ca => 'cisco-ca',
             spa_rules => '', prov_rules => '', spa_ssl => '',
             prov_ssl => '', @_);
    my $h = ProvTest::headers();
    my $no_keepalive = ProvTest::no_keepalive();
    my $servers = rules() . "\n" . <<"_EOC_";
    upstream pt_sni {
        zone pt_sni 1m;
        server unix:\$TEST_NGINX_SERVER_ROOT/html/sni.sock;
        $no_keepalive
    }

    upstream pt_sni_ka {
        zone pt_sni 1m;
        server unix:\$TEST_NGINX_SERVER_ROOT/html/sni.sock;
        keepalive 2;
    }

    upstream pt_sni_h2 {
        server unix:\$TEST_NGINX_SERVER_ROOT/html/sni-h2.sock;
        keepalive 2;
    }
_EOC_
    for my $s (['spa', ' default_server'], ['prov', '']) {
        my ($n, $d) = @$s;
        # "listen ... http2" is deprecated from nginx 1.25.1 on (ProvTest)
        my $h2listen = ProvTest::nginx_at_least('1.25.1')
            ? "listen unix:\$TEST_NGINX_SERVER_ROOT/html/sni-h2.sock ssl$d;\n        http2 on;"
            : "listen unix:\$TEST_NGINX_SERVER_ROOT/html/sni-h2.sock ssl http2$d;";
        $servers .= <<"_EOC_";

    server {
        listen unix:\$TEST_NGINX_SERVER_ROOT/html/sni.sock ssl$d;
        $h2listen
        server_name $n.test;
        ssl_certificate \$TEST_NGINX_PROV_PKI/server.crt;
        ssl_certificate_key \$TEST_NGINX_PROV_PKI/server.key;
        ssl_client_certificate \$TEST_NGINX_PROV_PKI/$o{"${n}_ca"}.crt;
        ssl_verify_client optional;
        ssl_verify_depth 2;
        ssl_protocols TLSv1.2 TLSv1.3;
        $o{"${n}_ssl"}
        root \$TEST_NGINX_SERVER_ROOT/html;
$h
        add_header X-Server \$server_name always;
        prov on;
        $o{"${n}_rules"}
        prov_profile /devices/\$prov_id.cfg =404;
$FOLDERS
        location / { }
    }
_EOC_
    }
    return ProvTest::backend(ca => 'vendor-roots', http => $servers,
                             server => 'prov on;');
}

sub sni_front {
    return ProvTest::front(protocols => 'TLSv1.3', extra => <<'_EOC_');
        location ~ ^/nosni/(?<pt_host>[^/]+)/(?<pt_dev>[^/]+)(?<pt_path>/.*)$ {
            proxy_ssl_session_reuse on;
            proxy_ssl_server_name off;
            proxy_set_header Host $pt_host;
            proxy_set_header Connection close;
            proxy_pass https://pt_sni$pt_path$is_args$args;
        }

        location ~ ^/nosnika/(?<pt_host>[^/]+)/(?<pt_dev>[^/]+)(?<pt_path>/.*)$ {
            proxy_ssl_server_name off;
            proxy_set_header Host $pt_host;
            proxy_set_header Connection "";
            proxy_pass https://pt_sni_ka$pt_path$is_args$args;
        }

        location ~ ^/h2nosni/(?<pt_host>[^/]+)/(?<pt_dev>[^/]+)(?<pt_path>/.*)$ {
            rewrite ^/h2nosni/[^/]+/[^/]+(/.*)$ $1 break;
            grpc_ssl_certificate $pt_crt;
            grpc_ssl_certificate_key $pt_key;
            grpc_ssl_server_name off;
            grpc_set_header Host $pt_host;
            grpc_read_timeout 5s;
            grpc_pass grpcs://pt_sni_h2;
        }
_EOC_
}

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
    user_files => files(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: each vendor's device gets its own profile through its own rule
--- request eval
[map { "GET /as/$_/x.cfg" } qw(v-spa v-mpp v-polycom v-yealink v-snom)]
--- error_code eval
[(200) x 5]
--- response_body eval
[map { ProvTest::dev_profile($main::ID{$_}) } qw(v-spa v-mpp v-polycom v-yealink v-snom)]
--- response_headers eval
[map { "X-Prov-Id: $main::ID{$_}\nX-Prov-Result: allow\nX-Verify: SUCCESS" }
     qw(v-spa v-mpp v-polycom v-yealink v-snom)]
--- no_error_log
prov: access forbidden



=== TEST 2: the same without the OUI pins ("CN mac")
--- http_config eval
main::backend(rules => main::lines(@main::PLAIN{@main::VENDORS}))
--- request eval
[map { "GET /as/$_/x.cfg" } qw(v-spa v-mpp v-polycom v-yealink v-snom)]
--- response_body eval
[map { ProvTest::dev_profile($main::ID{$_}) } qw(v-spa v-mpp v-polycom v-yealink v-snom)]
--- response_headers eval
[map { "X-Prov-Id: $main::ID{$_}\nX-Prov-Result: allow" }
     qw(v-spa v-mpp v-polycom v-yealink v-snom)]
--- no_error_log
prov: access forbidden



=== TEST 3: an intermediate CA sent by the client, and one only in the server's store; the rule names the root or the intermediate
--- http_config eval
main::backend(
    ssl => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/polycom-int.crt;',
    rules => $main::RULE{spa},
    extra => $main::FOLDERS . <<'_EOC_',
        location /root/ {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/polycom-root.crt;
            rewrite ^/root(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg =404;
        }

        location /int/ {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/polycom-int.crt;
            rewrite ^/int(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg =404;
        }
_EOC_
)
--- request eval
[
    "GET /as/v-polycom/root/x.cfg",
    "GET /as/v-polycom-nochain/root/x.cfg",
    "GET /as/v-polycom/int/x.cfg",
    "GET /as/v-polycom-nochain/int/x.cfg",
    "GET /as/v-polycom/x.cfg",
]
--- error_code eval
[200, 200, 200, 200, 403]
--- response_body_like eval
[(ProvTest::exactly(ProvTest::dev_profile('0004f2aa0003'))) x 4, $ProvTest::FORBIDDEN]
--- response_headers eval
[
    ("X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow") x 4,
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
]



=== TEST 4: every order of the rules: v-spa
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('v-spa')
--- error_code eval
main::orders_codes('v-spa')
--- response_body_like eval
main::orders_bodies('v-spa')
--- response_headers eval
main::orders_headers('v-spa')



=== TEST 5: every order of the rules: v-mpp
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('v-mpp')
--- error_code eval
main::orders_codes('v-mpp')
--- response_body_like eval
main::orders_bodies('v-mpp')
--- response_headers eval
main::orders_headers('v-mpp')



=== TEST 6: every order of the rules: v-polycom (intermediate sent)
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('v-polycom')
--- error_code eval
main::orders_codes('v-polycom')
--- response_body_like eval
main::orders_bodies('v-polycom')
--- response_headers eval
main::orders_headers('v-polycom')



=== TEST 7: every order of the rules: v-yealink
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('v-yealink')
--- error_code eval
main::orders_codes('v-yealink')
--- response_body_like eval
main::orders_bodies('v-yealink')
--- response_headers eval
main::orders_headers('v-yealink')



=== TEST 8: every order of the rules: v-snom
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('v-snom')
--- error_code eval
main::orders_codes('v-snom')
--- response_body_like eval
main::orders_bodies('v-snom')
--- response_headers eval
main::orders_headers('v-snom')



=== TEST 9: every order of the rules: Polycom's certificate with the SPA's MAC in ST is never the SPA
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('x-polycom-as-spa')
--- error_code eval
main::orders_codes('x-polycom-as-spa')
--- response_body_like eval
main::orders_bodies('x-polycom-as-spa')
--- response_headers eval
main::orders_headers('x-polycom-as-spa')



=== TEST 10: every order of the rules: Snom's certificate with the SPA's subject is never the SPA
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('x-snom-as-spa')
--- error_code eval
main::orders_codes('x-snom-as-spa')
--- response_body_like eval
main::orders_bodies('x-snom-as-spa')
--- response_headers eval
main::orders_headers('x-snom-as-spa')



=== TEST 11: every order of the rules: Cisco's certificate with the Polycom's CN is never the Polycom
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('x-spa-as-polycom')
--- error_code eval
main::orders_codes('x-spa-as-polycom')
--- response_body_like eval
main::orders_bodies('x-spa-as-polycom')
--- response_headers eval
main::orders_headers('x-spa-as-polycom')



=== TEST 12: every order of the rules: Yealink's certificate with the Snom's CN: Yealink's rule, no Yealink MAC
--- http_config eval
main::orders_backend()
--- request eval
main::orders_requests('x-yealink-as-snom')
--- error_code eval
main::orders_codes('x-yealink-as-snom')
--- response_body_like eval
main::orders_bodies('x-yealink-as-snom')
--- response_headers eval
main::orders_headers('x-yealink-as-snom')
--- error_log
prov: access forbidden (bad_id): CN "000413AA0005" does not match the pattern, serial 3014



=== TEST 13: an impostor against its victim's rule alone: unknown_issuer (Polycom as SPA)
--- http_config eval
main::backend(rules => $main::RULE{spa})
--- request
GET /as/x-polycom-as-spa/x.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 
X-Prov-Result: unknown_issuer
--- error_log eval
main::unknown_issuer('x-polycom-as-spa', 'Polycom Equipment Policy CA')



=== TEST 14: Snom as SPA, the SPA rule alone
--- http_config eval
main::backend(rules => $main::RULE{spa})
--- request
GET /as/x-snom-as-spa/x.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 
X-Prov-Result: unknown_issuer
--- error_log eval
main::unknown_issuer('x-snom-as-spa', 'Snom Phone 1')



=== TEST 15: SPA as Polycom, the Polycom rule alone (plain "CN mac")
--- http_config eval
main::backend(rules => $main::PLAIN{polycom})
--- request
GET /as/x-spa-as-polycom/x.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 
X-Prov-Result: unknown_issuer
--- error_log eval
main::unknown_issuer('x-spa-as-polycom', 'Sipura CA Client Root')



=== TEST 16: Yealink as Snom, the Snom rule alone (plain "CN mac")
--- http_config eval
main::backend(rules => $main::PLAIN{snom})
--- request
GET /as/x-yealink-as-snom/x.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 
X-Prov-Result: unknown_issuer
--- error_log eval
main::unknown_issuer('x-yealink-as-snom', 'Yealink Equipment Issuing CA')



=== TEST 17: MPP's CA does not vouch for SPA's ST, nor SPA's for MPP's
--- http_config eval
main::backend(rules => $main::RULE{mpp})
--- request eval
["GET /as/v-spa/x.cfg", "GET /as/v-mpp/x.cfg"]
--- error_code eval
[403, 200]
--- response_headers eval
["X-Prov-Id: \nX-Prov-Result: unknown_issuer", "X-Prov-Id: 00562baa0002\nX-Prov-Result: allow"]



=== TEST 18: a trusted CA without a rule: unknown_issuer, in $prov_result, the log, prov_status JSON
--- config eval
ProvTest::front(extra => $main::STATUS)
--- request eval
[
    "GET /as/v-other/x.cfg",
    "GET /as/v-other/profile.cfg",
    "GET /as/v-spa/x.cfg",
    "GET /status",
]
--- error_code eval
[403, 403, 200, 200]
--- response_body_like eval
[
    $ProvTest::FORBIDDEN, $ProvTest::FORBIDDEN, '.',
    qr/\A\{"requests":\{"allow":1,(?:"[a-z_]+":0,)*"unknown_issuer":2,(?:"[a-z_]+":0,)*"total":3\}/,
]
--- response_headers eval
[
    ("X-Prov-Id: \nX-Prov-Result: unknown_issuer\nX-Verify: SUCCESS") x 2,
    "X-Prov-Result: allow",
    "",
]



=== TEST 18b: unknown_issuer: the log line names the issuer and the serial, at the gate's level
--- request
GET /as/v-other/x.cfg
--- error_code: 403
--- error_log eval
[
    main::unknown_issuer('v-other', 'Other Phones Root CA'),
    qr/\[error\] [^\n]*prov: access forbidden \(unknown_issuer\): [^\n]*, client: /,
]



=== TEST 19: unknown_issuer in prov_status's Prometheus text
--- config eval
ProvTest::front(extra => $main::STATUS)
--- request eval
[
    "GET /as/v-other/x.cfg",
    "GET /as/x-polycom-as-spa/x.cfg",
    "GET /status?format=prometheus",
]
--- http_config eval
main::backend(rules => $main::RULE{spa})
--- error_code eval
[403, 403, 200]
--- response_body_like eval
[
    '.', '.',
    qr/^nginx_prov_requests_total\{result="unknown_issuer"\} 2$/m,
]



=== TEST 20: a client that sends the vendors' CA certificates after its own is not issued by them
v-other (other-ca: trusted, no rule; ST the SPA's MAC) sends cisco-ca,
polycom-int and polycom-root in its chain: only the verified chain counts.
--- config eval
ProvTest::front(extra => $main::SENT)
--- user_files eval
[
    @{ main::files() },
    ['sent.crt', CORE::join('', map { main::slurp("$_.crt") } qw(v-other cisco-ca polycom-int polycom-root))],
]
--- http_config eval
main::backend(rules => main::lines(@main::PLAIN{qw(spa polycom)}))
--- request eval
["GET /sent/x.cfg", "GET /sent/profile.cfg"]
--- error_code eval
[403, 403]
--- response_body_like eval
[$ProvTest::FORBIDDEN, $ProvTest::FORBIDDEN]
--- response_headers eval
[("X-Prov-Id: \nX-Prov-Result: unknown_issuer\nX-Verify: SUCCESS") x 2]
--- error_log eval
main::unknown_issuer('v-other', 'Other Phones Root CA')



=== TEST 21: a leaf of a CA that copies polycom-int's name, sent with the real polycom-int: not verified (optional_no_ca)
The signature does not verify: nginx refuses it itself, whatever
ssl_verify_client says (not one of the errors optional_no_ca lets
through).  (OpenSSL 3 leaves a stale error: nginx's [alert], see t/018.)
--- http_config eval
main::backend(verify => 'optional_no_ca', rules => main::lines(@main::PLAIN{qw(polycom spa)}))
--- request eval
["GET /as/x-int-sent/x.cfg", "GET /as/x-int-sent/profile.cfg"]
--- error_code eval
[400, 400]
--- response_body_like eval
[$ProvTest::CERT_ERROR, $ProvTest::CERT_ERROR]



=== TEST 22: the same under "ssl_verify_client on": nginx's own 400
--- request
GET /as/x-int-sent/x.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::CERT_ERROR



=== TEST 23: compared as certificates, never by name: a trusted CA with polycom-int's very name is not polycom-int
The store also trusts fake-polycom-int (polycom-int's subject, its own
key), which verifies x-int-sent: its chain's CA has polycom-int's name
and is not polycom-int.  The rule on polycom-int never reads it.
--- user_files eval
[@{ main::files() }, ['store.crt', main::slurp('vendor-roots.crt') . main::slurp('fake-polycom-int.crt')]]
--- http_config eval
main::backend(ca => undef,
              ssl => 'ssl_client_certificate $TEST_NGINX_SERVER_ROOT/html/store.crt;',
              rules => main::lines("prov_id CN mac issuer=$main::P/polycom-int.crt;", $main::RULE{spa}))
--- request eval
["GET /as/x-int-sent/x.cfg", "GET /as/v-polycom/x.cfg"]
--- error_code eval
[403, 200]
--- response_headers eval
[
    "X-Verify: SUCCESS\nX-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Verify: SUCCESS\nX-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
]



=== TEST 24: the same, the rule on fake-polycom-int: it reads x-int-sent, never v-polycom
--- user_files eval
[@{ main::files() }, ['store.crt', main::slurp('vendor-roots.crt') . main::slurp('fake-polycom-int.crt')]]
--- http_config eval
main::backend(ca => undef,
              ssl => 'ssl_client_certificate $TEST_NGINX_SERVER_ROOT/html/store.crt;',
              rules => main::lines("prov_id CN mac issuer=$main::P/fake-polycom-int.crt;",
                                   "prov_id OU issuer=$main::P/polycom-root.crt;"))
--- request eval
["GET /as/x-int-sent/x.cfg", "GET /as/v-polycom/x.cfg"]
--- error_code eval
[404, 403]
--- response_headers eval
[
    "X-Prov-Id: 0004f2aa0015\nX-Prov-Result: allow",
    "X-Prov-Id: \nX-Prov-Result: bad_id",
]



=== TEST 25: the root's rule and the intermediate's: the first in the file's order reads the chain that holds both
--- http_config eval
main::backend(rules => main::lines("prov_id O issuer=$main::P/polycom-root.crt;",
                                   "prov_id CN mac issuer=$main::P/polycom-int.crt;"),
              extra => $main::FOLDERS . <<'_EOC_')
        location /int-first/ {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/polycom-int.crt;
            prov_id O issuer=$TEST_NGINX_PROV_PKI/polycom-root.crt;
            rewrite ^/int-first(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg =404;
        }
_EOC_
--- request eval
["GET /as/v-polycom/x.cfg", "GET /as/v-polycom/int-first/x.cfg"]
--- error_code eval
[404, 200]
--- response_headers eval
[
    "X-Prov-Id: Polycom Inc.\nX-Prov-Result: allow",
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
]



=== TEST 26: prov_uri_id with the rule that matched: a MAC rule normalises the URI's MAC, every impostor asking for its victim's file is refused
Snom's plain CN rule gives "000413AA0005" as it is: no such profile file.
--- http_config eval
main::backend(rules => main::lines($main::RULE{spa}, $main::RULE{polycom},
                                   "prov_id CN issuer=$main::P/snom-ca.crt;"),
              more => $ProvTest::URI_ID_MAC)
--- request eval
[
    "GET /as/v-spa/spa962_000E08AA0001.cfg",
    "GET /as/v-spa/spa962_000e08aa0002.cfg",
    "GET /as/v-snom/snom710-000413AA0005.htm",
    "GET /as/x-snom-as-spa/spa962_000e08aa0001.cfg",
    "GET /as/x-polycom-as-spa/00:0e:08:aa:00:01.cfg",
    "GET /as/x-spa-as-polycom/0004F2AA0003.cfg",
]
--- error_code eval
[200, 403, 404, 403, 403, 403]
--- response_body_like eval
[
    ProvTest::exactly(ProvTest::dev_profile('000e08aa0001')),
    $ProvTest::FORBIDDEN,
    $main::NOT_FOUND,
    $ProvTest::FORBIDDEN, $ProvTest::FORBIDDEN, $ProvTest::FORBIDDEN,
]
--- response_headers eval
[
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: uri_mismatch",
    "X-Prov-Id: 000413AA0005\nX-Prov-Result: allow",
    "X-Prov-Id: 000413AA0012\nX-Prov-Result: uri_mismatch",
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: uri_mismatch",
    "X-Prov-Id: 000e08aa0013\nX-Prov-Result: uri_mismatch",
]



=== TEST 27: prov_status counts an unknown_issuer once through error_page
--- config eval
ProvTest::front(extra => $main::STATUS)
--- http_config eval
main::backend(rules => $main::RULE{spa}, location => 'error_page 403 = /why;', extra => <<'_EOC_')
        location = /why {
            return 200 "why=[$prov_result]\n";
        }
_EOC_
--- request eval
["GET /as/x-polycom-as-spa/x.cfg", "GET /status"]
--- response_body_like eval
["\\Awhy=\\[unknown_issuer\\]\n\\z", qr/"unknown_issuer":1,.*"total":1\}/]



=== TEST 30: resumed sessions (TLS 1.3): each device and impostor keeps its rule
--- request eval
[map { ("GET /re/$_/x.cfg") x 2 } qw(v-spa v-polycom v-polycom-nochain x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- http_config eval
main::backend(ssl => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/polycom-int.crt;')
--- error_code eval
[map { ($main::CODE{$_}) x 2 } qw(v-spa v-polycom v-polycom-nochain x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- response_headers eval
[map { my $h = $main::HEAD{$_}; ("X-Reused: .\nX-TLS: TLSv1.3\n$h", "X-Reused: r\nX-TLS: TLSv1.3\n$h") }
     qw(v-spa v-polycom v-polycom-nochain x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- response_body_like eval
[map { ($main::BODY{$_}) x 2 } qw(v-spa v-polycom v-polycom-nochain x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]



=== TEST 31: resumed sessions (TLS 1.2, tickets)
--- config eval
ProvTest::front(protocols => 'TLSv1.2')
--- http_config eval
main::backend(ssl => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/polycom-int.crt;')
--- request eval
[map { ("GET /re/$_/x.cfg") x 2 } qw(v-spa v-polycom v-polycom-nochain x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- error_code eval
[map { ($main::CODE{$_}) x 2 } qw(v-spa v-polycom v-polycom-nochain x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- response_headers eval
[map { my $h = $main::HEAD{$_}; ("X-Reused: .\nX-TLS: TLSv1.2\n$h", "X-Reused: r\nX-TLS: TLSv1.2\n$h") }
     qw(v-spa v-polycom v-polycom-nochain x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- response_body_like eval
[map { ($main::BODY{$_}) x 2 } qw(v-spa v-polycom v-polycom-nochain x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]



=== TEST 32: resumed sessions (TLS 1.2, session ids in a shared cache)
--- config eval
ProvTest::front(protocols => 'TLSv1.2')
--- http_config eval
main::backend(ssl => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/polycom-int.crt;'
                   . ' ssl_session_tickets off; ssl_session_cache shared:PT:1m;')
--- request eval
[map { ("GET /re/$_/x.cfg") x 2 } qw(v-spa v-polycom-nochain x-polycom-as-spa x-spa-as-polycom v-other)]
--- error_code eval
[map { ($main::CODE{$_}) x 2 } qw(v-spa v-polycom-nochain x-polycom-as-spa x-spa-as-polycom v-other)]
--- response_headers eval
[map { my $h = $main::HEAD{$_}; ("X-Reused: .\n$h", "X-Reused: r\n$h") }
     qw(v-spa v-polycom-nochain x-polycom-as-spa x-spa-as-polycom v-other)]



=== TEST 33: resumed sessions, the impostor against its victim's rule alone
--- http_config eval
main::backend(rules => $main::RULE{spa},
              ssl => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/polycom-int.crt;')
--- request eval
[("GET /re/x-polycom-as-spa/x.cfg") x 3]
--- error_code eval
[403, 403, 403]
--- response_headers eval
[
    "X-Reused: .\nX-Prov-Id: \nX-Prov-Result: unknown_issuer",
    ("X-Reused: r\nX-Prov-Id: \nX-Prov-Result: unknown_issuer") x 2,
]



=== TEST 33b: resumed sessions, the intermediate sent by the client and not in the store: the resumed session has no chain, unverified
A session from a ticket keeps the leaf alone: the module's verification
with the server's store cannot build the chain (see t/022 TEST 12).
--- http_config eval
main::backend(rules => $main::RULE{polycom})
--- request eval
[("GET /re/v-polycom/x.cfg") x 2, ("GET /re/x-polycom-as-spa/x.cfg") x 2]
--- error_code eval
[200, 403, 404, 403]
--- response_headers eval
[
    "X-Reused: .\nX-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Reused: r\nX-Prov-Id: \nX-Prov-Result: unverified",
    "X-Reused: .\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Reused: r\nX-Prov-Id: \nX-Prov-Result: unverified",
]



=== TEST 34: HTTP/2: each device and impostor, one connection each
--- http_config eval
main::backend(ssl => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/polycom-int.crt;')
--- request eval
[map { "GET /h2/$_/x.cfg" } qw(v-spa v-mpp v-polycom v-polycom-nochain v-yealink v-snom x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- error_code eval
[map { $main::CODE{$_} } qw(v-spa v-mpp v-polycom v-polycom-nochain v-yealink v-snom x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- response_headers eval
[map { "X-Proto: HTTP/2.0\n$main::HEAD{$_}" } qw(v-spa v-mpp v-polycom v-polycom-nochain v-yealink v-snom x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]
--- response_body_like eval
[map { $main::BODY{$_} } qw(v-spa v-mpp v-polycom v-polycom-nochain v-yealink v-snom x-polycom-as-spa x-snom-as-spa x-spa-as-polycom x-yealink-as-snom v-other)]



=== TEST 35: HTTP/2, kept alive: every stream of a connection judged by the same rule, in a location with other rules too
--- http_config eval
main::backend(extra => $main::FOLDERS . <<'_EOC_')
        location /spa-only/ {
            prov_id ST mac issuer=$TEST_NGINX_PROV_PKI/cisco-ca.crt;
            rewrite ^/spa-only(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg =404;
        }
_EOC_
--- request eval
[
    "GET /h2ka/x-polycom-as-spa/x.cfg",
    "GET /h2ka/x-polycom-as-spa/spa-only/x.cfg",
    "GET /h2ka/x-polycom-as-spa/x.cfg",
    "GET /h2ka/v-spa/spa-only/x.cfg",
    "GET /h2ka/v-spa/x.cfg",
]
--- error_code eval
[404, 403, 404, 200, 200]
--- response_headers_like eval
[
    "X-Conn: (\\d+)/1\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Conn: \\d+/3\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Conn: \\d+/1\nX-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
]



=== TEST 36: keep-alive: the same on HTTP/1.1
--- http_config eval
main::backend(extra => $main::FOLDERS . <<'_EOC_')
        location /spa-only/ {
            prov_id ST mac issuer=$TEST_NGINX_PROV_PKI/cisco-ca.crt;
            rewrite ^/spa-only(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg =404;
        }
_EOC_
--- request eval
[
    "GET /ka/x-polycom-as-spa/x.cfg",
    "GET /ka/x-polycom-as-spa/spa-only/x.cfg",
    "GET /ka/x-polycom-as-spa/x.cfg",
    "GET /ka/x-snom-as-spa/spa-only/x.cfg",
    "GET /ka/x-snom-as-spa/x.cfg",
    "GET /ka/v-spa/spa-only/x.cfg",
    "GET /ka/v-spa/x.cfg",
]
--- error_code eval
[404, 403, 404, 403, 404, 200, 200]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Conn: \\d+/3\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Conn: \\d+/1\nX-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Conn: \\d+/2\nX-Prov-Id: 000413aa0012\nX-Prov-Result: allow",
    "X-Conn: \\d+/1\nX-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
]



=== TEST 37: keep-alive and resumed: the intermediate only in the store, rule on the intermediate
--- http_config eval
main::backend(ssl => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/polycom-int.crt;',
              rules => "prov_id CN mac issuer=$main::P/polycom-int.crt;")
--- request eval
[
    ("GET /ka/v-polycom-nochain/x.cfg") x 2,
    ("GET /re/v-polycom-nochain/x.cfg") x 2,
    "GET /ka/x-spa-as-polycom/x.cfg",
]
--- error_code eval
[200, 200, 200, 200, 403]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Prov-Id: 0004f2aa0003",
    "X-Conn: \\d+/2\nX-Prov-Id: 0004f2aa0003",
    "X-Reused: \\.\nX-Prov-Id: 0004f2aa0003",
    "X-Reused: r\nX-Prov-Id: 0004f2aa0003",
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
]



=== TEST 40: nginx -t: an issuer file that does not exist
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=$TEST_NGINX_PROV_PKI/no-such-ca.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*no-such-ca\.crt[^\n]*No such file or directory/



=== TEST 41: nginx -t: an empty issuer file, relative to the configuration's folder (as ssl_client_certificate)
--- user_files eval
[@{ main::files() }, ['empty.crt', '']]
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=../html/empty.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*?issuer file "[^"]*\/conf\/\.\.\/html\/empty\.crt" holds no PEM certificate/



=== TEST 42: nginx -t: an issuer file that is not PEM (DER)
--- user_files eval
my $der = `openssl x509 -in '$ProvTest::PKI/cisco-ca.crt' -outform DER`;
[@{ main::files() }, ['der.crt', $der]]
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=../html/der.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*?(?:issuer file "[^"]*\/html\/der\.crt" holds no PEM certificate|certificate 1 of issuer file "[^"]*\/html\/der\.crt" cannot be read)/



=== TEST 43: nginx -t: text that is no certificate at all
--- user_files eval
[@{ main::files() }, ['text.crt', "hello\n"]]
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=../html/text.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*?(?:issuer file "[^"]*\/html\/text\.crt" holds no PEM certificate|certificate 1 of issuer file "[^"]*\/html\/text\.crt" cannot be read)/



=== TEST 44: nginx -t: an issuer file holding a certificate that is no CA
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=$TEST_NGINX_PROV_PKI/notca.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*?certificate 1 of issuer file "[^"]*\/notca\.crt" is not a CA certificate/



=== TEST 45: nginx -t: a CA, then a certificate that is no CA, in one file
--- user_files eval
[@{ main::files() }, ['mixed.crt', main::slurp('cisco-ca.crt') . main::slurp('notca.crt')]]
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=../html/mixed.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*?certificate 2 of issuer file "[^"]*\/html\/mixed\.crt" is not a CA certificate/



=== TEST 46: nginx -t: a PEM private key, no certificate
--- user_files eval
[@{ main::files() }, ['key.crt', main::slurp('cisco-ca.key')]]
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=../html/key.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*?block 1 of issuer file "[^"]*\/html\/key\.crt" is "PRIVATE KEY", not a certificate/



=== TEST 47: nginx -t: a rule after a rule without issuer= can never be reached
--- http_config eval
main::backend(rules => "prov_id ST mac;\n$main::RULE{polycom}")
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log
"prov_id" can never be reached



=== TEST 48: nginx -t: a rule whose every CA is in an earlier rule's file
--- http_config eval
main::backend(rules => "prov_id CN mac issuer=$main::P/vendor-roots.crt;\n$main::RULE{spa}")
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log
"prov_id" can never be reached



=== TEST 49: nginx -t: the same CA split over two earlier rules' files
--- user_files eval
[@{ main::files() }, ['two.crt', main::slurp('cisco-ca.crt') . main::slurp('snom-ca.crt')]]
--- http_config eval
main::backend(rules => "$main::RULE{spa}\n$main::RULE{snom}\nprov_id OU issuer=../html/two.crt;")
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log
"prov_id" can never be reached



=== TEST 49b: nginx -t: the intermediate's rule after the bundle of root and intermediate
--- http_config eval
main::backend(rules => "prov_id CN mac issuer=$main::P/polycom-bundle.crt;\nprov_id ST mac issuer=$main::P/polycom-int.crt;")
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log
"prov_id" can never be reached



=== TEST 50: a file with a CA no earlier rule names is reachable: a fallback rule after pinned ones
--- http_config eval
main::backend(rules => "$main::RULE{spa}\nprov_id CN mac issuer=$main::P/vendor-roots.crt;")
--- request eval
["GET /as/x-polycom-as-spa/x.cfg", "GET /as/v-spa/x.cfg", "GET /as/v-other/x.cfg"]
--- error_code eval
[404, 200, 404]
--- response_headers eval
[
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Prov-Id: 00aabbaa0006\nX-Prov-Result: allow",
]
--- no_error_log
can never be reached



=== TEST 51: a rule without issuer= last matches any verified chain (today's configurations)
--- http_config eval
main::backend(rules => "$main::RULE{polycom}\nprov_id ST mac;")
--- request eval
["GET /as/v-polycom/x.cfg", "GET /as/x-polycom-as-spa/x.cfg", "GET /as/v-spa/x.cfg", "GET /as/v-other/x.cfg"]
--- error_code eval
[200, 404, 200, 200]
--- response_headers eval
[
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
]
--- response_body_like eval
[
    ProvTest::exactly(ProvTest::dev_profile('0004f2aa0003')),
    $main::NOT_FOUND,
    ProvTest::exactly(ProvTest::dev_profile('000e08aa0001')),
    ProvTest::exactly(ProvTest::dev_profile('000e08aa0001')),
]



=== TEST 52: nginx -t: issuer= without a file
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log
"issuer=" names no file



=== TEST 52b: issuer= before the format: the same rule
--- http_config eval
main::backend(rules => 'prov_id ST issuer=$TEST_NGINX_PROV_PKI/cisco-ca.crt mac;')
--- request eval
["GET /as/x-snom-as-spa/x.cfg", "GET /as/v-spa/x.cfg"]
--- error_code eval
[403, 200]
--- response_headers eval
["X-Prov-Id: \nX-Prov-Result: unknown_issuer", "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow"]



=== TEST 52c: nginx -t: issuer= twice in one rule
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=$TEST_NGINX_PROV_PKI/cisco-ca.crt issuer=$TEST_NGINX_PROV_PKI/snom-ca.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log
invalid number of arguments in "prov_id" directive



=== TEST 52d: nginx -t: ISSUER= is no parameter (no rule without its pin)
--- http_config eval
main::backend(rules => 'prov_id ST mac ISSUER=$TEST_NGINX_PROV_PKI/cisco-ca.crt;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*invalid parameter "ISSUER=/



=== TEST 52e: nginx -t: an issuer file that is a folder
--- http_config eval
main::backend(rules => 'prov_id ST mac issuer=$TEST_NGINX_PROV_PKI;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*issuer file "[^"]*" is not a file/



=== TEST 53: a context with prov_id replaces every inherited rule
--- http_config eval
ProvTest::backend(
    verify => 'on',
    ca => 'vendor-roots',
    http => "$main::RULE{spa}\n$main::RULE{polycom}\n",
    server => 'prov on; prov_profile /devices/$prov_id.cfg =404;',
    extra => $main::FOLDERS . <<'_EOC_',
        location /snom/ {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/snom-ca.crt;
            rewrite ^/snom(/.*)$ $1 break;
        }
_EOC_
)
--- request eval
[
    "GET /as/v-spa/x.cfg",
    "GET /as/v-polycom/x.cfg",
    "GET /as/v-snom/x.cfg",
    "GET /as/v-snom/snom/x.cfg",
    "GET /as/v-spa/snom/x.cfg",
    "GET /as/v-polycom/snom/x.cfg",
]
--- error_code eval
[200, 200, 403, 200, 403, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Prov-Id: 000413aa0005\nX-Prov-Result: allow",
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
]



=== TEST 54: a server with prov_id replaces the http level's rules
--- http_config eval
ProvTest::backend(
    verify => 'on',
    ca => 'vendor-roots',
    http => "prov_id ST mac;\n",
    server => "prov on;\n$main::RULE{polycom}\n" . 'prov_profile /devices/$prov_id.cfg =404;',
    extra => $main::FOLDERS,
)
--- request eval
["GET /as/v-spa/x.cfg", "GET /as/x-polycom-as-spa/x.cfg"]
--- error_code eval
[403, 404]
--- response_headers eval
["X-Prov-Id: \nX-Prov-Result: unknown_issuer", "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow"]



=== TEST 55: "(?<mac>...)" regex rules give MAC ids: normalised, pinned to the OUI
--- http_config eval
main::backend(rules => main::lines(
    qq{prov_id CN "(?i)^(?<mac>0004f2[0-9a-f]{6})\$" issuer=$main::P/polycom-root.crt;},
    qq{prov_id CN "^(?<mac>[0-9A-F]{12})\$" issuer=$main::P/snom-ca.crt;},
    qq{prov_id CN "(?<mac>001565[0-9a-f]{6})" issuer=$main::P/yealink-ca.crt;}))
--- request eval
[
    "GET /as/v-polycom/x.cfg",
    "GET /as/x-polycom-as-spa/x.cfg",
    "GET /as/v-snom/x.cfg",
    "GET /as/x-snom-as-spa/x.cfg",
    "GET /as/v-yealink/x.cfg",
    "GET /as/x-yealink-as-snom/x.cfg",
]
--- error_code eval
[200, 404, 200, 404, 403, 403]
--- response_headers eval
[
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Prov-Id: 000413aa0005\nX-Prov-Result: allow",
    "X-Prov-Id: 000413aa0012\nX-Prov-Result: allow",
    "X-Prov-Id: \nX-Prov-Result: bad_id",
    "X-Prov-Id: \nX-Prov-Result: bad_id",
]



=== TEST 56: prov_acl with MAC rules ("mac" and "(?<mac>)") works; the list holds one spelling
--- user_files eval
[@{ main::files() }, ['acl', "00:0e:08:aa:00:01 allow\n0004F2AA0003 allow\n000413aa0012 deny\n"]]
--- http_config eval
main::backend(rules => main::lines(@main::RULE{qw(spa polycom snom)}),
              more => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;')
--- request eval
["GET /as/v-spa/x.cfg", "GET /as/v-polycom/x.cfg", "GET /as/x-snom-as-spa/x.cfg", "GET /as/x-polycom-as-spa/x.cfg"]
--- error_code eval
[200, 200, 403, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Prov-Id: 000413aa0012\nX-Prov-Result: denied",
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: not_listed",
]



=== TEST 57: nginx -t: prov_acl with a MAC rule and a rule that is not
--- user_files eval
[@{ main::files() }, ['acl', "000e08aa0001 allow\n"]]
--- http_config eval
main::backend(rules => "$main::RULE{spa}\nprov_id CN \"^(?<id>[0-9A-F]{12})\$\" issuer=$main::P/snom-ca.crt;",
              more => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;')
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*?"prov_acl" needs every "prov_id" to read MAC addresses [^\n]* differ/



=== TEST 58: nginx -t: the same, the rules at http level, prov_acl in a location
--- user_files eval
[@{ main::files() }, ['acl', "000e08aa0001 allow\n"]]
--- http_config eval
ProvTest::backend(
    verify => 'on',
    ca => 'vendor-roots',
    http => "prov_id CN issuer=$main::P/snom-ca.crt;\n$main::RULE{spa}\n",
    server => 'prov on;',
    location => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;',
)
--- request
GET /as/v-spa/x.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*?"prov_acl" needs every "prov_id" to read MAC addresses [^\n]* differ/



=== TEST 60: set: the location's rules decide the variables set before the gate
--- http_config eval
main::backend(extra => $main::FOLDERS . "location /set/ {\n" . ProvTest::headers() . <<'_EOC_')
            set $who "[$prov_result][$prov_id]";
            add_header X-Who $who always;
            rewrite ^/set(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg =404;
        }
_EOC_
--- request eval
["GET /as/x-polycom-as-spa/set/x.cfg", "GET /as/v-other/set/x.cfg", "GET /as/v-spa/set/x.cfg"]
--- error_code eval
[404, 403, 200]
--- response_headers eval
[
    "X-Who: [allow][0004f2aa0011]",
    "X-Who: [unknown_issuer][]",
    "X-Who: [allow][000e08aa0001]",
]



=== TEST 61: if: the rule of the location, whichever branch is taken
--- http_config eval
main::backend(rules => $main::RULE{spa}, extra => $main::FOLDERS . <<'_EOC_')
        location /if/ {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/polycom-root.crt;
            if ($http_x_go) {
                rewrite ^/if(/.*)$ $1 break;
            }
            rewrite ^/if(/.*)$ $1 break;
        }
_EOC_
--- more_headers
X-Go: 1
--- request eval
["GET /as/x-polycom-as-spa/if/x.cfg", "GET /as/x-spa-as-polycom/if/x.cfg", "GET /as/v-polycom/if/profile.cfg"]
--- error_code eval
[404, 403, 200]
--- response_headers eval
[
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
]



=== TEST 62: rewrite ... last into a location with other rules: the final location's rules
--- http_config eval
main::backend(rules => $main::RULE{spa}, extra => $main::FOLDERS . <<'_EOC_')
        location /to-polycom/ {
            rewrite ^/to-polycom(/.*)$ /polycom$1 last;
        }

        location /polycom/ {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/polycom-root.crt;
            rewrite ^/polycom(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg =404;
        }
_EOC_
--- request eval
[
    "GET /as/x-spa-as-polycom/to-polycom/x.cfg",
    "GET /as/x-polycom-as-spa/to-polycom/x.cfg",
    "GET /as/v-polycom/to-polycom/x.cfg",
    "GET /as/x-polycom-as-spa/x.cfg",
]
--- error_code eval
[403, 404, 200, 403]
--- response_headers eval
[
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
]



=== TEST 63: a regex location with rules of its own
--- http_config eval
main::backend(rules => $main::RULE{spa}, extra => $main::FOLDERS . <<'_EOC_')
        location ~ "^/(?<f>[0-9A-Fa-f]{12})\.cfg$" {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/polycom-root.crt;
            prov_profile /devices/$prov_id.cfg =404;
        }
_EOC_
--- request eval
[
    "GET /as/x-spa-as-polycom/0004F2AA0003.cfg",
    "GET /as/v-polycom/0004F2AA0003.cfg",
    "GET /as/x-polycom-as-spa/000e08aa0001.cfg",
    "GET /as/x-polycom-as-spa/x.cfg",
]
--- error_code eval
[403, 200, 404, 403]
--- response_headers eval
[
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
]



=== TEST 64: error_page 403 into a URI whose location has other rules: the refusal stays
--- http_config eval
main::backend(rules => $main::RULE{spa}, extra => $main::FOLDERS . <<'_EOC_')
        location /g/ {
            error_page 403 = /why;
            rewrite ^/g(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg =404;
        }

        location = /why {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/polycom-root.crt;
            return 200 "why=[$prov_result][$prov_id]\n";
        }
_EOC_
--- request eval
["GET /as/x-polycom-as-spa/g/x.cfg", "GET /as/v-polycom/g/x.cfg", "GET /as/v-spa/g/x.cfg"]
--- error_code eval
[200, 200, 200]
--- response_body eval
["why=[unknown_issuer][]\n", "why=[unknown_issuer][]\n", ProvTest::dev_profile('000e08aa0001')]



=== TEST 65: error_page 403 into a named location, prov_profile as its fallback
--- http_config eval
main::backend(rules => $main::RULE{spa}, extra => $main::FOLDERS . <<'_EOC_')
        location /n/ {
            error_page 403 = @refused;
            rewrite ^/n(/.*)$ $1 break;
            prov_profile /devices/$prov_id.cfg @nf;
        }

        location @refused {
            prov_id CN mac issuer=$TEST_NGINX_PROV_PKI/polycom-root.crt;
            return 200 "refused=[$prov_result][$prov_id]\n";
        }

        location @nf {
            return 200 "no file for [$prov_result][$prov_id]\n";
        }
_EOC_
--- request eval
["GET /as/x-polycom-as-spa/n/x.cfg", "GET /as/v-spa/n/x.cfg", "GET /as/v-other/n/x.cfg"]
--- response_body eval
["refused=[unknown_issuer][]\n", ProvTest::dev_profile('000e08aa0001'), "refused=[unknown_issuer][]\n"]



=== TEST 66: proxy_pass with a URI part: the device id picked by the right rule reaches the renderer
--- http_config eval
main::backend(location => '', extra => <<'_EOC_')
        location /r/ {
            proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/html/plain.sock:/render/$prov_id/;
        }

        location /render/ {
            prov off;
            return 200 "render $uri\n";
        }
_EOC_
--- request eval
["GET /as/x-polycom-as-spa/r/x.cfg", "GET /as/v-spa/r/x.cfg", "GET /as/x-spa-as-polycom/r/x.cfg", "GET /as/v-other/r/x.cfg"]
--- error_code eval
[200, 200, 200, 403]
--- response_body_like eval
["\\Arender /render/0004f2aa0011/\n\\z", "\\Arender /render/000e08aa0001/\n\\z", "\\Arender /render/000e08aa0013/\n\\z", $ProvTest::FORBIDDEN]



=== TEST 67: proxy_pass with a URI part replacing the location's prefix
--- http_config eval
main::backend(location => '', extra => <<'_EOC_')
        location /p/ {
            proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/html/plain.sock:/render/;
            proxy_set_header X-Dev $prov_id;
        }

        location /render/ {
            prov off;
            return 200 "render $uri for $http_x_dev\n";
        }
_EOC_
--- request eval
["GET /as/x-snom-as-spa/p/000e08aa0001.cfg", "GET /as/v-spa/p/000e08aa0001.cfg"]
--- response_body eval
["render /render/000e08aa0001.cfg for 000413aa0012\n", "render /render/000e08aa0001.cfg for 000e08aa0001\n"]



=== TEST 68: satisfy any: an address that grants lets unknown_issuer through, its result kept; deny all does not
--- http_config eval
main::backend(rules => $main::RULE{spa}, extra => $main::FOLDERS . <<'_EOC_')
        location /any/ {
            satisfy any;
            allow unix:;
            deny all;
            rewrite ^/any(/.*)$ $1 break;
        }

        location /none/ {
            satisfy any;
            deny all;
            rewrite ^/none(/.*)$ $1 break;
        }
_EOC_
--- request eval
[
    "GET /as/x-polycom-as-spa/any/profile.cfg",
    "GET /as/x-polycom-as-spa/none/profile.cfg",
    "GET /as/v-spa/none/profile.cfg",
]
--- error_code eval
[200, 403, 200]
--- response_headers eval
[
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
]



=== TEST 69: prov_profile's last candidate, a location with other rules: its rules decide
--- http_config eval
main::backend(location => 'prov_profile /devices/$prov_id.cfg /fb;', extra => $main::FOLDERS . <<'_EOC_')
        location = /fb {
            internal;
            prov_id ST mac issuer=$TEST_NGINX_PROV_PKI/cisco-ca.crt;
            return 200 "fallback [$prov_result][$prov_id]\n";
        }
_EOC_
--- request eval
["GET /as/x-polycom-as-spa/x.cfg", "GET /as/v-spa/x.cfg"]
--- response_body eval
["fallback [unknown_issuer][]\n", ProvTest::dev_profile('000e08aa0001')]



=== TEST 80: two servers, two trust stores, one connection (no SNI): the request's server's chain picks the rule
"spa.test" (the socket's default) trusts every vendor; "prov.test" only
Cisco's CAs.  Both read rules from the http level.  x-polycom-as-spa,
verified by spa.test, is the Polycom in spa.test and unverified in
prov.test, never the SPA whose MAC its ST carries.
--- http_config eval
main::servers()
--- config eval
main::sni_front()
--- request eval
[
    "GET /nosnika/spa.test/x-polycom-as-spa/x.cfg",
    "GET /nosnika/prov.test/x-polycom-as-spa/x.cfg",
    "GET /nosnika/spa.test/x-polycom-as-spa/x.cfg",
]
--- error_code eval
[404, 403, 404]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Server: spa.test\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Server: prov.test\nX-Prov-Id: \nX-Prov-Result: unverified",
    "X-Conn: \\d+/3\nX-Server: spa.test\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
]



=== TEST 81: two servers, no SNI: Host prov.test then spa.test; a session of spa.test resumed for prov.test
--- http_config eval
main::servers()
--- config eval
main::sni_front()
--- request eval
[
    "GET /nosnika/prov.test/v-spa/x.cfg",
    "GET /nosnika/spa.test/v-spa/x.cfg",
    "GET /nosni/spa.test/x-snom-as-spa/x.cfg",
    "GET /nosni/prov.test/x-snom-as-spa/x.cfg",
]
--- error_code eval
[200, 200, 404, 403]
--- response_headers_like eval
[
    "X-Server: prov.test\nX-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Server: spa.test\nX-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Reused: \\.\nX-Server: spa.test\nX-Prov-Id: 000413aa0012\nX-Prov-Result: allow",
    "X-Reused: r\nX-Server: prov.test\nX-Prov-Id: \nX-Prov-Result: unverified",
]



=== TEST 82: two servers, the second trusts other-ca as the SPA's CA: each server's rule file and store
prov.test's only rule names cisco-ca; spa.test's names other-ca (ST): v-other
is the SPA there and unknown in prov.test, on one kept-alive connection.
--- http_config eval
main::servers(
    spa_rules => "prov_id ST mac issuer=$main::P/other-ca.crt;\n$main::RULE{polycom}",
    prov_rules => $main::RULE{spa},
    prov_ca => 'vendor-roots',
)
--- config eval
main::sni_front()
--- request eval
[
    "GET /nosnika/spa.test/v-other/x.cfg",
    "GET /nosnika/prov.test/v-other/x.cfg",
    "GET /nosni/prov.test/x-polycom-as-spa/x.cfg",
]
--- error_code eval
[200, 403, 403]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Server: spa.test\nX-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Server: prov.test\nX-Prov-Id: \nX-Prov-Result: unknown_issuer",
    "X-Reused: \\.\nX-Server: prov.test\nX-Prov-Id: \nX-Prov-Result: unknown_issuer",
]



=== TEST 83: two servers, the intermediate only in one server's store
spa.test trusts polycom-root and has polycom-int in ssl_trusted_certificate,
prov.test trusts polycom-root only; v-polycom-nochain is verified by
spa.test alone, also in a session of spa.test resumed for prov.test.
--- http_config eval
main::servers(
    spa_ssl => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/polycom-int.crt;',
    prov_ca => 'polycom-root',
    prov_rules => $main::RULE{polycom},
)
--- config eval
main::sni_front()
--- request eval
[
    "GET /nosni/spa.test/v-polycom-nochain/x.cfg",
    "GET /nosni/prov.test/v-polycom-nochain/x.cfg",
    "GET /nosnika/spa.test/v-polycom-nochain/x.cfg",
    "GET /nosnika/prov.test/v-polycom-nochain/x.cfg",
]
--- error_code eval
[200, 403, 200, 403]
--- response_headers_like eval
[
    "X-Reused: \\.\nX-Server: spa.test\nX-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Reused: r\nX-Server: prov.test\nX-Prov-Id: \nX-Prov-Result: unverified",
    "X-Conn: \\d+/1\nX-Server: spa.test\nX-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Server: prov.test\nX-Prov-Id: \nX-Prov-Result: unverified",
]



=== TEST 84: two servers, one HTTP/2 connection without SNI: each stream judged with its server's store
--- http_config eval
main::servers()
--- config eval
main::sni_front()
--- request eval
[
    "GET /h2nosni/spa.test/x-polycom-as-spa/x.cfg",
    "GET /h2nosni/prov.test/x-polycom-as-spa/x.cfg",
    "GET /h2nosni/spa.test/x-polycom-as-spa/x.cfg",
    "GET /h2nosni/prov.test/x-polycom-as-spa/x.cfg",
]
--- error_code eval
[404, 403, 404, 403]
--- response_headers_like eval
[
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/1\nX-Server: spa.test\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/2\nX-Server: prov.test\nX-Prov-Id: \nX-Prov-Result: unverified",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/3\nX-Server: spa.test\nX-Prov-Id: 0004f2aa0011\nX-Prov-Result: allow",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/4\nX-Server: prov.test\nX-Prov-Id: \nX-Prov-Result: unverified",
]
