/**
 * The sandbox's name server over real UDP: a zone made through the sandbox's POA API
 * (account, subscription, domain, DNS hosting, records), asked with node:dns's Resolver
 * (c-ares). Every type the API holds is answered in the
 * canonical form the checks compare; a deleted record is gone at once; names outside the
 * sandbox's zones are refused, unknown names in a zone are NXDOMAIN.
 */
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryNameServer } from '../../electron/core/checks/collect-dns';
import { type DnsRecordType, PoaClient } from '../../electron/core/target/poa-client';
import { type RunningSandbox, startSandbox } from '../../electron/sandbox/sandbox';
import { tempDir } from '../helpers/paths';
import { customer } from '../target/fixtures';

let sandbox: RunningSandbox;
let poa: PoaClient;

const RECORDS: { host: string; type: DnsRecordType; data: string }[] = [
  { host: '@', type: 'A', data: '192.0.2.10' },
  { host: 'www', type: 'CNAME', data: 'zone.test.' },
  { host: '@', type: 'MX', data: '10 mail.zone.test.' },
  { host: 'mail', type: 'A', data: '192.0.2.11' },
  { host: 'v6', type: 'AAAA', data: '2001:db8::11' },
  { host: '@', type: 'TXT', data: `v=spf1 a mx -all ${'x'.repeat(300)}` },
  { host: '_sip._tcp', type: 'SRV', data: '5 10 5060 sip.zone.test.' },
  { host: '@', type: 'CAA', data: '0 issue "letsencrypt.org"' },
  { host: 'sub', type: 'NS', data: 'ns1.elsewhere.test.' },
];

beforeAll(async () => {
  sandbox = await startSandbox({ dataDir: await tempDir('mm-dns-sandbox-') });
  poa = new PoaClient({ url: sandbox.poaUrl }, { timeoutMs: 10_000 });
  const accountId = await poa.addAccount(customer('zoe@zone.test'));
  const subscriptionId = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
  const domainId = await poa.addDomain({ subscription_id: subscriptionId, domain_name: 'zone.test' });
  await poa.addDnsHosting({ domain_id: domainId, hosting_rt_id: 9 });
  for (const r of RECORDS) await poa.createDnsRecord({ domain_name: 'zone.test', ttl: 600, ...r });
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
});

describe('the sandbox answers DNS over UDP for its zones', () => {
  it('answers every record type in the form the checks compare', async () => {
    const questions = [
      { name: 'zone.test', type: 'A' },
      { name: 'www.zone.test', type: 'CNAME' },
      { name: 'zone.test', type: 'MX' },
      { name: 'v6.zone.test', type: 'AAAA' },
      { name: 'zone.test', type: 'TXT' },
      { name: '_sip._tcp.zone.test', type: 'SRV' },
      { name: 'zone.test', type: 'CAA' },
      { name: 'sub.zone.test', type: 'NS' },
      { name: 'mail.zone.test', type: 'AAAA' },
      { name: 'nothing.zone.test', type: 'A' },
      { name: 'example.org', type: 'A' },
    ];
    const answers = await queryNameServer(sandbox.nameServer, questions);
    expect(answers).toEqual([
      { name: 'zone.test', type: 'A', values: ['192.0.2.10'] },
      { name: 'www.zone.test', type: 'CNAME', values: ['zone.test'] },
      { name: 'zone.test', type: 'MX', values: ['10 mail.zone.test'] },
      { name: 'v6.zone.test', type: 'AAAA', values: ['2001:db8::11'] },
      { name: 'zone.test', type: 'TXT', values: [`v=spf1 a mx -all ${'x'.repeat(300)}`] },
      { name: '_sip._tcp.zone.test', type: 'SRV', values: ['5 10 5060 sip.zone.test'] },
      { name: 'zone.test', type: 'CAA', values: ['0 issue letsencrypt.org'] },
      { name: 'sub.zone.test', type: 'NS', values: ['ns1.elsewhere.test'] },
      { name: 'mail.zone.test', type: 'AAAA', values: [] },
      { name: 'nothing.zone.test', type: 'A', values: [], error: 'NXDOMAIN' },
      { name: 'example.org', type: 'A', values: [], error: 'EREFUSED' },
    ]);
  });

  it('follows a CNAME for other types, and forgets a record deleted through the API at once', async () => {
    const r = new Resolver();
    r.setServers([`${sandbox.nameServer.host}:${sandbox.nameServer.port}`]);
    expect(await r.resolve4('www.zone.test')).toEqual(['192.0.2.10']);
    const mail = (await poa.getDnsRecords('zone.test')).find((x) => x.host === 'mail' && x.type === 'A');
    expect(mail).toBeDefined();
    await poa.call('pem.deleteDNSRecord', { record_id: mail?.record_id ?? 0 }, 'record');
    await expect(r.resolve4('mail.zone.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
