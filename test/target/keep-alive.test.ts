import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeTargetConnections } from '../../electron/core/target/connection-pool';
import { TransportError } from '../../electron/core/target/errors';
import { CONTINUE_AFTER_IDLE_MS, type Endpoint, postXmlRpc } from '../../electron/core/target/http-transport';
import { type SelfSigned, selfSigned } from '../helpers/self-signed';
import { type CountingServer, countingServer } from './keep-alive-server';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Call number n; the server records n when it reads the call, the answer echoes it. */
async function call(endpoint: Endpoint, n: number): Promise<number> {
  const answer = await postXmlRpc(endpoint, 'test.call', [{ n }], {
    timeoutMs: 20_000,
    maxResponseBytes: 1 << 20,
  });
  if (answer.kind !== 'value') throw new Error(`call ${n}: a fault instead of a value`);
  return (answer.value as { n: number }).n;
}

async function failure(p: Promise<unknown>): Promise<TransportError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TransportError);
  return e as TransportError;
}

const servers: CountingServer[] = [];
async function server(...args: Parameters<typeof countingServer>): Promise<CountingServer> {
  const s = await countingServer(...args);
  servers.push(s);
  return s;
}

afterEach(async () => {
  closeTargetConnections();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('keep-alive: calls share connections', () => {
  it('sequential calls go over one connection; concurrent ones over at most one each', async () => {
    const s = await server();
    const endpoint = { url: s.url };
    for (let n = 1; n <= 30; n++) expect(await call(endpoint, n)).toBe(n);
    expect(s.counts.connections).toBe(1);
    const wave = Array.from({ length: 8 }, (_, i) => 100 + i);
    for (let round = 0; round < 5; round++) {
      expect(await Promise.all(wave.map((n) => call(endpoint, n)))).toEqual(wave);
    }
    // Five waves of eight reuse the (at most) eight connections of the first.
    expect(s.counts.connections).toBeLessThanOrEqual(8);
    expect(s.counts.bodies).toHaveLength(30 + 40);
  });

  it('one pool per endpoint: other credentials get connections of their own', async () => {
    const s = await server();
    await call({ url: s.url, user: 'a', password: 'one' }, 1);
    await call({ url: s.url, user: 'a', password: 'one' }, 2);
    await call({ url: s.url, user: 'a', password: 'two' }, 3);
    expect(s.counts.connections).toBe(2);
  });
});

describe('keep-alive faults: a stale pooled socket', () => {
  it('(a) the server closes idle connections after 400 ms: calls spaced across that gap all succeed, each read once', async () => {
    const idleCloseMs = 400;
    const s = await server({ idleCloseMs });
    const endpoint = { url: s.url };
    // Gaps below, at and above the server's idle timeout, densest where the close and the next
    // call cross.
    const gaps = [0, 100, 300, 380, 390, 395, 398, 399, 400, 401, 402, 405, 410, 420, 500, 0, 399, 400, 401];
    let n = 0;
    for (const gap of gaps) {
      await sleep(gap);
      n++;
      expect(await call(endpoint, n)).toBe(n);
    }
    // Every call reached the server exactly once, in order.
    expect(s.counts.bodies).toEqual(Array.from({ length: gaps.length }, (_, i) => i + 1));
    // Both happened: reuse, and new connections after the server's idle closes.
    expect(s.counts.connections).toBeGreaterThan(1);
    expect(s.counts.connections).toBeLessThan(gaps.length);
  });

  it('(a) the server closes a reused idle connection as the call arrives, before reading it: sent again on a new connection, read once', async () => {
    const s = await server();
    // Every request after the first on a connection that lay idle meets a close before its
    // body is read: what the client sees when the server's idle timer fires as it sends.
    s.behave = (seen) => (seen.onConnection > 1 ? 'close-before-body' : 'answer');
    const endpoint = { url: s.url };
    for (let n = 1; n <= 6; n++) {
      await sleep(CONTINUE_AFTER_IDLE_MS + 50);
      expect(await call(endpoint, n)).toBe(n);
    }
    expect(s.counts.bodies).toEqual([1, 2, 3, 4, 5, 6]);
    // The pooled socket failed before its body went out on every other call, and each of
    // those calls was sent once more on a new connection.
    expect(s.counts.closedBeforeBody).toBeGreaterThanOrEqual(2);
  });

  it('(a) the client reads an answer late (a stall) and reuses the socket at once, as the server times it out: sent again, read once', async () => {
    const serverIdleMs = CONTINUE_AFTER_IDLE_MS + 100;
    const s = await server({ stallAfterAnswerMs: serverIdleMs + 100 });
    // The server closes a connection that lay idle serverIdleMs by its own clock, before reading
    // the call: its idle timer firing as the call arrives.
    s.behave = (seen) => (seen.idleMs >= serverIdleMs ? 'close-before-body' : 'answer');
    const endpoint = { url: s.url };
    for (let n = 1; n <= 4; n++) expect(await call(endpoint, n)).toBe(n);
    // Without the stall bound, the socket looks fresh to the client (it just got the answer),
    // the body goes out with the headers, and the close would leave the call's outcome unknown.
    expect(s.counts.closedBeforeBody).toBe(2);
    expect(s.counts.bodies).toEqual([1, 2, 3, 4]);
  });

  it('(a) a restart closes the pooled connection just after a call: the next call reaches the new server once, or is reported unknown, never twice', async () => {
    for (const waitMs of [50, 0]) {
      const before = await server();
      const endpoint = { url: before.url };
      expect(await call(endpoint, 1)).toBe(1);
      await before.close();
      servers.splice(servers.indexOf(before), 1);
      const after = await server({ port: before.port });
      // 50 ms: the client has read the close and opens a new connection. 0: the close may still
      // be on its way when the call is written; the client cannot tell whether the old server
      // read it, so the call is reported as failed (target-unreachable) and not repeated.
      await sleep(waitMs);
      const outcome = await call(endpoint, 2).then(
        (n) => ({ n }),
        (e: unknown) => ({ e }),
      );
      if (waitMs > 0 || 'n' in outcome) {
        expect(outcome).toEqual({ n: 2 });
        expect(after.counts.bodies).toEqual([2]);
      } else {
        expect((outcome.e as TransportError).code).toBe('target-unreachable');
        expect(after.counts.bodies).toEqual([]);
      }
      expect(before.counts.bodies).toEqual([1]);
      closeTargetConnections();
    }
  });

  it('(b) the server reads the call on a reused connection, then resets it: the call is not sent again (its outcome is unknown)', async () => {
    for (const idleMs of [0, CONTINUE_AFTER_IDLE_MS + 50]) {
      const s = await server();
      s.behave = (seen) => (seen.onConnection > 1 ? 'reset-after-body' : 'answer');
      const endpoint = { url: s.url };
      expect(await call(endpoint, 1)).toBe(1);
      await sleep(idleMs);
      const e = await failure(call(endpoint, 2));
      expect(e.code).toBe('target-unreachable');
      expect(e.transient).toBe(true);
      // Received once; a blind retry would show [1, 2, 2].
      expect(s.counts.bodies).toEqual([1, 2]);
      expect(s.counts.resetAfterBody).toBe(1);
      expect(s.counts.connections).toBe(1);
    }
  });

  it('a server that refuses Expect (417) gets the call once, on a new connection', async () => {
    const s = await server();
    s.behave = () => 'refuse-expect';
    const endpoint = { url: s.url };
    expect(await call(endpoint, 1)).toBe(1);
    await sleep(CONTINUE_AFTER_IDLE_MS + 50);
    expect(await call(endpoint, 2)).toBe(2);
    expect(s.counts.bodies).toEqual([1, 2]);
  });
});

describe('keep-alive with a pinned certificate', () => {
  const certs: SelfSigned[] = [];
  afterAll(() => closeTargetConnections());

  it('(c) one checked TLS session carries many calls; after a restart with another certificate on the same port, nothing is sent', async () => {
    certs.push(await selfSigned('poa.pinned.test'), await selfSigned('impostor.test'));
    const [good, other] = certs as [(typeof certs)[0], (typeof certs)[0]];
    const first = await server({ tls: good });
    const endpoint = {
      url: first.url,
      user: 'admin',
      password: 'never-to-the-impostor',
      tlsFingerprint: good.fingerprint,
    };
    for (let n = 1; n <= 5; n++) expect(await call(endpoint, n)).toBe(n);
    expect(first.counts.tlsSessions).toBe(1);
    expect(first.counts.bodies).toEqual([1, 2, 3, 4, 5]);

    // The pinned server goes away; another certificate answers on the same port.
    await first.close();
    servers.splice(servers.indexOf(first), 1);
    const impostor = await server({ tls: other, port: first.port });
    // At once, the pooled socket to the old server may still look alive: the call then fails
    // on it (its bytes went to a closed connection). Later, a new connection is opened and the
    // impostor's certificate refused.
    for (const idleMs of [0, CONTINUE_AFTER_IDLE_MS + 50]) {
      await sleep(idleMs);
      const e = await failure(call(endpoint, 6));
      expect(
        idleMs === 0 ? ['target-tls-mismatch', 'target-unreachable'] : ['target-tls-mismatch'],
      ).toContain(e.code);
    }
    // The impostor was reached (that is how its certificate was seen) but never got a call.
    expect(impostor.counts.connections).toBeGreaterThan(0);
    expect(impostor.counts.bodies).toEqual([]);
  });

  it('(c) a pooled TLS socket reset by the pinned server while idle: the call goes once, over a new checked session', async () => {
    const [good] = certs as [(typeof certs)[0]];
    const s = await server({ tls: good });
    s.behave = (seen) => (seen.onConnection > 1 ? 'close-before-body' : 'answer');
    const endpoint = { url: s.url, tlsFingerprint: good.fingerprint };
    expect(await call(endpoint, 1)).toBe(1);
    await sleep(CONTINUE_AFTER_IDLE_MS + 50);
    expect(await call(endpoint, 2)).toBe(2);
    expect(s.counts.bodies).toEqual([1, 2]);
    expect(s.counts.tlsSessions).toBe(2);
  });
});
