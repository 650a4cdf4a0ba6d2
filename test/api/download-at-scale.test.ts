/**
 * Downloads through the browser host over real HTTP (issue 19): a rehearsal of 300,000 holdings
 * exported as CSV and JSON by the page's way — a call for a one-time token, then a GET with the
 * secret's cookie — arrives as the same bytes `mm rehearsal export` writes, streamed (the host
 * sends it in chunks as it reads holdings.json, no Content-Length of a buffered whole); the GET is
 * refused without the secret, from another Origin or Host, and with a token already used. The
 * desktop app's saveDownload writes the same bytes to the file picked, and nothing when cancelled.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadTicket } from '../../shared/contract';
import type { Result } from '../../shared/result';
import { saveDownload } from '../../electron/api/downloads';
import type { Core } from '../../electron/core/core';
import { type BrowserHost, startBrowserHost } from '../../electron/host/http-server';
import { projectWithLargeRehearsals } from '../helpers/large-rehearsal';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { runMm } from '../helpers/processes';

const N = 300_000;
const RID = 'r-20261201-080000-abcdef';

interface Got {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly size: number;
  readonly sha256: string;
  readonly chunks: number;
  readonly text?: string;
}

/** A GET as a browser's download makes it, hashed as it arrives (the body is not kept). */
function get(port: number, path: string, headers: Record<string, string>): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      const hash = createHash('sha256');
      let size = 0;
      let chunks = 0;
      let small = '';
      res.on('data', (c: Buffer) => {
        hash.update(c);
        size += c.length;
        chunks++;
        if (size < 4096) small += c.toString('utf8');
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          size,
          sha256: hash.digest('hex'),
          chunks,
          ...(size < 4096 ? { text: small } : {}),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function fileDigest(path: string): Promise<{ size: number; sha256: string }> {
  const bytes = await readFile(path);
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

let dataDir: string;
let core: Core;
let host: BrowserHost;
let projectId: string;

beforeAll(async () => {
  ({ dataDir, core, projectId } = await projectWithLargeRehearsals('Download at scale', [{ id: RID, n: N }]));
  host = await startBrowserHost({ core, rendererDir: join(REPO_ROOT, 'out', 'renderer') });
}, 120_000);
afterAll(() => host?.close());

describe('a 300,000-holding rehearsal downloaded through the browser host', () => {
  const cookie = (): string => `mm-secret-${host.port}=${host.secret}`;
  const ticket = async (
    body: unknown,
    secret = host.secret,
  ): Promise<{ status: number; r: Result<DownloadTicket> }> => {
    const res = await fetch(`http://127.0.0.1:${host.port}/api/download/rehearsal:export`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-mm-secret': secret },
      body: JSON.stringify(body),
    });
    return { status: res.status, r: (await res.json()) as Result<DownloadTicket> };
  };
  const token = async (format: 'csv' | 'json'): Promise<string> => {
    const { r } = await ticket({ projectId, format });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.fileName).toBe(`${projectId}-rehearsal-${RID}.${format}`);
    return r.value.token;
  };

  for (const format of ['csv', 'json'] as const) {
    it(`streams the ${format.toUpperCase()} with the bytes of mm rehearsal export`, async () => {
      const out = join(await tempDir('mm-download-cli-'), `export.${format}`);
      const cli = await runMm([
        'rehearsal',
        'export',
        RID,
        '--format',
        format,
        '--out',
        out,
        '--data-dir',
        dataDir,
      ]);
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      const expected = await fileDigest(out);
      // every holding is in it: far more than the old one-string answer was meant to carry
      expect(expected.size).toBeGreaterThan(N * 40);

      const got = await get(host.port, `/api/download/${await token(format)}`, { Cookie: cookie() });
      expect(got.status).toBe(200);
      expect({ size: got.size, sha256: got.sha256 }).toEqual(expected);
      expect(got.headers['content-disposition']).toBe(
        `attachment; filename="${projectId}-rehearsal-${RID}.${format}"; filename*=UTF-8''${projectId}-rehearsal-${RID}.${format}`,
      );
      expect(got.headers['content-type']).toBe(
        `${format === 'csv' ? 'text/csv' : 'application/json'}; charset=utf-8`,
      );
      // sent as it is read (chunked), not as one buffer of a known length
      expect(got.headers['transfer-encoding']).toBe('chunked');
      expect(got.headers['content-length']).toBeUndefined();
      expect(got.chunks).toBeGreaterThan(10);
    }, 300_000);
  }

  it('refuses the download without the secret, from elsewhere, and a token used twice', async () => {
    // the ticket is a call: the secret in its header, as every call
    expect((await ticket({ projectId, format: 'csv' }, 'wrong')).status).toBe(401);
    const bad = await ticket({ projectId, format: 'pdf' });
    expect(bad.status).toBe(400);
    expect(bad.r).toMatchObject({ ok: false, error: { code: 'invalid-input', where: 'format' } });
    const unknown = await ticket({ projectId, id: 'r-nope', format: 'csv' });
    expect(unknown.r.ok).toBe(false);
    const notADownload = await fetch(`http://127.0.0.1:${host.port}/api/download/projects:list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-mm-secret': host.secret },
      body: '{}',
    });
    expect(notADownload.status).toBe(404);

    const t = await token('csv');
    const path = `/api/download/${t}`;
    // no secret, a wrong one, a foreign Origin, a rebound Host, a cross-site fetch: none spends it
    expect((await get(host.port, path, {})).status).toBe(401);
    expect((await get(host.port, path, { Cookie: `mm-secret-${host.port}=nope` })).status).toBe(401);
    expect((await get(host.port, path, { Cookie: cookie(), Origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect(
      (await get(host.port, path, { Cookie: cookie(), Host: `attacker.example:${host.port}` })).status,
    ).toBe(403);
    expect((await get(host.port, path, { Cookie: cookie(), 'Sec-Fetch-Site': 'cross-site' })).status).toBe(
      403,
    );
    // the secret alone, without a token it was given, gets nothing
    expect((await get(host.port, `/api/download/${'A'.repeat(32)}`, { Cookie: cookie() })).status).toBe(404);

    const first = await get(host.port, path, { Cookie: cookie() });
    expect(first.status).toBe(200);
    const second = await get(host.port, path, { Cookie: cookie() });
    expect(second.status).toBe(404);
    expect(second.text).toContain('used already or has expired');
  }, 300_000);

  it('the desktop app writes the same bytes to the file picked, and nothing when cancelled', async () => {
    const dir = await tempDir('mm-download-save-');
    const out = join(dir, 'picked.csv');
    const cli = join(dir, 'cli.csv');
    expect(
      (await runMm(['rehearsal', 'export', RID, '--format', 'csv', '--out', cli, '--data-dir', dataDir]))
        .code,
    ).toBe(0);
    const asked: string[] = [];
    const saved = await saveDownload(core, 'rehearsal:export', { projectId, format: 'csv' }, async (name) => {
      asked.push(name);
      return out;
    });
    expect(saved).toEqual({ ok: true, value: { fileName: 'picked.csv', saved: true } });
    expect(asked).toEqual([`${projectId}-rehearsal-${RID}.csv`]);
    expect(await fileDigest(out)).toEqual(await fileDigest(cli));
    expect((await stat(out)).mode & 0o777).toBe(0o600);

    const cancelled = await saveDownload(
      core,
      'rehearsal:export',
      { projectId, format: 'json' },
      async () => undefined,
    );
    expect(cancelled).toEqual({
      ok: true,
      value: { fileName: `${projectId}-rehearsal-${RID}.json`, saved: false },
    });
    expect((await readdir(dir)).sort()).toEqual(['cli.csv', 'picked.csv']);
    // a request the contract refuses never asks where to save
    const refused = await saveDownload(core, 'projects:list', {}, async () => {
      throw new Error('asked');
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
  }, 300_000);
});
