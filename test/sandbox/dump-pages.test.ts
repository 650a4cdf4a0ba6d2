/**
 * `sandbox.dump` at scale, over real XML-RPC against a sandbox in a process of its own holding
 * 70,000 rows more than a few made through the API (seeded into its snapshot: domains and staff
 * members, copies of the real ones, password hashes included). The whole dump is refused with a
 * fault naming the rows and the paged form; the pages of every table hold every row exactly once,
 * as the counts say; no page carries a password hash; the target browser reads pages and says
 * how many rows a table cut short holds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { PoaClient } from '../../electron/core/target/poa-client';
import { encodeCall } from '../../electron/core/target/xmlrpc-codec';
import { BROWSE_MAX_ROWS, browseSandbox } from '../../electron/core/target/sandbox-inspect';
import { PAGE_MAX_ROWS, WHOLE_DUMP_MAX_ROWS, dumpName } from '../../electron/sandbox/dump';
import { SNAPSHOT_FILE } from '../../electron/sandbox/op-log';
import { startSandbox } from '../../electron/sandbox/sandbox';
import { writeSnapshot } from '../../electron/sandbox/snapshot-file';
import { TABLES } from '../../electron/sandbox/state';
import type { Row } from '../../electron/sandbox/store';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { snapshotTables } from '../helpers/sandbox-load';
import { stopChild } from '../helpers/stop-child';
import { customer, member } from '../target/fixtures';

// Past the whole dump's bound, and small enough for CI: paging every key through the XML-RPC
// decoder costs ~1.5 ms a row on a loaded 2-core machine (300,000 rows took 68-112 s).
const SEEDED_DOMAINS = 60_000;
const SEEDED_MEMBERS = 10_000;
const STAFF_PASSWORD = 'Dump-Secret&9';

/**
 * A data dir whose snapshot holds what a few real calls made plus the seeded rows; returns the
 * rows per table (under the dump's names) and one real member's password hash.
 */
async function seededDataDir(): Promise<{ dataDir: string; counts: Record<string, number>; hash: string }> {
  const dataDir = await tempDir('mm-sandbox-');
  const sandbox = await startSandbox({ dataDir });
  const poa = new PoaClient({ url: sandbox.poaUrl });
  const accountId = await poa.addAccount(customer('dump-pages@example.com'));
  await poa.addAccountMember(member(accountId, 'dump-staff', STAFF_PASSWORD));
  const subscription = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
  await poa.addDomain({ subscription_id: subscription, domain_name: 'real.example' });
  await poa.addMailbox({
    subscription_id: subscription,
    name: 'me',
    password: 'Mailbox-Secret&1',
    password_crypted: false,
    quota: 10,
  });
  await sandbox.close();

  const { counters, tables } = snapshotTables(dataDir);
  const domain = tables.get('domains')?.[0];
  const staff = tables.get('members')?.[0];
  if (!domain || !staff) throw new Error('no domain or member row to copy');
  const firstDomain = Number(domain['domain_id']) + 1;
  const firstMember = Number(staff['member_id']) + 1;
  writeSnapshot(join(dataDir, SNAPSHOT_FILE), {
    counters: {
      ...counters,
      domain: firstDomain + SEEDED_DOMAINS,
      member: firstMember + SEEDED_MEMBERS,
    },
    tableNames: [...tables.keys()],
    rows: function* (table) {
      yield* tables.get(table) ?? [];
      if (table === 'domains')
        for (let i = 0; i < SEEDED_DOMAINS; i++)
          yield { ...domain, domain_id: firstDomain + i, domain_name: `seeded-${i}.example`, webspace_id: 0 };
      if (table === 'members')
        for (let i = 0; i < SEEDED_MEMBERS; i++)
          yield { ...staff, member_id: firstMember + i, login: `seeded-staff-${i}` };
    },
  });
  const counts = Object.fromEntries(
    [...tables].map(([t, rows]) => [
      dumpName(t),
      rows.length + (t === 'domains' ? SEEDED_DOMAINS : t === 'members' ? SEEDED_MEMBERS : 0),
    ]),
  );
  return { dataDir, counts, hash: String(staff['password_sha256']) };
}

