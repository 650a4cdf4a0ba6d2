/**
 * The engine's results, byte for byte, as they were before the index numbered its objects
 * (issue 19: memos and look-ups moved from Maps keyed by id strings to arrays indexed by each
 * object's position). A change in how the engine looks things up must not change one byte of
 * what it stores: each case runs a full verification (and, for one, a series of decisions
 * re-verified incrementally) and compares the SHA-256 of the results as stored — every key and
 * result, in the map's order, serialised as the store does — with the digest the engine gave
 * before that change (recorded with the engine of commit 68f6eab on the same inputs).
 *
 * The inputs are deterministic (seeded synthetic sources, today pinned): the bench's source in
 * its own order; shuffled (an account's objects scattered) with duplicated ids, owners missing
 * from the accounts and dangling references; two servers sharing names (cross-server
 * conflicts); a partial selection with decisions (overrides, approvals with and without
 * parking); and the built-in demo project (its real agent's inventory) with today pinned.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { syntheticInventory, syntheticMapping } from '../../build/bench/synthetic';
import { applyPatch, reverify, touchedBy, verifyAll } from '../../electron/core/verification/engine';
import { type VerificationInput, objectKey } from '../../electron/core/verification/input';
import { buildIndex } from '../../electron/core/verification/inventory-index';
import type { Domain, Inventory, Subscription } from '../../shared/model/inventory';
import { DEFAULT_MIGRATION_SETTINGS } from '../../shared/model/server';
import type { VerificationResult } from '../../shared/model/verification';
import { DEMO, verifiedDemo } from '../helpers/demo-project';
import { shuffled } from './shuffled';

const TODAY = '2025-06-15';

/** SHA-256 of the results as the store writes them: entries in the map's order. */
function digest(results: ReadonlyMap<string, VerificationResult>): string {
  return createHash('sha256')
    .update(JSON.stringify([...results]))
    .digest('hex');
}

function synthetic(accounts: number, seed = 42, apiVersion: 1 | 2 = 1): Inventory {
  return syntheticInventory({
    accounts,
    domains: accounts * 2,
    subscriptions: accounts * 3,
    today: TODAY,
    seed,
    apiVersion,
  });
}

/** Servers mapped as the bench maps them, everything selected, no decision. */
function inputOf(servers: readonly { id: string; inventory: Inventory }[]): VerificationInput {
  return {
    servers: servers.map((s) => ({ ...s, name: `Server ${s.id}`, settings: DEFAULT_MIGRATION_SETTINGS })),
    mappings: new Map(
      servers.flatMap((s) => syntheticMapping(s.id).map((m) => [objectKey(s.id, m.templateId), m] as const)),
    ),
    selection: new Map(
      servers.map((s) => [
        s.id,
        {
          accounts: new Set(s.inventory.accounts.map((a) => a.id)),
          domains: new Set(s.inventory.domains.map((d) => d.id)),
        },
      ]),
    ),
    decisions: { overrides: new Set(), approvals: new Map() },
    today: TODAY,
  };
}

const fullRun = (input: VerificationInput): Map<string, VerificationResult> =>
  verifyAll(buildIndex(input.servers), input);

/** The synthetic source shuffled, with a duplicated subscription and domain, orphans and dangling links. */
function scrambled(): Inventory {
  const inv = synthetic(400);
  const sub = inv.subscriptions[3] as Subscription;
  const domain = inv.domains[5] as Domain;
  return {
    ...inv,
    accounts: shuffled(inv.accounts, 1),
    subscriptions: shuffled(
      [
        ...inv.subscriptions,
        { ...sub, domainIds: [...sub.domainIds, domain.id, 'no-such-domain'] },
        { ...sub, id: 'orphan-sub', accountId: 'no-such-account' },
      ],
      2,
    ),
    domains: shuffled(
      [
        ...inv.domains,
        { ...domain, hostingSubscriptionId: 'h-7' },
        {
          ...domain,
          id: 'orphan.test',
          name: 'orphan.test',
          accountId: 'ghost',
          hostingSubscriptionId: 'nope',
        },
      ],
      3,
    ),
  };
}

