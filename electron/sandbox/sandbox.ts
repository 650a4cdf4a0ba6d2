/**
 * The sandbox target: POA and PBA OpenAPI endpoints (XML-RPC at /RPC2) over one persisted
 * state, a web server publishing pushed content by Host header, and fault injection.
 * Started by `mm sandbox start` or in-process (`startSandbox`) for the demo and the tests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { Args, FAULT, SandboxFault, SandboxRefusal } from './answers';
import { type FaultAction, FaultPlan, type FaultRule } from './faults';
import { PBA_METHODS, isPbaMethod, readParams } from './pba-methods';
import { POA_METHODS } from './poa-methods';
import { type Dispatch, type EndpointOptions, type Outcome, createRpcServer } from './rpc-server';
import { type SandboxState, openSandboxState } from './state';
import { createWebServer, resolveWebPath, webRoot } from './web-server';

export const DEFAULT_POA_PORT = 8440;
export const DEFAULT_PBA_PORT = 5224;

export interface SandboxOptions {
  readonly dataDir: string;
  /** 0 = a free port (the default in-process). */
  readonly poaPort?: number;
  readonly pbaPort?: number;
  readonly webPort?: number;
  readonly host?: string;
  readonly tls?: EndpointOptions['tls'];
  readonly auth?: EndpointOptions['auth'];
  /** Rules active from the start (the in-process way to inject faults). */
  readonly faults?: readonly FaultRule[];
}

export interface RunningSandbox {
  readonly poaUrl: string;
  readonly pbaUrl: string;
  readonly webUrl: string;
  readonly ports: { readonly poa: number; readonly pba: number; readonly web: number };
  readonly dataDir: string;
  readonly faults: FaultPlan;
  /** A copy of everything the sandbox holds (password hashes included: in-process only). */
  state(): SandboxState;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  await mkdir(options.dataDir, { recursive: true });
  const doc = await openSandboxState(options.dataDir);
  const faults = new FaultPlan();
  for (const rule of options.faults ?? []) faults.add(rule);
  // Calls are applied one at a time: every write is a whole-document save.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  const apply = (writes: boolean, run: (state: SandboxState) => unknown): Promise<unknown> =>
    serial(async () => {
      if (!writes) return run(doc.data);
      let result: unknown;
      await doc.update((draft) => {
        result = run(draft);
        return draft;
      });
      return result;
    });

