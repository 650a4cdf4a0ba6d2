/**
 * One content id moved: the agent's tarball streams from the source (its stdout over SSH)
 * through the manager's verifier into `tar -x` on the target node (its stdin over SSH), into a
 * staging folder. Nothing is written on the workstation and only a megabyte or two is ever in
 * flight in memory (stream back-pressure end to end). Once every member matched the agent's
 * manifest the staging folder is renamed into place and a marker written last; a refused
 * member or a hash mismatch removes the staging folder and publishes nothing. A cut connection
 * (or a cancel) keeps the staging folder when the caller asked for `resume`: the next attempt
 * moves only what the node does not hold yet (resume.ts), inside a file too (resume-tail.ts).
 * A restart after a crash finds the marker (done), or resumes from the staging folder with the
 * list the attempt logged in the project's folder as it went (resume-log.ts, `resumeDir`).
 *
 * Where the manager's CPU goes (a 512 MB file, warm, about 2.0–2.3 s per GB moved; perf and
 * timed runs, 2026-12-01, load 13–24): SHA-256 of every member 0.5 (SHA-NI: the floor; the
 * verifier's parsing and stream hops add 0.1), ssh2 receiving the source's packets about 0.7 and
 * sending the node's about 0.9, of which AES-128-GCM (ssh2's native binding, AES-NI, negotiated
 * on both hops) is some 0.15 and the kernel's socket copies some 0.25 each way, V8's own work
 * and collections most of the rest. Tried without a gain (same CPU): chacha20-poly1305 (as dear
 * in ssh2, dearer for sshd), corking the node's socket so that packets leave in one writev,
 * pausing the source's socket so that packets are read in batches.
 * Larger packets are out of reach: ssh2 offers 32 KB and refuses more, and a copy of it patched to
 * offer 256 KB still got at most 32 KB from OpenSSH 9.2's sshd (22 KB on average), which also
 * takes no more than 32 KB per packet from the manager.
 */
import type { Readable, Transform, Writable } from 'node:stream';
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';
import { withGcHeadroom } from './gc-headroom';
import { withYoungGenerationHeld } from '../young-generation';
import type { ContentPlace } from './layout';
import { isConnectionLoss, isResumable, rememberInterrupted } from './resume';
import type { ResumeLog } from './resume-log';
import { completeTail, openResumeLog, startResume } from './resume-tail';
import { TarVerifier, type VerifiedContent } from './tar-verify';
import { unpackOnNode } from './unpack';

/**
 * Runs the agent so that its tarball flows into `out` (the verifier itself, or the test's tap
 * before it: no stage of its own, each stream hop costs the manager CPU per chunk); rejects with
 * the agent's message. `extraArgs` go to the agent as they are (`--resume-after=<member>` when
 * resuming).
 */
export type ContentSource = (
  out: Writable,
  signal: AbortSignal,
  extraArgs: readonly string[],
) => Promise<void>;

export interface TransferOptions {
  readonly contentId: string;
  readonly source: ContentSource;
  readonly node: Transport;
  readonly place: ContentPlace;
  readonly signal: AbortSignal;
  /** Bytes of the tarball passed on so far. */
  readonly onProgress?: (bytes: number) => void;
  /** A stage between the source and the verifier (tests damage bytes in flight with it). */
  readonly tap?: () => Transform;
  /**
   * Keep the staging folder when the connection drops or the step is cancelled, and resume
   * from it next time (sites and mailboxes: the agent reads the same files again; not a
   * database dump, which is made anew each time).
   */
  readonly resume?: boolean;
  /**
   * With `resume`: the project's folder for resume logs (resume-log.ts), so that a manager
   * killed mid-transfer resumes after it is started again.
   */
  readonly resumeDir?: string;
  /**
   * How many `tar -x` unpack side by side on the node (unpack.ts; default lanesFor): a Maildir's
   * 100,000 small files are bound by one tar creating them one after another.
   */
  readonly lanes?: number;
}

/**
 * The node's marker beside a published folder. `treeSha256` (its folders' and symlinks'
 * fingerprint, what re-sync compares besides the manifest) is written at publish time since
 * agents 1.3.0's listing; a marker written before has none and is still read.
 */
export interface ContentMarker extends Omit<VerifiedContent, 'treeSha256'> {
  readonly contentId: string;
  readonly treeSha256?: string;
}

