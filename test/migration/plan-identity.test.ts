/**
 * The plan, pinned (issue 19): plans are fingerprinted and a rehearsal's sign-off names the
 * fingerprint, so a change in how the plan is computed (faster, leaner) must give the same
 * inventory the same fingerprint and the same steps in the same order. The built-in demo
 * project (both its source servers, every domain's services fetched by the real agents, so
 * DNS records, mailboxes, databases, content and not-carried steps are all there), with the
 * day pinned, planned through the migration service; the fingerprint and a SHA-256 of every
 * step (id, kind, label, dependencies, payload) and object are compared with the values the
 * planner gave before the change (recorded with the plan of commit 5239971).
 * Sealed values carry a random nonce, so each is digested as "sealed" (its place still counts).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Core } from '../../electron/core/core';
import { syntheticInventory, syntheticMapping } from '../../build/bench/synthetic';
import { mappingKey } from '../../electron/core/mapping/mapping-store';
import { buildPlan } from '../../electron/core/migration/plan';
import { verifyAll } from '../../electron/core/verification/engine';
import { resultKey } from '../../electron/core/verification/evaluation';
import { objectKey } from '../../electron/core/verification/input';
import { buildIndex } from '../../electron/core/verification/inventory-index';
import { DEFAULT_MIGRATION_SETTINGS } from '../../shared/model/server';
import { loadInventories } from '../../electron/core/verification/project-inventories';
import type { TemplateMapping } from '../../shared/model/mapping';
import type { MigrationPlan } from '../../shared/model/migration';
import { DEMO, verifiedDemo } from '../helpers/demo-project';

const TODAY = '2025-06-15';

/** Every step and object, in order, with sealed values (random nonces) replaced by a marker. */
function digest(plan: MigrationPlan): string {
  const text = JSON.stringify(
    { steps: plan.steps, objects: plan.objects, excluded: plan.excluded },
    (_k, v) => (typeof v === 'string' && v.startsWith('mm-sealed:') ? 'sealed' : (v as unknown)),
  );
  return createHash('sha256').update(text).digest('hex');
}

async function demoWithServices(): Promise<Core> {
  // The demo's sources write dates relative to the day they are built, and the verification
  // stamp (part of the plan's basis) names the day: both pinned.
  const core = await verifiedDemo();
  for (const { server, inventory } of await loadInventories(core.servers, core.inventory, DEMO)) {
    await core.domainServices.ensureFetched(
      DEMO,
      server.id,
      inventory.domains.map((d) => d.id),
    );
  }
  await core.verification.run(DEMO);
  return core;
}

describe('the plan of the demo project, pinned', () => {
  it('gives the fingerprint and the steps it gave before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T12:00:00Z'));
    try {
      const core = await demoWithServices();
      const plan = await core.migration.plan(DEMO);
      const kinds = new Set(plan.steps.map((s) => s.kind));
      // the demo exercises the planner: services, content and what cannot be carried
      for (const k of ['account', 'hosting-subscription', 'dns-record', 'mailbox', 'database', 'content'])
        expect(kinds.has(k as never), k).toBe(true);
      expect(plan.steps).toHaveLength(40);
      expect(plan.fingerprint).toBe('20750d6e6233e3af572ce961d66321c342dd4167bb4d76e12e5c7df72ce3e3b8');
      expect(digest(plan)).toBe('40ffe5cc44e88b6d863d27c695dc4d89c5693355c9208a1dc2d3c15d6c467a26');
      // planned again from the same inventory: the same plan
      expect(digest(await core.migration.plan(DEMO))).toBe(digest(plan));
    } finally {
      vi.useRealTimers();
    }
  }, 180_000);

  it('gives the synthetic source (400 accounts, resellers, registrations, resources) the plan it gave before', () => {
    const inventory = syntheticInventory({
      accounts: 400,
      domains: 800,
      subscriptions: 1200,
      today: TODAY,
      seed: 42,
    });
    const servers = [{ id: 'src', name: 'Server src', settings: DEFAULT_MIGRATION_SETTINGS, inventory }];
    const mappingList = syntheticMapping('src');
    const verified = verifyAll(buildIndex(servers), {
      servers,
      mappings: new Map(mappingList.map((m) => [objectKey('src', m.templateId), m])),
      selection: new Map([
        [
          'src',
          {
            accounts: new Set(inventory.accounts.map((a) => a.id)),
            domains: new Set(inventory.domains.map((d) => d.id)),
          },
        ],
      ]),
      decisions: { overrides: new Set(), approvals: new Map() },
      today: TODAY,
    });
    const input = {
      servers,
      mappings: new Map(
        mappingList.map((m): [string, TemplateMapping] => [
          mappingKey(m.serverId, m.templateId),
          { ...m, tlds: m.tlds ?? [], check: 'verified', updatedAt: TODAY, updatedBy: 'test' },
        ]),
      ),
      results: new Map([...verified.values()].map((r) => [resultKey(r.kind, r.serverId, r.id), r])),
      services: new Map(),
      basis: 'pinned',
    };
    const plan = buildPlan(input);
    expect(plan.steps).toHaveLength(3127);
    expect(plan.fingerprint).toBe('8c7ea85efc8fc1c81247a1f9a7dfa37131f7126cc1e5ca11be3936b6cd31647b');
    expect(digest(plan)).toBe('706f62063252f496a9d169e10bfc5248078bb038aba8b7672452b7ead4b1813f');
    // a subset: the first ten accounts
    const subset = buildPlan({
      ...input,
      subset: { accounts: inventory.accounts.slice(0, 10).map((a) => a.id) },
    });
    expect(subset.steps.length).toBeGreaterThan(0);
    expect(subset.steps.length).toBeLessThan(plan.steps.length);
    expect(digest(subset)).toBe('ea2ddebedbf77143aacf1326e0fd5992a0c16ec9e52623487b9457777d09e2c5');
  });
});
