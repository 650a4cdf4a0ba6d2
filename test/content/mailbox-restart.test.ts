/**
 * A mailbox of many messages after a restart, and the first re-sync after a migration, on real
 * parts: the demo layout behind one sshd (the source, the real linux agent), the web and mail
 * nodes behind a second sshd reached through a TCP proxy that counts the bytes each way.
 *
 * - `mm migrate` is killed with SIGKILL while a Maildir of 6,000 messages (INBOX cur and new,
 *   a `.Archive` folder, flags in the names) is being staged; the next `mm migrate` moves only
 *   the messages the node does not hold (tarball bytes counted), and the mailbox on the node
 *   has exactly the source's messages: the same names (flags), bytes, folders, each Message-ID
 *   once.
 * - The marker written when the content was published carries the folders' and links'
 *   fingerprint, so the first `mm resync` right after the migration lists nothing on the node
 *   (bytes from the node counted) and moves nothing; a marker from before (without it) costs
 *   one full listing, once; a message delivered on the source moves alone.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResyncResult } from '../../shared/model/cutover';
import { contentKey } from '../../electron/core/content/layout';
import { lanesFor } from '../../electron/core/content/transfer';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { tempDir } from '../helpers/paths';
import { type Sshd, startSshd } from '../helpers/sshd';
import {
  PROJECT,
  type PreparedSource,
  freshRun,
  mm,
  mmOk,
  parseMigrate,
  prepareSource,
} from '../migration/env';
import { tree } from './helpers';
import { type CountingProxy, addNodes, countingProxy, killMigrateWhen, resumeLogs } from './resume-harness';

const DOMAIN = 'patlens.test';
const BOX = `pat@${DOMAIN}`;
const CONTENT_ID = `mailbox:${BOX}`;
// 6,000 messages: six times the resume log's batch, so what the restart keeps (the kill comes
// after INBOX / 3 + ARCHIVE, about 2,800 messages) is well beyond the one batch it may move again.
const INBOX = 4000;
const NEW = 500;
const ARCHIVE = 1500;
const FLAGS = ['', 'S', 'RS', 'FS', 'ST'];
/** The resume log appends every 1,000 files: at most that many whole messages move again. */
const LOG_BATCH = 1000;

/** A ustar member's bytes for a file of `size`: its header and the data padded to 512. */
const tarBytes = (size: number): number => 512 + Math.ceil(size / 512) * 512;

/** The node's `tar -x` lanes the manager unpacks a mailbox with (transfer.ts). */
const LANES = lanesFor(CONTENT_ID);
/**
 * What one lane can have been given but not yet written on the node when the manager dies: its
 * PassThrough (1 MB writable + 1 MB readable side), ssh2's channel buffer (2 MB), the node sshd's
 * channel window (OpenSSH's session window, 64 × 32 KB), the pipe into tar (64 KB) and tar's
 * record (-b 512: 256 KB).
 */
const LANE_IN_FLIGHT = 6 * 1024 * 1024 + 320 * 1024;
/** tar-lanes.ts's FILE_COST: what the split counts per file besides its bytes. */
const FILE_COST = 128 * 1024;

/**
 * Messages the lanes make move again, beyond the log batch: the resume keeps the whole messages
 * from the archive's start up to the first one not whole, in lane A (the one that fell behind).
 * Lane A was given, from that message on, at most LANE_IN_FLIGHT bytes more: n messages, n ≤
 * LANE_IN_FLIGHT / (smallest member) + 1. Each file goes to the lane with the least work given
 * (bytes + FILE_COST), so every other lane was given, from there, at most lane A's work plus one
 * member's: (n + 1) × (FILE_COST + largest) / (FILE_COST + smallest) messages, which it may
 * have written whole and which move again. With one lane this is 0.
 */
function laneExtraMessages(sizes: readonly number[]): number {
  const smallest = Math.min(...sizes);
  const largest = Math.max(...sizes);
  const n = Math.floor(LANE_IN_FLIGHT / tarBytes(smallest)) + 1;
  return (LANES - 1) * Math.ceil(((n + 1) * (FILE_COST + largest)) / (FILE_COST + smallest));
}

let source: PreparedSource;
let nodeSshd: Sshd;
let proxy: CountingProxy;
let run: { dataDir: string; sandbox: RunningSandbox };
let nodeDir: string;
let boxSource: string;
const mailRoot = (): string => join(nodeDir, 'mail');
const boxTarget = (): string => join(mailRoot(), DOMAIN, 'pat', 'Maildir');
const staging = (): string => join(mailRoot(), '.mm-staging', contentKey(CONTENT_ID));
const marker = (): string => join(mailRoot(), '.mm-content', contentKey(CONTENT_ID));