  const sandboxMethod = (method: string, params: unknown[]): Promise<unknown> | undefined => {
    switch (method) {
      case 'sandbox.dump':
        return Promise.resolve(publicDump(doc.data, faults));
      case 'sandbox.injectFault': {
        const a = Args.of(params, method);
        const action = a.oneOf<FaultAction>(
          'action',
          ['fail', 'delay', 'drop', 'drop-after'],
          a.str('action') as FaultAction,
        );
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
      case 'sandbox.uploadFile': {
        const a = Args.of(params, method);
        const domain = a.str('domain_name').toLowerCase();
        const path = a.str('path');
        const content = a.base64('content');
        if (!doc.data.domains.some((d) => d.domain_name === domain))
          throw new SandboxRefusal(`Domain ${domain} does not exist`);
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

  /** Runs one call with its fault rule; `answer` shapes the result or the refusal per system. */
  const run = async (
    faultKey: string,
    work: () => Promise<unknown>,
    answer: {
      ok: (v: unknown) => Outcome;
      refused: (message: string, status: number) => Outcome;
      fault: (code: number, message: string) => Outcome;
    },
  ): Promise<Outcome> => {
    const rule = faults.next(faultKey);
    if (rule?.action === 'drop') return { kind: 'drop' };
    if (rule?.action === 'delay') await sleep(rule.delayMs ?? 1000);
    if (rule?.action === 'fail') return answer.refused(rule.message ?? `Injected failure of ${faultKey}`, 1);
    try {
      const value = await work();
      return rule?.action === 'drop-after' ? { kind: 'drop' } : answer.ok(value);
    } catch (e) {
      if (e instanceof SandboxRefusal) return answer.refused(e.message, e.status);
      if (e instanceof SandboxFault) return answer.fault(e.faultCode, e.message);
      return answer.fault(500, `Internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const poaAnswer = {
    ok: (result: unknown): Outcome => ({ kind: 'value', value: { status: 0, result } }),
    refused: (message: string, status: number): Outcome => ({
      kind: 'value',
      value: { status, error_message: message },
    }),
    fault: (faultCode: number, faultString: string): Outcome => ({ kind: 'fault', faultCode, faultString }),
  };
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  const pbaAnswer = {
    ok: (rows: unknown): Outcome => ({ kind: 'value', value: { Result: rows } }),
    refused: (message: string, status: number): Outcome => ({
      kind: 'fault',
      faultCode: status,
      faultString: b64(message),
    }),
    fault: (faultCode: number, faultString: string): Outcome => ({
      kind: 'fault',
      faultCode,
      faultString: b64(faultString),
    }),
  };

  // Sandbox-only methods answer plainly: a value, or a fault with a readable string.
  const sandboxAnswer = {
    ok: (value: unknown): Outcome => ({ kind: 'value', value }),
    refused: (faultString: string, faultCode: number): Outcome => ({ kind: 'fault', faultCode, faultString }),
    fault: (faultCode: number, faultString: string): Outcome => ({ kind: 'fault', faultCode, faultString }),
  };

  const poaDispatch: Dispatch = (method, params) => {
    const own = method.startsWith('sandbox.') ? () => sandboxMethod(method, params) : undefined;
    const spec = POA_METHODS[method];
    return run(
      method,
      async () => {
        if (own) {
          const r = own();
          if (r) return r;
        }
        if (!spec) throw new SandboxFault(FAULT.unknownMethod, `Method ${method} is not supported`);
        const args = Args.of(params, method);
        return apply(spec.writes, (state) => spec.run(args, state));
      },
      own ? sandboxAnswer : poaAnswer,
    );
  };

  const pbaDispatch: Dispatch = async (method, params) => {
    if (method.startsWith('sandbox.')) {
      const unknown = new SandboxFault(FAULT.unknownMethod, `Method ${method} is not supported`);
      return run(method, async () => sandboxMethod(method, params) ?? Promise.reject(unknown), sandboxAnswer);
    }
    const envelope = params[0];
    if (
      method !== 'Execute' ||
      params.length !== 1 ||
      typeof envelope !== 'object' ||
      envelope === null ||
      Array.isArray(envelope)
    ) {
      return pbaAnswer.fault(
        FAULT.unknownMethod,
        `PBA answers only Execute({Server, Method, Params}); got ${method}`,
      );
    }
    const { Server: server, Method: inner, Params: args } = envelope as Record<string, unknown>;
    if (server !== 'BM')
      return pbaAnswer.fault(
        FAULT.invalidValue,
        `Unknown server '${String(server)}': the billing methods live on 'BM'`,
      );
    if (typeof inner !== 'string') return pbaAnswer.fault(FAULT.missingParameter, 'Method is missing');
    if (!Array.isArray(args)) return pbaAnswer.fault(FAULT.wrongType, 'Params must be an array');
    return run(
      inner,
      async () => {
        if (!isPbaMethod(inner))
          throw new SandboxFault(FAULT.unknownMethod, `Method ${inner} is not supported`);
        const named = readParams(inner, args);
        const handler = PBA_METHODS[inner];
        return apply(handler.writes, (state) => handler.run(named, state));
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
  const web = await listen(createWebServer(options.dataDir), options.webPort ?? 0, host);
  const scheme = options.tls ? 'https' : 'http';
  const url = (port: number): string => `${scheme}://${host}:${port}/RPC2`;

  return {
    poaUrl: url(poa.port),
    pbaUrl: url(pba.port),
    webUrl: `http://${host}:${web.port}/`,
    ports: { poa: poa.port, pba: pba.port, web: web.port },
    dataDir: options.dataDir,
    faults,
    state: () => structuredClone(doc.data),
    close: async () => {
      await Promise.all([poa, pba, web].map((s) => s.close()));
      await queue.catch(() => undefined);
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

/** What `sandbox.dump` shows: every list, without password hashes. */
function publicDump(state: SandboxState, faults: FaultPlan): Record<string, unknown> {
  const hide = <T extends object>(rows: readonly T[]): Omit<T, 'password_sha256'>[] =>
    rows.map(
      (r) =>
        Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'password_sha256')) as Omit<
          T,
          'password_sha256'
        >,
    );
  return {
    accounts: state.accounts.map((a) => ({ ...a, pba: a.pba ?? {} })),
    members: hide(state.members),
    subscriptions: state.subscriptions,
    pba_subscriptions: state.pbaSubscriptions,
    domains: state.domains,
    dns_records: state.dnsRecords,
    mailboxes: hide(state.mailboxes),
    forwardings: state.forwardings,
    databases: state.databases,
    database_users: hide(state.databaseUsers),
    ftp_users: hide(state.ftpUsers),
    pending_faults: faults.pending.map((f) => ({ method: f.method, nth: f.nth, action: f.action })),
  };
}
