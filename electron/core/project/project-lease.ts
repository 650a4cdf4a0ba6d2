/**
 * Who has a project open (issue 15): an app holds a lease on every project it opened, one that
 * another process can see, so `mm project move` refuses to move a project from under it.
 *
 * - A file project: `<project>/open.lock/<host>-<pid>.json` (pid, host, process start, since,
 *   who). A lock file, so never moved or bundled (`perMachine`); removed when the process exits.
 *   A file whose process is gone (same host: no such pid, or a pid since reused by another
 *   process, told by its start time) is stale: ignored, and removed by the next check.
 * - A project in PostgreSQL: a session advisory lock, taken shared by each holder on one
 *   connection per database and process (application_name says who); it ends with the session,
 *   so a killed holder never blocks. `pg_locks` names the holders; a move takes it exclusively.
 *
 * A lease is presence, not a lock on the work itself: many apps may hold one project open.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { MmError } from '../errors';
import { linkedPgStore, loadPg } from '../store/postgres-store';
import { connectionOf } from '../store/store-password';

/** The advisory lock's first key: a lease of a project (the second is the project's id hashed). */
const LEASE_KEY = 7_514_016;
const LEASE_DIR = 'open.lock';
const HOST = hostname();

export interface LeaseHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lease was taken (a database lease: when that process's session began) */
  readonly since: string;
  readonly who: string;
  /** the lease file, or the database that holds the lock */
  readonly where: string;
}

interface LeaseFile {
  readonly pid: number;
  readonly host: string;
  /** the process's start in clock ticks since boot (Linux), so a reused pid is not taken for it */
  readonly started?: string;
  readonly since: string;
  readonly who: string;
}

/** A process's start time (Linux /proc), undefined elsewhere or when it is gone. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command may hold spaces and parentheses: the fields start after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function me(): { who: string; name: string } {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): the pid and host still say who
  }
  const who = `${user}@${HOST}:${process.pid}`;
  return { who, name: `mm-open ${who}`.slice(0, 63) };
}

function leaseFile(projectDir: string): string {
  return join(projectDir, LEASE_DIR, `${HOST}-${process.pid}.json`);
}

/** A database lease's second key: the project's id there, as the holders' query computes it. */
const PROJECT_KEY = 'hashtext($1)';

/** The leases this process holds: one per project, taken when a core first opens it. */
export class ProjectLeases {
  readonly #held = new Map<string, Promise<(() => Promise<void>) | undefined>>();
  readonly #files = new Set<string>();
  readonly #sessions = new Map<string, Promise<pg.Client>>();

  constructor(private readonly dirOf: (projectId: string) => string) {
    // the files go with the process, however it ends short of a kill
    process.once('exit', () => {
      for (const f of this.#files) {
        try {
          rmSync(f, { force: true });
        } catch {
          // best effort: a file left is stale once this process is gone
        }
      }
    });
  }

