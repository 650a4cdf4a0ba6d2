/**
 * `mm migrate --rehearse` runs the production plan against a throwaway sandbox in the foreground
 * (progress on stderr) and prints what the real run would create; exits 0 only when every
 * object of the rehearsal migrated. `mm rehearsal list|show|diff|signoff|export|status|policy`
 * reads rehearsals, signs one off and sets the project's sign-off policy.
 *
 * `show` and `export` write a rehearsal's objects (~2 million at 10×) as they stream from its
 * holdings.json, piece by piece, to stdout or the file: never one string or array of them all.
 */
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type {
  RehearsalDiff,
  RehearsalOutcome,
  RehearsalRecord,
  SignOffPolicy,
  TargetHolding,
} from '../../../shared/model/rehearsal';
import { MmError } from '../../core/errors';
import { rehearsalJsonPieces } from '../../core/rehearsal/rehearsal-report';
import { type CliContext, EXIT_FAILURE, WRITTEN, action, columnWidths, table } from '../context';

type Pieces = AsyncIterable<readonly TargetHolding[]>;

/** Writes the pieces to a stream as they come, waiting whenever it asks to. */
async function writePieces(out: Writable, pieces: AsyncIterable<string> | Iterable<string>): Promise<void> {
  for await (const piece of pieces) if (piece !== '' && !out.write(piece)) await once(out, 'drain');
}

/** Writes the pieces to a new file (0600), replacing what was there. */
async function writeFilePieces(
  file: string,
  pieces: AsyncIterable<string> | Iterable<string>,
): Promise<void> {
  const fh = await open(file, 'w', 0o600);
  try {
    for await (const piece of pieces) await fh.write(piece);
  } finally {
    await fh.close();
  }
}

/** At most `limit` holdings of the pieces (all of them without a limit); the rest is not read. */
async function* limited(pieces: Pieces, limit: number | undefined): AsyncGenerator<readonly TargetHolding[]> {
  let left = limit ?? Infinity;
  for await (const part of pieces) {
    if (left <= 0) return;
    const kept = part.length <= left ? part : part.slice(0, left);
    left -= kept.length;
    yield kept;
  }
}

function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new MmError(
      'invalid-input',
      `--limit is a whole number of objects, 0 or more, not "${text}"`,
      '--limit',
    );
  return n;
}

export interface RehearseCliOptions {
  readonly content: boolean;
  readonly accounts?: readonly string[];
  readonly domains?: readonly string[];
  readonly concurrency?: number;
}

