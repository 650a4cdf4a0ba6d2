/**
 * `mm resync [--dry-run] [--domains …] [--json]` (SPEC R13): after a migration, moves only what
 * changed on the source since the last copy (new, changed and removed files; new and removed
 * messages). --dry-run shows what it would move and moves nothing.
 * --json: {"changes": {"files", "messages", "databases", "deleted", "bytes"}, "items", "skipped"}.
 */
import type { Command } from 'commander';
import type { ResyncResult } from '../../../shared/model/cutover';
import { action, table } from '../context';
import { showProgress } from '../progress';

function text(r: ResyncResult): string {
  const c = r.changes;
  const lines = [
    `${r.dryRun ? 'Would move' : 'Moved'}: ${c.files} file(s), ${c.messages} message(s), ${c.databases} database(s), ${c.bytes} bytes; ${r.dryRun ? 'would delete' : 'deleted'} ${c.deleted}.`,
  ];
  if (r.items.length > 0)
    lines.push(
      table(
        ['domain', 'content', 'new', 'changed', 'deleted', 'bytes'],
        r.items.map((i) => [
          i.domain,
          i.content,
          String(i.added.length),
          String(i.changed.length),
          String(i.deleted.length),
          String(i.bytes),
        ]),
      ),
    );
  else lines.push('Nothing changed on the source since the last copy.');
  for (const s of r.skipped) lines.push(`Skipped ${s.content} (${s.domain}): ${s.reason}`);
  return lines.join('\n');
}

export function registerResyncCommands(program: Command): void {
  program
    .command('resync')
    .description('after a migration, move only what changed on the source since the last copy')
    .option('--dry-run', 'show what would move, move nothing')
    .option('--domains <name...>', 'only these domains')
    .option('--batch <job-id>', 'only the content this migration batch copied')
    .action(
      action(async (ctx, o: { dryRun?: boolean; domains?: string[]; batch?: string }) => {
        const projectId = await ctx.projectId();
        const stop = showProgress(ctx.core, ctx.options.json === true);
        try {
          const job = ctx.core.jobs.start(
            o.dryRun ? 'Re-sync (dry run)' : 'Re-sync',
            (j) =>
              ctx.core.resync.run(
                projectId,
                {
                  dryRun: o.dryRun === true,
                  ...(o.domains ? { domains: o.domains } : {}),
                  ...(o.batch ? { batch: o.batch } : {}),
                },
                j,
              ),
            { projectId, subject: 'resync' },
          );
          const r = await job.done;
          return { json: r, text: text(r) };
        } finally {
          stop();
        }
      }),
    );
}
