package MigrationAgent;
# The agent runner: the seed's command line, output handling, dispatch to the agent's
# functions and the shared parts of every command. An agent calls
#
#   MigrationAgent::run(name => 'linux', version => '1.0.0', apiVersion => 2,
#       options => { 'extra-option' => 1 },          # agent-specific --name=value options
#       inventory       => sub { my ($ctx) = @_; return {platform, servers, templates,
#                                                accounts, subscriptions, domains} },
#       domain_services => sub { my ($ctx, $inv, $domain) = @_; return {dnsZone, webHosting, ...} },
#       content         => sub { my ($ctx, $inv, $domain, $kind, $id) = @_; return {path => ...}
#                                    or {write => sub { my ($tar) = @_; ... }} for content that is no tree },
#       disable         => sub { my ($ctx, $inv, \@subscriptions) = @_; return [ {id, status, note} ] });
#
# $ctx = { root, opts => {...}, apiVersion, agentName, agentVersion }.
use strict;
use warnings;
use File::Basename qw(dirname basename);
use File::Path qw(make_path);
use JSON::PP ();
use MigrationAgent::Model;
use MigrationAgent::Tar;
use MigrationAgent::Resync;
use MigrationAgent::DbEvidence;
use MigrationAgent::IDN;
use MigrationAgent::Util qw(in_root resolve_in_root read_text one_line);

our $VERSION = '1.3.0';

my @EXTRACT = qw(hostingPlatformInfo domainServicesInfo domainContent contentManifest databaseEvidence accountsInfo domainsInfo);
my %VALUE_OPT = map { $_ => 1 } qw(extract disable domain-id content-id account-ids domain-ids
  subscription-ids file root api-version resume-after resume-member resume-offset members);

# The options a command may carry (without --file/--root, which the caller decides): what a
# SOAP request may set (MigrationAgent::SOAP::Server).
sub command_options { return grep { $_ ne 'file' && $_ ne 'root' } sort keys %VALUE_OPT; }

# Where output goes when there is no --file: STDOUT, or the handle a caller sets (the SOAP
# server: an in-memory buffer for documents, the chunked HTTP body for tarballs).
our $OUTPUT;

package MigrationAgent::Failure;
sub new { my ($c, $msg, $code) = @_; return bless { msg => $msg, code => $code || 1 }, $c; }
package MigrationAgent;

sub fail { my ($msg, $code) = @_; die MigrationAgent::Failure->new($msg, $code); }
sub usage_error { fail($_[0], 2); }

sub parse_args {
    my ($extra, @argv) = @_;
    my %o;
    while (@argv) {
        my $a = shift @argv;
        if ($a =~ /\A--([a-z][a-z0-9-]*)=(.*)\z/s) { $o{$1} = $2; }
        elsif ($a =~ /\A--([a-z][a-z0-9-]*)\z/) {
            my $n = $1;
            if ($n eq 'version' || $n eq 'help') { $o{$n} = 1; next; }
            usage_error("option --$n needs a value") unless @argv;
            $o{$n} = shift @argv;
        }
        else { usage_error("unexpected argument '" . one_line($a) . "'"); }
    }
    for my $k (keys %o) {
        next if $VALUE_OPT{$k} || $extra->{$k} || $k eq 'version' || $k eq 'help';
        usage_error("unknown option --$k");
    }
    return \%o;
}

sub _ids { my ($s) = @_; return grep { length } split /[ \t\r\n]+/, (defined $s ? $s : ''); }

# The domain of the inventory that --domain-id names: exact id first, then the same name
# in any IDN form, case, with or without the trailing dot.
sub find_domain {
    my ($inv, $id) = @_;
    my @d = @{ $inv->{domains} || [] };
    for (@d) { return $_ if $_->{id} eq $id; }
    my $ascii = MigrationAgent::IDN::to_ascii($id);
    for (@d) { return $_ if MigrationAgent::IDN::to_ascii($_->{id}) eq $ascii; }
    for (@d) { return $_ if defined $_->{name} && MigrationAgent::IDN::to_ascii($_->{name}) eq $ascii; }
    return undef;
}

sub state_file { my ($ctx) = @_; return in_root($ctx->{root}, '/var/lib/mm-agent/disabled-subscriptions.json'); }

sub disabled_ids {
    my ($ctx) = @_;
    my $t = read_text(state_file($ctx));
    return {} unless defined $t && length $t;
    my $list = eval { JSON::PP->new->decode($t) };
    return {} unless ref $list eq 'ARRAY';
    return { map { $_ => 1 } @$list };
}

