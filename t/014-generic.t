# prov_generic: a certificate any of whose subject attributes equals one of
# the values (case-insensitively) is "generic": it identifies no device and
# unlocks nothing, checked before the id.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

# The bootstrap route of examples/cisco-spa.conf: a refused request falls
# through to @bootstrap, which serves the generic certificate a profile
# that upgrades its firmware and refuses everyone else again.
our $Bootstrap = <<'_EOC_';
        location @bootstrap {
            prov off;

            if ($prov_result != generic) {
                return 403;
            }

            root $TEST_NGINX_SERVER_ROOT/html/bootstrap;
            try_files /upgrade.cfg =403;
        }
_EOC_

# The same route misconfigured: it serves whoever the gate refused.
our $Open = <<'_EOC_';
        location @bootstrap {
            prov off;
            root $TEST_NGINX_SERVER_ROOT/html/bootstrap;
            try_files /upgrade.cfg =403;
        }
_EOC_

our $Upgrade = "upgrade the firmware\n";

ProvTest::defaults(
    config => ProvTest::front(),
    user_files => ProvTest::profiles()
                  . ">>> bootstrap/upgrade.cfg\n$Upgrade",
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: without prov_generic the generic cert still fails "mac"
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac;')
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "ciscogeneric" is not a MAC address, serial 1003



=== TEST 2: checked before the id: a pattern that would take "ciscogeneric"
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST; prov_generic ciscogeneric;')
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 3: values compare case-insensitively
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic CiscoGeneric;')
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, ST "ciscogeneric", serial 1003



=== TEST 4: any attribute: OU "cisco.com"; several values
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic none.example cisco.com;')
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, OU "cisco.com", serial 1003



=== TEST 5: a value shared by per-device certificates makes them generic too
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic "Cisco Systems, Inc.";')
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: generic
--- error_log
prov: access forbidden (generic): generic certificate, O "Cisco Systems, Inc.", serial 1001



=== TEST 6: equality, not a substring
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic cisco;')
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/generic/profile.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
[$ProvTest::PROFILE_RE, $ProvTest::FORBIDDEN]
--- response_headers eval
["X-Prov-Result: allow", "X-Prov-Result: bad_id"]
--- no_error_log
generic certificate



=== TEST 7: the location's own prov_generic replaces the inherited values
--- http_config eval
ProvTest::backend(
    server => 'prov_id ST mac; prov_generic ciscogeneric;',
    extra => '
        location /inherit/ { prov on; alias html/; }
        location /own/ { prov on; prov_generic cisco.com; alias html/; }
        location /other/ { prov on; prov_generic none.example; alias html/; }
    ',
)
--- request eval
[
    "GET /as/generic/inherit/profile.cfg",
    "GET /as/generic/own/profile.cfg",
    "GET /as/generic/other/profile.cfg",
]
--- error_code eval
[403, 403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 3]
--- response_headers eval
["X-Prov-Result: generic", "X-Prov-Result: generic", "X-Prov-Result: bad_id"]
--- error_log eval
qr/prov: access forbidden \((generic|bad_id)\): (generic certificate, (ST "ciscogeneric"|OU "cisco\.com")|ST "ciscogeneric" is not a MAC address), serial 1003,/



=== TEST 8: generic in a BMPString subject: compared as UTF-8
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic "Téléphonie Ωmega";')
--- request eval
["GET /as/bmp/profile.cfg", "GET /as/utf8/profile.cfg"]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
["X-Prov-Result: generic\nX-Serial: 1040", "X-Prov-Result: generic\nX-Serial: 1043"]
--- error_log eval
qr/prov: access forbidden \(generic\): generic certificate, O "T\\xC3\\xA9l\\xC3\\xA9phonie \\xCE\\xA9mega", serial 104[03],/



=== TEST 9: error_page sends the generic certificate to its bootstrap profile: no error
Every pre-2.0 device fetches this way: a line at info, not at
prov_log_level, so that fail2ban on the error log bans no phone.
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;',
                  location => 'error_page 403 = @bootstrap;',
                  extra => $main::Bootstrap)
