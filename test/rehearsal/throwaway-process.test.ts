/**
 * A rehearsal's throwaway sandbox in a process of its own (electron/sandbox/throwaway-process.ts),
 * the way the CLI and the browser host start it: another pid, a live POA endpoint, the read-back
 * in pieces, gone once stopped, gone when its manager is SIGKILLed (the channel closes), and a
 * clear error when it died under the manager. The CLI's rehearsal through it: rehearsal.test.ts.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forkNode, startThrowawayProcess } from '../../electron/sandbox/throwaway-process';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { commandLine, isGone, throwawayChildrenOf } from './processes';

describe('the throwaway sandbox in a process of its own', () => {
  it('runs in another process, answers POA, reads back, and is gone once stopped', async () => {
    const dataDir = join(await tempDir('mm-throwaway-'), 'sandbox');
    const t = await startThrowawayProcess({ dataDir });
    const pid = t.pid as number;
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    expect(await throwawayChildrenOf(process.pid)).toContain(pid);
    expect(await commandLine(pid)).toContain('throwaway-child');
    // a real XML-RPC endpoint in that process
    const answer = await fetch(t.poaUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<?xml version="1.0"?><methodCall><methodName>pem.getServiceTemplateList</methodName><params><param><value><struct></struct></value></param></params></methodCall>',
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('service_template_id');
    let read = 0;
    for await (const part of t.holdings()) read += part.length;
    expect(read).toBe(0); // a fresh sandbox holds nothing a rehearsal created
    expect(t.offered.templates).toBeGreaterThan(0);
    const peak = await t.stop();
    expect(peak).toBeGreaterThan(10 * 2 ** 20);
    await expect.poll(() => isGone(pid), { timeout: 10_000 }).toBe(true);
    await t.close(); // twice: nothing left to do
  }, 60_000);

  it('ends with its manager when the manager is SIGKILLed', async () => {
    const dir = await tempDir('mm-throwaway-parent-');
    const script = join(dir, 'manager.mts');
    await writeFile(
      script,
      `import { startThrowawayProcess } from ${JSON.stringify(join(REPO_ROOT, 'electron/sandbox/throwaway-process.ts'))};
const t = await startThrowawayProcess({ dataDir: ${JSON.stringify(join(dir, 'sandbox'))} });
process.stdout.write(String(t.pid) + '\\n');
setInterval(() => undefined, 1000);
`,
    );
    const manager = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const childPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      manager.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      manager.once('exit', (code) =>
        reject(new Error(`the manager exited ${code} before its sandbox started`)),
      );
    });
    expect(await throwawayChildrenOf(manager.pid as number)).toEqual([childPid]);
    const exited = new Promise<void>((r) => manager.once('exit', () => r()));
    manager.kill('SIGKILL');
    await exited;
    await expect.poll(() => isGone(childPid), { timeout: 10_000, interval: 50 }).toBe(true);
  }, 60_000);

  it('says so when its process died under the manager', async () => {
    const t = await startThrowawayProcess({ dataDir: join(await tempDir('mm-throwaway-'), 'sandbox') });
    process.kill(t.pid as number, 'SIGKILL');
    await expect.poll(() => isGone(t.pid as number), { timeout: 10_000 }).toBe(true);
    const reading = (async () => {
      for await (const _ of t.holdings()) return;
    })();
    await expect(reading).rejects.toThrow("The rehearsal's sandbox process");
    expect(await t.stop()).toBe(0);
  }, 60_000);

  it('takes a request sent after its channel closed and before its exit without an unhandled error', async () => {
    // the window the test above can fall into when the child is killed: the channel is gone,
    // the 'exit' event not yet in. A child that closes its channel and lives on makes it wide.
    const dir = await tempDir('mm-throwaway-closed-');
    const file = join(dir, 'closes-channel.cjs');
    await writeFile(file, 'process.disconnect(); setTimeout(() => process.exit(7), 500);\n');
    const child = forkNode({ file, execArgv: [] });
    const exited = new Promise<number | null>((r) => child.onExit(r));
    await new Promise((r) => setTimeout(r, 250));
    child.send({ ask: 'peak', n: 0 });
    // an unhandled 'error' event (ERR_IPC_CHANNEL_CLOSED) would have been thrown by now and
    // failed this file; the child is left to end on its own
    expect(await exited).toBe(7);
  }, 30_000);
});
