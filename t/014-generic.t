# prov_generic: a certificate any of whose subject attributes equals one of
# the values (case-insensitively) is "generic": it identifies no device and
# unlocks nothing, checked before the id.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

ProvTest::defaults(
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
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
