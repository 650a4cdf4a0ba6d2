/**
 * Moving a project folder into a PostgreSQL database (`mm project move`, `mm project create
 * --store`), and opening a shared project from another data dir (`mm project attach`).
 *
 * A move copies the whole folder into the database in one transaction: every document (a JSON
 * file with a schemaVersion) into `mm_documents`; every append-only log (`*.jsonl`: the
 * migration journals, the migration log, verification history and changes, sign-offs, a
 * rehearsal's log, content resume logs) into `mm_journal` under its path; every other file (a
 * rehearsal's record and holdings, the sign-off policy, batch summaries and controls, reports)
 * whole into `mm_files`. Then it writes the folder's link and sets the moved files aside in
 * `.moved-to-postgres/<time>/` (kept, never read again). The copy is read back and compared
 * with the folder before the link is written (`project-transfer.ts`, which also moves between
 * databases and back to files); a failure or a kill before the link leaves the project a file
 * project as it was. Secrets are not moved: they stay in the data
 * dir's sealed secret store, so the database only ever holds what the files held (sealed
 * inventory values stay sealed).
 *
 * What stays on the machine, by nature (`perMachine`): the link itself, the review-copy marker,
 * lock files (a shared project's batches lock in the database), temporary files of a write in
 * progress, the file store's backups of older document versions, a running rehearsal's
 * throwaway sandbox, and the files set aside by an earlier move.
 */
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { PoolClient } from 'pg';
import { MmError } from '../errors';
import { REVIEW_MARKER } from './document-file';
import { jsonbSafe } from './line-log';
import { LINK_FILE, parseStoreUrl, readLink, writeLink } from './postgres-link';
import { WRITER, pgStoreFor } from './postgres-store';
import { moveProject } from './project-transfer';

const ASIDE = '.moved-to-postgres';

