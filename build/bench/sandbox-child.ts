/**
 * The "production" sandbox of the rehearsal bench in a child process of its own (forked by
 * rehearsal-sandboxes.ts), driven over the IPC channel: the real target a rehearsal only lists,
 * with a digest of its state (proof that nothing was written to it) and its peak RSS. The
 * rehearsal's throwaway sandbox runs in a child through the product's own module
 * (electron/sandbox/throwaway-process.ts), as in the shells.
 *
 * argv[2] is its data folder.
 */
import { createHash } from 'node:crypto';
import type { ChildAnswer } from '../../electron/sandbox/child-answers';
import { startSandbox } from '../../electron/sandbox/sandbox';

/** What the parent asks, and what the child answers (one answer per request, same `n`). */
export type ChildRequest = { readonly n: number; readonly ask: 'digest' | 'peak' | 'close' };
/** The first message: where the sandbox listens. */
export interface ChildReady {
  readonly ready: true;
  readonly poaUrl: string;
  readonly pbaUrl: string;
}

/** The child's peak RSS so far (the kernel's high-water mark), in bytes. */
function peakRss(): number {
  // resourceUsage().maxRSS is in kilobytes
  return process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('sandbox-child.ts runs forked by rehearsal-sandboxes.ts (no IPC channel)');
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('sandbox-child.ts: its data folder is argv[2]');
  // the bench is gone (failed, killed): so is its sandbox
  process.once('disconnect', () => process.exit(0));
  const sandbox = await startSandbox({ dataDir, poaPort: 0, pbaPort: 0, webPort: 0 });
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
  send({ ready: true, poaUrl: sandbox.poaUrl, pbaUrl: sandbox.pbaUrl } satisfies ChildReady);
}

await main();
