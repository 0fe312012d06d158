# Reloads re-read the access list: a changed list takes effect, a broken
# one (or a FIFO in its place, refused without waiting for a writer, or a
# list still being written in place, its writer paused mid-line) fails the
# reload and the running configuration keeps serving.
#
# A plain Test::More test: Test::Nginx::Socket has no step that rewrites a
# file between requests and reloads nginx (its TEST_NGINX_USE_HUP mode
# reloads for every block, and the project's fallback does not support it),
# so this file starts its own nginx (master process, one worker) in a
# temporary prefix with the suite's usual front/backend configuration
# (ProvTest), edits the list, signals the master, and watches the answers.
# The X-Pid response header ($pid) tells which worker answered: a good
# reload replaces the worker, a failed one leaves the old worker serving.
#
# Environment as for the rest of the suite: TEST_NGINX_BINARY (default
# "nginx"), TEST_NGINX_LOAD_MODULES (default build/ngx_http_prov_module.so
# if it exists; set and empty: the module is compiled into the binary),
# TEST_NGINX_PROV_PKI (ProvTest makes the PKI when unset),
# TEST_NGINX_USE_VALGRIND (ProvTest::nginx_command).

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep);

use lib 't/lib';
use ProvTest qw(fingerprint);
use ProvNginx qw(alive get new_worker wait_for_exit wait_for_log
                 wait_for_new_worker write_file);
use ProvWriter;

my ($PREFIX, $PORT) = ProvNginx::setup('prov-acl-reload');
my $ACL = "$PREFIX/html/acl";
my $LOG = $ProvNginx::LOG;

write_file("$PREFIX/conf/nginx.conf", config());

my $V1 = <<'_EOF_';
000e08abcdef allow account=v1
000e08abcdf0 deny  account=v1-stolen
_EOF_

my $V2 = <<'_EOF_';
# a stolen, b recovered, full added
000e08abcdef deny  account=v2-stolen
00:0E:08:AB:CD:F0 allow account=v2
000e08abcd80 allow account=v2-full
_EOF_

my $BROKEN = <<'_EOF_';
000e08abcdef allow account=broken
000e08abcdf0 permit
000e08abcd80 allow account=broken-full
000E08ABCDEF deny
_EOF_

my $V3 = <<'_EOF_';
000e08abcdef allow account=v3
_EOF_

ProvNginx::test(\&run);


