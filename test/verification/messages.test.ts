/**
 * Every verdict says what and where, exactly: one verification of two sources that between them
 * raise every rule of the seed's tables and the POA guide, compared in full — statuses, each
 * reason's severity and message, the objects it points at, plans and destinations. A reason
 * with a wrong word, a lost link or a wrong severity fails here even when its code is right.
 */
import { describe, expect, it } from 'vitest';
import type { VerificationResult } from '../../shared/model/verification';
import { BOTH, HOSTING, REGISTRATION, RESOURCE, Scenario } from './scenario';

/** One line per result and one per reason; unknown fields are printed too, so none goes unseen. */
function format(results: Iterable<VerificationResult>): string {
  const lines: string[] = [];
  for (const r of results) {
    const {
      kind,
      serverId,
      id,
      status,
      reasons,
      name,
      accountId,
      templateId,
      apiVersion,
      destination,
      plan,
      ...rest
    } = r;
    let head = `${kind} ${serverId}/${id} ${status} (v${apiVersion}, account ${accountId}`;
    // A key that is present but undefined shows as such: results carry only what they mean.
    if ('name' in r) head += `, name "${name}"`;
    if ('templateId' in r) head += `, template ${templateId}`;
    if ('destination' in r) head += `, to ${destination}`;
    head += ')';
    if ('plan' in r)
      head += ` plan ${JSON.stringify(plan, (_k, v: unknown) => (v === undefined ? '<undefined>' : v))}`;
    for (const [k, v] of Object.entries(rest)) head += ` ${k}=${JSON.stringify(v)}`;
    lines.push(head);
    for (const x of reasons) {
      const { code, severity, message, related, ...more } = x;
      let line = `  ${severity} ${code}: ${message}`;
      if (related) line += ` → ${related.map((o) => `${o.kind} ${o.serverId}/${o.id}`).join(', ')}`;
      for (const [k, v] of Object.entries(more)) line += ` ${k}=${JSON.stringify(v)}`;
      lines.push(line);
    }
  }
  return lines.join('\n');
}

/** web01 (Migration API v1) and web02 (v2), today 2025-06-15, everything selected. */
function sources(): Scenario {
  return new Scenario()
    .server('web01', 1, { protectiveDays: 30 })
    .template('t-host', HOSTING, { name: 'Linux hosting' })
    .template('t-reg', REGISTRATION, { name: 'Registration' })
    .template('t-res', RESOURCE, { name: 'Extra IP' })
    .template('t-both', BOTH, { name: 'Hosting and domain' })
    .template('t-legacy', undefined, { name: 'Legacy' })
    .template('t-half', { class: 'hosting', poaTemplateId: 11 }, { name: 'Half mapped' })
    .account('a1', { company: 'Acme' })
    .account('a2', { company: 'Beta' })
    .account('a3')
    .account('r1', { type: 'reseller', company: 'Resell' })
    .account('c1', { parentId: 'r1', company: 'Customer' })
    .account('empty', { company: 'No domains' })
    .subscription('s1', 'a1', 't-host', { name: 'Acme web', expires: '2026-01-01' })
    .subscription('g1', 'a1', 't-reg', { expires: '2025-06-01' })
    .subscription('x1', 'a1', 't-res')
    .subscription('s2', 'a2', 't-host', { expires: '2025-04-01' })
    .subscription('s2b', 'a2', 't-legacy')
    .subscription('g2', 'a2', 't-reg')
    .subscription('s3', 'a3', 't-half', { created: '2025-02-31' })
    .subscription('s3b', 'a3', 't-host', { created: '2025-05-01', expires: '2025-01-01' })
    .subscription('s3c', 'a3', 't-host', { status: 'cancelled' })
    .subscription('rs', 'r1', 't-both')
    .subscription('cs', 'c1', 't-host', { status: 'expired' })
    .domain('acme.com', 'a1', { hosting: 's1', registration: 'g1', others: ['x1'] })
    .domain('beta.org', 'a2', { hosting: 's2', registration: 'g2', others: ['s2b'] })
    .domain('gamma.com', 'a3', { hosting: 's3', others: ['s3b', 's3c'] })
    .domain('resell.net', 'r1', { hosting: 'rs', registration: 'rs' })
    .domain('customer.com', 'c1', { hosting: 'cs' })
    .server('web02', 2)
    .template('p-host', HOSTING, { name: 'Business' })
    .template('p-res', RESOURCE, { name: 'Disk' })
    .template('p-reg', REGISTRATION, { name: 'Reg' })
    .account('k1', { company: 'Kappa' })
    .subscription('sub 1', 'k1', 'p-host')
    .subscription('xr', 'k1', 'p-res')
    .subscription('reg-empty', 'k1', 'p-reg')
    .subscription('reg-two', 'k1', 'p-reg')
    .subscription('h2', 'k1', 'p-host')
    .domain('kappa.com', 'k1', { hosting: 'sub 1', others: ['xr', 'reg-two'] })
    .domain('kappa.net', 'k1', { others: ['reg-two'] })
    .domain('acme.com', 'k1', { hosting: 'h2' })
    .selectAll();
}

