/**
 * Posts one XML-RPC call over HTTP or HTTPS and decodes the answer.
 * - Connections are kept alive, one pool per endpoint (connection-pool.ts).
 * - A deadline covers the whole call (waiting for a socket, connect, TLS, request, answer).
 * - HTTPS trusts the system's CAs, or, when a SHA-256 fingerprint is pinned, exactly that
 *   certificate: each TLS socket is opened and checked before a byte of a request (which
 *   carries the credentials) is written on it (pinned-tls.ts).
 * - Answers larger than a limit are cut off instead of filling memory.
 *
 * A kept-alive socket can be closed by the server while it lies idle in the pool; a call sent on
 * it then fails with a reset or a hang-up. Had the server read the call before closing (a crash,
 * a dropped connection after the work was done), sending it again could do the work twice, and
 * from the client's side both look the same: a reset before any byte of the answer. So a call
 * is repeated only when the server cannot have read it, which the client knows for sure only
 * when it has not sent the body (the body is the call; headers alone make the server do
 * nothing). On a socket whose last request was written CONTINUE_AFTER_IDLE_MS ago or more (the
 * server may have seen it idle that long, even if we read its answer late: a stalled event loop,
 * a long GC) the request asks `Expect: 100-continue` and holds the body back
 * until the server answers "100 Continue" on that very connection: a reset before it means the
 * server closed the idle socket and never saw the call, and the call goes once more on a fresh
 * connection. Any other failure (a fresh socket, a timeout, a reset after the body went out,
 * a reset after answer bytes) stays what it was, and the engine reads the step back.
 * A socket reused sooner than that is sent at once: the server has seen it idle for less than
 * 250 ms, and targets keep idle sockets 5 s or more (the pool closes its free ones after 3 s).
 */
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type DecodedResponse, decodeResponse, encodeCall } from './xmlrpc-codec';
import { TransportError } from './errors';
import { type Pool, poolFor, targetPort } from './connection-pool';
import { normalizeFingerprint } from './pinned-tls';

export { normalizeFingerprint };

export interface Endpoint {
  /** http(s)://host:port/RPC2 */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** SHA-256 of the server certificate (hex, colons optional); absent: system trust. */
  readonly tlsFingerprint?: string;
}

export interface TransportOptions {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export const DEFAULT_TRANSPORT: TransportOptions = { timeoutMs: 30_000, maxResponseBytes: 64 * 1024 * 1024 };

/** A reused socket idle this long asks for "100 Continue" before the body goes out (see above). */
export const CONTINUE_AFTER_IDLE_MS = 250;
/** A server that ignores `Expect` gets the body after this long anyway (RFC 9110 §10.1.1). */
const CONTINUE_WAIT_MS = 1_000;

export async function postXmlRpc(
  endpoint: Endpoint,
  method: string,
  params: readonly unknown[],
  options: TransportOptions = DEFAULT_TRANSPORT,
): Promise<DecodedResponse> {
  const url = new URL(endpoint.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TransportError('target-unreachable', `${endpoint.url} is not an http(s) URL`);
  }
  const body = Buffer.from(encodeCall(method, params), 'utf8');
  const deadline = Date.now() + options.timeoutMs;
  const headers: Record<string, string> = {
    'Content-Type': 'text/xml',
    Accept: 'text/xml',
    'Content-Length': String(body.length),
    'User-Agent': 'MigrationManager',
  };
  if (endpoint.user) {
    headers['Authorization'] =
      `Basic ${Buffer.from(`${endpoint.user}:${endpoint.password ?? ''}`).toString('base64')}`;
  }
  const pool = poolFor({
    url,
    user: endpoint.user,
    password: endpoint.password,
    fingerprint:
      url.protocol === 'https:' && endpoint.tlsFingerprint
        ? normalizeFingerprint(endpoint.tlsFingerprint)
        : undefined,
  });
  const call: Call = { url, headers, body, deadline };
  let sent = await send(call, pool.agent, pool);
  if (sent.kind === 'unsent') {
    // The server closed this idle socket before it asked for the body: it has not seen the
    // call, so sending it once on a new connection cannot do the work twice.
    sent = await send(call, pool.fresh(), undefined);
  }
  if (sent.kind !== 'answer') throw sent.error;
  return readAnswer(sent.response, deadline, options.maxResponseBytes);
}

interface Call {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly deadline: number;
}

type Sent =
  | { readonly kind: 'answer'; readonly response: IncomingMessage }
  /** Failed, and the body was sent (or the socket was new): the outcome is unknown. */
  | { readonly kind: 'failed'; readonly error: TransportError }
  /** Failed on a reused socket before the body was sent: the server has not seen the call. */
  | { readonly kind: 'unsent'; readonly error: TransportError };

const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE']);

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}

