# prov-acl (tools/prov-acl.c): the LMDB access list of "prov_acl lmdb:PATH"
# written and read from the command line, run through t/lib/ProvAcl.pm.
#
# - import, set, delete, get, dump, stat, apply; every ID argument in every
#   MAC form prov_id's "mac" reads; dump | import gives the same list
#   (pins, attributes, value ids); the database as LMDB's own tools see it
#   (mdb_stat, mdb_dump of lmdb-utils)
# - bad input (bad MAC, bad pin, duplicate id, unknown action or command,
#   huge line, binary garbage, CRLF, BOM, a last line cut short, 150 errors):
#   the errors are exactly nginx -t's for the same file as a
#   "prov_acl FILE" list (the real nginx -t runs on it), exit status 3,
#   the previous list intact
# - --serial: a batch not newer than the database's is refused, exit 4
# - two writers at once both land; SIGKILL in the middle of writing a
#   10^6-device import leaves the previous list, and the database opens and
#   dumps; a full disk (a 4 MB tmpfs, as root; skipped otherwise) gives a
#   clear error, exit 5, the previous list intact
# - files made 0644, the lock file 0664 whatever the umask; an existing
#   file keeps its owner and mode
#
# A plain Test::More file (nginx runs only as "nginx -t", through
# t/lib/ProvNginx.pm): it runs the same under the real Test::Nginx and the
# fallback harness.
use strict;
use warnings;

use File::Temp qw(tempdir);
use POSIX ();
use Test::More;
use Time::HiRes qw(sleep time);

use lib 't/lib';
use ProvAcl;
use ProvNginx qw(write_file);
use ProvTest qw(fingerprint);

ProvAcl::skip_unless_built();

