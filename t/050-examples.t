# examples/*.conf: each is a whole nginx.conf that "nginx -t" accepts with
# the module; two of them (cisco-spa.conf, mixed-fleet.conf: with the
# vendor-shaped CAs and devices of the test PKI) also serve devices.  Then each,
# and examples/demo/nginx.conf, serves devices with what operators add
# later (a regex location, a rewrite: @ADDITIONS), also without its "^~":
# no device reads another's file in any spelling of its URI, each still
# gets its own.
#
# A plain Test::More test (the examples are whole files with their own
# load_module, events and http blocks, which Test::Nginx's data-driven
# format would wrap in its own), so it runs the same under the real
# Test::Nginx and under the fallback in t/harness/lib.
#
# Each example is copied into a temporary prefix with as little changed as
# possible, so that what is tested is what the file says:
#   load_module modules/ngx_http_prov_module.so;
#                       -> the module under test ($TEST_NGINX_LOAD_MODULES,
#                          else build/ngx_http_prov_module.so); commented
#                          out when TEST_NGINX_LOAD_MODULES is set and
#                          names no ngx_http_prov_module.so: the module is
#                          compiled into the binary (make test-asan)
#   /etc/nginx/prov/..., /srv/prov..., /var/log/nginx/..., /run/nginx.pid
#                       -> the same path under the temporary prefix, where
#                          the test writes the files the example names in
#                          /etc/nginx/prov/ (%ETC below: server keys and the
#                          device CA from the test PKI, access lists)
#   user www-data;      -> user nobody; only where www-data does not exist
#   listen [address:]443
#                       -> listen 127.0.0.1:<a free port>, one port for
#                          each address of the example: "nginx -t" binds
#                          the listening sockets (and fails on an address
#                          this host does not have, or on 443 when not root)
#
# examples/debian/prov.conf is no whole nginx.conf but a site of Debian's
# nginx: it is checked inside a copy of Debian's layout (debian_tree()):
# /etc/nginx/nginx.conf as this host has it (else as Debian 12 ships it),
# the package's modules-enabled snippet, the site in sites-available and
# linked from sites-enabled, all its paths under the temporary prefix as
# above (and /var/lib/nginx-prov/, where its LMDB list is); then it serves
# devices.  examples/debian/trial-pki.sh makes a PKI whose subjects and
# chains are checked.
#
# Environment: TEST_NGINX_BINARY (default: nginx in PATH), PROV_ACL (the
# demo's list is an LMDB list: t/lib/ProvAcl.pm),
# TEST_NGINX_LOAD_MODULES, TEST_NGINX_PROV_PKI, TEST_NGINX_USE_VALGRIND (see
# t/lib/ProvTest.pm).

use strict;
use warnings;

use Test::More;
use File::Basename qw(basename);
use File::Copy qw(copy);
use File::Path qw(make_path);

use lib 't/lib';
use ProvAcl;
use ProvExamples;
use ProvTest;
use ProvNginx qw(free_port run slurp wait_for_log wait_for_port write_file);

my $root = $ProvExamples::ROOT;
my $pki = $ProvExamples::PKI;
my @nginx = ProvTest::nginx_command();

# the examples this test must find (more may come: each is checked)
my @expected = qw(audit-ratelimit.conf cisco-spa.conf cn-mac-vendor.conf
                  legacy-devices.conf mixed-fleet.conf renderer-backend.conf);

# the device lists the examples name
my $DEVICES_ACL = <<'_ACL_';
# id              action  [key=value ...]
000e08abcdef      allow   account=1042 plan=gold
00:0E:08:AB:CD:F0 allow   account=1043
000e08abcd80      allow   account=1080
000e08abcd10      deny    # reported stolen
_ACL_

# mixed-fleet.conf's list: the vendor-shaped devices (ProvExamples), and
# the ids the impostors' certificates carry in their own vendor's
# attribute, so that the list hides nothing of what the rules read
# (v-other's CN and ST are listed too: its CA has no rule, the list is
# never asked)
my $FLEET_ACL = $ProvExamples::FLEET_ACL . <<'_ACL_';
00aabbaa0006  allow   # v-other's CN
0004f2aa0011  allow   # x-polycom-as-spa's CN
000413aa0012  allow   # x-snom-as-spa's CN
000e08aa0013  allow   # x-spa-as-polycom's ST
_ACL_

# every file an example may name in /etc/nginx/prov/: a file of the test
# PKI (ProvExamples) or the text to write (a reference)
my %ETC = (
    %ProvExamples::ETC,
    'devices.acl'           => \$DEVICES_ACL,
    'legacy-devices.acl'    => \"000e08abcd90  allow  account=1090\n",
    'polycom.acl'           => \"0004f2abcdef  allow\n",
    'yealink.acl'           => \"00:15:65:ab:cd:ef  allow\n",
    'fleet.acl'             => \$FLEET_ACL,
);

