/**
 * A domainServices document (agents/xsd/PEMDomainServices.xsd) → `DomainServices`, the full
 * services of one domain that the migration recreates on the target. Pure: it runs after XSD
 * validation, so shapes are known; values are typed as the schema says (numbers, booleans with
 * the schema's defaults). Passwords go through the `seal` given by the caller the moment they
 * are read, so no plain password ever sits in the returned model.
 */
import type {
  AutoresponderModel,
  CronJobModel,
  DatabaseModel,
  DnsRecordModel,
  DnsZoneModel,
  DomainServices,
  FtpUserModel,
  MailboxModel,
  MailModel,
  MailRedirectModel,
  SslModel,
  SubdomainModel,
  WebHostingModel,
  WebUserModel,
} from '../../../shared/model/domain-services';
import type { Credentials, Password } from '../../../shared/model/inventory';
import { MmError } from '../errors';
import { agentXmlParser } from './parse-inventory';

/** Turns a password as the agent printed it into the stored (sealed) one. Synchronous. */
export type PasswordSeal = (plain: Password) => Password;

type Node = Record<string, unknown>;

/** Elements of the schema that may repeat (maxOccurs="unbounded"). */
const REPEATED = new Set([
  'record',
  'alias',
  'subdomain',
  'mailbox',
  'forwarder',
  'autoresponder',
  'target',
  'database',
  'user',
  'ftpUser',
  'webUser',
  'cronJob',
]);
const parser = agentXmlParser(REPEATED);

const DATABASE_TYPES = new Set<DatabaseModel['type']>(['mysql', 'postgresql', 'mssql']);

export function parseDomainServices(xml: string, where: string, seal: PasswordSeal): DomainServices {
  const doc = parser.parse(xml) as Node;
  if (!('domainServices' in doc)) {
    throw new MmError('xml-unexpected-root', `${where} is not a domainServices document.`, where);
  }
  const r = new Reader(where, seal);
  const root = node(doc['domainServices']);
  const zone = optNode(root['dnsZone']);
  const web = optNode(root['webHosting']);
  const mail = optNode(root['mail']);
  return {
    domainId: r.req(root, 'domainId', 'domainServices'),
    domainName: r.req(root, 'domainName', 'domainServices'),
    ...opt('dnsZone', zone && r.zone(zone)),
    ...opt('webHosting', web && r.web(web)),
    ...opt('mail', mail && r.mail(mail)),
    databases: list(root['database']).map((d) => r.database(d)),
    ftpUsers: list(root['ftpUser']).map((u) => r.ftpUser(u)),
    webUsers: list(root['webUser']).map((u) => r.webUser(u)),
    cronJobs: list(root['cronJob']).map((c) => r.cronJob(c)),
  };
}

/** The element readers, bound to the document's name (for messages) and the caller's seal. */
class Reader {
  constructor(
    private readonly where: string,
    private readonly seal: PasswordSeal,
  ) {}

  zone(n: Node): DnsZoneModel {
    return {
      name: this.req(n, 'name', 'dnsZone'),
      ...opt('ttl', this.num(n, 'ttl', 'dnsZone')),
      master: this.bool(n, 'master', true, 'dnsZone'),
      records: list(n['record']).map((rec) => this.record(rec)),
    };
  }

  record(n: Node): DnsRecordModel {
    const at = 'dnsZone/record';
    return {
      host: this.req(n, 'host', at),
      type: this.req(n, 'type', at),
      ...opt('ttl', this.num(n, 'ttl', at)),
      ...opt('priority', this.num(n, 'priority', at)),
      ...opt('weight', this.num(n, 'weight', at)),
      ...opt('port', this.num(n, 'port', at)),
      data: this.req(n, 'data', at),
    };
  }

  web(n: Node): WebHostingModel {
    const ssl = optNode(n['ssl']);
    const scripting = optNode(n['scripting']);
    return {
      hostname: this.req(n, 'hostname', 'webHosting'),
      ...opt('docRoot', str(n['docRoot'])),
      ...opt('ip', str(n['ip'])),
      enabled: this.bool(n, 'enabled', true, 'webHosting'),
      ...opt('contentId', str(n['contentId'])),
      aliases: list(n['alias']).map((a) => this.req(a, 'name', 'webHosting/alias')),
      subdomains: list(n['subdomain']).map((s) => this.subdomain(s)),
      ...opt('ssl', ssl && sslOf(ssl)),
      php: scripting ? this.bool(scripting, 'php', false, 'webHosting/scripting') : false,
    };
  }

  subdomain(n: Node): SubdomainModel {
    const ssl = optNode(n['ssl']);
    return {
      name: this.req(n, 'name', 'subdomain'),
      hostname: this.req(n, 'hostname', 'subdomain'),
      ...opt('docRoot', str(n['docRoot'])),
      ...opt('contentId', str(n['contentId'])),
      aliases: list(n['alias']).map((a) => this.req(a, 'name', 'subdomain/alias')),
      ...opt('ssl', ssl && sslOf(ssl)),
    };
  }

  mail(n: Node): MailModel {
    const catchAll = optNode(n['catchAll']);
    return {
      enabled: this.bool(n, 'enabled', true, 'mail'),
      mailboxes: list(n['mailbox']).map((m) => this.mailbox(m)),
      aliases: list(n['alias']).map((a) => this.redirect(a, 'mail/alias')),
      forwarders: list(n['forwarder']).map((f) => this.redirect(f, 'mail/forwarder')),
      autoresponders: list(n['autoresponder']).map((a) => this.autoresponder(a)),
      ...opt('catchAll', catchAll && targets(catchAll)),
    };
  }

