# "prov_acl lmdb:PATH": the access list in an LMDB database written by
# prov-acl (t/lib/ProvAcl.pm).  The same semantics as the file list of
# t/030: allow, deny, not listed under both defaults, pins, attributes in
# $prov_acl_<key>, ids in any MAC form, lists of ids that are no MAC; what
# nginx -t says of a database it cannot use; nothing of the verdict kept
# per connection; prov_status's figures; and the verdict through what
# operators add to a server (set, if, rewrite, regex locations, error_page,
# named locations, proxy_pass, satisfy any, internal redirects), as a file
# list's.  Changes while nginx runs, worker kills, a database removed or
# replaced: t/038-acl-lmdb-live.t.
#
# The databases are made once, before the blocks, in a temporary folder.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use File::Temp qw(tempdir);
use ProvAcl;
use ProvTest qw(fingerprint);

our $DIR = tempdir('prov-lmdb-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# the SHA-256 fingerprints of test certificates, as openssl prints them
our %FP = map { $_ => fingerprint($_) } qw(dev-a dev-b full chain-c);

# dev-a 000e08abcdef, dev-b 000e08abcdf0, chain-c 000e08abcdc1, full
# 000e08abcd80 (not listed), as t/030's list
our $DB = "$DIR/devices.db";
ProvAcl::create($DB, {serial => 41}, <<'_EOF_');
# the provider's word on each device
000e08abcdef allow account=1042 profile=spa962-a
000e08abcdc1 allow
000e08abcdf0 deny  account=1043     # reported stolen
_EOF_

# pins: dev-a pinned to its own certificate, chain-c to dev-b's, dev-b
# pinned and denied
our $PINNED = "$DIR/pinned.db";
ProvAcl::create($PINNED,
    "000e08abcdef allow sha256=$FP{'dev-a'} account=7\n",
    "000e08abcdc1 allow sha256=$FP{'dev-b'}\n",
    "000e08abcdf0 deny sha256=$FP{'dev-b'}\n");

# ids in other MAC forms: prov-acl keeps them canonical
our $FORMS = "$DIR/forms.db";
ProvAcl::create($FORMS,
    "00:0E:08:AB:CD:EF allow account=colons\n",
    "000E.08AB.CDC1 allow account=dots\n",
    "00-0e-08-ab-cd-80 allow account=dashes\n");

# ids that are no MAC address (prov_id CN)
our $VALUES = "$DIR/values.db";
ProvAcl::create($VALUES, {ids => 'value'},
    "SEP00112233AABB allow account=sep\n",
    "00:15:65:AB:CD:EF allow account=yealink\n",
    "000E08ABCDEF allow account=not-a\n");

# what nginx -t refuses
our $MISSING = "$DIR/missing.db";
our $TEXT = "$DIR/text.db";
open my $fh, '>', $TEXT or die "$TEXT: $!";
print $fh "000e08abcdef allow\n";
close $fh;
our $FOLDER = "$DIR/folder.db";
mkdir $FOLDER or die "$FOLDER: $!";

# an LMDB file without the prov databases (lmdb-utils' mdb_load)
our $OTHER = "$DIR/other.db";
load($OTHER, 'things', 'a' => 'b');

# a prov database of another format version: "format" set to 2 afterwards
our $FORMAT2 = "$DIR/format2.db";
ProvAcl::create($FORMAT2, "000e08abcdef allow\n");
load($FORMAT2, 'meta', 'format' => '2');

# a database whose lock file nginx cannot open: a folder in its place
our $NOLOCK = "$DIR/nolock.db";
ProvAcl::create($NOLOCK, "000e08abcdef allow\n");
unlink "$NOLOCK-lock";
mkdir "$NOLOCK-lock" or die "$NOLOCK-lock: $!";

# load(PATH, DB, KEY => VALUE...): records put into a named database of an
# LMDB file with mdb_load, creating the file if need be
sub load {
    my ($path, $db, %kv) = @_;
    my $in = "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n"
           . join('', map { " $_\n $kv{$_}\n" } sort keys %kv)
           . "DATA=END\n";
    open my $p, '|-', 'mdb_load', '-n', '-s', $db, $path
        or die "mdb_load: $!";
    print $p $in;
    close $p or die "mdb_load $path failed: $?";
}

our $HEADERS = <<'_EOC_';
        add_header X-Account "$prov_acl_account" always;
        add_header X-Profile "$prov_acl_profile" always;
_EOC_

# backend(acl => prov_acl directive, id => prov_id directive,
#         more => more text in the server, %ProvTest::backend options)
sub backend {
    my %o = (
        acl => "prov_acl lmdb:$DB;",
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

# the interplay blocks: dev-b (denied by the list) must be refused through
# each addition, dev-a served; $prov_acl_account where the request ends
our $SHAPES = <<'_EOC_';
        location ~ ^/regex/.*\.cfg$ {
            rewrite ^ /profile.cfg break;
        }

        location /rw/ {
            rewrite ^/rw/(.*)$ /$1 last;
        }

        location /set/ {
            set $acct "a-$prov_acl_account";
            add_header X-Set $acct always;
            try_files /profile.cfg =404;
        }

        location /if/ {
            if ($arg_go) {
                rewrite ^ /profile.cfg last;
            }
            return 404;
        }

        location /ep/ {
            error_page 404 = @named;
            return 404;
        }

        location @named {
            try_files /profile.cfg =404;
        }

        location /epuri/ {
            error_page 404 /profile.cfg;
            return 404;
        }

        location /tf/ {
            try_files /nothing $uri /profile.cfg;
        }

        location /proxy/ {
            proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/plain.sock:/;
        }

        location /any/ {
            satisfy any;
            deny all;
            rewrite ^/any/(.*)$ /$1 break;
        }
_EOC_

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: listed "allow", "deny", not listed: as a file list
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/chain-c/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/full/profile.cfg",
]
--- error_code eval
[200, 200, 403, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: allow\nX-Account: 1042\nX-Profile: spa962-a",
    "X-Prov-Id: 000e08abcdc1\nX-Prov-Result: allow\nX-Account:\nX-Profile:",
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: denied\nX-Account: 1043",
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: not_listed\nX-Account:",
]
--- response_body_like eval
[
    "\\A\Q$ProvTest::PROFILE\E\\z",
    "\\A\Q$ProvTest::PROFILE\E\\z",
    $ProvTest::FORBIDDEN,
    $ProvTest::FORBIDDEN,
]
--- no_error_log
[alert]
[warn]



=== TEST 1b: the refusal lines name the list as the directive does, "lmdb:PATH"
--- request
GET /as/dev-b/profile.cfg
--- error_code: 403
--- error_log eval
qr/\[error\] \d+#\d+: \*\d+ prov: access forbidden \(denied\): device "000e08abcdf0" denied by "lmdb:\Q$main::DB\E", serial 1002, client: /



=== TEST 1c: not listed
--- request
GET /as/full/profile.cfg
--- error_code: 403
--- error_log eval
qq{prov: access forbidden (not_listed): device "000e08abcd80" not in "lmdb:$main::DB", serial 1080}



=== TEST 2: default=deny says what the default says
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::DB default=deny;")
--- request eval
["GET /as/full/profile.cfg", "GET /as/dev-a/profile.cfg"]
--- error_code eval
[403, 200]
--- response_headers eval
["X-Prov-Result: not_listed", "X-Prov-Result: allow"]



=== TEST 3: default=allow: devices not listed pass, without attributes; a "deny" is still refused
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::DB default=allow;")
--- request eval
["GET /as/full/profile.cfg", "GET /as/dev-b/profile.cfg", "GET /as/dev-a/profile.cfg"]
--- error_code eval
[200, 403, 200]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow\nX-Account:",
    "X-Prov-Result: denied\nX-Account: 1043",
    "X-Prov-Result: allow\nX-Account: 1042",
]



=== TEST 4: pins: a match passes, a mismatch is refused, a pinned "deny" is a deny
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::PINNED;")
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
]
--- error_code eval
[200, 403]
--- response_headers eval
[
    "X-Prov-Result: allow\nX-Account: 7",
    "X-Prov-Result: denied",
]



