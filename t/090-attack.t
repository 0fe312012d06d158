# Attacks on what issue 12 changed, as a hostile device or a careless
# operator would try them: TESTS 1-9 from a first review, TESTS 10-15 from
# a second one, on the fixes of the first (commit c767938: the URI checked
# once more, refusals that stand, "prov off" leaving prov_uri_id).  Each
# block is a regression test: it passes once the module holds.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly);

our $A = '000e08abcdef';    # dev-a, serial 1001
our $B = '000e08abcdf0';    # dev-b, serial 1002

# not a byte of dev-b's profile
our $NO_B = '(?s)\A(?!.*secret-' . $B . ')';
our $FORBIDDEN = $NO_B . $ProvTest::FORBIDDEN;

our $URI_ID = 'prov_uri_id "_(?<id>[0-9A-Fa-f:]{12,17})\.cfg$";';

# a renderer: another server of the same nginx, on a unix socket
sub renderer {
    my ($location) = @_;
    return <<"_EOC_";
    server {
        listen unix:\$TEST_NGINX_SERVER_ROOT/html/render.sock;
        location / {
$location
        }
    }
_EOC_
}

our $RENDER = 'http://unix:$TEST_NGINX_SERVER_ROOT/html/render.sock';

# Cisco-named profiles served as files, dev-a's and dev-b's
sub spa_files {
    return [
        ["spa962_$A.cfg", dev_profile($A)],
        ["spa962_$B.cfg", dev_profile($B)],
        ['profile.cfg', $ProvTest::PROFILE],
        @_,
    ];
}

