/**
 * The sandbox's snapshot, version 3: one JSON document laid out one row per line, written and
 * read in pieces; a version 2 snapshot (one line) still loads; a damaged one is refused by name.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { PoaClient } from '../../electron/core/target/poa-client';
import { SNAPSHOT_FILE } from '../../electron/sandbox/op-log';
import { type SandboxState, startSandbox } from '../../electron/sandbox/sandbox';
import { readSnapshot } from '../../electron/sandbox/snapshot-file';
import type { Row } from '../../electron/sandbox/store';
import { tempDir } from '../helpers/paths';

const customer = (email: string): Parameters<PoaClient['addAccount']>[0] => ({
  account_type: 'C',
  person: { first_name: 'Jane', last_name: 'Doe', company_name: 'Doe "Quotes" GmbH, Zürich\nline two' },
  address: { street_name: 'Hauptstr. 1', zipcode: '10115', city: 'Berlin', country: 'de', state: 'BE' },
  phone: { country_code: '49', area_code: '30', phone_num: '1234567', ext_num: '' },
  email,
});

/** A sandbox with an account, a subscription and two domains, stopped (its snapshot written). */
async function stoppedSandbox(): Promise<{ dataDir: string; state: SandboxState; accountId: number }> {
  const dataDir = await tempDir('mm-sandbox-');
  const sandbox = await startSandbox({ dataDir });
  const poa = new PoaClient({ url: sandbox.poaUrl });
  const accountId = await poa.addAccount(customer('v3@example.com'));
  const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
  await poa.addDomain({ subscription_id: sub, domain_name: 'one.example' });
  await poa.addDomain({ subscription_id: sub, domain_name: 'two.example' });
  const state = sandbox.state();
  await sandbox.close();
  return { dataDir, state, accountId };
}

describe('the snapshot file (schema version 3)', () => {
  it('is one JSON document, one row per line, and loads back to the same state', async () => {
    const { dataDir, state, accountId } = await stoppedSandbox();
    const text = await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\{"schemaVersion":3,"counters":\{.*\},"tables":\{$/);
    expect(lines.at(-1)).toBe(']}}');
    // Every row stands on a line of its own (a newline inside a value is escaped in JSON).
    const domainsAt = lines.indexOf('"domains":[');
    expect(JSON.parse(lines[domainsAt + 1]?.replace(/,$/, '') ?? '')).toMatchObject({
      domain_name: 'one.example',
    });
    expect(JSON.parse(lines[domainsAt + 2] ?? '')).toMatchObject({ domain_name: 'two.example' });
    expect(lines[domainsAt + 3]).toBe('],');
    // Still one document: whole, it parses to every table.
    const whole = JSON.parse(text) as { schemaVersion: number; tables: Record<string, Row[]> };
    expect(whole.schemaVersion).toBe(3);
    expect(whole.tables['domains']).toEqual(state.domains);
    expect(whole.tables['accounts']).toEqual(state.accounts);

    const again = await startSandbox({ dataDir });
    expect(again.state()).toEqual(state);
    // Ids go on where they stopped.
    expect(await new PoaClient({ url: again.poaUrl }).addAccount(customer('next@example.com'))).toBe(
      accountId + 1,
    );
    await again.close();
  });

  it('reads a version 2 snapshot (the whole document on one line), then writes version 3', async () => {
    const { dataDir, state, accountId } = await stoppedSandbox();
    const counters: Record<string, number> = {};
    const tables: Record<string, Row[]> = {};
    readSnapshot(join(dataDir, SNAPSHOT_FILE), {
      counters: (c) => Object.assign(counters, c),
      row: (table, row) => (tables[table] ??= []).push(row),
    });
    // As the sandbox wrote it before: JSON.stringify of the whole snapshot.
    await writeFile(join(dataDir, SNAPSHOT_FILE), JSON.stringify({ schemaVersion: 2, counters, tables }));

    const again = await startSandbox({ dataDir });
    expect(again.state()).toEqual(state);
    const dump = await postXmlRpc({ url: again.poaUrl }, 'sandbox.dump', [{}]);
    const domains = dump.kind === 'value' ? (dump.value as Record<string, Row[]>)['domains'] : [];
    expect(domains?.map((d) => d['domain_name'])).toEqual(['one.example', 'two.example']);
    expect(await new PoaClient({ url: again.poaUrl }).addAccount(customer('v2@example.com'))).toBe(
      accountId + 1,
    );
    await again.close();
    expect((await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')).split('\n')[0]).toMatch(
      /^\{"schemaVersion":3,/,
    );
  });

  it('refuses a snapshot cut short, naming the file, rather than start with part of the state', async () => {
    const { dataDir } = await stoppedSandbox();
    const path = join(dataDir, SNAPSHOT_FILE);
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, `${lines.slice(0, lines.indexOf('"domains":[') + 2).join('\n')}\n`);
    await expect(startSandbox({ dataDir })).rejects.toThrow(
      `The sandbox snapshot ${path} is damaged (it ends before the end of the document); remove it to start empty.`,
    );
    await writeFile(path, '{"schemaVersion":9,"counters":{},"tables":{\n]}}\n');
    await expect(startSandbox({ dataDir })).rejects.toThrow(`${path} has an unknown schema version`);
  });
});
