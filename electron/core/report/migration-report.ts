/**
 * The migration report (SPEC R9/R10): for one batch, per object what was created on the target
 * with the ids the target gave, what failed and the target's own words, what could not be
 * carried and why, and the read-back "found N of N" per kind. Same shape as the verification
 * report (a ReportDoc), so the same renderers make its HTML and CSV.
 */
import type {
  CreatedKind,
  JobSummary,
  MigrationPlan,
  ObjectState,
  ObjectStatusRow,
  StepStatusRow,
  TargetIds,
} from '../../../shared/model/migration';
import { CREATED_KINDS } from '../../../shared/model/migration';
import { MmError } from '../errors';
import type { ProjectService } from '../project/project-service';
import type { ServerService } from '../servers/server-service';
import type { ReportBar, ReportDoc, ReportSection } from './report-doc';

/** What the report reads: one batch, in one snapshot. */
export interface MigrationReportSource {
  jobs(projectId: string): Promise<readonly JobSummary[]>;
  batchDetail(
    projectId: string,
    jobId: string,
  ): Promise<{
    summary: JobSummary;
    objects: readonly { row: ObjectStatusRow; steps: readonly StepStatusRow[] }[];
    excluded: MigrationPlan['excluded'];
  }>;
}

export interface MigrationReportDeps {
  readonly projects: ProjectService;
  readonly servers: ServerService;
  /** A function, so the core can build the report service before the migration service. */
  readonly migration: () => MigrationReportSource;
}

/** People's words for the counted kinds (a kind added later shows as its key until named here). */
const KIND_WORDS: Readonly<Partial<Record<CreatedKind, string>>> = {
  accounts: 'Accounts',
  members: 'Staff members',
  subscriptions: 'Subscriptions',
  domains: 'Domains',
  dnsRecords: 'DNS records',
  mailboxes: 'Mailboxes',
  forwards: 'Mail forwards',
  databases: 'Databases',
  ftpUsers: 'FTP users',
};

export const kindLabel = (k: CreatedKind): string => KIND_WORDS[k] ?? k;

const STATE_COLOR: Readonly<Record<ObjectState, string>> = {
  migrated: '#2f9e44',
  failed: '#e03131',
  blocked: '#f08c00',
  running: '#1c7ed6',
  pending: '#868e96',
  excluded: '#adb5bd',
};

const time = (iso: string | undefined): string => (iso ? iso.slice(0, 19).replace('T', ' ') : '');

