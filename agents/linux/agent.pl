#!/usr/bin/perl
# Migration agent for a plain Linux hosting server (Debian layout): Apache vhosts, BIND
# zones, Postfix virtual mailboxes with Dovecot passwd-file users and Maildir folders,
# system users, crontabs and (when reachable) MySQL. See README.md beside this file.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use JSON::PP ();
use MigrationAgent;
use MigrationAgent::Util qw(in_root resolve_in_root read_text read_lines trim password_from_hash iso_date dir_size_and_count maildir_stats);
use MigrationAgent::Zone;
use MigrationAgent::IDN;
use MigrationAgent::DbDump;

our $VERSION = '1.3.0';

exit MigrationAgent::run(
    name            => 'linux',
    version         => $VERSION,
    apiVersion      => 2,
    inventory       => \&inventory,
    domain_services => \&domain_services,
    content         => \&content,
    disable         => \&disable,
);

sub key_of { return MigrationAgent::IDN::to_ascii($_[0]); }

# ---------------------------------------------------------------- system users
sub read_users {
    my ($root) = @_;
    my (%users, %by_uid, %groups, %group_by_gid);
    for (read_lines(in_root($root, '/etc/passwd'))) {
        next if /\A\s*(#|\z)/;
        my ($name, undef, $uid, $gid, $gecos, $home, $shell) = split /:/, $_, -1;
        next unless defined $home && defined $uid && $uid =~ /\A\d+\z/;
        $users{$name} = { name => $name, uid => $uid, gid => $gid, gecos => $gecos, home => $home, shell => $shell };
        $by_uid{$uid} = $name unless exists $by_uid{$uid};
    }
    for (read_lines(in_root($root, '/etc/shadow'))) {
        my ($name, $hash) = split /:/, $_, -1;
        $users{$name}{hash} = $hash if defined $hash && $users{$name};
    }
    for (read_lines(in_root($root, '/etc/group'))) {
        my ($name, undef, $gid, $members) = split /:/, $_, -1;
        next unless defined $gid;
        $groups{$name} = { gid => $gid, members => [grep { length } split /,/, (defined $members ? $members : '')] };
        $group_by_gid{$gid} = $name;
    }
    return { users => \%users, by_uid => \%by_uid, groups => \%groups, group_by_gid => \%group_by_gid };
}

# ---------------------------------------------------------------- Apache
sub _unquote { my ($s) = @_; $s = trim($s); $s =~ s/\A"(.*)"\z/$1/s; return $s; }

sub parse_vhost_file {
    my ($file, $display, $enabled) = @_;
    my $text = read_text($file);
    return () unless defined $text;
    $text =~ s/\\\r?\n/ /g;
    my (@vhosts, $v, @dirs);
    for my $line (split /\r?\n/, $text) {
        $line = trim($line);
        next if $line eq '' || $line =~ /\A#/;
        if ($line =~ /\A<VirtualHost\s+([^>]*)>/i) {
            $v = { file => $display, enabled => $enabled, addrs => [split ' ', $1], aliases => [], auth => [] };
            @dirs = ();
            next;
        }
        next unless $v;
        if ($line =~ m{\A</VirtualHost>}i) { push @vhosts, $v; undef $v; next; }
        if ($line =~ /\A<(Directory|Location|DirectoryMatch|Files|FilesMatch)\s+([^>]*)>/i) {
            push @dirs, [lc $1, _unquote($2)];
            $v->{php} = 1 if lc $1 eq 'filesmatch' && $2 =~ /php/i;
            next;
        }
        if ($line =~ m{\A</(\w+)>}) { pop @dirs; next; }
        my ($d, $rest) = $line =~ /\A(\S+)\s*(.*)\z/;
        $d = lc $d;
        if ($d eq 'servername') { ($v->{serverName} = _unquote($rest)) =~ s/:\d+\z//; }
        elsif ($d eq 'serveralias') { push @{ $v->{aliases} }, map { _unquote($_) } split ' ', $rest; }
        elsif ($d eq 'documentroot') { ($v->{docRoot} = _unquote($rest)) =~ s{(?<=.)/+\z}{}; }
        elsif ($d eq 'sslcertificatefile') { $v->{sslCert} = _unquote($rest); }
        elsif ($d eq 'sslcertificatekeyfile') { $v->{sslKey} = _unquote($rest); }
        elsif ($d eq 'sslcertificatechainfile') { $v->{sslChain} = _unquote($rest); }
        elsif ($d eq 'suexecusergroup') { ($v->{user}) = split ' ', $rest; }
        elsif ($d eq 'assignuserid') { ($v->{user}) = split ' ', $rest; }
        elsif ($d =~ /\Aphp_(admin_)?(value|flag)\z/) { $v->{php} = 1; }
        elsif ($d =~ /\A(addhandler|sethandler|addtype|proxypassmatch)\z/ && $rest =~ /php/i) {
            $v->{php} = 1;
            $v->{phpVersion} = $1 if $rest =~ /php(\d+\.\d+)/;
            $v->{cgi} = 1 if $rest =~ /cgi-script/;
        }
        elsif ($d =~ /\A(addhandler|sethandler)\z/ && $rest =~ /cgi-script/) { $v->{cgi} = 1; $v->{perl} = 1 if $rest =~ /\.pl\b/; }
        elsif ($d eq 'scriptalias') { $v->{cgi} = 1; }
        elsif ($d eq 'options') { $v->{cgi} = 1 if $rest =~ /\+?ExecCGI/i; $v->{ssi} = 1 if $rest =~ /\+?Includes/i; }
        elsif ($d eq 'addoutputfilter' && $rest =~ /INCLUDES/) { $v->{ssi} = 1; }
        elsif ($d =~ /\Aperl(response)?handler\z/) { $v->{perl} = 1; }
        elsif ($d =~ /\Awsgi/) { $v->{python} = 1; }
        elsif ($d eq 'authuserfile') {
            my ($dir) = map { $_->[1] } grep { $_->[0] eq 'directory' || $_->[0] eq 'location' } @dirs;
            push @{ $v->{auth} }, { file => _unquote($rest), dir => $dir, realm => $v->{_realm} };
        }
        elsif ($d eq 'authname') { $v->{_realm} = _unquote($rest); $_->{realm} ||= $v->{_realm} for @{ $v->{auth} }; }
    }
    return @vhosts;
}

sub read_sites {
    my ($root) = @_;
    my $dir = in_root($root, '/etc/apache2/sites-enabled');
    my @vhosts;
    if (opendir(my $dh, $dir)) {
        for my $f (sort readdir $dh) {
            my $enabled = $f =~ /\.conf\z/ ? 1 : $f =~ /\.conf\.mm-disabled\z/ ? 0 : next;
            push @vhosts, parse_vhost_file("$dir/$f", "/etc/apache2/sites-enabled/$f", $enabled);
        }
        closedir $dh;
    }
    my $php_global;
    if (opendir(my $dh, in_root($root, '/etc/apache2/mods-enabled'))) {
        ($php_global) = map { /\Aphp(\d+\.\d+)?\.load\z/ ? (defined $1 ? $1 : 'default') : () } sort readdir $dh;
        closedir $dh;
    }
    my (%sites, @order);
    for my $v (@vhosts) {
        next unless defined $v->{serverName} && length $v->{serverName};
        my $k = key_of($v->{serverName});
        my $s = $sites{$k} ||= do { push @order, $k; { hostname => $v->{serverName}, key => $k, vhosts => [], aliases => [] } };
        push @{ $s->{vhosts} }, $v;
    }
    for my $k (@order) {
        my $s = $sites{$k};
        my @v = @{ $s->{vhosts} };
        my ($plain) = (grep({ !$_->{sslCert} } @v), @v);
        $s->{docRoot} = $plain->{docRoot};
        $s->{docRoot} = (grep { defined } map { $_->{docRoot} } @v)[0] unless defined $s->{docRoot};
        my %seen;
        $s->{aliases} = [grep { !$seen{ lc $_ }++ } map { @{ $_->{aliases} } } @v];
        my ($ssl) = grep { $_->{sslCert} } @v;
        $s->{ssl} = { certificateFile => $ssl->{sslCert}, keyFile => $ssl->{sslKey}, chainFile => $ssl->{sslChain} } if $ssl;
        ($s->{user}) = grep { defined } map { $_->{user} } @v;
        $s->{enabled} = (grep { $_->{enabled} } @v) ? 1 : 0;
        $s->{files} = [do { my %f; grep { !$f{$_}++ } map { $_->{file} } @v }];
        my @ips = grep { $_ ne '*' && $_ !~ /\A_default_\z/i } map { my $a = $_; $a =~ s/:\d+\z//; $a =~ s/\A\[(.*)\]\z/$1/; $a } map { @{ $_->{addrs} } } @v;
        $s->{ip} = $ips[0];
        $s->{scripting} = {
            php => ((grep { $_->{php} } @v) || $php_global) ? 1 : 0,
            phpVersion => ((grep { defined } map { $_->{phpVersion} } @v), ($php_global && $php_global ne 'default' ? $php_global : undef))[0],
            map { my $f = $_; ($f => ((grep { $_->{$f} } @v) ? 1 : 0)) } qw(cgi perl python ssi),
        };
        $s->{auth} = [map { @{ $_->{auth} } } @v];
    }
    return (\%sites, \@order);
}

sub site_owner {
    my ($root, $site, $u) = @_;
    return $site->{user} if defined $site->{user} && length $site->{user};
    my $dr = $site->{docRoot};
    return undef unless defined $dr;
    my @st = stat in_root($root, $dr);
    if (@st && $st[4] >= 1000 && $st[4] != 65534 && defined $u->{by_uid}{ $st[4] }) { return $u->{by_uid}{ $st[4] }; }
    return $1 if $dr =~ m{\A/home/([^/]+)/};
    return home_owner($dr, $u);
}

# The user whose home directory holds the docroot (a system user whose home is /var/www/<site>),
# the deepest home winning; undef when no home does.
sub home_owner {
    my ($dr, $u) = @_;
    # Root and the web server's own users own no site by their home (www-data's home is /var/www,
    # the parent of every site there).
    my %not_owners = map { $_ => 1 } qw(root www-data apache nginx httpd nobody);
    (my $path = $dr) =~ s{/+\z}{};
    my ($best, $len) = (undef, 0);
    for my $n (sort keys %{ $u->{users} }) {
        my $usr = $u->{users}{$n};
        next if $not_owners{$n} || !defined $usr->{uid} || $usr->{uid} == 0 || $usr->{uid} == 65534;
        my $h = $usr->{home};
        next unless defined $h;
        $h =~ s{/+\z}{};
        next if $h eq '' || $h eq '/nonexistent';
        next unless $path eq $h || index($path, "$h/") == 0;
        ($best, $len) = ($n, length $h) if length $h > $len;
    }
    return $best;
}

# ---------------------------------------------------------------- BIND
sub read_zones {
    my ($root) = @_;
    my %zones;
    my @z = MigrationAgent::Zone::named_conf_zones(file => in_root($root, '/etc/bind/named.conf.local'), root => $root);
    my $directory = '/var/cache/bind';
    my $opts = read_text(in_root($root, '/etc/bind/named.conf.options'));
    $directory = $1 if defined $opts && $opts =~ /\bdirectory\s+"([^"]+)"/;
    for my $z (@z) {
        next if defined $z->{type} && $z->{type} !~ /\A(master|primary)\z/i;
        next unless defined $z->{file};
        my $f = $z->{file} =~ m{\A/} ? $z->{file} : "$directory/$z->{file}";
        $zones{ key_of($z->{name}) } = { name => $z->{name}, file => $f };
    }
    return \%zones;
}

# ---------------------------------------------------------------- Postfix and Dovecot
sub read_main_cf {
    my ($root) = @_;
    my (%cf, $last);
    for my $line (read_lines(in_root($root, '/etc/postfix/main.cf'))) {
        next if $line =~ /\A\s*#/ || $line =~ /\A\s*\z/;
        if ($line =~ /\A\s/ && defined $last) { $cf{$last} .= ' ' . trim($line); next; }
        if ($line =~ /\A([A-Za-z0-9_]+)\s*=\s*(.*)\z/) { $cf{$1} = trim($2); $last = $1; }
    }
    my $expand;
    $expand = sub {
        my ($v, $depth) = @_;
        return $v if $depth > 10;
        $v =~ s/\$\{?([A-Za-z0-9_]+)\}?/defined $cf{$1} ? $expand->($cf{$1}, $depth + 1) : ''/ge;
        return $v;
    };
    my %out = map { $_ => $expand->($cf{$_}, 0) } keys %cf;
    return \%out;
}

# Entries of a lookup table or list parameter: list of [key, value].
sub table_entries {
    my ($root, $spec) = @_;
    my @out;
    for my $item (split /[\s,]+/, (defined $spec ? $spec : '')) {
        next if $item eq '';
        if ($item =~ /\A(?:hash|btree|texthash|lmdb|cdb|dbm):(.+)\z/) {
            for (read_lines(in_root($root, $1))) {
                next if /\A\s*(#|\z)/;
                my ($k, $v) = /\A\s*(\S+)\s*(.*)\z/;
                push @out, [$k, trim($v)];
            }
        }
        elsif ($item =~ /\A\w+:/) { next; }    # mysql:, pgsql:, ldap: ... not read
        else { push @out, [$item, '']; }
    }
    return @out;
}

sub _kb {
    my ($s) = @_;
    return undef unless defined $s && $s =~ /\A(\d+)([bkmgt]?)\z/i;
    my %m = ('' => 1 / 1024, b => 1 / 1024, k => 1, m => 1024, g => 1024**2, t => 1024**3);
    return int($1 * $m{ lc $2 });
}

sub read_dovecot_users {
    my ($root) = @_;
    my ($file, $scheme) = ('/etc/dovecot/users', undef);
    my @confs = (in_root($root, '/etc/dovecot/dovecot.conf'), glob(in_root($root, '/etc/dovecot/conf.d') . '/*'));
    for my $c (@confs) {
        my $t = read_text($c);
        next unless defined $t && $t =~ /passwd-file/;
        while ($t =~ /driver\s*=\s*passwd-file\s*\n\s*args\s*=\s*([^\n]+)/g) {
            my $args = $1;
            $scheme = $1 if $args =~ /scheme=(\S+)/;
            $file = $1 if $args =~ m{(/\S+)\s*\z};
        }
    }
    my %users;
    for (read_lines(in_root($root, $file))) {
        next if /\A\s*(#|\z)/;
        my ($user, $pass, $uid, $gid, $gecos, $home, $shell, @extra) = split /:/, $_, -1;
        next unless defined $user && length $user;
        my $extra = join ':', @extra;
        my %u = (user => $user, home => $home);
        if (defined $pass && length $pass) {
            $pass = "{$scheme}$pass" if defined $scheme && $pass !~ /\A\{/;
            $u{password} = password_from_hash($pass);
        }
        $u{quotaKb} = _kb($1) if $extra =~ /quota_rule=\*:storage=(\d+[bkmgtBKMGT]?)/;
        $users{ lc $user } = \%u;
    }
    return \%users;
}

sub read_mail {
    my ($root) = @_;
    my $cf = read_main_cf($root);
    my $dove = read_dovecot_users($root);
    my $base = defined $cf->{virtual_mailbox_base} ? $cf->{virtual_mailbox_base} : '';
    my (%domains, %boxes);
    $domains{ key_of($_->[0]) } ||= $_->[0] for table_entries($root, $cf->{virtual_mailbox_domains});
    $domains{ key_of($_->[0]) } ||= $_->[0] for table_entries($root, $cf->{virtual_alias_domains});
    my $add_box = sub {
        my ($addr, $path) = @_;
        my ($local, $dom) = $addr =~ /\A(.*)\@([^@]+)\z/ or return;
        my $k = key_of($dom);
        return if $boxes{$k}{ lc $addr };
        my $d = $dove->{ lc $addr } || {};
        $path = (defined $d->{home} && length $d->{home} ? "$d->{home}/Maildir" : "$base/$dom/$local") unless defined $path;
        $path =~ s{/+\z}{};
        $boxes{$k}{ lc $addr } = { name => $local, address => $addr, path => $path, password => $d->{password},
            quotaKb => $d->{quotaKb} };
    };
    for my $e (table_entries($root, $cf->{virtual_mailbox_maps})) {
        my ($addr, $rel) = @$e;
        next unless $addr =~ /.\@/;
        my $p = $rel =~ m{\A/} ? $rel : "$base/$rel";
        $add_box->($addr, $p);
    }
    $add_box->($_->{user}, undef) for grep { $_->{user} =~ /.\@./ } sort { $a->{user} cmp $b->{user} } values %$dove;
    for my $k (keys %boxes) { $domains{$k} ||= (values %{ $boxes{$k} })[0]{address} =~ /\@(.+)\z/ ? $1 : $k; }
    my %all_boxes = map { my $k = $_; map { ($_ => 1) } keys %{ $boxes{$k} } } keys %boxes;
    my %redirects;
    for my $e (table_entries($root, $cf->{virtual_alias_maps})) {
        my ($src, $dst) = @$e;
        my @targets = grep { length } split /[\s,]+/, $dst;
        next unless @targets;
        if ($src =~ /\A\@(.+)\z/) { $redirects{ key_of($1) }{catchAll} = \@targets; next; }
        my ($dom) = $src =~ /\@([^@]+)\z/ or next;
        my $k = key_of($dom);
        if ($boxes{$k}{ lc $src }) {
            my @others = grep { lc $_ ne lc $src } @targets;
            push @{ $redirects{$k}{forwarders} }, { address => $src, targets => \@others, keepCopy => (@others < @targets ? 1 : 0) } if @others;
        }
        elsif (!grep { !$all_boxes{ lc $_ } } @targets) { push @{ $redirects{$k}{aliases} }, { address => $src, targets => \@targets }; }
        else { push @{ $redirects{$k}{forwarders} }, { address => $src, targets => \@targets }; }
    }
    return { domains => \%domains, boxes => \%boxes, redirects => \%redirects };
}

sub read_sieve_vacation {
    my ($file, $address) = @_;
    my $t = read_text($file);
    return undef unless defined $t && $t =~ /\bvacation\b(.*)/s;
    my $rest = $1;
    my %ar = (address => $address, enabled => 1);
    $ar{subject} = $1 if $rest =~ /:subject\s+"((?:[^"\\]|\\.)*)"/s;
    if ($rest =~ /\btext:[^\n]*\n(.*?)\n\.\r?\n/s) { $ar{text} = $1; }
    else {
        (my $r = $rest) =~ s/:(?:subject|from|addresses|handle)\s+(?:"(?:[^"\\]|\\.)*"|\[[^\]]*\])//gs;
        $ar{text} = $1 if $r =~ /"((?:[^"\\]|\\.)*)"\s*;/s;
    }
    for (grep { defined } @ar{qw(subject text)}) { s/\\(.)/$1/gs; }
    return \%ar;
}

