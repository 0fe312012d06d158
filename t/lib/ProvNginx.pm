package ProvNginx;

# For the plain Test::More tests that start an nginx of their own (master
# process and workers, reloads, signals, whole example files:
# t/032-acl-reload.t, t/033-reload-respawn.t, t/050-examples.t): running
# nginx, waiting for its pid file, port, log lines and workers, GET requests
# to its front server, and stopping it at the end.
#
#   my ($PREFIX, $PORT) = ProvNginx::setup('prov-acl-reload');
#   write_file("$PREFIX/conf/nginx.conf", ProvNginx::conf($backend, $front));
#   ProvNginx::test(\&run);                  # run() holds the test's steps
#   sub run { my $master = ProvNginx::start() or return; ... }
#   my $r = get('/as/dev-a/profile.cfg');    # {code, h => {...}, body}
#   my ($rc, $out) = ProvNginx::nginx('-s', 'reload');
#
# The helpers without a prefix of their own (run, free_port, wait_for_port,
# wait_for_exit, slurp, write_file) serve any nginx, e.g. t/050's examples,
# each in a prefix of its own.

use strict;
use warnings;

use Exporter 'import';
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use IPC::Open3 qw(open3);
use Test::More;
use Time::HiRes qw(sleep time);

use ProvTest;

our @EXPORT_OK = qw(alive free_port get new_worker run slurp stop_nginx
                    wait_for_exit wait_for_log wait_for_new_worker
                    wait_for_pid_file wait_for_port write_file);

our ($PREFIX, $LOG, $PIDFILE, $PORT);
our $TIMEOUT = 10;          # seconds, for every wait
our $MASTER;                # the pid of the nginx the test started
my %WORKERS;                # worker pids seen in X-Pid

# setup($name): a temporary prefix (conf, logs, html with ProvTest's
# profile.cfg, removed at the end) and a free port for the front server;
# returns both.  Skips the whole test when there is no module to load.
sub setup {
    my ($name) = @_;

    # empty when the module is compiled into the binary (make test-asan)
    plan skip_all => 'TEST_NGINX_LOAD_MODULES not set and no '
                     . 'build/ngx_http_prov_module.so'
        unless defined ProvTest::load_modules();

    $PREFIX = tempdir("$name-XXXXXX", TMPDIR => 1, CLEANUP => 1);
    $LOG = "$PREFIX/logs/error.log";
    $PIDFILE = "$PREFIX/logs/nginx.pid";

    mkdir "$PREFIX/$_" or die "mkdir $PREFIX/$_: $!" for qw(conf logs html);
    write_file("$PREFIX/html/profile.cfg", $ProvTest::PROFILE);

    $PORT = free_port();

    return ($PREFIX, $PORT);
}

# nginx.conf of a master with one worker, daemonised, logging into the
# prefix at $level (default info): the backend's http-level text
# (ProvTest::backend) and the front server's locations (ProvTest::front) on
# 127.0.0.1:$PORT
sub conf {
    my ($backend, $front, $level) = @_;
    $level //= 'info';
    my $load = ProvTest::load_modules();
    die "no module to load: TEST_NGINX_LOAD_MODULES\n" unless defined $load;
    my $user = $> == 0 ? 'user root;' : '';
    my $conf = <<"_EOC_";
$load
$user
worker_processes 1;
master_process on;
daemon on;
error_log $LOG $level;
pid $PIDFILE;

events {
    worker_connections 64;
}

http {
    access_log off;
    client_body_temp_path $PREFIX/client_body_temp;
    proxy_temp_path $PREFIX/proxy_temp;
    fastcgi_temp_path $PREFIX/fastcgi_temp;
    uwsgi_temp_path $PREFIX/uwsgi_temp;
    scgi_temp_path $PREFIX/scgi_temp;
    default_type text/plain;

$backend
    server {
        listen 127.0.0.1:$PORT;
        server_name localhost;
$front
    }
}
_EOC_
    my %var = (
        TEST_NGINX_SERVER_ROOT => $PREFIX,
        TEST_NGINX_PROV_PKI => $ProvTest::PKI,
    );
    $conf =~ s{\$(TEST_NGINX_[A-Z0-9_]+)}{
        defined $var{$1} ? $var{$1} : die "no value for \$$1\n"
    }ge;
    return $conf;
}

# run(COMMAND, ARGS...): runs a command; returns (exit status, stdout and
# stderr).  The status is the shell's: 128 + the signal that killed it.
sub run {
    my @cmd = @_;
    my $pid = open3(my $in, my $out, undef, @cmd);
    close $in;
    local $/;
    my $text = <$out> // '';
    waitpid($pid, 0);
    my $rc = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    return ($rc, $text);
}

# nginx(ARGS...): the nginx under test (ProvTest::nginx_command) on the
# setup() prefix and its conf/nginx.conf, with ARGS ("-t", "-s", "reload");
# returns run()'s (exit status, output)
sub nginx {
    return run(ProvTest::nginx_command(), '-p', "$PREFIX/",
               '-c', "$PREFIX/conf/nginx.conf", '-e', $LOG, @_);
}

# start(): starts that nginx; the master's pid once its pid file is there,
# undef when it did not start (two test results: it starts, it has a pid)
sub start {
    my ($rc, $out) = nginx();
    if (!is($rc, 0, 'nginx starts')) {
        diag($out);
        return undef;
    }
    my $master = wait_for_pid_file();
    ok($master, 'master pid');
    return $master;
}

# test(\&steps): runs the test's steps, a die in them a failure rather
# than an end without a plan; then stops nginx and ends the test
sub test {
    my ($steps) = @_;
    eval {
        $steps->();
        1;
    } or fail("the test died: $@");
    stop_nginx();
    done_testing();
}