/**
 * web03: the domain rules' branches — approvals, parking, several subscriptions, a missing one,
 * overrides, warnings; web04: a registration required, and unmapped subscriptions skipped.
 */
function domainCases(): Scenario {
  const s = new Scenario()
    .server('web03', 1, { parkRegistrationOnly: true, requireRegistration: false })
    .template('t-host', HOSTING, { name: 'Hosting' })
    .template('t-reg', REGISTRATION, { name: 'Registration' })
    .template('t-res', RESOURCE, { name: 'IP' })
    .account('d1', { ccpLogin: { login: 'd1-admin', password: { value: 'a&b', crypted: false } } })
    .account('d2', {
      ccpLogin: { login: 'd2-admin', password: { value: 'x', crypted: false, hasAmpersand: true } },
    })
    .account('d3', { ccpLogin: { login: 'd3-admin', password: { value: '$1$crypted&', crypted: true } } })
    .subscription('h1', 'd1', 't-host')
    .subscription('h2', 'd1', 't-host')
    .subscription('r1', 'd1', 't-reg', {
      registrarLogin: { login: 'reg-user', password: { value: 'p&q', crypted: false } },
    })
    .subscription('r2', 'd1', 't-reg')
    .subscription('o1', 'd1', 't-host')
    .subscription('ip1', 'd2', 't-res')
    .subscription('ip2', 'd2', 't-res')
    .subscription('rg', 'd2', 't-reg')
    .subscription('rg2', 'd2', 't-reg')
    .subscription('rg3', 'd3', 't-reg')
    .subscription('rz', 'd3', 't-reg', {
      status: 'cancelled',
      registrarLogin: { login: 'rz-user', password: { value: 'r&z', crypted: false } },
    })
    .subscription('hz', 'd3', 't-host')
    .subscription('rx', 'd3', 't-reg', { status: 'cancelled', expires: '2020-01-01' })
    .subscription('rw', 'd3', 't-reg', {
      status: 'cancelled',
      registrarLogin: { login: 'rw-user', password: { value: 'r&w', crypted: false } },
    })
    .domain('double.com', 'd1', { hosting: 'h1', registration: 'r1', others: ['h2', 'r2'] })
    .domain('overridden.com', 'd1', { hosting: 'o1' })
    .domain('ghost.com', 'd1', { hosting: 'nowhere' })
    .domain('nothing.com', 'd1')
    .domain('*.wild.com', 'd2', { others: ['ip1', 'ip2'] }, { kind: 'subdomain' })
    .domain('single.com', 'd2', { registration: 'rg' })
    .domain('parked.com', 'd2', { registration: 'rg2' }, { content: [{ kind: 'database', id: 'db1' }] })
    .domain('approved.com', 'd3', { registration: 'rg3' })
    // Its registration comes first and is rejected (with a warning that is not a reason to reject);
    // its hosting comes second and carries it. An approval left over from before does nothing.
    .domain('hosted.com', 'd3', { registration: 'rz', others: ['hz'] })
    .domain('warned.com', 'd3', { registration: 'rw' })
    .domain('twice.com', 'd3', { registration: 'rx' })
    .server('web04', 1, { requireRegistration: true, unmappedPolicy: 'skip' })
    .template('t-host', HOSTING, { name: 'Hosting' })
    .template('t-old', undefined, { name: 'Old' })
    .account('e1')
    .subscription('eh', 'e1', 't-host')
    .subscription('eu', 'e1', 't-old')
    .domain('req.com', 'e1', { hosting: 'eh', others: ['eu'] })
    .selectAll()
    .override('web03', 'o1')
    .approve('web03', 'parked.com', true)
    .approve('web03', 'approved.com', false)
    .approve('web03', 'hosted.com', true);
  s.domainServices.set('web03\nsingle.com', {
    ampersandPasswords: ['mailbox info@single.com', 'ftp user single'],
    mailAliases: ['sales@single.com', 'help@single.com', 'a@single.com', 'b@single.com'],
    databases: ['wp1', 'wp2'],
    hasWebHosting: false,
    subdomains: ['*', 'www', '*.shop.single.com'],
  });
  return s;
}

