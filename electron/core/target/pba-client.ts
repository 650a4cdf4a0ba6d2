/**
 * PBA (Business Automation) OpenAPI client: every call is `Execute` with
 * `{Server: 'BM', Method: '<Name>_API', Params: [positional values]}`; the answer's `Result`
 * holds rows of positional values; a refusal is an XML-RPC fault whose string is base64.
 */
import type { ServicePlanCategory, ServicePlanInfo } from '../../../shared/model/target';
import { type CallSpec, CallRunner, type ClientOptions } from './call-runner';
import type { Endpoint } from './http-transport';
import { TargetCallError } from './errors';
import { PBA_SIGNATURES, type PbaMethod, type PbaNamed, toPositional } from './pba-signatures';

export interface PbaAccountDetails {
  readonly accountId: number;
  readonly vendorAccountId: number;
  readonly accountType: string;
  readonly companyName: string;
  readonly city: string;
  readonly countryId: string;
  readonly adminEmail: string;
  readonly status: number;
}

export interface PbaSubscriptionDetails {
  readonly subscriptionId: number;
  readonly accountId: number;
  readonly planId: number;
  readonly name: string;
  readonly status: number;
  readonly startDate: number;
  readonly expirationDate: number;
}

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

  /** One PBA call with named values (logged by name, so passwords are masked); returns `Result`. */
  async execute<M extends PbaMethod>(
    method: M,
    named: Partial<PbaNamed<M>>,
    object: string,
    safe = false,
  ): Promise<unknown[]> {
    return this.executeRaw(method, toPositional(method, named), object, safe, named);
  }

  /** A call as PBA sees it: positional values. For methods outside PBA_SIGNATURES, or tests. */
  async executeRaw(
    method: string,
    params: readonly unknown[],
    object: string,
    safe = false,
    logged: unknown = params,
  ): Promise<unknown[]> {
    const spec: CallSpec = { method, object, safe, logged };
    const started = Date.now();
    const answer = await this.#runner.send(spec, 'Execute', [
      { Server: 'BM', Method: method, Params: params },
    ]);
    const fail = async (error: TargetCallError): Promise<never> => {
      await this.#runner.logFailure(spec, error, Date.now() - started);
      throw error;
    };
    if (answer.kind === 'fault') {
      const message = decodeFaultString(answer.fault.faultString);
      return fail(
        new TargetCallError('target-fault', 'PBA', method, object, message, answer.fault.faultCode),
      );
    }
    const value = answer.value;
    const result =
      typeof value === 'object' && value !== null && 'Result' in value
        ? (value as { Result: unknown }).Result
        : undefined;
    if (!Array.isArray(result)) {
      return fail(
        new TargetCallError('target-bad-response', 'PBA', method, object, 'the answer has no Result'),
      );
    }
    await this.#runner.logSuccess(spec, result, Date.now() - started);
    return result as unknown[];
  }

  async accountAdd(a: Partial<PbaNamed<'AccountAdd_API'>>): Promise<number> {
    const object = `account ${String(a.CompanyName ?? a.AdminEmail ?? '')}`.trim();
    // Vendor 1 is the provider itself, the owner of direct customers.
    return firstNumber(await this.execute('AccountAdd_API', { VendorAccountID: 1, ...a }, object));
  }
  async userAdd(u: Partial<PbaNamed<'UserAdd_API'>>): Promise<number> {
    return firstNumber(await this.execute('UserAdd_API', u, `user ${String(u.Login ?? '')}`));
  }
  async subscriptionWithIdAdd(s: Partial<PbaNamed<'SubscriptionWithIDAdd_API'>>): Promise<number> {
    const object = `subscription ${String(s.SubscriptionID ?? '')} of account ${String(s.AccountID ?? '')}`;
    return firstNumber(await this.execute('SubscriptionWithIDAdd_API', s, object));
  }
  async servicePlanList(): Promise<readonly ServicePlanInfo[]> {
    const rows = await this.execute('ServicePlanList_API', {}, 'service plans', true);
    return rows.filter(Array.isArray).map((r: unknown[]) => ({
      id: Number(r[0]),
      name: String(r[1] ?? ''),
      category: toCategory(r[2]),
      serviceTemplateId: Number(r[3] ?? 0),
      tld: String(r[4] ?? ''),
    }));
  }
  async accountDetailsGet(accountId: number): Promise<PbaAccountDetails> {
    const row = firstRow(
      await this.execute('AccountDetailsGet_API', { AccountID: accountId }, `account ${accountId}`, true),
    );
    return {
      accountId: Number(row[0]),
      vendorAccountId: Number(row[1]),
      accountType: String(row[2]),
      companyName: String(row[3]),
      city: String(row[4]),
      countryId: String(row[5]),
      adminEmail: String(row[6]),
      status: Number(row[7]),
    };
  }
  async subscriptionDetailsGet(subscriptionId: number): Promise<PbaSubscriptionDetails> {
    const object = `subscription ${subscriptionId}`;
    const row = firstRow(
      await this.execute('SubscriptionDetailsGet_API', { SubscriptionID: subscriptionId }, object, true),
    );
    return {
      subscriptionId: Number(row[0]),
      accountId: Number(row[1]),
      planId: Number(row[2]),
      name: String(row[3]),
      status: Number(row[4]),
      startDate: Number(row[5]),
      expirationDate: Number(row[6]),
    };
  }
}

export const PBA_METHODS = Object.keys(PBA_SIGNATURES) as PbaMethod[];

function toCategory(v: unknown): ServicePlanCategory {
  return v === 'domain' || v === 'resource' ? v : 'hosting';
}

function firstRow(result: readonly unknown[]): readonly unknown[] {
  const row = result[0];
  if (!Array.isArray(row)) throw new Error('the target answered with an empty Result');
  return row;
}

function firstNumber(result: readonly unknown[]): number {
  const v = firstRow(result)[0];
  if (typeof v !== 'number') throw new Error('the target answered without an id');
  return v;
}
