/**
 * One batch: its progress (objects and steps, ETA) live from migration:progress, the controls
 * its state allows (none in a review copy), and the read-back "found N of N" once it ends.
 */
import { Alert, Button, Card, Group, Progress, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { JobSummary } from '../../../shared/model/migration';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { StateBadge, etaText, timeText } from './migration-badges';
import { ReadBack } from './read-back';

type Action = 'pause' | 'resume' | 'cancel' | 'retry';

/** Which controls a batch in this state offers. */
export function actionsFor(job: JobSummary): readonly Action[] {
  if (job.state === 'running' || job.state === 'queued' || job.state === 'reconciling')
    return ['pause', 'cancel'];
  if (job.state === 'paused') return ['resume', 'cancel'];
  if (job.state === 'failed' || (job.state === 'cancelled' && job.objects.failed > 0)) return ['retry'];
  return [];
}

const LABELS: Readonly<Record<Action, string>> = {
  pause: 'Pause',
  resume: 'Resume',
  cancel: 'Cancel',
  retry: 'Retry failed',
};

function Bar({
  label,
  done,
  failed,
  total,
  testId,
}: {
  label: string;
  done: number;
  failed: number;
  total: number;
  testId: string;
}) {
  const pct = (n: number): number => (total > 0 ? (n / total) * 100 : 0);
  return (
    <Stack gap={2} data-testid={testId} data-done={done} data-total={total} data-failed={failed}>
      <Group justify="space-between">
        <Text size="sm">{label}</Text>
        <Text size="sm" c="dimmed">
          {done} of {total}
          {failed > 0 ? `, ${failed} failed` : ''}
        </Text>
      </Group>
      <Progress.Root size="lg" aria-label={`${label}: ${done} of ${total}`}>
        <Progress.Section value={pct(done)} color="teal" />
        <Progress.Section value={pct(failed)} color="red" />
      </Progress.Root>
    </Stack>
  );
}

export function BatchCard({
  projectId,
  job,
  readOnly,
  onChanged,
}: {
  projectId: string;
  job: JobSummary;
  readOnly: boolean;
  onChanged: () => void;
}) {
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState<Action>();

  const control = async (action: Action): Promise<void> => {
    setBusy(action);
    const r = await api.call('migration:control', { projectId, jobId: job.jobId, action });
    setBusy(undefined);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    onChanged();
  };

  const live = job.state === 'running' || job.state === 'queued' || job.state === 'reconciling';
  return (
    <Card withBorder data-testid="batch-card" data-job={job.jobId} data-state={job.state}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Text fw={600}>Batch {job.jobId.slice(0, 8)}</Text>
            <StateBadge state={job.state} />
            {job.interrupted && <StateBadge state="interrupted" />}
          </Group>
          <Text size="xs" c="dimmed">
            started {timeText(job.createdAt)} · {job.concurrency} at once · last change{' '}
            {timeText(job.updatedAt)}
          </Text>
        </Group>
        {job.interrupted && (
          <Alert color="orange" title="Interrupted" data-testid="batch-interrupted">
            The process running this batch stopped before it finished. Resume it: every step it had started is
            looked up on the target first, so nothing is created twice.
          </Alert>
        )}
        <Bar
          label="Objects"
          done={job.objects.migrated}
          failed={job.objects.failed}
          total={job.objects.total}
          testId="progress-objects"
        />
        <Bar
          label="Steps"
          done={job.steps.done}
          failed={job.steps.failed}
          total={job.steps.total}
          testId="progress-steps"
        />
        {job.readBack && job.state === 'reconciling' && (
          <Bar
            label="Read back"
            done={job.readBack.done}
            failed={0}
            total={job.readBack.total}
            testId="progress-read-back"
          />
        )}
        {live && (
          <Text size="sm" data-testid="batch-eta">
            Time left: {etaText(job.etaSeconds)}
          </Text>
        )}
        {!readOnly && (
          <Group gap="xs">
            {actionsFor(job).map((a) => (
              <Button
                key={a}
                size="xs"
                variant={a === 'cancel' ? 'default' : 'filled'}
                color={a === 'cancel' ? 'red' : undefined}
                loading={busy === a}
                onClick={() => void control(a)}
              >
                {LABELS[a]}
              </Button>
            ))}
          </Group>
        )}
        {error && <ApiErrorAlert error={error} />}
        {job.failures.length > 0 && !live && (
          <Text size="sm" c="red">
            {job.failures.length} failed:{' '}
            {job.failures
              .slice(0, 3)
              .map((f) => `${f.id} (${f.message})`)
              .join('; ')}
            {job.failures.length > 3 ? '; …' : ''}
          </Text>
        )}
        {job.reconciliation && <ReadBack reconciliation={job.reconciliation} />}
      </Stack>
    </Card>
  );
}
