import { Stack } from '@mantine/core';
import type { MigrationSettings } from '../../../shared/model/server';
import { ChoiceSetting, NumberSetting, SwitchSetting, fieldSetter } from '../../components/setting-fields';

/** The seed's migration settings of one source server (SPEC R8). */
export function ServerSettingsForm({
  value,
  onChange,
}: {
  value: MigrationSettings;
  onChange: (v: MigrationSettings) => void;
}) {
  const set = fieldSetter(value, onChange);
  return (
    <Stack gap="sm">
      <NumberSetting
        label="Protective interval (days)"
        description="Subscriptions expired less than this long ago still migrate (protective subscriptions)."
        min={0}
        max={3650}
        value={value.protectiveDays}
        fallback={0}
        onChange={(v) => set('protectiveDays', v)}
      />
      <SwitchSetting
        label="Allow update information"
        description="Refresh selected accounts/domains with accountsInfo/domainsInfo instead of a full inventory."
        checked={value.allowUpdateInfo}
        onChange={(v) => set('allowUpdateInfo', v)}
      />
      <SwitchSetting
        label="Disable subscriptions after migration"
        description="Runs --disable=subscriptions on the source once a domain is migrated."
        checked={value.disableAfterMigration}
        onChange={(v) => set('disableAfterMigration', v)}
      />
      <SwitchSetting
        label="Domain parking for registration-only domains"
        checked={value.parkRegistrationOnly}
        onChange={(v) => set('parkRegistrationOnly', v)}
      />
      <SwitchSetting
        label="Require a domain registration subscription"
        checked={value.requireRegistration}
        onChange={(v) => set('requireRegistration', v)}
      />
      <ChoiceSetting
        label="Unmapped subscriptions"
        value={value.unmappedPolicy}
        onChange={(v) => set('unmappedPolicy', v)}
        choices={[
          { value: 'fail', label: 'Fail the domain' },
          { value: 'skip', label: 'Skip them' },
        ]}
      />
      <ChoiceSetting
        label="Suspended, disabled or pending subscriptions"
        value={value.inactivePolicy ?? 'reject'}
        onChange={(v) => set('inactivePolicy', v)}
        choices={[
          { value: 'reject', label: 'Reject them' },
          { value: 'warn', label: 'Migrate with a warning' },
        ]}
      />
    </Stack>
  );
}
