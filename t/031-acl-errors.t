# A bad access list stops nginx: every bad line is reported on its own
# error log line "<file>:<line>: <reason>", then "<n> error(s) in access
# list", and nginx does not start.  Comments, blank lines, CR LF line ends,
# tabs and a UTF-8 byte order mark at the start of the file are accepted.
# "#" starts a comment at the start of a line or after a blank only:
# inside a field it is an error (TEST 40).  Invisible characters (no-break
# and other spaces, zero widths, direction marks, fillers, variation
# selectors, tags) and bytes that are no UTF-8 are refused in every field,
# not in comments (TESTS 37-41).  A list that names no device loads, with
# a warning (TESTS 23, 24, 42).
# A last line without its newline is refused (the list may be cut short,
# still being written), and so is a list that changed while nginx read it
# (TESTS 31-35: writers that pause mid-file, append, rewrite in place or
# replace the list while nginx reads it, t/lib/ProvWriter.pm).  A path that
# is no regular file (a directory, a FIFO, a device) is refused, without
# waiting on it.
# The list is $TEST_NGINX_SERVER_ROOT/html/acl, written by --- user_files.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(fingerprint);
use ProvWriter;
use POSIX ();
use Time::HiRes ();

our $ACL = "$ENV{TEST_NGINX_SERVER_ROOT}/html/acl";

our $FP = fingerprint('dev-a');             # 85:CA:...: 95 characters
(our $FP_BARE = $FP) =~ s/://g;             # 64 hex digits



# the backend and the list's files: ProvTest's
*backend = \&ProvTest::acl_backend;
{
    no warnings "once";             # named only inside the blocks below
    *files = \&ProvTest::acl_files;
}

# lines(EOL, [line, reason or undef], ...) -> the file's text
sub lines {
    my ($eol, @l) = @_;
    return CORE::join('', map { $_->[0] . $eol } @l);
}

# The error log patterns of a list: one line "<file>:<n>: <reason>" (the
# whole message, nothing after it) per bad line, then the count.
sub errors {
    my ($file, @l) = @_;
    my @pats;
    my $n = 0;
    for my $i (0 .. $#l) {
        next unless defined $l[$i][1];
        $n++;
        push @pats, qr/\[emerg\] \d+#\d+: \Q$file:${\($i + 1)}: $l[$i][1]\E$/;
    }
    push @pats, qr/\[emerg\] \d+#\d+: \Q$n error(s) in access list "$file"\E/;
    return \@pats;
}

# no error reported on the good lines
sub no_errors {
    my ($file, @l) = @_;
    my @good = map { $_ + 1 } grep { !defined $l[$_][1] } 0 .. $#l;
    return [qr/\Q$file\E:(?:${\ CORE::join('|', @good)}):/];
}

# one of each error, between good, blank and comment lines
our @EACH = (
    ["# the device list",                           undef],
    ["000e08abcdef allow account=1",                undef],
    ["",                                            undef],
    ["000e08abcdeg allow",                          'bad id "000e08abcdeg": not a MAC address'],
    ["000e08abcdf0 permit",                         'unknown action "permit"'],
    ["000e08abcd80   # no action",                  'no action after "000e08abcd80"'],
    ["000e08abcdc1 allow sha256=85CADE",            'bad sha256 fingerprint "85CADE"'],
    ["000e08abcd51 allow sha256=$FP sha256=$FP",    'more than one "sha256="'],
    ["000e08abcd52 allow account",                  'bad option "account": not key=value'],
    ["000e08abcd53 allow acc-ount=1",               'bad key in "acc-ount=1"'],
    ["000e08abcd54 allow account=",                 'empty value in "account="'],
    ["000e08abcd55 allow account=1 Account=2",      'duplicate key in "Account=2"'],
    ["000e08abcd56 allow account=a\x01b",           "control character in \"account=a\x01b\""],
    ["00:0E:08:AB:CD:EF deny",                      'duplicate id "000e08abcdef"'],
    ["000e08abcd57 allow # " . ('x' x 4100),        'line longer than 4096 bytes'],
    ["   # fine after all that",                    undef],
    ["000e08abcd58 allow",                          undef],
);

our @FINGERPRINTS = (
    ["000e08abcd01 allow sha256=$FP",                undef],
    ["000e08abcd02 allow sha256=$FP_BARE",           undef],
    ["000e08abcd03 allow sha256=" . lc $FP,          undef],
    ["000e08abcd11 allow sha256=" . substr($FP_BARE, 0, 63),
        'bad sha256 fingerprint "' . substr($FP_BARE, 0, 63) . '"'],
    ["000e08abcd12 allow sha256=${FP_BARE}0",        "bad sha256 fingerprint \"${FP_BARE}0\""],
    ["000e08abcd13 allow sha256=" . substr($FP_BARE, 0, 63) . 'g',
        'bad sha256 fingerprint "' . substr($FP_BARE, 0, 63) . 'g"'],
    ["000e08abcd14 allow sha256=$FP:",               "bad sha256 fingerprint \"$FP:\""],
    ["000e08abcd15 allow sha256=" . substr($FP, 3),
        'bad sha256 fingerprint "' . substr($FP, 3) . '"'],
    # 95 characters, a colon one place off: 85C:A:DE:...
    ["000e08abcd16 allow sha256=" . substr($FP, 0, 2) . substr($FP, 3, 1) . ':' . substr($FP, 4),
        'bad sha256 fingerprint "' . substr($FP, 0, 2) . substr($FP, 3, 1) . ':' . substr($FP, 4) . '"'],
    ["000e08abcd17 allow sha256=",                   'bad sha256 fingerprint ""'],
    # a SHA-1 fingerprint, openssl's default
    ["000e08abcd18 allow sha256=" . substr($FP, 0, 59),
        'bad sha256 fingerprint "' . substr($FP, 0, 59) . '"'],
    ["000e08abcd19 allow sha256=" . CORE::join(':', unpack '(A4)*', $FP_BARE),
        'bad sha256 fingerprint "' . CORE::join(':', unpack '(A4)*', $FP_BARE) . '"'],
    ["000e08abcd1a allow sha256=" . substr($FP_BARE, 0, 62) . " " . substr($FP_BARE, 62),
        'bad sha256 fingerprint "' . substr($FP_BARE, 0, 62) . '"'],
);