sub _write_state {
    my ($ctx, $ids) = @_;
    my $file = state_file($ctx);
    make_path(dirname($file));
    my $tmp = "$file.tmp.$$";
    open(my $fh, '>:raw', $tmp) or fail("cannot write $file: $!");
    print {$fh} JSON::PP->new->canonical->pretty->encode([sort keys %$ids]);
    close $fh or fail("cannot write $file: $!");
    rename $tmp, $file or fail("cannot write $file: $!");
    return;
}

my @CLEANUP;

sub _open_output {
    my ($o, $ext) = @_;
    if (!defined $o->{file}) {
        my $fh = defined $OUTPUT ? $OUTPUT : \*STDOUT;
        binmode $fh;
        return ($fh, undef, undef);
    }
    my $final = $o->{file};
    usage_error('--file is empty') if $final eq '';
    $final .= $ext unless $final =~ /\Q$ext\E\z/;
    my $tmp = dirname($final) . '/.' . basename($final) . ".part-$$";
    open(my $fh, '>:raw', $tmp) or fail("cannot create output file $final: $!");
    push @CLEANUP, $tmp;
    return ($fh, $tmp, $final);
}

sub _close_output {
    my ($fh, $tmp, $final) = @_;
    if (defined $tmp) {
        close $fh or fail("cannot write output file $final: $!");
        rename $tmp, $final or fail("cannot rename output file to $final: $!");
        @CLEANUP = grep { $_ ne $tmp } @CLEANUP;
    }
    elsif (!tied *$fh) { $fh->flush or fail("cannot write to standard output: $!"); }
    return;
}

sub _emit_xml {
    my ($o, $xml) = @_;
    my ($fh, $tmp, $final) = _open_output($o, '.xml');
    print {$fh} $xml or fail("cannot write output: $!");
    _close_output($fh, $tmp, $final);
    return;
}

sub _load {
    my ($agent, $ctx) = @_;
    my $inv = $agent->{inventory}->($ctx);
    my $off = disabled_ids($ctx);
    for my $s (@{ $inv->{subscriptions} || [] }) { $s->{status} = 'disabled' if $off->{ $s->{id} }; }
    return $inv;
}

sub _help {
    my ($agent) = @_;
    return <<"EOT";
usage: perl agent.pl --extract=<info> [--arg=value ...] [--file=<output>] [--root=<dir>]
  --extract=hostingPlatformInfo
  --extract=domainServicesInfo --domain-id=<id>
  --extract=domainContent --domain-id=<id> --content-id=<kind>:<id> [--resume-after=<member>]
                     [--resume-member=<file> --resume-offset=<bytes>]  the receiver holds
                     that many bytes of the next file: send the rest as member .mm-resume-tail
                     [--members=<names, one a line>]   only these files (re-sync)
  --extract=contentManifest --domain-id=<id> --content-id=<kind>:<id>
  --extract=databaseEvidence --domain-id=<id> --content-id=database:<type>:<name>
                     "<sha256> <size> <name>" per file, no bytes (re-sync)
  --extract=accountsInfo --account-ids="a b c"
  --extract=domainsInfo --domain-ids="x y z"
  --disable=subscriptions --subscription-ids="s1 s2"
  --file=<name>      write <name>.xml / <name>.tar instead of standard output
  --root=<dir>       where the source system's files live (default /)
  --api-version=1|2  Migration API version to declare (default $agent->{apiVersion})
  --version          print the agent version
  --serve --listen=<addr:port> --token-file=<file> [--tls-cert=<pem> --tls-key=<pem>]
                     answer SOAP 1.1 over HTTP(S) instead (see agents/README.md)
EOT
}

sub run {
    my (%agent) = @_;
    $agent{apiVersion} ||= 2;
    if (grep { $_ eq '--serve' } @ARGV) {    # SOAP over HTTP(S) instead of one command
        require MigrationAgent::SOAP::Server;
        return MigrationAgent::SOAP::Server::serve(\%agent, @ARGV);
    }
    my $code = eval { _run(\%agent, @ARGV); 0 };
    return $code if defined $code && !$@;
    my $err = $@;
    unlink $_ for @CLEANUP;
    @CLEANUP = ();
    my ($msg, $exit) = ref $err && ref $err eq 'MigrationAgent::Failure' ? ($err->{msg}, $err->{code}) : ("$err", 1);
    print STDERR 'agent.pl: error: ' . one_line($msg) . "\n";
    return $exit;
}

sub _run {
    my ($agent, @argv) = @_;
    local $SIG{INT} = local $SIG{TERM} = local $SIG{PIPE} = sub { fail('interrupted') };
    my $o = parse_args($agent->{options} || {}, @argv);
    if ($o->{version}) { print "$agent->{name} $agent->{version}\n"; return; }
    if ($o->{help}) { print _help($agent); return; }
    execute($agent, $o);
    return;
}

