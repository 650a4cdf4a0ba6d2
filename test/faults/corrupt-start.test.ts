/**
 * Damaged files found at start, as a crash or a full disk can leave them:
 *  - the journal's last line half-written (a kill in the middle of an append): the restart
 *    drops it and finishes the batch, each object once;
 *  - a damaged line in the middle of the journal: `mm migrate` refuses, naming the file and
 *    the line, calls nothing on the target and leaves the journal as it was;
 *  - each store file the batch reads (project, selection, mapping, inventory, verification)
 *    cut in half: `mm migrate` refuses naming the file, the target is never called, the file
 *    is left as it was for the engineer to repair.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { PROJECT, freshRun, mm, parseMigrate } from '../migration/env';
import { type SharedSource, sharedBaseline, sharedSource } from '../migration/shared-source';
import { runAndKill } from './kill';
import { duplicates, holdings, missing, proofLine, report } from './proof';
import { describeFileStoreOnly } from '../helpers/file-store-only';

const journalOf = (dataDir: string): string =>
  join(dataDir, 'projects', PROJECT, 'migration', 'journal.jsonl');
const rowsOf = (sandbox: RunningSandbox): number =>
  Object.values(holdings(sandbox)).reduce((a, b) => a + b, 0);
/** Requests the target received (every XML-RPC call is one). */
const callsOf = (sandbox: RunningSandbox): number => sandbox.state()['requests']?.length ?? 0;

describeFileStoreOnly(
  'damaged journal and document files at start (the PostgreSQL store keeps rows, written in transactions)',
)('damaged store and journal files at start', () => {
  let source: SharedSource;
  let expected: Record<string, number>;

  beforeAll(async () => {
    source = await sharedSource({ checksAfterBatch: false });
    expected = (await sharedBaseline(source)).holdings;
  }, 300_000);

  afterAll(async () => source?.stop());

  it('a half-written last journal line: the restart drops it and finishes the batch, each object once', async () => {
    const run = await freshRun(source, { asyncMs: 20 });
    try {
      const journal = journalOf(run.dataDir);
      const killed = await runAndKill(['migrate', '--json', '--data-dir', run.dataDir], journal, {
        lines: 40,
        delayMs: 0,
      });
      expect(killed.killed).toBe(true);
      // The kill's torn append: half of an intent, no newline.
      await appendFile(journal, '{"t":"intent","step":"web01/account/');
      const again = await mm(run.dataDir, ['migrate', '--json']);
      const result = parseMigrate(again);
      const tail = (await readFile(journal, 'utf8')).includes('"step":"web01/account/{');
      report(
        'journal with a half-written last line at start',
        `killed after ${killed.linesSeen} lines, a torn line appended; the restart: exit ${again.code}, ${result.state}`,
        `${proofLine(run.sandbox, expected)}; torn text left in the journal: ${tail ? 'yes' : 'no'}`,
      );
      expect(again.code).toBe(0);
      expect(result.state).toBe('done');
      expect(duplicates(run.sandbox)).toEqual([]);
      expect(missing(holdings(run.sandbox), expected)).toEqual([]);
    } finally {
      await run.sandbox.close();
    }
  }, 300_000);

  it('a damaged line in the middle of the journal: refused naming file and line, no call made, journal unchanged', async () => {
    const run = await freshRun(source, { asyncMs: 20 });
    try {
      const journal = journalOf(run.dataDir);
      await runAndKill(['migrate', '--json', '--data-dir', run.dataDir], journal, { lines: 30, delayMs: 0 });
      const lines = (await readFile(journal, 'utf8')).split('\n');
      lines[9] = lines[9]!.slice(0, Math.floor(lines[9]!.length / 2));
      await writeFile(journal, lines.join('\n'));
      const damaged = await readFile(journal);
      const rows = rowsOf(run.sandbox);
      const calls = callsOf(run.sandbox);
      const again = await mm(run.dataDir, ['migrate', '--json']);
      report(
        'journal damaged at line 10 at start',
        `mm migrate exit ${again.code}: "${again.stderr.trim().split('\n').slice(-1)[0]}"`,
        `target calls ${calls} before, ${callsOf(run.sandbox)} after; rows ${rows} → ${rowsOf(run.sandbox)}; journal ${Buffer.compare(damaged, await readFile(journal)) === 0 ? 'unchanged' : 'CHANGED'}`,
      );
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(journal);
      expect(again.stderr).toMatch(/line 10/);
      expect(callsOf(run.sandbox)).toBe(calls);
      expect(rowsOf(run.sandbox)).toBe(rows);
      expect(Buffer.compare(damaged, await readFile(journal))).toBe(0);
    } finally {
      await run.sandbox.close();
    }
  }, 300_000);

  for (const file of [
    'project.json',
    'selection.json',
    'mapping.json',
    'inventory/web01.json',
    'verification.json',
  ]) {
    it(`${file} cut in half: mm migrate refuses naming it, the target is not called, the file is left as it was`, async () => {
      const run = await freshRun(source, { asyncMs: 20 });
      try {
        const path = join(run.dataDir, 'projects', PROJECT, file);
        const whole = await readFile(path);
        const half = whole.subarray(0, Math.floor(whole.length / 2));
        await writeFile(path, half);
        const rows = rowsOf(run.sandbox);
        const calls = callsOf(run.sandbox);
        const result = await mm(run.dataDir, ['migrate', '--json']);
        const after = await readFile(path);
        report(
          `${file} half-written at start`,
          `mm migrate exit ${result.code}: "${result.stderr.trim().split('\n').slice(-1)[0]}"`,
          `target calls ${calls} → ${callsOf(run.sandbox)}, rows ${rows} → ${rowsOf(run.sandbox)}; the file ${Buffer.compare(after, half) === 0 ? 'left as it was' : 'CHANGED'}`,
        );
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(file.split('/').pop()!);
        expect(callsOf(run.sandbox)).toBe(calls);
        expect(rowsOf(run.sandbox)).toBe(rows);
        expect(Buffer.compare(after, half)).toBe(0);
      } finally {
        await run.sandbox.close();
      }
    }, 120_000);
  }
});
