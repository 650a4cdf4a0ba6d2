/**
 * What a review bundle may hold, member by member. A bundle is untrusted input (the file an
 * engineer receives from someone else), so nothing in it is written as it came:
 * - a member's name must be one of the files a project folder really has (an allow-list, not
 *   a deny-list of `/` and `..`), checked the same way on every OS, so `..\x.json`, `C:x.json`,
 *   `CON.json` or a control character never reach `path.join`, on Windows or anywhere else;
 * - its content must parse into that file's schema (the outer shape the stores read), and is
 *   re-serialised from the parsed value; unknown top-level keys are dropped.
 * The project file is not in here: the manager writes it itself (see `bundle.ts`).
 */
import { z } from 'zod';
import { MmError } from '../errors';

/** Files of the project folder, by exact name; `.jsonl` files are lists of records. */
const FIXED_MEMBERS = [
  'project.json',
  'mapping.json',
  'selection.json',
  'decisions.json',
  'verification.json',
  'domain-services.json',
  'comments.json',
  'migration-log.jsonl',
  'verification-changes.jsonl',
  'verification-history.jsonl',
  'reports/verification-report.json',
  'reports/migration-report.json',
  'reports/rehearsal-report.json',
  'rehearsals/rehearsals.json',
  'checks.json',
  'ip-map.json',
  'resync.json',
] as const;

/** `inventory/<server-id>.json`: the id as the inventory store accepts it, and nothing Windows reads differently. */
const INVENTORY_MEMBER = /^inventory\/([\p{L}\p{N}][\p{L}\p{N}._-]{0,99})\.json$/u;
/** `rehearsals/<id>/holdings.json`: one rehearsal's objects (the id as the rehearsal store accepts it). */
const HOLDINGS_MEMBER = /^rehearsals\/(r-[0-9]{8}-[0-9]{6}-[0-9a-f]{6})\/holdings\.json$/;
/** Device names Windows resolves whatever the folder or extension (`inventory/con.json` is the console). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

export type MemberKind =
  | { readonly kind: 'fixed'; readonly name: (typeof FIXED_MEMBERS)[number] }
  | { readonly kind: 'inventory'; readonly serverId: string }
  | { readonly kind: 'holdings'; readonly rehearsalId: string };

/**
 * Classifies a member name, or explains why it is refused. Characters every file system or OS
 * treats specially are named in the message, so the engineer sees what the bundle tried.
 */
export function memberKind(name: string): MemberKind | string {
  if (name.length === 0 || name.length > 200) return 'an empty or over-long name';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a control character';
  if (name.includes('\\')) return 'a backslash (a path separator on Windows)';
  if (name.includes(':')) return 'a colon (a drive or a stream on Windows)';
  if (name.startsWith('/')) return 'an absolute path';
  if (name.split('/').some((part) => part === '..' || part === '.' || part === '')) return 'a relative step';
  const fixed = FIXED_MEMBERS.find((m) => m === name);
  if (fixed) return { kind: 'fixed', name: fixed };
  const inv = INVENTORY_MEMBER.exec(name);
  if (inv?.[1] && !WINDOWS_DEVICE.test(inv[1]) && !inv[1].endsWith('.'))
    return { kind: 'inventory', serverId: inv[1] };
  const holdings = HOLDINGS_MEMBER.exec(name);
  if (holdings?.[1]) return { kind: 'holdings', rehearsalId: holdings[1] };
  return 'not a file a project folder has';
}

/** A member name's kind, or `bundle-invalid` naming the bundle, the name and what is unsafe in it. */
export function safeMemberKind(where: string, name: string): MemberKind {
  const kind = memberKind(name);
  if (typeof kind === 'string')
    throw new MmError(
      'bundle-invalid',
      `${where} holds a file with an unsafe name: ${JSON.stringify(name)} (${kind}); nothing was opened.`,
      where,
    );
  return kind;
}

/** A member written into a bundle in pieces (a rehearsal's holdings), never read whole from the folder. */
export function isStreamedMember(name: string): boolean {
  const kind = memberKind(name);
  return typeof kind !== 'string' && kind.kind === 'holdings';
}

/** A rehearsal's holdings as its holdings.json lays them out: one JSON array, a holding per line. */
export function holdingsMemberText(holdings: readonly unknown[]): string {
  if (holdings.length === 0) return '[\n]\n';
  return `[\n${holdings.map((h) => JSON.stringify(h)).join(',\n')}\n]\n`;
}

/** Whether an exported project folder's file belongs in a bundle (the same list as on the way in). */
export function isBundleMember(name: string): boolean {
  return typeof memberKind(name) !== 'string';
}

const obj = z.object({}).passthrough();
const objects = z.array(obj);
const version1 = z.literal(1);
const id = z.string().min(1).max(500);

const inventorySchema = z
  .object({
    apiVersion: z.union([z.literal(1), z.literal(2)]),
    platform: obj,
    hosts: objects,
    templates: z.array(z.object({ id }).passthrough()),
    accounts: z.array(z.object({ id }).passthrough()),
    subscriptions: z.array(z.object({ id }).passthrough()),
    domains: z.array(z.object({ id }).passthrough()),
  })
  .passthrough();

