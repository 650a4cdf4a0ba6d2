#!/usr/bin/perl
# Hosting-description agent: serves the Migration API from a JSON description of a source
# system (customers, subscriptions, domains, services, where the content lives), for any
# source without an agent of its own. Format: README.md beside this file.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use JSON::PP ();
use MigrationAgent;
use MigrationAgent::Util qw(in_root read_text);
use MigrationAgent::Zone;
use MigrationAgent::IDN;

our $VERSION = '1.3.0';

exit MigrationAgent::run(
    name            => 'description',
    version         => $VERSION,
    apiVersion      => 2,
    options         => { description => 1 },
    inventory       => \&inventory,
    domain_services => \&domain_services,
    content         => \&content,
);

# Every string as UTF-8 bytes, like everything else the agents read from disk and argv.
sub _bytes {
    my ($v) = @_;
    if (ref $v eq 'HASH') { $v->{$_} = _bytes($v->{$_}) for keys %$v; return $v; }
    if (ref $v eq 'ARRAY') { $_ = _bytes($_) for @$v; return $v; }
    return $v if ref $v || !defined $v;
    my $s = "$v";
    utf8::encode($s) if utf8::is_utf8($s);
    return $s;
}

sub load {
    my ($ctx) = @_;
    return $ctx->{desc} if $ctx->{desc};
    my $file = $ctx->{opts}{description};
    $file = in_root($ctx->{root}, '/etc/mm/description.json') unless defined $file;
    my $text = read_text($file);
    MigrationAgent::fail("cannot read description $file: $!") unless defined $text;
    my $d = eval { JSON::PP->new->utf8->decode($text) };
    if (!defined $d) { (my $e = $@) =~ s/\s+\z//; MigrationAgent::fail("description $file is not valid JSON: $e"); }
    MigrationAgent::fail("description $file: the top level must be an object") unless ref $d eq 'HASH';
    $d = _bytes($d);
    validate($d, $file);
    $ctx->{desc} = $d;
    return $d;
}

sub validate {
    my ($d, $file) = @_;
    my $bad = sub { MigrationAgent::fail("description $file: $_[0]") };
    for my $list (qw(servers templates accounts subscriptions domains)) {
        $d->{$list} = [] unless defined $d->{$list};
        $bad->("'$list' must be an array") unless ref $d->{$list} eq 'ARRAY';
    }
    my %ids;
    for my $list (qw(templates accounts subscriptions domains)) {
        my $i = 0;
        for my $o (@{ $d->{$list} }) {
            $bad->("$list\[$i] must be an object") unless ref $o eq 'HASH';
            $bad->("$list\[$i] has no id") unless defined $o->{id} && length $o->{id} && !ref $o->{id};
            $bad->("$list\[$i]: duplicate id '$o->{id}'") if $ids{$list}{ $o->{id} }++;
            $i++;
        }
    }
    for my $a (@{ $d->{accounts} }) {
        $a->{type} = 'customer' unless defined $a->{type};
        $bad->("account '$a->{id}': type must be customer or reseller") unless $a->{type} =~ /\A(customer|reseller)\z/;
        $bad->("account '$a->{id}': unknown parentId '$a->{parentId}'") if defined $a->{parentId} && !$ids{accounts}{ $a->{parentId} };
    }
    for my $s (@{ $d->{subscriptions} }) {
        $bad->("subscription '$s->{id}': unknown accountId") unless defined $s->{accountId} && $ids{accounts}{ $s->{accountId} };
    }
    for my $dm (@{ $d->{domains} }) {
        $bad->("domain '$dm->{id}': unknown accountId") unless defined $dm->{accountId} && $ids{accounts}{ $dm->{accountId} };
        for my $k (qw(hostingSubscriptionId registrationSubscriptionId)) {
            $bad->("domain '$dm->{id}': unknown $k '$dm->{$k}'") if defined $dm->{$k} && !$ids{subscriptions}{ $dm->{$k} };
        }
        for my $c (@{ $dm->{content} || [] }) {
            $bad->("domain '$dm->{id}': content entries need kind, id and path")
              unless ref $c eq 'HASH' && defined $c->{kind} && defined $c->{id} && defined $c->{path};
            $bad->("domain '$dm->{id}': content kind '$c->{kind}' is not one of site mailbox database ftp other")
              unless $c->{kind} =~ /\A(site|mailbox|database|ftp|other)\z/;
        }
    }
    return;
}

sub inventory {
    my ($ctx) = @_;
    my $d = load($ctx);
    my @subs = map { {%$_} } @{ $d->{subscriptions} };
    my @templates = @{ $d->{templates} };
    my %tmpl = map { $_->{id} => 1 } @templates;
    my @domains;
    for my $dm (@{ $d->{domains} }) {
        my %copy = map { ($_ => $dm->{$_}) } grep { $_ ne 'services' && $_ ne 'content' } keys %$dm;
        $copy{content} = [map { { kind => $_->{kind}, id => $_->{id}, sizeBytes => $_->{sizeBytes} } } @{ $dm->{content} || [] }];
        if (!defined $copy{hostingSubscriptionId} && !defined $copy{registrationSubscriptionId}) {
            # the source has no subscription for it: one on a virtual template
            $copy{hostingSubscriptionId} = "sub-$dm->{id}";
            push @subs, { id => "sub-$dm->{id}", accountId => $dm->{accountId}, templateId => 'description-hosting',
                name => (defined $dm->{name} ? $dm->{name} : $dm->{id}), domains => [$dm->{id}] };
        }
        push @domains, \%copy;
    }
    # subscriptions provide the domains that point at them, unless the description says otherwise
    my %by = map { $_->{id} => $_ } @subs;
    for my $dm (@domains) {
        for my $sid (grep { defined } @$dm{qw(hostingSubscriptionId registrationSubscriptionId)}) {
            my $s = $by{$sid};
            $s->{domains} = [] unless $s->{domains};
            push @{ $s->{domains} }, $dm->{id} unless grep { $_ eq $dm->{id} } @{ $s->{domains} };
        }
    }
    for my $s (@subs) {
        next if $tmpl{ $s->{templateId} || '' };
        $s->{templateId} = 'description-hosting' unless defined $s->{templateId};
        next if $tmpl{ $s->{templateId} }++;
        push @templates, { id => $s->{templateId}, name => "$s->{templateId} (virtual)", virtual => 1, kind => 'hosting' };
    }
    my $p = $d->{platform} || {};
    return { platform => { kind => (defined $p->{kind} ? $p->{kind} : 'description'), name => $p->{name}, version => $p->{version} },
        servers => $d->{servers}, templates => \@templates, accounts => $d->{accounts}, subscriptions => \@subs, domains => \@domains };
}

sub _raw_domain {
    my ($ctx, $domain) = @_;
    my ($raw) = grep { $_->{id} eq $domain->{id} } @{ load($ctx)->{domains} };
    return $raw;
}

sub domain_services {
    my ($ctx, $inv, $domain) = @_;
    my $raw = _raw_domain($ctx, $domain) or return {};
    my %svc = %{ $raw->{services} || {} };
    my %content = map { ("$_->{kind}:$_->{id}" => 1) } @{ $raw->{content} || [] };
    if (my $z = $svc{dnsZone}) {
        if (defined $z->{file}) {
            my $name = defined $z->{name} ? $z->{name} : $raw->{name} || $raw->{id};
            my $p = MigrationAgent::Zone::parse(file => in_root($ctx->{root}, $z->{file}), display => $z->{file},
                origin => MigrationAgent::IDN::to_ascii($name), root => $ctx->{root});
            $svc{dnsZone} = { name => $p->{origin}, ttl => $p->{ttl}, master => 1, soa => $p->{soa}, records => $p->{records} };
        }
        else {
            my %zz = %$z;
            $zz{name} = (defined $raw->{name} ? $raw->{name} : $raw->{id}) unless defined $zz{name};
            $zz{name} .= '.' unless $zz{name} =~ /\.\z/;
            for my $r (@{ $zz{records} || [] }) {
                next if defined $r->{name} && defined $r->{host};
                my $host = defined $r->{host} ? $r->{host} : '@';
                $r->{host} = $host;
                $r->{name} = MigrationAgent::Zone::absolute($host, $zz{name}) unless defined $r->{name};
            }
            $svc{dnsZone} = \%zz;
        }
    }
    if (my $w = $svc{webHosting}) {
        $w->{hostname} = (defined $raw->{name} ? $raw->{name} : $raw->{id}) unless defined $w->{hostname};
        $w->{contentId} = "site:$w->{hostname}" if !defined $w->{contentId} && $content{"site:$w->{hostname}"};
        for my $sd (@{ $w->{subdomains} || [] }) {
            $sd->{contentId} = "site:$sd->{hostname}" if !defined $sd->{contentId} && $content{"site:$sd->{hostname}"};
        }
    }
    if (my $m = $svc{mail}) {
        for my $mb (@{ $m->{mailboxes} || [] }) {
            ($mb->{name}) = $mb->{address} =~ /\A(.*)\@/ if !defined $mb->{name} && defined $mb->{address};
            $mb->{contentId} = "mailbox:$mb->{address}" if !defined $mb->{contentId} && $content{"mailbox:$mb->{address}"};
        }
    }
    return \%svc;
}

sub content {
    my ($ctx, $inv, $domain, $kind, $id) = @_;
    my $raw = _raw_domain($ctx, $domain) or return undef;
    my ($c) = grep { $_->{kind} eq $kind && $_->{id} eq $id } @{ $raw->{content} || [] };
    return $c ? { path => in_root($ctx->{root}, $c->{path}) } : undef;
}
