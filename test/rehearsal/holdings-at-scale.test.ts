/**
 * A rehearsal's holdings are never loaded whole (issue 19): 300,000 holdings written with the
 * store's writer into a real project, then read the ways the product reads them — a page at a
 * time through the core (filters, offsets, counts), `mm rehearsal show --json` in a child whose
 * heap is far smaller than what the whole would take (the old code, which built one array and one
 * string, runs out of memory there), and a review bundle whose rehearsal holdings are members of
 * their own, masked, that opens as a review copy; a bundle of before (holdings inside
 * rehearsals.json) still opens and reads.
 */
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOLDINGS_PAGE_MAX, type RehearsalRecord, type TargetHolding } from '../../shared/model/rehearsal';
import { type Core, createCore } from '../../electron/core/core';
import { maskSecrets } from '../../electron/core/log/mask';
import { BUNDLE_FORMAT, readBundle } from '../../electron/core/review/bundle';
import {
  HOLDING_KINDS_MADE,
  generated,
  holdingAt,
  projectWithLargeRehearsals,
} from '../helpers/large-rehearsal';
import { REPO_ROOT, tempDir } from '../helpers/paths';

const N = 300_000;
const RID = 'r-20261201-080000-abcdef';
const KINDS = HOLDING_KINDS_MADE;
/** The CLI's heap in the show test: the whole as one array and one string takes several times this. */
const SMALL_HEAP_MB = 96;

/** How many of the holdings differ from holdingAt (by their JSON), and how many there are. */
function mismatches(holdings: readonly unknown[]): { count: number; bad: number } {
  let bad = 0;
  holdings.forEach((h, i) => {
    if (JSON.stringify(h) !== JSON.stringify(holdingAt(i))) bad++;
  });
  return { count: holdings.length, bad };
}

