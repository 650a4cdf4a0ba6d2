/**
 * POA (Operations Automation) OpenAPI client: XML-RPC, one struct per call, the answer a struct
 * whose `status` is 0 on success (then `result`) and -1 on refusal (then `error_message`,
 * `module_id`, `extype_id`: the names poa-errors.ts gives them). Faults and refusals are both
 * errors, reported with the method and the object. Transactions (`txn.*`) and the status of
 * their asynchronous requests (`pem.getRequestStatus`) are here too; every creating helper
 * takes an optional transaction id, sent as the `txn_id` member of its struct.
 */
import type { ServiceTemplateInfo } from '../../../shared/model/target';
import { type CallSpec, CallRunner, type ClientOptions } from './call-runner';
import type { Endpoint } from './http-transport';
import { TargetCallError } from './errors';

export type PoaValue =
  string | number | boolean | Buffer | readonly PoaValue[] | { readonly [k: string]: PoaValue };
export type PoaStruct = { readonly [k: string]: PoaValue };

export interface PoaPerson {
  readonly title?: string;
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
  readonly note?: string;
}
export interface PoaMember {
  readonly account_id: number;
  readonly user_id?: number;
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
  /** `domain_name` makes activation create the domain and its webspace. */
  readonly parameters?: readonly { readonly var_name: string; readonly var_value: string }[];
}
export interface PoaDomainRequest {
  readonly subscription_id: number;
  readonly domain_name: string;
  readonly domain_id?: number;
  readonly registrar_status?: 0 | 1 | 2;
  /** 0 physical, 2 parking */
  readonly hosting_type?: 0 | 2;
  /** 0 parking, 1 standard forwarding, 2 single page, 3 frame forwarding (hosting_type 2 only) */
  readonly domain_parking_type?: 0 | 1 | 2 | 3;
  /** The forwarding URL (parking types 1 and 3). */
  readonly path?: string;
}
export interface PoaSubdomainRequest {
  readonly subscription_id: number;
  readonly domain_name: string;
  readonly prefix: string;
  readonly hosting_type?: 0 | 2;
  readonly domain_parking_type?: 0 | 1 | 2 | 3;
  readonly path?: string;
}
export type DnsRecordType = 'A' | 'AAAA' | 'CAA' | 'CNAME' | 'TLSA' | 'TXT' | 'MX' | 'SRV' | 'NS';
export interface PoaDnsRecord {
  readonly domain_name: string;
  readonly host: string;
  readonly ttl?: number;
  readonly type: DnsRecordType;
  readonly data: string;
}
export interface PoaMailbox {
  readonly subscription_id: number;
  readonly name: string;
  readonly domain_name?: string;
  /** The plain password, or a crypt when `password_crypted` is set. */
  readonly password: string;
  readonly password_crypted: boolean;
  /** KB; -1 unlimited */
  readonly quota: number;
}
export interface PoaForwarding {
  readonly subscription_id: number;
  readonly name: string;
  readonly domain_name?: string;
  /** One address per call. */
  readonly forward_to: string;
}

