/**
 * The PBA methods, as the sandbox answers them. PBA takes positional `Params`; their count and
 * types are checked against PBA_SIGNATURES (the client's own table), and the container
 * (`Server`) must be the method's. Every "no" is a fault whose string the server base64-encodes,
 * as PBA does. `Result` is a list whose first element is the row, or the list of rows.
 */
import {
  PBA_SIGNATURES,
  type PbaMethod,
  type PbaParam,
  type PbaValue,
  signatureOf,
} from '../core/target/pba-signatures';
import { DOMAIN_NAME, EMAIL, FAULT, LOGIN, SandboxFault } from './answers';
import { type SandboxPlan, categoryIdOf, gateOf } from './catalogue';
import { LOOKS_HASHED, sha256 } from './poa-methods';
import type { Draft, Row } from './store';
import {
  type SbAccount,
  type SbAttribute,
  type SbPbaAccount,
  type SbPbaSubscription,
  type SbRegDomain,
  nextId,
} from './state';

export type Named = Readonly<Record<string, PbaValue>>;

export interface PbaContext {
  readonly draft: Draft;
  readonly now: number;
  readonly plans: readonly SandboxPlan[];
}

export type PbaHandler = (v: Named, ctx: PbaContext, rest: readonly PbaValue[]) => unknown[];

/** PBA's refusals are faults too; the code says "refused", not "malformed". */
export const REFUSED = 500;
export class PbaRefusal extends SandboxFault {
  constructor(message: string) {
    super(REFUSED, message);
  }
}

const DONE = [['Operation done.']];
const UNCHANGED = -2147483648;
const STATUS = [10, 15, 30, 40, 50, 60, 70, 80];
const SERV_STATUS = [10, 20, 30, 40, 50, 60, 70, 80, 90];

function describe(type: PbaParam['type']): string {
  return type === 'string'
    ? 'a string'
    : type === 'int'
      ? 'an int'
      : type === 'money'
        ? 'an amount ("12.50")'
        : 'a number';
}
function fits(type: PbaParam['type'], v: unknown): boolean {
  if (type === 'string') return typeof v === 'string';
  if (type === 'int') return Number.isInteger(v);
  if (type === 'money')
    return (
      (typeof v === 'string' && /^-?\d+\.\d{2}$/.test(v)) || (typeof v === 'number' && Number.isFinite(v))
    );
  return typeof v === 'number';
}

/** Positional values → named ones (and the variadic tail), faulting on a wrong count or type. */
export function readParams(
  method: PbaMethod,
  params: readonly unknown[],
): { named: Record<string, PbaValue>; rest: PbaValue[] } {
  const sig = signatureOf(method);
  const fixed = sig.params.length;
  if (sig.rest ? params.length < fixed : params.length !== fixed)
    throw new SandboxFault(
      FAULT.missingParameter,
      `${method} expects ${sig.rest ? 'at least ' : ''}${fixed} parameters, got ${params.length}`,
    );
  const named: Record<string, PbaValue> = {};
  const check = (param: PbaParam, v: unknown, i: number): PbaValue => {
    if (!fits(param.type, v))
      throw new SandboxFault(
        FAULT.wrongType,
        `${method}: parameter #${i + 1} (${param.name}) must be ${describe(param.type)}`,
      );
    return v as PbaValue;
  };
  sig.params.forEach((param, i) => (named[param.name] = check(param, params[i], i)));
  const rest = sig.rest ? params.slice(fixed).map((v, i) => check(sig.rest as PbaParam, v, fixed + i)) : [];
  return { named, rest };
}

const str = (v: Named, k: string): string => String(v[k] ?? '');
const int = (v: Named, k: string): number => Number(v[k] ?? 0);
const amount = (v: Named, k: string): string =>
  typeof v[k] === 'number' ? (v[k] as number).toFixed(2) : str(v, k);

