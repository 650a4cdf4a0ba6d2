import { Badge, Button, Card, Group, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ApiErrorAlert } from '../../components/api-error';
import { fieldError, isAbout, unlessOnField } from '../../components/field-error';
import { UploadButton } from '../../components/upload-button';
import { api } from '../../api';
import { useCall, useEvent } from '../../hooks/use-call';
import type { AppError } from '../../../shared/result';
import { formatTime } from '../../format';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { FormModal } from '../../components/form-modal';
import { useSubmit } from '../../hooks/use-submit';
import type { ProjectSummary } from '../../../shared/model/project';
import { AttachSharedModal } from './attach-shared-modal';
import { MoveResultAlert, MoveToStoreModal } from './move-to-store-modal';
import type { ProjectMoveResult } from '../../../shared/model/project-move';
import { NO_STORE_FIELDS, StoreBadge, StoreFields, type StoreFieldsValue } from './store-fields';
import { storeRequest } from './store-request';

export function ProjectsPage({ onOpen }: { onOpen: (projectId: string) => void }) {
  const projects = useCall('projects:list', {});
  // where each project lives (files here, or a PostgreSQL database), asked with the list
  const stores = useCall('projects:stores', {});
  const [creating, setCreating] = useState(false);
  const [attaching, setAttaching] = useState(false);
  const [renaming, setRenaming] = useState<ProjectSummary>();
  const [removing, setRemoving] = useState<ProjectSummary>();
  const [removeError, setRemoveError] = useState<AppError>();
  const [moving, setMoving] = useState<ProjectSummary>();
  const [moved, setMoved] = useState<ProjectMoveResult>();
  const reloadList = projects.reload;
  const reloadStores = stores.reload;
  const reload = useCallback(() => {
    reloadList();
    reloadStores();
  }, [reloadList, reloadStores]);

  const remove = async (p: ProjectSummary): Promise<void> => {
    const r = await api.call('projects:remove', { projectId: p.id });
    setRemoving(undefined);
    if (!r.ok) return setRemoveError(r.error);
    setRemoveError(undefined);
    reload();
  };
  useEvent(
    'projects:changed',
    useCallback(() => reload(), [reload]),
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Migration projects</Title>
        <Group>
          <OpenForReviewButton onOpened={onOpen} />
          <Button variant="default" onClick={() => setAttaching(true)}>
            Open shared project
          </Button>
          <Button onClick={() => setCreating(true)}>New project</Button>
        </Group>
      </Group>
      {projects.error && <ApiErrorAlert error={projects.error} />}
      {removeError && <ApiErrorAlert error={removeError} title="The project was not deleted" />}
      {moved && <MoveResultAlert result={moved} onClose={() => setMoved(undefined)} />}
      {projects.data && projects.data.length === 0 && (
        <Card withBorder>
          <Text>No migration projects yet. Create one to register source servers and start.</Text>
        </Card>
      )}
      {projects.data && projects.data.length > 0 && (
        <Table highlightOnHover striped data-testid="projects-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Source servers</Table.Th>
              <Table.Th>Kept in</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {projects.data.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Group gap="xs">
                    <Text fw={500}>{p.name}</Text>
                    {p.demo && <Badge size="sm">demo</Badge>}
                    {p.review && (
                      <Badge size="sm" color="yellow">
                        review copy
                      </Badge>
                    )}
                    {p.problem && (
                      <Badge size="sm" color="red" title={p.problem}>
                        unreadable
                      </Badge>
                    )}
                  </Group>
                  {p.problem && (
                    <Text size="xs" c="red">
                      {p.problem}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{formatTime(p.createdAt)}</Table.Td>
                <Table.Td>{p.serverCount}</Table.Td>
                <Table.Td>
                  <Stack gap={2} align="flex-start">
                    <StoreBadge store={stores.data?.[p.id]} projectId={p.id} />
                    {/* where the project is kept can change here: files to a shared database */}
                    {stores.data?.[p.id]?.kind === 'files' && !p.review && p.problem === undefined && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        aria-label={`Move ${p.name} to PostgreSQL`}
                        onClick={() => setMoving(p)}
                      >
                        Move to PostgreSQL…
                      </Button>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap" justify="flex-end">
                    <Button
                      size="xs"
                      variant="light"
                      disabled={p.problem !== undefined}
                      onClick={() => onOpen(p.id)}
                    >
                      Open
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      disabled={p.problem !== undefined}
                      aria-label={`Rename ${p.name}`}
                      onClick={() => setRenaming(p)}
                    >
                      Rename
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      aria-label={`Delete ${p.name}`}
                      onClick={() => setRemoving(p)}
                    >
                      Delete
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <CreateProjectModal opened={creating} onClose={() => setCreating(false)} onCreated={onOpen} />
      <AttachSharedModal opened={attaching} onClose={() => setAttaching(false)} onAttached={onOpen} />
      <MoveToStoreModal
        project={moving}
        onClose={() => setMoving(undefined)}
        onMoved={(result) => {
          setMoved(result);
          reload();
        }}
      />
      <RenameProjectModal
        key={renaming?.id ?? ''}
        project={renaming}
        onClose={() => setRenaming(undefined)}
        onRenamed={reload}
      />
      <ConfirmDialog
        opened={removing !== undefined}
        title={`Delete ${removing?.name ?? ''}?`}
        confirmLabel="Delete the project"
        onCancel={() => setRemoving(undefined)}
        onConfirm={() => {
          if (removing) void remove(removing);
        }}
      >
        {`Its inventories, mappings, selection, decisions, verification results, comments, log and stored passwords are deleted from this machine. Source servers and the target are not touched. This cannot be undone${removing?.review ? '' : ': export it for review first to keep a copy'}.`}
      </ConfirmDialog>
    </Stack>
  );
}

function CreateProjectModal(props: {
  opened: boolean;
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [store, setStore] = useState<StoreFieldsValue>(NO_STORE_FIELDS);
  const { busy, error, clearError, submit } = useSubmit(
    () =>
      store.kind === 'postgres'
        ? api.call('projects:create-shared', {
            name,
            description,
            ...storeRequest(store),
          })
        : api.call('projects:create', { name, description }),
    (created) => {
      setName('');
      setDescription('');
      setStore(NO_STORE_FIELDS);
      props.onClose();
      props.onCreated(created.id);
    },
  );

  return (
    <FormModal
      opened={props.opened}
      title="New migration project"
      onClose={props.onClose}
      onSubmit={submit}
      submitLabel="Create"
      busy={busy}
      // Refusals of the name and the store's fields show on the field; anything else in the alert.
      error={unlessOnField(error, ['name', 'address', 'password'])}
      errorTitle="The project was not created"
    >
      <TextInput
        label="Name"
        placeholder="e.g. H-Sphere cluster A"
        value={name}
        onChange={(e) => {
          setName(e.currentTarget.value);
          if (isAbout(error, 'name')) clearError();
        }}
        required
        data-autofocus
        error={fieldError(error, 'name', 'Name')}
      />
      <Textarea
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
      />
      <StoreFields value={store} onChange={setStore} error={error} testable />
    </FormModal>
  );
}

/** Opens a review bundle as a read-only project. */
function OpenForReviewButton({ onOpened }: { onOpened: (projectId: string) => void }) {
  const [error, setError] = useState<AppError>();
  return (
    <>
      <UploadButton
        channel="review:open"
        request={{}}
        accept=".mmreview,application/gzip"
        label="Open for review"
        onDone={(r) => {
          if (!r.ok) return setError(r.error);
          setError(undefined);
          if (r.value.picked) onOpened(r.value.value.id);
        }}
      />
      {error && <ApiErrorAlert error={error} title="The bundle was not opened" />}
    </>
  );
}

/** A new name for a project: said on the field when refused. */
function RenameProjectModal(props: {
  project: ProjectSummary | undefined;
  onClose: () => void;
  onRenamed: () => void;
}) {
  const [name, setName] = useState(props.project?.name ?? '');
  const projectId = props.project?.id ?? '';
  const { busy, error, clearError, submit } = useSubmit(
    () => api.call('projects:rename', { projectId, name }),
    () => {
      props.onRenamed();
      props.onClose();
    },
  );
  return (
    <FormModal
      opened={props.project !== undefined}
      title="Rename the project"
      onClose={props.onClose}
      onSubmit={submit}
      submitLabel="Rename"
      busy={busy}
      error={unlessOnField(error, ['name'])}
      errorTitle="The project was not renamed"
      submitDisabled={name.trim() === '' || name.trim() === props.project?.name}
    >
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => {
          setName(e.currentTarget.value);
          clearError();
        }}
        error={fieldError(error, 'name', 'Name')}
        data-autofocus
      />
    </FormModal>
  );
}
