/**
 * The append-only logs of a project folder (the migration log, verification history and
 * changes, sign-offs, a rehearsal's log and would-disable list) behind one port: a `.jsonl` file
 * on a file project, exactly as it was written before (same bytes, same modes), or, on a folder
 * linked to PostgreSQL, rows of `mm_journal` under the file's relative path as venue — a JSON
 * line log is a journal — so two engineers on two machines read the same log. Each append to
 * the database notifies `mm_changes` inside its transaction, like the migration journal's.
 *
 * Readers keep parsing the text as they parsed the file (a line torn by a crash is theirs to
 * skip): the port hands back the log as the file's text, newline-terminated lines.
 */
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MmError } from '../errors';
import { type PgStore, WRITER, linkedPlaceOf } from './postgres-store';
import { KeptAppendFile } from './kept-append-file';
import { resolvedOnce } from './resolved-once';

/**
 * Appends rows (JSON texts, in order) to a venue of `mm_journal` and notifies `mm_changes`, in
 * one statement: a statement is its own transaction, so the notification is still delivered
 * only when the rows are committed, in one round trip instead of four (BEGIN, INSERT, NOTIFY,
 * COMMIT apart each waited for the server to be scheduled again, which on a loaded 2-core
 * machine made a migration batch on PostgreSQL far slower than on files). The migration
 * journal and the logs both append so.
 */
export async function appendRows(
  store: PgStore,
  projectId: string,
  venue: string,
  entries: readonly string[],
): Promise<void> {
  const { text, values } = appendStatement(projectId, venue, entries);
  await store.query(text, values);
}

/** The one statement that appends rows and notifies (appendRows; a replace runs it in its transaction). */
function appendStatement(
  projectId: string,
  venue: string,
  entries: readonly string[],
): { readonly text: string; readonly values: unknown[] } {
  // One text the server splits rather than a json[] parameter: pg encodes an array parameter
  // element by element, which made 50,000 history lines take about four times as long. A JSON
  // line never holds a raw newline (JSON.stringify escapes it); an entry that does (a caller's
  // pretty-printed JSON) keeps the array form.
  const oneText = !entries.some((e) => e.includes('\n'));
  return {
    text: `WITH appended AS (
       INSERT INTO mm_journal (project_id, venue, entry)
       SELECT $1, $2, e::json FROM unnest(${oneText ? "string_to_array($3::text, E'\\n')" : '$3::text[]'})
         WITH ORDINALITY AS t(e, n) ORDER BY n
       RETURNING 1
     )
     SELECT pg_notify('mm_changes', $4) FROM (SELECT count(*) FROM appended) AS c`,
    values: [
      projectId,
      venue,
      oneText ? entries.join('\n') : entries,
      JSON.stringify({ t: 'journal', p: projectId, venue, n: entries.length, by: WRITER }),
    ],
  };
}

export interface ReadOptions {
  /**
   * Only the last n lines are needed: a store may return just those (the database does), the
   * file returns all of them. Callers still take their own slice.
   */
  readonly last?: number;
  /**
   * Only lines whose JSON object holds these top-level values are needed: a store may return
   * just those, the file returns every line. Callers still filter.
   */
  readonly match?: Readonly<Record<string, string>>;
}

export interface LineLog {
  /** The file the log is (or stands for), for messages. */
  readonly file: string;
  /** Appends whole lines (each a JSON text without its newline); resolves once they are stored. */
  append(lines: readonly string[]): Promise<void>;
  /** The log as its file's text (each line newline-terminated), or undefined when there is no log. */
  text(options?: ReadOptions): Promise<string | undefined>;
  /** Removes the whole log (a full verification run folds its changes back in). */
  clear(): Promise<void>;
  /** Lets go of what the log holds open (a kept file's descriptor); a later append opens it again. */
  close(): Promise<void>;
}

export interface LineLogOptions {
  /** The file's mode when the append creates it (the file store only). */
  readonly mode?: number;
  /**
   * The file store only: the file stays open between appends (`kept-append-file.ts`), for a log
   * appended to all the time by one holder (the migration log), which closes it when it lets
   * the log go (a project's release or deletion) — else it closes after `idleCloseMs`.
   * Without it each append opens and closes the file, so a short-lived port holds nothing.
   */
  readonly keepOpen?: boolean;
  /** With keepOpen: ms without an append after which the descriptor is closed. */
  readonly idleCloseMs?: number;
}

