/**
 * The executor's own rules, independent of POA/PBA: dependencies, the concurrency cap, a failure
 * blocking only what depends on it, reconciling before any retry, and "done" only for what the
 * target read back. The target here is an in-memory port that records what it was asked (the
 * engine against the real sandbox is test/migration/migrate-cli.test.ts and crash.test.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MigrationPlan, PlanStep, StepOutcome } from '../../shared/model/migration';
import { BatchExecutor, type ExecutorDeps } from '../../electron/core/migration/executor';
import { FileJournal } from '../../electron/core/migration/file-journal';
import type { JobRecord } from '../../electron/core/migration/journal';
import type { ReadBackStep } from '../../electron/core/migration/read-back-step';
import {
  type ProvisioningTarget,
  StepFailureError,
  type StepIntent,
} from '../../electron/core/migration/target-port';
import { tempDir } from '../helpers/paths';

/** The target's memory: which step ids it holds, and the calls it saw. */
class MemoryTarget implements ProvisioningTarget {
  readonly holds = new Set<string>();
  readonly calls: string[] = [];
  readonly refuse = new Set<string>();
  /** Steps whose object vanishes before read-back (somebody deleted it on the target). */
  readonly vanish = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;
  /**
   * Each call waits (up to a second) for a second one to be in flight: whether two overlap then
   * depends on the executor alone, not on how fast the journal's sync was (on a loaded machine
   * a sync slower than one 5 ms call let the sibling start only after it ended).
   */
  pairUp = false;

  async prepare(step: PlanStep, attempt: number): Promise<StepIntent> {
    return { chosen: {}, requestId: `${step.id}#${attempt}`, attempt };
  }
  async apply(step: PlanStep): Promise<StepOutcome> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.calls.push(`apply ${step.id}`);
    await new Promise((r) => setTimeout(r, 5));
    for (const until = Date.now() + 1000; this.pairUp && this.inFlight < 2 && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 5));
    this.inFlight--;
    if (this.refuse.has(step.id)) throw new StepFailureError(`the target refuses ${step.id}`, false);
    this.holds.add(step.id);
    return { state: 'done', ids: { id: step.id }, via: 'call', at: 'now' };
  }
  async reconcile(step: PlanStep): Promise<StepOutcome | 'absent'> {
    this.calls.push(`reconcile ${step.id}`);
    return this.holds.has(step.id)
      ? { state: 'done', ids: { id: step.id }, via: 'look-up', at: 'now' }
      : 'absent';
  }
  async readBack(steps: readonly { step: ReadBackStep }[]): Promise<ReadonlySet<string>> {
    for (const v of this.vanish) this.holds.delete(v);
    return new Set(steps.map((s) => s.step.id).filter((id) => this.holds.has(id)));
  }
  async close(): Promise<void> {}
}

function step(id: string, kind: PlanStep['kind'], object: string, dependsOn: string[] = []): PlanStep {
  return {
    id,
    kind,
    object: { kind: object.startsWith('a') ? 'account' : 'domain', serverId: 's', id: object },
    label: id,
    dependsOn,
    payload: { kind: 'not-carried', what: id, reason: 'test' } as PlanStep['payload'],
  };
}

/** account a1 with domains d1, d2 (each: hosting, then two mailboxes), d2's mailboxes need its hosting. */
function plan(): MigrationPlan {
  const steps = [
    step('a1', 'account', 'a1'),
    step('d1/h', 'hosting-subscription', 'd1', ['a1']),
    step('d1/m1', 'mailbox', 'd1', ['d1/h']),
    step('d1/m2', 'mailbox', 'd1', ['d1/h']),
    step('d2/h', 'hosting-subscription', 'd2', ['a1']),
    step('d2/m1', 'mailbox', 'd2', ['d2/h']),
    step('d2/m2', 'mailbox', 'd2', ['d2/h']),
  ].map((s) => ({ ...s, payload: { kind: s.kind } as PlanStep['payload'] }));
  return {
    fingerprint: 'f',
    steps,
    objects: [
      {
        ref: { kind: 'account', serverId: 's', id: 'a1' },
        name: 'a1',
        related: ['domain:s:d1', 'domain:s:d2'],
        steps: ['a1'],
      },
      {
        ref: { kind: 'domain', serverId: 's', id: 'd1' },
        name: 'd1',
        related: [],
        steps: ['d1/h', 'd1/m1', 'd1/m2'],
      },
      {
        ref: { kind: 'domain', serverId: 's', id: 'd2' },
        name: 'd2',
        related: [],
        steps: ['d2/h', 'd2/m1', 'd2/m2'],
      },
    ],
    excluded: [],
  };
}

