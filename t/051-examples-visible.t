# Attacks on the examples are visible (issue 18): each example
# (examples/*.conf, examples/demo/nginx.conf), started as t/050-examples.t
# starts it, refuses with 403, one error-log line at the default level
# ("[error] ... prov: access forbidden (<result>)") and one count in
# prov_status:
#   - a certificate of another CA carrying a real device's subject (made
#     now, signed by the test PKI's rogue-ca): unverified;
#   - an expired certificate of the device's own CA: unverified (nginx
#     refuses it itself, error_page 495 hands it to the gate);
#   - another CA's certificate that is also expired, or not yet valid:
#     unverified, and banned by examples/fail2ban/ like any other CA's
#     (nginx's verification reports its last error, the expiry, which
#     the filter does not ban: a genuine phone's);
#   - a foreign or expired copy of the generic certificate: unverified,
#     never the bootstrap profile;
#   - every path the example serves, naming another device's file (its
#     folders /devices/, /models/, /render/ asked for directly, its vendors'
#     URI conventions): uri_mismatch.
# examples/debian/prov.conf runs a second time with "ssl_crl" (a CRL of
# the device CA that revokes one of its certificates), as README says to
# add for a CA-level revocation: the revoked certificate is unverified and
# not banned, an attacker's self-signed certificate or one that brings its
# own root is banned (under ssl_crl nginx reports them as verify error 3,
# "unable to get certificate CRL", which the filter does not ban).
# The device's own file is still served by each of these paths, a location
# without the gate (firmware) gives another CA's certificate what it gives a
# client without one, and where an example has a status location
# (/prov-status), a scrape of it leaves no line in the access log.
#
# The counters are read from a status server the test adds to the http
# block (plain HTTP, a port of its own, access_log off): the examples'
# servers are left as they are.
#
# PROV_EXAMPLES=DIR runs it on the examples in DIR (a copy of another
# commit's examples/, with demo/): it fails on those of main before issue
# 18 (nginx's own 400 for another CA's certificate, 404 for the folders).
#
# Environment: as t/050-examples.t.

use strict;
use warnings;

use Test::More;
use File::Basename qw(basename);
use File::Path qw(make_path);
use IO::Socket::INET;
use JSON::PP ();
use Time::HiRes qw(sleep time);

use lib 't/lib';
use ProvExamples;
use ProvNginx qw(free_port run slurp wait_for_log wait_for_port write_file);
use ProvTest;

eval { require IO::Socket::SSL; 1 }
    or plan skip_all => 'IO::Socket::SSL is not installed';

my $root = $ProvExamples::ROOT;
my $examples = $ENV{PROV_EXAMPLES} // "$root/examples";
my @nginx = ProvTest::nginx_command();

my $A = $ProvExamples::A;     # dev-a: the asking device
my $B = $ProvExamples::B;     # dev-b: the victim, whose file must stay its own

my $DEVICES_ACL = <<"_ACL_";
$A  allow  account=1042 plan=gold
$B  allow  account=1043
_ACL_

# the files the examples name in /etc/nginx/prov/: the test PKI's
# (ProvExamples), these lists
my %ETC = (
    %ProvExamples::ETC,
    'devices.acl'           => \$DEVICES_ACL,
    'legacy-devices.acl'    => \"000e08abcd90  allow\n",
    'polycom.acl'           => \"0004f2abcdef  allow\n0004f2abcdf0  allow\n",
    'yealink.acl'           => \"001565abcdef  allow\n001565abcdf0  allow\n",
    'fleet.acl'             => \$ProvExamples::FLEET_ACL,
);

my %CISCO_FILES = %ProvExamples::CISCO_FILES;

my $OWN_A = "profile of $A\n";

