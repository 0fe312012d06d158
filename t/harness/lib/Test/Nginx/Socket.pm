package Test::Nginx::Socket;

# Minimal fallback for openresty's Test::Nginx::Socket, used by `make test`
# only when the real Test::Nginx is not installed.  The same t/*.t files must
# pass under both, so every section handled here follows the real module's
# semantics (request building, response parsing, test names, error.log
# windows, restarts), and every section NOT handled here makes the run bail
# out instead of being silently ignored.
#
# Written from the real module's documentation and behaviour; no code copied.
# Built on Test::Base (Debian's libtest-base-perl) and core Perl only.

use strict;
use warnings;

# Lowercase -base: inherit Test::Base (blocks, filters, 'no_plan' import,
# Test::More re-exports) without Spiffy's source filter.
use Test::Base -base;

use Cwd ();
use File::Path qw(make_path remove_tree);
use File::Spec ();
use IO::Socket::INET ();
use List::Util qw(min shuffle);
use POSIX qw(EAGAIN EWOULDBLOCK WNOHANG);
use Scalar::Util qw(looks_like_number);
use Time::HiRes qw(sleep);

our $VERSION = '0.01';

our @EXPORT = qw(
    run_tests repeat_each no_shuffle log_level no_long_string
    no_root_location master_on master_off workers server_port
    html_dir server_root add_block_preprocessor timeout bail_out
);

# Environment knobs of the real module that change what a run means.  The
# fallback does not implement them, so refuse rather than differ quietly.
BEGIN {
    for my $v (qw(USE_HTTP2 USE_HTTP3 USE_HUP USE_STAP USE_RR
                  CHECK_LEAK BENCHMARK RANDOMIZE NO_NGINX_MANAGER
                  IGNORE_MISSING_DIRECTIVES POSTPONE_OUTPUT EVENT_TYPE
                  REUSE_PORT WORKER_USER CHECK_ACCUM_ERR_LOG ERROR_LOG
                  LD_PRELOAD))
    {
        die "Test::Nginx::Socket (project fallback): TEST_NGINX_$v is not "
          . "supported; install the real Test::Nginx to use it.\n"
            if $ENV{"TEST_NGINX_$v"};
    }
    die "Test::Nginx::Socket (project fallback): "
      . "TEST_NGINX_FORCE_RESTART_ON_TEST=0 is not supported.\n"
        if defined $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST}
           && !$ENV{TEST_NGINX_FORCE_RESTART_ON_TEST};
}

# Sections this fallback implements; anything else in a block is fatal.
my %Supported = map { $_ => 1 } qw(
    main_config http_config config
    request pipelined_requests more_headers raw_request
    error_code response_body response_body_like
    response_headers response_headers_like
    error_log no_error_log must_die suppress_stderr
    user_files timeout wait log_level post_setup_server_root
    skip_eval skip_nginx skip_nginx2
    ONLY SKIP LAST
);
# Keys Test::Base itself keeps in a block object.
my %BlockInternal = map { $_ => 1 } qw(
    name description seq_num is_filtered blocks_object original_values
);

# Defaults and environment, as in the real module.
our $NginxBinary          = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $Workers              = 1;
our $WorkerConnections    = 64;
our $LogLevel             = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $DaemonEnabled        = 'on';
our $ServerAddr           = '127.0.0.1';
our $ServerName           = 'localhost';
our $ServerPort           = $ENV{TEST_NGINX_SERVER_PORT}
                            || $ENV{TEST_NGINX_PORT} || 1984;
# Fixed at load time like the real one: server_port() does not move it.
our $ServerPortForClient  = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
our $Timeout              = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $TestNginxSleep       = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $NoShuffle            = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $LoadModules          = $ENV{TEST_NGINX_LOAD_MODULES};
our $RepeatEach           = 1;
our $NoRootLocation       = 0;
# TEST_NGINX_USE_VALGRIND: nginx runs under valgrind, as the real module
# does it: a number means its memcheck options (and ./valgrind.suppress if
# there is one), anything else is the valgrind options themselves; nginx
# does not daemonise (master_process stays as set), runs as a child of the
# test in a process group of its own, with valgrind's output on the test's
# stderr, and is stopped after each block
our $UseValgrind          = $ENV{TEST_NGINX_USE_VALGRIND};
our $ValgrindExitOnFirstErr = $ENV{TEST_NGINX_VALGRIND_EXIT_ON_FIRST_ERR};
our $ChildPid;              # nginx under valgrind, our child
$DaemonEnabled = 'off' if $UseValgrind;
our $NoLongString;
our @BlockPreprocessors;

our $ServRoot = $ENV{TEST_NGINX_SERVROOT} || File::Spec->rel2abs('t/servroot');
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
our $LogDir     = "$ServRoot/logs";
our $ErrLogFile = "$LogDir/error.log";
our $AccLogFile = "$LogDir/access.log";
our $HtmlDir    = "$ServRoot/html";
our $ConfDir    = "$ServRoot/conf";
our $ConfFile   = "$ConfDir/nginx.conf";
our $PidFile    = "$LogDir/nginx.pid";
our $CacheDir   = "$ServRoot/cache";

our $PrevConfig;            # config of the nginx now running
our $RandPorts = {};        # $TEST_NGINX_RAND_PORT_<n> of the current block
our $ErrLogFilePos = 0;     # error.log offset already checked
our $TotalConnectingTimeouts = 0;
my $MainPid = $$;           # a child forked by a test must not stop nginx

# ---------------------------------------------------------------- settings

sub repeat_each (@)  { $RepeatEach = shift if @_; $RepeatEach }
sub no_shuffle ()    { $NoShuffle = 1 }
sub no_long_string () { $NoLongString = 1 }
sub no_root_location () { $NoRootLocation = 1 }
sub master_on ()     { $MasterProcessEnabled = 'on' }
sub master_off ()    { $MasterProcessEnabled = 'off' }
sub html_dir ()      { $HtmlDir }
sub server_root ()   { $ServRoot }
sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }

