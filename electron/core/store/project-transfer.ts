/**
 * Moving a project between stores (issue 15): files → PostgreSQL, one PostgreSQL database →
 * another (a local one to the team's server), and PostgreSQL → files (`mm project move --store
 * files`). The project stays whole where it was until the target was read back complete:
 *
 * 1. read: the source's parts (in one snapshot for a database);
 * 2. copied: the target holds them in one transaction, with a pending mark (`PENDING`) that says
 *    "a move that has not been verified": a later move to the same database finds it and clears
 *    those rows first, instead of refusing a project that never was there;
 * 3. verified: the target read back — per part (documents, journal and log rows, kept files,
 *    sealed project keys, sealed secrets, work units, workers) a count and a SHA-256 of the
 *    content, compared with the source's; a difference removes the copy and fails the move;
 * 4. switched: the folder's link now names the target (one rename, or the link removed for a
 *    move to files) — the one step that makes the move happen;
 * 5. the source's copy goes: a database's rows are deleted (`keepSource` keeps them), files are
 *    set aside in `.moved-to-postgres/<time>/` as a move into PostgreSQL always did.
 *
 * A kill before 4 leaves the project where it was, whole (the target holds a pending copy that
 * the next move clears); after 4 it is whole at the target (the source keeps a copy). Sealed
 * keys and secrets are copied between databases as they are, never opened: they are bound to the
 * project's id there, which a move between databases keeps. Back to files, the data dir must
 * hold the project key (`beforeUnlink` brings the credentials under its master key).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { PoolClient } from 'pg';
import { MmError } from '../errors';
import { ENTRY_SEPARATOR, jsonbSafe, linesOfEntries } from './line-log';
import { LINK_FILE, parseStoreUrl, readLink, writeLink } from './postgres-link';
import { type Found, collectProjectFiles, insertCollected, perMachine } from './postgres-move';
import { type PgStore, WRITER, linkedPgStore, pgStoreFor } from './postgres-store';

/** The kept-file row that marks a copy not yet verified (never a file a project writes). */
export const PENDING = '.mm-move-pending';
const ASIDE = '.moved-to-postgres';

export type StoreTarget = { readonly kind: 'files' } | { readonly kind: 'postgres'; readonly url: string };

export type TransferPhase = 'read' | 'copied' | 'verified' | 'switched' | 'cleaned';

export interface TransferOptions {
  /** Keep the source database's rows after the move (default: removed once the target is verified). */
  readonly keepSource?: boolean;
  /** Told as each phase ends (the CLI says it on stderr). */
  readonly onPhase?: (phase: TransferPhase) => void;
  /**
   * A move to files, before the link goes: the project's credentials into the data dir, and the
   * staged files (the folder given) re-sealed where they hold values in the shared form.
   */
  readonly beforeUnlink?: (staged: string) => Promise<void>;
}

export interface PartCheck {
  readonly count: number;
  readonly sha256: string;
}

export interface TransferResult {
  readonly projectId: string;
  /** 'files' or the source database's address */
  readonly from: string;
  /** 'files' or the target database's address */
  readonly to: string;
  readonly documents: number;
  readonly journalEntries: number;
  readonly files: number;
  /** the counts and hashes compared, per part, equal on both sides */
  readonly verified: Readonly<Record<string, PartCheck>>;
  /** what became of the source's copy */
  readonly source: 'set-aside' | 'removed' | 'kept';
  /** where a file project's files were set aside */
  readonly setAside?: string;
}

type Place =
  | { readonly kind: 'files' }
  | {
      readonly kind: 'postgres';
      readonly store: PgStore;
      readonly url: string;
      readonly projectId: string;
      /** the folder has a link (else MM_STORE keeps every folder without one in the database) */
      readonly linked: boolean;
    };

/** Where the project of a folder lives now. */
async function placeOf(projectDir: string): Promise<Place> {
  const link = await readLink(projectDir);
  const found = await linkedPgStore(projectDir);
  if (!found) return { kind: 'files' };
  return {
    kind: 'postgres',
    store: found.store,
    url: found.store.url,
    projectId: found.projectId,
    linked: link !== undefined,
  };
}

