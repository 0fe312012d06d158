# What a hostile review of "prov_acl lmdb:PATH" found (issue 16), each
# block failing before its fix:
#
# - the lock file PATH-lock a symbolic link (or a hard link) planted by
#   whoever can write the database's folder (the workers' user, when an
#   operator gives it the folder): nginx, started as root, wrote LMDB's
#   lock header into the file it points at and gave that file to the
#   workers' user (chown follows links): /etc/shadow, a cron file, ...
# - PATH a symbolic link: LMDB names the lock file after the path it is
#   given, so nginx (PATH-lock next to the link) and prov-acl run on the
#   real file (its own lock file) did not share their readers table nor
#   the last transaction id: nginx's workers never saw a commit (the
#   transaction id of their lock file never moves), a kept-alive
#   connection kept its allow after a revocation.
# - PATH-lock removed while nginx runs (an operator clearing "stale
#   locks"): prov-acl made a new one, the same split.
# - PATH overwritten in place (cp staging.db PATH: same file, same lock
#   file): a kept-alive connection kept the allow of the list before, as
#   long as the lock file's transaction id did not move (no commit since;
#   the new file may even have the same id), and the workers read the new
#   file through the meta page that id names (perhaps an older list).
# - prov-acl dump (and get) of a database written by hand (mdb_load): an
#   id or an attribute value holding a newline printed as it was, whole
#   lines of another device's allow in the dump that the provider's
#   system imports on every node.
# - the file cut short (truncate; the first moment of a cp over it): the
#   worker died of SIGBUS at its next lookup; the master died of it in
#   nginx -t and in a reload (its check of the database).
#
# A plain Test::More test with an nginx of its own (t/lib/ProvNginx.pm).

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep time);

use lib 't/lib';
use ProvAcl;
use ProvTest;
use ProvNginx qw(get slurp wait_for_log write_file);

ProvAcl::skip_unless_built();

my ($PREFIX, $PORT) = ProvNginx::setup('prov-lmdb-attack');
my $CONF = "$PREFIX/conf/nginx.conf";
my $LOG = $ProvNginx::LOG;
my $MASTER;

# the real database, and the path nginx is given: a link to it
my $REAL = "$PREFIX/real/devices.db";
my $LINK = "$PREFIX/devices.db";
mkdir "$PREFIX/real" or die "mkdir: $!";
ProvAcl::create($REAL, "000e08abcdef allow\n", "000e08abcdf0 allow\n");
symlink $REAL, $LINK or die "symlink: $!";

my $backend = ProvTest::backend(
    verify => 'on',
    server => "prov on;\nprov_id ST mac;\nprov_acl lmdb:$LINK;\n"
            . "add_header X-Pid \$pid always;\n",
);

write_file($CONF, ProvNginx::conf($backend, ProvTest::front()));

ProvNginx::test(\&run);


sub run {
    lock_links();
    tool_lock_links();
    dump_injection();

    $MASTER = ProvNginx::start() or return;

    linked_path('/ka/dev-a/profile.cfg', 'kept-alive', '000e08abcdef');
    linked_path('/as/dev-b/profile.cfg', 'new connections', '000e08abcdf0');
    linked_path('/ka/dev-a/profile.cfg', 'prov-acl on the link',
                '000e08abcdef', $LINK);
    lock_removed();
    overwritten('same');
    overwritten('other');
    truncated();
}


