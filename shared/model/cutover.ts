/**
 * The DNS switch sheet (SPEC R14) and content re-sync (R13), as the shells see them.
 */

/** One record whose data changes at the switch (its address went through the IP mapping). */
export interface DnsRecordChange {
  readonly host: string;
  readonly type: string;
  readonly ttl?: number;
  readonly from: string;
  readonly to: string;
}

/** Whether the target answers the zone now, and how that was found out. */
export interface DnsLiveCheck {
  /** ready: every record the switch relies on is there; missing: some are not; not-on-target:
   * the target holds no zone for the domain; unchecked: the target could not be asked. */
  readonly status: 'ready' | 'missing' | 'not-on-target' | 'unchecked';
  /** 'api': read through POA's pem.getDNSRecords; 'dns': real queries to the target's name server. */
  readonly via: 'api' | 'dns';
  readonly expected: number;
  readonly found: number;
  /** "www A 192.0.2.10", one per record the target lacks (the first ten). */
  readonly missing: readonly string[];
  readonly message: string;
}

export interface DnsSheetDomain {
  readonly domain: string;
  readonly server: string;
  /** The longest TTL of the zone's records (seconds): how long resolvers may keep the old answers. */
  readonly oldTtl: number;
  /** Lower the TTL to this (seconds) on the old name servers… */
  readonly lowerTtlTo: number;
  /** …at least this long (seconds) before the switch: the old TTL must run out everywhere. */
  readonly waitBeforeSwitch: number;
  /** False when the TTL is already at or below `lowerTtlTo`. */
  readonly lowerTtlNeeded: boolean;
  /** The zone's own NS records at the source, and the target's name servers to switch to at the registrar. */
  readonly sourceNameServers: readonly string[];
  readonly targetNameServers: readonly string[];
  /** If the name servers stay, the records to change on the old name servers instead. */
  readonly recordChanges: readonly DnsRecordChange[];
  /** Keep the old server answering at least this long (seconds) after the switch: the NS records' TTL. */
  readonly keepOldFor: number;
  readonly live: DnsLiveCheck;
  /** One line per step, in order: what to do and when. */
  readonly steps: readonly string[];
}

export interface DnsSheet {
  readonly generatedAt: string;
  readonly domains: readonly DnsSheetDomain[];
  /** How the live check was made, in one sentence (through the API or by DNS queries). */
  readonly liveCheckNote: string;
}

/** What a re-sync moves (or, dry, would move). */
export interface ResyncCounts {
  readonly files: number;
  readonly messages: number;
  readonly databases: number;
  readonly deleted: number;
  readonly bytes: number;
}

export interface ResyncItem {
  readonly domain: string;
  /** site:<docroot> or mailbox:<address> or database:<name>. */
  readonly content: string;
  readonly kind: 'site' | 'mailbox' | 'database';
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly deleted: readonly string[];
  readonly bytes: number;
  /** Files only the target has that it wrote after the last copy: its own, left in place. */
  readonly kept?: readonly string[];
}

export interface ResyncResult {
  readonly dryRun: boolean;
  readonly changes: ResyncCounts;
  readonly items: readonly ResyncItem[];
  /** Content not re-synced, and why (never copied before, node unreachable). */
  readonly skipped: readonly { readonly domain: string; readonly content: string; readonly reason: string }[];
}