function pbaAccount(ctx: PbaContext, id: number): SbPbaAccount {
  const a = ctx.draft.get<SbPbaAccount>('pbaAccounts', id);
  if (!a) throw new PbaRefusal(`Account #${id} does not exist`);
  return a;
}
function plan(ctx: PbaContext, id: number): SandboxPlan {
  const p = ctx.plans.find((x) => x.plan_id === id);
  if (!p) throw new PbaRefusal(`Service plan #${id} does not exist`);
  return p;
}
function pbaSubscription(ctx: PbaContext, id: number): SbPbaSubscription {
  const s = ctx.draft.get<SbPbaSubscription>('pbaSubscriptions', id);
  if (!s) throw new PbaRefusal(`Subscription #${id} does not exist`);
  return s;
}
function oneOf(name: string, value: number, allowed: readonly number[]): void {
  if (!allowed.includes(value))
    throw new SandboxFault(FAULT.invalidValue, `${name} must be one of ${allowed.join(', ')}, got ${value}`);
}
function email(name: string, value: string, required = true): void {
  if ((required || value !== '') && !EMAIL.test(value))
    throw new SandboxFault(FAULT.invalidValue, `${name} is not an e-mail address: '${value}'`);
}
function country(name: string, value: string, required = true): string {
  if (!required && value === '') return '';
  if (!/^[a-z]{2}$/i.test(value))
    throw new SandboxFault(FAULT.invalidValue, `${name} must be a two-letter country code, got '${value}'`);
  return value.toLowerCase();
}

/** An integrated PBA keeps the POA account in step (same id), as its PEMGATE handlers do. */
function ensurePoaAccount(ctx: PbaContext, account: SbPbaAccount): void {
  if (ctx.draft.get('accounts', account.account_id)) return;
  const f = account.fields;
  ctx.draft.put('accounts', {
    account_id: account.account_id,
    account_type: f['VType'] === 2 ? 'R' : 'C',
    parent_account_id: account.vendor_account_id,
    person: {
      first_name: String(f['AdminFName'] ?? ''),
      middle_name: String(f['AdminMName'] ?? ''),
      last_name: String(f['AdminLName'] ?? ''),
      company_name: String(f['CompanyName'] ?? ''),
    },
    email: String(f['AdminEmail'] ?? ''),
    country: String(f['CountryID'] ?? '').toLowerCase(),
    city: String(f['City'] ?? ''),
    enabled: true,
    via: 'PBA',
  } satisfies SbAccount);
}

function addAccount(withId: boolean): PbaHandler {
  return (v, ctx) => {
    const { draft } = ctx;
    oneOf('VType (2 reseller, 3 customer)', int(v, 'VType'), [2, 3]);
    oneOf('TaxStatus (1 personal, 2 company)', int(v, 'TaxStatus'), [1, 2]);
    country('CountryID', str(v, 'CountryID'));
    email('AdminEmail', str(v, 'AdminEmail'));
    email('BillEmail', str(v, 'BillEmail'), false);
    email('TechEmail', str(v, 'TechEmail'), false);
    email('PersEmail', str(v, 'PersEmail'), false);
    if (str(v, 'AdminLName') === '')
      throw new SandboxFault(FAULT.missingParameter, 'AdminLName must not be empty');
    if (int(v, 'TaxStatus') === 2 && str(v, 'CompanyName') === '')
      throw new SandboxFault(
        FAULT.missingParameter,
        'CompanyName must not be empty for a company (TaxStatus 2)',
      );
    for (const [k, max] of [
      ['CompanyName', 80],
      ['Address1', 80],
      ['City', 40],
      ['Zip', 10],
    ] as const) {
      if (str(v, k).length > max)
        throw new SandboxFault(FAULT.invalidValue, `${k} is longer than ${max} characters`);
    }
    const vendor = int(v, 'VendorAccountID');
    if (vendor !== 1 && draft.get<SbPbaAccount>('pbaAccounts', vendor)?.fields['VType'] !== 2)
      throw new PbaRefusal(`Vendor account #${vendor} is not a reseller`);
    const wanted = int(v, 'AccountID');
    if (!withId && wanted !== 0)
      throw new SandboxFault(
        FAULT.invalidValue,
        'AccountAdd_API takes AccountID 0 (generated); use AccountWithIDAdd_API to choose it',
      );
    if (withId && wanted <= 0)
      throw new SandboxFault(FAULT.invalidValue, `AccountID must be positive, got ${wanted}`);
    if (withId && (draft.get('pbaAccounts', wanted) || draft.get('accounts', wanted)))
      throw new PbaRefusal(`Account #${wanted} already exists`);
    const id = withId
      ? wanted
      : nextId(
          draft,
          'account',
          (n) => draft.get('pbaAccounts', n) !== undefined || draft.get('accounts', n) !== undefined,
        );
    // Empty values are not kept: 20,000 accounts of 61 mostly empty values would weigh on every snapshot.
    const fields = Object.fromEntries(Object.entries(v).filter(([k, x]) => k !== 'AccountID' && x !== ''));
    const row: SbPbaAccount = {
      account_id: id,
      vendor_account_id: vendor,
      fields,
      creation_date: Math.floor(ctx.now / 1000),
    };
    draft.put('pbaAccounts', row);
    ensurePoaAccount(ctx, row);
    return withId ? DONE : [[id]];
  };
}