# the file cut short under running nginx (truncate, or the first moment of
# a cp over it): the worker's map reaches past the end of the file, and
# LMDB's next read of it is a SIGBUS that killed the worker (and every
# request it held): a refusal, the worker alive
sub truncated {
    my $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 200, 'truncated: allowed before') or return;
    my $worker = $r->{h}{'x-pid'};
    my $pos = -s $LOG;
    truncate $REAL, 0 or die "truncate: $!";
    $r = get('/as/dev-b/profile.cfg', 1);
    is($r->{code} // 0, 500, 'truncated: refused (500)');
    is($r->{h}{'x-pid'} // '', $worker, 'by the same worker');
    sleep 0.5;
    my $log = substr(slurp($LOG), $pos);
    unlike($log, qr/exited on signal/, 'no worker died');
    like($log, qr/\[alert\] .*access list database "\Q$LINK\E" was cut short while nginx read it \(SIGBUS\)/,
         'the alert says what happened');

    # whole again: prov-acl makes a new list, put at the path (another
    # file: refused until a reload, as any replaced file).  Made while the
    # old file still exists, so that it cannot get the old one's inode
    # number back (a file system reuses a freed one at once)
    ProvAcl::create("$REAL.new", "000e08abcdf0 allow\n");
    unlink "$REAL.new-lock", "$REAL-lock";
    rename "$REAL.new", $REAL or die "rename: $!";
    sleep 1.1;
    $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 500, 'a new file there: refused until a reload');
    is($r->{h}{'x-pid'}, $worker, 'by the same worker, still');

    # its meta pages whole, the rest cut off: the master's check reads past
    # the end of the file
    truncate $REAL, 8192 or die "truncate: $!";
    my ($rc, $out) = ProvNginx::nginx('-t');
    ok($rc != 0 && $rc < 128, "cut short: nginx -t fails (exit $rc), "
                              . 'no signal');
    like($out, qr/access list database "\Q$LINK\E" was cut short while nginx read it \(SIGBUS\)/,
         'cut short: nginx -t says so');
    # nginx -s reload reads the configuration too: the signal itself
    $pos = -s $LOG;
    kill 'HUP', $MASTER or die "kill: $!";
    ok(wait_for_log($pos, qr/was cut short while nginx read it/),
       'cut short: the reload fails, saying so');
    sleep 0.5;
    ok(ProvNginx::alive($MASTER), 'the master is alive');
    $r = get('/as/dev-b/profile.cfg');
    is($r->{h}{'x-pid'}, $worker, 'the same worker answers');
}


# the staging copy, with as many commits as $REAL ('same' transaction id)
# or fewer ('other'), denies dev-a and allows dev-b; $REAL is overwritten
# with it in place (cp: the same inode)
sub overwritten {
    my ($txn) = @_;
    ProvAcl::set($REAL, '000e08abcdef', 'allow');
    ProvAcl::set($REAL, '000e08abcdf0', 'allow');
    my $staging = "$PREFIX/staging-$txn.db";
    ProvAcl::create($staging, "000e08abcdef deny\n", "000e08abcdf0 allow\n");
    my $n = 0;
    while (txnid($staging) < txnid($REAL) - ($txn eq 'same' ? 0 : 2)) {
        ProvAcl::set($staging, '000e08abcdf0', 'allow', 'n=' . $n++);
    }
    ProvAcl::set($staging, '000e08abcdf0', 'allow') if $txn ne 'same';
    is(txnid($staging) == txnid($REAL) ? 'same' : 'other', $txn,
       "overwritten, $txn transaction id: the staging copy's");

    my $r = get('/ka/dev-a/profile.cfg');
    is($r->{code}, 200, "overwritten, $txn transaction id: allowed before")
        or return;
    my ($conn) = ($r->{h}{'x-conn'} // '') =~ m{^(\d+)/};
    $r = get('/ka/dev-a/profile.cfg');
    is($r->{code}, 200, "overwritten, $txn transaction id: allowed again");

    system('cp', $staging, $REAL) == 0 or die "cp: $?";
    sleep 1.1;

    $r = get('/ka/dev-a/profile.cfg');
    isnt($r->{code}, 200, "overwritten in place, $txn transaction id: "
         . "kept-alive dev-a no longer allowed ($r->{code})");
    like($r->{h}{'x-conn'} // '', qr{^$conn/}, 'on the same connection');
    $r = get('/as/dev-a/profile.cfg');
    isnt($r->{code}, 200, "overwritten in place, $txn transaction id: "
         . "dev-a no longer allowed ($r->{code})");

    # the next commit of prov-acl sets the lock file right
    ProvAcl::set($REAL, '000e08abcdc1', 'deny');
    $r = get('/ka/dev-a/profile.cfg');
    is($r->{code}, 403, "overwritten, $txn transaction id, then a commit: "
       . 'dev-a denied by the new list');
    $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 200, "overwritten, $txn transaction id, then a commit: "
       . 'dev-b allowed');
}


# the last transaction id of a database, as mdb_stat -e says
sub txnid {
    my ($db) = @_;
    my $out = `mdb_stat -n -e '$db' 2>&1`;
    $out =~ /Last transaction ID: (\d+)/ or die "mdb_stat $db: $out";
    return $1;
}


# PATH-lock removed under running nginx; prov-acl makes another: within a
# second (the path is compared with the open files once a second) the
# workers use the new one, and see every commit again
sub lock_removed {
    ProvAcl::set($REAL, '000e08abcdef', 'allow');
    my $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'lock file removed: allowed before') or return;
    unlink "$REAL-lock" or die "unlink: $!";
    ProvAcl::set($REAL, '000e08abcdef', 'deny');
    sleep 1.1;
    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 403, 'lock file removed, then a revocation: refused');
    ProvAcl::set($REAL, '000e08abcdef', 'allow');
    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'lock file removed: allowed again at once');
    ProvAcl::set($REAL, '000e08abcdef', 'deny');
    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 403, 'lock file removed: revoked again at once');
}


