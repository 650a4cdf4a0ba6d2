/**
 * A refused transfer's staging folder is removed even while the node's `tar -x`, stopped a
 * moment before, is still writing into it (CI 2026-12-03: one `rm -rf` removed the files but
 * not the folder, "not empty", and the half site stayed). A real process with its working
 * directory in the folder keeps creating files for a second, as a late tar would; the removal
 * runs on the local machine's transport while it does.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localTransport } from '../../electron/core/agent/local-transport';
import { discardStaging } from '../../electron/core/content/transfer';
import { tempDir } from '../helpers/paths';

/** Creates files in `dir` (its working directory) every few milliseconds for about `ms`. */
function lateWriter(dir: string, ms: number): Promise<{ created: number; failed: number }> {
  const script = [
    'cd "$1" || exit 9',
    'end=$(( $(date +%s%N) / 1000000 + $2 ))',
    'i=0 ok=0 bad=0',
    'while [ $(( $(date +%s%N) / 1000000 )) -lt "$end" ]; do',
    '  i=$((i+1))',
    '  if mkdir -p "d$i" 2>/dev/null && : > "d$i/f" 2>/dev/null; then ok=$((ok+1)); else bad=$((bad+1)); fi',
    'done',
    'echo "$ok $bad"',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script, 'sh', dir, String(ms)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const [created, failed] = out.trim().split(' ').map(Number);
      if (code !== 0 || created === undefined || failed === undefined)
        reject(new Error(`the writer ended with ${code}: ${out}`));
      else resolve({ created, failed });
    });
  });
}

describe('discardStaging', () => {
  it('removes the folder while a late writer is still creating files in it; nothing comes back', async () => {
    const staging = join(await tempDir('mm-discard-'), 'site.mm-staging');
    await mkdir(join(staging, 'css'), { recursive: true });
    const writing = lateWriter(staging, 1500);
    // The writer has its working directory in the folder and files appearing before the removal starts.
    for (let i = 0; i < 100 && (await readdir(staging)).length < 20; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await readdir(staging)).length).toBeGreaterThanOrEqual(20);
    await discardStaging(localTransport(), staging);
    expect(existsSync(staging)).toBe(false);
    const { created, failed } = await writing;
    // The writer went on after the removal: every later attempt failed, and the folder stayed gone.
    expect(created).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    expect(existsSync(staging)).toBe(false);
  });

  it('is done at once for a folder that is not there', async () => {
    const staging = join(await tempDir('mm-discard-'), 'never-made');
    await discardStaging(localTransport(), staging);
    expect(existsSync(staging)).toBe(false);
  });
});
