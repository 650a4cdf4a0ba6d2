/**
 * The project's files that are neither documents nor logs, kept whole: a rehearsal's record and
 * holdings, the sign-off policy, batch summaries and their pause/cancel controls, the reports a
 * review bundle carried. On a file project each is the file it always was (written atomically:
 * a temporary file renamed over it, same bytes, same mode); on a folder linked to PostgreSQL it
 * is a row of `mm_files` under its relative path, so another engineer's app reads the same
 * record, and each write or removal notifies `mm_changes` inside its transaction.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type PgStore, WRITER, linkedPlaceOf } from './postgres-store';
import { resolvedOnce } from './resolved-once';

export interface FileBlob {
  readonly file: string;
  /** The file's text, or undefined when there is none. */
  read(): Promise<string | undefined>;
  /** Replaces the whole file atomically. */
  write(text: string): Promise<void>;
  remove(): Promise<void>;
}

export interface BlobOptions {
  /** The file's mode (the file store only); 0600 unless given. */
  readonly mode?: number;
}

class LocalBlob implements FileBlob {
  constructor(
    readonly file: string,
    private readonly mode: number,
  ) {}

  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async write(text: string): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    // Unique: two writes of one file at once (a throttled summary and the final one) never share it.
    const tmp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(tmp, text, { mode: this.mode });
    await rename(tmp, this.file);
  }

  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

class PgBlob implements FileBlob {
  constructor(
    private readonly store: PgStore,
    private readonly projectId: string,
    private readonly path: string,
    readonly file: string,
  ) {}

  async read(): Promise<string | undefined> {
    const { rows } = await this.store.query<{ body: Buffer }>(
      'SELECT body FROM mm_files WHERE project_id = $1 AND path = $2',
      [this.projectId, this.path],
    );
    return rows[0]?.body.toString('utf8');
  }

  async write(text: string): Promise<void> {
    await this.store.tx(async (client) => {
      await client.query(
        `INSERT INTO mm_files (project_id, path, body, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (project_id, path) DO UPDATE SET body = EXCLUDED.body, updated_at = now(),
           updated_by = EXCLUDED.updated_by`,
        [this.projectId, this.path, Buffer.from(text, 'utf8'), WRITER],
      );
      await notify(client, this.projectId, this.path);
    });
  }

  async remove(): Promise<void> {
    await this.store.tx(async (client) => {
      const { rowCount } = await client.query('DELETE FROM mm_files WHERE project_id = $1 AND path = $2', [
        this.projectId,
        this.path,
      ]);
      if ((rowCount ?? 0) > 0) await notify(client, this.projectId, this.path);
    });
  }
}

async function notify(
  client: { query(text: string, values: unknown[]): Promise<unknown> },
  projectId: string,
  path: string,
): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [
    'mm_changes',
    JSON.stringify({ t: 'file', p: projectId, path, by: WRITER }),
  ]);
}

/**
 * The file kept at `file` (inside a project folder): a row in the folder's linked database,
 * else the file. Resolved once, at the first use, like the logs (`line-log.ts`).
 */
export function blobAt(file: string, options: BlobOptions = {}): FileBlob {
  const resolve = resolvedOnce(async (): Promise<FileBlob> => {
    const at = await linkedPlaceOf(file);
    if (at) return new PgBlob(at.store, at.projectId, at.relPath, file);
    return new LocalBlob(file, options.mode ?? 0o600);
  });
  return {
    file,
    read: async () => (await resolve()).read(),
    write: async (text) => (await resolve()).write(text),
    remove: async () => (await resolve()).remove(),
  };
}

/**
 * The names directly under `dir` (inside a project folder) that hold a kept file somewhere
 * below them: the folder's entries, or on a linked folder the first path segments of its rows
 * there (a rehearsal's folder is listed by its record, wherever it was written).
 */
export async function namesUnder(dir: string): Promise<string[]> {
  const at = await linkedPlaceOf(`${dir}/.`);
  if (!at) {
    try {
      return await readdir(dir);
    } catch {
      return [];
    }
  }
  const prefix = at.relPath.replace(/\/?\.$/, '');
  const under = prefix === '' ? '' : `${prefix}/`;
  const { rows } = await at.store.query<{ name: string }>(
    `SELECT DISTINCT split_part(substr(path, length($2) + 1), '/', 1) AS name FROM mm_files
     WHERE project_id = $1 AND starts_with(path, $2)`,
    [at.projectId, under],
  );
  return rows.map((r) => r.name).filter((n) => n !== '');
}
