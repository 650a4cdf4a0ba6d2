/**
 * IP mapping rules (SPEC R14): dedicated to free dedicated, shared to a shared IP of its own
 * while there are enough, else the default; running out is marked, never silent. Records are
 * rewritten through the map; the two-column import names line and value of every problem.
 */
import { describe, expect, it } from 'vitest';
import { parseIpMapFile } from '../../electron/core/ipmap/ip-import';
import { ipUsage } from '../../electron/core/ipmap/ip-usage';
import { ipDomainReasons } from '../../electron/core/ipmap/ip-warnings';
import {
  type IpMapEntry,
  type SourceIp,
  type TargetIp,
  canonicalIp,
  mapRecord,
  recordAddresses,
  suggestIpMap,
} from '../../electron/core/ipmap/ip-rules';

const src = (address: string, type: SourceIp['type'] = 'shared'): SourceIp => ({ address, type });
const tgt = (address: string, kind: TargetIp['kind']): TargetIp => ({ address, kind });
const targets = (s: ReturnType<typeof suggestIpMap>): Record<string, string | undefined> =>
  Object.fromEntries(s.map((x) => [x.source.address, x.entry?.target]));

describe('suggestIpMap', () => {
  const pool = [
    tgt('203.0.113.20', 'dedicated'),
    tgt('203.0.113.10', 'shared'),
    tgt('203.0.113.21', 'dedicated'),
    tgt('203.0.113.11', 'shared'),
  ];

  it('gives each dedicated source a free dedicated IP and each shared source a shared IP of its own', () => {
    const s = suggestIpMap(
      [src('10.0.0.5'), src('10.0.0.9', 'exclusive'), src('10.0.0.6'), src('10.0.0.10', 'exclusive')],
      pool,
      undefined,
      new Map(),
    );
    expect(targets(s)).toEqual({
      '10.0.0.5': '203.0.113.10',
      '10.0.0.6': '203.0.113.11',
      '10.0.0.9': '203.0.113.20',
      '10.0.0.10': '203.0.113.21',
    });
    expect(s.map((x) => x.entry?.rule)).toEqual(['shared', 'shared', 'dedicated', 'dedicated']);
    expect(s.some((x) => x.entry?.exhausted)).toBe(false);
  });

  it('falls back to the default when the dedicated IPs run out, and marks it exhausted', () => {
    const s = suggestIpMap(
      [src('10.0.0.1', 'exclusive'), src('10.0.0.2', 'exclusive'), src('10.0.0.3', 'exclusive')],
      pool,
      '203.0.113.99',
      new Map(),
    );
    expect(targets(s)).toEqual({
      '10.0.0.1': '203.0.113.20',
      '10.0.0.2': '203.0.113.21',
      '10.0.0.3': '203.0.113.99',
    });
    const last = s[2]?.entry;
    expect(last).toMatchObject({ rule: 'default', exhausted: true, origin: 'rule' });
  });

  it('shares the default among shared sources once the shared IPs are used, without marking them', () => {
    const s = suggestIpMap([src('10.0.0.1'), src('10.0.0.2'), src('10.0.0.3')], pool, undefined, new Map());
    // No default given: the first shared IP of the pool serves as the default.
    expect(targets(s)).toEqual({
      '10.0.0.1': '203.0.113.10',
      '10.0.0.2': '203.0.113.11',
      '10.0.0.3': '203.0.113.10',
    });
    expect(s[2]?.entry).toMatchObject({ rule: 'default' });
    expect(s[2]?.entry?.exhausted).toBeUndefined();
  });

  it('keeps what the engineer set and does not hand out its target again', () => {
    const fixed = new Map<string, IpMapEntry>([
      ['10.0.0.2', { source: '10.0.0.2', target: '203.0.113.20', origin: 'manual' }],
    ]);
    const s = suggestIpMap(
      [src('10.0.0.1', 'exclusive'), src('10.0.0.2', 'exclusive')],
      pool,
      undefined,
      fixed,
    );
    expect(targets(s)).toEqual({ '10.0.0.1': '203.0.113.21', '10.0.0.2': '203.0.113.20' });
    expect(s[1]?.entry?.origin).toBe('manual');
  });

  it('maps IPv6 only to IPv6, and leaves a source unmapped when there is nothing of its version', () => {
    const s = suggestIpMap(
      [src('2001:db8::5'), src('10.0.0.1')],
      [tgt('203.0.113.10', 'shared')],
      undefined,
      new Map(),
    );
    expect(targets(s)).toEqual({ '10.0.0.1': '203.0.113.10', '2001:db8::5': undefined });
  });

  it('with no pool and no default, maps nothing', () => {
    expect(suggestIpMap([src('10.0.0.1', 'exclusive')], [], undefined, new Map())[0]?.entry).toBeUndefined();
  });
});

