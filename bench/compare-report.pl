#!/usr/bin/perl
# Usage: perl bench/compare-report.pl [--max-over-floor N] RESULTS.TSV \
#            > bench/results/compare.md
#
# The tables of bench/compare.sh from its raw figures, one a line, tab
# separated:
#   ka   SERVER CONCURRENCY ROUND requests/s cpu_ns/request busy other
#   hs   SERVER KEY(ec|rsa) ROUND handshakes/s cpu_ns/handshake busy other
#   cg   KIND   REQUESTS    1     instructions X509_get_subject_name-calls
#                                 own-instructions instructions-by-object
#   sys  SERVER REQUESTS    1     system-calls/request which
#   sysc SERVER CONNECTIONS 1     system-calls/connection which
#   mem  SERVER worker_kb   master_kb
#   import prov-D DEVICES   1     seconds database_bytes list_file_bytes
#   meta KEY    VALUE
#
# The report leads with what a shared machine does not move (instructions
# and system calls per request and per connection, the server's CPU time),
# then the wall-clock rates with the spread of their per-round ratios.
# With --max-over-floor N it exits 3 (after the report) when a kept-alive
# request through the module costs more than N instructions above the
# floor's, or when that figure is missing; with --lmdb-max-over-floor N
# also when the module with its LMDB list (prov-D) costs more than N above
# the floor's; with --mixed-max-over-prov N when the mixed fleet's
# configuration (prov-M: three issuer-pinned prov_id rules and prov_ua_id)
# costs more than N above the module's (prov), or that figure is missing.

use strict;
use warnings;

my ($max_over_floor, $lmdb_max_over_floor, $mixed_max_over_prov);
while (@ARGV && $ARGV[0] =~ /^--(?:(lmdb-)?max-over-floor|mixed-max-over-prov)$/) {
    my ($opt, $n) = splice @ARGV, 0, 2;
    die "$opt needs a number\n" unless defined $n && $n =~ /^\d+$/;
    if ($opt eq '--max-over-floor') {
        $max_over_floor = $n;
    } elsif ($opt eq '--lmdb-max-over-floor') {
        $lmdb_max_over_floor = $n;
    } else {
        $mixed_max_over_prov = $n;
    }
}

# below this share of its core the server did not set the pace: ab did
my $BUSY = 0.90;

my (%run, %cg, %mem, %meta, %other, %sys, %sysc, @import);

