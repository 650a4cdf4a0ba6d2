/**
 * The batch tally (electron/core/migration/batch-tally.ts) kept up to date step by step gives
 * the same counts as recounting every step and object from scratch (`batchObjectStates` and a
 * walk over the steps, as the executor did before), through a long random run: steps starting,
 * finishing, failing, blocking what depends on them, being read back and found missing.
 */
import { describe, expect, it } from 'vitest';
import type {
  CreatedKind,
  MigrationPlan,
  ObjectState,
  PlanObject,
  PlanStep,
  StepState,
} from '../../shared/model/migration';
import { CREATED_KINDS } from '../../shared/model/migration';
import { BatchObjects } from '../../electron/core/migration/batch-objects';
import { BatchTally } from '../../electron/core/migration/batch-tally';
import { planLinks } from '../../electron/core/migration/plan-links';
import {
  batchObjectStates,
  countsAs,
  objectStateOf,
  settledBad,
  settledOk,
} from '../../electron/core/migration/step-rules';

/** A small deterministic generator (the run is the same every time). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const step = (id: string, kind: PlanStep['kind'], object: string): PlanStep => ({
  id,
  kind,
  object: { kind: object.startsWith('a') ? 'account' : 'domain', serverId: 's', id: object },
  label: id,
  dependsOn: [],
  payload: { kind } as PlanStep['payload'],
});

/** Accounts with 0–3 domains, each domain with a hosting step and 0–3 mailboxes; odd corners too. */
function plan(random: () => number): MigrationPlan {
  const steps: PlanStep[] = [];
  const objects: PlanObject[] = [];
  for (let a = 0; a < 40; a++) {
    const account = `a${a}`;
    steps.push(step(account, 'account', account));
    const domains: string[] = [];
    const n = Math.floor(random() * 4);
    for (let d = 0; d < n; d++) {
      const domain = `d${a}-${d}`;
      const own = [step(`${domain}/h`, 'hosting-subscription', domain)];
      for (let m = 0; m < Math.floor(random() * 4); m++) own.push(step(`${domain}/m${m}`, 'mailbox', domain));
      steps.push(...own);
      objects.push({
        ref: { kind: 'domain', serverId: 's', id: domain },
        name: domain,
        related: [`account:s:${account}`],
        steps: own.map((s) => s.id),
      });
      domains.push(`domain:s:${domain}`);
    }
    // An account naming a domain the plan does not hold counts it as pending.
    if (a === 7) domains.push('domain:s:not-planned');
    objects.push({
      ref: { kind: 'account', serverId: 's', id: account },
      name: account,
      related: domains,
      // One account lists a step id the plan does not hold: it never settles.
      steps: a === 11 ? [account, 'no-such-step'] : [account],
    });
  }
  // A domain planned twice: the last one counts.
  const twice = objects.find((o) => o.ref.kind === 'domain');
  if (twice) objects.push({ ...twice, steps: twice.steps.slice(0, 1) });
  return { fingerprint: 'f', steps, objects, excluded: [] };
}

/** The counts recounted from nothing (what the executor computed before the tally). */
function recount(
  p: MigrationPlan,
  states: readonly StepState[],
  running: ReadonlySet<number>,
  confirmed: ReadonlySet<number>,
  reconciled: boolean,
) {
  const index = new Map(p.steps.map((s, i) => [s.id, i]));
  const objects = batchObjectStates(p, (ids) => {
    const own = objectStateOf(
      ids.map((id) => states[index.get(id) ?? -1] ?? 'pending'),
      ids.some((id) => running.has(index.get(id) ?? -1)),
    );
    return own === 'migrated' && !reconciled ? 'running' : own;
  });
  const values = [...objects.values()];
  const zero = () => Object.fromEntries(CREATED_KINDS.map((k) => [k, 0])) as Record<CreatedKind, number>;
  const created = zero();
  const planned = zero();
  const found = zero();
  let stepsDone = 0;
  let stepsFailed = 0;
  const failedSteps: number[] = [];
  p.steps.forEach((s, i) => {
    const st = states[i] as StepState;
    if (settledOk(st)) stepsDone++;
    else if (settledBad(st)) stepsFailed++;
    if (st === 'failed') failedSteps.push(i);
    for (const k of countsAs(s.kind)) {
      planned[k]++;
      if (st === 'done') created[k]++;
      if (confirmed.has(i)) found[k]++;
    }
  });
  const count = (f: (s: ObjectState) => boolean) => values.filter(f).length;
  return {
    objects: {
      total: objects.size,
      migrated: count((s) => s === 'migrated'),
      failed: count((s) => s === 'failed' || s === 'blocked'),
    },
    stepsDone,
    stepsFailed,
    created,
    planned,
    found,
    failedSteps,
  };
}