ProvTest::defaults(
    config => ProvTest::raw_front(),
    user_files => spa_files(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a uri_mismatch refusal sticks through error_page into a location of another gate
"Once refused, a request stays refused through error_page and other
redirects" (README, prov_uri_id).  The refusal found in "location /" is
kept in the request's context, but the context is thrown away as soon as a
location with other gate settings (here its own prov_acl) evaluates the
gate: the named location gets "allow" and serves the URI dev-a asked for,
dev-b's profile.
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac;', location => "
            $main::URI_ID
            error_page 403 = \@other;
", extra => '
        location @other {
            # devices the main list does not know still get their file
            prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;
        }
')
--- user_files eval
main::spa_files(['acl', "000e08abcd99 deny\n"])
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, main::exactly(main::dev_profile($main::A))]



=== TEST 2: $prov_result where the gate is off: another gate's verdict, read earlier, is not this location's
"Where the gate is off but a prov_id applies, they say what the gate
would" (README, Variables).  /fw/ checks its own list through
$prov_result, as the README's @bootstrap recipe checks the gate's result.
A "set $device $prov_id;" at server level (the README's own example)
evaluates the server's gate first; the variables then keep that gate's
verdict in /fw/, whose list denies dev-b: dev-b gets the firmware profile.
--- http_config eval
ProvTest::backend(server => '
        prov on;
        prov_id ST mac;
        set $device $prov_id;
', extra => '
        location /fw/ {
            prov off;
            prov_acl $TEST_NGINX_SERVER_ROOT/html/fw.acl;
            if ($prov_result != "allow") {
                return 403;
            }
        }
')
--- user_files eval
main::spa_files(
    ['fw.acl', "000e08abcdef allow\n000e08abcdf0 deny   # unpaid\n"],
    ['fw/fw.cfg', "firmware for paying devices\n"],
)
--- request eval
[
    "GET /as/dev-b/fw/fw.cfg",
    "GET /h2/dev-b/fw/fw.cfg",
    "GET /as/dev-a/fw/fw.cfg",
]
--- error_code eval
[403, 403, 200]
--- response_headers eval
[
    "X-Prov-Result: denied",
    "X-Prov-Result: denied",
    "X-Prov-Result: allow",
]



=== TEST 3: an auth_request subrequest checking its own list reads the main request's gate
The subrequest shares the main request's pool, where the module finds the
context of the gate that ran in "location /" (every device allowed): the
check location's own list (dev-b denied) is never consulted, and dev-b
passes.  (The access phase does not run in subrequests, so a "prov on"
there would do nothing either: a variable is the only way such a check can
be written.)
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac;', location => '
            auth_request /check;
', extra => '
        location = /check {
            internal;
            prov off;
            prov_acl $TEST_NGINX_SERVER_ROOT/html/paid.acl;
            if ($prov_result != "allow") {
                return 403;
            }
            return 204;
        }
')
--- user_files eval
main::spa_files(['paid.acl', "000e08abcdef allow\n000e08abcdf0 deny   # unpaid\n"])
--- request eval
[
    "GET /as/dev-b/profile.cfg",
    "GET /as/dev-a/profile.cfg",
]
--- error_code eval
[403, 200]



=== TEST 4: a URI whose check fails in PCRE is escaped in the alert line: no forged log line
An operator's prov_uri_id that backtracks (here "(?:a|aa)+") exceeds
PCRE's match limit on a long run of "a"; the module answers 500 (it fails
closed) and logs "pcre2_match() failed: -47 on "<uri>"" (PCRE1:
"pcre_exec() failed: -8", its PCRE_ERROR_MATCHLIMIT) with the decoded
URI as it is: a %0A in the request starts a line of the device's choosing
in the error log (the one fail2ban reads).  Every other line of the module
escapes URIs as \xHH.  (Logged at error level and above only: nginx's own
debug lines print the URI raw too.)
--- log_level: error
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac;', location => '
            prov_uri_id "^/(?<id>(?:a|aa)+)b";
')
--- request eval
"GET /raw?d=dev-a&p=/" . ("a" x 40)
    . "c%0A2000/01/01%2000:00:00%20[error]%201%231:%20forged%20b"
--- error_code: 500
--- error_log eval
qr/\[alert\] .*failed: -(?:47|8) on /
--- no_error_log eval
qr/^2000\/01\/01 00:00:00 \[error\] 1#1: forged/



=== TEST 5: try_files changes the URI after the access phase: the URI check never sees it
The README's Cisco regex ("_(?<id>...)\.cfg$") and a try_files that adds
the extension, for devices whose profile rule asks without it: dev-a asks
for /spa962_<dev-b>, which names no device by the regex, passes the check,
and try_files then serves /spa962_<dev-b>.cfg in place (try_files only
redirects to its last parameter), without the access phase running again.
The check should see the URI that is served (for instance once more in a
header filter, where r->uri is final), or refuse at least what is served
in place after it.
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac;', location => "
            $main::URI_ID
            try_files \$uri \$uri.cfg =404;
")
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0",
    "GET /h2/dev-a/spa962_000e08abcdf0",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdef",
]
--- error_code eval
[403, 403, 403, 200]
--- response_body_like eval
[
    ($main::FORBIDDEN) x 3,
    main::exactly(main::dev_profile($main::A)),
]



=== TEST 6: prov_profile with a capture of the request URI: the candidate is never checked against prov_uri_id
prov_profile's URIs may use captures (README); a device whose firmware asks
/cfg/<mac> (no extension) is served /spa962_<mac>.cfg.  The server's
prov_uri_id (the README's Cisco regex) does not recognise /cfg/<dev-b> as
naming a device, so dev-a is served dev-b's file by the module's own
directive, "so that the device receives its own profile and nothing else".
prov_profile knows the location's prov_uri_id: a candidate that names
another device by it could be skipped, or refused as uri_mismatch (here
both answer 403: the file tree is named like the URIs prov_uri_id
protects).
--- http_config eval
ProvTest::backend(server => "prov on; prov_id ST mac; $main::URI_ID", extra => '
        location ~ "^/cfg/(?<mac>[0-9a-f]{12})$" {
            prov_profile /spa962_$mac.cfg =403;
        }
')
--- request eval
[
    "GET /as/dev-a/cfg/000e08abcdf0",
    "GET /as/dev-a/cfg/000e08abcdef",
]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, main::exactly(main::dev_profile($main::A))]



=== TEST 7: a byte order mark inside an id is refused as at the start of one
The loader refuses U+FEFF at the start of a line's first token, since
"kept in an id no certificate carries, it would make a 'deny' line
silently deny nothing" (ngx_http_prov_acl.c); the same mark after the id
(a list pasted together from a spreadsheet or a UTF-8 file per device) is
kept in the id under "prov_id CN": dev-a's "deny" denies nothing, and with
default=allow dev-a gets its profile.
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN;
        prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::spa_files(['acl', "000e08abcdf0 allow\n000e08abcdef\xef\xbb\xbf deny  # stolen\n"])
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*\/acl:2: /



=== TEST 8: a regular file whose size reads 0 (procfs, some FUSE file systems) is not an empty list
The loader reads st_size bytes: /proc/self/status, a regular file of
"size" 0 full of lines, loads as a list of no device, silently, and under
default=allow every device is allowed.  Read to the end of the file (its
lines are no list: nginx -t must fail), or refuse a size that does not
match what is read.
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac;
        prov_acl /proc/self/status default=allow;')
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*\/proc\/self\/status/



=== TEST 9: the README's prov_status location ("prov off") where prov_uri_id is set at server level
prov_uri_id and prov_profile are allowed in server context, and the README
protects prov_status with "prov off; # where the gate is on at server
level" (its @bootstrap recipe says "prov off" too).  With a server-level
prov_uri_id (or prov_profile) the inherited setting makes nginx -t fail:
""prov_profile" and "prov_uri_id" require "prov on"".  A location that
turns the gate off could leave them unused instead.  (The last block:
nginx does not start on main, and the harness stops there.)
--- http_config eval
ProvTest::backend(server => "prov on; prov_id ST mac; $main::URI_ID", extra => '
        location = /prov-status {
            prov off;
            prov_status;
        }
')
--- request
GET /plain/prov-status
--- error_code: 200
--- response_body_like eval
'\A\{"requests":\{"allow":0,'



=== TEST 10: an allow of the access phase is lent to a "prov off" location of another list (X-Accel-Redirect)
"where the gate is off, $prov_* say what that location's own settings
say (a set at server level does not lend its outcome to a location of
another list)" (README, Security model).  c767938 stopped a variable-only
outcome from being lent, but any outcome the access phase reached is
returned by ngx_http_prov_variable_ctx() whatever the location's gate
("ctx->enforced ||"): an allow as much as a refusal.  /fw/ checks its own
list (dev-b unpaid, denied), as TEST 2 does; asked directly, dev-b
gets 403.  But the renderer behind "location /" (every device allowed)
hands the firmware to nginx with X-Accel-Redirect, as renderers do: the
access phase of "location /" allowed dev-b, /fw/ reads that allow, and
dev-b gets the firmware of paying devices.  (A refusal may stand across
gates; an allow should stand only under its own gate: evaluate /fw/'s
gate when ctx->gate differs and the outcome is an allow.)
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id ST mac;', location => "
            proxy_pass $main::RENDER;
", extra => '
        location /fw/ {
            prov off;
            prov_acl $TEST_NGINX_SERVER_ROOT/html/fw.acl;
            if ($prov_result != "allow") {
                return 403;
            }
        }
', http => main::renderer('
            add_header X-Accel-Redirect /fw/fw.cfg;
            return 200 "see the firmware\n";
'))
--- user_files eval
main::spa_files(
    ['fw.acl', "000e08abcdef allow\n000e08abcdf0 deny   # unpaid\n"],
    ['fw/fw.cfg', "firmware for paying devices\n"],
)
--- request eval
[
    "GET /as/dev-b/fw/fw.cfg",
    "GET /as/dev-b/upgrade",
    "GET /as/dev-a/upgrade",
]
--- error_code eval
[403, 403, 200]
--- response_headers eval
[
    "X-Prov-Result: denied",
    "X-Prov-Result: denied",
    "X-Prov-Result: allow",
]






=== TEST 11: "prov off" in an error_page target drops the server's prov_uri_id: try_files there serves dev-b's file
c767938 lets a location say "prov off" under a server-level prov_uri_id
(before, nginx -t refused it), and the README writes "prov off" in
error_page targets ("else a server-level prov on refuses it again").  In
such a named location the inherited prov_uri_id is gone, so the header
filter ("plcf->uri_id == NULL") does not look at what try_files serves in
place there: dev-a asks /spa962_<dev-b> (no extension: names no device,
the access phase allows it), the static module answers 404, error_page
goes to @missing, whose try_files serves /spa962_<dev-b>.cfg.  Without the
"prov off" the same location refuses (header filter, 403).  A request the
access phase allowed under a prov_uri_id could keep that prov_uri_id for
what it is served in place later (remember it in the context), whatever
the redirect target says; or "prov off" could keep an inherited
prov_uri_id for requests that an access phase already decided.
--- http_config eval
ProvTest::backend(server => "prov on; prov_id ST mac; $main::URI_ID
        error_page 404 = \@missing;", extra => '
        location @missing {
            prov off;
            try_files $uri.cfg =404;
        }
')
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0",
    "GET /as/dev-a/spa962_000e08abcdef",
]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, main::exactly(main::dev_profile($main::A))]






=== TEST 12: a refusal of the header filter is counted as an allow by prov_status
"Each request is counted once, when the gate decides it" (README,
prov_status).  The access phase counts "allow" before try_files serves
dev-b's file; the header filter then refuses it (uri_mismatch, 403, the
fail2ban line) but the counters say allow: a dashboard or alert on
uri_mismatch, an attack signal, never sees these.  Count the refusal
instead (move the count from allow to uri_mismatch, or count once the
answer is known, in the log phase).
--- http_config eval
ProvTest::backend(server => "prov on; prov_id ST mac; $main::URI_ID", location => '
            try_files $uri $uri.cfg =404;
', extra => '
        location = /prov-status {
            prov off;
            prov_status;
        }
')
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0",
    "GET /plain/prov-status",
]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, '"allow":0,.*"uri_mismatch":1,']






