import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { CallRequest } from '../../../shared/contract';
import type { AccountRow, DomainRow } from '../../../shared/model/inventory';
import type { SelectionView } from '../../../shared/model/verification';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { StatusBadge } from '../../components/status-badge';
import { type Column, VirtualTable } from '../../components/virtual-table';
import { useCall } from '../../hooks/use-call';
import { useProjectChanges } from '../../hooks/use-project-changes';
import { SharedChangeNote } from '../../components/shared-change-note';
import type { RouteParams } from '../../hooks/use-route';
import { useReadOnly } from '../../project-context';

type Change = Omit<CallRequest<'selection:set'>, 'projectId'>;
type ObjectKind = 'accounts' | 'domains';
type Row = (AccountRow | DomainRow) & { readonly selected: boolean };

/** The contract takes at most this many ids per call. */
const CHUNK = 10_000;

function rowText(r: AccountRow | DomainRow): string {
  return 'name' in r
    ? `${r.id} ${r.name} ${r.accountId}`.toLowerCase()
    : `${r.id} ${r.company ?? ''} ${r.contact ?? ''} ${r.email ?? ''}`.toLowerCase();
}

/** The "Selection" step (SPEC R5): which accounts and domains are migrated, in bulk or one by one. */
export function SelectionPage({ projectId, params = {} }: { projectId: string; params?: RouteParams }) {
  const readOnly = useReadOnly();
  const loaded = useCall('selection:get', { projectId });
  const servers = useCall('servers:list', { projectId });
  const templates = useCall('mapping:list', { projectId });
  const [latest, setLatest] = useState<SelectionView>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const [confirmClear, setConfirmClear] = useState(false);
  const view = latest ?? loaded.data;
  // another engineer's selection (or an unselect decision) on a shared project: read it afresh
  const elsewhere = useProjectChanges(
    projectId,
    ['selection', 'decisions'],
    useCallback(() => {
      void api.call('selection:get', { projectId }).then((r) => r.ok && setLatest(r.value));
    }, [projectId]),
  );

  const serverName = useMemo(() => {
    const names = new Map((servers.data ?? []).map((s) => [s.id, s.name]));
    return (id: string): string => names.get(id) ?? id;
  }, [servers.data]);

  const change = async (...changes: Change[]): Promise<void> => {
    setBusy(true);
    for (const c of changes) {
      const r = await api.call('selection:set', { projectId, ...c });
      if (!r.ok) {
        setBusy(false);
        setError(r.error);
        return;
      }
      setLatest(r.value);
    }
    setError(undefined);
    setBusy(false);
  };

  const totals = (view?.servers ?? []).reduce(
    (t, s) => ({
      accounts: t.accounts + s.accounts,
      domains: t.domains + s.domains,
      totalAccounts: t.totalAccounts + s.totalAccounts,
      totalDomains: t.totalDomains + s.totalDomains,
    }),
    { accounts: 0, domains: 0, totalAccounts: 0, totalDomains: 0 },
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Selection</Title>
        {!readOnly && (
          <Group gap="xs">
            <Button loading={busy} onClick={() => void change({ mode: 'add', target: { by: 'all' } })}>
              Select all
            </Button>
            <Button variant="default" disabled={busy} onClick={() => setConfirmClear(true)}>
              Clear selection
            </Button>
          </Group>
        )}
      </Group>
      <Text c="dimmed">
        Only the selected accounts and domains are verified and migrated. Selecting an account selects its
        domains; selecting a domain selects its owner.
      </Text>
      <SharedChangeNote change={elsewhere} />
      {loaded.error && <ApiErrorAlert error={loaded.error} title="The selection cannot be read" />}
      {error && <ApiErrorAlert error={error} title="The selection was not changed" />}
      {view && view.held.length > 0 && (
        <Alert color="blue" title="Kept unselected by decisions" data-testid="held-domains">
          {view.held.map((h) => `${h.domainId} on ${serverName(h.serverId)}`).join(', ')}: a recorded
          &quot;unselect&quot; decision keeps {view.held.length === 1 ? 'it' : 'them'} out of every bulk
          selection. Undo the decision on the Verification page (Decisions) to select{' '}
          {view.held.length === 1 ? 'it' : 'them'} again.
        </Alert>
      )}
      {!view && !loaded.error && <Loader />}
      {view && (
        <Card withBorder>
          <Table aria-label="Selected per source server" data-testid="selection-servers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Source server</Table.Th>
                <Table.Th>Accounts selected</Table.Th>
                <Table.Th>Domains selected</Table.Th>
                {!readOnly && <Table.Th>Bulk</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {view.servers.map((s) => (
                <Table.Tr key={s.serverId} data-server={s.serverId}>
                  <Table.Td>{serverName(s.serverId)}</Table.Td>
                  <Table.Td data-testid="selected-accounts">
                    {s.accounts} of {s.totalAccounts}
                  </Table.Td>
                  <Table.Td data-testid="selected-domains">
                    {s.domains} of {s.totalDomains}
                  </Table.Td>
                  {!readOnly && (
                    <Table.Td>
                      <Group gap={4}>
                        <Button
                          size="compact-sm"
                          variant="light"
                          disabled={busy}
                          aria-label={`Select everything on ${serverName(s.serverId)}`}
                          onClick={() =>
                            void change({ mode: 'add', serverId: s.serverId, target: { by: 'all' } })
                          }
                        >
                          Select all
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          disabled={busy}
                          aria-label={`Unselect everything on ${serverName(s.serverId)}`}
                          onClick={() =>
                            void change({ mode: 'remove', serverId: s.serverId, target: { by: 'all' } })
                          }
                        >
                          Unselect all
                        </Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
            <Table.Tfoot>
              <Table.Tr>
                <Table.Th>All servers</Table.Th>
                <Table.Th data-testid="selected-accounts-total">
                  {totals.accounts} of {totals.totalAccounts}
                </Table.Th>
                <Table.Th data-testid="selected-domains-total">
                  {totals.domains} of {totals.totalDomains}
                </Table.Th>
                {!readOnly && <Table.Th />}
              </Table.Tr>
            </Table.Tfoot>
          </Table>
        </Card>
      )}
      {!readOnly && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <ByTemplate
            busy={busy}
            options={(templates.data ?? []).map((t) => ({
              value: `${t.serverId}\u0000${t.templateId}`,
              label: `${t.templateName} — ${serverName(t.serverId)}`,
            }))}
            onChange={(mode, serverId, templateId) =>
              void change({ mode, serverId, target: { by: 'template', templateId } })
            }
          />
          <ByFilter
            busy={busy}
            servers={(servers.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            onChange={(mode, serverId, filter) =>
              void change({ mode, ...(serverId ? { serverId } : {}), target: { by: 'filter', filter } })
            }
          />
        </SimpleGrid>
      )}
      {view && (
        <ObjectTable
          projectId={projectId}
          view={view}
          busy={busy}
          readOnly={readOnly}
          params={params}
          serverName={serverName}
          change={change}
        />
      )}
      <ConfirmDialog
        opened={confirmClear}
        title="Clear the selection?"
        confirmLabel="Clear selection"
        onCancel={() => setConfirmClear(false)}
        onConfirm={() => {
          setConfirmClear(false);
          void change({ mode: 'clear' });
        }}
      >
        Nothing stays selected on any source server; verification results become stale.
      </ConfirmDialog>
    </Stack>
  );
}

function ByTemplate(props: {
  busy: boolean;
  options: { value: string; label: string }[];
  onChange: (mode: 'add' | 'remove', serverId: string, templateId: string) => void;
}) {
  const [value, setValue] = useState<string | null>(null);
  const [serverId = '', templateId = ''] = value?.split('\u0000') ?? [];
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Text fw={600}>By service template</Text>
        <Select
          label="Template"
          placeholder="Pick a template"
          searchable
          data={props.options}
          value={value}
          onChange={setValue}
        />
        <Group gap="xs">
          <Button
            size="xs"
            disabled={!value || props.busy}
            onClick={() => props.onChange('add', serverId, templateId)}
          >
            Select its subscribers
          </Button>
          <Button
            size="xs"
            variant="default"
            disabled={!value || props.busy}
            onClick={() => props.onChange('remove', serverId, templateId)}
          >
            Unselect its subscribers
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ByFilter(props: {
  busy: boolean;
  servers: { value: string; label: string }[];
  onChange: (
    mode: 'add' | 'remove',
    serverId: string | null,
    filter: { search?: string; accountType?: 'customer' | 'reseller'; status?: string },
  ) => void;
}) {
  const [search, setSearch] = useState('');
  const [accountType, setAccountType] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [serverId, setServerId] = useState<string | null>(null);
  const type: 'customer' | 'reseller' | undefined =
    accountType === 'customer' || accountType === 'reseller' ? accountType : undefined;
  const filter = {
    ...(search.trim() ? { search: search.trim() } : {}),
    ...(type ? { accountType: type } : {}),
    ...(status ? { status } : {}),
  };
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Text fw={600}>By filter (accounts)</Text>
        <Group grow>
          <TextInput
            label="Account, company or domain contains"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
        </Group>
        <Group grow>
          <Select
            label="Account type"
            placeholder="Any"
            clearable
            data={['customer', 'reseller']}
            value={accountType}
            onChange={setAccountType}
          />
          <Select
            label="Status on the source"
            placeholder="Any"
            clearable
            data={['active', 'suspended', 'disabled', 'expired', 'cancelled', 'pending']}
            value={status}
            onChange={setStatus}
          />
          <Select
            label="On server"
            placeholder="Every server"
            clearable
            data={props.servers}
            value={serverId}
            onChange={setServerId}
          />
        </Group>
        <Group gap="xs">
          <Button size="xs" disabled={props.busy} onClick={() => props.onChange('add', serverId, filter)}>
            Select matching accounts
          </Button>
          <Button
            size="xs"
            variant="default"
            disabled={props.busy}
            onClick={() => props.onChange('remove', serverId, filter)}
          >
            Unselect matching accounts
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ObjectTable({
  projectId,
  view,
  busy,
  readOnly,
  params,
  serverName,
  change,
}: {
  projectId: string;
  view: SelectionView;
  busy: boolean;
  readOnly: boolean;
  /** A fix link's filter: kind (accounts/domains), server, q. */
  params: RouteParams;
  serverName: (id: string) => string;
  change: (...changes: Change[]) => Promise<void>;
}) {
  const [kind, setKind] = useState<ObjectKind>(params.kind === 'domains' ? 'domains' : 'accounts');
  const [query, setQuery] = useState(params.q ?? '');
  const [server, setServer] = useState<string | null>(params.server ?? null);
  const [which, setWhich] = useState<string | null>(null);
  const deferred = useDeferredValue(query.trim().toLowerCase());
  const listing = useCall('inventory:list', { projectId, kind });
  const data = listing.data?.kind === kind ? listing.data : undefined;

  const selectedSets = useMemo(() => {
    const sets = new Map<string, ReadonlySet<string>>();
    for (const [serverId, sel] of Object.entries(view.selected))
      sets.set(serverId, new Set(kind === 'accounts' ? sel.accounts : sel.domains));
    return sets;
  }, [view, kind]);

  const texts = useMemo(
    () => (data?.rows as readonly (AccountRow | DomainRow)[] | undefined)?.map(rowText) ?? [],
    [data],
  );
  const rows: Row[] = useMemo(() => {
    const all = (data?.rows ?? []) as readonly (AccountRow | DomainRow)[];
    const out: Row[] = [];
    all.forEach((r, i) => {
      const selected = selectedSets.get(r.serverId)?.has(r.id) ?? false;
      if (server && r.serverId !== server) return;
      if (which === 'selected' && !selected) return;
      if (which === 'unselected' && selected) return;
      if (deferred && !texts[i]?.includes(deferred)) return;
      out.push({ ...r, selected });
    });
    return out;
  }, [data, selectedSets, server, which, deferred, texts]);

  const toggle = (r: Row): void => {
    const ids = [r.id];
    void change({
      mode: r.selected ? 'remove' : 'add',
      serverId: r.serverId,
      target: kind === 'accounts' ? { by: 'accounts', ids } : { by: 'domains', ids },
    });
  };

  const bulk = (mode: 'add' | 'remove'): void => {
    const byServer = new Map<string, string[]>();
    for (const r of rows) {
      if (r.selected === (mode === 'add')) continue;
      const list = byServer.get(r.serverId) ?? [];
      list.push(r.id);
      byServer.set(r.serverId, list);
    }
    const changes: Change[] = [];
    for (const [serverId, ids] of byServer)
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        changes.push({
          mode,
          serverId,
          target: kind === 'accounts' ? { by: 'accounts', ids: chunk } : { by: 'domains', ids: chunk },
        });
      }
    if (changes.length > 0) void change(...changes);
  };

  const label = (r: Row): string => ('name' in r ? r.name : r.id);
  const columns: Column<Row>[] = [
    {
      key: 'selected',
      label: 'Selected',
      width: 90,
      value: (r) => (r.selected ? 1 : 0),
      render: (r) => (
        <Checkbox
          checked={r.selected}
          disabled={busy || readOnly}
          aria-label={`Select ${label(r)} on ${serverName(r.serverId)}`}
          onClick={(e) => e.stopPropagation()}
          onChange={() => toggle(r)}
        />
      ),
    },
    ...(kind === 'accounts'
      ? ([
          { key: 'id', label: 'Account', value: (r) => r.id, width: '1fr' },
          {
            key: 'company',
            label: 'Company',
            value: (r) => ('company' in r ? (r.company ?? '') : ''),
            width: '1.5fr',
          },
          { key: 'type', label: 'Type', value: (r) => ('type' in r ? r.type : ''), width: 100 },
          { key: 'domains', label: 'Domains', value: (r) => ('domains' in r ? r.domains : 0), width: 90 },
        ] satisfies Column<Row>[])
      : ([
          { key: 'name', label: 'Domain', value: (r) => label(r), width: '2fr' },
          {
            key: 'account',
            label: 'Account',
            value: (r) => ('accountId' in r ? r.accountId : ''),
            width: '1fr',
          },
        ] satisfies Column<Row>[])),
    {
      key: 'status',
      label: 'Source status',
      value: (r) => r.status,
      render: (r) => <StatusBadge status={r.status} />,
      width: 120,
    },
    { key: 'server', label: 'Server', value: (r) => serverName(r.serverId), width: '1fr' },
  ];

  const toAdd = rows.filter((r) => !r.selected).length;
  const toRemove = rows.length - toAdd;

  return (
    <Card withBorder>
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>Accounts and domains</Text>
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as ObjectKind)}
            data={[
              { value: 'accounts', label: 'Accounts' },
              { value: 'domains', label: 'Domains' },
            ]}
          />
        </Group>
        <Group>
          <TextInput
            aria-label="Search accounts and domains"
            placeholder="Search ids, names…"
            value={query}
            onChange={(e) => setQuery(e.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Select
            aria-label="Source server of the table"
            placeholder="Every server"
            clearable
            data={view.servers.map((s) => ({ value: s.serverId, label: serverName(s.serverId) }))}
            value={server}
            onChange={setServer}
          />
          <Select
            aria-label="Selected or not"
            placeholder="Selected or not"
            clearable
            data={[
              { value: 'selected', label: 'Selected only' },
              { value: 'unselected', label: 'Not selected only' },
            ]}
            value={which}
            onChange={setWhich}
          />
        </Group>
        {!readOnly && (
          <Group gap="xs">
            <Button size="xs" variant="light" disabled={busy || toAdd === 0} onClick={() => bulk('add')}>
              Select the {toAdd} shown
            </Button>
            <Button
              size="xs"
              variant="subtle"
              disabled={busy || toRemove === 0}
              onClick={() => bulk('remove')}
            >
              Unselect the {toRemove} shown
            </Button>
            <Text size="xs" c="dimmed">
              Enter or a click on a row toggles it.
            </Text>
          </Group>
        )}
        {listing.error && <ApiErrorAlert error={listing.error} />}
        {!data && !listing.error && <Loader />}
        {data && (
          <VirtualTable
            testId="selection-table"
            rows={rows}
            columns={columns}
            rowKey={(r) => `${r.serverId}/${r.id}`}
            onOpen={(r) => {
              if (!busy && !readOnly) toggle(r);
            }}
            height={420}
            empty={
              (data?.rows.length ?? 0) === 0
                ? `No ${kind} yet: register a source server and fetch its inventory first.`
                : `No ${kind} match the search and filters.`
            }
          />
        )}
      </Stack>
    </Card>
  );
}
