# The per-device access list (prov_acl): listed devices allowed or denied,
# devices not listed under both defaults, "prov_acl off", certificate pins,
# $prov_acl_<key> in headers and in a file path, ids normalised in the file,
# lists of non-MAC ids, one file named by several locations and servers,
# and the list over resumed TLS sessions, HTTP/2, HTTP/1.0 and TLSv1.0.
# The ACL is $TEST_NGINX_SERVER_ROOT/html/acl, written by --- user_files.
# Parse errors: 031-acl-errors.t; reloads: 032-acl-reload.t.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(fingerprint);

# the file every block's prov_acl names, as the module writes it in its logs
our $ACL = "$ENV{TEST_NGINX_SERVER_ROOT}/html/acl";

# the SHA-256 fingerprints of test certificates, as openssl prints them
our %FP = map { $_ => fingerprint($_) } qw(dev-a dev-b full chain-c mac-colon);

# 64 lowercase hex digits, a form a list accepts too
sub bare_lc { my $h = lc shift; $h =~ s/://g; $h }

# The response headers of the backend, repeated in every server block.
our $HEADERS = <<'_EOC_';
        add_header X-Account "$prov_acl_account" always;
        add_header X-Profile "$prov_acl_profile" always;
_EOC_

# backend(acl => prov_acl directive, id => prov_id directive,
#         more => more text in the server, %ProvTest::backend options)
sub backend {
    my %o = (
        acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;',
        id => 'prov_id ST mac;',
        more => '',
        @_,
    );
    my $acl = delete $o{acl};
    my $id = delete $o{id};
    my $more = delete $o{more};
    return ProvTest::backend(
        verify => 'on',
        server => "prov on;\n$id\nprov_generic ciscogeneric;\n$acl\n$HEADERS$more",
        %o,
    );
}

# The --- user_files: the profiles of ProvTest::profiles(), the list, and
# more [name, body] pairs.  Array form: the list is written byte for byte.
sub files {
    my ($acl, @more) = @_;
    return [
        ['profile.cfg', $ProvTest::PROFILE],
        (map { ["devices/$_.cfg", ProvTest::device_profile($_)] }
             qw(000e08abcdef 000e08abcdf0)),
        @more,
        ['acl', $acl],
    ];
}

our $LIST = <<'_EOC_';
# the provider's word on each device
000e08abcdef allow account=1042 profile=spa962-a
000e08abcdc1 allow
000e08abcdf0 deny  account=1043     # reported stolen
_EOC_

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
    user_files => files($LIST),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: listed "allow": the profile, with or without attributes
chain-c (issued by the intermediate device CA) has no attribute.
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/chain-c/profile.cfg",
]
--- error_code eval
[200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Account: 1042\nX-Profile: spa962-a\nX-Serial: 1001",
    "X-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow\nX-Account:\nX-Profile:\nX-Serial: 2001",
]
--- no_error_log
prov: access forbidden
[warn]



=== TEST 2: listed "deny": 403, $prov_id stays set, attributes too
--- request
GET /as/dev-b/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 000e08abcdf0
X-Prov-Result: denied
X-Account: 1043
X-Verify: SUCCESS
--- error_log eval
qr/\[error\] \d+#\d+: \*\d+ prov: access forbidden \(denied\): device "000e08abcdf0" denied by "\Q$main::ACL\E", serial 1002, client: /



=== TEST 3: not listed, no default: refused (the default is deny)
--- request
GET /as/full/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 000e08abcd80
X-Prov-Result: not_listed
X-Account:
X-Verify: SUCCESS
--- error_log eval
qq{prov: access forbidden (not_listed): device "000e08abcd80" not in "$main::ACL", serial 1080}



=== TEST 4: not listed under default=deny
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=deny;')
--- request
GET /as/full/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 000e08abcd80
X-Prov-Result: not_listed
--- error_log eval
qq{prov: access forbidden (not_listed): device "000e08abcd80" not in "$main::ACL", serial 1080}



=== TEST 5: default=allow: devices not listed pass, without attributes
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- request eval
[
    "GET /as/full/profile.cfg",
    "GET /as/mac-colon/profile.cfg",
    "GET /as/dev-a/profile.cfg",
]
--- error_code eval
[200, 200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 3]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow\nX-Account:\nX-Profile:",
    "X-Prov-Id: 000e08abcd51\nX-Prov-Result: allow\nX-Account:\nX-Profile:",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Account: 1042\nX-Profile: spa962-a",
]
--- no_error_log
prov: access forbidden