describe('mapRecord', () => {
  const map = new Map([
    ['10.0.0.5', '203.0.113.10'],
    ['2001:db8::5', '2001:db8:ffff::10'],
  ]);

  it('rewrites A and AAAA data, and leaves foreign addresses and other types alone', () => {
    expect(mapRecord({ host: '@', type: 'A', data: '10.0.0.5', ttl: 300 }, map)).toEqual({
      host: '@',
      type: 'A',
      data: '203.0.113.10',
      ttl: 300,
    });
    expect(mapRecord({ host: 'www', type: 'AAAA', data: '2001:DB8:0:0::5' }, map).data).toBe(
      '2001:db8:ffff::10',
    );
    const foreign = { host: 'x', type: 'A', data: '198.51.100.7' };
    expect(mapRecord(foreign, map)).toBe(foreign);
    const cname = { host: 'www', type: 'CNAME', data: '10.0.0.5' };
    expect(mapRecord(cname, map)).toBe(cname);
  });

  it('rewrites the ip4:/ip6: mechanisms of an SPF record, keeping CIDR lengths', () => {
    const r = mapRecord(
      { host: '@', type: 'TXT', data: 'v=spf1 a mx ip4:10.0.0.5 ip4:10.0.0.5/32 ip6:2001:db8::5 ~all' },
      map,
    );
    expect(r.data).toBe('v=spf1 a mx ip4:203.0.113.10 ip4:203.0.113.10/32 ip6:2001:db8:ffff::10 ~all');
    expect(recordAddresses({ host: '@', type: 'TXT', data: 'v=spf1 ip4:10.0.0.5 -all' })).toEqual([
      '10.0.0.5',
    ]);
  });

  it('changes nothing with an empty map', () => {
    const r = { host: '@', type: 'A', data: '10.0.0.5' };
    expect(mapRecord(r, new Map())).toBe(r);
  });
});

describe('canonicalIp', () => {
  it('accepts IPv4 and IPv6 in canonical form and refuses the rest', () => {
    expect(canonicalIp(' 10.0.0.1 ')).toBe('10.0.0.1');
    expect(canonicalIp('2001:0DB8:0000::0001')).toBe('2001:db8::1');
    expect(canonicalIp('10.0.0.300')).toBeUndefined();
    expect(canonicalIp('example.com')).toBeUndefined();
  });
});

