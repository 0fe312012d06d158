# examples/fail2ban/: its filter bans the client address of the refusals
# that signal an attack (unverified, unknown_issuer, bad_id, pin_mismatch,
# uri_mismatch, ua_mismatch naming another device), and of no other line
# the module writes (allowed devices, no certificate, devices the list does
# not allow or denies, the generic certificate served by the bootstrap
# route, a refusal "satisfy any" overrode, a User-Agent that names no
# device under "prov_ua_id ... required": old firmware, not an attack).
#
# The lines are the module's own, from one nginx: the backend takes the
# client address from X-Real-IP (the realip module, as behind a load
# balancer), which the front sets from the URI (/ip/<address>/<cert>/...):
# every case comes from an address of its own, and fail2ban-regex (Debian's
# fail2ban: make test unpacks its package into build/fail2ban and names it
# in TEST_NGINX_FAIL2BAN, else the installed one) reads the error log and
# names the addresses it would ban.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest qw(fail2ban fail2ban_etc);

use Cwd qw(abs_path);
use File::Temp qw(tempdir);

our $Filter = abs_path('examples/fail2ban/filter.d/nginx-prov.conf');

# address, certificate, path, status, $prov_result, banned
our @Cases = (
    ['192.0.2.1', 'full', '/spa962_000e08abcd80.cfg', 200, 'allow', 0],
    ['192.0.2.2', 'none', '/spa962.cfg', 403, 'no_cert', 0],
    ['192.0.2.3', 'rogue-a', '/spa962.cfg', 403, 'unverified', 1],
    ['192.0.2.4', 'two-st', '/spa962.cfg', 403, 'bad_id', 1],
    ['192.0.2.5', 'generic', '/spa962.cfg', 200, 'generic', 0],
    ['192.0.2.6', 'chain-c', '/spa962.cfg', 403, 'not_listed', 0],
    ['192.0.2.7', 'dev-b', '/spa962.cfg', 403, 'denied', 0],
    ['192.0.2.8', 'dev-a', '/spa962.cfg', 403, 'pin_mismatch', 1],
    ['192.0.2.9', 'full', '/spa962_000e08abcdef.cfg', 403, 'uri_mismatch', 1],
    # "satisfy any": every module refuses, or the address grants
    ['192.0.2.10', 'rogue-a', '/any/spa962.cfg', 403, 'unverified', 1],
    ['192.0.2.99', 'rogue-a', '/any/spa962.cfg', 200, 'unverified', 0],
    ['2001:db8::3', 'selfsigned-a', '/spa962.cfg', 403, 'unverified', 1],
    # a certificate whose id carries ", client: 198.51.100.1, server: ",
    # and a '"' in the request line: neither names an address to ban
    ['192.0.2.11', 'client-inject', '/spa962.cfg?"', 403, 'bad_id', 1],
    # a CA the server trusts but no prov_id reads; a User-Agent naming
    # another device; one naming none where one is required
    ['192.0.2.12', 'full', '/iss/spa962.cfg', 403, 'unknown_issuer', 1],
    ['192.0.2.13', 'full', '/ua/spa962.cfg?ua=SPA/7.4.4%20(000E08ABCDF0)', 403,
     'ua_mismatch', 1],
    ['192.0.2.14', 'full', '/ua/spa962.cfg?ua=SPA/7.4.4%20(000E08ABCD80)', 200,
     'allow', 0],
    ['192.0.2.15', 'full', '/uareq/spa962.cfg?ua=SPA/7.4.4', 403,
     'ua_mismatch', 0],
);

# every request also names an address in its Referer (the last field of
# nginx's error log line)
our $Referer = 'x, client: 198.51.100.2, server: y';

# dev-a pinned to a certificate it does not have, dev-b denied, full
# allowed, chain-c not listed
our $ACL = "000e08abcdef allow sha256=" . ('00' x 32) . "\n"
         . "000e08abcdf0 deny\n"
         . "000e08abcd80 allow\n";

our $Server = <<'_EOC_';
        set_real_ip_from unix:;
        real_ip_header X-Real-IP;

        prov on;
        prov_id ST mac;
        prov_generic ciscogeneric;
        prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;
_EOC_

# the bootstrap route of examples/cisco-spa.conf, and "satisfy any"
our $Extra = <<'_EOC_';
        location @bootstrap {
            prov off;

            if ($prov_result != generic) {
                return 403;
            }

            root $TEST_NGINX_SERVER_ROOT/html/bootstrap;
            try_files /upgrade.cfg =403;
        }

        location /any/ {
            satisfy any;
            allow 192.0.2.99;
            deny all;
            try_files /profile.cfg =404;
        }

        location /iss/ {
            prov_id ST mac issuer=$TEST_NGINX_PROV_PKI/device-int.crt;
            try_files /profile.cfg =404;
        }

        location /ua/ {
            prov_ua_id "\((?<id>[0-9A-Fa-f]{12})\)";
            try_files /profile.cfg =404;
        }

        location /uareq/ {
            prov_ua_id "\((?<id>[0-9A-Fa-f]{12})\)" required;
            try_files /profile.cfg =404;
        }
