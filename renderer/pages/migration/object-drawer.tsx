/** One object of a batch: every step with the target's answers (ids, message, how known), and its history. */
import { Drawer, Group, Stack, Table, Text } from '@mantine/core';
import type { ObjectStatusRow } from '../../../shared/model/migration';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';
import { HistoryTimeline } from '../review/history-timeline';
import { StateBadge, timeText } from './migration-badges';

const VIA: Readonly<Record<string, string>> = {
  call: 'the call’s answer',
  'already-exists': 'the target said it already exists',
  'look-up': 'found by look-up after a restart',
  'request-status': 'the asynchronous request’s status',
};

export function ObjectDrawer(props: {
  projectId: string;
  jobId: string;
  row: ObjectStatusRow | undefined;
  serverName: (id: string) => string;
  onClose: () => void;
}) {
  const { row } = props;
  return (
    <Drawer
      opened={row !== undefined}
      onClose={props.onClose}
      position="right"
      size="xl"
      title={row ? `${row.ref.kind} ${row.name}` : ''}
    >
      {row && <Steps key={`${props.jobId}/${row.key}`} {...props} row={row} />}
    </Drawer>
  );
}

function Steps({
  projectId,
  jobId,
  row,
  serverName,
}: {
  projectId: string;
  jobId: string;
  row: ObjectStatusRow;
  serverName: (id: string) => string;
}) {
  const steps = useCall('migration:steps', { projectId, jobId, object: row.key });
  return (
    <Stack data-testid="object-drawer">
      <Group gap="xs">
        <StateBadge state={row.state} />
        <Text size="sm">
          {row.ref.id} on {serverName(row.ref.serverId)} · {row.stepsDone} of {row.stepsTotal} steps
        </Text>
      </Group>
      {row.error && (
        <Text size="sm" c="red">
          {row.error}
        </Text>
      )}
      {steps.error && <ApiErrorAlert error={steps.error} />}
      {steps.data && (
        <Table withTableBorder layout="fixed" aria-label="Steps" data-testid="object-steps">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="38%">Step</Table.Th>
              <Table.Th w={136}>State</Table.Th>
              <Table.Th>Target’s answer</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {steps.data.map((s) => (
              <Table.Tr key={s.id} data-testid="object-step" data-kind={s.kind} data-state={s.state}>
                <Table.Td>
                  <Text size="sm">{s.label}</Text>
                  <Text size="xs" c="dimmed">
                    {s.kind}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <StateBadge state={s.state} />
                </Table.Td>
                <Table.Td style={{ wordBreak: 'break-word' }}>
                  {Object.entries(s.ids).map(([k, v]) => (
                    <Text
                      key={k}
                      size="xs"
                      ff="monospace"
                      data-testid="step-id"
                      style={{ wordBreak: 'break-all' }}
                    >
                      {k}={String(v)}
                    </Text>
                  ))}
                  {s.message && (
                    <Text size="sm" c={s.state === 'failed' ? 'red' : undefined}>
                      {s.message}
                    </Text>
                  )}
                  {s.via && (
                    <Text size="xs" c="dimmed">
                      {s.state === 'not-carried' ? 'named by the plan' : (VIA[s.via] ?? s.via)} ·{' '}
                      {timeText(s.at)}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text fw={600}>History</Text>
      <HistoryTimeline
        projectId={projectId}
        kind={row.ref.kind}
        serverId={row.ref.serverId}
        id={row.ref.id}
      />
    </Stack>
  );
}
