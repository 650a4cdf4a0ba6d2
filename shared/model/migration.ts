/**
 * The migration (SPEC R9): a plan of steps computed purely from what the project knows, a
 * journal of each step's intent and outcome, and batches (jobs) that run the plan into the
 * target. Step ids are stable: the same inputs give the same ids, so a resumed batch finds its
 * finished steps again after a crash or a restart.
 */
import type {
  Account,
  Address,
  Contact,
  Money,
  Password,
  PaymentTool,
  PeriodType,
  Subscription,
} from './inventory';
import type {
  DatabaseModel,
  DnsRecordModel,
  FtpUserModel,
  MailboxModel,
  MailRedirectModel,
  SubdomainModel,
} from './domain-services';

/** What a batch migrates and reports on: accounts and domains of a source server. */
export interface MigrationObjectRef {
  readonly kind: 'account' | 'domain';
  readonly serverId: string;
  readonly id: string;
}

/** "account:<server>:<id>" / "domain:<server>:<id>" */
export type ObjectKey = string;

export function objectKeyOf(o: MigrationObjectRef): ObjectKey {
  return `${o.kind}:${o.serverId}:${o.id}`;
}

export const STEP_KINDS = [
  'account',
  'member',
  'payment-tool',
  'balance',
  'hosting-subscription',
  'domain',
  'dns-hosting',
  'dns-record',
  'subdomain',
  'pointer',
  'mailbox',
  'mail-forward',
  'mail-alias',
  'database',
  'database-user',
  'ftp-user',
  'registration-subscription',
  'resource-subscription',
  'subscription-status',
  'source-disable',
  'not-carried',
  'content',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** The subscription fields of SPEC R9, carried as the source has them. */
export interface SubscriptionTerms {
  readonly sourceSubscriptionId: string;
  readonly name?: string;
  readonly status: Subscription['status'];
  readonly created?: string;
  readonly expires?: string;
  readonly period?: number;
  readonly periodType?: PeriodType;
  readonly billingPeriod?: number;
  readonly billingPeriodType?: PeriodType;
  readonly refundPeriod?: number;
  readonly lastBillingDate?: string;
  readonly nextBillingDate?: string;
  readonly subscriptionFee?: Money;
  readonly setupFee?: Money;
  readonly renewalFee?: Money;
  readonly transferFee?: Money;
  readonly nonRefundableAmount?: Money;
}

export type StepPayload =
  | {
      readonly kind: 'account';
      readonly accountType: Account['type'];
      /** Step id of the parent (reseller) account's step, when the parent migrates too. */
      readonly parentStep?: string;
      readonly company?: string;
      readonly address?: Address;
      readonly adminContact?: Contact;
      readonly technicalContact?: Contact;
      readonly billingContact?: Contact;
      /** The source's own id, kept on the target (custom attribute) to find the account again. */
      readonly sourceKey: string;
    }
  | {
      readonly kind: 'member';
      readonly accountStep: string;
      readonly login: string;
      /** Sealed; absent or crypted = cannot be carried (the step says so). */
      readonly password?: Password;
      readonly contact?: Contact;
    }
  | { readonly kind: 'payment-tool'; readonly accountStep: string; readonly tool: PaymentTool }
  | { readonly kind: 'balance'; readonly accountStep: string; readonly balance: Money }
  | {
      readonly kind: 'hosting-subscription';
      readonly accountStep: string;
      readonly poaTemplateId: number;
      readonly pbaPlanId: number;
      /** The domain that activation creates with its webspace. */
      readonly domainName: string;
      readonly terms: SubscriptionTerms;
    }
  | {
      /** A domain not created by a hosting activation: registration-only, parked or bare. */
      readonly kind: 'domain';
      readonly accountStep: string;
      /** The registration subscription's step (its id is the DNS subscription's). */
      readonly subscriptionStep?: string;
      readonly domainName: string;
      readonly park: boolean;
    }
  | {
      readonly kind: 'dns-hosting';
      /** The step that created the domain: hosting-subscription or domain. */
      readonly domainStep: string;
      readonly domainName: string;
    }
  | {
      readonly kind: 'dns-record';
      readonly dnsStep: string;
      readonly domainName: string;
      readonly record: DnsRecordModel;
    }
  | {
      readonly kind: 'subdomain';
      readonly subscriptionStep: string;
      readonly domainName: string;
      readonly subdomain: SubdomainModel;
    }
  | {
      /** A web alias / pointer: POA models it as a parked domain forwarding to the site. */
      readonly kind: 'pointer';
      readonly subscriptionStep: string;
      readonly domainName: string;
      readonly pointerName: string;
    }
  | {
      readonly kind: 'mailbox';
      readonly subscriptionStep: string;
      readonly domainName: string;
      readonly mailbox: MailboxModel;
    }
  | {
      readonly kind: 'mail-forward';
      readonly subscriptionStep: string;
      readonly domainName: string;
      /** One target per call on POA: one step per (address, target). */
      readonly address: string;
      readonly target: string;
    }
  | {
      readonly kind: 'mail-alias';
      readonly mailboxStep: string;
      readonly domainName: string;
      /** The mailbox the alias points to (its login) and the extra address. */
      readonly mailboxAddress: string;
      readonly alias: MailRedirectModel;
    }
  | {
      readonly kind: 'database';
      readonly subscriptionStep: string;
      readonly domainName: string;
      readonly database: Omit<DatabaseModel, 'users'>;
    }
  | {
      readonly kind: 'database-user';
      readonly databaseStep: string;
      readonly domainName: string;
      readonly databaseName: string;
      readonly login: string;
      readonly password?: Password;
    }
  | {
      readonly kind: 'ftp-user';
      readonly subscriptionStep: string;
      readonly domainName: string;
      readonly user: FtpUserModel;
    }
  | {
      readonly kind: 'registration-subscription';
      readonly accountStep: string;
      readonly pbaPlanId: number;
      readonly registrarType: string;
      readonly domainName: string;
      readonly registrarLogin?: string;
      readonly terms: SubscriptionTerms;
    }
  | {
      readonly kind: 'resource-subscription';
      readonly accountStep: string;
      readonly pbaPlanId: number;
      readonly terms: SubscriptionTerms;
    }
  | {
      /** PBA status adjusted once the domain is migrated (active stays active, suspended …). */
      readonly kind: 'subscription-status';
      readonly subscriptionStep: string;
      readonly status: Subscription['status'];
    }
  | {
      /** `--disable=subscriptions` through the agent, when the server's setting says so. */
      readonly kind: 'source-disable';
      readonly subscriptionIds: readonly string[];
    }
  | {
      /**
       * Content (issue "Content transfer"): the agent's domainContent tarball for one content id,
       * streamed from the source to the target node that holds it (web, mail or database node).
       */
      readonly kind: 'content';
      /** The agent's content id: "site:<hostname>", "mailbox:<address>", "database:<name>". */
      readonly contentId: string;
      readonly contentKind: ContentKind;
      /** The source's domain id (the agent's --domain-id). */
      readonly sourceDomainId: string;
      /** The domain on the target (ASCII). */
      readonly domainName: string;
      /** The step whose target ids say where the content goes (webspace, mailbox, database). */
      readonly placeStep: string;
      /** Sites: the folder under httpdocs ('' = the webspace's own document root). */
      readonly location?: string;
      /** Mailboxes: the address (ASCII); databases: the name. */
      readonly name?: string;
    }
  | {
      /** What the target cannot take, named per object (never silently dropped). */
      readonly kind: 'not-carried';
      readonly what: string;
      readonly reason: string;
    };

export const CONTENT_KINDS = ['site', 'mailbox', 'database'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export type PayloadOf<K extends StepKind> = Extract<StepPayload, { kind: K }>;

export interface PlanStep {
  /** Stable: "<server>/<object kind>/<object id>/<kind>[/<part>]". */
  readonly id: string;
  readonly kind: StepKind;
  /** The object this step belongs to (its status is the sum of its steps). */
  readonly object: MigrationObjectRef;
  /** For people: "mailbox info@example.com". */
  readonly label: string;
  /** Steps that must be done (not merely tried) first. */
  readonly dependsOn: readonly string[];
  readonly payload: StepPayload;
}

export interface PlanObject {
  readonly ref: MigrationObjectRef;
  readonly name: string;
  /** Domains: the owner account's key; accounts: their selected domains' keys. */
  readonly related: readonly ObjectKey[];
  readonly steps: readonly string[];
}

export interface MigrationPlan {
  /** Hash of the inputs: inventories, mapping, selection, decisions, services, settings. */
  readonly fingerprint: string;
  /** In execution order (dependencies first). */
  readonly steps: readonly PlanStep[];
  readonly objects: readonly PlanObject[];
  /** Objects selected but not migrated, and why (verification did not approve them). */
  readonly excluded: readonly { readonly ref: MigrationObjectRef; readonly reason: string }[];
}

/** Ids the target returned or the manager chose and journaled before the call. */
export type TargetIds = Readonly<Record<string, number | string>>;

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'blocked' | 'not-carried';

export interface StepOutcome {
  readonly state: 'done' | 'failed' | 'not-carried';
  readonly ids: TargetIds;
  /** The target's own message on failure; the reason for not-carried. */
  readonly message?: string;
  /** How the outcome was established: the call's answer, or a look-up after a crash. */
  readonly via: 'call' | 'already-exists' | 'look-up' | 'request-status';
  readonly at: string;
}

export type ObjectState = 'pending' | 'running' | 'migrated' | 'failed' | 'blocked' | 'excluded';

export const JOB_STATES = [
  'queued',
  'running',
  'paused',
  'cancelled',
  'reconciling',
  'done',
  'failed',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const CREATED_KINDS = [
  'accounts',
  'members',
  'subscriptions',
  'domains',
  'dnsRecords',
  'mailboxes',
  'forwards',
  'databases',
  'ftpUsers',
] as const;
export type CreatedKind = (typeof CREATED_KINDS)[number];

export interface KindCount {
  readonly planned: number;
  readonly found: number;
}

export interface MigrationFailure {
  readonly kind: 'account' | 'domain';
  readonly id: string;
  readonly server: string;
  readonly step: string;
  readonly message: string;
}

export interface JobSummary {
  readonly jobId: string;
  readonly projectId: string;
  readonly state: JobState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly concurrency: number;
  readonly objects: { readonly total: number; readonly migrated: number; readonly failed: number };
  readonly steps: { readonly total: number; readonly done: number; readonly failed: number };
  readonly created: Readonly<Record<CreatedKind, number>>;
  /** After the batch: what the target holds vs what the plan says, per kind. */
  readonly reconciliation?: Readonly<Record<CreatedKind, KindCount>>;
  readonly failures: readonly MigrationFailure[];
  /** Estimated seconds left, while running. */
  readonly etaSeconds?: number;
  /** The batch was running when its process died: resume it. */
  readonly interrupted?: boolean;
  /** While reconciling: how much of the target was read back. */
  readonly readBack?: { readonly done: number; readonly total: number };
  /** Content moved to the target's nodes (sites, mailboxes), when the plan has content steps. */
  readonly content?: ContentProgress;
}

export interface ContentProgress {
  readonly steps: { readonly total: number; readonly done: number };
  /** Files and bytes of the content published so far (in-flight bytes included in `bytes`). */
  readonly files: number;
  readonly bytes: number;
  /** Bytes per second moved by this run. */
  readonly bytesPerSecond?: number;
}

export interface ObjectStatusRow {
  readonly key: ObjectKey;
  readonly ref: MigrationObjectRef;
  readonly name: string;
  readonly state: ObjectState;
  readonly stepsDone: number;
  readonly stepsTotal: number;
  readonly currentStep?: string;
  readonly error?: string;
}

export interface StepStatusRow {
  readonly id: string;
  readonly kind: StepKind;
  readonly label: string;
  readonly state: StepState;
  readonly ids: TargetIds;
  readonly message?: string;
  readonly via?: StepOutcome['via'];
  readonly at?: string;
}

/** What a batch would migrate, counted, before it starts. */
export interface MigrationPreview {
  readonly fingerprint: string;
  readonly objects: { readonly accounts: number; readonly domains: number };
  readonly steps: number;
  readonly perKind: Readonly<Record<string, number>>;
  readonly notCarried: readonly { readonly object: string; readonly what: string; readonly reason: string }[];
  readonly excluded: readonly { readonly object: string; readonly reason: string }[];
  /** Steps already done by earlier batches (found in the journal). */
  readonly alreadyDone: number;
}
