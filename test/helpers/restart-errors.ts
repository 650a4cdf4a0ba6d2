/**
 * The page's errors across a host restart. Stopping the host makes the page's event stream
 * fail until a host listens again: each retry is a console error (connection refused while
 * nothing listens, reset or empty answer while the host closes its sockets). Those, and only
 * those, are expected: of the stream (/api/events), of the restarted host's origin, seen while
 * it was down. Any other error, or a stream error before the stop or after the page is live
 * again, is a fault the restart must not hide.
 */
import type { Page, Request } from 'playwright-core';

export interface PageError {
  readonly text: string;
  /** The address it concerns ('' for an uncaught exception of the page). */
  readonly url: string;
  /** When the test saw it (Date.now()). */
  readonly at: number;
}

/** Every console error, uncaught exception and HTTP answer of 400 or more, with where and when. */
export function watchErrorsAt(page: Page): PageError[] {
  const errors: PageError[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push({ text: m.text(), url: m.location().url, at: Date.now() });
  });
  page.on('pageerror', (e) => errors.push({ text: e.message, url: '', at: Date.now() }));
  page.on('response', (r) => {
    if (r.status() >= 400)
      errors.push({
        text: `HTTP ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`,
        url: r.url(),
        at: Date.now(),
      });
  });
  return errors;
}

/**
 * The page's calls (/api/call/…), to stop the host only once the page is settled: no call
 * pending and none started for `ms`. A call the page makes while the host goes down fails
 * however well the host stops (a browser queues some of a burst of calls itself); stopping a
 * settled page makes any failed call a fault. (A call the host holds when it stops gets its
 * answer: test/api/host-close.test.ts.)
 */
export function watchCalls(page: Page): { quietFor(ms: number): boolean } {
  const pending = new Set<Request>();
  let lastChange = Date.now();
  page.on('request', (r) => {
    if (!new URL(r.url()).pathname.startsWith('/api/call/')) return;
    pending.add(r);
    lastChange = Date.now();
  });
  const settled = (r: Request): void => {
    if (pending.delete(r)) lastChange = Date.now();
  };
  page.on('requestfinished', settled);
  page.on('requestfailed', settled);
  return { quietFor: (ms) => pending.size === 0 && Date.now() - lastChange >= ms };
}

/** A host's time down: from just before its stop to the moment the page was live again. */
export interface RestartWindow {
  readonly origin: string;
  readonly from: number;
  readonly to: number;
}

const RESTART_ERROR = /net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE)/;

/** Whether the restart explains this error: a failed try of that host's stream while it was down. */
export function causedByRestart(error: PageError, window: RestartWindow): boolean {
  return (
    RESTART_ERROR.test(error.text) &&
    error.url.startsWith(`${window.origin}/api/events`) &&
    error.at >= window.from &&
    error.at <= window.to
  );
}

/** The errors the restart does not explain, each said with its address and its time in the window. */
export function unexplainedErrors(errors: readonly PageError[], window: RestartWindow): string[] {
  return errors
    .filter((e) => !causedByRestart(e, window))
    .map((e) => `${e.text} (${e.url || 'no address'}, ${e.at - window.from} ms after the stop began)`);
}
