/**
 * The Migration page (SPEC R9): start a batch from the verified selection after seeing what it
 * will do, follow it live, pause / resume / cancel / retry the failed, look into every object and
 * step, read back what the target holds, and take the report. A review copy shows the results
 * and offers nothing that would write or reach the target.
 */
import { Alert, Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { JobSummary, ObjectStatusRow } from '../../../shared/model/migration';
import type { ReportFormat } from '../../../shared/model/report';
import type { AppError } from '../../../shared/result';
import { api } from '../../api';
import { ApiErrorAlert } from '../../components/api-error';
import { useCall, useEvent } from '../../hooks/use-call';
import { useProjectChanges } from '../../hooks/use-project-changes';
import { SharedChangeNote } from '../../components/shared-change-note';
import type { RouteParams } from '../../hooks/use-route';
import { BatchCard } from './batch-card';
import { timeText } from './migration-badges';
import { ObjectDrawer } from './object-drawer';
import { ObjectsTable, type StateFilter, isStateFilter } from './objects-table';
import { StartPanel } from './start-panel';
import { RehearsalPanel } from './rehearsal-panel';

const UNFINISHED = new Set(['queued', 'running', 'paused', 'reconciling']);
/**
 * The object table is asked again at most this often while a batch runs, and never more often
 * than four times the last answer took (a big batch's table costs the core a plan each time).
 */
const TABLE_REFRESH_MS = 1_000;

export function MigrationPage({ projectId, params }: { projectId: string; params: RouteParams }) {
  const project = useCall('projects:get', { projectId });
  const readOnly = Boolean(project.data?.review);
  const servers = useCall('servers:list', { projectId });
  const jobs = useCall('migration:jobs', { projectId });
  const [live, setLive] = useState<ReadonlyMap<string, JobSummary>>(new Map());
  const [chosen, setChosen] = useState<string | undefined>(params.job);
  const [filter, setFilter] = useState<StateFilter>(isStateFilter(params.state) ? params.state : 'all');
  const [search, setSearch] = useState(params.search ?? '');

  // Events are newer than the list: a batch's last event wins over what the list said.
  const all = useMemo(() => {
    const list = [...(jobs.data ?? [])];
    for (const j of live.values()) if (!list.some((x) => x.jobId === j.jobId)) list.unshift(j);
    return list.map((j) => live.get(j.jobId) ?? j).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }, [jobs.data, live]);
  const current = all.find((j) => j.jobId === chosen) ?? all[0];
  const unfinished = all.some((j) => UNFINISHED.has(j.state));

  // Bumped to make the object table ask again (at most once a second while a batch runs).
  const [objectsTick, setObjectsTick] = useState(0);
  const refreshMs = useRef(TABLE_REFRESH_MS);
  const answeredIn = useCallback((ms: number) => {
    refreshMs.current = Math.max(TABLE_REFRESH_MS, 4 * ms);
  }, []);
  const reloadObjects = useCallback(() => setObjectsTick((t) => t + 1), []);
  const reloadJobs = jobs.reload;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastState = useRef<string | undefined>(undefined);
  useEvent(
    'migration:progress',
    useCallback(
      (summary: JobSummary) => {
        if (summary.projectId !== projectId) return;
        setLive((m) => new Map(m).set(summary.jobId, summary));
        if (lastState.current !== summary.state) {
          lastState.current = summary.state;
          reloadJobs();
        }
        if (!timer.current)
          timer.current = setTimeout(() => {
            timer.current = undefined;
            reloadObjects();
          }, refreshMs.current);
      },
      [projectId, reloadObjects, reloadJobs],
    ),
  );
  useEffect(() => () => clearTimeout(timer.current), []);

  const serverNames = useMemo(() => new Map((servers.data ?? []).map((s) => [s.id, s.name])), [servers.data]);
  const serverName = useCallback((id: string) => serverNames.get(id) ?? id, [serverNames]);

  const changed = useCallback(() => {
    reloadJobs();
    reloadObjects();
  }, [reloadJobs, reloadObjects]);
  // a batch run by another app, `mm migrate` or workers on a shared project: the list at most once
  // a second, the object table no faster than it answers (as for this app's own batches)
  const heardElsewhere = useCallback(() => {
    reloadJobs();
    if (!timer.current)
      timer.current = setTimeout(() => {
        timer.current = undefined;
        reloadObjects();
      }, refreshMs.current);
  }, [reloadJobs, reloadObjects]);
  const elsewhere = useProjectChanges(projectId, ['migration'], heardElsewhere, {
    everyMs: TABLE_REFRESH_MS,
  });
  const [planning, setPlanning] = useState(false);
  const started = useCallback(
    (jobId: string) => {
      setChosen(jobId);
      setPlanning(false);
      changed();
    },
    [changed],
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Migration</Title>
        {current && <ReportButtons projectId={projectId} jobId={current.jobId} />}
      </Group>
      <SharedChangeNote change={elsewhere} />
      {readOnly && (
        <Alert color="blue" data-testid="migration-read-only">
          A review copy: the batches and their results are shown as they were exported; nothing here starts,
          pauses or retries a batch.
        </Alert>
      )}
      {jobs.error && <ApiErrorAlert error={jobs.error} title="The batches cannot be read" />}
      <RehearsalPanel projectId={projectId} readOnly={readOnly} />
      {!readOnly && !unfinished && jobs.data && all.length === 0 && (
        <StartPanel projectId={projectId} onStarted={started} />
      )}
      {jobs.data && all.length === 0 && readOnly && (
        <Card withBorder data-testid="migration-exported">
          <Group justify="space-between">
            <Text size="sm">
              The batches&apos; journal stays with the original project; the migration report of its newest
              batch, as exported with this copy, is here (none when no batch had run).
            </Text>
            <ReportButtons projectId={projectId} />
          </Group>
        </Card>
      )}
      {all.length > 1 && (
        <Select
          label="Batch"
          data={all.map((j) => ({
            value: j.jobId,
            label: `${j.jobId.slice(0, 8)} · ${j.state}${j.interrupted ? ' (interrupted)' : ''} · ${timeText(j.createdAt)}`,
          }))}
          value={current?.jobId ?? null}
          onChange={(v) => v && setChosen(v)}
          allowDeselect={false}
          maw={420}
        />
      )}
      {current && <BatchCard projectId={projectId} job={current} readOnly={readOnly} onChanged={changed} />}
      {current && (
        <BatchObjects
          projectId={projectId}
          jobId={current.jobId}
          tick={objectsTick}
          onAnswered={answeredIn}
          serverName={serverName}
          filter={filter}
          onFilter={setFilter}
          search={search}
          onSearch={setSearch}
        />
      )}
      {/* After a batch, the next one is planned only on request: its preview re-plans the project. */}
      {!readOnly &&
        !unfinished &&
        all.length > 0 &&
        (planning ? (
          <StartPanel projectId={projectId} onStarted={started} />
        ) : (
          <Card withBorder>
            <Group justify="space-between">
              <Text size="sm">
                Retry the failed objects of a batch above, or plan a new batch from the verified selection
                (what an earlier batch created is found again, not created twice).
              </Text>
              <Button variant="default" style={{ flexShrink: 0 }} onClick={() => setPlanning(true)}>
                Plan a new batch
              </Button>
            </Group>
          </Card>
        ))}
    </Stack>
  );
}

/** The objects of one batch: the table and the drawer of the object opened. */
function BatchObjects(props: {
  projectId: string;
  jobId: string;
  tick: number;
  /** How long the last answer took (ms), so the page asks no faster than the core answers. */
  onAnswered: (ms: number) => void;
  serverName: (id: string) => string;
  filter: StateFilter;
  onFilter: (f: StateFilter) => void;
  search: string;
  onSearch: (s: string) => void;
}) {
  const { projectId, jobId, tick, onAnswered } = props;
  const objects = useCall('migration:objects', { projectId, jobId });
  /** When the table was last asked again (0: only the first answer so far). */
  const asked = useRef(0);
  const [opened, setOpened] = useState<ObjectStatusRow>();
  const reload = objects.reload;
  useEffect(() => {
    if (tick === 0) return;
    asked.current = performance.now();
    reload();
  }, [tick, reload]);
  useEffect(() => {
    if (objects.data && asked.current > 0) onAnswered(performance.now() - asked.current);
  }, [objects.data, onAnswered]);
  return (
    <Card withBorder>
      {objects.error && (
        <ApiErrorAlert error={objects.error} title="The objects of this batch cannot be read" />
      )}
      <ObjectsTable
        rows={objects.data ?? []}
        serverName={props.serverName}
        filter={props.filter}
        onFilter={props.onFilter}
        search={props.search}
        onSearch={props.onSearch}
        onOpen={setOpened}
      />
      <ObjectDrawer
        projectId={projectId}
        jobId={jobId}
        row={opened}
        serverName={props.serverName}
        onClose={() => setOpened(undefined)}
      />
    </Card>
  );
}

/** The migration report of the batch shown, as a file (reading it writes nothing, so a review copy has it too). */
export function ReportButtons({ projectId, jobId }: { projectId: string; jobId?: string }) {
  const [error, setError] = useState<AppError>();
  const [saved, setSaved] = useState<string>();
  const download = async (format: ReportFormat): Promise<void> => {
    // Saved as it is written (MmApi.download): the report never crosses as one string.
    const r = await api.download('reports:migration', { projectId, format, ...(jobId ? { jobId } : {}) });
    if (!r.ok) return setError(r.error);
    setError(undefined);
    if (r.value.saved) setSaved(r.value.fileName);
  };
  return (
    <Stack gap={4} align="flex-end">
      <Group gap="xs">
        <Button size="xs" variant="default" onClick={() => void download('html')}>
          Migration report (HTML)
        </Button>
        <Button size="xs" variant="default" onClick={() => void download('csv')}>
          Migration report (CSV)
        </Button>
      </Group>
      {saved && (
        <Text size="xs" data-testid="migration-report-saved">
          Saved {saved}
        </Text>
      )}
      {error && <ApiErrorAlert error={error} />}
    </Stack>
  );
}
