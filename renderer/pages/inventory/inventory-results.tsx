/**
 * The Inventory page's count and table for the current search and filters, memoised apart from
 * the page's controls: a keystroke redraws the Search box and this part (filter, count, the rows
 * in view), not the selects, the header or the drawer.
 *
 * The filter runs in the keystroke's own render, not deferred (useDeferredValue): a keystroke
 * costs a few milliseconds (one includes() pass over 20,000 precomputed texts, ~25 rows drawn),
 * and a deferred render adds a second scheduled render and often a frame before the count shows;
 * measured on the loaded 2-core machine (load 23-28, build/bench/renderer-filter.ts), the worst
 * keystroke was 150-165 ms deferred and 88-94 ms in one render.
 */
import { Text } from '@mantine/core';
import { memo, useMemo } from 'react';
import type { InventoryRows } from '../../../shared/model/inventory';
import { type Column, VirtualTable } from '../../components/virtual-table';
import { ACCOUNT_COLUMNS, DOMAIN_COLUMNS, SUBSCRIPTION_COLUMNS, TEMPLATE_COLUMNS } from './inventory-columns';
import { filterInventory, searchTexts } from './inventory-filter';

export interface RowRef {
  readonly serverId: string;
  readonly id: string;
}

/** Module-level, so the memoised table sees the same function on every render. */
const rowKey = (r: RowRef): string => `${r.serverId}/${r.id}`;

export const InventoryResults = memo(function InventoryResults({
  data,
  query,
  server,
  status,
  onOpen,
}: {
  readonly data: InventoryRows;
  /** As typed: trimmed and lower-cased here. */
  readonly query: string;
  readonly server: string | null;
  readonly status: string | null;
  /** Stable (useCallback), or every render draws the table again. */
  readonly onOpen: (row: RowRef) => void;
}) {
  const search = query.trim().toLowerCase();
  // Lower-cased once per listing; a keystroke is then one pass of includes() over them.
  const texts = useMemo(() => searchTexts(data), [data]);
  const shown = useMemo(
    () => filterInventory(data, texts, { query: search, server, status }),
    [data, texts, search, server, status],
  );
  const kind = data.kind;
  // An empty inventory says what to do; an empty filter result says so.
  const empty =
    data.rows.length === 0
      ? `No ${kind} yet: register a source server on the Source servers page and fetch its inventory.`
      : `No ${kind} match the search and filters: clear them to see all ${data.rows.length}.`;
  // One table for every kind: the switch only pairs each kind's rows with its columns' type.
  const tableOf = <R extends RowRef>(rows: readonly R[], columns: readonly Column<R>[]) => (
    <VirtualTable
      testId="inventory-table"
      rows={rows}
      columns={columns}
      rowKey={rowKey}
      onOpen={onOpen}
      empty={empty}
    />
  );
  const table = (() => {
    switch (shown.kind) {
      case 'accounts':
        return tableOf(shown.rows, ACCOUNT_COLUMNS);
      case 'domains':
        return tableOf(shown.rows, DOMAIN_COLUMNS);
      case 'subscriptions':
        return tableOf(shown.rows, SUBSCRIPTION_COLUMNS);
      case 'templates':
        return tableOf(shown.rows, TEMPLATE_COLUMNS);
    }
  })();
  return (
    <>
      {/* The length of the very rows handed to the table: always the true filtered count. */}
      <Text size="sm" c="dimmed" data-testid="inventory-count">
        {shown.rows.length} of {data.rows.length} {kind}
      </Text>
      {table}
    </>
  );
});
