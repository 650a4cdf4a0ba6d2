/**
 * The Workers page (issue 15): a project shared on PostgreSQL, its `mm worker` processes on any
 * machine — last heartbeat, units running / done / failed, steps per minute, a throughput chart —
 * and its batches spread over them: start one, pause, resume or cancel it, each unit's state.
 * Everything moves live: the core hears the database's notifications (`workers:changed`), and
 * the page asks again every 10 s for heartbeats.
 */
import { Alert, Badge, Button, Card, Code, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import type { SpreadBatchView, WorkerView } from '../../../shared/model/workers';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { formatTime } from '../../format';
import { useCall, useEvent } from '../../hooks/use-call';
import { useReadOnly } from '../../project-context';
import { ThroughputChart } from './throughput-chart';

const BATCH_COLOURS: Record<string, string> = {
  running: 'blue',
  paused: 'yellow',
  cancelled: 'gray',
  done: 'green',
  failed: 'red',
};

export function WorkersPage({ projectId }: { projectId: string }) {
  const view = useCall('workers:status', { projectId });
  const reload = view.reload;
  useEvent(
    'workers:changed',
    useCallback((e: { projectId: string }) => e.projectId === projectId && reload(), [projectId, reload]),
  );
  useEffect(() => {
    const timer = setInterval(reload, 10_000);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <Stack>
      <Title order={2}>Workers</Title>
      {view.error && <ApiErrorAlert error={view.error} />}
      {view.data && !view.data.shared && (
        <Alert
          color="blue"
          title="This project is kept in files on this machine"
          data-testid="workers-not-shared"
        >
          Workers on other machines take their units from a project shared on PostgreSQL. Move it there with{' '}
          <Code>mm project move --store postgres://user@host:5432/database</Code>, or create the project on
          PostgreSQL from the project list.
        </Alert>
      )}
      {view.data?.shared && (
        <>
          <Text size="sm" c="dimmed" data-testid="workers-store">
            Shared on {view.data.address}. Add a worker on any machine that reaches the database, the sources
            and the target: <Code>mm worker --project {projectId}</Code>.
          </Text>
          <StartCard
            projectId={projectId}
            busy={view.data.batches.some((b) => isOpen(b))}
            onStarted={reload}
          />
          {view.data.batches.map((b) => (
            <BatchCard key={b.jobId} projectId={projectId} batch={b} onChanged={reload} />
          ))}
          <Card withBorder>
            <Title order={4} mb="xs">
              Workers
            </Title>
            <WorkersTable workers={view.data.workers} />
          </Card>
          <Card withBorder>
            <Title order={4} mb="xs">
              Throughput per worker
            </Title>
            <ThroughputChart points={view.data.throughput} />
          </Card>
        </>
      )}
    </Stack>
  );
}

/** A batch of 100,000 domains has thousands of units: the table shows those worth a look. */
const UNITS_SHOWN = 200;
const UNIT_ORDER: Record<string, number> = {
  running: 0,
  failed: 1,
  paused: 2,
  queued: 3,
  done: 4,
  cancelled: 5,
};
function shownUnits(b: SpreadBatchView): SpreadBatchView['units'] {
  if (b.units.length <= UNITS_SHOWN) return b.units;
  return [...b.units]
    .sort(
      (x, y) =>
        (UNIT_ORDER[x.state] ?? 9) - (UNIT_ORDER[y.state] ?? 9) || (y.message ? 1 : 0) - (x.message ? 1 : 0),
    )
    .slice(0, UNITS_SHOWN);
}

const isOpen = (b: SpreadBatchView): boolean =>
  ['queued', 'running', 'paused', 'reconciling'].includes(b.state);

function StartCard(props: { projectId: string; busy: boolean; onStarted: () => void }) {
  const readOnly = useReadOnly();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<AppError>();
  const [started, setStarted] = useState<string>();
  const [pending, setPending] = useState(false);
  const start = async (): Promise<void> => {
    setPending(true);
    const r = await api.call('workers:start', {
      projectId: props.projectId,
      ...(reason.trim() !== '' ? { force: reason.trim() } : {}),
    });
    setPending(false);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setStarted(`Batch ${r.value.jobId.slice(0, 8)} queued in ${r.value.units} units.`);
    props.onStarted();
  };
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Spread a batch over the workers
      </Title>
      <Text size="sm" mb="xs">
        The selection is planned once and split into units (an account with its domains); each worker takes
        units from the queue in the database.
      </Text>
      <Group align="flex-end">
        <TextInput
          label="Without a signed-off rehearsal, because"
          placeholder="only when no rehearsal of this plan is signed off"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          w={420}
        />
        <Button onClick={() => void start()} loading={pending} disabled={readOnly || props.busy}>
          Start the batch
        </Button>
      </Group>
      {props.busy && (
        <Text size="xs" c="dimmed" mt={4}>
          A batch of this project is still open: pause, resume or cancel it below.
        </Text>
      )}
      {started && (
        <Text size="sm" mt="xs" data-testid="workers-started">
          {started}
        </Text>
      )}
      {error && <ApiErrorAlert error={error} title="The batch was not started" />}
    </Card>
  );
}

function BatchCard(props: { projectId: string; batch: SpreadBatchView; onChanged: () => void }) {
  const { batch } = props;
  const readOnly = useReadOnly();
  const [error, setError] = useState<AppError>();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const act = async (action: 'pause' | 'resume' | 'cancel'): Promise<void> => {
    setConfirmCancel(false);
    const r = await api.call('workers:control', { projectId: props.projectId, jobId: batch.jobId, action });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    props.onChanged();
  };
  const c = batch.counts;
  return (
    <Card withBorder data-testid={`spread-batch-${batch.jobId}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={4}>Batch {batch.jobId.slice(0, 8)}</Title>
          <Badge color={BATCH_COLOURS[batch.state] ?? 'gray'} data-testid="spread-batch-state">
            {batch.state}
          </Badge>
        </Group>
        <Group gap="xs">
          {batch.state === 'running' && (
            <Button size="xs" variant="light" disabled={readOnly} onClick={() => void act('pause')}>
              Pause
            </Button>
          )}
          {batch.state === 'paused' && (
            <Button size="xs" variant="light" disabled={readOnly} onClick={() => void act('resume')}>
              Resume
            </Button>
          )}
          {isOpen(batch) && (
            <Button
              size="xs"
              variant="subtle"
              color="red"
              disabled={readOnly}
              onClick={() => setConfirmCancel(true)}
            >
              Cancel
            </Button>
          )}
        </Group>
      </Group>
      <Text size="sm" data-testid="spread-batch-counts">
        {c.queued} queued, {c.running} running, {c.paused} paused, {c.done} done, {c.failed} failed,{' '}
        {c.cancelled} cancelled
      </Text>
      {error && <ApiErrorAlert error={error} />}
      <Table mt="xs" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Unit</Table.Th>
            <Table.Th>Accounts / domains</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Worker</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>Steps</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shownUnits(batch).map((u) => (
            <Table.Tr key={u.unit}>
              <Table.Td>{u.unit}</Table.Td>
              <Table.Td>
                {u.accounts} / {u.domains}
              </Table.Td>
              <Table.Td title={u.message ?? undefined}>{u.state}</Table.Td>
              <Table.Td>{u.workerId ?? '—'}</Table.Td>
              <Table.Td>{u.attempts}</Table.Td>
              <Table.Td>{u.stepsDone}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {batch.units.length > UNITS_SHOWN && (
        <Text size="xs" c="dimmed" mt={4}>
          The {UNITS_SHOWN} units in hand or with a message first; {batch.units.length - UNITS_SHOWN} more are
          counted above.
        </Text>
      )}
      <ConfirmDialog
        opened={confirmCancel}
        title={`Cancel batch ${batch.jobId.slice(0, 8)}?`}
        confirmLabel="Cancel the batch"
        color="red"
        onCancel={() => setConfirmCancel(false)}
        onConfirm={() => void act('cancel')}
      >
        The units still queued are dropped; a unit a worker holds finishes the step in hand and stops. What
        was done stays done and journaled.
      </ConfirmDialog>
    </Card>
  );
}

function WorkersTable({ workers }: { workers: readonly WorkerView[] }) {
  if (workers.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="workers-none">
        No worker has started on this project yet.
      </Text>
    );
  return (
    <Table striped data-testid="workers-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Worker</Table.Th>
          <Table.Th>Last heartbeat</Table.Th>
          <Table.Th>Running</Table.Th>
          <Table.Th>Done</Table.Th>
          <Table.Th>Failed</Table.Th>
          <Table.Th>Steps</Table.Th>
          <Table.Th>Steps/min</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {workers.map((w) => (
          <Table.Tr key={w.workerId} data-testid="worker-row">
            <Table.Td>
              <Group gap="xs" wrap="nowrap">
                <Badge size="sm" color={w.alive ? 'green' : 'gray'}>
                  {w.stoppedAt ? 'stopped' : w.alive ? 'running' : 'gone'}
                </Badge>
                <Text size="sm" title={`pid ${w.pid}, ${w.concurrency} at once`}>
                  {w.workerId}
                </Text>
              </Group>
            </Table.Td>
            <Table.Td>{formatTime(w.seenAt)}</Table.Td>
            <Table.Td>{w.units.running}</Table.Td>
            <Table.Td>{w.units.done}</Table.Td>
            <Table.Td>{w.units.failed}</Table.Td>
            <Table.Td>{w.stepsDone}</Table.Td>
            <Table.Td>{w.stepsPerMinute}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
