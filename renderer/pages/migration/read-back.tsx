/** The read-back after a batch: per kind, what the target holds against what the plan says. */
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Badge, SimpleGrid, Table, Text } from '@mantine/core';
import { CREATED_KINDS, type JobSummary } from '../../../shared/model/migration';

/** People's words for the counted kinds (a kind added later shows as its key until named here). */
const CREATED_LABELS: Readonly<Partial<Record<(typeof CREATED_KINDS)[number], string>>> = {
  accounts: 'Accounts',
  members: 'Staff members',
  subscriptions: 'Subscriptions',
  domains: 'Domains',
  dnsRecords: 'DNS records',
  mailboxes: 'Mailboxes',
  forwards: 'Mail forwards',
  databases: 'Databases',
  ftpUsers: 'FTP users',
};

export function ReadBack({ reconciliation }: { reconciliation: NonNullable<JobSummary['reconciliation']> }) {
  const rows = CREATED_KINDS.map((k) => ({ kind: k, label: CREATED_LABELS[k] ?? k, ...reconciliation[k] }));
  const all = rows.every((r) => r.found === r.planned);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} data-testid="read-back">
      <div>
        <Text fw={600} size="sm" mb={4}>
          Read back from the target{' '}
          <Badge size="sm" color={all ? 'teal' : 'red'} variant="light">
            {all ? 'everything found' : 'something is missing'}
          </Badge>
        </Text>
        <Table withTableBorder aria-label="Read back per kind">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Found</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr
                key={r.kind}
                data-testid={`read-back-${r.kind}`}
                data-found={r.found}
                data-planned={r.planned}
              >
                <Table.Td>{r.label}</Table.Td>
                <Table.Td c={r.found === r.planned ? undefined : 'red'}>
                  found {r.found} of {r.planned}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      <BarChart
        h={300}
        data={rows.map((r) => ({ kind: r.label, Planned: r.planned, Found: r.found }))}
        dataKey="kind"
        orientation="vertical"
        yAxisProps={{ width: 110, interval: 0 }}
        withLegend
        series={[
          { name: 'Planned', color: 'gray.5' },
          { name: 'Found', color: 'teal.6' },
        ]}
      />
    </SimpleGrid>
  );
}
