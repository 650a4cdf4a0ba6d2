/**
 * A page of a rehearsal's holdings from holdings.json and its index (issue 19: ~2 million
 * holdings at 10×, a page asked on every click) is the page the plain scan of the same file
 * gives, for every kind, search, offset and limit tried: names with quotes, backslashes, control
 * characters, non-ASCII, a letter whose lower case is longer (İ), sigmas, a lone surrogate, a
 * field that reads like a kind. A page without a search reads only its own lines (a damaged line
 * elsewhere does not disturb it); a file without an index, with a damaged one or with one of
 * another file still answers by the scan, which writes the index again; a holdings.json of
 * before (one line) still answers. Runs on either store (the PostgreSQL one through
 * test/team/on-postgres.ts: the row's body read in slices there).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  HOLDING_KINDS,
  type HoldingKind,
  type HoldingsPage,
  type HoldingsQuery,
  type TargetHolding,
} from '../../shared/model/rehearsal';
import { openHoldingsWriter, readHoldings } from '../../electron/core/rehearsal/holdings-file';
import { indexFileOf } from '../../electron/core/rehearsal/holdings-index';
import { type PagedHoldings, pageByScan } from '../../electron/core/rehearsal/holdings-query';
import { blobAt } from '../../electron/core/store/file-blob';
import { tempDir } from '../helpers/paths';

const N = 12_345;
/** Names that need escaping in JSON, or whose lower case is not simple. */
const ODD_NAMES = [
  'Quote "q" here',
  'Back\\slash\\path',
  'Tab\there, line\ntwo',
  'Ctrl \u0001 char',
  'Grüße aus KÖLN',
  '東京の顧客',
  'smile 🙂 ok',
  'İstanbul Ofis',
  'ΟΔΥΣΣΕΥΣ',
  'lone \ud83d half',
  'UPPER CASE Name',
  '"kind":"mailbox"',
];

const KIND_CYCLE: readonly HoldingKind[] = [
  'dns-record',
  'dns-record',
  'mailbox',
  'domain',
  'account',
  'mailbox',
  'forward',
];

/**
 * The i-th holding: kinds in uneven numbers (one kind only 3 times, several never), an odd name
 * every 7th, no owner every 5th, and a field named "kind" reading "mailbox" on other kinds.
 */
function holdingAt(i: number): TargetHolding {
  const kind: HoldingKind =
    i === 17 || i === 5_000 || i === N - 2 ? 'balance' : (KIND_CYCLE[i % KIND_CYCLE.length] as HoldingKind);
  const odd = ODD_NAMES[Math.floor(i / 7) % ODD_NAMES.length] as string;
  return {
    kind,
    key: `${kind} k${i}`,
    name: i % 7 === 3 ? `${odd} #${i}` : `name-${i}.example`,
    ...(i % 5 === 0 ? {} : { owner: i % 11 === 0 ? `Ünïcode Owner ${i % 13}` : `Owner ${i % 97} GmbH` }),
    fields: i % 9 === 0 ? { kind: 'mailbox', note: 'a,b]\n[c' } : { n: String(i) },
  };
}

let dir: string;
let file: string;

async function writeHoldings(at: string, n: number): Promise<void> {
  const writer = await openHoldingsWriter(at);
  for (let i = 0; i < n; i += 1_777)
    await writer.write(Array.from({ length: Math.min(1_777, n - i) }, (_, j) => holdingAt(i + j)));
  await writer.commit();
}

async function source(at = file): Promise<PagedHoldings> {
  const s = await readHoldings(at);
  if (!s) throw new Error(`no ${at}`);
  return s;
}

/** Every match of a kind and search, by the plain scan: one pass parsing every line. */
async function scanned(at: string, kind: HoldingKind | undefined, search: string): Promise<HoldingsPage> {
  return pageByScan(await source(at), { kind, search, offset: 0, limit: Number.MAX_SAFE_INTEGER });
}

/** The page the scan's matches give for an offset and limit. */
function slice(all: HoldingsPage, offset: number, limit: number): HoldingsPage {
  return { rows: all.rows.slice(offset, offset + limit), matched: all.matched, total: all.total };
}

/** Offsets at and around the noted lines, the last match, and past the end. */
function offsetsFor(matched: number): number[] {
  const near = [
    0,
    1,
    2,
    999,
    1_000,
    1_001,
    1_999,
    2_000,
    4_321,
    matched - 1_000,
    matched - 1,
    matched,
    matched + 5,
  ];
  return [...new Set([...near, 1_000_000_000])].filter((o) => o >= 0);
}
const LIMITS = [1, 7, 500, 1_000];

