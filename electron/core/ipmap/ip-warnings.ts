/**
 * Verification's IP warnings (R14: never a silent fallback), per domain: a dedicated source IP
 * that got the default because the target ran out of dedicated IPs, and, once the engineer uses
 * IP mapping at all, a source IP the table does not map (its records would keep pointing at the
 * old server). Every inventoried domain is looked at — one whose services were not fetched by its
 * server's IPs (ip-usage.ts). Pure; the verification engine appends them to the domain's reasons.
 */
import type { ResultReason } from '../../../shared/model/verification';
import { few, reason } from '../verification/reason';
import type { IpMapEntry } from './ip-rules';
import type { IpUsage } from './ip-usage';

export function ipDomainReasons(
  usage: IpUsage,
  entries: ReadonlyMap<string, IpMapEntry>,
  /** False while the project has no pool and no entry: IP mapping is not in use, nothing warns. */
  inUse: boolean,
): Map<string, ResultReason[]> {
  const out = new Map<string, ResultReason[]>();
  if (!inUse) return out;
  for (const [key, d] of usage.domains) {
    const reasons: ResultReason[] = [];
    const unmapped: string[] = [];
    // Without its services, a domain on a server with several IPs uses one of them: said so.
    const maybe = d.fromHost === 'several';
    const which = maybe ? ` (one of its server's IPs: fetch its services to know which)` : '';
    for (const address of [...d.ips].sort()) {
      const e = entries.get(address);
      if (!e) {
        unmapped.push(address);
        continue;
      }
      if (e.exhausted && usage.ips.get(address)?.type === 'exclusive')
        reasons.push(
          reason(
            'ip-dedicated-exhausted',
            maybe
              ? `${d.domainName} may use the dedicated IP ${address}${which}, but the target has no free dedicated IP: it would get the default ${e.target}, shared with other sites.`
              : `${d.domainName} uses the dedicated IP ${address}, but the target has no free dedicated IP: it gets the default ${e.target}, shared with other sites.`,
          ),
        );
    }
    if (unmapped.length > 0)
      reasons.push(
        reason(
          'ip-not-mapped',
          `${d.domainName} ${maybe ? 'may use' : 'uses'} ${few(unmapped)}${which}, which the IP mapping does not map: its records would keep pointing to the old server.`,
        ),
      );
    if (reasons.length > 0) out.set(key, reasons);
  }
  return out;
}
