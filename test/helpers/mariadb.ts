/**
 * A real MariaDB server (Debian's `mariadb-server` package) for the tests: a data directory made
 * here by mariadb-install-db, 127.0.0.1 on a free port plus a unix socket in the same temporary
 * folder, root with a password, stopped by its own process id. As root, the server drops to the
 * `mysql` user (`--user=mysql`), which owns the data and socket folders. stop() removes the folder.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { freePort, onFreePort } from './sshd';
import { tempDir } from './paths';
import { stoppedAtEnd } from './temp-dirs';

export interface MariaDb {
  readonly host: string;
  readonly port: number;
  /** the unix socket */
  readonly socket: string;
  /** an administrator (root) with a password, allowed from localhost and 127.0.0.1 */
  readonly user: string;
  readonly password: string;
  /** the server's own process id */
  readonly pid: number;
  /** runs SQL through the mariadb client as the administrator (over TCP) and returns its stdout */
  sql(sql: string, database?: string): string;
  stop(): Promise<void>;
}

function bin(names: readonly string[]): string {
  for (const n of names) {
    for (const d of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
      if (existsSync(join(d, n))) return join(d, n);
    }
  }
  return names[0] ?? '';
}

export function mariadbServerBinary(): string {
  return bin(['mariadbd', 'mysqld']);
}

async function waitReady(socket: string, child: ChildProcess, log: () => string): Promise<void> {
  const admin = bin(['mariadb-admin', 'mysqladmin']);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}: ${log()}`);
    try {
      execFileSync(admin, ['--no-defaults', '-uroot', `--socket=${socket}`, 'ping'], { stdio: 'ignore' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`mariadbd did not become ready: ${log()}`);
}

/** A MariaDB of its own for the test (a new port if the one picked was taken meanwhile). */
export function startMariaDb(): Promise<MariaDb> {
  return onFreePort(startMariaDbOnce);
}

async function startMariaDbOnce(): Promise<MariaDb> {
  const dir = await tempDir('mm-mariadb-');
  const data = join(dir, 'data');
  const run = join(dir, 'run');
  mkdirSync(data);
  mkdirSync(run);
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ['--user=mysql'] : [];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'mysql'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'mysql'], { encoding: 'utf8' }).trim());
    chmodSync(dir, 0o755);
    for (const p of [data, run]) chownSync(p, uid, gid);
  }
  execFileSync(
    bin(['mariadb-install-db', 'mysql_install_db']),
    [
      '--no-defaults',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      `--datadir=${data}`,
      ...userArgs,
    ],
    { stdio: 'pipe' },
  );
  const port = await freePort();
  const socket = join(run, 'sock');
  const pidFile = join(run, 'mariadbd.pid');
  const child = spawn(
    mariadbServerBinary(),
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-networking=0',
      `--pid-file=${pidFile}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=8M',
      '--innodb-flush-log-at-trx-commit=0',
      ...userArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: false },
  );
  let log = '';
  // one UTF-8 stream: a character split across two chunks stays whole
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (log += d));
  await waitReady(socket, child, () => log);

  const user = 'root';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const lit = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  // root over the socket has no password yet: give it one, and drop the other root accounts
  execFileSync(bin(['mariadb', 'mysql']), ['--no-defaults', '-uroot', `--socket=${socket}`], {
    input: [
      `DROP USER IF EXISTS 'root'@'::1', 'root'@${lit(hostname())};`,
      `ALTER USER 'root'@'localhost' IDENTIFIED BY ${lit(password)};`,
      `ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY ${lit(password)};`,
      'FLUSH PRIVILEGES;',
    ].join('\n'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  return {
    host: '127.0.0.1',
    port,
    socket,
    user,
    password,
    pid: child.pid ?? -1,
    sql: (sql: string, database?: string): string =>
      execFileSync(
        bin(['mariadb', 'mysql']),
        [
          '--no-defaults',
          '--protocol=TCP',
          '-h',
          '127.0.0.1',
          '-P',
          String(port),
          `-u${user}`,
          `--password=${password}`,
          '--batch',
          '--skip-column-names',
          ...(database === undefined ? [] : [database]),
        ],
        { input: sql, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
      ),
    stop: stoppedAtEnd(
      () =>
        new Promise<void>((resolve) => {
          // its data (some 26 MB) goes with it
          const done = (): void => {
            rmSync(dir, { recursive: true, force: true });
            resolve();
          };
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return done();
          child.once('exit', done);
          // the server's own pid (its pid file, else the child we started); SIGTERM = clean shutdown
          let pid = child.pid;
          try {
            const first = readFileSync(pidFile, 'utf8').trim();
            if (/^\d+$/.test(first)) pid = Number(first);
          } catch {
            // not written: signal the child we started
          }
          process.kill(pid, 'SIGTERM');
        }),
    ),
  };
}
