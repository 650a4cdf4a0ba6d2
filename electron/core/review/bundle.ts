/**
 * Review bundles (SPEC R10): one file with everything of a project that a reviewer studies
 * offline — inventories, mapping, selection, verification results, decisions, logs, reports,
 * comments — and no secrets: the data dir's secret store is never read, and every value under
 * a secret-looking key (server and target credentials, customers' CCP, mailbox, FTP, database
 * and registrar passwords and hashes, card numbers) is masked on the way out.
 * Format: gzip of JSON `{format, formatVersion, exportedAt, exportedBy, project, files}` where
 * `files` maps each relative path of the project folder to its (masked) content. The JSON is
 * written into the gzip in pieces: a member that can be large (a rehearsal's holdings, ~2 million
 * objects at 10×) is a StreamedArray, written element by element as its source is read, never
 * as one string; the gzip comes out in pieces too (`bundlePieces`), saved as it is made.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import type { TargetHolding } from '../../../shared/model/rehearsal';
import type { ReviewComment } from '../../../shared/model/review';
import type { ProjectSummary } from '../../../shared/model/project';
import { MmError } from '../errors';
import { maskSecrets } from '../log/mask';
import type { ProjectFile } from '../project/project-file';
import { type ProjectService, projectIdFromName } from '../project/project-service';
import { REVIEW_MARKER } from '../store/document-file';
import { adoptWrittenFiles, storedProjectFiles } from '../store/postgres-files';
import { type HoldingsWriter, openHoldingsWriter } from '../rehearsal/holdings-file';
import {
  type ProjectMember,
  describeIssue,
  holdingsMemberText,
  isBundleMember,
  isStreamedMember,
  safeMemberKind,
  memberText,
  projectMember,
} from './bundle-members';
import { COMMENTS_FILE } from './comments';
import { type BundleSource, type HoldingsSink, type ScanLimits, scanBundle } from './bundle-scan';

export type { BundleSource } from './bundle-scan';

export const BUNDLE_FORMAT = 'migration-manager-review-bundle';
const BUNDLE_VERSION = 1;

type FileContent = { readonly json: unknown } | { readonly lines: readonly unknown[] };

export interface Bundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly formatVersion: number;
  readonly exportedAt: string;
  readonly exportedBy: string;
  readonly project: { readonly id: string; readonly name: string };
  readonly files: Readonly<Record<string, FileContent>>;
  /** Holdings members that went to the reader's sinks (checked, not in `files`). */
  readonly streamed?: readonly string[];
}

/**
 * A bundle member that is a JSON array too large to hold as one value: its elements in pieces,
 * read afresh when the bundle is written (already masked by whoever gives it).
 */
export class StreamedArray {
  constructor(readonly pieces: () => AsyncIterable<readonly unknown[]>) {}
}

/** Extra files made at export time (reports, or a StreamedArray), by relative path. */
export type ExtraFiles = Readonly<Record<string, unknown>>;

/** The bundle's JSON text in pieces: the header, each member, each streamed member element by element. */
async function* bundleText(
  header: Omit<Bundle, 'files'>,
  files: Readonly<Record<string, FileContent>>,
  streamed: readonly (readonly [string, StreamedArray])[],
): AsyncGenerator<string> {
  const head = JSON.stringify(header);
  yield `${head.slice(0, -1)},"files":{`;
  let first = true;
  const comma = (): string => {
    const c = first ? '' : ',';
    first = false;
    return c;
  };
  for (const [rel, content] of Object.entries(files))
    yield `${comma()}${JSON.stringify(rel)}:${JSON.stringify(content)}`;
  for (const [rel, member] of streamed) {
    yield `${comma()}${JSON.stringify(rel)}:{"json":[`;
    let n = 0;
    for await (const part of member.pieces()) {
      let text = '';
      for (const value of part) text += `${n++ === 0 ? '\n' : ',\n'}${JSON.stringify(value)}`;
      if (text !== '') yield text;
    }
    yield ']}';
  }
  yield '}}';
}

/**
 * Gzips text given in pieces, giving the compressed bytes as they come: a reader that stops
 * early (a closed download) stops the text's source too; a failure of the source is thrown here.
 */
