/** Errors cross every boundary (IPC, HTTP, CLI) as data, never as thrown exceptions. */
export interface AppError {
  /** Stable kebab-case code scripts can branch on, e.g. `store-corrupt`, `invalid-input`. */
  readonly code: string;
  /** One sentence an engineer can act on. */
  readonly message: string;
  /** What the error is about: a file, a field, a server, a method. */
  readonly where?: string;
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (code: string, message: string, where?: string): Result<never> => ({
  ok: false,
  error: where === undefined ? { code, message } : { code, message, where },
});
