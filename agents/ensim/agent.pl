#!/usr/bin/perl
# Ensim Pro for Linux (WEBppliance) migration agent: one subscription per site tree
# /home/virtual/siteN (chroot fst/, per-site etc/passwd, docroot var/www/html).
# Everything that is not publicly documented (the info/current/ snapshots, virtusertable,
# mbox spools, BIND paths) is read by the package EnsimReader at the end of this file, the
# one place to change when a real server differs. What is checked and what is modelled:
# README.md beside this file.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use MigrationAgent;
use MigrationAgent::Util qw(in_root read_text read_lines password_from_hash mbox_stats);
use MigrationAgent::Zone;

our $VERSION = '1.3.0';

sub sites { my ($ctx) = @_; return @{ $ctx->{sites} ||= [EnsimReader::sites($ctx->{root})] }; }

sub site_of { my ($ctx, $domain) = @_; my ($s) = grep { $_->{handle} eq $domain->{hostingSubscriptionId} } sites($ctx); return $s; }

sub inventory {
    my ($ctx) = @_;
    my (@accounts, @subs, @domains, %templates, %ips);
    for my $s (sites($ctx)) {
        my $si = $s->{info}{siteinfo};
        my $enabled = EnsimReader::on($si->{enabled}, 1);
        my $admin = $s->{users}{ $si->{admin} // '' };
        my $plan = $si->{plan};
        my $tid = defined $plan && length $plan ? "ensim-plan:$plan" : 'ensim-site';
        $templates{$tid} //= { id => $tid, name => (defined $plan && length $plan ? "$plan (virtual)" : 'Ensim site (virtual)'),
            virtual => 1, kind => 'hosting' };
        $ips{$_} = 1 for @{ $s->{ips} };
        push @accounts, { id => $s->{handle}, type => 'customer', status => ($enabled ? 'active' : 'suspended'),
            company => $si->{company},
            ccpLogin => { login => $si->{admin} // $si->{admin_user} // $s->{handle},
                password => ($admin ? password_from_hash($admin->{hash}) : undef) },
            adminContact => (defined $si->{email} ? { email => $si->{email}, firstName => ($admin ? $admin->{name} : undef) } : undef) };
        push @subs, { id => $s->{handle}, accountId => $s->{handle}, templateId => $tid, name => $s->{domain},
            status => ($enabled ? 'active' : 'suspended'), domains => [$s->{domain}] };
        my @content;
        push @content, { kind => 'site', id => $s->{domain} } if -d EnsimReader::path($s, '/var/www/html');
        for my $u (EnsimReader::mail_users($s)) {
            push @content, { kind => 'mailbox', id => "$u->{login}\@$s->{domain}" } if -f EnsimReader::path($s, "/var/spool/mail/$u->{login}");
        }
        push @domains, { id => $s->{domain}, name => $s->{domain}, accountId => $s->{handle}, hostingSubscriptionId => $s->{handle},
            kind => 'regular', status => ($enabled ? 'active' : 'suspended'), serverId => 'ensim', content => \@content };
    }
    my $host = EnsimReader::hostname($ctx->{root});
    return { platform => { kind => 'ensim', name => 'Ensim Pro for Linux', version => EnsimReader::version($ctx->{root}) },
        servers => [{ id => 'ensim', hostname => $host, roles => [qw(web mail dns db)], ips => [map { { address => $_ } } sort keys %ips] }],
        templates => [map { $templates{$_} } sort keys %templates], accounts => \@accounts, subscriptions => \@subs, domains => \@domains };
}

