import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';
import { AddServerWizard } from './add-server/add-server-wizard';
import { ServerCard } from './server-card';
import { useReadOnly } from '../../project-context';

export function ServersPage({ projectId }: { projectId: string }) {
  const servers = useCall('servers:list', { projectId });
  const [adding, setAdding] = useState(false);
  const readOnly = useReadOnly();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Source servers</Title>
        {!readOnly && <Button onClick={() => setAdding(true)}>Register a source server</Button>}
      </Group>
      {servers.error && <ApiErrorAlert error={servers.error} />}
      {servers.data?.length === 0 && (
        <Card withBorder>
          <Text>
            No source servers yet. Register the first one: its host, an SSH login, and the source system it
            runs.
          </Text>
        </Card>
      )}
      {servers.data?.map((s) => (
        <ServerCard key={s.id} projectId={projectId} server={s} onChanged={servers.reload} />
      ))}
      <AddServerWizard
        projectId={projectId}
        opened={adding}
        onClose={(changed) => {
          setAdding(false);
          if (changed) servers.reload();
        }}
      />
    </Stack>
  );
}
