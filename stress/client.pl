#!/usr/bin/perl
# Usage: stress/client.pl pki DIR FLEET
#        stress/client.pl load DIR PORT OUT MODE [option=value ...]
#        stress/client.pl probe DIR PORT [gen=G] NAME[:PATH]=EXPECT ...
#        stress/client.pl status DIR PORT
#        stress/client.pl check DIR OUT MODE [GENS]
#
# The client side of stress/stress.sh (make stress): Perl, IO::Socket::SSL,
# fork.
#
#   pki    a throwaway PKI under DIR, made in this process (a device CA, a
#          server CA and server certificate, and one certificate with its own
#          EC P-256 key for each device: FLEET fleet devices f0000..,
#          eight reload devices r0..r7, special devices s1..s3), Cisco SPA
#          shaped subjects with the MAC in ST; DIR/devices.tsv names them;
#          DIR/profiles/devices/<mac>.cfg is each device's own profile (its
#          id and a secret derived from a per-run salt), except for s1 (no
#          file) and s3 (stress.sh puts a directory there);
#          DIR/profiles/default.cfg is the fallback, no device's.
#   load   forks client processes that fetch as devices and write one
#          record per answer to OUT.<n>:
#            MODE reload: one process per device of devs= (comma list),
#              for duration= seconds: a new connection, 1 to 20 requests on
#              it (HTTP/1.1 keep-alive), close, again; TLS 1.2 or 1.3 at
#              random.
#            MODE fleet: procs= processes share every fleet device, rounds=
#              times: per device a new connection (TLS 1.3 and 1.2 in turn)
#              with 5 requests on it: its own URI three times, another
#              device's URI (403 expected), its own again.
#   probe  one new connection per NAME, one request for PATH (default: the
#          device's own URI): the answer must be EXPECT (own, fallback, or a
#          status; alternatives joined by "|"), and served by configuration
#          generation G when gen= is given.  Exits 1 otherwise.
#   status prints the gate's total from /prov-status (no certificate).
#   check  judges the records: every answer must be the requester's own
#          profile (byte for byte) or the refusal the configuration that
#          served it owes the device; prints "key=value ..." figures.
#          MODE reload: GENS lists "gen excluded-device completed-at
#          signalled-at" lines;
#          an answer is judged by the generation in its X-Prov-Gen header,
#          and a connection opened after generation g completed must be
#          served by g or later.  Exits 1 on any failure.

use strict;
use warnings;

use IO::Socket::SSL;
use IO::Socket::SSL::Utils;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(time);
use POSIX qw(_exit);

my $cmd = shift @ARGV // '';

if ($cmd eq 'pki') {
    pki(@ARGV);
} elsif ($cmd eq 'load') {
    load(@ARGV);
} elsif ($cmd eq 'probe') {
    exit probe(@ARGV);
} elsif ($cmd eq 'status') {
    exit status(@ARGV);
} elsif ($cmd eq 'check') {
    exit check(@ARGV);
} else {
    die "usage: $0 pki|load|probe|check ... (see the header)\n";
}


# --- devices and their profiles ------------------------------------------

sub devices {
    my ($dir) = @_;
    my (%mac, @order);
    open my $f, '<', "$dir/devices.tsv" or die "$dir/devices.tsv: $!\n";
    while (<$f>) {
        chomp;
        my ($name, $mac) = split /\t/;
        $mac{$name} = $mac;
        push @order, $name;
    }
    return (\%mac, \@order);
}

sub salt {
    my ($dir) = @_;
    open my $f, '<', "$dir/salt" or die "$dir/salt: $!\n";
    my $s = <$f>;
    chomp $s;
    return $s;
}

# a device's own profile: its id and a secret nobody else may read
sub profile {
    my ($salt, $mac) = @_;
    my $secret = substr(sha256_hex("$salt $mac"), 0, 24);
    return "<flat-profile>\n"
         . "  <Device_ID_>$mac</Device_ID_>\n"
         . "  <User_ID_1_>$mac</User_ID_1_>\n"
         . "  <Password_1_>secret-$mac-$secret</Password_1_>\n"
         . "</flat-profile>\n";
}

sub fallback {
    return "<flat-profile>\n"
         . "  <Device_ID_>fallback</Device_ID_>\n"
         . "  <Profile_Rule>https://prov.example.com/default.cfg</Profile_Rule>\n"
         . "</flat-profile>\n";
}

