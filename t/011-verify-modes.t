# A certificate counts only when nginx verified it, under every
# ssl_verify_client mode.  Under "on" and "optional" nginx itself answers
# 400 to a certificate it cannot verify (and under "on" to a missing one);
# under "optional_no_ca" it lets certificates of unknown issuers through,
# and the gate refuses them (unverified).  Expired, not yet valid and
# badly signed certificates get nginx's 400 in every mode, unless
# "error_page 495" sends them to a gated location, as the examples do: the
# gate refuses them there, and names another CA's certificate by its
# chain's error first, whatever OpenSSL reported last (TEST 22 to 24).
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

our $Gate = 'prov on; prov_id ST mac; prov_generic ciscogeneric;';

# forged-a's bad signature makes nginx itself log "[alert] ... ignoring
# stale global SSL error" (OpenSSL's verification leaves its error queued;
# the same without the module: 018-stale-ssl-error.t); any other alert
# fails these tests
our $OtherAlert = qr/\[alert\](?!.*ignoring stale global SSL error \(SSL: error:[0-9A-F]+:asn1 encoding routines::EVP lib\))/;

# the examples' shape: the certificates nginx refuses itself (495) sent to
# a location the gate covers
our $CertErrorPage = ProvTest::backend(
    verify => 'optional_no_ca',
    server => $Gate . "\n        error_page 495 = \@cert_error;",
    extra => 'location @cert_error { deny all; }');