export interface PoaAccountInfo {
  readonly account_id: number;
  readonly account_type: string;
  readonly parent_account_id: number;
  readonly person: PoaPerson;
  readonly email: string;
  readonly enabled: boolean;
}
export interface PoaMemberInfo {
  readonly member_id: number;
  readonly user_id: number;
  readonly account_id: number;
  readonly login: string;
  readonly email: string;
}
export interface PoaSubscriptionInfo {
  readonly subscription_id: number;
  readonly name: string;
  readonly c_date: number;
  readonly st_id: number;
  readonly owner_id: number;
  readonly is_active: boolean;
}
export interface PoaDomainInfo {
  readonly domain_id: number;
  readonly domain_name: string;
  readonly owner_id: number;
  readonly subscription_id: number;
  readonly hosting_type: number;
  readonly domain_parking_type: number;
  readonly path: string;
  readonly webspace_id: number;
  readonly dns_hosted: boolean;
  readonly enabled: boolean;
}
export interface PoaDnsRecordInfo {
  readonly record_id: number;
  readonly host: string;
  readonly type: string;
  readonly data: string;
  readonly ttl: number;
}
export interface PoaMailname {
  readonly name: string;
  readonly domain_name: string;
  readonly mailbox: boolean;
  readonly quota: number;
  readonly forward_to: readonly string[];
  readonly aliases: readonly string[];
}
export interface PoaDatabaseInfo {
  readonly database_id: number;
  readonly db_name: string;
  readonly db_type: string;
  readonly users: readonly string[];
}
export interface PoaFtpUserInfo {
  readonly ftp_user_id: number;
  readonly login: string;
  readonly home_dir: string;
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

export type RequestState = 'done' | 'running' | 'failed';

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
      const moduleId = text(value['module_id']) || undefined;
      const extype = value['extype_id'];
      return fail(
        new TargetCallError(
          'target-error',
          'POA',
          method,
          object,
          message,
          value['status'],
          moduleId,
          typeof extype === 'number' ? extype : undefined,
        ),
      );
    }
    await this.#runner.logSuccess(spec, value['result'], Date.now() - started);
    return value['result'];
  }

  /** A call inside a transaction when `txnId` is given. */
  #in(method: string, params: object, object: string, txnId: string | undefined): Promise<unknown> {
    return this.call(method, strip(txnId === undefined ? params : { ...params, txn_id: txnId }), object);
  }

  // Transactions and asynchronous requests.
  async begin(options: { requestId?: string; timeoutSec?: number; txnId?: string } = {}): Promise<string> {
    const params = strip({
      txn_id: options.txnId,
      timeout: options.timeoutSec,
      request_id: options.requestId,
    });
    const result = await this.call(
      'txn.Begin',
      params,
      `transaction${options.requestId ? ` ${options.requestId}` : ''}`,
    );
    if (isRecord(result) && typeof result['txn_id'] === 'string') return result['txn_id'];
    throw new Error("the target's answer to txn.Begin has no txn_id");
  }
  async commit(txnId: string): Promise<void> {
    await this.call('txn.Commit', { txn_id: txnId }, `transaction ${txnId}`);
  }
  async rollback(txnId: string): Promise<void> {
    await this.call('txn.Rollback', { txn_id: txnId }, `transaction ${txnId}`, true);
  }
  async requestStatus(requestId: string): Promise<{ state: RequestState; messages: string[] }> {
    const result = await this.call(
      'pem.getRequestStatus',
      { request_id: requestId },
      `request ${requestId}`,
      true,
    );
    const status = isRecord(result) ? result['request_status'] : undefined;
    const raw = isRecord(result) ? result['status_messages'] : undefined;
    const messages = Array.isArray(raw) ? raw.map(text) : raw === undefined ? [] : [text(raw)];
    if (status === 0) return { state: 'done', messages };
    if (status === 1) return { state: 'running', messages };
    if (status === 2) return { state: 'failed', messages };
    throw new Error(`the target answered request_status ${String(status)} for request ${requestId}`);
  }

  // Accounts and members.
  async addAccount(a: PoaAccount, object = `account of ${a.email}`, txnId?: string): Promise<number> {
    return idOf(await this.#in('pem.addAccount', a, object, txnId), 'account_id');
  }
  async addAccountMember(m: PoaMember, txnId?: string): Promise<number> {
    return idOf(await this.#in('pem.addAccountMember', m, `member ${m.auth.login}`, txnId), 'user_id');
  }
  async setMemberPassword(login: string, password: string): Promise<void> {
    await this.call('pem.setMemberPassword', { login, password }, `member ${login}`);
  }

  // Subscriptions.
  async addSubscription(s: PoaSubscriptionRequest, txnId?: string): Promise<number> {
    return idOf(
      await this.#in('pem.addSubscription', s, `subscription of account ${s.account_id}`, txnId),
      'subscription_id',
    );
  }
  async activateSubscription(s: PoaSubscriptionRequest, txnId?: string): Promise<number> {
    const object = s.subscription_id
      ? `subscription ${s.subscription_id}`
      : `subscription of account ${s.account_id}`;
    return idOf(await this.#in('pem.activateSubscription', s, object, txnId), 'subscription_id');
  }

  // Domains and DNS.
  async addDomain(d: PoaDomainRequest, txnId?: string): Promise<number> {
    return idOf(await this.#in('pem.addDomain', d, `domain ${d.domain_name}`, txnId), 'domain_id');
  }
  async addSubdomain(s: PoaSubdomainRequest, txnId?: string): Promise<number> {
    return idOf(
      await this.#in('pem.addSubdomain', s, `subdomain ${s.prefix}.${s.domain_name}`, txnId),
      'domain_id',
    );
  }
  async addDomainToAccount(
    d: { account_id: number; domain_name: string; domain_id?: number },
    txnId?: string,
  ): Promise<number> {
    return idOf(await this.#in('pem.addDomainToAccount', d, `domain ${d.domain_name}`, txnId), 'domain_id');
  }
  async addDnsHosting(d: { domain_id: number; hosting_rt_id: number }, txnId?: string): Promise<void> {
    await this.#in('pem.addDNSHosting', d, `DNS hosting of domain ${d.domain_id}`, txnId);
  }
  async createDnsRecord(r: PoaDnsRecord, txnId?: string): Promise<number> {
    return idOf(
      await this.#in('pem.createDNSRecord', r, `${r.type} record ${r.host} of ${r.domain_name}`, txnId),
      'record_id',
    );
  }

  // Mail.
  async addMailbox(m: PoaMailbox, txnId?: string): Promise<void> {
    await this.#in(
      'pem.cqmail.addMailbox',
      m,
      `mailbox ${m.name}${m.domain_name ? `@${m.domain_name}` : ''}`,
      txnId,
    );
  }
  async addMailForwarding(f: PoaForwarding, txnId?: string): Promise<void> {
    await this.#in(
      'pem.cqmail.addMailForwarding',
      f,
      `forwarding ${f.name}${f.domain_name ? `@${f.domain_name}` : ''} → ${f.forward_to}`,
      txnId,
    );
  }
  /** Extra addresses (aliases) of the mail name whose service user is `login`. */
  async addEmailAddresses(
    login: string,
    emails: readonly { name: string; domain_name?: string }[],
    txnId?: string,
  ): Promise<void> {
    await this.#in(
      'pem.cqmail.editEmailAddresses',
      { login, emails_to_add: emails },
      `addresses of ${login}`,
      txnId,
    );
  }

  // Databases and FTP.
  async createDatabase(
    d: { subscription_id: number; db_name: string; db_type: 'mysql' | 'postgresql' },
    txnId?: string,
  ): Promise<number> {
    return idOf(await this.#in('pem.createDatabase', d, `database ${d.db_name}`, txnId), 'database_id');
  }
  async createDatabaseUser(
    u: { subscription_id: number; db_name: string; login: string; password: string },
    txnId?: string,
  ): Promise<number> {
    return idOf(
      await this.#in('pem.createDatabaseUser', u, `database user ${u.login} of ${u.db_name}`, txnId),
      'db_user_id',
    );
  }
  async createFtpUser(
    u: { subscription_id: number; login: string; password: string; home_dir?: string },
    txnId?: string,
  ): Promise<number> {
    return idOf(
      await this.#in('pem.ProFTPD.createCustomFTPUser', u, `FTP user ${u.login}`, txnId),
      'ftp_user_id',
    );
  }

  // Look-ups (safe: retried after a lost connection).
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
    return list(
      await this.call('pem.getAccountSubscriptions', { account_id: accountId }, `account ${accountId}`, true),
    );
  }
  getSubscription(subscriptionId: number): Promise<PoaSubscriptionInfo> {
    const object = `subscription ${subscriptionId}`;
    return this.call(
      'pem.getSubscription',
      { subscription_id: subscriptionId, get_resources: false },
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
  async getAccountDomains(accountId: number): Promise<readonly PoaDomainInfo[]> {
    return list(
      await this.call(
        'pem.getAccountDomains',
        { account_id: accountId },
        `domains of account ${accountId}`,
        true,
      ),
    );
  }
  async getDnsRecords(domainName: string): Promise<readonly PoaDnsRecordInfo[]> {
    return list(
      await this.call('pem.getDNSRecords', { domain_name: domainName }, `DNS records of ${domainName}`, true),
    );
  }
  async getSubscriptionWebspaces(
    subscriptionId: number,
  ): Promise<readonly { webspace_id: number; domain_id: number; location: string }[]> {
    return list(
      await this.call(
        'pem.getSubscriptionWebspaces',
        { subscription_id: subscriptionId },
        `webspaces of subscription ${subscriptionId}`,
        true,
      ),
    );
  }
  async getUsers(
    subscriptionId: number,
  ): Promise<readonly { user_id: number; display_name: string; login: string }[]> {
    return list(
      await this.call(
        'pem.getUsers',
        { subscription_id: subscriptionId },
        `service users of subscription ${subscriptionId}`,
        true,
      ),
    );
  }
  async getMailnames(subscriptionId: number): Promise<readonly PoaMailname[]> {
    return list(
      await this.call(
        'pem.cqmail.getMailnames',
        { subscription_id: subscriptionId },
        `mail names of subscription ${subscriptionId}`,
        true,
      ),
    );
  }
  async getDatabases(subscriptionId: number): Promise<readonly PoaDatabaseInfo[]> {
    return list(
      await this.call(
        'pem.getDatabases',
        { subscription_id: subscriptionId },
        `databases of subscription ${subscriptionId}`,
        true,
      ),
    );
  }
  async getFtpUsers(subscriptionId: number): Promise<readonly PoaFtpUserInfo[]> {
    return list(
      await this.call(
        'pem.ProFTPD.getCustomFTPUsersList',
        { subscription_id: subscriptionId },
        `FTP users of subscription ${subscriptionId}`,
        true,
      ),
    );
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
    return this.call(
      'pem.getServiceTemplate',
      { service_template_id: id },
      `service template ${id}`,
      true,
    ) as Promise<PoaTemplateDetails>;
  }

  // State.
  async setAccountEnabled(accountId: number, enabled: boolean): Promise<void> {
    await this.call(
      enabled ? 'pem.enableAccount' : 'pem.disableAccount',
      { account_id: accountId },
      `account ${accountId}`,
    );
  }
  async setSubscriptionEnabled(subscriptionId: number, enabled: boolean): Promise<void> {
    const method = enabled ? 'pem.enableSubscription' : 'pem.disableSubscription';
    await this.call(method, { subscription_id: subscriptionId }, `subscription ${subscriptionId}`);
  }
  async setDomainEnabled(domainId: number, enabled: boolean): Promise<void> {
    await this.call(
      enabled ? 'pem.enableDomain' : 'pem.disableDomain',
      { domain_id: domainId },
      `domain ${domainId}`,
    );
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
function strip(value: object): PoaStruct {
  return JSON.parse(JSON.stringify(value)) as PoaStruct;
}

function list<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : [];
}

function idOf(result: unknown, key: string): number {
  if (isRecord(result) && typeof result[key] === 'number') return result[key];
  throw new Error(`the target's answer has no ${key}`);
}
