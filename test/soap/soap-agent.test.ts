/**
 * Source servers over SOAP/HTTP(S): the real linux agent serving `--serve` on loopback, the
 * manager's soap transport through the core, on the demo layout — what the SSH suites prove
 * over SSH: registration (token sealed), test, inventory, domain services, content checksums,
 * disable, the agent's own failures; plus HTTPS pinning.
 */
import { existsSync, rmSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoLayoutSummary, buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { type Core, createCore } from '../../electron/core/core';
import { failure } from '../helpers/failure';
import { expectTarHoldsTree, openTar, parseXml } from '../helpers/layouts/agent-harness';
import {
  type DescriptionLayout,
  buildDescriptionLayout,
  standardDescriptionLayout,
} from '../helpers/layouts/description-layout';
import { tempDir } from '../helpers/paths';
import { type ServedAgent, certificateFingerprint, makeCertificate, serveAgent } from './served-agent';
import { readProjectText } from '../helpers/store-under-test';

const DOMAIN = 'acme-widgets.example';

describe('source server over SOAP/HTTP: register, test, inventory, services, content, disable', () => {
  let agent: ServedAgent;
  let core: Core;
  let projectId: string;
  let layoutRoot: string;
  let layout: DemoLayoutSummary;

  const projectFile = () => readProjectText(join(core.projects.projectDir(projectId), 'project.json'));

  beforeAll(async () => {
    layoutRoot = await tempDir('mm-soap-layout-');
    layout = buildDemoLayout(layoutRoot);
    agent = await serveAgent('linux', { root: layoutRoot });
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('SOAP test')).id;
    await core.servers.add(projectId, {
      name: 'win01',
      kind: 'linux',
      connection: { type: 'soap', url: agent.url },
      credentials: { token: agent.token },
    });
  });
  afterAll(() => agent?.kill());

  it('seals the token in the secret store, never in the project file', async () => {
    const text = await projectFile();
    expect(text).not.toContain(agent.token);
    expect(text).toContain(agent.url);
    expect(await core.secrets.get(`project/${projectId}/server/win01/token`)).toBe(agent.token);
  });

  it('tests the connection: the agent, its version and its Perl', async () => {
    const test = await core.servers.test(projectId, 'win01');
    expect(test.transport).toBe(`soap ${agent.url}`);
    expect(test.perl).toMatch(/^5\.\d+\.\d+$/);
    expect(test.agent).toMatchObject({ upToDate: true });
    expect(test.agent.installedVersion).toBe(test.agent.bundledVersion);
    expect(test.pinnedNow).toBe(false);
  });

  it('fetches and stores the inventory of the layout', async () => {
    const result = await core.inventory.fetch(projectId, 'win01');
    expect(result.deployed).toBe(false);
    expect(result.summary).toMatchObject({ domains: layout.domains, source: 'agent' });
    const accounts = await core.inventory.rows(projectId, 'accounts');
    if (accounts.kind !== 'accounts') return expect.fail('account rows expected');
    expect(accounts.rows.filter((a) => a.type === 'customer')).toHaveLength(layout.customers);
  });

  it('fetches domain services through the agent', async () => {
    const r = await core.domainServices.fetch(projectId, 'win01', [DOMAIN]);
    expect(r).toMatchObject({ domains: 1 });
    const facts = await core.domainServices.facts(projectId);
    expect([...facts.keys()].some((k) => k.includes('win01') && k.includes(DOMAIN))).toBe(true);
  });

  it('streams a content tarball that holds exactly the site, checksums included', async () => {
    const opened = await core.servers.open(projectId, 'win01');
    const file = join(await tempDir('mm-soap-content-'), 'site.tar');
    const seen: number[] = [];
    await opened.agent.run(
      ['--extract=domainContent', `--domain-id=${DOMAIN}`, `--content-id=site:${DOMAIN}`],
      'tar',
      file,
      { onProgress: (done) => seen.push(done) },
    );
    const tar = openTar(file);
    expectTarHoldsTree(tar, join(layoutRoot, 'home', 'acme', 'web', DOMAIN, 'public_html'));
    expect(seen.length).toBeGreaterThan(0);
  });

  it('disables subscriptions and reports them disabled afterwards', async () => {
    const inv = await core.inventory.rows(projectId, 'subscriptions');
    const sub = inv.rows[0] as { id: string } | undefined;
    if (!sub) return expect.fail('the layout has subscriptions');
    const opened = await core.servers.open(projectId, 'win01');
    const file = join(await tempDir('mm-soap-disable-'), 'disable.xml');
    await opened.agent.run(['--disable=subscriptions', `--subscription-ids=${sub.id}`], 'xml', file);
    const doc = parseXml(await readFile(file));
    expect(JSON.stringify(doc)).toContain(sub.id);
    const state = await readFile(join(layoutRoot, 'var/lib/mm-agent/disabled-subscriptions.json'), 'utf8');
    expect(JSON.parse(state)).toContain(sub.id);
    const again = join(await tempDir('mm-soap-accounts-'), 'platform.xml');
    await opened.agent.run(['--extract=hostingPlatformInfo'], 'xml', again);
    const platform = await readFile(again, 'utf8');
    expect(platform).toMatch(new RegExp(`<subscription id="${sub.id}"[^>]*status="disabled"`));
  });

  it("an agent failure comes back with the agent's own message and exit code, nothing left behind", async () => {
    const opened = await core.servers.open(projectId, 'win01');
    const dir = await tempDir('mm-soap-fail-');
    const error = await failure(
      opened.agent.run(
        ['--extract=domainServicesInfo', '--domain-id=no-such.example'],
        'xml',
        join(dir, 'x.xml'),
      ),
    );
    expect(error).toMatchObject({ code: 'agent-failed' });
    expect(error.message).toContain("unknown domain id 'no-such.example'");
    expect(error.message).toContain('(exit 1)');
    const usage = await failure(opened.agent.run(['--extract=noSuchThing'], 'xml', join(dir, 'y.xml')));
    expect(usage.message).toContain('(exit 2)');
    const content = await failure(
      opened.agent.run(
        ['--extract=domainContent', `--domain-id=${DOMAIN}`, '--content-id=site:elsewhere.example'],
        'tar',
        join(dir, 'z.tar'),
      ),
    );
    expect(content).toMatchObject({ code: 'agent-failed' });
    expect(content.message).toContain("unknown content id 'site:elsewhere.example'");
    expect(await readdir(dir)).toEqual([]);
  });

  it('a request option the command line keeps to itself (--root, --file) is refused by the agent', async () => {
    const opened = await core.servers.open(projectId, 'win01');
    const error = await failure(
      opened.agent.run(['--extract=hostingPlatformInfo', '--root=/'], 'xml', join(await tempDir(), 'r.xml')),
    );
    expect(error).toMatchObject({ code: 'agent-refused' });
    expect(error.message).toContain("option 'root' is not one a request may set");
  });

  it('registration refuses what cannot work, naming the field', async () => {
    const add = (connection: { type: 'soap'; url: string; tlsFingerprint?: string }, extra = {}) =>
      failure(
        core.servers.add(projectId, {
          name: 'refused',
          kind: 'linux',
          connection,
          credentials: { token: agent.token },
          ...extra,
        }),
      );
    expect(await add({ type: 'soap', url: 'ftp://127.0.0.1/mm-agent' })).toMatchObject({ where: 'url' });
    expect(await add({ type: 'soap', url: `${agent.url}?token=x` })).toMatchObject({ where: 'url' });
    expect(await add({ type: 'soap', url: agent.url, tlsFingerprint: 'AB:CD' })).toMatchObject({
      where: 'tlsFingerprint',
    });
    expect(await add({ type: 'soap', url: agent.url }, { sourceRoot: '/srv' })).toMatchObject({
      where: 'sourceRoot',
    });
    expect((await core.servers.list(projectId)).map((s) => s.id)).not.toContain('refused');
  });

  it('an agent of another kind is refused by name', async () => {
    await core.servers.add(projectId, {
      name: 'wrongkind',
      kind: 'hsphere',
      connection: { type: 'soap', url: agent.url },
      credentials: { token: agent.token },
    });
    await expect(core.servers.test(projectId, 'wrongkind')).rejects.toMatchObject({ code: 'agent-mismatch' });
    await core.servers.remove(projectId, 'wrongkind');
  });
});

