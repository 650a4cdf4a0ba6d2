/**
 * The SSH transport (ssh2): password, private key (with passphrase) or keyboard-interactive;
 * keepalive; connect and command timeouts; cancellation; the host key checked against its pin
 * before any credential or command is sent.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { MmError } from '../errors';
import { type HostKeyPolicy, checkHostKey, hostKeyFingerprint } from './host-key';
import { shellCommand } from './shell-quote';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
  type ExecOptions,
  type ExecResult,
  type Transport,
} from './transport';

/** The agent's stderr is one line of message; more than this is cut (in bytes). */
const MAX_STDERR_BYTES = 64 * 1024;

export interface SshCredentials {
  readonly password?: string;
  readonly privateKey?: string;
  readonly passphrase?: string;
}

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly credentials: SshCredentials;
  readonly hostKey: HostKeyPolicy;
  readonly connectTimeoutMs?: number;
  /** Keepalive probes: every intervalMs, the connection counts as lost after countMax unanswered. */
  readonly keepalive?: { readonly intervalMs: number; readonly countMax: number };
  readonly signal?: AbortSignal;
}

export interface SshConnection extends Transport {
  /** The fingerprint the server presented (to pin it after trust on first use). */
  readonly hostKeyFingerprint: string;
}

export async function connectSsh(target: SshTarget): Promise<SshConnection> {
  const where = `${target.user}@${target.host}:${target.port}`;
  // loaded on first use, not at start: ssh2 loads many files and tests a key as it loads
  // (about 0.1 s of CPU on every `mm` command, most of which reach no server)
  const { default: ssh2 } = await import('ssh2');
  const client = new ssh2.Client();
  let presented = '';
  let refusal: MmError | undefined;

  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: target.connectTimeoutMs ?? 20_000,
    keepaliveInterval: target.keepalive?.intervalMs ?? 15_000,
    keepaliveCountMax: target.keepalive?.countMax ?? 4,
    tryKeyboard: target.credentials.password !== undefined,
    hostVerifier: (key: Buffer) => {
      presented = hostKeyFingerprint(key);
      try {
        checkHostKey(target.hostKey, presented, where);
        return true;
      } catch (e) {
        refusal = e as MmError;
        return false;
      }
    },
    ...(target.credentials.password !== undefined ? { password: target.credentials.password } : {}),
    ...(target.credentials.privateKey !== undefined ? { privateKey: target.credentials.privateKey } : {}),
    ...(target.credentials.passphrase !== undefined ? { passphrase: target.credentials.passphrase } : {}),
  };

  // Keyboard-interactive servers ask for the password in a prompt; answer every prompt with it.
  client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => {
    finish(prompts.map(() => target.credentials.password ?? ''));
  });

  // One permanent 'error' listener for the client's whole life: an EventEmitter 'error' without
  // a listener throws, and ssh2 reports a keepalive timeout or a reset long after connecting.
  // During the handshake an error rejects the connect; afterwards it marks the connection lost,
  // so the next command fails with a clear message instead of crashing the process.
  let ready = false;
  let closedByUs = false;
  let lost: MmError | undefined;
  let failConnect: ((e: MmError) => void) | undefined;
  const markLost = (reason: string): void => {
    lost ??= closedByUs
      ? new MmError('ssh-connection-closed', `The SSH connection to ${where} was closed.`, where)
      : new MmError(
          'ssh-connection-lost',
          `The SSH connection to ${where} was lost (${reason}); connect again to continue.`,
          where,
        );
  };
  client.on('error', (e: Error & { level?: string; code?: string }) => {
    if (!ready) failConnect?.(refusal ?? describeSshError(e, where, target.user));
    else markLost(e.level === 'client-timeout' ? 'no answer to keepalive probes' : e.message);
  });
  client.on('end', () => {
    if (ready) markLost('the server ended the connection');
  });
  client.on('close', () => {
    if (ready) markLost('the connection closed');
  });

  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      client.end();
      reject(new MmError('cancelled', `Connecting to ${where} was cancelled.`, where));
    };
    target.signal?.addEventListener('abort', onAbort, { once: true });
    failConnect = (e) => {
      target.signal?.removeEventListener('abort', onAbort);
      reject(e);
    };
    client.once('ready', () => {
      ready = true;
      target.signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    try {
      client.connect(config);
    } catch (e) {
      failConnect(describeConfigError(e as Error, where));
    }
  });
  failConnect = undefined;

  /** Throws when the connection is gone (lost or closed), before anything is attempted on it. */
  const alive = (): void => {
    if (lost) throw lost;
  };

  let sftpSession: Promise<SFTPWrapper> | undefined;
  const sftp = (): Promise<SFTPWrapper> => {
    alive();
    sftpSession ??= new Promise((resolve, reject) => {
      try {
        client.sftp((e, s) =>
          e
            ? reject(
                lost ??
                  new MmError('sftp-unavailable', `SFTP is not available on ${where}: ${e.message}`, where),
              )
            : resolve(s),
        );
      } catch (e) {
        markLost((e as Error).message);
        reject(lost);
      }
    });
    return sftpSession;
  };

  return {
    label: `ssh ${where}`,
    hostKeyFingerprint: presented,
    exec: async (argv, options) => {
      alive();
      return execOverSsh(client, shellCommand(argv), where, options ?? {}, () => lost, markLost);
    },
    async upload(localPath, remotePath, onProgress) {
      const s = await sftp();
      const size = (await stat(localPath)).size;
      await new Promise<void>((resolve, reject) => {
        const out = s.createWriteStream(remotePath, { mode: 0o644 });
        let done = 0;
        const input = createReadStream(localPath, { highWaterMark: 256 * 1024 });
        input.on('data', (chunk) => {
          done += chunk.length;
          onProgress?.(done, size);
        });
        input.on('error', reject);
        out.on('error', (e: Error) =>
          reject(
            lost ??
              new MmError('sftp-failed', `Cannot write ${remotePath} on ${where}: ${e.message}`, remotePath),
          ),
        );
        // A write stream also closes when the connection drops under it: that is no success.
        out.on('close', () => (lost ? reject(lost) : resolve()));
        input.pipe(out);
      });
    },
    async download(remotePath, localPath, onProgress, signal) {
      const s = await sftp();
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted)
          return reject(new MmError('cancelled', 'The transfer was cancelled.', remotePath));
        s.fastGet(
          remotePath,
          localPath,
          {
            concurrency: 64,
            chunkSize: 64 * 1024,
            step: (done, _chunk, total) => {
              onProgress?.(done, total);
              if (signal?.aborted) client.end();
            },
          },
          (e) =>
            e
              ? reject(
                  signal?.aborted
                    ? new MmError('cancelled', 'The transfer was cancelled.', remotePath)
                    : (lost ??
                        new MmError(
                          'sftp-failed',
                          `Cannot fetch ${remotePath} from ${where}: ${e.message}`,
                          remotePath,
                        )),
                )
              : resolve(),
        );
      });
    },
    close: async () => {
      closedByUs = true;
      client.end();
    },
  };
}

