/**
 * domainServicesInfo (seed: "information about the services on a particular domain") turned
 * into the facts verification warns about — mail aliases, passwords with "&", databases with
 * no site to link to, wildcard subdomains — and stored per source server in
 * `<project>/domain-services/<server-id>.json`. Only facts are stored, never a password.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainServicesFacts } from '../../../shared/model/verification';
import { MmError } from '../errors';
import type { JobContext } from '../jobs/job-registry';
import type { MigrationLog } from '../log/migration-log';
import type { ServerService } from '../servers/server-service';
import { DocumentCache } from '../store/document-cache';
import type { ProjectService } from '../project/project-service';
import { objectKey } from '../verification/input';
import { agentXmlParser } from './parse-inventory';
import { guardXmlFile } from './xml-guard';
import { validateAgainstXsd } from './xsd-validate';

type Node = Record<string, unknown>;

const REPEATED = new Set([
  'alias',
  'subdomain',
  'mailbox',
  'forwarder',
  'autoresponder',
  'database',
  'user',
  'ftpUser',
  'webUser',
  'cronJob',
  'record',
  'target',
]);
const parser = agentXmlParser(REPEATED);

const list = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : []);
const node = (v: unknown): Node | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A plain (not crypted) password containing "&". Hashes are never sent as typed passwords. */
function plainWithAmpersand(password: unknown): boolean {
  if (typeof password === 'string') return password.includes('&');
  const p = node(password);
  if (!p || p['crypted'] === 'true') return false;
  return str(p['#text']).includes('&');
}

export function domainServicesFacts(xml: string, where: string): DomainServicesFacts {
  const root = node((parser.parse(xml) as Node)['domainServices']);
  if (!root) throw new MmError('xml-unexpected-root', `${where} is not a domainServices document.`, where);
  const web = node(root['webHosting']);
  const mail = node(root['mail']);
  const amp: string[] = [];
  for (const m of list(mail?.['mailbox']))
    if (plainWithAmpersand(m['password'])) amp.push(`mailbox ${str(m['address'])}`);
  for (const f of list(root['ftpUser']))
    if (plainWithAmpersand(f['password'])) amp.push(`FTP user ${str(f['login'])}`);
  for (const u of list(root['webUser']))
    if (plainWithAmpersand(u['password'])) amp.push(`web user ${str(u['login'])}`);
  for (const db of list(root['database'])) {
    for (const u of list(db['user']))
      if (plainWithAmpersand(u['password'])) amp.push(`database user ${str(u['login'])}`);
  }
  return {
    ampersandPasswords: amp,
    mailAliases: list(mail?.['alias']).map((a) => str(a['address'])),
    databases: list(root['database']).map((d) => str(d['name'])),
    hasWebHosting: web !== undefined,
    subdomains: [
      ...list(web?.['subdomain']).map((s) => str(s['name'])),
      ...list(web?.['alias']).map((a) => str(a['name'])),
    ],
  };
}

interface ServicesFile {
  schemaVersion: 1;
  /** serverId → domainId → facts, with when each server's were fetched. */
  servers: Record<string, { fetchedAt: string; domains: Record<string, DomainServicesFacts> }>;
}

export class DomainServicesService {
  readonly #docs: DocumentCache<ServicesFile>;

  constructor(
    projects: ProjectService,
    private readonly servers: ServerService,
    private readonly log: (projectId: string) => MigrationLog,
  ) {
    this.#docs = new DocumentCache<ServicesFile>(projects, 'domain-services.json', {
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
    const file = await this.#docs.read(projectId);
    const out = new Map<string, DomainServicesFacts>();
    for (const [serverId, s] of Object.entries(file.servers)) {
      for (const [domainId, f] of Object.entries(s.domains)) out.set(objectKey(serverId, domainId), f);
    }
    return out;
  }

  /** Changes whenever facts were fetched: part of the verification results' stamp. */
  async revision(projectId: string): Promise<string> {
    const file = await this.#docs.read(projectId);
    return Object.entries(file.servers)
      .map(([id, s]) => `${id}@${s.fetchedAt}`)
      .sort()
      .join(',');
  }

  /** Runs domainServicesInfo for each domain (default: the selected ones) and stores the facts. */
  async fetch(
    projectId: string,
    serverRef: string,
    domainIds: readonly string[],
    job?: Pick<JobContext, 'progress' | 'signal'>,
  ): Promise<{ domains: number; warnings: number }> {
    if (domainIds.length === 0)
      throw new MmError('invalid-input', 'Say which domains: select some first.', 'domainIds');
    const opened = await this.servers.open(projectId, serverRef, job ? { signal: job.signal } : {});
    const work = await mkdtemp(join(tmpdir(), 'mm-services-'));
    const facts: Record<string, DomainServicesFacts> = {};
    try {
      await opened.agent.ensureDeployed();
      for (const [i, id] of domainIds.entries()) {
        if (job?.signal.aborted) throw new MmError('cancelled', 'Fetching domain services was cancelled.');
        job?.progress(i, domainIds.length, `domainServicesInfo ${id}`);
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
        facts[id] = domainServicesFacts(xml.toString('utf8'), label);
      }
    } finally {
      await opened.close();
      await rm(work, { recursive: true, force: true });
    }
    const doc = await this.#docs.open(projectId);
    await doc.update((d) => ({
      ...d,
      servers: {
        ...d.servers,
        [opened.server.id]: {
          fetchedAt: new Date().toISOString(),
          domains: { ...(d.servers[opened.server.id]?.domains ?? {}), ...facts },
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
    );
    return { domains: domainIds.length, warnings };
  }
}
