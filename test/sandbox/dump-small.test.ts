/**
 * `sandbox.dump` in pieces, for a small state: the pieces joined are the very document the codec
 * builds for the whole answer; the whole dump goes out chunked and equals its pages joined; an
 * asynchronous request keeps the objects it created only while it is set to fail.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { PoaClient } from '../../electron/core/target/poa-client';
import { encodeCall, encodeResponse } from '../../electron/core/target/xmlrpc-codec';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { startSandbox } from '../../electron/sandbox/sandbox';
import type { Row } from '../../electron/sandbox/store';
import { PiecedAnswer, RowList } from '../../electron/sandbox/xml-pieces';
import { tempDir } from '../helpers/paths';
import { customer, member } from '../target/fixtures';

const ODD: Row[] = [
  { s: 'a < b && c > d', cdata: 'x ]]> y', empty: '', crlf: 'one\r\ntwo', utf: 'Grüße, 東京 🎉' },
  { n: 42, neg: -7, d: 2.5, t: true, f: false, nil: null },
  { nested: { list: [1, 'two', { three: [] }], when: new Date(Date.UTC(2026, 11, 2, 3, 4, 5)) } },
  { bytes: Buffer.from('\u0000binary\u00ff', 'latin1'), list: [] },
];

describe('an answer in pieces', () => {
  it('joins to the document the codec builds for the whole value, whatever the slice', () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({ ...ODD[i % ODD.length], i }));
    const upper = (r: Row): Row => ({ ...r, mapped: true });
    const whole = encodeResponse({ head: 'x&y', rows: rows.map(upper), none: [], after: { k: 1 } });
    for (const slice of [1, 2, 3, 7, 1000]) {
      const answer = new PiecedAnswer({
        head: 'x&y',
        rows: new RowList(rows, upper),
        none: new RowList([]),
        after: { k: 1 },
      });
      const pieces = [...answer.pieces(slice)];
      expect(pieces.join('')).toBe(whole);
      // the head; per member its name, its value (or a list's head) and its end; the list's rows
      // a slice a piece and its tail (an empty list is one piece); the tail
      expect(pieces.length).toBe(1 + 4 * 3 + Math.ceil(rows.length / slice) + 1 + 1);
    }
  });
});

describe('sandbox.dump of a small state', () => {
  let sandbox: RunningSandbox;
  let poa: PoaClient;
  beforeAll(async () => {
    sandbox = await startSandbox({ dataDir: await tempDir('mm-sandbox-'), asyncMs: 300 });
    poa = new PoaClient({ url: sandbox.poaUrl }, { timeoutMs: 5000 });
    const accountId = await poa.addAccount(customer('small-dump@example.com'));
    await poa.addAccountMember(member(accountId, 'small-staff', 'Small-Secret&3'));
    const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
    for (let i = 0; i < 25; i++) await poa.addDomain({ subscription_id: sub, domain_name: `d${i}.example` });
  });
  afterAll(() => sandbox.close());

  it('goes out chunked, and equals its pages joined, counts included', async () => {
    const raw = await new Promise<{ chunked: boolean; body: string }>((resolve, reject) => {
      const req = request(
        sandbox.poaUrl,
        { method: 'POST', headers: { 'Content-Type': 'text/xml' } },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ chunked: res.headers['transfer-encoding'] === 'chunked', body }));
        },
      );
      req.on('error', reject);
      req.end(encodeCall('sandbox.dump', []));
    });
    expect(raw.chunked).toBe(true);
    expect(raw.body).toContain('<string>small-staff</string>');

    const whole = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', [{}]);
    if (whole.kind !== 'value') throw new Error('no dump');
    const dump = whole.value as Record<string, unknown>;
    const counts = dump['counts'] as Record<string, number>;
    expect(counts['domains']).toBe(25);
    expect(dump).toHaveProperty('content_sites');
    expect(dump).toHaveProperty('errors');
    expect(JSON.stringify(dump)).not.toContain('password_sha256');
    for (const [table, count] of Object.entries(counts)) {
      expect(dump[table], table).toHaveLength(count);
      const paged: unknown[] = [];
      for (let offset = 0; offset < count || offset === 0; offset += 4) {
        const page = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.dump', [{ table, offset, limit: 4 }]);
        if (page.kind !== 'value') throw new Error(`no page of ${table}`);
        const value = page.value as { rows: unknown[]; total: number; counts: unknown };
        expect(value.total).toBe(count);
        expect(value.counts).toEqual(counts);
        paged.push(...value.rows);
      }
      expect(paged, table).toEqual(dump[table]);
    }
  });

  it('keeps a request’s objects only while it is set to fail', async () => {
    const state = (): Row[] => sandbox.state()['requests'] ?? [];
    const accountId = await poa.addAccount(customer('requests@example.com'));
    const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
    const ok = await poa.begin({ requestId: 'req-kept-nothing' });
    await poa.addDomain({ subscription_id: sub, domain_name: 'fine.example' }, ok);
    await poa.commit(ok);
    expect(state().find((r) => r['request_id'] === 'req-kept-nothing')).not.toHaveProperty('objects');

    sandbox.faults.add({ method: 'pem.addDomain', nth: 1, action: 'fail-request', message: 'web01 is down' });
    const doomed = await poa.begin({ requestId: 'req-doomed' });
    const domainId = await poa.addDomain({ subscription_id: sub, domain_name: 'doomed.example' }, doomed);
    await poa.commit(doomed);
    expect(state().find((r) => r['request_id'] === 'req-doomed')?.['objects']).toEqual([
      ['domains', domainId],
    ]);
    let status = await poa.requestStatus('req-doomed');
    while (status.state === 'running') {
      await new Promise((r) => setTimeout(r, 50));
      status = await poa.requestStatus('req-doomed');
    }
    expect(status).toEqual({ state: 'failed', messages: ['web01 is down'] });
    const failed = state().find((r) => r['request_id'] === 'req-doomed');
    expect(failed).toMatchObject({ failed: true, fail_message: 'web01 is down' });
    expect(failed).not.toHaveProperty('objects');
    expect((sandbox.state()['domains'] ?? []).map((d) => d['domain_name'])).not.toContain('doomed.example');
    expect((await poa.getDomainByName('fine.example')).subscription_id).toBe(sub);
  });
});