/**
 * The tables a project's rows live in, with the order that makes their hash stable. The
 * journal's `seq` is the target's own (its sequence), so it is left out of the content and
 * only its order kept.
 */
const TABLES: readonly { readonly table: string; readonly part: string; readonly order: string }[] = [
  { table: 'mm_documents', part: 'documents', order: 'path' },
  { table: 'mm_journal', part: 'journal', order: 'venue, seq' },
  { table: 'mm_files', part: 'files', order: 'path' },
  { table: 'mm_project_keys', part: 'keys', order: 'engineer_fingerprint' },
  { table: 'mm_secrets', part: 'secrets', order: 'name' },
  { table: 'mm_units', part: 'units', order: 'job_id, unit' },
  { table: 'mm_workers', part: 'workers', order: 'worker_id' },
];

/**
 * A row's content as JSON text, without the project's id (it may differ) or the journal's
 * sequence number. Built with json_build_object, not to_jsonb: a document's body is a `json`
 * column (schema 6) whose text — key order included — is what stamps and fingerprints hash, and
 * jsonb would reorder its keys on the way to the other database.
 */
const rowJson = (cols: readonly string[]): string =>
  `json_build_object(${cols.map((c) => `'${c.replace(/'/g, "''")}', t."${c.replace(/"/g, '""')}"`).join(', ')})`;
/** The pending mark is the move's, not the project's. */
const notPending = (table: string): string => (table === 'mm_files' ? ` AND path <> '${PENDING}'` : '');

/** Count and SHA-256 of every part, as one database holds the project (UTC, so two servers agree). */
async function partChecks(client: PoolClient, projectId: string): Promise<Record<string, PartCheck>> {
  await client.query(`SET LOCAL TimeZone = 'UTC'`);
  const out: Record<string, PartCheck> = {};
  for (const { table, part, order } of TABLES) {
    const row = rowJson(await columnsOf(client, table));
    const { rows } = await client.query<{ n: number; h: string }>(
      `SELECT count(*)::int AS n,
              encode(sha256(convert_to(coalesce(string_agg(${row}::text, E'\\n' ORDER BY ${order}), ''), 'UTF8')), 'hex') AS h
         FROM ${table} t WHERE project_id = $1${notPending(table)}`,
      [projectId],
    );
    out[part] = { count: rows[0]?.n ?? 0, sha256: rows[0]?.h ?? '' };
  }
  return out;
}

/** Every row of the project, per table, as JSON text (never parsed: numbers and bytes stay exact). */
async function readRows(client: PoolClient, projectId: string): Promise<Map<string, string[]>> {
  await client.query(`SET LOCAL TimeZone = 'UTC'`);
  const out = new Map<string, string[]>();
  for (const { table, order } of TABLES) {
    const row = rowJson(await columnsOf(client, table));
    const { rows } = await client.query<{ r: string }>(
      `SELECT ${row}::text AS r FROM ${table} t WHERE project_id = $1${notPending(table)} ORDER BY ${order}`,
      [projectId],
    );
    out.set(
      table,
      rows.map((x) => x.r),
    );
  }
  return out;
}

/** The columns a row is put back with (the project's id given, the journal's sequence its own). */
async function columnsOf(client: PoolClient, table: string): Promise<string[]> {
  const { rows } = await client.query<{ c: string }>(
    `SELECT column_name AS c FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND column_name NOT IN ('project_id', 'seq')
      ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => r.c);
}

/** Inserts rows read by `readRows` under `projectId`, in their order, in pieces of about 16 MB. */
async function insertRows(client: PoolClient, projectId: string, rows: Map<string, string[]>): Promise<void> {
  for (const { table } of TABLES) {
    const all = rows.get(table) ?? [];
    if (all.length === 0) continue;
    const cols = await columnsOf(client, table);
    const list = cols.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ');
    const picked = cols.map((c) => `r."${c.replace(/"/g, '""')}"`).join(', ');
    let piece: string[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      if (piece.length === 0) return;
      await client.query(
        `INSERT INTO ${table} (project_id, ${list})
         SELECT $1, ${picked} FROM json_array_elements($2::json) WITH ORDINALITY AS e(v, n),
              LATERAL json_populate_record(NULL::${table}, e.v) AS r ORDER BY e.n`,
        [projectId, `[${piece.join(',')}]`],
      );
      piece = [];
      size = 0;
    };
    for (const r of all) {
      piece.push(r);
      size += r.length;
      if (size > 16_000_000) await flush();
    }
    await flush();
  }
}

