import type { Command } from 'commander';
import { REASONS, STATUSES } from '../../../shared/statuses';
import { action } from '../context';
import { showProgress } from '../progress';

export function registerVerifyCommands(program: Command): void {
  program
    .command('verify')
    .description('verify the selection: every account, domain and subscription with its status and reasons')
    .option('--explain', 'print the fix under each reason')
    .action(
      action(async (ctx, o: { explain?: boolean }) => {
        const projectId = await ctx.projectId();
        const stop = showProgress(ctx.core, ctx.options.json);
        let info;
        try {
          info = await ctx.core.jobs.start(
            'Verification',
            (job) => ctx.core.verification.run(projectId, job),
            {
              projectId,
              subject: 'verification',
            },
          ).done;
        } finally {
          stop();
        }
        const results = await ctx.core.verification.all(projectId);
        const json = {
          results: results.map((r) => ({
            kind: r.kind,
            id: r.id,
            server: r.serverId,
            status: r.status,
            reasons: r.reasons.map((x) => ({ code: x.code, message: x.message })),
          })),
        };
        const summary = await ctx.core.verification.summary(projectId);
        const counts = (['account', 'domain', 'subscription'] as const)
          .map(
            (k) =>
              `${k}s: ${
                Object.entries(summary.counts[k])
                  .map(([s, n]) => `${n} ${s}`)
                  .join(', ') || 'none'
              }`,
          )
          .join('; ');
        const lines = [`Verified ${info.total} object(s) in ${info.ms} ms. ${counts}.`];
        if (results.length === 0)
          lines.push('Nothing is selected: select accounts or domains with "mm select".');
        for (const r of results) {
          const label = (STATUSES[r.kind] as Record<string, { label: string }>)[r.status]?.label ?? r.status;
          lines.push(
            `${r.kind} ${r.serverId}/${r.id}${r.name && r.name !== r.id ? ` (${r.name})` : ''}: ${r.status} — ${label}`,
          );
          for (const x of r.reasons) {
            lines.push(`  - ${x.code} [${x.severity}]: ${x.message}`);
            if (o.explain) lines.push(`    fix: ${REASONS[x.code].fix}`);
          }
        }
        return { json, text: lines.join('\n') };
      }),
    );
}