describe('parseIpMapFile', () => {
  it('reads commas, semicolons, tabs and spaces, a header, comments and blank lines', () => {
    const text =
      'source,target\n10.0.0.1, 203.0.113.10\n\n# a comment\n10.0.0.2;203.0.113.11\n10.0.0.3\t203.0.113.12\n"10.0.0.4"   "203.0.113.13"  # trailing\n';
    expect(parseIpMapFile(text, 'ips.csv')).toEqual([
      { source: '10.0.0.1', target: '203.0.113.10', line: 2 },
      { source: '10.0.0.2', target: '203.0.113.11', line: 5 },
      { source: '10.0.0.3', target: '203.0.113.12', line: 6 },
      { source: '10.0.0.4', target: '203.0.113.13', line: 7 },
    ]);
  });

  it('names the file, line and value of every problem and refuses the whole file', () => {
    const text =
      '10.0.0.1,203.0.113.10\n10.0.0.300,203.0.113.11\n10.0.0.3\n10.0.0.4,2001:db8::1\n10.0.0.1,203.0.113.99\n10.0.0.6,nowhere\n';
    let message = '';
    try {
      parseIpMapFile(text, 'ips.csv');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'ips.csv line 2: the source "10.0.0.300" is not an IPv4 or IPv6 address',
      'ips.csv line 3: expected two columns (source IP, target IP), found 1: "10.0.0.3"',
      'ips.csv line 4: "10.0.0.4" is IPv4 but "2001:db8::1" is IPv6; an A record cannot become an AAAA record',
      'ips.csv line 5: "10.0.0.1" is mapped again, to "203.0.113.99" (line 1 maps it to "203.0.113.10")',
      'ips.csv line 6: the target "nowhere" is not an IPv4 or IPv6 address',
    ]);
  });

  it('takes a first line naming the columns as a header, however it names them', () => {
    expect(parseIpMapFile('Source IP;Target IP\n10.0.0.1;203.0.113.10\n', 'ips.csv')).toEqual([
      { source: '10.0.0.1', target: '203.0.113.10', line: 2 },
    ]);
    // Only the first line: a later one like it is a mistake, named.
    expect(() => parseIpMapFile('10.0.0.1,203.0.113.10\nsource,target\n', 'ips.csv')).toThrow(
      'ips.csv line 2: the source "source" is not an IPv4 or IPv6 address',
    );
  });

  it('refuses a file without any pair', () => {
    expect(() => parseIpMapFile('# nothing\n\n', 'empty.txt')).toThrow(
      'empty.txt holds no "source target" line.',
    );
  });
});

/** A source host with one shared and one dedicated IP, as both ipUsage suites need it. */
const HOST_H1 = {
  id: 'h1',
  roles: [],
  ips: [
    { address: '10.0.0.5', type: 'shared' as const },
    { address: '10.0.0.9', type: 'exclusive' as const },
  ],
};

describe('ipUsage and ipDomainReasons', () => {
  const inventory = {
    apiVersion: 2 as const,
    platform: { kind: 'linux' },
    hosts: [HOST_H1],
    templates: [],
    accounts: [],
    subscriptions: [],
    domains: [],
  };
  const services = new Map([
    [
      'web01\nd1',
      {
        domainId: 'd1',
        domainName: 'one.test',
        webHosting: {
          hostname: 'one.test',
          ip: '10.0.0.9',
          enabled: true,
          aliases: [],
          subdomains: [],
          php: false,
        },
        dnsZone: {
          name: 'one.test.',
          master: true,
          records: [
            { host: '@', type: 'A', data: '10.0.0.5' },
            { host: 'ext', type: 'A', data: '198.51.100.1' },
          ],
        },
        databases: [],
        ftpUsers: [],
        webUsers: [],
        cronJobs: [],
      },
    ],
  ]);
  const usage = ipUsage([{ id: 'web01', name: 'Web 01', inventory }], services);

  it('counts the source IPs a domain uses, never another provider’s', () => {
    expect([...(usage.domains.get('web01\nd1')?.ips ?? [])].sort()).toEqual(['10.0.0.5', '10.0.0.9']);
    expect(usage.ips.has('198.51.100.1')).toBe(false);
    expect(usage.ips.get('10.0.0.9')).toMatchObject({ type: 'exclusive' });
  });

  it('says nothing while IP mapping is not in use', () => {
    expect(ipDomainReasons(usage, new Map(), false).size).toBe(0);
  });

  it('warns about a dedicated IP that fell back, and about a used IP left unmapped', () => {
    const entries = new Map<string, IpMapEntry>([
      [
        '10.0.0.9',
        { source: '10.0.0.9', target: '203.0.113.10', origin: 'rule', rule: 'default', exhausted: true },
      ],
    ]);
    const reasons = ipDomainReasons(usage, entries, true).get('web01\nd1') ?? [];
    expect(reasons.map((r) => [r.code, r.severity, r.message])).toEqual([
      [
        'ip-dedicated-exhausted',
        'warning',
        'one.test uses the dedicated IP 10.0.0.9, but the target has no free dedicated IP: it gets the default 203.0.113.10, shared with other sites.',
      ],
      [
        'ip-not-mapped',
        'warning',
        'one.test uses 10.0.0.5, which the IP mapping does not map: its records would keep pointing to the old server.',
      ],
    ]);
    const mapped = new Map<string, IpMapEntry>([
      ['10.0.0.9', { source: '10.0.0.9', target: '203.0.113.20', origin: 'rule', rule: 'dedicated' }],
      ['10.0.0.5', { source: '10.0.0.5', target: '203.0.113.10', origin: 'manual' }],
    ]);
    expect(ipDomainReasons(usage, mapped, true).size).toBe(0);
  });
});