our @MACS = (
    ["00:0e-08:ab:cd:61 allow",       'bad id "00:0e-08:ab:cd:61": not a MAC address'],
    ["000:e08:abc:d62 allow",         'bad id "000:e08:abc:d62": not a MAC address'],
    ["000e08abcd allow",              'bad id "000e08abcd": not a MAC address'],
    ["000e08abcd640 allow",           'bad id "000e08abcd640": not a MAC address'],
    ["00:0e:08:ab:cd:66: allow",      'bad id "00:0e:08:ab:cd:66:": not a MAC address'],
    ["00:0e:08:ab:cd67 allow",        'bad id "00:0e:08:ab:cd67": not a MAC address'],
    ["000e08abcdxg allow",            'bad id "000e08abcdxg": not a MAC address'],
    ["000\xd0\xb508abcdef allow",     "bad id \"000\xd0\xb508abcdef\": not a MAC address"],
    ["ciscogeneric deny",             'bad id "ciscogeneric": not a MAC address'],
    [".. allow",                      'bad id "..": not a MAC address'],
    ["000e08abcd63 allow",            undef],
);

our @LITERALS = (
    ["SEP00112233AABB allow",         undef],
    ["sep00112233aabb allow",         undef],
    ["00:15:65:AB:CD:EF allow",       undef],
    ["a/b allow",                     'bad id "a/b"'],
    [". allow",                       'bad id "."'],
    [".. deny",                       'bad id ".."'],
    ["..\\SEP1 allow",                'bad id "..\\SEP1"'],
    ["SEP\x01 allow",                 "bad id \"SEP\x01\""],
    ["SEP\x7f allow",                 "bad id \"SEP\x7f\""],
    ["SEP00112233AABB deny",          'duplicate id "SEP00112233AABB"'],
    ["...  allow",                    undef],
);

our @ACTIONS = (
    ["000e08abcd01 Allow",                    'unknown action "Allow"'],
    ["000e08abcd02 ALLOW",                    'unknown action "ALLOW"'],
    ["000e08abcd03 DENY",                     'unknown action "DENY"'],
    ["000e08abcd04 allowed",                  'unknown action "allowed"'],
    ["000e08abcd05 allow,",                   'unknown action "allow,"'],
    ["000e08abcd06 sha256=$FP",               "unknown action \"sha256=$FP\""],
    ["000e08abcd07 account=1",                'unknown action "account=1"'],
    ["000e08abcd08",                          'no action after "000e08abcd08"'],
    ["000e08abcd09 # allow",                  'no action after "000e08abcd09"'],
    ["000e08abcd0a\tdeny",                    undef],
);

our @OPTIONS = (
    ["000e08abcd01 allow =x",                 'bad option "=x": not key=value'],
    ["000e08abcd02 allow stolen",             'bad option "stolen": not key=value'],
    ["000e08abcd03 allow a.b=1",              'bad key in "a.b=1"'],
    ["000e08abcd04 allow k\xc3\xa9y=1",       "bad key in \"k\xc3\xa9y=1\""],
    ["000e08abcd05 allow a=1 b= c=3",         'empty value in "b="'],
    ["000e08abcd06 allow account=1 account=1", 'duplicate key in "account=1"'],
    ["000e08abcd07 allow Profile=a PROFILE=b", 'duplicate key in "PROFILE=b"'],
    ["000e08abcd08 allow note=\x1b[31m",      "control character in \"note=\x1b[31m\""],
    ["000e08abcd09 allow note=a\x7f",         "control character in \"note=a\x7f\""],
    ["000e08abcd0a allow note=a\x0bb",        "control character in \"note=a\x0bb\""],
    ["000e08abcd0b allow sha256=$FP_BARE sha256=$FP",  'more than one "sha256="'],
    ["000e08abcd0c allow a=b=c _=1 A_1=x",    undef],
);

our @DUPLICATES = (
    ["000e08abcdef allow",                    undef],
    ["000E.08AB.CDEF deny",                   'duplicate id "000e08abcdef"'],
    ["00-0e-08-ab-cd-f0 allow",               undef],
    ["000e08abcdf0 allow account=2",          'duplicate id "000e08abcdf0"'],
    ["00:0e:08:ab:cd:ef allow",               'duplicate id "000e08abcdef"'],
);

# sizes: a line of 4096 bytes is fine, 4097 is not, nor 100000 (more than
# the reading buffer); the lines after them keep their numbers
our @SIZES = (
    ["000e08abcd01 allow",                    undef],
    ["# " . ('x' x 99998),                    'line longer than 4096 bytes'],
    ["000e08abcd02 permit",                   'unknown action "permit"'],
    ["000e08abcd03 allow #" . ('y' x 4077),   'line longer than 4096 bytes'],
    ["000e08abcd04 allow #" . ('z' x 4076),   undef],
    ["000e08abcd05 allow",                    undef],
    ["000e08abcd06 allow note=\x01",          "control character in \"note=\x01\""],
);
die "sizes" unless length($SIZES[3][0]) == 4097 && length($SIZES[4][0]) == 4096;

