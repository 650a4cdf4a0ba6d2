import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoLayoutSummary, buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { MmError } from '../../electron/core/errors';
import { type Core, createCore } from '../../electron/core/core';
import { AGENTS_DIR } from '../../electron/core/paths';
import { failure } from '../helpers/failure';
import { BILLION_LAUGHS_XML, SCHEMA_BREAKING_XML } from '../helpers/xml-fixtures';
import { tempDir } from '../helpers/paths';
import { type Sshd, freePort, sshdSource, startSshd } from '../helpers/sshd';
import { readProjectText } from '../helpers/store-under-test';

describe('source server over real SSH: register, pin, deploy, inventory', () => {
  let sshd: Sshd;
  let core: Core;
  let projectId: string;
  let layoutRoot: string;
  let agentPath: string;
  let layout: DemoLayoutSummary;

  /**
   * Registers a server on this test's sshd, logged in with the client key. Its host key is
   * pinned to the real one unless `pin` names another (or null: not pinned yet).
   */
  const addSshServer = (
    name: string,
    o: { pin?: string | null; agentPath?: string; sourceRoot?: string } = {},
  ): ReturnType<Core['servers']['add']> => {
    return core.servers.add(projectId, {
      name,
      kind: 'linux',
      ...sshdSource(sshd, o.pin),
      ...(o.agentPath ? { agentPath: o.agentPath } : {}),
      ...(o.sourceRoot ? { sourceRoot: o.sourceRoot } : {}),
    });
  };

  beforeAll(async () => {
    sshd = await startSshd();
    layoutRoot = await tempDir('mm-layout-');
    layout = buildDemoLayout(layoutRoot);
    agentPath = join(sshd.dir, 'agents');
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('SSH test')).id;
    await addSshServer('web01', { pin: null, agentPath, sourceRoot: layoutRoot });
  });
  afterAll(() => sshd?.stop());

  const projectFile = () => readProjectText(join(core.projects.projectDir(projectId), 'project.json'));

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
      inventoryBefore = await readProjectText(
        join(core.projects.projectDir(projectId), 'inventory', 'web01.json'),
      );
    });
    const unchanged = async () => {
      expect(
        await readProjectText(join(core.projects.projectDir(projectId), 'inventory', 'web01.json')),
      ).toBe(inventoryBefore);
    };
    const inventoryFile = (id: string) =>
      join(core.projects.projectDir(projectId), 'inventory', `${id}.json`);
    const serversOf = (projectJson: string) =>
      JSON.stringify((JSON.parse(projectJson) as { servers: unknown }).servers);

    it('a changed host key is refused with both fingerprints and nothing is sent', async () => {
      const other = await addSshServer('spoofed', {
        pin: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
        agentPath: join(sshd.dir, 'spoofed-agents'),
      });
      const error = await failure(core.inventory.fetch(projectId, other.id));
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
      const registered = await projectFile();
      const error = await failure(core.inventory.fetch(projectId, 'down'));
      expect(error).toMatchObject({ code: 'ssh-unreachable' });
      expect(error.message).toContain(`127.0.0.1:${port}`);
      // The failed fetch stored nothing: no pin, no summary, no inventory file.
      expect(await projectFile()).toBe(registered);
      await expect(readProjectText(inventoryFile('down'))).rejects.toThrow();
      await unchanged();
      await core.servers.remove(projectId, 'down');
      expect(await projectFile()).not.toContain('"down"');
      expect(serversOf(await projectFile())).toBe(serversOf(before));
    });

    it('a wrong password', async () => {
      if (!sshd.passwordUser) return expect.fail('needs root for the password user');
      await core.servers.add(projectId, {
        name: 'badpw',
        kind: 'linux',
        connection: { type: 'ssh', host: '127.0.0.1', port: sshd.port, user: sshd.passwordUser.name },
        credentials: { password: 'not-the-password' },
      });
      const registered = await projectFile();
      await expect(core.servers.test(projectId, 'badpw', { trustNew: true })).rejects.toMatchObject({
        code: 'ssh-auth-failed',
      });
      await expect(core.inventory.fetch(projectId, 'badpw')).rejects.toMatchObject({
        code: 'host-key-unknown',
      });
      // The host key was presented with trustNew, but a login that failed pins nothing.
      expect(await projectFile()).toBe(registered);
      await expect(readProjectText(inventoryFile('badpw'))).rejects.toThrow();
      expect(await core.secrets.get(`project/${projectId}/server/badpw/password`)).toBe('not-the-password');
      await unchanged();
      await core.servers.remove(projectId, 'badpw');
      expect(serversOf(await projectFile())).toBe(serversOf(before));
    });

    it('an agent that cannot be deployed', async () => {
      await addSshServer('readonly', { agentPath: '/proc/mm-agents' });
      const error = await failure(core.inventory.fetch(projectId, 'readonly'));
      expect(error).toMatchObject({ code: 'agent-deploy-failed', where: '/proc/mm-agents/linux' });
      await core.servers.remove(projectId, 'readonly');
      await unchanged();
    });

    it('an agent exiting non-zero, with its own message', async () => {
      await addSshServer('noroot', { agentPath, sourceRoot: '/nonexistent/source' });
      const error = await failure(core.inventory.fetch(projectId, 'noroot'));
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
      return failure(core.inventory.importFile(projectId, 'web01', file));
    };

    it('output that is not XML', async () => {
      const error = await importBad('not.xml', "Can't locate MigrationAgent.pm in @INC\n");
      expect(error.code).toMatch(/^xml-/);
      await unchanged();
    });

    it('XML that breaks the schema, with line and column', async () => {
      const xml = SCHEMA_BREAKING_XML;
      const error = await importBad('schema.xml', xml);
      expect(error.code).toBe('xml-invalid');
      expect(error.message).toMatch(/line 7, column \d+/);
      expect(error.where).toMatch(/schema\.xml:7:\d+$/);
      await unchanged();
    });

    it('an entity-expansion ("billion laughs") document', async () => {
      const lol = BILLION_LAUGHS_XML;
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

    describe('bad agent output fetched over SSH from a stub agent', () => {
      // The sshd runs on this machine, so the stub is written straight into the agent path of
      // a registered server. Its manifest says 9.9.9 (newer than the bundled agent), so the
      // manager runs it as it is instead of deploying over it. A mode file beside it says what
      // to write to --file=<base>.xml.
      const STUB = `#!/usr/bin/perl
use strict;
use warnings;
use FindBin;
my ($base) = map { /^--file=(.*)$/s ? $1 : () } @ARGV;
open my $m, '<', "$FindBin::Bin/mode" or die "stub: no mode file: $!\n";
my $mode = <$m>;
chomp $mode;
close $m;
if ($mode eq 'good') {
    exec 'perl', '${join(AGENTS_DIR, 'linux', 'agent.pl')}', @ARGV or die "stub: cannot run the real agent: $!\n";
}
if ($mode eq 'fail') {
    print STDERR "stub agent: cannot read /etc/stub-panel.conf: Permission denied\n";
    print STDERR "a second line that is not the message\n";
    exit 3;
}
die "stub: no --file\n" unless defined $base;
open my $out, '>', "$base.xml" or die "stub: cannot write $base.xml: $!\n";
binmode $out;
if ($mode eq 'not-xml') {
    print $out "Can't locate MigrationAgent.pm in \\@INC (you may need to install it)\n";
} elsif ($mode eq 'schema') {
    print $out <<'XML';
${SCHEMA_BREAKING_XML}XML
} elsif ($mode eq 'lol') {
    print $out <<'XML';
${BILLION_LAUGHS_XML}XML
} elsif ($mode eq 'big') {
    # 200 MB streamed in 1 MB writes, never whole in memory.
    print $out '<?xml version="1.0"?><hostingPlatform apiVersion="2">';
    my $block = ' ' x (1024 * 1024);
    print $out $block for 1 .. 200;
} else {
    die "stub: unknown mode $mode\n";
}
close $out or die "stub: cannot close $base.xml: $!\n";
exit 0;
`;
      let stubDir: string;
      let stubAgentPath: string;
      let stubId: string;
      let projectBefore: string;
      let stubInventoryBefore: string;

      beforeAll(async () => {
        stubAgentPath = join(sshd.dir, 'stub-agents');
        stubDir = join(stubAgentPath, 'linux');
        await mkdir(stubDir, { recursive: true });
        await writeFile(join(stubDir, 'agent.pl'), STUB, { mode: 0o755 });
        await writeFile(
          join(stubDir, 'agent.manifest'),
          '<?xml version="1.0" encoding="UTF-8"?>\n<manifest>\n  <name>linux</name>\n  <version>9.9.9</version>\n</manifest>\n',
        );
        await writeFile(join(stubDir, 'mode'), 'good\n');
        const server = await addSshServer('stubbed', { agentPath: stubAgentPath, sourceRoot: layoutRoot });
        stubId = server.id;
        // A good inventory first, so there is something stored that the failures must not touch.
        const good = await core.inventory.fetch(projectId, stubId);
        expect(good.deployed).toBe(false);
        expect(good.summary).toMatchObject({ domains: layout.domains, source: 'agent' });
        projectBefore = await projectFile();
        stubInventoryBefore = await readProjectText(inventoryFile(stubId));
      });

      const fetchWith = async (mode: string): Promise<MmError> => {
        await writeFile(join(stubDir, 'mode'), `${mode}\n`);
        const error = await failure(core.inventory.fetch(projectId, stubId), `mode ${mode}`);
        // Nothing stored changed, byte for byte, and the stub was not replaced by a deploy.
        expect(await readProjectText(inventoryFile(stubId))).toBe(stubInventoryBefore);
        expect(await projectFile()).toBe(projectBefore);
        expect(serversOf(await projectFile())).toBe(serversOf(projectBefore));
        expect(await readFile(join(stubDir, 'agent.pl'), 'utf8')).toBe(STUB);
        // The remote run folder (with whatever the stub wrote) was removed.
        expect(await readdir(join(stubAgentPath, '.mm-runs'))).toEqual([]);
        await unchanged();
        return error;
      };

      it('text that is not XML', async () => {
        const error = await fetchWith('not-xml');
        expect(error.code).toBe('xml-not-xml');
        expect(error.message).toMatch(/not an XML document/);
      });

      it('XML that breaks the schema, with line and column', async () => {
        const error = await fetchWith('schema');
        expect(error.code).toBe('xml-invalid');
        expect(error.message).toMatch(/line 7, column \d+/);
        expect(error.message).toContain('typ');
        expect(error.where).toMatch(/:7:\d+$/);
      });

      it('a billion-laughs document is refused for its DOCTYPE', async () => {
        const error = await fetchWith('lol');
        expect(error.code).toBe('xml-doctype');
        expect(error.message).toMatch(/line 2/);
        expect(error.message).toMatch(/entity/);
      });

      it('a 200 MB document is refused with a limit, not parsed', async () => {
        const rss = process.memoryUsage().rss;
        const error = await fetchWith('big');
        expect(error.code).toBe('xml-too-large');
        expect(error.message).toMatch(/200 MB, over the 128 MB limit/);
        expect(process.memoryUsage().rss - rss).toBeLessThan(400 * 1024 * 1024);
      });

      it('an agent exiting 3 fails with the first line of its stderr', async () => {
        const error = await fetchWith('fail');
        expect(error.code).toBe('agent-failed');
        expect(error.message).toMatch(/exit 3/);
        expect(error.message).toContain('stub agent: cannot read /etc/stub-panel.conf: Permission denied');
        expect(error.message).not.toContain('second line');
        expect(error.message).toContain(`127.0.0.1:${sshd.port}`);
      });

      it('after all that, the stub still produces a good inventory', async () => {
        await writeFile(join(stubDir, 'mode'), 'good\n');
        const again = await core.inventory.fetch(projectId, stubId);
        expect(again.summary).toMatchObject({ domains: layout.domains });
        await core.servers.remove(projectId, stubId);
        expect(serversOf(await projectFile())).toBe(serversOf(before));
      });
    });

    it('left the project file as it was', async () => {
      expect(JSON.parse(await projectFile()).servers).toEqual(JSON.parse(before).servers);
    });
  });
});
