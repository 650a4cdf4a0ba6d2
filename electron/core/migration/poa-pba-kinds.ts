/**
 * Per step kind: which ids the manager chooses before the call, the calls that create the
 * object, and the look-up that finds it again (by chosen id, name, login or custom attribute).
 * The adapter (poa-pba-target.ts) runs them the same way for every kind.
 */
import { randomBytes } from 'node:crypto';
import type { PayloadOf, PlanStep, StepKind, TargetIds } from '../../../shared/model/migration';
import { rowOf } from '../target/pba-client';
import type { PbaNamed } from '../target/pba-signatures';
import type { DnsRecordType } from '../target/poa-client';
import { type Env, type PoaPbaOptions, inTransaction, isRefusal, numberOf, orNothing } from './poa-pba-env';
import {
  addressValues,
  candidateId,
  contactValues,
  feesOf,
  moneyString,
  paySystemOf,
  pbaStatusOf,
  termsOf,
} from './poa-pba-values';
import type { StepContext } from './target-port';

// `content` goes to the content port (content-port.ts), never to POA/PBA.
type Creating = Exclude<StepKind, 'not-carried' | 'source-disable' | 'content'>;

export interface ChooseEnv {
  readonly env: Omit<Env, 'intent'>;
  readonly step: PlanStep;
  readonly attempt: number;
}

export interface KindHandler<K extends Creating> {
  /** POA calls inside a transaction: the intent carries a request id. */
  readonly poa: boolean;
  choose?(p: PayloadOf<K>, c: ChooseEnv): Promise<TargetIds>;
  create(p: PayloadOf<K>, env: Env): Promise<TargetIds>;
  /** The object as the target holds it, or undefined when it surely does not. */
  find(p: PayloadOf<K>, env: Env): Promise<TargetIds | undefined>;
}

const PROBES = 20;

/** A free id: candidates derived from the step and attempt, each checked by look-up. */
async function freeId(
  c: ChooseEnv,
  range: PoaPbaOptions['accountIds'],
  taken: (id: number) => Promise<boolean>,
): Promise<number> {
  for (let probe = 0; probe < PROBES; probe++) {
    const id = candidateId(range, `${c.step.id}#${c.attempt}#${probe}`);
    if (!(await taken(id))) return id;
  }
  throw new Error(`no free id found for ${c.step.label} after ${PROBES} tries`);
}

const exists = async (lookUp: Promise<unknown>): Promise<boolean> => (await orNothing(lookUp)) !== undefined;

function chosen(env: Env, key: string): number {
  return numberOf(env.intent.chosen, key, 'the intent');
}

const accountOf = (ctx: StepContext, accountStep: string): number =>
  numberOf(ctx.idsOf(accountStep), 'accountId', accountStep);
const subscriptionOf = (ctx: StepContext, step: string): number =>
  numberOf(ctx.idsOf(step), 'subscriptionId', step);

function split(address: string): { name: string; domain: string } {
  const at = address.lastIndexOf('@');
  return at < 0
    ? { name: address, domain: '' }
    : { name: address.slice(0, at), domain: address.slice(at + 1) };
}

/** A domain found by name is ours only when it belongs to the account we expect. */
async function domainOfAccount(env: Env, name: string, accountId: number): Promise<TargetIds | undefined> {
  const d = await orNothing(env.poa.getDomainByName(name));
  if (!d) return undefined;
  if (d.owner_id !== accountId)
    throw new Error(
      `domain ${name} already exists on the target, owned by account ${d.owner_id}, not ${accountId}`,
    );
  return {
    domainId: d.domain_id,
    accountId,
    ...(d.subscription_id ? { subscriptionId: d.subscription_id } : {}),
  };
}

/** A PBA subscription created with our chosen id, for our account. */
async function pbaSubscriptionOf(env: Env, id: number, accountId: number): Promise<boolean> {
  const s = await orNothing(env.pba.subscriptionDetailsGet(id));
  if (!s) return false;
  if (s.accountId !== accountId)
    throw new Error(`subscription ${id} already exists on the target for account ${s.accountId}`);
  return true;
}

