# The access list's table is sized by the lines that can name a device,
# not by every line: blank and comment lines take no room.  A table of 16
# slots (16 bytes each) is filled to 3/4 at most: 12 devices fit it, 13
# take 32 slots; one device among 2,000,000 blank and comment lines takes
# 16, where sizing by lines made 4,194,304 (64 MB).
#
# What is observed is the loader's debug line "prov acl "<file>": N
# devices, M slots, T ms".  nginx logs what its configuration's loading
# says into the log of the configuration in force: at the first start that
# is nginx's own, at "notice", so the line shows on a reload only, into an
# error_log at "debug".  Hence a plain Test::More test that starts its own
# nginx (ProvNginx, as t/032-acl-reload.t) and reloads it with each list.
# It needs an nginx built --with-debug (Debian's is, and every build of
# the suite's scripts); it is skipped, saying so, with any other.

use strict;
use warnings;

use Test::More;

use lib 't/lib';
use ProvTest;
use ProvNginx qw(get wait_for_log wait_for_new_worker write_file);

my (undef, $VERSION) = ProvNginx::run(ProvTest::nginx_command(), '-V');
plan skip_all => 'nginx not built --with-debug: no debug log to read the '
                 . 'table size in' unless $VERSION =~ /--with-debug\b/;

my ($PREFIX, $PORT) = ProvNginx::setup('prov-acl-size');
my $ACL = "$PREFIX/html/acl";
my $LOG = $ProvNginx::LOG;

write_file("$PREFIX/conf/nginx.conf", config());

# the lines that name no device, in every form the loader knows
my $NOTHING = "\n" . "  \t \r\n" . "# a comment\n" . "\r\n" . "   # indented\n"
            . "#000e08abcdf0 allow\n" . "\t#\tallow\n";

# devices(N): N devices (none of them dev-a) in every layout, each
# followed by every form of line that names none
sub devices {
    my ($n) = @_;
    return join '', map {
        sprintf("%s000e08abcd%02x allow%s\n", ('', "\t", '  ', " \r")[$_ % 4],
                $_, ('', ' # trailing', "\r", " account=1\t#x")[$_ % 4])
        . $NOTHING
    } 1 .. $n;
}

ProvNginx::test(\&run);


sub run {
    write_file($ACL, "000e08abcdef allow account=0\n");

    ProvNginx::start() or return;
    my $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, 200, 'start: dev-a allowed') or return;
    my $worker = $r->{h}{'x-pid'};

    $worker = load('one device among 2,000,000 lines that name none',
                   "000e08abcdef allow account=1\n" . ($NOTHING x 285715),
                   1, 16, $worker, 200, '1');
    $worker = load('12 devices among lines that name none',
                   devices(12), 12, 16, $worker, 403, '');
    $worker = load('13 devices among lines that name none',
                   devices(13), 13, 32, $worker, 403, '');
    $worker = load('dev-a and 12 devices, a byte order mark first',
                   "\xef\xbb\xbf" . devices(12)
                   . "000e08abcdef allow account=13\n",
                   13, 32, $worker, 200, '13');
}

# load(WHAT, LIST, DEVICES, SLOTS, WORKER, dev-a's STATUS, ACCOUNT): the
# list reloaded; the debug line says DEVICES and SLOTS; dev-a gets STATUS
# from the new worker.  Returns the new worker.
sub load {
    my ($what, $list, $devices, $slots, $worker, $status, $account) = @_;
    write_file($ACL, $list);
    my $pos = -s $LOG;
    my ($rc, $out) = ProvNginx::nginx('-s', 'reload');
    is($rc, 0, "$what: nginx -s reload") or diag($out);
    my $log = wait_for_log($pos, qr/prov acl "\Q$ACL\E": \d+ devices, \d+ slots/);
    ok(defined $log, "$what: the loader's debug line") or return $worker;
    my ($d, $s) = $log =~ /prov acl "\Q$ACL\E": (\d+) devices, (\d+) slots/;
    is($d, $devices, "$what: $devices devices");
    is($s, $slots, "$what: $slots slots");
    my $new = wait_for_new_worker($worker, $what) or return $worker;
    my $r = get('/as/dev-a/profile.cfg');
    is($r->{code}, $status, "$what: dev-a $status");
    is($r->{h}{'x-account'} // '', $account, "$what: dev-a account");
    return $new;
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
    return ProvNginx::conf($backend, ProvTest::front(), 'debug');
}