describe('SOAP over HTTPS: the certificate is pinned as host keys are for SSH', () => {
  let agent: ServedAgent;
  let core: Core;
  let projectId: string;
  let layoutRoot: string;

  beforeAll(async () => {
    layoutRoot = await tempDir('mm-soap-layout-');
    buildDemoLayout(layoutRoot);
    const cert = await makeCertificate();
    agent = await serveAgent('linux', { root: layoutRoot, tls: cert });
    expect(agent.fingerprint).toBe(certificateFingerprint(cert.cert));
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('SOAP TLS test')).id;
  });
  afterAll(() => agent?.kill());

  const requests = () =>
    agent
      .stderr()
      .split('\n')
      .filter((l) => / POST /.test(l)).length;

  it('shows an unknown certificate, sends nothing, and pins it on acceptance', async () => {
    await core.servers.add(projectId, {
      name: 'tls01',
      kind: 'linux',
      connection: { type: 'soap', url: agent.url },
      credentials: { token: agent.token },
    });
    const before = requests();
    const error = await failure(core.servers.test(projectId, 'tls01'));
    expect(error).toMatchObject({ code: 'tls-fingerprint-unknown', where: agent.fingerprint });
    expect(requests()).toBe(before);
    const test = await core.servers.test(projectId, 'tls01', { trustNew: true });
    expect(test).toMatchObject({ pinnedNow: true, tlsFingerprint: agent.fingerprint });
    const server = await core.servers.get(projectId, 'tls01');
    expect(server.connection).toMatchObject({ type: 'soap', tlsFingerprint: agent.fingerprint });
    const result = await core.inventory.fetch(projectId, 'tls01');
    expect(result.summary.domains).toBeGreaterThan(0);
  });

  it('a foreign certificate is refused with both fingerprints before the token is sent; nothing stored', async () => {
    const other = certificateFingerprint((await makeCertificate()).cert);
    await core.servers.add(projectId, {
      name: 'spoofed',
      kind: 'linux',
      connection: { type: 'soap', url: agent.url, tlsFingerprint: other },
      credentials: { token: agent.token },
    });
    const before = requests();
    const stored = await readProjectText(join(core.projects.projectDir(projectId), 'project.json'));
    const error = await failure(core.inventory.fetch(projectId, 'spoofed'));
    expect(error).toMatchObject({ code: 'tls-fingerprint-changed' });
    expect(error.message).toContain(other);
    expect(error.message).toContain(agent.fingerprint!);
    expect(requests()).toBe(before);
    expect(await readProjectText(join(core.projects.projectDir(projectId), 'project.json'))).toBe(stored);
    await expect(
      readProjectText(join(core.projects.projectDir(projectId), 'inventory', 'spoofed.json')),
    ).rejects.toThrow();
  });

  it('an https URL to a plain HTTP agent fails clearly', async () => {
    const plain = await serveAgent('linux', { root: layoutRoot });
    try {
      await core.servers.add(projectId, {
        name: 'notls',
        kind: 'linux',
        connection: { type: 'soap', url: plain.url.replace('http:', 'https:') },
        credentials: { token: plain.token },
      });
      const error = await failure(core.servers.test(projectId, 'notls', { trustNew: true }));
      expect(error.code).toMatch(/^agent-(tls-failed|unreachable)$/);
    } finally {
      await plain.kill();
    }
  });
});

