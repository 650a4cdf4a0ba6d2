/**
 * `mm dns-sheet [--html|--csv] [--out file] [--domains …] [--no-live] [--json]` (SPEC R14):
 * per domain, when to lower the TTL and to what, what to switch at the registrar or on the old
 * name servers, and whether the target answers the zone now.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { DnsSheet } from '../../../shared/model/cutover';
import { dnsSheetFile } from '../../core/cutover/dns-sheet-report';
import { duration } from '../../core/cutover/dns-sheet';
import { MmError } from '../../core/errors';
import { action, table } from '../context';

interface SheetOptions {
  readonly html?: boolean;
  readonly csv?: boolean;
  readonly out?: string;
  readonly domains?: string[];
  readonly live: boolean;
}

function text(sheet: DnsSheet): string {
  if (sheet.domains.length === 0)
    return 'No selected domain with a source zone: select domains and fetch their services (mm inventory services <server>).';
  const lines = [
    table(
      ['domain', 'old TTL', 'lower to', 'wait before switch', 'records to change', 'target answers'],
      sheet.domains.map((d) => [
        d.domain,
        duration(d.oldTtl),
        d.lowerTtlNeeded ? `${d.lowerTtlTo} s` : '-',
        d.lowerTtlNeeded ? duration(d.waitBeforeSwitch) : '-',
        String(d.recordChanges.length),
        `${d.live.status} (${d.live.message})`,
      ]),
    ),
  ];
  for (const d of sheet.domains) {
    lines.push('', `${d.domain} (${d.server})`);
    d.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`));
  }
  lines.push('', sheet.liveCheckNote);
  return lines.join('\n');
}

export function registerDnsSheetCommands(program: Command): void {
  program
    .command('dns-sheet')
    .description(
      'the DNS switch sheet: per domain, TTL to lower and when, what to switch, and whether the target answers',
    )
    .option('--html', 'print (or --out) the sheet as self-contained HTML')
    .option('--csv', 'print (or --out) the sheet as CSV, one row per domain')
    .option('--out <file>', 'write the HTML or CSV to this file')
    .option('--domains <name...>', 'only these domains')
    .option('--no-live', 'do not ask the target whether it answers the zones')
    .action(
      action(async (ctx, o: SheetOptions) => {
        if (o.html && o.csv) throw new MmError('usage', 'Choose --html or --csv, not both.');
        if (o.out && !o.html && !o.csv) throw new MmError('usage', '--out needs --html or --csv.');
        const projectId = await ctx.projectId();
        const sheet = await ctx.core.dnsSheet.sheet(projectId, {
          live: o.live,
          ...(o.domains ? { domains: o.domains } : {}),
        });
        if (!o.html && !o.csv) return { json: sheet, text: text(sheet) };
        const project = await ctx.core.projects.read(projectId);
        const file = dnsSheetFile(sheet, project.name, o.html ? 'html' : 'csv');
        if (!o.out) return { json: file, text: file.content };
        await writeFile(o.out, file.content);
        return { json: { file: o.out, bytes: Buffer.byteLength(file.content) }, text: `Wrote ${o.out}.` };
      }),
    );
}
