/**
 * The migration plan as a pure function: only what verification approved, the seed's order,
 * stable ids, every subscription field carried, and what the target cannot take named.
 */
import { describe, expect, it } from 'vitest';
import type { DomainServices } from '../../shared/model/domain-services';
import type { TemplateMapping } from '../../shared/model/mapping';
import type { MigrationPlan, PlanStep } from '../../shared/model/migration';
import { buildPlan, type PlanSubset, stepIndexOf } from '../../electron/core/migration/plan';
import { planLinks } from '../../electron/core/migration/plan-links';
import { objectKey } from '../../electron/core/verification/input';
import { HOSTING, REGISTRATION, RESOURCE, Scenario } from '../verification/scenario';

const sealed = (v: string): { value: string; crypted: boolean } => ({
  value: `mm-sealed:${v}`,
  crypted: false,
});

function services(domainId: string, extra: Partial<DomainServices> = {}): DomainServices {
  return {
    domainId,
    domainName: domainId,
    dnsZone: {
      name: `${domainId}.`,
      master: true,
      records: [
        { host: '@', type: 'SOA', data: 'ns1.old.' },
        { host: '@', type: 'NS', data: 'ns1.old.' },
        { host: '@', type: 'A', data: '192.0.2.10' },
        { host: 'www', type: 'CNAME', data: `${domainId}.` },
        { host: '@', type: 'MX', priority: 10, data: `mail.${domainId}.` },
      ],
    },
    webHosting: {
      hostname: domainId,
      enabled: true,
      aliases: [`alias-${domainId}`],
      subdomains: [{ name: 'blog', hostname: `blog.${domainId}`, aliases: [] }],
      php: true,
    },
    mail: {
      enabled: true,
      mailboxes: [
        {
          name: 'info',
          address: `info@${domainId}`,
          password: { value: '$1$abc$def', crypted: true },
          quotaKb: 1024,
        },
      ],
      aliases: [{ address: `sales@${domainId}`, targets: [`info@${domainId}`], keepCopy: false }],
      forwarders: [
        {
          address: `boss@${domainId}`,
          targets: ['boss@elsewhere.test', 'pa@elsewhere.test'],
          keepCopy: false,
        },
      ],
      autoresponders: [{ address: `info@${domainId}`, enabled: true }],
    },
    databases: [
      {
        name: 'shop',
        type: 'mysql',
        users: [
          { login: 'shopuser', password: sealed('x') },
          { login: 'legacy', password: { value: '*ABCDEF', crypted: true } },
        ],
      },
    ],
    ftpUsers: [{ login: 'ftpuser', password: sealed('y') }],
    webUsers: [],
    cronJobs: [],
    ...extra,
  };
}

function planOf(
  s: Scenario,
  svc: Map<string, DomainServices> = new Map(),
  subset?: PlanSubset,
): MigrationPlan {
  const v = s.verify();
  const mappings = new Map<string, TemplateMapping>(
    [...s.mappings].map(([k, m]) => [
      k,
      { ...m, tlds: m.tlds ?? [], check: 'verified', updatedAt: 'now', updatedBy: 'test' } as TemplateMapping,
    ]),
  );
  return buildPlan({
    servers: s.servers.map((x) => ({
      id: x.id,
      name: x.name,
      settings: x.settings,
      inventory: s.inventory(x.id),
    })),
    mappings,
    results: v.results,
    services: svc,
    ...(subset ? { subset } : {}),
    basis: 'test',
  });
}

const kinds = (p: MigrationPlan, objectId?: string): string[] =>
  p.steps.filter((s) => !objectId || s.object.id === objectId).map((s) => s.kind);
const stepOf = (p: MigrationPlan, kind: string, objectId?: string): PlanStep => {
  const s = p.steps.find((x) => x.kind === kind && (!objectId || x.object.id === objectId));
  if (!s) throw new Error(`no ${kind} step${objectId ? ` for ${objectId}` : ''}`);
  return s;
};
const indexOf = (p: MigrationPlan, id: string): number => p.steps.findIndex((s) => s.id === id);

