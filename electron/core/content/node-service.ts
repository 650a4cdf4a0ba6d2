/**
 * The target's service nodes that hold content (issue "Content transfer"): a web node (vhosts
 * root), a mail node (Maildirs) and a database node, one each per project, reached over SSH
 * exactly like source servers — password or key (+ passphrase) sealed in the secret store,
 * the host key pinned on first use and checked before any credential is sent. Settings live in
 * `<project>/target-nodes.json` (no secret). The sandbox target keeps local nodes under its
 * own data dir and names them in `sandbox.nodes`; a project with no node of a role uses them
 * when its target is a sandbox on this machine, so `mm sandbox start` + `mm target set` is a
 * complete target.
 */
import { join } from 'node:path';
import { NODE_ROLES, type NodeRole, type NodeTestResult, type NodeView } from '../../../shared/model/nodes';
import { FINGERPRINT_PATTERN, type HostKeyPolicy } from '../agent/host-key';
import { localTransport } from '../agent/local-transport';
import { connectSsh } from '../agent/ssh-transport';
import type { Transport } from '../agent/transport';
import { DB_NODE_CONFIG, clientArgv, readDbNodeConfig } from './db-node';
import { MmError } from '../errors';
import type { ProjectService } from '../project/project-service';
import { assertNotReviewCopy } from '../review/review-service';
import type { SecretStore } from '../secrets/secret-store';
import { DocumentFile } from '../store/document-file';
import { postXmlRpc, type Endpoint } from '../target/http-transport';

export { NODE_ROLES, type NodeRole, type NodeView } from '../../../shared/model/nodes';

