/**
 * Resuming a cut content transfer, on real parts: the linux agent behind one sshd, the web node
 * behind another. The source sshd's sessions are killed mid-transfer (the connection drops); the
 * next attempt moves only what the node does not hold yet — the files it lacks and the rest of
 * the one the cut left partial, counted in tarball bytes and proven by the staged files keeping
 * their inodes — and the published site is the source's,
 * file by file. A file changed on the source between the attempts fails the resume naming it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContentPlace, sitePlace } from '../../electron/core/content/layout';
import { type CutRig, type CutSite, cutSite, transferWhole, writeClips } from './resume-harness';

const MB = 1024 * 1024;
const FILES = 40;
const FILE_SIZE = 4 * MB;
const DOMAIN = 'acme-widgets.example';
const CONTENT_ID = `site:${DOMAIN}`;
/** The source files' mtime: one tar sets only after a file's last byte (a cut file shows "now"). */
const PAST = new Date('2020-01-02T03:04:05Z');

let site: CutSite;
let docRoot: string;
let rig: CutRig;
let vhosts: string;

const fromAgent = (): ReturnType<CutRig['fromAgent']> => rig.fromAgent(DOMAIN, CONTENT_ID);

/** The files in staging that tar finished (full size), while the transfer runs. */
async function wholeInStaging(place: ContentPlace): Promise<number> {
  const dir = join(place.staging, 'media');
  let n = 0;
  for (const name of await readdir(dir).catch(() => [] as string[]))
    if ((await stat(join(dir, name)).catch(() => undefined))?.size === FILE_SIZE) n++;
  return n;
}

/** The files staged whole (size and mtime), with the inodes tar gave them. */
async function stagedWhole(place: ContentPlace): Promise<Map<string, number>> {
  const staged = new Map<string, number>();
  for (const name of await readdir(join(place.staging, 'media'))) {
    const st = await stat(join(place.staging, 'media', name));
    if (st.size === FILE_SIZE && Math.floor(st.mtimeMs / 1000) === PAST.getTime() / 1000)
      staged.set(name, st.ino);
  }
  return staged;
}

/** Bytes the node holds of the media files (whole ones and the one the cut left partial). */
async function heldBytes(place: ContentPlace): Promise<number> {
  const dir = join(place.staging, 'media');
  let n = 0;
  for (const name of await readdir(dir)) n += (await stat(join(dir, name))).size;
  return n;
}

/** Runs a transfer and kills one sshd's sessions once `atFiles` files are staged whole. */
async function cutAfter(
  place: ContentPlace,
  atFiles: number,
  side: 'source' | 'node' = 'source',
): Promise<{ error: unknown; moved: number }> {
  let moved = 0;
  const error = await rig.cut(
    async () => (await wholeInStaging(place)) >= atFiles,
    side,
    () => rig.transfer({ contentId: CONTENT_ID, source: fromAgent(), place, onProgress: (b) => (moved = b) }),
  );
  return { error, moved };
}

beforeAll(async () => {
  site = await cutSite('mm-resume', DOMAIN, (at) => writeClips(join(at, 'media'), FILES, FILE_SIZE, PAST));
  ({ rig, docRoot, vhosts } = site);
}, 120_000);

afterAll(() => site?.close());

/**
 * Cuts a transfer on `side` once `atFiles` files are staged whole, then runs it again: nothing
 * is published by the cut attempt, at least `wholeAtLeast` files are staged whole (not all),
 * the resume moves only the rest — the files not staged whole, less what the node held of the
 * one cut (its tail only), plus headers and padding — and the staged files are the very files
 * tar wrote before the cut (their inodes).
 */
async function cutAndResume(
  place: ContentPlace,
  atFiles: number,
  side: 'source' | 'node',
  wholeAtLeast: number,
): Promise<{ cutMoved: number; staged: Map<string, number>; held: number; moved: number }> {
  const first = await cutAfter(place, atFiles, side);
  expect(String(first.error)).toMatch(/lost|closed/);
  expect(existsSync(place.final)).toBe(false);
  // What the node holds whole after the cut, with the inodes tar gave those files.
  const staged = await stagedWhole(place);
  expect(staged.size).toBeGreaterThanOrEqual(wholeAtLeast);
  expect(staged.size).toBeLessThan(FILES);
  const held = await heldBytes(place);

  // the site published whole, as the source holds it
  const { moved } = await transferWhole(rig, docRoot, { contentId: CONTENT_ID, source: fromAgent(), place });
  const rest = FILES * FILE_SIZE - held;
  expect(moved).toBeGreaterThanOrEqual(rest);
  expect(moved).toBeLessThan(rest + MB);
  for (const [name, ino] of staged) expect((await stat(join(place.final, 'media', name))).ino).toBe(ino);
  return { cutMoved: first.moved, staged, held, moved };
}

describe('a transfer cut by a dropped source connection', () => {
  it('resumes where it stopped: the staged files are not moved again, the site arrives whole', async () => {
    const { cutMoved, staged, held, moved } = await cutAndResume(
      sitePlace(vhosts, 21, '', CONTENT_ID),
      10,
      'source',
      9,
    );
    console.log(
      `resume: cut after ${(cutMoved / MB).toFixed(0)} MB with ${staged.size} of ${FILES} files staged whole; ` +
        `the resume moved ${(moved / MB).toFixed(1)} MB of ${((FILES * FILE_SIZE) / MB).toFixed(0)} MB ` +
        `(${((held - staged.size * FILE_SIZE) / MB).toFixed(1)} MB of the cut file kept)`,
    );
  }, 180_000);

  it('resumes after the node’s connection dropped, moving only what the node does not hold whole', async () => {
    // The files tar finished before the cut stay (their inodes); of the one it was writing only
    // the bytes the node does not hold move.
    await cutAndResume(sitePlace(vhosts, 23, '', CONTENT_ID), 8, 'node', 7);
  }, 180_000);

  it('fails naming a staged file that changed on the source since the cut, publishing nothing; the next attempt starts over', async () => {
    const place = sitePlace(vhosts, 22, '', CONTENT_ID);
    const first = await cutAfter(place, 5);
    expect(String(first.error)).toMatch(/lost|closed/);
    const changed = join(docRoot, 'media', 'clip-01.bin');
    const before = await stat(changed);
    await writeFile(changed, randomBytes(FILE_SIZE));
    await utimes(changed, PAST, PAST);
    await expect(
      rig.transfer({
        contentId: CONTENT_ID,
        source: fromAgent(),
        place,
      }),
    ).rejects.toThrow(/media\/clip-01\.bin does not match the agent's manifest/);
    expect(existsSync(place.final)).toBe(false);
    expect(existsSync(place.staging)).toBe(false);
    expect(before.size).toBe(FILE_SIZE);
    const { moved } = await transferWhole(rig, docRoot, {
      contentId: CONTENT_ID,
      source: fromAgent(),
      place,
    });
    expect(moved).toBeGreaterThan(FILES * FILE_SIZE);
  }, 180_000);
});
