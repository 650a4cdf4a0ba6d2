/**
 * Two engineers' data dirs (A and B) beside a real PostgreSQL, and `mm` as an engineer runs it
 * in either: the set-up of the tests on a shared project's keys (who seals, who is granted).
 * The projects start as files whatever store the suite runs on (MM_STORE is unset) and the
 * database password is found in PGPASSWORD, as on an engineer's machine; both are restored by
 * `stop`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { savePgEnv } from './team-helpers';
import { closeAllPgStores } from '../../electron/core/store/postgres-store';

const run = promisify(execFile);

export interface TwoEngineers {
  readonly pg: Postgres;
  /** The database's address, without the password. */
  readonly url: string;
  readonly dataA: string;
  readonly dataB: string;
  /** `mm <args…>` in `dataDir` (another process); its stdout, or an error naming the command and its stderr. */
  mm(dataDir: string, ...args: string[]): Promise<string>;
  /** Closes this process's PostgreSQL stores, stops the server and restores the environment. */
  stop(): Promise<void>;
}

/** Starts PostgreSQL (`database`, user mm) and makes data dirs `<prefix>a-…` and `<prefix>b-…`. */
export async function twoEngineers(o: {
  readonly database: string;
  readonly prefix: string;
}): Promise<TwoEngineers> {
  const env = savePgEnv();
  delete process.env['MM_STORE'];
  const [pg, dataA, dataB] = await Promise.all([
    startPostgres({ database: o.database, user: 'mm' }),
    tempDir(`${o.prefix}a-`),
    tempDir(`${o.prefix}b-`),
  ]).catch((e: unknown) => {
    env.restore();
    throw e;
  });
  process.env['PGPASSWORD'] = pg.password;

  async function mm(dataDir: string, ...args: string[]): Promise<string> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, PGPASSWORD: pg.password };
    delete childEnv['MM_STORE'];
    try {
      const { stdout } = await run(
        process.execPath,
        ['electron/cli/mm.mjs', '--data-dir', dataDir, ...args],
        {
          cwd: REPO_ROOT,
          env: childEnv,
          timeout: 120_000,
        },
      );
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`mm ${args.join(' ')}: ${err.stderr ?? err.message}`, { cause: e });
    }
  }

  return {
    pg,
    url: `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`,
    dataA,
    dataB,
    mm,
    stop: async () => {
      await closeAllPgStores();
      await pg.stop();
      env.restore();
    },
  };
}
