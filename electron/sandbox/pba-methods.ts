/**
 * The PBA methods the migration uses, as the sandbox answers them. PBA takes positional
 * `Params`; their count and types are checked against PBA_SIGNATURES. Every "no" is a fault
 * (the server base64-encodes its string, as PBA does).
 */
import { PBA_SIGNATURES, type PbaMethod, type PbaParam } from '../pba-signatures';
import { EMAIL, FAULT, LOGIN, SandboxFault, SandboxRefusal } from './answers';
import { sha256 } from './poa-methods';
import { type SandboxState, type SbAccount, nextId } from './state';

export interface PbaHandler {
  readonly writes: boolean;
  readonly run: (values: Readonly<Record<string, string | number>>, state: SandboxState) => unknown[][];
}

export function isPbaMethod(name: string): name is PbaMethod {
  return Object.prototype.hasOwnProperty.call(PBA_SIGNATURES, name);
}

/** Positional values → named ones, faulting on a wrong count or type the way PBA does. */
export function readParams(method: PbaMethod, params: readonly unknown[]): Record<string, string | number> {
  const signature = PBA_SIGNATURES[method] as readonly PbaParam[];
  if (params.length !== signature.length) {
    throw new SandboxFault(
      FAULT.missingParameter,
      `${method} expects ${signature.length} parameters, got ${params.length}`,
    );
  }
  const named: Record<string, string | number> = {};
  signature.forEach((param, i) => {
    const v = params[i];
    const fits =
      param.type === 'string'
        ? typeof v === 'string'
        : param.type === 'int'
          ? Number.isInteger(v)
          : typeof v === 'number';
    if (!fits) {
      throw new SandboxFault(
        FAULT.wrongType,
        `${method}: parameter #${i + 1} (${param.name}) must be ${param.type === 'string' ? 'a string' : param.type === 'int' ? 'an int' : 'a number'}`,
      );
    }
    named[param.name] = v as string | number;
  });
  return named;
}

const str = (v: Readonly<Record<string, string | number>>, k: string): string => String(v[k] ?? '');
const int = (v: Readonly<Record<string, string | number>>, k: string): number => Number(v[k] ?? 0);

function pbaAccount(state: SandboxState, id: number): SbAccount {
  const a = state.accounts.find((x) => x.account_id === id && x.pba);
  if (!a) throw new SandboxRefusal(`Account #${id} does not exist`);
  return a;
}

