/**
 * Post-migration checks on real parts: the demo hosting layout behind a real sshd (the source
 * and its linux agent), migrated with `mm migrate` into the sandbox (its own web and mail
 * nodes, its web server answering by Host header, its name server answering over UDP). The
 * batch ran the checks itself when it ended; `mm check --json` then passes every domain. Then
 * each kind of drift is made on the target — a DNS record deleted through
 * pem.deleteDNSRecord, a message file removed from the mail node, a page changed on the web
 * node, a mailbox's Maildir removed — and `mm check` fails naming the object, exit 1, while
 * the untouched domains still pass.
 */
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { SANDBOX_IP_POOL } from '../../electron/sandbox/catalogue';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import {
  PROJECT,
  type PreparedSource,
  freshRun,
  mm,
  mmOk,
  parseMigrate,
  prepareSource,
} from '../migration/env';
import { type SourceWebServer, startSourceWebServer } from './source-web-server';
import { readProjectDocument } from '../helpers/store-under-test';

interface CheckJson {
  results: {
    domain: string;
    server: string;
    status: string;
    checks: { kind: string; status: string; message: string }[];
  }[];
}

const SOURCE_IP = '203.0.113.10';
const MAPPED_IP = '192.0.2.10';

let source: PreparedSource;
let dataDir: string;
let sandbox: RunningSandbox;
let sourceWeb: SourceWebServer;

function parseCheck(stdout: string): CheckJson {
  return JSON.parse(stdout) as CheckJson;
}

const byDomain = (j: CheckJson, domain: string): CheckJson['results'][number] => {
  const r = j.results.find((x) => x.domain === domain);
  if (!r) throw new Error(`${domain} is not in the results: ${j.results.map((x) => x.domain).join(', ')}`);
  return r;
};

const kind = (r: CheckJson['results'][number], k: string): { status: string; message: string } => {
  const c = r.checks.find((x) => x.kind === k);
  if (!c) throw new Error(`${r.domain} has no ${k} check`);
  return c;
};

async function poa(method: string, params: Record<string, unknown>): Promise<unknown> {
  const answer = await postXmlRpc({ url: sandbox.poaUrl }, method, [params]);
  if (answer.kind !== 'value') throw new Error(`${method}: fault ${JSON.stringify(answer)}`);
  const v = answer.value as { status: number; result?: unknown; error_message?: string };
  if (v.status !== 0) throw new Error(`${method}: ${v.error_message}`);
  return v.result;
}

function siteRoot(domain: string): string {
  const ws = sandbox.state().domains.find((d) => d['domain_name'] === domain)?.['webspace_id'];
  if (ws === undefined) throw new Error(`${domain} has no webspace`);
  return join(sandbox.dataDir, 'nodes', 'web', 'vhosts', String(ws), 'webspace', 'httpdocs');
}

const maildir = (address: string): string => {
  const [local, domain] = address.split('@');
  return join(sandbox.dataDir, 'nodes', 'mail', domain ?? '', local ?? '', 'Maildir');
};

beforeAll(async () => {
  source = await prepareSource();
  ({ dataDir, sandbox } = await freshRun(source));
  // The source's shared IP mapped to a target IP: the zones are created with it, and the DNS
  // check must expect the mapped addresses.
  const pool = (kind: 'shared' | 'dedicated'): string =>
    SANDBOX_IP_POOL.filter((p) => p.kind === kind)
      .map((p) => p.address)
      .join(',');
  await mmOk(dataDir, ['ip-map', 'pool', '--shared', pool('shared'), '--dedicated', pool('dedicated')]);
  await mmOk(dataDir, ['ip-map', 'set', SOURCE_IP, MAPPED_IP]);
  await mmOk(dataDir, ['ip-map', 'suggest', '--apply']);
  // The source's own web server (its document roots served by Host header): the page check
  // compares each page's status and title as it serves them with the target's.
  sourceWeb = await startSourceWebServer(source.root);
  await mmOk(dataDir, ['check', 'settings', '--source-web', `web01=${sourceWeb.url}`]);
  const run = parseMigrate(await mm(dataDir, ['migrate', '--json']));
  expect(run.failures).toEqual([]);
  expect(run.state).toBe('done');
}, 600_000);

