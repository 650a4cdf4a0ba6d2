#!/usr/bin/perl
# H-Sphere migration agent: reads H-Sphere's system PostgreSQL database through psql (the
# resource tree parent_child/type_name, users, accounts, plans, contacts, balances, domains,
# DNS, vhosts, mail, MySQL/PostgreSQL) and the homes and Maildirs below --root.
# What it reads and what is modelled: README.md beside this file.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use File::Temp ();
use POSIX ();
use MigrationAgent;
use MigrationAgent::Util qw(in_root resolve_in_root read_text read_lines trim maildir_stats dir_size_and_count);
use MigrationAgent::Zone;

our $VERSION = '1.3.0';

my $PROPERTIES = '/hsphere/local/home/cpanel/shiva/psoft_config/hsphere.properties';
my $MAIL_ROOT  = '/hsphere/local/var/vpopmail/domains';


# ---------------------------------------------------------------- database access

# The tables and columns read (names from H-Sphere's own SQL, see ../../SOURCES.md). The
# first group must exist; the others are read when present.
my @REQUIRED = qw(type_name parent_child users user_account accounts plans domains);
my %COLUMNS = (
    type_name      => [qw(id name)],
    parent_child   => [qw(parent_id parent_type child_id child_type account_id p_begin suspended)],
    users          => [qw(id username password reseller_id)],
    user_account   => [qw(user_id account_id)],
    accounts       => [qw(id created plan_id description p_end bi_id ci_id period_id suspended deleted)],
    resellers      => [qw(id admin_id suspended)],
    contact_info   => [qw(id address1 address2 city state postal_code country phone name last_name company email)],
    billing_info   => [qw(id address1 address2 city state postal_code country phone name last_name company email type)],
    credit_card    => [qw(id hidden_cc_number encrypted_cc_number name exp_year exp_month type)],
    balance_credit => [qw(id balance)],
    plans          => [qw(id description disabled reseller_id deleted)],
    plan_resource  => [qw(plan_id type_id disabled)],
    plan_value     => [qw(plan_id type_id name value)],
    domains        => [qw(id name)],
    dns_zones      => [qw(id name email refresh retry expire minimum master slave1 slave2)],
    dns_records    => [qw(id name type data ttl pref)],
    unix_user      => [qw(id login password dir hostid)],
    apache_vhost   => [qw(id host_id dir ssi)],
    vhost_alias    => [qw(id alias)],
    mail_services  => [qw(id mail_server)],
    mail_domain    => [qw(id catch_all)],
    mailboxes      => [qw(id email full_email password)],
    quotas         => [qw(id size_mb)],
    mail_aliases   => [qw(id email_local email_foreign)],
    mail_forwards  => [qw(id email_local email_foreign)],
    responders     => [qw(id local_email subject message)],
    mysqlres       => [qw(id mysql_host_id)],
    mysqldb        => [qw(id db_name parent_id)],
    mysql_users    => [qw(id login password parent_id)],
    pgsqlres       => [qw(id pgsql_host_id)],
    pgsqldb        => [qw(id db_name parent_id db_ownerid)],
    pgsql_users    => [qw(id login password parent_id)],
    l_server       => [qw(id name)],
    l_server_ips   => [qw(l_server_id ip)],
);

# Resource type names (type_name.name, compared case-insensitively) for each role.
my %ROLE = (
    account   => ['account'],
    unixuser  => ['unixuser'],
    hosting   => ['hosting'],
    alias     => ['vhost_alias'],
    mailsvc   => ['mail_service'],
    maildom   => ['mail_domain'],
    mailbox   => ['mailbox'],
    forward   => ['mail_forward'],
    malias    => ['mailbox_alias', 'mail_alias'],
    responder => ['responder', 'autoresponder'],
    quota     => ['mail_quota'],
    zone      => ['dns_zone'],
    mysql     => ['mysql'],
    mysqldb   => ['mysqldatabase', 'mysqldb'],
    mysqluser => ['mysqluser'],
    pgsql     => ['pgsql', 'postgresql'],
    pgsqldb   => ['pgsqldatabase', 'pgsqldb'],
    pgsqluser => ['pgsqluser'],
);
# Domain resource types → the Migration API's domain kind.
my %DOMAIN_KIND = (domain => 'regular', '3ldomain' => 'regular', service_domain => 'regular',
    stopgap_domain => 'regular', parked_domain => 'parked', subdomain => 'subdomain');

