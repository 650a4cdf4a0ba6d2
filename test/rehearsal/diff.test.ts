/**
 * The rehearsal diff on its own (pure): added, removed and changed holdings by key, field by
 * field, and problems that appeared or went away. The integration test covers a real removal.
 */
import { describe, expect, it } from 'vitest';
import type { RehearsalOutcome, TargetHolding } from '../../shared/model/rehearsal';
import { diffRehearsals } from '../../electron/core/rehearsal/diff';

function outcome(
  id: string,
  holdings: TargetHolding[],
  failures: RehearsalOutcome['failures'] = [],
): RehearsalOutcome {
  return {
    id,
    projectId: 'p',
    createdAt: `2026-11-30T07:00:0${id.slice(-1)}Z`,
    author: 'engineer',
    state: 'done',
    fingerprint: `fp-${id}`,
    content: true,
    holdings,
    failures,
    cannotCarry: [],
  };
}

const mailbox = (address: string, quota: string): TargetHolding => ({
  kind: 'mailbox',
  key: `mailbox ${address}`,
  name: address,
  owner: address.split('@')[1] ?? '',
  fields: { quota, login: address },
});

describe('diffRehearsals', () => {
  it('names what was added, removed and changed, field by field', () => {
    const before = outcome('r1', [mailbox('a@x.test', '100'), mailbox('b@x.test', '100')]);
    const after = outcome('r2', [mailbox('a@x.test', '250'), mailbox('c@x.test', '100')]);
    const d = diffRehearsals(before, after);
    expect(d.from?.fingerprint).toBe('fp-r1');
    expect(d.added.map((h) => h.key)).toEqual(['mailbox c@x.test']);
    expect(d.removed.map((h) => h.key)).toEqual(['mailbox b@x.test']);
    expect(d.changed).toEqual([
      {
        kind: 'mailbox',
        key: 'mailbox a@x.test',
        name: 'a@x.test',
        owner: 'x.test',
        fields: { quota: ['100', '250'] },
      },
    ]);
  });

  it('tells new problems from those that went away; the first rehearsal adds everything', () => {
    const failure = {
      object: 'domain x.test (web01)',
      kind: 'mailbox',
      step: 'mailbox a@x.test',
      message: 'quota',
    };
    const d = diffRehearsals(outcome('r1', [], [failure]), outcome('r2', [], []));
    expect(d.goneProblems).toEqual([failure]);
    expect(d.newProblems).toEqual([]);
    const first = diffRehearsals(null, outcome('r1', [mailbox('a@x.test', '1')]));
    expect(first.from).toBeNull();
    expect(first.added).toHaveLength(1);
  });
});
