/**
 * The DNS switch sheet of a project (SPEC R14): one entry per selected domain with a source
 * zone, built from its domain services, the IP mapping and the target's name servers (the
 * same ones the migration gives the registrar), with a live check that the target answers
 * the zone: real queries over UDP to the target's name server when it is known (the checks'
 * setting, or what a sandbox says of itself), else a read of the zone through POA's API
 * (`pem.getDNSRecords`), and the sheet says which.
 */
import type { DnsLiveCheck, DnsSheet } from '../../../shared/model/cutover';
import type { DomainServices } from '../../../shared/model/domain-services';
import { toAppError } from '../errors';
import type { DomainServicesService } from '../inventory/domain-services';
import type { IpMapService } from '../ipmap/ipmap-service';
import { mapRecord } from '../ipmap/ip-rules';
import { asciiDomain } from '../migration/plan';
import { DEFAULT_OPTIONS } from '../migration/poa-pba-env';
import { recordData } from '../migration/poa-pba-kinds';
import type { SelectionService } from '../selection/selection-service';
import type { ServerService } from '../servers/server-service';
import { TargetCallError } from '../target/errors';
import { isPoaError } from '../target/poa-errors';
import type { PoaClient } from '../target/poa-client';
import type { TargetService } from '../target/target-service';
import { carriedRecords, liveFromRecords, sheetFor } from './dns-sheet';
import { type NameServer, queryNameServer } from '../checks/collect-dns';
import { QUERIED_TYPES, expectedRecords } from '../checks/compare-dns';

export interface DnsSheetDeps {
  /** Where the target's name server answers, when known (core/checks/target-servers.ts). */
  nameServer?(projectId: string): Promise<NameServer | undefined>;
  readonly servers: ServerService;
  readonly selection: SelectionService;
  readonly domainServices: DomainServicesService;
  readonly ipMap: IpMapService;
  readonly target: TargetService;
}

export const DNS_CHECK_NOTE = (ns: NameServer): string =>
  `Checked by real DNS queries over UDP to the target's name server ${ns.host}:${ns.port}: every record the switch relies on must be answered.`;

export const API_CHECK_NOTE =
  'Checked through the target\u2019s POA API (pem.getDNSRecords): no DNS query was sent, so this proves the target holds the zone, not that its name servers answer it over the network.';

/** How many domains' records are read from the target at once. */
const PARALLEL = 4;

export class DnsSheetService {
  constructor(private readonly deps: DnsSheetDeps) {}

  async sheet(
    projectId: string,
    options: { readonly domains?: readonly string[]; readonly live?: boolean } = {},
  ): Promise<DnsSheet> {
    const [services, selection, servers, ipMap] = await Promise.all([
      this.deps.domainServices.services(projectId),
      this.deps.selection.ids(projectId),
      this.deps.servers.list(projectId),
      this.deps.ipMap.table(projectId),
    ]);
    const names = new Map(servers.map((s) => [s.id, s.name]));
    const wanted = options.domains?.map((d) => asciiDomain(d));
    const todo: { serverId: string; svc: DomainServices; domain: string }[] = [];
    for (const [key, svc] of services) {
      const [serverId = '', domainId = ''] = key.split('\n');
      if (!svc.dnsZone || !selection.get(serverId)?.domains.has(domainId)) continue;
      const domain = asciiDomain(svc.domainName);
      if (wanted && !wanted.includes(domain)) continue;
      todo.push({ serverId, svc, domain });
    }
    todo.sort((a, b) => a.domain.localeCompare(b.domain));
    // The client, or why there is none (no target set, a review copy): said per domain.
    let poa: PoaClient | string = 'not asked (--no-live)';
    if (options.live !== false)
      poa = await this.deps.target
        .poa(projectId)
        .catch((e: unknown) => `the target could not be asked: ${toAppError(e).message}`);
    const ns =
      options.live === false ? undefined : await this.deps.nameServer?.(projectId).catch(() => undefined);
    const lives = new Map<string, DnsLiveCheck>();
    for (let i = 0; i < todo.length; i += PARALLEL)
      await Promise.all(
        todo.slice(i, i + PARALLEL).map(async (t) => {
          const zone = t.svc.dnsZone;
          if (!zone) return;
          if (ns) {
            lives.set(t.domain, await dnsLive(ns, zone, t.domain, ipMap));
            return;
          }
          const expected = carriedRecords(zone).map((r) => {
            const m = mapRecord(r, ipMap);
            return { host: m.host, type: m.type.toUpperCase(), data: recordData(m) };
          });
          lives.set(t.domain, await this.live(poa, t.domain, expected));
        }),
      );
    return {
      generatedAt: new Date().toISOString(),
      liveCheckNote: ns ? DNS_CHECK_NOTE(ns) : API_CHECK_NOTE,
      domains: todo.map((t) =>
        sheetFor({
          domain: t.domain,
          server: names.get(t.serverId) ?? t.serverId,
          zone: t.svc.dnsZone ?? { name: `${t.domain}.`, master: true, records: [] },
          ipMap,
          targetNameServers: DEFAULT_OPTIONS.nameServers,
          live: lives.get(t.domain) ?? unchecked('not checked'),
        }),
      ),
    };
  }

