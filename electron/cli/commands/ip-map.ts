/**
 * `mm ip-map list|suggest|set|import|pool` (SPEC R14): the target's IP pool, and which target
 * IP each source IP becomes. Zone records are created with the mapped addresses, and
 * verification warns about dedicated IPs the target ran out of.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { IpMapRow, IpMapView } from '../../../shared/model/ipmap';
import { MmError } from '../../core/errors';
import { action, table } from '../context';

/** "a,b c" → ["a", "b", "c"]; repeatable options add up. */
function addressList(v: string, previous: string[] = []): string[] {
  return [...previous, ...v.split(/[\s,]+/).filter(Boolean)];
}

function how(r: IpMapRow): string {
  if (r.origin === undefined) return 'not mapped';
  if (r.origin !== 'rule') return r.origin === 'manual' ? 'set by hand' : 'imported';
  if (r.exhausted) return 'default: no free dedicated IP';
  return r.rule === 'dedicated'
    ? 'free dedicated IP'
    : r.rule === 'shared'
      ? 'shared IP of its own'
      : 'default';
}

function rowsTable(rows: readonly IpMapRow[]): string {
  if (rows.length === 0) return 'No source IP: fetch an inventory first (mm inventory fetch <server>).';
  return table(
    ['source', 'type', 'servers', 'domains', 'target', 'how'],
    rows.map((r) => [
      r.source,
      r.sourceType,
      r.servers.join(', '),
      String(r.domains),
      r.target ?? '',
      how(r),
    ]),
  );
}

function poolText(v: Pick<IpMapView, 'pool' | 'defaultTarget'>): string {
  const of = (kind: string): string =>
    v.pool
      .filter((p) => p.kind === kind)
      .map((p) => p.address)
      .join(', ') || 'none';
  return `Target pool: shared ${of('shared')}; dedicated ${of('dedicated')}; default ${v.defaultTarget ?? 'the first shared IP'}.`;
}

export function registerIpMapCommands(program: Command): void {
  const ipMap = program
    .command('ip-map')
    .description('map source IPs to target IPs (zone records are rewritten through the table)');

  ipMap
    .command('list')
    .description('every source IP with its target and how it was chosen')
    .action(
      action(async (ctx) => {
        const view = await ctx.core.ipMap.view(await ctx.projectId());
        return { json: view, text: `${poolText(view)}\n${rowsTable(view.rows)}` };
      }),
    );

  ipMap
    .command('pool')
    .description("set the target's IP pool: its shared and dedicated IPs, and the default")
    .option('--shared <ips...>', 'shared IPs of the target (comma or space separated)', addressList)
    .option('--dedicated <ips...>', 'dedicated IPs free for sites that had one of their own', addressList)
    .option('--default <ip>', 'the IP everything else gets (default: the first shared IP)')
    .option('--no-default', 'forget the default')
    .action(
      action(async (ctx, o: { shared?: string[]; dedicated?: string[]; default?: string | false }) => {
        const projectId = await ctx.projectId();
        const before = await ctx.core.ipMap.view(projectId);
        const keep = (kind: string): string[] =>
          before.pool.filter((p) => p.kind === kind).map((p) => p.address);
        const view = await ctx.core.ipMap.setPool(projectId, {
          shared: o.shared ?? keep('shared'),
          dedicated: o.dedicated ?? keep('dedicated'),
          ...(o.default === false
            ? { defaultTarget: null }
            : o.default !== undefined
              ? { defaultTarget: o.default }
              : {}),
        });
        return { json: view, text: `${poolText(view)}\nNext: mm ip-map suggest --apply` };
      }),
    );

  ipMap
    .command('suggest')
    .description('propose targets by the rules (what was set by hand stays); --apply stores them')
    .option('--apply', 'store the proposals')
    .action(
      action(async (ctx, o: { apply?: boolean }) => {
        const r = await ctx.core.ipMap.suggest(await ctx.projectId(), o.apply === true);
        const lines = [rowsTable(r.rows)];
        for (const a of r.exhausted)
          lines.push(
            `Warning: ${a} is dedicated on the source but the target has no free dedicated IP: it gets the default, shared with other sites.`,
          );
        for (const a of r.unmapped)
          lines.push(`Not mapped: ${a} (no target IP of its version in the pool and no default).`);
        lines.push(r.applied ? 'Stored. Verify again: mm verify' : 'Nothing stored: add --apply to keep it.');
        return { json: r, text: lines.join('\n') };
      }),
    );

  ipMap
    .command('set <source> [target]')
    .description('map one source IP to a target IP by hand (--remove forgets it)')
    .option('--remove', 'remove the mapping of <source>')
    .action(
      action(async (ctx, source: string, target: string | undefined, o: { remove?: boolean }) => {
        if ((target === undefined) === (o.remove !== true))
          throw new MmError('usage', 'Give a target IP, or --remove to forget the mapping of the source IP.');
        const view = await ctx.core.ipMap.set(
          await ctx.projectId(),
          source,
          o.remove ? null : (target ?? null),
        );
        const row = view.rows.find((r) => r.source === source.trim());
        return {
          json: view,
          text: o.remove
            ? `Removed the mapping of ${source}.`
            : `Mapped ${row?.source ?? source} to ${row?.target ?? target}.`,
        };
      }),
    );

  ipMap
    .command('import <file>')
    .description('import a two-column file: source IP, target IP per line (comma, semicolon, tab or spaces)')
    .action(
      action(async (ctx, file: string) => {
        const path = resolve(file);
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch (e) {
          throw new MmError('invalid-input', `Cannot read ${path}: ${(e as Error).message}`, file);
        }
        const r = await ctx.core.ipMap.import(await ctx.projectId(), text, basename(path));
        return { json: r, text: `Imported ${r.imported} mapping(s) from ${r.fileName}.` };
      }),
    );
}
