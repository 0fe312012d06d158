package ProvWriter;

# Writers that change an access list while nginx reads it, as an operator's
# "cp", ">" or generator does, for t/031-acl-errors.t and t/032-acl-reload.t.
# Each runs in a child process, so that nginx (started by the test harness,
# or by ProvNginx) reads the list while the writer holds it.
#
#   paused(PATH, HEAD, TAIL)  writes HEAD to PATH and pauses there, the file
#                             open, until finish() (or the test's end); then
#                             writes TAIL.  Returns when HEAD is written.
#   while_read(PATH, MARKER, %how)
#                             waits for the nginx whose command line holds
#                             MARKER to open PATH and read some of it, stops
#                             that process (SIGSTOP) while it is still
#                             reading, runs $how{change}->(), lets it go on
#                             (SIGCONT), then runs $how{after}->() again and
#                             again until that nginx is done with PATH (has
#                             closed it, or exited).  Returns at once.
#   finish()                  lets every paused writer write its TAIL, and
#                             waits for every writer to end; returns a list
#                             of [name, what went wrong or ''], for is().
#
# while_read() catches nginx mid-read without guessing at its timing: it
# watches the process's descriptors (/proc/PID/fd) and the bytes it has
# read (/proc/PID/io, rchar), and stops it once it has read more than
# nothing of PATH and fewer than $how{before} bytes (default: twice the
# file's size, as the loader reads a list twice: it counts, then parses).
# Between opening a list and closing it the loader reads nothing else, so
# rchar bounds what it has read of PATH: from below, what it read since the
# descriptor was seen; from above, what it read since the last look before
# the descriptor was there (or since it started).  A writer that could not
# catch nginx so says so through finish(), which the test turns into a
# failure: no test passes by luck.  The lists are large (some 20 MB, read
# in a few hundred ms) so that a writer that shares the CPUs with other
# work still sees nginx reading.

use strict;
use warnings;

use POSIX ();
use Time::HiRes qw(sleep time);

our $TIMEOUT = 20;          # seconds a writer waits for nginx

my @WRITERS;                # {name, pid, report (read end), resume}

# write_list(PATH, TEXT, MODE): PATH's content ('>') or more of it ('>>')
sub write_list {
    my ($path, $text, $mode) = @_;
    open my $out, $mode // '>', $path or die "open $path: $!";
    binmode $out;
    print $out $text;
    close $out or die "close $path: $!";
}

# filler(N[, FROM]): N "allow" lines of devices no test certificate names,
# 19 bytes each
sub filler {
    my ($n, $from) = @_;
    $from //= 0;
    return join('', map { sprintf "0200%08x allow\n", $_ }
                        $from + 1 .. $from + $n);
}

sub paused {
    my ($path, $head, $tail) = @_;
    pipe(my $report_rd, my $report_wr) or die "pipe: $!";
    pipe(my $resume_rd, my $resume_wr) or die "pipe: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        close $report_rd;
        close $resume_wr;
        open my $fh, '>', $path or _die($report_wr, "open $path: $!");
        binmode $fh;
        syswrite($fh, $head) == length($head)
            or _die($report_wr, "write $path: $!");
        syswrite($report_wr, "written\n");
        # paused, the file open, until the test lets it go on
        my $buf;
        sysread($resume_rd, $buf, 1);
        syswrite($fh, $tail);
        close $fh;
        close $report_wr;
        POSIX::_exit(0);
    }
    close $report_wr;
    close $resume_rd;
    my $line = <$report_rd> // '';
    die "writer of $path: $line" unless $line eq "written\n";
    push @WRITERS, { name => "paused writer of $path", pid => $pid,
                     report => $report_rd, resume => $resume_wr };
}

sub while_read {
    my ($path, $marker, %how) = @_;
    pipe(my $report_rd, my $report_wr) or die "pipe: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        close $report_rd;
        my $said = eval { _catch($path, $marker, %how) } // "died: $@";
        syswrite($report_wr, $said);
        close $report_wr;
        POSIX::_exit(0);
    }
    close $report_wr;
    push @WRITERS, { name => "writer of $path while nginx reads it",
                     pid => $pid, report => $report_rd };
}

