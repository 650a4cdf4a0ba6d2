/**
 * The DNS switch sheet of a project (SPEC R14): one entry per selected domain with a source
 * zone, built from its domain services, the IP mapping and the target's name servers (the
 * same ones the migration gives the registrar), with a live check that the target answers
 * the zone. The check reads the target's zone through POA's API (`pem.getDNSRecords`): the
 * sandbox serves no DNS over UDP yet, so the sheet says the check was made through the API.
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

export interface DnsSheetDeps {
  readonly servers: ServerService;
  readonly selection: SelectionService;
  readonly domainServices: DomainServicesService;
  readonly ipMap: IpMapService;
  readonly target: TargetService;
}

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
    const lives = new Map<string, DnsLiveCheck>();
    for (let i = 0; i < todo.length; i += PARALLEL)
      await Promise.all(
        todo.slice(i, i + PARALLEL).map(async (t) => {
          const zone = t.svc.dnsZone;
          if (!zone) return;
          const expected = carriedRecords(zone).map((r) => {
            const m = mapRecord(r, ipMap);
            return { host: m.host, type: m.type.toUpperCase(), data: recordData(m) };
          });
          lives.set(t.domain, await this.live(poa, t.domain, expected));
        }),
      );
    return {
      generatedAt: new Date().toISOString(),
      liveCheckNote: API_CHECK_NOTE,
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

function unchecked(why: string, expected = 0): DnsLiveCheck {
  return { status: 'unchecked', via: 'api', expected, found: 0, missing: [], message: why };
}