/** The shared checks of every subscription-adding method. */
function checkTerms(v: Named, ctx: PbaContext, gate: ReturnType<typeof gateOf> | undefined): SandboxPlan {
  oneOf('Status', int(v, 'Status'), STATUS);
  oneOf('ServStatus', int(v, 'ServStatus'), SERV_STATUS);
  if ('PeriodType' in v)
    oneOf('PeriodType (0 hours, 1 days, 2 months, 3 years)', int(v, 'PeriodType'), [0, 1, 2, 3]);
  oneOf(
    'BillingPeriodType (2 fixed months, 3 fixed years, 4 monthly on statement day)',
    int(v, 'BillingPeriodType'),
    [0, 1, 2, 3, 4],
  );
  const period = 'Period' in v ? int(v, 'Period') : int(v, 'SubscriptionPeriod');
  if (period < 0)
    throw new SandboxFault(FAULT.invalidValue, `The period must not be negative, got ${period}`);
  const start = Number(v['StartDate']);
  const end = Number(v['ExpirationDate']);
  if (!Number.isInteger(start) || !Number.isInteger(end))
    throw new SandboxFault(FAULT.invalidValue, 'StartDate and ExpirationDate must be Unix times');
  if (end !== 0 && end < start)
    throw new SandboxFault(FAULT.invalidValue, 'ExpirationDate is before StartDate');
  pbaAccount(ctx, int(v, 'AccountID'));
  const p = plan(ctx, int(v, 'PlanID'));
  if (gate && gateOf(p) !== gate)
    throw new PbaRefusal(`Service plan #${p.plan_id} (${p.name}) is not a ${gate} plan`);
  return p;
}

function subscriptionRow(
  id: number,
  gate: SbPbaSubscription['gate'],
  name: string,
  v: Named,
): SbPbaSubscription {
  const fields: Record<string, PbaValue> = {};
  for (const [k, x] of Object.entries(v))
    if (k !== 'Password') fields[k] = typeof x === 'number' && /Fee|Amt/.test(k) ? x.toFixed(2) : x;
  return {
    subscription_id: id,
    gate,
    account_id: int(v, 'AccountID'),
    plan_id: int(v, 'PlanID'),
    name,
    status: int(v, 'Status'),
    serv_status: int(v, 'ServStatus'),
    fields,
  };
}

function addPemSubscription(withId: boolean): PbaHandler {
  return (v, ctx) => {
    const { draft } = ctx;
    checkTerms(v, ctx, 'PEMGATE');
    const name = str(v, 'DomainName').toLowerCase();
    if (name !== '' && !DOMAIN_NAME.test(name))
      throw new SandboxFault(
        FAULT.invalidValue,
        `DomainName '${str(v, 'DomainName')}' is not a valid domain name`,
      );
    const id = subscriptionIdFor(draft, v, withId);
    draft.put('pbaSubscriptions', subscriptionRow(id, 'PEMGATE', name, v));
    ensurePoaAccount(ctx, pbaAccount(ctx, int(v, 'AccountID')));
    return [[id]];
  };
}

