/**
 * How the source's values become the target's: subscription terms as PBA's positional values
 * (dates as Unix time, money as "0.00" strings, periods as PBA period types), source states as
 * PBA Status/ServStatus codes (TARGET-API.md), contacts as the contact groups of
 * AccountWithIDAdd_API, and the ids the adapter chooses for the WithID methods.
 */
import { createHash } from 'node:crypto';
import type { Address, Contact, Money, PeriodType, SourceState } from '../../../shared/model/inventory';
import type { SubscriptionTerms } from '../../../shared/model/migration';
import type { PbaNamed } from '../target/pba-signatures';

/** An ISO date (or date-time) as Unix seconds; absent or unreadable: 0. */
export function unixTime(iso: string | undefined): number {
  if (!iso) return 0;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/** A decimal string as PBA's "0.00" (rounded half away from zero at the cent). */
export function moneyString(m: Money | undefined): string {
  if (!m) return '0.00';
  const n = Number(m.amount);
  if (!Number.isFinite(n)) throw new Error(`'${m.amount}' is not an amount`);
  const cents = Math.round(Math.abs(n) * 100 + 1e-9) * Math.sign(n);
  return (cents / 100).toFixed(2);
}

/** PBA PeriodType: 0 hours, 1 days, 2 months, 3 years (a week is 7 days). */
export function periodOf(
  period: number | undefined,
  type: PeriodType | undefined,
): { period: number; periodType: number } {
  const n = period ?? 1;
  switch (type) {
    case 'day':
      return { period: n, periodType: 1 };
    case 'week':
      return { period: n * 7, periodType: 1 };
    case 'year':
      return { period: n, periodType: 3 };
    default:
      return { period: n, periodType: 2 };
  }
}

/** PBA BillingPeriodType: 2 fixed number of months, 3 fixed number of years. */
export function billingOf(
  period: number | undefined,
  type: PeriodType | undefined,
): { billingPeriod: number; billingPeriodType: number } {
  if (type === 'year') return { billingPeriod: period ?? 1, billingPeriodType: 3 };
  if (type === 'day' || type === 'week') return { billingPeriod: 1, billingPeriodType: 2 };
  return { billingPeriod: period ?? 1, billingPeriodType: 2 };
}

/** Subscription Status and ServStatus for a source state (TARGET-API.md's codes). */
export function pbaStatusOf(state: SourceState): { status: number; servStatus: number } {
  switch (state) {
    case 'active':
      return { status: 30, servStatus: 50 };
    case 'suspended':
    case 'disabled':
      return { status: 80, servStatus: 30 };
    case 'expired':
      return { status: 50, servStatus: 30 };
    case 'cancelled':
      return { status: 70, servStatus: 30 };
    case 'pending':
      return { status: 10, servStatus: 10 };
  }
}

/** The fee and billing values every subscription-adding method shares. */
export function feesOf(
  t: SubscriptionTerms,
): Pick<
  PbaNamed<'AddPEMSubscription_API'>,
  | 'SetupFee'
  | 'SubscriptionFee'
  | 'RenewalFee'
  | 'TransferFee'
  | 'NonRefundableAmt'
  | 'RefundPeriod'
  | 'BillingPeriodType'
  | 'BillingPeriod'
  | 'LastBillDate'
  | 'NextBillDate'
> {
  const billing = billingOf(t.billingPeriod, t.billingPeriodType);
  return {
    SetupFee: moneyString(t.setupFee),
    SubscriptionFee: moneyString(t.subscriptionFee),
    RenewalFee: moneyString(t.renewalFee),
    TransferFee: moneyString(t.transferFee),
    NonRefundableAmt: moneyString(t.nonRefundableAmount),
    RefundPeriod: t.refundPeriod ?? 0,
    BillingPeriodType: billing.billingPeriodType,
    BillingPeriod: billing.billingPeriod,
    LastBillDate: unixTime(t.lastBillingDate),
    NextBillDate: unixTime(t.nextBillingDate),
  };
}

/**
 * Every subscription is created with its source status, and "not provisioned" (10) as its
 * service status; the subscription-status step sets the final pair once the domain is there.
 */
export function termsOf(
  t: SubscriptionTerms,
  now: number,
): Pick<
  PbaNamed<'AddPEMSubscription_API'>,
  'Status' | 'ServStatus' | 'StartDate' | 'ExpirationDate' | 'Period' | 'PeriodType'
> {
  const { period, periodType } = periodOf(t.period, t.periodType);
  return {
    Status: pbaStatusOf(t.status).status,
    ServStatus: 10,
    StartDate: unixTime(t.created) || Math.floor(now / 1000),
    ExpirationDate: unixTime(t.expires),
    Period: period,
    PeriodType: periodType,
  };
}

type ContactGroup = 'Admin' | 'Bill' | 'Tech';

/** One contact as the 12 values of a PBA contact group. */
export function contactValues(prefix: ContactGroup, c: Contact | undefined): Record<string, string> {
  return {
    [`${prefix}FName`]: c?.firstName ?? '',
    [`${prefix}MName`]: c?.middleName ?? '',
    [`${prefix}LName`]: c?.lastName ?? '',
    [`${prefix}Email`]: c?.email ?? '',
    [`${prefix}PhCountryCode`]: c?.phone?.countryCode ?? '',
    [`${prefix}PhAreaCode`]: c?.phone?.areaCode ?? '',
    [`${prefix}PhNumber`]: c?.phone?.number ?? '',
    [`${prefix}PhExtention`]: c?.phone?.extension ?? '',
    [`${prefix}FaxCountryCode`]: c?.fax?.countryCode ?? '',
    [`${prefix}FaxAreaCode`]: c?.fax?.areaCode ?? '',
    [`${prefix}FaxNumber`]: c?.fax?.number ?? '',
    [`${prefix}FaxExtention`]: c?.fax?.extension ?? '',
  };
}

export function addressValues(a: Address | undefined): Record<string, string> {
  const street = [a?.street, a?.houseNumber].filter(Boolean).join(' ');
  return {
    Address1: street,
    Address2: a?.address2 ?? '',
    City: a?.city ?? '',
    State: a?.state ?? '',
    Zip: a?.zip ?? '',
    CountryID: (a?.country ?? '').toLowerCase(),
  };
}

/** PaySystem names a PBA has configured for the source's card types. */
export function paySystemOf(cardType: string | undefined): string {
  const t = (cardType ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (t.startsWith('visa')) return 'Visa';
  if (t.startsWith('master') || t === 'mc') return 'MasterCard';
  if (t.startsWith('amex') || t.startsWith('americanexpress')) return 'American Express';
  if (t.startsWith('discover')) return 'Discover';
  if (t.startsWith('diners')) return 'Diners Club';
  if (t.startsWith('jcb')) return 'JCB';
  return cardType ?? '';
}

/**
 * A candidate id for a WithID method: stable for (step, attempt, probe), spread over a range the
 * target's own generated ids do not reach; the adapter checks it is free by look-up before use.
 */
export function candidateId(range: { readonly from: number; readonly size: number }, key: string): number {
  const h = createHash('sha256').update(key).digest();
  return range.from + (h.readUInt32BE(0) % range.size);
}
