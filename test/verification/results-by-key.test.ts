/**
 * The results as planning reads them (`byKey`, issue 19: looked up by key, never sorted): every
 * result of the project under its resultKey, the same results `all()` lists, and a copy that a
 * later run does not change. On the project's real files, the inventory imported through the core.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import { resultKey } from '../../electron/core/verification/evaluation';
import { tempDir } from '../helpers/paths';
import { v1Source, writeInventory } from './fixtures';

describe('verification results by key', () => {
  let core: Core;
  let projectId: string;

  beforeAll(async () => {
    const dataDir = await tempDir();
    core = createCore({ dataDir, shell: 'test' });
    projectId = (await core.projects.create('By key')).id;
    await core.servers.add(projectId, {
      name: 'web01',
      kind: 'linux',
      apiVersion: 1,
      connection: { type: 'local', root: dataDir },
    });
    await core.inventory.importFile(
      projectId,
      'web01',
      await writeInventory(dataDir, v1Source(), 'web01.xml'),
    );
    await core.selection.change(projectId, { mode: 'add', target: { by: 'all' } });
    await core.verification.run(projectId);
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