/** One message: headers and an incompressible body of 2–4 KB, its Message-ID unique. */
function message(id: string): string {
  const body = randomBytes(1500 + Math.floor(Math.random() * 1500)).toString('base64');
  return `From: sender@example.test\nTo: ${BOX}\nMessage-ID: <${id}@example.test>\nSubject: ${id}\n\n${body}\n`;
}

async function fillMaildir(dir: string): Promise<void> {
  for (const sub of ['cur', 'new', 'tmp', '.Archive/cur', '.Archive/new', '.Archive/tmp'])
    await mkdir(join(dir, sub), { recursive: true });
  const write = async (folder: string, n: number, prefix: string, flagged: boolean): Promise<void> => {
    for (let i = 0; i < n; i += 200)
      await Promise.all(
        Array.from({ length: Math.min(200, n - i) }, (_x, k) => {
          const j = i + k;
          const name = `${1_700_000_000 + j}.M${j}P${prefix}.src${flagged ? `:2,${FLAGS[j % FLAGS.length]}` : ''}`;
          return writeFile(join(dir, folder, name), message(`${prefix}-${j}`));
        }),
      );
  };
  await write('cur', INBOX, 'inbox', true);
  await write('new', NEW, 'new', false);
  await write('.Archive/cur', ARCHIVE, 'archive', true);
}

/** Message files below a Maildir: relative name → size. */
async function messages(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [rel, e] of await tree(dir))
    if (e.type === 'file' && /(^|\/)(cur|new)\/[^/]+$/.test(rel)) out.set(rel, e.size ?? 0);
  return out;
}

