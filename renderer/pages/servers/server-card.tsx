import { Badge, Button, Card, Code, Divider, Drawer, Group, Modal, Stack, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { JobProgress } from '../../../shared/contract';
import type { ConnectionTest, MigrationSettings, SourceServer } from '../../../shared/model/server';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { JobProgressBar } from '../../components/job-progress';
import { useJob } from '../../hooks/use-job';
import { ServerSettingsForm } from './server-settings-form';
import { SourceWebField } from '../checks/source-web-field';
import { useReadOnly } from '../../project-context';
import { formatTime } from '../../format';

/** One source server: what it is, its inventory, and the actions on it. */
export function ServerCard({
  projectId,
  server,
  onChanged,
}: {
  projectId: string;
  server: SourceServer;
  onChanged: () => void;
}) {
  const [test, setTest] = useState<ConnectionTest>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const onFinished = useCallback((p: JobProgress) => p.state === 'done' && onChanged(), [onChanged]);
  const job = useJob(onFinished);
  const readOnly = useReadOnly();
  const c = server.connection;
  const inv = server.inventory;

  const runTest = async (trustNewHostKey: boolean): Promise<void> => {
    setBusy(true);
    const r = await api.call('servers:test', { projectId, serverId: server.id, trustNewHostKey });
    setBusy(false);
    setTest(r.ok ? r.value : undefined);
    setError(r.ok ? undefined : r.error);
    if (r.ok && r.value.pinnedNow) onChanged();
  };

  const fetchInventory = async (): Promise<void> => {
    setError(undefined);
    const r = await api.call('inventory:fetch', { projectId, serverId: server.id });
    if (r.ok) job.track(r.value.jobId);
    else setError(r.error);
  };

  const fetchServices = async (): Promise<void> => {
    setError(undefined);
    const r = await api.call('inventory:fetch-domain-services', { projectId, serverId: server.id });
    if (r.ok) job.track(r.value.jobId);
    else setError(r.error);
  };

  const remove = async (): Promise<void> => {
    const r = await api.call('servers:remove', { projectId, serverId: server.id });
    setConfirmRemove(false);
    if (r.ok) onChanged();
    else setError(r.error);
  };

  return (
    <Card withBorder data-testid="server-card" data-server={server.id}>
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Group gap="xs">
            <Text fw={600}>{server.name}</Text>
            <Badge size="sm">{server.kind}</Badge>
            <Badge size="sm" variant="outline">
              API v{server.apiVersion}
            </Badge>
            {server.demo && (
              <Badge size="sm" color="grape">
                demo
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {c.type === 'ssh'
              ? `ssh ${c.user}@${c.host}:${c.port} · ${c.auth}`
              : c.type === 'local'
                ? `local agent run on ${c.root}`
                : `agent over SOAP at ${c.url}`}
          </Text>
          {c.type === 'ssh' && (
            <Text size="xs" c="dimmed">
              Host key: {c.hostKeyFingerprint ? <Code>{c.hostKeyFingerprint}</Code> : 'not pinned yet'}
            </Text>
          )}
          <Text size="sm" data-testid="server-inventory">
            {inv
              ? `${inv.accounts} accounts · ${inv.domains} domains · ${inv.subscriptions} subscriptions · ${inv.templates} templates (${inv.platform}, ${formatTime(inv.fetchedAt)})`
              : 'No inventory yet'}
          </Text>
        </Stack>
        {!readOnly && (
          <Group gap="xs">
            <Button size="xs" variant="default" loading={busy} onClick={() => void runTest(false)}>
              Test connection
            </Button>
            <Button
              size="xs"
              onClick={() => void fetchInventory()}
              disabled={job.progress?.state === 'running'}
            >
              Fetch inventory
            </Button>
            <Button
              size="xs"
              variant="default"
              title="Run domainServicesInfo for the domains selected on this server: mail aliases, passwords with &, wildcard subdomains and unlinked databases become verification warnings"
              onClick={() => void fetchServices()}
              disabled={job.progress?.state === 'running'}
            >
              Fetch domain services
            </Button>
            <Button size="xs" variant="default" onClick={() => setSettingsOpen(true)}>
              Settings
            </Button>
            <Button size="xs" variant="subtle" color="red" onClick={() => setConfirmRemove(true)}>
              Remove
            </Button>
          </Group>
        )}
      </Group>
      <Stack mt="sm" gap="xs">
        <JobProgressBar progress={job.progress} />
        {test && (
          <Text size="sm" c="green" data-testid="connection-ok">
            Connected ({test.transport}); Perl {test.perl ?? 'missing'}; agent{' '}
            {test.agent.installedVersion ?? 'not installed'}
            {test.agent.upToDate ? '' : ` → ${test.agent.bundledVersion}`}
          </Text>
        )}
        {error?.code === 'host-key-unknown' ? (
          <Group>
            <Text size="sm">
              The server shows host key <Code>{error.where}</Code>.
            </Text>
            <Button size="xs" onClick={() => void runTest(true)}>
              Accept and pin
            </Button>
          </Group>
        ) : (
          error && <ApiErrorAlert error={error} />
        )}
      </Stack>
      <SettingsDrawer
        projectId={projectId}
        server={server}
        opened={settingsOpen}
        onClose={(saved) => {
          setSettingsOpen(false);
          if (saved) onChanged();
        }}
      />
      <Modal opened={confirmRemove} onClose={() => setConfirmRemove(false)} title={`Remove ${server.name}?`}>
        <Text size="sm">
          Its stored credentials and inventory are deleted. Nothing on the server changes.
        </Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setConfirmRemove(false)}>
            Keep it
          </Button>
          <Button color="red" onClick={() => void remove()}>
            Remove
          </Button>
        </Group>
      </Modal>
    </Card>
  );
}

function SettingsDrawer(props: {
  projectId: string;
  server: SourceServer;
  opened: boolean;
  onClose: (saved: boolean) => void;
}) {
  const [value, setValue] = useState<MigrationSettings>(props.server.settings);
  const [error, setError] = useState<AppError>();
  const save = async (): Promise<void> => {
    const r = await api.call('servers:update-settings', {
      projectId: props.projectId,
      serverId: props.server.id,
      settings: value,
    });
    if (r.ok) props.onClose(true);
    else setError(r.error);
  };
  return (
    <Drawer
      opened={props.opened}
      onClose={() => props.onClose(false)}
      position="right"
      title={`Migration settings: ${props.server.name}`}
    >
      <Stack>
        <ServerSettingsForm value={value} onChange={setValue} />
        {error && <ApiErrorAlert error={error} />}
        <Button onClick={() => void save()}>Save settings</Button>
        <Divider />
        <SourceWebField
          projectId={props.projectId}
          serverId={props.server.id}
          serverName={props.server.name}
        />
      </Stack>
    </Drawer>
  );
}
