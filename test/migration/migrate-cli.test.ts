/**
 * End to end, as an engineer runs it: the demo's Debian hosting layout behind a real sshd, its
 * inventory and domain services fetched by the real linux agent, mapped, selected, verified,
 * then `mm migrate` into the sandbox over real HTTP (asynchronous requests that run a while).
 * The sandbox must then hold every account, member, subscription (each field compared with the
 * inventory), domain, DNS record, mailbox, forward, alias, database and FTP user of the source,
 * each exactly once, read back from the sandbox's own state.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainServices } from '../../shared/model/domain-services';
import type { Inventory } from '../../shared/model/inventory';
import { createCore } from '../../electron/core/core';
import { PASSWORD_CONTEXT, unsealInventoryValue } from '../../electron/core/inventory/seal-inventory';
import { asciiDomain, asciiEmail } from '../../electron/core/migration/plan';
import { unixTime } from '../../electron/core/migration/poa-pba-values';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { readJournalText, readProjectText } from '../helpers/store-under-test';
import { type MigrateJson, PROJECT, SERVER, expectNoDuplicates, freshRun, mm, parseMigrate } from './env';
import { type SharedSource, sharedSource } from './shared-source';

type Rows = Record<string, unknown>[];

describe('mm migrate: the demo source over SSH into the sandbox', () => {
  let source: SharedSource;
  let run: { dataDir: string; sandbox: RunningSandbox };
  let result: MigrateJson;
  let inventory: Inventory;
  let services: Map<string, DomainServices>;
  let exitCode: number;

  beforeAll(async () => {
    source = await sharedSource();
    run = await freshRun(source, { asyncMs: 60 });
    const migrate = await mm(run.dataDir, ['migrate', '--concurrency', '4', '--json']);
    exitCode = migrate.code;
    result = parseMigrate(migrate);
    const core = createCore({ dataDir: run.dataDir, shell: 'test' });
    inventory = (await core.inventory.load(PROJECT, SERVER)) as Inventory;
    services = new Map(
      [...(await core.domainServices.services(PROJECT))].map(([k, v]) => [k.split('\n')[1] ?? k, v]),
    );
  }, 240_000);

  afterAll(async () => {
    await run?.sandbox.close();
    await source?.stop();
  });

  const table = (name: string): Rows => (run.sandbox.state()[name] ?? []) as Rows;

  it('exits 0 with every object migrated and found = planned for every kind', () => {
    expect(result.failures).toEqual([]);
    expect(result.state).toBe('done');
    expect(exitCode).toBe(0);
    expect(result.objects.migrated).toBe(result.objects.total);
    for (const [kind, r] of Object.entries(result.reconciliation ?? {}))
      expect([kind, r.found]).toEqual([kind, r.planned]);
    expect(result.objects.total).toBe(inventory.accounts.length + inventory.domains.length);
  });

  it('holds every account once, with its staff member, found by its source key', () => {
    const attrs = table('attributes');
    for (const a of inventory.accounts) {
      const tagged = attrs.filter((x) => x['value'] === `${SERVER}:${a.id}`);
      expect(tagged, `account ${a.id}`).toHaveLength(1);
      if (a.ccpLogin?.password && !a.ccpLogin.password.crypted)
        expect(table('members').filter((m) => m['login'] === a.ccpLogin?.login)).toHaveLength(1);
    }
    expect(table('pbaAccounts')).toHaveLength(inventory.accounts.length);
    expect(result.created['accounts']).toBe(inventory.accounts.length);
  });

  it('holds every hosting subscription with its fields as the inventory has them', () => {
    const pba = table('pbaSubscriptions').filter((s) => s['gate'] === 'PEMGATE');
    const hosting = inventory.subscriptions.filter(
      (s) => s.domainIds.length > 0 && s.templateId.startsWith('linux-'),
    );
    expect(pba).toHaveLength(hosting.length);
    for (const s of hosting) {
      const domain = inventory.domains.find((d) => d.id === s.domainIds[0]);
      const row = pba.find(
        (p) => (p['fields'] as Record<string, unknown>)['DomainName'] === asciiDomain(domain?.name ?? ''),
      );
      expect(row, `subscription ${s.id}`).toBeDefined();
      const f = row?.['fields'] as Record<string, unknown>;
      // Start: the source's creation date, or the day of the migration when it has none.
      if (s.created) expect(f['StartDate']).toBe(unixTime(s.created));
      else expect(Math.abs(Number(f['StartDate']) - Date.now() / 1000)).toBeLessThan(3600);
      if (s.expires) expect(f['ExpirationDate']).toBe(unixTime(s.expires));
      expect(f['PlanID']).toBe(s.templateId === 'linux-web-hosting' ? 102 : 107);
      expect(row?.['status']).toBe(30); // active → PBA Active after the status step
      // Activated in POA under the same id.
      expect(
        table('subscriptions').filter((p) => p['subscription_id'] === row?.['subscription_id']),
      ).toHaveLength(1);
    }
  });

  it('holds every domain once, and every DNS record of its zone but SOA and the apex NS', () => {
    const domains = table('domains');
    expectNoDuplicates(domains, (d) => String(d['domain_name']));
    for (const d of inventory.domains)
      expect(
        domains.filter((x) => x['domain_name'] === asciiDomain(d.name)),
        d.name,
      ).toHaveLength(1);
    const records = table('dnsRecords');
    expectNoDuplicates(
      records,
      (r) => `${String(r['domain_name'])}|${String(r['host'])}|${String(r['type'])}|${String(r['data'])}`,
    );
    let expected = 0;
    for (const [, s] of services) {
      for (const r of s.dnsZone?.records ?? []) {
        if (r.type === 'SOA' || (r.type === 'NS' && r.host === '@')) continue;
        expected++;
        expect(
          records.some(
            (x) =>
              x['domain_name'] === asciiDomain(s.domainName) && x['host'] === r.host && x['type'] === r.type,
          ),
          `${r.type} ${r.host} of ${s.domainName}`,
        ).toBe(true);
      }
    }
    expect(records).toHaveLength(expected);
    expect(result.created['dnsRecords']).toBe(expected);
  });

  it('holds every mailbox (crypted passwords sent as crypts), forward, alias, database and FTP user once', () => {
    const mailboxes = table('mailboxes');
    const all = [...services.values()];
    const wanted = all.flatMap((s) => s.mail?.mailboxes ?? []);
    expect(mailboxes).toHaveLength(wanted.length);
    for (const m of wanted) {
      const row = mailboxes.find(
        (x) => `${String(x['name'])}@${String(x['domain_name'])}` === asciiEmail(m.address).toLowerCase(),
      );
      expect(row, m.address).toBeDefined();
      // A DES or MD5 crypt goes as a crypt; other crypts cannot (a random password, named not carried).
      const poaCrypt =
        m.password?.crypted === true && ['CRYPT', 'MD5-CRYPT'].includes(m.password.scheme ?? 'CRYPT');
      expect(row?.['password_crypted'], m.address).toBe(poaCrypt);
    }
    const forwards = all.flatMap((s) =>
      (s.mail?.forwarders ?? []).flatMap((f) => f.targets.map((t) => `${f.address}>${t}`)),
    );
    expect(table('forwardings')).toHaveLength(forwards.length);
    expect(forwards.length).toBeGreaterThan(0);
    const aliases = all.flatMap((s) => s.mail?.aliases ?? []);
    expect(table('aliases')).toHaveLength(aliases.length);
    const databases = all.flatMap((s) => s.databases);
    expect(table('databases')).toHaveLength(databases.length);
    expect(databases.length).toBeGreaterThan(0);
    const dbUsers = databases.flatMap((d) => d.users.filter((u) => u.password && !u.password.crypted));
    expect(table('databaseUsers')).toHaveLength(dbUsers.length);
    const ftp = all.flatMap((s) => s.ftpUsers.filter((u) => u.password && !u.password.crypted));
    expect(table('ftpUsers')).toHaveLength(ftp.length);
  });

  it('keeps no customer password in the journal or the migration log', async () => {
    const core = createCore({ dataDir: run.dataDir, shell: 'test' });
    const sealed = [...services.values()].flatMap((s) => [
      ...(s.mail?.mailboxes ?? []).map((m) => m.password),
      ...s.ftpUsers.map((f) => f.password),
      ...s.databases.flatMap((d) => d.users.map((u) => u.password)),
    ]);
    const plain = await Promise.all(
      sealed
        .filter((p) => p !== undefined)
        .map((p) => unsealInventoryValue(core.secrets, PASSWORD_CONTEXT, p.value)),
    );
    expect(plain.length).toBeGreaterThan(3);
    const dir = join(run.dataDir, 'projects', PROJECT);
    const bytes =
      (await readJournalText(join(dir, 'migration', 'journal.jsonl'))) +
      (await readProjectText(join(dir, 'migration-log.jsonl')));
    for (const p of plain) expect(bytes.includes(p), 'a password in the journal or log').toBe(false);
  });

  it('a second mm migrate finds everything done and creates nothing', async () => {
    const again = await mm(run.dataDir, ['migrate', '--json']);
    const second = parseMigrate(again);
    expect(again.code).toBe(0);
    expect(second.state).toBe('done');
    // Nothing was created twice: the tables have the same sizes.
    expect(table('mailboxes')).toHaveLength(
      [...services.values()].flatMap((s) => s.mail?.mailboxes ?? []).length,
    );
  }, 120_000);
});
