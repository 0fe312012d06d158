# What operators add to a provisioning server later, against the server
# shape of the README and the examples: the gate, prov_uri_id (the MAC
# recipe, $ProvTest::URI_ID_MAC) and prov_profile set at server level, the
# profile folders "location ^~ ... { }" (gated, not internal).  A regex
# location (which nginx prefers to every prefix location but a "^~" one),
# a rewrite (which makes a request internal, so "internal" locations take
# it), error_page into a named location or a URI, try_files, proxy_pass and
# alias: with
# each, dev-a still gets its own profile and never a byte of dev-b's
# (secret-000e08abcdf0).  Then what the recipe refuses and what it lets
# through: MACs in every spelling, and the names that look like one.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly page);

our $A = '000e08abcdef';    # dev-a, serial 1001
our $B = '000e08abcdf0';    # dev-b, serial 1002

our $FORBIDDEN = '(?s)\A(?!.*secret-' . $B . ')' . $ProvTest::FORBIDDEN;
our $OWN = exactly(dev_profile($A));

our $PROFILE = $ProvTest::SHAPE_PROFILE;

# the recommended server shape
*backend = \&ProvTest::shape_backend;

# the regex location an operator adds for a header on every profile
our $REGEX_LOCATION = '
        location ~* \.(cfg|xml)$ {
            add_header Cache-Control no-store;
        }
';

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::raw_front(),
    user_files => ProvTest::profile_files(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a regex location added: it serves dev-a its own profile, never dev-b's file
--- http_config eval
main::backend(extra => $main::REGEX_LOCATION)
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/spa962_000e08abcdef.xml",
    "GET /as/dev-a/devices/000e08abcdf0.cfg",
    "GET /as/dev-a/devices/000E08ABCDF0.cfg",
    "GET /raw?d=dev-a&p=/devices/../devices/000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=//devices/000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/%64evices/000e08abcdf0.cfg",
    "GET /as/dev-a/devices/000e08abcdef.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_00:0E:08:AB:CD:F0.xml",
]
--- error_code eval
[200, 200, (403) x 5, 200, 403, 403]
--- response_body_like eval
[$main::OWN, $main::OWN, ($main::FORBIDDEN) x 5, $main::OWN, ($main::FORBIDDEN) x 2]
--- response_headers eval
[
    ("Cache-Control: no-store") x 2,
]



=== TEST 2: a regex location and folders without "^~": the server's prov_uri_id still holds
The regex location takes /devices/...: the URI check refuses a URI naming
dev-b (and prov_profile serves any other its own profile: TEST 2b).
--- http_config eval
main::backend(
    folders => ProvTest::internal('/devices/', '/models/', '= /default.cfg'),
    extra => $main::REGEX_LOCATION,
)
--- request eval
[
    "GET /as/dev-a/devices/000e08abcdf0.cfg",
    "GET /as/dev-a/devices/000E08ABCDF0.cfg",
    "GET /as/dev-a/devices/00:0e:08:ab:cd:f0.cfg",
    "GET /raw?d=dev-a&p=/devices/../devices/000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/devices/%30%30%30e08abcdf0.cfg",
]
--- error_code eval
[(403) x 5]
--- response_body_like eval
[($main::FORBIDDEN) x 5]
--- error_log eval
qr/\Qprov: access forbidden (uri_mismatch): device "000e08abcdef" asked for the profile of "\E(?:000e08abcdf0|000E08ABCDF0|00:0e:08:ab:cd:f0)", serial 1001,/



=== TEST 2b: a regex location and folders without "^~": any other URI, dev-a's own profile
--- http_config eval
main::backend(
    folders => ProvTest::internal('/devices/', '/models/', '= /default.cfg'),
    extra => $main::REGEX_LOCATION,
)
--- request eval
[
    "GET /as/dev-a/devices/000e08abcdef.cfg",
    "GET /as/dev-a/models/SPA-962.cfg",
]
--- error_code eval
[200, 200]
--- response_body_like eval
[($main::OWN) x 2]
--- response_headers eval
[("Cache-Control: no-store") x 2]



