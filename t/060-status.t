# prov_status: counters by result, shared by all workers (a shared zone),
# and the access lists' figures, as JSON and as Prometheus text.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

our $Front = ProvTest::front(extra => <<'_EOC_');
        location = /status {
            prov_status;
            allow 127.0.0.1;
            deny all;
        }
_EOC_

ProvTest::defaults(
    config => $Front,
    user_files => ProvTest::profiles() . <<'_EOC_',
>>> acl
000e08abcdef allow
000e08abcdf0 deny
_EOC_
    http_config => ProvTest::backend(
        verify => 'optional',
        server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;'
                . ' prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;',
    ),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a fresh server counts nothing; the list's figures are there
--- request
GET /status
--- response_headers
Content-Type: application/json
--- response_body_like chomp
\A\{"requests":\{"allow":0,"no_cert":0,"unverified":0,"bad_id":0,"generic":0,"not_listed":0,"denied":0,"pin_mismatch":0,"uri_mismatch":0,"unknown_issuer":0,"ua_mismatch":0,"total":0\},"acls":\[\{"file":"[^"]*/html/acl","devices":2,"load_ms":\d+\}\]\}\n\z



=== TEST 2: each request counted once, by result
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/none/profile.cfg",
    "GET /as/generic/profile.cfg",
    "GET /as/dotdot/profile.cfg",
    "GET /as/multi-rdn/profile.cfg",
    "GET /status",
]
--- error_code eval
[200, 200, 403, 403, 403, 403, 403, 200]
--- response_body_like eval
[
    ("." x 1) x 7,
    qr/\A\{"requests":\{"allow":2,"no_cert":1,"unverified":0,"bad_id":1,"generic":1,"not_listed":1,"denied":1,"pin_mismatch":0,"uri_mismatch":0,"unknown_issuer":0,"ua_mismatch":0,"total":7\},/,
]



=== TEST 3: Prometheus text with ?format=prometheus
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/none/profile.cfg",
    "GET /status?format=prometheus",
]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
[
    ".", ".",
    qr{\A# HELP nginx_prov_requests_total [^\n]+\n# TYPE nginx_prov_requests_total counter\nnginx_prov_requests_total\{result="allow"\} 1\nnginx_prov_requests_total\{result="no_cert"\} 1\nnginx_prov_requests_total\{result="unverified"\} 0\n(?:nginx_prov_requests_total\{result="[a-z_]+"\} 0\n){8}# HELP nginx_prov_acl_devices [^\n]+\n# TYPE nginx_prov_acl_devices gauge\nnginx_prov_acl_devices\{file="[^"]*/html/acl"\} 2\n# HELP nginx_prov_acl_load_seconds [^\n]+\n# TYPE nginx_prov_acl_load_seconds gauge\nnginx_prov_acl_load_seconds\{file="[^"]*/html/acl"\} \d+\.\d{3}\n\z},
]



=== TEST 4: an internal redirect does not count the request twice
--- http_config eval
ProvTest::backend(
    verify => 'optional',
    server => 'prov on; prov_id ST mac;',
    location => 'prov_profile /devices/$prov_id.cfg =404;',
    extra => 'location /devices/ { internal; }',
)
--- request eval
[
    "GET /as/dev-a/anything.cfg",
    "GET /status",
]
--- error_code eval
[200, 200]
--- response_body_like eval
[
    ".",
    qr/"allow":1,.*"total":1\}/,
]



=== TEST 5: only GET and HEAD
--- request
POST /status
--- error_code: 405



=== TEST 6: protected as stub_status is, with allow/deny
--- config eval
$::Front =~ s/allow 127.0.0.1;/deny 127.0.0.1;/r
--- request
GET /status
--- error_code: 403



=== TEST 7: where the gate is on, prov_status is gated too: use "prov off"
A request is counted when it ends (its log phase), with its final
outcome: the status page does not count itself.
--- http_config eval
ProvTest::backend(
    verify => 'optional',
    server => 'prov on; prov_id ST mac;',
    extra => 'location = /status { prov_status; }',
)
--- request eval
[
    "GET /as/none/status",
    "GET /as/dev-a/status",
    "GET /as/dev-a/status",
]
--- error_code eval
[403, 200, 200]
--- response_body_like eval
[
    ".",
    qr/"allow":0,"no_cert":1,/,
    qr/"allow":1,"no_cert":1,/,
]



=== TEST 8: takes no arguments
--- config
    location = /s {
        prov_status on;
    }
--- must_die
--- error_log eval
qr/invalid number of arguments in "prov_status" directive/



=== TEST 9: a location directive, as stub_status
--- config
    prov_status;
--- must_die
--- error_log eval
qr/"prov_status" directive is not allowed here/
