import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Core, createCore } from '../../electron/core/core';
import { ensureDemoProject } from '../../electron/core/demo';
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
  let core: Core;
  beforeAll(async () => {
    core = createCore({ dataDir: await tempDir(), shell: 'test' });
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

  describe('files: a review bundle downloaded as it is made, uploaded as a file', () => {
    const base = (): string => `http://127.0.0.1:${host.port}`;
    const upload = (
      channel: string,
      body: BodyInit,
      options: { request?: unknown; fileName?: string; headers?: Record<string, string> } = {},
    ) =>
      fetch(`${base()}/api/upload/${channel}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/octet-stream',
          'x-mm-secret': host.secret,
          'x-mm-request': encodeURIComponent(JSON.stringify(options.request ?? {})),
          'x-mm-file-name': encodeURIComponent(options.fileName ?? 'bundle.mmreview'),
          ...options.headers,
        },
        body,
      });
    const uploadsLeft = async (): Promise<string[]> =>
      (await readdir(core.info.dataDir)).filter((f) => f.startsWith('.upload-'));
    let bundle: Buffer;

    beforeAll(async () => {
      await ensureDemoProject(core);
      await core.review.comment(
        'demo-migration',
        { kind: 'project', id: 'demo-migration' },
        'Über den Export',
      );
    });

    it('downloads the bundle through a one-time token, streamed, and no call answers it', async () => {
      const ticket = await fetch(`${base()}/api/download/review:export`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-mm-secret': host.secret },
        body: JSON.stringify({ projectId: 'demo-migration' }),
      });
      const t = (await ticket.json()) as { ok: true; value: { token: string; fileName: string } };
      expect(t.value.fileName).toMatch(/^demo-migration-review-[\d-]+\.mmreview$/);
      const got = await fetch(`${base()}/api/download/${t.value.token}`, {
        headers: { cookie: `mm-secret-${host.port}=${host.secret}` },
      });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('application/gzip');
      expect(got.headers.get('transfer-encoding')).toBe('chunked');
      expect(got.headers.get('content-disposition')).toContain(`filename="${t.value.fileName}"`);
      bundle = Buffer.from(await got.arrayBuffer());
      expect(JSON.parse(gunzipSync(bundle).toString('utf8'))).toMatchObject({
        format: 'migration-manager-review-bundle',
        project: { name: 'Demo migration' },
      });
      // the calls that answered a bundle or a report as one string are gone
      for (const channel of ['review:export', 'review:open', 'reports:verification', 'checks:report']) {
        const res = await call(channel, { projectId: 'demo-migration', format: 'csv' }, host.secret);
        expect(res.status, channel).toBe(404);
      }
    });

    it('opens an uploaded bundle as a review copy, and merges comments from one; no file is left', async () => {
      const opened = await upload('review:open', new Uint8Array(bundle), { fileName: 'Prüfung.mmreview' });
      expect(opened.status).toBe(200);
      const r = (await opened.json()) as {
        ok: true;
        value: { picked: true; fileName: string; value: { id: string } };
      };
      expect(r).toMatchObject({
        ok: true,
        value: { picked: true, fileName: 'Prüfung.mmreview', value: { name: 'Demo migration (review)' } },
      });
      const copy = r.value.value.id;
      expect((await core.projects.read(copy)).review?.bundleName).toBe('Prüfung.mmreview');
      expect(await uploadsLeft()).toEqual([]);

      await core.review.comment(copy, { kind: 'project', id: copy }, 'Vom Prüfer');
      const pieces: Buffer[] = [];
      for await (const piece of (await core.review.exportFile(copy)).pieces) pieces.push(piece);
      const back = Buffer.concat(pieces);
      const merged = await upload('review:merge-comments', new Uint8Array(back), {
        request: { projectId: 'demo-migration' },
      });
      expect(await merged.json()).toEqual({
        ok: true,
        value: { picked: true, fileName: 'bundle.mmreview', value: { added: 1, total: 2 } },
      });
      expect(await uploadsLeft()).toEqual([]);
    });

    it('refuses a bad bundle, a bad request and a bad name, and leaves no file', async () => {
      const bad = await upload('review:open', 'not a bundle', { fileName: 'x.mmreview' });
      expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'bundle-invalid' } });
      const unknownProject = await upload('review:merge-comments', new Uint8Array(bundle), {
        request: { projectId: 'no-such' },
      });
      expect(await unknownProject.json()).toMatchObject({ ok: false, error: { code: 'project-not-found' } });
      const extra = await upload('review:open', new Uint8Array(bundle), { request: { base64: 'H4sI' } });
      expect(extra.status).toBe(400);
      const unknown = await upload('system:exec', 'x');
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
      const pathName = await upload('review:open', new Uint8Array(bundle), { fileName: '../../etc/passwd' });
      expect(pathName.status).toBe(400);
      const asJson = await upload('review:open', new Uint8Array(bundle), {
        headers: { 'Content-Type': 'application/json' },
      });
      expect(asJson.status).toBe(415);
      expect(await uploadsLeft()).toEqual([]);
    });

    it('refuses an upload without the secret, from another Origin and for another Host', async () => {
      const before = (await core.projects.list()).length;
      const none = await fetch(`${base()}/api/upload/review:open`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', 'x-mm-file-name': 'a.mmreview' },
        body: new Uint8Array(bundle),
      });
      expect(none.status).toBe(401);
      const wrong = await upload('review:open', new Uint8Array(bundle), {
        headers: { 'x-mm-secret': 'nope' },
      });
      expect(wrong.status).toBe(401);
      const origin = await upload('review:open', new Uint8Array(bundle), {
        headers: { Origin: 'http://evil.example' },
      });
      expect(origin.status).toBe(403);
      expect(await origin.json()).toMatchObject({ error: { message: /Origin http:\/\/evil\.example/ } });
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: host.port,
            path: '/api/upload/review:open',
            method: 'POST',
            headers: {
              Host: `rebound.example:${host.port}`,
              'Content-Type': 'application/octet-stream',
              'x-mm-secret': host.secret,
              'x-mm-file-name': 'a.mmreview',
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(bundle);
      });
      expect(rebound).toBe(403);
      expect((await core.projects.list()).length).toBe(before);
    });
  });
});