async function chooseSubscriptionId(c: ChooseEnv): Promise<TargetIds> {
  const { poa, pba } = c.env;
  const id = await freeId(
    c,
    c.env.options.subscriptionIds,
    async (n) => (await exists(pba.subscriptionDetailsGet(n))) || (await exists(poa.getSubscription(n))),
  );
  return { subscriptionId: id };
}

const account: KindHandler<'account'> = {
  poa: false,
  choose: async (p, c) => {
    const { pba, options } = c.env;
    // An account an earlier batch created keeps its id.
    const [earlier] = await pba.accountsByAttribute(options.sourceKeyAttribute, p.sourceKey);
    if (earlier !== undefined) return { accountId: earlier };
    const id = await freeId(
      c,
      options.accountIds,
      async (n) => (await exists(pba.accountDetailsGet(n))) || (await exists(c.env.poa.getAccountInfo(n))),
    );
    return { accountId: id };
  },
  create: async (p, env) => {
    const id = chosen(env, 'accountId');
    const admin = p.adminContact ?? p.billingContact ?? p.technicalContact;
    const vendor = p.parentStep ? accountOf(env.ctx, p.parentStep) : 1;
    const named: {
      -readonly [K in keyof PbaNamed<'AccountWithIDAdd_API'>]?: PbaNamed<'AccountWithIDAdd_API'>[K];
    } = {
      VendorAccountID: vendor,
      VType: p.accountType === 'reseller' ? 2 : 3,
      CompanyName: p.company ?? '',
      ...addressValues(p.address ?? admin?.address),
      ...contactValues('Admin', admin),
      ...contactValues('Bill', p.billingContact ?? admin),
      ...contactValues('Tech', p.technicalContact ?? admin),
      PersFName: admin?.firstName ?? '',
      PersMName: admin?.middleName ?? '',
      PersLName: admin?.lastName ?? '',
      PersEmail: admin?.email ?? '',
      TaxStatus: p.company ? 2 : 1,
      AccountID: id,
    };
    if (!named.AdminLName) named.AdminLName = p.company ?? admin?.firstName ?? '';
    try {
      await env.pba.execute('AccountWithIDAdd_API', named, `account ${p.sourceKey}`);
    } catch (e) {
      // Our id, taken: by us, when an earlier attempt's answer was lost (the attribute follows).
      if (!isRefusal(e) || !(await exists(env.pba.accountDetailsGet(id)))) throw e;
    }
    await env.pba.setAccountAttribute(id, env.options.sourceKeyAttribute, p.sourceKey);
    return { accountId: id };
  },
  find: async (p, env) => {
    const [id] = await env.pba.accountsByAttribute(env.options.sourceKeyAttribute, p.sourceKey);
    return id === undefined ? undefined : { accountId: id };
  },
};

const member: KindHandler<'member'> = {
  poa: false,
  create: async (p, env) => {
    if (!p.password || p.password.crypted)
      throw new Error(`staff member ${p.login} has no plain password to send`);
    const password = await env.ctx.unseal(p.password.value, 'password');
    const c = p.contact;
    const id = await env.pba.userAdd({
      AccountID: accountOf(env.ctx, p.accountStep),
      Login: p.login,
      Password: password,
      ConfirmPassword: password,
      FName: c?.firstName ?? '',
      LName: c?.lastName ?? '',
      Email: c?.email ?? '',
      ...(c?.address
        ? {
            Address1: addressValues(c.address)['Address1'],
            City: c.address.city ?? '',
            Zip: c.address.zip ?? '',
            State: c.address.state ?? '',
            CountryID: (c.address.country ?? '').toLowerCase(),
          }
        : {}),
      PhCountryCode: c?.phone?.countryCode ?? '',
      PhAreaCode: c?.phone?.areaCode ?? '',
      PhNumber: c?.phone?.number ?? '',
      PhExtention: c?.phone?.extension ?? '',
    });
    return { memberId: id, accountId: accountOf(env.ctx, p.accountStep) };
  },
  find: async (p, env) => {
    const m = await orNothing(env.poa.getAccountMemberByLogin(p.login));
    if (!m) return undefined;
    const accountId = accountOf(env.ctx, p.accountStep);
    if (m.account_id !== accountId)
      throw new Error(`login ${p.login} is already used on the target by account ${m.account_id}`);
    return { memberId: m.member_id, accountId };
  },
};

