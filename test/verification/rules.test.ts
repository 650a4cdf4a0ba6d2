/**
 * The rules around the seed's tables: the protective interval at its boundaries, combinations,
 * the POA guide's reseller and subscription rules, and the TARGET-API.md warnings.
 */
import { describe, expect, it } from 'vitest';
import { HOSTING, REGISTRATION, RESOURCE, Scenario } from './scenario';

function expiring(
  expires: string,
  today: string,
  protectiveDays = 30,
  status: 'active' | 'expired' = 'active',
): Scenario {
  const s = new Scenario()
    .server('web01', 1, { protectiveDays })
    .template('t-host', HOSTING)
    .account('a1')
    .subscription('s1', 'a1', 't-host', { expires, status })
    .domain('example.com', 'a1', { hosting: 's1' })
    .selectAll();
  s.today = today;
  return s;
}

describe('Protective subscription: "Expired Subscription, which should be migrated … If a subscription is expired after protective time interval, it will not be migrated."', () => {
  // Expired on 2025-05-01 with a 30-day interval: the interval ends on 2025-05-31.
  it('the day it expires it is not expired yet', () => {
    expect(expiring('2025-05-01', '2025-05-01').verify().get('subscription', 's1')).toMatchObject({
      status: 'approved',
      reasons: [],
    });
  });

  it('the day before the interval ends: migrates as a protective subscription', () => {
    const r = expiring('2025-05-01', '2025-05-30').verify().get('subscription', 's1');
    expect(r).toMatchObject({ status: 'approved', reasons: [{ code: 'protective', severity: 'info' }] });
    expect(r.reasons[0]?.message).toContain('29 day(s) ago');
  });

  it('the day the interval ends: still migrates', () => {
    const v = expiring('2025-05-01', '2025-05-31').verify();
    expect(v.get('subscription', 's1')).toMatchObject({
      status: 'approved',
      reasons: [{ code: 'protective' }],
    });
    expect(v.get('domain', 'example.com').status).toBe('auto-approved');
  });

  it('the day after the interval ends: rejected as expired, and its domain fails', () => {
    const v = expiring('2025-05-01', '2025-06-01').verify();
    expect(v.get('subscription', 's1')).toMatchObject({ status: 'rejected', reasons: [{ code: 'expired' }] });
    expect(v.get('domain', 'example.com')).toMatchObject({
      status: 'verification-failed',
      reasons: [{ code: 'no-suitable-subscription' }],
    });
    expect(v.get('account', 'a1').status).toBe('verification-failed');
  });

  it('a protective interval of 0 days rejects the day after expiry', () => {
    expect(expiring('2025-05-01', '2025-05-02', 0).verify().codes('subscription', 's1')).toEqual(['expired']);
  });

  it("the interval is the source server's own setting", () => {
    expect(expiring('2025-05-01', '2025-06-01', 31).verify().codes('subscription', 's1')).toEqual([
      'protective',
    ]);
  });

  it('a subscription the source calls expired with no date cannot be protected', () => {
    const r = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('a1')
      .subscription('s1', 'a1', 't-host', { status: 'expired' })
      .domain('x.com', 'a1', { hosting: 's1' })
      .selectAll()
      .verify()
      .get('subscription', 's1');
    expect(r.reasons.map((x) => x.code)).toEqual(['expired']);
    expect(r.reasons[0]?.message).toContain('no expiry date');
  });
});

describe('combinations: a domain failing for several reasons reports each', () => {
  it('unmapped subscription and two hosting subscriptions, both reported', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .template('t-old')
      .account('a1')
      .subscription('s1', 'a1', 't-host')
      .subscription('s2', 'a1', 't-host')
      .subscription('u1', 'a1', 't-old')
      .domain('mess.com', 'a1', { hosting: 's1', others: ['s2', 'u1'] })
      .selectAll()
      .verify();
    expect(v.get('domain', 'mess.com').status).toBe('verification-failed');
    expect(v.codes('domain', 'mess.com')).toEqual([
      'unmapped-subscriptions',
      'several-hosting-subscriptions',
    ]);
  });

  it('a subscription expired and unmapped reports both', () => {
    const s = expiring('2024-01-01', '2025-06-15').map('web01', 't-host', undefined);
    expect(s.verify().codes('subscription', 's1')).toEqual(['not-mapped', 'expired']);
  });
});

