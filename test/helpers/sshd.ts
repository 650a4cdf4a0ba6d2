/**
 * A real OpenSSH server on 127.0.0.1 for the tests: a free port, a host key and a client key
 * made here, stopped by its own process id. Root logs in with the key; when running as root each
 * sshd gets a password user of its own (password-user.ts: a shared one had its password reset by
 * every other sshd started, so two runs side by side failed each other's password logins).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { hostKeyFingerprint } from '../../electron/core/agent/host-key';
import { type SshConnection, type SshTarget, connectSsh } from '../../electron/core/agent/ssh-transport';
import { makePasswordUser } from './password-user';
import { tempDir } from './paths';
import { stopChild } from './stop-child';
import { stoppedAtEnd } from './temp-dirs';

export interface Sshd {
  readonly port: number;
  readonly dir: string;
  readonly user: string;
  readonly clientKey: string;
  readonly clientKeyPath: string;
  readonly hostFingerprint: string;
  readonly passwordUser?: { readonly name: string; readonly password: string };
  /** The listening sshd's own process id. */
  readonly pid: number;
  /**
   * Sends a signal to the per-connection processes of THIS sshd only (every descendant of its
   * listening process, found by parent id), leaving the listener running. SIGKILL drops the live
   * sessions; SIGSTOP freezes them (no answer to keepalives), SIGCONT resumes them.
   */
  signalSessions(signal: NodeJS.Signals): number[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server on a port from freePort, again on another port (three tries) when the port was
 * taken before the server bound it: between freePort closing its probe and the server's bind,
 * the kernel may hand the same port to anything else, an outgoing connection included (seen with
 * several database servers starting at once beside the suite's SSH and HTTP traffic).
 */
export async function onFreePort<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (e) {
      const taken = /Address already in use|could not bind|Bind on TCP\/IP port/i.test(String(e));
      if (!taken || attempt >= 3) throw e;
    }
  }
}

export async function startSshd(
  options: {
    keyType?: 'ed25519' | 'rsa';
    passphrase?: string;
    /**
     * A folder of its own for an sshd that outlives the test file starting it (the run's shared
     * source, test/migration/shared-source.ts): started in a process group of its own, its log in
     * a file (no pipe to a worker that ends), no password user, not stopped when the file ends;
     * its listener's pid is written to `listener.pid` there for the run's teardown.
     */
    lastingIn?: string;
  } = {},
): Promise<Sshd> {
  const lasting = options.lastingIn;
  const dir = lasting ?? (await tempDir('mm-sshd-'));
  const hostKey = join(dir, 'host_key');
  const clientKeyPath = join(dir, 'client_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    options.keyType ?? 'ed25519',
    '-N',
    options.passphrase ?? '',
    '-f',
    clientKeyPath,
  ]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${clientKeyPath}.pub`));
  const passwordUser = lasting ? undefined : makePasswordUser();
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      `PasswordAuthentication ${passwordUser ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      // bash run by sshd sources ~/.bashrc unless it is a nested shell (SHLVL ≥ 1). This
      // machine's root .bashrc runs `pyenv init`, whose rehash lock, left behind by a session a
      // test killed, made every later command wait 60 s: the agents need none of it.
      'SetEnv SHLVL=1',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  execFileSync('mkdir', ['-p', '/run/sshd']);
  const log = join(dir, 'sshd.log');
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', lasting ? openSync(log, 'a') : 'pipe'],
    detached: lasting !== undefined,
  });
  let stderr = '';
  // one UTF-8 stream: a character split across two chunks stays whole
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr += d));
  const said = (): string => (lasting ? readFileSync(log, 'utf8') : stderr);
  try {
    await waitForPort(port, child, said);
  } catch (e) {
    child.kill('SIGKILL');
    passwordUser?.remove();
    throw e;
  }
  if (lasting) {
    child.unref();
    await writeFile(join(dir, 'listener.pid'), `${child.pid}\n`);
  }
  const pub = (await readFile(`${hostKey}.pub`, 'utf8')).split(' ')[1] ?? '';
  return {
    port,
    dir,
    user: userInfo().username,
    clientKey: await readFile(clientKeyPath, 'utf8'),
    clientKeyPath,
    hostFingerprint: hostKeyFingerprint(Buffer.from(pub, 'base64')),
    ...(passwordUser ? { passwordUser: { name: passwordUser.name, password: passwordUser.password } } : {}),
    pid: child.pid ?? -1,
    signalSessions: (signal) => {
      if (child.pid === undefined || child.exitCode !== null) return [];
      const pids = descendants(child.pid);
      for (const pid of pids) {
        try {
          process.kill(pid, signal);
        } catch {
          // already gone
        }
      }
      return pids;
    },
    stop: lasting
      ? async () => stopChild(child)
      : stoppedAtEnd(async () => {
          try {
            await stopChild(child);
          } finally {
            passwordUser?.remove();
          }
        }),
  };
}

/** What a client needs of a test sshd to log in: where it listens, its user and key, its host key. */
export type SshdLogin = Pick<Sshd, 'port' | 'user' | 'clientKey' | 'hostFingerprint'>;

/**
 * The app's SSH transport's target for a test sshd: its own user with its client key, the host
 * key pinned to the one the sshd was started with, so no test trusts a key by accident. `over`
 * changes what a test is about (another user or password, a host-key mode, keepalives, a port).
 */
export function sshdTarget(sshd: SshdLogin, over: Partial<SshTarget> = {}): SshTarget {
  return {
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    credentials: { privateKey: sshd.clientKey },
    hostKey: { mode: 'pinned', fingerprint: sshd.hostFingerprint },
    ...over,
  };
}

/** A connection through the app's SSH transport to a test sshd (see sshdTarget). */
export function connectTo(sshd: SshdLogin, over: Partial<SshTarget> = {}): Promise<SshConnection> {
  return connectSsh(sshdTarget(sshd, over));
}

/** A test sshd as the app's source server reaches it: the connection and the credentials. */
export interface SshdSource {
  readonly connection: {
    readonly type: 'ssh';
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly hostKeyFingerprint?: string;
  };
  readonly credentials: { readonly privateKey: string };
}

/**
 * A source server's connection to a test sshd (for core.servers.add), logged in with its client
 * key, its host key pinned to the real one unless `pin` names another (or null: not pinned yet).
 */
export function sshdSource(sshd: SshdLogin, pin: string | null = sshd.hostFingerprint): SshdSource {
  return {
    connection: {
      type: 'ssh',
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      ...(pin === null ? {} : { hostKeyFingerprint: pin }),
    },
    credentials: { privateKey: sshd.clientKey },
  };
}

/** Every descendant of `pid`, children before grandchildren, by walking parent ids with ps. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    let out = '';
    try {
      out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' });
    } catch {
      // ps exits 1 when the process has no children
    }
    for (const word of out.split(/\s+/)) {
      const child = Number(word);
      if (word !== '' && Number.isInteger(child) && child > 0) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sshd did not listen on ${port}: ${stderr()}`);
}