# ---------------------------------------------------------------- MySQL (optional)
sub find_in_path {
    my ($prog) = @_;
    for (split /:/, (defined $ENV{PATH} ? $ENV{PATH} : '')) { return "$_/$prog" if length && -x "$_/$prog"; }
    return undef;
}

sub mysql_query {
    my ($ctx, $sql) = @_;
    my $bin = find_in_path('mysql') or return undef;
    my @args = ($bin);
    my $defaults = in_root($ctx->{root}, '/etc/mysql/debian.cnf');
    if (-r $defaults) { push @args, "--defaults-file=$defaults"; }
    elsif ($ctx->{root} ne '/') { return undef; }    # not the source system's server
    push @args, '--batch', '--skip-column-names', '--connect-timeout=5', '-e', $sql;
    my $pid = open(my $fh, '-|');
    return undef unless defined $pid;
    if (!$pid) { open(STDERR, '>', '/dev/null'); exec { $args[0] } @args; exit 127; }
    my @rows;
    while (my $l = <$fh>) { chomp $l; push @rows, [map { _unbatch($_) } split /\t/, $l, -1]; }
    close $fh;
    return $? == 0 ? \@rows : undef;
}

# A field of `mysql --batch` output: NULL is undef; \\ \t \n \0 are the escaped characters.
sub _unbatch {
    my ($v) = @_;
    return undef if $v eq 'NULL';
    my %esc = ('\\' => '\\', t => "\t", n => "\n", 0 => "\0");
    $v =~ s/\\([\\tn0])/$esc{$1}/g;
    return $v;
}

