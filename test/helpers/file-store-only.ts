/**
 * Tests that are about the file store itself, skipped when the suite runs on the PostgreSQL
 * store (`test/team/on-postgres.ts`). Kept apart from `store-under-test.ts` so scripts that run
 * outside vitest (the soak) can use that one.
 */
import { describe, it } from 'vitest';
import { onPgStore } from './store-under-test';

/**
 * `it` for a test that is about the file store itself (file modes, lock files, a damaged
 * document file): skipped on the PostgreSQL store, where those files do not exist. The reason
 * is required so the short list of such tests says why each is one.
 */
export function fileStoreOnly(reason: string): ReturnType<typeof it.skipIf> {
  if (reason.trim() === '') throw new Error('fileStoreOnly needs the reason the test is about files');
  return it.skipIf(onPgStore);
}

/** `describe` for a suite that is about the file store itself; skipped on the PostgreSQL store. */
export function describeFileStoreOnly(reason: string): ReturnType<typeof describe.skipIf> {
  if (reason.trim() === '')
    throw new Error('describeFileStoreOnly needs the reason the suite is about files');
  return describe.skipIf(onPgStore);
}