/** Files of a project folder that belong to this machine, never to the shared project (see above). */
export function perMachine(rel: string): boolean {
  return (
    rel === LINK_FILE ||
    rel === REVIEW_MARKER ||
    rel.startsWith(`${ASIDE}/`) ||
    /(^|\/)[^/]+\.lock(\/|$)/.test(rel) ||
    rel.endsWith('.tmp') ||
    /\.v\d+\.bak$/.test(rel) ||
    /^rehearsals\/[^/]+\/sandbox\//.test(rel)
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === ASIDE) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

export interface Found {
  readonly docs: { readonly rel: string; readonly file: string; readonly body: Record<string, unknown> }[];
  /**
   * Append-only logs, the migration journals among them: one entry a line, parsed (`entries`)
   * and as its text in the file (`lines`), which is what the row keeps.
   */
  readonly journals: {
    readonly rel: string;
    readonly file: string;
    readonly entries: unknown[];
    readonly lines: string[];
  }[];
  /** Every other file, kept whole. */
  readonly files: { readonly rel: string; readonly file: string; readonly body: Buffer }[];
}

/** The lines of a `.jsonl` file as entries; a torn last line (never acknowledged) is left out. */
function entriesOf(file: string, text: string): { entries: unknown[]; lines: string[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const entries: unknown[] = [];
  const kept: string[] = [];
  lines.forEach((l, i) => {
    try {
      entries.push(JSON.parse(l));
      kept.push(l);
    } catch {
      // Only the last line may be torn (a crash mid-append); anything else is damage.
      if (i !== lines.length - 1)
        throw new MmError(
          'store-corrupt',
          `The log ${file} is damaged at line ${i + 1} (not JSON); nothing was moved. Repair or remove that line.`,
          file,
        );
    }
  });
  return { entries, lines: kept };
}

/** Everything of a project folder the shared project keeps: its documents, logs and other files. */
export async function collectProjectFiles(projectDir: string): Promise<Found> {
  const docs: Found['docs'][number][] = [];
  const journals: Found['journals'][number][] = [];
  const files: Found['files'][number][] = [];
  for (const file of await filesUnder(projectDir)) {
    const rel = relative(projectDir, file).replace(/\\/g, '/');
    if (perMachine(rel)) continue;
    if (rel.endsWith('.jsonl')) {
      journals.push({ rel, file, ...entriesOf(file, await readFile(file, 'utf8')) });
      continue;
    }
    const bytes = await readFile(file);
    if (rel.endsWith('.json')) {
      let body: unknown;
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new MmError(
          'store-corrupt',
          `${file} is not valid JSON; repair or remove it before moving the project.`,
          file,
        );
      }
      const isDoc =
        typeof body === 'object' &&
        body !== null &&
        !Array.isArray(body) &&
        typeof (body as Record<string, unknown>)['schemaVersion'] === 'number';
      if (isDoc) {
        docs.push({ rel, file, body: body as Record<string, unknown> });
        continue;
      }
    }
    files.push({ rel, file, body: bytes });
  }
  return { docs, journals, files };
}

/** Inserts collected documents (revision 1), log entries (in their order) and files as the project's rows. */
export async function insertCollected(client: PoolClient, projectId: string, found: Found): Promise<void> {
  for (const d of found.docs) {
    await client.query(
      `INSERT INTO mm_documents (project_id, path, kind, revision, body, updated_by) VALUES ($1, $2, $3, 1, $4, $5)`,
      [projectId, d.rel, d.rel.replace(/\.json$/, ''), JSON.stringify(d.body), WRITER],
    );
  }
  for (const j of found.journals) {
    if (j.entries.length === 0) continue;
    // One text the server splits, not a json[] parameter: 50,000 lines go in about a quarter
    // of the time (0.65 s against 2.9 s, measured under load); a line holds no newline. Each row
    // keeps the line's text (json, schema 7): read back, it is the file's line, keys in order.
    await client.query(
      `INSERT INTO mm_journal (project_id, venue, entry)
       SELECT $1, $2, l::json FROM unnest(string_to_array($3, E'\\n')) WITH ORDINALITY AS t(l, n) ORDER BY n`,
      [projectId, j.rel, j.lines.map((l) => jsonbSafe(l)).join('\n')],
    );
  }
  for (const f of found.files) {
    await client.query(
      `INSERT INTO mm_files (project_id, path, body, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (project_id, path) DO UPDATE SET body = EXCLUDED.body, updated_at = now(),
         updated_by = EXCLUDED.updated_by`,
      [projectId, f.rel, f.body, WRITER],
    );
  }
}

export interface MoveResult {
  readonly projectId: string;
  readonly store: string;
  readonly documents: number;
  /** Rows of the journals and logs */
  readonly journalEntries: number;
  /** Files kept whole (rehearsal records, summaries, reports…) */
  readonly files: number;
  readonly setAside: string;
}

/** Moves a file project into the database at `rawUrl` (no password in it: PGPASSWORD or ~/.pgpass). */
export async function moveProjectToPostgres(
  projectDir: string,
  projectId: string,
  rawUrl: string,
): Promise<MoveResult> {
  const url = parseStoreUrl(rawUrl).toString();
  if (await readLink(projectDir))
    throw new MmError(
      'invalid-state',
      `Project ${projectId} is already shared on PostgreSQL (${join(projectDir, LINK_FILE)}).`,
      'project',
    );
  // the move itself (copy, read back and compare, then switch) is the one between any two stores
  const moved = await moveProject(projectDir, projectId, { kind: 'postgres', url });
  return {
    projectId,
    store: url,
    documents: moved.documents,
    journalEntries: moved.journalEntries,
    files: moved.files,
    // a folder MM_STORE kept in a database had no files to set aside: its rows were moved
    setAside: moved.setAside ?? '',
  };
}

/** Opens a shared project in this data dir: a folder with only the link. */
export async function attachSharedProject(
  projectsDir: string,
  projectId: string,
  rawUrl: string,
): Promise<string> {
  const url = parseStoreUrl(rawUrl).toString();
  if (!/^[\p{L}\p{N}][\p{L}\p{N}-]*$/u.test(projectId))
    throw new MmError('invalid-input', `"${projectId}" is not a project id.`, 'project');
  const projectDir = join(projectsDir, projectId);
  const exists = await stat(projectDir).then(
    () => true,
    () => false,
  );
  if (exists)
    throw new MmError(
      'project-exists',
      `This data dir has a project "${projectId}" already (${projectDir}).`,
      'project',
    );
  const { rows } = await pgStoreFor(url).query(
    `SELECT 1 FROM mm_documents WHERE project_id = $1 AND path = 'project.json'`,
    [projectId],
  );
  if (rows.length === 0)
    throw new MmError('project-not-found', `The database ${url} holds no project "${projectId}".`, 'project');
  await mkdir(projectDir, { recursive: true, mode: 0o700 });
  await writeLink(projectDir, { schemaVersion: 1, store: 'postgres', url, projectId });
  return projectDir;
}
