package ProvTest;

# Shared helpers of the ngx_http_prov_module test suite.
#
# Test::Nginx sends plain HTTP only, so mutual TLS is driven through nginx
# itself: the test server of Test::Nginx (the "front", --- config) proxies to a
# second server in the same nginx (the "backend", --- http_config) that
# terminates TLS on unix sockets, verifies the client certificate and runs the
# module.  The front picks the client certificate from the URI:
#
#   /as/<cert>/<path>    HTTPS, client certificate <cert> of the test PKI
#                        (t/pki/make-pki.sh; "none": no certificate), HTTP/1.1,
#                        a new TLS connection and full handshake per request
#   /ka/<cert>/<path>    the same over a kept-alive upstream TLS connection
#   /re/<cert>/<path>    a new TLS connection per request, resuming the TLS
#                        session of the previous request (session tickets)
#                        (nginx keeps kept-alive connections and TLS sessions
#                        per upstream server, whatever the client certificate:
#                        /ka/, /re/ and /h2ka/ have an upstream per <cert>,
#                        see pools(), so no request rides another
#                        certificate's connection or session)
#   /h2/<cert>/<path>    HTTP/2 over TLS (grpc_pass grpcs://, plain GET works)
#   /h2ka/<cert>/<path>  the same over a kept-alive HTTP/2 connection
#   /h10/<cert>/<path>   HTTP/1.0 over TLS
#   /old/<cert>/<path>   TLSv1.0, RSA key exchange (an old device)
#   /plain/<path>        plain HTTP, no TLS at all
#
# The backend serves $TEST_NGINX_SERVER_ROOT/html (--- user_files) and adds
# response headers, passed through by the front:
#   X-Prov-Id  X-Prov-Result   $prov_id, $prov_result      (prov_headers => 1)
#   X-Verify   $ssl_client_verify        X-Serial  $ssl_client_serial
#   X-Conn     $connection/$connection_requests (same TLS connection: same number)
#   X-Reused   $ssl_session_reused       X-Proto   $server_protocol
#   X-TLS      $ssl_protocol             X-Cipher  $ssl_cipher
# These are server-level add_header directives: a backend location that has
# add_header directives of its own must repeat them (see headers()).
#
# Usage in a .t file:
#
#   use Test::Nginx::Socket 'no_plan';
#   use lib 't/lib';
#   use ProvTest;
#   ProvTest::defaults(...);    # optional, see defaults()
#   ...
#   --- http_config eval
#   ProvTest::backend(verify => 'on', server => 'prov on; prov_id ST mac;')
#   --- config eval
#   ProvTest::front()
#   --- user_files eval
#   ProvTest::profiles()
#   --- request
#   GET /as/dev-a/profile.cfg
#
# Loading this module makes the test PKI once: into $TEST_NGINX_PROV_PKI if
# set, else into t/servroot-pki (and sets TEST_NGINX_PROV_PKI, so config
# sections can say $TEST_NGINX_PROV_PKI/dev-a.crt).

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(fail2ban fail2ban_etc dev_profile exactly fingerprint page);

use File::Basename qw(dirname);
use File::Spec;

our $VERSION = '0.01';

my $tdir = File::Spec->rel2abs(File::Spec->catdir(dirname(__FILE__), File::Spec->updir));

our $PKI = make_pki();

# the body of nginx's stock 403 page, and nothing else (no profile bytes)
our $FORBIDDEN = '\A<html>\r\n<head><title>403 Forbidden</title></head>\r\n'
    . '<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n'
    . '<hr><center>nginx[^<]*</center>\r\n</body>\r\n</html>\r\n'
    . '(?:<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n)*\z';

# nginx's own 400 answer to a certificate it did not verify (no profile bytes)
our $CERT_ERROR = '\A<html>\r\n<head><title>400 The SSL certificate error</title>'
    . '</head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n'
    . '<center>The SSL certificate error</center>\r\n'
    . '<hr><center>nginx[^<]*</center>\r\n</body>\r\n</html>\r\n'
    . '(?:<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n)*\z';

# nginx's own 400 answer under "ssl_verify_client on" without a certificate
our $NO_CERT_ERROR = '\A<html>\r\n<head><title>400 No required SSL certificate was sent'
    . '</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n'
    . '<center>No required SSL certificate was sent</center>\r\n'
    . '<hr><center>nginx[^<]*</center>\r\n</body>\r\n</html>\r\n'
    . '(?:<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n)*\z';