/** The JSON the issue promises for `mm migrate --rehearse --json`, and a little more. */
export function rehearsalJsonOf(r: RehearsalRecord): unknown {
  return {
    rehearsalId: r.id,
    fingerprint: r.fingerprint,
    state: r.state,
    objects: r.objects ?? { total: 0, migrated: 0, failed: 0 },
    create: r.create ?? null,
    cannotCarry: r.cannotCarry ?? [],
    failures: r.failures ?? [],
    content: r.content,
    catalogue: r.catalogue ?? null,
    wouldDisable: r.wouldDisable ?? [],
    ...(r.signOff ? { signOff: r.signOff } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

function textOf(r: RehearsalRecord): string {
  const lines = [
    `Rehearsal ${r.id} ${r.state}: plan ${r.fingerprint || '(not planned)'}`,
    r.objects
      ? `${r.objects.migrated} of ${r.objects.total} objects migrated into the rehearsal sandbox, ${r.objects.failed} failed.`
      : '',
    r.catalogue && !r.catalogue.fromRealTarget
      ? `Catalogue not from the real target (${r.catalogue.problem ?? 'unreachable'}): the sandbox's own templates and plans were used.`
      : '',
    r.content ? '' : 'Content was not transferred (--no-content).',
  ].filter((l) => l !== '');
  if (r.create) {
    lines.push('The production run would create:');
    lines.push(
      table(
        ['kind', 'count'],
        Object.entries(r.create).map(([k, n]) => [k, String(n)]),
      ),
    );
  }
  for (const c of r.cannotCarry ?? []) lines.push(`  cannot carry: ${c.object}: ${c.step} — ${c.message}`);
  for (const f of r.failures ?? []) lines.push(`  failed: ${f.object}: ${f.step} — ${f.message}`);
  for (const w of r.wouldDisable ?? [])
    lines.push(`  would disable on ${w.serverId}: subscriptions ${w.subscriptionIds.join(' ')}`);
  if (r.error) lines.push(`Error: ${r.error}`);
  if (r.signOff) lines.push(`Signed off by ${r.signOff.author} at ${r.signOff.at}.`);
  else if (r.state === 'done') lines.push(`Sign it off with: mm rehearsal signoff ${r.id}`);
  return lines.join('\n');
}

/** Runs a rehearsal in the foreground; a progress line on stderr. */
export async function runRehearsal(
  ctx: CliContext,
  projectId: string,
  o: RehearseCliOptions,
): Promise<{ json: unknown; text: string }> {
  const tty = process.stderr.isTTY === true;
  const quiet = ctx.options.json && !tty;
  let lastPhase = '';
  const stop = ctx.core.events.subscribe((event, payload) => {
    if (event !== 'rehearsal:progress' || quiet) return;
    const p = payload as { phase: string; summary?: { steps: { done: number; total: number } } };
    const steps = p.summary ? ` ${p.summary.steps.done}/${p.summary.steps.total} steps` : '';
    const line = `rehearsal ${p.phase}${steps}`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else if (p.phase !== lastPhase) process.stderr.write(`${line}\n`);
    lastPhase = p.phase;
  });
  let record: RehearsalRecord;
  try {
    const started = await ctx.core.rehearsals.start(projectId, {
      content: o.content,
      ...(o.accounts ? { accounts: o.accounts } : {}),
      ...(o.domains ? { domains: o.domains } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
    });
    record = await started.done;
  } finally {
    stop();
    if (tty) process.stderr.write('\n');
  }
  if (record.state !== 'done') process.exitCode = EXIT_FAILURE;
  return { json: rehearsalJsonOf(record), text: textOf(record) };
}

function diffText(d: RehearsalDiff): string {
  const c = d.counts;
  const head = d.from
    ? `Rehearsal ${d.to.id} against ${d.from.id}: ${c.added} added, ${c.removed} removed, ${c.changed} changed.`
    : `Rehearsal ${d.to.id}: no earlier rehearsal to compare with (${c.added} objects).`;
  const lines = [head];
  if (d.from && d.from.fingerprint !== d.to.fingerprint)
    lines.push(`Plan fingerprint ${d.from.fingerprint} → ${d.to.fingerprint}`);
  const more = (listed: number, count: number, what: string): void => {
    if (count > listed) lines.push(`  … ${count - listed} more ${what} (the first ${listed} are listed)`);
  };
  if (d.from) {
    for (const h of d.added) lines.push(`  + ${h.kind} ${h.name}`);
    more(d.added.length, c.added, 'added');
    for (const h of d.removed) lines.push(`  - ${h.kind} ${h.name}`);
    more(d.removed.length, c.removed, 'removed');
    for (const ch of d.changed)
      lines.push(
        `  ~ ${ch.kind} ${ch.name}: ${Object.entries(ch.fields)
          .map(([k, [a, b]]) => `${k} ${a} → ${b}`)
          .join('; ')}`,
      );
    more(d.changed.length, c.changed, 'changed');
  }
  for (const p of d.newProblems) lines.push(`  new problem: ${p.object}: ${p.step} — ${p.message}`);
  for (const p of d.goneProblems) lines.push(`  problem gone: ${p.object}: ${p.step} — ${p.message}`);
  return lines.join('\n');
}

/** A holding's row of the text table: kind, object, owner. */
const holdingCells = (h: TargetHolding): string[] => [h.kind, h.name, h.owner ?? ''];

/**
 * `mm rehearsal show` as text, in pieces: the record, the objects per kind, then the objects
 * (every one, or the first --limit: `holdings` is cut already) as they stream by. The columns are as wide as the first piece needs (a
 * longer cell later pushes its row's next cell right: the whole is never held to measure it).
 */
async function* showText(o: RehearsalOutcome, holdings: Pieces): AsyncGenerator<string> {
  yield `${textOf(o)}\n`;
  const kinds = Object.entries(o.holdingCounts.kinds).filter(([, n]) => (n ?? 0) > 0);
  yield `${o.holdingCounts.total} objects in the rehearsal sandbox${kinds.length > 0 ? ':' : '.'}\n`;
  if (kinds.length > 0)
    yield `${table(
      ['kind', 'objects'],
      kinds.map(([k, n]) => [k, String(n)]),
    )}\n`;
  const head = ['kind', 'object', 'owner'];
  let widths: number[] | undefined;
  const line = (cells: readonly string[], w: readonly number[]): string =>
    `${cells
      .map((c, i) => c.padEnd(w[i] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  let shown = 0;
  for await (const part of holdings) {
    if (part.length === 0) continue;
    const rows = part.map(holdingCells);
    if (!widths) {
      // the last column is not padded
      widths = columnWidths(head, rows, 2);
      yield line(head, widths);
    }
    let text = '';
    for (const r of rows) text += line(r, widths);
    shown += part.length;
    yield text;
  }
  if (shown < o.holdingCounts.total)
    yield `… ${o.holdingCounts.total - shown} more objects (every one: mm rehearsal show ${o.id} without --limit, or --json).\n`;
}

/** The pretty JSON `{"fileName": …, "content": "…"}` of an export to stdout, its content written in pieces. */
async function* exportJson(
  fileName: string,
  content: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<string> {
  yield `{\n  "fileName": ${JSON.stringify(fileName)},\n  "content": "`;
  for await (const piece of content) yield JSON.stringify(piece).slice(1, -1);
  yield '"\n}\n';
}

const POLICIES: readonly SignOffPolicy[] = ['required', 'not-required', 'after-first-rehearsal'];

export function registerRehearsalCommands(program: Command): void {
  const r = program
    .command('rehearsal')
    .description('rehearsals of the migration against a throwaway sandbox: list, show, diff, sign off');
  r.command('list')
    .description('every rehearsal of the project, newest first')
    .action(
      action(async (ctx) => {
        const list = await ctx.core.rehearsals.list(await ctx.projectId());
        return {
          json: list.map(rehearsalJsonOf),
          text:
            list.length === 0
              ? 'No rehearsal yet: run one with "mm migrate --rehearse".'
              : table(
                  ['rehearsal', 'state', 'fingerprint', 'objects', 'failures', 'signed off'],
                  list.map((x) => [
                    x.id,
                    x.state,
                    x.fingerprint.slice(0, 16),
                    x.objects ? `${x.objects.migrated}/${x.objects.total}` : '',
                    String(x.failures?.length ?? 0),
                    x.signOff ? `${x.signOff.author} ${x.signOff.at}` : '',
                  ]),
                ),
        };
      }),
    );
  r.command('show [id]')
    .description('one rehearsal (default: the newest): counts, problems, every object it would create')
    .option('--limit <n>', 'list at most n objects (default: every one)')
    .action(
      action(async (ctx, id: string | undefined, opts: { limit?: string }) => {
        const limit = limitOf(opts.limit);
        const projectId = await ctx.projectId();
        const o = await ctx.core.rehearsals.outcome(projectId, id);
        const holdings = limited(await ctx.core.rehearsals.holdings(projectId, o.id), limit);
        // {...record, holdings: [...]} as scripts always read it, written as the holdings stream by
        await writePieces(
          process.stdout,
          ctx.options.json ? rehearsalJsonPieces(o, holdings) : showText(o, holdings),
        );
        return WRITTEN;
      }),
    );
  r.command('diff [id]')
    .description('what changed since the rehearsal before it (or --against another)')
    .option('--against <id>', 'the rehearsal to compare with')
    .action(
      action(async (ctx, id: string | undefined, o: { against?: string }) => {
        const d = await ctx.core.rehearsals.diff(await ctx.projectId(), id, o.against);
        return { json: d, text: diffText(d) };
      }),
    );
  r.command('signoff [id]')
    .description('sign a finished rehearsal off (default: the newest): its plan may then run for real')
    .option('--comment <text>', 'why, or what was checked')
    .option('--author <name>', 'who signs (default: the OS user)')
    .action(
      action(async (ctx, id: string | undefined, o: { comment?: string; author?: string }) => {
        const s = await ctx.core.rehearsals.signOff(await ctx.projectId(), id, o.author, o.comment);
        return {
          json: s,
          text: `Rehearsal ${s.rehearsalId} signed off by ${s.author} at ${s.at}: plan ${s.fingerprint} may run.`,
        };
      }),
    );
  r.command('export [id]')
    .description('the rehearsal as a plan to sign: HTML, CSV or JSON (stdout, or --out)')
    .requiredOption('--format <format>', 'html, csv or json')
    .option('--out <file>', 'write it to this file')
    .action(
      action(async (ctx, id: string | undefined, o: { format: string; out?: string }) => {
        if (o.format !== 'html' && o.format !== 'csv' && o.format !== 'json')
          throw new MmError('invalid-input', `--format is html, csv or json, not "${o.format}"`, '--format');
        // CSV and JSON hold every object: written as the rehearsal's holdings stream by
        const file = await ctx.core.rehearsals.reportStream(await ctx.projectId(), o.format, id);
        if (o.out) {
          await writeFilePieces(o.out, file.pieces);
          return {
            json: { fileName: file.fileName, out: o.out },
            text: `Wrote ${o.out}`,
          };
        }
        await writePieces(
          process.stdout,
          ctx.options.json ? exportJson(file.fileName, file.pieces) : file.pieces,
        );
        return WRITTEN;
      }),
    );
  r.command('status')
    .description("the sign-off policy, the plan's fingerprint now and the sign-off covering it")
    .action(
      action(async (ctx) => {
        const s = await ctx.core.rehearsals.status(await ctx.projectId());
        return {
          json: s,
          text: [
            `Sign-off policy: ${s.policy} (${s.required ? 'a production run needs a sign-off now' : 'no sign-off needed now'}).`,
            `Plan fingerprint now: ${s.fingerprint ?? 'not planned (verification is not current: run mm verify)'}`,
            s.signOff
              ? `Covered by rehearsal ${s.signOff.rehearsalId}, signed off by ${s.signOff.author} at ${s.signOff.at}.`
              : 'No signed-off rehearsal covers it.',
          ].join('\n'),
        };
      }),
    );
  r.command('policy <policy>')
    .description(`whether a production run needs a sign-off: ${POLICIES.join(', ')} (the default)`)
    .action(
      action(async (ctx, policy: string) => {
        if (!POLICIES.includes(policy as SignOffPolicy))
          throw new MmError(
            'invalid-input',
            `The policy is one of ${POLICIES.join(', ')}, not "${policy}"`,
            'policy',
          );
        const set = await ctx.core.rehearsals.setPolicy(await ctx.projectId(), policy as SignOffPolicy);
        return { json: { policy: set }, text: `Sign-off policy: ${set}` };
      }),
    );
}
