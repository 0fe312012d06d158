# prov_uri_id: a URI that names a device must name the certificate's own.
# Cisco profile rules name the device in the URI (/spa$PSN_$MA.cfg ->
# /spa962_000e08abcdef.cfg, $MAU in upper case, $MAC with colons): dev-a
# asking for dev-b's profile, in any of these forms, gets 403 (uri_mismatch)
# and not a byte of it; asking for dev-b's file by its path gets 404 (an
# internal location).  A URI naming this device, or none, gets the device's
# own profile.  Traversal and percent-encoding in the request URI (nginx
# normalises and decodes it before the module sees it) are driven through the
# front's /raw route, which sends the path to the backend byte for byte.
# Every device a URI names must be this one, not only the first the regex
# finds (TEST 28-31).
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly page);

our $A = '000e08abcdef';    # dev-a, serial 1001
our $B = '000e08abcdf0';    # dev-b, serial 1002

our $FORBIDDEN = '(?s)\A(?!.*secret-' . $B . ')' . $ProvTest::FORBIDDEN;
our $NOT_FOUND = page('404 Not Found');
our $BAD_REQUEST = page('400 Bad Request');

# the refusal line of a device asking for another's profile
sub mismatch {
    my ($id, $named, $serial) = @_;
    return qq{prov: access forbidden (uri_mismatch): device "$id" asked for }
         . qq{the profile of "$named", serial $serial};
}

our $URI_ID = 'prov_uri_id "_(?<id>[0-9A-Fa-f:]{12,17})\.cfg$";';

our $TARGETS = ProvTest::internal('/devices/', '/models/', '= /default.cfg');

# a location that serves the last segment of the URI from the device
# folder, whatever precedes it
our $ALIAS = '
        location ~ "^/by-device/[^/]+/(?<file>[^/]+)$" {
            alias $TEST_NGINX_SERVER_ROOT/html/devices/$file;
        }
';

# backend(location => text of "location /", id => the prov_id directive,
#         more => more text in the server, %ProvTest::backend options)
sub backend {
    my %o = (
        location => "$URI_ID\n"
            . 'prov_profile /devices/$prov_id.cfg /models/$prov_cert_ou.cfg /default.cfg =404;',
        more => '',
        id => 'prov_id ST mac;',
        extra => $TARGETS,
        @_,
    );
    my $more = delete $o{more};
    my $id = delete $o{id};
    return ProvTest::backend(
        verify => 'on',
        server => "prov on;\n$id\nprov_generic ciscogeneric;\n"
                  . "add_header X-Uri \"\$uri\" always;\n$more",
        %o,
    );
}

# the profiles of ProvTest::profile_files(), and more [name, body] pairs
sub files { ProvTest::profile_files(more => [@_]) }

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::raw_front(),
    user_files => files(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a URI naming this device, in any Cisco form, or none: its own profile
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/spa962_000E08ABCDEF.cfg",
    "GET /as/dev-a/spa962_00:0e:08:ab:cd:ef.cfg",
    "GET /as/dev-a/spa962_00:0E:08:AB:CD:EF.cfg",
    "GET /as/dev-a/cisco/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-a/spa962_.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0.xml",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg.bak",
    "GET /as/dev-a/spa962.cfg?mac=000e08abcdf0",
    "GET /as/dev-a/",
]
--- error_code eval
[(200) x 11]
--- response_body eval
[(main::dev_profile($main::A)) x 11]
--- response_headers eval
[("X-Uri: /devices/000e08abcdef.cfg\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow") x 11]
--- no_error_log
prov: access forbidden
[warn]



=== TEST 2: dev-a asking for dev-b's profile by name ($MA): 403, nothing of it
--- request
GET /as/dev-a/spa962_000e08abcdf0.cfg
--- error_code: 403
--- response_body_like eval
$main::FORBIDDEN
--- response_headers
X-Prov-Id: 000e08abcdef
X-Prov-Result: uri_mismatch
X-Uri: /spa962_000e08abcdf0.cfg
--- error_log eval
[
    qr/\[error\] \d+#\d+: \*\d+ \Q${\ main::mismatch($main::A, $main::B, 1001)}\E, client: /,
]



