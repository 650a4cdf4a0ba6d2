/**
 * Resuming an interrupted content transfer. When a connection drops mid-transfer (or the step is
 * cancelled), the staging folder on the node is kept and the verifier's list of the regular files
 * that passed whole (name, size, header mtime, SHA-256, in archive order) is remembered here, per
 * staging folder, for the rest of this process. The next attempt asks the node which of those
 * files it really holds whole — the same size and the mtime tar sets only after the last byte —
 * takes the longest run from the start of the list, and asks the agent to resume after its last
 * member (`--resume-after`): those bytes are not moved again. Their hashes seed the verifier, so
 * the agent's manifest (which still lists every file) is checked against all of them at the end.
 * A manager that restarted finds the list in the project's folder instead (resume-log.ts).
 * The file after that run, when the node holds part of it, resumes from its bytes: the agent
 * sends the rest as a tail member (`--resume-member`, `--resume-offset`) that the node appends,
 * and the completed file's SHA-256 is taken on the node and checked before anything is published.
 */
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';
import { type Remembered, loadResumeLog } from './resume-log';
import type { ResumeTail, StagedFile } from './tar-verify';

interface Interrupted extends Remembered {
  readonly contentId: string;
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

export function rememberInterrupted(
  staging: string,
  contentId: string,
  files: readonly StagedFile[],
  started?: Remembered['started'],
): void {
  interrupted.delete(staging);
  interrupted.set(staging, started ? { contentId, files, started } : { contentId, files });
  for (const oldest of interrupted.keys()) {
    if (interrupted.size <= MAX_KEPT) break;
    interrupted.delete(oldest);
  }
}

/** The files an interrupted attempt at this staging folder passed, taken (so used once). */
export function takeInterrupted(staging: string, contentId: string): readonly StagedFile[] | undefined {
  return takeAttempt(staging, contentId)?.files;
}

function takeAttempt(staging: string, contentId: string): Remembered | undefined {
  const found = interrupted.get(staging);
  interrupted.delete(staging);
  return found?.contentId === contentId ? found : undefined;
}

/**
 * What an earlier attempt at this staging folder left: this process's own list, else the log in
 * the project's folder (`logDir`) that a manager killed mid-transfer left behind.
 */
export async function earlierAttempt(
  staging: string,
  contentId: string,
  logDir: string | undefined,
): Promise<Remembered | undefined> {
  return (
    takeAttempt(staging, contentId) ?? (logDir ? await loadResumeLog(logDir, staging, contentId) : undefined)
  );
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
  return prefixOf(files, await listStaging(node, staging, signal));
}

type Listing = Map<string, { size: number; mtime: number }>;

async function listStaging(node: Transport, staging: string, signal?: AbortSignal): Promise<Listing> {
  const r = await node.exec(['sh', '-c', LIST, 'sh', staging], {
    timeoutMs: 10 * 60 * 1000,
    maxOutputBytes: MAX_LISTING_BYTES,
    ...(signal ? { signal } : {}),
  });
  const onNode: Listing = new Map();
  if (r.code !== 0) return onNode;
  for (const entry of r.stdout.split('\0')) {
    // A file dated before 1970 (kept as such since the agent writes pax mtimes) lists negative.
    const m = /^(\d+) (-?\d+)(?:\.\d+)? (.*)$/s.exec(entry);
    if (m) onNode.set(m[3] as string, { size: Number(m[1]), mtime: Number(m[2]) });
  }
  return onNode;
}

function prefixOf(files: readonly StagedFile[], onNode: Listing): StagedFile[] {
  const whole: StagedFile[] = [];
  for (const f of files) {
    const there = onNode.get(f.name);
    if (!there || there.size !== f.size || there.mtime !== f.mtime) break;
    whole.push(f);
  }
  return whole;
}

/** Where the next attempt starts: after `staged`, and inside `tail.name` when the node holds part of it. */
export interface ResumePlan {
  readonly staged: StagedFile[];
  readonly tail?: ResumeTail;
}

/**
 * The run of whole files, then the file right after it (the next one listed, or the large file
 * that had started): when the node holds some of its bytes and no more than its size, those
 * are kept and only the rest moves. Which bytes they are is not trusted here: the completed
 * file's SHA-256 is checked on the node before it is published.
 */
export async function planResume(
  node: Transport,
  staging: string,
  earlier: Remembered,
  signal?: AbortSignal,
): Promise<ResumePlan> {
  if (earlier.files.length === 0 && !earlier.started) return { staged: [] };
  const onNode = await listStaging(node, staging, signal);
  const staged = prefixOf(earlier.files, onNode);
  const next =
    earlier.files[staged.length] ?? (staged.length === earlier.files.length ? earlier.started : undefined);
  const there = next ? onNode.get(next.name) : undefined;
  if (!next || !there || there.size === 0 || there.size > next.size) return { staged };
  return { staged, tail: { name: next.name, size: next.size, offset: there.size } };
}

/** The agent's arguments that resume after `plan.staged` (and inside `plan.tail`). */
export function resumeArgs(plan: ResumePlan): string[] {
  const last = plan.staged[plan.staged.length - 1];
  return [
    ...(last ? [`--resume-after=${last.name}`] : []),
    ...(plan.tail ? [`--resume-member=${plan.tail.name}`, `--resume-offset=${plan.tail.offset}`] : []),
  ];
}
