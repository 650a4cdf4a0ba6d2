/**
 * Starting a batch: what it will migrate, counted, before anything reaches the target
 * (migration:preview), and how many steps may run at once.
 */
import {
  Alert,
  Button,
  Card,
  Group,
  Loader,
  ScrollArea,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';

const CONCURRENCY = ['1', '2', '4', '8', '16'];

/** People's words for the plan's step kinds. */
export const STEP_KIND_LABELS: Readonly<Record<string, string>> = {
  account: 'Accounts',
  member: 'Staff members',
  'payment-tool': 'Payment tools',
  balance: 'Balances',
  'hosting-subscription': 'Hosting subscriptions',
  domain: 'Domains (not hosted)',
  'dns-hosting': 'DNS hosting',
  'dns-record': 'DNS records',
  subdomain: 'Subdomains',
  pointer: 'Pointers',
  mailbox: 'Mailboxes',
  'mail-forward': 'Mail forwards',
  'mail-alias': 'Mail aliases',
  database: 'Databases',
  'database-user': 'Database users',
  'ftp-user': 'FTP users',
  'registration-subscription': 'Registration subscriptions',
  'resource-subscription': 'Resource subscriptions',
  'subscription-status': 'Subscription statuses',
  'source-disable': 'Source subscriptions disabled',
  content: 'Content (sites, mailboxes)',
  'not-carried': 'Not carried (named per object)',
};

function Stat({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase">
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
    </Card>
  );
}

export function StartPanel({
  projectId,
  onStarted,
}: {
  projectId: string;
  onStarted: (jobId: string) => void;
}) {
  const preview = useCall('migration:preview', { projectId });
  const [concurrency, setConcurrency] = useState('4');
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<AppError>();

  const start = async (): Promise<void> => {
    setStarting(true);
    const r = await api.call('migration:start', { projectId, concurrency: Number(concurrency) });
    setStarting(false);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    onStarted(r.value.jobId);
  };

  const p = preview.data;
  return (
    <Card withBorder data-testid="migration-start">
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={600}>New batch: the verified selection</Text>
          <Button variant="subtle" size="xs" onClick={preview.reload} loading={preview.loading}>
            Count again
          </Button>
        </Group>
        {preview.error && <ApiErrorAlert error={preview.error} title="The batch cannot be planned" />}
        {!p && !preview.error && (
          <Group gap="xs">
            <Loader size="sm" />
            <Text size="sm">Planning the batch…</Text>
          </Group>
        )}
        {p && (
          <>
            <SimpleGrid cols={{ base: 2, md: 4 }}>
              <Stat label="Accounts" value={p.objects.accounts} testId="preview-accounts" />
              <Stat label="Domains" value={p.objects.domains} testId="preview-domains" />
              <Stat label="Steps" value={p.steps} testId="preview-steps" />
              <Stat label="Already done earlier" value={p.alreadyDone} testId="preview-already-done" />
            </SimpleGrid>
            <Table withTableBorder striped data-testid="preview-kinds" aria-label="Steps per kind">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>What</Table.Th>
                  <Table.Th>Steps</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {Object.entries(p.perKind).map(([kind, n]) => (
                  <Table.Tr key={kind}>
                    <Table.Td>{STEP_KIND_LABELS[kind] ?? kind}</Table.Td>
                    <Table.Td>{n}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {p.notCarried.length > 0 && (
              <Alert
                color="grape"
                title={`Not carried: ${p.notCarried.length}`}
                data-testid="preview-not-carried"
              >
                <Text size="sm" mb={4}>
                  The target has no way to take these; each is reported with its object.
                </Text>
                <ScrollArea.Autosize mah={260}>
                  <Table>
                    <Table.Tbody>
                      {p.notCarried.map((n, i) => (
                        <Table.Tr key={`${n.object}-${i}`}>
                          <Table.Td>{n.object}</Table.Td>
                          <Table.Td>{n.what}</Table.Td>
                          <Table.Td>{n.reason}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollArea.Autosize>
              </Alert>
            )}
            {p.excluded.length > 0 && (
              <Alert
                color="orange"
                title={`Not in the batch: ${p.excluded.length}`}
                data-testid="preview-excluded"
              >
                <Text size="sm" mb={4}>
                  Selected, but verification did not approve them.
                </Text>
                <ScrollArea.Autosize mah={260}>
                  <Table>
                    <Table.Tbody>
                      {p.excluded.map((e, i) => (
                        <Table.Tr key={`${e.object}-${i}`}>
                          <Table.Td>{e.object}</Table.Td>
                          <Table.Td>{e.reason}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollArea.Autosize>
              </Alert>
            )}
            <Group align="end">
              <Stack gap={2}>
                <Text size="sm" id="concurrency-label">
                  Steps at once against the target
                </Text>
                <SegmentedControl
                  aria-labelledby="concurrency-label"
                  data={CONCURRENCY}
                  value={concurrency}
                  onChange={setConcurrency}
                />
              </Stack>
              <Button
                onClick={() => void start()}
                loading={starting}
                disabled={p.objects.accounts + p.objects.domains === 0}
              >
                Start batch
              </Button>
            </Group>
          </>
        )}
        {error && <ApiErrorAlert error={error} title="The batch did not start" />}
      </Stack>
    </Card>
  );
}
