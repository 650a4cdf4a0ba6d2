/**
 * The Checks page: post-migration checks per run (a batch's, or one run by hand) and per
 * domain — web, mail, DNS, databases, users — each difference named. Runs the checks (all
 * migrated domains or the ones typed), filters by status, and saves a run as HTML or CSV.
 * In a review copy it shows the runs the bundle carried, with no control.
 */
import {
  Alert,
  Button,
  Card,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { Fragment, useCallback, useState } from 'react';
import { CHECK_KINDS, type CheckRun, type CheckStatus, type DomainCheck } from '../../../shared/model/checks';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { JobProgressBar } from '../../components/job-progress';
import { formatTime } from '../../format';
import { useCall } from '../../hooks/use-call';
import { useJob } from '../../hooks/use-job';
import type { RouteParams } from '../../hooks/use-route';
import { useReadOnly } from '../../project-context';
import { CheckBadge } from './check-badges';
import { CheckSettingsCard } from './check-settings-card';

type Filter = 'all' | CheckStatus;

const runLabel = (r: CheckRun): string =>
  `${formatTime(r.at)} — ${r.trigger === 'batch' ? `after batch ${r.jobId?.slice(0, 8) ?? ''}` : 'by hand'} — ${r.counts.fail} failed, ${r.counts.warn} warnings, ${r.counts.pass} passed`;

export function ChecksPage({ projectId, params }: { projectId: string; params: RouteParams }) {
  const readOnly = useReadOnly();
  const runs = useCall('checks:runs', { projectId });
  const [runId, setRunId] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>(
    params['status'] === 'fail' || params['status'] === 'warn' || params['status'] === 'pass'
      ? params['status']
      : 'all',
  );
  const [domains, setDomains] = useState('');
  const [error, setError] = useState<AppError>();
  const reload = runs.reload;
  const { progress, track } = useJob(
    useCallback(() => {
      setRunId(null);
      reload();
    }, [reload]),
  );

  const start = async (): Promise<void> => {
    const names = domains.split(/[\s,]+/).filter(Boolean);
    const r = await api.call('checks:run', { projectId, ...(names.length ? { domains: names } : {}) });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    track(r.value.jobId);
  };
  const download = async (format: 'html' | 'csv', id: string): Promise<void> => {
    // Saved as it is written (MmApi.download): the report never crosses as one string.
    const r = await api.download('checks:report', { projectId, format, runId: id });
    if (!r.ok) return setError(r.error);
    setError(undefined);
  };

  const all = runs.data ?? [];
  const run = all.find((r) => r.runId === runId) ?? all[0];
  const running = progress?.state === 'running';

  return (
    <Stack>
      <Title order={2}>Checks</Title>
      <Text c="dimmed" size="sm">
        Each migrated domain compared between the source and the target: the index page and a sample of pages
        fetched from the source&apos;s and the target&apos;s web servers, every file&apos;s size and hash,
        mailboxes with their messages per folder and Message-IDs, every DNS record asked of the target&apos;s
        name server and its API, databases, and the mailbox, FTP and database logins.
      </Text>
      {!readOnly && (
        <Card withBorder>
          <Group align="flex-end">
            <TextInput
              label="Only these domains"
              description="Leave empty to check every migrated domain"
              placeholder="example.com shop.example.com"
              value={domains}
              onChange={(e) => setDomains(e.currentTarget.value)}
              style={{ flex: 1 }}
            />
            <Button onClick={() => void start()} loading={running} data-testid="checks-run">
              Run checks
            </Button>
          </Group>
          <JobProgressBar progress={progress} />
        </Card>
      )}
      {!readOnly && <CheckSettingsCard projectId={projectId} />}
      {error && <ApiErrorAlert error={error} />}
      {runs.error && <ApiErrorAlert error={runs.error} title="The checks cannot be read" />}
      {runs.data && !run && (
        <Alert color="gray" title="No checks yet">
          Checks run when a migration batch ends{readOnly ? '' : ', or now with Run checks'}.
        </Alert>
      )}
      {run && (
        <RunView
          run={run}
          runs={all}
          onPick={setRunId}
          filter={filter}
          onFilter={setFilter}
          onDownload={(f) => void download(f, run.runId)}
        />
      )}
    </Stack>
  );
}

function RunView({
  run,
  runs,
  onPick,
  filter,
  onFilter,
  onDownload,
}: {
  run: CheckRun;
  runs: readonly CheckRun[];
  onPick: (id: string | null) => void;
  filter: Filter;
  onFilter: (f: Filter) => void;
  onDownload: (format: 'html' | 'csv') => void;
}) {
  const [open, setOpen] = useState<string>();
  const shown = run.domains.filter((d) => filter === 'all' || d.status === filter);
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Select
          label="Run"
          data={runs.map((r) => ({ value: r.runId, label: runLabel(r) }))}
          value={run.runId}
          onChange={onPick}
          allowDeselect={false}
          w={560}
        />
        <Group>
          <Button variant="default" onClick={() => onDownload('html')}>
            Download HTML
          </Button>
          <Button variant="default" onClick={() => onDownload('csv')}>
            Download CSV
          </Button>
        </Group>
      </Group>
      <Group data-testid="checks-summary" gap="xs">
        <Text size="sm">{run.domains.length === 1 ? '1 domain' : `${run.domains.length} domains`}:</Text>
        <CheckBadge status="fail" label={`${run.counts.fail} failed`} />
        <CheckBadge status="warn" label={`${run.counts.warn} with warnings`} />
        <CheckBadge status="pass" label={`${run.counts.pass} passed`} />
      </Group>
      <SegmentedControl
        value={filter}
        onChange={(v) => onFilter(v as Filter)}
        data={[
          { value: 'all', label: 'All' },
          { value: 'fail', label: 'Failed' },
          { value: 'warn', label: 'Warnings' },
          { value: 'pass', label: 'Passed' },
        ]}
        aria-label="Show domains"
        w={420}
      />
      <Table striped highlightOnHover data-testid="checks-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Domain</Table.Th>
            <Table.Th>Server</Table.Th>
            <Table.Th>Status</Table.Th>
            {CHECK_KINDS.map((k) => (
              <Table.Th key={k}>{k}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((d) => (
            <Fragment key={`${d.server}/${d.domainId}`}>
              <Table.Tr
                data-testid={`check-row-${d.domain}`}
                data-status={d.status}
                onClick={() => setOpen(open === d.domain ? undefined : d.domain)}
                style={{ cursor: 'pointer' }}
                aria-expanded={open === d.domain}
              >
                <Table.Td>
                  <Button variant="subtle" size="compact-sm" aria-label={`Details of ${d.domain}`}>
                    {d.domain}
                  </Button>
                </Table.Td>
                <Table.Td>{d.server}</Table.Td>
                <Table.Td>
                  <CheckBadge status={d.status} />
                </Table.Td>
                {CHECK_KINDS.map((k) => {
                  const c = d.checks.find((x) => x.kind === k);
                  return <Table.Td key={k}>{c && <CheckBadge status={c.status} />}</Table.Td>;
                })}
              </Table.Tr>
              {open === d.domain && (
                <Table.Tr>
                  <Table.Td colSpan={3 + CHECK_KINDS.length}>
                    <DomainDetail domain={d} />
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
      {shown.length === 0 && (
        <Text c="dimmed" size="sm">
          No domain with this status in this run.
        </Text>
      )}
    </Stack>
  );
}

/** One domain's five checks with every difference named. */
function DomainDetail({ domain }: { domain: DomainCheck }) {
  return (
    <Stack gap="xs" data-testid={`check-detail-${domain.domain}`}>
      <Text size="xs" c="dimmed">
        Checked {formatTime(domain.checkedAt)}
      </Text>
      {domain.checks.map((c) => (
        <Stack key={c.kind} gap={2}>
          <Group gap="xs">
            <CheckBadge status={c.status} label={`${c.kind}: ${c.status}`} />
            <Text size="sm">{c.status === 'pass' ? c.message : `${c.differences.length} difference(s)`}</Text>
          </Group>
          {c.differences.map((x, i) => (
            <Text key={i} size="sm" pl="md" data-testid="check-difference" data-severity={x.severity}>
              <b>{x.object}</b>: {x.message}
            </Text>
          ))}
        </Stack>
      ))}
    </Stack>
  );
}
