/**
 * The one API contract between the main process and the renderer.
 * Every call: a zod schema for its request (validated in the main process, because the
 * renderer is untrusted) and its response type. Every event: its payload type.
 * Electron IPC, the browser host's HTTP/SSE and the CLI all dispatch through this map.
 */
import { z } from 'zod';
import type { InventoryDetail, InventoryRows } from './model/inventory';
import type { ProjectDetails, ProjectSummary } from './model/project';
import type { ProjectStore, WorkersView } from './model/workers';
import type { ProjectMoveResult } from './model/project-move';
import type { SharedChange } from './model/project-changes';
import type { Decision, DecisionOutcome, DecisionPreview } from './model/decision';
import {
  type MappingRow,
  type MappingSuggestions,
  type TemplateMapping,
  mappingInputSchema,
} from './model/mapping';
import type {
  SelectionView,
  VerificationDetail,
  VerificationRows,
  VerificationRunInfo,
  VerificationSummary,
} from './model/verification';
import type { ReviewComment } from './model/review';
import type { HistoryEntry } from './model/history';
import type { JobSummary, MigrationPreview, ObjectStatusRow, StepStatusRow } from './model/migration';
import type { ReportFile } from './model/report';
import {
  type IpMapImportResult,
  type IpMapSuggestResult,
  type IpMapView,
  ipMapImportSchema,
  ipMapPoolSchema,
  ipMapSetSchema,
  ipMapSuggestSchema,
} from './model/ipmap';
import type { DnsSheet, ResyncResult } from './model/cutover';
import { CHECK_KINDS, type CheckRun, type CheckSettingsView } from './model/checks';
import {
  HOLDING_KINDS,
  HOLDINGS_PAGE_MAX,
  type HoldingsPage,
  type RehearsalDiff,
  type RehearsalOutcome,
  type RehearsalProgress,
  type RehearsalRecord,
  type RehearsalStatus,
  type SignOff,
  type SignOffPolicy,
} from './model/rehearsal';
import type { TargetBrowse, TargetTestResult, TargetView } from './model/target';
import { NODE_ROLES, type NodeTestResult, type NodeView } from './model/nodes';
import { type ConnectionTest, SOURCE_KINDS, type SourceServer } from './model/server';
import type { AppError, Result } from './result';
import { REASONS, type ReasonCode, STATUSES, type VerificationStatus } from './statuses';
import {
  CALL_CHANNELS,
  type CallChannelName,
  DOWNLOAD_CHANNELS,
  type DownloadChannelName,
  EVENT_CHANNELS,
  type EventChannelName,
  UPLOAD_CHANNELS,
  type UploadChannelName,
} from './channels';

export { CALL_CHANNELS, DOWNLOAD_CHANNELS, EVENT_CHANNELS, UPLOAD_CHANNELS };

export const PROJECT_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

export const projectName = z
  .string()
  .trim()
  .regex(
    PROJECT_NAME_PATTERN,
    'a project name is 1-64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit',
  );

const projectId = z.string().min(1).max(100);
const serverId = z.string().min(1).max(100);
const objectIds = z.array(z.string().min(1).max(500)).max(10_000);
const inventoryKind = z.enum(['accounts', 'domains', 'subscriptions', 'templates']);

export const migrationSettingsInput = z
  .object({
    protectiveDays: z.number().int().min(0).max(3650),
    allowUpdateInfo: z.boolean(),
    disableAfterMigration: z.boolean(),
    parkRegistrationOnly: z.boolean(),
    requireRegistration: z.boolean(),
    unmappedPolicy: z.enum(['fail', 'skip']),
    inactivePolicy: z.enum(['reject', 'warn']),
    defaultCountry: z
      .string()
      .regex(/^([A-Za-z]{2})?$/, 'a country is two letters (ISO 3166), or empty for none'),
  })
  .partial()
  .strict();