# the profile every test serves (see profiles()), and a regex matching
# exactly it
our $PROFILE = "<flat-profile><SIP_Password_1_>secret-of-the-device</SIP_Password_1_></flat-profile>\n";
our $PROFILE_RE = '\A' . quotemeta($PROFILE) . '\z';

# The server-level prov_uri_id of the README and the examples for MAC ids:
# a MAC in any spelling (12 hex digits; groups of 2, 4 or 6 joined by ":",
# "-" or "."; any case) anywhere in the URI, between characters that are
# no hex digits, or after a word ending in a hex letter (Cisco's spa$MA.cfg)
our $URI_ID_MAC = 'prov_uri_id "(?i)(?:(?<![0-9a-f])|(?<=[g-z][a-f]))(?<id>[0-9a-f]{12}|'
    . '[0-9a-f]{2}(?:[:.-][0-9a-f]{2}){5}|[0-9a-f]{4}(?:[:.-][0-9a-f]{4}){2}|'
    . '[0-9a-f]{6}[:.-][0-9a-f]{6})(?![0-9a-f])";';

# The recommended server shape (the README's synopsis, the examples): the
# profile rule at server level, and its folders "location ^~ ... { }" (no
# regex location takes them over)
our $SHAPE_PROFILE = 'prov_profile /devices/$prov_id.cfg '
    . '/models/$prov_cert_ou.cfg /default.cfg =404;';
our $SHAPE_FOLDERS;    # set below, once internal() is defined

sub make_pki {
    my $dir = $ENV{TEST_NGINX_PROV_PKI};
    if (!defined $dir || $dir eq '') {
        $dir = File::Spec->catdir($tdir, 'servroot-pki');
    }
    $dir = File::Spec->rel2abs($dir);

    my $script = File::Spec->catfile($tdir, 'pki', 'make-pki.sh');
    # the script returns at once when $dir is complete and up to date
    system('bash', $script, $dir) == 0
        or die "ProvTest: $script $dir failed (exit status $?)\n";

    $ENV{TEST_NGINX_PROV_PKI} = $dir;
    return $dir;
}

sub pki { $PKI }

# What the nginx under test is (TEST_NGINX_BINARY, as Test::Nginx runs
# it): its "nginx -V" output, once.
my $NginxV;

sub nginx_V {
    return $NginxV if defined $NginxV;
    my $bin = $ENV{TEST_NGINX_BINARY} || 'nginx';
    (my $quoted = $bin) =~ s/'/'\\''/g;
    $NginxV = `'$quoted' -V 2>&1` // '';
    return $NginxV;
}

# nginx_version(): the version of the nginx under test as Test::Nginx
# compares versions ("--- skip_nginx: 3: < 1.25.1"): 1.026003 for 1.26.3
sub nginx_version {
    nginx_V() =~ m{/(\d+)\.(\d+)\.(\d+)}
        or die "ProvTest: no version in \"nginx -V\": " . nginx_V() . "\n";
    return sprintf '%d.%03d%03d', $1, $2, $3;
}

# nginx_at_least("1.25.1"): whether the nginx under test is that version
# or a later one
sub nginx_at_least {
    my @v = split /\./, shift;
    return nginx_version() >= sprintf('%d.%03d%03d', @v);
}

# no_keepalive(): the text of an upstream block whose connections are
# never kept alive.  From nginx 1.29.7 on, keepalive is on by default in
# every upstream block ("local": per location), and "keepalive 0;" turns
# it off; before, an upstream without "keepalive" kept nothing, and 0 is
# refused.  The front's upstreams that several certificates share (and the
# /re/ ones, a new connection each time) say it: a kept-alive TLS
# connection made with one device's certificate must never carry the next
# device's request.
sub no_keepalive {
    return nginx_at_least('1.29.7') ? 'keepalive 0;' : '';
}

# nginx_debug(): whether the nginx under test was built --with-debug (it
# writes ngx_log_debug lines only then): for
# "--- skip_eval: 3: !ProvTest::nginx_debug()" in blocks that look for them
sub nginx_debug {
    return nginx_V() =~ /--with-debug\b/ ? 1 : 0;
}

