/**
 * SOAP/HTTP failures, each refused clearly with nothing stored: a wrong token, a malformed
 * envelope and an entity bomb (sent to the real agent, and answered by a hostile one), an
 * unreachable agent, the manager's timeout, a cancel, the agent's own timeout, and the agent
 * killed while it streams a tarball.
 */
import { openSync, closeSync, ftruncateSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { type Server, createServer, request } from 'node:http';
import { type Socket, connect, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { type Core, createCore } from '../../electron/core/core';
import { SoapAgentCommunicator } from '../../electron/core/agent/soap-agent';
import { failure } from '../helpers/failure';
import { tempDir } from '../helpers/paths';
import { freePort } from '../helpers/sshd';
import { BILLION_LAUGHS_XML } from '../helpers/xml-fixtures';
import { type ServedAgent, serveAgent } from './served-agent';
import { listProjectDocuments, readProjectText } from '../helpers/store-under-test';

const DOMAIN = 'acme-widgets.example';
const CONTENT = ['--extract=domainContent', `--domain-id=${DOMAIN}`, `--content-id=site:${DOMAIN}`];
const BIG = 2 * 1024 * 1024 * 1024;

/** One raw HTTP POST to the agent; the whole answer, trailers included. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; trailers: NodeJS.Dict<string>; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'Content-Type': 'text/xml', ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        let bytes = 0;
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          if (parts.length < 64) parts.push(d);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(parts).toString('utf8'),
            trailers: res.trailers,
            bytes,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const envelope = (inner: string, prolog = ''): string =>
  `<?xml version="1.0"?>${prolog}<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:migration-manager:agent:1"><s:Body>${inner}</s:Body></s:Envelope>`;

describe('SOAP failures against the real agent', () => {
  let agent: ServedAgent;
  let core: Core;
  let projectId: string;
  let layoutRoot: string;
  const projectFile = () => readProjectText(join(core.projects.projectDir(projectId), 'project.json'));
  const inventoryFiles = async () =>
    listProjectDocuments(join(core.projects.projectDir(projectId), 'inventory'));
  const auth = () => ({ Authorization: `Bearer ${agent.token}`, SOAPAction: '""' });

  beforeAll(async () => {
    layoutRoot = await tempDir('mm-soap-fail-layout-');
    buildDemoLayout(layoutRoot);
    // A 2 GiB sparse file in the site: a tarball that takes seconds to make and stream.
    const fd = openSync(join(layoutRoot, 'home/acme/web', DOMAIN, 'public_html/big.bin'), 'w');
    ftruncateSync(fd, BIG);
    closeSync(fd);
    agent = await serveAgent('linux', { root: layoutRoot });
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('SOAP failures')).id;
    await core.servers.add(projectId, {
      name: 'good',
      kind: 'linux',
      connection: { type: 'soap', url: agent.url },
      credentials: { token: agent.token },
    });
  });
  afterAll(() => agent?.kill());

  it('a wrong token is refused (401) before anything runs; nothing is stored', async () => {
    await core.servers.add(projectId, {
      name: 'badtoken',
      kind: 'linux',
      connection: { type: 'soap', url: agent.url },
      credentials: { token: 'x'.repeat(32) },
    });
    const stored = await projectFile();
    const test = await failure(core.servers.test(projectId, 'badtoken'));
    expect(test).toMatchObject({ code: 'agent-unauthorized' });
    expect(test.message).toContain('refused the token');
    const fetch = await failure(core.inventory.fetch(projectId, 'badtoken'));
    expect(fetch).toMatchObject({ code: 'agent-unauthorized' });
    expect(await projectFile()).toBe(stored);
    expect(await inventoryFiles()).not.toContain('badtoken.json');
    expect(agent.stderr()).toMatch(/POST \/mm-agent 401/);
    await core.servers.remove(projectId, 'badtoken');
  });

  it('a short token is refused at registration', async () => {
    const e = await failure(
      core.servers.add(projectId, {
        name: 'short',
        kind: 'linux',
        connection: { type: 'soap', url: agent.url },
        credentials: { token: 'short' },
      }),
    );
    expect(e).toMatchObject({ code: 'invalid-input', where: 'token' });
  });

  it('the agent refuses a malformed envelope, an entity bomb and a stranger operation with SOAP faults', async () => {
    const malformed = await post(agent.url, '<s:Envelope><unclosed>', auth());
    expect(malformed.status).toBe(500);
    expect(malformed.body).toContain('<faultcode>soap:Client</faultcode>');
    expect(malformed.body).toContain('malformed envelope');

    const started = Date.now();
    const bombBody = BILLION_LAUGHS_XML.replace(/<hostingPlatform[\s\S]*$/, '');
    const bomb = await post(
      agent.url,
      envelope(
        '<m:Run><m:option name="disable">subscriptions</m:option><m:option name="subscription-ids">&lol9;</m:option></m:Run>',
        bombBody.replace('<?xml version="1.0"?>', ''),
      ),
      auth(),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(bomb.status).toBe(500);
    expect(bomb.body).toContain('DOCTYPE');
    // Nothing ran: no subscription was disabled.
    await expect(
      readFile(join(layoutRoot, 'var/lib/mm-agent/disabled-subscriptions.json')),
    ).rejects.toThrow();

    const undeclared = await post(
      agent.url,
      envelope('<m:Run><m:option name="extract">&xxe;</m:option></m:Run>'),
      auth(),
    );
    expect(undeclared.body).toContain('entity &amp;xxe; is not declared');

    const stranger = await post(agent.url, envelope('<x:Shell xmlns:x="urn:other"/>'), auth());
    expect(stranger.status).toBe(500);
    expect(stranger.body).toContain('unknown operation');

    const get = await new Promise<number>((resolve, reject) =>
      request(agent.url, { method: 'GET', headers: auth() }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    expect(get).toBe(405);
    // The agent is still there.
    expect((await core.servers.test(projectId, 'good')).agent.upToDate).toBe(true);
  });

  it('connections past its limit are told the agent is busy, then served once others end', async () => {
    const idle = await Promise.all(
      Array.from(
        { length: 16 },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const s = connect(Number(new URL(agent.url).port), '127.0.0.1', () => resolve(s));
            s.on('error', reject);
          }),
      ),
    );
    // The agent forks one process per accepted connection; give it the time to accept them all.
    await expect
      .poll(async () => (await post(agent.url, envelope('<m:Version/>'), auth())).status, { timeout: 10_000 })
      .toBe(503);
    for (const s of idle) s.destroy();
    await expect
      .poll(async () => (await post(agent.url, envelope('<m:Version/>'), auth())).status, { timeout: 10_000 })
      .toBe(200);
  });

  it('HTTP and SOAP that the agent does not take are refused, each with a fault that says why', async () => {
    const version = envelope('<m:Version/>');
    const cases: [string, Awaited<ReturnType<typeof post>>, number, string][] = [
      [
        'no SOAPAction',
        await post(agent.url, version, { Authorization: `Bearer ${agent.token}` }),
        400,
        'SOAPAction',
      ],
      [
        'another SOAPAction',
        await post(agent.url, version, { ...auth(), SOAPAction: '"urn:migration-manager:agent:1#Run"' }),
        400,
        'does not name the operation Version',
      ],
      [
        'a header that must be understood',
        await post(
          agent.url,
          `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:migration-manager:agent:1"><s:Header><x:Auth xmlns:x="urn:x" s:mustUnderstand="1"/></s:Header><s:Body><m:Version/></s:Body></s:Envelope>`,
          auth(),
        ),
        500,
        'soap:MustUnderstand',
      ],
      [
        'an option given twice',
        await post(
          agent.url,
          envelope(
            '<m:Run><m:option name="extract">accountsInfo</m:option><m:option name="extract">domainsInfo</m:option></m:Run>',
          ),
          auth(),
        ),
        500,
        "option 'extract' given twice",
      ],
      [
        'an envelope over the size limit',
        await post(agent.url, envelope(`<m:Version/>${' '.repeat(5 * 1024 * 1024)}`), auth()),
        413,
        'at most',
      ],
      [
        'a SOAP 1.2 envelope',
        await post(
          agent.url,
          version.replace('xmlsoap.org/soap/envelope/', 'w3.org/2003/05/soap-envelope'),
          auth(),
        ),
        500,
        'not a SOAP 1.1 Envelope',
      ],
    ];
    for (const [what, r, status, says] of cases) {
      expect(r.status, what).toBe(status);
      expect(r.body, what).toContain(says);
    }
    expect((await post(agent.url, version, auth())).status).toBe(200);
  });

  it("the agent's own deadline ends a command and says so in the trailers", async () => {
    const r = await post(
      agent.url,
      envelope(
        `<m:Run><m:option name="extract">domainContent</m:option><m:option name="domain-id">${DOMAIN}</m:option><m:option name="content-id">site:${DOMAIN}</m:option><m:timeoutSeconds>1</m:timeoutSeconds></m:Run>`,
      ),
      auth(),
    );
    expect(r.status).toBe(200);
    expect(r.bytes).toBeLessThan(BIG);
    expect(r.trailers['x-mm-exit']).toBe('1');
    expect(decodeURIComponent(r.trailers['x-mm-error'] ?? '')).toContain('timed out after 1s');
  });

  it('an unreachable agent', async () => {
    const port = await freePort();
    await core.servers.add(projectId, {
      name: 'down',
      kind: 'linux',
      connection: { type: 'soap', url: `http://127.0.0.1:${port}/mm-agent` },
      credentials: { token: agent.token },
    });
    const e = await failure(core.inventory.fetch(projectId, 'down'));
    expect(e).toMatchObject({ code: 'agent-unreachable' });
    expect(e.message).toContain(`127.0.0.1:${port}`);
    await core.servers.remove(projectId, 'down');
  });

  it('the manager stops a command that runs too long; the partial tarball is removed', async () => {
    const opened = await core.servers.open(projectId, 'good');
    const dir = await tempDir('mm-soap-timeout-');
    const started = Date.now();
    const e = await failure(opened.agent.run(CONTENT, 'tar', join(dir, 'c.tar'), { timeoutMs: 700 }));
    expect(e).toMatchObject({ code: 'command-timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await readdir(dir)).toEqual([]);
    // The agent noticed the connection went and stopped that command.
    await expect.poll(() => agent.stderr(), { timeout: 15_000 }).toMatch(/200 streamed, failed/);
  });

  it('a cancel stops the stream; nothing is left', async () => {
    const opened = await core.servers.open(projectId, 'good');
    const dir = await tempDir('mm-soap-cancel-');
    const controller = new AbortController();
    const e = await failure(
      opened.agent.run(CONTENT, 'tar', join(dir, 'c.tar'), {
        signal: controller.signal,
        onProgress: (done) => done > 1024 * 1024 && controller.abort(),
      }),
    );
    expect(e).toMatchObject({ code: 'cancelled' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('an agent killed mid-stream fails the run as a lost connection; nothing is left', async () => {
    const doomed = await serveAgent('linux', { root: layoutRoot });
    try {
      await core.servers.add(projectId, {
        name: 'doomed',
        kind: 'linux',
        connection: { type: 'soap', url: doomed.url },
        credentials: { token: doomed.token },
      });
      const opened = await core.servers.open(projectId, 'doomed');
      const dir = await tempDir('mm-soap-killed-');
      let killed = false;
      const e = await failure(
        opened.agent.run(CONTENT, 'tar', join(dir, 'c.tar'), {
          onProgress: (done) => {
            if (!killed && done > 1024 * 1024) {
              killed = true;
              void doomed.kill('SIGKILL');
            }
          },
        }),
      );
      expect(killed).toBe(true);
      expect(e).toMatchObject({ code: 'agent-connection-lost' });
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await doomed.kill('SIGKILL');
    }
  });
});

describe('an agent that accepts the connection and never answers', () => {
  it('the deadline covers the TLS handshake and the wait for an answer', async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      for (const scheme of ['https', 'http']) {
        const agent = new SoapAgentCommunicator(
          {
            url: `${scheme}://127.0.0.1:${port}/mm-agent`,
            token: 't'.repeat(24),
            tls: { mode: 'trust-new' },
          },
          { agent: 'linux', apiVersion: 2 },
        );
        const dir = await tempDir('mm-soap-silent-');
        const started = Date.now();
        const e = await failure(
          agent.run(['--extract=hostingPlatformInfo'], 'xml', join(dir, 'x.xml'), { timeoutMs: 500 }),
        );
        expect(e, scheme).toMatchObject({ code: 'command-timeout' });
        expect(Date.now() - started).toBeLessThan(3000);
        expect(await readdir(dir)).toEqual([]);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('a hostile agent: what it answers is refused before it is parsed or stored', () => {
  let server: Server;
  let url: string;
  let answer = '';
  let core: Core;
  let projectId: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mm-agent`;
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
    projectId = (await core.projects.create('Hostile agent')).id;
    await core.servers.add(projectId, {
      name: 'hostile',
      kind: 'linux',
      connection: { type: 'soap', url },
      credentials: { token: 't'.repeat(24) },
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const nothingStored = async (before: string) => {
    expect(await readProjectText(join(core.projects.projectDir(projectId), 'project.json'))).toBe(before);
    expect(await listProjectDocuments(join(core.projects.projectDir(projectId), 'inventory'))).toEqual([]);
  };

  it('an envelope with an entity bomb', async () => {
    const before = await readProjectText(join(core.projects.projectDir(projectId), 'project.json'));
    answer = BILLION_LAUGHS_XML.replace(
      /<hostingPlatform[\s\S]*$/,
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>&lol9;</soap:Body></soap:Envelope>',
    );
    const e = await failure(core.inventory.fetch(projectId, 'hostile'));
    expect(e).toMatchObject({ code: 'xml-doctype' });
    await nothingStored(before);
  });

  it('a well-formed envelope carrying an entity-bomb document', async () => {
    const before = await readProjectText(join(core.projects.projectDir(projectId), 'project.json'));
    const doc = Buffer.from(BILLION_LAUGHS_XML);
    const body = `<mm:agent>linux</mm:agent><mm:version>99.0.0</mm:version><mm:exitCode>0</mm:exitCode><mm:document encoding="base64" bytes="${doc.length}">${doc.toString('base64')}</mm:document>`;
    answer = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mm="urn:migration-manager:agent:1"><soap:Body><mm:RunResponse>${body}</mm:RunResponse></soap:Body></soap:Envelope>`;
    const e = await failure(core.inventory.fetch(projectId, 'hostile'));
    expect(e).toMatchObject({ code: 'xml-doctype' });
    await nothingStored(before);
  });

  it('a malformed envelope', async () => {
    const before = await readProjectText(join(core.projects.projectDir(projectId), 'project.json'));
    answer = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>';
    const e = await failure(core.inventory.fetch(projectId, 'hostile'));
    expect(e).toMatchObject({ code: 'agent-bad-response' });
    await nothingStored(before);
  });
});
