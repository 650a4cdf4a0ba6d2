/**
 * Two processes driving one project at once: two `mm migrate` started together on the same
 * data dir (two terminals, or a script beside the app). The batch lock lets one run; the other
 * waits for it and then either refuses, saying another process is running the batch, or finds
 * the batch done. Never both provisioning: the sandbox holds each object once.
 * Then the same with the app's core in this process against `mm migrate` in another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { PROJECT, freshRun, mm, parseMigrate } from '../migration/env';
import { type SharedSource, sharedBaseline, sharedSource } from '../migration/shared-source';
import type { CliRun } from '../helpers/processes';
import { duplicates, holdings, missing, proofLine, report } from './proof';

const BUSY = /running in another window or process/;

/** "done", or the refusal's words, for the report. */
function outcome(run: CliRun): string {
  try {
    const r = parseMigrate(run);
    return `exit ${run.code}, ${r.state}, ${r.objects.migrated}/${r.objects.total} objects`;
  } catch {
    return `exit ${run.code}: "${run.stderr.trim().split('\n').slice(-1)[0]}"`;
  }
}

describe('two processes driving one project at once', () => {
  let source: SharedSource;
  let expected: Record<string, number>;

  beforeAll(async () => {
    source = await sharedSource({ checksAfterBatch: false });
    expected = (await sharedBaseline(source)).holdings;
  }, 300_000);

  afterAll(async () => source?.stop());

  it('two `mm migrate` at once: one runs the batch, the other refuses or finds it done; each object once', async () => {
    const run = await freshRun(source, { asyncMs: 40 });
    try {
      const [a, b] = await Promise.all([
        mm(run.dataDir, ['migrate', '--json']),
        mm(run.dataDir, ['migrate', '--json']),
      ]);
      report(
        'two mm migrate processes on one project',
        `first: ${outcome(a)}; second: ${outcome(b)}`,
        proofLine(run.sandbox, expected),
      );
      const done = [a, b].filter((r) => r.code === 0 && parseMigrate(r).state === 'done');
      const refused = [a, b].filter((r) => r.code !== 0);
      expect(done.length).toBeGreaterThanOrEqual(1);
      for (const r of refused) expect(r.stderr).toMatch(BUSY);
      expect(duplicates(run.sandbox)).toEqual([]);
      expect(missing(holdings(run.sandbox), expected)).toEqual([]);
    } finally {
      await run.sandbox.close();
    }
  }, 300_000);

  it('the app’s core running the batch and `mm migrate` at once: the CLI refuses or finds it done; each object once', async () => {
    const run = await freshRun(source, { asyncMs: 40 });
    try {
      const core = createCore({ dataDir: run.dataDir, shell: 'test' });
      const started = await core.migration.start(PROJECT);
      const cli = await mm(run.dataDir, ['migrate', '--json']);
      const summary = await started.done;
      report(
        'the app and mm migrate on one project',
        `app: ${summary.state}, ${summary.objects.migrated}/${summary.objects.total} objects; mm: ${outcome(cli)}`,
        proofLine(run.sandbox, expected),
      );
      expect(summary.state).toBe('done');
      if (cli.code !== 0) expect(cli.stderr).toMatch(BUSY);
      expect(duplicates(run.sandbox)).toEqual([]);
      expect(missing(holdings(run.sandbox), expected)).toEqual([]);
    } finally {
      await run.sandbox.close();
    }
  }, 300_000);
});
