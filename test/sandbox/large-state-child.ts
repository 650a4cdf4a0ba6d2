/**
 * Compacts a large state in a process whose heap is capped (run with --max-old-space-size): the
 * state fits, the state and one string of all of it would not. `node --max-old-space-size=<MB>
 * --import tsx test/sandbox/large-state-child.ts <dataDir> <rows>` puts <rows> account rows into
 * a store (sharing their nested person and their long e-mail, so the rows weigh little in the
 * heap and much in JSON), opens the operation log on it (which writes the snapshot), and prints
 * the heap's high-water mark.
 */
import { getHeapStatistics } from 'node:v8';
import { OpLog } from '../../electron/sandbox/op-log';
import { TABLES } from '../../electron/sandbox/state';
import { Store } from '../../electron/sandbox/store';

const [dataDir, rowsArg] = process.argv.slice(2);
if (!dataDir || !rowsArg) throw new Error('large-state-child.ts <dataDir> <rows>');
const person = { first_name: 'Jane', middle_name: '', last_name: 'Doe', company_name: 'Doe GmbH' };
const email = `${'long-mailbox-name.'.repeat(16)}@example.com`;
const store = new Store(TABLES);
for (let i = 1; i <= Number(rowsArg); i++)
  store.table('accounts').put({
    account_id: i,
    account_type: 'C',
    parent_account_id: 1,
    person,
    email,
    country: 'de',
    city: 'Berlin',
    enabled: true,
    via: 'POA',
  });
OpLog.open(dataDir, store).close();
process.stdout.write(
  `${JSON.stringify({ rows: store.rowCount, heapLimit: getHeapStatistics().heap_size_limit })}\n`,
);
