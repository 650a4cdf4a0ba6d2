/**
 * A rehearsal as a plan to sign, in the report shape every report uses (ReportDoc), so the same
 * renderers make its HTML: what the real run would create per kind and per object, what failed
 * and what cannot be carried, the fingerprint, the sign-off, and the diff against the previous
 * rehearsal. At 10× a rehearsal holds ~2 million objects: the HTML lists the first
 * REPORT_HOLDINGS_MAX of them and says how many more the CSV and JSON hold; those two are
 * written in pieces as the holdings stream by (rehearsalCsv, rehearsalJsonPieces), never as one
 * string of the whole.
 */
import type {
  RehearsalDiff,
  RehearsalOutcome,
  RehearsalRecord,
  TargetHolding,
} from '../../../shared/model/rehearsal';
import { csvLine } from '../report/render';
import type { ReportDoc, ReportSection } from '../report/report-doc';

/** The most objects the HTML report lists (the CSV and JSON list every one). */
export const REPORT_HOLDINGS_MAX = 1_000;

type Pieces = AsyncIterable<readonly TargetHolding[]> | Iterable<readonly TargetHolding[]>;

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

/**
 * The name a rehearsal's export is saved under, known before anything is read (a download's
 * save dialog asks for it before the file is opened).
 */
export function rehearsalExportName(projectId: string, id: string, format: 'html' | 'csv' | 'json'): string {
  return `${projectId}-rehearsal-${id}.${format}`;
}

/** The first REPORT_HOLDINGS_MAX holdings of the pieces (the rest is not read). */
export async function headOf(pieces: Pieces, max = REPORT_HOLDINGS_MAX): Promise<TargetHolding[]> {
  const out: TargetHolding[] = [];
  for await (const part of pieces) {
    for (const h of part) {
      if (out.length >= max) return out;
      out.push(h);
    }
  }
  return out;
}

/** The note of the objects section: where the objects beyond the listed ones are. */
function objectsNote(listed: number, total: number, elsewhere: string): string {
  const base =
    'Read back from the rehearsal sandbox after the batch: passwords and ids the target assigns are left out.';
  return listed < total
    ? `${base} The first ${listed} of ${total} objects are listed here; ${total - listed} more are in ${elsewhere}.`
    : base;
}

/**
 * The report of a rehearsal whose first holdings are `head` (at most REPORT_HOLDINGS_MAX): its
 * objects section and CSV table list those; `elsewhere` names where the rest are.
 */
export function rehearsalReport(
  o: RehearsalOutcome,
  head: readonly TargetHolding[],
  diff: RehearsalDiff | null,
  projectName: string,
  elsewhere = 'the CSV and JSON exports',
): ReportDoc {
  const create = o.create;
  const total = o.holdingCounts.total;
  const listed = Math.min(head.length, total);
  const objects: ReportSection = {
    title: 'What the real run would create, object by object',
    note: objectsNote(listed, total, elsewhere),
    columns: ['kind', 'object', 'owner', 'fields'],
    rows: head.slice(0, listed).map((h) => [h.kind, h.name, h.owner ?? '', fieldText(h.fields)]),
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
      note: `${diff.counts.added} added, ${diff.counts.removed} removed, ${diff.counts.changed} changed${
        diff.truncated.added || diff.truncated.removed || diff.truncated.changed
          ? ` (each list shows its first ${Math.max(diff.added.length, diff.removed.length, diff.changed.length)})`
          : ''
      }.`,
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
    // One row per object listed, then one per failure and not-carried item (the streamed CSV,
    // rehearsalCsv, has a row for every object).
    csv: {
      title: 'Rehearsal',
      columns: CSV_COLUMNS,
      rows: [
        ...head.slice(0, listed).map(holdingRow),
        ...(listed < total ? [['more', '', '', '', `${total - listed} more objects: ${elsewhere}`]] : []),
        ...problemRows(o),
      ],
    },
  };
}

const CSV_COLUMNS = ['status', 'kind', 'object', 'owner', 'detail'] as const;

const holdingRow = (h: TargetHolding): string[] => [
  'create',
  h.kind,
  h.name,
  h.owner ?? '',
  fieldText(h.fields),
];

function problemRows(o: RehearsalRecord): string[][] {
  return [
    ...(o.failures ?? []).map((i) => ['failed', i.kind, i.object, '', `${i.step}: ${i.message}`]),
    ...(o.cannotCarry ?? []).map((i) => ['cannot carry', i.kind, i.object, '', `${i.step}: ${i.message}`]),
  ];
}

/** The CSV export in pieces: one row per object the run would create, then one per problem. */
export async function* rehearsalCsv(o: RehearsalRecord, holdings: Pieces): AsyncGenerator<string> {
  yield csvLine(CSV_COLUMNS);
  for await (const part of holdings) {
    let text = '';
    for (const h of part) text += csvLine(holdingRow(h));
    yield text;
  }
  let rest = '';
  for (const row of problemRows(o)) rest += csvLine(row);
  if (rest !== '') yield rest;
}

/**
 * The JSON of a rehearsal in pieces: `{...record, "holdings": [...], ...tail}` (the shape of the
 * outcome with its holdings that `mm rehearsal show --json` and the JSON export always had),
 * every holding on a line of its own; `tail` (the diff) goes after the holdings.
 */
export async function* rehearsalJsonPieces(
  record: RehearsalRecord,
  holdings: Pieces,
  tail: Readonly<Record<string, unknown>> = {},
): AsyncGenerator<string> {
  // The record's own "holdings" (an old bundle's) would be a second key of that name.
  const { holdings: _carried, ...head } = record as RehearsalRecord & { holdings?: unknown };
  const opening = JSON.stringify(head, null, 2);
  yield `${opening.slice(0, opening.lastIndexOf('}')).trimEnd()}${opening === '{}' ? '' : ','}\n  "holdings": [`;
  let first = true;
  for await (const part of holdings) {
    let text = '';
    for (const h of part) {
      text += `${first ? '\n' : ',\n'}    ${JSON.stringify(h)}`;
      first = false;
    }
    if (text !== '') yield text;
  }
  let closing = first ? ']' : '\n  ]';
  for (const [k, v] of Object.entries(tail))
    closing += `,\n  ${JSON.stringify(k)}: ${JSON.stringify(v, null, 2).replace(/\n/g, '\n  ')}`;
  yield `${closing}\n}\n`;
}
