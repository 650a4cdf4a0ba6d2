// Builds a source system for the hosting-description agent: a JSON description at
// <root>/etc/mm/description.json plus the content it points at.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostile } from './linux-layout';

export interface DescriptionLayout {
  readonly description: Record<string, unknown>;
  /** content path (source-absolute) → relative file → data */
  readonly trees: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly zoneFiles: Readonly<Record<string, string>>;
  readonly hostileDomain: string;
  readonly hostileMailbox: string;
}

function put(root: string, path: string, data: string): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, data);
}

export function buildDescriptionLayout(
  root: string,
  l: DescriptionLayout,
  file = 'etc/mm/description.json',
): string {
  put(root, file, JSON.stringify(l.description, null, 2));
  for (const [dir, files] of Object.entries(l.trees)) {
    mkdirSync(join(root, dir), { recursive: true });
    for (const [f, data] of Object.entries(files)) put(root, join(dir, f), data);
  }
  for (const [p, text] of Object.entries(l.zoneFiles)) put(root, p, text);
  return join(root, file);
}

export function standardDescriptionLayout(marker: string): DescriptionLayout {
  const evil = hostile(marker);
  const hostileDomain = `we'ird;${evil}\`id\`"\nзона.example`;
  const hostileMailbox = `o'brien;${evil}\`x\`@sphera.example`;
  const money = (amount: string): { amount: string; currency: string } => ({ amount, currency: 'EUR' });
  return {
    hostileDomain,
    hostileMailbox,
    zoneFiles: {
      '/var/sphera/zones/sphera.example.db':
        '$TTL 1d\n@ IN SOA ns.sphera.example. root.sphera.example. ( 3 1h 10m 1w 1h )\n  IN NS ns\nns IN A 198.51.100.1\n@ IN MX 10 mx.sphera.example.\n',
    },
    trees: {
      '/vz/private/101/var/www/sphera.example': {
        'index.html': '<title>Sphera</title>\n',
        'css/a.css': 'a{}\n',
      },
      '/vz/private/101/var/mail/anna': {
        'cur/1.eml:2,S': 'Subject: one\n\n1\n',
        'new/2.eml': 'Subject: two\n\n2\n',
      },
      '/vz/private/101/var/mail/obrien': { 'cur/3.eml:2,S': 'Subject: three\n\n3\n' },
      '/vz/private/102/www': { 'index.php': '<?php echo 1;\n' },
    },
    description: {
      platform: { kind: 'sphera', name: 'Sphera HostingDirector', version: '3.5' },
      servers: [
        {
          id: 'hd1',
          hostname: 'hd1.sphera.example',
          roles: ['web', 'mail'],
          ips: [{ address: '198.51.100.1', type: 'shared' }],
        },
      ],
      templates: [
        {
          id: 'T-basic',
          name: 'Basic',
          kind: 'hosting',
          resources: [{ id: 'disk', name: 'Disk', unit: 'MB', limit: 500, setupFee: money('1.00') }],
        },
        { id: 'T-reg', name: '.example registration', kind: 'domainRegistration' },
      ],
      accounts: [
        {
          id: 'R1',
          type: 'reseller',
          company: 'Resell AG',
          ccpLogin: { login: 'resell', password: { value: '$1$a$b', crypted: true, scheme: 'MD5-CRYPT' } },
        },
        {
          id: 'C1',
          type: 'customer',
          parentId: 'R1',
          company: 'Anna & Söhne <GmbH>',
          status: 'active',
          created: '2019-01-02',
          ccpLogin: { login: 'anna', password: 'pa"ss&<word>' },
          adminContact: {
            firstName: 'Anna',
            lastName: 'Schmidt',
            email: 'anna@sphera.example',
            phone: { countryCode: '49', areaCode: '89', number: '123456' },
          },
          billingContact: { firstName: 'Bert', lastName: 'Bill\u0001ing', email: 'bill@sphera.example' },
          address: { street: 'Ring 1', city: 'München', zip: '80331', country: 'DE' },
          balance: money('-3.50'),
          paymentTools: [
            {
              type: 'creditCard',
              holder: 'Anna Schmidt',
              cardType: 'VISA',
              maskedNumber: '****4242',
              expMonth: '01',
              expYear: '2031',
              encryptedNumber: 'ENC:abc',
            },
          ],
        },
        { id: `C2 ${evil}`, type: 'customer', company: 'Hostile; Corp' },
      ],
      subscriptions: [
        {
          id: 'S1',
          accountId: 'C1',
          templateId: 'T-basic',
          name: 'Anna hosting',
          status: 'active',
          created: '2019-01-02',
          expires: '2030-01-02',
          period: 1,
          periodType: 'year',
          billingPeriod: 1,
          billingPeriodType: 'month',
          refundPeriod: 14,
          lastBillingDate: '2024-01-02',
          nextBillingDate: '2024-02-02',
          subscriptionFee: money('4.99'),
          setupFee: money('0.00'),
          nonRefundableAmount: money('1.00'),
        },
        {
          id: 'S2',
          accountId: 'C1',
          templateId: 'T-reg',
          status: 'active',
          created: '2019-01-02',
          expires: '2025-01-02',
          period: 1,
          periodType: 'year',
          renewalFee: money('10.00'),
          transferFee: money('7.50'),
          registrarLogin: { login: 'anna-reg', password: { value: 'reg&pw' } },
        },
        { id: 'S3', accountId: 'C1', templateId: 'T-undeclared', status: 'expired', expires: '2020-01-01' },
      ],
      domains: [
        {
          id: 'sphera.example',
          accountId: 'C1',
          hostingSubscriptionId: 'S1',
          registrationSubscriptionId: 'S2',
          content: [
            { kind: 'site', id: 'sphera.example', path: '/vz/private/101/var/www/sphera.example' },
            { kind: 'mailbox', id: 'anna@sphera.example', path: '/vz/private/101/var/mail/anna' },
            { kind: 'mailbox', id: hostileMailbox, path: '/vz/private/101/var/mail/obrien' },
          ],
          services: {
            dnsZone: { file: '/var/sphera/zones/sphera.example.db' },
            webHosting: {
              docRoot: '/var/www/sphera.example',
              aliases: ['www.sphera.example', '*.sphera.example'],
              scripting: { php: true },
            },
            mail: {
              mailboxes: [
                {
                  address: 'anna@sphera.example',
                  quotaKb: 2048,
                  password: { value: '$6$x$annahash', crypted: true, scheme: 'SHA512-CRYPT' },
                },
                { address: hostileMailbox, password: 'plain' },
              ],
              aliases: [{ address: 'info@sphera.example', targets: ['anna@sphera.example'] }],
              forwarders: [
                { address: 'boss@sphera.example', targets: ['boss@elsewhere.example'], keepCopy: true },
              ],
              autoresponders: [
                { address: 'anna@sphera.example', subject: 'Away\u0007', text: 'Back soon.\nAnna & co <3' },
              ],
              catchAll: ['anna@sphera.example'],
            },
            databases: [
              {
                name: 'anna_db',
                type: 'mysql',
                users: [{ login: 'anna_u', password: { value: '*ABC', crypted: true, scheme: 'MYSQL41' } }],
              },
            ],
            ftpUsers: [{ login: 'anna', home: '/var/www/sphera.example', password: { value: 'ftp' } }],
            webUsers: [
              { login: 'editor', directory: '/admin', password: { value: '$apr1$q$w', crypted: true } },
            ],
            cronJobs: [
              { user: 'anna', schedule: '0 * * * *', command: 'echo "$(date)" >> /tmp/log; rm -rf `pwd`' },
            ],
          },
        },
        { id: 'Only-Registration.EXAMPLE.', accountId: 'C1', registrationSubscriptionId: 'S2' },
        {
          id: hostileDomain,
          accountId: `C2 ${evil}`,
          content: [{ kind: 'site', id: hostileDomain, path: '/vz/private/102/www' }],
          services: {
            webHosting: { docRoot: '/www' },
            dnsZone: {
              records: [
                { host: '@', type: 'TXT', data: `v=${evil};"\`x\`` },
                { host: 'www', type: 'CNAME', data: '@' },
              ],
            },
          },
        },
        { id: 'xn--80aa2cb.example', name: 'ёлка.example', accountId: 'C1', hostingSubscriptionId: 'S3' },
      ],
    },
  };
}
