/**
 * A sandbox killed (SIGKILL) while it writes its snapshot still starts on what it had answered:
 * the snapshot is written to a temporary file, fsynced and renamed, the log emptied only after.
 * Its state is large (200,000 rows) so that the compaction at start takes long enough to be
 * caught with the temporary file half written.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PoaClient } from '../../electron/core/target/poa-client';
import { SNAPSHOT_FILE } from '../../electron/sandbox/op-log';
import { startSandbox } from '../../electron/sandbox/sandbox';
import { writeSnapshot } from '../../electron/sandbox/snapshot-file';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { snapshotTables, startDomainWriters } from '../helpers/sandbox-load';
import { stopChild } from '../helpers/stop-child';

const SEEDED = 200_000;

const customer: Parameters<PoaClient['addAccount']>[0] = {
  account_type: 'C',
  person: { first_name: 'Jane', last_name: 'Doe', company_name: 'Doe GmbH' },
  address: { street_name: 'Hauptstr. 1', zipcode: '10115', city: 'Berlin', country: 'de', state: 'BE' },
  phone: { country_code: '49', area_code: '30', phone_num: '1234567', ext_num: '' },
  email: 'kill@example.com',
};

/** The sandbox of sandbox-child.ts on `dataDir`; `urls` resolves once it listens. */
function child(dataDir: string): { process: ChildProcess; urls: Promise<{ poaUrl: string }> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/sandbox/sandbox-child.ts', dataDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const urls = new Promise<{ poaUrl: string }>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as { poaUrl: string });
    });
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    proc.once('exit', (code, signal) => reject(new Error(`the sandbox exited (${code ?? signal}): ${out}`)));
  });
  urls.catch(() => undefined);
  return { process: proc, urls };
}

/**
 * An account and a subscription made through the API, then SEEDED more domains of that
 * subscription written into its snapshot, each a copy of the one real domain row.
 */
async function seededDataDir(): Promise<{ dataDir: string; subscription: number }> {
  const dataDir = await tempDir('mm-sandbox-');
  const sandbox = await startSandbox({ dataDir });
  const poa = new PoaClient({ url: sandbox.poaUrl });
  const accountId = await poa.addAccount(customer);
  const subscription = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
  await poa.addDomain({ subscription_id: subscription, domain_name: 'real.example' });
  await sandbox.close();
  const { counters, tables } = snapshotTables(dataDir);
  const real = tables.get('domains')?.[0];
  if (!real) throw new Error('no domain row to copy');
  const first = Number(real['domain_id']) + 1;
  writeSnapshot(join(dataDir, SNAPSHOT_FILE), {
    counters: { ...counters, domain: first + SEEDED },
    tableNames: [...tables.keys()],
    rows: function* (table) {
      yield* tables.get(table) ?? [];
      if (table === 'domains')
        for (let i = 0; i < SEEDED; i++)
          yield { ...real, domain_id: first + i, domain_name: `seeded-${i}.example`, webspace_id: 0 };
    },
  });
  return { dataDir, subscription };
}

describe('a sandbox killed mid-compaction', () => {
  it('starts again on everything it answered, and the seeded state', async () => {
    const { dataDir, subscription } = await seededDataDir();

    // 1. Writes until a good number are answered, then SIGKILL: they are in the log only.
    const first = child(dataDir);
    const poa = new PoaClient({ url: (await first.urls).poaUrl }, { retries: 0, timeoutMs: 10_000 });
    const writers = startDomainWriters(poa, subscription);
    await writers.answeredMoreThan(30);
    await stopChild(first.process, 'SIGKILL');
    await writers.stop();
    const { answered, sent } = writers;
    expect(answered.size).toBeGreaterThan(30);

    // 2. Started again, it loads the snapshot and the log and writes a new snapshot: killed while
    // the temporary file is being written.
    const second = child(dataDir);
    const temp = join(dataDir, `${SNAPSHOT_FILE}.tmp`);
    for (const until = Date.now() + 60_000; !existsSync(temp) && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 2));
    await stopChild(second.process, 'SIGKILL');
    await expect(second.urls).rejects.toThrow('exited (SIGKILL)');
    expect(existsSync(temp)).toBe(true);

    // 3. Started again: the whole seeded state and every answered domain.
    const again = await startSandbox({ dataDir });
    const domains = again.held().domains.map((d) => String(d['domain_name']));
    const held = new Set(domains);
    expect(held.has('real.example')).toBe(true);
    expect(domains.filter((d) => d.startsWith('seeded-'))).toHaveLength(SEEDED);
    for (const name of answered) expect(held.has(name)).toBe(true);
    // Anything more was sent and in flight when the process died.
    const extra = domains.filter((d) => d.startsWith('w') && !answered.has(d));
    expect(extra.every((d) => sent.has(d))).toBe(true);
    expect(extra.length).toBeLessThanOrEqual(4);
    await again.close();
  }, 180_000);
});