const paymentTool: KindHandler<'payment-tool'> = {
  poa: false,
  create: async (p, env) => {
    const t = p.tool;
    if (!t.encryptedNumber) throw new Error('the card number is not known (masked only)');
    const number = await env.ctx.unseal(t.encryptedNumber, 'card');
    const year = (t.expYear ?? '').slice(-2);
    const cardId = await env.pba.executeForId(
      'CreditCard2AccountAdd_API',
      {
        CustomerID: accountOf(env.ctx, p.accountStep),
        CardHolderName: t.holder ?? '',
        CardNumber: number.replace(/\D/g, ''),
        PaySystem: paySystemOf(t.cardType),
        ExpDate: `${(t.expMonth ?? '').padStart(2, '0')}/${year}`,
        UseForAutoPayments: t.default ? 1 : 0,
      },
      `card of account ${accountOf(env.ctx, p.accountStep)}`,
    );
    return { cardId };
  },
  // No documented getter lists an account's pay tools: a card is never added twice blindly.
  find: async () => {
    throw new Error(
      'the target has no documented look-up for pay tools: check the account on the target before retrying',
    );
  },
};

const balance: KindHandler<'balance'> = {
  poa: false,
  create: async (p, env) => {
    const accountId = accountOf(env.ctx, p.accountStep);
    await env.pba.execute(
      'AccountBalanceAdjust_API',
      {
        AccountID: accountId,
        Amount: moneyString(p.balance),
        Comment: `Balance migrated (${p.balance.amount} ${p.balance.currency})`,
      },
      `balance of account ${accountId}`,
    );
    return { accountId, amount: moneyString(p.balance) };
  },
  find: async () => {
    throw new Error(
      'the target has no documented look-up for balance adjustments: check the account on the target before retrying',
    );
  },
};

const hosting: KindHandler<'hosting-subscription'> = {
  poa: true,
  choose: (_p, c) => chooseSubscriptionId(c),
  create: async (p, env) => {
    const id = chosen(env, 'subscriptionId');
    const accountId = accountOf(env.ctx, p.accountStep);
    let resumed = true;
    try {
      await env.pba.execute(
        'AddPEMSubscriptionWithID_API',
        {
          SubscriptionID: id,
          ...termsOf(p.terms, Date.now()),
          AccountID: accountId,
          PlanID: p.pbaPlanId,
          DomainName: p.domainName,
          ...feesOf(p.terms),
        },
        `hosting subscription ${id} (${p.domainName})`,
      );
      resumed = false;
    } catch (e) {
      // Ours already: an earlier attempt added it and lost the answer, or stopped before POA.
      if (!isRefusal(e) || !(await pbaSubscriptionOf(env, id, accountId))) throw e;
    }
    // A fresh PBA subscription (its id was free) cannot be active in POA yet: no look-up needed.
    if (!resumed || !(await exists(env.poa.getSubscription(id)))) {
      await inTransaction(env, (txn) =>
        env.poa.activateSubscription(
          {
            subscription_id: id,
            account_id: accountId,
            service_template_id: p.poaTemplateId,
            subscription_name: p.terms.name ?? p.domainName,
            parameters: [{ var_name: 'domain_name', var_value: p.domainName }],
          },
          txn,
        ),
      );
    }
    const d = await orNothing(env.poa.getDomainByName(p.domainName));
    if (!d || d.subscription_id !== id)
      throw new Error(`subscription ${id} was activated but ${p.domainName} is not in it on the target`);
    return {
      subscriptionId: id,
      accountId,
      domainId: d.domain_id,
      ...(d.webspace_id ? { webspaceId: d.webspace_id } : {}),
    };
  },
  find: async (p, env) => {
    const id = chosen(env, 'subscriptionId');
    const accountId = accountOf(env.ctx, p.accountStep);
    if (!(await pbaSubscriptionOf(env, id, accountId))) return undefined;
    if (!(await exists(env.poa.getSubscription(id)))) return undefined;
    const d = await orNothing(env.poa.getDomainByName(p.domainName));
    if (!d || d.subscription_id !== id) return undefined;
    return {
      subscriptionId: id,
      accountId,
      domainId: d.domain_id,
      ...(d.webspace_id ? { webspaceId: d.webspace_id } : {}),
    };
  },
};