=== TEST 6: default=allow: a listed "deny" is still refused
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- request
GET /as/dev-b/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 000e08abcdf0
X-Prov-Result: denied
X-Account: 1043
--- error_log eval
qq{prov: access forbidden (denied): device "000e08abcdf0" denied by "$main::ACL", serial 1002}



=== TEST 7: the gate before the list: generic, bad ids never reach it
The list allows everything not listed; these still fail on their own.
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- request eval
[
    "GET /as/generic/profile.cfg",
    "GET /as/two-st/profile.cfg",
]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
[
    "X-Prov-Id:\nX-Prov-Result: generic",
    "X-Prov-Id:\nX-Prov-Result: bad_id",
]
--- error_log eval
qr/prov: access forbidden \((?:generic|bad_id)\): /
--- no_error_log
not_listed



=== TEST 8: a relative path is relative to the configuration's directory
--- http_config eval
main::backend(acl => 'prov_acl ../html/acl;')
--- request
GET /as/dev-b/profile.cfg
--- error_code: 403
--- response_headers
X-Prov-Result: denied
--- error_log eval
qq{prov: access forbidden (denied): device "000e08abcdf0" denied by "$ENV{TEST_NGINX_SERVER_ROOT}/conf/../html/acl", serial 1002}



=== TEST 9: the list at http level, prov_id in the server
--- http_config eval
main::backend(acl => '', http => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;')
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/full/profile.cfg",
]
--- error_code eval
[200, 403, 403]
--- response_headers eval
[
    "X-Prov-Result: allow\nX-Account: 1042",
    "X-Prov-Result: denied\nX-Account: 1043",
    "X-Prov-Result: not_listed\nX-Account:",
]



=== TEST 10: "prov_acl off" in an inner location: the gate without the list
--- http_config eval
main::backend(extra => '
        location /open/ {
            prov_acl off;
        }
')
--- user_files eval
main::files($main::LIST, ['open/profile.cfg', $ProvTest::PROFILE])
--- request eval
[
    "GET /as/full/open/profile.cfg",
    "GET /as/dev-b/open/profile.cfg",
    "GET /as/dev-a/open/profile.cfg",
    "GET /as/generic/open/profile.cfg",
]
--- error_code eval
[200, 200, 200, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow\nX-Account:",
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: allow\nX-Account:",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Account:",
    "X-Prov-Id:\nX-Prov-Result: generic",
]
--- no_error_log
not_listed
denied



=== TEST 11: "prov_acl off" in the server, a list in one location only
--- http_config eval
main::backend(acl => 'prov_acl off;', extra => '
        location /gated/ {
            prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;
        }
')
--- user_files eval
main::files($main::LIST, ['gated/profile.cfg', $ProvTest::PROFILE])
--- request eval
[
    "GET /as/full/profile.cfg",
    "GET /as/full/gated/profile.cfg",
    "GET /as/dev-a/gated/profile.cfg",
]
--- error_code eval
[200, 403, 200]
--- response_headers eval
[
    "X-Prov-Result: allow",
    "X-Prov-Result: not_listed",
    "X-Prov-Result: allow\nX-Account: 1042",
]



=== TEST 12: pin match: the fingerprint as openssl prints it
--- user_files eval
main::files("000e08abcdef allow sha256=$main::FP{'dev-a'} account=1042\n")
--- request
GET /as/dev-a/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 000e08abcdef
X-Prov-Result: allow
X-Account: 1042
--- no_error_log
prov: access forbidden



=== TEST 13: pin mismatch: a's entry pinned to b's certificate
--- user_files eval
main::files("000e08abcdef allow sha256=$main::FP{'dev-b'} account=1042\n")
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 000e08abcdef
X-Prov-Result: pin_mismatch
X-Account: 1042
--- error_log eval
qq{prov: access forbidden (pin_mismatch): device "000e08abcdef" presented sha256 }
. $main::FP{'dev-a'}
. qq{, not the certificate pinned in "$main::ACL", serial 1001}



=== TEST 13b: "SHA256=" in capitals is the pin too, never an attribute
An operator who writes it believes the device pinned: it must be.
--- user_files eval
main::files("000e08abcdef allow SHA256=$main::FP{'dev-b'} account=1042\n")
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 000e08abcdef
X-Prov-Result: pin_mismatch
--- error_log
prov: access forbidden (pin_mismatch)



=== TEST 14: pins with and without colons, in any case
--- user_files eval
main::files(
    "000e08abcdef allow sha256=$main::FP{'dev-a'}\n"                 # openssl's
  . "000e08abcdf0 allow sha256=" . main::bare_lc($main::FP{'dev-b'}) . "\n"
  . "000e08abcd80 allow sha256=" . uc(main::bare_lc($main::FP{'full'})) . "\n"
  . "000e08abcdc1 allow sha256=" . lc($main::FP{'chain-c'}) . "\n"
  . "000e08abcd51 allow sha256="
  . CORE::join('', map { $_ % 2 ? lc substr($main::FP{'mac-colon'}, $_, 1)
                          : substr($main::FP{'mac-colon'}, $_, 1) }
             0 .. length($main::FP{'mac-colon'}) - 1) . "\n"
)
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/full/profile.cfg",
    "GET /as/chain-c/profile.cfg",
    "GET /as/mac-colon/profile.cfg",
]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 5]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcd51\nX-Prov-Result: allow",
]
--- no_error_log
prov: access forbidden



