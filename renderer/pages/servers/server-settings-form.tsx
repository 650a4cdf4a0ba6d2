import { NumberInput, SegmentedControl, Stack, Switch, Text } from '@mantine/core';
import type { MigrationSettings } from '../../../shared/model/server';

/** The seed's migration settings of one source server (SPEC R8). */
export function ServerSettingsForm({
  value,
  onChange,
}: {
  value: MigrationSettings;
  onChange: (v: MigrationSettings) => void;
}) {
  const set = <K extends keyof MigrationSettings>(k: K, v: MigrationSettings[K]): void =>
    onChange({ ...value, [k]: v });
  return (
    <Stack gap="sm">
      <NumberInput
        label="Protective interval (days)"
        description="Subscriptions expired less than this long ago still migrate (protective subscriptions)."
        min={0}
        max={3650}
        value={value.protectiveDays}
        onChange={(v) => set('protectiveDays', typeof v === 'number' ? v : Number(v) || 0)}
      />
      <Switch
        label="Allow update information"
        description="Refresh selected accounts/domains with accountsInfo/domainsInfo instead of a full inventory."
        checked={value.allowUpdateInfo}
        onChange={(e) => set('allowUpdateInfo', e.currentTarget.checked)}
      />
      <Switch
        label="Disable subscriptions after migration"
        description="Runs --disable=subscriptions on the source once a domain is migrated."
        checked={value.disableAfterMigration}
        onChange={(e) => set('disableAfterMigration', e.currentTarget.checked)}
      />
      <Switch
        label="Domain parking for registration-only domains"
        checked={value.parkRegistrationOnly}
        onChange={(e) => set('parkRegistrationOnly', e.currentTarget.checked)}
      />
      <Switch
        label="Require a domain registration subscription"
        checked={value.requireRegistration}
        onChange={(e) => set('requireRegistration', e.currentTarget.checked)}
      />
      <Stack gap={2}>
        <Text size="sm" fw={500}>
          Unmapped subscriptions
        </Text>
        <SegmentedControl
          value={value.unmappedPolicy}
          onChange={(v) => set('unmappedPolicy', v === 'skip' ? 'skip' : 'fail')}
          data={[
            { value: 'fail', label: 'Fail the domain' },
            { value: 'skip', label: 'Skip them' },
          ]}
        />
      </Stack>
      <Stack gap={2}>
        <Text size="sm" fw={500}>
          Suspended, disabled or pending subscriptions
        </Text>
        <SegmentedControl
          aria-label="Suspended, disabled or pending subscriptions"
          value={value.inactivePolicy ?? 'reject'}
          onChange={(v) => set('inactivePolicy', v === 'warn' ? 'warn' : 'reject')}
          data={[
            { value: 'reject', label: 'Reject them' },
            { value: 'warn', label: 'Migrate with a warning' },
          ]}
        />
      </Stack>
    </Stack>
  );
}
