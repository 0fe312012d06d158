package ProvAcl;

# prov-acl (tools/prov-acl.c, build/prov-acl) for the tests: LMDB access
# lists ("prov_acl lmdb:PATH") made and read as an operator does.
#
#   use lib 't/lib';
#   use ProvAcl;
#   ProvAcl::skip_unless_built();            # plan skip_all without it
#   my $r = ProvAcl::run('stat', $db);       # {status, out, err}
#   my $r = ProvAcl::run_in($text, 'import', $db, '-');   # $text on stdin
#   ProvAcl::create($db, "000e08abcdef allow\n", ...);    # dies unless done
#   ProvAcl::set($db, '000e08abcdef', 'deny');            # dies unless done
#   my %s = ProvAcl::stat($db);   # (devices => .., serial => .., ...)
#   my $run = ProvAcl::start(undef, 'import', $db, $file);   # in the
#   ProvAcl::writing($run, 1e6);  # background; once it wrote 1 MB
#   my $r = ProvAcl::wait_for($run);
#   my $text = ProvAcl::dump($db);
#
# The binary is $ENV{PROV_ACL} (scripts/run-tests.sh sets it), else
# build/prov-acl.  Every run is bounded ($TIMEOUT seconds, then SIGKILL and
# a failure), and its output read from files: no pipe can fill and stall.

use strict;
use warnings;

use Exporter 'import';
use File::Temp qw(tempfile);
use POSIX ();
use Test::More;
use Time::HiRes qw(sleep time);

our @EXPORT_OK = qw(prov_acl);

our $TIMEOUT = 120;         # seconds a run may take (10^6 devices: ~5 s)

# the exit statuses of prov-acl(8)
our %EXIT = (ok => 0, not_listed => 1, usage => 2, bad_input => 3,
             serial => 4, database => 5);

sub binary {
    return $ENV{PROV_ACL} // 'build/prov-acl';
}

sub built { return -x binary() }

sub skip_unless_built {
    plan skip_all => binary() . ' not built (make tool)' unless built();
}

# start(STDIN_FILE or undef, ARGS): the running prov-acl's pid and the files
# of its output, for run() and for tests that signal it while it runs
sub start {
    my ($in, @args) = @_;
    my ($ofh, $out) = tempfile('prov-acl-out-XXXXXX', TMPDIR => 1,
                               UNLINK => 1);
    my ($efh, $err) = tempfile('prov-acl-err-XXXXXX', TMPDIR => 1,
                               UNLINK => 1);
    close $ofh;
    close $efh;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open STDIN, '<', $in // '/dev/null' or POSIX::_exit(126);
        open STDOUT, '>', $out or POSIX::_exit(126);
        open STDERR, '>', $err or POSIX::_exit(126);
        exec binary(), @args or POSIX::_exit(127);
    }
    return {pid => $pid, out_file => $out, err_file => $err};
}

# wait_for(RUN): {status, signal, out, err} once it has ended
sub wait_for {
    my ($run) = @_;
    my $deadline = time + $TIMEOUT;
    my $done;
    while (!($done = waitpid($run->{pid}, POSIX::WNOHANG()))) {
        if (time > $deadline) {
            kill 'KILL', $run->{pid};
            waitpid($run->{pid}, 0);
            die "prov-acl took more than $TIMEOUT s\n";
        }
        sleep 0.01;
    }
    my $status = $?;
    my %r = (status => $status >> 8, signal => $status & 127);
    for (qw(out err)) {
        open my $fh, '<', $run->{"${_}_file"} or die "$run->{\"${_}_file\"}: $!";
        binmode $fh;
        local $/;
        $r{$_} = <$fh> // '';
        close $fh;
        unlink $run->{"${_}_file"};
    }
    return \%r;
}

# writing(RUN, BYTES): waits until the running prov-acl has written more
# than BYTES (/proc/PID/io's wchar: an import writes the database at its
# commit, once its input is read and sorted); returns what it has written,
# or 0 when it ended first
sub writing {
    my ($run, $bytes) = @_;
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        open my $fh, '<', "/proc/$run->{pid}/io" or return 0;
        my ($w) = join('', <$fh>) =~ /^wchar: (\d+)/m;
        close $fh;
        return $w if ($w // 0) > $bytes;
        # a zombie: ended
        open $fh, '<', "/proc/$run->{pid}/stat" or return 0;
        my $stat = <$fh> // '';
        close $fh;
        return 0 if $stat =~ /^\d+ \(.*\) Z/;
    }
    return 0;
}

# run(ARGS): prov-acl ARGS, stdin /dev/null
sub run { return wait_for(start(undef, @_)) }

sub prov_acl { return run(@_) }

# run_in(TEXT, ARGS): TEXT on its stdin
sub run_in {
    my ($text, @args) = @_;
    my ($fh, $in) = tempfile('prov-acl-in-XXXXXX', TMPDIR => 1, UNLINK => 1);
    binmode $fh;
    print $fh $text;
    close $fh or die "$in: $!";
    my $r = wait_for(start($in, @args));
    unlink $in;
    return $r;
}

sub must {
    my ($what, $r) = @_;
    die "prov-acl $what: exit $r->{status}: $r->{err}\n"
        if $r->{status} != 0 || $r->{signal};
    return $r;
}

# create(PATH, LINES...): PATH holds exactly these list lines (import);
# OPTIONS first as a hash ref: {ids => 'value', serial => N}
sub create {
    my ($path, @lines) = @_;
    my %opt = ref $lines[0] eq 'HASH' ? %{shift @lines} : ();
    my @o;
    push @o, '--ids', $opt{ids} if $opt{ids};
    push @o, '--serial', $opt{serial} if $opt{serial};
    return must("import $path",
                run_in(join('', @lines), @o, 'import', $path, '-'));
}

sub set { my ($path, @words) = @_; must("set", run('set', $path, @words)) }

sub delete { my ($path, $id) = @_; must("delete", run('delete', $path, $id)) }

# apply(PATH, TEXT[, SERIAL])
sub apply {
    my ($path, $text, $serial) = @_;
    return must("apply", run_in($text, ($serial ? ('--serial', $serial) : ()),
                                'apply', $path, '-'));
}

sub dump { my ($path) = @_; return must("dump", run('dump', $path))->{out} }

sub stat {
    my ($path) = @_;
    my $r = must("stat", run('stat', $path));
    return map { split / /, $_, 2 } split /\n/, $r->{out};
}

# state($path): its figures and its dump, what must not change when a
# command writes nothing
sub state {
    my ($path) = @_;
    my %s = ProvAcl::stat($path);
    return "devices $s{devices} serial $s{serial} generation "
           . "$s{generation}\n" . ProvAcl::dump($path);
}

1;
