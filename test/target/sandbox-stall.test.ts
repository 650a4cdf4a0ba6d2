/**
 * A call sent on a kept-alive connection while the sandbox's loop is stalled is read and
 * answered when the loop resumes: the stall must not reset the connection under it. A 10×
 * rehearsal failed so on `read ECONNRESET` (the sandbox blocked past Node's default 5 s idle
 * timeout right after an answer; the client had sent its next call on that connection).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { closeTargetConnections } from '../../electron/core/target/connection-pool';
import { postXmlRpc } from '../../electron/core/target/http-transport';

let child: ChildProcess | undefined;
const reads: number[] = [];

afterEach(() => {
  closeTargetConnections();
  child?.kill('SIGKILL');
  child = undefined;
});

async function startStallingSandbox(): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'test/target/stalling-rpc-child.ts'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    for (const m of text.matchAll(/read (\d+)/g)) reads.push(Number(m[1]));
  });
  const port = await new Promise<number>((resolve, reject) => {
    child?.once('exit', (code) => reject(new Error(`the stalling sandbox exited ${code}`)));
    child?.stdout?.setEncoding('utf8').once('data', (line: string) => resolve(Number(line.trim())));
  });
  return `http://127.0.0.1:${port}/RPC2`;
}

async function call(url: string, n: number, stallMs?: number): Promise<number> {
  const answer = await postXmlRpc({ url }, 'test.call', [{ n, ...(stallMs ? { stallMs } : {}) }], {
    timeoutMs: 30_000,
    maxResponseBytes: 1 << 20,
  });
  if (answer.kind !== 'value') throw new Error(`call ${n}: a fault instead of a value`);
  return (answer.value as { n: number }).n;
}

describe('the sandbox stalled after an answer', () => {
  it('answers the call sent meanwhile on the same connection, once (6 s stall, past Node’s 5 s default)', async () => {
    const url = await startStallingSandbox();
    expect(await call(url, 1, 6_000)).toBe(1);
    // Sent at once on the kept-alive connection, while the sandbox is blocked for 6 s.
    const started = Date.now();
    expect(await call(url, 2)).toBe(2);
    expect(Date.now() - started).toBeGreaterThan(4_000);
    expect(await call(url, 3)).toBe(3);
    // The child counts on stderr, which may reach us after call 3's answer: wait for it.
    await expect.poll(() => reads).toEqual([1, 2, 3]);
  }, 40_000);
});