# 5000 good lines (more than the reading buffer), then a bad one
our @MANY = (
    (map { [sprintf('000e08%06x allow account=%d', $_, $_), undef] } 1 .. 5000),
    ["000e08abcdef permit",                   'unknown action "permit"'],
    ["000e08000001 deny",                     'duplicate id "000e08000001"'],
);

# a byte order mark, as Windows editors start a UTF-8 file: stripped at the
# start of the file, refused anywhere else (under any prov_id)
our $BOM = "\xef\xbb\xbf";

our $NOT_START = 'byte order mark not at the start of the file';

our @BOMS = (
    ["$BOM# devices.acl, saved by a Windows editor",  undef],
    ["000e08abcdef allow",                            undef],
    ["${BOM}000e08abcdf0 deny",                       $NOT_START],
    ["  ${BOM}000e08abcd80 deny # after blanks",      $NOT_START],
    ["${BOM}000e08abcdc1 permit",                     $NOT_START],
    ["$BOM",                                          $NOT_START],
    ["000e08abcd51 allow note=$BOM",                  $NOT_START],
    ["000e08abcd52 allow # note=$BOM",                undef],
);

# invisible characters, in every field of a line: what the loader refuses
our @INVISIBLE_CPS = (
    0x85, 0xA0, 0xAD, 0x34F, 0x61C, 0x115F, 0x1160, 0x1680, 0x17B4,
    0x17B5, 0x180E, 0x2000, 0x2005, 0x200A, 0x200B, 0x200C, 0x200D,
    0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202E, 0x202F, 0x205F,
    0x2060, 0x2061, 0x2064, 0x2066, 0x2069, 0x206F, 0x2800, 0x3000,
    0x3164, 0xFE00, 0xFE0F, 0xFFA0, 0xFFF9, 0xFFFB, 0x1BCA0, 0x1D173,
    0xE0001, 0xE0020, 0xE007F, 0xE0100, 0xE01EF,
);

sub utf8_of { my $c = chr($_[0]); utf8::encode($c); return $c }

sub invisible {
    my ($cp, $what) = @_;
    return sprintf('invisible character U+%04X in %s (a no-break space, '
                   . 'a zero-width or format character)', $cp, $what);
}

# invisible_lines(FIELD, ...): each character in each FIELD (id, mid,
# action, key, value, pinned, pin: the id's end, the id's middle, the
# action, a key, a value, a value before a pin, a pin), two fields a test
# (at most 100 errors are shown); then the same in a comment, accepted
my %FIELD = (
    id     => sub { sprintf("0200%08x$_[1] allow", $_[0]), 'the id' },
    mid    => sub { sprintf("0200%04x$_[1]%04x deny", 0, $_[0]), 'the id' },
    action => sub { sprintf("0201%08x allow$_[1]", $_[0]), 'the action' },
    key    => sub { sprintf("0202%08x allow ac$_[1]count=1", $_[0]),
                    'an option' },
    value  => sub { sprintf("0203%08x allow account=1$_[1]2", $_[0]),
                    'an option' },
    pinned => sub { sprintf("0204%08x allow account=1$_[1]sha256=$FP",
                            $_[0]), 'an option' },
    pin    => sub { sprintf("0205%08x allow sha256=%s$_[1]%s", $_[0],
                            substr($FP, 0, 47), substr($FP, 47)),
                    'an option' },
);

sub invisible_lines {
    my @l;
    my $n = 0;
    for my $cp (@INVISIBLE_CPS) {
        my $c = utf8_of($cp);
        $n++;
        for my $f (@_) {
            my ($line, $what) = $FIELD{$f}->($n, $c);
            push @l, [$line, invisible($cp, $what)];
        }
        push @l, [sprintf('0206%08x allow # a comment: %s', $n, $c), undef],
                 ["#$c", undef];
    }
    return @l;
}

our @INVISIBLE_ID = invisible_lines(qw(id mid));
our @INVISIBLE_ACTION = invisible_lines(qw(id action));
our @INVISIBLE_OPTION = invisible_lines(qw(key value));
our @INVISIBLE_PIN = invisible_lines(qw(pinned pin));

# visible characters next to the invisible ones: kept in values
our @VISIBLE = (
    map { [sprintf('0207%08x allow note=a%sb', $_, utf8_of($_)), undef] }
        0xA1, 0xAC, 0xAE, 0xE9, 0x2010, 0x2013, 0x201C, 0x2026, 0x2030,
        0x205E, 0x2070, 0x2801, 0x3001, 0x3165, 0xFE10, 0xFFA1, 0xFFFC,
        0x1F600
);

sub not_utf8 {
    my ($byte, $what) = @_;
    return sprintf('byte %02X in %s is no UTF-8 (a Latin-1 list? its '
                   . 'no-break space is A0)', $byte, $what);
}

