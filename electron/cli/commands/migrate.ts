/**
 * `mm migrate` runs a batch in the foreground (progress on stderr; Ctrl-C pauses it at a step
 * boundary) and exits 0 only when every object of the batch migrated and the target holds what
 * was planned. Run again on a project with an unfinished batch, it resumes that batch.
 * `mm jobs …` lists, shows, pauses, resumes, cancels and retries batches.
 */
import type { Command } from 'commander';
import type { JobSummary } from '../../../shared/model/migration';
import { CREATED_KINDS } from '../../../shared/model/migration';
import { MmError } from '../../core/errors';
import { type CliContext, EXIT_FAILURE, action, table } from '../context';
import { runRehearsal } from './rehearse';

interface MigrateOptions {
  concurrency?: string;
  perServer?: string;
  accounts?: string[];
  domains?: string[];
  preview?: boolean;
  services?: boolean;
  rehearse?: boolean;
  content?: boolean;
  force?: string;
}

function toInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new MmError('invalid-input', `--${name} takes a whole number, not "${value}"`, `--${name}`);
  return n;
}

/** The JSON the issue promises, and the reconciliation beside it. */
function jsonOf(s: JobSummary): unknown {
  return {
    jobId: s.jobId,
    state: s.state,
    objects: s.objects,
    created: s.created,
    ...(s.reconciliation ? { reconciliation: s.reconciliation } : {}),
    ...(s.content
      ? { content: { steps: s.content.steps, files: s.content.files, bytes: s.content.bytes } }
      : {}),
    failures: s.failures.map((f) => ({
      kind: f.kind,
      id: f.id,
      server: f.server,
      step: f.step,
      message: f.message,
    })),
  };
}

function textOf(s: JobSummary): string {
  const lines = [
    `Batch ${s.jobId} ${s.state}${s.interrupted ? ' (interrupted: resume it with mm jobs resume)' : ''}: ${s.objects.migrated} of ${s.objects.total} objects migrated, ${s.objects.failed} failed; ${s.steps.done} of ${s.steps.total} steps.`,
  ];
  if (s.reconciliation) {
    lines.push('Read back from the target:');
    lines.push(
      table(
        ['kind', 'found', 'planned', ''],
        CREATED_KINDS.map((k) => {
          const r = s.reconciliation?.[k] ?? { found: 0, planned: 0 };
          return [k, String(r.found), String(r.planned), r.found === r.planned ? 'ok' : 'MISSING'];
        }),
      ),
    );
  }
  for (const f of s.failures)
    lines.push(`  failed: ${f.kind} ${f.server}/${f.id} at ${f.step}: ${f.message}`);
  return lines.join('\n');
}

