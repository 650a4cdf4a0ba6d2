/** Opens a project another engineer shared on PostgreSQL in this data dir (issue 15). */
import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { fieldError, unlessOnField } from '../../components/field-error';
import { StoreFields, type StoreFieldsValue } from './store-fields';

export function AttachSharedModal(props: {
  opened: boolean;
  onClose: () => void;
  onAttached: (id: string) => void;
}) {
  const [projectId, setProjectId] = useState('');
  const [store, setStore] = useState<StoreFieldsValue>({ kind: 'postgres', address: '', password: '' });
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const alertError = unlessOnField(error, ['projectId', 'address', 'password']);

  const submit = async (): Promise<void> => {
    setBusy(true);
    const r = await api.call('projects:attach', {
      projectId: projectId.trim(),
      address: store.address,
      ...(store.password !== '' ? { password: store.password } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setStore({ kind: 'postgres', address: '', password: '' });
    setProjectId('');
    props.onClose();
    props.onAttached(r.value.id);
  };

  return (
    <Modal opened={props.opened} onClose={props.onClose} title="Open a shared project">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <TextInput
            label="Project id"
            description="As the engineer who shared it sees it (mm project list)"
            value={projectId}
            onChange={(e) => setProjectId(e.currentTarget.value)}
            required
            data-autofocus
            error={fieldError(error, 'projectId', 'Project id')}
          />
          <StoreFields value={store} onChange={setStore} error={error} sharedOnly />
          {alertError && <ApiErrorAlert error={alertError} title="The project was not opened" />}
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Open
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
