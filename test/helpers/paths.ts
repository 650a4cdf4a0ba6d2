import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { madeTempDir } from './temp-dirs';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TEST_OUTPUT = join(REPO_ROOT, 'test-output');

/** A fresh temporary directory per test, removed when the test file ends (temp-dirs.ts). */
export function tempDir(prefix = 'mm-test-'): Promise<string> {
  return madeTempDir(prefix);
}
