# The access list's records (pins, non-MAC ids and attributes) fit in 2 GiB
# at most (32-bit offsets, an area that doubles as it fills): past it,
# "nginx -t" names the first line that does not fit, with the limit, once,
# and reads no further; one line less loads.
#
# A real list: 540,000 devices with a 4,000-byte attribute each (4,006
# bytes of record a device), 2.2 GB.  Here (2 cores) writing it takes some
# 5 s, each "nginx -t" some 9 s and 2.1 GB of memory.  The test is skipped,
# saying why, with less than 3 GiB of memory available or of free space in
# the temporary folder, when TEST_NGINX_PROV_NO_BIG is set, and under
# valgrind (TEST_NGINX_USE_VALGRIND: minutes, and twice the memory).
#
# A plain Test::More test (ProvNginx, as t/032-acl-reload.t) that only runs
# "nginx -t": the list is written line by line, never held in memory.

use strict;
use warnings;

use Test::More;

use lib 't/lib';
use ProvTest;
use ProvNginx qw(write_file);

my $LINES = 540000;
my $VALUE = 'x' x 4000;
my $RECORD = 2 + 1 + 1 + 2 + length($VALUE);    # count, key, value
my $FIT = int((2 ** 31 - 1) / $RECORD);         # offset 0 is no record

plan skip_all => 'TEST_NGINX_PROV_NO_BIG is set' if $ENV{TEST_NGINX_PROV_NO_BIG};
plan skip_all => 'under valgrind: minutes, and twice the memory'
    if $ENV{TEST_NGINX_USE_VALGRIND};
plan skip_all => 'less than 3 GiB of memory available'
    if available_memory() < 3 * 2 ** 30;

my ($PREFIX, $PORT) = ProvNginx::setup('prov-acl-records');
my $ACL = "$PREFIX/html/acl";

plan skip_all => "less than 3 GiB free in $PREFIX"
    if free_space($PREFIX) < 3 * 2 ** 30;

write_file("$PREFIX/conf/nginx.conf", config());

ProvNginx::test(\&run);


sub run {
    # line N: a device and its 4,000-byte attribute
    my $line = sub { sprintf "02%010x allow a=%s\n", $_[0], $VALUE };
    my $length = length($line->(1));

    open my $out, '>', $ACL or die "open $ACL: $!";
    print $out $line->($_) for 1 .. $LINES;
    close $out or die "close $ACL: $!";

    my ($rc, $out_t) = ProvNginx::nginx('-t');
    isnt($rc, 0, "records over 2 GiB: nginx -t fails");
    my @named = grep { /\Q$ACL\E:\d+:/ } split /\n/, $out_t;
    is(scalar @named, 1, 'records over 2 GiB: one line named')
        or diag($out_t);
    like($named[0] // '', qr/^\Qnginx: [emerg] $ACL:${\($FIT + 1)}: access list records exceed 2 GiB (pins, non-MAC ids and attributes)\E$/,
         "records over 2 GiB: line ${\($FIT + 1)} named, with the limit");
    like($out_t, qr/^\Qnginx: [emerg] 1 error(s) in access list "$ACL"\E/m,
         'records over 2 GiB: one error counted');

    # the lines that fit: loaded
    truncate($ACL, $FIT * $length) or die "truncate $ACL: $!";
    ($rc, $out_t) = ProvNginx::nginx('-t');
    is($rc, 0, "records of $FIT devices, 2 GiB less "
               . (2 ** 31 - 1 - $FIT * $RECORD) . " bytes: nginx -t succeeds")
        or diag($out_t);
}

# MemAvailable of /proc/meminfo, in bytes (0 if unknown)
sub available_memory {
    open my $in, '<', '/proc/meminfo' or return 0;
    while (<$in>) {
        return $1 * 1024 if /^MemAvailable:\s+(\d+) kB/;
    }
    return 0;
}

# free bytes in the file system of PATH (0 if unknown)
sub free_space {
    my ($path) = @_;
    my @df = `df -Pk '$path' 2>/dev/null`;
    return 0 unless @df >= 2;
    my @f = split ' ', $df[-1];
    return ($f[3] // 0) * 1024;
}


sub config {
    my $backend = ProvTest::backend(
        verify => 'on',
        server => <<'_EOC_',
        prov on;
        prov_id ST mac;
        prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;
_EOC_
    );
    return ProvNginx::conf($backend, ProvTest::front());
}
