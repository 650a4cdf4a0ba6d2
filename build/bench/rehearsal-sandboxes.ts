/**
 * The rehearsal bench's sandboxes, each in a process of its own, as migration.bench.ts runs its
 * target (sandbox-process.ts): what the bench measures is the engine, never a sandbox's tables.
 * The "production" one is sandbox-child.ts; the rehearsal's throwaway one is the product's own
 * (electron/sandbox/throwaway-process.ts, as the shells start it), its peak RSS reported beside
 * the engine's.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StartThrowawayTarget, ThrowawayTarget } from '../../electron/core/rehearsal/throwaway-target';
import { startThrowawayProcess } from '../../electron/sandbox/throwaway-process';
import { type ChildAnswer, childAnswers } from '../../electron/sandbox/child-answers';
import type { ChildReady, ChildRequest } from './sandbox-child';

const CHILD = fileURLToPath(new URL('./sandbox-child.ts', import.meta.url));

export interface SandboxChild {
  readonly ready: ChildReady;
  ask(what: ChildRequest['ask']): Promise<unknown>;
  /** Stops the sandbox; resolves with the child's peak RSS (bytes). */
  close(): Promise<number>;
}

/** The "production" target a rehearsal lists: its URLs, a digest of its state, its peak RSS. */
export async function startProductionSandbox(dataDir: string): Promise<SandboxChild> {
  const role = 'production';
  const child: ChildProcess = fork(CHILD, [dataDir], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // a bench that fails must not leave its sandbox running
  const orphan = (): void => void child.kill('SIGKILL');
  process.once('exit', orphan);
  const ready = await new Promise<ChildReady>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ChildReady));
    child.once('exit', (code) => reject(new Error(`the ${role} sandbox exited ${code} before it listened`)));
  });
  const answers = childAnswers<Omit<ChildRequest, 'n'>>(
    (request) => void child.send(request satisfies ChildRequest, () => undefined),
    (error) => new Error(`the ${role} sandbox: ${error}`),
  );
  child.on('message', (m) => answers.settle(m as ChildAnswer));
  child.once('exit', (code) => answers.failAll(new Error(`the ${role} sandbox exited ${code}`)));
  const ask = (what: ChildRequest['ask']): Promise<unknown> => answers.ask({ ask: what });
  return {
    ready,
    ask,
    close: async () => {
      process.off('exit', orphan);
      if (child.exitCode !== null) return 0;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const peak = (await ask('close')) as number;
      await exited;
      return peak;
    },
  };
}

/**
 * The StartThrowawayTarget the bench gives the core: each rehearsal's sandbox in a child.
 * `peaks` receives each one's peak RSS when it is closed.
 */
export function throwawayInChild(peaks: number[]): StartThrowawayTarget {
  return async (options): Promise<ThrowawayTarget> => {
    const child = await startThrowawayProcess(options);
    return {
      ...child,
      holdings: () => child.holdings(),
      close: async () => {
        peaks.push(await child.stop());
      },
    };
  };
}