/**
 * Sends the call through `agent`; with `pool` (the kept-alive agent's), a socket that lay idle
 * long enough gets `Expect: 100-continue` first (see the top of this file).
 */
function send(call: Call, agent: Pool['agent'], pool: Pool | undefined): Promise<Sent> {
  return new Promise((resolve) => {
    const { url } = call;
    const options = {
      host: url.hostname,
      port: targetPort(url),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: call.headers,
      agent,
    };
    // The pinned agent is an HTTP agent (it speaks HTTP over sockets it made TLS itself).
    const req = (agent instanceof HttpsAgent ? httpsRequest : httpRequest)(options);
    let bodySent = false;
    let settled = false;
    let continueTimer: NodeJS.Timeout | undefined;
    const settle = (sent: Sent): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(continueTimer);
      resolve(sent);
    };
    const sendBody = (): void => {
      clearTimeout(continueTimer);
      if (bodySent || settled) return;
      bodySent = true;
      if (req.socket) pool?.markSent(req.socket);
      req.end(call.body);
    };
    const timer = setTimeout(
      () => req.destroy(new TransportError('target-timeout', 'no answer in time')),
      remaining(call.deadline),
    );
    req.once('socket', (socket) => {
      if (!req.reusedSocket) return sendBody();
      // How long the server may have seen this socket idle: at most since our last request on
      // it was written (it cannot have answered before), however late we read its answer.
      const sentAt = pool?.sentAt(socket);
      if (sentAt === undefined || Date.now() - sentAt < CONTINUE_AFTER_IDLE_MS) {
        // One turn of the event loop first, so that a close the server sent just before (a
        // restart) and already read is seen: the body has not gone out, and the call is sent
        // again safely. A close still on its way is not seen: that call's outcome stays unknown.
        setImmediate(() => {
          if (!socket.destroyed && !socket.readableEnded && socket.writable) return sendBody();
          settle({
            kind: 'unsent',
            error: new TransportError('target-unreachable', 'the server closed the connection'),
          });
          req.destroy();
        });
        return;
      }
      req.setHeader('Expect', '100-continue');
      req.flushHeaders();
      req.once('continue', sendBody);
      continueTimer = setTimeout(sendBody, CONTINUE_WAIT_MS);
    });
    req.once('response', (res) => {
      if (!bodySent) {
        // A final answer instead of "100 Continue": the body never went out, so this connection
        // is left half-used and is not given back to the pool.
        clearTimeout(continueTimer);
        res.once('close', () => req.destroy());
        if (res.statusCode === 417) {
          // The server refuses `Expect`; it has not seen the call: send it on a new connection.
          res.resume();
          return settle({
            kind: 'unsent',
            error: new TransportError('target-http-status', 'HTTP 417: the server refused Expect'),
          });
        }
      }
      settle({ kind: 'answer', response: res });
    });
    req.on('error', (e: Error & { code?: string }) => {
      const error = e instanceof TransportError ? e : new TransportError('target-unreachable', e.message);
      const unsent =
        !bodySent && req.reusedSocket && !(e instanceof TransportError) && CLOSED_CODES.has(e.code ?? '');
      settle({ kind: unsent ? 'unsent' : 'failed', error });
    });
  });
}

function readAnswer(res: IncomingMessage, deadline: number, maxBytes: number): Promise<DecodedResponse> {
  return new Promise((resolve, reject) => {
    if (res.statusCode === 401 || res.statusCode === 403) {
      res.resume();
      return reject(
        new TransportError('target-unauthorized', `HTTP ${res.statusCode}: the user or password is wrong`),
      );
    }
    if (res.statusCode !== 200) {
      res.resume();
      return reject(
        new TransportError(
          'target-http-status',
          `HTTP ${res.statusCode ?? '?'} instead of an XML-RPC answer`,
        ),
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    // Settle first, then tear down: the teardown's own events must not rename the failure.
    const fail = (e: TransportError): void => {
      clearTimeout(timer);
      reject(e);
      res.destroy();
    };
    const timer = setTimeout(
      () => fail(new TransportError('target-timeout', 'the answer did not arrive in time')),
      remaining(deadline),
    );
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        fail(new TransportError('target-bad-response', `the answer exceeds ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.once('error', (e) => {
      clearTimeout(timer);
      reject(
        e instanceof TransportError
          ? e
          : new TransportError('target-unreachable', `the connection broke: ${e.message}`),
      );
    });
    res.once('aborted', () => {
      clearTimeout(timer);
      reject(new TransportError('target-unreachable', 'the connection was dropped mid-answer'));
    });
    res.once('end', () => {
      clearTimeout(timer);
      decodeResponse(Buffer.concat(chunks)).then(resolve, (e: unknown) =>
        reject(
          new TransportError(
            'target-bad-response',
            `not a valid XML-RPC answer: ${e instanceof Error ? e.message : String(e)}`,
          ),
        ),
      );
    });
  });
}
