/**
 * One content id at a time, on real parts: the linux agent's domainContent tarball from the
 * demo layout behind one sshd, streamed through the manager's verifier into `tar -x` on a
 * second sshd (the target node). Bytes compared file by file; damage in flight, members that
 * leave the root and symlinks out of it refused with nothing published; memory flat while a
 * large file streams.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCommunicator } from '../../electron/core/agent/agent-communicator';
import type { SshConnection } from '../../electron/core/agent/ssh-transport';
import { mailboxPlace, sitePlace } from '../../electron/core/content/layout';
import { type ContentSource, readMarker, transferContent } from '../../electron/core/content/transfer';
import { tempDir } from '../helpers/paths';
import type { Sshd } from '../helpers/sshd';
import { type ContentRig, connectTo, contentRig, tree } from './helpers';

let rig: ContentRig;
let node: Sshd;
let root: string;
let nodeConn: SshConnection;
let agent: AgentCommunicator;
let vhosts: string;
let mailRoot: string;

const fromAgent =
  (domain: string, contentId: string): ContentSource =>
  (out, signal) =>
    agent.stream(['--extract=domainContent', `--domain-id=${domain}`, `--content-id=${contentId}`], out, {
      signal,
    });

/** A tarball made by the system's tar (a hostile or broken source), streamed as the source. */
const fromTar =
  (cwd: string, args: readonly string[]): ContentSource =>
  (out) =>
    new Promise((resolve, reject) => {
      const child = spawn('tar', [...args], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.pipe(out);
      child.on('error', reject);
      child.on('close', () => resolve());
    });

const signal = (): AbortSignal => new AbortController().signal;

beforeAll(async () => {
  rig = await contentRig('mm-content');
  ({ node, root, nodeConn, agent } = rig);
  const nodeDir = await tempDir('mm-content-node-');
  vhosts = join(nodeDir, 'vhosts');
  mailRoot = join(nodeDir, 'mail');
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

describe('a site from the source to the web node', () => {
  it('arrives byte for byte with modes and mtimes, published with its marker and no staging left', async () => {
    const place = sitePlace(vhosts, 7, '', 'site:acme-widgets.test');
    const marker = await transferContent({
      contentId: 'site:acme-widgets.test',
      source: fromAgent('acme-widgets.test', 'site:acme-widgets.test'),
      node: nodeConn,
      place,
      signal: signal(),
    });
    const want = await tree(join(root, 'home/acme/web/acme-widgets.test/public_html'));
    const got = await tree(place.final);
    expect(got).toEqual(want);
    const files = [...want.values()].filter((e) => e.type === 'file');
    expect(marker.files).toBe(files.length);
    expect(marker.bytes).toBe(files.reduce((n, e) => n + (e.size ?? 0), 0));
    expect(place.final).toBe(join(vhosts, '7', 'webspace', 'httpdocs'));
    expect(await readMarker(nodeConn, place)).toEqual(marker);
    expect(existsSync(place.staging)).toBe(false);
  });

  it('keeps a mailbox Maildir whole: flags in the names, dates, the Sent folder', async () => {
    const place = mailboxPlace(mailRoot, 'ann@acme-widgets.test', 'mailbox:ann@acme-widgets.test');
    const marker = await transferContent({
      contentId: 'mailbox:ann@acme-widgets.test',
      source: fromAgent('acme-widgets.test', 'mailbox:ann@acme-widgets.test'),
      node: nodeConn,
      place,
      signal: signal(),
    });
    const want = await tree(join(root, 'var/mail/vhosts/acme-widgets.test/ann'));
    const got = await tree(place.final);
    expect(got).toEqual(want);
    expect([...got.keys()].some((k) => k.startsWith('.Sent/cur/') && k.endsWith(':2,S'))).toBe(true);
    expect(marker.files).toBe([...want.values()].filter((e) => e.type === 'file').length);
    expect(place.final).toBe(join(mailRoot, 'acme-widgets.test', 'ann', 'Maildir'));
  });
});

describe('names the manifest escapes', () => {
  it('moves files whose names hold a backslash, a newline, spaces, UTF-8 and 150+ characters', async () => {
    const docRoot = join(root, 'home/dentist/web/smile-dental.test/public_html');
    const deep = join(docRoot, 'a'.repeat(60), 'b'.repeat(60));
    await mkdir(deep, { recursive: true });
    await writeFile(join(docRoot, 'back\\slash.html'), 'backslash\n');
    await writeFile(join(docRoot, 'new\nline.txt'), 'newline\n');
    await writeFile(join(docRoot, 'späce and ü.html'), 'utf-8\n');
    await writeFile(join(deep, `${'c'.repeat(80)}.html`), 'long\n');
    const place = sitePlace(vhosts, 12, '', 'site:smile-dental.test');
    const marker = await transferContent({
      contentId: 'site:smile-dental.test',
      source: fromAgent('smile-dental.test', 'site:smile-dental.test'),
      node: nodeConn,
      place,
      signal: signal(),
    });
    const want = await tree(docRoot);
    expect(await tree(place.final)).toEqual(want);
    expect(want.has('back\\slash.html') && want.has('new\nline.txt')).toBe(true);
    expect(marker.files).toBe([...want.values()].filter((e) => e.type === 'file').length);
  });
});

describe('refusals publish nothing', () => {
  it('a byte changed in flight fails naming the file; the site is not published, no staging stays', async () => {
    const place = sitePlace(vhosts, 8, '', 'site:cityclub.test');
    let damaged = false;
    const tap = (): Transform =>
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          const at = damaged ? -1 : chunk.indexOf('sans-serif');
          if (at >= 0) {
            chunk[at] = 'S'.charCodeAt(0);
            damaged = true;
          }
          done(null, chunk);
        },
      });
    await expect(
      transferContent({
        contentId: 'site:cityclub.test',
        source: fromAgent('cityclub.test', 'site:cityclub.test'),
        node: nodeConn,
        place,
        signal: signal(),
        tap,
      }),
    ).rejects.toThrow(/css\/style\.css does not match the agent's manifest/);
    expect(damaged).toBe(true);
    expect(existsSync(place.final)).toBe(false);
    expect(existsSync(place.staging)).toBe(false);
    expect(await readMarker(nodeConn, place)).toBeUndefined();
  });

  it('a member "../x", an absolute path or a symlink out of the root is refused; nothing lands outside', async () => {
    const work = await tempDir('mm-content-hostile-');
    await mkdir(join(work, 'site', 'sub'), { recursive: true });
    await writeFile(join(work, 'site', 'x'), 'escaped\n');
    await writeFile(join(work, 'site', 'sub', 'ok.html'), 'ok\n');
    await symlink('../../../../etc/passwd', join(work, 'site', 'sub', 'out'));
    const cases: { name: string; source: ContentSource; error: RegExp }[] = [
      {
        name: 'dot-dot',
        source: fromTar(join(work, 'site', 'sub'), ['-cPf', '-', '../x']),
        error: /member "\.\.\/x" is an absolute path or leaves the content root/,
      },
      {
        name: 'absolute',
        source: fromTar(work, ['-cPf', '-', join(work, 'site', 'x')]),
        error: /is an absolute path or leaves the content root/,
      },
      {
        name: 'symlink',
        source: fromTar(join(work, 'site'), ['-cf', '-', '.']),
        error: /symlink "sub\/out" → "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" points outside the content root/,
      },
    ];
    for (const c of cases) {
      const place = sitePlace(vhosts, 90, '', `site:${c.name}.test`);
      await expect(
        transferContent({
          contentId: `site:${c.name}.test`,
          source: c.source,
          node: nodeConn,
          place,
          signal: signal(),
        }),
      ).rejects.toThrow(c.error);
      expect(existsSync(place.final)).toBe(false);
      expect(existsSync(place.staging)).toBe(false);
    }
    // Nothing escaped next to the staging folders or the vhosts root.
    expect(existsSync(join(vhosts, '90', 'webspace', 'x'))).toBe(false);
    expect(existsSync(join(vhosts, 'x'))).toBe(false);
    expect(await readdir(join(vhosts, '90', 'webspace', '.mm-staging'))).toEqual([]);
  });
});

describe('a dropped connection', () => {
  it('to the node mid-transfer fails the attempt with nothing published; the next attempt publishes it whole', async () => {
    const docRoot = join(root, 'home/acme/web/acme-widgets.example/public_html');
    await new Promise<void>((resolve, reject) => {
      const dd = spawn('dd', ['if=/dev/urandom', `of=${join(docRoot, 'big.bin')}`, 'bs=1M', 'count=128'], {
        stdio: 'ignore',
      });
      dd.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dd exited ${code}`))));
    });
    const place = sitePlace(vhosts, 11, '', 'site:acme-widgets.example');
    const doomed = await connectTo(node);
    let killedAt = 0;
    const watcher = setInterval(() => {
      void stat(join(place.staging, 'big.bin'))
        .then((st) => {
          if (killedAt === 0 && st.size > 8 * 1024 * 1024) {
            killedAt = st.size;
            node.signalSessions('SIGKILL');
          }
        })
        .catch(() => undefined);
    }, 5);
    try {
      await expect(
        transferContent({
          contentId: 'site:acme-widgets.example',
          source: fromAgent('acme-widgets.example', 'site:acme-widgets.example'),
          node: doomed,
          place,
          signal: signal(),
        }),
      ).rejects.toThrow(/lost|closed|exit|cancelled/);
    } finally {
      clearInterval(watcher);
      await doomed.close();
    }
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(128 * 1024 * 1024);
    expect(existsSync(place.final)).toBe(false);
    // Every session of the node's sshd was killed, the shared one too: connect it again.
    await nodeConn.close();
    nodeConn = await connectTo(node);
    const again = await connectTo(node);
    try {
      const marker = await transferContent({
        contentId: 'site:acme-widgets.example',
        source: fromAgent('acme-widgets.example', 'site:acme-widgets.example'),
        node: again,
        place,
        signal: signal(),
      });
      expect(await tree(place.final)).toEqual(await tree(docRoot));
      expect(marker.bytes).toBeGreaterThan(128 * 1024 * 1024);
      expect(existsSync(place.staging)).toBe(false);
    } finally {
      await again.close();
    }
  }, 120_000);
});

describe('streaming', () => {
  it('moves a 256 MB file with the manager’s memory flat (< 64 MB above idle)', async () => {
    const docRoot = join(root, 'home/photo/web/patlens.test/public_html');
    await new Promise<void>((resolve, reject) => {
      const dd = spawn('dd', ['if=/dev/urandom', `of=${join(docRoot, 'big.bin')}`, 'bs=1M', 'count=256'], {
        stdio: 'ignore',
      });
      dd.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dd exited ${code}`))));
    });
    const place = sitePlace(vhosts, 9, '', 'site:patlens.test');
    global.gc?.();
    const idle = process.memoryUsage().rss;
    let peak = idle;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    let moved = 0;
    try {
      await transferContent({
        contentId: 'site:patlens.test',
        source: fromAgent('patlens.test', 'site:patlens.test'),
        node: nodeConn,
        place,
        signal: signal(),
        onProgress: (b) => (moved = b),
      });
    } finally {
      clearInterval(sampler);
    }
    expect(moved).toBeGreaterThan(256 * 1024 * 1024);
    expect((await tree(place.final)).get('big.bin')).toEqual((await tree(docRoot)).get('big.bin'));
    expect((peak - idle) / (1024 * 1024)).toBeLessThan(64);
  }, 120_000);
});
