/**
 * A bare XML-RPC server for the keep-alive fault tests: real HTTP(S) on loopback, counting what
 * reached it (connections, TLS sessions, call bodies read) and misbehaving on demand per request:
 * closing a kept-alive connection before or after it read the call, or closing idle connections
 * silently after a while (no `Keep-Alive: timeout` hint, like a server whose timeout is unknown).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { decodeCall, encodeResponse } from '../../electron/core/target/xmlrpc-codec';

/** What the server does with one request. */
export type Behaviour =
  | 'answer'
  /** Close the connection without reading the call (as if its idle timer had just fired). */
  | 'close-before-body'
  /** Read the call (it counts as received), then reset the connection without answering. */
  | 'reset-after-body'
  /** Answer `Expect: 100-continue` with 417 (an old server). */
  | 'refuse-expect';

export interface RequestSeen {
  /** 1 for a connection's first request, 2 for the next on the same (kept-alive) connection… */
  readonly onConnection: number;
  readonly expectsContinue: boolean;
  /** How long the connection lay idle since this server's last answer on it (0 for the first). */
  readonly idleMs: number;
}

export interface ServerOptions {
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  /** Close a connection this long after its last answer, silently. */
  readonly idleCloseMs?: number;
  readonly port?: number;
  /**
   * Blocks the event loop this long once an answer is written. Client and server share the
   * process in these tests, so this is the client stalling (a long GC, a starved CPU) before
   * it reads the answer: the server's idle clock runs, the client's has not started.
   */
  readonly stallAfterAnswerMs?: number;
}

export interface CountingServer {
  readonly url: string;
  readonly port: number;
  readonly counts: {
    connections: number;
    tlsSessions: number;
    /** Calls read to the end, by their first parameter's `n` (what the client numbered them). */
    bodies: number[];
    closedBeforeBody: number;
    resetAfterBody: number;
  };
  behave: (seen: RequestSeen) => Behaviour;
  close(): Promise<void>;
}

export async function countingServer(options: ServerOptions = {}): Promise<CountingServer> {
  const perSocket = new WeakMap<Socket, number>();
  const idleTimers = new WeakMap<Socket, NodeJS.Timeout>();
  const answeredAt = new WeakMap<Socket, number>();
  const counts: CountingServer['counts'] = {
    connections: 0,
    tlsSessions: 0,
    bodies: [],
    closedBeforeBody: 0,
    resetAfterBody: 0,
  };
  const self = { behave: (_: RequestSeen): Behaviour => 'answer' };

  const seenOf = (req: IncomingMessage): RequestSeen => {
    const socket = req.socket;
    clearTimeout(idleTimers.get(socket));
    const n = (perSocket.get(socket) ?? 0) + 1;
    perSocket.set(socket, n);
    const last = answeredAt.get(socket);
    return {
      onConnection: n,
      expectsContinue: /100-continue/i.test(req.headers.expect ?? ''),
      idleMs: last === undefined ? 0 : Date.now() - last,
    };
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, behaviour: Behaviour): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const call = await decodeCall(Buffer.concat(chunks));
    const n = Number((call.params[0] as { n?: unknown } | undefined)?.n ?? -1);
    counts.bodies.push(n);
    if (behaviour === 'reset-after-body') {
      counts.resetAfterBody++;
      req.socket.resetAndDestroy();
      return;
    }
    const xml = encodeResponse({ n });
    res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml) });
    res.end(xml);
    const socket = req.socket;
    res.once('finish', () => {
      answeredAt.set(socket, Date.now());
      if (options.stallAfterAnswerMs) {
        const until = Date.now() + options.stallAfterAnswerMs;
        while (Date.now() < until) {
          // a stalled event loop, on purpose (see stallAfterAnswerMs)
        }
      }
    });
    if (options.idleCloseMs !== undefined) {
      const socket = req.socket;
      res.once('finish', () =>
        idleTimers.set(
          socket,
          setTimeout(() => socket.destroy(), options.idleCloseMs),
        ),
      );
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse, seen: RequestSeen): void => {
    const behaviour = self.behave(seen);
    if (behaviour === 'close-before-body') {
      counts.closedBeforeBody++;
      req.socket.destroy();
      return;
    }
    if (behaviour === 'refuse-expect' && seen.expectsContinue) {
      res.writeHead(417, { Connection: 'close' }).end();
      return;
    }
    if (seen.expectsContinue) res.writeContinue();
    void answer(req, res, behaviour).catch(() => req.socket.destroy());
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => handle(req, res, seenOf(req));
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createServer(onRequest);
  // Requests with `Expect: 100-continue` come here instead: the body waits for writeContinue.
  server.on('checkContinue', onRequest);
  // No server-side idle timeout and no `Keep-Alive: timeout` hint: idleCloseMs decides.
  server.keepAliveTimeout = 0;
  server.on('connection', () => counts.connections++);
  server.on('secureConnection', () => counts.tlsSessions++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const result: CountingServer = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/RPC2`,
    port,
    counts,
    get behave() {
      return self.behave;
    },
    set behave(f) {
      self.behave = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return result;
}
