/**
 * Which source IPs exist and which domains use them, from what the project already holds: the
 * inventories' hosts (their IPs, shared or exclusive) and, where domain services were fetched,
 * each domain's web hosting IP and the addresses its zone records point at. Pure.
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
  return { ips, domains };
}

/** The source IPs as the rules take them: a source server's (table-only ones are set already). */
export const sourceIps = (u: IpUsage): SourceIp[] =>
  [...u.ips].filter(([, x]) => x.servers.size > 0).map(([address, x]) => ({ address, type: x.type }));
