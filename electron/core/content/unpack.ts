/**
 * The verified tarball unpacked into the staging folder on the node: by one `tar -x`, or dealt
 * out into several lanes (tar-lanes.ts), each with a `tar -x` of its own on a channel of the same
 * connection, then one last `tar -x` of the folders and symlinks once every lane finished. A lane
 * that fails stops the others at once; the first failure is what is reported.
 */
import { Readable } from 'node:stream';
import type { ExecResult, Transport } from '../agent/transport';
import { MmError } from '../errors';
import { TarLanes } from './tar-lanes';

/** tar -x's record size on the node, in 512-byte blocks. */
const TAR_RECORD_BLOCKS = 512;

/**
 * 256 KiB records read whole from the pipe (-B): tar's default 10 KiB records cost a read and a
 * write per 10 KiB (13,000 each for 128 MB; 500 this way).
 */
const untar = (staging: string): string[] => [
  'tar',
  '--no-same-owner',
  '-B',
  '-b',
  String(TAR_RECORD_BLOCKS),
  '-xpf',
  '-',
  '-C',
  staging,
];

export interface UnpackOptions {
  readonly node: Transport;
  readonly staging: string;
  /** The tarball as checked by the verifier. */
  readonly tarball: Readable;
  /** How many `tar -x` run side by side (1: the tarball as it is). */
  readonly lanes: number;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

export async function unpackOnNode(o: UnpackOptions): Promise<ExecResult> {
  const run = (stdin: Readable, signal: AbortSignal): Promise<ExecResult> =>
    o.node.exec(untar(o.staging), { stdin, signal, timeoutMs: o.timeoutMs });
  if (o.lanes <= 1) return run(o.tarball, o.signal);

  const split = new TarLanes(o.lanes);
  // One lane failing (or the caller stopping) stops every lane.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let first: { readonly failed: ExecResult } | { readonly error: unknown } | undefined;
  const settle = (f: { failed: ExecResult } | { error: unknown }): void => {
    first ??= f;
    stop.abort();
    split.destroy();
    // Also after the split finished (then destroying it leaves the lanes draining).
    split.stopLanes();
  };
  split.on('error', (e: unknown) => settle({ error: e }));
  o.tarball.pipe(split);
  try {
    await Promise.allSettled(
      split.lanes.map((lane) =>
        run(lane, stop.signal).then(
          (r) => {
            if (r.code !== 0) settle({ failed: r });
            // A tar that ended before reading its whole lane would leave the split waiting on
            // that lane for ever, or its files missing: said instead (tar stops at the lane's
            // end-of-archive blocks, which the lane hands over last).
            else if (!lane.readableEnded)
              settle({
                error: new MmError(
                  'content-node-failed',
                  `A tar -x lane on ${o.node.label} ended before its archive did (in ${o.staging}).`,
                  o.staging,
                ),
              });
          },
          (e: unknown) => settle({ error: e }),
        ),
      ),
    );
    const failure = first as { readonly failed: ExecResult } | { readonly error: unknown } | undefined;
    if (failure && 'failed' in failure) return failure.failed;
    if (failure) throw failure.error;
    // Every member is in place: the folders get their modes and mtimes, the symlinks are made.
    return await run(Readable.from([split.lastRun()]), o.signal);
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    o.tarball.unpipe(split);
  }
}