sub domain_services {
    my ($ctx, $inv, $domain) = @_;
    my $s = site_of($ctx, $domain) or return {};
    my $info = $s->{info};
    my $enabled = EnsimReader::on($info->{siteinfo}{enabled}, 1);
    my %content = map { ("$_->{kind}:$_->{id}" => 1) } @{ $domain->{content} || [] };
    my %svc;

    if (my $z = EnsimReader::zone($ctx->{root}, $s->{domain})) {
        my $p = MigrationAgent::Zone::parse(file => $z->{path}, display => $z->{file}, origin => $s->{domain}, root => $ctx->{root});
        $svc{dnsZone} = { name => $p->{origin}, ttl => $p->{ttl}, master => 1, soa => $p->{soa}, records => $p->{records} };
    }
    if (EnsimReader::on($info->{apache}{enabled}, 1)) {
        $svc{webHosting} = { hostname => $s->{domain}, docRoot => "$s->{dir}/fst/var/www/html", ip => $s->{ips}[0],
            owner => $info->{siteinfo}{admin_user}, enabled => ($enabled ? 1 : 0), aliases => EnsimReader::list($info->{apache}{aliases}),
            scripting => { php => EnsimReader::on($info->{apache}{php}, 0), cgi => (-d EnsimReader::path($s, '/var/www/cgi-bin') ? 1 : 0),
                ssi => EnsimReader::on($info->{apache}{ssi}, 0) },
            ($content{"site:$s->{domain}"} ? (contentId => "site:$s->{domain}") : ()) };
    }

    my @users = EnsimReader::mail_users($s);
    my %local = map { my $ss = $_; map { (lc "$_->{login}\@$ss->{domain}" => 1) } EnsimReader::mail_users($ss) } sites($ctx);
    my $quota = $info->{users}{quota};
    my (@boxes, @aliases, @fwd, @catch);
    for my $u (@users) {
        my $addr = "$u->{login}\@$s->{domain}";
        my ($count, $size) = mbox_stats(EnsimReader::path($s, "/var/spool/mail/$u->{login}"));
        push @boxes, { name => $u->{login}, address => $addr, password => password_from_hash($u->{hash}),
            quotaKb => (defined $quota && $quota =~ /\A\d+\z/ ? $quota * 1024 : undef),
            ($content{"mailbox:$addr"} ? (messageCount => $count, sizeBytes => $size, contentId => "mailbox:$addr") : ()) };
    }
    my $qualify = sub { my ($t) = @_; return $t =~ /\@/ ? $t : "$t\@$s->{domain}"; };
    my @redirects = ((map { [$_->[0] . "\@$s->{domain}", $_->[1]] } EnsimReader::site_aliases($s)),
        EnsimReader::virtusers($ctx->{root}, $s));
    for my $r (@redirects) {
        my ($addr, $targets) = @$r;
        my @t = map { $qualify->($_) } grep { !/\A(?:error:|\|)/ } @$targets;
        next unless @t;
        if ($addr =~ /\A\@/) { push @catch, @t; next; }
        my $keep = grep { lc $_ eq lc $addr } @t;
        @t = grep { lc $_ ne lc $addr } @t;
        next unless @t;
        my $x = { address => $addr, targets => \@t, keepCopy => ($keep ? 1 : 0) };
        if (grep { !$local{ lc $_ } } @t) { push @fwd, $x; } else { push @aliases, $x; }
    }
    $svc{mail} = { enabled => ($enabled ? 1 : 0), mailboxes => \@boxes, aliases => \@aliases, forwarders => \@fwd, catchAll => \@catch }
      if @boxes || @redirects;

    my $my = $info->{mysql};
    if (EnsimReader::on($my->{enabled}, 0)) {
        my $owner = $my->{dbaseadmin};
        $svc{databases} = [map { { name => $_, type => 'mysql', server => 'localhost', users => (defined $owner ? [{ login => $owner }] : []) } }
              @{ EnsimReader::list($my->{dbasenames}) }];
    }
    my $admin = $s->{users}{ $info->{siteinfo}{admin} // '' };
    $svc{ftpUsers} = [{ login => $admin->{login}, home => "$s->{dir}/fst", password => password_from_hash($admin->{hash}) }] if $admin;
    return \%svc;
}

sub content {
    my ($ctx, $inv, $domain, $kind, $id) = @_;
    my $s = site_of($ctx, $domain) or return undef;
    return { path => EnsimReader::path($s, '/var/www/html') } if $kind eq 'site';
    if ($kind eq 'mailbox') {
        my ($u) = grep { lc "$_->{login}\@$s->{domain}" eq lc $id } EnsimReader::mail_users($s);
        return $u ? { path => EnsimReader::path($s, "/var/spool/mail/$u->{login}") } : undef;
    }
    return undef;
}

# Ensim's disabled state: the site's snapshot says enabled = 0 (see README).
sub disable {
    my ($ctx, $inv, $subs) = @_;
    my @out;
    for my $sub (@$subs) {
        my ($s) = grep { $_->{handle} eq $sub->{id} } sites($ctx);
        EnsimReader::set_enabled($s, 0);
        push @out, { id => $sub->{id}, status => 'disabled', note => "$s->{handle}: siteinfo enabled = 0" };
    }
    return \@out;
}


# ============================================================================ EnsimReader
# The replaceable reader: everything of Ensim that is not publicly documented is read here
# (UNVERIFIED, modelled on secondary descriptions; see README.md):
#   /home/virtual/siteN/info/current/<service>   key = value snapshots (Python-like values:
#                                                 'text', "text", 1, [ 'a', 'b' ])
#   /home/virtual/siteN/fst/etc/passwd, shadow   the site's users (publicly described)
#   /home/virtual/siteN/fst/etc/aliases          sendmail aliases of the site
#   /etc/mail/virtusertable                      address → target (@domain = catch-all)
#   /home/virtual/siteN/fst/var/spool/mail/<u>   mbox spools
#   /etc/named.conf (+ directory /var/named)     BIND zones
package EnsimReader;
use strict;
use warnings;
use MigrationAgent::Util qw(in_root read_text read_lines trim);

my @SERVICES = qw(siteinfo ipinfo apache users aliases mysql bind proftpd sendmail);

sub path { my ($s, $p) = @_; return "$s->{path}/fst$p"; }

sub on {
    my ($v, $default) = @_;
    return $default unless defined $v && length $v;
    return $v =~ /\A(?:1|true|yes|on)\z/i ? 1 : 0;
}

sub list {
    my ($v) = @_;
    return [] unless defined $v;
    return $v if ref $v eq 'ARRAY';
    return [grep { length } split /[\s,]+/, $v];
}

sub _value {
    my ($v) = @_;
    $v = trim($v);
    if ($v =~ /\A\[(.*)\]\z/s) {
        my ($body, @items) = ($1);
        while ($body =~ /\G\s*,?\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^,\s]+))/gc) {
            my $x = defined $1 ? $1 : defined $2 ? $2 : $3;
            $x =~ s/\\(.)/$1/g if !defined $3;
            push @items, $x;
        }
        return \@items;
    }
    if ($v =~ /\A'((?:[^'\\]|\\.)*)'\z/s || $v =~ /\A"((?:[^"\\]|\\.)*)"\z/s) { (my $x = $1) =~ s/\\(.)/$1/g; return $x; }
    return undef if $v eq 'None';
    return $v;
}

