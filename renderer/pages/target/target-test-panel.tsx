import { Alert, Badge, Button, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { TargetTestResult } from '../../../shared/model/target';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';

/** "Test connection": what the target offers — POA service templates and PBA service plans. */
export function TargetTestPanel({ projectId }: { projectId: string }) {
  const [result, setResult] = useState<TargetTestResult>();
  const [error, setError] = useState<AppError>();
  const [testing, setTesting] = useState(false);

  const test = async (): Promise<void> => {
    setTesting(true);
    const r = await api.call('target:test', { projectId });
    setTesting(false);
    if (r.ok) {
      setResult(r.value);
      setError(undefined);
    } else setError(r.error);
  };

  return (
    <Stack>
      <Group>
        <Button variant="light" onClick={() => void test()} loading={testing}>
          Test connection
        </Button>
      </Group>
      {error && <ApiErrorAlert error={error} title="The connection test did not run" />}
      {result && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Stack gap="xs" data-testid="poa-templates">
            <Title order={5}>
              POA service templates{' '}
              <Badge color={result.poa.ok ? 'green' : 'red'}>
                {result.poa.ok ? `${result.poa.items.length} · ${result.poa.ms} ms` : 'failed'}
              </Badge>
            </Title>
            {result.poa.error && <Alert color="red">{result.poa.error}</Alert>}
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>ID</Table.Th>
                  <Table.Th>Service template</Table.Th>
                  <Table.Th>Active</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.poa.items.map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td>{t.id}</Table.Td>
                    <Table.Td>{t.name}</Table.Td>
                    <Table.Td>{t.active ? 'yes' : 'no'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
          <Stack gap="xs" data-testid="pba-plans">
            <Title order={5}>
              PBA service plans{' '}
              <Badge color={result.pba.ok ? 'green' : 'red'}>
                {result.pba.ok ? `${result.pba.items.length} · ${result.pba.ms} ms` : 'failed'}
              </Badge>
            </Title>
            {result.pba.error && <Alert color="red">{result.pba.error}</Alert>}
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>ID</Table.Th>
                  <Table.Th>Service plan</Table.Th>
                  <Table.Th>Kind</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.pba.items.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{p.id}</Table.Td>
                    <Table.Td>{p.name}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{p.category === 'domain' ? `domain ${p.tld}` : p.category}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        </SimpleGrid>
      )}
    </Stack>
  );
}
