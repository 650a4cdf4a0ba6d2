/**
 * The PBA methods the migration uses: their container (`Server` of Execute) and their positional
 * parameter lists, in order, from TARGET-API-REFERENCE.md. PBA takes `Params` as a bare array, so
 * the order is the contract: the client builds calls from these lists and the sandbox validates
 * against the same lists — one place to correct when a real PBA disagrees. Lists the reference
 * marks *verify* (AccountAdd_API's last value, UserAdd_API, AddPEMSubscriptionWithID_API's id
 * position, AccountBalanceAdjust_API, the list/look-up methods) are named in ARCHITECTURE.md.
 */
export type PbaParamType = 'int' | 'string' | 'number' | 'money';

export interface PbaParam {
  readonly name: string;
  readonly type: PbaParamType;
}

export type PbaContainer = 'BM' | 'PEMGATE' | 'DOMAINGATE';

export interface PbaSignature {
  readonly container: PbaContainer;
  readonly params: readonly PbaParam[];
  /** Variadic tail (PlanListGet_API takes any number of plan ids). */
  readonly rest?: PbaParam;
}

const p = <N extends string>(name: N, type: PbaParamType = 'string') => ({ name, type }) as const;

/** A contact group: admin, billing, technical (12 values each). */
const contact = <P extends string>(prefix: P) =>
  [
    p(`${prefix}FName`),
    p(`${prefix}MName`),
    p(`${prefix}LName`),
    p(`${prefix}Email`),
    p(`${prefix}PhCountryCode`),
    p(`${prefix}PhAreaCode`),
    p(`${prefix}PhNumber`),
    p(`${prefix}PhExtention`),
    p(`${prefix}FaxCountryCode`),
    p(`${prefix}FaxAreaCode`),
    p(`${prefix}FaxNumber`),
    p(`${prefix}FaxExtention`),
  ] as const;

/** AccountWithIDAdd_API's 61 values before AccountID (PBA 4.4 SP4 reference). */
const ACCOUNT = [
  p('VendorAccountID', 'int'),
  p('VType', 'int'),
  p('CompanyName'),
  p('Address1'),
  p('Address2'),
  p('City'),
  p('State'),
  p('Zip'),
  p('CountryID'),
  p('PostalAddress'),
  ...contact('Admin'),
  ...contact('Bill'),
  ...contact('Tech'),
  p('PersFName'),
  p('PersMName'),
  p('PersLName'),
  p('Birthday', 'int'),
  p('Passport'),
  p('PersEmail'),
  p('PersPhCountryCode'),
  p('PersPhAreaCode'),
  p('PersPhNumber'),
  p('PersPhExtention'),
  p('PersFaxCountryCode'),
  p('PersFaxAreaCode'),
  p('PersFaxNumber'),
  p('PersFaxExtention'),
  p('TaxStatus', 'int'),
] as const;

/** UserWithIDAdd_API's 21 values before UsersID. */
const USER = [
  p('AccountID', 'int'),
  p('Login'),
  p('Password'),
  p('ConfirmPassword'),
  p('FName'),
  p('LName'),
  p('Email'),
  p('Address1'),
  p('Address2'),
  p('City'),
  p('State'),
  p('Zip'),
  p('CountryID'),
  p('PhCountryCode'),
  p('PhAreaCode'),
  p('PhNumber'),
  p('PhExtention'),
  p('FaxCountryCode'),
  p('FaxAreaCode'),
  p('FaxNumber'),
  p('FaxExtention'),
] as const;

const FEES = [
  p('SetupFee', 'money'),
  p('SubscriptionFee', 'money'),
  p('RenewalFee', 'money'),
  p('TransferFee', 'money'),
  p('NonRefundableAmt', 'money'),
  p('RefundPeriod', 'int'),
  p('BillingPeriodType', 'int'),
  p('BillingPeriod', 'int'),
  p('LastBillDate', 'int'),
  p('NextBillDate', 'int'),
] as const;

/** AddPEMSubscription_API's 19 values. */
const PEM_SUBSCRIPTION = [
  p('Status', 'int'),
  p('ServStatus', 'int'),
  p('StartDate', 'int'),
  p('ExpirationDate', 'int'),
  p('AccountID', 'int'),
  p('PlanID', 'int'),
  p('Period', 'int'),
  p('PeriodType', 'int'),
  p('DomainName'),
  ...FEES,
] as const;

