/**
 * PBA (Business Automation) OpenAPI client: every call is `Execute` with
 * `{Server: <the method's container>, Method: '<Name>_API', Params: [positional values]}`; the
 * answer's `Result` is a list whose first element is the row (or the rows); a refusal is an
 * XML-RPC fault whose string is base64. Calls are logged by name, so the log's masking finds
 * passwords and card numbers.
 */
import type { ServicePlanCategory, ServicePlanInfo } from '../../../shared/model/target';
import { type CallSpec, CallRunner, type ClientOptions } from './call-runner';
import type { Endpoint } from './http-transport';
import { TargetCallError } from './errors';
import {
  PBA_SIGNATURES,
  type PbaContainer,
  type PbaMethod,
  type PbaNamed,
  type PbaValue,
  signatureOf,
  toPositional,
} from './pba-signatures';

export interface PbaAccountDetails {
  readonly accountId: number;
  readonly vendorAccountId: number;
  readonly companyName: string;
  readonly city: string;
  readonly countryId: string;
  readonly email: string;
  readonly creationDate: number;
  readonly taxStatus: number;
}

export interface PbaSubscriptionDetails {
  readonly subscriptionId: number;
  readonly name: string;
  readonly accountId: number;
  readonly planId: number;
  readonly planName: string;
  readonly status: number;
  readonly servStatus: number;
}

/** Keys the log masks: card numbers travel as named values under a secret-looking name. */
const LOG_NAMES: Readonly<Record<string, string>> = {
  CardNumber: 'CardNumber_encrypted_number',
  Cvv: 'Cvv_password',
};

/** PBA fault strings come base64-encoded; anything that is not clean base64 text is shown as is. */
export function decodeFaultString(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return raw;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  // eslint-disable-next-line no-control-regex -- control characters mean it was not text
  return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(decoded) ? raw : decoded;
}

export class PbaClient {
  readonly #runner: CallRunner;

  constructor(endpoint: Endpoint, options: ClientOptions = {}) {
    this.#runner = new CallRunner('PBA', endpoint, options);
  }

  /** One PBA call with named values, in the method's container; returns `Result[0]`. */
  async execute<M extends PbaMethod>(
    method: M,
    named: Partial<PbaNamed<M>>,
    object: string,
    safe = false,
    rest: readonly PbaValue[] = [],
  ): Promise<unknown> {
    const logged = Object.fromEntries(Object.entries(named).map(([k, v]) => [LOG_NAMES[k] ?? k, v]));
    const result = await this.executeRaw(
      signatureOf(method).container,
      method,
      toPositional(method, named, rest),
      object,
      safe,
      logged,
    );
    return result[0];
  }

