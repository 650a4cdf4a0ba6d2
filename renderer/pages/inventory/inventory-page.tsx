import {
  Code,
  Drawer,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { InventoryKind } from '../../../shared/model/inventory';
import { ApiErrorAlert } from '../../components/api-error';
import { CopyIdButton } from '../../components/copy-id-button';
import { VirtualTable } from '../../components/virtual-table';
import { ObjectCard } from '../../components/object-card';
import { useCall } from '../../hooks/use-call';
import { useRemembered } from '../../hooks/use-remembered';
import type { RouteParams } from '../../hooks/use-route';
import { CommentsPanel } from '../review/comments-panel';
import { HistoryTimeline } from '../review/history-timeline';
import { ACCOUNT_COLUMNS, DOMAIN_COLUMNS, SUBSCRIPTION_COLUMNS, TEMPLATE_COLUMNS } from './inventory-columns';
import { filterInventory, searchTexts } from './inventory-filter';

const KINDS: { value: InventoryKind; label: string }[] = [
  { value: 'accounts', label: 'Accounts' },
  { value: 'domains', label: 'Domains' },
  { value: 'subscriptions', label: 'Subscriptions' },
  { value: 'templates', label: 'Service templates' },
];

const REF_KIND = {
  accounts: 'account',
  domains: 'domain',
  subscriptions: 'subscription',
  templates: 'template',
} as const;

interface Opened {
  readonly kind: InventoryKind;
  readonly serverId: string;
  readonly id: string;
}

/** Module-level, so the memoised table sees the same function on every render. */
const rowKey = (r: { readonly serverId: string; readonly id: string }): string => `${r.serverId}/${r.id}`;

const isKind = (v: string | undefined): v is InventoryKind => KINDS.some((k) => k.value === v);

export function InventoryPage({ projectId, params }: { projectId: string; params: RouteParams }) {
  const remember = (name: string): string => `mm:${projectId}:inventory:${name}`;
  const hasParams = Object.keys(params).length > 0;
  const [kindValue, setKindValue] = useRemembered<string>(
    remember('kind'),
    'domains',
    hasParams ? (params['kind'] ?? 'domains') : undefined,
  );
  const kind: InventoryKind = isKind(kindValue) ? kindValue : 'domains';
  const setKind = (k: InventoryKind): void => setKindValue(k);
  const [query, setQuery] = useRemembered<string>(
    remember('q'),
    '',
    hasParams ? (params['q'] ?? '') : undefined,
  );
  const [status, setStatus] = useRemembered<string | null>(
    remember('status'),
    null,
    hasParams ? (params['status'] ?? null) : undefined,
  );
  const [server, setServer] = useRemembered<string | null>(
    remember('server'),
    null,
    hasParams ? (params['server'] ?? null) : undefined,
  );
  const [opened, setOpened] = useState<Opened>();
  const deferredQuery = useDeferredValue(query.trim().toLowerCase());
  const listing = useCall('inventory:list', { projectId, kind });
  const data = listing.data?.kind === kind ? listing.data : undefined;

  // Lower-cased once per listing; a keystroke is then one pass of includes() over them.
  const texts = useMemo(() => (data ? searchTexts(data) : []), [data]);
  const servers = useMemo(() => [...new Set((data?.rows ?? []).map((r) => r.serverId))], [data]);
  const statuses = useMemo(
    () => [...new Set((data?.rows ?? []).flatMap((r) => ('status' in r ? [r.status] : [])))],
    [data],
  );
  // The urgent render of a keystroke (the Search box) keeps the same filtered rows, so the
  // memoised table is not drawn twice; the deferred render filters and draws once.
  const shown = useMemo(
    () => (data ? filterInventory(data, texts, { query: deferredQuery, server, status }) : undefined),
    [data, texts, deferredQuery, server, status],
  );

  const open = useCallback(
    (r: { readonly serverId: string; readonly id: string }): void =>
      setOpened({ kind, serverId: r.serverId, id: r.id }),
    [kind],
  );
  const table = (() => {
    if (!data || !shown) return null;
    // An empty inventory says what to do; an empty filter result says so.
    const empty =
      data.rows.length === 0
        ? `No ${kind} yet: register a source server on the Source servers page and fetch its inventory.`
        : `No ${kind} match the search and filters: clear them to see all ${data.rows.length}.`;
    switch (shown.kind) {
      case 'accounts':
        return (
          <VirtualTable
            testId="inventory-table"
            rows={shown.rows}
            columns={ACCOUNT_COLUMNS}
            rowKey={rowKey}
            onOpen={open}
            empty={empty}
          />
        );
      case 'domains':
        return (
          <VirtualTable
            testId="inventory-table"
            rows={shown.rows}
            columns={DOMAIN_COLUMNS}
            rowKey={rowKey}
            onOpen={open}
            empty={empty}
          />
        );
      case 'subscriptions':
        return (
          <VirtualTable
            testId="inventory-table"
            rows={shown.rows}
            columns={SUBSCRIPTION_COLUMNS}
            rowKey={rowKey}
            onOpen={open}
            empty={empty}
          />
        );
      case 'templates':
        return (
          <VirtualTable
            testId="inventory-table"
            rows={shown.rows}
            columns={TEMPLATE_COLUMNS}
            rowKey={rowKey}
            onOpen={open}
            empty={empty}
          />
        );
    }
  })();
  // The count is the length of the very rows handed to the table: always the true filtered count.
  const shownCount = shown?.rows.length ?? 0;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Inventory</Title>
        <SegmentedControl value={kind} onChange={(v) => setKind(v as InventoryKind)} data={KINDS} />
      </Group>
      <Group>
        <TextInput
          placeholder="Search ids, names, e-mail…"
          aria-label="Search"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          style={{ flex: 1 }}
        />
        {statuses.length > 0 && (
          <Select
            placeholder="Any status"
            aria-label="Status"
            clearable
            data={statuses}
            value={status}
            onChange={setStatus}
          />
        )}
        <Select
          placeholder="Any server"
          aria-label="Source server"
          clearable
          data={servers}
          value={server}
          onChange={setServer}
        />
      </Group>
      {listing.error && <ApiErrorAlert error={listing.error} />}
      {!data && !listing.error && <Loader />}
      {data && (
        <Text size="sm" c="dimmed" data-testid="inventory-count">
          {shownCount} of {data.rows.length} {kind}
        </Text>
      )}
      {table}
      <DetailDrawer projectId={projectId} opened={opened} onClose={() => setOpened(undefined)} />
    </Stack>
  );
}

