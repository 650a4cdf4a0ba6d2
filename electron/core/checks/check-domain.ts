/**
 * One domain's five checks: each gathers the source's and the target's evidence through the
 * collectors and hands both to its pure comparison.
 */
import type { CheckDifference, CheckResult } from '../../../shared/model/checks';
import type { DomainServices } from '../../../shared/model/domain-services';
import type { CheckedDomain } from './check-plan';
import type { CheckContext } from './check-service';
import { type DatabaseEvidence, type TableFact, compareDb } from './compare-db';
import { nodeDatabaseEvidence, nodeDatabaseLogins } from './db-evidence';
import { type DbType, readDbNodeConfig } from '../content/db-node';
import { compareDns, expectedRecords } from './compare-dns';
import { type MailboxEvidence, compareMail } from './compare-mail';
import { type Logins, compareUsers } from './compare-users';
import { type PageFetch, type SiteEvidence, compareWeb, samplePages } from './compare-web';
import { mailboxEvidence, siteEvidence } from './content-evidence';
import { nodeFiles, sourceFiles } from './collect-content';
import { queryNameServer } from './collect-dns';
import { fetchPage } from './collect-http';
import { canonicalData, absoluteName } from './dns-names';
import { fail, resultOf, warn } from './result';
import { sourceWebAddress } from './source-web';
import { sourceDatabaseEvidence as agentDatabaseEvidence } from './source-db-evidence';
import { mapRecord } from '../ipmap/ip-rules';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function collectWeb(
  ctx: CheckContext,
  d: CheckedDomain,
  nested: (path: string, all: readonly string[]) => string[],
  services?: DomainServices,
): Promise<CheckResult> {
  const sites = d.content.filter((c) => c.kind === 'site' && c.path);
  if (sites.length === 0) return compareWeb([]);
  const source = await ctx.source(d.serverId);
  const node = await ctx.node('web');
  const out: { source: SiteEvidence; target: SiteEvidence; pages: PageFetch[] }[] = [];
  const extra = [];
  for (const site of sites) {
    const path = site.path ?? '';
    const s = await sourceFiles(source.agent, d.domainId, site.contentId, ctx.signal);
    const t = await nodeFiles(node.transport, path, nested(path, ctx.sitePaths), ctx.signal);
    const sEv = siteEvidence(site.name, s.files);
    const pages: PageFetch[] = [];
    if (s.files && ctx.servers.webServer) {
      const sample = samplePages(sEv.files.keys()).slice(0, ctx.web.sample);
      const fromSource = await sourcePages(ctx, d, services, site.name, sample);
      if ('warning' in fromSource) extra.push(fromSource.warning);
      for (const [i, page] of sample.entries()) {
        const fetched = await fetchPage(ctx.servers.webServer, site.name, page, ctx.web.timeoutMs);
        const sp = 'pages' in fromSource ? fromSource.pages[i] : undefined;
        pages.push(
          sp
            ? {
                ...fetched,
                source: {
                  status: sp.status,
                  ...(sp.title !== undefined ? { title: sp.title } : {}),
                  ...(sp.sha256 !== undefined ? { sha256: sp.sha256 } : {}),
                  ...(sp.error !== undefined ? { error: sp.error } : {}),
                },
              }
            : fetched,
        );
      }
    }
    if (!ctx.servers.webServer)
      extra.push(
        fail(
          `site ${site.name}`,
          "the web server that serves the target's web node is not known, so no page was fetched: set it with mm check --web-server",
        ),
      );
    if (s.error) extra.push(fail(`site ${site.name}`, s.error));
    if (t.error && !t.files) extra.push(fail(`site ${site.name}`, t.error));
    out.push({
      source: { ...sEv, present: s.files !== undefined },
      target: siteEvidence(site.name, t.files),
      pages,
    });
  }
  const compared = compareWeb(out.filter((o) => o.source.present));
  return extra.length ? resultOf('web', [...extra, ...compared.differences], compared.message) : compared;
}

/**
 * The sample's pages as the source's own web server serves them, or one warning naming the
 * server and address when it cannot be asked or reached. An address that did not answer is
 * not asked again in the same run (a source that is down costs one timeout, not one per page).
 */