  mailbox(n: Node): MailboxModel {
    const at = 'mailbox';
    return {
      name: this.req(n, 'name', at),
      address: this.req(n, 'address', at),
      ...opt('password', this.password(n['password'])),
      ...opt('quotaKb', this.num(n, 'quotaKb', at)),
      ...opt('messageCount', this.num(n, 'messageCount', at)),
      ...opt('sizeBytes', this.num(n, 'sizeBytes', at)),
      ...opt('contentId', str(n['contentId'])),
    };
  }

  redirect(n: Node, at: string): MailRedirectModel {
    return {
      address: this.req(n, 'address', at),
      targets: targets(n),
      keepCopy: this.bool(n, 'keepCopy', false, at),
    };
  }

  autoresponder(n: Node): AutoresponderModel {
    return {
      address: this.req(n, 'address', 'autoresponder'),
      ...opt('subject', str(n['subject'])),
      ...opt('text', text(n['text'])),
      enabled: this.bool(n, 'enabled', true, 'autoresponder'),
    };
  }

  database(n: Node): DatabaseModel {
    const type = this.req(n, 'type', 'database') as DatabaseModel['type'];
    if (!DATABASE_TYPES.has(type)) {
      throw new MmError(
        'xml-invalid',
        `${this.where}: database type "${type}" is not one the schema allows.`,
        this.where,
      );
    }
    return {
      name: this.req(n, 'name', 'database'),
      type,
      ...opt('server', str(n['server'])),
      ...opt('sizeBytes', this.num(n, 'sizeBytes', 'database')),
      ...opt('contentId', str(n['contentId'])),
      users: list(n['user']).map((u): Credentials => ({
        login: this.req(u, 'login', 'database/user'),
        ...opt('password', this.password(u['password'])),
      })),
    };
  }

  ftpUser(n: Node): FtpUserModel {
    return {
      login: this.req(n, 'login', 'ftpUser'),
      ...opt('password', this.password(n['password'])),
      ...opt('home', str(n['home'])),
      ...opt('quotaKb', this.num(n, 'quotaKb', 'ftpUser')),
    };
  }

  webUser(n: Node): WebUserModel {
    return {
      login: this.req(n, 'login', 'webUser'),
      ...opt('password', this.password(n['password'])),
      ...opt('directory', str(n['directory'])),
    };
  }

  cronJob(n: Node): CronJobModel {
    return {
      schedule: this.req(n, 'schedule', 'cronJob'),
      ...opt('user', str(n['user'])),
      enabled: this.bool(n, 'enabled', true, 'cronJob'),
      command: text(n['command']) ?? '',
    };
  }

  /** `<password crypted="…" scheme="…">value</password>`, sealed at once. */
  password(v: unknown): Password | undefined {
    if (v === undefined) return undefined;
    const n = typeof v === 'string' ? { '#text': v } : node(v);
    return this.seal({
      value: text(n) ?? '',
      crypted: this.bool(n, 'crypted', false, 'password'),
      ...opt('scheme', str(n['scheme'])),
    });
  }

  req(n: Node, key: string, at: string): string {
    const v = n[key];
    if (typeof v !== 'string') {
      throw new MmError(
        'xml-missing-field',
        `${this.where}: a ${at} element lacks its "${key}" attribute.`,
        this.where,
      );
    }
    return v;
  }

  /** xs:unsignedInt / xs:nonNegativeInteger as a number; absent stays absent. */
  num(n: Node, key: string, at: string): number | undefined {
    const v = n[key];
    if (v === undefined) return undefined;
    const s = typeof v === 'string' ? v.trim() : '';
    if (!/^\+?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
      throw new MmError(
        'xml-invalid',
        `${this.where}: ${at} ${key}="${String(v)}" is not a whole number.`,
        this.where,
      );
    }
    return Number(s);
  }

  /** xs:boolean ("true", "false", "1", "0") with the schema's default when absent. */
  bool(n: Node, key: string, byDefault: boolean, at: string): boolean {
    const v = n[key];
    if (v === undefined) return byDefault;
    const s = typeof v === 'string' ? v.trim() : '';
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
    throw new MmError(
      'xml-invalid',
      `${this.where}: ${at} ${key}="${String(v)}" is not a boolean.`,
      this.where,
    );
  }
}

/** Presence only: certificate and key contents are never kept in the project. */
function sslOf(n: Node): SslModel {
  return {
    hasCertificate: nonEmpty(text(n['certificate'])) || str(n['certificateFile']) !== undefined,
    hasPrivateKey: nonEmpty(text(n['privateKey'])) || str(n['keyFile']) !== undefined,
  };
}

function targets(n: Node): string[] {
  return (Array.isArray(n['target']) ? (n['target'] as unknown[]) : []).map((t) => text(t) ?? '');
}

// --- small readers over fast-xml-parser's output -------------------------------------------

function node(v: unknown): Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : {};
}

/** An element that may be absent; an empty element (`<mail/>`) is present. */
function optNode(v: unknown): Node | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? {} : node(v);
}

function list(v: unknown): Node[] {
  return Array.isArray(v)
    ? v.map((x) => (typeof x === 'string' ? {} : node(x)))
    : v === undefined
      ? []
      : [node(v)];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const t = node(v)['#text'];
  return typeof t === 'string' ? t : undefined;
}

function nonEmpty(s: string | undefined): boolean {
  return s !== undefined && s.trim() !== '';
}

/** Spreads a key only when it has a value, so optional fields stay absent rather than undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