/** web05: the reseller rules — parents missing, unselected or failed; resellers carried by their customers. */
function accountCases(): Scenario {
  const s = new Scenario()
    .server('web05', 1)
    .template('t-host', HOSTING, { name: 'Hosting' })
    .account('r0', { type: 'reseller', company: 'Top reseller' })
    .account('r1', { type: 'reseller', parentId: 'r0' })
    .account('c1', { parentId: 'r1' })
    .account('r2', { type: 'reseller' })
    .account('r3', { type: 'reseller' })
    .account('c3', { parentId: 'r3' })
    .account('a4')
    .account('o5', { parentId: 'gone' })
    .subscription('s-r1', 'r1', 't-host')
    .subscription('s-c1', 'c1', 't-host')
    .subscription('s-c3', 'c3', 't-host')
    .subscription('s-a4', 'a4', 't-host')
    .subscription('s-o5', 'o5', 't-host')
    .domain('r1.com', 'r1', { hosting: 's-r1' })
    .domain('c1.com', 'c1', { hosting: 's-c1' })
    .domain('c3.com', 'c3', { hosting: 's-c3' })
    .domain('a4.com', 'a4', { hosting: 's-a4' })
    .domain('a4.net', 'a4', { hosting: 's-a4' })
    .domain('o5.com', 'o5', { hosting: 's-o5' });
  s.selection.set('web05', {
    accounts: new Set(['r1', 'c1', 'r2', 'r3', 'c3', 'a4', 'o5']),
    domains: new Set(['r1.com', 'c1.com', 'c3.com', 'o5.com']),
  });
  return s;
}

/** web06/web07: inactive subscriptions rejected or warned about; "expired" with a date ahead; date-times. */
function statusCases(): Scenario {
  const server = (s: Scenario, id: string): Scenario =>
    s
      .template('t-host', HOSTING, { name: 'Hosting' })
      .account(`${id}-a`)
      .subscription(`${id}-sus`, `${id}-a`, 't-host', { status: 'suspended' })
      .subscription(`${id}-dis`, `${id}-a`, 't-host', { status: 'disabled' })
      .subscription(`${id}-pen`, `${id}-a`, 't-host', { status: 'pending' })
      .domain(`${id}-sus.com`, `${id}-a`, { hosting: `${id}-sus` })
      .domain(`${id}-dis.com`, `${id}-a`, { hosting: `${id}-dis` })
      .domain(`${id}-pen.com`, `${id}-a`, { hosting: `${id}-pen` });
  const s = server(new Scenario().server('web06', 1), 'w6');
  server(s.server('web07', 1, { inactivePolicy: 'warn', protectiveDays: 10 }), 'w7')
    .subscription('ahead', 'w7-a', 't-host', { status: 'expired', expires: '2025-07-01' })
    .subscription('today', 'w7-a', 't-host', { status: 'expired', expires: '2025-06-15T23:00:00Z' })
    .subscription('edge', 'w7-a', 't-host', {
      expires: '2025-06-05T10:00:00+02:00',
      created: '2025-01-01T00:00:00Z',
    })
    .domain('ahead.com', 'w7-a', { hosting: 'ahead' })
    .domain('today.com', 'w7-a', { hosting: 'today' })
    .domain('edge.com', 'w7-a', { hosting: 'edge' });
  return s.selectAll();
}

