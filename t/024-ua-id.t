# prov_ua_id REGEX [required] (issue 17): a User-Agent that names a device
# must name the certificate's own.  Most phones announce their MAC in the
# User-Agent, each vendor in its own form; one branch-reset regex "(?|...)"
# covers them all ($UA_ID).  Checked in the access phase on every allowed
# request (keep-alive, HTTP/2 streams), on every User-Agent header line and
# every match in it, compared by the matched prov_id rule's format (mac:
# normalised).  A User-Agent naming no device passes, unless "required".
# Refusals: 403, $prov_result "ua_mismatch", a log line naming both ids
# (the other as the User-Agent spells it; the README's and fail2ban's
# wording), counted by prov_status.
#
# dev-a (000e08abcdef, serial 1001) is the certificate; dev-b's MAC
# (000e08abcdf0) is the other device a User-Agent may name.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(exactly page);

our $A = '000e08abcdef';
our $B = '000e08abcdf0';

# MAC spellings: bare lower/upper, colons, dashes upper
sub spell {
    my ($mac, $how) = @_;
    my @g = $mac =~ /(..)/g;
    return $mac if $how eq 'l';
    return uc $mac if $how eq 'U';
    return join ':', @g if $how eq 'c';
    return uc join '-', @g if $how eq 'D';
    die "spell: $how";
}

# the vendors' User-Agent forms (issue 17), for a MAC
our @FORMS = qw(cisco mpp yealink snom grandstream avaya mitel);
sub ua {
    my ($form, $mac) = @_;
    my %f = (
        cisco => 'Cisco/SPA508G-7.4.4 (' . spell($mac, 'U') . ')(CBT141400UK)',
        mpp => 'Cisco-CP-8841-3PCC/11.0 (' . spell($mac, 'l') . ')',
        yealink => 'Yealink SIP-T46G 28.72.0.1 ' . spell($mac, 'c'),
        snom => 'Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 ' . spell($mac, 'U') . ')',
        grandstream => 'Grandstream Model HW GXP2170 SW 1.0.11.6 DevId ' . spell($mac, 'l'),
        avaya => 'Avaya one-X Deskphone (MAC:' . spell($mac, 'l') . ')',
        mitel => 'Mitel 6867i MAC:' . spell($mac, 'D') . ' V:5.1.0.2053-SIP',
    );
    return $f{$form} // die "ua: $form";
}

# one regex for every form, a branch of its own each (branch reset: every
# branch's capture is group 1, named id)
our $UA_RE = '(?|'
    . 'Cisco/SPA[^ ]* \((?<id>[0-9A-Fa-f]{12})\)'
    . '|Cisco-CP-[^ ]* \((?<id>[0-9A-Fa-f]{12})\)'
    . '|Yealink SIP-[^ ]+ [0-9.]+ (?<id>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})'
    . '|snom[0-9A-Za-z]*-SIP [0-9.]+ (?<id>[0-9A-Fa-f]{12})'
    . '|DevId (?<id>[0-9A-Fa-f]{12})'
    . '|\(MAC:(?<id>[0-9A-Fa-f]{12})\)'
    . '|MAC:(?<id>[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})'
    . ')';
our $UA_ID = qq{prov_ua_id "$UA_RE";};

# any MAC anywhere (prov_uri_id's recipe for MAC ids, ProvTest)
(our $UA_ANY = $ProvTest::URI_ID_MAC) =~ s/^prov_uri_id /prov_ua_id /;

our $FORBIDDEN = '(?s)\A(?!.*secret-)' . $ProvTest::FORBIDDEN;

# the refusal line of a User-Agent naming another device
sub mismatch {
    my ($named, $id, $serial) = @_;
    $id //= $A;
    $serial //= 1001;
    my $alt = join '|', map { quotemeta } @$named;
    return qr/prov: access forbidden \(ua_mismatch\): device "\Q$id\E" announced "(?:$alt)" in its User-Agent, serial $serial\b/;
}

# backend(ua => prov_ua_id line, more => more server text, %ProvTest
# options): the gate (ST mac) and prov_ua_id in the server
sub backend {
    my %o = (ua => $UA_ID, more => '', id => 'prov_id ST mac;', @_);
    my ($ua, $more, $id) = delete @o{qw(ua more id)};
    return ProvTest::backend(
        verify => 'on',
        server => "prov on;\n$id\nprov_generic ciscogeneric;\n$ua\n$more",
        %o,
    );
}

our $STATUS = <<'_EOC_';
        location = /status {
            prov_status;
        }
_EOC_

# the profile, and every request's answer when allowed
our $OK = $ProvTest::PROFILE_RE;

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: each vendor's form naming the certificate's device passes
--- more_headers eval
[map { "User-Agent: " . main::ua($_, $main::A) } @main::FORMS]
--- request eval
[("GET /as/dev-a/profile.cfg") x 7]
--- error_code eval
[(200) x 7]
--- response_body_like eval
[($main::OK) x 7]
--- response_headers eval
[("X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow") x 7]
--- no_error_log
prov: access forbidden



