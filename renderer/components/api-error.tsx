import { Alert } from '@mantine/core';
import type { AppError } from '../../shared/result';

/** An error from the core, as the engineer should read it: what, and where (said once). */
export function ApiErrorAlert({ error, title }: { error: AppError; title?: string }) {
  // Most messages name their object already ("Domain x.test is …"): an id is not repeated.
  const where = error.where && !error.message.includes(error.where) ? ` (${error.where})` : '';
  return (
    <Alert color="red" title={title ?? 'Something went wrong'} data-testid="api-error">
      {error.message}
      {where}
    </Alert>
  );
}
