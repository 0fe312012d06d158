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
use Time::HiRes qw(sleep time);

use lib 't/lib';
use ProvTest;
use ProvNginx qw(alive get stop_nginx wait_for_log wait_for_pid_file
                write_file);

# a shell command line (valgrind's options have no quotes)
my $NGINX = join ' ', ProvTest::nginx_command();
# empty when the module is compiled into the binary (make test-asan)
plan skip_all => 'TEST_NGINX_LOAD_MODULES not set and no build/ngx_http_prov_module.so'
    unless defined ProvTest::load_modules();

my ($PREFIX, $PORT) = ProvNginx::setup('prov-respawn');
my $CONF = "$PREFIX/conf/nginx.conf";
my $LOG = "$PREFIX/logs/error.log";
my $PIDFILE = "$PREFIX/logs/nginx.pid";
my $TIMEOUT = $ProvNginx::TIMEOUT;     # seconds, for every wait below
my $MASTER;                 # the pid of the nginx this test started

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
    return ProvNginx::conf($backend, $front);
}
