/**
 * The POA OpenAPI methods the migration uses, as the sandbox answers them: same parameter names
 * and types as TARGET-API.md, faults for malformed calls, refusals (status != 0) for calls the
 * target will not carry out. Each handler works on a draft of the state; the server saves the
 * draft only when the handler returns, so a refused call changes nothing.
 */
import { createHash } from 'node:crypto';
import type { SandboxTemplate } from './catalogue';
import { Args, DOMAIN_NAME, EMAIL, FAULT, LOCAL_PART, LOGIN, SandboxFault, SandboxRefusal } from './answers';
import {
  type Person,
  type SandboxState,
  type SbAccount,
  type SbDomain,
  type SbSubscription,
  nextId,
} from './state';

export interface PoaMethod {
  /** Changes the state (the server persists the draft after it returns). */
  readonly writes: boolean;
  readonly run: (args: Args, state: SandboxState) => unknown;
}

const DNS_TYPES = ['A', 'AAAA', 'CAA', 'CNAME', 'TLSA', 'TXT', 'MX', 'SRV', 'NS'] as const;

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function account(state: SandboxState, id: number): SbAccount {
  const found = state.accounts.find((a) => a.account_id === id);
  if (!found) throw new SandboxRefusal(`Account #${id} does not exist`);
  return found;
}
function subscription(state: SandboxState, id: number): SbSubscription {
  const found = state.subscriptions.find((s) => s.subscription_id === id);
  if (!found) throw new SandboxRefusal(`Subscription #${id} does not exist`);
  return found;
}
function template(state: SandboxState, id: number): SandboxTemplate {
  const found = state.templates.find((t) => t.service_template_id === id);
  if (!found) throw new SandboxRefusal(`Service template #${id} does not exist`);
  return found;
}
function domainByName(state: SandboxState, name: string): SbDomain {
  const found = state.domains.find((d) => d.domain_name === name.toLowerCase());
  if (!found) throw new SandboxRefusal(`Domain ${name} does not exist`);
  return found;
}
function domainById(state: SandboxState, id: number): SbDomain {
  const found = state.domains.find((d) => d.domain_id === id);
  if (!found) throw new SandboxRefusal(`Domain #${id} does not exist`);
  return found;
}
function checkDomainName(name: string): string {
  const lower = name.toLowerCase();
  if (!DOMAIN_NAME.test(lower))
    throw new SandboxFault(FAULT.invalidValue, `'${name}' is not a valid domain name`);
  return lower;
}

function person(a: Args): Person {
  return {
    first_name: a.str('first_name'),
    middle_name: a.optStr('middle_name') ?? '',
    last_name: a.str('last_name'),
    company_name: a.optStr('company_name') ?? '',
  };
}
function address(a: Args): { country: string; city: string } {
  a.str('street_name');
  a.str('zipcode');
  a.str('state');
  const country = a.str('country');
  if (!/^[a-z]{2}$/.test(country)) {
    throw new SandboxFault(
      FAULT.invalidValue,
      `Parameter 'address.country' must be two lower-case letters, got '${country}'`,
    );
  }
  return { country, city: a.str('city') };
}
function phone(a: Args): void {
  for (const k of ['country_code', 'area_code', 'phone_num', 'ext_num']) a.str(k);
}
function email(a: Args): string {
  const value = a.str('email');
  if (!EMAIL.test(value))
    throw new SandboxFault(FAULT.invalidValue, `Parameter 'email' is not an e-mail address: '${value}'`);
  return value;
}
function password(a: Args, key = 'password'): string {
  const value = a.str(key);
  if (value === '') throw new SandboxFault(FAULT.invalidValue, `Parameter '${key}' must not be empty`);
  return sha256(value);
}

