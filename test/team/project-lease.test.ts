/**
 * `mm project move` while an app has the project open (issue 15): the app (the browser host, a
 * real process) holds a lease on the project it opened — a lock file with its pid and host on a
 * file project, a session advisory lock on a project in PostgreSQL — and the CLI's move is
 * refused naming who holds it (pid, host, since when). Once the app is killed with SIGKILL its
 * lease no longer counts (the process is gone; the database session ended) and the move goes.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/host-api';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { type RunningHost, runMm, startHost } from '../helpers/processes';
import { until } from './team-helpers';

const DEMO = 'demo-migration';

async function killed(host: RunningHost): Promise<void> {
  const child = host.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a project open in an app holds a lease the CLI move respects', () => {
  let db: Postgres;
  let dataDir: string;
  let urlA: string;
  let urlB: string;
  const hosts: RunningHost[] = [];
  const saved = { store: process.env['MM_STORE'], password: process.env['PGPASSWORD'] };
  const mm = (...args: string[]): ReturnType<typeof runMm> => runMm([...args, '--data-dir', dataDir]);

  beforeAll(async () => {
    delete process.env['MM_STORE'];
    db = await startPostgres({ database: 'mmleasea', user: 'mm', moreDatabases: ['mmleaseb'] });
    process.env['PGPASSWORD'] = db.password;
    urlA = `postgres://${db.user}@127.0.0.1:${db.port}/mmleasea`;
    urlB = `postgres://${db.user}@127.0.0.1:${db.port}/mmleaseb`;
    dataDir = await tempDir('mm-lease-');
    const made = await mm('project', 'demo');
    expect(made.code, made.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(hosts.map((h) => killed(h)));
    await db?.stop();
    if (saved.store !== undefined) process.env['MM_STORE'] = saved.store;
    if (saved.password === undefined) delete process.env['PGPASSWORD'];
    else process.env['PGPASSWORD'] = saved.password;
  });

  it('a file project: refused naming the app, moved once the app is dead', async () => {
    const host = await startHost(dataDir, ['--no-demo']);
    hosts.push(host);
    const pid = host.process.pid;
    await call(host, 'projects:get', { projectId: DEMO });
    const leases = join(dataDir, 'projects', DEMO, 'open.lock');
    expect(await readdir(leases)).toContain(`${hostname()}-${pid}.json`);

    const refused = await mm('project', 'move', '--store', urlA);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      new RegExp(
        `cannot be moved: it is open in .*@${hostname()}:${pid} \\(pid ${pid} on ${hostname()}, since 20\\d\\d-`,
      ),
    );
    expect(await readdir(join(dataDir, 'projects', DEMO))).not.toContain('store.json');

    await killed(host);
    // its lease file is still there, but its process is gone: not a holder
    expect(await readdir(leases)).toContain(`${hostname()}-${pid}.json`);
    const moved = await mm('project', 'move', '--store', urlA);
    expect(moved.code, moved.stderr).toBe(0);
    expect(await readdir(leases)).not.toContain(`${hostname()}-${pid}.json`);
  }, 300_000);

  it('a project in PostgreSQL: the session lease refuses the move until the app is killed', async () => {
    const host = await startHost(dataDir, ['--no-demo']);
    hosts.push(host);
    const pid = host.process.pid;
    expect((await call<{ name: string }>(host, 'projects:get', { projectId: DEMO })).name).toBe(
      'Demo migration',
    );
    const refused = await mm('project', 'move', '--store', urlB);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      new RegExp(`open in .*:${pid} \\(pid ${pid} on ${hostname()}, since 20\\d\\d-`),
    );

    await killed(host);
    // the server ends the killed app's session (and with it the lease) as its socket closes
    const moved = await until(
      'the move once the app is gone',
      async () => {
        const r = await mm('project', 'move', '--store', urlB);
        if (r.code === 0) return r;
        if (!/is open in/.test(r.stderr)) throw new Error(r.stderr);
        return undefined;
      },
      60_000,
    );
    expect(moved.code).toBe(0);
  }, 300_000);

  it('an app opening a project in PostgreSQL while a move holds it waits, then opens it', async () => {
    // a move under way, as mm project move holds it: the project's lease taken exclusively
    const mover = new pg.Client({
      host: db.host,
      port: db.port,
      user: db.user,
      password: db.password,
      database: 'mmleaseb',
      application_name: 'mm-move test@elsewhere:1',
    });
    await mover.connect();
    await mover.query('SELECT pg_advisory_lock(7514016, hashtext($1))', [DEMO]);
    let opened = false;
    const opening = startHost(dataDir, ['--no-demo']).then(async (host) => {
      hosts.push(host);
      const project = await call<{ name: string }>(host, 'projects:get', { projectId: DEMO });
      opened = true;
      return project;
    });
    await new Promise((r) => setTimeout(r, 5_000));
    expect(opened, 'the app opened the project while the move held it').toBe(false);
    // a CLI move meanwhile names the move under way
    const refused = await mm('project', 'move', '--store', urlA);
    expect(refused.stderr).toMatch(/open in test@elsewhere:1 \(pid 1 on elsewhere/);
    await mover.end();
    expect((await opening).name).toBe('Demo migration');
    expect(opened).toBe(true);
  }, 300_000);

  it('a worker on the project holds it too: the move names it, and goes once the worker stopped', async () => {
    await Promise.all(hosts.map((h) => killed(h)));
    const worker = spawn(process.execPath, ['electron/cli/mm.mjs', 'worker', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let said = '';
    worker.stderr?.on('data', (d: Buffer) => (said += d.toString()));
    try {
      // a move tried before the worker has started would rightly go: wait for its lease first
      // (the project is in PostgreSQL now: a shared advisory lock held by the worker's session)
      const probe = new pg.Client({
        host: db.host,
        port: db.port,
        user: db.user,
        password: db.password,
        database: db.database,
      });
      await probe.connect();
      try {
        await until(
          "the worker's lease",
          async () => {
            const { rows } = await probe.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.classid = 7514016 AND l.granted AND a.application_name LIKE $1`,
              [`%:${String(worker.pid)}`],
            );
            return (rows[0]?.n ?? 0) > 0 ? true : undefined;
          },
          60_000,
        );
      } finally {
        await probe.end();
      }
      const refused = await until(
        'the worker holding the project',
        async () => {
          const r = await mm('project', 'move', '--store', urlA);
          if (r.code === 0) throw new Error(`moved from under the worker (${said})`);
          return /is open in/.test(r.stderr) ? r : undefined;
        },
        60_000,
      );
      expect(refused.stderr).toMatch(new RegExp(`:${worker.pid} \\(pid ${worker.pid} on ${hostname()}`));
    } finally {
      await new Promise<void>((resolve) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return resolve();
        worker.once('exit', () => resolve());
        worker.kill('SIGTERM');
      });
    }
    const moved = await mm('project', 'move', '--store', urlA);
    expect(moved.code, moved.stderr).toBe(0);
  }, 300_000);
});