/** A `.jsonl` file, written and read exactly as the services did before the port. */
export class FileLineLog implements LineLog {
  readonly #kept: KeptAppendFile | undefined;

  constructor(
    readonly file: string,
    private readonly options: LineLogOptions = {},
  ) {
    if (options.keepOpen)
      this.#kept = new KeptAppendFile(file, {
        ...(options.mode === undefined ? {} : { mode: options.mode }),
        ...(options.idleCloseMs === undefined ? {} : { idleCloseMs: options.idleCloseMs }),
      });
  }

  async append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const text = lines.map((l) => `${l}\n`).join('');
    if (this.#kept) return this.#kept.append(text);
    const options = this.options.mode === undefined ? {} : { mode: this.options.mode };
    // The folder is made only when the append finds it missing: a mkdir before every append
    // (the journal appends per step) cost the migration seconds of CPU per 1x batch.
    try {
      await appendFile(this.file, text, options);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      await appendFile(this.file, text, options);
    }
  }

  async text(): Promise<string | undefined> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async clear(): Promise<void> {
    // The descriptor first: appends after the clear go to a new file, not to the removed one.
    await this.#kept?.close();
    await rm(this.file, { force: true });
  }

  async close(): Promise<void> {
    await this.#kept?.close();
  }
}

/**
 * `\u0000` is valid JSON but jsonb refuses it: a NUL that came from a remote message is kept
 * visible as U+FFFD rather than failing the append. The entries are json since schema 7, which
 * would take it, but queries read them as jsonb (a filter's @>) or as text (->>), which would
 * fail on it. Only escapes not themselves escaped match.
 */
export function jsonbSafe(line: string): string {
  return line.replace(/(^|[^\\])((?:\\\\)*)\\u0000/g, '$1$2\\ufffd');
}

/**
 * A row's entry (its `entry::text`) as the log's line: the text it was appended with (json keeps
 * it, schema 7), so the line is the file's, byte for byte; one appended with newlines in it (a
 * caller's pretty-printed JSON) is made compact, so it stays one line.
 */
export function lineOfEntry(entry: string): string {
  return entry.includes('\n') ? JSON.stringify(JSON.parse(entry)) : entry;
}

/**
 * What separates entries a query joins with string_agg (one text is parsed far faster than an
 * array of 50,000): U+001E is a control character, which no JSON text holds raw (a newline may
 * be in one, between values).
 */
export const ENTRY_SEPARATOR = '\u001e';

/** A venue's entries joined with ENTRY_SEPARATOR (string_agg) as the log's text: a line each. */
export function linesOfEntries(joined: string): string {
  return joined
    .split(ENTRY_SEPARATOR)
    .map((e) => `${lineOfEntry(e)}\n`)
    .join('');
}

/** A log of a folder linked to PostgreSQL: `mm_journal` rows whose venue is the file's path. */
export class PgLineLog implements LineLog {
  constructor(
    private readonly store: PgStore,
    readonly projectId: string,
    readonly venue: string,
    readonly file: string,
  ) {}

  async append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await appendRows(this.store, this.projectId, this.venue, this.#entries(lines));
  }

  /**
   * The whole log replaced by `lines` in one transaction: another reader (or a kill) sees the
   * old log or the new one, never none or a mix.
   */
  async replace(lines: readonly string[]): Promise<void> {
    const entries = this.#entries(lines);
    await this.store.tx(async (client) => {
      await client.query('DELETE FROM mm_journal WHERE project_id = $1 AND venue = $2', [
        this.projectId,
        this.venue,
      ]);
      const { text, values } = appendStatement(this.projectId, this.venue, entries);
      await client.query(text, values);
    });
  }

