# Hostile review of the access list loader (issue 13, items 1, 5, 6 and
# the format around them).  Every block states what should happen; the
# ones marked FAILS NOW show a list loaded that is not what the file says.
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

sub backend {
    my %o = (
        acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;',
        id => 'prov_id ST mac;',
        gate => 'prov on;',
        @_,
    );
    my ($acl, $id, $gate) = delete @o{qw(acl id gate)};
    return ProvTest::backend(
        verify => 'on',
        server => "$gate\n$id\n$acl\n"
                . "add_header X-Account \"\$prov_acl_account\" always;\n",
        %o,
    );
}

sub files {
    my ($acl, @more) = @_;
    return [['profile.cfg', $ProvTest::PROFILE], @more, ['acl', $acl]];
}

sub write_list {
    my ($path, $text, $mode) = @_;
    open my $out, $mode // '>', $path or die "open $path: $!";
    binmode $out;
    print $out $text;
    close $out or die "close $path: $!";
}

sub filler {
    my ($n, $from) = @_;
    $from //= 0;
    return CORE::join('', map { sprintf "0200%08x allow\n", $_ }
                              $from + 1 .. $from + $n);
}

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
# file, or any writer that sets mtime): nginx has dev-a in neither half.
# The inode's ctime changed; the loader does not look at it.
our $MANY = 1000000;
sub mtime_restored {
    my ($path) = @_;
    my $old = filler($MANY) . "000e08abcdef deny \n";
    my $new = "000e08abcdef deny \n" . filler($MANY, $MANY);
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

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
);

no_shuffle();
run_tests();

for my $c (@CATCHERS) {
    my ($pid, $rd) = @$c;
    my $said = CORE::join('', <$rd>);
    waitpid($pid, 0);
    is($said, '', "$0: the writer caught nginx in its parse");
}

__DATA__

=== TEST 1: FAILS NOW: a no-break space between an attribute and sha256=
A list pasted from a spreadsheet or a web page (the case the invisible
character check of ids was written for) with U+00A0 before "sha256=": the
option is one token, "account=1042<NBSP>sha256=...", an attribute, and
dev-a is allowed unpinned (200, X-Account "1042 sha256=...").  Expected:
refused at load, as the same character in an id is.
--- http_config eval
main::backend()
--- user_files eval
main::files("000e08abcdef allow account=1042\xc2\xa0sha256=$main::FP_B\n")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] .*acl:1: /



=== TEST 2: the same, shown: dev-a (pinned to dev-b's certificate) is let in
What the running nginx does with TEST 1's list.  Expected (once TEST 1
passes, this block is moot): no 200.
--- http_config eval
main::backend()
--- user_files eval
main::files("000e08abcdef allow account=1042\xc2\xa0sha256=$main::FP_B\n")
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403



=== TEST 3: FAILS NOW: a "#" inside a value comments out the pin after it
"account=suite#4 sha256=..." is read as "account=suite": dev-a, pinned to
dev-b's certificate, is allowed with any certificate.  A generator that
writes values with "#" (an address, a ticket number) drops every pin and
attribute after it on that line, silently.  Expected: "#" starts a comment
only at the start of a line or after a blank, or a "#" inside a field is
an error.
--- http_config eval
main::backend()
--- user_files eval
main::files("000e08abcdef allow account=suite#4 sha256=$main::FP_B\n")
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403



=== TEST 4: FAILS NOW: an ideographic space (U+3000) ends a non-MAC id
A list typed with a Japanese input method: "000e08abcdef<U+3000> deny" under
prov_id CN is the id "000e08abcdef\xe3\x80\x80", which no certificate
carries: the deny denies nothing and dev-a is let in under default=allow.
The invisible character check knows U+00A0, U+2000-U+206F, U+FEFF only
(not U+3000, U+1680, U+180E, U+3164, U+FFA0, U+2800, variation selectors).
Expected: refused at load.
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
qr/\[emerg\] .*acl:1: /



=== TEST 5: held: a line of exactly 4096 bytes is read, 4097 refused
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



=== TEST 6: held: a 4097-byte line across the 64 KB read boundary is refused
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



=== TEST 7: FAILS NOW: rewritten in place while parsed, mtime put back
See mtime_restored(): nginx loads old lines 1..k and the new list's
lines k+1.., a list dev-a's deny is in neither half of.  Expected:
"changed while being read" (the loader could compare st_ctim too: no
unprivileged writer can set it back).
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
qr/\Qacl-restored" changed while being read\E/



=== TEST 8: FAILS NOW: TEST 7 shown: the stolen dev-a is let in
Neither the old list (deny last) nor the new one (deny first) lets dev-a
in; the list nginx loaded does.  Expected: no 200 (nginx refuses the list).
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-restored2 default=allow;')
--- post_setup_server_root
main::mtime_restored("$main::ROOT/html/acl-restored2");
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