--- request
GET /as/generic/profile.cfg
--- response_body eval
$main::Upgrade
--- response_headers
X-Prov-Result: generic
--- error_log eval
qr/\[info\] .*prov: certificate refused \(generic\), answered 200 by error_page: generic certificate, ST "ciscogeneric", serial 1003, client: unix:, server: localhost, request: "GET \/profile.cfg HTTP\/1.1"/
--- no_error_log eval
[qr/\[error\]/, "access forbidden"]



=== TEST 10: the bootstrap route refuses any other certificate: logged at prov_log_level
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;',
                  location => 'error_page 403 = @bootstrap;',
                  extra => $main::Bootstrap)
--- request
GET /as/two-st/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: bad_id
--- error_log eval
qr/\[error\] .*prov: access forbidden \(bad_id\): ST present 2 times, serial 1020, client: unix:, server: localhost, request: "GET \/profile.cfg HTTP\/1.1"/
--- no_error_log
certificate refused



=== TEST 11: no certificate through the bootstrap route: logged at prov_log_level
--- http_config eval
ProvTest::backend(verify => 'optional',
                  server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;',
                  location => 'error_page 403 = @bootstrap;',
                  extra => $main::Bootstrap)
--- request
GET /as/none/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log eval
qr/\[error\] .*prov: access forbidden \(no_cert\): no client certificate, client: unix:/
--- no_error_log
certificate refused



=== TEST 12: a bootstrap route that serves everyone hides no attacker
Only the generic certificate's refusal is an expected outcome; another
refused certificate served by error_page is still logged at
prov_log_level.
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;',
                  location => 'error_page 403 = @bootstrap;',
                  extra => $main::Open)
--- request
GET /as/two-st/profile.cfg
--- response_body eval
$main::Upgrade
--- response_headers
X-Prov-Result: bad_id
--- error_log eval
qr/\[error\] .*prov: access forbidden \(bad_id\): ST present 2 times, serial 1020, client: unix:/
--- no_error_log
certificate refused



=== TEST 13: error_page to a URI ("= /bootstrap/upgrade.cfg"): the same info line
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;',
                  location => 'error_page 403 = /bootstrap/upgrade.cfg;',
                  extra => 'location /bootstrap/ { prov off; }')
--- request
GET /as/generic/profile.cfg
--- response_body eval
$main::Upgrade
--- error_log eval
qr/\[info\] .*prov: certificate refused \(generic\), answered 200 by error_page: generic certificate, ST "ciscogeneric", serial 1003, client: unix:/
--- no_error_log eval
[qr/\[error\]/, "access forbidden"]



=== TEST 14: the bootstrap profile missing: the refusal is the answer again
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;',
                  location => 'error_page 403 = @bootstrap;',
                  extra => $main::Bootstrap)
--- user_files eval
ProvTest::profiles()
--- request
GET /as/generic/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log eval
qr/\[error\] .*prov: access forbidden \(generic\): generic certificate, ST "ciscogeneric", serial 1003, client: unix:/
--- no_error_log
certificate refused



=== TEST 15: over HTTP/2, twice on one connection: the same info lines
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;',
                  location => 'error_page 403 = @bootstrap;',
                  extra => $main::Bootstrap)
--- request eval
["GET /h2ka/generic/profile.cfg", "GET /h2ka/generic/profile.cfg"]
--- response_body eval
[$main::Upgrade, $main::Upgrade]
--- response_headers eval
["X-Proto: HTTP/2.0\nX-Prov-Result: generic", "X-Proto: HTTP/2.0\nX-Prov-Result: generic"]
--- error_log eval
qr/\[info\] .*prov: certificate refused \(generic\), answered 200 by error_page: generic certificate, ST "ciscogeneric", serial 1003, client: unix:/
--- no_error_log eval
[qr/\[error\]/, "access forbidden"]