function describeSshError(
  e: Error & { level?: string; code?: string },
  where: string,
  user: string,
): MmError {
  if (e.level === 'client-authentication') {
    return new MmError(
      'ssh-auth-failed',
      `${where} refused the credentials of user "${user}" (wrong password or key).`,
      where,
    );
  }
  if (e.level === 'client-timeout' || /Timed out/i.test(e.message)) {
    return new MmError('ssh-timeout', `${where} did not answer the SSH handshake in time.`, where);
  }
  if (e.code === 'ECONNREFUSED')
    return new MmError(
      'ssh-unreachable',
      `Connection to ${where} refused: is sshd running on that port?`,
      where,
    );
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return new MmError('ssh-unreachable', `The host name of ${where} does not resolve.`, where);
  if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' || e.code === 'ETIMEDOUT') {
    return new MmError('ssh-unreachable', `${where} cannot be reached (${e.code}).`, where);
  }
  if (e.code === 'ECONNRESET')
    return new MmError('ssh-unreachable', `${where} closed the connection.`, where);
  if (/passphrase|privateKey|Cannot parse/i.test(e.message)) {
    return new MmError('ssh-key-invalid', `The private key for ${where} cannot be used: ${e.message}`, where);
  }
  return new MmError('ssh-failed', `SSH to ${where} failed: ${e.message}`, where);
}

