/**
 * The DNS check, pure: every record of the source zone (its addresses through the IP mapping
 * when there is one) must be answered by the target's name server to a real query and be
 * present in the target's API. SOA and the zone's own NS records are the target name servers'
 * business (the migration does not carry them) and are not expected.
 */
import type { DnsRecordModel, DnsZoneModel } from '../../../shared/model/domain-services';
import type { CheckDifference, CheckResult } from '../../../shared/model/checks';
import { type CanonicalRecord, absoluteName, canonicalData, recordKey } from './dns-names';
import { count, fail, resultOf, warn } from './result';

/** The record types the check asks the name server for (what the target's API can hold). */
export const QUERIED_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA'] as const;

export function carried(r: DnsRecordModel): boolean {
  return r.type.toUpperCase() !== 'SOA' && !(r.type.toUpperCase() === 'NS' && r.host === '@');
}

/**
 * The records the target should hold for a source zone, canonical; `map` rewrites a record as
 * the plan did (the IP mapping: addresses and SPF mechanisms).
 */
export function expectedRecords(
  zone: DnsZoneModel,
  domain: string,
  map: (r: DnsRecordModel) => DnsRecordModel = (r) => r,
): CanonicalRecord[] {
  return zone.records.filter(carried).map((source) => {
    const r = map(source);
    const type = r.type.toUpperCase();
    return {
      name: absoluteName(r.host, domain),
      type,
      data: canonicalData(type, r.data, domain, {
        ...(r.priority !== undefined ? { priority: r.priority } : {}),
        ...(r.weight !== undefined ? { weight: r.weight } : {}),
        ...(r.port !== undefined ? { port: r.port } : {}),
      }),
    };
  });
}

/** What the name server answered for one name and type: values, or why there are none. */
export interface DnsAnswer {
  readonly name: string;
  readonly type: string;
  readonly values: readonly string[];
  /** NXDOMAIN, REFUSED, timeout… (values is empty then). */
  readonly error?: string;
}

export function compareDns(
  domain: string,
  expected: readonly CanonicalRecord[],
  answers: readonly DnsAnswer[],
  api: readonly CanonicalRecord[] | { readonly error: string },
): CheckResult {
  const differences: CheckDifference[] = [];
  const answered = new Map(answers.map((a) => [`${a.name} ${a.type}`, a]));
  const inApi = Array.isArray(api) ? new Set((api as readonly CanonicalRecord[]).map(recordKey)) : undefined;
  if (!inApi)
    differences.push(
      fail(
        `zone ${domain}`,
        `the target's API did not list its records: ${(api as { error: string }).error}`,
      ),
    );
  for (const r of expected) {
    const object = `record ${r.name} ${r.type} ${r.data}`;
    const a = answered.get(`${r.name} ${r.type}`);
    if (!a) differences.push(fail(object, 'not asked of the name server'));
    else if (!a.values.includes(r.data))
      differences.push(
        fail(
          object,
          a.error
            ? `the target's name server answered ${a.error}`
            : a.values.length === 0
              ? "the target's name server has no such record"
              : `the target's name server answered ${a.values.join(', ')}`,
        ),
      );
    if (inApi && !inApi.has(recordKey(r))) differences.push(fail(object, "not in the target's API"));
  }
  if (inApi) {
    const want = new Set(expected.map(recordKey));
    for (const r of api as readonly CanonicalRecord[])
      if (!want.has(recordKey(r)))
        differences.push(warn(`record ${r.name} ${r.type} ${r.data}`, "in the target's API only"));
  }
  if (expected.length === 0) return resultOf('dns', differences, 'no DNS zone to compare');
  return resultOf(
    'dns',
    differences,
    `${count(expected.length, 'record')} answered over UDP and present in the API`,
  );
}
