# prov_profile candidates stay safe URIs whatever their variables hold:
# values from the certificate ($prov_cert_<attr>), from the access list
# ($prov_acl_<key>) and from the request URI (location captures) that bring
# a "/", a "." or ".." segment, "%", "?", "#", "\" or a control character
# make the candidate unsafe: it is skipped with a warning
#   prov: unsafe profile uri "<uri>" skipped for device "<id>"
# and the next candidate (or the =code) answers.  Every unsafe candidate
# here points at a trap: a file holding dev-b's profile where the
# unchecked URI would lead.  No request may yield a byte of it.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly page);

our $A = '000e08abcdef';    # dev-a
our $B = '000e08abcdf0';    # dev-b

our $NOT_FOUND = page('404 Not Found');
our $DEFAULT = "default profile\n";

# the warning of a skipped candidate
sub unsafe {
    my ($uri, $id) = @_;
    return qq{prov: unsafe profile uri "$uri" skipped for device "$id"};
}

# a trap: dev-b's profile under another name
sub trap { [shift, dev_profile($B)] }

our $TARGETS = ProvTest::internal(qw(/devices/ /models/ /byst/ /profiles/
                                     /groups/ /shared/), '= /default.cfg');

# backend(id => prov_id directive, more => more server text, location =>
# text of "location /", extra => more locations (after the targets))
sub backend {
    my %o = (id => 'prov_id ST mac;', more => '', location => 'return 404;', extra => '', @_);
    my $id = delete $o{id};
    my $more = delete $o{more};
    $o{extra} = $TARGETS . $o{extra};
    return ProvTest::backend(
        verify => 'on',
        server => "prov on;\n$id\nprov_generic ciscogeneric;\n"
                  . "add_header X-Uri \"\$uri\" always;\n$more",
        %o,
    );
}

# the profiles of ProvTest::profile_files() (default.cfg: $DEFAULT), and
# more [name, body] pairs
sub files { ProvTest::profile_files(more => [@_]) }

# Certificate attributes: prov_id L (the serial number, a literal id), so
# that certificates whose ST or OU is odd pass the gate.
our $CERT_LOCATIONS = <<'_EOC_';
        location /st/ {
            prov_profile /byst/$prov_cert_st/p.cfg /default.cfg =404;
        }

        location /ou/ {
            prov_profile /models/$prov_cert_ou.cfg /default.cfg =404;
        }

        location /cn/ {
            prov_profile /devices/$prov_cert_cn.cfg /default.cfg =404;
        }
_EOC_

our @CERT_TRAPS = (
    trap('p.cfg'),                                  # /byst/../p.cfg
    trap('byst/p.cfg'),                             # /byst/./p.cfg
    trap("$B/p.cfg"),                               # /byst/../<b>/p.cfg
    trap("byst/..\\$B/p.cfg"),                      # /byst/..\<b>/p.cfg
    trap("models/SPA-962/ST=$B.cfg"),               # /models/SPA-962/ST=<b>.cfg
    trap("$B.cfg"),                                 # /devices/../<b>.cfg
    ['byst/000e08abcdc1/p.cfg', "st profile of 000e08abcdc1\n"],
);

# ACL attributes: the values an operator (or a tool filling the list) may
# get wrong.
our $ACL = <<"_EOC_";
$A          allow profile=../devices/$B group=..
000e08abcd51 allow profile=a/b group=.
000e08abcd52 allow profile=%2e%2e%2fdevices%2f$B group=../devices
000e08abcd53 allow profile=x\\y group=a/b
000e08abcd54 allow profile=gold group=gold
000e08abcd55 allow profile=x?y group=%2e%2e
000e08abcd56 allow profile=.. group=x\\y
000e08abcd57 allow profile=./gold
000e08abcd58 allow profile=/gold group=/gold
$B          allow profile=gold
_EOC_

our @ACL_TRAPS = (
    trap('profiles/a/b.cfg'),
    trap("profiles/%2e%2e%2fdevices%2f$B.cfg"),
    trap('profiles/x\\y.cfg'),
    trap('profiles/x?y.cfg'),
    trap('common.cfg'),                             # /groups/../common.cfg
    trap('groups/common.cfg'),                      # /groups/./common.cfg
    trap('devices/common.cfg'),                     # /groups/../devices/common.cfg
    trap('groups/a/b/common.cfg'),
    trap('groups/%2e%2e/common.cfg'),
    trap('groups/x\\y/common.cfg'),
    ['profiles/gold.cfg', "gold profile\n"],
    ['groups/gold/common.cfg', "gold group\n"],
    ['acl', $ACL],
);