async function sourcePages(
  ctx: CheckContext,
  d: CheckedDomain,
  services: DomainServices | undefined,
  host: string,
  sample: readonly { path: string; file: string }[],
): Promise<{ pages: PageFetch[] } | { warning: CheckDifference }> {
  const address = sourceWebAddress(d.serverId, ctx.web.sourceWeb, services);
  const object = `source web server of ${d.serverId}`;
  if ('error' in address)
    return {
      warning: warn(object, `${address.error}; the pages were compared with the source's files only`),
    };
  const down = (why: string): { warning: CheckDifference } => ({
    warning: warn(
      `${object} (${address.url})`,
      `could not be reached (${why}); the pages were compared with the source's files only`,
    ),
  });
  const known = ctx.web.unreachable.get(address.url);
  if (known !== undefined) return down(known);
  const pages: PageFetch[] = [];
  for (const page of sample) {
    const fetched = await fetchPage(address.url, host, page, ctx.web.timeoutMs);
    if (fetched.status === 0 && pages.length === 0) {
      // Nothing answered yet: the server (not one page) is unreachable.
      const why = fetched.error ?? 'no response';
      ctx.web.unreachable.set(address.url, why);
      return down(why);
    }
    pages.push(fetched);
  }
  // An address that refuses every page (404 for all) does not serve this site: its answers
  // would blame the target for the wrong server, so the check says so once instead.
  const statuses = new Set(pages.map((p) => p.status));
  if (pages.length > 0 && [...statuses].every((st) => st >= 400 && st !== 401))
    return {
      warning: warn(
        `${object} (${address.url})`,
        `answered HTTP ${[...statuses].sort().join('/')} for every page of ${host}: it does not seem to serve the site (set its address with mm check --source-web ${d.serverId}=http://host:port); the pages were compared with the source's files only`,
      ),
    };
  return { pages };
}

export async function collectMail(ctx: CheckContext, d: CheckedDomain): Promise<CheckResult> {
  const boxes = d.content.filter((c) => c.kind === 'mailbox' && c.path);
  if (boxes.length === 0) return compareMail([], []);
  const source = await ctx.source(d.serverId);
  const node = await ctx.node('mail');
  const src: MailboxEvidence[] = [];
  const tgt: MailboxEvidence[] = [];
  const extra = [];
  for (const box of boxes) {
    const s = await sourceFiles(source.agent, d.domainId, box.contentId, ctx.signal);
    const t = await nodeFiles(node.transport, box.path ?? '', [], ctx.signal);
    if (s.error) extra.push(fail(`mailbox ${box.name}`, s.error));
    src.push(mailboxEvidence(box.name, s.files));
    tgt.push(mailboxEvidence(box.name, t.files));
  }
  const compared = compareMail(
    src.filter((b) => b.present),
    tgt,
  );
  return extra.length ? resultOf('mail', [...extra, ...compared.differences], compared.message) : compared;
}

export async function collectDns(
  ctx: CheckContext,
  d: CheckedDomain,
  services: DomainServices | undefined,
): Promise<CheckResult> {
  const zone = services?.dnsZone;
  if (!zone) return compareDns(d.name, [], [], []);
  const ipMap = ctx.ipMap;
  const expected = expectedRecords(zone, d.name, ipMap.size > 0 ? (r) => mapRecord(r, ipMap) : undefined);
  const ns = ctx.servers.nameServer;
  const answers = ns
    ? await queryNameServer(ns, expected)
    : expected.map((r) => ({
        name: r.name,
        type: r.type,
        values: [],
        error: 'no name server known (mm check --name-server)',
      }));
  let api: Parameters<typeof compareDns>[3];
  try {
    api = (await ctx.poa.getDnsRecords(d.name)).map((r) => ({
      name: absoluteName(r.host, d.name),
      type: r.type.toUpperCase(),
      data: canonicalData(r.type, r.data, d.name),
    }));
  } catch (e) {
    api = { error: message(e) };
  }
  return compareDns(d.name, expected, answers, api);
}

/** The subscription the domain lives in on the target (its users and databases are listed by it). */
async function subscriptionOf(ctx: CheckContext, d: CheckedDomain): Promise<number> {
  return (await ctx.poa.getDomainByName(d.name)).subscription_id;
}

