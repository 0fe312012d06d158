# Attacks on prov_ua_id (issue 17, bd59b29) as a hostile device or a
# careless operator would try them.  TESTS 1-9 failed at bd59b29: regexes
# whose id capture is ambiguous (nginx -t took them, and a UA, or a URI,
# naming another device through the other capture was served), a
# "User_Agent" line that FastCGI, uwsgi and SCGI backends read as the
# User-Agent, a worker stalled by the README's own regex on a long
# User-Agent, a PCRE error (match limit, invalid UTF-8 under (*UTF))
# answered 500 with an [alert] and counted nowhere, a gated location
# inside a "prov off" one without the server's prov_ua_id.  The blocks after
# them show what held.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(dev_profile exactly);

our $A = '000e08abcdef';    # dev-a, serial 1001
our $B = '000e08abcdf0';    # dev-b, serial 1002

our $FORBIDDEN = '(?s)\A(?!.*secret-)' . $ProvTest::FORBIDDEN;
our $OWN = exactly(dev_profile($A));

# the regex the README recommends (prov_ua_id), as it stood at bd59b29
our $README_UA = '(?|^Cisco\S* \((?<id>[0-9A-Fa-f]{12})\)|^Yealink .* (?<id>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})$|snom.* (?<id>[0-9A-Fa-f]{12})\)?$|DevId (?<id>[0-9A-Fa-f]{12})|\(MAC:(?<id>[0-9A-Fa-f]{12})\)|MAC:(?<id>[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}))';

# the backend: gate at server level, prov_ua_id as given
sub backend {
    my (%o) = (ua => "prov_ua_id \"$README_UA\";", more => '', @_);
    my $server = "prov on;\nprov_id ST mac;\n" . delete($o{ua}) . "\n"
               . delete($o{more});
    return ProvTest::backend(verify => 'on', server => $server, %o);
}

our $STATUS = <<'_EOC_';
        location = /status {
            prov off;
            prov_status;
        }
_EOC_

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
    user_files => ProvTest::profile_files(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: prov_uri_id with a capture "id" and a capture "mac": nginx -t refuses it
The design makes a capture named "mac" read a MAC address.  A regex with
one alternative capturing "id" and another capturing "mac" (no branch
reset) was taken, and only "id" was ever read: a URI matched by the "mac"
alternative named no device, and dev-a got dev-b's profile at
/devices/00:0e:08:ab:cd:f0.cfg wherever the URI maps to a file.  The id
capture must be unambiguous.
--- http_config eval
main::backend(ua => 'prov_uri_id "/(?<id>[0-9a-f]{12})\.cfg$|/(?<mac>[0-9a-f]{2}(?::[0-9a-f]{2}){5})\.cfg$";')
--- request
GET /as/dev-a/devices/000e08abcdef.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
more than one capture named "id" or "mac"



=== TEST 2: prov_ua_id with a capture "id" and a capture "mac": nginx -t refuses it
Mitel's form as a "mac" capture next to Cisco's as "id": "Mitel
MAC:00-0E-08-AB-CD-F0" from dev-a was served (200), the "mac" capture
never read.
--- http_config eval
main::backend(ua => 'prov_ua_id "\((?<id>[0-9A-Fa-f]{12})\)|MAC:(?<mac>[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})";')
--- request
GET /as/dev-a/devices/000e08abcdef.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
more than one capture named "id" or "mac"



=== TEST 3: prov_ua_id with two captures named "id" ((?J)): nginx -t refuses it
(?J) allows a name twice without a branch reset; only the first group of
that name was read, so "Grandstream DevId 000e08abcdf0" from dev-a was
served (200).  (?|...) is the way, and gives one group.
--- http_config eval
main::backend(ua => 'prov_ua_id "(?J)\((?<id>[0-9A-Fa-f]{12})\)|DevId (?<id>[0-9A-Fa-f]{12})";')
--- request
GET /as/dev-a/devices/000e08abcdef.cfg
--- must_die
--- suppress_stderr
--- error_log
[emerg]
more than one capture named "id" or "mac"



=== TEST 4: "User_Agent" under underscores_in_headers is a User-Agent line too
nginx hands "User_Agent" to FastCGI, uwsgi and SCGI backends as
HTTP_USER_AGENT, next to the one of "User-Agent" (through uwsgi_pass: two
HTTP_USER_AGENT, the second naming dev-b; a WSGI environ keeps the last):
the backend reads dev-b's MAC.  It was served (200, "allow"); it must be
checked as any User-Agent line.
--- http_config eval
"underscores_in_headers on;\n" . main::backend()
--- more_headers
User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)
User_Agent: Cisco/SPA508G-7.4.4 (000E08ABCDF0)(CBT141400UK)
--- request
GET /as/dev-a/devices/000e08abcdef.cfg
--- error_code: 403
--- response_body_like eval
$main::FORBIDDEN
--- response_headers
X-Prov-Result: ua_mismatch
--- error_log
prov: access forbidden (ua_mismatch): device "000e08abcdef" announced "000E08ABCDF0" in its User-Agent, serial 1001



