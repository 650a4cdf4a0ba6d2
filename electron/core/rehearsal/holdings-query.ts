/**
 * A page of a rehearsal's holdings. At 10× a rehearsal holds ~2 million objects (~290 MB of
 * holdings.json); nothing but the page asked for (at most HOLDINGS_PAGE_MAX rows) and two counts
 * is ever kept. A holdings.json with its index (holdings-index.ts) answers a page without a
 * search by reading only the page's lines, from the nearest noted line before it; a search reads
 * every line but parses only those whose raw text can hold it. Anything else (no index yet, an
 * old bundle's holdings) is one pass over every holding, parsed.
 */
import type {
  HoldingKind,
  HoldingsPage,
  HoldingsQuery,
  TargetHolding,
} from '../../../shared/model/rehearsal';
import { type HoldingsBytes, type LinesText, SEEK_SLICE } from './holdings-bytes';
import { type HoldingsIndex, kindText } from './holdings-index';

/** Holdings that answer a page by themselves (a holdings.json: holdings-file.ts's readHoldings). */
export interface PagedHoldings extends AsyncIterable<readonly TargetHolding[]> {
  page(query: HoldingsQuery): Promise<HoldingsPage>;
}

function isPaged(v: object): v is PagedHoldings {
  return typeof (v as Partial<PagedHoldings>).page === 'function';
}

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

/** The page `query` asks for: from the holdings themselves when they can, else by one pass. */
export async function pageOfHoldings(
  pieces: AsyncIterable<readonly TargetHolding[]> | Iterable<readonly TargetHolding[]>,
  query: HoldingsQuery,
): Promise<HoldingsPage> {
  return isPaged(pieces) ? pieces.page(query) : pageByScan(pieces, query);
}

/** The page `query` asks for, counting every holding and every match on the way. */
export async function pageByScan(
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

/**
 * Parses a holding's line (its trailing comma cut off); throws naming the file and the line,
 * which `where` says (the byte it starts at: worked out only then).
 */
export type LineParser = (line: string, where: () => string) => TargetHolding;

/** A line's holding text: the line without its comma; undefined for the brackets and blank lines. */
function holdingText(raw: string): string | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line === '[' || line === ']' || line.trim() === '') return undefined;
  return line.endsWith(',') ? line.slice(0, -1) : line;
}

/** A line of a text read from the file, and where in that text it starts (characters). */
interface TextLine {
  readonly raw: string;
  readonly start: number;
}

/** Where a line of `from` starts in the file, said as a damaged line's message wants it. */
function whereIn(from: LinesText, start: number): () => string {
  return () => `the line at byte ${from.at + Buffer.byteLength(from.text.slice(0, start))}`;
}

/** A text's lines, without the empty one after its last newline. */
function linesOf(text: string): TextLine[] {
  const out: TextLine[] = [];
  for (let start = 0; start < text.length;) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    out.push({ raw: text.slice(start, end), start });
    start = end + 1;
  }
  return out;
}

/**
 * The page from a holdings.json and its index; undefined when the index cannot answer it (a
 * search whose raw text a line need not hold: see rawSearch), and the caller scans.
 */
