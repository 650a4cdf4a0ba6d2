/**
 * The sandbox in a process of its own (`mm sandbox start --port 0 --json`), as a real target
 * runs on another machine: what is measured and the target never share one event loop.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface SandboxProcess {
  readonly poaUrl: string;
  readonly pbaUrl: string;
  /** The sandbox process's id (its CPU time is read from /proc by the migration bench). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** The target settings the benches give the core for a sandbox at these addresses (its bench login). */
export function benchTarget(urls: { readonly poaUrl: string; readonly pbaUrl: string }): {
  poaUrl: string;
  poaUser: string;
  poaPassword: string;
  pbaUrl: string;
  pbaUser: string;
  pbaPassword: string;
} {
  return {
    poaUrl: urls.poaUrl,
    poaUser: 'admin',
    poaPassword: 'bench',
    pbaUrl: urls.pbaUrl,
    pbaUser: 'admin',
    pbaPassword: 'bench',
  };
}

export async function startSandboxProcess(dataDir: string): Promise<SandboxProcess> {
  const child = spawn(
    process.execPath,
    [
      // As `mm sandbox start` runs (its shebang and npm script carry the engine's V8 flags): until
      // 2026-12-03 the bench's sandbox ran without them, unlike the one an engineer starts.
      ...ENGINE_V8_FLAGS,
      // MM_BENCH_SANDBOX_CPU_PROF=<dir>: the sandbox's CPU profile of its whole life, written there
      // when it stops (NODE_OPTIONS may not carry --cpu-prof).
      ...(process.env['MM_BENCH_SANDBOX_CPU_PROF']
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env['MM_BENCH_SANDBOX_CPU_PROF']}`]
        : []),
      'electron/cli/mm.mjs',
      'sandbox',
      'start',
      '--port',
      '0',
      '--json',
      '--data-dir',
      dataDir,
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`the sandbox exited ${code}`)));
  });
  const info = JSON.parse(line) as { poaUrl: string; pbaUrl: string };
  // a bench that fails must not leave its sandbox running
  const orphan = (): void => void child.kill('SIGKILL');
  process.once('exit', orphan);
  return {
    poaUrl: info.poaUrl,
    pbaUrl: info.pbaUrl,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', orphan);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