=== TEST 5: a long User-Agent does not hold the worker (the README's regex)
The README's snom alternative, "snom.* (...)\)?$", is searched from every
"snom" to the end of the User-Agent and back: a User-Agent of "snom"
repeated costs the square of its length, without pcre_jit (nginx's
default) some 190 ms for 7.6 KB, for each User-Agent line, and one worker
serves every other device meanwhile.  Over HTTP/2 a User-Agent put once
into HPACK's table costs one byte a line afterwards: 100 streams of eight
4000-byte lines (10 KB sent) held a worker 37 s.  Here two 16 KB lines
(large_client_header_buffers 4 16k) hold it about 1 s.  No phone sends a
User-Agent of more than a few hundred bytes: a longer one is refused at
once, before any regex runs; one of a normal length still passes.
--- http_config eval
"large_client_header_buffers 4 16k;\n" . main::backend()
--- more_headers eval
[join("", ("User-Agent: " . ("snom" x 3990) . "\n") x 2),
"User-Agent: Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 000E08ABCDEF)"]
--- request eval
["GET /as/dev-a/devices/000e08abcdef.cfg",
"GET /as/dev-a/devices/000e08abcdef.cfg"]
--- timeout: 1
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, $main::OWN]
--- response_headers eval
["X-Prov-Result: ua_mismatch", "X-Prov-Result: allow"]



=== TEST 6: a regex that fails on a User-Agent refuses it as ua_mismatch, no 500, no [alert]
A regex that backtracks without end hits PCRE's match limit: the
request got 500 and an [alert] line each time ($prov_result empty), so
one device fills the log at alert level with bytes of its choice
(escaped), and a fail2ban filter on "access forbidden" sees nothing.  The
User-Agent could not be read: refused as ua_mismatch, logged at
prov_log_level.
--- http_config eval
main::backend(ua => 'prov_ua_id "^(?:\w+\s?)*\((?<id>[0-9a-f]{12})\)$";')
--- more_headers eval
"User-Agent: " . ("a" x 30) . "(000e08abcdef)!"
--- request
GET /as/dev-a/devices/000e08abcdef.cfg
--- error_code: 403
--- response_body_like eval
$main::FORBIDDEN
--- response_headers
X-Prov-Result: ua_mismatch
--- error_log
prov: access forbidden (ua_mismatch)
--- no_error_log
[alert]



=== TEST 7: prov_status counts a request whose User-Agent the regex failed on
It was counted nowhere (not even in "total"): a device probing the regex
was invisible in prov_status.
--- http_config eval
main::backend(ua => 'prov_ua_id "^(?:\w+\s?)*\((?<id>[0-9a-f]{12})\)$";', extra => $main::STATUS)
--- more_headers eval
["User-Agent: " . ("a" x 30) . "(000e08abcdef)!", ""]
--- request eval
["GET /as/dev-a/devices/000e08abcdef.cfg", "GET /plain/status"]
--- error_code eval
[403, 200]
--- response_body_like eval
[$main::FORBIDDEN, '"ua_mismatch":1,"total":1\}']
--- no_error_log
[alert]



