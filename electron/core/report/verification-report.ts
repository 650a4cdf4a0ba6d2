/** The verification report (SPEC R10): what was verified, with which status, why, and the fix. */
import type { VerificationResult } from '../../../shared/model/verification';
import { REASONS, STATUSES, type ReasonCode } from '../../../shared/statuses';
import type { DecisionService } from '../decisions/decision-service';
import type { ProjectService } from '../project/project-service';
import type { ServerService } from '../servers/server-service';
import type { VerificationService } from '../verification/verification-service';
import type { ReportBar, ReportDoc } from './report-doc';

export interface ReportDeps {
  readonly projects: ProjectService;
  readonly servers: ServerService;
  readonly verification: VerificationService;
  readonly decisions: DecisionService;
}

const KINDS = ['account', 'domain', 'subscription'] as const;
const SEVERITY_COLOR: Record<string, string> = {
  error: '#e03131',
  approval: '#f08c00',
  warning: '#fab005',
  info: '#1c7ed6',
};

function statusLabel(kind: string, status: string): string {
  const table = (STATUSES as Record<string, Record<string, { label: string; migrates: boolean }>>)[kind];
  return table?.[status]?.label ?? status;
}

function migrates(kind: string, status: string): boolean {
  const table = (STATUSES as Record<string, Record<string, { migrates: boolean }>>)[kind];
  return table?.[status]?.migrates ?? false;
}

function reasonText(r: VerificationResult['reasons'][number]): string {
  return `${REASONS[r.code as ReasonCode]?.title ?? r.code}: ${r.message}`;
}

export async function verificationReport(deps: ReportDeps, projectId: string): Promise<ReportDoc> {
  const project = await deps.projects.get(projectId);
  const servers = await deps.servers.list(projectId);
  const serverName = new Map(servers.map((s) => [s.id, s.name]));
  const summary = await deps.verification.summary(projectId);
  const results = await deps.verification.all(projectId);
  const decisions = await deps.decisions.list(projectId);

  const charts = KINDS.map((kind) => ({
    title: `${kind[0]!.toUpperCase()}${kind.slice(1)}s by status`,
    bars: Object.entries(summary.counts[kind] ?? {}).map(([status, n]): ReportBar => ({
      label: statusLabel(kind, status),
      value: n,
      color: migrates(kind, status) ? '#2f9e44' : status.includes('manual') ? '#f08c00' : '#e03131',
    })),
  })).filter((c) => c.bars.length > 0);
  charts.push({
    title: 'Reasons',
    bars: Object.entries(summary.reasons)
      .sort((a, b) => b[1] - a[1])
      .map(([code, n]) => ({
        label: REASONS[code as ReasonCode]?.title ?? code,
        value: n,
        color: SEVERITY_COLOR[REASONS[code as ReasonCode]?.severity ?? 'info'] ?? '#1c7ed6',
      })),
  });

  const row = (r: VerificationResult): string[] => [
    serverName.get(r.serverId) ?? r.serverId,
    r.id,
    r.name ?? '',
    r.accountId,
    r.templateId ?? '',
    statusLabel(r.kind, r.status),
    r.reasons.map(reasonText).join('\n'),
    [...new Set(r.reasons.map((x) => REASONS[x.code as ReasonCode]?.fix ?? ''))].filter(Boolean).join('\n'),
  ];
  const columns = ['Source server', 'Id', 'Name', 'Account', 'Template', 'Status', 'Reasons', 'Fix'];
  const sections = KINDS.map((kind) => ({
    title: `${kind[0]!.toUpperCase()}${kind.slice(1)}s`,
    columns,
    rows: results.filter((r) => r.kind === kind).map(row),
  }));
  const reasonCodes = Object.keys(summary.reasons) as ReasonCode[];
  sections.push({
    title: 'Reasons, in the words of the seed, and what to do',
    columns: ['Reason', 'Objects', 'Seed wording', 'Fix'],
    rows: reasonCodes.map((c) => [
      REASONS[c]?.title ?? c,
      String(summary.reasons[c] ?? 0),
      REASONS[c]?.seed ?? '(Migration Manager)',
      REASONS[c]?.fix ?? '',
    ]),
  });
  sections.push({
    title: 'Decisions',
    columns: ['Time', 'Author', 'Decision', 'Undone'],
    rows: decisions.map((d) => [
      d.time.slice(0, 19).replace('T', ' '),
      d.author,
      d.summary,
      d.undone ? `${d.undone.time.slice(0, 19).replace('T', ' ')} by ${d.undone.author}` : '',
    ]),
  });

  const total = (kind: string): number =>
    Object.values(summary.counts[kind as 'account'] ?? {}).reduce((a, b) => a + b, 0);
  return {
    title: `Verification report: ${project.name}`,
    subtitle: `${servers.length} source servers: ${servers.map((s) => `${s.name} (${s.kind}, API v${s.apiVersion})`).join(', ')}`,
    generatedAt: new Date().toISOString().slice(0, 19).replace('T', ' '),
    facts: [
      {
        label: 'Verified at',
        value: summary.verifiedAt ? summary.verifiedAt.slice(0, 19).replace('T', ' ') : 'never',
      },
      {
        label: 'Results current',
        value: summary.stale ? 'NO — something changed since; verify again' : 'yes',
      },
      { label: 'Accounts verified', value: String(total('account')) },
      { label: 'Domains verified', value: String(total('domain')) },
      { label: 'Subscriptions verified', value: String(total('subscription')) },
      { label: 'Decisions', value: String(decisions.filter((d) => !d.undone).length) },
    ],
    charts,
    sections,
    csv: {
      title: 'Verification results',
      columns: ['Kind', ...columns, 'Reason codes'],
      rows: results.map((r) => [r.kind, ...row(r), r.reasons.map((x) => x.code).join(' ')]),
    },
  };
}
