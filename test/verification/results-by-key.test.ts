/**
 * The results as planning reads them (`byKey`, issue 19: looked up by key, never sorted): every
 * result of the project under its resultKey, the same results `all()` lists, and a view that a
 * later run or decision does not change (the service patches a copy once it has lent its map). On the project's real files, the inventory imported through the core.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import { resultKey } from '../../electron/core/verification/evaluation';
import { verifiedV1Project } from './verified-project';

describe('verification results by key', () => {
  let core: Core;
  let projectId: string;

  beforeAll(async () => {
    ({ core, projectId } = await verifiedV1Project('By key'));
  });

  it('holds every result under its key, and stays as it was when results change after', async () => {
    const all = await core.verification.all(projectId);
    const byKey = await core.verification.byKey(projectId);
    expect(all.length).toBeGreaterThan(3);
    expect(byKey.size).toBe(all.length);
    for (const r of all) expect(byKey.get(resultKey(r.kind, r.serverId, r.id))).toBe(r);

    // Nothing selected any more: the next run has no results, the copy taken before keeps its own.
    await core.selection.change(projectId, { mode: 'remove', target: { by: 'all' } });
    await core.verification.run(projectId);
    expect(await core.verification.all(projectId)).toHaveLength(0);
    expect(byKey.size).toBe(all.length);
    expect((await core.verification.byKey(projectId)).size).toBe(0);
  });

  it('lends its map without copying it, and a decision after it patches a copy', async () => {
    const fresh = await verifiedV1Project('By key, decision');
    const key = resultKey('domain', 'web01', 'beta.com');
    const lent = await fresh.core.verification.byKey(fresh.projectId);
    // Lent, not copied: two plans in a row read the same map.
    expect(await fresh.core.verification.byKey(fresh.projectId)).toBe(lent);
    const before = new Map(lent);
    expect(lent.get(key)).toBeDefined();

    const outcome = await fresh.core.decisions.apply(fresh.projectId, {
      kind: 'unselect',
      serverId: 'web01',
      domainId: 'beta.com',
    });
    expect(outcome.reverified).not.toBeNull();
    // The service has the decision's result; the map it lent is entry for entry as it was.
    expect(
      await fresh.core.verification.get(fresh.projectId, {
        kind: 'domain',
        serverId: 'web01',
        id: 'beta.com',
      }),
    ).toBeUndefined();
    expect([...lent]).toEqual([...before]);
    const after = await fresh.core.verification.byKey(fresh.projectId);
    expect(after).not.toBe(lent);
    expect(after.get(key)).toBeUndefined();
    expect(after.size).toBeLessThan(lent.size);
  });
});
