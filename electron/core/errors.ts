import type { AppError } from '../../shared/result';

/** An expected failure with a stable code; handlers turn it into a Result error. */
export class MmError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly where?: string,
  ) {
    super(message);
    this.name = 'MmError';
  }

  toAppError(): AppError {
    return this.where === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, where: this.where };
  }
}

/** Any thrown value as an AppError; unexpected errors keep their message but get a generic code. */
export function toAppError(e: unknown): AppError {
  if (e instanceof MmError) return e.toAppError();
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message };
}