/** web08: when the warnings stay quiet — no "&", wildcards only where there are some, linked databases. */
function warningCases(): Scenario {
  const s = new Scenario()
    .server('web08', 1)
    .template('t-host', HOSTING, { name: 'Hosting' })
    .template('t-reg', REGISTRATION, { name: 'Registration' })
    .account('q1', { ccpLogin: { login: 'q1-admin', password: { value: 'plain', crypted: false } } })
    .account('q2', {
      ccpLogin: { login: 'q2-admin', password: { value: 'a&b', crypted: false, hasAmpersand: false } },
    })
    .subscription('qh', 'q1', 't-host')
    .subscription('qr', 'q1', 't-reg', {
      registrarLogin: { login: 'reg', password: { value: 'plain', crypted: false } },
    })
    .subscription('qh2', 'q2', 't-host')
    .domain(
      'quiet.com',
      'q1',
      { hosting: 'qh', registration: 'qr' },
      {
        content: [
          { kind: 'site', id: 'quiet.com' },
          { kind: 'database', id: 'quietdb' },
        ],
      },
    )
    .domain('shop.quiet.com', 'q1', { hosting: 'qh' }, { kind: 'subdomain' })
    .domain('facts.com', 'q2', { hosting: 'qh2' }, { content: [{ kind: 'database', id: 'factsdb' }] })
    .domain(
      'mixed.com',
      'q2',
      { hosting: 'qh2' },
      {
        content: [
          { kind: 'database', id: 'mixdb' },
          { kind: 'mailbox', id: 'info' },
        ],
      },
    )
    .selectAll();
  s.domainServices.set('web08\nfacts.com', {
    ampersandPasswords: [],
    mailAliases: [],
    databases: ['factsdb'],
    hasWebHosting: true,
    subdomains: ['www', 'shop'],
  });
  return s;
}

describe('what every verdict says', () => {
  it('two sources raising every rule: each status, reason, message and link exactly', () => {
    expect(format(sources().verify().results.values())).toBe(EXPECTED);
  });

  it('the domain rules: approvals, parking, several subscriptions, a missing one, overrides and the warnings', () => {
    expect(format(domainCases().verify().results.values())).toBe(EXPECTED_DOMAINS);
  });

  it('the account rules: resellers and their customers, a missing parent, nothing selected', () => {
    expect(format(accountCases().verify().results.values())).toBe(EXPECTED_ACCOUNTS);
  });

  it('the subscription statuses and dates: inactive rejected or warned about, expired with a date ahead', () => {
    expect(format(statusCases().verify().results.values())).toBe(EXPECTED_STATUSES);
  });

  it('the warnings stay quiet where there is nothing to warn about', () => {
    expect(format(warningCases().verify().results.values())).toBe(EXPECTED_WARNINGS);
  });
});

