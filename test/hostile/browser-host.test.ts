/**
 * The browser host behind its secret, under requests a hostile page or a clumsy client sends:
 * foreign origins, a rebound DNS name, a cross-site form post with the secret in the URL, a
 * body larger than a request may be, an upload larger than a review bundle may be. Each is
 * refused and the data dir stays as it was.
 */
import { request } from 'node:http';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { MAX_BUNDLE_BYTES } from '../../electron/core/review/bundle';
import { type BrowserHost, MAX_BODY_BYTES, startBrowserHost } from '../../electron/host/http-server';
import { type Sandbox, hashTree, sandbox } from './untouched';

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** A raw request: fetch would not let a test set Host or Origin freely. */
function send(
  port: number,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer | AsyncIterable<Buffer>;
  },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e),
    );
    const body = options.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else
      void (async () => {
        for await (const chunk of body) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        req.end();
      })().catch(() => undefined);
  });
}

describe('browser host under hostile requests', () => {
  let box: Sandbox;
  let host: BrowserHost;
  let port: number;
  let own: string;
  const create = JSON.stringify({ name: 'Planted' });

  beforeAll(async () => {
    box = await sandbox();
    const renderer = join(box.root, 'renderer');
    await import('node:fs/promises').then((fs) => fs.mkdir(renderer));
    await writeFile(join(renderer, 'index.html'), '<!doctype html><div id="root"></div>');
    host = await startBrowserHost({
      core: createCore({ dataDir: box.dataDir, shell: 'test' }),
      rendererDir: renderer,
    });
    port = host.port;
    own = `127.0.0.1:${port}`;
  });
  afterAll(() => host.close());

  /** Sends and asserts the data dir and its surroundings are unchanged. */
  async function refused(options: Parameters<typeof send>[1]): Promise<Answer> {
    const before = await hashTree(box.root);
    const answer = await send(port, options);
    expect(await hashTree(box.root)).toEqual(before);
    return answer;
  }

  const json = (secret = host.secret) => ({ 'content-type': 'application/json', 'x-mm-secret': secret });

  it('a call with a foreign Origin is refused with 403, secret or not', async () => {
    const a = await refused({
      method: 'POST',
      path: '/api/call/projects:create',
      headers: { ...json(), host: own, origin: 'http://evil.example' },
      body: create,
    });
    expect(a.status).toBe(403);
    expect(JSON.parse(a.body)).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringMatching(/Origin http:\/\/evil\.example/) },
    });
  });

  it('a request with a rebound DNS name in Host is refused with 403 (DNS rebinding)', async () => {
    for (const hostHeader of [
      `evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      '127.0.0.1',
      `localhost:${port + 1}`,
    ]) {
      const a = await refused({
        method: 'POST',
        path: '/api/call/projects:create',
        headers: { ...json(), host: hostHeader },
        body: create,
      });
      expect(a.status, hostHeader).toBe(403);
      const page = await refused({ path: '/', headers: { host: hostHeader } });
      expect(page.status, hostHeader).toBe(403);
    }
  });

  it('a cross-site text/plain POST with the secret in the query string is refused', async () => {
    const a = await refused({
      method: 'POST',
      path: `/api/call/projects:create?secret=${host.secret}`,
      headers: { host: own, 'content-type': 'text/plain' },
      body: create,
    });
    expect(a.status).toBe(401);
    // Even with the secret's header, a form's content type is not a call.
    const b = await refused({
      method: 'POST',
      path: '/api/call/projects:create',
      headers: { host: own, 'content-type': 'text/plain', 'x-mm-secret': host.secret },
      body: create,
    });
    expect(b.status).toBe(415);
    // And a cross-site fetch is refused before the secret is looked at.
    const c = await refused({
      method: 'POST',
      path: '/api/call/projects:create',
      headers: { ...json(), host: own, 'sec-fetch-site': 'cross-site' },
      body: create,
    });
    expect(c.status).toBe(403);
  });

  it('the secret in the query string of an API call or of the event stream is not accepted', async () => {
    const a = await refused({
      method: 'POST',
      path: `/api/call/projects:create?secret=${host.secret}`,
      headers: { host: own, 'content-type': 'application/json' },
      body: create,
    });
    expect(a.status).toBe(401);
    const events = await refused({ path: `/api/events?secret=${host.secret}`, headers: { host: own } });
    expect(events.status).toBe(401);
  });

  it('a body over the per-request limit is refused with 413, declared or streamed', async () => {
    const declared = await refused({
      method: 'POST',
      path: '/api/call/ipmap:import',
      headers: { ...json(), host: own, 'content-length': String(MAX_BODY_BYTES + 1) },
    });
    expect(declared.status).toBe(413);
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    async function* stream(): AsyncGenerator<Buffer> {
      for (let i = 0; i <= MAX_BODY_BYTES / chunk.length; i++) yield chunk;
    }
    const base = process.memoryUsage().rss;
    const streamed = await refused({
      method: 'POST',
      path: '/api/call/ipmap:import',
      headers: { ...json(), host: own, 'transfer-encoding': 'chunked' },
      body: stream(),
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({
      ok: false,
      error: { code: 'too-large', message: expect.stringMatching(/limit 90 MB/) },
    });
    console.log(
      `streamed ${MAX_BODY_BYTES / 1048576 + 1} MB: RSS grew ${((process.memoryUsage().rss - base) / 1048576).toFixed(0)} MB`,
    );
  });

  const octets = (secret = host.secret) => ({
    'content-type': 'application/octet-stream',
    'x-mm-secret': secret,
    'x-mm-request': encodeURIComponent('{}'),
    'x-mm-file-name': 'big.mmreview',
  });

  it("an upload over a bundle's limit is refused with 413 naming the limit, declared or streamed, and leaves nothing", async () => {
    const declared = await refused({
      method: 'POST',
      path: '/api/upload/review:open',
      headers: { ...octets(), host: own, 'content-length': String(MAX_BUNDLE_BYTES + 1) },
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({
      ok: false,
      error: {
        code: 'too-large',
        message: 'big.mmreview is too large (257 MB): a review bundle may be at most 256 MB.',
      },
    });
    const chunk = Buffer.alloc(1024 * 1024, 0x1f);
    async function* stream(): AsyncGenerator<Buffer> {
      for (let i = 0; i <= MAX_BUNDLE_BYTES / chunk.length; i++) yield chunk;
    }
    const base = process.memoryUsage().rss;
    const started = Date.now();
    const streamed = await refused({
      method: 'POST',
      path: '/api/upload/review:open',
      headers: { ...octets(), host: own, 'transfer-encoding': 'chunked' },
      body: stream(),
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({
      ok: false,
      error: {
        code: 'too-large',
        message: 'big.mmreview is too large: a review bundle may be at most 256 MB.',
      },
    });
    console.log(
      `upload streamed past ${MAX_BUNDLE_BYTES / 1048576} MB: refused after ${Date.now() - started} ms, RSS grew ${((process.memoryUsage().rss - base) / 1048576).toFixed(0)} MB`,
    );
  }, 120_000);

  it('a second upload while one is under way is refused with 429; the first still finishes', async () => {
    // the first upload's body arrives slowly: the host is receiving it while the second comes
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    async function* slow(): AsyncGenerator<Buffer> {
      yield Buffer.from('not a bundle, ');
      await held;
      yield Buffer.from('and never one');
    }
    const first = send(port, {
      method: 'POST',
      path: '/api/upload/review:open',
      headers: { ...octets(), host: own, 'transfer-encoding': 'chunked' },
      body: slow(),
    });
    // the first is under way once its temporary file exists
    await expect
      .poll(async () => (await readdir(box.dataDir)).some((f) => f.startsWith('.upload-')))
      .toBe(true);
    const second = await send(port, {
      method: 'POST',
      path: '/api/upload/review:open',
      headers: { ...octets(), host: own, 'content-length': '5' },
      body: 'hello',
    });
    expect(second.status).toBe(429);
    expect(JSON.parse(second.body)).toMatchObject({
      ok: false,
      error: { code: 'busy', message: 'Another upload is under way: send this file when it has finished.' },
    });
    release();
    // the first is read to its end and worked on (not a bundle: refused naming the file)
    const answer = await first;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { where: 'big.mmreview' } });
    expect((await readdir(box.dataDir)).filter((f) => f.startsWith('.upload-'))).toEqual([]);
  });

  it('an upload without the secret, from a foreign Origin or for a rebound Host is refused', async () => {
    const body = Buffer.from('not even a bundle');
    const cases: [string, Record<string, string>, number][] = [
      ['no secret', { ...octets(''), host: own }, 401],
      ['a wrong secret', { ...octets('nope'), host: own }, 401],
      ['a foreign Origin', { ...octets(), host: own, origin: 'http://evil.example' }, 403],
      ['a rebound Host', { ...octets(), host: `evil.example:${port}` }, 403],
      // a cross-site form cannot send a file's raw bytes: its content types are not an upload
      ['a form', { ...octets(), host: own, 'content-type': 'multipart/form-data; boundary=x' }, 415],
    ];
    for (const [what, headers, status] of cases) {
      const answer = await refused({ method: 'POST', path: '/api/upload/review:open', headers, body });
      expect(answer.status, what).toBe(status);
    }
  });

  it('an unknown channel answers 404 and a schema failure 400, each with its Result body', async () => {
    const unknown = await refused({
      method: 'POST',
      path: '/api/call/system:exec',
      headers: { ...json(), host: own },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    const schema = await refused({
      method: 'POST',
      path: '/api/call/projects:create',
      headers: { ...json(), host: own },
      body: JSON.stringify({ name: 'X', admin: true }),
    });
    expect(schema.status).toBe(400);
    expect(JSON.parse(schema.body)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('the first page load sets the secret as an HttpOnly SameSite cookie only for the right secret', async () => {
    const wrong = await refused({ path: '/?secret=nope', headers: { host: own } });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const right = await send(port, {
      path: `/?secret=${host.secret}`,
      headers: { host: `localhost:${port}` },
    });
    expect(right.headers['set-cookie']?.[0]).toBe(
      `mm-secret-${port}=${host.secret}; Path=/api; HttpOnly; SameSite=Strict`,
    );
  });

  it('the same requests from our own origin work (control)', async () => {
    const a = await send(port, {
      method: 'POST',
      path: '/api/call/projects:create',
      headers: { ...json(), host: own, origin: `http://${own}`, 'sec-fetch-site': 'same-origin' },
      body: create,
    });
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body)).toMatchObject({ ok: true, value: { id: 'planted' } });
  });
});
