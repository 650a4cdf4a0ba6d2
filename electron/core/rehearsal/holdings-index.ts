/**
 * holdings.index.json, beside a rehearsal's holdings.json: where the lines of every 1,000th
 * holding start (overall and per kind) and how many holdings there are of each kind. With it, a
 * page without a search reads and parses only its own lines (at most 1,999 of them) instead of
 * the whole file (~2 million lines at 10×). It is written with holdings.json (the writer knows
 * every line's offset) or, for a rehearsal of before, built by the first page's scan. It is only
 * a shortcut: one that is absent, damaged or of another file (its size differs) is not used and
 * the page comes from the plain scan, as before.
 */
import { HOLDING_KINDS, type HoldingKind, type HoldingCounts } from '../../../shared/model/rehearsal';
import { blobAt } from '../store/file-blob';

const VERSION = 1;
/** Every how many holdings (overall, and of a kind) the start of a line is noted. */
export const INDEX_STEP = 1_000;

export interface HoldingsIndex {
  readonly version: typeof VERSION;
  /** The size of the holdings.json it was made from, in bytes. */
  readonly size: number;
  readonly step: number;
  readonly counts: HoldingCounts;
  /** Where the line of holding i·step starts (bytes). */
  readonly at: readonly number[];
  /** Where the line of the i·step-th holding of a kind starts. */
  readonly kindAt: Readonly<Partial<Record<HoldingKind, readonly number[]>>>;
  /**
   * Whether every holding's line holds its kind as kindText writes it (the writer's own
   * JSON.stringify): a kind page then parses only the lines that do.
   */
  readonly kindText: boolean;
}

const KIND_TEXTS = new Map<string, string>();

/**
 * `"kind":"mailbox"`: how a holding's line holds its kind. Text inside a JSON string cannot read
 * so (its quotes are escaped); a field named "kind" can, so a line that holds it is still checked.
 */
export function kindText(kind: HoldingKind): string {
  let text = KIND_TEXTS.get(kind);
  if (text === undefined) KIND_TEXTS.set(kind, (text = `"kind":${JSON.stringify(kind)}`));
  return text;
}

/** Notes each holding's line as it is written or read, in order. */
export class HoldingsIndexer {
  private total = 0;
  private readonly kinds: Partial<Record<HoldingKind, number>> = {};
  private readonly at: number[] = [];
  private readonly kindAt: Partial<Record<HoldingKind, number[]>> = {};
  private kindText = true;

  /** The holding whose line (its text `line`, without the comma) starts at byte `start`. */
  add(kind: HoldingKind, start: number, line: string): void {
    if (this.total % INDEX_STEP === 0) this.at.push(start);
    const ofKind = this.kinds[kind] ?? 0;
    if (ofKind % INDEX_STEP === 0) (this.kindAt[kind] ??= []).push(start);
    this.kinds[kind] = ofKind + 1;
    this.total++;
    if (this.kindText && !line.includes(kindText(kind))) this.kindText = false;
  }

  done(size: number): HoldingsIndex {
    return {
      version: VERSION,
      size,
      step: INDEX_STEP,
      counts: { total: this.total, kinds: { ...this.kinds } },
      at: this.at,
      kindAt: this.kindAt,
      kindText: this.kindText,
    };
  }
}

export function indexFileOf(holdingsFile: string): string {
  return holdingsFile.replace(/\.json$/, '') + '.index.json';
}

/** Offsets that can be a file's: whole, ascending, inside it, as many as a count asks. */
function validOffsets(v: unknown, count: number, step: number, size: number): boolean {
  if (!Array.isArray(v) || v.length !== Math.ceil(count / step)) return false;
  let last = -1;
  for (const n of v) {
    if (!Number.isSafeInteger(n) || (n as number) <= last || (n as number) >= size) return false;
    last = n as number;
  }
  return true;
}

/** The index as read, when it is one of a holdings.json of `size` bytes; else undefined. */
export function validIndex(v: unknown, size: number): HoldingsIndex | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const x = v as Partial<HoldingsIndex>;
  if (x.version !== VERSION || x.size !== size || x.step !== INDEX_STEP || typeof x.kindText !== 'boolean')
    return undefined;
  const counts = x.counts;
  if (typeof counts !== 'object' || counts === null || !Number.isSafeInteger(counts.total)) return undefined;
  if (!validOffsets(x.at, counts.total, INDEX_STEP, size)) return undefined;
  if (
    typeof counts.kinds !== 'object' ||
    counts.kinds === null ||
    typeof x.kindAt !== 'object' ||
    x.kindAt === null
  )
    return undefined;
  let sum = 0;
  for (const [kind, n] of Object.entries(counts.kinds)) {
    if (!(HOLDING_KINDS as readonly string[]).includes(kind) || !Number.isSafeInteger(n) || (n as number) < 1)
      return undefined;
    if (!validOffsets((x.kindAt as Record<string, unknown>)[kind], n as number, INDEX_STEP, size))
      return undefined;
    sum += n as number;
  }
  if (sum !== counts.total || Object.keys(x.kindAt).length !== Object.keys(counts.kinds).length)
    return undefined;
  return x as HoldingsIndex;
}

/** The index of the holdings.json at `holdingsFile` of `size` bytes, when there is a valid one. */
export async function readHoldingsIndex(
  holdingsFile: string,
  size: number,
): Promise<HoldingsIndex | undefined> {
  const text = await blobAt(indexFileOf(holdingsFile)).read();
  if (text === undefined) return undefined;
  try {
    return validIndex(JSON.parse(text), size);
  } catch {
    return undefined; // damaged: the plain scan answers and writes it again
  }
}

export async function writeHoldingsIndex(holdingsFile: string, index: HoldingsIndex): Promise<void> {
  await blobAt(indexFileOf(holdingsFile), { mode: 0o600 }).write(JSON.stringify(index));
}

export async function removeHoldingsIndex(holdingsFile: string): Promise<void> {
  await blobAt(indexFileOf(holdingsFile)).remove();
}
