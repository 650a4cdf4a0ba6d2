import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { join } from 'node:path';
import { createCore } from '../../electron/core/core';
import { type BrowserHost, startBrowserHost } from '../../electron/host/http-server';
import { REPO_ROOT, tempDir } from '../helpers/paths';

/** A GET with the path sent exactly as given (fetch would normalise "/../" away first). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser host', () => {
  let host: BrowserHost;
  beforeAll(async () => {
    const core = createCore({ dataDir: await tempDir(), shell: 'test' });
    host = await startBrowserHost({ core, rendererDir: join(REPO_ROOT, 'out', 'renderer') });
  });
  afterAll(() => host.close());

  const call = (channel: string, body: unknown, secret?: string) =>
    fetch(`http://127.0.0.1:${host.port}/api/call/${channel}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(secret === undefined ? {} : { 'x-mm-secret': secret }),
      },
      body: JSON.stringify(body),
    });

  it('listens on 127.0.0.1 and prints a URL carrying the secret', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?secret=/);
    expect(host.url).toContain(host.secret);
    expect(host.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses every API request without the secret', async () => {
    expect((await call('projects:list', {})).status).toBe(401);
    expect((await call('projects:list', {}, 'wrong')).status).toBe(401);
    expect((await call('projects:list', {}, `${host.secret}x`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${host.port}/api/events`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${host.port}/api/events?secret=nope`)).status).toBe(401);
  });

  it('serves the contract to a caller with the secret', async () => {
    const created = await (await call('projects:create', { name: 'Alpha' }, host.secret)).json();
    expect(created).toMatchObject({ ok: true, value: { id: 'alpha', name: 'Alpha' } });
    const listed = await (await call('projects:list', {}, host.secret)).json();
    expect(listed).toMatchObject({ ok: true, value: [{ id: 'alpha' }] });
  });

  it('answers bad input with an error naming the field, and unknown calls by name', async () => {
    const badRes = await call('projects:create', { name: '' }, host.secret);
    expect(badRes.status).toBe(400);
    expect(await badRes.json()).toMatchObject({ ok: false, error: { code: 'invalid-input', where: 'name' } });
    const extra = await (await call('projects:create', { name: 'B', admin: true }, host.secret)).json();
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const unknownRes = await call('system:exec', {}, host.secret);
    expect(unknownRes.status).toBe(404);
    expect(await unknownRes.json()).toMatchObject({
      ok: false,
      error: { code: 'unknown-call', where: 'system:exec' },
    });
  });

  it('pushes core events over server-sent events, authorised by the cookie the page load sets', async () => {
    const page = await fetch(`http://127.0.0.1:${host.port}/?secret=${host.secret}`);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toBe(`mm-secret-${host.port}=${host.secret}`);
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${host.port}/api/events`, {
      signal: controller.signal,
      headers: { cookie },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    await call('projects:create', { name: 'Evented' }, host.secret);
    let text = '';
    while (!text.includes('evented')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: projects:changed');
    controller.abort();
  });

  it('serves the renderer with a strict CSP and refuses paths outside it', async () => {
    const index = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(index.status).toBe(200);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    // Encoded separators reach the file lookup as "../": refused with 403, nothing served.
    for (const path of [
      '/..%2f..%2fpackage.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/%2e%2e%2fpackage.json',
    ]) {
      const traversal = await rawGet(host.port, path);
      expect(traversal.status, path).toBe(403);
      expect(traversal.body, path).toBe('');
    }
    // Plain dot segments are resolved by the URL parser inside the root: the app's page, no file above it.
    const indexHtml = (await rawGet(host.port, '/')).body;
    expect(indexHtml).toContain('<div id="root"');
    expect(await rawGet(host.port, '/../../package.json')).toEqual({ status: 200, body: indexHtml });
  });
});
