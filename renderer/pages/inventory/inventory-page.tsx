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
import { memo, useCallback, useMemo, useState } from 'react';
import type { InventoryKind } from '../../../shared/model/inventory';
import { ApiErrorAlert } from '../../components/api-error';
import { CopyIdButton } from '../../components/copy-id-button';
import { ObjectCard } from '../../components/object-card';
import { useCall } from '../../hooks/use-call';
import { useRemembered } from '../../hooks/use-remembered';
import type { RouteParams } from '../../hooks/use-route';
import { CommentsPanel } from '../review/comments-panel';
import { HistoryTimeline } from '../review/history-timeline';
import { InventoryResults, type RowRef } from './inventory-results';

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
  const listing = useCall('inventory:list', { projectId, kind });
  const data = listing.data?.kind === kind ? listing.data : undefined;

  const servers = useMemo(() => [...new Set((data?.rows ?? []).map((r) => r.serverId))], [data]);
  const statuses = useMemo(
    () => [...new Set((data?.rows ?? []).flatMap((r) => ('status' in r ? [r.status] : [])))],
    [data],
  );
  // Stable callbacks: the memoised parts below are not drawn again on a keystroke.
  const open = useCallback((r: RowRef): void => setOpened({ kind, serverId: r.serverId, id: r.id }), [kind]);
  const close = useCallback((): void => setOpened(undefined), []);

  return (
    <Stack>
      <KindHeader kind={kind} setKind={setKindValue} />
      <Group>
        <TextInput
          placeholder="Search ids, names, e-mail…"
          aria-label="Search"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <FilterSelects
          statuses={statuses}
          status={status}
          setStatus={setStatus}
          servers={servers}
          server={server}
          setServer={setServer}
        />
      </Group>
      {listing.error && <ApiErrorAlert error={listing.error} />}
      {!data && !listing.error && <Loader />}
      {data && <InventoryResults data={data} query={query} server={server} status={status} onOpen={open} />}
      <DetailDrawer projectId={projectId} opened={opened} onClose={close} />
    </Stack>
  );
}

const KindHeader = memo(function KindHeader({
  kind,
  setKind,
}: {
  kind: InventoryKind;
  setKind: (kind: string) => void;
}) {
  return (
    <Group justify="space-between">
      <Title order={2}>Inventory</Title>
      <SegmentedControl value={kind} onChange={setKind} data={KINDS} />
    </Group>
  );
});

/** The status and server filters (a fragment: they sit in the Search box's row). */
const FilterSelects = memo(function FilterSelects(props: {
  statuses: readonly string[];
  status: string | null;
  setStatus: (v: string | null) => void;
  servers: readonly string[];
  server: string | null;
  setServer: (v: string | null) => void;
}) {
  return (
    <>
      {props.statuses.length > 0 && (
        <Select
          placeholder="Any status"
          aria-label="Status"
          clearable
          data={props.statuses}
          value={props.status}
          onChange={props.setStatus}
        />
      )}
      <Select
        placeholder="Any server"
        aria-label="Source server"
        clearable
        data={props.servers}
        value={props.server}
        onChange={props.setServer}
      />
    </>
  );
});

const DetailDrawer = memo(function DetailDrawer({
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
});

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
