/**
 * A rehearsal's throwaway sandbox in a process of its own (the StartThrowawayTarget the shells
 * give the core). In the manager's process its tables — every object a rehearsal created — were
 * ~800 MB at 1×, ~8 GB at 10×: past V8's heap limit. Here they live in a child (throwaway-child.ts)
 * with a heap of its own, and the manager gets the read-back in pieces.
 *
 * How the child is started is the shell's: the CLI and the browser host fork Node (`forkNode`),
 * the desktop app an Electron utility process (electron/throwaway-utility.ts: the packaged app's
 * fuses turn ELECTRON_RUN_AS_NODE off). Both run the same entry and the same protocol. The child
 * is killed when the rehearsal closes it, when it does not answer a close, when the manager
 * exits, and exits by itself when the manager's channel closes (a SIGKILLed manager).
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TargetHolding } from '../../shared/model/rehearsal';
import type {
  StartThrowawayTarget,
  ThrowawayTarget,
  ThrowawayTargetOptions,
} from '../core/rehearsal/throwaway-target';
import type {
  HoldingsPiece,
  ThrowawayAnswer,
  ThrowawayRequest,
  ThrowawayStarted,
} from './throwaway-protocol';
import { childAnswers } from './child-answers';
import { ENGINE_V8_FLAGS } from '../v8-flags.mjs';

/** The child's program: the bundle beside the running bundle, or the TypeScript source under tsx. */
export interface ChildEntry {
  readonly file: string;
  readonly execArgv: readonly string[];
}

/** A started child as the parent sees it, whatever started it. */
export interface ChildChannel {
  readonly pid: number | undefined;
  send(request: ThrowawayRequest): void;
  onMessage(listener: (answer: ThrowawayAnswer) => void): void;
  onExit(listener: (code: number | null) => void): void;
  /** SIGKILL: the last resort (a child that does not answer, a manager on its way out). */
  kill(): void;
}

export type SpawnThrowawayChild = (entry: ChildEntry) => ChildChannel;

/** Holdings per piece of the read-back. */
const PIECE = 2_000;
/** A child that has not exited this long after "close" is killed. */
const CLOSE_GRACE_MS = 10_000;
const MB = 2 ** 20;

/**
 * The child's entry, found from where this module runs: its TypeScript source beside this file
 * (the sources, run through tsx), or `throwaway-child.mjs|cjs` beside the bundle this module was
 * bundled into (out/cli/mm.mjs, out/electron/main.cjs: build/bundle-electron.mjs writes both).
 * Its heap limit: half the machine's memory, at least 4 GB (its tables are ~0.8 GB per 1×); its
 * young generation the engine's (v8-flags.mjs: it answers every call of the batch).
 */
export function childEntry(ownUrl: string = import.meta.url): ChildEntry {
  const heap = `--max-old-space-size=${Math.max(4096, Math.floor(totalmem() / MB / 2))}`;
  const own = fileURLToPath(ownUrl);
  if (own.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(ownUrl).resolve('tsx')).href;
    return {
      file: fileURLToPath(new URL('./throwaway-child.ts', ownUrl)),
      execArgv: ['--import', tsx, heap, ...ENGINE_V8_FLAGS],
    };
  }
  const ext = own.endsWith('.cjs') ? 'cjs' : 'mjs';
  return {
    file: fileURLToPath(new URL(`./throwaway-child.${ext}`, ownUrl)),
    execArgv: [heap, ...ENGINE_V8_FLAGS],
  };
}

