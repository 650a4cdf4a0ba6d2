/**
 * The browser host stopping (SIGTERM, Ctrl-C) while a page's call is being answered: the call
 * gets its answer, and only then does the connection go. Closing every connection at once cut
 * such a call with a reset (seen by the host-restart e2e test as an /api/call error), though
 * the core may well have done the work.
 */
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { startBrowserHost } from '../../electron/host/http-server';
import { tempDir } from '../helpers/paths';

describe('the browser host stopping', () => {
  it('answers a call it received before the stop, then closes', async () => {
    const root = await tempDir();
    const renderer = join(root, 'renderer');
    await mkdir(renderer);
    await writeFile(join(renderer, 'index.html'), '<!doctype html>');
    const core = createCore({ dataDir: join(root, 'data'), shell: 'test' });
    const host = await startBrowserHost({ core, rendererDir: renderer });
    const body = JSON.stringify({ name: 'Asked before the stop' });

    let closing: Promise<void> | undefined;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: host.port,
        method: 'POST',
        path: '/api/call/projects:create',
        headers: {
          host: `127.0.0.1:${host.port}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'x-mm-secret': host.secret,
          // the host says "100 Continue" once it holds the request: the stop begins only then
          expect: '100-continue',
        },
      });
      req.on('continue', () => {
        closing = host.close();
        req.end(body);
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    await closing;

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true, value: { name: 'Asked before the stop' } });
    expect((await core.projects.list()).map((p) => p.name)).toContain('Asked before the stop');
    // and it no longer listens
    await expect(fetch(`http://127.0.0.1:${host.port}/`)).rejects.toThrow();
  });
});
