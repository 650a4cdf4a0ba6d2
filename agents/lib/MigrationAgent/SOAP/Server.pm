package MigrationAgent::SOAP::Server;
# `perl agent.pl --serve`: the agent's commands as SOAP 1.1 over HTTP(S), for source servers
# the manager cannot reach over SSH (seed ch. 4: "the SSH channel or SOAP over HTTP").
#
#   POST /mm-agent   Content-Type: text/xml   SOAPAction: "urn:migration-manager:agent:1#<Op>"
#   Authorization: Bearer <token>
#
# Operations (namespace urn:migration-manager:agent:1):
#   Version -> VersionResponse {agent, version, apiVersion, perl, os}
#   Install {package (base64 agent.tar)} -> InstallResponse {agent, version}; only with
#     --allow-update (MigrationAgent::SOAP::Install); the server then re-executes itself
#   Run {option name=... *, timeoutSeconds?} -> the same command as `--name=value ...`:
#     documents: RunResponse {exitCode, document (base64 of the exact bytes), warning*}
#     --extract=domainContent: the tarball itself as a chunked application/x-tar body, its
#     outcome in the trailers (see MigrationAgent::SOAP::Chunked).
# Anything else is a SOAP fault: soap:Client (401 for a wrong token, before the body is even
# read; 400/404/405/413 for wrong HTTP), soap:Server (500, the agent's own message and exit
# code), soap:MustUnderstand.
#
# One process per connection where the system can fork (a failing or slow command never
# blocks the next request; memory goes back when it ends); on Windows requests are served one
# at a time. The token is compared in constant time (SHA-256 of both, then every byte).
# HTTPS needs IO::Socket::SSL (not core; Strawberry Perl ships it): --tls-cert/--tls-key.
use strict;
use warnings;
use Digest::SHA ();
use MIME::Base64 ();
use File::Basename ();
use File::Spec ();
use POSIX ();
use MigrationAgent::SOAP::Envelope;
use MigrationAgent::SOAP::Chunked;
use MigrationAgent::Util qw(one_line);

use constant PATH           => '/mm-agent';
use constant MAX_HEAD       => 16 * 1024;
use constant MAX_BODY       => 4 * 1024 * 1024;    # an Install package is ~250 KB of base64
use constant IO_TIMEOUT     => 30;
use constant MIN_TOKEN      => 20;
use constant MAX_RUN_TIMEOUT => 7 * 24 * 3600;
use constant MAX_CHILDREN   => 16;    # connections served at once; more are told to come back

my %SERVE_OPT = map { $_ => 1 } qw(serve allow-update listen token-file tls-cert tls-key root api-version);

sub _fail { MigrationAgent::fail(@_); }

sub _options {
    my (@argv) = @_;
    my %o;
    for my $a (@argv) {
        if ($a eq '--serve' || $a eq '--allow-update') { $o{ substr($a, 2) } = 1; next; }
        MigrationAgent::usage_error("--serve takes --name=value options, not '" . one_line($a) . "'")
          unless $a =~ /\A--([a-z][a-z-]*)=(.*)\z/s;
        MigrationAgent::usage_error("--$1 cannot be combined with --serve (send it in a request)")
          unless $SERVE_OPT{$1};
        $o{$1} = $2;
    }
    return \%o;
}

sub _read_token {
    my ($o) = @_;
    my $token;
    if (defined $o->{'token-file'}) {
        open(my $fh, '<', $o->{'token-file'}) or _fail("cannot read the token file $o->{'token-file'}: $!");
        $token = <$fh>;
        close $fh;
    }
    else {
        # Kept out of the environment the agent's own programs (mysql, psql) inherit.
        $token = delete $ENV{MM_AGENT_TOKEN};
        $o->{'token-from-env'} = 1;
    }
    $token = '' unless defined $token;
    $token =~ s/\A\s+|\s+\z//g;
    MigrationAgent::usage_error('--serve needs a token: --token-file=<file> or MM_AGENT_TOKEN (the one the '
          . 'manager was given), at least ' . MIN_TOKEN . ' characters') if length $token < MIN_TOKEN;
    return $token;
}

sub _same_token {
    my ($given, $want) = @_;
    my $a = Digest::SHA::sha256(defined $given ? $given : '');
    my $b = Digest::SHA::sha256($want);
    my $diff = 0;
    $diff |= ord(substr($a, $_, 1)) ^ ord(substr($b, $_, 1)) for 0 .. 31;
    return $diff == 0;
}

