# Attacks on the fixes of c767938 (the header filter that checks the URI
# once more, refusals that stand, "prov off" leaving prov_uri_id), as a
# hostile device or a careless operator would try them.  Each block is a
# regression test: it passes once the module holds.
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

=== TEST 1: an allow of the access phase is lent to a "prov off" location of another list (X-Accel-Redirect)
"where the gate is off, $prov_* say what that location's own settings
say (a set at server level does not lend its outcome to a location of
another list)" (README, Security model).  c767938 stopped a variable-only
outcome from being lent, but any outcome the access phase reached is
returned by ngx_http_prov_variable_ctx() whatever the location's gate
("ctx->enforced ||"): an allow as much as a refusal.  /fw/ checks its own
list (dev-b unpaid, denied), as t/090 TEST 2 does; asked directly, dev-b
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






=== TEST 2: "prov off" in an error_page target drops the server's prov_uri_id: try_files there serves dev-b's file
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






=== TEST 3: a refusal of the header filter is counted as an allow by prov_status
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






=== TEST 4: error_page 403 to a proxied page: the header filter's refusal sends the device nothing
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






=== TEST 5: compiled in statically, the header filter is never called: try_files and prov_profile serve dev-b's file
Fails under "make test-asan" (and in every nginx built with "./configure
--add-module=...", which the README documents); passes with the dynamic
module.  config declares the module ngx_module_type=HTTP, so in a static
build it sits in ngx_modules[] before ngx_http_header_filter_module; its
postconfiguration saves ngx_http_top_header_filter (still NULL) as "next"
and installs ngx_http_prov_header_filter, and then
ngx_http_header_filter_module's init sets ngx_http_top_header_filter =
ngx_http_header_filter without chaining: the module's filter is dropped
from the chain, silently.  t/090 TESTS 5 and 6 fail the same way under
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



=== TEST 6: a no-break space after an id, as spreadsheets paste it, is kept in the id: the "deny" denies nothing
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
