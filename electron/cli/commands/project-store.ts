/**
 * `mm project move` and `mm project attach`: a project shared on PostgreSQL (issue 15). `mm
 * project create --store` (project.ts) creates the project and moves it at once.
 */
import type { Command } from 'commander';
import { MmError } from '../../core/errors';
import { sharedSecrets } from '../../core/secrets/shared-secrets';
import { attachSharedProject, moveProjectToPostgres } from '../../core/store/postgres-move';
import { action } from '../context';

export function registerProjectStoreCommands(program: Command): void {
  const project = program.commands.find((c) => c.name() === 'project');
  if (!project) throw new MmError('usage', 'the project command must be registered first');

  project
    .command('move')
    .description(
      'move the project into a PostgreSQL database shared by a team (password: PGPASSWORD or ~/.pgpass)',
    )
    .requiredOption('--store <url>', 'postgres://user@host:port/database')
    .action(
      action(async (ctx, opts: { store: string }) => {
        const id = await ctx.projectId();
        const moved = await moveProjectToPostgres(ctx.core.projects.projectDir(id), id, opts.store);
        // the project's key made, this data dir's credentials of the project sealed into the database
        await sharedSecrets(ctx.core.secrets).shareProject(id);
        return {
          json: moved,
          text: `Moved project ${id} to ${moved.store}: ${moved.documents} documents, ${moved.journalEntries} journal and log entries, ${moved.files} other files (the files are kept in ${moved.setAside}).`,
        };
      }),
    );

  project
    .command('attach <id>')
    .description('open a project shared on PostgreSQL in this data dir')
    .requiredOption('--store <url>', 'postgres://user@host:port/database')
    .action(
      action(async (ctx, id: string, opts: { store: string }) => {
        const dir = await attachSharedProject(ctx.core.projects.projectsDir, id, opts.store);
        return { json: { projectId: id, dir }, text: `Attached shared project ${id} (${dir}).` };
      }),
    );
}
