/**
 * One form's call to the core: busy while it runs, the refusal kept for the form to show, and
 * `onDone` with the answer once it succeeds (the form resets and closes there).
 */
import { useState } from 'react';
import type { AppError, Result } from '../../shared/result';

export interface Submit {
  readonly busy: boolean;
  readonly error: AppError | undefined;
  /** Forgets the refusal (the user edited the field it named). */
  readonly clearError: () => void;
  readonly submit: () => void;
}

export function useSubmit<T>(call: () => Promise<Result<T>>, onDone: (value: T) => void): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError>();
  const submit = (): void => {
    setBusy(true);
    void call().then((r) => {
      setBusy(false);
      if (!r.ok) return setError(r.error);
      setError(undefined);
      onDone(r.value);
    });
  };
  return { busy, error, clearError: () => setError(undefined), submit };
}
