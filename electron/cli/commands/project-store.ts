/**
 * `mm project move` and `mm project attach`: a project shared on PostgreSQL (issue 15), moved
 * between databases or back to files (`--store files`). `mm
 * project create --store` (project.ts) creates the project and moves it at once.
 */
import type { Command } from 'commander';
import { MmError } from '../../core/errors';
import { sharedSecrets } from '../../core/secrets/shared-secrets';
import { holdForMove } from '../../core/project/project-lease';
import { credentialsToDataDir } from '../../core/project/project-move';
import { attachSharedProject } from '../../core/store/postgres-move';
import { moveProject, storeTarget } from '../../core/store/project-transfer';
import { action } from '../context';

export function registerProjectStoreCommands(program: Command): void {
  const project = program.commands.find((c) => c.name() === 'project');
  if (!project) throw new MmError('usage', 'the project command must be registered first');

  project
    .command('move')
    .description(
      'move the project to a PostgreSQL database shared by a team, to another one, or back to files (--store files); password: PGPASSWORD or ~/.pgpass',
    )
    .requiredOption('--store <url|files>', 'postgres://user@host:port/database, or files')
    .option('--keep-source', "keep the source database's copy once the target is verified (default: removed)")
    .option('--verbose', 'say each phase on stderr (read, copied, verified, switched, cleaned)')
    .action(
      action(async (ctx, opts: { store: string; keepSource?: boolean; verbose?: boolean }) => {
        // no lease of its own: holdForMove takes it exclusively, which its own would block
        const id = await ctx.projectId({ lease: false });
        const dir = ctx.core.projects.projectDir(id);
        const to = storeTarget(opts.store);
        // an app (or another process) with the project open would go on writing where it was;
        // one opening it during the move waits for it
        const release = await holdForMove(dir, id, 'moved');
        const moved = await moveProject(dir, id, to, {
          ...(opts.keepSource ? { keepSource: true } : {}),
          ...(opts.verbose ? { onPhase: (phase) => process.stderr.write(`move: ${phase}\n`) } : {}),
          beforeUnlink: async (staged) => {
            await credentialsToDataDir(ctx.core, id, staged);
          },
        }).finally(release);
        // the project's key made, this data dir's credentials of the project sealed into the database
        if (to.kind === 'postgres') await sharedSecrets(ctx.core.secrets).shareProject(id);
        const source =
          moved.source === 'set-aside'
            ? `the files are kept in ${moved.setAside ?? ''}`
            : moved.source === 'kept'
              ? `the copy in ${moved.from} is kept`
              : `removed from ${moved.from}`;
        return {
          json: { ...moved, store: moved.to },
          text: `Moved project ${id} to ${moved.to}: ${moved.documents} documents, ${moved.journalEntries} journal and log entries, ${moved.files} other files, read back and compared (${source}).`,
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