# The command line that runs the nginx under test, for the tests that start
# nginx themselves (t/032, t/050): TEST_NGINX_BINARY (default "nginx"),
# under valgrind when TEST_NGINX_USE_VALGRIND is set, with the options the
# real Test::Nginx gives it (a number: its memcheck defaults; anything else:
# valgrind's options).  A list, for system() and open3().
sub nginx_command {
    my @nginx = ($ENV{TEST_NGINX_BINARY} || 'nginx');
    my $vg = $ENV{TEST_NGINX_USE_VALGRIND};

    return @nginx unless $vg;
    return ('valgrind', '-q', split(' ', $vg), @nginx) if $vg !~ /^\d+$/;

    return ('valgrind', '--num-callers=100', '-q', '--tool=memcheck',
            '--leak-check=full', '--keep-debuginfo=yes',
            '--show-possibly-lost=no', '--gen-suppressions=all',
            (-f 'valgrind.suppress' ? '--suppressions=valgrind.suppress' : ()),
            @nginx);
}

# The load_module lines of a configuration a test writes itself (t/032,
# t/033): from TEST_NGINX_LOAD_MODULES, which is set but empty when the
# module is compiled into the binary (make test-asan); unset, the built
# build/ngx_http_prov_module.so, or undef when there is none.
sub load_modules {
    my $modules = $ENV{TEST_NGINX_LOAD_MODULES};
    if (!defined $modules) {
        my $so = File::Spec->rel2abs('build/ngx_http_prov_module.so');
        return undef unless -f $so;
        $modules = $so;
    }
    return join '', map { "load_module $_;\n" } split ' ', $modules;
}

# defaults(section => text, ...): blocks of the file that lack one of these
# sections get it (an add_block_preprocessor).  Typically:
#   ProvTest::defaults(
#       http_config => ProvTest::backend(verify => 'on', server => '...'),
#       config => ProvTest::front(),
#       user_files => ProvTest::profiles(),
#   );
sub defaults {
    my %d = @_;
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;
        for my $k (sort keys %d) {
            $block->set_value($k, $d{$k}) if !defined $block->$k;
        }
    });
}

# The response headers the backend adds; repeat them in a backend location
# that has add_header directives of its own.
sub headers {
    my %o = (prov_headers => 1, @_);
    my $h = <<'_EOC_';
        add_header X-Verify "$ssl_client_verify" always;
        add_header X-Serial "$ssl_client_serial" always;
        add_header X-Conn "$connection/$connection_requests" always;
        add_header X-Reused "$ssl_session_reused" always;
        add_header X-Proto "$server_protocol" always;
        add_header X-TLS "$ssl_protocol" always;
        add_header X-Cipher "$ssl_cipher" always;
_EOC_
    if ($o{prov_headers}) {
        $h = <<'_EOC_' . $h;
        add_header X-Prov-Id "$prov_id" always;
        add_header X-Prov-Result "$prov_result" always;
_EOC_
    }
    return $h;
}

