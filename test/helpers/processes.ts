import { type ChildProcess, spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freshBundle } from '../../electron/build-freshness.mjs';
import { REPO_ROOT } from './paths';
import { stopChild } from './stop-child';
import { stoppedAtEnd } from './temp-dirs';

const execFileAsync = promisify(execFile);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program (never through a shell) with `input` on its stdin and collects what it prints.
 * Its output is decoded as one UTF-8 stream, not chunk by chunk: a character whose bytes two
 * chunks of a pipe share would otherwise become two U+FFFD.
 */
export async function runChild(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  input?: string,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Runs `mm` as a user would (the package's bin), never through a shell. */
export async function runMm(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  input?: string,
): Promise<CliRun> {
  return runChild(process.execPath, ['electron/cli/mm.mjs', ...args], env, input);
}

export interface RunningHost {
  readonly url: string;
  readonly origin: string;
  readonly secret: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the browser host exactly as `npm start` does on a machine without Electron. */
export async function startHost(dataDir: string, extraArgs: readonly string[] = []): Promise<RunningHost> {
  // the bundle `npm run build` made (as npm start runs it), or the sources while they are newer
  const bundle = freshBundle(REPO_ROOT, 'host.mjs');
  const child = spawn(
    process.execPath,
    [
      ...(bundle ? [bundle] : ['--import', 'tsx', 'electron/host/main.ts']),
      '--no-open',
      '--data-dir',
      dataDir,
      ...extraArgs,
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stdout?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('http://127.0.0.1:'));
      if (line) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    secret: parsed.searchParams.get('secret') ?? '',
    process: child,
    stop: stoppedAtEnd(() => stopChild(child)),
  };
}

export { execFileAsync };
