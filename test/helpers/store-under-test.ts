/**
 * Which project store the suite runs on, and reading or copying a project through whichever
 * store holds it, so a test's assertions are the same on both (issue 15: "the same tests, run
 * twice"). The file store is the default; `test/team/on-postgres.ts` sets MM_STORE=postgres://…
 * and then every project folder without a link of its own keeps its documents and journals in
 * that database (`linkedPgStore`), leaving only the folder on disk.
 */
import { access, cp, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectPartOf } from '../../electron/core/store/document-store';
import { type PgStore, linkedPgStore } from '../../electron/core/store/postgres-store';

/** True when this run keeps projects in PostgreSQL (MM_STORE=postgres://…). */
export const onPgStore = /^postgres(ql)?:/.test(process.env['MM_STORE'] ?? '');

/** The PostgreSQL store and project id serving the project folder `file` sits in, if any. */
async function pgFor(
  file: string,
): Promise<{ store: PgStore; projectId: string; relPath: string } | undefined> {
  const part = projectPartOf(file);
  if (!part) return undefined;
  const linked = await linkedPgStore(part.projectDir);
  return linked ? { store: linked.store, projectId: linked.projectId, relPath: part.relPath } : undefined;
}

/**
 * The document stored as `file` (`<data>/projects/<id>/<rest>.json`), read from whichever store
 * holds it: the JSON file, or its row in `mm_documents`. Throws naming the file when there is none.
 */
export async function readProjectDocument<T = unknown>(file: string): Promise<T> {
  const pg = await pgFor(file);
  if (!pg) return JSON.parse(await readFile(file, 'utf8')) as T;
  const { rows } = await pg.store.query<{ body: T }>(
    'SELECT body FROM mm_documents WHERE project_id = $1 AND path = $2',
    [pg.projectId, pg.relPath],
  );
  const row = rows[0];
  if (!row)
    throw new Error(`no document ${pg.relPath} of project ${pg.projectId} in ${pg.store.url} (for ${file})`);
  return row.body;
}

/**
 * Replaces the document stored as `file` behind the manager's back, as a hand edit of the file
 * would on the file store: the file written, or the row's body replaced under the next revision
 * (so an open handle sees it changed, as a file's changed mtime tells). The row must exist.
 */
export async function writeProjectDocument(file: string, body: unknown): Promise<void> {
  const pg = await pgFor(file);
  if (!pg) return writeFile(file, JSON.stringify(body));
  const { rowCount } = await pg.store.query(
    'UPDATE mm_documents SET body = $3, revision = revision + 1, updated_at = now() WHERE project_id = $1 AND path = $2',
    [pg.projectId, pg.relPath, JSON.stringify(body)],
  );
  if (rowCount !== 1)
    throw new Error(`no document ${pg.relPath} of project ${pg.projectId} in ${pg.store.url} (for ${file})`);
}

/**
 * The text of `file` as the file store would hold it: the file, or on PostgreSQL the document
 * serialised, a log's lines (`mm_journal` rows under the file's path) or a file kept whole
 * (`mm_files`: rehearsal records, batch summaries).
 */
export async function readProjectText(file: string): Promise<string> {
  const pg = await pgFor(file);
  if (!pg) return readFile(file, 'utf8');
  if (pg.relPath.endsWith('.jsonl')) {
    if (!(await hasJournal(file)))
      throw new Error(`no log ${pg.relPath} of project ${pg.projectId} (for ${file})`);
    return readJournalText(file);
  }
  const kept = await pg.store.query<{ body: Buffer }>(
    'SELECT body FROM mm_files WHERE project_id = $1 AND path = $2',
    [pg.projectId, pg.relPath],
  );
  if (kept.rows[0]) return kept.rows[0].body.toString('utf8');
  return JSON.stringify(await readProjectDocument(file));
}

/**
 * The entries of the migration journal kept at `file` (`…/migration/journal.jsonl` or a
 * rehearsal's), in order, from whichever store holds it. A torn last line of a file journal is
 * left out, as the journal itself leaves it out.
 */
