/**
 * A real agent serving SOAP on loopback: `perl agents/<agent>/agent.pl --serve` on a free port
 * (port 0; the agent prints the address it got), with a token file, optionally HTTPS with a
 * certificate openssl makes. It runs in its own process group, so `kill()` reaches the
 * per-connection children too (the "agent killed mid-stream" case).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AGENTS_DIR } from '../../electron/core/paths';
import { tempDir } from '../helpers/paths';
import { selfSigned } from '../helpers/self-signed';

export interface Certificate {
  readonly cert: string;
  readonly key: string;
}

/** A self-signed certificate for 127.0.0.1 (openssl is installed by test/ensure-system.sh). */
export async function makeCertificate(): Promise<Certificate> {
  const { certFile, keyFile } = await selfSigned('127.0.0.1', 'ec');
  return { cert: certFile, key: keyFile };
}

/** The certificate's SHA-256 fingerprint as openssl prints it (AB:CD:…). */
export function certificateFingerprint(cert: string): string {
  const out = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', cert], {
    encoding: 'utf8',
  });
  return out.trim().replace(/^.*=/, '');
}

export interface ServedAgent {
  readonly url: string;
  readonly token: string;
  /** What the agent printed as its certificate's fingerprint (HTTPS only). */
  readonly fingerprint?: string;
  readonly process: ChildProcess;
  /** Everything the agent wrote to stderr so far (one line per request it answered). */
  stderr(): string;
  /** Ends the agent and its per-request children. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function serveAgent(
  agent: string,
  o: {
    root: string;
    tls?: Certificate;
    token?: string;
    apiVersion?: 1 | 2;
    /** An unpacked agent.tar's agent.pl instead of the repository's. */
    script?: string;
    /** A fixed port (an agent that restarts after an update listens on it again). */
    port?: number;
    allowUpdate?: boolean;
  },
): Promise<ServedAgent> {
  const token = o.token ?? randomBytes(24).toString('base64url');
  const dir = await tempDir('mm-soap-token-');
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  const child = spawn(
    'perl',
    [
      o.script ?? join(AGENTS_DIR, agent, 'agent.pl'),
      '--serve',
      `--listen=127.0.0.1:${o.port ?? 0}`,
      ...(o.allowUpdate ? ['--allow-update'] : []),
      `--token-file=${tokenFile}`,
      `--root=${o.root}`,
      ...(o.apiVersion ? [`--api-version=${o.apiVersion}`] : []),
      ...(o.tls ? [`--tls-cert=${o.tls.cert}`, `--tls-key=${o.tls.key}`] : []),
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the agent did not start: ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the agent exited (${code}) before serving: ${err}`));
    });
  });
  const url = /serving SOAP 1\.1 on (\S+)/.exec(line)?.[1];
  if (!url) throw new Error(`unexpected first line from the agent: ${line}`);
  const fingerprint = /certificate SHA-256 ([0-9A-F:]+)/.exec(line)?.[1];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    token,
    ...(fingerprint ? { fingerprint } : {}),
    process: child,
    stderr: () => err,
    kill: async (signal = 'SIGTERM') => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        return;
      }
      await exited;
    },
  };
}
