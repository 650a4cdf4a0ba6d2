/**
 * Where the target's web server and name server answer: the project's check settings when
 * given, else what a sandbox target says of itself (the sandbox-only call `sandbox.nodes`,
 * asked only of a loopback POA URL). Either may stay unknown; the checks that need it then
 * fail saying so rather than passing without asking.
 */
import { postXmlRpc, type Endpoint } from '../target/http-transport';
import type { CheckSettings } from './check-store';
import type { NameServer } from './collect-dns';

export interface TargetServers {
  readonly webServer?: string;
  readonly nameServer?: NameServer;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function parseNameServer(text: string): NameServer {
  const v6 = /^\[([0-9a-fA-F:]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { host: v6[1] ?? '', port: Number(v6[2] ?? 53) };
  const [host, port] = text.split(':');
  return { host: host ?? text, port: Number(port ?? 53) };
}

async function fromSandbox(endpoint: Endpoint): Promise<TargetServers> {
  if (!LOOPBACK.has(new URL(endpoint.url).hostname)) return {};
  const answer = await postXmlRpc(endpoint, 'sandbox.nodes', [{}], {
    timeoutMs: 10_000,
    maxResponseBytes: 64 * 1024,
  }).catch(() => undefined);
  if (!answer || answer.kind === 'fault' || typeof answer.value !== 'object' || answer.value === null)
    return {};
  const v = answer.value as {
    web_server?: { url?: unknown };
    name_server?: { host?: unknown; port?: unknown };
  };
  const url = v.web_server?.url;
  const ns = v.name_server;
  return {
    ...(typeof url === 'string' ? { webServer: url } : {}),
    ...(typeof ns?.host === 'string' && typeof ns.port === 'number'
      ? { nameServer: { host: ns.host, port: ns.port } }
      : {}),
  };
}

/**
 * `sandboxServesWebNode`: the sites sit on the sandbox's own web node. The sandbox's web server
 * serves only that node: for a web node registered over SSH it would answer 404 for every page
 * and the check would blame the migration, so it is not taken as the target's web server then.
 */
export async function targetServers(
  poa: Endpoint,
  settings: CheckSettings,
  sandboxServesWebNode = true,
): Promise<TargetServers> {
  const sandbox = settings.webServer && settings.nameServer ? {} : await fromSandbox(poa);
  const webServer = settings.webServer ?? (sandboxServesWebNode ? sandbox.webServer : undefined);
  const nameServer = settings.nameServer ? parseNameServer(settings.nameServer) : sandbox.nameServer;
  return { ...(webServer ? { webServer } : {}), ...(nameServer ? { nameServer } : {}) };
}
