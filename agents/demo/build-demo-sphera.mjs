#!/usr/bin/env node
// Writes the built-in demo's second source server: a Sphera box described for the
// hosting-description agent (<rootDir>/etc/mm/description.json plus its sites and Maildirs).
// Its data is chosen so that verification shows every status and reason of the seed's tables:
// auto-approved domains, registration-only domains (manual approval, parking), two
// registration subscriptions on one domain, a hosting conflict with the demo Linux server,
// protective (recently expired) and long-expired subscriptions, an unmapped template, a
// resource subscription that provides a domain, a registration subscription without domains,
// an account without domains, a reseller with customers, and the traps of TARGET-API.md
// (a password with '&', mail aliases, a wildcard subdomain, a database not linked to a site).
// Dates are relative to the day it is written, so the demo stays meaningful.
// Usage: node agents/demo/build-demo-sphera.mjs <rootDir>
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const eur = (amount) => ({ amount, currency: 'EUR' });

function write(root, path, content) {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function site(root, domain) {
  const docRoot = `/var/hsphere/${domain}/htdocs`;
  write(
    root,
    `${docRoot}/index.html`,
    `<!doctype html><title>${domain}</title><h1>Welcome to ${domain}</h1>\n`,
  );
  return { kind: 'site', id: domain, path: docRoot };
}

function mailbox(root, address) {
  const [local, domain] = address.split('@');
  const dir = `/var/mail/vhosts/${domain}/${local}/Maildir`;
  write(
    root,
    `${dir}/cur/1700000000.1.demo:2,S`,
    `From: demo@example.net\nSubject: Hello ${local}\n\nA message kept for the migration.\n`,
  );
  mkdirSync(join(root, dir, 'new'), { recursive: true });
  mkdirSync(join(root, dir, 'tmp'), { recursive: true });
  return { kind: 'mailbox', id: address, path: dir };
}

/** Builds the description and its files; returns counts for tests. */
export function buildDemoSphera(rootDir) {
  const root = resolve(rootDir);
  const contact = (first, last, email) => ({
    firstName: first,
    lastName: last,
    email,
    phone: { countryCode: '49', areaCode: '30', number: '5550100' },
  });
  const address = { street: 'Friedrichstr.', houseNumber: '12', city: 'Berlin', zip: '10117', country: 'DE' };

  const templates = [
    {
      id: 'sph-basic',
      name: 'Sphera Basic',
      kind: 'hosting',
      resources: [{ id: 'disk', name: 'Disk space', unit: 'MB', limit: 2048 }],
    },
    {
      id: 'sph-business',
      name: 'Sphera Business',
      kind: 'hosting',
      resources: [
        { id: 'disk', name: 'Disk space', unit: 'MB', limit: 10240 },
        { id: 'mailboxes', name: 'Mailboxes', unit: 'unit', limit: 50 },
      ],
    },
    { id: 'sph-combo', name: 'Sphera Hosting + Domain', kind: 'hostingAndDomainRegistration' },
    { id: 'sph-reg', name: 'Domain registration', kind: 'domainRegistration' },
    {
      id: 'sph-extra-disk',
      name: 'Extra disk 5 GB',
      kind: 'resource',
      resources: [{ id: 'disk', name: 'Disk space', unit: 'MB', limit: 5120, recurringFee: eur('2.00') }],
    },
    { id: 'sph-legacy', name: 'Legacy plan 2009 (no longer sold)', kind: 'hosting' },
  ];

  const accounts = [
    {
      id: 'R10',
      type: 'reseller',
      company: 'Spree Web Reseller',
      created: '2012-04-01',
      ccpLogin: { login: 'spree', password: 'R3seller!' },
      adminContact: contact('Rita', 'Spree', 'rita@spree-web.test'),
      address,
      balance: eur('0.00'),
    },
    {
      id: 'C11',
      type: 'customer',
      parentId: 'R10',
      company: 'Kiez Café',
      created: '2016-05-10',
      ccpLogin: { login: 'kiezcafe', password: 'coffee&cake' },
      adminContact: contact('Kai', 'Kiez', 'kai@kiez-cafe.test'),
      billingContact: contact('Kai', 'Kiez', 'billing@kiez-cafe.test'),
      address,
      balance: eur('-12.50'),
      paymentTools: [
        {
          type: 'creditCard',
          holder: 'Kai Kiez',
          cardType: 'VISA',
          maskedNumber: '4111********1111',
          expMonth: '09',
          expYear: '2028',
          default: true,
          encryptedNumber: 'ENC(4111111111111111)',
        },
      ],
    },
    {
      id: 'C12',
      type: 'customer',
      parentId: 'R10',
      company: 'Havel Yachts',
      created: '2017-02-20',
      ccpLogin: { login: 'havel', password: 'Sail2024' },
      adminContact: contact('Hanna', 'Havel', 'hanna@havel-yachts.test'),
      address,
      balance: eur('40.00'),
    },
    {
      id: 'C20',
      type: 'customer',
      company: 'Acme Widgets GmbH',
      created: '2014-09-01',
      ccpLogin: { login: 'acme-de', password: 'Widg3ts' },
      adminContact: contact('Ann', 'Carter', 'ann@acme-widgets.test'),
      address,
      balance: eur('0.00'),
    },
    {
      id: 'C21',
      type: 'customer',
      company: 'Mitte Dental',
      created: '2019-01-15',
      ccpLogin: { login: 'dental', password: 'Sm1le-Dental' },
      adminContact: contact('Dora', 'Zahn', 'dora@mitte-dental.test'),
      address,
      balance: eur('0.00'),
    },
    {
      id: 'C22',
      type: 'customer',
      company: 'Old Archive eV',
      created: '2010-03-03',
      ccpLogin: { login: 'archive', password: 'Arch1ve-2010' },
      adminContact: contact('Otto', 'Alt', 'otto@old-archive.test'),
      address,
      balance: eur('0.00'),
    },
    {
      id: 'C23',
      type: 'customer',
      company: 'Dormant Ltd',
      created: '2013-07-07',
      ccpLogin: { login: 'dormant', password: 'Sl33py-Dirk' },
      adminContact: contact('Dirk', 'Ruhe', 'dirk@dormant.test'),
      address,
      balance: eur('0.00'),
    },
  ];

  const sub = (id, accountId, templateId, extra = {}) => ({
    id,
    accountId,
    templateId,
    status: 'active',
    created: '2019-01-01',
    expires: day(300),
    period: 1,
    periodType: 'year',
    billingPeriod: 1,
    billingPeriodType: 'month',
    refundPeriod: 30,
    lastBillingDate: day(-20),
    nextBillingDate: day(10),
    subscriptionFee: eur('9.90'),
    setupFee: eur('0.00'),
    ...extra,
  });
  const reg = (id, accountId, extra = {}) =>
    sub(id, accountId, 'sph-reg', {
      renewalFee: eur('12.00'),
      transferFee: eur('8.00'),
      registrarLogin: { login: `reg-${id}`, password: 'Reg&Pass' },
      ...extra,
    });

  const subscriptions = [
    sub('S-110', 'C11', 'sph-business'),
    reg('S-111', 'C11'),
    sub('S-120', 'C12', 'sph-basic', { status: 'expired', expires: day(-10) }), // protective: expired 10 days ago
    reg('S-121', 'C12', { domains: [] }), // registration without domains
    sub('S-200', 'C20', 'sph-basic'), // hosts acme-widgets.test, also hosted on the Linux server
    sub('S-210', 'C21', 'sph-combo'),
    reg('S-211', 'C21'),
    reg('S-212', 'C21'), // a second registration subscription for the same domain
    sub('S-213', 'C21', 'sph-extra-disk', { subscriptionFee: eur('2.00') }), // resource providing a domain
    sub('S-220', 'C22', 'sph-legacy', { status: 'expired', expires: day(-400) }), // long expired, unmapped template
    reg('S-221', 'C22'),
  ];

  const domains = [
    {
      id: 'kiez-cafe.test',
      name: 'kiez-cafe.test',
      accountId: 'C11',
      hostingSubscriptionId: 'S-110',
      registrationSubscriptionId: 'S-111',
      content: [
        site(root, 'kiez-cafe.test'),
        mailbox(root, 'kai@kiez-cafe.test'),
        mailbox(root, 'orders@kiez-cafe.test'),
      ],
      services: {
        dnsZone: {
          name: 'kiez-cafe.test',
          ttl: 3600,
          records: [
            { host: '@', type: 'A', data: '198.51.100.10' },
            { host: 'www', type: 'CNAME', data: 'kiez-cafe.test.' },
            { host: '@', type: 'MX', priority: 10, data: 'mail.kiez-cafe.test.' },
            { host: '*', type: 'A', data: '198.51.100.10' },
          ],
        },
        webHosting: {
          hostname: 'kiez-cafe.test',
          docRoot: '/var/hsphere/kiez-cafe.test/htdocs',
          aliases: ['www.kiez-cafe.test'],
          scripting: { php: true },
          subdomains: [
            { name: '*', hostname: '*.kiez-cafe.test', docRoot: '/var/hsphere/kiez-cafe.test/htdocs' },
          ],
        },
        mail: {
          mailboxes: [
            { address: 'kai@kiez-cafe.test', quotaKb: 512000, password: 'latte&art' },
            { address: 'orders@kiez-cafe.test', quotaKb: 256000, password: 'Orders1' },
          ],
          aliases: [{ address: 'info@kiez-cafe.test', targets: ['kai@kiez-cafe.test'] }],
          forwarders: [
            { address: 'orders@kiez-cafe.test', targets: ['kitchen@kiez-partner.example'], keepCopy: true },
          ],
        },
        databases: [{ name: 'kiez_shop', type: 'mysql', users: [{ login: 'kiez', password: 'db&pass' }] }],
        ftpUsers: [{ login: 'kiez-ftp', home: '/var/hsphere/kiez-cafe.test', password: 'Ftp-Kiez-3' }],
      },
    },
    {
      id: 'havel-yachts.test',
      name: 'havel-yachts.test',
      accountId: 'C12',
      hostingSubscriptionId: 'S-120',
      content: [site(root, 'havel-yachts.test'), mailbox(root, 'hanna@havel-yachts.test')],
      services: {
        webHosting: { hostname: 'havel-yachts.test', docRoot: '/var/hsphere/havel-yachts.test/htdocs' },
        mail: {
          mailboxes: [{ address: 'hanna@havel-yachts.test', quotaKb: 102400, password: 'Boat-Havel-7' }],
        },
      },
    },
    {
      id: 'acme-widgets.test',
      name: 'acme-widgets.test',
      accountId: 'C20',
      hostingSubscriptionId: 'S-200',
      content: [site(root, 'acme-widgets.test')],
      services: {
        webHosting: { hostname: 'acme-widgets.test', docRoot: '/var/hsphere/acme-widgets.test/htdocs' },
      },
    },
    {
      id: 'mitte-dental.test',
      name: 'mitte-dental.test',
      accountId: 'C21',
      hostingSubscriptionId: 'S-210',
      registrationSubscriptionId: 'S-211',
      content: [site(root, 'mitte-dental.test')],
      services: {
        webHosting: { hostname: 'mitte-dental.test', docRoot: '/var/hsphere/mitte-dental.test/htdocs' },
      },
    },
    {
      id: 'zahn-termin.test',
      name: 'zahn-termin.test',
      accountId: 'C21',
      registrationSubscriptionId: 'S-212',
    },
    {
      id: 'old-archive.test',
      name: 'old-archive.test',
      accountId: 'C22',
      hostingSubscriptionId: 'S-220',
      registrationSubscriptionId: 'S-221',
      content: [site(root, 'old-archive.test')],
      services: {
        webHosting: { hostname: 'old-archive.test', docRoot: '/var/hsphere/old-archive.test/htdocs' },
      },
    },
    {
      id: 'archiv-verein.test',
      name: 'archiv-verein.test',
      accountId: 'C22',
      registrationSubscriptionId: 'S-221',
    },
  ];
  // The second registration subscription of the dental practice also claims its main domain,
  // and the extra-disk resource subscription provides a domain it should not.
  subscriptions.find((s) => s.id === 'S-212').domains = ['zahn-termin.test', 'mitte-dental.test'];
  subscriptions.find((s) => s.id === 'S-213').domains = ['mitte-dental.test'];

  const description = {
    platform: { kind: 'sphera', name: 'Sphera HostingDirector (demo)', version: '3.5' },
    servers: [
      {
        id: 'hd1',
        hostname: 'hd1.sphera-demo.test',
        roles: ['web', 'mail', 'dns'],
        ips: [{ address: '198.51.100.10', type: 'shared' }],
      },
    ],
    templates,
    accounts,
    subscriptions,
    domains,
  };
  write(root, 'etc/mm/description.json', `${JSON.stringify(description, null, 2)}\n`);
  return {
    root,
    accounts: accounts.length,
    subscriptions: subscriptions.length,
    domains: domains.length,
    templates: templates.length,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: node agents/demo/build-demo-sphera.mjs <rootDir>\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(buildDemoSphera(target))}\n`);
}
