# A hostile review of the access list loader: what a list pasted, typed or
# generated with traps in it, or rewritten while nginx reads it, must not
# load as.  Each block failed before its fix (see git log): an invisible
# character or a "#" inside a field dropped a pin, an ideographic space
# ended an id, a list rewritten in place with its mtime put back loaded as
# a mix of both lists, an overlong last line was read past the file's size
# for as long as the file grew.  TESTS 5-6 held already (4096-byte lines
# across the 64 KB read boundary).
# The list is $TEST_NGINX_SERVER_ROOT/html/acl, written by --- user_files,
# or a list of its own name written from --- post_setup_server_root.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(fingerprint);
use ProvWriter;
use POSIX ();
use Time::HiRes ();

our $ACL = "$ENV{TEST_NGINX_SERVER_ROOT}/html/acl";
our $ROOT = $ENV{TEST_NGINX_SERVER_ROOT};

# dev-b's fingerprint: dev-a, pinned to it, must be refused (pin_mismatch)
our $FP_B = fingerprint('dev-b');

# the backend and the list's files, as in t/031
*backend = \&ProvTest::acl_backend;
{
    no warnings "once";             # named only inside the blocks below
    *files = \&ProvTest::acl_files;
}

# the list writers' helpers, as in t/031
*write_list = \&ProvWriter::write_list;
*filler = \&ProvWriter::filler;

# parse_pass(PATH, CHANGE): like ProvWriter::while_read(), but stops
# nginx in its second reading of PATH (the parse, not the count): it has
# read more than the file's size plus 128 KB, and less than twice the
# size less 128 KB.  Reports through a pipe read at the end of the file.
our @CATCHERS;
sub parse_pass {
    my ($path, $change) = @_;
    my $size = -s $path;
    pipe(my $rd, my $wr) or die "pipe: $!";
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        close $rd;
        my $said = eval { _parse_pass($path, $size, $change) } // "died: $@";
        syswrite($wr, $said);
        POSIX::_exit(0);
    }
    close $wr;
    push @CATCHERS, [$pid, $rd];
}

sub _parse_pass {
    my ($path, $size, $change) = @_;
    my $deadline = Time::HiRes::time() + 20;
    my ($pid, $base_prev, $base_seen, %prev);
    FIND: while (Time::HiRes::time() < $deadline) {
        for my $p (ProvWriter::_candidates($ROOT)) {
            my $r = ProvWriter::_rchar($p) // next;
            if (ProvWriter::_has_open($p, $path)) {
                ($pid, $base_prev, $base_seen) = ($p, $prev{$p} // 0, $r);
                last FIND;
            }
            $prev{$p} = $r;
        }
    }
    return "no nginx opened $path" unless $pid;
    while (Time::HiRes::time() < $deadline) {
        my $r = ProvWriter::_rchar($pid) // return "nginx ended";
        last if $r - $base_seen > $size + 131072;
    }
    kill 'STOP', $pid;
    my $ok = eval {
        ProvWriter::_wait_stopped($pid) or die "did not stop\n";
        ProvWriter::_has_open($pid, $path) or die "had closed $path\n";
        my $r = ProvWriter::_rchar($pid);
        $r - $base_prev < 2 * $size - 131072
            or die "read too much: " . ($r - $base_prev) . "\n";
        $change->();
        1;
    };
    my $why = $@;
    kill 'CONT', $pid;
    return "could not catch nginx in its parse: $why" unless $ok;
    while (ProvWriter::_alive($pid) && ProvWriter::_has_open($pid, $path)
           && Time::HiRes::time() < $deadline)
    {
        Time::HiRes::sleep(0.01);
    }
    return '';
}

# TEST 7: the old list ends with dev-a's "deny"; the new one, the same
# size, starts with it (other devices after).  Rewritten in place while
# nginx parses, its modification time put back as it was ("touch -r",
# "rsync --inplace -t", "cp --preserve=timestamps" onto an unchanged-size
# file, or any writer that sets mtime): read on, nginx would have dev-a in
# neither half.  The inode's change time moved, and no writer can put it
# back: the list is refused.
# (2,000,000 lines, 38 MB: the writer must find nginx before it has read
# the first half of its count, to know it is in the parse when it stops it)
our $MANY = 1000000;
sub mtime_restored {
    my ($path) = @_;
    my $old = filler(2 * $MANY) . "000e08abcdef deny \n";
    my $new = "000e08abcdef deny \n" . filler(2 * $MANY, 2 * $MANY);
    die "sizes" unless length($old) == length($new);
    write_list($path, $old);
    system('touch', '-r', $path, "$path.ref") == 0 or die "touch";
    parse_pass($path, sub {
        open my $out, '+<', $path or die "open $path: $!";
        binmode $out;
        print $out $new;
        close $out or die "close: $!";
        system('touch', '-r', "$path.ref", $path) == 0 or die "touch -r";
    });
}

# TEST 9: a list whose last line is overlong and has no newline; while
# nginx reads it, the file grows to 4 TiB (sparse: zeros, no newline).
# The loader skips the rest of an overlong line up to the size the file
# had when opened: not to the end of a file that grows.
our $HUGE = 1 << 42;
sub grows_overlong {
    my ($path) = @_;
    write_list($path, filler($MANY) . ('#' x 5000));
    ProvWriter::while_read($path, $ROOT,
        change => sub { truncate($path, $HUGE) or die "truncate: $!" });
}

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
);

