/**
 * domainServicesInfo (seed: "information about the services on a particular domain"), fetched
 * per domain through the agent and validated against PEMDomainServices.xsd, kept twice:
 * - the full services (`DomainServices`: DNS, web, mail, databases, FTP, web users, cron), what
 *   the migration recreates, in `<project>/domain-services/<server-id>.json`, passwords sealed;
 * - the facts verification warns about (mail aliases, passwords with "&", databases with no
 *   site, wildcard subdomains) in `<project>/domain-services.json`, never a password. Their
 *   revision is part of the verification stamp, so fetching marks results stale.
 * Both are written once per fetch, never per domain.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainServices } from '../../../shared/model/domain-services';
import type { DomainServicesFacts } from '../../../shared/model/verification';
import { MmError } from '../errors';
import type { JobContext } from '../jobs/job-registry';
import type { MigrationLog } from '../log/migration-log';
import { dropProjectKeys } from '../project/project-release';
import type { ProjectService } from '../project/project-service';
import type { SecretStore } from '../secrets/secret-store';
import type { SourceServer } from '../../../shared/model/server';
import type { ServerService } from '../servers/server-service';
import { DocumentCache } from '../store/document-cache';
import { DocumentFile } from '../store/document-file';
import { objectKey } from '../verification/input';
import { parseDomainServices } from './parse-domain-services';
import { passwordSealer } from './seal-inventory';
import { guardXmlFile } from './xml-guard';
import { validateAgainstXsd } from './xsd-validate';

/** What verification warns about, read off the (sealed) model: `hasAmpersand` survives sealing. */
export function domainServicesFacts(s: DomainServices): DomainServicesFacts {
  const amp: string[] = [];
  const check = (what: string, p: { hasAmpersand?: boolean } | undefined): void => {
    if (p?.hasAmpersand) amp.push(what);
  };
  for (const m of s.mail?.mailboxes ?? []) check(`mailbox ${m.address}`, m.password);
  for (const f of s.ftpUsers) check(`FTP user ${f.login}`, f.password);
  for (const u of s.webUsers) check(`web user ${u.login}`, u.password);
  for (const db of s.databases) for (const u of db.users) check(`database user ${u.login}`, u.password);
  return {
    ampersandPasswords: amp,
    mailAliases: (s.mail?.aliases ?? []).map((a) => a.address),
    databases: s.databases.map((d) => d.name),
    hasWebHosting: s.webHosting !== undefined,
    subdomains: [...(s.webHosting?.subdomains ?? []).map((d) => d.name), ...(s.webHosting?.aliases ?? [])],
  };
}

/** How much a domain has of what the migration creates (for `mm inventory services --json`). */
export interface ServiceCounts {
  readonly records: number;
  readonly mailboxes: number;
  readonly databases: number;
  readonly ftpUsers: number;
}

export function serviceCounts(s: DomainServices): ServiceCounts {
  return {
    records: s.dnsZone?.records.length ?? 0,
    mailboxes: s.mail?.mailboxes.length ?? 0,
    databases: s.databases.length,
    ftpUsers: s.ftpUsers.length,
  };
}

interface FactsFile {
  schemaVersion: 1;
  /** serverId → domainId → facts, with when each server's were fetched. */
  servers: Record<string, { fetchedAt: string; domains: Record<string, DomainServicesFacts> }>;
}

/** `<project>/domain-services/<server-id>.json`: the full services of one source server. */
export interface ServicesFile {
  schemaVersion: 1;
  serverId: string;
  /**
   * The `addedAt` of the server these services came from: a server removed and added again
   * under the same id is another server, and the file's domains do not count for it.
   */
  serverAddedAt: string;
  /** When the last fetch wrote this file ('' before the first). */
  fetchedAt: string;
  /** domainId → services, passwords sealed. */
  domains: Record<string, DomainServices>;
}

export interface FetchResult {
  readonly domains: number;
  readonly warnings: number;
}

const SERVER_ID = /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u;

/**
 * domainServicesInfo calls in flight at once on one source server: one Perl process per call
 * over the server's one SSH connection. Two, as the migration's agent calls per server
 * (`--per-server`, default 2): the calls wait mostly on the agent's start and on SSH, so two
 * take about half the time of one after another, without crowding a production server.
 */
const AGENT_CALLS_PER_SERVER = 2;

/**
 * `work` for every item, `lanes` at a time, results in the items' order. After the first
 * failure no lane takes another item; it fails once the calls in flight have ended (none is
 * left running against a connection being closed).
 */
async function eachInLanes<T, R>(
  items: readonly T[],
  lanes: number,
  work: (item: T, index: number, done: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  let failure: { readonly error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]!, i, done);
        done++;
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
  if (failure) throw failure.error;
  return results;
}

export class DomainServicesService {
  readonly #facts: DocumentCache<FactsFile>;
  readonly #services = new Map<string, Promise<DocumentFile<ServicesFile>>>();
  /** One ensureFetched at a time per project and server, so two callers never fetch one domain twice. */
  readonly #ensuring = new Map<string, Promise<unknown>>();