const EXPECTED = `domain web01/acme.com verification-failed (v1, account a1, name "acme.com", template t-host) plan {"hosting":"s1","registration":"g1","resources":["x1"],"park":false}
  error hosting-on-several-servers: acme.com is hosted on web01 and also on web02; it must be selected on one source server only. → domain web02/acme.com
subscription web01/s1 approved (v1, account a1, name "Acme web", template t-host, to poa+pba)
subscription web01/g1 approved (v1, account a1, template t-reg, to pba)
  info protective: Subscription g1 expired on 2025-06-01 (14 day(s) ago), within the 30-day protective interval of web01 (until 2025-07-01): it migrates as a protective subscription.
subscription web01/x1 approved (v1, account a1, template t-res, to pba)
account web01/a1 verification-failed (v1, account a1, name "Acme")
  error domain-failed: Domain(s) acme.com did not pass verification. → domain web01/acme.com
domain web01/beta.org verification-failed (v1, account a2, name "beta.org") plan {"resources":[],"park":false}
  error unmapped-subscriptions: beta.org has unmapped subscription(s) s2b, g2 and the unmapped policy of web01 is "fail". → subscription web01/s2b, subscription web01/g2
subscription web01/s2 rejected (v1, account a2, template t-host)
  error expired: Subscription s2 expired on 2025-04-01, 75 days ago, past the 30-day protective interval of web01 (which ended 2025-05-01).
subscription web01/s2b rejected (v1, account a2, template t-legacy)
  error not-mapped: Template "Legacy" (t-legacy) of subscription s2b is not mapped.
subscription web01/g2 rejected (v1, account a2, template t-reg)
  error not-mapped: Template "Registration" (t-reg) maps no PBA plan for the TLD of beta.org.
account web01/a2 verification-failed (v1, account a2, name "Beta")
  error domain-failed: Domain(s) beta.org did not pass verification. → domain web01/beta.org
domain web01/gamma.com verification-failed (v1, account a3, name "gamma.com") plan {"resources":[],"park":false}
  error unmapped-subscriptions: gamma.com has unmapped subscription(s) s3 and the unmapped policy of web01 is "fail". → subscription web01/s3
subscription web01/s3 rejected (v1, account a3, template t-half)
  error not-mapped: Template "Half mapped" (t-half) of subscription s3 is classified hosting but lacks PBA service plan.
  error invalid-dates: Subscription s3 has a date that is not a calendar day (created 2025-02-31, expires -).
subscription web01/s3b rejected (v1, account a3, template t-host)
  error invalid-dates: Subscription s3b expires (2025-01-01) before it was created (2025-05-01).
  error expired: Subscription s3b expired on 2025-01-01, 165 days ago, past the 30-day protective interval of web01 (which ended 2025-01-31).
subscription web01/s3c rejected (v1, account a3, template t-host)
  error cancelled-on-source: Subscription s3c is cancelled on web01.
account web01/a3 verification-failed (v1, account a3)
  error domain-failed: Domain(s) gamma.com did not pass verification. → domain web01/gamma.com
domain web01/resell.net auto-approved (v1, account r1, name "resell.net", template t-both) plan {"hosting":"rs","registration":"rs","resources":[],"park":false}
subscription web01/rs approved (v1, account r1, template t-both, to poa+pba)
account web01/r1 verified (v1, account r1, name "Resell")
domain web01/customer.com verification-failed (v1, account c1, name "customer.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of customer.com is suitable for migration (rejected: cs (expired)). → subscription web01/cs
subscription web01/cs rejected (v1, account c1, template t-host)
  error expired: Subscription cs is expired on web01 and has no expiry date, so the protective interval cannot apply.
account web01/c1 verification-failed (v1, account c1, name "Customer")
  info waits-for-reseller: It is migrated after its reseller r1. → account web01/r1
  error domain-failed: Domain(s) customer.com did not pass verification. → domain web01/customer.com
account web01/empty verification-failed (v1, account empty, name "No domains")
  error no-domains: Account empty has no domains on web01.
domain web02/kappa.com verification-failed (v2, account k1, name "kappa.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of kappa.com is suitable for migration (rejected: sub 1 (no-external-id), xr (resource-with-domains), reg-two (registration-several-domains)). → subscription web02/sub 1, subscription web02/xr, subscription web02/reg-two
domain web02/kappa.net verification-failed (v2, account k1, name "kappa.net") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of kappa.net is suitable for migration (rejected: reg-two (registration-several-domains)). → subscription web02/reg-two
domain web02/acme.com verification-failed (v2, account k1, name "acme.com", template p-host) plan {"hosting":"h2","resources":[],"park":false}
  error hosting-on-several-servers: acme.com is hosted on web02 and also on web01; it must be selected on one source server only. → domain web01/acme.com
subscription web02/sub 1 rejected (v2, account k1, template p-host)
  error no-external-id: Template "Business" (p-host) is mapped as hosting, but the subscription's external identifier "sub 1" is empty or holds spaces, so MM cannot name it to the agent.
subscription web02/xr rejected (v2, account k1, template p-res)
  error resource-with-domains: Template "Disk" (p-res) is mapped as resource, but subscription xr provides kappa.com.
subscription web02/reg-empty rejected (v2, account k1, template p-reg)
  error registration-without-domain: Template "Reg" (p-reg) is mapped as registration, but subscription reg-empty provides no domain.
subscription web02/reg-two rejected (v2, account k1, template p-reg)
  error registration-several-domains: Template "Reg" (p-reg) is mapped as registration, but subscription reg-two provides 2 domains (kappa.com, kappa.net); only one is allowed.
subscription web02/h2 approved (v2, account k1, template p-host, to poa+pba)
account web02/k1 verification-failed (v2, account k1, name "Kappa")
  error domain-failed: Domain(s) kappa.com, kappa.net, acme.com did not pass verification. → domain web02/kappa.com, domain web02/kappa.net, domain web02/acme.com`;