=== TEST 8: invalid UTF-8 under a (*UTF) regex refuses it as ua_mismatch, no 500, no [alert]
An operator's "(*UTF)" makes PCRE check the subject: a User-Agent with
bytes 0xFF 0xFE got 500 and an [alert] ("failed: -23") for every request
of the device.
--- http_config eval
main::backend(ua => 'prov_ua_id "(*UTF)\\((?<id>[0-9A-Fa-f]{12})\\)";')
--- more_headers eval
"User-Agent: Cisco \xff\xfe (000e08abcdef)"
--- request
GET /as/dev-a/devices/000e08abcdef.cfg
--- error_code: 403
--- response_body_like eval
$main::FORBIDDEN
--- response_headers
X-Prov-Result: ua_mismatch
--- error_log
prov: access forbidden (ua_mismatch)
--- no_error_log
[alert]



=== TEST 9: a gated location inside a "prov off" one keeps the server's prov_ua_id and prov_uri_id
The README: set the gate's directives at server level, "every location
inherits them".  A location with "prov off" (public files) and, inside
it, one that turns the gate on again got neither: dev-a read
/devices/<dev-b>.cfg announcing dev-b in its User-Agent (200).
--- http_config eval
main::backend(more => $ProvTest::URI_ID_MAC, location => '
            prov off;

            location /devices/ {
                prov on;
            }
')
--- more_headers eval
["User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdf0)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)"]
--- request eval
["GET /as/dev-a/devices/000e08abcdef.cfg",
"GET /as/dev-a/devices/000e08abcdf0.cfg",
"GET /as/dev-a/devices/000e08abcdef.cfg"]
--- error_code eval
[403, 403, 200]
--- response_body_like eval
[$main::FORBIDDEN, $main::FORBIDDEN, $main::OWN]
--- response_headers eval
["X-Prov-Result: ua_mismatch", "X-Prov-Result: uri_mismatch", "X-Prov-Result: allow"]



=== TEST 10: held: every User-Agent line, in either order, in any case, HTTP/1.1, HTTP/1.0 and HTTP/2
--- more_headers eval
["User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)
User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdf0)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdf0)(CBT141400UK)
User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)",
"uSER-aGENT: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)
user-agent: Cisco/SPA508G-7.4.4 (000E08ABCDF0)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)
User-Agent: Grandstream GXP2170 DevId 000e08abcdf0",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)
User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdf0)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDEF)(CBT141400UK)
User-Agent: Yealink SIP-T46G 28.72.0.1 00:0e:08:ab:cd:ef"]
--- request eval
["GET /as/dev-a/devices/000e08abcdef.cfg",
"GET /as/dev-a/devices/000e08abcdef.cfg",
"GET /as/dev-a/devices/000e08abcdef.cfg",
"GET /h10/dev-a/devices/000e08abcdef.cfg",
"GET /h2/dev-a/devices/000e08abcdef.cfg",
"GET /h2/dev-a/devices/000e08abcdef.cfg"]
--- error_code eval
[403, 403, 403, 403, 403, 200]
--- response_body_like eval
[($main::FORBIDDEN) x 5, $main::OWN]
--- response_headers eval
[("X-Prov-Result: ua_mismatch") x 5, "X-Prov-Result: allow"]