async function* gzipPieces(pieces: AsyncIterable<string>): AsyncGenerator<Buffer> {
  const gzip = createGzip();
  const fed = pipeline(Readable.from(pieces), gzip);
  fed.catch(() => undefined); // its failure destroys gzip, which throws it below
  try {
    for await (const chunk of gzip) yield chunk as Buffer;
    await fed;
  } finally {
    gzip.destroy();
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.endsWith('.lock')) out.push(...(await walk(path)));
    } else if (entry.isFile() && /\.(json|jsonl)$/.test(entry.name) && !entry.name.startsWith('.')) {
      out.push(path);
    }
  }
  return out.sort();
}

/** Strips what reaches a source or a target from the project file; masks the rest. */
function forReview(project: ProjectFile): unknown {
  const { target, ...rest } = project;
  return maskSecrets({
    ...rest,
    ...(target
      ? {
          target: {
            ...(target.poa ? { poa: { url: target.poa.url, user: '***' } } : {}),
            ...(target.pba ? { pba: { url: target.pba.url, user: '***' } } : {}),
            ...(target.sandbox ? { sandbox: true } : {}),
          },
        }
      : {}),
  });
}

/** Replaces every occurrence of the given values in every string of a JSON value. */
function scrub(value: unknown, words: readonly string[]): unknown {
  if (words.length === 0) return value;
  if (typeof value === 'string') return words.reduce((s, w) => s.split(w).join('***'), value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, words));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scrub(v, words)]),
    );
  }
  return value;
}

/** The whole bundle in memory (tests, and small projects); `bundlePieces` is what saves one. */
export async function buildBundle(
  projects: ProjectService,
  projectId: string,
  exportedBy: string,
  extra: ExtraFiles = {},
): Promise<{ bytes: Buffer; fileName: string }> {
  const exportedAt = new Date();
  const chunks: Buffer[] = [];
  for await (const chunk of bundlePieces(projects, projectId, exportedBy, async () => extra, exportedAt))
    chunks.push(chunk);
  const project = await projects.read(projectId);
  return { bytes: Buffer.concat(chunks), fileName: bundleFileName(project.name, exportedAt) };
}

/** The name a bundle of the project is saved under ("acme-review-2026-12-02-17-30.mmreview"). */
export function bundleFileName(projectName: string, exportedAt: Date): string {
  const stamp = exportedAt.toISOString().slice(0, 16).replace(/[:T]/g, '-');
  return `${projectIdFromName(originalName(projectName))}-review-${stamp}.mmreview`;
}

/**
 * The project's files as bundle members (masked), by relative path: the folder's, and on
 * PostgreSQL the stored documents and journals as the files they stand for. A function of its
 * own so the stored texts are let go once parsed, before the bundle is written.
 */
async function reviewFiles(
  dir: string,
  project: ProjectFile,
  clean: (v: unknown) => unknown,
): Promise<Record<string, FileContent>> {
  const files: Record<string, FileContent> = {};
  const stored = await storedProjectFiles(dir);
  const onDisk = (await walk(dir)).map((file) => relative(dir, file).split(sep).join('/'));
  for (const rel of [...new Set([...onDisk, ...(stored?.keys() ?? [])])].sort()) {
    const file = join(dir, ...rel.split('/'));
    // Only what a bundle may hold on the way in goes out (backups, lock files and files of
    // newer features stay home), so every exported bundle opens.
    if (!isBundleMember(rel)) continue;
    // A rehearsal's holdings go out streamed, for the rehearsals the bundle carries.
    if (isStreamedMember(rel)) continue;
    const text = stored?.get(rel) ?? (await readFile(file, 'utf8'));
    stored?.delete(rel);
    if (rel === 'project.json') {
      files[rel] = { json: forReview(project) };
    } else if (file.endsWith('.jsonl')) {
      files[rel] = {
        lines: text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .flatMap((l) => {
            try {
              return [clean(JSON.parse(l))];
            } catch {
              return [];
            }
          }),
      };
    } else {
      try {
        files[rel] = { json: clean(JSON.parse(text)) };
      } catch {
        throw new MmError('store-corrupt', `${file} is not valid JSON; repair it before exporting.`, file);
      }
    }
  }
  return files;
}

