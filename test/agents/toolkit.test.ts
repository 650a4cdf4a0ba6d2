// The shared agent library (through the skeleton agent), packaging and the demo layout.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, writeFileSync, readdirSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  runAgent,
  tempDir,
  schemaErrors,
  parseXml,
  kids,
  kid,
  attr,
  openTar,
  sha256,
  XSD,
  AGENTS,
} from '../helpers/layouts/agent-harness';
import { packAgent } from '../../agents/pack.mjs';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { archiveChanging, archiveTree } from './tar-writer-harness';

describe('agent library: command line and output', () => {
  it('every sample agent answers --version and --help', async () => {
    for (const a of ['linux', 'description', 'skel']) {
      const v = await runAgent(a, ['--version']);
      expect(v.code).toBe(0);
      expect(v.stdout.toString()).toMatch(/^\S+ \d+\.\d+\.\d+\n$/);
      const h = await runAgent(a, ['--help']);
      expect(h.stdout.toString()).toContain('--extract=domainContent');
    }
  });

  it('the skeleton runs every command and produces schema-valid (empty) XML', async () => {
    const root = tempDir('skel');
    const hp = await runAgent('skel', [`--root=${root}`, '--extract=hostingPlatformInfo']);
    expect(hp.code).toBe(0);
    expect(schemaErrors(hp.stdout, 'HostingPlatform.xsd')).toBe('');
    const acc = await runAgent('skel', [`--root=${root}`, '--extract=accountsInfo', '--account-ids=a b']);
    expect(schemaErrors(acc.stdout, 'HostingPlatform.xsd')).toBe('');
    expect(kids(kid(parseXml(acc.stdout), 'accountsInfo'), 'notFound').map((n) => attr(n, 'id'))).toEqual([
      'a',
      'b',
    ]);
    const ds = await runAgent('skel', [
      `--root=${root}`,
      '--extract=domainServicesInfo',
      '--domain-id=x.example',
    ]);
    expect(ds.code).toBe(1);
    expect(ds.stderr).toBe("agent.pl: error: unknown domain id 'x.example'\n");
  });

  it('appends .xml / .tar only when missing, writes atomically, leaves nothing on failure', async () => {
    const root = tempDir('files');
    const dir = tempDir('out');
    expect(
      (await runAgent('skel', [`--root=${root}`, '--extract=hostingPlatformInfo', `--file=${dir}/a`])).code,
    ).toBe(0);
    expect(
      (await runAgent('skel', [`--root=${root}`, '--extract=hostingPlatformInfo', `--file=${dir}/b.xml`]))
        .code,
    ).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['a.xml', 'b.xml']);
    const bad = await runAgent('skel', [
      `--root=${root}`,
      '--extract=domainContent',
      '--domain-id=zz',
      '--content-id=site:zz',
      `--file=${dir}/c`,
    ]);
    expect(bad.code).not.toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['a.xml', 'b.xml']);
    const noRoot = await runAgent('skel', ['--root=/nonexistent/dir', '--extract=hostingPlatformInfo']);
    expect(noRoot.code).toBe(2);
    expect(noRoot.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('argument values are never interpreted by a shell', async () => {
    const marker = join(tempDir('mark'), 'pwned');
    for (const v of [`$(touch ${marker})`, `\`touch ${marker}\``, `x; touch ${marker}`, `a'b"c\nd`]) {
      const r = await runAgent('skel', ['--root=/', '--extract=domainServicesInfo', `--domain-id=${v}`]);
      expect(r.code).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(existsSync(marker)).toBe(false);
  });
});

describe('agent library: ustar writer', () => {
  it('writes long names (pax), non-ASCII names, empty dirs and a manifest that sha256sum accepts', () => {
    const src = tempDir('tarsrc');
    const long = `${'d'.repeat(120)}/${'e'.repeat(90)}/${'f'.repeat(110)}.txt`;
    const files: Record<string, string> = {
      [long]: 'long',
      'ünï çødé/名前.txt': 'unicode',
      'back\\slash.txt': 'bs',
      'plain.txt': 'p',
    };
    for (const [f, d] of Object.entries(files)) {
      mkdirSync(join(src, f, '..'), { recursive: true });
      writeFileSync(join(src, f), d);
    }
    mkdirSync(join(src, 'emptydir'));
    const out = join(tempDir('tarout'), 'x.tar');
    const written = archiveTree(src, out);
    expect(written.code, written.stderr).toBe(0);
    const tar = openTar(out);
    for (const [f, d] of Object.entries(files)) {
      expect(tar.files.get(f)?.toString()).toBe(d);
      expect(tar.manifest.get(f)).toBe(sha256(d));
    }
    expect(tar.dirs).toContain('emptydir');
    const x = tempDir('tarx');
    execFileSync('tar', ['-xf', out, '-C', x]);
    expect(execFileSync('sha256sum', ['-c', 'MANIFEST.sha256'], { cwd: x, encoding: 'utf8' })).toContain(
      'plain.txt: OK',
    );
  });
});

describe('agent library: ustar writer and files that change or are not regular', () => {
  function runPerl(code: string, args: string[]): { code: number; stderr: string } {
    try {
      execFileSync('perl', ['-e', code, ...args], { stdio: 'pipe', timeout: 10000 });
      return { code: 0, stderr: '' };
    } catch (e) {
      const err = e as { status?: number; stderr?: Buffer };
      return { code: err.status ?? -1, stderr: err.stderr?.toString('utf8') ?? '' };
    }
  }

  it('a file that grows while streamed is cut at its header size, with one warning on stderr', () => {
    const dir = tempDir('grow');
    const body = 'g'.repeat(70000);
    writeFileSync(join(dir, 'grow.txt'), body);
    const out = join(tempDir('growout'), 'g.tar');
    // 160,000 bytes more: the growth spans several of the writer's read blocks
    const r = archiveChanging(dir, 'grow.txt', 'grow', out, 40000);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^agent\.pl: warning: .*grow\.txt grew while it was archived.*\n$/);
    const tar = openTar(out);
    expect(tar.files.get('grow.txt')?.toString()).toBe(body);
    expect(tar.manifest.get('grow.txt')).toBe(sha256(body));
    expect(tar.files.get('after.txt')?.toString()).toBe('after');
    expect(tar.members).toEqual(['grow.txt', 'after.txt', 'MANIFEST.sha256']);
  });

  it('a file that shrinks while streamed is padded to its header size, with one warning on stderr', () => {
    const dir = tempDir('shrink');
    writeFileSync(join(dir, 'shrink.txt'), 'abcdefghij');
    const out = join(tempDir('shrinkout'), 's.tar');
    const r = archiveChanging(dir, 'shrink.txt', 'shrink', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^agent\.pl: warning: .*shrink\.txt shrank while it was archived.*\n$/);
    const tar = openTar(out);
    const padded = Buffer.concat([Buffer.from('abc'), Buffer.alloc(7)]);
    expect(tar.files.get('shrink.txt')?.equals(padded)).toBe(true);
    expect(tar.manifest.get('shrink.txt')).toBe(sha256(padded));
    expect(tar.files.get('after.txt')?.toString()).toBe('after');
  });

  it('add_file opens only regular files: a symlink or a fifo is refused, never followed or waited on', () => {
    const dir = tempDir('nonreg');
    writeFileSync(join(dir, 'real.txt'), 'secret');
    symlinkSync('real.txt', join(dir, 'link.txt'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const code = `use strict; use warnings; use lib '${AGENTS}/lib'; use MigrationAgent::Tar; open(my $fh, '>', '/dev/null') or die; my $t = MigrationAgent::Tar->new($fh); $t->add_file('m', $ARGV[0]);`;
    for (const f of ['link.txt', 'fifo']) {
      const r = runPerl(code, [join(dir, f)]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('not a regular file');
    }
  });
});

describe('agent packaging', () => {
  it('packAgent writes agent.tar (agent.pl, manifest, lib, xsd) and a manifest valid against AgentManifest.xsd', async () => {
    const out = tempDir('pack');
    const r = packAgent('linux', out);
    expect(existsSync(r.tarPath)).toBe(true);
    const list = execFileSync('tar', ['-tf', r.tarPath], { encoding: 'utf8' }).split('\n');
    for (const m of [
      'agent.pl',
      'agent.manifest',
      'lib/MigrationAgent.pm',
      'lib/MigrationAgent/Tar.pm',
      'xsd/HostingPlatform.xsd',
    ])
      expect(list).toContain(m);
    execFileSync('xmllint', ['--noout', '--schema', join(XSD, 'AgentManifest.xsd'), r.manifestPath], {
      stdio: 'pipe',
    });
    const x = tempDir('unpacked');
    execFileSync('tar', ['-xf', r.tarPath, '-C', x]);
    const v = await runAgent('linux', ['--version'], { script: join(x, 'agent.pl') });
    expect(v.stdout.toString()).toBe('linux 1.3.0\n');
    expect(() => packAgent('../etc', out)).toThrow();
  });

  it('every agent manifest is valid', () => {
    for (const a of ['linux', 'description', 'skel']) {
      execFileSync(
        'xmllint',
        ['--noout', '--schema', join(XSD, 'AgentManifest.xsd'), join(AGENTS, a, 'agent.manifest')],
        { stdio: 'pipe' },
      );
    }
  });
});

describe('demo layout', () => {
  it('builds a server the linux agent inventories: 6 customers, 12 domains, a reseller, an IDN, mail with messages', async () => {
    const root = tempDir('demo');
    const summary = buildDemoLayout(root);
    expect(summary.domains).toBe(12);
    const r = await runAgent('linux', [`--root=${root}`, '--extract=hostingPlatformInfo']);
    expect(r.code).toBe(0);
    expect(schemaErrors(r.stdout, 'HostingPlatform.xsd')).toBe('');
    const hp = kid(parseXml(r.stdout), 'hostingPlatform');
    const domains = kids(kid(hp, 'domains'), 'domain');
    expect(domains.length).toBe(12);
    expect(
      domains.some(
        (d) =>
          attr(d, 'unicodeName') === 'bäckerei-becker.test' &&
          attr(d, 'asciiName') === 'xn--bckerei-becker-5hb.test',
      ),
    ).toBe(true);
    const accounts = kids(kid(hp, 'accounts'), 'account');
    expect(accounts.filter((a) => attr(a, 'id') !== 'admin').length).toBe(6);
    expect(
      accounts.find((a) => attr(a, 'id') === 'dentist') &&
        attr(
          accounts.find((a) => attr(a, 'id') === 'dentist'),
          'parentId',
        ),
    ).toBe('hostco');
    for (const d of domains) {
      const id = attr(d, 'id') ?? '';
      const ds = await runAgent('linux', [
        `--root=${root}`,
        '--extract=domainServicesInfo',
        `--domain-id=${id}`,
      ]);
      expect(ds.code).toBe(0);
      expect(schemaErrors(ds.stdout, 'PEMDomainServices.xsd')).toBe('');
      for (const c of kids(d, 'content')) {
        const out = join(tempDir('democ'), 'c');
        const t = await runAgent('linux', [
          `--root=${root}`,
          '--extract=domainContent',
          `--domain-id=${id}`,
          `--content-id=${attr(c, 'kind')}:${attr(c, 'id')}`,
          `--file=${out}`,
        ]);
        expect(t.code).toBe(0);
        const tar = openTar(`${out}.tar`);
        expect(tar.manifest.size).toBeGreaterThan(0);
        for (const [n, hex] of tar.manifest) expect(sha256(tar.files.get(n) ?? Buffer.alloc(0))).toBe(hex);
      }
    }
  });
});
