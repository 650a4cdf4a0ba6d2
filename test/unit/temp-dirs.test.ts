/**
 * The clean-up of the folders tests make (test/helpers/temp-dirs.ts): a server still writing
 * into its folder is stopped first, then the folder goes; MM_KEEP_TEST_DIRS=1 keeps them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { madeTempDir, madeTempDirSync, removeTempDirs, stoppedAtEnd } from '../helpers/temp-dirs';

/** A real process that keeps creating files in `dir` until it is killed. */
function writer(dir: string): ChildProcess {
  return spawn(
    'sh',
    ['-c', 'i=0; while :; do i=$((i+1)); mkdir -p "$1/d$i" && echo x > "$1/d$i/f"; done', 'sh', dir],
    {
      stdio: 'ignore',
    },
  );
}

function stopOf(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

async function waitForFiles(dir: string): Promise<void> {
  while ((await readdir(dir)).length < 5) await new Promise((r) => setTimeout(r, 20));
}

describe('temporary folders of a test file', () => {
  afterEach(() => {
    delete process.env['MM_KEEP_TEST_DIRS'];
  });

  it('stops a server still writing into its folder, then removes the folder', async () => {
    const dir = await madeTempDir('mm-temp-dirs-test-');
    const child = writer(dir);
    let stops = 0;
    const stop = stoppedAtEnd(() => {
      stops += 1;
      return stopOf(child)();
    });
    await waitForFiles(dir);

    await removeTempDirs();

    expect(child.signalCode).toBe('SIGTERM');
    expect(existsSync(dir)).toBe(false);
    // the test's own later call shares the clean-up's stop: it does not signal again
    await stop();
    expect(stops).toBe(1);
  });

  it('stops a server the test stopped itself only once', async () => {
    const dir = madeTempDirSync('mm-temp-dirs-test-');
    const child = writer(dir);
    let stops = 0;
    const stop = stoppedAtEnd(() => {
      stops += 1;
      return stopOf(child)();
    });
    await waitForFiles(dir);
    await stop();

    await removeTempDirs();

    expect(stops).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });

  it('passes over a folder the test removed already', async () => {
    const gone = await madeTempDir('mm-temp-dirs-test-');
    const kept = await madeTempDir('mm-temp-dirs-test-');
    await rm(gone, { recursive: true });

    await removeTempDirs();

    expect(existsSync(kept)).toBe(false);
  });

  it('keeps every folder with MM_KEEP_TEST_DIRS=1', async () => {
    const dir = await madeTempDir('mm-temp-dirs-test-');
    process.env['MM_KEEP_TEST_DIRS'] = '1';

    await removeTempDirs();

    expect(existsSync(join(dir))).toBe(true);
    await rm(dir, { recursive: true });
  });
});