  /** The lines as rows: each must be JSON (nothing is stored otherwise), NULs made jsonb-safe. */
  #entries(lines: readonly string[]): string[] {
    return lines.map((l, i) => {
      try {
        JSON.parse(l);
      } catch {
        throw new MmError(
          'invalid-input',
          `Line ${i + 1} of an append to ${this.file} is not JSON; nothing was appended.`,
          this.file,
        );
      }
      return jsonbSafe(l);
    });
  }

  async text(options: ReadOptions = {}): Promise<string | undefined> {
    const values: unknown[] = [this.projectId, this.venue];
    let where = 'project_id = $1 AND venue = $2';
    if (options.match) {
      // Containment is jsonb's, and the entry is json (kept as written, schema 7). Cast whole, a
      // filtered read of 60,000 history rows took 100-170 ms against 17-30 ms on the jsonb
      // column, so the longest wanted value's JSON text (likely the rarest: an object's id) is
      // looked for in the entry's text first and only rows holding it are cast (21-40 ms). Every
      // writer here escapes a string alike (JSON.stringify, and jsonb's text the upgrade kept),
      // so a matching entry holds that text.
      values.push(JSON.stringify(options.match));
      const contains = `entry::jsonb @> $${values.length}::jsonb`;
      const rarest = Object.values(options.match)
        .map((v) => JSON.stringify(v))
        .sort((a, b) => b.length - a.length)[0];
      if (rarest === undefined) where += ` AND ${contains}`;
      else {
        values.push(rarest);
        where += ` AND CASE WHEN strpos(entry::text, $${values.length}) > 0 THEN ${contains} ELSE false END`;
      }
    }
    // the entry's text, as it was appended: the file's line, keys in their order
    let sql = `SELECT entry::text AS entry FROM mm_journal WHERE ${where} ORDER BY seq`;
    if (options.last !== undefined) {
      values.push(options.last);
      sql = `SELECT entry::text AS entry FROM (SELECT entry, seq FROM mm_journal WHERE ${where}
             ORDER BY seq DESC LIMIT $${values.length}) AS t ORDER BY seq`;
    }
    const { rows } = await this.store.query<{ entry: string }>(sql, values);
    if (rows.length === 0) {
      // no rows: an empty answer to a filter is an empty log, no rows at all is no log
      if (!options.match && options.last === undefined) return undefined;
      const any = await this.store.query(
        'SELECT 1 FROM mm_journal WHERE project_id = $1 AND venue = $2 LIMIT 1',
        [this.projectId, this.venue],
      );
      return any.rows.length === 0 ? undefined : '';
    }
    return rows.map((r) => `${lineOfEntry(r.entry)}\n`).join('');
  }

  async clear(): Promise<void> {
    await this.store.tx(async (client) => {
      await client.query('DELETE FROM mm_journal WHERE project_id = $1 AND venue = $2', [
        this.projectId,
        this.venue,
      ]);
      await client.query('SELECT pg_notify($1, $2)', [
        'mm_changes',
        JSON.stringify({ t: 'journal', p: this.projectId, venue: this.venue, n: 0, by: WRITER }),
      ]);
    });
  }

  /** Nothing is held open per log (the store's pool is shared). */
  async close(): Promise<void> {}
}

/**
 * The log kept at `file` (inside a project folder): rows in the folder's linked database, else
 * the file. Resolved once, at the first use (`resolved-once.ts`): a service that keeps the port
 * across uses registers with the project's release, which drops it when the project moves.
 */
export function lineLogAt(file: string, options: LineLogOptions = {}): LineLog {
  const resolved = resolvedOnce(
    async (): Promise<LineLog> => (await pgLineLogAt(file)) ?? new FileLineLog(file, options),
  );
  // A close before any use has nothing to let go, and resolves nothing.
  let used = false;
  const resolve = (): Promise<LineLog> => {
    used = true;
    return resolved();
  };
  return {
    file,
    append: async (lines) => (await resolve()).append(lines),
    text: async (o) => (await resolve()).text(o),
    clear: async () => (await resolve()).clear(),
    close: async () => {
      if (used) await (await resolved()).close();
    },
  };
}

/** The database log standing for `file` when its project folder is linked to PostgreSQL. */
export async function pgLineLogAt(file: string): Promise<PgLineLog | undefined> {
  const at = await linkedPlaceOf(file);
  return at ? new PgLineLog(at.store, at.projectId, at.relPath, file) : undefined;
}
