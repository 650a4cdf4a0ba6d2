/**
 * A rehearsal as a plan to sign, in the report shape every report uses (ReportDoc), so the same
 * renderers make its HTML and CSV: what the real run would create per kind and per object, what
 * failed and what cannot be carried, the fingerprint, the sign-off, and the diff against the
 * previous rehearsal. The JSON export is the outcome itself (rehearsalJson).
 */
import type { RehearsalDiff, RehearsalOutcome } from '../../../shared/model/rehearsal';
import type { ReportDoc, ReportSection } from '../report/report-doc';

const CREATE_LABELS: readonly [keyof NonNullable<RehearsalOutcome['create']>, string][] = [
  ['accounts', 'Accounts'],
  ['members', 'Staff members'],
  ['subscriptions', 'Subscriptions'],
  ['domains', 'Domains'],
  ['subdomains', 'Subdomains'],
  ['pointers', 'Pointers'],
  ['dnsRecords', 'DNS records'],
  ['mailboxes', 'Mailboxes'],
  ['forwards', 'Mail forwards'],
  ['aliases', 'Mail aliases'],
  ['databases', 'Databases'],
  ['ftpUsers', 'FTP users'],
  ['files', 'Content files'],
  ['bytes', 'Content bytes'],
];

const fieldText = (fields: Readonly<Record<string, string>>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

export function rehearsalReport(
  o: RehearsalOutcome,
  diff: RehearsalDiff | null,
  projectName: string,
): ReportDoc {
  const create = o.create;
  const objects: ReportSection = {
    title: 'What the real run would create, object by object',
    note: 'Read back from the rehearsal sandbox after the batch: passwords and ids the target assigns are left out.',
    columns: ['kind', 'object', 'owner', 'fields'],
    rows: o.holdings.map((h) => [h.kind, h.name, h.owner ?? '', fieldText(h.fields)]),
  };
  const problems = (title: string, items: RehearsalOutcome['failures']): ReportSection => ({
    title,
    columns: ['object', 'step', 'message'],
    rows: (items ?? []).map((i) => [i.object, i.step, i.message]),
  });
  const sections: ReportSection[] = [
    objects,
    problems('Failures', o.failures),
    problems('Cannot be carried', o.cannotCarry),
    {
      title: 'Would be disabled on the source servers (not done by a rehearsal)',
      columns: ['server', 'subscriptions'],
      rows: (o.wouldDisable ?? []).map((w) => [w.serverId, w.subscriptionIds.join(' ')]),
    },
  ];
  if (diff) {
    sections.push({
      title: diff.from
        ? `Changes since rehearsal ${diff.from.id} (${diff.from.createdAt})`
        : 'Changes: no earlier rehearsal to compare with',
      columns: ['change', 'kind', 'object', 'detail'],
      rows: [
        ...diff.added.map((h) => ['added', h.kind, h.name, fieldText(h.fields)]),
        ...diff.removed.map((h) => ['removed', h.kind, h.name, fieldText(h.fields)]),
        ...diff.changed.map((c) => [
          'changed',
          c.kind,
          c.name,
          Object.entries(c.fields)
            .map(([k, [a, b]]) => `${k}: ${a} → ${b}`)
            .join('; '),
        ]),
        ...diff.newProblems.map((i) => ['new problem', i.kind, i.object, `${i.step}: ${i.message}`]),
        ...diff.goneProblems.map((i) => ['problem gone', i.kind, i.object, `${i.step}: ${i.message}`]),
      ],
    });
  }
  return {
    title: `Rehearsal ${o.id}`,
    subtitle: `${projectName}: what the production run would create`,
    generatedAt: new Date().toISOString(),
    facts: [
      { label: 'Plan fingerprint', value: o.fingerprint },
      { label: 'State', value: o.state },
      { label: 'Rehearsed by', value: `${o.author} at ${o.createdAt}` },
      { label: 'Content', value: o.content ? 'transferred' : 'skipped (--no-content)' },
      {
        label: 'Catalogue',
        value: o.catalogue
          ? o.catalogue.fromRealTarget
            ? `from the real target (${o.catalogue.templates} templates, ${o.catalogue.plans} plans)`
            : `catalogue not from the real target: ${o.catalogue.problem ?? 'unreachable'}`
          : 'unknown',
      },
      {
        label: 'Objects',
        value: o.objects
          ? `${o.objects.migrated} of ${o.objects.total} migrated, ${o.objects.failed} failed`
          : 'none',
      },
      {
        label: 'Signed off',
        value: o.signOff
          ? `by ${o.signOff.author} at ${o.signOff.at}${o.signOff.comment ? `: ${o.signOff.comment}` : ''}`
          : 'not yet',
      },
      ...(o.error ? [{ label: 'Error', value: o.error }] : []),
    ],
    charts: create
      ? [
          {
            title: 'Would create, per kind',
            bars: CREATE_LABELS.filter(([k]) => k !== 'bytes').map(([k, label]) => ({
              label,
              value: create[k],
              color: '#1c7ed6',
            })),
          },
          {
            title: 'Problems',
            bars: [
              { label: 'Failures', value: o.failures?.length ?? 0, color: '#e03131' },
              { label: 'Cannot be carried', value: o.cannotCarry?.length ?? 0, color: '#f08c00' },
            ],
          },
        ]
      : [],
    sections,
    // One row per object the run would create, then one per failure and not-carried item.
    csv: {
      title: 'Rehearsal',
      columns: ['status', 'kind', 'object', 'owner', 'detail'],
      rows: [
        ...o.holdings.map((h) => ['create', h.kind, h.name, h.owner ?? '', fieldText(h.fields)]),
        ...(o.failures ?? []).map((i) => ['failed', i.kind, i.object, '', `${i.step}: ${i.message}`]),
        ...(o.cannotCarry ?? []).map((i) => [
          'cannot carry',
          i.kind,
          i.object,
          '',
          `${i.step}: ${i.message}`,
        ]),
      ],
    },
  };
}

/** The JSON export: the whole outcome, with the diff when there is one. */
export function rehearsalJson(o: RehearsalOutcome, diff: RehearsalDiff | null): string {
  return `${JSON.stringify({ ...o, ...(diff ? { diff } : {}) }, null, 2)}\n`;
}
