# "prov_acl lmdb:PATH" while nginx runs (a master and one worker, as an
# operator runs it): a change made with prov-acl is seen by the next
# request on the same kept-alive TLS connection and on the same HTTP/2
# connection, without a reload (revoke, re-allow, delete); prov_status
# follows the generation; a worker killed with SIGKILL, again and again,
# leaves no reader slot behind (its respawned successor clears them); the
# database removed or replaced under nginx: refusals (500 and an alert),
# never a stale allow, no crash, and a reload opens the new file.
#
# A plain Test::More test with an nginx of its own (t/lib/ProvNginx.pm),
# as t/032-acl-reload.t: the data-driven format cannot act between two
# requests.  PROV_LMDB_KILLS sets the number of worker kills (default
# 1000, the issue's count; the readers table holds 126 slots).

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep time);

use lib 't/lib';
use ProvAcl;
use ProvTest;
use ProvNginx qw(get new_worker slurp wait_for_exit wait_for_log write_file);

my $KILLS = $ENV{PROV_LMDB_KILLS} // 1000;

my ($PREFIX, $PORT) = ProvNginx::setup('prov-lmdb-live');
my $CONF = "$PREFIX/conf/nginx.conf";
my $LOG = $ProvNginx::LOG;
my $DB = "$PREFIX/devices.db";

ProvAcl::create($DB, "000e08abcdef allow account=1042\n",
                "000e08abcdf0 allow\n");

my $backend = ProvTest::backend(
    verify => 'on',
    server => "prov on;\nprov_id ST mac;\nprov_acl lmdb:$DB;\n"
            . "add_header X-Account \"\$prov_acl_account\" always;\n"
            . "add_header X-Pid \$pid always;\n",
    extra => "location = /status { prov off; prov_status; }\n",
);

write_file($CONF, ProvNginx::conf($backend, ProvTest::front()));

ProvNginx::test(\&run);


sub run {
    lock_owner();

    my $master = ProvNginx::start() or return;

    same_connection('/ka/dev-a/profile.cfg', 'kept-alive TLS');
    same_connection('/h2ka/dev-a/profile.cfg', 'HTTP/2');

    my %s = ProvAcl::stat($DB);
    my $status = get('/plain/status')->{body};
    like($status, qr/"devices":2,"load_ms":\d+,"serial":0,"generation":$s{generation},"available":true/,
         "prov_status: the generation of the last commit ($s{generation})");

    worker_kills($master);
    grown();
    removed($master);
}


# nginx -t as root with "user nobody nogroup": the lock file (prov-acl
# made it, owned by root) is given to the workers' user and group, who
# write their reader slots into it
sub lock_owner {
    SKIP: {
        skip 'not root: nginx cannot change owners', 3 if $> != 0;
        my ($uid, $gid) = ((getpwnam 'nobody')[2], (getgrnam 'nogroup')[2]);
        skip 'no user nobody or group nogroup', 3
            unless defined $uid && defined $gid;
        is((stat "$DB-lock")[4], 0, 'prov-acl made the lock file, as root');
        my $conf = slurp($CONF);
        $conf =~ s/^user root;$/user nobody nogroup;/m or die 'no user line';
        write_file("$PREFIX/conf/nobody.conf", $conf);
        my ($rc, $out) = ProvNginx::run(ProvTest::nginx_command(),
            '-p', "$PREFIX/", '-c', "$PREFIX/conf/nobody.conf", '-e', $LOG,
            '-t');
        is($rc, 0, 'nginx -t with "user nobody nogroup"') or diag($out);
        is(join(':', (stat "$DB-lock")[4, 5]), "$uid:$gid",
           'the lock file belongs to nobody:nogroup');
    }
}


