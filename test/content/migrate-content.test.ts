/**
 * Content as part of `mm migrate`, on real parts: the demo layout behind a real sshd (the
 * source), the sandbox target; first with the sandbox's own local nodes (nothing registered:
 * `mm sandbox` + `mm target set` is a complete target) and its web server answering by Host
 * header with the source's bytes; then with web and mail nodes registered behind a second
 * sshd, the batch killed with SIGKILL in the middle of a large site's transfer and run again:
 * the site is published once, whole, and no staging is left.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentKey } from '../../electron/core/content/layout';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { tempDir } from '../helpers/paths';
import { type Sshd, startSshd } from '../helpers/sshd';
import {
  type PreparedSource,
  freshRun,
  journalLines,
  mm,
  mmOk,
  parseMigrate,
  prepareSource,
} from '../migration/env';
import { tree } from './helpers';
import { addNodes, killMigrateWhen } from './resume-harness';

let source: PreparedSource;
let nodeSshd: Sshd;

beforeAll(async () => {
  [source, nodeSshd] = await Promise.all([prepareSource(), startSshd()]);
}, 300_000);

afterAll(async () => {
  await source?.stop();
  await nodeSshd?.stop();
});

/** Every site of the layout: host name → its document root on the source. */
async function sourceSites(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const user of await readdir(join(source.root, 'home'))) {
    const web = join(source.root, 'home', user, 'web');
    if (!existsSync(web)) continue;
    for (const host of await readdir(web)) out.set(host, join(web, host, 'public_html'));
  }
  return out;
}

