/**
 * The browser host: the renderer's static files plus the contract over HTTP on 127.0.0.1.
 *   POST /api/call/<channel>   JSON body = request, header x-mm-secret → Result JSON
 *   GET  /api/events            server-sent events (`event: <channel>`, `data: <payload>`),
 *                               authorised by the cookie the first page load sets (or the header)
 *   POST /api/download/<channel> as a call; answers a one-time token (download-tickets.ts)
 *   GET  /api/download/<token>  the file, streamed as it is made (Content-Disposition:
 *                               attachment), authorised like the events, once per token
 *   POST /api/upload/<channel>  the picked file as the raw body (application/octet-stream),
 *                               header x-mm-secret, the request in x-mm-request and the file's
 *                               name in x-mm-file-name (both URI-encoded) → Result JSON; the body
 *                               goes to a temporary file in the data dir (api/uploads.ts)
 * Defence in depth behind the per-run secret:
 * - the secret travels in a header (calls) or an HttpOnly, SameSite=Strict cookie (events),
 *   never in the query string of an API request (URLs end up in logs and histories);
 * - the Host must be 127.0.0.1 or localhost on our port (a rebound DNS name is refused) and any
 *   Origin our own; a call must say `application/json` (a cross-site form cannot);
 * - one request may hold at most MAX_BODY_BYTES, all requests together MAX_INFLIGHT_BYTES;
 * - unknown calls answer 404 and schema failures 400, with the same Result body.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DownloadTicket } from '../../shared/contract';
import { type Result, ok } from '../../shared/result';
import { prepareDownload } from '../api/downloads';
import { dispatch } from '../api/handlers';
import { prepareUpload, receiveUpload } from '../api/uploads';
import type { Core } from '../core/core';
import { toAppError } from '../core/errors';
import { CONTENT_SECURITY_POLICY } from '../csp';
import { DownloadTickets, TOKEN_PATTERN, attachmentHeader } from './download-tickets';

// A call's JSON body. Review bundles no longer come this way (POST /api/upload/<channel> takes a
// file into the data dir, within the bundle's own cap); imports (a mapping, an IP map) do.
export const MAX_BODY_BYTES = 90 * 1024 * 1024;
/** Every request's body together: a burst of big requests cannot take the machine's memory. */
export const MAX_INFLIGHT_BYTES = 2 * MAX_BODY_BYTES;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** HTTP status for the Result errors that mean "this request is wrong", not "the work failed". */
const ERROR_STATUS: Readonly<Record<string, number>> = { 'unknown-call': 404, 'invalid-input': 400 };

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
  const tickets = new DownloadTickets();

  const unsubscribe = options.core.events.subscribe((event, payload) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const client of sseClients) client.write(frame);
  });

  const authorised = (given: string | null | undefined): boolean => {
    if (!given) return false;
    const bytes = Buffer.from(given);
    return bytes.length === secretBytes.length && timingSafeEqual(bytes, secretBytes);
  };

  let port = 0;
  let inflight = 0;
  const cookieName = (): string => `mm-secret-${port}`;

  // Requests being answered (event streams included), so that a stop lets each get its answer.
  const answering = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    answering.add(res);
    res.once('close', () => answering.delete(res));
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { ok: false, error: { code: 'internal', message: String(e) } });
      else res.end();
    });
  });

  /** Host and Origin: ours, or refused (DNS rebinding, cross-site pages). */
  function foreignRequest(req: IncomingMessage): string | undefined {
    const ours = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!ours.includes((req.headers.host ?? '').toLowerCase())) return `Host ${req.headers.host ?? '(none)'}`;
    const origin = req.headers.origin;
    if (origin !== undefined && !ours.some((o) => origin.toLowerCase() === `http://${o}`))
      return `Origin ${origin}`;
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${site} request`;
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const foreign = foreignRequest(req);
    if (foreign !== undefined) {
      sendJson(res, 403, {
        ok: false,
        error: { code: 'forbidden', message: `Refused: ${foreign} is not this control panel's.` },
      });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      res.setHeader('Cache-Control', 'no-store');
      const fetched = /^\/api\/download\/([^/]+)$/.exec(url.pathname);
      if (fetched?.[1] && req.method === 'GET') {
        // An <a download> sends no header: the secret comes in the cookie, as for the events.
        if (!authorised(cookieOrHeaderSecret(req))) return unauthorised(res);
        await sendDownload(fetched[1], res);
        return;
      }
      if (url.pathname === '/api/events' && req.method === 'GET') {
        if (!authorised(cookieOrHeaderSecret(req))) return unauthorised(res);
        res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
        res.write(': connected\n\n');
        sseClients.add(res);
        req.on('close', () => sseClients.delete(res));
        return;
      }
      const given = req.headers['x-mm-secret'];
      if (!authorised(Array.isArray(given) ? given[0] : given)) return unauthorised(res);
      const upload = /^\/api\/upload\/([a-z-]+:[a-z-]+)$/.exec(url.pathname);
      if (upload?.[1] && req.method === 'POST') {
        await takeUpload(upload[1], req, res);
        return;
      }
      const match = /^\/api\/(call|download)\/([a-z-]+:[a-z-]+)$/.exec(url.pathname);
      if (match?.[2] && req.method === 'POST') {
        if (mediaType(req) !== 'application/json') {
          sendJson(res, 415, {
            ok: false,
            error: {
              code: 'invalid-input',
              message: 'A call is a JSON body (Content-Type: application/json).',
            },
          });
          return;
        }
        const body = await readBody(req);
        if (typeof body !== 'string') {
          refuseUnread(res, body.status, 'too-large', body.message);
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
        const result =
          match[1] === 'call'
            ? await dispatch(options.core, match[2], payload)
            : await downloadTicket(match[2], payload);
        sendJson(res, result.ok ? 200 : (ERROR_STATUS[result.error.code] ?? 200), result);
        return;
      }
      sendJson(res, 404, { ok: false, error: { code: 'not-found', message: `No API at ${url.pathname}.` } });
      return;
    }
    // The first page load carries the secret in its URL: keep it in a cookie for the event
    // stream (EventSource cannot send headers), readable by no script and sent by no other site.
    if (authorised(url.searchParams.get('secret'))) {
      res.setHeader('Set-Cookie', `${cookieName()}=${secret}; Path=/api; HttpOnly; SameSite=Strict`);
    }
    await serveStatic(options.rendererDir, url.pathname, res);
  }

  function cookieOrHeaderSecret(req: IncomingMessage): string | undefined {
    const header = req.headers['x-mm-secret'];
    return cookieOf(req, cookieName()) ?? (Array.isArray(header) ? header[0] : header);
  }

  /** A download checked and put behind a one-time token; nothing of it is read yet. */
  async function downloadTicket(channel: string, payload: unknown): Promise<Result<DownloadTicket>> {
    const prepared = await prepareDownload(options.core, channel, payload);
    if (!prepared.ok) return prepared;
    return ok({ token: tickets.issue(prepared.value), fileName: prepared.value.fileName });
  }

  /** An upload's body is being received or worked on now. */
  let uploading = false;

  /**
   * An upload: the request checked first (from its header), then the body — the file's raw
   * bytes — into a temporary file in the data dir within the upload's cap, worked on, removed.
   * A body over the cap is refused with 413 naming the cap; the rest of it is not read.
   */
  async function takeUpload(channel: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (mediaType(req) !== 'application/octet-stream') {
      refuseUnread(
        res,
        415,
        'invalid-input',
        "An upload is the file's raw bytes (Content-Type: application/octet-stream).",
      );
      return;
    }
    const request = decodedHeader(req, 'x-mm-request');
    const fileName = decodedHeader(req, 'x-mm-file-name');
    let payload: unknown;
    try {
      payload = request === undefined || request === '' ? {} : JSON.parse(request);
    } catch {
      payload = undefined;
    }
    if (payload === undefined || fileName === undefined || !/^[^/\\\0]{1,255}$/.test(fileName)) {
      refuseUnread(
        res,
        400,
        'invalid-input',
        'An upload names its file (x-mm-file-name, 1-255 characters, no path) and its request (x-mm-request, JSON), both URI-encoded.',
      );
      return;
    }
    // One upload at a time: each may put up to its cap (256 MB) on the data dir's disk before
    // it is read, so a burst of them could fill it; a page uploads one file at a time anyway.
    if (uploading) {
      refuseUnread(res, 429, 'busy', 'Another upload is under way: send this file when it has finished.');
      return;
    }
    uploading = true;
    try {
      await prepareAndReceive(channel, payload, fileName, req, res);
    } finally {
      uploading = false;
    }
  }

  async function prepareAndReceive(
    channel: string,
    payload: unknown,
    fileName: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const prepared = await prepareUpload(options.core, channel, payload);
    if (!prepared.ok) {
      res.setHeader('Connection', 'close');
      sendJson(res, ERROR_STATUS[prepared.error.code] ?? 200, prepared);
      return;
    }
    const length = req.headers['content-length'];
    const result = await receiveUpload(
      prepared.value,
      fileName,
      req as AsyncIterable<Buffer>,
      length === undefined ? undefined : Number(length),
      options.core.info.dataDir,
    );
    if (!result.ok && result.error.code === 'too-large') res.setHeader('Connection', 'close');
    sendJson(res, result.ok ? 200 : result.error.code === 'too-large' ? 413 : 200, result);
  }

  /**
   * The token's file, piped from its pieces as they are made: the response is never buffered,
   * and a client that goes away stops the reading (and closes what it read).
   */
  async function sendDownload(token: string, res: ServerResponse): Promise<void> {
    const download = TOKEN_PATTERN.test(token) ? tickets.take(token) : undefined;
    if (!download) {
      sendJson(res, 404, {
        ok: false,
        error: {
          code: 'not-found',
          message: 'This download link was used already or has expired: ask for the file again.',
        },
      });
      return;
    }
    let report;
    try {
      report = await download.open();
    } catch (e) {
      sendJson(res, 500, { ok: false, error: toAppError(e) });
      return;
    }
    res.writeHead(200, {
      // text is UTF-8; a bundle's gzip is bytes
      'Content-Type': /^(text\/|application\/json$)/.test(report.mimeType)
        ? `${report.mimeType}; charset=utf-8`
        : report.mimeType,
      'Content-Disposition': attachmentHeader(report.fileName),
    });
    // A failure midway cuts the response, so the browser shows a failed download, not a short file.
    await pipeline(Readable.from(report.pieces), res).catch(() => res.destroy());
  }

  function unauthorised(res: ServerResponse): void {
    sendJson(res, 401, { ok: false, error: { code: 'unauthorised', message: 'Missing or wrong secret.' } });
  }

  /** The body, or why not: over the per-request cap (413) or the cap on all requests (503). */
  async function readBody(req: IncomingMessage): Promise<string | { status: number; message: string }> {
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = {
      status: 413,
      message: `Request body too large (limit ${MAX_BODY_BYTES / 1048576} MB).`,
    };
    if (declared > MAX_BODY_BYTES) return tooLarge;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        const buf = chunk as Buffer;
        size += buf.length;
        inflight += buf.length;
        if (size > MAX_BODY_BYTES) return tooLarge;
        if (inflight > MAX_INFLIGHT_BYTES)
          return { status: 503, message: 'Too many large requests at once; try again.' };
        chunks.push(buf);
      }
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      inflight -= size;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    secret,
    url: `http://127.0.0.1:${port}/?secret=${secret}`,
    close: async () => {
      unsubscribe();
      tickets.clear();
      for (const client of sseClients) client.end();
      sseClients.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A call the page made just before the stop gets its answer: cutting it (as closing every
      // connection at once did) showed the page a reset call that may well have been done.
      // Idle keep-alive sockets go now; the others once answered, or after the grace.
      server.closeIdleConnections();
      await answered(answering, CLOSE_GRACE_MS);
      server.closeAllConnections();
      await closed;
    },
  };
}

/** How long a stopping host waits for the calls it is answering. */
const CLOSE_GRACE_MS = 5_000;

/** Resolves once every response has closed, or after `graceMs`. */
function answered(responses: ReadonlySet<ServerResponse>, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const grace = setTimeout(resolve, graceMs);
    const check = (): void => {
      if (responses.size > 0) return;
      clearTimeout(grace);
      resolve();
    };
    for (const res of responses) res.once('close', () => setImmediate(check));
    check();
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(text);
}

/** The request's media type (Content-Type without parameters), lower case; '' when absent. */
function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Refuses a request whose body is left unread: the connection closes after the answer, so the
 * unread body is not taken for the next request on it.
 */
function refuseUnread(res: ServerResponse, status: number, code: string, message: string): void {
  res.setHeader('Connection', 'close');
  sendJson(res, status, { ok: false, error: { code, message } });
}

/** A URI-encoded header's text; undefined when absent or not decodable. */
function decodedHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** One cookie's value from the Cookie header. */
function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
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
