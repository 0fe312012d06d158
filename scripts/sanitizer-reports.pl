#!/usr/bin/perl
# Usage: scripts/sanitizer-reports.pl REPORT...
#
# Prints the sanitizer reports (ASan, LSan, UBSan log_path files of
# scripts/test-asan.sh) that are not known to be nginx's own, and exits 1
# if there is any.  Two leaks only are known, both of nginx's main()
# returning with memory still allocated; neither can be an LSan
# suppression (those match any frame, and every allocation has main() in
# its stack):
#
#   1. main() creates init_cycle.pool, a local of main(), and returns
#      without destroying it when the configuration fails (an [emerg],
#      "--- must_die" tests) or after "nginx -s reload": once main() has
#      returned, LSan finds the pool's first block (1024 bytes, a direct
#      leak allocated by ngx_create_pool() called by main()) unreferenced.
#
#   2. "nginx -t" that succeeds: main() returns right after its message,
#      leaving the whole new cycle (its pool, and all that the modules'
#      cleanups would have freed) referenced only by main()'s local
#      "cycle".  The pool's blocks point to each other, so LSan calls every
#      one of them an indirect leak and none a direct one.  The report is
#      dropped only when it holds no direct leak at all and holds the
#      cycle's pool (ngx_create_pool() called by ngx_init_cycle() called by
#      main()).  A leak of the module outside the cycle would be a direct
#      one; one inside it is reported at the exit of every master and
#      worker of the suite, which destroy the cycle's pool first.
#
# (A running nginx exits through exit() with main()'s frame still there:
# no report.)  A report is dropped only when all it holds is one of these.

use strict;
use warnings;

my $bad = 0;

for my $file (@ARGV) {
    open my $fh, '<', $file or die "$file: $!\n";
    my $text = do { local $/; <$fh> };
    close $fh;

    next if known($text);

    print "==== $file\n$text\n";
    $bad++;
}

exit($bad ? 1 : 0);


sub known {
    my ($text) = @_;

    my $banner = qr/\A\s*=+\s*==\d+==ERROR: LeakSanitizer: detected memory leaks\s*\n/;
    my @leaks = $text =~ /^((?:Direct|Indirect) leak of .*?)(?=^\S|\z)/msg;

    # the report must be LSan's alone: the banner, the leaks, the summary
    return 0 unless @leaks && $text =~ $banner;

    my $rest = $text;
    $rest =~ s/$banner//;
    $rest =~ s/\Q$_\E// for @leaks;
    $rest =~ s/^SUMMARY: AddressSanitizer: \d+ byte\(s\) leaked in \d+ allocation\(s\)\.\s*$//m;
    return 0 if $rest =~ /\S/;

    # 1: exactly one leak, main()'s init_cycle.pool
    if (@leaks == 1) {
        return 1 if $leaks[0] =~ /^Direct leak of 1024 byte\(s\) in 1 object\(s\)/
                    && pool_of($leaks[0], 'main');
    }

    # 2: "nginx -t": no direct leak, and the cycle's pool among them
    return 0 if grep { /^Direct/ } @leaks;

    return scalar grep { pool_of($_, 'ngx_init_cycle', 'main') } @leaks;
}


# pool_of($leak, @callers): the leak was allocated by ngx_create_pool()
# called by exactly these functions, then only libc's start-up frames
sub pool_of {
    my ($leak, @callers) = @_;
    my ($head, @frames) = split /\n/, $leak;

    my @fn = map { /^\s+#\d+ 0x[0-9a-f]+ in (\S+)/ ? $1 : () } @frames;

    # the allocator, then ngx_memalign <- ngx_create_pool <- @callers
    shift @fn while @fn && $fn[0] =~ /^__interceptor_|^(?:posix_memalign|memalign|malloc)$/;

    my @want = ('ngx_memalign', 'ngx_create_pool', @callers);
    return 0 unless @fn >= @want;
    return 0 unless "@fn[0 .. $#want]" eq "@want";

    return !grep { !/^__libc_start/ } @fn[@want .. $#fn];
}
