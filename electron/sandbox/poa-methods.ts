/**
 * The POA OpenAPI methods, as the sandbox answers them: the parameter names and types of
 * TARGET-API.md, faults for malformed calls (a missing, unknown or wrong-typed member), refusals
 * (`status -1` + module/extype from poa-errors.ts) for what the real POA will not do. Each
 * handler works on a draft: the server applies it only when the handler returns (or, inside a
 * transaction, at txn.Commit), so a refused call changes nothing.
 */
import { createHash } from 'node:crypto';
import type { PoaErrorName } from '../core/target/poa-errors';
import { Args, DOMAIN_NAME, EMAIL, FAULT, LOCAL_PART, LOGIN, SandboxFault, SandboxRefusal } from './answers';
import type { SandboxTemplate } from './catalogue';
import type { Draft, Row } from './store';
import {
  type Person,
  type SbAccount,
  type SbDomain,
  type SbDnsHosting,
  type SbMailbox,
  type SbRequest,
  type SbSubscription,
  nextId,
} from './state';

export interface PoaContext {
  readonly draft: Draft;
  /** The request of the transaction the call is staged in; undefined: applied at once. */
  readonly requestId?: string;
  readonly now: number;
  readonly templates: readonly SandboxTemplate[];
}

export interface PoaMethod {
  readonly run: (args: Args, ctx: PoaContext) => unknown;
}

