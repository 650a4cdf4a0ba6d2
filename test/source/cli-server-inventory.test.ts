import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoLayoutSummary, buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { tempDir } from '../helpers/paths';
import { runMm } from '../helpers/processes';
import { type Sshd, startSshd } from '../helpers/sshd';
import { readProjectText } from '../helpers/store-under-test';

describe('mm server and mm inventory', () => {
  let sshd: Sshd;
  let dataDir: string;
  let root: string;
  let layout: DemoLayoutSummary;
  const mm = (args: string[], input?: string) => runMm([...args, '--data-dir', dataDir], {}, input);

  beforeAll(async () => {
    sshd = await startSshd();
    dataDir = await tempDir();
    root = await tempDir('mm-cli-layout-');
    layout = buildDemoLayout(root);
    expect((await mm(['project', 'create', 'CLI'])).code).toBe(0);
  });
  afterAll(() => sshd?.stop());

  it('registers an SSH server with a key, pinning the key it is shown', async () => {
    const add = await mm([
      'server',
      'add',
      'web01',
      '--host',
      '127.0.0.1',
      '--port',
      String(sshd.port),
      '--user',
      sshd.user,
      '--key',
      sshd.clientKeyPath,
      '--kind',
      'linux',
      '--agent-path',
      join(sshd.dir, 'cli-agents'),
      '--source-root',
      root,
      '--trust-new-host-key',
      '--json',
    ]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({
      id: 'web01',
      connection: { hostKeyFingerprint: sshd.hostFingerprint },
    });
    const projectFile = await readProjectText(join(dataDir, 'projects', 'cli', 'project.json'));
    expect(projectFile).not.toContain('OPENSSH PRIVATE KEY');
  });

  it('fetches the inventory over SSH with progress on stderr and JSON on stdout', async () => {
    const fetch = await mm(['inventory', 'fetch', 'web01', '--json']);
    expect(fetch.code).toBe(0);
    expect(JSON.parse(fetch.stdout)).toMatchObject({ deployed: true, summary: { domains: layout.domains } });
    expect(fetch.stderr).toContain('Running hostingPlatformInfo');
    const list = await mm(['inventory', 'list', 'domains', '--json']);
    const rows = JSON.parse(list.stdout) as { name: string }[];
    expect(rows.map((r) => r.name)).toContain('bäckerei-becker.test');
    const text = await mm(['inventory', 'list', 'accounts']);
    expect(text.stdout).toMatch(/^SERVER\s+ID\s+TYPE/);
  });

  it('tests a server and refuses a fingerprint that is not one', async () => {
    const test = await mm(['server', 'test', 'web01']);
    expect(test.code).toBe(0);
    expect(test.stdout).toContain('matches the pin');
    const bad = await mm(
      [
        'server',
        'add',
        'x',
        '--host',
        'h',
        '--user',
        'u',
        '--password-stdin',
        '--kind',
        'linux',
        '--host-key',
        'MD5:aa',
      ],
      'pw\n',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/fingerprint/);
  });

  it('imports agent output obtained some other way', async () => {
    const out = join(await tempDir(), 'platform');
    const { execFileSync } = await import('node:child_process');
    execFileSync('perl', [
      'agents/linux/agent.pl',
      '--extract=hostingPlatformInfo',
      `--root=${root}`,
      `--file=${out}`,
    ]);
    expect((await mm(['server', 'add', 'offline', '--local', '--root', root, '--kind', 'linux'])).code).toBe(
      0,
    );
    const imported = await mm(['inventory', 'import', 'offline', `${out}.xml`, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      summary: { source: 'import', domains: layout.domains },
    });
    const broken = join(await tempDir(), 'broken.xml');
    await writeFile(broken, '<hostingPlatform apiVersion="2"><platform kind="x"/>');
    const bad = await mm(['inventory', 'import', 'offline', broken]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/broken\.xml line \d+, column \d+/);
    // The size limit is the document's own: a limit under its size refuses it, naming the flag.
    const { size } = await stat(`${out}.xml`);
    const tight = await mm([
      'inventory',
      'import',
      'offline',
      `${out}.xml`,
      '--max-size',
      String(size / 2 / 1048576),
    ]);
    expect(tight.code).toBe(1);
    expect(tight.stderr).toMatch(/over the [\d.]+ MB limit for one document.*--max-size <MB>/);
    const usage = await mm(['inventory', 'import', 'offline', `${out}.xml`, '--max-size', 'lots']);
    expect([usage.code, usage.stderr]).toEqual([
      2,
      expect.stringMatching(/--max-size must be a number of MB above 0, not "lots"/),
    ]);
    expect((await mm(['inventory', 'import', 'offline', `${out}.xml`, '--max-size', '1'])).code).toBe(0);
  });

  it('refreshes chosen objects with accountsInfo/domainsInfo only when the server allows it', async () => {
    const refused = await mm(['inventory', 'refresh', 'web01', '--domains', 'hostco.test']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Allow update information/i);
    const on = await mm([
      'server',
      'settings',
      'web01',
      '--allow-update-info',
      'on',
      '--protective-days',
      '60',
      '--json',
    ]);
    expect(JSON.parse(on.stdout)).toMatchObject({ allowUpdateInfo: true, protectiveDays: 60 });
    const refreshed = await mm([
      'inventory',
      'refresh',
      'web01',
      '--domains',
      'hostco.test',
      'gone.test',
      '--accounts',
      'acme',
      '--json',
    ]);
    expect(refreshed.code).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ notFound: ['gone.test'] });
    const list = await mm(['inventory', 'list', 'domains', '--server', 'web01', '--json']);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(layout.domains);
  });

  it('removes a server with its secrets and inventory', async () => {
    const removed = await mm(['server', 'remove', 'web01']);
    expect(removed.code).toBe(0);
    const list = await mm(['server', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((s) => s.id)).toEqual(['offline']);
    const secrets = await readFile(join(dataDir, 'secrets.json'), 'utf8');
    expect(secrets).not.toContain('server/web01');
  });
});
