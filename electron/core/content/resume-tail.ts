/**
 * The parts of a resumed transfer around the stream itself: where the attempt starts (what an
 * earlier attempt left, checked against the node's staging folder), its log in the project's
 * folder, and the file resumed inside — the node appends the tail member the agent sent to the
 * partial file it held, and the completed file's SHA-256 (taken on the node: a hash's state
 * cannot be carried over from the cut attempt) must be the manifest's before anything is published.
 */
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';
import type { ContentPlace } from './layout';
import { type ResumePlan, earlierAttempt, planResume, resumeArgs } from './resume';
import { ResumeLog } from './resume-log';
import { TAIL_MEMBER } from './tar-verify';

export interface ResumeInput {
  readonly contentId: string;
  readonly node: Transport;
  readonly place: ContentPlace;
  readonly signal: AbortSignal;
  readonly resume?: boolean;
  readonly resumeDir?: string;
}

export interface ResumeStart {
  readonly plan: ResumePlan;
  /** For the agent: `--resume-after`, `--resume-member`, `--resume-offset`. */
  readonly extraArgs: string[];
  /** The node's script that prepares the staging folder "$1" for this attempt. */
  readonly prepare: string;
}

export async function startResume(o: ResumeInput): Promise<ResumeStart> {
  const earlier = o.resume ? await earlierAttempt(o.place.staging, o.contentId, o.resumeDir) : undefined;
  const plan: ResumePlan = earlier
    ? await planResume(o.node, o.place.staging, earlier, o.signal)
    : { staged: [] };
  const keep = plan.staged.length > 0 || plan.tail !== undefined;
  return {
    plan,
    extraArgs: resumeArgs(plan),
    // Resuming keeps what the node holds (but not a tail a cut attempt left half-written);
    // otherwise the staging starts empty.
    prepare: keep ? `mkdir -p -- "$1" && rm -f -- "$1/${TAIL_MEMBER}"` : 'rm -rf -- "$1" && mkdir -p -- "$1"',
  };
}

/** The attempt's log, when the caller keeps one (sites and mailboxes of a project). */
export async function openResumeLog(o: ResumeInput, plan: ResumePlan): Promise<ResumeLog | undefined> {
  if (!o.resume || !o.resumeDir) return undefined;
  const started = plan.tail ? { name: plan.tail.name, size: plan.tail.size } : undefined;
  // A project folder that cannot take the log (a full disk) costs a restart its resume, not the transfer.
  return ResumeLog.begin(o.resumeDir, o.place.staging, o.contentId, plan.staged, started).catch(
    () => undefined,
  );
}

/**
 * Appends the tail member to the partial file "$1/$2", gives it the tail's mtime and mode (tar set
 * them on the tail), and prints the completed file's SHA-256 (read from stdin: sha256sum escapes
 * odd names in its output).
 */
const COMPLETE = [
  'set -e',
  `t=$1/${TAIL_MEMBER} f=$1/$2`,
  'cat -- "$t" >> "$f"',
  'touch -r "$t" -- "$f"',
  'chmod --reference="$t" -- "$f"',
  'rm -f -- "$t"',
  'sha256sum < "$f"',
].join('\n');

export async function completeTail(
  node: Transport,
  staging: string,
  tail: { readonly name: string; readonly sha256: string },
  contentId: string,
): Promise<void> {
  const r = await node.exec(['sh', '-c', COMPLETE, 'sh', staging, tail.name], { timeoutMs: 60 * 60 * 1000 });
  if (r.code !== 0)
    throw new MmError(
      'content-node-failed',
      `Completing ${tail.name} of ${contentId} on ${node.label} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`,
      staging,
    );
  const got = r.stdout.trim().slice(0, 64);
  if (got !== tail.sha256)
    throw new MmError(
      'content-refused',
      `Content ${contentId}: ${tail.name} does not match the agent's manifest after resuming inside it ` +
        `(SHA-256 ${got}, manifest ${tail.sha256}): nothing was published`,
      tail.name,
    );
}
