/**
 * A short CLI command holds its project's lease while it runs (issue 15): `mm migrate` on the
 * demo against the sandbox with a slow target (each request "running" a while) is one process;
 * `mm project move --store …` in another is refused naming the migrate's pid, and once the
 * migrate has finished (its lease file gone) the same move goes. Real sshd, real agent, real
 * sandbox over HTTP, a real PostgreSQL the test starts, real lease files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { REPO_ROOT } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { PROJECT, freshRun, mm } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';
import { until } from './team-helpers';

async function listing(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
}

describe('a running mm migrate holds its project: mm project move elsewhere is refused', () => {
  let db: Postgres;
  let source: SharedSource;
  let run: { dataDir: string; sandbox: RunningSandbox };
  const saved = { store: process.env['MM_STORE'], password: process.env['PGPASSWORD'] };

  beforeAll(async () => {
    // a file project: its lease is a file the test can see (the database lease is the same code)
    delete process.env['MM_STORE'];
    [db, source] = await Promise.all([
      startPostgres({ database: 'mmclilease', user: 'mm' }),
      sharedSource({ checksAfterBatch: false }),
    ]);
    process.env['PGPASSWORD'] = db.password;
    // a slow target: every request stays "running" 0.4 s, so the migrate runs a while (about a
    // minute) unless the test speeds the target up (once the move was refused)
    run = await freshRun(source, { asyncMs: 400 });
  }, 300_000);

  afterAll(async () => {
    await run?.sandbox.close();
    await source?.stop();
    await db?.stop();
    if (saved.store !== undefined) process.env['MM_STORE'] = saved.store;
    if (saved.password === undefined) delete process.env['PGPASSWORD'];
    else process.env['PGPASSWORD'] = saved.password;
  });

  it('refuses the move naming the migrate, then moves once it finished', async () => {
    const url = `postgres://${db.user}@127.0.0.1:${db.port}/mmclilease`;
    const projectDir = join(run.dataDir, 'projects', PROJECT);
    const migrate = spawn(
      process.execPath,
      ['electron/cli/mm.mjs', 'migrate', '--concurrency', '1', '--json', '--data-dir', run.dataDir],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let said = '';
    migrate.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    migrate.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    const done = exited(migrate);
    const pid = migrate.pid ?? -1;
    const file = `${hostname()}-${pid}.json`;
    try {
      await until(
        "the migrate's lease file",
        async () => {
          if (migrate.exitCode !== null) throw new Error(`migrate ended before it was seen: ${said}`);
          return (await listing(join(projectDir, 'open.lock'))).includes(file) ? true : undefined;
        },
        120_000,
      );
      const refused = await mm(run.dataDir, ['project', 'move', '--store', url]);
      expect(migrate.exitCode, 'the migrate still ran when the move was refused').toBeNull();
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(
        new RegExp(
          `cannot be moved: it is open in .*@${hostname()}:${pid} \\(pid ${pid} on ${hostname()}, since 20\\d\\d-`,
        ),
      );
      expect(await readdir(projectDir)).not.toContain('store.json');
      // refused while it ran: the rest of the migrate need not wait on a slow target
      run.sandbox.setAsyncMs(0);
    } catch (e) {
      // on a failure above the migrate is not left running
      if (migrate.exitCode === null) migrate.kill('SIGTERM');
      throw e;
    }

    expect(await done, said).toBe(0);
    const result = JSON.parse(out) as { state: string; failures: unknown[] };
    expect(result.state).toBe('done');
    expect(result.failures).toEqual([]);
    // released as it ended
    expect(await listing(join(projectDir, 'open.lock'))).not.toContain(file);

    const moved = await mm(run.dataDir, ['project', 'move', '--store', url]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(await readdir(projectDir)).toContain('store.json');
  }, 600_000);
});
