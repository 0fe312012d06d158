# A reload that fails after the http block, then a worker that dies: the
# master respawns it from the configuration in force, and the respawned
# worker must serve and count as the old one did.
#
# Regression: the counters' shared zone was kept in a static variable,
# which the failed reload's postconfiguration pointed at a zone of its own
# cycle, freed when that cycle failed.  A respawned worker then counted
# into freed memory: garbage counts, prov_status answering 500, or a
# SIGSEGV in ngx_http_prov_status_count on every gated request, depending
# on what the memory held.  Found by stress/stress.sh's reasoning about
# reloads; the zone is now found through the cycle's main configuration.
#
# A plain Test::More test that starts its own nginx (master process, one
# worker), as t/032-acl-reload.t does, for the same reasons.

use strict;
use warnings;

use Test::More;
use File::Spec;
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(sleep time);

use lib 't/lib';
use ProvTest;

# a shell command line (valgrind's options have no quotes)
my $NGINX = join ' ', ProvTest::nginx_command();
# empty when the module is compiled into the binary (make test-asan)
my $LOAD = ProvTest::load_modules();
plan skip_all => 'TEST_NGINX_LOAD_MODULES not set and no build/ngx_http_prov_module.so'
    unless defined $LOAD;

my $PREFIX = tempdir('prov-respawn-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $CONF = "$PREFIX/conf/nginx.conf";
my $LOG = "$PREFIX/logs/error.log";
my $PIDFILE = "$PREFIX/logs/nginx.pid";
my $TIMEOUT = 10;           # seconds, for every wait below
my $MASTER;                 # the pid of the nginx this test started
my %WORKERS;                # worker pids seen in X-Pid

mkdir "$PREFIX/$_" or die "mkdir $PREFIX/$_: $!" for qw(conf logs html);
write_file("$PREFIX/html/profile.cfg", $ProvTest::PROFILE);

# a free port for the front server
my $PORT = do {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1)
        or die "no free port: $!";
    my $p = $s->sockport;
    close $s;
    $p;
};

my $GOOD = config();
write_file($CONF, $GOOD);

eval {
    run();
    1;
} or fail("the test died: $@");

stop_nginx();
done_testing();


sub run {
    my $out = `$NGINX -p $PREFIX/ -c $CONF -e $LOG 2>&1`;
    if (!is($?, 0, 'nginx starts')) {
        diag($out);
        return;
    }
    $MASTER = wait_for_pid_file();
    ok($MASTER, 'master pid') or return;

    my $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'dev-a gets its profile') or return;
    my $w1 = $r->{h}{'x-pid'};
    ok($w1, "answered by worker $w1") or return;
    my $before = counted();
    ok(defined $before && $before >= 1, 'prov_status counts it ('
       . ($before // 'none') . ')');

    # a configuration that fails after the http block, sent to the master
    # itself: the http block's postconfiguration has run for the new cycle
    write_file($CONF, $GOOD . "bogus_after_http on;\n");
    my $pos = -s $LOG;
    ok(kill('HUP', $MASTER), 'SIGHUP with a configuration failing after http{}');
    my $log = wait_for_log($pos, qr/unknown directive "bogus_after_http"/);
    ok(defined $log, 'the master logs the failed reload');
    write_file($CONF, $GOOD);
    sleep 0.3;
    $r = get('/as/dev-a/profile.cfg');
    is($r->{h}{'x-pid'}, $w1, "worker $w1 still serves");

    # the worker dies; the master respawns one from its configuration
    ok(kill('KILL', $w1), "worker $w1 killed");
    my $w2 = wait_for_respawn($w1);
    ok($w2, 'the master respawned a worker') or return;

    $r = get('/as/dev-a/profile.cfg', 1);
    is($r->{code}, 200, 'the respawned worker serves dev-a');
    is($r->{body}, $ProvTest::PROFILE, 'the respawned worker gives the profile');
    is($r->{h}{'x-pid'}, $w2, "answered by the respawned worker $w2");
    $r = get('/as/dev-b/profile.cfg', 1);
    is($r->{code}, 200, 'the respawned worker serves dev-b');

    # three allowed requests since: one before the worker died, two after
    my $after = counted();
    ok(defined $after && defined $before && $after == $before + 3,
       'prov_status answers and counts in the zone it counted in before ('
       . ($before // 'none') . ' -> ' . ($after // 'none') . ', expected +3)');

    $log = slurp($LOG);
    unlike($log, qr/exited on signal (?!9\b)\d+/, 'no worker crashed');
}

# the "allow" counter of prov_status, undef unless it answers 200
sub counted {
    my $r = get('/prov-status', 1);
    return undef unless $r->{code} == 200;
    my ($n) = $r->{body} =~ /"allow":(\d+)/;
    return $n;
}

# the pid of a worker other than $old that answers (the front's /pid, not
# gated: a worker that crashes on gated requests answers it), undef on
# timeout
sub wait_for_respawn {
    my ($old) = @_;
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        my $r = get('/pid', 1);
        my $pid = $r->{code} == 200 ? $r->{body} : undef;
        return $pid if $pid && $pid ne $old;
        sleep 0.05;
    }
    return undef;
}

sub slurp {
    my ($path) = @_;
    open my $in, '<', $path or return '';
    local $/;
    my $text = <$in> // '';
    close $in;
    return $text;
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

sub wait_for_pid_file {
    my $deadline = time + $TIMEOUT;
    while (time < $deadline) {
        if (open my $in, '<', $PIDFILE) {
            my $pid = <$in>;
            close $in;
            if (defined $pid && $pid =~ /^(\d+)\s*$/) {
                return $1;
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

# Stop the nginx this test started: QUIT, then TERM, then KILL, bounded.
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

sub config {
    my $backend = ProvTest::backend(
        verify => 'on',
        server => <<'_EOC_',
        prov on;
        prov_id ST mac;
        add_header X-Pid "$pid" always;
_EOC_
    );
    my $front = ProvTest::front(extra => <<'_EOC_');
        location = /prov-status {
            prov_status;
        }

        location = /pid {
            return 200 "$pid";
        }
_EOC_
    my $user = $> == 0 ? 'user root;' : '';
    my $conf = <<"_EOC_";
$LOAD
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
