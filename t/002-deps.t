# scripts/deps.sh, which every make target runs first: it installs what a
# target lacks (as root) or prints the apt-get line, and never touches a
# running service (on a provider's host, "make" must not stop its nginx).
# The system commands it calls are stubs here that record their calls.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);

my $dir = tempdir(CLEANUP => 1);
my $calls = "$dir/calls";

sub stub {
    my ($name, $body) = @_;
    open my $fh, '>', "$dir/$name" or die "$dir/$name: $!";
    print $fh "#!/bin/sh\necho \"$name \$*\" >> '$calls'\n$body\n";
    close $fh;
    chmod 0755, "$dir/$name";
}

stub('dpkg-query', 'exit 1');                 # nothing is installed
stub('apt-get', 'exit 0');
stub('systemctl', 'exit 0');                  # "nginx is active"
stub('service', 'exit 0');
stub('id', '[ "$1" = -u ] && echo "${FAKE_UID:-0}"');

sub deps {
    my ($uid, @args) = @_;
    unlink $calls;
    local $ENV{PATH} = "$dir:$ENV{PATH}";
    local $ENV{FAKE_UID} = $uid;
    my $out = `bash scripts/deps.sh @args 2>&1`;
    my $rc = $? >> 8;
    my $log = '';
    if (open my $fh, '<', $calls) { local $/; $log = <$fh>; }
    return ($rc, $out, $log);
}

my ($rc, $out, $log) = deps(0, 'nginx', 'curl');
is($rc, 0, 'as root: the missing packages are installed');
like($log, qr/^apt-get install -y -q --no-install-recommends nginx curl$/m,
     'as root: apt-get install with the missing packages');
unlike($log, qr/^(?:systemctl|service) /m,
       'as root: no service is stopped, started or asked about');

($rc, $out, $log) = deps(1000, 'nginx');
is($rc, 1, 'not root: fails');
like($out, qr/^    apt-get install nginx$/m, 'not root: prints the apt-get line');
unlike($log, qr/^(?:apt-get|systemctl|service) /m, 'not root: runs nothing');

($rc, $out, $log) = deps(0, '--check', 'nginx', 'gcc');
is($rc, 1, '--check as root: fails');
like($out, qr/^    apt-get install nginx gcc$/m, '--check: prints the apt-get line');
unlike($log, qr/^(?:apt-get|systemctl|service) /m, '--check: installs nothing');

stub('dpkg-query', 'echo "install ok installed"');
($rc, $out, $log) = deps(0, 'nginx');
is($rc, 0, 'all installed: succeeds');
is($out, '', 'all installed: says nothing');
unlike($log, qr/^(?:apt-get|systemctl|service) /m, 'all installed: runs nothing');

done_testing();
