/**
 * Agent XML (hostingPlatform, accountsInfo, domainsInfo) → the typed inventory model.
 * Runs after XSD validation, so shapes are known; values stay strings unless the schema says
 * number (parseTagValue/parseAttributeValue off: "<php>8.0</php>" must not become 8).
 */
import { XMLParser } from 'fast-xml-parser';
import type {
  Account,
  Address,
  Contact,
  ContentRef,
  Credentials,
  Domain,
  Inventory,
  Money,
  Password,
  PaymentTool,
  Phone,
  ServiceTemplate,
  SourceHost,
  Subscription,
} from '../../../shared/model/inventory';
import { MmError } from '../errors';
import { type XmlMappers, parseXmlTree } from './xml-tree';

type Node = Record<string, unknown>;

const REPEATED = new Set([
  'server',
  'ip',
  'serviceTemplate',
  'resource',
  'account',
  'paymentTool',
  'subscription',
  'providedDomain',
  'domain',
  'content',
  'notFound',
]);

/**
 * How Migration API documents are read: attributes kept, values left as strings, entities
 * decoded (agents write newlines in attributes as &#10;), DOCTYPEs refused earlier by xml-guard.
 * Inventories, the big documents, go through xml-tree instead, which gives the same objects
 * in one pass (test/inventory/xml-tree.test.ts compares the two).
 */
export function agentXmlParser(repeated: ReadonlySet<string>): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
    ignoreDeclaration: true,
    // Elements only: an attribute may share a repeated element's name (cronJob user="…").
    isArray: (name, _jpath, _leaf, isAttribute) => !isAttribute && repeated.has(name),
  });
}

export interface ParsedDocument {
  readonly root: 'hostingPlatform' | 'accountsInfo' | 'domainsInfo';
  readonly inventory: Inventory;
  /** Ids the agent was asked for but does not know (accountsInfo/domainsInfo). */
  readonly notFound: readonly string[];
}

/** Each object of the lists, mapped into the model as soon as its element closes. */
const MAPPERS: XmlMappers = new Map<string, { parent: string; map: (n: Node) => unknown }>([
  ['server', { parent: 'servers', map: host }],
  ['serviceTemplate', { parent: 'serviceTemplates', map: template }],
  ['account', { parent: 'accounts', map: account }],
  ['subscription', { parent: 'subscriptions', map: subscription }],
  ['domain', { parent: 'domains', map: domain }],
]);

export function parseAgentXml(xml: string, where: string): ParsedDocument {
  const doc = parseXmlTree(xml, REPEATED, where, MAPPERS);
  const rootName = (['hostingPlatform', 'accountsInfo', 'domainsInfo'] as const).find((r) => r in doc);
  if (!rootName) {
    throw new MmError(
      'xml-unexpected-root',
      `${where} is not a hostingPlatform, accountsInfo or domainsInfo document.`,
      where,
    );
  }
  const root = node(doc[rootName]);
  const apiVersion = str(root['apiVersion']) === '2' ? 2 : 1;
  const platform = node(root['platform']);
  return {
    root: rootName,
    notFound: list(root['notFound']).map((n) => str(n['id']) ?? ''),
    inventory: {
      apiVersion,
      ...opt('agent', str(root['agent'])),
      ...opt('agentVersion', str(root['agentVersion'])),
      ...opt('generated', str(root['generated'])),
      platform: {
        kind: str(platform['kind']) ?? 'unknown',
        ...opt('name', str(platform['name'])),
        ...opt('version', str(platform['version'])),
      },
      hosts: mapped<SourceHost>(root, 'servers', 'server'),
      templates: mapped<ServiceTemplate>(root, 'serviceTemplates', 'serviceTemplate'),
      accounts: mapped<Account>(root, 'accounts', 'account'),
      subscriptions: mapped<Subscription>(root, 'subscriptions', 'subscription'),
      domains: mapped<Domain>(root, 'domains', 'domain'),
    },
  };
}

/** One list of the document, its objects already mapped (MAPPERS); none when it is absent. */
function mapped<T>(root: Node, listName: string, itemName: string): T[] {
  const items = node(root[listName])[itemName];
  return Array.isArray(items) ? (items as T[]) : [];
}

