import type { Command } from 'commander';
import type { SelectionChange, SelectionView } from '../../../shared/model/verification';
import { type CliContext, action, table } from '../context';

interface SelectOptions {
  server?: string;
  remove?: boolean;
}

function viewText(v: SelectionView): string {
  const counts = table(
    ['SERVER', 'ACCOUNTS', 'DOMAINS'],
    v.servers.map((s) => [s.serverId, `${s.accounts}/${s.totalAccounts}`, `${s.domains}/${s.totalDomains}`]),
  );
  const held = v.held.map(
    (h) =>
      `Kept unselected by decision ${h.decisionId}: ${h.domainId} on ${h.serverId} (undo it with "mm decide undo ${h.decisionId}" to select it).`,
  );
  return [counts, ...held].join('\n');
}

export function registerSelectCommands(program: Command): void {
  const select = program.command('select').description('choose the accounts and domains to migrate');

  const run =
    (mode: 'add' | 'remove' | 'clear', target: SelectionChange['target'], o: SelectOptions) =>
    async (ctx: CliContext): Promise<{ json: unknown; text: string }> => {
      const projectId = await ctx.projectId();
      const serverId = o.server ? (await ctx.core.servers.get(projectId, o.server)).id : undefined;
      const view = await ctx.core.selection.change(projectId, {
        mode: o.remove && mode === 'add' ? 'remove' : mode,
        ...(target ? { target } : {}),
        ...(serverId ? { serverId } : {}),
      });
      return { json: view, text: viewText(view) };
    };

  select
    .command('accounts <id...>')
    .description('select accounts with all their domains (--remove: unselect)')
    .option('--server <name>', 'only on this source server')
    .option('--remove', 'unselect instead')
    .action(
      action(async (ctx, ids: string[], o: SelectOptions) => run('add', { by: 'accounts', ids }, o)(ctx)),
    );

  select
    .command('domains <id...>')
    .description('select domains (by id or name) with their owner accounts (--remove: unselect)')
    .option('--server <name>', 'only on this source server')
    .option('--remove', 'unselect instead')
    .action(
      action(async (ctx, ids: string[], o: SelectOptions) => run('add', { by: 'domains', ids }, o)(ctx)),
    );

  select
    .command('template <template-id>')
    .description('select the accounts and domains of every subscription of a template (--remove: unselect)')
    .option('--server <name>', 'only on this source server')
    .option('--remove', 'unselect instead')
    .action(
      action(async (ctx, templateId: string, o: SelectOptions) =>
        run('add', { by: 'template', templateId }, o)(ctx),
      ),
    );

  select
    .command('all')
    .description('select every account and domain')
    .option('--server <name>', 'only on this source server')
    .action(action(async (ctx, o: SelectOptions) => run('add', { by: 'all' }, o)(ctx)));

  select
    .command('clear')
    .description('select nothing')
    .option('--server <name>', 'only on this source server')
    .action(action(async (ctx, o: SelectOptions) => run('clear', undefined, o)(ctx)));

  select
    .command('show')
    .description('how much is selected per source server')
    .action(
      action(async (ctx) => {
        const view = await ctx.core.selection.get(await ctx.projectId());
        return { json: view, text: viewText(view) };
      }),
    );
}
