/**
 * Rehearsal on the Migration page (SPEC R15): rehearse the production plan against a throwaway
 * sandbox, read its outcome as a plan to sign (counts per kind as a chart, every object in a
 * filterable table, failures and what cannot be carried, the diff against the previous
 * rehearsal), export it (HTML, CSV, JSON), and sign it off. The objects (up to ~2 million at
 * 10×) are never all here: the table asks the core for one page at a time, filtered there. Shows whether the production run
 * needs a sign-off now and whether the plan's current fingerprint has one.
 */
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  Pagination,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useState } from 'react';
import type {
  HoldingKind,
  RehearsalDiff,
  RehearsalOutcome,
  RehearsalProgress,
  SignOffPolicy,
  TargetHolding,
} from '../../../shared/model/rehearsal';
import { HOLDING_KINDS } from '../../../shared/model/rehearsal';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { type Column, VirtualTable } from '../../components/virtual-table';
import { useCall, useEvent } from '../../hooks/use-call';
import { useProjectChanges } from '../../hooks/use-project-changes';

const CREATE_LABELS: readonly [string, string][] = [
  ['accounts', 'Accounts'],
  ['members', 'Staff members'],
  ['subscriptions', 'Subscriptions'],
  ['domains', 'Domains'],
  ['subdomains', 'Subdomains'],
  ['pointers', 'Pointers'],
  ['dnsRecords', 'DNS records'],
  ['mailboxes', 'Mailboxes'],
  ['forwards', 'Forwards'],
  ['aliases', 'Aliases'],
  ['databases', 'Databases'],
  ['ftpUsers', 'FTP users'],
  ['files', 'Content files'],
];

const POLICY_LABELS: Readonly<Record<SignOffPolicy, string>> = {
  'after-first-rehearsal': 'Required once the project has rehearsed (default)',
  required: 'Always required',
  'not-required': 'Not required',
};