# The databases a mysql.db row's Db column covers: a LIKE pattern (_ one character, % any,
# \_ and \% themselves), compared case-sensitively as on a Linux server.
sub _db_pattern {
    my ($pat) = @_;
    my $re = '';
    while ($pat =~ /\G(\\.|[_%]|[^\\_%]+|\\\z)/gs) {
        my $t = $1;
        $re .= $t eq '_' ? '.' : $t eq '%' ? '.*' : length $t == 2 && substr($t, 0, 1) eq '\\' ? quotemeta(substr($t, 1)) : quotemeta($t);
    }
    return qr/\A$re\z/s;
}

# A mysql.user authentication string as a Password: *<40 hex> MYSQL41, 16 hex the pre-4.1 MYSQL
# hash, another printable value under its plugin's name (e.g. ED25519); none for unix_socket & co.
sub _mysql_password {
    my ($h, $plugin) = @_;
    return undef unless defined $h && length $h;
    return { value => $h, crypted => 1, scheme => 'MYSQL41' } if $h =~ /\A\*[0-9A-F]{40}\z/i;
    return { value => $h, crypted => 1, scheme => 'MYSQL' } if $h =~ /\A[0-9a-f]{16}\z/i;
    return { value => $h, crypted => 1, scheme => uc $plugin } if defined $plugin && $plugin =~ /\A\w+\z/ && $h =~ /\A[\x21-\x7e]+\z/;
    return undef;
}