# One command from parsed options (the command line's, or a SOAP request's).
sub execute {
    my ($agent, $o) = @_;
    my $api = defined $o->{'api-version'} ? $o->{'api-version'} : $agent->{apiVersion};
    usage_error("--api-version must be 1 or 2") unless $api =~ /\A[12]\z/;
    my $root = defined $o->{root} ? $o->{root} : '/';
    usage_error("--root $root is not a directory") unless -d $root;
    my $ctx = { root => $root, opts => $o, apiVersion => $api, agentName => $agent->{name},
        agentVersion => $agent->{version} };

    if (defined $o->{disable}) {
        usage_error("--disable takes 'subscriptions'") unless $o->{disable} eq 'subscriptions';
        usage_error('--disable and --extract cannot be combined') if defined $o->{extract};
        my @ids = _ids($o->{'subscription-ids'});
        usage_error('--disable=subscriptions needs --subscription-ids') unless @ids;
        my $inv = _load($agent, $ctx);
        my %subs = map { $_->{id} => $_ } @{ $inv->{subscriptions} || [] };
        for (@ids) { fail("unknown subscription id '$_'") unless $subs{$_}; }
        my $results = $agent->{disable} ? $agent->{disable}->($ctx, $inv, [map { $subs{$_} } @ids]) : [];
        my %done = map { $_->{id} => $_ } @$results;
        my $off = disabled_ids($ctx);
        $off->{$_} = 1 for @ids;
        _write_state($ctx, $off);
        _emit_xml($o, MigrationAgent::Model::disable_result_xml($ctx,
            [map { $done{$_} || { id => $_, status => 'disabled' } } @ids]));
        return;
    }

    my $what = $o->{extract};
    usage_error('nothing to do: give --extract=<info> or --disable=subscriptions (see --help)') unless defined $what;
    usage_error("unknown --extract value '" . one_line($what) . "' (one of: @EXTRACT)")
      unless grep { $_ eq $what } @EXTRACT;

    if ($what eq 'hostingPlatformInfo') {
        my $inv = _load($agent, $ctx);
        _emit_xml($o, MigrationAgent::Model::hosting_platform_xml($ctx, $inv));
    }
    elsif ($what eq 'accountsInfo') {
        my @ids = _ids($o->{'account-ids'});
        usage_error('accountsInfo needs --account-ids') unless @ids;
        my $inv = _load($agent, $ctx);
        my %by = map { $_->{id} => $_ } @{ $inv->{accounts} || [] };
        my @found = grep { $by{$_} } @ids;
        my %want = map { $_ => 1 } @found;
        _emit_xml($o, MigrationAgent::Model::accounts_info_xml($ctx, [map { $by{$_} } @found],
            [grep { $want{ $_->{accountId} } } @{ $inv->{subscriptions} || [] }],
            [grep { $want{ $_->{accountId} } } @{ $inv->{domains} || [] }], [grep { !$by{$_} } @ids]));
    }
    elsif ($what eq 'domainsInfo') {
        my @ids = _ids($o->{'domain-ids'});
        usage_error('domainsInfo needs --domain-ids') unless @ids;
        my $inv = _load($agent, $ctx);
        my (@found, @missing, %seen);
        for (@ids) {
            my $d = find_domain($inv, $_);
            if (!$d) { push @missing, $_; next; }
            push @found, $d unless $seen{ $d->{id} }++;
        }
        my %sub_ids;
        for my $d (@found) {
            $sub_ids{$_} = 1 for grep { defined } $d->{hostingSubscriptionId}, $d->{registrationSubscriptionId};
        }
        my %dom = map { $_->{id} => 1 } @found;
        my @subs = grep {
            my $s = $_;
            $sub_ids{ $s->{id} } || grep { $dom{$_} } @{ $s->{domains} || [] }
        } @{ $inv->{subscriptions} || [] };
        _emit_xml($o, MigrationAgent::Model::domains_info_xml($ctx, \@subs, \@found, \@missing));
    }
    elsif ($what eq 'domainServicesInfo') {
        usage_error('domainServicesInfo needs --domain-id') unless defined $o->{'domain-id'} && length $o->{'domain-id'};
        my $inv = _load($agent, $ctx);
        my $d = find_domain($inv, $o->{'domain-id'}) or fail("unknown domain id '$o->{'domain-id'}'");
        my $svc = $agent->{domain_services}->($ctx, $inv, $d) || {};
        _emit_xml($o, MigrationAgent::Model::domain_services_xml($ctx, $d, $svc));
    }
    elsif ($what eq 'databaseEvidence') {
        # Tables, row counts and checksums of one of the domain's databases (MigrationAgent/DbEvidence.pm).
        my $cid = $o->{'content-id'};
        usage_error('databaseEvidence needs --domain-id') unless defined $o->{'domain-id'} && length $o->{'domain-id'};
        usage_error('databaseEvidence needs --content-id=database:<type>:<name>')
          unless defined $cid && $cid =~ /\Adatabase:(mysql|postgresql):(.+)\z/s;
        my ($type, $name) = ($1, $2);
        my $inv = _load($agent, $ctx);
        my $d = find_domain($inv, $o->{'domain-id'}) or fail("unknown domain id '$o->{'domain-id'}'");
        fail("unknown content id '$cid' for domain '$d->{id}'")
          unless grep { $_->{kind} eq 'database' && $_->{id} eq "$type:$name" } @{ $d->{content} || [] };
        my ($fh, $tmp, $final) = _open_output($o, '.json');
        print {$fh} JSON::PP->new->canonical->utf8->encode(MigrationAgent::DbEvidence::tables($ctx, $type, $name)), "\n";
        _close_output($fh, $tmp, $final);
    }
    elsif ($what eq 'domainContent' || $what eq 'contentManifest') {
        usage_error('domainContent needs --domain-id') unless defined $o->{'domain-id'} && length $o->{'domain-id'};
        my $cid = $o->{'content-id'};
        usage_error('domainContent needs --content-id=<kind>:<id>') unless defined $cid && $cid =~ /\A([a-z]+):(.+)\z/s;
        my ($kind, $id) = ($1, $2);
        my $inv = _load($agent, $ctx);
        my $d = find_domain($inv, $o->{'domain-id'}) or fail("unknown domain id '$o->{'domain-id'}'");
        my ($ref) = grep { $_->{kind} eq $kind && $_->{id} eq $id } @{ $d->{content} || [] };
        ($ref) = grep { $_->{kind} eq $kind && lc $_->{id} eq lc $id } @{ $d->{content} || [] } unless $ref;
        fail("unknown content id '$cid' for domain '$d->{id}'") unless $ref;
        my $src = $agent->{content}->($ctx, $inv, $d, $ref->{kind}, $ref->{id});
        fail("contentManifest lists files: content '$cid' is not a tree") if $what eq 'contentManifest' && $src && $src->{write};
        if ($src && ref $src->{write} eq 'CODE') {    # content that is not a tree (a database's dump): the agent writes the members
            my ($fh, $tmp, $final) = _open_output($o, '.tar');
            my $tar = MigrationAgent::Tar->new($fh);
            $src->{write}->($tar);
            $tar->finish;
            _close_output($fh, $tmp, $final);
            return;
        }
        fail("content '$cid' of domain '$d->{id}' is not available") unless $src && defined $src->{path};
        my $path = $src->{path};
        # The content root may itself be a symlink (/var/www/site -> /home/user/public_html) or
        # sit below one: resolve it as the source system sees it (absolute targets below
        # --root) and archive what it points at, under the content's usual member names.
        # Symlinks INSIDE the tree are stored as links by add_tree, never followed.
        my $real = resolve_in_root($ctx->{root}, $path);
        fail("content '$cid' of domain '$d->{id}' at $path is a symlink loop or an unreadable link") unless defined $real;
        my @st = lstat $real;
        fail("content '$cid' of domain '$d->{id}' not found at $path"
              . ($real ne $path ? " (symlink to $real)" : '')) unless @st;
        fail("content '$cid' of domain '$d->{id}' at $path is not a directory or a regular file")
          unless -d _ || -f _;
        my $is_dir = -d _;
        if ($what eq 'contentManifest') {    # re-sync: what the source holds now, without the bytes
            my ($fh, $tmp, $final) = _open_output($o, '.txt');
            MigrationAgent::Resync::write_listing($fh, $real, $is_dir, basename($path));
            _close_output($fh, $tmp, $final);
            return;
        }
        my ($fh, $tmp, $final) = _open_output($o, '.tar');
        my $tar = defined $o->{members} ? MigrationAgent::Resync::member_tar($fh, $o->{members}) : MigrationAgent::Tar->new($fh);
        $tar->resume_after($o->{'resume-after'}) if defined $o->{'resume-after'} && length $o->{'resume-after'};
        if (defined $o->{'resume-member'} && length $o->{'resume-member'}) {
            my $off = $o->{'resume-offset'};
            usage_error('--resume-member needs --resume-offset=<bytes>') unless defined $off && $off =~ /\A[0-9]{1,15}\z/;
            $tar->resume_inside($o->{'resume-member'}, $off + 0);
        }
        if ($is_dir) { $tar->add_tree($real); }
        else { $tar->add_file(basename($path), $real, @st); }
        $tar->finish;
        _close_output($fh, $tmp, $final);
    }
    return;
}

1;
