/**
 * The seed's "Verification statuses" tables, row by row and reason by reason (Migration API
 * v1 and v2), as pure functions over a hand-built inventory. Describe names quote the seed.
 */
import { describe, expect, it } from 'vitest';
import { REASONS, STATUSES } from '../../shared/statuses';
import { BOTH, HOSTING, REGISTRATION, RESOURCE, Scenario } from './scenario';

/** One customer with one domain hosted by one mapped hosting subscription. */
function hosted(apiVersion: 1 | 2 = 1, settings = {}): Scenario {
  return new Scenario()
    .server('web01', apiVersion, settings)
    .template('t-host', HOSTING)
    .account('a1')
    .subscription('s1', 'a1', 't-host', { expires: '2026-01-01' })
    .domain('example.com', 'a1', { hosting: 's1' });
}

describe('Account', () => {
  describe('Verified: "Successfully passed."', () => {
    it('an account whose selected domains pass is verified', () => {
      const v = hosted().selectAll().verify();
      expect(v.get('account', 'a1')).toMatchObject({ status: 'verified', reasons: [] });
    });
  });

  describe('Verification failed: "Account does not have domains."', () => {
    it('an account without any domain fails with no-domains', () => {
      const v = new Scenario()
        .server('web01')
        .template('t-res', RESOURCE)
        .account('a1')
        .subscription('s1', 'a1', 't-res')
        .selectAll()
        .verify();
      expect(v.get('account', 'a1').status).toBe('verification-failed');
      expect(v.codes('account', 'a1')).toEqual(['no-domains']);
      expect(v.get('account', 'a1').reasons[0]?.message).toContain('a1 has no domains');
    });
  });

  describe('Verification failed: "No domains are selected for migration."', () => {
    it('a selected account none of whose domains is selected fails with no-domains-selected', () => {
      const v = hosted().selectAll().unselectDomain('web01', 'example.com').verify();
      expect(v.get('account', 'a1').status).toBe('verification-failed');
      expect(v.codes('account', 'a1')).toEqual(['no-domains-selected']);
    });
  });

  describe('Verification failed: "Domain(s) did not pass a verification."', () => {
    it('an account with a failed domain fails with domain-failed naming the domain', () => {
      const v = hosted().map('web01', 't-host', undefined).selectAll().verify();
      expect(v.get('domain', 'example.com').status).toBe('verification-failed');
      const account = v.get('account', 'a1');
      expect(account.status).toBe('verification-failed');
      expect(account.reasons.map((r) => r.code)).toEqual(['domain-failed']);
      expect(account.reasons[0]?.message).toContain('example.com');
      expect(account.reasons[0]?.related).toEqual([{ kind: 'domain', serverId: 'web01', id: 'example.com' }]);
    });
  });
});