sub finish {
    my @results;
    for my $w (@WRITERS) {
        close $w->{resume} if $w->{resume};
    }
    for my $w (@WRITERS) {
        my $fh = $w->{report};
        my $said = do { local $/; <$fh> } // '';
        close $fh;
        waitpid($w->{pid}, 0);
        $said = '' if $said eq "written\n";
        push @results, [$w->{name}, $said];
    }
    @WRITERS = ();
    return @results;
}

sub _die {
    my ($wr, $msg) = @_;
    syswrite($wr, $msg);
    POSIX::_exit(1);
}

# The child's work; returns '' or what went wrong.
sub _catch {
    my ($path, $marker, %how) = @_;
    my $size = -s $path // return "no $path";
    my $before = $how{before} // 2 * $size;
    my $deadline = time + $TIMEOUT;

    my ($pid, $base_before, $base_after);
    my %rchar;                  # last rchar seen, before PATH was open

    # find the process: it has PATH open, its command line holds MARKER
    FIND: while (time < $deadline) {
        for my $p (_candidates($marker)) {
            my $r = _rchar($p) // next;
            if (_has_open($p, $path)) {
                # rchar from before it opened PATH; if not seen then, all
                # it read since it started bounds what it read of PATH
                $base_before = $rchar{$p} // 0;
                $base_after = _rchar($p) // next;
                $pid = $p;
                last FIND;
            }
            $rchar{$p} = $r;
        }
    }
    return "no nginx (command line with \"$marker\") opened $path "
           . "within $TIMEOUT s" unless $pid;

    # wait until it has read something of PATH: its first fstat() is done
    while (time < $deadline) {
        my $r = _rchar($pid) // return "nginx ($pid) ended before reading";
        last if $r > $base_after;
    }

    kill 'STOP', $pid;
    my $caught = eval {
        _wait_stopped($pid) or die "nginx ($pid) did not stop\n";
        _has_open($pid, $path) or die "nginx ($pid) had closed $path\n";
        my $read = (_rchar($pid) // die "nginx ($pid) ended\n") - $base_before;
        $read < $before
            or die "nginx ($pid) had read up to $read bytes, "
                 . "not fewer than $before\n";
        $how{change}->() if $how{change};
        1;
    };
    my $why = $@;
    kill 'CONT', $pid;
    return "could not catch nginx mid-read: $why" unless $caught;

    while (_alive($pid) && _has_open($pid, $path) && time < $deadline) {
        $how{after} ? $how{after}->() : sleep 0.01;
    }
    return '';
}

sub _candidates {
    my ($marker) = @_;
    my @pids;
    opendir(my $dh, '/proc') or die "/proc: $!";
    for my $p (grep { /^\d+$/ && $_ != $$ } readdir $dh) {
        open(my $fh, '<', "/proc/$p/cmdline") or next;
        my $cmd = do { local $/; <$fh> } // '';
        close $fh;
        push @pids, $p if index($cmd, $marker) >= 0;
    }
    closedir $dh;
    return @pids;
}

sub _has_open {
    my ($pid, $path) = @_;
    opendir(my $dh, "/proc/$pid/fd") or return 0;
    for my $fd (readdir $dh) {
        my $link = readlink("/proc/$pid/fd/$fd");
        if (defined $link && $link eq $path) {
            closedir $dh;
            return 1;
        }
    }
    closedir $dh;
    return 0;
}

sub _rchar {
    my ($pid) = @_;
    open(my $fh, '<', "/proc/$pid/io") or return undef;
    my $io = do { local $/; <$fh> } // '';
    close $fh;
    return $io =~ /^rchar:\s*(\d+)/m ? $1 : undef;
}

sub _state {
    my ($pid) = @_;
    open(my $fh, '<', "/proc/$pid/stat") or return '';
    my $line = <$fh> // '';
    close $fh;
    return $line =~ /^\d+ \(.*\) (\S)/s ? $1 : '';
}

sub _wait_stopped {
    my ($pid) = @_;
    my $deadline = time + 5;
    while (time < $deadline) {
        my $s = _state($pid);
        return 1 if $s eq 'T' || $s eq 't';
        return 0 if $s eq '' || $s eq 'Z';
        sleep 0.001;
    }
    return 0;
}

sub _alive {
    my ($pid) = @_;
    my $s = _state($pid);
    return $s ne '' && $s ne 'Z';
}

1;