our $ACL_LOCATIONS = <<'_EOC_';
        location /p/ {
            prov_profile /profiles/$prov_acl_profile.cfg /devices/$prov_id.cfg
                         /default.cfg =404;
        }

        location /g/ {
            prov_profile /groups/$prov_acl_group/common.cfg /default.cfg =404;
        }

        location /only/ {
            prov_profile /profiles/$prov_acl_profile.cfg;
        }

        location /strict/ {
            prov_profile /profiles/$prov_acl_profile.cfg =410;
        }
_EOC_

our $ACL_BACKEND = backend(
    more => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;',
    extra => $ACL_LOCATIONS,
);

ProvTest::defaults(
    http_config => backend(id => 'prov_id L;', extra => $CERT_LOCATIONS),
    config => ProvTest::raw_front(),
    user_files => files(@CERT_TRAPS),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: ST "../<b>", "..", ".", "..\<b>" in /byst/$prov_cert_st/p.cfg: skipped
--- request eval
[
    "GET /as/dotdot/st/x.cfg",
    "GET /as/dotdot-only/st/x.cfg",
    "GET /as/dot/st/x.cfg",
    "GET /as/backslash/st/x.cfg",
]
--- error_code eval
[200, 200, 200, 200]
--- response_body eval
[($main::DEFAULT) x 4]
--- response_headers eval
[
    "X-Prov-Id: 88012BA01030\nX-Uri: /default.cfg",
    "X-Prov-Id: 88012BA01032\nX-Uri: /default.cfg",
    "X-Prov-Id: 88012BA01031\nX-Uri: /default.cfg",
    "X-Prov-Id: 88012BA01033\nX-Uri: /default.cfg",
]
--- error_log eval
qr/\[warn\] \d+#\d+: \*\d+ prov: unsafe profile uri "\/byst\/(?:\.\.\/000e08abcdf0|\.\.|\.|\.\.(?:\\x5[Cc]){2}000e08abcdf0)\/p\.cfg" skipped for device "88012BA0103[0-3]", client: /



=== TEST 2: the same templates with a safe value: the candidate is used
chain-c (000e08abcdc1, serial number 88012BA02001) has a file there.
--- request eval
["GET /as/chain-c/st/x.cfg", "GET /as/dev-a/st/x.cfg"]
--- response_body eval
["st profile of 000e08abcdc1\n", $main::DEFAULT]
--- response_headers eval
["X-Uri: /byst/000e08abcdc1/p.cfg", "X-Uri: /default.cfg"]
--- no_error_log
[warn]



=== TEST 3: the warning names the candidate and the device
--- request
GET /as/dotdot/st/x.cfg
--- response_body eval
$main::DEFAULT
--- error_log eval
main::unsafe('/byst/../000e08abcdf0/p.cfg', '88012BA01030')



=== TEST 4: OU "SPA-962/ST=<b>" in /models/$prov_cert_ou.cfg: a "/" the template lacks
ou-slash-nost has no ST (prov_id ST refuses it); under prov_id L it passes.
--- request eval
["GET /as/ou-slash-nost/ou/x.cfg", "GET /as/dev-a/ou/x.cfg", "GET /as/ou-inject/ou/x.cfg"]
--- response_body eval
[$main::DEFAULT, "model SPA-962\n", $main::DEFAULT]
--- response_headers eval
[
    "X-Prov-Id: 88012BA01012\nX-Uri: /default.cfg",
    "X-Prov-Id: 88012BA01001\nX-Uri: /models/SPA-962.cfg",
    "X-Prov-Id: 88012BA01010\nX-Uri: /default.cfg",
]



=== TEST 5: the OU warning
--- request
GET /as/ou-slash-nost/ou/x.cfg
--- error_log eval
main::unsafe('/models/SPA-962/ST=000e08abcdf0.cfg', '88012BA01012')



=== TEST 6: CN "../<b>" in /devices/$prov_cert_cn.cfg
--- request
GET /as/dotdot/cn/x.cfg
--- response_body eval
$main::DEFAULT
--- response_headers
X-Uri: /default.cfg
--- error_log eval
main::unsafe('/devices/../000e08abcdf0.cfg', '88012BA01030')



=== TEST 6b: CN in /devices/$prov_cert_cn.cfg, a safe value
(dev-b's own CN is dev-b's MAC: a template naming files by CN hands them
out by CN; the id is what must name a device's file.)
--- request
GET /as/dev-a/cn/x.cfg
--- response_body eval
main::dev_profile($main::A)
--- response_headers
X-Uri: /devices/000e08abcdef.cfg
--- no_error_log
[warn]



=== TEST 7: a CR LF in a certificate attribute: skipped, and no forged log line
ctrl's ST is "000e08abcd36<CR><LF>2000/01/01 00:00:00 [error] 1#1: forged line".
--- log_level: warn
--- request
GET /as/ctrl/st/x.cfg
--- response_body eval
$main::DEFAULT
--- response_headers
X-Prov-Id: 88012BA01036
X-Uri: /default.cfg
--- error_log
prov: unsafe profile uri "/byst/000e08abcd36
skipped for device "88012BA01036"
--- no_error_log eval
[qr/^2000\/01\/01 00:00:00 \[error\] 1#1: forged line/m]



=== TEST 8: ACL "profile=" values: "/", "%", "\", "?" skipped; the next candidate answers
/profiles/$prov_acl_profile.cfg, then /devices/$prov_id.cfg, /default.cfg.
--- http_config eval
$main::ACL_BACKEND
--- user_files eval
main::files(@main::ACL_TRAPS)
--- request eval
[
    "GET /as/dev-a/p/x.cfg",
    "GET /as/mac-colon/p/x.cfg",
    "GET /as/mac-dash/p/x.cfg",
    "GET /as/mac-dot/p/x.cfg",
    "GET /as/mac-upper-colon/p/x.cfg",
    "GET /as/mac-dash4/p/x.cfg",
    "GET /as/mac-upper-dot/p/x.cfg",
]
--- error_code eval
[(200) x 7]
--- response_body eval
[
    main::dev_profile($main::A),
    ($main::DEFAULT) x 6,
]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Uri: /devices/000e08abcdef.cfg",
    "X-Prov-Id: 000e08abcd51\nX-Uri: /default.cfg",
    "X-Prov-Id: 000e08abcd52\nX-Uri: /default.cfg",
    "X-Prov-Id: 000e08abcd53\nX-Uri: /default.cfg",
    "X-Prov-Id: 000e08abcd55\nX-Uri: /default.cfg",
    "X-Prov-Id: 000e08abcd57\nX-Uri: /default.cfg",
    "X-Prov-Id: 000e08abcd58\nX-Uri: /default.cfg",
]
--- error_log eval
qr/\[warn\] .*prov: unsafe profile uri "\/profiles\/(?:\.\.\/devices\/000e08abcdf0|a\/b|%2e%2e%2fdevices%2f000e08abcdf0|x(?:\\x5[Cc]){2}y|x\?y|\.\/gold|\/gold)\.cfg" skipped for device "000e08abcd(?:ef|5[1-8])"/



=== TEST 9: ACL "profile=" safe values: used ("..cfg" is a name, not a segment)
--- http_config eval
$main::ACL_BACKEND
--- user_files eval
main::files(@main::ACL_TRAPS)
--- request eval
["GET /as/mac-upper/p/x.cfg", "GET /as/dev-b/p/x.cfg", "GET /as/mac-six/p/x.cfg", "GET /as/full/p/x.cfg"]
--- error_code eval
[200, 200, 200, 403]
--- response_body_like eval
["\\Agold profile\n\\z", "\\Agold profile\n\\z", "\\Adefault profile\n\\z", main::page('403 Forbidden')]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcd54\nX-Uri: /profiles/gold.cfg",
    "X-Prov-Id: 000e08abcdf0\nX-Uri: /profiles/gold.cfg",
    "X-Prov-Id: 000e08abcd56\nX-Uri: /default.cfg",
    "X-Prov-Result: not_listed",
]
--- no_error_log
[warn]



=== TEST 10: the warnings of the ACL values, one by one
--- http_config eval
$main::ACL_BACKEND
--- user_files eval
main::files(@main::ACL_TRAPS)
--- request eval
[
    "GET /as/dev-a/p/x.cfg",
    "GET /as/mac-colon/p/x.cfg",
    "GET /as/mac-dash/p/x.cfg",
    "GET /as/mac-dot/p/x.cfg",
    "GET /as/mac-upper-colon/p/x.cfg",
]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef",
    "X-Prov-Id: 000e08abcd51",
    "X-Prov-Id: 000e08abcd52",
    "X-Prov-Id: 000e08abcd53",
    "X-Prov-Id: 000e08abcd55",
]
--- error_log eval
my @lines = (
    quotemeta main::unsafe("/profiles/../devices/$main::B.cfg", $main::A),
    quotemeta main::unsafe('/profiles/a/b.cfg', '000e08abcd51'),
    quotemeta main::unsafe("/profiles/%2e%2e%2fdevices%2f$main::B.cfg", '000e08abcd52'),
    # "\" as it is, or escaped like the refusal lines' values
    quotemeta(main::unsafe('/profiles/x\\y.cfg', '000e08abcd53'))
        =~ s/x\\\\y/x(?:\\\\x5[Cc]){2}y/r,
    quotemeta main::unsafe('/profiles/x?y.cfg', '000e08abcd55'),
);
my $any = CORE::join '|', @lines;
qr/\[warn\] \d+#\d+: \*\d+ (?:$any), client: /



