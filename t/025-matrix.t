# The whole matrix: every device certificate of the test PKI, under each
# ssl_verify_client mode (on, optional, optional_no_ca), on a new TLS
# connection, twice over one kept-alive connection, twice with the second
# connection resuming the first one's TLS session, and twice as two
# streams of one HTTP/2 connection.  Checked per request: status, body (the
# profile, or a stock error page without a profile byte), $prov_result,
# $prov_id, and that the second request really rode the same connection or
# a resumed session.  Log lines per reason: 010-identity.t, 011-verify-modes.t.
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

our $Gate = 'prov on; prov_id ST mac; prov_generic ciscogeneric;';

# certificate => id (allowed) or result (refused by the gate)
our %Outcome = (
    'dev-a' => '000e08abcdef',
    'dev-b' => '000e08abcdf0',
    'full' => '000e08abcd80',
    'chain-c' => '000e08abcdc1',
    'ou-inject' => '000e08abcd10',
    'multi-rdn' => '000e08abcd21',
    'bmp' => '000e08abcd40',
    'univ' => '000e08abcd41',
    't61' => '000e08abcd42',
    'utf8' => '000e08abcd43',
    'mac-colon' => '000e08abcd51',
    'mac-dash' => '000e08abcd52',
    'mac-dot' => '000e08abcd53',
    'mac-upper' => '000e08abcd54',
    'mac-upper-colon' => '000e08abcd55',
    'mac-six' => '000e08abcd56',
    'mac-dash4' => '000e08abcd57',
    'mac-upper-dot' => '000e08abcd58',
    'generic' => 'generic',
    (map { $_ => 'bad_id' } qw(
        ou-inject-nost ou-slash-nost two-st multi-rdn-dup dotdot dot
        dotdot-only backslash nul ctrl empty long quote homoglyph mac-mixed mac-group3
        mac-short mac-long mac-nonhex mac-trailing mac-uneven mac-space
        polycom yealink cisco-sep client-inject
    )),
    'none' => 'no_cert',
    (map { $_ => 'unknown_issuer' } qw(
        rogue-a rogue-a-chain selfsigned-a srvca-a chain-c-nochain
    )),
    (map { $_ => 'never' } qw(forged-a expired-a notyet-a)),
);

our @Certs = sort keys %Outcome;

# [status, body regex, headers] of one request with $cert under $mode
sub expect {
    my ($mode, $cert, $kind, $second) = @_;
    my $o = $Outcome{$cert};

    # a session resumed from a ticket keeps no intermediate certificate,
    # and the module verifies a resumed session's certificate again with
    # the server's store, which lacks device-int: refused (the remedy,
    # ssl_trusted_certificate: 022-resumption.t)
    if ($cert eq 'chain-c' && $kind eq 're' && $second) {
        return [403, $ProvTest::FORBIDDEN,
                "X-Prov-Id: \nX-Prov-Result: unverified\nX-Verify: SUCCESS\n"
                . same_connection($kind, $second)];
    }

    if ($o =~ /^[0-9a-f]{12}$/) {
        my $h = "X-Prov-Id: $o\nX-Prov-Result: allow\nX-Verify: SUCCESS";
        $h .= "\n" . same_connection($kind, $second);
        return [200, $ProvTest::PROFILE_RE, $h];
    }

    if ($o eq 'no_cert') {
        return [400, $ProvTest::NO_CERT_ERROR, "X-Prov-Id: \nX-Prov-Result: no_cert"]
            if $mode eq 'on';
        return [403, $ProvTest::FORBIDDEN,
                "X-Prov-Id: \nX-Prov-Result: no_cert\n" . same_connection($kind, $second)];
    }

    if ($o eq 'never' || ($o eq 'unknown_issuer' && $mode ne 'optional_no_ca')) {
        return [400, $ProvTest::CERT_ERROR, "X-Prov-Id: \nX-Prov-Result: unverified"];
    }

    $o = 'unverified' if $o eq 'unknown_issuer';

    return [403, $ProvTest::FORBIDDEN,
            "X-Prov-Id: \nX-Prov-Result: $o\n" . same_connection($kind, $second)];
}

# the second request of a pair rode the first one's connection or session
sub same_connection {
    my ($kind, $second) = @_;
    return 'X-Conn: \d+/1' if $kind eq 'as';
    return 'X-Reused: ' . ($second ? 'r' : '\.') if $kind eq 're';
    return 'X-Conn: \d+/' . ($second ? 2 : 1);    # ka, h2ka
}

sub requests {
    my ($kind) = @_;
    my $n = $kind eq 'as' ? 1 : 2;
    return [map { my $c = $_; map { "GET /$kind/$c/profile.cfg" } 1 .. $n } @Certs];
}

