# A certificate counts only when the request's own server verified it.
#
# nginx verifies the client certificate in the TLS context the handshake
# ran in.  Without SNI that is the default server's, whatever server the
# Host header picks next; a resumed TLS session brings the certificate and
# verification result of its first handshake, made in any server of the
# listening socket (session resumption happens in the default server's
# context, before SNI: CVE-2025-23419).  nginx's fix (Debian's 1.22.1-9+
# deb12u9) refuses a TLS 1.3 resumption whose session names another SNI
# host, and nginx answers 421 when SNI and Host differ (a TLS 1.2 session
# keeps its SNI name); neither covers a client that sends no SNI, nor a
# session made without SNI.  Here the default server "a.test" trusts
# another CA (the rogue CA of t/pki) and verifies rogue-a, a certificate
# with dev-a's subject; blocks 1 to 9 are ways to carry that verification
# over to the provisioning server "prov.test" that nginx lets through, and
# which the module refuses (unverified).  Without the module's check each
# of them serves the profile.  Blocks 10 to 12: legitimate resumption.
# (The CVE's own shape, a session made with SNI a.test resumed with SNI
# prov.test, gets nginx's handshake alert (TLS 1.3, a 502 in the front) or
# its 421 (TLS 1.2) on a fixed nginx; an unfixed one lets it reach the
# module, whose check is the one of block 4.)
#
# From nginx 1.29.2 on, nginx picks the server by SNI in the ClientHello
# callback, before it looks at the session: a session is resumed only in
# the context of the server that SNI names, so the sessions of blocks 4 to
# 8 are not resumed at all (a full handshake in prov.test's context, which
# fails rogue-a: nginx's own 400).  Blocks 4 to 8 are then skipped
# ("--- skip_nginx: N: >= 1.29.2") and blocks 13 to 17 state what happens
# instead; a client that sends no SNI still resumes in the default
# server's context, whatever Host it names next, on every version: blocks
# 1, 3, 18 and 19 are the module's check there.
#
# The front reaches the servers on one socket (upstream pt_sni: nginx
# keeps one TLS session per upstream server, for the next request; in the
# upstreams' zone, as for ProvTest's /re/: without one nginx 1.22 never
# frees the last SSL_SESSION, and make test-asan reports it):
#   /sni/<name>/<cert>/<path>     SNI and Host <name>
#   /nosni/<host>/<cert>/<path>   no SNI, Host <host>
#   /nosnika/<host>/<cert>/<path> the same over a kept-alive connection
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

our $Gate = 'prov on; prov_id ST mac;';

# servers(%options): "a.test" (client CA a_ca) and "prov.test" (device
# CA, the gate) on one socket.
#   default  => a | prov: the default server of the socket (a)
#   session  => ssl_session_* directives of both servers
#   a        => more text in a.test
#   a_location => its "location /" (return 200 "server a\n")
#   gate     => the gate of prov.test ($Gate)
#   prov     => more text in prov.test
#   more     => more server blocks
sub servers {
    my %o = (default => 'a', a_ca => 'rogue-ca', session => '', a => '',
             a_location => 'return 200 "server a\\n";', gate => $main::Gate,
             prov => '', more => '', @_);
    my $h = ProvTest::headers();
    my %d = (a => '', prov => '');
    $d{$o{default}} = ' default_server';
    my $no_keepalive = ProvTest::no_keepalive();

    return <<"_EOC_";
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

    server {
        listen unix:\$TEST_NGINX_SERVER_ROOT/html/sni.sock ssl$d{a};
        server_name a.test;
        ssl_certificate \$TEST_NGINX_PROV_PKI/server.crt;
        ssl_certificate_key \$TEST_NGINX_PROV_PKI/server.key;
        ssl_client_certificate \$TEST_NGINX_PROV_PKI/$o{a_ca}.crt;
        ssl_verify_client on;
        ssl_verify_depth 2;
        ssl_protocols TLSv1.2 TLSv1.3;
        $o{session}
        root \$TEST_NGINX_SERVER_ROOT/html;
$h
        $o{a}
        location / { $o{a_location} }
    }

    server {
        listen unix:\$TEST_NGINX_SERVER_ROOT/html/sni.sock ssl$d{prov};
        server_name prov.test;
        ssl_certificate \$TEST_NGINX_PROV_PKI/server.crt;
        ssl_certificate_key \$TEST_NGINX_PROV_PKI/server.key;
        ssl_client_certificate \$TEST_NGINX_PROV_PKI/device-ca.crt;
        ssl_verify_client on;
        ssl_verify_depth 2;
        ssl_protocols TLSv1.2 TLSv1.3;
        $o{session}
        root \$TEST_NGINX_SERVER_ROOT/html;
$h
        $o{gate}
        $o{prov}
        location / { }
    }
$o{more}
_EOC_
}

