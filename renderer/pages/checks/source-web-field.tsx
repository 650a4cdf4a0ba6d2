/**
 * One source server's web address for the page checks, on the server's own settings drawer:
 * where its web server answers (a source behind NAT, a test server on a port), used instead of
 * each domain's web IP on port 80. Kept with the check settings (checks.json), so the Checks
 * page, `mm check` and the batch-end run all read the same value.
 */
import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';

export function SourceWebField({
  projectId,
  serverId,
  serverName,
}: {
  projectId: string;
  serverId: string;
  serverName: string;
}) {
  const stored = useCall('checks:settings', { projectId });
  // What the user typed; until then, what is stored.
  const [typed, setTyped] = useState<string>();
  const [error, setError] = useState<AppError>();
  const [saved, setSaved] = useState(false);
  const value = typed ?? stored.data?.sourceWeb?.[serverId] ?? '';

  const save = async (): Promise<void> => {
    const r = await api.call('checks:settings', { projectId, sourceWeb: { [serverId]: value.trim() } });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setTyped(r.value.sourceWeb?.[serverId] ?? '');
    setSaved(true);
  };

  return (
    <Stack gap="xs" data-testid="server-web-address">
      <TextInput
        label="Web address for the page checks"
        description={`Where ${serverName}'s web server answers; empty: each domain's web IP, port 80`}
        placeholder="http://10.0.0.5:8080"
        value={value}
        onChange={(e) => {
          setSaved(false);
          setTyped(e.currentTarget.value);
        }}
      />
      {stored.error && <ApiErrorAlert error={stored.error} title="The check settings cannot be read" />}
      {error && <ApiErrorAlert error={error} />}
      <Group>
        <Button variant="default" onClick={() => void save()}>
          Save web address
        </Button>
        {saved && (
          <Text size="sm" c="green">
            Saved
          </Text>
        )}
      </Group>
    </Stack>
  );
}