=== TEST 4b: a pin mismatch names the certificate presented
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::PINNED;")
--- request
GET /as/chain-c/profile.cfg
--- error_code: 403
--- response_headers
X-Prov-Id: 000e08abcdc1
X-Prov-Result: pin_mismatch
--- error_log eval
my $c = $main::FP{'chain-c'};
qq{prov: access forbidden (pin_mismatch): device "000e08abcdc1" presented sha256 $c, not the certificate pinned in "lmdb:$main::PINNED", serial 2001}



=== TEST 5: a pin holds on a resumed TLS session, over HTTP/2 and HTTP/1.0 too
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::PINNED;")
--- request eval
[
    "GET /re/dev-a/profile.cfg",
    "GET /re/dev-a/profile.cfg",
    "GET /h2/dev-a/profile.cfg",
    "GET /h10/dev-a/profile.cfg",
    "GET /h2/chain-c/profile.cfg",
]
--- error_code eval
[200, 200, 200, 200, 403]
--- response_headers eval
[
    "X-Reused: .",
    "X-Reused: r\nX-Account: 7",
    "X-Account: 7",
    "X-Account: 7",
    "X-Prov-Result: pin_mismatch",
]



=== TEST 6: ids written in any MAC form match the canonical id
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::FORMS;")
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/chain-c/profile.cfg",
    "GET /as/full/profile.cfg",
    "GET /as/dev-b/profile.cfg",
]
--- error_code eval
[200, 200, 200, 403]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Account: colons",
    "X-Prov-Id: 000e08abcdc1\nX-Account: dots",
    "X-Prov-Id: 000e08abcd80\nX-Account: dashes",
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: not_listed",
]