# backend(%options): the --- http_config text.
#   verify   => ssl_verify_client value: on | optional | optional_no_ca | off
#               (default on)
#   ca       => name of the trusted device CA file in the PKI (device-ca);
#               undef: no ssl_client_certificate at all
#   http     => text at http level (before the backend server)
#   server   => text in the backend server block (e.g. the prov directives)
#   location => text in the backend's "location /"
#   extra    => more text in the backend server block, after "location /"
#   ssl      => more ssl_* directives in the backend server block
#   protocols, ciphers => ssl_protocols, ssl_ciphers (default: TLSv1 to
#               TLSv1.3, "DEFAULT:@SECLEVEL=0", so old devices get in)
#   prov_headers => add X-Prov-Id/X-Prov-Result (default 1; needs the module)
sub backend {
    my %o = (
        verify => 'on',
        ca => 'device-ca',
        http => '',
        server => '',
        location => '',
        extra => '',
        ssl => '',
        protocols => 'TLSv1 TLSv1.1 TLSv1.2 TLSv1.3',
        ciphers => 'DEFAULT:@SECLEVEL=0',
        prov_headers => 1,
        @_,
    );

    my $headers = headers(prov_headers => $o{prov_headers});
    my $pools = pools();
    my $no_keepalive = no_keepalive();
    # "listen ... http2" is deprecated from nginx 1.25.1 on (a [warn] at
    # every start), and "http2 on;" unknown before it
    my $h2 = nginx_at_least('1.25.1')
        ? "listen unix:\$TEST_NGINX_SERVER_ROOT/html/h2.sock ssl;\n        http2 on;"
        : "listen unix:\$TEST_NGINX_SERVER_ROOT/html/h2.sock ssl http2;";
    my $ca = defined $o{ca}
             ? "        ssl_client_certificate \$TEST_NGINX_PROV_PKI/$o{ca}.crt;" : '';

    return <<"_EOC_";
    # --- ProvTest::backend
    upstream pt_tls {
        server unix:\$TEST_NGINX_SERVER_ROOT/html/tls.sock;
        $no_keepalive
    }

    upstream pt_h2 {
        server unix:\$TEST_NGINX_SERVER_ROOT/html/h2.sock;
        $no_keepalive
    }

$pools
    upstream pt_plain {
        server unix:\$TEST_NGINX_SERVER_ROOT/html/plain.sock;
    }

    map \$pt_dev \$pt_crt {
        none     "";
        default  \$TEST_NGINX_PROV_PKI/\$pt_dev.crt;
    }

    map \$pt_dev \$pt_key {
        none     "";
        default  \$TEST_NGINX_PROV_PKI/\$pt_dev.key;
    }

$o{http}
    server {
        listen unix:\$TEST_NGINX_SERVER_ROOT/html/tls.sock ssl;
        $h2
        listen unix:\$TEST_NGINX_SERVER_ROOT/html/plain.sock;
        server_name localhost;

        ssl_certificate \$TEST_NGINX_PROV_PKI/server.crt;
        ssl_certificate_key \$TEST_NGINX_PROV_PKI/server.key;
        ssl_certificate \$TEST_NGINX_PROV_PKI/server-rsa.crt;
        ssl_certificate_key \$TEST_NGINX_PROV_PKI/server-rsa.key;
$ca
        ssl_verify_client $o{verify};
        ssl_verify_depth 2;
        ssl_protocols $o{protocols};
        ssl_ciphers $o{ciphers};
$o{ssl}
        root \$TEST_NGINX_SERVER_ROOT/html;

$headers
$o{server}

        location / {
$o{location}
        }

$o{extra}
    }
    # --- end of ProvTest::backend
_EOC_
}

# The certificates of the PKI, by name, and "none".
sub certs {
    opendir my $dh, $PKI or die "ProvTest: $PKI: $!\n";
    my @names = sort map { /^(.+)\.key\z/ && -f "$PKI/$1.crt" ? ($1) : () } readdir $dh;
    closedir $dh;
    return ('none', @names);
}

# Upstreams of their own for every certificate, for the routes that keep
# something per upstream server (kept-alive connections, TLS sessions): a
# request never rides a connection or session made with another
# certificate.  The /re/ upstreams share a zone: nginx 1.22 keeps the TLS
# session of an upstream without a zone as an SSL_SESSION reference that
# it never frees (at exit, at every reload: make test-asan's LeakSanitizer
# reports it), and that of an upstream with a zone serialized in the zone.
sub pools {
    my $pools = '';
    my $no_keepalive = no_keepalive();
    for my $c (certs()) {
        $pools .= <<"_EOC_";
    upstream pt_ka_$c { server unix:\$TEST_NGINX_SERVER_ROOT/html/tls.sock; keepalive 2; }
    upstream pt_re_$c { zone pt_re 1m; server unix:\$TEST_NGINX_SERVER_ROOT/html/tls.sock; $no_keepalive }
    upstream pt_h2ka_$c { server unix:\$TEST_NGINX_SERVER_ROOT/html/h2.sock; keepalive 2; }
_EOC_
    }
    return $pools;
}

