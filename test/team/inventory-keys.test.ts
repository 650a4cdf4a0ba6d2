/**
 * The data key that seals a shared project's customer secrets (issue 15), against a real
 * PostgreSQL: a value data dir A seals opens in data dir B only once A granted B the project's
 * key; it is bound to its project and its use (a password does not open as a card number, nor
 * in another project); a file project keeps the data dir's master key; a rotation re-wraps the
 * data key (old values open in a fresh core) and the next seal uses a new one.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../electron/core/core';
import {
  CARD_CONTEXT,
  PASSWORD_CONTEXT,
  inventorySealer,
  openInventoryValue,
} from '../../electron/core/secrets/inventory-keys';
import { inventoryFilesToDataDir } from '../../electron/core/secrets/inventory-to-data-dir';
import { sharedSecrets } from '../../electron/core/secrets/shared-secrets';
import type { Inventory } from '../../shared/model/inventory';
import { tempDir } from '../helpers/paths';
import type { Postgres } from '../helpers/postgres';
import { cells } from './team-helpers';
import { type TwoEngineers, twoEngineers } from './two-engineers';
const SHARED = 'shared';
const OTHER = 'other';
const PLAIN = `pw-${Math.random().toString(36).slice(2)}&<x>`;

describe("a shared project's data key for customers' secrets", () => {
  let team: TwoEngineers;
  let pg: Postgres;
  let dataA: string;
  let dataB: string;
  let alice: Core;
  const mm = (dataDir: string, ...args: string[]): Promise<string> => team.mm(dataDir, ...args);

  const seal = async (core: Core, project: string, value: string): Promise<string> =>
    (await inventorySealer(core.secrets, project, PASSWORD_CONTEXT))(value);

  beforeAll(async () => {
    team = await twoEngineers({ database: 'mmdatakey', prefix: 'mm-datakey-' });
    ({ pg, dataA, dataB } = team);
    const { url } = team;
    await mm(dataA, 'project', 'create', 'Shared', '--store', url);
    await mm(dataA, 'project', 'create', 'Other', '--store', url);
    await mm(dataA, 'project', 'create', 'Files');
    await mm(dataB, 'project', 'attach', SHARED, '--store', url);
    alice = createCore({ dataDir: dataA, shell: 'cli' });
  }, 300_000);

  afterAll(() => team?.stop());

  it('seals in the project form, openable by the granted data dirs only', async () => {
    const sealed = await seal(alice, SHARED, PLAIN);
    expect(sealed).toMatch(/^mm-sealed:p1\.[0-9a-f]{16}\./);
    expect(await openInventoryValue(alice.secrets, SHARED, PASSWORD_CONTEXT, sealed)).toBe(PLAIN);
    expect(cells(pg, `SELECT name FROM mm_secrets WHERE project_id = '${SHARED}';`)).toEqual([
      expect.stringMatching(/^inventory-key\/[0-9a-f]{16}$/),
    ]);

    const bKey = (await mm(dataB, 'engineer', 'key')).split('\n')[0] ?? '';
    const refused = openInventoryValue(
      createCore({ dataDir: dataB, shell: 'cli' }).secrets,
      SHARED,
      PASSWORD_CONTEXT,
      sealed,
    );
    await expect(refused).rejects.toMatchObject({ code: 'project-key-not-granted' });
    await expect(refused).rejects.toThrow(`mm project grant ${SHARED} --engineer ${bKey}`);

    await mm(dataA, 'project', 'grant', SHARED, '--engineer', bKey, '--name', 'bob');
    const bob = createCore({ dataDir: dataB, shell: 'cli' });
    expect(await openInventoryValue(bob.secrets, SHARED, PASSWORD_CONTEXT, sealed)).toBe(PLAIN);
  }, 120_000);

  it('binds a value to its use and its project', async () => {
    const sealed = await seal(alice, SHARED, PLAIN);
    await expect(openInventoryValue(alice.secrets, SHARED, CARD_CONTEXT, sealed)).rejects.toThrow(
      /card number of project shared does not open/,
    );
    // the other project has no data key of that id: named, with what to do
    await expect(openInventoryValue(alice.secrets, OTHER, PASSWORD_CONTEXT, sealed)).rejects.toThrow(
      /no longer holds|fetch the inventory again/,
    );
  }, 60_000);

  it('keeps the master key on a file project', async () => {
    const sealed = await seal(alice, 'files', PLAIN);
    expect(sealed).toMatch(/^mm-sealed:[A-Za-z0-9+/]/);
    expect(sealed.startsWith('mm-sealed:p1.')).toBe(false);
    expect(await openInventoryValue(alice.secrets, 'files', PASSWORD_CONTEXT, sealed)).toBe(PLAIN);
    // another data dir's master key does not open it
    await expect(
      openInventoryValue(
        createCore({ dataDir: dataB, shell: 'cli' }).secrets,
        'files',
        PASSWORD_CONTEXT,
        sealed,
      ),
    ).rejects.toMatchObject({ code: 'secret-unreadable' });
  }, 60_000);

  it('opens a batch’s worth of values (5,000) in a fresh core, each to its own plain value', async () => {
    const values = Array.from({ length: 5_000 }, (_, i) => `${PLAIN}-${i}`);
    const sealFive = await inventorySealer(alice.secrets, SHARED, PASSWORD_CONTEXT);
    const sealed = values.map(sealFive);
    expect(new Set(sealed).size).toBe(values.length); // one nonce per value
    const bob = createCore({ dataDir: dataB, shell: 'cli' });
    const t0 = performance.now();
    const opened: string[] = [];
    for (const v of sealed) opened.push(await openInventoryValue(bob.secrets, SHARED, PASSWORD_CONTEXT, v));
    const ms = performance.now() - t0;
    expect(opened).toEqual(values);
    // the measurement for the report (one database read for the data key, then memory)
    console.log(`opened ${values.length} project-form values in ${ms.toFixed(0)} ms`);
  }, 120_000);

  it('re-seals a staged copy of the inventories under the master key for a move back to files', async () => {
    const card = '4111111111111111';
    const folder = await tempDir('mm-datakey-staging-');
    const file = join(folder, 'inventory', 'web01.json');
    await mkdir(dirname(file), { recursive: true });
    const sealCard = await inventorySealer(alice.secrets, SHARED, CARD_CONTEXT);
    await writeFile(
      file,
      JSON.stringify({
        schemaVersion: 1,
        inventory: {
          accounts: [
            {
              id: 'a1',
              ccpLogin: {
                login: 'a1',
                password: { value: await seal(alice, SHARED, PLAIN), crypted: false },
              },
              paymentTools: [{ type: 'creditCard', default: true, encryptedNumber: sealCard(card) }],
            },
          ],
        },
      }),
    );
    expect(await inventoryFilesToDataDir(sharedSecrets(alice.secrets), SHARED, folder)).toBe(2);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('mm-sealed:p1.');
    expect(text).not.toContain(PLAIN);
    expect(text).not.toContain(card);
    const a = (JSON.parse(text) as { inventory: { accounts: Inventory['accounts'] } }).inventory.accounts[0];
    // opened by the master key alone, as in a file project
    expect(
      await openInventoryValue(alice.secrets, 'files', PASSWORD_CONTEXT, a?.ccpLogin?.password?.value ?? ''),
    ).toBe(PLAIN);
    expect(
      await openInventoryValue(
        alice.secrets,
        'files',
        CARD_CONTEXT,
        a?.paymentTools[0]?.encryptedNumber ?? '',
      ),
    ).toBe(card);
  }, 60_000);

  it('keeps values open across a key rotation; the next seal uses a new data key', async () => {
    const before = await seal(alice, SHARED, PLAIN);
    const oldId = before.split('.')[1];
    await mm(dataA, 'project', 'rotate-key', SHARED);
    const bob = createCore({ dataDir: dataB, shell: 'cli' });
    expect(await openInventoryValue(bob.secrets, SHARED, PASSWORD_CONTEXT, before)).toBe(PLAIN);
    const after = await seal(createCore({ dataDir: dataA, shell: 'cli' }), SHARED, PLAIN);
    expect(after.split('.')[1]).not.toBe(oldId);
    expect(await openInventoryValue(bob.secrets, SHARED, PASSWORD_CONTEXT, after)).toBe(PLAIN);
    expect(cells(pg, `SELECT name FROM mm_secrets WHERE project_id = '${SHARED}';`)).toHaveLength(2);
  }, 120_000);
});
