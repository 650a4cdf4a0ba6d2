/**
 * Review bundles (SPEC R10): one file with everything of a project that a reviewer studies
 * offline — inventories, mapping, selection, verification results, decisions, logs, reports,
 * comments — and no secrets: the data dir's secret store is never read, and every value under
 * a secret-looking key (server and target credentials, customers' CCP, mailbox, FTP, database
 * and registrar passwords and hashes, card numbers) is masked on the way out.
 * Format: gzip of JSON `{format, formatVersion, exportedAt, exportedBy, project, files}` where
 * `files` maps each relative path of the project folder to its (masked) content.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ReviewComment } from '../../../shared/model/review';
import type { ProjectSummary } from '../../../shared/model/project';
import { MmError } from '../errors';
import { maskSecrets } from '../log/mask';
import type { ProjectFile } from '../project/project-file';
import { type ProjectService, projectIdFromName } from '../project/project-service';
import { REVIEW_MARKER } from '../store/document-file';
import { COMMENTS_FILE } from './comments';

export const BUNDLE_FORMAT = 'migration-manager-review-bundle';
const BUNDLE_VERSION = 1;
const MAX_BUNDLE_BYTES = 512 * 1024 * 1024;

type FileContent = { readonly json: unknown } | { readonly lines: readonly unknown[] };

export interface Bundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly formatVersion: number;
  readonly exportedAt: string;
  readonly exportedBy: string;
  readonly project: { readonly id: string; readonly name: string };
  readonly files: Readonly<Record<string, FileContent>>;
}

/** Extra files made at export time (reports), by relative path. */
export type ExtraFiles = Readonly<Record<string, unknown>>;

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

export async function buildBundle(
  projects: ProjectService,
  projectId: string,
  exportedBy: string,
  extra: ExtraFiles = {},
): Promise<{ bytes: Buffer; fileName: string }> {
  const dir = projects.projectDir(projectId);
  const project = await projects.read(projectId);
  // Target log-ins are credentials even where no key says so (a log line's details).
  const words = [project.target?.poa?.user, project.target?.pba?.user].filter(
    (w): w is string => !!w && w.length >= 3,
  );
  const clean = (v: unknown): unknown => scrub(maskSecrets(v), words);
  const files: Record<string, FileContent> = {};
  for (const file of await walk(dir)) {
    const rel = relative(dir, file).split(sep).join('/');
    const text = await readFile(file, 'utf8');
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
  for (const [rel, content] of Object.entries(extra)) files[rel] = { json: content };
  const bundle: Bundle = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_VERSION,
    exportedAt: new Date().toISOString(),
    exportedBy,
    project: { id: project.id, name: project.name },
    files,
  };
  const stamp = bundle.exportedAt.slice(0, 16).replace(/[:T]/g, '-');
  return {
    bytes: gzipSync(JSON.stringify(bundle)),
    fileName: `${project.id}-review-${stamp}.mmreview`,
  };
}

export function readBundle(bytes: Buffer, where: string): Bundle {
  if (bytes.length > MAX_BUNDLE_BYTES)
    throw new MmError('bundle-too-large', `${where} is larger than a review bundle can be.`, where);
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(bytes, { maxOutputLength: 4 * MAX_BUNDLE_BYTES }).toString('utf8'));
  } catch {
    throw new MmError(
      'bundle-invalid',
      `${where} is not a Migration Manager review bundle (not gzip-compressed JSON).`,
      where,
    );
  }
  const b = parsed as Partial<Bundle>;
  if (b.format !== BUNDLE_FORMAT || typeof b.files !== 'object' || b.files === null || !b.project) {
    throw new MmError('bundle-invalid', `${where} is not a Migration Manager review bundle.`, where);
  }
  if ((b.formatVersion ?? 0) > BUNDLE_VERSION) {
    throw new MmError(
      'bundle-too-new',
      `${where} was written by a newer Migration Manager (bundle format ${b.formatVersion}).`,
      where,
    );
  }
  for (const rel of Object.keys(b.files)) {
    if (rel.startsWith('/') || rel.split('/').includes('..') || !/\.(json|jsonl)$/.test(rel)) {
      throw new MmError('bundle-invalid', `${where} holds a file with an unsafe name: ${rel}`, where);
    }
  }
  return b as Bundle;
}

/** Opens a bundle as a new read-only project in this data dir; returns its id. */
export async function openBundle(
  projects: ProjectService,
  bytes: Buffer,
  bundleName: string,
): Promise<ProjectSummary> {
  const bundle = readBundle(bytes, bundleName);
  const existing = new Set((await projects.list()).map((p) => p.id));
  const base = `${bundle.project.name} (review)`;
  let name = base;
  for (let n = 2; existing.has(projectIdFromName(name)); n++) name = `${base} ${n}`;
  const id = projectIdFromName(name);
  const dir = join(projects.projectsDir, id);
  await mkdir(dir, { recursive: true });
  try {
    for (const [rel, content] of Object.entries(bundle.files)) {
      const file = join(dir, ...rel.split('/'));
      await mkdir(join(file, '..'), { recursive: true });
      let text: string;
      if ('lines' in content) text = content.lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
      else if (rel === 'project.json') {
        const original = content.json as ProjectFile;
        const project: ProjectFile = {
          ...original,
          id,
          name,
          // A copy is never the live demo: the app's start-up must not try to refresh it.
          demo: false,
          review: {
            bundleName,
            exportedAt: bundle.exportedAt,
            exportedBy: bundle.exportedBy,
            exportedFrom: bundle.project.name,
            openedAt: new Date().toISOString(),
          },
        };
        text = JSON.stringify(project);
      } else text = JSON.stringify(content.json);
      await writeFile(file, text);
    }
    await writeFile(join(dir, REVIEW_MARKER), `Opened from ${bundleName}: read-only.\n`);
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

/** The reviewer's comments inside a bundle exported back from a review copy. */
export function commentsOf(bundle: Bundle): readonly ReviewComment[] {
  const file = bundle.files[COMMENTS_FILE];
  if (!file || !('json' in file)) return [];
  const comments = (file.json as { comments?: unknown }).comments;
  return Array.isArray(comments) ? (comments as ReviewComment[]) : [];
}
