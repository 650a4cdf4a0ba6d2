import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TEST_OUTPUT = join(REPO_ROOT, 'test-output');

/** A fresh temporary directory per test. */
export function tempDir(prefix = 'mm-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