# /etc/nginx/nginx.conf as Debian 12's nginx-common ships it (comments
# left out), for a host without one: debian_tree()
my $DEBIAN_NGINX_CONF = <<'_CONF_';
user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
include /etc/nginx/modules-enabled/*.conf;

events {
	worker_connections 768;
}

http {
	sendfile on;
	tcp_nopush on;
	types_hash_max_size 2048;

	include /etc/nginx/mime.types;
	default_type application/octet-stream;

	ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3; # Dropping SSLv3, ref: POODLE
	ssl_prefer_server_ciphers on;

	access_log /var/log/nginx/access.log;

	gzip on;

	include /etc/nginx/conf.d/*.conf;
	include /etc/nginx/sites-enabled/*;
}
_CONF_

# What operators add to a configuration later (issue 13), put into every
# server block of each example: a regex location, which nginx prefers to
# every prefix location but a "^~" one, and a rewrite, which makes the
# request internal (so "internal" locations take it) and searches the
# locations again.  With these, no device may read another's file, and each
# still gets its own (serve_with_additions()).
my @ADDITIONS = (
    'location ~* \.(cfg|xml)$ { add_header Cache-Control no-store; }',
    'rewrite ^/provisioning/(.*)$ /$1 last;',
);

my $A = $ProvExamples::A;     # dev-a: allowed in devices.acl, the asking device
my $B = $ProvExamples::B;     # dev-b: allowed too; its file must stay its own

# For each example: its files under /srv/prov (a victim's holds "secret of
# <id>"), a change the test makes (edit) and, for each server that serves
# devices, its listen address as the example writes it, the SNI name, the
# asking device's certificate (old: TLS for an old device), the URI its
# profile rule makes and what that gets (no_store: the added location
# serves it), and the victim: its id, the folder of its file and the rest
# of the file's name (suffix)
my %ADDED = (
    'cisco-spa.conf' => {
        files => {
            "devices/$A.cfg"     => "profile of $A\n",
            "devices/$B.cfg"     => "secret of $B\n",
            'models/SPA-962.cfg' => "profile of the SPA-962\n",
            'default.cfg'        => "the default profile\n",
        },
        servers => [{
            listen => '443', cert => 'dev-a', no_store => 1,
            own => "/spa962_$A.cfg", body => "profile of $A\n",
            victim => $B, folder => '/devices/', suffix => '.cfg',
        }],
    },
    'audit-ratelimit.conf' => {
        files => {
            "devices/$A.cfg"     => "profile of $A\n",
            "devices/$B.cfg"     => "secret of $B\n",
            'models/SPA-962.cfg' => "profile of the SPA-962\n",
        },
        # one device asks some twenty times at once here: a 429 would
        # hide what the configuration answers
        edit => sub {
            $_[0] =~ s/rate=20r\/m;/rate=100r\/s;/
                or fail('audit-ratelimit.conf: no "rate=20r/m;"');
        },
        servers => [{
            listen => '443', cert => 'dev-a', no_store => 1,
            own => "/spa962_$A.cfg", body => "profile of $A\n",
            victim => $B, folder => '/devices/', suffix => '.cfg',
        }],
    },
    'legacy-devices.conf' => {
        files => {
            "devices/$A.cfg"           => "profile of $A\n",
            "devices/000e08abcd90.cfg" => "profile of 000e08abcd90\n",
            "devices/$B.cfg"           => "secret of $B\n",
        },
        servers => [{
            listen => '192.0.2.10:443', cert => 'old-spa', old => 1,
            no_store => 1,
            own => '/spa962_000e08abcd90.cfg',
            body => "profile of 000e08abcd90\n",
            victim => $B, folder => '/devices/', suffix => '.cfg',
        }, {
            listen => '192.0.2.11:443', cert => 'dev-a', no_store => 1,
            own => "/spa962_$A.cfg", body => "profile of $A\n",
            victim => $B, folder => '/devices/', suffix => '.cfg',
        }],
    },
    'cn-mac-vendor.conf' => {
        files => {
            'polycom/devices/0004f2abcdef-phone.cfg' => "profile of 0004f2abcdef\n",
            'polycom/devices/0004f2abcdf0-phone.cfg' => "secret of 0004f2abcdf0\n",
            'polycom/common/000000000000.cfg'        => "polycom shared\n",
            'yealink/devices/001565abcdef.cfg'       => "profile of 001565abcdef\n",
            'yealink/devices/001565abcdf0.cfg'       => "secret of 001565abcdf0\n",
        },
        servers => [{
            listen => '443', host => 'polycom.prov.example.com',
            cert => 'polycom',
            own => '/0004f2abcdef-phone.cfg',
            body => "profile of 0004f2abcdef\n",
            also => [['/000000000000.cfg', "polycom shared\n"]],
            victim => '0004f2abcdf0', folder => '/devices/',
            suffix => '-phone.cfg',
        }, {
            listen => '443', host => 'yealink.prov.example.com',
            cert => 'yealink',
            own => '/001565abcdef.cfg', body => "profile of 001565abcdef\n",
            victim => '001565abcdf0', folder => '/devices/', suffix => '.cfg',
        }],
    },
    'mixed-fleet.conf' => {
        files => {
            'devices/000e08aa0001.cfg' => "profile of 000e08aa0001\n",
            'devices/00562baa0002.cfg' => "secret of 00562baa0002\n",
            'devices/0004f2aa0003.cfg' => "profile of 0004f2aa0003\n",
            'devices/0004f2aa0003-phone.cfg' => "secret of 0004f2aa0003\n",
            'models/000000000000.cfg'  => "polycom shared\n",
        },
        servers => [{
            listen => '443', cert => 'v-spa', no_store => 1,
            own => '/spa962_000e08aa0001.cfg',
            body => "profile of 000e08aa0001\n",
            victim => '00562baa0002', folder => '/devices/', suffix => '.cfg',
        }, {
            listen => '443', cert => 'v-polycom', no_store => 1,
            own => '/0004F2AA0003.cfg', body => "profile of 0004f2aa0003\n",
            also => [['/000000000000.cfg', "polycom shared\n"]],
            victim => '000e08aa0001', folder => '/devices/', suffix => '.cfg',
            secret => qr/profile of 000e08aa0001/,
        }, {
            listen => '443', cert => 'v-spa', no_store => 1,
            own => '/spa962_000e08aa0001.cfg',
            body => "profile of 000e08aa0001\n",
            victim => '0004f2aa0003', folder => '/devices/',
            suffix => '-phone.cfg',
        }],
    },
    'renderer-backend.conf' => {
        files => {},
        # a renderer in the test's place, that says what it was asked for
        edit => \&ProvExamples::renderer,
        servers => [{
            listen => '443', cert => 'dev-a', no_store => 1,
            own => "/spa962_$A.cfg",
            body => "rendered /render/$A for $A\n",
            victim => $B, folder => '/render/', suffix => '',
            secret => qr/\Q$B\E/,
        }],
    },
    'debian/prov.conf' => {
        files => {
            "devices/$A.cfg"     => "profile of $A\n",
            "devices/$B.cfg"     => "secret of $B\n",
        },
        servers => [{
            listen => '443', cert => 'dev-a', no_store => 1,
            own => "/spa962_$A.cfg", body => "profile of $A\n",
            victim => $B, folder => '/devices/', suffix => '.cfg',
        }],
    },
    'demo/nginx.conf' => {
        files => {
            "devices/$A.cfg"      => "profile of $A\n",
            "devices/$B.cfg"      => "secret of $B\n",
            'models/SPA-962.cfg'  => "profile of the SPA-962\n",
            'bootstrap/upgrade.cfg' => "upgrade the firmware\n",
        },
        servers => [{
            listen => '@PORT@', cert => 'dev-a', no_store => 1,
            own => "/spa962_$A.cfg", body => "profile of $A\n",
            victim => $B, folder => '/devices/', suffix => '.cfg',
        }],
    },
);

# mixed-fleet.conf's files (a victim's holds "secret of <id>")
my %MIXED_FILES = (
    'devices/000e08aa0001.cfg'       => "profile of 000e08aa0001\n",
    'devices/0004f2aa0003.cfg'       => "master of 0004f2aa0003\n",
    'devices/0004f2aa0003-phone.cfg' => "secret of 0004f2aa0003\n",
    'devices/001565aa0004.cfg'       => "secret of 001565aa0004\n",
    'devices/000413aa0005.htm'       => "secret of 000413aa0005\n",
    'models/SPA-962.cfg'             => "profile of the SPA-962\n",
    'models/CP-8841-3PCC.cfg'        => "profile of the CP-8841-3PCC\n",
    'models/T46S.cfg'                => "profile of the T46S\n",
    'models/snom710.htm'             => "profile of the snom710\n",
    'models/000000000000.cfg'        => "polycom shared\n",
    'shared/site.cfg'                => "site settings\n",
    'firmware/sip.ld'                => "firmware\n",
);

my @examples = sort glob "$root/examples/*.conf";
my %have = map { basename($_) => 1 } @examples;

for my $name (@expected) {
    ok($have{$name}, "examples/$name exists");
}

for my $file (@examples) {
    my $name = basename($file);
    my $dir = ProvExamples::prefix($name);
    my $text = slurp($file);
    my $n = () = $text =~ /^\s*load_module\s/mg;

    is($n, 1, "$name: one load_module");

    my $conf = ProvExamples::localize($text, $dir, $name, \%ETC);

    my ($rc, $out) = nginx_t($dir, $conf);

    is($rc, 0, "$name: nginx -t exit status") or diag($out);
    like($out, qr/test is successful/, "$name: nginx -t: test is successful");

    # no warning either, but that of "user" when not run by root
    my @warn = grep { !/"user" directive makes sense only/ }
               $out =~ /^(.*\[(?:warn|alert|crit)\].*)$/mg;
    is("@warn", '', "$name: nginx -t without warnings");
}

# mixed-fleet.conf serves every vendor's phones, each read by its own CA's
# rule; the rules' OUI pins hold (a copy without one serves an impostor)

SKIP: {
    eval { require IO::Socket::SSL; 1 }
        or skip('IO::Socket::SSL is not installed: mixed-fleet.conf not started', 1);

    serve_mixed_fleet();
    serve_mixed_fleet_reversed();
    serve_mixed_fleet_untrusted_int();
    serve_mixed_fleet_unpinned();
}

# the test can fail: broken copies of an example are refused

{
    my $dir = ProvExamples::prefix('broken-id');
    my $conf = ProvExamples::localize(slurp("$root/examples/cisco-spa.conf"),
                                      $dir, 'cisco-spa.conf', \%ETC);

    ok($conf =~ s/prov_id( +)ST mac;/prov_id${1}STX mac;/, 'broken copy: prov_id changed');

    my ($rc, $out) = nginx_t($dir, $conf);
    isnt($rc, 0, 'unknown prov_id attribute: nginx -t fails');
    like($out, qr/unknown certificate attribute "STX"/,
         'unknown prov_id attribute: nginx -t says why');
}

{
    my $dir = ProvExamples::prefix('broken-acl');
    my $conf = ProvExamples::localize(slurp("$root/examples/cisco-spa.conf"),
                                      $dir, 'cisco-spa.conf', \%ETC);

    open my $fh, '>>', "$dir/etc/nginx/prov/devices.acl" or die "devices.acl: $!";
    print $fh "000E08ABCDEF  allow   # the same device again\n";
    close $fh;

    my ($rc, $out) = nginx_t($dir, $conf);
    isnt($rc, 0, 'duplicate id in the access list: nginx -t fails');
    like($out, qr{\Q$dir\E/etc/nginx/prov/devices\.acl:6: duplicate id "000e08abcdef"},
         'duplicate id in the access list: file:line and reason');
}

# cisco-spa.conf serves: devices fetch as in the file's opening comment

SKIP: {
    eval { require IO::Socket::SSL; 1 }
        or skip('IO::Socket::SSL is not installed: cisco-spa.conf not started', 1);

    serve_cisco_spa();
}

# examples/debian/prov.conf in Debian's layout: nginx -t, then devices

{
    my $site = slurp("$root/examples/debian/prov.conf");

    # what may not be in a site (Debian's nginx.conf includes it in http{})
    for my $d (qw(load_module events user pcre_jit worker_processes pid)) {
        unlike($site, qr/^\s*\Q$d\E\b/m, "debian/prov.conf: no $d (main level)");
    }

    my $tree = debian_tree('debian-t');
    my ($rc, $out) = run(@{ $tree->{run} }, '-t');

    is($rc, 0, 'debian/prov.conf in Debian\'s layout: nginx -t exit status')
        or diag($out);
    like($out, qr/test is successful/,
         'debian/prov.conf in Debian\'s layout: nginx -t: test is successful');

    my @warn = grep { !/"user" directive makes sense only/ }
               $out =~ /^(.*\[(?:warn|alert|crit)\].*)$/mg;
    is("@warn", '', 'debian/prov.conf in Debian\'s layout: nginx -t without warnings');
}

# the test can fail: the Synopsis' load_module in the site is refused
{
    my $tree = debian_tree('debian-load-module', sub {
        $_[0] = "load_module modules/ngx_http_prov_module.so;\n$_[0]";
    });
    my ($rc, $out) = run(@{ $tree->{run} }, '-t');

    isnt($rc, 0, 'debian/prov.conf with a load_module line: nginx -t fails');
    like($out, qr/"load_module" directive is not allowed here/,
         'debian/prov.conf with a load_module line: nginx -t says why');
}

SKIP: {
    eval { require IO::Socket::SSL; 1 }
        or skip('IO::Socket::SSL is not installed: debian/prov.conf not started', 1);

    serve_debian_site();
}

trial_pki();

# every example, with what operators add later: no device reads another's
# file, and each still gets its own

SKIP: {
    eval { require IO::Socket::SSL; 1 }
        or skip('IO::Socket::SSL is not installed: examples not started', 1);

    for my $name (sort keys %ADDED) {
        serve_with_additions($name);

        # each guard holds alone: without "^~", the server's prov_uri_id
        # and prov_profile keep the regex location from the files
        serve_with_additions($name, 'without ^~');
    }
}

done_testing();


sub serve_cisco_spa {
    my $dir = ProvExamples::prefix('cisco-spa-running');
    my %port;
    my $conf = ProvExamples::localize(slurp("$root/examples/cisco-spa.conf"),
                                      $dir, 'cisco-spa.conf', \%ETC, \%port);
    my ($port) = values %port;

    is(scalar keys %port, 1, 'cisco-spa.conf: listens on one port');

    # the workers (www-data) read the prefix
    chmod 0755, $dir;

    my %files = (
        'devices/000e08abcdef.cfg' => "profile of 000e08abcdef\n",
        'models/SPA-962.cfg'       => "profile of the SPA-962\n",
        'default.cfg'              => "the default profile\n",
        'bootstrap/upgrade.cfg'    => "upgrade the firmware\n",
        'firmware/spa962.bin'      => "firmware\n",
    );

    for my $f (sort keys %files) {
        write_file("$dir/srv/prov/$f", $files{$f});
    }

    my $conf_file = "$dir/nginx.conf";
    write_file($conf_file, $conf);

    my @run = (@nginx, '-p', "$dir/", '-c', $conf_file,
               '-e', "$dir/var/log/nginx/error.log");
    my ($started, $pid) = ProvExamples::start('cisco-spa.conf', \@run,
                                              "$dir/run/nginx.pid")
        or return;
    my $up = $pid && wait_for_port($port);

    ok($up, 'cisco-spa.conf: nginx listens');

    if ($up) {
        my @cases = (
            # cert, uri, status, body, what
            ['dev-a', '/spa962_000e08abcdef.cfg', 200, "profile of 000e08abcdef\n",
             'a device gets its own profile'],
            ['dev-b', '/spa962_000e08abcdf0.cfg', 200, "profile of the SPA-962\n",
             'a device without a file of its own gets its model\'s'],
            ['full', '/CP-8841-3PCC.cfg', 200, "the default profile\n",
             'a model without a file gets the default'],
            ['dev-a', '/spa962_000e08abcdf0.cfg', 403, undef,
             'naming another device: 403'],
            ['dev-a', '/devices/000e08abcdef.cfg', 200, "profile of 000e08abcdef\n",
             'its own file in the profile folder: its profile'],
            ['ou-inject', '/spa962.cfg', 403, undef,
             'a device the list denies: 403'],
            ['polycom', '/spa962.cfg', 403, undef,
             'a certificate without ST: 403'],
            ['generic', '/spa962.cfg', 200, "upgrade the firmware\n",
             'the generic certificate gets the bootstrap profile'],
            ['none', '/spa962.cfg', 403, undef,
             'no certificate: 403'],
            ['none', '/firmware/spa962.bin', 200, "firmware\n",
             'firmware needs no certificate'],
        );

        ask('cisco-spa.conf', $port, \@cases, qr/profile of|upgrade/);

        # the access log, once it has a line for each case (written as
        # requests end)
        my $access = "$dir/var/log/nginx/prov.log";
        my $n = @cases;
        my $log = wait_for_log(0, qr/\A(?:[^\n]*\n){$n}/, $access)
                  // (-f $access ? slurp($access) : '');

        like($log, qr{ 200 \d+ device=000e08abcdef result=allow model=SPA-962 serial=88012BA01001 account=1042 file="/devices/000e08abcdef\.cfg" "GET /spa962_000e08abcdef\.cfg HTTP/1\.0"\n},
             'cisco-spa.conf: the access log names device, file and account');
        like($log, qr{ 200 \d+ device=- result=generic model=cisco\.com serial=ciscogeneric account=- file="/upgrade\.cfg" "GET /spa962\.cfg HTTP/1\.0"},
             'cisco-spa.conf: the access log shows the bootstrap fetch as generic');
    }

    ProvExamples::stop('cisco-spa.conf', \@run, $pid);

    my $errors = slurp("$dir/var/log/nginx/error.log");
    unlike($errors, qr/\[(?:alert|crit|emerg)\]/, 'cisco-spa.conf: no alert in the error log');
    like($errors, qr/prov: access forbidden \(uri_mismatch\): device "000e08abcdef" asked for the profile of "000e08abcdf0"/,
         'cisco-spa.conf: the refusal is in the error log');

    # the generic certificate's bootstrap fetch is no error (the module
    # logs it at info, below this error_log's level)
    unlike($errors, qr/\(generic\)/,
           'cisco-spa.conf: the bootstrap fetch is no error');

    # examples/fail2ban/ bans on the attacks only: naming another device
    # (uri_mismatch), a certificate without ST (bad_id); not on no
    # certificate, a device the list denies, the generic certificate
    my $filter = "$root/examples/fail2ban/filter.d/nginx-prov.conf";
    my $f2b = ProvTest::fail2ban('fail2ban-regex', '--raw', '--out', 'msg',
                                 "$dir/var/log/nginx/error.log", $filter);
    my @banned = map {
        /prov: access forbidden \((\w+)\).*, client: (\S+), server: /
            ? "$1 $2" : "? $_"
    } grep { /\S/ } split /\n/, $f2b;
    is_deeply([sort @banned], ['bad_id 127.0.0.1', 'uri_mismatch 127.0.0.1'],
              'cisco-spa.conf: fail2ban bans on the attacks only')
        or diag($f2b);
}

# A copy of Debian's nginx layout under a fresh prefix $dir_name, with
# examples/debian/prov.conf installed as the README says (sites-available/
# prov, linked from sites-enabled), its paths mapped into the prefix as
# localize() maps them, its files in place: the test PKI's server key and
# device CA in etc/nginx/prov/, the LMDB list (dev-a and dev-b allowed),
# profiles under srv/prov/.  $edit, if given, changes the site's text
# first.  Returns {dir, port, run (the nginx command on the tree, without
# -t or -s)}.
sub debian_tree {
    my ($dir_name, $edit) = @_;
    my $dir = ProvExamples::prefix($dir_name);
    my $etc = "$dir/etc/nginx";
    my $site = slurp("$root/examples/debian/prov.conf");

    $edit->($site) if $edit;

    # nginx.conf as this host's Debian nginx has it, else as Debian 12
    # ships it: the includes are what matters
    my $main = -f '/etc/nginx/nginx.conf' ? slurp('/etc/nginx/nginx.conf') : '';

    if ($main !~ m{^\s*include\s+/etc/nginx/modules-enabled/\*\.conf;}m
        || $main !~ m{^\s*include\s+/etc/nginx/sites-enabled/\*;}m)
    {
        $main = $DEBIAN_NGINX_CONF;
    }

    my %port;
    my %free;
    for my $text ($main, $site) {
        $text =~ s{(?<![\w./])(/etc/nginx/|/srv/prov\b|/var/log/nginx/|/var/lib/nginx-prov/|/run/nginx\.pid\b)}
                  {$dir$1}g;
        $text =~ s/^(\s*user\s+)www-data;/${1}nobody;/m
            unless defined getpwnam('www-data');
        $text =~ s{^(\s*listen\s+)((?:\S+:)?443)(?=[\s;])}
                  {$1 . '127.0.0.1:' . ($port{$2} //= free_port(\%free))}mge;
    }

    make_path("$etc/conf.d", "$etc/modules-enabled", "$etc/sites-available",
              "$etc/sites-enabled", "$dir/usr/share/nginx/modules-available",
              "$dir/var/lib/nginx-prov", "$dir/modules");

    write_file("$etc/nginx.conf", $main);

    if (-f '/etc/nginx/mime.types') {
        copy('/etc/nginx/mime.types', "$etc/mime.types")
            or die "copy /etc/nginx/mime.types: $!";
    } else {
        write_file("$etc/mime.types", "types {\n    text/html  html;\n}\n");
    }

    # the package's snippet and the link its postinst makes; "modules/" is
    # taken from the prefix, where the module under test is linked
    my $snippet = "$dir/usr/share/nginx/modules-available/mod-http-prov.conf";
    if (defined $ProvExamples::MODULE) {
        write_file($snippet, "load_module modules/ngx_http_prov_module.so;\n");
        symlink($ProvExamples::MODULE, "$dir/modules/ngx_http_prov_module.so")
            or die "symlink $ProvExamples::MODULE: $!";
    } else {
        write_file($snippet, "# load_module (compiled in)\n");
    }
    symlink($snippet, "$etc/modules-enabled/50-mod-http-prov.conf")
        or die "symlink $snippet: $!";

    write_file("$etc/sites-available/prov", $site);
    symlink("$etc/sites-available/prov", "$etc/sites-enabled/prov")
        or die "symlink sites-enabled/prov: $!";

    for my $f (['server.crt', 'server.crt'], ['server.key', 'server.key'],
               ['device-ca.pem', 'device-ca.crt'])
    {
        copy("$pki/$f->[1]", "$etc/prov/$f->[0]") or die "copy $pki/$f->[1]: $!";
    }

    ProvAcl::create("$dir/var/lib/nginx-prov/devices.db",
                    "$A  allow  account=1042\n", "$B  allow  account=1043\n");

    my %files = %ProvExamples::CISCO_FILES;

    for my $f (sort keys %files) {
        write_file("$dir/srv/prov/$f", $files{$f});
    }

    # the workers (www-data) read the prefix
    chmod 0755, $dir;

    return {
        dir => $dir,
        port => (values %port)[0],
        ports => scalar keys %port,
        run => [@nginx, '-p', "$dir/", '-c', "$etc/nginx.conf",
                '-e', "$dir/var/log/nginx/error.log"],
    };
}

# examples/debian/prov.conf in Debian's layout serves devices: each its own
# profile, by its profile rule's URI and by its own file's name; another's
# file refused and logged as uri_mismatch by either; a foreign CA's
# certificate with a device's subject refused, logged and counted as
# unverified; the status page answers localhost and is in no access log
sub serve_debian_site {
    my $tree = debian_tree('debian-running');
    my $dir = $tree->{dir};
    my $port = $tree->{port};
    my $name = 'debian/prov.conf';

    is($tree->{ports}, 1, "$name: listens on one port");

    my ($started, $pid) = ProvExamples::start($name, $tree->{run},
                                              "$dir/run/nginx.pid")
        or return;
    my $up = $pid && wait_for_port($port);

    ok($up, "$name: nginx listens");

    my @cases = (
        # cert, uri, status, body, what
        ['dev-a', "/spa962_$A.cfg", 200, "profile of $A\n",
         'a device gets its own profile'],
        ['dev-a', "/devices/$A.cfg", 200, "profile of $A\n",
         'a device asking for its own file by name gets it'],
        ['dev-b', "/spa962_$B.cfg", 200, "secret of $B\n",
         'the other device gets its own'],
        ['dev-a', "/spa962_$B.cfg", 403, undef,
         'naming another device: 403'],
        ['dev-a', "/devices/$B.cfg", 403, undef,
         'another device\'s file by name: 403'],
        ['rogue-a', "/spa962_$A.cfg", 403, undef,
         'a foreign CA\'s certificate with the device\'s subject: 403'],
        ['generic', '/spa962.cfg', 200, "upgrade the firmware\n",
         'the generic certificate gets the bootstrap profile'],
        ['none', '/spa962.cfg', 403, undef, 'no certificate: 403'],
        ['none', '/firmware/spa962.bin', 200, "firmware\n",
         'firmware needs no certificate'],
    );

    my ($status, $prom);

    if ($up) {
        ask($name, $port, \@cases, qr/profile of|secret of|upgrade/);

        # every request is in prov.log (and counted) once it ends
        my $n = @cases;
        wait_for_log(0, qr/\A(?:[^\n]*\n){$n}/, "$dir/var/log/nginx/prov.log");

        (my $st, $status) = ProvExamples::fetch($port, 'none', '/prov-status');
        is($st, 200, "$name: /prov-status answers localhost");
        (undef, $prom) = ProvExamples::fetch($port, 'none',
                                             '/prov-status?format=prometheus');
    }

    ProvExamples::stop($name, $tree->{run}, $pid);

    $status //= '';
    $prom //= '';

    like($status, qr/"unverified":1,/,
         "$name: prov_status counts the foreign CA's certificate as unverified")
        or diag($status);
    like($status, qr/"uri_mismatch":2,/,
         "$name: prov_status counts both requests for another's file");
    # the gate's requests: all but firmware (prov off) and the status page
    my $gated = grep { $_->[1] !~ m{^/firmware/} } @cases;
    like($status, qr/"total":$gated\}/,
         "$name: prov_status counts every gated request, the status page not")
        or diag($status);
    like($status, qr{"file":"lmdb:\Q$dir\E/var/lib/nginx-prov/devices\.db","devices":2,},
         "$name: prov_status shows the LMDB list");
    like($prom, qr/^nginx_prov_requests_total\{result="unverified"\} 1$/m,
         "$name: prov_status in Prometheus form");

    my $errors = slurp("$dir/var/log/nginx/error.log");
    unlike($errors, qr/\[(?:alert|crit|emerg)\]/, "$name: no alert in the error log");
    like($errors, qr/prov: access forbidden \(uri_mismatch\): device "$A" asked for the profile of "$B"[^\n]*request: "GET \/devices\/$B\.cfg /,
         "$name: /devices/<other>.cfg is logged as uri_mismatch");
    like($errors, qr/prov: access forbidden \(uri_mismatch\): device "$A" asked for the profile of "$B"[^\n]*request: "GET \/spa962_$B\.cfg /,
         "$name: naming another device is logged as uri_mismatch");
    like($errors, qr/\[error\][^\n]*prov: access forbidden \(unverified\)[^\n]*request: "GET \/spa962_$A\.cfg /,
         "$name: the foreign CA's certificate is logged at the default level");

    my $access = -f "$dir/var/log/nginx/prov.log"
               ? slurp("$dir/var/log/nginx/prov.log") : '';
    like($access, qr{ 403 \d+ device=$A result=uri_mismatch .* "GET /devices/$B\.cfg HTTP/1\.0"},
         "$name: prov.log: another's file, uri_mismatch");
    like($access, qr{ 403 \d+ device=\S* result=unverified .* "GET /spa962_$A\.cfg HTTP/1\.0"},
         "$name: prov.log: the foreign CA's certificate, unverified");
    like($access, qr{ 200 \d+ device=$A result=allow model=SPA-962 serial=88012BA01001 account=1042 file="/devices/$A\.cfg" "GET /spa962_$A\.cfg HTTP/1\.0"\n},
         "$name: prov.log names device, file and account");
    unlike($access, qr/prov-status/, "$name: the status scrape is not in prov.log");

    my $other = -f "$dir/var/log/nginx/access.log"
              ? slurp("$dir/var/log/nginx/access.log") : '';
    unlike($other, qr/prov-status/, "$name: nor in access.log");
}

# examples/debian/trial-pki.sh: the layout its header states, Cisco SPA
# subjects, devices and the generic certificate verify with device-ca.pem,
# the impostor does not; keys 0600; it refuses to overwrite
sub trial_pki {
    my $script = "$root/examples/debian/trial-pki.sh";
    my $dir = ProvExamples::prefix('trial') . '/pki';

    ok(-x $script, 'trial-pki.sh is executable');

    my ($rc, $out) = run('bash', $script, $dir);
    is($rc, 0, 'trial-pki.sh DIR: exit status') or diag($out);

    my %subject = (
        "devices/$A.crt"  => "/C=US/ST=$A/L=88012BA01001/O=Cisco Systems, Inc./OU=SPA-962/CN=$A",
        "devices/$B.crt"  => "/C=US/ST=$B/L=88012BA01002/O=Cisco Systems, Inc./OU=SPA-962/CN=$B",
        'generic.crt'     => '/C=US/ST=ciscogeneric/L=ciscogeneric/O=Cisco Systems, Inc./OU=cisco.com/CN=Cisco SPA Generic',
        "impostor/$A.crt" => "/C=US/ST=$A/L=88012BA01001/O=Cisco Systems, Inc./OU=SPA-962/CN=$A",
        "clone/$A.crt"    => "/C=US/ST=$A/L=88012BA01001/O=Cisco Systems, Inc./OU=SPA-962/CN=$A",
        'server.crt'      => '/CN=prov.example.com',
    );

    for my $f (sort keys %subject) {
        my ($src, $text) = run('openssl', 'x509', '-noout', '-subject',
                               '-nameopt', 'compat', '-in', "$dir/$f");
        is($text, "subject=$subject{$f}\n", "trial-pki.sh: $f: subject");
    }

    for my $f ("devices/$A.crt", "devices/$B.crt", 'generic.crt', "clone/$A.crt") {
        my ($vrc, $v) = run('openssl', 'verify', '-CAfile', "$dir/device-ca.pem",
                            "$dir/$f");
        is($vrc, 0, "trial-pki.sh: $f verifies with device-ca.pem") or diag($v);
    }

    ($rc, $out) = run('openssl', 'verify', '-CAfile', "$dir/device-ca.pem",
                      "$dir/impostor/$A.crt");
    isnt($rc, 0, "trial-pki.sh: impostor/$A.crt does not verify with device-ca.pem");
    ($rc, $out) = run('openssl', 'verify', '-CAfile', "$dir/ca/foreign-ca.crt",
                      "$dir/impostor/$A.crt");
    is($rc, 0, "trial-pki.sh: impostor/$A.crt is the foreign CA's") or diag($out);

    # the clone: another key, so another fingerprint (what a pin tells apart)
    my @fp = map { (run('openssl', 'x509', '-noout', '-fingerprint', '-sha256',
                        '-in', "$dir/$_"))[1] } ("devices/$A.crt", "clone/$A.crt");
    my @pub = map { (run('openssl', 'pkey', '-pubout', '-in', "$dir/$_"))[1] }
              ("devices/$A.key", "clone/$A.key");
    like($fp[0], qr/^sha256 Fingerprint=[0-9A-F:]{95}$/im,
         'trial-pki.sh: a fingerprint of the device');
    isnt($fp[1], $fp[0], "trial-pki.sh: clone/$A.crt is another certificate");
    isnt($pub[1], $pub[0], "trial-pki.sh: clone/$A.key is another key");

    ($rc, $out) = run('openssl', 'verify', '-CAfile', "$dir/server-ca.pem",
                      '-purpose', 'sslserver', "$dir/server.crt");
    is($rc, 0, 'trial-pki.sh: server.crt verifies with server-ca.pem') or diag($out);
    ($rc, $out) = run('openssl', 'x509', '-noout', '-ext', 'subjectAltName',
                      '-in', "$dir/server.crt");
    like($out, qr/DNS:prov\.example\.com, DNS:localhost, IP Address:127\.0\.0\.1/,
         'trial-pki.sh: server.crt names prov.example.com, localhost, 127.0.0.1');

    for my $key ('server.key', "devices/$A.key", "devices/$B.key", 'generic.key',
                 "impostor/$A.key", "clone/$A.key", 'ca/device-ca.key', 'ca/server-ca.key',
                 'ca/foreign-ca.key')
    {
        my @st = stat "$dir/$key";
        is(@st ? sprintf('%04o', $st[2] & 07777) : 'missing', '0600',
           "trial-pki.sh: $key mode 0600");
    }

    my @st = stat "$dir/ca";
    is(@st ? sprintf('%04o', $st[2] & 07777) : 'missing', '0700',
       'trial-pki.sh: ca/ mode 0700');

    my $before = slurp("$dir/server.key");
    ($rc, $out) = run('bash', $script, $dir);
    is($rc, 1, 'trial-pki.sh on a folder it made: refused');
    like($out, qr/not an empty folder: nothing written/,
         'trial-pki.sh on a folder it made: says why');
    is(slurp("$dir/server.key"), $before, 'trial-pki.sh: the key is not replaced');

    # MACs in any spelling, files named canonically
    my $dir2 = ProvExamples::prefix('trial2') . '/pki';
    ($rc, $out) = run('bash', $script, $dir2, '00:0E:08:AB:CD:01', '000e.08ab.cd02');
    is($rc, 0, 'trial-pki.sh DIR MAC MAC: exit status') or diag($out);
    ok(-f "$dir2/devices/000e08abcd01.crt" && -f "$dir2/devices/000e08abcd02.crt"
       && -f "$dir2/impostor/000e08abcd01.crt",
       'trial-pki.sh: MACs given in other spellings, files named canonically');

    ($rc, $out) = run('bash', $script, ProvExamples::prefix('trial3') . '/pki',
                      '000e08abcd');
    is($rc, 2, 'trial-pki.sh: a MAC of 10 digits is refused');

    # an empty DIR that others may write to (mode 0777), or that another
    # user owns (made in advance, when the script runs as root): whoever
    # can write there replaces device-ca.pem with a CA of their own before
    # the operator copies it to /etc/nginx/prov/, and every certificate of
    # that CA passes the gate; refused, nothing written
    my $open = ProvExamples::prefix('trial4') . '/pki';
    mkdir $open or die "mkdir $open: $!";
    chmod 0777, $open;
    ($rc, $out) = run('bash', $script, $open);
    is($rc, 1, 'trial-pki.sh on an empty folder others may write to: refused');
    ok(!-e "$open/device-ca.pem", 'trial-pki.sh: nothing written there');

    SKIP: {
        my $uid = getpwnam('nobody');
        skip 'not root, or no user nobody', 2 if $> != 0 || !defined $uid;

        my $theirs = ProvExamples::prefix('trial5') . '/pki';
        mkdir $theirs or die "mkdir $theirs: $!";
        chown $uid, -1, $theirs or die "chown $theirs: $!";
        chmod 0755, $theirs;
        ($rc, $out) = run('bash', $script, $theirs);
        is($rc, 1, "trial-pki.sh on an empty folder another user owns: refused");
        ok(!-e "$theirs/device-ca.pem", 'trial-pki.sh: nothing written there');
    }
}

# mixed-fleet.conf serves each vendor's phones by their own conventions,
# each certificate read by its own CA's rule only, and the User-Agent
# checked against the certificate
sub serve_mixed_fleet {
    my $name = 'mixed-fleet.conf';
    my $run = start_example($name, 'mixed-fleet-running', slurp("$root/examples/$name"),
                            \%MIXED_FILES)
        or return;
    my $port = $run->{port};

    # (cert, uri, User-Agent lines, status, body or undef, what)
    my @cases = (
        # each vendor's device, by its vendor's convention
        ['v-spa', '/spa962_000e08aa0001.cfg', [], 200, "profile of 000e08aa0001\n",
         'Cisco SPA: its own profile'],
        ['v-mpp', '/spa8841_00562baa0002.cfg', [], 200, "profile of the CP-8841-3PCC\n",
         'Cisco MPP without a file of its own: its model\'s'],
        ['v-polycom', '/0004F2AA0003.cfg', [], 200, "master of 0004f2aa0003\n",
         'Polycom: its own <MAC>.cfg'],
        ['v-polycom', '/0004F2AA0003-phone.cfg', [], 200, "secret of 0004f2aa0003\n",
         'Polycom: its own <MAC>-phone.cfg'],
        ['v-polycom', '/000000000000.cfg', [], 200, "polycom shared\n",
         'Polycom: the shared 000000000000.cfg'],
        ['v-polycom-nochain', '/0004f2aa0003.cfg', [], 200, "master of 0004f2aa0003\n",
         'Polycom without its intermediate: ssl_trusted_certificate has it'],
        ['v-yealink', '/y000000000108.cfg', [], 200, "profile of the T46S\n",
         'Yealink: y0000000000xx.cfg is its model\'s file (from OU)'],
        ['v-yealink', '/001565aa0004.cfg', [], 200, "secret of 001565aa0004\n",
         'Yealink: its own <mac>.cfg'],
        ['v-snom', '/snom710-000413AA0005.htm', [], 200, "secret of 000413aa0005\n",
         'Snom: its own snom<model>-<MAC>.htm'],
        ['v-spa', '/spa962_000E08AA0001.cfg', [], 200, "profile of 000e08aa0001\n",
         'Cisco SPA: $MAU, uppercase'],
        ['v-spa', '/0004f2aa0003.cfg', [], 403, undef,
         'Cisco SPA asking for a Polycom\'s <MAC>.cfg: uri_mismatch'],
        ['v-yealink', '/0004F2AA0003-phone.cfg', [], 403, undef,
         'Yealink asking for a Polycom\'s <MAC>-phone.cfg: uri_mismatch'],
        ['v-snom', '/snom710-001565AA0004.htm', [], 403, undef,
         'Snom naming a Yealink: uri_mismatch'],
        ['v-mpp', '/spa962_000e08aa0001.cfg', [], 403, undef,
         'Cisco MPP naming a Cisco SPA: uri_mismatch'],
        ['v-polycom', '/snom710-000413AA0005.htm', [], 403, undef,
         'Polycom naming a Snom: uri_mismatch'],
        ['v-spa', '/devices/000e08aa0001.cfg', [], 404, undef,
         'the profile folder itself: 404'],
        ['v-spa', '/whatever.cfg', [], 404, undef,
         'a URI of no convention: 404'],
        ['v-polycom', '/shared/site.cfg', [], 200, "site settings\n",
         'a shared file, to a listed device'],
        ['none', '/shared/site.cfg', [], 403, undef,
         'a shared file without a certificate: 403'],
        ['none', '/firmware/sip.ld', [], 200, "firmware\n",
         'firmware needs no certificate'],
        ['none', '/spa962_000e08aa0001.cfg', [], 403, undef,
         'no certificate: 403'],

        # another CA's certificate carrying a device's MAC in that device's
        # vendor attribute is read by its own CA's rule
        ['x-polycom-as-spa', '/spa962_000e08aa0001.cfg', [], 403, undef,
         'Polycom CA, ST of a Cisco SPA (intermediate in the chain): not the SPA'],
        ['x-snom-as-spa', '/spa962_000e08aa0001.cfg', [], 403, undef,
         'Snom CA, the subject of a Cisco SPA: not the SPA'],
        ['x-spa-as-polycom', '/0004F2AA0003.cfg', [], 403, undef,
         'Cisco CA, CN of a Polycom: not the Polycom'],
        ['x-spa-as-polycom', '/0004F2AA0003-phone.cfg', [], 403, undef,
         'Cisco CA, CN of a Polycom: not the Polycom\'s phone file'],
        ['x-yealink-as-snom', '/snom710-000413AA0005.htm', [], 403, undef,
         'Yealink CA, CN of a Snom: outside Yealink\'s OUIs, bad_id'],
        ['x-yealink-as-snom', '/y000000000108.cfg', [], 403, undef,
         'Yealink CA, CN of a Snom: no file at all'],
        ['v-other', '/spa962_000e08aa0001.cfg', [], 403, undef,
         'a trusted root no rule names, ST of a Cisco SPA: unknown_issuer'],
        ['v-other', '/00aabbaa0006.cfg', [], 403, undef,
         'a trusted root no rule names, its own id: unknown_issuer'],
        ['x-other-with-int', '/0004F2AA0003.cfg', [], 403, undef,
         'that root\'s certificate with a Polycom\'s CN, sent with Polycom\'s real '
         . 'intermediate (not in the verified chain): unknown_issuer'],

        # the User-Agent names the certificate's device, or none
        ['v-spa', '/spa962_000e08aa0001.cfg',
         ['Cisco/SPA962-7.4.9c (000E08AA0001)(88012BA03001)'], 200,
         "profile of 000e08aa0001\n", 'Cisco UA naming the device'],
        ['v-spa', '/spa962_000e08aa0001.cfg',
         ['Cisco/SPA962-7.4.9c (000E08AA0002)(88012BA03001)'], 403, undef,
         'Cisco UA naming another device: ua_mismatch'],
        ['v-spa', '/spa962_000e08aa0001.cfg',
         ['Linksys/SPA-942-6.1.5(a) (88019FA42805)'], 200,
         "profile of 000e08aa0001\n", 'Linksys UA (a serial number, no MAC): passes'],
        ['v-mpp', '/spa8841_00562baa0002.cfg',
         ['Cisco-CP-8841-3PCC/11.0 (00562baa0002)'], 200,
         "profile of the CP-8841-3PCC\n", 'MPP UA naming the device'],
        ['v-mpp', '/spa8841_00562baa0002.cfg',
         ['Cisco-CP-8841-3PCC/11.0 (00562b043615)'], 403, undef,
         'MPP UA naming another device: ua_mismatch'],
        ['v-yealink', '/001565aa0004.cfg',
         ['Yealink SIP-T46S 66.86.0.15 00:15:65:aa:00:04'], 200,
         "secret of 001565aa0004\n", 'Yealink UA (colons) naming the device'],
        ['v-yealink', '/001565aa0004.cfg',
         ['Yealink SIP-T46G 28.72.0.1 00:15:65:4a:a9:37'], 403, undef,
         'Yealink UA naming another device: ua_mismatch'],
        ['v-snom', '/snom710-000413AA0005.htm',
         ['Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.3-s OpenSSL) 000413AA0005'],
         200, "secret of 000413aa0005\n", 'Snom UA naming the device'],
        ['v-snom', '/snom710-000413AA0005.htm',
         ['Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.3-s OpenSSL) 000413741767'],
         403, undef, 'Snom UA naming another device: ua_mismatch'],
        ['v-snom', '/snom710-000413AA0005.htm',
         ['Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)'],
         403, undef, 'Snom UA with the MAC inside its parenthesis, another device: ua_mismatch'],
        ['v-snom', '/snom710-000413AA0005.htm',
         ['Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413AA0005)'],
         200, "secret of 000413aa0005\n", 'the same form naming the device'],
        ['v-polycom', '/0004F2AA0003.cfg',
         ['FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application'], 200,
         "master of 0004f2aa0003\n", 'Polycom UA (no MAC): passes'],
        ['v-polycom', '/0004F2AA0003.cfg',
         ['Grandstream Model HW GXP2200 V2.2A SW 1.0.1.33 DevId 000b82462d97'], 403,
         undef, 'Grandstream UA naming another device: ua_mismatch'],
        ['v-polycom', '/0004F2AA0003.cfg',
         ['Mozilla/5.0 AVAYA/J179-4.1.3.0.6 (MAC:c81fea83e85a)'], 403, undef,
         'Avaya UA naming another device: ua_mismatch'],
        ['v-polycom', '/0004F2AA0003.cfg',
         ['Mitel6940 MAC:14-00-E9-1B-45-24 V:6.4.0.140-SIP'], 403, undef,
         'Mitel UA naming another device: ua_mismatch'],
        ['v-polycom', '/0004F2AA0003.cfg',
         ['Mitel6940 MAC:00-04-F2-AA-00-03 V:6.4.0.140-SIP'], 200,
         "master of 0004f2aa0003\n", 'Mitel form (dashes, uppercase) naming the device'],
        ['v-spa', '/spa962_000e08aa0001.cfg',
         ['Grandstream Model HW GXP2200 DevId 000e08aa0001'], 200,
         "profile of 000e08aa0001\n", 'Grandstream form naming the device'],
        ['v-spa', '/spa962_000e08aa0001.cfg',
         ['Cisco/SPA962-7.4.9c (000E08AA0001)(88012BA03001)',
          'Yealink SIP-T46G 28.72.0.1 00:15:65:4a:a9:37'], 403, undef,
         'two User-Agent lines, the second naming another device: ua_mismatch'],
    );

    # the User-Agent lines as ask()'s fetch() options
    ask($name, $port, [map { [@$_[0, 1, 3 .. 5], { ua => $_->[2] }] } @cases],
        qr/profile of|secret of|master of|shared|settings/);

    # a rogue leaf sent with the real Polycom intermediate: no verified
    # chain (its bad signature: nginx's 400, which error_page 495 hands to
    # the gate: 403 unverified), no profile
    my ($got, $got_body) = ProvExamples::fetch($port, 'x-int-sent',
                                               '/0004F2AA0015.cfg');
    like($got, qr/\A(?:0|400|403)\z/,
         "$name: a rogue leaf sent with Polycom's real intermediate: refused");
    unlike($got_body // '', qr/of 0004f2/,
           "$name: a rogue leaf sent with Polycom's real intermediate: no profile");

    # resumed sessions (TLS 1.2 and 1.3) carry no intermediate: the Polycom
    # phone is still read by its CA's rule, the impostor still refused
    for my $tls ('TLSv1_2', 'TLSv1_3') {
        for my $c (['v-polycom', '/0004F2AA0003.cfg', 200],
                   ['x-polycom-as-spa', '/spa962_000e08aa0001.cfg', 403],
                   ['x-other-with-int', '/0004F2AA0003.cfg', 403],
                   ['v-spa', '/spa962_000e08aa0001.cfg', 200])
        {
            my ($cert, $uri, $status) = @$c;
            my %sess;
            my @st;

            for (1, 2) {
                push @st, (ProvExamples::fetch($port, $cert, $uri,
                                               session => \%sess,
                                               tls => $tls))[0];
            }

            ok($sess{reused}, "$name: $tls $cert: the second handshake resumed");
            is("@st", "$status $status", "$name: $tls $cert $uri: $status, resumed too");
        }
    }

    my $errors = stop_example($run);

    like($errors, qr/\(uri_mismatch\): device "0004f2aa0011" asked for the profile of "000e08aa0001", serial 3011/,
         "$name: x-polycom-as-spa is read by the Polycom rule (CN)");
    like($errors, qr/\(uri_mismatch\): device "000413aa0012" asked for the profile of "000e08aa0001", serial 3012/,
         "$name: x-snom-as-spa is read by the Snom rule (CN)");
    like($errors, qr/\(uri_mismatch\): device "000e08aa0013" asked for the profile of "0004F2AA0003", serial 3013/,
         "$name: x-spa-as-polycom is read by the Cisco SPA rule (ST)");
    like($errors, qr/\(bad_id\)[^\n]*serial 3014/,
         "$name: x-yealink-as-snom is refused by the Yealink rule's OUIs");
    like($errors, qr/\(unknown_issuer\)[^\n]*Other Phones Root CA[^\n]*serial 3006/,
         "$name: v-other: unknown_issuer names the issuer and the serial");
    like($errors, qr/\(unknown_issuer\): certificate issued by "CN=Other Phones Root CA,O=Other Phones" is read by no prov_id, serial 3016/,
         "$name: x-other-with-int: the intermediate it sent is not its chain");
    unlike($errors, qr/device "0004f2aa0003"[^\n]*serial 3016/,
           "$name: x-other-with-int is never read as the Polycom");
    like($errors, qr/\(ua_mismatch\): device "000e08aa0001" announced "000E08AA0002" in its User-Agent, serial 3001/,
         "$name: ua_mismatch names both devices");
    like($errors, qr/\(ua_mismatch\): device "0004f2aa0003" announced "14-00-E9-1B-45-24" in its User-Agent, serial 3003/,
         "$name: ua_mismatch of the Mitel form");
    like($errors, qr/\(ua_mismatch\): device "000e08aa0001" announced "00:15:65:4a:a9:37" in its User-Agent, serial 3001/,
         "$name: ua_mismatch: the second User-Agent line is read too");
    unlike($errors, qr/unsafe profile uri/,
           "$name: no candidate is skipped (the maps never make an empty name)");

    # examples/fail2ban/ bans on every attack of these: naming another
    # device (URI or User-Agent), another CA's certificate (unknown_issuer,
    # its issuer quoted in the line), one outside the maker's OUIs
    # (bad_id), a forged one (x-int-sent: unverified); not on no
    # certificate
    my $filter = "$root/examples/fail2ban/filter.d/nginx-prov.conf";
    my $f2b = ProvTest::fail2ban('fail2ban-regex', '--raw', '--out', 'msg',
                                 "$run->{dir}/var/log/nginx/error.log", $filter);
    my %banned;
    $banned{/prov: access forbidden \((\w+)\).*, client: (\S+), server: / ? "$1 $2" : "? $_"}++
        for grep { /\S/ } split /\n/, $f2b;
    my %attacks;
    $attacks{"$1 127.0.0.1"}++
        while $errors =~ /prov: access forbidden \((bad_id|ua_mismatch|unknown_issuer|unverified|uri_mismatch)\)/g;

    is_deeply([sort keys %banned],
              ['bad_id 127.0.0.1', 'ua_mismatch 127.0.0.1', 'unknown_issuer 127.0.0.1',
               'unverified 127.0.0.1', 'uri_mismatch 127.0.0.1'],
              "$name: fail2ban bans on the attacks only") or diag($f2b);
    is_deeply(\%banned, \%attacks, "$name: fail2ban finds every attack's line");

    my $access = slurp("$run->{dir}/var/log/nginx/prov.log");
    like($access, qr{ 200 \d+ device=001565aa0004 result=allow model=T46S .* file="/models/T46S\.cfg" "GET /y000000000108\.cfg HTTP/1\.0"},
         "$name: the access log names the model file served");
    like($access, qr{ 403 \d+ device=\S* result=unknown_issuer .* "GET /spa962_000e08aa0001\.cfg HTTP/1\.0"},
         "$name: the access log says unknown_issuer");
}

# mixed-fleet.conf changed by $edit (which must change it), started, and
# asked @$cases (see ask()); returns its error log
sub serve_mixed_variant {
    my ($what, $dir_name, $edit, $cases) = @_;
    my $name = "mixed-fleet.conf $what";
    my $text = slurp("$root/examples/mixed-fleet.conf");

    ok($edit->($text), "$name: changed") or return;

    my $run = start_example($name, $dir_name, $text, \%MIXED_FILES) or return;

    ask($name, $run->{port}, $cases, qr/profile of|secret of|master of/);

    return stop_example($run);
}

# $name's nginx on $port asked @$cases, each [cert, uri, status, body or
# undef, what, ProvExamples::fetch() options (with a session: resumed, if
# the handshake must resume it)]: the status, and the body, or (no body)
# nothing in it that matches $secret
sub ask {
    my ($name, $port, $cases, $secret) = @_;

    for my $c (@$cases) {
        my ($cert, $uri, $status, $body, $what, $o) = @$c;
        my ($got, $got_body) = ProvExamples::fetch($port, $cert, $uri,
                                                   %{ $o // {} });

        if ($o && $o->{session}) {
            is($o->{session}{reused} ? 1 : 0, $o->{resumed} ? 1 : 0,
               "$name: $what: "
               . ($o->{resumed} ? 'resumed' : 'a full handshake'));
        }

        is($got, $status, "$name: $what ($cert $uri)");

        if (defined $body) {
            is($got_body, $body, "$name: $what: body");
        } else {
            unlike($got_body // '', $secret,
                   "$name: $what: no profile in the body");
        }
    }
}

# the rules in the opposite order: each certificate is still read by its
# own CA's rule
sub serve_mixed_fleet_reversed {
    serve_mixed_variant('with its rules reversed', 'mixed-fleet-reversed', sub {
        my @rules = $_[0] =~ /^([ \t]*prov_id[ \t][^;]*;[ \t]*\n)/mg;
        return 0 unless @rules == 5;
        my @spots;
        push @spots, $-[1] while $_[0] =~ /^([ \t]*prov_id[ \t][^;]*;[ \t]*\n)/mg;
        my @new = reverse @rules;
        for my $k (reverse 0 .. $#spots) {
            substr($_[0], $spots[$k], length $rules[$k]) = $new[$k];
        }
        return 1;
    }, [
        ['v-spa', '/spa962_000e08aa0001.cfg', 200, "profile of 000e08aa0001\n",
         'Cisco SPA: its own profile'],
        ['v-polycom', '/0004F2AA0003.cfg', 200, "master of 0004f2aa0003\n",
         'Polycom: its own <MAC>.cfg'],
        ['v-snom', '/snom710-000413AA0005.htm', 200, "secret of 000413aa0005\n",
         'Snom: its own file'],
        ['x-polycom-as-spa', '/spa962_000e08aa0001.cfg', 403, undef,
         'Polycom CA, ST of a Cisco SPA: not the SPA'],
        ['x-snom-as-spa', '/spa962_000e08aa0001.cfg', 403, undef,
         'Snom CA, the subject of a Cisco SPA: not the SPA'],
        ['x-spa-as-polycom', '/0004F2AA0003-phone.cfg', 403, undef,
         'Cisco CA, CN of a Polycom: not the Polycom'],
        ['x-yealink-as-snom', '/snom710-000413AA0005.htm', 403, undef,
         'Yealink CA, CN of a Snom: not the Snom'],
        ['v-other', '/spa962_000e08aa0001.cfg', 403, undef,
         'a trusted root no rule names: refused'],
        ['x-other-with-int', '/0004F2AA0003.cfg', 403, undef,
         'that root\'s certificate, sent with Polycom\'s intermediate: refused'],
    ]);
}

# without ssl_trusted_certificate, a resumed session (which keeps no
# intermediate) of a Polycom phone does not verify again with the server's
# store: what the example's comment says
sub serve_mixed_fleet_untrusted_int {
    my (%s12, %s13);

    my $errors = serve_mixed_variant('without ssl_trusted_certificate', 'mixed-fleet-no-int', sub {
        $_[0] =~ s/^[ \t]*ssl_trusted_certificate[ \t][^;]*;[ \t]*\n//m;
    }, [
        ['v-polycom', '/0004F2AA0003.cfg', 200, "master of 0004f2aa0003\n",
         'TLS 1.2, the phone sends its intermediate', { session => \%s12, tls => 'TLSv1_2' }],
        ['v-polycom', '/0004F2AA0003.cfg', 403, undef,
         'TLS 1.2, resumed: refused',
         { session => \%s12, tls => 'TLSv1_2', resumed => 1 }],
        ['v-polycom', '/0004F2AA0003.cfg', 200, "master of 0004f2aa0003\n",
         'TLS 1.3, the phone sends its intermediate', { session => \%s13, tls => 'TLSv1_3' }],
        ['v-polycom', '/0004F2AA0003.cfg', 403, undef,
         'TLS 1.3, resumed: refused',
         { session => \%s13, tls => 'TLSv1_3', resumed => 1 }],
        ['v-polycom-nochain', '/0004F2AA0003.cfg', 403, undef,
         'without its intermediate: unverified'],
    ]) // '';

    my $n = () = $errors =~ /\(unverified\)[^\n]*with this server's CAs[^\n]*serial 3003/g;
    is($n, 2, 'mixed-fleet.conf without ssl_trusted_certificate: both resumed '
              . 'requests are unverified with this server\'s CAs');
}

# the defense against a certificate of one CA carrying another vendor's
# device in the same attribute (both read CN): without the Yealink rule's
# OUIs, a Yealink-CA certificate whose CN is a Snom's MAC is read as that
# Snom and gets its file
sub serve_mixed_fleet_unpinned {
    serve_mixed_variant('without the Yealink OUIs', 'mixed-fleet-unpinned', sub {
        $_[0] =~ s/(prov_id\s+CN\s+)"\(\?i\)\(\?<mac>001565[^"]*"/${1}mac/;
    }, [
        ['x-yealink-as-snom', '/snom710-000413AA0005.htm', 200,
         "secret of 000413aa0005\n", 'x-yealink-as-snom gets the Snom\'s file'],
        ['v-yealink', '/001565aa0004.cfg', 200, "secret of 001565aa0004\n",
         'the Yealink still gets its own'],
    ]);
}

# an example's text localized into a fresh prefix $dir_name with %$files
# under /srv/prov, started; {dir, port, pid, run} once it listens on its
# one port, undef otherwise
sub start_example {
    my ($name, $dir_name, $text, $files) = @_;
    my $dir = ProvExamples::prefix($dir_name);
    my %port;
    my $conf = ProvExamples::localize($text, $dir, $name, \%ETC, \%port);
    my ($port) = values %port;

    is(scalar keys %port, 1, "$name: listens on one port");
    chmod 0755, $dir;

    for my $f (sort keys %$files) {
        write_file("$dir/srv/prov/$f", $files->{$f});
    }

    my $conf_file = "$dir/nginx.conf";
    write_file($conf_file, $conf);

    my @run = (@nginx, '-p', "$dir/", '-c', $conf_file,
               '-e', "$dir/var/log/nginx/error.log");
    my ($started, $pid) = ProvExamples::start($name, \@run,
                                              "$dir/run/nginx.pid")
        or return undef;

    my %r = (name => $name, dir => $dir, port => $port, run => \@run,
             pid => $pid);

    if (!ok($r{pid} && wait_for_port($port), "$name: nginx listens")) {
        stop_example(\%r);
        return undef;
    }

    return \%r;
}

# stops what start_example() started; returns its error log, checked for
# alerts
sub stop_example {
    my ($r) = @_;

    ProvExamples::stop($r->{name}, $r->{run}, $r->{pid});

    my $log = "$r->{dir}/var/log/nginx/error.log";
    my $errors = -f $log ? slurp($log) : '';

    # but nginx's own for a certificate whose signature does not verify
    # (x-int-sent: see t/018-stale-ssl-error.t)
    my @alerts = grep { !/ignoring stale global SSL error \(SSL: error:[0-9A-F]+:asn1 encoding routines::EVP lib\) while waiting for request/ }
                 $errors =~ /^(.*\[(?:alert|crit|emerg)\].*)$/mg;
    is("@alerts", '', "$r->{name}: no alert in the error log");

    return $errors;
}

# an example with @ADDITIONS in each of its server blocks, started: for each
# server of %ADDED, the device gets its own profile, by its profile rule's
# URI and through the added rewrite, and asking for the victim's file in
# every spelling gets 403 or 404 and nothing of it
sub serve_with_additions {
    my ($name, $variant) = @_;
    my $spec = $ADDED{$name};
    my $dir_name = ($variant ? 'added-plain-' : 'added-') . $name =~ s{/}{-}gr;
    my $dir = ProvExamples::prefix($dir_name);
    my $text = slurp("$root/examples/$name");
    my $with = 'with additions' . ($variant ? ", $variant" : '');
    my %port;

    if ($variant) {
        ok($text =~ s/\blocation(\s+)\^~\s+/location$1/g, "$name: $variant");
    }

    $text = inject_additions($text, $name);

    my $srv = 'srv/prov';
    my $conf_file = "$dir/nginx.conf";

    if ($name eq 'demo/nginx.conf') {
        $text = ProvExamples::localize_demo($text, $dir, [$A, $B], \%port);
        $srv = 'profiles';
    } elsif ($name eq 'debian/prov.conf') {
        # a site: in Debian's layout, with the additions
        my $site = $text;
        my $tree = debian_tree($dir_name, sub { $_[0] = $site });
        $port{443} = $tree->{port};
        $conf_file = "$dir/etc/nginx/nginx.conf";
        $text = undef;
    } else {
        $spec->{edit}->($text, $dir) if $spec->{edit};
        $text = ProvExamples::localize($text, $dir, $name, \%ETC, \%port);
    }

    for my $f (sort keys %{ $spec->{files} }) {
        write_file("$dir/$srv/$f", $spec->{files}{$f});
    }

    chmod 0755, $dir;

    write_file($conf_file, $text) if defined $text;

    my $error_log = $name eq 'demo/nginx.conf' ? "$dir/logs/error.log"
                                               : "$dir/var/log/nginx/error.log";
    my $pid_file = $name eq 'demo/nginx.conf' ? "$dir/nginx.pid"
                                              : "$dir/run/nginx.pid";
    my @run = (@nginx, '-p', "$dir/", '-c', $conf_file, '-e', $error_log);
    my ($started, $pid) = ProvExamples::start("$name $with", \@run, $pid_file)
        or return;

    eval {
        for my $s (@{ $spec->{servers} }) {
            my $port = $port{ $s->{listen} }
                or die "$name: no port for $s->{listen}\n";
            my $host = $s->{host} // 'prov.example.com';
            my $what = "$name $with, $host:$s->{listen}";
            my %o = (host => $host, old => $s->{old});

            if (!ok(wait_for_port($port), "$what: nginx listens")) {
                next;
            }

            for my $own ($s->{own}, "/provisioning$s->{own}") {
                my ($st, $body, $head) = ProvExamples::fetch($port, $s->{cert},
                                                             $own, %o);
                is($st, 200, "$what: $s->{cert} $own: its own profile");
                is($body, $s->{body}, "$what: $s->{cert} $own: body");

                if ($s->{no_store}) {
                    like($head // '', qr/^Cache-Control: no-store\r?$/mi,
                         "$what: $s->{cert} $own: by the added location");
                }
            }

            for my $also (@{ $s->{also} // [] }) {
                my ($st, $body) = ProvExamples::fetch($port, $s->{cert},
                                                      $also->[0], %o);
                is($st, 200, "$what: $s->{cert} $also->[0]");
                is($body, $also->[1], "$what: $s->{cert} $also->[0]: body");
            }

            my $secret = $s->{secret} // qr/secret of \Q$s->{victim}\E/;

            my @uris = attack_uris($s->{folder}, $s->{victim}, $s->{suffix});

            # the device, and a client without a certificate
            for my $try ((map { [$s->{cert}, $_] } @uris), ['none', $uris[0]]) {
                my ($cert, $uri) = @$try;
                my ($st, $body) = ProvExamples::fetch($port, $cert, $uri, %o);
                like($st, qr/\A40[34]\z/, "$what: $cert $uri: 403 or 404");
                unlike($body // '', $secret, "$what: $cert $uri: nothing of it");
            }
        }
        1;
    } or fail("$name $with: the test died: $@");

    ProvExamples::stop("$name $with", \@run, $pid);

    my $errors = -f $error_log ? slurp($error_log) : '';
    unlike($errors, qr/\[(?:alert|crit|emerg)\]/,
           "$name $with: no alert in the error log");
}

# the URIs that may reach the file of device $id in $folder: by name, in
# the spellings of a MAC address, through the normalisation of the URI
# (dot segments, double slashes, percent-encoding) and the added rewrite
sub attack_uris {
    my ($folder, $id, $suffix) = @_;
    my $sub = substr($folder, 1);                       # "devices/"
    my $colon = join ':', unpack '(A2)*', $id;
    my $pct = join '', map { sprintf '%%%02X', ord } split //, $id;
    my $pct_folder = sprintf('/%%%02x', ord $sub) . substr($sub, 1);

    return (
        "$folder$id$suffix",
        $folder . uc($id) . $suffix,
        "$folder$colon$suffix",
        $folder . uc($colon) . $suffix,
        "$folder../$sub$id$suffix",
        "/$folder$id$suffix",
        "$folder/$id$suffix",
        "$folder./$id$suffix",
        "/x/..$folder$id$suffix",
        "$pct_folder$id$suffix",
        "$folder$pct$suffix",
        "/provisioning$folder$id$suffix",
        "/provisioning/$pct_folder$id$suffix" =~ s{//}{/}r,
        "/provisioning$folder$colon$suffix",
    );
}

# @ADDITIONS at the end of each server block of an nginx.conf text
sub inject_additions {
    my ($text, $name) = @_;
    my @ends = ProvExamples::server_block_ends($text);

    ok(scalar @ends, "$name: server blocks found for the additions");

    for my $end (reverse @ends) {
        my $add = join '', map { "\n        # added by t/050-examples.t\n        $_\n" }
                           @ADDITIONS;
        substr($text, $end, 0) = "$add    ";
    }

    return $text;
}

sub nginx_t {
    my ($dir, $conf) = @_;
    write_file("$dir/nginx.conf", $conf);
    return run(@nginx, '-t', '-p', "$dir/", '-c', "$dir/nginx.conf",
               '-e', "$dir/var/log/nginx/error.log");
}