=== TEST 3: the $MAU and $MAC forms, other prefixes and folders: 403 each
--- request eval
[
    "GET /as/dev-a/spa962_000E08ABCDF0.cfg",
    "GET /as/dev-a/spa962_00:0e:08:ab:cd:f0.cfg",
    "GET /as/dev-a/spa962_00:0E:08:AB:CD:F0.cfg",
    "GET /as/dev-a/spa504g_000e08abcdf0.cfg",
    "GET /as/dev-a/cisco/spa962/x_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdef_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg?mac=000e08abcdef",
]
--- error_code eval
[(403) x 7]
--- response_body_like eval
[($main::FORBIDDEN) x 7]
--- response_headers eval
[("X-Prov-Id: 000e08abcdef\nX-Prov-Result: uri_mismatch") x 7]
--- error_log eval
qr/\Qprov: access forbidden (uri_mismatch): device "000e08abcdef" asked for the profile of "\E(?:000e08abcdf0|000E08ABCDF0|00:0e:08:ab:cd:f0|00:0E:08:AB:CD:F0)", serial 1001,/



=== TEST 4: the log line names the other device as the URI wrote it
--- request
GET /as/dev-a/spa962_00:0E:08:AB:CD:F0.cfg
--- error_code: 403
--- error_log eval
main::mismatch($main::A, '00:0E:08:AB:CD:F0', 1001)



=== TEST 5: something in the id's place that is no MAC address: refused
--- request eval
[
    "GET /as/dev-a/spa962_00:0e:08:ab:cd.cfg",
    "GET /as/dev-a/spa962_000e08abcdef0.cfg",
    "GET /as/dev-a/spa962_00:0e:08:ab:cdef.cfg",
    "GET /as/dev-a/spa962_::::::::::::.cfg",
]
--- error_code eval
[(403) x 4]
--- response_body_like eval
[($main::FORBIDDEN) x 4]
--- response_headers eval
[("X-Prov-Id: 000e08abcdef\nX-Prov-Result: uri_mismatch") x 4]
--- error_log eval
qr/\Qprov: access forbidden (uri_mismatch): device "000e08abcdef" asked for the profile of "\E(?:00:0e:08:ab:cd|000e08abcdef0|00:0e:08:ab:cdef|::::::::::::)", serial 1001,/



=== TEST 6: dev-b the other way round; the refused request never reaches the model or default
--- request eval
[
    "GET /as/dev-b/spa962_000e08abcdef.cfg",
    "GET /as/dev-b/spa962_000E08ABCDF0.cfg",
    "GET /as/mac-colon/spa962_000e08abcd51.cfg",
    "GET /as/mac-colon/spa962_000e08abcdef.cfg",
]
--- error_code eval
[403, 200, 200, 403]
--- response_body_like eval
[
    '(?s)\A(?!.*secret-000e08abcdef)' . $ProvTest::FORBIDDEN,
    main::exactly(main::dev_profile($main::B)),
    "\\Amodel SPA-962\n\\z",
    $main::FORBIDDEN,
]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: uri_mismatch",
    "X-Prov-Id: 000e08abcdf0\nX-Uri: /devices/000e08abcdf0.cfg",
    "X-Prov-Id: 000e08abcd51\nX-Uri: /models/SPA-962.cfg",
    "X-Prov-Id: 000e08abcd51\nX-Prov-Result: uri_mismatch\nX-Uri: /spa962_000e08abcdef.cfg",
]



=== TEST 7: dev-b's file by its path: the internal location answers 404
--- request eval
[
    "GET /as/dev-a/devices/000e08abcdf0.cfg",
    "GET /as/dev-a/devices/000E08ABCDF0.cfg",
    "GET /as/dev-a/devices//000e08abcdf0.cfg",
    "GET /as/dev-a/devices/./000e08abcdf0.cfg",
    "GET /as/dev-a/x/../devices/000e08abcdf0.cfg",
]
--- error_code eval
[(404) x 5]
--- response_body_like eval
[($main::NOT_FOUND) x 5]