describe('POA guide: subscription rules', () => {
  it('"a subscription fails when … its creation/expiration dates are wrong"', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('a1')
      .subscription('s1', 'a1', 't-host', { created: '2025-03-01', expires: '2025-02-01' })
      .domain('x.com', 'a1', { hosting: 's1' })
      .selectAll()
      .verify();
    expect(v.codes('subscription', 's1')).toContain('invalid-dates');
    expect(v.get('subscription', 's1').reasons[0]?.message).toContain('before it was created');
  });

  it('an impossible calendar day (2025-02-31) is an invalid date, whichever date holds it', () => {
    const dated = (dates: { created?: string; expires?: string }): string[] =>
      new Scenario()
        .server('web01')
        .template('t-host', HOSTING)
        .account('a1')
        .subscription('s1', 'a1', 't-host', dates)
        .domain('x.com', 'a1', { hosting: 's1' })
        .selectAll()
        .verify()
        .codes('subscription', 's1');
    expect(dated({ expires: '2025-02-31' })).toEqual(['invalid-dates']);
    expect(dated({ created: '2025-02-31', expires: '2030-01-01' })).toEqual(['invalid-dates']);
    expect(dated({ created: '2025-02-29' })).toEqual(['invalid-dates']);
    expect(dated({ created: 'soon' })).toEqual(['invalid-dates']);
    // The same dates, possible ones, pass.
    expect(dated({ created: '2024-02-29', expires: '2030-01-01' })).toEqual([]);
    expect(dated({ created: '2026-03-01', expires: '2026-03-01' })).toEqual([]);
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('a1')
      .subscription('s1', 'a1', 't-host', { created: '2025-01-10', expires: '2025-02-31' })
      .domain('x.com', 'a1', { hosting: 's1' })
      .selectAll()
      .verify();
    expect(v.get('subscription', 's1')).toMatchObject({ status: 'rejected' });
    expect(v.get('subscription', 's1').reasons[0]?.message).toBe(
      'Subscription s1 has a date that is not a calendar day (created 2025-01-10, expires 2025-02-31).',
    );
  });

  it('an incomplete mapping is reported with what it lacks: a resource class without a plan', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .template('t-res', { class: 'resource' })
      .account('a1')
      .subscription('s1', 'a1', 't-host')
      .subscription('x1', 'a1', 't-res')
      .domain('x.com', 'a1', { hosting: 's1', others: ['x1'] })
      .selectAll()
      .verify();
    expect(v.get('subscription', 'x1')).toMatchObject({
      status: 'rejected',
      reasons: [{ code: 'not-mapped' }],
    });
    expect(v.get('subscription', 'x1').reasons[0]?.message).toBe(
      'Template "Template t-res" (t-res) of subscription x1 is classified resource but lacks PBA service plan.',
    );
  });

  it('"a subscription fails when its owner failed"', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-res', RESOURCE)
      .account('a1')
      .subscription('x1', 'a1', 't-res')
      .selectAll()
      .verify();
    expect(v.get('account', 'a1').status).toBe('verification-failed');
    expect(v.get('subscription', 'x1')).toMatchObject({
      status: 'rejected',
      reasons: [{ code: 'owner-failed' }],
    });
  });

  it('a cancelled subscription is not migrated', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('a1')
      .subscription('s1', 'a1', 't-host', { status: 'cancelled' })
      .domain('x.com', 'a1', { hosting: 's1' })
      .selectAll()
      .verify();
    expect(v.codes('subscription', 's1')).toEqual(['cancelled-on-source']);
  });

  it('a domain naming a subscription the inventory lacks fails with subscription-missing', () => {
    const v = new Scenario()
      .server('web01')
      .account('a1')
      .domain('ghost.com', 'a1', { hosting: 'nope' })
      .selectAll()
      .verify();
    expect(v.codes('domain', 'ghost.com')).toEqual(['subscription-missing']);
  });
});

describe('POA guide: reseller rules', () => {
  const resellers = (): Scenario =>
    new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('r1', { type: 'reseller' })
      .account('c1', { parentId: 'r1' })
      .subscription('s1', 'c1', 't-host')
      .domain('customer.com', 'c1', { hosting: 's1' })
      .selectAll();

  it('"a reseller\'s customers wait for their reseller": the customer passes with a note', () => {
    const v = resellers().verify();
    expect(v.get('account', 'r1')).toMatchObject({ status: 'verified', reasons: [] });
    expect(v.get('account', 'c1')).toMatchObject({
      status: 'verified',
      reasons: [{ code: 'waits-for-reseller', severity: 'info' }],
    });
  });

  it('"a customer fails when its parent is not migrated": the reseller not selected', () => {
    const v = resellers().unselectAccount('web01', 'r1').verify();
    expect(v.has('account', 'r1', 'web01')).toBe(false);
    expect(v.get('account', 'c1').status).toBe('verification-failed');
    // The root cause first; its consequences (the customer's subscription and domain) follow it.
    expect(v.codes('account', 'c1')).toEqual(['parent-not-selected', 'domain-failed']);
    expect(v.get('subscription', 's1')).toMatchObject({
      status: 'rejected',
      reasons: [{ code: 'owner-failed' }],
    });
    expect(v.get('domain', 'customer.com').reasons[0]?.message).toContain('s1 (owner-failed)');
  });

  it('a customer fails when its parent reseller failed (a chain of resellers)', () => {
    const s = resellers().account('top', { type: 'reseller' });
    const reseller = s.servers[0]?.accounts.find((a) => a.id === 'r1');
    if (reseller) Object.assign(reseller, { parentId: 'top' });
    s.selectAll().unselectAccount('web01', 'top');
    const v = s.verify();
    expect(v.codes('account', 'r1')).toEqual(['parent-not-selected']);
    expect(v.codes('account', 'c1')).toEqual(['parent-failed', 'domain-failed']);
  });

  it('a reseller without domains of its own but with selected customers has something to migrate', () => {
    const v = resellers().verify();
    expect(v.codes('account', 'r1')).not.toContain('no-domains');
  });
});