sub _listen_socket {
    my ($o) = @_;
    my $listen = defined $o->{listen} ? $o->{listen} : '127.0.0.1:8470';
    my ($host, $port) = $listen =~ /\A\[([0-9A-Fa-f:.]+)\]:(\d+)\z/ ? ($1, $2)
      : $listen =~ /\A([^:\s]+):(\d+)\z/ ? ($1, $2)
      : MigrationAgent::usage_error("--listen=$listen is not <address>:<port>");
    MigrationAgent::usage_error("--listen port $port is not 0-65535") if $port > 65535;
    my $class = eval { require IO::Socket::IP; 'IO::Socket::IP' } || do { require IO::Socket::INET; 'IO::Socket::INET' };
    my $sock = $class->new(LocalHost => $host, LocalPort => $port, Listen => 16, ReuseAddr => 1, Proto => 'tcp')
      or _fail("cannot listen on $listen: " . ($@ || $!));
    return ($sock, $host);
}

sub _tls {
    my ($o) = @_;
    return undef unless defined $o->{'tls-cert'} || defined $o->{'tls-key'};
    MigrationAgent::usage_error('HTTPS needs both --tls-cert and --tls-key')
      unless defined $o->{'tls-cert'} && defined $o->{'tls-key'};
    eval { require IO::Socket::SSL; require IO::Socket::SSL::Utils; 1 }
      or _fail('HTTPS needs the Perl module IO::Socket::SSL, which is not installed '
          . '(Debian: libio-socket-ssl-perl; Strawberry Perl has it)');
    for (qw(tls-cert tls-key)) { -r $o->{$_} or _fail("cannot read --$_=$o->{$_}"); }
    my $cert = eval { IO::Socket::SSL::Utils::PEM_file2cert($o->{'tls-cert'}) }
      or _fail("--tls-cert=$o->{'tls-cert'} is not a PEM certificate");
    my $fp = Net::SSLeay::X509_get_fingerprint($cert, 'sha256');
    IO::Socket::SSL::Utils::CERT_free($cert);
    return { cert => $o->{'tls-cert'}, key => $o->{'tls-key'}, fingerprint => uc $fp };
}

sub serve {
    my ($agent, @argv) = @_;
    my $code = eval { _serve($agent, @argv); 0 };
    return $code if defined $code;
    my $err = $@;
    my ($msg, $exit) = ref $err eq 'MigrationAgent::Failure' ? ($err->{msg}, $err->{code}) : ("$err", 1);
    print STDERR 'agent.pl: error: ' . one_line($msg) . "\n";
    return $exit;
}

sub _serve {
    my ($agent, @argv) = @_;
    my $o = _options(@argv);
    my $root = defined $o->{root} ? $o->{root} : '/';
    MigrationAgent::usage_error("--root $root is not a directory") unless -d $root;
    my $api = defined $o->{'api-version'} ? $o->{'api-version'} : $agent->{apiVersion};
    MigrationAgent::usage_error('--api-version must be 1 or 2') unless $api =~ /\A[12]\z/;
    my $cfg = { token => _read_token($o), tls => _tls($o), root => $root, api => $api,
        allow_update => $o->{'allow-update'}, dir => File::Basename::dirname(File::Spec->rel2abs($0)) };
    my ($listener, $host) = _listen_socket($o);
    my $scheme = $cfg->{tls} ? 'https' : 'http';
    my $shown = $host =~ /:/ ? "[$host]" : $host;
    $| = 1;
    print "agent.pl: $agent->{name} $agent->{version} serving SOAP 1.1 on $scheme://$shown:"
      . $listener->sockport . PATH
      . ($cfg->{tls} ? " (certificate SHA-256 $cfg->{tls}{fingerprint})" : '') . "\n";
    print STDERR "agent.pl: warning: plain HTTP: the token and the data cross the network unencrypted; "
      . "use --tls-cert/--tls-key off this machine\n"
      if !$cfg->{tls} && $host !~ /\A(?:127\.|::1\z|localhost\z)/;

    my $fork = $^O ne 'MSWin32';
    my %kids;
    local $SIG{CHLD} = sub { while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) { delete $kids{$pid}; } };
    my $stop = sub { kill 'TERM', keys %kids; exit 0; };
    local $SIG{TERM} = $stop;
    local $SIG{INT}  = $stop;
    local $SIG{PIPE} = 'IGNORE';
    # After an Install the new code is loaded by running the agent again, same arguments, same
    # process (requests under way finish in their own processes).
    my $restart = 0;
    local $SIG{HUP} = sub { $restart = 1 };
    $cfg->{restart} = sub { $fork ? kill('HUP', getppid()) : ($restart = 1) };
    while (1) {
        if ($restart) {
            close $listener;
            $ENV{MM_AGENT_TOKEN} = $cfg->{token} if $o->{'token-from-env'};
            exec($^X, $0, @argv) or _fail("cannot restart after the update: $!");
        }
        my $client = $listener->accept;
        next unless $client;    # interrupted by a child's end or a restart
        if (!$fork) { eval { _connection($agent, $cfg, $client) }; close $client; next; }
        if (keys %kids >= MAX_CHILDREN) {    # answered here, unread: the parent never waits on a client
            eval { _reply($client, 503, MigrationAgent::SOAP::Envelope::fault('Server',
                'the agent is busy with ' . MAX_CHILDREN . ' connections; try again')) } unless $cfg->{tls};
            close $client;
            next;
        }
        my $pid = fork;
        if (!defined $pid) { print STDERR "agent.pl: warning: cannot fork: $!\n"; close $client; next; }
        if ($pid) { $kids{$pid} = 1; close $client; next; }
        close $listener;
        $SIG{CHLD} = 'DEFAULT';
        $SIG{TERM} = $SIG{INT} = 'DEFAULT';
        eval { _connection($agent, $cfg, $client) };
        POSIX::_exit(0);
    }
}

