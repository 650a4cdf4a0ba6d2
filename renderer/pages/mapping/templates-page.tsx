import {
  Alert,
  Badge,
  Button,
  CloseButton,
  FileButton,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import type { MappingBulkResult } from '../../../shared/contract';
import type {
  MappingInput,
  MappingRow,
  MappingState,
  MappingSuggestions,
  TemplateMapping,
} from '../../../shared/model/mapping';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { saveBlob } from '../../components/file-transfer';
import { useCall } from '../../hooks/use-call';
import { CLASS_LABELS, HINT_LABELS, MappingEditor } from './mapping-editor';
import { SuggestionsModal } from './suggestions-modal';
import { useReadOnly } from '../../project-context';

const STATE_COLOR: Record<MappingState, string> = {
  unmapped: 'red',
  incomplete: 'yellow',
  complete: 'green',
};

/** Target names by id, from the target's live lists (empty when it does not answer). */
interface TargetNames {
  readonly poa: ReadonlyMap<number, string>;
  readonly pba: ReadonlyMap<number, string>;
}

const NO_NAMES: TargetNames = { poa: new Map(), pba: new Map() };

/** What a template becomes, with the target's names next to its ids: `POA 11 "Starter"`. */
function mappingSummary(m: TemplateMapping, names: TargetNames = NO_NAMES): string {
  const named = (id: number, list: ReadonlyMap<number, string>): string =>
    list.has(id) ? `${id} "${list.get(id)}"` : String(id);
  const parts: string[] = [CLASS_LABELS[m.class]];
  if (m.poaTemplateId !== undefined) parts.push(`POA ${named(m.poaTemplateId, names.poa)}`);
  if (m.pbaPlanId !== undefined) parts.push(`PBA ${named(m.pbaPlanId, names.pba)}`);
  for (const t of m.tlds) parts.push(`${t.tld}→${named(t.pbaPlanId, names.pba)} (${t.registrarType})`);
  return parts.join(' · ');
}

type Notice = { readonly color: string; readonly title: string; readonly text: string };

function bulkNotice(title: string, r: MappingBulkResult): Notice {
  const failed = r.failed.map((f) => `${f.templateId}: ${f.message}`).join('; ');
  return {
    color: r.failed.length === 0 ? 'green' : 'yellow',
    title,
    text: `${r.applied.length} mapping(s) stored${failed ? `; refused — ${failed}` : '.'}${
      r.reverified ? ` Re-verified: ${r.reverified.changed} result(s) changed.` : ''
    }`,
  };
}

/**
 * The "Templates" step (SPEC R4): every external service template per source server, its class
 * and what it becomes on the target, picked from the target's live lists.
 */
export function TemplatesPage({ projectId }: { projectId: string }) {
  const rows = useCall('mapping:list', { projectId });
  // The target's names for the ids (a review copy reaches no target: ids only).
  const readOnlyCopy = useReadOnly();
  const [names, setNames] = useState<TargetNames>(NO_NAMES);
  useEffect(() => {
    if (readOnlyCopy) return;
    let live = true;
    void api.call('target:test', { projectId }).then((r) => {
      if (!live || !r.ok) return;
      setNames({
        poa: new Map((r.value.poa.items ?? []).map((t) => [t.id, t.name])),
        pba: new Map((r.value.pba.items ?? []).map((p) => [p.id, p.name])),
      });
    });
    return () => {
      live = false;
    };
  }, [projectId, readOnlyCopy]);
  const servers = useCall('servers:list', { projectId });
  const [server, setServer] = useState<string | null>(null);
  const [stateFilter, setStateFilter] = useState<string | null>(null);
  const [editing, setEditing] = useState<MappingRow>();
  const [notice, setNotice] = useState<Notice>();
  const [error, setError] = useState<AppError>();
  const [suggestOpen, setSuggestOpen] = useState(false);
  const [suggestions, setSuggestions] = useState<MappingSuggestions>();
  const [suggestError, setSuggestError] = useState<AppError>();
  const [suggesting, setSuggesting] = useState(false);
  const [removing, setRemoving] = useState<MappingRow>();
  const readOnly = useReadOnly();

  const serverName = useMemo(() => {
    const names = new Map((servers.data ?? []).map((s) => [s.id, s.name]));
    return (id: string): string => names.get(id) ?? id;
  }, [servers.data]);

  const all = rows.data ?? [];
  const shown = all.filter(
    (r) => (!server || r.serverId === server) && (!stateFilter || r.state === stateFilter),
  );
  const complete = all.filter((r) => r.state === 'complete').length;

  const suggest = async (): Promise<void> => {
    setSuggestOpen(true);
    setSuggestions(undefined);
    setSuggestError(undefined);
    setSuggesting(true);
    const r = await api.call('mapping:suggest', { projectId, ...(server ? { serverId: server } : {}) });
    setSuggesting(false);
    if (r.ok) setSuggestions(r.value);
    else setSuggestError(r.error);
  };

  const save = async (input: MappingInput): Promise<AppError | undefined> => {
    const r = await api.call('mapping:set', { projectId, mapping: input });
    if (!r.ok) return r.error;
    const m = r.value.mapping;
    setNotice({
      color: m.check === 'verified' ? 'green' : 'yellow',
      title: `${m.templateId} mapped (${m.check === 'verified' ? 'verified against the target' : 'not checked: the target did not answer'})`,
      text: [
        mappingSummary(m),
        m.checkNote,
        r.value.decision
          ? 'Recorded as a re-mapping decision: it can be undone on the Verification page.'
          : '',
      ]
        .filter(Boolean)
        .join('. '),
    });
    setEditing(undefined);
    rows.reload();
    return undefined;
  };

  const remove = async (row: MappingRow): Promise<void> => {
    setRemoving(undefined);
    const r = await api.call('mapping:remove', {
      projectId,
      serverId: row.serverId,
      templateId: row.templateId,
    });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setNotice({
      color: 'gray',
      title: `Mapping of ${row.templateId} removed`,
      text: 'The template is unmapped again.',
    });
    rows.reload();
  };

  const exportFile = async (): Promise<void> => {
    const r = await api.call('mapping:export', { projectId });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    saveBlob(r.value.fileName, new Blob([r.value.content], { type: 'application/json' }));
  };

  const importFile = async (file: File | null): Promise<void> => {
    if (!file) return;
    const r = await api.call('mapping:import', { projectId, content: await file.text() });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setNotice(bulkNotice(`Imported ${file.name}`, r.value));
    rows.reload();
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Templates</Title>
        <Group gap="xs">
          {!readOnly && <Button onClick={() => void suggest()}>Suggest mappings</Button>}
          <Button variant="default" onClick={() => void exportFile()} disabled={all.length === 0}>
            Export
          </Button>
          {!readOnly && (
            <FileButton onChange={(f) => void importFile(f)} accept="application/json,.json">
              {(p) => (
                <Button variant="default" {...p}>
                  Import
                </Button>
              )}
            </FileButton>
          )}
        </Group>
      </Group>
      <Text c="dimmed">
        Classify every external service template of the source servers and map it to what the target sells:
        hosting → a POA service template and a PBA plan; domain registration → per TLD a PBA plan and a
        registrar type; resource → a PBA plan.
      </Text>
      {notice && (
        <Alert
          color={notice.color}
          title={notice.title}
          data-testid="mapping-notice"
          withCloseButton
          onClose={() => setNotice(undefined)}
        >
          {notice.text}
        </Alert>
      )}
      {error && <ApiErrorAlert error={error} />}
      {rows.error && <ApiErrorAlert error={rows.error} title="The templates cannot be listed" />}
      <Group>
        <Select
          placeholder="Every source server"
          aria-label="Source server"
          clearable
          data={(servers.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={server}
          onChange={setServer}
        />
        <Select
          placeholder="Any state"
          aria-label="Mapping state"
          clearable
          data={['unmapped', 'incomplete', 'complete']}
          value={stateFilter}
          onChange={setStateFilter}
        />
        {rows.data && (
          <Text size="sm" c="dimmed" data-testid="mapping-count">
            {complete} of {all.length} templates mapped
          </Text>
        )}
      </Group>
      {!rows.data && !rows.error && <Loader />}
      {rows.data && all.length === 0 && (
        <Alert color="gray" title="No templates yet">
          Fetch the inventory of a source server first: its service templates appear here.
        </Alert>
      )}
      {shown.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover aria-label="Service templates" data-testid="mapping-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Template</Table.Th>
                <Table.Th>Subscriptions</Table.Th>
                <Table.Th>TLDs</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Mapped to</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((r) => (
                <Table.Tr
                  key={`${r.serverId}/${r.templateId}`}
                  data-testid="mapping-row"
                  data-template={r.templateId}
                  data-state={r.state}
                >
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {r.templateName}
                    </Text>
                    <Group gap={4}>
                      <Text size="xs" c="dimmed">
                        {r.templateId}
                      </Text>
                      {r.virtual && (
                        <Badge size="xs" variant="outline">
                          virtual
                        </Badge>
                      )}
                      {r.disabled && (
                        <Badge size="xs" variant="outline" color="gray">
                          disabled
                        </Badge>
                      )}
                    </Group>
                    <Text size="xs" c="dimmed">
                      on {serverName(r.serverId)}
                      {r.kindHint
                        ? ` · the agent says ${(HINT_LABELS[r.kindHint] ?? r.kindHint).toLowerCase()}`
                        : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>{r.subscriptions}</Table.Td>
                  <Table.Td>{r.tlds.join(' ') || '—'}</Table.Td>
                  <Table.Td miw={120}>
                    <Badge size="sm" variant="light" color={STATE_COLOR[r.state]} data-testid="mapping-state">
                      {r.state}
                    </Badge>
                    {r.missing.length > 0 && (
                      <Text size="xs" c="dimmed">
                        needs {r.missing.join(', ')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {r.mapping ? (
                      <Group gap={4}>
                        <Text size="sm">{mappingSummary(r.mapping, names)}</Text>
                        <Tooltip
                          label={r.mapping.checkNote ?? 'The ids exist on the target'}
                          multiline
                          w={260}
                        >
                          <Badge
                            size="xs"
                            variant="dot"
                            color={r.mapping.check === 'verified' ? 'green' : 'yellow'}
                          >
                            {r.mapping.check}
                          </Badge>
                        </Tooltip>
                      </Group>
                    ) : (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {!readOnly && (
                      <Group gap={4} wrap="nowrap">
                        <Button
                          size="compact-sm"
                          variant="light"
                          onClick={() => setEditing(r)}
                          aria-label={`${r.mapping ? 'Edit the mapping of' : 'Map'} ${r.templateName}`}
                        >
                          {r.mapping ? 'Edit' : 'Map'}
                        </Button>
                        {r.mapping && (
                          <CloseButton
                            size="sm"
                            aria-label={`Remove the mapping of ${r.templateName}`}
                            onClick={() => setRemoving(r)}
                          />
                        )}
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <MappingEditor
        projectId={projectId}
        subject={editing}
        onClose={() => setEditing(undefined)}
        onSave={save}
      />
      <ConfirmDialog
        opened={removing !== undefined}
        title="Remove the mapping?"
        confirmLabel="Remove mapping"
        onCancel={() => setRemoving(undefined)}
        onConfirm={() => {
          if (removing) void remove(removing);
        }}
      >
        {`${removing?.templateName ?? ''} becomes unmapped: its subscriptions fail verification until it is mapped again.`}
      </ConfirmDialog>
      <SuggestionsModal
        projectId={projectId}
        opened={suggestOpen}
        suggestions={suggestions}
        loading={suggesting}
        error={suggestError}
        onClose={() => setSuggestOpen(false)}
        onApplied={(r) => {
          setNotice(bulkNotice('Suggestions applied', r));
          rows.reload();
        }}
      />
    </Stack>
  );
}
