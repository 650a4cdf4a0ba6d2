package MigrationAgent::Model;
# Writes the agent's in-memory inventory (plain hashes, the same shape the description agent
# reads from JSON; see agents/description/README.md) as Migration API XML.
use strict;
use warnings;
use MigrationAgent::XMLWriter;
use MigrationAgent::IDN;
use MigrationAgent::Util ();

sub bool {
    my ($v) = @_;
    return undef unless defined $v;
    return $v ? 'true' : 'false' if ref $v;    # JSON::PP::Boolean
    return 'false' if $v eq '' || $v eq '0' || lc $v eq 'false' || lc $v eq 'no';
    return 'true';
}

sub list { my ($v) = @_; return () unless defined $v; return ref $v eq 'ARRAY' ? @$v : ($v); }

sub _money {
    my ($w, $name, $m, $currency) = @_;
    return unless defined $m;
    my ($amount, $cur) = ref $m eq 'HASH' ? ($m->{amount}, $m->{currency}) : ($m, undef);
    return unless defined $amount && $amount ne '';
    $cur = $currency unless defined $cur;
    $cur = 'USD' unless defined $cur;
    $w->text($name, [currency => $cur], $amount);
    return;
}

sub _password {
    my ($w, $name, $p) = @_;
    return unless defined $p;
    $p = { value => $p } unless ref $p eq 'HASH';
    return unless defined $p->{value};
    $w->text($name, [crypted => bool($p->{crypted} || 0), scheme => $p->{scheme}], $p->{value});
    return;
}

sub _credentials {
    my ($w, $name, $c) = @_;
    return unless $c && defined $c->{login};
    if (defined $c->{password}) {
        $w->start($name, login => $c->{login});
        _password($w, 'password', $c->{password});
        $w->end($name);
    }
    else { $w->empty($name, login => $c->{login}); }
    return;
}

sub _address {
    my ($w, $name, $a) = @_;
    return unless $a;
    $w->empty($name, map { ($_ => $a->{$_}) } qw(street houseNumber address2 city state zip country));
    return;
}

sub _phone {
    my ($w, $name, $p) = @_;
    return unless defined $p;
    $p = { number => $p } unless ref $p;
    $w->empty($name, map { ($_ => $p->{$_}) } qw(countryCode areaCode number extension));
    return;
}

sub _contact {
    my ($w, $name, $c) = @_;
    return unless $c;
    my @attrs = map { ($_ => $c->{$_}) } qw(firstName middleName lastName email);
    if ($c->{phone} || $c->{fax} || $c->{address}) {
        $w->start($name, @attrs);
        _phone($w, 'phone', $c->{phone});
        _phone($w, 'fax', $c->{fax});
        _address($w, 'address', $c->{address});
        $w->end($name);
    }
    else { $w->empty($name, @attrs); }
    return;
}

sub _doc_attrs {
    my ($ctx) = @_;
    return (apiVersion => $ctx->{apiVersion}, agent => $ctx->{agentName}, agentVersion => $ctx->{agentVersion},
        generated => MigrationAgent::Util::iso_now());
}

sub write_platform {
    my ($w, $inv) = @_;
    my $p = $inv->{platform} || {};
    $w->empty('platform', kind => (defined $p->{kind} ? $p->{kind} : 'unknown'), name => $p->{name},
        version => $p->{version});
    $w->start('servers');
    for my $s (list($inv->{servers})) {
        my @a = (id => $s->{id}, hostname => $s->{hostname},
            roles => ((ref $s->{roles} ? join(' ', @{ $s->{roles} }) : $s->{roles}) || undef));
        my @ips = list($s->{ips});
        if (!@ips) { $w->empty('server', @a); next; }
        $w->start('server', @a);
        for my $ip (@ips) {
            $ip = { address => $ip } unless ref $ip;
            $w->empty('ip', address => $ip->{address}, type => $ip->{type});
        }
        $w->end('server');
    }
    $w->end('servers');
    return;
}

sub write_templates {
    my ($w, $inv) = @_;
    $w->start('serviceTemplates');
    for my $t (list($inv->{templates})) {
        $w->start('serviceTemplate', id => $t->{id}, name => (defined $t->{name} ? $t->{name} : $t->{id}),
            virtual => bool($t->{virtual} || 0), kind => $t->{kind}, disabled => bool($t->{disabled}));
        $w->text('description', [], $t->{description}) if defined $t->{description};
        for my $r (list($t->{resources})) {
            my @a = (id => $r->{id}, name => $r->{name}, unit => $r->{unit},
                limit => (defined $r->{limit} ? $r->{limit} : -1), included => $r->{included});
            if (defined $r->{setupFee} || defined $r->{recurringFee}) {
                $w->start('resource', @a);
                _money($w, 'setupFee', $r->{setupFee});
                _money($w, 'recurringFee', $r->{recurringFee});
                $w->end('resource');
            }
            else { $w->empty('resource', @a); }
        }
        $w->end('serviceTemplate');
    }
    $w->end('serviceTemplates');
    return;
}