/** Removes every row of a project from a database (the source after a move, or a pending copy). */
async function deleteRows(client: PoolClient, projectId: string): Promise<void> {
  for (const { table } of TABLES)
    await client.query(`DELETE FROM ${table} WHERE project_id = $1`, [projectId]);
}

/**
 * Makes room in the target: a copy a killed move left (it has the pending mark) is cleared; a
 * project that is really there refuses the move.
 */
async function clearPending(client: PoolClient, url: string, projectId: string): Promise<void> {
  // two moves into one database at once never clear each other's copy
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('mm-project-move'), hashtext($1))`, [projectId]);
  const { rows } = await client.query<{ pending: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM mm_files WHERE project_id = $1 AND path = '${PENDING}') AS pending
      WHERE EXISTS (SELECT 1 FROM mm_documents WHERE project_id = $1)
         OR EXISTS (SELECT 1 FROM mm_files WHERE project_id = $1)
         OR EXISTS (SELECT 1 FROM mm_journal WHERE project_id = $1)`,
    [projectId],
  );
  const row = rows[0];
  if (!row) return;
  if (!row.pending)
    throw new MmError(
      'project-exists',
      `The database ${url} already holds a project "${projectId}": open it with "mm project attach ${projectId} --store ${url}" instead.`,
      '--store',
    );
  await deleteRows(client, projectId);
}

async function markPending(client: PoolClient, projectId: string, from: string): Promise<void> {
  await client.query(`INSERT INTO mm_files (project_id, path, body, updated_by) VALUES ($1, $2, $3, $4)`, [
    projectId,
    PENDING,
    Buffer.from(JSON.stringify({ from, by: WRITER, at: new Date().toISOString() })),
    WRITER,
  ]);
}

async function clearMark(store: PgStore, projectId: string): Promise<void> {
  await store.query(`DELETE FROM mm_files WHERE project_id = $1 AND path = '${PENDING}'`, [projectId]);
}

async function assertNoUnitsRunning(store: PgStore, projectId: string): Promise<void> {
  const { rows } = await store.query<{ job: string; n: number }>(
    `SELECT job_id AS job, count(*)::int AS n FROM mm_units
      WHERE project_id = $1 AND state IN ('queued', 'running', 'paused') GROUP BY job_id`,
    [projectId],
  );
  if (rows.length > 0)
    throw new MmError(
      'busy',
      `Project ${projectId} cannot be moved while workers have unfinished units (${rows.map((r) => `batch ${r.job.slice(0, 8)}: ${r.n}`).join(', ')}): let the batch finish, or cancel it with "mm workers cancel", then try again.`,
      'project',
    );
}

