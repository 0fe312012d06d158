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



=== TEST 14: satisfy any, the address grants: a refused certificate is no error
nginx's access module logs only under "satisfy all"; the gate logs the
refusal another module overrode at info, and nothing at prov_log_level
(fail2ban on the error log would ban the granted client).
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; allow unix:; deny all; prov on;')
--- request
GET /as/none/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- error_log eval
qr/\[info\] .*prov: certificate refused \(no_cert\), access granted by another module \(satisfy any\): no client certificate, client: unix:, server: localhost, request: "GET \/profile.cfg HTTP\/1.1"/
--- no_error_log eval
[qr/\[error\]/, "access forbidden"]



=== TEST 15: satisfy any, the address grants: a certificate with a bad id, the same
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; allow unix:; deny all; prov on;')
--- request
GET /as/two-st/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Result: bad_id
--- error_log eval
qr/\[info\] .*prov: certificate refused \(bad_id\), access granted by another module \(satisfy any\): ST present 2 times, serial 1020, client: unix:/
--- no_error_log eval
[qr/\[error\]/, "access forbidden"]



=== TEST 16: satisfy any, every module refuses: the gate's line at prov_log_level
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; deny all; prov on;')
--- request
GET /as/two-st/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log eval
[qr/\[error\] .*prov: access forbidden \(bad_id\): ST present 2 times, serial 1020, client: unix:, server: localhost, request: "GET \/profile.cfg HTTP\/1.1"/,
 "access forbidden by rule"]
--- no_error_log
certificate refused



=== TEST 17: satisfy any, auth_request refuses too: 401, the gate's line at prov_log_level
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; auth_request /auth; prov on;', extra => $main::Auth)
--- request
GET /as/generic/profile.cfg
--- error_code: 401
--- error_log eval
qr/\[error\] .*prov: access forbidden \(generic\): generic certificate, ST "ciscogeneric", serial 1003, client: unix:/
--- no_error_log
certificate refused



=== TEST 18: satisfy any, auth_request grants: info, also with log_subrequest on
The subrequest shares the request's pool (where the gate's outcome is
found again): its log phase must not log the refusal before the main
request's answer is known.
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  http => 'log_subrequest on;',
                  location => 'satisfy any; auth_request /auth; prov on;',
                  extra => $main::Auth)
--- more_headers
X-Auth: ok
--- request
GET /as/generic/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- error_log eval
qr/\[info\] .*prov: certificate refused \(generic\), access granted by another module \(satisfy any\): generic certificate, ST "ciscogeneric", serial 1003, client: unix:, server: localhost, request: "GET \/profile.cfg HTTP\/1.1"/
--- no_error_log eval
[qr/\[error\]/, "access forbidden"]



=== TEST 19: satisfy any, the address grants, prov_profile refuses: that is the answer
prov_profile serves only a device the gate allowed, whatever granted
access: the 403 is the gate's refusal, logged at prov_log_level.
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy any; allow unix:; deny all; prov on; prov_profile /profile.cfg;')
--- request
GET /as/none/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log eval
qr/\[error\] .*prov: access forbidden \(no_cert\): no client certificate, client: unix:/
--- no_error_log
certificate refused



=== TEST 20: satisfy all: the refusal is logged in the access phase, as before
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate,
                  location => 'satisfy all; allow unix:; prov on;')
--- request
GET /as/two-st/profile.cfg
--- error_code: 403
--- error_log eval
qr/\[error\] .*prov: access forbidden \(bad_id\): ST present 2 times, serial 1020, client: unix:, server: localhost, request: "GET \/profile.cfg HTTP\/1.1"/
--- no_error_log
certificate refused
