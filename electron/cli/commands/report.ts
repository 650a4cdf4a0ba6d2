import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { ReportFormat } from '../../../shared/model/report';
import { action } from '../context';

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('reports: HTML (self-contained, printable) or CSV');
  report
    .command('verification')
    .description('what was verified, with which status, why, and the fix')
    .addOption(new Option('--format <format>', 'html or csv').choices(['html', 'csv']).default('html'))
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      action(async (ctx, o: { format: ReportFormat; out?: string }) => {
        const file = await ctx.core.reports.verification(await ctx.projectId(), o.format);
        if (o.out) {
          await writeFile(o.out, file.content);
          return { json: { file: o.out, bytes: Buffer.byteLength(file.content) }, text: `Wrote ${o.out}.` };
        }
        return { json: file, text: file.content };
      }),
    );
}
