package MigrationAgent::DbDump;
# A database's content for the domainContent tarball (content id "database:<type>:<name>"):
# the dump, made by the server's own tool into a private temporary folder on this server (a
# tar member needs its size in its header, so the dump cannot stream straight into the
# archive), then archived with its SHA-256 like any file; and DATABASE.json: the database's
# type, name and dump format, its users with their password HASHES (never plain text) and
# their grants, in a structured form the target turns into quoted statements itself.
#
#   MySQL/MariaDB: mysqldump --single-transaction (a consistent InnoDB snapshot without
#     locking the customer's tables), routines, triggers and events, binary columns in hex;
#     reached with the server's Debian maintenance file <root>/etc/mysql/debian.cnf.
#   PostgreSQL: pg_dump --format=custom (compressed; pg_restore restores it in one
#     transaction); reached with the libpq service file <root>/etc/mm/pg_service.conf
#     (service "mm"), or on the live system (--root=/) as the postgres user over its socket.
#
# Every command is an argv list run without a shell: no name from the server is ever parsed
# by one.
use strict;
use warnings;
use File::Temp ();
use JSON::PP ();
use MigrationAgent::Util qw(in_root);

sub find_in_path {
    my ($prog) = @_;
    for (split /:/, (defined $ENV{PATH} ? $ENV{PATH} : '')) { return "$_/$prog" if length && -x "$_/$prog"; }
    return undef;
}

# Runs argv with extra environment; stdout into $out_file (or collected), stderr collected.
# Returns (exit status, stdout text, stderr text).
sub run_cmd {
    my ($argv, %o) = @_;
    my $err = File::Temp->new(TMPDIR => 1);
    my $pid = open(my $fh, '-|');
    die "cannot fork: $!\n" unless defined $pid;
    if (!$pid) {
        $ENV{$_} = $o{env}{$_} for keys %{ $o{env} || {} };
        open(STDERR, '>', $err->filename) or exit 127;
        if (defined $o{out}) { open(STDOUT, '>', $o{out}) or exit 127; }
        open(STDIN, '<', '/dev/null');
        exec { $argv->[0] } @$argv;
        exit 127;
    }
    local $/;
    my $stdout = <$fh>;
    close $fh;
    my $status = $?;
    open(my $eh, '<', $err->filename);
    my $stderr = $eh ? do { local $/; <$eh> } : '';
    return ($status, defined $stdout ? $stdout : '', defined $stderr ? $stderr : '');
}

sub _first_line { my ($s) = @_; $s = '' unless defined $s; $s =~ s/\s+\z//; ($s) = split /\n/, $s; return defined $s ? $s : ''; }

# ------------------------------------------------------------------ PostgreSQL
# How psql and pg_dump reach the source's PostgreSQL: (prefix argv, environment), or () when
# this server has none the agent may use.
sub pg_access {
    my ($ctx) = @_;
    my $service = in_root($ctx->{root}, '/etc/mm/pg_service.conf');
    return ([], { PGSERVICEFILE => $service, PGSERVICE => 'mm' }) if -r $service;
    return () if $ctx->{root} ne '/';
    my $runuser = find_in_path('runuser');
    return () unless $> == 0 && $runuser && getpwnam('postgres');
    return ([$runuser, '-u', 'postgres', '--'], {});
}

# Rows of a query (tab-separated fields, no NULL distinction: '' for NULL); undef when the
# server is not reachable.
sub pg_query {
    my ($ctx, $sql) = @_;
    my ($prefix, $env) = pg_access($ctx) or return undef;
    my $psql = find_in_path('psql') or return undef;
    my ($status, $out) = run_cmd([@$prefix, $psql, '-X', '-q', '-A', '-t', '-F', "\t", '-v', 'ON_ERROR_STOP=1',
        '-c', $sql], env => { %$env, PGCONNECT_TIMEOUT => 5 });
    return undef unless $status == 0;
    return [map { [split /\t/, $_, -1] } grep { length } split /\n/, $out];
}

# The PostgreSQL databases (not the templates, not the maintenance database "postgres"), each
# with the login roles that may connect to it (its owner and the roles its ACL names) and
# their password hashes.
sub pg_databases {
    my ($ctx) = @_;
    my $dbs = pg_query($ctx, q{SELECT datname, pg_database_size(oid) FROM pg_database
        WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname}) or return [];
    my $acl = pg_query($ctx, q{SELECT d.datname, r.rolname, coalesce(r.rolpassword, ''),
        string_agg(DISTINCT x.privilege_type, ',' ORDER BY x.privilege_type), bool_or(r.oid = d.datdba)
        FROM pg_database d CROSS JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) x
        JOIN pg_authid r ON r.oid = x.grantee WHERE r.rolcanlogin AND NOT r.rolsuper
        GROUP BY d.datname, r.rolname, r.rolpassword ORDER BY d.datname, r.rolname}) || [];
    my %users;
    for (@$acl) {
        my ($db, $role, $hash) = @$_;
        push @{ $users{$db} }, { login => $role,
            password => (length $hash ? { value => $hash, crypted => 1, scheme => ($hash =~ /\A(SCRAM-SHA-256|md5)/ ? uc $1 : 'POSTGRESQL') } : undef) };
    }
    return [map { { name => $_->[0], type => 'postgresql', sizeBytes => int($_->[1] || 0),
        contentId => "database:postgresql:$_->[0]", users => $users{ $_->[0] } || [] } } @$dbs];
}

