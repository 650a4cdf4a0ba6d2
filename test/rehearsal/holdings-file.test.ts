/**
 * holdings.json written and read in pieces (issue 19: at 10× it is ~290 MB, past what one
 * string may hold): written line by line into a temporary file put in place only once whole
 * (0600), still one JSON array any reader opens; read back piece by piece, a damaged line
 * refused naming the file and the line only after the pieces before it were handed on; an old
 * holdings.json (the whole array on one line) still reads. Runs on either store (the
 * PostgreSQL one through test/team/on-postgres.ts: the row's body is read in slices there).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RehearsalRecord, TargetHolding } from '../../shared/model/rehearsal';
import {
  openHoldingsWriter,
  readAllHoldings,
  readHoldings,
} from '../../electron/core/rehearsal/holdings-file';
import { CreateCounter, createCounts } from '../../electron/core/rehearsal/outcome';
import { RehearsalStore } from '../../electron/core/rehearsal/rehearsal-store';
import { blobAt } from '../../electron/core/store/file-blob';
import { fileStoreOnly } from '../helpers/file-store-only';
import { tempDir } from '../helpers/paths';

const RID = 'r-20261201-040000-abcdef';

/** n holdings of every kind the counts know, with text that needs escaping (quotes, newlines, UTF-8). */
function holdings(n: number): TargetHolding[] {
  const kinds = ['account', 'domain', 'mailbox', 'dns-record', 'content'] as const;
  return Array.from({ length: n }, (_, i): TargetHolding => {
    const kind = kinds[i % kinds.length] as TargetHolding['kind'];
    return {
      kind,
      key: `${kind} k${i}`,
      name: `name "${i}"\nline two — ü`,
      ...(i % 3 === 0 ? {} : { owner: `owner${i % 97}` }),
      fields:
        kind === 'content'
          ? { files: String(i % 7), bytes: String(i * 10) }
          : kind === 'domain'
            ? { role: i % 2 ? 'domain' : 'subdomain', note: 'a,b]\n[c' }
            : { n: String(i) },
    };
  });
}

async function holdingsFile(): Promise<{ store: RehearsalStore; file: string; projectDir: string }> {
  const projectDir = join(await tempDir('mm-holdings-'), 'projects', 'p');
  const store = new RehearsalStore(() => projectDir);
  return { store, projectDir, file: join(store.dir('p', RID), 'holdings.json') };
}

async function collect(pieces: AsyncIterable<readonly TargetHolding[]>): Promise<TargetHolding[][]> {
  const out: TargetHolding[][] = [];
  for await (const p of pieces) out.push([...p]);
  return out;
}