# No MySQL answer (a copy of the server, a server that is down): the databases an engineer or an
# export script listed in <root>/etc/mm/databases.json, in the description agent's format:
# [{"name", "type", "users": [{"login", "password": "plain" | {"value", "crypted", "scheme"}}]}].
sub described_databases {
    my ($ctx) = @_;
    my $file = in_root($ctx->{root}, '/etc/mm/databases.json');
    return [] unless -f $file;
    my $list = eval { JSON::PP->new->utf8->decode(read_text($file)) };
    my %types = map { $_ => 1 } qw(mysql postgresql mssql);
    my $user_ok = sub { ref $_[0] eq 'HASH' && defined $_[0]{login} && !ref $_[0]{login} };
    my $db_ok = sub {
        my ($d) = @_;
        return ref $d eq 'HASH' && defined $d->{name} && !ref $d->{name} && $types{ $d->{type} || 'mysql' }
          && ref($d->{users} || []) eq 'ARRAY' && !grep { !$user_ok->($_) } @{ $d->{users} || [] };
    };
    MigrationAgent::fail('/etc/mm/databases.json is not a list of databases, each with a name, a type and users with a login')
      if ref $list ne 'ARRAY' || grep { !$db_ok->($_) } @$list;
    return [map { { name => $_->{name}, type => $_->{type} || 'mysql', users => $_->{users} || [] } }
          sort { $a->{name} cmp $b->{name} } @$list];
}