=== TEST 7: a list of ids that are no MAC address ("prov_id CN"): literal ids
--- http_config eval
main::backend(id => 'prov_id CN;', acl => "prov_acl lmdb:$main::VALUES;")
--- request eval
[
    "GET /as/cisco-sep/profile.cfg",
    "GET /as/yealink/profile.cfg",
    "GET /as/dev-a/profile.cfg",
]
--- error_code eval
[200, 200, 403]
--- response_headers eval
[
    "X-Prov-Id: SEP00112233AABB\nX-Prov-Result: allow\nX-Account: sep",
    "X-Prov-Id: 00:15:65:AB:CD:EF\nX-Prov-Result: allow\nX-Account: yealink",
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: not_listed\nX-Account:",
]



=== TEST 8: nginx -t: a list of other ids than prov_id reads (MAC ids, a list of values)
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::VALUES;")
--- must_die
--- error_log eval
qr/\[emerg\] .*access list database "\Q$main::VALUES\E" lists ids that are no MAC address, but prov_id here reads MAC addresses: create it with "prov-acl --ids mac import PATH FILE"/



=== TEST 9: nginx -t: a list of MAC ids under "prov_id CN"
--- http_config eval
main::backend(id => 'prov_id CN;', acl => "prov_acl lmdb:$main::DB;")
--- must_die
--- error_log eval
qr/\[emerg\] .*access list database "\Q$main::DB\E" lists MAC addresses, but prov_id here reads ids as they are: create it with "prov-acl --ids value import PATH FILE"/



=== TEST 10: nginx -t: a database that does not exist, and how to make it
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::MISSING;")
--- must_die
--- error_log eval
qr/\[emerg\] .*access list database "\Q$main::MISSING\E" does not exist: create it with "prov-acl import PATH FILE" in \S+nginx.conf:\d+/



=== TEST 11: nginx -t: a text file is no database
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::TEXT;")
--- must_die
--- error_log eval
qr/\[emerg\] .*access list database "\Q$main::TEXT\E" is not an LMDB file .*: create it with "prov-acl import PATH FILE"/