sub run {
    write_file($ACL, $V1);

    my $master = ProvNginx::start() or return;

    # the first configuration
    my $w1 = check_v1('start');
    return unless $w1;

    # a changed list: "nginx -s reload", a new worker with the new list
    write_file($ACL, $V2);
    my ($rc, $out) = ProvNginx::nginx('-s', 'reload');
    is($rc, 0, 'reload with a changed list: nginx -s reload succeeds')
        or diag($out);
    my $w2 = wait_for_new_worker($w1, 'reload with a changed list');
    return unless $w2;
    check_v2('after the reload', $w2);

    # a broken list: "nginx -t" and "nginx -s reload" refuse it, naming
    # every bad line
    write_file($ACL, $BROKEN);
    my @expected = (
        ['line 2', qr/^\Qnginx: [emerg] $ACL:2: unknown action "permit"\E$/],
        ['line 4', qr/^\Qnginx: [emerg] $ACL:4: duplicate id "000e08abcdef"\E$/],
        ['the count', qr/^\Qnginx: [emerg] 2 error(s) in access list "$ACL"\E(?: in \S+:\d+)?$/],
    );

    ($rc, $out) = ProvNginx::nginx('-t');
    isnt($rc, 0, 'broken list: nginx -t fails');
    check_stderr($out, \@expected, 'broken list: nginx -t');

    ($rc, $out) = ProvNginx::nginx('-s', 'reload');
    isnt($rc, 0, 'broken list: nginx -s reload fails (the configuration is read first)');
    check_stderr($out, \@expected, 'broken list: nginx -s reload');
    check_v2('after nginx -s reload with the broken list', $w2);

    # the master itself reloading the broken list (SIGHUP, as a process
    # manager may send it): it logs the errors and keeps the old workers
    my $pos = -s $LOG;
    ok(kill('HUP', $master), 'broken list: SIGHUP sent to the master');
    my $log = wait_for_log($pos, qr/\Q2 error(s) in access list "$ACL"\E/);
    ok(defined $log, 'broken list: the master logs the failed reload');
    $log //= '';
    like($log, qr/\[emerg\] \d+#\d+: \Q$ACL:2: unknown action "permit"\E$/m,
         'broken list: the master logs line 2');
    like($log, qr/\[emerg\] \d+#\d+: \Q$ACL:4: duplicate id "000e08abcdef"\E$/m,
         'broken list: the master logs line 4');
    unlike($log, qr/start worker process/,
           'broken list: no new worker started');
    ok(alive($master), 'broken list: the master still runs');
    sleep 0.3;
    check_v2('after SIGHUP with the broken list', $w2);

    # fixed again: the next reload works
    write_file($ACL, $V3);
    ($rc, $out) = ProvNginx::nginx('-s', 'reload');
    is($rc, 0, 'fixed list: nginx -s reload succeeds') or diag($out);
    my $w3 = wait_for_new_worker($w2, 'fixed list');
    return unless $w3;
    my $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'fixed list: dev-a allowed');
    is($r->{h}{'x-account'}, 'v3', 'fixed list: dev-a account=v3');
    $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 403, 'fixed list: dev-b not listed');
    is($r->{h}{'x-prov-result'}, 'not_listed', 'fixed list: $prov_result not_listed');

    # a FIFO where the list was: the master refuses it at once and keeps
    # its workers; opening it for reading would wait for a writer, and the
    # master would hang there (no reload, no respawn, no signal handled)
    unlink $ACL or die "unlink $ACL: $!";
    POSIX::mkfifo($ACL, 0644) or die "mkfifo $ACL: $!";
    $pos = -s $LOG;
    ok(kill('HUP', $master), 'FIFO: SIGHUP sent to the master');
    $log = wait_for_log($pos,
        qr/\[emerg\] \d+#\d+: \Qaccess list "$ACL" is not a regular file\E/);
    ok(defined $log, 'FIFO: the master refuses it at once');
    # a master still waiting is let go: a writer opens the FIFO
    if (!defined $log
        && sysopen(my $w, $ACL, POSIX::O_WRONLY() | POSIX::O_NONBLOCK()))
    {
        diag('FIFO: the master was waiting for a writer');
        close $w;
    }
    ok(alive($master), 'FIFO: the master still runs');
    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'FIFO: dev-a allowed');
    is($r->{h}{'x-account'}, 'v3', 'FIFO: dev-a account=v3, the list in force');
    is($r->{h}{'x-pid'}, $w3, "FIFO: answered by worker $w3");
    unlink $ACL or die "unlink $ACL: $!";
    write_file($ACL, $V3);

    # a list installed in place (">", "cp", a generator) and read before
    # its writer is done: dev-a's line written up to "allow", without its
    # pin and newline.  Read as a whole line, it would let dev-a's clone
    # (dev-a2, dev-a's subject with a key of its own) in.
    my $fp = fingerprint('dev-a');
    ProvWriter::paused($ACL,
                       "000e08abcdf0 allow account=v4\n"
                       . "000e08abcdef allow account=v4",
                       " sha256=$fp\n");
    my @partial = (
        ['line 2', qr/^\Qnginx: [emerg] $ACL:2: last line has no newline: the list may be cut short or still being written (replace lists atomically: write elsewhere, then mv)\E$/],
        ['the count', qr/^\Qnginx: [emerg] 1 error(s) in access list "$ACL"\E(?: in \S+:\d+)?$/],
    );
    ($rc, $out) = ProvNginx::nginx('-t');
    isnt($rc, 0, 'list being written: nginx -t fails');
    check_stderr($out, \@partial, 'list being written: nginx -t');
    ($rc, $out) = ProvNginx::nginx('-s', 'reload');
    isnt($rc, 0, 'list being written: nginx -s reload fails');
    check_stderr($out, \@partial, 'list being written: nginx -s reload');
    $pos = -s $LOG;
    ok(kill('HUP', $master), 'list being written: SIGHUP sent to the master');
    $log = wait_for_log($pos, qr/\Q1 error(s) in access list "$ACL"\E/);
    ok(defined $log, 'list being written: the master refuses it');
    unlike($log // '', qr/start worker process/,
           'list being written: no new worker started');
    sleep 0.3;
    for my $cert (qw(dev-a dev-a2)) {
        $r = get("/as/$cert/profile.cfg");
        is($r->{code}, 200, "list being written: $cert allowed (v3, unpinned)");
        is($r->{h}{'x-account'}, 'v3', "list being written: $cert account=v3");
        is($r->{h}{'x-pid'}, $w3, "list being written: answered by worker $w3");
    }

    # the writer done: the list loads, pinned
    for my $w (ProvWriter::finish()) {
        is($w->[1], '', $w->[0]);
    }
    ($rc, $out) = ProvNginx::nginx('-s', 'reload');
    is($rc, 0, 'list written: nginx -s reload succeeds') or diag($out);
    my $w4 = wait_for_new_worker($w3, 'list written');
    return unless $w4;
    $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'list written: dev-a allowed');
    is($r->{h}{'x-account'}, 'v4', 'list written: dev-a account=v4');
    $r = get('/as/dev-a2/profile.cfg');
    is($r->{code}, 403, 'list written: dev-a2, a clone, refused');
    is($r->{h}{'x-prov-result'}, 'pin_mismatch',
       'list written: $prov_result pin_mismatch');
    $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 200, 'list written: dev-b allowed');
    is($r->{h}{'x-account'}, 'v4', 'list written: dev-b account=v4');

    # prov_status counts in a shared zone that reloads keep: the list in
    # force now denies nobody, the denials counted are from before
    $r = get('/prov-status');
    is($r->{code}, 200, 'prov_status answers');
    my ($denied) = $r->{body} =~ /"denied":(\d+)/;
    my ($allowed) = $r->{body} =~ /"allow":(\d+)/;
    ok(defined $denied && $denied > 0,
       'prov_status: denials from before the reloads still counted ('
       . ($denied // 'none') . ')');
    ok(defined $allowed && $allowed >= 3,
       'prov_status: allowed requests of every configuration counted ('
       . ($allowed // 'none') . ')');
}

sub check_v1 {
    my ($when) = @_;
    my $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, "$when: dev-a allowed") or return;
    is($r->{body}, $ProvTest::PROFILE, "$when: dev-a gets the profile");
    is($r->{h}{'x-account'}, 'v1', "$when: dev-a account=v1");
    my $w = $r->{h}{'x-pid'};
    $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 403, "$when: dev-b denied");
    is($r->{h}{'x-prov-result'}, 'denied', "$when: dev-b \$prov_result denied");
    $r = get('/as/full/profile.cfg');
    is($r->{code}, 403, "$when: full not listed");
    is($r->{h}{'x-prov-result'}, 'not_listed', "$when: full \$prov_result not_listed");
    return $w;
}

sub check_v2 {
    my ($when, $worker) = @_;
    my $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 403, "$when: dev-a denied");
    is($r->{h}{'x-prov-result'}, 'denied', "$when: dev-a \$prov_result denied");
    is($r->{h}{'x-account'}, 'v2-stolen', "$when: dev-a account=v2-stolen");
    is($r->{h}{'x-pid'}, $worker, "$when: answered by worker $worker");
    $r = get('/as/dev-b/profile.cfg');
    is($r->{code}, 200, "$when: dev-b allowed");
    is($r->{body}, $ProvTest::PROFILE, "$when: dev-b gets the profile");
    is($r->{h}{'x-account'}, 'v2', "$when: dev-b account=v2");
    $r = get('/as/full/profile.cfg');
    is($r->{code}, 200, "$when: full allowed");
    is($r->{h}{'x-account'}, 'v2-full', "$when: full account=v2-full");
}

sub check_stderr {
    my ($out, $expected, $what) = @_;
    my @lines = split /\n/, $out;
    for my $e (@$expected) {
        my ($name, $re) = @$e;
        ok((grep { $_ =~ $re } @lines), "$what: prints $name")
            or diag("output:\n$out");
    }
}

sub config {
    my $backend = ProvTest::backend(
        verify => 'on',
        server => <<'_EOC_',
        prov on;
        prov_id ST mac;
        prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;
        add_header X-Account "$prov_acl_account" always;
        add_header X-Pid "$pid" always;
_EOC_
    );
    my $front = ProvTest::front(extra => <<'_EOC_');
        location = /prov-status {
            prov_status;
        }
_EOC_
    return ProvNginx::conf($backend, $front);
}
