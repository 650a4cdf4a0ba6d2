/**
 * Content re-sync (R13): a button per migration batch and per domain; each first shows what it
 * would move (a dry run), then moves it. The last pass stays on screen (resync.json).
 */
import { Button, Group, Stack, Table, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { JobProgress } from '../../../shared/contract';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { JobProgressBar } from '../../components/job-progress';
import { useCall } from '../../hooks/use-call';
import { useJob } from '../../hooks/use-job';
import { useReadOnly } from '../../project-context';
import { formatTime } from '../../format';

interface Scope {
  readonly domains?: string[];
  readonly batch?: string;
}

export function ResyncPanel({ projectId }: { projectId: string }) {
  const readOnly = useReadOnly();
  const last = useCall('cutover:resync-last', { projectId });
  const batches = useCall('migration:jobs', { projectId });
  const [error, setError] = useState<AppError>();
  const reload = last.reload;
  const onFinished = useCallback((_p: JobProgress) => reload(), [reload]);
  const { progress, track } = useJob(onFinished);
  const busy = progress?.state === 'running';

  const start = async (dryRun: boolean, scope: Scope): Promise<void> => {
    const r = await api.call('cutover:resync', { projectId, dryRun, ...scope });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    track(r.value.jobId);
  };

  const run = last.data;
  return (
    <Stack data-testid="resync">
      <Text size="sm" c="dimmed">
        After a migration, a later pass moves only what changed on the source since the last copy: new,
        changed and removed files, new and removed messages. Look first (dry run), then move.
      </Text>
      <Group>
        <Button variant="default" disabled={readOnly || busy} onClick={() => void start(true, {})}>
          What would move (all)
        </Button>
        <Button disabled={readOnly || busy} onClick={() => void start(false, {})}>
          Re-sync all
        </Button>
      </Group>
      {(batches.data ?? []).length > 0 && (
        <Table withTableBorder data-testid="resync-batches">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Batch</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Objects</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(batches.data ?? []).map((b) => (
              <Table.Tr key={b.jobId}>
                <Table.Td>{b.jobId.slice(0, 8)}</Table.Td>
                <Table.Td>{formatTime(b.createdAt)}</Table.Td>
                <Table.Td>{b.objects.migrated}</Table.Td>
                <Table.Td>
                  <Group gap="xs">
                    <Button
                      size="xs"
                      variant="default"
                      disabled={readOnly || busy}
                      onClick={() => void start(true, { batch: b.jobId })}
                    >
                      What would move
                    </Button>
                    <Button
                      size="xs"
                      disabled={readOnly || busy}
                      onClick={() => void start(false, { batch: b.jobId })}
                    >
                      Re-sync batch
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <JobProgressBar progress={progress} />
      {error && <ApiErrorAlert error={error} />}
      {run && (
        <Stack gap="xs" data-testid="resync-last">
          <Text fw={600}>
            {run.dryRun ? 'Would move' : 'Moved'} ({formatTime(run.at)}): {run.changes.files} file(s),{' '}
            {run.changes.messages} message(s), {run.changes.databases} database(s), {run.changes.bytes} bytes;{' '}
            {run.dryRun ? 'would delete' : 'deleted'} {run.changes.deleted}.
          </Text>
          {run.items.length === 0 && (
            <Text size="sm">Nothing changed on the source since the last copy.</Text>
          )}
          {run.items.length > 0 && (
            <Table striped withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Domain</Table.Th>
                  <Table.Th>Content</Table.Th>
                  <Table.Th>New</Table.Th>
                  <Table.Th>Changed</Table.Th>
                  <Table.Th>Deleted</Table.Th>
                  <Table.Th>Bytes</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {run.items.map((i) => (
                  <Table.Tr key={i.content} data-testid="resync-item">
                    <Table.Td>{i.domain}</Table.Td>
                    <Table.Td>{i.content}</Table.Td>
                    <Table.Td>{i.added.length}</Table.Td>
                    <Table.Td>{i.changed.length}</Table.Td>
                    <Table.Td>{i.deleted.length}</Table.Td>
                    <Table.Td>{i.bytes}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        disabled={readOnly || busy}
                        onClick={() => void start(false, { domains: [i.domain] })}
                      >
                        Re-sync {i.domain}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {run.skipped.map((s) => (
            <Text key={s.content} size="sm" c="dimmed">
              Skipped {s.content} ({s.domain}): {s.reason}
            </Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
