/**
 * IP mapping on real parts: the demo's Debian layout behind a real sshd, inventoried and its
 * domain services fetched by the real linux agent, the sandbox target over real HTTP. The
 * engineer's `mm ip-map` commands build the table; verification warns per domain when the
 * target has no dedicated IP left for a site that had one; `mm migrate` creates the zone
 * records with the mapped addresses, read back from the sandbox's own state.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpMapSuggestResult, IpMapView } from '../../shared/model/ipmap';
import { createCore } from '../../electron/core/core';
import { mapRecord } from '../../electron/core/ipmap/ip-rules';
import { SANDBOX_IP_POOL } from '../../electron/sandbox/catalogue';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { PROJECT, SERVER, freshRun, mm, mmOk, parseMigrate } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';

const SHARED_SOURCE = '203.0.113.10'; // every demo zone's A records; not in the agent's host list
const SSL_SOURCE = '203.0.113.11'; // acme-widgets.test's own IP: exclusive on the source
const SSL_DOMAIN = 'acme-widgets.test';
const pool = (kind: 'shared' | 'dedicated'): string =>
  SANDBOX_IP_POOL.filter((p) => p.kind === kind)
    .map((p) => p.address)
    .join(',');

async function domainReasons(dataDir: string, name: string): Promise<string[]> {
  const core = createCore({ dataDir, shell: 'test' });
  await core.verification.run(PROJECT);
  const results = await core.verification.all(PROJECT);
  const d = results.find((r) => r.kind === 'domain' && r.name === name);
  if (!d) throw new Error(`no verification result for ${name}`);
  return d.reasons.map((r) => `${r.code}: ${r.message}`);
}

describe('mm ip-map: rules, warnings and records rewritten in the sandbox', () => {
  let source: SharedSource;
  let run: { dataDir: string; sandbox: RunningSandbox };

  beforeAll(async () => {
    source = await sharedSource();
    run = await freshRun(source, { asyncMs: 20 });
  }, 300_000);

  afterAll(async () => {
    await run?.sandbox.close();
    await source?.stop();
  });

  it('lists the source IPs from the inventory and the fetched services', async () => {
    const view = JSON.parse((await mmOk(run.dataDir, ['ip-map', 'list', '--json'])).stdout) as IpMapView;
    const ssl = view.rows.find((r) => r.source === SSL_SOURCE);
    expect(ssl).toMatchObject({ sourceType: 'exclusive', servers: [SERVER], domains: 1 });
    expect(ssl?.target).toBeUndefined();
    expect(view.pool).toEqual([]);
  });

  it('refuses to suggest without a pool, and refuses bad addresses naming them', async () => {
    const r = await mm(run.dataDir, ['ip-map', 'suggest']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('The target IP pool is empty');
    const bad = await mm(run.dataDir, ['ip-map', 'pool', '--shared', '192.0.2.10,192.0.2.999']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"192.0.2.999" is not an IPv4 or IPv6 address. (shared[1])');
  });

  it('warns per domain when the target has no free dedicated IP, never silently', async () => {
    await mmOk(run.dataDir, ['ip-map', 'pool', '--shared', pool('shared')]);
    const r = JSON.parse(
      (await mmOk(run.dataDir, ['ip-map', 'suggest', '--apply', '--json'])).stdout,
    ) as IpMapSuggestResult;
    expect(r.exhausted).toEqual([SSL_SOURCE]);
    expect(r.rows.find((x) => x.source === SSL_SOURCE)).toMatchObject({
      target: '192.0.2.10',
      rule: 'default',
      exhausted: true,
    });
    const text = (await mmOk(run.dataDir, ['ip-map', 'list'])).stdout;
    expect(text).toMatch(
      /203\.0\.113\.11\s+exclusive\s+web01\s+1\s+192\.0\.2\.10\s+default: no free dedicated IP/,
    );
    const reasons = await domainReasons(run.dataDir, SSL_DOMAIN);
    expect(reasons).toContain(
      `ip-dedicated-exhausted: ${SSL_DOMAIN} uses the dedicated IP ${SSL_SOURCE}, but the target has no free dedicated IP: it gets the default 192.0.2.10, shared with other sites.`,
    );
    // The zone's A records point at the server's main IP, which the agent does not list as a
    // source IP: nothing is said about it until the engineer puts it in the table (next test).
    expect(reasons.filter((x) => x.startsWith('ip-'))).toHaveLength(1);
  });

  it('imports a two-column file, naming line and value of a bad line', async () => {
    const bad = join(run.dataDir, 'bad.csv');
    await writeFile(bad, `source,target\n${SHARED_SOURCE},192.0.2.11\n10.1.1.1;not-an-ip\n`);
    const refused = await mm(run.dataDir, ['ip-map', 'import', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('bad.csv line 3: the target "not-an-ip" is not an IPv4 or IPv6 address');
    const good = join(run.dataDir, 'ips.csv');
    await writeFile(good, `# main IP of web01\n${SHARED_SOURCE}\t192.0.2.11\n`);
    expect((await mmOk(run.dataDir, ['ip-map', 'import', good])).stdout).toContain(
      'Imported 1 mapping(s) from ips.csv.',
    );
    const view = JSON.parse((await mmOk(run.dataDir, ['ip-map', 'list', '--json'])).stdout) as IpMapView;
    expect(view.rows.find((x) => x.source === SHARED_SOURCE)).toMatchObject({
      target: '192.0.2.11',
      origin: 'import',
      sourceType: 'unknown',
    });
    // Every demo domain with a zone uses it: its records count it now.
    expect(view.rows.find((x) => x.source === SHARED_SOURCE)?.domains).toBeGreaterThan(3);
  });

  it('with a dedicated IP in the pool, the warning goes; migrated records hold the mapped addresses', async () => {
    await mmOk(run.dataDir, ['ip-map', 'pool', '--shared', pool('shared'), '--dedicated', pool('dedicated')]);
    await mmOk(run.dataDir, ['ip-map', 'set', SHARED_SOURCE, '192.0.2.10']);
    const r = JSON.parse(
      (await mmOk(run.dataDir, ['ip-map', 'suggest', '--apply', '--json'])).stdout,
    ) as IpMapSuggestResult;
    expect(r.exhausted).toEqual([]);
    expect(r.rows.find((x) => x.source === SSL_SOURCE)).toMatchObject({
      target: '192.0.2.20',
      rule: 'dedicated',
    });
    // What the engineer set stays.
    expect(r.rows.find((x) => x.source === SHARED_SOURCE)).toMatchObject({
      target: '192.0.2.10',
      origin: 'manual',
    });
    const reasons = await domainReasons(run.dataDir, SSL_DOMAIN);
    expect(reasons.filter((x) => x.startsWith('ip-'))).toEqual([]);

    const migrate = await mm(run.dataDir, ['migrate', '--domains', SSL_DOMAIN, '--json']);
    const result = parseMigrate(migrate);
    expect(result.failures).toEqual([]);
    expect(migrate.code).toBe(0);

    const core = createCore({ dataDir: run.dataDir, shell: 'test' });
    const services = [...(await core.domainServices.services(PROJECT)).values()].find(
      (s) => s.domainName === SSL_DOMAIN,
    );
    const table = await core.ipMap.table(PROJECT);
    const expected = (services?.dnsZone?.records ?? [])
      .filter((x) => x.type !== 'SOA' && !(x.type === 'NS' && x.host === '@'))
      .map((x) => mapRecord(x, table));
    const held = (run.sandbox.state()['dnsRecords'] ?? []) as Record<string, unknown>[];
    const mine = held.filter((x) => String(x['domain_name']).toLowerCase() === SSL_DOMAIN);
    const aRecords = mine
      .filter((x) => x['type'] === 'A')
      .map((x) => `${String(x['host'])} ${String(x['data'])}`);
    expect(aRecords.sort()).toEqual(
      expected
        .filter((x) => x.type === 'A')
        .map((x) => `${x.host} ${x.data}`)
        .sort(),
    );
    expect(aRecords.length).toBeGreaterThanOrEqual(3);
    expect(mine.every((x) => x['type'] !== 'A' || x['data'] === '192.0.2.10')).toBe(true);
    expect(mine.some((x) => String(x['data']).includes('203.0.113.'))).toBe(false);
    expect(mine.length).toBe(expected.length);
  });
});