=== TEST 11: held: a kept-alive connection, HTTP/1.1 and HTTP/2: each request's User-Agent
The certificate's identity is kept per connection, the User-Agent is not.
--- more_headers eval
["User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdf0)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdf0)(CBT141400UK)",
"User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdef)(CBT141400UK)"]
--- request eval
["GET /ka/dev-a/devices/000e08abcdef.cfg",
"GET /ka/dev-a/devices/000e08abcdef.cfg",
"GET /ka/dev-a/devices/000e08abcdef.cfg",
"GET /h2ka/dev-a/devices/000e08abcdef.cfg",
"GET /h2ka/dev-a/devices/000e08abcdef.cfg",
"GET /h2ka/dev-a/devices/000e08abcdef.cfg"]
--- error_code eval
[200, 403, 200, 200, 403, 200]
--- response_body_like eval
[$main::OWN, $main::FORBIDDEN, $main::OWN, $main::OWN, $main::FORBIDDEN, $main::OWN]
--- response_headers eval
["X-Prov-Result: allow", "X-Prov-Result: ua_mismatch", "X-Prov-Result: allow",
"X-Prov-Result: allow", "X-Prov-Result: ua_mismatch", "X-Prov-Result: allow"]



=== TEST 12: held: what a User-Agent names is escaped in the log line
A capture that is no MAC is refused, and quoted with control bytes, quotes
and backslashes as \xHH: no line of the attacker's making.
--- http_config eval
main::backend(ua => 'prov_ua_id "id=(?<id>\S+)";')
--- more_headers eval
"User-Agent: x id=a\"b\\c\x1b[31m\x7f\xc3\xa9"
--- request
GET /as/dev-a/devices/000e08abcdef.cfg
--- error_code: 403
--- response_body_like eval
$main::FORBIDDEN
--- error_log
prov: access forbidden (ua_mismatch): device "000e08abcdef" announced "a\x22b\x5Cc\x1B[31m\x7F\xC3\xA9" in its User-Agent, serial 1001



=== TEST 13: held: "required": no User-Agent, or none naming the device, is refused
--- http_config eval
main::backend(ua => "prov_ua_id \"$main::README_UA\" required;")
--- more_headers eval
["", "User-Agent: Polycom VVX-410 5.9.0"]
--- request eval
["GET /as/dev-a/devices/000e08abcdef.cfg",
"GET /h2/dev-a/devices/000e08abcdef.cfg"]
--- error_code eval
[403, 403]
--- response_body_like eval
[$main::FORBIDDEN, $main::FORBIDDEN]
--- error_log
prov: access forbidden (ua_mismatch): device "000e08abcdef" is named by no User-Agent, serial 1001



=== TEST 14: held: "required": a User-Agent naming the device passes
--- http_config eval
main::backend(ua => "prov_ua_id \"$main::README_UA\" required;")
--- more_headers eval
["User-Agent: Cisco/SPA508G-7.4.4 (000E08ABCDEF)(CBT141400UK)", "User-Agent: Yealink SIP-T46G 28.72.0.1 00:0e:08:ab:cd:ef"]
--- request eval
["GET /as/dev-a/devices/000e08abcdef.cfg", "GET /h2/dev-a/devices/000e08abcdef.cfg"]
--- response_body_like eval
[$main::OWN, $main::OWN]
--- response_headers eval
["X-Prov-Result: allow", "X-Prov-Result: allow"]



=== TEST 15: held: "prov off" and "prov_ua_id off" under a server-level prov_ua_id, an error_page into them
A refused request stays refused through error_page into a location
without prov_ua_id; where the gate is off, the User-Agent is not read.
--- http_config eval
main::backend(more => 'error_page 403 /free/err.html;', extra => <<'_EOC_')
        location /free/ {
            prov off;
        }

        location /noua/ {
            prov_ua_id off;
            error_page 403 /noua/err.html;
        }
_EOC_
--- user_files eval
[@{ ProvTest::profile_files() }, ['free/x.txt', "free\n"], ['free/err.html', "err\n"], ['noua/x.txt', "noua\n"], ['noua/err.html', "noua err\n"]]
--- more_headers eval
[("User-Agent: Cisco/SPA508G-7.4.4 (000e08abcdf0)(CBT141400UK)") x 3]
--- request eval
["GET /as/dev-a/free/x.txt", "GET /as/dev-a/noua/x.txt", "GET /as/dev-a/devices/000e08abcdef.cfg"]
--- error_code eval
[200, 200, 403]
--- response_body_like eval
["\\Afree\n\\z", "\\Anoua\n\\z", "\\Aerr\n\\z"]
