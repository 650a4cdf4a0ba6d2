/**
 * A full run's change count and history, decided without serialising every result twice:
 * sameJson must agree with comparing JSON texts, and a re-run must hold the previous objects
 * where nothing changed (one copy alive, not two) while counting and recording exactly what did.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import { sameJson } from '../../electron/core/verification/same-json';
import { keepUnchanged } from '../../electron/core/verification/unchanged-results';
import type { VerificationResult } from '../../shared/model/verification';
import { DEMO, SPHERA, verifiedDemo } from '../helpers/demo-project';
import { readProjectDocument, readProjectText } from '../helpers/store-under-test';
import { v1Source, v2Source } from './fixtures';
import { HOSTING, REGISTRATION } from './scenario';

const asJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The v1 source mapped and selected: every kind of result, with plans, reasons and references. */
function realResults(): Map<string, VerificationResult> {
  return v1Source().map('web01', 't-host', HOSTING).map('web01', 't-reg', REGISTRATION).selectAll().verify()
    .results;
}

describe('sameJson', () => {
  // Real results of the engine: accounts, domains with plans, subscriptions with related refs.
  const results = [...realResults().values(), ...v2Source().selectAll().verify().results.values()];

  it('agrees with comparing JSON texts on every pair of real results and on their copies', () => {
    expect(results.length).toBeGreaterThan(10);
    for (const a of results) {
      expect(sameJson(a, structuredClone(a))).toBe(true);
      expect(sameJson(a, JSON.parse(JSON.stringify(a)))).toBe(true);
      for (const b of results) expect(sameJson(a, b)).toBe(asJson(a, b));
    }
  });

  it('sees a change anywhere in a result: a nested message, a reference, a key more or less', () => {
    const withReasons = results.find((r) => r.reasons.some((x) => x.related?.length));
    expect(withReasons).toBeDefined();
    const r = withReasons!;
    const i = r.reasons.findIndex((x) => x.related?.length);
    const variants: unknown[] = [
      { ...r, reasons: r.reasons.map((x, j) => (j === i ? { ...x, message: `${x.message}.` } : x)) },
      {
        ...r,
        reasons: r.reasons.map((x, j) =>
          j === i ? { ...x, related: x.related!.map((o) => ({ ...o, id: `${o.id}x` })) } : x,
        ),
      },
      { ...r, extra: 1 },
      { ...r, reasons: r.reasons.slice(1) },
      { ...r, status: 'verified' === r.status ? 'rejected' : 'verified' },
    ];
    for (const v of variants) {
      expect(asJson(r, v)).toBe(false);
      expect(sameJson(r, v)).toBe(false);
    }
  });

  it("follows JSON's own rules: omitted values, key order, non-finite numbers, toJSON", () => {
    const cases: [unknown, unknown][] = [
      [{ a: 1, b: undefined }, { a: 1 }],
      [{ a: 1, f: () => 1 }, { a: 1 }],
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
      [
        [1, undefined],
        [1, null],
      ],
      [
        [1, () => 1],
        [1, null],
      ],
      [{ n: NaN }, { n: null }],
      [{ n: Infinity }, { n: -Infinity }],
      [{ n: 0 }, { n: -0 }],
      [{ n: 1 }, { n: '1' }],
      [{ d: new Date(0) }, { d: '1970-01-01T00:00:00.000Z' }],
      [undefined, undefined],
      [undefined, null],
      [{}, []],
      [[], [undefined]],
      [{ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'x' }] } }],
      [{ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'y' }] } }],
    ];
    for (const [a, b] of cases) expect(sameJson(a, b), JSON.stringify([a, b])).toBe(asJson(a, b));
  });
});

describe('keepUnchanged', () => {
  it('puts back the previous object where the JSON is the same and counts the rest', () => {
    const all = [...realResults().entries()];
    const previous = new Map(all.map(([k, v]) => [k, JSON.parse(JSON.stringify(v)) as VerificationResult]));
    const [changedKey, changedResult] = all[0]!;
    const [goneKey] = all[1]!;
    const next = new Map(all.filter(([k]) => k !== goneKey));
    next.set(changedKey, { ...changedResult, name: `${changedResult.name ?? ''} renamed` });
    next.set('domain\nnew\nnew.test', { ...changedResult, id: 'new.test' });
    const order = [...next.keys()];

    expect(keepUnchanged(next, previous)).toBe(3); // one changed, one gone, one new
    expect([...next.keys()]).toEqual(order);
    for (const [k, v] of next) {
      if (k === changedKey || k === 'domain\nnew\nnew.test') expect(v).not.toBe(previous.get(k));
      else expect(v).toBe(previous.get(k));
    }
  });
});

describe('a full run of the service', () => {
  let core: Core;
  beforeAll(async () => {
    core = await verifiedDemo();
  });

  it('run again unchanged: nothing changed, the same objects held, the same file, no history line', async () => {
    const dir = core.projects.projectDir(DEMO);
    const before = await core.verification.all(DEMO);
    const history = await readProjectText(join(dir, 'verification-history.jsonl'));
    const stored = await readProjectDocument<{ results: unknown[] }>(join(dir, 'verification.json'));

    const info = await core.verification.run(DEMO);

    expect(info.changed).toBe(0);
    const after = await core.verification.all(DEMO);
    expect(after.length).toBe(before.length);
    after.forEach((r, i) => expect(r).toBe(before[i]));
    expect(await readProjectText(join(dir, 'verification-history.jsonl'))).toBe(history);
    const again = await readProjectDocument<{ results: unknown[] }>(join(dir, 'verification.json'));
    expect(again.results).toEqual(stored.results);
  });

  it('counts and records exactly what a selection change did', async () => {
    const dir = core.projects.projectDir(DEMO);
    const before = new Map(
      (await core.verification.all(DEMO)).map((r) => [`${r.kind}/${r.id}`, JSON.stringify(r)]),
    );
    const historyBefore = await readProjectText(join(dir, 'verification-history.jsonl'));
    await core.selection.change(DEMO, {
      mode: 'remove',
      target: { by: 'domains', ids: ['zahn-termin.test'] },
      serverId: SPHERA,
    });

    const info = await core.verification.run(DEMO);

    const after = new Map(
      (await core.verification.all(DEMO)).map((r) => [`${r.kind}/${r.id}`, JSON.stringify(r)]),
    );
    let expected = 0;
    for (const [k, v] of after) if (before.get(k) !== v) expected++;
    for (const k of before.keys()) if (!after.has(k)) expected++;
    expect(expected).toBeGreaterThan(0);
    expect(info.changed).toBe(expected);
    const added = (await readProjectText(join(dir, 'verification-history.jsonl')))
      .slice(historyBefore.length)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; status: string | null });
    expect(added).toContainEqual(expect.objectContaining({ id: 'zahn-termin.test', status: null }));
  });
});
