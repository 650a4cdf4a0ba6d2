/**
 * A refused transfer's staging folder is removed even while the node's `tar -x`, stopped a
 * moment before, is still writing into it (CI 2026-12-03: one `rm -rf` removed the files but
 * not the folder, "not empty", and the half site stayed). A real process with its working
 * directory in the folder keeps creating files for three seconds, as a late tar would; the removal
 * runs on the local machine's transport while it does (one `rm -rf` fails this: 6 of 6 runs).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTransport } from '../../electron/core/agent/local-transport';
import { discardStaging } from '../../electron/core/content/transfer';
import { tempDir } from '../helpers/paths';

/**
 * Creates files in `dir` (its working directory), a few per millisecond for `ms`, as a late
 * `tar -x` would; reports how many it made and when (epoch ms) it made the last one.
 */
const WRITER = `
const [dir, ms] = process.argv.slice(1);
process.chdir(dir);
const pause = new Int32Array(new SharedArrayBuffer(4));
const end = Date.now() + Number(ms);
let created = 0, lastAt = 0;
for (let i = 0; Date.now() < end; i++) {
  try { require('node:fs').writeFileSync('f' + i, 'x'); created++; lastAt = Date.now(); } catch {}
  if (i % 4 === 3) Atomics.wait(pause, 0, 0, 1);
}
console.log(JSON.stringify({ created, lastAt }));`;

function lateWriter(dir: string, ms: number): Promise<{ created: number; lastAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER, dir, String(ms)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the writer ended with ${code}: ${out}`));
      else resolve(JSON.parse(out) as { created: number; lastAt: number });
    });
  });
}

describe('discardStaging', () => {
  it('removes the folder while a late writer is still creating files in it; nothing comes back', async () => {
    const staging = join(await tempDir('mm-discard-'), 'site.mm-staging');
    await mkdir(join(staging, 'css'), { recursive: true });
    const writing = lateWriter(staging, 3000);
    // The writer has its working directory in the folder and files appear before the removal starts.
    for (let i = 0; i < 200 && (await readdir(staging)).length < 200; i++)
      await new Promise((r) => setTimeout(r, 10));
    const removalStartedAt = Date.now();
    await discardStaging(localTransport(), staging);
    expect(existsSync(staging)).toBe(false);
    const { created, lastAt } = await writing;
    // The writer was still making files after the removal started (the race happened) …
    expect(created).toBeGreaterThan(0);
    expect(lastAt).toBeGreaterThan(removalStartedAt);
    // … and once the writer stopped, the folder is still gone: nothing came back.
    expect(existsSync(staging)).toBe(false);
  });

  it('is done at once for a folder that is not there', async () => {
    const staging = join(await tempDir('mm-discard-'), 'never-made');
    await discardStaging(localTransport(), staging);
    expect(existsSync(staging)).toBe(false);
  });
});
