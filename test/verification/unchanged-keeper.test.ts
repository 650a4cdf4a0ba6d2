/**
 * A full run decides result by result whether each is unchanged (UnchangedKeeper): it must hold
 * the previous object where the JSON is the same, count what changed without walking the
 * previous results, and hand the history exactly the changes, in the run's order, then the
 * removed results in their previous order.
 */
import { describe, expect, it } from 'vitest';
import { verifyAll } from '../../electron/core/verification/engine';
import { buildIndex } from '../../electron/core/verification/inventory-index';
import { UnchangedKeeper } from '../../electron/core/verification/unchanged-results';
import type { VerificationResult } from '../../shared/model/verification';
import { v1Source } from './fixtures';
import { HOSTING, REGISTRATION } from './scenario';

function scenario() {
  return v1Source().map('web01', 't-host', HOSTING).map('web01', 't-reg', REGISTRATION).selectAll();
}

describe('UnchangedKeeper', () => {
  const clone = (m: ReadonlyMap<string, VerificationResult>): Map<string, VerificationResult> =>
    new Map([...m].map(([k, v]) => [k, JSON.parse(JSON.stringify(v)) as VerificationResult]));

  it('a run on unchanged inputs holds every previous object and reports no change', () => {
    const input = scenario().input();
    const previous = clone(verifyAll(buildIndex(input.servers), input));
    const keeper = new UnchangedKeeper(previous);
    const results = verifyAll(buildIndex(input.servers), input, undefined, keeper);
    expect(results.size).toBe(previous.size);
    for (const [k, v] of results) expect(v).toBe(previous.get(k));
    expect(keeper.changed()).toBe(0);
    expect([...keeper.changes(results)]).toEqual([]);
  });

  it('counts and lists what was added, changed and removed, in the order the history writes them', () => {
    const all = [...verifyAll(buildIndex(scenario().input().servers), scenario().input())];
    expect(all.length).toBeGreaterThan(5);
    const previous = clone(new Map(all));
    const [changedKey, changedResult] = all[2]!;
    const [goneA] = all[0]!;
    const [goneB] = all[4]!;
    const renamed = { ...changedResult, name: `${changedResult.name ?? ''} renamed` };
    const added = { ...changedResult, id: 'new.test' };
    const keeper = new UnchangedKeeper(previous);
    const results = new Map<string, VerificationResult>();
    const run: [string, VerificationResult][] = [
      ['domain\nnew\nnew.test', added],
      ...all
        .filter(([k]) => k !== goneA && k !== goneB)
        .map(([k, v]): [string, VerificationResult] => [k, k === changedKey ? renamed : v]),
    ];
    for (const [k, v] of run) results.set(k, keeper.keep(k, v));

    expect(keeper.changed()).toBe(4);
    expect([...keeper.changes(results)]).toEqual([
      ['domain\nnew\nnew.test', added],
      [changedKey, renamed],
      [goneA, null],
      [goneB, null],
    ]);
    for (const [k, v] of results)
      if (k === changedKey || k === 'domain\nnew\nnew.test') expect(v).not.toBe(previous.get(k));
      else expect(v).toBe(previous.get(k));
  });
});
