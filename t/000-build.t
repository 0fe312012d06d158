# The module loads into nginx, its directives and variables exist, and a
# plain-HTTP request through the gate is refused.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

no_shuffle();
run_tests();

__DATA__

=== TEST 1: the module loads; its variables exist
--- http_config
    prov off;
--- config
    location = /t {
        return 200 "[$prov_result][$prov_id][$prov_cert_st]\n";
    }
--- request
GET /t
--- response_body
[][][]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 2: all four directives are accepted in http, server and location
--- http_config
    prov off;
    prov_id ST mac;
    prov_generic ciscogeneric;
    prov_log_level error;
--- config
    prov off;
    prov_id CN mac;
    prov_generic ciscogeneric;
    prov_log_level warn;

    location = /t {
        prov off;
        prov_id ST mac;
        prov_generic ciscogeneric cisco.com;
        prov_log_level info;
        return 200 "[$prov_result][$prov_id]\n";
    }
--- request
GET /t
--- response_body
[no_cert][]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 3: a plain-HTTP request has no certificate: 403, one log line
--- config
    location /t {
        prov on;
        prov_id ST mac;
        add_header X-Prov-Result $prov_result always;
        root html;
    }
--- user_files eval
">>> t/profile.cfg\n$ProvTest::PROFILE"
--- request
GET /t/profile.cfg
--- error_code: 403
--- response_headers
X-Prov-Result: no_cert
--- response_body_like eval
$ProvTest::FORBIDDEN
--- error_log
prov: access forbidden (no_cert): no client certificate



=== TEST 4: prov off: the location is not gated
--- config
    location /t {
        prov off;
        prov_id ST mac;
        root html;
    }
--- user_files eval
">>> t/profile.cfg\n$ProvTest::PROFILE"
--- request
GET /t/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- no_error_log
prov: access forbidden
[alert]