=== TEST 2: each vendor's form naming another device: ua_mismatch
--- more_headers eval
[map { "User-Agent: " . main::ua($_, $main::B) } @main::FORMS]
--- request eval
[("GET /as/dev-a/profile.cfg") x 7]
--- error_code eval
[(403) x 7]
--- response_body_like eval
[($main::FORBIDDEN) x 7]
--- response_headers eval
[("X-Prov-Id: 000e08abcdef\nX-Prov-Result: ua_mismatch") x 7]
--- error_log eval
main::mismatch(['000e08abcdf0', '000E08ABCDF0', '00:0e:08:ab:cd:f0', '00-0E-08-AB-CD-F0'])



=== TEST 3: the log line names the other device as the User-Agent spells it
--- more_headers eval
"User-Agent: " . main::ua('mitel', $main::B)
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- error_log eval
main::mismatch(['00-0E-08-AB-CD-F0'])



=== TEST 4: another device's MAC in a form's other place (Cisco's serial, not its MAC) is no match
--- more_headers eval
["User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDEF)(000E08ABCDF0)",
 "User-Agent: Yealink SIP-T46G 28.72.0.1 00:0e:08:ab:cd:ef 00:0e:08:ab:cd:f0"]
--- request eval
[("GET /as/dev-a/profile.cfg") x 2]
--- error_code eval
[200, 200]



=== TEST 5: no User-Agent at all, and one that names no device: pass
--- more_headers eval
["", "User-Agent: curl/8.5.0", "User-Agent: Cisco/SPA508G-7.4.4", "User-Agent: DevId 000e08abcd"]
--- request eval
[("GET /as/dev-a/profile.cfg") x 4]
--- error_code eval
[(200) x 4]
--- response_body_like eval
[($main::OK) x 4]
--- no_error_log
prov: access forbidden



=== TEST 6: required: a User-Agent naming no device (or none at all) is refused
--- http_config eval
main::backend(ua => qq{prov_ua_id "$main::UA_RE" required;})
--- more_headers eval
["", "User-Agent: curl/8.5.0", "User-Agent: " . main::ua('grandstream', $main::A), "User-Agent: " . main::ua('grandstream', $main::B)]
--- request eval
[("GET /as/dev-a/profile.cfg") x 4]
--- error_code eval
[403, 403, 200, 403]
--- response_body_like eval
[$main::FORBIDDEN, $main::FORBIDDEN, $main::OK, $main::FORBIDDEN]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: ua_mismatch",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: ua_mismatch",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: ua_mismatch",
]



=== TEST 7: required, no User-Agent: the log line
--- http_config eval
main::backend(ua => qq{prov_ua_id "$main::UA_RE" required;})
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- error_log
prov: access forbidden (ua_mismatch): device "000e08abcdef" is named by no User-Agent, serial 1001



=== TEST 8: upper and lower case, separators: the certificate's device in every spelling passes
--- http_config eval
main::backend(ua => $main::UA_ANY)
--- more_headers eval
[map { "User-Agent: Phone/1.0 ($_)" } qw(000e08abcdef 000E08ABCDEF 00:0e:08:ab:cd:ef 00:0E:08:AB:CD:EF 00-0e-08-ab-cd-ef 00-0E-08-AB-CD-EF 000e.08ab.cdef 000E08-ABCDEF)]
--- request eval
[("GET /as/dev-a/profile.cfg") x 8]
--- error_code eval
[(200) x 8]
--- response_body_like eval
[($main::OK) x 8]
--- no_error_log
prov: access forbidden



=== TEST 9: upper and lower case, separators: another device in every spelling is refused
--- http_config eval
main::backend(ua => $main::UA_ANY)
--- more_headers eval
[map { "User-Agent: Phone/1.0 ($_)" } qw(000e08abcdf0 000E08ABCDF0 00:0e:08:ab:cd:f0 00:0E:08:AB:CD:F0 00-0e-08-ab-cd-f0 00-0E-08-AB-CD-F0 000e.08ab.cdf0 000E08-ABCDF0)]
--- request eval
[("GET /as/dev-a/profile.cfg") x 8]
--- error_code eval
[(403) x 8]
--- response_body_like eval
[($main::FORBIDDEN) x 8]
--- response_headers eval
[("X-Prov-Result: ua_mismatch") x 8]



=== TEST 10: a User-Agent with two MACs: own first, other second; other first, own second; both own
--- http_config eval
main::backend(ua => $main::UA_ANY)
--- more_headers eval
[
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDEF)(000E08ABCDF0)",
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDF0)(000E08ABCDEF)",
    "User-Agent: Yealink SIP-T46G 28.72.0.1 00:0e:08:ab:cd:ef DevId 000e08abcdef",
    "User-Agent: Yealink SIP-T46G 28.72.0.1 00:0e:08:ab:cd:ef DevId 000e08abcdf0",
]
--- request eval
[("GET /as/dev-a/profile.cfg") x 4]
--- error_code eval
[403, 403, 200, 403]
--- response_headers eval
[
    "X-Prov-Result: ua_mismatch",
    "X-Prov-Result: ua_mismatch",
    "X-Prov-Result: allow",
    "X-Prov-Result: ua_mismatch",
]



