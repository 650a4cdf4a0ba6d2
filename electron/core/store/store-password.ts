/**
 * Where the password of a shared project's database comes from. The `mm` CLI and workers use
 * PGPASSWORD or ~/.pgpass, as every PostgreSQL client does. The app asks for it in its forms
 * and keeps it sealed in the data dir's secret store (like the target's passwords), never in
 * the address, the project's link or any file in plain text: a UI core registers its secret
 * store here, and a pool then asks it first, then PGPASSWORD, then ~/.pgpass.
 */
import { createRequire } from 'node:module';
import type { SecretStore } from '../secrets/secret-store';

/** The secret's name for a database address (normalised, without a password). */
export const storePasswordName = (url: string): string => `store-password/${url}`;

const sources = new Set<SecretStore>();

/** A UI core's sealed secrets become a source of database passwords for this process. */
export function registerStorePasswords(secrets: SecretStore): void {
  sources.add(secrets);
}

/** Whether pools should ask `passwordFor` (only once a UI core registered its secrets). */
export function hasStorePasswords(): boolean {
  return sources.size > 0;
}

/** The password for a database: sealed in a registered store, else PGPASSWORD, else ~/.pgpass. */
export async function passwordFor(url: string): Promise<string | undefined> {
  for (const secrets of sources) {
    // a store whose master key this process cannot open is skipped, not fatal
    const sealed = await secrets.get(storePasswordName(url)).catch(() => undefined);
    if (sealed !== undefined) return sealed;
  }
  const env = process.env['PGPASSWORD'];
  if (env !== undefined) return env;
  // ~/.pgpass read by the module pg itself uses for it (found from pg's own place)
  const pgpass = createRequire(createRequire(import.meta.url).resolve('pg'))('pgpass') as (
    connection: { host: string; port: number; database: string; user: string },
    found: (pass?: string) => void,
  ) => void;
  const u = new URL(url);
  return new Promise((resolve) =>
    pgpass(
      {
        host: u.hostname,
        port: u.port === '' ? 5432 : Number(u.port),
        database: decodeURIComponent(u.pathname.replace(/^\//, '')),
        user: decodeURIComponent(u.username),
      },
      (pass?: string) => resolve(pass),
    ),
  );
}

/**
 * How pools reach a database: its parts given one by one, because pg lets a connection
 * string's (empty) password override a password given beside it, and the password from
 * `passwordFor` when the server asks for one: sealed in the app, else PGPASSWORD, else
 * ~/.pgpass — read here, not by pg itself, whose own ~/.pgpass look-up prints a deprecation
 * warning on stderr at every connection (every `mm` command and worker of a shared project).
 */
export function connectionOf(url: string): {
  host: string;
  port: number;
  user: string;
  database: string;
  password: () => Promise<string>;
} {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname),
    port: u.port === '' ? 5432 : Number(u.port),
    user: decodeURIComponent(u.username),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    password: async () => (await passwordFor(url)) ?? '',
  };
}
