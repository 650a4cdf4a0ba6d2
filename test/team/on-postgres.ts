/**
 * Runs test files with every project in PostgreSQL instead of files (issue 15's "the same
 * tests, run twice"): starts a real PostgreSQL (test/helpers/postgres.ts), sets
 * MM_STORE=postgres://… (every project folder without a link of its own is kept in that
 * database, see linkedPgStore) and runs vitest on the files given, then stops the server.
 *
 *   npx tsx test/team/on-postgres.ts test/review/history.test.ts …
 *
 * Tests that read a project's files on disk (the journal's lines, project.json) fail by design
 * under this switch: their project has no such files.
 */
import { spawn } from 'node:child_process';
import { startPostgres } from '../helpers/postgres';
import { REPO_ROOT } from '../helpers/paths';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npx tsx test/team/on-postgres.ts <test file>…');
  process.exit(2);
}
const pg = await startPostgres({ database: 'mmsuite', user: 'mm' });
const code = await new Promise<number>((resolve) => {
  const child = spawn('npx', ['vitest', 'run', ...files], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      MM_STORE: `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`,
      PGPASSWORD: pg.password,
    },
  });
  child.once('close', (c) => resolve(c ?? 1));
});
await pg.stop();
process.exit(code);
