#!/usr/bin/perl
# Usage: stress/killer.pl input PID BYTES
#        stress/killer.pl read PID LIST FILE
#        stress/killer.pl commit PID FILE
#
# Kills a prov-acl import with SIGKILL in the middle, for stress/stress.sh's
# killed-import scenario (make stress), at a moment it sees rather than
# guesses:
#
#   input   PID reads its list from a pipe that was given BYTES of it (half
#           the list) and no more: once PID has read them all (rchar in
#           /proc/PID/io) and sleeps (waiting for the rest), SIGKILL.
#   read    PID imports the file LIST into FILE: as soon as it has read
#           the whole list (the offset of its descriptor of LIST, in
#           /proc/PID/fdinfo, at LIST's size, or that descriptor closed;
#           prov-acl checks the whole list, then writes it in one
#           transaction), SIGKILL; FILE must not have grown yet (nothing
#           committed).
#   commit  PID imports into FILE: as soon as FILE takes more disk blocks
#           than when this started (LMDB writes a transaction's pages at its
#           commit, the meta page that makes them the list last), SIGKILL.
#
# Prints what it saw ("killed after reading N bytes", "killed with FILE
# grown by N KB") and exits 0; exits 1 when PID ended before it could be
# killed so (then nothing was proven), printing why.

use strict;
use warnings;

use Time::HiRes qw(sleep time);

my ($mode, $pid, $arg) = @ARGV;
die "usage: $0 input PID BYTES | read PID BYTES FILE | commit PID FILE\n"
    unless defined $arg;

sub alive {
    # a zombie has ended: its exit status is its parent's to read
    open my $f, '<', "/proc/$pid/stat" or return 0;
    my $stat = <$f>;
    return 0 unless defined $stat;
    my ($state) = $stat =~ /\) (\S)/;
    return $state ne 'Z' && $state ne 'X';
}

sub state {
    open my $f, '<', "/proc/$pid/stat" or return '';
    my ($state) = (<$f> // '') =~ /\) (\S)/;
    return $state // '';
}

sub rchar {
    open my $f, '<', "/proc/$pid/io" or return -1;
    while (<$f>) {
        return $1 if /^rchar: (\d+)/;
    }
    return -1;
}

sub blocks { return (stat $_[0])[12] // 0 }

my $until = time + 120;

if ($mode eq 'input') {
    # the whole half read, then asleep in read() three polls in a row
    my $asleep = 0;
    while (time < $until) {
        alive() or last;
        if (rchar() >= $arg && state() eq 'S') {
            if (++$asleep == 3) {
                my $read = rchar();
                kill 'KILL', $pid;
                print "killed after reading $read bytes of its input\n";
                exit 0;
            }
        } else {
            $asleep = 0;
        }
        sleep 0.01;
    }
    print "prov-acl (pid $pid) ended before it read $arg bytes\n";
    exit 1;
}

if ($mode eq 'read') {
    my $file = $ARGV[3] // die "usage: $0 read PID LIST FILE\n";
    my $size = -s $arg;
    my ($before, $fd, $pos) = (blocks($file));
    while (time < $until) {
        alive() or last;
        $pos = undef;
        if (!defined $fd) {
            for (glob "/proc/$pid/fd/*") {
                my $l = readlink $_ // next;
                $fd = $1 if $l eq $arg && m{/(\d+)$};
            }
        }
        if (defined $fd && open my $f, '<', "/proc/$pid/fdinfo/$fd") {
            while (<$f>) {
                $pos = $1 if /^pos:\s+(\d+)/;
            }
        }
        if (defined $fd && (!defined $pos || $pos >= $size)) {
            kill 'KILL', $pid;
            if (blocks($file) > $before) {
                print "$file grew before prov-acl was killed\n";
                exit 1;
            }
            print "killed once it had read the whole list ($size bytes),"
                . " before its commit\n";
            exit 0;
        }
        sleep 0.0005;
    }
    print "prov-acl (pid $pid) ended before it read its whole list\n";
    exit 1;
}

if ($mode eq 'commit') {
    my $before = blocks($arg);
    while (time < $until) {
        alive() or last;
        my $now = blocks($arg);
        if ($now > $before) {
            kill 'KILL', $pid;
            printf "killed with %s grown by %d KB\n", $arg,
                   ($now - $before) / 2;
            exit 0;
        }
        sleep 0.0005;
    }
    print "prov-acl (pid $pid) ended before $arg grew\n";
    exit 1;
}

die "usage: $0 input PID BYTES | read PID BYTES FILE | commit PID FILE\n";
