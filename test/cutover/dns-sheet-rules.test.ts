/**
 * The DNS switch sheet's rules, pure: the TTL to lower and how long to wait (at least the old
 * TTL), the records the IP mapping changes, and the live check read through the API when no
 * name server can be asked.
 */
import { describe, expect, it } from 'vitest';
import type { DnsZoneModel } from '../../shared/model/domain-services';
import { duration, liveFromRecords, sheetFor } from '../../electron/core/cutover/dns-sheet';

const zone: DnsZoneModel = {
  name: 'example.test.',
  ttl: 86_400,
  master: true,
  records: [
    { host: '@', type: 'SOA', data: 'ns1.old.test. hostmaster.old.test. 1 3h 15m 1w 300' },
    { host: '@', type: 'NS', data: 'ns1.old.test.', ttl: 172_800 },
    { host: '@', type: 'NS', data: 'ns2.old.test.', ttl: 172_800 },
    { host: '@', type: 'A', data: '10.0.0.5', ttl: 600 },
    { host: 'www', type: 'CNAME', data: '@' },
    { host: '@', type: 'TXT', data: 'v=spf1 ip4:10.0.0.5 -all' },
  ],
};
const ready = liveFromRecords([], [], 'api');

describe('sheetFor', () => {
  it('lowers the TTL to 300 s at least the longest old TTL before the switch, and keeps the old server the NS TTL', () => {
    const d = sheetFor({
      domain: 'example.test',
      server: 'web01',
      zone,
      ipMap: new Map([['10.0.0.5', '192.0.2.10']]),
      targetNameServers: ['ns1.new.test', 'ns2.new.test'],
      live: ready,
    });
    expect(d).toMatchObject({
      oldTtl: 172_800,
      lowerTtlTo: 300,
      waitBeforeSwitch: 172_800,
      lowerTtlNeeded: true,
      sourceNameServers: ['ns1.old.test', 'ns2.old.test'],
      keepOldFor: 172_800,
    });
    expect(d.recordChanges).toEqual([
      { host: '@', type: 'A', ttl: 600, from: '10.0.0.5', to: '192.0.2.10' },
      { host: '@', type: 'TXT', from: 'v=spf1 ip4:10.0.0.5 -all', to: 'v=spf1 ip4:192.0.2.10 -all' },
    ]);
    expect(d.steps[0]).toBe(
      'At least 2 d before the switch: on the old name servers, lower the TTL of every record of example.test (and $TTL) from 2 d to 300 s.',
    );
    expect(d.steps[2]).toBe(
      'Switch at the registrar: name servers ns1.old.test, ns2.old.test → ns1.new.test, ns2.new.test.',
    );
  });

  it('needs no lowering when the TTL is short already, and says so', () => {
    const short: DnsZoneModel = {
      ...zone,
      ttl: 300,
      records: [{ host: '@', type: 'A', data: '10.0.0.5', ttl: 300 }],
    };
    const d = sheetFor({
      domain: 'x.test',
      server: 's',
      zone: short,
      ipMap: new Map(),
      targetNameServers: [],
      live: ready,
    });
    expect(d).toMatchObject({ lowerTtlNeeded: false, waitBeforeSwitch: 0, recordChanges: [] });
    expect(d.steps[0]).toContain('no need to lower it');
  });

  it('says "do not switch" while the target does not answer the zone', () => {
    const live = liveFromRecords([{ host: '@', type: 'A', data: '192.0.2.10' }], undefined, 'api');
    const d = sheetFor({
      domain: 'x.test',
      server: 's',
      zone,
      ipMap: new Map(),
      targetNameServers: [],
      live,
    });
    expect(live.status).toBe('not-on-target');
    expect(d.steps[1]).toContain('do not switch');
  });
});

describe('liveFromRecords (through the API)', () => {
  it('names what the target lacks, comparing host, type and data', () => {
    const expected = [
      { host: '@', type: 'A', data: '192.0.2.10' },
      { host: 'www', type: 'CNAME', data: 'example.test.' },
    ];
    expect(liveFromRecords(expected, [{ host: '@', type: 'A', data: '192.0.2.10' }], 'api')).toMatchObject({
      status: 'missing',
      found: 1,
      missing: ['www CNAME example.test.'],
    });
    expect(
      liveFromRecords(expected, [...expected.map((r) => ({ ...r, host: r.host.toUpperCase() }))], 'api')
        .status,
    ).toBe('ready');
  });

  it('reads durations at a glance', () => {
    expect([duration(300), duration(3600), duration(5400), duration(90_000)]).toEqual([
      '5 min',
      '1 h',
      '1 h 30 min',
      '1 d 1 h',
    ]);
  });
});
