/**
 * Inventory (SPEC R3): fetch hostingPlatformInfo through the Agent Communicator (deploying the
 * agent first when needed), import agent output obtained some other way, refresh selected
 * objects through accountsInfo/domainsInfo when the server allows it, and serve table rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  Account,
  Credentials,
  Inventory,
  InventoryDetail,
  InventoryKind,
  InventoryRows,
  Subscription,
} from '../../../shared/model/inventory';
import type { InventorySummary, SourceServer } from '../../../shared/model/server';
import { MmError } from '../errors';
import type { JobContext } from '../jobs/job-registry';
import type { MigrationLog } from '../log/migration-log';
import type { ServerService } from '../servers/server-service';
import { type ImportTimings, readAgentDocument } from './import-document';
import { accountRows, domainRows, subscriptionRows, templateRows } from './inventory-rows';
import type { InventoryStore } from './inventory-store';
import { withYoungGenerationHeld } from '../young-generation';

export interface FetchResult {
  readonly server: SourceServer;
  readonly summary: InventorySummary;
  readonly deployed: boolean;
  readonly timings?: ImportTimings & { readonly storeMs: number };
}

type Progress = Pick<JobContext, 'progress' | 'signal'>;
const noProgress: Progress = { progress: () => undefined, signal: new AbortController().signal };

export class InventoryService {
  constructor(
    private readonly servers: ServerService,
    private readonly store: InventoryStore,
    private readonly log: (projectId: string) => MigrationLog,
  ) {}

  /** Runs hostingPlatformInfo on the server and stores the validated inventory. */
  async fetch(projectId: string, serverRef: string, job: Progress = noProgress): Promise<FetchResult> {
    const log = this.log(projectId);
    job.progress(0, 4, 'Connecting');
    const opened = await this.servers.open(projectId, serverRef, { signal: job.signal });
    const work = await mkdtemp(join(tmpdir(), 'mm-inventory-'));
    try {
      job.progress(1, 4, 'Checking the agent');
      const deployed = await opened.agent.ensureDeployed();
      if (deployed)
        await log.write('info', `Deployed the ${opened.server.kind} agent to ${opened.server.name}`);
      job.progress(2, 4, 'Running hostingPlatformInfo');
      const out = join(work, 'hosting-platform.xml');
      await opened.agent.run(['--extract=hostingPlatformInfo'], 'xml', out, { signal: job.signal });
      job.progress(3, 4, 'Validating and storing');
      const stored = await this.storeDocument(
        projectId,
        opened.server,
        out,
        'agent',
        `${opened.server.name}: hostingPlatformInfo`,
      );
      job.progress(4, 4, 'Done');
      return { server: await this.servers.get(projectId, opened.server.id), ...stored, deployed };
    } catch (e) {
      await log.write('error', `Inventory of ${opened.server.name} failed: ${(e as Error).message}`);
      throw e;
    } finally {
      await opened.close();
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Imports a hostingPlatformInfo file obtained some other way (e.g. sent by the source's admin).
   * `maxBytes` raises (or lowers) the size limit for this one document (xml-guard's default).
   */
  async importFile(
    projectId: string,
    serverRef: string,
    file: string,
    options: { maxBytes?: number } = {},
  ): Promise<FetchResult> {
    const server = await this.servers.get(projectId, serverRef);
    const stored = await this.storeDocument(projectId, server, file, 'import', file, options.maxBytes);
    return { server: await this.servers.get(projectId, server.id), ...stored, deployed: false };
  }

  /**
   * Refreshes the given accounts and/or domains with accountsInfo/domainsInfo (when the
   * server's "allow update information" setting is on) and merges them into the inventory.
   */
  async refresh(
    projectId: string,
    serverRef: string,
    ids: { accountIds?: readonly string[]; domainIds?: readonly string[] },
    job: Progress = noProgress,
  ): Promise<{ updated: number; notFound: readonly string[] }> {
    const server = await this.servers.get(projectId, serverRef);
    if (!server.settings.allowUpdateInfo) {
      throw new MmError(
        'update-info-disabled',
        `"Allow update information" is off for ${server.name}: fetch the whole inventory instead, or turn it on.`,
        server.name,
      );
    }
    let inventory = await this.store.load(projectId, server.id);
    if (!inventory)
      throw new MmError('no-inventory', `${server.name} has no inventory yet: fetch it first.`, server.name);
    const opened = await this.servers.open(projectId, server.id, { signal: job.signal });
    const work = await mkdtemp(join(tmpdir(), 'mm-refresh-'));
    const notFound: string[] = [];
    let updated = 0;
    try {
      const calls: [string, readonly string[] | undefined, string][] = [
        ['accountsInfo', ids.accountIds, 'account-ids'],
        ['domainsInfo', ids.domainIds, 'domain-ids'],
      ];
      for (const [extract, list, option] of calls) {
        if (!list || list.length === 0) continue;
        if (list.some((id) => /\s/.test(id))) {
          throw new MmError(
            'invalid-input',
            `An id for ${extract} contains white space, which the agent's list syntax cannot carry.`,
            option,
          );
        }
        const out = join(work, `${extract}.xml`);
        await opened.agent.ensureDeployed();
        await opened.agent.run([`--extract=${extract}`, `--${option}=${list.join(' ')}`], 'xml', out, {
          signal: job.signal,
        });
        const { parsed } = await readAgentDocument(out, `${server.name}: ${extract}`);
        notFound.push(...parsed.notFound);
        inventory = mergeInventory(inventory, parsed.inventory);
        updated += parsed.inventory.accounts.length + parsed.inventory.domains.length;
      }
    } finally {
      await opened.close();
      await rm(work, { recursive: true, force: true });
    }
    await this.store.save(projectId, server.id, inventory, 'agent');
    await this.servers.replace(projectId, { ...server, inventory: summarize(inventory, 'agent') });
    await this.log(projectId).write('info', `Refreshed ${updated} objects of ${server.name}`, { notFound });
    return { updated, notFound };
  }

  async load(projectId: string, serverId: string): Promise<Inventory | undefined> {
    return this.store.load(projectId, serverId);
  }

  async rows(projectId: string, kind: InventoryKind, serverRef?: string): Promise<InventoryRows> {
    const servers = serverRef
      ? [await this.servers.get(projectId, serverRef)]
      : await this.servers.list(projectId);
    const loaded = await Promise.all(
      servers.map(async (s) => [s.id, await this.store.load(projectId, s.id)] as const),
    );
    const present = loaded.filter((e): e is readonly [string, Inventory] => e[1] !== undefined);
    switch (kind) {
      case 'accounts':
        return { kind, rows: present.flatMap(([id, inv]) => accountRows(id, inv)) };
      case 'domains':
        return { kind, rows: present.flatMap(([id, inv]) => domainRows(id, inv)) };
      case 'subscriptions':
        return { kind, rows: present.flatMap(([id, inv]) => subscriptionRows(id, inv)) };
      case 'templates':
        return { kind, rows: present.flatMap(([id, inv]) => templateRows(id, inv)) };
    }
  }

  async detail(
    projectId: string,
    serverRef: string,
    kind: InventoryKind,
    id: string,
  ): Promise<InventoryDetail> {
    // Only a registered server's inventory: a given id never becomes a path unchecked.
    const serverId = (await this.servers.get(projectId, serverRef)).id;
    const inv = await this.store.load(projectId, serverId);
    const missing = (): never => {
      throw new MmError('object-not-found', `${serverId} has no ${kind.slice(0, -1)} "${id}".`, id);
    };
    switch (kind) {
      case 'accounts': {
        const a = inv?.accounts.find((x) => x.id === id) ?? missing();
        return { kind, serverId, object: maskAccount(a) };
      }
      case 'domains':
        return { kind, serverId, object: inv?.domains.find((x) => x.id === id) ?? missing() };
      case 'subscriptions': {
        const s = inv?.subscriptions.find((x) => x.id === id) ?? missing();
        return { kind, serverId, object: maskSubscription(s) };
      }
      case 'templates':
        return { kind, serverId, object: inv?.templates.find((x) => x.id === id) ?? missing() };
    }
  }

  /**
   * Reads, validates and stores one inventory document, with V8's young generation held: the
   * model being built survives every scavenge and would grow it (young-generation.ts).
   */
  private storeDocument(
    projectId: string,
    server: SourceServer,
    file: string,
    source: 'agent' | 'import',
    label: string,
    maxBytes?: number,
  ): Promise<{ summary: InventorySummary; timings: ImportTimings & { storeMs: number } }> {
    return withYoungGenerationHeld(async () => {
      // Sealing the customers' passwords and writing the stored form's JSON use the wait for the
      // schema validator.
      const { parsed, prepared, timings, bytes } = await readAgentDocument(file, label, {
        ...(maxBytes !== undefined ? { maxBytes } : {}),
        prepare: (p) => this.store.prepare(server.id, p.inventory, source, projectId),
      });
      const t0 = performance.now();
      if (parsed.root !== 'hostingPlatform') {
        throw new MmError(
          'xml-unexpected-root',
          `${label} is a ${parsed.root} document; an inventory needs hostingPlatformInfo output.`,
          label,
        );
      }
      // The server's Migration API version decides which rules verify it: an inventory of the
      // other version would be verified by the wrong rules while the UI shows the server's.
      const version = parsed.inventory.apiVersion;
      if (version !== server.apiVersion)
        throw new MmError(
          'api-version-mismatch',
          `${label} is a Migration API v${version} inventory, but ${server.name} is registered for Migration API v${server.apiVersion}: nothing was stored. Use a server registered with --api ${version}, or the agent output for v${server.apiVersion}.`,
          label,
        );
      await this.store.saveFile(
        projectId,
        server.id,
        prepared ?? (await this.store.prepare(server.id, parsed.inventory, source, projectId)),
      );
      const summary = summarize(parsed.inventory, source);
      await this.servers.replace(projectId, { ...server, inventory: summary });
      const storeMs = performance.now() - t0;
      await this.log(projectId).write(
        'info',
        `Inventory of ${server.name} stored: ${summary.accounts} accounts, ${summary.domains} domains, ${summary.subscriptions} subscriptions, ${summary.templates} templates`,
        {
          bytes,
          validateMs: Math.round(timings.validateMs),
          parseMs: Math.round(timings.parseMs),
          storeMs: Math.round(storeMs),
        },
      );
      return { summary, timings: { ...timings, storeMs } };
    });
  }
}

function summarize(inv: Inventory, source: 'agent' | 'import'): InventorySummary {
  return {
    fetchedAt: new Date().toISOString(),
    source,
    ...(inv.agentVersion !== undefined ? { agentVersion: inv.agentVersion } : {}),
    platform: [inv.platform.kind, inv.platform.version].filter(Boolean).join(' '),
    accounts: inv.accounts.length,
    domains: inv.domains.length,
    subscriptions: inv.subscriptions.length,
    templates: inv.templates.length,
  };
}

/** Objects in `update` replace those with the same id; everything else stays. */
export function mergeInventory(base: Inventory, update: Inventory): Inventory {
  const merge = <T extends { id: string }>(a: readonly T[], b: readonly T[]): T[] => {
    const ids = new Set(b.map((x) => x.id));
    return [...a.filter((x) => !ids.has(x.id)), ...b];
  };
  return {
    ...base,
    accounts: merge(base.accounts, update.accounts),
    subscriptions: merge(base.subscriptions, update.subscriptions),
    domains: merge(base.domains, update.domains),
    templates: merge(base.templates, update.templates),
  };
}

function maskCredentials(c: Credentials | undefined): Credentials | undefined {
  if (!c?.password) return c;
  return { ...c, password: { ...c.password, value: '***' } };
}

function maskAccount(a: Account): Account {
  const ccpLogin = maskCredentials(a.ccpLogin);
  return {
    ...a,
    ...(ccpLogin ? { ccpLogin } : {}),
    paymentTools: a.paymentTools.map(({ encryptedNumber: _hidden, ...rest }) => rest),
  };
}

function maskSubscription(s: Subscription): Subscription {
  const registrarLogin = maskCredentials(s.registrarLogin);
  return { ...s, ...(registrarLogin ? { registrarLogin } : {}) };
}