const EXPECTED_DOMAINS = `domain web03/double.com verification-failed (v1, account d1, name "double.com") plan {"resources":[],"park":false}
  error several-hosting-subscriptions: double.com has 2 hosting subscriptions suitable for migration: h1, h2. → subscription web03/h1, subscription web03/h2
  error several-registration-subscriptions: double.com has 2 domain registration subscriptions suitable for migration: r1, r2. → subscription web03/r1, subscription web03/r2
domain web03/overridden.com verification-failed (v1, account d1, name "overridden.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: No subscription provides overridden.com on web03.
domain web03/ghost.com verification-failed (v1, account d1, name "ghost.com") plan {"resources":[],"park":false}
  error subscription-missing: ghost.com names subscription nowhere, which the inventory of web03 does not hold. → subscription web03/nowhere
domain web03/nothing.com verification-failed (v1, account d1, name "nothing.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: No subscription provides nothing.com on web03.
subscription web03/h1 approved (v1, account d1, template t-host, to poa+pba)
subscription web03/h2 approved (v1, account d1, template t-host, to poa+pba)
subscription web03/r1 approved (v1, account d1, template t-reg, to pba)
  warning registrar-password-ampersand: The registrar password of reg-user contains "&", which breaks on the target.
subscription web03/r2 approved (v1, account d1, template t-reg, to pba)
subscription web03/o1 not-migrated (v1, account d1, template t-host)
  info override-not-migrated: Subscription o1 is marked "not migrated" (override state): it stays on web03.
account web03/d1 verification-failed (v1, account d1)
  error domain-failed: Domain(s) double.com, overridden.com, ghost.com and 1 more did not pass verification. → domain web03/double.com, domain web03/overridden.com, domain web03/ghost.com, domain web03/nothing.com
  warning password-ampersand: The control panel password of d1-admin contains "&", which breaks on the target.
domain web03/*.wild.com manual-approval-required (v1, account d2, name "*.wild.com") plan {"resources":["ip1","ip2"],"park":false}
  approval no-hosting-subscription: *.wild.com has subscriptions ip1, ip2 for PBA but no hosting subscription. → subscription web03/ip1, subscription web03/ip2
  info parking-offered: web03 offers parking: *.wild.com can be parked on the target when approved.
  warning wildcard-subdomain: *.wild.com has wildcard subdomain(s) *.wild.com: the target answers them only with a wildcard DNS record added by hand.
domain web03/single.com manual-approval-required (v1, account d2, name "single.com") plan {"registration":"rg","resources":[],"park":false}
  approval no-hosting-subscription: single.com has subscription rg for PBA but no hosting subscription. → subscription web03/rg
  info parking-offered: web03 offers parking: single.com can be parked on the target when approved.
  warning wildcard-subdomain: single.com has wildcard subdomain(s) *, *.shop.single.com: the target answers them only with a wildcard DNS record added by hand.
  warning database-not-linked: single.com has database(s) wp1, wp2 but no web site to link them to: they arrive unlinked on the target.
  warning mail-aliases: single.com has 4 mail alias(es) (sales@single.com, help@single.com, a@single.com and 1 more): check they still deliver on the target.
  warning password-ampersand-domain: Password(s) of mailbox info@single.com, ftp user single on single.com contain "&".
domain web03/parked.com manually-approved (v1, account d2, name "parked.com") plan {"registration":"rg2","resources":[],"park":true}
  approval no-hosting-subscription: parked.com has subscription rg2 for PBA but no hosting subscription. → subscription web03/rg2
  info parking-offered: web03 offers parking: parked.com can be parked on the target when approved.
  warning database-not-linked: parked.com has database(s) db1 but no web site to link them to: they arrive unlinked on the target.
  info approved-manually: Approved manually, with parking (decision d-test).
subscription web03/ip1 approved (v1, account d2, template t-res, to pba)
subscription web03/ip2 approved (v1, account d2, template t-res, to pba)
subscription web03/rg approved (v1, account d2, template t-reg, to pba)
subscription web03/rg2 approved (v1, account d2, template t-reg, to pba)
account web03/d2 verified (v1, account d2)
  warning password-ampersand: The control panel password of d2-admin contains "&", which breaks on the target.
domain web03/approved.com manually-approved (v1, account d3, name "approved.com") plan {"registration":"rg3","resources":[],"park":false}
  approval no-hosting-subscription: approved.com has subscription rg3 for PBA but no hosting subscription. → subscription web03/rg3
  info parking-offered: web03 offers parking: approved.com can be parked on the target when approved.
  info approved-manually: Approved manually (decision d-test).
domain web03/hosted.com auto-approved (v1, account d3, name "hosted.com", template t-host) plan {"hosting":"hz","resources":[],"park":false}
domain web03/warned.com verification-failed (v1, account d3, name "warned.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of warned.com is suitable for migration (rejected: rw (cancelled-on-source)). → subscription web03/rw
domain web03/twice.com verification-failed (v1, account d3, name "twice.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of twice.com is suitable for migration (rejected: rx (expired, cancelled-on-source)). → subscription web03/rx
subscription web03/rg3 approved (v1, account d3, template t-reg, to pba)
subscription web03/rz rejected (v1, account d3, template t-reg)
  error cancelled-on-source: Subscription rz is cancelled on web03.
  warning registrar-password-ampersand: The registrar password of rz-user contains "&", which breaks on the target.
subscription web03/hz approved (v1, account d3, template t-host, to poa+pba)
subscription web03/rx rejected (v1, account d3, template t-reg)
  error expired: Subscription rx expired on 2020-01-01, 1992 days ago, past the 30-day protective interval of web03 (which ended 2020-01-31).
  error cancelled-on-source: Subscription rx is cancelled on web03.
subscription web03/rw rejected (v1, account d3, template t-reg)
  error cancelled-on-source: Subscription rw is cancelled on web03.
  warning registrar-password-ampersand: The registrar password of rw-user contains "&", which breaks on the target.
account web03/d3 verification-failed (v1, account d3)
  error domain-failed: Domain(s) warned.com, twice.com did not pass verification. → domain web03/warned.com, domain web03/twice.com
domain web04/req.com verification-failed (v1, account e1, name "req.com", template t-host) plan {"hosting":"eh","resources":[],"park":false}
  error registration-not-found: req.com has no domain registration subscription suitable for migration, and web04 requires one.
subscription web04/eh approved (v1, account e1, template t-host, to poa+pba)
subscription web04/eu rejected (v1, account e1, template t-old)
  error not-mapped: Template "Old" (t-old) of subscription eu is not mapped. It is skipped (the unmapped policy of web04 is "skip").
account web04/e1 verification-failed (v1, account e1)
  error domain-failed: Domain(s) req.com did not pass verification. → domain web04/req.com`;

