/** Opens a project another engineer shared on PostgreSQL in this data dir (issue 15). */
import { TextInput } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api';
import { fieldError, unlessOnField } from '../../components/field-error';
import { FormModal } from '../../components/form-modal';
import { useSubmit } from '../../hooks/use-submit';
import { EngineerKeyNote } from './engineer-key-note';
import { StoreFields, type StoreFieldsValue } from './store-fields';
import { storeRequest } from './store-request';

const NO_SHARED_STORE: StoreFieldsValue = { kind: 'postgres', address: '', password: '' };

export function AttachSharedModal(props: {
  opened: boolean;
  onClose: () => void;
  onAttached: (id: string) => void;
}) {
  const [projectId, setProjectId] = useState('');
  const [store, setStore] = useState<StoreFieldsValue>(NO_SHARED_STORE);
  const { busy, error, submit } = useSubmit(
    () =>
      api.call('projects:attach', {
        projectId: projectId.trim(),
        ...storeRequest(store),
      }),
    (attached) => {
      setStore(NO_SHARED_STORE);
      setProjectId('');
      props.onClose();
      props.onAttached(attached.id);
    },
  );

  return (
    <FormModal
      opened={props.opened}
      title="Open a shared project"
      onClose={props.onClose}
      onSubmit={submit}
      submitLabel="Open"
      busy={busy}
      error={unlessOnField(error, ['projectId', 'address', 'password'])}
      errorTitle="The project was not opened"
    >
      <TextInput
        label="Project id"
        description="As the engineer who shared it sees it (mm project list)"
        value={projectId}
        onChange={(e) => setProjectId(e.currentTarget.value)}
        required
        data-autofocus
        error={fieldError(error, 'projectId', 'Project id')}
      />
      <StoreFields value={store} onChange={setStore} error={error} sharedOnly testable />
      <EngineerKeyNote />
    </FormModal>
  );
}
