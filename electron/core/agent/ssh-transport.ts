/**
 * The SSH transport (ssh2): password, private key (with passphrase) or keyboard-interactive;
 * keepalive; connect and command timeouts; cancellation; the host key checked against its pin
 * before any credential or command is sent.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
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

const { Client } = ssh2;

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
  readonly signal?: AbortSignal;
}

export interface SshConnection extends Transport {
  /** The fingerprint the server presented (to pin it after trust on first use). */
  readonly hostKeyFingerprint: string;
}

export async function connectSsh(target: SshTarget): Promise<SshConnection> {
  const where = `${target.user}@${target.host}:${target.port}`;
  const client = new Client();
  let presented = '';
  let refusal: MmError | undefined;

  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: target.connectTimeoutMs ?? 20_000,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 4,
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

  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      client.end();
      reject(new MmError('cancelled', `Connecting to ${where} was cancelled.`, where));
    };
    target.signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      target.signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    client.once('error', (e: Error & { level?: string; code?: string }) => {
      target.signal?.removeEventListener('abort', onAbort);
      reject(refusal ?? describeSshError(e, where, target.user));
    });
    try {
      client.connect(config);
    } catch (e) {
      reject(new MmError('ssh-config', `Cannot connect to ${where}: ${(e as Error).message}`, where));
    }
  });

  let sftpSession: Promise<SFTPWrapper> | undefined;
  const sftp = (): Promise<SFTPWrapper> => {
    sftpSession ??= new Promise((resolve, reject) =>
      client.sftp((e, s) =>
        e
          ? reject(new MmError('sftp-unavailable', `SFTP is not available on ${where}: ${e.message}`, where))
          : resolve(s),
      ),
    );
    return sftpSession;
  };

  return {
    label: `ssh ${where}`,
    hostKeyFingerprint: presented,
    exec: (argv, options) => execOverSsh(client, shellCommand(argv), where, options),
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
            new MmError('sftp-failed', `Cannot write ${remotePath} on ${where}: ${e.message}`, remotePath),
          ),
        );
        out.on('close', () => resolve());
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
                    : new MmError(
                        'sftp-failed',
                        `Cannot fetch ${remotePath} from ${where}: ${e.message}`,
                        remotePath,
                      ),
                )
              : resolve(),
        );
      });
    },
    close: async () => {
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

function execOverSsh(
  client: InstanceType<typeof Client>,
  command: string,
  where: string,
  options: ExecOptions = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (e, channel: ClientChannel) => {
      if (e)
        return reject(
          new MmError('ssh-exec-failed', `Cannot run a command on ${where}: ${e.message}`, where),
        );
      const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
      let stdout = '';
      let stderr = '';
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
      if (options.stdout) channel.pipe(options.stdout);
      else
        channel.on('data', (d: Buffer) => {
          if (stdout.length + d.length > limit)
            stop(
              new MmError(
                'output-too-large',
                `The command on ${where} printed more than ${limit} bytes.`,
                where,
              ),
            );
          else stdout += d.toString('utf8');
        });
      channel.stderr.on('data', (d: Buffer) => {
        if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
      });
      channel.on('close', (code: number | null) => {
        if (settled) return;
        finish();
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  });
}