# front(%options): the --- config text (locations of the test server).
#   protocols => TLS versions the front offers (default "TLSv1.2 TLSv1.3":
#                nginx 1.22's default for proxy_ssl_protocols lacks TLSv1.3)
#   extra     => more text in the test server block
sub front {
    my %o = (extra => '', protocols => 'TLSv1.2 TLSv1.3', @_);

    return <<"_EOC_";
        # --- ProvTest::front
        proxy_ssl_certificate \$pt_crt;
        proxy_ssl_certificate_key \$pt_key;
        proxy_ssl_session_reuse off;
        proxy_ssl_protocols $o{protocols};
        grpc_ssl_protocols $o{protocols};
        proxy_http_version 1.1;
        proxy_set_header Host localhost;
        proxy_set_header Connection close;
        proxy_read_timeout 5s;

        location ~ ^/as/(?<pt_dev>[^/]+)(?<pt_path>/.*)\$ {
            proxy_pass https://pt_tls\$pt_path\$is_args\$args;
        }

        location ~ ^/ka/(?<pt_dev>[^/]+)(?<pt_path>/.*)\$ {
            proxy_set_header Host localhost;
            proxy_set_header Connection "";
            proxy_pass https://pt_ka_\$pt_dev\$pt_path\$is_args\$args;
        }

        location ~ ^/re/(?<pt_dev>[^/]+)(?<pt_path>/.*)\$ {
            proxy_ssl_session_reuse on;
            proxy_pass https://pt_re_\$pt_dev\$pt_path\$is_args\$args;
        }

        location ~ ^/h10/(?<pt_dev>[^/]+)(?<pt_path>/.*)\$ {
            proxy_http_version 1.0;
            proxy_pass https://pt_tls\$pt_path\$is_args\$args;
        }

        location ~ ^/old/(?<pt_dev>[^/]+)(?<pt_path>/.*)\$ {
            proxy_ssl_protocols TLSv1;
            proxy_ssl_ciphers AES128-SHA:\@SECLEVEL=0;
            proxy_pass https://pt_tls\$pt_path\$is_args\$args;
        }

        location ~ ^/h2/(?<pt_dev>[^/]+)(?<pt_path>/.*)\$ {
            rewrite ^/h2/[^/]+(/.*)\$ \$1 break;
            grpc_ssl_certificate \$pt_crt;
            grpc_ssl_certificate_key \$pt_key;
            grpc_ssl_session_reuse off;
            grpc_set_header Host localhost;
            grpc_read_timeout 5s;
            grpc_pass grpcs://pt_h2;
        }

        location ~ ^/h2ka/(?<pt_dev>[^/]+)(?<pt_path>/.*)\$ {
            rewrite ^/h2ka/[^/]+(/.*)\$ \$1 break;
            grpc_ssl_certificate \$pt_crt;
            grpc_ssl_certificate_key \$pt_key;
            grpc_ssl_session_reuse off;
            grpc_set_header Host localhost;
            grpc_read_timeout 5s;
            grpc_pass grpcs://pt_h2ka_\$pt_dev;
        }

        location ~ ^/plain(?<pt_path>/.*)\$ {
            proxy_pass http://pt_plain\$pt_path\$is_args\$args;
        }
$o{extra}
        # --- end of ProvTest::front
_EOC_
}

# profiles(): the --- user_files text: /profile.cfg ($PROFILE), and a
# profile of its own for dev-a and dev-b: /devices/<mac>.cfg holding
# "profile of <mac>\n" (device_profile()).
sub profiles {
    my $files = ">>> profile.cfg\n$PROFILE";
    for my $mac (qw(000e08abcdef 000e08abcdf0)) {
        $files .= ">>> devices/$mac.cfg\n" . device_profile($mac);
    }
    return $files;
}

sub device_profile {
    my ($mac) = @_;
    return "profile of $mac\n";
}

# dev_profile(MAC): a device's own profile holding its SIP password, the
# secret no other device may ever read (the prov_profile tests)
sub dev_profile {
    my ($mac) = @_;
    return "profile of $mac\n<SIP_Password_1_>secret-$mac</SIP_Password_1_>\n";
}

# profile_files(%o): the --- user_files of the prov_profile tests (an
# array): dev-a's and dev-b's own profiles (dev_profile()) in devices/, the
# SPA-962 model's in models/, default.cfg (not with default => 0), and
# more => [[name, body(, date)], ...]; date => the date of dev-a's profile
# (touch -t)
sub profile_files {
    my (%o) = (default => 1, @_);
    my ($a, $b) = qw(000e08abcdef 000e08abcdf0);
    return [
        ["devices/$a.cfg", dev_profile($a), $o{date}],
        ["devices/$b.cfg", dev_profile($b)],
        ['models/SPA-962.cfg', "model SPA-962\n"],
        ($o{default} ? (['default.cfg', "default profile\n"]) : ()),
        @{ $o{more} || [] },
    ];
}

# internal(LOCATION, ...): a backend location { internal; } for each,
# "/devices/" or "= /default.cfg": where prov_profile's candidates live, not
# found when asked for directly
sub internal {
    return join "\n", map { "        location $_ {\n            internal;\n        }\n" } @_;
}

# the folders of the recommended shape: "^~" locations of their own, gated
# like every other (not internal: a probe for another device's file there
# is refused uri_mismatch, logged, instead of an unlogged 404)
$SHAPE_FOLDERS = join "\n", map { "        location $_ {\n        }\n" }
                            '^~ /devices/', '^~ /models/', '= /default.cfg';