export async function pageByIndex(
  bytes: HoldingsBytes,
  index: HoldingsIndex,
  query: HoldingsQuery,
  parse: LineParser,
): Promise<HoldingsPage | undefined> {
  const search = normalSearch(query.search);
  if (search !== '') {
    const needle = rawSearch(search);
    return needle === undefined ? undefined : searchedPage(bytes, index, query, search, needle, parse);
  }
  const total = index.counts.total;
  const kind = query.kind;
  const matched = kind === undefined ? total : (index.counts.kinds[kind] ?? 0);
  if (query.offset >= matched) return { rows: [], matched, total };
  const noted = Math.floor(query.offset / index.step);
  const from = kind === undefined ? index.at[noted] : index.kindAt[kind]?.[noted];
  if (from === undefined) return undefined; // validIndex makes this unreachable
  // the holdings from the noted one on, those before the offset skipped (unparsed when no kind is asked)
  let skip = query.offset - noted * index.step;
  const kindLine = kind !== undefined && index.kindText ? kindText(kind) : undefined;
  const rows: TargetHolding[] = [];
  for await (const read of bytes.texts(from, SEEK_SLICE)) {
    for (const { raw, start } of linesOf(read.text)) {
      const line = holdingText(raw);
      if (line === undefined || (kindLine !== undefined && !line.includes(kindLine))) continue;
      if (kind === undefined && skip > 0) {
        skip--;
        continue;
      }
      const h = parse(line, whereIn(read, start));
      if (kind !== undefined && h.kind !== kind) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      rows.push(h);
      if (rows.length >= query.limit || query.offset + rows.length >= matched)
        return { rows, matched, total };
    }
  }
  return { rows, matched, total };
}

/** A lone surrogate: JSON.stringify writes it escaped, though the name's pair around it is raw. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What a holding's line, in lower case, must hold when its name or owner holds `search` (lower
 * case already): the search as JSON writes it inside a string (a quote as \", a backslash as \\,
 * a control character as \n or \u001f; JSON.stringify escapes character by character, so the
 * escaped name holds the escaped search, and the escapes are lower case). Undefined when the raw
 * text need not hold it: a lone surrogate (escaped alone, raw in a pair), or a sigma, whose lower
 * case depends on the letters around it (Σ is ς at a word's end) and so may differ between the
 * name and its line.
 */
export function rawSearch(search: string): string | undefined {
  if (LONE_SURROGATE.test(search) || /[σς]/.test(search)) return undefined;
  return JSON.stringify(search).slice(1, -1);
}

/** The lines of `text` whose lower case holds `needle` (and the kind's text, when given). */
function candidates(text: string, needle: string, kindLine: string | undefined): TextLine[] {
  const lower = text.toLowerCase();
  const out: TextLine[] = [];
  if (lower.length !== text.length) {
    // a character whose lower case is longer (İ): the lines still pair one to one
    const lowerLines = lower.split('\n');
    linesOf(text).forEach((line, i) => {
      if (lowerLines[i]?.includes(needle) && (kindLine === undefined || line.raw.includes(kindLine)))
        out.push(line);
    });
    return out;
  }
  // the same length: every character's lower case is one unit, at the same place
  for (let pos = 0; ;) {
    const hit = lower.indexOf(needle, pos);
    if (hit === -1) return out;
    const start = lower.lastIndexOf('\n', hit) + 1;
    const nl = lower.indexOf('\n', hit);
    const end = nl === -1 ? lower.length : nl;
    const raw = text.slice(start, end);
    if (kindLine === undefined || raw.includes(kindLine)) out.push({ raw, start });
    pos = end + 1;
  }
}

/** A search: every line read, only the candidates parsed and checked against the fields themselves. */
async function searchedPage(
  bytes: HoldingsBytes,
  index: HoldingsIndex,
  query: HoldingsQuery,
  search: string,
  needle: string,
  parse: LineParser,
): Promise<HoldingsPage> {
  const kind: HoldingKind | undefined = query.kind;
  const kindLine = kind !== undefined && index.kindText ? kindText(kind) : undefined;
  const end = query.offset + query.limit;
  const rows: TargetHolding[] = [];
  let matched = 0;
  for await (const read of bytes.texts(index.at[0] ?? 0)) {
    for (const { raw, start } of candidates(read.text, needle, kindLine)) {
      const line = holdingText(raw);
      if (line === undefined) continue;
      const h = parse(line, whereIn(read, start));
      if (!holdingMatches(h, kind, search)) continue;
      if (matched >= query.offset && matched < end) rows.push(h);
      matched++;
    }
  }
  return { rows, matched, total: index.counts.total };
}
