import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { NodeRole, NodeTestResult } from '../../../shared/model/nodes';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useCall } from '../../hooks/use-call';
import { useReadOnly } from '../../project-context';
import { AddNodeForm } from './add-node-form';

const ROLE_TEXT: Record<NodeRole, string> = {
  web: 'Web (sites in httpdocs)',
  mail: 'Mail (Maildirs)',
  db: 'Database',
};

/**
 * The target's content nodes: where sites and mailboxes are copied to (registered over SSH here or
 * with `mm target node add`, or the sandbox's own local nodes), each with a connection test.
 */
export function TargetNodes({ projectId }: { projectId: string }) {
  const nodes = useCall('target:nodes', { projectId });
  const [results, setResults] = useState<Partial<Record<NodeRole, NodeTestResult | AppError>>>({});
  const [testing, setTesting] = useState<NodeRole>();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<NodeRole>();
  const [removeError, setRemoveError] = useState<AppError>();
  const readOnly = useReadOnly();

  const remove = async (role: NodeRole): Promise<void> => {
    const r = await api.call('target:node-remove', { projectId, role });
    setRemoving(undefined);
    setRemoveError(r.ok ? undefined : r.error);
    setResults((prev) => ({ ...prev, [role]: undefined }));
    nodes.reload();
  };

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
        against the agent&apos;s manifest. Register a node here or with{' '}
        <code>mm target node add web|mail|db</code>.
      </Text>
      {!readOnly &&
        (adding ? (
          <AddNodeForm
            projectId={projectId}
            taken={list.map((n) => n.role)}
            onCancel={() => setAdding(false)}
            onAdded={(role, test) => {
              setAdding(false);
              setResults((prev) => ({ ...prev, [role]: test }));
              nodes.reload();
            }}
          />
        ) : (
          <Group>
            <Button variant="light" onClick={() => setAdding(true)}>
              Add a node
            </Button>
          </Group>
        ))}
      {removeError && <ApiErrorAlert error={removeError} title="The node was not removed" />}
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
                  <Table.Td style={{ wordBreak: 'break-all' }}>
                    {n.via === 'sandbox' ? '' : (n.hostKeyFingerprint ?? 'not pinned yet')}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        size="xs"
                        variant="light"
                        loading={testing === n.role}
                        onClick={() => void test(n.role)}
                      >
                        Test
                      </Button>
                      {n.via === 'ssh' && !readOnly && (
                        <Button size="xs" variant="subtle" color="red" onClick={() => setRemoving(n.role)}>
                          Remove
                        </Button>
                      )}
                    </Group>
                    {r &&
                      ('ms' in r ? (
                        <Badge color="green" title={r.databases?.join(', ')}>
                          ok · {r.ms} ms{r.databases ? ` · ${r.databases.join(', ')}` : ''}
                        </Badge>
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
      <ConfirmDialog
        opened={removing !== undefined}
        title={`Remove the ${removing ?? ''} node?`}
        confirmLabel="Remove the node"
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(undefined)}
      >
        Its sealed credentials are deleted too. Content already copied stays on the node.
      </ConfirmDialog>
    </Stack>
  );
}
