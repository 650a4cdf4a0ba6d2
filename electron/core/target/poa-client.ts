/**
 * POA (Operations Automation) OpenAPI client: XML-RPC, one struct per call, the answer a struct
 * whose `status` is 0 on success (then `result`) and non-zero on refusal (then `error_message`).
 * Faults and `status != 0` are both errors, reported with the method and the object.
 */
import type { ServiceTemplateInfo } from '../../../shared/model/target';
import { type CallSpec, CallRunner, type ClientOptions } from './call-runner';
import type { Endpoint } from './http-transport';
import { TargetCallError } from './errors';

export type PoaValue =
  string | number | boolean | Buffer | readonly PoaValue[] | { readonly [k: string]: PoaValue };
export type PoaStruct = { readonly [k: string]: PoaValue };

export interface PoaPerson {
  readonly first_name: string;
  readonly middle_name?: string;
  readonly last_name: string;
  readonly company_name?: string;
}
export interface PoaAddress {
  readonly street_name: string;
  readonly house_num?: string;
  readonly address2?: string;
  readonly zipcode: string;
  readonly city: string;
  /** two lower-case letters */
  readonly country: string;
  readonly state: string;
}
export interface PoaPhone {
  readonly country_code: string;
  readonly area_code: string;
  readonly phone_num: string;
  readonly ext_num: string;
}
export interface PoaAccount {
  readonly account_type: 'C' | 'R';
  readonly account_id?: number;
  readonly parent_account_id?: number;
  readonly person: PoaPerson;
  readonly address: PoaAddress;
  readonly phone: PoaPhone;
  readonly fax?: PoaPhone;
  readonly email: string;
}
export interface PoaMember {
  readonly account_id: number;
  readonly auth: { readonly login: string; readonly password: string };
  readonly person: PoaPerson;
  readonly address: PoaAddress;
  readonly phone: PoaPhone;
  readonly email: string;
}
export interface PoaSubscriptionRequest {
  readonly account_id: number;
  readonly service_template_id: number;
  readonly subscription_id?: number;
  readonly subscription_name?: string;
  readonly resource_limits?: readonly { readonly resource_id: number; readonly resource_limit: number }[];
  readonly parameters?: readonly { readonly var_name: string; readonly var_value: string }[];
}
export interface PoaDomainRequest {
  readonly subscription_id: number;
  readonly domain_name: string;
  readonly domain_id?: number;
  readonly registrar_status?: 0 | 1 | 2;
  readonly hosting_type?: 0 | 2;
  readonly path?: string;
}
export type DnsRecordType = 'A' | 'AAAA' | 'CAA' | 'CNAME' | 'TLSA' | 'TXT' | 'MX' | 'SRV' | 'NS';

export interface PoaAccountInfo {
  readonly account_id: number;
  readonly account_type: string;
  readonly parent_account_id: number;
  readonly email: string;
  readonly enabled: boolean;
  readonly person: PoaPerson;
}
export interface PoaMemberInfo {
  readonly member_id: number;
  readonly account_id: number;
  readonly login: string;
  readonly email: string;
}
export interface PoaSubscriptionInfo {
  readonly subscription_id: number;
  readonly account_id: number;
  readonly service_template_id: number;
  readonly name: string;
  readonly active: boolean;
  readonly enabled: boolean;
}
export interface PoaDomainInfo {
  readonly domain_id: number;
  readonly domain_name: string;
  readonly subscription_id: number;
  readonly hosting_type: number;
  readonly dns_hosted: boolean;
  readonly enabled: boolean;
}
export interface PoaTemplateDetails {
  readonly service_template_id: number;
  readonly name: string;
  readonly active: boolean;
  readonly resources: readonly {
    readonly resource_id: number;
    readonly name: string;
    readonly limit: number;
  }[];
}

export class PoaClient {
  readonly #runner: CallRunner;

  constructor(endpoint: Endpoint, options: ClientOptions = {}) {
    this.#runner = new CallRunner('POA', endpoint, options);
  }

