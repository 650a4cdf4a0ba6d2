/**
 * What the sandbox-only `sandbox.dump` answers (a real POA has no "list everything"): every
 * table whole for a small state, or one table a page at a time, always without password hashes
 * (withoutSecrets), with the rows per table (`counts`) in every answer so a client knows how many
 * pages there are. The answers are PiecedAnswers: their rows are encoded a slice at a time as the
 * socket takes them (xml-pieces.ts).
 *
 *     sandbox.dump                    every table, the node content, counts (small states only)
 *     sandbox.dump {}                 the same
 *     sandbox.dump {table, offset?, limit?, columns?}
 *                                     {table, offset, limit, total, rows, counts}
 *     sandbox.counts                  {counts, total_rows, pending_faults, content_*}
 *
 * A page is the table's rows in the order the sandbox holds them (insertion order; a row that
 * is changed moves to the end), so pages read while nothing changes the state hold every row
 * exactly once. The rows of one answer are taken when the call is answered, before any is
 * encoded: an answer is one consistent moment even while other calls go on between its pieces.
 */
import { POA_ERRORS } from '../core/target/poa-errors';
import { Args, FAULT, SandboxFault } from './answers';
import type { FaultPlan } from './faults';
import { withoutSecrets } from './pba-methods';
import type { Row, Store } from './store';
import { PiecedAnswer, RowList } from './xml-pieces';

/**
 * The most rows the whole dump answers in one piece. The sandbox writes any answer in pieces,
 * but its client reads an answer whole: the target transport refuses answers over 64 MB
 * (http-transport.ts DEFAULT_TRANSPORT) and the codec decodes ~2,000 rows a second on a loaded
 * machine (measured: 5,000 domain rows, 3.5 MB of XML, 2.6-3.7 s). At ~700 bytes of XML a row
 * (a domain), up to ~1.3 KB (an account with its person and address), 50,000 rows are 35-65 MB
 * and half a minute: the most a caller can wait for. The states the tests and the demo dump hold
 * hundreds to a few thousand rows; the bench's synthetic source at 1× holds ~127,000, at 10×
 * ~1.27 million, and is read page by page.
 */
export const WHOLE_DUMP_MAX_ROWS = 50_000;
/** The most rows one page answers (~7-13 MB of XML), and how many when the caller does not say. */
export const PAGE_MAX_ROWS = 10_000;
export const PAGE_DEFAULT_ROWS = 1_000;

/** The dump's name of a table: the store's camelCase name in snake_case (`pbaSubscriptions` →
 * `pba_subscriptions`), as the tables have always been named in the dump. */
export const dumpName = (table: string): string => table.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export type DumpAsk =
  | { readonly kind: 'whole' }
  | {
      readonly kind: 'page';
      /** The store's name of the table. */
      readonly table: string;
      readonly offset: number;
      readonly limit: number;
      readonly columns?: readonly string[];
    };

/** What a `sandbox.dump` call asks for: no parameter or an empty struct is the whole dump. */
export function readDumpAsk(params: readonly unknown[], tableNames: readonly string[]): DumpAsk {
  if (params.length === 0) return { kind: 'whole' };
  const a = Args.of(params, 'sandbox.dump');
  if (!a.has('table')) {
    if (a.has('offset') || a.has('limit') || a.has('columns'))
      throw new SandboxFault(
        FAULT.missingParameter,
        "sandbox.dump: 'offset', 'limit' and 'columns' need 'table'",
      );
    a.assertConsumed();
    return { kind: 'whole' };
  }
  const name = a.str('table');
  const table = tableNames.find((t) => dumpName(t) === name);
  if (!table)
    throw new SandboxFault(
      FAULT.invalidValue,
      `sandbox.dump: no table '${name}'; the tables are ${tableNames.map(dumpName).join(', ')}`,
    );
  const offset = a.optInt('offset') ?? 0;
  if (offset < 0)
    throw new SandboxFault(FAULT.invalidValue, `sandbox.dump: 'offset' must not be negative, got ${offset}`);
  const limit = a.optInt('limit') ?? PAGE_DEFAULT_ROWS;
  if (limit < 1 || limit > PAGE_MAX_ROWS)
    throw new SandboxFault(
      FAULT.invalidValue,
      `sandbox.dump: 'limit' must be 1 to ${PAGE_MAX_ROWS.toLocaleString('en')}, got ${limit}`,
    );
  const columns = a.has('columns')
    ? readColumns((params[0] as Record<string, unknown>)['columns'])
    : undefined;
  a.assertConsumed();
  return { kind: 'page', table, offset, limit, ...(columns ? { columns } : {}) };
}

function readColumns(list: unknown): string[] {
  if (!Array.isArray(list) || list.length === 0 || !list.every((c) => typeof c === 'string'))
    throw new SandboxFault(FAULT.wrongType, "sandbox.dump: 'columns' must be a non-empty array of strings");
  return list as string[];
}

/** Rows per table, under the dump's names. */
export function tableCounts(store: Store): Record<string, number> {
  return Object.fromEntries(store.tableNames.map((t) => [dumpName(t), store.table(t).rows.size]));
}

const pendingFaults = (faults: FaultPlan): Row[] =>
  faults.pending.map((f) => ({ method: f.method, nth: f.nth, action: f.action }));

/** Every table (refused, naming the paged form, past WHOLE_DUMP_MAX_ROWS), plus `extra` (the
 * node content). */
export function wholeDump(
  store: Store,
  faults: FaultPlan,
  extra: Readonly<Record<string, unknown>>,
): PiecedAnswer {
  const rows = store.rowCount;
  if (rows > WHOLE_DUMP_MAX_ROWS)
    throw new SandboxFault(
      FAULT.invalidValue,
      `sandbox.dump: the sandbox holds ${rows.toLocaleString('en')} rows, more than the ` +
        `${WHOLE_DUMP_MAX_ROWS.toLocaleString('en')} one answer carries; read it a table and a page at a ` +
        `time: sandbox.dump {table, offset, limit} (limit up to ${PAGE_MAX_ROWS.toLocaleString('en')}; ` +
        `every page says the rows per table in 'counts', as does sandbox.counts)`,
    );
  return new PiecedAnswer({
    ...Object.fromEntries(
      store.tableNames.map((t) => [dumpName(t), new RowList(store.all(t), withoutSecrets)]),
    ),
    errors: POA_ERRORS,
    pending_faults: pendingFaults(faults),
    counts: tableCounts(store),
    ...extra,
  });
}

/** One page of one table. */
export function dumpPage(store: Store, ask: Extract<DumpAsk, { kind: 'page' }>): PiecedAnswer {
  const held = store.table(ask.table).rows;
  const rows: Row[] = [];
  let at = 0;
  for (const row of held.values()) {
    if (at++ < ask.offset) continue;
    if (rows.length === ask.limit) break;
    rows.push(row);
  }
  const columns = ask.columns;
  const shown = columns
    ? (row: Row): Row =>
        withoutSecrets(Object.fromEntries(columns.filter((c) => c in row).map((c) => [c, row[c]])))
    : withoutSecrets;
  return new PiecedAnswer({
    table: dumpName(ask.table),
    offset: ask.offset,
    limit: ask.limit,
    total: held.size,
    rows: new RowList(rows, shown),
    counts: tableCounts(store),
  });
}

/** Rows per table and what the nodes hold (`content`), without a row. */
export function dumpCounts(
  store: Store,
  faults: FaultPlan,
  content: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    counts: tableCounts(store),
    total_rows: store.rowCount,
    pending_faults: pendingFaults(faults),
    ...content,
  };
}