_EOC_

our $Location = <<'_EOC_';
            prov_uri_id "_(?<id>[0-9A-Fa-f:]{12,17})\.cfg$";
            error_page 403 = @bootstrap;
            try_files /profile.cfg =404;
_EOC_

our $Front = ProvTest::front(extra => <<'_EOC_');
        location ~ ^/ip/(?<pt_ip>[^/]+)/(?<pt_dev>[^/]+)(?<pt_path>/.*)$ {
            proxy_set_header X-Real-IP $pt_ip;
            proxy_set_header User-Agent $arg_ua;
            proxy_set_header Host localhost;
            proxy_set_header Connection close;
            proxy_pass https://pt_tls$pt_path$is_args$args;
        }
_EOC_

no_shuffle();
run_tests();

# every request has logged its line (the log phase runs after the answer)
my $log = "$ENV{TEST_NGINX_SERVER_ROOT}/logs/error.log";
my $text = '';

for (1 .. 50) {
    $text = do { local (@ARGV, $/) = ($log); <> } // '';
    my $n = () = $text =~ /prov: (?:access forbidden|certificate refused) /g;
    last if $n >= grep { $_->[4] ne 'allow' } @Cases;
    select undef, undef, undef, 0.1;
}

# the lines the filter reads exist, with the address of their client
for my $c (grep { $_->[4] ne 'allow' } @Cases) {
    my ($ip, $cert, $path, $status, $result, $banned) = @$c;
    my $re = $status == 200
        ? qr/\[info\] \d+#\d+: \*\d+ prov: certificate refused \(\Q$result\E\), [^\n]*, client: \Q$ip\E, server: /
        : qr/\[error\] \d+#\d+: \*\d+ prov: access forbidden \(\Q$result\E\): [^\n]*, client: \Q$ip\E, server: /;
    like($text, $re, "the module logged $result ($cert) from $ip");
}

# what fail2ban would ban: the address of every matched line
my $out = fail2ban('fail2ban-regex', '--raw', '--out', 'ip', $log, $Filter);
is($?, 0, 'fail2ban-regex runs') or diag($out);

my %matched;
$matched{$_}++ for grep { /\S/ } split /\n/, $out;

my %expected;
$expected{$_->[0]}++ for grep { $_->[5] } @Cases;

is_deeply(\%matched, \%expected,
          'fail2ban bans exactly the addresses of the attacks, once each')
    or diag("fail2ban-regex: $out");

# the jail, in a copy of Debian's fail2ban configuration without its own
# jails: fail2ban reads it, and it watches the error log with this filter
my $etc = tempdir(CLEANUP => 1);
system('cp', '-r', fail2ban_etc() . '/.', $etc) == 0
    or die 'cannot copy ' . fail2ban_etc() . ": $?";
unlink glob("$etc/jail.d/*");
system('cp', abs_path('examples/fail2ban/jail.d/nginx-prov.conf'),
       "$etc/jail.d/") == 0 or die "cannot copy the jail: $?";
system('cp', $Filter, "$etc/filter.d/") == 0 or die "cannot copy the filter: $?";

# nginx's error log is where Debian's paths put it: here this test's
open my $fh, '>', "$etc/paths-overrides.local" or die "$etc: $!";
print $fh "[DEFAULT]\nnginx_error_log = $log\n";
close $fh;

$out = fail2ban('fail2ban-client', '-c', $etc, '-t');
is($?, 0, 'fail2ban-client -t accepts the jail') or diag($out);

$out = fail2ban('fail2ban-client', '-c', $etc, '-d');
like($out, qr/^\['add', 'nginx-prov',/m, 'the jail is enabled');
like($out, qr/^\['set', 'nginx-prov', 'addfailregex', '.*prov: access forbidden /m,
     'the jail uses the filter');
like($out, qr{^\['set', 'nginx-prov', 'addlogpath', '\Q$log\E'}m,
     "the jail reads nginx's error log");

__DATA__

=== TEST 1: a refusal of each kind, each from an address of its own
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Server,
                  location => $main::Location, extra => $main::Extra)
--- config eval
$main::Front
--- user_files eval
ProvTest::profiles() . ">>> bootstrap/upgrade.cfg\nupgrade the firmware\n"
. ">>> acl\n$main::ACL"
--- more_headers eval
"Referer: $main::Referer"
--- request eval
[map { "GET /ip/$_->[0]/$_->[1]$_->[2]" } @main::Cases]
--- error_code eval
[map { $_->[3] } @main::Cases]
--- response_headers eval
[map { "X-Prov-Result: $_->[4]" } @main::Cases]
