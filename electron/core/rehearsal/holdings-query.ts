/**
 * A page of a rehearsal's holdings, read from its pieces as they stream by: at 10× a rehearsal
 * holds ~2 million objects (~290 MB of holdings.json), so nothing but the page asked for (at
 * most HOLDINGS_PAGE_MAX rows) and two counts is kept while the file is read.
 */
import type { HoldingsPage, HoldingsQuery, TargetHolding } from '../../../shared/model/rehearsal';

/** Whether a holding passes a page's filters: its kind, and the search in its name or owner (any case). */
export function holdingMatches(h: TargetHolding, kind: string | undefined, search: string): boolean {
  if (kind !== undefined && h.kind !== kind) return false;
  if (search === '') return true;
  return h.name.toLowerCase().includes(search) || (h.owner ?? '').toLowerCase().includes(search);
}

/** The search as holdingMatches takes it: trimmed, lower case. */
export function normalSearch(search: string | undefined): string {
  return (search ?? '').trim().toLowerCase();
}

/** The page `query` asks for, counting every holding and every match on the way. */
export async function pageOfHoldings(
  pieces: AsyncIterable<readonly TargetHolding[]> | Iterable<readonly TargetHolding[]>,
  query: HoldingsQuery,
): Promise<HoldingsPage> {
  const search = normalSearch(query.search);
  const end = query.offset + query.limit;
  const rows: TargetHolding[] = [];
  let matched = 0;
  let total = 0;
  for await (const part of pieces) {
    total += part.length;
    for (const h of part) {
      if (!holdingMatches(h, query.kind, search)) continue;
      if (matched >= query.offset && matched < end) rows.push(h);
      matched++;
    }
  }
  return { rows, matched, total };
}
