/**
 * The queue of work units, kept by pg-boss in the project's own database (schema `mm_boss`):
 * one queue per project and source server, so `mm worker --servers` takes only the units of
 * the servers it reaches. A unit taken by a worker is a pg-boss job in state "active" with an
 * expiry (the lease): when the worker dies, pg-boss's maintenance expires it and puts it back
 * for another worker (retry). The journal makes taking a unit over safe (open steps are
 * reconciled by look-up), and a session advisory lock per unit (`worker.ts`) keeps a lease that
 * expired while its worker is still alive from running twice at once.
 */
import { createHash } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { PgStore } from '../store/postgres-store';
import { connectionOf } from '../store/store-password';
import type { WorkUnit } from './units';

export interface UnitMessage {
  readonly projectId: string;
  readonly jobId: string;
  readonly unit: string;
  readonly serverId: string;
  readonly accounts: readonly string[];
}

export interface QueueOptions {
  /** How long a worker holds a unit before it is given to another (seconds). */
  readonly leaseSeconds?: number;
  /** How often expired leases are looked for (seconds). */
  readonly maintenanceSeconds?: number;
}

export const DEFAULT_LEASE_SECONDS = 15 * 60;

/** pg-boss names: letters, digits, `_` and `-` only; ours are a hash of project and server. */
export function queueName(projectId: string, serverId: string): string {
  return `mm_units_${createHash('sha256').update(`${projectId}\u0000${serverId}`).digest('hex').slice(0, 20)}`;
}

export async function openQueue(store: PgStore, options: QueueOptions = {}): Promise<PgBoss> {
  // loaded here, not at start: only a shared project's batch spread over workers needs it
  const { default: Boss } = await import('pg-boss');
  const boss = new Boss({
    // started from the app: its sealed password (workers themselves use PGPASSWORD / ~/.pgpass)
    ...connectionOf(store.url),
    schema: 'mm_boss',
    application_name: 'migration-manager-queue',
    max: 4,
    supervise: true,
    schedule: false,
    maintenanceIntervalSeconds: options.maintenanceSeconds ?? 10,
    monitorStateIntervalSeconds: 60,
  });
  // pg-boss reports errors of its background work as events; a lost connection is retried.
  boss.on('error', () => undefined);
  await boss.start();
  return boss;
}

export async function ensureQueue(boss: PgBoss, name: string, options: QueueOptions = {}): Promise<void> {
  if (await boss.getQueue(name)) return;
  await boss.createQueue(name, {
    name,
    expireInSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    // A unit is retried as long as its batch runs: each retry reconciles what was done.
    retryLimit: 1000,
    retryDelay: 1,
  });
}

export async function sendUnits(
  boss: PgBoss,
  projectId: string,
  jobId: string,
  units: readonly WorkUnit[],
  options: QueueOptions = {},
): Promise<void> {
  for (const u of units) {
    const name = queueName(projectId, u.serverId);
    await ensureQueue(boss, name, options);
    const message: UnitMessage = {
      projectId,
      jobId,
      unit: u.unit,
      serverId: u.serverId,
      accounts: u.accounts,
    };
    await boss.send(name, message, {
      expireInSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
      retryLimit: 1000,
      retryDelay: 1,
      singletonKey: `${jobId}/${u.unit}`,
    });
  }
}