describe('holdings.json in pieces', () => {
  fileStoreOnly('the temporary file and the mode are the file store’s')(
    'is written piece by piece into a temporary file, put in place (0600) only once whole',
    async () => {
      const { file } = await holdingsFile();
      await blobAt(file).write('["the rehearsal before"]');
      const all = holdings(6_000);
      const writer = await openHoldingsWriter(file);
      const tmpSize = async (): Promise<number> => {
        const dir = join(file, '..');
        const tmp = (await readdir(dir)).filter((n) => n.endsWith('.tmp'));
        expect(tmp).toHaveLength(1);
        return (await stat(join(dir, tmp[0] as string))).size;
      };
      await writer.write(all.slice(0, 2_000));
      const afterFirst = await tmpSize();
      await writer.write(all.slice(2_000));
      const afterSecond = await tmpSize();
      // each piece reached the disk as it came: the file grew by the second piece's bytes
      expect(afterFirst).toBeGreaterThan(0);
      expect(afterSecond).toBeGreaterThan(afterFirst * 1.5);
      // what was in place stays until the whole is written
      expect(await blobAt(file).read()).toBe('["the rehearsal before"]');
      await writer.commit();
      expect(writer.count).toBe(6_000);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await readdir(join(file, '..'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    },
  );

  it('is one JSON array, one holding a line, and reads back in pieces', async () => {
    const { file } = await holdingsFile();
    const all = holdings(40_003);
    const writer = await openHoldingsWriter(file);
    for (let i = 0; i < all.length; i += 7_001) await writer.write(all.slice(i, i + 7_001));
    await writer.commit();
    const text = (await blobAt(file).read()) as string;
    // any JSON reader opens it
    expect(JSON.parse(text)).toEqual(all);
    const lines = text.split('\n');
    expect(lines[0]).toBe('[');
    expect(lines.slice(-2)).toEqual([']', '']);
    expect(lines).toHaveLength(all.length + 3);
    const pieces = await collect((await readHoldings(file)) as AsyncIterable<readonly TargetHolding[]>);
    expect(pieces.length).toBe(Math.ceil(all.length / 2_000));
    expect(Math.max(...pieces.map((p) => p.length))).toBe(2_000);
    expect(pieces.flat()).toEqual(all);
  });

  it('hands on the pieces before a damaged line, then names the file and the line', async () => {
    const { file } = await holdingsFile();
    const all = holdings(5_000);
    const lines = ['[', ...all.map((h, i) => JSON.stringify(h) + (i < all.length - 1 ? ',' : '')), ']', ''];
    lines[4_501] = '{"kind":"account","key":'; // the 4,501st holding, cut short
    await blobAt(file).write(lines.join('\n'));
    const got: TargetHolding[] = [];
    let error: unknown;
    try {
      for await (const p of (await readHoldings(file)) as AsyncIterable<readonly TargetHolding[]>)
        got.push(...p);
    } catch (e) {
      error = e;
    }
    expect(got).toEqual(all.slice(0, 4_000));
    expect(String(error)).toContain(file);
    expect(String(error)).toContain('line 4502 is not JSON');
  });

  it('reads a holdings.json of before (the whole array on one line)', async () => {
    const { store, file } = await holdingsFile();
    const all = holdings(4_500);
    await blobAt(file).write(JSON.stringify(all));
    const pieces = await collect((await readHoldings(file)) as AsyncIterable<readonly TargetHolding[]>);
    expect(pieces.map((p) => p.length)).toEqual([2_000, 2_000, 500]);
    expect(pieces.flat()).toEqual(all);
    // through the store, as `mm rehearsal show` reads it
    const record: RehearsalRecord = {
      id: RID,
      projectId: 'p',
      createdAt: '2026-12-01T04:00:00.000Z',
      author: 'engineer',
      state: 'done',
      fingerprint: 'f'.repeat(64),
      content: true,
    };
    await store.save(record);
    expect((await collect(await store.holdings('p', RID))).flat()).toEqual(all);
    // a record of before has no counts: they are counted from the file
    expect((await store.outcome('p', RID)).holdingCounts).toEqual({
      total: all.length,
      kinds: { account: 900, domain: 900, mailbox: 900, 'dns-record': 900, content: 900 },
    });
  });

  it('is saved by the store from pieces as they come, counted on their way', async () => {
    const { store, file } = await holdingsFile();
    const all = holdings(9_999);
    async function* fromTarget(): AsyncGenerator<readonly TargetHolding[]> {
      for (let i = 0; i < all.length; i += 2_000) yield all.slice(i, i + 2_000);
    }
    const counter = new CreateCounter();
    const written = await store.saveHoldings('p', RID, fromTarget(), (part) => counter.add(part));
    expect(written).toBe(all.length);
    expect(counter.counts()).toEqual(createCounts(all));
    expect(counter.counts()).toMatchObject({ accounts: 2_000, mailboxes: 2_000, domains: 1_000 });
    expect(await readAllHoldings(file)).toEqual(all);
  });

  it('keeps the file in place when a write is given up, and reads none as none', async () => {
    const { store, file } = await holdingsFile();
    expect(await readHoldings(file)).toBeUndefined();
    await store.saveHoldings('p', RID, [[]]);
    expect(await blobAt(file).read()).toBe('[\n]\n');
    expect(await readAllHoldings(file)).toEqual([]);
    async function* failing(): AsyncGenerator<readonly TargetHolding[]> {
      yield holdings(10);
      throw new Error('the sandbox process ended');
    }
    await expect(store.saveHoldings('p', RID, failing())).rejects.toThrow('the sandbox process ended');
    expect(await readAllHoldings(file)).toEqual([]);
  });

  it('refuses a file cut short, naming it', async () => {
    const { file } = await holdingsFile();
    await blobAt(file).write(`[\n${JSON.stringify(holdings(1)[0])},\n`);
    await expect(readAllHoldings(file)).rejects.toThrow(`${file} is not a holdings file`);
    await blobAt(file).write(`[\n${JSON.stringify(holdings(1)[0])}\n`);
    await expect(readAllHoldings(file)).rejects.toThrow('it ends before its closing bracket');
    await blobAt(file).write('');
    await expect(readAllHoldings(file)).rejects.toThrow('it is empty');
  });
});
