/**
 * What a sandbox holds per row it created from calls over XML-RPC, in a process of its own with
 * --expose-gc: `node --expose-gc --import tsx test/sandbox/held-bytes-child.ts <dataDir> <accounts>`
 * creates that many POA accounts through the real client and prints the heap it holds after a
 * full collection, per account, as one JSON line.
 */
import { getHeapStatistics } from 'node:v8';
import { PoaClient } from '../../electron/core/target/poa-client';
import { startSandbox } from '../../electron/sandbox/sandbox';

const [dataDir, countArg] = process.argv.slice(2);
if (!dataDir || !countArg) throw new Error('held-bytes-child.ts <dataDir> <accounts>');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('held-bytes-child.ts needs --expose-gc');
const collected = (): number => {
  gc();
  gc();
  return getHeapStatistics().used_heap_size;
};

const sandbox = await startSandbox({ dataDir, poaPort: 0, pbaPort: 0, webPort: 0 });
const poa = new PoaClient({ url: sandbox.poaUrl });
// Calls first, so what calls set up once (codec, sockets, compiled code) is in the baseline.
const WARM_UP = 500;
for (let i = 0; i < WARM_UP; i++) await poa.addAccount(account(i));
const before = collected();
const count = Number(countArg);
for (let i = WARM_UP; i < WARM_UP + count; i++) await poa.addAccount(account(i));
const after = collected();
const accounts = sandbox.state().accounts.length;
await sandbox.close();
process.stdout.write(`${JSON.stringify({ accounts, bytesPerAccount: (after - before) / count })}\n`);

function account(i: number): Parameters<PoaClient['addAccount']>[0] {
  return {
    account_type: 'C',
    person: { first_name: 'Jane', last_name: `Doe ${i}`, company_name: `Doe and Daughters GmbH ${i}` },
    address: { street_name: 'Hauptstr. 1', zipcode: '10115', city: 'Berlin', country: 'de', state: 'BE' },
    phone: { country_code: '49', area_code: '30', phone_num: String(1_000_000 + i), ext_num: '' },
    email: `held-bytes-account-${i}@example.com`,
  };
}
