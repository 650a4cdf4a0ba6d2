/**
 * One LISTEN connection that stays up (issue 15): when it drops (the server restarts, a network
 * blip, `pg_terminate_backend`) it connects again with a capped backoff (0.5 s, 1 s, 2 s … 10 s)
 * and LISTENs again. Notifications sent while it was away are lost, so after each reconnect
 * `onResumed` tells the owner to treat everything as possibly changed.
 *
 * The drop and the reconnect are logged once each (not every failed attempt), naming the
 * database by host, port and name only: never a user or a password.
 */
import type pg from 'pg';

export const RECONNECT_FIRST_MS = 500;
export const RECONNECT_MAX_MS = 10_000;

export interface ListenOptions {
  /** A new, unconnected client for the database (called for each attempt). */
  readonly client: () => pg.Client;
  /** The channel to LISTEN on (a fixed identifier, never input). */
  readonly channel: string;
  /** Where, for the log: host:port/database. */
  readonly where: string;
  readonly onNotification: (msg: pg.Notification) => void;
  /** Connected and listening again after a drop: what was sent meanwhile was not heard. */
  readonly onResumed: () => void;
  readonly log?: (line: string) => void;
  readonly firstMs?: number;
  readonly maxMs?: number;
}

/** The wait before reconnect attempt `attempt` (0-based): doubling from first, capped at max. */
export function backoffMs(attempt: number, firstMs = RECONNECT_FIRST_MS, maxMs = RECONNECT_MAX_MS): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 30));
}

export class ListenConnection {
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #closed = false;
  readonly #log: (line: string) => void;

  constructor(private readonly options: ListenOptions) {
    this.#log = options.log ?? ((line) => console.warn(line));
  }

  /** The first connection: a failure is the caller's (the database is unreachable now). */
  async start(): Promise<void> {
    this.#client = await this.#open();
  }

  /** Connected and listening right now (false while waiting to reconnect). */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  async #open(): Promise<pg.Client> {
    const client = this.options.client();
    // errors surface as a rejected connect/query, or as 'end' once listening: never a crash
    client.on('error', () => undefined);
    try {
      await client.connect();
      client.on('notification', (msg) => this.options.onNotification(msg));
      await client.query(`LISTEN ${this.options.channel}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    client.once('end', () => this.#dropped(client));
    return client;
  }

  #dropped(client: pg.Client): void {
    if (this.#closed || client !== this.#client) return;
    this.#client = undefined;
    this.#attempt = 0;
    this.#log(`Live changes: the listening connection to ${this.options.where} dropped; reconnecting.`);
    this.#schedule();
  }

  #schedule(): void {
    const wait = backoffMs(this.#attempt++, this.options.firstMs, this.options.maxMs);
    this.#timer = setTimeout(() => void this.#retry(), wait);
    // a `mm` command ends when its work is done, even while the listener waits to reconnect
    this.#timer.unref();
  }

  async #retry(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    let client: pg.Client;
    try {
      client = await this.#open();
    } catch {
      if (!this.#closed) this.#schedule();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#log(
      `Live changes: listening to ${this.options.where} again after ${this.#attempt} attempt(s); ` +
        'pages refetch what may have changed meanwhile.',
    );
    this.options.onResumed();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