my $dir = tempdir('prov-acl-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $n = 0;

sub db { $n++; return "$dir/acl$n.mdb" }

my $FP = fingerprint('dev-a');
(my $FP_BARE = $FP) =~ s/://g;

my $LIST = "# the fleet\n"
           . "00:0E:08:AB:CD:EF allow account=1042 line=2\n"
           . "000e08abcd01 deny\n"
           . "000E.08AB.CD02 allow sha256=$FP_BARE\n"
           . "000e08-abcd03 allow sha256=\L$FP\E tier=gold\n";
my $DUMP = "000e08abcd01 deny\n"
           . "000e08abcd02 allow sha256=$FP\n"
           . "000e08abcd03 allow sha256=$FP tier=gold\n"
           . "000e08abcdef allow account=1042 line=2\n";

# import, set, delete, get, stat, dump
{
    my $db = db();
    my $r = ProvAcl::run_in($LIST, 'import', $db, '-');
    is($r->{status}, 0, 'import from stdin: exit 0') or diag($r->{err});
    is($r->{err}, '', 'import: nothing said');
    my %s = ProvAcl::stat($db);
    is_deeply([@s{qw(devices serial generation ids)}], [4, 0, 1, 'mac'],
              'stat: 4 devices, serial 0, generation 1, mac ids');
    is($s{bytes}, -s $db, 'stat: bytes is the file size');
    is(ProvAcl::dump($db), $DUMP,
       'dump: sorted by id, ids canonical, pins as openssl prints them');

    # every ID argument in the forms prov_id's "mac" reads
    my @forms = ('000e08abcd10', '00:0E:08:AB:CD:10', '00-0e-08-ab-cd-10',
                 '000e.08ab.cd10', '000E08-ABCD10');
    for my $set (@forms) {
        for my $get (@forms) {
            ProvAcl::set($db, $set, 'deny', "via=$set");
            $r = ProvAcl::run('get', $db, $get);
            is($r->{out}, "000e08abcd10 deny via=$set\n", "set $set, get $get")
                or diag($r->{err});
            ProvAcl::delete($db, $get);
            $r = ProvAcl::run('get', $db, $set);
            is_deeply([$r->{status}, $r->{out}, $r->{err}],
                      [1, '', "$set: not listed\n"],
                      "delete $get: get $set exits 1, \"not listed\"");
        }
    }

    $r = ProvAcl::run('delete', $db, '000e08abcd10');
    is_deeply([$r->{status}, $r->{err}], [1, "000e08abcd10: not listed\n"],
              'delete of a device not listed: exit 1, "not listed"');

    %s = ProvAcl::stat($db);
    is($s{generation}, 1 + 2 * @forms * @forms,
       'every set and delete bumped the generation once, nothing else did');

    # set replaces the whole line
    ProvAcl::set($db, '000e08abcdef', 'deny');
    is(ProvAcl::run('get', $db, '000e08abcdef')->{out},
       "000e08abcdef deny\n", 'set replaces a device\'s line (attributes gone)');

    # bad set and id arguments: the parser's words, nothing written
    my $before = ProvAcl::state($db);
    for my $case (
        [['set', $db, '000e08abcdeg', 'allow'],
         "prov-acl: bad id \"000e08abcdeg\": not a MAC address\n"],
        [['set', $db, '000e08abcdef', 'permit'],
         "prov-acl: unknown action \"permit\"\n"],
        [['set', $db, '000e08abcdef'],
         "prov-acl: no action after \"000e08abcdef\"\n"],
        [['set', $db, '000e08abcdef', 'allow', 'sha256=85CA'],
         "prov-acl: bad sha256 fingerprint \"85CA\"\n"],
        [['set', $db, '000e08abcdef', 'allow', 'a=1', 'A=2'],
         "prov-acl: duplicate key in \"A=2\"\n"],
        [['set', $db, '000e08abcdef', 'allow', 'x' x 4100],
         "prov-acl: line longer than 4096 bytes\n"],
        [['get', $db, '00:0e:08:ab:cd'],
         "prov-acl: bad id \"00:0e:08:ab:cd\": not a MAC address\n"],
        [['delete', $db, 'ciscogeneric'],
         "prov-acl: bad id \"ciscogeneric\": not a MAC address\n"],
    ) {
        $r = ProvAcl::run(@{$case->[0]});
        is_deeply([$r->{status}, $r->{err}], [3, $case->[1]],
                  "@{$case->[0]}[0, 2 .. $#{$case->[0]}]: exit 3, the "
                  . "parser's error");
    }
    is(ProvAcl::state($db), $before, 'bad arguments: nothing written');
}

# dump | import gives the same list; value ids
{
    my $db = db();
    ProvAcl::create($db, $LIST);
    my $dump = ProvAcl::dump($db);
    my $copy = db();
    ProvAcl::create($copy, $dump);
    is(ProvAcl::dump($copy), $dump, 'dump | import: the same list');

    # a list with every kind of line, shuffled
    my @lines;
    for my $i (0 .. 999) {
        my $line = sprintf('000e08%06x %s', $i * 7919,
                           $i % 3 ? 'allow' : 'deny');
        $line .= " sha256=$FP" if $i % 5 == 0;
        $line .= " account=$i note=caf\xc3\xa9" if $i % 7 == 0;
        push @lines, "$line\n";
    }
    my @shuffled = @lines[map { ($_ * 389) % 1000 } 0 .. 999];
    ProvAcl::create($db, @shuffled);
    $dump = ProvAcl::dump($db);
    is($dump, join('', sort @lines), 'dump of 1000 shuffled lines: sorted');
    ProvAcl::create($copy, $dump);
    is(ProvAcl::dump($copy), $dump, 'dump | import of 1000: the same list');

    my $vdb = db();
    my $r = ProvAcl::run_in("SEP001122 allow\nuser\@example.org deny a=b\n"
                            . "x" x 511 . " allow\n",
                            '--ids', 'value', 'import', $vdb, '-');
    is($r->{status}, 0, 'import --ids value') or diag($r->{err});
    my %s = ProvAcl::stat($vdb);
    is($s{ids}, 'value', 'stat: value ids');
    is(ProvAcl::run('get', $vdb, 'user@example.org')->{out},
       "user\@example.org deny a=b\n", 'get of a value id');
    $copy = db();
    $r = ProvAcl::run_in(ProvAcl::dump($vdb), '--ids', 'value', 'import',
                         $copy, '-');
    is(ProvAcl::dump($copy), ProvAcl::dump($vdb),
       'dump | import --ids value: the same list');
    $r = ProvAcl::run_in("y" x 512 . " allow\n", 'import', $vdb, '-');
    # (the parser's error texts stop at 511 bytes, nginx's too)
    is_deeply([$r->{status}, scalar($r->{err} =~ /^-:1: bad id "y{400,}/m)],
              [3, 1], 'an id longer than LMDB\'s 511-byte keys: refused');
    $r = ProvAcl::run_in("000e08abcdef allow\n", '--ids', 'mac', 'import',
                         $vdb, '-');
    is($r->{status}, 2, '--ids mac on a database of value ids: exit 2');
    like($r->{err}, qr/holds value ids/, '... saying why');
}

# the database as LMDB's own tools see it
SKIP: {
    skip 'no mdb_stat, mdb_dump (lmdb-utils)', 3
        unless system('sh', '-c', 'command -v mdb_stat mdb_dump >/dev/null')
               == 0;
    my $db = db();
    ProvAcl::create($db, {serial => 7}, $LIST);
    my $stat = `mdb_stat -n -a $db 2>&1`;
    like($stat, qr/Status of devices\n(?:.*\n)*?  Entries: 4\n/,
         'mdb_stat: "devices" holds 4 entries');
    my $meta = `mdb_dump -n -p -s meta $db 2>&1`;
    my %m = $meta =~ /^ (\S+)\n (\S+)$/mg;
    is_deeply(\%m, {format => 1, ids => 'mac', serial => 7, generation => 1},
              'mdb_dump of "meta": format 1, ids, serial, generation');
    my $dev = `mdb_dump -n -p -s devices $db 2>&1`;
    like($dev, qr/^ 000e08abcd01\n \\00$/m,
         'mdb_dump of "devices": a 12-digit key, the flags byte of "deny"');
}

# --serial
{
    my $db = db();
    my $r = ProvAcl::run_in($LIST, '--serial', 5, 'import', $db, '-');
    is($r->{status}, 0, 'import --serial 5') or diag($r->{err});
    my %s = ProvAcl::stat($db);
    is($s{serial}, 5, 'stat: serial 5');
    my $before = ProvAcl::state($db);
    for my $case ([5, 'apply'], [4, 'apply'], [5, 'import'], [1, 'import']) {
        $r = ProvAcl::run_in("set 000e08abcd01 allow\n", '--serial',
                             $case->[0], $case->[1], $db, '-');
        is_deeply([$r->{status}, $r->{err}],
                  [4, "prov-acl: $db: serial $case->[0] is not greater than "
                      . "the database's 5: nothing written\n"],
                  "$case->[1] --serial $case->[0] after 5: refused, exit 4");
    }
    is(ProvAcl::state($db), $before, 'refused batches: nothing written');

    ProvAcl::apply($db, "set 000e08abcd01 allow\n", 6);
    %s = ProvAcl::stat($db);
    is_deeply([@s{qw(serial generation)}], [6, 2],
              'apply --serial 6: serial 6, the next generation');
    ProvAcl::apply($db, "delete 000e08abcd01\n");
    %s = ProvAcl::stat($db);
    is_deeply([@s{qw(serial generation)}], [6, 3],
              'apply without --serial: serial kept');
    for my $bad (['--serial', 0], ['--serial', 'x'], ['--serial', '-1'],
                 ['--serial', '18446744073709551616'])
    {
        $r = ProvAcl::run(@$bad, 'apply', $db, '/dev/null');
        is($r->{status}, 2, "@$bad: usage error, exit 2");
    }
    $r = ProvAcl::run('--serial', 9, 'set', $db, '000e08abcd01', 'deny');
    is($r->{status}, 2, '--serial with set: exit 2');
}

# apply: all or nothing
{
    my $db = db();
    ProvAcl::create($db, $LIST);
    ProvAcl::apply($db, "\xef\xbb\xbf# batch 1\r\n"
                        . "set 00:0e:08:ab:cd:20 deny reason=stolen\r\n\n"
                        . "  delete 000E08ABCD01 # returned\n"
                        . "delete 000e08abcd99\n"
                        . "set 000e08abcd20 allow\n");
    is(ProvAcl::dump($db),
       "000e08abcd02 allow sha256=$FP\n"
       . "000e08abcd03 allow sha256=$FP tier=gold\n"
       . "000e08abcd20 allow\n"
       . "000e08abcdef allow account=1042 line=2\n",
       'apply: sets and deletes in order (BOM, CRLF, comments; a device not '
       . 'listed deleted: nothing to do)');

    my $before = ProvAcl::state($db);
    my $batch = db() . '.batch';
    write_file($batch, "set 000e08abcd30 allow\n"
                       . "delete 000e08abcd02\n"
                       . "remove 000e08abcd03\n"
                       . "set 000e08abcd31 permit\n"
                       . "delete\n"
                       . "delete 000e08abcd02 000e08abcd03\n"
                       . "delete 000e08abcdeg\n"
                       . "set 000e08abcd32 allow sha256=12\n");
    my $r = ProvAcl::run('apply', $db, $batch);
    is($r->{status}, 3, 'a batch with bad lines: exit 3');
    is($r->{err}, "$batch:3: unknown command \"remove\" (set or delete)\n"
                  . "$batch:4: unknown action \"permit\"\n"
                  . "$batch:5: \"delete\" takes one id\n"
                  . "$batch:6: \"delete\" takes one id\n"
                  . "$batch:7: bad id \"000e08abcdeg\": not a MAC address\n"
                  . "$batch:8: bad sha256 fingerprint \"12\"\n"
                  . "prov-acl: 6 error(s) in batch \"$batch\": nothing "
                  . "written\n",
       '... each error at its line');
    is(ProvAcl::state($db), $before, '... and nothing of the batch written');
}

# errors: exactly nginx -t's for the same file as a "prov_acl FILE" list
my @BAD = (
    ["bad MAC",      "000e08abcdeg allow\n"],
    ["bad pin",      "000e08abcdef allow sha256=85CADE\n"],
    ["two pins",     "000e08abcdef allow sha256=$FP sha256=$FP\n"],
    ["duplicate",    "000e08abcdef allow\n00:0E:08:AB:CD:EF deny\n"
                     . "000e08abcd01 allow\n000e08-abcdef allow\n"],
    ["unknown action", "000e08abcdef permit\n"],
    ["no action",    "000e08abcdef   # no action\n"],
    ["bad option",   "000e08abcdef allow account\n"],
    ["bad key",      "000e08abcdef allow acc-ount=1\n"],
    ["empty value",  "000e08abcdef allow account=\n"],
    ["duplicate key", "000e08abcdef allow a=1 A=2\n"],
    ["control character", "000e08abcdef allow a=x\x01y\n"],
    ["# in a field", "000e08abcdef allow note=suite#4\n"],
    ["huge line",    "000e08abcd01 allow\n000e08abcdef allow # "
                     . ('x' x 100000) . "\n000e08abcd02 deny\n"],
    ["huge last line", "000e08abcd01 allow\n" . ('y' x 70000)],
    ["binary garbage", join('', map { chr(($_ * 37 + 11) % 256) } 0 .. 4095)
                       . "\n\x00\x01\xff\xfe\n000e08abcdef\x00 allow\n"],
    ["CRLF",         "000e08abcdef allow\r\n000e08abcdeg allow\r\n"
                     . "000e08abcd01 permit\r\n"],
    ["BOM",          "\xef\xbb\xbf000e08abcdef allow\n"
                     . "\xef\xbb\xbf000e08abcd01 allow\n"
                     . "000e08abcd02 allow a=\xef\xbb\xbf\n"],
    ["invisible",    "000e08abcdef\xc2\xa0allow\n"
                     . "000e08abcd01 allow a=1\xe2\x80\x8bsha256=$FP\n"],
    ["Latin-1",      "000e08abcdef allow note=caf\xe9\n"],
    ["no newline",   "000e08abcdef allow\n000e08abcd01 allow"],
    ["149 errors",   join('', map {
                         $_ % 3 == 0 ? "000e08abcdef allow\n"
                         : $_ % 3 == 1 ? sprintf("%012xg allow\n", $_)
                         : sprintf("000e08%06x deny\n", $_) } 0 .. 224)],
    ["value ids",    "SEP001122 allow\n.. deny\nSEP/../x allow\n"
                     . "SEP001122 deny\nSEP\x01 allow\n", 'value'],
);

SKIP: {
    skip 'no module to load (TEST_NGINX_LOAD_MODULES, build/)', 7 * @BAD
        unless defined ProvTest::load_modules();
    my ($prefix) = ProvNginx::setup('prov-acl-nginx-t');
    my $port = ProvNginx::free_port();

    for my $case (@BAD) {
        my ($what, $text, $ids) = @$case;
        my $file = "$prefix/$what.acl";
        $file =~ s/ /-/g;
        write_file($file, $text);

        my $prov_id = ($ids // '') eq 'value' ? 'prov_id CN;' : 'prov_id ST mac;';
        ProvNginx::write_file("$prefix/conf/nginx.conf",
            ProvTest::load_modules()
            . "events {}\n"
            . "http { server { listen 127.0.0.1:$port; prov on; $prov_id "
            . "prov_acl $file; } }\n");
        my ($rc, $out) = ProvNginx::nginx('-t');
        my @nginx = map { s/^nginx: \[emerg\] //r }
                    grep { /^nginx: \[emerg\] \Q$file\E:/ } split /\n/, $out;
        isnt($rc, 0, "$what: nginx -t fails");

        my $db = db();
        ProvAcl::create($db, {($ids ? (ids => $ids) : ())},
                        $ids ? "SEP77 deny\n" : "000e08abcd77 deny\n");
        my $before = ProvAcl::state($db);
        my $r = ProvAcl::run('import', $db, $file);
        my @tool = grep { /^\Q$file\E:/ } split /\n/, $r->{err};
        ok(@nginx > 0, "$what: nginx -t reports lines") or diag($out);
        is_deeply(\@tool, \@nginx, "$what: prov-acl import says what nginx "
                  . "-t says, line by line") or diag($r->{err}, $out);
        is($r->{status}, 3, "$what: exit 3");
        like($r->{err}, qr/^prov-acl: \d+ error\(s\) in access list "\Q$file\E": nothing written$/m,
             "$what: the count, \"nothing written\"");
        is(ProvAcl::state($db), $before, "$what: the previous list intact");

        # from stdin: the same, "-" for the file
        $r = ProvAcl::run_in($text, 'import', $db, '-');
        my @stdin = grep { /^-:/ } split /\n/, $r->{err};
        s/^\Q$file\E:/-:/ for @nginx;
        is_deeply(\@stdin, \@nginx, "$what: the same from stdin, as \"-\"");
        is(ProvAcl::state($db), $before, "$what: the previous list intact (stdin)");
    }
}

# "149 errors": nginx's cap, 100 shown, duplicates among them in line order
{
    my ($case) = grep { $_->[0] eq '149 errors' } @BAD;
    my $r = ProvAcl::run_in($case->[1], 'import', db(), '-');
    my @lines = split /\n/, $r->{err};
    is(scalar(grep { /^-:\d+: / } @lines), 100, '149 errors: 100 shown');
    is($lines[100], '-: too many errors, the rest are not shown',
       '... then nginx\'s "too many errors"');
    like($r->{err}, qr/^-:4: duplicate id "000e08abcdef"\n-:5: bad id/m,
         '... duplicates and other errors in line order');
    like($lines[-1], qr/^prov-acl: 149 error\(s\)/,
         '... all 149 counted (74 duplicates, 75 bad ids)');
}

# two writers at once: both land, one after the other
{
    my $db = db();
    ProvAcl::create($db, "000e08abcdef allow\n");

    # 20 sets racing: LMDB's write lock makes them wait for each other
    my @runs = map { ProvAcl::start(undef, 'set', $db,
                                    sprintf('00:0e:08:00:ff:%02x', $_),
                                    'deny') } 1 .. 20;
    my @r = map { ProvAcl::wait_for($_) } @runs;
    is_deeply([map { $_->{status} } @r], [(0) x 20], '20 sets at once: exit 0')
        or diag(map { $_->{err} } @r);
    my %s = ProvAcl::stat($db);
    is_deeply([@s{qw(devices generation)}], [21, 21],
              '... all 20 devices in, a generation each');

    # an import and a batch at once: one after the other, whichever first
    my $big = "$dir/big.acl";
    my $list = join('', map { sprintf("000e%08x allow\n", $_) } 0 .. 199999);
    write_file($big, $list);
    my $batch = "$dir/batch.apply";
    write_file($batch, join('', map { sprintf("set 0000ff%06x deny\n", $_) }
                                   0 .. 49999));
    my $sets = join('', map { sprintf("0000ff%06x deny\n", $_) } 0 .. 49999);
    my $both = 0;
    for my $round (1 .. 5) {
        # odd rounds: both at once; even: the batch once the import
        # writes, holding LMDB's write lock
        my @w = (ProvAcl::start(undef, 'import', $db, $big));
        ProvAcl::writing($w[0], 0) if $round % 2 == 0;
        push @w, ProvAcl::start(undef, 'apply', $db, $batch);
        @r = map { ProvAcl::wait_for($_) } @w;
        is_deeply([map { $_->{status} } @r], [0, 0],
                  "round $round: an import and an apply at once: exit 0");
        my $dump = ProvAcl::dump($db);
        %s = ProvAcl::stat($db);
        is($s{generation}, 21 + 2 * $round, "round $round: two generations");
        # import, then apply: both lists; apply, then import: the import's
        ok($dump eq $sets . $list || $dump eq $list,
           "round $round: the list of one of the two orders");
        $both++ if $dump eq $sets . $list;
    }
    note("the batch came second in $both of 5 rounds");
}

# SIGKILL in the middle of writing a 10^6-device import
{
    my $db = db();
    ProvAcl::create($db, $LIST);
    my $before = ProvAcl::state($db);
    my $big = "$dir/million.acl";
    write_file($big, join('', map { sprintf("000f%08x allow sha256=%s\n",
                                            $_, $FP_BARE) } 0 .. 999999));
    my ($mid, $tries) = (0, 0);
    while ($mid < 3 && $tries < 20) {
        $tries++;
        my $run = ProvAcl::start(undef, 'import', $db, $big);
        # the database file is written at the commit, once the list is read
        # and sorted: wait for the first writes, then kill
        my $wrote = ProvAcl::writing($run, $tries * 1_000_000);
        kill 'KILL', $run->{pid};
        my $r = ProvAcl::wait_for($run);
        next unless $r->{signal} == 9 && $wrote;
        $mid++;
        is(ProvAcl::state($db), $before, "killed after writing $wrote bytes: the "
                                . 'previous list, dumped whole');
    }
    cmp_ok($mid, '>=', 1, "caught prov-acl writing in $mid of $tries runs");
    my $r = ProvAcl::run('import', $db, $big);
    is($r->{status}, 0, 'after the kills, an import goes through')
        or diag($r->{err});
    my %s = ProvAcl::stat($db);
    is($s{devices}, 1000000, '... with its 10^6 devices');
}

# a full disk
SKIP: {
    skip 'a full disk needs a tmpfs: mount needs root', 5 if $> != 0;
    my $mnt = "$dir/tmpfs";
    mkdir $mnt or die "$mnt: $!";
    skip "mount -t tmpfs failed (a container without the right?)", 5
        if system('mount', '-t', 'tmpfs', '-o', 'size=4m', 'prov-acl-test',
                  $mnt) != 0;
    my $db = "$mnt/acl.mdb";
    eval {
        ProvAcl::create($db, $LIST);
        my $before = ProvAcl::state($db);
        my $big = "$dir/full.acl";
        write_file($big, join('', map { sprintf("000d%08x allow\n", $_) }
                                       0 .. 199999));
        my $r = ProvAcl::run('import', $db, $big);
        is($r->{status}, 5, 'an import the disk cannot hold: exit 5');
        like($r->{err}, qr/^prov-acl: \Q$db\E: .*No space left on device: nothing written$/m,
             '... "No space left on device: nothing written"')
            or diag($r->{err});
        is(ProvAcl::state($db), $before, '... the previous list intact');
        $r = ProvAcl::run('set', $db, '000e08abcd50', 'deny');
        is($r->{status}, 0, 'a set that fits still goes in') or diag($r->{err});
        is(ProvAcl::run('get', $db, '000e08abcd50')->{out},
           "000e08abcd50 deny\n", '... and is there');
    };
    my $err = $@;
    system('umount', $mnt);
    die $err if $err;
}

# PROV_ACL_MAPSIZE (for valgrind): readers map what the writer did; a
# list larger than it is refused whole
SKIP: {
    skip 'no mdb_dump (lmdb-utils)', 4
        unless system('sh', '-c', 'command -v mdb_dump >/dev/null') == 0;
    local $ENV{PROV_ACL_MAPSIZE} = 2 * 1048576;
    my $db = db();
    ProvAcl::create($db, $LIST);
    like(`mdb_dump -n -s meta $db 2>&1`, qr/^mapsize=2097152$/m,
         'PROV_ACL_MAPSIZE=2097152: the database\'s map is 2 MB');
    my $before = ProvAcl::state($db);
    my $r = ProvAcl::run_in(join('', map { sprintf("000c%08x allow\n", $_) }
                                       0 .. 199999), 'import', $db, '-');
    is($r->{status}, 5, 'a list larger than the map: exit 5');
    like($r->{err}, qr/MDB_MAP_FULL.*: nothing written$/m,
         '... MDB_MAP_FULL, nothing written') or diag($r->{err});
    is(ProvAcl::state($db), $before, '... the previous list intact');
}

# modes and owners
{
    my $old = umask 077;
    my $db = db();
    my $r = ProvAcl::run_in($LIST, 'import', $db, '-');
    umask $old;
    is(sprintf('%04o', (stat $db)[2] & 07777), '0644',
       'umask 077: the database made 0644');
    is(sprintf('%04o', (stat "$db-lock")[2] & 07777), '0664',
       '... its lock file 0664 (workers write their reader slots)');

    SKIP: {
        skip 'chown needs root', 2 if $> != 0;
        my ($uid, $gid) = (getpwnam('nobody'))[2, 3];
        skip 'no user nobody', 2 unless defined $uid;
        chown $uid, $gid, $db, "$db-lock";
        chmod 0640, $db;
        ProvAcl::create($db, $LIST);
        ProvAcl::set($db, '000e08abcd40', 'allow');
        is_deeply([(stat $db)[4, 5], sprintf('%04o', (stat $db)[2] & 07777)],
                  [$uid, $gid, '0640'],
                  'an existing database keeps its owner and mode');
        is_deeply([(stat "$db-lock")[4, 5]], [$uid, $gid],
                  '... and so does its lock file');
    }
}

# usage, missing and foreign databases
{
    my $r = ProvAcl::run();
    is($r->{status}, 2, 'no arguments: exit 2');
    like($r->{err}, qr/^usage: prov-acl /, '... and the usage');
    is(ProvAcl::run('frobnicate', db())->{status}, 2, 'unknown command: exit 2');
    is(ProvAcl::run('--ids', 'value', 'set', db(), 'a', 'allow')->{status}, 2,
       '--ids with set: exit 2');
    is(ProvAcl::run('--help')->{status}, 0, '--help: exit 0');

    my $db = db();
    $r = ProvAcl::run_in("000e08abcdef allow\nzz allow\n", 'import', $db, '-');
    is($r->{status}, 3, 'a bad import into a new database: exit 3');
    ok(!-e $db && !-e "$db-lock", '... and no database made, no lock file');

    $r = ProvAcl::run('set', $db, '000e08abcdef', 'allow');
    is($r->{status}, 5, 'set on a database not there: exit 5');
    like($r->{err}, qr/create it with "prov-acl import PATH FILE"/,
         '... saying how to make one');
    ok(!-e $db, '... and not making one');

    write_file($db, "not a database\n" x 1000);
    $r = ProvAcl::run('stat', $db);
    is($r->{status}, 5, 'a file that is no LMDB: exit 5');
    like($r->{err}, qr/not a prov database/, '... "not a prov database"');
    $r = ProvAcl::run_in($LIST, 'import', $db, '-');
    is($r->{status}, 5, '... import does not overwrite it');

    SKIP: {
        skip 'no mdb_load (lmdb-utils)', 2
            unless system('sh', '-c', 'command -v mdb_load >/dev/null') == 0;
        my $other = db();
        open my $load, '|-', 'mdb_load', '-n', '-T', $other or die $!;
        print $load "key\nvalue\n";
        close $load;
        $r = ProvAcl::run_in($LIST, 'import', $other, '-');
        is($r->{status}, 5, 'another program\'s LMDB database: exit 5');
        like($r->{err}, qr/not a prov database \(no "meta" in it\)/,
             '... "not a prov database"');
    }
}

# the man page: groff without a warning, and the exit statuses it documents
# are the ones the tests above saw
SKIP: {
    skip 'no groff (groff-base)', 2
        unless system('sh', '-c', 'command -v groff >/dev/null') == 0;
    my $out = `groff -man -Tutf8 -ww -z tools/prov-acl.8 2>&1`;
    is($?, 0, 'groff -man -ww: tools/prov-acl.8 formats');
    is($out, '', '... without a warning');
}
{
    open my $fh, '<', 'tools/prov-acl.8' or die "tools/prov-acl.8: $!";
    my $man = join '', <$fh>;
    my ($section) = $man =~ /^\.SH "EXIT STATUS"\n(.*?)^\.SH /ms;
    my @codes = ($section // '') =~ /^\.TP\n\.B (\d+)$/mg;
    is_deeply(\@codes, [sort { $a <=> $b } values %ProvAcl::EXIT],
              'the man page documents exit statuses 0-5, as ProvAcl has them');
    like(ProvAcl::run()->{err}, qr/exit status: 0 done, 1 not listed/,
         'the usage says them too');
}

done_testing();