=== TEST 12: nginx -t: a folder is no database
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::FOLDER;")
--- must_die
--- error_log eval
qr/\[emerg\] .*access list database "\Q$main::FOLDER\E" is not a regular file/



=== TEST 13: nginx -t: an LMDB file that holds no prov list
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::OTHER;")
--- must_die
--- error_log eval
qr/\[emerg\] .*"\Q$main::OTHER\E" is an LMDB file but no prov access list \(no "meta" and "devices" databases\): create it with "prov-acl import PATH FILE"/



=== TEST 14: nginx -t: another format version
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::FORMAT2;")
--- must_die
--- error_log eval
qr/\[emerg\] .*access list database "\Q$main::FORMAT2\E" has format version "2", this module reads version 1/



=== TEST 15: nginx -t: a lock file nginx cannot open
A folder in its place: named as no regular file (t/092 has links)
--- http_config eval
main::backend(acl => "prov_acl lmdb:$main::NOLOCK;")
--- must_die
--- error_log eval
qr/\[emerg\] .*the lock file "\Q$main::NOLOCK\E-lock" of the access list database "\Q$main::NOLOCK\E" is a link or no regular file/



=== TEST 16: "lmdb:" without a path
--- http_config eval
main::backend(acl => "prov_acl lmdb:;")
--- must_die
--- error_log eval
qr/\[emerg\] .*"prov_acl" directive needs a database path after "lmdb:"/



=== TEST 17: an LMDB list's allow is kept for the connection while nothing is committed
Two requests over one kept-alive TLS connection (two SSI includes), no
commit between them: the second reuses the allow of chain-c, listed
without attributes (t/038 commits between requests on one connection:
the next request sees the change).  dev-a, listed with attributes, is
looked up again on every request (TEST 18).
--- skip_eval: 5: !ProvTest::nginx_debug()
--- config eval
ProvTest::front(extra => <<'_EOC_')
        location = /twice.html {
            ssi on;
        }
_EOC_
--- user_files eval
[
    ['profile.cfg', $ProvTest::PROFILE],
    ['twice.html', '<!--# include virtual="/ka/chain-c/profile.cfg" wait="yes" -->'
                   . '<!--# include virtual="/ka/chain-c/profile.cfg" wait="yes" -->'],
]
--- request
GET /twice.html
--- response_body eval
$ProvTest::PROFILE x 2
--- error_log
prov identity of the connection reused: allow
prov access list outcome of the connection reused
--- no_error_log
prov: access forbidden



=== TEST 18: an LMDB entry with attributes is looked up on every request
Its attributes live in the request's memory: the connection keeps no
allow of it.
--- skip_eval: 5: !ProvTest::nginx_debug()
--- config eval
ProvTest::front(extra => <<'_EOC_')
        location = /twice.html {
            ssi on;
        }
_EOC_
--- user_files eval
[
    ['profile.cfg', $ProvTest::PROFILE],
    ['twice.html', '<!--# include virtual="/ka/dev-a/profile.cfg" wait="yes" -->'
                   . '<!--# include virtual="/ka/dev-a/profile.cfg" wait="yes" -->'],
]
--- request
GET /twice.html
--- response_body eval
$ProvTest::PROFILE x 2
--- error_log
prov identity of the connection reused: allow
--- no_error_log
prov access list outcome of the connection reused
prov: access forbidden



=== TEST 19: prov_status: devices, serial and generation of an LMDB list, JSON and Prometheus
--- http_config eval
main::backend(extra => 'location = /status { prov off; prov_status; }')
--- request eval
["GET /plain/status", "GET /plain/status?format=prometheus"]
--- response_body_like eval
[
    qr/"acls":\[\{"file":"lmdb:\Q$main::DB\E","devices":3,"load_ms":\d+,"serial":41,"generation":1,"available":true\}\]/,
    qr/nginx_prov_acl_devices\{file="lmdb:\Q$main::DB\E"\} 3\n.*nginx_prov_acl_serial\{file="lmdb:\Q$main::DB\E"\} 41\n.*nginx_prov_acl_generation\{file="lmdb:\Q$main::DB\E"\} 1\n.*nginx_prov_acl_available\{file="lmdb:\Q$main::DB\E"\} 1\n/s,
]