# For each example: its files (under /srv/prov, the demo's under
# profiles/), a change the test makes (edit), its access log, its status
# location if it has one, and for each server that serves devices: its
# listen address as the example writes it, the SNI name, the asking
# device's certificate, its CA (for an expired copy) and id, the URIs that
# give it its own file (and that file), URIs naming another device's file
# (probes), locations without the gate (open) and whether a generic
# certificate gets a bootstrap profile there
my %SPEC = (
    'cisco-spa.conf' => cisco_spec("/firmware/../devices/$B.cfg"),
    'audit-ratelimit.conf' => {
        files => \%CISCO_FILES,
        access_log => 'var/log/nginx/prov-audit.log',
        json_log => 1,
        # one device asks some twenty times here: a 429 would hide what
        # the configuration answers
        edit => sub {
            $_[0] =~ s/rate=20r\/m;/rate=100r\/s;/
                or fail('audit-ratelimit.conf: no "rate=20r/m;"');
        },
        servers => [{
            listen => '443', cert => 'dev-a', ca => 'device-ca', id => $A,
            own => [["/spa962_$A.cfg", $OWN_A], ["/devices/$A.cfg", $OWN_A],
                    ['/models/SPA-962.cfg', $OWN_A]],
            probes => ["/devices/$B.cfg", "/models/$B.cfg", "/spa962_$B.cfg"],
        }],
    },
    'legacy-devices.conf' => {
        files => {
            "devices/$A.cfg"           => $OWN_A,
            'devices/000e08abcd90.cfg' => "profile of 000e08abcd90\n",
            "devices/$B.cfg"           => "secret of $B\n",
        },
        access_log => 'var/log/nginx/prov.log',
        servers => [{
            listen => '192.0.2.10:443', cert => 'old-spa', old => 1,
            ca => 'device-ca', id => '000e08abcd90',
            own => [['/spa962_000e08abcd90.cfg', "profile of 000e08abcd90\n"],
                    ['/devices/000e08abcd90.cfg', "profile of 000e08abcd90\n"]],
            probes => ["/devices/$B.cfg", "/spa962_$B.cfg"],
            access_log => 'var/log/nginx/prov-legacy.log',
        }, {
            listen => '192.0.2.11:443', cert => 'dev-a', ca => 'device-ca',
            id => $A,
            own => [["/spa962_$A.cfg", $OWN_A], ["/devices/$A.cfg", $OWN_A]],
            probes => ["/devices/$B.cfg", "/spa962_$B.cfg"],
        }],
    },
    'cn-mac-vendor.conf' => {
        files => {
            'polycom/devices/0004f2abcdef-phone.cfg' => "profile of 0004f2abcdef\n",
            'polycom/devices/0004f2abcdf0-phone.cfg' => "secret of 0004f2abcdf0\n",
            'polycom/devices/0004f2abcdf0.cfg'       => "secret of 0004f2abcdf0\n",
            'polycom/logs/0004f2abcdf0-app.log'      => "secret of 0004f2abcdf0\n",
            'yealink/devices/001565abcdef.cfg'       => "profile of 001565abcdef\n",
            'yealink/devices/001565abcdf0.cfg'       => "secret of 001565abcdf0\n",
        },
        access_log => 'var/log/nginx/prov.log',
        servers => [{
            listen => '443', host => 'polycom.prov.example.com',
            cert => 'polycom', ca => 'device-ca', id => '0004f2abcdef',
            own => [['/0004f2abcdef-phone.cfg', "profile of 0004f2abcdef\n"],
                    ['/devices/0004f2abcdef-phone.cfg',
                     "profile of 0004f2abcdef\n"]],
            probes => ['/0004f2abcdf0-phone.cfg', '/0004F2ABCDF0.cfg',
                       '/devices/0004f2abcdf0-phone.cfg',
                       '/devices/0004f2abcdf0.cfg', '/0004f2abcdf0-app.log'],
        }, {
            listen => '443', host => 'yealink.prov.example.com',
            cert => 'yealink', ca => 'device-ca', id => '001565abcdef',
            own => [['/001565abcdef.cfg', "profile of 001565abcdef\n"],
                    ['/devices/001565abcdef.cfg', "profile of 001565abcdef\n"]],
            probes => ['/001565abcdf0.cfg', '/devices/001565abcdf0.cfg',
                       '/devices/00:15:65:AB:CD:F0.cfg'],
        }],
    },
    'mixed-fleet.conf' => {
        files => {
            'devices/000e08aa0001.cfg'       => "profile of 000e08aa0001\n",
            'devices/00562baa0002.cfg'       => "secret of 00562baa0002\n",
            'devices/0004f2aa0003.cfg'       => "master of 0004f2aa0003\n",
            'devices/0004f2aa0003-phone.cfg' => "secret of 0004f2aa0003\n",
            'devices/001565aa0004.cfg'       => "secret of 001565aa0004\n",
            'devices/000413aa0005.htm'       => "secret of 000413aa0005\n",
            'models/SPA-962.cfg'             => "profile of the SPA-962\n",
            'models/000000000000.cfg'        => "polycom shared\n",
            'firmware/sip.ld'                => "firmware\n",
        },
        access_log => 'var/log/nginx/prov.log',
        servers => [{
            listen => '443', cert => 'v-spa', ca => 'cisco-ca',
            id => '000e08aa0001',
            own => [['/spa962_000e08aa0001.cfg', "profile of 000e08aa0001\n"]],
            probes => ['/devices/00562baa0002.cfg',
                       '/devices/0004f2aa0003-phone.cfg',
                       '/devices/000413aa0005.htm',
                       '/models/0004f2aa0003.cfg', '/0004F2AA0003-phone.cfg',
                       '/0004f2aa0003.cfg', '/001565aa0004.cfg',
                       '/snom710-000413AA0005.htm',
                       '/spa8841_00562baa0002.cfg'],
            open => ['/firmware/sip.ld'],
        }, {
            listen => '443', cert => 'v-polycom-nochain', ca => 'polycom-int',
            id => '0004f2aa0003',
            own => [['/0004F2AA0003-phone.cfg', "secret of 0004f2aa0003\n"]],
            probes => ['/devices/000e08aa0001.cfg', '/spa962_000e08aa0001.cfg'],
        }],
    },
    'renderer-backend.conf' => {
        files => {},
        edit => \&ProvExamples::renderer,
        access_log => 'var/log/nginx/prov.log',
        servers => [{
            listen => '443', cert => 'dev-a', ca => 'device-ca', id => $A,
            own => [["/spa962_$A.cfg", "rendered /render/$A for $A\n"],
                    ["/render/$A", "rendered /render/$A for $A\n"]],
            probes => ["/render/$B", '/render/00:0e:08:ab:cd:f0',
                       "/render/x/../$B"],
        }],
    },
    # a site of Debian's nginx: included in the http block of a whole
    # nginx.conf the test writes (t/050 runs it in Debian's own layout)
    'debian/prov.conf' => cisco_spec(),
    # the same site with "ssl_crl" (a CRL of the device CA), see the top
    'debian/prov.conf+ssl_crl' => {
        file => 'debian/prov.conf',
        files => \%CISCO_FILES,
        access_log => 'var/log/nginx/prov.log',
        edit => \&add_crl,
        servers => [{
            listen => '443', cert => 'dev-a', ca => 'device-ca', id => $A,
            own => [["/spa962_$A.cfg", $OWN_A]],
            probes => ["/devices/$B.cfg"],
            crl => 1,
        }],
    },
    'demo/nginx.conf' => {
        files => \%CISCO_FILES,
        access_log => 'logs/access.log',
        error_log => 'logs/error.log',
        status => '/prov-status',
        servers => [{
            listen => '@PORT@', cert => 'dev-a', ca => 'device-ca', id => $A,
            own => [["/spa962_$A.cfg", $OWN_A], ["/devices/$A.cfg", $OWN_A]],
            probes => ["/devices/$B.cfg", "/models/$B.cfg", "/spa962_$B.cfg"],
            generic => 1,
        }],
    },
);