=== TEST 3: rewrites into the folders (last, break, at server level): refused when they name dev-b
--- http_config eval
main::backend(
    more => 'rewrite ^/provisioning/(.*)$ /$1 last;',
    extra => $main::REGEX_LOCATION . '
        location /old/ {
            rewrite ^/old/(.*)$ /devices/$1 last;
        }

        location ~ ^/r/ {
            rewrite ^/r/(.*)$ /devices/$1 break;
        }
',
)
--- request eval
[
    "GET /as/dev-a/provisioning/devices/000e08abcdf0.cfg",
    "GET /as/dev-a/provisioning/devices/00-0E-08-AB-CD-F0.cfg",
    "GET /as/dev-a/old/000e08abcdf0.cfg",
    "GET /as/dev-a/r/000e08abcdf0.cfg",
    "GET /as/dev-a/r/000e08abcdf0.bin",
    "GET /as/dev-a/provisioning/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/old/000e08abcdef.cfg",
    "GET /as/dev-a/r/000e08abcdef.cfg",
]
--- error_code eval
[(403) x 5, (200) x 3]
--- response_body_like eval
[($main::FORBIDDEN) x 5, ($main::OWN) x 3]



=== TEST 4: error_page into a named location with try_files, and into a URI
Without a server-level prov_profile (a location of its own has it): the
URI try_files picks is checked at the end of the precontent phase, the
error_page's target URI in its access phase.
--- http_config eval
main::backend(
    profile => '',
    location => $main::PROFILE,
    extra => '
        location /old/ {
            error_page 404 = @old;
            return 404;
        }

        location @old {
            try_files /devices/$arg_mac.cfg =404;
        }

        location /missing/ {
            error_page 404 = /devices/$arg_mac.cfg;
            return 404;
        }
',
)
--- request eval
[
    "GET /as/dev-a/old/x?mac=000e08abcdf0",
    "GET /as/dev-a/missing/x?mac=000e08abcdf0",
    "GET /as/dev-a/old/x?mac=000e08abcdef",
    "GET /as/dev-a/missing/x?mac=000e08abcdef",
]
--- error_code eval
[403, 403, 200, 200]
--- response_body_like eval
[($main::FORBIDDEN) x 2, ($main::OWN) x 2]



=== TEST 5: proxy_pass to a backend that reads the device from the URI
--- http_config eval
main::backend(
    profile => '',
    location => $main::PROFILE,
    http => '
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/echo.sock;
        location / {
            return 200 "rendered $uri\n";
        }
    }
',
    extra => '
        location /render/ {
            proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/html/echo.sock;
        }
',
)
--- request eval
[
    "GET /as/dev-a/render/000e08abcdf0",
    "GET /as/dev-a/render/000e08abcdef/000e08abcdf0",
    "GET /as/dev-a/render/000e08abcdef",
]
--- error_code eval
[403, 403, 200]
--- response_body_like eval
[($main::FORBIDDEN) x 2, "\\Arendered /render/000e08abcdef\n\\z"]



=== TEST 6: alias with a capture, after dev-a's own MAC: every MAC the URI holds counts
--- http_config eval
main::backend(
    profile => '',
    location => $main::PROFILE,
    extra => '
        location ~ "^/by-device/[^/]+/(?<file>[^/]+)$" {
            alias $TEST_NGINX_SERVER_ROOT/html/devices/$file;
        }
',
)
--- request eval
[
    "GET /as/dev-a/by-device/000e08abcdef/000e08abcdf0.cfg",
    "GET /as/dev-a/by-device/000e08abcdef/000e08abcdef.cfg",
]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, $main::OWN]