/** The wizard registers SSH or SOAP servers: local servers (the demo) are made by the core, so no raw path crosses. */
export const addServerInput = z
  .object({
    projectId,
    name: z.string().trim().min(1).max(64),
    kind: z.enum(SOURCE_KINDS),
    apiVersion: z.union([z.literal(1), z.literal(2)]).optional(),
    connection: z.discriminatedUnion('type', [
      z
        .object({
          type: z.literal('ssh'),
          host: z.string().trim().min(1).max(255),
          port: z.number().int().min(1).max(65535).optional(),
          user: z.string().min(1).max(32),
          hostKeyFingerprint: z.string().max(60).optional(),
        })
        .strict(),
      // `perl agent.pl --serve` over SOAP/HTTP(S); its token goes in credentials.token.
      z
        .object({
          type: z.literal('soap'),
          url: z.string().trim().min(1).max(2000),
          tlsFingerprint: z.string().max(120).optional(),
        })
        .strict(),
    ]),
    credentials: z
      .object({
        password: z.string().max(1024).optional(),
        privateKey: z.string().max(32_768).optional(),
        passphrase: z.string().max(1024).optional(),
        token: z.string().max(512).optional(),
      })
      .strict(),
    agentPath: z.string().max(1024).optional(),
    sourceRoot: z.string().max(1024).optional(),
    settings: migrationSettingsInput.optional(),
  })
  .strict();

const targetUrl = z
  .string()
  .trim()
  .max(2000)
  .refine(
    (u) => u === '' || (/^https?:\/\/\S+$/i.test(u) && URL.canParse(u)),
    'a target URL is http(s)://host:port/RPC2',
  );

/** A change to a project's target: absent fields stay, "" clears; passwords go to the secret store. */
export const targetSetInput = z
  .object({
    projectId,
    poaUrl: targetUrl.optional(),
    poaUser: z.string().trim().max(200).optional(),
    poaPassword: z.string().max(1024).optional(),
    pbaUrl: targetUrl.optional(),
    pbaUser: z.string().trim().max(200).optional(),
    pbaPassword: z.string().max(1024).optional(),
    tlsFingerprint: z
      .string()
      .trim()
      .regex(
        /^$|^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
        'a SHA-256 fingerprint is 32 hex bytes, e.g. AB:CD:…',
      )
      .optional(),
  })
  .strict();

const reviewObjectRef = z
  .object({
    kind: z.enum(['project', 'account', 'domain', 'subscription', 'template', 'server']),
    id: z.string().min(1).max(500),
    serverId: z.string().min(1).max(100).optional(),
  })
  .strict();

// --- mapping, selection, verification, decisions (SPEC R4-R7) ---------------------------------
const author = z.string().trim().min(1).max(100).optional();
const verifiedKind = z.enum(['account', 'domain', 'subscription']);
const objectId = z.string().min(1).max(500);
const STATUS_CODES = [
  ...new Set([
    ...Object.keys(STATUSES.account),
    ...Object.keys(STATUSES.domain),
    ...Object.keys(STATUSES.subscription),
  ]),
] as [VerificationStatus, ...VerificationStatus[]];
const REASON_CODES = Object.keys(REASONS) as [ReasonCode, ...ReasonCode[]];

export const decisionInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('override'), serverId, subscriptionId: objectId }).strict(),
  z
    .object({ kind: z.literal('approve'), serverId, domainId: objectId, park: z.boolean().optional() })
    .strict(),
  z.object({ kind: z.literal('unselect'), serverId, domainId: objectId }).strict(),
  z.object({ kind: z.literal('remap'), mapping: mappingInputSchema }).strict(),
]);

