/**
 * What planning opened is not kept through a batch (issue 19): once the executor has its plan,
 * the inventories, the domain services and the verification results held in memory are dropped,
 * and whoever asks again gets them reopened from the store with the same content. On real parts:
 * the demo source behind a real sshd with the real agent (domain services fetched through it),
 * the sandbox target over HTTP, the project's real files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { PROJECT, SERVER, freshRun } from './env';
import { type SharedSource, sharedSource } from './shared-source';

describe('caches that planning filled', () => {
  let source: SharedSource;
  beforeAll(async () => {
    source = await sharedSource({ checksAfterBatch: false });
  }, 240_000);
  afterAll(async () => source?.stop());

  it('are dropped once the batch has its plan and reopen with the same content', async () => {
    const run = await freshRun(source);
    try {
      const core = createCore({ dataDir: run.dataDir, shell: 'test' });
      const inventoryBefore = await core.inventory.load(PROJECT, SERVER);
      const resultsBefore = await core.verification.all(PROJECT);
      // Opened once per process: asked again, the very same objects.
      expect(await core.inventory.load(PROJECT, SERVER)).toBe(inventoryBefore);
      expect(await core.verification.all(PROJECT)).toBe(resultsBefore);
      const planBefore = await core.migration.plan(PROJECT);

      const summary = await (await core.migration.start(PROJECT, { concurrency: 4 })).done;
      expect(summary.state).toBe('done');

      // Reopened from the store: other objects, the same content.
      const inventoryAfter = await core.inventory.load(PROJECT, SERVER);
      expect(inventoryAfter).not.toBe(inventoryBefore);
      expect(inventoryAfter).toEqual(inventoryBefore);
      const resultsAfter = await core.verification.all(PROJECT);
      expect(resultsAfter).not.toBe(resultsBefore);
      expect(resultsAfter).toEqual(resultsBefore);
      // The plan made from them again is the same plan.
      const planAfter = await core.migration.plan(PROJECT);
      expect(planAfter.fingerprint).toBe(planBefore.fingerprint);
      expect(planAfter.steps).toEqual(planBefore.steps);

      // The domain services the batch fetched: released, then read again with the same content.
      const servicesBefore = await core.domainServices.services(PROJECT);
      expect(servicesBefore.size).toBeGreaterThan(0);
      core.domainServices.release(PROJECT);
      const servicesAfter = await core.domainServices.services(PROJECT);
      const [key, first] = [...servicesBefore][0] ?? [];
      expect(servicesAfter.get(key ?? '')).not.toBe(first);
      expect(servicesAfter).toEqual(servicesBefore);
    } finally {
      await run.sandbox.close();
    }
  }, 300_000);
});