export async function readJournalEntries<T = Record<string, unknown>>(file: string): Promise<T[]> {
  const pg = await pgFor(file);
  if (!pg) {
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    const out: T[] = [];
    lines.forEach((l, i) => {
      try {
        out.push(JSON.parse(l) as T);
      } catch (e) {
        if (i !== lines.length - 1) throw new Error(`${file} line ${i + 1} is not JSON`, { cause: e });
      }
    });
    return out;
  }
  const { rows } = await pg.store.query<{ entry: T }>(
    'SELECT entry FROM mm_journal WHERE project_id = $1 AND venue = $2 ORDER BY seq',
    [pg.projectId, pg.relPath],
  );
  return rows.map((r) => r.entry);
}

/**
 * Copies a prepared data dir (`cp -r`) and, on the PostgreSQL store, every project's documents
 * and journal entries too: the copied folders are new folders, so the database knows them under
 * new ids and would otherwise serve them empty. Each run then starts from the same prepared
 * project on either store, and the copies never share rows.
 */
export async function copyDataDir(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  if (!onPgStore) return;
  const projects = join(from, 'projects');
  const names = await readdir(projects, { withFileTypes: true }).catch(() => []);
  for (const e of names) {
    if (!e.isDirectory()) continue;
    const src = await linkedPgStore(join(projects, e.name));
    const dst = await linkedPgStore(join(to, 'projects', e.name));
    if (!src || !dst) continue;
    // a folder with its own link (a project moved to a shared database) is the same project in both copies
    if (src.projectId === dst.projectId) continue;
    await dst.store.tx(async (client) => {
      await client.query(
        `INSERT INTO mm_documents (project_id, path, kind, revision, body, updated_by)
         SELECT $2, path, kind, revision, body, updated_by FROM mm_documents WHERE project_id = $1`,
        [src.projectId, dst.projectId],
      );
      await client.query(
        `INSERT INTO mm_journal (project_id, venue, entry)
         SELECT $2, venue, entry FROM mm_journal WHERE project_id = $1 ORDER BY seq`,
        [src.projectId, dst.projectId],
      );
      await client.query(
        `INSERT INTO mm_files (project_id, path, body, updated_by)
         SELECT $2, path, body, updated_by FROM mm_files WHERE project_id = $1`,
        [src.projectId, dst.projectId],
      );
    });
  }
}

/**
 * Removes a folder of a project (`…/rehearsals`) and, on PostgreSQL, every document, journal,
 * log and kept file stored under it, as `rm -r` removes them from the file store.
 */
export async function removeProjectFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  const pg = await pgFor(join(dir, '_'));
  if (!pg) return;
  const prefix = pg.relPath.slice(0, -1);
  await pg.store.tx(async (client) => {
    await client.query('DELETE FROM mm_documents WHERE project_id = $1 AND starts_with(path, $2)', [
      pg.projectId,
      prefix,
    ]);
    await client.query('DELETE FROM mm_journal WHERE project_id = $1 AND starts_with(venue, $2)', [
      pg.projectId,
      prefix,
    ]);
    await client.query('DELETE FROM mm_files WHERE project_id = $1 AND starts_with(path, $2)', [
      pg.projectId,
      prefix,
    ]);
  });
}

/** Whether a journal is kept at `file` at all: the file exists, or its venue has rows. */
export async function hasJournal(file: string): Promise<boolean> {
  const pg = await pgFor(file);
  if (!pg)
    return access(file).then(
      () => true,
      () => false,
    );
  const { rows } = await pg.store.query(
    'SELECT 1 FROM mm_journal WHERE project_id = $1 AND venue = $2 LIMIT 1',
    [pg.projectId, pg.relPath],
  );
  return rows.length > 0;
}

/** The journal kept at `file` as text, one JSON entry a line, from whichever store holds it. */
export async function readJournalText(file: string): Promise<string> {
  const pg = await pgFor(file);
  if (!pg) return readFile(file, 'utf8');
  return (await readJournalEntries(file)).map((e) => `${JSON.stringify(e)}\n`).join('');
}

/**
 * Follows the journal kept at `file` while another process writes it: each call returns the
 * entries appended since the previous one (a line still being written waits for the next
 * call). Meant to be polled every few milliseconds, to act the moment an entry appears.
 */
