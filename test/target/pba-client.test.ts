import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { PbaClient, decodeFaultString, rowOf, rowsOf } from '../../electron/core/target/pba-client';
import {
  PBA_SIGNATURES,
  type PbaNamed,
  money,
  toPositional,
} from '../../electron/core/target/pba-signatures';
import { PoaClient } from '../../electron/core/target/poa-client';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { freshSandbox, rejection } from './fixtures';

const acme = {
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
const start = Date.UTC(2023, 0, 1) / 1000;
const end = Date.UTC(2024, 0, 1) / 1000;

function terms(accountId: number, planId: number): Partial<PbaNamed<'AddPEMSubscription_API'>> {
  return {
    Status: 30,
    ServStatus: 10,
    StartDate: start,
    ExpirationDate: end,
    AccountID: accountId,
    PlanID: planId,
    Period: 1,
    PeriodType: 3,
    SetupFee: '0.00',
    SubscriptionFee: '119.40',
    RenewalFee: '119.40',
    TransferFee: '0.00',
    NonRefundableAmt: '10.00',
    RefundPeriod: 30,
    BillingPeriodType: 3,
    BillingPeriod: 1,
    LastBillDate: start,
    NextBillDate: end,
  };
}

describe('PBA OpenAPI client against the sandbox over HTTP', () => {
  let sandbox: RunningSandbox;
  let pba: PbaClient;
  let poa: PoaClient;
  beforeAll(async () => {
    sandbox = await freshSandbox();
    pba = new PbaClient({ url: sandbox.pbaUrl }, { timeoutMs: 5000 });
    poa = new PoaClient({ url: sandbox.poaUrl });
  });
  afterAll(() => sandbox.close());

  it('every signature has its container and the documented arity', () => {
    const arity = Object.fromEntries(
      Object.entries(PBA_SIGNATURES).map(([m, s]) => [m, [s.container, s.params.length]]),
    );
    expect(arity).toMatchObject({
      AccountWithIDAdd_API: ['BM', 62],
      AccountAdd_API: ['BM', 62],
      UserAdd_API: ['BM', 21],
      AddPEMSubscription_API: ['PEMGATE', 19],
      AddPEMSubscriptionWithID_API: ['PEMGATE', 20],
      DomainSubscrAdd_API: ['DOMAINGATE', 30],
      DomainInfoGet_API: ['DOMAINGATE', 1],
      SubscriptionWithIDAdd_API: ['BM', 21],
      SubscriptionStatusUpdate_API: ['BM', 3],
      CreditCard2AccountAdd_API: ['BM', 24],
    });
    expect(Object.keys(PBA_SIGNATURES)).not.toContain('ServicePlanList_API');
  });

  it('adds an account with its id, its custom attribute, its user (POA account and member follow)', async () => {
    await pba.accountWithIdAdd({ ...acme, AccountID: 1_000_500 });
    expect(await pba.accountDetailsGet(1_000_500)).toMatchObject({
      companyName: 'ACME Corp',
      city: 'Springfield',
      countryId: 'us',
      email: 'wile@acme.example',
    });
    await pba.setAccountAttribute(1_000_500, 'MM source key', 'plesk1/client/7');
    expect(await pba.accountsByAttribute('MM source key', 'plesk1/client/7')).toEqual([1_000_500]);
    expect(await pba.accountsByAttribute('MM source key', 'plesk1/client/8')).toEqual([]);
    expect((await poa.getAccountInfo(1_000_500)).person.company_name).toBe('ACME Corp');
    const userId = await pba.userAdd({
      AccountID: 1_000_500,
      Login: 'wile',
      Password: 'R&D!',
      FName: 'Wile',
      LName: 'Coyote',
      Email: 'wile@acme.example',
      CountryID: 'us',
    });
    expect(userId).toBeGreaterThan(0);
    expect((await poa.getAccountMemberByLogin('wile')).account_id).toBe(1_000_500);
    // AccountAdd_API generates the id.
    expect(await pba.accountAdd({ ...acme, CompanyName: 'Beta' })).toBeGreaterThan(1_000_000);
  });

  it('hosting through PEMGATE + pem.activateSubscription with the same id; registration through DOMAINGATE; resources DUMMYGATE', async () => {
    const account = await pba.accountAdd({ ...acme, CompanyName: 'Hosted' });
    const hosting = await pba.execute(
      'AddPEMSubscriptionWithID_API',
      { SubscriptionID: 7001, ...terms(account, 102), DomainName: 'hosted.example' },
      'subscription 7001',
    );
    expect(rowOf(hosting)[0]).toBe(7001);
    await poa.activateSubscription({
      subscription_id: 7001,
      account_id: account,
      service_template_id: 12,
      parameters: [{ var_name: 'domain_name', var_value: 'hosted.example' }],
    });
    expect((await poa.getDomainByName('hosted.example')).subscription_id).toBe(7001);
    expect(await pba.subscriptionDetailsGet(7001)).toMatchObject({
      accountId: account,
      planId: 102,
      status: 30,
      servStatus: 10,
      name: 'hosted.example',
    });
    const ex = rowOf(
      await pba.execute('SubscriptionDetailsGetEx_API', { SubscriptionID: 7001 }, 'subscription 7001', true),
    );
    expect(ex.slice(7, 13)).toEqual([start, end, start, end, 3, 1]);
    const generated = await pba.executeForId(
      'AddPEMSubscription_API',
      { ...terms(account, 101), DomainName: 'second.example' },
      'subscription',
    );
    expect(generated).toBeGreaterThan(0);

    const { PlanID: _p, Period: _pe, PeriodType: _pt, DomainName: _d, ...fees } = terms(account, 201);
    const reg = rowOf(
      await pba.execute(
        'DomainSubscrWithIDAdd_API',
        {
          SubscriptionID: 7002,
          ...fees,
          StartDate: String(start),
          ExpirationDate: String(end),
          PlanID: 201,
          SubscriptionPeriod: 1,
          RegistrarID: 1,
          FullDomainName: 'hosted.example',
          Login: 'reseller-login',
          Password: 'registrar-pw',
          PrimaryNameServer: 'ns1.example.net',
          SecondaryNameServer: 'ns2.example.net',
        },
        'registration hosted.example',
      ),
    );
    expect(reg[0]).toBeGreaterThan(0);
    const info = rowOf(
      await pba.execute('DomainInfoGet_API', { FullDomainName: 'hosted.example' }, 'domain', true),
    );
    expect(info.slice(0, 4)).toEqual([account, 1, reg[0], 'hosted.example']);
    expect(info.slice(10, 12)).toEqual(['ns1.example.net', 'ns2.example.net']);

    const added = await pba.execute(
      'SubscriptionWithIDAdd_API',
      { SubscriptionID: 7003, SubscriptionName: 'Extra disk', ...terms(account, 301) },
      'subscription 7003',
    );
    expect(added).toEqual(['Subscription is added.']);
    await pba.subscriptionStatusUpdate(7003, 80, -2147483648);
    expect(await pba.subscriptionDetailsGet(7003)).toMatchObject({ status: 80, servStatus: 10 });
    const list = await pba.customerSubscriptions(account);
    expect(list.map((r) => [r[0], r[11]])).toEqual(
      [
        [generated, 'PEMGATE'],
        [7001, 'PEMGATE'],
        [7002, 'DOMAINGATE'],
        [7003, 'DUMMYGATE'],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
  });

  it('pay tools with the clear card number, balance adjustments', async () => {
    const account = await pba.accountAdd({ ...acme, CompanyName: 'Payer' });
    const card = {
      CustomerID: account,
      CardHolderName: 'Wile E',
      CardNumber: '4111111111111111',
      PaySystem: 'Visa',
      ExpDate: '12/29',
      UseForAutoPayments: 1,
    };
    expect(await pba.executeForId('CreditCard2AccountAdd_API', card, 'card')).toBeGreaterThan(0);
    expect(
      (
        await rejection(
          pba.execute('CreditCard2AccountAdd_API', { ...card, CardNumber: '************1111' }, 'card'),
        )
      ).targetMessage,
    ).toContain('clear card number');
    expect(
      (
        await rejection(
          pba.execute('CreditCard2AccountAdd_API', { ...card, CardNumber: '4111111111111112' }, 'card'),
        )
      ).targetMessage,
    ).toContain('check digit');
    await pba.execute(
      'AccountBalanceAdjust_API',
      { AccountID: account, Amount: money(-12.5), Comment: 'migrated balance' },
      'balance',
    );
    const state = sandbox.state();
    expect(state['adjustments']?.[0]).toMatchObject({ account_id: account, amount: '-12.50' });
    // The sandbox keeps the last four digits only.
    expect(JSON.stringify(state)).not.toContain('4111111111111111');
  });

  it('lists plans through the documented calls only', async () => {
    const plans = await pba.servicePlans();
    expect(plans.find((p) => p.id === 102)).toEqual({
      id: 102,
      name: 'Business (monthly)',
      category: 'hosting',
      serviceTemplateId: 12,
      tld: '',
    });
    expect(plans.find((p) => p.id === 201)).toMatchObject({ category: 'domain', tld: '.com' });
    expect(plans.find((p) => p.id === 301)?.category).toBe('resource');
    expect(
      rowsOf(await pba.execute('PlanListGet_API', { PlanID: 101 }, 'plans', true, [102])).map((r) => r[0]),
    ).toEqual([101, 102]);
    expect(
      rowsOf(
        await pba.execute('PlanPeriodListGet_API', { PlanID: 103, SortNo: 1 }, 'periods', true),
      )[0]?.slice(1, 3),
    ).toEqual([1, 3]);
    const e = await rejection(pba.executeRaw('BM', 'ServicePlanList_API', [], 'plans'));
    expect(e.targetMessage).toBe('Method ServicePlanList_API is not supported');
  });

  describe('refusals and validation: faults with base64 strings', () => {
    it('unknown account, duplicate login and id, hashed staff password, wrong gate plan', async () => {
      expect(
        (await rejection(pba.userAdd({ AccountID: 4242, Login: 'x', Password: 'y', Email: 'x@example.com' })))
          .targetMessage,
      ).toBe('Account #4242 does not exist');
      const account = await pba.accountAdd({ ...acme, CompanyName: 'Refused' });
      await pba.userAdd({ AccountID: account, Login: 'taken', Password: 'pw', Email: 'x@example.com' });
      expect(
        (
          await rejection(
            pba.userAdd({ AccountID: account, Login: 'taken', Password: 'pw', Email: 'x@example.com' }),
          )
        ).targetMessage,
      ).toBe('Login taken is already in use');
      expect(
        (
          await rejection(
            pba.userAdd({
              AccountID: account,
              Login: 'h',
              Password: '$1$salt$hashhashhashhashhashha',
              Email: 'x@example.com',
            }),
          )
        ).targetMessage,
      ).toContain('password hash');
      expect(
        (
          await rejection(
            pba.userAdd({
              AccountID: account,
              Login: 'h2',
              Password: 'a',
              ConfirmPassword: 'b',
              Email: 'x@example.com',
            }),
          )
        ).targetMessage,
      ).toContain('differ');
      expect((await rejection(pba.accountWithIdAdd({ ...acme, AccountID: account }))).targetMessage).toBe(
        `Account #${account} already exists`,
      );
      const wrongGate = pba.execute(
        'AddPEMSubscriptionWithID_API',
        { SubscriptionID: 7100, ...terms(account, 301), DomainName: 'x.example' },
        's',
      );
      expect((await rejection(wrongGate)).targetMessage).toContain('is not a PEMGATE plan');
      await pba.execute(
        'AddPEMSubscriptionWithID_API',
        { SubscriptionID: 7101, ...terms(account, 101), DomainName: 'y.example' },
        's',
      );
      expect(
        (
          await rejection(
            pba.execute(
              'AddPEMSubscriptionWithID_API',
              { SubscriptionID: 7101, ...terms(account, 101), DomainName: 'y.example' },
              's',
            ),
          )
        ).targetMessage,
      ).toBe('Subscription #7101 already exists');
      expect(
        (
          await rejection(
            pba.execute(
              'SubscriptionStatusUpdate_API',
              { SubscriptionID: 7101, Status: 31, ServStatus: 50 },
              's',
            ),
          )
        ).targetMessage,
      ).toContain('Status must be one of');
    });

    it('positional arity and types, the container, money and dates', async () => {
      const e = await rejection(pba.executeRaw('BM', 'UserAdd_API', [1, 'x'], 'user'));
      expect(e.code).toBe('target-fault');
      expect(e.targetMessage).toBe('UserAdd_API expects 21 parameters, got 2');
      const wrongType = toPositional('SubscriptionStatusUpdate_API', {}).map((v, i) =>
        i === 0 ? 'seven' : v,
      );
      expect(
        (await rejection(pba.executeRaw('BM', 'SubscriptionStatusUpdate_API', wrongType, 's'))).targetMessage,
      ).toBe('SubscriptionStatusUpdate_API: parameter #1 (SubscriptionID) must be an int');
      const params = toPositional('AddPEMSubscription_API', { ...terms(1, 101), DomainName: 'z.example' });
      expect(
        (await rejection(pba.executeRaw('BM', 'AddPEMSubscription_API', params, 's'))).targetMessage,
      ).toBe("AddPEMSubscription_API lives in container 'PEMGATE', not 'BM'");
      const badMoney = toPositional('AddPEMSubscription_API', { ...terms(1, 101), SetupFee: '12,5' });
      expect(
        (await rejection(pba.executeRaw('PEMGATE', 'AddPEMSubscription_API', badMoney, 's'))).targetMessage,
      ).toContain('must be an amount');
      const account = await pba.accountAdd({ ...acme, CompanyName: 'Dates' });
      const backwards = pba.execute(
        'AddPEMSubscription_API',
        { ...terms(account, 101), StartDate: end, ExpirationDate: start },
        's',
      );
      expect((await rejection(backwards)).targetMessage).toBe('ExpirationDate is before StartDate');
      expect((await rejection(pba.accountAdd({ ...acme, VType: 7 }))).targetMessage).toContain('VType');
      expect((await rejection(pba.accountAdd({ ...acme, CountryID: 'USA' }))).targetMessage).toContain(
        'two-letter',
      );
      expect((await rejection(pba.accountAdd({ ...acme, AdminEmail: 'nope' }))).targetMessage).toContain(
        'AdminEmail',
      );
    });

    it('faults arrive base64-encoded on the wire; the envelope is checked', async () => {
      const raw = await postXmlRpc({ url: sandbox.pbaUrl }, 'Execute', [
        { Server: 'XX', Method: 'PlanDetailsGet_API', Params: [101] },
      ]);
      expect(raw.kind).toBe('fault');
      const fault = raw.kind === 'fault' ? raw.fault.faultString : '';
      expect(fault).not.toContain('container');
      expect(decodeFaultString(fault)).toBe("PlanDetailsGet_API lives in container 'BM', not 'XX'");
      const extra = await postXmlRpc({ url: sandbox.pbaUrl }, 'Execute', [
        { Server: 'BM', Method: 'PlanDetailsGet_API', Params: [101], Colour: 1 },
      ]);
      expect(extra.kind === 'fault' && decodeFaultString(extra.fault.faultString)).toBe(
        "Execute does not take a member 'Colour'",
      );
      const other = await postXmlRpc({ url: sandbox.pbaUrl }, 'AccountAdd_API', []);
      expect(other.kind).toBe('fault');
    });
  });
});
