/**
 * A sandbox in a child process of the rehearsal bench, driven over the IPC channel (forked by
 * rehearsal-sandboxes.ts), so the bench's peak RSS is the engine's alone: the rehearsal's
 * throwaway sandbox and the "production" one each hold every object they were sent, which in
 * the manager's own process would be counted as the engine's.
 *
 * argv[2] is the role: `production` (the real target a rehearsal only lists) or `throwaway` (a
 * rehearsal's own target, with its holdings read back on request); argv[3] is its options as JSON.
 */
import { createHash } from 'node:crypto';
import type { ThrowawayTargetOptions } from '../../electron/core/rehearsal/throwaway-target';
import { startRehearsalSandbox } from '../../electron/sandbox/rehearsal-target';
import { type RunningSandbox, startSandbox } from '../../electron/sandbox/sandbox';

/** What the parent asks, and what the child answers (one answer per request, same `n`). */
export type ChildRequest = { readonly n: number; readonly ask: 'holdings' | 'digest' | 'peak' | 'close' };
export type ChildAnswer =
  | { readonly n: number; readonly ok: true; readonly value: unknown }
  | { readonly n: number; readonly ok: false; readonly error: string };
/** The first message: where the sandbox listens. */
export interface ChildReady {
  readonly ready: true;
  readonly poaUrl: string;
  readonly pbaUrl: string;
  readonly nodes?: Readonly<Partial<Record<'web' | 'mail' | 'db', string>>>;
  readonly offered?: { readonly templates: number; readonly plans: number };
}

/** The child's peak RSS so far (the kernel's high-water mark), in bytes. */
function peakRss(): number {
  // resourceUsage().maxRSS is in kilobytes
  return process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('sandbox-child.ts runs forked by rehearsal-sandboxes.ts (no IPC channel)');
  const role = process.argv[2];
  const options = JSON.parse(process.argv[3] ?? '{}') as ThrowawayTargetOptions;
  let sandbox: RunningSandbox;
  let ready: ChildReady;
  if (role === 'production') {
    sandbox = await startSandbox({ dataDir: options.dataDir, poaPort: 0, pbaPort: 0, webPort: 0 });
    ready = { ready: true, poaUrl: sandbox.poaUrl, pbaUrl: sandbox.pbaUrl };
  } else if (role === 'throwaway') {
    const started = await startRehearsalSandbox(options);
    sandbox = started.sandbox;
    const t = started.target;
    ready = {
      ready: true,
      poaUrl: t.poaUrl,
      pbaUrl: t.pbaUrl,
      ...(t.nodes ? { nodes: t.nodes } : {}),
      offered: t.offered,
    };
    process.on('message', (m: ChildRequest) => {
      if (m.ask !== 'holdings') return;
      t.holdings().then(
        (value) => send({ n: m.n, ok: true, value } satisfies ChildAnswer),
        (e: unknown) => send({ n: m.n, ok: false, error: String(e) } satisfies ChildAnswer),
      );
    });
  } else throw new Error(`sandbox-child.ts: the role is "production" or "throwaway", not "${role}"`);
  process.on('message', (m: ChildRequest) => {
    if (m.ask === 'digest')
      send({
        n: m.n,
        ok: true,
        value: createHash('sha256').update(JSON.stringify(sandbox.state())).digest('hex'),
      } satisfies ChildAnswer);
    else if (m.ask === 'peak') send({ n: m.n, ok: true, value: peakRss() } satisfies ChildAnswer);
    else if (m.ask === 'close')
      void sandbox.close().then(() => {
        send({ n: m.n, ok: true, value: peakRss() } satisfies ChildAnswer, () => process.exit(0));
      });
  });
  send(ready);
}

await main();