const domain: KindHandler<'domain'> = {
  poa: true,
  create: async (p, env) => {
    const accountId = accountOf(env.ctx, p.accountStep);
    const subIds = p.subscriptionStep ? env.ctx.idsOf(p.subscriptionStep) : undefined;
    const subscriptionId = subIds ? numberOf(subIds, 'subscriptionId', p.subscriptionStep ?? '') : undefined;
    // A registration's DNS subscription in POA has the registration's id (KB 123275).
    const needsDnsSubscription = subIds !== undefined && 'registrarDomainId' in subIds;
    const missing =
      needsDnsSubscription &&
      subscriptionId !== undefined &&
      !(await exists(env.poa.getSubscription(subscriptionId)));
    const parking = p.park ? ({ hosting_type: 2, domain_parking_type: 0 } as const) : {};
    const domainId = await inTransaction(env, async (txn) => {
      if (subscriptionId === undefined)
        return env.poa.addDomainToAccount({ account_id: accountId, domain_name: p.domainName }, txn);
      if (missing)
        await env.poa.addSubscription(
          {
            account_id: accountId,
            subscription_id: subscriptionId,
            service_template_id: env.options.dnsTemplateId,
          },
          txn,
        );
      return env.poa.addDomain(
        { subscription_id: subscriptionId, domain_name: p.domainName, ...parking },
        txn,
      );
    });
    return { domainId, accountId, ...(subscriptionId !== undefined ? { subscriptionId } : {}) };
  },
  find: (p, env) => domainOfAccount(env, p.domainName, accountOf(env.ctx, p.accountStep)),
};

const dnsHosting: KindHandler<'dns-hosting'> = {
  poa: true,
  create: async (p, env) => {
    const domainId = numberOf(env.ctx.idsOf(p.domainStep), 'domainId', p.domainStep);
    await inTransaction(env, (txn) =>
      env.poa.addDnsHosting({ domain_id: domainId, hosting_rt_id: env.options.dnsHostingRtId }, txn),
    );
    return { domainId };
  },
  find: async (p, env) => {
    const d = await orNothing(env.poa.getDomainByName(p.domainName));
    return d?.dns_hosted ? { domainId: d.domain_id } : undefined;
  },
};

/** POA takes MX and SRV details inside `data`: "10 mx.example.com", "0 5 5060 sip.example.com". */
export function recordData(r: PayloadOf<'dns-record'>['record']): string {
  // Some sources keep the priority inside the data already: do not say it twice.
  if (r.type === 'MX') return /^\d+\s/.test(r.data) ? r.data : `${r.priority ?? 10} ${r.data}`;
  if (r.type === 'SRV')
    return /^\d+\s+\d+\s+\d+\s/.test(r.data)
      ? r.data
      : `${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} ${r.data}`;
  return r.data;
}

const dnsRecord: KindHandler<'dns-record'> = {
  poa: true,
  create: async (p, env) => {
    const r = p.record;
    const recordId = await inTransaction(env, (txn) =>
      env.poa.createDnsRecord(
        {
          domain_name: p.domainName,
          host: r.host,
          type: r.type.toUpperCase() as DnsRecordType,
          data: recordData(r),
          ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
        },
        txn,
      ),
    );
    return { recordId };
  },
  find: async (p, env) => {
    const records = await orNothing(env.poa.getDnsRecords(p.domainName));
    const data = recordData(p.record);
    const hit = records?.find(
      (x) =>
        x.host.toLowerCase() === p.record.host.toLowerCase() &&
        x.type === p.record.type.toUpperCase() &&
        x.data === data,
    );
    return hit ? { recordId: hit.record_id } : undefined;
  },
};

