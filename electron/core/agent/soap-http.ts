/**
 * One SOAP exchange with `agent.pl --serve` over HTTP or HTTPS:
 * - HTTPS: the TLS session is opened and its certificate checked against the pin (tls-pin.ts)
 *   before a byte of the request — which carries the token — is written.
 * - One deadline for the whole exchange, the answer's body included, and an abort signal; both
 *   destroy the connection (the agent's command stops when it next writes, or at its own
 *   timeoutSeconds) and fail with the same codes as over SSH: command-timeout, cancelled.
 * - The caller consumes the response (a buffered envelope, or a tarball streamed to disk)
 *   inside `consume`, so a connection lost mid-body fails as agent-connection-lost.
 */
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { type Socket, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MmError } from '../errors';
import {
  buildRequest,
  soapAction,
  type InstallRequest,
  type RunRequest,
  type SoapOperation,
} from './soap-envelope';
import { type TlsPolicy, checkTlsFingerprint, normalizeTlsFingerprint } from './tls-pin';

export interface SoapEndpoint {
  /** http(s)://host:port/mm-agent */
  readonly url: string;
  readonly token: string;
  readonly tls: TlsPolicy;
}

export interface ExchangeOptions {
  readonly signal?: AbortSignal;
  /** The whole exchange, answer included. */
  readonly timeoutMs: number;
  /** What timed out, for the message ("the command", "the connection test"). */
  readonly what?: string;
}

export interface Exchange {
  readonly response: IncomingMessage;
  /** The certificate's SHA-256 fingerprint (HTTPS only). */
  readonly tlsFingerprint?: string;
}

export function parseAgentUrl(raw: string): URL {
  if (!URL.canParse(raw)) throw new MmError('invalid-input', `"${raw}" is not a URL.`, 'url');
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new MmError('invalid-input', `${raw}: an agent URL is http(s)://host:port/mm-agent.`, 'url');
  if (url.username || url.password || url.search || url.hash)
    throw new MmError(
      'invalid-input',
      `${raw}: no user, query or fragment in an agent URL (the token is given apart).`,
      'url',
    );
  return url;
}

/** "soap https://host:port/mm-agent": the label in messages. */
export const soapLabel = (url: string): string => `soap ${url}`;

function unreachable(where: string, e: NodeJS.ErrnoException): MmError {
  if (e instanceof MmError) return e;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
    return new MmError('agent-unreachable', `The host name of ${where} does not resolve.`, where);
  return new MmError('agent-unreachable', `${where} cannot be reached (${e.code ?? e.message}).`, where);
}

/**
 * Connects (and, for https, completes and checks the TLS handshake). `created` hands the socket
 * over at once, so the deadline and a cancel can end a connect or a handshake that hangs.
 */
function openSocket(
  url: URL,
  policy: TlsPolicy,
  where: string,
  created: (s: Socket) => void,
): Promise<{ socket: Socket; fingerprint?: string }> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const closed = (): void =>
      reject(new MmError('agent-unreachable', `${where} closed the connection before it was set up.`, where));
    if (url.protocol === 'http:') {
      const socket = netConnect({ host, port });
      created(socket);
      socket.once('connect', () => resolve({ socket }));
      socket.once('error', (e) => reject(unreachable(where, e)));
      socket.once('close', closed);
      return;
    }
    const socket = tlsConnect({
      host,
      port,
      ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
      // The pin replaces CA validation: an agent's certificate is usually self-signed.
      rejectUnauthorized: false,
    });
    created(socket);
    socket.once('close', closed);
    socket.once('secureConnect', () => {
      const fingerprint = normalizeTlsFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      try {
        checkTlsFingerprint(policy, fingerprint, where);
        resolve({ socket, fingerprint });
      } catch (e) {
        socket.destroy();
        reject(e as Error);
      }
    });
    socket.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        /SSL|TLS|EPROTO|wrong version/i.test(`${e.code ?? ''} ${e.message}`)
          ? new MmError(
              'agent-tls-failed',
              `No TLS session with ${where}: ${e.message}. Is it an https:// agent?`,
              where,
            )
          : unreachable(where, e),
      ),
    );
  });
}

/**
 * Posts one operation and hands the answer to `consume` while the deadline and the signal still
 * hold. Whatever stopped the exchange (timeout, cancel, lost connection) is the error thrown.
 */
export async function exchange<T>(
  endpoint: SoapEndpoint,
  op: SoapOperation,
  run: RunRequest | InstallRequest | undefined,
  options: ExchangeOptions,
  consume: (x: Exchange) => Promise<T>,
): Promise<T> {
  const url = parseAgentUrl(endpoint.url);
  const where = endpoint.url;
  let stopped: MmError | undefined;
  let socket: Socket | undefined;
  const stop = (why: MmError): void => {
    if (stopped) return;
    stopped = why;
    socket?.destroy();
  };
  if (options.signal?.aborted) throw new MmError('cancelled', `The call to ${where} was cancelled.`, where);
  const timer = setTimeout(
    () =>
      stop(
        new MmError(
          'command-timeout',
          `${options.what ?? 'The command'} on ${where} ran longer than allowed and was stopped.`,
          where,
        ),
      ),
    options.timeoutMs,
  );
  const onAbort = (): void => stop(new MmError('cancelled', `The command on ${where} was cancelled.`, where));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const opened = await openSocket(url, endpoint.tls, where, (s) => (socket = s));
    if (stopped) throw stopped;
    const body = Buffer.from(buildRequest(op, run), 'utf8');
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(
        {
          createConnection: () => opened.socket,
          method: 'POST',
          path: url.pathname,
          headers: {
            Host: url.host,
            'Content-Type': 'text/xml; charset=utf-8',
            'Content-Length': String(body.length),
            SOAPAction: soapAction(op),
            Authorization: `Bearer ${endpoint.token}`,
            'User-Agent': 'MigrationManager',
          },
        },
        resolve,
      );
      req.once('error', (e) => reject(stopped ?? lost(where, e)));
      req.end(body);
    });
    const result = await consume({
      response,
      ...(opened.fingerprint ? { tlsFingerprint: opened.fingerprint } : {}),
    }).catch((e: unknown) => {
      throw stopped ?? (e instanceof MmError ? e : lost(where, e as Error));
    });
    if (stopped) throw stopped;
    return result;
  } catch (e) {
    throw stopped ?? e;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    socket?.destroy();
  }
}

function lost(where: string, e: Error): MmError {
  return new MmError(
    'agent-connection-lost',
    `The connection to the agent at ${where} was lost before its answer was complete (${e.message}).`,
    where,
  );
}

/** Reads a whole (small) answer body, refusing more than `limit` bytes. */
export async function readBody(response: IncomingMessage, limit: number, where: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.destroy();
      throw new MmError(
        'agent-bad-response',
        `The agent at ${where} answered more than ${limit} bytes.`,
        where,
      );
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}
