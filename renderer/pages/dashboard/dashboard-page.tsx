import { Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';

export function DashboardPage({ projectId }: { projectId: string }) {
  const project = useCall('projects:get', { projectId });
  if (project.error) return <ApiErrorAlert error={project.error} title="The project cannot be opened" />;
  const p = project.data;
  if (!p) return null;
  const stats = [
    { label: 'Source servers', value: p.serverCount },
    { label: 'Accounts', value: p.counts.accounts },
    { label: 'Domains', value: p.counts.domains },
    { label: 'Subscriptions', value: p.counts.subscriptions },
    { label: 'Service templates', value: p.counts.templates },
  ];
  return (
    <Stack>
      <Title order={2} data-testid="project-title">
        {p.name}
      </Title>
      {p.description && <Text c="dimmed">{p.description}</Text>}
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        {stats.map((s) => (
          <Card key={s.label} withBorder padding="md">
            <Text size="xs" c="dimmed" tt="uppercase">
              {s.label}
            </Text>
            <Group>
              <Text size="xl" fw={700}>
                {s.value}
              </Text>
            </Group>
          </Card>
        ))}
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        Stored in {p.dataDir}
      </Text>
    </Stack>
  );
}