# allow, deny, allow again, delete (not listed), allow: each answer on the
# connection of the first request, each change seen by the next request
sub same_connection {
    my ($path, $what) = @_;

    ProvAcl::set($DB, '000e08abcdef', 'allow', 'account=1042');
    my $r = get($path);
    is($r->{code}, 200, "$what: allowed") or return;
    is($r->{h}{'x-account'}, '1042', "$what: its attribute");
    my ($conn) = ($r->{h}{'x-conn'} // '') =~ m{^(\d+)/};
    ok($conn, "$what: connection $conn") or return;

    my @steps = (
        [['set', '00:0E:08:AB:CD:EF', 'deny'], 403, 'denied', 'revoked'],
        [['set', '000e08abcdef', 'allow', 'account=7'], 200, 'allow',
         'allowed again, a new attribute'],
        [['delete', '000e08abcdef'], 403, 'not_listed', 'deleted'],
        # without attributes the connection keeps the allow while nothing
        # is committed (stat commits nothing): a commit ends it
        [['set', '000e08abcdef', 'allow'], 200, 'allow',
         'listed without attributes'],
        [['stat'], 200, 'allow', 'no commit: the allow kept'],
        [['stat'], 200, 'allow', 'no commit again'],
        [['set', '000e08abcdef', 'deny'], 403, 'denied',
         'revoked after a kept allow'],
        [['set', '000e08abcdef', 'allow', 'account=1042'], 200, 'allow',
         'listed again'],
    );

    for my $step (@steps) {
        my ($cmd, $code, $result, $name) = @$step;
        my $t = time;
        my $run = ProvAcl::run($cmd->[0], $DB, @{$cmd}[1 .. $#$cmd]);
        is($run->{status}, 0, "$what: prov-acl @$cmd") or diag($run->{err});
        $r = get($path);
        is($r->{code}, $code, "$what: $name: $code at the next request");
        is($r->{h}{'x-prov-result'}, $result, "$what: $name: $result");
        like($r->{h}{'x-conn'} // '', qr{^$conn/\d+$},
             "$what: $name: on the same connection ($conn)");
        is($r->{h}{'x-account'}, '7', "$what: the new attribute")
            if $name =~ /new attribute/;
    }
}


# max(1000, the readers table) SIGKILLs of the worker, each after it has
# opened the database and holds a reader slot: the respawned worker
# serves, and the table never fills up
sub worker_kills {
    my ($master) = @_;
    my $r = get('/as/dev-a/profile.cfg');
    my $worker = $r->{h}{'x-pid'};
    ok($worker, "worker $worker") or return;

    # another process holds the database open meanwhile (lmdb-utils'
    # mdb_load, waiting for its data): the respawned worker is then not its
    # only user, which would make LMDB reset the readers table itself; the
    # worker must clear the slots of the dead ones
    my $holder;
    open($holder, '|-', 'mdb_load', '-n', '-s', 'holder', $DB)
        or die "mdb_load: $!";
    $holder->autoflush(1);
    print $holder "VERSION=3\nformat=print\ntype=btree\nHEADER=END\n";
    sleep 0.2;

    my $readers_before = readers();
    my $t = time;
    my $failed = 0;

    for my $i (1 .. $KILLS) {
        kill 'KILL', $worker;
        my $new = new_worker($worker);
        if (!$new) {
            fail("kill $i: no new worker answers");
            return;
        }
        $worker = $new;
    }

    diag(sprintf "%d worker kills in %.1f s", $KILLS, time - $t);

    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, "after $KILLS kills, the respawned worker serves");
    is($r->{h}{'x-account'}, '1042', 'with the attributes');
    ok(ProvNginx::alive($master), 'the master is alive');

    my $readers = readers();
    close $holder;
    ok(defined $readers && $readers >= 1 && $readers <= 4,
       "reader slots in use after $KILLS kills: " . ($readers // 'none')
       . " (before: " . ($readers_before // 'none') . ")");
    unlike(slurp($LOG), qr/MDB_READERS_FULL|\[alert\].*mdb_/,
           'no reader table full, no LMDB error');
}


# the reader slots in the lock file as mdb_stat -r lists them (not -rr:
# that would clear stale ones, hiding a leak)
sub readers {
    my $out = `mdb_stat -n -r '$DB' 2>&1`;
    diag($out) if $ENV{PROV_LMDB_VERBOSE};
    return undef unless $out =~ /^Reader Table Status$/m;
    my @lines = grep { /^\s*\d+\s+[0-9a-f]+\s+(?:\d+|-)\s*$/ }
                split /\n/, $out;
    return scalar @lines;
}


# the data outgrows what a worker mapped (what the file held when it was
# opened, twice, at least 64 MiB): the next lookup maps it again
sub grown {
    my $before = -s $DB;
    my $pos = -s $LOG;
    my $pad = 'x' . ('0123456789abcdef' x 200);
    my $list = "000e08abcdef allow account=grown\n"
             . join('', map { sprintf "%012x allow pad=%s\n",
                                      2 * 2**40 + $_, $pad }
                            1 .. 30000);
    my $r = ProvAcl::run_in($list, 'import', $DB, '-');
    is($r->{status}, 0, 'import of 30,000 devices of 3 KB') or diag($r->{err});
    my $after = -s $DB;
    ok($after > 2 * $before && $after > 64 * 1024 * 1024,
       "the database grew from $before to $after bytes");
    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'after the growth: allowed');
    is($r->{h}{'x-account'}, 'grown', 'by the new list');
    $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 403, 'dev-b is no longer listed');
    unlike(substr(slurp($LOG), $pos), qr/\[alert\]/, 'no alert');
}


# the database renamed away, then another put at its path: refusals, never
# the old list's allows, the same worker alive; a reload opens the new one
sub removed {
    my ($master) = @_;
    my $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'before the removal: allowed') or return;
    my $worker = $r->{h}{'x-pid'};

    my $pos = -s $LOG;
    rename $DB, "$DB.old" or die "rename: $!";
    rename "$DB-lock", "$DB.old-lock" or die "rename: $!";
    sleep 1.1;      # the path is compared with the open file once a second

    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 500, 'removed: 500, no stale allow');
    is($r->{h}{'x-pid'}, $worker, 'the same worker');
    ok(wait_for_log($pos, qr/\[alert\] .*access list database "\Q$DB\E" was removed or replaced since nginx read its configuration: every device is refused; reload nginx/),
       'the alert names the database and what to do');

    # another database at the path, which would deny dev-a and allow dev-b
    ProvAcl::create($DB, "000e08abcdef deny\n", "000e08abcdf0 allow\n");
    sleep 1.1;

    for my $dev (qw(dev-a dev-b)) {
        $r = get("/as/$dev/profile.cfg");
        is($r->{code}, 500, "replaced: $dev refused (500) until a reload");
    }

    is($r->{h}{'x-pid'}, $worker, 'the same worker, no crash');

    my ($rc, $out) = ProvNginx::nginx('-s', 'reload');
    is($rc, 0, 'reload') or diag($out);
    ok(wait_for_exit($worker, 10), "the old worker $worker exited");

    $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 200, 'after the reload: the new list allows dev-b');
    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 403, 'and denies dev-a');
    is($r->{h}{'x-prov-result'}, 'denied', 'denied');
}
