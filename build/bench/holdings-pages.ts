/**
 * How long a page of a rehearsal's holdings takes (`rehearsal:holdings`, what the Migration
 * page's HoldingsTable asks on every click and keystroke) on a holdings.json of N holdings
 * written by the store's own writer: page 0, a late page, a kind filter (a late page of it) and
 * two searches (a rare one and a broad one), each asked `rounds` times, the median wall and CPU time
 * reported;
 * then, its index removed (a rehearsal of before), the first page (which writes it) and the next.
 *
 *   node --import tsx build/bench/holdings-pages.ts <holdings, e.g. 300000> [rounds, default 5]
 *
 * The mix of kinds is a hosting migration's: DNS records most, then mailboxes and domains.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HoldingKind, HoldingsQuery, TargetHolding } from '../../shared/model/rehearsal';
import { openHoldingsWriter, readHoldings } from '../../electron/core/rehearsal/holdings-file';
import { pageOfHoldings } from '../../electron/core/rehearsal/holdings-query';

const n = Number(process.argv[2] ?? 300_000);
const rounds = Number(process.argv[3] ?? 5);

/** Of every 20 holdings: 9 DNS records, 4 mailboxes, 2 domains, 1 of each of five other kinds. */
const MIX: readonly HoldingKind[] = [
  ...Array<HoldingKind>(9).fill('dns-record'),
  ...Array<HoldingKind>(4).fill('mailbox'),
  ...Array<HoldingKind>(2).fill('domain'),
  'account',
  'subscription',
  'ftp-user',
  'database',
  'content',
];

function holdingAt(i: number): TargetHolding {
  const kind = MIX[i % MIX.length] as HoldingKind;
  const domain = `customer-${Math.floor(i / 20)}.example`;
  return {
    kind,
    key: `${kind} ${domain} ${i}`,
    name: kind === 'mailbox' ? `user${i}@${domain}` : kind === 'dns-record' ? `www${i}.${domain} A` : domain,
    owner: `Customer ${Math.floor(i / 20)} GmbH`,
    fields:
      kind === 'dns-record'
        ? { type: 'A', value: `10.0.${i % 250}.${i % 199}`, ttl: '3600' }
        : { plan: 'Basic' },
  };
}

async function write(file: string): Promise<void> {
  const writer = await openHoldingsWriter(file);
  for (let i = 0; i < n; i += 2_000)
    await writer.write(Array.from({ length: Math.min(2_000, n - i) }, (_, j) => holdingAt(i + j)));
  await writer.commit();
}

/** The median wall time and the median CPU time (user + system: load stretches it far less) of a page. */
async function timed(
  file: string,
  query: HoldingsQuery,
): Promise<{ ms: number; cpuMs: number; matched: number; rows: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let last = { matched: 0, rows: 0 };
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const page = await pageOfHoldings(
      (await readHoldings(file)) as AsyncIterable<readonly TargetHolding[]>,
      query,
    );
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
    last = { matched: page.matched, rows: page.rows.length };
  }
  const median = (v: number[]): number => v.sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;
  return { ms: median(times), cpuMs: median(cpu), ...last };
}

const dir = await mkdtemp(join(tmpdir(), 'mm-holdings-pages-'));
try {
  const file = join(dir, 'holdings.json');
  const w0 = performance.now();
  await write(file);
  const size = (await stat(file)).size;
  console.log(
    `${n} holdings, ${(size / 2 ** 20).toFixed(0)} MB, written in ${((performance.now() - w0) / 1000).toFixed(1)} s`,
  );
  const queries: [string, HoldingsQuery][] = [
    ['page 0', { offset: 0, limit: 500 }],
    ['late page', { offset: n - 1_000, limit: 500 }],
    ['kind, late page', { kind: 'mailbox', offset: Math.floor((n / 5) * 0.9), limit: 500 }],
    ['search (rare)', { search: `customer-${Math.floor(n / 40)}.`, offset: 0, limit: 500 }],
    ['search (broad)', { search: 'gmbh', offset: 500, limit: 500 }],
  ];
  for (const [label, query] of queries) {
    const r = await timed(file, query);
    console.log(
      `${label.padEnd(16)} ${r.ms.toFixed(0).padStart(6)} ms wall ${r.cpuMs.toFixed(0).padStart(6)} ms CPU  (matched ${r.matched}, rows ${r.rows})`,
    );
  }
  // a rehearsal of before: no index beside its holdings.json; the first page scans and writes it
  const index = join(dir, 'holdings.index.json');
  if (await stat(index).catch(() => undefined)) {
    await rm(index);
    const t0 = performance.now();
    await pageOfHoldings((await readHoldings(file)) as AsyncIterable<readonly TargetHolding[]>, {
      offset: n - 1_000,
      limit: 500,
    });
    const first = performance.now() - t0;
    const next = await timed(file, { offset: n - 1_000, limit: 500 });
    console.log(`no index: first page ${first.toFixed(0)} ms (writes it), the next ${next.ms.toFixed(0)} ms`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
