#!/usr/bin/perl
# Skeleton migration agent. Copy this folder to agents/<your-system>/, then fill in the four
# functions marked FILL IN. The library (agents/lib) does the command line, the XML, the
# tarballs, --file/--root handling, errors and exit codes; see README.md beside this file.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/../lib";
use MigrationAgent;
use MigrationAgent::Util qw(in_root read_text read_lines password_from_hash);

our $VERSION = '0.1.0';

exit MigrationAgent::run(
    name            => 'skel',        # FILL IN: your agent's name
    version         => $VERSION,
    apiVersion      => 2,             # 1: domain-centred sources, 2: subscription-centred
    inventory       => \&inventory,
    domain_services => \&domain_services,
    content         => \&content,
    disable         => \&disable,     # optional: remove it if the source cannot disable
);

# FILL IN: the whole source system. $ctx->{root} is where its files live (in_root($ctx->{root},
# '/etc/...') gives the path to open); $ctx->{opts} holds the command-line options.
# Shapes: agents/description/README.md (the same shape as the description JSON).
sub inventory {
    my ($ctx) = @_;
    return {
        platform      => { kind => 'custom', name => 'My hosting panel', version => '1.0' },
        servers       => [{ id => 'main', hostname => 'localhost', roles => ['web'], ips => [] }],
        templates     => [{ id => 'virtual-hosting', name => 'Hosting (virtual)', virtual => 1, kind => 'hosting' }],
        accounts      => [],    # { id, type => 'customer'|'reseller', parentId, company, ccpLogin => {login, password}, ... }
        subscriptions => [],    # { id, accountId, templateId, status, created, expires, fees ..., domains => [ids] }
        domains       => [],    # { id, name, accountId, hostingSubscriptionId, content => [{kind, id}] }
    };
}

# FILL IN: the services of one domain ($domain is one of inventory's domains).
sub domain_services {
    my ($ctx, $inv, $domain) = @_;
    return {
        # dnsZone    => { name, soa => {...}, records => [{host, name, type, ttl, data, priority}] },
        # webHosting => { hostname, docRoot, aliases => [], scripting => {php => 1}, ssl => {...}, subdomains => [] },
        # mail       => { mailboxes => [{name, address, quotaKb, password => {value, crypted, scheme}, contentId}],
        #                 aliases => [], forwarders => [], autoresponders => [], catchAll => [] },
        # databases  => [], ftpUsers => [], webUsers => [], cronJobs => [],
    };
}

# FILL IN: where the content <kind>:<id> of a domain lives: { path => directory or file }.
# The library has already checked that the domain lists this content; return undef if it is gone.
sub content {
    my ($ctx, $inv, $domain, $kind, $id) = @_;
    return undef;
}

# FILL IN (optional): switch the given subscriptions off on the source. Return one
# { id, status => 'disabled', note } per subscription. The library also records them in
# <root>/var/lib/mm-agent/disabled-subscriptions.json and reports them as disabled afterwards.
sub disable {
    my ($ctx, $inv, $subscriptions) = @_;
    return [map { { id => $_->{id}, status => 'disabled', note => 'recorded only' } } @$subscriptions];
}