describe('the description agent over SOAP (Migration API v1), names that try to break out', () => {
  const marker = `/tmp/pwned-soap-${process.pid}`;
  let agent: ServedAgent;
  let core: Core;
  let projectId: string;
  let root: string;
  let layout: DescriptionLayout;

  beforeAll(async () => {
    rmSync(marker, { force: true });
    root = await tempDir('mm-soap-desc-');
    layout = standardDescriptionLayout(marker);
    buildDescriptionLayout(root, layout);
    agent = await serveAgent('description', { root, apiVersion: 1 });
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('SOAP description')).id;
    await core.servers.add(projectId, {
      name: 'sphera',
      kind: 'sphera',
      apiVersion: 1,
      connection: { type: 'soap', url: agent.url },
      credentials: { token: agent.token },
    });
  });
  afterAll(() => agent?.kill());

  it('fetches the inventory and a hostile domain’s services and content; nothing is executed', async () => {
    const result = await core.inventory.fetch(projectId, 'sphera');
    expect(result.summary.domains).toBeGreaterThan(0);
    const domains = await core.inventory.rows(projectId, 'domains');
    expect(JSON.stringify(domains.rows)).toContain(JSON.stringify(layout.hostileDomain).slice(1, -1));
    const opened = await core.servers.open(projectId, 'sphera');
    const dir = await tempDir('mm-soap-desc-out-');
    await opened.agent.run(
      ['--extract=domainServicesInfo', `--domain-id=${layout.hostileDomain}`],
      'xml',
      join(dir, 'ds.xml'),
    );
    const ds = await readFile(join(dir, 'ds.xml'), 'utf8');
    expect(ds).toContain('apiVersion="1"');
    expect(ds).toContain('зона.example');
    await opened.agent.run(
      ['--extract=domainContent', '--domain-id=sphera.example', '--content-id=site:sphera.example'],
      'tar',
      join(dir, 'site.tar'),
    );
    expectTarHoldsTree(openTar(join(dir, 'site.tar')), join(root, 'vz/private/101/var/www/sphera.example'));
    expect(existsSync(marker)).toBe(false);
  });
});
