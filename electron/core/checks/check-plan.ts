/**
 * Which domains a check run looks at and where their content went, from the migration plan
 * and its journal (pure): a domain is checked once some step of it is done on the target; its
 * sites and mailboxes are the content steps that were published, each with the folder the
 * journal's intent recorded on the node.
 */
import { domainToASCII } from 'node:url';
import type { MigrationPlan } from '../../../shared/model/migration';
import type { JournalState } from '../migration/journal';

export interface CheckedContent {
  readonly contentId: string;
  readonly kind: 'site' | 'mailbox' | 'database';
  /** Host of a site, address of a mailbox, name of a database (ASCII). */
  readonly name: string;
  /** The published folder on the node (sites, mailboxes). */
  readonly path?: string;
}

export interface CheckedDomain {
  readonly serverId: string;
  readonly domainId: string;
  /** As the target knows it (ASCII, lower case). */
  readonly name: string;
  readonly content: readonly CheckedContent[];
  /** What the plan named not carried for this domain ("FTP user acme") → why. */
  readonly notCarried: ReadonlyMap<string, string>;
}

export const asciiName = (name: string): string => (domainToASCII(name) || name).toLowerCase();

const PREFIX: Readonly<Record<CheckedContent['kind'], string>> = {
  site: 'site:',
  mailbox: 'mailbox:',
  database: 'database:',
};

export function checkedDomains(
  plan: MigrationPlan,
  journal: JournalState,
  only?: readonly string[],
): CheckedDomain[] {
  const done = (stepId: string): boolean => journal.outcomes.get(stepId)?.outcome.state === 'done';
  const wanted = only?.length ? new Set(only.map(asciiName)) : undefined;
  const content = new Map<string, CheckedContent[]>();
  const notCarried = new Map<string, Map<string, string>>();
  for (const step of plan.steps) {
    const p = step.payload;
    if (p.kind === 'not-carried' && step.object.kind === 'domain') {
      const key = `${step.object.serverId}\0${step.object.id}`;
      const m = notCarried.get(key) ?? new Map<string, string>();
      m.set(p.what, p.reason);
      notCarried.set(key, m);
    }
    if (p.kind !== 'content' || !done(step.id)) continue;
    const chosen = journal.intents.get(step.id)?.intent.chosen;
    const path = chosen && typeof chosen['path'] === 'string' ? chosen['path'] : undefined;
    const raw = p.contentId.startsWith(PREFIX[p.contentKind])
      ? p.contentId.slice(PREFIX[p.contentKind].length)
      : (p.name ?? p.contentId);
    const key = `${step.object.serverId}\0${p.sourceDomainId}`;
    const list = content.get(key) ?? [];
    list.push({
      contentId: p.contentId,
      kind: p.contentKind,
      name: p.contentKind === 'database' ? raw : raw.includes('@') ? raw.toLowerCase() : asciiName(raw),
      ...(path ? { path } : {}),
    });
    content.set(key, list);
  }
  const out: CheckedDomain[] = [];
  for (const o of plan.objects) {
    if (o.ref.kind !== 'domain' || !o.steps.some(done)) continue;
    const name = asciiName(o.name);
    if (wanted && !wanted.has(name) && !wanted.has(asciiName(o.ref.id))) continue;
    out.push({
      serverId: o.ref.serverId,
      domainId: o.ref.id,
      name,
      content: content.get(`${o.ref.serverId}\0${o.ref.id}`) ?? [],
      notCarried: notCarried.get(`${o.ref.serverId}\0${o.ref.id}`) ?? new Map(),
    });
  }
  return out;
}

/** The folders of other sites nested in a site's folder, relative to it (left out of its listing). */
export function nestedSites(path: string, all: readonly string[]): string[] {
  return all.filter((p) => p.startsWith(`${path}/`)).map((p) => p.slice(path.length + 1));
}