const DNS_TYPES = ['A', 'AAAA', 'CAA', 'CNAME', 'TLSA', 'TXT', 'MX', 'SRV', 'NS'] as const;

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Crypt and hash shapes: a staff/FTP/database password that looks like one is refused. */
export const LOOKS_HASHED =
  /^(\$(1|2[abxy]?|5|6|apr1|argon2id?|P|H)\$\S+|\{(SHA|SSHA|MD5|CRYPT|SHA256|SHA512)\}\S+|[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|\*[0-9A-F]{40})$/;

/** Whether the request that created a row is still running (committed, not yet done). */
export function running(draft: Draft, requestId: string | undefined, now: number): boolean {
  if (requestId === undefined) return false;
  const r = draft.get<SbRequest>('requests', requestId);
  return r !== undefined && !r.failed && now < r.ready_at;
}

/** A row whose creation is still being provisioned cannot be used yet: "wait, then retry". */
function ready(ctx: PoaContext, row: Row, error: PoaErrorName, what: string): void {
  const id = row['request_id'] as string | undefined;
  if (id !== undefined && id !== ctx.requestId && running(ctx.draft, id, ctx.now))
    throw new SandboxRefusal(
      error,
      `${what} is still being provisioned (request ${id}); wait until it is done`,
    );
}

const stamp = (ctx: PoaContext): { request_id?: string } =>
  ctx.requestId ? { request_id: ctx.requestId } : {};

function account(ctx: PoaContext, id: number): SbAccount {
  const found = ctx.draft.get<SbAccount>('accounts', id);
  if (!found) throw new SandboxRefusal('noSuchAccount', `Account #${id} does not exist`);
  return found;
}
function subscription(ctx: PoaContext, id: number, usable = true): SbSubscription {
  const found = ctx.draft.get<SbSubscription>('subscriptions', id);
  if (!found) throw new SandboxRefusal('noSuchSubscription', `Subscription #${id} does not exist`);
  if (usable) ready(ctx, found, 'subscriptionProvisioning', `Subscription #${id}`);
  return found;
}
function template(ctx: PoaContext, id: number): SandboxTemplate {
  const found = ctx.templates.find((t) => t.service_template_id === id);
  if (!found) throw new SandboxRefusal('noSuchTemplate', `Service template #${id} does not exist`);
  return found;
}
function domainByName(ctx: PoaContext, name: string): SbDomain {
  const found = ctx.draft.unique<SbDomain>('domains', 'name', name.toLowerCase());
  if (!found) throw new SandboxRefusal('noSuchDomain', `Domain ${name} does not exist`);
  return found;
}
function domainById(ctx: PoaContext, id: number): SbDomain {
  const found = ctx.draft.get<SbDomain>('domains', id);
  if (!found) throw new SandboxRefusal('noSuchDomain', `Domain #${id} does not exist`);
  return found;
}
function checkDomainName(name: string): string {
  const lower = name.toLowerCase();
  if (!DOMAIN_NAME.test(lower))
    throw new SandboxFault(FAULT.invalidValue, `'${name}' is not a valid domain name`);
  return lower;
}

function person(a: Args): Person {
  a.optStr('title');
  return {
    first_name: a.str('first_name'),
    middle_name: a.optStr('middle_name') ?? '',
    last_name: a.str('last_name'),
    company_name: a.optStr('company_name') ?? '',
  };
}
function address(a: Args): { country: string; city: string } {
  a.str('street_name');
  a.optStr('house_num');
  a.optStr('address2');
  a.str('zipcode');
  a.str('state');
  const country = a.str('country');
  if (!/^[a-z]{2}$/.test(country))
    throw new SandboxFault(
      FAULT.invalidValue,
      `Parameter 'address.country' must be two lower-case letters, got '${country}'`,
    );
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
/** A plain password (staff, FTP, database users): never empty, never a hash. */
function plainPassword(a: Args, key = 'password'): string {
  const value = a.str(key);
  if (value === '') throw new SandboxFault(FAULT.invalidValue, `Parameter '${key}' must not be empty`);
  if (LOOKS_HASHED.test(value))
    throw new SandboxRefusal(
      'passwordIsHash',
      `Parameter '${key}' looks like a password hash; this method takes the plain password`,
    );
  return sha256(value);
}
function contacts(a: Args): string {
  person(a.struct_('person'));
  address(a.struct_('address'));
  phone(a.struct_('phone'));
  const fax = a.optStruct('fax');
  if (fax) phone(fax);
  return email(a);
}

function newDomain(
  ctx: PoaContext,
  d: Pick<
    SbDomain,
    | 'domain_name'
    | 'account_id'
    | 'subscription_id'
    | 'hosting_type'
    | 'domain_parking_type'
    | 'path'
    | 'registrar_status'
    | 'parent_domain_id'
  >,
  wanted: number | undefined,
): SbDomain {
  const { draft } = ctx;
  if (draft.unique('domains', 'name', d.domain_name))
    throw new SandboxRefusal('domainExists', `Domain ${d.domain_name} already exists`);
  if (wanted !== undefined && draft.get('domains', wanted))
    throw new SandboxRefusal('domainIdTaken', `Domain #${wanted} already exists`);
  if (wanted !== undefined && wanted <= 0)
    throw new SandboxFault(FAULT.invalidValue, `domain_id must be positive, got ${wanted}`);
  const id = wanted ?? nextId(draft, 'domain', (n) => draft.get('domains', n) !== undefined);
  const row: SbDomain = { ...d, domain_id: id, webspace_id: 0, enabled: true, ...stamp(ctx) };
  draft.put('domains', row);
  return row;
}

function newWebspace(ctx: PoaContext, subscriptionId: number, domain: SbDomain, location: string): number {
  const { draft } = ctx;
  const id = nextId(draft, 'webspace', (n) => draft.get('webspaces', n) !== undefined);
  draft.put('webspaces', {
    webspace_id: id,
    subscription_id: subscriptionId,
    domain_id: domain.domain_id,
    location,
    ...stamp(ctx),
  });
  draft.put('domains', { ...domain, webspace_id: id });
  return id;
}

/** Hosting members of addDomain / addSubdomain: type 0 physical or 2 parking, its forwarding. */
function hosting(
  a: Args,
  omitted: number,
): { hosting_type: number; domain_parking_type: number; path: string } {
  const type = a.optInt('hosting_type');
  if (type === 1)
    throw new SandboxRefusal('noSuchResource', 'hosting_type 1 (reserved) cannot be created through the API');
  const hostingType = type === undefined ? omitted : a.oneOf('hosting_type', [0, 2], type);
  const parking = a.optInt('domain_parking_type');
  if (parking !== undefined && hostingType !== 2)
    throw new SandboxFault(
      FAULT.invalidValue,
      "Parameter 'domain_parking_type' is only allowed with hosting_type 2",
    );
  const parkingType = parking === undefined ? 0 : a.oneOf('domain_parking_type', [0, 1, 2, 3], parking);
  const path = a.optStr('path') ?? '';
  if ((parkingType === 1 || parkingType === 3) && !/^https?:\/\/\S+$/.test(path))
    throw new SandboxFault(
      FAULT.invalidValue,
      `Forwarding (domain_parking_type ${parkingType}) needs a URL in 'path', got '${path}'`,
    );
  return { hosting_type: hostingType, domain_parking_type: parkingType, path };
}

/** addSubscription leaves it unprovisioned; activateSubscription provisions (and with a
 * `domain_name` parameter creates the domain and its webspace in one go). */
function subscribe(active: boolean) {
  return (a: Args, ctx: PoaContext): { subscription_id: number } => {
    const { draft } = ctx;
    const accountId = a.int('account_id');
    const templateId = a.int('service_template_id');
    const wanted = a.optInt('subscription_id');
    const name = a.optStr('subscription_name');
    a.optBool('account_wide_su');
    const limits = active
      ? a.structList('resource_limits').map((l) => ({
          resource_id: l.int('resource_id'),
          resource_limit: l.optInt('resource_limit') ?? l.optInt('resource_limit64') ?? -1,
        }))
      : [];
    const parameters = active
      ? a
          .structList('parameters')
          .map((p) => ({ var_name: p.str('var_name'), var_value: p.str('var_value') }))
      : [];
    const acct = account(ctx, accountId);
    ready(ctx, acct, 'subscriptionProvisioning', `Account #${accountId}`);
    const st = template(ctx, templateId);
    if (!st.active)
      throw new SandboxRefusal(
        'templateInactive',
        `Service template #${templateId} (${st.name}) is not active`,
      );
    for (const l of limits) {
      if (!st.resources.some((r) => r.resource_id === l.resource_id))
        throw new SandboxRefusal(
          'noSuchResource',
          `Resource #${l.resource_id} is not in service template #${templateId}`,
        );
    }
    const known = new Set(['domain_name', 'domain_id', 'webspace_location']);
    for (const p of parameters) {
      if (!known.has(p.var_name))
        throw new SandboxFault(
          FAULT.invalidValue,
          `Activation parameter '${p.var_name}' is not one of ${[...known].join(', ')}`,
        );
    }
    if (wanted !== undefined && wanted <= 0)
      throw new SandboxFault(FAULT.invalidValue, `subscription_id must be positive, got ${wanted}`);
    if (wanted !== undefined && draft.get('subscriptions', wanted))
      throw new SandboxRefusal('subscriptionExists', `Subscription #${wanted} already exists`);
    const domainName = parameters.find((p) => p.var_name === 'domain_name')?.var_value;
    const domainId = parameters.find((p) => p.var_name === 'domain_id')?.var_value;
    const location = parameters.find((p) => p.var_name === 'webspace_location')?.var_value ?? '';
    if (domainId !== undefined && !/^\d+$/.test(domainId))
      throw new SandboxFault(
        FAULT.invalidValue,
        `Activation parameter domain_id must be a number, got '${domainId}'`,
      );
    const id = wanted ?? nextId(draft, 'subscription', (n) => draft.get('subscriptions', n) !== undefined);
    draft.put('subscriptions', {
      subscription_id: id,
      account_id: accountId,
      service_template_id: templateId,
      name: name ?? domainName ?? st.name,
      active,
      enabled: true,
      resource_limits: limits,
      parameters,
      c_date: Math.floor(ctx.now / 1000),
      ...stamp(ctx),
    } satisfies SbSubscription);
    if (domainName !== undefined) {
      const domain = newDomain(
        ctx,
        {
          domain_name: checkDomainName(domainName),
          account_id: accountId,
          subscription_id: id,
          hosting_type: 0,
          domain_parking_type: 0,
          path: '',
          registrar_status: 0,
          parent_domain_id: 0,
        },
        domainId === undefined ? undefined : Number(domainId),
      );
      newWebspace(ctx, id, domain, location);
    }
    return { subscription_id: id };
  };
}

/** The mail domain a mail call names: it must belong to the subscription; omitted → "All-Domains". */
function mailDomain(a: Args, ctx: PoaContext, subscriptionId: number): string {
  const named = a.optStr('domain_name');
  if (named === undefined) return '';
  const d = domainByName(ctx, named);
  if (d.subscription_id !== subscriptionId)
    throw new SandboxRefusal(
      'noSuchDomain',
      `Domain ${named} does not belong to subscription #${subscriptionId}`,
    );
  ready(ctx, d, 'domainProvisioning', `Domain ${d.domain_name}`);
  return d.domain_name;
}
const loginOf = (name: string, domain: string, subscriptionId: number): string =>
  `${name}@${domain || `sub${subscriptionId}.local`}`;

function localPart(a: Args, key = 'name'): string {
  const name = a.str(key);
  if (!LOCAL_PART.test(name))
    throw new SandboxFault(FAULT.invalidValue, `'${name}' is not a valid mail name`);
  return name.toLowerCase();
}

/** An address is a mailbox, or an alias of one: either way it is taken. */
function addressTaken(draft: Draft, address: string): boolean {
  return (
    draft.unique('mailboxes', 'address', address) !== undefined ||
    draft.unique('aliases', 'address', address) !== undefined
  );
}

function setEnabled(
  table: string,
  key: string,
  what: string,
  error: PoaErrorName,
  enabled: boolean,
): PoaMethod {
  return {
    run: (a, ctx) => {
      const id = a.int(key);
      const row = ctx.draft.get(table, id);
      if (!row) throw new SandboxRefusal(error, `${what} #${id} does not exist`);
      ctx.draft.put(table, { ...row, enabled });
      return {};
    },
  };
}

/** A getter listing one table's rows of a subscription, with just the named members. */
function listOfSubscription(table: string, members: readonly string[]): PoaMethod {
  return {
    run: (a, ctx) => {
      const s = subscription(ctx, a.int('subscription_id'), false);
      return ctx.draft
        .group<Row>(table, 'subscription', s.subscription_id)
        .map((r) => Object.fromEntries(members.map((m) => [m, r[m]])));
    },
  };
}

function subscriptionInfo(
  s: SbSubscription,
  ctx: PoaContext,
  withResources: boolean,
): Record<string, unknown> {
  const st = ctx.templates.find((t) => t.service_template_id === s.service_template_id);
  return {
    subscription_id: s.subscription_id,
    name: s.name,
    c_date: s.c_date,
    st_id: s.service_template_id,
    st_version: 1,
    owner_id: s.account_id,
    is_active: s.active,
    ...(withResources && st
      ? {
          resource_types: st.resources.map((r) => ({
            name: r.name,
            resource_type_id: r.resource_id,
            parent_resource_type_id: -1,
            measurement_unit: '',
            limit: s.resource_limits.find((l) => l.resource_id === r.resource_id)?.resource_limit ?? r.limit,
            usage: 0,
            resclass_name: '',
          })),
        }
      : {}),
  };
}

function domainInfo(d: SbDomain, draft: Draft): Record<string, unknown> {
  return {
    domain_id: d.domain_id,
    domain_name: d.domain_name,
    owner_id: d.account_id,
    subscription_id: d.subscription_id,
    hosting_type: d.hosting_type,
    domain_parking_type: d.domain_parking_type,
    path: d.path,
    webspace_id: d.webspace_id,
    dns_hosted: draft.get('dnsHostings', d.domain_id) !== undefined,
    enabled: d.enabled,
  };
}

export const POA_METHODS: Readonly<Record<string, PoaMethod>> = {
  'pem.addAccount': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const type = a.oneOf('account_type', ['C', 'R'], a.str('account_type'));
      const wanted = a.optInt('account_id');
      const parent = a.optInt('parent_account_id') ?? 1;
      a.optInt('subscription_id');
      a.optStr('branded_domain');
      a.optStr('note');
      const p = person(a.struct_('person'));
      const where = address(a.struct_('address'));
      phone(a.struct_('phone'));
      const fax = a.optStruct('fax');
      if (fax) phone(fax);
      const mail = email(a);
      if (parent !== 1 && account(ctx, parent).account_type !== 'R')
        throw new SandboxRefusal(
          'notReseller',
          `Account #${parent} is not a reseller and cannot own accounts`,
        );
      if (wanted !== undefined && draft.get('accounts', wanted))
        throw new SandboxRefusal('accountExists', `Account #${wanted} already exists`);
      const id =
        wanted ??
        nextId(
          draft,
          'account',
          (n) => draft.get('accounts', n) !== undefined || draft.get('pbaAccounts', n) !== undefined,
        );
      draft.put('accounts', {
        account_id: id,
        account_type: type,
        parent_account_id: parent,
        person: p,
        email: mail,
        ...where,
        enabled: true,
        via: 'POA',
        ...stamp(ctx),
      } satisfies SbAccount);
      return { account_id: id };
    },
  },
  'pem.addAccountMember': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const accountId = a.int('account_id');
      a.optInt('subscription_id');
      const wanted = a.optInt('user_id');
      const auth = a.struct_('auth');
      const login = auth.str('login');
      const hash = plainPassword(auth);
      const mail = contacts(a);
      if (!LOGIN.test(login)) throw new SandboxFault(FAULT.invalidValue, `'${login}' is not a valid login`);
      account(ctx, accountId);
      if (draft.unique('members', 'login', login.toLowerCase()))
        throw new SandboxRefusal('loginTaken', `Login ${login} is already in use`);
      if (wanted !== undefined && draft.get('members', wanted))
        throw new SandboxRefusal('loginTaken', `Member #${wanted} already exists`);
      const id = wanted ?? nextId(draft, 'member', (n) => draft.get('members', n) !== undefined);
      draft.put('members', {
        member_id: id,
        account_id: accountId,
        login,
        password_sha256: hash,
        email: mail,
        via: 'POA',
        ...stamp(ctx),
      });
      return { user_id: id };
    },
  },
  'pem.getAccountInfo': {
    run: (a, ctx) => {
      const x = account(ctx, a.int('account_id'));
      return {
        account_id: x.account_id,
        account_type: x.account_type,
        parent_account_id: x.parent_account_id,
        person: x.person,
        address: { city: x.city, country: x.country },
        email: x.email,
        enabled: x.enabled,
      };
    },
  },
  'pem.setAccountInfo': {
    run: (a, ctx) => {
      const x = account(ctx, a.int('account_id'));
      const p = person(a.struct_('person'));
      const where = address(a.struct_('address'));
      phone(a.struct_('phone'));
      const fax = a.optStruct('fax');
      if (fax) phone(fax);
      const mail = email(a);
      a.optStr('note');
      if (x.via === 'PBA')
        throw new SandboxRefusal(
          'noSuchAccount',
          `Account #${x.account_id} is managed by PBA: change it there`,
        );
      ctx.draft.put('accounts', { ...x, person: p, ...where, email: mail });
      return {};
    },
  },
  'pem.getAccountMemberByLogin': {
    run: (a, ctx) => {
      const login = a.str('login');
      const m = ctx.draft.unique<Row>('members', 'login', login.toLowerCase());
      if (!m) throw new SandboxRefusal('noSuchMember', `There is no member with login ${login}`);
      return {
        member_id: m['member_id'],
        user_id: m['member_id'],
        account_id: m['account_id'],
        login: m['login'],
        email: m['email'],
      };
    },
  },
  'pem.setMemberPassword': {
    run: (a, ctx) => {
      const login = a.str('login');
      const hash = plainPassword(a);
      a.optBool('check_password');
      a.optBool('is_one_time');
      const m = ctx.draft.unique<Row>('members', 'login', login.toLowerCase());
      if (!m) throw new SandboxRefusal('noSuchMember', `There is no member with login ${login}`);
      ctx.draft.put('members', { ...m, password_sha256: hash });
      return {};
    },
  },
  'pem.enableAccount': setEnabled('accounts', 'account_id', 'Account', 'noSuchAccount', true),
  'pem.disableAccount': setEnabled('accounts', 'account_id', 'Account', 'noSuchAccount', false),

  'pem.addSubscription': { run: subscribe(false) },
  'pem.activateSubscription': { run: subscribe(true) },
  'pem.getSubscription': {
    run: (a, ctx) =>
      subscriptionInfo(
        subscription(ctx, a.int('subscription_id'), false),
        ctx,
        a.optBool('get_resources') ?? false,
      ),
  },
  'pem.getAccountSubscriptions': {
    run: (a, ctx) => {
      const id = account(ctx, a.int('account_id')).account_id;
      return ctx.draft
        .group<SbSubscription>('subscriptions', 'account', id)
        .sort((x, y) => x.subscription_id - y.subscription_id)
        .map((s) => subscriptionInfo(s, ctx, false));
    },
  },
  'pem.setResourceTypeLimit': {
    run: (a, ctx) => {
      const s = subscription(ctx, a.int('subscription_id'));
      const rt = a.int('resource_type_id');
      const limit = a.optInt('limit64') ?? a.optInt('limit');
      a.optBool('autoprovide');
      if (limit === undefined)
        throw new SandboxFault(FAULT.missingParameter, "Required parameter 'limit' or 'limit64' is missing");
      const st = template(ctx, s.service_template_id);
      if (!st.resources.some((r) => r.resource_id === rt))
        throw new SandboxRefusal(
          'noSuchResource',
          `Resource #${rt} is not in subscription #${s.subscription_id}`,
        );
      const limits = [
        ...s.resource_limits.filter((l) => l.resource_id !== rt),
        { resource_id: rt, resource_limit: limit },
      ];
      ctx.draft.put('subscriptions', { ...s, resource_limits: limits });
      return {};
    },
  },
  'pem.enableSubscription': setEnabled(
    'subscriptions',
    'subscription_id',
    'Subscription',
    'noSuchSubscription',
    true,
  ),
  'pem.disableSubscription': setEnabled(
    'subscriptions',
    'subscription_id',
    'Subscription',
    'noSuchSubscription',
    false,
  ),

  'pem.addDomain': {
    run: (a, ctx) => {
      const subscriptionId = a.int('subscription_id');
      const wanted = a.optInt('domain_id');
      const name = checkDomainName(a.str('domain_name'));
      const registrar = a.oneOf('registrar_status', [0, 1, 2], a.optInt('registrar_status') ?? 0);
      const h = hosting(a, 0);
      a.optBool('external_dns');
      a.optBool('force');
      const s = subscription(ctx, subscriptionId);
      const d = newDomain(
        ctx,
        {
          domain_name: name,
          account_id: s.account_id,
          subscription_id: subscriptionId,
          ...h,
          registrar_status: registrar,
          parent_domain_id: 0,
        },
        wanted,
      );
      return { domain_id: d.domain_id };
    },
  },
  'pem.addSubdomain': {
    run: (a, ctx) => {
      const subscriptionId = a.int('subscription_id');
      const parentName = checkDomainName(a.str('domain_name'));
      const prefix = a.str('prefix').toLowerCase();
      // Omitted hosting_type: a subdomain without any hosting.
      const h = hosting(a, -1);
      a.optBool('provide_hosting');
      if (!/^(\*|[a-z0-9-]{1,63})(\.[a-z0-9-]{1,63})*$/.test(prefix))
        throw new SandboxFault(FAULT.invalidValue, `'${prefix}' is not a valid subdomain prefix`);
      const s = subscription(ctx, subscriptionId);
      const parent = domainByName(ctx, parentName);
      if (parent.subscription_id !== subscriptionId)
        throw new SandboxRefusal(
          'noSuchDomain',
          `Domain ${parentName} does not belong to subscription #${subscriptionId}`,
        );
      ready(ctx, parent, 'domainProvisioning', `Domain ${parentName}`);
      const d = newDomain(
        ctx,
        {
          domain_name: `${prefix}.${parentName}`,
          account_id: s.account_id,
          subscription_id: subscriptionId,
          ...h,
          registrar_status: 0,
          parent_domain_id: parent.domain_id,
        },
        undefined,
      );
      return { domain_id: d.domain_id };
    },
  },
  'pem.addDomainToAccount': {
    run: (a, ctx) => {
      const accountId = a.int('account_id');
      const wanted = a.optInt('domain_id');
      const name = checkDomainName(a.str('domain_name'));
      a.optBool('force');
      ready(ctx, account(ctx, accountId), 'subscriptionProvisioning', `Account #${accountId}`);
      const d = newDomain(
        ctx,
        {
          domain_name: name,
          account_id: accountId,
          subscription_id: 0,
          hosting_type: -1,
          domain_parking_type: 0,
          path: '',
          registrar_status: 0,
          parent_domain_id: 0,
        },
        wanted,
      );
      return { domain_id: d.domain_id };
    },
  },
  'pem.getDomainByName': { run: (a, ctx) => domainInfo(domainByName(ctx, a.str('domain_name')), ctx.draft) },
  'pem.getAccountDomains': {
    run: (a, ctx) => {
      const id = account(ctx, a.int('account_id')).account_id;
      return ctx.draft
        .group<SbDomain>('domains', 'account', id)
        .sort((x, y) => x.domain_id - y.domain_id)
        .map((d) => domainInfo(d, ctx.draft));
    },
  },
  'pem.enableDomain': setEnabled('domains', 'domain_id', 'Domain', 'noSuchDomain', true),
  'pem.disableDomain': setEnabled('domains', 'domain_id', 'Domain', 'noSuchDomain', false),
  'pem.getSubscriptionWebspaces': listOfSubscription('webspaces', ['webspace_id', 'domain_id', 'location']),

  'pem.addDNSHosting': {
    run: (a, ctx) => {
      const d = domainById(ctx, a.int('domain_id'));
      const rt = a.int('hosting_rt_id');
      if (rt <= 0)
        throw new SandboxFault(
          FAULT.invalidValue,
          `hosting_rt_id must be a DNS hosting resource type id, got ${rt}`,
        );
      const sub =
        d.subscription_id > 0 ? ctx.draft.get<SbSubscription>('subscriptions', d.subscription_id) : undefined;
      if (sub && !template(ctx, sub.service_template_id).resources.some((r) => r.resource_id === rt))
        throw new SandboxRefusal(
          'noSuchResource',
          `Resource type #${rt} is not DNS hosting of subscription #${sub.subscription_id}`,
        );
      if (ctx.draft.get('dnsHostings', d.domain_id))
        throw new SandboxRefusal('dnsHostingExists', `DNS hosting is already added for ${d.domain_name}`);
      ready(ctx, d, 'domainProvisioning', `Domain ${d.domain_name}`);
      ctx.draft.put('dnsHostings', {
        domain_id: d.domain_id,
        domain_name: d.domain_name,
        hosting_rt_id: rt,
        ...stamp(ctx),
      });
      return {};
    },
  },
  'pem.createDNSRecord': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const domainName = checkDomainName(a.str('domain_name'));
      const host = a.str('host');
      const ttl = a.optInt('ttl') ?? 3600;
      const type = a.oneOf('type', DNS_TYPES, a.str('type').toUpperCase() as (typeof DNS_TYPES)[number]);
      const data = a.str('data');
      if (ttl < 0) throw new SandboxFault(FAULT.invalidValue, `ttl must not be negative, got ${ttl}`);
      if (type === 'A' && !/^(\d{1,3}\.){3}\d{1,3}$/.test(data))
        throw new SandboxFault(FAULT.invalidValue, `'${data}' is not an IPv4 address`);
      if (type === 'AAAA' && !data.includes(':'))
        throw new SandboxFault(FAULT.invalidValue, `'${data}' is not an IPv6 address`);
      if (type === 'MX' && !/^\d+\s+\S+$/.test(data))
        throw new SandboxFault(FAULT.invalidValue, `MX data must be "<priority> <host>", got '${data}'`);
      const d = domainByName(ctx, domainName);
      const dns = draft.get<SbDnsHosting>('dnsHostings', d.domain_id);
      if (!dns) throw new SandboxRefusal('noDnsHosting', `Domain ${domainName} has no DNS hosting`);
      ready(ctx, dns, 'dnsHostingProvisioning', `DNS hosting of ${domainName}`);
      const row = { domain_name: domainName, host, type, data };
      const content = `${domainName}|${host.toLowerCase()}|${type}|${data}`;
      if (draft.unique('dnsRecords', 'content', content))
        throw new SandboxRefusal(
          'dnsRecordExists',
          `The ${type} record ${host} → ${data} of ${domainName} already exists`,
        );
      const id = nextId(draft, 'record', (n) => draft.get('dnsRecords', n) !== undefined);
      draft.put('dnsRecords', { record_id: id, domain_id: d.domain_id, ...row, ttl, ...stamp(ctx) });
      return { record_id: id };
    },
  },
  'pem.getDNSRecords': {
    run: (a, ctx) => {
      const d = domainByName(ctx, a.str('domain_name'));
      return ctx.draft
        .group<Row>('dnsRecords', 'domain', d.domain_name)
        .map((r) => ({
          record_id: r['record_id'],
          host: r['host'],
          type: r['type'],
          data: r['data'],
          ttl: r['ttl'],
        }))
        .sort((x, y) => Number(x.record_id) - Number(y.record_id));
    },
  },
  'pem.deleteDNSRecord': {
    run: (a, ctx) => {
      const id = a.int('record_id');
      if (!ctx.draft.get('dnsRecords', id))
        throw new SandboxRefusal('noSuchDnsRecord', `DNS record #${id} does not exist`);
      ctx.draft.del('dnsRecords', id);
      return {};
    },
  },

  'pem.cqmail.addMailbox': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const subscriptionId = a.int('subscription_id');
      const name = localPart(a);
      const quota = a.int('quota');
      const password = a.optStr('password');
      const crypted = a.optBool('password_crypted') ?? false;
      if (quota < -1)
        throw new SandboxFault(
          FAULT.invalidValue,
          `Parameter 'quota' must be -1 (unlimited) or more KB, got ${quota}`,
        );
      subscription(ctx, subscriptionId);
      const domain = mailDomain(a, ctx, subscriptionId);
      const address = `${name}@${domain}`;
      if (addressTaken(draft, address))
        throw new SandboxRefusal(
          'mailnameExists',
          `E-mail address ${loginOf(name, domain, subscriptionId)} already exists`,
        );
      if (password === undefined || password === '')
        throw new SandboxFault(
          FAULT.missingParameter,
          "Required parameter 'password' is missing (a new mail name needs one)",
        );
      if (
        crypted &&
        !/^\$1\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}$/.test(password) &&
        !/^[./0-9A-Za-z]{13}$/.test(password)
      )
        throw new SandboxFault(
          FAULT.invalidValue,
          "Parameter 'password' is flagged password_crypted but is not a DES or BSD MD5 crypt",
        );
      const id = nextId(draft, 'mailbox', (n) => draft.get('mailboxes', n) !== undefined);
      draft.put('mailboxes', {
        mailbox_id: id,
        subscription_id: subscriptionId,
        name,
        domain_name: domain,
        login: loginOf(name, domain, subscriptionId),
        quota,
        password_crypted: crypted,
        password_hash: crypted ? password : sha256(password),
        ...stamp(ctx),
      } satisfies SbMailbox);
      return {};
    },
  },
  'pem.cqmail.addMailForwarding': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const subscriptionId = a.int('subscription_id');
      const name = localPart(a);
      const forwardTo = a.str('forward_to').trim();
      a.optStr('password');
      a.optBool('password_crypted');
      if (!EMAIL.test(forwardTo))
        throw new SandboxFault(
          FAULT.invalidValue,
          `Parameter 'forward_to' takes one e-mail address per call, got '${forwardTo}'`,
        );
      subscription(ctx, subscriptionId);
      const domain = mailDomain(a, ctx, subscriptionId);
      if (draft.unique('aliases', 'address', `${name}@${domain}`))
        throw new SandboxRefusal(
          'mailnameExists',
          `E-mail address ${name}@${domain} is an alias of another mailbox`,
        );
      if (draft.unique('forwardings', 'target', `${name}@${domain}>${forwardTo.toLowerCase()}`))
        throw new SandboxRefusal('mailnameExists', `${name}@${domain} already forwards to ${forwardTo}`);
      const id = nextId(draft, 'forwarding', (n) => draft.get('forwardings', n) !== undefined);
      draft.put('forwardings', {
        forwarding_id: id,
        subscription_id: subscriptionId,
        name,
        domain_name: domain,
        forward_to: forwardTo,
        ...stamp(ctx),
      });
      return {};
    },
  },
  'pem.cqmail.editEmailAddresses': {
    run: (a, ctx) => {
      const { draft } = ctx;
      a.optInt('subscription_id');
      const login = a.str('login').toLowerCase();
      const add = a
        .structList('emails_to_add')
        .map((e) => ({ name: localPart(e), domain: e.optStr('domain_name')?.toLowerCase() ?? '' }));
      const remove = a
        .structList('emails_to_remove')
        .map((e) => ({ name: localPart(e), domain: e.optStr('domain_name')?.toLowerCase() ?? '' }));
      const mailbox = draft.unique<SbMailbox>('mailboxes', 'login', login);
      if (!mailbox) throw new SandboxRefusal('noSuchMailname', `There is no mail name with login ${login}`);
      ready(ctx, mailbox, 'mailnameProvisioning', `Mail name ${login}`);
      for (const r of remove) {
        const alias = draft.unique<Row>('aliases', 'address', `${r.name}@${r.domain}`);
        if (!alias || alias['mailbox_id'] !== mailbox.mailbox_id)
          throw new SandboxRefusal('noSuchMailname', `${r.name}@${r.domain} is not an address of ${login}`);
        draft.del('aliases', alias['alias_id'] as number);
      }
      for (const e of add) {
        if (e.domain) {
          const d = domainByName(ctx, e.domain);
          if (d.subscription_id !== mailbox.subscription_id)
            throw new SandboxRefusal(
              'noSuchDomain',
              `Domain ${e.domain} does not belong to subscription #${mailbox.subscription_id}`,
            );
        }
        if (addressTaken(draft, `${e.name}@${e.domain}`))
          throw new SandboxRefusal('mailnameExists', `E-mail address ${e.name}@${e.domain} already exists`);
        const id = nextId(draft, 'alias', (n) => draft.get('aliases', n) !== undefined);
        draft.put('aliases', {
          alias_id: id,
          mailbox_id: mailbox.mailbox_id,
          subscription_id: mailbox.subscription_id,
          name: e.name,
          domain_name: e.domain,
          ...stamp(ctx),
        });
      }
      return {};
    },
  },
  'pem.cqmail.editMailname': {
    run: (a, ctx) => {
      const subscriptionId = a.int('subscription_id');
      const name = localPart(a);
      const domain = a.optStr('domain_name')?.toLowerCase() ?? '';
      const password = a.str('new_password');
      const crypted = a.bool('new_password_is_crypted');
      const m = ctx.draft.unique<SbMailbox>('mailboxes', 'address', `${name}@${domain}`);
      if (!m || m.subscription_id !== subscriptionId)
        throw new SandboxRefusal(
          'noSuchMailname',
          `There is no mail name ${name}@${domain} in subscription #${subscriptionId}`,
        );
      ctx.draft.put('mailboxes', {
        ...m,
        password_crypted: crypted,
        password_hash: crypted ? password : sha256(password),
      });
      return {};
    },
  },
  'pem.getUsers': {
    run: (a, ctx) => {
      const s = subscription(ctx, a.int('subscription_id'), false);
      return ctx.draft
        .group<SbMailbox>('mailboxes', 'subscription', s.subscription_id)
        .map((m) => ({ user_id: m.mailbox_id, display_name: m.login, login: m.login }));
    },
  },
  /** *verify*: a getter the reference does not name; the read-back of mail names needs one. */
  'pem.cqmail.getMailnames': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const s = subscription(ctx, a.int('subscription_id'), false);
      const key = s.subscription_id;
      const names = new Map<
        string,
        {
          name: string;
          domain_name: string;
          mailbox: boolean;
          quota: number;
          forward_to: string[];
          aliases: string[];
        }
      >();
      const entry = (name: string, domain: string) => {
        const k = `${name}@${domain}`;
        let e = names.get(k);
        if (!e)
          names.set(
            k,
            (e = { name, domain_name: domain, mailbox: false, quota: 0, forward_to: [], aliases: [] }),
          );
        return e;
      };
      const boxes = draft.group<SbMailbox>('mailboxes', 'subscription', key);
      for (const m of boxes) Object.assign(entry(m.name, m.domain_name), { mailbox: true, quota: m.quota });
      for (const f of draft.group<Row>('forwardings', 'subscription', key))
        entry(String(f['name']), String(f['domain_name'])).forward_to.push(String(f['forward_to']));
      for (const al of draft.group<Row>('aliases', 'subscription', key)) {
        const box = boxes.find((m) => m.mailbox_id === al['mailbox_id']);
        if (box)
          entry(box.name, box.domain_name).aliases.push(`${String(al['name'])}@${String(al['domain_name'])}`);
      }
      return [...names.values()];
    },
  },

  'pem.createDatabase': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const subscriptionId = a.int('subscription_id');
      const name = a.str('db_name');
      const type = a.oneOf('db_type', ['mysql', 'postgresql'], a.str('db_type'));
      if (!/^[A-Za-z0-9_]{1,64}$/.test(name))
        throw new SandboxFault(FAULT.invalidValue, `'${name}' is not a valid database name`);
      subscription(ctx, subscriptionId);
      if (draft.unique('databases', 'name', `${type}:${name}`))
        throw new SandboxRefusal('databaseExists', `Database ${name} already exists`);
      const id = nextId(draft, 'database', (n) => draft.get('databases', n) !== undefined);
      draft.put('databases', {
        database_id: id,
        subscription_id: subscriptionId,
        db_name: name,
        db_type: type,
        ...stamp(ctx),
      });
      return { database_id: id };
    },
  },
  'pem.createDatabaseUser': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const subscriptionId = a.int('subscription_id');
      const dbName = a.str('db_name');
      const login = a.str('login');
      const hash = plainPassword(a);
      if (!/^[A-Za-z0-9_]{1,32}$/.test(login))
        throw new SandboxFault(FAULT.invalidValue, `'${login}' is not a valid database login`);
      subscription(ctx, subscriptionId);
      const db = draft
        .group<Row>('databases', 'subscription', subscriptionId)
        .find((d) => d['db_name'] === dbName);
      if (!db)
        throw new SandboxRefusal(
          'noSuchDatabase',
          `Database ${dbName} does not exist in subscription #${subscriptionId}`,
        );
      ready(ctx, db, 'subscriptionProvisioning', `Database ${dbName}`);
      if (draft.unique('databaseUsers', 'login', login))
        throw new SandboxRefusal('databaseUserExists', `Database user ${login} already exists`);
      const id = nextId(draft, 'dbUser', (n) => draft.get('databaseUsers', n) !== undefined);
      draft.put('databaseUsers', {
        db_user_id: id,
        subscription_id: subscriptionId,
        database_id: db['database_id'],
        db_name: dbName,
        login,
        password_sha256: hash,
        ...stamp(ctx),
      });
      return { db_user_id: id };
    },
  },
  /** *verify*: a getter the reference does not name. */
  'pem.getDatabases': {
    run: (a, ctx) => {
      const s = subscription(ctx, a.int('subscription_id'), false);
      const users = ctx.draft.group<Row>('databaseUsers', 'subscription', s.subscription_id);
      return ctx.draft.group<Row>('databases', 'subscription', s.subscription_id).map((d) => ({
        database_id: d['database_id'],
        db_name: d['db_name'],
        db_type: d['db_type'],
        users: users.filter((u) => u['database_id'] === d['database_id']).map((u) => u['login']),
      }));
    },
  },
  'pem.ProFTPD.createCustomFTPUser': {
    run: (a, ctx) => {
      const { draft } = ctx;
      const subscriptionId = a.int('subscription_id');
      const login = a.str('login');
      const hash = plainPassword(a);
      const home = a.optStr('home_dir') ?? '/';
      if (!LOGIN.test(login))
        throw new SandboxFault(FAULT.invalidValue, `'${login}' is not a valid FTP login`);
      if (home.split('/').includes('..'))
        throw new SandboxFault(FAULT.invalidValue, `'${home}' leaves the webspace`);
      subscription(ctx, subscriptionId);
      if (draft.unique('ftpUsers', 'login', login))
        throw new SandboxRefusal('ftpUserExists', `FTP user ${login} already exists`);
      const id = nextId(draft, 'ftpUser', (n) => draft.get('ftpUsers', n) !== undefined);
      draft.put('ftpUsers', {
        ftp_user_id: id,
        subscription_id: subscriptionId,
        login,
        home_dir: home,
        password_sha256: hash,
        ...stamp(ctx),
      });
      return { ftp_user_id: id };
    },
  },
  'pem.ProFTPD.getCustomFTPUsersList': listOfSubscription('ftpUsers', ['ftp_user_id', 'login', 'home_dir']),

  'pem.getServiceTemplateList': {
    run: (a, ctx) => {
      const owner = a.optInt('owner_id');
      return ctx.templates
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
    run: (a, ctx) => {
      const t = template(ctx, a.int('service_template_id'));
      return { ...t, resources: t.resources.map((r) => ({ ...r })) };
    },
  },
};
