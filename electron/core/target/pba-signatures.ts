/**
 * The positional parameter lists of the PBA methods the migration uses, in order. PBA takes
 * `Params` as a bare array, so the order is the contract: the client builds calls from these
 * lists and the sandbox validates against the same lists, one place to correct if a real PBA
 * disagrees (TARGET-API.md marks the exact AccountAdd_API list *verify*).
 */
export type PbaParamType = 'int' | 'string' | 'number';

export interface PbaParam {
  readonly name: string;
  readonly type: PbaParamType;
}

const p = (name: string, type: PbaParamType = 'string'): PbaParam => ({ name, type });

/** A contact group: admin, billing, technical, personal. */
const contact = (prefix: string): PbaParam[] => [
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
];

export const PBA_SIGNATURES = {
  AccountAdd_API: [
    p('VendorAccountID', 'int'),
    p('AccountType'),
    p('CompanyName'),
    p('Address1'),
    p('Address2'),
    p('City'),
    p('State'),
    p('Zip'),
    p('CountryID'),
    p('PostAddress'),
    ...contact('Admin'),
    ...contact('Bill'),
    ...contact('Tech'),
    ...contact('Pers'),
    p('Birthday'),
    p('PassportID'),
    p('TaxStatus', 'int'),
  ],
  UserAdd_API: [
    p('AccountID', 'int'),
    p('ExternalID'),
    p('Login'),
    p('Password'),
    p('FName'),
    p('MName'),
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
    p('AddFARole', 'int'),
  ],
  SubscriptionWithIDAdd_API: [
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
    p('SetupFee', 'number'),
    p('SubscriptionFee', 'number'),
    p('RenewalFee', 'number'),
    p('TransferFee', 'number'),
    p('NonRefundableAmt', 'number'),
    p('RefundPeriod', 'int'),
    p('BillingPeriodType', 'int'),
    p('BillingPeriod', 'int'),
    p('LastBillDate', 'int'),
    p('NextBillDate', 'int'),
  ],
  /** The plan catalogue: every row is [PlanID, Name, Category, ServiceTemplateID, TLD]. */
  ServicePlanList_API: [],
  /** → [[AccountID, VendorAccountID, AccountType, CompanyName, City, CountryID, AdminEmail, Status]] */
  AccountDetailsGet_API: [p('AccountID', 'int')],
  /** → [[SubscriptionID, AccountID, PlanID, SubscriptionName, Status, StartDate, ExpirationDate]] */
  SubscriptionDetailsGet_API: [p('SubscriptionID', 'int')],
} as const satisfies Record<string, readonly PbaParam[]>;

export type PbaMethod = keyof typeof PBA_SIGNATURES;

/** The named values of one call, in the names of its signature. */
export type PbaNamed<M extends PbaMethod> = {
  readonly [K in (typeof PBA_SIGNATURES)[M][number]['name']]: string | number;
};

/** Named values → the positional array PBA expects (missing strings become ""). */
export function toPositional<M extends PbaMethod>(
  method: M,
  named: Partial<PbaNamed<M>>,
): (string | number)[] {
  const values = named as Record<string, string | number | undefined>;
  return (PBA_SIGNATURES[method] as readonly PbaParam[]).map(
    (param) => values[param.name] ?? (param.type === 'string' ? '' : 0),
  );
}
