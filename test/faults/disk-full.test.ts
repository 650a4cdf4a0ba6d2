/**
 * The disk full while the manager writes: a real small tmpfs (see small-disk.ts) holding the
 * data dir.
 *  - Journal: `mm migrate` starts with a little space left, so the journal fills the disk in
 *    the middle of the batch. It must stop with a message saying so, not hang and not lie;
 *    after space is freed, `mm migrate` again finishes the batch with each object held once.
 *  - Store: a settings change with no space left fails with a message, and every store file is
 *    byte for byte what it was (no half-written document, no temporary file left behind); with
 *    space again the same change is saved.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { PROJECT, freshRun, mm, parseMigrate } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';
import { duplicates, holdings, missing, proofLine, report } from './proof';
import { onSmallDisk } from './small-disk';
import { describeFileStoreOnly } from '../helpers/file-store-only';

/** Bytes used by a folder's files. */
async function du(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  return total;
}

const read = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');

/** What a full disk's error must say, in the manager's words or the system's. */
const NO_SPACE = /space|ENOSPC|disk.*full/i;

describeFileStoreOnly(
  'the data dir disk filling under the journal and document files (the PostgreSQL store writes to its own server)',
)('the disk full while writing', () => {
  let source: SharedSource;
  let expected: Record<string, number>;
  let journalBytes = 0;
  /** What an uninterrupted batch writes: its journal and its migration log. */
  let batchBytes = 0;

  beforeAll(async () => {
    source = await sharedSource({ checksAfterBatch: false });
    const baseline = await freshRun(source, { asyncMs: 20 });
    try {
      const before = await du(baseline.dataDir);
      expect(parseMigrate(await mm(baseline.dataDir, ['migrate', '--json'])).state).toBe('done');
      expected = holdings(baseline.sandbox);
      journalBytes = (await stat(join(baseline.dataDir, 'projects', PROJECT, 'migration', 'journal.jsonl')))
        .size;
      batchBytes = (await du(baseline.dataDir)) - before;
    } finally {
      await baseline.sandbox.close();
    }
  }, 300_000);

  afterAll(async () => source?.stop());

  it('the journal: the batch stops saying the disk is full; with space again it finishes, each object once', async () => {
    const run = await freshRun(source, { asyncMs: 20 });
    const out = await tempDir('mm-disk-full-out-');
    try {
      // Room for about a third of what the batch writes (journal and log), no more; once the
      // filler is gone, room for the whole batch twice over.
      const freeKb = Math.max(8, Math.round(batchBytes / 3 / 1024));
      const sizeKb = (await du(run.dataDir)) / 1024 + (2 * batchBytes) / 1024 + 256;
      const shellDone = onSmallDisk(
        sizeKb,
        [
          'cp -a "$DATA/." "$DISK/"',
          'fill "$FREE_KB"',
          'set +e',
          'timeout 180 $MM migrate --json --data-dir "$DISK" > "$OUT/first.out" 2> "$OUT/first.err"; echo $? > "$OUT/first.code"',
          'wc -c < "$DISK/projects/$PROJECT/migration/journal.jsonl" > "$OUT/journal-at-full" 2>/dev/null',
          // The test reads the sandbox back now, before anything else is written to it.
          'touch "$OUT/first.done"; while [ ! -e "$OUT/go" ]; do sleep 0.1; done',
          'free',
          'timeout 300 $MM migrate --json --data-dir "$DISK" > "$OUT/second.out" 2> "$OUT/second.err"; echo $? > "$OUT/second.code"',
          // Steps that failed for want of space are failed objects: "retry failed" takes them up.
          'JOB=$(node -e "process.stdout.write(JSON.parse(require(\'fs\').readFileSync(process.argv[1], \'utf8\')).jobId)" "$OUT/second.out")',
          'timeout 300 $MM jobs retry "$JOB" --json --data-dir "$DISK" > "$OUT/retry.out" 2> "$OUT/retry.err"; echo $? > "$OUT/retry.code"',
        ].join('\n'),
        { DATA: run.dataDir, OUT: out, FREE_KB: String(freeKb), PROJECT },
      );
      let ended = false;
      void shellDone.then(() => (ended = true));
      while (!ended && !existsSync(join(out, 'first.done'))) await new Promise((r) => setTimeout(r, 50));
      const rowsAtFull = Object.values(holdings(run.sandbox)).reduce((a, b) => a + b, 0);
      await writeFile(join(out, 'go'), '');
      const shell = await shellDone;
      expect(shell.stderr).toBe('');
      const firstCode = Number(await read(join(out, 'first.code')));
      const firstErr = (await read(join(out, 'first.err'))).trim();
      const parse = (text: string): { state: string; failures: { message: string }[] } =>
        text.trim() === '' ? { state: 'no JSON', failures: [] } : JSON.parse(text);
      const second = parse(await read(join(out, 'second.out')));
      const retried = parse(await read(join(out, 'retry.out')));
      report(
        `disk full while writing the journal (${freeKb} KiB left; the batch writes a ${Math.round(journalBytes / 1024)} KiB journal and ${Math.round((batchBytes - journalBytes) / 1024)} KiB of log)`,
        `first run exit ${firstCode} after ${(await read(join(out, 'journal-at-full'))).trim()} journal bytes, ${rowsAtFull} rows made: "${firstErr.split('\n').slice(-1)[0]}"; space freed: the run again ${second.state} (${second.failures.length} objects failed for want of space: ${[...new Set(second.failures.map((f) => f.message))].join(', ')}), retry failed ${retried.state} ${(await read(join(out, 'retry.err'))).trim().split('\n').slice(-1)[0]}`,
        proofLine(run.sandbox, expected),
      );
      // It stopped (not a hang: timeout would be 124), said why, and had really begun.
      expect(firstCode).not.toBe(0);
      expect(firstCode).not.toBe(124);
      expect(firstErr).toMatch(NO_SPACE);
      expect(rowsAtFull).toBeGreaterThan(0);
      for (const f of second.failures) expect(f.message).toMatch(NO_SPACE);
      expect(retried.state).toBe('done');
      expect(retried.failures).toEqual([]);
      expect(duplicates(run.sandbox)).toEqual([]);
      expect(missing(holdings(run.sandbox), expected)).toEqual([]);
    } finally {
      await run.sandbox.close();
    }
  }, 600_000);

  it('the store: a settings change fails saying the disk is full, every store file unchanged; with space it is saved', async () => {
    const run = await freshRun(source);
    const out = await tempDir('mm-disk-full-store-');
    try {
      const sizeKb = (await du(run.dataDir)) / 1024 + 256;
      const shell = await onSmallDisk(
        sizeKb,
        [
          'cp -a "$DATA/." "$DISK/"',
          'snapshot() { (cd "$DISK" && find . -type f ! -name filler -exec sha256sum {} + | sort -k2); }',
          'snapshot > "$OUT/before"',
          'fill 0',
          'set +e',
          'timeout 60 $MM server settings web01 --default-country fr --data-dir "$DISK" > "$OUT/first.out" 2> "$OUT/first.err"; echo $? > "$OUT/first.code"',
          'snapshot > "$OUT/after-full"',
          'free',
          'timeout 60 $MM server settings web01 --default-country fr --data-dir "$DISK" > "$OUT/second.out" 2> "$OUT/second.err"; echo $? > "$OUT/second.code"',
          'timeout 60 $MM server settings web01 --json --data-dir "$DISK" > "$OUT/list.json" 2>&1',
        ].join('\n'),
        { DATA: run.dataDir, OUT: out },
      );
      expect(shell.stderr).toBe('');
      const firstCode = Number(await read(join(out, 'first.code')));
      const firstErr = (await read(join(out, 'first.err'))).trim();
      const before = await read(join(out, 'before'));
      const afterFull = await read(join(out, 'after-full'));
      const list = await read(join(out, 'list.json'));
      // sha256sum lines "hash  ./path": the documents as they were, and any file that appeared.
      const lines = (t: string): string[] => t.split('\n').filter((l) => l !== '');
      const gone = lines(before).filter((l) => !lines(afterFull).includes(l));
      const appeared = lines(afterFull).filter((l) => !lines(before).includes(l));
      // The failed write's temporary file (lowdb's .<name>.tmp) is removed too: nothing appears.
      const leftovers: string[] = [];
      report(
        'disk full while writing the store (server settings)',
        `with no space: exit ${firstCode}, "${firstErr.split('\n').slice(-1)[0]}"; with space: exit ${(await read(join(out, 'second.code'))).trim()}`,
        `${lines(before).length} store files hashed: ${gone.length} changed or gone after the failed write, new files: ${appeared.map((l) => l.split(/\s+/)[1]).join(', ') || 'none'}; the change is there after the second: ${/"fr"/.test(list) ? 'yes' : 'no'}`,
      );
      expect(firstCode).not.toBe(0);
      expect(firstErr).toMatch(NO_SPACE);
      // The message names the file that could not be written and says it is unchanged.
      expect(firstErr).toMatch(
        /file \S+project\.json could not be written .*still holds what it held before/,
      );
      expect(gone).toEqual([]);
      expect(appeared).toEqual(leftovers);
      expect(Number(await read(join(out, 'second.code')))).toBe(0);
      expect(list).toMatch(/"fr"/);
    } finally {
      await run.sandbox.close();
    }
  }, 300_000);
});
