/**
 * The Inventory page's search and filters, kept out of React so each keystroke costs one pass
 * over precomputed lower-case texts (20,000 domain rows in about a millisecond).
 */
import type { InventoryRows } from '../../../shared/model/inventory';

/** What every inventory row has that the filters look at. */
interface FilterableRow {
  readonly serverId: string;
  readonly status?: string;
}

export interface InventoryFilter {
  /** Already trimmed and lower-cased; empty matches every row. */
  readonly query: string;
  readonly server: string | null;
  readonly status: string | null;
}

/** Every row's searchable text (all its fields), lower-cased once per listing, not per keystroke. */
export function searchTexts(data: InventoryRows): string[] {
  return (data.rows as readonly object[]).map((r) => Object.values(r).join('\u0001').toLowerCase());
}

/** The rows that pass the filter, in their order; the same array when nothing filters. */
export function filterRows<T extends FilterableRow>(
  rows: readonly T[],
  texts: readonly string[],
  { query, server, status }: InventoryFilter,
): readonly T[] {
  if (!query && !server && !status) return rows;
  const out: T[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (server && r.serverId !== server) continue;
    if (status && r.status !== status) continue;
    if (query && !texts[i]!.includes(query)) continue;
    out.push(r);
  }
  return out;
}

/** The listing with only the rows that pass the filter (texts from searchTexts of the same listing). */
export function filterInventory(
  data: InventoryRows,
  texts: readonly string[],
  filter: InventoryFilter,
): InventoryRows {
  switch (data.kind) {
    case 'accounts':
      return { kind: data.kind, rows: filterRows(data.rows, texts, filter) };
    case 'domains':
      return { kind: data.kind, rows: filterRows(data.rows, texts, filter) };
    case 'subscriptions':
      return { kind: data.kind, rows: filterRows(data.rows, texts, filter) };
    case 'templates':
      return { kind: data.kind, rows: filterRows(data.rows, texts, filter) };
  }
}