  /** A call as PBA sees it: a container and positional values. Returns the whole `Result`. */
  async executeRaw(
    server: PbaContainer | string,
    method: string,
    params: readonly unknown[],
    object: string,
    safe = false,
    logged: unknown = params,
  ): Promise<unknown[]> {
    const spec: CallSpec = { method: `${server}::${method}`, object, safe, logged };
    const started = Date.now();
    const answer = await this.#runner.send(spec, 'Execute', [
      { Server: server, Method: method, Params: params },
    ]);
    const fail = async (error: TargetCallError): Promise<never> => {
      await this.#runner.logFailure(spec, error, Date.now() - started);
      throw error;
    };
    if (answer.kind === 'fault') {
      const message = decodeFaultString(answer.fault.faultString);
      return fail(
        new TargetCallError('target-fault', 'PBA', spec.method, object, message, answer.fault.faultCode),
      );
    }
    const value = answer.value;
    const result =
      typeof value === 'object' && value !== null && 'Result' in value
        ? (value as { Result: unknown }).Result
        : undefined;
    if (!Array.isArray(result)) {
      return fail(
        new TargetCallError('target-bad-response', 'PBA', spec.method, object, 'the answer has no Result'),
      );
    }
    await this.#runner.logSuccess(spec, result, Date.now() - started);
    return result as unknown[];
  }

  /** A row answer's first value as an id. */
  async executeForId<M extends PbaMethod>(
    method: M,
    named: Partial<PbaNamed<M>>,
    object: string,
  ): Promise<number> {
    return firstNumber(await this.execute(method, named, object));
  }

  accountWithIdAdd(a: Partial<PbaNamed<'AccountWithIDAdd_API'>> & { AccountID: number }): Promise<unknown> {
    return this.execute(
      'AccountWithIDAdd_API',
      { VendorAccountID: 1, VType: 3, TaxStatus: 2, ...a },
      `account ${a.AccountID}`,
    );
  }
  accountAdd(a: Partial<PbaNamed<'AccountAdd_API'>>): Promise<number> {
    const object = `account ${String(a.CompanyName ?? a.AdminEmail ?? '')}`.trim();
    // Vendor 1 is the provider itself, the owner of direct customers.
    return this.executeForId(
      'AccountAdd_API',
      { VendorAccountID: 1, VType: 3, TaxStatus: 2, ...a, AccountID: 0 },
      object,
    );
  }
  userAdd(u: Partial<PbaNamed<'UserAdd_API'>>): Promise<number> {
    return this.executeForId(
      'UserAdd_API',
      { ConfirmPassword: u.Password ?? '', ...u },
      `user ${String(u.Login ?? '')}`,
    );
  }
  async setAccountAttribute(accountId: number, name: string, value: string): Promise<void> {
    await this.execute(
      'UpdateObjAttrList_API',
      { ObjType: 0, ObjID: accountId, AttrName: name, AttrValue: value },
      `account ${accountId}`,
    );
  }
  async accountsByAttribute(name: string, value: string): Promise<number[]> {
    const rows = await this.execute(
      'GetAccountListByCustomAttribute_API',
      { AttrName: name, AttrValue: value, SortNo: 1 },
      `accounts with ${name}=${value}`,
      true,
    );
    return rowsOf(rows).map((r) => Number(r[0]));
  }
  async accountDetailsGet(accountId: number): Promise<PbaAccountDetails> {
    const row = rowOf(
      await this.execute('AccountDetailsGet_API', { AccountID: accountId }, `account ${accountId}`, true),
    );
    return {
      accountId: Number(row[0]),
      vendorAccountId: Number(row[1]),
      companyName: String(row[2] ?? ''),
      city: String(row[5] ?? ''),
      countryId: String(row[8] ?? ''),
      email: String(row[13] ?? ''),
      creationDate: Number(row[22] ?? 0),
      taxStatus: Number(row[23] ?? 0),
    };
  }
  async subscriptionDetailsGet(subscriptionId: number): Promise<PbaSubscriptionDetails> {
    const row = rowOf(
      await this.execute(
        'SubscriptionDetailsGet_API',
        { SubscriptionID: subscriptionId },
        `subscription ${subscriptionId}`,
        true,
      ),
    );
    return {
      subscriptionId: Number(row[0]),
      name: String(row[1] ?? ''),
      accountId: Number(row[2]),
      planId: Number(row[3]),
      planName: String(row[4] ?? ''),
      status: Number(row[5]),
      servStatus: Number(row[6]),
    };
  }
  /** Every subscription of an account: [SubscriptionID, Name, PlanID, PlanName, PlanPeriodID, Period, PeriodType, Start, Expiration, Status, ServStatus, Container]. */
  async customerSubscriptions(accountId: number): Promise<readonly (readonly unknown[])[]> {
    return rowsOf(
      await this.execute(
        'GetCustomerSubscriptionList_API',
        { AccountID: accountId, SortNo: 1 },
        `subscriptions of account ${accountId}`,
        true,
      ),
    );
  }
  async subscriptionStatusUpdate(subscriptionId: number, status: number, servStatus: number): Promise<void> {
    await this.execute(
      'SubscriptionStatusUpdate_API',
      { SubscriptionID: subscriptionId, Status: status, ServStatus: servStatus },
      `subscription ${subscriptionId}`,
    );
  }

  /**
   * The service plans, through documented calls only: the plans available from the provider
   * (`PlanListAvailableGet_API`, every gate), then each hosting plan's details for its POA
   * service template (`PlanDetailsGet_API`). A domain plan's TLD is read from its name (*verify*).
   */
  async servicePlans(): Promise<readonly ServicePlanInfo[]> {
    const rows = rowsOf(
      await this.execute(
        'PlanListAvailableGet_API',
        { VendorID: 1, GateName: '', CategoryID: 0, SortNo: 1 },
        'service plans',
        true,
      ),
    );
    const plans: ServicePlanInfo[] = [];
    for (const r of rows) {
      const id = Number(r[0]);
      const name = String(r[1] ?? '');
      const category = categoryOf(String(r[5] ?? ''));
      let serviceTemplateId = 0;
      if (category === 'hosting') {
        const details = rowOf(
          await this.execute('PlanDetailsGet_API', { PlanID: id }, `service plan ${id}`, true),
        );
        serviceTemplateId = Number(details[17] ?? 0);
      }
      const tld =
        category === 'domain'
          ? (/(\.[a-z0-9-]+(\.[a-z0-9-]+)*)\s*$/i.exec(name)?.[1]?.toLowerCase() ?? '')
          : '';
      plans.push({ id, name, category, serviceTemplateId, tld });
    }
    return plans;
  }
}

export const PBA_METHODS = Object.keys(PBA_SIGNATURES) as PbaMethod[];

function categoryOf(gate: string): ServicePlanCategory {
  return gate === 'PEMGATE' ? 'hosting' : gate === 'DOMAINGATE' ? 'domain' : 'resource';
}

/** `Result[0]` as one row. */
export function rowOf(first: unknown): readonly unknown[] {
  if (!Array.isArray(first)) throw new Error('the target answered without a row');
  return first;
}

/** `Result[0]` as a list of rows. */
export function rowsOf(first: unknown): readonly (readonly unknown[])[] {
  if (!Array.isArray(first)) throw new Error('the target answered without rows');
  return first.filter(Array.isArray);
}

function firstNumber(first: unknown): number {
  const v = rowOf(first)[0];
  if (typeof v !== 'number') throw new Error('the target answered without an id');
  return v;
}