  constructor(
    private readonly projects: ProjectService,
    private readonly servers: ServerService,
    private readonly log: (projectId: string) => MigrationLog,
    /** Seals mailbox, FTP, web and database user passwords the moment they are parsed. */
    private readonly secrets: SecretStore,
  ) {
    projects.releases.cache('domain services', (projectId) => dropProjectKeys(this.#services, projectId));
    projects.releases.work('domain services', (projectId) =>
      [...this.#ensuring.keys()]
        .filter((k) => k.startsWith(`${projectId}\0`))
        .map((k) => `fetching the domain services of ${k.slice(projectId.length + 1)}`),
    );
    this.#facts = new DocumentCache<FactsFile>(projects, 'domain-services.json', {
      kind: 'domain services',
      currentVersion: 1,
      migrations: {},
      empty: () => ({ schemaVersion: 1, servers: {} }),
      check: (d) =>
        typeof d.servers === 'object' && d.servers !== null ? undefined : 'it has no server map',
    });
  }

  /** Every fetched domain's facts, keyed as verification keys objects (server + domain id). */
  async facts(projectId: string): Promise<ReadonlyMap<string, DomainServicesFacts>> {
    const file = await this.#facts.read(projectId);
    const out = new Map<string, DomainServicesFacts>();
    for (const [serverId, s] of Object.entries(file.servers)) {
      for (const [domainId, f] of Object.entries(s.domains)) out.set(objectKey(serverId, domainId), f);
    }
    return out;
  }

  /** Changes whenever facts were fetched: part of the verification results' stamp. */
  async revision(projectId: string): Promise<string> {
    const file = await this.#facts.read(projectId);
    return Object.entries(file.servers)
      .map(([id, s]) => `${id}@${s.fetchedAt}`)
      .sort()
      .join(',');
  }

  /** Every fetched domain's full services (passwords sealed), keyed exactly like `facts`. */
  async services(projectId: string): Promise<ReadonlyMap<string, DomainServices>> {
    const out = new Map<string, DomainServices>();
    for (const server of await this.servers.list(projectId)) {
      for (const [domainId, s] of Object.entries(await this.stored(projectId, server)))
        out.set(objectKey(server.id, domainId), s);
    }
    return out;
  }

  /** The domains among `domainIds` whose services (or facts) this project does not hold yet. */
  async missing(projectId: string, serverRef: string, domainIds: readonly string[]): Promise<string[]> {
    const server = await this.servers.get(projectId, serverRef);
    const services = await this.stored(projectId, server);
    const facts = (await this.#facts.read(projectId)).servers[server.id]?.domains ?? {};
    return [...new Set(domainIds)].filter((id) => !Object.hasOwn(services, id) || !Object.hasOwn(facts, id));
  }

  /**
   * Fetches the services of those of `domainIds` that are missing, and nothing else (the
   * migration calls it before planning). Calls for one server run one after the other.
   */
  async ensureFetched(
    projectId: string,
    serverRef: string,
    domainIds: readonly string[],
    job?: Pick<JobContext, 'progress' | 'signal'>,
  ): Promise<{ readonly fetched: readonly string[]; readonly warnings: number }> {
    const server = await this.servers.get(projectId, serverRef);
    const key = `${projectId}\0${server.id}`;
    const before = this.#ensuring.get(key) ?? Promise.resolve();
    const run = before
      .catch(() => undefined)
      .then(async () => {
        const todo = await this.missing(projectId, server.id, domainIds);
        if (todo.length === 0) {
          job?.progress(domainIds.length, domainIds.length, 'Domain services already fetched');
          return { fetched: [], warnings: 0 };
        }
        const r = await this.fetch(projectId, server.id, todo, job);
        return { fetched: todo, warnings: r.warnings };
      });
    this.#ensuring.set(key, run);
    try {
      return await run;
    } finally {
      if (this.#ensuring.get(key) === run) this.#ensuring.delete(key);
    }
  }

  /** Runs domainServicesInfo for each domain and stores services and facts (one write each). */
  async fetch(
    projectId: string,
    serverRef: string,
    domainIds: readonly string[],
    job?: Pick<JobContext, 'progress' | 'signal'>,
  ): Promise<FetchResult> {
    if (domainIds.length === 0)
      throw new MmError('invalid-input', 'Say which domains: select some first.', 'domainIds');
    const seal = await passwordSealer(this.secrets, projectId);
    const opened = await this.servers.open(projectId, serverRef, job ? { signal: job.signal } : {});
    const work = await mkdtemp(join(tmpdir(), 'mm-services-'));
    const services: Record<string, DomainServices> = {};
    const facts: Record<string, DomainServicesFacts> = {};
    try {
      await opened.agent.ensureDeployed();
      const fetchOne = async (i: number, id: string): Promise<DomainServices> => {
        const out = join(work, `ds-${i}.xml`);
        const label = `${opened.server.name}: domainServicesInfo ${id}`;
        await opened.agent.run(
          ['--extract=domainServicesInfo', `--domain-id=${id}`],
          'xml',
          out,
          job ? { signal: job.signal } : {},
        );
        await guardXmlFile(out);
        const xml = await readFile(out);
        const problems = await validateAgainstXsd(xml, 'PEMDomainServices.xsd', out);
        if (problems[0]) {
          throw new MmError(
            'xml-invalid',
            `${label} line ${problems[0].line}, column ${problems[0].column}: ${problems[0].message}`,
            label,
          );
        }
        await rm(out, { force: true });
        return parseDomainServices(xml.toString('utf8'), label, seal);
      };
      const parsed = await eachInLanes(domainIds, AGENT_CALLS_PER_SERVER, async (id, i, done) => {
        if (job?.signal.aborted) throw new MmError('cancelled', 'Fetching domain services was cancelled.');
        job?.progress(done, domainIds.length, `domainServicesInfo ${id}`);
        return fetchOne(i, id);
      });
      // Stored under the id it was asked for (the key verification and the migration use), in
      // the order asked, whichever call finished first.
      for (const [i, id] of domainIds.entries()) {
        services[id] = parsed[i]!;
        facts[id] = domainServicesFacts(parsed[i]!);
      }
    } finally {
      await opened.close();
      await rm(work, { recursive: true, force: true });
    }
    const serverId = opened.server.id;
    const serverAddedAt = opened.server.addedAt;
    const fetchedAt = new Date().toISOString();
    // Services first: a crash between the two writes leaves facts missing, which `missing`
    // reports, so the next ensureFetched repairs it. What a former server of the same id left
    // is replaced, not merged.
    let sameServer = true;
    await (
      await this.servicesDoc(projectId, serverId)
    ).update((d) => {
      sameServer = d.serverAddedAt === serverAddedAt;
      return {
        schemaVersion: 1,
        serverId,
        serverAddedAt,
        fetchedAt,
        domains: { ...(sameServer ? d.domains : {}), ...services },
      };
    });
    await this.#facts.update(projectId, (d) => ({
      ...d,
      servers: {
        ...d.servers,
        [serverId]: {
          fetchedAt,
          domains: { ...((sameServer && d.servers[serverId]?.domains) || {}), ...facts },
        },
      },
    }));
    const warnings = Object.values(facts).filter(
      (f) =>
        f.ampersandPasswords.length + f.mailAliases.length > 0 ||
        f.subdomains.some((s) => s.startsWith('*')) ||
        (!f.hasWebHosting && f.databases.length > 0),
    ).length;
    job?.progress(domainIds.length, domainIds.length, 'Done');
    await this.log(projectId).write(
      'info',
      `Domain services of ${domainIds.length} domains on ${opened.server.name} fetched; ${warnings} with something to warn about`,
      { serverId, domains: [...domainIds] },
    );
    return { domains: domainIds.length, warnings };
  }

