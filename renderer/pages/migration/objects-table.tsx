/**
 * Every object of a batch (the same virtualized table as the inventory and verification): state,
 * current step, error; filtered by state and a search; a row opens its drawer.
 */
import { Group, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useDeferredValue, useMemo } from 'react';
import type { ObjectStatusRow } from '../../../shared/model/migration';
import { type Column, VirtualTable } from '../../components/virtual-table';
import { StateBadge } from './migration-badges';

/** The filters the table offers (and the dashboard's numbers open). */
export const STATE_FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'migrated', label: 'Migrated' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
] as const;
export type StateFilter = (typeof STATE_FILTERS)[number]['value'];

export const isStateFilter = (v: string | undefined): v is StateFilter =>
  STATE_FILTERS.some((f) => f.value === v);

/** "failed" covers what a failure blocked; "pending" covers what has not finished either way. */
export function matchesState(row: ObjectStatusRow, filter: StateFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'migrated':
      return row.state === 'migrated';
    case 'failed':
      return row.state === 'failed' || row.state === 'blocked';
    case 'pending':
      return row.state === 'pending' || row.state === 'running';
  }
}

const COLUMNS = (serverName: (id: string) => string): readonly Column<ObjectStatusRow>[] => [
  { key: 'kind', label: 'Kind', value: (r) => r.ref.kind, width: 90 },
  {
    key: 'name',
    label: 'Object',
    value: (r) => r.name,
    render: (r) => (
      <Text size="sm" truncate title={`${r.name} (${r.ref.id})`}>
        {r.name}
        {r.name !== r.ref.id && (
          <Text span c="dimmed" size="xs">
            {' '}
            {r.ref.id}
          </Text>
        )}
      </Text>
    ),
    width: '1.4fr',
  },
  { key: 'server', label: 'Server', value: (r) => serverName(r.ref.serverId), width: '0.9fr' },
  {
    key: 'state',
    label: 'State',
    value: (r) => r.state,
    render: (r) => <StateBadge state={r.state} />,
    width: 110,
  },
  {
    key: 'steps',
    label: 'Steps',
    value: (r) => r.stepsDone,
    render: (r) => <Text size="sm">{`${r.stepsDone} / ${r.stepsTotal}`}</Text>,
    width: 90,
  },
  { key: 'current', label: 'Current step', value: (r) => r.currentStep ?? '', width: '1fr' },
  {
    key: 'error',
    label: 'Error',
    value: (r) => r.error ?? '',
    render: (r) => (
      <Text size="sm" c="red" truncate title={r.error}>
        {r.error ?? ''}
      </Text>
    ),
    width: '1.6fr',
  },
];

export function ObjectsTable(props: {
  rows: readonly ObjectStatusRow[];
  serverName: (id: string) => string;
  filter: StateFilter;
  onFilter: (f: StateFilter) => void;
  search: string;
  onSearch: (s: string) => void;
  onOpen: (row: ObjectStatusRow) => void;
}) {
  const { rows, filter, serverName } = props;
  const search = useDeferredValue(props.search.trim().toLowerCase());
  const shown = useMemo(
    () =>
      rows.filter(
        (r) =>
          matchesState(r, filter) &&
          (!search ||
            r.name.toLowerCase().includes(search) ||
            r.ref.id.toLowerCase().includes(search) ||
            (r.error ?? '').toLowerCase().includes(search)),
      ),
    [rows, filter, search],
  );
  const columns = useMemo(() => COLUMNS(serverName), [serverName]);
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Group>
          <SegmentedControl
            aria-label="Show objects"
            data={STATE_FILTERS.map((f) => ({
              value: f.value,
              label: `${f.label} (${rows.filter((r) => matchesState(r, f.value)).length})`,
            }))}
            value={filter}
            onChange={(v) => props.onFilter(v as StateFilter)}
          />
          <TextInput
            aria-label="Search objects"
            placeholder="Search name, id or error"
            value={props.search}
            onChange={(e) => props.onSearch(e.currentTarget.value)}
          />
        </Group>
        <Text size="sm" c="dimmed" data-testid="objects-count">
          {shown.length} of {rows.length} objects
        </Text>
      </Group>
      <VirtualTable
        rows={shown}
        columns={columns}
        rowKey={(r) => r.key}
        onOpen={props.onOpen}
        height={440}
        testId="migration-objects"
      />
    </Stack>
  );
}
