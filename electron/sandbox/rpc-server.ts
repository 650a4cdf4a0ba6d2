/**
 * One XML-RPC endpoint of the sandbox (POA or PBA) over HTTP or HTTPS at /RPC2: reads the call
 * (with the xmlrpc package's codec), asks the dispatcher, writes the answer — or drops the
 * connection when the dispatcher says so (fault injection).
 */
import { timingSafeEqual } from 'node:crypto';
import {
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer as createHttpServer,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { decodeCall, encodeFault, encodeResponse } from '../core/target/xmlrpc-codec';
import { FAULT } from './answers';

export type Outcome =
  | { readonly kind: 'value'; readonly value: unknown }
  /** A response document in pieces (xml-pieces.ts), written as the socket takes them. */
  | { readonly kind: 'pieces'; readonly pieces: Iterable<string> }
  | { readonly kind: 'fault'; readonly faultCode: number; readonly faultString: string }
  | { readonly kind: 'drop' };

export type Dispatch = (method: string, params: unknown[]) => Promise<Outcome>;

export interface EndpointOptions {
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** When set, HTTP Basic credentials are required, as on a locked-down target. */
  readonly auth?: { readonly user: string; readonly password: string };
  readonly maxRequestBytes?: number;
}

export function createRpcServer(dispatch: Dispatch, options: EndpointOptions): Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res, dispatch, options).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return server;
}

/**
 * How long a kept-alive connection may lie idle before the sandbox closes it: far beyond any
 * stall of its event loop. Node's idle timer is checked before the connection's pending bytes
 * are read, so with its default (5 s) a stall longer than that right after an answer (a
 * compaction of a large state, a full collection of a heap of gigabytes) reset the connection
 * under a call the client had already sent on it: that call failed `read ECONNRESET` although
 * the sandbox never read it (a 10× rehearsal ended so, 2026-12-01). The target client lets its
 * idle connections go after 3 s, so in the product this timer never ends a connection first.
 */
export const KEEP_ALIVE_MS = 120_000;

function authorized(req: IncomingMessage, auth: EndpointOptions['auth']): boolean {
  if (!auth) return true;
  const header = req.headers.authorization ?? '';
  const expected = Buffer.from(`Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  dispatch: Dispatch,
  options: EndpointOptions,
): Promise<void> {
  if ((req.url ?? '').split('?')[0] !== '/RPC2') {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('The OpenAPI lives at /RPC2\n');
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST' }).end();
    return;
  }
  if (!authorized(req, options.auth)) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="OpenAPI"' }).end();
    return;
  }
  const body = await readBody(req, options.maxRequestBytes ?? 32 * 1024 * 1024);
  if (!body) {
    res.writeHead(413).end();
    return;
  }
  let outcome: Outcome;
  try {
    const call = await decodeCall(body);
    outcome = await dispatch(call.method, call.params);
  } catch (e) {
    outcome = {
      kind: 'fault',
      faultCode: FAULT.notXmlRpc,
      faultString: `Not an XML-RPC call: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  if (outcome.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  if (outcome.kind === 'pieces') {
    await writePieces(res, outcome.pieces);
    return;
  }
  const xml =
    outcome.kind === 'value'
      ? encodeResponse(outcome.value)
      : encodeFault({ faultCode: outcome.faultCode, faultString: outcome.faultString });
  res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) }).end(xml);
}

/**
 * Writes a response a piece at a time (chunked: its length is not known before its last piece),
 * waiting for the socket to take each before the next is encoded: an answer of many rows is never
 * held whole, and other calls are served between its pieces. A client gone mid-answer ends it.
 */
async function writePieces(res: ServerResponse, pieces: Iterable<string>): Promise<void> {
  // A piece that fails to encode after the head is out ends the connection (createRpcServer's
  // catch): the client sees a cut answer, never a wrong one.
  res.writeHead(200, { 'Content-Type': 'text/xml' });
  for (const piece of pieces) {
    if (!res.write(piece)) await drained(res);
    if (res.destroyed) return;
  }
  res.end();
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