sub log_level (@) {
    return $LogLevel unless @_;
    $LogLevel = shift;
}

sub workers (@) {
    return $Workers unless @_;
    $Workers = shift;
}

sub server_port (@) {
    return $ServerPort unless @_;
    $ServerPort = shift;
}

sub timeout (@) {
    return $Timeout unless @_;
    $Timeout = shift;
}

sub bail_out (@) {
    Test::More::BAIL_OUT(join '', @_);
}

# ---------------------------------------------------------------- helpers

# "50ms" -> 0.05, "2s" / "2" -> 2
sub parse_time ($) {
    my $t = shift;
    return $t unless defined $t;
    if ($t =~ s/([^_a-zA-Z])ms$/$1/) {
        return $t / 1000;
    }
    $t =~ s/([^_a-zA-Z])s$/$1/;
    return $t;
}

# A daemonised nginx is not our child; once it exits it may linger as a
# zombie of PID 1 for a while, which kill(0) still reports as alive.
sub is_running ($) {
    my $pid = shift;
    return 0 unless $pid && kill 0, $pid;
    if (open my $st, '<', "/proc/$pid/stat") {
        my $line = <$st> // '';
        return 0 if $line =~ /^\d+ \(.*\) Z/s;
    }
    return 1;
}

sub can_run ($) {
    my $cmd = shift;
    return -f $cmd && -x _ if $cmd =~ m{/};
    return grep { $_ ne '' && -f "$_/$cmd" && -x _ }
                split(/:/, $ENV{PATH} // ''), '.';
}

sub read_pid_file () {
    open my $in, '<', $PidFile or return undef;
    my $pid = do { local $/; <$in> };
    close $in;
    return undef unless defined $pid;
    chomp $pid;
    return $pid =~ /^\d+$/ ? $pid : undef;
}

# Graceful QUIT (TERM with TEST_NGINX_FAST_SHUTDOWN), then KILL on timeout.
sub kill_process ($$) {
    my ($pid, $name) = @_;
    kill($ENV{TEST_NGINX_FAST_SHUTDOWN} ? 'TERM' : 'QUIT', $pid);
    my $left = $Timeout;
    while ($left > 0 && is_running($pid)) {
        sleep 0.05;
        $left -= 0.05;
    }
    if (is_running($pid)) {
        warn "$name - timeout when waiting for the process $pid to exit\n";
        kill 'KILL', $pid;
        for (1 .. 40) {
            last unless is_running($pid);
            sleep 0.05;
        }
    }
}

sub stop_nginx ($) {
    my $name = shift;
    return unless -f $PidFile;
    my $pid = read_pid_file();
    if ($pid && is_running($pid)) {
        kill_process($pid, $name);
    } else {
        unlink $PidFile;
    }
}

sub gen_rand_port ($) {
    my $used = shift;
    for (1 .. 1000) {
        my $port = int(rand 63547) + 1988;
        next if $used->{$port};
        my $sock = IO::Socket::INET->new(
            LocalAddr => $ServerAddr, LocalPort => $port, Proto => 'tcp',
            Listen => 5, Reuse => 1,
        ) or next;
        close $sock;
        return $port;
    }
    return undef;
}

# Replace $TEST_NGINX_<NAME> by %ENV, or by a free port for
# $TEST_NGINX_RAND_PORT_<n> (one port per name and block).  An unset
# variable aborts the run, as in the real module.
sub expand_env_in_text ($$$) {
    my ($text, $name, $rand_ports) = @_;
    return $text unless defined $text;
    my %used = ($ServerPort => 1, map { $_ => 1 } values %$rand_ports);
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        my $val;
        if ($var =~ /^TEST_NGINX_RAND_PORT_[0-9]+$/) {
            if (!defined $rand_ports->{$var}) {
                my $port = gen_rand_port(\%used);
                bail_out("$name - Cannot find an available listening port "
                         . "number for $var.\n") unless defined $port;
                $rand_ports->{$var} = $port;
                $used{$port} = 1;
            }
            $val = $rand_ports->{$var};
        } else {
            bail_out("$name - No environment $var defined.\n")
                unless defined $ENV{$var};
            $val = $ENV{$var};
        }
        $val;
    }ge;
    return $text;
}

