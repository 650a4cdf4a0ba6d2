/**
 * Downloads: a file the app makes (a rehearsal's CSV/JSON, hundreds of MB at 10×; a review
 * bundle; a report), saved as it is made instead of crossing IPC or HTTP as one string. Two
 * steps, so nothing is opened that nobody reads:
 *   prepareDownload  checks the request (the call's own schema) and what it names, and gives the
 *                    name to save under — nothing is read yet;
 *   open()           opens the file's pieces, for a reader that takes them to the end (or stops
 *                    its iteration, which closes what they read).
 * The shells deliver the pieces: the desktop app writes them to the file the user picks
 * (saveDownload), the browser host streams them to a one-time GET (host/http-server.ts).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import {
  DOWNLOAD_CHANNELS,
  type DownloadChannel,
  type DownloadResult,
  downloadSchemas,
} from '../../shared/contract';
import { type Result, err, ok } from '../../shared/result';
import type { Core } from '../core/core';
import { toAppError } from '../core/errors';
import { rehearsalExportName } from '../core/rehearsal/rehearsal-report';
import type { ReportPieces } from '../core/report/report-doc';

/** A file to save: its name, its type and its pieces (text or bytes), read once. */
export interface DownloadFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly pieces: AsyncIterable<string | Buffer> | Iterable<string | Buffer>;
}

export interface PreparedDownload {
  /** The name to save under (the opened file's own name is the same). */
  readonly fileName: string;
  /** Opens the file's pieces: call once, then read them. */
  open(): Promise<DownloadFile>;
}

type Parsed<C extends DownloadChannel> = z.output<(typeof downloadSchemas)[C]>;
type Preparer<C extends DownloadChannel> = (core: Core, req: Parsed<C>) => Promise<PreparedDownload>;

/** A report made now (bounded by the project's objects; refused now when there is none), written in pieces. */
const report = (made: ReportPieces): PreparedDownload => ({
  fileName: made.fileName,
  open: async () => made,
});

const preparers: { [C in DownloadChannel]: Preparer<C> } = {
  'rehearsal:export': async (core, req) => {
    // Resolves "the newest" to an id now, and refuses an unknown rehearsal before any save dialog.
    const { id } = await core.rehearsals.outcome(req.projectId, req.id);
    return {
      fileName: rehearsalExportName(req.projectId, id, req.format),
      open: () => core.rehearsals.reportStream(req.projectId, req.format, id),
    };
  },
  'review:export': async (core, req) => {
    // The name now (an unknown project is refused before any save dialog); the project's files
    // and reports are read, masked and gzipped only as the pieces are taken.
    const bundle = await core.review.exportFile(req.projectId);
    return { fileName: bundle.fileName, open: async () => bundle };
  },
  'reports:verification': async (core, req) =>
    report(await core.reports.verificationPieces(req.projectId, req.format)),
  'reports:migration': async (core, req) =>
    report(await core.reports.migrationPieces(req.projectId, req.format, req.jobId)),
  'checks:report': async (core, req) =>
    report(await core.checks.reportPieces(req.projectId, req.format, req.runId)),
};

/** A request checked against its schema: the parsed value, or where and why not (as a call's). */
export function parseWith<T>(schema: z.ZodType<T>, channel: string, payload: unknown): Result<T> {
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : channel;
    return err('invalid-input', issue ? `${where}: ${issue.message}` : 'invalid request', where);
  }
  return ok(parsed.data);
}

export function isDownloadChannel(channel: unknown): channel is DownloadChannel {
  return typeof channel === 'string' && (DOWNLOAD_CHANNELS as readonly string[]).includes(channel);
}

/** The download a request names, checked, not yet opened; or why not, as a Result error. */
export async function prepareDownload(
  core: Core,
  channel: unknown,
  payload: unknown,
): Promise<Result<PreparedDownload>> {
  if (!isDownloadChannel(channel))
    return err('unknown-call', `There is no download named "${String(channel)}".`, String(channel));
  const parsed = parseWith(downloadSchemas[channel] as z.ZodType<Parsed<typeof channel>>, channel, payload);
  if (!parsed.ok) return parsed;
  try {
    return ok(await (preparers[channel] as Preparer<typeof channel>)(core, parsed.value));
  } catch (e) {
    return { ok: false, error: toAppError(e) };
  }
}

/**
 * The desktop app's download: asks where (`pick`, the save dialog, undefined when cancelled),
 * then writes the pieces there as they come — to a temporary file beside it, renamed over it at
 * the end, so a failure midway leaves no half file under the chosen name.
 */
export async function saveDownload(
  core: Core,
  channel: unknown,
  payload: unknown,
  pick: (fileName: string) => Promise<string | undefined>,
): Promise<Result<DownloadResult>> {
  const prepared = await prepareDownload(core, channel, payload);
  if (!prepared.ok) return prepared;
  const path = await pick(prepared.value.fileName);
  if (path === undefined) return ok({ fileName: prepared.value.fileName, saved: false });
  try {
    await writePiecesTo(path, (await prepared.value.open()).pieces);
    return ok({ fileName: basename(path), saved: true });
  } catch (e) {
    return { ok: false, error: { ...toAppError(e), where: path } };
  }
}

/** Writes the pieces to a temporary file beside `path`, renamed over it at the end (0600). */
export async function writePiecesTo(path: string, pieces: DownloadFile['pieces']): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.part`);
  try {
    await pipeline(Readable.from(pieces), createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
