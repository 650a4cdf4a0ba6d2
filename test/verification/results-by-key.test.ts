/**
 * The results as planning reads them (`byKey`, issue 19: looked up by key, never sorted): every
 * result of the project under its resultKey, the same results `all()` lists, and a copy that a
 * later run does not change. On the project's real files, the inventory imported through the core.
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
});