/** DomainSubscrAdd_API's 30 values. */
const DOMAIN_SUBSCRIPTION = [
  p('ParentID', 'int'),
  p('Status', 'int'),
  p('ServStatus', 'int'),
  p('StartDate'),
  p('ExpirationDate'),
  p('AccountID', 'int'),
  p('PlanID', 'int'),
  p('SubscriptionPeriod', 'int'),
  ...FEES,
  p('RegistrarID', 'int'),
  p('FullDomainName'),
  p('Login'),
  p('Password'),
  p('PrimaryNameServer'),
  p('SecondaryNameServer'),
  p('ThirdNameServer'),
  p('FourthNameServer'),
  p('OwnerID', 'int'),
  p('AdminID', 'int'),
  p('BillingID', 'int'),
  p('TechID', 'int'),
] as const;

const sig = <const P extends readonly PbaParam[]>(container: PbaContainer, params: P, rest?: PbaParam) => ({
  container,
  params,
  ...(rest ? { rest } : {}),
});

export const PBA_SIGNATURES = {
  /** → new AccountID. The 62nd value (AccountID) 0 = generated (*verify*). */
  AccountAdd_API: sig('BM', [...ACCOUNT, p('AccountID', 'int')]),
  /** Obsolete but documented: 62 values, the account id chosen (last). → "Operation done." */
  AccountWithIDAdd_API: sig('BM', [...ACCOUNT, p('AccountID', 'int')]),
  /** → UsersID. Creates the POA account (if missing) and its staff member, as PBA's PEMGATE handler does. */
  UserAdd_API: sig('BM', USER),
  /** [ObjType (0 account), ObjID, AttrName, AttrValue] → "Operation done." */
  UpdateObjAttrList_API: sig('BM', [p('ObjType', 'int'), p('ObjID', 'int'), p('AttrName'), p('AttrValue')]),
  /** → rows [AccountID, CompanyName]. */
  GetAccountListByCustomAttribute_API: sig('BM', [p('AttrName'), p('AttrValue'), p('SortNo', 'int')]),
  /** → 24 values (reference order). */
  AccountDetailsGet_API: sig('BM', [p('AccountID', 'int')]),
  /** → SubscriptionID */
  AddPEMSubscription_API: sig('PEMGATE', PEM_SUBSCRIPTION),
  /** The id first, then AddPEMSubscription_API's 19 values (*verify*: page not found). → SubscriptionID */
  AddPEMSubscriptionWithID_API: sig('PEMGATE', [p('SubscriptionID', 'int'), ...PEM_SUBSCRIPTION]),
  /** → [SubscriptionID, DomainID] */
  DomainSubscrAdd_API: sig('DOMAINGATE', DOMAIN_SUBSCRIPTION),
  /** → [DomainID] */
  DomainSubscrWithIDAdd_API: sig('DOMAINGATE', [p('SubscriptionID', 'int'), ...DOMAIN_SUBSCRIPTION]),
  /** → AccountID, VendorID, DomainID, FullDomainName, DomainZoneID, Status, ExternalDNS, RegistrationPeriod, StartDate, ExpirationDate, NS1–NS4 */
  DomainInfoGet_API: sig('DOMAINGATE', [p('FullDomainName')]),
  /** 21 values, DUMMYGATE: provisions nothing. → "Subscription is added." */
  SubscriptionWithIDAdd_API: sig('BM', [
    p('SubscriptionID', 'int'),
    p('ParentID', 'int'),
    p('SubscriptionName'),
    p('Status', 'int'),
    p('ServStatus', 'int'),
    p('StartDate', 'int'),
    p('ExpirationDate', 'int'),
    p('AccountID', 'int'),
    p('PlanID', 'int'),
    p('Period', 'int'),
    p('PeriodType', 'int'),
    ...FEES,
  ]),
  /** -2147483648 leaves Status or ServStatus unchanged. → "Operation done." */
  SubscriptionStatusUpdate_API: sig('BM', [
    p('SubscriptionID', 'int'),
    p('Status', 'int'),
    p('ServStatus', 'int'),
  ]),
  /** → SubscriptionID, SubscriptionName, AccountID, PlanID, PlanName, Status, ServStatus */
  SubscriptionDetailsGet_API: sig('BM', [p('SubscriptionID', 'int')]),
  /** → the 7 above + StartDate, ExpirationDate, LastBillDate, NextBillDate, BillingPeriodType, BillingPeriod, Trial, ShutdownDate, TerminateDate, Period, PeriodType, FreezePrices, PromoCode */
  SubscriptionDetailsGetEx_API: sig('BM', [p('SubscriptionID', 'int')]),
  /** → rows: SubscriptionID, SubscriptionName, PlanID, PlanName, PlanPeriodID, Period, PeriodType, StartDate, ExpirationDate, Status, ServStatus, ContainerName */
  GetCustomerSubscriptionList_API: sig('BM', [p('AccountID', 'int'), p('SortNo', 'int')]),
  /** 24 values; the clear card number. → CardID */
  CreditCard2AccountAdd_API: sig('BM', [
    p('CustomerID', 'int'),
    p('CardHolderName'),
    p('CardNumber'),
    p('PaySystem'),
    p('ExpDate'),
    p('Cvv'),
    p('StartDate'),
    p('IssueNumber'),
    p('Email'),
    p('Address1'),
    p('Address2'),
    p('City'),
    p('State'),
    p('Zip'),
    p('Country'),
    p('PhCountryCode'),
    p('PhAreaCode'),
    p('PhNumber'),
    p('PhExtention'),
    p('FaxCountryCode'),
    p('FaxAreaCode'),
    p('FaxNumber'),
    p('FaxExtention'),
    p('UseForAutoPayments', 'int'),
  ]),
  /** [AccountID, Amount, Comment] (*verify*: name and "≥2 values" only). → "Operation done." */
  AccountBalanceAdjust_API: sig('BM', [p('AccountID', 'int'), p('Amount', 'money'), p('Comment')]),
  /** → 20 values: PlanID, Name, CategoryID, CurrencyID, ShortDescription, LongDescription, GateName, GroupID, IsParentReq, RecurringType, BillingPeriodType, BillingPeriod, ShowPriority, Default_PlanPeriodID, IsOTFI, DocID, VendorAccountID, ServiceTemplateID, PricePeriodType, Published */
  PlanDetailsGet_API: sig('BM', [p('PlanID', 'int')]),
  /** Plan ids you know → rows of 15: PlanID, Name, ShortDescription, LongDescription, PlanCategoryID, STType, IsPublished (0 published), GroupID, RecurringType, BillingPeriodType, BillingPeriod, IsParentReq, ShowPriority, Default_PlanPeriodID, IsOTFI */
  PlanListGet_API: sig('BM', [p('PlanID', 'int')], p('PlanID', 'int')),
  /** [VendorID, GateName ('' = any), CategoryID (0 = any), SortNo] → rows as PlanListGet_API (*verify*) */
  PlanListAvailableGet_API: sig('BM', [
    p('VendorID', 'int'),
    p('GateName'),
    p('CategoryID', 'int'),
    p('SortNo', 'int'),
  ]),
  /** → rows: PlanPeriodID, Period, PeriodType, Trial, SetupFee, SubscriptionFee, RenewalFee, TransferFee, NonRefundableAmount, RefundPeriod, Enabled, … (*verify*) */
  PlanPeriodListGet_API: sig('BM', [p('PlanID', 'int'), p('SortNo', 'int')]),
} as const satisfies Record<string, PbaSignature>;