sub properties {
    my ($ctx) = @_;
    my %p;
    for my $l (read_lines(in_root($ctx->{root}, $PROPERTIES))) {
        next if $l =~ /\A\s*[#!]/;
        $p{ trim($1) } = trim($2) if $l =~ /\A\s*([^=:\s]+)\s*[=:]\s*(.*)\z/;
    }
    return \%p;
}

sub db_settings {
    my ($ctx) = @_;
    my $o = $ctx->{opts};
    my $p = properties($ctx);
    my ($host, $port, $name);
    if (defined $p->{DB_URL} && $p->{DB_URL} =~ m{\Ajdbc:postgresql://([^/:]+)(?::(\d+))?/([^?;]+)}) {
        ($host, $port, $name) = ($1, $2, $3);
    }
    my %s = (
        host => $o->{'db-host'} // $ENV{PGHOST} // $host,
        port => $o->{'db-port'} // $ENV{PGPORT} // $port,
        name => $o->{'db-name'} // $ENV{PGDATABASE} // $name // 'hsphere',
        user => $o->{'db-user'} // $ENV{PGUSER} // $p->{DB_USER} // 'wwwuser',
    );
    MigrationAgent::usage_error('--db-port must be a number') if defined $s{port} && $s{port} !~ /\A\d+\z/;
    if (defined $o->{'db-password-file'}) {
        my $t = read_text($o->{'db-password-file'});
        MigrationAgent::fail("cannot read $o->{'db-password-file'}: $!") unless defined $t;
        ($s{password}) = split /\r?\n/, $t;
    }
    elsif (defined $ENV{PGPASSWORD}) { $s{password} = $ENV{PGPASSWORD}; }
    else { $s{password} = $p->{DB_PASSWORD}; }
    return \%s;
}

# Runs psql on a script (constant SQL only: nothing read from the source is ever put into
# it) and returns its standard output. Arguments are a list, never a shell line; the
# password travels in the child's PGPASSWORD.
sub psql {
    my ($ctx, $sql) = @_;
    my $s = $ctx->{db} ||= db_settings($ctx);
    my $tmp = File::Temp->new(TEMPLATE => 'mm-hsphere-XXXXXX', TMPDIR => 1);
    binmode $tmp;
    print {$tmp} $sql;
    $tmp->flush;
    my $err = File::Temp->new(TEMPLATE => 'mm-hsphere-err-XXXXXX', TMPDIR => 1);
    my $bin = $ctx->{opts}{psql} // 'psql';
    my @args = ('-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', $tmp->filename, '-d', $s->{name}, '-U', $s->{user});
    push @args, '-h', $s->{host} if defined $s->{host} && length $s->{host};
    push @args, '-p', $s->{port} if defined $s->{port};
    my $pid = open(my $fh, '-|');
    MigrationAgent::fail("cannot run psql: $!") unless defined $pid;
    if (!$pid) {
        open(STDERR, '>', $err->filename) or POSIX::_exit(126);
        open(STDIN, '<', '/dev/null');
        $ENV{PGPASSWORD} = $s->{password} if defined $s->{password};
        $ENV{PGCLIENTENCODING} = 'UTF8';
        $ENV{PGCONNECT_TIMEOUT} = '15' unless defined $ENV{PGCONNECT_TIMEOUT};
        { no warnings 'exec'; exec { $bin } $bin, @args; }
        print STDERR "cannot run $bin: $!\n";
        POSIX::_exit(127);
    }
    binmode $fh;
    local $/;
    my $out = <$fh>;
    close $fh;
    my $status = $?;
    if ($status) {
        my ($msg) = grep { length } map { trim($_) } read_lines($err->filename);
        MigrationAgent::fail('psql failed (exit ' . ($status >> 8) . '): ' . ($msg // 'no message'));
    }
    return defined $out ? $out : '';
}

# COPY text format: tab-separated, one row per line, \N = NULL, backslash escapes.
my %UNESC = (b => "\b", f => "\f", n => "\n", r => "\r", t => "\t", v => "\013", '\\' => '\\');
sub _field {
    my ($f) = @_;
    return undef if $f eq '\\N';
    $f =~ s/\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))/defined $1 ? chr(oct $1) : defined $2 ? chr(hex $2) : exists $UNESC{$3} ? $UNESC{$3} : $3/ge;
    return $f;
}

sub load_db {
    my ($ctx) = @_;
    return $ctx->{hs} if $ctx->{hs};
    my %have = map { $_ => 1 } grep { length } split /\n/, psql($ctx,
        "COPY (SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')) TO STDOUT;\n");
    for (@REQUIRED) { MigrationAgent::fail("table $_ is missing: is this H-Sphere's system database?") unless $have{$_}; }
    my $script = '';
    for my $t (sort keys %COLUMNS) {
        next unless $have{$t};
        $script .= "COPY (SELECT '$t', " . join(', ', @{ $COLUMNS{$t} }) . " FROM $t) TO STDOUT;\n";
    }
    my %rows = map { $_ => [] } keys %COLUMNS;
    my $out = psql($ctx, $script);
    for my $line (split /\n/, $out) {
        my ($t, @f) = split /\t/, $line, -1;
        my $cols = $COLUMNS{$t} or next;
        my %r;
        @r{@$cols} = map { _field($_) } @f;
        push @{ $rows{$t} }, \%r;
    }
    $ctx->{hs} = build_index(\%rows);
    return $ctx->{hs};
}

# ---------------------------------------------------------------- the resource tree

sub by_id { my ($list) = @_; return { map { $_->{id} => $_ } @$list }; }

sub build_index {
    my ($rows) = @_;
    my $h = { rows => $rows };
    $h->{$_} = by_id($rows->{$_}) for grep { $_ ne 'parent_child' && $_ ne 'user_account' && $_ ne 'plan_value'
          && $_ ne 'plan_resource' && $_ ne 'l_server_ips' } keys %$rows;
    my %tid;
    for my $t (@{ $rows->{type_name} }) { $h->{tname}{ $t->{id} } = lc $t->{name}; $h->{tlabel}{ $t->{id} } = $t->{name}; push @{ $tid{ lc $t->{name} } }, $t->{id}; }
    $h->{role_of} = {};
    for my $role (keys %ROLE) {
        for my $n (@{ $ROLE{$role} }) { $h->{role_of}{$_} = $role for @{ $tid{$n} || [] }; }
    }
    for my $n (keys %DOMAIN_KIND) { $h->{domain_type}{$_} = $n for @{ $tid{$n} || [] }; }
    my ($acct_type) = @{ $tid{account} || [0] };
    $h->{account_type} = $acct_type;
    # live accounts: deleted IS NULL
    $h->{live} = { map { $_->{id} => $_ } grep { !defined $_->{deleted} } @{ $rows->{accounts} } };
    for my $pc (@{ $rows->{parent_child} }) {
        next unless defined $pc->{p_begin} && $h->{live}{ $pc->{account_id} };
        next unless defined $pc->{parent_id};
        push @{ $h->{kids}{"$pc->{parent_id}/" . ($pc->{parent_type} // '')} }, $pc;
        $h->{suspended_res}{"$pc->{child_id}/$pc->{child_type}"} = 1 if $pc->{suspended};
    }
    for my $pc (@{ $rows->{parent_child} }) {
        $h->{account_suspended}{ $pc->{account_id} } = 1
          if $pc->{suspended} && $pc->{child_id} eq $pc->{account_id} && $pc->{child_type} eq $acct_type;
    }
    $h->{user_of} = { map { $_->{account_id} => $_->{user_id} } @{ $rows->{user_account} } };
    for my $pv (@{ $rows->{plan_value} }) {
        $h->{pv}{ $pv->{plan_id} }{ defined $pv->{type_id} ? $pv->{type_id} : '' }{ $pv->{name} } = $pv->{value};
    }
    push @{ $h->{plan_res}{ $_->{plan_id} } }, $_ for @{ $rows->{plan_resource} };
    push @{ $h->{ips}{ $_->{l_server_id} } }, $_->{ip} for @{ $rows->{l_server_ips} };
    return $h;
}

# Children of a resource, optionally only those of the given roles, ordered by id.
sub kids {
    my ($h, $id, $type, @roles) = @_;
    my @k = @{ $h->{kids}{"$id/$type"} || [] };
    if (@roles) {
        my %want = map { $_ => 1 } @roles;
        @k = grep { $want{ $h->{role_of}{ $_->{child_type} } // '' } } @k;
    }
    return sort { $a->{child_id} <=> $b->{child_id} } @k;
}

sub day { my ($ts) = @_; return undef unless defined $ts && $ts =~ /\A(\d{4}-\d\d-\d\d)/; return $1; }

sub server_name { my ($h, $id) = @_; return undef unless defined $id && $h->{l_server}{$id}; return $h->{l_server}{$id}{name}; }

sub account_suspended {
    my ($h, $aid) = @_;
    my $a = $h->{live}{$aid};
    return $a && (defined $a->{suspended} || $h->{account_suspended}{$aid});
}

# The domain resources of an account (domains below the account and subdomains below those).
sub account_domains {
    my ($h, $aid) = @_;
    my @out;
    my @todo = map { [$_, undef] } kids($h, $aid, $h->{account_type});
    while (my $e = shift @todo) {
        my ($pc, $parent) = @$e;
        my $dtype = $h->{domain_type}{ $pc->{child_type} } or next;
        my $row = $h->{domains}{ $pc->{child_id} } or next;
        push @out, { rid => $pc->{child_id}, rtype => $pc->{child_type}, name => $row->{name}, type => $dtype, parent => $parent };
        push @todo, map { [$_, $pc->{child_id}] } kids($h, $pc->{child_id}, $pc->{child_type});
    }
    return @out;
}

sub mail_root { my ($ctx) = @_; return $ctx->{opts}{'mail-root'} // $MAIL_ROOT; }

sub maildir { my ($ctx, $domain, $local) = @_; return mail_root($ctx) . "/$domain/$local/Maildir"; }

# ---------------------------------------------------------------- inventory

sub contact_of {
    my ($c) = @_;
    return undef unless $c;
    my %addr = (street => $c->{address1}, address2 => $c->{address2}, city => $c->{city}, state => $c->{state},
        zip => $c->{postal_code});
    $addr{country} = uc $c->{country} if defined $c->{country} && $c->{country} =~ /\A[A-Za-z]{2}\z/;
    return { firstName => $c->{name}, lastName => $c->{last_name}, email => $c->{email},
        (defined $c->{phone} && length $c->{phone} ? (phone => { number => $c->{phone} }) : ()), address => \%addr };
}

sub period_of {
    my ($h, $plan, $n) = @_;
    my $pv = $h->{pv}{$plan}{''} || {};
    my %type = (DAY => 'day', WEEK => 'week', MONTH => 'month', YEAR => 'year');
    my $t = $type{ uc($pv->{"_PERIOD_TYPE_$n"} // '') };
    my $size = $pv->{"_PERIOD_SIZE_$n"};
    return () unless $t && defined $size && $size =~ /\A\d+\z/;
    return (period => $size, periodType => $t, billingPeriod => $size, billingPeriodType => $t);
}

sub price { my ($v) = @_; return defined $v && $v =~ /\A-?\d+(?:\.\d+)?\z/ ? $v : undef; }

sub inventory {
    my ($ctx) = @_;
    my $h = load_db($ctx);
    my $cur = $ctx->{opts}{currency} // 'USD';
    MigrationAgent::usage_error('--currency must be three capital letters') unless $cur =~ /\A[A-Z]{3}\z/;
    my $money = sub { my $v = price($_[0]); return defined $v ? { amount => $v, currency => $cur } : undef; };
    my %res_admin = map { ($_->{admin_id} // '') => 1 } values %{ $h->{resellers} || {} };

    my (%user_accounts);
    for my $aid (sort { $a <=> $b } keys %{ $h->{live} }) {
        my $uid = $h->{user_of}{$aid} // next;
        push @{ $user_accounts{$uid} }, $h->{live}{$aid};
    }
    my (@accounts, @subs, @domains, %servers_used, %plans_used);
    for my $u (sort { $a->{id} <=> $b->{id} } values %{ $h->{users} }) {
        next if $u->{id} eq '1' || $res_admin{ $u->{id} };    # the provider and resellers' own admin logins
        my $accs = $user_accounts{ $u->{id} } or next;           # no live account: deleted
        my $is_res = $h->{resellers}{ $u->{id} };
        my $first = $accs->[0];
        my $ci = $h->{contact_info}{ $first->{ci_id} // '' };
        my ($bi) = map { $h->{billing_info}{ $_->{bi_id} } } grep { defined $_->{bi_id} && $h->{billing_info}{ $_->{bi_id} } } @$accs;
        my $balance;
        for my $a (@$accs) {
            my $b = $h->{balance_credit}{ $a->{id} } or next;
            next unless defined price($b->{balance});
            $balance = ($balance // 0) + $b->{balance};
        }
        my @tools;
        if ($bi && uc($bi->{type} // '') eq 'CC' && (my $cc = $h->{credit_card}{ $bi->{id} })) {
            push @tools, { type => 'creditCard', holder => $cc->{name}, cardType => $cc->{type}, maskedNumber => $cc->{hidden_cc_number},
                expMonth => $cc->{exp_month}, expYear => $cc->{exp_year}, default => 1, encryptedNumber => $cc->{encrypted_cc_number} };
        }
        my $all_susp = !grep { !account_suspended($h, $_->{id}) } @$accs;
        my $parent = defined $u->{reseller_id} && $u->{reseller_id} ne '1' && $h->{resellers}{ $u->{reseller_id} } ? $u->{reseller_id} : undef;
        my ($created) = sort { $a cmp $b } grep { defined } map { day($_->{created}) } @$accs;
        push @accounts, {
            id => $u->{id}, type => ($is_res ? 'reseller' : 'customer'), parentId => $parent, company => ($ci ? $ci->{company} : undef),
            status => (($is_res && defined $is_res->{suspended}) || $all_susp ? 'suspended' : 'active'), created => $created,
            ccpLogin => { login => $u->{username}, password => (defined $u->{password} ? { value => $u->{password}, crypted => 0, scheme => 'PLAIN' } : undef) },
            adminContact => contact_of($ci), billingContact => contact_of($bi), address => ($ci ? contact_of($ci)->{address} : undef),
            balance => (defined $balance ? { amount => sprintf('%.2f', $balance), currency => $cur } : undef), paymentTools => \@tools,
        };
        for my $a (@$accs) {
            my $n = $a->{period_id} // 0;
            my $plan = $h->{plans}{ $a->{plan_id} // '' };
            my $fees = $h->{pv}{ $a->{plan_id} // '' }{ $h->{account_type} } || {};
            my $susp = account_suspended($h, $a->{id});
            my @doms = account_domains($h, $a->{id});
            my $main = (grep { $_->{type} eq 'domain' && !defined $_->{parent} } @doms)[0] || $doms[0];
            my $unix = (kids($h, $a->{id}, $h->{account_type}, 'unixuser'))[0];
            my $uu = $unix ? $h->{unix_user}{ $unix->{child_id} } : undef;
            $servers_used{ $uu->{hostid} }{web} = 1 if $uu && defined $uu->{hostid};
            $plans_used{ $a->{plan_id} } = 1 if defined $a->{plan_id};
            push @subs, {
                id => $a->{id}, accountId => $u->{id}, templateId => ($plan ? $a->{plan_id} : 'hsphere-unknown-plan'),
                name => ($a->{description} // ($plan ? $plan->{description} : undef)), status => ($susp ? 'suspended' : 'active'),
                created => day($a->{created}), expires => day($a->{p_end}), nextBillingDate => day($a->{p_end}),
                period_of($h, $a->{plan_id} // '', $n),
                subscriptionFee => $money->($fees->{"_UNIT_PRICE_$n"}), setupFee => $money->($fees->{"_SETUP_PRICE_$n"}),
                domains => [map { $_->{name} } @doms],
            };
            for my $d (@doms) {
                my @content;
                my ($vh) = kids($h, $d->{rid}, $d->{rtype}, 'hosting');
                my $vrow = $vh ? $h->{apache_vhost}{ $vh->{child_id} } : undef;
                $servers_used{ $vrow->{host_id} }{web} = 1 if $vrow && defined $vrow->{host_id};
                push @content, { kind => 'site', id => $d->{name} } if $vrow && $uu;
                for my $mb (mailboxes($h, $d)) {
                    my $md = in_root($ctx->{root}, maildir($ctx, $d->{name}, $mb->{local}));
                    push @content, { kind => 'mailbox', id => $mb->{address} } if -d $md;
                }
                push @domains, {
                    id => $d->{name}, name => $d->{name}, accountId => $u->{id}, hostingSubscriptionId => $a->{id},
                    kind => $DOMAIN_KIND{ $d->{type} } // 'regular', status => ($susp ? 'suspended' : 'active'),
                    serverId => ($vrow && defined $vrow->{host_id} && $h->{l_server}{ $vrow->{host_id} } ? $vrow->{host_id} : undef),
                    content => \@content,
                    _h => { account => $a->{id}, rid => $d->{rid}, rtype => $d->{rtype}, main => ($main && $main->{rid} eq $d->{rid}),
                        unix => $uu, vhost => $vrow },
                };
            }
        }
    }
    my @templates;
    for my $p (sort { $a->{id} <=> $b->{id} } values %{ $h->{plans} }) {
        next if defined $p->{deleted} && !$plans_used{ $p->{id} };
        my @res;
        for my $r (@{ $h->{plan_res}{ $p->{id} } || [] }) {
            next if $r->{type_id} eq $h->{account_type};
            my $pv = $h->{pv}{ $p->{id} }{ $r->{type_id} } || {};
            my $name = $h->{tlabel}{ $r->{type_id} } // $r->{type_id};
            my $free = $pv->{_FREE_UNITS_0};
            push @res, { id => $name, name => $name, included => (defined $free && $free =~ /\A\d+\z/ ? $free : undef),
                setupFee => $money->($pv->{_SETUP_PRICE_0}), recurringFee => $money->($pv->{_UNIT_PRICE_0}) };
        }
        push @templates, { id => $p->{id}, name => $p->{description} // "plan $p->{id}", kind => 'hosting',
            disabled => ($p->{disabled} ? 1 : 0), resources => \@res,
            (defined $p->{reseller_id} && $p->{reseller_id} ne '1' ? (description => "plan of reseller $p->{reseller_id}") : ()) };
    }
    push @templates, { id => 'hsphere-unknown-plan', name => 'Unknown plan (virtual)', virtual => 1, kind => 'hosting' }
      if grep { $_->{templateId} eq 'hsphere-unknown-plan' } @subs;

    # servers: every logical server, with the roles the inventory uses it for
    for my $z (values %{ $h->{dns_zones} || {} }) { $servers_used{$_}{dns} = 1 for grep { defined } @$z{qw(master slave1 slave2)}; }
    $servers_used{ $_->{mail_server} }{mail} = 1 for grep { defined $_->{mail_server} } values %{ $h->{mail_services} || {} };
    $servers_used{ $_->{mysql_host_id} }{db} = 1 for grep { defined $_->{mysql_host_id} } values %{ $h->{mysqlres} || {} };
    $servers_used{ $_->{pgsql_host_id} }{db} = 1 for grep { defined $_->{pgsql_host_id} } values %{ $h->{pgsqlres} || {} };
    my @servers = map {
        my $s = $_;
        { id => $s->{id}, hostname => $s->{name}, roles => [grep { $servers_used{ $s->{id} }{$_} } qw(web mail dns db)],
            ips => [map { { address => $_ } } @{ $h->{ips}{ $s->{id} } || [] }] }
    } sort { $a->{id} <=> $b->{id} } values %{ $h->{l_server} || {} };
    my $p = properties($ctx);
    return { platform => { kind => 'hsphere', name => 'H-Sphere', version => $p->{HS_VERSION} // $p->{VERSION} },
        servers => \@servers, templates => \@templates, accounts => \@accounts, subscriptions => \@subs, domains => \@domains };
}

# ---------------------------------------------------------------- domain services

sub mail_domain_of {
    my ($h, $d) = @_;
    my ($svc) = kids($h, $d->{rid}, $d->{rtype}, 'mailsvc') or return ();
    my ($md) = kids($h, $svc->{child_id}, $svc->{child_type}, 'maildom') or return ();
    return ($svc, $md);
}

sub mailboxes {
    my ($h, $d) = @_;
    my ($svc, $md) = mail_domain_of($h, $d) or return ();
    my @out;
    for my $pc (kids($h, $md->{child_id}, $md->{child_type}, 'mailbox')) {
        my $r = $h->{mailboxes}{ $pc->{child_id} } or next;
        my $local = $r->{email};
        ($local) = $r->{full_email} =~ /\A(.*)\@/s if !defined $local && defined $r->{full_email};
        next unless defined $local;
        push @out, { pc => $pc, row => $r, local => $local,
            address => (defined $r->{full_email} && $r->{full_email} =~ /\@/ ? $r->{full_email} : "$local\@$d->{name}") };
    }
    return @out;
}

sub _addr { my ($s, $domain) = @_; return $s =~ /\@/ ? $s : "$s\@$domain"; }

sub domain_services {
    my ($ctx, $inv, $domain) = @_;
    my $h = load_db($ctx);
    my $x = $domain->{_h};
    my $d = { rid => $x->{rid}, rtype => $x->{rtype}, name => $domain->{name} };
    my %svc;
    my $susp = account_suspended($h, $x->{account});

    if (my ($zpc) = kids($h, $d->{rid}, $d->{rtype}, 'zone')) {
        my $z = $h->{dns_zones}{ $zpc->{child_id} };
        if ($z) {
            my $origin = $z->{name} // $d->{name};
            $origin .= '.' unless $origin =~ /\.\z/;
            my @records;
            for my $ns (grep { defined } map { server_name($h, $z->{$_}) } qw(master slave1 slave2)) {
                push @records, { host => '@', name => $origin, type => 'NS', data => ($ns =~ /\.\z/ ? $ns : "$ns.") };
            }
            for my $pc (@{ $h->{kids}{"$zpc->{child_id}/$zpc->{child_type}"} || [] }) {
                my $r = $h->{dns_records}{ $pc->{child_id} } or next;
                my $name = $r->{name} // $origin;
                $name .= '.' unless $name =~ /\.\z/;
                my $type = uc($r->{type} // '');
                my $data = $r->{data} // '';
                $data .= '.' if $type =~ /\A(?:MX|CNAME|NS|PTR|SRV)\z/ && $data =~ /[A-Za-z]/ && $data !~ /\.\z/;
                push @records, { host => MigrationAgent::Zone::relative($name, $origin), name => $name, type => $type,
                    ttl => $r->{ttl}, data => $data, ($type eq 'MX' ? (priority => $r->{pref}) : ()), _id => $r->{id} };
            }
            @records = sort { ($a->{_id} // 0) <=> ($b->{_id} // 0) } @records;
            delete $_->{_id} for @records;
            my $hm = $z->{email};
            if (defined $hm) { $hm =~ s/\@/./; $hm .= '.' unless $hm =~ /\.\z/; }
            my $primary = server_name($h, $z->{master});
            $svc{dnsZone} = { name => $origin, master => 1, records => \@records,
                (defined $primary && defined $hm ? (soa => { primaryNs => ($primary =~ /\.\z/ ? $primary : "$primary."), hostmaster => $hm,
                    map { ($_ => $z->{$_}) } qw(refresh retry expire minimum) }) : ()) };
        }
    }

    my $uu = $x->{unix};
    if (my $v = $x->{vhost}) {
        my $dir = defined $v->{dir} && length $v->{dir} ? $v->{dir} : $d->{name};
        my ($vh) = kids($h, $d->{rid}, $d->{rtype}, 'hosting');
        my @aliases = map { $h->{vhost_alias}{ $_->{child_id} } ? $h->{vhost_alias}{ $_->{child_id} }{alias} : () }
          kids($h, $vh->{child_id}, $vh->{child_type}, 'alias');
        my $ip = defined $v->{host_id} ? ($h->{ips}{ $v->{host_id} } || [])->[0] : undef;
        $svc{webHosting} = { hostname => $d->{name}, docRoot => ($uu ? ($dir =~ m{\A/} ? $dir : "$uu->{dir}/$dir") : undef),
            ip => $ip, owner => ($uu ? $uu->{login} : undef), enabled => ($susp ? 0 : 1), aliases => \@aliases,
            scripting => { ssi => ($v->{ssi} ? 1 : 0), cgi => 1 },
            (grep { $_->{kind} eq 'site' } @{ $domain->{content} || [] }) ? (contentId => "site:$d->{name}") : () };
    }

    my ($msvc, $md) = mail_domain_of($h, $d);
    if ($md) {
        my @boxes = mailboxes($h, $d);
        my %local_boxes;
        for my $dd (@{ $inv->{domains} }) {
            next unless $dd->{_h};
            $local_boxes{ lc $_->{address} } = 1 for mailboxes($h, { rid => $dd->{_h}{rid}, rtype => $dd->{_h}{rtype}, name => $dd->{name} });
        }
        my (@mb, @aliases, @fwd, @ar);
        my %content = map { ("$_->{kind}:$_->{id}" => 1) } @{ $domain->{content} || [] };
        for my $b (@boxes) {
            my ($q) = kids($h, $b->{pc}{child_id}, $b->{pc}{child_type}, 'quota');
            my $mb = $q && $h->{quotas}{ $q->{child_id} } ? $h->{quotas}{ $q->{child_id} }{size_mb} : undef;
            my $md = in_root($ctx->{root}, maildir($ctx, $d->{name}, $b->{local}));
            my ($count, $size) = maildir_stats(resolve_in_root($ctx->{root}, $md) || $md);
            push @mb, { name => $b->{local}, address => $b->{address},
                quotaKb => (defined $mb && $mb =~ /\A\d+\z/ ? $mb * 1024 : undef),
                (defined $b->{row}{password} ? (password => { value => $b->{row}{password}, crypted => 0, scheme => 'PLAIN' }) : ()),
                ($content{"mailbox:$b->{address}"} ? (messageCount => $count, sizeBytes => $size, contentId => "mailbox:$b->{address}") : ()) };
            for my $r (kids($h, $b->{pc}{child_id}, $b->{pc}{child_type}, 'responder')) {
                my $row = $h->{responders}{ $r->{child_id} } or next;
                push @ar, { address => _addr($row->{local_email} // $b->{address}, $d->{name}), subject => $row->{subject},
                    text => $row->{message} // '', enabled => 1 };
            }
        }
        for my $spec (['malias', 'mail_aliases'], ['forward', 'mail_forwards']) {
            my ($role, $table) = @$spec;
            for my $pc (kids($h, $md->{child_id}, $md->{child_type}, $role)) {
                my $row = $h->{$table}{ $pc->{child_id} } or next;
                next unless defined $row->{email_local} && defined $row->{email_foreign};
                my $addr = _addr($row->{email_local}, $d->{name});
                my @t = grep { length } split /[,\s]+/, $row->{email_foreign};
                my $keep = grep { lc $_ eq lc $addr } @t;
                @t = grep { lc $_ ne lc $addr } @t;
                next unless @t;
                my $r = { address => $addr, targets => \@t, keepCopy => ($keep ? 1 : 0) };
                if (grep { !$local_boxes{ lc $_ } } @t) { push @fwd, $r; } else { push @aliases, $r; }
            }
        }
        for my $r (kids($h, $md->{child_id}, $md->{child_type}, 'responder')) {
            my $row = $h->{responders}{ $r->{child_id} } or next;
            push @ar, { address => _addr($row->{local_email} // '', $d->{name}), subject => $row->{subject}, text => $row->{message} // '', enabled => 1 };
        }
        my @catch;
        my $ca = $h->{mail_domain}{ $md->{child_id} } ? $h->{mail_domain}{ $md->{child_id} }{catch_all} : undef;
        if (defined $ca && length $ca) {
            if ($ca =~ /\@/) { @catch = ($ca); }
            elsif (my ($b) = grep { $_->{local} eq $ca } @boxes) { @catch = ($b->{address}); }
        }
        $svc{mail} = { enabled => ($susp ? 0 : 1), mailboxes => \@mb, aliases => \@aliases, forwarders => \@fwd, autoresponders => \@ar,
            catchAll => \@catch };
    }

    if ($x->{main}) {
        my @dbs;
        for my $spec (['mysql', 'mysqldb', 'mysqluser', 'mysqlres', 'mysql_host_id', 'mysqldb', 'mysql_users', 'mysql'],
            ['pgsql', 'pgsqldb', 'pgsqluser', 'pgsqlres', 'pgsql_host_id', 'pgsqldb', 'pgsql_users', 'postgresql']) {
            my ($role, $dbrole, $userrole, $restable, $hostcol, $dbtable, $usertable, $kind) = @$spec;
            for my $res (kids($h, $x->{account}, $h->{account_type}, $role)) {
                my $rr = $h->{$restable}{ $res->{child_id} };
                my $server = $rr ? server_name($h, $rr->{$hostcol}) : undef;
                my @users = grep { defined } map { $h->{$usertable}{ $_->{child_id} } } kids($h, $res->{child_id}, $res->{child_type}, $userrole);
                for my $dpc (kids($h, $res->{child_id}, $res->{child_type}, $dbrole)) {
                    my $db = $h->{$dbtable}{ $dpc->{child_id} } or next;
                    my @u = defined $db->{db_ownerid} ? grep { $_->{id} eq $db->{db_ownerid} } @users : @users;
                    push @dbs, { name => $db->{db_name}, type => $kind, server => $server,
                        users => [map { { login => $_->{login}, password => (defined $_->{password} ? { value => $_->{password}, crypted => 0, scheme => 'PLAIN' } : undef) } } @u] };
                }
            }
        }
        $svc{databases} = \@dbs;
        $svc{ftpUsers} = [{ login => $uu->{login}, home => $uu->{dir},
            (defined $uu->{password} ? (password => { value => $uu->{password}, crypted => 0, scheme => 'PLAIN' }) : ()) }] if $uu;
    }
    return \%svc;
}

# ---------------------------------------------------------------- content and disable

sub content {
    my ($ctx, $inv, $domain, $kind, $id) = @_;
    my $h = load_db($ctx);
    my $x = $domain->{_h};
    if ($kind eq 'site') {
        my $v = $x->{vhost} or return undef;
        my $uu = $x->{unix} or return undef;
        my $dir = defined $v->{dir} && length $v->{dir} ? $v->{dir} : $domain->{name};
        return { path => in_root($ctx->{root}, $dir =~ m{\A/} ? $dir : "$uu->{dir}/$dir") };
    }
    if ($kind eq 'mailbox') {
        my ($b) = grep { lc $_->{address} eq lc $id } mailboxes($h, { rid => $x->{rid}, rtype => $x->{rtype}, name => $domain->{name} });
        return $b ? { path => in_root($ctx->{root}, maildir($ctx, $domain->{name}, $b->{local})) } : undef;
    }
    return undef;
}

# Suspends the accounts the way H-Sphere marks a suspended account in its database:
# accounts.suspended (time) + suspend_reason, and parent_child.suspended = 1 on every
# resource of the account. One transaction; only ids read from the database are used.
sub disable {
    my ($ctx, $inv, $subs) = @_;
    my @ids = map { $_->{id} } @$subs;
    for (@ids) { MigrationAgent::fail("subscription id '$_' is not an H-Sphere account id") unless /\A\d+\z/; }
    my $sql = "BEGIN;\n";
    for my $id (@ids) {
        $sql .= "UPDATE accounts SET suspended = now(), suspend_reason = 'Migrated by Migration Manager' WHERE id = $id AND suspended IS NULL;\n"
          . "UPDATE parent_child SET suspended = 1 WHERE account_id = $id;\n";
    }
    psql($ctx, "$sql COMMIT;\n");
    return [map { { id => $_, status => 'disabled', note => 'account suspended in the H-Sphere database (accounts.suspended, parent_child.suspended)' } } @ids];
}

# ---------------------------------------------------------------- main

exit MigrationAgent::run(
    name            => 'hsphere',
    version         => $VERSION,
    apiVersion      => 2,
    options         => { map { $_ => 1 } qw(db-host db-port db-name db-user db-password-file psql currency mail-root) },
    inventory       => \&inventory,
    domain_services => \&domain_services,
    content         => \&content,
    disable         => \&disable,
);