export async function collectDb(
  ctx: CheckContext,
  d: CheckedDomain,
  services: DomainServices | undefined,
): Promise<CheckResult> {
  const dbs = services?.databases ?? [];
  if (dbs.length === 0) return compareDb([], []);
  const there = new Set((await ctx.poa.getDatabases(await subscriptionOf(ctx, d))).map((x) => x.db_name));
  // A database whose content the batch restored is compared table by table (rows, checksum)
  // between the source's server (through its agent) and the target's db node; one whose
  // content the migration did not carry, by its presence.
  const restored = new Map(
    d.content.filter((c) => c.kind === 'database').map((c) => [c.contentId, c] as const),
  );
  const source: DatabaseEvidence[] = [];
  const target: DatabaseEvidence[] = [];
  for (const db of dbs) {
    const content = db.contentId ? restored.get(db.contentId) : undefined;
    if (!content || !there.has(db.name)) {
      source.push({ name: db.name, present: true });
      target.push({ name: db.name, present: there.has(db.name) });
      continue;
    }
    const type = db.type === 'postgresql' ? 'postgresql' : 'mysql';
    const [s, t] = await Promise.all([
      sourceDatabaseEvidence(ctx, d, content.contentId).then(
        (tables) => ({ tables }),
        (e: unknown) => ({ unreadable: `the source could not be read: ${message(e)}` }),
      ),
      ctx.node('db').then(
        async (node) => ({
          tables: await nodeDatabaseEvidence(
            node.transport,
            await readDbNodeConfig(node.transport, node.root),
            type,
            db.name,
          ),
        }),
        (e: unknown) => ({ unreadable: `the target's db node could not be read: ${message(e)}` }),
      ),
    ]).catch((e: unknown) => [{ unreadable: message(e) }, { unreadable: message(e) }] as const);
    source.push({ name: db.name, present: true, ...s });
    target.push({ name: db.name, present: true, ...t });
  }
  return compareDb(source, target);
}

/**
 * Logins of the databases the batch restored, as the db node's servers know them (a user known
 * only by its hash is recreated there with the dump, not through POA). None when nothing was
 * restored; a db node that cannot be read adds none (the login is then reported missing).
 */
async function restoredLogins(ctx: CheckContext, d: CheckedDomain): Promise<string[]> {
  const types = new Set(
    d.content
      .filter((c) => c.kind === 'database')
      .map((c) => (c.contentId.startsWith('database:postgresql:') ? 'postgresql' : 'mysql') as DbType),
  );
  if (types.size === 0) return [];
  try {
    const node = await ctx.node('db');
    const config = await readDbNodeConfig(node.transport, node.root);
    const out: string[] = [];
    for (const type of types) out.push(...(await nodeDatabaseLogins(node.transport, config, type)));
    return out;
  } catch {
    return [];
  }
}

/** The source database's tables, rows and checksums, from its agent (`--extract=databaseEvidence`). */
async function sourceDatabaseEvidence(
  ctx: CheckContext,
  d: CheckedDomain,
  contentId: string,
): Promise<Map<string, TableFact>> {
  return agentDatabaseEvidence(await ctx.source(d.serverId), d.domainId, contentId, ctx.signal);
}

export async function collectUsers(
  ctx: CheckContext,
  d: CheckedDomain,
  services: DomainServices | undefined,
): Promise<CheckResult> {
  const source: Logins = {
    mailboxes: (services?.mail?.mailboxes ?? []).map((m) => m.address.toLowerCase()),
    ftp: (services?.ftpUsers ?? []).map((f) => f.login),
    database: [...new Set((services?.databases ?? []).flatMap((x) => x.users.map((u) => u.login)))],
  };
  if (source.mailboxes.length + source.ftp.length + source.database.length === 0)
    return compareUsers(source, source);
  let target: Logins | { error: string };
  try {
    const sub = await subscriptionOf(ctx, d);
    const [names, ftp, dbs] = await Promise.all([
      ctx.poa.getMailnames(sub),
      ctx.poa.getFtpUsers(sub),
      ctx.poa.getDatabases(sub),
    ]);
    target = {
      mailboxes: names.filter((n) => n.mailbox).map((n) => `${n.name}@${n.domain_name}`.toLowerCase()),
      ftp: ftp.map((f) => f.login),
      database: [...dbs.flatMap((x) => x.users), ...(await restoredLogins(ctx, d))],
    };
  } catch (e) {
    target = { error: message(e) };
  }
  return compareUsers(source, target, d.notCarried);
}
