import { Alert, Badge, Button, Loader, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { Decision, DecisionState } from '../../../shared/model/decision';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { ConfirmDialog } from '../../components/confirm-dialog';
import type { CallState } from '../../hooks/use-call';
import { formatTime } from '../../format';
import { CLASS_LABELS } from '../mapping/mapping-editor';
import { useReadOnly } from '../../project-context';

/** A decision's before/after, in words. */
export function describeState(s: DecisionState): string {
  switch (s.kind) {
    case 'override':
      return s.notMigrated ? 'not migrated' : 'migrated as verified';
    case 'approve':
      return s.approved ? (s.park ? 'approved, parked' : 'approved') : 'not approved';
    case 'unselect':
      return s.selected ? 'selected' : 'not selected';
    case 'remap': {
      const m = s.mapping;
      if (!m) return 'unmapped';
      const ids = [
        m.poaTemplateId !== undefined ? `POA ${m.poaTemplateId}` : '',
        m.pbaPlanId !== undefined ? `PBA ${m.pbaPlanId}` : '',
        ...m.tlds.map((t) => `${t.tld}→${t.pbaPlanId}`),
      ].filter(Boolean);
      return `${CLASS_LABELS[m.class]}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}`;
    }
  }
}

/** Same object, same kind of decision: the key that orders undos. */
function subjectKey(d: Decision): string {
  const i = d.input;
  return i.kind === 'remap'
    ? `remap ${i.mapping.serverId} ${i.mapping.templateId}`
    : `${i.kind} ${i.serverId} ${i.kind === 'override' ? i.subscriptionId : i.domainId}`;
}

/**
 * A decision can be undone only while it is the latest one in force about its object (the core
 * refuses otherwise): the id of the later one that blocks it, if any. The list is newest first.
 */
function blockedBy(d: Decision, newestFirst: readonly Decision[]): string | undefined {
  const key = subjectKey(d);
  for (const x of newestFirst) {
    if (x.id === d.id) return undefined;
    if (!x.undone && subjectKey(x) === key) return x.id;
  }
  return undefined;
}

/** The decision log: who changed what and when, before and after; each undoable after confirmation. */
export function DecisionsPanel({
  projectId,
  decisions,
  onChanged,
}: {
  projectId: string;
  decisions: CallState<readonly Decision[]>;
  onChanged: () => void;
}) {
  const [undoing, setUndoing] = useState<Decision>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError>();
  const [done, setDone] = useState<string>();
  const readOnly = useReadOnly();

  const undo = async (d: Decision): Promise<void> => {
    setBusy(true);
    const r = await api.call('decisions:undo', { projectId, decisionId: d.id });
    setBusy(false);
    setUndoing(undefined);
    if (!r.ok) return setError(r.error);
    setError(undefined);
    setDone(
      `Undone: ${d.summary}.${r.value.reverified ? ` Re-verified ${r.value.reverified.recomputed} result(s), ${r.value.reverified.changed} changed.` : ''}`,
    );
    onChanged();
  };

  const list = decisions.data ?? [];
  return (
    <Stack data-testid="decisions">
      {decisions.error && <ApiErrorAlert error={decisions.error} title="The decisions cannot be read" />}
      {error && <ApiErrorAlert error={error} title="The decision was not undone" />}
      {done && (
        <Alert color="green" withCloseButton onClose={() => setDone(undefined)} data-testid="undo-notice">
          {done}
        </Alert>
      )}
      {!decisions.data && !decisions.error && <Loader />}
      {decisions.data && list.length === 0 && (
        <Text c="dimmed">No decisions yet: they appear here when an issue is resolved.</Text>
      )}
      {list.length > 0 && (
        <Table.ScrollContainer minWidth={800}>
          <Table striped aria-label="Decisions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Author</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th>Before</Table.Th>
                <Table.Th>After</Table.Th>
                <Table.Th>State</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((d) => (
                <Table.Tr
                  key={d.id}
                  data-testid="decision-row"
                  data-kind={d.input.kind}
                  data-undone={Boolean(d.undone)}
                >
                  <Table.Td>
                    <Text size="sm">{formatTime(d.time)}</Text>
                  </Table.Td>
                  <Table.Td>{d.author}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" variant="light" mr={6}>
                      {d.input.kind}
                    </Badge>
                    {d.summary}
                  </Table.Td>
                  <Table.Td>{describeState(d.before)}</Table.Td>
                  <Table.Td>{describeState(d.after)}</Table.Td>
                  <Table.Td>
                    {d.undone ? (
                      <Text size="sm" c="dimmed">
                        undone {formatTime(d.undone.time)} by {d.undone.author}
                      </Text>
                    ) : readOnly ? (
                      <Text size="sm">in force</Text>
                    ) : blockedBy(d, list) ? (
                      <Text size="sm" c="dimmed" title="Undo the later decision about the same object first">
                        in force (undo {blockedBy(d, list)} first)
                      </Text>
                    ) : (
                      <Button
                        size="compact-sm"
                        variant="light"
                        color="orange"
                        aria-label={`Undo: ${d.summary}`}
                        onClick={() => setUndoing(d)}
                      >
                        Undo
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ConfirmDialog
        opened={undoing !== undefined}
        title="Undo this decision?"
        confirmLabel="Undo decision"
        color="orange"
        busy={busy}
        onCancel={() => setUndoing(undefined)}
        onConfirm={() => {
          if (undoing) void undo(undoing);
        }}
      >
        {undoing
          ? `${undoing.summary}: goes back from "${describeState(undoing.after)}" to "${describeState(undoing.before)}", and what it touched is verified again.`
          : ''}
      </ConfirmDialog>
    </Stack>
  );
}