=== TEST 13: error_page 403 to a proxied page: the header filter's refusal sends the device nothing
The header filter refuses through ngx_http_filter_finalize_request(),
which follows error_page from inside the filter; its NGX_ERROR then makes
the content handler's caller terminate the request.  A static error page
is sent before that happens, but a proxied one (a branded refusal page
from a renderer, a @bootstrap route that proxies) is cut: the request is
terminated while its upstream is being connected, and the device gets an
empty reply (the front answers 502).  The same URI refused in the access
phase (first request) gets the proxied page.  (Every refusal by the
filter also closes an HTTP/1.1 keep-alive connection.)  Checking the URI
at the end of the precontent phase (after try_files, as a handler that
runs after it) and answering 403 from the phase engine would keep
error_page, keep-alive and the logs as for any other refusal.
--- http_config eval
ProvTest::backend(server => "prov on; prov_id ST mac; $main::URI_ID", location => '
            try_files $uri $uri.cfg =404;
            error_page 403 /errors/403;
', extra => "
        location /errors/ {
            internal;
            prov off;
            proxy_pass $main::RENDER;
        }
", http => main::renderer('
            return 403 "rendered refusal\n";
'))
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0",
]
--- error_code eval
[403, 403]
--- response_body eval
["rendered refusal\n", "rendered refusal\n"]






