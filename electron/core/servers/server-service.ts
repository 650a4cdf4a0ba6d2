/**
 * Source servers of a project (SPEC R2): registration, credentials (sealed in the secret store,
 * never in project.json), host key pinning, connection tests, migration settings (R8).
 */
import {
  DEFAULT_AGENT_PATH,
  DEFAULT_MIGRATION_SETTINGS,
  type ConnectionTest,
  type MigrationSettings,
  type ServerConnection,
  type SourceKind,
  type SourceServer,
  agentForKind,
} from '../../../shared/model/server';
import { AgentCommunicator } from '../agent/agent-communicator';
import type { AgentRunner } from '../agent/agent-runner';
import { FINGERPRINT_PATTERN, type HostKeyPolicy } from '../agent/host-key';
import { localTransport } from '../agent/local-transport';
import { SoapAgentCommunicator } from '../agent/soap-agent';
import { parseAgentUrl } from '../agent/soap-http';
import { connectSsh } from '../agent/ssh-transport';
import { isTlsFingerprint, normalizeTlsFingerprint, type TlsPolicy } from '../agent/tls-pin';
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';
import { assertNotReviewCopy } from '../review/review-service';
import type { ProjectService } from '../project/project-service';
import type { SecretStore } from '../secrets/secret-store';

export interface ServerCredentialsInput {
  readonly password?: string;
  readonly privateKey?: string;
  readonly passphrase?: string;
  /** SOAP servers: the token `agent.pl --serve` was started with. */
  readonly token?: string;
}

export interface AddServerInput {
  readonly name: string;
  readonly kind: SourceKind;
  readonly apiVersion?: 1 | 2;
  readonly connection:
    | {
        readonly type: 'ssh';
        readonly host: string;
        readonly port?: number;
        readonly user: string;
        readonly hostKeyFingerprint?: string;
      }
    | { readonly type: 'local'; readonly root: string }
    | { readonly type: 'soap'; readonly url: string; readonly tlsFingerprint?: string };
  readonly credentials?: ServerCredentialsInput;
  readonly agentPath?: string;
  readonly sourceRoot?: string;
  readonly settings?: Partial<MigrationSettings>;
  readonly demo?: boolean;
}

export interface OpenedServer {
  readonly server: SourceServer;
  /** SSH, local or SOAP: the core only ever talks to the agent through this. */
  readonly agent: AgentRunner;
  close(): Promise<void>;
}

/** A SOAP token: what `agent.pl --serve` accepts (at least 20 visible characters, no spaces). */
const TOKEN_PATTERN = /^[\x21-\x7e]{20,512}$/;

const SERVER_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

export function serverIdFromName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

const secretName = (projectId: string, serverId: string, what: keyof ServerCredentialsInput): string =>
  `project/${projectId}/server/${serverId}/${what}`;

export class ServerService {
  constructor(
    private readonly projects: ProjectService,
    private readonly secrets: SecretStore,
    /** Drops what other services keep per server (its inventory file). */
    private readonly onRemoved: (projectId: string, serverId: string) => Promise<void> = async () =>
      undefined,
  ) {}

  async list(projectId: string): Promise<readonly SourceServer[]> {
    return (await this.projects.read(projectId)).servers ?? [];
  }

  async get(projectId: string, ref: string): Promise<SourceServer> {
    const servers = await this.list(projectId);
    const found =
      servers.find((s) => s.id === ref || s.name === ref) ??
      servers.find((s) => s.id === serverIdFromName(ref));
    if (!found) {
      throw new MmError(
        'server-not-found',
        `The project has no source server "${ref}" (it has: ${servers.map((s) => s.name).join(', ') || 'none'}).`,
        ref,
      );
    }
    return found;
  }