describe('Domain (Migration API v.1)', () => {
  describe('Automatically approved for migration: "MM found a hosting subscription and a domain registration subscription (depends on the migration settings) and they are suitable for migration."', () => {
    it('a mapped, active hosting subscription approves the domain automatically', () => {
      const v = hosted().selectAll().verify();
      expect(v.get('domain', 'example.com')).toMatchObject({
        status: 'auto-approved',
        reasons: [],
        templateId: 't-host',
        plan: { hosting: 's1', resources: [], park: false },
      });
    });

    it('with "require a registration subscription" on, hosting plus registration approve it, the registration going to PBA', () => {
      const v = hosted(1, { requireRegistration: true })
        .template('t-reg', REGISTRATION)
        .subscription('r1', 'a1', 't-reg')
        .domain('shop.com', 'a1', { hosting: 's1', registration: 'r1' })
        .selectAll()
        .verify();
      expect(v.get('domain', 'shop.com')).toMatchObject({
        status: 'auto-approved',
        plan: { hosting: 's1', registration: 'r1' },
      });
      expect(v.get('subscription', 'r1')).toMatchObject({ status: 'approved', destination: 'pba' });
      expect(v.get('subscription', 's1')).toMatchObject({ status: 'approved', destination: 'poa+pba' });
    });

    it('a "hosting and domain registration" subscription is both the hosting and the registration', () => {
      const v = new Scenario()
        .server('web01', 1, { requireRegistration: true })
        .template('t-both', BOTH)
        .account('a1')
        .subscription('s1', 'a1', 't-both')
        .domain('both.net', 'a1', { hosting: 's1' })
        .selectAll()
        .verify();
      expect(v.get('domain', 'both.net')).toMatchObject({
        status: 'auto-approved',
        plan: { hosting: 's1', registration: 's1' },
      });
    });
  });

  describe('Manual approval required: "Domain has a domain registration subscription and/or a resource subscription suitable for migration, but doesn\'t have a hosting subscription."', () => {
    const registrationOnly = (settings = {}): Scenario =>
      new Scenario()
        .server('web01', 1, settings)
        .template('t-reg', REGISTRATION)
        .account('a1')
        .subscription('r1', 'a1', 't-reg')
        .domain('parked.com', 'a1', { registration: 'r1' })
        .selectAll();

    it('a registration-only domain waits for manual approval and parking is offered (parkRegistrationOnly on)', () => {
      const v = registrationOnly({ parkRegistrationOnly: true }).verify();
      expect(v.get('domain', 'parked.com').status).toBe('manual-approval-required');
      expect(v.codes('domain', 'parked.com')).toEqual(['no-hosting-subscription', 'parking-offered']);
      expect(v.get('account', 'a1').status).toBe('verified');
    });

    it('without the parking setting, no parking is offered', () => {
      const v = registrationOnly({ parkRegistrationOnly: false }).verify();
      expect(v.codes('domain', 'parked.com')).toEqual(['no-hosting-subscription']);
    });

    it('a resource subscription alone also asks for manual approval', () => {
      const v = new Scenario()
        .server('web01', 1, { parkRegistrationOnly: false })
        .template('t-res', RESOURCE)
        .account('a1')
        .subscription('x1', 'a1', 't-res')
        .domain('extra.com', 'a1', { others: ['x1'] })
        .selectAll()
        .verify();
      expect(v.get('domain', 'extra.com')).toMatchObject({
        status: 'manual-approval-required',
        plan: { resources: ['x1'] },
      });
    });

    it('once approved manually (with parking) it migrates, parked', () => {
      const v = registrationOnly({ parkRegistrationOnly: true })
        .approve('web01', 'parked.com', true)
        .verify();
      expect(v.get('domain', 'parked.com')).toMatchObject({
        status: 'manually-approved',
        plan: { registration: 'r1', park: true },
      });
      expect(v.codes('domain', 'parked.com')).toContain('approved-manually');
    });
  });

  describe('Verification failed: "Found several hosting subscriptions on different source servers."', () => {
    it('is covered with its resolution in cross-server.test.ts', () => {
      expect(REASONS['hosting-on-several-servers'].seed).toBe(
        'Found several hosting subscriptions on different source servers.',
      );
    });
  });

  describe('Verification failed: "Found one or more unmapped subscriptions (depends on the migration settings)."', () => {
    const withUnmapped = (policy: 'fail' | 'skip'): Scenario =>
      hosted(1, { unmappedPolicy: policy })
        .template('t-old')
        .subscription('u1', 'a1', 't-old')
        .domain('legacy.com', 'a1', { hosting: 's1', others: ['u1'] })
        .selectAll();

    it('with the unmapped policy "fail", an unmapped subscription fails the domain and names it', () => {
      const v = withUnmapped('fail').verify();
      const d = v.get('domain', 'legacy.com');
      expect(d.status).toBe('verification-failed');
      expect(d.reasons.map((r) => r.code)).toEqual(['unmapped-subscriptions']);
      expect(d.reasons[0]?.related).toEqual([{ kind: 'subscription', serverId: 'web01', id: 'u1' }]);
    });

    it('with the unmapped policy "skip", the unmapped subscription is skipped and the domain passes', () => {
      const v = withUnmapped('skip').verify();
      expect(v.get('domain', 'legacy.com').status).toBe('auto-approved');
      expect(v.get('subscription', 'u1').status).toBe('rejected');
      expect(v.get('subscription', 'u1').reasons[0]?.message).toContain('skipped');
    });
  });

  describe('Verification failed: "Domain registration subscription is not found (depends on the migration settings)."', () => {
    it('with "require a registration subscription" on, hosting alone fails', () => {
      const v = hosted(1, { requireRegistration: true }).selectAll().verify();
      expect(v.get('domain', 'example.com').status).toBe('verification-failed');
      expect(v.codes('domain', 'example.com')).toEqual(['registration-not-found']);
    });

    it('with it off, hosting alone is enough', () => {
      expect(
        hosted(1, { requireRegistration: false }).selectAll().verify().get('domain', 'example.com').status,
      ).toBe('auto-approved');
    });
  });

  describe('Verification failed: "Found more than one domain registration subscription suitable for migration."', () => {
    it('two suitable registration subscriptions fail the domain, naming both', () => {
      const v = hosted()
        .template('t-reg', REGISTRATION)
        .subscription('r1', 'a1', 't-reg')
        .subscription('r2', 'a1', 't-reg')
        .domain('twice.com', 'a1', { hosting: 's1', registration: 'r1', others: ['r2'] })
        .selectAll()
        .verify();
      const d = v.get('domain', 'twice.com');
      expect(d.status).toBe('verification-failed');
      expect(d.reasons.map((r) => r.code)).toEqual(['several-registration-subscriptions']);
      expect(d.reasons[0]?.related?.map((r) => r.id)).toEqual(['r1', 'r2']);
    });
  });

  describe('Verification failed: "Found more than one hosting subscription suitable for migration."', () => {
    it('two suitable hosting subscriptions fail the domain; marking one "not migrated" resolves it', () => {
      const s = hosted()
        .subscription('s2', 'a1', 't-host')
        .domain('double.com', 'a1', { hosting: 's1', others: ['s2'] })
        .selectAll();
      const v = s.verify();
      expect(v.codes('domain', 'double.com')).toEqual(['several-hosting-subscriptions']);
      const fixed = s.override('web01', 's2').verify();
      expect(fixed.get('domain', 'double.com')).toMatchObject({
        status: 'auto-approved',
        plan: { hosting: 's1' },
      });
      expect(fixed.get('subscription', 's2')).toMatchObject({
        status: 'not-migrated',
        reasons: [{ code: 'override-not-migrated' }],
      });
    });
  });
});