/** The sandbox of sandbox-child.ts on `dataDir`, once it listens. */
async function sandboxChild(dataDir: string): Promise<{ process: ChildProcess; poaUrl: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/sandbox/sandbox-child.ts', dataDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const poaUrl = await new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n'))
        resolve((JSON.parse(out.slice(0, out.indexOf('\n'))) as { poaUrl: string }).poaUrl);
    });
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code, signal) => reject(new Error(`the sandbox exited (${code ?? signal}): ${out}`)));
  });
  return { process: proc, poaUrl };
}

const KEY_OF: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(TABLES).map(([t, spec]) => [dumpName(t), spec.key]),
);
const TRANSPORT = { timeoutMs: 120_000, maxResponseBytes: 64 * 1024 * 1024 };

describe('sandbox.dump of a large state', () => {
  let sandbox: { process: ChildProcess; poaUrl: string };
  let counts: Record<string, number>;
  let hash: string;
  let rows: number;
  const call = async (method: string, params: unknown[]): Promise<Record<string, unknown>> => {
    const answer = await postXmlRpc({ url: sandbox.poaUrl }, method, params, TRANSPORT);
    if (answer.kind !== 'value') throw new Error(`${method} faulted: ${answer.fault.faultString}`);
    return answer.value as Record<string, unknown>;
  };

  beforeAll(async () => {
    const seeded = await seededDataDir();
    counts = seeded.counts;
    hash = seeded.hash;
    rows = Object.values(counts).reduce((n, c) => n + c, 0);
    sandbox = await sandboxChild(seeded.dataDir);
  }, 180_000);
  afterAll(async () => {
    if (sandbox) await stopChild(sandbox.process);
  });

  it('refuses the whole dump, naming its rows and the paged form', async () => {
    expect(rows).toBeGreaterThan(WHOLE_DUMP_MAX_ROWS);
    for (const params of [[], [{}]]) {
      const answer = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', params, TRANSPORT);
      expect(answer.kind).toBe('fault');
      if (answer.kind !== 'fault') return;
      expect(answer.fault.faultString).toContain(`holds ${rows.toLocaleString('en')} rows`);
      expect(answer.fault.faultString).toContain(`more than the ${WHOLE_DUMP_MAX_ROWS.toLocaleString('en')}`);
      expect(answer.fault.faultString).toContain('sandbox.dump {table, offset, limit}');
    }
  });

  it('counts every table (sandbox.counts and every page)', async () => {
    const summary = await call('sandbox.counts', []);
    expect(summary['counts']).toEqual(expect.objectContaining(counts));
    expect(summary['total_rows']).toBe(rows);
    expect(summary['content_sites']).toEqual([]);
    const page = await call('sandbox.dump', [{ table: 'accounts', limit: 1 }]);
    expect(page['counts']).toEqual(summary['counts']);
    expect(page).toMatchObject({ table: 'accounts', offset: 0, limit: 1, total: counts['accounts'] });
  });

  it('pages every table: every row exactly once', async () => {
    const started = Date.now();
    for (const [table, count] of Object.entries(counts)) {
      const key = KEY_OF[table] ?? '';
      const seen = new Set<unknown>();
      let answers = 0;
      for (let offset = 0; ; offset += PAGE_MAX_ROWS) {
        const page = await call('sandbox.dump', [{ table, offset, limit: PAGE_MAX_ROWS, columns: [key] }]);
        answers++;
        expect(page['total']).toBe(count);
        const got = page['rows'] as Row[];
        for (const row of got) {
          expect(Object.keys(row)).toEqual([key]);
          expect(seen.has(row[key]), `${table} ${String(row[key])} twice`).toBe(false);
          seen.add(row[key]);
        }
        if (got.length < PAGE_MAX_ROWS) break;
      }
      expect(seen.size, table).toBe(count);
      expect(answers).toBe(Math.floor(count / PAGE_MAX_ROWS) + 1);
    }
    console.log(`${rows} keys paged in ${Date.now() - started} ms`);
  }, 600_000);

  it('answers whole rows without password hashes, even when asked for them', async () => {
    const page = await call('sandbox.dump', [{ table: 'members', offset: 0, limit: PAGE_MAX_ROWS }]);
    const members = page['rows'] as Row[];
    expect(members).toHaveLength(PAGE_MAX_ROWS);
    expect(members[0]).toMatchObject({ login: 'dump-staff' });
    expect(members[1]).toMatchObject({ login: 'seeded-staff-0', email: 'jane@example.com' });
    const asked = await call('sandbox.dump', [
      { table: 'members', limit: 5, columns: ['login', 'password_sha256'] },
    ]);
    expect((asked['rows'] as Row[]).map((r) => Object.keys(r))).toEqual(Array(5).fill(['login']));
    const mailboxes = await call('sandbox.dump', [{ table: 'mailboxes' }]);
    const text = JSON.stringify([page, asked, mailboxes]);
    expect(text).not.toContain('password_sha256');
    expect(text).not.toContain('password_hash');
    expect(text).not.toContain(hash);
  });

  it('pages past the end are empty; bad asks are refused by name', async () => {
    const past = await call('sandbox.dump', [{ table: 'domains', offset: counts['domains'] ?? 0 }]);
    expect(past).toMatchObject({ rows: [], total: counts['domains'] });
    const fault = async (ask: Record<string, unknown>): Promise<string> => {
      const answer = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', [ask], TRANSPORT);
      return answer.kind === 'fault' ? answer.fault.faultString : 'answered';
    };
    expect(await fault({ table: 'domain' })).toMatch(
      /no table 'domain'; the tables are accounts, .*pba_subscriptions/,
    );
    expect(await fault({ table: 'domains', limit: PAGE_MAX_ROWS + 1 })).toContain(
      "'limit' must be 1 to 10,000",
    );
    expect(await fault({ table: 'domains', offset: -1 })).toContain("'offset' must not be negative");
    expect(await fault({ table: 'domains', columns: 'domain_id' })).toContain("'columns' must be");
    expect(await fault({ offset: 10 })).toContain("need 'table'");
    expect(await fault({ table: 'domains', order: 'name' })).toContain("Unknown parameter 'order'");
  });

  it('goes on answering when a client leaves in the middle of a page', async () => {
    const body = encodeCall('sandbox.dump', [{ table: 'domains', limit: PAGE_MAX_ROWS }]);
    const received = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        sandbox.poaUrl,
        { method: 'POST', headers: { 'Content-Type': 'text/xml' } },
        (res) => {
          res.once('data', (d: Buffer) => {
            req.destroy();
            resolve(d.length);
          });
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
      req.end(body);
    });
    expect(received).toBeGreaterThan(0);
    const summary = await call('sandbox.counts', []);
    expect(summary['total_rows']).toBe(rows);
    expect(sandbox.process.exitCode).toBeNull();
  });

  it('the target browser reads pages and says how many rows a table cut short holds', async () => {
    const browse = await browseSandbox({ url: sandbox.poaUrl }, 60_000);
    expect(browse.available).toBe(true);
    const domains = browse.tables.find((t) => t.key === 'domains');
    expect(domains?.rows).toHaveLength(BROWSE_MAX_ROWS);
    expect(domains?.title).toBe(`Domains (first 2,000 of ${(counts['domains'] ?? 0).toLocaleString('en')})`);
    expect(domains?.total).toBe(counts['domains']);
    expect(domains?.rows[0]?.[1]).toBe('real.example');
    const accounts = browse.tables.find((t) => t.key === 'accounts');
    expect(accounts?.title).toBe('Accounts');
    expect(accounts?.total).toBe(1);
    expect(accounts?.rows.map((r) => r[4])).toEqual(['dump-pages@example.com']);
    expect(JSON.stringify(browse)).not.toContain(hash);
  }, 120_000);
});
