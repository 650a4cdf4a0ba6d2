import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { PbaClient } from '../../electron/core/target/pba-client';
import { PoaClient } from '../../electron/core/target/poa-client';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { customer, freshSandbox, member, memoryLog, rejection } from './fixtures';

describe('fault injection, timeouts, retries and the call log', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await freshSandbox();
  });
  afterAll(() => sandbox.close());

  it('a failed call is reported with the method, the object and the target message', async () => {
    const poa = new PoaClient({ url: sandbox.poaUrl });
    sandbox.faults.add({ method: 'pem.addAccount', nth: 2, action: 'fail', message: 'Database is locked' });
    await poa.addAccount(customer('first@example.com'));
    const e = await rejection(poa.addAccount(customer('second@example.com'), 'account second@example.com'));
    expect(e.code).toBe('target-error');
    expect(e).toMatchObject({
      system: 'POA',
      method: 'pem.addAccount',
      object: 'account second@example.com',
      targetMessage: 'Database is locked',
    });
    expect(e.message).toBe('POA pem.addAccount for account second@example.com failed: Database is locked');
    // The rule fired once; the third call goes through.
    await poa.addAccount(customer('third@example.com'));
  });

  it('injects faults over XML-RPC too (sandbox.injectFault), and PBA failures are faults', async () => {
    const answer = await postXmlRpc({ url: sandbox.poaUrl }, 'sandbox.injectFault', [
      { method: 'PlanListAvailableGet_API', nth: 1, action: 'fail', message: 'Billing is in maintenance' },
    ]);
    expect(answer).toEqual({ kind: 'value', value: { pending: 1 } });
    const pba = new PbaClient({ url: sandbox.pbaUrl }, { retries: 0 });
    const e = await rejection(pba.servicePlans());
    expect(e.code).toBe('target-fault');
    expect(e.message).toBe(
      'PBA BM::PlanListAvailableGet_API for service plans failed: Billing is in maintenance',
    );
  });

  it('a delay longer than the timeout is a target-timeout; a creation is not repeated', async () => {
    const log = memoryLog();
    const poa = new PoaClient({ url: sandbox.poaUrl }, { timeoutMs: 300, retries: 2, retryDelayMs: 10, log });
    sandbox.faults.add({ method: 'pem.addAccount', nth: 1, action: 'delay', delayMs: 1500 });
    const e = await rejection(poa.addAccount(customer('slow@example.com')));
    expect(e.code).toBe('target-timeout');
    expect(log.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(log.lines.some((l) => l.message.includes('retrying'))).toBe(false);
  });

  it('a dropped connection on a look-up is retried; on a creation it is reported, not repeated', async () => {
    const log = memoryLog();
    const poa = new PoaClient({ url: sandbox.poaUrl }, { retries: 2, retryDelayMs: 10, log });
    sandbox.faults.add({ method: 'pem.getServiceTemplateList', nth: 1, action: 'drop' });
    expect((await poa.getServiceTemplateList()).length).toBeGreaterThan(0);
    expect(log.lines.filter((l) => l.level === 'warn' && l.message.includes('(retrying)'))).toHaveLength(1);

    const before = sandbox.state().accounts.length;
    sandbox.faults.add({ method: 'pem.addAccount', nth: 1, action: 'drop' });
    const e = await rejection(poa.addAccount(customer('dropped@example.com')));
    expect(e.code).toBe('target-unreachable');
    expect(sandbox.state().accounts.length).toBe(before);
  });

  it('drop-after: the target did the work but the answer was lost — the look-up finds it', async () => {
    const poa = new PoaClient({ url: sandbox.poaUrl }, { retries: 0 });
    const accountId = await poa.addAccount(customer('lost@example.com'));
    const sub = await poa.activateSubscription({ account_id: accountId, service_template_id: 11 });
    sandbox.faults.add({ method: 'pem.addDomain', nth: 1, action: 'drop-after' });
    expect(
      (await rejection(poa.addDomain({ subscription_id: sub, domain_name: 'lost-answer.example' }))).code,
    ).toBe('target-unreachable');
    expect((await poa.getDomainByName('lost-answer.example')).subscription_id).toBe(sub);
  });

  it('an unreachable target is target-unreachable, naming the method', async () => {
    const poa = new PoaClient({ url: 'http://127.0.0.1:1/RPC2' }, { retries: 0, timeoutMs: 2000 });
    const e = await rejection(poa.getServiceTemplateList());
    expect(e.code).toBe('target-unreachable');
    expect(e.message).toContain('POA pem.getServiceTemplateList');
  });

  it('logs every call and its result with passwords masked, POA structs and PBA positional values alike', async () => {
    const log = memoryLog();
    const poa = new PoaClient({ url: sandbox.poaUrl }, { log });
    const pba = new PbaClient({ url: sandbox.pbaUrl }, { log });
    const accountId = await poa.addAccount(customer('log@example.com'));
    await poa.addAccountMember(member(accountId, 'loguser', 'Hunter2&more'));
    const pbaAccount = await pba.accountAdd({
      CompanyName: 'Log Ltd',
      CountryID: 'gb',
      AdminLName: 'L',
      AdminEmail: 'l@log.example',
    });
    await pba.userAdd({
      AccountID: pbaAccount,
      Login: 'pbalog',
      Password: 'TopSecret9',
      Email: 'l@log.example',
    });
    await pba.execute(
      'CreditCard2AccountAdd_API',
      {
        CustomerID: pbaAccount,
        CardHolderName: 'L',
        CardNumber: '4111111111111111',
        PaySystem: 'Visa',
        ExpDate: '01/30',
        Cvv: '123',
      },
      'card',
    );
    await rejection(poa.getAccountInfo(99999999));
    const { maskSecrets } = await import('../../electron/core/log/mask');
    const written = JSON.stringify(log.lines.map((l) => ({ ...l, details: maskSecrets(l.details) })));
    expect(written).not.toContain('Hunter2');
    expect(written).not.toContain('TopSecret9');
    expect(written).not.toContain('4111111111111111');
    expect(written).not.toContain('"123"');
    expect(written).toContain('"Password":"***"');
    expect(log.lines.map((l) => l.message)).toEqual([
      'POA pem.addAccount account of log@example.com: ok',
      'POA pem.addAccountMember member loguser: ok',
      'PBA BM::AccountAdd_API account Log Ltd: ok',
      'PBA BM::UserAdd_API user pbalog: ok',
      'PBA BM::CreditCard2AccountAdd_API card: ok',
      'POA pem.getAccountInfo for account 99999999 failed: Account #99999999 does not exist',
    ]);
    expect(log.lines[0]?.details).toMatchObject({
      method: 'pem.addAccount',
      result: { account_id: accountId },
    });
  });
});
