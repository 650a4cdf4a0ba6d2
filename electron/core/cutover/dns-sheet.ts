/**
 * The DNS switch sheet for one domain (SPEC R14), pure: from the source zone, the IP mapping
 * and the target's name servers, what to change and when. Resolvers keep an answer for its
 * TTL, so the TTL is lowered first and the switch waits until the old TTL has run out
 * everywhere; after the switch the old server keeps answering for as long as resolvers may
 * still hold the old NS records.
 */
import type { DnsRecordModel, DnsZoneModel } from '../../../shared/model/domain-services';
import type { DnsLiveCheck, DnsRecordChange, DnsSheetDomain } from '../../../shared/model/cutover';
import { mapRecord } from '../ipmap/ip-rules';

/** What the TTL is lowered to before a switch: five minutes, the usual floor resolvers honour. */
export const LOW_TTL = 300;
/** A zone without any TTL (no $TTL, none per record) is taken as a day's, the cautious guess. */
export const UNKNOWN_TTL = 86_400;

const ttlOf = (zone: DnsZoneModel, r: DnsRecordModel): number => r.ttl ?? zone.ttl ?? UNKNOWN_TTL;

/** The records the plan creates on the target (SOA and the apex NS belong to its own name servers). */
export const carriedRecords = (zone: DnsZoneModel): DnsRecordModel[] =>
  zone.records.filter(
    (r) => r.type.toUpperCase() !== 'SOA' && !(r.type.toUpperCase() === 'NS' && r.host === '@'),
  );

const bare = (name: string): string => name.replace(/\.$/, '').toLowerCase();

/** "1 h 30 min", "2 d", "300 s": durations engineers read at a glance. */
export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d ? `${d} d` : '', h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ');
}

export interface SheetInput {
  readonly domain: string;
  readonly server: string;
  readonly zone: DnsZoneModel;
  readonly ipMap: ReadonlyMap<string, string>;
  readonly targetNameServers: readonly string[];
  readonly live: DnsLiveCheck;
}

export function sheetFor(input: SheetInput): DnsSheetDomain {
  const { zone } = input;
  const carried = carriedRecords(zone);
  const oldTtl = Math.max(zone.ttl ?? 0, ...zone.records.map((r) => ttlOf(zone, r)), 0) || UNKNOWN_TTL;
  const apexNs = zone.records.filter((r) => r.type.toUpperCase() === 'NS' && r.host === '@');
  const sourceNameServers = [...new Set(apexNs.map((r) => bare(r.data)))];
  const keepOldFor = Math.max(0, ...apexNs.map((r) => ttlOf(zone, r))) || oldTtl;
  const recordChanges: DnsRecordChange[] = [];
  for (const r of carried) {
    const mapped = mapRecord(r, input.ipMap);
    if (mapped.data !== r.data)
      recordChanges.push({
        host: r.host,
        type: r.type.toUpperCase(),
        ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
        from: r.data,
        to: mapped.data,
      });
  }
  const lowerTtlNeeded = oldTtl > LOW_TTL;
  const target = input.targetNameServers.join(', ');
  const steps = [
    lowerTtlNeeded
      ? `At least ${duration(oldTtl)} before the switch: on the old name servers, lower the TTL of every record of ${input.domain} (and $TTL) from ${duration(oldTtl)} to ${LOW_TTL} s.`
      : `The TTL of ${input.domain} is ${duration(oldTtl)} already: no need to lower it; wait ${duration(oldTtl)} after any change.`,
    input.live.status === 'ready'
      ? `Before the switch: the target answers the zone (${input.live.message}).`
      : `Before the switch: the target does not answer the zone yet (${input.live.message}); do not switch.`,
    `Switch at the registrar: name servers ${sourceNameServers.join(', ') || '(none in the source zone)'} → ${target || '(the target\u2019s name servers)'}.`,
    recordChanges.length > 0
      ? `Or, keeping the old name servers: change ${recordChanges.length} record(s) there (${recordChanges
          .slice(0, 3)
          .map((c) => `${c.host} ${c.type} ${c.from} → ${c.to}`)
          .join('; ')}${recordChanges.length > 3 ? '; …' : ''}).`
      : 'Or, keeping the old name servers: no record changes its address (the IP mapping maps none of them).',
    `After the switch: keep the old server answering for at least ${duration(keepOldFor)} (the NS records' TTL), plus the TLD's own delegation TTL.`,
  ];
  return {
    domain: input.domain,
    server: input.server,
    oldTtl,
    lowerTtlTo: LOW_TTL,
    waitBeforeSwitch: lowerTtlNeeded ? oldTtl : 0,
    lowerTtlNeeded,
    sourceNameServers,
    targetNameServers: [...input.targetNameServers],
    recordChanges,
    keepOldFor,
    live: input.live,
    steps,
  };
}

/** Compares what the target holds with what the switch relies on (mapped, in POA's spelling). */
export function liveFromRecords(
  expected: readonly { host: string; type: string; data: string }[],
  held: readonly { host: string; type: string; data: string }[] | undefined,
  via: DnsLiveCheck['via'],
): DnsLiveCheck {
  if (held === undefined)
    return {
      status: 'not-on-target',
      via,
      expected: expected.length,
      found: 0,
      missing: [],
      message: 'no zone on the target',
    };
  const key = (r: { host: string; type: string; data: string }): string =>
    `${r.host.toLowerCase()} ${r.type.toUpperCase()} ${bare(r.data)}`;
  const have = new Set(held.map(key));
  const missing = expected
    .filter((r) => !have.has(key(r)))
    .map((r) => `${r.host} ${r.type.toUpperCase()} ${r.data}`);
  const found = expected.length - missing.length;
  return {
    status: missing.length === 0 ? 'ready' : 'missing',
    via,
    expected: expected.length,
    found,
    missing: missing.slice(0, 10),
    message:
      missing.length === 0
        ? `${found} of ${expected.length} records answered`
        : `${missing.length} of ${expected.length} records missing: ${missing.slice(0, 3).join('; ')}${missing.length > 3 ? '; …' : ''}`,
  };
}
