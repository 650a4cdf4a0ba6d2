/**
 * The verified tarball dealt out into lanes (tar-lanes.ts, unpack.ts), each unpacked by a real
 * GNU `tar -x` on the local machine's transport: the agent's tarball of a tree with folders of
 * their own modes and mtimes, a read-only folder, a symlink, a 150+ character name (pax), an
 * empty file and a file larger than a chunk arrives the same with 1, 2 and 3 lanes; a lane that
 * fails fails the unpack with its message; a mailbox and a site moved with 2 lanes between
 * real sshds (the linux agent's tarball) arrive as the source holds them.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCommunicator } from '../../electron/core/agent/agent-communicator';
import type { SshConnection } from '../../electron/core/agent/ssh-transport';
import { mailboxPlace, sitePlace } from '../../electron/core/content/layout';
import { transferContent } from '../../electron/core/content/transfer';
import { type ContentRig, contentRig, tree } from './helpers';
import { localTransport } from '../../electron/core/agent/local-transport';
import type { Transport } from '../../electron/core/agent/transport';
import { TarLanes } from '../../electron/core/content/tar-lanes';
import { TarVerifier } from '../../electron/core/content/tar-verify';
import { unpackOnNode } from '../../electron/core/content/unpack';
import { AGENTS, tempDir } from '../helpers/layouts/agent-harness';

const LONG = `${'l'.repeat(120)}/${'m'.repeat(60)}.txt`;

/** A source tree and the agent library's tarball of it (Tar.pm: folders, files, a symlink, a manifest). */
function sourceTarball(): { src: string; tarball: string } {
  const src = tempDir('lanes-src');
  mkdirSync(join(src, 'cur'));
  mkdirSync(join(src, '.Sent/cur'), { recursive: true });
  mkdirSync(join(src, LONG, '..'), { recursive: true });
  for (let i = 0; i < 300; i++)
    writeFileSync(join(src, i % 3 ? 'cur' : '.Sent/cur', `m${i}:2,S`), `message ${i}\n`.repeat(i % 40));
  writeFileSync(join(src, LONG), 'long name');
  writeFileSync(join(src, 'big.bin'), randomBytes(3 * 1024 * 1024 + 5));
  symlinkSync('cur/m1:2,S', join(src, 'link'));
  mkdirSync(join(src, 'ro'));
  writeFileSync(join(src, 'ro/inside.txt'), 'inside a read-only folder');
  chmodSync(join(src, 'ro'), 0o555);
  chmodSync(join(src, 'cur'), 0o750);
  // Folder mtimes set last (writing into a folder changes its mtime).
  for (const [d, t] of [
    ['cur', 1_600_000_000],
    ['.Sent/cur', 1_600_000_100],
    ['ro', 1_600_000_200],
    ['.Sent', 1_600_000_300],
  ] as const)
    utimesSync(join(src, d), t, t);
  const tarball = join(tempDir('lanes-tar'), 'a.tar');
  const code = `use lib '${AGENTS}/lib'; use MigrationAgent::Tar; open(my $fh, '>', $ARGV[1]) or die; my $t = MigrationAgent::Tar->new($fh); $t->add_tree($ARGV[0]); $t->finish; close $fh or die;`;
  execFileSync('perl', ['-e', code, src, tarball]);
  return { src, tarball };
}

/** What `find` says of a tree: type, mode, mtime (folders and files), size and link target per path. */
const describeTree = (dir: string): string =>
  execFileSync('find', ['.', '-printf', '%y %m %T@ %s %l %p\n'], { cwd: dir, encoding: 'utf8' })
    .split('\n')
    .filter((l) => l !== '' && !l.endsWith(' .'))
    // A symlink's own mtime is when tar made it (its target is what counts); tar keeps whole seconds.
    .map((l) => (l.startsWith('l ') ? l.replace(/^l \d+ \S+/, 'l') : l.replace(/^(\S+ \S+ \d+)\.\d+/, '$1')))
    .sort()
    .join('\n');

async function unpack(
  tarball: string,
  lanes: number,
  minFiles = 300,
): Promise<{ dir: string; code: number; stderr: string }> {
  const dir = tempDir(`lanes-x${lanes}`);
  const verifier = new TarVerifier('site:lanes.example');
  createReadStream(tarball, { highWaterMark: 7 * 1024 + 13 }).pipe(verifier);
  const r = await unpackOnNode({
    node: localTransport(),
    staging: dir,
    tarball: verifier,
    lanes,
    signal: new AbortController().signal,
    timeoutMs: 120_000,
  });
  expect(verifier.result?.files).toBeGreaterThan(minFiles);
  return { dir, code: r.code, stderr: r.stderr };
}

