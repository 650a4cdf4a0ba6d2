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
  PaymentTool,
  Phone,
  ServiceTemplate,
  SourceHost,
  Subscription,
} from '../../../shared/model/inventory';
import { MmError } from '../errors';

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
 * How every Migration API document is read: attributes kept, values left as strings, entities
 * decoded (agents write newlines in attributes as &#10;), DOCTYPEs refused earlier by xml-guard.
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

const parser = agentXmlParser(REPEATED);

export interface ParsedDocument {
  readonly root: 'hostingPlatform' | 'accountsInfo' | 'domainsInfo';
  readonly inventory: Inventory;
  /** Ids the agent was asked for but does not know (accountsInfo/domainsInfo). */
  readonly notFound: readonly string[];
}

export function parseAgentXml(xml: string, where: string): ParsedDocument {
  const doc = parser.parse(xml) as Node;
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
      hosts: list(node(root['servers'])['server']).map(host),
      templates: list(node(root['serviceTemplates'])['serviceTemplate']).map(template),
      accounts: list(node(root['accounts'])['account']).map(account),
      subscriptions: list(node(root['subscriptions'])['subscription']).map(subscription),
      domains: list(node(root['domains'])['domain']).map(domain),
    },
  };
}

function host(n: Node): SourceHost {
  return {
    id: req(n, 'id'),
    ...opt('hostname', str(n['hostname'])),
    roles: (str(n['roles']) ?? '').split(/\s+/).filter(Boolean),
    ips: list(n['ip']).map((ip) => ({
      address: req(ip, 'address'),
      type: str(ip['type']) === 'exclusive' ? ('exclusive' as const) : ('shared' as const),
    })),
  };
}

function template(n: Node): ServiceTemplate {
  return {
    id: req(n, 'id'),
    name: req(n, 'name'),
    virtual: bool(n['virtual']),
    ...opt('kind', str(n['kind']) as ServiceTemplate['kind']),
    disabled: bool(n['disabled']),
    ...opt('description', text(n['description'])),
    resources: list(n['resource']).map((r) => ({
      id: req(r, 'id'),
      ...opt('name', str(r['name'])),
      ...opt('unit', str(r['unit'])),
      limit: num(r['limit']) ?? -1,
      ...opt('included', num(r['included'])),
      ...opt('setupFee', money(r['setupFee'])),
      ...opt('recurringFee', money(r['recurringFee'])),
    })),
  };
}

function account(n: Node): Account {
  return {
    id: req(n, 'id'),
    type: str(n['type']) === 'reseller' ? 'reseller' : 'customer',
    ...opt('parentId', str(n['parentId'])),
    ...opt('company', str(n['company'])),
    status: (str(n['status']) ?? 'active') as Account['status'],
    ...opt('created', str(n['created'])),
    ...opt('serverId', str(n['serverId'])),
    ...opt('ccpLogin', credentials(n['ccpLogin'])),
    ...opt('adminContact', contact(n['adminContact'])),
    ...opt('technicalContact', contact(n['technicalContact'])),
    ...opt('billingContact', contact(n['billingContact'])),
    ...opt('address', address(n['address'])),
    ...opt('balance', money(n['balance'])),
    paymentTools: list(n['paymentTool']).map(paymentTool),
  };
}

