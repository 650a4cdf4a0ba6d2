import { Progress, Stack, Text } from '@mantine/core';
import type { JobProgress } from '../../shared/contract';
import { ApiErrorAlert } from './api-error';

/** A job's live progress bar; its error when it failed. */
export function JobProgressBar({ progress }: { progress: JobProgress | undefined }) {
  if (!progress) return null;
  const pct = progress.total > 0 ? Math.round((progress.done / progress.total) * 100) : 0;
  if (progress.state === 'failed' && progress.error)
    return <ApiErrorAlert error={progress.error} title={`${progress.label} failed`} />;
  return (
    <Stack gap={4} data-testid="job-progress" data-state={progress.state}>
      <Progress value={progress.state === 'done' ? 100 : pct} animated={progress.state === 'running'} />
      <Text size="xs" c="dimmed">
        {progress.state === 'done' ? 'Done' : progress.state === 'cancelled' ? 'Cancelled' : progress.label}
      </Text>
    </Stack>
  );
}