const subdomain: KindHandler<'subdomain'> = {
  poa: true,
  create: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const domainId = await inTransaction(env, (txn) =>
      env.poa.addSubdomain(
        {
          subscription_id: subscriptionId,
          domain_name: p.domainName,
          prefix: p.subdomain.name,
          hosting_type: 0,
        },
        txn,
      ),
    );
    return { domainId, subscriptionId };
  },
  find: async (p, env) => {
    const d = await orNothing(env.poa.getDomainByName(`${p.subdomain.name}.${p.domainName}`));
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    return d && d.subscription_id === subscriptionId ? { domainId: d.domain_id, subscriptionId } : undefined;
  },
};

const pointer: KindHandler<'pointer'> = {
  poa: true,
  create: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const domainId = await inTransaction(env, (txn) =>
      env.poa.addDomain(
        {
          subscription_id: subscriptionId,
          domain_name: p.pointerName,
          hosting_type: 2,
          domain_parking_type: 1,
          path: `http://${p.domainName}/`,
        },
        txn,
      ),
    );
    return { domainId, subscriptionId };
  },
  find: async (p, env) => {
    const d = await orNothing(env.poa.getDomainByName(p.pointerName));
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    if (!d) return undefined;
    if (d.subscription_id !== subscriptionId)
      throw new Error(`${p.pointerName} already exists on the target in subscription ${d.subscription_id}`);
    return { domainId: d.domain_id, subscriptionId };
  },
};

const mailbox: KindHandler<'mailbox'> = {
  poa: true,
  create: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const pw = p.mailbox.password;
    // No password the target can take (the plan named it not carried): a random one, never
    // stored or logged, so the mailbox exists and receives mail until a new password is set.
    const password = pw ? await env.ctx.unseal(pw.value, 'password') : randomBytes(24).toString('base64url');
    await inTransaction(env, (txn) =>
      env.poa.addMailbox(
        {
          subscription_id: subscriptionId,
          name: p.mailbox.name,
          domain_name: p.domainName,
          password,
          password_crypted: pw?.crypted ?? false,
          quota: p.mailbox.quotaKb ?? -1,
        },
        txn,
      ),
    );
    // The mailbox's service user login (its address) is its key: POA returns no id here.
    return { login: `${p.mailbox.name}@${p.domainName}`.toLowerCase(), subscriptionId };
  },
  find: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const login = `${p.mailbox.name}@${p.domainName}`.toLowerCase();
    const user = (await orNothing(env.poa.getUsers(subscriptionId)))?.find(
      (u) => u.login.toLowerCase() === login,
    );
    return user ? { login, subscriptionId } : undefined;
  },
};

async function mailname(env: Env, subscriptionId: number, address: string) {
  const { name, domain } = split(address.toLowerCase());
  return (await orNothing(env.poa.getMailnames(subscriptionId)))?.find(
    (m) => m.name === name && m.domain_name === domain,
  );
}

const mailForward: KindHandler<'mail-forward'> = {
  poa: true,
  create: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const { name } = split(p.address);
    await inTransaction(env, (txn) =>
      env.poa.addMailForwarding(
        { subscription_id: subscriptionId, name, domain_name: p.domainName, forward_to: p.target },
        txn,
      ),
    );
    return { subscriptionId, address: p.address.toLowerCase(), target: p.target };
  },
  find: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const m = await mailname(env, subscriptionId, p.address);
    return m?.forward_to.some((t) => t.toLowerCase() === p.target.toLowerCase())
      ? { subscriptionId, address: p.address.toLowerCase(), target: p.target }
      : undefined;
  },
};

