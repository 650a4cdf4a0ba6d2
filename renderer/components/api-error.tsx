import { Alert } from '@mantine/core';
import type { AppError } from '../../shared/result';

/** An error from the core, as the engineer should read it: what, and where. */
export function ApiErrorAlert({ error, title }: { error: AppError; title?: string }) {
  return (
    <Alert color="red" title={title ?? 'Something went wrong'} data-testid="api-error">
      {error.message}
      {error.where ? ` (${error.where})` : ''}
    </Alert>
  );
}