export type PbaMethod = keyof typeof PBA_SIGNATURES;

export type PbaValue = string | number;

/** The named values of one call, in the names of its signature. */
export type PbaNamed<M extends PbaMethod> = {
  readonly [K in (typeof PBA_SIGNATURES)[M]['params'][number]['name']]: PbaValue;
};

export function isPbaMethod(name: string): name is PbaMethod {
  return Object.prototype.hasOwnProperty.call(PBA_SIGNATURES, name);
}

/** The signature of a method, as the generic interface the sandbox reads. */
export function signatureOf(method: PbaMethod): PbaSignature {
  return PBA_SIGNATURES[method];
}

/** Named values → the positional array PBA expects (missing strings "", numbers 0, money "0.00"). */
export function toPositional<M extends PbaMethod>(
  method: M,
  named: Partial<PbaNamed<M>>,
  rest: readonly PbaValue[] = [],
): PbaValue[] {
  const values = named as Record<string, PbaValue | undefined>;
  const fill = (param: PbaParam): PbaValue =>
    values[param.name] ?? (param.type === 'string' ? '' : param.type === 'money' ? '0.00' : 0);
  return [...signatureOf(method).params.map(fill), ...rest];
}

/** A money amount as PBA takes it: "12.50". */
export function money(amount: number): string {
  return amount.toFixed(2);
}
