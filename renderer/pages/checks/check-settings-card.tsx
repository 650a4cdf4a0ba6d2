/**
 * The checks' settings on the Checks page: which kinds run, how many pages per site and how
 * long a page may take, whether batches run the checks when they end, where the target's web
 * and name servers are, and where each source server's own web server answers (the page check
 * asks it for the same pages as the target). Stored with the project (checks.json), the same
 * settings `mm check settings` shows and `mm check`'s flags change.
 */
import { Button, Card, Checkbox, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { CHECK_KINDS, type CheckKind, type CheckSettingsView } from '../../../shared/model/checks';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { NumberSetting, SwitchSetting, fieldSetter } from '../../components/setting-fields';
import { useCall } from '../../hooks/use-call';

/** The core's defaults (electron/core/checks/check-store.ts), shown while nothing is set. */
const DEFAULT_SAMPLE = 25;
const DEFAULT_PAGE_TIMEOUT_S = 20;

interface Form {
  kinds: CheckKind[];
  sample: number;
  pageTimeoutSeconds: number;
  afterBatch: boolean;
  webServer: string;
  nameServer: string;
  /** Server id → address ("" = the domain's web IP). */
  sourceWeb: Record<string, string>;
}

const formOf = (s: CheckSettingsView): Form => ({
  kinds: [...(s.kinds ?? CHECK_KINDS)],
  sample: s.sample ?? DEFAULT_SAMPLE,
  pageTimeoutSeconds: s.pageTimeoutSeconds ?? DEFAULT_PAGE_TIMEOUT_S,
  afterBatch: s.afterBatch !== false,
  webServer: s.webServer ?? '',
  nameServer: s.nameServer ?? '',
  sourceWeb: { ...s.sourceWeb },
});

export function CheckSettingsCard({ projectId }: { projectId: string }) {
  const stored = useCall('checks:settings', { projectId });
  const servers = useCall('servers:list', { projectId });
  // What the user is editing; until the first change, what is stored.
  const [edited, setForm] = useState<Form>();
  const [error, setError] = useState<AppError>();
  const [saved, setSaved] = useState(false);
  const [saving, setSaving] = useState(false);
  const form = edited ?? (stored.data ? formOf(stored.data) : undefined);

  if (stored.error) return <ApiErrorAlert error={stored.error} title="The check settings cannot be read" />;
  if (!form) return null;
  const set = fieldSetter(form, (next) => {
    setSaved(false);
    setForm(next);
  });

  const save = async (): Promise<void> => {
    setSaving(true);
    const r = await api.call('checks:settings', {
      projectId,
      kinds: form.kinds,
      sample: form.sample,
      pageTimeoutSeconds: form.pageTimeoutSeconds,
      afterBatch: form.afterBatch,
      ...(form.webServer.trim() ? { webServer: form.webServer.trim() } : {}),
      ...(form.nameServer.trim() ? { nameServer: form.nameServer.trim() } : {}),
      // Every server listed: an emptied field forgets that server's address.
      sourceWeb: Object.fromEntries(
        (servers.data ?? []).map((s) => [s.id, (form.sourceWeb[s.id] ?? '').trim()]),
      ),
    });
    setSaving(false);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setForm(formOf(r.value));
    setSaved(true);
  };

  return (
    <Card withBorder data-testid="check-settings">
      <Stack gap="sm">
        <Title order={4}>Settings</Title>
        <Checkbox.Group
          label="Checks to run"
          value={form.kinds}
          onChange={(v) =>
            set(
              'kinds',
              CHECK_KINDS.filter((k) => v.includes(k)),
            )
          }
        >
          <Group mt={4}>
            {CHECK_KINDS.map((k) => (
              <Checkbox key={k} value={k} label={k} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group grow align="flex-start">
          <NumberSetting
            label="Pages per site"
            description="The index page first, then one per folder and file type"
            min={1}
            max={1000}
            value={form.sample}
            fallback={DEFAULT_SAMPLE}
            onChange={(v) => set('sample', v)}
          />
          <NumberSetting
            label="Page timeout (seconds)"
            description="How long one page may take to answer"
            min={1}
            max={600}
            value={form.pageTimeoutSeconds}
            fallback={DEFAULT_PAGE_TIMEOUT_S}
            onChange={(v) => set('pageTimeoutSeconds', v)}
          />
        </Group>
        <SwitchSetting
          label="Run the checks when a migration batch ends"
          checked={form.afterBatch}
          onChange={(v) => set('afterBatch', v)}
        />
        <Group grow align="flex-start">
          <TextInput
            label="Target web server"
            description="Asked with each site's Host header; empty: the sandbox's own"
            placeholder="http://10.0.0.7/"
            value={form.webServer}
            onChange={(e) => set('webServer', e.currentTarget.value)}
          />
          <TextInput
            label="Target name server"
            description="Asked over UDP; empty: the sandbox's own"
            placeholder="10.0.0.8:53"
            value={form.nameServer}
            onChange={(e) => set('nameServer', e.currentTarget.value)}
          />
        </Group>
        <Text size="sm" fw={500}>
          Source web servers
        </Text>
        <Text size="xs" c="dimmed">
          Each page is asked of the source&apos;s own web server too. Empty: the domain&apos;s web IP from the
          inventory, port 80.
        </Text>
        {(servers.data ?? []).map((s) => (
          <TextInput
            key={s.id}
            label={`Web address of ${s.name}`}
            placeholder="http://10.0.0.5:8080"
            value={form.sourceWeb[s.id] ?? ''}
            onChange={(e) => set('sourceWeb', { ...form.sourceWeb, [s.id]: e.currentTarget.value })}
          />
        ))}
        {error && <ApiErrorAlert error={error} />}
        <Group>
          <Button
            onClick={() => void save()}
            loading={saving}
            disabled={form.kinds.length === 0}
            data-testid="check-settings-save"
          >
            Save settings
          </Button>
          {saved && (
            <Text size="sm" c="green" data-testid="check-settings-saved">
              Saved
            </Text>
          )}
          {form.kinds.length === 0 && (
            <Text size="sm" c="red">
              Choose at least one check
            </Text>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
