# prov-acl (tools/prov-acl.c): the LMDB access list of "prov_acl lmdb:PATH"
# written and read from the command line, through t/lib/ProvAcl.pm.
use strict;
use warnings;

use File::Temp qw(tempdir);
use Test::More;

use lib 't/lib';
use ProvAcl;

ProvAcl::skip_unless_built();

my $dir = tempdir('prov-acl-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $db = "$dir/acl.mdb";

# import, set, delete, get, stat, dump
{
    my $r = ProvAcl::run_in("# fleet\n00:0E:08:AB:CD:EF allow account=1\n"
                            . "000e08abcd01 deny\n", 'import', $db, '-');
    is($r->{status}, 0, 'import: exit 0') or diag($r->{err});
    my %s = ProvAcl::stat($db);
    is_deeply([@s{qw(devices serial generation ids)}], [2, 0, 1, 'mac'],
              'stat after import: 2 devices, serial 0, generation 1, mac');
    is(ProvAcl::dump($db),
       "000e08abcd01 deny\n000e08abcdef allow account=1\n",
       'dump: sorted, canonical ids');

    ProvAcl::set($db, '00-0e-08-ab-cd-02', 'allow');
    $r = ProvAcl::run('get', $db, '000E.08AB.CD02');
    is($r->{out}, "000e08abcd02 allow\n", 'set, then get in another MAC form');

    ProvAcl::delete($db, '000e08-abcd01');
    $r = ProvAcl::run('get', $db, '000e08abcd01');
    is($r->{status}, 1, 'get of a deleted device: exit 1');
    is($r->{err}, "000e08abcd01: not listed\n", '"not listed"');
    %s = ProvAcl::stat($db);
    is_deeply([@s{qw(devices generation)}], [2, 3],
              'every commit bumps the generation');
}

done_testing();