# bytes that are no UTF-8: a Latin-1 list, overlong forms, surrogates
our @NOT_UTF8 = (
    ["000e08abcd01\xa0 allow",                not_utf8(0xA0, 'the id')],
    ["000e08abcd02 allow\xa0",                not_utf8(0xA0, 'the action')],
    ["000e08abcd03 allow account=1\xa0sha256=$FP",
                                              not_utf8(0xA0, 'an option')],
    ["000e08abcd04 allow note=M\xfcller",     not_utf8(0xFC, 'an option')],
    ["000e08abcd05 allow note=\xc0\xa0",      not_utf8(0xC0, 'an option')],
    ["000e08abcd06 allow note=\xe0\x82\xa0",  not_utf8(0xE0, 'an option')],
    ["000e08abcd07 allow note=\xed\xa0\x80",  not_utf8(0xED, 'an option')],
    ["000e08abcd08 allow note=\xf4\x90\x80\x80", not_utf8(0xF4, 'an option')],
    ["000e08abcd09 allow note=\xf5\x80\x80\x80", not_utf8(0xF5, 'an option')],
    ["000e08abcd0a allow note=\xe3\x80",      not_utf8(0xE3, 'an option')],
    ["000e08abcd0b allow note=\xe3\x80x",     not_utf8(0xE3, 'an option')],
    ["000e08abcd0c allow note=\x80",          not_utf8(0x80, 'an option')],
    ["000e08abcd0d allow # M\xfcller \xa0",   undef],
    ["000e08abcd0e allow note=M\xc3\xbcller", undef],
);

# "#" starts a comment at the start of a line or after a blank; inside a
# field it is an error
sub hash_in { qq{"#" inside "$_[0]": a comment needs a blank before it} }

our @HASHES = (
    ["000e08abcd01 allow#no blank before",    hash_in('allow#no')],
    ["000e08abcd02 allow account=51#x",       hash_in('account=51#x')],
    ["000e08abcd03#x allow",                  hash_in('000e08abcd03#x')],
    ["000e08abcd04 allow sha256=$FP#",        hash_in("sha256=$FP#")],
    ["000e08abcd05 allow note=#",             hash_in('note=#')],
    ["000e08abcd06 allow #=1 a=2",            undef],
    ["000e08abcd07 allow note=a #b#c d=#",    undef],
    ["#000e08abcd08 allow",                   undef],
    ["  \t# indented",                        undef],
    ["000e08abcd09\tallow\t#after a tab",     undef],
    ["000e08abcd0a allow note=a\r# after a CR", undef],
);

# the reason given for a last line without its newline
our $NO_NEWLINE = 'last line has no newline: the list may be cut short or '
                . 'still being written (replace lists atomically: write '
                . 'elsewhere, then mv)';

# Notepad's list: a byte order mark, CR LF, the first line a deny
our $WINDOWS = "${BOM}000e08abcdef deny account=1042\r\n"
             . "000e08abcdf0 allow account=1043\r\n";

# fifo(PATH), for TEST 14b: makes the FIFO PATH, and a watchdog.  Opening
# a FIFO for reading waits for a writer: an nginx doing so would hang the
# suite.  3 s later the watchdog opens PATH for writing, without waiting,
# which works only while a reader holds it open (nginx, still waiting in
# open(): the writer lets it go on), and says so; the end of this file
# turns that into a failed test.
our @WATCHDOGS;

sub fifo {
    my ($path) = @_;
    POSIX::mkfifo($path, 0644) or die "mkfifo $path: $!\n";
    pipe(my $rd, my $wr) or die "pipe: $!\n";
    my $pid = fork() // die "fork: $!\n";
    if ($pid == 0) {
        close $rd;
        sleep 3;
        if (sysopen(my $fh, $path, POSIX::O_WRONLY() | POSIX::O_NONBLOCK())) {
            print $wr "nginx still waited for a writer on $path after 3 s\n";
            close $fh;
        }
        close $wr;
        POSIX::_exit(0);
    }
    close $wr;
    push @WATCHDOGS, [$pid, $rd];
}

# Lists that change while nginx reads them (TESTS 31-35), written by
# t/lib/ProvWriter.pm's writers from --- post_setup_server_root, so that
# they are there before nginx starts (these lists have names of their own:
# --- user_files are written later).  ProvWriter::while_read() finds the
# nginx under test by the server root in its command line.
our $ROOT = $ENV{TEST_NGINX_SERVER_ROOT};

# filler(N[, FROM]) and write_list(PATH, TEXT, MODE): t/lib/ProvWriter.pm's
*filler = \&ProvWriter::filler;
*write_list = \&ProvWriter::write_list;
die "filler: 19 bytes a line" unless length(filler(1)) == 19;

