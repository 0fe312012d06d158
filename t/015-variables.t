# $prov_id, $prov_result and $prov_cert_<attr>: from the X.509 structure of
# a verified certificate only, UTF-8; empty when absent, repeated, holding
# a NUL, or when the certificate is missing or unverified.  $prov_id and
# $prov_result reuse the gate's outcome where it ran (also after internal
# redirects), else evaluate the location's prov_id lazily.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

our $Vars = <<'_EOC_';
        location = /vars {
            return 200 "c=$prov_cert_c st=$prov_cert_st s=$prov_cert_s l=$prov_cert_l o=$prov_cert_o ou=$prov_cert_ou cn=$prov_cert_cn\nserialNumber=$prov_cert_serialNumber uid=$prov_cert_uid email=$prov_cert_emailaddress title=$prov_cert_title dc=$prov_cert_dc\npen=$prov_cert_1_3_6_1_4_1_55555_1 2.5.4.11=$prov_cert_2_5_4_11 ST=$prov_cert_ST foo=$prov_cert_foo\n";
        }
_EOC_

ProvTest::defaults(
    http_config => ProvTest::backend(verify => 'optional_no_ca', extra => $Vars),
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: every attribute of a full subject, by name (any case) or OID
--- request
GET /as/full/vars
--- response_body
c=US st=000e08abcd80 s=000e08abcd80 l=88012BA01080 o=Cisco Systems, Inc. ou=CP-8841-3PCC cn=000e08abcd80
serialNumber=FCH2080A0B0 uid=uid-0080 email=dev80@example.com title=Lobby phone dc=
pen=custom-0080 2.5.4.11=CP-8841-3PCC ST=000e08abcd80 foo=
--- no_error_log
[error]



=== TEST 2: BMPString subject: UTF-8 values
--- request
GET /as/bmp/vars
--- response_body
c=US st=000e08abcd40 s=000e08abcd40 l=88012BA01040 o=Téléphonie Ωmega ou=SPA-962 cn=000e08abcd40
serialNumber= uid= email= title= dc=
pen= 2.5.4.11=SPA-962 ST=000e08abcd40 foo=



=== TEST 3: UniversalString ST, UTF8String O
--- request eval
["GET /as/univ/vars", "GET /as/utf8/vars"]
--- response_body_like eval
["^c=US st=000e08abcd41 s=000e08abcd41 l=88012BA01041 o=Cisco Systems, Inc. ou=SPA-962 cn=dev1041\n",
 "^c=US st=000e08abcd43 s=000e08abcd43 l=88012BA01043 o=Téléphonie Ωmega ou=SPA-962 cn=dev1043\n"]



=== TEST 4: multi-valued RDN members are attributes like any other
--- request
GET /as/multi-rdn/vars
--- response_body_like eval
"^c=US st=000e08abcd21 s=000e08abcd21 l=88012BA01021 o=Cisco Systems, Inc. ou=SPA-962 cn=000e08abcd21\n"



=== TEST 5: present twice: empty (also inside one multi-valued RDN)
--- request eval
["GET /as/two-st/vars", "GET /as/multi-rdn-dup/vars"]
--- response_body_like eval
["^c=US st= s= l=88012BA01020 o=Cisco Systems, Inc. ou=SPA-962 cn=000e08abcd20\n",
 "^c=US st= s= l=88012BA01022 o=Cisco Systems, Inc. ou=SPA-962 cn=000e08abcd22\n"]



=== TEST 6: a value holding a NUL: empty
--- request
GET /as/nul/vars
--- response_body_like eval
"^c=US st= s= l=88012BA01035 o=Cisco Systems, Inc. ou=SPA-962 cn=dev1035\n"



=== TEST 7: the leaf's subject, not the intermediate CA's
--- request
GET /as/chain-c/vars
--- response_body_like eval
"^c=US st=000e08abcdc1 s=000e08abcdc1 l=88012BA02001 o=Cisco Systems, Inc. ou=SPA-962 cn=000e08abcdc1\n"



=== TEST 8: unverified certificates (optional_no_ca), no certificate, no TLS: all empty
--- request eval
[
    "GET /as/rogue-a/vars",
    "GET /as/selfsigned-a/vars",
    "GET /as/none/vars",
    "GET /plain/vars",
]
--- response_body eval
[("c= st= s= l= o= ou= cn=\nserialNumber= uid= email= title= dc=\npen= 2.5.4.11= ST= foo=\n") x 4]
--- response_headers eval
[
    "X-Verify: FAILED:unable to verify the first certificate",
    "X-Verify: FAILED:self-signed certificate",
    "X-Verify: NONE",
    "X-Verify: ",
]



=== TEST 9: no gate, no prov_id: $prov_id and $prov_result are empty
--- http_config eval
ProvTest::backend(
    verify => 'optional_no_ca',
    extra => 'location = /r { return 200 "[$prov_result][$prov_id]\n"; }',
)
--- request eval
["GET /as/dev-a/r", "GET /as/none/r"]
--- response_body eval
["[][]\n", "[][]\n"]



=== TEST 10: no gate, prov_id: evaluated lazily, nothing logged
--- http_config eval
ProvTest::backend(
    verify => 'optional_no_ca',
    server => 'prov_id ST mac; prov_generic ciscogeneric;',
    extra => 'location = /r { return 200 "[$prov_result][$prov_id]\n"; }',
)
--- request eval
[
    "GET /as/dev-a/r",
    "GET /as/two-st/r",
    "GET /as/generic/r",
    "GET /as/rogue-a/r",
    "GET /as/none/r",
    "GET /plain/r",
]
--- response_body eval
[
    "[allow][000e08abcdef]\n",
    "[bad_id][]\n",
    "[generic][]\n",
    "[unverified][]\n",
    "[no_cert][]\n",
    "[no_cert][]\n",
]
--- no_error_log
prov: access forbidden



=== TEST 11: a location's own prov_id is the one evaluated
--- http_config eval
ProvTest::backend(
    verify => 'optional_no_ca',
    server => 'prov_id ST mac;',
    extra => 'location = /r { prov_id CN mac; return 200 "[$prov_result][$prov_id]\n"; }',
)
--- request eval
["GET /as/polycom/r", "GET /as/cisco-sep/r"]
--- response_body eval
["[allow][0004f2abcdef]\n", "[bad_id][]\n"]



=== TEST 12: per-device profiles by $prov_id (try_files runs after the gate)
--- http_config eval
ProvTest::backend(
    verify => 'optional_no_ca',
    server => 'prov_id ST mac; prov_generic ciscogeneric;',
    extra => 'location /p/ { prov on; try_files /devices/$prov_id.cfg =404; }',
)
--- request eval
[
    "GET /as/dev-a/p/",
    "GET /as/dev-b/p/",
    "GET /as/ou-inject/p/",
    "GET /as/generic/p/",
    "GET /as/dotdot/p/",
]
--- error_code eval
[200, 200, 404, 403, 403]
--- response_body_like eval
[
    "\\Aprofile of 000e08abcdef\n\\z",
    "\\Aprofile of 000e08abcdf0\n\\z",
    "404 Not Found",
    $ProvTest::FORBIDDEN,
    $ProvTest::FORBIDDEN,
]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef",
    "X-Prov-Id: 000e08abcdf0",
    "X-Prov-Id: 000e08abcd10",
    "X-Prov-Id: \nX-Prov-Result: generic",
    "X-Prov-Id: \nX-Prov-Result: bad_id",
]



