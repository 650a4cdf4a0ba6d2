/**
 * The DNS collector at the edge: real queries over UDP to the target's name server
 * (node:dns's Resolver pointed at it alone), each answer in the canonical form of
 * dns-names.ts so it compares with the source's records as plain strings.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsAnswer } from './compare-dns';

export interface NameServer {
  readonly host: string;
  readonly port: number;
}

const lower = (n: string): string => n.replace(/\.$/, '').toLowerCase();

type Ask = (r: Resolver, name: string) => Promise<string[]>;

const ASK: Readonly<Record<string, Ask>> = {
  A: (r, n) => r.resolve4(n),
  AAAA: (r, n) => r.resolve6(n),
  CNAME: async (r, n) => (await r.resolveCname(n)).map(lower),
  NS: async (r, n) => (await r.resolveNs(n)).map(lower),
  MX: async (r, n) => (await r.resolveMx(n)).map((m) => `${m.priority} ${lower(m.exchange)}`),
  TXT: async (r, n) => (await r.resolveTxt(n)).map((chunks) => chunks.join('')),
  SRV: async (r, n) =>
    (await r.resolveSrv(n)).map((s) => `${s.priority} ${s.weight} ${s.port} ${lower(s.name)}`),
  CAA: async (r, n) =>
    (await r.resolveCaa(n)).map((c) => {
      const [tag, value] = Object.entries(c).find(([k]) => k !== 'critical') ?? ['', ''];
      return `${c.critical} ${tag.toLowerCase()} ${String(value)}`;
    }),
};

/** Asks the name server for each (name, type) once; "no records" is an empty answer, not an error. */
export async function queryNameServer(
  server: NameServer,
  questions: readonly { name: string; type: string }[],
): Promise<DnsAnswer[]> {
  const resolver = new Resolver({ timeout: 3_000, tries: 2 });
  resolver.setServers([
    server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`,
  ]);
  const unique = new Map(questions.map((q) => [`${q.name} ${q.type}`, q]));
  const out: DnsAnswer[] = [];
  for (const q of unique.values()) {
    const ask = ASK[q.type];
    if (!ask) {
      out.push({ name: q.name, type: q.type, values: [], error: `type ${q.type} is not queried` });
      continue;
    }
    try {
      out.push({ name: q.name, type: q.type, values: await ask(resolver, q.name) });
    } catch (e) {
      const code = (e as { code?: string }).code ?? String(e);
      out.push(
        code === 'ENODATA'
          ? { name: q.name, type: q.type, values: [] }
          : { name: q.name, type: q.type, values: [], error: code === 'ENOTFOUND' ? 'NXDOMAIN' : code },
      );
    }
  }
  return out;
}