  /** One POA call; returns `result` (status 0) or throws a TargetCallError. */
  async call(method: string, params: PoaStruct, object: string, safe = false): Promise<unknown> {
    const spec: CallSpec = { method, object, safe, logged: params };
    const started = Date.now();
    const answer = await this.#runner.send(spec, method, [params]);
    const fail = async (error: TargetCallError): Promise<never> => {
      await this.#runner.logFailure(spec, error, Date.now() - started);
      throw error;
    };
    if (answer.kind === 'fault') {
      const f = answer.fault;
      return fail(new TargetCallError('target-fault', 'POA', method, object, f.faultString, f.faultCode));
    }
    const value = answer.value;
    if (!isRecord(value) || typeof value['status'] !== 'number') {
      return fail(
        new TargetCallError('target-bad-response', 'POA', method, object, 'the answer has no status'),
      );
    }
    if (value['status'] !== 0) {
      const message = text(value['error_message']) || `status ${value['status']}`;
      return fail(new TargetCallError('target-error', 'POA', method, object, message, value['status']));
    }
    await this.#runner.logSuccess(spec, value['result'], Date.now() - started);
    return value['result'];
  }

  async addAccount(a: PoaAccount, object = `account of ${a.email}`): Promise<number> {
    return idOf(await this.call('pem.addAccount', strip(a), object), 'account_id');
  }
  async addAccountMember(m: PoaMember): Promise<number> {
    return idOf(await this.call('pem.addAccountMember', strip(m), `member ${m.auth.login}`), 'user_id');
  }
  async addSubscription(s: PoaSubscriptionRequest): Promise<number> {
    const object = `subscription of account ${s.account_id}`;
    return idOf(await this.call('pem.addSubscription', strip(s), object), 'subscription_id');
  }
  async activateSubscription(s: PoaSubscriptionRequest): Promise<number> {
    const object = `subscription of account ${s.account_id}`;
    return idOf(await this.call('pem.activateSubscription', strip(s), object), 'subscription_id');
  }
  async addDomain(d: PoaDomainRequest): Promise<number> {
    return idOf(await this.call('pem.addDomain', strip(d), `domain ${d.domain_name}`), 'domain_id');
  }
  async addSubdomain(s: {
    subscription_id: number;
    domain_name: string;
    prefix: string;
    hosting_type?: 0 | 2;
  }): Promise<number> {
    const object = `subdomain ${s.prefix}.${s.domain_name}`;
    return idOf(await this.call('pem.addSubdomain', strip(s), object), 'domain_id');
  }
  async addDnsHosting(d: { domain_id: number; subscription_id?: number }): Promise<void> {
    await this.call('pem.addDNSHosting', strip(d), `DNS hosting of domain ${d.domain_id}`);
  }
  async createDnsRecord(r: {
    domain_name: string;
    host: string;
    ttl?: number;
    type: DnsRecordType;
    data: string;
  }): Promise<number> {
    const object = `${r.type} record ${r.host} of ${r.domain_name}`;
    return idOf(await this.call('pem.createDNSRecord', strip(r), object), 'record_id');
  }
  async addMailbox(m: {
    subscription_id: number;
    name: string;
    domain_name?: string;
    password?: string;
    password_crypted?: string;
    quota: number;
  }): Promise<number> {
    const object = `mailbox ${m.name}${m.domain_name ? `@${m.domain_name}` : ''}`;
    return idOf(await this.call('pem.cqmail.addMailbox', strip(m), object), 'mailbox_id');
  }
  async addMailForwarding(f: {
    subscription_id: number;
    name: string;
    domain_name?: string;
    forward_to: string;
  }): Promise<number> {
    const object = `forwarding ${f.name}${f.domain_name ? `@${f.domain_name}` : ''}`;
    return idOf(await this.call('pem.cqmail.addMailForwarding', strip(f), object), 'forwarding_id');
  }
  async createDatabase(d: {
    subscription_id: number;
    db_name: string;
    db_type: 'mysql' | 'postgresql';
  }): Promise<number> {
    return idOf(await this.call('pem.createDatabase', strip(d), `database ${d.db_name}`), 'database_id');
  }
  async createDatabaseUser(u: {
    subscription_id: number;
    db_name: string;
    login: string;
    password: string;
  }): Promise<number> {
    const object = `database user ${u.login} of ${u.db_name}`;
    return idOf(await this.call('pem.createDatabaseUser', strip(u), object), 'db_user_id');
  }
  async createFtpUser(u: {
    subscription_id: number;
    login: string;
    password: string;
    home_dir?: string;
  }): Promise<number> {
    return idOf(
      await this.call('pem.ProFTPD.createCustomFTPUser', strip(u), `FTP user ${u.login}`),
      'ftp_user_id',
    );
  }

