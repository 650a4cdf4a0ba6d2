/**
 * The difference between two rehearsals of a project, object by object: what the newer one
 * would create that the older would not (added), the reverse (removed), and what both would
 * create with different fields (changed); and which problems appeared or went away.
 *
 * At 10× each side holds ~2 million objects, so neither is held whole: the older side is read
 * into a map of key → a 16-character digest of its fields, the newer one streamed against it,
 * then the older one streamed again for what was removed and the old fields of what changed.
 * The counts are exact; each list keeps its first DIFF_LIST_MAX items (`truncated` says so).
 */
import { createHash } from 'node:crypto';
import {
  DIFF_LIST_MAX,
  type HoldingChange,
  type RehearsalDiff,
  type RehearsalItem,
  type RehearsalRecord,
  type TargetHolding,
} from '../../../shared/model/rehearsal';

type Pieces = AsyncIterable<readonly TargetHolding[]> | Iterable<readonly TargetHolding[]>;

/** One rehearsal of a diff: its record, and its holdings read afresh on each call (a pass). */
export interface DiffSide {
  readonly record: RehearsalRecord;
  readonly holdings: () => Pieces | Promise<Pieces>;
}

const ref = (o: RehearsalRecord): RehearsalDiff['to'] => ({
  id: o.id,
  fingerprint: o.fingerprint,
  createdAt: o.createdAt,
});

const itemKey = (i: RehearsalItem): string => `${i.object}\n${i.step}\n${i.message}`;

/** The fields, whatever their order, as 96 bits: equal fields give equal digests. */
export function fieldsDigest(fields: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(fields)
    .sort()
    .map((k) => [k, fields[k]]);
  return createHash('sha1').update(JSON.stringify(sorted)).digest('base64').slice(0, 16);
}

/** Field → [before, after] for the fields that differ ("" when absent on one side). */
export function changedFields(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): Record<string, readonly [string, string]> {
  const fields: Record<string, readonly [string, string]> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[k] ?? '';
    const b = after[k] ?? '';
    if (a !== b) fields[k] = [a, b];
  }
  return fields;
}

/** A key of the older side the newer one also holds: its digest, marked (digests never start with '='). */
const SEEN = '=';

export async function diffRehearsals(from: DiffSide | null, to: DiffSide): Promise<RehearsalDiff> {
  // 1. The older side: key → digest of its fields.
  const before = new Map<string, string>();
  if (from)
    for await (const part of await from.holdings())
      for (const h of part) before.set(h.key, fieldsDigest(h.fields));

  // 2. The newer side against it: added, and which keys changed (the first DIFF_LIST_MAX kept).
  const added: TargetHolding[] = [];
  let addedCount = 0;
  let changedCount = 0;
  /** key → the newer holding and its place, for the changes listed. */
  const wanted = new Map<string, { h: TargetHolding; at: number }>();
  let at = 0;
  for await (const part of await to.holdings())
    for (const h of part) {
      at++;
      const old = before.get(h.key);
      if (old === undefined) {
        addedCount++;
        if (added.length < DIFF_LIST_MAX) added.push(h);
        continue;
      }
      const digest = old.startsWith(SEEN) ? old.slice(1) : old;
      if (!old.startsWith(SEEN)) before.set(h.key, SEEN + old);
      if (digest === fieldsDigest(h.fields)) continue;
      changedCount++;
      if (wanted.size < DIFF_LIST_MAX && !wanted.has(h.key)) wanted.set(h.key, { h, at });
    }

  // 3. The older side again: what was removed, and the old fields of the changes listed.
  const removed: TargetHolding[] = [];
  let removedCount = 0;
  const changedAt: { change: HoldingChange; at: number }[] = [];
  const anyRemoved = [...before.values()].some((v) => !v.startsWith(SEEN));
  if (from && (anyRemoved || wanted.size > 0))
    for await (const part of await from.holdings())
      for (const old of part) {
        if (!(before.get(old.key) ?? '').startsWith(SEEN)) {
          removedCount++;
          if (removed.length < DIFF_LIST_MAX) removed.push(old);
          continue;
        }
        const w = wanted.get(old.key);
        if (!w) continue;
        wanted.delete(old.key);
        const h = w.h;
        changedAt.push({
          at: w.at,
          change: {
            kind: h.kind,
            key: h.key,
            name: h.name,
            ...(h.owner ? { owner: h.owner } : {}),
            fields: changedFields(old.fields, h.fields),
          },
        });
      }
  const changed = changedAt.sort((a, b) => a.at - b.at).map((c) => c.change);

  const problems = (o: RehearsalRecord | undefined): RehearsalItem[] => [
    ...(o?.failures ?? []),
    ...(o?.cannotCarry ?? []),
  ];
  const oldProblems = new Set(problems(from?.record).map(itemKey));
  const newProblemKeys = new Set(problems(to.record).map(itemKey));
  return {
    from: from ? ref(from.record) : null,
    to: ref(to.record),
    added,
    removed,
    changed,
    counts: { added: addedCount, removed: removedCount, changed: changedCount },
    truncated: {
      added: addedCount > added.length,
      removed: removedCount > removed.length,
      changed: changedCount > changed.length,
    },
    newProblems: problems(to.record).filter((i) => !oldProblems.has(itemKey(i))),
    goneProblems: problems(from?.record).filter((i) => !newProblemKeys.has(itemKey(i))),
  };
}
