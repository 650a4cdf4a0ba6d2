/**
 * `mm check [--domains …] [--json]`: the post-migration checks of every migrated domain (or
 * the named ones), source against target; exits 1 when any domain fails. `--web-server` and
 * `--name-server` say where the target's web and name servers are (remembered for the project;
 * a sandbox target says so itself). `mm check show` prints the last stored run again.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CheckRun } from '../../../shared/model/checks';
import { MmError } from '../../core/errors';
import { EXIT_FAILURE, action, table } from '../context';

interface CheckOptions {
  domains?: string[];
  webServer?: string;
  nameServer?: string;
  afterBatch?: string;
}

/** Exactly the JSON of the issue: results, one per domain, five checks each. */
export function checkJson(run: CheckRun): unknown {
  return {
    results: run.domains.map((d) => ({
      domain: d.domain,
      server: d.server,
      status: d.status,
      checks: d.checks.map((c) => ({ kind: c.kind, status: c.status, message: c.message })),
    })),
  };
}

export function checkText(run: CheckRun): string {
  const rows = run.domains.flatMap((d) =>
    d.checks.map((c) => [d.domain, c.kind, c.status, c.message] as const),
  );
  const lines = [
    `Checks of ${run.domains.length} domain(s) at ${run.at}: ${run.counts.pass} passed, ${run.counts.warn} with warnings, ${run.counts.fail} failed.`,
  ];
  if (rows.length) lines.push(table(['domain', 'check', 'status', 'message'], rows));
  const named = run.domains.flatMap((d) =>
    d.checks.flatMap((c) =>
      c.differences.map((x) => `  ${d.domain} ${c.kind} ${x.severity}: ${x.object}: ${x.message}`),
    ),
  );
  if (named.length) lines.push('Differences:', ...named);
  return lines.join('\n');
}

export function registerCheckCommands(program: Command): void {
  const check = program
    .command('check')
    .description(
      'post-migration checks: each migrated domain compared between source and target (exit 1 when one fails)',
    )
    .option('--domains <names...>', 'only these domains')
    .option('--web-server <url>', "the target's web server, asked with each site's Host header (remembered)")
    .option('--name-server <host[:port]>', "the target's name server, asked over UDP (remembered)")
    .option(
      '--after-batch <on|off>',
      'run the checks automatically when a batch ends (remembered; on by default)',
    )
    .action(
      action(async (ctx, o: CheckOptions) => {
        const projectId = await ctx.projectId();
        if (o.afterBatch !== undefined && o.afterBatch !== 'on' && o.afterBatch !== 'off')
          throw new MmError(
            'usage',
            `--after-batch takes on or off, not "${o.afterBatch}".`,
            '--after-batch',
          );
        if (o.webServer !== undefined || o.nameServer !== undefined || o.afterBatch !== undefined)
          await ctx.core.checks.setSettings(projectId, {
            ...(o.webServer !== undefined ? { webServer: o.webServer } : {}),
            ...(o.nameServer !== undefined ? { nameServer: o.nameServer } : {}),
            ...(o.afterBatch !== undefined ? { afterBatch: o.afterBatch === 'on' } : {}),
          });
        const run = await ctx.core.checks.run(projectId, {
          trigger: 'manual',
          ...(o.domains ? { domains: o.domains } : {}),
          ...(ctx.options.json
            ? {}
            : {
                onDomain: (done: number, total: number, domain: string) =>
                  process.stderr.write(`checked ${domain} (${done} of ${total})\n`),
              }),
        });
        if (run.counts.fail > 0) process.exitCode = EXIT_FAILURE;
        return { json: checkJson(run), text: checkText(run) };
      }),
    );
  check
    .command('show')
    .description('the last stored check run')
    .action(
      action(async (ctx) => {
        const run = await ctx.core.checks.latest(await ctx.projectId());
        if (!run)
          return { json: { results: [] }, text: 'No checks have run in this project yet: run mm check.' };
        return { json: checkJson(run), text: checkText(run) };
      }),
    );
  check
    .command('report')
    .description('a stored run (the newest by default) as an HTML or CSV report')
    .requiredOption('--format <format>', 'html or csv')
    .option(
      '--run <id>',
      'the run id (mm check show --json does not print it; the checks.json of the project does)',
    )
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      action(async (ctx, o: { format: string; run?: string; out?: string }) => {
        if (o.format !== 'html' && o.format !== 'csv')
          throw new MmError('usage', `--format takes html or csv, not "${o.format}".`, '--format');
        const file = await ctx.core.checks.report(await ctx.projectId(), o.format, o.run);
        if (!o.out) return { json: file, text: file.content };
        await writeFile(o.out, file.content);
        return { json: { file: o.out, bytes: Buffer.byteLength(file.content) }, text: `Wrote ${o.out}.` };
      }),
    );
}