=== TEST 20: a file list and an LMDB list side by side in prov_status
--- http_config eval
main::backend(extra => '
        location = /status { prov off; prov_status; }
        location /file/ { prov_acl $TEST_NGINX_SERVER_ROOT/html/acl; }
')
--- user_files eval
[['profile.cfg', $ProvTest::PROFILE], ['acl', "000e08abcdef allow\n"]]
--- request
GET /plain/status
--- response_body_like eval
qr/"acls":\[\{"file":"lmdb:\Q$main::DB\E","devices":3,"load_ms":\d+,"serial":41,"generation":1,"available":true\},\{"file":"[^"]+\/html\/acl","devices":1,"load_ms":\d+\}\]/



=== TEST 21: the verdict through set, if, rewrite, regex locations, error_page, named locations, try_files, proxy_pass and satisfy any: dev-a served
--- http_config eval
main::backend(extra => $main::SHAPES) . <<'_EOC_'
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/plain.sock;
        location / {
            return 200 "proxied $uri\n";
        }
    }
_EOC_
--- request eval
[
    "GET /as/dev-a/regex/x.cfg",
    "GET /as/dev-a/rw/profile.cfg",
    "GET /as/dev-a/set/x",
    "GET /as/dev-a/if/x?go=1",
    "GET /as/dev-a/ep/x",
    "GET /as/dev-a/epuri/x",
    "GET /as/dev-a/tf/x",
    "GET /as/dev-a/proxy/x",
    "GET /as/dev-a/any/profile.cfg",
]
--- error_code eval
[200, 200, 200, 200, 200, 404, 200, 200, 200]
--- response_headers eval
[
    "X-Account: 1042\nX-Prov-Result: allow",
    "X-Account: 1042\nX-Prov-Result: allow",
    "X-Set: a-1042",
    "X-Account: 1042",
    "X-Account: 1042",
    "X-Account: 1042",
    "X-Account: 1042",
    "X-Account: 1042",
    "X-Account: 1042",
]
--- response_body_like eval
[
    ("\\A\Q$ProvTest::PROFILE\E\\z") x 5,
    "\\A\Q$ProvTest::PROFILE\E\\z",
    "\\A\Q$ProvTest::PROFILE\E\\z",
    "\\Aproxied /x\n\\z",
    "\\A\Q$ProvTest::PROFILE\E\\z",
]
--- no_error_log
prov: access forbidden
[alert]



=== TEST 22: the same additions: dev-b, denied by the list, is refused through each
--- http_config eval
main::backend(extra => $main::SHAPES) . <<'_EOC_'
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/plain.sock;
        location / {
            return 200 "proxied $uri\n";
        }
    }
_EOC_
--- request eval
[
    "GET /as/dev-b/regex/x.cfg",
    "GET /as/dev-b/rw/profile.cfg",
    "GET /as/dev-b/set/x",
    "GET /as/dev-b/if/x?go=1",
    "GET /as/dev-b/ep/x",
    "GET /as/dev-b/epuri/x",
    "GET /as/dev-b/tf/x",
    "GET /as/dev-b/proxy/x",
    "GET /as/dev-b/any/profile.cfg",
    "GET /as/full/any/profile.cfg",
]
--- error_code eval
[(403) x 10]
--- response_headers eval
[
    ("X-Prov-Result: denied") x 2,
    "X-Set: a-1043",
    ("X-Prov-Result: denied") x 6,
    "X-Prov-Result: not_listed",
]
--- response_body_like eval
[($ProvTest::FORBIDDEN) x 10]
--- no_error_log
proxied
[alert]
