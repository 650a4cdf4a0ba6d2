import { Alert, Badge, Button, Group, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';

/** What the sandbox target holds: accounts, subscriptions, domains, DNS, mail, databases, FTP. */
export function TargetBrowser({ projectId }: { projectId: string }) {
  const browse = useCall('target:browse', { projectId });
  const first = browse.data?.tables[0]?.key;
  return (
    <Stack data-testid="target-browser">
      <Group justify="space-between">
        <Title order={4}>What the target holds</Title>
        <Button variant="subtle" onClick={browse.reload} loading={browse.loading}>
          Refresh
        </Button>
      </Group>
      {browse.error && <ApiErrorAlert error={browse.error} title="The target cannot be browsed" />}
      {browse.data && !browse.data.available && <Alert color="gray">{browse.data.message}</Alert>}
      {browse.data?.available && first && (
        <Tabs defaultValue={first}>
          <Tabs.List>
            {browse.data.tables.map((t) => (
              <Tabs.Tab
                key={t.key}
                value={t.key}
                rightSection={
                  <Badge size="xs" variant="light" data-testid={`target-count-${t.key}`}>
                    {t.total.toLocaleString('en')}
                  </Badge>
                }
              >
                {t.title}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {browse.data.tables.map((t) => (
            <Tabs.Panel key={t.key} value={t.key} pt="xs">
              {t.rows.length === 0 ? (
                <Text c="dimmed" size="sm">
                  Nothing yet.
                </Text>
              ) : (
                <Table striped aria-label={t.title}>
                  <Table.Thead>
                    <Table.Tr>
                      {t.columns.map((c) => (
                        <Table.Th key={c}>{c}</Table.Th>
                      ))}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {t.rows.map((row, i) => (
                      <Table.Tr key={i}>
                        {row.map((v, j) => (
                          <Table.Td key={j}>{v}</Table.Td>
                        ))}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Tabs.Panel>
          ))}
        </Tabs>
      )}
    </Stack>
  );
}
