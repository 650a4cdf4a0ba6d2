/**
 * The manager killed with SIGKILL at random points of one batch (the demo source over a real
 * sshd into the sandbox): 12 seeded points (at least 10 must land), each restart killed at the next, then a last run
 * left to finish. After every kill the sandbox holds nothing twice; at the end it holds exactly
 * what an uninterrupted run made. The seed is printed; MM_FAULT_SEED=<n> replays a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, freshRun } from '../migration/env';
import { type SharedSource, sharedBaseline, sharedSource } from '../migration/shared-source';
import { killLoop } from './kill-loop';
import { report } from './proof';

/** Points drawn; at least MIN_KILLS must find the process running (later ones may find it done). */
const KILLS = 12;
const MIN_KILLS = 10;
const SEED = Number(process.env['MM_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

describe('the manager killed at random points of a batch', () => {
  let source: SharedSource;
  let expected: Record<string, number>;
  let batchLines = 0;

  beforeAll(async () => {
    source = await sharedSource({ checksAfterBatch: false });
    const baseline = await sharedBaseline(source);
    expected = baseline.holdings;
    batchLines = baseline.journalLines;
  }, 300_000);

  afterAll(async () => source?.stop());

  it(`${KILLS} seeded SIGKILLs, a restart after each: nothing lost, nothing twice (seed ${SEED})`, async () => {
    const run = await freshRun(source, { asyncMs: 40 });
    try {
      const lines: string[] = [];
      const result = await killLoop({
        dataDir: run.dataDir,
        project: PROJECT,
        sandbox: run.sandbox,
        expected,
        batchLines,
        kills: KILLS,
        seed: SEED,
        say: (l) => lines.push(l),
      });
      report(
        `SIGKILL at ${KILLS} random points of a batch of ${batchLines} journal lines (seed ${SEED}; MM_FAULT_SEED=${SEED} replays it)`,
        lines.join('\n    '),
        `${result.kills} kills, ${result.objects} rows held, lost ${result.lost}, duplicated ${result.duplicated.length}`,
      );
      expect(result.duplicated).toEqual([]);
      expect(result.missingRows).toEqual([]);
      expect(result.lost).toBe(0);
      expect(result.finalState).toBe('done');
      expect(result.finalFailures).toBe(0);
      expect(result.finalCode).toBe(0);
      expect(result.kills).toBeGreaterThanOrEqual(MIN_KILLS);
    } finally {
      await run.sandbox.close();
    }
  }, 600_000);
});
