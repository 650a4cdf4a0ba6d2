/**
 * Bulk selection rules: an account brings its domains, a domain brings its owner (a domain is
 * migrated only after its owner), and a change names the ids this inventory does not have.
 */
import { describe, expect, it } from 'vitest';
import { type MutableSelection, applyChange } from '../../electron/core/selection/select-rules';
import type { Inventory } from '../../shared/model/inventory';
import type { SelectionChange } from '../../shared/model/verification';
import { HOSTING, REGISTRATION, Scenario } from '../verification/scenario';

function inventory(): Inventory {
  return (
    new Scenario()
      .server('web01')
      .template('t-host', HOSTING)
      .template('t-reg', REGISTRATION)
      .template('t-unused', HOSTING)
      .template('t-solo', HOSTING)
      .account('a1', { company: 'Acme Corp', status: 'active' })
      .account('a2', { company: 'Beta', status: 'suspended' })
      .account('r1', { type: 'reseller', company: 'Resell' })
      .account('lonely', { company: 'No domains' })
      .subscription('s1', 'a1', 't-host')
      .subscription('g1', 'a1', 't-reg')
      .subscription('s2', 'a2', 't-host')
      .subscription('s3', 'r1', 't-host')
      // A subscription with no domain of its own, naming one the inventory does not hold.
      .subscription('solo', 'lonely', 't-solo', { domainIds: ['gone.com'] })
      .domain('acme.com', 'a1', { hosting: 's1' })
      .domain('acme.net', 'a1', { registration: 'g1' })
      .domain('beta.com', 'a2', { hosting: 's2' })
      .domain(
        'xn--bcher-kva.de',
        'r1',
        { hosting: 's3' },
        { name: 'Bücher.de', asciiName: 'xn--bcher-kva.de' },
      )
      .domain('dom-7', 'a2', {}, { name: 'beta.net' })
      .inventory()
  );
}

const empty = (): MutableSelection => ({ accounts: new Set(), domains: new Set() });
const sorted = (sel: MutableSelection): { accounts: string[]; domains: string[] } => ({
  accounts: [...sel.accounts].sort(),
  domains: [...sel.domains].sort(),
});
const add = (target: SelectionChange['target']): SelectionChange => ({
  mode: 'add',
  ...(target ? { target } : {}),
});
const remove = (target: SelectionChange['target']): SelectionChange => ({
  mode: 'remove',
  ...(target ? { target } : {}),
});

