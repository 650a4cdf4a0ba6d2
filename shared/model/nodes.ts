/**
 * The target's content nodes (issue "Content transfer"): a web node (webspaces' httpdocs), a
 * mail node (Maildirs) and a database node, reached over SSH like source servers, or the
 * sandbox target's own local nodes.
 */
export const NODE_ROLES = ['web', 'mail', 'db'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** A node as listed: registered over SSH, or the sandbox's own local one. Never a secret. */
export interface NodeView {
  readonly role: NodeRole;
  /** web: the vhosts root; mail: the Maildir root. */
  readonly root: string;
  readonly via: 'ssh' | 'sandbox';
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly hostKeyFingerprint?: string;
  readonly addedAt?: string;
  readonly hasPassword?: boolean;
  readonly hasKey?: boolean;
}

export interface NodeTestResult {
  readonly role: NodeRole;
  readonly label: string;
  readonly root: string;
  readonly hostKeyFingerprint?: string;
  /** A db node: the database servers that answered, e.g. "MariaDB 10.11.6". */
  readonly databases?: readonly string[];
  readonly ms: number;
}
