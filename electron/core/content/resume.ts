/**
 * Resuming an interrupted content transfer. When a connection drops mid-transfer (or the step is
 * cancelled), the staging folder on the node is kept and the verifier's list of the regular files
 * that passed whole (name, size, header mtime, SHA-256, in archive order) is remembered here, per
 * staging folder, for the rest of this process. The next attempt asks the node which of those
 * files it really holds whole — the same size and the mtime tar sets only after the last byte —
 * takes the longest run from the start of the list, and asks the agent to resume after its last
 * member (`--resume-after`): those bytes are not moved again. Their hashes seed the verifier, so
 * the agent's manifest (which still lists every file) is checked against all of them at the end.
 * A manager that restarted has no list and starts the content id over, as before.
 */
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';
import type { StagedFile } from './tar-verify';

interface Interrupted {
  readonly contentId: string;
  readonly files: readonly StagedFile[];
}

const interrupted = new Map<string, Interrupted>();
/**
 * Lists kept at most (the oldest goes first): a cancelled batch of many mailboxes that is never
 * resumed must not hold every list for the rest of the process.
 */
const MAX_KEPT = 64;

/** Errors after which the staging folder is worth keeping: the line or the run stopped, not the content. */
const RESUMABLE = new Set(['ssh-connection-lost', 'ssh-connection-closed', 'cancelled', 'command-timeout']);

/** The connection itself went away (not a cancel, not a refusal). */
export function isConnectionLoss(e: unknown): boolean {
  return e instanceof MmError && (e.code === 'ssh-connection-lost' || e.code === 'ssh-connection-closed');
}

export function isResumable(e: unknown): boolean {
  return e instanceof MmError && RESUMABLE.has(e.code);
}

export function rememberInterrupted(staging: string, contentId: string, files: readonly StagedFile[]): void {
  interrupted.delete(staging);
  interrupted.set(staging, { contentId, files });
  for (const oldest of interrupted.keys()) {
    if (interrupted.size <= MAX_KEPT) break;
    interrupted.delete(oldest);
  }
}

/** The files an interrupted attempt at this staging folder passed, taken (so used once). */
export function takeInterrupted(staging: string, contentId: string): readonly StagedFile[] | undefined {
  const found = interrupted.get(staging);
  interrupted.delete(staging);
  return found?.contentId === contentId ? found.files : undefined;
}

/** Regular files below `dir` as "<size> <mtime> <relative path>\0" (GNU find). */
const LIST = `cd -- "$1" 2>/dev/null || exit 0; find . -type f -printf '%s %T@ %P\\0'`;

/** Plenty for the listing of a mailbox of a few hundred thousand messages. */
const MAX_LISTING_BYTES = 256 * 1024 * 1024;

/**
 * The longest run from the start of `files` that the node holds whole in `staging`. A file cut
 * by the drop has a smaller size or tar never set its mtime; it and everything after it move again.
 */
export async function stagedPrefix(
  node: Transport,
  staging: string,
  files: readonly StagedFile[],
  signal?: AbortSignal,
): Promise<StagedFile[]> {
  if (files.length === 0) return [];
  const r = await node.exec(['sh', '-c', LIST, 'sh', staging], {
    timeoutMs: 10 * 60 * 1000,
    maxOutputBytes: MAX_LISTING_BYTES,
    ...(signal ? { signal } : {}),
  });
  if (r.code !== 0) return [];
  const onNode = new Map<string, { size: number; mtime: number }>();
  for (const entry of r.stdout.split('\0')) {
    const m = /^(\d+) (\d+)(?:\.\d+)? (.*)$/s.exec(entry);
    if (m) onNode.set(m[3] as string, { size: Number(m[1]), mtime: Number(m[2]) });
  }
  const whole: StagedFile[] = [];
  for (const f of files) {
    const there = onNode.get(f.name);
    if (!there || there.size !== f.size || there.mtime !== f.mtime) break;
    whole.push(f);
  }
  return whole;
}