sub fmt_str ($) {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

sub trim_str ($) {
    my $s = shift;
    return undef unless defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\n/ /g;
    $s =~ s/\s{2,}/ /g;
    return $s;
}

# ------------------------------------------------------- server root/config

sub setup_server_root () {
    if (-d $ServRoot) {
        remove_tree($ConfDir, glob("$ServRoot/*_cache"),
                    glob("$ServRoot/*_temp"));
        remove_tree($CacheDir, $HtmlDir, $LogDir);
        # Refuse to wipe anything else someone put under the server root.
        rmdir $ServRoot
            or bail_out("Can't remove $ServRoot (not empty?): $!");
    }
    for my $dir ($ServRoot, $LogDir, $HtmlDir) {
        mkdir $dir or bail_out("Failed to do mkdir $dir\n");
    }
    open my $out, '>', "$HtmlDir/index.html"
        or bail_out("Can't open $HtmlDir/index.html for writing: $!\n");
    print $out '<html><head><title>It works!</title></head>'
             . '<body>It works!</body></html>';
    close $out;
    mkdir $ConfDir or bail_out("Failed to do mkdir $ConfDir\n");
}

# --- post_setup_server_root: Perl code run once the server root is laid
# out, before the user files, the configuration and nginx (the real
# module's run_customer_init_script)
sub run_post_setup_server_root ($) {
    my $block = shift;
    my $code = $block->post_setup_server_root;
    return unless defined $code;
    eval $code;
    bail_out($block->name . " - post_setup_server_root failed: $@") if $@;
}

# ">>> name [touch-date]" starts a file; relative names go under html/.
sub write_user_files ($$) {
    my ($block, $rand_ports) = @_;
    my $name  = $block->name;
    my $files = $block->user_files;
    return unless $files;

    if (!ref $files) {
        my @list;
        for my $line (split /^/m, $files) {
            if ($line =~ />>> (\S+)(?:\s+(.+))?/) {
                push @list, [$1, undef, $2];
            } elsif (@list) {
                $list[-1][1] .= $line;
            }
        }
        $files = \@list;
    } elsif (ref $files ne 'ARRAY') {
        bail_out("$name - wrong value type: ", ref $files,
                 ", only scalar or ARRAY are accepted");
    }

    for my $file (@$files) {
        my ($fname, $body, $date) = @$file;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        if ($path =~ m{(.*)/} && !-d $1) {
            make_path($1) or bail_out("$name - Cannot create directory $1");
        }
        $body = expand_env_in_text($body // '', $name, $rand_ports);
        open my $out, '>', $path
            or bail_out("$name - Cannot open $path for writing: $!\n");
        binmode $out;
        print $out $body;
        close $out;
        if ($date) {
            my $cmd = "TZ=GMT touch -t '$date' '$path'";
            system($cmd) == 0
                or bail_out("Failed to run shell command: $cmd\n");
        }
    }
}

my $NginxV;

sub write_config_file ($$$) {
    my ($block, $config, $rand_ports) = @_;
    my $name = $block->name;

    my $http_config = expand_env_in_text($block->http_config, $name,
                                         $rand_ports) // '';
    my $main_config = $block->main_config // '';
    if ($LoadModules) {
        my @mods = map { "load_module $_;" } grep { $_ } split /\s+/,
                   $LoadModules;
        $main_config = join ' ', @mods, $main_config if @mods;
    }
    $main_config = expand_env_in_text($main_config, $name, $rand_ports);
    $config //= '';

    $NginxV //= `$NginxBinary -V 2>&1` // '';
    my %temp = map { $_ => "${_}_temp_path $ServRoot/${_}_temp;" }
               qw(client_body proxy fastcgi scgi uwsgi);
    for my $m (qw(fastcgi scgi uwsgi)) {
        $temp{$m} = '' if $NginxV =~ /--without-http_${m}_module/;
    }
    for my $m (qw(proxy client_body)) {
        $temp{$m} = '' if $http_config =~ /\b${m}_temp_path\b/;
    }
    my $temp_paths = join ' ', @temp{qw(client_body proxy fastcgi scgi uwsgi)};

    # Same layout as the real scaffold, so tests that depend on where their
    # snippets land (main, http, default server) behave the same.
    my $conf = <<"_EOC_";
worker_processes  $Workers;
daemon $DaemonEnabled;
master_process $MasterProcessEnabled;
error_log $ErrLogFile $LogLevel;
pid       $PidFile;
env MOCKEAGAIN_VERBOSE;
env MOCKEAGAIN;
env MOCKEAGAIN_WRITE_TIMEOUT_PATTERN;
env LD_PRELOAD;
env LD_LIBRARY_PATH;
env DYLD_INSERT_LIBRARIES;
env DYLD_FORCE_FLAT_NAMESPACE;
#env LUA_PATH;
#env LUA_CPATH;

$main_config

http {
    access_log $AccLogFile; $temp_paths
    #access_log off;

    default_type text/plain;
    keepalive_timeout  68000ms;

$http_config
    server {
        listen          $ServerPort;
        #placeholder
        server_name     '$ServerName';
        
        client_max_body_size 30M;
        #client_body_buffer_size 4k;

        # Begin preamble config...

        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

_EOC_

    $conf .= <<"_EOC_" unless $NoRootLocation;
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_

    $conf .= <<"_EOC_";
    }
}



#timer_resolution 100ms;

events {
    accept_mutex off;

    worker_connections  $WorkerConnections;
}
env ASAN_OPTIONS;
env MOCKNOEAGAIN_VERBOSE;
env MOCKNOEAGAIN;
_EOC_
    $conf .= "user root;\n" if $> == 0;

    open my $out, '>', $ConfFile
        or bail_out("Can't open $ConfFile for writing: $!\n");
    print $out $conf;
    close $out;
}

# ------------------------------------------------------------ run the file

sub check_sections ($) {
    my $block = shift;
    my @bad = sort grep {
        !$Supported{$_} && !$BlockInternal{$_} && !/^_/
    } keys %$block;
    return unless @bad;
    my $list = join ', ', map { "\"--- $_\"" } @bad;
    bail_out($block->name . " - section(s) $list "
             . "not supported by the project's fallback "
             . "Test::Nginx::Socket (t/harness/lib); install the real "
             . "Test::Nginx or extend the fallback.");
}

# The version of the nginx under test as the real module compares them:
# 1.26.3 is 1.026003 (its "nginx -V" output, then the first "name/x.y.z")
our $NginxVersion;

sub canon_version (@) {
    return sprintf '%d.%03d%03d', @_[0 .. 2];
}

sub nginx_version_of ($) {
    my $out = shift;
    return canon_version($1, $2, $3)
        if $out =~ m{(?:nginx|openresty+?)[^/]*/(\d+)\.(\d+)\.(\d+)}s
           || $out =~ m{\w+/(\d+)\.(\d+)\.(\d+)}s;
    bail_out("Failed to parse the output of \"nginx -V\": $out\n");
}

# --- skip_eval "N: perl code", --- skip_nginx "N: op x.y.z[: reason]",
# --- skip_nginx2 "N: op x.y.z and|or op x.y.z[: reason]": as the real
# module, whether to skip the block and how many subtests it counts as
# skipped (skip_eval first; skip_nginx, else skip_nginx2, then sets the
# count and may add its own condition).  Returns (count, reason) or ().
sub skip_of ($) {
    my $block = shift;
    my $name = $block->name;
    my ($count, $skip, $reason);

    if (defined(my $spec = $block->skip_eval)) {
        if ($spec =~ /^\s*(\d+)\s*:\s*(.*)/s) {
            ($count, $reason) = ($1, 'skip_eval');
            my $code = $2;
            $skip = eval $code;
            bail_out("$name - skip_eval - failed to eval the Perl code "
                     . "\"$code\": $@") if $@;
        }
    }

    my $v = '(\d+)\.(\d+)\.(\d+)';

    if (defined(my $spec = $block->skip_nginx)) {
        $spec =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*$v(?:\s*:\s*(.*))?\s*$/
            or bail_out("$name - Invalid --- skip_nginx spec: $spec");
        my ($n, $op, $want) = ($1, $2, canon_version($3, $4, $5));
        $count = $n;
        $reason = $6 || "nginx version $op $3.$4.$5";
        $skip = 1 if eval "$NginxVersion $op $want";

    } elsif (defined(my $spec2 = $block->skip_nginx2)) {
        $spec2 =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*$v\s*(or|and)\s*
                   ([<>]=?)\s*$v(?:\s*:\s*(.*))?\s*$/x
            or bail_out("$name - Invalid --- skip_nginx2 spec: $spec2");
        my ($n, $opa, $opx, $opb) = ($1, $2, $6, $7);
        my ($a, $b) = (canon_version($3, $4, $5), canon_version($8, $9, $10));
        $count = $n;
        $reason = $11;
        my $x = eval "$NginxVersion $opa $a";
        my $y = eval "$NginxVersion $opb $b";
        $skip = 1 if $opx eq 'or' ? ($x || $y) : ($x && $y);
    }

    return () unless $skip && defined $count;
    return ($count, $reason // 'various reasons');
}

sub run_tests () {
    srand($$ + Time::HiRes::time() * 1000000);
    my $v = `$NginxBinary -V 2>&1`;
    bail_out("Failed to get the version of the Nginx in PATH: "
             . ($v // '')) if !defined $v || $? != 0;
    $NginxVersion = nginx_version_of($v);

    $ENV{TEST_NGINX_SERVER_PORT} = $ServerPort
        unless defined $ENV{TEST_NGINX_SERVER_PORT};

    my @blocks = Test::Base::blocks();
    for my $block ($NoShuffle ? @blocks : shuffle @blocks) {
        $_->($block) for @BlockPreprocessors;
        check_sections($block);
        $block->set_value(name => "$0 " . $block->name);
        run_block($block);
    }
}

sub run_block ($) {
    my $block = shift;
    return if defined $block->SKIP;

    my $name = $block->name;
    my $rand_ports = {};
    $RandPorts = $rand_ports;

    # a skipped block starts no nginx and sends nothing: its count of
    # subtests is reported skipped, once per repetition
    if (my ($count, $reason) = skip_of($block)) {
        for (1 .. $RepeatEach) {
            SKIP: {
                Test::More::skip("$name - $reason", $count);
            }
        }
        return;
    }

    my $config = expand_env_in_text($block->config, $name, $rand_ports);

    local $LogLevel = $LogLevel;
    $LogLevel = $block->log_level if $block->log_level;

    if (!defined $config) {
        # The real scaffold keeps the previous block's nginx running as is.
        bail_out("$name - No '--- config' section specified and could not "
                 . "get previous one. Use TEST_NGINX_NO_NGINX_MANAGER ?")
            unless defined $PrevConfig;
    } else {
        $PrevConfig = $config;
        stop_nginx($name);
        setup_server_root();
        run_post_setup_server_root($block);
        write_user_files($block, $rand_ports);
        write_config_file($block, $config, $rand_ports);
        return unless start_nginx($block);
    }

    $ErrLogFilePos = 0;
    for my $i (1 .. $RepeatEach) {
        write_user_files($block, $rand_ports) if $i > 1;
        run_test_helper($block, $i - 1);
    }

    stop_valgrind($name) if $UseValgrind;
}

# Start nginx for the block.  Returns false when the block is done (must_die).
sub start_nginx ($) {
    my $block = shift;
    my $name = $block->name;
    my $must_die = $block->must_die;

    bail_out("$name - Cannot find the nginx executable in the PATH "
             . "environment") unless can_run($NginxBinary);

    my $cmd = "$NginxBinary -e $ErrLogFile -p $ServRoot/ -c $ConfFile"
            . " > /dev/null";
    $cmd .= " 2> /dev/null" if defined $block->suppress_stderr;

    $ErrLogFilePos = 0;

    # as the real module: a block that must die runs without valgrind
    if ($UseValgrind && !defined $must_die) {
        start_valgrind($name, $cmd);
        return 1;
    }

    my ($tries, $waited) = (0, 0);
    while (1) {
        system($cmd);
        my $status = $?;

        if (defined $must_die) {
            if ($status == -1) {
                Test::More::fail("$name - failed to execute the nginx "
                                 . "command line");
            } elsif ($status & 128) {
                Test::More::fail("$name - nginx core dumped");
            } elsif (looks_like_number($must_die)) {
                Test::More::is($must_die, $status >> 8,
                               "$name - die with the expected exit code");
            } else {
                Test::More::isnt($status, 0, "$name - die as expected");
            }

            check_error_log($block, undef, $tries, 0);

            if ($status == 0) {
                warn "WARNING: $name - nginx must die but it does not; "
                   . "killing it (req $tries)\n";
                for (1 .. 15) {
                    last if -f $PidFile;
                    sleep $TestNginxSleep;
                }
                stop_nginx($name);
            }
            next if ++$tries < $RepeatEach;
            return 0;
        }

        last if $status == 0;

        # Like the real one: retry for up to 30 s (the port may still be
        # held by the previous instance), then give up on the whole file.
        $tries++;
        my $delay = min(0.1 * $tries, 1);
        sleep $delay;
        $waited += $delay;
        next if $waited < 30;
        bail_out("$name - Cannot start nginx using command \"$cmd\" "
                 . "(status code $status).");
    }

    sleep $TestNginxSleep;
    return 1;
}

sub valgrind_command ($) {
    my $cmd = shift;

    if ($UseValgrind !~ /^\d+$/) {
        return "valgrind -q $UseValgrind $cmd";
    }

    my $opts = "--tool=memcheck --leak-check=full --keep-debuginfo=yes"
             . " --show-possibly-lost=no";

    if ($ValgrindExitOnFirstErr) {
        if (`valgrind --help` =~ /exit-on-first-error/) {
            $opts .= " --exit-on-first-error=yes --error-exitcode=1";
        } else {
            warn "WARNING: valgrind does not support --exit-on-first-error "
               . "option\n";
        }
    }

    $opts .= " --gen-suppressions=all";
    $opts .= " --suppressions=valgrind.suppress" if -f 'valgrind.suppress';

    return "valgrind --num-callers=100 -q $opts $cmd";
}

# nginx (daemon off) under valgrind, a child in its own process group; the
# test goes on at once, its requests wait for the port
sub start_valgrind ($$) {
    my ($name, $cmd) = @_;

    $cmd = valgrind_command($cmd);
    warn "$name\n";

    my $pid = fork();
    bail_out("$name - fork() failed: $!") unless defined $pid;

    if ($pid == 0) {
        setpgrp;
        Test::More->builder->no_ending(1);
        exec "exec $cmd";
        warn "$name - cannot run $cmd: $!\n";
        POSIX::_exit(255);
    }

    $ChildPid = $pid;
    sleep $TestNginxSleep;
}

# After a block under valgrind, as the real module: QUIT, wait for nginx
# and valgrind to end (valgrind's leak check runs after nginx's exit), KILL
# the process group on timeout.  The real module gives the whole exit some
# 1.3 s; this one the block timeout (TEST_NGINX_TIMEOUT, 3 s by default),
# since a KILLed valgrind loses its leak report.
sub stop_valgrind ($) {
    my $name = shift;

    return unless defined $ChildPid;

    my $pid = $ChildPid;
    undef $ChildPid;

    kill 'QUIT', $pid;

    my $left = $Timeout;
    while ($left > 0 && waitpid($pid, WNOHANG) == 0) {
        sleep 0.05;
        $left -= 0.05;
    }

    if (waitpid($pid, WNOHANG) == 0) {
        warn "$name - timeout when waiting for the process $pid to exit\n";
        kill 'KILL', -$pid;
        waitpid($pid, 0);
    }

    unlink $PidFile;
}

# --------------------------------------------------------- build requests

sub parse_more_headers ($) {
    my $in = shift;
    my ($out, $is_chunked) = ('', undef);
    for my $line (split /\n+/, $in) {
        next if $line =~ /^\s*#/;
        my ($key, $val) = split /:\s*/, $line, 2;
        $val //= '';
        $is_chunked = 1
            if lc($key) eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }
    return ($out, $is_chunked);
}

# "METHOD [URI [VERSION]]\n[body]" -> wire format with Host, Connection,
# more_headers and (for a body) Content-Length.
sub build_request ($$$$$) {
    my ($name, $more_headers, $is_chunked, $conn, $req) = @_;
    $req //= '';

    my ($first, $content) = split /^/m, $req, 2;
    bail_out("$name - Request line should be non-empty") unless $first;
    $first =~ /^\s*(\S+) *(?:(\S+) *)?(?:(\S+) *)?\s*$/
        or bail_out("$name - Request line is not valid. Should be "
                    . "'meth [url [version]]' but got \"$first\".");
    my ($method, $url, $ver) = ($1, $2 // '/', $3 // 'HTTP/1.1');
    $content //= '';

    my $len_header = '';
    if (!$is_chunked && $content ne ''
        && $more_headers !~ /(?:^|\n)Content-Length:/)
    {
        $content =~ s/^\s+|\s+$//gs;
        $len_header = 'Content-Length: ' . length($content) . "\r\n";
    }

    $more_headers =~ s/(?<!\r)\n/\r\n/gs;
    my $headers = '';
    $headers .= "Host: $ServerName\r\n"
        if $more_headers !~ /(?:^|\n)Host:/msi;
    $headers .= "Connection: $conn\r\n"
        if $more_headers !~ /(?:^|\n)Connection/msi;
    $headers .= "$more_headers$len_header\r\n";

    return "$method $url $ver\r\n$headers$content";
}

sub more_headers_for ($$$) {
    my ($name, $more, $i) = @_;
    return parse_more_headers($more) unless ref $more eq 'ARRAY';
    bail_out("$name - --- more_headers lacks data for request $i")
        unless defined $more->[$i];
    return parse_more_headers($more->[$i]);
}

# Returns a list of requests, each a list of chunks written with separate
# syswrite calls on one connection.
sub get_req_from_block ($) {
    my $block = shift;
    my $name = $block->name;

    if (defined(my $raw = $block->raw_request)) {
        return [ref $raw eq 'ARRAY' ? [@$raw] : [$raw]];
    }

    my $more = $block->more_headers || '';

    if (my $reqs = $block->pipelined_requests) {
        bail_out("$name - invalid entries in --- pipelined_requests")
            unless ref $reqs eq 'ARRAY';
        my $all = '';
        for my $i (0 .. $#$reqs) {
            my $r = expand_env_in_text($reqs->[$i], $name, $RandPorts);
            my ($hdr, $chunked) = more_headers_for($name, $more, $i);
            $all .= build_request($name, $hdr, $chunked,
                                  $i == $#$reqs ? 'close' : 'keep-alive', $r);
        }
        return [[$all]];
    }

    my $request = $block->request;
    if (!ref $request) {
        # leading comment lines and blank space are not part of the request
        1 while defined $request && $request =~ s/^\s*\#[^\n]+\s+|^\s+//gs;
        my ($hdr, $chunked) = more_headers_for($name, $more, 0);
        return [[build_request($name, $hdr, $chunked, 'close', $request)]];
    }

    bail_out("$name - invalid ---request : MUST be string or array of "
             . "requests") unless ref $request eq 'ARRAY';
    my @list;
    for my $i (0 .. $#$request) {
        bail_out("$name - request packets (nested arrays in --- request) "
                 . "are not supported by the project's fallback "
                 . "Test::Nginx::Socket") if ref $request->[$i];
        my ($hdr, $chunked) = more_headers_for($name, $more, $i);
        push @list, [build_request($name, $hdr, $chunked, 'close',
                                   $request->[$i])];
    }
    return \@list;
}

# ----------------------------------------------------------- talk to nginx

sub connect_server ($$$) {
    my ($name, $timeout, $tries) = @_;
    while (1) {
        my $sock = IO::Socket::INET->new(
            PeerAddr => $ServerAddr, PeerPort => $ServerPortForClient,
            Proto => 'tcp', Timeout => $timeout,
        );
        return $sock if $sock;

        my $total = $TotalConnectingTimeouts ? 20 : 50;
        if (++$tries > $total) {
            my $msg = "$name - Can't connect to $ServerAddr:"
                    . "$ServerPortForClient: $! (aborted)\n";
            bail_out($msg) if ++$TotalConnectingTimeouts >= 3;
            Test::More::fail($msg);
            return undef;
        }
        my $wait = min(($TestNginxSleep + $TestNginxSleep * $tries)
                       * $tries / 2, 1);
        warn "$name - Can't connect to $ServerAddr:$ServerPortForClient: "
           . "$!\n" if $wait >= 0.6;
        sleep $wait;
    }
}

# Write the chunks, read until the server closes.  $timeout bounds the wait
# between two I/O events, not the whole exchange.
sub send_request ($$$) {
    my ($chunks, $timeout, $block) = @_;
    my $name = $block->name;
    my $head_req = join('', @$chunks) =~ /^\s*HEAD\s+/ ? 1 : 0;

    my $sock = connect_server($name, $timeout, 0) or return (undef, $head_req);
    $sock->blocking(0);
    local $SIG{PIPE} = 'IGNORE';

    my @todo = @$chunks;
    my ($buf, $off) = (shift(@todo), 0);
    my ($resp, $reading, $writing) = ('', 1, 1);
    my $fd = fileno $sock;

    while ($reading || $writing) {
        my ($rin, $win) = ('', '');
        vec($rin, $fd, 1) = 1 if $reading;
        vec($win, $fd, 1) = 1 if $writing;
        my $n = select(my $rout = $rin, my $wout = $win, undef, $timeout);
        next if $n < 0 && $!{EINTR};
        if ($n <= 0) {
            Test::More::fail("ERROR: client socket timed out - $name\n");
            last;
        }

        if ($reading && vec($rout, $fd, 1)) {
            while (1) {
                my $got = sysread($sock, my $data, 4096);
                if (!defined $got) {
                    last if $! == EAGAIN || $! == EWOULDBLOCK;
                    warn "WARNING: $name - HTTP response read failure: $!";
                    $reading = $writing = 0;
                    last;
                }
                if ($got == 0) {            # server closed the connection
                    $reading = $writing = 0;
                    last;
                }
                $resp .= $data;
            }
        }

        if ($writing && vec($wout, $fd, 1)) {
            while (defined $buf) {
                if ($off >= length $buf) {
                    ($buf, $off) = (shift(@todo), 0);
                    next;
                }
                my $w = syswrite($sock, $buf, length($buf) - $off, $off);
                if (!defined $w) {
                    last if $! == EAGAIN || $! == EWOULDBLOCK;
                    # as the real client: a write error ends the exchange
                    warn "write failed: $!\n";
                    $resp = "write failed: $!" if $resp eq '';
                    $reading = $writing = 0;
                    last;
                }
                $off += $w;
            }
            $writing = 0 unless defined $buf;
        }
    }
    close $sock;
    return ($resp, $head_req);
}

# --------------------------------------------------------- parse responses

# Header lookup with HTTP::Headers' rules: case-insensitive, '_' in the
# asked name means '-', repeated fields joined with ", ".
sub res_header ($$) {
    my ($res, $key) = @_;
    return undef unless $res;
    my $want = lc $key;
    $want =~ tr/_/-/ unless $want =~ /^:/;
    my @vals = map { $_->[1] } grep { lc($_->[0]) eq $want }
               @{ $res->{headers} };
    return @vals ? join(', ', @vals) : undef;
}

# Returns ($res, $raw_headers, $left): $left is what follows the first
# response (the next pipelined response).
sub parse_response ($$$) {
    my ($name, $raw, $head_req) = @_;

    my $raw_headers = $raw =~ /(.*?\r\n)\r\n/s ? $1 : '';

    my $str = $raw;
    my $status_line = $str =~ s/^(.*)\n// ? $1 : do {
        my $s = $str; $str = ''; $s };
    $status_line =~ s/\r\z//;
    my @hdr;
    while (1) {
        if ($str =~ s/^([^\s:]+)[ \t]*: ?(.*)\n?//) {
            push @hdr, [$1, $2];
            $hdr[-1][1] =~ s/\r\z//;
        } elsif (@hdr && $str =~ s/^([ \t].*)\n?//) {
            $hdr[-1][1] .= "\n$1";
            $hdr[-1][1] =~ s/\r\z//;
        } else {
            $str =~ s/^\r?\n//;
            last;
        }
    }
    my $code = $status_line =~ /^\d{3} /
             ? (split ' ', $status_line, 2)[0]
             : (split ' ', $status_line, 3)[1];
    undef $code if defined $code && $code !~ /^\d+$/;
    my $res = { code => $code, headers => \@hdr, content => $str };

    return ($res, $raw_headers) if $code && ($code == 304 || $code == 101);

    my $enc = res_header($res, 'Transfer-Encoding');
    my $len = res_header($res, 'Content-Length');
    my $left;

    if (defined $enc && $enc eq 'chunked') {
        my $has_trailer = defined res_header($res, 'Trailer');
        my $decoded = '';
        pos($str) = 0;
        while (1) {
            if ($str =~ /\G0[ \t]*\r\n/gc) {
                # last chunk; skip trailer fields, then the final CRLF
                1 while $has_trailer && $str =~ /\G[^\r\n]+\r\n/gc;
                if ($str !~ /\G\r\n/gc) {
                    Test::More::fail("$name - invalid chunked data received "
                                     . "(expected CRLF).");
                    return;
                }
                $left = $1 if $str =~ /\G(.+)/gcs;
                last;
            }
            if ($str =~ /\G[ \t]*([A-Fa-f0-9]+)[ \t]*\r\n/gc) {
                my $size = hex $1;
                if (length($str) - pos($str) < $size) {
                    Test::More::fail("$name - invalid chunked data received "
                        . "(not enought octets for the data section)");
                    return;
                }
                $decoded .= substr($str, pos($str), $size);
                pos($str) += $size;
                if ($str !~ /\G\r\n/gc) {
                    Test::More::fail("$name - invalid chunked data received "
                                     . "(expected CRLF).");
                    return;
                }
            } elsif ($str =~ /\G(.+)/gcs) {
                Test::More::fail("$name - invalid chunked body received: $1");
                return;
            } else {
                Test::More::fail("$name - no last chunk found - $str");
                return;
            }
        }
        $res->{content} = $decoded;

    } elsif (defined $len && $len ne '' && $len >= 0) {
        if (length $str < $len) {
            warn "WARNING: $name - response body truncated: $len expected, "
               . "but got ", length $str, "\n" unless $head_req;
        } elsif (length $str > $len) {
            $left = substr $str, $len;
            $res->{content} = substr $str, 0, $len;
        }
    }

    return ($res, $raw_headers, $left);
}

# ------------------------------------------------------------------ checks

# Multi-request blocks need one expected value per request.
sub get_indexed_value ($$$$) {
    my ($name, $value, $idx, $need_array) = @_;
    if ($need_array) {
        return $value->[$idx] if ref $value eq 'ARRAY';
        bail_out("$name - You asked for many requests, the expected results "
                 . "should be arrays as well.");
    }
    return $value->[0] if ref $value eq 'ARRAY';
    return $value;
}

sub check_error_code ($$$$) {
    my ($block, $res, $idx, $need_array) = @_;
    my $name = $block->name;
    my $expected = defined $block->error_code
        ? get_indexed_value($name, $block->error_code, $idx, $need_array)
        : 200;
    Test::More::is(($res && $res->{code}) || '', $expected,
                   "$name - status code ok");
}

# "Name: value" lines; "!Name" means the header must be absent.
sub parse_expected_headers ($) {
    my $s = shift;
    my (@order, %val);
    for my $line (split /\n/, $s // '') {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '';
        my ($key, $v);
        if ($line =~ s/^!\s*//) {
            $key = $line;
        } else {
            ($key, $v) = split /\s*:\s*/, $line, 2;
        }
        push @order, $key unless exists $val{$key};
        $val{$key} = $v;
    }
    return map { [$_, $val{$_}] } @order;
}

sub check_response_headers ($$$$$) {
    my ($block, $res, $raw_headers, $idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->response_headers) {
        for my $h (parse_expected_headers(get_indexed_value(
                       $name, $block->response_headers, $idx, $need_array)))
        {
            my ($key, $val) = @$h;
            if (!defined $val) {
                Test::More::unlike($raw_headers, qr/^\s*\Q$key\E\s*:/ms,
                    "$name - header $key not present in the raw headers");
                next;
            }
            $val =~ s/\$ServerPort\b/$ServerPort/g;
            $val =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
            Test::More::is(res_header($res, $key) // '', $val,
                           "$name - header $key ok");
        }

    } elsif (defined $block->response_headers_like) {
        for my $h (parse_expected_headers(get_indexed_value(
                       $name, $block->response_headers_like, $idx,
                       $need_array)))
        {
            my ($key, $val) = @$h;
            $val //= '';
            Test::More::like(res_header($res, $key) // '', qr/^$val$/,
                             "$name - header $key like ok");
        }
    }
}

sub check_response_body ($$$$$) {
    my ($block, $res, $idx, $rep_idx, $need_array) = @_;
    my $name = $block->name;
    my $content = $res ? $res->{content} : undef;

    if (defined $block->response_body) {
        my $expected = get_indexed_value($name, $block->response_body, $idx,
                                         $need_array);
        if (defined $expected && !ref $expected) {
            $expected =~ s/\$ServerPort\b/$ServerPort/g;
            $expected =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
            $expected = expand_env_in_text($expected, $name, $RandPorts);
        }
        my $what = "(repeated req $rep_idx, req $idx)";
        if (ref $expected) {
            Test::More::like($content, $expected,
                             "$name - response_body - like $what");
        } else {
            Test::More::is($content, $expected,
                "$name - response_body - response is expected $what");
        }

    } elsif (defined $block->response_body_like) {
        my $pat = get_indexed_value($name, $block->response_body_like, $idx,
                                    $need_array);
        $pat =~ s/\$ServerPort\b/$ServerPort/g;
        $pat =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        my $summary = trim_str($content) // '';
        Test::More::like($content, qr/$pat/s,
            "$name - response_body_like - response is expected ($summary)");
    }
}

# Lines nginx appended to error.log since the last look (the log phase runs
# after the response, hence the short pause).
sub error_log_data () {
    sleep $TestNginxSleep * 3;
    open my $in, '<', $ErrLogFile or return undef;
    seek $in, $ErrLogFilePos, 0 if $ErrLogFilePos > 0;
    my @lines = <$in>;
    $ErrLogFilePos = tell $in;
    close $in;
    return \@lines;
}

sub value_contains ($$);    # recursive

sub value_contains ($$) {
    my ($val, $pat) = @_;
    return $val =~ /\Q$pat\E/ if !ref $val || ref $val eq 'Regexp';
    if (ref $val eq 'ARRAY') {
        for my $v (@$val) {
            return 1 if value_contains($v, $pat);
        }
    }
    return undef;
}

# Section value -> list of patterns: a string gives one substring per line,
# "eval" may give a qr// or an array of strings and qr//s.
sub patterns_of ($) {
    my $pats = shift;
    if (!ref $pats) {
        chomp $pats;
        return [split /\n+/, $pats];
    }
    return [$pats] if ref $pats eq 'Regexp';
    return [@$pats];
}

sub line_matches ($$) {
    my ($line, $pat) = @_;
    return (ref $pat && $line =~ /$pat/) || $line =~ /\Q$pat\E/;
}

sub check_error_log ($$$$) {
    my ($block, $res, $rep_idx, $need_array) = @_;
    my $name = $block->name;
    my $lines;
    my %warn_on = ('[alert]' => 1, '[crit]' => 1, '[emerg]' => 1);

    if (defined $block->error_log) {
        my $spec = $block->error_log;
        for my $lvl (qw(alert crit emerg)) {
            delete $warn_on{"[$lvl]"} if value_contains($spec, "[$lvl");
        }
        my $pats = patterns_of($spec);
        $lines ||= error_log_data() || [];
        for my $line (@$lines) {
            for my $pat (@$pats) {
                next unless defined $pat;
                if (line_matches($line, $pat)) {
                    Test::More::pass("$name - pattern \"$pat\" matches a line "
                                     . "in error.log (req $rep_idx)");
                    undef $pat;
                }
            }
        }
        for my $pat (grep { defined } @$pats) {
            Test::More::fail("$name - pattern \"$pat\" should match a line "
                             . "in error.log (req $rep_idx)");
        }
    }

    if (defined $block->no_error_log) {
        my $spec = $block->no_error_log;
        for my $lvl (qw(alert crit emerg)) {
            delete $warn_on{"[$lvl]"} if value_contains($spec, "[$lvl");
        }
        my $pats = patterns_of($spec);
        my %found;
        $lines ||= error_log_data() || [];
        for my $i (0 .. $#$lines) {
            my $line = $lines->[$i];
            for my $pat (@$pats) {
                next unless defined $pat;
                next unless line_matches($line, $pat);
                $found{$pat} = 1;
                # every offending line is a failure, with some context
                my @more = @$lines[$i + 1 .. min($i + 9, $#$lines - 1)];
                Test::More::fail("$name - pattern \"" . fmt_str($pat)
                    . "\" should not match any line in error.log but matches "
                    . "line \"" . fmt_str($line) . "\" (req $rep_idx)\n"
                    . join '', @more);
            }
        }
        for my $pat (@$pats) {
            next if !defined $pat || $found{$pat};
            Test::More::pass("$name - pattern \"" . fmt_str($pat)
                . "\" does not match a line in error.log (req $rep_idx)");
        }
    }

    # Unexpected serious messages are reported, not failed, as upstream.
    $lines ||= error_log_data() || [];
    for my $line (@$lines) {
        for my $tag (sort keys %warn_on) {
            warn "WARNING: $name - " . fmt_str($line) . "\n"
                if index($line, $tag) >= 0;
        }
        if ($line =~ /\bAssertion .*?failed\b/) {
            (my $l = $line) =~ s/\n\z//;
            Test::More::fail("$name - $l\n");
        }
    }
}

# One pass over a block's request(s), as the real run_test_helper does:
# check each response, look at error.log after every request but the last,
# then once more at the end.
sub run_test_helper ($$) {
    my ($block, $rep_idx) = @_;
    my $name = $block->name;

    my $reqs = get_req_from_block($block);
    bail_out("$name - request empty") unless @$reqs;

    my $timeout = parse_time($block->timeout) // $Timeout;
    my ($res, $need_array, $n);
    my $idx = 0;

    for my $req (@$reqs) {
        my ($raw, $head_req) = send_request($req, $timeout, $block);

        if ($block->pipelined_requests) {
            $n = @{ $block->pipelined_requests };
            $need_array = 1;
        } else {
            $need_array = @$reqs > 1;
        }

        while (1) {
            my ($raw_headers, $left);
            ($res, $raw_headers, $left) =
                parse_response($name, $raw // '', $head_req);
            $raw_headers //= '';

            if (!$n) {
                if (defined $left && $left ne '') {
                    $left =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                    warn "WARNING: $name - unexpected extra bytes after last "
                       . "chunk in response: \"$left\"\n";
                }
            } else {
                $raw = $left;
                $n--;
            }

            check_error_code($block, $res, $idx, $need_array);
            check_response_headers($block, $res, $raw_headers, $idx,
                                   $need_array);
            check_response_body($block, $res, $idx, $rep_idx, $need_array);

            if ($n || $idx < @$reqs - 1) {
                sleep $block->wait if $block->wait;
                check_error_log($block, $res, $rep_idx, $need_array);
            }
            $idx++;
            last unless $n;
        }
    }

    sleep $block->wait if $block->wait;
    check_error_log($block, $res, $rep_idx, $need_array);
}

# Stop nginx when the test file ends (unless TEST_NGINX_NO_CLEAN); the
# server root stays for post-mortem debugging.
END {
    if ($$ == $MainPid && $UseValgrind) {
        local $?;
        stop_valgrind('END');
    }
    if ($$ == $MainPid && !$ENV{TEST_NGINX_NO_CLEAN}) {
        local $?;
        my $pid = -f $PidFile ? read_pid_file() : undef;
        if ($pid && is_running($pid)) {
            kill_process($pid, 'END');
        } elsif (-f $PidFile) {
            unlink $PidFile;
        }
    }
}

1;
