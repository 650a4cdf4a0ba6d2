/**
 * The journal file: what `append` acknowledged survives a SIGKILL at any instant, a torn last
 * line is dropped (it was never acknowledged), damage inside the file is refused by name.
 */
import { spawn } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournal } from '../../electron/core/migration/file-journal';
import type { JournalEntry } from '../../electron/core/migration/journal';
import { REPO_ROOT, tempDir } from '../helpers/paths';

const outcome = (step: string, state: 'done' | 'failed' = 'done'): JournalEntry => ({
  t: 'outcome',
  job: 'j1',
  step,
  epoch: 1,
  outcome: { state, ids: { id: 7 }, via: 'call', at: '2026-01-01T00:00:00Z' },
});
const intent = (step: string, attempt = 1): JournalEntry => ({
  t: 'intent',
  job: 'j1',
  step,
  intent: { chosen: { accountId: 1000 + attempt }, requestId: `r-${step}-${attempt}`, attempt },
});

describe('migration journal file', () => {
  it('folds intents and outcomes: a step is open from its intent until its outcome', async () => {
    const file = join(await tempDir(), 'migration', 'journal.jsonl');
    const j = new FileJournal(file);
    await j.append([intent('a'), outcome('a'), intent('b')]);
    await j.append([intent('c'), outcome('c', 'failed'), intent('c', 2)]);
    await j.close();
    const state = await new FileJournal(file).load();
    expect([...state.open].sort()).toEqual(['b', 'c']);
    expect(state.outcomes.get('a')?.outcome.ids).toEqual({ id: 7 });
    expect(state.intents.get('c')?.intent.attempt).toBe(2);
  });

  it('acknowledges concurrent appends with shared syncs, every entry on a line of its own', async () => {
    const file = join(await tempDir(), 'journal.jsonl');
    const j = new FileJournal(file);
    await Promise.all(Array.from({ length: 200 }, (_, i) => j.append([outcome(`s${i}`)])));
    await j.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { step: string }).step)).size).toBe(200);
  });

  it('drops a torn last line and cuts it off, so the next entry starts clean', async () => {
    const file = join(await tempDir(), 'journal.jsonl');
    const j = new FileJournal(file);
    await j.append([outcome('a')]);
    await j.close();
    await appendFile(file, '{"t":"outcome","job":"j1","step":"b","epo');
    const again = new FileJournal(file);
    const state = await again.load();
    expect([...state.outcomes.keys()]).toEqual(['a']);
    await again.append([outcome('c')]);
    await again.close();
    const reread = await new FileJournal(file).load();
    expect([...reread.outcomes.keys()]).toEqual(['a', 'c']);
  });

  it('refuses a file damaged in the middle, naming it and the line, and changes nothing', async () => {
    const file = join(await tempDir(), 'journal.jsonl');
    await writeFile(
      file,
      `${JSON.stringify(outcome('a'))}\nnot json at all\n${JSON.stringify(outcome('b'))}\n`,
    );
    const before = await readFile(file);
    await expect(new FileJournal(file).load()).rejects.toMatchObject({
      code: 'store-corrupt',
      message: expect.stringContaining(`${file} is damaged at line 2`),
    });
    expect(await readFile(file)).toEqual(before);
  });

  it('keeps every acknowledged entry when the writing process is killed with SIGKILL', async () => {
    const file = join(await tempDir(), 'journal.jsonl');
    for (const delay of [150, 400, 900]) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/migration/fixtures/journal-writer.ts', file],
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const acknowledged: number[] = [];
      let buffer = '';
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        for (const p of parts) acknowledged.push(Number(p));
      });
      // Wait until it writes, then kill it mid-stream.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (acknowledged.length > 20) {
            clearInterval(check);
            setTimeout(resolve, delay);
          }
        }, 5);
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      const state = await new FileJournal(file).load();
      const missing = acknowledged.filter((i) => !state.outcomes.has(`step-${i}`));
      expect(missing).toEqual([]);
      expect(acknowledged.length).toBeGreaterThan(20);
    }
  }, 60_000);
});
