import { resolve } from 'node:path';
import { Argument, type Command } from 'commander';
import type { InventoryKind, InventoryRows } from '../../../shared/model/inventory';
import type { Core } from '../../core/core';
import { MmError } from '../../core/errors';
import { type ServiceCounts, serviceCounts } from '../../core/inventory/domain-services';
import { objectKey } from '../../core/verification/input';
import { action, table } from '../context';
import { showProgress } from '../progress';

const KINDS: readonly InventoryKind[] = ['accounts', 'domains', 'subscriptions', 'templates'];

function rowsTable(r: InventoryRows): string {
  switch (r.kind) {
    case 'accounts':
      return table(
        ['SERVER', 'ID', 'TYPE', 'PARENT', 'COMPANY', 'CONTACT', 'STATUS', 'DOMAINS', 'SUBS'],
        r.rows.map((a) => [
          a.serverId,
          a.id,
          a.type,
          a.parentId ?? '',
          a.company ?? '',
          a.contact ?? '',
          a.status,
          String(a.domains),
          String(a.subscriptions),
        ]),
      );
    case 'domains':
      return table(
        ['SERVER', 'ID', 'NAME', 'ACCOUNT', 'KIND', 'STATUS', 'HOSTING SUB', 'REGISTRATION SUB'],
        r.rows.map((d) => [
          d.serverId,
          d.id,
          d.name,
          d.accountId,
          d.kind,
          d.status,
          d.hostingSubscriptionId ?? '',
          d.registrationSubscriptionId ?? '',
        ]),
      );
    case 'subscriptions':
      return table(
        ['SERVER', 'ID', 'ACCOUNT', 'TEMPLATE', 'STATUS', 'CREATED', 'EXPIRES', 'DOMAINS'],
        r.rows.map((s) => [
          s.serverId,
          s.id,
          s.accountId,
          s.templateName ?? s.templateId,
          s.status,
          s.created ?? '',
          s.expires ?? '',
          String(s.domains),
        ]),
      );
    case 'templates':
      return table(
        ['SERVER', 'ID', 'NAME', 'KIND', 'VIRTUAL', 'RESOURCES', 'SUBS'],
        r.rows.map((t) => [
          t.serverId,
          t.id,
          t.name,
          t.kind ?? '',
          t.virtual ? 'yes' : '',
          String(t.resources),
          String(t.subscriptions),
        ]),
      );
  }
}

/** Per domain (in the order asked), the counts of what its stored services hold. */
async function servicesCounts(
  core: Core,
  projectId: string,
  serverId: string,
  domainIds: readonly string[],
): Promise<Record<string, ServiceCounts>> {
  const all = await core.domainServices.services(projectId);
  const out: Record<string, ServiceCounts> = {};
  for (const id of domainIds) {
    const s = all.get(objectKey(serverId, id));
    if (s) out[id] = serviceCounts(s);
  }
  return out;
}