describe('verification results are the same bytes as before the numbered index', () => {
  it('the synthetic source in its own order', () => {
    const results = fullRun(inputOf([{ id: 'bench', inventory: synthetic(1000) }]));
    expect(results.size).toBe(6000);
    expect(digest(results)).toBe('ee2cd36307c1eddf63abdf4bd0eb02a6f9956d5ce423f58e73ce39b6ca0be475');
  });

  it('the same with the selection listed in reverse (a full run walks it in step with the inventory)', () => {
    const input = inputOf([{ id: 'bench', inventory: synthetic(1000) }]);
    const selected = input.selection.get('bench')!;
    const reversed = {
      accounts: new Set([...selected.accounts].reverse()),
      domains: new Set([...selected.domains].reverse()),
    };
    const results = fullRun({ ...input, selection: new Map([['bench', reversed]]) });
    expect(digest(results)).toBe('ee2cd36307c1eddf63abdf4bd0eb02a6f9956d5ce423f58e73ce39b6ca0be475');
  });

  it('shuffled, with duplicated ids, owners missing from the accounts and dangling references', () => {
    const results = fullRun(inputOf([{ id: 's', inventory: scrambled() }]));
    expect(results.size).toBeGreaterThan(2400);
    expect(digest(results)).toBe('af679714d7f5a2c8f812994000d1e67617f94fc127aeb143f1da01dd4f75aadd');
  });

  it('two servers holding the same names (v1 and v2): cross-server conflicts', () => {
    const results = fullRun(
      inputOf([
        { id: 'a', inventory: synthetic(300) },
        { id: 'b', inventory: synthetic(120, 7, 2) },
      ]),
    );
    expect(digest(results)).toBe('609e37507583c48abf852cfef02fe2947ac3d079c1180669622a417c658e9a22');
  });

  it('a partial selection with overrides and approvals, then decisions re-verified one by one', () => {
    const inv = synthetic(600);
    const base = inputOf([{ id: 'bench', inventory: inv }]);
    const selected = base.selection.get('bench')!;
    // every 13th domain and every 17th account left out of the selection
    const domains = new Set([...selected.domains].filter((_, i) => i % 13 !== 0));
    const accounts = new Set([...selected.accounts].filter((_, i) => i % 17 !== 0));
    const overrides = new Set(
      inv.subscriptions.filter((_, i) => i % 29 === 0).map((s) => objectKey('bench', s.id)),
    );
    const approvals = new Map(
      inv.domains
        .filter((_, i) => i % 23 === 0)
        .map((d, i) => [objectKey('bench', d.id), { park: i % 2 === 0, decisionId: `dec-${i}` }] as const),
    );
    let input: VerificationInput = {
      ...base,
      selection: new Map([['bench', { accounts, domains }]]),
      decisions: { overrides, approvals },
    };
    const index = buildIndex(input.servers);
    const results = verifyAll(index, input);
    expect(digest(results)).toBe('af74ad045320a61e5d43f2e1e1514bdf77fa8f7d9844dd5fafd980ac26e43c76');

    // the conflicts' second hosting subscriptions overridden one decision at a time
    const patches: [string, VerificationResult | null][][] = [];
    for (const sub of inv.subscriptions.filter((s) => s.id.startsWith('x-') && s.templateId !== 'ip')) {
      const more = new Set(input.decisions.overrides).add(objectKey('bench', sub.id));
      input = { ...input, decisions: { ...input.decisions, overrides: more } };
      const change = { kind: 'override', serverId: 'bench', subscriptionId: sub.id } as const;
      const patch = reverify(index, input, results, touchedBy(index, change));
      patches.push([...patch.changes]);
      applyPatch(results, patch);
    }
    expect(patches.length).toBeGreaterThan(3);
    expect(createHash('sha256').update(JSON.stringify(patches)).digest('hex')).toBe(
      'f27663e2fe927fe5ae7581dea02a936b7028791a85528da04ae53de71ce315cb',
    );
    expect(digest(results)).toBe('856940b776d7f5ff4e68b70080d3b5969815531a72f3fbf35f6d0f95f5648f69');
  });

  it('the built-in demo project (its agent inventory), today pinned', async () => {
    // The demo's source writes dates relative to the day it is built (build-demo-sphera.mjs): the
    // day the digest was taken, pinned, or the test would fail from the next day on.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T12:00:00Z'));
    let core: Awaited<ReturnType<typeof verifiedDemo>>;
    try {
      core = await verifiedDemo();
    } finally {
      vi.useRealTimers();
    }
    const { input } = await core.verification.gather(DEMO);
    const results = fullRun({ ...input, today: TODAY });
    expect(results.size).toBeGreaterThan(10);
    expect(digest(results)).toBe('378519bdcadceddee11dc0ff5492aebe4329fce8a0cb8664b28dad8adbb5e877');
  }, 120_000);
});