function subscription(n: Node): Subscription {
  return {
    id: req(n, 'id'),
    accountId: req(n, 'accountId'),
    templateId: req(n, 'templateId'),
    ...opt('name', str(n['name'])),
    status: (str(n['status']) ?? 'active') as Subscription['status'],
    ...opt('created', str(n['created'])),
    ...opt('expires', str(n['expires'])),
    ...opt('period', num(n['period'])),
    ...opt('periodType', str(n['periodType']) as Subscription['periodType']),
    ...opt('billingPeriod', num(n['billingPeriod'])),
    ...opt('billingPeriodType', str(n['billingPeriodType']) as Subscription['billingPeriodType']),
    ...opt('refundPeriod', num(n['refundPeriod'])),
    ...opt('lastBillingDate', str(n['lastBillingDate'])),
    ...opt('nextBillingDate', str(n['nextBillingDate'])),
    ...opt('serverId', str(n['serverId'])),
    ...opt('subscriptionFee', money(n['subscriptionFee'])),
    ...opt('setupFee', money(n['setupFee'])),
    ...opt('renewalFee', money(n['renewalFee'])),
    ...opt('transferFee', money(n['transferFee'])),
    ...opt('nonRefundableAmount', money(n['nonRefundableAmount'])),
    ...opt('registrarLogin', credentials(n['registrarLogin'])),
    domainIds: list(n['providedDomain']).map((d) => req(d, 'id')),
  };
}

function domain(n: Node): Domain {
  return {
    id: req(n, 'id'),
    name: req(n, 'name'),
    ...opt('asciiName', str(n['asciiName'])),
    ...opt('unicodeName', str(n['unicodeName'])),
    accountId: req(n, 'accountId'),
    ...opt('hostingSubscriptionId', str(n['hostingSubscriptionId'])),
    ...opt('registrationSubscriptionId', str(n['registrationSubscriptionId'])),
    kind: (str(n['kind']) ?? 'regular') as Domain['kind'],
    status: (str(n['status']) ?? 'active') as Domain['status'],
    ...opt('serverId', str(n['serverId'])),
    content: list(n['content']).map((c): ContentRef => ({
      kind: req(c, 'kind') as ContentRef['kind'],
      id: req(c, 'id'),
      ...opt('sizeBytes', num(c['sizeBytes'])),
    })),
  };
}

function credentials(v: unknown): Credentials | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  const pw = n['password'];
  if (pw === undefined) return { login: req(n, 'login') };
  const p = typeof pw === 'string' ? { '#text': pw } : node(pw);
  return {
    login: req(n, 'login'),
    password: {
      value: text(p) ?? '',
      crypted: bool(p['crypted']),
      ...opt('scheme', str(p['scheme'])),
    },
  };
}

function contact(v: unknown): Contact | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  return {
    ...opt('firstName', str(n['firstName'])),
    ...opt('middleName', str(n['middleName'])),
    ...opt('lastName', str(n['lastName'])),
    ...opt('email', str(n['email'])),
    ...opt('phone', phone(n['phone'])),
    ...opt('fax', phone(n['fax'])),
    ...opt('address', address(n['address'])),
  };
}

function phone(v: unknown): Phone | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  return {
    ...opt('countryCode', str(n['countryCode'])),
    ...opt('areaCode', str(n['areaCode'])),
    number: req(n, 'number'),
    ...opt('extension', str(n['extension'])),
  };
}

function address(v: unknown): Address | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  const keys = ['street', 'houseNumber', 'address2', 'city', 'state', 'zip', 'country'] as const;
  return Object.fromEntries(
    keys.flatMap((k) => (str(n[k]) === undefined ? [] : [[k, str(n[k])]])),
  ) as Address;
}

function paymentTool(n: Node): PaymentTool {
  return {
    type: (str(n['type']) ?? 'other') as PaymentTool['type'],
    ...opt('holder', str(n['holder'])),
    ...opt('cardType', str(n['cardType'])),
    ...opt('maskedNumber', str(n['maskedNumber'])),
    ...opt('expMonth', str(n['expMonth'])),
    ...opt('expYear', str(n['expYear'])),
    default: bool(n['default']),
    ...opt('encryptedNumber', text(n['encryptedNumber'])),
  };
}

function money(v: unknown): Money | undefined {
  if (v === undefined) return undefined;
  const n = node(v);
  return { amount: (text(n) ?? '0').trim(), currency: str(n['currency']) ?? 'USD' };
}

// --- small readers over fast-xml-parser's output -------------------------------------------

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

/** Spreads a key only when it has a value, so optional fields stay absent rather than undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
