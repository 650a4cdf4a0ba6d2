/**
 * The sandbox target: a POA/PBA simulator of its own (outside the core, which never imports it).
 * POA and PBA OpenAPI endpoints (XML-RPC at /RPC2) over one state kept in memory with indexes
 * and made durable by an operation log (op-log.ts); POA transactions and asynchronous requests
 * (transactions.ts); a web server publishing pushed content by Host header; fault injection.
 * Started by `mm sandbox start`, by the app shells for the demo, and by the tests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { isPbaMethod, signatureOf } from '../core/target/pba-signatures';
import { Args, FAULT, SandboxFault, SandboxRefusal } from './answers';
import { SEED_PLANS, SEED_TEMPLATES, type SandboxPlan, type SandboxTemplate } from './catalogue';
import { FAULT_ACTIONS, type FaultAction, FaultPlan, type FaultRule } from './faults';
import { OpLog } from './op-log';
import { PBA_METHODS, readParams } from './pba-methods';
import { POA_METHODS, type PoaContext } from './poa-methods';
import { type Dispatch, type EndpointOptions, type Outcome, createRpcServer } from './rpc-server';
import { TABLES, TABLE_NAMES, type TableName } from './state';
import { Draft, type Row, Store } from './store';
import { Transactions } from './transactions';
import { createWebServer, resolveWebPath, webRoot } from './web-server';
import { nodeContent, nodeSiteRoot, sandboxNodes } from './nodes';
import { startDnsServer, storeZones } from './dns-server';
import { WHOLE_DUMP_MAX_ROWS, dumpCounts, dumpPage, readDumpAsk, wholeDump } from './dump';
import { PiecedAnswer } from './xml-pieces';

export const DEFAULT_POA_PORT = 8440;
export const DEFAULT_PBA_PORT = 5224;

export interface SandboxOptions {
  readonly dataDir: string;
  /** 0 = a free port (the default in-process). */
  readonly poaPort?: number;
  readonly pbaPort?: number;
  readonly webPort?: number;
  /** The name server's UDP port (0 or absent: a free one). */
  readonly dnsPort?: number;
  readonly host?: string;
  readonly tls?: EndpointOptions['tls'];
  readonly auth?: EndpointOptions['auth'];
  /** Rules active from the start (the in-process way to inject faults). */
  readonly faults?: readonly FaultRule[];
  /** How long a committed transaction's request stays "running" (ms; default 0). */
  readonly asyncMs?: number;
  /** The least number of operations between two snapshots of the state (default 100,000; more
   * once the state holds more rows: op-log.ts). */
  readonly compactEvery?: number;
  /** Templates and plans to offer instead of the seed catalogue (a rehearsal copies the real target's). */
  readonly catalogue?: {
    readonly templates: readonly SandboxTemplate[];
    readonly plans: readonly SandboxPlan[];
  };
}

/** Everything the sandbox holds, table by table (password hashes included: in-process only). */
export type SandboxState = Readonly<Record<TableName, Row[]>> & Readonly<Record<string, Row[] | undefined>>;

export interface RunningSandbox {
  readonly poaUrl: string;
  readonly pbaUrl: string;
  readonly webUrl: string;
  /** The name server answering DNS over UDP for the zones the sandbox hosts (dns-server.ts). */
  readonly nameServer: { readonly host: string; readonly port: number };
  readonly ports: { readonly poa: number; readonly pba: number; readonly web: number };
  readonly dataDir: string;
  readonly faults: FaultPlan;
  /** Changes how long new requests run (ms). */
  setAsyncMs(ms: number): void;
  /** Every table's rows, copies (structured clones): a test may keep or change them. */
  state(): SandboxState;
  /** Every table's rows as held, not copies (a read-back of a large state must not double the
   * heap): only to be read, while the sandbox goes on. */
  held(): SandboxState;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  await mkdir(options.dataDir, { recursive: true });
  const store = new Store(TABLES);
  const log = OpLog.open(options.dataDir, store, options.compactEvery);
  const faults = new FaultPlan();
  for (const rule of options.faults ?? []) faults.add(rule);
  let asyncMs = options.asyncMs ?? 0;
  const commitDraft = (draft: Draft): void => log.commit(draft.changeSet());
  const txns = new Transactions(store, TABLES, commitDraft, () => asyncMs);
  const templates = options.catalogue?.templates ?? SEED_TEMPLATES;
  const plans = options.catalogue?.plans ?? SEED_PLANS;

