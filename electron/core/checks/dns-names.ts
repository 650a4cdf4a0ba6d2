/**
 * DNS record values in one canonical form, so a record of the source zone, the same record in
 * the target's API and the target name server's answer compare as equal strings. Shared by the
 * checks and the sandbox's name server (which must read the API's data the same way).
 * Names are absolute, lower case, without the trailing dot; a name without a trailing dot in
 * zone data is relative to the zone ("mail" → mail.example.com), "@" is the zone itself.
 */

export function absoluteName(name: string, zone: string): string {
  const z = zone.replace(/\.$/, '').toLowerCase();
  const n = name.trim();
  if (n === '@' || n === '') return z;
  if (n.endsWith('.')) return n.slice(0, -1).toLowerCase();
  return `${n}.${z}`.toLowerCase();
}

export interface CanonicalRecord {
  /** Absolute owner name. */
  readonly name: string;
  readonly type: string;
  /** The value in canonical form ("10 mail.example.com", "v=spf1 a mx -all"). */
  readonly data: string;
}

/** Strips one layer of double quotes from TXT-like data ("v=spf1 -all" → v=spf1 -all). */
function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/** Canonical data of a record given in zone or API form (MX/SRV details may lead the data). */
export function canonicalData(
  type: string,
  data: string,
  zone: string,
  extra: { priority?: number; weight?: number; port?: number } = {},
): string {
  const t = type.toUpperCase();
  const parts = data.trim().split(/\s+/);
  switch (t) {
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return absoluteName(data, zone);
    case 'MX': {
      const [pref, host] =
        parts.length >= 2 && /^\d+$/.test(parts[0] ?? '')
          ? [Number(parts[0]), parts[1] ?? '']
          : [extra.priority ?? 10, parts[0] ?? ''];
      return `${pref} ${absoluteName(host, zone)}`;
    }
    case 'SRV': {
      const lead = parts.length >= 4 && parts.slice(0, 3).every((p) => /^\d+$/.test(p));
      const [prio, weight, port, host] = lead
        ? [Number(parts[0]), Number(parts[1]), Number(parts[2]), parts[3] ?? '']
        : [extra.priority ?? 0, extra.weight ?? 0, extra.port ?? 0, parts[0] ?? ''];
      return `${prio} ${weight} ${port} ${absoluteName(host, zone)}`;
    }
    case 'TXT':
      return unquote(data);
    case 'CAA': {
      const [flags, tag, ...value] = parts;
      return `${Number(flags ?? 0)} ${(tag ?? '').toLowerCase()} ${unquote(value.join(' '))}`;
    }
    case 'AAAA':
      return canonicalIpv6(data.trim());
    default:
      return data.trim();
  }
}

export const recordKey = (r: CanonicalRecord): string => `${r.name} ${r.type} ${r.data}`;

/** One spelling per IPv6 address (URL parsing compresses and lower-cases it, as resolvers print it). */
function canonicalIpv6(ip: string): string {
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}
