import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { MappingBulkResult } from '../../../shared/contract';
import {
  type MappingInput,
  type TemplateClass,
  TEMPLATE_CLASSES,
  type TldMapping,
  mappingInputSchema,
} from '../../../shared/model/mapping';
import { MmError } from '../../core/errors';
import { action, table } from '../context';

interface SetOptions {
  class: TemplateClass;
  poaTemplate?: number;
  pbaPlan?: number;
  tld?: TldMapping[];
}

const positiveInt =
  (what: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${what} is a positive whole number`);
    return n;
  };

/** --tld .com=201:enom (repeatable): a TLD, its PBA plan id and its registrar type. */
function tldOption(v: string, previous: TldMapping[] = []): TldMapping[] {
  const m = /^(\.[^=\s]+)=(\d+):(\S+)$/.exec(v.trim());
  if (!m)
    throw new InvalidArgumentError('write a TLD as <.tld>=<plan-id>:<registrar-type>, e.g. .com=201:enom');
  return [
    ...previous,
    { tld: (m[1] ?? '').toLowerCase(), pbaPlanId: Number(m[2]), registrarType: m[3] ?? '' },
  ];
}

function describeMapping(
  m: Omit<MappingInput, 'serverId' | 'templateId'> | undefined,
): [string, string, string, string] {
  if (!m) return ['', '', '', ''];
  return [
    m.class,
    m.poaTemplateId !== undefined ? String(m.poaTemplateId) : '',
    m.pbaPlanId !== undefined ? String(m.pbaPlanId) : '',
    (m.tlds ?? []).map((t) => `${t.tld}=${t.pbaPlanId}:${t.registrarType}`).join(' '),
  ];
}

function bulkText(verb: string, r: MappingBulkResult): string {
  const lines = [`${verb} ${r.applied.length} mapping(s).`];
  for (const f of r.failed) lines.push(`Not stored: ${f.serverId} ${f.templateId}: ${f.message}`);
  if (r.reverified) lines.push(`Re-verified: ${r.reverified.changed} result(s) changed.`);
  return lines.join('\n');
}

export function registerMappingCommands(program: Command): void {
  const mapping = program
    .command('mapping')
    .description('map external service templates to POA templates and PBA plans');

  mapping
    .command('set <server> <template-id>')
    .description('classify a template and map it (checked against the target when it answers)')
    .addOption(
      new Option('--class <class>', 'template class').choices(TEMPLATE_CLASSES).makeOptionMandatory(),
    )
    .option('--poa-template <id>', 'POA service template (hosting)', positiveInt('the POA template id'))
    .option('--pba-plan <id>', 'PBA service plan (hosting, resource)', positiveInt('the PBA plan id'))
    .option(
      '--tld <.tld=plan-id:registrar-type...>',
      'registration: a PBA plan and registrar type per TLD (repeatable)',
      tldOption,
    )
    .action(
      action(async (ctx, server: string, templateId: string, o: SetOptions) => {
        const parsed = mappingInputSchema.safeParse({
          serverId: server,
          templateId,
          class: o.class,
          ...(o.poaTemplate !== undefined ? { poaTemplateId: o.poaTemplate } : {}),
          ...(o.pbaPlan !== undefined ? { pbaPlanId: o.pbaPlan } : {}),
          ...(o.tld ? { tlds: o.tld } : {}),
        });
        if (!parsed.success) throw new MmError('usage', parsed.error.issues[0]?.message ?? 'invalid mapping');
        const r = await ctx.core.decisions.setMapping(await ctx.projectId(), parsed.data);
        const [cls, poa, pba, tlds] = describeMapping(r.mapping);
        const lines = [
          `Mapped ${r.mapping.templateId} on ${r.mapping.serverId} as ${cls}${poa ? `, POA template ${poa}` : ''}${pba ? `, PBA plan ${pba}` : ''}${tlds ? `, ${tlds}` : ''}.`,
          r.mapping.check === 'verified'
            ? 'Checked against the target.'
            : `Unverified: ${r.mapping.checkNote ?? 'the target did not answer'}.`,
        ];
        if (r.decision)
          lines.push(`Recorded as decision ${r.decision.id} (undo with "mm decide undo ${r.decision.id}").`);
        if (r.reverified)
          lines.push(`Re-verified ${r.reverified.recomputed} result(s), ${r.reverified.changed} changed.`);
        return { json: r, text: lines.join('\n') };
      }),
    );

  mapping
    .command('remove <server> <template-id>')
    .description('forget the mapping of a template')
    .action(
      action(async (ctx, server: string, templateId: string) => {
        const projectId = await ctx.projectId();
        const s = await ctx.core.servers.get(projectId, server);
        const before = await ctx.core.mapping.put(projectId, s.id, templateId, null);
        return {
          json: { removed: before !== null },
          text: before ? `Removed the mapping of ${templateId}.` : `${templateId} was not mapped.`,
        };
      }),
    );

  mapping
    .command('list')
    .description('every external service template with its mapping')
    .option('--server <name>', 'only this source server')
    .action(
      action(async (ctx, o: { server?: string }) => {
        const rows = await ctx.core.mapping.rows(await ctx.projectId(), o.server);
        const text = rows.length
          ? table(
              [
                'SERVER',
                'TEMPLATE',
                'NAME',
                'VIRTUAL',
                'SUBS',
                'STATE',
                'CLASS',
                'POA',
                'PBA',
                'TLDS',
                'CHECK',
                'MISSING',
              ],
              rows.map((r) => [
                r.serverId,
                r.templateId,
                r.templateName,
                r.virtual ? 'yes' : '',
                String(r.subscriptions),
                r.state,
                ...describeMapping(r.mapping),
                r.mapping?.check ?? '',
                r.missing.join(', '),
              ]),
            )
          : 'No templates: fetch an inventory first.';
        return { json: rows, text };
      }),
    );

  mapping
    .command('suggest')
    .description('propose mappings by name and resources for unmapped templates (--apply stores them)')
    .option('--server <name>', 'only this source server')
    .option('--apply', 'store the proposals (the engineer\u2019s confirmation)')
    .action(
      action(async (ctx, o: { server?: string; apply?: boolean }) => {
        const projectId = await ctx.projectId();
        const s = await ctx.core.mapping.suggest(projectId, o.server);
        const lines = s.suggestions.map((x) => {
          const [cls, poa, pba, tlds] = describeMapping(x.input);
          return `${x.input.serverId} ${x.input.templateId} "${x.templateName}" → ${cls}${poa ? ` POA ${poa}` : ''}${pba ? ` PBA ${pba}` : ''}${tlds ? ` ${tlds}` : ''} (confidence ${Math.round(x.confidence * 100)}%)\n    ${x.why.join('\n    ')}`;
        });
        if (!s.targetReachable)
          lines.unshift(
            `The target did not answer (${s.targetError ?? 'unknown'}): proposals have classes only.`,
          );
        if (s.suggestions.length === 0) lines.push('Every template is mapped already.');
        if (!o.apply) {
          if (s.suggestions.length > 0)
            lines.push('Nothing stored: run "mm mapping suggest --apply" to accept these.');
          return { json: s, text: lines.join('\n') };
        }
        const applied = await ctx.core.decisions.setMappings(
          projectId,
          s.suggestions.map((x) => x.input),
        );
        // What suggestions could not complete, and the command that completes each.
        const open = (await ctx.core.mapping.rows(projectId, o.server)).filter((r) => r.state !== 'complete');
        const todo = open.map(
          (r) =>
            `  ${r.serverId} ${r.templateId} "${r.templateName}": ${r.state}${r.missing.length > 0 ? `, needs ${r.missing.join(', ')}` : ''}\n    mm mapping set "${r.serverId}" ${r.templateId} --class ${r.mapping?.class ?? '<hosting|registration|hosting+registration|resource>'} …`,
        );
        const rest =
          todo.length === 0
            ? 'Every template is mapped completely.'
            : `${todo.length} template(s) still need a mapping by hand:\n${todo.join('\n')}`;
        return {
          json: { ...s, applied, incomplete: open },
          text: `${lines.join('\n')}\n${bulkText('Stored', applied)}\n${rest}`,
        };
      }),
    );

  mapping
    .command('export <file>')
    .description('write the mapping to a JSON file')
    .action(
      action(async (ctx, file: string) => {
        const content = await ctx.core.mapping.exportJson(await ctx.projectId());
        await writeFile(resolve(file), content);
        const count = (JSON.parse(content) as { mappings: unknown[] }).mappings.length;
        return {
          json: { file: resolve(file), mappings: count },
          text: `Wrote ${count} mapping(s) to ${file}.`,
        };
      }),
    );

  mapping
    .command('import <file>')
    .description('read mappings from a JSON file written by "mm mapping export"')
    .action(
      action(async (ctx, file: string) => {
        const projectId = await ctx.projectId();
        const inputs = ctx.core.mapping.parseExport(await readFile(resolve(file), 'utf8'));
        const r = await ctx.core.decisions.setMappings(projectId, inputs);
        if (r.applied.length === 0 && r.failed.length > 0)
          throw new MmError('mapping-import-failed', bulkText('Imported', r), file);
        return { json: r, text: bulkText('Imported', r) };
      }),
    );
}