=== TEST 7: the recipe refuses another MAC in every spelling, anywhere
--- request eval
[
    "GET /as/dev-a/x/000e08abcdf0",
    "GET /as/dev-a/000E08ABCDF0.cfg",
    "GET /as/dev-a/a_00:0e:08:ab:cd:f0_b",
    "GET /as/dev-a/00-0e-08-ab-cd-f0",
    "GET /as/dev-a/000e.08ab.cdf0/x.cfg",
    "GET /as/dev-a/000E08-ABCDF0.cfg",
    "GET /as/dev-a/spa962_000e08abcdef_000e08abcdf0.cfg",
    "GET /as/dev-a/000e08abcdef/000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_00:0e-08:ab:cd:ef.cfg",
]
--- error_code eval
[(403) x 9]
--- response_body_like eval
[($main::FORBIDDEN) x 9]
--- response_headers eval
[("X-Prov-Result: uri_mismatch") x 9]



=== TEST 8: the recipe lets through dev-a's own MAC in every spelling, and names that are no MAC
A run of 11 or 13 hex digits (a hash, a version) is no MAC; nor are model
names and dates.
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/spa962_000E08ABCDEF.cfg",
    "GET /as/dev-a/spa962_00:0e:08:ab:cd:ef.cfg",
    "GET /as/dev-a/SPA962_00-0E-08-AB-CD-EF.xml",
    "GET /as/dev-a/cfg/000e.08ab.cdef/x.cfg",
    "GET /as/dev-a/000e08-abcdef.cfg",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-a/CP-8841-3PCC.cfg",
    "GET /as/dev-a/SPA-962.cfg",
    "GET /as/dev-a/fw/3f2a9c0d1e4b5a6978877665544332211aabbccddeeff00112233445566778899.bin",
    "GET /as/dev-a/f/0123456789abc.cfg",
    "GET /as/dev-a/f/0123456789a.cfg",
    "GET /as/dev-a/2024-01-01.cfg",
]
--- error_code eval
[(200) x 13]
--- response_body_like eval
[($main::OWN) x 13]
--- no_error_log
prov: access forbidden



=== TEST 9: what the recipe takes for a MAC that is none: 12 hex digits between non-hex characters
A name with exactly 12 hex digits (a timestamp, a Yealink model file) is
read as a device: 403.  The Polycom/Yealink variant (examples/cn-mac-vendor.conf)
leaves out OUI 00:00:00 (TEST 10).
--- request eval
[
    "GET /as/dev-a/backup/202401011200.cfg",
    "GET /as/dev-a/y000000000028.cfg",
    "GET /as/dev-a/000000000000.cfg",
]
--- error_code eval
[(403) x 3]
--- response_headers eval
[("X-Prov-Result: uri_mismatch") x 3]



=== TEST 10: the variant without OUI 00:00:00: the shared Polycom and Yealink files pass
--- http_config eval
main::backend(
    uri_id => 'prov_uri_id off;',
    extra => '
        location /vendor/ {
            prov_uri_id "(?i)(?<![0-9a-f])(?!000000)(?<id>[0-9a-f]{12}|[0-9a-f]{2}(?:[:.-][0-9a-f]{2}){5}|[0-9a-f]{4}(?:[:.-][0-9a-f]{4}){2}|[0-9a-f]{6}[:.-][0-9a-f]{6})(?![0-9a-f])";
        }
',
)
--- request eval
[
    "GET /as/dev-a/vendor/000000000000.cfg",
    "GET /as/dev-a/vendor/y000000000028.cfg",
    "GET /as/dev-a/vendor/000000000000-directory.xml",
    "GET /as/dev-a/vendor/000e08abcdef-phone.cfg",
    "GET /as/dev-a/vendor/000e08abcdf0-phone.cfg",
    "GET /as/dev-a/vendor/y000000000028/000e08abcdf0.cfg",
]
--- error_code eval
[(200) x 4, 403, 403]
--- response_body_like eval
[($main::OWN) x 4, ($main::FORBIDDEN) x 2]
