/**
 * A command that names its project as an argument holds the project's lease like one given
 * --project (issue 15): `mm project grant <project>` and `mm project rotate-key <project>` in one
 * process; `mm project move` in another is refused naming the grant's (then the rotation's) pid
 * and host while it runs, and goes once it ended. Before ctx.project, these commands resolved
 * the name themselves and held nothing, so the move went from under them.
 *
 * The grant is held mid-way without any hook in the code: the test's own session takes the
 * advisory lock the project's keys are changed under (secrets/project-key.ts, lockProject), so
 * the grant, its lease already taken, waits for it. Real PostgreSQL, real processes.
 *
 * The app's side (the browser host, a real process): a project deleted and made again under the
 * same name is a new folder, whose lease the app must take again when it opens it; it kept
 * believing it held the old one, so a move went from under it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { call } from '../helpers/host-api';
import { runMm, startHost } from '../helpers/processes';
import { until } from './team-helpers';

const PROJECT = 'named-lease';

interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function started(args: readonly string[]): { child: ChildProcess; done: Promise<Ended> } {
  const child = spawn(process.execPath, ['electron/cli/mm.mjs', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Ended>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

describe('mm project grant / rotate-key hold the project they name', () => {
  let db: Postgres;
  let dataDir: string;
  let otherDir: string;
  let url: string;
  let keysLock: pg.Client;
  const saved = { store: process.env['MM_STORE'], password: process.env['PGPASSWORD'] };
  const mm = (...args: string[]): ReturnType<typeof runMm> => runMm([...args, '--data-dir', dataDir]);

  beforeAll(async () => {
    delete process.env['MM_STORE'];
    db = await startPostgres({ database: 'mmnamedlease', user: 'mm' });
    process.env['PGPASSWORD'] = db.password;
    url = `postgres://${db.user}@127.0.0.1:${db.port}/${db.database}`;
    dataDir = await tempDir('mm-named-lease-');
    otherDir = await tempDir('mm-named-lease-other-');
    const made = await mm('project', 'create', PROJECT, '--store', url);
    expect(made.code, made.stderr).toBe(0);
    keysLock = new pg.Client({
      host: db.host,
      port: db.port,
      user: db.user,
      password: db.password,
      database: db.database,
    });
    await keysLock.connect();
  }, 180_000);

  afterAll(async () => {
    await keysLock?.end().catch(() => undefined);
    await db?.stop();
    if (saved.store !== undefined) process.env['MM_STORE'] = saved.store;
    if (saved.password === undefined) delete process.env['PGPASSWORD'];
    else process.env['PGPASSWORD'] = saved.password;
  });

  /** Runs `args` with the project's keys locked by the test; the move is tried while it waits. */
  async function moveRefusedDuring(args: readonly string[]): Promise<Ended> {
    await keysLock.query('BEGIN');
    await keysLock.query(`SELECT pg_advisory_xact_lock(hashtext('mm_project_keys'), hashtext($1))`, [
      PROJECT,
    ]);
    const run = started([...args, '--data-dir', dataDir]);
    const pid = run.child.pid ?? -1;
    try {
      // its lease: the shared advisory lock its session holds, named by its application_name
      await until(
        `the lease of mm ${args.slice(0, 2).join(' ')}`,
        async () => {
          if (run.child.exitCode !== null) throw new Error(`it ended early: ${(await run.done).stderr}`);
          const { rows } = await keysLock.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.classid = 7514016 AND l.granted AND a.application_name LIKE $1`,
            [`%:${String(pid)}`],
          );
          return (rows[0]?.n ?? 0) > 0 ? true : undefined;
        },
        60_000,
      );
      // and it is waiting for the keys' lock, not finished
      await until(
        'it to wait for the keys lock',
        async () => {
          const { rows } = await keysLock.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
          );
          return (rows[0]?.n ?? 0) > 0 ? true : undefined;
        },
        60_000,
      );
      const refused = await mm('project', 'move', '--store', 'files', '--project', PROJECT);
      expect(run.child.exitCode, 'it still ran when the move was refused').toBeNull();
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(
        new RegExp(
          `cannot be moved: it is open in .*@${hostname()}:${pid} \\(pid ${pid} on ${hostname()}, since 20\\d\\d-`,
        ),
      );
    } finally {
      await keysLock.query('COMMIT');
    }
    const ended = await run.done;
    expect(ended.code, ended.stderr).toBe(0);
    return ended;
  }

  it('refuses a move while a grant holds the project, then while a key rotation does; moves after', async () => {
    const key = await runMm(['engineer', 'key', '--json', '--data-dir', otherDir]);
    expect(key.code, key.stderr).toBe(0);
    const publicKey = (JSON.parse(key.stdout) as { publicKey: string }).publicKey;

    const granted = await moveRefusedDuring([
      'project',
      'grant',
      PROJECT,
      '--engineer',
      publicKey,
      '--name',
      'other',
      '--json',
    ]);
    expect((JSON.parse(granted.stdout) as { name: string }).name).toBe('other');

    const rotated = await moveRefusedDuring(['project', 'rotate-key', PROJECT, '--json']);
    expect((JSON.parse(rotated.stdout) as { engineers: number }).engineers).toBe(2);

    // neither left its lease behind: the same move goes now
    const moved = await mm('project', 'move', '--store', 'files', '--project', PROJECT);
    expect(moved.code, moved.stderr).toBe(0);
  }, 300_000);

  it("an app holds a project made again under a deleted one's name: the move is refused naming it", async () => {
    const appDir = await tempDir('mm-named-lease-app-');
    const host = await startHost(appDir, ['--no-demo']);
    const pid = host.process.pid ?? -1;
    const lease = `${hostname()}-${pid}.json`;
    const leases = join(appDir, 'projects', 'again', 'open.lock');
    try {
      const made = await call<{ id: string }>(host, 'projects:create', { name: 'again' });
      expect(made.id).toBe('again');
      await call(host, 'projects:get', { projectId: 'again' });
      expect(await readdir(leases)).toContain(lease);
      await call(host, 'projects:remove', { projectId: 'again' });
      // the same name again: a new folder, opened by the same app
      await call(host, 'projects:create', { name: 'again' });
      await call(host, 'projects:get', { projectId: 'again' });
      expect(await readdir(leases).catch(() => [])).toContain(lease);
      const refused = await runMm([
        'project',
        'move',
        '--store',
        url,
        '--project',
        'again',
        '--data-dir',
        appDir,
      ]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(
        new RegExp(
          `cannot be moved: it is open in .*:${pid} \\(pid ${pid} on ${hostname()}, since 20\\d\\d-`,
        ),
      );
    } finally {
      await host.stop();
    }
  }, 120_000);
});
