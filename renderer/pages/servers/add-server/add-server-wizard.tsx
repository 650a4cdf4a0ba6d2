import { Alert, Button, Code, Group, List, Modal, Stack, Stepper, Text } from '@mantine/core';
import { useCallback, useState } from 'react';
import type { ConnectionTest, MigrationSettings, SourceServer } from '../../../../shared/model/server';
import { DEFAULT_MIGRATION_SETTINGS } from '../../../../shared/model/server';
import type { AppError } from '../../../../shared/result';
import { api } from '../../../api';
import { ApiErrorAlert } from '../../../components/api-error';
import { unlessOnField } from '../../../components/field-error';
import { JobProgressBar } from '../../../components/job-progress';
import { useJob } from '../../../hooks/use-job';
import { ServerSettingsForm } from '../server-settings-form';
import { type ConnectionForm, ConnectionStep, EMPTY_CONNECTION } from './connection-step';

/** The "register a source server" wizard: connection → test (host key) → settings → inventory. */
export function AddServerWizard(props: {
  projectId: string;
  opened: boolean;
  onClose: (changed: boolean) => void;
}) {
  const { projectId } = props;
  const [step, setStep] = useState(0);
  const [form, setForm] = useState<ConnectionForm>(EMPTY_CONNECTION);
  const [server, setServer] = useState<SourceServer>();
  const [test, setTest] = useState<ConnectionTest>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const [settings, setSettings] = useState<MigrationSettings>(DEFAULT_MIGRATION_SETTINGS);
  const [fetched, setFetched] = useState(false);
  const onFinished = useCallback((p: { state: string }) => setFetched(p.state === 'done'), []);
  const job = useJob(onFinished);

  const reset = (): void => {
    setStep(0);
    setForm(EMPTY_CONNECTION);
    setServer(undefined);
    setTest(undefined);
    setError(undefined);
    setSettings(DEFAULT_MIGRATION_SETTINGS);
    setFetched(false);
  };

  const close = async (finished: boolean): Promise<void> => {
    // A wizard abandoned half-way leaves no half-registered server behind.
    if (!finished && server) await api.call('servers:remove', { projectId, serverId: server.id });
    reset();
    props.onClose(finished || server !== undefined);
  };

  /**
   * Back to the connection form, with everything typed kept: the server registered from it is
   * removed again, so "Register and test" can register it anew with what is corrected.
   */
  const backToConnection = async (): Promise<void> => {
    if (server) await api.call('servers:remove', { projectId, serverId: server.id });
    setServer(undefined);
    setTest(undefined);
    setError(undefined);
    setStep(0);
  };

  /** A click on a step: back to any step done, never ahead of where the wizard is. */
  const goTo = (target: number): void => {
    if (target >= step) return;
    if (target === 0) void backToConnection();
    else {
      setError(undefined);
      setStep(target);
    }
  };

  const runTest = async (trustNewHostKey: boolean, registered?: SourceServer): Promise<void> => {
    const target = registered ?? server;
    if (!target) return;
    setBusy(true);
    const r = await api.call('servers:test', { projectId, serverId: target.id, trustNewHostKey });
    setBusy(false);
    if (r.ok) {
      setTest(r.value);
      setError(undefined);
    } else {
      setTest(undefined);
      setError(r.error);
    }
  };

  const register = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    const r = await api.call('servers:add', {
      projectId,
      name: form.name,
      kind: form.kind,
      apiVersion: form.apiVersion,
      ...(form.transport === 'soap'
        ? {
            connection: {
              type: 'soap' as const,
              url: form.url,
              ...(form.tlsFingerprint ? { tlsFingerprint: form.tlsFingerprint } : {}),
            },
            credentials: { token: form.token },
          }
        : {
            connection: {
              type: 'ssh' as const,
              host: form.host,
              port: form.port,
              user: form.user,
              ...(form.hostKeyFingerprint ? { hostKeyFingerprint: form.hostKeyFingerprint } : {}),
            },
            credentials:
              form.auth === 'password'
                ? { password: form.password }
                : {
                    privateKey: form.privateKey,
                    ...(form.passphrase ? { passphrase: form.passphrase } : {}),
                  },
            agentPath: form.agentPath,
            ...(form.sourceRoot ? { sourceRoot: form.sourceRoot } : {}),
          }),
    });
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setServer(r.value);
    setStep(1);
    await runTest(false, r.value);
  };

  const saveSettings = async (): Promise<void> => {
    if (!server) return;
    const r = await api.call('servers:update-settings', { projectId, serverId: server.id, settings });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setStep(3);
  };

  const fetchInventory = async (): Promise<void> => {
    if (!server) return;
    const r = await api.call('inventory:fetch', { projectId, serverId: server.id });
    if (r.ok) job.track(r.value.jobId);
    else setError(r.error);
  };

  // An SSH host key or, over SOAP/HTTPS, the agent's certificate: shown, compared, accepted.
  const unknownKey =
    error?.code === 'host-key-unknown' || error?.code === 'tls-fingerprint-unknown' ? error.where : undefined;
  const what = error?.code === 'tls-fingerprint-unknown' ? 'certificate' : 'host key';
  // A refusal of one field shows on that field; the alert says the rest.
  const connectionAlert = unlessOnField(error, [
    'name',
    'url',
    'token',
    'tlsFingerprint',
    'host',
    'port',
    'user',
    'password',
    'privateKey',
    'passphrase',
    'agentPath',
    'sourceRoot',
    'hostKeyFingerprint',
  ]);

  return (
    <Modal opened={props.opened} onClose={() => void close(false)} title="Register a source server" size="xl">
      <Stepper active={step} size="sm" onStepClick={goTo} allowNextStepsSelect={false}>
        <Stepper.Step label="Connection">
          <Stack mt="md">
            <ConnectionStep form={form} onChange={setForm} error={error} />
            {connectionAlert && (
              <ApiErrorAlert error={connectionAlert} title="The server was not registered" />
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => void close(false)}>
                Cancel
              </Button>
              <Button loading={busy} onClick={() => void register()}>
                Register and test
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Test connection">
          <Stack mt="md">
            {unknownKey && (
              <Alert color="yellow" title={`Unknown ${what}`} data-testid="host-key-prompt">
                <Text size="sm">
                  The server presents this {what}. Compare it with the server's own before you accept it:
                </Text>
                <Code block mt="xs" data-testid="host-key-fingerprint">
                  {unknownKey}
                </Code>
                <Button mt="sm" loading={busy} onClick={() => void runTest(true)}>
                  Accept and pin this {what === 'host key' ? 'key' : 'certificate'}
                </Button>
              </Alert>
            )}
            {error && !unknownKey && <ApiErrorAlert error={error} title="The connection test failed" />}
            {test && (
              <Alert color="green" title="Connected" data-testid="connection-ok">
                <List size="sm">
                  <List.Item>{test.transport}</List.Item>
                  {test.hostKeyFingerprint && (
                    <List.Item>
                      Host key {test.hostKeyFingerprint}{' '}
                      {test.pinnedNow ? '(pinned now)' : '(matches the pin)'}
                    </List.Item>
                  )}
                  {test.tlsFingerprint && (
                    <List.Item>
                      Certificate {test.tlsFingerprint}{' '}
                      {test.pinnedNow ? '(pinned now)' : '(matches the pin)'}
                    </List.Item>
                  )}
                  <List.Item>
                    {test.perl ? `Perl ${test.perl}` : 'Perl not found: the agents need Perl 5'}
                  </List.Item>
                  <List.Item>
                    {test.agent.installedVersion
                      ? `Agent ${test.agent.installedVersion} installed${test.agent.upToDate ? '' : ` (will be updated to ${test.agent.bundledVersion})`}`
                      : `Agent ${test.agent.bundledVersion} will be deployed on the first inventory`}
                  </List.Item>
                </List>
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => void close(false)}>
                Cancel
              </Button>
              <Button variant="default" onClick={() => void backToConnection()}>
                Back
              </Button>
              {!test && !unknownKey && (
                <Button variant="light" loading={busy} onClick={() => void runTest(false)}>
                  Try again
                </Button>
              )}
              <Button disabled={!test} onClick={() => setStep(2)}>
                Next
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Migration settings">
          <Stack mt="md">
            <ServerSettingsForm value={settings} onChange={setSettings} />
            {error && <ApiErrorAlert error={error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => goTo(1)}>
                Back
              </Button>
              <Button onClick={() => void saveSettings()}>Next</Button>
            </Group>
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Inventory">
          <Stack mt="md">
            <Text size="sm">
              Fetch the inventory now: the manager deploys the agent if needed, runs hostingPlatformInfo and
              validates the answer against the Migration API schema.
            </Text>
            <JobProgressBar progress={job.progress} />
            {error && <ApiErrorAlert error={error} />}
            <Group justify="flex-end">
              <Button variant="default" disabled={job.progress?.state === 'running'} onClick={() => goTo(2)}>
                Back
              </Button>
              <Button
                variant="light"
                disabled={job.progress?.state === 'running'}
                onClick={() => void fetchInventory()}
              >
                Fetch inventory
              </Button>
              <Button onClick={() => void close(true)} variant={fetched ? 'filled' : 'default'}>
                Finish
              </Button>
            </Group>
          </Stack>
        </Stepper.Step>
      </Stepper>
    </Modal>
  );
}