/**
 * The bundle's gzip bytes in pieces, made as they are read: nothing is read before the first
 * piece is asked for (`extra()`, the reports of the moment, then the project's files), and the
 * compressed bundle is never held whole.
 */
export async function* bundlePieces(
  projects: ProjectService,
  projectId: string,
  exportedBy: string,
  extra: () => Promise<ExtraFiles> = async () => ({}),
  exportedAt = new Date(),
): AsyncGenerator<Buffer> {
  const dir = projects.projectDir(projectId);
  const project = await projects.read(projectId);
  // Target log-ins are credentials even where no key says so (a log line's details).
  const words = [project.target?.poa?.user, project.target?.pba?.user].filter(
    (w): w is string => !!w && w.length >= 3,
  );
  const clean = (v: unknown): unknown => scrub(maskSecrets(v), words);
  // The reports first: what making them takes is let go before the project's files are read
  // (on PostgreSQL every stored document's text at once), as it was when bundles were one string.
  const reports: Record<string, FileContent> = {};
  const streamed: [string, StreamedArray][] = [];
  for (const [rel, content] of Object.entries(await extra())) {
    // A report the allow-list does not know would make a bundle no one can open.
    if (!isBundleMember(rel))
      throw new MmError(
        'internal',
        `The report ${rel} is not a review bundle member (bundle-members.ts).`,
        rel,
      );
    if (content instanceof StreamedArray) streamed.push([rel, content]);
    else reports[rel] = { json: content };
  }
  const files = { ...(await reviewFiles(dir, project, clean)), ...reports };
  const header: Omit<Bundle, 'files'> = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_VERSION,
    exportedAt: exportedAt.toISOString(),
    exportedBy,
    project: { id: project.id, name: project.name },
  };
  yield* gzipPieces(bundleText(header, files, streamed));
}

/** The project a review copy was made from: "Acme (review) 2" → "Acme"; other names as they are. */
export function originalName(name: string): string {
  return name.replace(/ \(review\)( \d+)?$/, '');
}

/**
 * The whole bundle as it arrives (before expansion): a project's JSON compresses about 10:1, a
 * 10× rehearsal's objects (~300 MB of JSON) to ~30 MB. A bundle read from a file (an upload, the
 * CLI) is gunzipped as it is read, never held whole.
 */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
/** What the header and the members other than streamed holdings may expand to: JSON.parse takes several times this in memory. */
export const MAX_EXPANDED_BYTES = 256 * 1024 * 1024;
/** One rehearsal's objects, streamed to their file: a 10× rehearsal's are ~300 MB. */
export const MAX_HOLDINGS_MEMBER_BYTES = 1024 * 1024 * 1024;
/** Every rehearsal's objects of a bundle together (on disk, never in memory). */
export const MAX_STREAMED_BYTES = 4 * 1024 * 1024 * 1024;

const MB = (n: number): string => `${Math.ceil(n / 1048576)} MB`;

export interface ReadLimits extends Partial<ScanLimits> {
  /**
   * A holdings member: 'check' (the default) checks each object and keeps none, 'keep' keeps it
   * in `files` like any member (within maxExpandedBytes), or a sink per member to stream it to.
   */
  readonly holdings?: 'check' | 'keep' | ((name: string) => Promise<HoldingsSink>);
}

/** Checks every object and keeps none (a reader that wants the other members only). */
const checkOnly = async (): Promise<HoldingsSink> => ({ write: async () => undefined });

const envelopeSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.number().int().min(1),
  exportedAt: z.string().max(100),
  exportedBy: z.string().max(200),
  project: z.object({ id: z.string().max(200), name: z.string().min(1).max(200) }),
  files: z.record(z.string(), z.unknown()),
});

/**
 * Reads and checks a bundle: size before and after expansion, the envelope, every member's name
 * (an allow-list) and every member's content against its schema. Nothing is written here, so a
 * bundle is refused whole before any file of it reaches the disk.
 */
