/**
 * The browser host's one-time download tokens. A page cannot stream a response body into a file
 * itself (a Blob is the whole file in memory), so it asks for the download with a call
 * (`POST /api/download/<channel>`, secret in the header as for every call) and gets a token that
 * a plain `GET /api/download/<token>` — an `<a download>` the browser saves as it arrives —
 * spends once. The GET still needs the secret (the cookie) and passes the Host/Origin checks; the
 * token only says which prepared download, and works once, within TICKET_TTL_MS.
 */
import { randomBytes } from 'node:crypto';
import type { PreparedDownload } from '../api/downloads';

/** How long a token waits for its GET: the page follows it at once. */
export const TICKET_TTL_MS = 60_000;

/** A token's shape (192 random bits, base64url): anything else is not looked up. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export class DownloadTickets {
  private readonly pending = new Map<string, { download: PreparedDownload; timer: NodeJS.Timeout }>();

  constructor(private readonly ttlMs = TICKET_TTL_MS) {}

  /** A new token for the download. */
  issue(download: PreparedDownload): string {
    const token = randomBytes(24).toString('base64url');
    // Nothing is open until the GET (PreparedDownload.open), so an expired token just goes.
    const timer = setTimeout(() => this.pending.delete(token), this.ttlMs);
    timer.unref();
    this.pending.set(token, { download, timer });
    return token;
  }

  /** The download of a token, once: a second take (or a late one) gets undefined. */
  take(token: string): PreparedDownload | undefined {
    const entry = this.pending.get(token);
    if (!entry) return undefined;
    this.pending.delete(token);
    clearTimeout(entry.timer);
    return entry.download;
  }

  clear(): void {
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}

/** A Content-Disposition naming the file for any browser (ASCII fallback and the UTF-8 name). */
export function attachmentHeader(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
