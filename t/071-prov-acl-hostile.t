# prov-acl (tools/prov-acl.c) against a careless or hostile operator, a
# broken change feed and a hostile input file: what t/070 does not cover.
#
# - PATH-lock a symbolic link (to a file of root's, or to nowhere), or a
#   file with another link: refused by every command (stat and dump too),
#   the file it points to untouched, nothing made where it points
# - an empty file at PATH (touch): refused, and left empty
# - a batch's "delete" of an id that the list format refuses ("#" inside,
#   an invisible or a Latin-1 character): an error at its line, as a
#   "set" of it gets, not a delete of nothing with exit 0
# - a batch's "set" that names no device ("set", "set # ..."): an error
# - dump | import of a line of 4096 bytes with a pin: the dump imports
# - --serial or --ids given twice (a feed script's two serials): refused,
#   not the last one taken
# - a database or lock file writable by every user: a warning (any local
#   user could rewrite the list, or the readers' slots)
# - run with its standard output and error closed (">&- 2>&-", a daemon
#   that closed them): LMDB's files would get descriptors 1 and 2, and
#   "not listed" or a warning was written into the database's first page
# - the lock file's reader table: LMDB sizes it at its first opener and
#   never shrinks it, and a reader that comes while another process has
#   it open gets the table as it is: made by prov-acl (126 slots, LMDB's
#   default), a 64-worker nginx reloading while a feed runs prov-acl got
#   MDB_READERS_FULL in some workers.  prov-acl makes room for them.
#
# A plain Test::More file, as t/070.
use strict;
use warnings;

use File::Temp qw(tempdir);
use POSIX ();
use Test::More;

use lib 't/lib';
use ProvAcl;
use ProvNginx qw(slurp write_file);

ProvAcl::skip_unless_built();

