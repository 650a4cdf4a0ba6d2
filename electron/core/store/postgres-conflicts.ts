/**
 * When two engineers change one shared document at the same time, the second write is applied
 * to the first one's result (nothing is lost). That is right for independent changes (two
 * decisions about different objects) but wrong for two decisions about the same object: the
 * second engineer decided without seeing the first one's decision. Such a write is refused,
 * naming who decided what, and the engineer decides again on what is there now.
 *
 * The rule compares per object: what others changed since this process last read the document
 * (seen → fresh) and what this write changes (fresh → next). Kinds without a rule merge freely.
 */
import type { Decision } from '../../../shared/model/decision';
import type { Versioned } from './document-file';

interface DecisionsLike extends Versioned {
  readonly overrides?: readonly { serverId: string; subscriptionId: string; decisionId: string }[];
  readonly approvals?: readonly { serverId: string; domainId: string; park: boolean; decisionId: string }[];
  readonly log?: readonly Decision[];
}

/** The object a decision is about: `server/id`. */
export function decisionObject(d: Decision): string {
  const i = d.input;
  if (i.kind === 'remap') return `${i.mapping.serverId}/template ${i.mapping.templateId}`;
  if (i.kind === 'override') return `${i.serverId}/subscription ${i.subscriptionId}`;
  return `${i.serverId}/domain ${i.domainId}`;
}

/** Per object, a fingerprint of everything the document says about it. */
function decisionObjects(doc: DecisionsLike): Map<string, string> {
  const parts = new Map<string, string[]>();
  const add = (key: string, what: string): void => {
    const list = parts.get(key) ?? [];
    list.push(what);
    parts.set(key, list);
  };
  for (const o of doc.overrides ?? [])
    add(`${o.serverId}/subscription ${o.subscriptionId}`, `o:${o.decisionId}`);
  for (const a of doc.approvals ?? [])
    add(`${a.serverId}/domain ${a.domainId}`, `a:${a.decisionId}:${a.park}`);
  for (const d of doc.log ?? []) add(decisionObject(d), `d:${d.id}:${d.undone ? 'undone' : ''}`);
  return new Map([...parts].map(([k, v]) => [k, v.join(',')]));
}

function changedKeys(a: Map<string, string>, b: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const k of new Set([...a.keys(), ...b.keys()])) if (a.get(k) !== b.get(k)) out.add(k);
  return out;
}

/** A message when this write would overrule another engineer's concurrent change, else undefined. */
export function conflictOf(
  kind: string,
  seen: Versioned,
  fresh: Versioned,
  next: Versioned,
): string | undefined {
  if (kind !== 'decisions') return undefined;
  const s = decisionObjects(seen as DecisionsLike);
  const f = decisionObjects(fresh as DecisionsLike);
  const n = decisionObjects(next as DecisionsLike);
  const theirs = changedKeys(s, f);
  for (const key of changedKeys(f, n)) {
    if (!theirs.has(key)) continue;
    const other = [...((fresh as DecisionsLike).log ?? [])].reverse().find((d) => decisionObject(d) === key);
    const who = other
      ? `${other.author} decided "${other.summary}" at ${other.time}`
      : 'another engineer changed it';
    return `Your decision about ${key} was not saved: meanwhile ${who}. Look at the decision now in force and decide again if it still needs changing.`;
  }
  return undefined;
}
