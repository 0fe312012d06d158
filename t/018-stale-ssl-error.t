# Not the module's: the "[alert] ... ignoring stale global SSL error (SSL:
# error:06880006:asn1 encoding routines::EVP lib) while waiting for
# request" that nginx 1.22 with OpenSSL 3 logs for a client certificate
# whose signature does not verify (forged-a: its issuer's key is not
# device-ca's, its issuer's name is), under every ssl_verify_client mode:
# t/011 TESTs 5, 10 and 19, t/025's forged-a requests.
#
# OpenSSL verifies the client certificate inside the handshake
# (SSL_do_handshake -> X509_verify_cert -> X509_verify ->
# ASN1_item_verify_ctx, which queues the error: a breakpoint on ERR_new in
# a worker shows it); nginx's verify callback accepts every certificate,
# to answer 400 later with the reason, so the handshake succeeds with the
# error still queued, and nginx's next SSL_read() finds it and logs the
# alert (ngx_ssl_clear_error()), before any request is read: the module
# runs in the request's access phase and plays no part.  Here nginx runs
# without the module (no load_module line, no prov directive; under make
# test-asan the module is compiled in, and idle without directives) and
# logs the same alert.
BEGIN { $ENV{TEST_NGINX_LOAD_MODULES} = '' }

use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

our $Alert = qr/\[alert\] .*ignoring stale global SSL error \(SSL: error:[0-9A-F]+:asn1 encoding routines::EVP lib\) while waiting for request, client: unix:/;

ProvTest::defaults(
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: no module, ssl_verify_client on: the forged signature's alert
--- http_config eval
ProvTest::backend(verify => 'on', prov_headers => 0)
--- request
GET /as/forged-a/profile.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::CERT_ERROR
--- error_log eval
[$main::Alert, "client SSL certificate verify error: (7:certificate signature failure)"]



=== TEST 2: no module, ssl_verify_client optional_no_ca: the same
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', prov_headers => 0)
--- request
GET /as/forged-a/profile.cfg
--- error_code: 400
--- response_body_like eval
$ProvTest::CERT_ERROR
--- error_log eval
[$main::Alert, "client SSL certificate verify error: (7:certificate signature failure)"]



=== TEST 3: no module: a good certificate leaves no alert
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', prov_headers => 0)
--- request
GET /as/dev-a/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- no_error_log
[alert]
stale global SSL error
