import type { Command } from 'commander';
import type { DecisionOutcome } from '../../../shared/model/decision';
import { MmError } from '../../core/errors';
import { action, table } from '../context';
import { findObject } from './resolve-object';

function outcomeText(verb: string, o: DecisionOutcome): string {
  const lines = [`${verb} ${o.decision.id}: ${o.decision.summary}.`];
  lines.push(
    o.reverified
      ? `Re-verified what it touched: ${o.reverified.recomputed} result(s) recomputed, ${o.reverified.changed} changed (${o.reverified.ms} ms).`
      : 'No current verification results to update: run "mm verify".',
  );
  return lines.join('\n');
}

export function registerDecideCommands(program: Command): void {
  const decide = program
    .command('decide')
    .description('resolve verification issues; every decision is recorded and undoable');

  decide
    .command('override <subscription-id>')
    .description('set the subscription\u2019s override state')
    .option('--not-migrated', 'mark it "not migrated" (the override state)')
    .option('--server <name>', 'the source server it is on (when several have that id)')
    .action(
      action(async (ctx, subscriptionId: string, o: { notMigrated?: boolean; server?: string }) => {
        if (!o.notMigrated)
          throw new MmError('usage', 'Say the override state: --not-migrated.', '--not-migrated');
        const projectId = await ctx.projectId();
        const at = await findObject(ctx, projectId, 'subscription', subscriptionId, o.server);
        const r = await ctx.core.decisions.apply(projectId, {
          kind: 'override',
          serverId: at.serverId,
          subscriptionId: at.id,
        });
        return { json: r, text: outcomeText('Recorded', r) };
      }),
    );

  decide
    .command('approve <domain>')
    .description('approve the migration of a domain waiting for manual approval')
    .option('--server <name>', 'the source server it is on (when several have it)')
    .option('--park', 'park it on the target (when the server offers parking)')
    .action(
      action(async (ctx, domain: string, o: { server?: string; park?: boolean }) => {
        const projectId = await ctx.projectId();
        const at = await findObject(ctx, projectId, 'domain', domain, o.server);
        const r = await ctx.core.decisions.apply(projectId, {
          kind: 'approve',
          serverId: at.serverId,
          domainId: at.id,
          park: o.park === true,
        });
        return { json: r, text: outcomeText('Recorded', r) };
      }),
    );

  decide
    .command('unselect <domain>')
    .description('mark a conflicting domain as not selected for migration on this source server')
    .requiredOption('--server <name>', 'the source server to unselect it on')
    .action(
      action(async (ctx, domain: string, o: { server: string }) => {
        const projectId = await ctx.projectId();
        const at = await findObject(ctx, projectId, 'domain', domain, o.server);
        const r = await ctx.core.decisions.apply(projectId, {
          kind: 'unselect',
          serverId: at.serverId,
          domainId: at.id,
        });
        return { json: r, text: outcomeText('Recorded', r) };
      }),
    );

  decide
    .command('undo <decision-id>')
    .description('undo a decision (the undo is recorded too)')
    .action(
      action(async (ctx, decisionId: string) => {
        const r = await ctx.core.decisions.undo(await ctx.projectId(), decisionId);
        return { json: r, text: outcomeText('Undid', r) };
      }),
    );

  decide
    .command('list')
    .description('every decision, newest first')
    .action(
      action(async (ctx) => {
        const list = await ctx.core.decisions.list(await ctx.projectId());
        const text = list.length
          ? table(
              ['ID', 'TIME', 'AUTHOR', 'KIND', 'WHAT', 'UNDONE'],
              list.map((d) => [
                d.id,
                d.time,
                d.author,
                d.input.kind,
                d.summary,
                d.undone ? `${d.undone.time} by ${d.undone.author}` : '',
              ]),
            )
          : 'No decisions yet.';
        return { json: list, text };
      }),
    );
}