sub write_accounts {
    my ($w, @accounts) = @_;
    $w->start('accounts');
    for my $a (@accounts) {
        $w->start('account', id => $a->{id}, type => ($a->{type} || 'customer'), parentId => $a->{parentId},
            company => $a->{company}, status => $a->{status}, created => $a->{created}, serverId => $a->{serverId});
        _credentials($w, 'ccpLogin', $a->{ccpLogin});
        _contact($w, 'adminContact', $a->{adminContact});
        _contact($w, 'technicalContact', $a->{technicalContact});
        _contact($w, 'billingContact', $a->{billingContact});
        _address($w, 'address', $a->{address});
        _money($w, 'balance', $a->{balance});
        for my $pt (list($a->{paymentTools})) {
            my @attrs = (type => ($pt->{type} || 'other'),
                map({ ($_ => $pt->{$_}) } qw(holder cardType maskedNumber expMonth expYear)),
                default => bool($pt->{default}));
            if (defined $pt->{encryptedNumber}) {
                $w->start('paymentTool', @attrs);
                $w->text('encryptedNumber', [], $pt->{encryptedNumber});
                $w->end('paymentTool');
            }
            else { $w->empty('paymentTool', @attrs); }
        }
        $w->end('account');
    }
    $w->end('accounts');
    return;
}

sub write_subscriptions {
    my ($w, @subs) = @_;
    $w->start('subscriptions');
    for my $s (@subs) {
        $w->start('subscription', id => $s->{id}, accountId => $s->{accountId}, templateId => $s->{templateId},
            map({ ($_ => $s->{$_}) } qw(name status created expires period periodType billingPeriod
                billingPeriodType refundPeriod lastBillingDate nextBillingDate serverId)));
        _money($w, $_, $s->{$_}, $s->{currency})
          for qw(subscriptionFee setupFee renewalFee transferFee nonRefundableAmount);
        _credentials($w, 'registrarLogin', $s->{registrarLogin});
        $w->empty('providedDomain', id => $_) for list($s->{domains});
        $w->end('subscription');
    }
    $w->end('subscriptions');
    return;
}

sub write_domains {
    my ($w, @domains) = @_;
    $w->start('domains');
    for my $d (@domains) {
        my $name = defined $d->{name} ? $d->{name} : $d->{id};
        my @attrs = (id => $d->{id}, name => $name, asciiName => MigrationAgent::IDN::to_ascii($name),
            unicodeName => MigrationAgent::IDN::to_unicode($name), accountId => $d->{accountId},
            hostingSubscriptionId => $d->{hostingSubscriptionId},
            registrationSubscriptionId => $d->{registrationSubscriptionId},
            kind => $d->{kind}, status => $d->{status}, serverId => $d->{serverId});
        my @content = list($d->{content});
        if (!@content) { $w->empty('domain', @attrs); next; }
        $w->start('domain', @attrs);
        $w->empty('content', kind => $_->{kind}, id => $_->{id}, sizeBytes => $_->{sizeBytes}) for @content;
        $w->end('domain');
    }
    $w->end('domains');
    return;
}

sub hosting_platform_xml {
    my ($ctx, $inv) = @_;
    my $w = MigrationAgent::XMLWriter->new;
    $w->start('hostingPlatform', _doc_attrs($ctx));
    write_platform($w, $inv);
    write_templates($w, $inv);
    write_accounts($w, list($inv->{accounts}));
    write_subscriptions($w, list($inv->{subscriptions}));
    write_domains($w, list($inv->{domains}));
    $w->end('hostingPlatform');
    return $w->output;
}

sub accounts_info_xml {
    my ($ctx, $accounts, $subs, $domains, $missing) = @_;
    my $w = MigrationAgent::XMLWriter->new;
    $w->start('accountsInfo', _doc_attrs($ctx));
    write_accounts($w, @$accounts);
    write_subscriptions($w, @$subs);
    write_domains($w, @$domains);
    $w->empty('notFound', id => $_) for @$missing;
    $w->end('accountsInfo');
    return $w->output;
}

sub domains_info_xml {
    my ($ctx, $subs, $domains, $missing) = @_;
    my $w = MigrationAgent::XMLWriter->new;
    $w->start('domainsInfo', _doc_attrs($ctx));
    write_subscriptions($w, @$subs);
    write_domains($w, @$domains);
    $w->empty('notFound', id => $_) for @$missing;
    $w->end('domainsInfo');
    return $w->output;
}

sub disable_result_xml {
    my ($ctx, $results) = @_;
    my $w = MigrationAgent::XMLWriter->new;
    $w->start('disableResult', _doc_attrs($ctx));
    $w->empty('subscription', id => $_->{id}, status => $_->{status}, note => $_->{note}) for @$results;
    $w->end('disableResult');
    return $w->output;
}

sub _scripting {
    my ($w, $s) = @_;
    return unless $s;
    $w->empty('scripting', php => bool($s->{php}), phpVersion => $s->{phpVersion},
        map { ($_ => bool($s->{$_})) } qw(cgi perl python ssi));
    return;
}

