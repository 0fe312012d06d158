#!/usr/bin/perl
# Usage: stress/client.pl pki DIR FLEET
#        stress/client.pl load DIR PORT OUT MODE [option=value ...]
#        stress/client.pl probe DIR PORT [gen=G] NAME[:PATH]=EXPECT ...
#        stress/client.pl status DIR PORT
#        stress/client.pl acl-status DIR PORT
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
#            MODE nodes: one process per device of devs= and port of
#              ports= (comma lists: several nginx nodes), until the file
#              until= exists or for duration= seconds: a new connection
#              (TLS 1.2 or 1.3 at random), 20 to 220 requests on it
#              (kept alive whatever the answers: a 403 does not close it),
#              close, again.  Records: conn_start sent answered port
#              device status node class connection.
#   probe  one new connection per NAME, one request for PATH (default: the
#          device's own URI): the answer must be EXPECT (own, fallback, or a
#          status; alternatives joined by "|"), and served by configuration
#          generation G when gen= is given.  Exits 1 otherwise.
#   status prints the gate's total from /prov-status (no certificate).
#   acl-status prints what /prov-status says of the node's (one) LMDB
#          list, in JSON and in Prometheus' text: "json_available=1
#          json_devices=N json_generation=G json_serial=S
#          prom_available=1 prom_devices=N prom_generation=G
#          prom_serial=S" (available: the workers read the list).
#   check  judges the records: every answer must be the requester's own
#          profile (byte for byte) or the refusal the configuration that
#          served it owes the device; prints "key=value ..." figures.
#          MODE nodes (a 5th argument STATES, a 6th PORT,FROM,TO: the
#          answers of that port sent in that time are counted apart, as
#          window_requests and window_failures): GENS is the timeline of the changes applied to
#          each node ("port serial started returned status" lines; those
#          with a status other than 0 changed nothing) and STATES what each
#          serial's list owes the load devices (stress/feed.pl): a request
#          sent after a change returned must get what the changed list
#          owes, one answered before it started what the list before owes,
#          one across it either; also counts the kept-alive connections on
#          which a device was served then refused (and back), and the time
#          from a change's return to the device's first refusal.
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
} elsif ($cmd eq 'acl-status') {
    exit acl_status(@ARGV);
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
        return ($status, $h{'x-prov-gen'} // $h{'x-prov-node'} // '-', $body,
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
    } elsif ($mode eq 'nodes') {
        for my $port (split /,/, $o{ports}) {
            push @jobs, map { [$_, $port] } split /,/, $o{devs};
        }
    } else {
        die "load: MODE is reload, fleet or nodes\n";
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
        if ($mode eq 'nodes') {
            my ($name, $port) = @{ $jobs[$n] };
            my $k = 0;
            while (time < $until && !($o{until} && -e $o{until})) {
                fetch_nodes($rec, $dir, $port, $name, $mac, $salt,
                            rand() < 0.5 ? '1.2' : '1.3', 20 + int rand 201,
                            $until, $o{until}, "$$." . $k++);
            }
        } elsif ($mode eq 'reload') {
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


# MODE nodes: one connection kept alive for up to COUNT requests of the
# device's own URI, whatever each answer (a refusal does not close it);
# a connection closed by the server under a request is reopened once, as
# in fetch().  One record per answer:
#   conn_start  sent  answered  port  device  status  node  class  connection
sub fetch_nodes {
    my ($rec, $dir, $port, $name, $mac, $salt, $tls, $count, $until, $stop,
        $conn) = @_;
    my $own = profile($salt, $mac->{$name});
    my $path = own_uri($mac->{$name});
    my ($s, $err, $started, $retried);

    for (my $i = 0; $i < $count; $i++) {
        last if time >= $until || ($stop && -e $stop);
        my $fresh = 0;
        if (!$s) {
            $started = time;
            ($s, $err) = connect_as($dir, $port, $name, $tls);
            if (!$s) {
                print $rec join("\t", $started, $started, time, $port, $name,
                                'ERR', '-', "error: $err", $conn), "\n";
                return;
            }
            $fresh = 1;
        }
        my $sent = time;
        my ($status, $node, $body, $close) = request($s, $path);
        my $answered = time;
        if ($status eq 'idle' && !$fresh && !$retried) {
            close $s;
            undef $s;
            $retried = 1;
            $conn .= 'r';
            redo;
        }
        $retried = 0;
        my $class = $status =~ /^\d+$/ ? classify($status, $body, $own)
                                       : $status;
        $status = 'ERR' unless $status =~ /^\d+$/;
        print $rec join("\t", $started, $sent, $answered, $port, $name, $status,
                        $node // '-', $class, $conn), "\n";
        if ($status eq 'ERR' || $close) {
            close $s if $s;
            undef $s;
            $conn .= 'c';
            return if $status eq 'ERR';
        }
    }
    $s->close(SSL_fast_shutdown => 1) if $s;
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


# --- acl-status ----------------------------------------------------------

sub get_status {
    my ($dir, $port, $path) = @_;
    my $s = IO::Socket::SSL->new(
        PeerAddr        => '127.0.0.1',
        PeerPort        => $port,
        Timeout         => 10,
        SSL_hostname    => 'localhost',
        SSL_verify_mode => SSL_VERIFY_PEER,
        SSL_ca_file     => "$dir/pki/server-ca.crt",
    ) or die "status: connect: $SSL_ERROR\n";
    my ($code, undef, $body) = request($s, $path);
    die "status: $path: $code\n" unless $code eq '200';
    return $body;
}

sub acl_status {
    my ($dir, $port) = @_;
    require JSON::PP;
    my $json = JSON::PP::decode_json(get_status($dir, $port, '/prov-status'));
    my @acl = @{ $json->{acls} // [] };
    die "acl-status: " . scalar(@acl) . " lists, not one\n" unless @acl == 1;
    my %f = map { ("json_$_" => $acl[0]{$_} // 'none') }
                qw(serial generation devices);
    $f{json_available} = !exists $acl[0]{available} ? 'none'
                         : $acl[0]{available} ? 1 : 0;
    my $prom = get_status($dir, $port, '/prov-status?format=prometheus');
    for my $k (qw(serial generation devices available)) {
        my @v = $prom =~ /^nginx_prov_acl_$k\{[^}]*\} (\S+)$/mg;
        $f{"prom_$k"} = @v == 1 ? $v[0] : @v ? 'several' : 'none';
    }
    print join(' ', map { "$_=$f{$_}" } sort keys %f), "\n";
    return 0;
}


# --- check nodes -----------------------------------------------------------

sub check_nodes {
    my ($dir, $out, $timeline, $states_file, $window) = @_;
    my (%states, %changes, %n, @fail, @latency);
    my ($w_port, $w0, $w1) = split /,/, $window // '';

    open my $st, '<', $states_file or die "$states_file: $!\n";
    while (<$st>) {
        my ($serial, @d) = split;
        $states{$serial} = { map { split /=/ } @d };
    }
    open my $tl, '<', $timeline or die "$timeline: $!\n";
    while (<$tl>) {
        my ($port, $serial, $t0, $t1, $rc) = split;
        next unless $rc eq '0';
        die "$timeline: serial $serial not in $states_file\n"
            unless $states{$serial};
        push @{ $changes{$port} }, [$t0, $t1, $states{$serial}, $serial];
    }
    for my $port (keys %changes) {
        @{ $changes{$port} } = sort { $a->[1] <=> $b->[1] } @{ $changes{$port} };
    }
    my %node;
    my $i = 0;
    $node{$_} = 'node' . ++$i for sort { $a <=> $b } keys %changes;

    my (%first_refusal, @rec, $first, $last);
    for my $file (glob "$out.*") {
        open my $f, '<', $file or die "$file: $!\n";
        while (<$f>) {
            chomp;
            my ($start, $sent, $answered, $port, $name, $status, $nd, $class,
                $cid) = split /\t/;
            $n{requests}++;
            $n{"status_$status"}++;
            $first = $sent if !defined $first || $sent < $first;
            $last = $sent if !defined $last || $sent > $last;
            my ($why, %owed, $ambiguous);
            my $ch = $changes{$port} // [];
            my $now;
            for (@$ch) {
                if ($_->[1] <= $sent) {
                    $now = $_;
                } elsif ($_->[0] < $answered) {
                    $owed{ $_->[2]{$name} eq 'allow' ? 'own' : '403' } = 1;
                    $ambiguous = 1;
                }
            }
            if ($now) {
                $owed{ $now->[2]{$name} eq 'allow' ? 'own' : '403' } = 1;
            } else {
                $why = 'no list applied before the request';
            }
            my $got = $status eq '403' && $class eq 'none' ? '403'
                    : $status eq '200' ? $class : "$status $class";
            if ($class =~ /^OTHER/) {
                $why = "ANOTHER DEVICE'S PROFILE ($class)";
            } elsif ($status eq 'ERR') {
                $why = $class;
            } elsif (!$why && !$owed{$got}) {
                $why = "answered $got, the list at serial $now->[3] owes "
                     . join('|', sort keys %owed);
            } elsif ($nd ne $node{$port}) {
                $why = "answered by $nd, not $node{$port}";
            }
            $n{ambiguous}++ if $ambiguous && !$why;
            $n{own}++ if $got eq 'own';
            $n{refused}++ if $got eq '403';
            if ($why) {
                $n{failures}++;
                push @fail, "$node{$port} $name: $why" if @fail < 10;
            }
            if (defined $w1 && $port eq $w_port && $sent >= $w0
                && $sent <= $w1)
            {
                $n{window_requests}++;
                $n{window_failures}++ if $why;
            }
            # a connection's answers in order: served, then refused, again
            push @rec, [$sent, $port, $cid, $got] if $got eq 'own' || $got eq '403';
            # the first refusal after each change that refuses the device
            if ($got eq '403') {
                for my $k (0 .. $#$ch) {
                    my $e = $ch->[$k];
                    next if $k == 0 || $e->[2]{$name} eq 'allow'
                            || $ch->[$k - 1][2]{$name} ne 'allow';
                    next if $answered < $e->[0];
                    next if $k < $#$ch && $sent >= $ch->[$k + 1][1];
                    my $key = "$port $e->[3] $name";
                    my $lat = $answered - $e->[1];
                    $first_refusal{$key} = $lat
                        if !defined $first_refusal{$key}
                           || $lat < $first_refusal{$key};
                }
            }
        }
    }
    # per connection, in the order of its requests
    my %seq;
    for (sort { $a->[0] <=> $b->[0] } @rec) {
        my $key = "$_->[1] $_->[2]";
        my $prev = $seq{$key};
        $n{kept_alive_refused}++ if defined $prev && $prev eq 'own' && $_->[3] eq '403';
        $n{kept_alive_served_again}++ if defined $prev && $prev eq '403' && $_->[3] eq 'own';
        $seq{$key} = $_->[3];
    }
    # how many changes refused a device that fetched meanwhile
    my $turned = 0;
    for my $port (keys %changes) {
        my $ch = $changes{$port};
        for my $k (1 .. $#$ch) {
            for my $d (keys %{ $ch->[$k][2] }) {
                $turned++ if $ch->[$k][2]{$d} ne 'allow'
                             && $ch->[$k - 1][2]{$d} eq 'allow';
            }
        }
    }
    @latency = sort { $a <=> $b } values %first_refusal;
    my $q = sub {
        return '-' unless @latency;
        my $v = $latency[ int(($#latency) * $_[0] + 0.5) ];
        return sprintf '%.1f', $v * 1000;
    };
    $n{seconds} = sprintf '%.1f', ($last // 0) - ($first // 0);
    $n{refusals_owed} = $turned;
    $n{refusals_seen} = scalar @latency;
    $n{refusal_ms_median} = $q->(0.5);
    $n{refusal_ms_p99} = $q->(0.99);
    $n{refusal_ms_max} = $q->(1);
    $n{$_} //= 0 for qw(failures own refused ambiguous kept_alive_refused
                        kept_alive_served_again window_requests
                        window_failures);
    print join(' ', map { "$_=$n{$_}" } sort keys %n), "\n";
    print STDERR "  failure: $_\n" for @fail;
    return $n{failures} || !$n{requests} ? 1 : 0;
}


# --- check -----------------------------------------------------------------

sub check {
    my ($dir, $out, $mode, $gens_file) = @_;

    return check_nodes($dir, $out, $gens_file, @_[4, 5]) if $mode eq 'nodes';
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
