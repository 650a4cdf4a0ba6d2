/**
 * The DNS switch sheet (R14): per domain when to lower the TTL and to what, what to switch at
 * the registrar or on the old name servers, and whether the target answers the zone now.
 */
import { Badge, Button, Card, Group, List, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { DnsSheetDomain } from '../../../shared/model/cutover';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { saveBlob } from '../../components/file-transfer';
import { useCall } from '../../hooks/use-call';

const LIVE_COLOR: Record<DnsSheetDomain['live']['status'], string> = {
  ready: 'green',
  missing: 'red',
  'not-on-target': 'gray',
  unchecked: 'yellow',
};

function DomainCard({ d }: { d: DnsSheetDomain }) {
  return (
    <Card withBorder data-testid="dns-sheet-domain" data-domain={d.domain}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>
            {d.domain}{' '}
            <Text span c="dimmed" size="sm">
              ({d.server})
            </Text>
          </Text>
          <Badge color={LIVE_COLOR[d.live.status]} title={d.live.message}>
            target: {d.live.status}
          </Badge>
        </Group>
        <List type="ordered" size="sm">
          {d.steps.map((s) => (
            <List.Item key={s}>{s}</List.Item>
          ))}
        </List>
        {d.recordChanges.length > 0 && (
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Host</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Now</Table.Th>
                <Table.Th>After the switch</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.recordChanges.map((c) => (
                <Table.Tr key={`${c.host} ${c.type} ${c.from}`}>
                  <Table.Td>{c.host}</Table.Td>
                  <Table.Td>{c.type}</Table.Td>
                  <Table.Td>{c.from}</Table.Td>
                  <Table.Td>{c.to}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}

export function DnsSheetPanel({ projectId }: { projectId: string }) {
  const sheet = useCall('cutover:dns-sheet', { projectId });
  const [error, setError] = useState<AppError>();
  const download = async (format: 'html' | 'csv'): Promise<void> => {
    const r = await api.call('cutover:dns-sheet-export', { projectId, format });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    saveBlob(r.value.fileName, new Blob([r.value.content], { type: r.value.mimeType }));
  };
  return (
    <Stack data-testid="dns-sheet">
      <Group>
        <Button variant="default" loading={sheet.loading} onClick={sheet.reload}>
          Check the target again
        </Button>
        <Button variant="default" onClick={() => void download('html')}>
          Download HTML
        </Button>
        <Button variant="default" onClick={() => void download('csv')}>
          Download CSV
        </Button>
      </Group>
      {sheet.data && (
        <Text size="sm" c="dimmed">
          {sheet.data.liveCheckNote}
        </Text>
      )}
      {error && <ApiErrorAlert error={error} />}
      {sheet.error && <ApiErrorAlert error={sheet.error} />}
      {sheet.data?.domains.length === 0 && (
        <Text c="dimmed">
          No selected domain with a source zone: select domains and fetch their services.
        </Text>
      )}
      {sheet.data?.domains.map((d) => (
        <DomainCard key={d.domain} d={d} />
      ))}
    </Stack>
  );
}