/** Creates or activates a subscription: addSubscription leaves it unprovisioned, activate provisions. */
function subscribe(active: boolean) {
  return (a: Args, state: SandboxState): { subscription_id: number } => {
    const accountId = a.int('account_id');
    const templateId = a.int('service_template_id');
    const wanted = a.optInt('subscription_id');
    const name = a.optStr('subscription_name');
    const limits = a
      .structList('resource_limits')
      .map((l) => ({ resource_id: l.int('resource_id'), resource_limit: l.int('resource_limit') }));
    const parameters = a
      .structList('parameters')
      .map((p) => ({ var_name: p.str('var_name'), var_value: p.str('var_value') }));
    account(state, accountId);
    const st = template(state, templateId);
    if (!st.active) throw new SandboxRefusal(`Service template #${templateId} (${st.name}) is not active`);
    for (const l of limits) {
      if (!st.resources.some((r) => r.resource_id === l.resource_id)) {
        throw new SandboxRefusal(`Resource #${l.resource_id} is not in service template #${templateId}`);
      }
    }
    if (wanted !== undefined && state.subscriptions.some((s) => s.subscription_id === wanted)) {
      throw new SandboxRefusal(`Subscription #${wanted} already exists`);
    }
    const id =
      wanted ??
      nextId(state, 'subscription', (n) => state.subscriptions.some((s) => s.subscription_id === n));
    state.subscriptions.push({
      subscription_id: id,
      account_id: accountId,
      service_template_id: templateId,
      name: name ?? st.name,
      active,
      enabled: true,
      resource_limits: limits,
      parameters,
    });
    return { subscription_id: id };
  };
}

function addDomain(
  state: SandboxState,
  d: Omit<SbDomain, 'domain_id' | 'dns_hosted' | 'enabled'>,
  wanted?: number,
): number {
  if (state.domains.some((x) => x.domain_name === d.domain_name))
    throw new SandboxRefusal(`Domain ${d.domain_name} already exists`);
  if (wanted !== undefined && state.domains.some((x) => x.domain_id === wanted))
    throw new SandboxRefusal(`Domain #${wanted} already exists`);
  const id = wanted ?? nextId(state, 'domain', (n) => state.domains.some((x) => x.domain_id === n));
  state.domains.push({ ...d, domain_id: id, dns_hosted: false, enabled: true });
  return id;
}

/** The domain a mail object belongs to: named, or the subscription's first domain. */
function mailDomain(a: Args, state: SandboxState, subscriptionId: number): string {
  const named = a.optStr('domain_name');
  if (named !== undefined) {
    const d = domainByName(state, named);
    if (d.subscription_id !== subscriptionId)
      throw new SandboxRefusal(`Domain ${named} does not belong to subscription #${subscriptionId}`);
    return d.domain_name;
  }
  const first = state.domains.find((d) => d.subscription_id === subscriptionId);
  if (!first) throw new SandboxRefusal(`Subscription #${subscriptionId} has no domain to create mail on`);
  return first.domain_name;
}

function localPart(a: Args): string {
  const name = a.str('name');
  if (!LOCAL_PART.test(name))
    throw new SandboxFault(FAULT.invalidValue, `'${name}' is not a valid mailbox name`);
  return name.toLowerCase();
}

function setEnabled<T extends { enabled: boolean }>(
  find: (a: Args, s: SandboxState) => T,
  enabled: boolean,
): PoaMethod {
  return {
    writes: true,
    run: (a, s) => {
      find(a, s).enabled = enabled;
      return {};
    },
  };
}

const accountOf = (a: Args, s: SandboxState): SbAccount => account(s, a.int('account_id'));
const subscriptionOf = (a: Args, s: SandboxState): SbSubscription =>
  subscription(s, a.int('subscription_id'));
const domainOf = (a: Args, s: SandboxState): SbDomain => domainById(s, a.int('domain_id'));

