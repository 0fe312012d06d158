#!/usr/bin/perl
# Usage: scripts/sanitizer-reports.pl REPORT...
#
# Prints the sanitizer reports (ASan, LSan, UBSan log_path files of
# scripts/test-asan.sh) that are not known to be nginx's own, and exits 1
# if there is any.  One leak only is known, and it cannot be an LSan
# suppression (those match any frame, and every allocation has main() in
# its stack):
#
#   nginx.c's main() creates init_cycle.pool, a local of main(), and
#   returns without destroying it: "nginx -t", "nginx -s reload", a
#   configuration that fails (an [emerg], "--- must_die" tests); once
#   main() has returned, LSan finds the pool's first block (1024 bytes, a
#   direct leak allocated by ngx_create_pool() called by main())
#   unreferenced.  (A running nginx exits through exit() with main()'s
#   frame still there: no report.)
#
# A report is dropped only when all it holds is that one leak.

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

    # the report must be LSan's alone, with exactly one leak
    my @leaks = $text =~ /^((?:Direct|Indirect) leak of .*?)(?=^\S|\z)/msg;

    return 0 unless @leaks == 1;
    return 0 unless $text =~ /\A\s*=+\s*==\d+==ERROR: LeakSanitizer: detected memory leaks\s*\n/;

    my $rest = $text;
    $rest =~ s/\A\s*=+\s*==\d+==ERROR: LeakSanitizer: detected memory leaks\s*\n//;
    $rest =~ s/\Q$leaks[0]\E//;
    $rest =~ s/^SUMMARY: AddressSanitizer: \d+ byte\(s\) leaked in \d+ allocation\(s\)\.\s*$//m;
    return 0 if $rest =~ /\S/;

    my ($head, @frames) = split /\n/, $leaks[0];
    return 0 unless $head =~ /^Direct leak of 1024 byte\(s\) in 1 object\(s\)/;

    my @fn = map { /^\s+#\d+ 0x[0-9a-f]+ in (\S+)/ ? $1 : () } @frames;

    # the allocator, then ngx_memalign <- ngx_create_pool <- main, then
    # only libc's start-up frames
    shift @fn while @fn && $fn[0] =~ /^__interceptor_|^(?:posix_memalign|memalign|malloc)$/;
    return 0 unless "@fn[0 .. 2]" eq 'ngx_memalign ngx_create_pool main';

    return !grep { !/^__libc_start/ } @fn[3 .. $#fn];
}
