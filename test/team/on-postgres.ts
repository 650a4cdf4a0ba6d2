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
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { REPO_ROOT } from '../helpers/paths';
import { removeTempDirs } from '../helpers/temp-dirs';

const args = process.argv.slice(2);
// test files: the arguments that are neither options nor an option's value (--exclude <glob>)
const files = args.filter(
  (a, i) => !a.startsWith('-') && !/^--(exclude|project|reporter)$/.test(args[i - 1] ?? ''),
);
const vitestArgs = files.length > 0 ? args : ['test/', '--exclude', 'test/team/**', ...args];

/**
 * Lets the suite's user into the suite's database on loopback without a password. Any password
 * this run handed out would meet the tests' own: PGPASSWORD in the environment reached the
 * H-Sphere agent's psql and failed its log-in, and a pgpass file loses to the PGPASSWORD that
 * tests starting a PostgreSQL of their own set process-wide (resume-shared, the workers e2e), so
 * their copies of the prepared project were refused by this server. The server is this run's,
 * in a temp dir, on 127.0.0.1; the password path itself is tested in test/team.
 */
async function trustSuiteUser(pg: Postgres): Promise<void> {
  const data = join(dirname(pg.socketDir), 'data');
  const hba = join(data, 'pg_hba.conf');
  await writeFile(hba, `host ${pg.database} ${pg.user} 127.0.0.1/32 trust\n${await readFile(hba, 'utf8')}`);
  const postmaster = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  process.kill(postmaster, 'SIGHUP');
  // the reload is asynchronous: wait until a log-in without any password is let in
  const env = { ...process.env, PGPASSWORD: undefined, PGPASSFILE: '/dev/null' };
  for (const until = Date.now() + 15_000; ;) {
    const ok = spawnSync(
      'psql',
      [
        '-X',
        '-q',
        '-w',
        '-h',
        '127.0.0.1',
        '-p',
        String(pg.port),
        '-U',
        pg.user,
        '-d',
        pg.database,
        '-c',
        'SELECT 1',
      ],
      { env, stdio: 'ignore' },
    );
    if (ok.status === 0) return;
    if (Date.now() > until)
      throw new Error(`the suite's PostgreSQL did not take ${hba} (psql exited ${ok.status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const started = Date.now();
const pg = await startPostgres({ database: 'mmsuite', user: 'mm' });
await trustSuiteUser(pg);
const code = await new Promise<number>((resolve) => {
  const child = spawn('npx', ['vitest', 'run', ...vitestArgs], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      MM_STORE: `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`,
    },
  });
  child.once('close', (c) => resolve(c ?? 1));
});
await pg.stop();
// no vitest in this process to clean up after it: the server's folder goes now
await removeTempDirs();
console.log(
  `[pg-store] ${files.length > 0 ? files.join(' ') : 'whole suite'}: exit ${code} after ${Math.round((Date.now() - started) / 1000)} s`,
);
process.exit(code);