/** The CLI's and the browser host's way: a Node child with an IPC channel (structured clone). */
export const forkNode: SpawnThrowawayChild = (entry) => {
  const child = fork(entry.file, [], {
    execArgv: [...entry.execArgv],
    // its stdout is not the command's (`--json` prints one document); its errors are
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return {
    pid: child.pid,
    // A child that died closes the channel before its 'exit' arrives: a request sent between
    // the two must not become an unhandled 'error' event; the exit fails every pending request.
    send: (r) => void child.send(r, () => undefined),
    onMessage: (l) => child.on('message', (m) => l(m as ThrowawayAnswer)),
    onExit: (l) => child.on('exit', (code) => l(code)),
    kill: () => void child.kill('SIGKILL'),
  };
};

/** A throwaway target in a child, with what a test or a bench looks at. */
export interface ThrowawayProcess extends ThrowawayTarget {
  readonly pid: number | undefined;
  /** The child's peak RSS so far (bytes). */
  peakRss(): Promise<number>;
  /** Stops the sandbox and the child; resolves with the child's peak RSS (0 when it was gone). */
  stop(): Promise<number>;
}

export async function startThrowawayProcess(
  options: ThrowawayTargetOptions,
  spawn: SpawnThrowawayChild = forkNode,
  entry: ChildEntry = childEntry(),
): Promise<ThrowawayProcess> {
  const child = spawn(entry);
  let exited: number | null | undefined;
  type Ask = ThrowawayRequest extends infer R ? (R extends { n: number } ? Omit<R, 'n'> : never) : never;
  const answers = childAnswers<Ask>(
    (request) => child.send(request as ThrowawayRequest),
    (error) => new Error(`The rehearsal's sandbox: ${error}`),
  );
  const gone = new Promise<void>((resolve) =>
    child.onExit((code) => {
      exited = code;
      answers.failAll(new Error(`The rehearsal's sandbox process ended (exit code ${String(code)}).`));
      resolve();
    }),
  );
  // A manager on its way out takes its sandbox with it.
  const orphan = (): void => child.kill();
  process.once('exit', orphan);
  child.onMessage((a) => answers.settle(a));
  const ask = (what: Ask): Promise<unknown> =>
    exited !== undefined
      ? Promise.reject(new Error("The rehearsal's sandbox process has ended."))
      : answers.ask(what);

  let stopped: Promise<number> | undefined;
  const stop = (): Promise<number> =>
    (stopped ??= (async () => {
      process.off('exit', orphan);
      if (exited !== undefined) return 0;
      const timer = setTimeout(() => child.kill(), CLOSE_GRACE_MS);
      const peak = await ask({ ask: 'close' }).then(
        (v) => v as number,
        () => 0,
      );
      await gone;
      clearTimeout(timer);
      return peak;
    })());

  let started: ThrowawayStarted;
  try {
    started = (await ask({ ask: 'start', options })) as ThrowawayStarted;
  } catch (e) {
    child.kill();
    process.off('exit', orphan);
    throw e;
  }
  return {
    pid: child.pid,
    poaUrl: started.poaUrl,
    pbaUrl: started.pbaUrl,
    ...(started.nodes ? { nodes: started.nodes } : {}),
    offered: started.offered,
    holdings: () => pieces(ask),
    peakRss: async () => (await ask({ ask: 'peak' })) as number,
    stop,
    close: async () => void (await stop()),
  };
}

/** The read-back, one piece asked ahead of the one being handed on (the child works meanwhile). */
async function* pieces(
  ask: (what: { ask: 'holdings'; size: number } | { ask: 'next' }) => Promise<unknown>,
): AsyncGenerator<readonly TargetHolding[]> {
  await ask({ ask: 'holdings', size: PIECE });
  let pending = ask({ ask: 'next' }) as Promise<HoldingsPiece>;
  for (;;) {
    const piece = await pending;
    if ('done' in piece) return;
    pending = ask({ ask: 'next' }) as Promise<HoldingsPiece>;
    // an unawaited rejection while the consumer works on this piece is reported at its await
    pending.catch(() => undefined);
    yield piece.part;
  }
}

/** The StartThrowawayTarget of a shell that starts its children with `spawn`. */
export function throwawayInProcess(spawn: SpawnThrowawayChild = forkNode): StartThrowawayTarget {
  return (options) => startThrowawayProcess(options, spawn);
}

/** The CLI's and the browser host's. */
export const startThrowawayTarget: StartThrowawayTarget = throwawayInProcess(forkNode);
