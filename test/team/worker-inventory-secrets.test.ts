/**
 * Customers' secrets of a shared project open in a worker's own data dir (issue 15), on real
 * parts: the demo source behind a real sshd with the real linux agent, a real PostgreSQL, the
 * sandbox target over HTTP. Data dir A's project (its inventory fetched, a customer given a
 * plain control-panel password and a credit card) is moved into PostgreSQL: the inventory's
 * secrets, sealed under A's master key, are re-sealed under the project's data key. `mm worker`
 * in data dir B is refused until A grants B, naming the grant; granted, it migrates the batch
 * and the sandbox holds every object once (`sandbox.dump`) with the member's password, the card
 * and the mailboxes' crypts exactly as when A migrates on the file store (its full state: the
 * dump leaves hashes and card numbers out). Neither the database dump nor either data dir holds them
 * in plain text. A value still sealed under A's master key is refused to B naming the account
 * and the grant, and opens for B once A grants again; a key rotation keeps everything open.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../shared/model/inventory';
import { type Core, createCore } from '../../electron/core/core';
import { InventoryStore } from '../../electron/core/inventory/inventory-store';
import {
  CARD_CONTEXT,
  PASSWORD_CONTEXT,
  inventorySealer,
  openInventoryValue,
} from '../../electron/core/secrets/inventory-keys';
import { sharedSecrets } from '../../electron/core/secrets/shared-secrets';
import { closeAllPgStores } from '../../electron/core/store/postgres-store';
import type { RunningSandbox, SandboxState } from '../../electron/sandbox/sandbox';
import { filesUnder } from '../helpers/files-under';
import { tempDir } from '../helpers/paths';
import { type Postgres, postgresBinDir, startPostgres } from '../helpers/postgres';
import {
  PROJECT,
  type PreparedSource,
  SERVER,
  freshRun,
  mmOk,
  parseMigrate,
  mm,
  prepareSource,
} from '../migration/env';
import { type Dump, cells, dump, duplicates, holdings, startWorker } from './team-helpers';

const run = promisify(execFile);
const CCP_PASSWORD = `Ccp-${Math.random().toString(36).slice(2, 10)}`;

/** A 16-digit Visa number with a valid check digit, different in every run. */
function cardNumber(): string {
  const body = `4${Array.from({ length: 14 }, () => Math.floor(Math.random() * 10)).join('')}`;
  let sum = 0;
  for (const [i, ch] of [...body].reverse().entries()) {
    let d = Number(ch);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}
const CARD = cardNumber();

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * What of the sandbox's holdings carries a customer's secret, keyed by a natural key: from its
 * full state (`sandbox.dump` leaves password hashes and card numbers out on purpose).
 */
function secretsOf(d: SandboxState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of d['members'] ?? []) out[`member ${String(m['login'])}`] = m['password_sha256'];
  for (const t of d['payTools'] ?? [])
    out[`card ${String(t['holder'])}`] = `${String(t['last4'])} ${String(t['exp_date'])}`;
  // a mailbox whose crypt the target cannot take gets a random password: only crypts compare
  for (const m of (d['mailboxes'] ?? []).filter((b) => b['password_crypted'] === true))
    out[`mailbox ${String(m['name'])}@${String(m['domain_name'])}`] =
      `${String(m['password_crypted'])} ${String(m['password_hash'])}`;
  return out;
}

