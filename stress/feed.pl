#!/usr/bin/perl
# Usage: stress/feed.pl feed FEED DEVICES SIZE BATCHES CHANGES SNAPSHOT_AT
#        stress/feed.pl big FEED DEVICES COUNT SERIAL [FILE]
#        stress/feed.pl norm FILE
#
# The provider's system of stress/stress.sh's nodes scenario (make stress):
# it keeps the fleet's list and publishes it the way the README's "Several
# nodes, one source of truth" describes, each publication with a serial:
#
#   feed   FEED/snapshot-1.acl: the whole list (serial 1, for "prov-acl
#          --serial 1 import"), then FEED/batch-S.txt for S = 2 ..
#          BATCHES + 1: CHANGES changes to the list ("set <ACL line>",
#          "delete <id>", for "prov-acl --serial S apply"), and
#          FEED/snapshot-SNAPSHOT_AT.acl, the whole list at that serial (a
#          node may import it instead of applying that batch).  SIZE
#          devices of its own (MACs 0a..), the fleet f* of DEVICES
#          (stress/client.pl's devices.tsv) allowed, and the load devices
#          r0..r7: every batch turns one of r0..r5 from allowed to refused
#          ("deny" or deleted, in turn) or back, r6 and r7 stay allowed.
#          MACs in every spelling prov_id ... mac accepts, a pin on some
#          devices, attributes on most.  FEED/states: "S r0=allow r1=deny
#          r2=absent ..." per serial, what each list owes the load devices;
#          FEED/model-S.txt: each whole list in the normalised form of
#          "norm" (what every node's "prov-acl dump" must be).
#   big    a whole list of COUNT devices at SERIAL (into FILE, default
#          FEED/big-SERIAL.acl): the list of the last serial of FEED/states
#          with fillers up to COUNT and every load device's verdict turned
#          over (a partial import would show); its line in FEED/states, its
#          model in FEED/model-SERIAL.txt.
#   norm   FILE in the ACL format (a dump), one line a device, normalised
#          (ids canonical, pins in one form, attributes sorted), sorted: two
#          lists are the same when their norms are.

use strict;
use warnings;

my $cmd = shift @ARGV // '';

if ($cmd eq 'feed') {
    feed(@ARGV);
} elsif ($cmd eq 'big') {
    big(@ARGV);
} elsif ($cmd eq 'norm') {
    print norm_file($ARGV[0]);
} else {
    die "usage: $0 feed|big|norm ... (see the header)\n";
}


# --- the list --------------------------------------------------------------

# id => [action, pin or '', { attributes }]
my %list;

sub canon {
    my ($mac) = @_;
    $mac =~ s/[:.\-]//g;
    return lc $mac;
}

# the spellings a MAC may take in what the provider publishes
sub spell {
    my ($mac, $how) = @_;
    $how %= 6;
    return $mac if $how == 5;
    return uc $mac if $how == 0;
    if ($how == 4) {
        return join '.', unpack 'A4 A4 A4', $mac;
    }
    my $s = join $how == 3 ? '-' : ':', unpack '(A2)6', $mac;
    return $how == 2 ? uc $s : $s;
}

sub line {
    my ($id, $e, $how) = @_;
    my ($action, $pin, $attrs) = @$e;
    my $l = spell($id, $how) . "  $action";
    $l .= " sha256=$pin" if $pin ne '';
    $l .= " $_=$attrs->{$_}" for sort keys %$attrs;
    return $l;
}

sub norm_line {
    my ($l) = @_;
    $l =~ s/\s+#.*//;
    my ($id, $action, @opt) = split ' ', $l;
    return undef unless defined $action;
    my ($pin, @attrs) = ('');
    for (@opt) {
        if (/^sha256=(.*)$/) {
            ($pin = uc $1) =~ s/://g;
        } else {
            push @attrs, $_;
        }
    }
    return join(' ', canon($id), $action, ($pin ne '' ? "sha256=$pin" : ()),
                sort @attrs);
}