/** ssh2 parses the private key in connect() and throws there: an encrypted key with a wrong or
 * missing passphrase, or text that is no key at all. */
function describeConfigError(e: Error, where: string): MmError {
  if (/passphrase|decrypt|encrypted/i.test(e.message)) {
    return new MmError(
      'ssh-key-invalid',
      `The private key for ${where} is encrypted and its passphrase is wrong or missing (${e.message}).`,
      where,
    );
  }
  if (/privateKey|Cannot parse|Unsupported key/i.test(e.message)) {
    return new MmError('ssh-key-invalid', `The private key for ${where} cannot be used: ${e.message}`, where);
  }
  return new MmError('ssh-config', `Cannot connect to ${where}: ${e.message}`, where);
}

function execOverSsh(
  client: Client,
  command: string,
  where: string,
  options: ExecOptions,
  lost: () => MmError | undefined,
  markLost: (reason: string) => void,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const started = (e: Error | undefined, channel: ClientChannel): void => {
      if (e)
        return reject(
          lost() ?? new MmError('ssh-exec-failed', `Cannot run a command on ${where}: ${e.message}`, where),
        );
      const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      // Output is collected as bytes and decoded once: a multi-byte UTF-8 character split across
      // two chunks stays whole, and the limit counts bytes.
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      const stderr: Buffer[] = [];
      let stderrBytes = 0;
      let settled = false;
      const finish = (): void => {
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      // A stopped command is settled at once; the remote process gets a KILL and its channel
      // is closed without waiting for the server to confirm.
      const stop = (why: MmError): void => {
        if (settled) return;
        finish();
        try {
          channel.signal('KILL');
        } catch {
          // servers without signal support still get the channel closed
        }
        channel.close();
        reject(why);
      };
      const timer = setTimeout(
        () =>
          stop(
            new MmError(
              'command-timeout',
              `The command on ${where} ran longer than allowed and was stopped.`,
              where,
            ),
          ),
        options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      );
      const onAbort = (): void =>
        stop(new MmError('cancelled', `The command on ${where} was cancelled.`, where));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // Cancelled while the channel was opening: the abort event has already fired.
      if (options.signal?.aborted) return onAbort();
      // A command ended by a signal has no exit code; the signal's name says what happened.
      let exitSignal: string | undefined;
      channel.on('exit', (_code: number | null, signal?: string) => {
        if (signal) exitSignal = signal;
      });
      // stdin streams in with back-pressure (content onto a target node).
      if (options.stdin) options.stdin.pipe(channel);
      if (options.stdout) channel.pipe(options.stdout);
      else
        channel.on('data', (d: Buffer) => {
          if (settled) return;
          if (stdoutBytes + d.length > limit)
            stop(
              new MmError(
                'output-too-large',
                `The command on ${where} printed more than ${limit} bytes.`,
                where,
              ),
            );
          else {
            stdout.push(d);
            stdoutBytes += d.length;
          }
        });
      channel.stderr.on('data', (d: Buffer) => {
        if (stderrBytes >= MAX_STDERR_BYTES) return;
        const part = d.subarray(0, MAX_STDERR_BYTES - stderrBytes);
        stderr.push(part);
        stderrBytes += part.length;
      });
      channel.on('close', (code: number | null) => {
        if (settled) return;
        finish();
        // The connection went away under the command: that is not the command's exit code.
        const gone = lost();
        if (gone) return reject(gone);
        resolve({
          code: code ?? -1,
          stdout: Buffer.concat(stdout, stdoutBytes).toString('utf8'),
          stderr: Buffer.concat(stderr, stderrBytes).toString('utf8'),
          ...(exitSignal ? { signal: exitSignal } : {}),
        });
      });
    };
    try {
      client.exec(command, started);
    } catch (e) {
      // ssh2 throws "Not connected" when the socket is already gone.
      markLost((e as Error).message);
      reject(lost());
    }
  });
}