export interface TargetNode {
  readonly role: NodeRole;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** web: the vhosts root; mail: the Maildir root; db: unused (the database server's own). */
  readonly root: string;
  readonly hostKeyFingerprint?: string;
  readonly addedAt: string;
}

export interface NodeInput {
  readonly role: NodeRole;
  readonly host: string;
  readonly port?: number;
  readonly user: string;
  readonly root: string;
  readonly password?: string;
  readonly privateKey?: string;
  readonly passphrase?: string;
  readonly hostKeyFingerprint?: string;
}

export interface OpenedNode {
  readonly role: NodeRole;
  readonly root: string;
  readonly transport: Transport;
  readonly label: string;
  close(): Promise<void>;
}

interface NodesDoc {
  schemaVersion: number;
  nodes: TargetNode[];
}

const SPEC = {
  kind: 'target nodes',
  currentVersion: 1,
  migrations: {},
  empty: (): NodesDoc => ({ schemaVersion: 1, nodes: [] }),
  check: (d: NodesDoc): string | undefined => (Array.isArray(d.nodes) ? undefined : 'nodes is not a list'),
};

type SecretKind = 'password' | 'privateKey' | 'passphrase';
const secretName = (projectId: string, role: NodeRole, what: SecretKind): string =>
  `project/${projectId}/node/${role}/${what}`;

export interface NodeServiceDeps {
  readonly projects: ProjectService;
  readonly secrets: SecretStore;
  /** The project's POA endpoint (to ask a sandbox for its local nodes). */
  poaEndpoint(projectId: string): Promise<Endpoint>;
}

export function parseRole(value: string): NodeRole {
  if ((NODE_ROLES as readonly string[]).includes(value)) return value as NodeRole;
  throw new MmError('invalid-input', `"${value}" is not a node role: use web, mail or db.`, 'role');
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export class NodeService {
  constructor(private readonly deps: NodeServiceDeps) {}

  private file(projectId: string): Promise<DocumentFile<NodesDoc>> {
    return DocumentFile.open(join(this.deps.projects.projectDir(projectId), 'target-nodes.json'), SPEC);
  }

  /** Where transfers to this project's nodes keep what a resume after a restart needs (resume-log.ts). */
  resumeDir(projectId: string): string {
    return join(this.deps.projects.projectDir(projectId), 'content-resume');
  }

  async registered(projectId: string): Promise<TargetNode[]> {
    return (await (await this.file(projectId)).current()).nodes;
  }

  async add(projectId: string, input: NodeInput): Promise<TargetNode> {
    await assertNotReviewCopy(this.deps.projects, projectId, 'registering a target node');
    const role = parseRole(input.role);
    if (!/^[A-Za-z0-9.:_-]+$/.test(input.host))
      throw new MmError('invalid-input', `"${input.host}" is not a host name or address.`, 'host');
    const port = input.port ?? 22;
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new MmError('invalid-input', `Port ${port} is not between 1 and 65535.`, 'port');
    if (input.user === '') throw new MmError('invalid-input', 'The node needs an SSH user.', 'user');
    if (!input.root.startsWith('/') || input.root.includes('\0'))
      throw new MmError('invalid-input', `The node's root "${input.root}" must be an absolute path.`, 'root');
    if (input.password === undefined && input.privateKey === undefined)
      throw new MmError('invalid-input', 'Give the node a password or a private key.', 'credentials');
    if (input.hostKeyFingerprint !== undefined && !FINGERPRINT_PATTERN.test(input.hostKeyFingerprint))
      throw new MmError(
        'invalid-input',
        `"${input.hostKeyFingerprint}" is not a SHA256:… host key fingerprint.`,
        'hostKey',
      );
    // Secrets first: a damaged secret store fails the command before anything is saved.
    await this.deps.secrets.deletePrefix(`project/${projectId}/node/${role}/`);
    for (const what of ['password', 'privateKey', 'passphrase'] as const) {
      const v = input[what];
      if (v !== undefined && v !== '') await this.deps.secrets.set(secretName(projectId, role, what), v);
    }
    const node: TargetNode = {
      role,
      host: input.host,
      port,
      user: input.user,
      root: input.root.replace(/\/+$/, '') || '/',
      ...(input.hostKeyFingerprint ? { hostKeyFingerprint: input.hostKeyFingerprint } : {}),
      addedAt: new Date().toISOString(),
    };
    await (
      await this.file(projectId)
    ).update((d) => ({ ...d, nodes: [...d.nodes.filter((n) => n.role !== role), node] }));
    return node;
  }

  async remove(projectId: string, role: NodeRole): Promise<void> {
    await assertNotReviewCopy(this.deps.projects, projectId, 'removing a target node');
    const f = await this.file(projectId);
    if (!(await f.current()).nodes.some((n) => n.role === role))
      throw new MmError('not-found', `The project has no ${role} node registered.`, role);
    await f.update((d) => ({ ...d, nodes: d.nodes.filter((n) => n.role !== role) }));
    await this.deps.secrets.deletePrefix(`project/${projectId}/node/${role}/`);
  }

  async list(projectId: string): Promise<NodeView[]> {
    const out: NodeView[] = [];
    const registered = await this.registered(projectId);
    for (const n of registered) {
      out.push({
        ...n,
        via: 'ssh',
        hasPassword: (await this.deps.secrets.get(secretName(projectId, n.role, 'password'))) !== undefined,
        hasKey: (await this.deps.secrets.get(secretName(projectId, n.role, 'privateKey'))) !== undefined,
      });
    }
    const sandbox = await this.sandboxNodes(projectId).catch(() => undefined);
    for (const role of NODE_ROLES) {
      const root = sandbox?.[role];
      if (root && !registered.some((n) => n.role === role)) out.push({ role, root, via: 'sandbox' });
    }
    return out;
  }

  /** The sandbox's local nodes, when the target is a sandbox on this machine. */
  private async sandboxNodes(projectId: string): Promise<Partial<Record<NodeRole, string>> | undefined> {
    const endpoint = await this.deps.poaEndpoint(projectId);
    if (!LOOPBACK.has(new URL(endpoint.url).hostname)) return undefined;
    const answer = await postXmlRpc(endpoint, 'sandbox.nodes', [{}], {
      timeoutMs: 10_000,
      maxResponseBytes: 64 * 1024,
    });
    if (answer.kind === 'fault' || typeof answer.value !== 'object' || answer.value === null)
      return undefined;
    const v = answer.value as Record<string, { root?: unknown } | undefined>;
    const out: Partial<Record<NodeRole, string>> = {};
    for (const role of NODE_ROLES) {
      const root = v[role]?.root;
      if (typeof root === 'string' && root.startsWith('/')) out[role] = root;
    }
    return out;
  }

  /** Connects to the node of a role: the registered one over SSH, else the sandbox's own. */
  async open(
    projectId: string,
    role: NodeRole,
    options: { trustNew?: boolean; signal?: AbortSignal } = {},
  ): Promise<OpenedNode> {
    await assertNotReviewCopy(this.deps.projects, projectId, 'connecting to a target node');
    const node = (await this.registered(projectId)).find((n) => n.role === role);
    if (!node) {
      const sandbox = await this.sandboxNodes(projectId).catch(() => undefined);
      const root = sandbox?.[role];
      if (!root)
        throw new MmError(
          'node-not-configured',
          `The target has no ${role} node: register one with "mm target node add ${role} …" or on the Target page.`,
          role,
        );
      const transport = localTransport();
      return { role, root, transport, label: `the sandbox's ${role} node`, close: async () => undefined };
    }
    const policy: HostKeyPolicy = node.hostKeyFingerprint
      ? { mode: 'pinned', fingerprint: node.hostKeyFingerprint }
      : options.trustNew
        ? { mode: 'trust-new' }
        : { mode: 'ask' };
    const get = (what: SecretKind): Promise<string | undefined> =>
      this.deps.secrets.get(secretName(projectId, role, what));
    const [password, privateKey, passphrase] = await Promise.all([
      get('password'),
      get('privateKey'),
      get('passphrase'),
    ]);
    const ssh = await connectSsh({
      host: node.host,
      port: node.port,
      user: node.user,
      credentials: {
        ...(password !== undefined ? { password } : {}),
        ...(privateKey !== undefined ? { privateKey } : {}),
        ...(passphrase !== undefined ? { passphrase } : {}),
      },
      hostKey: policy,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!node.hostKeyFingerprint) {
      await (
        await this.file(projectId)
      ).update((d) => ({
        ...d,
        nodes: d.nodes.map((n) =>
          n.role === role ? { ...n, hostKeyFingerprint: ssh.hostKeyFingerprint } : n,
        ),
      }));
    }
    return { role, root: node.root, transport: ssh, label: ssh.label, close: () => ssh.close() };
  }

  /** Connects, and checks the root exists and is writable, and that tar is there. */
  async test(
    projectId: string,
    role: NodeRole,
    options: { trustNew?: boolean } = {},
  ): Promise<NodeTestResult> {
    const started = Date.now();
    const opened = await this.open(projectId, role, options);
    try {
      const r = await opened.transport.exec(
        ['sh', '-c', 'mkdir -p -- "$1" && test -w "$1" && command -v tar >/dev/null', 'sh', opened.root],
        { timeoutMs: 30_000 },
      );
      if (r.code !== 0)
        throw new MmError(
          'node-unusable',
          `${opened.label}: ${opened.root} cannot be created or written, or tar is missing (${r.stderr.trim() || `exit ${r.code}`}).`,
          opened.root,
        );
      const databases = role === 'db' ? await probeDatabases(opened) : undefined;
      const fp = (await this.registered(projectId)).find((n) => n.role === role)?.hostKeyFingerprint;
      return {
        role,
        label: opened.label,
        root: opened.root,
        ...(fp ? { hostKeyFingerprint: fp } : {}),
        ...(databases ? { databases } : {}),
        ms: Date.now() - started,
      };
    } finally {
      await opened.close();
    }
  }
}

/**
 * A db node is usable when its db-node.json names at least one database server and each one
 * named answers its own client as the restore will run it: "MariaDB 10.11.6", "PostgreSQL 15.8".
 */
async function probeDatabases(opened: OpenedNode): Promise<string[]> {
  const config = await readDbNodeConfig(opened.transport, opened.root);
  const file = `${opened.root}/${DB_NODE_CONFIG}`;
  const types = (['mysql', 'postgresql'] as const).filter((t) => config[t] !== undefined);
  if (types.length === 0)
    throw new MmError(
      'node-unusable',
      `${opened.label}: ${file} names no database server: write how to reach MariaDB/MySQL ("mysql") or PostgreSQL ("postgresql") there.`,
      file,
    );
  const found: string[] = [];
  for (const type of types) {
    const argv = [...clientArgv(config, type), type === 'mysql' ? '-e' : '-c', 'SELECT version()'];
    const r = await opened.transport.exec(argv, { timeoutMs: 30_000 });
    if (r.code !== 0)
      throw new MmError(
        'node-unusable',
        `${opened.label}: the ${type === 'mysql' ? 'MariaDB/MySQL' : 'PostgreSQL'} server that ${file} names does not answer (${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}).`,
        file,
      );
    found.push(serverName(type, r.stdout.trim()));
  }
  return found;
}

/** "10.11.6-MariaDB-0+deb12u1" → "MariaDB 10.11.6"; "PostgreSQL 15.8 (Debian …) on …" → "PostgreSQL 15.8". */
function serverName(type: 'mysql' | 'postgresql', version: string): string {
  if (type === 'postgresql') return /^PostgreSQL [\d.]+/.exec(version)?.[0] ?? version;
  const number = /^[\d.]+/.exec(version)?.[0] ?? version;
  return `${/mariadb/i.test(version) ? 'MariaDB' : 'MySQL'} ${number}`;
}