export function RehearsalPanel({ projectId, readOnly }: { projectId: string; readOnly: boolean }) {
  const list = useCall('rehearsal:list', { projectId });
  const status = useCall('rehearsal:status', { projectId });
  const [chosen, setChosen] = useState<string>();
  const [progress, setProgress] = useState<RehearsalProgress>();
  const [error, setError] = useState<AppError>();
  const [withContent, setWithContent] = useState(true);
  const reloadList = list.reload;
  const reloadStatus = status.reload;

  useEvent(
    'rehearsal:progress',
    useCallback(
      (p: RehearsalProgress) => {
        if (p.projectId !== projectId) return;
        setProgress(p);
        if (p.phase === 'done' || p.phase === 'failed') {
          setChosen(p.rehearsalId);
          reloadList();
          reloadStatus();
        }
      },
      [projectId, reloadList, reloadStatus],
    ),
  );
  // rehearsals and sign-offs made by another engineer on a shared project (a rehearsal's journal
  // moves often: once a second is plenty for a list)
  const reloadBoth = useCallback(() => {
    reloadList();
    reloadStatus();
  }, [reloadList, reloadStatus]);
  useProjectChanges(projectId, ['rehearsal', 'signoff'], reloadBoth, { everyMs: 1_000 });

  const running = progress !== undefined && progress.phase !== 'done' && progress.phase !== 'failed';
  const rehearse = async (): Promise<void> => {
    setError(undefined);
    const r = await api.call('rehearsal:start', { projectId, content: withContent });
    if (!r.ok) return setError(r.error);
    setProgress({ projectId, rehearsalId: r.value.rehearsalId, phase: 'starting' });
  };
  const setPolicy = async (policy: SignOffPolicy): Promise<void> => {
    const r = await api.call('rehearsal:policy', { projectId, policy });
    if (!r.ok) return setError(r.error);
    reloadStatus();
  };

  const current = chosen ?? list.data?.[0]?.id;
  const s = status.data;
  return (
    <Card withBorder data-testid="rehearsal-panel">
      <Stack>
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3}>Rehearsal</Title>
            <Text size="sm" c="dimmed">
              Runs this very plan against a throwaway sandbox (never the real target) and shows what the
              production run would create, to sign off.
            </Text>
          </div>
          {!readOnly && (
            <Group>
              <Checkbox
                label="Transfer content"
                checked={withContent}
                onChange={(e) => setWithContent(e.currentTarget.checked)}
                disabled={running}
              />
              <Button onClick={() => void rehearse()} loading={running} data-testid="rehearse-button">
                Rehearse
              </Button>
            </Group>
          )}
        </Group>
        {running && progress && (
          <Text size="sm" data-testid="rehearsal-progress">
            Rehearsal {progress.rehearsalId}: {progress.phase}
            {progress.summary
              ? ` — ${progress.summary.steps.done} of ${progress.summary.steps.total} steps`
              : ''}
          </Text>
        )}
        {error && <ApiErrorAlert error={error} />}
        {list.error && <ApiErrorAlert error={list.error} title="The rehearsals cannot be read" />}
        {s && (
          <Group gap="md" data-testid="rehearsal-status">
            <Badge color={!s.required ? 'gray' : s.signOff ? 'teal' : 'orange'} variant="light">
              {!s.required
                ? 'No sign-off needed now'
                : s.signOff
                  ? `Signed off by ${s.signOff.author}`
                  : 'The current plan has no sign-off'}
            </Badge>
            <Text size="xs">
              {s.fingerprint === null ? (
                'Plan fingerprint now: not planned (verification is not current)'
              ) : (
                <>
                  Plan fingerprint now: <Code>{s.fingerprint.slice(0, 16)}</Code>
                </>
              )}
            </Text>
            {!readOnly && (
              <Select
                size="xs"
                aria-label="Sign-off policy"
                data={Object.entries(POLICY_LABELS).map(([value, label]) => ({ value, label }))}
                value={s.policy}
                onChange={(v) => v && void setPolicy(v as SignOffPolicy)}
                allowDeselect={false}
                w={300}
              />
            )}
          </Group>
        )}
        {(list.data?.length ?? 0) > 1 && (
          <Select
            label="Rehearsal"
            data={(list.data ?? []).map((r) => ({
              value: r.id,
              label: `${r.id} · ${r.state}${r.signOff ? ' · signed off' : ''}`,
            }))}
            value={current ?? null}
            onChange={(v) => v && setChosen(v)}
            allowDeselect={false}
            maw={420}
          />
        )}
        {current && (
          <RehearsalOutcomeView
            key={current}
            projectId={projectId}
            id={current}
            readOnly={readOnly}
            onSigned={() => {
              reloadList();
              reloadStatus();
            }}
          />
        )}
        {list.data && list.data.length === 0 && (
          <Text size="sm" c="dimmed">
            No rehearsal yet.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function RehearsalOutcomeView(props: {
  projectId: string;
  id: string;
  readOnly: boolean;
  onSigned: () => void;
}) {
  const { projectId, id } = props;
  const outcome = useCall('rehearsal:show', { projectId, id });
  const diff = useCall('rehearsal:diff', { projectId, id });
  if (outcome.error) return <ApiErrorAlert error={outcome.error} title="The rehearsal cannot be read" />;
  const o = outcome.data;
  if (!o) return null;
  return (
    <Stack
      data-testid="rehearsal-outcome"
      data-rehearsal={o.id}
      data-state={o.state}
      data-fingerprint={o.fingerprint}
    >
      <Summary o={o} />
      {o.catalogue && !o.catalogue.fromRealTarget && (
        <Alert color="yellow" data-testid="rehearsal-catalogue-warning">
          Catalogue not from the real target ({o.catalogue.problem ?? 'unreachable'}): the sandbox&apos;s own
          templates and plans were used.
        </Alert>
      )}
      {o.error && <Alert color="red">{o.error}</Alert>}
      <Problems o={o} />
      <HoldingsTable projectId={projectId} id={o.id} />
      {diff.data && <DiffView diff={diff.data} />}
      <ExportButtons projectId={projectId} id={o.id} />
      <SignOffForm
        o={o}
        projectId={projectId}
        readOnly={props.readOnly}
        onSigned={() => {
          outcome.reload();
          props.onSigned();
        }}
      />
    </Stack>
  );
}

function Summary({ o }: { o: RehearsalOutcome }) {
  const data = CREATE_LABELS.map(([k, label]) => ({
    kind: label,
    Count: (o.create as Record<string, number> | undefined)?.[k] ?? 0,
  }));
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Stack gap={4}>
        <Group gap="xs">
          <Badge color={o.state === 'done' ? 'teal' : o.state === 'running' ? 'blue' : 'red'}>
            {o.state}
          </Badge>
          {o.signOff && (
            <Badge color="teal" variant="outline">
              signed off
            </Badge>
          )}
        </Group>
        <Text size="sm">
          Fingerprint <Code data-testid="rehearsal-fingerprint">{o.fingerprint}</Code>
        </Text>
        <Text size="sm" data-testid="rehearsal-objects">
          {o.objects
            ? `${o.objects.migrated} of ${o.objects.total} objects migrated, ${o.objects.failed} failed`
            : ''}
        </Text>
        <Text size="sm">
          {o.create ? `${o.create.files} files, ${o.create.bytes} bytes of content` : ''}
          {o.content ? '' : ' (content not transferred)'}
        </Text>
        <Text size="xs" c="dimmed">
          by {o.author}, {o.createdAt}
        </Text>
      </Stack>
      <BarChart
        h={260}
        data={data}
        dataKey="kind"
        orientation="vertical"
        yAxisProps={{ width: 110 }}
        series={[{ name: 'Count', color: 'blue.6' }]}
      />
    </SimpleGrid>
  );
}

function Problems({ o }: { o: RehearsalOutcome }) {
  const rows = [
    ...(o.failures ?? []).map((i) => ({ ...i, type: 'failed' })),
    ...(o.cannotCarry ?? []).map((i) => ({ ...i, type: 'cannot carry' })),
  ];
  if (rows.length === 0 && (o.wouldDisable ?? []).length === 0) return null;
  // A long list (every password the target cannot take) must not push the rest off the page.
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {o.failures?.length ?? 0} failed, {o.cannotCarry?.length ?? 0} cannot be carried
        {(o.wouldDisable ?? []).length > 0 ? ', source subscriptions the real run would disable' : ''}
      </Text>
      <ScrollArea.Autosize mah={280} type="auto">
        <Table data-testid="rehearsal-problems" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>problem</Table.Th>
              <Table.Th>object</Table.Th>
              <Table.Th>step</Table.Th>
              <Table.Th>message</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => (
              <Table.Tr key={i}>
                <Table.Td>{r.type}</Table.Td>
                <Table.Td>{r.object}</Table.Td>
                <Table.Td>{r.step}</Table.Td>
                <Table.Td>{r.message}</Table.Td>
              </Table.Tr>
            ))}
            {(o.wouldDisable ?? []).map((w) => (
              <Table.Tr key={`disable-${w.serverId}-${w.subscriptionIds.join(',')}`}>
                <Table.Td>would disable</Table.Td>
                <Table.Td>{w.serverId}</Table.Td>
                <Table.Td>source subscriptions</Table.Td>
                <Table.Td>{w.subscriptionIds.join(' ')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Stack>
  );
}

const fieldText = (h: TargetHolding): string =>
  Object.entries(h.fields)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

const HOLDING_COLUMNS: readonly Column<TargetHolding>[] = [
  { key: 'kind', label: 'Kind', width: 120, value: (h) => h.kind },
  { key: 'name', label: 'Object', width: '2fr', value: (h) => h.name },
  { key: 'owner', label: 'Owner', width: '1fr', value: (h) => h.owner ?? '' },
  { key: 'fields', label: 'Fields', width: '3fr', value: fieldText },
];

/** Objects per page of the table (the core serves at most HOLDINGS_PAGE_MAX). */
const PAGE = 500;

/**
 * The rehearsal's objects a page at a time, filtered by the core (kind; the search, debounced,
 * in name or owner), with how many match of how many there are.
 */
function HoldingsTable({ projectId, id }: { projectId: string; id: string }) {
  const [kind, setKind] = useState<string>('all');
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  // the page belongs to the filters it was chosen under: new filters start at the first page
  const filters = `${kind}\n${debounced}`;
  const [paged, setPaged] = useState({ filters, page: 1 });
  const page = paged.filters === filters ? paged.page : 1;
  const holdings = useCall('rehearsal:holdings', {
    projectId,
    id,
    ...(kind !== 'all' ? { kind: kind as HoldingKind } : {}),
    ...(debounced !== '' ? { search: debounced } : {}),
    offset: (page - 1) * PAGE,
    limit: PAGE,
  });
  const data = holdings.data;
  const pages = Math.max(1, Math.ceil((data?.matched ?? 0) / PAGE));
  return (
    <Stack gap="xs">
      <Group>
        <Select
          size="xs"
          aria-label="Kind"
          data={[
            { value: 'all', label: 'Every kind' },
            ...HOLDING_KINDS.map((k) => ({ value: k, label: k })),
          ]}
          value={kind}
          onChange={(v) => setKind(v ?? 'all')}
          allowDeselect={false}
          w={180}
        />
        <TextInput
          size="xs"
          placeholder="Search object or owner"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          aria-label="Search the rehearsal's objects"
        />
        <Text size="xs" c="dimmed" data-testid="rehearsal-holdings-count">
          {data ? `${data.matched} of ${data.total} objects` : 'Reading the objects…'}
        </Text>
      </Group>
      {holdings.error && <ApiErrorAlert error={holdings.error} title="The objects cannot be read" />}
      <VirtualTable
        rows={data?.rows ?? []}
        columns={HOLDING_COLUMNS}
        rowKey={(h) => h.key}
        height={360}
        testId="rehearsal-holdings"
        empty={data ? 'Nothing to show.' : 'Reading…'}
      />
      {pages > 1 && (
        <Group gap="xs">
          <Pagination
            size="sm"
            total={pages}
            value={page}
            onChange={(p) => setPaged({ filters, page: p })}
            data-testid="rehearsal-holdings-pages"
          />
          <Text size="xs" c="dimmed">
            {(page - 1) * PAGE + 1}–{Math.min(page * PAGE, data?.matched ?? 0)} of {data?.matched ?? 0}
          </Text>
        </Group>
      )}
    </Stack>
  );
}

/** Changes drawn at once in the diff's table. */
const DIFF_ROWS = 500;

function DiffView({ diff }: { diff: RehearsalDiff }) {
  if (!diff.from)
    return (
      <Text size="sm" c="dimmed" data-testid="rehearsal-diff">
        No earlier rehearsal to compare with.
      </Text>
    );
  const c = diff.counts;
  const cut = diff.truncated.added || diff.truncated.removed || diff.truncated.changed;
  // listed at once in a plain table (the core lists at most DIFF_LIST_MAX of each kind of change)
  const rows = [
    ...diff.added.map((h) => ({ change: 'added', kind: h.kind, name: h.name, detail: fieldText(h) })),
    ...diff.removed.map((h) => ({ change: 'removed', kind: h.kind, name: h.name, detail: fieldText(h) })),
    ...diff.changed.map((c) => ({
      change: 'changed',
      kind: c.kind,
      name: c.name,
      detail: Object.entries(c.fields)
        .map(([k, [a, b]]) => `${k}: ${a} → ${b}`)
        .join('; '),
    })),
  ];
  return (
    <Stack gap="xs" data-testid="rehearsal-diff">
      <Text size="sm" fw={600}>
        Since rehearsal {diff.from.id}: {c.added} added, {c.removed} removed, {c.changed} changed
        {diff.from.fingerprint !== diff.to.fingerprint ? ' (the plan changed)' : ''}
      </Text>
      {(cut || rows.length > DIFF_ROWS) && (
        <Text size="xs" c="dimmed" data-testid="rehearsal-diff-truncated">
          The first {Math.min(rows.length, DIFF_ROWS)} of {c.added + c.removed + c.changed} changes are listed
          (each rehearsal&apos;s CSV export holds all of its objects).
        </Text>
      )}
      {rows.length > 0 && (
        <ScrollArea.Autosize mah={280} type="auto">
          <Table striped>
            <Table.Tbody>
              {rows.slice(0, DIFF_ROWS).map((r, i) => (
                <Table.Tr key={i} data-change={r.change}>
                  <Table.Td>{r.change}</Table.Td>
                  <Table.Td>{r.kind}</Table.Td>
                  <Table.Td>{r.name}</Table.Td>
                  <Table.Td>{r.detail}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}

function ExportButtons({ projectId, id }: { projectId: string; id: string }) {
  const [error, setError] = useState<AppError>();
  const [saved, setSaved] = useState<string>();
  // Streamed to the file (the CSV and JSON of a 10x rehearsal are hundreds of MB): never a Blob here.
  const download = async (format: 'html' | 'csv' | 'json'): Promise<void> => {
    const r = await api.download('rehearsal:export', { projectId, id, format });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    if (r.value.saved) setSaved(r.value.fileName);
  };
  return (
    <Group gap="xs">
      {(['html', 'csv', 'json'] as const).map((f) => (
        <Button key={f} size="xs" variant="default" onClick={() => void download(f)}>
          Rehearsal ({f.toUpperCase()})
        </Button>
      ))}
      {saved && (
        <Text size="xs" data-testid="rehearsal-export-saved">
          Saved {saved}
        </Text>
      )}
      {error && <ApiErrorAlert error={error} />}
    </Group>
  );
}

function SignOffForm(props: {
  o: RehearsalOutcome;
  projectId: string;
  readOnly: boolean;
  onSigned: () => void;
}) {
  const { o } = props;
  const [comment, setComment] = useState('');
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  if (o.signOff)
    return (
      <Alert color="teal" data-testid="rehearsal-signed-off">
        Signed off by {o.signOff.author} at {o.signOff.at}
        {o.signOff.comment ? `: ${o.signOff.comment}` : ''}. A production run of plan{' '}
        {o.signOff.fingerprint.slice(0, 16)} may start.
      </Alert>
    );
  if (props.readOnly || o.state !== 'done') return null;
  const sign = async (): Promise<void> => {
    setBusy(true);
    const r = await api.call('rehearsal:signoff', {
      projectId: props.projectId,
      id: o.id,
      ...(comment.trim() ? { comment: comment.trim() } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    props.onSigned();
  };
  return (
    <Stack gap="xs">
      <Textarea
        label="Sign-off comment (optional)"
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        autosize
        minRows={1}
        maxLength={10_000}
      />
      <Group>
        <Button color="teal" onClick={() => void sign()} loading={busy} data-testid="rehearsal-signoff">
          Sign off this rehearsal
        </Button>
      </Group>
      {error && <ApiErrorAlert error={error} />}
    </Stack>
  );
}
