import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { InventoryKind } from '../../../shared/model/inventory';
import { STATUSES, type VerificationStatus, type VerifiedKind } from '../../../shared/statuses';
import { VerificationStatusBadge, statusColor } from '../../components/verification-badges';
import { formatTime } from '../../format';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall, useEvent } from '../../hooks/use-call';
import type { Route } from '../../hooks/use-route';
import { CommentsPanel } from '../review/comments-panel';
import { ReviewActions } from '../review/review-actions';
import { MigrationCard } from './migration-card';
import { ChecksCard } from '../checks/checks-card';
import { ProjectSteps } from './project-steps';

/** The project at a glance: every number opens the table it counts. */
export function DashboardPage({ projectId, navigate }: { projectId: string; navigate: (r: Route) => void }) {
  const project = useCall('projects:get', { projectId });
  const servers = useCall('servers:list', { projectId });
  const [merges, setMerges] = useState(0);
  if (project.error) return <ApiErrorAlert error={project.error} title="The project cannot be opened" />;
  const p = project.data;
  if (!p) return null;

  const openInventory = (kind: InventoryKind, server?: string): void =>
    navigate({ page: 'inventory', projectId, params: server ? { kind, server } : { kind } });
  const stats: { label: string; value: number; open: () => void }[] = [
    { label: 'Source servers', value: p.serverCount, open: () => navigate({ page: 'servers', projectId }) },
    { label: 'Accounts', value: p.counts.accounts, open: () => openInventory('accounts') },
    { label: 'Domains', value: p.counts.domains, open: () => openInventory('domains') },
    { label: 'Subscriptions', value: p.counts.subscriptions, open: () => openInventory('subscriptions') },
    { label: 'Service templates', value: p.counts.templates, open: () => openInventory('templates') },
  ];
  const chart = (servers.data ?? [])
    .filter((s) => s.inventory)
    .map((s) => ({
      server: s.name,
      Accounts: s.inventory?.accounts ?? 0,
      Domains: s.inventory?.domains ?? 0,
      Subscriptions: s.inventory?.subscriptions ?? 0,
    }));

  return (
    <Stack>
      <Title order={2} data-testid="project-title">
        {p.name}
      </Title>
      {p.description && <Text c="dimmed">{p.description}</Text>}
      <ReviewActions project={p} onMerged={() => setMerges((n) => n + 1)} />
      <ProjectSteps projectId={projectId} navigate={navigate} />
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        {stats.map((s) => (
          <Card
            key={s.label}
            withBorder
            padding="md"
            component="button"
            onClick={s.open}
            style={{ cursor: 'pointer', textAlign: 'left' }}
            aria-label={`${s.label}: ${s.value}`}
          >
            <Text size="xs" c="dimmed" tt="uppercase">
              {s.label}
            </Text>
            <Text size="xl" fw={700} data-testid={`stat-${s.label.toLowerCase().replace(/ /g, '-')}`}>
              {s.value}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      {chart.length > 0 && (
        <Card withBorder>
          <Text fw={600} mb="sm">
            Inventory by source server
          </Text>
          <BarChart
            h={220}
            data={chart}
            dataKey="server"
            withLegend
            series={[
              { name: 'Accounts', color: 'blue.6' },
              { name: 'Domains', color: 'teal.6' },
              { name: 'Subscriptions', color: 'grape.6' },
            ]}
          />
        </Card>
      )}
      <VerificationCard projectId={projectId} navigate={navigate} />
      <MigrationCard projectId={projectId} navigate={navigate} />
      <ChecksCard projectId={projectId} navigate={navigate} />
      {(servers.data?.length ?? 0) > 0 && (
        <Card withBorder>
          <Text fw={600} mb="sm">
            Source servers
          </Text>
          <Table data-testid="dashboard-servers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Server</Table.Th>
                <Table.Th>System</Table.Th>
                <Table.Th>Accounts</Table.Th>
                <Table.Th>Domains</Table.Th>
                <Table.Th>Subscriptions</Table.Th>
                <Table.Th>Templates</Table.Th>
                <Table.Th>Inventory</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {servers.data?.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Group gap="xs">
                      {s.name}
                      {s.demo && (
                        <Badge size="xs" color="grape">
                          demo
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {s.kind} · API v{s.apiVersion}
                  </Table.Td>
                  {(['accounts', 'domains', 'subscriptions', 'templates'] as const).map((k) => (
                    <Table.Td key={k}>
                      <Anchor component="button" onClick={() => openInventory(k, s.id)}>
                        {s.inventory?.[k] ?? 0}
                      </Anchor>
                    </Table.Td>
                  ))}
                  <Table.Td>{s.inventory ? formatTime(s.inventory.fetchedAt) : 'not fetched'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      <Card withBorder>
        <CommentsPanel key={merges} projectId={projectId} />
      </Card>
      <Text size="xs" c="dimmed">
        Stored in {p.dataDir}
      </Text>
    </Stack>
  );
}

const KIND_LABELS = { account: 'Accounts', domain: 'Domains', subscription: 'Subscriptions' } as const;

function statusInfo(kind: VerifiedKind, status: string): { label: string; migrates: boolean } {
  const table = STATUSES[kind] as Record<string, { label: string; migrates: boolean }>;
  return table[status] ?? { label: status, migrates: false };
}

/** Verification at a glance: per kind, how many objects have each status; each number opens them. */
function VerificationCard({ projectId, navigate }: { projectId: string; navigate: (r: Route) => void }) {
  const summary = useCall('verification:summary', { projectId });
  const reload = summary.reload;
  useEvent(
    'verification:changed',
    useCallback(() => reload(), [reload]),
  );
  const s = summary.data;
  if (!s) return null;
  if (!s.verifiedAt) {
    return (
      <Card withBorder>
        <Text fw={600}>Verification</Text>
        <Text size="sm" c="dimmed">
          Not verified yet: map the templates, select accounts and domains, then verify.
        </Text>
      </Card>
    );
  }
  const kinds = Object.keys(KIND_LABELS) as VerifiedKind[];
  const data = kinds.map((kind) => {
    const counts = s.counts[kind] ?? {};
    const migrate = Object.entries(counts)
      .filter(([status]) => statusInfo(kind, status).migrates)
      .reduce((a, [, n]) => a + n, 0);
    const total = Object.values(counts).reduce((a, n) => a + n, 0);
    return { kind: KIND_LABELS[kind], 'Will migrate': migrate, 'Needs attention': total - migrate };
  });
  return (
    <Card withBorder data-testid="dashboard-verification">
      <Group justify="space-between" mb="sm">
        <Text fw={600}>Verification</Text>
        <Text size="xs" c={s.stale ? 'orange' : 'dimmed'}>
          {s.stale ? 'Out of date: something changed since ' : 'Verified '}
          {formatTime(s.verifiedAt)}
        </Text>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <BarChart
          h={200}
          data={data}
          dataKey="kind"
          type="stacked"
          withLegend
          series={[
            // The colours of the statuses everywhere: green migrates, red does not.
            { name: 'Will migrate', color: `${statusColor('verified')}.6` },
            { name: 'Needs attention', color: `${statusColor('verification-failed')}.6` },
          ]}
        />
        <Table>
          <Table.Tbody>
            {kinds.flatMap((kind) =>
              Object.entries(s.counts[kind] ?? {}).map(([status, n]) => (
                <Table.Tr key={`${kind}-${status}`}>
                  <Table.Td>{KIND_LABELS[kind]}</Table.Td>
                  <Table.Td>
                    <VerificationStatusBadge kind={kind} status={status as VerificationStatus} />
                  </Table.Td>
                  <Table.Td>
                    <Anchor
                      component="button"
                      onClick={() => navigate({ page: 'verification', projectId, params: { kind, status } })}
                    >
                      {n}
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              )),
            )}
          </Table.Tbody>
        </Table>
      </SimpleGrid>
    </Card>
  );
}