export async function readBundle(
  source: BundleSource,
  where: string,
  limits: ReadLimits = {},
): Promise<Bundle> {
  const size = Buffer.isBuffer(source) ? source.length : await fileSize(source.path, where);
  if (size > MAX_BUNDLE_BYTES)
    throw new MmError(
      'bundle-too-large',
      `${where} is too large (${MB(size)}, limit ${MB(MAX_BUNDLE_BYTES)}).`,
      where,
    );
  const holdings = limits.holdings ?? 'check';
  const scanned = await scanBundle(
    source,
    where,
    {
      maxExpandedBytes: limits.maxExpandedBytes ?? MAX_EXPANDED_BYTES,
      maxHoldingsMemberBytes: limits.maxHoldingsMemberBytes ?? MAX_HOLDINGS_MEMBER_BYTES,
      maxStreamedBytes: limits.maxStreamedBytes ?? MAX_STREAMED_BYTES,
    },
    holdings === 'keep' ? undefined : holdings === 'check' ? checkOnly : holdings,
  );
  const version = scanned.header['formatVersion'];
  if (typeof version === 'number' && version > BUNDLE_VERSION) {
    throw new MmError(
      'bundle-too-new',
      `${where} was written by a newer Migration Manager (bundle format ${version}).`,
      where,
    );
  }
  const envelope = envelopeSchema.safeParse({
    ...scanned.header,
    ...(scanned.hasFiles ? { files: Object.fromEntries(scanned.members) } : {}),
  });
  if (!envelope.success)
    throw new MmError(
      'bundle-invalid',
      `${where} is not a Migration Manager review bundle (${describeIssue('its header', envelope.error)}).`,
      where,
    );
  const files: Record<string, FileContent> = {};
  for (const [name, content] of Object.entries(envelope.data.files)) {
    const kind = safeMemberKind(where, name);
    if (kind.kind === 'fixed' && kind.name === 'project.json') {
      files[name] = { json: projectMember(where, content) };
    } else {
      // Parsed into its schema now, re-serialised from the parsed value when written.
      const text = memberText(where, name, kind, content);
      files[name] = name.endsWith('.jsonl')
        ? {
            lines: text
              .split('\n')
              .filter((l) => l !== '')
              .map((l) => JSON.parse(l) as unknown),
          }
        : { json: JSON.parse(text) as unknown };
    }
  }
  return { ...envelope.data, format: BUNDLE_FORMAT, files, streamed: scanned.streamed };
}

async function fileSize(path: string, where: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    throw new MmError('invalid-input', `Cannot read ${where}.`, where);
  }
}

/**
 * Opens a bundle as a new read-only project in this data dir; returns its id. Each rehearsal's
 * objects are written, as they are read, to a staging folder beside the projects (never a
 * project itself); they are moved into the copy once the whole bundle has been checked, and the
 * staging folder goes either way.
 */
export async function openBundle(
  projects: ProjectService,
  source: BundleSource,
  bundleName: string,
  limits: Omit<ReadLimits, 'holdings'> = {},
): Promise<ProjectSummary> {
  const staging = join(dirname(projects.projectsDir), `.review-staging-${randomUUID()}`);
  const writers: HoldingsWriter[] = [];
  try {
    const bundle = await readBundle(source, bundleName, {
      ...limits,
      holdings: async (name) => {
        const writer = await openHoldingsWriter(memberPath(staging, name));
        writers.push(writer);
        return { write: (part) => writer.write(part as readonly TargetHolding[]) };
      },
    });
    for (const writer of writers) await writer.commit();
    return await writeCopy(projects, bundle, bundleName, staging);
  } finally {
    // committed writers have nothing left to drop; the others leave no temporary file
    for (const writer of writers) await writer.abort().catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
  }
}

