package ProvExamples;

# For the tests that run the whole example files (t/050-examples.t,
# t/051-examples-visible.t): an example copied into a temporary prefix with
# as little changed as possible (the rules at the top of t/050-examples.t),
# GET requests over TLS with a certificate of the test PKI, and
# certificates made at test time from those of the PKI (another CA's copy
# of a device's subject, an expired one).
#
#   my $dir = ProvExamples::prefix('cisco-spa');
#   my $conf = ProvExamples::localize($text, $dir, $name,
#                                     { %ProvExamples::ETC, %acls }, \%port);
#   my ($status, $body, $head) = ProvExamples::fetch($port, 'dev-a', '/x.cfg');
#   my $cert = ProvExamples::derive('rogue-a2', 'dev-a', 'rogue-ca', 0x6101);
#   my $pem = ProvExamples::crl('rogue-a2', 'rogue-ca');   # revokes it
#
# localize(): /etc/nginx/prov/..., /srv/prov..., /var/log/nginx/...,
# /run/nginx.pid under the prefix; the files the example names in
# /etc/nginx/prov/ written there from %etc (a PKI file name, or a reference
# to the text); "load_module modules/ngx_http_prov_module.so;" the module
# under test; "user www-data;" "user nobody;" where there is no www-data;
# each "listen [address:]443" a free port of 127.0.0.1 ($ports->{'443'},
# $ports->{'192.0.2.10:443'}).

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Spec;
use File::Temp qw(tempdir);
use Test::More;

use ProvNginx qw(free_port run slurp wait_for_exit wait_for_pid_file
                 write_file);
use ProvTest;

our $ROOT = abs_path(File::Spec->catdir(dirname(__FILE__),
                                        File::Spec->updir, File::Spec->updir));
our $PKI = $ProvTest::PKI;
our $MODULE = module_path();

# the files of the test PKI the examples name in /etc/nginx/prov/ (for
# localize()'s %etc): the server keys, the device CAs, and mixed-fleet.conf's
# manufacturers' CAs (t/pki/make-pki.sh) and roots (with other-ca, a trusted
# root no rule names); each test adds the access lists it wants (texts)
our %ETC = (
    'server.crt'            => 'server.crt',
    'server.key'            => 'server.key',
    'server-rsa.crt'        => 'server-rsa.crt',
    'server-rsa.key'        => 'server-rsa.key',
    'cisco-device-ca.pem'   => 'device-ca.crt',
    'polycom-device-ca.pem' => 'device-ca.crt',
    'yealink-device-ca.pem' => 'device-ca.crt',
    'device-ca.pem'         => 'device-ca.crt',
    'device-roots.pem'      => 'vendor-roots.crt',
    'cisco-spa-ca.pem'      => 'cisco-ca.crt',
    'cisco-mpp-ca.pem'      => 'mpp-ca.crt',
    'polycom-ca.pem'        => 'polycom-bundle.crt',
    'yealink-ca.pem'        => 'yealink-ca.crt',
    'snom-ca.pem'           => 'snom-ca.crt',
);

# the ids of dev-a and dev-b of the test PKI, two Cisco SPA-962s
our $A = '000e08abcdef';
our $B = '000e08abcdf0';

# mixed-fleet.conf's list (fleet.acl): the vendor-shaped devices of the
# test PKI (t/pki/make-pki.sh)
our $FLEET_ACL = <<'_ACL_';
000e08aa0001  allow   # v-spa
00562baa0002  allow   # v-mpp
0004f2aa0003  allow   # v-polycom
001565aa0004  allow   # v-yealink
000413aa0005  allow   # v-snom
_ACL_

# a Cisco SPA site's files under /srv/prov: dev-a's profile, dev-b's file
# (which holds "secret of": no other device may read it), a model's, the
# default, the generic certificate's bootstrap profile, firmware
our %CISCO_FILES = (
    "devices/$A.cfg"        => "profile of $A\n",
    "devices/$B.cfg"        => "secret of $B\n",
    'models/SPA-962.cfg'    => "profile of the SPA-962\n",
    'default.cfg'           => "the default profile\n",
    'bootstrap/upgrade.cfg' => "upgrade the firmware\n",
    'firmware/spa962.bin'   => "firmware\n",
);

my $tmp;            # the temporary prefixes, see prefix()
my $certs;          # the certificates derive() made


