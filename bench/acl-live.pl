#!/usr/bin/perl
# Usage: bench/acl-live.pl DIR PORT PROV_ACL DB SECONDS RATE OUT
#
# The live list under load (bench/acl-lmdb.sh, make bench-acl): eight
# devices r0..r7 (DIR/devices.tsv and DIR/pki/, made by stress/client.pl
# pki) fetch /p.cfg over one kept-alive TLS connection each, as fast as
# they can, for SECONDS, while this process runs RATE "prov-acl set DB
# ..." a second, one after the other: every fifth turns one of the eight
# devices to allow or deny (round robin), the others change devices of
# the list that nobody fetches.
#
# Every answer is judged against the list at that moment: an answer to a
# request sent after the set that last changed the device returned, and
# received before the next one started, must be 200 when it allows the
# device and 403 when it denies it; an answer that overlaps a set may be
# either.  Anything else (another status, an error, a closed connection)
# fails.  For each deny: the time from "prov-acl set" returning to the
# answer to the device's first request sent after it (refused).  Writes
# "key value" lines to OUT; exits 1 on a wrong answer or a failed request.

use strict;
use warnings;
no warnings 'portable';    # the 48-bit ids

use IO::Socket::SSL;
use POSIX qw(_exit);
use POSIX ();
use Time::HiRes qw(time sleep);

my ($dir, $port, $prov_acl, $db, $seconds, $rate, $out) = @ARGV;
die "usage: $0 DIR PORT PROV_ACL DB SECONDS RATE OUT\n" unless defined $out;

my %mac;
open my $f, '<', "$dir/devices.tsv" or die "$dir/devices.tsv: $!\n";
while (<$f>) {
    chomp;
    my ($name, $m) = split /\t/;
    $mac{$name} = $m;
}
close $f;

my @dev = map { "r$_" } 0 .. 7;

# every device allowed to begin with
for my $d (@dev) {
    system($prov_acl, 'set', $db, $mac{$d}, 'allow') == 0
        or die "prov-acl set $mac{$d} allow failed\n";
}

# --- the clients -------------------------------------------------------------

my $start = time + 1;
my %pid;

for my $d (@dev) {
    my $pid = fork // die "fork: $!\n";
    if ($pid == 0) {
        client($d);
        _exit(0);
    }
    $pid{$d} = $pid;
}

sub client {
    my ($d) = @_;
    # the clients fill both cores: prov-acl and nginx go first, or the
    # changes lag behind their schedule
    POSIX::nice(10);
    open my $log, '>', "$out.$d" or die "$out.$d: $!\n";
    my $s = IO::Socket::SSL->new(
        PeerAddr        => '127.0.0.1',
        PeerPort        => $port,
        Timeout         => 10,
        SSL_hostname    => 'localhost',
        SSL_verify_mode => SSL_VERIFY_PEER,
        SSL_verifycn_name   => 'localhost',
        SSL_verifycn_scheme => 'http',
        SSL_ca_file     => "$dir/pki/server-ca.crt",
        SSL_cert_file   => "$dir/pki/$d.crt",
        SSL_key_file    => "$dir/pki/$d.key",
    );
    unless ($s) {
        print $log "0 0 error:connect\n";
        return;
    }
    sleep 0.001 while time < $start;
    my $req = "GET /p.cfg HTTP/1.1\r\nHost: localhost\r\n\r\n";
    while (time < $start + $seconds) {
        my $t0 = time;
        my $status = request($s, $req);
        printf $log "%.6f %.6f %s\n", $t0, time, $status;
        last if $status !~ /^\d+$/;
    }
    close $log;
}

# the status of one request on the open connection, or "error:..."
sub request {
    my ($s, $req) = @_;
    my $buf = '';
    my $w = syswrite $s, $req;
    return 'error:write' unless defined $w && $w == length $req;
    while ($buf !~ /\r\n\r\n/) {
        my $n = sysread $s, $buf, 16384, length $buf;
        return 'error:closed' unless $n;
    }
    my ($head, $body) = split /\r\n\r\n/, $buf, 2;
    return 'error:status' unless $head =~ m{^HTTP/1\.1 (\d{3}) };
    my $status = $1;
    my ($len) = $head =~ /\r\nContent-Length: *(\d+)/i;
    return 'error:length' unless defined $len;
    while (length $body < $len) {
        my $n = sysread $s, $body, 16384, length $body;
        return 'error:body' unless $n;
    }
    return 'error:keep-alive' if $head =~ /\r\nConnection: *close/i;
    return $status;
}

