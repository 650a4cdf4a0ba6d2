/**
 * An inventory's ids and references, checked at import: the schema cannot say that an id is
 * used twice or that a domain's owner account is missing, and both would otherwise be merged or
 * accepted silently (selection then shows "8/7 accounts"). Each problem is named by element,
 * id and line, so the engineer can fix the agent's output or the source.
 */
import type { Inventory } from '../../../shared/model/inventory';
import { MmError } from '../errors';

type Element = 'serviceTemplate' | 'account' | 'subscription' | 'domain';

interface Problem {
  readonly element: Element;
  readonly id: string;
  /** The n-th element of that name with that id (1-based): which one to point at. */
  readonly occurrence: number;
  readonly what: string;
}

/**
 * Lines of every `<element ... id="...">` in document order, found only when there is
 * something to report (one pass over the text).
 */
function lineIndex(xml: string): Map<string, number[]> {
  const lines = new Map<string, number[]>();
  const tag = /<(serviceTemplate|account|subscription|domain)\b[^>]*?\sid\s*=\s*(["'])(.*?)\2/g;
  let line = 1;
  let last = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    for (let i = xml.indexOf('\n', last); i >= 0 && i < m.index; i = xml.indexOf('\n', i + 1)) line++;
    last = m.index;
    const key = `${m[1]}\n${m[3]}`;
    lines.set(key, [...(lines.get(key) ?? []), line]);
  }
  return lines;
}

function findProblems(inv: Inventory, complete: boolean): Problem[] {
  const problems: Problem[] = [];
  const ids = (element: Element, items: readonly { id: string }[]): Set<string> => {
    const seen = new Map<string, number>();
    for (const { id } of items) {
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n > 1)
        problems.push({ element, id, occurrence: n, what: `the ${element} id "${id}" is used again` });
    }
    return new Set(seen.keys());
  };
  const templates = ids('serviceTemplate', inv.templates);
  const accounts = ids('account', inv.accounts);
  const subscriptions = ids('subscription', inv.subscriptions);
  ids('domain', inv.domains);
  // A partial document (accountsInfo, domainsInfo) refers to objects of the stored inventory.
  if (!complete) return problems;
  const dangling = (
    element: Element,
    id: string,
    field: string,
    ref: string | undefined,
    known: Set<string>,
    kind: string,
  ): void => {
    if (ref !== undefined && ref !== '' && !known.has(ref))
      problems.push({
        element,
        id,
        occurrence: 1,
        what: `${element} "${id}" has ${field}="${ref}", but there is no ${kind} "${ref}"`,
      });
  };
  for (const a of inv.accounts) dangling('account', a.id, 'parentId', a.parentId, accounts, 'account');
  for (const s of inv.subscriptions) {
    dangling('subscription', s.id, 'accountId', s.accountId, accounts, 'account');
    dangling('subscription', s.id, 'templateId', s.templateId, templates, 'serviceTemplate');
  }
  for (const d of inv.domains) {
    dangling('domain', d.id, 'accountId', d.accountId, accounts, 'account');
    dangling('domain', d.id, 'hostingSubscriptionId', d.hostingSubscriptionId, subscriptions, 'subscription');
    dangling(
      'domain',
      d.id,
      'registrationSubscriptionId',
      d.registrationSubscriptionId,
      subscriptions,
      'subscription',
    );
  }
  return problems;
}

/**
 * Refuses an inventory with a duplicate id or, for a complete document, a reference to an
 * object it does not hold. The message lists up to ten problems, each with its line.
 */
export function assertReferences(inv: Inventory, xml: string, where: string, complete: boolean): void {
  const problems = findProblems(inv, complete);
  if (problems.length === 0) return;
  const lines = lineIndex(xml);
  const described = problems.slice(0, 10).map((p) => {
    const line = lines.get(`${p.element}\n${p.id}`)?.[p.occurrence - 1];
    return `${line !== undefined ? `line ${line}: ` : ''}${p.what}`;
  });
  const more = problems.length > 10 ? `; and ${problems.length - 10} more` : '';
  const first = lines.get(`${problems[0]!.element}\n${problems[0]!.id}`)?.[problems[0]!.occurrence - 1];
  throw new MmError(
    'inventory-inconsistent',
    `${where}: ${problems.length} problem${problems.length > 1 ? 's' : ''} with ids: ${described.join('; ')}${more}. Nothing was stored.`,
    first !== undefined ? `${where}:${first}` : where,
  );
}