describe("a worker in another data dir opens the shared project's customers' secrets", () => {
  let source: PreparedSource;
  let pg: Postgres;
  let url: string;
  let expected: Dump;
  let expectedSecrets: Record<string, unknown>;
  let runA: { dataDir: string; sandbox: RunningSandbox };
  let dataB: string;
  let bKey: string;
  let customer: string;
  let mailboxHashes: string[];

  beforeAll(async () => {
    [source, pg] = await Promise.all([prepareSource(), startPostgres({ database: 'mminvkeys', user: 'mm' })]);
    url = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    process.env['PGPASSWORD'] = pg.password;
    // the fetched inventory: one customer with a plain control-panel password and a card, as a
    // platform that keeps them (H-Sphere) reports them; stored sealed like any fetched inventory
    const prep = createCore({ dataDir: source.dataDir, shell: 'cli' });
    const inventory = (await prep.inventory.load(PROJECT, SERVER)) as Inventory;
    // a customer with a subscription (the provider's own account is not migrated)
    const account = inventory.accounts.find(
      (a) =>
        a.type === 'customer' &&
        a.ccpLogin &&
        a.adminContact?.email &&
        inventory.subscriptions.some((s) => s.accountId === a.id),
    );
    if (!account?.ccpLogin) throw new Error('the demo inventory has no customer with a login and e-mail');
    customer = account.id;
    const amended: Inventory = {
      ...inventory,
      accounts: inventory.accounts.map((a) =>
        a.id !== customer
          ? a
          : {
              ...a,
              ccpLogin: {
                login: account.ccpLogin?.login ?? '',
                password: { value: CCP_PASSWORD, crypted: false },
              },
              paymentTools: [
                {
                  type: 'creditCard',
                  holder: 'Test Holder',
                  cardType: 'Visa',
                  maskedNumber: `************${CARD.slice(-4)}`,
                  expMonth: '12',
                  expYear: '2031',
                  default: true,
                  encryptedNumber: CARD,
                },
              ],
            },
      ),
    };
    await new InventoryStore(prep.projects, prep.secrets).save(PROJECT, SERVER, amended, 'agent');
    await mmOk(source.dataDir, ['verify']);

    // the reference: A migrates on the file store
    const baseline = await freshRun(source);
    try {
      const result = parseMigrate(await mm(baseline.dataDir, ['migrate', '--json']));
      expect(result.failures).toEqual([]);
      expect(result.state).toBe('done');
      expected = await dump(baseline.sandbox);
      expectedSecrets = secretsOf(baseline.sandbox.state());
    } finally {
      await baseline.sandbox.close();
    }
    const reference = expectedSecrets;
    expect(reference).toMatchObject({
      [`member ${account.ccpLogin.login}`]: sha256(CCP_PASSWORD),
      'card Test Holder': `${CARD.slice(-4)} 12/31`,
    });
    // the mailboxes' password hashes as the source keeps them (sealed in the domain services)
    mailboxHashes = (await readFile(join(source.root, 'etc/dovecot/users'), 'utf8'))
      .split('\n')
      .map((l) => (l.split(':')[1] ?? '').replace(/^\{[^}]*\}/, ''))
      .filter((h) => h.length > 8);
    expect(mailboxHashes.length).toBeGreaterThan(3);

    runA = await freshRun(source);
    await mmOk(runA.dataDir, ['project', 'move', '--store', url]);
    dataB = await tempDir('mm-worker-b-');
    await mmOk(dataB, ['project', 'attach', PROJECT, '--store', url]);
    bKey = (await mmOk(dataB, ['engineer', 'key'])).stdout.split('\n')[0] ?? '';
    expect(bKey).toMatch(/^mm-x25519:/);
  }, 900_000);

  afterAll(async () => {
    await runA?.sandbox.close();
    await closeAllPgStores();
    await pg?.stop();
    await source?.stop();
  });

  it('re-seals the moved inventory under the project’s data key', () => {
    const bodies = cells(
      pg,
      `SELECT body::text FROM mm_documents WHERE project_id = '${PROJECT}' AND (path LIKE 'inventory/%' OR path LIKE 'domain-services/%');`,
    ).join('\n');
    expect(bodies.match(/mm-sealed:p1\./g)?.length ?? 0).toBeGreaterThan(20);
    // nothing left in the data dir's form (base64 right after the prefix)
    expect(bodies.match(/mm-sealed:(?!p1\.)[^"]{0,12}/g) ?? []).toEqual([]);
    expect(cells(pg, `SELECT name FROM mm_secrets WHERE name LIKE 'inventory-key/%';`)).toHaveLength(1);
  });

  it('refuses B’s worker before the grant, naming it, and takes no unit', async () => {
    await mmOk(runA.dataDir, ['workers', 'start', '--force', 'inventory secrets test', '--json']);
    const refused = await startWorker(dataB).done;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`mm project grant ${PROJECT} --engineer ${bKey}`);
    expect(cells(pg, `SELECT DISTINCT state FROM mm_units WHERE project_id = '${PROJECT}';`)).toEqual([
      'queued',
    ]);
  }, 120_000);

  it('migrates the batch from B once granted: the secrets reach the target as when A migrates', async () => {
    await mmOk(runA.dataDir, ['project', 'grant', PROJECT, '--engineer', bKey, '--name', 'worker b']);
    const worker = await startWorker(dataB).done;
    expect(worker.code, worker.stderr).toBe(0);
    expect(cells(pg, `SELECT DISTINCT state FROM mm_units WHERE project_id = '${PROJECT}';`)).toEqual([
      'done',
    ]);
    const d = await dump(runA.sandbox);
    expect(duplicates(d)).toEqual([]);
    expect(holdings(d)).toEqual(holdings(expected));
    expect(secretsOf(runA.sandbox.state())).toEqual(expectedSecrets);
  }, 600_000);

  it('holds no plain secret in the database dump or either data dir', async () => {
    const plain = [CCP_PASSWORD, CARD, ...mailboxHashes];
    const { stdout: dumped } = await run(
      join(postgresBinDir(), 'pg_dump'),
      ['-h', '127.0.0.1', '-p', String(pg.port), '-U', pg.user, pg.database],
      { env: { ...process.env, PGPASSWORD: pg.password }, maxBuffer: 256 * 1024 * 1024 },
    );
    expect(dumped).toContain('mm-sealed:p1.'); // the dump is of the right database
    for (const p of plain) expect(dumped.includes(p), `the dump holds ${p.slice(0, 6)}…`).toBe(false);
    const files = [...(await filesUnder(runA.dataDir)), ...(await filesUnder(dataB))];
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const bytes = await readFile(f);
      for (const p of plain) expect(bytes.includes(p), `${f} holds ${p.slice(0, 6)}…`).toBe(false);
    }
  }, 120_000);

  it('refuses B a value still sealed under A’s master key, naming the account, until A grants again', async () => {
    const alice: Core = createCore({ dataDir: runA.dataDir, shell: 'cli' });
    const bob: Core = createCore({ dataDir: dataB, shell: 'cli' });
    // what an inventory fetched before this change holds: the card sealed with A's master key
    const old = `mm-sealed:${await sharedSecrets(alice.secrets).local.seal(CARD_CONTEXT, CARD)}`;
    pg.psql(
      `UPDATE mm_documents SET body = replace(body::text, (
         SELECT t->>'encryptedNumber' FROM mm_documents, json_array_elements(body->'inventory'->'accounts') a,
           json_array_elements(a->'paymentTools') t
         WHERE project_id = '${PROJECT}' AND path = 'inventory/${SERVER}.json' AND a->>'id' = '${customer}'),
         '${old}')::json, revision = revision + 1
       WHERE project_id = '${PROJECT}' AND path = 'inventory/${SERVER}.json';`,
    );
    const card = async (core: Core): Promise<string> => {
      const inv = (await core.inventory.load(PROJECT, SERVER)) as Inventory;
      const tool = inv.accounts.find((a) => a.id === customer)?.paymentTools[0];
      return openInventoryValue(core.secrets, PROJECT, CARD_CONTEXT, tool?.encryptedNumber ?? '');
    };
    expect(await card(alice)).toBe(CARD); // the data dir that sealed it still opens it
    const refused = await startWorker(dataB).done;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`account ${customer}`);
    expect(refused.stderr).toContain(`mm project grant ${PROJECT} --engineer ${bKey}`);
    await expect(card(bob)).rejects.toMatchObject({ code: 'inventory-secret-foreign' });

    await mmOk(runA.dataDir, ['project', 'grant', PROJECT, '--engineer', bKey, '--name', 'worker b']);
    expect(await card(bob)).toBe(CARD);

    // a rotation re-wraps the data key: both still open it, and new seals use a new data key
    await mmOk(runA.dataDir, ['project', 'rotate-key', PROJECT]);
    const fresh = createCore({ dataDir: dataB, shell: 'cli' });
    expect(await card(fresh)).toBe(CARD);
    const sealed = (await inventorySealer(fresh.secrets, PROJECT, PASSWORD_CONTEXT))('after rotation');
    expect(await openInventoryValue(alice.secrets, PROJECT, PASSWORD_CONTEXT, sealed)).toBe('after rotation');
    expect(cells(pg, `SELECT name FROM mm_secrets WHERE name LIKE 'inventory-key/%';`)).toHaveLength(2);
    const ok = await startWorker(dataB).done;
    expect(ok.code, ok.stderr).toBe(0);
  }, 300_000);
});