=== TEST 14: compiled in statically, the header filter is never called: try_files and prov_profile serve dev-b's file
Fails under "make test-asan" (and in every nginx built with "./configure
--add-module=...", which the README documents); passes with the dynamic
module.  config declares the module ngx_module_type=HTTP, so in a static
build it sits in ngx_modules[] before ngx_http_header_filter_module; its
postconfiguration saves ngx_http_top_header_filter (still NULL) as "next"
and installs ngx_http_prov_header_filter, and then
ngx_http_header_filter_module's init sets ngx_http_top_header_filter =
ngx_http_header_filter without chaining: the module's filter is dropped
from the chain, silently.  TESTS 5 and 6 fail the same way under
make test-asan.  The filter belongs in a module of its own declared
HTTP_FILTER in config (ngx_module_type=HTTP_FILTER, as
ngx_http_ssi_filter_module and the like; for a static build,
HTTP_FILTER_MODULES), or the check in a phase handler.
--- http_config eval
ProvTest::backend(server => "prov on; prov_id ST mac; $main::URI_ID", location => '
            try_files $uri $uri.cfg =404;
', extra => '
        location ~ "^/cfg/(?<mac>[0-9a-f]{12})$" {
            prov_profile /spa962_$mac.cfg =403;
        }
')
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0",
    "GET /h2/dev-a/spa962_000e08abcdf0",
    "GET /as/dev-a/cfg/000e08abcdf0",
    "GET /as/dev-a/spa962_000e08abcdef",
]
--- error_code eval
[403, 403, 403, 200]
--- response_body_like eval
[
    ($main::FORBIDDEN) x 3,
    main::exactly(main::dev_profile($main::A)),
]



=== TEST 15: a no-break space after an id, as spreadsheets paste it, is kept in the id: the "deny" denies nothing
c767938 refuses a byte order mark anywhere in an id because "kept in an
id no certificate carries, it would make a deny line silently deny
nothing".  U+00A0 (no-break space: what a list pasted from a spreadsheet
or a web page carries between columns) is the same trap: under "prov_id
CN" the id "000e08abcdef<NBSP>" loads, dev-a's "deny" denies nothing, and
with default=allow dev-a gets its profile.  So do U+200B, U+2060, U+200E
and the other invisible format characters.  Refuse them in an id (or any
byte outside printable ASCII in ids of lists that no regex or "mac"
constrains), with the line number.
--- http_config eval
ProvTest::backend(server => 'prov on; prov_id CN;
        prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::spa_files(['acl', "000e08abcdf0 allow\n000e08abcdef\xc2\xa0 deny  # stolen\n"])
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*\/acl:2: /
