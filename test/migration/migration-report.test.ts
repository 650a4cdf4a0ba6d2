/**
 * The migration report from a real batch: the demo hosting layout behind a real sshd, inventoried
 * by the real agent, migrated by `mm migrate` into a real sandbox over HTTP with one mailbox
 * refused by the sandbox's fault injection; then `mm report migration` as HTML and CSV. Every
 * target id the report names is one the sandbox holds (read through `sandbox.dump`), the refusal
 * is reported with the target's own words, and what could not be carried is listed per object.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { tempDir } from '../helpers/paths';
import { type PreparedSource, freshRun, mm, mmOk, parseMigrate, prepareSource } from './env';

const REFUSAL = 'Mailbox quota of the subscription exceeded (injected by the test)';

/** RFC 4180 as the report writes it: quoted cells may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

/** "accountId=1000001, subscriptionId=1001" → pairs. */
function ids(cell: string): [string, string][] {
  return cell
    .split(', ')
    .filter(Boolean)
    .map((p) => p.split('=') as [string, string]);
}

describe('the migration report of a real batch', () => {
  let source: PreparedSource;
  let dataDir: string;
  let sandbox: RunningSandbox;
  let csv: Record<string, string>[];
  let html: string;
  let dump: Record<string, Record<string, unknown>[]>;
  let migrated: ReturnType<typeof parseMigrate>;

  beforeAll(async () => {
    source = await prepareSource();
    ({ dataDir, sandbox } = await freshRun(source, {
      faults: [{ method: 'pem.cqmail.addMailbox', nth: 1, action: 'fail', message: REFUSAL }],
    }));
    const run = await mm(dataDir, ['migrate', '--json', '--concurrency', '4']);
    migrated = parseMigrate(run);
    expect(run.code, run.stderr).toBe(1);
    const out = await tempDir('mm-report-');
    await mmOk(dataDir, ['report', 'migration', '--format', 'csv', '--out', join(out, 'm.csv')]);
    await mmOk(dataDir, ['report', 'migration', '--format', 'html', '--out', join(out, 'm.html')]);
    const [head, ...rows] = parseCsv(await readFile(join(out, 'm.csv'), 'utf8'));
    csv = rows.map((r) => Object.fromEntries((head ?? []).map((h, i) => [h, r[i] ?? ''])));
    html = await readFile(join(out, 'm.html'), 'utf8');
    const answer = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', [{}]);
    if (answer.kind !== 'value') throw new Error('sandbox.dump did not answer');
    dump = answer.value as Record<string, Record<string, unknown>[]>;
  }, 600_000);
  afterAll(async () => {
    await sandbox?.close();
    await source?.stop();
  });

  it('names every step of every object of the batch, one CSV row each', () => {
    expect(migrated.objects.total).toBeGreaterThan(1);
    const objects = new Set(csv.map((r) => `${r['Kind']}:${r['Id']}`));
    expect(objects.size).toBe(migrated.objects.total);
    // The report's object states are the batch's: as many migrated and failed as it says.
    const inState = (state: string): number =>
      new Set(csv.filter((r) => r['Object state'] === state).map((r) => `${r['Kind']}:${r['Id']}`)).size;
    expect(inState('migrated')).toBe(migrated.objects.migrated);
    expect(inState('failed') + inState('blocked')).toBe(migrated.objects.failed);
  });

  it('gives the target ids of what was created, and the sandbox holds each of them', () => {
    const done = csv.filter((r) => r['Step state'] === 'done');
    expect(done.length).toBeGreaterThan(0);
    // Where each kind of id lives in the sandbox.
    const tables: Record<string, [string, string]> = {
      accountId: ['accounts', 'account_id'],
      subscriptionId: ['subscriptions', 'subscription_id'],
      domainId: ['domains', 'domain_id'],
      mailboxId: ['mailboxes', 'mailbox_id'],
      recordId: ['dns_records', 'record_id'],
      databaseId: ['databases', 'database_id'],
      ftpUserId: ['ftp_users', 'ftp_user_id'],
      memberId: ['members', 'member_id'],
    };
    const checked = new Set<string>();
    for (const r of done)
      for (const [key, value] of ids(r['Target ids'] ?? '')) {
        const where = tables[key];
        if (!where) continue;
        const held = (dump[where[0]] ?? []).some((row) => String(row[where[1]]) === value);
        expect(held, `${r['Step']}: ${key}=${value} in the sandbox's ${where[0]}`).toBe(true);
        checked.add(key);
      }
    expect([...checked].sort()).toEqual(expect.arrayContaining(['accountId', 'domainId', 'subscriptionId']));
    // As many mailboxes reported created as the sandbox holds (one was refused).
    expect(done.filter((r) => r['Step kind'] === 'mailbox').length).toBe((dump['mailboxes'] ?? []).length);
  });

  it('reports the refusal with the target’s own words, on the object it failed', () => {
    const failed = csv.filter((r) => r['Step state'] === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.['Step kind']).toBe('mailbox');
    expect(failed[0]?.['Message']).toContain(REFUSAL);
    expect(failed[0]?.['Object state']).toBe('failed');
    expect(migrated.failures.map((f) => f.message).join('\n')).toContain(REFUSAL);
    expect(html).toContain('<h2>Failed</h2>');
    expect(html).toContain(REFUSAL);
  });

  it('lists what could not be carried, per object, with the reason', () => {
    const notCarried = csv.filter((r) => r['Step state'] === 'not-carried');
    for (const r of notCarried) expect(r['Message']).not.toBe('');
    expect(html).toContain('<h2>Not carried</h2>');
  });

  it('shows the read-back and the batch facts in the HTML, with no secret in either file', async () => {
    expect(html).toMatch(/<h1>Migration report: migration<\/h1>/);
    expect(html).toContain('<h2>Read back from the target</h2>');
    for (const [kind, n] of Object.entries(migrated.reconciliation ?? {}))
      expect(html, kind).toContain(`${n.found} of ${n.planned}`);
    // The layout's database passwords (plain in its MySQL set-up) and its shadow hashes.
    const shadow = (await readFile(join(source.root, 'etc', 'shadow'), 'utf8'))
      .split('\n')
      .map((l) => l.split(':')[1] ?? '')
      .filter((h) => h.length > 8);
    const text = `${html}\n${JSON.stringify(csv)}`;
    for (const secret of ['Widgets-2024', 'Club-Members-9', 'read-only-7', ...shadow])
      expect(text).not.toContain(secret);
    expect(JSON.stringify(csv)).not.toMatch(/password_sha256|sealed:/);
  });
});
