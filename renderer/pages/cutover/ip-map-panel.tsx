/**
 * IP mapping (R14): the target's pool and default, and the table of source IPs with their
 * targets — proposed by the rules, edited by hand per row, or imported from a two-column file.
 */
import { Alert, Badge, Button, FileButton, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { IpMapRow, IpMapSuggestResult } from '../../../shared/model/ipmap';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall } from '../../hooks/use-call';
import { useReadOnly } from '../../project-context';

const list = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

function how(r: IpMapRow): string {
  if (r.origin === undefined) return 'not mapped';
  if (r.origin === 'manual') return 'set by hand';
  if (r.origin === 'import') return 'imported';
  if (r.exhausted) return 'default: no free dedicated IP';
  return r.rule === 'dedicated'
    ? 'free dedicated IP'
    : r.rule === 'shared'
      ? 'shared IP of its own'
      : 'default';
}

function RowEditor({ row, onSave }: { row: IpMapRow; onSave: (target: string | null) => Promise<void> }) {
  const readOnly = useReadOnly();
  const [value, setValue] = useState(row.target ?? '');
  return (
    <Group gap="xs" wrap="nowrap">
      <TextInput
        size="xs"
        value={value}
        disabled={readOnly}
        aria-label={`Target IP for ${row.source}`}
        placeholder="target IP"
        onChange={(e) => setValue(e.currentTarget.value)}
      />
      <Button
        size="xs"
        variant="default"
        disabled={readOnly || value.trim() === ''}
        onClick={() => void onSave(value.trim())}
      >
        Set
      </Button>
      {row.target !== undefined && (
        <Button size="xs" variant="subtle" color="red" disabled={readOnly} onClick={() => void onSave(null)}>
          Remove
        </Button>
      )}
    </Group>
  );
}

export function IpMapPanel({ projectId }: { projectId: string }) {
  const readOnly = useReadOnly();
  const view = useCall('ipmap:view', { projectId });
  const [error, setError] = useState<AppError>();
  const [note, setNote] = useState<string>();
  const [shared, setShared] = useState<string>();
  const [dedicated, setDedicated] = useState<string>();
  const [fallback, setFallback] = useState<string>();
  const [proposal, setProposal] = useState<IpMapSuggestResult>();

  const pool = view.data?.pool ?? [];
  const of = (kind: string): string =>
    pool
      .filter((p) => p.kind === kind)
      .map((p) => p.address)
      .join(', ');

  const done = async <T,>(
    r: { ok: true; value: T } | { ok: false; error: AppError },
    said: string,
  ): Promise<T | undefined> => {
    if (!r.ok) {
      setError(r.error);
      return undefined;
    }
    setError(undefined);
    setNote(said);
    view.reload();
    return r.value;
  };

  const savePool = async (): Promise<void> => {
    const def = (fallback ?? view.data?.defaultTarget ?? '').trim();
    await done(
      await api.call('ipmap:pool', {
        projectId,
        shared: list(shared ?? of('shared')),
        dedicated: list(dedicated ?? of('dedicated')),
        defaultTarget: def === '' ? null : def,
      }),
      'Target pool saved.',
    );
  };
  const suggest = async (apply: boolean): Promise<void> => {
    const r = await done(
      await api.call('ipmap:suggest', { projectId, apply }),
      apply ? 'Proposals stored: verify again.' : 'Proposals below (not stored).',
    );
    setProposal(apply ? undefined : r);
  };
  const setRow = async (source: string, target: string | null): Promise<void> => {
    await done(
      await api.call('ipmap:set', { projectId, source, target }),
      target ? `Mapped ${source} to ${target}.` : `Removed the mapping of ${source}.`,
    );
  };
  const importFile = async (file: File | null): Promise<void> => {
    if (!file) return;
    const r = await done(
      await api.call('ipmap:import', { projectId, fileName: file.name, text: await file.text() }),
      `Imported ${file.name}.`,
    );
    if (r) setNote(`Imported ${r.imported} mapping(s) from ${r.fileName}.`);
  };

  const rows = proposal?.rows ?? view.data?.rows ?? [];
  return (
    <Stack data-testid="ip-map">
      <Text size="sm" c="dimmed">
        The target&apos;s documented API lists no IP pools: give its shared and dedicated IPs here. Zone
        records are created with the mapped addresses; verification warns about every domain whose dedicated
        IP the target could not match.
      </Text>
      <Group align="flex-end">
        <TextInput
          label="Shared IPs"
          w={260}
          disabled={readOnly}
          value={shared ?? of('shared')}
          onChange={(e) => setShared(e.currentTarget.value)}
        />
        <TextInput
          label="Dedicated IPs"
          w={260}
          disabled={readOnly}
          value={dedicated ?? of('dedicated')}
          onChange={(e) => setDedicated(e.currentTarget.value)}
        />
        <TextInput
          label="Default IP"
          w={180}
          disabled={readOnly}
          placeholder="first shared IP"
          value={fallback ?? view.data?.defaultTarget ?? ''}
          onChange={(e) => setFallback(e.currentTarget.value)}
        />
        <Button disabled={readOnly} onClick={() => void savePool()}>
          Save pool
        </Button>
      </Group>
      <Group>
        <Button variant="default" disabled={readOnly} onClick={() => void suggest(false)}>
          Suggest
        </Button>
        <Button disabled={readOnly} onClick={() => void suggest(true)}>
          Suggest and store
        </Button>
        <FileButton onChange={(f) => void importFile(f)} accept=".csv,.txt,text/plain,text/csv">
          {(props) => (
            <Button variant="default" disabled={readOnly} {...props}>
              Import two-column file
            </Button>
          )}
        </FileButton>
      </Group>
      {note && (
        <Text size="sm" data-testid="ip-map-note">
          {note}
        </Text>
      )}
      {error && <ApiErrorAlert error={error} />}
      {view.error && <ApiErrorAlert error={view.error} />}
      {proposal && proposal.exhausted.length > 0 && (
        <Alert color="yellow" title="Not enough dedicated IPs on the target">
          {proposal.exhausted.join(', ')} had a dedicated IP of its own on the source and would share the
          default.
        </Alert>
      )}
      <Table striped withTableBorder data-testid="ip-map-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Source IP</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Servers</Table.Th>
            <Table.Th>Domains</Table.Th>
            <Table.Th>Target IP</Table.Th>
            <Table.Th>How</Table.Th>
            {!proposal && <Table.Th>Edit</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.source} data-testid="ip-map-row">
              <Table.Td>{r.source}</Table.Td>
              <Table.Td>{r.sourceType}</Table.Td>
              <Table.Td>{r.servers.join(', ')}</Table.Td>
              <Table.Td>{r.domains}</Table.Td>
              <Table.Td>{r.target ?? '—'}</Table.Td>
              <Table.Td>
                {r.exhausted ? <Badge color="yellow">{how(r)}</Badge> : <Text size="sm">{how(r)}</Text>}
              </Table.Td>
              {!proposal && (
                <Table.Td>
                  <RowEditor
                    key={`${r.source}:${r.target ?? ''}`}
                    row={r}
                    onSave={(t) => setRow(r.source, t)}
                  />
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {rows.length === 0 && <Text c="dimmed">No source IP yet: fetch an inventory first.</Text>}
    </Stack>
  );
}