/** `mm` in a child with a heap of SMALL_HEAP_MB; its output decoded whole (a UTF-8 character may span two chunks). */
function smallHeapMm(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['electron/cli/mm.mjs', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: `--max-old-space-size=${SMALL_HEAP_MB}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

let dataDir: string;
let core: Core;
let projectId: string;

beforeAll(async () => {
  ({ dataDir, core, projectId } = await projectWithLargeRehearsals('Holdings at scale', [{ id: RID, n: N }]));
}, 120_000);

describe('a rehearsal of 300,000 holdings', () => {
  it('is shown with its counts per kind, its objects a page at a time, filtered by the core', async () => {
    const shown = await core.rehearsals.outcome(projectId, RID);
    expect(shown).not.toHaveProperty('holdings');
    expect(shown.holdingCounts).toEqual({
      total: N,
      kinds: Object.fromEntries(KINDS.map((k) => [k, N / KINDS.length])),
    });

    const first = await core.rehearsals.holdingsPage(projectId, RID, { offset: 0, limit: HOLDINGS_PAGE_MAX });
    expect([first.matched, first.total]).toEqual([N, N]);
    expect(mismatches(first.rows)).toEqual({ count: HOLDINGS_PAGE_MAX, bad: 0 });
    const last = await core.rehearsals.holdingsPage(projectId, RID, { offset: N - 300, limit: 1_000 });
    expect(last.rows.map((h) => h.key)).toEqual(
      Array.from({ length: 300 }, (_, j) => holdingAt(N - 300 + j).key),
    );

    // one kind, from an offset: the mailboxes are every 6th holding from the 3rd
    const mailboxes = await core.rehearsals.holdingsPage(projectId, RID, {
      kind: 'mailbox',
      offset: 10_000,
      limit: 5,
    });
    expect([mailboxes.matched, mailboxes.total]).toEqual([N / 6, N]);
    expect(mailboxes.rows.map((h) => h.key)).toEqual(
      [0, 1, 2, 3, 4].map((j) => `mailbox k${2 + 6 * (10_000 + j)}`),
    );

    // the search: in the name or the owner, any case
    const owned = await core.rehearsals.holdingsPage(projectId, RID, {
      search: '  owner42 ',
      offset: 0,
      limit: 1_000,
    });
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 !== 0 && i % 97 === 42);
    expect(owned.matched).toBe(expected.length);
    expect(owned.rows.map((h) => h.key)).toEqual(expected.slice(0, 1_000).map((i) => holdingAt(i).key));
    const named = await core.rehearsals.holdingsPage(projectId, RID, {
      kind: 'domain',
      search: 'NAME-12345 "Q"',
      offset: 0,
      limit: 10,
    });
    expect(named).toEqual({ rows: [], matched: 0, total: N }); // 12345 is an ftp-user
    const one = await core.rehearsals.holdingsPage(projectId, RID, {
      search: 'NAME-12345 "Q"',
      offset: 0,
      limit: 10,
    });
    expect(one.rows).toEqual([holdingAt(12_345)]);

    await expect(
      core.rehearsals.holdingsPage(projectId, RID, { offset: 0, limit: HOLDINGS_PAGE_MAX + 1 }),
    ).rejects.toThrow(`A page of holdings is 1 to ${HOLDINGS_PAGE_MAX} objects`);
  }, 120_000);

  it(`mm rehearsal show --json writes every holding in pieces, in a ${SMALL_HEAP_MB} MB heap`, async () => {
    const r = await smallHeapMm(['rehearsal', 'show', RID, '--json', '--data-dir', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // the output is far larger than the heap it was written from
    expect(r.stdout.length).toBeGreaterThan(SMALL_HEAP_MB * 2 ** 20 * 0.3);
    const shown = JSON.parse(r.stdout) as RehearsalRecord & { holdings: unknown[] };
    expect(shown).toMatchObject({ id: RID, state: 'done', holdingCounts: { total: N } });
    expect(mismatches(shown.holdings)).toEqual({ count: N, bad: 0 });

    // as text: the record, the counts per kind, the objects (here the first 5)
    const text = await smallHeapMm(['rehearsal', 'show', RID, '--limit', '5', '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${N} objects in the rehearsal sandbox:`);
    expect(text.stdout).toMatch(/\nmailbox +50000\n/);
    expect(text.stdout).toContain('name-4 "q" ü');
    expect(text.stdout).not.toContain('name-5 "q" ü');
    expect(text.stdout).toContain(`… ${N - 5} more objects`);
  }, 300_000);

  it('goes into a review bundle as a member of its own, masked, and opens in the review copy', async () => {
    const { bytes } = await core.review.exportBundle(projectId);
    const bundle = await readBundle(bytes, 'scale.mmreview', { holdings: 'keep' });
    const carried = bundle.files['rehearsals/rehearsals.json'] as {
      json: { rehearsals: Record<string, unknown>[] };
    };
    expect(carried.json.rehearsals.map((r) => r['id'])).toEqual([RID]);
    expect(carried.json.rehearsals[0]).not.toHaveProperty('holdings');
    const member = bundle.files[`rehearsals/${RID}/holdings.json`] as { json: TargetHolding[] };
    expect(member.json).toHaveLength(N);
    let bad = 0;
    member.json.forEach((h, i) => {
      if (JSON.stringify(h) !== JSON.stringify(maskSecrets(holdingAt(i)))) bad++;
    });
    expect(bad).toBe(0);
    // the FTP passwords are masked, the rest as the file holds it
    expect(member.json[4]?.fields).toEqual({ login: 'ftp4', password: '***' });
    expect(member.json.filter((h) => h.kind === 'ftp-user' && h.fields['password'] !== '***')).toEqual([]);
    const report = bundle.files['reports/rehearsal-report.json'] as { json: { html: string; csv: string } };
    expect(report.json.html).toContain(`The first 1000 of ${N} objects are listed here`);
    expect(report.json.html).toContain(`rehearsals/${RID}/holdings.json of this bundle`);

    // a reviewer opens it: the rehearsal and its objects are there, read a page at a time
    const reviewer = createCore({ dataDir: await tempDir('mm-holdings-reviewer-'), shell: 'test' });
    const copy = await reviewer.review.openBundle(bytes, 'scale.mmreview');
    expect((await reviewer.rehearsals.list(copy.id)).map((r) => r.id)).toEqual([RID]);
    expect((await reviewer.rehearsals.outcome(copy.id, RID)).holdingCounts.total).toBe(N);
    const page = await reviewer.rehearsals.holdingsPage(copy.id, RID, { offset: 4, limit: 2 });
    expect(page.rows).toEqual([maskSecrets(holdingAt(4)), maskSecrets(holdingAt(5))]);
    expect(page.total).toBe(N);
  }, 300_000);

  it('a bundle of before, with the holdings inside rehearsals.json, still opens and reads', async () => {
    const holdings = [...generated(2_500)].flat();
    const record = (await core.rehearsals.store.get(projectId, RID)) as RehearsalRecord;
    const { holdingCounts: _counts, ...before } = record;
    const old = {
      format: BUNDLE_FORMAT,
      formatVersion: 1,
      exportedAt: '2026-11-30T10:00:00.000Z',
      exportedBy: 'engineer',
      project: { id: 'old-project', name: 'Old project' },
      files: {
        'project.json': {
          json: {
            schemaVersion: 1,
            name: 'Old project',
            createdAt: '2026-11-30T09:00:00.000Z',
            updatedAt: '2026-11-30T09:00:00.000Z',
          },
        },
        'rehearsals/rehearsals.json': {
          json: { rehearsals: [{ ...before, holdings }], signoffs: [] },
        },
      },
    };
    const reviewer = createCore({ dataDir: await tempDir('mm-holdings-old-bundle-'), shell: 'test' });
    const copy = await reviewer.review.openBundle(gzipSync(JSON.stringify(old)), 'old.mmreview');
    expect((await reviewer.rehearsals.list(copy.id)).map((r) => r.id)).toEqual([RID]);
    const shown = await reviewer.rehearsals.outcome(copy.id, RID);
    expect(shown).not.toHaveProperty('holdings');
    expect(shown.holdingCounts.total).toBe(2_500);
    const page = await reviewer.rehearsals.holdingsPage(copy.id, RID, {
      kind: 'content',
      offset: 1,
      limit: 2,
    });
    expect(page).toEqual({ rows: [holdingAt(11), holdingAt(17)], matched: 416, total: 2_500 });
  }, 120_000);
});