# --- the changes -------------------------------------------------------------

my (@changes, %state, $fails);
$state{$_} = 'allow' for @dev;

sleep 0.001 while time < $start;
my $n = 0;
my $turn = 0;
while (time < $start + $seconds) {
    my $due = $start + $n / $rate;
    sleep($due - time) if $due > time;
    my ($id, $action, $who);
    if ($n % 5 == 0) {
        $who = $dev[$turn++ % @dev];
        $action = $state{$who} eq 'allow' ? 'deny' : 'allow';
        $id = $mac{$who};
    } else {
        $id = sprintf '%012x', 0x100000000000 + int(rand(1000)) * 7919;
        $action = rand() < 0.5 ? 'allow' : 'deny';
    }
    my $t0 = time;
    my $rc = system($prov_acl, 'set', $db, $id, $action);
    my $t1 = time;
    if ($rc != 0) {
        $fails++;
        print STDERR "prov-acl set $id $action: exit ", $rc >> 8, "\n";
    }
    if (defined $who) {
        $state{$who} = $action;
        push @changes, [ $who, $action, $t0, $t1 ];
    }
    $n++;
}
my $elapsed = time - $start;

for my $d (@dev) {
    waitpid $pid{$d}, 0;
}

# --- the verdicts --------------------------------------------------------------

my (%by, $answers, $wrong, $failed, $either, @latency);
for my $c (@changes) {
    push @{ $by{ $c->[0] } }, $c;
}

for my $d (@dev) {
    my @ch = @{ $by{$d} || [] };
    open my $l, '<', "$out.$d" or die "$out.$d: $!\n";
    my @a;
    while (<$l>) {
        my ($t0, $t1, $status) = split;
        push @a, [ $t0, $t1, $status ];
    }
    close $l;
    unlink "$out.$d";

    my $k = 0;      # the changes that returned before the request was sent
    for my $a (@a) {
        $answers++;
        if ($a->[2] !~ /^(?:200|403)$/) {
            $failed++;
            print STDERR "$d: $a->[2] at $a->[0]\n";
            next;
        }
        $k++ while $k < @ch && $ch[$k][3] <= $a->[0];
        # a change started before the answer came: either answer
        if ($k < @ch && $ch[$k][2] < $a->[1]) {
            $either++;
            next;
        }
        my $now = $k ? $ch[$k - 1][1] : 'allow';
        my $want = $now eq 'allow' ? 200 : 403;
        if ($a->[2] != $want) {
            $wrong++;
            printf STDERR "%s: %s at %.6f-%.6f, the list said %s since "
                . "%.6f\n", $d, $a->[2], $a->[0], $a->[1], $now,
                $k ? $ch[$k - 1][3] : 0;
        }
    }

    # from a deny's return to the answer of the first request sent after it
    my $i = 0;
    for my $c (@ch) {
        next unless $c->[1] eq 'deny';
        $i++ while $i < @a && $a[$i][0] < $c->[3];
        next unless $i < @a && $a[$i][2] eq '403';
        push @latency, $a[$i][1] - $c->[3];
    }
}

@latency = sort { $a <=> $b } @latency;
my $pct = sub {
    my ($p) = @_;
    return @latency ? $latency[int($p * $#latency + 0.5)] * 1000 : -1;
};

open my $o, '>', $out or die "$out: $!\n";
printf $o "changes %d\n", $n;
printf $o "rate %.1f\n", $n / $elapsed;
printf $o "device_changes %d\n", scalar @changes;
printf $o "set_failed %d\n", $fails // 0;
printf $o "answers %d\n", $answers // 0;
printf $o "requests_per_s %.0f\n", ($answers // 0) / $seconds;
printf $o "wrong %d\n", $wrong // 0;
printf $o "failed %d\n", $failed // 0;
printf $o "overlapping %d\n", $either // 0;
printf $o "denies_measured %d\n", scalar @latency;
printf $o "latency_median_ms %.2f\n", $pct->(0.5);
printf $o "latency_p99_ms %.2f\n", $pct->(0.99);
printf $o "latency_max_ms %.2f\n", @latency ? $latency[-1] * 1000 : -1;
close $o;

exit(($wrong || $failed || $fails || !$answers) ? 1 : 0);