describe('batch tally', () => {
  it('follows a random run step by step with the same counts as a full recount', () => {
    const random = rng(19);
    const p = plan(random);
    // Some steps settled by an earlier run before this one starts.
    const states: StepState[] = p.steps.map(() => {
      const r = random();
      return r < 0.1 ? 'done' : r < 0.15 ? 'not-carried' : r < 0.18 ? 'failed' : 'pending';
    });
    const tally = new BatchTally(p, planLinks(p), states);
    const running = new Set<number>();
    const confirmed = new Set<number>();
    let reconciled = false;
    const check = () => expect(tally.counts()).toEqual(recount(p, states, running, confirmed, reconciled));
    check();
    const set = (i: number, s: StepState) => {
      const from = states[i] as StepState;
      states[i] = s;
      tally.changed(i, from);
    };
    for (let n = 0; n < 3000; n++) {
      const i = Math.floor(random() * p.steps.length);
      const r = random();
      if (states[i] === 'pending' && !running.has(i)) {
        running.add(i);
        tally.running(i, 1);
        set(i, 'running');
      } else if (states[i] === 'running') {
        // settled first, out of the running set just after (as the executor does)
        set(i, r < 0.8 ? 'done' : r < 0.9 ? 'failed' : 'pending');
        check();
        running.delete(i);
        tally.running(i, -1);
      } else if (states[i] === 'failed' && r < 0.3) set(i, 'pending');
      else if (states[i] === 'pending' && r < 0.05) set(i, 'blocked');
      if (n % 7 === 0) check();
    }
    check();
    // The read-back: done steps found, a few of them missing (failed again).
    states.forEach((s, i) => {
      if (s === 'done' && countsAs(p.steps[i]?.kind ?? 'account').length > 0 && !running.has(i)) {
        confirmed.add(i);
        tally.confirmed(i, true);
      }
    });
    check();
    for (const i of [...confirmed].slice(0, 5)) {
      confirmed.delete(i);
      tally.confirmed(i, false);
      set(i, 'failed');
    }
    reconciled = true;
    tally.reconciled();
    check();
    const counts = tally.counts();
    // The run was not trivial: objects of every outcome, failures listed in plan order.
    expect(counts.objects.migrated).toBeGreaterThan(0);
    expect(counts.objects.failed).toBeGreaterThan(0);
    expect(counts.failedSteps.length).toBeGreaterThanOrEqual(5);
    expect([...counts.failedSteps].sort((a, b) => a - b)).toEqual(counts.failedSteps);
  });

  it('keeps the objects flat and gives the same object states as batchObjectStates through a random run', () => {
    const random = rng(7);
    const p = plan(random);
    const index = new Map(p.steps.map((s, i) => [s.id, i]));
    const objects = new BatchObjects(planLinks(p));
    const states: StepState[] = p.steps.map(() => 'pending');
    const running = new Set<number>();
    let reconciled = false;
    const show = (own: ObjectState): ObjectState => (own === 'migrated' && !reconciled ? 'running' : own);
    const expected = () =>
      batchObjectStates(p, (ids) =>
        show(
          objectStateOf(
            ids.map((id) => states[index.get(id) ?? -1] ?? 'pending'),
            ids.some((id) => running.has(index.get(id) ?? -1)),
          ),
        ),
      );
    const check = () => {
      const got = objects.states(
        (i) => states[i] ?? 'pending',
        (i) => running.has(i),
        show,
      );
      const want = expected();
      // the same entries in the same order
      expect([...got]).toEqual([...want]);
      return got;
    };
    check();
    const seen = new Set<ObjectState>();
    for (let n = 0; n < 2000; n++) {
      const i = Math.floor(random() * p.steps.length);
      const r = random();
      if (states[i] === 'pending' && r < 0.1) states[i] = 'blocked';
      else if (states[i] === 'pending') {
        running.add(i);
        states[i] = 'running';
      } else if (states[i] === 'running') {
        running.delete(i);
        states[i] = r < 0.8 ? 'done' : r < 0.9 ? 'failed' : r < 0.95 ? 'not-carried' : 'pending';
      }
      if (n === 1500) reconciled = true;
      if (n % 5 === 0) for (const s of check().values()) seen.add(s);
    }
    // Every state an object can show came up (the comparison was not over trivial states only).
    expect([...seen].sort()).toEqual(['blocked', 'failed', 'migrated', 'pending', 'running']);
  });
});
