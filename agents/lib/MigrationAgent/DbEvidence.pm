package MigrationAgent::DbEvidence;
# A database's evidence for the manager's post-migration checks (--extract=databaseEvidence):
# its base tables, each table's exact row count and a checksum of its rows, computed by the
# database server. The manager runs the SAME statements on the target's db node
# (electron/core/checks/db-evidence.ts builds them character for character), so equal data
# gives equal checksums:
#   PostgreSQL: md5 over the sorted md5s of each row's text form, in UTC, ISO dates and full
#     float precision.
#   MySQL/MariaDB: the sum of a 60-bit slice of each row's MD5 over every column and whether
#     it is NULL, in UTC.
# Output: one JSON document {type, name, tables: [{table, rows, checksum}]}. Every command is
# an argv list run without a shell.
use strict;
use warnings;
use JSON::PP ();
use MigrationAgent::DbDump;

sub _fail { MigrationAgent::fail($_[0]); }
sub _first_line { my ($s) = @_; $s = '' unless defined $s; $s =~ s/\s+\z//; my @l = split /\n/, $s; return @l ? $l[-1] : ''; }

sub _pg_ident { my ($s) = @_; $s =~ s/"/""/g; return "\"$s\""; }
sub _pg_lit { my ($s) = @_; $s =~ s/'/''/g; return "'$s'"; }
sub _my_ident { my ($s) = @_; $s =~ s/`/``/g; return "`$s`"; }
sub _my_lit { my ($s) = @_; $s =~ s/\\/\\\\/g; $s =~ s/'/''/g; return "'$s'"; }

my $PG_TABLES = "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2";
my $PG_SETTINGS = "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET extra_float_digits TO 3; ";

sub _lines { my ($out) = @_; return [map { [split /\t/, $_, -1] } grep { length } split /\n/, $out]; }

sub _pg {
    my ($ctx, $name, $sql) = @_;
    my ($prefix, $env) = MigrationAgent::DbDump::pg_access($ctx) or _fail("no PostgreSQL server to read '$name' from");
    my $psql = MigrationAgent::DbDump::find_in_path('psql') or _fail('psql is not installed');
    (my $quoted = $name) =~ s/([\\'])/\\$1/g;
    my ($status, $out, $err) = MigrationAgent::DbDump::run_cmd([@$prefix, $psql, '-X', '-q', '-A', '-t', '-F', "\t",
        '-v', 'ON_ERROR_STOP=1', "--dbname=dbname='$quoted'", '-c', $sql], env => { %$env, PGCONNECT_TIMEOUT => 5 });
    _fail("reading PostgreSQL database '$name' failed: " . _first_line($err)) unless $status == 0;
    return _lines($out);
}

sub _mysql {
    my ($ctx, $name, $sql) = @_;
    my $defaults = MigrationAgent::DbDump::mysql_defaults($ctx) or _fail("no MySQL server to read '$name' from");
    my $bin = MigrationAgent::DbDump::find_in_path('mysql') || MigrationAgent::DbDump::find_in_path('mariadb')
      or _fail('the mysql client is not installed');
    my ($status, $out, $err) = MigrationAgent::DbDump::run_cmd([$bin, @$defaults, '--batch', '--skip-column-names',
        '--default-character-set=utf8mb4', '--connect-timeout=5', '-e', $sql]);
    _fail("reading MySQL database '$name' failed: " . _first_line($err)) unless $status == 0;
    return _lines($out);
}

sub tables {
    my ($ctx, $type, $name) = @_;
    my $rows;
    if ($type eq 'postgresql') {
        my $tables = _pg($ctx, $name, $PG_TABLES);
        $rows = @$tables ? _pg($ctx, $name, $PG_SETTINGS . join(' UNION ALL ', map {
            my ($schema, $table) = @$_;
            'SELECT ' . _pg_lit("$schema.$table") . q{, count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM }
              . _pg_ident($schema) . '.' . _pg_ident($table) . ' t'
        } @$tables)) : [];
    }
    elsif ($type eq 'mysql') {
        my $cols = _mysql($ctx, $name, 'SELECT c.TABLE_NAME, c.COLUMN_NAME FROM information_schema.COLUMNS c JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = '
              . _my_lit($name) . q{ AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION});
        my (@order, %columns);
        for (@$cols) {
            my ($table, $column) = @$_;
            push @order, $table unless $columns{$table};
            push @{ $columns{$table} }, $column;
        }
        $rows = @order ? _mysql($ctx, $name, q{SET time_zone = '+00:00'; } . join(' UNION ALL ', map {
            my $t = $_;
            my $parts = join(', ', map { ('ISNULL(' . _my_ident($_) . ')', _my_ident($_)) } @{ $columns{$t} });
            'SELECT ' . _my_lit($t) . ', COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS(0x1f, ' . $parts
              . ')), 1, 15), 16, 10) AS UNSIGNED)), 0) FROM ' . _my_ident($name) . '.' . _my_ident($t)
        } @order)) : [];
    }
    else { _fail("databases of type '$type' cannot be read"); }
    return { type => $type, name => $name,
        tables => [map { { table => $_->[0], rows => 0 + $_->[1], checksum => $_->[2] } } @$rows] };
}

1;