=== TEST 8: traversal and encoding in the URI, sent as is: nginx normalises first
The backend decodes %XX and resolves dot segments before any location or
prov_uri_id sees the URI: every form of dev-b's name is refused, every form
of its file's path is an internal (404) one, a path above the root is a
400; no request yields a byte of dev-b's profile.
--- request eval
[
    "GET /raw?d=dev-a&p=/spa962_000e08abcd%66%30.cfg",
    "GET /raw?d=dev-a&p=/spa962_000e08abcdf0%2ecfg",
    "GET /raw?d=dev-a&p=/spa962_00%3a0e%3a08%3aab%3acd%3af0.cfg",
    "GET /raw?d=dev-a&p=/x/../spa962_000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/x/%2e%2e/spa962_000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/spa962_000e08abcdef.cfg/../spa962_000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/devices/%30%30%30e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/devices/../devices/000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/x/%2e%2e/devices/000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/x/..%2fdevices%2f000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/devices%2f000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=//devices//000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/../devices/000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/%2e%2e/devices/000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/spa962_000e08abcdef.cfg",
]
--- error_code eval
[(403) x 6, (404) x 6, 400, 400, 200]
--- response_body_like eval
[($main::FORBIDDEN) x 6, ($main::NOT_FOUND) x 6, ($main::BAD_REQUEST) x 2,
 main::exactly(main::dev_profile($main::A))]



=== TEST 9: HTTP/2, HTTP/1.0, a kept-alive connection, TLSv1.0
On one kept-alive connection: dev-b's name is refused between two
fetches of dev-a's own profile.  old-spa (000e08abcd90) has its model's.
--- request eval
[
    "GET /h2/dev-a/spa962_000e08abcdf0.cfg",
    "GET /h2/dev-a/spa962_000E08ABCDEF.cfg",
    "GET /h2ka/dev-a/spa962_00:0e:08:ab:cd:f0.cfg",
    "GET /h10/dev-a/spa962_000E08ABCDF0.cfg",
    "GET /ka/dev-a/spa962_000e08abcdef.cfg",
    "GET /ka/dev-a/spa962_000e08abcdf0.cfg",
    "GET /ka/dev-a/spa962_000e08abcdef.cfg",
    "GET /old/old-spa/spa962_000e08abcdf0.cfg",
    "GET /old/old-spa/spa962_000e08abcd90.cfg",
]
--- error_code eval
[403, 200, 403, 403, 200, 403, 200, 403, 200]
--- response_body_like eval
[
    $main::FORBIDDEN,
    main::exactly(main::dev_profile($main::A)),
    $main::FORBIDDEN,
    $main::FORBIDDEN,
    main::exactly(main::dev_profile($main::A)),
    $main::FORBIDDEN,
    main::exactly(main::dev_profile($main::A)),
    $main::FORBIDDEN,
    "\\Amodel SPA-962\n\\z",
]
--- response_headers eval
[
    "X-Prov-Result: uri_mismatch\nX-Proto: HTTP/2.0",
    "X-Uri: /devices/000e08abcdef.cfg\nX-Proto: HTTP/2.0",
    "X-Prov-Result: uri_mismatch\nX-Proto: HTTP/2.0",
    "X-Prov-Result: uri_mismatch\nX-Proto: HTTP/1.0",
    "X-Uri: /devices/000e08abcdef.cfg",
    "X-Prov-Result: uri_mismatch",
    "X-Uri: /devices/000e08abcdef.cfg",
    "X-Prov-Id: 000e08abcd90\nX-Prov-Result: uri_mismatch\nX-TLS: TLSv1",
    "X-Prov-Id: 000e08abcd90\nX-Uri: /models/SPA-962.cfg",
]



=== TEST 10: HEAD and POST naming another device: 403 before anything else
--- request eval
["HEAD /as/dev-a/spa962_000e08abcdf0.cfg", "POST /as/dev-a/spa962_000e08abcdf0.cfg\nx=y"]
--- error_code eval
[403, 403]
--- response_body_like eval
["\\A\\z", $main::FORBIDDEN]
--- response_headers eval
[("X-Prov-Result: uri_mismatch") x 2]