describe('Subscription (Migration API v.1)', () => {
  describe('Approved for migration: "Subscription is active and mapped, so it is suitable for migration."', () => {
    it('an active mapped subscription is approved', () => {
      expect(hosted().selectAll().verify().get('subscription', 's1')).toMatchObject({
        status: 'approved',
        reasons: [],
        apiVersion: 1,
      });
    });
  });

  describe('Rejected for migration: "Subscription is not mapped to POA Service Template and/or Billing Manager Service Plan."', () => {
    it('an unmapped template rejects it with not-mapped', () => {
      const v = hosted().map('web01', 't-host', undefined).selectAll().verify();
      expect(v.get('subscription', 's1').status).toBe('rejected');
      expect(v.codes('subscription', 's1')).toEqual(['not-mapped']);
    });

    it('a hosting class without its PBA plan is "not mapped" too, naming what is missing', () => {
      const v = hosted().map('web01', 't-host', { class: 'hosting', poaTemplateId: 11 }).selectAll().verify();
      expect(v.codes('subscription', 's1')).toEqual(['not-mapped']);
      expect(v.get('subscription', 's1').reasons[0]?.message).toContain('PBA service plan');
    });

    it("a registration template without a plan for the domain's TLD is not mapped for it", () => {
      const v = hosted()
        .template('t-reg', REGISTRATION)
        .subscription('r1', 'a1', 't-reg')
        .domain('shop.org', 'a1', { hosting: 's1', registration: 'r1' })
        .selectAll()
        .verify();
      expect(v.codes('subscription', 'r1')).toEqual(['not-mapped']);
      expect(v.get('subscription', 'r1').reasons[0]?.message).toContain('shop.org');
    });
  });

  describe('Rejected for migration: "Subscription is expired."', () => {
    it('expired past the protective interval: rejected with expired, dates in the message', () => {
      const v = hosted(1, { protectiveDays: 30 }).selectAll();
      v.servers[0]?.subscriptions.splice(0, 1, {
        id: 's1',
        accountId: 'a1',
        templateId: 't-host',
        status: 'active',
        expires: '2025-01-01',
        domainIds: ['example.com'],
      });
      const r = v.verify().get('subscription', 's1');
      expect(r.status).toBe('rejected');
      expect(r.reasons.map((x) => x.code)).toEqual(['expired']);
      expect(r.reasons[0]?.message).toMatch(
        /expired on 2025-01-01, 165 days ago, past the 30-day protective interval/,
      );
    });
  });
});