# nginx -t as root with "user nobody nogroup", PATH-lock a symbolic link to
# a root file, to a path that does not exist, and a hard link to a root
# file: none of them written, created or given away; nginx -t fails
sub lock_links {
    SKIP: {
        skip 'not root: nginx changes no owner', 9 if $> != 0;
        my ($uid, $gid) = ((getpwnam 'nobody')[2], (getgrnam 'nogroup')[2]);
        skip 'no user nobody or group nogroup', 9
            unless defined $uid && defined $gid;

        my $dir = "$PREFIX/locks";
        mkdir $dir or die "mkdir: $!";
        my %victim;
        for my $kind (qw(symlink dangling hardlink)) {
            my $db = "$dir/$kind.db";
            ProvAcl::create($db, "000e08abcdef allow\n");
            unlink "$db-lock" or die "unlink: $!";
            my $victim = "$dir/$kind.victim";
            $victim{$kind} = $victim;
            if ($kind ne 'dangling') {
                write_file($victim, "root's secret\n");
                chmod 0600, $victim;
            }
            if ($kind eq 'hardlink') {
                link $victim, "$db-lock" or die "link: $!";
            } else {
                symlink $victim, "$db-lock" or die "symlink: $!";
            }

            my $conf = ProvNginx::conf(ProvTest::backend(
                verify => 'on',
                server => "prov on;\nprov_id ST mac;\nprov_acl lmdb:$db;\n"),
                ProvTest::front());
            $conf =~ s/^user root;$/user nobody nogroup;/m
                or die 'no user line';
            write_file("$PREFIX/conf/$kind.conf", $conf);
            my ($rc, $out) = ProvNginx::run(ProvTest::nginx_command(),
                '-p', "$PREFIX/", '-c', "$PREFIX/conf/$kind.conf",
                '-e', "$PREFIX/logs/$kind.log", '-t');
            isnt($rc, 0, "lock file a $kind: nginx -t fails");
            like($out, qr/\Q$db-lock\E/, "lock file a $kind: named")
                or diag($out);
            if ($kind eq 'dangling') {
                ok(!-e $victim, 'dangling symlink: nothing created')
                    or unlink $victim;
            } else {
                my @st = stat $victim;
                ok($st[4] == 0 && slurp($victim) eq "root's secret\n",
                   "lock file a $kind: its target untouched, root's")
                    or diag("owner $st[4]:$st[5], "
                            . length(slurp($victim)) . ' bytes');
            }
        }
    }
}


