/**
 * The entry of a rehearsal's throwaway sandbox in a process of its own (forked by
 * throwaway-process.ts: a Node child of the CLI and the browser host, an Electron utility
 * process of the desktop app). Its tables — every object the rehearsal created, ~800 MB at 1× —
 * live here, never in the manager's heap. It exits when the parent asks, and when the parent's
 * channel closes (the parent exited or was killed): never an orphan.
 */
import type { TargetHolding } from '../../shared/model/rehearsal';
import { holdingsIn, piecesOf, startRehearsalSandbox } from './rehearsal-target';
import type { RunningSandbox } from './sandbox';
import type {
  HoldingsPiece,
  ThrowawayAnswer,
  ThrowawayRequest,
  ThrowawayStarted,
} from './throwaway-protocol';

/** Electron's utility process talks through process.parentPort; a Node child through process.send. */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function channel(): {
  send(a: ThrowawayAnswer): Promise<void>;
  onRequest(l: (r: ThrowawayRequest) => void): void;
} {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (port)
    return {
      send: (a) => Promise.resolve(port.postMessage(a)),
      onRequest: (l) => port.on('message', (e) => l(e.data as ThrowawayRequest)),
    };
  const send = process.send?.bind(process);
  if (!send)
    throw new Error('throwaway-child runs forked by throwaway-process.ts: it was started without a channel');
  // The parent is gone (exited, crashed or SIGKILLed): its channel closes, and so does this.
  process.once('disconnect', () => process.exit(0));
  return {
    // resolved once the message is handed to the channel (the answer to "close" before the exit)
    send: (a) => new Promise<void>((resolve) => send(a, undefined, {}, () => resolve())),
    onRequest: (l) => process.on('message', (m) => l(m as ThrowawayRequest)),
  };
}

/** The kernel's high-water mark of this process's RSS, in bytes (maxRSS is in kilobytes). */
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

const { send, onRequest } = channel();
let sandbox: RunningSandbox | undefined;
let reading: Iterator<TargetHolding[]> | undefined;

async function answer(r: ThrowawayRequest): Promise<unknown> {
  if (r.ask === 'start') {
    if (sandbox) throw new Error('the sandbox is already started');
    const started = await startRehearsalSandbox(r.options);
    sandbox = started.sandbox;
    const t = started.target;
    return {
      poaUrl: t.poaUrl,
      pbaUrl: t.pbaUrl,
      ...(t.nodes ? { nodes: t.nodes } : {}),
      offered: t.offered,
    } satisfies ThrowawayStarted;
  }
  if (r.ask === 'peak') return peakRss();
  if (!sandbox) throw new Error(`"${r.ask}" asked before the sandbox was started`);
  if (r.ask === 'holdings') {
    reading = piecesOf(holdingsIn(sandbox.state()), Math.max(1, r.size));
    return null;
  }
  if (r.ask === 'next') {
    if (!reading) throw new Error('"next" asked before "holdings"');
    const step = reading.next();
    if (step.done) reading = undefined;
    return (step.done ? { done: true } : { part: step.value }) satisfies HoldingsPiece;
  }
  await sandbox.close();
  sandbox = undefined;
  return peakRss();
}

onRequest((r) => {
  answer(r).then(
    async (value) => {
      await send({ n: r.n, ok: true, value });
      // The answer to "close" is its last word.
      if (r.ask === 'close') process.exit(0);
    },
    (e: unknown) => void send({ n: r.n, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
