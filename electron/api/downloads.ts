/**
 * Downloads: the file a call answers (a rehearsal's CSV/JSON, hundreds of MB at 10×), saved as
 * it is made instead of crossing IPC or HTTP as one string. Two steps, so nothing is opened that
 * nobody reads:
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
import { DOWNLOAD_CHANNELS, type DownloadChannel, type DownloadResult } from '../../shared/contract';
import { type Result, err, ok } from '../../shared/result';
import type { Core } from '../core/core';
import { toAppError } from '../core/errors';
import { rehearsalExportName } from '../core/rehearsal/rehearsal-report';
import type { StreamedReport } from '../core/rehearsal/rehearsal-service';
import { type Parsed, parseRequest } from './handlers';

export interface PreparedDownload {
  /** The name to save under (the opened report's own name is the same). */
  readonly fileName: string;
  /** Opens the file's pieces: call once, then read them. */
  open(): Promise<StreamedReport>;
}

type Preparer<C extends DownloadChannel> = (core: Core, req: Parsed<C>) => Promise<PreparedDownload>;

const preparers: { [C in DownloadChannel]: Preparer<C> } = {
  'rehearsal:export': async (core, req) => {
    // Resolves "the newest" to an id now, and refuses an unknown rehearsal before any save dialog.
    const { id } = await core.rehearsals.outcome(req.projectId, req.id);
    return {
      fileName: rehearsalExportName(req.projectId, id, req.format),
      open: () => core.rehearsals.reportStream(req.projectId, req.format, id),
    };
  },
};

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
  const parsed = parseRequest(channel, payload);
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

async function writePiecesTo(path: string, pieces: StreamedReport['pieces']): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.part`);
  try {
    await pipeline(Readable.from(pieces), createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
