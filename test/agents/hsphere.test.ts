import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  agentContent,
  agentXml,
  expectTarHoldsTree,
  runAgent,
  tempDir,
  schemaErrors,
  parseXml,
  kids,
  kid,
  attr,
  text,
  textOf,
  readTree,
  type XNode,
} from '../helpers/layouts/agent-harness';
import { startPostgres, type Postgres } from '../helpers/postgres';
import {
  buildHsphereFiles,
  docRootOf,
  hsphereSql,
  maildirOf,
  standardHsphereLayout,
  type HsphereLayout,
} from '../helpers/layouts/hsphere-db';

const MARKER = `/tmp/pwned-hsphere-${process.pid}`;
let pg: Postgres;
let root = '';
let layout: HsphereLayout;

const xml = (args: string[], xsd: string, r0 = root, env?: NodeJS.ProcessEnv): Promise<XNode> =>
  agentXml('hsphere', [`--root=${r0}`, ...args], xsd, env);

function byId(list: XNode[]): Map<string | undefined, XNode> {
  return new Map(list.map((x) => [attr(x, 'id'), x]));
}

beforeAll(async () => {
  rmSync(MARKER, { force: true });
  pg = await startPostgres({ database: 'hsphere', user: 'wwwuser' });
  layout = standardHsphereLayout(MARKER);
  pg.psql(hsphereSql(layout));
  root = tempDir('hsphere');
  buildHsphereFiles(root, layout, pg);
});

afterAll(async () => {
  await pg.stop();
});