  async add(projectId: string, input: AddServerInput): Promise<SourceServer> {
    const name = input.name.trim();
    if (!SERVER_NAME.test(name)) {
      throw new MmError(
        'invalid-input',
        'A server name is 1-64 letters, digits, spaces, dots, dashes or underscores.',
        'name',
      );
    }
    const id = serverIdFromName(name);
    const connection = this.checkConnection(input);
    const existing = await this.list(projectId);
    if (existing.some((s) => s.id === id))
      throw new MmError('server-exists', `A source server named "${name}" already exists.`, 'name');
    const server: SourceServer = {
      id,
      name,
      kind: input.kind,
      apiVersion: input.apiVersion ?? 2,
      connection,
      agentPath: checkAgentPath(input.agentPath ?? DEFAULT_AGENT_PATH),
      ...(input.sourceRoot ? { sourceRoot: checkAgentPath(input.sourceRoot, 'sourceRoot') } : {}),
      settings: checkSettings({ ...DEFAULT_MIGRATION_SETTINGS, ...input.settings }),
      addedAt: new Date().toISOString(),
      ...(input.demo ? { demo: true } : {}),
    };
    // Secrets first: a server is never registered without the credentials it was given.
    for (const key of ['password', 'privateKey', 'passphrase', 'token'] as const) {
      const value = input.credentials?.[key];
      if (value !== undefined && value !== '') await this.secrets.set(secretName(projectId, id, key), value);
    }
    await this.projects.update(projectId, (p) => ({ ...p, servers: [...(p.servers ?? []), server] }));
    return server;
  }

  async remove(projectId: string, ref: string): Promise<void> {
    const server = await this.get(projectId, ref);
    await this.projects.update(projectId, (p) => ({
      ...p,
      servers: (p.servers ?? []).filter((s) => s.id !== server.id),
    }));
    await this.secrets.deletePrefix(`project/${projectId}/server/${server.id}/`);
    await this.onRemoved(projectId, server.id);
  }

  async updateSettings(
    projectId: string,
    ref: string,
    change: Partial<MigrationSettings>,
  ): Promise<SourceServer> {
    const server = await this.get(projectId, ref);
    const settings = checkSettings({ ...server.settings, ...change });
    return this.replace(projectId, { ...server, settings });
  }

  /** Replaces a server's record (inventory summary, pinned key …). */
  async replace(projectId: string, server: SourceServer): Promise<SourceServer> {
    await this.projects.update(projectId, (p) => ({
      ...p,
      servers: (p.servers ?? []).map((s) => (s.id === server.id ? server : s)),
    }));
    return server;
  }

  /** Pins a host key (SSH) or certificate fingerprint (SOAP over HTTPS) typed in advance or accepted after a test. */
  async pinHostKey(projectId: string, ref: string, fingerprint: string): Promise<SourceServer> {
    const server = await this.get(projectId, ref);
    if (server.connection.type === 'soap') {
      if (!server.connection.url.startsWith('https:'))
        throw new MmError(
          'invalid-input',
          `${server.name} is served over plain HTTP: there is no certificate to pin.`,
          'tlsFingerprint',
        );
      if (!isTlsFingerprint(fingerprint))
        throw new MmError(
          'invalid-input',
          `"${fingerprint}" is not a SHA-256 certificate fingerprint (32 hex bytes, AB:CD:…).`,
          'tlsFingerprint',
        );
      return this.replace(projectId, {
        ...server,
        connection: { ...server.connection, tlsFingerprint: normalizeTlsFingerprint(fingerprint) },
      });
    }
    if (server.connection.type !== 'ssh')
      throw new MmError('invalid-input', `${server.name} is not an SSH server.`, 'hostKey');
    if (!FINGERPRINT_PATTERN.test(fingerprint)) {
      throw new MmError(
        'invalid-input',
        `"${fingerprint}" is not a SHA256:… host key fingerprint.`,
        'hostKey',
      );
    }
    return this.replace(projectId, {
      ...server,
      connection: { ...server.connection, hostKeyFingerprint: fingerprint },
    });
  }

