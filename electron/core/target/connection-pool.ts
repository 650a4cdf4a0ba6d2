/**
 * Kept-alive connections to a target, one pool per endpoint (URL origin + credentials + pin), so
 * a batch does not open, accept and close a TCP connection (and shake hands for TLS) per call.
 *
 * - Plain HTTP and HTTPS with system trust: Node's Agent with keep-alive.
 * - HTTPS with a pinned certificate: an HTTP Agent whose connections are pinned TLS sockets
 *   (pinned-tls.ts): the pin is checked once per socket, before the socket carries a request.
 * - A free socket is closed after FREE_IDLE_MS, shorter than the servers' own idle timeouts
 *   (Node's 5 s, POA's Apache 5–15 s), so the client, not the server, ends idle connections;
 *   Node's Agent also honours a shorter `Keep-Alive: timeout=N` the server announces (N − 1 s).
 * - The time a request was last written on each socket is kept: the server cannot have
 *   answered before it, so it bounds how long the server has seen the socket idle (see
 *   http-transport.ts for what that decides).
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { connectPinned } from './pinned-tls';
import type { TransportError } from './errors';

/** A free socket idle this long is closed (below every target's idle timeout; see above). */
export const FREE_IDLE_MS = 3_000;
/** Sockets per endpoint: the migration's highest concurrency (64), so no call waits for one. */
export const MAX_SOCKETS = 64;
/** A pinned TLS handshake is abandoned after this long (a call's own deadline is usually shorter). */
const HANDSHAKE_MS = 30_000;

export interface PoolTarget {
  readonly url: URL;
  readonly user?: string;
  readonly password?: string;
  /** Normalized SHA-256 fingerprint (https only); absent: system trust. */
  readonly fingerprint?: string;
}

export interface Pool {
  readonly agent: HttpAgent;
  /** A one-connection agent of the same kind, for a call that must not reuse a socket. */
  fresh(): HttpAgent;
  /** Notes that a request's body was just written on this socket. */
  markSent(socket: Duplex): void;
  /** When a body was last written on the socket; undefined for a socket never used. */
  sentAt(socket: Duplex): number | undefined;
}

const pools = new Map<string, Pool>();

export function targetPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** The pool for this endpoint, made on first use. */
export function poolFor(target: PoolTarget): Pool {
  const key = poolKey(target);
  let pool = pools.get(key);
  if (!pool) {
    pool = makePool(target);
    pools.set(key, pool);
  }
  return pool;
}

/** Closes every kept connection (a shell's shutdown, a test's end); later calls open new ones. */
export function closeTargetConnections(): void {
  for (const pool of pools.values()) pool.agent.destroy();
  pools.clear();
}

function poolKey(target: PoolTarget): string {
  // The password is part of the identity but is not kept in the key: a digest stands for it.
  const credentials = createHash('sha256')
    .update(`${target.user ?? ''}\0${target.password ?? ''}`)
    .digest('hex');
  return `${target.url.origin}|${credentials}|${target.fingerprint ?? ''}`;
}

function makePool(target: PoolTarget): Pool {
  const kept: AgentOptions = {
    keepAlive: true,
    maxSockets: MAX_SOCKETS,
    maxFreeSockets: MAX_SOCKETS,
    timeout: FREE_IDLE_MS,
    // The most recently used socket first: the fewest sockets stay warm, the rest time out.
    scheduling: 'lifo',
  };
  const make = (options: AgentOptions): HttpAgent =>
    target.fingerprint
      ? pinnedAgent(options, target.fingerprint)
      : target.url.protocol === 'https:'
        ? new HttpsAgent(options)
        : new HttpAgent(options);
  const agent = make(kept);
  const sent = new WeakMap<Duplex, number>();
  return {
    agent,
    fresh: () => make({ keepAlive: false, maxSockets: 1 }),
    markSent: (socket) => void sent.set(socket, Date.now()),
    sentAt: (socket) => sent.get(socket),
  };
}

/** Speaks HTTP over pinned TLS sockets; the request waits until the socket is checked. */
function pinnedAgent(options: AgentOptions, fingerprint: string): HttpAgent {
  const agent = new HttpAgent(options);
  // Node's Agent accepts an asynchronous createConnection (a callback instead of a socket).
  agent.createConnection = ((
    o: { host?: string; port?: number },
    done: (error: TransportError | null, socket?: Duplex) => void,
  ): undefined => {
    connectPinned(
      { host: o.host ?? 'localhost', port: Number(o.port), fingerprint, handshakeMs: HANDSHAKE_MS },
      done,
    );
    return undefined;
  }) as unknown as HttpAgent['createConnection'];
  return agent;
}
