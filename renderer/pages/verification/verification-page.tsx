import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { JobProgress } from '../../../shared/contract';
import type { ObjectRef, VerificationRow } from '../../../shared/model/verification';
import type { AppError } from '../../../shared/result';
import {
  REASONS,
  type ReasonCode,
  STATUSES,
  type VerificationStatus,
  type VerifiedKind,
} from '../../../shared/statuses';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { JobProgressBar } from '../../components/job-progress';
import { ReasonBadge, VerificationStatusBadge, statusLabel } from '../../components/verification-badges';
import { type Column, VirtualTable } from '../../components/virtual-table';
import { useCall, useEvent } from '../../hooks/use-call';
import { useProjectChanges } from '../../hooks/use-project-changes';
import { SharedChangeNote } from '../../components/shared-change-note';
import { useJob } from '../../hooks/use-job';
import { useRemembered } from '../../hooks/use-remembered';
import type { Route, RouteParams } from '../../hooks/use-route';
import { DecisionsPanel } from './decisions-panel';
import { DetailDrawer } from './detail-drawer';
import { StatusChart } from './status-chart';
import { useReadOnly } from '../../project-context';
import { formatTime } from '../../format';

/** At most this many rows are loaded at once (the table is virtualized; filters narrow on the core). */
// The table is virtualized: a whole 10,000-account project (60,000 results) loads at once.
const LIMIT = 100_000;

const KIND_OPTIONS = [
  { value: 'all', label: 'All' },
  { value: 'account', label: 'Accounts' },
  { value: 'domain', label: 'Domains' },
  { value: 'subscription', label: 'Subscriptions' },
];

const isKind = (v: string): v is VerifiedKind => v === 'account' || v === 'domain' || v === 'subscription';

const columns = (serverName: (id: string) => string): readonly Column<VerificationRow>[] => [
  { key: 'kind', label: 'Kind', value: (r) => r.kind, width: 110 },
  {
    key: 'object',
    label: 'Object',
    value: (r) => r.name ?? r.id,
    render: (r) => (
      <Text size="sm" truncate title={r.name && r.name !== r.id ? `${r.name} (${r.id})` : r.id}>
        {r.name ?? r.id}
        {r.name && r.name !== r.id ? (
          <Text span c="dimmed" size="xs">
            {' '}
            {r.id}
          </Text>
        ) : null}
      </Text>
    ),
    width: '1.6fr',
  },
  { key: 'server', label: 'Server', value: (r) => serverName(r.serverId), width: '1fr' },
  {
    key: 'status',
    label: 'Status',
    value: (r) => r.status,
    render: (r) => <VerificationStatusBadge kind={r.kind} status={r.status} />,
    width: 230,
  },
  {
    key: 'reasons',
    label: 'Reasons',
    value: (r) => r.reasonCodes.join(' '),
    render: (r) => (
      <Group gap={4} wrap="nowrap">
        {r.reasonCodes.slice(0, 2).map((c) => (
          <ReasonBadge key={c} code={c} />
        ))}
        {r.reasonCodes.length > 2 && (
          <Text size="xs" c="dimmed">
            +{r.reasonCodes.length - 2}
          </Text>
        )}
      </Group>
    ),
    width: '1.6fr',
  },
  { key: 'message', label: 'Why', value: (r) => r.message ?? '', width: '2fr' },
];

/**
 * The "Verification" step (SPEC R6-R7): run it, see counts per status, filter the results,
 * open an object to read why and apply the fix; every decision is listed and undoable.
 */
