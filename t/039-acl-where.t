# Errors found when nginx reads a list (prov_acl) or checks a prov_profile
# name the file and line of the directive, also in a file "include" reads
# (Debian's sites-enabled), not the end of the "http" block, where nginx
# merges the settings and the module reads the list (issue 18).
use Test::Nginx::Socket 'no_plan';
use lib 't/lib';
use ProvTest;

# a site in a file of its own, as Debian's sites-enabled/ holds it; the
# prov_acl directive is on its line 5
our $Site = <<'_EOC_';
server {
    listen unix:$TEST_NGINX_SERVER_ROOT/html/site.sock ssl;
    prov on;
    prov_id ST mac;
    prov_acl $TEST_NGINX_SERVER_ROOT/html/acl;
    ssl_certificate $TEST_NGINX_PROV_PKI/server.crt;
    ssl_certificate_key $TEST_NGINX_PROV_PKI/server.key;
}
_EOC_

# the site's text with $TEST_NGINX_* replaced, as the harness does for
# config sections (user_files are written as they are)
sub site {
    my ($text) = @_;
    $text =~ s/\$(TEST_NGINX_[A-Z_]+)/$ENV{$1}/g;
    return $text;
}

no_shuffle();
run_tests();

__DATA__

=== TEST 1: a broken list named with the prov_acl directive's file and line, in an included file
--- http_config
    include $TEST_NGINX_SERVER_ROOT/html/site.conf;
--- config
    location /t { return 200 "t\n"; }
--- user_files eval
">>> acl\n000e08abcdef allow\nnot-a-mac allow\n>>> site.conf\n" . main::site($main::Site)
--- request
GET /t
--- must_die
--- error_log eval
qr{\[emerg\] \d+#\d+: 1 error\(s\) in access list "[^"]*/html/acl" in [^ ]*/html/site\.conf:5$}m



=== TEST 2: a missing LMDB database, the same
--- http_config
    include $TEST_NGINX_SERVER_ROOT/html/site.conf;
--- config
    location /t { return 200 "t\n"; }
--- user_files eval
(my $s = main::site($main::Site)) =~ s{prov_acl [^;]*;}{prov_acl lmdb:$ENV{TEST_NGINX_SERVER_ROOT}/html/missing.db;};
">>> site.conf\n$s"
--- request
GET /t
--- must_die
--- error_log eval
qr{\[emerg\] \d+#\d+: access list database "[^"]*/html/missing\.db" does not exist: .* in [^ ]*/html/site\.conf:5$}m



=== TEST 3: prov_acl inherited from the server into a location: still the directive's place
--- http_config
    include $TEST_NGINX_SERVER_ROOT/html/site.conf;
--- config
    location /t { return 200 "t\n"; }
--- user_files eval
(my $s = main::site($main::Site)) =~ s#\}\s*\z#    location /x/ { prov_id CN mac; }\n}\n#;
">>> acl\nnot-a-mac allow\n>>> site.conf\n$s"
--- request
GET /t
--- must_die
--- error_log eval
qr{\[emerg\] \d+#\d+: 1 error\(s\) in access list "[^"]*/html/acl" in [^ ]*/html/site\.conf:5$}m



=== TEST 4: ids of two kinds in one gate with a list: named at the prov_acl directive
--- http_config
    include $TEST_NGINX_SERVER_ROOT/html/site.conf;
--- config
    location /t { return 200 "t\n"; }
--- user_files eval
(my $s = main::site($main::Site)) =~ s{prov_id ST mac;}{prov_id ST mac issuer=$ENV{TEST_NGINX_PROV_PKI}/device-ca.crt; prov_id CN issuer=$ENV{TEST_NGINX_PROV_PKI}/device-int.crt;};
">>> acl\n000e08abcdef allow\n>>> site.conf\n$s"
--- request
GET /t
--- must_die
--- error_log eval
qr{\[emerg\] \d+#\d+: "prov_acl" needs every "prov_id" to read MAC addresses .* in [^ ]*/html/site\.conf:5$}m



=== TEST 5: prov_profile under alias in an included file: named with its own file and line
--- http_config
    include $TEST_NGINX_SERVER_ROOT/html/site.conf;
--- config
    location /t { return 200 "t\n"; }
--- user_files eval
(my $s = main::site($main::Site)) =~ s{prov_acl [^;]*;}{prov_profile /devices/\$prov_id.cfg =404;\n    location /al/ { alias /tmp/; }};
">>> site.conf\n$s"
--- request
GET /t
--- must_die
--- error_log eval
qr{\[emerg\] \d+#\d+: "prov_profile" \([^ ]*/html/site\.conf:5\) tests files under "root", but location "/al/" has "alias"}