const EXPECTED_ACCOUNTS = `domain web05/r1.com verification-failed (v1, account r1, name "r1.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of r1.com is suitable for migration (rejected: s-r1 (owner-failed)). → subscription web05/s-r1
subscription web05/s-r1 rejected (v1, account r1, template t-host)
  error owner-failed: Its owner account r1 failed verification (parent-not-selected). → account web05/r1
account web05/r1 verification-failed (v1, account r1)
  error parent-not-selected: Its parent reseller r0 is not selected for migration. → account web05/r0
  error domain-failed: Domain(s) r1.com did not pass verification. → domain web05/r1.com
domain web05/c1.com verification-failed (v1, account c1, name "c1.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of c1.com is suitable for migration (rejected: s-c1 (owner-failed)). → subscription web05/s-c1
subscription web05/s-c1 rejected (v1, account c1, template t-host)
  error owner-failed: Its owner account c1 failed verification (parent-failed). → account web05/c1
account web05/c1 verification-failed (v1, account c1)
  error parent-failed: Its parent reseller r1 failed verification (parent-not-selected). → account web05/r1
  error domain-failed: Domain(s) c1.com did not pass verification. → domain web05/c1.com
account web05/r2 verification-failed (v1, account r2)
  error no-domains: Account r2 has no domains on web05.
account web05/r3 verified (v1, account r3)
domain web05/c3.com auto-approved (v1, account c3, name "c3.com", template t-host) plan {"hosting":"s-c3","resources":[],"park":false}
subscription web05/s-c3 approved (v1, account c3, template t-host, to poa+pba)
account web05/c3 verified (v1, account c3)
  info waits-for-reseller: It is migrated after its reseller r3. → account web05/r3
account web05/a4 verification-failed (v1, account a4)
  error no-domains-selected: None of the 2 domain(s) of account a4 is selected for migration.
domain web05/o5.com verification-failed (v1, account o5, name "o5.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of o5.com is suitable for migration (rejected: s-o5 (owner-failed)). → subscription web05/s-o5
subscription web05/s-o5 rejected (v1, account o5, template t-host)
  error owner-failed: Its owner account o5 failed verification (parent-missing). → account web05/o5
account web05/o5 verification-failed (v1, account o5)
  error parent-missing: Its parent account gone is not in the inventory of web05, so it will not be migrated.
  error domain-failed: Domain(s) o5.com did not pass verification. → domain web05/o5.com`;