function DetailDrawer({
  projectId,
  opened,
  onClose,
}: {
  projectId: string;
  opened: Opened | undefined;
  onClose: () => void;
}) {
  return (
    <Drawer
      opened={opened !== undefined}
      onClose={onClose}
      position="right"
      size="lg"
      title={opened ? `${opened.kind.slice(0, -1)} ${opened.id}` : ''}
    >
      {opened && <Detail projectId={projectId} opened={opened} />}
    </Drawer>
  );
}

function Detail({ projectId, opened }: { projectId: string; opened: Opened }) {
  const servers = useCall('servers:list', { projectId });
  const detail = useCall('inventory:get', {
    projectId,
    serverId: opened.serverId,
    kind: opened.kind,
    id: opened.id,
  });
  if (detail.error) return <ApiErrorAlert error={detail.error} />;
  if (!detail.data) return <Loader />;
  const serverName = servers.data?.find((s) => s.id === opened.serverId)?.name ?? opened.serverId;
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        On source server {serverName}. Customer passwords are masked.
      </Text>
      <Group gap="xs">
        <Text size="sm">Id</Text>
        <Code>{opened.id}</Code>
        <CopyIdButton id={opened.id} />
      </Group>
      <ObjectCard object={detail.data.object} testId="inventory-detail" />
      <Text fw={600}>History</Text>
      <HistoryTimeline
        projectId={projectId}
        kind={REF_KIND[opened.kind]}
        serverId={opened.serverId}
        id={opened.id}
      />
      <CommentsPanel
        projectId={projectId}
        about={{ kind: REF_KIND[opened.kind], id: opened.id, serverId: opened.serverId }}
      />
    </Stack>
  );
}