describe('selection rules', () => {
  it('selecting a domain selects its owner account, and only that domain', () => {
    const sel = empty();
    expect(applyChange(sel, inventory(), add({ by: 'domains', ids: ['beta.com'] }))).toEqual([]);
    expect(sorted(sel)).toEqual({ accounts: ['a2'], domains: ['beta.com'] });
  });

  it('finds a domain by id or by name in any case, trailing dot or ASCII form, and names the unknown ones', () => {
    const sel = empty();
    const missing = applyChange(
      sel,
      inventory(),
      add({ by: 'domains', ids: ['ACME.NET.', 'xn--bcher-kva.de', 'nowhere.org'] }),
    );
    expect(missing).toEqual(['nowhere.org']);
    expect(sorted(sel)).toEqual({ accounts: ['a1', 'r1'], domains: ['acme.net', 'xn--bcher-kva.de'] });
  });

  it('a reference is a domain id first, then a name: an id that differs from its name still finds it', () => {
    const sel = empty();
    expect(applyChange(sel, inventory(), add({ by: 'domains', ids: ['dom-7'] }))).toEqual([]);
    expect(sorted(sel)).toEqual({ accounts: ['a2'], domains: ['dom-7'] });
    const byName = empty();
    expect(applyChange(byName, inventory(), add({ by: 'domains', ids: ['BETA.NET'] }))).toEqual([]);
    expect(sorted(byName)).toEqual({ accounts: ['a2'], domains: ['dom-7'] });
  });

  it('unselecting a domain keeps its owner selected', () => {
    const sel = empty();
    const inv = inventory();
    applyChange(sel, inv, add({ by: 'accounts', ids: ['a1'] }));
    applyChange(sel, inv, remove({ by: 'domains', ids: ['acme.com'] }));
    expect(sorted(sel)).toEqual({ accounts: ['a1'], domains: ['acme.net'] });
  });

  it('selecting an account brings all its domains; unselecting it takes them away', () => {
    const sel = empty();
    const inv = inventory();
    expect(applyChange(sel, inv, add({ by: 'accounts', ids: ['a1', 'ghost', 'lonely'] }))).toEqual(['ghost']);
    expect(sorted(sel)).toEqual({ accounts: ['a1', 'lonely'], domains: ['acme.com', 'acme.net'] });
    expect(applyChange(sel, inv, remove({ by: 'accounts', ids: ['a1'] }))).toEqual([]);
    expect(sorted(sel)).toEqual({ accounts: ['lonely'], domains: [] });
  });

  it('all selects every account and domain; removing all or clearing empties the selection', () => {
    const inv = inventory();
    const sel = empty();
    expect(applyChange(sel, inv, add({ by: 'all' }))).toEqual([]);
    expect(sorted(sel)).toEqual({
      accounts: ['a1', 'a2', 'lonely', 'r1'],
      domains: ['acme.com', 'acme.net', 'beta.com', 'dom-7', 'xn--bcher-kva.de'],
    });
    applyChange(sel, inv, remove({ by: 'all' }));
    expect(sorted(sel)).toEqual({ accounts: [], domains: [] });
    applyChange(sel, inv, add({ by: 'all' }));
    expect(applyChange(sel, inv, { mode: 'clear' })).toEqual([]);
    expect(sorted(sel)).toEqual({ accounts: [], domains: [] });
  });

  it('a change without a target changes nothing', () => {
    const sel = empty();
    applyChange(sel, inventory(), add({ by: 'domains', ids: ['acme.com'] }));
    expect(applyChange(sel, inventory(), add(undefined))).toEqual([]);
    expect(applyChange(sel, inventory(), remove(undefined))).toEqual([]);
    expect(sorted(sel)).toEqual({ accounts: ['a1'], domains: ['acme.com'] });
  });

  it("by template: the subscriptions' owners and the domains they provide; an unused template is named", () => {
    const inv = inventory();
    const sel = empty();
    expect(applyChange(sel, inv, add({ by: 'template', templateId: 't-reg' }))).toEqual([]);
    expect(sorted(sel)).toEqual({ accounts: ['a1'], domains: ['acme.net'] });
    applyChange(sel, inv, add({ by: 'template', templateId: 't-host' }));
    expect(sorted(sel)).toEqual({
      accounts: ['a1', 'a2', 'r1'],
      domains: ['acme.com', 'acme.net', 'beta.com', 'xn--bcher-kva.de'],
    });
    applyChange(sel, inv, remove({ by: 'template', templateId: 't-host' }));
    expect(sorted(sel)).toEqual({ accounts: ['a1', 'a2', 'r1'], domains: ['acme.net'] });
    expect(applyChange(sel, inv, add({ by: 'template', templateId: 't-unused' }))).toEqual(['t-unused']);
    // A subscription without domains brings its owner; a domain id it names that is not there is skipped.
    const solo = empty();
    expect(applyChange(solo, inv, add({ by: 'template', templateId: 't-solo' }))).toEqual([]);
    expect(sorted(solo)).toEqual({ accounts: ['lonely'], domains: [] });
    // Removing by template never selects anyone.
    const none = empty();
    applyChange(none, inv, remove({ by: 'template', templateId: 't-solo' }));
    applyChange(none, inv, remove({ by: 'template', templateId: 't-host' }));
    expect(sorted(none)).toEqual({ accounts: [], domains: [] });
    expect(applyChange(sel, inv, add({ by: 'template', templateId: 'nope' }))).toEqual(['nope']);
  });

  it('by template also reaches a domain that names the subscription only from its own side', () => {
    const inv = inventory();
    const unlinked: Inventory = {
      ...inv,
      subscriptions: inv.subscriptions.map((s) =>
        s.id === 's2' || s.id === 'g1' ? { ...s, domainIds: [] } : s,
      ),
    };
    const sel = empty();
    applyChange(sel, unlinked, add({ by: 'template', templateId: 't-host' }));
    expect(sel.domains.has('beta.com')).toBe(true);
    const reg = empty();
    applyChange(reg, unlinked, add({ by: 'template', templateId: 't-reg' }));
    expect(sorted(reg)).toEqual({ accounts: ['a1'], domains: ['acme.net'] });
  });

  it('by filter: every condition given must hold; the search looks at id, company and domain names', () => {
    const inv = inventory();
    const pick = (filter: Extract<SelectionChange['target'], { by: 'filter' }>['filter']): string[] => {
      const sel = empty();
      expect(applyChange(sel, inv, add({ by: 'filter', filter }))).toEqual([]);
      return sorted(sel).accounts;
    };
    expect(pick({})).toEqual(['a1', 'a2', 'lonely', 'r1']);
    expect(pick({ accountType: 'reseller' })).toEqual(['r1']);
    expect(pick({ accountType: 'customer' })).toEqual(['a1', 'a2', 'lonely']);
    expect(pick({ status: 'suspended' })).toEqual(['a2']);
    expect(pick({ search: 'ACME CORP' })).toEqual(['a1']);
    expect(pick({ search: 'beta.com' })).toEqual(['a2']);
    expect(pick({ search: 'lonely' })).toEqual(['lonely']);
    expect(pick({ search: 'lonely no domains' })).toEqual(['lonely']);
    expect(pick({ search: 'acme.com acme.net' })).toEqual(['a1']);
    // Text none of them holds selects nothing (no "undefined" or "null" creeps into the search).
    expect(pick({ search: 'undefined' })).toEqual([]);
    expect(pick({ search: 'null' })).toEqual([]);
    expect(pick({ search: 'acme', status: 'suspended' })).toEqual([]);
    expect(pick({ search: 'acme', accountType: 'reseller' })).toEqual([]);
    const sel = empty();
    applyChange(sel, inv, add({ by: 'filter', filter: { search: 'acme.net' } }));
    expect(sorted(sel)).toEqual({ accounts: ['a1'], domains: ['acme.com', 'acme.net'] });
    applyChange(sel, inv, remove({ by: 'filter', filter: { search: 'acme' } }));
    expect(sorted(sel)).toEqual({ accounts: [], domains: [] });
  });
});