/** The outer shape each store reads (the stores check the same on every open). */
// Top levels pass other keys through: the stores grow fields (their owners check them on read);
// what is checked is what a reader would otherwise trip over.
const doc = <T extends z.ZodRawShape>(shape: T) => z.object(shape).passthrough();
const FIXED_SCHEMAS: Record<Exclude<(typeof FIXED_MEMBERS)[number], 'project.json'>, z.ZodType> = {
  'mapping.json': doc({ schemaVersion: version1, revision: z.number().int().min(0), entries: objects }),
  'selection.json': doc({
    schemaVersion: version1,
    revision: z.number().int().min(0),
    servers: z.record(
      z.string(),
      z.object({ accounts: z.array(z.string()), domains: z.array(z.string()) }).passthrough(),
    ),
  }),
  'decisions.json': doc({
    schemaVersion: version1,
    revision: z.number().int().min(0),
    overrides: objects,
    approvals: objects,
    log: objects,
  }),
  'verification.json': doc({
    schemaVersion: version1,
    verifiedAt: z.string().nullable(),
    today: z.string().nullable(),
    stamp: z.string().nullable(),
    results: z.array(
      z.object({ kind: z.string(), serverId: z.string(), id: z.string(), status: z.string() }).passthrough(),
    ),
  }),
  'domain-services.json': doc({
    schemaVersion: version1,
    servers: z.record(z.string(), z.object({ domains: z.record(z.string(), obj) }).passthrough()),
  }),
  'comments.json': doc({
    schemaVersion: version1,
    comments: z.array(
      z.object({
        id: z.string().min(1).max(200),
        about: z
          .object({
            kind: z.enum(['project', 'account', 'domain', 'subscription', 'template', 'server']),
            id: z.string().min(1).max(500),
            serverId: z.string().min(1).max(200).optional(),
          })
          .strict(),
        author: z.string().max(200),
        time: z.string().max(100),
        text: z.string().max(100_000),
      }),
    ),
  }),
  'migration-log.jsonl': z.array(
    z
      .object({ time: z.string(), level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string() })
      .passthrough(),
  ),
  'verification-changes.jsonl': objects,
  'verification-history.jsonl': objects,
  'reports/verification-report.json': z.object({ html: z.string(), csv: z.string() }),
  'reports/migration-report.json': z.object({ html: z.string(), csv: z.string() }),
  'reports/rehearsal-report.json': z.object({ html: z.string(), csv: z.string() }),
  // Rehearsals (their objects) with the sign-offs and forced runs, for a reviewer to study.
  'rehearsals/rehearsals.json': z.object({ rehearsals: objects, signoffs: objects }),
  // Post-migration check runs (core/checks): every domain's checks with each difference named.
  'checks.json': doc({
    schemaVersion: version1,
    settings: obj,
    runs: z.array(z.object({ runId: id, domains: objects }).passthrough()),
  }),
  // IP mapping (core/ipmap): the target's pool and the table, so a reviewer sees each site's address.
  'ip-map.json': doc({
    schemaVersion: version1,
    revision: z.number().int().min(0),
    pool: objects,
    entries: objects,
  }),
  // Re-sync passes (core/cutover): what each moved or would move, per content.
  'resync.json': doc({ schemaVersion: version1, runs: objects }),
};

/** One comment as a bundle carries it (merged back into the original by `mergeComments`). */
export const commentsFileSchema = FIXED_SCHEMAS['comments.json'] as z.ZodType<{
  comments: {
    id: string;
    about: { kind: string; id: string; serverId?: string };
    author: string;
    time: string;
    text: string;
  }[];
}>;

/** A rehearsal's holdings: what the rehearsal store reads of each (kind, key, name, owner, fields). */
const holdingsFileSchema = z.array(
  z
    .object({
      kind: z.string().min(1).max(100),
      key: z.string().max(10_000),
      name: z.string().max(10_000),
      owner: z.string().max(10_000).optional(),
      fields: z.record(z.string(), z.string()),
    })
    .passthrough(),
);

/**
 * Why a piece of a streamed holdings member (its elements from `offset` on) does not fit the
 * holding schema, named as for the whole member ("the member … at <index>.<field>: …"), or
 * undefined when it fits.
 */
export function holdingsPieceIssue(
  name: string,
  piece: readonly unknown[],
  offset: number,
): string | undefined {
  const parsed = holdingsFileSchema.safeParse(piece);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (!issue) return `the member ${name} does not have the expected shape`;
  const [index, ...rest] = issue.path;
  const path = typeof index === 'number' ? [offset + index, ...rest] : issue.path;
  return `the member ${name}${path.length > 0 ? ` at ${path.join('.')}` : ''}: ${issue.message}`;
}

function inventoryFileSchema(serverId: string): z.ZodType {
  return doc({
    schemaVersion: version1,
    serverId: z.literal(serverId, { message: `must be "${serverId}", the member's name` }),
    fetchedAt: z.string(),
    source: z.enum(['agent', 'import']),
    inventory: inventorySchema.nullable(),
  });
}

