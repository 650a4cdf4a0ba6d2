/**
 * Bulk selection over one server's inventory, pure: accounts bring their domains, domains bring
 * their owner account (a domain is migrated only after its owner, seed "Domain Migration").
 */
import type { Account, Inventory } from '../../../shared/model/inventory';
import type { SelectionChange, SelectionFilter } from '../../../shared/model/verification';
import { domainKey } from '../mapping/mapping-rules';

export interface MutableSelection {
  readonly accounts: Set<string>;
  readonly domains: Set<string>;
}

/** Ids the change names that this inventory does not have (so the caller can report them). */
export function applyChange(sel: MutableSelection, inv: Inventory, change: SelectionChange): string[] {
  const add = change.mode === 'add';
  const target = change.target;
  if (change.mode === 'clear' || (!add && target?.by === 'all')) {
    sel.accounts.clear();
    sel.domains.clear();
    return [];
  }
  if (!target) return [];
  const byAccount = domainsByAccount(inv);
  const setAccount = (a: Account): void => {
    for (const id of byAccount.get(a.id) ?? []) {
      if (add) sel.domains.add(id);
      else sel.domains.delete(id);
    }
    if (add) sel.accounts.add(a.id);
    else sel.accounts.delete(a.id);
  };
  const setDomain = (domainId: string, accountId: string): void => {
    if (add) {
      sel.domains.add(domainId);
      sel.accounts.add(accountId);
    } else sel.domains.delete(domainId);
  };
  switch (target.by) {
    case 'all':
      for (const a of inv.accounts) sel.accounts.add(a.id);
      for (const d of inv.domains) setDomain(d.id, d.accountId);
      return [];
    case 'accounts': {
      const byId = new Map(inv.accounts.map((a) => [a.id, a]));
      const missing: string[] = [];
      for (const id of target.ids) {
        const a = byId.get(id);
        if (a) setAccount(a);
        else missing.push(id);
      }
      return missing;
    }
    case 'domains': {
      const missing: string[] = [];
      for (const ref of target.ids) {
        const key = domainKey(ref);
        const d =
          inv.domains.find((x) => x.id === ref) ??
          inv.domains.find((x) => domainKey(x.name, x.asciiName) === key);
        if (d) setDomain(d.id, d.accountId);
        else missing.push(ref);
      }
      return missing;
    }
    case 'template': {
      const domainIds = new Map(inv.domains.map((d) => [d.id, d]));
      let found = false;
      for (const s of inv.subscriptions) {
        if (s.templateId !== target.templateId) continue;
        found = true;
        const provided = [
          ...s.domainIds,
          ...inv.domains
            .filter((d) => d.hostingSubscriptionId === s.id || d.registrationSubscriptionId === s.id)
            .map((d) => d.id),
        ];
        if (add) sel.accounts.add(s.accountId);
        for (const id of provided) {
          const d = domainIds.get(id);
          if (d) setDomain(d.id, d.accountId);
        }
      }
      return found ? [] : [target.templateId];
    }
    case 'filter': {
      const names = new Map<string, string>();
      for (const d of inv.domains)
        names.set(d.accountId, `${names.get(d.accountId) ?? ''} ${d.name.toLowerCase()}`);
      for (const a of inv.accounts) if (matches(a, names.get(a.id) ?? '', target.filter)) setAccount(a);
      return [];
    }
  }
}

function domainsByAccount(inv: Inventory): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of inv.domains) {
    const list = out.get(d.accountId);
    if (list) list.push(d.id);
    else out.set(d.accountId, [d.id]);
  }
  return out;
}

function matches(a: Account, domainNames: string, f: SelectionFilter): boolean {
  if (f.accountType && a.type !== f.accountType) return false;
  if (f.status && a.status !== f.status) return false;
  if (f.search) {
    const q = f.search.toLowerCase();
    const hay = [a.id, a.company ?? ''].join(' ').toLowerCase();
    if (!hay.includes(q) && !domainNames.includes(q)) return false;
  }
  return true;
}
