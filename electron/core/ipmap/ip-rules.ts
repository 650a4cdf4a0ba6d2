/**
 * IP mapping rules (SPEC R14), pure: which target IP each source IP becomes, and how a DNS
 * record reads once its addresses are mapped. No I/O here, so the rules are unit-tested on
 * plain data and the post-migration checks compare zones through the very same function.
 *
 * Rules, in order: an address the engineer set (by hand or by import) is kept as it is; a
 * dedicated (exclusive) source IP gets a free dedicated target IP; each shared source IP gets
 * a shared target IP of its own while there are enough; everything else gets the default.
 * A dedicated IP that fell back to the default is marked `exhausted`, so verification warns
 * about every object that uses it: never a silent fallback.
 */
import { isIP } from 'node:net';
import type { DnsRecordModel } from '../../../shared/model/domain-services';
import type { IpMapOrigin, IpRule, SourceIpType, TargetIpKind } from '../../../shared/model/ipmap';

export type { IpMapOrigin, IpRule, SourceIpType, TargetIpKind };

export interface SourceIp {
  readonly address: string;
  readonly type: SourceIpType;
}

export interface TargetIp {
  readonly address: string;
  readonly kind: TargetIpKind;
}

export interface IpMapEntry {
  readonly source: string;
  readonly target: string;
  readonly origin: IpMapOrigin;
  /** Set when origin is 'rule'. */
  readonly rule?: IpRule;
  /** A dedicated source IP that got the default because no dedicated target IP was free. */
  readonly exhausted?: boolean;
}

export interface IpSuggestion {
  readonly source: SourceIp;
  /** undefined: nothing to map it to (no pool and no default). */
  readonly entry: IpMapEntry | undefined;
}

/** The address in one canonical spelling (IPv6 compressed, lower case), or undefined. */
export function canonicalIp(text: string): string | undefined {
  const t = text.trim();
  const v = isIP(t);
  if (v === 4) return t;
  if (v === 6) {
    // The WHATWG URL parser prints IPv6 in its canonical compressed form (RFC 5952).
    try {
      return new URL(`http://[${t}]/`).hostname.slice(1, -1);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export const ipVersion = (address: string): 4 | 6 => (isIP(address) === 6 ? 6 : 4);

const byAddress = (a: { address: string }, b: { address: string }): number =>
  ipVersion(a.address) - ipVersion(b.address) || compareIp(a.address, b.address);

/** Numeric order for IPv4 (10.0.0.9 before 10.0.0.10), text order otherwise. */
export function compareIp(a: string, b: string): number {
  if (ipVersion(a) === 4 && ipVersion(b) === 4) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Proposes a target for every source IP. `fixed` (source → target) holds what the engineer set:
 * those stay and their targets are no longer free. Targets are taken in address order, sources
 * are served in address order, so the same inputs always give the same table. An IPv4 source
 * gets an IPv4 target and an IPv6 source an IPv6 one: a record type cannot change.
 */
export function suggestIpMap(
  sources: readonly SourceIp[],
  pool: readonly TargetIp[],
  defaultTarget: string | undefined,
  fixed: ReadonlyMap<string, IpMapEntry>,
): IpSuggestion[] {
  const used = new Set([...fixed.values()].map((e) => e.target));
  const free = (kind: TargetIpKind, version: 4 | 6): TargetIp[] =>
    [...pool]
      .filter((t) => t.kind === kind && ipVersion(t.address) === version && !used.has(t.address))
      .sort(byAddress);
  const defaultFor = (version: 4 | 6): string | undefined => {
    if (defaultTarget !== undefined && ipVersion(defaultTarget) === version) return defaultTarget;
    // Without a default of this IP version, the first shared IP of the pool serves as one.
    return [...pool].filter((t) => t.kind === 'shared' && ipVersion(t.address) === version).sort(byAddress)[0]
      ?.address;
  };
  const out: IpSuggestion[] = [];
  // Dedicated sources first: they need the scarce addresses; shared ones take what is left.
  const ordered = [...sources].sort(
    (a, b) => (a.type === b.type ? 0 : a.type === 'exclusive' ? -1 : 1) || byAddress(a, b),
  );
  for (const source of ordered) {
    const kept = fixed.get(source.address);
    if (kept) {
      out.push({ source, entry: kept });
      continue;
    }
    const version = ipVersion(source.address);
    const wanted: TargetIpKind = source.type === 'exclusive' ? 'dedicated' : 'shared';
    const next = free(wanted, version)[0];
    if (next) {
      used.add(next.address);
      out.push({
        source,
        entry: { source: source.address, target: next.address, origin: 'rule', rule: wanted },
      });
      continue;
    }
    const fallback = defaultFor(version);
    out.push({
      source,
      entry:
        fallback === undefined
          ? undefined
          : {
              source: source.address,
              target: fallback,
              origin: 'rule',
              rule: 'default',
              ...(source.type === 'exclusive' ? { exhausted: true } : {}),
            },
    });
  }
  return out.sort((a, b) => byAddress(a.source, b.source));
}

/** `ip4:` / `ip6:` mechanisms of an SPF record (RFC 7208), with an optional CIDR length. */
const SPF_MECHANISM = /\b(ip[46]):([0-9a-fA-F:.]+)(?=\/|\s|"|$)/g;

/**
 * A source record as it must read on the target: A and AAAA data, and the ip4:/ip6:
 * mechanisms of an SPF TXT record, go through the mapping; everything else is returned as it
 * is (the same object when nothing changed). Addresses not in the map (another provider's
 * servers) are never touched.
 */
export function mapRecord(record: DnsRecordModel, map: ReadonlyMap<string, string>): DnsRecordModel {
  if (map.size === 0) return record;
  const type = record.type.toUpperCase();
  if (type === 'A' || type === 'AAAA') {
    const canonical = canonicalIp(record.data);
    const target = canonical === undefined ? undefined : map.get(canonical);
    return target === undefined || target === record.data ? record : { ...record, data: target };
  }
  if (type === 'TXT' && /v=spf1/i.test(record.data)) {
    const data = record.data.replace(SPF_MECHANISM, (whole: string, mech: string, addr: string) => {
      const canonical = canonicalIp(addr);
      const target = canonical === undefined ? undefined : map.get(canonical);
      return target === undefined ? whole : `${mech}:${target}`;
    });
    return data === record.data ? record : { ...record, data };
  }
  return record;
}

/** The source addresses a record points at (A/AAAA data, SPF ip4:/ip6:), canonical. */
export function recordAddresses(record: DnsRecordModel): string[] {
  const type = record.type.toUpperCase();
  if (type === 'A' || type === 'AAAA') {
    const c = canonicalIp(record.data);
    return c === undefined ? [] : [c];
  }
  if (type === 'TXT' && /v=spf1/i.test(record.data))
    return [...record.data.matchAll(SPF_MECHANISM)]
      .map((m) => canonicalIp(m[2] ?? ''))
      .filter((a): a is string => a !== undefined);
  return [];
}

/** The plain source → target map of a table. */
export function mapOf(entries: readonly IpMapEntry[]): Map<string, string> {
  return new Map(entries.map((e) => [e.source, e.target]));
}
