// gc-headroom.ts: while content moves, the manager's heap may grow four times over between
// mark-compacts, so the ArrayBuffers of a transfer (socket reads, ssh2's packets) no longer start
// one nearly every scavenge in a small manager process. Proved in a child process holding only
// the transfer's modules (a smaller heap than the CLI's 22 MB) relaying 512 MB between two real
// SSH connections, with and without the headroom; and the headroom is held as long as any
// transfer runs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gcHeadroomHolders, withGcHeadroom } from '../../electron/core/content/gc-headroom';
import { type Sshd, startSshd } from '../helpers/sshd';

const run = promisify(execFile);
const BYTES = 512 * 1024 * 1024;

describe('content: heap headroom while bytes move', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  it('a small manager relaying 512 MB over SSH runs a third of the mark-compacts or fewer inside the headroom', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/content/gc-headroom-child.ts'],
      {
        env: {
          ...process.env,
          MM_GC_HEADROOM: 'on',
          GC_HEADROOM_BYTES: String(BYTES),
          GC_HEADROOM_TARGET: JSON.stringify({
            port: sshd.port,
            user: sshd.user,
            clientKey: sshd.clientKey,
            hostFingerprint: sshd.hostFingerprint,
          }),
        },
        timeout: 240_000,
      },
    );
    const { outside, inside } = JSON.parse(stdout.trim().split('\n').pop() ?? '') as {
      outside: number;
      inside: number;
    };
    // Measured here (loaded machine, four runs, V8 choosing its own factor): 18–37 mark-compacts
    // for the 512 MB without the headroom, 3–4 with it; a quiet machine's V8 chose a larger
    // factor by itself (2 and 2 in one CI run), so the run without headroom now pins V8's
    // smallest factor (gc-headroom-child.ts) and the ratio is judged on every machine.
    console.log(`gc-headroom: ${outside} mark-compacts without the headroom, ${inside} with it`);
    expect(inside).toBeLessThanOrEqual(8);
    expect(inside * 3).toBeLessThanOrEqual(outside);
  }, 300_000);

  it('is held while any transfer runs, nested or side by side, and let go after a failure too', async () => {
    expect(gcHeadroomHolders()).toBe(0);
    let release: () => void = () => undefined;
    const first = withGcHeadroom(() => new Promise<void>((resolve) => (release = resolve)));
    expect(gcHeadroomHolders()).toBe(1);
    const second = withGcHeadroom(async () => {
      expect(gcHeadroomHolders()).toBe(2);
      await withGcHeadroom(async () => expect(gcHeadroomHolders()).toBe(3));
      throw new Error('the transfer failed');
    });
    await expect(second).rejects.toThrow('the transfer failed');
    expect(gcHeadroomHolders()).toBe(1);
    release();
    await first;
    expect(gcHeadroomHolders()).toBe(0);
  });
});
