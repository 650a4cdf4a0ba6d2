/**
 * Resuming a transfer unpacked in lanes (unpack.ts), on real parts: the linux agent behind one
 * sshd, the web node behind another, 2 `tar -x` lanes. A cut (the source's or the node's sshd
 * sessions killed) leaves one half-written file per lane; the next attempt, with lanes again,
 * keeps the node's whole files from the start of the archive and the bytes of the first file
 * cut (its tail only moves, its SHA-256 taken on the node before publishing), moves the rest —
 * the other lane's files after that point again, bounded below — and publishes the source's site
 * file by file, never a half file.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContentPlace, sitePlace } from '../../electron/core/content/layout';
import { type CutRig, type CutSite, cutSite, transferWhole, writeClips } from './resume-harness';

const MB = 1024 * 1024;
const KB = 1024;
const FILES = 24;
const FILE_SIZE = 4 * MB;
const LANES = 2;
const DOMAIN = 'acme-widgets.example';
const CONTENT_ID = `site:${DOMAIN}`;
/** The source files' mtime: tar sets it only after a file's last byte (a cut file shows "now"). */
const PAST = new Date('2020-01-02T03:04:05Z');

/**
 * What one lane can have been given but not yet written on the node when the line is cut: its
 * PassThrough (1 MB writable + 1 MB readable side), ssh2's channel buffer (2 MB, its high-water
 * mark), the node sshd's channel window (OpenSSH's session window: 64 × 32 KB = 2 MB), the pipe
 * into tar (64 KB) and tar's record (-b 512: 256 KB).
 */
const IN_FLIGHT = 2 * MB + 2 * MB + 2 * MB + 64 * KB + 256 * KB;
/** tar-lanes.ts's FILE_COST: the lanes' work given may differ by one member plus this. */
const FILE_COST = 128 * KB;
/**
 * What a resume with lanes may move beyond the bytes the node does not hold. The resume keeps
 * the whole files from the archive's start up to the first file not whole (lane A's, cut), and
 * that file's bytes (its tail moves). Another lane's bytes after that point move again. Lane A
 * was given, from that file's start, its written part (≤ FILE_SIZE) plus what it had in flight
 * (≤ IN_FLIGHT); each other lane was given at most that plus one member and FILE_COST more
 * (the split gives each file to the least loaded lane); headers and padding are a few KB.
 */
const LANE_EXTRA = (LANES - 1) * (FILE_SIZE + IN_FLIGHT + FILE_SIZE + FILE_COST) + 64 * KB;

let site: CutSite;
let docRoot: string;
let rig: CutRig;
let vhosts: string;

/** Files of media/ in staging with their size, mtime (whole seconds) and inode. */
async function media(
  place: ContentPlace,
): Promise<Map<string, { size: number; mtime: number; ino: number }>> {
  const dir = join(place.staging, 'media');
  const out = new Map<string, { size: number; mtime: number; ino: number }>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (st) out.set(name, { size: st.size, mtime: Math.floor(st.mtimeMs / 1000), ino: st.ino });
  }
  return out;
}

/** Whole: the source's size and the mtime tar sets only after the last byte. */
const isWhole = (f: { size: number; mtime: number }): boolean =>
  f.size === FILE_SIZE && f.mtime === PAST.getTime() / 1000;

beforeAll(async () => {
  site = await cutSite('mm-resume-lanes', DOMAIN, (at) =>
    writeClips(join(at, 'media'), FILES, FILE_SIZE, PAST),
  );
  ({ rig, docRoot, vhosts } = site);
}, 120_000);

afterAll(() => site?.close());

describe(`a transfer in ${LANES} lanes, cut`, () => {
  for (const [side, webspace] of [
    ['source', 31],
    ['node', 32],
  ] as const)
    it(`by the ${side}'s connection: resumes in lanes, moving only the rest (and the other lane's bytes after the cut), the site whole`, async () => {
      const place = sitePlace(vhosts, webspace, '', CONTENT_ID);
      const error = await rig.cut(
        async () => [...(await media(place)).values()].filter(isWhole).length >= 8,
        side,
        () =>
          rig.transfer({
            contentId: CONTENT_ID,
            source: rig.fromAgent(DOMAIN, CONTENT_ID),
            place,
            lanes: LANES,
          }),
      );
      expect(String(error)).toMatch(/lost|closed/);
      expect(existsSync(place.final)).toBe(false);
      const after = await media(place);
      const whole = [...after].filter(([, f]) => isWhole(f));
      const partial = [...after].filter(([, f]) => !isWhole(f));
      expect(whole.length).toBeGreaterThanOrEqual(8);
      expect(whole.length).toBeLessThan(FILES);
      const held = [...after.values()].reduce((n, f) => n + f.size, 0);

      // The source's site, every file's bytes compared: no half file was published.
      const { moved } = await transferWhole(rig, docRoot, {
        contentId: CONTENT_ID,
        source: rig.fromAgent(DOMAIN, CONTENT_ID),
        place,
        lanes: LANES,
      });
      expect(existsSync(place.staging)).toBe(false);
      // Only the rest moved, plus at most what the other lane had written past the first cut file.
      const rest = FILES * FILE_SIZE - held;
      expect(moved).toBeGreaterThanOrEqual(rest);
      expect(moved).toBeLessThan(rest + LANE_EXTRA);
      // The whole files up to the first one the cut left behind are the very files tar wrote.
      const names = Array.from({ length: FILES }, (_x, i) => `clip-${String(i).padStart(2, '0')}.bin`);
      const firstCut = names.find((n) => {
        const f = after.get(n);
        return !f || !isWhole(f);
      });
      let kept = 0;
      for (const [name, f] of whole) {
        if (firstCut !== undefined && name > firstCut) continue;
        expect((await stat(join(place.final, 'media', name))).ino).toBe(f.ino);
        kept++;
      }
      expect(kept).toBeGreaterThan(0);
      console.log(
        `resume in ${LANES} lanes after a ${side} cut: ${whole.length} of ${FILES} files whole, ` +
          `${partial.length} half-written (${partial.map(([n, f]) => `${n} ${(f.size / MB).toFixed(1)} MB`).join(', ')}); ` +
          `${kept} kept; moved ${(moved / MB).toFixed(1)} MB for ${(rest / MB).toFixed(1)} MB the node lacked ` +
          `(${((moved - rest) / MB).toFixed(1)} MB again, bound ${(LANE_EXTRA / MB).toFixed(1)} MB)`,
      );
    }, 240_000);
});