while (<>) {
    chomp;
    my @f = split /\t/;
    if ($f[0] eq 'ka' || $f[0] eq 'hs') {
        my ($kind, $s, $p, $r, $rate, $cpu, $busy, $other) = @f;
        $run{$kind}{$p}{$s}{$r} = { rate => $rate, cpu => $cpu, busy => $busy };
        push @{ $other{$kind} }, $other if defined $other;
    } elsif ($f[0] eq 'cg') {
        my %by;
        for (split /;/, $f[7] // '') {
            my ($o, $v) = /^(.*)=(\d+)$/ or next;
            my $g = $o eq 'nginx' ? 'nginx'
                  : $o =~ /prov_module/ ? 'module'
                  : $o =~ /^libc\.so/ ? 'libc'
                  : $o =~ /^lib(ssl|crypto)\.so/ ? 'OpenSSL'
                  : $o =~ /^libpcre/ ? 'PCRE'
                  : $o =~ /^liblmdb/ ? 'LMDB'
                  : 'other';
            $by{$g} += $v;
        }
        $cg{$f[1]}{$f[2]} = { ir => $f[4], calls => $f[5], own => $f[6] // 0,
                              by => \%by };
    } elsif ($f[0] eq 'sys') {
        $sys{$f[1]} = [ $f[4], $f[5] // '' ];
    } elsif ($f[0] eq 'sysc') {
        $sysc{$f[1]} = [ $f[4], $f[5] // '' ];
    } elsif ($f[0] eq 'import') {
        @import = @f[2, 4, 5, 6];
    } elsif ($f[0] eq 'mem') {
        $mem{$f[1]} = [ $f[2], $f[3] ];
    } elsif ($f[0] eq 'meta') {
        $meta{$f[1]} = $f[2];
    }
}

sub median {
    my @v = sort { $a <=> $b } grep { defined } @_;
    return undef unless @v;
    return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}

sub minmax {
    my @v = sort { $a <=> $b } grep { defined } @_;
    return @v ? ($v[0], $v[-1]) : ();
}

sub rounds { my ($kind, $p, $s) = @_; return $run{$kind}{$p}{$s} || {} }

# median of a figure of SERVER over the rounds
sub med {
    my ($kind, $p, $s, $what) = @_;
    my $r = rounds($kind, $p, $s);
    return median(map { $r->{$_}{$what} } keys %$r);
}

# per-round ratios of SERVER to BASE (same round), their median and range
sub ratios {
    my ($kind, $p, $s, $base, $what) = @_;
    my ($rs, $rb) = (rounds($kind, $p, $s), rounds($kind, $p, $base));
    my @q = map { $rs->{$_}{$what} / $rb->{$_}{$what} }
            grep { $rb->{$_} && $rb->{$_}{$what} } keys %$rs;
    return (median(@q), minmax(@q));
}

sub fmt_ratio {
    my ($m, $lo, $hi) = @_;
    return '–' unless defined $m;
    return sprintf '%.3f (%.2f–%.2f)', $m, $lo, $hi;
}

sub fmt { my ($f, $v) = @_; return defined $v ? sprintf($f, $v) : '–' }

# how much else ran on the machine meanwhile
sub other_load {
    my ($kind) = @_;
    my @v = @{ $other{$kind} || [] };
    return '' unless @v;
    my @q = sort { $a <=> $b } map { $_ < 0 ? 0 : $_ } @v;
    return sprintf "\nCPU used on the machine by neither the server nor ab "
        . "during these runs: median %.2f cores, 90th percentile %.2f, "
        . "max %.2f.\n", median(@q), $q[int(0.9 * $#q)], $q[-1];
}

sub pow10 {
    my ($n) = @_;
    my $e = log($n) / log(10);
    return abs($e - int($e + 0.5)) < 1e-9 ? sprintf('10^%d', int($e + 0.5)) : $n;
}

my %label = (
    floor    => 'floor: stock nginx, no gating',
    map      => 'map: stock nginx, regex map + ACL map + if + try_files',
    prov     => sprintf('module, %s-device prov_acl', pow10($meta{acl_small} // 1000)),
    'prov-M' => sprintf('module, %s-device prov_acl, 3 issuer-pinned prov_id + prov_ua_id', pow10($meta{acl_small} // 1000)),
    'prov-L' => sprintf('module, %s-device prov_acl', pow10($meta{acl_large} // 1)),
    'prov-CL' => sprintf('module, %s-device prov_acl', pow10($meta{cg_acl_large} // 1)),
    'prov-D' => sprintf('module, %s-device prov_acl lmdb:', pow10($meta{acl_large} // 1)),
    apache   => 'Apache httpd, mod_ssl + mod_rewrite',
    'floor-h2' => 'floor, HTTP/2 streams',
    'prov-h2'  => sprintf('module, %s-device prov_acl, HTTP/2 streams', pow10($meta{acl_small} // 1000)),
    'prov-MN' => 'the same without `pcre_jit` (Debian\'s default)',
);

my @conc = sort { $a <=> $b } keys %{ $run{ka} || {} };
my @ka_servers = grep { my $s = $_; grep { $run{ka}{$_}{$s} } @conc }
                 qw(floor map prov prov-M prov-L prov-D apache);
my @hs_servers = grep { my $s = $_; grep { $run{hs}{$_}{$s} } qw(ec rsa) }
                 qw(floor map prov prov-M apache);

my $large = pow10($meta{acl_large} // 1);
my $small = pow10($meta{acl_small} // 1);

$meta{apache} //= 'not run';
$meta{tls} = join ' / ', map { (split /,/)[1] // $_ } split /; /, $meta{tls} // '';

# --- callgrind -----------------------------------------------------------

my ($n1, $n2) = split ' ', ($meta{cg_requests} // '');
my ($c1, $c2) = split ' ', ($meta{cg_connections} // '');
my %per;
for my $k (keys %cg) {
    my ($m1, $m2) = $k =~ /-hs-/ ? ($c1, $c2) : ($n1, $n2);
    my ($x, $y) = ($cg{$k}{$m1}, $cg{$k}{$m2});
    next unless $x && $y;
    $per{$k} = {
        ir    => ($y->{ir} - $x->{ir}) / ($m2 - $m1),
        calls => ($y->{calls} - $x->{calls}) / ($m2 - $m1),
        own   => ($y->{own} - $x->{own}) / ($m2 - $m1),
        conn  => $x->{calls},
        by    => { map { $_ => (($y->{by}{$_} // 0) - ($x->{by}{$_} // 0)) / ($m2 - $m1) }
                   keys %{ { %{ $x->{by} }, %{ $y->{by} } } } },
    };
}

my $min = int(($meta{elapsed} // 0) / 60);
my $sec = ($meta{elapsed} // 0) % 60;

# CPU used by neither the server nor ab during the timed runs, in cores
my @other = sort { $a <=> $b } map { $_ < 0 ? 0 : $_ }
            map { @{ $other{$_} || [] } } qw(ka hs);
my ($load0, $load1) = split ' ', ($meta{load} // '');
my $shared = @other && (median(@other) >= 0.05 || $other[-1] >= 0.25)
             || (defined $load0 && $load0 >= 0.5);

my $ua = $meta{ua} // 'ApacheBench/2.3';
my $title = $meta{quick}
    ? 'Quick run: stock nginx, a map-based config, the module'
    : 'Side by side: stock nginx, a map-based config, the module, Apache';
my $made = $meta{quick} ? '`make bench QUICK=1`' : '`make bench`';

print <<"EOT";
# $title

Generated by `bench/compare.sh` ($made) on $meta{date} in ${min} min ${sec} s:
$meta{cpu}, $meta{cores} cores; nginx $meta{nginx}, OpenSSL $meta{openssl},
Apache $meta{apache}, ab $meta{ab}; the module at $meta{module}.
EOT

if ($meta{quick}) {
    print "\nA quick run: $meta{rounds} rounds of $meta{ka_seconds} s, "
        . "$large devices in the large lists, no Apache, callgrind on the "
        . "floor, the module, the mixed fleet's configuration (also without "
        . "`pcre_jit`) and the LMDB list only. It checks that every "
        . "benchmark runs and that a kept-alive request through the module "
        . "(its file list or its LMDB list) costs at most "
        . "$meta{ka_max} instructions more than the floor's, and one through "
        . "the mixed fleet's configuration at most "
        . ($meta{mixed_max} // '–') . " more than the module's; the full run's "
        . "figures are in `bench/results/compare.md`.\n";
}

if (@other) {
    my $o = sprintf 'processes other than the server and ab used a median '
        . 'of %.2f cores (90th percentile %.2f, max %.2f) during the timed '
        . 'runs', median(@other), $other[int(0.9 * $#other)], $other[-1];
    $o .= sprintf '; load average %s at the start, %s at the end', $load0, $load1
        if defined $load1;
    print $shared
        ? "\n**The machine was shared**: $o. Wall-clock rates move with that "
          . "load, the counted figures below do not.\n"
        : "\nThe machine was otherwise idle: $o.\n";
}
print "\n$meta{note}\n" if $meta{note};

my $apache_row = $meta{apache} eq 'not run' ? ''
    : '| Apache | `SSLVerifyClient require`, `RewriteCond %{SSL:SSL_CLIENT_S_DN_ST} '
      . '^([0-9a-f]{12})$`, `RewriteRule ^ /devices/%1.cfg [L]` (no access list) |' . "\n";

print <<"EOT";

One server process on core 0 (nginx: one worker, `worker_cpu_affinity`;
Apache: event MPM, one child), ab on core 1. TLS 1.2 ($meta{tls}; ab 2.3
fails TLS 1.3 handshakes here), client certificate `dev-a` (ECDSA P-256,
`ST=000e08abcdef`) verified with `ssl_verify_client on` / `SSLVerifyClient
require`, a 4096-byte profile, no access log, no session cache or tickets.

| server | configuration |
|---|---|
| floor | `ssl_verify_client on`; `location / { }` serving `/devices/000e08abcdef.cfg` as asked |
| map | `map \$ssl_client_s_dn \$mac { "~ST=(?<m>[0-9a-f]{12})" \$m; }`, `map \$mac \$allowed { default 0; include <$small ids>; }`, `if (\$allowed != 1) { return 403; }`, `try_files /devices/\$mac.cfg =404;` |
| module, $small | `prov on; prov_id ST mac; prov_acl <$small ids>; prov_profile /devices/\$prov_id.cfg =404;`, `location /devices/ { internal; }` |
| mixed fleet | the same with three `prov_id` rules pinned to their CAs, the device's third: `prov_id CN "(?i)(?<mac>0004f2[0-9a-f]{6})" issuer=<2 CAs, one with device-ca's name>; prov_id CN mac issuer=<server-ca>; prov_id ST mac issuer=<device-ca>;`, `prov_ua_id` with the regex of `examples/mixed-fleet.conf` and, as there, `pcre_jit on` |
| module, $large | the same with $large devices in the list (keep-alive only) |
| module, $large, LMDB | the same $large devices in `prov_acl lmdb:PATH`, imported with `prov-acl import` (keep-alive only) |
$apache_row
The gated servers are asked for `/profile.cfg` and answer with the device's
own file. Every request sends `User-Agent: $ua`.
EOT


# --- the stable figures ----------------------------------------------------

sub over {   # over(VALUE, FLOOR): "+N" or "–"
    my ($v, $f) = @_;
    return defined $v && defined $f ? sprintf('%+.0f', $v - $f) : '–';
}

sub cpu_cells {   # server CPU µs per request or handshake, × floor (range)
    my ($kind, $p, $s) = @_;
    my $r = rounds($kind, $p, $s);
    return ('–', '–') unless %$r;
    my $us = fmt('%.1f', med($kind, $p, $s, 'cpu') / 1000);
    return ($us, '1') if $s eq 'floor';
    my @q = ratios($kind, $p, $s, 'floor', 'cpu');
    return ($us, defined $q[0] ? sprintf('%.3f (%.2f–%.2f)', @q) : '–');
}

if (%per || %sys || @conc || @hs_servers) {
    print "\n## The stable figures\n\n";
    print "What other load on a shared 2-core machine does not move: "
        . "instructions (callgrind; nginx as one process, counted inside its "
        . "event loop) and system calls (`strace -c`) per request and per "
        . "connection are counts: per kept-alive request the same from run to "
        . "run within a few dozen instructions. A connection's count moves by "
        . "a few thousand of its millions (the handshake's random numbers), "
        . "its system calls by one or two (how the client's messages arrive): "
        . "its difference to the floor is known to that, the module's own "
        . "instructions in it exactly (see the details). "
        . "The server's CPU time per request (schedstat: its own time, not "
        . "the wall clock) moves more, with what shares its caches and "
        . "memory bus, but far less than the rates; its ratio to the floor is "
        . "the median of the per-round ratios (range in brackets). The "
        . "wall-clock rates follow further down.\n\n";

    my $fl = $per{floor};
    print "Per kept-alive request (one TLS connection, "
        . ($n1 && $n2 ? "callgrind: $n2 requests minus $n1" : 'no callgrind')
        . "; strace: 1000 requests):\n\n";
    my @h = ('configuration', 'instructions', '− floor', 'system calls');
    push @h, "server CPU µs, c=$_", '× floor' for @conc;
    print '| ', join(' | ', @h), " |\n|", '---|' x @h, "\n";
    for my $k (qw(floor map prov prov-M prov-MN prov-CL prov-L prov-D apache)) {
        my $cgk = $k;
        next unless $per{$cgk} || $sys{$k} || grep { $run{ka}{$_}{$k} } @conc;
        my @row = ($label{$k} . ($k =~ /^prov-(?:CL|MJ)$/ ? ' (callgrind only)'
                                 : $k eq 'prov-L' && !$per{'prov-L'} ? ' (no callgrind)' : ''),
                   $per{$cgk} ? sprintf('%.0f', $per{$cgk}{ir}) : '–',
                   $per{$cgk} && $k ne 'floor' ? over($per{$cgk}{ir}, $fl && $fl->{ir}) : '–',
                   $sys{$k} ? sprintf('%.2f', $sys{$k}[0]) : '–');
        push @row, cpu_cells('ka', $_, $k) for @conc;
        print '| ', join(' | ', @row), " |\n";
    }
    if ($per{'prov-h2'} || $per{'floor-h2'}) {
        my ($f2, $p2) = ($per{'floor-h2'}, $per{'prov-h2'});
        printf "\nPer HTTP/2 stream on one connection (curl, %d streams minus %d): "
            . "floor %s instructions, module %s (%s).\n", $n2, $n1,
            $f2 ? sprintf('%.0f', $f2->{ir}) : '–',
            $p2 ? sprintf('%.0f', $p2->{ir}) : '–',
            over($p2 && $p2->{ir}, $f2 && $f2->{ir});
    }

    if (grep { /-hs-/ } keys %per or %sysc or @hs_servers) {
        print "\nPer connection: a full TLS 1.2 handshake with the client "
            . "certificate and one request ("
            . ($c1 && $c2 ? "callgrind: $c2 connections minus $c1" : 'no callgrind')
            . "; strace: 200 connections, ECDSA):\n\n";
        my @h = ('configuration', 'instructions, ECDSA P-256', '− floor',
                 'instructions, RSA-2048', '− floor', 'system calls',
                 'server CPU µs, ECDSA', '× floor', 'server CPU µs, RSA', '× floor');
        print '| ', join(' | ', @h), " |\n|", '---|' x @h, "\n";
        for my $k (qw(floor map prov prov-M apache)) {
            next unless $per{"$k-hs-ec"} || $per{"$k-hs-rsa"} || $sysc{$k}
                || $run{hs}{ec}{$k} || $run{hs}{rsa}{$k};
            my @row = ($label{$k});
            for my $key (qw(ec rsa)) {
                my ($p, $f) = ($per{"$k-hs-$key"}, $per{"floor-hs-$key"});
                push @row, $p ? sprintf('%.0f', $p->{ir}) : '–',
                    $p && $k ne 'floor' ? over($p->{ir}, $f && $f->{ir}) : '–';
            }
            push @row, $sysc{$k} ? sprintf('%.2f', $sysc{$k}[0]) : '–';
            push @row, cpu_cells('hs', $_, $k) for qw(ec rsa);
            print '| ', join(' | ', @row), " |\n";
        }
    }
}

# --- wall clock ------------------------------------------------------------

if (@conc || @hs_servers) {
    print "\n## Wall-clock rates\n\n";
    print "$meta{rounds} rounds, each server in turn, another first in each "
        . "round; rates are medians over the rounds, ratios the median of the "
        . "per-round ratios with their range (min–max) in brackets: a "
        . "difference inside that range is not shown by this run. *busy* is "
        . "the share of its core the server used; below "
        . sprintf('%.2f', $BUSY) . " (marked *client*) ab, not the server, "
        . "set the pace, and the ratio of rates understates the ratio of "
        . "server costs (compare the CPU per request).\n";
}

sub busy_cell {
    my ($kind, $p, $s) = @_;
    my $b = med($kind, $p, $s, 'busy');
    return '–' unless defined $b;
    return sprintf('%.2f', $b) . ($b < $BUSY ? ' *client*' : '');
}

# "c=1 (server busy 0.67)": the runs where the client set the pace
sub client_bound {
    my ($kind, $ps, $servers, $name) = @_;
    my @out;
    for my $p (@$ps) {
        my @b = grep { defined } map { med($kind, $p, $_, 'busy') } @$servers;
        next unless @b;
        my ($lo, $hi) = minmax(@b);
        push @out, sprintf('%s (servers busy %.2f–%.2f)', $name->($p), $lo, $hi)
            if $lo < $BUSY;
    }
    return @out;
}

# --- keep-alive ----------------------------------------------------------

if (@conc) {
    print "\n### Keep-alive requests/s\n\n";
    print "`ab -k -E dev-a.pem -c C -t $meta{ka_seconds}`: one TLS connection per "
        . "ab slot, kept alive for the whole run.\n\n";
    my @h = ('server');
    for my $c (@conc) {
        push @h, "c=$c req/s", "× floor", "CPU µs/req", "CPU × floor", 'busy';
    }
    print '| ', join(' | ', @h), " |\n";
    print '|', '---|' x @h, "\n";
    for my $s (@ka_servers) {
        my @row = ($label{$s});
        for my $c (@conc) {
            push @row, fmt('%.0f', med('ka', $c, $s, 'rate')),
                $s eq 'floor' ? '1' : fmt_ratio(ratios('ka', $c, $s, 'floor', 'rate')),
                fmt('%.1f', (med('ka', $c, $s, 'cpu') // 0) / 1000),
                $s eq 'floor' ? '1' : fmt('%.3f', (ratios('ka', $c, $s, 'floor', 'cpu'))[0]),
                busy_cell('ka', $c, $s);
        }
        print '| ', join(' | ', @row), " |\n";
    }
    my @cb = client_bound('ka', \@conc, \@ka_servers, sub { "c=$_[0]" });
    print "\nThe client set the pace at " . join(', ', @cb) . ": there each "
        . "request also waits for ab's own TLS work on the other core, and "
        . "the server CPU per request is the figure to compare.\n" if @cb;
    print other_load('ka');
}

# --- handshakes ----------------------------------------------------------

if (@hs_servers) {
    print "\n### Full mutual-TLS handshakes/s\n\n";
    print "`ab -E dev-a.pem -c $meta{hs_conc} -t $meta{hs_seconds}` without `-k`: "
        . "a new TLS connection, full handshake (no resumption) with the "
        . "client certificate, and one request each.\n\n";
    my @h = ('server');
    for my $k (qw(ECDSA RSA)) {
        my $n = $k eq 'ECDSA' ? 'ECDSA P-256' : 'RSA-2048';
        push @h, "$n hs/s", "× floor", "CPU µs/hs", 'busy';
    }
    print '| ', join(' | ', @h), " |\n";
    print '|', '---|' x @h, "\n";
    for my $s (@hs_servers) {
        my @row = ($label{$s});
        for my $k (qw(ec rsa)) {
            push @row, fmt('%.0f', med('hs', $k, $s, 'rate')),
                $s eq 'floor' ? '1' : fmt_ratio(ratios('hs', $k, $s, 'floor', 'rate')),
                fmt('%.0f', (med('hs', $k, $s, 'cpu') // 0) / 1000),
                busy_cell('hs', $k, $s);
        }
        print '| ', join(' | ', @row), " |\n";
    }
    my @cb = client_bound('hs', [qw(ec rsa)], \@hs_servers,
                          sub { $_[0] eq 'ec' ? 'ECDSA' : 'RSA' });
    print "\nThe client set the pace for " . join(', ', @cb) . ".\n" if @cb;
    print other_load('hs');
}

if (%per) {
    print "\n## Instructions per request (callgrind), in detail\n\n";
    print "nginx as one process (`master_process off`) under `valgrind "
        . "--tool=callgrind`, counting inside `ngx_process_events_and_timers` "
        . "(handshakes and requests; not start-up or the access list load). "
        . "One keep-alive connection with $n2 requests minus one with $n1, "
        . "over " . ($n2 - $n1) . ": the cost of a request on an established "
        . "TLS connection. `X509_get_subject_name` calls per such request show "
        . "whether the certificate's subject is read again on each request; "
        . "the last column counts them over the whole $n1-request run "
        . "(handshake included). The HTTP/2 rows are the same with $n1 and "
        . "$n2 streams on one HTTP/2 connection (curl, TLS 1.2), one request each, "
        . "against the HTTP/2 floor.\n\n";
    print "| configuration | instructions/request | minus floor | × floor "
        . "| in the module's code | X509_get_subject_name/request "
        . "| X509_get_subject_name, one connection with $n1 requests |\n";
    print "|---|---|---|---|---|---|---|\n";
    for my $k (grep { $per{$_} } qw(floor map prov prov-M prov-MN prov-CL prov-D floor-h2 prov-h2)) {
        my $p = $per{$k};
        my $f = $per{ $k =~ /-h2$/ ? 'floor-h2' : 'floor' };
        printf "| %s | %.0f | %s | %s | %s | %.3f | %d |\n", $label{$k}, $p->{ir},
            $f ? sprintf('%+.0f', $p->{ir} - $f->{ir}) : '–',
            $f ? sprintf('%.3f', $p->{ir} / $f->{ir}) : '–',
            $k =~ /^prov/ ? sprintf('%.0f', $p->{own}) : '–',
            $p->{calls}, $p->{conn};
    }
}

my @groups = qw(nginx module OpenSSL PCRE LMDB libc other);
if ($per{floor} && %{ $per{floor}{by} || {} } && grep { $per{$_} } qw(map prov)) {
    print "\nWhere the instructions of a keep-alive request go, by object "
        . "(self cost; the difference to the floor):\n\n";
    print '| configuration | ', join(' | ', @groups), " | total |\n";
    print '|', '---|' x (@groups + 2), "\n";
    my $f = $per{floor};
    for my $k (grep { $per{$_} } qw(floor map prov prov-M prov-MN)) {
        my $p = $per{$k};
        my @row = ($label{$k});
        for my $g (@groups) {
            my $v = $p->{by}{$g} // 0;
            push @row, $k eq 'floor' ? sprintf('%.0f', $v)
                                     : sprintf('%+.0f', $v - ($f->{by}{$g} // 0));
        }
        push @row, $k eq 'floor' ? sprintf('%.0f', $p->{ir})
                                 : sprintf('%+.0f', $p->{ir} - $f->{ir});
        print '| ', join(' | ', @row), " |\n";
    }
}

if (grep { /-hs-/ } keys %per) {
    print "\n## Instructions per connection (callgrind), in detail\n\n";
    print "As above, with $c2 and $c1 connections of one request each "
        . "(`ab` without `-k`: a full TLS 1.2 handshake with the client "
        . "certificate, no resumption), over " . ($c2 - $c1) . ": the "
        . "server's cost of a new device connection, handshake included.\n\n";
    print "| server key | configuration | instructions/connection | minus floor "
        . "| × floor | in the module's code | X509_get_subject_name/connection |\n";
    print "|---|---|---|---|---|---|---|\n";
    for my $key (qw(ec rsa)) {
        my $f = $per{"floor-hs-$key"};
        for my $k (grep { $per{$_} } "floor-hs-$key", "prov-hs-$key",
                   "prov-M-hs-$key") {
            my $p = $per{$k};
            printf "| %s | %s | %.0f | %s | %s | %s | %.2f |\n",
                $key eq 'ec' ? 'ECDSA P-256' : 'RSA-2048',
                $label{ $k =~ s/-hs-.*//r }, $p->{ir},
                $f ? sprintf('%+.0f', $p->{ir} - $f->{ir}) : '–',
                $f ? sprintf('%.4f', $p->{ir} / $f->{ir}) : '–',
                $k =~ /^prov/ ? sprintf('%.0f', $p->{own}) : '–',
                $p->{calls};
        }
    }
}

# --- system calls --------------------------------------------------------

if (%sys) {
    print "\n## System calls per keep-alive request\n\n";
    print "`strace -c -f` on the serving process during 1000 keep-alive "
        . "requests (c=1); those made at least every other request.\n\n";
    print "| server | system calls/request | of which |\n|---|---|---|\n";
    for my $s (grep { $sys{$_} } qw(floor map prov prov-M prov-L prov-D apache)) {
        printf "| %s | %.2f | %s |\n", $label{$s}, @{ $sys{$s} };
    }
}

if (%sysc) {
    print "\n## System calls per connection\n\n";
    print "`strace -c -f` on the serving process during 200 connections of "
        . "one request each (ECDSA server key, full handshake, c=1); those "
        . "made at least every other connection.\n\n";
    print "| server | system calls/connection | of which |\n|---|---|---|\n";
    for my $s (grep { $sysc{$_} } qw(floor map prov prov-M apache)) {
        printf "| %s | %.2f | %s |\n", $label{$s}, @{ $sysc{$s} };
    }
}

# --- list size -----------------------------------------------------------

{
    # devices => [keep-alive server, callgrind kind]
    my %rows;
    $rows{ $meta{acl_small} } = [ 'prov', 'prov' ];
    $rows{ $meta{acl_large} }[0] = 'prov-L' if defined $meta{acl_large};
    $rows{ $meta{cg_acl_large} }[1] = 'prov-CL' if defined $meta{cg_acl_large};
    my @n = grep { my $r = $rows{$_};
                   ($r->[0] && grep { $run{ka}{$_}{ $r->[0] } } @conc)
                   || ($r->[1] && $per{ $r->[1] }) } sort { $a <=> $b } keys %rows;

    if (@n > 1) {
        print "\n## Per-request cost against the access list size\n\n";
        print "The module with dev-a among N devices in `prov_acl`: keep-alive "
            . "runs as above (rounds alternating with the other servers), "
            . "callgrind as above.\n\n";
        my @h = ('devices in prov_acl');
        push @h, "c=$_ req/s", "× " . pow10($meta{acl_small}), "CPU µs/req" for @conc;
        push @h, 'instructions/request', 'worker peak RSS';
        print '| ', join(' | ', @h), " |\n|", '---|' x @h, "\n";
        for my $n (@n) {
            my ($ka, $cgk) = @{ $rows{$n} };
            my @row = (pow10($n));
            for my $c (@conc) {
                my $has = $ka && $run{ka}{$c}{$ka};
                push @row, $has ? fmt('%.0f', med('ka', $c, $ka, 'rate')) : '–',
                    !$has ? '–' : $ka eq 'prov' ? '1'
                        : fmt_ratio(ratios('ka', $c, $ka, 'prov', 'rate')),
                    $has ? fmt('%.1f', med('ka', $c, $ka, 'cpu') / 1000) : '–';
            }
            push @row, $cgk && $per{$cgk} ? sprintf('%.0f', $per{$cgk}{ir}) : '–',
                $ka && $mem{$ka} ? sprintf('%.1f MB', $mem{$ka}[0] / 1024) : '–';
            print '| ', join(' | ', @row), " |\n";
        }
    }
}

# --- memory --------------------------------------------------------------

if (%mem) {
    print "\n## Peak memory\n\n";
    print "Peak RSS (`VmHWM`) at the end of the load runs; the serving process "
        . "is nginx's worker or Apache's child (16 threads), the other its "
        . "master or parent. Pages shared between the two count in both.\n\n";
    print "| server | serving process | master / parent |\n|---|---|---|\n";
    for my $s (grep { $mem{$_} } qw(floor map prov prov-M prov-L prov-D apache)) {
        printf "| %s | %.1f MB | %.1f MB |\n", $label{$s},
            $mem{$s}[0] / 1024, $mem{$s}[1] / 1024;
    }
}

# --- the LMDB list's import ------------------------------------------------

if (@import) {
    my ($n, $secs, $db, $file) = @import;
    printf "\n## The LMDB list\n\n`prov-acl import` of the %s-device list "
        . "(%.0f MB of text) into a new database: %.1f s, %.0f MB on disk, "
        . "%.1f bytes per device.\n", pow10($n), $file / 1e6, $secs,
        $db / 1e6, $db / $n;
}

# --- targets -------------------------------------------------------------

print "\n## Targets\n\n| target | measured | |\n|---|---|---|\n";

# a rate target's verdict, with what makes it uncertain: the goal inside
# the per-round range, the client setting the pace
sub rate_verdict {
    my ($kind, $p, $goal, @r) = @_;
    my $v = verdict($r[0], $goal, 1);
    my @why;
    push @why, 'the goal lies within the per-round range'
        if defined $r[1] && $r[1] <= $goal && $goal <= $r[2] && $v ne 'met';
    my $b = med($kind, $p, 'prov', 'busy');
    push @why, sprintf('client-bound: server busy %.2f', $b)
        if defined $b && $b < $BUSY;
    return @why ? "$v (" . join('; ', @why) . ')' : $v;
}

sub verdict {
    my ($v, $goal, $more_is_better) = @_;
    return 'not measured' unless defined $v;
    if ($more_is_better ? $v >= $goal : $v <= $goal) {
        return 'met';
    }
    return sprintf 'missed by %.1f%%', 100 * abs($v - $goal) / $goal;
}

for my $c (@conc) {
    my @r = ratios('ka', $c, 'prov', 'floor', 'rate');
    my $cpu = (ratios('ka', $c, 'prov', 'floor', 'cpu'))[0];
    printf "| module ≥ 0.97 × floor, keep-alive req/s, c=%d | %s (server CPU/request %s × floor) | %s |\n",
        $c, fmt_ratio(@r), fmt('%.3f', $cpu), rate_verdict('ka', $c, 0.97, @r);
}
for my $k (qw(ec rsa)) {
    next unless $run{hs}{$k};
    my @r = ratios('hs', $k, 'prov', 'floor', 'rate');
    my $cpu = (ratios('hs', $k, 'prov', 'floor', 'cpu'))[0];
    my ($pi, $fi) = ($per{"prov-hs-$k"}, $per{"floor-hs-$k"});
    printf "| module ≥ 0.99 × floor, handshakes/s, %s | %s (server CPU/handshake %s × floor%s) | %s |\n",
        $k eq 'ec' ? 'ECDSA P-256' : 'RSA-2048', fmt_ratio(@r), fmt('%.3f', $cpu),
        $pi && $fi ? sprintf(', instructions/connection %.4f × floor', $pi->{ir} / $fi->{ir}) : '',
        rate_verdict('hs', $k, 0.99, @r);
}
my $ka_over = $per{prov} && $per{floor} ? $per{prov}{ir} - $per{floor}{ir} : undef;
if (defined $ka_over) {
    my $goal = $max_over_floor // $meta{ka_max} // 3000;
    printf "| module at most %d instructions above the floor per kept-alive "
        . "request (`make bench QUICK=1` fails above) | %+.0f | %s |\n",
        $goal, $ka_over, $ka_over <= $goal ? 'met'
            : sprintf('missed by %.0f instructions', $ka_over - $goal);
}
for my $c (@conc) {
    next unless $run{ka}{$c}{'prov-M'};
    my @r = ratios('ka', $c, 'prov-M', 'floor', 'rate');
    my $cpu = (ratios('ka', $c, 'prov-M', 'floor', 'cpu'))[0];
    printf "| mixed fleet (3 issuer-pinned rules, prov_ua_id) ≥ 0.97 × floor, keep-alive req/s, c=%d | %s (server CPU/request %s × floor; the module with one rule %s × floor) | %s |\n",
        $c, fmt_ratio(@r), fmt('%.3f', $cpu),
        fmt('%.3f', (ratios('ka', $c, 'prov', 'floor', 'cpu'))[0]),
        rate_verdict('ka', $c, 0.97, @r);
}
my $mixed_over = $per{'prov-M'} && $per{prov}
    ? $per{'prov-M'}{ir} - $per{prov}{ir} : undef;
if (defined $mixed_over) {
    my $goal = $mixed_max_over_prov // $meta{mixed_max} // 1000;
    printf "| mixed fleet at most %d instructions above the module's (one "
        . "rule) per kept-alive request (`make bench QUICK=1` fails above) "
        . "| %+.0f (%+.0f in the module's code; %+.0f in PCRE and its JIT "
        . "code) | %s |\n",
        $goal, $mixed_over, $per{'prov-M'}{own} - $per{prov}{own},
        ($per{'prov-M'}{by}{PCRE} // 0) + ($per{'prov-M'}{by}{other} // 0)
            - ($per{prov}{by}{PCRE} // 0) - ($per{prov}{by}{other} // 0),
        $mixed_over <= $goal ? 'met'
            : sprintf('missed by %.0f instructions', $mixed_over - $goal);
}
if ($per{'prov-MN'} && $per{prov}) {
    printf "| the same without `pcre_jit` (Debian's default; not gated) | %+.0f (%+.0f in the module's code; %+.0f in PCRE, %+.0f elsewhere) | %s |\n",
        $per{'prov-MN'}{ir} - $per{prov}{ir},
        $per{'prov-MN'}{own} - $per{prov}{own},
        ($per{'prov-MN'}{by}{PCRE} // 0) - ($per{prov}{by}{PCRE} // 0),
        ($per{'prov-MN'}{by}{other} // 0) - ($per{prov}{by}{other} // 0),
        $per{'prov-MN'}{ir} - $per{prov}{ir}
            <= ($mixed_max_over_prov // $meta{mixed_max} // 1000)
            ? 'met' : 'missed';
}
for my $k (qw(ec rsa)) {
    my ($m, $p) = ($per{"prov-M-hs-$k"}, $per{"prov-hs-$k"});
    next unless $m && $p;
    printf "| mixed fleet, instructions per connection (%s), against the module's | %+.0f (%+.0f in the module's code) | |\n",
        $k eq 'ec' ? 'ECDSA P-256' : 'RSA-2048', $m->{ir} - $p->{ir},
        $m->{own} - $p->{own};
}
for my $c (@conc) {
    next unless $run{ka}{$c}{'prov-D'};
    my @r = ratios('ka', $c, 'prov-D', 'floor', 'rate');
    my $cpu = (ratios('ka', $c, 'prov-D', 'floor', 'cpu'))[0];
    printf "| LMDB list of %s ≥ 0.97 × floor, keep-alive req/s, c=%d | %s (server CPU/request %s × floor) | %s |\n",
        $large, $c, fmt_ratio(@r), fmt('%.3f', $cpu), verdict($r[0], 0.97, 1);
}
my $lmdb_over = $per{'prov-D'} && $per{floor}
    ? $per{'prov-D'}{ir} - $per{floor}{ir} : undef;
if (defined $lmdb_over) {
    my $goal = $max_over_floor // $meta{ka_max} // 3000;
    printf "| LMDB list of %s at most %d instructions above the floor per "
        . "kept-alive request (`make bench QUICK=1` fails above %s) | %+.0f (the file list %s) | %s |\n",
        $large, $goal, $meta{lmdb_max} // '–', $lmdb_over,
        defined $ka_over ? sprintf('%+.0f', $ka_over) : '–',
        $lmdb_over <= $goal ? 'met'
            : sprintf('missed by %.0f instructions', $lmdb_over - $goal);
}
if (@import) {
    my ($n, $secs, $db) = @import;
    printf "| import of %s devices in at most 60 s, at most 64 bytes per "
        . "device on disk | %.1f s, %.1f bytes/device | %s |\n",
        pow10($n), $secs, $db / $n,
        $secs <= 60 && $db / $n <= 64 ? 'met'
            : $secs > 60 ? 'missed (time)' : 'missed (size)';
}
if ($per{prov} && $per{map}) {
    printf "| module fewer instructions/request than map | module %.0f, map %.0f (module − floor %+.0f, map − floor %+.0f) | %s |\n",
        $per{prov}{ir}, $per{map}{ir},
        $per{floor} ? ($per{prov}{ir} - $per{floor}{ir}, $per{map}{ir} - $per{floor}{ir}) : (0, 0),
        $per{prov}{ir} < $per{map}{ir} ? 'met'
            : verdict($per{prov}{ir}, $per{map}{ir}, 0);
}
for my $c (@conc) {
    next unless $run{ka}{$c}{apache};
    my @r = ratios('ka', $c, 'prov', 'apache', 'rate');
    my $cpu = (ratios('ka', $c, 'apache', 'prov', 'cpu'))[0];
    printf "| module ≥ 2 × Apache, keep-alive req/s, c=%d | %s (Apache's CPU/request %s × the module's) | %s |\n",
        $c, fmt_ratio(@r), fmt('%.2f', $cpu), verdict($r[0], 2, 1);
}
if ($per{prov}) {
    my $h2 = $per{'prov-h2'};
    my $extra = $per{prov}{calls} - ($per{floor} ? $per{floor}{calls} : 0);
    my $extra2 = $h2 ? $h2->{calls} - ($per{'floor-h2'} ? $per{'floor-h2'}{calls} : 0) : 0;
    printf "| subject read once per connection, not per request | X509_get_subject_name per keep-alive request: module %.3f, floor %.3f%s%s | %s |\n",
        $per{prov}{calls}, $per{floor} ? $per{floor}{calls} : 0,
        $per{map} ? sprintf(', map %.3f', $per{map}{calls}) : '',
        $h2 ? sprintf('; per HTTP/2 stream: module %.3f, floor %.3f', $h2->{calls},
                      $per{'floor-h2'} ? $per{'floor-h2'}{calls} : 0) : '',
        $extra < 0.01 && $extra2 < 0.01 ? 'met' : 'missed';
}

# --- why a target is missed, from the figures above -----------------------

my @notes;

my @ka_missed = grep { my @r = ratios('ka', $_, 'prov', 'floor', 'rate');
                       defined $r[0] && $r[0] < 0.97 } @conc;
if (@ka_missed && $per{prov} && $per{floor}) {
    my ($p, $f) = ($per{prov}, $per{floor});
    my $note = sprintf 'Keep-alive against the floor: a request through the '
        . 'module costs %+.0f instructions (%+.1f%%)',
        $p->{ir} - $f->{ir}, 100 * ($p->{ir} / $f->{ir} - 1);
    if (%{ $p->{by} || {} }) {
        my %d = map { $_ => ($p->{by}{$_} // 0) - ($f->{by}{$_} // 0) } @groups;
        $note .= sprintf ': %+.0f in nginx itself (prov_profile\'s '
            . 'candidate: its complex value, the open file cache lookup of '
            . 'its existence test, the URI change), %+.0f in the module\'s '
            . 'code, %+.0f elsewhere',
            $d{nginx}, $d{module}, $p->{ir} - $f->{ir} - $d{nginx} - $d{module};
    }
    if ($sys{prov} && $sys{floor}) {
        my %n = map { my %h = map { /^(\S+) (\d+)$/ ? ($1, $2) : () }
                               split /, /, $sys{$_}[1]; ($_ => \%h) } qw(prov floor);
        my @diff = map { "$_ $n{prov}{$_} against " . ($n{floor}{$_} // 0) }
                   grep { ($n{prov}{$_} // 0) != ($n{floor}{$_} // 0) }
                   sort keys %{ { %{ $n{prov} }, %{ $n{floor} } } };
        $note .= sprintf '; and %+.2f system calls per request%s',
            $sys{prov}[0] - $sys{floor}[0],
            @diff ? ' (' . join(', ', @diff) . ': the profile\'s existence '
                  . 'test, which `try_files` makes in the map config too)' : '';
    }
    $note .= '. ';
    $note .= join ' ', map {
        sprintf 'At c=%d the server\'s CPU per request is %s × the floor\'s, '
            . 'the requests/s %s × (per round %s–%s), the server busy %s of '
            . 'the time.', $_,
            fmt('%.3f', (ratios('ka', $_, 'prov', 'floor', 'cpu'))[0]),
            map({ fmt('%.3f', $_) } (ratios('ka', $_, 'prov', 'floor', 'rate'))[0]),
            map({ fmt('%.2f', $_) } (ratios('ka', $_, 'prov', 'floor', 'rate'))[1, 2]),
            fmt('%.2f', med('ka', $_, 'prov', 'busy'))
    } @conc;
    $note .= ' Where the server sets the pace (busy near 1), the ratio of '
        . 'requests/s follows the inverse of the ratio of CPU per request; '
        . 'with one connection ab\'s own share of each round trip dilutes it.';
    push @notes, $note;
}

if (defined $lmdb_over && $lmdb_over > ($max_over_floor // $meta{ka_max} // 3000)) {
    my ($p, $f) = ($per{'prov-D'}, $per{floor});
    my %d = map { $_ => ($p->{by}{$_} // 0) - ($f->{by}{$_} // 0) } @groups;
    push @notes, sprintf 'The LMDB list: a kept-alive request costs %+.0f '
        . 'instructions above the floor (the file list of the module %s): '
        . '%+.0f in liblmdb (the read transaction renewed and reset, and '
        . 'where the connection keeps no allow, `mdb_get`: a B-tree search '
        . 'of the "devices" database), %+.0f in the module\'s code, %+.0f '
        . 'elsewhere.',
        $lmdb_over, defined $ka_over ? sprintf('%+.0f', $ka_over) : '–',
        $d{LMDB}, $d{module}, $lmdb_over - $d{LMDB} - $d{module};
}

for my $k (qw(ec rsa)) {
    next unless $run{hs}{$k};
    my @r = ratios('hs', $k, 'prov', 'floor', 'rate');
    next unless defined $r[0] && $r[0] < 0.99;
    my ($pi, $fi) = ($per{"prov-hs-$k"}, $per{"floor-hs-$k"});
    push @notes, sprintf 'Handshakes, %s: the rate ratio %.3f has per-round '
        . 'ratios from %.2f to %.2f, a spread far wider than the 1%% margin; '
        . '%s',
        $k eq 'ec' ? 'ECDSA P-256' : 'RSA-2048', @r,
        $pi && $fi
            ? sprintf('callgrind counts %+.0f instructions per connection for '
                  . 'the module (%+.2f%% of a full handshake and its request; '
                  . '%.0f in the module\'s code)%s (server CPU per '
                  . 'handshake %s × floor).',
                  $pi->{ir} - $fi->{ir}, 100 * ($pi->{ir} / $fi->{ir} - 1),
                  $pi->{own},
                  $pi->{ir} / $fi->{ir} < 1.005
                      ? ', so the gap in the rate is mostly the noise of a '
                        . 'shared 2-core machine'
                      : '',
                  fmt('%.3f', (ratios('hs', $k, 'prov', 'floor', 'cpu'))[0]))
            : 'no callgrind figure per connection was taken.';
}

for my $c (@conc) {
    next unless $run{ka}{$c}{apache};
    my @r = ratios('ka', $c, 'prov', 'apache', 'rate');
    next unless defined $r[0] && $r[0] < 2;
    push @notes, sprintf 'Against Apache, c=%d: %.2f × its requests/s while '
        . 'Apache spends %s × the module\'s CPU per request. Each request '
        . 'waits for ab\'s own work too, the same for both servers (the '
        . 'module\'s server was busy %s of the time, Apache\'s %s), so the '
        . 'ratio of rates stays below the ratio of server costs%s.',
        $c, $r[0], fmt('%.2f', (ratios('ka', $c, 'apache', 'prov', 'cpu'))[0]),
        fmt('%.2f', med('ka', $c, 'prov', 'busy')),
        fmt('%.2f', med('ka', $c, 'apache', 'busy')),
        $c == $conc[-1] ? ''
            : sprintf('; with %d connections, where the servers set more of '
                  . 'the pace, it is %s', $conc[-1],
                  fmt('%.2f', (ratios('ka', $conc[-1], 'prov', 'apache', 'rate'))[0]));
}

if (@notes) {
    print "\n## Notes on the missed targets\n\n";
    print "- $_\n" for @notes;
}

# --- the gate --------------------------------------------------------------

if (defined $max_over_floor) {
    if (!defined $ka_over) {
        print STDERR "compare-report: no callgrind figure of a kept-alive "
            . "request for the floor and the module\n";
        exit 3;
    }
    if ($ka_over > $max_over_floor) {
        printf STDERR "compare-report: a kept-alive request through the "
            . "module costs %+.0f instructions above the floor's, more than "
            . "%d\n", $ka_over, $max_over_floor;
        exit 3;
    }
}
if (defined $mixed_max_over_prov) {
    if (!defined $mixed_over) {
        print STDERR "compare-report: no callgrind figure of a kept-alive "
            . "request for the module and the mixed fleet's configuration\n";
        exit 3;
    }
    if ($mixed_over > $mixed_max_over_prov) {
        printf STDERR "compare-report: a kept-alive request through the "
            . "mixed fleet's configuration costs %+.0f instructions above "
            . "the module's, more than %d\n", $mixed_over,
            $mixed_max_over_prov;
        exit 3;
    }
}
if (defined $lmdb_max_over_floor && defined $lmdb_over
    && $lmdb_over > $lmdb_max_over_floor)
{
    printf STDERR "compare-report: a kept-alive request through the "
        . "module's LMDB list costs %+.0f instructions above the floor's, "
        . "more than %d\n", $lmdb_over, $lmdb_max_over_floor;
    exit 3;
}