function hosted(): Scenario {
  return new Scenario()
    .server('web01')
    .template('t-host', HOSTING)
    .template('t-reg', REGISTRATION)
    .template('t-res', RESOURCE)
    .account('a1', {
      company: 'Acme',
      ccpLogin: { login: 'acme', password: sealed('pw') },
      balance: { amount: '12.50', currency: 'USD' },
      paymentTools: [{ type: 'creditCard', maskedNumber: '****1111', default: true }],
    })
    .subscription('s1', 'a1', 't-host', {
      expires: '2026-01-01',
      created: '2024-01-01',
      period: 1,
      periodType: 'year',
      billingPeriod: 1,
      billingPeriodType: 'month',
      refundPeriod: 30,
      lastBillingDate: '2025-06-01',
      nextBillingDate: '2025-07-01',
      subscriptionFee: { amount: '9.99', currency: 'USD' },
      setupFee: { amount: '5.00', currency: 'USD' },
      renewalFee: { amount: '9.99', currency: 'USD' },
      transferFee: { amount: '0.00', currency: 'USD' },
      nonRefundableAmount: { amount: '1.00', currency: 'USD' },
    })
    .subscription('s2', 'a1', 't-reg', { expires: '2026-01-01', registrarLogin: { login: 'reg-acme' } })
    .subscription('s3', 'a1', 't-res', { expires: '2026-01-01' })
    .domain('example.com', 'a1', { hosting: 's1', registration: 's2', others: ['s3'] });
}