export const POA_METHODS: Readonly<Record<string, PoaMethod>> = {
  'pem.addAccount': {
    writes: true,
    run: (a, state) => {
      const type = a.oneOf('account_type', ['C', 'R'], a.str('account_type'));
      const wanted = a.optInt('account_id');
      const parent = a.optInt('parent_account_id') ?? 1;
      const who = person(a.struct_('person'));
      const where = address(a.struct_('address'));
      phone(a.struct_('phone'));
      const fax = a.optStruct('fax');
      if (fax) phone(fax);
      const mail = email(a);
      if (parent !== 1) {
        const p = account(state, parent);
        if (p.account_type !== 'R')
          throw new SandboxRefusal(`Account #${parent} is not a reseller and cannot own accounts`);
      }
      if (wanted !== undefined && state.accounts.some((x) => x.account_id === wanted)) {
        throw new SandboxRefusal(`Account #${wanted} already exists`);
      }
      const id = wanted ?? nextId(state, 'account', (n) => state.accounts.some((x) => x.account_id === n));
      state.accounts.push({
        account_id: id,
        account_type: type,
        parent_account_id: parent,
        person: who,
        email: mail,
        ...where,
        enabled: true,
      });
      return { account_id: id };
    },
  },
  'pem.addAccountMember': {
    writes: true,
    run: (a, state) => {
      const accountId = a.int('account_id');
      const auth = a.struct_('auth');
      const login = auth.str('login');
      const hash = password(auth);
      person(a.struct_('person'));
      address(a.struct_('address'));
      phone(a.struct_('phone'));
      const mail = email(a);
      if (!LOGIN.test(login)) throw new SandboxFault(FAULT.invalidValue, `'${login}' is not a valid login`);
      account(state, accountId);
      if (state.members.some((m) => m.login === login))
        throw new SandboxRefusal(`Login ${login} is already in use`);
      const id = nextId(state, 'member', (n) => state.members.some((m) => m.member_id === n));
      state.members.push({
        member_id: id,
        account_id: accountId,
        login,
        password_sha256: hash,
        email: mail,
        via: 'POA',
      });
      return { user_id: id };
    },
  },
  'pem.addSubscription': { writes: true, run: subscribe(false) },
  'pem.activateSubscription': { writes: true, run: subscribe(true) },
  'pem.addDomain': {
    writes: true,
    run: (a, state) => {
      const subscriptionId = a.int('subscription_id');
      const name = checkDomainName(a.str('domain_name'));
      const wanted = a.optInt('domain_id');
      const registrar = a.oneOf('registrar_status', [0, 1, 2], a.optInt('registrar_status') ?? 0);
      const hosting = a.oneOf('hosting_type', [0, 2], a.optInt('hosting_type') ?? 0);
      a.optStr('path');
      subscription(state, subscriptionId);
      const id = addDomain(
        state,
        {
          domain_name: name,
          subscription_id: subscriptionId,
          hosting_type: hosting,
          registrar_status: registrar,
          parent_domain_id: 0,
        },
        wanted,
      );
      return { domain_id: id };
    },
  },
  'pem.addSubdomain': {
    writes: true,
    run: (a, state) => {
      const subscriptionId = a.int('subscription_id');
      const parentName = checkDomainName(a.str('domain_name'));
      const prefix = a.str('prefix').toLowerCase();
      const hosting = a.oneOf('hosting_type', [0, 2], a.optInt('hosting_type') ?? 0);
      if (!/^(\*|[a-z0-9-]{1,63})(\.[a-z0-9-]{1,63})*$/.test(prefix)) {
        throw new SandboxFault(FAULT.invalidValue, `'${prefix}' is not a valid subdomain prefix`);
      }
      subscription(state, subscriptionId);
      const parent = domainByName(state, parentName);
      if (parent.subscription_id !== subscriptionId) {
        throw new SandboxRefusal(`Domain ${parentName} does not belong to subscription #${subscriptionId}`);
      }
      const id = addDomain(state, {
        domain_name: `${prefix}.${parentName}`,
        subscription_id: subscriptionId,
        hosting_type: hosting,
        registrar_status: 0,
        parent_domain_id: parent.domain_id,
      });
      return { domain_id: id };
    },
  },
  'pem.addDNSHosting': {
    writes: true,
    run: (a, state) => {
      const d = domainById(state, a.int('domain_id'));
      const subscriptionId = a.optInt('subscription_id');
      if (subscriptionId !== undefined && subscriptionId !== d.subscription_id) {
        throw new SandboxRefusal(
          `Domain ${d.domain_name} does not belong to subscription #${subscriptionId}`,
        );
      }
      if (d.dns_hosted) throw new SandboxRefusal(`DNS hosting is already enabled for ${d.domain_name}`);
      d.dns_hosted = true;
      return {};
    },
  },
  'pem.createDNSRecord': {
    writes: true,
    run: (a, state) => {
      const domainName = checkDomainName(a.str('domain_name'));
      const host = a.str('host');
      const ttl = a.optInt('ttl') ?? 3600;
      const type = a.oneOf('type', DNS_TYPES, a.str('type').toUpperCase() as (typeof DNS_TYPES)[number]);
      const data = a.str('data');
      if (type === 'A' && !/^(\d{1,3}\.){3}\d{1,3}$/.test(data))
        throw new SandboxFault(FAULT.invalidValue, `'${data}' is not an IPv4 address`);
      if (type === 'AAAA' && !data.includes(':'))
        throw new SandboxFault(FAULT.invalidValue, `'${data}' is not an IPv6 address`);
      const d = domainByName(state, domainName);
      if (!d.dns_hosted) throw new SandboxRefusal(`Domain ${domainName} has no DNS hosting`);
      const id = nextId(state, 'record', (n) => state.dnsRecords.some((r) => r.record_id === n));
      state.dnsRecords.push({ record_id: id, domain_name: domainName, host, type, data, ttl });
      return { record_id: id };
    },
  },
  'pem.cqmail.addMailbox': {
    writes: true,
    run: (a, state) => {
      const subscriptionId = a.int('subscription_id');
      const name = localPart(a);
      const quota = a.int('quota');
      const hash = a.has('password_crypted')
        ? a.str('password_crypted')
        : a.has('password')
          ? password(a)
          : undefined;
      if (hash === undefined)
        throw new SandboxFault(
          FAULT.missingParameter,
          "Required parameter 'password' or 'password_crypted' is missing",
        );
      if (quota < -1)
        throw new SandboxFault(
          FAULT.invalidValue,
          `Parameter 'quota' must be -1 (unlimited) or more, got ${quota}`,
        );
      subscription(state, subscriptionId);
      const domain = mailDomain(a, state, subscriptionId);
      const taken = (n: string): boolean =>
        state.mailboxes.some((m) => m.name === n && m.domain_name === domain) ||
        state.forwardings.some((f) => f.name === n && f.domain_name === domain);
      if (taken(name)) throw new SandboxRefusal(`E-mail address ${name}@${domain} already exists`);
      const id = nextId(state, 'mailbox', (n) => state.mailboxes.some((m) => m.mailbox_id === n));
      state.mailboxes.push({
        mailbox_id: id,
        subscription_id: subscriptionId,
        name,
        domain_name: domain,
        quota,
        password_sha256: hash,
      });
      return { mailbox_id: id };
    },
  },
  'pem.cqmail.addMailForwarding': {
    writes: true,
    run: (a, state) => {
      const subscriptionId = a.int('subscription_id');
      const name = localPart(a);
      const forwardTo = a.str('forward_to');
      if (
        !forwardTo
          .split(/[,\s]+/)
          .filter(Boolean)
          .every((t) => EMAIL.test(t))
      ) {
        throw new SandboxFault(
          FAULT.invalidValue,
          `Parameter 'forward_to' is not a list of e-mail addresses: '${forwardTo}'`,
        );
      }
      subscription(state, subscriptionId);
      const domain = mailDomain(a, state, subscriptionId);
      if (
        state.mailboxes.some((m) => m.name === name && m.domain_name === domain) ||
        state.forwardings.some((f) => f.name === name && f.domain_name === domain)
      ) {
        throw new SandboxRefusal(`E-mail address ${name}@${domain} already exists`);
      }
      const id = nextId(state, 'forwarding', (n) => state.forwardings.some((f) => f.forwarding_id === n));
      state.forwardings.push({
        forwarding_id: id,
        subscription_id: subscriptionId,
        name,
        domain_name: domain,
        forward_to: forwardTo,
      });
      return { forwarding_id: id };
    },
  },
  'pem.createDatabase': {
    writes: true,
    run: (a, state) => {
      const subscriptionId = a.int('subscription_id');
      const name = a.str('db_name');
      const type = a.oneOf('db_type', ['mysql', 'postgresql'], a.str('db_type'));
      if (!/^[A-Za-z0-9_]{1,64}$/.test(name))
        throw new SandboxFault(FAULT.invalidValue, `'${name}' is not a valid database name`);
      subscription(state, subscriptionId);
      if (state.databases.some((d) => d.db_name === name && d.db_type === type))
        throw new SandboxRefusal(`Database ${name} already exists`);
      const id = nextId(state, 'database', (n) => state.databases.some((d) => d.database_id === n));
      state.databases.push({
        database_id: id,
        subscription_id: subscriptionId,
        db_name: name,
        db_type: type,
      });
      return { database_id: id };
    },
  },
  'pem.createDatabaseUser': {
    writes: true,
    run: (a, state) => {
      const subscriptionId = a.int('subscription_id');
      const dbName = a.str('db_name');
      const login = a.str('login');
      const hash = password(a);
      if (!/^[A-Za-z0-9_]{1,32}$/.test(login))
        throw new SandboxFault(FAULT.invalidValue, `'${login}' is not a valid database login`);
      subscription(state, subscriptionId);
      if (!state.databases.some((d) => d.db_name === dbName && d.subscription_id === subscriptionId)) {
        throw new SandboxRefusal(`Database ${dbName} does not exist in subscription #${subscriptionId}`);
      }
      if (state.databaseUsers.some((u) => u.login === login))
        throw new SandboxRefusal(`Database user ${login} already exists`);
      const id = nextId(state, 'dbUser', (n) => state.databaseUsers.some((u) => u.db_user_id === n));
      state.databaseUsers.push({
        db_user_id: id,
        subscription_id: subscriptionId,
        db_name: dbName,
        login,
        password_sha256: hash,
      });
      return { db_user_id: id };
    },
  },
  'pem.ProFTPD.createCustomFTPUser': {
    writes: true,
    run: (a, state) => {
      const subscriptionId = a.int('subscription_id');
      const login = a.str('login');
      const hash = password(a);
      const home = a.optStr('home_dir') ?? '/';
      if (!LOGIN.test(login))
        throw new SandboxFault(FAULT.invalidValue, `'${login}' is not a valid FTP login`);
      if (home.split('/').includes('..'))
        throw new SandboxFault(FAULT.invalidValue, `'${home}' leaves the webspace`);
      subscription(state, subscriptionId);
      if (state.ftpUsers.some((u) => u.login === login))
        throw new SandboxRefusal(`FTP user ${login} already exists`);
      const id = nextId(state, 'ftpUser', (n) => state.ftpUsers.some((u) => u.ftp_user_id === n));
      state.ftpUsers.push({
        ftp_user_id: id,
        subscription_id: subscriptionId,
        login,
        home_dir: home,
        password_sha256: hash,
      });
      return { ftp_user_id: id };
    },
  },

  'pem.getAccountInfo': {
    writes: false,
    run: (a, state) => {
      const x = account(state, a.int('account_id'));
      return {
        account_id: x.account_id,
        account_type: x.account_type,
        parent_account_id: x.parent_account_id,
        email: x.email,
        enabled: x.enabled,
        person: x.person,
      };
    },
  },
  'pem.getAccountMemberByLogin': {
    writes: false,
    run: (a, state) => {
      const login = a.str('login');
      const m = state.members.find((x) => x.login === login);
      if (!m) throw new SandboxRefusal(`There is no member with login ${login}`);
      return { member_id: m.member_id, account_id: m.account_id, login: m.login, email: m.email };
    },
  },
  'pem.getAccountSubscriptions': {
    writes: false,
    run: (a, state) => {
      const id = account(state, a.int('account_id')).account_id;
      return state.subscriptions.filter((s) => s.account_id === id).map(subscriptionInfo);
    },
  },
  'pem.getSubscription': { writes: false, run: (a, state) => subscriptionInfo(subscriptionOf(a, state)) },
  'pem.getDomainByName': {
    writes: false,
    run: (a, state) => {
      const d = domainByName(state, a.str('domain_name'));
      return {
        domain_id: d.domain_id,
        domain_name: d.domain_name,
        subscription_id: d.subscription_id,
        hosting_type: d.hosting_type,
        dns_hosted: d.dns_hosted,
        enabled: d.enabled,
      };
    },
  },
  'pem.getServiceTemplateList': {
    writes: false,
    run: (a, state) => {
      const owner = a.optInt('owner_id');
      return state.templates
        .filter((t) => owner === undefined || t.owner_id === owner)
        .map((t) => ({
          service_template_id: t.service_template_id,
          name: t.name,
          owner_id: t.owner_id,
          active: t.active,
        }));
    },
  },
  'pem.getServiceTemplate': {
    writes: false,
    run: (a, state) => {
      const t = template(state, a.int('service_template_id'));
      return { ...t, resources: t.resources.map((r) => ({ ...r })) };
    },
  },
  'pem.enableAccount': setEnabled(accountOf, true),
  'pem.disableAccount': setEnabled(accountOf, false),
  'pem.enableSubscription': setEnabled(subscriptionOf, true),
  'pem.disableSubscription': setEnabled(subscriptionOf, false),
  'pem.enableDomain': setEnabled(domainOf, true),
  'pem.disableDomain': setEnabled(domainOf, false),
};

function subscriptionInfo(s: SbSubscription): Record<string, unknown> {
  return {
    subscription_id: s.subscription_id,
    account_id: s.account_id,
    service_template_id: s.service_template_id,
    name: s.name,
    active: s.active,
    enabled: s.enabled,
  };
}
