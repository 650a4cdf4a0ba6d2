/** Source servers of a project and their migration settings (SPEC R2, R8). */

export const SOURCE_KINDS = ['linux', 'ensim', 'hsphere', 'sphera', 'description'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Per source server, as the seed's "migration settings" [4]. */
export interface MigrationSettings {
  /** Expired subscriptions within this many days after expiry still migrate (protective subscriptions). */
  readonly protectiveDays: number;
  /** Refresh selected objects with accountsInfo/domainsInfo instead of a full hostingPlatformInfo. */
  readonly allowUpdateInfo: boolean;
  /** Disable the subscriptions on the source once their domain is migrated. */
  readonly disableAfterMigration: boolean;
  /** Offer domain parking for domains that have only a registration subscription. */
  readonly parkRegistrationOnly: boolean;
  /** A domain needs a domain registration subscription to be approved automatically. */
  readonly requireRegistration: boolean;
  /** Unmapped subscriptions fail the domain's verification, or are skipped. */
  readonly unmappedPolicy: 'fail' | 'skip';
  /**
   * Suspended, disabled or pending subscriptions: rejected, or migrated with a warning.
   * Absent (servers registered before the setting existed): reject.
   */
  readonly inactivePolicy?: 'reject' | 'warn';
  /**
   * The country (two letters) given to migrated accounts whose source keeps no address — plain
   * Linux servers keep none, and PBA needs one. Empty: none is given, and such accounts fail
   * on the target with its message.
   */
  readonly defaultCountry?: string;
}

export const DEFAULT_MIGRATION_SETTINGS: MigrationSettings = {
  protectiveDays: 30,
  allowUpdateInfo: false,
  disableAfterMigration: false,
  parkRegistrationOnly: true,
  requireRegistration: false,
  unmappedPolicy: 'fail',
  inactivePolicy: 'reject',
};

export type ServerConnection =
  | {
      readonly type: 'ssh';
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly auth: 'password' | 'key';
      /** The pinned host key; absent until the engineer accepts the first one shown. */
      readonly hostKeyFingerprint?: string;
    }
  | {
      readonly type: 'local';
      /** Where the source system's files live on this machine (the agent's --root). */
      readonly root: string;
    }
  | {
      /** `perl agent.pl --serve` on the source server, SOAP 1.1 over HTTP(S); the token is sealed in the secret store. */
      readonly type: 'soap';
      /** http(s)://host:port/mm-agent */
      readonly url: string;
      /** HTTPS: the pinned SHA-256 certificate fingerprint ("AB:CD:…"); absent until accepted. */
      readonly tlsFingerprint?: string;
    };

/** How the manager reaches a server's agent. */
export type ServerTransport = ServerConnection['type'];

export interface InventorySummary {
  readonly fetchedAt: string;
  readonly source: 'agent' | 'import';
  readonly agentVersion?: string;
  readonly platform: string;
  readonly accounts: number;
  readonly domains: number;
  readonly subscriptions: number;
  readonly templates: number;
}

export interface SourceServer {
  readonly id: string;
  readonly name: string;
  readonly kind: SourceKind;
  readonly apiVersion: 1 | 2;
  readonly connection: ServerConnection;
  /** Directory on the source server where the manager deploys its agents. */
  readonly agentPath: string;
  /**
   * Where the source system's files are on that server, when not at / (a restored backup, a
   * chroot): the agent's --root. Local servers keep theirs in the connection.
   */
  readonly sourceRoot?: string;
  readonly settings: MigrationSettings;
  readonly addedAt: string;
  readonly demo?: boolean;
  readonly inventory?: InventorySummary;
}

export const DEFAULT_AGENT_PATH = '/usr/local/mm-agent';

/** The agent that serves a source kind (Sphera has no public layout: the description agent serves it). */
export function agentForKind(kind: SourceKind): string {
  return kind === 'sphera' ? 'description' : kind;
}

export interface AgentStatus {
  readonly bundledVersion: string;
  readonly installedVersion?: string;
  readonly upToDate: boolean;
}

/** What "Test connection" found. */
export interface ConnectionTest {
  readonly transport: string;
  readonly hostKeyFingerprint?: string;
  /** SOAP over HTTPS: the agent certificate's pinned fingerprint. */
  readonly tlsFingerprint?: string;
  /** True when this test pinned a key the engineer accepted. */
  readonly pinnedNow: boolean;
  readonly agent: AgentStatus;
  readonly perl?: string;
}
