/**
 * The verification results held in memory, loaded and let go (issue 19: a migration batch lets
 * them go once planned): two readers at once share one load (two loads could leave the older in
 * memory), a release when nothing is being stored drops them and they load again with the same
 * content, and a release while a run stores its results leaves them alone. On the project's real
 * files, with the inventories imported through the core.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import { verifiedV1Project } from './verified-project';

describe('verification results in memory', () => {
  let core: Core;
  let projectId: string;

  beforeAll(async () => {
    ({ core, projectId } = await verifiedV1Project('Release test'));
  });

  it('two readers at once after a release share one load', async () => {
    const held = await core.verification.all(projectId);
    expect(held.length).toBeGreaterThan(0);
    core.verification.releaseIdle(projectId);
    const [a, b] = await Promise.all([core.verification.all(projectId), core.verification.all(projectId)]);
    expect(a).toBe(b);
    expect(a).not.toBe(held);
    expect(a).toEqual(held);
  });

  it('a release while a run stores its results leaves them; once idle it drops them', async () => {
    const running = core.verification.run(projectId);
    core.verification.releaseIdle(projectId); // the run is under way: kept
    await running;
    const afterRun = await core.verification.all(projectId);
    expect(await core.verification.all(projectId)).toBe(afterRun);
    core.verification.releaseIdle(projectId); // idle now: dropped, loaded again when asked
    const reloaded = await core.verification.all(projectId);
    expect(reloaded).not.toBe(afterRun);
    expect(reloaded).toEqual(afterRun);
  });
});