afterAll(async () => {
  await sourceWeb?.close();
  await sandbox?.close();
  await source?.stop();
});

describe('post-migration checks', () => {
  it('ran at the end of the batch, stored with the project, no domain failing', async () => {
    const doc = (await readProjectDocument(join(dataDir, 'projects', PROJECT, 'checks.json'))) as {
      runs: { trigger: string; jobId?: string; counts: Record<string, number>; domains: unknown[] }[];
    };
    expect(doc.runs).toHaveLength(1);
    const [run] = doc.runs;
    expect(run?.trigger).toBe('batch');
    expect(run?.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run?.domains.length).toBeGreaterThanOrEqual(9);
    expect(run?.counts.fail).toBe(0);
    expect((run?.counts.pass ?? 0) + (run?.counts.warn ?? 0)).toBe(run?.domains.length);
  });

  it('mm check --json: no migrated domain fails; the only warnings are logins the migration named not carried', async () => {
    const r = await mm(dataDir, ['check', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = parseCheck(r.stdout);
    expect(json.results.length).toBeGreaterThanOrEqual(9);
    for (const d of json.results) {
      expect(Object.keys(d).sort()).toEqual(['checks', 'domain', 'server', 'status']);
      expect(d.server).toBe('web01');
      expect(d.checks.map((c) => c.kind)).toEqual(['web', 'mail', 'dns', 'db', 'users']);
      const notPassing = d.checks.filter((c) => c.status !== 'pass');
      // FTP and database users whose source keeps only a password hash are not carried (the
      // plan says so); the users check warns with that reason instead of failing.
      expect(
        notPassing.map((c) => `${c.kind}:${c.status}`),
        JSON.stringify(d.checks),
      ).toEqual(notPassing.length ? ['users:warn'] : []);
      for (const c of notPassing)
        expect(c.message).toMatch(
          /^(FTP|database) user \S+: not on the target: the migration did not carry it \(the source keeps only a hash/,
        );
    }
    expect(json.results.filter((d) => d.status === 'pass').length).toBeGreaterThanOrEqual(5);
    // The pages were asked of the source's web server too, with each site's Host header.
    expect(sourceWeb.requests).toContain('acme-widgets.test /');
    expect(sourceWeb.requests).toContain('patlens.test /css/style.css');
    // What was compared is said, not just "ok": sites with files and pages, messages, records.
    const acme = byDomain(json, 'acme-widgets.test');
    expect(kind(acme, 'web').message).toMatch(/^2 sites: \d+ files \(\d+ bytes\) and \d+ pages match$/);
    expect(kind(acme, 'mail').message).toMatch(/^3 mailboxes: 12 messages \(\d+ bytes\) match$/);
    expect(kind(acme, 'dns').message).toBe('7 records answered over UDP and present in the API');
    expect(kind(acme, 'users').message).toBe('3 logins exist on the target');
    const city = byDomain(json, 'cityclub.test');
    expect(kind(city, 'db').message).toBe('1 database present');
    // The IDN domain is checked under its ASCII name, its content too.
    expect(kind(byDomain(json, 'xn--bckerei-becker-5hb.test'), 'mail').message).toMatch(
      /^2 mailboxes: 8 messages/,
    );
  }, 300_000);

  it('each drift on the target is a failure naming the object; untouched domains still pass', async () => {
    // DNS: the mail A record of acme-widgets.example deleted through the API.
    const records = (await poa('pem.getDNSRecords', { domain_name: 'acme-widgets.example' })) as {
      record_id: number;
      host: string;
      type: string;
    }[];
    const mailA = records.find((x) => x.host === 'mail' && x.type === 'A');
    expect(mailA).toMatchObject({ data: MAPPED_IP });
    await poa('pem.deleteDNSRecord', { record_id: mailA?.record_id });

    // Mail: one message file removed from dana@smile-dental.test's Maildir on the mail node.
    const cur = join(maildir('dana@smile-dental.test'), 'cur');
    const [victim] = (await readdir(cur)).sort();
    expect(victim).toBeDefined();
    const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(
      await readFile(join(cur, victim ?? ''), 'latin1'),
    )?.[1];
    expect(messageId).toBeDefined();
    await rm(join(cur, victim ?? ''));

    // Web: the index page of patlens.test changed on the web node.
    const index = join(siteRoot('patlens.test'), 'index.html');
    const html = await readFile(index, 'utf8');
    await writeFile(index, html.replace(/<title>[^<]*<\/title>/i, '<title>Defaced</title>'));

    // Mailbox: henry@hostco.test's Maildir removed from the mail node.
    await rm(maildir('henry@hostco.test'), { recursive: true });

    const r = await mm(dataDir, [
      'check',
      '--json',
      '--domains',
      'acme-widgets.example',
      'smile-dental.test',
      'patlens.test',
      'hostco.test',
      'becker-torten.test',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const json = parseCheck(r.stdout);
    expect(json.results.map((d) => d.domain).sort()).toEqual([
      'acme-widgets.example',
      'becker-torten.test',
      'hostco.test',
      'patlens.test',
      'smile-dental.test',
    ]);

    const dns = byDomain(json, 'acme-widgets.example');
    expect(dns.status).toBe('fail');
    expect(kind(dns, 'dns')).toMatchObject({
      status: 'fail',
      message: `record mail.acme-widgets.example A ${MAPPED_IP}: the target's name server answered NXDOMAIN; record mail.acme-widgets.example A ${MAPPED_IP}: not in the target's API`,
    });
    expect(dns.checks.filter((c) => c.status === 'fail').map((c) => c.kind)).toEqual(['dns']);

    const mail = byDomain(json, 'smile-dental.test');
    expect(kind(mail, 'mail').status).toBe('fail');
    expect(kind(mail, 'mail').message).toContain('mailbox dana@smile-dental.test folder INBOX: 3 messages');
    expect(kind(mail, 'mail').message).toContain(
      `mailbox dana@smile-dental.test message ${messageId ?? ''}: missing`,
    );

    const web = byDomain(json, 'patlens.test');
    expect(kind(web, 'web').status).toBe('fail');
    // The title the source's web server serves is named beside the target's.
    expect(kind(web, 'web').message).toMatch(
      /page http:\/\/patlens\.test\/: title "Defaced" on the target, "patlens\.test — [^"]+" on the source/,
    );
    expect(kind(web, 'web').message).toMatch(/file index\.html: (content differs|\d+ bytes on the source)/);

    const box = byDomain(json, 'hostco.test');
    expect(kind(box, 'mail')).toMatchObject({
      status: 'fail',
      message: 'mailbox henry@hostco.test: no Maildir on the target mail node',
    });

    const untouched = byDomain(json, 'becker-torten.test');
    expect(untouched.checks.filter((c) => c.status === 'fail')).toEqual([]);

    // The text form names the same differences, one per line.
    const text = await mm(dataDir, ['check', '--domains', 'hostco.test']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      'hostco.test mail fail: mailbox henry@hostco.test: no Maildir on the target mail node',
    );
  }, 300_000);

  it("the stored run makes an HTML and a CSV report, shows in the domain's history and travels in a review bundle", async () => {
    const csv = await mm(dataDir, ['check', 'report', '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('domain,server,domain status,check,status,message,checked at');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^hostco\.test,web01,fail,mail,fail,mailbox henry@hostco\.test: no Maildir on the target mail node,/,
      ),
    );
    const html = await mm(dataDir, ['check', 'report', '--format', 'html']);
    expect(html.stdout).toContain('Post-migration checks');
    expect(html.stdout).toContain('no Maildir on the target mail node');
    // --out writes the same report as it is rendered, owner-only, nothing else left beside it
    const outDir = join(dataDir, 'reports-out');
    await mkdir(outDir);
    const saved = await mm(dataDir, [
      'check',
      'report',
      '--format',
      'csv',
      '--out',
      join(outDir, 'checks.csv'),
    ]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(await readFile(join(outDir, 'checks.csv'), 'utf8')).toBe(csv.stdout);
    expect((await stat(join(outDir, 'checks.csv'))).mode & 0o777).toBe(0o600);
    expect(await readdir(outDir)).toEqual(['checks.csv']);

    const core = createCore({ dataDir, shell: 'test' });
    const history = await core.history.of(PROJECT, 'domain', 'web01', 'hostco.test');
    const checks = history.filter((h) => h.source === 'check');
    // The batch's run passed it, the drifted run failed it: both are in its history.
    expect(checks.map((h) => h.title)).toContain(
      'Post-migration check of hostco.test: pass (web, mail, dns, db, users)',
    );
    expect(checks.map((h) => h.title).join('\n')).toContain(
      'Post-migration check of hostco.test: fail (mail: mailbox henry@hostco.test: no Maildir on the target mail node',
    );

    const bundle = join(dataDir, 'review.mmreview');
    expect((await mm(dataDir, ['project', 'export', bundle])).code).toBe(0);
    const opened = await mm(dataDir, ['project', 'open', bundle, '--json']);
    expect(opened.code, opened.stderr).toBe(0);
    const copy = (JSON.parse(opened.stdout) as { id: string }).id;
    const shown = await mm(dataDir, ['check', 'show', '--json', '--project', copy]);
    expect(shown.code, shown.stderr).toBe(0);
    const original = await mm(dataDir, ['check', 'show', '--json', '--project', PROJECT]);
    expect(parseCheck(shown.stdout)).toEqual(parseCheck(original.stdout));
    expect(parseCheck(shown.stdout).results.map((d) => d.domain)).toContain('hostco.test');
  }, 120_000);

  it("the source's web server down: the web check warns naming the server and its address, it does not pass quietly", async () => {
    await sourceWeb.close();
    // (The bundle opened above became the default project: this one is named.)
    const down = await mm(dataDir, [
      'check',
      '--json',
      '--project',
      PROJECT,
      '--domains',
      'acme-widgets.test',
    ]);
    expect(down.code, down.stderr).toBe(0);
    const web = kind(byDomain(parseCheck(down.stdout), 'acme-widgets.test'), 'web');
    expect(web.status).toBe('warn');
    expect(web.message).toContain(`source web server of web01 (${sourceWeb.url}): could not be reached (`);
    expect(web.message).toContain("the pages were compared with the source's files only");

    // Without the address, the domain's web IP from the inventory (port 80) is asked instead
    // (the demo's sites are on 203.0.113.10, its SSL sites on 203.0.113.11).
    const inventory = await mm(dataDir, [
      'check',
      '--json',
      '--project',
      PROJECT,
      '--source-web',
      'web01=',
      '--page-timeout',
      '5',
      '--domains',
      'acme-widgets.test',
    ]);
    expect(inventory.code, inventory.stderr).toBe(0);
    const viaIp = kind(byDomain(parseCheck(inventory.stdout), 'acme-widgets.test'), 'web');
    expect(viaIp.status).toBe('warn');
    // Whatever answers at that address here (nothing, or something that serves no such site),
    // the warning names the server and the address it asked.
    expect(viaIp.message).toMatch(
      /source web server of web01 \(http:\/\/203\.0\.113\.1[01]\/\): (could not be reached|answered HTTP [\d/]+ for every page of acme-widgets\.test)/,
    );
  }, 120_000);
});
