/**
 * The agent's re-sync actions, run for real (perl agents/linux/agent.pl on the demo layout):
 * the content listing without the bytes matches the full tarball's manifest (so the marker of
 * the last copy says whether anything changed), and a tarball of chosen members holds just
 * those, names with a newline or a backslash included.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import {
  diffListings,
  diffTrees,
  manifestSha256,
  memberBatches,
  parseListing,
  parseTree,
  treeSha256,
} from '../../electron/core/cutover/resync-listing';
import { runAgent, tempDir } from '../helpers/layouts/agent-harness';

const SITE = ['--domain-id=acme-widgets.test', '--content-id=site:acme-widgets.test'];

describe('agent: contentManifest and domainContent --members', () => {
  let root: string;
  let docroot: string;
  const agent = (args: string[]) => runAgent('linux', [`--root=${root}`, ...args]);

  beforeAll(() => {
    root = tempDir('resync-agent');
    buildDemoLayout(root);
    docroot = join(root, 'home/acme/web/acme-widgets.test/public_html');
    writeFileSync(join(docroot, 'odd\nname.txt'), 'newline in the name');
    writeFileSync(join(docroot, 'back\\slash.txt'), 'backslash in the name');
  });

  it('lists every regular file with its SHA-256 and size, and the manifest it implies is the tarball’s', async () => {
    const r = await agent(['--extract=contentManifest', ...SITE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const listing = parseListing(r.stdout.toString('utf8'), 'listing');
    const index = readFileSync(join(docroot, 'index.html'));
    expect(listing.get('index.html')).toEqual({
      sha256: createHash('sha256').update(index).digest('hex'),
      size: index.length,
    });
    expect(listing.get('odd\nname.txt')?.size).toBe(19);
    expect(listing.get('back\\slash.txt')?.size).toBe(21);
    const full = await agent(['--extract=domainContent', ...SITE]);
    const dir = tempDir('resync-untar');
    writeFileSync(join(dir, 'all.tar'), full.stdout);
    const manifest = execFileSync('tar', ['-xOf', join(dir, 'all.tar'), 'MANIFEST.sha256']);
    expect(manifestSha256(listing)).toBe(createHash('sha256').update(manifest).digest('hex'));
  });

  it('a tarball of chosen members holds those files only, and a manifest of just them', async () => {
    const [members] = memberBatches(['index.html', 'odd\nname.txt', 'back\\slash.txt']);
    const r = await agent(['--extract=domainContent', ...SITE, `--members=${members}`]);
    expect(r.code).toBe(0);
    const dir = tempDir('resync-members');
    writeFileSync(join(dir, 'some.tar'), r.stdout);
    const names = execFileSync('tar', ['-tf', join(dir, 'some.tar')], { encoding: 'utf8' });
    // tar -t prints a newline inside a name as "\n".
    expect(names.split('\n').filter(Boolean).sort()).toEqual(
      ['MANIFEST.sha256', 'back\\\\slash.txt', 'index.html', 'odd\\nname.txt'].sort(),
    );
    const manifest = execFileSync('tar', ['-xOf', join(dir, 'some.tar'), 'MANIFEST.sha256'], {
      encoding: 'utf8',
    });
    expect(manifest.trim().split('\n')).toHaveLength(3);
  });

  it('refuses an empty member list, saying so', async () => {
    const empty = await agent(['--extract=domainContent', ...SITE, '--members=']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--members lists no file');
  });

  it('diffs listings: added, changed, deleted, and the bytes that move', () => {
    const before = parseListing(
      `${'a'.repeat(64)} 5 keep\n${'b'.repeat(64)} 6 edit\n${'c'.repeat(64)} 7 gone\n`,
      'before',
    );
    const now = parseListing(
      `${'a'.repeat(64)} 5 keep\n${'d'.repeat(64)} 9 edit\n${'e'.repeat(64)} 11 new\n`,
      'now',
    );
    expect(diffListings(before, now)).toEqual({
      added: ['new'],
      changed: ['edit'],
      deleted: ['gone'],
      bytes: 20,
    });
    expect(memberBatches(['x'.repeat(10), 'y'.repeat(10), 'z'.repeat(10)], 25)).toEqual([
      `${'x'.repeat(10)}\n${'y'.repeat(10)}\n`,
      `${'z'.repeat(10)}\n`,
    ]);
  });

  it('lists every folder (empty ones too) and symlink, and archives the ones named as members', async () => {
    mkdirSync(join(docroot, 'empty dir'));
    symlinkSync('index.html', join(docroot, 'home link.html'));
    symlinkSync('../odd target\\x', join(docroot, 'css', 'up.css'));
    const r = await agent(['--extract=contentManifest', ...SITE]);
    expect(r.code).toBe(0);
    const tree = parseTree(r.stdout.toString('utf8'), 'listing');
    expect(tree.withTree).toBe(true);
    expect(tree.dirs.has('empty dir')).toBe(true);
    expect(tree.dirs.has('css')).toBe(true);
    expect(tree.links).toEqual(
      new Map([
        ['css/up.css', '../odd target\\x'],
        ['home link.html', 'index.html'],
      ]),
    );
    // Not in the files: the manifest a full tarball carries is still the listing's.
    expect(tree.files.has('home link.html')).toBe(false);
    const full = await agent(['--extract=domainContent', ...SITE]);
    const dir = tempDir('resync-tree');
    writeFileSync(join(dir, 'all.tar'), full.stdout);
    const manifest = execFileSync('tar', ['-xOf', join(dir, 'all.tar'), 'MANIFEST.sha256']);
    expect(manifestSha256(tree.files)).toBe(createHash('sha256').update(manifest).digest('hex'));

    const [members] = memberBatches(['empty dir', 'home link.html']);
    const some = await agent(['--extract=domainContent', ...SITE, `--members=${members}`]);
    expect(some.code).toBe(0);
    writeFileSync(join(dir, 'some.tar'), some.stdout);
    const listed = execFileSync('tar', ['-tvf', join(dir, 'some.tar')], { encoding: 'utf8' });
    expect(listed).toMatch(/^d.* empty dir\/$/m);
    expect(listed).toMatch(/^l.* home link\.html -> index\.html$/m);
    expect(listed).not.toContain('up.css');
  });

  it('diffs folders and symlinks: created, removed (deepest first), links added, changed, removed', () => {
    const before = parseTree('D a\nD a/b\nD a/b/c\nL x keep\nL y edit\nL z gone\n', 'before');
    const now = parseTree('D a\nD new\nL x keep\nL y2 edit\nL w\\sv added\n', 'now');
    expect(now.links.get('added')).toBe('w v');
    expect(diffTrees(before, now)).toEqual({
      dirsAdded: ['new'],
      dirsDeleted: ['a/b/c', 'a/b'],
      linksAdded: ['added'],
      linksChanged: ['edit'],
      linksDeleted: ['gone'],
    });
    expect(treeSha256(now)).not.toBe(treeSha256(before));
    expect(treeSha256(parseTree('L x keep\nD new\nD a\nL y2 edit\nL w\\sv added\n', 'same'))).toBe(
      treeSha256(now),
    );
    // An older agent's listing (no "T" line) says nothing of folders and links.
    expect(parseTree(`${'a'.repeat(64)} 5 keep\n`, 'old').withTree).toBe(false);
    expect(() => parseTree('X what\n', 'odd')).toThrow(/odd, line 1: not "<sha256> <size> <name>"/);
  });
});