/** Every Message-ID below a Maildir, with how often it is there. */
async function messageIds(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const rel of (await messages(dir)).keys()) {
    const text = await readFile(join(dir, rel), 'utf8');
    const id = /^Message-ID: (.*)$/m.exec(text)?.[1] ?? `(none in ${rel})`;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

beforeAll(async () => {
  // nothing here asserts on the checks a batch runs when it ends (test/checks does)
  [source, nodeSshd] = await Promise.all([prepareSource({ checksAfterBatch: false }), startSshd()]);
  proxy = await countingProxy(nodeSshd.port);
  boxSource = join(source.root, 'var/mail/vhosts', DOMAIN, 'pat');
  nodeDir = await tempDir('mm-mailbox-restart-nodes-');
  // the mailbox is read when mm migrate runs: filled while the run's project is made
  [, run] = await Promise.all([
    fillMaildir(boxSource),
    freshRun(source).then(async (r) => {
      await addNodes(r.dataDir, nodeDir, proxy.port, nodeSshd);
      return r;
    }),
  ]);
}, 400_000);

afterAll(async () => {
  await run?.sandbox.close();
  await proxy?.close();
  await source?.stop();
  await nodeSshd?.stop();
});

describe('a Maildir of many messages, mm migrate killed with SIGKILL and started again', () => {
  it('moves only the messages the node does not hold; the mailbox arrives exactly, nothing twice', async () => {
    const project = join(run.dataDir, 'projects', PROJECT);
    const inStaging = async (): Promise<number> =>
      (await readdir(join(staging(), 'cur')).catch(() => [] as string[])).length;
    // Kill once the archive folder and part of INBOX are staged and the log says so.
    const { killed } = await killMigrateWhen(run.dataDir, async () => {
      if ((await inStaging()) < INBOX / 3) return false;
      return [...(await resumeLogs(project)).values()].some((n) => n > LOG_BATCH);
    });
    expect(killed, 'the batch was killed in the middle of the mailbox').toBe(true);
    expect(existsSync(boxTarget())).toBe(false);
    // What the node holds whole after the kill (tar may have finished a few more meanwhile).
    const want = await messages(boxSource);
    const held = await messages(staging());
    const whole = [...held].filter(([rel, size]) => want.get(rel) === size);
    expect(whole.length).toBeGreaterThan(ARCHIVE + INBOX / 3 - 1);
    expect(whole.length).toBeLessThan(want.size);
    const inodes = new Map<string, number>();
    for (const [rel] of whole) inodes.set(rel, (await stat(join(staging(), rel))).ino);

    proxy.sent = 0;
    const again = parseMigrate(await mm(run.dataDir, ['migrate', '--json']));
    expect(again.failures).toEqual([]);
    expect(again.state).toBe('done');
    const movedAgain = proxy.sent;

    // Exactly the source's mailbox: names (so flags), sizes, modes, mtimes, bytes, folders.
    expect(await tree(boxTarget())).toEqual(await tree(boxSource));
    const ids = await messageIds(boxTarget());
    expect(ids.size).toBe(want.size);
    expect([...ids].filter(([, n]) => n > 1)).toEqual([]);
    expect(await readdir(join(mailRoot(), '.mm-staging'))).toEqual([]);
    expect([...(await resumeLogs(project)).keys()]).toEqual([]);
    // The messages the node held whole were kept, except at most one log batch behind the kill
    // and, with lanes, what the other lanes had written past the first message not whole.
    const laneExtra = laneExtraMessages([...want.values()]);
    let kept = 0;
    for (const [rel, ino] of inodes) if ((await stat(join(boxTarget(), rel))).ino === ino) kept++;
    expect(kept).toBeGreaterThanOrEqual(whole.length - LOG_BATCH - laneExtra);
    // Bytes sent to the node the second time: the rest of the mailbox's tarball, plus at most one
    // log batch of messages again (and the lanes' extra), SSH framing and the demo's other content
    // (under 2 MB).
    const wholeNames = new Set(whole.map(([rel]) => rel));
    const rest = [...want].filter(([rel]) => !wholeNames.has(rel));
    const restBytes = rest.reduce((n, [, size]) => n + tarBytes(size), 0);
    const maxMessage = Math.max(...want.values());
    const allBytes = [...want.values()].reduce((n, size) => n + tarBytes(size), 0);
    expect(movedAgain).toBeGreaterThanOrEqual(restBytes);
    expect(movedAgain).toBeLessThan(
      restBytes + (LOG_BATCH + laneExtra) * tarBytes(maxMessage) + 2 * 1024 * 1024,
    );
    expect(movedAgain).toBeLessThan(allBytes);
    console.log(
      `mailbox resume after SIGKILL (${LANES} tar -x): ${whole.length} of ${want.size} messages staged whole, ${kept} kept; ` +
        `the second run sent ${(movedAgain / 1048576).toFixed(1)} MB to the node for a mailbox tarball of ` +
        `${(allBytes / 1048576).toFixed(1)} MB (rest ${(restBytes / 1048576).toFixed(1)} MB)`,
    );
  }, 600_000);
});

describe('the first mm resync after the migration', () => {
  const resync = async (
    args: string[] = [],
  ): Promise<{ r: ResyncResult; fromNode: number; toNode: number }> => {
    proxy.received = 0;
    proxy.sent = 0;
    const r = JSON.parse(
      (await mmOk(run.dataDir, ['resync', '--json', '--domains', DOMAIN, ...args])).stdout,
    ) as ResyncResult;
    return { r, fromNode: proxy.received, toNode: proxy.sent };
  };
  const NONE = { files: 0, messages: 0, databases: 0, deleted: 0, bytes: 0 };
  /** A listing of the mailbox's files from the node would be ≥ 64 hex digits per message. */
  const FULL_LISTING = (INBOX + NEW + ARCHIVE) * 64;

  it('lists nothing on the node and moves nothing: the published marker holds the tree fingerprint', async () => {
    const published = JSON.parse(await readFile(marker(), 'utf8')) as Record<string, unknown>;
    expect(published['contentId']).toBe(CONTENT_ID);
    expect(published['treeSha256']).toMatch(/^[0-9a-f]{64}$/);
    const before = await stat(marker());
    const { r, fromNode, toNode } = await resync();
    expect(r.changes).toEqual(NONE);
    expect(r.items).toEqual([]);
    // The node was asked for the markers only: no file listing, no hashing there.
    expect(fromNode).toBeLessThan(FULL_LISTING / 10);
    expect(toNode).toBeLessThan(256 * 1024);
    // Nothing to learn: the marker was not rewritten.
    expect((await stat(marker())).mtimeMs).toBe(before.mtimeMs);
    console.log(`first resync after the migration: ${fromNode} bytes from the node, ${toNode} to it`);
  }, 300_000);

  it('a marker from before the fingerprint costs one full listing, once', async () => {
    const published = JSON.parse(await readFile(marker(), 'utf8')) as Record<string, unknown>;
    const { treeSha256: fingerprint, ...old } = published;
    await writeFile(marker(), `${JSON.stringify(old)}\n`);
    const first = await resync();
    expect(first.r.changes).toEqual(NONE);
    expect(first.fromNode).toBeGreaterThan(FULL_LISTING);
    // The pass learnt the same fingerprint the publish wrote.
    expect((JSON.parse(await readFile(marker(), 'utf8')) as Record<string, unknown>)['treeSha256']).toBe(
      fingerprint,
    );
    const second = await resync();
    expect(second.r.changes).toEqual(NONE);
    expect(second.fromNode).toBeLessThan(FULL_LISTING / 10);
  }, 300_000);

  it('a message delivered on the source moves alone', async () => {
    const delivered = message('late-1');
    await writeFile(join(boxSource, 'new', '1800000000.M1P1.src'), delivered);
    const { r, toNode } = await resync();
    expect(r.changes).toEqual({ ...NONE, messages: 1, bytes: Buffer.byteLength(delivered) });
    expect(r.items.map((i) => [i.content, i.added, i.changed, i.deleted])).toEqual([
      [CONTENT_ID, ['new/1800000000.M1P1.src'], [], []],
    ]);
    expect(toNode).toBeLessThan(256 * 1024);
    expect(await tree(boxTarget())).toEqual(await tree(boxSource));
  }, 300_000);
});