no_shuffle();
run_tests();

# the writers of TEST 9: each caught nginx as it should
for my $w (ProvWriter::finish()) {
    is($w->[1], '', "$0: $w->[0]");
}

# no 4 TiB file (sparse as it is) left in the server root
truncate("$ROOT/html/acl-grows", 0) if -e "$ROOT/html/acl-grows";

for my $c (@CATCHERS) {
    my ($pid, $rd) = @$c;
    my $said = CORE::join('', <$rd>);
    waitpid($pid, 0);
    is($said, '', "$0: the writer caught nginx in its parse");
}

__DATA__

=== TEST 1: refused: a no-break space between an attribute and sha256=
A list pasted from a spreadsheet or a web page with U+00A0 before
"sha256=": read as one token, "account=1042<NBSP>sha256=..." was an
attribute, and dev-a was allowed unpinned.  Invisible characters are
refused in every field, not only in ids.
--- http_config eval
main::backend()
--- user_files eval
main::files("000e08abcdef allow account=1042\xc2\xa0sha256=$main::FP_B\n")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*acl:1: invisible character U\+00A0 in an option /



=== TEST 2: the same in a Latin-1 list: a single A0 byte is refused
A spreadsheet's CSV export (Windows-1252) writes the no-break space as
the byte A0, no UTF-8: refused as such.
--- http_config eval
main::backend()
--- user_files eval
main::files("000e08abcdef allow account=1042\xa0sha256=$main::FP_B\n")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*acl:1: byte A0 in an option is no UTF-8 /



=== TEST 3: refused: a "#" inside a value
"account=suite#4 sha256=..." was read as "account=suite" and a comment:
dev-a, pinned to dev-b's certificate, was allowed with any certificate.
"#" starts a comment only at the start of a line or after a blank; inside
a field it is an error.
--- http_config eval
main::backend()
--- user_files eval
main::files("000e08abcdef allow account=suite#4 sha256=$main::FP_B\n")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*acl:1: \Q"#" inside "account=suite#4": a comment needs a blank before it\E$/



=== TEST 4: refused: an ideographic space (U+3000) at the end of a non-MAC id
A list typed with a Japanese input method: "000e08abcdef<U+3000> deny"
under prov_id CN was the id "000e08abcdef\xe3\x80\x80", which no
certificate carries: the deny denied nothing and dev-a was let in under
default=allow.
--- http_config eval
main::backend(id => 'prov_id CN;',
              acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::files("000e08abcdef\xe3\x80\x80 deny\n")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*acl:1: invisible character U\+3000 in the id /



=== TEST 5: accepted: a line of exactly 4096 bytes across the 64 KB read boundary
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::files((("#" x 99 . "\n") x 655)
            . "000e08abcdef deny note=" . ("x" x (4096 - 23)) . "\n")
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- no_error_log
[emerg]



=== TEST 6: refused: a 4097-byte line across the 64 KB read boundary
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::files((("#" x 99 . "\n") x 655)
            . "000e08abcdef deny note=" . ("x" x (4097 - 23)) . "\n")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*acl:656: line longer than 4096 bytes$/



=== TEST 7: refused: rewritten in place while parsed, mtime put back
See mtime_restored(): read on, nginx would load old lines 1..k and the
new list's lines k+1.., a list dev-a's deny is in neither half of.  The
change time (st_ctim) moved: "changed while being read".
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-restored default=allow;')
--- post_setup_server_root
main::mtime_restored("$main::ROOT/html/acl-restored");
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*\Qacl-restored" changed while being read\E/



=== TEST 8: TEST 7 from the device's side: the stolen dev-a is not let in
Neither the old list (deny last) nor the new one (deny first) lets dev-a
in; nginx, refusing the list, does not start.
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-restored2 default=allow;')
--- post_setup_server_root
main::mtime_restored("$main::ROOT/html/acl-restored2");
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*\Qacl-restored2" changed while being read\E/



=== TEST 9: refused at once: an overlong last line, the file growing while read
See grows_overlong(): the rest of the overlong line is skipped up to the
size the file had when opened, not through the 4 TiB it grows to; the
list is refused as changed.
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-grows;')
--- post_setup_server_root
main::grows_overlong("$main::ROOT/html/acl-grows");
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
[
    qr/\[emerg\] .*acl-grows:1000001: line longer than 4096 bytes$/,
    qr/\[emerg\] .*\Qacl-grows" changed while being read\E/,
]