=== TEST 11: ACL "group=" values: "..", ".", "../devices", "a/b", "%2e%2e", "x\y" in /groups/$prov_acl_group/common.cfg
--- http_config eval
$main::ACL_BACKEND
--- user_files eval
main::files(@main::ACL_TRAPS)
--- request eval
[
    "GET /as/dev-a/g/x.cfg",
    "GET /as/mac-colon/g/x.cfg",
    "GET /as/mac-dash/g/x.cfg",
    "GET /as/mac-dot/g/x.cfg",
    "GET /as/mac-upper-colon/g/x.cfg",
    "GET /as/mac-six/g/x.cfg",
    "GET /as/mac-upper-dot/g/x.cfg",
]
--- error_code eval
[(200) x 7]
--- response_body eval
[($main::DEFAULT) x 7]
--- response_headers eval
[("X-Uri: /default.cfg") x 7]
--- error_log eval
qr/\[warn\] .*prov: unsafe profile uri "\/groups\/(?:\.\.|\.|\.\.\/devices|a\/b|%2e%2e|x(?:\\x5[Cc]){2}y|\/gold)\/common\.cfg" skipped for device "000e08abcd(?:ef|5[1-8])"/



=== TEST 12: ACL "group=gold": /groups/gold/common.cfg
--- http_config eval
$main::ACL_BACKEND
--- user_files eval
main::files(@main::ACL_TRAPS)
--- request
GET /as/mac-upper/g/x.cfg
--- response_body
gold group
--- response_headers
X-Uri: /groups/gold/common.cfg
--- no_error_log
[warn]