  /**
   * Forgets the project's opened services files (the next read opens them again): a migration
   * batch drops them once planned (its steps carry what they need of the services).
   */
  release(projectId: string): void {
    dropProjectKeys(this.#services, projectId);
  }

  /**
   * Drops what is kept of a removed server: its services file and its facts, so a server added
   * later under the same id is fetched afresh rather than served stale services.
   */
  async forget(projectId: string, serverId: string): Promise<void> {
    this.#services.delete(`${projectId}/${serverId}`);
    await rm(this.servicesFile(projectId, serverId), { force: true });
    if ((await this.#facts.read(projectId)).servers[serverId] === undefined) return;
    await this.#facts.update(projectId, (d) => {
      const { [serverId]: _gone, ...servers } = d.servers;
      return { ...d, servers };
    });
  }

  private servicesFile(projectId: string, serverId: string): string {
    if (!SERVER_ID.test(serverId)) {
      throw new MmError('invalid-input', `"${serverId}" is not a source server id.`, 'serverId');
    }
    return join(this.projects.projectDir(projectId), 'domain-services', `${serverId}.json`);
  }

  /** The stored services of a registered server (none when the file is a former server's). */
  private async stored(projectId: string, server: SourceServer): Promise<Record<string, DomainServices>> {
    const file = await (await this.servicesDoc(projectId, server.id)).current();
    return file.serverAddedAt === server.addedAt ? file.domains : {};
  }

  /** The services file of one server, opened once per process. */
  private async servicesDoc(projectId: string, serverId: string): Promise<DocumentFile<ServicesFile>> {
    const file = this.servicesFile(projectId, serverId);
    await this.projects.read(projectId);
    const key = `${projectId}/${serverId}`;
    let doc = this.#services.get(key);
    if (!doc) {
      doc = DocumentFile.open<ServicesFile>(file, {
        kind: 'domain services',
        currentVersion: 1,
        migrations: {},
        empty: () => ({ schemaVersion: 1, serverId, serverAddedAt: '', fetchedAt: '', domains: {} }),
        check: (d) =>
          typeof d.domains === 'object' && d.domains !== null && !Array.isArray(d.domains)
            ? undefined
            : 'it has no domain map',
      });
      doc.catch(() => this.#services.delete(key));
      this.#services.set(key, doc);
    }
    return doc;
  }
}
