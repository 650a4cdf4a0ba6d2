/**
 * A table for tens of thousands of rows: only the visible rows are in the DOM (rows are all
 * one height, so which are in view follows from the scroll position: fixed-row-window.ts),
 * sorting by any column, keyboard navigation (arrows, Enter).
 * Filtering is the caller's: it passes the rows to show.
 *
 * Rows and the table are memoised: a column's `render` must depend only on the row and on what
 * its columns array captured; a caller whose cells show other state (a checkbox bound to a
 * selection) makes a new columns array when that state changes, so the rows are drawn again.
 *
 * The header lives inside the scroller (sticky on top), so header and cells share one width
 * whatever the scrollbar takes; a narrow window scrolls the table sideways inside itself (never
 * the page), with the first column pinned.
 */
import { Box, Group, Text, UnstyledButton } from '@mantine/core';
import {
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
  memo,
  useCallback,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useFixedRowWindow } from './fixed-row-window';

export interface Column<R> {
  readonly key: string;
  readonly label: string;
  readonly width?: number | string;
  /** The value sorted on (and shown when there is no render). */
  readonly value: (row: R) => string | number;
  readonly render?: (row: R) => ReactNode;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const ROW_HEIGHT = 34;
const HEADER_HEIGHT = 32;

/** The narrowest a flexible ("2fr") column gets before the table scrolls sideways. */
function minOf(width: number | string | undefined): number {
  if (typeof width === 'number') return width;
  const fr = /^([\d.]+)fr$/.exec(width ?? '1fr');
  return fr ? Math.round(Number(fr[1]) * 110) : 110;
}

const pinned = (i: number): CSSProperties =>
  i === 0 ? { position: 'sticky', left: 0, zIndex: 1, background: 'inherit' } : {};

// Cells are plain elements with shared style objects, not Mantine components: a filter keystroke
// on 20,000 rows mounts a whole window of new rows, and each Box/Text costs hooks and styles.
const CELL: CSSProperties = {
  overflow: 'hidden',
  whiteSpace: 'nowrap',
  textOverflow: 'ellipsis',
  paddingInline: 'var(--mantine-spacing-xs)',
};
const PINNED_CELL: CSSProperties = { ...CELL, ...pinned(0) };
const CELL_TEXT: CSSProperties = {
  overflow: 'hidden',
  whiteSpace: 'nowrap',
  textOverflow: 'ellipsis',
  fontSize: 'var(--mantine-font-size-sm)',
  lineHeight: 'var(--mantine-line-height-sm)',
  margin: 0,
};

interface RowProps<R> {
  readonly row: R;
  readonly index: number;
  readonly start: number;
  readonly active: boolean;
  readonly columns: readonly Column<R>[];
  readonly template: string;
  readonly clickable: boolean;
  readonly onClick: (index: number, row: R) => void;
}

/** One drawn row; memoised, so a row whose place and state did not change is not rendered again. */
function TableRowImpl<R>({ row, index, start, active, columns, template, clickable, onClick }: RowProps<R>) {
  return (
    <div
      role="row"
      aria-selected={active}
      data-testid="table-row"
      onClick={() => onClick(index, row)}
      style={{
        position: 'absolute',
        top: 0,
        left: 0,
        right: 0,
        height: ROW_HEIGHT,
        transform: `translateY(${start}px)`,
        display: 'grid',
        gridTemplateColumns: template,
        alignItems: 'center',
        cursor: clickable ? 'pointer' : 'default',
        background: active ? 'var(--mantine-color-default-hover)' : 'var(--mantine-color-body)',
        borderBottom: '1px solid var(--mantine-color-default-border)',
      }}
    >
      {columns.map((c, i) => (
        <div key={c.key} role="gridcell" style={i === 0 ? PINNED_CELL : CELL}>
          {c.render ? c.render(row) : <p style={CELL_TEXT}>{String(c.value(row))}</p>}
        </div>
      ))}
    </div>
  );
}
const TableRow = memo(TableRowImpl) as typeof TableRowImpl;

function VirtualTableImpl<R>(props: {
  readonly rows: readonly R[];
  readonly columns: readonly Column<R>[];
  readonly rowKey: (row: R) => string;
  readonly onOpen?: (row: R) => void;
  readonly height?: number;
  readonly testId?: string;
  /** Shown when there are no rows: what to do about it, e.g. "Fetch an inventory first". */
  readonly empty?: ReactNode;
}) {
  const { rows, columns, rowKey, onOpen } = props;
  const [sort, setSort] = useState<{ key: string; dir: 1 | -1 } | undefined>();
  const [cursor, setCursor] = useState(0);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const column = columns.find((c) => c.key === sort.key);
    if (!column) return rows;
    return [...rows].sort((a, b) => {
      const va = column.value(a);
      const vb = column.value(b);
      const d =
        typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
      return d * sort.dir;
    });
  }, [rows, columns, sort]);

  const scroller = useRef<HTMLDivElement>(null);
  const height = props.height ?? 520;
  const view = useFixedRowWindow({
    count: sorted.length,
    rowHeight: ROW_HEIGHT,
    viewportHeight: height,
    headerHeight: HEADER_HEIGHT,
    // A few rows beyond the window are enough for smooth scrolling; each one more is mounted
    // again on every filter keystroke.
    overscan: 4,
    scroller,
  });

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (sorted.length === 0) return;
    const move =
      e.key === 'ArrowDown'
        ? 1
        : e.key === 'ArrowUp'
          ? -1
          : e.key === 'PageDown'
            ? 15
            : e.key === 'PageUp'
              ? -15
              : 0;
    if (move !== 0) {
      e.preventDefault();
      const next = Math.max(0, Math.min(sorted.length - 1, cursor + move));
      setCursor(next);
      view.scrollToIndex(next);
    } else if (e.key === 'Enter' && onOpen) {
      const row = sorted[cursor];
      if (row) onOpen(row);
    }
  };

  const template = useMemo(
    () =>
      columns
        .map((c) =>
          typeof c.width === 'number' ? `${c.width}px` : `minmax(${minOf(c.width)}px, ${c.width ?? '1fr'})`,
        )
        .join(' '),
    [columns],
  );
  const minWidth = columns.reduce((w, c) => w + minOf(c.width), 0);
  // Stable while onOpen is, so the memoised rows are not all drawn again on every render.
  const onRowClick = useCallback(
    (index: number, row: R): void => {
      setCursor(index);
      onOpen?.(row);
    },
    [onOpen],
  );

  return (
    <Box data-testid={props.testId} data-row-count={sorted.length}>
      <div
        ref={scroller}
        role="grid"
        aria-rowcount={sorted.length}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={view.onScroll}
        style={{ height, overflow: 'auto', position: 'relative', outline: 'none' }}
      >
        <div style={{ minWidth, position: 'relative', background: 'var(--mantine-color-body)' }}>
          <Box
            role="row"
            data-testid="table-header"
            style={{
              display: 'grid',
              gridTemplateColumns: template,
              height: HEADER_HEIGHT,
              position: 'sticky',
              top: 0,
              zIndex: 2,
              background: 'var(--mantine-color-body)',
              borderBottom: '1px solid var(--mantine-color-default-border)',
            }}
          >
            {columns.map((c, i) => (
              <UnstyledButton
                key={c.key}
                role="columnheader"
                px="xs"
                py={6}
                style={pinned(i)}
                aria-sort={sort?.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
                onClick={() =>
                  setSort((s) =>
                    s?.key === c.key ? { key: c.key, dir: s.dir === 1 ? -1 : 1 } : { key: c.key, dir: 1 },
                  )
                }
              >
                <Group gap={4} wrap="nowrap">
                  <Text size="xs" fw={700} tt="uppercase" c="dimmed" truncate>
                    {c.label}
                  </Text>
                  {sort?.key === c.key && <Text size="xs">{sort.dir === 1 ? '▲' : '▼'}</Text>}
                </Group>
              </UnstyledButton>
            ))}
          </Box>
          {sorted.length === 0 ? (
            <Text c="dimmed" p="md" data-testid="table-empty">
              {props.empty ?? 'Nothing matches the filters: clear or change them.'}
            </Text>
          ) : (
            <div style={{ height: view.totalHeight, position: 'relative' }}>
              {view.rows.map((item) => {
                const row = sorted[item.index]!;
                return (
                  <TableRow
                    key={rowKey(row)}
                    row={row}
                    index={item.index}
                    start={item.start}
                    active={item.index === cursor}
                    columns={columns}
                    template={template}
                    clickable={onOpen !== undefined}
                    onClick={onRowClick}
                  />
                );
              })}
            </div>
          )}
        </div>
      </div>
    </Box>
  );
}

/**
 * Memoised: a parent re-rendering for an unrelated reason (a drawer opening, a select's
 * state) does not draw the table again while rows, columns and callbacks are the same.
 */
export const VirtualTable = memo(VirtualTableImpl) as typeof VirtualTableImpl;