function host(n: Node): SourceHost {
  const h: Draft<SourceHost> = { id: req(n, 'id') };
  put(h, 'hostname', str(n['hostname']));
  h.roles = (str(n['roles']) ?? '').split(/\s+/).filter(Boolean);
  h.ips = list(n['ip']).map((ip) => ({
    address: req(ip, 'address'),
    type: str(ip['type']) === 'exclusive' ? ('exclusive' as const) : ('shared' as const),
  }));
  return h as SourceHost;
}

function template(n: Node): ServiceTemplate {
  const t: Draft<ServiceTemplate> = { id: req(n, 'id'), name: req(n, 'name'), virtual: bool(n['virtual']) };
  put(t, 'kind', str(n['kind']) as ServiceTemplate['kind']);
  t.disabled = bool(n['disabled']);
  put(t, 'description', text(n['description']));
  t.resources = list(n['resource']).map((r) => {
    const res: Draft<ServiceTemplate['resources'][number]> = { id: req(r, 'id') };
    put(res, 'name', str(r['name']));
    put(res, 'unit', str(r['unit']));
    res.limit = num(r['limit']) ?? -1;
    put(res, 'included', num(r['included']));
    put(res, 'setupFee', money(r['setupFee']));
    put(res, 'recurringFee', money(r['recurringFee']));
    return res as ServiceTemplate['resources'][number];
  });
  return t as ServiceTemplate;
}

function account(n: Node): Account {
  const a: Draft<Account> = {
    id: req(n, 'id'),
    type: str(n['type']) === 'reseller' ? 'reseller' : 'customer',
  };
  put(a, 'parentId', str(n['parentId']));
  put(a, 'company', str(n['company']));
  a.status = (str(n['status']) ?? 'active') as Account['status'];
  put(a, 'created', str(n['created']));
  put(a, 'serverId', str(n['serverId']));
  put(a, 'ccpLogin', credentials(n['ccpLogin']));
  put(a, 'adminContact', contact(n['adminContact']));
  put(a, 'technicalContact', contact(n['technicalContact']));
  put(a, 'billingContact', contact(n['billingContact']));
  put(a, 'address', address(n['address']));
  put(a, 'balance', money(n['balance']));
  a.paymentTools = list(n['paymentTool']).map(paymentTool);
  return a as Account;
}

function subscription(n: Node): Subscription {
  const s: Draft<Subscription> = {
    id: req(n, 'id'),
    accountId: req(n, 'accountId'),
    templateId: req(n, 'templateId'),
  };
  put(s, 'name', str(n['name']));
  s.status = (str(n['status']) ?? 'active') as Subscription['status'];
  put(s, 'created', str(n['created']));
  put(s, 'expires', str(n['expires']));
  put(s, 'period', num(n['period']));
  put(s, 'periodType', str(n['periodType']) as Subscription['periodType']);
  put(s, 'billingPeriod', num(n['billingPeriod']));
  put(s, 'billingPeriodType', str(n['billingPeriodType']) as Subscription['billingPeriodType']);
  put(s, 'refundPeriod', num(n['refundPeriod']));
  put(s, 'lastBillingDate', str(n['lastBillingDate']));
  put(s, 'nextBillingDate', str(n['nextBillingDate']));
  put(s, 'serverId', str(n['serverId']));
  put(s, 'subscriptionFee', money(n['subscriptionFee']));
  put(s, 'setupFee', money(n['setupFee']));
  put(s, 'renewalFee', money(n['renewalFee']));
  put(s, 'transferFee', money(n['transferFee']));
  put(s, 'nonRefundableAmount', money(n['nonRefundableAmount']));
  put(s, 'registrarLogin', credentials(n['registrarLogin']));
  s.domainIds = list(n['providedDomain']).map((d) => req(d, 'id'));
  return s as Subscription;
}

