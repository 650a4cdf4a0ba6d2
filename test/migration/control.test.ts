/**
 * Batches as durable jobs, steered from another process as an engineer would: `mm jobs pause`
 * while `mm migrate` runs stops it at a step boundary (exit 1, state paused); `mm migrate` run
 * again resumes the same batch and finishes it; `mm jobs cancel` ends one for good; a subset
 * migrates only what it names; `mm migrate --preview` counts before anything starts.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths';
import { freshRun, journalLines, mm, mmOk, parseMigrate } from './env';
import { type SharedSource, sharedSource } from './shared-source';

describe('mm migrate and mm jobs: pause, resume, cancel, subsets, preview', () => {
  let source: SharedSource;

  beforeAll(async () => {
    source = await sharedSource({ checksAfterBatch: false });
  }, 300_000);
  afterAll(async () => source?.stop());

  it('says what a batch would create before it starts, and starts nothing', async () => {
    const run = await freshRun(source, { asyncMs: 20 });
    try {
      const preview = JSON.parse((await mmOk(run.dataDir, ['migrate', '--preview', '--json'])).stdout) as {
        objects: { accounts: number; domains: number };
        perKind: Record<string, number>;
        notCarried: { what: string; reason: string }[];
      };
      expect(preview.objects.domains).toBeGreaterThan(5);
      expect(preview.perKind['mailbox']).toBeGreaterThan(5);
      expect(preview.notCarried.some((n) => n.what.startsWith('password of mailbox'))).toBe(true);
      expect(run.sandbox.state()['accounts'] ?? []).toHaveLength(0);
      expect(await journalLines(run.dataDir)).toEqual([]);
    } finally {
      await run.sandbox.close();
    }
  }, 120_000);

  it('pauses a running batch from another process, then resumes and finishes it', async () => {
    const run = await freshRun(source, { asyncMs: 60 });
    try {
      const child = spawn(
        process.execPath,
        ['electron/cli/mm.mjs', 'migrate', '--json', '--concurrency', '2', '--data-dir', run.dataDir],
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number>((r) => child.once('close', (code) => r(code ?? -1)));
      // Wait for a few outcomes, then ask it to pause from another process.
      let jobId = '';
      for (let i = 0; i < 600 && !jobId; i++) {
        const lines = await journalLines(run.dataDir);
        if (lines.filter((l) => l['t'] === 'outcome').length >= 5)
          jobId = String((lines.find((l) => l['t'] === 'job')?.['job'] as { jobId: string }).jobId);
        else await new Promise((r) => setTimeout(r, 50));
      }
      expect(jobId).not.toBe('');
      await mmOk(run.dataDir, ['jobs', 'pause', jobId]);
      const code = await exited;
      const paused = JSON.parse(out) as { state: string; objects: { migrated: number; total: number } };
      expect(code).toBe(1);
      expect(paused.state).toBe('paused');
      expect(paused.objects.migrated).toBeLessThan(paused.objects.total);
      const list = JSON.parse((await mmOk(run.dataDir, ['jobs', 'list', '--json'])).stdout) as {
        jobId: string;
        state: string;
      }[];
      expect(list).toEqual([expect.objectContaining({ jobId, state: 'paused' })]);
      // The slow target only had to keep the batch running until the pause: the rest need not wait.
      run.sandbox.setAsyncMs(0);
      // Run again: the same batch resumes (no second batch) and finishes.
      const again = await mm(run.dataDir, ['migrate', '--json']);
      const done = parseMigrate(again);
      expect(done.jobId).toBe(jobId);
      expect(done.state).toBe('done');
      expect(again.code).toBe(0);
      expect(done.objects.migrated).toBe(done.objects.total);
    } finally {
      await run.sandbox.close();
    }
  }, 180_000);

  it('migrates only the domains asked for (and their accounts), and cancels for good', async () => {
    const run = await freshRun(source, { asyncMs: 20 });
    try {
      const one = parseMigrate(await mm(run.dataDir, ['migrate', '--domains', 'patlens.test', '--json']));
      expect(one.state).toBe('done');
      expect(one.objects.total).toBe(2); // the domain and its account
      const domains = (run.sandbox.state()['domains'] ?? []).map((d) => String(d['domain_name']));
      expect(domains.filter((d) => !d.startsWith('www.'))).toEqual(['patlens.test']);
      // A batch cancelled while paused stays cancelled: the next mm migrate starts a new one.
      const child = spawn(
        process.execPath,
        ['electron/cli/mm.mjs', 'migrate', '--json', '--concurrency', '1', '--data-dir', run.dataDir],
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'ignore', 'ignore'],
        },
      );
      const exited = new Promise<void>((r) => child.once('close', () => r()));
      let jobId = '';
      for (let i = 0; i < 600 && !jobId; i++) {
        const jobs = (await journalLines(run.dataDir))
          .filter((l) => l['t'] === 'job')
          .map((l) => l['job'] as { jobId: string });
        const second = jobs.find((j) => j.jobId !== one.jobId);
        if (second) jobId = second.jobId;
        else await new Promise((r) => setTimeout(r, 50));
      }
      await mmOk(run.dataDir, ['jobs', 'cancel', jobId]);
      await exited;
      const shown = JSON.parse((await mmOk(run.dataDir, ['jobs', 'show', jobId, '--json'])).stdout) as {
        state: string;
      };
      expect(shown.state).toBe('cancelled');
      run.sandbox.setAsyncMs(0);
      const third = parseMigrate(await mm(run.dataDir, ['migrate', '--json']));
      expect(third.jobId).not.toBe(jobId);
      expect(third.state).toBe('done');
    } finally {
      await run.sandbox.close();
    }
  }, 180_000);
});