function addDomainSubscription(withId: boolean): PbaHandler {
  return (v, ctx) => {
    const { draft } = ctx;
    checkTerms(v, ctx, 'DOMAINGATE');
    const name = str(v, 'FullDomainName').toLowerCase();
    if (!DOMAIN_NAME.test(name))
      throw new SandboxFault(
        FAULT.invalidValue,
        `FullDomainName '${str(v, 'FullDomainName')}' is not a valid domain name`,
      );
    if (str(v, 'PrimaryNameServer') === '' || str(v, 'SecondaryNameServer') === '')
      throw new SandboxFault(
        FAULT.missingParameter,
        'PrimaryNameServer and SecondaryNameServer are mandatory',
      );
    if (str(v, 'Login').length > 40)
      throw new SandboxFault(FAULT.invalidValue, 'Login is longer than 40 characters');
    if (str(v, 'Password').length > 32)
      throw new SandboxFault(FAULT.invalidValue, 'Password is longer than 32 characters');
    const parent = int(v, 'ParentID');
    if (parent !== 0) pbaSubscription(ctx, parent);
    if (draft.unique('regDomains', 'name', name)) throw new PbaRefusal(`Domain ${name} already exists`);
    const id = subscriptionIdFor(draft, v, withId);
    const domainId = nextId(draft, 'regDomain', (n) => draft.get('regDomains', n) !== undefined);
    draft.put('pbaSubscriptions', subscriptionRow(id, 'DOMAINGATE', name, v));
    draft.put('regDomains', {
      domain_id: domainId,
      subscription_id: id,
      account_id: int(v, 'AccountID'),
      full_domain_name: name,
      registrar_login: str(v, 'Login'),
      name_servers: ['PrimaryNameServer', 'SecondaryNameServer', 'ThirdNameServer', 'FourthNameServer']
        .map((k) => str(v, k))
        .filter(Boolean),
    } satisfies SbRegDomain);
    ensurePoaAccount(ctx, pbaAccount(ctx, int(v, 'AccountID')));
    return withId ? [[domainId]] : [[id, domainId]];
  };
}

function planRow(p: SandboxPlan): unknown[] {
  const yearly = /yearly|registration/i.test(p.name);
  return [
    p.plan_id,
    p.name,
    p.name,
    '',
    categoryIdOf(p),
    gateOf(p),
    0,
    0,
    0,
    yearly ? 3 : 2,
    1,
    0,
    0,
    p.plan_id * 10,
    0,
  ];
}
function periodOf(p: SandboxPlan): unknown[] {
  const yearly = /yearly|registration/i.test(p.name);
  return [
    p.plan_id * 10,
    1,
    yearly ? 3 : 2,
    0,
    '0.00',
    p.category === 'domain' ? '12.00' : '9.90',
    '9.90',
    '0.00',
    '0.00',
    30,
    1,
  ];
}

function subscriptionDetails(s: SbPbaSubscription, ctx: PbaContext): unknown[] {
  return [
    s.subscription_id,
    s.name,
    s.account_id,
    s.plan_id,
    ctx.plans.find((p) => p.plan_id === s.plan_id)?.name ?? '',
    s.status,
    s.serv_status,
  ];
}

