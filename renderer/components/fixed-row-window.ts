/**
 * Which rows of a scrolled list of equally tall rows are in view, computed from the scroll
 * position alone: O(rows in view) per render whatever the row count. (A general virtualizer
 * keeps a measurement per row: 20,000 objects rebuilt whenever a filter changes the count,
 * which is most of a keystroke's time and garbage on a 20,000-row table.)
 */
import { type RefObject, type UIEvent, useCallback, useState } from 'react';

export interface WindowRow {
  readonly index: number;
  /** Offset of the row's top from the top of the rows (px). */
  readonly start: number;
}

export interface FixedRowWindow {
  readonly rows: readonly WindowRow[];
  /** Height of all rows together (px): the scrollable height below the header. */
  readonly totalHeight: number;
  /** Put on the scroller: keeps the window in step with the scroll position. */
  readonly onScroll: (e: UIEvent<HTMLElement>) => void;
  /** Scrolls just enough for the row to be in view below the header (keyboard navigation). */
  scrollToIndex(index: number): void;
}

export function useFixedRowWindow(options: {
  readonly count: number;
  readonly rowHeight: number;
  /** The scroller's height (px), header included. */
  readonly viewportHeight: number;
  /** A sticky header at the top of the scroller, above the rows (px). */
  readonly headerHeight: number;
  /** Rows drawn beyond each edge of the view, so scrolling does not show blank space first. */
  readonly overscan: number;
  readonly scroller: RefObject<HTMLElement | null>;
}): FixedRowWindow {
  const { count, rowHeight, viewportHeight, headerHeight, overscan, scroller } = options;
  const [scrollTop, setScrollTop] = useState(0);
  const onScroll = useCallback((e: UIEvent<HTMLElement>) => setScrollTop(e.currentTarget.scrollTop), []);

  const totalHeight = count * rowHeight;
  const rowsInView = viewportHeight - headerHeight;
  // After a filter shrank the rows the browser clamps the scroll position (and tells us on its
  // next scroll event); clamping here already draws the rows that will be in view.
  const top = Math.max(0, Math.min(scrollTop, totalHeight - rowsInView));
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((top + rowsInView) / rowHeight) + overscan);
  const rows: WindowRow[] = [];
  for (let index = first; index <= last; index++) rows.push({ index, start: index * rowHeight });

  const scrollToIndex = useCallback(
    (index: number): void => {
      const el = scroller.current;
      if (!el) return;
      const rowTop = index * rowHeight; // within the rows, which begin right below the header
      const visible = el.clientHeight - headerHeight;
      if (rowTop < el.scrollTop) el.scrollTo({ top: rowTop });
      else if (rowTop + rowHeight > el.scrollTop + visible)
        el.scrollTo({ top: rowTop + rowHeight - visible });
    },
    [scroller, rowHeight, headerHeight],
  );

  return { rows, totalHeight, onScroll, scrollToIndex };
}