=== TEST 11: two User-Agent header lines: every line counts, in either order
--- http_config eval
main::backend(ua => $main::UA_ANY)
--- more_headers eval
[
    "User-Agent: Phone/1.0 (000e08abcdef)\nUser-Agent: Phone/1.0 (000e08abcdf0)",
    "User-Agent: Phone/1.0 (000e08abcdf0)\nUser-Agent: Phone/1.0 (000e08abcdef)",
    "User-Agent: curl/8.5.0\nUser-Agent: Phone/1.0 (000e08abcdf0)",
    "User-Agent: Phone/1.0 (000e08abcdef)\nUser-Agent: Phone/1.0 (00:0E:08:AB:CD:EF)",
]
--- request eval
[("GET /as/dev-a/profile.cfg") x 4]
--- error_code eval
[403, 403, 403, 200]
--- response_headers eval
[
    "X-Prov-Result: ua_mismatch",
    "X-Prov-Result: ua_mismatch",
    "X-Prov-Result: ua_mismatch",
    "X-Prov-Result: allow",
]



=== TEST 12: required and two lines: a device named in the second line is enough
--- http_config eval
main::backend(ua => $main::UA_ANY =~ s/;$/ required;/r)
--- more_headers eval
["User-Agent: curl/8.5.0\nUser-Agent: Phone/1.0 (000e08abcdef)", "User-Agent: curl/8.5.0\nUser-Agent: curl/8.5.0"]
--- request eval
[("GET /as/dev-a/profile.cfg") x 2]
--- error_code eval
[200, 403]



=== TEST 13: an overlong User-Agent: past 1,024 bytes it is refused before any regex runs, whatever device it names
No phone sends more than a few hundred bytes; a regex may cost the square
of its subject's length (t/094).  Exactly 1,024 bytes are still searched.
--- http_config eval
main::backend(ua => $main::UA_ANY)
--- more_headers eval
[
    "User-Agent: Phone/1.0 " . ("x" x 6000) . " (000e08abcdf0)",
    "User-Agent: Phone/1.0 " . ("x" x 6000) . " (000e08abcdef)",
    "User-Agent: Phone/1.0 (000e08abcdef) " . ("0" x 6000),
    "User-Agent: Phone/1.0 (000e08abcdef) " . ("00:0e:08:ab:cd:ef " x 300) . "00:0e:08:ab:cd:f0",
    "User-Agent: " . ("x" x (1024 - 15)) . " (000e08abcdef)",
    "User-Agent: " . ("x" x (1024 - 15)) . " (000e08abcdf0)",
    "User-Agent: " . ("x" x (1025 - 15)) . " (000e08abcdef)",
]
--- request eval
[("GET /as/dev-a/profile.cfg") x 7]
--- error_code eval
[403, 403, 403, 403, 200, 403, 403]
--- response_headers eval
[
    ("X-Prov-Result: ua_mismatch") x 4,
    "X-Prov-Result: allow",
    ("X-Prov-Result: ua_mismatch") x 2,
]



=== TEST 14: keep-alive: request 1 with the device's own User-Agent, request 2 another device's
--- more_headers eval
[
    "User-Agent: " . main::ua('yealink', $main::A),
    "User-Agent: " . main::ua('yealink', $main::B),
    "User-Agent: " . main::ua('yealink', $main::A),
    "User-Agent: " . main::ua('cisco', $main::B),
]
--- request eval
[("GET /ka/dev-a/profile.cfg") x 4]
--- error_code eval
[200, 403, 200, 403]
--- response_body_like eval
[$main::OK, $main::FORBIDDEN, $main::OK, $main::FORBIDDEN]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Prov-Result: ua_mismatch",
    "X-Conn: \\d+/3\nX-Prov-Result: allow",
    "X-Conn: \\d+/4\nX-Prov-Result: ua_mismatch",
]



=== TEST 15: HTTP/2: every stream judged by its own User-Agent
--- more_headers eval
[
    "User-Agent: " . main::ua('mpp', $main::A),
    "User-Agent: " . main::ua('mpp', $main::B),
    "User-Agent: " . main::ua('mpp', $main::A),
    "User-Agent: " . main::ua('avaya', $main::B),
]
--- request eval
[("GET /h2ka/dev-a/profile.cfg") x 4]
--- error_code eval
[200, 403, 200, 403]
--- response_body_like eval
[$main::OK, $main::FORBIDDEN, $main::OK, $main::FORBIDDEN]
--- response_headers_like eval
[
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/1\nX-Prov-Result: allow",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/2\nX-Prov-Result: ua_mismatch",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/3\nX-Prov-Result: allow",
    "X-Proto: HTTP/2.0\nX-Conn: \\d+/4\nX-Prov-Result: ua_mismatch",
]