# DATABASE.json's users and grants for one PostgreSQL database.
sub pg_description {
    my ($ctx, $name) = @_;
    my $rows = pg_query($ctx, q{SELECT r.rolname, coalesce(r.rolpassword, ''),
        string_agg(DISTINCT x.privilege_type, ',' ORDER BY x.privilege_type),
        bool_or(x.is_grantable), bool_or(r.oid = d.datdba)
        FROM pg_database d CROSS JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) x
        JOIN pg_authid r ON r.oid = x.grantee WHERE r.rolcanlogin AND NOT r.rolsuper AND d.datname = }
        . _pg_literal($name) . q{ GROUP BY r.rolname, r.rolpassword ORDER BY r.rolname});
    MigrationAgent::fail("cannot read the users of PostgreSQL database '$name'") unless $rows;
    my (@users, @grants, $owner);
    for (@$rows) {
        my ($role, $hash, $privs, $grantable, $is_owner) = @$_;
        push @users, { login => $role, hash => (length $hash ? $hash : undef) };
        $owner = $role if $is_owner eq 't';
        push @grants, { login => $role, privileges => [split /,/, $privs], grantable => ($grantable eq 't' ? JSON::PP::true : JSON::PP::false) };
    }
    return { users => \@users, grants => \@grants, owner => $owner };
}

