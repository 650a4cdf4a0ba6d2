/**
 * Whether a batch of a shared project's journal is running in another process right now —
 * `mm migrate` next to the app or on another machine, or workers — as opposed to a batch whose
 * process died (interrupted). Such a process holds the journal's advisory lock in the database
 * for as long as it runs (`holdSharedBatchLock`, workers shared); the database drops it the
 * moment the process's connection ends, so a killed batch reads as interrupted at once. The
 * lock is looked at in pg_locks, never taken: asking never makes a batch starting elsewhere fail
 * as busy. A file project answers false (its folder's lock file goes stale only seconds after a
 * kill, which would hide a real interruption).
 */
import { join } from 'node:path';
import { batchLockKey } from './pg-journal';
import { linkedPlaceOf } from '../store/postgres-store';

/** `dir`: the folder of the journal (`journal.jsonl`) — the project's migration folder, or a rehearsal's. */
export async function batchRunningElsewhere(dir: string): Promise<boolean> {
  const linked = await linkedPlaceOf(join(dir, 'journal.jsonl'));
  if (!linked) return false;
  // pg_locks names a one-bigint advisory key by its high and low 32 bits (objsubid 1)
  const { rows } = await linked.store.query<{ held: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid::text::bigint = (hashtext($1)::bigint >> 32) & 4294967295
          AND objid::text::bigint = hashtext($1)::bigint & 4294967295
     ) AS held`,
    [batchLockKey(linked.projectId, linked.relPath)],
  );
  return rows[0]?.held === true;
}