sub expected {
    my ($mode, $kind, $i) = @_;
    my $n = $kind eq 'as' ? 1 : 2;
    return [map { my $c = $_; map { expect($mode, $c, $kind, $_ == 2)->[$i] } 1 .. $n } @Certs];
}

# forged-a's bad signature makes nginx itself log "[alert] ... ignoring
# stale global SSL error" (OpenSSL's verification leaves its error queued;
# the same without the module: 018-stale-ssl-error.t); any other alert
# fails the matrix
ProvTest::defaults(
    config => ProvTest::front(),
    user_files => ProvTest::profiles(),
    no_error_log => [qr/\[alert\](?!.*ignoring stale global SSL error \(SSL: error:[0-9A-F]+:asn1 encoding routines::EVP lib\))/],
);

no_long_string();
no_shuffle();
run_tests();

__DATA__

=== TEST 1: on, new connections
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request eval
main::requests('as')
--- error_code eval
main::expected('on', 'as', 0)
--- response_body_like eval
main::expected('on', 'as', 1)
--- response_headers_like eval
main::expected('on', 'as', 2)



=== TEST 2: on, twice over one kept-alive connection
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request eval
main::requests('ka')
--- error_code eval
main::expected('on', 'ka', 0)
--- response_body_like eval
main::expected('on', 'ka', 1)
--- response_headers_like eval
main::expected('on', 'ka', 2)



=== TEST 3: on, twice, the second connection resuming the TLS session
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request eval
main::requests('re')
--- error_code eval
main::expected('on', 're', 0)
--- response_body_like eval
main::expected('on', 're', 1)
--- response_headers_like eval
main::expected('on', 're', 2)



=== TEST 4: on, two HTTP/2 streams of one connection
--- http_config eval
ProvTest::backend(verify => 'on', server => $main::Gate)
--- request eval
main::requests('h2ka')
--- error_code eval
main::expected('on', 'h2ka', 0)
--- response_body_like eval
main::expected('on', 'h2ka', 1)
--- response_headers_like eval
main::expected('on', 'h2ka', 2)



=== TEST 5: optional, new connections
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request eval
main::requests('as')
--- error_code eval
main::expected('optional', 'as', 0)
--- response_body_like eval
main::expected('optional', 'as', 1)
--- response_headers_like eval
main::expected('optional', 'as', 2)



=== TEST 6: optional, twice over one kept-alive connection
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request eval
main::requests('ka')
--- error_code eval
main::expected('optional', 'ka', 0)
--- response_body_like eval
main::expected('optional', 'ka', 1)
--- response_headers_like eval
main::expected('optional', 'ka', 2)



=== TEST 7: optional, twice, the second connection resuming the TLS session
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request eval
main::requests('re')
--- error_code eval
main::expected('optional', 're', 0)
--- response_body_like eval
main::expected('optional', 're', 1)
--- response_headers_like eval
main::expected('optional', 're', 2)



=== TEST 8: optional, two HTTP/2 streams of one connection
--- http_config eval
ProvTest::backend(verify => 'optional', server => $main::Gate)
--- request eval
main::requests('h2ka')
--- error_code eval
main::expected('optional', 'h2ka', 0)
--- response_body_like eval
main::expected('optional', 'h2ka', 1)
--- response_headers_like eval
main::expected('optional', 'h2ka', 2)



=== TEST 9: optional_no_ca, new connections
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request eval
main::requests('as')
--- error_code eval
main::expected('optional_no_ca', 'as', 0)
--- response_body_like eval
main::expected('optional_no_ca', 'as', 1)
--- response_headers_like eval
main::expected('optional_no_ca', 'as', 2)



=== TEST 10: optional_no_ca, twice over one kept-alive connection
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request eval
main::requests('ka')
--- error_code eval
main::expected('optional_no_ca', 'ka', 0)
--- response_body_like eval
main::expected('optional_no_ca', 'ka', 1)
--- response_headers_like eval
main::expected('optional_no_ca', 'ka', 2)



=== TEST 11: optional_no_ca, twice, the second connection resuming the TLS session
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request eval
main::requests('re')
--- error_code eval
main::expected('optional_no_ca', 're', 0)
--- response_body_like eval
main::expected('optional_no_ca', 're', 1)
--- response_headers_like eval
main::expected('optional_no_ca', 're', 2)



=== TEST 12: optional_no_ca, two HTTP/2 streams of one connection
--- http_config eval
ProvTest::backend(verify => 'optional_no_ca', server => $main::Gate)
--- request eval
main::requests('h2ka')
--- error_code eval
main::expected('optional_no_ca', 'h2ka', 0)
--- response_body_like eval
main::expected('optional_no_ca', 'h2ka', 1)
--- response_headers_like eval
main::expected('optional_no_ca', 'h2ka', 2)
