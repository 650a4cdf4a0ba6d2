/**
 * The PostgreSQL store's schema, versioned like the file store's documents: `mm_schema` records
 * every version applied; a process applies the missing ones in one transaction under an
 * advisory lock (two processes starting together never apply one twice), and refuses a
 * database written by a newer Migration Manager instead of guessing at its tables.
 *
 * Documents are one json table (`mm_documents`), not a table per kind: every kind is already a
 * versioned JSON document with its own migrations and shape check (`DocumentSpec`), and keeping
 * them whole keeps one copy of those rules for both stores. A row is one document; its
 * `revision` orders the changes and its `updated_by` says who made the last one. The journal is
 * a table of its own (`mm_journal`, one row per entry, json like the documents since schema 7),
 * because it is appended to, never rewritten, and is read in order; so are the project's other
 * append-only logs (the migration log, verification history, sign-offs), under their file's
 * path. Files that are neither (a rehearsal's record, a report, a batch summary) are kept whole
 * in `mm_files`.
 */
import type { PoolClient } from 'pg';
import { MmError } from '../errors';

/** migrations[n - 1] brings the database from version n - 1 to n. */
export const SCHEMA_MIGRATIONS: readonly string[] = [
  // 1: documents and the migration journal
  `CREATE TABLE mm_documents (
     project_id text NOT NULL,
     path text NOT NULL,
     kind text NOT NULL,
     revision bigint NOT NULL,
     body jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by text NOT NULL,
     PRIMARY KEY (project_id, path)
   );
   CREATE TABLE mm_journal (
     project_id text NOT NULL,
     venue text NOT NULL,
     seq bigserial NOT NULL,
     entry jsonb NOT NULL,
     at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (project_id, venue, seq)
   );`,
  // 2: workers and the work units of batches spread over them
  `CREATE TABLE mm_workers (
     worker_id text PRIMARY KEY,
     project_id text NOT NULL,
     host text NOT NULL,
     pid integer NOT NULL,
     concurrency integer NOT NULL,
     servers text[] NOT NULL,
     started_at timestamptz NOT NULL DEFAULT now(),
     seen_at timestamptz NOT NULL DEFAULT now(),
     stopped_at timestamptz,
     units_done integer NOT NULL DEFAULT 0,
     steps_done integer NOT NULL DEFAULT 0
   );
   CREATE TABLE mm_units (
     project_id text NOT NULL,
     job_id text NOT NULL,
     unit text NOT NULL,
     server_id text NOT NULL,
     accounts text[] NOT NULL,
     domains integer NOT NULL,
     state text NOT NULL,
     worker_id text,
     attempts integer NOT NULL DEFAULT 0,
     steps_done integer NOT NULL DEFAULT 0,
     started_at timestamptz,
     finished_at timestamptz,
     message text,
     PRIMARY KEY (project_id, job_id, unit)
   );`,
  // 3: a batch's latest state is looked up often (workers ask between steps whether to pause)
  `CREATE INDEX mm_journal_jobs ON mm_journal (project_id, venue, (entry->'job'->>'jobId'), seq)
     WHERE entry->>'t' = 'job';`,
  // 4: the project's other files, kept whole (rehearsal records, reports, batch summaries and
  // controls: store/file-blob.ts); its append-only logs are journals (venue = their path)
  `CREATE TABLE mm_files (
     project_id text NOT NULL,
     path text NOT NULL,
     body bytea NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by text NOT NULL,
     PRIMARY KEY (project_id, path)
   );`,
  // 5: the project's credentials shared between engineers (secrets/project-key.ts): the project
  // key sealed per engineer's public key, and the secrets sealed with the project key; neither
  // table ever holds a plain key or a plain secret
  `CREATE TABLE mm_project_keys (
     project_id text NOT NULL,
     engineer_fingerprint text NOT NULL,
     name text NOT NULL,
     public_key text NOT NULL,
     key_id text NOT NULL,
     sealed_key text NOT NULL,
     added_by text NOT NULL,
     added_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (project_id, engineer_fingerprint)
   );
   CREATE TABLE mm_secrets (
     project_id text NOT NULL,
     name text NOT NULL,
     key_id text NOT NULL,
     sealed text NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by text NOT NULL,
     PRIMARY KEY (project_id, name)
   );`,
  // 6: documents keep their text as written (json, not jsonb). jsonb stores an object's keys in
  // its own order (shorter keys first), so a document read back from the database differed from
  // the same document read from its file in every JSON text made of it: verification's stamp,
  // the plan's fingerprint a sign-off names, the comparison that keeps unchanged results. Whole
  // documents are only ever written and read whole, so jsonb's operators bought nothing here.
  `ALTER TABLE mm_documents ALTER COLUMN body TYPE json USING body::json;`,
  // 7: journal and log entries keep their text as written too (json, not jsonb), for 6's reason:
  // a verification-changes row read back with its keys reordered was a changed result to the next
  // run (compared as JSON text), so it was stored again. A row written as jsonb keeps jsonb's key
  // order (the written order is gone) and gets the compact text JSON.stringify writes: jsonb's
  // text has a space after every ',' and ':' between values. Most rows lose them by a plain
  // replace, kept when it left the value as it was (no string held ", " or ": "; removing a
  // space never makes JSON invalid); the others by a regexp that matches each string whole and
  // puts it back (60,000 rows: 0.5 s this way, 1.4 s all by regexp, 0.13 s left spaced; load 10).
  // json has -> and ->> too, so the batch index is rebuilt on json and the queries stay;
  // containment (@>) casts the entry to jsonb. But ->> on json parses the entry's text, so a
  // worker's unit reading its steps (pg-journal.ts, loadSteps) scanned a 100,000-entry journal
  // in 250-400 ms against 35-80 ms on jsonb: the steps are indexed now (0.4 ms).
  String.raw`ALTER TABLE mm_journal ALTER COLUMN entry TYPE json USING (
     CASE WHEN replace(replace(entry::text, ', ', ','), ': ', ':')::jsonb = entry::jsonb
       THEN replace(replace(entry::text, ', ', ','), ': ', ':')
       ELSE regexp_replace(entry::text, '("(?:[^"\\]|\\.)*")|([,:]) ', '\1\2', 'g')
     END)::json;
   CREATE INDEX mm_journal_steps ON mm_journal (project_id, venue, (entry->>'step'))
     WHERE entry->>'step' IS NOT NULL;`,
];

export const SCHEMA_VERSION = SCHEMA_MIGRATIONS.length;

/** An arbitrary constant: the advisory lock every migrator takes. */
const MIGRATION_LOCK = 7_514_015;

/** Applies the missing schema versions; refuses a newer database. */
export async function migrateSchema(client: PoolClient, by: string, where: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS mm_schema (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now(),
         applied_by text NOT NULL
       )`,
    );
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM mm_schema');
    const current = rows[0]?.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new MmError(
        'store-too-new',
        `The project database ${where} was written by a newer Migration Manager (schema ${current}, this one knows up to ${SCHEMA_VERSION}). Update Migration Manager to use it.`,
        where,
      );
    }
    for (let v = current + 1; v <= SCHEMA_VERSION; v++) {
      await client.query(SCHEMA_MIGRATIONS[v - 1] as string);
      await client.query('INSERT INTO mm_schema (version, applied_by) VALUES ($1, $2)', [v, by]);
    }
    await client.query('COMMIT');
    return current;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
