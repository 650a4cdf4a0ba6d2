/**
 * The two-column IP mapping file: one `source target` pair a line, separated by a comma,
 * semicolon, tab or spaces (so a CSV export and a hand-written list both read). Blank lines and
 * `#` comments are skipped, and a first line naming the columns (`source,target`) is a header.
 * Every problem names the file, the line and the value; the whole file is refused when any
 * line is wrong, so an import never half-applies.
 */
import { MmError } from '../errors';
import { canonicalIp, ipVersion } from './ip-rules';

export interface ImportedPair {
  readonly source: string;
  readonly target: string;
  readonly line: number;
}

/** A first line naming the columns ("source,target", "Source IP;Target IP"): no address in it. */
const isHeader = (cells: readonly string[]): boolean =>
  cells.some((c) => /source|target|from|to|old|new/i.test(c)) &&
  cells.every((c) => canonicalIp(c) === undefined);
const MAX_PROBLEMS = 10;

const unquote = (s: string): string =>
  s
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();

/** Parses the file; throws `invalid-input` listing (up to ten) problems by line and value. */
export function parseIpMapFile(text: string, fileName: string): ImportedPair[] {
  const problems: string[] = [];
  const pairs: ImportedPair[] = [];
  const seen = new Map<string, ImportedPair>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let seenData = false;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') return;
    const cells = body
      .split(/\s*[,;\t]\s*|\s+/)
      .map(unquote)
      .filter((c) => c !== '');
    const first = !seenData;
    seenData = true;
    if (first && isHeader(cells)) return;
    if (cells.length !== 2) {
      problems.push(
        `${fileName} line ${line}: expected two columns (source IP, target IP), found ${cells.length}: "${body}"`,
      );
      return;
    }
    const [rawSource = '', rawTarget = ''] = cells;
    const source = canonicalIp(rawSource);
    const target = canonicalIp(rawTarget);
    if (source === undefined)
      problems.push(`${fileName} line ${line}: the source "${rawSource}" is not an IPv4 or IPv6 address`);
    if (target === undefined)
      problems.push(`${fileName} line ${line}: the target "${rawTarget}" is not an IPv4 or IPv6 address`);
    if (source === undefined || target === undefined) return;
    if (ipVersion(source) !== ipVersion(target)) {
      problems.push(
        `${fileName} line ${line}: "${rawSource}" is IPv${ipVersion(source)} but "${rawTarget}" is IPv${ipVersion(target)}; an A record cannot become an AAAA record`,
      );
      return;
    }
    const earlier = seen.get(source);
    if (earlier && earlier.target !== target) {
      problems.push(
        `${fileName} line ${line}: "${rawSource}" is mapped again, to "${rawTarget}" (line ${earlier.line} maps it to "${earlier.target}")`,
      );
      return;
    }
    if (earlier) return;
    const pair = { source, target, line };
    seen.set(source, pair);
    pairs.push(pair);
  });
  if (problems.length > 0) {
    const more = problems.length > MAX_PROBLEMS ? `\n… and ${problems.length - MAX_PROBLEMS} more` : '';
    throw new MmError('invalid-input', `${problems.slice(0, MAX_PROBLEMS).join('\n')}${more}`, fileName);
  }
  if (pairs.length === 0)
    throw new MmError('invalid-input', `${fileName} holds no "source target" line.`, fileName);
  return pairs;
}
