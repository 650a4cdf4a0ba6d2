/**
 * The sandbox's name server: answers DNS queries over UDP for every zone it hosts (a domain
 * with DNS hosting), from the records its API holds — what the target's name servers would
 * answer once the registrar points there. Post-migration checks ask it real questions.
 * Authoritative only: a name outside its zones is REFUSED, a name in a zone with no records
 * is NXDOMAIN, a name with records but none of the asked type is an empty NOERROR answer.
 * Record data is read as the API stores it (dns-names.ts: relative names, MX/SRV details
 * leading the data). Answers are written without name compression; no TCP, no recursion.
 */
import { type RemoteInfo, type Socket, createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { absoluteName, canonicalData } from '../core/checks/dns-names';
import type { View } from './store';

const TYPE_CODES: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  CAA: 257,
};
const ANY = 255;
const CLASS_IN = 1;
const RCODE = { noError: 0, formErr: 1, nxDomain: 3, notImp: 4, refused: 5 } as const;

export interface ZoneRecord {
  readonly host: string;
  readonly type: string;
  readonly data: string;
  readonly ttl: number;
}

/** The zone a name belongs to and that zone's records, or undefined when none is hosted here. */
export type ZoneLookup = (name: string) => { zone: string; records: readonly ZoneRecord[] } | undefined;

/** Zones from the sandbox's tables: the longest hosted domain the name ends in. */
export function storeZones(store: View): ZoneLookup {
  return (name) => {
    const labels = name.toLowerCase().split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const candidate = labels.slice(i).join('.');
      const d = store.unique<{ domain_id: number; domain_name: string }>('domains', 'name', candidate);
      if (!d || !store.get('dnsHostings', d.domain_id)) continue;
      const records = store
        .group<{ host: string; type: string; data: string; ttl?: number }>('dnsRecords', 'domain', candidate)
        .map((r) => ({ host: r.host, type: r.type, data: r.data, ttl: r.ttl ?? 3600 }));
      return { zone: candidate, records };
    }
    return undefined;
  };
}

function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.replace(/\.$/, '').split('.')) {
    if (label === '') continue;
    const b = Buffer.from(label, 'utf8');
    if (b.length > 63) throw new Error(`label "${label}" is longer than 63 bytes`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};

function ipv6Bytes(ip: string): Buffer {
  const [left, right] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const l = (left ?? '').split(':').filter(Boolean);
  const r = right === undefined ? [] : right.split(':').filter(Boolean);
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r];
  if (groups.length !== 8) throw new Error(`"${ip}" is not an IPv6 address`);
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}

/** RDATA of one record from its canonical data (names absolute). */
function rdata(type: string, data: string): Buffer {
  const p = data.split(' ');
  switch (type) {
    case 'A':
      return Buffer.from(data.split('.').map(Number));
    case 'AAAA':
      return ipv6Bytes(data);
    case 'CNAME':
    case 'NS':
      return encodeName(data);
    case 'MX':
      return Buffer.concat([u16(Number(p[0])), encodeName(p[1] ?? '')]);
    case 'SRV':
      return Buffer.concat([u16(Number(p[0])), u16(Number(p[1])), u16(Number(p[2])), encodeName(p[3] ?? '')]);
    case 'TXT': {
      const bytes = Buffer.from(data, 'utf8');
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length || i === 0; i += 255) {
        const c = bytes.subarray(i, i + 255);
        chunks.push(Buffer.from([c.length]), c);
      }
      return Buffer.concat(chunks);
    }
    case 'CAA': {
      const tag = Buffer.from(p[1] ?? '', 'ascii');
      return Buffer.concat([
        Buffer.from([Number(p[0]) & 0xff, tag.length]),
        tag,
        Buffer.from(p.slice(2).join(' ')),
      ]);
    }
    default:
      throw new Error(`type ${type} cannot be answered`);
  }
}

interface Question {
  readonly id: number;
  readonly flags: number;
  readonly name: string;
  readonly type: number;
  readonly klass: number;
  /** The question section as it came, echoed back. */
  readonly raw: Buffer;
}