sub _pg_literal { my ($s) = @_; $s =~ s/'/''/g; return "'$s'"; }

# ------------------------------------------------------------------ MySQL / MariaDB
sub mysql_defaults {
    my ($ctx) = @_;
    my $defaults = in_root($ctx->{root}, '/etc/mysql/debian.cnf');
    return ["--defaults-file=$defaults"] if -r $defaults;
    return $ctx->{root} eq '/' ? [] : undef;
}

sub mysql_rows {
    my ($ctx, $sql) = @_;
    my $defaults = mysql_defaults($ctx) or return undef;
    my $bin = find_in_path('mysql') || find_in_path('mariadb') or return undef;
    my ($status, $out) = run_cmd([$bin, @$defaults, '--batch', '--skip-column-names', '--connect-timeout=5', '-e', $sql]);
    return undef unless $status == 0;
    my %esc = ('\\' => '\\', t => "\t", n => "\n", 0 => "\0");
    return [map { [map { my $v = $_; $v eq 'NULL' ? undef : do { $v =~ s/\\([\\tn0])/$esc{$1}/g; $v } } split /\t/, $_, -1] }
          grep { length } split /\n/, $out];
}

sub _mysql_literal { my ($s) = @_; $s =~ s/\\/\\\\/g; $s =~ s/'/''/g; return "'$s'"; }

# "'user'@'host'" as information_schema writes a grantee.
sub _grantee {
    my ($g) = @_;
    return () unless defined $g && $g =~ /\A'((?:[^']|'')*)'\@'((?:[^']|'')*)'\z/s;
    my ($u, $h) = ($1, $2);
    s/''/'/g for $u, $h;
    return ($u, $h);
}

# DATABASE.json's users and grants for one MySQL database: every account with a privilege on
# the database (a schema grant whose LIKE pattern covers it, or a table grant in it).
sub mysql_description {
    my ($ctx, $name, $pattern_re) = @_;
    my $schema = mysql_rows($ctx, 'SELECT GRANTEE, TABLE_SCHEMA, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.SCHEMA_PRIVILEGES');
    my $tables = mysql_rows($ctx, 'SELECT GRANTEE, TABLE_NAME, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = ' . _mysql_literal($name));
    MigrationAgent::fail("cannot read the grants of MySQL database '$name'") unless $schema && $tables;
    my (%grants, %accounts);
    for (@$schema) {
        my ($grantee, $pat, $priv, $grantable) = @$_;
        next unless $name =~ $pattern_re->($pat);
        my ($u, $h) = _grantee($grantee) or next;
        next if $u eq '';
        $accounts{"$u\@$h"} = [$u, $h];
        my $g = $grants{"$u\@$h\0"} ||= { login => $u, host => $h, table => undef, privileges => [], grantable => JSON::PP::false };
        push @{ $g->{privileges} }, $priv unless grep { $_ eq $priv } @{ $g->{privileges} };
        $g->{grantable} = JSON::PP::true if $grantable eq 'YES';
    }
    for (@$tables) {
        my ($grantee, $table, $priv, $grantable) = @$_;
        my ($u, $h) = _grantee($grantee) or next;
        next if $u eq '';
        $accounts{"$u\@$h"} = [$u, $h];
        my $g = $grants{"$u\@$h\0$table"} ||= { login => $u, host => $h, table => $table, privileges => [], grantable => JSON::PP::false };
        push @{ $g->{privileges} }, $priv unless grep { $_ eq $priv } @{ $g->{privileges} };
        $g->{grantable} = JSON::PP::true if $grantable eq 'YES';
    }
    my $auth = mysql_rows($ctx, 'SELECT User, Host, plugin, authentication_string FROM mysql.user') || [];
    my %auth = map { ("$_->[0]\@$_->[1]" => $_) } @$auth;
    my @users;
    for my $k (sort keys %accounts) {
        my ($u, $h) = @{ $accounts{$k} };
        my $a = $auth{$k} || [];
        push @users, { login => $u, host => $h, plugin => $a->[2], hash => (defined $a->[3] && length $a->[3] ? $a->[3] : undef) };
    }
    return { users => \@users, grants => [map { $grants{$_} } sort keys %grants] };
}

# ------------------------------------------------------------------ the tarball's members
# Writes the database's members into $tar: the dump (dump.sql or dump.pgc) and DATABASE.json.
sub add_database {
    my ($ctx, $tar, $type, $name, $pattern_re) = @_;
    my $dir = File::Temp::tempdir('mm-dbdump-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    chmod 0700, $dir;
    my ($member, $format, $desc);
    if ($type eq 'mysql') {
        my $defaults = mysql_defaults($ctx) or MigrationAgent::fail("no MySQL server to dump '$name' from");
        my $bin = find_in_path('mysqldump') || find_in_path('mariadb-dump') or MigrationAgent::fail('mysqldump is not installed');
        $desc = mysql_description($ctx, $name, $pattern_re);
        ($member, $format) = ('dump.sql', 'sql');
        my ($status, undef, $err) = run_cmd([$bin, @$defaults, '--single-transaction', '--routines', '--triggers', '--events',
            '--hex-blob', '--default-character-set=utf8mb4', '--no-create-db', '--skip-comments', "--result-file=$dir/$member",
            '--', $name]);
        MigrationAgent::fail("mysqldump of '$name' failed: " . _first_line($err)) unless $status == 0;
    }
    elsif ($type eq 'postgresql') {
        my ($prefix, $env) = pg_access($ctx) or MigrationAgent::fail("no PostgreSQL server to dump '$name' from");
        my $bin = find_in_path('pg_dump') or MigrationAgent::fail('pg_dump is not installed');
        $desc = pg_description($ctx, $name);
        ($member, $format) = ('dump.pgc', 'custom');
        # The postgres user (runuser) cannot write into root's private folder: the dump goes to stdout.
        # The name inside a conninfo string: a bare --dbname holding "=" would be read as one.
        (my $quoted = $name) =~ s/([\\'])/\\$1/g;
        my ($status, undef, $err) = run_cmd([@$prefix, $bin, '--format=custom', '--no-password', "--dbname=dbname='$quoted'"],
            env => $env, out => "$dir/$member");
        MigrationAgent::fail("pg_dump of '$name' failed: " . _first_line($err)) unless $status == 0;
    }
    else { MigrationAgent::fail("databases of type '$type' cannot be dumped"); }
    # The customer's data and the users' hashes stay private on the node too (tar keeps modes).
    chmod 0600, "$dir/$member";
    $tar->add_file($member, "$dir/$member");
    my $json = JSON::PP->new->canonical->utf8->pretty->encode({ type => $type, name => $name, dump => $member,
        format => $format, %$desc });
    $tar->add_data('DATABASE.json', $json, mode => 0600);
    unlink "$dir/$member";
    return;
}

1;