/** The copy's folder from a checked bundle, its streamed members taken from `staging`. */
async function writeCopy(
  projects: ProjectService,
  bundle: Bundle,
  bundleName: string,
  staging: string,
): Promise<ProjectSummary> {
  const projectContent = bundle.files['project.json'];
  if (!projectContent || !('json' in projectContent))
    throw new MmError(
      'bundle-invalid',
      `${bundleName} holds no project.json; nothing was opened.`,
      bundleName,
    );
  const member = projectContent.json as ProjectMember;
  const existing = new Set((await projects.list()).map((p) => p.id));
  // A review copy of a review copy is named after the original, not "… (review) (review)".
  const base = `${originalName(member.name)} (review)`;
  let name = base;
  for (let n = 2; existing.has(projectIdFromName(name)); n++) name = `${base} ${n}`;
  const id = projectIdFromName(name);
  const dir = projects.projectDir(id);
  // The project file is the manager's: identity, demo flag and review state are set here,
  // whatever the bundle says (a copy is never the live demo; the start-up must not touch it).
  const project: ProjectFile = {
    schemaVersion: 1,
    id,
    name,
    description: member.description,
    createdAt: member.createdAt,
    updatedAt: member.updatedAt,
    demo: false,
    ...(member.servers ? { servers: member.servers as ProjectFile['servers'] } : {}),
    ...(member.target ? { target: member.target } : {}),
    review: {
      bundleName,
      exportedAt: bundle.exportedAt,
      exportedBy: bundle.exportedBy,
      exportedFrom: member.name,
      openedAt: new Date().toISOString(),
    },
  };
  await mkdir(projects.projectsDir, { recursive: true });
  // Not recursive: the folder must be new (a copy never lands in an existing project).
  await mkdir(dir).catch((e: unknown) => {
    throw new MmError(
      'bundle-invalid',
      `Cannot create the review copy ${dir}: ${e instanceof Error ? e.message : String(e)}`,
      dir,
    );
  });
  try {
    // The marker first: even a half-written copy is read-only and reaches no server.
    await writeFile(join(dir, REVIEW_MARKER), `Opened from ${bundleName}: read-only.\n`);
    for (const [rel, content] of Object.entries(bundle.files)) {
      const file = memberPath(dir, rel);
      await mkdir(dirname(file), { recursive: true });
      const text =
        rel === 'project.json'
          ? JSON.stringify(project)
          : 'lines' in content
            ? content.lines.map((l) => JSON.stringify(l)).join('\n') + (content.lines.length > 0 ? '\n' : '')
            : isStreamedMember(rel)
              ? holdingsMemberText(content.json as readonly unknown[])
              : JSON.stringify(content.json);
      await writeFile(file, text, { flag: 'wx' });
    }
    // A rehearsal's objects (and whatever the writer put beside them: their index) move in whole.
    for (const rel of bundle.streamed ?? []) {
      const from = dirname(memberPath(staging, rel));
      const to = dirname(memberPath(dir, rel));
      await mkdir(to, { recursive: true });
      for (const name of await readdir(from)) await rename(join(from, name), join(to, name));
    }
    // A data dir whose projects live in PostgreSQL keeps the copy's documents there too.
    await adoptWrittenFiles(dir);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const opened = (await projects.list()).find((p) => p.id === id);
  if (!opened || opened.problem) {
    await rm(dir, { recursive: true, force: true });
    throw new MmError(
      'bundle-invalid',
      `${bundleName} does not hold a readable project${opened?.problem ? `: ${opened.problem}` : ''}.`,
      bundleName,
    );
  }
  return opened;
}

/** The file a member goes to: inside the copy's folder, or nowhere (a second check after the allow-list). */
function memberPath(dir: string, rel: string): string {
  const file = join(dir, ...rel.split('/'));
  const back = relative(dir, file);
  if (back === '' || back.startsWith('..') || isAbsolute(back))
    throw new MmError('bundle-invalid', `A bundle member would be written outside the copy: ${rel}`, rel);
  return file;
}

/** The reviewer's comments inside a bundle exported back from a review copy. */
export function commentsOf(bundle: Bundle): readonly ReviewComment[] {
  const file = bundle.files[COMMENTS_FILE];
  if (!file || !('json' in file)) return [];
  // readBundle parsed comments.json into its schema: every comment has its fields.
  return (file.json as { comments: ReviewComment[] }).comments;
}