export const PBA_METHODS: { readonly [M in PbaMethod]: PbaHandler } = {
  AccountAdd_API: {
    writes: true,
    run: (v, state) => {
      const type = str(v, 'AccountType');
      if (type !== 'C' && type !== 'R')
        throw new SandboxFault(FAULT.invalidValue, `AccountType must be C or R, got '${type}'`);
      const country = str(v, 'CountryID').toLowerCase();
      if (!/^[a-z]{2}$/.test(country))
        throw new SandboxFault(
          FAULT.invalidValue,
          `CountryID must be a two-letter country code, got '${str(v, 'CountryID')}'`,
        );
      const adminEmail = str(v, 'AdminEmail');
      if (!EMAIL.test(adminEmail))
        throw new SandboxFault(FAULT.invalidValue, `AdminEmail is not an e-mail address: '${adminEmail}'`);
      if (str(v, 'AdminLName') === '')
        throw new SandboxFault(FAULT.missingParameter, 'AdminLName must not be empty');
      const vendor = int(v, 'VendorAccountID');
      if (vendor !== 1 && !state.accounts.some((a) => a.account_id === vendor && a.account_type === 'R')) {
        throw new SandboxRefusal(`Vendor account #${vendor} does not exist`);
      }
      // An integrated PBA creates the POA account too, under the same id.
      const id = nextId(state, 'pbaAccount', (n) => state.accounts.some((a) => a.account_id === n));
      state.accounts.push({
        account_id: id,
        account_type: type,
        parent_account_id: vendor,
        person: {
          first_name: str(v, 'AdminFName'),
          middle_name: str(v, 'AdminMName'),
          last_name: str(v, 'AdminLName'),
          company_name: str(v, 'CompanyName'),
        },
        email: adminEmail,
        country,
        city: str(v, 'City'),
        enabled: true,
        pba: {
          vendor_account_id: vendor,
          company_name: str(v, 'CompanyName'),
          admin_email: adminEmail,
          status: 0,
        },
      });
      return [[id]];
    },
  },
  UserAdd_API: {
    writes: true,
    run: (v, state) => {
      const accountId = int(v, 'AccountID');
      const login = str(v, 'Login');
      if (!LOGIN.test(login)) throw new SandboxFault(FAULT.invalidValue, `'${login}' is not a valid login`);
      if (str(v, 'Password') === '') throw new SandboxFault(FAULT.invalidValue, 'Password must not be empty');
      const mail = str(v, 'Email');
      if (!EMAIL.test(mail))
        throw new SandboxFault(FAULT.invalidValue, `Email is not an e-mail address: '${mail}'`);
      pbaAccount(state, accountId);
      if (state.members.some((m) => m.login === login))
        throw new SandboxRefusal(`Login ${login} is already in use`);
      const id = nextId(state, 'member', (n) => state.members.some((m) => m.member_id === n));
      state.members.push({
        member_id: id,
        account_id: accountId,
        login,
        password_sha256: sha256(str(v, 'Password')),
        email: mail,
        via: 'PBA',
      });
      return [[id]];
    },
  },
  SubscriptionWithIDAdd_API: {
    writes: true,
    run: (v, state) => {
      const id = int(v, 'SubscriptionID');
      const accountId = int(v, 'AccountID');
      const planId = int(v, 'PlanID');
      if (id <= 0) throw new SandboxFault(FAULT.invalidValue, `SubscriptionID must be positive, got ${id}`);
      pbaAccount(state, accountId);
      if (!state.plans.some((p) => p.plan_id === planId))
        throw new SandboxRefusal(`Service plan #${planId} does not exist`);
      if (state.pbaSubscriptions.some((s) => s.subscription_id === id))
        throw new SandboxRefusal(`Subscription #${id} already exists`);
      if (int(v, 'ExpirationDate') !== 0 && int(v, 'ExpirationDate') < int(v, 'StartDate')) {
        throw new SandboxFault(FAULT.invalidValue, 'ExpirationDate is before StartDate');
      }
      state.pbaSubscriptions.push({
        subscription_id: id,
        parent_id: int(v, 'ParentID'),
        name: str(v, 'SubscriptionName'),
        status: int(v, 'Status'),
        serv_status: int(v, 'ServStatus'),
        start_date: int(v, 'StartDate'),
        expiration_date: int(v, 'ExpirationDate'),
        account_id: accountId,
        plan_id: planId,
        period: int(v, 'Period'),
        period_type: int(v, 'PeriodType'),
        setup_fee: int(v, 'SetupFee'),
        subscription_fee: int(v, 'SubscriptionFee'),
        renewal_fee: int(v, 'RenewalFee'),
        transfer_fee: int(v, 'TransferFee'),
        non_refundable_amt: int(v, 'NonRefundableAmt'),
        refund_period: int(v, 'RefundPeriod'),
        billing_period_type: int(v, 'BillingPeriodType'),
        billing_period: int(v, 'BillingPeriod'),
        last_bill_date: int(v, 'LastBillDate'),
        next_bill_date: int(v, 'NextBillDate'),
      });
      return [[id]];
    },
  },
  ServicePlanList_API: {
    writes: false,
    run: (_v, state) => state.plans.map((p) => [p.plan_id, p.name, p.category, p.service_template_id, p.tld]),
  },
  AccountDetailsGet_API: {
    writes: false,
    run: (v, state) => {
      const a = pbaAccount(state, int(v, 'AccountID'));
      const pba = a.pba ?? { vendor_account_id: 1, company_name: '', admin_email: a.email, status: 0 };
      return [
        [
          a.account_id,
          pba.vendor_account_id,
          a.account_type,
          pba.company_name,
          a.city,
          a.country,
          pba.admin_email,
          pba.status,
        ],
      ];
    },
  },
  SubscriptionDetailsGet_API: {
    writes: false,
    run: (v, state) => {
      const id = int(v, 'SubscriptionID');
      const s = state.pbaSubscriptions.find((x) => x.subscription_id === id);
      if (!s) throw new SandboxRefusal(`Subscription #${id} does not exist`);
      return [
        [s.subscription_id, s.account_id, s.plan_id, s.name, s.status, s.start_date, s.expiration_date],
      ];
    },
  },
};