# the lists nginx is caught reading: 1,000,000 devices (19 MB), which it
# reads in some 400 ms (t/lib/ProvWriter.pm)
our $MANY = 1000000;
my $many;
sub many { $many //= filler($MANY) }

# TEST 32: 1,000,000 devices, then dev-a; once nginx reads it, 1,000
# lines more, then a line a millisecond until nginx is done with it.  Every
# write ends with its newline: only the change tells the list is not
# whole.
sub growing {
    my ($path) = @_;
    write_list($path, many() . "000e08abcdef allow account=grown\n");
    my $next = $MANY;
    ProvWriter::while_read($path, $ROOT,
        change => sub {
            write_list($path, filler(1000, $next), '>>');
            $next += 1000;
        },
        after => sub {
            write_list($path, filler(1, $next++), '>>');
            Time::HiRes::sleep(0.001);
        });
}

# TEST 33: dev-a's "deny" is the list's last line, under default=allow; a
# "cp" of the same list over it starts while nginx reads it (the file
# emptied, its first 210 lines written again), and pauses there until
# nginx is done with it.  Cut after a whole line, what nginx reads has
# nothing wrong in it.
sub rewritten {
    my ($path) = @_;
    write_list($path, many() . "000e08abcdef deny account=stolen\n");
    ProvWriter::while_read($path, $ROOT,
        change => sub { write_list($path, substr(many(), 0, 210 * 19)) });
}

# TEST 34: a new list written elsewhere and renamed over the one nginx
# reads, as the README says to install lists: nginx loads the list it
# was reading (whole and unchanged), and says the file was replaced
sub replaced {
    my ($path) = @_;
    write_list($path, many() . "000e08abcdef allow account=old\n");
    ProvWriter::while_read($path, $ROOT,
        change => sub {
            write_list("$path.new", "000e08abcdef deny account=new\n");
            rename("$path.new", $path) or die "rename $path.new: $!";
        });
}

# TEST 35: the table is sized by the first reading (devices counted), the
# devices added by the second; a list rewritten in place while nginx reads
# it holds more devices than counted: past 3/4 of the table made for them,
# a device is refused, not stored.  The old list is dev-a and 16,000,000
# comment lines, the new one the same size: 3,000 devices in its first
# 64 KB, comments, 12 devices in its last 64 KB.  Rewritten while nginx
# counts (it has read its first 64 KB), it counts at most 13 devices (24
# fit) and adds 3,012; while it parses (it has yet to read the last 64 KB),
# it counts one (12 fit) and adds 13 at least.
sub undercount {
    my ($path) = @_;
    my $old = "000e08abcdef allow\n" . ("#\n" x 16000000);
    my ($head, $tail) = (filler(3000), filler(12, 3000));
    my $pad = length($old) - length($head) - length($tail);
    my $new = $head . ($pad % 2 ? "\n" : '') . ("#\n" x int($pad / 2))
            . $tail;
    die "undercount: sizes" unless length($new) == length($old)
                                   && length($head) < 65536;
    write_list($path, $old);
    ProvWriter::while_read($path, $ROOT,
        before => 2 * length($old) - 65536,
        change => sub {
            # in place: the same file, emptied and written again
            open my $out, '+<', $path or die "open $path: $!";
            binmode $out;
            truncate($out, 0) or die "truncate $path: $!";
            print $out $new;
            close $out or die "close $path: $!";
        });
}

# the warning for a list that names no device
sub no_device {
    my ($path) = @_;
    return qr/\[warn\] \d+#\d+: \Qaccess list "$path" names no device: every device gets the default (default=allow lets all in, default=deny none)\E/;
}

# the reason given for a list that changed while it was read
sub changed {
    my ($path) = @_;
    return qr/\[emerg\] \d+#\d+: \Qaccess list "$path" changed while being read; replace lists atomically: write elsewhere, then mv\E/;
}

ProvTest::defaults(
    http_config => backend(),
    config => ProvTest::front(),
);

no_shuffle();
run_tests();

for my $w (@WATCHDOGS) {
    my ($pid, $rd) = @$w;
    my $said = CORE::join('', <$rd>);
    waitpid($pid, 0);
    is($said, '', "$0 TEST 14b: nginx did not wait on the FIFO");
}

# the writers of TESTS 31-35: each caught nginx as it should (else the
# block's verdict says nothing)
for my $w (ProvWriter::finish()) {
    is($w->[1], '', "$0: $w->[0]");
}

__DATA__

=== TEST 1: one error of each kind, each with its file:line
--- user_files eval
main::files(main::lines("\n", @main::EACH))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::EACH)
--- no_error_log eval
main::no_errors($main::ACL, @main::EACH)



=== TEST 2: the same with CR LF line ends: the same lines, the same numbers
--- user_files eval
main::files(main::lines("\r\n", @main::EACH))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::EACH)
--- no_error_log eval
main::no_errors($main::ACL, @main::EACH)



=== TEST 3: fingerprints: 64 hex digits, or 32 pairs joined by colons
--- user_files eval
main::files(main::lines("\n", @main::FINGERPRINTS))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::FINGERPRINTS)
--- no_error_log eval
main::no_errors($main::ACL, @main::FINGERPRINTS)



=== TEST 4: ids that are no MAC address, in a list read by "prov_id ST mac"
--- user_files eval
main::files(main::lines("\n", @main::MACS))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::MACS)
--- no_error_log eval
main::no_errors($main::ACL, @main::MACS)



=== TEST 5: unsafe and duplicate ids in a literal list ("prov_id CN")
Literal ids are not case-folded: SEP00112233AABB and sep00112233aabb are two.
--- http_config eval
main::backend(id => 'prov_id CN;')
--- user_files eval
main::files(main::lines("\n", @main::LITERALS))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::LITERALS)
--- no_error_log eval
main::no_errors($main::ACL, @main::LITERALS)



=== TEST 6: actions: "allow" or "deny", nothing else, right after the id
--- user_files eval
main::files(main::lines("\n", @main::ACTIONS))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::ACTIONS)
--- no_error_log eval
main::no_errors($main::ACL, @main::ACTIONS)



=== TEST 7: options: key=value with a [A-Za-z0-9_] key, once each
--- user_files eval
main::files(main::lines("\n", @main::OPTIONS))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::OPTIONS)
--- no_error_log eval
main::no_errors($main::ACL, @main::OPTIONS)



=== TEST 8: duplicate ids, compared in canonical form
--- user_files eval
main::files(main::lines("\n", @main::DUPLICATES))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::DUPLICATES)
--- no_error_log eval
main::no_errors($main::ACL, @main::DUPLICATES)



=== TEST 9: overlong lines; the lines after them keep their numbers
--- user_files eval
main::files(main::lines("\n", @main::SIZES))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::SIZES)
--- no_error_log eval
main::no_errors($main::ACL, @main::SIZES)