sub backend {
    return ProvTest::backend(server => $Gate, http => servers(@_));
}

sub front {
    my %o = (protocols => 'TLSv1.3', @_);
    return ProvTest::front(protocols => $o{protocols}, extra => <<'_EOC_');
        location ~ ^/sni/(?<pt_sni>[^/]+)/(?<pt_dev>[^/]+)(?<pt_path>/.*)$ {
            proxy_ssl_session_reuse on;
            proxy_ssl_server_name on;
            proxy_ssl_name $pt_sni;
            proxy_set_header Host $pt_sni;
            proxy_set_header Connection close;
            proxy_pass https://pt_sni$pt_path$is_args$args;
        }

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
_EOC_
}

our $A = "server a\n";

# the module's refusal of rogue-a, after a full handshake in another
# server's context or a resumed session (a pattern matching both: a block
# of several requests looks for its error_log after each)
sub refused {
    my ($how) = @_;
    my $re = $how // '(?:handshake of another server|resumed TLS session)';
    my $line = 'prov: access forbidden (unverified): client certificate verify '
        . 'error 20 "unable to get local issuer certificate" with this '
        . "server's CAs (";
    return qr/\Q$line\E$re\), serial 6001/;
}

# a session of a.test made without SNI, resumed with SNI prov.test: what
# the front gets (TLS version $tls)
our $Cross = ["GET /nosni/a.test/rogue-a/profile.cfg", "GET /sni/prov.test/rogue-a/profile.cfg"];
our $CrossBody = [ProvTest::exactly($A), $ProvTest::FORBIDDEN];

sub cross_headers {
    my ($tls) = @_;
    return [
        "X-Reused: .\nX-TLS: $tls",
        "X-Reused: r\nX-TLS: $tls\nX-Verify: SUCCESS\nX-Prov-Id: \nX-Prov-Result: unverified",
    ];
}

# the same two requests on nginx 1.29.2 and later: the session is not
# resumed, rogue-a fails prov.test's own verification, nginx answers 400
our $CrossRefusedBody = [ProvTest::exactly($A), $ProvTest::CERT_ERROR];

sub cross_refused_headers {
    my ($tls) = @_;
    return [
        "X-Reused: .\nX-TLS: $tls",
        "X-Reused: .\nX-TLS: $tls\nX-Verify: FAILED:unable to verify the first certificate\n"
        . "X-Prov-Id: \nX-Prov-Result: unverified",
    ];
}

ProvTest::defaults(
    http_config => backend(),
    config => front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: TLS 1.3, a session of the default server (another CA, no SNI), resumed for prov.test
--- request eval
["GET /nosni/a.test/rogue-a/profile.cfg", "GET /nosni/prov.test/rogue-a/profile.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
[ProvTest::exactly($main::A), $ProvTest::FORBIDDEN]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.3\nX-Verify: SUCCESS\nX-Serial: 6001",
    "X-Reused: r\nX-TLS: TLSv1.3\nX-Verify: SUCCESS\nX-Prov-Id: \nX-Prov-Result: unverified",
]



=== TEST 2: TLS 1.3, no SNI: a full handshake in the default server's context, Host prov.test
--- request
GET /nosni/prov.test/rogue-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Reused: .
X-TLS: TLSv1.3
X-Verify: SUCCESS
X-Prov-Id:
X-Prov-Result: unverified
--- error_log eval
main::refused('handshake of another server')



=== TEST 3: TLS 1.2, no SNI: a full handshake, then its session resumed (ticket)
--- config eval
main::front(protocols => 'TLSv1.2')
--- request eval
[("GET /nosni/prov.test/rogue-a/profile.cfg") x 2]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.2\nX-Verify: SUCCESS\nX-Prov-Result: unverified",
    "X-Reused: r\nX-TLS: TLSv1.2\nX-Verify: SUCCESS\nX-Prov-Result: unverified",
]
--- error_log eval
main::refused()