function get(port: number, host: string, path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const isFile = ([, e]: [string, { type: string }]): boolean => e.type === 'file';

describe('mm migrate moves content to the sandbox’s own nodes', () => {
  it('serves every migrated site by Host header with the source bytes, and keeps each Maildir whole', async () => {
    const { dataDir, sandbox } = await freshRun(source);
    try {
      const nodes = JSON.parse((await mmOk(dataDir, ['target', 'node', 'list', '--json'])).stdout) as {
        role: string;
        via: string;
        root: string;
      }[];
      expect(nodes.map((n) => `${n.role}:${n.via}`).sort()).toEqual(['mail:sandbox', 'web:sandbox']);
      const run = parseMigrate(await mm(dataDir, ['migrate', '--json']));
      expect(run.failures).toEqual([]);
      expect(run.state).toBe('done');

      const done = (await journalLines(dataDir)).filter(
        (e) =>
          e['t'] === 'outcome' &&
          /\/content\//.test(String(e['step'])) &&
          (e['outcome'] as { state: string }).state === 'done',
      );
      const hostsServed = new Set<string>();
      let files = 0;
      let bytes = 0;
      const perSite = new Map<string, { files: number; bytes: number }>();
      const perBox = new Map<string, { messages: number; bytes: number }>();
      const domains = new Set(sandbox.state().domains.map((d) => String(d['domain_name'])));
      for (const [name, docRoot] of await sourceSites()) {
        // The target knows names in ASCII (IDNA): bäckerei-becker.test is xn--bckerei-becker-5hb.test.
        const host = domainToASCII(name);
        if (!domains.has(host)) continue;
        const siteFiles = [...(await tree(docRoot))].filter(isFile);
        const siteBytes = siteFiles.reduce((n, [, e]) => n + (e.size ?? 0), 0);
        files += siteFiles.length;
        bytes += siteBytes;
        perSite.set(host, { files: siteFiles.length, bytes: siteBytes });
        for (const [rel] of siteFiles) {
          const got = await get(sandbox.ports.web, host, `/${rel}`);
          expect(got.status, `${host}/${rel}`).toBe(200);
          expect(got.body.equals(await readFile(join(docRoot, rel))), `${host}/${rel}`).toBe(true);
        }
        hostsServed.add(host);
      }
      // Every site of a migrated domain was served, and each came from a content step.
      expect(hostsServed.size).toBeGreaterThanOrEqual(9);
      const siteSteps = done.filter((e) => /\/content\/(site$|subdomain\/)/.test(String(e['step'])));
      expect(siteSteps.length).toBe(hostsServed.size);

      const mailRoot = join(sandbox.dataDir, 'nodes', 'mail');
      const vhosts = join(source.root, 'var', 'mail', 'vhosts');
      let boxes = 0;
      for (const domain of await readdir(vhosts)) {
        for (const box of await readdir(join(vhosts, domain))) {
          const target = join(mailRoot, domain, box, 'Maildir');
          const want = await tree(join(vhosts, domain, box));
          expect(await tree(target), `${box}@${domain}`).toEqual(want);
          const boxFiles = [...want].filter(isFile);
          files += boxFiles.length;
          bytes += boxFiles.reduce((n, [, e]) => n + (e.size ?? 0), 0);
          const messages = boxFiles.filter(([rel]) => /(^|\/)(cur|new)\/[^/]+$/.test(rel));
          perBox.set(`${box}@${domain}`, {
            messages: messages.length,
            bytes: messages.reduce((n, [, e]) => n + (e.size ?? 0), 0),
          });
          boxes++;
        }
      }
      expect(boxes).toBeGreaterThan(5);
      expect(done.filter((e) => /\/content\/mailbox\//.test(String(e['step']))).length).toBe(boxes);
      // The batch's summary counts what was published: every file and byte, every content step.
      // sandbox.dump says the same without knowing the nodes' layout.
      const dump = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', [{}]);
      const value = (dump.kind === 'value' ? dump.value : {}) as {
        content_sites?: { domain_name: string; files: number; bytes: number }[];
        content_mailboxes?: { address: string; messages: number; bytes: number }[];
      };
      expect(
        new Map(value.content_sites?.map((r) => [r.domain_name, { files: r.files, bytes: r.bytes }])),
      ).toEqual(perSite);
      expect(
        new Map(value.content_mailboxes?.map((r) => [r.address, { messages: r.messages, bytes: r.bytes }])),
      ).toEqual(perBox);
      expect((run as typeof run & { content?: unknown }).content).toEqual({
        steps: { total: done.length, done: done.length },
        files,
        bytes,
      });
    } finally {
      await sandbox.close();
    }
  }, 300_000);
});

describe('mm migrate to web and mail nodes behind their own sshd', () => {
  it('killed with SIGKILL in the middle of a large site, run again: published once, whole, no staging left', async () => {
    const docRoot = join(source.root, 'home/photo/web/patlens.test/public_html');
    await new Promise<void>((resolve, reject) => {
      const dd = spawn('dd', ['if=/dev/urandom', `of=${join(docRoot, 'big.bin')}`, 'bs=1M', 'count=200'], {
        stdio: 'ignore',
      });
      dd.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`dd exited ${code}`))));
    });
    const { dataDir, sandbox } = await freshRun(source);
    const nodeDir = await tempDir('mm-content-nodes-');
    try {
      await addNodes(dataDir, nodeDir, nodeSshd.port, nodeSshd);
      const listed = JSON.parse((await mmOk(dataDir, ['target', 'node', 'list', '--json'])).stdout) as {
        role: string;
        via: string;
        hostKeyFingerprint?: string;
      }[];
      expect(listed.map((n) => [n.role, n.via, n.hostKeyFingerprint])).toEqual([
        ['web', 'ssh', nodeSshd.hostFingerprint],
        ['mail', 'ssh', nodeSshd.hostFingerprint],
      ]);

      // Kill the batch once the large file is part-way into its staging folder on the node.
      const staging = (): string | undefined => {
        const ws = sandbox.state().domains.find((d) => d['domain_name'] === 'patlens.test')?.['webspace_id'];
        return ws
          ? join(nodeDir, 'vhosts', String(ws), 'webspace', '.mm-staging', contentKey('site:patlens.test'))
          : undefined;
      };
      let partial = 0;
      await killMigrateWhen(dataDir, async () => {
        const dir = staging();
        const size = dir ? ((await stat(join(dir, 'big.bin')).catch(() => undefined))?.size ?? 0) : 0;
        if (size > 8 * 1024 * 1024) partial = size;
        return partial > 0;
      });
      expect(partial, 'the batch was killed in the middle of the large file').toBeGreaterThan(0);
      expect(partial).toBeLessThan(200 * 1024 * 1024);

      const run = parseMigrate(await mm(dataDir, ['migrate', '--json']));
      expect(run.failures).toEqual([]);
      expect(run.state).toBe('done');

      // The checks read the site on the registered node; its pages are not asked of the sandbox's
      // web server (which serves only its own node and would answer 404): the check says so.
      const checked = JSON.parse(
        (await mm(dataDir, ['check', '--domains', 'patlens.test', '--json'])).stdout,
      ) as {
        results: { domain: string; checks: { kind: string; status: string; message: string }[] }[];
      };
      const web = checked.results
        .find((r) => r.domain === 'patlens.test')
        ?.checks.find((c) => c.kind === 'web');
      expect(web?.message).toContain("the web server that serves the target's web node is not known");
      expect(web?.message).not.toMatch(/\b404\b/);

      const ws = sandbox.state().domains.find((d) => d['domain_name'] === 'patlens.test')?.['webspace_id'];
      const webspace = join(nodeDir, 'vhosts', String(ws), 'webspace');
      expect(await tree(join(webspace, 'httpdocs'))).toEqual(await tree(docRoot));
      expect(await readdir(join(webspace, '.mm-staging'))).toEqual([]);
      expect((await readdir(webspace)).filter((n) => n.includes('mm-old'))).toEqual([]);
      // Exactly one successful outcome for the site's step, after the killed attempt's intent.
      const journal = await journalLines(dataDir);
      const intentsHere = journal.filter(
        (e) =>
          e['t'] === 'intent' &&
          (e['intent'] as { chosen?: { path?: string } }).chosen?.path === join(webspace, 'httpdocs'),
      );
      expect(intentsHere.length, 'one intent per attempt: the killed one and the finished one').toBe(2);
      const step = String(intentsHere[0]?.['step']);
      expect(
        journal
          .filter((e) => e['t'] === 'outcome' && e['step'] === step)
          .map((e) => (e['outcome'] as { state: string }).state),
      ).toEqual(['done']);
      // The mailboxes went to the registered mail node, not the sandbox's own.
      expect(await tree(join(nodeDir, 'mail', 'patlens.test', 'pat', 'Maildir'))).toEqual(
        await tree(join(source.root, 'var/mail/vhosts/patlens.test/pat')),
      );
      expect(existsSync(join(sandbox.dataDir, 'nodes', 'mail', 'patlens.test'))).toBe(false);
    } finally {
      await sandbox.close();
    }
  }, 300_000);
});
