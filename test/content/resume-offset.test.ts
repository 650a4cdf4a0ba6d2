/**
 * Resuming inside a file, on real parts: a 200 MB file cut at about 150 MB (the connection to a
 * real sshd dropped: its sessions killed) resumes from the byte the node holds — the agent sends
 * only the file's remaining bytes, the node appends them to the very file it held (same inode)
 * and the completed file's SHA-256 is checked against the manifest before it is published.
 * A partial file damaged on the node is refused, naming it, and nothing is published. The same
 * resume works for a source whose agent serves SOAP: its resume arguments reach it over HTTP.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import { type ContentPlace, sitePlace } from '../../electron/core/content/layout';
import type { ContentSource } from '../../electron/core/content/transfer';
import type { OpenedServer } from '../../electron/core/servers/server-service';
import { tempDir } from '../helpers/paths';
import { type ServedAgent, serveAgent } from '../soap/served-agent';
import { type CutRig, type CutSite, cutSite, transferWhole } from './resume-harness';

const MB = 1024 * 1024;
const BIG = 200 * MB;
const CUT_AT = 150 * MB;
const DOMAIN = 'acme-widgets.example';
const CONTENT_ID = `site:${DOMAIN}`;
const PAST = new Date('2020-01-02T03:04:05Z');

let site: CutSite;
let docRoot: string;
let rig: CutRig;
let vhosts: string;

const fromSsh = (): ContentSource => rig.fromAgent(DOMAIN, CONTENT_ID);

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Size of `rel` in the staging folder, 0 while it is not there. */
async function stagedSize(place: ContentPlace, rel: string): Promise<number> {
  return (await stat(join(place.staging, rel)).catch(() => undefined))?.size ?? 0;
}

/**
 * Runs a transfer and kills one sshd's sessions once the node holds `atBytes` of `rel`; then
 * connects again. Returns the error the transfer ended with.
 */
function cutInside(
  place: ContentPlace,
  rel: string,
  atBytes: number,
  from: () => ContentSource,
  side: 'source' | 'node',
): Promise<unknown> {
  return rig.cut(
    async () => (await stagedSize(place, rel)) >= atBytes,
    side,
    () => rig.transfer({ contentId: CONTENT_ID, source: from(), place }),
  );
}

/** One large file, and small ones after it (the archive goes on past the resumed file). */
async function fillVideo(at: string): Promise<void> {
  await mkdir(join(at, 'video'), { recursive: true });
  const big = await open(join(at, 'video', 'film.mp4'), 'w');
  for (let i = 0; i < BIG / (8 * MB); i++) await big.write(randomBytes(8 * MB));
  await big.close();
  for (let i = 0; i < 5; i++) await writeFile(join(at, 'video', `zz-note-${i}.txt`), randomBytes(1000 + i));
  for (const f of ['film.mp4', 'zz-note-0.txt']) await utimes(join(at, 'video', f), PAST, PAST);
}

beforeAll(async () => {
  site = await cutSite('mm-resume-offset', DOMAIN, fillVideo);
  ({ rig, docRoot, vhosts } = site);
}, 180_000);

afterAll(() => site?.close());