beforeAll(async () => {
  dir = join(await tempDir('mm-holdings-pages-'), 'projects', 'p', 'rehearsals', 'r-20261202-020000-abcdef');
  file = join(dir, 'holdings.json');
  await writeHoldings(file, N);
}, 60_000);

describe('pages of holdings.json by its index', () => {
  it('is written with the file: its counts are the file’s', async () => {
    const index = JSON.parse((await blobAt(indexFileOf(file)).read()) as string) as {
      counts: { total: number; kinds: Record<string, number> };
    };
    const all = await scanned(file, undefined, '');
    expect(index.counts.total).toBe(N);
    const kinds: Record<string, number> = {};
    for (const h of all.rows) kinds[h.kind] = (kinds[h.kind] ?? 0) + 1;
    expect(index.counts.kinds).toEqual(kinds);
    expect(kinds.balance).toBe(3);
  });

  it('gives the scan’s page for every kind (none, each, absent), offset and limit without a search', async () => {
    const s = await source();
    let pages = 0;
    for (const kind of [undefined, ...HOLDING_KINDS]) {
      const all = await scanned(file, kind, '');
      for (const offset of offsetsFor(all.matched))
        for (const limit of LIMITS) {
          expect(await s.page({ kind, offset, limit }), `${kind} ${offset} ${limit}`).toEqual(
            slice(all, offset, limit),
          );
          pages++;
        }
    }
    expect(pages).toBeGreaterThan(500);
  });

  it('gives the scan’s page for searches of every sort (escapes, case, non-ASCII, none found)', async () => {
    const s = await source();
    const searches = [
      'name-1',
      'NAME-12',
      '  GmbH  ',
      '"q"',
      'quote "q',
      '\\',
      'back\\slash',
      'e, line\ntwo',
      '\t',
      '\u0001',
      'grüße',
      'KÖLN',
      'ünïcode',
      '東京',
      '🙂',
      'i̇stanbul', // the lower case of İstanbul, one character longer
      'istanbul',
      'σσ',
      'οδυσσευς',
      'ΟΔΥΣΣΕΥΣ',
      '\ud83d',
      '"kind":"mailbox"',
      'kind',
      'mailbox',
      ',',
      ']',
      'nothing-of-the-sort',
    ];
    const kinds: (HoldingKind | undefined)[] = [undefined, 'mailbox', 'balance'];
    let found = 0;
    for (const search of searches)
      for (const kind of kinds) {
        const all = await scanned(file, kind, search);
        found += all.matched;
        for (const offset of new Set([0, 999, Math.max(0, all.matched - 1), all.matched]))
          for (const limit of [1, 1_000]) {
            const query: HoldingsQuery = { kind, search, offset, limit };
            expect(await s.page(query), JSON.stringify(query)).toEqual(slice(all, offset, limit));
          }
      }
    // an absent kind with a search
    expect(await s.page({ kind: 'pay-tool', search: 'name', offset: 0, limit: 10 })).toEqual({
      rows: [],
      matched: 0,
      total: N,
    });
    // the searches find something (most of them), and the odd names are found by their odd parts
    expect(found).toBeGreaterThan(N);
    expect((await s.page({ search: 'KÖLN', offset: 0, limit: 1_000 })).matched).toBeGreaterThan(50);
    expect((await s.page({ search: '"q"', offset: 0, limit: 1_000 })).matched).toBeGreaterThan(50);
    expect((await s.page({ search: 'e, line\ntwo', offset: 0, limit: 1_000 })).matched).toBeGreaterThan(50);
    expect((await s.page({ search: 'i̇stanbul', offset: 0, limit: 1_000 })).matched).toBeGreaterThan(50);
  }, 240_000);

  it('reads only the page’s lines without a search: a damaged line elsewhere is not read', async () => {
    const damagedDir = join(dir, '..', 'r-20261202-020001-abcdef');
    const damaged = join(damagedDir, 'holdings.json');
    await writeHoldings(damaged, N);
    const text = (await blobAt(damaged).read()) as string;
    const lines = text.split('\n');
    // the line of holding 6,000 (line 6,002 of the file) made garbage of the same length: the index still fits
    const at = 6_001;
    lines[at] = `${'#'.repeat((lines[at] as string).length - 1)},`;
    await blobAt(damaged).write(lines.join('\n'));
    const index = await blobAt(indexFileOf(damaged)).read();
    const s = await source(damaged);
    const first = await s.page({ offset: 0, limit: 1_000 });
    expect(first.rows.map((h) => h.key)).toEqual(Array.from({ length: 1_000 }, (_, i) => holdingAt(i).key));
    const late = await s.page({ offset: N - 500, limit: 500 });
    expect(late.rows.map((h) => h.key)).toEqual(
      Array.from({ length: 500 }, (_, i) => holdingAt(N - 500 + i).key),
    );
    // the page holding it names the file and where the line starts
    const bytesBefore = Buffer.byteLength(`${lines.slice(0, at).join('\n')}\n`);
    await expect(s.page({ offset: 5_500, limit: 1_000 })).rejects.toThrow(
      `${damaged} is not a holdings file (the line at byte ${bytesBefore} is not JSON)`,
    );
    // a search parses every line that may hold it (this one may), the scan every line, naming its number
    await expect(s.page({ search: '#', offset: 0, limit: 10 })).rejects.toThrow(
      `${damaged} is not a holdings file`,
    );
    await expect(pageByScan(s, { offset: 0, limit: 10 })).rejects.toThrow(`line ${at + 1} is not JSON`);
    // nothing was written in the way
    expect(await blobAt(indexFileOf(damaged)).read()).toBe(index);
  });

  it('answers without an index (a rehearsal of before) by the scan, and writes the index for the next pages', async () => {
    const before = join(dir, '..', 'r-20261202-020002-abcdef', 'holdings.json');
    await writeHoldings(before, 4_321);
    const written = await blobAt(indexFileOf(before)).read();
    await blobAt(indexFileOf(before)).remove();
    const query: HoldingsQuery = { kind: 'mailbox', offset: 300, limit: 500 };
    const expected = slice(await scanned(before, 'mailbox', ''), 300, 500);
    expect(await (await source(before)).page(query)).toEqual(expected);
    // the scan wrote the index the writer writes
    expect(await blobAt(indexFileOf(before)).read()).toBe(written);
    expect(await (await source(before)).page(query)).toEqual(expected);
  });

  it('does not use an index that is damaged or of another file, and writes it again', async () => {
    const other = join(dir, '..', 'r-20261202-020003-abcdef', 'holdings.json');
    await writeHoldings(other, 3_000);
    const good = await blobAt(indexFileOf(other)).read();
    const query: HoldingsQuery = { offset: 2_500, limit: 1_000 };
    const expected = slice(await scanned(other, undefined, ''), 2_500, 1_000);
    for (const bad of [
      '{"version":1,',
      '[]',
      good?.replace('"size":', '"size":1'),
      good?.replace(/"at":\[0,/, '"at":[5,'),
    ]) {
      await blobAt(indexFileOf(other)).write(bad as string);
      expect(await (await source(other)).page(query)).toEqual(expected);
      expect(await blobAt(indexFileOf(other)).read()).toBe(good);
    }
    // the index of a file written over by other means (another size) is not used either
    await blobAt(indexFileOf(other)).write(good as string);
    const shorter = (await blobAt(other).read())?.replace(/,\n[^\n]*\n\]\n$/, '\n]\n') as string;
    await blobAt(other).write(shorter);
    expect(await (await source(other)).page({ offset: 0, limit: 1_000 })).toEqual(
      slice(await scanned(other, undefined, ''), 0, 1_000),
    );
    expect((await (await source(other)).page({ offset: 0, limit: 1 })).total).toBe(2_999);
  });

  it('answers from a holdings.json of before (the whole array on one line), as before', async () => {
    const old = join(dir, '..', 'r-20261202-020004-abcdef', 'holdings.json');
    const all = Array.from({ length: 2_345 }, (_, i) => holdingAt(i));
    await blobAt(old).write(JSON.stringify(all));
    const page = await (await source(old)).page({ search: 'grüße', offset: 3, limit: 20 });
    const expected = all.filter(
      (h) => h.name.toLowerCase().includes('grüße') || (h.owner ?? '').toLowerCase().includes('grüße'),
    );
    expect(page).toEqual({ rows: expected.slice(3, 23), matched: expected.length, total: all.length });
    expect(await blobAt(indexFileOf(old)).read()).toBeUndefined();
  });
});