const mailAlias: KindHandler<'mail-alias'> = {
  poa: true,
  create: async (p, env) => {
    const ids = env.ctx.idsOf(p.mailboxStep);
    const login = String(ids['login'] ?? p.mailboxAddress);
    const { name, domain } = split(p.alias.address);
    await inTransaction(env, (txn) =>
      env.poa.addEmailAddresses(login, [{ name, domain_name: domain || p.domainName }], txn),
    );
    return {
      subscriptionId: numberOf(ids, 'subscriptionId', p.mailboxStep),
      login,
      alias: p.alias.address.toLowerCase(),
    };
  },
  find: async (p, env) => {
    const ids = env.ctx.idsOf(p.mailboxStep);
    const subscriptionId = numberOf(ids, 'subscriptionId', p.mailboxStep);
    const m = await mailname(env, subscriptionId, p.mailboxAddress);
    const alias = p.alias.address.toLowerCase();
    return m?.aliases.includes(alias)
      ? { subscriptionId, login: String(ids['login'] ?? p.mailboxAddress), alias }
      : undefined;
  },
};

const database: KindHandler<'database'> = {
  poa: true,
  create: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const type = p.database.type === 'postgresql' ? 'postgresql' : 'mysql';
    const databaseId = await inTransaction(env, (txn) =>
      env.poa.createDatabase(
        { subscription_id: subscriptionId, db_name: p.database.name, db_type: type },
        txn,
      ),
    );
    return { databaseId, subscriptionId };
  },
  find: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const db = (await orNothing(env.poa.getDatabases(subscriptionId)))?.find(
      (d) => d.db_name === p.database.name,
    );
    return db ? { databaseId: db.database_id, subscriptionId } : undefined;
  },
};

const databaseUser: KindHandler<'database-user'> = {
  poa: true,
  create: async (p, env) => {
    const subscriptionId = numberOf(env.ctx.idsOf(p.databaseStep), 'subscriptionId', p.databaseStep);
    if (!p.password || p.password.crypted)
      throw new Error(`database user ${p.login} has no plain password to send`);
    const password = await env.ctx.unseal(p.password.value, 'password');
    // The user's login is its key (getDatabases lists logins, not ids).
    await inTransaction(env, (txn) =>
      env.poa.createDatabaseUser(
        { subscription_id: subscriptionId, db_name: p.databaseName, login: p.login, password },
        txn,
      ),
    );
    return { subscriptionId, login: p.login };
  },
  find: async (p, env) => {
    const subscriptionId = numberOf(env.ctx.idsOf(p.databaseStep), 'subscriptionId', p.databaseStep);
    const db = (await orNothing(env.poa.getDatabases(subscriptionId)))?.find(
      (d) => d.db_name === p.databaseName,
    );
    return db?.users.includes(p.login) ? { subscriptionId, login: p.login } : undefined;
  },
};

const ftpUser: KindHandler<'ftp-user'> = {
  poa: true,
  create: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const pw = p.user.password;
    if (!pw || pw.crypted) throw new Error(`FTP user ${p.user.login} has no plain password to send`);
    const password = await env.ctx.unseal(pw.value, 'password');
    const ftpUserId = await inTransaction(env, (txn) =>
      env.poa.createFtpUser(
        {
          subscription_id: subscriptionId,
          login: p.user.login,
          password,
          ...(p.user.home ? { home_dir: p.user.home } : {}),
        },
        txn,
      ),
    );
    return { ftpUserId, subscriptionId };
  },
  find: async (p, env) => {
    const subscriptionId = subscriptionOf(env.ctx, p.subscriptionStep);
    const u = (await orNothing(env.poa.getFtpUsers(subscriptionId)))?.find((x) => x.login === p.user.login);
    return u ? { ftpUserId: u.ftp_user_id, subscriptionId } : undefined;
  },
};

