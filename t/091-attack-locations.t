# Attacks on the shape the README and the examples recommend since issue
# 13 (gate, prov_uri_id and prov_profile at server level, folders behind
# "^~"), from a hostile review: alias locations added later.  TEST 1
# failed at c803504 (nginx -t refused it, and "prov off" was the only way
# out).
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly page);

our $A = '000e08abcdef';    # dev-a, serial 1001
our $B = '000e08abcdf0';    # dev-b, serial 1002

our $FORBIDDEN = '(?s)\A(?!.*secret-)' . $ProvTest::FORBIDDEN;
our $OWN = exactly(dev_profile($A));

# the recommended server shape
*backend = \&ProvTest::shape_backend;

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::raw_front(),
    user_files => ProvTest::profile_files(more => [
        ['firmware/fw.bin', "firmware\n"],
    ]),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: the recommended shape and a gated alias location with "prov_profile off"
With prov_profile at server level (the README's synopsis, every example),
a location with "alias" under the gate failed nginx -t and there was no
"prov_profile off": the only way to add an alias location was "prov off",
which drops prov_uri_id too.  Under "prov off", nginx's well-known alias
traversal ("location /fw" without the trailing slash: /fw../devices/...)
hands dev-b's profile to anyone, no certificate needed; under the gate,
prov_uri_id refuses it.  The gated alias locations serve their file to
allowed devices only, and refuse the traversal.
--- http_config eval
main::backend(
    verify => 'optional',
    extra => '
        location /fw/ {
            prov_profile off;
            alias $TEST_NGINX_SERVER_ROOT/html/firmware/;
        }

        location /fw2 {
            prov_profile off;
            alias $TEST_NGINX_SERVER_ROOT/html/firmware/;
        }
',
)
--- request eval
[
    "GET /as/dev-a/fw/fw.bin",
    "GET /as/none/fw/fw.bin",
    "GET /raw?d=dev-a&p=/fw2../devices/000e08abcdf0.cfg",
    "GET /raw?d=none&p=/fw2../devices/000e08abcdf0.cfg",
]
--- error_code eval
[200, 403, 403, 403]
--- response_body_like eval
["\\Afirmware\n\\z", ($main::FORBIDDEN) x 3]



=== TEST 2: without "prov_profile off", nginx -t names the way out
--- http_config eval
main::backend(
    extra => '
        location /fw/ {
            alias $TEST_NGINX_SERVER_ROOT/html/firmware/;
        }
',
)
--- request
GET /as/dev-a/fw/fw.bin
--- must_die
--- error_log
but location "/fw/" has "alias": use "root" there, or "prov_profile off;"



=== TEST 3: a gated alias location with "prov_profile off" serving Cisco's "/spa$MA.cfg"
Cisco's own examples name profiles spa$MA.cfg (and the ATA's ata$MA.cnf):
the MAC follows a hex letter, and the recommended prov_uri_id, which
wants no hex digit before the MAC (so that a hash is no device), read
/cfg/spa000e08abcdf0.cfg as a run of 13 hex digits, no device: in a
location whose only guard is prov_uri_id (alias, "prov_profile off"),
dev-a read dev-b's profile (200, result allow).  A MAC after a word's last
letter is read; a run of hex digits after a digit still names no device.
--- http_config eval
main::backend(
    extra => '
        location ^~ /cfg/ {
            prov_profile off;
            alias $TEST_NGINX_SERVER_ROOT/html/cfg/;
        }
',
)
--- user_files eval
ProvTest::profile_files(more => [
    ['cfg/spa000e08abcdef.cfg', ProvTest::dev_profile('000e08abcdef')],
    ['cfg/spa000e08abcdf0.cfg', ProvTest::dev_profile('000e08abcdf0')],
    ['cfg/SPA000E08ABCDF0.cfg', ProvTest::dev_profile('000e08abcdf0')],
    ['cfg/ata000e08abcdf0.cnf', ProvTest::dev_profile('000e08abcdf0')],
    ['cfg/1a000e08abcdf0.bin', "firmware\n"],
])
--- request eval
[
    "GET /as/dev-a/cfg/spa000e08abcdef.cfg",
    "GET /as/dev-a/cfg/spa000e08abcdf0.cfg",
    "GET /as/dev-a/cfg/SPA000E08ABCDF0.cfg",
    "GET /as/dev-a/cfg/ata000e08abcdf0.cnf",
    "GET /as/dev-a/cfg/1a000e08abcdf0.bin",
]
--- error_code eval
[200, 403, 403, 403, 200]
--- response_body_like eval
[$main::OWN, ($main::FORBIDDEN) x 3, "\\Afirmware\n\\z"]