ProvTest::defaults(
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: on: devices allowed (also through an intermediate CA)
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/chain-c/profile.cfg"]
--- error_code eval
[200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
["X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow", "X-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow"]
--- no_error_log
prov: access forbidden



=== TEST 2: on: no certificate: nginx's 400
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request
GET /as/none/profile.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::NO_CERT_ERROR
--- response_headers
X-Prov-Result: no_cert
--- no_error_log
prov: access forbidden



=== TEST 3: on: generic
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 4: on: unknown issuers: nginx's 400
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request eval
[
    "GET /as/rogue-a/profile.cfg",
    "GET /as/rogue-a-chain/profile.cfg",
    "GET /as/selfsigned-a/profile.cfg",
    "GET /as/srvca-a/profile.cfg",
    "GET /as/chain-c-nochain/profile.cfg",
]
--- error_code eval
[400, 400, 400, 400, 400]
--- response_body_like eval
[($ProvTest::CERT_ERROR) x 5]
--- response_headers eval
[("X-Prov-Id: \nX-Prov-Result: unverified") x 5]
--- no_error_log
prov: access forbidden



=== TEST 5: on: forged signature, expired, not yet valid: nginx's 400
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request eval
[
    "GET /as/forged-a/profile.cfg",
    "GET /as/expired-a/profile.cfg",
    "GET /as/notyet-a/profile.cfg",
]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[($ProvTest::CERT_ERROR) x 3]
--- response_headers eval
[("X-Prov-Id: \nX-Prov-Result: unverified") x 3]
--- no_error_log eval
["prov: access forbidden", $main::OtherAlert]



=== TEST 6: optional: devices allowed
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/chain-c/profile.cfg"]
--- error_code eval
[200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
["X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow", "X-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow"]
--- no_error_log
prov: access forbidden



=== TEST 7: optional: no certificate: the gate's 403
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request
GET /as/none/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: no_cert
X-Verify: NONE
--- error_log
prov: access forbidden (no_cert): no client certificate



=== TEST 8: optional: generic
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 9: optional: unknown issuers: nginx's 400
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request eval
[
    "GET /as/rogue-a/profile.cfg",
    "GET /as/rogue-a-chain/profile.cfg",
    "GET /as/selfsigned-a/profile.cfg",
    "GET /as/srvca-a/profile.cfg",
    "GET /as/chain-c-nochain/profile.cfg",
]
--- error_code eval
[400, 400, 400, 400, 400]
--- response_body_like eval
[($ProvTest::CERT_ERROR) x 5]
--- response_headers eval
[("X-Prov-Id: \nX-Prov-Result: unverified") x 5]
--- no_error_log
prov: access forbidden



=== TEST 10: optional: forged signature, expired, not yet valid: nginx's 400
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request eval
[
    "GET /as/forged-a/profile.cfg",
    "GET /as/expired-a/profile.cfg",
    "GET /as/notyet-a/profile.cfg",
]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[($ProvTest::CERT_ERROR) x 3]
--- response_headers eval
[("X-Prov-Id: \nX-Prov-Result: unverified") x 3]
--- no_error_log eval
["prov: access forbidden", $main::OtherAlert]



=== TEST 11: optional_no_ca: devices allowed
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/chain-c/profile.cfg"]
--- error_code eval
[200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
["X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow", "X-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow"]
--- no_error_log
prov: access forbidden



=== TEST 12: optional_no_ca: no certificate
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request
GET /as/none/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: no_cert
--- error_log
prov: access forbidden (no_cert): no client certificate



=== TEST 13: optional_no_ca: generic
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 14: optional_no_ca: a's subject from a rogue CA reaches the gate, refused
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request
GET /as/rogue-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
X-Verify: FAILED:unable to verify the first certificate
--- error_log
prov: access forbidden (unverified): client certificate verify error 21 "unable to verify the first certificate", serial 6001



=== TEST 15: optional_no_ca: the rogue CA sent along in the chain
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request
GET /as/rogue-a-chain/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 19 "self-signed certificate in certificate chain", serial 6001



=== TEST 16: optional_no_ca: a's subject, self-signed
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request
GET /as/selfsigned-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 18 "self-signed certificate", serial 6002



=== TEST 17: optional_no_ca: a's subject from the server CA (trusted elsewhere, not for devices)
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request
GET /as/srvca-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 21 "unable to verify the first certificate", serial 5001



=== TEST 18: optional_no_ca: a good device that leaves out its intermediate CA
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request
GET /as/chain-c-nochain/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 21 "unable to verify the first certificate", serial 2001



=== TEST 19: optional_no_ca: forged signature, expired, not yet valid: nginx's 400
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request eval
[
    "GET /as/forged-a/profile.cfg",
    "GET /as/expired-a/profile.cfg",
    "GET /as/notyet-a/profile.cfg",
]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[($ProvTest::CERT_ERROR) x 3]
--- response_headers eval
[("X-Prov-Id: \nX-Prov-Result: unverified") x 3]
--- no_error_log eval
["prov: access forbidden", $main::OtherAlert]



=== TEST 20: optional_no_ca without any trusted CA: nothing is verified, all refused
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', ca => undef, server => $main::Gate)
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 21 "unable to verify the first certificate", serial 1001



=== TEST 21: ssl_verify_client off: the server asks for no certificate: no_cert
--- http_config eval
ProvTest::backend(verify => 'off', server => $main::Gate)
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: no_cert
X-Verify: NONE
--- error_log
prov: access forbidden (no_cert): no client certificate



=== TEST 22: optional_no_ca, error_page 495 to a gated location: a certificate nginx refuses itself reaches the gate; an expired one of the device CA is logged with its own error alone
--- http_config eval
$main::CertErrorPage
--- request
GET /as/expired-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 10 "certificate has expired", serial 1005,
--- no_error_log eval
[qr/verify error \d+ "[^"]*", and /, $main::OtherAlert]



=== TEST 23: the same, not yet valid
--- http_config eval
$main::CertErrorPage
--- request
GET /as/notyet-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 9 "certificate is not yet valid", serial 1006,
--- no_error_log eval
[qr/verify error \d+ "[^"]*", and /, $main::OtherAlert]



=== TEST 24: the same: a certificate of another CA that is also expired is logged with its chain's error first (OpenSSL reports the last error it met, 10, that of a genuine device; examples/fail2ban bans the one and not the other)
--- http_config eval
$main::CertErrorPage
--- request
GET /as/rogue-expired-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: unverified
--- error_log
prov: access forbidden (unverified): client certificate verify error 20 "unable to get local issuer certificate", and 10 "certificate has expired", serial 6003,
--- no_error_log eval
$main::OtherAlert
