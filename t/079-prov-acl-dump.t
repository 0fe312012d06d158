# prov-acl dump: what it prints imports again (issue 16: "importing a dump
# gives the same list"), even for a line at the length limit, whose pin
# was written without colons (found by fuzz/import.c).
use strict;
use warnings;

use File::Temp qw(tempdir);
use Test::More;

use lib 't/lib';
use ProvAcl;

ProvAcl::skip_unless_built();

my $dir = tempdir('prov-acl-XXXXXX', TMPDIR => 1, CLEANUP => 1);

my $pin = '0123456789abcdef' x 4;
my $colons = join ':', map { uc } unpack '(A2)*', $pin;

# a line of exactly $len bytes: id, action, a bare pin, an attribute
sub line_of {
    my ($len, $id, $action) = @_;
    my $head = "$id $action sha256=$pin note=";
    return $head . ('v' x ($len - length $head));
}

my $n = 0;

for my $case (
    [value => 'phone-1', 'allow', 4096],
    [value => 'phone-1', 'deny', 4096],
    [value => 'phone-1', 'allow', 4096 - 30],
    [mac => '000e08abcdef', 'allow', 4096],
) {
    my ($ids, $id, $action, $len) = @$case;
    my $line = line_of($len, $id, $action);
    my ($one, $two) = ("$dir/one-" . ++$n, "$dir/two-$n");
    my $what = "$ids ids, $action, a line of $len bytes";

    ProvAcl::create($one, {ids => $ids}, "$line\n");
    my $dump = ProvAcl::dump($one);
    my ($printed) = $dump =~ /\A([^\n]*)\n\z/;

    ok(defined $printed && length($printed) <= 4096,
       "$what: dumped in one line of at most 4096 bytes")
        or diag(length $dump);

    my $r = ProvAcl::run_in($dump, '--ids', $ids, 'import', $two, '-');
    is($r->{status}, 0, "$what: the dump imports") or diag($r->{err});
    ok($r->{status} == 0 && ProvAcl::dump($two) eq $dump,
       "$what: the same list");
}

# the pin in openssl's form, with colons, wherever the line allows it
{
    my $db = "$dir/short";
    ProvAcl::create($db, {ids => 'value'}, "phone-2 allow sha256=$pin\n");
    is(ProvAcl::dump($db), "phone-2 allow sha256=$colons\n",
       'a short line: the pin with colons');
    my $line = line_of(4096 - 31, 'phone-3', 'allow');
    ProvAcl::create($db, {ids => 'value'}, "$line\n");
    like(ProvAcl::dump($db), qr/ sha256=\Q$colons\E /,
         'a line that has room for the colons: with colons');
}

done_testing();
