package ProvNginx;

# For the plain Test::More tests that start an nginx of their own (master
# process and workers, reloads, signals: t/032-acl-reload.t,
# t/033-reload-respawn.t): waiting for its pid file and log lines, GET
# requests to its front server, and stopping it at the end.
#
#   my ($PREFIX, $PORT) = ProvNginx::setup('prov-acl-reload');
#   write_file("$PREFIX/conf/nginx.conf", ProvNginx::conf($backend, $front));
#   $MASTER = wait_for_pid_file();
#   my $r = get('/as/dev-a/profile.cfg');    # {code, h => {...}, body}

use strict;
use warnings;

use Exporter 'import';
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep time);

use ProvTest;

our @EXPORT_OK = qw(alive get stop_nginx wait_for_log wait_for_pid_file
                    write_file);

our ($PREFIX, $LOG, $PIDFILE, $PORT);
our $TIMEOUT = 10;          # seconds, for every wait
our $MASTER;                # the pid of the nginx the test started
my %WORKERS;                # worker pids seen in X-Pid

# setup($name): a temporary prefix (conf, logs, html with ProvTest's
# profile.cfg, removed at the end) and a free port for the front server;
# returns both
sub setup {
    my ($name) = @_;

    $PREFIX = tempdir("$name-XXXXXX", TMPDIR => 1, CLEANUP => 1);
    $LOG = "$PREFIX/logs/error.log";
    $PIDFILE = "$PREFIX/logs/nginx.pid";

    mkdir "$PREFIX/$_" or die "mkdir $PREFIX/$_: $!" for qw(conf logs html);
    write_file("$PREFIX/html/profile.cfg", $ProvTest::PROFILE);

    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "no free port: $!";
    $PORT = $s->sockport;
    close $s;

    return ($PREFIX, $PORT);
}

# nginx.conf of a master with one worker, daemonised, logging into the
# prefix: the backend's http-level text (ProvTest::backend) and the front
# server's locations (ProvTest::front) on 127.0.0.1:$PORT
sub conf {
    my ($backend, $front) = @_;
    my $load = ProvTest::load_modules();
    die "no module to load: TEST_NGINX_LOAD_MODULES\n" unless defined $load;
    my $user = $> == 0 ? 'user root;' : '';
    my $conf = <<"_EOC_";
$load
$user
worker_processes 1;
master_process on;
daemon on;
error_log $LOG info;
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

# error log text written after $pos once it matches $re, undef on timeout
sub wait_for_log {
    my ($pos, $re) = @_;
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        if (open my $in, '<', $LOG) {
            seek $in, $pos, 0;
            my $text = do { local $/; <$in> } // '';
            close $in;
            return $text if $text =~ $re;
        }
        sleep 0.05;
    }
    return undef;
}

# the master's pid, once its pid file is there (stop_nginx stops it)
sub wait_for_pid_file {
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        if (open my $in, '<', $PIDFILE) {
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

sub write_file {
    my ($path, $text) = @_;
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
        my $deadline = time + 5;
        while (time < $deadline && alive($MASTER)) {
            sleep 0.05;
        }
        last unless alive($MASTER);
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
