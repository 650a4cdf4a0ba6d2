/**
 * A project folder's files as whole files, for the code that handles a project as a set of
 * files (review bundles): on a folder served from PostgreSQL the documents, journals and logs,
 * and the other files (rehearsal records, reports, summaries) are rows, so they are read from
 * there as the text their files would hold, and files written into such a folder are taken into
 * the database the way `mm project move` takes them.
 * A file project has nothing here: both functions leave it to its files.
 */
import { rm } from 'node:fs/promises';
import { ENTRY_SEPARATOR, linesOfEntries } from './line-log';
import { collectProjectFiles, insertCollected } from './postgres-move';
import { linkedPgStore } from './postgres-store';

/**
 * Everything a folder keeps in PostgreSQL, by relative path, as the text of the file each stands
 * for (a document's JSON, a journal's or log's lines, a kept file's bytes); undefined for a file
 * project.
 */
export async function storedProjectFiles(projectDir: string): Promise<Map<string, string> | undefined> {
  const linked = await linkedPgStore(projectDir);
  if (!linked) return undefined;
  const out = new Map<string, string>();
  const docs = await linked.store.query<{ path: string; body: unknown }>(
    'SELECT path, body FROM mm_documents WHERE project_id = $1',
    [linked.projectId],
  );
  for (const d of docs.rows) out.set(d.path, JSON.stringify(d.body));
  // each entry's text as appended (json, schema 7): the log's lines as its file held them
  const journals = await linked.store.query<{ venue: string; entries: string }>(
    `SELECT venue, string_agg(entry::text, $2 ORDER BY seq) AS entries FROM mm_journal
      WHERE project_id = $1 GROUP BY venue`,
    [linked.projectId, ENTRY_SEPARATOR],
  );
  for (const j of journals.rows) out.set(j.venue, linesOfEntries(j.entries));
  const files = await linked.store.query<{ path: string; body: Buffer }>(
    'SELECT path, body FROM mm_files WHERE project_id = $1',
    [linked.projectId],
  );
  for (const f of files.rows) out.set(f.path, f.body.toString('utf8'));
  return out;
}

/**
 * Takes the documents, logs and other files just written into a folder served from PostgreSQL
 * (a review copy opened while every project lives in the database) into its rows, in one
 * transaction, and removes those files; a file project keeps its files.
 */
export async function adoptWrittenFiles(projectDir: string): Promise<void> {
  const linked = await linkedPgStore(projectDir);
  if (!linked) return;
  const found = await collectProjectFiles(projectDir);
  await linked.store.tx((client) => insertCollected(client, linked.projectId, found));
  for (const f of [...found.docs, ...found.journals, ...found.files]) await rm(f.file, { force: true });
}