=== TEST 10: line numbers past the reading buffer
--- user_files eval
main::files(main::lines("\n", @main::MANY))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::MANY)
--- no_error_log eval
[qr/\Q$main::ACL\E:(?!500[12]:)\d+:/]



=== TEST 11: a last line without its newline is refused, whatever it holds
The list may be cut short ("permit" the start of a longer word, a pin not
yet written): the line is not read, its own errors are not reported.
--- user_files eval
main::files("000e08abcdef allow\n000e08abcdf0 permit")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
[
    qr/\[emerg\] \d+#\d+: \Q$main::ACL:2: $main::NO_NEWLINE\E$/,
    qr/\[emerg\] \d+#\d+: \Q1 error(s) in access list "$main::ACL"\E/,
]
--- no_error_log
unknown action



=== TEST 12: at most 100 errors are printed, all are counted
--- user_files eval
main::files(CORE::join('', map { "000e08abcd01 permit$_\n" } 1 .. 150))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
[
    qr/\[emerg\] \d+#\d+: \Q$main::ACL:1: unknown action "permit1"\E$/,
    qr/\[emerg\] \d+#\d+: \Q$main::ACL:100: unknown action "permit100"\E$/,
    qr/\[emerg\] \d+#\d+: .*too many errors/,
    qr/\[emerg\] \d+#\d+: \Q150 error(s) in access list "$main::ACL"\E/,
]
--- no_error_log eval
[
    qr/\Q$main::ACL\E:101:/,
    qr/\Q$main::ACL\E:150:/,
]



=== TEST 13: a missing file
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/no-such-acl;')
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: open\(\) "\Q$ENV{TEST_NGINX_SERVER_ROOT}\E\/html\/no-such-acl" failed \(2: No such file or directory\) in \S+nginx\.conf:\d+$/



=== TEST 14: a directory
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html;')
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: access list "\Q$ENV{TEST_NGINX_SERVER_ROOT}\E\/html" is not a regular file in /



=== TEST 14b: a FIFO: refused at once, without waiting for a writer
Opening it for reading would wait for a writer: "nginx -t", or the master
reloading, would hang.  fifo() makes it, with a watchdog.
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/fifo;')
--- post_setup_server_root
main::fifo("$ENV{TEST_NGINX_SERVER_ROOT}/html/fifo");
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: access list "\Q$ENV{TEST_NGINX_SERVER_ROOT}\E\/html\/fifo" is not a regular file in /



=== TEST 14c: a character device
--- http_config eval
main::backend(acl => 'prov_acl /dev/null;')
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: access list "\/dev\/null" is not a regular file in /



=== TEST 15: the list is read (and must be right) where the gate is off too
prov_id and prov_acl apply to the location: $prov_acl_<key> needs the list.
--- http_config eval
main::backend(gate => 'prov off;')
--- user_files eval
main::files("000e08abcdef permit\n")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: \Q$main::ACL:1: unknown action "permit"\E$/



=== TEST 16: a bad list named only in a location
--- http_config eval
main::backend(acl => '', extra => '
        location /gated/ {
            prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;
        }
')
--- user_files eval
main::files("000e08abcdef allow\n000e08abcdef deny\n")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: \Q$main::ACL:2: duplicate id "000e08abcdef"\E$/



=== TEST 17: prov_acl directive: unknown parameter
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=maybe;')
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: invalid parameter "default=maybe" in \S+nginx\.conf:\d+$/



=== TEST 18: prov_acl directive: "off" takes no parameter
--- http_config eval
main::backend(acl => 'prov_acl off default=allow;')
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: "prov_acl" directive takes no parameters after "off" in \S+nginx\.conf:\d+$/



=== TEST 19: prov_acl directive: twice at one level
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl; prov_acl off;')
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: "prov_acl" directive is duplicate in \S+nginx\.conf:\d+$/



=== TEST 20: prov_acl directive: too many arguments
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow x;')
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: invalid number of arguments in "prov_acl" directive in \S+nginx\.conf:\d+$/



=== TEST 21: accepted: CR LF, comments, blank and blank-looking lines, tabs
Trailing comments after a blank (a "#" inside a field: TEST 40); no CR
ends up in a value.
--- user_files eval
main::files(
    "# the device list\r\n"
  . "\r\n"
  . "   \t \r\n"
  . "\t000e08abcdef\tallow\taccount=1042\t\r\n"
  . "000e08abcdf0   deny   account=1043   # reported stolen\r\n"
  . "  # an indented comment\r\n"
  . "000e08abcd80 allow\t#a tab before the comment\r\n"
  . "000e08abcd51 allow account=51 #a comment after a value\r\n"
  . "#000e08abcd52 allow\r\n"
  . "000e08abcdc1 allow account=last\r\n"
)
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/full/profile.cfg",
    "GET /as/mac-colon/profile.cfg",
    "GET /as/chain-c/profile.cfg",
    "GET /as/mac-dash/profile.cfg",
    "GET /as/dev-b/profile.cfg",
]
--- error_code eval
[200, 200, 200, 200, 403, 403]
--- response_headers eval
[
    "X-Prov-Result: allow\nX-Account: 1042",
    "X-Prov-Result: allow\nX-Account:",
    "X-Prov-Result: allow\nX-Account: 51",
    "X-Prov-Result: allow\nX-Account: last",
    "X-Prov-Result: not_listed\nX-Account:",
    "X-Prov-Result: denied\nX-Account: 1043",
]
--- no_error_log eval
['[emerg]', 'names no device']