function parseQuestion(msg: Buffer): Question | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let i = 12;
  for (;;) {
    const len = msg[i];
    if (len === undefined || len > 63) return undefined;
    i++;
    if (len === 0) break;
    if (i + len > msg.length) return undefined;
    labels.push(msg.subarray(i, i + len).toString('utf8'));
    i += len;
  }
  if (i + 4 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(i),
    klass: msg.readUInt16BE(i + 2),
    raw: msg.subarray(12, i + 4),
  };
}

function reply(q: Question, rcode: number, answers: readonly Buffer[]): Buffer {
  // QR, the request's opcode and RD, AA (we are the zone's authority), no recursion available.
  const flags = 0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | rcode;
  const header = Buffer.concat([u16(q.id), u16(flags), u16(1), u16(answers.length), u16(0), u16(0)]);
  return Buffer.concat([header, q.raw, ...answers]);
}

/** The answer to one query message (undefined: not even a question to answer; dropped). */
export function answerQuery(msg: Buffer, zones: ZoneLookup): Buffer | undefined {
  const q = parseQuestion(msg);
  if (!q) {
    if (msg.length < 12) return undefined;
    const header = Buffer.from(msg.subarray(0, 12));
    header.writeUInt16BE(0x8000 | (msg.readUInt16BE(2) & 0x7900) | RCODE.formErr, 2);
    header.fill(0, 4);
    return header;
  }
  if ((q.flags & 0x7800) !== 0) return reply(q, RCODE.notImp, []);
  const zone = q.klass === CLASS_IN ? zones(q.name) : undefined;
  if (!zone) return reply(q, RCODE.refused, []);
  const all = zone.records
    .map((r) => {
      const type = r.type.toUpperCase();
      return {
        type,
        ttl: r.ttl,
        name: absoluteName(r.host, zone.zone),
        data: canonicalData(type, r.data, zone.zone),
      };
    })
    .filter((r) => TYPE_CODES[r.type] !== undefined);
  if (q.name !== zone.zone && !all.some((r) => r.name === q.name)) return reply(q, RCODE.nxDomain, []);
  // A name with a CNAME answers every other type with the CNAME, followed inside the zone
  // (as an authoritative server does, so a stub resolver gets the addresses in one answer).
  const chosen: typeof all = [];
  let name = q.name;
  for (let hops = 0; hops < 8; hops++) {
    const here = all.filter((r) => r.name === name);
    const matching = here.filter((r) => q.type === ANY || TYPE_CODES[r.type] === q.type);
    const cname = here.find((r) => r.type === 'CNAME');
    if (matching.length > 0 || !cname) {
      chosen.push(...matching);
      break;
    }
    chosen.push(cname);
    name = cname.data;
  }
  const answers = chosen.map((r) => {
    const body = rdata(r.type, r.data);
    const ttl = Buffer.alloc(4);
    ttl.writeUInt32BE(r.ttl >>> 0);
    return Buffer.concat([
      encodeName(r.name),
      u16(TYPE_CODES[r.type] ?? 0),
      u16(CLASS_IN),
      ttl,
      u16(body.length),
      body,
    ]);
  });
  return reply(q, RCODE.noError, answers);
}

export interface RunningDnsServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on UDP (port 0: a free one) and answers from `zones` until closed. */
export async function startDnsServer(
  zones: ZoneLookup,
  port = 0,
  host = '127.0.0.1',
): Promise<RunningDnsServer> {
  const socket: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (msg: Buffer, from: RemoteInfo) => {
    let out: Buffer | undefined;
    try {
      out = answerQuery(msg, zones);
    } catch {
      // A record the sandbox cannot encode: answer SERVFAIL rather than nothing.
      const q = parseQuestion(msg);
      out = q ? reply(q, 2, []) : undefined;
    }
    if (out) socket.send(out, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  return {
    host,
    port: (socket.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