  /** Connects (SSH or local) with the pinned key; `trustNew` accepts and pins a first key. */
  async open(
    projectId: string,
    ref: string,
    options: { trustNew?: boolean; signal?: AbortSignal } = {},
  ): Promise<OpenedServer> {
    await assertNotReviewCopy(this.projects, projectId, 'connecting to a source server');
    let server = await this.get(projectId, ref);
    const c = server.connection;
    if (c.type === 'soap') return this.openSoap(projectId, server, c, options);
    let transport: Transport;
    if (c.type === 'local') {
      transport = localTransport();
    } else {
      const policy: HostKeyPolicy = c.hostKeyFingerprint
        ? { mode: 'pinned', fingerprint: c.hostKeyFingerprint }
        : options.trustNew
          ? { mode: 'trust-new' }
          : { mode: 'ask' };
      const password = await this.secrets.get(secretName(projectId, server.id, 'password'));
      const privateKey = await this.secrets.get(secretName(projectId, server.id, 'privateKey'));
      const passphrase = await this.secrets.get(secretName(projectId, server.id, 'passphrase'));
      const ssh = await connectSsh({
        host: c.host,
        port: c.port,
        user: c.user,
        credentials: {
          ...(password !== undefined ? { password } : {}),
          ...(privateKey !== undefined ? { privateKey } : {}),
          ...(passphrase !== undefined ? { passphrase } : {}),
        },
        hostKey: policy,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!c.hostKeyFingerprint) server = await this.pinHostKey(projectId, server.id, ssh.hostKeyFingerprint);
      transport = ssh;
    }
    const agent = new AgentCommunicator(transport, {
      agent: agentForKind(server.kind),
      agentPath: server.agentPath,
      apiVersion: server.apiVersion,
      local: c.type === 'local',
      ...(c.type === 'local' ? { root: c.root } : server.sourceRoot ? { root: server.sourceRoot } : {}),
    });
    return { server, agent, close: () => transport.close() };
  }

  /**
   * SOAP: nothing stays connected between calls. With an HTTPS URL and no pin, the Version call
   * either refuses (showing the fingerprint) or, on acceptance, pins what it saw — only once the
   * agent took the token, as a failed SSH login pins no host key.
   */
  private async openSoap(
    projectId: string,
    found: SourceServer,
    c: Extract<SourceServer['connection'], { type: 'soap' }>,
    options: { trustNew?: boolean; signal?: AbortSignal },
  ): Promise<OpenedServer> {
    let server = found;
    const token = await this.secrets.get(secretName(projectId, server.id, 'token'));
    if (!token)
      throw new MmError(
        'credentials-missing',
        `${server.name} has no SOAP token in the secret store; register it again.`,
        'token',
      );
    const tls: TlsPolicy = c.tlsFingerprint
      ? { mode: 'pinned', fingerprint: c.tlsFingerprint }
      : options.trustNew
        ? { mode: 'trust-new' }
        : { mode: 'ask' };
    const agent = new SoapAgentCommunicator(
      { url: c.url, token, tls },
      { agent: agentForKind(server.kind), apiVersion: server.apiVersion },
    );
    if (c.url.startsWith('https:') && !c.tlsFingerprint && options.trustNew) {
      const seen = await agent.version(options.signal);
      if (seen.tlsFingerprint) server = await this.pinHostKey(projectId, server.id, seen.tlsFingerprint);
    }
    return { server, agent, close: async () => undefined };
  }

  /** "Test connection": connect, check the host key, Perl and the agent. */
  async test(projectId: string, ref: string, options: { trustNew?: boolean } = {}): Promise<ConnectionTest> {
    const before = await this.get(projectId, ref);
    const opened = await this.open(projectId, ref, options);
    try {
      const perl = await opened.agent.perlVersion();
      const c = opened.server.connection;
      const b = before.connection;
      return {
        transport: opened.agent.label,
        ...(c.type === 'ssh' && c.hostKeyFingerprint ? { hostKeyFingerprint: c.hostKeyFingerprint } : {}),
        ...(c.type === 'soap' && c.tlsFingerprint ? { tlsFingerprint: c.tlsFingerprint } : {}),
        pinnedNow:
          (b.type === 'ssh' && !b.hostKeyFingerprint) ||
          (b.type === 'soap' && c.type === 'soap' && !b.tlsFingerprint && c.tlsFingerprint !== undefined),
        agent: await opened.agent.status(),
        ...(perl ? { perl } : {}),
      };
    } finally {
      await opened.close();
    }
  }

  private checkConnection(input: AddServerInput): ServerConnection {
    const c = input.connection;
    if (c.type === 'local') {
      if (!c.root.startsWith('/'))
        throw new MmError('invalid-input', 'The local root must be an absolute path.', 'root');
      return { type: 'local', root: c.root };
    }
    if (c.type === 'soap') return checkSoapConnection(input, c);
    const host = c.host.trim();
    if (!/^[A-Za-z0-9.:_-]+$/.test(host) || host.startsWith('-')) {
      throw new MmError('invalid-input', `"${c.host}" is not a host name or IP address.`, 'host');
    }
    const port = c.port ?? 22;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new MmError('invalid-input', `Port ${port} is not 1-65535.`, 'port');
    if (!/^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$/.test(c.user))
      throw new MmError('invalid-input', `"${c.user}" is not a user name.`, 'user');
    const creds = input.credentials ?? {};
    if (!creds.password && !creds.privateKey) {
      throw new MmError('invalid-input', 'An SSH server needs a password or a private key.', 'credentials');
    }
    if (c.hostKeyFingerprint !== undefined && !FINGERPRINT_PATTERN.test(c.hostKeyFingerprint)) {
      throw new MmError(
        'invalid-input',
        `"${c.hostKeyFingerprint}" is not a SHA256:… host key fingerprint.`,
        'hostKey',
      );
    }
    return {
      type: 'ssh',
      host,
      port,
      user: c.user,
      auth: creds.privateKey ? 'key' : 'password',
      ...(c.hostKeyFingerprint ? { hostKeyFingerprint: c.hostKeyFingerprint } : {}),
    };
  }
}

function checkSoapConnection(
  input: AddServerInput,
  c: { readonly url: string; readonly tlsFingerprint?: string },
): ServerConnection {
  const url = parseAgentUrl(c.url.trim());
  const token = input.credentials?.token ?? '';
  if (!TOKEN_PATTERN.test(token)) {
    throw new MmError(
      'invalid-input',
      'A SOAP server needs the token its agent was started with: 20-512 visible characters, no spaces.',
      'token',
    );
  }
  if (input.sourceRoot)
    throw new MmError(
      'invalid-input',
      'A SOAP agent reads the source root it was started with (--root); it is not set here.',
      'sourceRoot',
    );
  if (c.tlsFingerprint !== undefined && c.tlsFingerprint !== '') {
    if (url.protocol !== 'https:')
      throw new MmError(
        'invalid-input',
        'A certificate fingerprint needs an https:// agent URL.',
        'tlsFingerprint',
      );
    if (!isTlsFingerprint(c.tlsFingerprint))
      throw new MmError(
        'invalid-input',
        `"${c.tlsFingerprint}" is not a SHA-256 certificate fingerprint (32 hex bytes, AB:CD:…).`,
        'tlsFingerprint',
      );
  }
  return {
    type: 'soap',
    url: url.href,
    ...(c.tlsFingerprint ? { tlsFingerprint: normalizeTlsFingerprint(c.tlsFingerprint) } : {}),
  };
}

function checkAgentPath(path: string, field = 'agentPath'): string {
  if (!path.startsWith('/') || path.includes('\0') || path.split('/').includes('..')) {
    throw new MmError(
      'invalid-input',
      `The ${field} "${path}" must be an absolute path without "..".`,
      field,
    );
  }
  return path;
}

function checkSettings(s: MigrationSettings): MigrationSettings {
  if (!Number.isInteger(s.protectiveDays) || s.protectiveDays < 0 || s.protectiveDays > 3650) {
    throw new MmError(
      'invalid-input',
      'The protective interval is a whole number of days, 0-3650.',
      'protectiveDays',
    );
  }
  if (s.unmappedPolicy !== 'fail' && s.unmappedPolicy !== 'skip') {
    throw new MmError(
      'invalid-input',
      'Unmapped subscriptions are either "fail" or "skip".',
      'unmappedPolicy',
    );
  }
  if (s.defaultCountry !== undefined && !/^([a-z]{2})?$/.test(s.defaultCountry)) {
    throw new MmError(
      'invalid-input',
      `The default country is two lower-case letters (ISO 3166: "de", "us"), or empty for none — not "${s.defaultCountry}".`,
      'defaultCountry',
    );
  }
  return s;
}