# the module to load: the one in $TEST_NGINX_LOAD_MODULES (a list, as
# Test::Nginx reads it), else build/ngx_http_prov_module.so; undef when
# that list is set but has none: the binary has the module compiled in
sub module_path {
    my @mods = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} // '');
    my ($m) = grep { m{(?:^|/)ngx_http_prov_module\.so\z} } @mods;
    return undef if !defined $m && defined $ENV{TEST_NGINX_LOAD_MODULES};
    $m //= "$ROOT/build/ngx_http_prov_module.so";
    return File::Spec->rel2abs($m);
}


# the folder of the temporary prefixes, removed at the end
sub tmp {
    $tmp //= tempdir('prov-examples-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    chmod 0755, $tmp;
    return $tmp;
}


# a fresh temporary prefix for one nginx configuration
sub prefix {
    my ($name) = @_;
    my $dir = tmp() . "/$name";
    $dir =~ s/\.conf\z//;
    make_path("$dir/etc/nginx/prov", "$dir/srv/prov", "$dir/var/log/nginx",
              "$dir/run");
    chmod 0755, $dir;
    return $dir;
}


# an example's text, rewritten to run under $dir (see the top)
sub localize {
    my ($text, $dir, $name, $etc, $ports) = @_;

    $text =~ s{^([ \t]*load_module[ \t]+)modules/ngx_http_prov_module\.so;}
              {defined $MODULE ? "$1$MODULE;" : "# $1(compiled in)"}me
        or fail("$name: no \"load_module modules/ngx_http_prov_module.so;\"");

    $text =~ s{(?<![\w./])(/etc/nginx/prov/|/srv/prov\b|/var/log/nginx/|/run/nginx\.pid\b)}
              {$dir$1}g;

    $text =~ s/^(\s*user\s+)www-data;/${1}nobody;/m
        unless defined getpwnam('www-data');

    my %free;
    $text =~ s{^(\s*listen\s+)((?:\S+:)?443)(?=[\s;])}
              {$1 . '127.0.0.1:' . ($ports->{$2} //= free_port(\%free))}mge;

    my %named;
    $named{$1} = 1 while $text =~ m{\Q$dir\E/etc/nginx/prov/([^\s;"',]+)}g;

    for my $f (sort keys %named) {
        my $src = $etc->{$f};

        if (!defined $src) {
            fail("$name names /etc/nginx/prov/$f: the test must provide it");
            next;
        }

        if (ref $src) {
            write_file("$dir/etc/nginx/prov/$f", $$src);
        } else {
            copy("$PKI/$src", "$dir/etc/nginx/prov/$f")
                or die "copy $PKI/$src: $!";
        }
    }

    return $text;
}


# examples/demo/nginx.conf as demo.sh writes it, under $dir: its PKI and an
# LMDB list of @$ids made with prov-acl, a free port ($ports->{'@PORT@'})
sub localize_demo {
    my ($text, $dir, $ids, $ports) = @_;

    require ProvAcl;

    $text =~ s{^([ \t]*load_module[ \t]+)\@MODULE\@;}
              {defined $MODULE ? "$1$MODULE;" : "# $1(compiled in)"}me
        or fail('demo/nginx.conf: no "load_module @MODULE@;"');

    $ports->{'@PORT@'} = free_port();
    $text =~ s/\@PORT\@/$ports->{'@PORT@'}/g;
    $text =~ s/\@DIR\@/$dir/g;

    make_path("$dir/logs", "$dir/tmp", "$dir/pki");

    for my $f (qw(server.crt server.key device-ca.crt)) {
        copy("$PKI/$f", "$dir/pki/$f") or die "copy $PKI/$f: $!";
    }

    write_file("$dir/devices.acl", join '', map { "$_  allow\n" } @$ids);
    ProvAcl::must('import', ProvAcl::run('import', "$dir/devices.db",
                                         "$dir/devices.acl"));

    return $text;
}


# nginx started with @$run (its command, without -s): a check that it
# starts (its output shown when not); returns 1 and its master's pid once
# $pid_file holds it (undef if it never does), nothing when it did not start
sub start {
    my ($name, $run, $pid_file) = @_;

    # a failure is reported at the caller's line
    local $Test::Builder::Level = $Test::Builder::Level + 1;

    my ($rc, $out) = run(@$run);

    if (!is($rc, 0, "$name: nginx starts")) {
        diag($out);
        return;
    }

    return (1, wait_for_pid_file($pid_file));
}


# the nginx of @$run (its command, without -s), whose master is $pid,
# stopped: a check that "-s stop" succeeds (its output shown when not), and
# a failure when the master does not exit (then it is killed)
sub stop {
    my ($name, $run, $pid) = @_;

    # a failure is reported at the caller's line
    local $Test::Builder::Level = $Test::Builder::Level + 1;

    my ($rc, $out) = run(@$run, '-s', 'stop');

    is($rc, 0, "$name: nginx stops") or diag($out);

    if ($pid && !wait_for_exit($pid)) {
        kill 'KILL', $pid;
        fail("$name: nginx did not stop");
    }
}


# the offsets of the "}" that close the server blocks of an nginx.conf
# text (quoted strings and comments skipped)
sub server_block_ends {
    my ($text) = @_;
    my (@blocks, @ends);
    my $stmt = '';
    my $n = length $text;

    for (my $i = 0; $i < $n; $i++) {
        my $c = substr($text, $i, 1);

        if ($c eq '#' && $stmt !~ /\S\z/) {
            my $nl = index($text, "\n", $i);
            $i = $nl < 0 ? $n : $nl;
            $stmt .= ' ';

        } elsif ($c eq '"' || $c eq "'") {
            my $j = $i + 1;
            while ($j < $n && substr($text, $j, 1) ne $c) {
                $j++ if substr($text, $j, 1) eq '\\';
                $j++;
            }
            $stmt .= substr($text, $i, $j - $i + 1);
            $i = $j;

        } elsif ($c eq '{') {
            push @blocks, ($stmt =~ /\A\s*(\S+)/ ? $1 : '');
            $stmt = '';

        } elsif ($c eq '}') {
            push @ends, $i if (pop(@blocks) // '') eq 'server';
            $stmt = '';

        } elsif ($c eq ';') {
            $stmt = '';

        } else {
            $stmt .= $c;
        }
    }

    return @ends;
}


# $server (text) added at the end of the http block of an nginx.conf text
sub add_server {
    my ($text, $server) = @_;
    $text =~ s/\n\}\s*\z/\n$server}\n/ or fail('no end of the http block');
    return $text;
}


# renderer-backend.conf's renderer on 127.0.0.1:9000 (in $_[0], its text):
# a server of the test on a free port, which answers what it was asked for
# and for whom
sub renderer {
    my $port = free_port();

    $_[0] =~ s{proxy_pass  http://127\.0\.0\.1:9000;}
              {proxy_pass  http://127.0.0.1:$port;}
        or fail('renderer-backend.conf: no '
                . '"proxy_pass  http://127.0.0.1:9000;"');

    $_[0] = add_server($_[0], <<"_EOS_");

    # the renderer, in the test's place
    server {
        listen  127.0.0.1:$port;
        access_log  off;

        location / {
            return  200  "rendered \$uri for \$http_x_device_id\\n";
        }
    }
_EOS_
}


# A certificate made now: the subject of the PKI's $from, a key of its own,
# signed by the PKI's CA $ca with serial $serial, valid from $start to $end
# (openssl ca's YYYYMMDDHHMMSSZ; default: now, for a year); returns the path
# of its .crt (the .key beside it), for fetch()
sub derive {
    my ($name, $from, $ca, $serial, $start, $end) = @_;

    $certs //= tmp() . '/certs';
    make_path($certs);

    my $w = "$certs/$name.d";
    make_path($w);
    write_file("$w/index.txt", '');
    write_file("$w/serial", sprintf("%04X\n", $serial));
    write_file("$w/ca.cnf", <<"_EOC_");
[ca]
default_ca = c
[c]
database = $w/index.txt
serial = $w/serial
new_certs_dir = $w
default_md = sha256
default_days = 365
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = optional
[req]
distinguished_name = dn
[dn]
[dev]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
_EOC_

    my ($rc, $out) = run('openssl', 'x509', '-in', "$PKI/$from.crt", '-noout',
                         '-subject', '-nameopt', 'compat');
    die "openssl x509 $from: $out" if $rc;
    my ($subject) = $out =~ /^subject=(.*)$/m or die "no subject: $out";

    ($rc, $out) = run('openssl', 'req', '-config', "$w/ca.cnf", '-new',
                      '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                      '-noenc', '-keyout', "$certs/$name.key",
                      '-subj', $subject, '-out', "$w/req.csr");
    die "openssl req $name: $out" if $rc;

    ($rc, $out) = run('openssl', 'ca', '-batch', '-config', "$w/ca.cnf",
                      '-preserveDN', '-notext', '-extensions', 'dev',
                      '-cert', "$PKI/$ca.crt", '-keyfile', "$PKI/$ca.key",
                      '-in', "$w/req.csr", '-out', "$certs/$name.crt",
                      (defined $start ? ('-startdate', $start,
                                         '-enddate', $end) : ()));
    die "openssl ca $name: $out" if $rc;

    chmod 0644, "$certs/$name.key";
    return "$certs/$name.crt";
}


# the text of a CRL of the PKI's CA $ca that revokes the certificate
# derive() made as $name (signed by that CA)
sub crl {
    my ($name, $ca) = @_;
    my $w = "$certs/$name.d";
    my @ca = ('-config', "$w/ca.cnf", '-cert', "$PKI/$ca.crt",
              '-keyfile', "$PKI/$ca.key");

    my ($rc, $out) = run('openssl', 'ca', @ca, '-revoke', "$certs/$name.crt");
    die "openssl ca -revoke $name: $out" if $rc;

    ($rc, $out) = run('openssl', 'ca', @ca, '-gencrl', '-crldays', '30',
                      '-out', "$w/ca.crl");
    die "openssl ca -gencrl $name: $out" if $rc;

    return slurp("$w/ca.crl");
}


# GET uri over TLS with the client certificate $cert (a name of the test
# PKI, a path to a .crt with its .key beside it, or "none"), Host and SNI
# $o{host} (default prov.example.com), as an old device with $o{old}, with
# a User-Agent line for each of @{$o{ua}}, then the header lines
# @{$o{headers}}, in the TLS session of $o{session} (a hash: the session is
# kept there, and {reused} says whether the handshake resumed it; $o{tls}:
# SSL_version); returns (status, body, header lines); status 0 when TLS
# failed
sub fetch {
    my ($port, $cert, $uri, %o) = @_;
    my $host = $o{host} // 'prov.example.com';

    require IO::Socket::SSL;

    my %tls = (
        PeerAddr => '127.0.0.1',
        PeerPort => $port,
        Timeout => 5,
        SSL_ca_file => "$PKI/server-ca.crt",
        SSL_verify_mode => IO::Socket::SSL::SSL_VERIFY_PEER(),
        SSL_verifycn_scheme => 'http',
        SSL_verifycn_name => 'localhost',
        SSL_hostname => $host,
    );

    my ($crt, $key);

    if ($cert ne 'none') {
        $crt = $cert =~ m{/} ? $cert : "$PKI/$cert.crt";
        ($key = $crt) =~ s/\.crt\z/.key/;
        $tls{SSL_cert_file} = $crt;
        $tls{SSL_key_file} = $key;
    }

    # an old device's RSA-1024 key and SHA-1 certificate: OpenSSL loads
    # them only at security level 0
    if ($o{old} && $cert ne 'none') {
        delete @tls{qw(SSL_cert_file SSL_key_file)};
        $tls{SSL_cipher_list} = 'DEFAULT:@SECLEVEL=0';
        $tls{SSL_create_ctx_callback} = sub {
            my ($ctx) = @_;
            Net::SSLeay::CTX_set_security_level($ctx, 0);
            Net::SSLeay::CTX_use_certificate_chain_file($ctx, $crt)
                or die "$crt: not loaded\n";
            Net::SSLeay::CTX_use_PrivateKey_file($ctx, $key,
                                                 Net::SSLeay::FILETYPE_PEM())
                or die "$key: not loaded\n";
        };
    }

    $tls{SSL_version} = $o{tls} if $o{tls};

    # one client context for the session's connections: a context that
    # goes takes its sessions out of the cache
    if (my $sess = $o{session}) {
        $sess->{ctx} //= IO::Socket::SSL::SSL_Context->new(
            { %tls, SSL_session_cache_size => 4 })
            or die "$cert: no TLS context: " . IO::Socket::SSL::errstr() . "\n";
        $tls{SSL_reuse_ctx} = $sess->{ctx};
        $tls{SSL_session_key} = "$port $cert";
    }

    my $s = IO::Socket::SSL->new(%tls);

    if (!$s) {
        diag("TLS to 127.0.0.1:$port as $cert: " . IO::Socket::SSL::errstr());
        return (0, undef);
    }

    if (my $sess = $o{session}) {
        $sess->{reused} = Net::SSLeay::session_reused($s->_get_ssl_object);
    }

    my $more = join '', (map { "User-Agent: $_\r\n" } @{ $o{ua} // [] }),
                        (map { "$_\r\n" } @{ $o{headers} // [] });
    print $s "GET $uri HTTP/1.0\r\nHost: $host\r\n$more\r\n";

    local $/;
    my $reply = <$s>;
    close $s;

    return (0, undef) unless defined $reply
        && $reply =~ m{\AHTTP/1\.[01] (\d{3})[^\n]*\n(.*?)\r\n\r\n(.*)\z}s;

    return ($1, $3, $2);
}


1;