sub read_databases {
    my ($ctx) = @_;
    my $pg = MigrationAgent::DbDump::pg_databases($ctx);
    my $names = mysql_query($ctx, 'SELECT schema_name FROM information_schema.schemata') or return [@{ described_databases($ctx) }, @$pg];
    my %skip = map { $_ => 1 } qw(information_schema mysql performance_schema sys);
    # A database the live server answers for can be dumped: it carries its content id.
    my %dbs = map { $_->[0] => { name => $_->[0], type => 'mysql', users => [], contentId => "database:mysql:$_->[0]" } }
      grep { !$skip{ $_->[0] } } @$names;
    my $sizes = mysql_query($ctx, 'SELECT table_schema, SUM(data_length + index_length) FROM information_schema.tables GROUP BY table_schema') || [];
    for (@$sizes) { $dbs{ $_->[0] }{sizeBytes} = int($_->[1] || 0) if $dbs{ $_->[0] } && defined $_->[1] && $_->[1] =~ /\A\d+/; }
    my $hashes = mysql_query($ctx, 'SELECT User, Host, authentication_string, plugin FROM mysql.user')
      || mysql_query($ctx, 'SELECT User, Host, Password FROM mysql.user') || [];
    my %auth = map { ("$_->[0]\@$_->[1]" => [$_->[2], $_->[3]]) } @$hashes;
    my $grants = mysql_query($ctx, 'SELECT User, Host, Db FROM mysql.db ORDER BY User, Host, Db') || [];
    my %seen;
    for my $g (@$grants) {
        my ($user, $host, $pat) = @$g;
        next unless defined $user && length $user && defined $pat && defined $host && length $host;    # '': a MariaDB role
        my $re = _db_pattern($pat);
        for my $db (grep { $_ =~ $re } sort keys %dbs) {
            next if $seen{"$db\0$user"}++;
            push @{ $dbs{$db}{users} }, { login => $user, password => _mysql_password(@{ $auth{"$user\@$host"} || [] }) };
        }
    }
    return [(map { $dbs{$_} } sort keys %dbs), @$pg];
}

