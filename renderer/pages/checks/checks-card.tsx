/**
 * Post-migration checks at a glance on the dashboard: the newest run's domains by status;
 * every number opens the Checks page filtered to it.
 */
import { Anchor, Card, Group, Table, Text } from '@mantine/core';
import type { CheckStatus } from '../../../shared/model/checks';
import { formatTime } from '../../format';
import { useCall } from '../../hooks/use-call';
import type { Route } from '../../hooks/use-route';

const ROWS: readonly { status: CheckStatus; label: string }[] = [
  { status: 'pass', label: 'Passed' },
  { status: 'warn', label: 'With warnings' },
  { status: 'fail', label: 'Failed' },
];

export function ChecksCard({ projectId, navigate }: { projectId: string; navigate: (r: Route) => void }) {
  const runs = useCall('checks:runs', { projectId });
  const newest = runs.data?.[0];
  const open = (status?: CheckStatus): void =>
    navigate({ page: 'checks', projectId, params: status ? { status } : {} });
  return (
    <Card withBorder data-testid="dashboard-checks">
      <Group justify="space-between" mb="xs">
        <Text fw={600}>Post-migration checks</Text>
        {newest && (
          <Text size="xs" c="dimmed">
            {newest.trigger === 'batch' ? 'After a batch' : 'By hand'}, {formatTime(newest.at)}
          </Text>
        )}
      </Group>
      {!newest ? (
        <Text size="sm" c="dimmed">
          No checks have run yet: they run when a batch ends, or{' '}
          <Anchor component="button" onClick={() => open()}>
            on the Checks page
          </Anchor>
          .
        </Text>
      ) : (
        <Table>
          <Table.Tbody>
            {ROWS.map((r) => (
              <Table.Tr key={r.status}>
                <Table.Td>{r.label}</Table.Td>
                <Table.Td>
                  <Anchor
                    component="button"
                    onClick={() => open(r.status)}
                    data-testid={`checks-stat-${r.status}`}
                    aria-label={`Domains ${r.label.toLowerCase()}: ${newest.counts[r.status]}`}
                  >
                    {newest.counts[r.status]}
                  </Anchor>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
