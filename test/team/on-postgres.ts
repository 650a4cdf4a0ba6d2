/**
 * Runs test files with every project in PostgreSQL instead of files (issue 15's "the same
 * tests, run twice"): starts a real PostgreSQL (test/helpers/postgres.ts), sets
 * MM_STORE=postgres://… (every project folder without a link of its own is kept in that
 * database, see linkedPgStore) and runs vitest on the files given, then stops the server.
 *
 *   npx tsx test/team/on-postgres.ts test/review/history.test.ts …   (those files)
 *   npx tsx test/team/on-postgres.ts                                   (the whole suite: npm run test:pg-store)
 *
 * Without files it runs every suite except test/team: those tests start PostgreSQL servers of
 * their own and move file projects into them, so they run on PostgreSQL in either pass.
 * Arguments starting with "-" go to vitest as they are.
 *
 * Tests read a project's documents and journals through test/helpers/store-under-test.ts, so
 * their assertions hold on both stores; the few about document files themselves (modes, a
 * damaged file, lock files) are marked with fileStoreOnly and skipped here.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startPostgres } from '../helpers/postgres';
import { REPO_ROOT, tempDir } from '../helpers/paths';

const args = process.argv.slice(2);
// test files: the arguments that are neither options nor an option's value (--exclude <glob>)
const files = args.filter(
  (a, i) => !a.startsWith('-') && !/^--(exclude|project|reporter)$/.test(args[i - 1] ?? ''),
);
const vitestArgs = files.length > 0 ? args : ['test/', '--exclude', 'test/team/**', ...args];
const started = Date.now();
const pg = await startPostgres({ database: 'mmsuite', user: 'mm' });
const passFile = join(await tempDir('mm-pgpass-'), 'pgpass');
await writeFile(passFile, `127.0.0.1:${pg.port}:${pg.database}:${pg.user}:${pg.password}\n`, { mode: 0o600 });
const code = await new Promise<number>((resolve) => {
  const child = spawn('npx', ['vitest', 'run', ...vitestArgs], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      MM_STORE: `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`,
      // The password through a pgpass file naming this server only: PGPASSWORD would also reach
      // the tests' own PostgreSQL clients (the H-Sphere agent's psql) and fail their log-ins.
      PGPASSFILE: passFile,
    },
  });
  child.once('close', (c) => resolve(c ?? 1));
});
await pg.stop();
console.log(
  `[pg-store] ${files.length > 0 ? files.join(' ') : 'whole suite'}: exit ${code} after ${Math.round((Date.now() - started) / 1000)} s`,
);
process.exit(code);