export function registerInventoryCommands(program: Command): void {
  const inventory = program.command('inventory').description('what the source servers hold');

  inventory
    .command('fetch <server>')
    .description('run hostingPlatformInfo on the server (deploying the agent if needed) and store the result')
    .action(
      action(async (ctx, server: string) => {
        const projectId = await ctx.projectId();
        const stop = showProgress(ctx.core, false);
        try {
          const job = ctx.core.jobs.start(
            `Inventory of ${server}`,
            (j) => ctx.core.inventory.fetch(projectId, server, j),
            {
              projectId,
              subject: server,
            },
          );
          const r = await job.done;
          const s = r.summary;
          return {
            json: r,
            text: `${r.deployed ? 'Deployed the agent. ' : ''}Stored the inventory of ${r.server.name}: ${s.accounts} accounts, ${s.domains} domains, ${s.subscriptions} subscriptions, ${s.templates} templates (${s.platform}).`,
          };
        } finally {
          stop();
        }
      }),
    );

  inventory
    .command('import <server> <file>')
    .description('import hostingPlatformInfo output obtained some other way (e.g. sent by the source admin)')
    .option('--max-size <MB>', 'the size limit for this document, in MB (default 128)')
    .action(
      action(async (ctx, server: string, file: string, opts: { maxSize?: string }) => {
        const maxMb = opts.maxSize === undefined ? undefined : Number(opts.maxSize);
        if (maxMb !== undefined && !(Number.isFinite(maxMb) && maxMb > 0))
          throw new MmError(
            'usage',
            `--max-size must be a number of MB above 0, not "${opts.maxSize}".`,
            '--max-size',
          );
        const r = await ctx.core.inventory.importFile(
          await ctx.projectId(),
          server,
          resolve(file),
          maxMb === undefined ? {} : { maxBytes: Math.round(maxMb * 1048576) },
        );
        const s = r.summary;
        return {
          json: r,
          text: `Imported ${file} for ${r.server.name}: ${s.accounts} accounts, ${s.domains} domains, ${s.subscriptions} subscriptions, ${s.templates} templates.`,
        };
      }),
    );

  inventory
    .command('refresh <server>')
    .description('refresh some accounts/domains with accountsInfo/domainsInfo ("allow update information")')
    .option('--accounts <ids...>', 'account ids')
    .option('--domains <ids...>', 'domain ids')
    .action(
      action(async (ctx, server: string, o: { accounts?: string[]; domains?: string[] }) => {
        if (!o.accounts && !o.domains)
          throw new MmError('usage', 'Say what to refresh: --accounts <ids…> and/or --domains <ids…>.');
        const projectId = await ctx.projectId();
        const r = await ctx.core.inventory.refresh(projectId, server, {
          ...(o.accounts ? { accountIds: o.accounts } : {}),
          ...(o.domains ? { domainIds: o.domains } : {}),
        });
        return {
          json: r,
          text: `Refreshed ${r.updated} objects.${r.notFound.length ? ` Not on the source any more: ${r.notFound.join(', ')}` : ''}`,
        };
      }),
    );

  inventory
    .command('services <server>')
    .description(
      'run domainServicesInfo for the selected domains (or --domains): keep their services for the migration and what verification warns about',
    )
    .option('--domains <ids...>', 'domain ids (default: the domains selected on that server)')
    .action(
      action(async (ctx, serverRef: string, o: { domains?: string[] }) => {
        const projectId = await ctx.projectId();
        const server = await ctx.core.servers.get(projectId, serverRef);
        const ids = o.domains ?? (await ctx.core.selection.get(projectId)).selected[server.id]?.domains ?? [];
        const stop = showProgress(ctx.core, false);
        try {
          const job = ctx.core.jobs.start(
            `Domain services of ${server.name}`,
            (j) => ctx.core.domainServices.fetch(projectId, server.id, ids, j),
            {
              projectId,
              subject: server.id,
            },
          );
          const r = await job.done;
          const perDomain = await servicesCounts(ctx.core, projectId, server.id, ids);
          const lines = Object.entries(perDomain).map(
            ([id, c]) =>
              `  ${id}: ${c.records} DNS records, ${c.mailboxes} mailboxes, ${c.databases} databases, ${c.ftpUsers} FTP users`,
          );
          return {
            json: { ...r, perDomain },
            text: [
              `Fetched the services of ${r.domains} domains; ${r.warnings} have something to warn about (see mm verify).`,
              ...lines,
            ].join('\n'),
          };
        } finally {
          stop();
        }
      }),
    );

  inventory
    .command('list')
    .description('list accounts, domains, subscriptions or templates')
    .addArgument(new Argument('<kind>', 'what to list').choices(KINDS))
    .option('--server <name>', 'only this source server')
    .action(
      action(async (ctx, kind: InventoryKind, o: { server?: string }) => {
        const rows = await ctx.core.inventory.rows(await ctx.projectId(), kind, o.server);
        return {
          json: rows.rows,
          text: rows.rows.length ? rowsTable(rows) : `No ${kind}: fetch an inventory first.`,
        };
      }),
    );

  inventory
    .command('show <kind> <id>')
    .description('one object in full (customer passwords masked)')
    .requiredOption('--server <name>', 'the source server it is on')
    .action(
      action(async (ctx, kind: string, id: string, o: { server: string }) => {
        if (!KINDS.includes(kind as InventoryKind))
          throw new MmError('usage', `<kind> is one of ${KINDS.join(', ')}.`, kind);
        const projectId = await ctx.projectId();
        const server = await ctx.core.servers.get(projectId, o.server);
        const detail = await ctx.core.inventory.detail(projectId, server.id, kind as InventoryKind, id);
        return { json: detail.object, text: JSON.stringify(detail.object, null, 2) };
      }),
    );
}