sub own_uri { return "/spa962_$_[0].cfg" }


# --- pki -------------------------------------------------------------------

# CERT_create adds subject attributes in the order its hash gives them:
# an ordered hash keeps C, ST, L, O, OU, CN as Cisco writes them
package Ordered {
    sub TIEHASH  { my ($c, @kv) = @_; bless { kv => [@kv], i => 0 }, $c }
    sub FETCH    { my ($s, $k) = @_; my %h = @{ $s->{kv} }; $h{$k} }
    sub FIRSTKEY { $_[0]{i} = 0; NEXTKEY($_[0]) }
    sub NEXTKEY  {
        my ($s) = @_;
        return undef if $s->{i} >= @{ $s->{kv} };
        my $k = $s->{kv}[ $s->{i} ];
        $s->{i} += 2;
        return $k;
    }
}

sub pki {
    my ($dir, $fleet) = @_;
    die "usage: $0 pki DIR FLEET\n" unless defined $fleet && $fleet =~ /^\d+$/;

    umask 022;
    mkdir $_ for $dir, "$dir/pki", "$dir/profiles", "$dir/profiles/devices";

    my $write = sub {
        my ($file, $data) = @_;
        open my $f, '>', $file or die "$file: $!\n";
        print $f $data;
        close $f or die "$file: $!\n";
    };

    my $salt = sha256_hex(join ' ', time, $$, rand);
    $write->("$dir/salt", "$salt\n");

    my ($ca, $ca_key) = CERT_create(
        CA      => 1,
        subject => { C => 'US', O => 'Prov Stress Devices',
                     CN => 'Prov Stress Device Root CA' },
        key     => KEY_create_ec('prime256v1'),
        digest  => 'sha256',
    );
    $write->("$dir/pki/device-ca.crt", PEM_cert2string($ca));

    my ($sca, $sca_key) = CERT_create(
        CA      => 1,
        subject => { C => 'US', O => 'Prov Stress Servers',
                     CN => 'Prov Stress Server Root CA' },
        key     => KEY_create_ec('prime256v1'),
        digest  => 'sha256',
    );
    $write->("$dir/pki/server-ca.crt", PEM_cert2string($sca));

    my $skey = KEY_create_ec('prime256v1');
    my ($srv) = CERT_create(
        subject         => { CN => 'localhost' },
        subjectAltNames => [ [ DNS => 'localhost' ], [ IP => '127.0.0.1' ] ],
        key             => $skey,
        issuer          => [ $sca, $sca_key ],
        purpose         => 'server',
        digest          => 'sha256',
    );
    $write->("$dir/pki/server.crt", PEM_cert2string($srv));
    $write->("$dir/pki/server.key", PEM_key2string($skey));

    # locally administered MACs: 02000000xxxx fleet, 02000001000x reload
    # devices, 02000002000x special ones
    my @dev;
    push @dev, [ sprintf('f%04d', $_), sprintf('02000000%04x', $_) ]
        for 0 .. $fleet - 1;
    push @dev, [ "r$_", sprintf('0200000100%02x', $_) ] for 0 .. 7;
    push @dev, [ "s$_", sprintf('0200000200%02x', $_) ] for 1 .. 3;

    my $serial = 0x100000;
    my $list = '';

    for my $d (@dev) {
        my ($name, $mac) = @$d;
        tie my %subject, 'Ordered',
            C => 'US', ST => $mac, L => sprintf('88012BA%05d', $serial & 0xffff),
            O => 'Cisco Systems, Inc.', OU => 'SPA-962', CN => $mac;
        my $key = KEY_create_ec('prime256v1');
        my ($cert) = CERT_create(
            subject => \%subject,
            key     => $key,
            issuer  => [ $ca, $ca_key ],
            serial  => $serial++,
            purpose => 'client',
            digest  => 'sha256',
        );
        $write->("$dir/pki/$name.crt", PEM_cert2string($cert));
        $write->("$dir/pki/$name.key", PEM_key2string($key));
        CERT_free($cert);
        KEY_free($key);
        $list .= "$name\t$mac\n";
        $write->("$dir/profiles/devices/$mac.cfg", profile($salt, $mac))
            unless $name eq 's1' || $name eq 's3';
    }

    $write->("$dir/profiles/default.cfg", fallback());
    $write->("$dir/devices.tsv", $list);
}


