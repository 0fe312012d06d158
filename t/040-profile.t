# prov_profile: after the gate, the first candidate that exists under the
# location's root, served in place (try_files semantics): the fallback chain
# device -> model -> default -> =code, an unconditional last candidate (a URI
# or a @named location, reached by an internal redirect), "internal" folders
# (404 when asked for directly), no second pick, GET and HEAD only (405),
# 304, HTTP/2, HTTP/1.0, kept-alive and resumed TLS, TLSv1.0, "satisfy
# any", "alias" (500) and the nginx -t errors; the file the module sends
# itself with the static module's headers, ranges, a folder in its place,
# open_file_cache (TESTS 32-35).
# URIs naming a device (prov_uri_id): 041-uri-id.t; unsafe values in the
# candidates: 042-profile-safety.t; variables after a redirect, proxy_pass
# renderers, limit_req, the generic bootstrap route: 043-profile-delivery.t.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly page);
use Time::Local qw(timegm);

our $A = '000e08abcdef';    # dev-a
our $B = '000e08abcdf0';    # dev-b

our $FORBIDDEN = '(?s)\A(?!.*secret-' . $B . ')' . $ProvTest::FORBIDDEN;
our $NOT_FOUND = page('404 Not Found');

# The internal targets of the candidates.
our $TARGETS = ProvTest::internal('/devices/', '/models/', '= /default.cfg');

our $CHAIN = 'prov_profile /devices/$prov_id.cfg /models/$prov_cert_ou.cfg /default.cfg =404;';

# A file candidate whose folder's location would answer 418, and a fallback.
our $IN_PLACE = 'prov_profile /devices/$prov_id.cfg /fb/$prov_id;';
our $IN_PLACE_TARGETS = <<'_EOC_';
        location /devices/ {
            internal;
            return 418;
        }

        location /fb/ {
            internal;
            return 200 "fallback $uri for $prov_id\n";
        }
_EOC_

# backend(profile => text of the backend's "location /", more => more text
# in the server, %ProvTest::backend options): the gate in the server, the
# final $uri in X-Uri
sub backend {
    my %o = (profile => $CHAIN, more => '', extra => $TARGETS, @_);
    my $profile = delete $o{profile};
    my $more = delete $o{more};
    return ProvTest::backend(
        verify => 'on',
        server => "prov on;\nprov_id ST mac;\nprov_generic ciscogeneric;\n"
                  . "add_header X-Uri \"\$uri\" always;\n$more",
        location => $profile,
        %o,
    );
}

# The --- user_files: dev-a's and dev-b's profiles, the SPA-962 model's,
# the default, and more [name, body(, date)] triples (ProvTest).
sub files { ProvTest::profile_files(@_) }

