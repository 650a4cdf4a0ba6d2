/**
 * Test helpers for a sandbox under load and for its snapshot's contents: domains added by four
 * writers at once until told to stop (a process killed under them), and a snapshot file read
 * back as rows per table.
 */
import { join } from 'node:path';
import type { PoaClient } from '../../electron/core/target/poa-client';
import { SNAPSHOT_FILE } from '../../electron/sandbox/op-log';
import { readSnapshot } from '../../electron/sandbox/snapshot-file';
import type { Row } from '../../electron/sandbox/store';

export interface DomainWriters {
  /** Domains the sandbox answered for: they must survive a kill. */
  readonly answered: Set<string>;
  /** Domains asked for, answered or not: anything held beyond `answered` must be one of them. */
  readonly sent: Set<string>;
  /** Waits until more than `count` are answered (up to `withinMs`): mid-load by work done, not by time. */
  answeredMoreThan(count: number, withinMs?: number): Promise<void>;
  /** Stops asking and waits for the writers (a writer stops at its first failed call). */
  stop(): Promise<void>;
}

/** Four writers adding `w<n>-<i>.example` to `subscriptionId` in parallel until stopped or failing. */
export function startDomainWriters(poa: PoaClient, subscriptionId: number): DomainWriters {
  const answered = new Set<string>();
  const sent = new Set<string>();
  let stopped = false;
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; !stopped; i++) {
      const name = `w${w}-${i}.example`;
      sent.add(name);
      try {
        await poa.addDomain({ subscription_id: subscriptionId, domain_name: name });
        answered.add(name);
      } catch {
        return;
      }
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  return {
    answered,
    sent,
    async answeredMoreThan(count, withinMs = 30_000) {
      for (const until = Date.now() + withinMs; answered.size <= count && Date.now() < until;)
        await new Promise((r) => setTimeout(r, 10));
    },
    async stop() {
      stopped = true;
      await Promise.all(writers);
    },
  };
}

/** The rows of a data dir's snapshot per table, and its id counters. */
export function snapshotTables(dataDir: string): {
  counters: Record<string, number>;
  tables: Map<string, Row[]>;
} {
  const counters: Record<string, number> = {};
  const tables = new Map<string, Row[]>();
  readSnapshot(join(dataDir, SNAPSHOT_FILE), {
    counters: (c) => Object.assign(counters, c),
    row: (table, row) => {
      const rows = tables.get(table);
      if (rows) rows.push(row);
      else tables.set(table, [row]);
    },
  });
  return { counters, tables };
}