describe('TARGET-API.md warnings (they warn, they do not block)', () => {
  const base = (): Scenario =>
    new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .template('t-reg', REGISTRATION)
      .account('a1', { ccpLogin: { login: 'bob', password: { value: 'fish&chips', crypted: false } } })
      .subscription('s1', 'a1', 't-host')
      .subscription('r1', 'a1', 't-reg', {
        registrarLogin: { login: 'reg', password: { value: 'a&b', crypted: false } },
      })
      .domain(
        'warn.com',
        'a1',
        { hosting: 's1', registration: 'r1' },
        { content: [{ kind: 'database', id: 'shopdb' }] },
      )
      .domain('*.warn.com', 'a1', { others: ['s1'] }, { kind: 'subdomain' })
      .selectAll();

  it('passwords with "&": the CCP password of the account', () => {
    const a = base().verify().get('account', 'a1');
    expect(a).toMatchObject({
      status: 'verified',
      reasons: [{ code: 'password-ampersand', severity: 'warning' }],
    });
    expect(a.reasons[0]?.message).not.toContain('fish&chips');
  });

  it('passwords with "&": the registrar password of a subscription', () => {
    expect(base().verify().get('subscription', 'r1')).toMatchObject({
      status: 'approved',
      reasons: [{ code: 'registrar-password-ampersand' }],
    });
  });

  it('a crypted password is a hash: no warning', () => {
    const s = base();
    const a = s.servers[0]?.accounts[0];
    if (a) Object.assign(a, { ccpLogin: { login: 'bob', password: { value: '$1$a&b', crypted: true } } });
    expect(s.verify().get('account', 'a1').reasons).toEqual([]);
  });

  it("databases not linked to a site (from the inventory's content references)", () => {
    const d = base().verify().get('domain', 'warn.com');
    expect(d.status).toBe('auto-approved');
    expect(d.reasons.map((r) => r.code)).toEqual(['database-not-linked']);
    expect(d.reasons[0]?.message).toContain('shopdb');
  });

  it('wildcard subdomains', () => {
    expect(base().verify().codes('domain', '*.warn.com')).toContain('wildcard-subdomain');
  });

  it('mail aliases, service passwords, databases and wildcards from domainServicesInfo facts', () => {
    const s = base();
    s.domainServices.set('web01\nwarn.com', {
      ampersandPasswords: ['mailbox info@warn.com'],
      mailAliases: ['sales@warn.com'],
      databases: ['crm'],
      hasWebHosting: false,
      subdomains: ['*'],
    });
    const d = s.verify().get('domain', 'warn.com');
    expect(d.status).toBe('auto-approved');
    expect(d.reasons.map((r) => r.code).sort()).toEqual([
      'database-not-linked',
      'mail-aliases',
      'password-ampersand-domain',
      'wildcard-subdomain',
    ]);
    expect(d.reasons.find((r) => r.code === 'database-not-linked')?.message).toContain('crm');
  });
});

describe('selection scope', () => {
  it('only selected objects are verified: unselected domains, their subscriptions and unselected accounts have no result', () => {
    const v = new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .account('a1')
      .account('a2')
      .subscription('s1', 'a1', 't-host')
      .subscription('s2', 'a1', 't-host')
      .domain('one.com', 'a1', { hosting: 's1' })
      .domain('two.com', 'a1', { hosting: 's2' })
      .selectAll()
      .unselectDomain('web01', 'two.com')
      .unselectAccount('web01', 'a2')
      .verify();
    expect(v.has('domain', 'one.com', 'web01')).toBe(true);
    expect(v.has('domain', 'two.com', 'web01')).toBe(false);
    expect(v.has('subscription', 's2', 'web01')).toBe(false);
    expect(v.has('account', 'a2', 'web01')).toBe(false);
    expect(v.get('account', 'a1').status).toBe('verified');
  });
});