=== TEST 16: HTTP/2: two User-Agent lines on one stream
--- http_config eval
main::backend(ua => $main::UA_ANY)
--- more_headers eval
["User-Agent: Phone/1.0 (000e08abcdef)\nUser-Agent: Phone/1.0 (000e08abcdf0)", "User-Agent: Phone/1.0 (000e08abcdef)"]
--- request eval
["GET /h2/dev-a/profile.cfg", "GET /h2/dev-a/profile.cfg"]
--- error_code eval
[403, 200]



=== TEST 17: resumed TLS sessions: the User-Agent is checked on every request
--- more_headers eval
["User-Agent: " . main::ua('snom', $main::A), "User-Agent: " . main::ua('snom', $main::B)]
--- request eval
[("GET /re/dev-a/profile.cfg") x 2]
--- error_code eval
[200, 403]
--- response_headers eval
["X-Reused: .\nX-Prov-Result: allow", "X-Reused: r\nX-Prov-Result: ua_mismatch"]



=== TEST 18: $prov_result and prov_status count ua_mismatch (JSON, Prometheus)
--- config eval
ProvTest::front(extra => $main::STATUS)
--- more_headers eval
[
    "User-Agent: " . main::ua('grandstream', $main::B),
    "User-Agent: " . main::ua('grandstream', $main::B),
    "User-Agent: " . main::ua('grandstream', $main::A),
    "",
    "",
]
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-a/profile.cfg",
    "GET /status",
    "GET /status?format=prometheus",
]
--- error_code eval
[403, 403, 200, 200, 200]
--- response_body_like eval
[
    '.', '.', '.',
    qr/\A\{"requests":\{"allow":1,(?:"[a-z_]+":0,)*"ua_mismatch":2,(?:"[a-z_]+":0,)*"total":3\}/,
    qr/^nginx_prov_requests_total\{result="ua_mismatch"\} 2$/m,
]



=== TEST 19: the log line names both ids, at error level, with the client
--- more_headers eval
"User-Agent: " . main::ua('avaya', $main::B)
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- error_log eval
[
    main::mismatch(['000e08abcdf0']),
    qr/\[error\] [^\n]*prov: access forbidden \(ua_mismatch\): [^\n]*, client: /,
]



=== TEST 20: the check comes after the certificate's: a generic certificate is "generic", an unverified one "unverified"
--- more_headers eval
["User-Agent: " . main::ua('cisco', $main::B), "User-Agent: " . main::ua('cisco', $main::B)]
--- http_config eval
main::backend(verify => 'optional_no_ca')
--- request eval
["GET /as/generic/profile.cfg", "GET /as/rogue-a/profile.cfg"]
--- error_code eval
[403, 403]
--- response_headers eval
["X-Prov-Result: generic", "X-Prov-Result: unverified"]



=== TEST 21: before prov_uri_id: a User-Agent and a URI both naming another device: ua_mismatch
--- http_config eval
main::backend(more => $ProvTest::URI_ID_MAC)
--- more_headers eval
["User-Agent: " . main::ua('cisco', $main::B), "User-Agent: " . main::ua('cisco', $main::A)]
--- request eval
["GET /as/dev-a/spa962_000e08abcdf0.cfg", "GET /as/dev-a/spa962_000e08abcdf0.cfg"]
--- error_code eval
[403, 403]
--- response_headers eval
["X-Prov-Result: ua_mismatch", "X-Prov-Result: uri_mismatch"]



=== TEST 22: compared by the matched rule's format: a MAC rule normalises, a plain one does not
mac-colon's ST is "00:0e:08:ab:cd:51": its MAC under "ST mac", that very
string under "ST".
--- http_config eval
main::backend(ua => $main::UA_ANY, id => 'prov_id ST mac;', extra => <<'_EOC_')
        location /plain/ {
            prov_id ST;
            rewrite ^/plain(/.*)$ $1 break;
        }
_EOC_
--- more_headers eval
[
    "User-Agent: Phone/1.0 (000E08ABCD51)",
    "User-Agent: Phone/1.0 (000E08ABCD51)",
    "User-Agent: Phone/1.0 (00:0e:08:ab:cd:51)",
    "User-Agent: Phone/1.0 (00:0E:08:AB:CD:51)",
]
--- request eval
[
    "GET /as/mac-colon/profile.cfg",
    "GET /as/mac-colon/plain/profile.cfg",
    "GET /as/mac-colon/plain/profile.cfg",
    "GET /as/mac-colon/plain/profile.cfg",
]
--- error_code eval
[200, 403, 200, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcd51\nX-Prov-Result: allow",
    "X-Prov-Id: 00:0e:08:ab:cd:51\nX-Prov-Result: ua_mismatch",
    "X-Prov-Id: 00:0e:08:ab:cd:51\nX-Prov-Result: allow",
    "X-Prov-Id: 00:0e:08:ab:cd:51\nX-Prov-Result: ua_mismatch",
]



=== TEST 23: mixed fleet: each rule's format (SPA "ST mac", Snom a plain CN), pinned to its CA
--- http_config eval
ProvTest::backend(
    verify => 'on',
    ca => 'vendor-roots',
    server => 'prov on;
        prov_id ST mac issuer=$TEST_NGINX_PROV_PKI/cisco-ca.crt;
        prov_id CN issuer=$TEST_NGINX_PROV_PKI/snom-ca.crt;
        prov_id CN "(?i)^(?<mac>0004f2[0-9a-f]{6})$" issuer=$TEST_NGINX_PROV_PKI/polycom-root.crt;
    ' . $main::UA_ANY,
)
--- more_headers eval
[
    "User-Agent: " . main::ua('cisco', '000e08aa0001'),
    "User-Agent: " . main::ua('mpp', '000e08aa0001'),
    "User-Agent: " . main::ua('snom', '000413aa0005'),
    "User-Agent: " . main::ua('grandstream', '000413aa0005'),
    "User-Agent: PolycomVVX-VVX_411-UA/5.9.0.9373 (0004F2AA0003)",
    "User-Agent: PolycomVVX-VVX_411-UA/5.9.0.9373 (0004F2AA0003)",
    "User-Agent: " . main::ua('cisco', '000e08aa0001'),
]
--- request eval
[
    "GET /as/v-spa/profile.cfg",
    "GET /as/v-spa/profile.cfg",
    "GET /as/v-snom/profile.cfg",
    "GET /as/v-snom/profile.cfg",
    "GET /as/v-polycom/profile.cfg",
    "GET /as/x-polycom-as-spa/profile.cfg",
    "GET /as/x-polycom-as-spa/profile.cfg",
]
--- error_code eval
[200, 200, 200, 403, 200, 403, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Prov-Id: 000e08aa0001\nX-Prov-Result: allow",
    "X-Prov-Id: 000413AA0005\nX-Prov-Result: allow",
    "X-Prov-Id: 000413AA0005\nX-Prov-Result: ua_mismatch",
    "X-Prov-Id: 0004f2aa0003\nX-Prov-Result: allow",
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: ua_mismatch",
    "X-Prov-Id: 0004f2aa0011\nX-Prov-Result: ua_mismatch",
]



=== TEST 24: the capture named "mac", or the first one when none is named (there "Phone": no MAC, refused)
--- http_config eval
main::backend(ua => '', extra => <<'_EOC_')
        location /mac/ {
            prov_ua_id "DevId (?<mac>[0-9a-fA-F]{12})";
            rewrite ^/mac(/.*)$ $1 break;
        }

        location /first/ {
            prov_ua_id "(Phone)/1\.0 \(([0-9a-fA-F:]{12,17})\)";
            rewrite ^/first(/.*)$ $1 break;
        }

        location /firstonly/ {
            prov_ua_id "Phone/1\.0 \(([0-9a-fA-F:]{12,17})\)";
            rewrite ^/firstonly(/.*)$ $1 break;
        }
_EOC_
--- more_headers eval
[
    "User-Agent: DevId 000E08ABCDEF",
    "User-Agent: DevId 000E08ABCDF0",
    "User-Agent: Phone/1.0 (00:0e:08:ab:cd:ef)",
    "User-Agent: Phone/1.0 (00:0e:08:ab:cd:ef)",
    "User-Agent: Phone/1.0 (00:0e:08:ab:cd:f0)",
]
--- request eval
[
    "GET /as/dev-a/mac/profile.cfg",
    "GET /as/dev-a/mac/profile.cfg",
    "GET /as/dev-a/first/profile.cfg",
    "GET /as/dev-a/firstonly/profile.cfg",
    "GET /as/dev-a/firstonly/profile.cfg",
]
--- error_code eval
[200, 403, 403, 200, 403]



=== TEST 25: a match that is no MAC address under a MAC rule names no device of this certificate: refused
--- http_config eval
main::backend(ua => 'prov_ua_id "DevId (?<id>[0-9a-fA-F:]+)";')
--- more_headers eval
["User-Agent: DevId 000e08abcd", "User-Agent: DevId 00:0e:08:ab:cd:ef:00", "User-Agent: DevId 000e08abcdef"]
--- request eval
[("GET /as/dev-a/profile.cfg") x 3]
--- error_code eval
[403, 403, 200]
--- response_headers eval
["X-Prov-Result: ua_mismatch", "X-Prov-Result: ua_mismatch", "X-Prov-Result: allow"]



=== TEST 26: what a User-Agent names reaches the log escaped
--- http_config eval
main::backend(ua => 'prov_ua_id "DevId (?<id>[^ ]+)";')
--- more_headers eval
"User-Agent: DevId 000e08abcdf0\"\x{1b}[31m\x{c3}\x{a9}"
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- error_log eval
qr/\(ua_mismatch\): device "000e08abcdef" announced "000e08abcdf0\\x22\\x1B\[31m\\xC3\\xA9" in/i



=== TEST 27: required: an empty User-Agent line is no device
--- http_config eval
main::backend(ua => $main::UA_ANY =~ s/;$/ required;/r)
--- more_headers eval
["User-Agent: ", "User-Agent: \nUser-Agent: Phone/1.0 (000e08abcdef)"]
--- request eval
[("GET /as/dev-a/profile.cfg") x 2]
--- error_code eval
[403, 200]



=== TEST 28: the header's name in any case (HTTP/2 sends it in lower case)
--- http_config eval
main::backend(ua => 'prov_ua_id "DevId (?<id>[0-9a-f]{12})";')
--- more_headers eval
[
    "user-agent: DevId 000e08abcdf0",
    "User-Agent: DevId 000e08abcdef\nuser-agent: DevId 000e08abcdf0",
    "User-Agent: DevId 000e08abcdef\nUSER-AGENT: DevId 000e08abcdf0",
    "USER-AGENT: DevId 000e08abcdef",
]
--- request eval
[("GET /as/dev-a/profile.cfg") x 4]
--- error_code eval
[403, 403, 403, 200]



=== TEST 29: a branch that matches without the capture names no device; required wants one that does
--- http_config eval
main::backend(ua => '', extra => <<'_EOC_')
        location /opt/ {
            prov_ua_id "(?:DevId (?<id>[0-9a-f]{12})|Grandstream)";
            rewrite ^/opt(/.*)$ $1 break;
        }

        location /req/ {
            prov_ua_id "(?:DevId (?<id>[0-9a-f]{12})|Grandstream)" required;
            rewrite ^/req(/.*)$ $1 break;
        }
_EOC_
--- more_headers eval
[
    "User-Agent: Grandstream foo",
    "User-Agent: Grandstream DevId 000e08abcdf0",
    "User-Agent: Grandstream foo",
    "User-Agent: Grandstream DevId 000e08abcdef",
]
--- request eval
[
    "GET /as/dev-a/opt/profile.cfg",
    "GET /as/dev-a/opt/profile.cfg",
    "GET /as/dev-a/req/profile.cfg",
    "GET /as/dev-a/req/profile.cfg",
]
--- error_code eval
[200, 403, 403, 200]



=== TEST 29b: a capture that may be empty: an empty one is a name, and not this device's; no endless search
--- http_config eval
main::backend(ua => 'prov_ua_id "(?<id>[0-9a-f]*)";')
--- more_headers eval
["User-Agent: xyz", "User-Agent: 000e08abcdef", "User-Agent: xyz 000e08abcdf0"]
--- request eval
[("GET /as/dev-a/profile.cfg") x 3]
--- error_code eval
[403, 200, 403]
--- timeout: 5



=== TEST 30: set: a variable set before the access phase does not skip the check
--- http_config eval
main::backend(location => 'set $who "$prov_id"; add_header X-Who $who always;' . ProvTest::headers())
--- more_headers eval
["User-Agent: " . main::ua('cisco', $main::B), "User-Agent: " . main::ua('cisco', $main::A)]
--- request eval
[("GET /as/dev-a/profile.cfg") x 2]
--- error_code eval
[403, 200]
--- response_headers eval
["X-Who: 000e08abcdef\nX-Prov-Result: ua_mismatch", "X-Who: 000e08abcdef\nX-Prov-Result: allow"]



=== TEST 31: if: a location's if block keeps the check
--- http_config eval
main::backend(location => 'if ($http_x_go) { rewrite ^ /profile.cfg break; }')
--- more_headers eval
["X-Go: 1\nUser-Agent: " . main::ua('cisco', $main::B), "X-Go: 1\nUser-Agent: " . main::ua('cisco', $main::A)]
--- request eval
[("GET /as/dev-a/other.cfg") x 2]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, $main::OK]