export function journalTail<T = Record<string, unknown>>(file: string): () => Promise<T[]> {
  let where: Promise<Awaited<ReturnType<typeof pgFor>>> | undefined;
  let offset = 0;
  let pending = '';
  let lastSeq = '0';
  return async () => {
    where ??= pgFor(file);
    const pg = await where;
    if (pg) {
      const { rows } = await pg.store.query<{ seq: string; entry: T }>(
        'SELECT seq, entry FROM mm_journal WHERE project_id = $1 AND venue = $2 AND seq > $3 ORDER BY seq',
        [pg.projectId, pg.relPath, lastSeq],
      );
      const last = rows[rows.length - 1];
      if (last) lastSeq = last.seq;
      return rows.map((r) => r.entry);
    }
    const size = (await stat(file).catch(() => ({ size: 0 }))).size;
    if (size <= offset) return [];
    const fh = await open(file, 'r');
    const buf = Buffer.alloc(size - offset);
    try {
      await fh.read(buf, 0, buf.length, offset);
    } finally {
      await fh.close();
    }
    offset = size;
    pending += buf.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    return lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return [];
      }
    });
  };
}

/**
 * What the database holds for the projects of a data dir, as [path the file would have under
 * the data dir, bytes]: every document, journal, log and kept file of each project folder. Empty on the file
 * store (the files themselves are the store), so a test that searches a data dir's bytes
 * searches everything the manager stored, on either store.
 */
export async function storedInDatabase(dataDir: string): Promise<[string, Buffer][]> {
  if (!onPgStore) return [];
  const out: [string, Buffer][] = [];
  const projects = join(dataDir, 'projects');
  for (const e of await readdir(projects, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory()) continue;
    const linked = await linkedPgStore(join(projects, e.name));
    if (!linked) continue;
    const docs = await linked.store.query<{ path: string; body: unknown }>(
      'SELECT path, body FROM mm_documents WHERE project_id = $1 ORDER BY path',
      [linked.projectId],
    );
    for (const d of docs.rows)
      out.push([join('projects', e.name, d.path), Buffer.from(JSON.stringify(d.body))]);
    const journals = await linked.store.query<{ venue: string; entries: unknown[] }>(
      'SELECT venue, array_agg(entry ORDER BY seq) AS entries FROM mm_journal WHERE project_id = $1 GROUP BY venue',
      [linked.projectId],
    );
    for (const j of journals.rows)
      out.push([
        join('projects', e.name, j.venue),
        Buffer.from(j.entries.map((x) => `${JSON.stringify(x)}\n`).join('')),
      ]);
    const kept = await linked.store.query<{ path: string; body: Buffer }>(
      'SELECT path, body FROM mm_files WHERE project_id = $1 ORDER BY path',
      [linked.projectId],
    );
    for (const f of kept.rows) out.push([join('projects', e.name, f.path), f.body]);
  }
  return out;
}

/**
 * A mark that changes whenever the document stored as `file` is written: the file's mtime and
 * inode, or the row's revision and time. Two equal marks mean the document was not rewritten.
 */
export async function storedVersion(file: string): Promise<string> {
  const pg = await pgFor(file);
  if (!pg) {
    const s = await stat(file);
    return `${s.ino}:${s.mtimeMs}`;
  }
  const { rows } = await pg.store.query<{ v: string }>(
    `SELECT revision || ':' || updated_at AS v FROM mm_documents WHERE project_id = $1 AND path = $2`,
    [pg.projectId, pg.relPath],
  );
  const row = rows[0];
  if (!row)
    throw new Error(`no document ${pg.relPath} of project ${pg.projectId} in ${pg.store.url} (for ${file})`);
  return row.v;
}

/**
 * The names of the documents stored in the folder `dir` of a project (`…/inventory`), like
 * `readdir` of the folder on the file store; none when there are none.
 */
export async function listProjectDocuments(dir: string): Promise<string[]> {
  const pg = await pgFor(join(dir, '_'));
  if (!pg) return readdir(dir).catch(() => [] as string[]);
  const prefix = pg.relPath.slice(0, -1);
  const { rows } = await pg.store.query<{ path: string }>(
    `SELECT path FROM mm_documents WHERE project_id = $1 AND starts_with(path, $2) ORDER BY path`,
    [pg.projectId, prefix],
  );
  return rows.map((r) => r.path.slice(prefix.length)).filter((name) => !name.includes('/'));
}
