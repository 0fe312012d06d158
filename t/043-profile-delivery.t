# What serves the profile prov_profile picked, and what sees the device
# there: a proxy_pass renderer that receives the device id
# (proxy_set_header X-Device-Id $prov_id), as the last candidate, as a
# @named location or as the only one; the $prov_* variables in the access
# log; per-device rate limits (limit_req_zone $prov_id); and the route of
# generic certificates to a shared bootstrap profile, which never reaches a
# per-device file; and the request line a proxy_pass in the location of a
# candidate served in place sends (TESTS 10-14): the candidate as it is,
# escaped as nginx escapes a rewritten URI, whatever the location's prefix
# and the URI part of proxy_pass (as after "rewrite ... break").
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly page);

our $A = '000e08abcdef';    # dev-a
our $B = '000e08abcdf0';    # dev-b

our $PROXY_HTTP = ProvTest::nginx_at_least('1.29.7') ? 'HTTP/1.1' : 'HTTP/1.0';

our $FORBIDDEN = '(?s)\A(?!.*secret-)' . $ProvTest::FORBIDDEN;
our $NOT_FOUND = page('404 Not Found');

# The renderer: another server of the same nginx, on a unix socket, that
# answers with what it was told.
our $RENDERER = <<'_EOC_';
    upstream pt_render {
        server unix:$TEST_NGINX_SERVER_ROOT/html/render.sock;
    }

    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/render.sock;

        location / {
            return 200 "rendered $request_uri for device=$http_x_device_id account=$http_x_account\n";
        }
    }
_EOC_

# The echo: the request line it received, exactly (a space in the URI
# included: nginx takes it).  $PROXY_HTTP: the protocol of proxy_pass's
# requests, HTTP/1.1 by default from nginx 1.29.7 on, HTTP/1.0 before.
our $ECHO = <<'_EOC_';
    upstream pt_echo {
        server unix:$TEST_NGINX_SERVER_ROOT/html/echo.sock;
    }

    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/echo.sock;

        location / {
            return 200 "$request\n";
        }
    }
_EOC_

our $ACL = <<"_EOC_";
$A allow account=1042
$B allow account=1043
000e08abcd80 allow account=1080
000e08abcd51 deny account=1051
_EOC_

our $LOG_FORMAT = <<'_EOC_';
    log_format prov '$request_uri -> $uri device=$prov_id result=$prov_result '
                    'model=$prov_cert_ou account=$prov_acl_account status=$status';
_EOC_

our $LOCATIONS = <<'_EOC_';
        location /devices/ {
            internal;
        }

        location /render/ {
            internal;
            proxy_set_header X-Device-Id $prov_id;
            proxy_set_header X-Account $prov_acl_account;
            proxy_pass http://pt_render;
        }

        location /named/ {
            prov_profile /devices/$prov_id.cfg @render;
        }

        location @render {
            proxy_set_header X-Device-Id $prov_id;
            proxy_set_header X-Account $prov_acl_account;
            proxy_pass http://pt_render;
        }

        location /only/ {
            prov_profile /render/$prov_id.cfg;
        }
_EOC_

# backend(http => more at http level, more => more in the server,
#         location => "location /", extra => more locations)
sub backend {
    my %o = (
        http => '',
        more => '',
        location => 'prov_uri_id "_(?<id>[0-9A-Fa-f:]{12,17})\.cfg$";'
                    . ' prov_profile /devices/$prov_id.cfg /render/$prov_id.cfg;',
        extra => '',
        @_,
    );
    my $more = delete $o{more};
    $o{http} = $RENDERER . $ECHO . $LOG_FORMAT . $o{http};
    $o{extra} = $LOCATIONS . $o{extra};
    return ProvTest::backend(
        verify => 'on',
        server => "prov on;\nprov_id ST mac;\nprov_generic ciscogeneric;\n"
                  . "prov_acl \$TEST_NGINX_SERVER_ROOT/html/acl;\n"
                  . "add_header X-Uri \"\$uri\" always;\n"
                  . "access_log \$TEST_NGINX_SERVER_ROOT/logs/prov.log prov;\n$more",
        %o,
    );
}

# the front, and /prov.log: the backend's access log
sub front {
    return ProvTest::front(extra => <<'_EOC_');
        location = /prov.log {
            alias $TEST_NGINX_SERVER_ROOT/logs/prov.log;
        }
_EOC_
}