// ---- digests of a project as files (a move from or to files) ----

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with every object's keys sorted: jsonb keeps keys in its own order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** One part's check from its items (key → content), in key order. */
function check(items: [string, string][]): PartCheck {
  const h = createHash('sha256');
  for (const [k, v] of items.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${k}\0${v}\n`);
  return { count: items.length, sha256: h.digest('hex') };
}

/** What a files → database move must find in the database: from the folder as collected. */
function checksOfCollected(found: Found): Record<string, PartCheck> {
  return {
    documents: check(found.docs.map((d) => [d.rel, canonical(d.body)])),
    // each row must hold its line's text exactly (json, schema 7), not only the same value
    journal: check(
      found.journals.flatMap((j) =>
        j.lines.map((l, i): [string, string] => [`${j.rel}\0${String(i).padStart(12, '0')}`, jsonbSafe(l)]),
      ),
    ),
    files: check(found.files.map((f) => [f.rel, sha(f.body)])),
  };
}

/** The same checks, of what the database holds for the project now. */
async function checksOfRows(store: PgStore, projectId: string): Promise<Record<string, PartCheck>> {
  const docs = await store.query<{ path: string; body: string }>(
    'SELECT path, body::text AS body FROM mm_documents WHERE project_id = $1',
    [projectId],
  );
  const journal = await store.query<{ venue: string; entry: string; n: string }>(
    `SELECT venue, entry::text AS entry, (row_number() OVER (PARTITION BY venue ORDER BY seq) - 1)::text AS n
       FROM mm_journal WHERE project_id = $1`,
    [projectId],
  );
  const files = await store.query<{ path: string; body: Buffer }>(
    `SELECT path, body FROM mm_files WHERE project_id = $1 AND path <> '${PENDING}'`,
    [projectId],
  );
  return {
    documents: check(docs.rows.map((d) => [d.path, canonical(JSON.parse(d.body))])),
    journal: check(journal.rows.map((j) => [`${j.venue}\0${j.n.padStart(12, '0')}`, j.entry])),
    files: check(files.rows.map((f) => [f.path, sha(f.body)])),
  };
}

function assertSame(
  what: string,
  expected: Record<string, PartCheck>,
  found: Record<string, PartCheck>,
): void {
  const differ = Object.keys(expected).filter(
    (p) => expected[p]?.count !== found[p]?.count || expected[p]?.sha256 !== found[p]?.sha256,
  );
  if (differ.length > 0)
    throw new MmError(
      'move-verify-failed',
      `The copy in ${what} does not match the project it was copied from (${differ
        .map((p) => `${p}: ${expected[p]?.count ?? 0} expected, ${found[p]?.count ?? 0} found`)
        .join('; ')}); it was removed and the project left where it was.`,
      '--store',
    );
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === ASIDE) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** Moves the folder's own files (not what belongs to this machine) into `to`. */
async function setAside(projectDir: string, rels: readonly string[], to: string): Promise<void> {
  for (const rel of rels) {
    const dest = join(to, rel);
    await mkdir(dirname(dest), { recursive: true, mode: 0o700 });
    await rename(join(projectDir, rel), dest);
  }
}

/** Project files lying in a folder served from a database: left by an interrupted move to files. */
async function strayFiles(projectDir: string): Promise<string[]> {
  return (await filesUnder(projectDir))
    .map((f) => relative(projectDir, f).replace(/\\/g, '/'))
    .filter((rel) => !perMachine(rel));
}

// ---- the three moves ----

async function filesToPostgres(
  projectDir: string,
  localId: string,
  url: string,
  opts: TransferOptions,
): Promise<TransferResult> {
  const store = pgStoreFor(url);
  const found = await collectProjectFiles(projectDir);
  const expected = checksOfCollected(found);
  opts.onPhase?.('read');
  await store.tx(async (client) => {
    await clearPending(client, url, localId);
    await insertCollected(client, localId, found);
    await markPending(client, localId, 'files');
  });
  opts.onPhase?.('copied');
  try {
    assertSame(url, expected, await checksOfRows(store, localId));
  } catch (e) {
    await store.tx((client) => deleteRows(client, localId)).catch(() => undefined);
    throw e;
  }
  opts.onPhase?.('verified');
  await writeLink(projectDir, { schemaVersion: 1, store: 'postgres', url, projectId: localId });
  opts.onPhase?.('switched');
  await clearMark(store, localId);
  const aside = join(projectDir, ASIDE, stamp());
  await setAside(
    projectDir,
    [...found.docs, ...found.journals, ...found.files].map((f) => f.rel),
    aside,
  );
  opts.onPhase?.('cleaned');
  return {
    projectId: localId,
    from: 'files',
    to: url,
    documents: found.docs.length,
    journalEntries: found.journals.reduce((n, j) => n + j.entries.length, 0),
    files: found.files.length,
    verified: expected,
    source: 'set-aside',
    setAside: aside,
  };
}

async function postgresToPostgres(
  projectDir: string,
  from: Extract<Place, { kind: 'postgres' }>,
  localId: string,
  url: string,
  opts: TransferOptions,
): Promise<TransferResult> {
  // sealed keys and secrets are bound to the project's id: a shared project keeps its id
  const targetId = from.linked ? from.projectId : localId;
  await assertNoUnitsRunning(from.store, from.projectId);
  const { rows, checks } = await readSnapshot(from.store, from.projectId);
  if (targetId !== from.projectId && (checks['keys']?.count ?? 0) + (checks['secrets']?.count ?? 0) > 0)
    throw new MmError(
      'invalid-state',
      `Project ${localId} has sealed keys or secrets under the id ${from.projectId}, which would not open under ${targetId}; nothing was moved.`,
      'project',
    );
  opts.onPhase?.('read');
  const target = pgStoreFor(url);
  await target.tx(async (client) => {
    await clearPending(client, url, targetId);
    await insertRows(client, targetId, rows);
    await markPending(client, targetId, from.url);
  });
  opts.onPhase?.('copied');
  try {
    const found = await target.tx((client) => partChecks(client, targetId));
    assertSame(url, checks, found);
  } catch (e) {
    await target.tx((client) => deleteRows(client, targetId)).catch(() => undefined);
    throw e;
  }
  opts.onPhase?.('verified');
  await writeLink(projectDir, { schemaVersion: 1, store: 'postgres', url, projectId: targetId });
  opts.onPhase?.('switched');
  await clearMark(target, targetId);
  if (!opts.keepSource) await from.store.tx((client) => deleteRows(client, from.projectId));
  opts.onPhase?.('cleaned');
  return {
    projectId: localId,
    from: from.url,
    to: url,
    documents: checks['documents']?.count ?? 0,
    journalEntries: checks['journal']?.count ?? 0,
    files: checks['files']?.count ?? 0,
    verified: checks,
    source: opts.keepSource ? 'kept' : 'removed',
  };
}

/** The project's rows and their checks from one snapshot of the source database. */
async function readSnapshot(
  store: PgStore,
  projectId: string,
): Promise<{ rows: Map<string, string[]>; checks: Record<string, PartCheck> }> {
  await store.ready();
  const client = await store.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const rows = await readRows(client, projectId);
    const checks = await partChecks(client, projectId);
    await client.query('COMMIT');
    return { rows, checks };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** A database's project as the files its folder held (documents, logs, kept files). */
async function asFiles(store: PgStore, projectId: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const docs = await store.query<{ path: string; body: string }>(
    'SELECT path, body::text AS body FROM mm_documents WHERE project_id = $1',
    [projectId],
  );
  // as the file store writes a document: compact JSON
  for (const d of docs.rows) out.set(d.path, Buffer.from(JSON.stringify(JSON.parse(d.body))));
  // as the log's file held it: each entry's text as appended (json, schema 7), a line each
  const logs = await store.query<{ venue: string; entries: string }>(
    `SELECT venue, string_agg(entry::text, $2 ORDER BY seq) AS entries FROM mm_journal
      WHERE project_id = $1 GROUP BY venue`,
    [projectId, ENTRY_SEPARATOR],
  );
  for (const l of logs.rows) out.set(l.venue, Buffer.from(linesOfEntries(l.entries)));
  const files = await store.query<{ path: string; body: Buffer }>(
    `SELECT path, body FROM mm_files WHERE project_id = $1 AND path <> '${PENDING}'`,
    [projectId],
  );
  for (const f of files.rows) out.set(f.path, f.body);
  return out;
}

/** A path from the database that is safe to write under the project folder. */
function safeRel(rel: string): string {
  if (
    rel === '' ||
    rel.startsWith('/') ||
    rel.split('/').some((p) => p === '..' || p === '' || p === '.') ||
    perMachine(rel)
  )
    throw new MmError(
      'store-corrupt',
      `The project's database holds a file named "${rel}", which is not a path inside a project folder; nothing was moved.`,
      rel,
    );
  return rel;
}

