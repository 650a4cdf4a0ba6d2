import { expect } from 'vitest';
import type { MmError } from '../../electron/core/errors';

/** The error a call must fail with; the test fails if the call succeeds. */
export function failure(call: Promise<unknown>, what = 'the call'): Promise<MmError> {
  return call.then(
    () => expect.fail(`${what} should have failed`),
    (e: unknown) => e as MmError,
  );
}