  /** Takes the project's lease once (a folder that does not exist is not created). */
  hold(projectId: string): Promise<void> {
    if (this.#held.has(projectId)) return Promise.resolve();
    const taken = this.take(projectId).catch(() => undefined);
    this.#held.set(projectId, taken);
    return taken.then((release) => {
      // nothing held (no folder yet): asked again at the next opening
      if (!release) this.#held.delete(projectId);
    });
  }

  /** Gives the project's lease up (a move: re-taken where the project lives next time it opens). */
  async drop(projectId: string): Promise<void> {
    const held = this.#held.get(projectId);
    this.#held.delete(projectId);
    const release = await held;
    await release?.();
  }

  private async take(projectId: string): Promise<(() => Promise<void>) | undefined> {
    let dir: string;
    try {
      dir = this.dirOf(projectId);
      if (!(await stat(dir)).isDirectory()) return undefined;
    } catch {
      return undefined;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const linked = await linkedPgStore(dir);
      if (!linked) break;
      const client = await this.session(linked.store.url);
      const key = [linked.projectId];
      // a move under way holds it exclusively: the opening waits for it (up to the session's
      // lock_timeout), so the project opens where it went, not from the copy being left
      const taken = await whileAsked(client, () =>
        client.query(`SELECT pg_advisory_lock_shared(${LEASE_KEY}, ${PROJECT_KEY})`, key),
      ).then(
        () => true,
        () => false,
      );
      if (!taken) return undefined;
      const release = async (): Promise<void> => {
        await whileAsked(client, () =>
          client.query(`SELECT pg_advisory_unlock_shared(${LEASE_KEY}, ${PROJECT_KEY})`, key),
        ).catch(() => undefined);
      };
      const now = await linkedPgStore(dir);
      if (now?.store.url === linked.store.url && now.projectId === linked.projectId) return release;
      // it moved while this opening waited: held where it lives now
      await release();
    }
    const file = leaseFile(dir);
    const lease: LeaseFile = {
      pid: process.pid,
      host: HOST,
      ...(processStart(process.pid) !== undefined ? { started: processStart(process.pid) } : {}),
      since: new Date().toISOString(),
      who: me().who,
    };
    await mkdir(join(dir, LEASE_DIR), { recursive: true, mode: 0o700 });
    try {
      await writeFile(file, `${JSON.stringify(lease)}\n`, { mode: 0o600 });
    } catch (e) {
      // e.g. the disk full: the file may exist, empty; no lease is better than a file left behind
      await rm(file, { force: true }).catch(() => undefined);
      throw e;
    }
    this.#files.add(file);
    return async () => {
      this.#files.delete(file);
      await rm(file, { force: true });
    };
  }

  /** One connection per database, holding this process's leases there; it never keeps the process alive. */
  private session(url: string): Promise<pg.Client> {
    let s = this.#sessions.get(url);
    if (!s) {
      s = (async () => {
        const { Client } = await loadPg();
        const client = new Client({ ...connectionOf(url), application_name: me().name });
        client.on('error', () => {
          // the server went away: the leases went with it, taken again on a new session
          this.#sessions.delete(url);
          for (const [id] of this.#held) this.#held.delete(id);
        });
        await client.connect();
        // an opening waits this long for a move under way, then opens without a lease
        await client.query(`SET lock_timeout = '120s'`);
        unref(client);
        return client;
      })();
      s.catch(() => this.#sessions.delete(url));
      this.#sessions.set(url, s);
    }
    return s;
  }
}

type Stream = { ref?: () => void; unref?: () => void };

function streamOf(client: pg.Client): Stream | undefined {
  return (client as unknown as { connection?: { stream?: Stream } }).connection?.stream;
}

/** pg keeps its socket referenced; a lease must not keep a finished process running. */
function unref(client: pg.Client): void {
  streamOf(client)?.unref?.();
}

/**
 * A question on the lease session: its socket referenced until the answer came, or a process
 * with nothing else to wait for (an app still starting) would end while it is asked.
 */
async function whileAsked<R>(client: pg.Client, ask: () => Promise<R>): Promise<R> {
  streamOf(client)?.ref?.();
  try {
    return await ask();
  } finally {
    streamOf(client)?.unref?.();
  }
}

/** The live holders of file leases on a project folder, other than this process; stale files removed. */
async function fileHolders(projectDir: string): Promise<LeaseHolder[]> {
  const dir = join(projectDir, LEASE_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: LeaseHolder[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let lease: Partial<LeaseFile>;
    try {
      lease = JSON.parse(await readFile(file, 'utf8')) as Partial<LeaseFile>;
    } catch {
      continue; // being written, or not ours: not a holder
    }
    if (typeof lease.pid !== 'number' || typeof lease.host !== 'string') continue;
    if (lease.host === HOST && lease.pid === process.pid) continue;
    if (lease.host === HOST) {
      const start = processStart(lease.pid);
      const gone =
        !alive(lease.pid) || (lease.started !== undefined && start !== undefined && start !== lease.started);
      if (gone) {
        await rm(file, { force: true });
        continue;
      }
    }
    out.push({
      pid: lease.pid,
      host: lease.host,
      since: String(lease.since ?? ''),
      who: String(lease.who ?? `${lease.host}:${lease.pid}`),
      where: file,
    });
  }
  return out;
}

/** The sessions holding a database lease on the project, other than this process's. */
async function databaseHolders(
  query: (sql: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  url: string,
  projectId: string,
): Promise<LeaseHolder[]> {
  const { rows } = await query(
    `SELECT a.application_name AS name, a.backend_start AS since, host(a.client_addr) AS addr, a.pid AS backend
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid::text::bigint = ${LEASE_KEY}
        AND l.objid::text::bigint = (${PROJECT_KEY}::bigint & 4294967295)
        AND l.pid <> pg_backend_pid()`,
    [projectId],
  );
  const mine = me().name;
  const out: LeaseHolder[] = [];
  for (const r of rows) {
    const name = String(r['name'] ?? '');
    if (name === mine) continue;
    const m = /^mm-(?:open|move) (.*)@([^@:]*):(\d+)$/.exec(name);
    out.push({
      pid: m ? Number(m[3]) : Number(r['backend']),
      host: m?.[2] ?? String(r['addr'] ?? 'unknown host'),
      since: r['since'] instanceof Date ? r['since'].toISOString() : String(r['since']),
      who: m ? `${m[1]}@${m[2]}:${m[3]}` : `session ${String(r['backend'])}`,
      where: url,
    });
  }
  return out;
}

/** Everyone else who has the project open now. */
export async function leaseHolders(projectDir: string): Promise<LeaseHolder[]> {
  const out = await fileHolders(projectDir);
  const linked = await linkedPgStore(projectDir);
  if (linked)
    out.push(
      ...(await databaseHolders((sql, v) => linked.store.query(sql, v), linked.store.url, linked.projectId)),
    );
  return out;
}

/** Refuses, naming every holder (who, pid, host, since when), while another process has the project open. */
export async function assertNotOpenElsewhere(
  projectDir: string,
  projectId: string,
  doing: string,
): Promise<void> {
  const holders = await leaseHolders(projectDir);
  if (holders.length === 0) return;
  const named = holders.map((h) => `${h.who} (pid ${h.pid} on ${h.host}, since ${h.since})`);
  throw new MmError(
    'project-open',
    `Project ${projectId} cannot be ${doing}: it is open in ${named.join(', ')}. Close it there (or move it from that app, which lets go of it first), then try again; a holder whose process has ended no longer counts.`,
    'project',
  );
}

/**
 * For a move from another process than the apps (`mm project move`): refused, naming them, while
 * anyone holds the project; then, for a project in PostgreSQL, its lease taken exclusively until
 * the returned release, so an app opening it meanwhile waits for the move instead of reading the
 * copy being left. (A file project has no such wait: an app opening it during the move still
 * reads the files, and its lease shows at the next move.)
 */
export async function holdForMove(
  projectDir: string,
  projectId: string,
  doing: string,
): Promise<() => Promise<void>> {
  await assertNotOpenElsewhere(projectDir, projectId, doing);
  const linked = await linkedPgStore(projectDir);
  if (!linked) return async () => undefined;
  const { Client } = await loadPg();
  const client = new Client({
    ...connectionOf(linked.store.url),
    application_name: `mm-move ${me().who}`.slice(0, 63),
  });
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ ok: boolean }>(
    `SELECT pg_try_advisory_lock(${LEASE_KEY}, ${PROJECT_KEY}) AS ok`,
    [linked.projectId],
  );
  if (!rows[0]?.ok) {
    await client.end().catch(() => undefined);
    // someone opened it since the check above: named now
    await assertNotOpenElsewhere(projectDir, projectId, doing);
    throw new MmError(
      'project-open',
      `Project ${projectId} cannot be ${doing}: another process holds it.`,
      'project',
    );
  }
  // the session's end frees the lock, whatever ends it
  return async () => {
    await client.end().catch(() => undefined);
  };
}