# dev-a's profile dated 1998-01-17 19:35:33 GMT (touch -t): its
# Last-Modified and the static module's ETag ("<mtime>-<size>" in hex)
our $DATE = '199801171935.33';
our $LAST_MODIFIED = 'Sat, 17 Jan 1998 19:35:33 GMT';
our $ETAG = sprintf '"%x-%x"', timegm(33, 35, 19, 17, 0, 1998), length dev_profile($A);

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
    user_files => files(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: the fallback chain, each step: device, model, default
dev-a has a file of its own; mac-colon (000e08abcd51, OU SPA-962) has
none, its model has one; full (000e08abcd80, OU CP-8841-3PCC) has
neither: the default.
--- request eval
[
    "GET /as/dev-a/spa962.cfg",
    "GET /as/mac-colon/spa962.cfg",
    "GET /as/full/cp8841.cfg",
]
--- error_code eval
[200, 200, 200]
--- response_body eval
[main::dev_profile($main::A), "model SPA-962\n", "default profile\n"]
--- response_headers eval
[
    "X-Uri: /devices/000e08abcdef.cfg\nX-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Uri: /models/SPA-962.cfg\nX-Prov-Id: 000e08abcd51\nX-Prov-Result: allow",
    "X-Uri: /default.cfg\nX-Prov-Id: 000e08abcd80\nX-Prov-Result: allow",
]
--- no_error_log
[warn]
prov: access forbidden



=== TEST 2: none exists: the =404 at the end of the chain
--- user_files eval
main::files(default => 0)
--- request eval
["GET /as/full/cp8841.cfg", "GET /as/mac-colon/spa962.cfg"]
--- error_code eval
[404, 200]
--- response_body_like eval
[$main::NOT_FOUND, "\\Amodel SPA-962\n\\z"]
--- response_headers eval
["X-Uri: /cp8841.cfg\nX-Prov-Id: 000e08abcd80\nX-Prov-Result: allow", "X-Uri: /models/SPA-962.cfg"]
--- no_error_log
[warn]
prov: access forbidden



=== TEST 3: the device's own profile whatever the URI names (or not)
--- request eval
[
    "GET /as/dev-a/",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-a/cfg/spa962.xml?mac=000e08abcdf0&file=/devices/000e08abcdf0.cfg",
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-a/000e08abcdf0.cfg",
    "GET /as/dev-b/000e08abcdef.cfg",
]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body eval
[(main::dev_profile($main::A)) x 5, main::dev_profile($main::B)]
--- response_headers eval
[
    ("X-Uri: /devices/000e08abcdef.cfg\nX-Prov-Id: 000e08abcdef") x 5,
    "X-Uri: /devices/000e08abcdf0.cfg\nX-Prov-Id: 000e08abcdf0",
]



=== TEST 4: the internal targets asked for directly: 404, also a device's own
--- request eval
[
    "GET /as/dev-a/devices/000e08abcdf0.cfg",
    "GET /as/dev-a/devices/000e08abcdef.cfg",
    "GET /as/dev-a/models/SPA-962.cfg",
    "GET /as/dev-a/default.cfg",
    "GET /as/generic/devices/000e08abcdf0.cfg",
    "GET /plain/devices/000e08abcdf0.cfg",
    "GET /h2/dev-a/devices/000e08abcdf0.cfg",
]
--- error_code eval
[(404) x 7]
--- response_body_like eval
[($main::NOT_FOUND) x 7]



=== TEST 5: the =code is any status: 410, 403, 503 (no refusal logged)
--- http_config eval
main::backend(extra => $main::TARGETS . '
        location /c410/ {
            prov_profile /devices/$prov_id.cfg =410;
        }

        location /c403/ {
            prov_profile /devices/$prov_id.cfg /models/$prov_cert_ou.cfg =403;
        }

        location /c503/ {
            prov_profile /devices/$prov_id.cfg =503;
        }
')
--- request eval
[
    "GET /as/full/c410/x.cfg",
    "GET /as/dev-a/c410/x.cfg",
    "GET /as/full/c403/x.cfg",
    "GET /as/mac-colon/c403/x.cfg",
    "GET /as/full/c503/x.cfg",
]
--- error_code eval
[410, 200, 403, 200, 503]
--- response_body_like eval
[
    main::page('410 Gone'),
    main::exactly(main::dev_profile($main::A)),
    $main::FORBIDDEN,
    "\\Amodel SPA-962\n\\z",
    main::page('503 Service Temporarily Unavailable'),
]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow",
    "X-Uri: /devices/000e08abcdef.cfg",
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow",
    "X-Uri: /models/SPA-962.cfg",
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden
[warn]



=== TEST 6: without =code the last candidate is redirected to untested
A single literal candidate: the static module answers (404 when absent).
--- http_config eval
main::backend(profile => 'prov_profile /default.cfg;')
--- user_files eval
main::files(default => 0)
--- request eval
["GET /as/dev-a/x.cfg", "GET /as/full/x.cfg"]
--- error_code eval
[404, 404]
--- response_body_like eval
[($main::NOT_FOUND) x 2]
--- response_headers eval
[("X-Uri: /default.cfg\nX-Prov-Result: allow") x 2]
--- error_log eval
qr{open\(\) "[^"]*/html/default\.cfg" failed \(2: No such file or directory\)}



=== TEST 7: a single literal candidate that exists: everyone allowed gets it
--- http_config eval
main::backend(profile => 'prov_profile /default.cfg;')
--- request eval
["GET /as/dev-a/x.cfg", "GET /as/generic/x.cfg"]
--- error_code eval
[200, 403]
--- response_body_like eval
["\\Adefault profile\n\\z", $main::FORBIDDEN]
--- response_headers eval
["X-Uri: /default.cfg", "X-Uri: /x.cfg\nX-Prov-Result: generic"]



=== TEST 8: a @named location as the last candidate: the fallback
--- http_config eval
main::backend(
    profile => 'prov_profile /devices/$prov_id.cfg @fallback;',
    extra => $main::TARGETS . '
        location @fallback {
            return 200 "fallback for $prov_id ($prov_result) at $uri\n";
        }
')
--- request eval
["GET /as/dev-a/a.cfg", "GET /as/full/b.cfg", "GET /as/generic/c.cfg"]
--- error_code eval
[200, 200, 403]
--- response_body_like eval
[
    main::exactly(main::dev_profile($main::A)),
    "\\Afallback for 000e08abcd80 \\(allow\\) at /b.cfg\n\\z",
    $main::FORBIDDEN,
]



=== TEST 9: the target does not pick again: targets served by the same location
prov_profile in the server: "location /" and the target location both
inherit it; /p/ has no location of its own, so the target is served by
"location /" again.  No loop, no 500.
--- http_config eval
ProvTest::backend(
    verify => 'on',
    server => 'prov on; prov_id ST mac; prov_generic ciscogeneric;
        add_header X-Uri "$uri" always;
        prov_profile /p/$prov_id.cfg /devices/$prov_id.cfg =404;',
    extra => 'location /devices/ { internal; }',
)
--- user_files eval
main::files(more => [["p/$main::A.cfg", "p of $main::A\n"]])
--- request eval
["GET /as/dev-a/x.cfg", "GET /as/dev-b/x.cfg", "GET /as/full/x.cfg", "GET /as/dev-a/p/000e08abcdf0.cfg"]
--- error_code eval
[200, 200, 404, 200]
--- response_body_like eval
[
    "\\Ap of 000e08abcdef\n\\z",
    main::exactly(main::dev_profile($main::B)),
    $main::NOT_FOUND,
    "\\Ap of 000e08abcdef\n\\z",
]
--- response_headers eval
[
    "X-Uri: /p/000e08abcdef.cfg",
    "X-Uri: /devices/000e08abcdf0.cfg",
    "X-Uri: /x.cfg",
    "X-Uri: /p/000e08abcdef.cfg",
]
--- no_error_log
rewrite or internal redirection cycle
[alert]
[crit]



=== TEST 10: refused by the gate: 403 before any candidate
ou-inject (OU "SPA-962,ST=<dev-b>", its own ST 000e08abcd10) passes, with
neither a file of its own nor its (odd) model's: the default.
--- request eval
[
    "GET /as/generic/spa962.cfg",
    "GET /as/dotdot/spa962.cfg",
    "GET /as/ou-inject/spa962.cfg",
    "GET /as/ou-inject-nost/spa962.cfg",
]
--- error_code eval
[403, 403, 200, 403]
--- response_body_like eval
[$main::FORBIDDEN, $main::FORBIDDEN, "\\Adefault profile\n\\z", $main::FORBIDDEN]
--- response_headers eval
[
    "X-Prov-Result: generic\nX-Uri: /spa962.cfg",
    "X-Prov-Result: bad_id\nX-Uri: /spa962.cfg",
    "X-Prov-Id: 000e08abcd10\nX-Uri: /default.cfg",
    "X-Prov-Result: bad_id\nX-Uri: /spa962.cfg",
]



=== TEST 10b: ou-inject (OU "SPA-962,ST=<b>") gets its model's file only when it exists
--- user_files eval
main::files(more => [['models/SPA-962,ST=000e08abcdf0.cfg', "odd model\n"]])
--- request eval
["GET /as/ou-inject/spa962.cfg"]
--- response_body eval
["odd model\n"]
--- response_headers eval
["X-Prov-Id: 000e08abcd10"]



=== TEST 11: GET and HEAD only: other methods 405, no byte of any profile
--- request eval
[
    "POST /as/dev-a/spa962.cfg\nfoo=bar",
    "PUT /as/dev-a/devices/000e08abcdef.cfg\nx",
    "PUT /as/dev-a/spa962.cfg\nprofile of 000e08abcdef",
    "DELETE /as/dev-a/spa962.cfg",
    "OPTIONS /as/dev-a/spa962.cfg",
    "POST /as/full/x.cfg\nfoo=bar",
    "GET /as/dev-a/spa962.cfg",
]
--- error_code eval
[405, 404, 405, 405, 405, 405, 200]
--- response_body_like eval
[
    main::page('405 Not Allowed'),
    $main::NOT_FOUND,
    (main::page('405 Not Allowed')) x 4,
    main::exactly(main::dev_profile($main::A)),
]
--- response_headers eval
[
    ("X-Prov-Result: allow\nX-Uri: /spa962.cfg") x 1,
    "X-Uri: /devices/000e08abcdef.cfg",
    ("X-Prov-Result: allow\nX-Uri: /spa962.cfg") x 3,
    "X-Prov-Result: allow\nX-Uri: /x.cfg",
    "X-Uri: /devices/000e08abcdef.cfg",
]



=== TEST 12: the gate comes before the method: a refused POST is a 403
--- request eval
["POST /as/generic/spa962.cfg\nfoo=bar", "PUT /as/dotdot/x.cfg\nx"]
--- error_code eval
[403, 403]
--- response_body_like eval
[($main::FORBIDDEN) x 2]
--- error_log eval
qr/prov: access forbidden \((?:generic|bad_id)\)/



=== TEST 13: HEAD: the headers of the device's own profile, no body
--- request eval
["HEAD /as/dev-a/spa962.cfg", "HEAD /as/full/x.cfg", "HEAD /as/dev-a/devices/000e08abcdf0.cfg"]
--- error_code eval
[200, 200, 404]
--- response_body eval
["", "", ""]
--- response_headers eval
[
    "X-Uri: /devices/000e08abcdef.cfg\nContent-Length: " . length(main::dev_profile($main::A)),
    "X-Uri: /default.cfg\nContent-Length: 16",
    "X-Uri: /devices/000e08abcdf0.cfg",
]



=== TEST 14: 304: Last-Modified and ETag of the file, as the static module sends them
dev-a's profile is dated 1998-01-17 19:35:33 GMT.  nginx's default
"if_modified_since exact" wants the date exactly.  (The front never makes
a 304 of its own: without a cache, upstream responses disable it.)
--- user_files eval
main::files(date => $main::DATE)
--- more_headers eval
[
    "",
    "If-None-Match: $main::ETAG",
    "If-Modified-Since: $main::LAST_MODIFIED",
    "If-None-Match: \"0-0\"",
    "If-Modified-Since: Sat, 17 Jan 1998 19:35:34 GMT",
    "If-None-Match: $main::ETAG",
    "If-None-Match: $main::ETAG",
]
--- request eval
[
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-b/spa962.cfg",
    "GET /h2/dev-a/spa962.cfg",
]
--- error_code eval
[200, 304, 304, 200, 200, 200, 304]
--- response_body eval
[
    main::dev_profile($main::A),
    "",
    "",
    main::dev_profile($main::A),
    main::dev_profile($main::A),
    main::dev_profile($main::B),
    "",
]
--- response_headers eval
[
    "ETag: $main::ETAG\nLast-Modified: $main::LAST_MODIFIED\nX-Uri: /devices/000e08abcdef.cfg",
    "ETag: $main::ETAG\nX-Uri: /devices/000e08abcdef.cfg\nX-Prov-Id: 000e08abcdef",
    "ETag: $main::ETAG\nX-Uri: /devices/000e08abcdef.cfg",
    "ETag: $main::ETAG",
    "ETag: $main::ETAG",
    "X-Uri: /devices/000e08abcdf0.cfg",
    "ETag: $main::ETAG",
]



=== TEST 15: HTTP/2, HTTP/1.0, kept-alive and resumed TLS, TLSv1.0
old-spa (000e08abcd90, SPA-962, RSA-1024, SHA-1) has no file: its model.
--- request eval
[
    "GET /h2/dev-a/spa962.cfg",
    "GET /h2/full/x.cfg",
    "GET /h2/generic/x.cfg",
    "GET /h2ka/dev-b/x.cfg",
    "GET /h2ka/dev-b/devices/000e08abcdef.cfg",
    "GET /h10/dev-a/spa962.cfg",
    "GET /ka/dev-a/spa962.cfg",
    "GET /ka/dev-a/devices/000e08abcdf0.cfg",
    "GET /ka/dev-a/spa962.cfg",
    "GET /re/dev-b/spa962.cfg",
    "GET /re/dev-b/spa962.cfg",
    "GET /old/old-spa/spa962.cfg",
]
--- error_code eval
[200, 200, 403, 200, 404, 200, 200, 404, 200, 200, 200, 200]
--- response_body_like eval
[
    main::exactly(main::dev_profile($main::A)),
    "\\Adefault profile\n\\z",
    $main::FORBIDDEN,
    main::exactly(main::dev_profile($main::B)),
    $main::NOT_FOUND,
    main::exactly(main::dev_profile($main::A)),
    main::exactly(main::dev_profile($main::A)),
    $main::NOT_FOUND,
    main::exactly(main::dev_profile($main::A)),
    main::exactly(main::dev_profile($main::B)),
    main::exactly(main::dev_profile($main::B)),
    "\\Amodel SPA-962\n\\z",
]
--- response_headers eval
[
    "X-Uri: /devices/000e08abcdef.cfg\nX-Proto: HTTP/2.0",
    "X-Uri: /default.cfg\nX-Proto: HTTP/2.0",
    "X-Prov-Result: generic\nX-Proto: HTTP/2.0",
    "X-Uri: /devices/000e08abcdf0.cfg\nX-Proto: HTTP/2.0",
    "X-Proto: HTTP/2.0",
    "X-Uri: /devices/000e08abcdef.cfg\nX-Proto: HTTP/1.0",
    "X-Uri: /devices/000e08abcdef.cfg",
    "X-Uri: /devices/000e08abcdf0.cfg",
    "X-Uri: /devices/000e08abcdef.cfg",
    "X-Uri: /devices/000e08abcdf0.cfg\nX-Reused: .",
    "X-Uri: /devices/000e08abcdf0.cfg\nX-Reused: r",
    "X-Uri: /models/SPA-962.cfg\nX-Prov-Id: 000e08abcd90\nX-TLS: TLSv1",
]



=== TEST 16: "satisfy any": whatever else grants access, only an allowed device gets a profile
"allow all" grants every request in the access phase; the gate's verdict
still decides in prov_profile.  ssl_verify_client optional_no_ca lets
requests without (or with unverified) certificates through.
--- http_config eval
main::backend(
    verify => 'optional_no_ca',
    profile => 'satisfy any; allow all; ' . $main::CHAIN,
)
--- request eval
[
    "GET /as/dev-a/spa962.cfg",
    "GET /as/generic/spa962.cfg",
    "GET /as/none/spa962.cfg",
    "GET /as/rogue-a/spa962.cfg",
    "GET /as/two-st/spa962.cfg",
    "GET /plain/spa962.cfg",
]
--- error_code eval
[200, 403, 403, 403, 403, 403]
--- response_body_like eval
[main::exactly(main::dev_profile($main::A)), ($main::FORBIDDEN) x 5]
--- response_headers eval
[
    "X-Uri: /devices/000e08abcdef.cfg",
    "X-Prov-Result: generic\nX-Uri: /spa962.cfg",
    "X-Prov-Result: no_cert\nX-Uri: /spa962.cfg",
    "X-Prov-Result: unverified\nX-Uri: /spa962.cfg",
    "X-Prov-Result: bad_id\nX-Uri: /spa962.cfg",
    "X-Prov-Result: no_cert\nX-Uri: /spa962.cfg",
]



=== TEST 17: "alias" is refused by nginx -t, naming the location (it answered 500 to every device)
--- http_config eval
main::backend(extra => $main::TARGETS . '
        location /al/ {
            alias $TEST_NGINX_SERVER_ROOT/html/;
            prov_profile /devices/$prov_id.cfg =404;
        }
')
--- request
GET /as/dev-a/al/x.cfg
--- must_die
--- error_log
but location "/al/" has "alias"



=== TEST 18: candidates are tested under the location's own root
/other/ has root html/other: dev-a's file is there, dev-b's only under the
server's root (where the target location would find it): not found.
--- http_config eval
main::backend(extra => $main::TARGETS . '
        location /other/ {
            root $TEST_NGINX_SERVER_ROOT/html/other;
            prov_profile /o/$prov_id.cfg =404;
        }

        location /o/ {
            internal;
            root $TEST_NGINX_SERVER_ROOT/html/other;
        }
')
--- user_files eval
main::files(more => [
    ["other/o/$main::A.cfg", "other profile of $main::A\n"],
    ["o/$main::B.cfg", main::dev_profile($main::B)],
])
--- request eval
["GET /as/dev-a/other/x.cfg", "GET /as/dev-b/other/x.cfg"]
--- error_code eval
[200, 404]
--- response_body_like eval
["\\Aother profile of 000e08abcdef\n\\z", $main::NOT_FOUND]
--- response_headers eval
["X-Uri: /o/000e08abcdef.cfg", "X-Uri: /other/x.cfg\nX-Prov-Id: 000e08abcdf0"]



=== TEST 19: nginx -t: prov_profile without "prov on"
--- http_config eval
ProvTest::backend(server => 'prov_id ST mac;', location => 'prov_profile /devices/$prov_id.cfg =404;')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
"prov_profile", "prov_uri_id" and "prov_ua_id" require "prov on"



=== TEST 20: nginx -t: prov_uri_id without "prov on"
--- http_config eval
ProvTest::backend(server => 'prov_id ST mac;', location => 'prov_uri_id "_(?<id>[0-9a-f]{12})";')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
"prov_profile", "prov_uri_id" and "prov_ua_id" require "prov on"



=== TEST 21: prov_profile in the server does not apply where a location turns the gate off
A status page or a bootstrap route under a server-level gate says "prov
off": what the gate would serve does not apply there either (it used to
fail nginx -t); the server's other locations keep it.
--- http_config eval
ProvTest::backend(
    server => 'prov on; prov_id ST mac; prov_profile /devices/$prov_id.cfg =404;',
    extra => 'location /open/ { prov off; }',
)
--- user_files eval
main::files(more => [['open/readme.txt', "open to all\n"]])
--- request eval
["GET /plain/open/readme.txt", "GET /as/dev-a/x.cfg", "GET /as/dev-b/open/readme.txt"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
["\\Aopen to all\n\\z", main::exactly(main::dev_profile($main::A)), "\\Aopen to all\n\\z"]



=== TEST 22: nginx -t: a candidate not starting with "/"
--- http_config eval
main::backend(profile => 'prov_profile devices/$prov_id.cfg =404;')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
profile uri "devices/$prov_id.cfg" must start with "/"



=== TEST 23: nginx -t: a candidate that is only a variable
--- http_config eval
main::backend(profile => 'prov_profile $prov_acl_profile /default.cfg =404;')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
profile uri "$prov_acl_profile" must start with "/"



=== TEST 24: nginx -t: a @named candidate before the last, or with =code
--- http_config eval
main::backend(profile => 'prov_profile /devices/$prov_id.cfg @x =404;')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
profile uri "@x" must start with "/"



=== TEST 25: nginx -t: a bad code
--- http_config eval
main::backend(profile => 'prov_profile /devices/$prov_id.cfg =40x;')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
invalid code "=40x"



=== TEST 26: nginx -t: a code and no candidate
--- http_config eval
main::backend(profile => 'prov_profile =404;')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
"prov_profile" needs a uri



=== TEST 27: nginx -t: prov_profile twice in a location
--- http_config eval
main::backend(profile => 'prov_profile /a.cfg =404; prov_profile /b.cfg =404;')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
"prov_profile" directive is duplicate



=== TEST 28: nginx -t: prov_profile at http level
--- http_config eval
"prov_profile /default.cfg;\n" . main::backend()
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
"prov_profile" directive is not allowed here



=== TEST 29: nginx -t: a bad variable in a candidate
--- http_config eval
main::backend(profile => 'prov_profile /devices/$prov_id.cfg /x/${foo =404;')
--- request
GET /as/dev-a/x.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
the closing bracket in "foo" variable is missing



=== TEST 30: a found candidate is served in place, as try_files does
The location that holds prov_profile serves the file: /devices/'s own
"return 418", which a redirect would run, does not apply.
--- skip_eval: 6: !ProvTest::nginx_debug()
--- http_config eval
main::backend(profile => $main::IN_PLACE, extra => $main::IN_PLACE_TARGETS)
--- request
GET /as/dev-a/spa962.cfg
--- error_code: 200
--- response_body eval
main::dev_profile($main::A)
--- response_headers
X-Uri: /devices/000e08abcdef.cfg
--- error_log eval
[
    'prov profile of "000e08abcdef": "/devices/000e08abcdef.cfg" in place',
    qr{prov profile: sending ".*/html/devices/000e08abcdef\.cfg"},
]
--- no_error_log
redirect to



=== TEST 31: the fallback is reached by an internal redirect
/fb/'s "return" answers for full (000e08abcd80, no file of its own).
--- skip_eval: 5: !ProvTest::nginx_debug()
--- http_config eval
main::backend(profile => $main::IN_PLACE, extra => $main::IN_PLACE_TARGETS)
--- request
GET /as/full/cp8841.cfg
--- error_code: 200
--- response_body
fallback /fb/000e08abcd80 for 000e08abcd80
--- response_headers
X-Uri: /fb/000e08abcd80
--- error_log
prov profile of "000e08abcd80": redirect to "/fb/000e08abcd80"
--- no_error_log
in place



=== TEST 32: the module sends the file it tested with the static module's headers
It opens the candidate to test it and sends it with that descriptor (no
second open; TEST 30 shows it): Content-Type from the candidate's
extension, Content-Length, Last-Modified, ETag and Accept-Ranges as
/static/ (the static module) sends the same file.  An empty profile: 200, empty.  A proxy_pass there
sends the request on (043-profile-delivery.t TEST 9).
--- http_config eval
main::backend(extra => $main::TARGETS . '
        location /xml/ {
            types { text/xml xml; }
            prov_profile /devices/$prov_id.xml =404;
        }

        location /static/ {
            prov off;
            types { text/xml xml; }
            alias $TEST_NGINX_SERVER_ROOT/html/;
        }
')
--- user_files eval
main::files(more => [
    ["devices/$main::A.xml", "<flat-profile/>\n", $main::DATE],
    ["devices/$main::B.xml", ""],
])
--- request eval
[
    "GET /as/dev-a/xml/spa962.xml",
    "GET /as/dev-a/static/devices/$main::A.xml",
    "HEAD /as/dev-a/xml/spa962.xml",
    "GET /as/dev-b/xml/spa962.xml",
    "GET /as/dev-b/static/devices/$main::B.xml",
]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body eval
["<flat-profile/>\n", "<flat-profile/>\n", "", "", ""]
--- response_headers eval
[
    ("Content-Type: text/xml\nContent-Length: 16\nLast-Modified: $main::LAST_MODIFIED\n"
     . sprintf("ETag: \"%x-10\"\nAccept-Ranges: bytes", main::timegm(33, 35, 19, 17, 0, 1998))) x 3,
    ("Content-Type: text/xml\nContent-Length: 0\nAccept-Ranges: bytes") x 2,
]
--- no_error_log
[error]



=== TEST 33: ranges of a profile the module sends
--- request eval
[
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-a/spa962.cfg",
]
--- more_headers eval
["Range: bytes=0-9", "Range: bytes=-6", "Range: bytes=100000-"]
--- error_code eval
[206, 206, 416]
--- response_body eval
[
    substr(main::dev_profile($main::A), 0, 10),
    substr(main::dev_profile($main::A), -6),
    qr/416 Requested Range Not Satisfiable/,
]
--- response_headers eval
[
    "Content-Range: bytes 0-9/" . length(main::dev_profile($main::A)),
    sprintf("Content-Range: bytes %d-%d/%d", length(main::dev_profile($main::A)) - 6,
            length(main::dev_profile($main::A)) - 1, length(main::dev_profile($main::A))),
    "Content-Range: bytes */" . length(main::dev_profile($main::A)),
]



=== TEST 34: a directory where the device's file should be: the next candidate
devices/000e08abcdef.cfg is a folder (it holds a file): dev-a gets its
model's profile (SPA-962), not the static module's 301.
--- user_files eval
[grep { $_->[0] ne "devices/$main::A.cfg" } @{ main::files(more => [["devices/$main::A.cfg/x", "not a profile\n"]]) }]
--- request
GET /as/dev-a/spa962.cfg
--- error_code: 200
--- response_body
model SPA-962
--- response_headers
X-Uri: /models/SPA-962.cfg
--- no_error_log
[error]
[crit]



=== TEST 35: open_file_cache, etag off: the module opens and sends through them
The second and third requests find the descriptor in the cache; ETag is
left out as the static module leaves it out.
--- http_config eval
main::backend(profile => 'open_file_cache max=16; etag off; ' . $main::CHAIN)
--- request eval
["GET /as/dev-a/spa962.cfg", "GET /as/dev-a/spa962.cfg", "HEAD /as/dev-b/spa962.cfg", "GET /as/full/spa962.cfg"]
--- error_code eval
[200, 200, 200, 200]
--- response_body eval
[main::dev_profile($main::A), main::dev_profile($main::A), "", "default profile\n"]
--- response_headers eval
[
    ("!ETag\nAccept-Ranges: bytes\nX-Uri: /devices/000e08abcdef.cfg") x 2,
    "!ETag\nContent-Length: " . length(main::dev_profile($main::B)),
    "!ETag\nX-Uri: /default.cfg",
]
--- no_error_log
[error]



=== TEST 36: open_file_cache: the module's own sending, in its debug line
The file TEST 35 gets is sent by the module, through the cache's
descriptor (an nginx built --with-debug only: the line is ngx_log_debug's).
--- skip_eval: 3: !ProvTest::nginx_debug()
--- http_config eval
main::backend(profile => 'open_file_cache max=16; etag off; ' . $main::CHAIN)
--- request
GET /as/dev-a/spa962.cfg
--- response_body eval
main::dev_profile($main::A)
--- error_log
prov profile: sending
