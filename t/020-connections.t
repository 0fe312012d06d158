# The gate holds however the request arrives: several requests over one
# kept-alive TLS connection, resumed TLS sessions (TLS 1.3 and 1.2),
# HTTP/2, HTTP/1.0, and an old device's TLS 1.0 with RSA key exchange.
# Every request is judged on its own; the verification result of a resumed
# session is the one of its full handshake.
# (Every certificate gets its own kept-alive connections and TLS sessions
# in the front: see ProvTest::pools().)
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

our $Gate = 'prov on; prov_id ST mac; prov_generic ciscogeneric;';
our $Open = 'location /open/ { prov off; alias html/; }';

ProvTest::defaults(
    http_config => ProvTest::backend(verify => 'optional_no_ca', server => $Gate, extra => $Open),
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: keep-alive: three requests of a, one TLS connection, all allowed
--- request eval
[("GET /ka/dev-a/profile.cfg") x 3]
--- error_code eval
[200, 200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 3]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Proto: HTTP/1.1",
    "X-Conn: \\d+/2\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Reused: \\.",
    "X-Conn: \\d+/3\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Reused: \\.",
]
--- no_error_log
prov: access forbidden



=== TEST 2: keep-alive: the generic cert is refused on every request of the connection
--- request eval
[("GET /ka/generic/profile.cfg") x 3]
--- error_code eval
[403, 403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 3]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Prov-Id: \nX-Prov-Result: generic",
    "X-Conn: \\d+/2\nX-Prov-Id: \nX-Prov-Result: generic",
    "X-Conn: \\d+/3\nX-Prov-Id: \nX-Prov-Result: generic",
]
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 3: keep-alive: an unverified cert (optional_no_ca) is refused on every request
--- request eval
[("GET /ka/rogue-a/profile.cfg") x 2]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Prov-Id: \nX-Prov-Result: unverified",
    "X-Conn: \\d+/2\nX-Prov-Id: \nX-Prov-Result: unverified",
]
--- error_log
prov: access forbidden (unverified): client certificate verify error 21 "unable to verify the first certificate", serial 6001



=== TEST 4: keep-alive: no certificate, refused on every request
--- request eval
[("GET /ka/none/profile.cfg") x 2]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers_like eval
["X-Conn: \\d+/1\nX-Prov-Result: no_cert", "X-Conn: \\d+/2\nX-Prov-Result: no_cert"]
--- error_log
prov: access forbidden (no_cert): no client certificate



=== TEST 5: keep-alive: an open location first, the gated one next on the same connection
--- request eval
["GET /ka/generic/open/profile.cfg", "GET /ka/generic/profile.cfg", "GET /ka/generic/open/profile.cfg"]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
[$ProvTest::PROFILE_RE, $ProvTest::FORBIDDEN, $ProvTest::PROFILE_RE]
--- response_headers_like eval
["X-Conn: \\d+/1", "X-Conn: \\d+/2\nX-Prov-Result: generic", "X-Conn: \\d+/3"]



=== TEST 6: resumption (TLS 1.3): a's second and third connections resume, still allowed
--- request eval
[("GET /re/dev-a/profile.cfg") x 3]
--- error_code eval
[200, 200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 3]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.3\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Serial: 1001",
    "X-Reused: r\nX-TLS: TLSv1.3\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Serial: 1001",
    "X-Reused: r\nX-TLS: TLSv1.3\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Serial: 1001",
]
--- response_headers_like eval
[("X-Conn: \\d+/1") x 3]
--- no_error_log
prov: access forbidden



=== TEST 7: resumption: the generic cert stays refused
--- request eval
[("GET /re/generic/profile.cfg") x 2]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
["X-Reused: .\nX-Prov-Id: \nX-Prov-Result: generic", "X-Reused: r\nX-Prov-Id: \nX-Prov-Result: generic"]
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 8: resumption: a session whose certificate failed verification stays unverified
--- request eval
[("GET /re/rogue-a/profile.cfg") x 2]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
[
    "X-Reused: .\nX-Prov-Id: \nX-Prov-Result: unverified\nX-Verify: FAILED:unable to verify the first certificate",
    "X-Reused: r\nX-Prov-Id: \nX-Prov-Result: unverified\nX-Verify: FAILED:unable to verify the first certificate",
]
--- error_log
prov: access forbidden (unverified): client certificate verify error 21 "unable to verify the first certificate", serial 6001



=== TEST 9: resumption: a bad id stays refused
--- request eval
[("GET /re/two-st/profile.cfg") x 2]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
["X-Reused: .\nX-Prov-Result: bad_id", "X-Reused: r\nX-Prov-Result: bad_id"]
--- error_log
prov: access forbidden (bad_id): ST present 2 times, serial 1020



=== TEST 10: resumption (TLS 1.2): allowed
--- config eval
ProvTest::front(protocols => 'TLSv1.2')
--- request eval
[("GET /re/dev-a/profile.cfg") x 2]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.2\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Reused: r\nX-TLS: TLSv1.2\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
]