sub norm_file {
    my ($file) = @_;
    open my $f, '<', $file or die "$file: $!\n";
    my @l;
    while (<$f>) {
        next if /^\s*(#|$)/;
        my $n = norm_line($_);
        push @l, $n if defined $n;
    }
    return join('', map { "$_\n" } sort @l);
}

# the list in norm's form
sub model {
    my ($ids) = @_;
    my $m = '';
    for my $id (@{ $ids // [ sort keys %list ] }) {
        my ($action, $pin, $attrs) = @{ $list{$id} };
        $m .= join(' ', $id, $action, ($pin ne '' ? 'sha256=' . uc $pin : ()),
                   sort map { "$_=$attrs->{$_}" } keys %$attrs) . "\n";
    }
    return $m;
}

sub write_file {
    my ($file, $data) = @_;
    open my $f, '>', "$file.new" or die "$file.new: $!\n";
    print $f $data;
    close $f or die "$file.new: $!\n";
    rename "$file.new", $file or die "$file: $!\n";
}

sub snapshot {
    my ($file, $serial, $ids) = @_;
    open my $f, '>', "$file.new" or die "$file.new: $!\n";
    print $f "# the whole list at serial $serial\n";
    my $i = 0;
    print $f line($_, $list{$_}, $i++), "\n" for @{ $ids // [ sort keys %list ] };
    close $f or die "$file.new: $!\n";
    rename "$file.new", $file or die "$file: $!\n";
}

sub pin { return join '', map { sprintf '%02x', int rand 256 } 1 .. 32 }

sub filler {
    my ($n) = @_;
    my $r = rand;
    return [ $r < 0.05 ? 'deny' : 'allow', $r > 0.9 ? pin() : '',
             $r < 0.3 ? {} : { account => 10000 + $n,
                               ($r > 0.7 ? (site => 'pop' . ($n % 7)) : ()) } ];
}

sub devices {
    my ($file) = @_;
    my (%mac, @order);
    open my $f, '<', $file or die "$file: $!\n";
    while (<$f>) {
        chomp;
        my ($name, $mac) = split /\t/;
        $mac{$name} = $mac;
        push @order, $name;
    }
    return (\%mac, \@order);
}

sub states {
    my ($serial, $mac) = @_;
    my @s;
    for my $d (map { "r$_" } 0 .. 7) {
        my $e = $list{ $mac->{$d} };
        push @s, "$d=" . ($e ? $e->[0] : 'absent');
    }
    return "$serial @s\n";
}


# --- feed ------------------------------------------------------------------

sub feed {
    my ($dir, $devices, $size, $batches, $changes, $snapshot_at) = @_;
    die "usage: $0 feed FEED DEVICES SIZE BATCHES CHANGES SNAPSHOT_AT\n"
        unless defined $snapshot_at;
    my ($mac, $order) = devices($devices);

    srand(16);
    mkdir $dir;

    my $next = 0;
    for (1 .. $size) {
        $list{ sprintf '0a%010x', $next } = filler($next);
        $next++;
    }
    for my $d (grep { /^f/ } @$order) {
        $list{ $mac->{$d} } = [ 'allow', '', { name => $d } ];
    }
    for my $d (map { "r$_" } 0 .. 7) {
        $list{ $mac->{$d} } = [ 'allow', '', { name => $d } ];
    }

    my $states = states(1, $mac);
    snapshot("$dir/snapshot-1.acl", 1);
    write_file("$dir/model-1.txt", model());

    my @fillers = grep { /^0a/ } keys %list;

    for my $s (2 .. $batches + 1) {
        my (@lines, %seen);

        # one load device turns over: from allowed to refused ("deny" and
        # deleted in turn) or back
        my $d = 'r' . ($s % 6);
        my $id = $mac->{$d};
        my $how = $s;
        $seen{$id} = 1;
        if ($list{$id} && $list{$id}[0] eq 'allow') {
            if (($s / 6) % 2) {
                delete $list{$id};
                push @lines, 'delete ' . spell($id, $how);
            } else {
                $list{$id} = [ 'deny', '', { name => $d } ];
                push @lines, 'set ' . line($id, $list{$id}, $how)
                             . "   # $d turned away";
            }
        } else {
            $list{$id} = [ 'allow', '', { name => $d, batch => $s } ];
            push @lines, 'set ' . line($id, $list{$id}, $how);
        }

        for my $c (1 .. $changes) {
            my $r = rand;
            if ($r < 0.25) {
                # a new device
                my $n = $next++;
                my $new = sprintf '0a%010x', $n;
                $list{$new} = filler($n);
                push @fillers, $new;
                $seen{$new} = 1;
                push @lines, 'set ' . line($new, $list{$new}, $n);
                next;
            }
            my $i = int rand @fillers;
            my $old = $fillers[$i];
            next if $seen{$old}++ || !$list{$old};
            if ($r < 0.45) {
                delete $list{$old};
                $fillers[$i] = $fillers[-1];
                pop @fillers;
                push @lines, 'delete ' . spell($old, $c);
            } else {
                $list{$old} = filler($c + $s * 1000);
                push @lines, 'set ' . line($old, $list{$old}, $c);
            }
        }

        # as a provider's export may write them: comments, blank lines
        write_file("$dir/batch-$s.txt",
                   "# change batch $s of the provider's list\n\n"
                   . join("\n", @lines) . "\n");
        $states .= states($s, $mac);
        snapshot("$dir/snapshot-$s.acl", $s) if $s == $snapshot_at;
        write_file("$dir/model-$s.txt", model())
            if $s == $snapshot_at || $s >= $batches;
    }

    write_file("$dir/states", $states);
}


# --- big -------------------------------------------------------------------

sub big {
    my ($dir, $devices, $count, $serial, $file) = @_;
    die "usage: $0 big FEED DEVICES COUNT SERIAL [FILE]\n"
        unless defined $serial;
    my ($mac) = devices($devices);
    $file //= "$dir/big-$serial.acl";

    # the list of the last serial
    open my $s, '<', "$dir/states" or die "$dir/states: $!\n";
    my $last;
    $last = (split)[0] while <$s>;
    close $s;
    open my $m, '<', "$dir/model-$last.txt" or die "$dir/model-$last.txt: $!\n";
    while (<$m>) {
        my ($id, $action, @opt) = split;
        my ($pin, %attrs) = ('');
        for (@opt) {
            if (/^sha256=(.*)$/) { $pin = $1 }
            else { my ($k, $v) = split /=/, $_, 2; $attrs{$k} = $v }
        }
        $list{$id} = [ $action, $pin, \%attrs ];
    }
    close $m;

    srand(17);
    for my $d (map { "r$_" } 0 .. 7) {
        my $id = $mac->{$d};
        $list{$id} = [ $list{$id} && $list{$id}[0] eq 'allow' ? 'deny' : 'allow',
                       '', { name => $d, big => $serial } ];
    }
    my $n = 0x800000;
    while (keys %list < $count) {
        $list{ sprintf '0a%010x', $n } = filler($n);
        $n++;
    }

    my @ids = sort keys %list;
    snapshot($file, $serial, \@ids);
    write_file("$dir/model-$serial.txt", model(\@ids));
    open my $a, '>>', "$dir/states" or die "$dir/states: $!\n";
    print $a states($serial, $mac);
    close $a;
}