=== TEST 32: rewrite (last and break) into a location with "prov_ua_id off", and out of one
--- http_config eval
main::backend(extra => <<'_EOC_')
        location /free/ {
            prov_ua_id off;
            rewrite ^/free/(.*)$ /$1 break;
        }

        location /to-free/ {
            prov_ua_id off;
            rewrite ^/to-free/(.*)$ /checked/$1 last;
        }

        location /checked/ {
            rewrite ^/checked/(.*)$ /$1 break;
        }
_EOC_
--- more_headers eval
[("User-Agent: " . main::ua('cisco', $main::B)) x 3]
--- request eval
["GET /as/dev-a/free/profile.cfg", "GET /as/dev-a/to-free/profile.cfg", "GET /as/dev-a/checked/profile.cfg"]
--- error_code eval
[200, 403, 403]



=== TEST 33: a regex location with a prov_ua_id of its own, and one inheriting the server's
--- http_config eval
main::backend(ua => '', extra => <<'_EOC_' . "location ~ ^/r2/ {\n$main::UA_ID\nrewrite ^/r2(/.*)\$ \$1 break; }\n")
        location ~ ^/r1/ {
            rewrite ^/r1(/.*)$ $1 break;
        }
_EOC_
--- more_headers eval
[("User-Agent: " . main::ua('cisco', $main::B)) x 2]
--- request eval
["GET /as/dev-a/r1/profile.cfg", "GET /as/dev-a/r2/profile.cfg"]
--- error_code eval
[200, 403]