  private async live(
    poa: PoaClient | string,
    domain: string,
    expected: readonly { host: string; type: string; data: string }[],
  ): Promise<DnsLiveCheck> {
    if (typeof poa === 'string') return unchecked(poa, expected.length);
    try {
      return liveFromRecords(expected, await poa.getDnsRecords(domain), 'api');
    } catch (e) {
      if (e instanceof TargetCallError && isPoaError(e, 'noSuchDomain', 'noDnsHosting'))
        return liveFromRecords(expected, undefined, 'api');
      return unchecked(`the target did not answer: ${toAppError(e).message}`, expected.length);
    }
  }
}

/** The records the switch relies on, asked of the target's name server (the checks' canonical forms). */
async function dnsLive(
  ns: NameServer,
  zone: NonNullable<DomainServices['dnsZone']>,
  domain: string,
  ipMap: ReadonlyMap<string, string>,
): Promise<DnsLiveCheck> {
  const expected = expectedRecords(zone, domain, (r) => mapRecord(r, ipMap)).filter((r) =>
    (QUERIED_TYPES as readonly string[]).includes(r.type),
  );
  const answers = await queryNameServer(
    ns,
    expected.map((r) => ({ name: r.name, type: r.type })),
  );
  const byQuestion = new Map(answers.map((a) => [`${a.name} ${a.type}`, a]));
  const refused = answers.length > 0 && answers.every((a) => a.error !== undefined);
  if (refused)
    return {
      status: 'not-on-target',
      via: 'dns',
      expected: expected.length,
      found: 0,
      missing: [],
      message: `the name server does not answer the zone (${answers[0]?.error ?? 'no answer'})`,
    };
  const missing = expected
    .filter((r) => !(byQuestion.get(`${r.name} ${r.type}`)?.values ?? []).includes(r.data))
    .map((r) => `${r.name} ${r.type} ${r.data}`);
  const found = expected.length - missing.length;
  return {
    status: missing.length === 0 ? 'ready' : 'missing',
    via: 'dns',
    expected: expected.length,
    found,
    missing: missing.slice(0, 10),
    message:
      missing.length === 0
        ? `${found} of ${expected.length} records answered over UDP`
        : `${missing.length} of ${expected.length} records not answered: ${missing.slice(0, 3).join('; ')}${missing.length > 3 ? '; …' : ''}`,
  };
}

function unchecked(why: string, expected = 0): DnsLiveCheck {
  return { status: 'unchecked', via: 'api', expected, found: 0, missing: [], message: why };
}
