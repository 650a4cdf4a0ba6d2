/**
 * The agent's side of resuming inside a file, on the real linux agent (Perl) over a demo layout:
 * `--resume-member`/`--resume-offset` send that file's bytes from the offset on as the member
 * .mm-resume-tail (read back with GNU tar) while the manifest keeps the whole file's SHA-256,
 * and a resume point that no longer fits the source fails with a message saying to start over.
 * The manager's verifier takes that tail only for the file and offset it resumes, and leaves the
 * whole file's hash to be checked on the node.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { type ResumeTail, TarVerifier, type VerifiedContent } from '../../electron/core/content/tar-verify';
import { REPO_ROOT, tempDir } from '../helpers/paths';

const DOMAIN = 'acme-widgets.example';
let root: string;
let docRoot: string;
let data: Buffer;

function agent(...extra: string[]): { code: number; tar: Buffer; stderr: string } {
  const r = spawnSync(
    'perl',
    [
      join(REPO_ROOT, 'agents/linux/agent.pl'),
      `--root=${root}`,
      '--extract=domainContent',
      `--domain-id=${DOMAIN}`,
      `--content-id=site:${DOMAIN}`,
      ...extra,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return { code: r.status ?? -1, tar: r.stdout, stderr: r.stderr.toString() };
}

/** Members of a tarball, unpacked by GNU tar. */
async function unpack(tar: Buffer): Promise<string> {
  const dir = await tempDir('mm-resume-agent-out-');
  const r = spawnSync('tar', ['-xf', '-', '-C', dir], { input: tar });
  expect(r.status, r.stderr.toString()).toBe(0);
  return dir;
}

/** The tarball through the manager's verifier, seeded with the files before the resume point. */
async function verify(tar: Buffer, tail?: ResumeTail): Promise<VerifiedContent | undefined> {
  const before = ['about.html', 'css/style.css', 'index.html'];
  const staged = await Promise.all(
    before.map(async (name) => {
      const bytes = await readFile(join(docRoot, name));
      return { name, size: bytes.length, mtime: 0, sha256: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
  const v = new TarVerifier(`site:${DOMAIN}`, undefined, staged, tail ? { tail } : {});
  const sink = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const _ of source);
  };
  await pipeline(Readable.from([tar]), v, sink);
  return v.result;
}

beforeAll(async () => {
  root = await tempDir('mm-resume-agent-');
  buildDemoLayout(root);
  docRoot = join(root, 'home/acme/web', DOMAIN, 'public_html');
  await mkdir(join(docRoot, 'media'), { recursive: true });
  data = Buffer.from(Array.from({ length: 700_001 }, (_, i) => (i * 7) % 251));
  await writeFile(join(docRoot, 'media', 'clip.bin'), data);
}, 60_000);

describe('the agent resuming inside a file', () => {
  it('sends the rest of the file as .mm-resume-tail, after the resume point; the manifest hashes the whole file', async () => {
    const r = agent('--resume-after=index.html', '--resume-member=media/clip.bin', '--resume-offset=300000');
    expect(r.code, r.stderr).toBe(0);
    const out = await unpack(r.tar);
    expect((await readFile(join(out, '.mm-resume-tail'))).equals(data.subarray(300_000))).toBe(true);
    // Files up to the resume point are left out; the resumed file is not sent under its name.
    const listing = spawnSync('tar', ['-tf', '-'], { input: r.tar }).stdout.toString().split('\n');
    expect(listing).not.toContain('index.html');
    expect(listing).not.toContain('media/clip.bin');
    const manifest = await readFile(join(out, 'MANIFEST.sha256'), 'utf8');
    expect(manifest).toContain(`${createHash('sha256').update(data).digest('hex')}  media/clip.bin\n`);
  });

  it("the verifier takes the tail only for the file and offset it resumes; the whole file's hash is left for the node", async () => {
    const r = agent('--resume-after=index.html', '--resume-member=media/clip.bin', '--resume-offset=300000');
    const ok = await verify(r.tar, { name: 'media/clip.bin', size: data.length, offset: 300_000 });
    expect(ok?.tail).toEqual({
      name: 'media/clip.bin',
      sha256: createHash('sha256').update(data).digest('hex'),
    });
    expect(ok?.files).toBe(4);
    await expect(verify(r.tar)).rejects.toThrow(
      /member "\.mm-resume-tail" is not the resumed file's remaining bytes/,
    );
    await expect(
      verify(r.tar, { name: 'media/clip.bin', size: data.length, offset: 200_000 }),
    ).rejects.toThrow(/\.mm-resume-tail/);
  });

  it('fails saying to start over when the resumed file is not the next one, or is shorter than the offset', async () => {
    const notNext = agent('--resume-member=media/clip.bin', '--resume-offset=10');
    expect(notNext.code).not.toBe(0);
    expect(notNext.stderr).toMatch(
      /the resume point media\/clip\.bin is no longer the next file .*start the transfer over/,
    );
    const shorter = agent(
      '--resume-after=index.html',
      '--resume-member=media/clip.bin',
      `--resume-offset=${data.length + 1}`,
    );
    expect(shorter.code).not.toBe(0);
    expect(shorter.stderr).toMatch(
      /media\/clip\.bin is now 700001 bytes, less than the 700002 bytes resumed from/,
    );
    const gone = agent(
      '--resume-after=media/clip.bin',
      '--resume-member=media/zz-gone.bin',
      '--resume-offset=1',
    );
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/media\/zz-gone\.bin to resume inside is no longer in the content/);
    const noOffset = agent('--resume-member=media/clip.bin');
    expect(noOffset.code).toBe(2);
    expect(noOffset.stderr).toMatch(/--resume-member needs --resume-offset/);
  });
});