describe('migration plan', () => {
  it('orders account, hosting, DNS, services, PBA subscriptions, then the status (seed order)', () => {
    const p = planOf(
      hosted().selectAll(),
      new Map([[objectKey('web01', 'example.com'), services('example.com')]]),
    );
    const account = stepOf(p, 'account');
    const hosting = stepOf(p, 'hosting-subscription');
    const dns = stepOf(p, 'dns-hosting');
    const record = stepOf(p, 'dns-record');
    const mailbox = stepOf(p, 'mailbox');
    const alias = stepOf(p, 'mail-alias');
    const registration = stepOf(p, 'registration-subscription');
    const status = p.steps.filter((s) => s.kind === 'subscription-status');
    expect(indexOf(p, account.id)).toBeLessThan(indexOf(p, hosting.id));
    expect(hosting.dependsOn).toContain(account.id);
    expect(dns.dependsOn).toEqual([hosting.id]);
    expect(record.dependsOn).toEqual([dns.id]);
    expect(alias.dependsOn).toEqual([mailbox.id]);
    expect(indexOf(p, registration.id)).toBeGreaterThan(indexOf(p, mailbox.id));
    // The status comes last and waits for everything of the domain.
    expect(status).toHaveLength(3);
    for (const st of status) {
      expect(indexOf(p, st.id)).toBeGreaterThan(indexOf(p, registration.id));
      expect(st.dependsOn).toContain(mailbox.id);
    }
    for (const s of p.steps)
      for (const d of s.dependsOn) expect(indexOf(p, d)).toBeLessThan(indexOf(p, s.id));
  });

  it('carries every subscription field of SPEC R9 as the source has it', () => {
    const p = planOf(hosted().selectAll());
    const h = stepOf(p, 'hosting-subscription').payload;
    if (h.kind !== 'hosting-subscription') throw new Error('kind');
    expect(h.terms).toEqual({
      sourceSubscriptionId: 's1',
      status: 'active',
      created: '2024-01-01',
      expires: '2026-01-01',
      period: 1,
      periodType: 'year',
      billingPeriod: 1,
      billingPeriodType: 'month',
      refundPeriod: 30,
      lastBillingDate: '2025-06-01',
      nextBillingDate: '2025-07-01',
      subscriptionFee: { amount: '9.99', currency: 'USD' },
      setupFee: { amount: '5.00', currency: 'USD' },
      renewalFee: { amount: '9.99', currency: 'USD' },
      transferFee: { amount: '0.00', currency: 'USD' },
      nonRefundableAmount: { amount: '1.00', currency: 'USD' },
    });
    expect(h).toMatchObject({ poaTemplateId: 11, pbaPlanId: 101, domainName: 'example.com' });
    const r = stepOf(p, 'registration-subscription').payload;
    expect(r).toMatchObject({ pbaPlanId: 201, registrarType: 'enom', registrarLogin: 'reg-acme' });
    expect(stepOf(p, 'resource-subscription').payload).toMatchObject({ pbaPlanId: 301 });
  });

  it('names what the target cannot take instead of dropping it', () => {
    const p = planOf(
      hosted().selectAll(),
      new Map([[objectKey('web01', 'example.com'), services('example.com')]]),
    );
    const notCarried = p.steps.filter((s) => s.kind === 'not-carried').map((s) => s.label);
    expect(notCarried).toEqual(
      expect.arrayContaining([
        'payment tool creditCard ****1111: not carried', // masked card
        'autoresponder info@example.com: not carried',
        'database user legacy: not carried', // only a hash
      ]),
    );
    expect(p.steps.filter((s) => s.kind === 'database-user').map((s) => s.label)).toEqual([
      'database user shopuser',
    ]);
    // SOA and apex NS belong to the target's name servers; the other three records migrate.
    expect(p.steps.filter((s) => s.kind === 'dns-record')).toHaveLength(3);
    // A forwarder with two targets: one step per target (POA takes one per call).
    expect(p.steps.filter((s) => s.kind === 'mail-forward').map((s) => s.label)).toEqual([
      'forward boss@example.com → boss@elsewhere.test',
      'forward boss@example.com → pa@elsewhere.test',
    ]);
  });

  it("a database user known only as a hash comes with its database's dump when the agent can make one", () => {
    const withDump = services('example.com');
    const p = planOf(
      hosted().selectAll(),
      new Map([
        [
          objectKey('web01', 'example.com'),
          {
            ...withDump,
            databases: withDump.databases.map((db) => ({ ...db, contentId: `database:mysql:${db.name}` })),
          },
        ],
      ]),
    );
    const labels = p.steps.map((s) => s.label);
    expect(labels).not.toContain('database user legacy: not carried');
    expect(labels).toContain('data of database shop'); // the dump: users from their hashes, grants
    expect(p.steps.filter((s) => s.kind === 'database-user').map((s) => s.label)).toEqual([
      'database user shopuser',
    ]);
  });

  it('a staff password kept only as a hash is not carried; a plain one makes a member step', () => {
    const s = hosted();
    s.servers[0]?.accounts.splice(0, 1, {
      id: 'a1',
      type: 'customer',
      status: 'active',
      paymentTools: [],
      ccpLogin: { login: 'acme', password: { value: '$6$salt$hash', crypted: true } },
    });
    const p = planOf(s.selectAll());
    expect(kinds(p, 'a1')).not.toContain('member');
    expect(
      p.steps.find((x) => x.kind === 'not-carried' && x.label.startsWith('staff member acme')),
    ).toBeDefined();
    expect(kinds(planOf(hosted().selectAll()), 'a1')).toContain('member');
  });

  it('puts in only what verification approved, and says why the rest stays out', () => {
    const s = hosted()
      .template('t-unmapped')
      .subscription('s9', 'a1', 't-unmapped', { expires: '2026-01-01' })
      .domain('broken.com', 'a1', { hosting: 's9' })
      .selectAll();
    const p = planOf(s);
    expect(p.objects.map((o) => o.ref.id)).not.toContain('broken.com');
    expect(p.excluded.find((e) => e.ref.id === 'broken.com')?.reason).toMatch(/^verification: /);
    expect(p.steps.some((x) => x.object.id === 'broken.com')).toBe(false);
  });

  it('is deterministic: the same inputs give the same steps and ids; the basis changes the fingerprint', () => {
    const svc = new Map([[objectKey('web01', 'example.com'), services('example.com')]]);
    const a = planOf(hosted().selectAll(), svc);
    const b = planOf(hosted().selectAll(), svc);
    expect(b.steps.map((x) => x.id)).toEqual(a.steps.map((x) => x.id));
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(new Set(a.steps.map((x) => x.id)).size).toBe(a.steps.length);
  });

  it('puts a reseller before its customers, and a customer depends on its reseller', () => {
    const s = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('cust', { parentId: 'res' })
      .account('res', { type: 'reseller' })
      .subscription('s1', 'cust', 't-host', { expires: '2026-01-01' })
      .subscription('s2', 'res', 't-host', { expires: '2026-01-01' })
      .domain('cust.com', 'cust', { hosting: 's1' })
      .domain('res.com', 'res', { hosting: 's2' })
      .selectAll();
    const p = planOf(s);
    const res = stepOf(p, 'account', 'res');
    const cust = stepOf(p, 'account', 'cust');
    expect(indexOf(p, res.id)).toBeLessThan(indexOf(p, cust.id));
    expect(cust.dependsOn).toContain(res.id);
  });

  it('a subscription with two domains is activated once; the second domain is added to it', () => {
    const s = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('a1')
      .subscription('s1', 'a1', 't-host', { expires: '2026-01-01' })
      .domain('one.com', 'a1', { hosting: 's1' })
      .domain('two.com', 'a1', { hosting: 's1' })
      .selectAll();
    const p = planOf(s);
    expect(p.steps.filter((x) => x.kind === 'hosting-subscription')).toHaveLength(1);
    const second = stepOf(p, 'domain', 'two.com');
    expect(second.dependsOn).toContain(stepOf(p, 'hosting-subscription').id);
  });

  it('a subset takes the domains asked for and their owner accounts only', () => {
    const s = hosted()
      .account('a2')
      .subscription('s5', 'a2', 't-host', { expires: '2026-01-01' })
      .domain('other.com', 'a2', { hosting: 's5' })
      .selectAll();
    const p = planOf(s, new Map(), { domains: ['other.com'] });
    expect(p.objects.map((o) => `${o.ref.kind}:${o.ref.id}`).sort()).toEqual([
      'account:a2',
      'domain:other.com',
    ]);
  });

  it('disables the source subscriptions last, and only when the server says so', () => {
    expect(kinds(planOf(hosted().selectAll()))).not.toContain('source-disable');
    const p = planOf(hosted().settings({ disableAfterMigration: true }).selectAll());
    const disable = stepOf(p, 'source-disable');
    expect(indexOf(p, disable.id)).toBe(p.steps.length - 1);
    expect(disable.payload).toMatchObject({ subscriptionIds: ['s1', 's2', 's3'] });
  });

  it('an account is migrated only with its domains: the account object relates to each of them', () => {
    const p = planOf(hosted().selectAll());
    const account = p.objects.find((o) => o.ref.kind === 'account');
    expect(account?.related).toEqual(['domain:web01:example.com']);
  });

  it("hands the batch its own step index, and the plan's links as positions", () => {
    const p = planOf(
      hosted().selectAll(),
      new Map([[objectKey('web01', 'example.com'), services('example.com')]]),
    );
    expect(p.steps.length).toBeGreaterThan(10);
    // The builder's index: every id at its position, the same map every time it is asked.
    const index = stepIndexOf(p);
    expect(stepIndexOf(p)).toBe(index);
    expect([...index]).toEqual(p.steps.map((s, i) => [s.id, i]));
    // A plan made elsewhere (a copy) gets an index made from its steps.
    const copy: MigrationPlan = { ...p, steps: [...p.steps] };
    expect(stepIndexOf(copy)).not.toBe(index);
    expect([...stepIndexOf(copy)]).toEqual([...index]);

    const links = planLinks(p);
    const targets = (l: { start: Int32Array; to: Int32Array }, from: number): number[] => [
      ...l.to.subarray(l.start[from], l.start[from + 1]),
    ];
    let dependencies = 0;
    p.steps.forEach((s, i) => {
      expect(targets(links.dependencies, i)).toEqual(s.dependsOn.map((d) => indexOf(p, d)));
      dependencies += s.dependsOn.length;
    });
    expect(dependencies).toBeGreaterThan(5);
    p.objects.forEach((o, k) => {
      expect(links.keys[k]).toBe(`${o.ref.kind}:${o.ref.serverId}:${o.ref.id}`);
      expect(targets(links.objectSteps, k)).toEqual(o.steps.map((id) => indexOf(p, id)));
      expect(targets(links.related, k)).toEqual(
        o.ref.kind === 'account'
          ? o.related.map((key) => p.objects.findIndex((x) => `domain:${x.ref.serverId}:${x.ref.id}` === key))
          : [],
      );
    });

    // Ids the plan does not hold: a dependency is left out, an object's step is -1.
    const odd: MigrationPlan = {
      ...p,
      steps: p.steps.map((s, i) => (i === 1 ? { ...s, dependsOn: ['gone', ...s.dependsOn] } : s)),
      objects: p.objects.map((o, k) => (k === 0 ? { ...o, steps: [...o.steps, 'gone'] } : o)),
    };
    const oddLinks = planLinks(odd);
    expect(targets(oddLinks.dependencies, 1)).toEqual(targets(links.dependencies, 1));
    expect(targets(oddLinks.objectSteps, 0)).toEqual([...targets(links.objectSteps, 0), -1]);
  });
});