export const selectionChangeSchema = z
  .object({
    projectId,
    mode: z.enum(['add', 'remove', 'clear']),
    serverId: serverId.optional(),
    target: z
      .discriminatedUnion('by', [
        z.object({ by: z.literal('accounts'), ids: objectIds }).strict(),
        z.object({ by: z.literal('domains'), ids: objectIds }).strict(),
        z.object({ by: z.literal('all') }).strict(),
        z.object({ by: z.literal('template'), templateId: objectId }).strict(),
        z
          .object({
            by: z.literal('filter'),
            filter: z
              .object({
                search: z.string().max(200).optional(),
                accountType: z.enum(['customer', 'reseller']).optional(),
                status: z.string().max(20).optional(),
              })
              .strict(),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict();

export const resultsQuerySchema = z
  .object({
    projectId,
    kind: verifiedKind.optional(),
    status: z.enum(STATUS_CODES).optional(),
    reason: z.enum(REASON_CODES).optional(),
    serverId: serverId.optional(),
    templateId: objectId.optional(),
    accountId: objectId.optional(),
    search: z.string().max(200).optional(),
    offset: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(200_000).optional(),
  })
  .strict();

const jobId = z.string().min(1).max(100);
const rehearsalId = z.string().min(1).max(100);
const migrationSubset = z
  .object({
    projectId,
    accounts: z.array(z.string().min(1).max(500)).max(200_000).optional(),
    domains: z.array(z.string().min(1).max(500)).max(200_000).optional(),
  })
  .strict();

export const callSchemas = {
  'app:get-info': z.object({}).strict(),
  'projects:list': z.object({}).strict(),
  'projects:create': z.object({ name: projectName, description: z.string().max(2000).optional() }).strict(),
  'projects:get': z.object({ projectId: z.string().min(1).max(100) }).strict(),
  'projects:rename': z.object({ projectId: z.string().min(1).max(100), name: projectName }).strict(),
  'projects:remove': z.object({ projectId: z.string().min(1).max(100) }).strict(),
  'jobs:cancel': z.object({ jobId: z.string().min(1).max(100) }).strict(),
  'mapping:list': z.object({ projectId, serverId: serverId.optional() }).strict(),
  'mapping:set': z.object({ projectId, mapping: mappingInputSchema, author }).strict(),
  'mapping:remove': z.object({ projectId, serverId, templateId: objectId }).strict(),
  'mapping:suggest': z.object({ projectId, serverId: serverId.optional() }).strict(),
  'mapping:apply-suggestions': z
    .object({ projectId, mappings: z.array(mappingInputSchema).min(1).max(10_000).readonly(), author })
    .strict(),
  'mapping:export': z.object({ projectId }).strict(),
  'mapping:import': z.object({ projectId, content: z.string().min(1).max(20_000_000), author }).strict(),
  'selection:get': z.object({ projectId }).strict(),
  'selection:set': selectionChangeSchema,
  'verification:run': z.object({ projectId }).strict(),
  'verification:results': resultsQuerySchema,
  'verification:detail': z.object({ projectId, kind: verifiedKind, serverId, id: objectId }).strict(),
  'verification:summary': z.object({ projectId }).strict(),
  'decisions:list': z.object({ projectId }).strict(),
  'decisions:apply': z.object({ projectId, decision: decisionInputSchema, author }).strict(),
  'decisions:preview': z.object({ projectId, decision: decisionInputSchema }).strict(),
  'decisions:undo': z.object({ projectId, decisionId: z.string().min(1).max(100), author }).strict(),
  'migration:preview': migrationSubset,
  'migration:start': migrationSubset
    .extend({
      concurrency: z.number().int().min(1).max(64).optional(),
      author,
      /** Run without a signed-off rehearsal, for this reason (recorded). */
      force: z.string().trim().min(1).max(2000).optional(),
    })
    .strict(),
  'migration:jobs': z.object({ projectId }).strict(),
  'migration:job': z.object({ projectId, jobId }).strict(),
  'migration:objects': z.object({ projectId, jobId }).strict(),
  'migration:steps': z.object({ projectId, jobId, object: z.string().min(1).max(1000) }).strict(),
  'migration:control': z
    .object({ projectId, jobId, action: z.enum(['pause', 'resume', 'cancel', 'retry']) })
    .strict(),
  'servers:list': z.object({ projectId }).strict(),
  'servers:add': addServerInput,
  'servers:test': z.object({ projectId, serverId, trustNewHostKey: z.boolean().optional() }).strict(),
  'servers:remove': z.object({ projectId, serverId }).strict(),
  'servers:update-settings': z.object({ projectId, serverId, settings: migrationSettingsInput }).strict(),
  'servers:pin-host-key': z.object({ projectId, serverId, fingerprint: z.string().max(60) }).strict(),
  'inventory:fetch': z.object({ projectId, serverId }).strict(),
  'inventory:refresh': z
    .object({ projectId, serverId, accountIds: objectIds.optional(), domainIds: objectIds.optional() })
    .strict(),
  'inventory:list': z.object({ projectId, kind: inventoryKind, serverId: serverId.optional() }).strict(),
  'inventory:get': z
    .object({ projectId, serverId, kind: inventoryKind, id: z.string().min(1).max(500) })
    .strict(),
  'inventory:fetch-domain-services': z
    .object({ projectId, serverId, domainIds: objectIds.optional() })
    .strict(),
  'target:get': z.object({ projectId }).strict(),
  'target:set': targetSetInput,
  'target:test': z.object({ projectId }).strict(),
  'target:browse': z.object({ projectId }).strict(),
  'target:nodes': z.object({ projectId }).strict(),
  'target:node-test': z
    .object({ projectId, role: z.enum(NODE_ROLES), trustNewHostKey: z.boolean().optional() })
    .strict(),
  'target:node-add': z
    .object({
      projectId,
      role: z.enum(NODE_ROLES),
      host: z.string().min(1).max(253),
      port: z.number().int().min(1).max(65535).optional(),
      user: z.string().min(1).max(64),
      root: z.string().min(1).max(4096),
      password: z.string().max(4096).optional(),
      privateKey: z.string().max(65536).optional(),
      passphrase: z.string().max(4096).optional(),
      hostKeyFingerprint: z.string().max(60).optional(),
    })
    .strict(),
  'target:node-remove': z.object({ projectId, role: z.enum(NODE_ROLES) }).strict(),
  'ipmap:view': z.object({ projectId }).strict(),
  'ipmap:suggest': ipMapSuggestSchema.extend({ projectId }).strict(),
  'ipmap:set': ipMapSetSchema.extend({ projectId }).strict(),
  'ipmap:pool': ipMapPoolSchema.extend({ projectId }).strict(),
  'ipmap:import': ipMapImportSchema.extend({ projectId }).strict(),
  'cutover:dns-sheet': z
    .object({
      projectId,
      live: z.boolean().optional(),
      domains: z.array(z.string().min(1).max(253)).max(10_000).optional(),
    })
    .strict(),
  'cutover:dns-sheet-export': z.object({ projectId, format: z.enum(['html', 'csv']) }).strict(),
  'cutover:resync': z
    .object({
      projectId,
      dryRun: z.boolean(),
      domains: z.array(z.string().min(1).max(253)).max(10_000).optional(),
      batch: z.string().min(1).max(100).optional(),
    })
    .strict(),
  'cutover:resync-last': z.object({ projectId }).strict(),
  'history:object': z
    .object({
      projectId,
      kind: z.enum(['account', 'domain', 'subscription', 'template']),
      serverId,
      id: z.string().min(1).max(500),
    })
    .strict(),
  'review:comments': z.object({ projectId, about: reviewObjectRef.optional() }).strict(),
  'review:add-comment': z
    .object({
      projectId,
      about: reviewObjectRef,
      text: z.string().min(1).max(10_000),
      author: z.string().max(100).optional(),
    })
    .strict(),
  'rehearsal:start': migrationSubset.extend({ content: z.boolean().optional(), author }).strict(),
  'rehearsal:list': z.object({ projectId }).strict(),
  'rehearsal:show': z.object({ projectId, id: rehearsalId.optional() }).strict(),
  'rehearsal:holdings': z
    .object({
      projectId,
      id: rehearsalId.optional(),
      kind: z.enum(HOLDING_KINDS).optional(),
      search: z.string().max(200).optional(),
      offset: z.number().int().min(0),
      limit: z.number().int().min(1).max(HOLDINGS_PAGE_MAX),
    })
    .strict(),
  'rehearsal:diff': z
    .object({ projectId, id: rehearsalId.optional(), against: rehearsalId.optional() })
    .strict(),
  'rehearsal:signoff': z
    .object({ projectId, id: rehearsalId, author, comment: z.string().trim().max(10_000).optional() })
    .strict(),
  'rehearsal:status': z.object({ projectId }).strict(),
  'rehearsal:policy': z
    .object({ projectId, policy: z.enum(['required', 'not-required', 'after-first-rehearsal']) })
    .strict(),
  'checks:run': z
    .object({ projectId, domains: z.array(z.string().min(1).max(253)).max(100_000).optional() })
    .strict(),
  'checks:runs': z.object({ projectId }).strict(),
  'checks:settings': z
    .object({
      projectId,
      webServer: z.string().max(300).optional(),
      nameServer: z.string().max(300).optional(),
      afterBatch: z.boolean().optional(),
      // Server id → web address; "" forgets the server's address.
      sourceWeb: z.record(z.string().min(1).max(200), z.string().max(300)).optional(),
      kinds: z.array(z.enum(CHECK_KINDS)).min(1).max(5).optional(),
      sample: z.number().int().min(1).max(1000).optional(),
      pageTimeoutSeconds: z.number().int().min(1).max(600).optional(),
    })
    .strict(),
  // Team scale (issue 15): workers of a shared project, batches spread over them, the store choice.
  'workers:status': z.object({ projectId }).strict(),
  'workers:start': migrationSubset
    .extend({ author, force: z.string().trim().min(1).max(2000).optional() })
    .strict(),
  'workers:control': z.object({ projectId, jobId, action: z.enum(['pause', 'resume', 'cancel']) }).strict(),
  'projects:stores': z.object({}).strict(),
  'projects:create-shared': z
    .object({
      name: projectName,
      description: z.string().max(2000).optional(),
      address: z.string().trim().min(1).max(1000),
      /** Sealed in the data dir's secret store once it opened the database; never in the address. */
      password: z.string().max(1024).optional(),
    })
    .strict(),
  'projects:attach': z
    .object({
      projectId,
      address: z.string().trim().min(1).max(1000),
      password: z.string().max(1024).optional(),
    })
    .strict(),
  /** A file project moved into PostgreSQL from the app; the password is sealed like the New project form's. */
  'projects:move-to-store': z
    .object({
      projectId,
      address: z.string().trim().min(1).max(1000),
      password: z.string().max(1024).optional(),
    })
    .strict(),
  /** Opens the database once (the store forms' "Test connection"), changing nothing. */
  'projects:test-store': z
    .object({ address: z.string().trim().min(1).max(1000), password: z.string().max(1024).optional() })
    .strict(),
  /** This data dir's engineer public key, given to whoever grants it a shared project's credentials. */
  'projects:engineer-key': z.object({}).strict(),
  // the page asking wants to hear others' changes to the project live (project:shared-change)
  'projects:watch': z.object({ projectId }).strict(),
} as const satisfies Record<CallChannelName, z.ZodType>;

export type CallChannel = keyof typeof callSchemas;
export type CallRequest<C extends CallChannel> = z.input<(typeof callSchemas)[C]>;

export interface AppInfo {
  readonly version: string;
  readonly shell: 'electron' | 'browser' | 'cli' | 'test';
  readonly dataDir: string;
}

export interface CallResponses {
  'app:get-info': AppInfo;
  'projects:list': readonly ProjectSummary[];
  'projects:create': ProjectSummary;
  'projects:get': ProjectDetails;
  'projects:rename': ProjectSummary;
  'projects:remove': { readonly removed: string };
  'jobs:cancel': { readonly cancelled: boolean };
  'mapping:list': readonly MappingRow[];
  'mapping:set': MappingSetResult;
  'mapping:remove': { readonly removed: boolean };
  'mapping:suggest': MappingSuggestions;
  'mapping:apply-suggestions': MappingBulkResult;
  'mapping:export': { readonly fileName: string; readonly content: string };
  'mapping:import': MappingBulkResult;
  'selection:get': SelectionView;
  'selection:set': SelectionView;
  'verification:run': { readonly jobId: string };
  'verification:results': VerificationRows;
  'verification:detail': VerificationDetail;
  'verification:summary': VerificationSummary;
  'decisions:list': readonly Decision[];
  'decisions:apply': DecisionOutcome;
  'decisions:preview': DecisionPreview;
  'decisions:undo': DecisionOutcome;
  'migration:preview': MigrationPreview;
  'migration:start': { readonly jobId: string };
  'migration:jobs': readonly JobSummary[];
  'migration:job': JobSummary;
  'migration:objects': readonly ObjectStatusRow[];
  'migration:steps': readonly StepStatusRow[];
  'migration:control': { readonly jobId: string };
  'servers:list': readonly SourceServer[];
  'servers:add': SourceServer;
  'servers:test': ConnectionTest;
  'servers:remove': { readonly removed: true };
  'servers:update-settings': SourceServer;
  'servers:pin-host-key': SourceServer;
  'inventory:fetch': { readonly jobId: string };
  'inventory:refresh': { readonly jobId: string };
  'inventory:list': InventoryRows;
  'inventory:get': InventoryDetail;
  'inventory:fetch-domain-services': { readonly jobId: string };
  'target:get': TargetView;
  'target:set': TargetView;
  'target:test': TargetTestResult;
  'target:browse': TargetBrowse;
  'target:nodes': readonly NodeView[];
  'target:node-test': NodeTestResult;
  'target:node-add': NodeView;
  'target:node-remove': null;
  'ipmap:view': IpMapView;
  'ipmap:suggest': IpMapSuggestResult;
  'ipmap:set': IpMapView;
  'ipmap:pool': IpMapView;
  'ipmap:import': IpMapImportResult;
  'cutover:dns-sheet': DnsSheet;
  'cutover:dns-sheet-export': ReportFile;
  'cutover:resync': { readonly jobId: string };
  'cutover:resync-last':
    | (ResyncResult & { readonly at: string; readonly domains?: readonly string[]; readonly batch?: string })
    | null;
  'history:object': readonly HistoryEntry[];
  'review:comments': readonly ReviewComment[];
  'review:add-comment': ReviewComment;
  'rehearsal:start': { readonly rehearsalId: string };
  'rehearsal:list': readonly RehearsalRecord[];
  /** The record and its counts per kind; the objects come a page at a time (rehearsal:holdings). */
  'rehearsal:show': RehearsalOutcome;
  /** A page of the rehearsal's objects (at most HOLDINGS_PAGE_MAX), streamed from its holdings.json. */
  'rehearsal:holdings': HoldingsPage;
  'rehearsal:diff': RehearsalDiff;
  'rehearsal:signoff': SignOff;
  'rehearsal:status': RehearsalStatus;
  'rehearsal:policy': { readonly policy: SignOffPolicy };
  /** Post-migration checks: a job (progress as jobs:progress, subject 'checks'); the run is stored. */
  'checks:run': { readonly jobId: string };
  /** Stored runs, newest first. */
  'checks:runs': readonly CheckRun[];
  'checks:settings': CheckSettingsView;
  'workers:status': WorkersView;
  'workers:start': { readonly jobId: string; readonly units: number };
  'workers:control': { readonly jobId: string; readonly state: string; readonly dropped: number };
  /** Where each project lives, by project id. */
  'projects:stores': Readonly<Record<string, ProjectStore>>;
  'projects:create-shared': ProjectSummary;
  'projects:attach': ProjectSummary;
  'projects:move-to-store': ProjectMoveResult;
  'projects:test-store': { readonly address: string };
  'projects:engineer-key': { readonly publicKey: string; readonly fingerprint: string };
  /** shared: the project is on PostgreSQL and others' changes are now heard; false for a file project. */
  'projects:watch': { readonly shared: boolean };
}

export type CallResponse<C extends CallChannel> = CallResponses[C];

/** 'mapping:set': the stored mapping; a decision when it re-mapped an existing one. */
export interface MappingSetResult {
  readonly mapping: TemplateMapping;
  readonly decision: Decision | null;
  readonly reverified: DecisionOutcome['reverified'];
}

/** Several mappings at once (accepted suggestions, an imported file): what was stored, what not and why. */
export interface MappingBulkResult {
  readonly applied: readonly TemplateMapping[];
  readonly failed: readonly {
    readonly serverId: string;
    readonly templateId: string;
    readonly message: string;
  }[];
  /** The full re-verification it triggered when results were current (null otherwise). */
  readonly reverified: VerificationRunInfo | null;
}

export interface JobProgress {
  readonly jobId: string;
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly state: 'running' | 'done' | 'failed' | 'cancelled' | 'paused';
  /** Why a failed job failed, in the engineer's words. */
  readonly error?: AppError;
  /** What the job is about, so pages can pick their own jobs out of the stream. */
  readonly projectId?: string;
  readonly subject?: string;
}

export interface LogLine {
  readonly time: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly projectId?: string;
}

export interface EventPayloads {
  'jobs:progress': JobProgress;
  'log:line': LogLine;
  'projects:changed': { readonly projectId: string };
  /** A migration batch moved on (throttled while it runs; always at its end). */
  'migration:progress': JobSummary;
  /** Stored verification results changed (a run, or a decision's incremental re-verification). */
  /** A rehearsal moved on (its batch's progress, then reading back, then its end). */
  'rehearsal:progress': RehearsalProgress;
  'verification:changed': {
    readonly projectId: string;
    readonly incremental: boolean;
    readonly changed: number;
  };
  /** A shared project's workers, units or spread batches moved (heard from any machine). */
  'workers:changed': { readonly projectId: string };
  /** Another app, script or worker changed a part of a shared project (merged, ≤ 4 a second per part). */
  'project:shared-change': SharedChange;
}

export type EventChannel = keyof EventPayloads;

// Compile-time proof that the name lists and the maps agree, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const channelListsMatch: [Same<CallChannel, CallChannelName>, Same<EventChannel, EventChannelName>] = [
  true,
  true,
];

/**
 * Downloads (issue 19): a file the app makes, saved as it is made (`MmApi.download`), never one
 * answer over IPC or HTTP. Each has its request's schema, checked in the main process or the host.
 */
export const downloadSchemas = {
  'rehearsal:export': z
    .object({ projectId, id: rehearsalId.optional(), format: z.enum(['html', 'csv', 'json']) })
    .strict(),
  /** The project's review bundle (gzip), made as it is saved. */
  'review:export': z.object({ projectId }).strict(),
  'reports:verification': z.object({ projectId, format: z.enum(['html', 'csv']) }).strict(),
  'reports:migration': z
    .object({ projectId, format: z.enum(['html', 'csv']), jobId: jobId.optional() })
    .strict(),
  'checks:report': z
    .object({ projectId, format: z.enum(['html', 'csv']), runId: z.string().uuid().optional() })
    .strict(),
} as const satisfies Record<DownloadChannelName, z.ZodType>;

export type DownloadChannel = keyof typeof downloadSchemas;
export type DownloadRequest<C extends DownloadChannel> = z.input<(typeof downloadSchemas)[C]>;

/**
 * Uploads (issue 19): work on a file the user picks — in Electron the main process asks with its
 * open dialog and reads the file itself; the browser host takes the file as a raw body into a
 * temporary file. The request says the rest (never the file's bytes, never a path).
 */
export const uploadSchemas = {
  /** Opens the bundle as a new read-only review copy. */
  'review:open': z.object({}).strict(),
  /** Merges the comments of a bundle exported back from a review copy of this project. */
  'review:merge-comments': z.object({ projectId }).strict(),
} as const satisfies Record<UploadChannelName, z.ZodType>;

export type UploadChannel = keyof typeof uploadSchemas;
export type UploadRequest<C extends UploadChannel> = z.input<(typeof uploadSchemas)[C]>;

export interface UploadResponses {
  'review:open': ProjectSummary;
  'review:merge-comments': { readonly added: number; readonly total: number };
}

/** What an upload did: the work's answer on the file picked, or nothing (the picker was cancelled). */
export type UploadResult<C extends UploadChannel> =
  | { readonly picked: false }
  | { readonly picked: true; readonly fileName: string; readonly value: UploadResponses[C] };

/** A file the page picked (a browser `File`): sent as it is, its bytes never read by the page. */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
}

// Compile-time proof that downloads and uploads are not calls (no file crosses as one answer),
// and that every upload has its answer's type.
export const transfersAreNotCalls: [
  Same<Extract<DownloadChannelName | UploadChannelName, CallChannelName>, never>,
  Same<keyof UploadResponses, UploadChannelName>,
] = [true, true];

/** What a download did: saved (Electron: to the file picked; browser: handed to its downloads), or not (picker cancelled). */
export interface DownloadResult {
  readonly fileName: string;
  readonly saved: boolean;
}

/**
 * The browser host's answer to `POST /api/download/<channel>`: a one-time token for
 * `GET /api/download/<token>`, which streams the file (Content-Disposition: attachment).
 */
export interface DownloadTicket {
  readonly token: string;
  readonly fileName: string;
}

/** The shape the renderer sees, in Electron (window.mm) and in the browser alike. */
export interface MmApi {
  call<C extends CallChannel>(channel: C, request: CallRequest<C>): Promise<Result<CallResponse<C>>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /** A file the app makes, saved as it is made (never one string over IPC or HTTP). */
  download<C extends DownloadChannel>(
    channel: C,
    request: DownloadRequest<C>,
  ): Promise<Result<DownloadResult>>;
  /**
   * Work on a file the user picks. Electron: the main process asks with its open dialog (`file`
   * is not used). Browser: `file` is the one the page picked, sent as the request's body; without
   * one nothing is sent ({picked: false}).
   */
  upload<C extends UploadChannel>(
    channel: C,
    request: UploadRequest<C>,
    file?: PickedFile,
  ): Promise<Result<UploadResult<C>>>;
}