=== TEST 4: TLS 1.3, a session made without SNI, resumed with SNI prov.test (nginx's fix sees no name)
--- request eval
$main::Cross
--- error_code eval
[200, 403]
--- response_body_like eval
$main::CrossBody
--- response_headers eval
main::cross_headers('TLSv1.3')
--- skip_nginx: 11: >= 1.29.2



=== TEST 5: TLS 1.2, the same (ticket)
--- config eval
main::front(protocols => 'TLSv1.2')
--- request eval
$main::Cross
--- error_code eval
[200, 403]
--- response_body_like eval
$main::CrossBody
--- response_headers eval
main::cross_headers('TLSv1.2')
--- skip_nginx: 11: >= 1.29.2



=== TEST 6: TLS 1.2, the same with session ids (one shared cache zone, no tickets)
--- http_config eval
main::backend(session => 'ssl_session_tickets off; ssl_session_cache shared:PT:1m;')
--- config eval
main::front(protocols => 'TLSv1.2')
--- request eval
$main::Cross
--- error_code eval
[200, 403]
--- response_body_like eval
$main::CrossBody
--- response_headers eval
main::cross_headers('TLSv1.2')
--- skip_nginx: 11: >= 1.29.2



=== TEST 7: TLS 1.3, the same from the shared session cache (no tickets)
--- http_config eval
main::backend(session => 'ssl_session_tickets off; ssl_session_cache shared:PT:1m;')
--- request eval
$main::Cross
--- error_code eval
[200, 403]
--- response_body_like eval
$main::CrossBody
--- response_headers eval
main::cross_headers('TLSv1.3')
--- skip_nginx: 11: >= 1.29.2



=== TEST 8: TLS 1.3, prov.test the default server: a session of a.test (SNI) resumed without SNI
--- http_config eval
main::backend(default => 'prov')
--- request eval
["GET /sni/a.test/rogue-a/profile.cfg", "GET /nosni/prov.test/rogue-a/profile.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
[ProvTest::exactly($main::A), $ProvTest::FORBIDDEN]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.3\nX-Verify: SUCCESS",
    "X-Reused: r\nX-TLS: TLSv1.3\nX-Verify: SUCCESS\nX-Prov-Id: \nX-Prov-Result: unverified",
]
--- skip_nginx: 12: >= 1.29.2



=== TEST 9: one kept-alive connection, no SNI: allowed by b.test (the rogue CA), not by prov.test
The three servers' gates share one prov_id (http level): the subject read
once per connection is reused, the verification is per server.
--- http_config eval
ProvTest::backend(http => 'prov_id ST mac;' . main::servers(gate => 'prov on;', more => <<'_EOC_'))
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/sni.sock ssl;
        server_name b.test;
        ssl_certificate $TEST_NGINX_PROV_PKI/server.crt;
        ssl_certificate_key $TEST_NGINX_PROV_PKI/server.key;
        ssl_client_certificate $TEST_NGINX_PROV_PKI/rogue-ca.crt;
        ssl_verify_client on;
        root $TEST_NGINX_SERVER_ROOT/html;
        add_header X-Conn "$connection/$connection_requests" always;
        add_header X-Prov-Id "$prov_id" always;
        add_header X-Prov-Result "$prov_result" always;
        prov on;
        location / { }
    }
_EOC_
--- request eval
["GET /nosnika/b.test/rogue-a/profile.cfg", "GET /nosnika/prov.test/rogue-a/profile.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
[$ProvTest::PROFILE_RE, $ProvTest::FORBIDDEN]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Prov-Id: \nX-Prov-Result: unverified",
]