# a database written by hand: "devices" entries prov-acl never writes
# (an id and an attribute value with a newline, a space, a control
# character): dump and get refuse them rather than print lines of their own
sub dump_injection {
    my $db = "$PREFIX/crafted.db";
    ProvAcl::create($db, "000e08abcdef deny\n");
    my $attr = "x\n000e08000001 allow";
    my %entries = (
        '000e08abcdef' => pack('C v C a* v a*', 0x04, 1, 1, 'a',
                               length $attr, $attr),
        "000e08abcdf1 allow\n000e08abcdf2" => "\x00",
        '000e08abcdf3' => pack('C v C a* v a*', 0x05, 1, 1, 'a', 3, "x y"),
        '000e08abcdf4' => pack('C v C a* v a*', 0x05, 1, 1, 'a', 2, "x\r"),
        '000e08abcdf5' => pack('C v C a* v a*', 0x05, 1, 2, 'a b', 1, "x"),
    );
    my $in = "VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n"
           . join('', map { ' ' . unpack('H*', $_) . "\n "
                            . unpack('H*', $entries{$_}) . "\n" }
                          sort keys %entries)
           . "DATA=END\n";
    open my $p, '|-', 'mdb_load', '-n', '-s', 'devices', $db
        or die "mdb_load: $!";
    print $p $in;
    close $p or die "mdb_load failed: $?";

    my $r = ProvAcl::run('dump', $db);
    unlike($r->{out}, qr/allow/, 'dump of a crafted database: no allow line')
        or diag($r->{out});
    isnt($r->{status}, 0, 'dump of a crafted database: fails');
    for my $id (qw(000e08abcdef 000e08abcdf3 000e08abcdf4 000e08abcdf5)) {
        $r = ProvAcl::run('get', $db, $id);
        is($r->{out}, '', "get $id of a crafted database: nothing printed");
        isnt($r->{status}, 0, "get $id of a crafted database: fails");
    }
}


# prov-acl (an operator's, as root) on a database whose lock file is a
# link: refused, the file it names untouched
sub tool_lock_links {
    my $dir = "$PREFIX/tool";
    mkdir $dir or die "mkdir: $!";
    for my $kind (qw(symlink hardlink)) {
        my $db = "$dir/$kind.db";
        ProvAcl::create($db, "000e08abcdef allow\n");
        unlink "$db-lock" or die "unlink: $!";
        my $victim = "$dir/$kind.victim";
        write_file($victim, "someone's file\n");
        if ($kind eq 'hardlink') {
            link $victim, "$db-lock" or die "link: $!";
        } else {
            symlink $victim, "$db-lock" or die "symlink: $!";
        }
        my $r = ProvAcl::run('set', $db, '000e08abcdef', 'deny');
        isnt($r->{status}, 0, "prov-acl, lock file a $kind: refused");
        like($r->{err}, qr/\Q$db-lock\E/, "prov-acl, lock file a $kind: named");
        is(slurp($victim), "someone's file\n",
           "prov-acl, lock file a $kind: its target untouched");
    }
}


# PATH a symbolic link to the database that prov-acl changes by its real
# path: nginx must see each commit (one lock file for both)
sub linked_path {
    my ($path, $what, $id, $db) = @_;
    $db //= $REAL;
    ProvAcl::set($db, $id, 'allow');
    my $r = get($path);
    is($r->{code}, 200, "linked path, $what: allowed") or return;
    ProvAcl::set($db, $id, 'deny');
    $r = get($path);
    is($r->{code}, 403, "linked path, $what: prov-acl set deny: refused at "
                        . 'the next request');
    ProvAcl::set($db, $id, 'allow', 'x=1');
    ProvAcl::set($db, $id, 'deny');
    $r = get($path);
    is($r->{code}, 403, "linked path, $what: and after two more commits");
}