export function VerificationPage({
  projectId,
  navigate,
  params = {},
}: {
  projectId: string;
  navigate: (r: Route) => void;
  /** Filters to start with (the dashboard's numbers link here with kind and status). */
  params?: RouteParams;
}) {
  const [tab, setTab] = useState<string | null>('results');
  const readOnly = useReadOnly();
  // Filters are remembered per project; a link with filters (the dashboard's) starts from those.
  const remember = (name: string): string => `mm:${projectId}:verification:${name}`;
  const linked = Object.keys(params).length > 0;
  const [kind, setKind] = useRemembered<string>(
    remember('kind'),
    'all',
    linked ? (params['kind'] ?? 'all') : undefined,
  );
  const [status, setStatus] = useRemembered<string | null>(
    remember('status'),
    null,
    linked ? (params['status'] ?? null) : undefined,
  );
  const [reason, setReason] = useRemembered<string | null>(
    remember('reason'),
    null,
    linked ? (params['reason'] ?? null) : undefined,
  );
  const [server, setServer] = useRemembered<string | null>(
    remember('server'),
    null,
    linked ? (params['server'] ?? null) : undefined,
  );
  const [template, setTemplate] = useRemembered<string | null>(
    remember('template'),
    null,
    linked ? null : undefined,
  );
  const [search, setSearch] = useRemembered<string>(remember('search'), '', linked ? '' : undefined);
  const deferredSearch = useDeferredValue(search.trim());
  const [opened, setOpened] = useState<ObjectRef>();
  const [runError, setRunError] = useState<AppError>();

  const summary = useCall('verification:summary', { projectId });
  const servers = useCall('servers:list', { projectId });
  const templates = useCall('mapping:list', { projectId });
  const decisions = useCall('decisions:list', { projectId });
  const results = useCall('verification:results', {
    projectId,
    ...(isKind(kind) ? { kind } : {}),
    ...(status ? { status: status as VerificationStatus } : {}),
    ...(reason ? { reason: reason as ReasonCode } : {}),
    ...(server ? { serverId: server } : {}),
    ...(template ? { templateId: template } : {}),
    ...(deferredSearch ? { search: deferredSearch } : {}),
    limit: LIMIT,
  });

  const reloadSummary = summary.reload;
  const reloadResults = results.reload;
  const reloadDecisions = decisions.reload;
  const refresh = useCallback(() => {
    reloadSummary();
    reloadResults();
    reloadDecisions();
  }, [reloadSummary, reloadResults, reloadDecisions]);

  useEvent(
    'verification:changed',
    useCallback(
      (e: { projectId: string }) => {
        if (e.projectId === projectId) refresh();
      },
      [projectId, refresh],
    ),
  );
  // decisions, results and selection changed by another engineer on a shared project
  const elsewhere = useProjectChanges(
    projectId,
    ['decisions', 'verification', 'selection', 'mapping'],
    refresh,
  );
  const [ranEmpty, setRanEmpty] = useState(false);
  const onFinished = useCallback(
    (p: JobProgress) => {
      if (p.state !== 'done') return;
      refresh();
      // Nothing selected: say so rather than a silent "Done" over an empty table.
      void api.call('verification:summary', { projectId }).then((r) => {
        if (r.ok)
          setRanEmpty(
            Object.values(r.value.counts).every((c) => Object.values(c ?? {}).every((n) => n === 0)),
          );
      });
    },
    [refresh, projectId],
  );
  const job = useJob(onFinished);
  const running = job.progress?.state === 'running';

  const run = async (): Promise<void> => {
    const r = await api.call('verification:run', { projectId });
    if (!r.ok) return setRunError(r.error);
    setRunError(undefined);
    job.track(r.value.jobId);
  };

  const statusOptions = useMemo(() => {
    const kinds: readonly VerifiedKind[] = isKind(kind) ? [kind] : ['account', 'domain', 'subscription'];
    const seen = new Map<string, string>();
    for (const k of kinds)
      for (const s of Object.keys(STATUSES[k]))
        if (!seen.has(s)) seen.set(s, statusLabel(isKind(kind) ? kind : undefined, s as VerificationStatus));
    return [...seen].map(([value, label]) => ({ value, label }));
  }, [kind]);
  const reasonOptions = useMemo(
    () =>
      (Object.keys(REASONS) as ReasonCode[])
        .filter((c) => !isKind(kind) || REASONS[c].kind === kind)
        .map((c) => {
          const n = summary.data?.reasons[c] ?? 0;
          return { value: c, label: `${REASONS[c].title}${n > 0 ? ` (${n})` : ''}` };
        }),
    [kind, summary.data],
  );
  const templateOptions = useMemo(
    () =>
      [
        ...new Map((templates.data ?? []).map((t) => [t.templateId, `${t.templateName} (${t.templateId})`])),
      ].map(([value, label]) => ({ value, label })),
    [templates.data],
  );

  const serverName = useMemo(() => {
    const names = new Map((servers.data ?? []).map((x) => [x.id, x.name]));
    return (id: string): string => names.get(id) ?? id;
  }, [servers.data]);
  const tableColumns = useMemo(() => columns(serverName), [serverName]);

  const s = summary.data;
  const rows = results.data;
  const activeDecisions = (decisions.data ?? []).filter((d) => !d.undone).length;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Verification</Title>
        <Group gap="xs">
          {s?.verifiedAt && (
            <Text size="sm" c="dimmed" data-testid="verified-at">
              Verified {formatTime(s.verifiedAt)}
            </Text>
          )}
          {!readOnly && (
            <Button onClick={() => void run()} loading={running}>
              Run verification
            </Button>
          )}
        </Group>
      </Group>
      <SharedChangeNote change={elsewhere} />
      <JobProgressBar progress={job.progress} />
      {runError && <ApiErrorAlert error={runError} title="Verification did not start" />}
      {ranEmpty && !running && (
        <Alert color="yellow" title="Nothing was verified" data-testid="empty-selection">
          Nothing is selected for migration.{' '}
          <Anchor component="button" onClick={() => navigate({ page: 'selection', projectId })}>
            Select accounts and domains
          </Anchor>{' '}
          first, then run verification again.
        </Alert>
      )}
      {summary.error && <ApiErrorAlert error={summary.error} title="No verification summary" />}
      {s && !s.verifiedAt && (
        <Alert color="gray" title="Not verified yet" data-testid="not-verified">
          Map the templates, select what to migrate, then run verification.
        </Alert>
      )}
      {s?.verifiedAt && s.stale && (
        <Alert color="yellow" title="The results are stale" data-testid="stale-banner">
          {readOnly
            ? 'These are the results as exported: something changed after the last verification run, so the engineer should run it again.'
            : 'The selection, a mapping, the migration settings or an inventory changed since the last run. Run verification again to see where things stand.'}
        </Alert>
      )}
      {s?.verifiedAt && (
        <StatusChart
          summary={s}
          onPick={(k, st) => {
            setTab('results');
            setKind(k);
            setStatus(st);
          }}
        />
      )}
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="results">Results</Tabs.Tab>
          <Tabs.Tab
            value="decisions"
            rightSection={
              <Badge size="xs" variant="light">
                {activeDecisions}
              </Badge>
            }
          >
            Decisions
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="results" pt="sm">
          <Stack gap="xs">
            <Group>
              <SegmentedControl
                aria-label="Kind of object"
                value={kind}
                onChange={(v) => {
                  setKind(v);
                  setStatus(null);
                  setReason(null);
                }}
                data={KIND_OPTIONS}
              />
              <TextInput
                aria-label="Search results"
                placeholder="Search ids, names, accounts…"
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
                style={{ flex: 1 }}
              />
            </Group>
            <Group grow>
              <Select
                aria-label="Status"
                placeholder="Any status"
                clearable
                data={statusOptions}
                value={status}
                onChange={setStatus}
              />
              <Select
                aria-label="Reason"
                placeholder="Any reason"
                clearable
                searchable
                data={reasonOptions}
                value={reason}
                onChange={setReason}
              />
              <Select
                aria-label="Source server"
                placeholder="Any server"
                clearable
                data={(servers.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
                value={server}
                onChange={setServer}
              />
              <Select
                aria-label="Template"
                placeholder="Any template"
                clearable
                searchable
                data={templateOptions}
                value={template}
                onChange={setTemplate}
              />
            </Group>
            {results.error && <ApiErrorAlert error={results.error} title="No results" />}
            {!rows && !results.error && <Loader />}
            {rows && (
              <Text size="sm" c="dimmed" data-testid="results-count">
                {rows.rows.length < rows.total
                  ? `The first ${rows.rows.length} of ${rows.total} results (narrow the filters to see the rest)`
                  : `${rows.total} result${rows.total === 1 ? '' : 's'}`}
              </Text>
            )}
            {rows && (
              <VirtualTable
                testId="verification-table"
                rows={rows.rows}
                columns={tableColumns}
                rowKey={(r) => `${r.kind}/${r.serverId}/${r.id}`}
                onOpen={(r) => setOpened({ kind: r.kind, serverId: r.serverId, id: r.id })}
                height={480}
                empty={
                  !s?.verifiedAt ||
                  Object.values(s.counts).every((c) => Object.values(c ?? {}).every((n) => n === 0))
                    ? 'Nothing verified yet: select accounts and domains on the Selection page, then run verification.'
                    : 'No result matches the search and filters: clear them to see every result.'
                }
              />
            )}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="decisions" pt="sm">
          <DecisionsPanel projectId={projectId} decisions={decisions} onChanged={refresh} />
        </Tabs.Panel>
      </Tabs>
      <DetailDrawer
        projectId={projectId}
        opened={opened}
        onOpen={setOpened}
        onClose={() => setOpened(undefined)}
        onChanged={refresh}
        navigate={navigate}
      />
    </Stack>
  );
}