/** A redrawn progress line on stderr (a line per state change when not a terminal). */
function showBatchProgress(ctx: CliContext): () => void {
  if (ctx.options.json && !process.stderr.isTTY) return () => undefined;
  const tty = process.stderr.isTTY === true;
  let lastState = '';
  return ctx.core.events.subscribe((event, payload) => {
    if (event !== 'migration:progress') return;
    const s = payload as JobSummary;
    const ratio = s.steps.total > 0 ? (s.steps.done + s.steps.failed) / s.steps.total : 0;
    const width = 30;
    const filled = Math.round(ratio * width);
    const eta = s.etaSeconds !== undefined ? `, ETA ${s.etaSeconds}s` : '';
    const readBack = s.readBack ? ` read back ${s.readBack.done}/${s.readBack.total}` : '';
    const c = s.content;
    const mb = (n: number): string => (n / 1048576).toFixed(1);
    const content = c
      ? `, content ${c.steps.done}/${c.steps.total} (${c.files} files, ${mb(c.bytes)} MB${c.bytesPerSecond ? ` at ${mb(c.bytesPerSecond)} MB/s` : ''})`
      : '';
    const line = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${s.state}: ${s.objects.migrated}/${s.objects.total} objects, ${s.steps.done}/${s.steps.total} steps, ${s.objects.failed} failed${content}${eta}${readBack}`;
    if (tty) process.stderr.write(`\r\x1b[2K${line}`);
    else if (s.state !== lastState) process.stderr.write(`${line}\n`);
    lastState = s.state;
  });
}

/** Waits for a batch in the foreground; Ctrl-C asks it to pause at the next step boundary. */
async function foreground(
  ctx: CliContext,
  projectId: string,
  started: { jobId: string; done: Promise<JobSummary> },
): Promise<{ json: unknown; text: string }> {
  const stop = showBatchProgress(ctx);
  const onInt = (): void => {
    process.stderr.write('\nPausing at the next step boundary (resume with: mm migrate)…\n');
    void ctx.core.migration.control(projectId, started.jobId, 'pause').catch(() => undefined);
  };
  process.once('SIGINT', onInt);
  let summary: JobSummary;
  try {
    summary = await started.done;
  } finally {
    process.off('SIGINT', onInt);
    stop();
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
  if (summary.state !== 'done') process.exitCode = EXIT_FAILURE;
  return { json: jsonOf(summary), text: textOf(summary) };
}

export function registerMigrateCommands(program: Command): void {
  program
    .command('migrate')
    .description('migrate the verified selection (or a subset) into the target; resumes an unfinished batch')
    .option('--concurrency <n>', 'steps in flight at once against the target (1-64, default 4)')
    .option('--per-server <n>', 'agent calls in flight at once per source server (default 2)')
    .option('--accounts <id...>', 'only these accounts (and their approved domains)')
    .option('--domains <name...>', 'only these domains (names or ids; their accounts come too)')
    .option('--preview', 'say what the batch would migrate, counted, and do nothing')
    .option('--no-services', 'do not fetch domain services first: migrate with those already fetched')
    .option('--rehearse', 'run the same plan against a throwaway sandbox instead (see mm rehearsal)')
    .option('--no-content', 'with --rehearse: do not transfer content')
    .option(
      '--force <reason>',
      'run although no signed-off rehearsal covers this plan (the reason is recorded)',
    )
    .action(
      action(async (ctx, o: MigrateOptions) => {
        const projectId = await ctx.projectId();
        const subset = {
          ...(o.accounts ? { accounts: o.accounts } : {}),
          ...(o.domains ? { domains: o.domains } : {}),
        };
        if (o.preview) {
          const p = await ctx.core.migration.preview(projectId, subset);
          const kinds = Object.entries(p.perKind)
            .map(([k, n]) => `${n} ${k}`)
            .join(', ');
          const lines = [
            `${p.objects.accounts} account(s) and ${p.objects.domains} domain(s): ${p.steps} steps (${kinds}); ${p.alreadyDone} already done.`,
            ...p.notCarried.map((n) => `  not carried: ${n.object}: ${n.what} — ${n.reason}`),
            ...p.excluded.map((e) => `  excluded: ${e.object} — ${e.reason}`),
          ];
          return { json: p, text: lines.join('\n') };
        }
        const concurrency = toInt(o.concurrency, 'concurrency');
        const perServer = toInt(o.perServer, 'per-server');
        if (o.rehearse)
          return runRehearsal(ctx, projectId, {
            ...subset,
            content: o.content !== false,
            ...(concurrency !== undefined ? { concurrency } : {}),
          });
        const started = await ctx.core.migration.start(projectId, {
          ...subset,
          ...(o.force !== undefined ? { force: o.force } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
          ...(perServer !== undefined ? { perServer } : {}),
          ...(o.services === false ? { services: false } : {}),
        });
        return foreground(ctx, projectId, started);
      }),
    );

  const jobs = program
    .command('jobs')
    .description('migration batches: list, show, pause, resume, cancel, retry');
  jobs
    .command('list')
    .description('every batch of the project, newest first')
    .action(
      action(async (ctx) => {
        const list = await ctx.core.migration.jobs(await ctx.projectId());
        return {
          json: list.map(jsonOf),
          text:
            list.length === 0
              ? 'No migration batch yet: start one with "mm migrate".'
              : table(
                  ['batch', 'state', 'migrated', 'failed', 'total', 'updated'],
                  list.map((s) => [
                    s.jobId,
                    s.interrupted ? 'interrupted' : s.state,
                    String(s.objects.migrated),
                    String(s.objects.failed),
                    String(s.objects.total),
                    s.updatedAt,
                  ]),
                ),
        };
      }),
    );
  jobs
    .command('show <id>')
    .description('one batch: counts, read-back, failures')
    .action(
      action(async (ctx, id: string) => {
        const s = await ctx.core.migration.job(await ctx.projectId(), id);
        return { json: jsonOf(s), text: textOf(s) };
      }),
    );
  for (const verb of ['pause', 'cancel'] as const) {
    jobs
      .command(`${verb} <id>`)
      .description(`${verb} a running batch at its next step boundary (from any process)`)
      .action(
        action(async (ctx, id: string) => {
          const s = await ctx.core.migration.control(await ctx.projectId(), id, verb);
          return { json: jsonOf(s), text: `Asked batch ${s.jobId} to ${verb}.` };
        }),
      );
  }
  jobs
    .command('resume <id>')
    .description('resume a paused or interrupted batch in the foreground')
    .action(
      action(async (ctx, id: string) => {
        const projectId = await ctx.projectId();
        return foreground(ctx, projectId, await ctx.core.migration.resume(projectId, id));
      }),
    );
  jobs
    .command('retry <id>')
    .description("try a batch's failed objects again (each step is looked up on the target first)")
    .action(
      action(async (ctx, id: string) => {
        const projectId = await ctx.projectId();
        return foreground(ctx, projectId, await ctx.core.migration.retry(projectId, id));
      }),
    );
}
