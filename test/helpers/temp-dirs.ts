/**
 * The temporary folders a test file makes, removed when that file ends (test/helpers/
 * clean-temp-dirs.ts registers the removal with vitest). Without it every run left its folders
 * in /tmp: 26,500 of them, 67 GB, after a few full runs.
 *
 * Vitest loads modules anew for each test file, so this list holds one file's folders only.
 * Servers the helpers start on such a folder (sshd, PostgreSQL, MariaDB, the browser host) are
 * registered too and stopped first: a folder is removed only once nothing writes into it.
 *
 * MM_KEEP_TEST_DIRS=1 keeps them, for looking at what a failed test left.
 */
import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
const running = new Set<() => Promise<void>>();

/** Read at the end, not at load: a debugging session may set it in a test's own env. */
const keepTestDirs = (): boolean => process.env['MM_KEEP_TEST_DIRS'] === '1';

/** A new folder in the system's temporary folder, removed when the test file ends. */
export async function madeTempDir(prefix: string): Promise<string> {
  return kept(await mkdtemp(join(tmpdir(), prefix)));
}

/** The same, for the synchronous helpers. */
export function madeTempDirSync(prefix: string): string {
  return kept(mkdtempSync(join(tmpdir(), prefix)));
}

function kept(dir: string): string {
  made.add(dir);
  return dir;
}

/**
 * Registers a server's stop, to run before the folders are removed if the test has not stopped
 * it itself. Returns the stop to hand out instead: it runs once however often it is called
 * (the test's own call and the clean-up share one promise) and then leaves the list.
 */
export function stoppedAtEnd(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const once = (): Promise<void> => {
    stopping ??= stop().finally(() => running.delete(once));
    return stopping;
  };
  running.add(once);
  return once;
}

/** How long a server may take to stop before the clean-up gives up on it (and says so). */
const STOP_MS = 30_000;

function withinStopTime(stopping: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${STOP_MS / 1000} s`)), STOP_MS);
  });
  return Promise.race([stopping, late]).finally(() => clearTimeout(timer));
}

const RETRIED = new Set(['EBUSY', 'ENOTEMPTY', 'EPERM']);

/** rm -rf, once more after a moment when a process was still writing into the folder. */
async function removeDir(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (e) {
    if (!RETRIED.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    await new Promise((r) => setTimeout(r, 500));
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Stops what still runs, then removes every folder this file made. A folder that cannot be
 * removed is named in the error (the test file fails: the next run would trip on it otherwise).
 */
export async function removeTempDirs(): Promise<void> {
  const stops = await Promise.allSettled([...running].map((stop) => withinStopTime(stop())));
  const stopFailures = stops.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
  if (keepTestDirs()) {
    if (made.size > 0) console.error(`MM_KEEP_TEST_DIRS=1: kept ${[...made].join(' ')}`);
    made.clear();
    return;
  }
  const dirs = [...made];
  made.clear();
  const removals = await Promise.allSettled(dirs.map((d) => removeDir(d)));
  const failures = removals.flatMap((r, i) =>
    r.status === 'rejected' ? [`${dirs[i]}: ${(r.reason as Error).message}`] : [],
  );
  if (failures.length > 0 || stopFailures.length > 0)
    throw new Error(
      [
        ...stopFailures.map((f) => `a server of this test file did not stop: ${f}`),
        ...failures.map((f) => `temporary folder not removed: ${f}`),
      ].join('\n'),
    );
}