# ---------------------------------------------------------------- the whole picture
sub scan {
    my ($ctx) = @_;
    return $ctx->{scan} if $ctx->{scan};
    my $root = $ctx->{root};
    my $u = read_users($root);
    my ($sites, $site_order) = read_sites($root);
    my $zones = read_zones($root);
    my $mail = read_mail($root);

    # sites under another site's name are its subdomains (unless they have their own zone)
    my %parent_of;
    for my $k (@$site_order) {
        my @labels = split /\./, $k;
        for my $i (1 .. $#labels - 1) {
            my $p = join '.', @labels[$i .. $#labels];
            last if $zones->{$k};
            if ($sites->{$p}) { $parent_of{$k} = $p; last; }
        }
    }
    my (%domains, @order);
    my $add = sub {
        my ($k, $name) = @_;
        return if $parent_of{$k};
        return $domains{$k} if $domains{$k};
        push @order, $k;
        return $domains{$k} = { key => $k, id => $name, name => $name };
    };
    for my $k (@$site_order) { my $d = $add->($k, $sites->{$k}{hostname}) or next; $d->{site} = $sites->{$k}; }
    for my $k (sort keys %$zones) { my $d = $add->($k, $zones->{$k}{name}) or next; $d->{zone} = $zones->{$k}; }
    for my $k (sort keys %{ $mail->{domains} }) { my $d = $add->($k, $mail->{domains}{$k}) or next; $d->{mail} = 1; }
    for my $k (keys %parent_of) { push @{ $domains{ $parent_of{$k} }{subsites} }, $sites->{$k}; }
    for my $k (@order) { $domains{$k}{zone} ||= $zones->{$k}; $domains{$k}{mail} ||= $mail->{domains}{$k} ? 1 : 0; }

    for my $k (@order) {
        my $d = $domains{$k};
        my $owner = $d->{site} ? site_owner($root, $d->{site}, $u) : undef;
        if (!defined $owner) {
            my @l = split /\./, $k;
            for my $i (1 .. $#l - 1) {
                my $p = $domains{ join '.', @l[$i .. $#l] };
                if ($p && $p->{site}) { $owner = site_owner($root, $p->{site}, $u); last if defined $owner; }
            }
        }
        if (!defined $owner) {    # a zone or mail domain whose sites (below it) all have one owner
            my %o;
            for my $c (@$site_order) {
                next unless $c =~ /\.\Q$k\E\z/;
                my $w = site_owner($root, $sites->{$c}, $u);
                $o{ defined $w ? $w : '' } = 1;
            }
            ($owner) = keys %o if keys %o == 1 && !exists $o{''};
        }
        $d->{owner} = defined $owner ? $owner : 'admin';
    }
    my %owned;
    push @{ $owned{ $domains{$_}{owner} } }, $_ for sort @order;
    my $dbs = read_databases($ctx);
    $ctx->{scan} = { users => $u, domains => \%domains, order => \@order, owned => \%owned, mail => $mail,
        databases => $dbs };
    return $ctx->{scan};
}

sub _split_name {
    my ($full) = @_;
    my @p = split ' ', (defined $full ? $full : '');
    return (undef, undef) unless @p;
    return (undef, $p[0]) if @p == 1;
    my $last = pop @p;
    return (join(' ', @p), $last);
}

sub inventory {
    my ($ctx) = @_;
    my $root = $ctx->{root};
    my $s = scan($ctx);
    my $u = $s->{users};
    my $host = trim(read_text(in_root($root, '/etc/hostname')) || 'localhost');
    my %osr = map { /\A(\w+)="?(.*?)"?\z/ ? ($1 => $2) : () } read_lines(in_root($root, '/etc/os-release'));
    my $debver = trim(read_text(in_root($root, '/etc/debian_version')) || '');

    # resellers: members of the "resellers" group; their customers share their primary group
    my %reseller = map { $_ => 1 } @{ ($u->{groups}{resellers} || {})->{members} || [] };
    my %reseller_by_gid = map { ($u->{users}{$_}{gid} => $_) } grep { $u->{users}{$_} } keys %reseller;
    my %acc_ids = map { $_ => 1 } keys %{ $s->{owned} }, grep { $u->{users}{$_} } keys %reseller;
    my @accounts;
    for my $id (sort keys %acc_ids) {
        my $pw = $u->{users}{$id} || ($id eq 'admin' ? $u->{users}{root} : undef) || {};
        my ($full, $room, $work, undef, $other) = split /,/, (defined $pw->{gecos} ? $pw->{gecos} : ''), -1;
        my ($first, $last) = _split_name($full);
        my $parent = !$reseller{$id} && defined $pw->{gid} ? $reseller_by_gid{ $pw->{gid} } : undef;
        undef $parent if defined $parent && $parent eq $id;
        my $contact = { firstName => $first, lastName => (defined $last ? $last : $id),
            email => (defined $other && $other =~ /\@/ ? $other : undef),
            phone => (defined $work && length $work ? { number => $work } : undef) };
        push @accounts, { id => $id, type => ($reseller{$id} ? 'reseller' : 'customer'), parentId => $parent,
            company => (defined $room && length $room ? $room : undef),
            ccpLogin => { login => ($id eq 'admin' ? 'root' : $id), password => password_from_hash($pw->{hash}) },
            adminContact => $contact, technicalContact => $contact, billingContact => $contact };
    }
    my (@subs, @domains, %ips);
    for my $k (sort @{ $s->{order} }) {
        my $d = $s->{domains}{$k};
        my $site = $d->{site};
        my $sub_id = "sub-$k";
        my @conf = $site ? stat(in_root($root, $site->{vhosts}[0]{file})) : ();
        push @subs, { id => $sub_id, accountId => $d->{owner}, templateId => ($site ? 'linux-web-hosting' : 'linux-dns-mail'),
            name => $d->{name}, status => ($site && !$site->{enabled} ? 'disabled' : 'active'),
            created => (@conf ? iso_date($conf[9]) : undef), domains => [$d->{id}], serverId => $host };
        my @content;
        if ($site) {
            $ips{ $site->{ip} }{$k} = 1 if defined $site->{ip};
            push @content, { kind => 'site', id => $site->{hostname} } if defined $site->{docRoot};
            push @content, map { { kind => 'site', id => $_->{hostname} } } grep { defined $_->{docRoot} } @{ $d->{subsites} || [] };
        }
        my $boxes = $s->{mail}{boxes}{$k} || {};
        push @content, map { { kind => 'mailbox', id => $boxes->{$_}{address} } } sort keys %$boxes;
        push @content, map { { kind => 'database', id => substr($_->{contentId}, 9), sizeBytes => $_->{sizeBytes} } }
          grep { defined $_->{contentId} } domain_databases($s, $k);
        push @domains, { id => $d->{id}, name => $d->{name}, accountId => $d->{owner}, hostingSubscriptionId => $sub_id,
            status => ($site && !$site->{enabled} ? 'disabled' : 'active'), serverId => $host, content => \@content };
    }
    my @roles = ((grep { $_->{site} } values %{ $s->{domains} }) ? 'web' : (),
        (%{ $s->{mail}{domains} } ? 'mail' : ()), ((grep { $_->{zone} } values %{ $s->{domains} }) ? 'dns' : ()),
        (@{ $s->{databases} } ? 'db' : ()));
    my @res = (
        { id => 'diskspace', name => 'Disk space', unit => 'MB', limit => -1 },
        { id => 'domains', name => 'Domains', unit => 'unit', limit => -1 },
        { id => 'mailboxes', name => 'Mailboxes', unit => 'unit', limit => -1 },
        { id => 'databases', name => 'MySQL databases', unit => 'unit', limit => -1 },
        { id => 'ftp_users', name => 'FTP users', unit => 'unit', limit => -1 },
    );
    return {
        platform => { kind => 'linux', name => ($osr{PRETTY_NAME} || 'Linux'), version => ($debver || $osr{VERSION_ID}) },
        servers => [{ id => $host, hostname => $host, roles => \@roles,
            ips => [map { { address => $_, type => (keys %{ $ips{$_} } == 1 ? 'exclusive' : 'shared') } } sort keys %ips] }],
        templates => [
            { id => 'linux-web-hosting', name => 'Linux web hosting (virtual)', virtual => 1, kind => 'hosting',
              description => 'One per Apache site: web, DNS, mail, databases, FTP.', resources => \@res },
            { id => 'linux-dns-mail', name => 'Linux DNS and mail (virtual)', virtual => 1, kind => 'hosting',
              description => 'Domains without a web site: DNS zone and/or mail only.', resources => [@res[1, 2]] },
        ],
        accounts => \@accounts, subscriptions => \@subs, domains => \@domains,
    };
}

# ---------------------------------------------------------------- one domain
sub _site_ssl {
    my ($root, $ssl) = @_;
    return undef unless $ssl;
    my %out = %$ssl;
    $out{certificate} = read_text(in_root($root, $ssl->{certificateFile})) if defined $ssl->{certificateFile};
    $out{privateKey} = read_text(in_root($root, $ssl->{keyFile})) if defined $ssl->{keyFile};
    $out{chain} = read_text(in_root($root, $ssl->{chainFile})) if defined $ssl->{chainFile};
    return \%out;
}

sub _web_users {
    my ($root, $site) = @_;
    my @out;
    for my $a (@{ $site->{auth} || [] }) {
        my $dir = $a->{dir};
        if (defined $dir && defined $site->{docRoot} && index("$dir/", "$site->{docRoot}/") == 0) {
            $dir = substr($dir, length $site->{docRoot});
            $dir = '/' if $dir eq '';
        }
        for (read_lines(in_root($root, $a->{file}))) {
            next if /\A\s*(#|\z)/;
            my ($login, $hash) = split /:/, $_, 2;
            push @out, { login => $login, directory => $dir, realm => $a->{realm}, password => password_from_hash($hash) };
        }
    }
    return @out;
}

sub domain_services {
    my ($ctx, $inv, $domain) = @_;
    my $root = $ctx->{root};
    my $s = scan($ctx);
    my $k = key_of($domain->{id});
    my $d = $s->{domains}{$k} or return {};
    my %svc;
    if (my $z = $d->{zone}) {
        my $p = MigrationAgent::Zone::parse(file => in_root($root, $z->{file}), display => $z->{file}, origin => $z->{name}, root => $root);
        $svc{dnsZone} = { name => $p->{origin}, ttl => $p->{ttl}, master => 1, soa => $p->{soa}, records => $p->{records} };
    }
    my $owner = $d->{owner};
    my $primary = ($s->{owned}{$owner} || [])->[0];
    my $is_primary = defined $primary && $primary eq $k;
    if (my $site = $d->{site}) {
        $svc{webHosting} = { hostname => $site->{hostname}, docRoot => $site->{docRoot}, ip => $site->{ip}, owner => $owner,
            enabled => $site->{enabled}, contentId => (defined $site->{docRoot} ? "site:$site->{hostname}" : undef),
            aliases => $site->{aliases}, scripting => $site->{scripting}, ssl => _site_ssl($root, $site->{ssl}),
            subdomains => [map {
                my $sd = $_;
                (my $prefix = $sd->{hostname}) =~ s/\.\Q$site->{hostname}\E\.?\z//i;
                { name => $prefix, hostname => $sd->{hostname}, docRoot => $sd->{docRoot},
                  contentId => (defined $sd->{docRoot} ? "site:$sd->{hostname}" : undef), aliases => $sd->{aliases},
                  scripting => $sd->{scripting}, ssl => _site_ssl($root, $sd->{ssl}) }
            } @{ $d->{subsites} || [] }] };
        $svc{webUsers} = [map { _web_users($root, $_) } $site, @{ $d->{subsites} || [] }];
        # FTP: the owner's login on the owner's first domain; other unix users living in the docroot
        my @ftp;
        my $u = $s->{users}{users};
        if ($is_primary && $u->{$owner}) {
            push @ftp, { login => $owner, home => $u->{$owner}{home}, password => password_from_hash($u->{$owner}{hash}) };
        }
        if (defined $site->{docRoot}) {
            for my $n (sort keys %$u) {
                next if $n eq $owner || $u->{$n}{uid} < 1000 || index("$u->{$n}{home}/", "$site->{docRoot}/") != 0;
                push @ftp, { login => $n, home => $u->{$n}{home}, password => password_from_hash($u->{$n}{hash}) };
            }
        }
        $svc{ftpUsers} = \@ftp;
    }
    if ($d->{mail} || $s->{mail}{boxes}{$k}) {
        my $boxes = $s->{mail}{boxes}{$k} || {};
        my $r = $s->{mail}{redirects}{$k} || {};
        my (@mb, @ar);
        for my $b (map { $boxes->{$_} } sort keys %$boxes) {
            my $dir = in_root($root, $b->{path});
            my ($count, $size) = maildir_stats(resolve_in_root($root, $dir) || $dir);
            push @mb, { %$b, messageCount => $count, sizeBytes => $size, contentId => "mailbox:$b->{address}" };
            for my $f ("$dir/.dovecot.sieve", "$dir/../.dovecot.sieve") {
                my $v = -f $f ? read_sieve_vacation($f, $b->{address}) : undef;
                if ($v) { push @ar, $v; last; }
            }
        }
        $svc{mail} = { enabled => 1, mailboxes => \@mb, aliases => $r->{aliases} || [], forwarders => $r->{forwarders} || [],
            autoresponders => \@ar, catchAll => $r->{catchAll} };
    }
    if ($is_primary) {
        $svc{databases} = [domain_databases($s, $k)];
        my @cron;
        for (read_lines(in_root($root, "/var/spool/cron/crontabs/$owner"))) {
            next if /\A\s*(#|\z)/ || /\A\s*[A-Za-z_][A-Za-z0-9_]*\s*=/;
            if (/\A\s*(@\w+)\s+(.+)\z/) { push @cron, { user => $owner, schedule => $1, command => $2 }; }
            elsif (/\A\s*(\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+(.+)\z/) { push @cron, { user => $owner, schedule => $1, command => $2 }; }
        }
        $svc{cronJobs} = \@cron;
    }
    return \%svc;
}

# The databases of a domain: those named <owner>_… belong to the owner's first domain.
sub domain_databases {
    my ($s, $k) = @_;
    my $owner = $s->{domains}{$k}{owner};
    my $primary = ($s->{owned}{$owner} || [])->[0];
    return () unless defined $primary && $primary eq $k;
    return grep { index($_->{name}, "${owner}_") == 0 } @{ $s->{databases} };
}

sub content {
    my ($ctx, $inv, $domain, $kind, $id) = @_;
    my $s = scan($ctx);
    my $d = $s->{domains}{ key_of($domain->{id}) } or return undef;
    if ($kind eq 'site') {
        for my $site (grep { defined } $d->{site}, @{ $d->{subsites} || [] }) {
            return { path => in_root($ctx->{root}, $site->{docRoot}) } if $site->{hostname} eq $id && defined $site->{docRoot};
        }
    }
    elsif ($kind eq 'mailbox') {
        my $b = ($s->{mail}{boxes}{ $d->{key} } || {})->{ lc $id };
        return { path => in_root($ctx->{root}, $b->{path}) } if $b;
    }
    elsif ($kind eq 'database') {
        my ($db) = grep { defined $_->{contentId} && $_->{contentId} eq "database:$id" } domain_databases($s, $d->{key});
        return undef unless $db;
        return { write => sub { MigrationAgent::DbDump::add_database($ctx, $_[0], $db->{type}, $db->{name}, \&_db_pattern) } };
    }
    return undef;
}

# Disabling a subscription switches its web site off: each Apache file of the site in
# sites-enabled (file or symlink) is renamed to <name>.mm-disabled, which Apache's
# "IncludeOptional sites-enabled/*.conf" no longer loads; reload Apache afterwards.
# A file that also holds another, still active site is left alone (and the result says so).
sub disable {
    my ($ctx, $inv, $subs) = @_;
    my $s = scan($ctx);
    my %off = map { $_->{id} => 1 } @$subs;
    my %file_subs;
    for my $k (@{ $s->{order} }) {
        my $d = $s->{domains}{$k};
        for my $site (grep { defined } $d->{site}, @{ $d->{subsites} || [] }) {
            $file_subs{$_}{"sub-$k"} = 1 for map { $_->{file} } @{ $site->{vhosts} };
        }
    }
    my @results;
    for my $sub (@$subs) {
        my $k = substr($sub->{id}, 4);
        my $d = $s->{domains}{$k};
        my @notes;
        for my $site (grep { defined } $d->{site}, @{ $d->{subsites} || [] }) {
            for my $f (@{ $site->{files} }) {
                next unless $f =~ /\.conf\z/;
                my @shared = grep { !$off{$_} } keys %{ $file_subs{$f} || {} };
                if (@shared) { push @notes, "$f also serves @shared; left enabled"; next; }
                my $p = in_root($ctx->{root}, $f);
                next unless -e $p || -l $p;
                rename $p, "$p.mm-disabled" or MigrationAgent::fail("cannot disable $f: $!");
            }
        }
        push @results, { id => $sub->{id}, status => 'disabled', note => (@notes ? join('; ', @notes) : undef) };
    }
    return \@results;
}
