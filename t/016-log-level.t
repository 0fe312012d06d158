# prov_log_level: the level of the one line a refusal logs (default error)
# when the refusal is the answer.  A refusal the configuration turns into a
# success (another access module grants under "satisfy any", error_page
# serves a generic certificate its bootstrap profile) is logged at info
# whatever prov_log_level says: 014-generic.t, 021-access-compose.t.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

ProvTest::defaults(
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
    request => "GET /as/generic/profile.cfg\n",
    error_code => 403,
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: default: error
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;')
--- error_log eval
qr/\[error\] .*prov: access forbidden \(generic\): generic certificate, ST "ciscogeneric", serial 1003/



=== TEST 2: info
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric; prov_log_level info;')
--- error_log eval
qr/\[info\] .*prov: access forbidden \(generic\): generic certificate, ST "ciscogeneric", serial 1003/
--- no_error_log eval
[qr/\[(error|warn|notice)\] .*prov: access forbidden/]



=== TEST 3: notice
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric; prov_log_level notice;')
--- error_log eval
qr/\[notice\] .*prov: access forbidden \(generic\)/
--- no_error_log eval
[qr/\[(error|warn|info)\] .*prov: access forbidden/]



=== TEST 4: warn, set at http level
--- http_config eval
"prov_log_level warn;\n" . ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;')
--- error_log eval
qr/\[warn\] .*prov: access forbidden \(generic\)/
--- no_error_log eval
[qr/\[(error|notice|info)\] .*prov: access forbidden/]



=== TEST 5: the location's level wins
--- http_config eval
ProvTest::backend(
    server => 'prov_id ST mac; prov_generic ciscogeneric; prov_log_level warn;',
    location => 'prov on; prov_log_level info;',
)
--- error_log eval
qr/\[info\] .*prov: access forbidden \(generic\)/
--- no_error_log eval
[qr/\[(error|warn|notice)\] .*prov: access forbidden/]



=== TEST 6: the line names the client and the request
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;')
--- error_log eval
qr/prov: access forbidden \(generic\): generic certificate, ST "ciscogeneric", serial 1003, client: unix:, server: localhost, request: "GET \/profile.cfg HTTP\/1.1"/



=== TEST 7: a refusal "satisfy any" overrides: info, whatever prov_log_level
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric; prov_log_level warn;',
                  location => 'satisfy any; allow unix:; deny all;')
--- error_code: 200
--- error_log eval
qr/\[info\] .*prov: certificate refused \(generic\), access granted by another module \(satisfy any\): generic certificate, ST "ciscogeneric", serial 1003, client: unix:/
--- no_error_log eval
[qr/\[(error|warn|notice)\] .*prov:/, "access forbidden"]



=== TEST 8: prov_log_level notice under "satisfy any" when every module refuses
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac; prov_generic ciscogeneric; prov_log_level notice;',
                  location => 'satisfy any; deny all;')
--- error_log eval
qr/\[notice\] .*prov: access forbidden \(generic\): generic certificate, ST "ciscogeneric", serial 1003, client: unix:/
--- no_error_log eval
[qr/\[(warn|info)\] .*prov:/, "certificate refused"]