describe('content unpacked in lanes', () => {
  it('arrives the same with 1, 2 and 3 lanes: contents, modes, folder mtimes, symlinks, long names', async () => {
    const { src, tarball } = sourceTarball();
    const want = describeTree(src);
    for (const lanes of [1, 2, 3]) {
      const { dir, code } = await unpack(tarball, lanes);
      expect(code).toBe(0);
      expect(describeTree(dir)).toBe(want);
      expect(readFileSync(join(dir, 'big.bin')).equals(readFileSync(join(src, 'big.bin')))).toBe(true);
      expect(readFileSync(join(dir, LONG), 'utf8')).toBe('long name');
      expect(readlinkSync(join(dir, 'link'))).toBe('cur/m1:2,S');
      expect(lstatSync(join(dir, 'ro')).mode & 0o777).toBe(0o555);
      chmodSync(join(dir, 'ro'), 0o755);
    }
    chmodSync(join(src, 'ro'), 0o755);
  }, 120_000);

  it('deals regular files out to every lane, folders to every lane (owner-writable) and the last run, symlinks to the last run only', async () => {
    const { tarball } = sourceTarball();
    const split = new TarLanes(2);
    const got: Buffer[][] = [[], []];
    split.lanes.forEach((lane, i) => lane.on('data', (d: Buffer) => got[i]?.push(d)));
    await new Promise<void>((resolve, reject) => {
      createReadStream(tarball)
        .pipe(new TarVerifier('site:lanes.example'))
        .pipe(split)
        .on('finish', resolve)
        .on('error', reject);
    });
    await new Promise((r) => setImmediate(r));
    const tarFile = (b: Buffer): string => {
      const f = join(tempDir('lanes-list'), 'l.tar');
      writeFileSync(f, b);
      return f;
    };
    const list = (b: Buffer): string[] =>
      execFileSync('tar', ['-tf', tarFile(b)], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    /** The mode tar lists for a member ("drwxr-xr-x"). */
    const modeOf = (b: Buffer, name: string): string | undefined =>
      execFileSync('tar', ['-tvf', tarFile(b)], { encoding: 'utf8' })
        .split('\n')
        .find((l) => l.endsWith(` ${name}`))
        ?.split(' ')[0];
    const laneTars = got.map((parts) => Buffer.concat(parts));
    const lanes = laneTars.map(list);
    const last = list(split.lastRun());
    const folders = ['.Sent/', '.Sent/cur/', 'cur/', `${'l'.repeat(120)}/`, 'ro/'];
    for (const [i, names] of lanes.entries()) {
      expect(names.length).toBeGreaterThan(100);
      expect(names).not.toContain('link');
      // Every folder, each before the files inside it.
      expect(names.filter((n) => n.endsWith('/')).sort()).toEqual([...folders].sort());
      for (const n of names) {
        const parent = n.replace(/[^/]+\/?$/, '');
        if (parent !== '') expect(names.indexOf(parent), n).toBeLessThan(names.indexOf(n));
      }
      // The read-only folder is writable in the lanes, read-only in the last run.
      expect(modeOf(laneTars[i] as Buffer, 'ro/')).toBe('drwxr-xr-x');
    }
    expect(modeOf(split.lastRun(), 'ro/')).toBe('dr-xr-xr-x');
    expect(lanes.flat()).toContain(LONG);
    expect(new Set(last)).toEqual(new Set([...folders, 'link']));
  }, 60_000);

  it('many fresh folders shared by 3 lanes: each lane makes its folders itself, no lane fails to open a file', async () => {
    // Each folder's files go to different lanes: left to make a missing folder on its own, a
    // tar failed the file when another lane made that folder first ("Cannot open: No such file
    // or directory"), as the demo mailboxes' cur/ showed.
    const src = tempDir('lanes-folders');
    for (let d = 0; d < 300; d++) {
      mkdirSync(join(src, `d${d}`, 'cur'), { recursive: true });
      for (let f = 0; f < 3; f++) writeFileSync(join(src, `d${d}`, 'cur', `m${f}`), `${d}/${f}\n`);
    }
    const tarball = join(tempDir('lanes-folders-tar'), 'a.tar');
    const code = `use lib '${AGENTS}/lib'; use MigrationAgent::Tar; open(my $fh, '>', $ARGV[1]) or die; my $t = MigrationAgent::Tar->new($fh); $t->add_tree($ARGV[0]); $t->finish; close $fh or die;`;
    execFileSync('perl', ['-e', code, src, tarball]);
    const want = describeTree(src);
    for (let round = 0; round < 4; round++) {
      const { dir, code: exit, stderr } = await unpack(tarball, 3, 899);
      expect(stderr).toBe('');
      expect(exit).toBe(0);
      expect(describeTree(dir)).toBe(want);
    }
  }, 120_000);

  it('a lane read slower than the tarball arrives still gets every byte and its end (the 2-lane hang)', async () => {
    // The node's tar is slower than the source under load: the split finishes while a lane
    // still holds bytes its tar has not read. Those bytes and the lane's end must still arrive
    // (they were thrown away when the finished split destroyed its lanes, and that tar waited
    // for the rest of its archive forever).
    const { src, tarball } = sourceTarball();
    const split = new TarLanes(2);
    const got: Buffer[][] = [[], []];
    let heldAtFinish: number[] = [];
    split.on('finish', () => (heldAtFinish = split.lanes.map((l) => l.readableLength)));
    const ended = split.lanes.map(
      (lane, i) =>
        new Promise<void>((resolve, reject) => {
          const slow = new Writable({
            highWaterMark: 16 * 1024,
            write: (chunk: Buffer, _enc, done) => {
              got[i]?.push(chunk);
              setTimeout(done, 2);
            },
            final: (done) => {
              resolve();
              done();
            },
          });
          lane.on('close', () =>
            lane.readableEnded ? undefined : reject(new Error(`lane ${i} closed without its end`)),
          );
          lane.pipe(slow);
        }),
    );
    createReadStream(tarball).pipe(new TarVerifier('site:lanes.example')).pipe(split);
    await Promise.all(ended);
    // The race was there to lose: a lane still held bytes when the split finished.
    expect(Math.max(...heldAtFinish)).toBeGreaterThan(0);
    // Each lane's bytes, then the last run, unpacked by real tar: the source's tree exactly.
    const dir = tempDir('lanes-slow');
    for (const part of [...got.map((parts) => Buffer.concat(parts)), split.lastRun()])
      execFileSync('tar', ['--no-same-owner', '-xpf', '-', '-C', dir], { input: part });
    expect(describeTree(dir)).toBe(describeTree(src));
    expect(readFileSync(join(dir, 'big.bin')).equals(readFileSync(join(src, 'big.bin')))).toBe(true);
    chmodSync(join(dir, 'ro'), 0o755);
    chmodSync(join(src, 'ro'), 0o755);
  }, 60_000);

  it('a lane whose command ends without reading its archive fails the unpack instead of waiting for it', async () => {
    const { tarball } = sourceTarball();
    const local = localTransport();
    // The first lane's command is `true`: it exits 0 at once, reading nothing.
    let lanes = 0;
    const node: Transport = {
      ...local,
      exec: (argv, options) => local.exec(argv[0] === 'tar' && lanes++ === 0 ? ['true'] : argv, options),
    };
    const verifier = new TarVerifier('site:lanes.example');
    createReadStream(tarball).pipe(verifier);
    const started = Date.now();
    await expect(
      unpackOnNode({
        node,
        staging: tempDir('lanes-early'),
        tarball: verifier,
        lanes: 2,
        signal: new AbortController().signal,
        timeoutMs: 60_000,
      }),
    ).rejects.toThrow(/A tar -x lane on local ended before its archive did/);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('a lane whose tar fails fails the unpack with its exit and message', async () => {
    const { tarball } = sourceTarball();
    const parent = tempDir('lanes-fail');
    // The staging folder is a file: every tar fails to change into it.
    const staging = join(parent, 'staging');
    writeFileSync(staging, 'not a folder');
    const verifier = new TarVerifier('site:lanes.example');
    createReadStream(tarball).pipe(verifier);
    const r = await unpackOnNode({
      node: localTransport(),
      staging,
      tarball: verifier,
      lanes: 2,
      signal: new AbortController().signal,
      timeoutMs: 60_000,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/staging/);
  }, 60_000);
});

describe('content moved in lanes between real sshds', () => {
  let rig: ContentRig;
  let nodeConn: SshConnection;
  let agent: AgentCommunicator;
  let root: string;
  beforeAll(async () => {
    rig = await contentRig('lanes');
    ({ root, nodeConn, agent } = rig);
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('a mailbox and a site with 2 lanes: the same tree as the source, published with its marker', async () => {
    const nodeDir = tempDir('lanes-node');
    for (const [contentId, domain, place, from] of [
      [
        'mailbox:ann@acme-widgets.test',
        'acme-widgets.test',
        mailboxPlace(join(nodeDir, 'mail'), 'ann@acme-widgets.test', 'mailbox:ann@acme-widgets.test'),
        join(root, 'var/mail/vhosts/acme-widgets.test/ann'),
      ],
      [
        'site:acme-widgets.test',
        'acme-widgets.test',
        sitePlace(join(nodeDir, 'vhosts'), 1, '', 'site:acme-widgets.test'),
        join(root, 'home/acme/web/acme-widgets.test/public_html'),
      ],
    ] as const) {
      const marker = await transferContent({
        contentId,
        source: (out, signal, extra) =>
          agent.stream(
            ['--extract=domainContent', `--domain-id=${domain}`, `--content-id=${contentId}`, ...extra],
            out,
            {
              signal,
            },
          ),
        node: nodeConn,
        place,
        signal: new AbortController().signal,
        lanes: 2,
      });
      const want = await tree(from);
      expect(await tree(place.final)).toEqual(want);
      expect(marker.files).toBe([...want.values()].filter((e) => e.type === 'file').length);
    }
  }, 120_000);
});