# One connection, one request (Connection: close).
sub _connection {
    my ($agent, $cfg, $sock) = @_;
    local $SIG{ALRM} = sub { die "timed out\n" };
    alarm IO_TIMEOUT;
    if ($cfg->{tls}) {
        IO::Socket::SSL->start_SSL($sock, SSL_server => 1, SSL_cert_file => $cfg->{tls}{cert},
            SSL_key_file => $cfg->{tls}{key}, Timeout => IO_TIMEOUT)
          or do { alarm 0; return; };    # no TLS, no answer: the client is not speaking it
    }
    my $req = eval { _read_request($sock) };
    if (!$req) {
        my $e = $@;
        alarm 0;
        return unless ref $e eq 'HASH';
        return _reply($sock, $e->{status}, MigrationAgent::SOAP::Envelope::fault('Client', $e->{message}));
    }
    my $peer = eval { $sock->peerhost } || '?';
    my $answer = _request($agent, $cfg, $sock, $req);
    print STDERR "agent.pl: $peer $req->{method} $req->{path} $answer\n";
    _drain($sock) unless $req->{body_read};
    return;
}

# A request refused before its body was read: read what the client still sends (a little, for a
# moment) before closing, or the kernel resets the connection and the client never sees the fault.
sub _drain {
    my ($sock) = @_;
    local $SIG{ALRM} = sub { die "drained\n" };
    eval {
        alarm 2;
        my $left = 2 * MAX_BODY;
        while ($left > 0) {
            my $n = sysread($sock, my $buf, 65536);
            last unless $n;
            $left -= $n;
        }
        alarm 0;
    };
    alarm 0;
    return;
}

sub _http_error { die { status => $_[0], message => $_[1] }; }

