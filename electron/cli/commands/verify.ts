import type { Command } from 'commander';
import { REASONS, STATUSES } from '../../../shared/statuses';
import { MmError } from '../../core/errors';
import { action } from '../context';

/** What `--fail-on` can name, and the statuses each one means. */
const FAIL_ON: Readonly<Record<string, readonly string[]>> = {
  failed: ['verification-failed', 'rejected'],
  approval: ['manual-approval-required'],
};

function failOnStatuses(value: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const word of (value ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)) {
    const statuses = FAIL_ON[word];
    if (!statuses)
      throw new MmError(
        'usage',
        `--fail-on takes failed, approval or both (failed,approval), not "${word}".`,
        '--fail-on',
      );
    for (const s of statuses) out.add(s);
  }
  return out;
}
import { showProgress } from '../progress';

export function registerVerifyCommands(program: Command): void {
  program
    .command('verify')
    .description('verify the selection: every account, domain and subscription with its status and reasons')
    .option('--explain', 'print the fix under each reason')
    .option(
      '--fail-on <what>',
      'exit 1 when results of this kind exist: failed (failed or rejected), approval (waiting for manual approval), or failed,approval',
    )
    .action(
      action(async (ctx, o: { explain?: boolean; failOn?: string }) => {
        const failOn = failOnStatuses(o.failOn);
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
            name: r.name ?? null,
            server: r.serverId,
            account: r.accountId,
            template: r.templateId ?? null,
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
        // For scripts: the results are printed either way; the exit code says whether any matched.
        const matching = results.filter((r) => failOn.has(r.status));
        if (matching.length > 0) {
          process.stderr.write(
            `mm: ${matching.length} result(s) are ${[...new Set(matching.map((r) => r.status))].join(', ')} (--fail-on ${o.failOn ?? ''}).\n`,
          );
          process.exitCode = 1;
        }
        return { json, text: lines.join('\n') };
      }),
    );
}