# shape_backend(uri_id => prov_uri_id at server level (default: the MAC
# recipe), profile => prov_profile at server level (default:
# $SHAPE_PROFILE; '' for none), location => text of "location /", extra =>
# more locations (after the folders), folders => the folders' locations,
# more => more server text, %backend options): the recommended server
# shape, for what operators add to it (t/044, t/091)
sub shape_backend {
    my %o = (
        uri_id => $URI_ID_MAC,
        profile => $SHAPE_PROFILE,
        folders => $SHAPE_FOLDERS,
        more => '',
        location => '',
        extra => '',
        @_,
    );
    my $server = "prov on;\nprov_id ST mac;\nprov_generic ciscogeneric;\n"
               . "add_header X-Uri \"\$uri\" always;\n"
               . delete($o{uri_id}) . "\n" . delete($o{profile}) . "\n"
               . delete $o{more};
    $o{extra} = delete($o{folders}) . $o{extra};
    return backend(verify => 'on', server => $server, %o);
}

# acl_backend(acl => prov_acl directive, id => prov_id directive, gate =>
# prov directive, %backend options): the backend of the access list files
# (t/031, t/036), with X-Account: $prov_acl_account
sub acl_backend {
    my %o = (
        acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;',
        id => 'prov_id ST mac;',
        gate => 'prov on;',
        @_,
    );
    my ($acl, $id, $gate) = delete @o{qw(acl id gate)};
    return backend(
        verify => 'on',
        server => "$gate\n$id\n$acl\n"
                . "add_header X-Account \"\$prov_acl_account\" always;\n",
        %o,
    );
}

# acl_files(ACL, MORE...): --- user_files of a profile and the list,
# written byte for byte
sub acl_files {
    my ($acl, @more) = @_;
    return [['profile.cfg', $PROFILE], @more, ['acl', $acl]];
}

# fingerprint(CERT): the SHA-256 fingerprint of a certificate of the test
# PKI, as openssl prints it (uppercase, colon-separated): the form operators
# paste into an access list's sha256=
sub fingerprint {
    my ($cert) = @_;
    my $out = `openssl x509 -in '$PKI/$cert.crt' -noout -fingerprint -sha256`;
    $out =~ /=((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\s*\z/
        or die "no SHA-256 fingerprint of $cert.crt: $out";
    return $1;
}

# exactly(TEXT): a regex matching TEXT and nothing else
sub exactly { '\A' . quotemeta(shift) . '\z' }

# page(STATUS): a regex matching nginx's stock error page with that status
# line and nothing else; it never holds any device's secret
sub page {
    my ($status) = @_;
    return '(?s)\A(?!.*secret-)'
        . '\A<html>\r\n<head><title>' . $status . '</title></head>\r\n'
        . '<body>\r\n<center><h1>' . $status . '</h1></center>\r\n'
        . '<hr><center>nginx[^<]*</center>\r\n</body>\r\n</html>\r\n'
        . '(?:<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n)*\z';
}

# raw_front(): front(), plus /raw?d=<cert>&p=<path>, which sends <path> to
# the backend byte for byte (nginx would normalise a path it proxies)
sub raw_front {
    return front(extra => <<'_EOC_');
        location = /raw {
            set $pt_dev $arg_d;
            proxy_pass https://pt_tls$arg_p;
        }
_EOC_
}


# fail2ban(COMMAND, ARG...): the output (stdout and stderr) of fail2ban's
# fail2ban-regex or fail2ban-client, $? set: Debian's package as
# scripts/fail2ban.sh unpacked it (TEST_NGINX_FAIL2BAN, make test sets it),
# else the installed one.  fail2ban_etc(): its configuration folder.
sub fail2ban {
    my ($command, @args) = @_;
    my $root = $ENV{TEST_NGINX_FAIL2BAN} // '';
    local $ENV{PYTHONPATH} = join ':', "$root/usr/lib/python3/dist-packages",
                                       $ENV{PYTHONPATH} // ()
        if $root ne '';
    my $bin = $root ne '' ? "$root/usr/bin/$command" : $command;
    my $quoted = join ' ', map { (my $w = $_) =~ s/'/'\\''/g; "'$w'" } $bin, @args;
    return scalar `$quoted 2>&1`;
}

sub fail2ban_etc {
    my $root = $ENV{TEST_NGINX_FAIL2BAN} // '';
    return $root ne '' ? "$root/etc/fail2ban" : '/etc/fail2ban';
}

1;
