/**
 * The sandbox of sandbox-heap.ts in a process of its own (forked with --expose-gc), so its heap is
 * its alone: it answers how much heap it holds after a full collection, and, once stopped, how
 * much each table weighs when its snapshot is loaded table after table into a fresh store.
 *
 * argv[2] is its data folder. Only the sandbox's public API and its snapshot file are used, so the
 * same child measures an older sandbox too (a clone at an earlier commit).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import type { ChildAnswer } from '../../electron/sandbox/child-answers';
import { startSandbox } from '../../electron/sandbox/sandbox';
import { TABLES, TABLE_NAMES } from '../../electron/sandbox/state';
import { type Row, Store } from '../../electron/sandbox/store';

export type HeapRequest =
  | { readonly n: number; readonly ask: 'heap' }
  | { readonly n: number; readonly ask: 'heap-snapshot'; readonly path: string }
  | { readonly n: number; readonly ask: 'close' }
  | { readonly n: number; readonly ask: 'tables' };

export interface HeapReady {
  readonly ready: true;
  readonly poaUrl: string;
  readonly pbaUrl: string;
}

/** Heap in use after a full collection (twice: weak references let go on the second). */
export interface HeapFigures {
  readonly usedBytes: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly rows: Record<string, number>;
}

export interface TableWeight {
  readonly table: string;
  readonly rows: number;
  readonly bytes: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function collectedHeap(): number {
  if (!gc) throw new Error('sandbox-heap-child.ts needs --expose-gc');
  gc();
  gc();
  return getHeapStatistics().used_heap_size;
}

/** Puts the rows of one table of the snapshot file into `store` (version 3 read line by line with
 * the sandbox's own reader; version 2, an older sandbox's, parsed whole). */
async function loadTable(dataDir: string, table: string, store: Store): Promise<number> {
  const path = join(dataDir, 'sandbox-snapshot.json');
  if (!existsSync(path)) return 0;
  let rows = 0;
  const put = (row: Row): void => {
    store.table(table).put(row);
    rows++;
  };
  const reader = (await import('../../electron/sandbox/snapshot-file').catch(() => undefined)) as
    typeof import('../../electron/sandbox/snapshot-file') | undefined;
  if (reader)
    reader.readSnapshot(path, {
      counters: () => undefined,
      row: (t, row) => {
        if (t === table) put(row);
      },
    });
  else
    for (const row of (JSON.parse(readFileSync(path, 'utf8')) as { tables: Record<string, Row[]> }).tables[
      table
    ] ?? [])
      put(row);
  return rows;
}

/**
 * Each table's weight in a store: its snapshot rows put into a fresh store one table after the
 * other, the heap measured after each (rows, indexes and all).
 */
async function tableWeights(dataDir: string): Promise<TableWeight[]> {
  const weights: TableWeight[] = [];
  const store = new Store(TABLES);
  for (const table of TABLE_NAMES) {
    const before = collectedHeap();
    const rows = await loadTable(dataDir, table, store);
    weights.push({ table, rows, bytes: collectedHeap() - before });
  }
  return weights;
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('sandbox-heap-child.ts runs forked by sandbox-heap.ts (no IPC channel)');
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('sandbox-heap-child.ts: its data folder is argv[2]');
  process.once('disconnect', () => process.exit(0));
  const sandbox = await startSandbox({ dataDir, poaPort: 0, pbaPort: 0, webPort: 0 });
  const answer = (n: number, value: unknown): void => void send({ n, ok: true, value } satisfies ChildAnswer);
  process.on('message', (m: HeapRequest) => {
    void (async () => {
      if (m.ask === 'heap') {
        // Row counts first (copies, let go before the collection).
        const rows = Object.fromEntries(Object.entries(sandbox.state()).map(([t, r]) => [t, r?.length ?? 0]));
        answer(m.n, {
          usedBytes: collectedHeap(),
          rssBytes: process.memoryUsage().rss,
          peakRssBytes: process.resourceUsage().maxRSS * 1024,
          rows,
        } satisfies HeapFigures);
      } else if (m.ask === 'heap-snapshot') {
        collectedHeap();
        answer(m.n, writeHeapSnapshot(m.path));
      } else if (m.ask === 'close') {
        await sandbox.close();
        answer(m.n, true);
      } else if (m.ask === 'tables') {
        const weights = await tableWeights(dataDir);
        writeFileSync(join(dataDir, 'table-weights.json'), JSON.stringify(weights));
        answer(m.n, weights);
      }
    })().catch((e: unknown) =>
      send({ n: m.n, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies ChildAnswer),
    );
  });
  send({ ready: true, poaUrl: sandbox.poaUrl, pbaUrl: sandbox.pbaUrl } satisfies HeapReady);
}

await main();