sub _ssl {
    my ($w, $s) = @_;
    return unless $s;
    $w->start('ssl', certificateFile => $s->{certificateFile}, keyFile => $s->{keyFile}, chainFile => $s->{chainFile});
    for (qw(certificate privateKey chain)) { $w->text($_, [], $s->{$_}) if defined $s->{$_}; }
    $w->end('ssl');
    return;
}

sub _redirect {
    my ($w, $name, $r) = @_;
    $w->start($name, address => $r->{address}, keepCopy => bool($r->{keepCopy}));
    $w->text('target', [], $_) for list($r->{targets});
    $w->end($name);
    return;
}

sub _with_password {
    my ($w, $name, $pw, @attrs) = @_;
    if (defined $pw) { $w->start($name, @attrs); _password($w, 'password', $pw); $w->end($name); }
    else { $w->empty($name, @attrs); }
    return;
}

sub domain_services_xml {
    my ($ctx, $domain, $svc) = @_;
    my $w = MigrationAgent::XMLWriter->new;
    my $name = defined $domain->{name} ? $domain->{name} : $domain->{id};
    $w->start('domainServices', _doc_attrs($ctx), domainId => $domain->{id}, domainName => $name,
        asciiName => MigrationAgent::IDN::to_ascii($name), accountId => $domain->{accountId},
        subscriptionId => $domain->{hostingSubscriptionId});
    if (my $z = $svc->{dnsZone}) {
        $w->start('dnsZone', name => $z->{name}, ttl => $z->{ttl}, master => bool($z->{master}));
        if (my $s = $z->{soa}) { $w->empty('soa', map { ($_ => $s->{$_}) } qw(primaryNs hostmaster serial refresh retry expire minimum ttl)); }
        for my $r (list($z->{records})) {
            $w->empty('record', map { ($_ => $r->{$_}) } qw(host name type ttl priority weight port data));
        }
        $w->end('dnsZone');
    }
    if (my $web = $svc->{webHosting}) {
        $w->start('webHosting', hostname => $web->{hostname}, docRoot => $web->{docRoot}, ip => $web->{ip},
            owner => $web->{owner}, enabled => bool($web->{enabled}), contentId => $web->{contentId});
        $w->empty('alias', name => $_) for list($web->{aliases});
        _scripting($w, $web->{scripting});
        _ssl($w, $web->{ssl});
        for my $sd (list($web->{subdomains})) {
            $w->start('subdomain', name => $sd->{name}, hostname => $sd->{hostname}, docRoot => $sd->{docRoot},
                contentId => $sd->{contentId});
            $w->empty('alias', name => $_) for list($sd->{aliases});
            _scripting($w, $sd->{scripting});
            _ssl($w, $sd->{ssl});
            $w->end('subdomain');
        }
        $w->end('webHosting');
    }
    if (my $m = $svc->{mail}) {
        $w->start('mail', enabled => bool($m->{enabled}));
        for my $mb (list($m->{mailboxes})) {
            _with_password($w, 'mailbox', $mb->{password}, name => $mb->{name}, address => $mb->{address},
                quotaKb => $mb->{quotaKb}, messageCount => $mb->{messageCount}, sizeBytes => $mb->{sizeBytes},
                contentId => $mb->{contentId});
        }
        _redirect($w, 'alias', $_) for list($m->{aliases});
        _redirect($w, 'forwarder', $_) for list($m->{forwarders});
        for my $ar (list($m->{autoresponders})) {
            $w->start('autoresponder', address => $ar->{address}, subject => $ar->{subject},
                enabled => bool($ar->{enabled}));
            $w->text('text', [], defined $ar->{text} ? $ar->{text} : '');
            $w->end('autoresponder');
        }
        my @catch = list($m->{catchAll});
        if (@catch) { $w->start('catchAll'); $w->text('target', [], $_) for @catch; $w->end('catchAll'); }
        $w->end('mail');
    }
    for my $db (list($svc->{databases})) {
        my @a = (name => $db->{name}, type => ($db->{type} || 'mysql'), server => $db->{server},
            sizeBytes => $db->{sizeBytes}, contentId => $db->{contentId});
        my @users = list($db->{users});
        if (!@users) { $w->empty('database', @a); next; }
        $w->start('database', @a);
        _credentials($w, 'user', $_) for @users;
        $w->end('database');
    }
    _with_password($w, 'ftpUser', $_->{password}, login => $_->{login}, home => $_->{home}, quotaKb => $_->{quotaKb})
      for list($svc->{ftpUsers});
    _with_password($w, 'webUser', $_->{password}, login => $_->{login}, directory => $_->{directory},
        realm => $_->{realm}) for list($svc->{webUsers});
    for my $c (list($svc->{cronJobs})) {
        $w->start('cronJob', user => $c->{user}, schedule => $c->{schedule}, enabled => bool($c->{enabled}));
        $w->text('command', [], $c->{command});
        $w->end('cronJob');
    }
    $w->end('domainServices');
    return $w->output;
}

1;