=== TEST 11: the gate's order: generic and bad ids are refused for what they are
--- request eval
[
    "GET /as/generic/spa962_000e08abcdf0.cfg",
    "GET /as/two-st/spa962_000e08abcdf0.cfg",
    "GET /as/ou-inject/spa962_000e08abcdf0.cfg",
    "GET /as/ou-inject/spa962_000e08abcd10.cfg",
]
--- error_code eval
[403, 403, 403, 200]
--- response_body_like eval
[($main::FORBIDDEN) x 3, "\\Adefault profile\n\\z"]
--- response_headers eval
[
    "X-Prov-Result: generic",
    "X-Prov-Result: bad_id",
    "X-Prov-Id: 000e08abcd10\nX-Prov-Result: uri_mismatch",
    "X-Prov-Id: 000e08abcd10\nX-Uri: /default.cfg",
]



=== TEST 12: the ACL comes first: a denied device is refused as denied
--- http_config eval
main::backend(more => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;')
--- user_files eval
main::files(['acl', "000e08abcdef allow\n000e08abcdf0 deny\n"])
--- request eval
[
    "GET /as/dev-b/spa962_000e08abcdef.cfg",
    "GET /as/dev-b/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/mac-colon/spa962_000e08abcdef.cfg",
]
--- error_code eval
[403, 403, 403, 403]
--- response_headers eval
[
    "X-Prov-Result: denied",
    "X-Prov-Result: denied",
    "X-Prov-Result: uri_mismatch",
    "X-Prov-Result: not_listed",
]



=== TEST 13: the unnamed first capture is the id; an unset capture names no device
--- http_config eval
main::backend(location => '
            prov_uri_id "^/(?:cfg/([0-9a-fA-F]{12})\.xml|spa\.cfg)$";
            prov_profile /devices/$prov_id.cfg =404;
')
--- request eval
[
    "GET /as/dev-a/cfg/000e08abcdf0.xml",
    "GET /as/dev-a/cfg/000e08abcdef.xml",
    "GET /as/dev-a/spa.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
]
--- error_code eval
[403, 200, 200, 200]
--- response_body_like eval
[$main::FORBIDDEN, (main::exactly(main::dev_profile($main::A))) x 3]



=== TEST 14: capture "id" among others
--- http_config eval
main::backend(location => '
            prov_uri_id "^/(spa|cp)(?<model>[0-9]+)_(?<id>[^./]+)\.cfg$";
            prov_profile /devices/$prov_id.cfg =404;
')
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdeg.cfg",
]
--- error_code eval
[403, 403]
--- error_log eval
qr/asked for the profile of "000e08abcd(?:f0|eg)", serial 1001/



=== TEST 14b: capture "id" among others: this device's
--- http_config eval
main::backend(location => '
            prov_uri_id "^/(spa|cp)(?<model>[0-9]+)_(?<id>[^./]+)\.cfg$";
            prov_profile /devices/$prov_id.cfg =404;
')
--- request eval
["GET /as/dev-a/cp8841_000e08abcdef.cfg", "GET /as/dev-a/cp8841_00-0E-08-AB-CD-EF.cfg"]
--- error_code eval
[200, 200]
--- no_error_log
prov: access forbidden



=== TEST 15: values from the URI are escaped in the log line
--- http_config eval
main::backend(location => '
            prov_uri_id "^/esc/(?<id>[^/]+)$";
            prov_profile /devices/$prov_id.cfg =404;
')
--- request
GET /raw?d=dev-a&p=/esc/a%22b%5cc%0d%0a2000%ff
--- error_code: 403
--- response_body_like eval
$main::FORBIDDEN
--- error_log eval
main::mismatch($main::A, 'a\x22b\x5Cc\x0D\x0A2000\xFF', 1001)
--- no_error_log
[crit]



=== TEST 16: literal ids (prov_id CN): compared as they are, case included
--- http_config eval
main::backend(
    id => 'prov_id CN;',
    location => '
            prov_uri_id "^/(?<id>[0-9A-Fa-f]{12})\.cfg$";
            prov_profile /devices/$prov_id.cfg =404;
')
--- user_files eval
main::files(['devices/0004f2abcdef.cfg', "polycom profile\n"])
--- request eval
[
    "GET /as/polycom/0004f2abcdef.cfg",
    "GET /as/polycom/0004F2ABCDEF.cfg",
    "GET /as/polycom/0004f2abcdf0.cfg",
    "GET /as/polycom/phone.cfg",
]
--- error_code eval
[200, 403, 403, 200]
--- response_body_like eval
["\\Apolycom profile\n\\z", $main::FORBIDDEN, $main::FORBIDDEN, "\\Apolycom profile\n\\z"]
--- response_headers eval
["X-Prov-Id: 0004f2abcdef", "X-Prov-Result: uri_mismatch", "X-Prov-Result: uri_mismatch", "X-Prov-Result: allow"]



=== TEST 17: MAC ids in CN (prov_id CN mac): any case, any separator
--- http_config eval
main::backend(
    id => 'prov_id CN mac;',
    location => '
            prov_uri_id "^/(?<id>[0-9A-Fa-f:-]{12,17})\.cfg$";
            prov_profile /devices/$prov_id.cfg =404;
')
--- user_files eval
main::files(['devices/001565abcdef.cfg', "yealink profile\n"])
--- request eval
[
    "GET /as/yealink/001565abcdef.cfg",
    "GET /as/yealink/00-15-65-AB-CD-EF.cfg",
    "GET /as/yealink/00:15:65:ab:cd:ef.cfg",
    "GET /as/yealink/001565abcdf0.cfg",
]
--- error_code eval
[200, 200, 200, 403]
--- response_body_like eval
[("\\Ayealink profile\n\\z") x 3, $main::FORBIDDEN]



=== TEST 18: "prov_uri_id off" in an inner location; the server's elsewhere
--- http_config eval
main::backend(
    more => $main::URI_ID,
    location => 'prov_profile /devices/$prov_id.cfg =404;',
    extra => $main::TARGETS . '
        location /any/ {
            prov_uri_id off;
            prov_profile /devices/$prov_id.cfg =404;
        }
')
--- request eval
[
    "GET /as/dev-a/any/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
]
--- error_code eval
[200, 403]
--- response_body_like eval
[main::exactly(main::dev_profile($main::A)), $main::FORBIDDEN]



=== TEST 19: prov_uri_id alone guards profiles stored under their names
No prov_profile: the static module serves the URI's own file, and the
uri check is what keeps dev-a out of dev-b's.
--- http_config eval
main::backend(
    location => 'return 404;',
    extra => '
        location /named/ {
            prov_uri_id "_(?<id>[0-9A-Fa-f:]{12,17})\.cfg$";
        }
')
--- user_files eval
main::files(
    ["named/spa962_$main::A.cfg", main::dev_profile($main::A)],
    ["named/spa962_$main::B.cfg", main::dev_profile($main::B)],
)
--- request eval
[
    "GET /as/dev-a/named/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/named/spa962_000e08abcdf0.cfg",
    "GET /as/dev-b/named/spa962_000e08abcdf0.cfg",
    "GET /raw?d=dev-a&p=/named/spa962_000e08abcd%66%30.cfg",
    "GET /raw?d=dev-a&p=/named/x/../spa962_000e08abcdf0.cfg",
]
--- error_code eval
[200, 403, 200, 403, 403]
--- response_body_like eval
[
    main::exactly(main::dev_profile($main::A)),
    $main::FORBIDDEN,
    main::exactly(main::dev_profile($main::B)),
    $main::FORBIDDEN,
    $main::FORBIDDEN,
]



=== TEST 20: the refusal at the configured level
--- http_config eval
main::backend(more => 'prov_log_level warn;')
--- request
GET /as/dev-a/spa962_000E08ABCDF0.cfg
--- error_code: 403
--- error_log eval
qr/\[warn\] \d+#\d+: \*\d+ \Q${\ main::mismatch($main::A, '000E08ABCDF0', 1001)}\E/



=== TEST 21: nginx -t: a regex without a capture
--- http_config eval
main::backend(location => 'prov_uri_id "_[0-9a-f]{12}\.cfg$";')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
has no capture



=== TEST 22: nginx -t: a bad regex
--- http_config eval
main::backend(location => 'prov_uri_id "_(?<id>[0-9a-f]{12}\.cfg$";')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log eval
["[emerg]", qr/pcre2?_compile\(\) failed/]



=== TEST 23: a $prov_* read before a rewrite: the URI check sees the rewritten URI
The server reads $prov_id in its rewrite phase (set), then the location
rewrites /spa962_<mac>.cfg to /<mac>.cfg: the check runs on the URI the
request has in the access phase, not on the one the variable saw.
--- http_config eval
main::backend(
    more => 'prov_uri_id "^/(?<id>[0-9A-Fa-f]{12})\.cfg$";
        set $device $prov_id;',
    location => 'rewrite ^/spa[0-9]+_(.+)$ /$1 last;',
    extra => '',
)
--- user_files eval
main::files(
    ["$main::A.cfg", main::dev_profile($main::A)],
    ["$main::B.cfg", main::dev_profile($main::B)],
)
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /ka/dev-a/spa962_000e08abcdf0.cfg",
    "GET /h2/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/000e08abcdf0.cfg",
]
--- error_code eval
[403, 403, 403, 200, 403]
--- response_body_like eval
[
    ($main::FORBIDDEN) x 3,
    main::exactly(main::dev_profile($main::A)),
    $main::FORBIDDEN,
]
--- response_headers eval
[
    ("X-Prov-Result: uri_mismatch") x 3,
    "X-Prov-Result: allow",
    "X-Prov-Result: uri_mismatch",
]



=== TEST 24: if, a regex location and a second rewrite after a $prov_* read
--- http_config eval
main::backend(
    more => 'prov_uri_id "^/(?<id>[0-9A-Fa-f]{12})\.cfg$";
        if ($prov_result = "allow") {
            set $device $prov_id;
        }',
    location => 'return 404;',
    extra => '
        location ~ ^/spa {
            set $seen $prov_result;
            rewrite ^/spa[0-9]+_(.+)$ /model/$1 last;
        }

        location /model/ {
            rewrite ^/model/(.+)$ /$1 break;
        }
',
)
--- user_files eval
main::files(
    ["$main::A.cfg", main::dev_profile($main::A)],
    ["$main::B.cfg", main::dev_profile($main::B)],
)
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, main::exactly(main::dev_profile($main::A))]



=== TEST 25: a refusal found in the access phase sticks through error_page
--- http_config eval
main::backend(
    more => 'prov_uri_id "^/(?<id>[0-9A-Fa-f]{12})\.cfg$";
        set $device $prov_id;',
    location => 'rewrite ^/spa[0-9]+_(.+)$ /$1 last;
            error_page 403 /denied.txt;',
    extra => '
        location = /denied.txt {
            add_header X-Prov-Result "$prov_result" always;
        }
',
)
--- user_files eval
main::files(
    ["$main::A.cfg", main::dev_profile($main::A)],
    ["$main::B.cfg", main::dev_profile($main::B)],
    ['denied.txt', "refused\n"],
)
--- request
GET /as/dev-a/spa962_000e08abcdf0.cfg
--- error_code: 403
--- response_body_like eval
'(?s)\A(?!.*secret-)'
--- response_headers
X-Prov-Result: uri_mismatch
--- error_log eval
main::mismatch($main::A, '000e08abcdf0', 1001)



=== TEST 26: ids that are no MAC address are escaped in the uri_mismatch line: quotes
--- http_config eval
main::backend(id => 'prov_id ST;', location => '
            prov_uri_id "^/(?<id>[^/]+)\.cfg$";
            prov_profile /devices/$prov_id.cfg =404;
')
--- request
GET /as/quote/other.cfg
--- error_code: 403
--- error_log eval
q{prov: access forbidden (uri_mismatch): device "000e08abcdf0\x22 id=\x22000e08abcdf0" asked for the profile of "other", serial 1039}



=== TEST 27: ids that are no MAC address are escaped in the uri_mismatch line: bidi and C1 controls
--- http_config eval
main::backend(id => 'prov_id ST;', location => '
            prov_uri_id "^/(?<id>[^/]+)\.cfg$";
            prov_profile /devices/$prov_id.cfg =404;
')
--- request
GET /as/bidi/other.cfg
--- error_code: 403
--- error_log eval
q{prov: access forbidden (uri_mismatch): device "000e08abcd45\xE2\x80\xAE\xC2\x9B" asked for the profile of "other", serial 1045}



=== TEST 28: every device the URI names: naming this one first hides no other
A location that serves the end of the URI from the device folder (alias):
dev-a's MAC before dev-b's file name must not get it dev-b's file.
--- http_config eval
main::backend(
    more => $ProvTest::URI_ID_MAC,
    location => 'prov_profile /devices/$prov_id.cfg =404;',
    extra => $main::ALIAS,
)
--- request eval
[
    "GET /as/dev-a/by-device/000e08abcdef/000e08abcdf0.cfg",
    "GET /as/dev-a/by-device/000E08ABCDEF/00:0e:08:ab:cd:f0.cfg",
    "GET /as/dev-a/by-device/000e08abcdf0/000e08abcdef.cfg",
    "GET /as/dev-a/spa962_000e08abcdef_000e08abcdf0.cfg",
]
--- error_code eval
[(403) x 4]
--- response_body_like eval
[($main::FORBIDDEN) x 4]
--- error_log eval
qr/\Qprov: access forbidden (uri_mismatch): device "000e08abcdef" asked for the profile of "\E(?:000e08abcdf0|00:0e:08:ab:cd:f0)", serial 1001,/



=== TEST 28b: every device the URI names: this one, once or more
--- http_config eval
main::backend(
    more => $ProvTest::URI_ID_MAC,
    location => 'prov_profile /devices/$prov_id.cfg =404;',
    extra => $main::ALIAS,
)
--- request eval
[
    "GET /as/dev-a/by-device/000e08abcdef/000e08abcdef.cfg",
    "GET /as/dev-a/by-device/000E08ABCDEF/000e08abcdef.cfg",
    "GET /as/dev-a/spa962_000e08abcdef_00:0E:08:AB:CD:EF.cfg",
]
--- error_code eval
[(200) x 3]
--- response_body_like eval
[(main::exactly(main::dev_profile($main::A))) x 3]
--- no_error_log
prov: access forbidden



=== TEST 29: a match that names no device does not end the search
--- http_config eval
main::backend(location => '
            prov_uri_id "/x/|_(?<id>[0-9A-Fa-f]{12})";
            prov_profile /devices/$prov_id.cfg =404;
')
--- request eval
[
    "GET /as/dev-a/x/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/x/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/x/x/spa962.cfg",
]
--- error_code eval
[403, 200, 200]
--- response_body_like eval
[$main::FORBIDDEN, (main::exactly(main::dev_profile($main::A))) x 2]



=== TEST 30: empty matches: the search goes on from the next byte
--- http_config eval
main::backend(location => '
            prov_uri_id "(?<id>[0-9A-Fa-f]{12})?";
            prov_profile /devices/$prov_id.cfg =404;
')
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/spa962.cfg",
]
--- error_code eval
[403, 200, 200]
--- response_body_like eval
[$main::FORBIDDEN, (main::exactly(main::dev_profile($main::A))) x 2]



=== TEST 31: a match that reaches the end of the URI ends the search
What follows a match that ends the URI is nothing: an empty match there
(an empty id, "something that is not an id") refuses nothing.  Profiles
stored under their names, as in TEST 19.
--- http_config eval
main::backend(
    location => 'return 404;',
    extra => '
        location /named/ {
            prov_uri_id "(?<id>[0-9A-Fa-f]*)$";
        }
')
--- user_files eval
main::files(
    ["named/$main::A", main::dev_profile($main::A)],
    ["named/$main::B", main::dev_profile($main::B)],
)
--- request eval
[
    "GET /as/dev-a/named/000e08abcdef",
    "GET /as/dev-a/named/000e08abcdf0",
]
--- error_code eval
[200, 403]
--- response_body_like eval
[main::exactly(main::dev_profile($main::A)), $main::FORBIDDEN]