my %have = map { basename($_) => 1 } glob "$examples/*.conf";

for my $name (sort keys %have) {
    ok($SPEC{$name}, "examples/$name is tested here");
}

my $serial = 0x6100;

# the marks of the requests of the example under test (see refused()):
# "attack" (fail2ban must ban it) or "genuine" (it must not)
my %marks;

# the CRL of add_crl(), for /etc/nginx/prov/device-ca.crl
my $CRL;

for my $name (sort keys %SPEC) {
    next if $name !~ m{/} && !$have{$name};
    visible($name);
}

done_testing();


# the %SPEC of cisco-spa.conf and of debian/prov.conf, which serves the
# same Cisco SPA devices from the same folders: the device's own file by its
# profile rule's URI and its folders, another's by every spelling, the
# generic certificate, firmware without the gate; @more: probes only that
# example gets
sub cisco_spec {
    my (@more) = @_;

    return {
        files => \%CISCO_FILES,
        access_log => 'var/log/nginx/prov.log',
        status => '/prov-status',
        servers => [{
            listen => '443', cert => 'dev-a', ca => 'device-ca', id => $A,
            own => [["/spa962_$A.cfg", $OWN_A], ["/devices/$A.cfg", $OWN_A],
                    ['/models/SPA-962.cfg', $OWN_A], ['/default.cfg', $OWN_A]],
            probes => ["/devices/$B.cfg", '/devices/00:0E:08:AB:CD:F0.cfg',
                       "/models/$B.cfg", "/spa962_$B.cfg", "/spa$B.cfg",
                       "/SPA\U$B\E.cfg", @more],
            open => ['/firmware/spa962.bin'],
            generic => 1,
        }],
    };
}

