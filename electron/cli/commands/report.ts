import { stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { ReportFormat } from '../../../shared/model/report';
import { writePiecesTo } from '../../api/downloads';
import { type ReportPieces, whole } from '../../core/report/report-doc';
import { action } from '../context';

interface ReportOptions {
  readonly format: ReportFormat;
  readonly out?: string;
}

/** Writes the report to --out in pieces as it is rendered, or prints it. */
async function deliver(
  report: ReportPieces,
  out: string | undefined,
): Promise<{ json: unknown; text: string }> {
  if (out) {
    await writePiecesTo(out, report.pieces);
    return { json: { file: out, bytes: (await stat(out)).size }, text: `Wrote ${out}.` };
  }
  const file = whole(report);
  return { json: file, text: file.content };
}

const formatOption = (): Option =>
  new Option('--format <format>', 'html or csv').choices(['html', 'csv']).default('html');

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('reports: HTML (self-contained, printable) or CSV');
  report
    .command('verification')
    .description('what was verified, with which status, why, and the fix')
    .addOption(formatOption())
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      action(async (ctx, o: ReportOptions) =>
        deliver(await ctx.core.reports.verificationPieces(await ctx.projectId(), o.format), o.out),
      ),
    );
  report
    .command('migration')
    .description(
      'one batch (the newest unless --job): what was created with its target ids, what failed and why, what was not carried, the read-back',
    )
    .addOption(formatOption())
    .option('--job <id>', 'the batch (its id or the start of it); the newest when left out')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      action(async (ctx, o: ReportOptions & { job?: string }) =>
        deliver(await ctx.core.reports.migrationPieces(await ctx.projectId(), o.format, o.job), o.out),
      ),
    );
}