=== TEST 34: error_page 403 into a location without prov_ua_id, and into a named location: the refusal stays
--- http_config eval
main::backend(location => 'error_page 403 = /why;', extra => <<'_EOC_')
        location = /why {
            prov_ua_id off;
            return 200 "why=[$prov_result][$prov_id]\n";
        }

        location /n/ {
            error_page 403 = @why;
            rewrite ^/n(/.*)$ $1 break;
        }

        location @why {
            prov_ua_id off;
            return 200 "named=[$prov_result][$prov_id]\n";
        }
_EOC_
--- more_headers eval
[("User-Agent: " . main::ua('cisco', $main::B)) x 2]
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/dev-a/n/profile.cfg"]
--- response_body eval
["why=[ua_mismatch][000e08abcdef]\n", "named=[ua_mismatch][000e08abcdef]\n"]



=== TEST 35: prov_profile's fallback into a named location: the check ran before it
--- http_config eval
main::backend(location => 'prov_profile /devices/$prov_id.cfg @nf;', extra => <<'_EOC_')
        location @nf {
            return 200 "no file for [$prov_result][$prov_id]\n";
        }
_EOC_
--- user_files eval
">>> profile.cfg\n$ProvTest::PROFILE"
--- more_headers eval
["User-Agent: " . main::ua('cisco', $main::B), "User-Agent: " . main::ua('cisco', $main::A)]
--- request eval
[("GET /as/dev-a/x.cfg") x 2]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, "\\Ano file for \\[allow\\]\\[000e08abcdef\\]\n\\z"]