=== TEST 15: a pinned "deny" is a deny, even for the pinned certificate
--- user_files eval
main::files("000e08abcdf0 deny sha256=$main::FP{'dev-b'}\n")
--- request
GET /as/dev-b/profile.cfg
--- error_code: 403
--- response_headers
X-Prov-Id: 000e08abcdf0
X-Prov-Result: denied
--- error_log eval
qq{prov: access forbidden (denied): device "000e08abcdf0" denied by "$main::ACL", serial 1002}



=== TEST 16: another certificate for the same device id: only the pinned one passes
With "prov_id OU", dev-a, dev-b (device root) and chain-c (intermediate)
all carry the id "SPA-962": three valid certificates for one device id,
pinned to dev-a's.
--- http_config eval
main::backend(id => 'prov_id OU;')
--- user_files eval
main::files("SPA-962 allow sha256=$main::FP{'dev-a'} account=7\n")
--- request
GET /as/dev-a/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: SPA-962
X-Prov-Result: allow
X-Account: 7
--- no_error_log
prov: access forbidden



=== TEST 17: another certificate for the same device id: pin_mismatch
--- http_config eval
main::backend(id => 'prov_id OU;')
--- user_files eval
main::files("SPA-962 allow sha256=$main::FP{'dev-a'} account=7\n")
--- request eval
[
    "GET /as/dev-b/profile.cfg",
    "GET /as/chain-c/profile.cfg",
]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
[
    "X-Prov-Id: SPA-962\nX-Prov-Result: pin_mismatch\nX-Account: 7\nX-Serial: 1002",
    "X-Prov-Id: SPA-962\nX-Prov-Result: pin_mismatch\nX-Account: 7\nX-Serial: 2001",
]
--- error_log eval
my $tail = qq{, not the certificate pinned in "$main::ACL", serial };
my $b = qq{device "SPA-962" presented sha256 } . $main::FP{'dev-b'} . $tail . '1002';
my $c = qq{device "SPA-962" presented sha256 } . $main::FP{'chain-c'} . $tail . '2001';
qr/prov: access forbidden \(pin_mismatch\): (?:\Q$b\E|\Q$c\E), client: /



=== TEST 17b: dev-a's second valid certificate against dev-a's pin: pin_mismatch
Same CA, same subject, another key: a clone of the device.
--- user_files eval
main::files("000e08abcdef allow sha256=$main::FP{'dev-a'}\n")
--- request
GET /as/dev-a2/profile.cfg
--- error_code: 403
--- response_body_like eval
$ProvTest::FORBIDDEN
--- response_headers
X-Prov-Id: 000e08abcdef
X-Prov-Result: pin_mismatch
--- error_log eval
qr/pin_mismatch\): device "000e08abcdef" presented sha256 [0-9A-F]{2}(?::[0-9A-F]{2}){31}, not the certificate pinned in "\Q$main::ACL\E", serial 1007/