describe('Subscription (Migration API v.2)', () => {
  describe('Approved for migration', () => {
    it('an active subscription of a mapped template is approved', () => {
      expect(hosted(2).selectAll().verify().get('subscription', 's1')).toMatchObject({
        status: 'approved',
        apiVersion: 2,
      });
    });
  });

  describe('Rejected for migration: "External Service Template is not mapped to POA/PBA Service Template/Plan."', () => {
    it('rejects with template-not-mapped', () => {
      const v = hosted(2).map('web01', 't-host', undefined).selectAll().verify();
      expect(v.codes('subscription', 's1')).toEqual(['template-not-mapped']);
    });
  });

  describe('Rejected for migration: "External Service Template is mapped as \'hosting/hosting and domain registration\' Service Template, but external subscription identifier is not specified."', () => {
    it('a hosting subscription whose identifier holds a space cannot be named to the agent', () => {
      const v = new Scenario()
        .server('web01', 2)
        .template('t-host', HOSTING)
        .account('a1')
        .subscription('sub 1', 'a1', 't-host')
        .domain('x.com', 'a1', { hosting: 'sub 1' })
        .selectAll()
        .verify();
      expect(v.codes('subscription', 'sub 1')).toEqual(['no-external-id']);
    });
  });

  describe('Rejected for migration: "External Service Template is mapped as \'resource\' Service Template, but one or more domains provided by given subscription on a source server."', () => {
    it('a resource subscription providing a domain is rejected', () => {
      const v = hosted(2)
        .template('t-res', RESOURCE)
        .subscription('x1', 'a1', 't-res')
        .domain('res.com', 'a1', { hosting: 's1', others: ['x1'] })
        .selectAll()
        .verify();
      expect(v.codes('subscription', 'x1')).toEqual(['resource-with-domains']);
    });
  });

  describe('Rejected for migration: "External subscription is mapped as \'hosting and domain registration/domain registration\', but no domains provided by given subscription on a source server."', () => {
    it('a registration subscription providing no domain is rejected', () => {
      const v = hosted(2)
        .template('t-reg', REGISTRATION)
        .subscription('r1', 'a1', 't-reg')
        .selectAll()
        .verify();
      expect(v.codes('subscription', 'r1')).toEqual(['registration-without-domain']);
    });

    it('"Only one domain can be provided by subscription mapped to \'hosting and domain registration/domain registration\'"', () => {
      const v = hosted(2)
        .template('t-both', BOTH)
        .subscription('b1', 'a1', 't-both')
        .domain('one.com', 'a1', { hosting: 'b1' })
        .domain('two.com', 'a1', { others: ['b1'] })
        .selectAll()
        .verify();
      expect(v.codes('subscription', 'b1')).toEqual(['registration-several-domains']);
    });
  });

  describe('Rejected for migration: "Subscription is expired."', () => {
    it('rejects an expired v2 subscription with expired', () => {
      const s = hosted(2, { protectiveDays: 0 }).selectAll();
      s.today = '2026-01-02';
      expect(s.verify().codes('subscription', 's1')).toEqual(['expired']);
    });
  });
});

describe('the table of statuses and reasons (shared/statuses.ts)', () => {
  it('every reason has a fix, and every seed reason quotes the seed', () => {
    for (const [code, r] of Object.entries(REASONS)) {
      expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(r.fix.length, code).toBeGreaterThan(10);
      if (r.source === 'seed') expect(r.seed, code).toBeTruthy();
    }
    expect(Object.keys(STATUSES.domain)).toEqual([
      'auto-approved',
      'manual-approval-required',
      'manually-approved',
      'verification-failed',
    ]);
    expect(Object.keys(STATUSES.subscription)).toEqual(['approved', 'rejected', 'not-migrated']);
    expect(Object.keys(STATUSES.account)).toEqual(['verified', 'verification-failed']);
  });
});