export const PBA_METHODS: { readonly [M in keyof typeof PBA_SIGNATURES]: PbaHandler } = {
  AccountAdd_API: addAccount(false),
  AccountWithIDAdd_API: addAccount(true),
  UserAdd_API: (v, ctx) => {
    const { draft } = ctx;
    const accountId = int(v, 'AccountID');
    const login = str(v, 'Login');
    const password = str(v, 'Password');
    if (!LOGIN.test(login)) throw new SandboxFault(FAULT.invalidValue, `'${login}' is not a valid login`);
    if (password === '') throw new SandboxFault(FAULT.invalidValue, 'Password must not be empty');
    if (password !== str(v, 'ConfirmPassword'))
      throw new SandboxFault(FAULT.invalidValue, 'Password and ConfirmPassword differ');
    if (LOOKS_HASHED.test(password))
      throw new PbaRefusal('Password looks like a password hash; UserAdd_API takes the plain password');
    if (password.length > 32)
      throw new SandboxFault(FAULT.invalidValue, 'Password is longer than 32 characters');
    email('Email', str(v, 'Email'));
    country('CountryID', str(v, 'CountryID'), false);
    const account = pbaAccount(ctx, accountId);
    if (draft.unique('members', 'login', login.toLowerCase()))
      throw new PbaRefusal(`Login ${login} is already in use`);
    ensurePoaAccount(ctx, account);
    const id = nextId(draft, 'member', (n) => draft.get('members', n) !== undefined);
    draft.put('members', {
      member_id: id,
      account_id: accountId,
      login,
      password_sha256: sha256(password),
      email: str(v, 'Email'),
      via: 'PBA',
    });
    return [[id]];
  },
  UpdateObjAttrList_API: (v, ctx) => {
    oneOf('ObjType (0 account)', int(v, 'ObjType'), [0]);
    pbaAccount(ctx, int(v, 'ObjID'));
    if (str(v, 'AttrName') === '') throw new SandboxFault(FAULT.invalidValue, 'AttrName must not be empty');
    const key = `0:${int(v, 'ObjID')}:${str(v, 'AttrName')}`;
    ctx.draft.put('attributes', {
      key,
      obj_type: 0,
      obj_id: int(v, 'ObjID'),
      name: str(v, 'AttrName'),
      value: str(v, 'AttrValue'),
    } satisfies SbAttribute);
    return DONE;
  },
  GetAccountListByCustomAttribute_API: (v, ctx) => {
    const rows = ctx.draft
      .group<SbAttribute>('attributes', 'match', `${str(v, 'AttrName')}=${str(v, 'AttrValue')}`)
      .filter((a) => a.obj_type === 0)
      .map((a) => ctx.draft.get<SbPbaAccount>('pbaAccounts', a.obj_id))
      .filter((a): a is SbPbaAccount => a !== undefined)
      .sort((x, y) => x.account_id - y.account_id)
      .map((a) => [a.account_id, String(a.fields['CompanyName'] ?? '')]);
    return [rows];
  },
  AccountDetailsGet_API: (v, ctx) => {
    const a = pbaAccount(ctx, int(v, 'AccountID'));
    const f = (k: string): PbaValue => a.fields[k] ?? '';
    const personal = a.fields['TaxStatus'] === 1;
    const c = personal ? 'Pers' : 'Admin';
    const company = personal
      ? `${String(f('PersFName'))} ${String(f('PersLName'))}`.trim()
      : f('CompanyName');
    return [
      [
        a.account_id,
        a.vendor_account_id,
        company,
        f('Address1'),
        f('Address2'),
        f('City'),
        f('State'),
        f('Zip'),
        f('CountryID'),
        f('PostalAddress'),
        f(`${c}FName`),
        f(`${c}MName`),
        f(`${c}LName`),
        f(`${c}Email`),
        f(`${c}PhCountryCode`),
        f(`${c}PhAreaCode`),
        f(`${c}PhNumber`),
        f(`${c}PhExtention`),
        f(`${c}FaxCountryCode`),
        f(`${c}FaxAreaCode`),
        f(`${c}FaxNumber`),
        f(`${c}FaxExtention`),
        a.creation_date,
        f('TaxStatus'),
      ],
    ];
  },
  AddPEMSubscription_API: addPemSubscription(false),
  AddPEMSubscriptionWithID_API: addPemSubscription(true),
  DomainSubscrAdd_API: addDomainSubscription(false),
  DomainSubscrWithIDAdd_API: addDomainSubscription(true),
  DomainInfoGet_API: (v, ctx) => {
    const name = str(v, 'FullDomainName').toLowerCase();
    const d = ctx.draft.unique<SbRegDomain>('regDomains', 'name', name);
    if (!d) throw new PbaRefusal(`Domain ${name} does not exist`);
    const s = pbaSubscription(ctx, d.subscription_id);
    const ns = [0, 1, 2, 3].map((i) => d.name_servers[i] ?? '');
    return [
      [
        d.account_id,
        ctx.draft.get<SbPbaAccount>('pbaAccounts', d.account_id)?.vendor_account_id ?? 1,
        d.domain_id,
        d.full_domain_name,
        0,
        s.status,
        0,
        s.fields['SubscriptionPeriod'] ?? 1,
        s.fields['StartDate'] ?? '',
        s.fields['ExpirationDate'] ?? '',
        ...ns,
      ],
    ];
  },
  SubscriptionWithIDAdd_API: (v, ctx) => {
    const id = int(v, 'SubscriptionID');
    if (id <= 0) throw new SandboxFault(FAULT.invalidValue, `SubscriptionID must be positive, got ${id}`);
    checkTerms(v, ctx, undefined);
    if (str(v, 'SubscriptionName').length > 40)
      throw new SandboxFault(FAULT.invalidValue, 'SubscriptionName is longer than 40 characters');
    const parent = int(v, 'ParentID');
    if (parent !== 0) pbaSubscription(ctx, parent);
    if (ctx.draft.get('pbaSubscriptions', id)) throw new PbaRefusal(`Subscription #${id} already exists`);
    ctx.draft.put('pbaSubscriptions', subscriptionRow(id, 'DUMMYGATE', str(v, 'SubscriptionName'), v));
    return [['Subscription is added.']];
  },
  SubscriptionStatusUpdate_API: (v, ctx) => {
    const s = pbaSubscription(ctx, int(v, 'SubscriptionID'));
    const status = int(v, 'Status');
    const serv = int(v, 'ServStatus');
    if (status !== UNCHANGED) oneOf('Status', status, STATUS);
    if (serv !== UNCHANGED) oneOf('ServStatus', serv, SERV_STATUS);
    ctx.draft.put('pbaSubscriptions', {
      ...s,
      status: status === UNCHANGED ? s.status : status,
      serv_status: serv === UNCHANGED ? s.serv_status : serv,
    });
    return DONE;
  },
  SubscriptionDetailsGet_API: (v, ctx) => [
    subscriptionDetails(pbaSubscription(ctx, int(v, 'SubscriptionID')), ctx),
  ],
  SubscriptionDetailsGetEx_API: (v, ctx) => {
    const s = pbaSubscription(ctx, int(v, 'SubscriptionID'));
    const f = (k: string): PbaValue => s.fields[k] ?? 0;
    return [
      [
        ...subscriptionDetails(s, ctx),
        f('StartDate'),
        f('ExpirationDate'),
        f('LastBillDate'),
        f('NextBillDate'),
        f('BillingPeriodType'),
        f('BillingPeriod'),
        s.status === 15 ? 1 : 0,
        0,
        0,
        'Period' in s.fields ? f('Period') : f('SubscriptionPeriod'),
        'PeriodType' in s.fields ? f('PeriodType') : 3,
        0,
        '',
      ],
    ];
  },
  GetCustomerSubscriptionList_API: (v, ctx) => {
    const a = pbaAccount(ctx, int(v, 'AccountID'));
    const rows = ctx.draft
      .group<SbPbaSubscription>('pbaSubscriptions', 'account', a.account_id)
      .sort((x, y) => x.subscription_id - y.subscription_id)
      .map((s) => [
        s.subscription_id,
        s.name,
        s.plan_id,
        ctx.plans.find((p) => p.plan_id === s.plan_id)?.name ?? '',
        s.plan_id * 10,
        s.fields['Period'] ?? s.fields['SubscriptionPeriod'] ?? 0,
        s.fields['PeriodType'] ?? 3,
        s.fields['StartDate'] ?? 0,
        s.fields['ExpirationDate'] ?? 0,
        s.status,
        s.serv_status,
        s.gate,
      ]);
    return [rows];
  },
  CreditCard2AccountAdd_API: (v, ctx) => {
    const number = str(v, 'CardNumber');
    if (!/^\d{12,19}$/.test(number))
      throw new SandboxFault(
        FAULT.invalidValue,
        'CardNumber must be the clear card number (12 to 19 digits)',
      );
    if (!luhn(number)) throw new PbaRefusal('CardNumber fails the check digit: it is not a card number');
    const systems = ['Visa', 'MasterCard', 'American Express', 'Discover', 'Diners Club', 'JCB'];
    if (!systems.includes(str(v, 'PaySystem')))
      throw new PbaRefusal(
        `Payment system '${str(v, 'PaySystem')}' is not configured (${systems.join(', ')})`,
      );
    if (!/^(0[1-9]|1[0-2])\/\d{2}$/.test(str(v, 'ExpDate')))
      throw new SandboxFault(FAULT.invalidValue, `ExpDate must be MM/YY, got '${str(v, 'ExpDate')}'`);
    if (str(v, 'CardHolderName') === '')
      throw new SandboxFault(FAULT.missingParameter, 'CardHolderName must not be empty');
    email('Email', str(v, 'Email'), false);
    country('Country', str(v, 'Country'), false);
    oneOf('UseForAutoPayments', int(v, 'UseForAutoPayments'), [0, 1]);
    const account = pbaAccount(ctx, int(v, 'CustomerID'));
    const id = nextId(ctx.draft, 'payTool', (n) => ctx.draft.get('payTools', n) !== undefined);
    ctx.draft.put('payTools', {
      card_id: id,
      account_id: account.account_id,
      holder: str(v, 'CardHolderName'),
      pay_system: str(v, 'PaySystem'),
      last4: number.slice(-4),
      exp_date: str(v, 'ExpDate'),
      use_for_auto_payments: int(v, 'UseForAutoPayments'),
    });
    return [[id]];
  },
  AccountBalanceAdjust_API: (v, ctx) => {
    const account = pbaAccount(ctx, int(v, 'AccountID'));
    const id = nextId(ctx.draft, 'adjustment', (n) => ctx.draft.get('adjustments', n) !== undefined);
    ctx.draft.put('adjustments', {
      adjustment_id: id,
      account_id: account.account_id,
      amount: amount(v, 'Amount'),
      comment: str(v, 'Comment'),
    });
    return DONE;
  },
  PlanDetailsGet_API: (v, ctx) => {
    const p = plan(ctx, int(v, 'PlanID'));
    const row = planRow(p);
    return [
      [
        p.plan_id,
        p.name,
        categoryIdOf(p),
        'USD',
        p.name,
        '',
        gateOf(p),
        0,
        0,
        0,
        row[9],
        1,
        0,
        p.plan_id * 10,
        0,
        0,
        1,
        p.service_template_id,
        2,
        1,
      ],
    ];
  },
  PlanListGet_API: (v, ctx, rest) => [
    [int(v, 'PlanID'), ...rest.map(Number)].map((id) => planRow(plan(ctx, id))),
  ],
  PlanListAvailableGet_API: (v, ctx) => {
    const vendor = int(v, 'VendorID');
    if (vendor !== 1 && !ctx.draft.get('pbaAccounts', vendor))
      throw new PbaRefusal(`Vendor account #${vendor} does not exist`);
    const gate = str(v, 'GateName');
    const category = int(v, 'CategoryID');
    return [
      ctx.plans
        .filter(
          (p) => (gate === '' || gateOf(p) === gate) && (category === 0 || categoryIdOf(p) === category),
        )
        .map(planRow),
    ];
  },
  PlanPeriodListGet_API: (v, ctx) => [[periodOf(plan(ctx, int(v, 'PlanID')))]],
};

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** What the dump shows of rows: every member except secrets. */
export function withoutSecrets(row: Row): Row {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !/^password_(sha256|hash)$/.test(k)));
}

/**
 * The id of a new PBA subscription: the caller's (`…WithID…` methods: positive and free, or
 * refused) or the next free one, clear of POA's subscription ids too.
 */
function subscriptionIdFor(draft: Draft, v: Named, withId: boolean): number {
  if (!withId)
    return nextId(
      draft,
      'subscription',
      (n) => draft.get('pbaSubscriptions', n) !== undefined || draft.get('subscriptions', n) !== undefined,
    );
  const wanted = int(v, 'SubscriptionID');
  if (wanted <= 0)
    throw new SandboxFault(FAULT.invalidValue, `SubscriptionID must be positive, got ${wanted}`);
  if (draft.get('pbaSubscriptions', wanted)) throw new PbaRefusal(`Subscription #${wanted} already exists`);
  return wanted;
}
