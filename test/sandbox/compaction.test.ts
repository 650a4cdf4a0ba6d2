/**
 * When the sandbox folds its operation log into a new snapshot: once the log holds as many
 * operations as the last snapshot held rows (and at least `compactEvery`), so a large state is
 * rewritten less often as it grows and the rewriting stays linear in the work.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PoaClient } from '../../electron/core/target/poa-client';
import { LOG_FILE, SNAPSHOT_FILE, compactionDue } from '../../electron/sandbox/op-log';
import { startSandbox } from '../../electron/sandbox/sandbox';
import { tempDir } from '../helpers/paths';

const customer = (email: string): Parameters<PoaClient['addAccount']>[0] => ({
  account_type: 'C',
  person: { first_name: 'Jane', last_name: 'Doe', company_name: 'Doe GmbH' },
  address: { street_name: 'Hauptstr. 1', zipcode: '10115', city: 'Berlin', country: 'de', state: 'BE' },
  phone: { country_code: '49', area_code: '30', phone_num: '1234567', ext_num: '' },
  email,
});

const logLines = async (dataDir: string): Promise<number> =>
  (await readFile(join(dataDir, LOG_FILE), 'utf8')).split('\n').filter((l) => l !== '').length;
const snapshotRows = async (dataDir: string): Promise<number> =>
  Object.values(
    (
      JSON.parse(await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')) as {
        tables: Record<string, unknown[]>;
      }
    ).tables,
  ).reduce((n, rows) => n + rows.length, 0);

describe('compaction of the operation log', () => {
  it('is due at max(compactEvery, rows of the last snapshot) operations', () => {
    expect(compactionDue(99_999, 0, 100_000)).toBe(false);
    expect(compactionDue(100_000, 0, 100_000)).toBe(true);
    expect(compactionDue(100_000, 2_500_000, 100_000)).toBe(false);
    expect(compactionDue(2_499_999, 2_500_000, 100_000)).toBe(false);
    expect(compactionDue(2_500_000, 2_500_000, 100_000)).toBe(true);
  });

  it('waits for as many operations as the last snapshot held rows, then loses nothing', async () => {
    const dataDir = await tempDir('mm-sandbox-');
    // Six accounts, then a restart: the snapshot written at start holds 6 rows.
    const first = await startSandbox({ dataDir, compactEvery: 2 });
    const poa1 = new PoaClient({ url: first.poaUrl });
    for (let i = 0; i < 6; i++) await poa1.addAccount(customer(`a${i}@example.com`));
    await first.close();

    const sandbox = await startSandbox({ dataDir, compactEvery: 2 });
    expect(await snapshotRows(dataDir)).toBe(6);
    const poa = new PoaClient({ url: sandbox.poaUrl });
    // Five operations: fewer than the 6 rows of the snapshot, though more than compactEvery.
    for (let i = 0; i < 5; i++) await poa.addAccount(customer(`b${i}@example.com`));
    expect(await logLines(dataDir)).toBe(5);
    expect(await snapshotRows(dataDir)).toBe(6);
    // The sixth: a new snapshot of the 12 rows, an empty log.
    await poa.addAccount(customer('b5@example.com'));
    expect(await logLines(dataDir)).toBe(0);
    expect(await snapshotRows(dataDir)).toBe(12);
    // The next one waits for 12 operations.
    for (let i = 0; i < 11; i++) await poa.addAccount(customer(`c${i}@example.com`));
    expect(await logLines(dataDir)).toBe(11);
    await poa.addAccount(customer('c11@example.com'));
    expect(await logLines(dataDir)).toBe(0);
    expect(await snapshotRows(dataDir)).toBe(24);
    await sandbox.close();

    const again = await startSandbox({ dataDir });
    expect(again.state().accounts).toHaveLength(24);
    await again.close();
  });
});
