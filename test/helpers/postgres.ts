/**
 * A real PostgreSQL server (Debian's `postgresql` package) for the tests: a data directory
 * made here, 127.0.0.1 on a free port, a unix socket in the same temporary folder, a password
 * user, stopped by its own process id. As root, initdb and postgres run as the `postgres`
 * user (they refuse to run as root).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { freePort, onFreePort } from './sshd';
import { tempDir } from './paths';
import { stoppedAtEnd } from './temp-dirs';

export interface Postgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** the unix socket directory */
  readonly socketDir: string;
  readonly pid: number;
  /** runs SQL through psql as the test user (ON_ERROR_STOP) and returns its stdout */
  psql(sql: string, database?: string): string;
  stop(): Promise<void>;
}

/** The directory of the server binaries: /usr/lib/postgresql/<highest version>/bin. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    const v = versions[0];
    if (v !== undefined) return join(base, v, 'bin');
  }
  return '/usr/local/bin';
}

function asServerUser(cmd: string, args: readonly string[]): [string, string[]] {
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
  return [cmd, [...args]];
}

async function waitReady(
  socketDir: string,
  port: number,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log()}`);
    try {
      execFileSync('pg_isready', ['-q', '-h', socketDir, '-p', String(port)], { stdio: 'ignore' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`postgres did not become ready: ${log()}`);
}

export interface PostgresOptions {
  database?: string;
  user?: string;
  password?: string;
  /** more databases on the same server, owned by the same user (a move between databases) */
  moreDatabases?: readonly string[];
}

/** A PostgreSQL of its own for the test (a new port if the one picked was taken meanwhile). */
export function startPostgres(opts: PostgresOptions = {}): Promise<Postgres> {
  return onFreePort(() => startPostgresOnce(opts));
}

async function startPostgresOnce(opts: PostgresOptions): Promise<Postgres> {
  const bin = postgresBinDir();
  const dir = await tempDir('mm-pg-');
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(data);
  mkdirSync(socketDir);
  const database = opts.database ?? 'hsphere';
  const user = opts.user ?? 'wwwuser';
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2)}'"$;`;
  const pwFile = join(dir, 'superpw');
  writeFileSync(pwFile, 'super-secret\n');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chmodSync(dir, 0o755);
    for (const p of [data, socketDir, pwFile]) chownSync(p, uid, gid);
  }
  const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--pwfile',
    pwFile,
    '-A',
    'scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const [cmd, args] = asServerUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-k',
    socketDir,
    '-c',
    'fsync=off',
    '-c',
    'logging_collector=off',
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let log = '';
  // one UTF-8 stream: a character split across two chunks stays whole
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (log += d));
  await waitReady(socketDir, port, child, () => log);

  const superEnv = { ...process.env, PGPASSWORD: 'super-secret' };
  const superPsql = (sql: string, db = 'postgres'): string =>
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
        String(port),
        '-U',
        'postgres',
        '-d',
        db,
      ],
      { input: sql, env: superEnv, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
    );
  const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  superPsql(
    `CREATE ROLE ${user} LOGIN PASSWORD ${lit(password)};\nCREATE DATABASE ${database} OWNER ${user};\n${(
      opts.moreDatabases ?? []
    )
      .map((d) => `CREATE DATABASE ${d} OWNER ${user};\n`)
      .join('')}`,
  );

  const userEnv = { ...process.env, PGPASSWORD: password };
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    database,
    socketDir,
    pid: child.pid ?? -1,
    psql: (sql: string, db = database): string =>
      execFileSync(
        'psql',
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db],
        { input: sql, env: userEnv, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
      ),
    stop: stoppedAtEnd(
      () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
            return resolve();
          child.once('exit', () => resolve());
          // the postmaster's own pid (first line of postmaster.pid); SIGINT = fast shutdown
          let pid = child.pid;
          try {
            const first = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0];
            if (first && /^\d+$/.test(first)) pid = Number(first);
          } catch {
            // not written: signal the child we started
          }
          process.kill(pid, 'SIGINT');
        }),
    ),
  };
}