describe('IP warnings for every inventoried domain, services fetched or not', () => {
  const domain = (id: string, name: string, serverId?: string) => ({
    id,
    name,
    accountId: 'a1',
    kind: 'regular' as const,
    status: 'active' as const,
    content: [],
    ...(serverId ? { serverId } : {}),
  });
  const inventory = {
    apiVersion: 2 as const,
    platform: { kind: 'linux' },
    hosts: [HOST_H1, { id: 'h2', roles: [], ips: [{ address: '10.0.1.7', type: 'exclusive' as const }] }],
    templates: [],
    accounts: [],
    subscriptions: [],
    // No services fetched for any of them.
    domains: [
      domain('d1', 'several.test', 'h1'),
      domain('d2', 'only.test', 'h2'),
      domain('d3', 'nohost.test'),
    ],
  };
  const usage = ipUsage([{ id: 'web01', name: 'Web 01', inventory }], new Map());

  it("takes a domain's IPs from its host: the one it has, or all of them marked as a guess", () => {
    expect(usage.domains.get('web01\nd2')).toMatchObject({ ips: new Set(['10.0.1.7']), fromHost: 'only' });
    expect(usage.domains.get('web01\nd1')).toMatchObject({
      ips: new Set(['10.0.0.5', '10.0.0.9']),
      fromHost: 'several',
    });
    // A domain naming no host, on a server with two hosts: no IP can be said.
    expect(usage.domains.has('web01\nd3')).toBe(false);
    // Only the certain user is counted against the IP.
    expect([...(usage.ips.get('10.0.1.7')?.domains ?? [])]).toEqual(['web01\nd2']);
    expect(usage.ips.get('10.0.0.9')?.domains.size).toBe(0);
  });

  it('warns about them too: a certain IP plainly, a guessed one as "may use"', () => {
    const entries = new Map<string, IpMapEntry>([
      [
        '10.0.1.7',
        { source: '10.0.1.7', target: '203.0.113.10', origin: 'rule', rule: 'default', exhausted: true },
      ],
      [
        '10.0.0.9',
        { source: '10.0.0.9', target: '203.0.113.10', origin: 'rule', rule: 'default', exhausted: true },
      ],
    ]);
    const reasons = ipDomainReasons(usage, entries, true);
    expect((reasons.get('web01\nd2') ?? []).map((r) => r.message)).toEqual([
      'only.test uses the dedicated IP 10.0.1.7, but the target has no free dedicated IP: it gets the default 203.0.113.10, shared with other sites.',
    ]);
    expect((reasons.get('web01\nd1') ?? []).map((r) => [r.code, r.message])).toEqual([
      [
        'ip-dedicated-exhausted',
        "several.test may use the dedicated IP 10.0.0.9 (one of its server's IPs: fetch its services to know which), but the target has no free dedicated IP: it would get the default 203.0.113.10, shared with other sites.",
      ],
      [
        'ip-not-mapped',
        "several.test may use 10.0.0.5 (one of its server's IPs: fetch its services to know which), which the IP mapping does not map: its records would keep pointing to the old server.",
      ],
    ]);
  });
});
