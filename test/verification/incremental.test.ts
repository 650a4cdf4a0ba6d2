/** Incremental re-verification recomputes what a decision touched and agrees with a full run. */
import { describe, expect, it } from 'vitest';
import { touchedBy, verifyAll } from '../../electron/core/verification/engine';
import { buildIndex } from '../../electron/core/verification/inventory-index';
import type { VerificationResult } from '../../shared/model/verification';
import { HOSTING, REGISTRATION, Scenario, incremental } from './scenario';

/** What differs between two full runs: changed or new results, and null for those gone. */
function difference(
  before: ReadonlyMap<string, VerificationResult>,
  after: ReadonlyMap<string, VerificationResult>,
): Map<string, VerificationResult | null> {
  const out = new Map<string, VerificationResult | null>();
  for (const [k, v] of after) if (JSON.stringify(before.get(k)) !== JSON.stringify(v)) out.set(k, v);
  for (const k of before.keys()) if (!after.has(k)) out.set(k, null);
  return out;
}

function project(): Scenario {
  const s = new Scenario()
    .server('web01', 1, { parkRegistrationOnly: true })
    .template('t-host', HOSTING)
    .template('t-reg', REGISTRATION)
    .template('t-old');
  s.account('r1', { type: 'reseller' });
  for (let i = 0; i < 50; i++) {
    s.account(`a${i}`, i % 10 === 0 ? { parentId: 'r1' } : {});
    s.subscription(`s${i}`, `a${i}`, 't-host');
    s.subscription(`g${i}`, `a${i}`, 't-reg');
    s.domain(`site${i}.com`, `a${i}`, { hosting: `s${i}`, registration: `g${i}` });
  }
  s.subscription('s-extra', 'a3', 't-host').domain('double.com', 'a3', {
    hosting: 's3',
    others: ['s-extra'],
  });
  s.subscription('g-only', 'a4', 't-reg').domain('parked.com', 'a4', { registration: 'g-only' });
  s.subscription('u1', 'a5', 't-old').domain('legacy.com', 'a5', { others: ['u1'] });
  return s.selectAll();
}

