/**
 * "Found several hosting subscriptions on different source servers." — "In case of detecting
 * the hosting conflict a domain must be marked as not selected for migration on other
 * registered source servers."
 */
import { describe, expect, it } from 'vitest';
import { HOSTING, REGISTRATION, Scenario, incremental } from './scenario';

function twoServers(): Scenario {
  return new Scenario()
    .server('old-web', 1)
    .template('t-host', HOSTING)
    .account('a1')
    .subscription('s1', 'a1', 't-host')
    .domain('shared.com', 'a1', { hosting: 's1' })
    .server('new-web', 2)
    .template('plan-a', HOSTING)
    .account('cust-9')
    .subscription('sub-9', 'cust-9', 'plan-a')
    .domain('d-77', 'cust-9', { hosting: 'sub-9' }, { name: 'Shared.COM.' })
    .selectAll();
}

describe('Domain: Verification failed: "Found several hosting subscriptions on different source servers."', () => {
  it('the same domain hosted and selected on two source servers fails on both, each naming the other', () => {
    const v = twoServers().verify();
    const a = v.get('domain', 'shared.com', 'old-web');
    const b = v.get('domain', 'd-77', 'new-web');
    expect(a.status).toBe('verification-failed');
    expect(b.status).toBe('verification-failed');
    expect(a.reasons.map((r) => r.code)).toEqual(['hosting-on-several-servers']);
    expect(a.reasons[0]?.related).toEqual([{ kind: 'domain', serverId: 'new-web', id: 'd-77' }]);
    expect(b.reasons[0]?.message).toContain('old-web');
  });

  it('un-selecting it on the other server resolves the conflict (full and incremental agree)', () => {
    const before = twoServers().verify();
    const after = twoServers().unselectDomain('new-web', 'd-77');
    const full = after.verify();
    expect(full.get('domain', 'shared.com', 'old-web').status).toBe('auto-approved');
    expect(full.has('domain', 'd-77', 'new-web')).toBe(false);
    const { verified, patch } = incremental(before, after, {
      kind: 'unselect',
      serverId: 'new-web',
      domainId: 'd-77',
    });
    expect(verified.results).toEqual(full.results);
    expect(patch.recomputed).toBeLessThan(10);
  });

  it('marking the other hosting subscription "not migrated" resolves it as well', () => {
    const v = twoServers().override('new-web', 'sub-9').verify();
    expect(v.get('domain', 'shared.com', 'old-web').status).toBe('auto-approved');
  });

  it('selected on one server only: no conflict', () => {
    const v = twoServers().unselectDomain('old-web', 'shared.com').verify();
    expect(v.get('domain', 'd-77', 'new-web').status).toBe('auto-approved');
  });

  it('hosting on one server and registration on the other is no hosting conflict', () => {
    const s = new Scenario()
      .server('web')
      .template('t-host', HOSTING)
      .account('a1')
      .subscription('s1', 'a1', 't-host')
      .domain('split.com', 'a1', { hosting: 's1' })
      .server('registrar', 1, { parkRegistrationOnly: false })
      .template('t-reg', REGISTRATION)
      .account('a1')
      .subscription('r1', 'a1', 't-reg')
      .domain('split.com', 'a1', { registration: 'r1' })
      .selectAll();
    const v = s.verify();
    expect(v.get('domain', 'split.com', 'web').status).toBe('auto-approved');
    expect(v.get('domain', 'split.com', 'registrar').status).toBe('manual-approval-required');
  });
});