async function postgresToFiles(
  projectDir: string,
  from: Extract<Place, { kind: 'postgres' }>,
  localId: string,
  opts: TransferOptions,
): Promise<TransferResult> {
  if (!from.linked)
    throw new MmError(
      'invalid-state',
      `Project ${localId} has no store link: MM_STORE keeps every such folder in ${from.url}, so it cannot be moved to files while MM_STORE is set.`,
      '--store',
    );
  await assertNoUnitsRunning(from.store, from.projectId);
  const wanted = await asFiles(from.store, from.projectId);
  const expected = check([...wanted].map(([rel, body]) => [safeRel(rel), sha(body)]));
  opts.onPhase?.('read');
  // written beside the folder's files, read back, then put in place; what a killed move to
  // files staged before is only a copy of these rows
  for (const e of await readdir(join(projectDir, ASIDE)).catch(() => [] as string[]))
    if (e.startsWith('to-files-')) await rm(join(projectDir, ASIDE, e), { recursive: true, force: true });
  const staging = join(projectDir, ASIDE, `to-files-${stamp()}`);
  for (const [rel, body] of wanted) {
    const file = join(staging, rel);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, body, { mode: 0o600 });
  }
  opts.onPhase?.('copied');
  const written = await filesUnder(staging);
  const back = check(
    await Promise.all(
      written.map(async (f): Promise<[string, string]> => [
        relative(staging, f).replace(/\\/g, '/'),
        sha(await readFile(f)),
      ]),
    ),
  );
  try {
    assertSame(projectDir, { files: expected }, { files: back });
    opts.onPhase?.('verified');
    // the secrets brought under this data dir's key (the staged copy changes only there)
    await opts.beforeUnlink?.(staging);
    // and every document and log parses as the file store will read it
    await collectProjectFiles(staging);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  // files an interrupted move to files left behind are set aside, not mixed in
  const stray = await strayFiles(projectDir);
  if (stray.length > 0) await setAside(projectDir, stray, join(projectDir, ASIDE, `${stamp()}-stray`));
  await setAside(staging, [...wanted.keys()], projectDir);
  await rm(staging, { recursive: true, force: true });
  await unlink(join(projectDir, LINK_FILE));
  opts.onPhase?.('switched');
  if (!opts.keepSource) await from.store.tx((client) => deleteRows(client, from.projectId));
  opts.onPhase?.('cleaned');
  const docs = [...wanted.keys()].filter((r) => r.endsWith('.json')).length;
  return {
    projectId: localId,
    from: from.url,
    to: 'files',
    documents: docs,
    journalEntries: [...wanted]
      .filter(([r]) => r.endsWith('.jsonl'))
      .reduce(
        (n, [, b]) =>
          n +
          b
            .toString('utf8')
            .split('\n')
            .filter((l) => l !== '').length,
        0,
      ),
    files: wanted.size - docs - [...wanted.keys()].filter((r) => r.endsWith('.jsonl')).length,
    verified: { files: expected },
    source: opts.keepSource ? 'kept' : 'removed',
  };
}