describe('a transfer cut inside a large file', () => {
  it('resumes from the byte the node holds: only the rest of the file moves, appended to the same file', async () => {
    const place = sitePlace(vhosts, 31, '', CONTENT_ID);
    const error = await cutInside(place, 'video/film.mp4', CUT_AT, fromSsh, 'source');
    expect(String(error)).toMatch(/lost|closed/);
    const partial = await stat(join(place.staging, 'video', 'film.mp4'));
    expect(partial.size).toBeGreaterThanOrEqual(CUT_AT);
    expect(partial.size).toBeLessThan(BIG);

    const { moved } = await transferWhole(rig, docRoot, { contentId: CONTENT_ID, source: fromSsh(), place });
    // The rest of the large file moved, not its start: the site's other files are under 200 KB.
    expect(moved).toBeGreaterThanOrEqual(BIG - partial.size);
    expect(moved).toBeLessThan(BIG - partial.size + MB);
    // Appended to the file the node held, not written anew; no tail member left behind.
    const published = join(place.final, 'video', 'film.mp4');
    expect((await stat(published)).ino).toBe(partial.ino);
    expect(existsSync(join(place.final, '.mm-resume-tail'))).toBe(false);
    expect(await sha256(published)).toBe(await sha256(join(docRoot, 'video', 'film.mp4')));
    console.log(
      `resume inside a file: cut at ${(partial.size / MB).toFixed(1)} MB of ${BIG / MB} MB; ` +
        `the resume moved ${(moved / MB).toFixed(1)} MB`,
    );
  }, 300_000);

  it('cut again while the rest of the file moves: the next attempt resumes from the same byte', async () => {
    const place = sitePlace(vhosts, 34, '', CONTENT_ID);
    expect(String(await cutInside(place, 'video/film.mp4', 60 * MB, fromSsh, 'source'))).toMatch(
      /lost|closed/,
    );
    const partial = await stat(join(place.staging, 'video', 'film.mp4'));
    // The second attempt is cut while the tail arrives: the node's partial file is untouched.
    expect(String(await cutInside(place, '.mm-resume-tail', 30 * MB, fromSsh, 'node'))).toMatch(
      /lost|closed/,
    );
    expect((await stat(join(place.staging, 'video', 'film.mp4'))).size).toBe(partial.size);
    const { moved } = await transferWhole(rig, docRoot, { contentId: CONTENT_ID, source: fromSsh(), place });
    expect(moved).toBeGreaterThanOrEqual(BIG - partial.size);
    expect(moved).toBeLessThan(BIG - partial.size + MB);
    expect((await stat(join(place.final, 'video', 'film.mp4'))).ino).toBe(partial.ino);
  }, 300_000);

  it('refuses a partial file damaged on the node, naming it: nothing published, the staging gone', async () => {
    const place = sitePlace(vhosts, 32, '', CONTENT_ID);
    const error = await cutInside(place, 'video/film.mp4', 40 * MB, fromSsh, 'node');
    expect(String(error)).toMatch(/lost|closed/);
    // One byte of what the node holds changes (a disk fault, a hand on the node).
    const f = await open(join(place.staging, 'video', 'film.mp4'), 'r+');
    const one = Buffer.alloc(1);
    await f.read(one, 0, 1, 1000);
    await f.write(Buffer.from([one[0]! ^ 0xff]), 0, 1, 1000);
    await f.close();
    await expect(
      rig.transfer({
        contentId: CONTENT_ID,
        source: fromSsh(),
        place,
      }),
    ).rejects.toThrow(/video\/film\.mp4 does not match the agent's manifest after resuming inside it/);
    expect(existsSync(place.final)).toBe(false);
    expect(existsSync(place.staging)).toBe(false);
  }, 300_000);
});

describe('a SOAP source resumes too', () => {
  let served: ServedAgent;
  let core: Core;
  let opened: OpenedServer;

  beforeAll(async () => {
    served = await serveAgent('linux', { root: site.root });
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    const projectId = (await core.projects.create('SOAP resume')).id;
    await core.servers.add(projectId, {
      name: 'win01',
      kind: 'linux',
      connection: { type: 'soap', url: served.url },
      credentials: { token: served.token },
    });
    opened = await core.servers.open(projectId, 'win01');
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
    await served?.kill();
  });

  const fromSoap = (): ContentSource => (out, signal, extra) =>
    opened.agent.stream!(
      ['--extract=domainContent', `--domain-id=${DOMAIN}`, `--content-id=${CONTENT_ID}`, ...extra],
      out,
      { signal },
    );

  it('the resume arguments reach the agent over SOAP: only the rest of the cut file moves', async () => {
    const place = sitePlace(vhosts, 33, '', CONTENT_ID);
    // The node's connection drops (the SOAP source has no sshd to cut).
    const error = await cutInside(place, 'video/film.mp4', 60 * MB, fromSoap, 'node');
    expect(String(error)).toMatch(/lost|closed/);
    const partial = await stat(join(place.staging, 'video', 'film.mp4'));
    expect(partial.size).toBeGreaterThanOrEqual(60 * MB);
    expect(partial.size).toBeLessThan(BIG);
    const { moved } = await transferWhole(rig, docRoot, { contentId: CONTENT_ID, source: fromSoap(), place });
    expect(moved).toBeGreaterThanOrEqual(BIG - partial.size);
    expect(moved).toBeLessThan(BIG - partial.size + MB);
    expect((await stat(join(place.final, 'video', 'film.mp4'))).ino).toBe(partial.ino);
  }, 300_000);
});
