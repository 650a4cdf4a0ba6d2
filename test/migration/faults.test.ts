/**
 * Target faults at each kind of step, injected by the sandbox: a refusal, a timeout, a dropped
 * connection, an answer lost after the work was done, an asynchronous request that fails. Each
 * time the object fails with the target's own message and what depends on it waits, every other
 * object finishes, and "retry failed" after the fault is gone completes the batch — with the
 * sandbox holding each object exactly once (the same rows as a run without faults).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import type { FaultRule } from '../../electron/sandbox/faults';
import { PROJECT, freshRun } from './env';
import { type SharedSource, sharedBaseline, sharedSource } from './shared-source';

/** Rows per table, leaving out the requests' own bookkeeping. */
function holdings(sandbox: RunningSandbox): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [table, rows] of Object.entries(sandbox.state()))
    if (table !== 'requests') out[table] = rows?.length ?? 0;
  return out;
}

interface Case {
  readonly step: string;
  readonly rule: FaultRule;
  /** What the failure's message must say (the target's words, or the transport's). */
  readonly message: RegExp;
}

const CASES: readonly Case[] = [
  {
    step: 'account (PBA) refused',
    rule: {
      method: 'AccountWithIDAdd_API',
      nth: 2,
      action: 'fail',
      message: 'Account limit reached for this vendor',
    },
    message: /Account limit reached for this vendor/,
  },
  {
    step: 'hosting subscription (PEMGATE): connection dropped',
    rule: { method: 'AddPEMSubscriptionWithID_API', nth: 3, action: 'drop' },
    message: /connection|socket|closed|reset/i,
  },
  {
    step: 'hosting activation: its asynchronous request fails',
    rule: {
      method: 'pem.activateSubscription',
      nth: 2,
      action: 'fail-request',
      message: 'Webspace provisioning failed on web01',
    },
    message: /Webspace provisioning failed on web01/,
  },
  {
    step: 'DNS hosting: the target does not answer in time',
    rule: { method: 'pem.addDNSHosting', nth: 2, action: 'delay', delayMs: 4_000 },
    message: /time|did not answer/i,
  },
  {
    step: 'DNS record: the answer is lost after the record was made',
    rule: { method: 'pem.createDNSRecord', nth: 5, action: 'drop-after' },
    message: /connection|socket|closed|reset/i,
  },
  {
    step: 'mailbox refused',
    rule: {
      method: 'pem.cqmail.addMailbox',
      nth: 3,
      action: 'fail',
      message: 'Mail quota of the subscription exceeded',
    },
    message: /Mail quota of the subscription exceeded/,
  },
  {
    step: 'mail forward: its asynchronous request fails',
    rule: {
      method: 'pem.cqmail.addMailForwarding',
      nth: 1,
      action: 'fail-request',
      message: 'qmail node unavailable',
    },
    message: /qmail node unavailable/,
  },
  {
    step: 'mail alias: connection dropped',
    rule: { method: 'pem.cqmail.editEmailAddresses', nth: 1, action: 'drop' },
    message: /connection|socket|closed|reset/i,
  },
  {
    step: 'database: the target does not answer in time',
    rule: { method: 'pem.createDatabase', nth: 1, action: 'delay', delayMs: 4_000 },
    message: /time|did not answer/i,
  },
  {
    step: 'pointer (parked domain) refused',
    rule: { method: 'pem.addDomain', nth: 1, action: 'fail', message: 'Domain is reserved by the registry' },
    message: /Domain is reserved by the registry/,
  },
  {
    step: 'PBA status: the answer is lost after the status changed',
    rule: { method: 'SubscriptionStatusUpdate_API', nth: 2, action: 'drop-after' },
    message: /connection|socket|closed|reset/i,
  },
];

describe('target faults at each kind of step', () => {
  let source: SharedSource;
  let expected: Record<string, number>;

  beforeAll(async () => {
    source = await sharedSource({ checksAfterBatch: false });
    expected = (await sharedBaseline(source)).holdings;
  }, 300_000);

  afterAll(async () => source?.stop());

  for (const c of CASES) {
    it(`${c.step}: the object fails with the message, siblings finish, a retry completes it once`, async () => {
      const run = await freshRun(source, { asyncMs: 20, faults: [c.rule] });
      try {
        // A short deadline so the "no answer" cases fail fast; look-ups are retried as usual.
        const core = createCore({ dataDir: run.dataDir, shell: 'test', targetClient: { timeoutMs: 1_500 } });
        const first = await (await core.migration.start(PROJECT, { concurrency: 4 })).done;
        expect(first.state).toBe('failed');
        expect(first.failures).toHaveLength(1);
        expect(first.failures[0]?.message).toMatch(c.message);
        // Everything that did not depend on the failed step finished.
        expect(first.objects.migrated).toBeGreaterThan(0);
        expect(first.objects.migrated + first.objects.failed).toBe(first.objects.total);
        expect(run.sandbox.faults.pending).toEqual([]);
        const retried = await (await core.migration.retry(PROJECT, first.jobId)).done;
        expect(retried.failures).toEqual([]);
        expect(retried.state).toBe('done');
        expect(retried.objects.migrated).toBe(retried.objects.total);
        expect(holdings(run.sandbox)).toEqual(expected);
      } finally {
        await run.sandbox.close();
      }
    }, 120_000);
  }
});