const job = (epoch = 1): JobRecord => ({
  jobId: 'job-1',
  projectId: 'p',
  createdAt: 'now',
  updatedAt: 'now',
  state: 'queued',
  options: { concurrency: 2, perServer: 1, author: 'test' },
  epoch,
});

async function run(target: MemoryTarget, file: string, j = job()) {
  const journal = new FileJournal(file);
  const deps: ExecutorDeps = {
    journal,
    target,
    source: { disableSubscriptions: async () => undefined },
    unseal: async (v) => v,
    log: async () => undefined,
    progress: () => undefined,
    control: async () => undefined,
  };
  const result = await new BatchExecutor(
    deps,
    j,
    plan(),
    await journal.load(),
    new AbortController().signal,
  ).run();
  await journal.close();
  return result;
}

describe('executor rules', () => {
  it('runs dependencies first, never more than the concurrency at once, and reads everything back', async () => {
    const target = new MemoryTarget();
    target.pairUp = true;
    const file = join(await tempDir(), 'j.jsonl');
    const r = await run(target, file);
    expect(r.summary.state).toBe('done');
    expect(target.maxInFlight).toBe(2);
    const order = target.calls.map((c) => c.replace('apply ', ''));
    expect(order.indexOf('a1')).toBe(0);
    expect(order.indexOf('d1/h')).toBeLessThan(order.indexOf('d1/m1'));
    expect(r.summary.reconciliation?.mailboxes).toEqual({ planned: 4, found: 4 });
    expect(r.summary.objects).toEqual({ total: 3, migrated: 3, failed: 0 });
  });

  it('a refusal fails its object and blocks what depends on it; siblings finish; the account fails with it', async () => {
    const target = new MemoryTarget();
    target.refuse.add('d2/h');
    const r = await run(target, join(await tempDir(), 'j.jsonl'));
    expect(r.states.get('d2/h')).toBe('failed');
    expect(r.states.get('d2/m1')).toBe('blocked');
    expect(r.states.get('d1/m2')).toBe('done');
    expect(target.calls).not.toContain('apply d2/m1');
    expect(r.summary.state).toBe('failed');
    expect(r.summary.failures).toEqual([
      { kind: 'domain', id: 'd2', server: 's', step: 'd2/h', message: 'the target refuses d2/h' },
    ]);
    // d1 migrated; d2 failed; the account counts as migrated only with all its domains.
    expect(r.summary.objects).toEqual({ total: 3, migrated: 1, failed: 2 });
  });

  it('a retry looks the earlier attempt up before calling again, and finishes what was blocked', async () => {
    const target = new MemoryTarget();
    target.refuse.add('d2/h');
    const file = join(await tempDir(), 'j.jsonl');
    await run(target, file);
    target.refuse.clear();
    target.calls.length = 0;
    const r = await run(target, file, job(2));
    expect(target.calls).toEqual([
      'reconcile d2/h',
      'apply d2/h',
      expect.stringMatching(/^apply d2\/m[12]$/),
      expect.stringMatching(/^apply d2\/m[12]$/),
    ]);
    expect(r.summary.state).toBe('done');
  });

  it('an object the target no longer holds at read-back is not done: the batch fails and says how many were found', async () => {
    const target = new MemoryTarget();
    target.vanish.add('d1/m2');
    const r = await run(target, join(await tempDir(), 'j.jsonl'));
    expect(r.summary.state).toBe('failed');
    expect(r.summary.reconciliation?.mailboxes).toEqual({ planned: 4, found: 3 });
    expect(r.states.get('d1/m2')).toBe('failed');
    expect(r.summary.failures[0]?.message).toBe('not found on the target when it was read back');
  });
});