# free_port(\%held): a port nothing listens on.  With \%held, the socket
# stays open in it, so that the ports of one configuration differ, until
# %held goes.
sub free_port {
    my ($held) = @_;
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "no free port: $!";
    my $port = $s->sockport;
    $held->{$port} = $s if $held;
    return $port;
}

# wait_for_log($pos, $re[, $file]): the text of $file (default: the error
# log of setup()'s prefix) written after $pos once it matches $re, undef on
# timeout
sub wait_for_log {
    my ($pos, $re, $file) = @_;
    $file //= $LOG;
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        if (open my $in, '<', $file) {
            seek $in, $pos, 0;
            my $text = do { local $/; <$in> } // '';
            close $in;
            return $text if $text =~ $re;
        }
        sleep 0.05;
    }
    return undef;
}

# wait_for_pid_file([$file]): the master's pid, once its pid file (default:
# setup()'s) is there; stop_nginx stops it
sub wait_for_pid_file {
    my ($file) = @_;
    $file //= $PIDFILE;
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        if (open my $in, '<', $file) {
            my $pid = <$in>;
            close $in;
            if (defined $pid && $pid =~ /^(\d+)\s*$/) {
                $MASTER = $1;
                return $MASTER;
            }
        }
        sleep 0.05;
    }
    return undef;
}

# wait_for_port($port): true once something accepts connections on
# 127.0.0.1:$port, false on timeout
sub wait_for_port {
    my ($port) = @_;
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $port, Proto => 'tcp',
                                      Timeout => 1);
        if ($s) {
            close $s;
            return 1;
        }
        sleep 0.05;
    }
    return 0;
}

# new_worker($old[, $path]): the pid of a worker other than $old that
# answers $path (default: dev-a's profile) with its pid in X-Pid, undef on
# timeout
sub new_worker {
    my ($old, $path) = @_;
    $path //= '/as/dev-a/profile.cfg';
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        my $pid = get($path, 1)->{h}{'x-pid'};
        return $pid if $pid && $pid ne $old;
        sleep 0.05;
    }
    return undef;
}

# wait_for_new_worker($old, $what): after a good reload, wait until the
# old worker is gone (so that every later request meets the new one) and
# return the new worker's pid (undef if none answers); two test results
sub wait_for_new_worker {
    my ($old, $what) = @_;
    my $new = new_worker($old);
    ok($new, "$what: a new worker answers") or return;
    ok(wait_for_exit($old, $TIMEOUT), "$what: the old worker $old exited");
    return $new;
}

# kill 0 reports a zombie as alive: look at /proc too
sub alive {
    my ($pid) = @_;
    return 0 unless $pid && kill 0, $pid;
    if (open my $st, '<', "/proc/$pid/stat") {
        my $line = <$st> // '';
        close $st;
        return 0 if $line =~ /^\d+ \(.*\) Z/s;
    }
    return 1;
}

# wait_for_exit($pid[, $seconds]): true once $pid is gone, false after
# $seconds (default 5)
sub wait_for_exit {
    my ($pid, $seconds) = @_;
    my $deadline = time + ($seconds // 5);
    while (time < $deadline && alive($pid)) {
        sleep 0.05;
    }
    return !alive($pid);
}

# GET over plain HTTP/1.1 from the front server; {code, h => {lc name =>
# value}, body}.  $quiet: no test failure on a connection error.
sub get {
    my ($path, $quiet) = @_;
    my $res = { code => 0, h => {}, body => '' };
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $PORT,
                                  Proto => 'tcp', Timeout => $TIMEOUT);
    if (!$s) {
        fail("connect for $path: $!") unless $quiet;
        return $res;
    }
    $s->autoflush(1);
    print $s "GET $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    my $sel = IO::Select->new($s);
    my $raw = '';
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        last unless $sel->can_read($deadline - time);
        my $n = sysread($s, my $buf, 65536);
        last unless $n;
        $raw .= $buf;
    }
    close $s;
    my ($head, $body) = split /\r\n\r\n/, $raw, 2;
    $head //= '';
    my @lines = split /\r\n/, $head;
    my $status = shift(@lines) // '';
    ($res->{code}) = $status =~ m{^HTTP/\d\.\d (\d{3})};
    $res->{code} //= 0;
    for (@lines) {
        my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
        $res->{h}{lc $k} = $v;
    }
    $res->{body} = $body // '';
    $WORKERS{$res->{h}{'x-pid'}} = 1 if $res->{h}{'x-pid'};
    if ($res->{code} == 0 && !$quiet) {
        fail("no HTTP response for $path");
    }
    return $res;
}

# slurp($path): the whole file; dies when it cannot be read, so that a
# missing log fails the test instead of passing an unlike()
sub slurp {
    my ($path) = @_;
    open my $in, '<', $path or die "open $path: $!";
    binmode $in;
    local $/;
    my $text = <$in> // '';
    close $in;
    return $text;
}

# write_file($path, $text): byte for byte, making the folders it needs
sub write_file {
    my ($path, $text) = @_;
    make_path(dirname($path));
    open my $out, '>', $path or die "open $path: $!";
    binmode $out;
    print $out $text;
    close $out or die "close $path: $!";
}

# Stop the nginx the test started: QUIT, then TERM, then KILL, bounded.
sub stop_nginx {
    return unless $MASTER && alive($MASTER);
    for my $sig (qw(QUIT TERM KILL)) {
        kill $sig, $MASTER;
        last if wait_for_exit($MASTER);
    }
    # workers of a killed master exit by themselves once it is gone;
    # give them a moment so the temporary prefix can be removed
    my $deadline = time + 5;
    while (time < $deadline && grep { alive($_) } keys %WORKERS) {
        sleep 0.05;
    }
}

END {
    local $?;
    stop_nginx();
}

1;