describe('incremental re-verification', () => {
  it('override: only the touched group is recomputed, and the result equals a full run', () => {
    const before = project().verify();
    expect(before.get('domain', 'double.com').status).toBe('verification-failed');
    const after = project().override('web01', 's-extra');
    const { verified, patch } = incremental(before, after, {
      kind: 'override',
      serverId: 'web01',
      subscriptionId: 's-extra',
    });
    expect(verified.results).toEqual(after.verify().results);
    expect(verified.get('domain', 'double.com').status).toBe('auto-approved');
    expect(verified.get('account', 'a3').status).toBe('verified');
    expect(patch.recomputed).toBeGreaterThan(3);
    expect(patch.recomputed).toBeLessThan(12);
  });

  it('approve: the domain becomes manually approved', () => {
    const before = project().verify();
    const after = project().approve('web01', 'parked.com', true);
    const { verified } = incremental(before, after, {
      kind: 'approve',
      serverId: 'web01',
      domainId: 'parked.com',
      park: true,
    });
    expect(verified.results).toEqual(after.verify().results);
    expect(verified.get('domain', 'parked.com').status).toBe('manually-approved');
  });

  it('remap: every subscription of the template is recomputed', () => {
    const before = project().verify();
    expect(before.get('domain', 'legacy.com').status).toBe('verification-failed');
    const after = project().map('web01', 't-old', HOSTING);
    const change = {
      kind: 'remap' as const,
      mapping: { serverId: 'web01', templateId: 't-old', ...HOSTING },
    };
    const { verified } = incremental(before, after, change);
    expect(verified.results).toEqual(after.verify().results);
    expect(verified.get('domain', 'legacy.com').status).toBe('auto-approved');
  });

  it("unselect of a reseller customer's last domain reaches the reseller and back", () => {
    const before = project().verify();
    const after = project().unselectDomain('web01', 'site0.com');
    const { verified } = incremental(before, after, {
      kind: 'unselect',
      serverId: 'web01',
      domainId: 'site0.com',
    });
    expect(verified.results).toEqual(after.verify().results);
    expect(verified.codes('account', 'a0')).toContain('no-domains-selected');
  });

  it("re-verifies a reseller's customers when the reseller's own verdict changes (it leaves scope)", () => {
    // r1 is in scope only as the owner of its own selected domain; its customer c1 is selected.
    const reseller = (): Scenario => {
      const s = new Scenario()
        .server('web01')
        .template('t-host', HOSTING)
        .account('r1', { type: 'reseller' })
        .account('c1', { parentId: 'r1' })
        .subscription('rs', 'r1', 't-host')
        .subscription('cs', 'c1', 't-host')
        .domain('reseller.com', 'r1', { hosting: 'rs' })
        .domain('customer.com', 'c1', { hosting: 'cs' });
      s.selection.set('web01', {
        accounts: new Set(['c1']),
        domains: new Set(['reseller.com', 'customer.com']),
      });
      return s;
    };
    const before = reseller().verify();
    expect(before.codes('account', 'c1')).toEqual(['waits-for-reseller']);
    const after = reseller().unselectDomain('web01', 'reseller.com');
    const { verified } = incremental(before, after, {
      kind: 'unselect',
      serverId: 'web01',
      domainId: 'reseller.com',
    });
    expect(verified.results).toEqual(after.verify().results);
    expect(verified.has('account', 'r1', 'web01')).toBe(false);
    expect(verified.get('account', 'c1').status).toBe('verification-failed');
    expect(verified.codes('account', 'c1')).toEqual(['parent-not-selected', 'domain-failed']);
    expect(verified.codes('subscription', 'cs')).toEqual(['owner-failed']);
  });

  it('the patch holds exactly what changed: every changed or vanished result, nothing unchanged', () => {
    const cases = [
      {
        after: project().override('web01', 's-extra'),
        change: { kind: 'override', serverId: 'web01', subscriptionId: 's-extra' },
      },
      {
        after: project().approve('web01', 'parked.com', true),
        change: { kind: 'approve', serverId: 'web01', domainId: 'parked.com', park: true },
      },
      {
        after: project().unselectDomain('web01', 'site0.com'),
        change: { kind: 'unselect', serverId: 'web01', domainId: 'site0.com' },
      },
      {
        after: project().map('web01', 't-old', HOSTING),
        change: { kind: 'remap', mapping: { serverId: 'web01', templateId: 't-old', ...HOSTING } },
      },
    ] as const;
    for (const { after, change } of cases) {
      const before = project().verify();
      const { patch } = incremental(before, after, change);
      const expected = difference(before.results, after.verify().results);
      expect(expected.size, change.kind).toBeGreaterThan(0);
      expect(new Map([...patch.changes].sort()), change.kind).toEqual(new Map([...expected].sort()));
    }
  });

  it('the patch is exact around scope too: a customer leaving scope reaches its reseller, a domainless subscription its account, out-of-scope stays out', () => {
    const small = (): Scenario => {
      const s = new Scenario()
        .server('web01')
        .template('t-host', HOSTING)
        .template('t-res', { class: 'resource', pbaPlanId: 301 })
        .account('r9', { type: 'reseller' })
        .account('c9', { parentId: 'r9' })
        .account('a1')
        .subscription('cs', 'c9', 't-host')
        .subscription('h1', 'a1', 't-host')
        .subscription('free', 'a1', 't-res')
        .domain('c9.com', 'c9', { hosting: 'cs' })
        .domain('a1.com', 'a1', { hosting: 'h1' })
        .domain('a1-off.com', 'a1', { hosting: 'h1' });
      // c9 is in scope only through its domain; a1-off.com is never selected.
      s.selection.set('web01', { accounts: new Set(['r9', 'a1']), domains: new Set(['c9.com', 'a1.com']) });
      return s;
    };
    const cases = [
      {
        after: small().unselectDomain('web01', 'c9.com'),
        change: { kind: 'unselect', serverId: 'web01', domainId: 'c9.com' },
      },
      {
        after: small().override('web01', 'free'),
        change: { kind: 'override', serverId: 'web01', subscriptionId: 'free' },
      },
      {
        after: small().override('web01', 'h1'),
        change: { kind: 'override', serverId: 'web01', subscriptionId: 'h1' },
      },
    ] as const;
    for (const { after, change } of cases) {
      const before = small().verify();
      const { verified, patch } = incremental(before, after, change);
      expect(verified.results, JSON.stringify(change)).toEqual(after.verify().results);
      expect(new Map([...patch.changes].sort()), JSON.stringify(change)).toEqual(
        new Map([...difference(before.results, after.verify().results)].sort()),
      );
    }
    expect(small().unselectDomain('web01', 'c9.com').verify().codes('account', 'r9')).toEqual(['no-domains']);
  });

  it('a decision about something the inventory does not hold touches nothing', () => {
    const s = project();
    const index = buildIndex(s.input().servers);
    for (const change of [
      { kind: 'override', serverId: 'web01', subscriptionId: 'nope' },
      { kind: 'override', serverId: 'web09', subscriptionId: 's1' },
      { kind: 'approve', serverId: 'web01', domainId: 'nope.com', park: false },
      { kind: 'unselect', serverId: 'web09', domainId: 'site1.com' },
      { kind: 'remap', mapping: { serverId: 'web09', templateId: 't-host', ...HOSTING } },
      { kind: 'remap', mapping: { serverId: 'web01', templateId: 'nope', ...HOSTING } },
    ] as const)
      expect(touchedBy(index, change), JSON.stringify(change)).toEqual({ accounts: [], names: [] });
    expect(touchedBy(index, { kind: 'unselect', serverId: 'web01', domainId: 'double.com' })).toEqual({
      accounts: [
        { serverId: 'web01', accountId: 'a3' },
        { serverId: 'web01', accountId: 'a3' },
        { serverId: 'web01', accountId: 'a3' },
      ],
      names: ['double.com'],
    });
  });

  it('a full run reports its progress every 2,000 accounts, with the total', () => {
    const s = new Scenario().server('big').template('t-host', HOSTING);
    for (let i = 0; i < 4001; i++) s.account(`acc${i}`);
    const input = s.selectAll().input();
    const calls: [number, number][] = [];
    const results = verifyAll(buildIndex(input.servers), input, (done, total) => calls.push([done, total]));
    expect(calls).toEqual([
      [2000, 4001],
      [4000, 4001],
    ]);
    expect(results.size).toBe(4001);
  });
});