function domain(n: Node): Domain {
  const d: Draft<Domain> = { id: req(n, 'id'), name: req(n, 'name') };
  put(d, 'asciiName', str(n['asciiName']));
  put(d, 'unicodeName', str(n['unicodeName']));
  d.accountId = req(n, 'accountId');
  put(d, 'hostingSubscriptionId', str(n['hostingSubscriptionId']));
  put(d, 'registrationSubscriptionId', str(n['registrationSubscriptionId']));
  d.kind = (str(n['kind']) ?? 'regular') as Domain['kind'];
  d.status = (str(n['status']) ?? 'active') as Domain['status'];
  put(d, 'serverId', str(n['serverId']));
  d.content = list(n['content']).map((c): ContentRef => {
    const ref: Draft<ContentRef> = { kind: req(c, 'kind') as ContentRef['kind'], id: req(c, 'id') };
    put(ref, 'sizeBytes', num(c['sizeBytes']));
    return ref as ContentRef;
  });
  return d as Domain;
}

function credentials(v: unknown): Credentials | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  const pw = n['password'];
  if (pw === undefined) return { login: req(n, 'login') };
  const p = typeof pw === 'string' ? { '#text': pw } : node(pw);
  const password: Draft<Password> = { value: text(p) ?? '', crypted: bool(p['crypted']) };
  put(password, 'scheme', str(p['scheme']));
  return { login: req(n, 'login'), password: password as Password };
}

function contact(v: unknown): Contact | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  const c: Draft<Contact> = {};
  put(c, 'firstName', str(n['firstName']));
  put(c, 'middleName', str(n['middleName']));
  put(c, 'lastName', str(n['lastName']));
  put(c, 'email', str(n['email']));
  put(c, 'phone', phone(n['phone']));
  put(c, 'fax', phone(n['fax']));
  put(c, 'address', address(n['address']));
  return c as Contact;
}

function phone(v: unknown): Phone | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  const p: Draft<Phone> = {};
  put(p, 'countryCode', str(n['countryCode']));
  put(p, 'areaCode', str(n['areaCode']));
  p.number = req(n, 'number');
  put(p, 'extension', str(n['extension']));
  return p as Phone;
}

const ADDRESS_FIELDS = ['street', 'houseNumber', 'address2', 'city', 'state', 'zip', 'country'] as const;

function address(v: unknown): Address | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  const a: Draft<Address> = {};
  for (const k of ADDRESS_FIELDS) put(a, k, str(n[k]));
  return a as Address;
}

function paymentTool(n: Node): PaymentTool {
  const t: Draft<PaymentTool> = { type: (str(n['type']) ?? 'other') as PaymentTool['type'] };
  put(t, 'holder', str(n['holder']));
  put(t, 'cardType', str(n['cardType']));
  put(t, 'maskedNumber', str(n['maskedNumber']));
  put(t, 'expMonth', str(n['expMonth']));
  put(t, 'expYear', str(n['expYear']));
  t.default = bool(n['default']);
  put(t, 'encryptedNumber', text(n['encryptedNumber']));
  return t as PaymentTool;
}

function money(v: unknown): Money | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  return { amount: (text(n) ?? '0').trim(), currency: str(n['currency']) ?? 'USD' };
}

// --- small readers over the parsed tree ----------------------------------------------------

function node(v: unknown): Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : {};
}

function list(v: unknown): Node[] {
  return Array.isArray(v) ? v.map(node) : v === undefined ? [] : [node(v)];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const t = node(v)['#text'];
  return typeof t === 'string' ? t : undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function bool(v: unknown): boolean {
  return v === 'true' || v === '1';
}

function req(n: Node, key: string): string {
  const v = n[key];
  if (typeof v !== 'string')
    throw new MmError('xml-missing-field', `An element lacks its "${key}" attribute.`, key);
  return v;
}

/** A model object while it is being filled in, field by field in the model's order. */
type Draft<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * Sets a field only when it has a value, so optional fields stay absent rather than undefined
 * (assigned in place: spreading a small object per optional field cost more than the parse).
 */
function put<T, K extends keyof T>(o: Draft<T>, key: K, value: T[K] | undefined): void {
  if (value !== undefined) o[key] = value;
}

/** Spreads a key only when it has a value, so optional fields stay absent rather than undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
