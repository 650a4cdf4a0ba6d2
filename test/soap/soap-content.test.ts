/**
 * Content from a source reached over SOAP/HTTP (the real linux agent serving SOAP on loopback)
 * to a target node behind a real sshd: the tarball streams from the agent's chunked answer
 * through the manager's verifier into the node, byte for byte. A failing agent and an agent
 * killed mid-stream publish nothing and leave no staging behind.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import type { SshConnection } from '../../electron/core/agent/ssh-transport';
import { type Core, createCore } from '../../electron/core/core';
import { type ContentPlace, mailboxPlace, sitePlace } from '../../electron/core/content/layout';
import { type ContentSource, transferContent } from '../../electron/core/content/transfer';
import type { OpenedServer } from '../../electron/core/servers/server-service';
import { connectTo, tree } from '../content/helpers';
import { tempDir } from '../helpers/paths';
import { type Sshd, startSshd } from '../helpers/sshd';
import { type ServedAgent, serveAgent } from './served-agent';

const DOMAIN = 'acme-widgets.test';
const SITE = `site:${DOMAIN}`;
const DOC_ROOT = `home/acme/web/${DOMAIN}/public_html`;

let root: string;
let agent: ServedAgent;
let node: Sshd;
let nodeConn: SshConnection;
let core: Core;
let source: OpenedServer;
let nodeDir: string;

beforeAll(async () => {
  root = await tempDir('mm-soap-content-layout-');
  buildDemoLayout(root);
  [agent, node] = await Promise.all([serveAgent('linux', { root }), startSshd()]);
  nodeConn = await connectTo(node);
  nodeDir = await tempDir('mm-soap-content-node-');
  core = createCore({ dataDir: await tempDir(), shell: 'test' });
  const projectId = (await core.projects.create('SOAP content')).id;
  await core.servers.add(projectId, {
    name: 'win01',
    kind: 'linux',
    connection: { type: 'soap', url: agent.url },
    credentials: { token: agent.token },
  });
  source = await core.servers.open(projectId, 'win01');
}, 120_000);

afterAll(async () => {
  await source?.close();
  await nodeConn?.close();
  await node?.stop();
  await agent?.kill();
});

/** domainContent of one content id, streamed by the SOAP agent. */
function fromSoap(domain: string, contentId: string): ContentSource {
  const stream = source.agent.stream?.bind(source.agent);
  if (!stream) throw new Error('the SOAP communicator cannot stream');
  return (out, signal) =>
    stream(['--extract=domainContent', `--domain-id=${domain}`, `--content-id=${contentId}`], out, {
      signal,
    });
}

const move = (contentId: string, place: ContentPlace, from = fromSoap(DOMAIN, contentId)) =>
  transferContent({ contentId, source: from, node: nodeConn, place, signal: new AbortController().signal });

describe('content from a SOAP source to a target node over SSH', () => {
  it('moves a site byte for byte, with modes and mtimes', async () => {
    const place = sitePlace(join(nodeDir, 'vhosts'), 7, '', SITE);
    const marker = await move(SITE, place);
    const want = await tree(join(root, DOC_ROOT));
    expect(await tree(place.final)).toEqual(want);
    expect(marker.files).toBe([...want.values()].filter((e) => e.type === 'file').length);
    expect(existsSync(place.staging)).toBe(false);
  });

  it('moves a Maildir whole, flags and folders kept', async () => {
    const contentId = `mailbox:ann@${DOMAIN}`;
    const place = mailboxPlace(join(nodeDir, 'mail'), `ann@${DOMAIN}`, contentId);
    await move(contentId, place);
    const got = await tree(place.final);
    expect(got).toEqual(await tree(join(root, `var/mail/vhosts/${DOMAIN}/ann`)));
    expect([...got.keys()].some((k) => k.startsWith('.Sent/cur/') && k.endsWith(':2,S'))).toBe(true);
  });

  it("says the agent's refusal and publishes nothing when the content id is unknown", async () => {
    const place = sitePlace(join(nodeDir, 'vhosts'), 8, '', 'site:nowhere.test');
    await expect(move('site:nowhere.test', place, fromSoap(DOMAIN, 'site:nowhere.test'))).rejects.toThrow(
      /nowhere\.test/,
    );
    expect(existsSync(place.final)).toBe(false);
    expect(existsSync(place.staging)).toBe(false);
  });

  it('publishes nothing when the agent is killed mid-stream', async () => {
    // A file large enough that the stream is still running when the agent dies.
    const big = join(root, DOC_ROOT, 'big.bin');
    await writeFile(big, Buffer.alloc(96 * 1024 * 1024, 7));
    const killable = await serveAgent('linux', { root });
    try {
      const projectId = (await core.projects.create('SOAP kill')).id;
      await core.servers.add(projectId, {
        name: 'win02',
        kind: 'linux',
        connection: { type: 'soap', url: killable.url },
        credentials: { token: killable.token },
      });
      const opened = await core.servers.open(projectId, 'win02');
      const place = sitePlace(join(nodeDir, 'vhosts'), 9, '', SITE);
      let killed = false;
      const moving = transferContent({
        contentId: SITE,
        source: (out, signal) =>
          opened.agent.stream!(
            ['--extract=domainContent', `--domain-id=${DOMAIN}`, `--content-id=${SITE}`],
            out,
            { signal },
          ),
        node: nodeConn,
        place,
        signal: new AbortController().signal,
        onProgress: (bytes) => {
          if (!killed && bytes > 8 * 1024 * 1024) {
            killed = true;
            void killable.kill('SIGKILL');
          }
        },
      });
      await expect(moving).rejects.toThrow();
      expect(killed).toBe(true);
      expect(existsSync(place.final)).toBe(false);
      expect(existsSync(place.staging)).toBe(false);
      await opened.close();
    } finally {
      await killable.kill();
    }
  });
});
