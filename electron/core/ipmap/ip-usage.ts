/**
 * Which source IPs exist and which domains use them, from what the project already holds: the
 * inventories' hosts (their IPs, shared or exclusive) and, where domain services were fetched,
 * each domain's web hosting IP and the addresses its zone records point at; a domain whose
 * services were not fetched, its host's IPs (so every domain can be warned about). Pure.
 */
import type { DomainServices } from '../../../shared/model/domain-services';
import type { Inventory } from '../../../shared/model/inventory';
import { type SourceIp, canonicalIp, recordAddresses } from './ip-rules';

export interface UsageServer {
  readonly id: string;
  readonly name: string;
  readonly inventory: Inventory;
}

export interface SourceIpUsage {
  readonly type: SourceIp['type'];
  readonly servers: ReadonlySet<string>;
  /** objectKey(serverId, domainId) of the domains using it. */
  readonly domains: ReadonlySet<string>;
}

export interface DomainIpUse {
  readonly serverId: string;
  readonly domainName: string;
  /** Source IPs the domain's site or records use. */
  readonly ips: ReadonlySet<string>;
  /**
   * Absent: read from the domain's fetched services. 'only': its services are not fetched, and
   * its server has this one IP. 'several': not fetched, and `ips` are all its server's IPs (it
   * uses some of them; which is known only once its services are fetched).
   */
  readonly fromHost?: 'only' | 'several';
}

export interface IpUsage {
  readonly ips: ReadonlyMap<string, SourceIpUsage>;
  readonly domains: ReadonlyMap<string, DomainIpUse>;
}

interface MutableUsage {
  type: SourceIp['type'];
  servers: Set<string>;
  domains: Set<string>;
}

/**
 * `services` is keyed `<serverId>\n<domainId>` (verification's objectKey). A record address
 * counts only when it is a source IP, or one the engineer put in the table (a server's main
 * IP an agent does not list): another provider's servers are not ours to map. Those table-only
 * addresses have no server.
 */
export function ipUsage(
  servers: readonly UsageServer[],
  services: ReadonlyMap<string, DomainServices>,
  tableSources: Iterable<string> = [],
): IpUsage {
  const ips = new Map<string, MutableUsage>();
  const names = new Map(servers.map((s) => [s.id, s.name]));
  const note = (address: string, type: SourceIp['type'], serverName: string): void => {
    const u = ips.get(address) ?? { type, servers: new Set<string>(), domains: new Set<string>() };
    if (type === 'exclusive') u.type = 'exclusive';
    u.servers.add(serverName);
    ips.set(address, u);
  };
  for (const s of servers)
    for (const h of s.inventory.hosts)
      for (const ip of h.ips) {
        const c = canonicalIp(ip.address);
        if (c !== undefined) note(c, ip.type, s.name);
      }
  for (const [key, svc] of services) {
    const web = svc.webHosting?.ip !== undefined ? canonicalIp(svc.webHosting.ip) : undefined;
    const serverId = key.slice(0, key.indexOf('\n'));
    // A site's own IP is a source IP even when the inventory's host list does not name it.
    if (web !== undefined) note(web, 'shared', names.get(serverId) ?? serverId);
  }
  for (const a of tableSources)
    if (!ips.has(a)) ips.set(a, { type: 'shared', servers: new Set<string>(), domains: new Set<string>() });
  const domains = new Map<string, DomainIpUse>();
  for (const [key, svc] of services) {
    const serverId = key.slice(0, key.indexOf('\n'));
    const used = new Set<string>();
    const web = svc.webHosting?.ip !== undefined ? canonicalIp(svc.webHosting.ip) : undefined;
    if (web !== undefined) used.add(web);
    for (const r of svc.dnsZone?.records ?? [])
      for (const a of recordAddresses(r)) if (ips.has(a)) used.add(a);
    if (used.size === 0) continue;
    domains.set(key, { serverId, domainName: svc.domainName, ips: used });
    for (const a of used) ips.get(a)?.domains.add(key);
  }
  // Every inventoried domain counts, not only those whose services were fetched: verification
  // warns for every selected domain. Without services, a domain's IPs are its host's.
  for (const s of servers) {
    const only = s.inventory.hosts.length === 1 ? s.inventory.hosts[0] : undefined;
    for (const d of s.inventory.domains) {
      const key = `${s.id}\n${d.id}`;
      if (domains.has(key) || services.has(key)) continue;
      const host =
        (d.serverId !== undefined ? s.inventory.hosts.find((h) => h.id === d.serverId) : undefined) ?? only;
      const used = new Set<string>();
      for (const ip of host?.ips ?? []) {
        const c = canonicalIp(ip.address);
        if (c !== undefined) used.add(c);
      }
      if (used.size === 0) continue;
      const fromHost = used.size === 1 ? 'only' : 'several';
      domains.set(key, { serverId: s.id, domainName: d.asciiName ?? d.name, ips: used, fromHost });
      // Counted as a user of the IP only when it certainly is one.
      if (fromHost === 'only') for (const a of used) ips.get(a)?.domains.add(key);
    }
  }
  return { ips, domains };
}

/** The source IPs as the rules take them: a source server's (table-only ones are set already). */
export const sourceIps = (u: IpUsage): SourceIp[] =>
  [...u.ips].filter(([, x]) => x.servers.size > 0).map(([address, x]) => ({ address, type: x.type }));
