# nginx -t refuses bad configuration with a clear message; good spellings
# of the attribute are accepted.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

no_shuffle();
run_tests();

__DATA__

=== TEST 1: "prov on" without any prov_id
--- config
    location /t {
        prov on;
    }
--- request
GET /t
--- must_die
--- error_log
"prov" requires "prov_id"



=== TEST 2: "prov on" at http level, prov_id only in a location
--- http_config
    prov on;
--- config
    location /t {
        prov_id ST mac;
    }
--- request
GET /t
--- must_die
--- error_log
"prov" requires "prov_id"



=== TEST 3: unknown attribute
--- config
    location /t {
        prov_id XYZ mac;
    }
--- request
GET /t
--- must_die
--- error_log
unknown certificate attribute "XYZ"



=== TEST 4: an OID-looking name that is no OID
--- config
    location /t {
        prov_id 2.5.x.8;
    }
--- request
GET /t
--- must_die
--- error_log
unknown certificate attribute "2.5.x.8"



=== TEST 5: bad regex
--- config
    location /t {
        prov_id CN "^SEP(?<id>[0-9A-F]{12}$";
    }
--- request
GET /t
--- must_die
--- error_log eval
qr/pcre2?_compile\(\) failed/



=== TEST 6: regex without a capture
--- config
    location /t {
        prov_id CN "SEP[0-9A-F]{12}";
    }
--- request
GET /t
--- must_die
--- error_log
regex "SEP[0-9A-F]{12}" has no capture



=== TEST 7: regex with only a non-capturing group
--- config
    location /t {
        prov_id CN "(?:SEP)[0-9A-F]{12}";
    }
--- request
GET /t
--- must_die
--- error_log
has no capture



=== TEST 8: empty prov_generic
--- config
    location /t {
        prov_generic "";
    }
--- request
GET /t
--- must_die
--- error_log
empty value in "prov_generic"



=== TEST 9: empty prov_generic after a good one
--- config
    location /t {
        prov_generic ciscogeneric "";
    }
--- request
GET /t
--- must_die
--- error_log
empty value in "prov_generic"



=== TEST 10: prov_log_level takes info, notice, warn, error only
--- config
    location /t {
        prov_log_level debug;
    }
--- request
GET /t
--- must_die
--- error_log
invalid value "debug"



=== TEST 11: prov takes on or off
--- config
    location /t {
        prov yes;
    }
--- request
GET /t
--- must_die
--- error_log
invalid value "yes" in "prov" directive



=== TEST 12: prov_id takes an attribute, a form and an issuer file at most
--- config
    location /t {
        prov_id ST mac issuer=/dev/null extra;
    }
--- request
GET /t
--- must_die
--- error_log
invalid number of arguments in "prov_id" directive



=== TEST 13: prov_id twice in one place: the second is never reached
Without "issuer=" the first reads every certificate.
--- config
    location /t {
        prov_id ST mac;
        prov_id CN mac;
    }
--- request
GET /t
--- must_die
--- error_log
"prov_id" can never be reached: the "prov_id ST" before it has no "issuer=" and reads every certificate



=== TEST 14: not in the main context
--- main_config
    prov on;
--- config
    location /t {
    }
--- request
GET /t
--- must_die
--- error_log
"prov" directive is not allowed here



=== TEST 15: every spelling of the attribute is accepted
--- http_config
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/a.sock;
        location /st { prov_id ST mac; }
        location /st-lower { prov_id st mac; }
        location /s { prov_id S mac; }
        location /long { prov_id stateOrProvinceName mac; }
        location /oid { prov_id 2.5.4.8 mac; }
        location /oid-unknown { prov_id 1.3.6.1.4.1.55555.1; }
        location /serial { prov_id serialNumber; }
        location /email { prov_id emailAddress; }
        location /uid { prov_id UID; }
        location /dc { prov_id DC; }
        location /cn { prov_id CN "^SEP(?<id>[0-9A-F]{12})$"; }
        location /cn1 { prov_id CN "SEP([0-9A-F]{12})"; }
    }
--- config
    location = /t {
        return 200 "ok\n";
    }
--- request
GET /t
--- response_body
ok
--- no_error_log
[emerg]
[alert]



=== TEST 16: prov_profile under alias, the alias given after it
Issue 13, item 4: it passed nginx -t, then every device got 500.
--- config
    location /p/ {
        prov on;
        prov_id ST mac;
        prov_profile /devices/$prov_id.cfg /default.cfg;
        alias html/;
    }
--- request
GET /t
--- must_die
--- error_log eval
qr{"prov_profile" \(\S+/nginx\.conf:\d+\) tests files under "root", but location "/p/" has "alias"}



=== TEST 17: prov_profile inherited from the server into an alias location, and =code
--- config
    prov on;
    prov_id ST mac;
    prov_profile /devices/$prov_id.cfg =404;

    location ~ ^/rx/(.*)$ {
        alias html/$1;
    }
--- request
GET /t
--- must_die
--- error_log eval
qr{tests files under "root", but location "\^/rx/\(\.\*\)\$" has "alias"}



=== TEST 18: under alias, a lone fallback (no file is tested) is allowed
--- config
    location /p/ {
        prov on;
        prov_id ST mac;
        prov_profile @render;
        alias html/;
    }

    location @render {
        return 200 "rendered\n";
    }

    location = /t {
        return 200 "ok\n";
    }
--- request
GET /t
--- response_body
ok
--- no_error_log
[emerg]
