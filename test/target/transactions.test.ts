import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POA_ERRORS } from '../../electron/core/target/poa-errors';
import { PoaClient } from '../../electron/core/target/poa-client';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { customer, freshSandbox, rejection } from './fixtures';

const ASYNC_MS = 400;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitDone(
  poa: PoaClient,
  requestId: string,
): Promise<{ state: string; messages: string[]; polls: number }> {
  for (let polls = 1; ; polls++) {
    const s = await poa.requestStatus(requestId);
    if (s.state !== 'running') return { ...s, polls };
    await sleep(50);
  }
}

describe('POA transactions and asynchronous requests (txn.*, pem.getRequestStatus)', () => {
  let sandbox: RunningSandbox;
  let poa: PoaClient;
  let accountId: number;
  beforeAll(async () => {
    sandbox = await freshSandbox({ asyncMs: ASYNC_MS });
    poa = new PoaClient({ url: sandbox.poaUrl }, { timeoutMs: 5000 });
    accountId = await poa.addAccount(customer('txn@example.com'));
  });
  afterAll(() => sandbox.close());

  it('stages calls (ids at once, nothing applied), commits atomically, runs the request, then it is done', async () => {
    const txn = await poa.begin({ requestId: 'req-commit', timeoutSec: 60 });
    const sub = await poa.activateSubscription(
      {
        account_id: accountId,
        service_template_id: 12,
        subscription_id: 9001,
        parameters: [{ var_name: 'domain_name', var_value: 'staged.example' }],
      },
      txn,
    );
    expect(sub).toBe(9001);
    const domain = await poa.addDomain({ subscription_id: sub, domain_name: 'second.example' }, txn);
    expect(domain).toBeGreaterThan(0);
    // Staged: not visible outside the transaction.
    expect((await rejection(poa.getDomainByName('staged.example'))).extypeId).toBe(
      POA_ERRORS.noSuchDomain.extypeId,
    );
    await poa.commit(txn);
    // Committed: visible to look-ups at once, while the request is still running.
    expect((await poa.getDomainByName('second.example')).domain_id).toBe(domain);
    expect((await poa.requestStatus('req-commit')).state).toBe('running');
    // Calls that depend on objects still being provisioned are refused with a named extype.
    const early = await rejection(
      poa.addMailbox({
        subscription_id: sub,
        name: 'a',
        domain_name: 'staged.example',
        password: 'pw',
        password_crypted: false,
        quota: 1,
      }),
    );
    expect({ moduleId: early.moduleId, extypeId: early.extypeId }).toEqual(
      POA_ERRORS.subscriptionProvisioning,
    );
    const started = Date.now();
    const done = await waitDone(poa, 'req-commit');
    expect(done.state).toBe('done');
    expect(done.polls).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(ASYNC_MS + 500);
    await poa.addMailbox({
      subscription_id: sub,
      name: 'a',
      domain_name: 'staged.example',
      password: 'pw',
      password_crypted: false,
      quota: 1,
    });
  });

  it('DNS records wait for DNS hosting that is still being provisioned', async () => {
    const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 12 });
    const domainId = await poa.addDomain({ subscription_id: sub, domain_name: 'dnswait.example' });
    const txn = await poa.begin({ requestId: 'req-dns' });
    await poa.addDnsHosting({ domain_id: domainId, hosting_rt_id: 9 }, txn);
    // Inside the same transaction the record may follow the hosting at once.
    await poa.createDnsRecord(
      { domain_name: 'dnswait.example', host: '@', type: 'TXT', data: 'in the same transaction' },
      txn,
    );
    await poa.commit(txn);
    const e = await rejection(
      poa.createDnsRecord({ domain_name: 'dnswait.example', host: 'www', type: 'A', data: '192.0.2.7' }),
    );
    expect({ moduleId: e.moduleId, extypeId: e.extypeId }).toEqual(POA_ERRORS.dnsHostingProvisioning);
    expect((await waitDone(poa, 'req-dns')).state).toBe('done');
    await poa.createDnsRecord({ domain_name: 'dnswait.example', host: 'www', type: 'A', data: '192.0.2.7' });
    expect((await poa.getDnsRecords('dnswait.example')).map((r) => r.host)).toEqual(['@', 'www']);
  });

  it('rollback discards what was staged; a refused staged call leaves the transaction open', async () => {
    const txn = await poa.begin({ requestId: 'req-rollback' });
    const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 11 }, txn);
    await rejection(poa.addDomain({ subscription_id: sub, domain_name: 'bad_name!.example' }, txn));
    await poa.addDomain({ subscription_id: sub, domain_name: 'rolled-back.example' }, txn);
    await poa.rollback(txn);
    await rejection(poa.getDomainByName('rolled-back.example'));
    await rejection(poa.getSubscription(sub));
    const e = await rejection(poa.commit(txn));
    expect({ moduleId: e.moduleId, extypeId: e.extypeId }).toEqual(POA_ERRORS.noSuchTransaction);
    // The request of a rolled-back transaction never existed.
    expect((await rejection(poa.requestStatus('req-rollback'))).extypeId).toBe(
      POA_ERRORS.noSuchRequest.extypeId,
    );
  });

  it('a transaction not committed within its timeout is rolled back', async () => {
    const txn = await poa.begin({ requestId: 'req-timeout', timeoutSec: 1 });
    await poa.addDomain({ subscription_id: 9001, domain_name: 'too-late.example' }, txn);
    await sleep(1100);
    const e = await rejection(poa.commit(txn));
    expect(e.targetMessage).toContain('timed out');
    await rejection(poa.getDomainByName('too-late.example'));
  });

  it('a request id already used is refused; an unknown one too', async () => {
    const e = await rejection(poa.begin({ requestId: 'req-commit' }));
    expect({ moduleId: e.moduleId, extypeId: e.extypeId }).toEqual(POA_ERRORS.requestIdUsed);
    const open = await poa.begin({ requestId: 'req-open' });
    expect((await rejection(poa.begin({ requestId: 'req-open' }))).extypeId).toBe(
      POA_ERRORS.requestIdUsed.extypeId,
    );
    await poa.rollback(open);
    const unknown = await rejection(poa.requestStatus('no-such-request'));
    expect({ moduleId: unknown.moduleId, extypeId: unknown.extypeId }).toEqual(POA_ERRORS.noSuchRequest);
  });

  it('two transactions staged side by side get distinct ids and both commit', async () => {
    const a = await poa.begin({ requestId: 'req-side-a' });
    const b = await poa.begin({ requestId: 'req-side-b' });
    const da = await poa.addDomain({ subscription_id: 9001, domain_name: 'side-a.example' }, a);
    const db = await poa.addDomain({ subscription_id: 9001, domain_name: 'side-b.example' }, b);
    expect(da).not.toBe(db);
    await poa.commit(b);
    await poa.commit(a);
    expect((await poa.getDomainByName('side-a.example')).domain_id).toBe(da);
    expect((await poa.getDomainByName('side-b.example')).domain_id).toBe(db);
  });

  it('a commit that meets an object created meanwhile is refused whole', async () => {
    const txn = await poa.begin({ requestId: 'req-conflict' });
    await poa.addDomain({ subscription_id: 9001, domain_name: 'raced.example' }, txn);
    await poa.addDomain({ subscription_id: 9001, domain_name: 'raced-too.example' }, txn);
    await poa.addDomain({ subscription_id: 9001, domain_name: 'raced.example' });
    const e = await rejection(poa.commit(txn));
    expect(e.extypeId).toBe(POA_ERRORS.commitConflict.extypeId);
    await rejection(poa.getDomainByName('raced-too.example'));
  });

  it('a request with an injected fault fails with status_messages, and then its objects are gone', async () => {
    sandbox.faults.add({
      method: 'pem.addDomain',
      nth: 1,
      action: 'fail-request',
      message: 'Apache node web01 did not answer',
    });
    const txn = await poa.begin({ requestId: 'req-fail' });
    const sub = await poa.activateSubscription(
      {
        account_id: accountId,
        service_template_id: 12,
        parameters: [{ var_name: 'domain_name', var_value: 'doomed.example' }],
      },
      txn,
    );
    await poa.addDomain({ subscription_id: sub, domain_name: 'doomed-too.example' }, txn);
    await poa.commit(txn);
    expect((await poa.getDomainByName('doomed.example')).subscription_id).toBe(sub);
    const result = await waitDone(poa, 'req-fail');
    expect(result).toMatchObject({ state: 'failed', messages: ['Apache node web01 did not answer'] });
    await rejection(poa.getDomainByName('doomed.example'));
    await rejection(poa.getDomainByName('doomed-too.example'));
    await rejection(poa.getSubscription(sub));
    expect((sandbox.state()['webspaces'] ?? []).some((w) => w['subscription_id'] === sub)).toBe(false);
  });

  it('calls outside a transaction apply at once', async () => {
    const sub = await poa.activateSubscription({
      account_id: accountId,
      service_template_id: 12,
      parameters: [{ var_name: 'domain_name', var_value: 'now.example' }],
    });
    await poa.addMailbox({
      subscription_id: sub,
      name: 'now',
      domain_name: 'now.example',
      password: 'pw',
      password_crypted: false,
      quota: 1,
    });
    expect((await poa.getUsers(sub)).map((u) => u.login)).toEqual(['now@now.example']);
  });
});