=== TEST 11: resumption (TLS 1.2): unverified stays unverified
--- config eval
ProvTest::front(protocols => 'TLSv1.2')
--- request eval
[("GET /re/selfsigned-a/profile.cfg") x 2]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
[
    "X-Reused: .\nX-TLS: TLSv1.2\nX-Prov-Result: unverified",
    "X-Reused: r\nX-TLS: TLSv1.2\nX-Prov-Result: unverified",
]
--- error_log
prov: access forbidden (unverified): client certificate verify error 18 "self-signed certificate", serial 6002



=== TEST 12: resumption under "ssl_verify_client on"
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request eval
[("GET /re/dev-b/profile.cfg") x 2]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
["X-Reused: .\nX-Prov-Id: 000e08abcdf0", "X-Reused: r\nX-Prov-Id: 000e08abcdf0"]



=== TEST 13: HTTP/2: allowed
--- request
GET /h2/dev-a/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Proto: HTTP/2.0
X-Prov-Id: 000e08abcdef
X-Prov-Result: allow
--- no_error_log
prov: access forbidden



=== TEST 14: HTTP/2: generic refused
--- request
GET /h2/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Proto: HTTP/2.0
X-Prov-Id:
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 15: HTTP/2: unverified refused
--- request
GET /h2/rogue-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Proto: HTTP/2.0
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 21 "unable to verify the first certificate", serial 6001



=== TEST 16: HTTP/2: no certificate refused
--- request
GET /h2/none/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Proto: HTTP/2.0
X-Prov-Result: no_cert
--- error_log
prov: access forbidden (no_cert): no client certificate



=== TEST 17: HTTP/2: several streams over one connection, each judged
--- request eval
[("GET /h2ka/dev-b/profile.cfg") x 3]
--- response_body eval
[($ProvTest::PROFILE) x 3]
--- response_headers_like eval
[
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/1\nX-Prov-Id: 000e08abcdf0",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/2\nX-Prov-Id: 000e08abcdf0",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/3\nX-Prov-Id: 000e08abcdf0",
]



=== TEST 18: HTTP/2: refused on every stream of the connection
--- request eval
[("GET /h2ka/two-st/profile.cfg") x 2]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers_like eval
[
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/1\nX-Prov-Result: bad_id",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/2\nX-Prov-Result: bad_id",
]
--- error_log
prov: access forbidden (bad_id): ST present 2 times, serial 1020



=== TEST 19: HTTP/1.0: allowed
--- request
GET /h10/dev-a/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Proto: HTTP/1.0
X-Prov-Id: 000e08abcdef
X-Prov-Result: allow



=== TEST 20: HTTP/1.0: refused
--- request
GET /h10/multi-rdn-dup/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Proto: HTTP/1.0
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST present 2 times, serial 1022



=== TEST 21: HTTP/1.0 from the client, HTTP/1.0 to the gate
--- request
GET /h10/dev-b/profile.cfg HTTP/1.0
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Proto: HTTP/1.0
X-Prov-Id: 000e08abcdf0



=== TEST 22: an old device: TLS 1.0, RSA key exchange, RSA-1024 key, SHA-1 signature
The server must allow them (ssl_protocols, @SECLEVEL=0: see ProvTest::backend).
--- request
GET /old/old-spa/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-TLS: TLSv1
X-Cipher: AES128-SHA
X-Prov-Id: 000e08abcd90
X-Prov-Result: allow



=== TEST 23: TLS 1.0: the generic cert is still refused
--- request
GET /old/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-TLS: TLSv1
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 90: the subject is read once per TLS connection, later requests reuse it
One client request makes two backend requests, one after the other, over one
kept-alive TLS connection (two SSI includes): the first reads the
certificate, the second reuses what it found.
--- skip_eval: 5: !ProvTest::nginx_debug()
--- config eval
ProvTest::front(extra => <<'_EOC_')
        location = /twice.html {
            ssi on;
        }
_EOC_
--- user_files eval
ProvTest::profiles() . <<'_EOC_'
>>> twice.html
<!--# include virtual="/ka/dev-a/profile.cfg" wait="yes" --><!--# include virtual="/ka/dev-a/profile.cfg" wait="yes" -->
_EOC_
--- request
GET /twice.html
--- response_body eval
$ProvTest::PROFILE x 2 . "\n"
--- error_log
prov identity read from the certificate
prov identity of the connection reused: allow
--- no_error_log
prov: access forbidden



=== TEST 91: a refusal is kept per connection too
--- skip_eval: 4: !ProvTest::nginx_debug()
--- config eval
ProvTest::front(extra => <<'_EOC_')
        location = /twice.html {
            ssi on;
        }
_EOC_
--- user_files eval
ProvTest::profiles() . <<'_EOC_'
>>> twice.html
<!--# include virtual="/ka/generic/profile.cfg" wait="yes" --><!--# include virtual="/ka/generic/profile.cfg" wait="yes" -->
_EOC_
--- request
GET /twice.html
--- error_log
prov identity read from the certificate
prov identity of the connection reused: generic
prov: access forbidden (generic)