  getAccountInfo(accountId: number): Promise<PoaAccountInfo> {
    return this.call(
      'pem.getAccountInfo',
      { account_id: accountId },
      `account ${accountId}`,
      true,
    ) as Promise<PoaAccountInfo>;
  }
  getAccountMemberByLogin(login: string): Promise<PoaMemberInfo> {
    return this.call(
      'pem.getAccountMemberByLogin',
      { login },
      `member ${login}`,
      true,
    ) as Promise<PoaMemberInfo>;
  }
  async getAccountSubscriptions(accountId: number): Promise<readonly PoaSubscriptionInfo[]> {
    const result = await this.call(
      'pem.getAccountSubscriptions',
      { account_id: accountId },
      `account ${accountId}`,
      true,
    );
    return Array.isArray(result) ? (result as PoaSubscriptionInfo[]) : [];
  }
  getSubscription(subscriptionId: number): Promise<PoaSubscriptionInfo> {
    const object = `subscription ${subscriptionId}`;
    return this.call(
      'pem.getSubscription',
      { subscription_id: subscriptionId },
      object,
      true,
    ) as Promise<PoaSubscriptionInfo>;
  }
  getDomainByName(domainName: string): Promise<PoaDomainInfo> {
    return this.call(
      'pem.getDomainByName',
      { domain_name: domainName },
      `domain ${domainName}`,
      true,
    ) as Promise<PoaDomainInfo>;
  }
  async getServiceTemplateList(): Promise<readonly ServiceTemplateInfo[]> {
    const result = await this.call('pem.getServiceTemplateList', {}, 'service templates', true);
    if (!Array.isArray(result)) return [];
    return result.filter(isRecord).map((t) => ({
      id: Number(t['service_template_id']),
      name: text(t['name']),
      active: t['active'] === true,
    }));
  }
  getServiceTemplate(id: number): Promise<PoaTemplateDetails> {
    const object = `service template ${id}`;
    return this.call(
      'pem.getServiceTemplate',
      { service_template_id: id },
      object,
      true,
    ) as Promise<PoaTemplateDetails>;
  }

  async setAccountEnabled(accountId: number, enabled: boolean): Promise<void> {
    const method = enabled ? 'pem.enableAccount' : 'pem.disableAccount';
    await this.call(method, { account_id: accountId }, `account ${accountId}`);
  }
  async setSubscriptionEnabled(subscriptionId: number, enabled: boolean): Promise<void> {
    const method = enabled ? 'pem.enableSubscription' : 'pem.disableSubscription';
    await this.call(method, { subscription_id: subscriptionId }, `subscription ${subscriptionId}`);
  }
  async setDomainEnabled(domainId: number, enabled: boolean): Promise<void> {
    const method = enabled ? 'pem.enableDomain' : 'pem.disableDomain';
    await this.call(method, { domain_id: domainId }, `domain ${domainId}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** POA has been seen to send `error_message` as base64; accept both. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return v === undefined || v === null ? '' : String(v);
}

/** Optional members left undefined must not cross the wire (XML-RPC has no undefined). */
function strip<T extends object>(value: T): PoaStruct {
  return JSON.parse(JSON.stringify(value)) as PoaStruct;
}

function idOf(result: unknown, key: string): number {
  if (isRecord(result) && typeof result[key] === 'number') return result[key];
  throw new Error(`the target's answer has no ${key}`);
}