=== TEST 10: legitimate resumption: prov.test the default server, with and without SNI
--- http_config eval
main::backend(default => 'prov')
--- request eval
[
    "GET /sni/prov.test/dev-a/profile.cfg", "GET /sni/prov.test/dev-a/profile.cfg",
    "GET /nosni/prov.test/dev-a/profile.cfg", "GET /nosni/prov.test/dev-a/profile.cfg",
]
--- response_body eval
[($ProvTest::PROFILE) x 4]
--- response_headers eval
[
    "X-Reused: .\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Reused: r\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Reused: r\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Reused: r\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 11: legitimate resumption (TLS 1.2, session ids): prov.test not the default server
--- http_config eval
main::backend(session => 'ssl_session_tickets off; ssl_session_cache shared:PT:1m;')
--- config eval
main::front(protocols => 'TLSv1.2')
--- request eval
[("GET /sni/prov.test/dev-a/profile.cfg") x 2]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.2\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Reused: r\nX-TLS: TLSv1.2\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 12: an intermediate CA: a resumed session from a ticket has no chain, the store has it
--- http_config eval
main::backend(default => 'prov', prov => 'ssl_trusted_certificate $TEST_NGINX_PROV_PKI/device-int.crt;')
--- request eval
[("GET /sni/prov.test/chain-c/profile.cfg") x 2]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
[
    "X-Reused: .\nX-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow",
    "X-Reused: r\nX-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 13: block 4 on nginx 1.29.2+: the session of a.test is not resumed with SNI prov.test
--- skip_nginx: 11: < 1.29.2
--- request eval
$main::Cross
--- error_code eval
[200, 400]
--- response_body_like eval
$main::CrossRefusedBody
--- response_headers eval
main::cross_refused_headers('TLSv1.3')



=== TEST 14: block 5 on nginx 1.29.2+: TLS 1.2, a ticket
--- skip_nginx: 11: < 1.29.2
--- config eval
main::front(protocols => 'TLSv1.2')
--- request eval
$main::Cross
--- error_code eval
[200, 400]
--- response_body_like eval
$main::CrossRefusedBody
--- response_headers eval
main::cross_refused_headers('TLSv1.2')



=== TEST 15: block 6 on nginx 1.29.2+: TLS 1.2, session ids in one shared cache zone
--- skip_nginx: 11: < 1.29.2
--- http_config eval
main::backend(session => 'ssl_session_tickets off; ssl_session_cache shared:PT:1m;')
--- config eval
main::front(protocols => 'TLSv1.2')
--- request eval
$main::Cross
--- error_code eval
[200, 400]
--- response_body_like eval
$main::CrossRefusedBody
--- response_headers eval
main::cross_refused_headers('TLSv1.2')



=== TEST 16: block 7 on nginx 1.29.2+: TLS 1.3, the shared session cache
--- skip_nginx: 11: < 1.29.2
--- http_config eval
main::backend(session => 'ssl_session_tickets off; ssl_session_cache shared:PT:1m;')
--- request eval
$main::Cross
--- error_code eval
[200, 400]
--- response_body_like eval
$main::CrossRefusedBody
--- response_headers eval
main::cross_refused_headers('TLSv1.3')



=== TEST 17: block 8 on nginx 1.29.2+: a session of a.test (SNI) offered without SNI to prov.test, the default
--- skip_nginx: 11: < 1.29.2
--- http_config eval
main::backend(default => 'prov')
--- request eval
["GET /sni/a.test/rogue-a/profile.cfg", "GET /nosni/prov.test/rogue-a/profile.cfg"]
--- error_code eval
[200, 400]
--- response_body_like eval
$main::CrossRefusedBody
--- response_headers eval
main::cross_refused_headers('TLSv1.3')



=== TEST 18: TLS 1.3, no SNI, the shared session cache: a session of the default server resumed for prov.test
Every version: without SNI the session is looked up in the default
server's context; the Host header then picks prov.test, and only the
module's check refuses the certificate a.test verified.
--- http_config eval
main::backend(session => 'ssl_session_tickets off; ssl_session_cache shared:PT:1m;')
--- request eval
["GET /nosni/a.test/rogue-a/profile.cfg", "GET /nosni/prov.test/rogue-a/profile.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
[ProvTest::exactly($main::A), $ProvTest::FORBIDDEN]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.3\nX-Verify: SUCCESS",
    "X-Reused: r\nX-TLS: TLSv1.3\nX-Verify: SUCCESS\nX-Prov-Id: \nX-Prov-Result: unverified",
]



=== TEST 19: TLS 1.2, no SNI, session ids: a session of the default server resumed for prov.test
--- http_config eval
main::backend(session => 'ssl_session_tickets off; ssl_session_cache shared:PT:1m;')
--- config eval
main::front(protocols => 'TLSv1.2')
--- request eval
["GET /nosni/a.test/rogue-a/profile.cfg", "GET /nosni/prov.test/rogue-a/profile.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
[ProvTest::exactly($main::A), $ProvTest::FORBIDDEN]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.2\nX-Verify: SUCCESS",
    "X-Reused: r\nX-TLS: TLSv1.2\nX-Verify: SUCCESS\nX-Prov-Id: \nX-Prov-Result: unverified",
]