=== TEST 22: refused: a last line ending in CR, without its LF
A CR LF list cut between the two.
--- user_files eval
main::files("000e08abcdef allow account=1\r")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
[
    qr/\[emerg\] \d+#\d+: \Q$main::ACL:1: $main::NO_NEWLINE\E$/,
    qr/\[emerg\] \d+#\d+: \Q1 error(s) in access list "$main::ACL"\E/,
]



=== TEST 23: accepted, with a warning: an empty list denies every device
"make-list > devices.acl" empties the list before it writes it: a warning
at every load says the list names no device.
--- user_files eval
main::files("")
--- suppress_stderr
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_headers
X-Prov-Id: 000e08abcdef
X-Prov-Result: not_listed
--- error_log eval
[
    qq{prov: access forbidden (not_listed): device "000e08abcdef" not in "$main::ACL", serial 1001},
    main::no_device($main::ACL),
]



=== TEST 24: accepted, with a warning: only comments and blank lines
--- user_files eval
main::files("# nothing yet\r\n\n   \n\t# still nothing\n#\n")
--- suppress_stderr
--- request
GET /as/dev-a/profile.cfg
--- error_code: 403
--- response_headers
X-Prov-Result: not_listed
--- error_log eval
main::no_device($main::ACL)



=== TEST 25: accepted: a line of 4096 bytes, good lines past the reading buffer
--- user_files eval
main::files(main::lines("\n", @main::MANY[0 .. 4999],
    ["000e08abcdef allow account=a #" . ('w' x 4066), undef]))
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
]
--- error_code eval
[200, 403]
--- response_headers eval
[
    "X-Prov-Result: allow\nX-Account: a",
    "X-Prov-Result: not_listed\nX-Account:",
]
--- no_error_log
[emerg]



=== TEST 26: accepted: a byte order mark at the start, before a deny line
A Windows editor's UTF-8 list: the "deny" on line 1 denies, under
default=allow too (where a line that names no device denies nobody).
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::files($main::WINDOWS)
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
    "GET /as/full/profile.cfg",
]
--- error_code eval
[403, 200, 200]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: denied\nX-Account: 1042",
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: allow\nX-Account: 1043",
    "X-Prov-Id: 000e08abcd80\nX-Prov-Result: allow\nX-Account:",
]
--- no_error_log
[emerg]



=== TEST 27: accepted: a byte order mark at the start, "prov_id CN"
A literal id would keep the mark: dev-a's CN is 000e08abcdef.
--- http_config eval
main::backend(id => 'prov_id CN;',
              acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::files($main::WINDOWS)
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-b/profile.cfg",
]
--- error_code eval
[403, 200]
--- response_headers eval
[
    "X-Prov-Id: 000e08abcdef\nX-Prov-Result: denied\nX-Account: 1042",
    "X-Prov-Id: 000e08abcdf0\nX-Prov-Result: allow\nX-Account: 1043",
]
--- no_error_log
[emerg]



=== TEST 28: accepted: a byte order mark at the start, a regex prov_id
cisco-sep's CN is SEP00112233AABB: its id is 00112233AABB.
--- http_config eval
main::backend(id => 'prov_id CN "^SEP(?<id>[0-9A-F]{12})$";',
              acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::files("${main::BOM}00112233AABB deny account=sep\n")
--- request
GET /as/cisco-sep/profile.cfg
--- error_code: 403
--- response_headers
X-Prov-Id: 00112233AABB
X-Prov-Result: denied
X-Account: sep
--- no_error_log
[emerg]



=== TEST 29: a byte order mark anywhere else: refused ("prov_id ST mac")
--- user_files eval
main::files(main::lines("\n", @main::BOMS))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::BOMS)
--- no_error_log eval
main::no_errors($main::ACL, @main::BOMS)



=== TEST 30: a byte order mark anywhere else: refused ("prov_id CN")
--- http_config eval
main::backend(id => 'prov_id CN;')
--- user_files eval
main::files(main::lines("\n", @main::BOMS))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::BOMS)
--- no_error_log eval
main::no_errors($main::ACL, @main::BOMS)



=== TEST 31: refused: a list being written, its writer paused mid-line
The writer has written dev-a's pinned line up to "allow", not yet its
" sha256=" nor its newline, and holds the file open: read as a whole line,
it would let any certificate of dev-a's MAC in (a clone: dev-a2).
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-partial;')
--- post_setup_server_root
ProvWriter::paused("$main::ROOT/html/acl-partial",
                   "000e08abcdf0 allow account=2\n000e08abcdef allow",
                   " sha256=$main::FP\n");
--- user_files eval
main::files("")
--- request
GET /as/dev-a2/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
[
    qr/\[emerg\] \d+#\d+: \Q$main::ROOT\/html\/acl-partial:2: $main::NO_NEWLINE\E$/,
    qr/\[emerg\] \d+#\d+: \Q1 error(s) in access list "$main::ROOT\/html\/acl-partial"\E/,
]



=== TEST 31b: refused: a last comment line without its newline
The rule holds for every last line: a comment may be the start of a device.
--- user_files eval
main::files("000e08abcdef allow\n# the end")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
qr/\[emerg\] \d+#\d+: \Q$main::ACL:2: $main::NO_NEWLINE\E$/



=== TEST 32: refused: a list that grows while nginx reads it
Not loaded short, though every write ends with a newline.
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-growing;')
--- post_setup_server_root
main::growing("$main::ROOT/html/acl-growing");
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::changed("$main::ROOT/html/acl-growing")
--- no_error_log
[warn]