=== TEST 13: an unsafe single candidate is no fallback: 404, or the =code
--- http_config eval
$main::ACL_BACKEND
--- user_files eval
main::files(@main::ACL_TRAPS)
--- request eval
[
    "GET /as/dev-a/only/x.cfg",
    "GET /as/mac-colon/only/x.cfg",
    "GET /as/mac-dash/strict/x.cfg",
    "GET /as/mac-dot/strict/x.cfg",
]
--- error_code eval
[404, 404, 410, 410]
--- response_body_like eval
[($main::NOT_FOUND) x 2, (main::page('410 Gone')) x 2]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Uri: /only/x.cfg",
    "X-Prov-Id: 000e08abcd51\nX-Uri: /only/x.cfg",
    "X-Prov-Id: 000e08abcd52\nX-Uri: /strict/x.cfg",
    "X-Prov-Id: 000e08abcd53\nX-Uri: /strict/x.cfg",
]
--- error_log eval
qr/prov: unsafe profile uri "\/profiles\/[^"]+" skipped for device "000e08abcd(?:ef|5[123])"/



=== TEST 14: a safe single candidate is redirected to untested; an empty value too
Under default=allow, full (not listed) has no "profile": /profiles/.cfg,
redirected to without a test, is not found.
--- http_config eval
main::backend(
    more => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;',
    extra => $main::ACL_LOCATIONS,
)
--- user_files eval
main::files(@main::ACL_TRAPS)
--- request eval
[
    "GET /as/mac-upper/only/x.cfg",
    "GET /as/full/only/x.cfg",
]
--- error_code eval
[200, 404]
--- response_body_like eval
["\\Agold profile\n\\z", $main::NOT_FOUND]
--- response_headers eval
[
    "X-Uri: /profiles/gold.cfg",
    "X-Prov-Id: 000e08abcd80\nX-Uri: /profiles/.cfg",
]