describe('hsphere agent: command line and connection', () => {
  it('prints its version and fails in one line when the database is unreachable', async () => {
    const v = await runAgent('hsphere', ['--version']);
    expect(v.stdout.toString()).toMatch(/^hsphere \d+\.\d+\.\d+\n$/);
    const empty = tempDir('hsempty');
    const r = await runAgent('hsphere', [
      `--root=${empty}`,
      '--db-host=127.0.0.1',
      '--db-port=1',
      '--extract=hostingPlatformInfo',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^agent\.pl: error: psql failed/);
  });

  it('takes the connection from options and PGPASSWORD instead of hsphere.properties', async () => {
    const bare = tempDir('hsbare');
    const env = { ...process.env, PGPASSWORD: pg.password };
    const hp = kid(
      await xml(
        [
          `--db-host=${pg.host}`,
          `--db-port=${pg.port}`,
          '--db-name=hsphere',
          `--db-user=${pg.user}`,
          '--extract=hostingPlatformInfo',
        ],
        'HostingPlatform.xsd',
        bare,
        env,
      ),
      'hostingPlatform',
    );
    expect(kids(kid(hp, 'accounts'), 'account').length).toBe(4);
    const pwFile = join(bare, 'pw');
    writeFileSync(pwFile, `${pg.password}\n`);
    const noEnv = { ...process.env };
    delete noEnv.PGPASSWORD;
    await xml(
      [
        `--db-host=${pg.host}`,
        `--db-port=${pg.port}`,
        `--db-user=${pg.user}`,
        `--db-password-file=${pwFile}`,
        '--extract=hostingPlatformInfo',
      ],
      'HostingPlatform.xsd',
      bare,
      noEnv,
    );
  });
});

describe('hsphere agent: hostingPlatformInfo', () => {
  let hp: XNode;
  beforeAll(async () => {
    hp = kid(await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd'), 'hostingPlatform') as XNode;
  });

  it('names the platform and the logical servers with their roles and IPs', () => {
    expect(attr(kid(hp, 'platform'), 'kind')).toBe('hsphere');
    const s = byId(kids(kid(hp, 'servers'), 'server'));
    expect([...s.keys()]).toEqual(['1', '2', '3', '4', '5']);
    expect(attr(s.get('1'), 'roles')).toBe('web');
    expect(attr(s.get('2'), 'roles')).toBe('mail');
    expect(attr(s.get('3'), 'roles')).toBe('dns');
    expect(attr(s.get('5'), 'roles')).toBe('db');
    expect(attr(kid(s.get('1'), 'ip'), 'address')).toBe('198.51.100.10');
  });

  it('maps plans to service templates (deleted unused plans left out) with resource prices', () => {
    const t = byId(kids(kid(hp, 'serviceTemplates'), 'serviceTemplate'));
    expect([...t.keys()]).toEqual(['1', '2', '3', '4']);
    expect(attr(t.get('1'), 'name')).toBe('Basic Hosting');
    expect(attr(t.get('2'), 'name')).toBe(`Pro Hosting; $(touch\${IFS}${MARKER})`);
    const res = byId(kids(t.get('1'), 'resource'));
    expect(attr(res.get('mailbox'), 'included')).toBe('10');
    expect(text(kid(res.get('mailbox'), 'recurringFee'))).toBe('0.50');
    expect(attr(res.get('MySQLDatabase'), 'included')).toBe('2');
  });

  it('maps users to customers and resellers; the admin, reseller admin logins and deleted accounts are left out', () => {
    const acc = byId(kids(kid(hp, 'accounts'), 'account'));
    expect([...acc.keys()]).toEqual(['10', '20', '21', '22']);
    expect([attr(acc.get('10'), 'type'), attr(acc.get('10'), 'parentId')]).toEqual(['reseller', undefined]);
    expect([attr(acc.get('22'), 'type'), attr(acc.get('22'), 'parentId')]).toEqual(['customer', '10']);
    expect(attr(acc.get('20'), 'parentId')).toBeUndefined();
    const alice = acc.get('20');
    expect([attr(alice, 'company'), attr(alice, 'created'), attr(alice, 'status')]).toEqual([
      'Anders & Söhne <Web>',
      '2019-01-15',
      'active',
    ]);
    expect(attr(kid(alice, 'ccpLogin'), 'login')).toBe('alice');
    expect(text(kid(kid(alice, 'ccpLogin'), 'password'))).toBe(`al'ice;$(touch\${IFS}${MARKER})\`id\``);
    expect(attr(kid(alice, 'adminContact'), 'email')).toBe('alice@alice.example');
    expect(attr(kid(kid(alice, 'adminContact'), 'address'), 'country')).toBe('US');
    expect(attr(kid(alice, 'billingContact'), 'lastName')).toBe('Billing');
    expect([text(kid(alice, 'balance')), attr(kid(alice, 'balance'), 'currency')]).toEqual(['-12.50', 'USD']);
    const pt = kid(alice, 'paymentTool');
    expect([attr(pt, 'type'), attr(pt, 'cardType'), attr(pt, 'maskedNumber'), attr(pt, 'expYear')]).toEqual([
      'creditCard',
      'VISA',
      '************4242',
      '2027',
    ]);
    expect(textOf(pt, 'encryptedNumber')).toEqual(['ENC(4242;$x)']);
    expect(attr(acc.get('21'), 'status')).toBe('suspended');
    expect(attr(kid(acc.get('22'), 'adminContact'), 'lastName')).toBe(
      `O'Brien;$(touch\${IFS}${MARKER})\`id\`\nÆøå`,
    );
  });

  it('maps each live accounts row to a subscription with plan, dates, period and fees', () => {
    const subs = byId(kids(kid(hp, 'subscriptions'), 'subscription'));
    expect([...subs.keys()].sort()).toEqual(['100', '101', '102', '103', '105']);
    const s100 = subs.get('100');
    expect(
      [
        'accountId',
        'templateId',
        'status',
        'created',
        'expires',
        'period',
        'periodType',
        'billingPeriodType',
      ].map((k) => attr(s100, k)),
    ).toEqual(['20', '1', 'active', '2019-01-15', '2024-02-15', '1', 'month', 'month']);
    expect([text(kid(s100, 'subscriptionFee')), text(kid(s100, 'setupFee'))]).toEqual(['9.95', '10.00']);
    expect(kids(s100, 'providedDomain').map((d) => attr(d, 'id'))).toEqual([
      'alice.example',
      'alice.hs-free.example',
      'alice-parked.example',
      'blog.alice.example',
    ]);
    const s101 = subs.get('101');
    expect([attr(s101, 'period'), attr(s101, 'periodType'), text(kid(s101, 'subscriptionFee'))]).toEqual([
      '2',
      'year',
      '190.00',
    ]);
    expect([attr(subs.get('102'), 'status'), attr(subs.get('102'), 'periodType')]).toEqual([
      'suspended',
      'year',
    ]);
    expect([attr(subs.get('103'), 'accountId'), attr(subs.get('103'), 'templateId')]).toEqual(['22', '3']);
  });

  it('lists domains of every kind with subscriptions and content; never-created and deleted ones are left out', () => {
    const d = byId(kids(kid(hp, 'domains'), 'domain'));
    expect([...d.keys()].sort()).toEqual(
      [
        'alice-parked.example',
        'alice-shop.example',
        'alice.example',
        'alice.hs-free.example',
        'blog.alice.example',
        'bob.example',
        'carol.example',
        'reseller1.example',
      ].sort(),
    );
    expect(attr(d.get('alice-parked.example'), 'kind')).toBe('parked');
    expect(attr(d.get('blog.alice.example'), 'kind')).toBe('subdomain');
    expect(attr(d.get('alice.hs-free.example'), 'kind')).toBe('regular');
    expect(attr(d.get('bob.example'), 'status')).toBe('suspended');
    expect([
      attr(d.get('carol.example'), 'accountId'),
      attr(d.get('carol.example'), 'hostingSubscriptionId'),
    ]).toEqual(['22', '103']);
    expect(kids(d.get('alice.example'), 'content').map((c) => `${attr(c, 'kind')}:${attr(c, 'id')}`)).toEqual(
      ['site:alice.example', 'mailbox:info@alice.example', 'mailbox:sales@alice.example'],
    );
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe('hsphere agent: domainServicesInfo', () => {
  it('serves DNS (A/MX/CNAME/TXT + NS, SOA), web, mail, databases and FTP of alice.example', async () => {
    const ds = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=ALICE.example.'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    expect([attr(ds, 'domainId'), attr(ds, 'accountId'), attr(ds, 'subscriptionId')]).toEqual([
      'alice.example',
      '20',
      '100',
    ]);
    const z = kid(ds, 'dnsZone');
    expect(attr(z, 'name')).toBe('alice.example.');
    expect([
      attr(kid(z, 'soa'), 'primaryNs'),
      attr(kid(z, 'soa'), 'hostmaster'),
      attr(kid(z, 'soa'), 'refresh'),
    ]).toEqual(['ns1.hs.example.', 'dns.alice.example.', '10800']);
    const recs = kids(z, 'record').map(
      (r) => `${attr(r, 'host')} ${attr(r, 'type')} ${attr(r, 'priority') ?? '-'} ${attr(r, 'data')}`,
    );
    expect(recs).toEqual([
      '@ NS - ns1.hs.example.',
      '@ NS - ns2.hs.example.',
      '@ A - 198.51.100.10',
      'www A - 198.51.100.10',
      '@ MX 10 mail.alice.example.',
      'ftp CNAME - alice.example.',
      `@ TXT - v=spf1 a mx ~all; $(touch\${IFS}${MARKER}) \`id\``,
      'mail A - 198.51.100.20',
    ]);
    const web = kid(ds, 'webHosting');
    expect(['hostname', 'docRoot', 'ip', 'owner', 'enabled', 'contentId'].map((k) => attr(web, k))).toEqual([
      'alice.example',
      '/hsphere/local/home/alice/alice.example',
      '198.51.100.10',
      'alice',
      'true',
      'site:alice.example',
    ]);
    expect(kids(web, 'alias').map((a) => attr(a, 'name'))).toEqual(['www.alice.example']);
    const mail = kid(ds, 'mail');
    const boxes = kids(mail, 'mailbox');
    expect(
      boxes.map((b) => [
        attr(b, 'address'),
        attr(b, 'quotaKb'),
        attr(b, 'messageCount'),
        text(kid(b, 'password')),
      ]),
    ).toEqual([
      ['info@alice.example', '51200', '2', 'inf0'],
      ['sales@alice.example', '102400', '1', `s'ales;$(touch\${IFS}${MARKER})`],
    ]);
    expect(attr(kid(mail, 'alias'), 'address')).toBe('contact@alice.example');
    expect(textOf(kid(mail, 'alias'), 'target')).toEqual(['info@alice.example']);
    expect(attr(kid(mail, 'forwarder'), 'address')).toBe('boss@alice.example');
    expect(textOf(kid(mail, 'forwarder'), 'target')).toEqual(['alice@gmail.example', 'info@alice.example']);
    const ar = kid(mail, 'autoresponder');
    expect([attr(ar, 'address'), attr(ar, 'subject'), textOf(ar, 'text')[0]]).toEqual([
      'info@alice.example',
      'Out of office',
      `Back on Monday.\nCall me; $(touch\${IFS}${MARKER}) \`id\` — Grüße`,
    ]);
    expect(textOf(kid(mail, 'catchAll'), 'target')).toEqual(['info@alice.example']);
    const dbs = kids(ds, 'database');
    expect(
      dbs.map((d) => [attr(d, 'name'), attr(d, 'type'), attr(d, 'server'), attr(kid(d, 'user'), 'login')]),
    ).toEqual([
      ['alice_wp', 'mysql', 'db1.hs.example', 'alice_wpuser'],
      ['alice_pg', 'postgresql', 'db1.hs.example', 'alice_pguser'],
    ]);
    expect(text(kid(kid(dbs[0], 'user'), 'password'))).toBe('wp"pw<&>');
    expect([attr(kid(ds, 'ftpUser'), 'login'), attr(kid(ds, 'ftpUser'), 'home')]).toEqual([
      'alice',
      '/hsphere/local/home/alice',
    ]);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('serves subdomains, parked and suspended domains', async () => {
    const blog = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=blog.alice.example'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    expect(attr(kid(blog, 'webHosting'), 'docRoot')).toBe('/hsphere/local/home/alice/blog');
    expect(kids(blog, 'database')).toHaveLength(0);
    const parked = kid(
      await xml(
        ['--extract=domainServicesInfo', '--domain-id=alice-parked.example'],
        'PEMDomainServices.xsd',
      ),
      'domainServices',
    );
    expect(kid(parked, 'webHosting')).toBeUndefined();
    const bob = kid(
      await xml(['--extract=domainServicesInfo', '--domain-id=bob.example'], 'PEMDomainServices.xsd'),
      'domainServices',
    );
    expect(attr(kid(bob, 'webHosting'), 'enabled')).toBe('false');
    expect(kids(kid(bob, 'dnsZone'), 'record').map((r) => attr(r, 'type'))).toEqual(['NS', 'NS', 'A']);
    const r = await runAgent('hsphere', [
      `--root=${root}`,
      '--extract=domainServicesInfo',
      '--domain-id=dave.example',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown domain id 'dave.example'");
  });
});

describe('hsphere agent: domainContent', () => {
  it('packs document roots and Maildirs with a matching manifest', async () => {
    const alice = layout.accounts.find((a) => a.id === 100);
    const shop = layout.accounts.find((a) => a.id === 101);
    if (!alice || !shop) throw new Error('layout');
    const dom = (a: typeof alice, n: string): Parameters<typeof docRootOf>[1] => {
      const d = a.domains.find((x) => x.name === n);
      if (!d) throw new Error(n);
      return d;
    };
    const cases: [string, string, string][] = [
      ['alice.example', 'site:alice.example', docRootOf(alice, dom(alice, 'alice.example'))],
      ['blog.alice.example', 'site:blog.alice.example', docRootOf(alice, dom(alice, 'blog.alice.example'))],
      ['alice-shop.example', 'site:alice-shop.example', docRootOf(shop, dom(shop, 'alice-shop.example'))],
      ['alice.example', 'mailbox:info@alice.example', maildirOf('alice.example', 'info')],
      ['alice.example', 'mailbox:sales@alice.example', maildirOf('alice.example', 'sales')],
    ];
    for (const [domain, content, dir] of cases) {
      const tar = await agentContent('hsphere', root, domain, content);
      expectTarHoldsTree(tar, join(root, dir));
      if (content.startsWith('mailbox:')) expect(tar.dirs).toContain('tmp');
    }
  });
});

describe('hsphere agent: accountsInfo and domainsInfo', () => {
  it('answers for asked accounts and domains, listing deleted ones as not found', async () => {
    const acc = kid(
      await xml(['--extract=accountsInfo', '--account-ids=22 23 1'], 'HostingPlatform.xsd'),
      'accountsInfo',
    );
    expect(kids(kid(acc, 'accounts'), 'account').map((a) => attr(a, 'id'))).toEqual(['22']);
    expect(kids(kid(acc, 'subscriptions'), 'subscription').map((s) => attr(s, 'id'))).toEqual(['103']);
    expect(kids(kid(acc, 'domains'), 'domain').map((d) => attr(d, 'id'))).toEqual(['carol.example']);
    expect(kids(acc, 'notFound').map((n) => attr(n, 'id'))).toEqual(['23', '1']);
    const dom = kid(
      await xml(
        ['--extract=domainsInfo', '--domain-ids=alice-shop.example dave.example'],
        'HostingPlatform.xsd',
      ),
      'domainsInfo',
    );
    expect(kids(kid(dom, 'domains'), 'domain').map((d) => attr(d, 'id'))).toEqual(['alice-shop.example']);
    expect(kids(kid(dom, 'subscriptions'), 'subscription').map((s) => attr(s, 'id'))).toEqual(['101']);
    expect(kids(dom, 'notFound').map((n) => attr(n, 'id'))).toEqual(['dave.example']);
  });
});

// ---- round trip through the hosting-description agent

type Json = Record<string, unknown>;

function attrs(n: XNode | undefined): Json {
  const o: Json = {};
  if (!n) return o;
  for (const [k, v] of Object.entries(n)) if (k.startsWith('@') && typeof v === 'string') o[k.slice(1)] = v;
  return o;
}
function money(n: XNode | undefined): Json | undefined {
  return n ? { amount: text(n), currency: attr(n, 'currency') } : undefined;
}
function password(n: XNode | undefined): Json | undefined {
  return n
    ? { value: text(n), crypted: attr(n, 'crypted') === 'true', scheme: attr(n, 'scheme') }
    : undefined;
}
function creds(n: XNode | undefined): Json | undefined {
  return n ? { login: attr(n, 'login'), password: password(kid(n, 'password')) } : undefined;
}
function contact(n: XNode | undefined): Json | undefined {
  if (!n) return undefined;
  const phone = kid(n, 'phone');
  const address = kid(n, 'address');
  return {
    ...attrs(n),
    phone: phone ? attrs(phone) : undefined,
    address: address ? attrs(address) : undefined,
  };
}
function redirect(n: XNode): Json {
  return { ...attrs(n), keepCopy: attr(n, 'keepCopy') === 'true', targets: textOf(n, 'target') };
}

/** Converts the agent's XML (hostingPlatform + each domain's domainServices) into a description. */
function toDescription(hp: XNode, services: Map<string, XNode>, contentPaths: Map<string, string>): Json {
  const strip = (o: Json, ...keys: string[]): Json => {
    const c = { ...o };
    for (const k of keys) delete c[k];
    return c;
  };
  return {
    platform: attrs(kid(hp, 'platform')),
    servers: kids(kid(hp, 'servers'), 'server').map((s) => ({
      ...attrs(s),
      roles: (attr(s, 'roles') ?? '').split(' ').filter((r) => r),
      ips: kids(s, 'ip').map(attrs),
    })),
    templates: kids(kid(hp, 'serviceTemplates'), 'serviceTemplate').map((t) => ({
      ...attrs(t),
      virtual: attr(t, 'virtual') === 'true',
      disabled: attr(t, 'disabled') === 'true',
      description: kid(t, 'description') ? text(kid(t, 'description')) : undefined,
      resources: kids(t, 'resource').map((r) => ({
        ...attrs(r),
        setupFee: money(kid(r, 'setupFee')),
        recurringFee: money(kid(r, 'recurringFee')),
      })),
    })),
    accounts: kids(kid(hp, 'accounts'), 'account').map((a) => ({
      ...attrs(a),
      ccpLogin: creds(kid(a, 'ccpLogin')),
      adminContact: contact(kid(a, 'adminContact')),
      technicalContact: contact(kid(a, 'technicalContact')),
      billingContact: contact(kid(a, 'billingContact')),
      address: kid(a, 'address') ? attrs(kid(a, 'address')) : undefined,
      balance: money(kid(a, 'balance')),
      paymentTools: kids(a, 'paymentTool').map((p) => ({
        ...attrs(p),
        default: attr(p, 'default') === 'true',
        encryptedNumber: kid(p, 'encryptedNumber') ? textOf(p, 'encryptedNumber')[0] : undefined,
      })),
    })),
    subscriptions: kids(kid(hp, 'subscriptions'), 'subscription').map((s) => ({
      ...attrs(s),
      ...Object.fromEntries(
        ['subscriptionFee', 'setupFee', 'renewalFee', 'transferFee', 'nonRefundableAmount'].map((k) => [
          k,
          money(kid(s, k)),
        ]),
      ),
      registrarLogin: creds(kid(s, 'registrarLogin')),
      domains: kids(s, 'providedDomain').map((d) => attr(d, 'id')),
    })),
    domains: kids(kid(hp, 'domains'), 'domain').map((d) => {
      const ds = services.get(attr(d, 'id') ?? '');
      const zone = kid(ds, 'dnsZone');
      const web = kid(ds, 'webHosting');
      const mail = kid(ds, 'mail');
      return {
        ...strip(attrs(d), 'asciiName', 'unicodeName'),
        content: kids(d, 'content').map((c) => ({
          ...attrs(c),
          path: contentPaths.get(`${attr(c, 'kind')}:${attr(c, 'id')}`),
        })),
        services: {
          dnsZone: zone
            ? {
                ...attrs(zone),
                master: attr(zone, 'master') === 'true',
                soa: kid(zone, 'soa') ? attrs(kid(zone, 'soa')) : undefined,
                records: kids(zone, 'record').map(attrs),
              }
            : undefined,
          webHosting: web
            ? {
                ...attrs(web),
                enabled: attr(web, 'enabled') === 'true',
                aliases: kids(web, 'alias').map((a) => attr(a, 'name')),
                scripting: kid(web, 'scripting') ? attrs(kid(web, 'scripting')) : undefined,
                subdomains: kids(web, 'subdomain').map(attrs),
              }
            : undefined,
          mail: mail
            ? {
                ...attrs(mail),
                enabled: attr(mail, 'enabled') === 'true',
                mailboxes: kids(mail, 'mailbox').map((b) => ({
                  ...attrs(b),
                  password: password(kid(b, 'password')),
                })),
                aliases: kids(mail, 'alias').map(redirect),
                forwarders: kids(mail, 'forwarder').map(redirect),
                autoresponders: kids(mail, 'autoresponder').map((r) => ({
                  ...attrs(r),
                  enabled: attr(r, 'enabled') === 'true',
                  text: textOf(r, 'text')[0] ?? '',
                })),
                catchAll: textOf(kid(mail, 'catchAll'), 'target'),
              }
            : undefined,
          databases: kids(ds, 'database').map((db) => ({ ...attrs(db), users: kids(db, 'user').map(creds) })),
          ftpUsers: kids(ds, 'ftpUser').map((u) => ({ ...attrs(u), password: password(kid(u, 'password')) })),
          webUsers: kids(ds, 'webUser').map((u) => ({ ...attrs(u), password: password(kid(u, 'password')) })),
          cronJobs: kids(ds, 'cronJob').map((c) => ({ ...attrs(c), command: textOf(c, 'command')[0] })),
        },
      };
    }),
  };
}

/** A document without the attributes that name the agent or the time. */
function canonical(n: XNode): unknown {
  const drop = new Set(['@agent', '@agentVersion', '@generated']);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([k]) => !drop.has(k))
          .map(([k, x]) => [k, walk(x)]),
      );
    return v;
  };
  return walk(n);
}

describe('hsphere agent: the description agent can express its inventory', () => {
  it('round-trips the whole inventory and every domain through a description', async () => {
    const hpDoc = await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd');
    const hp = kid(hpDoc, 'hostingPlatform') as XNode;
    const services = new Map<string, XNode>();
    const contentPaths = new Map<string, string>();
    for (const d of kids(kid(hp, 'domains'), 'domain')) {
      const id = attr(d, 'id') ?? '';
      const ds = kid(
        await xml(['--extract=domainServicesInfo', `--domain-id=${id}`], 'PEMDomainServices.xsd'),
        'domainServices',
      );
      if (!ds) throw new Error(id);
      services.set(id, ds);
      const web = kid(ds, 'webHosting');
      if (web) contentPaths.set(`site:${id}`, attr(web, 'docRoot') ?? '');
      for (const b of kids(kid(ds, 'mail'), 'mailbox'))
        contentPaths.set(`mailbox:${attr(b, 'address')}`, maildirOf(id, attr(b, 'name') ?? ''));
    }
    const descRoot = tempDir('hsdesc');
    mkdirSync(join(descRoot, 'etc/mm'), { recursive: true });
    writeFileSync(
      join(descRoot, 'etc/mm/description.json'),
      JSON.stringify(toDescription(hp, services, contentPaths), null, 2),
    );

    const run = async (args: string[], xsd: string): Promise<XNode> => {
      const r = await runAgent('description', [`--root=${descRoot}`, ...args]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(schemaErrors(r.stdout, xsd)).toBe('');
      return parseXml(r.stdout);
    };
    const back = kid(
      await run(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd'),
      'hostingPlatform',
    ) as XNode;
    for (const part of ['platform', 'servers', 'serviceTemplates', 'accounts', 'subscriptions', 'domains'])
      expect(canonical(kid(back, part) as XNode), part).toEqual(canonical(kid(hp, part) as XNode));
    for (const [id, ds] of services) {
      const again = kid(
        await run(['--extract=domainServicesInfo', `--domain-id=${id}`], 'PEMDomainServices.xsd'),
        'domainServices',
      );
      expect(canonical(again as XNode), id).toEqual(canonical(ds));
    }
  });
});

describe('hsphere agent: --disable=subscriptions', () => {
  it('refuses unknown ids without changing anything', async () => {
    const r = await runAgent('hsphere', [
      `--root=${root}`,
      '--disable=subscriptions',
      '--subscription-ids=103 104',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown subscription id '104'");
    expect(
      pg
        .psql('COPY (SELECT count(*) FROM accounts WHERE id = 103 AND suspended IS NOT NULL) TO STDOUT;')
        .trim(),
    ).toBe('0');
  });

  it("suspends the account in H-Sphere's database and reports it disabled", async () => {
    const out = join(tempDir('hsdis'), 'result');
    const r = await runAgent('hsphere', [
      `--root=${root}`,
      '--disable=subscriptions',
      '--subscription-ids=103',
      `--file=${out}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = readTree(join(out, '..')).get('result.xml') ?? Buffer.alloc(0);
    expect(schemaErrors(res, 'HostingPlatform.xsd')).toBe('');
    expect(attr(kid(kid(parseXml(res), 'disableResult'), 'subscription'), 'status')).toBe('disabled');
    expect(
      pg
        .psql('COPY (SELECT suspended IS NOT NULL, suspend_reason FROM accounts WHERE id = 103) TO STDOUT;')
        .trim(),
    ).toBe('t\tMigrated by Migration Manager');
    expect(
      pg.psql('COPY (SELECT DISTINCT suspended FROM parent_child WHERE account_id = 103) TO STDOUT;').trim(),
    ).toBe('1');
    expect(
      pg
        .psql('COPY (SELECT count(*) FROM accounts WHERE id = 100 AND suspended IS NOT NULL) TO STDOUT;')
        .trim(),
    ).toBe('0');
    const hp = kid(await xml(['--extract=hostingPlatformInfo'], 'HostingPlatform.xsd'), 'hostingPlatform');
    const st = new Map(
      kids(kid(hp, 'subscriptions'), 'subscription').map((s) => [attr(s, 'id'), attr(s, 'status')]),
    );
    expect([st.get('103'), st.get('100'), st.get('102')]).toEqual(['disabled', 'active', 'suspended']);
    const d = byId(kids(kid(hp, 'domains'), 'domain'));
    expect(attr(d.get('carol.example'), 'status')).toBe('suspended');
    expect(existsSync(MARKER)).toBe(false);
  });
});