const EXPECTED_STATUSES = `domain web06/w6-sus.com verification-failed (v1, account w6-a, name "w6-sus.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of w6-sus.com is suitable for migration (rejected: w6-sus (inactive-on-source)). → subscription web06/w6-sus
domain web06/w6-dis.com verification-failed (v1, account w6-a, name "w6-dis.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of w6-dis.com is suitable for migration (rejected: w6-dis (inactive-on-source)). → subscription web06/w6-dis
domain web06/w6-pen.com verification-failed (v1, account w6-a, name "w6-pen.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of w6-pen.com is suitable for migration (rejected: w6-pen (inactive-on-source)). → subscription web06/w6-pen
subscription web06/w6-sus rejected (v1, account w6-a, template t-host)
  error inactive-on-source: Subscription w6-sus is suspended on web06, so it is not migrated (the server rejects inactive subscriptions).
subscription web06/w6-dis rejected (v1, account w6-a, template t-host)
  error inactive-on-source: Subscription w6-dis is disabled on web06, so it is not migrated (the server rejects inactive subscriptions).
subscription web06/w6-pen rejected (v1, account w6-a, template t-host)
  error inactive-on-source: Subscription w6-pen is pending on web06, so it is not migrated (the server rejects inactive subscriptions).
account web06/w6-a verification-failed (v1, account w6-a)
  error domain-failed: Domain(s) w6-sus.com, w6-dis.com, w6-pen.com did not pass verification. → domain web06/w6-sus.com, domain web06/w6-dis.com, domain web06/w6-pen.com
domain web07/w7-sus.com auto-approved (v1, account w7-a, name "w7-sus.com", template t-host) plan {"hosting":"w7-sus","resources":[],"park":false}
domain web07/w7-dis.com auto-approved (v1, account w7-a, name "w7-dis.com", template t-host) plan {"hosting":"w7-dis","resources":[],"park":false}
domain web07/w7-pen.com auto-approved (v1, account w7-a, name "w7-pen.com", template t-host) plan {"hosting":"w7-pen","resources":[],"park":false}
domain web07/ahead.com verification-failed (v1, account w7-a, name "ahead.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of ahead.com is suitable for migration (rejected: ahead (invalid-dates)). → subscription web07/ahead
domain web07/today.com verification-failed (v1, account w7-a, name "today.com") plan {"resources":[],"park":false}
  error no-suitable-subscription: None of the subscriptions of today.com is suitable for migration (rejected: today (invalid-dates)). → subscription web07/today
domain web07/edge.com auto-approved (v1, account w7-a, name "edge.com", template t-host) plan {"hosting":"edge","resources":[],"park":false}
subscription web07/w7-sus approved (v1, account w7-a, template t-host, to poa+pba)
  warning inactive-on-source-allowed: Subscription w7-sus is suspended on web07; it migrates anyway (the server migrates inactive subscriptions with a warning).
subscription web07/w7-dis approved (v1, account w7-a, template t-host, to poa+pba)
  warning inactive-on-source-allowed: Subscription w7-dis is disabled on web07; it migrates anyway (the server migrates inactive subscriptions with a warning).
subscription web07/w7-pen approved (v1, account w7-a, template t-host, to poa+pba)
  warning inactive-on-source-allowed: Subscription w7-pen is pending on web07; it migrates anyway (the server migrates inactive subscriptions with a warning).
subscription web07/ahead rejected (v1, account w7-a, template t-host)
  error invalid-dates: Subscription ahead is expired on web07, but its expiry date 2025-07-01 is in the future: its status and dates disagree.
subscription web07/today rejected (v1, account w7-a, template t-host)
  error invalid-dates: Subscription today is expired on web07, but its expiry date 2025-06-15 is today: its status and dates disagree.
subscription web07/edge approved (v1, account w7-a, template t-host, to poa+pba)
  info protective: Subscription edge expired on 2025-06-05 (10 day(s) ago), within the 10-day protective interval of web07 (until 2025-06-15): it migrates as a protective subscription.
account web07/w7-a verification-failed (v1, account w7-a)
  error domain-failed: Domain(s) ahead.com, today.com did not pass verification. → domain web07/ahead.com, domain web07/today.com`;

const EXPECTED_WARNINGS = `domain web08/quiet.com auto-approved (v1, account q1, name "quiet.com", template t-host) plan {"hosting":"qh","registration":"qr","resources":[],"park":false}
domain web08/shop.quiet.com auto-approved (v1, account q1, name "shop.quiet.com", template t-host) plan {"hosting":"qh","resources":[],"park":false}
subscription web08/qh approved (v1, account q1, template t-host, to poa+pba)
subscription web08/qr approved (v1, account q1, template t-reg, to pba)
account web08/q1 verified (v1, account q1)
domain web08/facts.com auto-approved (v1, account q2, name "facts.com", template t-host) plan {"hosting":"qh2","resources":[],"park":false}
domain web08/mixed.com auto-approved (v1, account q2, name "mixed.com", template t-host) plan {"hosting":"qh2","resources":[],"park":false}
  warning database-not-linked: mixed.com has database(s) mixdb but no web site to link them to: they arrive unlinked on the target.
subscription web08/qh2 approved (v1, account q2, template t-host, to poa+pba)
account web08/q2 verified (v1, account q2)`;
