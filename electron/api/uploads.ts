/**
 * Uploads: work on a file the user picks (a review bundle to open or to merge comments from, up
 * to 256 MB), handed over as a file instead of crossing IPC or HTTP as one string of base64. Like
 * a download, two steps, so nothing is read before the request is known to be good:
 *   prepareUpload  checks the request (the upload's own schema) and what it names (a project to
 *                  merge into) — before anyone picks a file;
 *   run(file)      does the work on the picked file, which the core reads as it gunzips.
 * The shells bring the file: the desktop app asks with its open dialog and reads the file picked
 * where it is (openUpload; the renderer never holds a byte of it), the browser host takes the
 * request's raw body into a temporary file in the data dir, removed either way (receiveUpload).
 * Either way a file over the upload's cap is refused naming the cap, before any of it is read.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import {
  UPLOAD_CHANNELS,
  type UploadChannel,
  type UploadResponses,
  type UploadResult,
  uploadSchemas,
} from '../../shared/contract';
import { type Result, err, ok } from '../../shared/result';
import type { Core } from '../core/core';
import { toAppError } from '../core/errors';
import { MAX_BUNDLE_BYTES } from '../core/review/bundle';
import { parseWith } from './downloads';

/** The file an upload works on: where it is now, and the name the user knows it by. */
export interface UploadedFile {
  readonly path: string;
  readonly fileName: string;
}

/** The kind of file an upload takes: for the open dialog's filter, and its cap. */
export interface UploadKind {
  readonly name: string;
  readonly extensions: readonly string[];
  readonly maxBytes: number;
}

export interface PreparedUpload<C extends UploadChannel> {
  readonly kind: UploadKind;
  /** Does the work on the file (read where it is, as the core reads it). */
  run(file: UploadedFile): Promise<UploadResponses[C]>;
}

type Parsed<C extends UploadChannel> = z.output<(typeof uploadSchemas)[C]>;
type Preparer<C extends UploadChannel> = (core: Core, req: Parsed<C>) => Promise<PreparedUpload<C>>;

/** A review bundle: at most the size a bundle may have (bundle.ts). */
export const BUNDLE_UPLOAD: UploadKind = {
  name: 'Review bundle',
  extensions: ['mmreview'],
  maxBytes: MAX_BUNDLE_BYTES,
};

const preparers: { [C in UploadChannel]: Preparer<C> } = {
  'review:open': async (core) => ({
    kind: BUNDLE_UPLOAD,
    run: (file) => core.review.openBundle({ path: file.path }, file.fileName),
  }),
  'review:merge-comments': async (core, req) => {
    await core.projects.read(req.projectId); // an unknown project is refused before any picking
    return {
      kind: BUNDLE_UPLOAD,
      run: (file) => core.review.mergeComments(req.projectId, { path: file.path }, file.fileName),
    };
  },
};

export function isUploadChannel(channel: unknown): channel is UploadChannel {
  return typeof channel === 'string' && (UPLOAD_CHANNELS as readonly string[]).includes(channel);
}

/** The upload a request names, checked, before any file is picked or sent; or why not. */
export async function prepareUpload<C extends UploadChannel>(
  core: Core,
  channel: C,
  payload: unknown,
): Promise<Result<PreparedUpload<C>>>;
export async function prepareUpload(
  core: Core,
  channel: unknown,
  payload: unknown,
): Promise<Result<PreparedUpload<UploadChannel>>>;
export async function prepareUpload(
  core: Core,
  channel: unknown,
  payload: unknown,
): Promise<Result<PreparedUpload<UploadChannel>>> {
  if (!isUploadChannel(channel))
    return err('unknown-call', `There is no upload named "${String(channel)}".`, String(channel));
  const parsed = parseWith(uploadSchemas[channel] as z.ZodType<Parsed<typeof channel>>, channel, payload);
  if (!parsed.ok) return parsed;
  try {
    const prepared = await (preparers[channel] as Preparer<typeof channel>)(core, parsed.value);
    return ok(prepared as PreparedUpload<UploadChannel>);
  } catch (e) {
    return { ok: false, error: toAppError(e) };
  }
}