=== TEST 15: location captures from the request URI: "/", "%", "?", "#", "\", control characters
location ~ (?s)^/cap/(?<rest>.+)$ { prov_profile /shared/$rest /default.cfg =404; }
The URI is decoded by nginx first: %2f, %25, %3f, %23, %5c, %09, %0a and
%7f in the request become "/", "%", "?", "#", "\", tab, LF and DEL in the
capture.
--- http_config eval
main::backend(extra => '
        location ~ (?s)^/cap/(?<rest>.+)$ {
            prov_profile /shared/$rest /default.cfg =404;
        }
')
--- user_files eval
main::files(
    ['shared/fw.bin', "firmware\n"],
    main::trap('shared/a/b'),
    main::trap('shared/%2e%2e'),
    main::trap('shared/a?b'),
    main::trap('shared/a#b'),
    main::trap('shared/a\\b'),
    main::trap("shared/a\tb"),
    main::trap("shared/a\x7fb"),
)
--- request eval
[
    "GET /raw?d=dev-a&p=/cap/fw.bin",
    "GET /raw?d=dev-a&p=/cap/a/b",
    "GET /raw?d=dev-a&p=/cap/a%2fb",
    "GET /raw?d=dev-a&p=/cap/%252e%252e",
    "GET /raw?d=dev-a&p=/cap/a%3fb",
    "GET /raw?d=dev-a&p=/cap/a%23b",
    "GET /raw?d=dev-a&p=/cap/a%5cb",
    "GET /raw?d=dev-a&p=/cap/a%09b",
    "GET /raw?d=dev-a&p=/cap/a%0ab",
    "GET /raw?d=dev-a&p=/cap/a%7fb",
]
--- error_code eval
[(200) x 10]
--- response_body eval
["firmware\n", ($main::DEFAULT) x 9]
--- response_headers eval
["X-Uri: /shared/fw.bin", ("X-Uri: /default.cfg") x 9]



=== TEST 16: the warnings of captured values; a LF from the URI forges no log line
--- log_level: warn
--- http_config eval
main::backend(extra => '
        location ~ (?s)^/cap/(?<rest>.+)$ {
            prov_profile /shared/$rest /default.cfg =404;
        }
')
--- request eval
[
    "GET /raw?d=dev-a&p=/cap/a%2fb",
    "GET /raw?d=dev-a&p=/cap/%252e%252e",
    "GET /raw?d=dev-a&p=/cap/x%0d%0a2000/01/01%2000:00:00%20[alert]%201%231:%20forged%20line",
]
--- response_body eval
[($main::DEFAULT) x 3]
--- error_log eval
qr/\[warn\] .*prov: unsafe profile uri "\/shared\/(?:a\/b|%2e%2e|x)/
--- no_error_log eval
[qr/^2000\/01\/01 00:00:00 \[alert\] 1#1: forged line/m]



=== TEST 17: an empty certificate attribute makes an empty segment: not the parent folder's file
nul's ST holds a NUL and empty's ST is empty: $prov_cert_st is empty, the
candidate /byst/$prov_cert_st/p.cfg becomes /byst//p.cfg, which the file
system resolves to /byst/p.cfg: a file outside the intended folder
(here dev-b's profile).
--- request eval
["GET /as/nul/st/x.cfg", "GET /as/empty/st/x.cfg"]
--- error_code eval
[200, 200]
--- response_body eval
[($main::DEFAULT) x 2]
--- response_headers eval
[
    "X-Prov-Id: 88012BA01035\nX-Uri: /default.cfg",
    "X-Prov-Id: 88012BA01037\nX-Uri: /default.cfg",
]



=== TEST 18: an ACL entry without the attribute: not the parent folder's file
mac-dash4 (000e08abcd57) has no "group=": /groups//common.cfg.
--- http_config eval
$main::ACL_BACKEND
--- user_files eval
main::files(@main::ACL_TRAPS)
--- request
GET /as/mac-dash4/g/x.cfg
--- error_code: 200
--- response_body eval
$main::DEFAULT
--- response_headers
X-Prov-Id: 000e08abcd57
X-Uri: /default.cfg