=== TEST 18: attributes: any case of the key, any value without control chars
nginx variable names are case-insensitive: $prov_acl_ACCOUNT is
$prov_acl_account; keys match the file's whatever their case.
--- http_config eval
main::backend(more => '
        add_header X-Note "$prov_acl_note" always;
        add_header X-Upper "$prov_acl_ACCOUNT" always;
        add_header X-City "$prov_acl_city" always;
        add_header X-Url "$prov_acl_url" always;
        add_header X-Missing "$prov_acl_missing" always;
')
--- user_files eval
main::files(
    qq{000e08abcdef allow ACCOUNT=1042 Profile=spa962-a note=a:b,c;d"e'f[g]<i>!}
  . qq{ city=Z\xc3\xbcrich url=https://p.example/x?y=1&z=2\n}
  . qq{000e08abcdf0 deny  account=1043 note=stolen\n}
  . qq{000e08abcdc1 allow note=x\n}
)
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/chain-c/profile.cfg",
    "GET /as/full/profile.cfg",
]
--- error_code eval
[200, 403, 200, 403]
--- response_headers eval
[
    qq{X-Account: 1042\nX-Upper: 1042\nX-Profile: spa962-a\nX-Note: a:b,c;d"e'f[g]<i>!\n}
  . qq{X-City: Z\xc3\xbcrich\nX-Url: https://p.example/x?y=1&z=2\nX-Missing:},
    "X-Prov-Result: denied\nX-Account: 1043\nX-Upper: 1043\nX-Profile:\nX-Note: stolen\nX-Missing:",
    "X-Prov-Result: allow\nX-Account:\nX-Profile:\nX-Note: x",
    "X-Prov-Result: not_listed\nX-Account:\nX-Profile:\nX-Note:",
]



=== TEST 19: an attribute in a file path: try_files runs after the gate
--- http_config eval
main::backend(extra => '
        location /p/ {
            try_files /profiles/$prov_acl_profile.cfg =404;
        }
')
--- user_files eval
main::files(<<'_EOF_',
000e08abcdef allow profile=spa962-a
000e08abcdf0 allow profile=spa962-b
000e08abcdc1 allow
000e08abcd80 deny  profile=spa962-a
_EOF_
    ['profiles/spa962-a.cfg', "profile spa962-a\n"],
    ['profiles/spa962-b.cfg', "profile spa962-b\n"],
)
--- request eval
[
    "GET /as/dev-a/p/x.cfg",
    "GET /as/dev-b/p/x.cfg",
    "GET /as/full/p/x.cfg",
    "GET /as/mac-colon/p/x.cfg",
]
--- error_code eval
[200, 200, 403, 403]
--- response_body_like eval
[
    "\\Aprofile spa962-a\n\\z",
    "\\Aprofile spa962-b\n\\z",
    $ProvTest::FORBIDDEN,
    $ProvTest::FORBIDDEN,
]
--- response_headers eval
[
    "X-Prov-Result: allow\nX-Profile: spa962-a",
    "X-Prov-Result: allow\nX-Profile: spa962-b",
    "X-Prov-Result: denied\nX-Profile: spa962-a",
    "X-Prov-Result: not_listed\nX-Profile:",
]



=== TEST 20: an attribute in a file path: no attribute, no file
--- http_config eval
main::backend(extra => '
        location /p/ {
            try_files /profiles/$prov_acl_profile.cfg =404;
        }
')
--- user_files eval
main::files("000e08abcdc1 allow\n",
    ['profiles/spa962-a.cfg', "profile spa962-a\n"])
--- request
GET /as/chain-c/p/x.cfg
--- error_code: 404
--- response_headers
X-Prov-Result: allow
X-Profile:
--- response_body_like eval
"\\A<html>\r\n<head><title>404 Not Found</title>(?:(?!spa962).)*\\z"



=== TEST 21: ids in the file in any MAC form match the canonical id
--- user_files eval
main::files(<<'_EOF_')
00:0E:08:AB:CD:EF allow account=colon-upper
000e.08ab.cdf0    allow account=dot4
00-0e-08-ab-cd-80 allow account=dash2
000E08ABCDC1      allow account=upper
000e08abcd51      allow account=bare
000e-08ab-cd58    allow account=dash4
000e08-abcd52     allow account=six
00:0e:08:Ab:cD:56 allow account=mixed-case
_EOF_
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/full/profile.cfg",
    "GET /as/chain-c/profile.cfg",
    "GET /as/mac-colon/profile.cfg",
    "GET /as/mac-upper-dot/profile.cfg",
    "GET /as/mac-dash/profile.cfg",
    "GET /as/mac-six/profile.cfg",
]
--- error_code eval
[(200) x 8]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Account: colon-upper",
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: allow\nX-Account: dot4",
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow\nX-Account: dash2",
    "X-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow\nX-Account: upper",
    "X-Prov-Id: 000e08abcd51\nX-Prov-Result: allow\nX-Account: bare",
    "X-Prov-Id: 000e08abcd58\nX-Prov-Result: allow\nX-Account: dash4",
    "X-Prov-Id: 000e08abcd52\nX-Prov-Result: allow\nX-Account: six",
    "X-Prov-Id: 000e08abcd56\nX-Prov-Result: allow\nX-Account: mixed-case",
]
--- no_error_log
prov: access forbidden



=== TEST 22: "prov_id CN" (no mac): ids are literal, any safe string
--- http_config eval
main::backend(id => 'prov_id CN;')
--- user_files eval
main::files(<<'_EOF_')
SEP00112233AABB   allow account=sep
00:15:65:AB:CD:EF allow account=yealink
000E08ABCDEF      allow account=not-a
0004F2ABCDEF      allow account=not-polycom
_EOF_
--- request eval
[
    "GET /as/cisco-sep/profile.cfg",
    "GET /as/yealink/profile.cfg",
]
--- error_code eval
[200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
[
    "X-Prov-Id: SEP00112233AABB\nX-Prov-Result: allow\nX-Account: sep",
    "X-Prov-Id: 00:15:65:AB:CD:EF\nX-Prov-Result: allow\nX-Account: yealink",
]
--- no_error_log
prov: access forbidden



=== TEST 23: "prov_id CN" (no mac): no MAC normalisation, no case folding
dev-a's CN is 000e08abcdef, polycom's 0004f2abcdef: the list names
000E08ABCDEF and 0004F2ABCDEF, other literal ids.
--- http_config eval
main::backend(id => 'prov_id CN;')
--- user_files eval
main::files(<<'_EOF_')
000E08ABCDEF      allow account=not-a
0004F2ABCDEF      allow account=not-polycom
0004f2ab:cdef     allow account=not-polycom-either
_EOF_
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/polycom/profile.cfg",
]
--- error_code eval
[403, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: not_listed\nX-Account:",
    "X-Prov-Id: 0004f2abcdef\nX-Prov-Result: not_listed\nX-Account:",
]
--- error_log eval
qr/prov: access forbidden \(not_listed\): device "(?:000e08abcdef|0004f2abcdef)" not in "\Q$main::ACL\E", serial 10(?:01|71), client: /



=== TEST 24: a regex prov_id: the list holds the captured ids
--- http_config eval
main::backend(id => 'prov_id CN "^SEP(?<id>[0-9A-F]{12})$";')
--- user_files eval
main::files(<<'_EOF_')
00112233AABB allow account=sep
_EOF_
--- request
GET /as/cisco-sep/profile.cfg
--- response_body eval
$ProvTest::PROFILE
--- response_headers
X-Prov-Id: 00112233AABB
X-Prov-Result: allow
X-Account: sep
--- no_error_log
prov: access forbidden



=== TEST 25: one file, two locations and two servers, each its own default
Server "localhost": default deny at /, default=allow at /lenient/;
server "second" (same TLS socket, picked by Host): default=allow.
--- http_config eval
main::backend(extra => '
        location /lenient/ {
            prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;
        }
') . <<'_EOC_'
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/tls.sock ssl;
        server_name second;
        ssl_certificate $TEST_NGINX_PROV_PKI/server.crt;
        ssl_certificate_key $TEST_NGINX_PROV_PKI/server.key;
        ssl_client_certificate $TEST_NGINX_PROV_PKI/device-ca.crt;
        ssl_verify_client on;
        ssl_verify_depth 2;
        root $TEST_NGINX_SERVER_ROOT/html;

        prov on;
        prov_id ST mac;
        prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;

        add_header X-Server second always;
        add_header X-Prov-Id "$prov_id" always;
        add_header X-Prov-Result "$prov_result" always;
        add_header X-Account "$prov_acl_account" always;
    }
_EOC_
--- config eval
ProvTest::front(extra => '
        location ~ ^/srv2/(?<pt_dev>[^/]+)(?<pt_path>/.*)$ {
            proxy_set_header Host second;
            proxy_set_header Connection close;
            proxy_pass https://pt_tls$pt_path$is_args$args;
        }
')
--- user_files eval
main::files($main::LIST, ['lenient/profile.cfg', $ProvTest::PROFILE])
--- request eval
[
    "GET /as/full/profile.cfg",
    "GET /as/full/lenient/profile.cfg",
    "GET /srv2/full/profile.cfg",
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-a/lenient/profile.cfg",
    "GET /srv2/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/dev-b/lenient/profile.cfg",
    "GET /srv2/dev-b/profile.cfg",
]
--- error_code eval
[403, 200, 200, 200, 200, 200, 403, 403, 403]
--- response_headers eval
[
    "X-Prov-Result: not_listed\nX-Server:",
    "X-Prov-Result: allow\nX-Server:",
    "X-Prov-Result: allow\nX-Server: second",
    "X-Prov-Result: allow\nX-Account: 1042\nX-Server:",
    "X-Prov-Result: allow\nX-Account: 1042\nX-Server:",
    "X-Prov-Result: allow\nX-Account: 1042\nX-Server: second",
    "X-Prov-Result: denied\nX-Account: 1043\nX-Server:",
    "X-Prov-Result: denied\nX-Account: 1043\nX-Server:",
    "X-Prov-Result: denied\nX-Account: 1043\nX-Server: second",
]



=== TEST 26: the same file under "prov_id ST mac" and "prov_id CN"
Read once as a MAC list, once as a literal list: "00:0E:08:AB:CD:EF" is
dev-a under mac, a literal id (nobody's CN) under CN.
--- http_config eval
main::backend(extra => '
        location /cn/ {
            prov_id CN;
        }
')
--- user_files eval
main::files("00:0E:08:AB:CD:EF allow account=1042\n",
    ['cn/profile.cfg', $ProvTest::PROFILE])
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-a/cn/profile.cfg",
]
--- error_code eval
[200, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Account: 1042",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: not_listed\nX-Account:",
]



=== TEST 27: where the gate is off, the variables still report the list
"prov off" with prov_id and prov_acl: served, but $prov_result and
$prov_acl_<key> say what the gate would decide (audit logging).
--- http_config eval
main::backend(extra => '
        location /audit/ {
            prov off;
        }
')
--- user_files eval
main::files($main::LIST, ['audit/profile.cfg', $ProvTest::PROFILE])
--- request eval
[
    "GET /as/dev-b/audit/profile.cfg",
    "GET /as/full/audit/profile.cfg",
    "GET /as/dev-a/audit/profile.cfg",
]
--- error_code eval
[200, 200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 3]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: denied\nX-Account: 1043",
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: not_listed\nX-Account:",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Account: 1042",
]
--- no_error_log
prov: access forbidden



=== TEST 28: a pin holds on a resumed TLS session (the certificate of the session)
--- user_files eval
main::files("000e08abcdef allow sha256=$main::FP{'dev-a'} account=1042\n")
--- request eval
[
    "GET /re/dev-a/profile.cfg",
    "GET /re/dev-a/profile.cfg",
]
--- error_code eval
[200, 200]
--- response_body eval
[($ProvTest::PROFILE) x 2]
--- response_headers eval
[
    "X-Prov-Result: allow\nX-Account: 1042\nX-Reused: .",
    "X-Prov-Result: allow\nX-Account: 1042\nX-Reused: r",
]
--- no_error_log
prov: access forbidden



=== TEST 29: a pin mismatch stays one on a resumed TLS session
--- user_files eval
main::files("000e08abcdef allow sha256=$main::FP{'dev-b'}\n")
--- request eval
[
    "GET /re/dev-a/profile.cfg",
    "GET /re/dev-a/profile.cfg",
]
--- error_code eval
[403, 403]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 2]
--- response_headers eval
[
    "X-Prov-Result: pin_mismatch\nX-Reused: .",
    "X-Prov-Result: pin_mismatch\nX-Reused: r",
]
--- error_log eval
qq{prov: access forbidden (pin_mismatch): device "000e08abcdef" presented sha256 }
. $main::FP{'dev-a'}
. qq{, not the certificate pinned in "$main::ACL", serial 1001}



=== TEST 30: HTTP/2, HTTP/1.0 and an old TLSv1.0 device meet the same list
--- request eval
[
    "GET /h2/dev-a/profile.cfg",
    "GET /h2/dev-b/profile.cfg",
    "GET /h10/dev-b/profile.cfg",
    "GET /old/full/profile.cfg",
]
--- error_code eval
[200, 403, 403, 403]
--- response_headers eval
[
    "X-Prov-Result: allow\nX-Account: 1042\nX-Proto: HTTP/2.0",
    "X-Prov-Result: denied\nX-Account: 1043\nX-Proto: HTTP/2.0",
    "X-Prov-Result: denied\nX-Account: 1043\nX-Proto: HTTP/1.0",
    "X-Prov-Result: not_listed\nX-TLS: TLSv1",
]



=== TEST 31: the list's verdict is found once per TLS connection
Two backend requests over one kept-alive TLS connection (two SSI
includes): the first looks dev-a up and checks its pin, the second reuses
what the list allowed, with the same entry (the account in the body).
--- skip_eval: 5: !ProvTest::nginx_debug()
--- http_config eval
main::backend(extra => '
        location /account/ {
            prov_profile /accounts/$prov_acl_account.cfg =404;
        }
')
--- config eval
ProvTest::front(extra => <<'_EOC_')
        location = /twice.html {
            ssi on;
        }
_EOC_
--- user_files eval
main::files(
    "000e08abcdef allow sha256=$main::FP{'dev-a'} account=1042\n",
    ['accounts/1042.cfg', "account 1042\n"],
    ['twice.html', '<!--# include virtual="/ka/dev-a/account/x.cfg" wait="yes" -->'
                   . '<!--# include virtual="/ka/dev-a/account/x.cfg" wait="yes" -->'],
)
--- request
GET /twice.html
--- response_body
account 1042
account 1042
--- error_log
prov identity of the connection reused: allow
prov access list outcome of the connection reused
--- no_error_log
prov: access forbidden



=== TEST 32: a refusal by the list is not kept: each request is checked and logged
--- skip_eval: 5: !ProvTest::nginx_debug()
--- config eval
ProvTest::front(extra => <<'_EOC_')
        location = /twice.html {
            ssi on;
        }
_EOC_
--- user_files eval
main::files(
    "000e08abcdef allow sha256=$main::FP{'dev-b'}\n",
    ['twice.html', '<!--# include virtual="/ka/dev-a/profile.cfg" wait="yes" -->'
                   . '<!--# include virtual="/ka/dev-a/profile.cfg" wait="yes" -->'],
)
--- request
GET /twice.html
--- response_body_like eval
"\\A(?!.*secret-)"
--- error_log
prov identity of the connection reused: allow
prov: access forbidden (pin_mismatch)
--- no_error_log
prov access list outcome of the connection reused



=== TEST 33: list values reach headers escaped as certificate values are
Control characters are refused when the list is read (t/031); a "\" is
shown as "\\", as $prov_cert_<attr> and $ssl_client_s_dn show it.
--- http_config eval
main::backend()
--- user_files eval
main::files("000e08abcdef allow account=10\\42\n")
--- request
GET /as/dev-a/profile.cfg
--- error_code: 200
--- response_headers
X-Account: 10\\42
X-Profile:



=== TEST 34: ids that are no MAC address are escaped in refusal lines: quotes
With "prov_id ST" (any value) a subject's quotes, bidi overrides and C1
controls reach the id: the log line shows them as \xHH.
--- http_config eval
main::backend(id => 'prov_id ST;')
--- user_files eval
main::files("phone-0001 allow\n")
--- request
GET /as/quote/profile.cfg
--- error_code: 403
--- error_log eval
qq{prov: access forbidden (not_listed): device "000e08abcdf0\\x22 id=\\x22000e08abcdf0" not in "$main::ACL", serial 1039}



=== TEST 35: ids that are no MAC address are escaped in refusal lines: bidi and C1 controls
With "prov_id ST" (any value) a subject's quotes, bidi overrides and C1
controls reach the id: the log line shows them as \xHH.
--- http_config eval
main::backend(id => 'prov_id ST;')
--- user_files eval
main::files("phone-0001 allow\n")
--- request
GET /as/bidi/profile.cfg
--- error_code: 403
--- error_log eval
qq{prov: access forbidden (not_listed): device "000e08abcd45\\xE2\\x80\\xAE\\xC2\\x9B" not in "$main::ACL", serial 1045}
