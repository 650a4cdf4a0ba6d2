/**
 * The db check on real databases: a MariaDB and a PostgreSQL as the source's servers (the
 * agent reads them over a real sshd), a second MariaDB and PostgreSQL as the sandbox db
 * node's. After `mm migrate` restored both databases, `mm check` compares every table's row
 * count and checksum — the source's computed by the agent (`--extract=databaseEvidence`), the
 * target's on the db node — and passes; a row deleted on the target, and a row changed with
 * the same count, each fail naming the database and the table.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureDbNode } from '../../electron/sandbox/nodes';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import {
  MY_DB,
  PG_DB,
  type SourceDatabases,
  type TargetDatabases,
  databasesWithSource,
} from '../content/db-env';
import { type PreparedSource, freshRun, mm, parseMigrate } from '../migration/env';

const ROWS = 500;
/** acme's first domain: the linux agent attaches the owner's databases to it. */
const DOMAIN = 'acme-widgets.example';

interface CheckJson {
  results: { domain: string; status: string; checks: { kind: string; status: string; message: string }[] }[];
}

let src: SourceDatabases;
let target: TargetDatabases;
let source: PreparedSource;
let dataDir: string;
let sandbox: RunningSandbox;

beforeAll(async () => {
  // The checks run here by `mm check`, not a second time when the batch ends.
  ({ src, target, source } = await databasesWithSource(ROWS));
  ({ dataDir, sandbox } = await freshRun(source));
  await configureDbNode(sandbox.dataDir, target.config);
  // The domain with both databases: `mm check` checks the migrated domains, this one.
  const run = parseMigrate(await mm(dataDir, ['migrate', '--domains', DOMAIN, '--json']));
  expect(run.failures).toEqual([]);
  expect(run.state).toBe('done');
}, 600_000);

afterAll(async () => {
  await sandbox?.close();
  await source?.stop();
  await src?.stop();
  await target?.stop();
});

/** The db check of whichever domain owns `db` (the message or a difference names it). */
function dbCheck(json: CheckJson, db: string): { domain: string; status: string; message: string } {
  for (const d of json.results) {
    const c = d.checks.find((x) => x.kind === 'db');
    if (c && c.message.includes(db)) return { domain: d.domain, status: c.status, message: c.message };
  }
  const passing = json.results.flatMap((d) =>
    d.checks.filter((x) => x.kind === 'db' && /tables? with/.test(x.message)),
  );
  throw new Error(`no db check names ${db}: ${JSON.stringify(passing)}`);
}

describe('the db check on real MariaDB and PostgreSQL', () => {
  it('passes after the restore, with every table compared', async () => {
    const r = await mm(dataDir, ['check', '--json']);
    const json = JSON.parse(r.stdout) as CheckJson;
    const compared = json.results.flatMap((d) =>
      d.checks.filter(
        (c) => c.kind === 'db' && /tables? with their row counts and checksums match/.test(c.message),
      ),
    );
    // Both restored databases were compared table by table (2 tables each), and passed.
    expect(compared.map((c) => c.status)).toEqual(compared.map(() => 'pass'));
    expect(compared.reduce((n, c) => n + Number(/(\d+) tables?/.exec(c.message)?.[1] ?? 0), 0)).toBe(4);
    expect(json.results.filter((d) => d.checks.some((c) => c.kind === 'db' && c.status === 'fail'))).toEqual(
      [],
    );
    // The databases' users, recreated from their hashes on the db node with the dump (not
    // through POA), exist: no users check fails, and nothing fails at all.
    expect(
      json.results.filter((d) => d.checks.some((c) => c.kind === 'users' && c.status === 'fail')),
    ).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('a row deleted on the target, and a row changed with the same count, fail naming the table', async () => {
    target.maria.sql(`DELETE FROM ${MY_DB}.orders WHERE id = 7;`);
    // As the target server's superuser (the restored table belongs to the customer's role).
    execFileSync(
      'psql',
      [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        '127.0.0.1',
        '-p',
        String(target.pg.port),
        '-U',
        'postgres',
        '-d',
        PG_DB,
        '-c',
        "UPDATE contacts SET name = name || '!' WHERE id = 1",
      ],
      { env: { ...process.env, PGPASSWORD: 'super-secret' }, stdio: 'pipe' },
    );
    const r = await mm(dataDir, ['check', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout) as CheckJson;
    const my = dbCheck(json, `database ${MY_DB} table orders`);
    expect(my.status).toBe('fail');
    expect(my.message).toContain(
      `database ${MY_DB} table orders: ${ROWS} rows on the source, ${ROWS - 1} rows on the target`,
    );
    const pg = dbCheck(json, `database ${PG_DB} table public.contacts`);
    expect(pg.status).toBe('fail');
    expect(pg.message).toContain(
      `database ${PG_DB} table public.contacts: same row count, different content (checksum)`,
    );
  }, 300_000);
});
