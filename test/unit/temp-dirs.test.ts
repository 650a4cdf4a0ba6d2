/**
 * The clean-up of the folders tests make (test/helpers/temp-dirs.ts): a server still writing
 * into its folder is stopped first, then the folder goes; MM_KEEP_TEST_DIRS=1 keeps them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { stopChild } from '../helpers/stop-child';
import { madeTempDir, madeTempDirSync, removeTempDirs, stoppedAtEnd } from '../helpers/temp-dirs';

/**
 * A real process creating files in `dir` until it is stopped, registered as a server the way
 * the helpers register sshd or PostgreSQL; `stops` counts the calls that reached it.
 */
async function writingInto(dir: string) {
  const child = spawn(
    'sh',
    ['-c', 'i=0; while :; do i=$((i+1)); mkdir -p "$1/d$i" && echo x > "$1/d$i/f"; done', 'sh', dir],
    { stdio: 'ignore' },
  );
  const server = { child, stops: 0, stop: (): Promise<void> => Promise.resolve() };
  server.stop = stoppedAtEnd(() => {
    server.stops += 1;
    return stopChild(child);
  });
  while ((await readdir(dir)).length < 5) await new Promise((r) => setTimeout(r, 20));
  return server;
}

describe('temporary folders of a test file', () => {
  afterEach(() => {
    delete process.env['MM_KEEP_TEST_DIRS'];
  });

  it('stops a server still writing into its folder, then removes the folder', async () => {
    const dir = await madeTempDir('mm-temp-dirs-test-');
    const server = await writingInto(dir);

    await removeTempDirs();

    expect(server.child.signalCode).toBe('SIGTERM');
    expect(existsSync(dir)).toBe(false);
    // the test's own later call shares the clean-up's stop: it does not signal again
    await server.stop();
    expect(server.stops).toBe(1);
  });

  it('stops a server the test stopped itself only once', async () => {
    const dir = madeTempDirSync('mm-temp-dirs-test-');
    const server = await writingInto(dir);
    await server.stop();

    await removeTempDirs();

    expect(server.stops).toBe(1);
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

    expect(existsSync(dir)).toBe(true);
    await rm(dir, { recursive: true });
  });
});
