import { Alert, Badge, Button, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { NodeRole, NodeTestResult } from '../../../shared/model/nodes';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';

const ROLE_TEXT: Record<NodeRole, string> = {
  web: 'Web (sites in httpdocs)',
  mail: 'Mail (Maildirs)',
  db: 'Database',
};

/**
 * The target's content nodes: where sites and mailboxes are copied to (registered over SSH with
 * `mm target node add`, or the sandbox's own local nodes), each with a connection test.
 */
export function TargetNodes({ projectId }: { projectId: string }) {
  const nodes = useCall('target:nodes', { projectId });
  const [results, setResults] = useState<Partial<Record<NodeRole, NodeTestResult | AppError>>>({});
  const [testing, setTesting] = useState<NodeRole>();

  const test = async (role: NodeRole): Promise<void> => {
    setTesting(role);
    const r = await api.call('target:node-test', { projectId, role });
    setTesting(undefined);
    setResults((prev) => ({ ...prev, [role]: r.ok ? r.value : r.error }));
  };

  if (nodes.error) return <ApiErrorAlert error={nodes.error} title="The content nodes cannot be read" />;
  const list = nodes.data ?? [];
  return (
    <Stack data-testid="target-nodes">
      <Title order={4}>Content nodes</Title>
      <Text size="sm" c="dimmed">
        Sites and mailboxes are streamed from the source servers to these nodes over SSH, checked file by file
        against the agent&apos;s manifest. Register a node with <code>mm target node add web|mail|db</code>.
      </Text>
      {list.length === 0 ? (
        <Alert color="yellow" title="No content nodes">
          Without a web and a mail node, sites and mailboxes are not copied.
        </Alert>
      ) : (
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Role</Table.Th>
              <Table.Th>Node</Table.Th>
              <Table.Th>Root</Table.Th>
              <Table.Th>Host key</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.map((n) => {
              const r = results[n.role];
              return (
                <Table.Tr key={n.role} data-testid={`node-${n.role}`}>
                  <Table.Td>{ROLE_TEXT[n.role]}</Table.Td>
                  <Table.Td>
                    {n.via === 'sandbox'
                      ? "The sandbox's own (local)"
                      : `${n.user ?? ''}@${n.host ?? ''}:${n.port ?? ''}`}
                  </Table.Td>
                  <Table.Td>
                    <code>{n.root}</code>
                  </Table.Td>
                  <Table.Td>{n.via === 'sandbox' ? '' : (n.hostKeyFingerprint ?? 'not pinned yet')}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      loading={testing === n.role}
                      onClick={() => void test(n.role)}
                    >
                      Test
                    </Button>{' '}
                    {r &&
                      ('ms' in r ? (
                        <Badge color="green">ok · {r.ms} ms</Badge>
                      ) : (
                        <Badge color="red" title={r.message}>
                          {r.message}
                        </Badge>
                      ))}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