sub files {
    return [
        ["devices/$A.cfg", dev_profile($A)],
        ["devices/$B.cfg", dev_profile($B)],
        ['acl', $ACL],
        @_,
    ];
}

ProvTest::defaults(
    http_config => backend(),
    config => front(),
    user_files => files(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: the renderer, as the last candidate, receives the device id
full (000e08abcd80) has no file: the renderer makes its profile.  A
client's own X-Device-Id is replaced; the request's arguments are kept.
--- more_headers eval
["", "", "X-Device-Id: 000e08abcdf0\nX-Account: 1043", ""]
--- request eval
[
    "GET /as/full/cp8841.cfg",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/full/cp8841.cfg?x=1",
    "GET /h2/full/cp8841.cfg",
]
--- error_code eval
[200, 200, 200, 200]
--- response_body eval
[
    "rendered /render/000e08abcd80.cfg for device=000e08abcd80 account=1080\n",
    main::dev_profile($main::A),
    "rendered /render/000e08abcd80.cfg?x=1 for device=000e08abcd80 account=1080\n",
    "rendered /render/000e08abcd80.cfg for device=000e08abcd80 account=1080\n",
]
--- response_headers eval
[
    "X-Uri: /render/000e08abcd80.cfg\nX-Prov-Id: 000e08abcd80\nX-Prov-Result: allow",
    "X-Uri: /devices/000e08abcdef.cfg",
    "X-Uri: /render/000e08abcd80.cfg",
    "X-Uri: /render/000e08abcd80.cfg\nX-Proto: HTTP/2.0",
]



=== TEST 2: the renderer asked for directly: 404; refused devices never reach it
--- request eval
[
    "GET /as/full/render/000e08abcd80.cfg",
    "GET /as/dev-a/render/000e08abcdf0.cfg",
    "GET /as/generic/cp8841.cfg",
    "GET /as/mac-colon/spa962.cfg",
    "GET /as/chain-c/spa962.cfg",
    "GET /as/full/spa962_000e08abcdf0.cfg",
]
--- error_code eval
[404, 404, 403, 403, 403, 403]
--- response_body_like eval
[($main::NOT_FOUND) x 2, ($main::FORBIDDEN) x 4]
--- response_headers eval
[
    "X-Uri: /render/000e08abcd80.cfg",
    "X-Uri: /render/000e08abcdf0.cfg",
    "X-Prov-Result: generic",
    "X-Prov-Result: denied",
    "X-Prov-Result: not_listed",
    "X-Prov-Result: uri_mismatch",
]



=== TEST 3: a @named renderer, and a renderer as the only candidate
--- request eval
[
    "GET /as/full/named/cp8841.cfg",
    "GET /as/dev-b/named/spa962.cfg",
    "GET /as/dev-a/only/spa962.cfg",
    "GET /h2/dev-b/only/x.cfg",
    "HEAD /as/dev-a/only/spa962.cfg",
    "POST /as/dev-a/only/spa962.cfg\nx=y",
]
--- error_code eval
[200, 200, 200, 200, 200, 405]
--- response_body_like eval
[
    "\\Arendered /named/cp8841\\.cfg for device=000e08abcd80 account=1080\n\\z",
    main::exactly(main::dev_profile($main::B)),
    "\\Arendered /render/000e08abcdef\\.cfg for device=000e08abcdef account=1042\n\\z",
    "\\Arendered /render/000e08abcdf0\\.cfg for device=000e08abcdf0 account=1043\n\\z",
    "\\A\\z",
    main::page('405 Not Allowed'),
]
--- response_headers eval
[
    "X-Uri: /named/cp8841.cfg\nX-Prov-Id: 000e08abcd80",
    "X-Uri: /devices/000e08abcdf0.cfg",
    "X-Uri: /render/000e08abcdef.cfg",
    "X-Uri: /render/000e08abcdf0.cfg",
    "X-Uri: /render/000e08abcdef.cfg",
    "X-Uri: /only/spa962.cfg",
]



=== TEST 4: the access log sees the device after the redirect, and every refusal
The last request reads the backend's access log through the front.
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
    "GET /as/full/cp8841.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/mac-colon/spa962.cfg",
    "GET /as/generic/spa962.cfg",
    "GET /as/dev-a/devices/000e08abcdf0.cfg",
    "GET /h2/dev-b/named/x.cfg",
    "GET /prov.log",
]
--- error_code eval
[200, 200, 403, 403, 403, 404, 200, 200]
--- response_body_like eval
[
    main::exactly(main::dev_profile($main::A)),
    main::exactly("rendered /render/000e08abcd80.cfg for device=000e08abcd80 account=1080\n"),
    ($main::FORBIDDEN) x 3,
    $main::NOT_FOUND,
    main::exactly(main::dev_profile($main::B)),
    main::exactly("/spa962_000e08abcdef.cfg -> /devices/000e08abcdef.cfg device=000e08abcdef result=allow model=SPA-962 account=1042 status=200\n"
  . "/cp8841.cfg -> /render/000e08abcd80.cfg device=000e08abcd80 result=allow model=CP-8841-3PCC account=1080 status=200\n"
  . "/spa962_000e08abcdf0.cfg -> /spa962_000e08abcdf0.cfg device=000e08abcdef result=uri_mismatch model=SPA-962 account=1042 status=403\n"
  . "/spa962.cfg -> /spa962.cfg device=000e08abcd51 result=denied model=SPA-962 account=1051 status=403\n"
  . "/spa962.cfg -> /spa962.cfg device=- result=generic model=cisco.com account=- status=403\n"
  . "/devices/000e08abcdf0.cfg -> /devices/000e08abcdf0.cfg device=000e08abcdef result=allow model=SPA-962 account=1042 status=404\n"
  . "/named/x.cfg -> /devices/000e08abcdf0.cfg device=000e08abcdf0 result=allow model=SPA-962 account=1043 status=200\n"),
]



=== TEST 5: per-device rate limit: limit_req_zone $prov_id where prov_profile is
One request a minute per device, whether a file or the renderer serves it:
dev-a's second is refused, dev-b's first is not, full's second (rendered)
is refused.
--- user_files eval
main::files(
    ["dev/$main::A.cfg", main::dev_profile($main::A)],
    ["dev/$main::B.cfg", main::dev_profile($main::B)],
)
--- http_config eval
main::backend(
    http => 'limit_req_zone $prov_id zone=dev:1m rate=1r/m;',
    extra => '
        location /limited/ {
            limit_req zone=dev;
            limit_req_status 429;
            prov_profile /dev/$prov_id.cfg /render/$prov_id.cfg;
        }

        location /dev/ {
            internal;
        }
',
)
--- request eval
[
    "GET /as/dev-a/limited/spa962.cfg",
    "GET /as/dev-a/limited/spa962.cfg",
    "GET /ka/dev-b/limited/spa962.cfg",
    "GET /h2/dev-a/limited/spa962.cfg",
    "GET /as/full/limited/cp8841.cfg",
    "GET /as/full/limited/cp8841.cfg",
    "GET /ka/dev-b/limited/spa962.cfg",
]
--- error_code eval
[200, 429, 200, 429, 200, 429, 429]
--- response_body_like eval
[
    main::exactly(main::dev_profile($main::A)),
    main::page('429 Too Many Requests'),
    main::exactly(main::dev_profile($main::B)),
    main::page('429 Too Many Requests'),
    "\\Arendered /render/000e08abcd80\\.cfg for device=000e08abcd80 account=1080\n\\z",
    main::page('429 Too Many Requests'),
    main::page('429 Too Many Requests'),
]
--- response_headers eval
[
    "X-Uri: /dev/000e08abcdef.cfg\nX-Prov-Id: 000e08abcdef",
    "X-Uri: /limited/spa962.cfg\nX-Prov-Id: 000e08abcdef",
    "X-Uri: /dev/000e08abcdf0.cfg\nX-Prov-Id: 000e08abcdf0",
    "X-Uri: /limited/spa962.cfg",
    "X-Uri: /render/000e08abcd80.cfg",
    "X-Uri: /limited/cp8841.cfg",
    "X-Uri: /limited/spa962.cfg",
]



=== TEST 6: the rate limit's log line names the device's zone
--- http_config eval
main::backend(
    http => 'limit_req_zone $prov_id zone=dev:1m rate=1r/m;',
    location => 'limit_req zone=dev; prov_profile /devices/$prov_id.cfg =404;',
)
--- request eval
["GET /as/dev-a/x.cfg", "GET /as/dev-a/y.cfg", "GET /as/dev-b/x.cfg", "GET /as/generic/x.cfg", "GET /as/generic/x.cfg"]
--- error_code eval
[200, 503, 200, 403, 403]
--- response_body_like eval
[
    main::exactly(main::dev_profile($main::A)),
    main::page('503 Service Temporarily Unavailable'),
    main::exactly(main::dev_profile($main::B)),
    $main::FORBIDDEN,
    $main::FORBIDDEN,
]



=== TEST 7: generic certificates: a shared bootstrap profile through error_page 403 = @bootstrap
The route of the README: the gate refuses the generic certificate, the
named location serves the bootstrap file to it and 403 to everyone else.
Whatever the generic device asks for, it never gets a per-device file.
--- http_config eval
ProvTest::backend(
    verify => 'on',
    http => $main::LOG_FORMAT,
    server => '
        prov_id ST mac;
        prov_generic ciscogeneric;
        prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;
        add_header X-Uri "$uri" always;
',
    location => '
            prov on;
            prov_uri_id "_(?<id>[0-9A-Fa-f:]{12,17})\.cfg$";
            prov_profile /devices/$prov_id.cfg =404;
            error_page 403 = @bootstrap;
',
    extra => '
        location /devices/ {
            internal;
        }

        location @bootstrap {
            if ($prov_result != generic) {
                return 403;
            }
            root $TEST_NGINX_SERVER_ROOT/html/bootstrap;
            try_files /upgrade.cfg =403;
        }
',
)
--- user_files eval
main::files(['bootstrap/upgrade.cfg', "upgrade firmware, then use your own certificate\n"])
--- request eval
[
    "GET /as/generic/spa962.cfg",
    "GET /as/generic/spa962_000e08abcdf0.cfg",
    "GET /as/generic/spa962_000e08abcdef.cfg",
    "GET /h2/generic/x.cfg",
    "GET /old/generic/spa962.cfg",
    "GET /as/generic/devices/000e08abcdf0.cfg",
    "GET /as/generic/bootstrap/upgrade.cfg",
    "GET /as/dev-a/spa962.cfg",
    "GET /as/dev-b/spa962.cfg",
    "GET /as/mac-colon/spa962.cfg",
    "GET /as/chain-c/spa962.cfg",
    "GET /as/two-st/spa962.cfg",
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
]
--- error_code eval
[200, 200, 200, 200, 200, 404, 200, 200, 200, 403, 403, 403, 403]
--- response_body_like eval
[
    ("\\Aupgrade firmware, then use your own certificate\n\\z") x 5,
    $main::NOT_FOUND,
    "\\Aupgrade firmware, then use your own certificate\n\\z",
    main::exactly(main::dev_profile($main::A)),
    main::exactly(main::dev_profile($main::B)),
    ($main::FORBIDDEN) x 4,
]
--- response_headers eval
[
    ("X-Prov-Id: \nX-Prov-Result: generic") x 5,
    "X-Uri: /devices/000e08abcdf0.cfg",
    "X-Prov-Result: generic",
    "X-Uri: /devices/000e08abcdef.cfg",
    "X-Uri: /devices/000e08abcdf0.cfg",
    "X-Prov-Result: denied",
    "X-Prov-Result: not_listed",
    "X-Prov-Result: bad_id",
    "X-Prov-Result: uri_mismatch",
]



=== TEST 8: generic certificates: a location of its own, without the gate
The bootstrap file is shared: any verified certificate may fetch it; the
per-device route stays closed to the generic certificate.
--- http_config eval
ProvTest::backend(
    verify => 'on',
    server => '
        prov_id ST mac;
        prov_generic ciscogeneric;
        add_header X-Uri "$uri" always;
',
    location => '
            prov on;
            prov_profile /devices/$prov_id.cfg =404;
',
    extra => '
        location /devices/ {
            internal;
        }

        location = /bootstrap.cfg {
        }
',
)
--- user_files eval
main::files(['bootstrap.cfg', "shared bootstrap\n"])
--- request eval
[
    "GET /as/generic/bootstrap.cfg",
    "GET /as/dev-a/bootstrap.cfg",
    "GET /as/generic/spa962.cfg",
    "GET /as/generic/devices/000e08abcdf0.cfg",
    "GET /as/dev-a/spa962.cfg",
]
--- error_code eval
[200, 200, 403, 404, 200]
--- response_body_like eval
[
    "\\Ashared bootstrap\n\\z",
    "\\Ashared bootstrap\n\\z",
    $main::FORBIDDEN,
    $main::NOT_FOUND,
    main::exactly(main::dev_profile($main::A)),
]
--- response_headers eval
[
    "X-Prov-Result: generic",
    "X-Prov-Result: allow",
    "X-Prov-Result: generic",
    "X-Uri: /devices/000e08abcdf0.cfg",
    "X-Uri: /devices/000e08abcdef.cfg",
]



=== TEST 9: a proxy_pass where prov_profile is gets the picked URI, never the device's
A file candidate is served in place; a proxy_pass without a URI part in
that location would send the request's own URI: it sends the candidate,
with the request's arguments (as try_files does).
--- http_config eval
main::backend(extra => '
        location /pp/ {
            prov_profile /devices/$prov_id.cfg =404;
            proxy_set_header X-Device-Id $prov_id;
            proxy_pass http://pt_render;
        }
')
--- request eval
["GET /as/dev-a/pp/spa962_000e08abcdf0.cfg", "GET /as/dev-b/pp/x.cfg?u=000e08abcdef"]
--- error_code eval
[200, 200]
--- response_body eval
[
    "rendered /devices/000e08abcdef.cfg for device=000e08abcdef account=\n",
    "rendered /devices/000e08abcdf0.cfg?u=000e08abcdef for device=000e08abcdf0 account=\n",
]



=== TEST 10: proxy_pass with a URI part, a location prefix longer than the candidate: no crash
nginx's proxy module puts the URI part of proxy_pass in place of the
location's prefix, which it cuts off the URI: /provisioning/devices/ is
longer than /d/<id>, and the worker died (SIGSEGV) on every allowed
request.  The backend receives the candidate as it is, the URI part
ignored, as after "rewrite ... break"; the request's arguments are kept.
--- http_config eval
main::backend(extra => '
        location /provisioning/devices/ {
            prov_profile /d/$prov_id =404;
            proxy_pass http://pt_echo/render/;
        }
')
--- user_files eval
main::files(["d/$main::A", "a\n"], ["d/$main::B", "b\n"])
--- request eval
[
    "GET /as/dev-a/provisioning/devices/spa962.cfg",
    "GET /as/dev-b/provisioning/devices/x.cfg?a=1",
    "GET /h2/dev-a/provisioning/devices/spa962.cfg",
    "GET /as/full/provisioning/devices/cp8841.cfg",
]
--- error_code eval
[200, 200, 200, 404]
--- response_body_like eval
[
    main::exactly("GET /d/000e08abcdef $main::PROXY_HTTP\n"),
    main::exactly("GET /d/000e08abcdf0?a=1 $main::PROXY_HTTP\n"),
    main::exactly("GET /d/000e08abcdef $main::PROXY_HTTP\n"),
    $main::NOT_FOUND,
]
--- response_headers eval
[
    "X-Uri: /d/000e08abcdef\nX-Prov-Result: allow",
    "X-Uri: /d/000e08abcdf0",
    "X-Uri: /d/000e08abcdef",
    "X-Uri: /provisioning/devices/cp8841.cfg",
]
--- no_error_log
[alert]
exited on signal



=== TEST 11: proxy_pass with a URI part, a location prefix shorter than the candidate
The proxy module cut as many bytes off the candidate as the prefix has,
whatever they were: /p/ made /devices/<id>.cfg into /render/vices/<id>.cfg,
and /d/ made /d/<id> into /render/<id>.  The backend receives the
candidate, whatever the prefix.
--- http_config eval
main::backend(extra => '
        location /p/ {
            prov_profile /devices/$prov_id.cfg =404;
            proxy_pass http://pt_echo/render/;
        }

        location /d/ {
            prov_profile /d/$prov_id =404;
            proxy_pass http://pt_echo/render/;
        }
')
--- user_files eval
main::files(["d/$main::A", "a\n"])
--- request eval
[
    "GET /as/dev-a/p/spa962.cfg",
    "GET /as/dev-b/p/x.cfg?k=v",
    "GET /as/dev-a/d/x?k=v",
    "GET /as/dev-b/d/x",
]
--- error_code eval
[200, 200, 200, 404]
--- response_body_like eval
[
    main::exactly("GET /devices/000e08abcdef.cfg $main::PROXY_HTTP\n"),
    main::exactly("GET /devices/000e08abcdf0.cfg?k=v $main::PROXY_HTTP\n"),
    main::exactly("GET /d/000e08abcdef?k=v $main::PROXY_HTTP\n"),
    $main::NOT_FOUND,
]
--- no_error_log
[alert]
exited on signal



=== TEST 12: proxy_pass without a URI part, with variables: the candidate
--- http_config eval
main::backend(extra => '
        location /np/ {
            prov_profile /devices/$prov_id.cfg =404;
            proxy_pass http://pt_echo;
        }

        location /nv/ {
            set $up pt_echo;
            prov_profile /devices/$prov_id.cfg =404;
            proxy_pass http://$up;
        }
')
--- request eval
[
    "GET /as/dev-a/np/spa962.cfg",
    "GET /as/dev-b/np/x.cfg?k=v",
    "GET /as/dev-a/nv/spa962.cfg",
    "GET /h2/dev-b/nv/x.cfg?k=v",
]
--- error_code eval
[200, 200, 200, 200]
--- response_body_like eval
[
    main::exactly("GET /devices/000e08abcdef.cfg $main::PROXY_HTTP\n"),
    main::exactly("GET /devices/000e08abcdf0.cfg?k=v $main::PROXY_HTTP\n"),
    main::exactly("GET /devices/000e08abcdef.cfg $main::PROXY_HTTP\n"),
    main::exactly("GET /devices/000e08abcdf0.cfg?k=v $main::PROXY_HTTP\n"),
]
--- no_error_log
[alert]
exited on signal



=== TEST 13: a space from the certificate (OU "VVX 411") reaches the backend escaped
The candidate /models/$prov_cert_ou.cfg is /models/VVX 411.cfg: a
proxy_pass sent "GET /models/VVX 411.cfg HTTP/1.0", a request line with
two spaces in it.  It is escaped as nginx escapes a rewritten URI, with or
without a URI part, in a prefix or a regex location; the file itself is
found and served under its own name.
--- http_config eval
ProvTest::backend(
    verify => 'on',
    http => $main::ECHO,
    server => '
        prov on;
        prov_id CN mac;
        add_header X-Uri "$uri" always;
',
    extra => '
        location /m/ {
            prov_profile /models/$prov_cert_ou.cfg =404;
            proxy_pass http://pt_echo;
        }

        location /mu/ {
            prov_profile /models/$prov_cert_ou.cfg =404;
            proxy_pass http://pt_echo/render/;
        }

        location ~ ^/rx/ {
            prov_profile /models/$prov_cert_ou.cfg =404;
            proxy_pass http://pt_echo;
        }

        location /f/ {
            prov_profile /models/$prov_cert_ou.cfg =404;
        }
',
)
--- user_files eval
[["models/VVX 411.cfg", "polycom VVX 411\n"]]
--- request eval
[
    "GET /as/polycom/m/x.cfg",
    "GET /as/polycom/mu/x.cfg?a=b",
    "GET /as/polycom/rx/x.cfg",
    "GET /h2/polycom/m/x.cfg",
    "GET /as/polycom/f/x.cfg",
]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
[
    main::exactly("GET /models/VVX%20411.cfg $main::PROXY_HTTP\n"),
    main::exactly("GET /models/VVX%20411.cfg?a=b $main::PROXY_HTTP\n"),
    main::exactly("GET /models/VVX%20411.cfg $main::PROXY_HTTP\n"),
    main::exactly("GET /models/VVX%20411.cfg $main::PROXY_HTTP\n"),
    main::exactly("polycom VVX 411\n"),
]
--- response_headers eval
[
    "X-Uri: /models/VVX 411.cfg\nX-Prov-Id: 0004f2abcdef",
    "X-Uri: /models/VVX 411.cfg",
    "X-Uri: /models/VVX 411.cfg",
    "X-Uri: /models/VVX 411.cfg",
    "X-Uri: /models/VVX 411.cfg",
]
--- no_error_log
[alert]
exited on signal



=== TEST 14: with rewrite, in a regex location, with a @named fallback
A "rewrite ... last" into the location of TEST 10 crashed the worker as
well; after "rewrite ... break" the backend already received the whole
URI.  A @named fallback receives the request's own URI, as nginx sends it
to a named location (the candidate was not picked).
--- http_config eval
main::backend(extra => '
        location /provisioning/devices/ {
            prov_profile /d/$prov_id =404;
            proxy_pass http://pt_echo/render/;
        }

        location /rw/ {
            rewrite ^/rw/(.*)$ /provisioning/devices/$1 last;
        }

        location /rb/ {
            rewrite ^/rb/(.*)$ /provisioning/devices/$1 break;
            prov_profile /d/$prov_id =404;
            proxy_pass http://pt_echo/render/;
        }

        location ~ ^/rx/ {
            prov_profile /d/$prov_id =404;
            proxy_pass http://pt_echo;
        }

        location /nf/ {
            prov_profile /d/$prov_id @echo;
            proxy_pass http://pt_echo/render/;
        }

        location @echo {
            proxy_pass http://pt_echo;
        }
')
--- user_files eval
main::files(["d/$main::A", "a\n"], ["d/$main::B", "b\n"])
--- request eval
[
    "GET /as/dev-a/rw/spa962.cfg",
    "GET /as/dev-b/rw/x.cfg?k=v",
    "GET /as/dev-a/rb/spa962.cfg",
    "GET /as/dev-b/rx/x.cfg?k=v",
    "GET /as/dev-a/nf/spa962.cfg",
    "GET /as/full/nf/cp8841.cfg?k=v",
]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
[
    main::exactly("GET /d/000e08abcdef $main::PROXY_HTTP\n"),
    main::exactly("GET /d/000e08abcdf0?k=v $main::PROXY_HTTP\n"),
    main::exactly("GET /d/000e08abcdef $main::PROXY_HTTP\n"),
    main::exactly("GET /d/000e08abcdf0?k=v $main::PROXY_HTTP\n"),
    main::exactly("GET /d/000e08abcdef $main::PROXY_HTTP\n"),
    main::exactly("GET /nf/cp8841.cfg?k=v $main::PROXY_HTTP\n"),
]
--- no_error_log
[alert]
exited on signal



=== TEST 15: error_page 403 to a page whose location has other gate settings: the log keeps the refusal
Issue 13, item 2: "/403.html" has no prov_uri_id and the server's list
(no pin), so its gate allows dev-a; the access log said "status=403
result=allow" for a request refused as uri_mismatch or pin_mismatch, and a
refusal log filtered on $prov_result missed it.  $prov_result keeps the
first verdict.  A page in a location with "prov off" is served (with its
403 status); one the gate covers is refused as well, so nginx sends its own
page (the refusal stands through error_page).
--- http_config eval
main::backend(more => 'error_page 403 /403.html;', extra => "
        location = /403.html {
            prov off;
            add_header X-Prov-Result \$prov_result always;
        }

        location = /gated403.html {
            add_header X-Prov-Result \$prov_result always;
        }

        location /pinned/ {
            error_page 403 /gated403.html;
            prov_acl \$TEST_NGINX_SERVER_ROOT/html/pin.acl;
            prov_profile /devices/\$prov_id.cfg =404;
        }
")
--- user_files eval
main::files(
    ['403.html', "refused\n"],
    ['gated403.html', "refused, gated\n"],
    ['pin.acl', "$main::A allow sha256=" . ProvTest::fingerprint('dev-b') . "\n"],
)
--- request eval
[
    "GET /as/dev-a/spa962_000e08abcdf0.cfg",
    "GET /as/dev-a/pinned/spa962.cfg",
    "GET /as/dev-a/spa962_000e08abcdef.cfg",
    "GET /prov.log",
]
--- error_code eval
[403, 403, 200, 200]
--- response_headers eval
[
    "X-Prov-Result: uri_mismatch",
    "X-Prov-Result: pin_mismatch",
    "X-Prov-Result: allow",
    "",
]
--- response_body_like eval
[
    main::exactly("refused\n"),
    '<center><h1>403 Forbidden</h1></center>',
    main::exactly(main::dev_profile($main::A)),
    main::exactly("/spa962_000e08abcdf0.cfg -> /403.html device=000e08abcdef result=uri_mismatch model=SPA-962 account=1042 status=403\n"
  . "/pinned/spa962.cfg -> /gated403.html device=000e08abcdef result=pin_mismatch model=SPA-962 account=- status=403\n"
  . "/spa962_000e08abcdef.cfg -> /devices/000e08abcdef.cfg device=000e08abcdef result=allow model=SPA-962 account=1042 status=200\n"),
]
--- no_error_log
[alert]