=== TEST 36: satisfy any: an address that grants lets a ua_mismatch through, the result kept; deny all does not
--- http_config eval
main::backend(extra => <<'_EOC_')
        location /any/ {
            satisfy any;
            allow unix:;
            deny all;
            rewrite ^/any(/.*)$ $1 break;
        }

        location /none/ {
            satisfy any;
            deny all;
            rewrite ^/none(/.*)$ $1 break;
        }
_EOC_
--- more_headers eval
[("User-Agent: " . main::ua('cisco', $main::B)) x 2, "User-Agent: " . main::ua('cisco', $main::A)]
--- request eval
["GET /as/dev-a/any/profile.cfg", "GET /as/dev-a/none/profile.cfg", "GET /as/dev-a/none/profile.cfg"]
--- error_code eval
[200, 403, 200]
--- response_headers eval
["X-Prov-Result: ua_mismatch", "X-Prov-Result: ua_mismatch", "X-Prov-Result: allow"]



=== TEST 37: inherited from the server into locations, replaced by a location's own
--- http_config eval
main::backend(extra => <<'_EOC_')
        location /own/ {
            prov_ua_id "DevId (?<id>[0-9a-f]{12})";
            rewrite ^/own(/.*)$ $1 break;
        }
_EOC_
--- more_headers eval
[
    "User-Agent: " . main::ua('cisco', $main::B),
    "User-Agent: " . main::ua('grandstream', $main::B),
    "User-Agent: " . main::ua('cisco', $main::B),
]
--- request eval
["GET /as/dev-a/profile.cfg", "GET /as/dev-a/own/profile.cfg", "GET /as/dev-a/own/profile.cfg"]
--- error_code eval
[403, 403, 200]



=== TEST 40: nginx -t: a bad regex
--- http_config eval
main::backend(ua => 'prov_ua_id "(?<id>[0-9a-f]{12}";')
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- error_log eval
qr/pcre2?_compile\(\) failed/



=== TEST 41: nginx -t: an unknown parameter
--- http_config eval
main::backend(ua => qq{prov_ua_id "$main::UA_RE" requird;})
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- error_log eval
qr/\[emerg\] [^\n]*requird/



=== TEST 42: nginx -t: not at http level
--- http_config eval
main::backend(http => qq{prov_ua_id "$main::UA_RE";})
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- error_log
"prov_ua_id" directive is not allowed here



=== TEST 43: the refusal of an overlong User-Agent says why
--- http_config eval
main::backend(ua => $main::UA_ANY)
--- more_headers eval
"User-Agent: Phone/1.0 " . ("x" x 6000) . " (000e08abcdef)"
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- error_log
prov: access forbidden (ua_mismatch): device "000e08abcdef" sent more than 1024 bytes of User-Agent, serial 1001



=== TEST 44: proxy_pass with a URI part, try_files into a named location, X-Accel-Redirect: the User-Agent is checked before any of them
/px/ proxies to a plain server of the same nginx (with a URI part), /tf/
hands the request to @named by try_files, /xa/ answers with an
X-Accel-Redirect into /xin/, a location whose prov_ua_id is off: the
access phase of the first location refuses another device's User-Agent,
and neither the proxied answer nor the redirect's target serves it.
--- http_config eval
main::backend(
    http => 'server { listen unix:$TEST_NGINX_SERVER_ROOT/html/inner.sock; location / { return 200 "inner $uri\n"; } }',
    extra => '
        location /px/ {
            proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/html/inner.sock:/inner/;
        }
        location /tf/ {
            try_files /nonexistent @named;
        }
        location @named {
            prov_ua_id off;
            return 200 "named\n";
        }
        location /xa/ {
            proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/html/inner-xa.sock;
        }
        location /xin/ {
            internal;
            prov_ua_id off;
            alias $TEST_NGINX_SERVER_ROOT/html/;
        }
',
) . '
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/html/inner-xa.sock;
        location / { add_header X-Accel-Redirect /xin/profile.cfg; return 200 "redirected\n"; }
    }
