/**
 * Vitest setup file (vitest.config.ts, setupFiles): after each test file, stops the servers the
 * helpers started that are still running and removes the temporary folders the file made.
 * Registered before the file's own hooks, so it runs after them: a test's own stop comes first.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs';

afterAll(removeTempDirs, 120_000);
