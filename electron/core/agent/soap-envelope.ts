/**
 * The SOAP 1.1 envelopes of `perl agent.pl --serve` (agents/lib/MigrationAgent/SOAP/), built and
 * read with fast-xml-parser. An answer is refused before parsing when it carries a DOCTYPE (so no
 * entity is ever declared, let alone expanded: the same rule as for inventories, xml-guard.ts) or
 * is not well-formed; names are matched by namespace, not by prefix.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { MmError } from '../errors';
import { assertNoDoctype } from '../inventory/xml-guard';

export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const AGENT_NS = 'urn:migration-manager:agent:1';

export type SoapOperation = 'Version' | 'Run' | 'Install';

export interface RunRequest {
  /** Command options by name, as `--name=value` on the command line (extract, domain-id, …). */
  readonly options: ReadonlyArray<readonly [string, string]>;
  /** The agent stops the command itself after this long. */
  readonly timeoutSeconds?: number;
}

export interface InstallRequest {
  /** pack.mjs's agent.tar, the package an SSH deployment unpacks. */
  readonly package: Buffer;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  suppressEmptyNode: true,
});

export function buildRequest(op: SoapOperation, run?: RunRequest | InstallRequest): string {
  const body =
    op === 'Install' && run && 'package' in run
      ? { 'mm:Install': { 'mm:package': { '@encoding': 'base64', '#text': run.package.toString('base64') } } }
      : op === 'Run' && run && 'options' in run
        ? {
            'mm:Run': {
              'mm:option': run.options.map(([name, value]) => ({ '@name': name, '#text': value })),
              ...(run.timeoutSeconds ? { 'mm:timeoutSeconds': String(run.timeoutSeconds) } : {}),
            },
          }
        : { [`mm:${op}`]: '' };
  return builder.build({
    '?xml': { '@version': '1.0', '@encoding': 'UTF-8' },
    'soap:Envelope': { '@xmlns:soap': SOAP_NS, '@xmlns:mm': AGENT_NS, 'soap:Body': body },
  }) as string;
}

export const soapAction = (op: SoapOperation): string => `"${AGENT_NS}#${op}"`;

type Node = { readonly [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Only the predefined entities and character references: a DOCTYPE was refused before.
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  isArray: (name) => /(^|:)(warning|option)$/.test(name),
});

export interface SoapFault {
  readonly code: string;
  readonly message: string;
  readonly exitCode?: number;
}

export type SoapAnswer =
  | { readonly kind: 'fault'; readonly fault: SoapFault }
  | {
      readonly kind: 'result';
      readonly name: string;
      readonly fields: Readonly<Record<string, string>>;
      readonly document?: Buffer;
      readonly warnings: readonly string[];
    };

const bad = (where: string, what: string): MmError =>
  new MmError('agent-bad-response', `The agent at ${where} answered ${what}.`, where);

/** Namespaces declared on a node, by prefix ('' for the default one), over those inherited. */
function scope(node: Node, inherited: Readonly<Record<string, string>>): Record<string, string> {
  const ns: Record<string, string> = { ...inherited };
  for (const [k, v] of Object.entries(node)) {
    if (k === '@xmlns') ns[''] = String(v);
    else if (k.startsWith('@xmlns:')) ns[k.slice(7)] = String(v);
  }
  return ns;
}

/** The child elements of `node` named {ns}local. */
function children(node: Node, ns: Readonly<Record<string, string>>, uri: string, local: string): unknown[] {
  const found: unknown[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@') || k === '#text') continue;
    const [prefix, name] = k.includes(':') ? (k.split(':', 2) as [string, string]) : ['', k];
    const childNs = scope(typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : {}, ns);
    if (name === local && (childNs[prefix] ?? ns[prefix]) === uri)
      found.push(...(Array.isArray(v) ? v : [v]));
  }
  return found;
}

const textOf = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null ? String((v as Node)['#text'] ?? '') : '';

/** Reads an answer envelope: the operation's result (its text fields, a decoded document) or the fault. */
export function parseAnswer(xml: string, where: string): SoapAnswer {
  assertNoDoctype(xml.slice(0, 64 * 1024), where);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw bad(where, `malformed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const root = parser.parse(xml) as Node;
  const top = Object.keys(root).filter((k) => !k.startsWith('?'));
  const envKey = top.find((k) => /(^|:)Envelope$/.test(k));
  if (!envKey || top.length !== 1) throw bad(where, 'something that is not a SOAP envelope');
  const envelope = root[envKey] as Node;
  const ns = scope(envelope, {});
  const prefix = envKey.includes(':') ? envKey.split(':')[0]! : '';
  if (ns[prefix] !== SOAP_NS) throw bad(where, 'an envelope that is not SOAP 1.1');
  const [body] = children(envelope, ns, SOAP_NS, 'Body') as Node[];
  if (!body || typeof body !== 'object') throw bad(where, 'an envelope without a Body');
  const bodyNs = scope(body, ns);
  const [fault] = children(body, bodyNs, SOAP_NS, 'Fault') as Node[];
  if (fault) {
    // faultcode/faultstring/detail are unqualified in SOAP 1.1.
    const detail = (fault['detail'] ?? {}) as Node;
    const exit =
      typeof detail === 'object' ? children(detail, scope(fault, bodyNs), AGENT_NS, 'exitCode') : [];
    const exitCode = exit.length ? Number(textOf(exit[0])) : undefined;
    return {
      kind: 'fault',
      fault: {
        code: textOf(fault['faultcode']).replace(/^.*:/, ''),
        message: textOf(fault['faultstring']),
        ...(exitCode !== undefined && Number.isInteger(exitCode) ? { exitCode } : {}),
      },
    };
  }
  const results = Object.keys(body).filter((k) => !k.startsWith('@') && k !== '#text');
  if (results.length !== 1) throw bad(where, 'a Body without one result');
  const key = results[0]!;
  const result = body[key] as Node;
  const [rPrefix, name] = key.includes(':') ? (key.split(':', 2) as [string, string]) : ['', key];
  const rNs = scope(typeof result === 'object' && result !== null ? result : {}, bodyNs);
  if (rNs[rPrefix] !== AGENT_NS) throw bad(where, `a result in another namespace (${key})`);
  const fields: Record<string, string> = {};
  let document: Buffer | undefined;
  const warnings: string[] = [];
  for (const [k, v] of Object.entries(typeof result === 'object' && result !== null ? result : {})) {
    if (k.startsWith('@')) continue;
    const local = k.replace(/^.*:/, '');
    if (local === 'warning') warnings.push(...(v as unknown[]).map(textOf));
    else if (local === 'document') {
      const d = v as Node;
      if (d['@encoding'] !== 'base64') throw bad(where, 'a document that is not base64');
      const text = textOf(d);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw bad(where, 'a document that is not valid base64');
      document = Buffer.from(text, 'base64');
      if (d['@bytes'] !== undefined && Number(d['@bytes']) !== document.length)
        throw bad(where, `a document of ${document.length} bytes where it announced ${String(d['@bytes'])}`);
    } else fields[local] = textOf(v);
  }
  return { kind: 'result', name, fields, ...(document ? { document } : {}), warnings };
}
