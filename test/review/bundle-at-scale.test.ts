/**
 * Review bundles of a project with two rehearsals of 300,000 holdings each (issue 19): exported
 * and opened as a review copy by `mm` in children whose heap (SMALL_HEAP_MB) is far smaller than
 * the bundle's objects held at once — the reader streams each rehearsal's holdings member to its
 * file. A reader holding every member (as before) dies of heap exhaustion under the same limit.
 * The browser host, in the same heap, serves the bundle as a download as it is made and opens it
 * as an upload from its temporary file (issue 19: no bundle as one string over HTTP).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { maskSecrets } from '../../electron/core/log/mask';
import { holdingAt, projectWithLargeRehearsals } from '../helpers/large-rehearsal';
import { tempDir } from '../helpers/paths';
import { type RunningHost, runChild, runMm, startHost } from '../helpers/processes';

const N = 300_000;
const FIRST = 'r-20261201-080000-abcdef';
const SECOND = 'r-20261201-090000-fedcba';
/** The children's heap: the two rehearsals' objects as values take several times this. */
const SMALL_HEAP_MB = 128;
const smallHeap = { NODE_OPTIONS: `--max-old-space-size=${SMALL_HEAP_MB}` };

/** The browser host started in the small heap (the child takes NODE_OPTIONS from this process). */
async function smallHeapHost(dir: string): Promise<RunningHost> {
  const before = process.env['NODE_OPTIONS'];
  process.env['NODE_OPTIONS'] = smallHeap.NODE_OPTIONS;
  try {
    return await startHost(dir, ['--no-demo']);
  } finally {
    if (before === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = before;
  }
}

let dataDir: string;
let projectId: string;
let bundleFile: string;

beforeAll(async () => {
  ({ dataDir, projectId } = await projectWithLargeRehearsals('Bundle at scale', [
    { id: FIRST, n: N, createdAt: '2026-12-01T08:00:00.000Z' },
    { id: SECOND, n: N, createdAt: '2026-12-01T09:00:00.000Z' },
  ]));
  bundleFile = join(await tempDir('mm-bundle-scale-file-'), 'two-rehearsals.mmreview');
}, 240_000);

describe('a review bundle with two rehearsals of 300,000 holdings each', () => {
  it(`exports and opens as a review copy with mm in a ${SMALL_HEAP_MB} MB heap`, async () => {
    const exported = await runMm(
      ['project', 'export', bundleFile, '--project', projectId, '--data-dir', dataDir],
      smallHeap,
    );
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const size = (await stat(bundleFile)).size;

    const reviewDir = await tempDir('mm-bundle-scale-review-');
    const started = Date.now();
    const opened = await runMm(['project', 'open', bundleFile, '--data-dir', reviewDir], smallHeap);
    const openSeconds = (Date.now() - started) / 1000;
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    console.log(
      `bundle of 2 x ${N} holdings: ${(size / 1048576).toFixed(1)} MB, opened in ${openSeconds.toFixed(1)} s`,
    );

    // The copy holds both rehearsals and every object, masked as the bundle carried them.
    const reviewer = createCore({ dataDir: reviewDir, shell: 'test' });
    const copy = (await reviewer.projects.list()).find((p) => p.name === 'Bundle at scale (review)');
    expect(copy).toBeDefined();
    const copyId = copy?.id ?? '';
    expect((await reviewer.rehearsals.list(copyId)).map((r) => r.id).sort()).toEqual([FIRST, SECOND]);
    for (const id of [FIRST, SECOND]) {
      expect((await reviewer.rehearsals.outcome(copyId, id)).holdingCounts.total).toBe(N);
      let i = 0;
      let bad = 0;
      for await (const part of await reviewer.rehearsals.store.holdings(copyId, id))
        for (const h of part) if (JSON.stringify(h) !== JSON.stringify(maskSecrets(holdingAt(i++)))) bad++;
      expect({ id, count: i, bad }).toEqual({ id, count: N, bad: 0 });
    }
    const page = await reviewer.rehearsals.holdingsPage(copyId, SECOND, {
      kind: 'ftp-user',
      offset: 0,
      limit: 2,
    });
    expect(page.rows).toEqual([maskSecrets(holdingAt(4)), maskSecrets(holdingAt(10))]);
    expect(page.rows[0]?.fields['password']).toBe('***');
  }, 600_000);

  it(`a reader holding every member at once (the reader of before) dies in the same heap`, async () => {
    const child = (mode: string) =>
      runChild(
        process.execPath,
        ['--import', 'tsx', 'test/review/read-bundle-child.ts', bundleFile, mode],
        smallHeap,
      );
    const streamed = await child('check');
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(JSON.parse(streamed.stdout)).toMatchObject({ streamed: 2 });
    const whole = await child('keep');
    expect(whole.code).not.toBe(0);
    expect(whole.stderr).toMatch(/heap out of memory|Allocation failed/);
  }, 600_000);

  it(`the browser host in a ${SMALL_HEAP_MB} MB heap downloads it as it is made and opens it as an upload`, async () => {
    const files = await tempDir('mm-bundle-scale-http-');
    const saved = join(files, 'downloaded.mmreview');
    const engineer = await smallHeapHost(dataDir);
    let chunks = 0;
    try {
      const ticket = await fetch(`${engineer.origin}/api/download/review:export`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mm-secret': engineer.secret },
        body: JSON.stringify({ projectId }),
      });
      const t = (await ticket.json()) as { ok: boolean; value: { token: string } };
      expect(t.ok).toBe(true);
      const got = await new Promise<{ status: number; encoding: string | undefined }>((resolve, reject) => {
        const req = request(
          `${engineer.origin}/api/download/${t.value.token}`,
          { headers: { cookie: `mm-secret-${new URL(engineer.origin).port}=${engineer.secret}` } },
          (res) => {
            res.on('data', () => chunks++);
            pipeline(res, createWriteStream(saved)).then(
              () => resolve({ status: res.statusCode ?? 0, encoding: res.headers['transfer-encoding'] }),
              reject,
            );
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(got).toEqual({ status: 200, encoding: 'chunked' });
    } finally {
      await engineer.stop();
    }
    const size = (await stat(saved)).size;
    expect(chunks).toBeGreaterThan(10);

    const reviewDir = await tempDir('mm-bundle-scale-upload-');
    const reviewer = await smallHeapHost(reviewDir);
    const started = Date.now();
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${reviewer.origin}/api/upload/review:open`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/octet-stream',
              'content-length': String(size),
              'x-mm-secret': reviewer.secret,
              'x-mm-request': encodeURIComponent('{}'),
              'x-mm-file-name': 'downloaded.mmreview',
            },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve(body));
          },
        );
        req.on('error', reject);
        createReadStream(saved).pipe(req);
      });
      expect(JSON.parse(answer)).toMatchObject({
        ok: true,
        value: { picked: true, value: { name: 'Bundle at scale (review)' } },
      });
    } finally {
      await reviewer.stop();
    }
    console.log(
      `over HTTP in a ${SMALL_HEAP_MB} MB heap: downloaded ${(size / 1048576).toFixed(1)} MB in ${chunks} chunks, uploaded and opened in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect((await readdir(reviewDir)).filter((f) => f.startsWith('.upload-'))).toEqual([]);
    const reviewerCore = createCore({ dataDir: reviewDir, shell: 'test' });
    const copy = (await reviewerCore.projects.list()).find((p) => p.name === 'Bundle at scale (review)');
    for (const id of [FIRST, SECOND])
      expect((await reviewerCore.rehearsals.outcome(copy?.id ?? '', id)).holdingCounts.total).toBe(N);
  }, 600_000);
});
