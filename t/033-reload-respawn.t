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
use Time::HiRes qw(sleep);

use lib 't/lib';
use ProvTest;
use ProvNginx qw(get new_worker slurp wait_for_log write_file);

my ($PREFIX, $PORT) = ProvNginx::setup('prov-respawn');
my $CONF = "$PREFIX/conf/nginx.conf";
my $LOG = $ProvNginx::LOG;

my $GOOD = config();
write_file($CONF, $GOOD);

ProvNginx::test(\&run);


sub run {
    my $master = ProvNginx::start() or return;

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
    ok(kill('HUP', $master), 'SIGHUP with a configuration failing after http{}');
    my $log = wait_for_log($pos, qr/unknown directive "bogus_after_http"/);
    ok(defined $log, 'the master logs the failed reload');
    write_file($CONF, $GOOD);
    sleep 0.3;
    $r = get('/as/dev-a/profile.cfg');
    is($r->{h}{'x-pid'}, $w1, "worker $w1 still serves");

    # the worker dies; the master respawns one from its configuration (the
    # front's /pid is not gated: a worker that crashes on gated requests
    # answers it)
    ok(kill('KILL', $w1), "worker $w1 killed");
    my $w2 = new_worker($w1, '/pid');
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
            add_header X-Pid "$pid";
            return 200 "$pid";
        }
_EOC_
    return ProvNginx::conf($backend, $front);
}