const registration: KindHandler<'registration-subscription'> = {
  poa: false,
  choose: (_p, c) => chooseSubscriptionId(c),
  create: async (p, env) => {
    const id = chosen(env, 'subscriptionId');
    const accountId = accountOf(env.ctx, p.accountStep);
    const t = termsOf(p.terms, Date.now());
    const [ns1, ns2, ns3, ns4] = env.options.nameServers;
    const row = rowOf(
      await env.pba.execute(
        'DomainSubscrWithIDAdd_API',
        {
          SubscriptionID: id,
          ParentID: 0,
          Status: t.Status,
          ServStatus: t.ServStatus,
          StartDate: String(t.StartDate),
          ExpirationDate: String(t.ExpirationDate),
          AccountID: accountId,
          PlanID: p.pbaPlanId,
          // Registration periods are always years.
          SubscriptionPeriod: p.terms.periodType === 'year' ? (p.terms.period ?? 1) : 1,
          ...feesOf(p.terms),
          RegistrarID: env.options.registrarIds[p.registrarType] ?? 1,
          FullDomainName: p.domainName,
          Login: p.registrarLogin ?? '',
          PrimaryNameServer: ns1,
          SecondaryNameServer: ns2,
          ThirdNameServer: ns3 ?? '',
          FourthNameServer: ns4 ?? '',
        },
        `registration subscription ${id} (${p.domainName})`,
      ),
    );
    return { subscriptionId: id, accountId, registrarDomainId: Number(row[0]) };
  },
  find: async (p, env) => {
    const id = chosen(env, 'subscriptionId');
    const accountId = accountOf(env.ctx, p.accountStep);
    const info = await orNothing(
      env.pba.execute('DomainInfoGet_API', { FullDomainName: p.domainName }, `domain ${p.domainName}`, true),
    );
    if (!info) return undefined;
    const row = rowOf(info);
    if (Number(row[0]) !== accountId)
      throw new Error(`${p.domainName} is already registered on the target for account ${String(row[0])}`);
    if (!(await pbaSubscriptionOf(env, id, accountId))) return undefined;
    return { subscriptionId: id, accountId, registrarDomainId: Number(row[2]) };
  },
};

const resource: KindHandler<'resource-subscription'> = {
  poa: false,
  choose: (_p, c) => chooseSubscriptionId(c),
  create: async (p, env) => {
    const id = chosen(env, 'subscriptionId');
    const accountId = accountOf(env.ctx, p.accountStep);
    await env.pba.execute(
      'SubscriptionWithIDAdd_API',
      {
        SubscriptionID: id,
        ParentID: 0,
        SubscriptionName: (p.terms.name ?? `Resources ${p.terms.sourceSubscriptionId}`).slice(0, 40),
        ...termsOf(p.terms, Date.now()),
        AccountID: accountId,
        PlanID: p.pbaPlanId,
        ...feesOf(p.terms),
      },
      `resource subscription ${id}`,
    );
    return { subscriptionId: id, accountId };
  },
  find: async (p, env) => {
    const id = chosen(env, 'subscriptionId');
    const accountId = accountOf(env.ctx, p.accountStep);
    return (await pbaSubscriptionOf(env, id, accountId)) ? { subscriptionId: id, accountId } : undefined;
  },
};

const subscriptionStatus: KindHandler<'subscription-status'> = {
  poa: false,
  create: async (p, env) => {
    const id = subscriptionOf(env.ctx, p.subscriptionStep);
    const { status, servStatus } = pbaStatusOf(p.status);
    await env.pba.subscriptionStatusUpdate(id, status, servStatus);
    return { subscriptionId: id, status, servStatus };
  },
  find: async (p, env) => {
    const id = subscriptionOf(env.ctx, p.subscriptionStep);
    const { status, servStatus } = pbaStatusOf(p.status);
    const s = await orNothing(env.pba.subscriptionDetailsGet(id));
    return s && s.status === status && s.servStatus === servStatus
      ? { subscriptionId: id, status, servStatus }
      : undefined;
  },
};

export const KINDS: { readonly [K in Creating]: KindHandler<K> } = {
  account,
  member,
  'payment-tool': paymentTool,
  balance,
  'hosting-subscription': hosting,
  domain,
  'dns-hosting': dnsHosting,
  'dns-record': dnsRecord,
  subdomain,
  pointer,
  mailbox,
  'mail-forward': mailForward,
  'mail-alias': mailAlias,
  database,
  'database-user': databaseUser,
  'ftp-user': ftpUser,
  'registration-subscription': registration,
  'resource-subscription': resource,
  'subscription-status': subscriptionStatus,
};

export function isCreating(kind: StepKind): kind is Creating {
  return kind !== 'not-carried' && kind !== 'source-disable' && kind !== 'content';
}
