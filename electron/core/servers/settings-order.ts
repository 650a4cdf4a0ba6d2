/**
 * A server's migration settings with their keys in one order, whatever store they were read
 * from. Files keep an object's keys as they were written; PostgreSQL's jsonb keeps them in its
 * own order (shorter keys first). Verification's stamp — and through it the plan's fingerprint
 * that a rehearsal's sign-off names — is made of these settings as JSON text, so without one
 * order a project moved to PostgreSQL read as "verification stale" and unsigned, though nothing
 * changed. The defaults' order comes first (the order files have always had, so stamps stored
 * before stay valid), then any other key in code-point order.
 */
import { DEFAULT_MIGRATION_SETTINGS } from '../../../shared/model/server';

const DEFAULT_KEYS = Object.keys(DEFAULT_MIGRATION_SETTINGS);

export function inSettingsOrder<T extends object | undefined>(settings: T): T {
  if (settings === undefined) return settings;
  const source = settings as Record<string, unknown>;
  const keys = [
    ...DEFAULT_KEYS.filter((k) => k in source),
    ...Object.keys(source)
      .filter((k) => !DEFAULT_KEYS.includes(k))
      .sort(),
  ];
  return Object.fromEntries(keys.map((k) => [k, source[k]])) as T;
}