/** `--store files` or a postgres:// address, checked; names what is wrong. */
export function storeTarget(raw: string, where = '--store'): StoreTarget {
  if (raw.trim() === 'files') return { kind: 'files' };
  return { kind: 'postgres', url: parseStoreUrl(raw, where).toString() };
}

/** Moves the project of a folder to `to`, whole or not at all (see the top of this file). */
export async function moveProject(
  projectDir: string,
  localId: string,
  to: StoreTarget,
  opts: TransferOptions = {},
): Promise<TransferResult> {
  const from = await placeOf(projectDir);
  // a move killed just after its switch left its mark on the copy this folder now uses: verified
  if (from.kind === 'postgres' && from.linked) await clearMark(from.store, from.projectId);
  if (to.kind === 'files') {
    if (from.kind === 'files')
      throw new MmError(
        'invalid-state',
        `Project ${localId} is kept in files already: there is nothing to move.`,
        '--store',
      );
    return postgresToFiles(projectDir, from, localId, opts);
  }
  if (from.kind === 'files') return filesToPostgres(projectDir, localId, to.url, opts);
  if (from.url === to.url && from.linked)
    throw new MmError(
      'invalid-state',
      `Project ${localId} is kept in ${to.url} already: there is nothing to move.`,
      '--store',
    );
  return postgresToPostgres(projectDir, from, localId, to.url, opts);
}