# one example, started, attacked, stopped
sub visible {
    my ($name) = @_;
    my $spec = $SPEC{$name};
    my $dir = ProvExamples::prefix('visible-' . $name =~ s{/}{-}gr);
    my $text = slurp("$examples/" . ($spec->{file} // $name));
    my (%port, $srv, $pid_file);
    my $status_port = free_port();

    %marks = ();

    $text = debian_site($text, $dir)
        if ($spec->{file} // $name) eq 'debian/prov.conf';

    # the test's own status server, for the counters
    $text = ProvExamples::add_server($text, <<"_EOS_");

    # added by t/051-examples-visible.t: the counters
    server {
        listen  127.0.0.1:$status_port;
        access_log  off;

        location = /count {
            prov  off;
            prov_status;
        }
    }
_EOS_

    if ($name eq 'demo/nginx.conf') {
        $text = ProvExamples::localize_demo($text, $dir, [$A, $B], \%port);
        $srv = 'profiles';
        $pid_file = "$dir/nginx.pid";
    } else {
        $spec->{edit}->($text) if $spec->{edit};
        $text = ProvExamples::localize($text, $dir, $name, \%ETC, \%port);
        $srv = 'srv/prov';
        $pid_file = "$dir/run/nginx.pid";
    }

    for my $f (sort keys %{ $spec->{files} }) {
        write_file("$dir/$srv/$f", $spec->{files}{$f});
    }

    my $conf_file = "$dir/nginx.conf";
    write_file($conf_file, $text);

    my $error_log = "$dir/" . ($spec->{error_log} // 'var/log/nginx/error.log');
    my @run = (@nginx, '-p', "$dir/", '-c', $conf_file, '-e', $error_log);
    my ($started, $pid) = ProvExamples::start($name, \@run, $pid_file)
        or return;
    my %ctx = (name => $name, error_log => $error_log,
               status_port => $status_port);

    eval {
        ok(wait_for_port($status_port), "$name: the status server listens")
            or die "no status server\n";

        for my $s (@{ $spec->{servers} }) {
            my $port = $port{ $s->{listen} }
                or die "$name: no port for $s->{listen}\n";
            my $host = $s->{host} // 'prov.example.com';

            ok(wait_for_port($port), "$name $host:$s->{listen}: listens")
                or next;

            my $access = "$dir/" . ($s->{access_log} // $spec->{access_log});

            attack_server({ %ctx, port => $port, host => $host,
                            access_log => $access, json => $spec->{json_log},
                            what => "$name $host:$s->{listen}" }, $s);
        }

        scrape($name, \%port, $spec, $dir) if $spec->{status};
        1;
    } or fail("$name: the test died: $@");

    ProvExamples::stop($name, \@run, $pid);

    my $errors = -f $error_log ? slurp($error_log) : '';

    # but nginx's own, after a certificate whose signature does not verify
    # (t/018-stale-ssl-error.t)
    my @alerts = grep { !/ignoring stale global SSL error/ }
                 $errors =~ /^(.*\[(?:alert|crit|emerg)\].*)$/mg;
    is("@alerts", '', "$name: no alert in the error log");

    banned($name, $error_log, $errors);
}

# examples/fail2ban/ bans the address of another CA's certificate and of a
# device asking for another's file, never that of a device whose
# certificate expired: a genuine phone, which retries forever, and whose
# site's other phones share its address (as for not_listed, denied)
sub banned {
    my ($name, $error_log, $errors) = @_;
    my $filter = "$root/examples/fail2ban/filter.d/nginx-prov.conf";
    my $out = ProvTest::fail2ban('fail2ban-regex', '--raw', '--out', 'msg',
                                 $error_log, $filter);
    my %ban = map { $_ => 1 } grep { /prov: access forbidden/ } split /\n/, $out;
    my @lines = grep { /prov: access forbidden/ } split /\n/, $errors;
    # each line told by its request's mark (refused()), not by its text: a
    # Referer at its end may quote another, and an attacker's certificate
    # may be reported with the error of a genuine one
    my (@attacks, @genuine);

    for my $line (@lines) {
        my ($mark) = $line =~ /^\S+ \S+ \[error\] \d+#\d+: \*\d+ prov: access forbidden .*?, request: "GET [^"?]*\?(v[\d.]+) /;
        my $kind = defined $mark ? $marks{$mark} // '' : '';
        push @attacks, $line if $kind eq 'attack';
        push @genuine, $line if $kind eq 'genuine';
    }

    ok(@attacks && @genuine, "$name: fail2ban: attacks and genuine certificates (expired, revoked) in the error log");
    is(scalar(grep { !$ban{$_} } @attacks), 0, "$name: fail2ban bans every attack")
        or diag(join "\n", grep { !$ban{$_} } @attacks);
    is(scalar(grep { $ban{$_} } @genuine), 0,
       "$name: fail2ban bans no genuine certificate (expired, revoked)")
        or diag(join "\n", grep { $ban{$_} } @genuine);
}

sub attack_server {
    my ($c, $s) = @_;
    my $what = $c->{what};
    my %o = (host => $c->{host}, old => $s->{old});
    my $n = $serial;

    # the device's own file, by every path that serves it
    for my $own (@{ $s->{own} }) {
        my ($st, $body) = ProvExamples::fetch($c->{port}, $s->{cert},
                                              $own->[0], %o);
        is($st, 200, "$what: $s->{cert} $own->[0]: its own file");
        is($body, $own->[1], "$what: $s->{cert} $own->[0]: body");
    }

    # another CA's certificate with the device's subject; an expired one
    # of the device's own CA
    my $uri = $s->{own}[0][0];
    my $rogue = ProvExamples::derive("rogue-$s->{cert}-$n", $s->{cert},
                                     'rogue-ca', ++$serial);
    refused($c, $s, $rogue, $uri, 'unverified', $serial,
            qr/client certificate verify error (?:20|21) "[^"]*"/,
            "another CA's certificate with $s->{cert}'s subject");

    my $expired = ProvExamples::derive("expired-$s->{cert}-$n", $s->{cert},
                                       $s->{ca}, ++$serial,
                                       '20200101000000Z', '20211231235959Z');
    $marks{ refused($c, $s, $expired, $uri, 'unverified', $serial,
                    qr/client certificate verify error 10 "certificate has expired"/,
                    "an expired certificate of $s->{cert}'s CA") } = 'genuine';

    # another CA's, expired or not yet valid: no genuine phone's
    for my $dates (['20200101000000Z', '20211231235959Z'],
                   ['20400101000000Z', '20411231235959Z'])
    {
        my $c2 = ProvExamples::derive("rogue-$dates->[0]-$s->{cert}-$n",
                                      $s->{cert}, 'rogue-ca', ++$serial,
                                      @$dates);
        refused($c, $s, $c2, $uri, 'unverified', $serial,
                qr/client certificate verify error \d+ "[^"]*"/,
                "another CA's certificate with $s->{cert}'s subject, valid "
                . "$dates->[0] to $dates->[1]");
    }

    # under ssl_crl: a revoked certificate of the device's CA (a genuine
    # phone); an attacker's self-signed one, and another CA's with that
    # CA's root in its chain
    if ($s->{crl}) {
        $marks{ refused($c, $s, $CRL->{revoked}, $uri, 'unverified',
                        $CRL->{serial},
                        qr/client certificate verify error 23 "certificate revoked"/,
                        "a revoked certificate of $s->{cert}'s CA") }
            = 'genuine';

        refused($c, $s, 'selfsigned-a', $uri, 'unverified', 0x6002,
                qr/client certificate verify error \d+ "[^"]*"/,
                "a self-signed certificate with dev-a's subject, ssl_crl");
        refused($c, $s, 'rogue-a-chain', $uri, 'unverified', 0x6001,
                qr/client certificate verify error \d+ "[^"]*"/,
                "another CA's certificate and that CA, ssl_crl");
    }

    # the generic certificate of another CA, or expired: no bootstrap
    if ($s->{generic}) {
        my $g = ProvExamples::derive("rogue-generic-$n", 'generic',
                                     'rogue-ca', ++$serial);
        refused($c, $s, $g, $uri, 'unverified', $serial,
                qr/client certificate verify error (?:20|21) "[^"]*"/,
                "another CA's copy of the generic certificate");

        $g = ProvExamples::derive("expired-generic-$n", 'generic',
                                  'device-ca', ++$serial,
                                  '20200101000000Z', '20211231235959Z');
        $marks{ refused($c, $s, $g, $uri, 'unverified', $serial,
                        qr/client certificate verify error 10 "certificate has expired"/,
                        'an expired generic certificate') } = 'genuine';
    }

    # another device's file, by every path the example serves
    for my $probe (@{ $s->{probes} }) {
        refused($c, $s, $s->{cert}, $probe, 'uri_mismatch', undef,
                qr/device "\Q$s->{id}\E" asked for the profile of "[^"]*"/,
                "$s->{cert} asks for another device's file");
    }

    # the same with a Referer (the end of nginx's error log line) that
    # reads like a line fail2ban must not ban: banned all the same
    for my $quote ('(ua_mismatch): device "x" is named by no User-Agent, ',
                   '(unverified): client certificate verify error 10 "')
    {
        refused($c, $s, $s->{cert}, $s->{probes}[0], 'uri_mismatch', undef,
                qr/device "\Q$s->{id}\E" asked for the profile of "[^"]*"/,
                "$s->{cert} asks for another device's file, a Referer "
                . "quoting a line fail2ban ignores",
                ["Referer: prov: access forbidden $quote"]);
    }

    # a client's own fields in the access log (a URI with encoded spaces,
    # a request line with raw ones): the line's first device= and result=
    # are the server's, or whoever reads the log with grep or a parser
    # taking the first of each reads "device=<another> result=allow"
    # (a JSON log has no field to forge, nor the raw request line)
    for my $uri ("/x%20device=$B%20result=allow%20account=1043%20",
                 $c->{json} ? () : "/x device=$B result=allow account=1043 ")
    {
        my $mark = 'f' . int(rand 1e9);
        ProvExamples::fetch($c->{port}, 'none', "$uri?$mark", %o);
        my $access = wait_for_log(0, qr/\Q$mark\E[^\n]*\n/, $c->{access_log}) // '';
        my ($line) = grep { /\Q$mark\E/ } split /\n/, $access;
        my ($device, $result);

        if (($line // '') =~ /\A\{/) {
            my $j = eval { JSON::PP::decode_json($line) } // {};
            ($device, $result) = @$j{qw(device result)};
            $device = '-' if ($device // '') eq '';
        } else {
            ($device) = ($line // '') =~ /(?:^| )device=(\S*)/;
            ($result) = ($line // '') =~ /(?:^| )result=(\S*)/;
        }

        is(($device // 'none') . ' ' . ($result // 'none'), '- no_cert',
           "$what: fields in the URI ($uri): the access log's own come first")
            or diag($line);
    }

    # without the gate: another CA's certificate gets what no certificate
    # gets
    for my $open (@{ $s->{open} // [] }) {
        my @none = ProvExamples::fetch($c->{port}, 'none', $open, %o);
        my @cert = ProvExamples::fetch($c->{port}, $rogue, $open, %o);
        is("$cert[0] " . ($cert[1] // ''), "$none[0] " . ($none[1] // ''),
           "$what: $open: another CA's certificate gets what none gets");
    }
}

# $cert asks for $uri (with the header lines @$headers): 403, nothing of a
# profile, one error-log line at [error] naming $result (and the
# certificate's serial, when given) and matching $reason, one more $result
# in prov_status, and the access log's line says $result
sub refused {
    my ($c, $s, $cert, $uri, $result, $serial, $reason, $case, $headers) = @_;
    my $what = "$c->{what}: $case ($uri)";
    my %o = (host => $c->{host}, old => $s->{old}, headers => $headers);

    # a mark of this request in the logs (prov_uri_id reads no arguments)
    my $mark = 'v' . time . int(rand 1e6);
    my $full = "$uri?$mark";

    $marks{$mark} = 'attack';

    my $before = counters($c->{status_port});
    my $pos = -s $c->{error_log} // 0;

    my ($st, $body) = ProvExamples::fetch($c->{port}, $cert, $full, %o);

    is($st, 403, "$what: 403");
    unlike($body // '', qr/profile of|secret of|master of|upgrade|rendered/,
           "$what: nothing of a profile");

    my $line = wait_for_log($pos, qr/\Q$mark\E/, $c->{error_log}) // '';
    ($line) = grep { /\Q$mark\E/ } split /\n/, $line;
    $line //= '';

    my $serial_re = defined $serial ? sprintf(', serial %04X', $serial) : '';
    like($line, qr/\[error\] \d+#\d+: \*\d+ prov: access forbidden \(\Q$result\E\): $reason[^\n]*\Q$serial_re\E/,
         "$what: an error-log line at the default level");

    my $after = wait_counted($c->{status_port}, $before);
    my %delta = map { $_ => ($after->{$_} // 0) - ($before->{$_} // 0) }
                grep { $_ ne 'total' } keys %$after;
    delete $delta{$_} for grep { !$delta{$_} } keys %delta;
    is_deeply(\%delta, { $result => 1 }, "$what: prov_status counts one $result");

    my $access = wait_for_log(0, qr/\Q$mark\E[^\n]*\n/, $c->{access_log}) // '';
    my ($logged) = grep { /\Q$mark\E/ } split /\n/, $access;
    like($logged // '', qr/\b403\b.*\b\Q$result\E\b/,
         "$what: the access log says 403 $result");

    return $mark;
}

# the gate's counters of requests, from the test's status server
sub counters {
    my ($port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 5)
        or die "status server: $!\n";
    print $s "GET /count HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $reply = <$s> // '';
    close $s;
    my ($req) = $reply =~ /"requests":\{([^}]*)\}/
        or die "no counters in: $reply\n";
    return { $req =~ /"(\w+)":(\d+)/g };
}

# the counters once they have counted one request more than $before (a
# request is counted as it ends, after its answer)
sub wait_counted {
    my ($port, $before) = @_;
    my $deadline = time + 5;
    my $now;
    do {
        $now = counters($port);
        return $now if $now->{total} > $before->{total};
        sleep 0.05;
    } while (time < $deadline);
    return $now;
}

# the example's own status location: it answers from the host, and a
# scrape leaves no line in the provisioning access log
sub scrape {
    my ($name, $ports, $spec, $dir) = @_;
    my ($port) = values %$ports;
    my $access = "$dir/$spec->{access_log}";
    my $mark = 'scrape' . int(rand 1e6);

    my ($st, $body) = ProvExamples::fetch($port, 'none',
                                          "$spec->{status}?$mark");
    is($st, 200, "$name: $spec->{status} answers");
    like($body // '', qr/"requests":\{"allow":\d+/,
         "$name: $spec->{status}: the counters");

    # a request after it, whose line comes after the scrape's would
    ProvExamples::fetch($port, 'none', "/after-$mark");
    my $log = wait_for_log(0, qr/after-\Q$mark\E/, $access) // '';
    unlike($log, qr/\Q$spec->{status}\E/,
           "$name: a scrape of $spec->{status} is not in the access log");
}

# examples/debian/prov.conf in the http block of a whole nginx.conf, its live list an LMDB database
# under $dir made with prov-acl (dev-a and dev-b allowed)
sub debian_site {
    my ($site, $dir) = @_;

    require ProvAcl;

    $site =~ s{/var/lib/nginx-prov/}{$dir/var/lib/nginx-prov/}g
        or fail('debian/prov.conf: no /var/lib/nginx-prov/');

    make_path("$dir/var/lib/nginx-prov");
    write_file("$dir/devices.acl", "$A  allow\n$B  allow\n");
    ProvAcl::must('import', ProvAcl::run('import',
                                         "$dir/var/lib/nginx-prov/devices.db",
                                         "$dir/devices.acl"));

    $site =~ s/^/    /mg;

    return <<"_EOC_";
load_module modules/ngx_http_prov_module.so;
pcre_jit on;
error_log /var/log/nginx/error.log;
pid /run/nginx.pid;

events {
    worker_connections 64;
}

http {
$site
}
_EOC_
}

# debian/prov.conf+ssl_crl: "ssl_crl" after ssl_verify_depth, with a CRL
# of the device CA that revokes a certificate made now with dev-a's subject
sub add_crl {
    my $revoked = ProvExamples::derive('revoked-dev-a', 'dev-a', 'device-ca',
                                       ++$serial);
    $CRL = { revoked => $revoked, serial => $serial,
             text => ProvExamples::crl('revoked-dev-a', 'device-ca') };
    $ETC{'device-ca.crl'} = \$CRL->{text};

    $_[0] =~ s{^(\s*)(ssl_verify_depth\s+\d+;\n)}
              {$1$2$1ssl_crl  /etc/nginx/prov/device-ca.crl;\n}m
        or fail('debian/prov.conf: no "ssl_verify_depth N;"');
}
