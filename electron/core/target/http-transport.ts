/**
 * Posts one XML-RPC call over HTTP or HTTPS and decodes the answer.
 * - A deadline covers the whole call (connect, TLS, request, answer).
 * - HTTPS trusts the system's CAs, or, when a SHA-256 fingerprint is pinned, exactly that
 *   certificate: the TLS session is opened and checked before a byte of the request (which
 *   carries the credentials) is written.
 * - Answers larger than a limit are cut off instead of filling memory.
 */
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type DecodedResponse, decodeResponse, encodeCall } from './xmlrpc-codec';
import { TransportError } from './errors';

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

/** "AB:CD:…" or "abcd…" → "ABCD…", the form compared. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

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
  const pinned =
    url.protocol === 'https:' && endpoint.tlsFingerprint
      ? await pinnedSocket(url, normalizeFingerprint(endpoint.tlsFingerprint), deadline)
      : undefined;
  const response = await send(url, headers, body, deadline, pinned);
  return readAnswer(response, deadline, options.maxResponseBytes);
}

function port(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function pinnedSocket(url: URL, fingerprint: string, deadline: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: url.hostname,
      port: port(url),
      servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
      // The pin replaces CA validation: self-signed target certificates are the norm.
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError('target-timeout', 'the TLS handshake did not finish in time'));
    }, remaining(deadline));
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const seen = normalizeFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      if (seen !== fingerprint) {
        socket.destroy();
        reject(
          new TransportError(
            'target-tls-mismatch',
            `the server's certificate (SHA-256 ${seen || 'none'}) is not the pinned one (${fingerprint})`,
          ),
        );
      } else resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(new TransportError('target-unreachable', e.message));
    });
  });
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}

function send(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  deadline: number,
  pinned: TLSSocket | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const common = {
      host: url.hostname,
      port: port(url),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers,
    };
    const req = pinned
      ? httpRequest({ ...common, createConnection: () => pinned })
      : url.protocol === 'https:'
        ? httpsRequest({ ...common, agent: false })
        : httpRequest({ ...common, agent: false });
    const timer = setTimeout(
      () => req.destroy(new TransportError('target-timeout', 'no answer in time')),
      remaining(deadline),
    );
    req.once('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.once('error', (e) => {
      clearTimeout(timer);
      reject(e instanceof TransportError ? e : new TransportError('target-unreachable', e.message));
    });
    req.end(body);
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