=== TEST 33: refused: a list rewritten in place while nginx reads it
Read to its end as it is then, the list would lose its last line, dev-a's
"deny", and with default=allow the stolen dev-a would be let in.
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-rewritten default=allow;')
--- post_setup_server_root
main::rewritten("$main::ROOT/html/acl-rewritten");
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::changed("$main::ROOT/html/acl-rewritten")
--- no_error_log eval
[
    qr/acl-rewritten:\d+:/,
    qr/error\(s\) in access list/,
]



=== TEST 34: accepted: a list replaced by a rename while nginx reads it
What nginx read is the old list, whole and unchanged: it is loaded, and a
warning says the next reload reads the new one.
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-moved;')
--- post_setup_server_root
main::replaced("$main::ROOT/html/acl-moved");
--- user_files eval
main::files("")
--- suppress_stderr
--- request
GET /as/dev-a/profile.cfg
--- error_code: 200
--- response_headers
X-Prov-Result: allow
X-Account: old
--- error_log eval
qr/\[warn\] \d+#\d+: \Qaccess list "$main::ROOT\/html\/acl-moved" was replaced or removed while being read: the list as it was is loaded; reload again to read the new one\E/
--- no_error_log
[emerg]



=== TEST 35: refused: more devices than counted (rewritten while read)
The table, sized for the devices counted, is never filled past 3/4.
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl-undercount;')
--- post_setup_server_root
main::undercount("$main::ROOT/html/acl-undercount");
--- user_files eval
main::files("")
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
[
    qr/\[emerg\] \d+#\d+: \Q$main::ROOT\/html\/acl-undercount:\E\d+: more devices than counted: the file changed while being read$/,
    main::changed("$main::ROOT/html/acl-undercount"),
]
--- no_error_log eval
[qr/error\(s\) in access list/]



=== TEST 36: accepted: the same list, written whole before nginx reads it
TEST 31's list once its writer is done.
--- user_files eval
main::files("000e08abcdf0 allow account=2\n000e08abcdef allow sha256=$main::FP\n")
--- request eval
[
    "GET /as/dev-a/profile.cfg",
    "GET /as/dev-a2/profile.cfg",
]
--- error_code eval
[200, 403]
--- response_headers eval
[
    "X-Prov-Result: allow",
    "X-Prov-Result: pin_mismatch",
]
--- no_error_log
[emerg]




=== TEST 37: invisible characters are refused in ids ("prov_id ST mac")
No-break and other spaces, zero widths, direction marks and isolates,
fillers, variation selectors and tags, in the id, the action, a key, a
value or a pin: once read as part of a field, they dropped a pin
("account=1<NBSP>sha256=...") or made an id no certificate carries.  In
a comment they are fine.
--- user_files eval
main::files(main::lines("\n", @main::INVISIBLE_ID))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::INVISIBLE_ID)
--- no_error_log eval
main::no_errors($main::ACL, @main::INVISIBLE_ID)



=== TEST 37b: invisible characters are refused in ids ("prov_id CN")
--- http_config eval
main::backend(id => 'prov_id CN;')
--- user_files eval
main::files(main::lines("\n", @main::INVISIBLE_ID))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::INVISIBLE_ID)
--- no_error_log eval
main::no_errors($main::ACL, @main::INVISIBLE_ID)



=== TEST 38: invisible characters are refused in actions
--- user_files eval
main::files(main::lines("\n", @main::INVISIBLE_ACTION))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::INVISIBLE_ACTION)
--- no_error_log eval
main::no_errors($main::ACL, @main::INVISIBLE_ACTION)



=== TEST 38b: invisible characters are refused in keys and values
--- user_files eval
main::files(main::lines("\n", @main::INVISIBLE_OPTION))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::INVISIBLE_OPTION)
--- no_error_log eval
main::no_errors($main::ACL, @main::INVISIBLE_OPTION)



=== TEST 38c: invisible characters are refused in pins and before them
--- user_files eval
main::files(main::lines("\n", @main::INVISIBLE_PIN))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::INVISIBLE_PIN)
--- no_error_log eval
main::no_errors($main::ACL, @main::INVISIBLE_PIN)



=== TEST 39: accepted: visible characters next to the invisible ones, in values
--- user_files eval
main::files(main::lines("\n", @main::VISIBLE, ["000e08abcdef allow note=\xe2\x80\x93", undef]))
--- request
GET /as/dev-a/profile.cfg
--- error_code: 200
--- response_headers eval
"X-Prov-Result: allow\nX-Account:"
--- no_error_log
[emerg]



=== TEST 40: "#" inside a field is an error; a comment starts after a blank
--- user_files eval
main::files(main::lines("\n", @main::HASHES))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::HASHES)
--- no_error_log eval
main::no_errors($main::ACL, @main::HASHES)



=== TEST 41: bytes that are no UTF-8 are refused in every field, not in comments
--- user_files eval
main::files(main::lines("\n", @main::NOT_UTF8))
--- request
GET /as/dev-a/profile.cfg
--- must_die
--- suppress_stderr
--- error_log eval
main::errors($main::ACL, @main::NOT_UTF8)
--- no_error_log eval
main::no_errors($main::ACL, @main::NOT_UTF8)



=== TEST 42: accepted, with a warning: an empty list under default=allow lets every device in
--- http_config eval
main::backend(acl => 'prov_acl $TEST_NGINX_SERVER_ROOT/html/acl default=allow;')
--- user_files eval
main::files("")
--- suppress_stderr
--- request
GET /as/dev-a/profile.cfg
--- error_code: 200
--- response_headers
X-Prov-Result: allow
--- error_log eval
main::no_device($main::ACL)
