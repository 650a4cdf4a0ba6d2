/**
 * A shared project's password from ~/.pgpass (the way README tells CLI users and workers to
 * give it), against a real PostgreSQL that asks for it: `mm` finds it and says nothing else.
 * pg's own ~/.pgpass look-up printed a deprecation warning on stderr at every connection, so
 * every `mm` command of a shared project wrote to stderr (found by the suite on PostgreSQL:
 * `mm target set` printed it); the store now reads ~/.pgpass itself (`passwordFor`).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { runMm } from '../helpers/processes';

describe('the password of a shared project from a pgpass file', () => {
  let pg: Postgres;
  let url: string;
  /** Only the pgpass file: no PGPASSWORD, no store forced on every project. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    pg = await startPostgres({ database: 'mmpgpass', user: 'mm' });
    url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    const passFile = join(await tempDir('mm-pgpass-'), 'pgpass');
    await writeFile(passFile, `127.0.0.1:${pg.port}:${pg.database}:${pg.user}:${pg.password}\n`, {
      mode: 0o600,
    });
    env = { PGPASSFILE: passFile, PGPASSWORD: undefined, MM_STORE: undefined };
  }, 60_000);

  afterAll(async () => pg?.stop());

  it('creates a project on the store and reads it back, with nothing on stderr', async () => {
    const dataDir = await tempDir('mm-pgpass-data-');
    const created = await runMm(
      ['project', 'create', 'Pgpass one', '--store', url, '--data-dir', dataDir],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const listed = await runMm(['project', 'list', '--json', '--data-dir', dataDir], env);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'pgpass-one', name: 'Pgpass one' })]),
    );
    // the rows are there: the password was used, not skipped
    expect(
      pg.psql(
        "SELECT body->>'name' FROM mm_documents WHERE project_id = 'pgpass-one' AND path = 'project.json';",
      ),
    ).toContain('Pgpass one');
  });

  it('a wrong password in the file is refused by the server, naming the user', async () => {
    const passFile = join(await tempDir('mm-pgpass-bad-'), 'pgpass');
    await writeFile(passFile, `127.0.0.1:${pg.port}:${pg.database}:${pg.user}:not-the-password\n`, {
      mode: 0o600,
    });
    const dataDir = await tempDir('mm-pgpass-data-');
    const created = await runMm(['project', 'create', 'Refused one', '--store', url, '--data-dir', dataDir], {
      ...env,
      PGPASSFILE: passFile,
    });
    expect(created.code).not.toBe(0);
    expect(created.stderr).toMatch(/password authentication failed for user "mm"/);
    expect(created.stderr).not.toContain('not-the-password');
  });
});
