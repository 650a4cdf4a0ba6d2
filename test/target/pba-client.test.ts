import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { PbaClient, decodeFaultString } from '../../electron/core/target/pba-client';
import { PoaClient } from '../../electron/core/target/poa-client';
import type { RunningSandbox } from '../../electron/core/target/sandbox/sandbox';
import { freshSandbox, rejection } from './fixtures';

const acme = {
  AccountType: 'C',
  CompanyName: 'ACME Corp',
  Address1: '1 Main St',
  City: 'Springfield',
  State: 'IL',
  Zip: '62701',
  CountryID: 'us',
  AdminFName: 'Wile',
  AdminLName: 'Coyote',
  AdminEmail: 'wile@acme.example',
};

describe('PBA OpenAPI client against the sandbox over HTTP', () => {
  let sandbox: RunningSandbox;
  let pba: PbaClient;
  beforeAll(async () => {
    sandbox = await freshSandbox();
    pba = new PbaClient({ url: sandbox.pbaUrl }, { timeoutMs: 5000 });
  });
  afterAll(() => sandbox.close());

  it('adds an account (id above 1,000,000, mirrored in POA), its user and an imported subscription', async () => {
    const accountId = await pba.accountAdd(acme);
    expect(accountId).toBeGreaterThan(1_000_000);
    expect(await pba.accountDetailsGet(accountId)).toMatchObject({
      companyName: 'ACME Corp',
      city: 'Springfield',
      countryId: 'us',
      adminEmail: 'wile@acme.example',
      accountType: 'C',
    });
    // An integrated PBA creates the POA account under the same id.
    const poa = new PoaClient({ url: sandbox.poaUrl });
    expect((await poa.getAccountInfo(accountId)).person.company_name).toBe('ACME Corp');

    const userId = await pba.userAdd({
      AccountID: accountId,
      Login: 'wile',
      Password: 'R&D!',
      FName: 'Wile',
      LName: 'Coyote',
      Email: 'wile@acme.example',
      CountryID: 'us',
      AddFARole: 1,
    });
    expect(userId).toBeGreaterThan(0);
    expect((await poa.getAccountMemberByLogin('wile')).account_id).toBe(accountId);

    const start = Date.UTC(2023, 0, 1) / 1000;
    const subscriptionId = await pba.subscriptionWithIdAdd({
      SubscriptionID: 5001,
      SubscriptionName: 'ACME hosting',
      Status: 30,
      ServStatus: 60,
      StartDate: start,
      ExpirationDate: start + 365 * 86400,
      AccountID: accountId,
      PlanID: 102,
      Period: 1,
      PeriodType: 2,
      SetupFee: 0,
      SubscriptionFee: 9.95,
      RenewalFee: 9.95,
      TransferFee: 0,
      NonRefundableAmt: 0,
      RefundPeriod: 30,
      BillingPeriodType: 2,
      BillingPeriod: 1,
      LastBillDate: start,
      NextBillDate: start + 30 * 86400,
    });
    expect(subscriptionId).toBe(5001);
    expect(await pba.subscriptionDetailsGet(5001)).toMatchObject({
      accountId,
      planId: 102,
      name: 'ACME hosting',
      startDate: start,
    });
    expect(sandbox.state().pbaSubscriptions[0]?.subscription_fee).toBe(9.95);
  });

  it('lists the plan catalogue: hosting tiers, registration per TLD, resources', async () => {
    const plans = await pba.servicePlanList();
    expect(plans.filter((p) => p.category === 'domain').map((p) => p.tld)).toEqual([
      '.com',
      '.net',
      '.org',
      '.biz',
      '.info',
      '.de',
      '.test',
    ]);
    expect(plans.find((p) => p.id === 102)).toMatchObject({ category: 'hosting', serviceTemplateId: 12 });
    expect(plans.some((p) => p.category === 'resource' && p.name.includes('IP'))).toBe(true);
  });

  describe('faults carry base64 fault strings, decoded for the engineer', () => {
    it('unknown account', async () => {
      const e = await rejection(
        pba.userAdd({ AccountID: 4242, Login: 'x', Password: 'y', Email: 'x@example.com' }),
      );
      expect(e.code).toBe('target-fault');
      expect(e.message).toBe('PBA UserAdd_API for user x failed: Account #4242 does not exist');
    });
    it('the wire really carries base64', async () => {
      const raw = await postXmlRpc({ url: sandbox.pbaUrl }, 'Execute', [
        { Server: 'BM', Method: 'AccountDetailsGet_API', Params: [77] },
      ]);
      expect(raw.kind).toBe('fault');
      if (raw.kind === 'fault') {
        expect(raw.fault.faultString).toBe(Buffer.from('Account #77 does not exist').toString('base64'));
        expect(decodeFaultString(raw.fault.faultString)).toBe('Account #77 does not exist');
      }
    });
    it('wrong parameter count and wrong types name the position', async () => {
      expect((await rejection(pba.executeRaw('UserAdd_API', [1, 'x'], 'user x'))).targetMessage).toBe(
        'UserAdd_API expects 23 parameters, got 2',
      );
      const e = await rejection(pba.executeRaw('AccountDetailsGet_API', ['1000001'], 'account'));
      expect(e.targetMessage).toBe('AccountDetailsGet_API: parameter #1 (AccountID) must be an int');
    });
    it('unknown plan, duplicate subscription id, unknown method, wrong server', async () => {
      const accountId = await pba.accountAdd({ ...acme, CompanyName: 'Beta' });
      const base = {
        SubscriptionID: 7001,
        AccountID: accountId,
        PlanID: 999,
        StartDate: 1,
        ExpirationDate: 2,
      };
      expect((await rejection(pba.subscriptionWithIdAdd(base))).targetMessage).toBe(
        'Service plan #999 does not exist',
      );
      await pba.subscriptionWithIdAdd({ ...base, PlanID: 201 });
      expect((await rejection(pba.subscriptionWithIdAdd({ ...base, PlanID: 201 }))).targetMessage).toBe(
        'Subscription #7001 already exists',
      );
      expect((await rejection(pba.executeRaw('NoSuch_API', [], 'x'))).targetMessage).toBe(
        'Method NoSuch_API is not supported',
      );
      const wrongServer = await postXmlRpc({ url: sandbox.pbaUrl }, 'Execute', [
        { Server: 'XX', Method: 'ServicePlanList_API', Params: [] },
      ]);
      expect(wrongServer.kind === 'fault' && decodeFaultString(wrongServer.fault.faultString)).toContain(
        "Unknown server 'XX'",
      );
    });
    it('invalid values: account type, country, e-mail', async () => {
      expect((await rejection(pba.accountAdd({ ...acme, AccountType: 'X' }))).targetMessage).toContain(
        'AccountType must be C or R',
      );
      expect((await rejection(pba.accountAdd({ ...acme, CountryID: 'USA' }))).targetMessage).toContain(
        'two-letter',
      );
      expect((await rejection(pba.accountAdd({ ...acme, AdminEmail: 'nope' }))).targetMessage).toContain(
        'not an e-mail',
      );
    });
  });
});
