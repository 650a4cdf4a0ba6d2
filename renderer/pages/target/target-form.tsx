import { Button, Group, PasswordInput, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { TargetView } from '../../../shared/model/target';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { fieldError, unlessOnField } from '../../components/field-error';

const FIELD_LABELS = {
  poaUrl: 'POA URL',
  poaUser: 'POA user',
  poaPassword: 'POA password',
  pbaUrl: 'PBA URL',
  pbaUser: 'PBA user',
  pbaPassword: 'PBA password',
  tlsFingerprint: 'TLS certificate fingerprint',
};

/** The target's addresses and credentials; empty password fields keep the stored password. */
export function TargetForm({
  projectId,
  current,
  onSaved,
}: {
  projectId: string;
  current: TargetView;
  onSaved: () => void;
}) {
  const [poaUrl, setPoaUrl] = useState(current.poa?.url ?? '');
  const [poaUser, setPoaUser] = useState(current.poa?.user ?? '');
  const [poaPassword, setPoaPassword] = useState('');
  const [pbaUrl, setPbaUrl] = useState(current.pba?.url ?? '');
  const [pbaUser, setPbaUser] = useState(current.pba?.user ?? '');
  const [pbaPassword, setPbaPassword] = useState('');
  const [fingerprint, setFingerprint] = useState(current.tlsFingerprint ?? '');
  const [error, setError] = useState<AppError>();
  // A refused field is said on the field; the alert says the rest.
  const alertError = unlessOnField(error, Object.keys(FIELD_LABELS));
  const [saving, setSaving] = useState(false);

  const save = async (): Promise<void> => {
    setSaving(true);
    const result = await api.call('target:set', {
      projectId,
      poaUrl,
      poaUser,
      pbaUrl,
      pbaUser,
      tlsFingerprint: fingerprint,
      ...(poaPassword ? { poaPassword } : {}),
      ...(pbaPassword ? { pbaPassword } : {}),
    });
    setSaving(false);
    if (!result.ok) return setError(result.error);
    setError(undefined);
    setPoaPassword('');
    setPbaPassword('');
    onSaved();
  };

  const stored = (has: boolean | undefined): string => (has ? 'stored — leave empty to keep it' : '');
  return (
    <Stack
      component="form"
      aria-label="Target settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap="xs">
          <Title order={4}>POA (Operations) OpenAPI</Title>
          <TextInput
            label="POA URL"
            placeholder="https://poa.example.com:8440/RPC2"
            value={poaUrl}
            error={fieldError(error, 'poaUrl', 'POA URL')}
            onChange={(e) => setPoaUrl(e.currentTarget.value)}
          />
          <TextInput
            label="POA user"
            value={poaUser}
            error={fieldError(error, 'poaUser', 'POA user')}
            onChange={(e) => setPoaUser(e.currentTarget.value)}
          />
          <PasswordInput
            label="POA password"
            placeholder={stored(current.poa?.hasPassword)}
            value={poaPassword}
            error={fieldError(error, 'poaPassword', 'POA password')}
            onChange={(e) => setPoaPassword(e.currentTarget.value)}
          />
        </Stack>
        <Stack gap="xs">
          <Title order={4}>PBA (Billing) OpenAPI</Title>
          <TextInput
            label="PBA URL"
            placeholder="https://pba.example.com:5224/RPC2"
            value={pbaUrl}
            error={fieldError(error, 'pbaUrl', 'PBA URL')}
            onChange={(e) => setPbaUrl(e.currentTarget.value)}
          />
          <TextInput
            label="PBA user"
            value={pbaUser}
            error={fieldError(error, 'pbaUser', 'PBA user')}
            onChange={(e) => setPbaUser(e.currentTarget.value)}
          />
          <PasswordInput
            label="PBA password"
            placeholder={stored(current.pba?.hasPassword)}
            value={pbaPassword}
            error={fieldError(error, 'pbaPassword', 'PBA password')}
            onChange={(e) => setPbaPassword(e.currentTarget.value)}
          />
        </Stack>
      </SimpleGrid>
      <TextInput
        label="TLS certificate fingerprint (SHA-256)"
        description="Pins the target's certificate; leave empty to trust the system's certificate authorities."
        value={fingerprint}
        error={fieldError(error, 'tlsFingerprint', 'TLS certificate fingerprint')}
        onChange={(e) => setFingerprint(e.currentTarget.value)}
      />
      {alertError && <ApiErrorAlert error={alertError} title="The target settings were not saved" />}
      <Group>
        <Button type="submit" loading={saving}>
          Save target
        </Button>
      </Group>
    </Stack>
  );
}