sub read_config {
    my ($file) = @_;
    my %c;
    for my $l (read_lines($file)) {
        next if $l =~ /\A\s*(?:#|\z)/;
        $c{ trim($1) } = _value($2) if $l =~ /\A\s*([A-Za-z0-9_.-]+)\s*=\s*(.*)\z/;
    }
    return \%c;
}

sub _passwd {
    my ($s) = @_;
    my %hash;
    for (read_lines(path($s, '/etc/shadow'))) { my @f = split /:/, $_, -1; $hash{ $f[0] } = $f[1] if @f > 1; }
    my %users;
    for (read_lines(path($s, '/etc/passwd'))) {
        my @f = split /:/, $_, -1;
        next unless @f >= 7;
        my ($name) = split /,/, $f[4];
        $users{ $f[0] } = { login => $f[0], uid => $f[2], name => $name, home => $f[5], hash => $hash{ $f[0] }, order => scalar keys %users };
    }
    return \%users;
}

# The site's mail users: passwd entries with a home below /home (system entries are not).
sub mail_users {
    my ($s) = @_;
    return sort { $a->{order} <=> $b->{order} } grep { $_->{home} =~ m{\A/home/[^/]+} } values %{ $s->{users} };
}

sub sites {
    my ($root) = @_;
    my $base = in_root($root, '/home/virtual');
    opendir(my $dh, $base) or return ();
    my @names = readdir $dh;
    closedir $dh;
    my %link_domain;    # /home/virtual/<domain> → siteN
    for my $n (@names) {
        next unless -l "$base/$n";
        my $t = readlink "$base/$n";
        $link_domain{$1} = $n if defined $t && $t =~ m{(?:\A|/)(site\d+)(?:/fst)?/?\z};
    }
    my @sites;
    for my $h (sort { substr($a, 4) <=> substr($b, 4) } grep { /\Asite\d+\z/ && !-l "$base/$_" && -d "$base/$_" } @names) {
        my %info = map { ($_ => read_config("$base/$h/info/current/$_")) } @SERVICES;
        my $domain = $info{siteinfo}{domain} // $link_domain{$h};
        next unless defined $domain && length $domain;
        my $ips = $info{ipinfo}{ipaddrs} // $info{ipinfo}{ipaddr};
        my $s = { handle => $h, dir => "/home/virtual/$h", path => "$base/$h", domain => $domain, info => \%info,
            ips => list($ips) };
        $s->{users} = _passwd($s);
        push @sites, $s;
    }
    return @sites;
}

# [local, [targets]] from the site's sendmail aliases file.
sub site_aliases {
    my ($s) = @_;
    my @out;
    for my $l (read_lines(path($s, '/etc/aliases'))) {
        next if $l =~ /\A\s*(?:#|\z)/;
        next unless $l =~ /\A\s*([^:\s]+)\s*:\s*(.*)\z/;
        push @out, [$1, [grep { length } map { trim($_) } split /,/, $2]];
    }
    return @out;
}

# [address, [targets]] of /etc/mail/virtusertable lines for the site's domain.
sub virtusers {
    my ($root, $s) = @_;
    my @out;
    for my $l (read_lines(in_root($root, '/etc/mail/virtusertable'))) {
        next if $l =~ /\A\s*(?:#|\z)/;
        my ($addr, $target) = $l =~ /\A\s*(\S+)\s+(.*?)\s*\z/ or next;
        my ($dom) = $addr =~ /\@([^@]+)\z/ or next;
        next unless lc $dom eq lc $s->{domain};
        next if $target =~ /\Aerror:/;    # a bounce, not a delivery
        my @t = map { my $x = $_; $x =~ s/%[0-9]\z//; $x } grep { length } split /[\s,]+/, $target;
        # a target "<user>@siteN" names the site's own user
        @t = map { /\A([^@]+)\@site\d+\z/ ? $1 : $_ } @t;
        push @out, [$addr, \@t];
    }
    return @out;
}

sub zone {
    my ($root, $domain) = @_;
    my $conf = in_root($root, '/etc/named.conf');
    my $dir = '/var/named';
    my $text = read_text($conf);
    $dir = $1 if defined $text && $text =~ /\bdirectory\s+"([^"]+)"/;
    my ($z) = grep { lc(($_->{name} // '') =~ s/\.\z//r) eq lc $domain && ($_->{type} // 'master') eq 'master' && defined $_->{file} }
      MigrationAgent::Zone::named_conf_zones(file => $conf, root => $root);
    return undef unless $z;
    my $file = $z->{file} =~ m{\A/} ? $z->{file} : "$dir/$z->{file}";
    my $p = in_root($root, $file);
    return -f $p ? { file => $file, path => $p } : undef;
}

sub hostname { my ($root) = @_; my ($h) = read_lines(in_root($root, '/etc/hostname')); return defined $h ? trim($h) : undef; }

sub version {
    my ($root) = @_;
    my ($v) = read_lines(in_root($root, '/usr/lib/opcenter/VERSION'));
    return defined $v ? trim($v) : undef;
}

# Writes enabled = <v> into the site's siteinfo snapshot (replaced in place, appended when absent).
sub set_enabled {
    my ($s, $v) = @_;
    my $file = "$s->{path}/info/current/siteinfo";
    my @lines = read_lines($file);
    my $done = 0;
    for (@lines) { if (/\A\s*enabled\s*=/) { $_ = "enabled = $v"; $done = 1; } }
    push @lines, "enabled = $v" unless $done;
    my $tmp = "$file.mm-tmp.$$";
    open(my $fh, '>:raw', $tmp) or MigrationAgent::fail("cannot write $file: $!");
    print {$fh} join("\n", @lines), "\n";
    close $fh or MigrationAgent::fail("cannot write $file: $!");
    rename $tmp, $file or MigrationAgent::fail("cannot write $file: $!");
    $s->{info}{siteinfo}{enabled} = $v;
    return;
}

# ============================================================================ main
package main;

exit MigrationAgent::run(
    name            => 'ensim',
    version         => $VERSION,
    apiVersion      => 2,
    inventory       => \&inventory,
    domain_services => \&domain_services,
    content         => \&content,
    disable         => \&disable,
);