'
--- more_headers eval
[
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDEF)(CBT141400UK)",
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDF0)(CBT141400UK)",
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDEF)(CBT141400UK)",
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDF0)(CBT141400UK)",
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDEF)(CBT141400UK)",
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDF0)(CBT141400UK)",
]
--- request eval
[
    "GET /as/dev-a/px/a.cfg",
    "GET /as/dev-a/px/a.cfg",
    "GET /as/dev-a/tf/a.cfg",
    "GET /as/dev-a/tf/a.cfg",
    "GET /as/dev-a/xa/a.cfg",
    "GET /as/dev-a/xa/a.cfg",
]
--- error_code eval
[200, 403, 200, 403, 200, 403]
--- response_body_like eval
[
    '\Ainner /inner/a\.cfg\n\z', $main::FORBIDDEN,
    '\Anamed\n\z', $main::FORBIDDEN,
    $main::OK, $main::FORBIDDEN,
]
--- response_headers eval
[
    "X-Prov-Result: allow", "X-Prov-Result: ua_mismatch",
    "X-Prov-Result: allow", "X-Prov-Result: ua_mismatch",
    "X-Prov-Result: allow", "X-Prov-Result: ua_mismatch",
]



=== TEST 45: a location with prov_ua_id off whose try_files redirects into one that has it: checked there
--- http_config eval
main::backend(
    ua => '',
    extra => '
        location /open/ {
            try_files /nonexistent /ua/profile.cfg;
        }
        location /ua/ {
            prov_ua_id "\((?<id>[0-9A-Fa-f]{12})\)";
            alias $TEST_NGINX_SERVER_ROOT/html/;
        }
',
)
--- more_headers eval
[
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDEF)(CBT141400UK)",
    "User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDF0)(CBT141400UK)",
]
--- request eval
[
    "GET /as/dev-a/open/x.cfg",
    "GET /as/dev-a/open/x.cfg",
]
--- error_code eval
[200, 403]
--- response_body_like eval
[$main::OK, $main::FORBIDDEN]
--- response_headers eval
["X-Prov-Result: allow", "X-Prov-Result: ua_mismatch"]



=== TEST 46: the User-Agent a connection keeps: the same line again is allowed, any other is searched
A connection keeps the one User-Agent line its last search allowed (up to
256 bytes) and allows it again without a regex; another line, a second
line beside it, or the same line under another location's prov_ua_id is
searched as ever.
--- http_config eval
main::backend(extra => '
        location /other/ {
            prov_ua_id "\[(?<id>[0-9a-f]{12})\]";
            try_files /profile.cfg =404;
        }
')
--- more_headers eval
[
    "User-Agent: " . main::ua('cisco', $main::A),
    "User-Agent: " . main::ua('cisco', $main::A),
    "User-Agent: " . main::ua('cisco', $main::B),
    "User-Agent: " . main::ua('cisco', $main::A) . "\nUser-Agent: " . main::ua('mitel', $main::B),
    "User-Agent: " . main::ua('cisco', $main::A),
    "User-Agent: " . main::ua('cisco', $main::A) . " [$main::B]",
    "User-Agent: " . main::ua('cisco', $main::A) . " [$main::B]",
    "User-Agent: " . main::ua('cisco', $main::A) . " " . ("x" x 300),
    "User-Agent: " . main::ua('cisco', $main::B) . " " . ("x" x 300),
]
--- request eval
[
    ("GET /ka/dev-a/profile.cfg") x 6,
    "GET /ka/dev-a/other/profile.cfg",
    ("GET /ka/dev-a/profile.cfg") x 2,
]
--- error_code eval
[200, 200, 403, 403, 200, 200, 403, 200, 403]
--- response_headers_like eval
[
    "X-Conn: \\d+/1\nX-Prov-Result: allow",
    "X-Conn: \\d+/2\nX-Prov-Result: allow",
    "X-Conn: \\d+/3\nX-Prov-Result: ua_mismatch",
    "X-Conn: \\d+/4\nX-Prov-Result: ua_mismatch",
    "X-Conn: \\d+/5\nX-Prov-Result: allow",
    "X-Conn: \\d+/6\nX-Prov-Result: allow",
    "X-Conn: \\d+/7\nX-Prov-Result: ua_mismatch",
    "X-Conn: \\d+/8\nX-Prov-Result: allow",
    "X-Conn: \\d+/9\nX-Prov-Result: ua_mismatch",
]
