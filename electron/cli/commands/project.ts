import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { projectName } from '../../../shared/contract';
import { DEMO_PROJECT_NAME } from '../../core/core';
import { addDemoSourceServer, ensureDemoProject } from '../../core/demo';
import { MmError } from '../../core/errors';
import { writePiecesTo } from '../../api/downloads';
import { parseStoreUrl } from '../../core/store/postgres-link';
import { moveProjectToPostgres } from '../../core/store/postgres-move';
import { sharedSecrets } from '../../core/secrets/shared-secrets';
import { action, table } from '../context';
import { readDefaultProject, writeDefaultProject } from '../default-project';

export function registerProjectCommands(program: Command): void {
  const project = program.command('project').description('migration projects');

  project
    .command('create <name>')
    .description('create a migration project')
    .option('--description <text>', 'what the project is for', '')
    .option('--store <url>', 'keep it in a shared PostgreSQL database (postgres://user@host:port/db)')
    .action(
      action(async ({ core }, name: string, opts: { description: string; store?: string }) => {
        const parsed = projectName.safeParse(name);
        if (!parsed.success)
          throw new MmError('invalid-input', `name: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'name');
        // A bad --store address is refused before anything is created.
        if (opts.store !== undefined) parseStoreUrl(opts.store);
        const created = await core.projects.create(parsed.data, opts.description);
        if (opts.store !== undefined) {
          await moveProjectToPostgres(core.projects.projectDir(created.id), created.id, opts.store);
          // its creator holds the first copy of the project's key
          await sharedSecrets(core.secrets).shareProject(created.id);
        }
        return { json: created, text: `Created project "${created.name}" (${created.id}).` };
      }),
    );

  project
    .command('list')
    .description('list migration projects (* marks the one used without --project)')
    .action(
      action(async ({ core }) => {
        const all = await core.projects.list();
        const chosen = await readDefaultProject(core.info.dataDir);
        const rows = all.map((p) => [
          p.id === chosen ? '*' : '',
          p.id,
          p.name,
          p.createdAt.slice(0, 16).replace('T', ' '),
          p.review ? 'review copy (read-only)' : p.demo ? 'demo' : '',
          p.problem ?? '',
        ]);
        return {
          json: all.map((p) => ({ ...p, default: p.id === chosen })),
          text:
            all.length === 0
              ? 'No projects yet: "mm project create <name>", or "mm project demo" for the built-in demo.'
              : table(['', 'ID', 'NAME', 'CREATED', 'KIND', 'PROBLEM'], rows),
        };
      }),
    );

  project
    .command('demo')
    .description('create the built-in demo project (what the app makes on its first start)')
    .action(
      action(async ({ core }) => {
        const had = (await core.projects.list()).find((p) => p.demo);
        if (had) return { json: had, text: `The demo project "${had.name}" (${had.id}) is there already.` };
        await ensureDemoProject(core);
        let demo = (await core.projects.list()).find((p) => p.demo);
        // Removed after a first start: made again on request.
        if (!demo) {
          demo = await core.projects.create(
            DEMO_PROJECT_NAME,
            'A rehearsal on the built-in demo source servers and a sandbox target.',
            true,
          );
          await addDemoSourceServer(core, demo.id);
        }
        return {
          json: demo,
          text: `Created the demo project "${demo.name}" (${demo.id}): two source servers, inventories fetched. Give it a target: "mm sandbox start", then "mm target set".`,
        };
      }),
    );

  project
    .command('use <name>')
    .description('work on this project when --project is not given')
    .action(
      action(async ({ core, project: open }, name: string) => {
        // held like any project a command opens (issue 15): a move elsewhere waits for this one
        const p = await open(name);
        await writeDefaultProject(core.info.dataDir, p.id);
        return { json: p, text: `Commands without --project now work on "${p.name}".` };
      }),
    );

  project
    .command('rename <new-name>')
    .description('rename the project (given by --project, or the default one)')
    .action(
      action(async (ctx, newName: string) => {
        const parsed = projectName.safeParse(newName);
        if (!parsed.success)
          throw new MmError(
            'invalid-input',
            parsed.error.issues[0]?.message ?? 'Enter a project name.',
            'name',
          );
        const renamed = await ctx.core.projects.rename(await ctx.projectId(), parsed.data);
        return { json: renamed, text: `Renamed the project to "${renamed.name}".` };
      }),
    );

  project
    .command('delete <name>')
    .description(
      'delete a project with everything in it (inventories, decisions, results, log, its passwords)',
    )
    .option('--yes', 'really delete it (without it nothing is deleted)')
    .action(
      action(async ({ core, project: open }, name: string, o: { yes?: boolean }) => {
        const p = await open(name);
        if (!o.yes)
          throw new MmError(
            'usage',
            `This deletes "${p.name}" with everything in it, for good: add --yes to do it.`,
            '--yes',
          );
        await core.projects.remove(p.id);
        await core.secrets.deletePrefix(`project/${p.id}/`);
        if ((await readDefaultProject(core.info.dataDir)) === p.id)
          await writeDefaultProject(core.info.dataDir, undefined);
        return { json: { removed: p.id }, text: `Deleted the project "${p.name}".` };
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

export function registerReviewCommands(program: Command): void {
  const project = program.commands.find((c) => c.name() === 'project');
  if (!project) throw new Error('register the project commands first');

  project
    .command('export <file>')
    .description('write a review bundle: everything a reviewer needs offline, no secrets')
    .action(
      action(async (ctx, file: string) => {
        // Written as it is made (a temporary file renamed at the end), never whole in memory.
        const bundle = await ctx.core.review.exportFile(await ctx.projectId());
        await writePiecesTo(file, bundle.pieces);
        const bytes = (await stat(file)).size;
        return {
          json: { file, bytes },
          text: `Wrote ${file} (${(bytes / 1024).toFixed(0)} KB).`,
        };
      }),
    );

  project
    .command('open <file>')
    .description('open a review bundle as a read-only project (no source or target reachable)')
    .action(
      action(async (ctx, file: string) => {
        // Read as it is gunzipped, never whole.
        const opened = await ctx.core.review.openBundle({ path: file }, basename(file));
        // The copy is what the reviewer works on next: it becomes the default project.
        await writeDefaultProject(ctx.core.info.dataDir, opened.id);
        return {
          json: opened,
          text: `Opened ${file} as "${opened.name}" (read-only review copy); commands without --project now work on it ("mm project use <name>" switches back).`,
        };
      }),
    );

  project
    .command('merge-comments <file>')
    .description("merge a reviewer's comments from a bundle exported back from a review copy")
    .action(
      action(async (ctx, file: string) => {
        const r = await ctx.core.review.mergeComments(await ctx.projectId(), { path: file }, basename(file));
        return { json: r, text: `Merged ${r.added} new comments (${r.total} in the bundle).` };
      }),
    );

  const review = program.command('review').description('review comments on objects');
  review
    .command('comment <kind> <id> <text>')
    .description('comment on an object (account, domain, subscription, template, server or project)')
    .option('--server <name>', 'the source server the object is on')
    .action(
      action(async (ctx, kind: string, id: string, text: string, o: { server?: string }) => {
        const kinds = ['project', 'account', 'domain', 'subscription', 'template', 'server'] as const;
        const k = kinds.find((x) => x === kind);
        if (!k) throw new MmError('usage', `<kind> is one of ${kinds.join(', ')}.`, kind);
        const c = await ctx.core.review.comment(
          await ctx.projectId(),
          { kind: k, id, ...(o.server ? { serverId: o.server } : {}) },
          text,
        );
        return { json: c, text: `Commented on ${kind} ${id}.` };
      }),
    );
  review
    .command('comments')
    .description('list the review comments')
    .action(
      action(async (ctx) => {
        const all = await ctx.core.review.comments.list(await ctx.projectId());
        return {
          json: all,
          text: all.length
            ? table(
                ['TIME', 'AUTHOR', 'ABOUT', 'COMMENT'],
                all.map((c) => [
                  c.time.slice(0, 16).replace('T', ' '),
                  c.author,
                  `${c.about.kind} ${c.about.id}${c.about.serverId ? ` @${c.about.serverId}` : ''}`,
                  c.text,
                ]),
              )
            : 'No comments.',
        };
      }),
    );
}