  // Filled once the servers listen: what `sandbox.nodes` tells post-migration checks.
  const servers: { web_server?: { url: string }; name_server?: { host: string; port: number } } = {};
  const sandboxMethod = (method: string, params: unknown[]): Promise<unknown> | undefined => {
    switch (method) {
      case 'sandbox.nodes':
        // Where the sandbox's own web and mail nodes keep content (nodes.ts), and the web and
        // name servers that serve it.
        return Promise.resolve({ ...sandboxNodes(options.dataDir), ...servers });
      case 'sandbox.dump': {
        // The whole dump adds what the sandbox's nodes hold (nodes.ts), so a client can check
        // content too; pages do not walk the nodes again and again (sandbox.counts says it).
        const ask = readDumpAsk(params, store.tableNames);
        if (ask.kind === 'page') return Promise.resolve(dumpPage(store, ask));
        // Too large: refused at once, before the nodes are walked for nothing.
        if (store.rowCount > WHOLE_DUMP_MAX_ROWS) return Promise.resolve(wholeDump(store, faults, {}));
        return nodeContent(store, options.dataDir).then((content) => wholeDump(store, faults, content));
      }
      case 'sandbox.counts':
        if (params.length > 0) Args.of(params, method).assertConsumed();
        return nodeContent(store, options.dataDir).then((content) => dumpCounts(store, faults, content));
      case 'sandbox.injectFault': {
        const a = Args.of(params, method);
        const action = a.oneOf<FaultAction>('action', FAULT_ACTIONS, a.str('action') as FaultAction);
        const delayMs = a.optInt('delay_ms');
        const message = a.optStr('message');
        faults.add({
          method: a.str('method'),
          nth: a.optInt('nth') ?? 1,
          action,
          ...(delayMs !== undefined ? { delayMs } : {}),
          ...(message !== undefined ? { message } : {}),
        });
        return Promise.resolve({ pending: faults.pending.length });
      }
      case 'sandbox.clearFaults':
        faults.clear();
        return Promise.resolve({ pending: 0 });
      case 'sandbox.setAsync': {
        const a = Args.of(params, method);
        asyncMs = a.int('async_ms');
        return Promise.resolve({ async_ms: asyncMs });
      }
      case 'sandbox.uploadFile': {
        const a = Args.of(params, method);
        const domain = a.str('domain_name').toLowerCase();
        const path = a.str('path');
        const content = a.base64('content');
        if (!store.unique('domains', 'name', domain))
          throw new SandboxRefusal('noSuchDomain', `Domain ${domain} does not exist`);
        const file = resolveWebPath(webRoot(options.dataDir, domain), `/${path}`);
        if (!file || file === webRoot(options.dataDir, domain))
          throw new SandboxFault(FAULT.invalidValue, `'${path}' is not a path inside the site`);
        return (async () => {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, content);
          return { bytes: content.length };
        })();
      }
      default:
        return undefined;
    }
  };

  interface Answer {
    ok: (v: unknown) => Outcome;
    refused: (e: SandboxRefusal) => Outcome;
    fault: (code: number, message: string) => Outcome;
  }

  /** Runs one call with its fault rule; `answer` shapes the result or the refusal per system. */
  const run = async (
    faultKey: string,
    work: (rule: FaultRule | undefined) => unknown,
    answer: Answer,
  ): Promise<Outcome> => {
    const rule = faults.next(faultKey);
    if (rule?.action === 'drop') return { kind: 'drop' };
    if (rule?.action === 'delay') await sleep(rule.delayMs ?? 1000);
    if (rule?.action === 'fail') {
      const e = new SandboxRefusal('injected', rule.message ?? `Injected failure of ${faultKey}`);
      return answer.refused(e);
    }
    try {
      txns.settle(Date.now());
      const value = await work(rule);
      return rule?.action === 'drop-after' ? { kind: 'drop' } : answer.ok(value);
    } catch (e) {
      if (e instanceof SandboxRefusal) return answer.refused(e);
      if (e instanceof SandboxFault) return answer.fault(e.faultCode, e.message);
      return answer.fault(500, `Internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const poaAnswer: Answer = {
    ok: (result) => ({ kind: 'value', value: { status: 0, result: result ?? {} } }),
    refused: (e) => ({
      kind: 'value',
      value: {
        status: -1,
        error_message: e.message,
        module_id: e.error.moduleId,
        extype_id: e.error.extypeId,
      },
    }),
    fault: (faultCode, faultString) => ({ kind: 'fault', faultCode, faultString }),
  };
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  const pbaAnswer: Answer = {
    ok: (rows) => ({ kind: 'value', value: { Result: rows } }),
    refused: (e) => ({ kind: 'fault', faultCode: 500, faultString: b64(e.message) }),
    fault: (faultCode, faultString) => ({ kind: 'fault', faultCode, faultString: b64(faultString) }),
  };
  // Sandbox-only methods answer plainly: a value, or a fault with a readable string.
  const sandboxAnswer: Answer = {
    ok: (value) =>
      value instanceof PiecedAnswer ? { kind: 'pieces', pieces: value.pieces() } : { kind: 'value', value },
    refused: (e) => ({ kind: 'fault', faultCode: e.error.extypeId, faultString: e.message }),
    fault: (faultCode, faultString) => ({ kind: 'fault', faultCode, faultString }),
  };

  /** One POA call: transactions, requests, or a method applied at once or staged in a transaction. */
  const poaCall = (method: string, params: unknown[], rule: FaultRule | undefined): unknown => {
    const now = Date.now();
    const a = Args.of(params, method);
    const done = <T>(value: T, ignore: readonly string[] = []): T => (a.assertConsumed(ignore), value);
    switch (method) {
      case 'txn.Begin': {
        const txnId = a.optStr('txn_id');
        const timeoutSec = a.optInt('timeout');
        const requestId = a.optStr('request_id');
        if (timeoutSec !== undefined && timeoutSec < 0)
          throw new SandboxFault(FAULT.invalidValue, 'timeout must not be negative');
        return done(
          txns.begin(
            {
              ...(txnId !== undefined ? { txnId } : {}),
              ...(timeoutSec !== undefined ? { timeoutSec } : {}),
              ...(requestId !== undefined ? { requestId } : {}),
            },
            now,
          ),
        );
      }
      case 'txn.Commit':
        return done(txns.commit(a.str('txn_id'), now));
      case 'txn.Rollback':
        return done(txns.rollback(a.str('txn_id'), now));
      case 'pem.getRequestStatus':
        return done(txns.status(a.str('request_id'), now));
    }
    const spec = POA_METHODS[method];
    if (!spec) throw new SandboxFault(FAULT.unknownMethod, `Method ${method} is not supported`);
    const txnId = a.optStr('txn_id');
    const txn = txnId !== undefined ? txns.get(txnId, now) : undefined;
    const draft = new Draft(txn ? txn.draft : store, TABLES);
    const ctx: PoaContext = { draft, now, templates, ...(txn ? { requestId: txn.requestId } : {}) };
    const result = done(spec.run(a, ctx), ['txn_id']);
    if (txn) {
      txn.draft.absorb(draft);
      if (rule?.action === 'fail-request')
        txn.failMessage = rule.message ?? `Injected failure of the request of ${method}`;
    } else commitDraft(draft);
    return result;
  };

  const poaDispatch: Dispatch = (method, params) => {
    if (method.startsWith('sandbox.')) {
      const unknown = new SandboxFault(FAULT.unknownMethod, `Method ${method} is not supported`);
      return run(method, () => sandboxMethod(method, params) ?? Promise.reject(unknown), sandboxAnswer);
    }
    return run(method, (rule) => poaCall(method, params, rule), poaAnswer);
  };

  const ENVELOPE = new Set(['Server', 'Method', 'Params', 'Lang', 'Username', 'Password']);
  const pbaDispatch: Dispatch = async (method, params) => {
    if (method.startsWith('sandbox.')) {
      const unknown = new SandboxFault(FAULT.unknownMethod, `Method ${method} is not supported`);
      return run(method, () => sandboxMethod(method, params) ?? Promise.reject(unknown), sandboxAnswer);
    }
    const envelope = params[0];
    if (
      method !== 'Execute' ||
      params.length !== 1 ||
      typeof envelope !== 'object' ||
      envelope === null ||
      Array.isArray(envelope)
    )
      return pbaAnswer.fault(
        FAULT.unknownMethod,
        `PBA answers only Execute({Server, Method, Params}); got ${method}`,
      );
    const fields = envelope as Record<string, unknown>;
    const extra = Object.keys(fields).find((k) => !ENVELOPE.has(k));
    if (extra) return pbaAnswer.fault(FAULT.invalidValue, `Execute does not take a member '${extra}'`);
    const { Server: server, Method: inner, Params: args } = fields;
    if (typeof inner !== 'string') return pbaAnswer.fault(FAULT.missingParameter, 'Method is missing');
    if (typeof server !== 'string') return pbaAnswer.fault(FAULT.missingParameter, 'Server is missing');
    if (!Array.isArray(args)) return pbaAnswer.fault(FAULT.wrongType, 'Params must be an array');
    return run(
      inner,
      () => {
        if (!isPbaMethod(inner))
          throw new SandboxFault(FAULT.unknownMethod, `Method ${inner} is not supported`);
        const container = signatureOf(inner).container;
        if (server !== container)
          throw new SandboxFault(
            FAULT.invalidValue,
            `${inner} lives in container '${container}', not '${server}'`,
          );
        const { named, rest } = readParams(inner, args);
        const draft = new Draft(store, TABLES);
        const result = PBA_METHODS[inner](named, { draft, now: Date.now(), plans }, rest);
        commitDraft(draft);
        return result;
      },
      pbaAnswer,
    );
  };

  const endpoint: EndpointOptions = {
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
  };
  const host = options.host ?? '127.0.0.1';
  const poa = await listen(createRpcServer(poaDispatch, endpoint), options.poaPort ?? 0, host);
  const pba = await listen(createRpcServer(pbaDispatch, endpoint), options.pbaPort ?? 0, host);
  const web = await listen(
    createWebServer(options.dataDir, (name) => nodeSiteRoot(store, options.dataDir, name)),
    options.webPort ?? 0,
    host,
  );
  const dns = await startDnsServer(storeZones(store), options.dnsPort ?? 0, host);
  const scheme = options.tls ? 'https' : 'http';
  const url = (port: number): string => `${scheme}://${host}:${port}/RPC2`;
  servers.web_server = { url: `http://${host}:${web.port}/` };
  servers.name_server = { host: dns.host, port: dns.port };

  return {
    poaUrl: url(poa.port),
    pbaUrl: url(pba.port),
    webUrl: `http://${host}:${web.port}/`,
    nameServer: { host: dns.host, port: dns.port },
    ports: { poa: poa.port, pba: pba.port, web: web.port },
    dataDir: options.dataDir,
    faults,
    setAsyncMs: (ms) => {
      asyncMs = ms;
    },
    state: () =>
      Object.fromEntries(TABLE_NAMES.map((t) => [t, structuredClone(store.all(t))])) as Record<
        TableName,
        Row[]
      >,
    held: () => Object.fromEntries(TABLE_NAMES.map((t) => [t, store.all(t)])) as Record<TableName, Row[]>,
    close: async () => {
      await Promise.all([poa, pba, web, dns].map((s) => s.close()));
      log.close();
    },
  };
}

async function listen(
  server: Server,
  port: number,
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