/** A zod failure as one line: "<member> <path>: <message>". */
export function describeIssue(member: string, error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return `${member} does not have the expected shape`;
  const path = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return `${member}${path}: ${issue.message}`;
}

/**
 * Parses one member's content (`{json}` for `.json`, `{lines}` for `.jsonl`) into its schema and
 * returns the text to write. Throws `bundle-invalid` naming the bundle, the member and the field.
 */
export function memberText(where: string, name: string, kind: MemberKind, content: unknown): string {
  const lines = name.endsWith('.jsonl');
  const form = lines
    ? z.object({ lines: z.array(z.unknown()) }).strict()
    : z.object({ json: z.unknown() }).strict();
  const wrapped = form.safeParse(content);
  if (!wrapped.success) {
    const expected = lines ? 'a {"lines": [...]} list of records' : 'a {"json": ...} document';
    throw new MmError(
      'bundle-invalid',
      `${where}: the member ${name} is not ${expected}.`,
      `${where}:${name}`,
    );
  }
  const value = 'lines' in wrapped.data ? wrapped.data.lines : wrapped.data.json;
  const schema =
    kind.kind === 'inventory'
      ? inventoryFileSchema(kind.serverId)
      : kind.kind === 'holdings'
        ? holdingsFileSchema
        : FIXED_SCHEMAS[kind.name as keyof typeof FIXED_SCHEMAS];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new MmError(
      'bundle-invalid',
      `${where}: ${describeIssue(`the member ${name}`, parsed.error)}; nothing was opened.`,
      `${where}:${name}`,
    );
  }
  if (kind.kind === 'holdings') return holdingsMemberText(parsed.data as unknown[]);
  return Array.isArray(parsed.data)
    ? parsed.data.map((l) => JSON.stringify(l)).join('\n') + (parsed.data.length > 0 ? '\n' : '')
    : JSON.stringify(parsed.data);
}

const text = (max: number) => z.string().max(max);
const serverSchema = z
  .object({
    id: z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N}._-]{0,99}$/u, 'is not a source server id'),
    name: text(200).min(1),
    kind: z.enum(['linux', 'ensim', 'hsphere', 'sphera', 'description']),
    apiVersion: z.union([z.literal(1), z.literal(2)]),
    connection: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('ssh'),
        host: text(300),
        port: z.number().int().min(1).max(65535),
        user: text(200),
        // Masked on export ("***": the key's name looks secret); a copy never connects anyway.
        auth: text(20),
        hostKeyFingerprint: text(200).optional(),
      }),
      z.object({ type: z.literal('local'), root: text(4096) }),
      z.object({ type: z.literal('soap'), url: text(2000), tlsFingerprint: text(200).optional() }),
    ]),
    agentPath: text(4096),
    sourceRoot: text(4096).optional(),
    settings: z.object({
      protectiveDays: z.number().int().min(0).max(100_000),
      allowUpdateInfo: z.boolean(),
      disableAfterMigration: z.boolean(),
      parkRegistrationOnly: z.boolean(),
      requireRegistration: z.boolean(),
      unmappedPolicy: z.enum(['fail', 'skip']),
    }),
    addedAt: text(100),
    inventory: z
      .object({
        fetchedAt: text(100),
        source: z.enum(['agent', 'import']),
        agentVersion: text(100).optional(),
        platform: text(500),
        accounts: z.number().int().min(0),
        domains: z.number().int().min(0),
        subscriptions: z.number().int().min(0),
        templates: z.number().int().min(0),
      })
      .optional(),
  })
  // Unknown keys are dropped, `demo` among them: a copy's servers are never the live demo's.
  .strip();

const endpoint = z.object({ url: text(2000), user: text(200) });

/**
 * project.json as a bundle may carry it: what a reviewer reads (name, description, dates,
 * servers, target addresses). Identity, the demo flag and the review state are the manager's
 * to set, never read from the bundle.
 */
export const projectMemberSchema = z.object({
  schemaVersion: version1,
  name: text(200).min(1),
  description: text(20_000).default(''),
  createdAt: text(100),
  updatedAt: text(100),
  servers: z.array(serverSchema).max(10_000).optional(),
  target: z
    .object({
      poa: endpoint.optional(),
      pba: endpoint.optional(),
      tlsFingerprint: text(200).optional(),
      sandbox: z.boolean().optional(),
    })
    .optional(),
});

export type ProjectMember = z.infer<typeof projectMemberSchema>;

/** Parses the bundle's project.json (`{json}` only) or refuses it naming the field. */
export function projectMember(where: string, content: unknown): ProjectMember {
  const wrapped = z.object({ json: z.unknown() }).strict().safeParse(content);
  if (!wrapped.success)
    throw new MmError(
      'bundle-invalid',
      `${where}: the member project.json is not a {"json": ...} document.`,
      `${where}:project.json`,
    );
  const parsed = projectMemberSchema.safeParse(wrapped.data.json);
  if (!parsed.success)
    throw new MmError(
      'bundle-invalid',
      `${where}: ${describeIssue('the member project.json', parsed.error)}; nothing was opened.`,
      `${where}:project.json`,
    );
  return parsed.data;
}
