# prov_id <attr> mac: 12 hex digits, any case, bare or in groups of 2, 4
# or 6 joined by one separator (":" "-" ".") used throughout; the id is
# the lowercase digits.  The attribute by short name, alias S, long name
# or OID; log lines name it by its OpenSSL short name.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

ProvTest::defaults(
    http_config => ProvTest::backend(
        verify => 'on',
        server => 'prov on; prov_id ST mac;',
    ),
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

# serial => ST of the certificates whose ST is not a MAC address
our %NotMac = (
    1061 => '00:0e-08:ab:cd:61',
    1062 => '000:e08:abc:d62',
    1063 => '000e08abcd',
    1064 => '000e08abcd640',
    1065 => '000e08abcdxg',
    1066 => '00:0e:08:ab:cd:66:',
    1067 => '00:0e:08:ab:cd67',
    1068 => '00 0e 08 ab cd 68',
);

# one of the exact lines for these certificates
our $NotMacLine = join '|', map {
    quotemeta(qq{prov: access forbidden (bad_id): ST "$NotMac{$_}" is not a MAC address, serial $_,})
} sort keys %NotMac;

no_shuffle();
run_tests();

__DATA__

=== TEST 1: every accepted way of writing a MAC gives the same canonical id
--- request eval
[
    "GET /as/mac-colon/profile.cfg",
    "GET /as/mac-dash/profile.cfg",
    "GET /as/mac-dot/profile.cfg",
    "GET /as/mac-upper/profile.cfg",
    "GET /as/mac-upper-colon/profile.cfg",
    "GET /as/mac-six/profile.cfg",
    "GET /as/mac-dash4/profile.cfg",
    "GET /as/mac-upper-dot/profile.cfg",
]
--- error_code eval
[(200) x 8]
--- response_body eval
[($ProvTest::PROFILE) x 8]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcd51\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd52\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd53\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd54\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd55\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd56\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd57\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd58\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 2: not MACs: mixed separators, groups of 3, 10 and 13 digits, non-hex, trailing separator, uneven groups, spaces
--- request eval
[
    "GET /as/mac-mixed/profile.cfg",
    "GET /as/mac-group3/profile.cfg",
    "GET /as/mac-short/profile.cfg",
    "GET /as/mac-long/profile.cfg",
    "GET /as/mac-nonhex/profile.cfg",
    "GET /as/mac-trailing/profile.cfg",
    "GET /as/mac-uneven/profile.cfg",
    "GET /as/mac-space/profile.cfg",
]
--- error_code eval
[(403) x 8]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 8]
--- response_headers eval
[map { "X-Prov-Id: \nX-Prov-Result: bad_id\nX-Serial: $_" } sort keys %main::NotMac]
--- error_log eval
qr/$main::NotMacLine/



=== TEST 3: a mixed-separator MAC, exactly
--- request
GET /as/mac-mixed/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): ST "00:0e-08:ab:cd:61" is not a MAC address, serial 1061



=== TEST 4: the MAC in CN (Polycom, Yealink shaped; Cisco SPA's CN too)
--- http_config eval
ProvTest::backend(verify => 'on', server => 'prov on; prov_id CN mac;')
--- request eval
[
    "GET /as/polycom/profile.cfg",
    "GET /as/yealink/profile.cfg",
    "GET /as/dev-a/profile.cfg",
]
--- error_code eval
[200, 200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 3]
--- response_headers eval
[
    "X-Prov-Id: 0004f2abcdef\nX-Prov-Result: allow",
    "X-Prov-Id: 001565abcdef\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 5: a Cisco phone's CN "SEP<MAC>" is not a MAC
--- http_config eval
ProvTest::backend(verify => 'on', server => 'prov on; prov_id CN mac;')
--- request
GET /as/cisco-sep/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Result: bad_id
--- error_log
prov: access forbidden (bad_id): CN "SEP00112233AABB" is not a MAC address, serial 1073



=== TEST 6: CN mac: a device whose CN is no MAC (its MAC is in ST only)
--- http_config eval
ProvTest::backend(verify => 'on', server => 'prov on; prov_id CN mac;')
--- request
GET /as/nul/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): CN "dev1035" is not a MAC address, serial 1035



=== TEST 7: "S" (Cisco's name for it), "st", the long name and the OID all mean ST
--- http_config eval
ProvTest::backend(
    verify => 'on',
    extra => '
        location /s/ { prov on; prov_id S mac; alias html/; }
        location /st/ { prov on; prov_id st mac; alias html/; }
        location /long/ { prov on; prov_id stateOrProvinceName mac; alias html/; }
        location /oid/ { prov on; prov_id 2.5.4.8 mac; alias html/; }
    ',
)
--- request eval
[
    "GET /as/dev-a/s/profile.cfg",
    "GET /as/dev-a/st/profile.cfg",
    "GET /as/dev-a/long/profile.cfg",
    "GET /as/dev-a/oid/profile.cfg",
]
--- error_code eval
[200, 200, 200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 4]
--- response_headers eval
[("X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow") x 4]
--- no_error_log
prov: access forbidden



=== TEST 8: configured as "S", logged as "ST"
--- http_config eval
ProvTest::backend(verify => 'on', server => 'prov on; prov_id S mac;')
--- request
GET /as/two-st/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): ST present 2 times, serial 1020



=== TEST 9: configured as the OID, logged as "ST"
--- http_config eval
ProvTest::backend(verify => 'on', server => 'prov on; prov_id 2.5.4.8 mac;')
--- request
GET /as/mac-nonhex/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (bad_id): ST "000e08abcdxg" is not a MAC address, serial 1065