my $dir = tempdir('prov-acl-hostile-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $n = 0;

sub db { $n++; return "$dir/acl$n.mdb" }

my $FP = join(':', map { sprintf '%02X', $_ * 7 % 256 } 0 .. 31);
(my $FP_BARE = lc $FP) =~ s/://g;

# PATH-lock a symbolic link: LMDB opens it O_RDWR|O_CREAT and truncates
# it to its reader table, whatever it points to (as root: any file)
{
    my $db = db();
    ProvAcl::create($db, "000e08abcdef allow\n");
    my $precious = "$dir/precious";
    my $text = "root:secret:19000:0:99999:7:::\n";
    write_file($precious, $text);
    unlink "$db-lock" or die "$db-lock: $!";
    symlink $precious, "$db-lock" or die "symlink: $!";

    for my $cmd (['stat', $db], ['dump', $db], ['get', $db, '000e08abcdef'],
                 ['set', $db, '000e08abcdef', 'deny'],
                 ['delete', $db, '000e08abcdef'],
                 ['import', $db, '/dev/null'])
    {
        my $r = ProvAcl::run(@$cmd);
        is($r->{status}, 5, "PATH-lock a symlink: $cmd->[0] refused, exit 5")
            or diag($r->{err});
        like($r->{err}, qr/\Q$db-lock\E.*symbolic link/,
             "... $cmd->[0] says why");
        is(slurp($precious), $text,
           "... $cmd->[0] leaves the file it points to as it was");
    }

    # a link to nowhere: LMDB would make the file it names
    unlink "$db-lock";
    symlink "$dir/made-by-lmdb", "$db-lock" or die "symlink: $!";
    my $r = ProvAcl::run('stat', $db);
    is($r->{status}, 5, 'PATH-lock a dangling symlink: refused, exit 5');
    ok(!-e "$dir/made-by-lmdb", '... and nothing made where it points');

    # import of a new database, its lock a link planted beforehand
    my $new = db();
    symlink $precious, "$new-lock" or die "symlink: $!";
    $r = ProvAcl::run_in("000e08abcdef allow\n", 'import', $new, '-');
    is($r->{status}, 5, 'a new database whose lock is a symlink: refused');
    is(slurp($precious), $text, '... the file it points to intact');

    # a hard link of another file at PATH-lock
    SKIP: {
        my $hard = db();
        ProvAcl::create($hard, "000e08abcdef allow\n");
        unlink "$hard-lock";
        skip "no hard link: $!", 2 unless link $precious, "$hard-lock";
        $r = ProvAcl::run('stat', $hard);
        is($r->{status}, 5, 'PATH-lock a hard link of another file: refused');
        is(slurp($precious), $text, '... the file intact');
        unlink "$hard-lock";
    }

    # a regular lock file still works
    unlink "$db-lock";
    $r = ProvAcl::run('stat', $db);
    is($r->{status}, 0, 'the lock file made again: stat works')
        or diag($r->{err});
}

# an empty file at PATH (an operator's "touch"): LMDB would write its
# meta pages into it, though the command fails
{
    my $db = db();
    write_file($db, '');
    for my $cmd (['set', $db, '000e08abcdef', 'deny'], ['stat', $db],
                 ['dump', $db], ['get', $db, '000e08abcdef'])
    {
        my $r = ProvAcl::run(@$cmd);
        is($r->{status}, 5, "an empty file: $cmd->[0] refused, exit 5");
        is(-s $db, 0, "... and the file left empty") or diag($r->{err});
    }
    # import may make a database of it
    ProvAcl::create($db, "000e08abcdef allow\n");
    is(ProvAcl::dump($db), "000e08abcdef allow\n",
       'an empty file: import makes the database');
}

# a batch's "delete" of an id no list line can hold: as the list format
# refuses it in a line, for the same reason (it would silently do nothing)
{
    my $db = db();
    ProvAcl::create($db, {ids => 'value'}, "SEP001122 allow\n",
                    "SEP003344 allow\n");
    my $before = ProvAcl::state($db);

    for my $case (
        ['"#" inside',      "SEP001122#stolen",
         qr/"#" inside "SEP001122#stolen": a comment needs a blank/],
        ['no-break space',  "SEP001122\xc2\xa0",
         qr/invisible character U\+00A0 in the id/],
        ['zero width space', "SEP001122\xe2\x80\x8b",
         qr/invisible character U\+200B in the id/],
        ['BOM',             "\xef\xbb\xbfSEP001122",
         qr/byte order mark not at the start of the file/],
        ['Latin-1',         "SEP001122\xe9",
         qr/byte E9 in the id is no UTF-8/])
    {
        my ($what, $id, $error) = @$case;
        my $r = ProvAcl::run_in("delete SEP003344\ndelete $id\n",
                                'apply', $db, '-');
        is($r->{status}, 3, "batch: delete of an id with $what: exit 3");
        like($r->{err}, qr/^-:2: /m, '... at its line');
        like($r->{err}, $error, '... saying what nginx -t says of the id');
        is(ProvAcl::state($db), $before, '... nothing written');

        # set of the same id: the same error
        $r = ProvAcl::run_in("set $id deny\n", 'apply', $db, '-');
        like($r->{err}, $error, "... as \"set\" of it says");

        # the command: the same too, not "not listed"
        $r = ProvAcl::run('delete', $db, $id);
        is($r->{status}, 3, "delete command of an id with $what: exit 3");
        like($r->{err}, $error, '... saying why');
    }
}

# a batch's "set" that names no device: a feed's line cut short
{
    my $db = db();
    ProvAcl::create($db, "000e08abcdef allow\n");
    my $before = ProvAcl::state($db);

    for my $line ("set", "set  \t", "set # 000e08abcdef deny",
                  "set\t# nothing") {
        my $r = ProvAcl::run_in("set 000e08abcd01 deny\n$line\n",
                                'apply', $db, '-');
        (my $shown = $line) =~ s/\t/\\t/g;
        is($r->{status}, 3, "batch line \"$shown\": exit 3");
        like($r->{err}, qr/^-:2: "set" takes a list line/m,
             '... at its line');
        is(ProvAcl::state($db), $before, '... nothing written');
    }
}

# dump | import: a line of 4096 bytes whose pin was written without
# colons dumps longer (the pin as openssl prints it): it must still import
{
    my $db = db();
    my $head = "000e08abcdef allow sha256=$FP_BARE a=";
    my $line = $head . ('x' x (4096 - length $head));
    is(length $line, 4096, 'a line of 4096 bytes');
    ProvAcl::create($db, "$line\n");
    my $dump = ProvAcl::dump($db);
    ok(length($dump) <= 4097, 'its dump is no longer than the list line')
        or diag(length $dump);

    my $again = db();
    my $r = ProvAcl::run_in($dump, 'import', $again, '-');
    is($r->{status}, 0, 'the dump imports') or diag($r->{err});
    is(ProvAcl::dump($again), $dump, '... the same list');

    # a line that fits keeps the pin in openssl's form
    ProvAcl::set($db, '000e08abcd01', 'allow', "sha256=$FP_BARE");
    like(ProvAcl::run('get', $db, '000e08abcd01')->{out},
         qr/^000e08abcd01 allow sha256=\Q$FP\E$/,
         'a shorter line: the pin as openssl prints it');
}

# --serial or --ids twice: which one did the feed mean?
{
    my $db = db();
    ProvAcl::create($db, {serial => 3}, "000e08abcdef allow\n");
    my $before = ProvAcl::state($db);
    for my $args (['--serial', 5, '--serial', 4], ['--serial', 4, '--serial', 9])
    {
        my $r = ProvAcl::run_in("set 000e08abcdef deny\n", @$args,
                                'apply', $db, '-');
        is($r->{status}, 2, "@$args: exit 2");
        like($r->{err}, qr/--serial given twice/, '... saying why');
        is(ProvAcl::state($db), $before, '... nothing written');
    }
    my $new = db();
    my $r = ProvAcl::run_in("SEP1 allow\n", '--ids', 'value', '--ids', 'mac',
                            'import', $new, '-');
    is($r->{status}, 2, '--ids twice: exit 2');
    ok(!-e $new, '... no database made');
}

# a database or lock file every user may write: said on every write
{
    my $db = db();
    ProvAcl::create($db, "000e08abcdef allow\n");
    chmod 0666, $db, "$db-lock";
    my $r = ProvAcl::run('set', $db, '000e08abcdef', 'deny');
    is($r->{status}, 0, 'a database of mode 0666: set still done');
    like($r->{err}, qr/warning: \Q$db\E is writable by every user/,
         '... with a warning on the database');
    like($r->{err}, qr/warning: \Q$db-lock\E is writable by every user/,
         '... and on its lock file');
    chmod 0644, $db;
    chmod 0664, "$db-lock";
    $r = ProvAcl::run('set', $db, '000e08abcdef', 'allow');
    is($r->{err}, '', 'modes 0644 and 0664: nothing said');
}

# stdout and stderr closed: what prov-acl says must not land in its files
sub run_closed {
    my (@args) = @_;
    my $stdin = $args[0] eq '<&-' ? shift @args : '';
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        if ($stdin) {
            close STDIN;
        } else {
            open STDIN, '<', '/dev/null' or POSIX::_exit(126);
        }
        close STDOUT;
        close STDERR;
        exec ProvAcl::binary(), @args or POSIX::_exit(127);
    }
    waitpid($pid, 0);
    return $? >> 8;
}