/** "account_id=1000001, user_id=7": the target's ids as one readable cell. */
export function idsText(ids: TargetIds): string {
  return Object.entries(ids)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The batch to report on: the one asked for, else the newest. */
export async function pickBatch(
  source: MigrationReportSource,
  projectId: string,
  jobId: string | undefined,
): Promise<string> {
  if (jobId) return jobId;
  const newest = (await source.jobs(projectId))[0];
  if (!newest)
    throw new MmError(
      'not-found',
      'No migration batch has run in this project yet: start one on the Migration page or with `mm migrate`.',
      'jobId',
    );
  return newest.jobId;
}

export async function migrationReport(
  deps: MigrationReportDeps,
  projectId: string,
  jobId?: string,
): Promise<ReportDoc> {
  const source = deps.migration();
  const project = await deps.projects.get(projectId);
  const servers = await deps.servers.list(projectId);
  const serverName = new Map(servers.map((s) => [s.id, s.name]));
  const { summary, objects, excluded } = await source.batchDetail(
    projectId,
    await pickBatch(source, projectId, jobId),
  );

  const objectCells = (row: ObjectStatusRow): string[] => [
    row.ref.kind,
    serverName.get(row.ref.serverId) ?? row.ref.serverId,
    row.ref.id,
    row.name,
  ];
  const objectColumns = ['Kind', 'Source server', 'Id', 'Name'];

  const stateCounts = new Map<ObjectState, number>();
  for (const { row } of objects) stateCounts.set(row.state, (stateCounts.get(row.state) ?? 0) + 1);

  const r = summary.reconciliation;
  const charts: { title: string; bars: ReportBar[] }[] = [
    {
      title: 'Objects by state',
      bars: [...stateCounts].map(([state, n]) => ({ label: state, value: n, color: STATE_COLOR[state] })),
    },
    {
      title: 'Created on the target, per kind',
      bars: CREATED_KINDS.map((k) => ({
        label: kindLabel(k),
        value: summary.created[k],
        color: '#1c7ed6',
      })),
    },
  ];
  if (r)
    charts.push({
      title: 'Read back from the target: found of planned, per kind',
      bars: CREATED_KINDS.map((k) => ({
        label: `${kindLabel(k)} (${r[k].found} of ${r[k].planned})`,
        value: r[k].found,
        color: r[k].found === r[k].planned ? '#2f9e44' : '#e03131',
      })),
    });

  const created: string[][] = [];
  const failed: string[][] = [];
  const notCarried: string[][] = [];
  const csvRows: string[][] = [];
  for (const { row, steps } of objects) {
    for (const s of steps) {
      if (s.state === 'done')
        created.push([...objectCells(row), s.label, idsText(s.ids), s.via ?? '', time(s.at)]);
      if (s.state === 'failed' || s.state === 'blocked')
        failed.push([
          ...objectCells(row),
          s.label,
          s.state,
          s.message ?? (s.state === 'blocked' ? 'a step it depends on failed' : ''),
        ]);
      if (s.state === 'not-carried') notCarried.push([...objectCells(row), s.label, s.message ?? '']);
      csvRows.push([
        ...objectCells(row),
        row.state,
        s.id,
        s.kind,
        s.label,
        s.state,
        idsText(s.ids),
        s.message ?? '',
        s.via ?? '',
        s.at ?? '',
      ]);
    }
  }

  const sections: ReportSection[] = [];
  if (r)
    sections.push({
      title: 'Read back from the target',
      note: 'What the plan says should exist, counted again on the target after the batch.',
      columns: ['Kind', 'Planned', 'Found', 'Result'],
      rows: CREATED_KINDS.map((k) => [
        kindLabel(k),
        String(r[k].planned),
        String(r[k].found),
        r[k].found === r[k].planned
          ? `${r[k].found} of ${r[k].planned}`
          : `MISSING ${r[k].planned - r[k].found}`,
      ]),
    });
  sections.push(
    {
      title: 'Objects',
      columns: [...objectColumns, 'State', 'Steps done', 'Error'],
      rows: objects.map(({ row }) => [
        ...objectCells(row),
        row.state,
        `${row.stepsDone} of ${row.stepsTotal}`,
        row.error ?? '',
      ]),
    },
    {
      title: 'Created on the target',
      note: 'Every step done, with the ids the target returned (or found again by look-up after a restart).',
      columns: [...objectColumns, 'Step', 'Target ids', 'How known', 'At'],
      rows: created,
    },
    {
      title: 'Failed',
      note: 'The target’s own message; a blocked step waited on one that failed. Retry the failed objects once the cause is fixed.',
      columns: [...objectColumns, 'Step', 'State', 'Message'],
      rows: failed,
    },
    {
      title: 'Not carried',
      note: 'What the target cannot take, named per object: move it by hand or tell the customer.',
      columns: [...objectColumns, 'What', 'Why'],
      rows: notCarried,
    },
    {
      title: 'Not in the batch',
      note: 'Selected, but verification did not approve them.',
      columns: ['Kind', 'Source server', 'Id', 'Why'],
      rows: excluded.map((e) => [
        e.ref.kind,
        serverName.get(e.ref.serverId) ?? e.ref.serverId,
        e.ref.id,
        e.reason,
      ]),
    },
  );

  const readBack = r
    ? CREATED_KINDS.every((k) => r[k].found === r[k].planned)
      ? 'every kind found N of N'
      : `MISMATCH — ${CREATED_KINDS.filter((k) => r[k].found !== r[k].planned)
          .map((k) => `${kindLabel(k)} ${r[k].found} of ${r[k].planned}`)
          .join(', ')}`
    : 'not read back (the batch did not finish)';
  return {
    title: `Migration report: ${project.name}`,
    subtitle: `Batch ${summary.jobId} · ${servers.length} source servers: ${servers.map((s) => s.name).join(', ')}`,
    generatedAt: time(new Date().toISOString()),
    facts: [
      { label: 'Batch', value: summary.jobId },
      { label: 'State', value: summary.interrupted ? `${summary.state} (interrupted)` : summary.state },
      { label: 'Started', value: time(summary.createdAt) },
      { label: 'Last change', value: time(summary.updatedAt) },
      { label: 'Concurrency', value: String(summary.concurrency) },
      {
        label: 'Objects',
        value: `${summary.objects.migrated} of ${summary.objects.total} migrated, ${summary.objects.failed} failed`,
      },
      {
        label: 'Steps',
        value: `${summary.steps.done} of ${summary.steps.total} done, ${summary.steps.failed} failed`,
      },
      { label: 'Not carried', value: String(notCarried.length) },
      { label: 'Read back', value: readBack },
    ],
    charts: charts.filter((c) => c.bars.length > 0),
    sections,
    csv: {
      title: 'Migration steps',
      columns: [
        ...objectColumns,
        'Object state',
        'Step id',
        'Step kind',
        'Step',
        'Step state',
        'Target ids',
        'Message',
        'How known',
        'At',
      ],
      rows: csvRows,
    },
  };
}
