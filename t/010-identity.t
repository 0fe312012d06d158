# The device identity: the certificates of the test PKI (t/pki/make-pki.sh)
# against the Cisco configuration (prov_id ST mac; prov_generic
# ciscogeneric) under "ssl_verify_client on".  Allowed: 200 and the
# profile, $prov_id the canonical MAC.  Refused: 403, nginx's stock page
# (no profile byte), empty $prov_id, and the reason in one log line.
# Other verify modes: 011-verify-modes.t; MAC forms: 012-mac.t.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

ProvTest::defaults(
    http_config => ProvTest::backend(
        verify => 'on',
        server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;',
    ),
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: devices with a single well-formed ST are allowed
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/full/profile.cfg",
    "GET /as/chain-c/profile.cfg",
]
--- error_code eval
[200, 200, 200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 4]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Serial: 1001",
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: allow\nX-Serial: 1002",
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow\nX-Serial: 1080",
    "X-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow\nX-Serial: 2001",
]
--- no_error_log
prov: access forbidden
[alert]



=== TEST 2: OU holds ",ST=<b's mac>": the id is the cert's own ST, never b's
The string $ssl_client_s_dn shows b's MAC before the real ST: a pattern
match on it would take this device for b.
--- http_config eval
ProvTest::backend(
    verify => 'on',
    server => 'prov on; prov_id ST mac; add_header X-DN $ssl_client_s_dn always;',
)
--- request
GET /as/ou-inject/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 000e08abcd10
X-Prov-Result: allow
X-DN: CN=000e08abcd10,OU=SPA-962\,ST=000e08abcdf0,O=Cisco Systems\, Inc.,L=88012BA01010,ST=000e08abcd10,C=US
--- no_error_log
prov: access forbidden



=== TEST 3: an ST inside a multi-valued RDN (ST=<mac>+OU=SPA-962) counts
--- request
GET /as/multi-rdn/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 000e08abcd21
X-Prov-Result: allow
--- no_error_log
prov: access forbidden



=== TEST 4: the id as BMPString, UniversalString, T61String; UTF-8 O
--- request eval
[
    "GET /as/bmp/profile.cfg",
    "GET /as/univ/profile.cfg",
    "GET /as/t61/profile.cfg",
    "GET /as/utf8/profile.cfg",
]
--- response_body eval
[($ProvTest::PROFILE) x 4]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcd40\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd41\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd42\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd43\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 5: the generic certificate of pre-2.0 firmware unlocks nothing
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: generic
X-Verify: SUCCESS
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 6: no ST; OU holds the text ",ST=<b's mac>" and CN is b's MAC
--- request
GET /as/ou-inject-nost/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
X-Verify: SUCCESS
--- error_log
prov: access forbidden (bad_id): ST missing, serial 1011



=== TEST 7: no ST; OU holds the text "/ST=<b's mac>" (fools "/C=../ST=.." strings)
--- request
GET /as/ou-slash-nost/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST missing, serial 1012



=== TEST 8: other vendors' certificates have no ST
--- request eval
[
    "GET /as/polycom/profile.cfg",
    "GET /as/yealink/profile.cfg",
    "GET /as/cisco-sep/profile.cfg",
]
--- error_code eval
[403, 403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 3]
--- response_headers eval
[
    "X-Prov-Id: \nX-Prov-Result: bad_id\nX-Serial: 1071",
    "X-Prov-Id: \nX-Prov-Result: bad_id\nX-Serial: 1072",
    "X-Prov-Id: \nX-Prov-Result: bad_id\nX-Serial: 1073",
]
--- error_log eval
qr/prov: access forbidden \(bad_id\): ST missing, serial 107[123], client: /



=== TEST 9: ST twice (its own MAC, then b's)
--- request
GET /as/two-st/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST present 2 times, serial 1020



=== TEST 10: ST twice in one multi-valued RDN (ST=<mac>+ST=<b's mac>)
--- request
GET /as/multi-rdn-dup/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST present 2 times, serial 1022



=== TEST 11: "../<b's mac>" in ST
--- request
GET /as/dotdot/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "../000e08abcdf0" contains a forbidden character, serial 1030



=== TEST 12: ST "."
--- request
GET /as/dot/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "." contains a forbidden character, serial 1031



=== TEST 13: ST ".."
--- request
GET /as/dotdot-only/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST ".." contains a forbidden character, serial 1032



=== TEST 14: a backslash in ST, written \x5C in the log
--- request
GET /as/backslash/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "..\x5C000e08abcdf0" contains a forbidden character, serial 1033



=== TEST 15: NUL after b's MAC: as a C string the ST would be b's MAC
--- request
GET /as/nul/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "000e08abcdf0\x00x" contains a forbidden character, serial 1035



=== TEST 16: CR LF and a forged log line in ST stay on one escaped line
--- request
GET /as/ctrl/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "000e08abcd36\x0D\x0A2000/01/01 00:00:00 [error] 1#1: forged line" contains a forbidden character, serial 1036
--- no_error_log eval
[qr{^2000/01/01 00:00:00 \[error\] 1#1: forged line}]



=== TEST 17: an empty ST
--- request
GET /as/empty/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST is empty, serial 1037



=== TEST 18: quotes in ST cannot fake the end of the quoted value in the log
--- request
GET /as/quote/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "000e08abcdf0\x22 id=\x22000e08abcdf0" is not a MAC address, serial 1039



=== TEST 19: a 200-byte ST: the log line quotes its first 128 bytes only
--- request
GET /as/long/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log eval
'prov: access forbidden (bad_id): ST "000e08abcdf0' . ('A' x 116) . '..." is not a MAC address, serial 1038'



=== TEST 20: a Cyrillic "е" in a's MAC is not a's MAC
--- request
GET /as/homoglyph/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "000\xD0\xB508abcdef" is not a MAC address, serial 1044



=== TEST 21: a's subject from a rogue CA: nginx answers 400 itself under "on"
$prov_result, evaluated for nginx's error page, still says why.
--- request
GET /as/rogue-a/profile.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::CERT_ERROR
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
client SSL certificate verify error: (21:unable to verify the first certificate)
--- no_error_log
prov: access forbidden



=== TEST 22: a's subject, self-signed
--- request
GET /as/selfsigned-a/profile.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::CERT_ERROR
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
client SSL certificate verify error: (18:self-signed certificate)
--- no_error_log
prov: access forbidden



=== TEST 23: a's expired certificate
--- request
GET /as/expired-a/profile.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::CERT_ERROR
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
client SSL certificate verify error: (10:certificate has expired)
--- no_error_log
prov: access forbidden



=== TEST 24: no certificate: nginx answers 400 itself under "on"
--- request
GET /as/none/profile.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::NO_CERT_ERROR
--- response_headers
X-Prov-Id:
X-Prov-Result: no_cert
--- no_error_log
prov: access forbidden
