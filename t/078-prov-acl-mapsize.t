# prov-acl's map size: the one every reader maps (LMDB keeps it in the
# file).  64 GiB could not be mapped under valgrind 3.19 (mmap: EINVAL), so
# nginx with an LMDB list failed "nginx -t" under make test-valgrind and
# under make bench's callgrind runs (found by bench/compare.sh's prov-D);
# 16 GiB holds some 300 million devices.
use strict;
use warnings;

use File::Temp qw(tempdir);
use Test::More;

use lib 't/lib';
use ProvAcl;

ProvAcl::skip_unless_built();
plan skip_all => 'mdb_stat not installed (lmdb-utils)'
    unless grep { -x "$_/mdb_stat" } split /:/, $ENV{PATH};

my $dir = tempdir('prov-acl-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $db = "$dir/acl.mdb";

sub map_size {
    my $out = `mdb_stat -n -e '$db' 2>&1`;
    return $out =~ /^\s*Map size: (\d+)/m ? $1 : "none in: $out";
}

ProvAcl::create($db, "000e08abcdef allow\n");
my $size = map_size();
ok($size =~ /^\d+$/ && $size <= 16 << 30 && $size >= 1 << 30,
   'a new database: a map of 1 to 16 GiB') or diag($size);

ProvAcl::set($db, '000e08abcdf0', 'deny');
is(map_size(), $size, 'set keeps it');

done_testing();
