/**
 * The services of one domain, as domainServicesInfo describes them (agents/xsd/PEMServices.xsd):
 * what the migration recreates on the target — DNS, web, mail, databases, FTP. Passwords are
 * sealed by the manager once parsed (`Password.value` starts with SEALED_PREFIX), like an
 * inventory's; nothing here is ever shown to the renderer with a password in it.
 */
import type { Credentials, Password } from './inventory';

export interface DnsRecordModel {
  /** Relative to the zone, "@" for the apex. */
  readonly host: string;
  readonly type: string;
  readonly ttl?: number;
  readonly priority?: number;
  readonly weight?: number;
  readonly port?: number;
  readonly data: string;
}

export interface DnsZoneModel {
  /** Absolute, with the trailing dot. */
  readonly name: string;
  readonly ttl?: number;
  readonly master: boolean;
  readonly records: readonly DnsRecordModel[];
}

export interface SslModel {
  readonly hasCertificate: boolean;
  readonly hasPrivateKey: boolean;
}

export interface SubdomainModel {
  /** The prefix: "blog". */
  readonly name: string;
  /** "blog.example.com" */
  readonly hostname: string;
  readonly docRoot?: string;
  readonly contentId?: string;
  readonly aliases: readonly string[];
  readonly ssl?: SslModel;
}

export interface WebHostingModel {
  readonly hostname: string;
  readonly docRoot?: string;
  readonly ip?: string;
  readonly enabled: boolean;
  readonly contentId?: string;
  /** ServerAlias names (pointers). */
  readonly aliases: readonly string[];
  readonly subdomains: readonly SubdomainModel[];
  readonly ssl?: SslModel;
  readonly php: boolean;
}

export interface MailboxModel {
  /** The local part. */
  readonly name: string;
  readonly address: string;
  readonly password?: Password;
  /** KiB; absent = unlimited. */
  readonly quotaKb?: number;
  readonly messageCount?: number;
  readonly sizeBytes?: number;
  readonly contentId?: string;
}

export interface MailRedirectModel {
  readonly address: string;
  readonly targets: readonly string[];
  readonly keepCopy: boolean;
}

export interface AutoresponderModel {
  readonly address: string;
  readonly subject?: string;
  /** The reply's body. */
  readonly text?: string;
  readonly enabled: boolean;
}

export interface MailModel {
  readonly enabled: boolean;
  readonly mailboxes: readonly MailboxModel[];
  /** Every target is a mailbox of this server. */
  readonly aliases: readonly MailRedirectModel[];
  /** Some target is not. */
  readonly forwarders: readonly MailRedirectModel[];
  readonly autoresponders: readonly AutoresponderModel[];
  readonly catchAll?: readonly string[];
}

export interface DatabaseModel {
  readonly name: string;
  readonly type: 'mysql' | 'postgresql' | 'mssql';
  readonly server?: string;
  readonly sizeBytes?: number;
  readonly contentId?: string;
  readonly users: readonly Credentials[];
}

export interface FtpUserModel {
  readonly login: string;
  readonly password?: Password;
  readonly home?: string;
  readonly quotaKb?: number;
}

export interface WebUserModel {
  readonly login: string;
  readonly password?: Password;
  readonly directory?: string;
}

export interface CronJobModel {
  readonly schedule: string;
  /** The command line, as the crontab has it. */
  readonly command: string;
  readonly user?: string;
  readonly enabled: boolean;
}

export interface DomainServices {
  readonly domainId: string;
  readonly domainName: string;
  readonly dnsZone?: DnsZoneModel;
  readonly webHosting?: WebHostingModel;
  readonly mail?: MailModel;
  readonly databases: readonly DatabaseModel[];
  readonly ftpUsers: readonly FtpUserModel[];
  readonly webUsers: readonly WebUserModel[];
  readonly cronJobs: readonly CronJobModel[];
}
