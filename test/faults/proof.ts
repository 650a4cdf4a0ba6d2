/**
 * The proof every fault case prints: what the sandbox target holds, read back table by table,
 * and every object that is there twice (by its natural key, whatever ids the target chose).
 */
import type { RunningSandbox } from '../../electron/sandbox/sandbox';

/** Rows per table, leaving out the requests' own bookkeeping. */
export function holdings(sandbox: RunningSandbox): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [table, rows] of Object.entries(sandbox.state()))
    if (table !== 'requests') out[table] = rows?.length ?? 0;
  return out;
}

type Row = Record<string, unknown>;
const s = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);

/** The key that makes an object the same object, per table. */
const NATURAL_KEYS: readonly [string, (r: Row) => string][] = [
  ['attributes', (r) => `${s(r['name'])}=${s(r['value'])}`],
  [
    'pbaSubscriptions',
    (r) => `${s(r['gate'])}:${s((r['fields'] as Row | undefined)?.['DomainName'] ?? r['name'])}`,
  ],
  ['members', (r) => s(r['login'])],
  ['domains', (r) => s(r['domain_name'])],
  ['dnsRecords', (r) => `${s(r['domain_name'])}|${s(r['host'])}|${s(r['type'])}|${s(r['data'])}`],
  ['mailboxes', (r) => `${s(r['name'])}@${s(r['domain_name'])}`],
  ['forwardings', (r) => `${s(r['name'])}@${s(r['domain_name'])}>${s(r['forward_to'])}`],
  ['databases', (r) => s(r['db_name'])],
  ['ftpUsers', (r) => s(r['login'])],
];

/** Every object held twice, as "table: key". */
export function duplicates(sandbox: RunningSandbox): string[] {
  const state = sandbox.state();
  const dupes: string[] = [];
  for (const [table, key] of NATURAL_KEYS) {
    const seen = new Set<string>();
    for (const r of (state[table] ?? []) as Row[]) {
      const k = key(r);
      if (seen.has(k)) dupes.push(`${table}: ${k}`);
      seen.add(k);
    }
  }
  return dupes;
}

/** Tables whose row count differs from the expected ones, as "table: got n, expected m". */
export function missing(got: Record<string, number>, expected: Record<string, number>): string[] {
  const out: string[] = [];
  for (const table of new Set([...Object.keys(got), ...Object.keys(expected)]))
    if ((got[table] ?? 0) !== (expected[table] ?? 0))
      out.push(`${table}: ${got[table] ?? 0} held, ${expected[table] ?? 0} expected`);
  return out;
}

/** One line of proof: objects held, lost (fewer than expected) and duplicated. */
export function proofLine(sandbox: RunningSandbox, expected: Record<string, number>): string {
  const got = holdings(sandbox);
  const total = Object.values(got).reduce((a, b) => a + b, 0);
  const lost = Object.entries(expected).reduce((n, [t, m]) => n + Math.max(0, m - (got[t] ?? 0)), 0);
  return `sandbox read back: ${total} rows, lost ${lost}, duplicated ${duplicates(sandbox).length}`;
}

/** What a case prints: its name, what happened, and the proof. */
export function report(name: string, happened: string, proof: string): void {
  console.log(`[fault] ${name}\n  what happened: ${happened}\n  proof: ${proof}`);
}