# --- one HTTPS client connection -------------------------------------------

sub connect_as {
    my ($dir, $port, $name, $tls) = @_;
    my %version = $tls ? (SSL_version => $tls eq '1.2' ? 'TLSv1_2' : 'TLSv1_3')
                       : ();
    my $s = IO::Socket::SSL->new(
        PeerAddr            => '127.0.0.1',
        PeerPort            => $port,
        Timeout             => 10,
        SSL_hostname        => 'localhost',
        SSL_verifycn_name   => 'localhost',
        SSL_verifycn_scheme => 'http',
        SSL_verify_mode     => SSL_VERIFY_PEER,
        SSL_ca_file         => "$dir/pki/server-ca.crt",
        SSL_cert_file       => "$dir/pki/$name.crt",
        SSL_key_file        => "$dir/pki/$name.key",
        %version,
    );
    return ($s, $s ? undef : "connect: " . ($SSL_ERROR || $! || 'failed'));
}

# one request on an open connection: (status, gen, body, close) or an error;
# "idle" when the server closed the connection before any byte of the answer
sub request {
    my ($s, $path) = @_;
    my ($buf, $n, %h) = ('');

    local $SIG{ALRM} = sub { die "timeout\n" };
    my @r = eval {
        alarm 15;
        my $req = "GET $path HTTP/1.1\r\nHost: localhost\r\n\r\n";
        my $w = syswrite $s, $req;
        return ('idle') unless defined $w && $w == length $req;

        while ($buf !~ /\r\n\r\n/) {
            $n = sysread $s, $buf, 16384, length $buf;
            return ($buf eq '' ? 'idle' : 'error: header cut short')
                unless $n;
        }
        my ($head, $body) = split /\r\n\r\n/, $buf, 2;
        my ($status_line, @lines) = split /\r\n/, $head;
        return ("error: bad status line") unless
            $status_line =~ m{^HTTP/1\.[01] (\d{3}) };
        my $status = $1;
        for (@lines) {
            my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
            $h{ lc $k } = $v;
        }
        return ("error: $status without Content-Length")
            unless defined $h{'content-length'};
        while (length $body < $h{'content-length'}) {
            $n = sysread $s, $body, 16384, length $body;
            return ('error: body cut short') unless $n;
        }
        return ("error: body longer than Content-Length")
            if length $body > $h{'content-length'};
        return ($status, $h{'x-prov-gen'} // '-', $body,
                lc($h{connection} // '') eq 'close');
    };
    alarm 0;
    return ('error: ' . ($@ =~ s/\s+$//r)) if $@;
    return @r;
}

# what a 200 body is: own, fallback, or another device's (a leak)
sub classify {
    my ($status, $body, $own) = @_;
    if ($status ne '200') {
        return $body =~ /secret-|<Device_ID_>/ ? "OTHER:profile in a $status"
                                                : 'none';
    }
    return 'own' if $body eq $own;
    return 'fallback' if $body eq fallback();
    return 'OTHER:' . ($body =~ m{<Device_ID_>([^<]*)<} ? $1 : 'unknown');
}


# --- load ------------------------------------------------------------------

sub load {
    my ($dir, $port, $out, $mode, @opt) = @_;
    my %o = (procs => 64, rounds => 1, duration => 30, devs => '');
    for (@opt) {
        my ($k, $v) = /^(\w+)=(.*)$/ or die "bad option $_\n";
        $o{$k} = $v;
    }
    my ($mac, $order) = devices($dir);
    my $salt = salt($dir);
    my @fleet = grep { /^f/ } @$order;
    my @jobs;

    if ($mode eq 'reload') {
        @jobs = map { [$_] } split /,/, $o{devs};
    } elsif ($mode eq 'fleet') {
        for my $i (0 .. $#fleet) {
            push @{ $jobs[ $i % $o{procs} ] }, $fleet[$i];
        }
    } else {
        die "load: MODE is reload or fleet\n";
    }

    my $until = time + $o{duration};
    my @kids;

    # stopped early (stress.sh exits): the clients stop too
    local $SIG{TERM} = sub { kill 'TERM', @kids; exit 1 };

    for my $n (0 .. $#jobs) {
        my $pid = fork // die "fork: $!\n";
        if ($pid) {
            push @kids, $pid;
            next;
        }
        $SIG{TERM} = 'DEFAULT';
        srand($$ ^ time);
        open my $rec, '>', "$out.$n" or die "$out.$n: $!\n";
        if ($mode eq 'reload') {
            my $name = $jobs[$n][0];
            while (time < $until) {
                fetch($rec, $dir, $port, $name, $mac, $salt,
                      rand() < 0.5 ? '1.2' : '1.3',
                      [ ('own') x (1 + int rand 20) ]);
            }
        } else {
            for my $round (1 .. $o{rounds}) {
                my $k = 0;
                for my $name (@{ $jobs[$n] }) {
                    my $other = $fleet[ int rand @fleet ];
                    $other = $fleet[0] eq $name ? $fleet[1] : $fleet[0]
                        if $other eq $name;
                    fetch($rec, $dir, $port, $name, $mac, $salt,
                          $k++ % 2 ? '1.2' : '1.3',
                          [ 'own', 'own', 'own', "foreign:$other", 'own' ]);
                }
            }
        }
        close $rec;
        _exit(0);
    }

    my $bad = 0;
    for (@kids) {
        waitpid $_, 0;
        $bad++ if $?;
    }
    die "load: $bad client process(es) failed\n" if $bad;
}

# one connection, the given requests on it (reconnecting once when the
# server closed an idle kept-alive connection under the next request, as
# every HTTP client does); one record per answer:
#   conn_start  sent  device  expect  status  gen  class  retried  tls
sub fetch {
    my ($rec, $dir, $port, $name, $mac, $salt, $tls, $plan) = @_;
    my $own = profile($salt, $mac->{$name});
    my ($s, $err, $started, $i, $retried);

    for ($i = 0; $i < @$plan; $i++) {
        my $want = $plan->[$i];
        my $path = $want =~ /^foreign:(.*)/ ? own_uri($mac->{$1})
                                            : own_uri($mac->{$name});
        my $fresh = 0;
        if (!$s) {
            $started = time;
            ($s, $err) = connect_as($dir, $port, $name, $tls);
            if (!$s) {
                print $rec join("\t", $started, time, $name, $want, 'ERR', '-',
                                "error: $err", $retried // 0, $tls), "\n";
                return;
            }
            $fresh = 1;
        }
        my $sent = time;
        my ($status, $gen, $body, $close) = request($s, $path);
        if ($status eq 'idle' && !$fresh && !$retried) {
            # the old worker closed it: again, on a new connection
            close $s;
            undef $s;
            $retried = 1;
            redo;
        }
        my $class = $status =~ /^\d+$/ ? classify($status, $body, $own)
                                       : $status;
        $status = 'ERR' unless $status =~ /^\d+$/;
        print $rec join("\t", $started, $sent, $name, $want, $status, $gen // '-',
                        $class, $retried // 0, $tls), "\n";
        $retried = 0;
        if ($status eq 'ERR' || $close) {
            close $s if $s;
            undef $s;
            $i = @$plan if $status eq 'ERR';
        }
    }
    if ($s) {
        $s->close(SSL_fast_shutdown => 1);
    }
}


# --- probe -----------------------------------------------------------------

sub probe {
    my ($dir, $port, @spec) = @_;
    my ($mac, undef) = devices($dir);
    my $salt = salt($dir);
    my $gen;
    my $failed = 0;

    if (@spec && $spec[0] =~ /^gen=(\d+)$/) {
        $gen = $1;
        shift @spec;
    }

    for (@spec) {
        my ($name, $path, $expect) = /^(\w+)(?::([^=]+))?=(.+)$/
            or die "probe: bad spec $_\n";
        $path //= own_uri($mac->{$name});
        my ($s, $err) = connect_as($dir, $port, $name, '1.3');
        my ($status, $g, $body) = $s ? request($s, $path) : ("error: $err");
        $s->close(SSL_fast_shutdown => 1) if $s;
        my $class = $status =~ /^\d+$/
                    ? classify($status, $body, profile($salt, $mac->{$name}))
                    : $status;
        my $got = $class eq 'none' ? $status : $class;
        my $ok = grep { $_ eq $got } split /\|/, $expect;
        $ok = 0 if defined $gen && ($g // '') ne $gen;
        printf "%s %-4s %-30s %s gen %s%s\n", $ok ? 'ok' : 'FAIL', $name, $path,
               $got, $g // '-', $ok ? '' : " (expected $expect"
                                         . (defined $gen ? ", gen $gen" : '') . ')';
        $failed++ unless $ok;
    }
    return $failed ? 1 : 0;
}


# --- status ----------------------------------------------------------------

sub status {
    my ($dir, $port) = @_;
    my $s = IO::Socket::SSL->new(
        PeerAddr        => '127.0.0.1',
        PeerPort        => $port,
        Timeout         => 10,
        SSL_hostname    => 'localhost',
        SSL_verify_mode => SSL_VERIFY_PEER,
        SSL_ca_file     => "$dir/pki/server-ca.crt",
    ) or die "status: connect: $SSL_ERROR\n";
    my ($code, undef, $body) = request($s, '/prov-status');
    die "status: $code\n" unless $code eq '200';
    my ($total) = $body =~ /"total":(\d+)/ or die "status: no total\n";
    print "$total\n";
    return 0;
}


# --- check -----------------------------------------------------------------

sub check {
    my ($dir, $out, $mode, $gens_file) = @_;
    my (%excluded, @completed, %n, @fail);

    if ($mode eq 'reload') {
        open my $g, '<', $gens_file or die "$gens_file: $!\n";
        while (<$g>) {
            my ($gen, $ex, $at, $signalled) = split;
            $excluded{$gen} = $ex;
            push @completed, [$at, $gen, $signalled];
        }
    }

    my ($first, $last);
    for my $file (glob "$out.*") {
        open my $f, '<', $file or die "$file: $!\n";
        while (<$f>) {
            chomp;
            my ($start, $sent, $name, $want, $status, $gen, $class, $retried)
                = split /\t/;
            $n{requests}++;
            $n{"status_$status"}++;
            $n{retried} += $retried;
            $first = $sent if !defined $first || $sent < $first;
            $last = $sent if !defined $last || $sent > $last;
            my $why;

            if ($class =~ /^OTHER/) {
                $why = "ANOTHER DEVICE'S PROFILE ($class)";
            } elsif ($status eq 'ERR') {
                $why = $class;
            } elsif ($mode eq 'fleet') {
                if ($want =~ /^foreign/) {
                    $why = "foreign URI answered $status" unless $status eq '403';
                } elsif ($class ne 'own') {
                    $why = "own URI answered $status $class";
                }
            } else {
                if (!exists $excluded{$gen}) {
                    $why = "unknown generation \"$gen\"";
                } elsif ($excluded{$gen} eq $name) {
                    $why = "served $status $class by generation $gen, which excludes it"
                        unless $status eq '403';
                } elsif ($class ne 'own') {
                    $why = "answered $status $class by generation $gen, which allows it";
                }
                # the latest generation completed before this connection
                # opened: the connection must be served by it or a later one
                my $due;
                for (@completed) {
                    $due = $_->[1] if $_->[0] < $start;
                }
                if (defined $due && !$why && $gen < $due) {
                    $why = "connection opened after generation $due completed"
                         . " served by generation $gen";
                }
                # answers of an old generation after a newer one was
                # signalled: requests that old workers finish on their
                # configuration (counted); sent after it completed: on
                # kept-alive connections opened before
                my ($now, $signalled);
                for (@completed) {
                    $now = $_->[1] if $_->[0] < $sent;
                    $signalled = $_->[1] if $_->[2] < $sent;
                }
                $n{old_worker}++ if defined $now && $gen < $now;
                $n{old_gen}++ if defined $signalled && $gen < $signalled;
                $n{"gen_$gen"}++;
            }
            if ($class eq 'own') {
                $n{own}++;
            }
            if ($why) {
                $n{failures}++;
                push @fail, "$name $want: $why" if @fail < 10;
            }
        }
    }

    $n{failures} //= 0;
    $n{own} //= 0;
    $n{old_worker} //= 0;
    $n{old_gen} //= 0;
    $n{seconds} = sprintf '%.1f', ($last // 0) - ($first // 0);
    print join(' ', map { "$_=$n{$_}" } grep { !/^gen_/ } sort keys %n), "\n";
    print STDERR "  failure: $_\n" for @fail;
    return $n{failures} || !$n{requests} ? 1 : 0;
}
