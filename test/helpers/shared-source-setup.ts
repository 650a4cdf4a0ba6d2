/**
 * Vitest global set-up (vitest.config.ts): a folder for the run's shared source
 * (test/migration/shared-source.ts), handed to the test files as `sharedSourceDir`; when the run
 * ends, the shared sshd (if a file started one) is stopped by its pid and the folder removed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { isGone } from '../rehearsal/processes';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-shared-source-'));
  project.provide('sharedSourceDir', dir);
  return async () => {
    const pid = Number(await readFile(join(dir, 'sshd', 'listener.pid'), 'utf8').catch(() => ''));
    if (pid > 0) await stopListener(pid);
    if (process.env['MM_KEEP_TEST_DIRS'] === '1') console.error(`MM_KEEP_TEST_DIRS=1: kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  };
}

/**
 * SIGTERM, then SIGKILL if it is still there after 5 s. The listener was re-parented when the
 * worker that started it ended, so it may linger as a zombie until init reaps it: isGone counts
 * that as gone (a signal 0 would say it is alive).
 */
async function stopListener(pid: number): Promise<void> {
  if (await isGone(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (const until = Date.now() + 5_000; !(await isGone(pid)) && Date.now() < until;)
    await new Promise((r) => setTimeout(r, 50));
  if (!(await isGone(pid))) process.kill(pid, 'SIGKILL');
}
