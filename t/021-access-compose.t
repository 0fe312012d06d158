# The gate is an access-phase handler: it composes with satisfy, allow/deny
# and auth_request like nginx's own.  Allowed -> NGX_OK (so "satisfy any"
# grants), refused -> 403, prov off -> declined.  (Requests reach the
# backend over a unix socket: their address is "unix:".)
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

our $Gate = 'prov_id ST mac; prov_generic ciscogeneric;';

# auth_request's subrequest answers 204 when the request has
# "X-Auth: ok", else 401
our $Auth = <<'_EOC_';
        location = /auth {
            internal;
            if ($http_x_auth = ok) {
                return 204;
            }
            return 401;
        }
_EOC_

ProvTest::defaults(
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: satisfy any + deny all: the certificate alone grants
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; deny all; prov on;')
--- request
GET /as/dev-a/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Result: allow
--- no_error_log
access forbidden



=== TEST 2: satisfy any + deny all: a refused certificate gets 403 from both
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; deny all; prov on;')
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003
access forbidden by rule



=== TEST 3: satisfy any + deny all: no certificate
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; deny all; prov on;')
--- request
GET /as/none/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (no_cert): no client certificate



=== TEST 4: satisfy any + allow unix: -- the address grants, even without a certificate
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; allow unix:; deny all; prov on;')
--- request eval
["GET /as/none/profile.cfg", "GET /as/generic/profile.cfg"]
--- error_code eval
[200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
["X-Prov-Result: no_cert", "X-Prov-Result: generic"]



=== TEST 5: satisfy all + deny all: an allowed certificate is not enough
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy all; deny all; prov on;')
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: allow
--- error_log
access forbidden by rule
--- no_error_log
prov: access forbidden



=== TEST 6: satisfy all + allow unix:: both must pass
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy all; allow unix:; deny all; prov on;')
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/two-st/profile.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
[$ProvTest::PROFILE_RE, $ProvTest::FORBIDDEN]
--- response_headers eval
["X-Prov-Result: allow", "X-Prov-Result: bad_id"]



=== TEST 7: auth_request (satisfy all): certificate and auth both pass
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'auth_request /auth; prov on;', extra => $main::Auth)
--- more_headers
X-Auth: ok
--- request
GET /as/dev-a/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 000e08abcdef



=== TEST 8: auth_request (satisfy all): auth fails: 401
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'auth_request /auth; prov on;', extra => $main::Auth)
--- request
GET /as/dev-a/profile.cfg
--- error_code: 401
--- response_body_like eval
"<title>401 Authorization Required</title>"
--- no_error_log
prov: access forbidden



=== TEST 9: auth_request (satisfy all): auth passes, certificate refused: 403
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'auth_request /auth; prov on;', extra => $main::Auth)
--- more_headers
X-Auth: ok
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 10: auth_request + satisfy any: either grants
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; auth_request /auth; prov on;', extra => $main::Auth)
--- more_headers
X-Auth: ok
--- request eval
["GET /as/generic/profile.cfg", "GET /as/none/profile.cfg"]
--- error_code eval
[200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 2]



=== TEST 11: auth_request + satisfy any: the certificate grants without auth
When both refuse, nginx answers auth_request's 401 (401 wins over 403
under satisfy any).
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; auth_request /auth; prov on;', extra => $main::Auth)
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/generic/profile.cfg"]
--- error_code eval
[200, 401]
--- response_body_like eval
[$ProvTest::PROFILE_RE, "\\A<html>\r\n<head><title>401 Authorization Required</title>"]



=== TEST 12: "prov off" in a location under a gated server: not gated
--- http_config eval
ProvTest::backend(verify => 'optional', server => "prov on; $main::Gate",
                  extra => 'location /open/ { prov off; alias html/; }')
--- request eval
["GET /as/none/open/profile.cfg", "GET /as/none/profile.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
[$ProvTest::PROFILE_RE, $ProvTest::FORBIDDEN]



=== TEST 13: auth_request's subrequest is not gated itself
--- http_config eval
ProvTest::backend(verify => 'optional', server => "prov on; $main::Gate",
                  location => 'auth_request /auth;', extra => $main::Auth)
--- more_headers
X-Auth: ok
--- request
GET /as/dev-b/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 000e08abcdf0
--- no_error_log
prov: access forbidden
