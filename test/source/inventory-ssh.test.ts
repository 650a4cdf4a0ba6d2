import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoLayoutSummary, buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { MmError } from '../../electron/core/errors';
import { type Core, createCore } from '../../electron/core/core';
import { tempDir } from '../helpers/paths';
import { type Sshd, freePort, startSshd } from '../helpers/sshd';

describe('source server over real SSH: register, pin, deploy, inventory', () => {
  let sshd: Sshd;
  let core: Core;
  let projectId: string;
  let layoutRoot: string;
  let agentPath: string;
  let layout: DemoLayoutSummary;

  beforeAll(async () => {
    sshd = await startSshd();
    layoutRoot = await tempDir('mm-layout-');
    layout = buildDemoLayout(layoutRoot);
    agentPath = join(sshd.dir, 'agents');
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('SSH test')).id;
    await core.servers.add(projectId, {
      name: 'web01',
      kind: 'linux',
      connection: { type: 'ssh', host: '127.0.0.1', port: sshd.port, user: sshd.user },
      credentials: { privateKey: sshd.clientKey },
      agentPath,
      sourceRoot: layoutRoot,
    });
  });
  afterAll(() => sshd?.stop());

  const projectFile = () => readFile(join(core.projects.projectDir(projectId), 'project.json'), 'utf8');

  it('stores credentials sealed, never in the project file', async () => {
    const text = await projectFile();
    expect(text).not.toContain('PRIVATE KEY');
    expect(await core.secrets.get(`project/${projectId}/server/web01/privateKey`)).toBe(sshd.clientKey);
  });

  it('refuses to connect before the host key is accepted, then pins it on acceptance', async () => {
    await expect(core.servers.test(projectId, 'web01')).rejects.toMatchObject({ code: 'host-key-unknown' });
    const test = await core.servers.test(projectId, 'web01', { trustNew: true });
    expect(test).toMatchObject({ pinnedNow: true, hostKeyFingerprint: sshd.hostFingerprint });
    expect(test.agent.upToDate).toBe(false);
    expect(test.perl).toMatch(/^5\./);
    const server = await core.servers.get(projectId, 'web01');
    expect(server.connection).toMatchObject({ hostKeyFingerprint: sshd.hostFingerprint });
  });

  it('deploys the agent, fetches and stores the inventory of the layout', async () => {
    const result = await core.inventory.fetch(projectId, 'web01');
    expect(result.deployed).toBe(true);
    expect(result.summary).toMatchObject({ domains: layout.domains, source: 'agent' });
    const domains = await core.inventory.rows(projectId, 'domains');
    expect(domains.rows).toHaveLength(layout.domains);
    const accounts = await core.inventory.rows(projectId, 'accounts');
    if (accounts.kind !== 'accounts') return expect.fail('account rows expected');
    expect(accounts.rows.filter((a) => a.type === 'customer')).toHaveLength(layout.customers);
    const manifest = await readFile(join(agentPath, 'linux', 'agent.manifest'), 'utf8');
    expect(manifest).toContain('<version>');
    const again = await core.inventory.fetch(projectId, 'web01');
    expect(again.deployed).toBe(false);
    // Nothing of the runs is left on the server.
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(join(agentPath, '.mm-runs'))).toEqual([]);
    // An agent older than the manager's is replaced.
    const manifestFile = join(agentPath, 'linux', 'agent.manifest');
    await writeFile(manifestFile, manifest.replace(/<version>[^<]+<\/version>/, '<version>0.0.1</version>'));
    const upgraded = await core.inventory.fetch(projectId, 'web01');
    expect(upgraded.deployed).toBe(true);
    expect(await readFile(manifestFile, 'utf8')).toBe(manifest);
    expect((await core.projects.get(projectId)).counts).toMatchObject({ domains: layout.domains });
  });

  describe('each failure says what and where, and changes nothing stored', () => {
    let before: string;
    let inventoryBefore: string;
    beforeAll(async () => {
      before = await projectFile();
      inventoryBefore = await readFile(
        join(core.projects.projectDir(projectId), 'inventory', 'web01.json'),
        'utf8',
      );
    });
    const unchanged = async () => {
      expect(
        await readFile(join(core.projects.projectDir(projectId), 'inventory', 'web01.json'), 'utf8'),
      ).toBe(inventoryBefore);
    };

    it('a changed host key is refused with both fingerprints and nothing is sent', async () => {
      const other = await core.servers.add(projectId, {
        name: 'spoofed',
        kind: 'linux',
        connection: {
          type: 'ssh',
          host: '127.0.0.1',
          port: sshd.port,
          user: sshd.user,
          hostKeyFingerprint: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
        },
        credentials: { privateKey: sshd.clientKey },
        agentPath: join(sshd.dir, 'spoofed-agents'),
      });
      const error = await core.inventory.fetch(projectId, other.id).then(
        () => expect.fail('should fail'),
        (e: unknown) => e as MmError,
      );
      expect(error).toMatchObject({ code: 'host-key-changed' });
      expect(error.message).toContain('SHA256:BBBB');
      expect(error.message).toContain(sshd.hostFingerprint);
      await expect(readFile(join(sshd.dir, 'spoofed-agents', 'linux', 'agent.pl'))).rejects.toThrow();
      await core.servers.remove(projectId, other.id);
      await unchanged();
    });

    it('an unreachable port', async () => {
      const port = await freePort();
      await core.servers.add(projectId, {
        name: 'down',
        kind: 'linux',
        connection: { type: 'ssh', host: '127.0.0.1', port, user: sshd.user },
        credentials: { privateKey: sshd.clientKey },
      });
      await expect(core.inventory.fetch(projectId, 'down')).rejects.toMatchObject({
        code: 'ssh-unreachable',
      });
      await core.servers.remove(projectId, 'down');
      expect(await projectFile()).not.toContain('"down"');
    });

    it('a wrong password', async () => {
      if (!sshd.passwordUser) return expect.fail('needs root for the password user');
      await core.servers.add(projectId, {
        name: 'badpw',
        kind: 'linux',
        connection: { type: 'ssh', host: '127.0.0.1', port: sshd.port, user: sshd.passwordUser.name },
        credentials: { password: 'not-the-password' },
      });
      await expect(core.servers.test(projectId, 'badpw', { trustNew: true })).rejects.toMatchObject({
        code: 'ssh-auth-failed',
      });
      await core.servers.remove(projectId, 'badpw');
    });

    it('an agent that cannot be deployed', async () => {
      await core.servers.add(projectId, {
        name: 'readonly',
        kind: 'linux',
        connection: {
          type: 'ssh',
          host: '127.0.0.1',
          port: sshd.port,
          user: sshd.user,
          hostKeyFingerprint: sshd.hostFingerprint,
        },
        credentials: { privateKey: sshd.clientKey },
        agentPath: '/proc/mm-agents',
      });
      const error = await core.inventory.fetch(projectId, 'readonly').then(
        () => expect.fail('should fail'),
        (e: unknown) => e as MmError,
      );
      expect(error).toMatchObject({ code: 'agent-deploy-failed', where: '/proc/mm-agents/linux' });
      await core.servers.remove(projectId, 'readonly');
      await unchanged();
    });

    it('an agent exiting non-zero, with its own message', async () => {
      await core.servers.add(projectId, {
        name: 'noroot',
        kind: 'linux',
        connection: {
          type: 'ssh',
          host: '127.0.0.1',
          port: sshd.port,
          user: sshd.user,
          hostKeyFingerprint: sshd.hostFingerprint,
        },
        credentials: { privateKey: sshd.clientKey },
        agentPath,
        sourceRoot: '/nonexistent/source',
      });
      const error = await core.inventory.fetch(projectId, 'noroot').then(
        () => expect.fail('should fail'),
        (e: unknown) => e as MmError,
      );
      expect(error).toMatchObject({ code: 'agent-failed' });
      expect(error.message).toMatch(/\/nonexistent\/source/);
      await core.servers.remove(projectId, 'noroot');
      await unchanged();
    });

    const importBad = async (name: string, content: string | Buffer) => {
      const dir = await tempDir();
      await mkdir(dir, { recursive: true });
      const file = join(dir, name);
      await writeFile(file, content);
      return core.inventory.importFile(projectId, 'web01', file).then(
        () => expect.fail('should fail'),
        (e: unknown) => e as MmError,
      );
    };

    it('output that is not XML', async () => {
      const error = await importBad('not.xml', "Can't locate MigrationAgent.pm in @INC\n");
      expect(error.code).toMatch(/^xml-/);
      await unchanged();
    });

    it('XML that breaks the schema, with line and column', async () => {
      const xml = `<?xml version="1.0"?>\n<hostingPlatform apiVersion="2">\n  <platform kind="linux"/>\n  <servers/>\n  <serviceTemplates/>\n  <accounts>\n    <account id="a1" typ="customer"/>\n  </accounts>\n  <subscriptions/>\n  <domains/>\n</hostingPlatform>\n`;
      const error = await importBad('schema.xml', xml);
      expect(error.code).toBe('xml-invalid');
      expect(error.message).toMatch(/line 7, column \d+/);
      expect(error.where).toMatch(/schema\.xml:7:\d+$/);
      await unchanged();
    });

    it('an entity-expansion ("billion laughs") document', async () => {
      const lol = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n]>\n<hostingPlatform apiVersion="2"><platform kind="&lol9;"/></hostingPlatform>\n`;
      const error = await importBad('lol.xml', lol);
      expect(error.code).toBe('xml-doctype');
      expect(error.message).toMatch(/line 2/);
      await unchanged();
    });

    it('a 200 MB document is refused with a limit, not parsed', async () => {
      const big = Buffer.alloc(200 * 1024 * 1024, 0x20);
      Buffer.from('<?xml version="1.0"?><hostingPlatform apiVersion="2">').copy(big);
      const before = process.memoryUsage().rss;
      const error = await importBad('big.xml', big);
      expect(error.code).toBe('xml-too-large');
      expect(error.message).toMatch(/200 MB/);
      expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024);
      await unchanged();
    });

    it('left the project file as it was', async () => {
      expect(JSON.parse(await projectFile()).servers).toEqual(JSON.parse(before).servers);
    });
  });
});