=== TEST 13: the gate's outcome survives an internal redirect, even to a location with another prov_id
--- http_config eval
ProvTest::backend(
    verify => 'optional_no_ca',
    server => 'prov_id ST mac; prov_generic ciscogeneric;',
    extra => '
        location /g/ { prov on; error_page 403 = /why; alias html/; }
        location = /why { prov_id CN; return 200 "why=[$prov_result][$prov_id]\n"; }
    ',
)
--- request eval
["GET /as/generic/g/profile.cfg", "GET /as/two-st/g/profile.cfg", "GET /as/dev-a/g/profile.cfg"]
--- response_body eval
["why=[generic][]\n", "why=[bad_id][]\n", $ProvTest::PROFILE]



=== TEST 14: control characters from a certificate never reach a header raw
An OU "SPA-962<CR><LF>X-Account: 9999" would add a header of its own to
the request a renderer gets and to the response; like $ssl_client_s_dn,
the variables escape control characters and "\" as \XX and \\.
--- http_config eval
ProvTest::backend(verify => 'on', http => '
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/echo.sock;

        location / {
            return 200 "model=$http_x_device_model serial=$http_x_device_serial account=$http_x_account\n";
        }
    }
', extra => $main::Vars . '
        location = /render {
            proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/html/echo.sock;
            proxy_set_header X-Device-Model $prov_cert_ou;
            proxy_set_header X-Device-Serial $prov_cert_l;
            add_header X-Model $prov_cert_ou always;
        }
')
--- request eval
["GET /as/ou-crlf/render", "GET /as/ou-crlf/vars"]
--- response_body eval
[
    "model=SPA-962\\0D\\0AX-Account: 9999 serial=88012BA01046\\09\\7F\\\\ account=\n",
    "c=US st=000e08abcd46 s=000e08abcd46 l=88012BA01046\\09\\7F\\\\ o=Cisco Systems, Inc. ou=SPA-962\\0D\\0AX-Account: 9999 cn=dev1046\n"
    . "serialNumber= uid= email= title= dc=\n"
    . "pen= 2.5.4.11=SPA-962\\0D\\0AX-Account: 9999 ST=000e08abcd46 foo=\n",
]
--- response_headers eval
["X-Model: SPA-962\\0D\\0AX-Account: 9999\nX-Account:", ""]