/** Plenty for one large site over a slow line; the connection's keepalive catches a dead peer. */
const TRANSFER_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * `tar -x` side by side on the node for a mailbox unless the caller says otherwise: a Maildir
 * is bound by one tar creating its small files one after another. The content bench's
 * 100,000-message Maildir (2026-11-30, 2 cores loaded by other work, load average 8–23) in
 * four runs, 2 lanes against one, as a share of `tar c | ssh tar x`: 39 % vs 19 %, 150 % vs
 * 100 %, 19 % vs 25 %, 32 % vs 12 % (2.0×, 1.5×, 0.75×, 2.6×); 3 lanes slower than one in both
 * runs that timed them (17 %, 61 %). A cut leaves one half-written file per lane, so a
 * resume moves a little more (resume.ts keeps the whole files from the archive's start; the
 * bound is in test/content/resume-lanes.test.ts). Sites keep one: the bench's site is one large
 * file, which a lane takes whole (38 %, 38 %, 47 % of scp with 1, 2, 3 lanes: noise).
 * MM_BENCH_LANES times other counts.
 * On a quiet machine (load 0.2–1.8, 2026-11-30 20:55) the same Maildir moved at 34 % with one
 * lane and 10 % with two (the node's tar CPU 56 → 280 s/GB). Not the lanes: every one of those
 * runs (all but the baseline's first) came right after the bench removed the previous run's
 * 100,000 files, and on the bench machine's ext4 without a journal the inode allocator then
 * skips each recently freed inode, reading its inode-table block (recently_deleted(): ~70 % of
 * the tar's perf samples; twice the system CPU for the same tarball extracted locally). With the
 * trees set aside until the bench ends (2026-11-30 22:30–22:52, load 6.5–17) in four runs, one
 * lane against two: 87 % vs 95 %, 85 % vs 74 %, 106 % vs 102 %, 103 % vs 115 %; node tar CPU
 * 10.4 / 12.9 s/GB against the baseline's 13.7 in the first run. Two local tars dealt 100,000
 * files per file took the same system CPU as one (2.3 s against 2.2–2.4 s; rwsem spinning on the
 * shared folder 1.6 % of samples). With one lane the node's tar runs 88 % of the time and the
 * agent's output is backed up (the node sets the pace, as in the baseline); with two the agent's
 * perl runs 96 % and the tars wait for input 55 %: the source is the next limit. No steady win
 * for two lanes: one by default; the lanes stay for callers and for the bench to keep measuring.
 */
const MAILBOX_LANES = 1;

/** The lanes a content id is unpacked with by default. */
export function lanesFor(contentId: string): number {
  return contentId.startsWith('mailbox:') ? MAILBOX_LANES : 1;
}

const PUBLISH = [
  'set -e',
  's=$1 f=$2 m=$3',
  'mkdir -p -- "$(dirname -- "$f")" "$(dirname -- "$m")"',
  'if [ -e "$f" ] || [ -L "$f" ]; then rm -rf -- "$f.mm-old"; mv -- "$f" "$f.mm-old"; fi',
  'mv -- "$s" "$f"',
  'rm -rf -- "$f.mm-old"',
  'printf "%s\\n" "$4" > "$m.tmp"',
  'mv -- "$m.tmp" "$m"',
].join('\n');

/**
 * The staging folder removed after a refusal. The node's `tar -x` was stopped a moment before
 * (its channel closed) and may still be writing its last record: `rm -rf` then removes what is
 * there but not the folder itself ("not empty"), and the half site stayed (CI, 2026-12-03).
 * Once the folder itself is gone the late tar can create nothing more (its working directory
 * is deleted), so the removal is repeated until it is, for at most about 30 s.
 */
const DISCARD = [
  'n=0',
  'while [ -e "$1" ] || [ -L "$1" ]; do',
  '  rm -rf -- "$1" 2>/dev/null',
  '  if [ ! -e "$1" ] && [ ! -L "$1" ]; then exit 0; fi',
  '  n=$((n+1))',
  '  if [ "$n" -ge 300 ]; then echo "$1 could not be removed" >&2; exit 1; fi',
  '  sleep 0.1',
  'done',
].join('\n');

/** Removes a staging folder whose tar may not have stopped yet (see DISCARD). */
export async function discardStaging(node: Transport, staging: string): Promise<void> {
  await run(node, ['sh', '-c', DISCARD, 'sh', staging], `Removing ${staging}`);
}

const COUNT = `find "$1" -type f -printf '%s\\n' | awk '{n++; b+=$1} END {printf "%.0f %.0f\\n", n, b}'`;

async function run(
  node: Transport,
  argv: readonly string[],
  what: string,
  signal?: AbortSignal,
): Promise<string> {
  const r = await node.exec(argv, { timeoutMs: 10 * 60 * 1000, ...(signal ? { signal } : {}) });
  if (r.code !== 0)
    throw new MmError(
      'content-node-failed',
      `${what} on ${node.label} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`,
      argv.join(' '),
    );
  return r.stdout;
}

/** Files and bytes the node holds below a folder (the read-back of one content id). */
export async function countOnNode(node: Transport, dir: string): Promise<{ files: number; bytes: number }> {
  const out = await run(node, ['sh', '-c', COUNT, 'sh', dir], `Counting ${dir}`);
  const [files, bytes] = out.trim().split(/\s+/).map(Number);
  return { files: files ?? 0, bytes: bytes ?? 0 };
}

/** The marker of a published content id, or undefined when it is not (completely) there. */
export async function readMarker(node: Transport, place: ContentPlace): Promise<ContentMarker | undefined> {
  const r = await node.exec(['cat', '--', place.marker], { timeoutMs: 60_000 });
  if (r.code !== 0) return undefined;
  try {
    const m = JSON.parse(r.stdout) as ContentMarker;
    return typeof m.manifestSha256 === 'string' && typeof m.files === 'number' ? m : undefined;
  } catch {
    return undefined;
  }
}

export async function transferContent(o: TransferOptions): Promise<ContentMarker> {
  const { node, place } = o;
  const { plan, extraArgs, prepare } = await startResume(o);
  const staged = plan.staged;
  await run(node, ['sh', '-c', prepare, 'sh', place.staging], 'Preparing the staging folder', o.signal);
  const log: ResumeLog | undefined = await openResumeLog(o, plan);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let first: unknown;
  const fail = (e: unknown): void => {
    first ??= e;
    stop.abort();
  };
  const verifier = new TarVerifier(o.contentId, o.onProgress, staged, {
    ...(plan.tail ? { tail: plan.tail } : {}),
    ...(log ? { onFile: (f) => log.file(f), onStart: (name, size) => log.started(name, size) } : {}),
  });
  // The agent's output goes straight into the verifier: a PassThrough in between cost the
  // manager about 0.2 s of CPU per GB (a write, a buffer and a read per 32 KB packet).
  const tap = o.tap?.();
  const fromSource: Writable = tap ?? verifier;
  verifier.on('error', fail);
  if (tap) {
    tap.on('error', fail);
    tap.pipe(verifier);
  }
  try {
    // The bytes move with room for the heap to grow (gc-headroom.ts: a mark-compact per few MB
    // otherwise) and the young generation held (its in-flight buffers would grow it for nothing).
    const moving = () =>
      Promise.allSettled([
        o.source(fromSource, stop.signal, extraArgs).catch((e: unknown) => {
          // The agent failed or the source connection dropped: the node must not wait forever.
          fail(e);
          throw e;
        }),
        unpackOnNode({
          node,
          staging: place.staging,
          tarball: verifier as Readable,
          lanes: o.lanes ?? lanesFor(o.contentId),
          signal: stop.signal,
          timeoutMs: TRANSFER_TIMEOUT_MS,
        }).then(
          (r) => {
            // tar gave up (disk full, permissions): the agent must not stream on into nothing.
            if (r.code !== 0)
              fail(
                new MmError(
                  'content-node-failed',
                  `Unpacking ${o.contentId} on ${node.label} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`,
                  place.staging,
                ),
              );
            return r;
          },
          (e: unknown) => {
            // The node's connection dropped: stop the agent too.
            fail(e);
            throw e;
          },
        ),
      ]);
    const [fromAgent, intoNode] = await withGcHeadroom(() => withYoungGenerationHeld(moving));
    // A source connection that dropped ends the agent's stdout early: the verifier sees a cut
    // tarball first, but the cause to report (and to resume from) is the lost connection.
    const lost = [fromAgent, intoNode].find((r) => r.status === 'rejected' && isConnectionLoss(r.reason));
    if (first !== undefined)
      throw verifier.endedEarly && lost?.status === 'rejected' ? (lost.reason as unknown) : first;
    if (fromAgent.status === 'rejected') throw fromAgent.reason;
    if (intoNode.status === 'rejected') throw intoNode.reason;
    if (intoNode.value.code !== 0)
      throw new MmError(
        'content-node-failed',
        `Unpacking ${o.contentId} on ${node.label} failed (exit ${intoNode.value.code}): ${intoNode.value.stderr.trim().split('\n')[0] ?? ''}`,
        place.staging,
      );
    const verified = verifier.result;
    if (!verified)
      throw new MmError(
        'content-refused',
        `Content ${o.contentId}: the tarball was not complete.`,
        o.contentId,
      );
    // A file resumed inside: the node appends its tail and hashes the whole file before publishing.
    if (verified.tail) await completeTail(node, place.staging, verified.tail, o.contentId);
    const { tail: _done, ...counted } = verified;
    const marker: ContentMarker = { contentId: o.contentId, ...counted };
    await run(
      node,
      ['sh', '-c', PUBLISH, 'sh', place.staging, place.final, place.marker, JSON.stringify(marker)],
      `Publishing ${o.contentId}`,
    );
    // Published: the log has served (one left by a failed removal only costs a few bytes).
    await log?.discard().catch(() => undefined);
    return marker;
  } catch (e) {
    // A cut line or a cancel: what the node holds whole is kept for the next attempt.
    if (o.resume && isResumable(e)) {
      rememberInterrupted(place.staging, o.contentId, verifier.staged, verifier.current);
      await log?.close().catch(() => undefined);
    }
    // Otherwise nothing half-made stays behind: the staging folder goes (the published one was never touched).
    else {
      await log?.discard().catch(() => undefined);
      // A failed removal must not hide the refusal that caused it.
      await discardStaging(node, place.staging).catch(() => undefined);
    }
    throw e;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    tap?.destroy();
    verifier.destroy();
  }
}
