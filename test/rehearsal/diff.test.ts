/**
 * The rehearsal diff on its own: added, removed and changed holdings by key, field by field
 * (whatever the fields' order), problems that appeared or went away; both sides streamed in
 * pieces, counts exact and each list cut at DIFF_LIST_MAX with `truncated` set. The integration
 * test covers a real removal.
 */
import { describe, expect, it } from 'vitest';
import { DIFF_LIST_MAX, type RehearsalRecord, type TargetHolding } from '../../shared/model/rehearsal';
import { type DiffSide, diffRehearsals } from '../../electron/core/rehearsal/diff';

function side(
  id: string,
  holdings: readonly TargetHolding[],
  failures: RehearsalRecord['failures'] = [],
  piece = 3,
): DiffSide & { passes: number } {
  const record: RehearsalRecord = {
    id,
    projectId: 'p',
    createdAt: `2026-11-30T07:00:0${id.slice(-1)}Z`,
    author: 'engineer',
    state: 'done',
    fingerprint: `fp-${id}`,
    content: true,
    failures,
    cannotCarry: [],
  };
  const out = {
    record,
    passes: 0,
    // handed on in pieces, as holdings.json is read
    holdings: async function* (): AsyncGenerator<readonly TargetHolding[]> {
      out.passes++;
      for (let i = 0; i < holdings.length; i += piece) yield holdings.slice(i, i + piece);
    },
  };
  return out;
}

const mailbox = (address: string, quota: string): TargetHolding => ({
  kind: 'mailbox',
  key: `mailbox ${address}`,
  name: address,
  owner: address.split('@')[1] ?? '',
  fields: { quota, login: address },
});

describe('diffRehearsals', () => {
  it('names what was added, removed and changed, field by field', async () => {
    const before = side('r1', [
      mailbox('a@x.test', '100'),
      mailbox('b@x.test', '100'),
      mailbox('d@x.test', '5'),
    ]);
    // the same fields in another order are no change
    const reordered: TargetHolding = {
      ...mailbox('d@x.test', '5'),
      fields: { login: 'd@x.test', quota: '5' },
    };
    const after = side('r2', [mailbox('a@x.test', '250'), mailbox('c@x.test', '100'), reordered]);
    const d = await diffRehearsals(before, after);
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
    expect(d.counts).toEqual({ added: 1, removed: 1, changed: 1 });
    expect(d.truncated).toEqual({ added: false, removed: false, changed: false });
  });

  it('tells new problems from those that went away; the first rehearsal adds everything', async () => {
    const failure = {
      object: 'domain x.test (web01)',
      kind: 'mailbox',
      step: 'mailbox a@x.test',
      message: 'quota',
    };
    const d = await diffRehearsals(side('r1', [], [failure]), side('r2', [], []));
    expect(d.goneProblems).toEqual([failure]);
    expect(d.newProblems).toEqual([]);
    const first = await diffRehearsals(null, side('r1', [mailbox('a@x.test', '1')]));
    expect(first.from).toBeNull();
    expect(first.added).toHaveLength(1);
    expect(first.counts.added).toBe(1);
  });

  it('keeps the counts exact and lists the first DIFF_LIST_MAX of each kind of change', async () => {
    const n = DIFF_LIST_MAX + 250;
    const many = (prefix: string, quota: string): TargetHolding[] =>
      Array.from({ length: n }, (_, i) => mailbox(`${prefix}${i}@x.test`, quota));
    // kept, changed, removed on the older side; kept, changed, added on the newer
    const before = side('r1', [...many('k', '1'), ...many('c', '1'), ...many('r', '1')], [], 2_000);
    const after = side('r2', [...many('k', '1'), ...many('c', '2'), ...many('a', '1')], [], 2_000);
    const d = await diffRehearsals(before, after);
    expect(d.counts).toEqual({ added: n, removed: n, changed: n });
    expect(d.truncated).toEqual({ added: true, removed: true, changed: true });
    expect(d.added.map((h) => h.name)).toEqual(
      many('a', '1')
        .slice(0, DIFF_LIST_MAX)
        .map((h) => h.name),
    );
    expect(d.removed.map((h) => h.name)).toEqual(
      many('r', '1')
        .slice(0, DIFF_LIST_MAX)
        .map((h) => h.name),
    );
    // the changes listed are the newer side's first, in its order, with both values
    expect(d.changed.map((c) => c.name)).toEqual(
      many('c', '2')
        .slice(0, DIFF_LIST_MAX)
        .map((h) => h.name),
    );
    expect(d.changed.every((c) => c.fields['quota']?.join() === '1,2')).toBe(true);
    // each side streamed: the older one twice (digests, then removed and old fields), the newer once
    expect([before.passes, after.passes]).toEqual([2, 1]);
  });
});