sub _read_request {
    my ($sock) = @_;
    my $data = '';
    while (index($data, "\r\n\r\n") < 0) {
        _http_error(431, 'the request head is too large') if length $data > MAX_HEAD;
        my $n = sysread($sock, $data, 4096, length $data);
        die "connection closed\n" unless $n;
        # A TLS hello (or anything not HTTP) is answered at once instead of waited out.
        _http_error(400, 'this is not HTTP (an https:// URL for a plain HTTP agent?)') unless $data =~ /\A[A-Z]/;
    }
    my ($head, $rest) = split /\r\n\r\n/, $data, 2;
    my ($line, @lines) = split /\r\n/, $head;
    my ($method, $path) = $line =~ m{\A([A-Z]+) (\S+) HTTP/1\.[01]\z}
      or _http_error(400, 'not an HTTP/1.x request');
    my %h;
    for (@lines) {
        my ($k, $v) = /\A([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*\z/ or _http_error(400, 'a malformed header line');
        $h{ lc $k } = $v;
    }
    return { method => $method, path => $path, headers => \%h, rest => $rest, sock => $sock };
}

sub _read_body {
    my ($req) = @_;
    my $h = $req->{headers};
    _http_error(411, 'send the envelope with a Content-Length') if defined $h->{'transfer-encoding'};
    my $len = $h->{'content-length'};
    _http_error(411, 'send the envelope with a Content-Length') unless defined $len && $len =~ /\A\d{1,10}\z/;
    _http_error(413, 'an envelope is at most ' . MAX_BODY . ' bytes') if $len > MAX_BODY;
    my $body = $req->{rest};
    while (length $body < $len) {
        my $n = sysread($req->{sock}, $body, $len - length $body, length $body);
        die "connection closed\n" unless $n;
    }
    $req->{body_read} = 1;
    return substr($body, 0, $len);
}

sub _reply {
    my ($sock, $status, $xml) = @_;
    my %reason = (200 => 'OK', 400 => 'Bad Request', 401 => 'Unauthorized', 404 => 'Not Found',
        405 => 'Method Not Allowed', 503 => 'Service Unavailable', 411 => 'Length Required', 413 => 'Payload Too Large',
        431 => 'Request Header Fields Too Large', 500 => 'Internal Server Error');
    eval {
        MigrationAgent::SOAP::Chunked::send_all($sock, "HTTP/1.1 $status $reason{$status}\r\n"
              . "Content-Type: text/xml; charset=utf-8\r\nContent-Length: " . length($xml) . "\r\n"
              . ($status == 401 ? qq{WWW-Authenticate: Bearer realm="mm-agent"\r\n} : '')
              . "Cache-Control: no-store\r\nConnection: close\r\n\r\n$xml");
    };
    return $status;
}

sub _client_fault { my ($sock, $status, $msg) = @_; return _reply($sock, $status, MigrationAgent::SOAP::Envelope::fault('Client', $msg)); }

sub _request {
    my ($agent, $cfg, $sock, $req) = @_;
    return _client_fault($sock, 404, "no such endpoint $req->{path}: POST " . PATH) unless $req->{path} eq PATH;
    return _client_fault($sock, 405, 'only POST is answered') unless $req->{method} eq 'POST';
    my ($bearer) = ($req->{headers}{authorization} || '') =~ /\ABearer (\S+)\z/;
    # Checked before the body is read: nothing of an unauthenticated request is parsed.
    return _client_fault($sock, 401, 'wrong or missing token (Authorization: Bearer <token>)')
      unless _same_token($bearer, $cfg->{token});
    my $body = eval { _read_body($req) };
    if (!defined $body) {
        my $e = $@;
        return ref $e eq 'HASH' ? _client_fault($sock, $e->{status}, $e->{message}) : 0;
    }
    alarm 0;
    my ($op, $el) = eval { MigrationAgent::SOAP::Envelope::operation(MigrationAgent::SOAP::Envelope::parse($body)) };
    if (!$op) {
        my $e = $@;
        my ($code, $msg) = ref $e eq 'HASH' ? ($e->{fault}, $e->{message}) : ('Client', one_line("$e"));
        return _reply($sock, 500, MigrationAgent::SOAP::Envelope::fault($code, $msg));
    }
    my $action = $req->{headers}{soapaction};
    return _client_fault($sock, 400, 'SOAP 1.1 needs a SOAPAction header') unless defined $action;
    $action =~ s/\A"(.*)"\z/$1/;
    return _client_fault($sock, 400, "SOAPAction $action does not name the operation $op")
      unless $action eq '' || $action eq "$MigrationAgent::SOAP::Envelope::MM_NS#$op";
    if ($op eq 'Version') {
        return _reply($sock, 200, MigrationAgent::SOAP::Envelope::response('VersionResponse',
            [agent => $agent->{name}], [version => $agent->{version}], [apiVersion => $cfg->{api}],
            [perl => sprintf('%vd', $^V)], [os => $^O]));
    }
    return _run($agent, $cfg, $sock, $el) if $op eq 'Run';
    return _install($agent, $cfg, $sock, $el) if $op eq 'Install';
    return _client_fault($sock, 500, "unknown operation $op (Version, Run, Install)");
}

sub _install {
    my ($agent, $cfg, $sock, $el) = @_;
    return _client_fault($sock, 500, 'this agent was started without --allow-update: install the new version '
          . 'on the server by hand and restart it') unless $cfg->{allow_update};
    my ($pkg) = grep { $_->{name} eq 'package' && $_->{ns} eq $MigrationAgent::SOAP::Envelope::MM_NS } @{ $el->{kids} };
    return _client_fault($sock, 500, 'Install needs <package encoding="base64">')
      unless $pkg && ($pkg->{attrs}{encoding} || '') eq 'base64' && $pkg->{text} =~ /\A[A-Za-z0-9+\/=\s]+\z/;
    require MigrationAgent::SOAP::Install;
    my $version = eval {
        MigrationAgent::SOAP::Install::install($agent, $cfg->{dir}, MIME::Base64::decode_base64($pkg->{text}));
    };
    if (!defined $version) {
        my $e = $@;
        my ($code, $msg) = ref $e eq 'HASH' ? ($e->{fault}, $e->{message}) : ('Server', one_line("$e"));
        return _reply($sock, 500, MigrationAgent::SOAP::Envelope::fault($code, "agent.pl: error: $msg"));
    }
    my $status = _reply($sock, 200, MigrationAgent::SOAP::Envelope::response('InstallResponse',
        [agent => $agent->{name}], [version => $version]));
    $cfg->{restart}->();
    return "$status installed $version";
}

# The Run request's options, checked as the command line checks its own.
sub _run_options {
    my ($agent, $cfg, $el) = @_;
    my %allowed = map { $_ => 1 } MigrationAgent::command_options(), keys %{ $agent->{options} || {} };
    my %o = (root => $cfg->{root}, 'api-version' => $cfg->{api});
    my ($timeout, %seen);
    for my $k (@{ $el->{kids} }) {
        die "Run holds <$k->{qname}> in another namespace\n" unless $k->{ns} eq $MigrationAgent::SOAP::Envelope::MM_NS;
        if ($k->{name} eq 'timeoutSeconds') {
            die "timeoutSeconds is a whole number of seconds\n"
              unless $k->{text} =~ /\A\s*(\d{1,9})\s*\z/ && $1 > 0 && $1 <= MAX_RUN_TIMEOUT;
            $timeout = $1 + 0;
            next;
        }
        die "Run takes <option name=\"...\"> and <timeoutSeconds>, not <$k->{name}>\n" unless $k->{name} eq 'option';
        my $name = $k->{attrs}{name};
        die "an <option> without a name\n" unless defined $name;
        die "option '" . one_line($name) . "' is not one a request may set (root and file are the agent's own)\n"
          unless $allowed{$name};
        die "option '$name' given twice\n" if $seen{$name}++;
        $o{$name} = $k->{text};
    }
    return (\%o, $timeout);
}

sub _run {
    my ($agent, $cfg, $sock, $el) = @_;
    my ($o, $timeout) = eval { _run_options($agent, $cfg, $el) };
    return _client_fault($sock, 500, one_line($@)) unless $o;
    my $stream = defined $o->{extract} && $o->{extract} eq 'domainContent';
    my $warnings = '';
    my ($out, $doc, $chunked);
    if ($stream) { $chunked = tie *OUT, 'MigrationAgent::SOAP::Chunked', $sock; $out = \*OUT; }
    else { $doc = ''; open($out, '>', \$doc) or die "cannot buffer: $!\n"; }
    my ($ok, $err);
    {
        local $MigrationAgent::OUTPUT = $out;
        local *STDERR;
        open(STDERR, '>', \$warnings) or die "cannot capture warnings: $!\n";
        local $SIG{ALRM} = sub { MigrationAgent::fail("timed out after ${timeout}s") };
        local $SIG{PIPE} = sub { MigrationAgent::fail('the manager closed the connection') };
        local $SIG{TERM} = sub { MigrationAgent::fail('interrupted') };
        alarm($timeout || 0);
        $ok = eval { MigrationAgent::execute($agent, $o); 1 };
        $err = $@;
        alarm 0;
    }
    my ($msg, $exit) = $ok ? (undef, 0)
      : ref $err eq 'MigrationAgent::Failure' ? (one_line($err->{msg}), $err->{code}) : (one_line("$err"), 1);
    { no warnings "untie"; untie *OUT if $stream; }
    my @warn = grep { length } split /\n/, $warnings;
    if ($stream && $chunked->started) {
        eval { $chunked->finish($exit, defined $msg ? "agent.pl: error: $msg" : undef, join("\n", @warn)) };
        return $ok ? '200 streamed' : "200 streamed, failed: $msg";
    }
    if (!$ok) {
        return _reply($sock, 500, MigrationAgent::SOAP::Envelope::fault($exit == 2 ? 'Client' : 'Server',
            "agent.pl: error: $msg", $exit));
    }
    if ($stream) {    # succeeded without a byte: cannot happen for a tarball, but answer well-formed
        eval { $chunked->finish(0, undef, join("\n", @warn)) };
        return '200 streamed';
    }
    close $out;
    return _reply($sock, 200, MigrationAgent::SOAP::Envelope::response('RunResponse', [exitCode => 0],
        [document => MIME::Base64::encode_base64($doc, ''), { encoding => 'base64', bytes => length $doc }],
        map { [warning => $_] } @warn));
}

1;
