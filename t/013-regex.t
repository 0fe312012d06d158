# prov_id <attr> <regex>: the pattern must match the whole value; the id is
# the capture named "id", else the first capture, verbatim.  prov_id <attr>
# alone: the value itself is the id.  Unsafe ids are refused whatever the
# pattern allows.  Any attribute, by name or OID.
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

=== TEST 1: a named capture: Cisco phones' CN "SEP<MAC>"
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN "^SEP(?<id>[0-9A-F]{12})$";')
--- request
GET /as/cisco-sep/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 00112233AABB
X-Prov-Result: allow
--- no_error_log
prov: access forbidden



=== TEST 2: a value the pattern does not match
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN "^SEP(?<id>[0-9A-F]{12})$";')
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): CN "000e08abcdef" does not match the pattern, serial 1001



=== TEST 3: no named capture: the first one
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN "SEP([0-9A-F]{12})";')
--- request
GET /as/cisco-sep/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 00112233AABB
X-Prov-Result: allow



=== TEST 4: the capture named "id" wins over the first one
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN "(SEP)(?<id>[0-9A-F]{12})";')
--- request
GET /as/cisco-sep/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 00112233AABB
X-Prov-Result: allow



=== TEST 5: the pattern must match the whole value, not a part of it
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN "([0-9A-F]{12})";')
--- request
GET /as/cisco-sep/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): CN "SEP00112233AABB" does not match the pattern, serial 1073



=== TEST 6: ... nor a prefix of it
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN "SEP([0-9A-F]{6})";')
--- request
GET /as/cisco-sep/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): CN "SEP00112233AABB" does not match the pattern, serial 1073



=== TEST 7: inline flags: (?i)
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN "(?i)sep(?<id>[0-9a-f]{12})";')
--- request
GET /as/cisco-sep/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 00112233AABB



=== TEST 8: any attribute: part of L (the serial number of SPA devices)
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id L "88012BA0(?<id>[0-9]{4})";')
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/dev-b/profile.cfg"]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
["X-Prov-Id: 1001\nX-Prov-Result: allow", "X-Prov-Id: 1002\nX-Prov-Result: allow"]



=== TEST 9: an empty capture is no id
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST "000e08abcdef(.*)";')
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id:
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): ST "000e08abcdef" does not match the pattern, serial 1001



=== TEST 10: a pattern that lets anything through still refuses a "/"
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id OU "SPA-962(.*)";')
--- request
GET /as/ou-slash-nost/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): OU "SPA-962/ST=000e08abcdf0" contains a forbidden character, serial 1012



=== TEST 11: ... and ".."
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST "(.*)";')
--- request
GET /as/dotdot-only/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): ST ".." contains a forbidden character, serial 1032



=== TEST 12: no second argument: the value is the id, verbatim
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST;')
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/mac-upper-colon/profile.cfg",
    "GET /as/mac-space/profile.cfg",
    "GET /as/generic/profile.cfg",
]
--- response_body eval
[($ProvTest::PROFILE) x 4]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Prov-Id: 00:0E:08:AB:CD:55\nX-Prov-Result: allow",
    "X-Prov-Id: 00 0e 08 ab cd 68\nX-Prov-Result: allow",
    "X-Prov-Id: ciscogeneric\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 13: the value is the id: still no "/", NUL or control character
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST;')
--- request
GET /as/dotdot/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): ST "../000e08abcdf0" contains a forbidden character, serial 1030



=== TEST 14: the value is the id: NUL
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST;')
--- request
GET /as/nul/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): ST "000e08abcdf0\x00x" contains a forbidden character, serial 1035



=== TEST 15: serialNumber, emailAddress, UID, a private OID
--- http_config eval
ProvTest::backend(
    extra => '
        location /sn/ { prov on; prov_id serialNumber; alias html/; }
        location /mail/ { prov on; prov_id emailAddress; alias html/; }
        location /uid/ { prov on; prov_id UID; alias html/; }
        location /oid/ { prov on; prov_id 1.3.6.1.4.1.55555.1; alias html/; }
    ',
)
--- request eval
[
    "GET /as/full/sn/profile.cfg",
    "GET /as/full/mail/profile.cfg",
    "GET /as/full/uid/profile.cfg",
    "GET /as/full/oid/profile.cfg",
]
--- response_body eval
[($ProvTest::PROFILE) x 4]
--- response_headers eval
[
    "X-Prov-Id: FCH2080A0B0\nX-Prov-Result: allow",
    "X-Prov-Id: dev80\@example.com\nX-Prov-Result: allow",
    "X-Prov-Id: uid-0080\nX-Prov-Result: allow",
    "X-Prov-Id: custom-0080\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 16: a missing attribute is named by its short name
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id serialNumber;')
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): serialNumber missing, serial 1001



=== TEST 17: ... an OID OpenSSL has no name for by the OID
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id 1.3.6.1.4.1.55555.1;')
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): 1.3.6.1.4.1.55555.1 missing, serial 1001



=== TEST 18: DC twice
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id DC;')
--- request
GET /as/full/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): DC present 2 times, serial 1080
