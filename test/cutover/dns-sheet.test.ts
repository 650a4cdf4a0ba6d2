/**
 * The DNS switch sheet on real parts: the demo's Debian layout behind a real sshd (the real
 * linux agent), IP mapping set with `mm ip-map`, one domain migrated into the sandbox over real
 * HTTP. The sheet says per domain what to lower and when, what to switch, and whether the
 * target answers the zone, by real DNS queries over UDP to the sandbox's name server; a record
 * deleted on the target through pem.deleteDNSRecord is named.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsSheet } from '../../shared/model/cutover';
import { createCore } from '../../electron/core/core';
import { SANDBOX_IP_POOL } from '../../electron/sandbox/catalogue';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { PROJECT, freshRun, mm, mmOk, parseMigrate } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';

const SHARED_SOURCE = '203.0.113.10';
const SSL_DOMAIN = 'acme-widgets.test';
const pool = (kind: 'shared' | 'dedicated'): string =>
  SANDBOX_IP_POOL.filter((p) => p.kind === kind)
    .map((p) => p.address)
    .join(',');

describe('mm dns-sheet: what to switch and when, and whether the target answers', () => {
  let source: SharedSource;
  let run: { dataDir: string; sandbox: RunningSandbox };
  const OTHER = 'becker-torten.test';

  beforeAll(async () => {
    source = await sharedSource();
    run = await freshRun(source, { asyncMs: 20 });
    await mmOk(run.dataDir, ['ip-map', 'pool', '--shared', pool('shared'), '--dedicated', pool('dedicated')]);
    await mmOk(run.dataDir, ['ip-map', 'set', SHARED_SOURCE, '192.0.2.10']);
    await mmOk(run.dataDir, ['ip-map', 'suggest', '--apply']);
    const migrate = await mm(run.dataDir, ['migrate', '--domains', SSL_DOMAIN, '--json']);
    expect(parseMigrate(migrate).failures).toEqual([]);
  }, 300_000);

  afterAll(async () => {
    await run?.sandbox.close();
    await source?.stop();
  });

  const sheetOf = async (args: string[] = []): Promise<DnsSheet> =>
    JSON.parse((await mmOk(run.dataDir, ['dns-sheet', '--json', ...args])).stdout) as DnsSheet;

  it('per domain: the TTL to lower and how long before, the name servers and records to switch', async () => {
    const sheet = await sheetOf();
    const acme = sheet.domains.find((d) => d.domain === SSL_DOMAIN);
    // The demo zones say $TTL 3600: lowered to 300 s at least an hour before the switch.
    expect(acme).toMatchObject({
      oldTtl: 3600,
      lowerTtlTo: 300,
      waitBeforeSwitch: 3600,
      lowerTtlNeeded: true,
      sourceNameServers: ['ns1.demo-hosting.test', 'ns2.demo-hosting.test'],
      keepOldFor: 3600,
    });
    expect(acme?.targetNameServers.length).toBeGreaterThanOrEqual(2);
    expect(acme?.recordChanges.map((c) => `${c.host} ${c.type} ${c.from} ${c.to}`).sort()).toEqual([
      '@ A 203.0.113.10 192.0.2.10',
      'mail A 203.0.113.10 192.0.2.10',
      'shop A 203.0.113.10 192.0.2.10',
    ]);
    expect(acme?.steps[0]).toContain('At least 1 h before the switch');
    expect(sheet.liveCheckNote).toContain('real DNS queries over UDP');
  });

  it('the live check: a migrated zone is answered, one not migrated is not, a deleted record is named', async () => {
    let sheet = await sheetOf(['--domains', SSL_DOMAIN, OTHER]);
    const live = (d: string): DnsSheet['domains'][number]['live'] | undefined =>
      sheet.domains.find((x) => x.domain === d)?.live;
    expect(live(SSL_DOMAIN)).toMatchObject({ status: 'ready', via: 'dns', missing: [] });
    expect(live(SSL_DOMAIN)?.found).toBe(live(SSL_DOMAIN)?.expected);
    expect(live(OTHER)).toMatchObject({ status: 'not-on-target' });

    // Drift: a record removed on the target through the API.
    const records = (run.sandbox.state()['dnsRecords'] ?? []) as Record<string, unknown>[];
    const shop = records.find(
      (r) => r['domain_name'] === SSL_DOMAIN && r['host'] === 'shop' && r['type'] === 'A',
    );
    const core = createCore({ dataDir: run.dataDir, shell: 'test' });
    const poa = await core.target.poa(PROJECT);
    await poa.call('pem.deleteDNSRecord', { record_id: Number(shop?.['record_id']) }, 'shop A record');
    sheet = await sheetOf(['--domains', SSL_DOMAIN]);
    expect(live(SSL_DOMAIN)).toMatchObject({
      status: 'missing',
      missing: ['shop.acme-widgets.test A 192.0.2.10'],
    });
    expect(sheet.domains[0]?.steps[1]).toContain('do not switch');
  });

  it('as CSV (one row per domain) and self-contained HTML', async () => {
    const csv = (await mmOk(run.dataDir, ['dns-sheet', '--csv', '--domains', SSL_DOMAIN])).stdout;
    const [head, row] = csv.split('\r\n');
    expect(head).toBe(
      'domain,server,old TTL (s),lower TTL to (s),lower at least (s) before the switch,source name servers,target name servers,record changes,keep old server (s) after,target answers,checked via,live check',
    );
    expect(row).toMatch(/^acme-widgets\.test,Demo|^acme-widgets\.test,web01/);
    expect(row).toContain(',3600,300,3600,ns1.demo-hosting.test ns2.demo-hosting.test,');
    const out = join(run.dataDir, 'sheet.html');
    await mmOk(run.dataDir, ['dns-sheet', '--html', '--out', out]);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<title>DNS switch sheet</title>');
    expect(html).toContain('acme-widgets.test');
    expect(html).not.toContain('<script');
    const usage = await mm(run.dataDir, ['dns-sheet', '--out', out]);
    expect(usage.code).toBe(2);
  });
});
