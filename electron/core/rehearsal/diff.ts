/**
 * The difference between two rehearsals of a project, object by object: what the newer one
 * would create that the older would not (added), the reverse (removed), and what both would
 * create with different fields (changed); and which problems appeared or went away.
 */
import type {
  HoldingChange,
  RehearsalDiff,
  RehearsalItem,
  RehearsalOutcome,
  TargetHolding,
} from '../../../shared/model/rehearsal';

const ref = (o: RehearsalOutcome): RehearsalDiff['to'] => ({
  id: o.id,
  fingerprint: o.fingerprint,
  createdAt: o.createdAt,
});

const itemKey = (i: RehearsalItem): string => `${i.object}\n${i.step}\n${i.message}`;

export function diffRehearsals(from: RehearsalOutcome | null, to: RehearsalOutcome): RehearsalDiff {
  const before = new Map<string, TargetHolding>((from?.holdings ?? []).map((h) => [h.key, h]));
  const after = new Map<string, TargetHolding>(to.holdings.map((h) => [h.key, h]));
  const added = to.holdings.filter((h) => !before.has(h.key));
  const removed = (from?.holdings ?? []).filter((h) => !after.has(h.key));
  const changed: HoldingChange[] = [];
  for (const h of to.holdings) {
    const old = before.get(h.key);
    if (!old) continue;
    const fields: Record<string, readonly [string, string]> = {};
    for (const k of new Set([...Object.keys(old.fields), ...Object.keys(h.fields)])) {
      const a = old.fields[k] ?? '';
      const b = h.fields[k] ?? '';
      if (a !== b) fields[k] = [a, b];
    }
    if (Object.keys(fields).length > 0)
      changed.push({
        kind: h.kind,
        key: h.key,
        name: h.name,
        ...(h.owner ? { owner: h.owner } : {}),
        fields,
      });
  }
  const problems = (o: RehearsalOutcome | null): RehearsalItem[] => [
    ...(o?.failures ?? []),
    ...(o?.cannotCarry ?? []),
  ];
  const oldProblems = new Set(problems(from).map(itemKey));
  const newProblemKeys = new Set(problems(to).map(itemKey));
  return {
    from: from ? ref(from) : null,
    to: ref(to),
    added,
    removed,
    changed,
    newProblems: problems(to).filter((i) => !oldProblems.has(itemKey(i))),
    goneProblems: problems(from).filter((i) => !newProblemKeys.has(itemKey(i))),
  };
}
