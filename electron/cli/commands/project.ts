import type { Command } from 'commander';
import { projectName } from '../../../shared/contract';
import { MmError } from '../../core/errors';
import { action, table } from '../context';

export function registerProjectCommands(program: Command): void {
  const project = program.command('project').description('migration projects');

  project
    .command('create <name>')
    .description('create a migration project')
    .option('--description <text>', 'what the project is for', '')
    .action(
      action(async ({ core }, name: string, opts: { description: string }) => {
        const parsed = projectName.safeParse(name);
        if (!parsed.success)
          throw new MmError('invalid-input', `name: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'name');
        const created = await core.projects.create(parsed.data, opts.description);
        return { json: created, text: `Created project "${created.name}" (${created.id}).` };
      }),
    );

  project
    .command('list')
    .description('list migration projects')
    .action(
      action(async ({ core }) => {
        const all = await core.projects.list();
        const rows = all.map((p) => [
          p.id,
          p.name,
          p.createdAt.slice(0, 19).replace('T', ' '),
          p.problem ?? '',
        ]);
        return {
          json: all,
          text: all.length === 0 ? 'No projects yet.' : table(['ID', 'NAME', 'CREATED', 'PROBLEM'], rows),
        };
      }),
    );

  project
    .command('show')
    .description('show a project (the one given by --project, or the only one)')
    .action(
      action(async (ctx) => {
        const details = await ctx.core.projects.get(await ctx.projectId());
        const c = details.counts;
        return {
          json: details,
          text: [
            `${details.name} (${details.id})${details.demo ? ' [demo]' : ''}`,
            details.description,
            `created ${details.createdAt}, stored in ${details.dataDir}`,
            `source servers: ${details.serverCount}; accounts ${c.accounts}, domains ${c.domains}, subscriptions ${c.subscriptions}, templates ${c.templates}`,
          ]
            .filter((l) => l !== '')
            .join('\n'),
        };
      }),
    );
}
