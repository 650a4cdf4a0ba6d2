/**
 * Migration at a glance on the dashboard: the newest batch's objects by state (migrated, failed,
 * pending) per kind; every number opens the Migration page's table filtered to it.
 */
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Anchor, Card, Group, SimpleGrid, Table, Text } from '@mantine/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobSummary, ObjectStatusRow } from '../../../shared/model/migration';
import { useCall, useEvent } from '../../hooks/use-call';
import type { Route } from '../../hooks/use-route';

const GROUPS = [
  {
    state: 'migrated',
    label: 'Migrated',
    color: 'teal.6',
    has: (r: ObjectStatusRow) => r.state === 'migrated',
  },
  {
    state: 'failed',
    label: 'Failed',
    color: 'red.6',
    has: (r: ObjectStatusRow) => r.state === 'failed' || r.state === 'blocked',
  },
  {
    state: 'pending',
    label: 'Pending',
    color: 'gray.5',
    has: (r: ObjectStatusRow) => r.state === 'pending' || r.state === 'running',
  },
] as const;

const KINDS = [
  { kind: 'account', label: 'Accounts' },
  { kind: 'domain', label: 'Domains' },
] as const;

export function MigrationCard({ projectId, navigate }: { projectId: string; navigate: (r: Route) => void }) {
  const jobs = useCall('migration:jobs', { projectId });
  const reloadJobs = jobs.reload;
  const [tick, setTick] = useState(0);
  const pending = useRef(false);
  useEvent(
    'migration:progress',
    useCallback(
      (s: JobSummary) => {
        if (s.projectId !== projectId || pending.current) return;
        // At most one refresh every 2 s while a batch runs.
        pending.current = true;
        setTimeout(() => {
          pending.current = false;
          reloadJobs();
          setTick((t) => t + 1);
        }, 2_000);
      },
      [projectId, reloadJobs],
    ),
  );
  if (!jobs.data) return null;
  const newest = jobs.data[0];
  const open = (state?: string): void =>
    navigate({
      page: 'migration',
      projectId,
      params: { ...(newest ? { job: newest.jobId } : {}), ...(state ? { state } : {}) },
    });
  if (!newest)
    return (
      <Card withBorder data-testid="dashboard-migration">
        <Text fw={600}>Migration</Text>
        <Text size="sm" c="dimmed">
          No batch has run yet.{' '}
          <Anchor component="button" onClick={() => open()}>
            Plan one on the Migration page
          </Anchor>
          .
        </Text>
      </Card>
    );
  return <NewestBatch projectId={projectId} job={newest} tick={tick} open={open} />;
}

/** The newest batch's objects by state and kind. */
function NewestBatch({
  projectId,
  job,
  tick,
  open,
}: {
  projectId: string;
  job: JobSummary;
  tick: number;
  open: (state?: string) => void;
}) {
  const objects = useCall('migration:objects', { projectId, jobId: job.jobId });
  const reload = objects.reload;
  useEffect(() => {
    if (tick > 0) reload();
  }, [tick, reload]);
  const rows = objects.data ?? [];
  const count = (kind: string | undefined, has: (r: ObjectStatusRow) => boolean): number =>
    rows.filter((r) => (!kind || r.ref.kind === kind) && has(r)).length;
  const data = KINDS.map((k) => ({
    kind: k.label,
    ...Object.fromEntries(GROUPS.map((g) => [g.label, count(k.kind, g.has)])),
  }));
  return (
    <Card withBorder data-testid="dashboard-migration">
      <Group justify="space-between" mb="sm">
        <Text fw={600}>Migration</Text>
        <Text size="xs" c="dimmed">
          Batch {job.jobId.slice(0, 8)}: {job.state}
          {job.interrupted ? ' (interrupted)' : ''}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <BarChart
          h={180}
          data={data}
          dataKey="kind"
          type="stacked"
          withLegend
          series={GROUPS.map((g) => ({ name: g.label, color: g.color }))}
        />
        <Table>
          <Table.Tbody>
            {GROUPS.map((g) => (
              <Table.Tr key={g.state}>
                <Table.Td>{g.label}</Table.Td>
                <Table.Td>
                  <Anchor
                    component="button"
                    onClick={() => open(g.state)}
                    data-testid={`migration-stat-${g.state}`}
                    aria-label={`${g.label} objects: ${count(undefined, g.has)}`}
                  >
                    {count(undefined, g.has)}
                  </Anchor>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </SimpleGrid>
    </Card>
  );
}