const MB = (n: number): string => `${Math.ceil(n / 1048576)} MB`;

/** The refusal of a file over the cap, naming the cap. */
export function tooLarge(fileName: string, kind: UploadKind, size?: number): Result<never> {
  return err(
    'too-large',
    `${fileName} is too large${size === undefined ? '' : ` (${MB(size)})`}: a ${kind.name.toLowerCase()} may be at most ${MB(kind.maxBytes)}.`,
    fileName,
  );
}

/** The work done on an uploaded file, as a Result. */
async function runOn<C extends UploadChannel>(
  prepared: PreparedUpload<C>,
  file: UploadedFile,
): Promise<Result<UploadResult<C>>> {
  try {
    const value = await prepared.run(file);
    return ok({ picked: true, fileName: file.fileName, value } as UploadResult<C>);
  } catch (e) {
    return { ok: false, error: toAppError(e) };
  }
}

/**
 * The desktop app's upload: checks the request, asks which file (`pickOpen`, the open dialog;
 * undefined when cancelled), refuses one over the cap, then works on the file where it is: the
 * core reads it as it gunzips, nothing of it is copied or sent to the renderer.
 */
export async function openUpload<C extends UploadChannel>(
  core: Core,
  channel: C,
  payload: unknown,
  pickOpen: (kind: UploadKind) => Promise<string | undefined>,
): Promise<Result<UploadResult<C>>>;
export async function openUpload(
  core: Core,
  channel: unknown,
  payload: unknown,
  pickOpen: (kind: UploadKind) => Promise<string | undefined>,
): Promise<Result<UploadResult<UploadChannel>>>;
export async function openUpload(
  core: Core,
  channel: unknown,
  payload: unknown,
  pickOpen: (kind: UploadKind) => Promise<string | undefined>,
): Promise<Result<UploadResult<UploadChannel>>> {
  const prepared = await prepareUpload(core, channel, payload);
  if (!prepared.ok) return prepared;
  const path = await pickOpen(prepared.value.kind);
  if (path === undefined) return ok({ picked: false });
  const fileName = basename(path);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return err('invalid-input', `${fileName} is not a file.`, fileName);
    size = info.size;
  } catch {
    return err('invalid-input', `Cannot read ${fileName}.`, fileName);
  }
  if (size > prepared.value.kind.maxBytes) return tooLarge(fileName, prepared.value.kind, size);
  return runOn(prepared.value, { path, fileName });
}

/** Thrown inside the copy when the body passes the cap. */
class OverCap extends Error {}

/**
 * The browser host's upload: the request's body (the file's raw bytes, `declared` its announced
 * length) goes, as it arrives, into a temporary file in `dir` (0600), within the cap — a body
 * announced or found larger is refused naming the cap, and stops being read. The work then
 * reads that file; it is removed either way.
 */
export async function receiveUpload<C extends UploadChannel>(
  prepared: PreparedUpload<C>,
  fileName: string,
  body: AsyncIterable<Buffer>,
  declared: number | undefined,
  dir: string,
): Promise<Result<UploadResult<C>>> {
  const { maxBytes } = prepared.kind;
  if (declared !== undefined && declared > maxBytes) return tooLarge(fileName, prepared.kind, declared);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // A dot file beside the projects, never inside one: no project or store lists it.
  const temp = join(dir, `.upload-${randomUUID()}.part`);
  try {
    let size = 0;
    async function* capped(): AsyncGenerator<Buffer> {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > maxBytes) throw new OverCap();
        yield chunk;
      }
    }
    try {
      await pipeline(capped(), createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    } catch (e) {
      if (e instanceof OverCap) return tooLarge(fileName, prepared.kind);
      return { ok: false, error: { ...toAppError(e), where: fileName } };
    }
    return await runOn(prepared, { path: temp, fileName });
  } finally {
    await rm(temp, { force: true });
  }
}