{
    my $db = db();
    ProvAcl::create($db, "000e08abcdef allow\n");
    my $before = ProvAcl::state($db);
    my $size = -s "$db-lock";

    is(run_closed('delete', $db, '000e08abcd00'), 1,
       'stdout and stderr closed: delete of a device not listed, exit 1');
    is(ProvAcl::run('stat', $db)->{status}, 0,
       '... the database still opens') or diag(ProvAcl::run('stat', $db)->{err});
    is(eval { ProvAcl::state($db) } // "unreadable: $@", $before, '... the list intact');
    is(-s "$db-lock", $size, '... nothing written into the lock file');

    # import says the list is emptied, once the database is open
    $db = db();
    ProvAcl::create($db, "000e08abcdef allow\n");
    is(run_closed('import', $db, '/dev/null'), 0,
       'closed: import of an empty list (a warning to say), exit 0');
    my $r = ProvAcl::run('stat', $db);
    like($r->{out}, qr/^devices 0$/m, '... the database opens, emptied')
        or diag($r->{err});
    ProvAcl::set($db, '000e08abcd01', 'deny') unless $r->{status};

    # stdin closed: "-" is no empty list
    my $full = db();
    ProvAcl::create($full, "000e08abcdef allow\n");
    my $was = ProvAcl::state($full);
    is(run_closed('<&-', 'import', $full, '-'), 3,
       'all three closed: import from "-" refused, exit 3');
    is(ProvAcl::state($full), $was, '... the list not emptied');

    is(run_closed('get', $db, '000e08abcd01'), 5,
       'closed: get cannot write its line, exit 5');
    is(run_closed('dump', $db), 5, '... nor dump');
    is(ProvAcl::run('stat', $db)->{status}, 0, '... the database opens');
}

# the reader table of a lock file prov-acl made
SKIP: {
    skip 'no mdb_stat (lmdb-utils)', 1
        unless grep { -x "$_/mdb_stat" } split /:/, $ENV{PATH};
    my $db = db();
    ProvAcl::create($db, "000e08abcdef allow\n");
    my ($max) = `mdb_stat -e -n $db` =~ /Max readers: (\d+)/;
    cmp_ok($max // 0, '>=', 4 * 256 + 8,
           'a lock file made by prov-acl holds the readers of nginx with '
           . '256 workers reloading (the module asks 4 * workers + 8)');
}

# "set" with a word that starts with "#" (quoted, so the shell kept it):
# in the list line it would start a comment and drop the pin after it
{
    my $db = db();
    ProvAcl::create($db, "000e08abcdef deny\n");
    my $before = ProvAcl::state($db);
    my $r = ProvAcl::run('set', $db, '000e08abcdef', 'allow', '#new',
                         "sha256=$FP");
    is($r->{status}, 3, 'set with a "#word" before the pin: refused');
    like($r->{err}, qr/"#new" would start a comment/, '... saying why');
    is(ProvAcl::state($db), $before, '... nothing written (still denied)');
}

done_testing();
