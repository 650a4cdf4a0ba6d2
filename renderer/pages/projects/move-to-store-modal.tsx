/**
 * "Move to PostgreSQL…" of a file project (issue 15): the database's address and password (the
 * same fields as the New project and Open shared project forms, with Test connection), then
 * the move itself, done by the core with the project open (`projects:move-to-store`): refused
 * while a batch, rehearsal, verification or check runs on it, else its documents and journal
 * copied into the database in one transaction and its files set aside.
 */
import { Alert, Group, Loader, Text } from '@mantine/core';
import { useState } from 'react';
import type { ProjectSummary } from '../../../shared/model/project';
import type { ProjectMoveResult } from '../../../shared/model/project-move';
import { api } from '../../api';
import { unlessOnField } from '../../components/field-error';
import { FormModal } from '../../components/form-modal';
import { useSubmit } from '../../hooks/use-submit';
import { StoreFields, type StoreFieldsValue } from './store-fields';
import { storeRequest } from './store-request';

const EMPTY: StoreFieldsValue = { kind: 'postgres', address: '', password: '' };

export function MoveToStoreModal(props: {
  /** The project to move; undefined: closed. */
  project: ProjectSummary | undefined;
  onClose: () => void;
  onMoved: (result: ProjectMoveResult) => void;
}) {
  const [store, setStore] = useState<StoreFieldsValue>(EMPTY);
  const { project } = props;
  const { busy, error, submit } = useSubmit(
    () =>
      api.call('projects:move-to-store', {
        projectId: project?.id ?? '',
        ...storeRequest(store),
      }),
    (moved) => {
      setStore(EMPTY);
      props.onClose();
      props.onMoved(moved);
    },
  );

  return (
    <FormModal
      opened={project !== undefined}
      title="Move to PostgreSQL"
      onClose={() => {
        // the move runs to its end in the core; the dialog stays until it answers
        if (!busy) props.onClose();
      }}
      onSubmit={submit}
      submitLabel="Move"
      busy={busy}
      error={unlessOnField(error, ['address', 'password'])}
      errorTitle="The project was not moved"
    >
      <Text size="sm">
        {`"${project?.name ?? ''}" will be kept in a PostgreSQL database that a team shares: its documents and migration journal are copied there in one transaction, and its files on this machine are set aside (kept, no longer read). Not while a batch, rehearsal, verification or check runs on it.`}
      </Text>
      <StoreFields value={store} onChange={setStore} error={error} sharedOnly testable />
      {busy && (
        <Group gap="xs" data-testid="move-progress">
          <Loader size="xs" />
          <Text size="sm">Releasing the project and copying it into the database…</Text>
        </Group>
      )}
    </FormModal>
  );
}

/** What the move did, said on the projects page once it ended. */
export function MoveResultAlert(props: { result: ProjectMoveResult; onClose: () => void }) {
  const { result } = props;
  return (
    <Alert
      color="teal"
      title={`${result.name} is kept in PostgreSQL now`}
      withCloseButton
      onClose={props.onClose}
      data-testid="move-result"
    >
      {`${result.documents} documents and ${result.journalEntries} journal entries moved to ${result.address}. The former files are kept in ${result.setAside}.`}
    </Alert>
  );
}
