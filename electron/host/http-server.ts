/**
 * The browser host: the renderer's static files plus the contract over HTTP on 127.0.0.1.
 *   POST /api/call/<channel>   JSON body = request, header x-mm-secret → Result JSON
 *   GET  /api/events?secret=…   server-sent events: `event: <channel>`, `data: <payload>`
 * Every /api request without the per-run secret is refused with 401.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { dispatch } from '../api/handlers';
import type { Core } from '../core/core';
import { CONTENT_SECURITY_POLICY } from '../csp';

// Review bundles travel as base64 in one request: room for a 256 MB bundle.
const MAX_BODY_BYTES = 384 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface BrowserHost {
  readonly url: string;
  readonly port: number;
  readonly secret: string;
  close(): Promise<void>;
}

export interface BrowserHostOptions {
  readonly core: Core;
  readonly rendererDir: string;
  readonly port?: number;
  readonly secret?: string;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const secret = options.secret ?? randomBytes(24).toString('base64url');
  const secretBytes = Buffer.from(secret);
  const sseClients = new Set<ServerResponse>();

  const unsubscribe = options.core.events.subscribe((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const client of sseClients) client.write(frame);
  });

  const authorised = (given: string | null | undefined): boolean => {
    if (!given) return false;
    const bytes = Buffer.from(given);
    return bytes.length === secretBytes.length && timingSafeEqual(bytes, secretBytes);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { ok: false, error: { code: 'internal', message: String(e) } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (url.pathname.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store');
      const given = req.headers['x-mm-secret'];
      const headerSecret = Array.isArray(given) ? given[0] : given;
      if (!authorised(headerSecret ?? url.searchParams.get('secret'))) {
        sendJson(res, 401, {
          ok: false,
          error: { code: 'unauthorised', message: 'Missing or wrong secret.' },
        });
        return;
      }
      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
        res.write(': connected\n\n');
        sseClients.add(res);
        req.on('close', () => sseClients.delete(res));
        return;
      }
      const match = /^\/api\/call\/([a-z-]+:[a-z-]+)$/.exec(url.pathname);
      if (match?.[1] && req.method === 'POST') {
        const body = await readBody(req);
        if (body === undefined) {
          sendJson(res, 413, { ok: false, error: { code: 'too-large', message: 'Request body too large.' } });
          return;
        }
        let payload: unknown;
        try {
          payload = body.length === 0 ? {} : JSON.parse(body);
        } catch {
          sendJson(res, 400, {
            ok: false,
            error: { code: 'invalid-input', message: 'The body is not JSON.' },
          });
          return;
        }
        sendJson(res, 200, await dispatch(options.core, match[1], payload));
        return;
      }
      sendJson(res, 404, { ok: false, error: { code: 'not-found', message: `No API at ${url.pathname}.` } });
      return;
    }
    await serveStatic(options.rendererDir, url.pathname, res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    secret,
    url: `http://127.0.0.1:${port}/?secret=${secret}`,
    close: async () => {
      unsubscribe();
      for (const client of sseClients) client.end();
      sseClients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function serveStatic(root: string, pathname: string, res: ServerResponse): Promise<void> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const file = normalize(join(root, rel === '/' ? 'index.html' : rel));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
    res.writeHead(403).end();
    return;
  }
  const target = (await isFile(file)) ? file : join(root, 'index.html');
  if (!(await isFile(target))) {
    res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end(`The renderer is not built (${root}): run "npm run build".`);
    return;
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  });
  createReadStream(target).pipe(res);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
