/** The pure rules of a template mapping: TLD matching, completeness, normalising, target checks. */
import { describe, expect, it } from 'vitest';
import {
  domainKey,
  hasHosting,
  hasRegistration,
  mappingState,
  matchTld,
  missingParts,
  normalizeMapping,
  sameMapping,
  targetProblems,
  tldOf,
} from '../../electron/core/mapping/mapping-rules';
import type { MappingInput, TldMapping } from '../../shared/model/mapping';
import type { ServicePlanInfo, ServiceTemplateInfo } from '../../shared/model/target';

const tld = (t: string, pbaPlanId = 200, registrarType = 'enom'): TldMapping => ({
  tld: t,
  pbaPlanId,
  registrarType,
});
const m = (extra: Omit<MappingInput, 'serverId' | 'templateId'>): MappingInput => ({
  serverId: 'web01',
  templateId: 't1',
  ...extra,
});

describe('domain names and TLDs', () => {
  it('compares names lower-case, without a trailing dot, by their ASCII form when there is one', () => {
    expect(domainKey('Shop.Example.COM.')).toBe('shop.example.com');
    expect(domainKey('bücher.de', 'xn--bcher-kva.de')).toBe('xn--bcher-kva.de');
    expect(domainKey('a.b..')).toBe('a.b.');
  });

  it('the TLD of a name is its last label with its dot', () => {
    expect(tldOf('shop.example.COM')).toBe('.com');
    expect(tldOf('example.co.uk.')).toBe('.uk');
    expect(tldOf('localhost')).toBe('.localhost');
    expect(tldOf('.com')).toBe('.com');
  });

  it('the longest suffix wins: ".co.uk" before ".uk", whatever the order of the entries', () => {
    const uk = tld('.uk', 1);
    const couk = tld('.co.uk', 2);
    expect(matchTld('shop.example.co.uk', [uk, couk])).toBe(couk);
    expect(matchTld('shop.example.co.uk', [couk, uk])).toBe(couk);
    expect(matchTld('example.org.uk', [couk, uk])).toBe(uk);
    expect(matchTld('Example.CO.UK.', [uk, couk])).toBe(couk);
  });

  it('a suffix matches only at a label boundary, and no entry means no match', () => {
    expect(matchTld('example.com', [tld('.com')])?.tld).toBe('.com');
    expect(matchTld('example.acom', [tld('.com')])).toBeUndefined();
    expect(matchTld('example.com', [])).toBeUndefined();
    expect(matchTld('example.net', [tld('.com')])).toBeUndefined();
  });
});

describe('what a mapping still lacks', () => {
  it('hosting needs a POA service template and a PBA plan', () => {
    expect(missingParts(m({ class: 'hosting' }))).toEqual(['POA service template', 'PBA service plan']);
    expect(missingParts(m({ class: 'hosting', poaTemplateId: 11 }))).toEqual(['PBA service plan']);
    expect(missingParts(m({ class: 'hosting', pbaPlanId: 101 }))).toEqual(['POA service template']);
    expect(missingParts(m({ class: 'hosting', poaTemplateId: 11, pbaPlanId: 101 }))).toEqual([]);
  });

  it('a resource class without a plan is incomplete', () => {
    expect(missingParts(m({ class: 'resource' }))).toEqual(['PBA service plan']);
    expect(mappingState(m({ class: 'resource' }))).toBe('incomplete');
    expect(mappingState(m({ class: 'resource', pbaPlanId: 301 }))).toBe('complete');
  });

  it('registration needs at least one TLD; hosting+registration needs all three', () => {
    expect(missingParts(m({ class: 'registration' }))).toEqual(['a TLD with its PBA plan']);
    expect(missingParts(m({ class: 'registration', tlds: [] }))).toEqual(['a TLD with its PBA plan']);
    expect(missingParts(m({ class: 'registration', tlds: [tld('.com')] }))).toEqual([]);
    expect(missingParts(m({ class: 'hosting+registration', tlds: [tld('.com')] }))).toEqual([
      'POA service template',
      'PBA service plan',
    ]);
    expect(missingParts(m({ class: 'hosting+registration', poaTemplateId: 1, pbaPlanId: 2 }))).toEqual([
      'a TLD with its PBA plan',
    ]);
    expect(
      mappingState(m({ class: 'hosting+registration', poaTemplateId: 1, pbaPlanId: 2, tlds: [tld('.com')] })),
    ).toBe('complete');
  });

  it('no mapping at all is unmapped, and says it needs everything', () => {
    expect(missingParts(undefined)).toEqual(['a class and target template/plans']);
    expect(mappingState(undefined)).toBe('unmapped');
    expect(mappingState(m({ class: 'hosting' }))).toBe('incomplete');
  });

  it('the class decides which parts count', () => {
    expect(hasHosting('hosting')).toBe(true);
    expect(hasHosting('hosting+registration')).toBe(true);
    expect(hasHosting('registration')).toBe(false);
    expect(hasHosting('resource')).toBe(false);
    expect(hasRegistration('registration')).toBe(true);
    expect(hasRegistration('hosting+registration')).toBe(true);
    expect(hasRegistration('hosting')).toBe(false);
    expect(hasRegistration('resource')).toBe(false);
  });
});

describe('a stored mapping says exactly what it means', () => {
  it('drops the ids its class does not use', () => {
    const all = { poaTemplateId: 11, pbaPlanId: 101, tlds: [tld('.com')] };
    expect(normalizeMapping(m({ class: 'hosting', ...all }))).toStrictEqual(
      m({ class: 'hosting', poaTemplateId: 11, pbaPlanId: 101 }),
    );
    expect(normalizeMapping(m({ class: 'resource', ...all }))).toStrictEqual(
      m({ class: 'resource', pbaPlanId: 101 }),
    );
    expect(normalizeMapping(m({ class: 'registration', ...all }))).toStrictEqual(
      m({ class: 'registration', tlds: [tld('.com')] }),
    );
    expect(normalizeMapping(m({ class: 'hosting+registration', ...all }))).toStrictEqual(
      m({ class: 'hosting+registration', ...all }),
    );
    expect(normalizeMapping(m({ class: 'registration', tlds: [] }))).toStrictEqual(
      m({ class: 'registration' }),
    );
  });

  it('lower-cases TLDs and keeps the last entry given for the same TLD', () => {
    expect(
      normalizeMapping(
        m({ class: 'registration', tlds: [tld('.COM', 1), tld('.net', 2), tld('.com', 3, 'opensrs')] }),
      ).tlds,
    ).toEqual([tld('.com', 3, 'opensrs'), tld('.net', 2)]);
  });

  it('two mappings are the same when they say the same thing, ids of other classes aside', () => {
    expect(
      sameMapping(
        m({ class: 'hosting', poaTemplateId: 1, pbaPlanId: 2 }),
        m({ class: 'hosting', poaTemplateId: 1, pbaPlanId: 2, tlds: [tld('.com')] }),
      ),
    ).toBe(true);
    expect(
      sameMapping(
        m({ class: 'hosting', poaTemplateId: 1, pbaPlanId: 2 }),
        m({ class: 'hosting', poaTemplateId: 1, pbaPlanId: 3 }),
      ),
    ).toBe(false);
    expect(
      sameMapping(
        m({ class: 'hosting', poaTemplateId: 1 }),
        m({ class: 'hosting+registration', poaTemplateId: 1 }),
      ),
    ).toBe(false);
    expect(
      sameMapping(
        m({ class: 'registration', tlds: [tld('.com', 1)] }),
        m({ class: 'registration', tlds: [tld('.COM', 1)] }),
      ),
    ).toBe(true);
    expect(
      sameMapping(
        m({ class: 'registration', tlds: [tld('.com', 1)] }),
        m({ class: 'registration', tlds: [tld('.com', 2)] }),
      ),
    ).toBe(false);
    expect(
      sameMapping(
        m({ class: 'hosting', poaTemplateId: 1, pbaPlanId: 2 }),
        m({ class: 'hosting', poaTemplateId: 3, pbaPlanId: 2 }),
      ),
    ).toBe(false);
    expect(
      sameMapping(
        m({ class: 'hosting', poaTemplateId: 1, pbaPlanId: 2 }),
        m({ class: 'hosting', pbaPlanId: 2 }),
      ),
    ).toBe(false);
    expect(sameMapping(undefined, undefined)).toBe(true);
    expect(sameMapping(m({ class: 'resource', pbaPlanId: 1 }), undefined)).toBe(false);
    expect(sameMapping(undefined, m({ class: 'resource', pbaPlanId: 1 }))).toBe(false);
  });
});

describe("checking a mapping against the target's live lists", () => {
  const poa: ServiceTemplateInfo[] = [
    { id: 11, name: 'Linux hosting', active: true },
    { id: 12, name: 'Old hosting', active: false },
  ];
  const plan = (p: Partial<ServicePlanInfo> & { id: number }): ServicePlanInfo => ({
    name: `Plan ${p.id}`,
    category: 'hosting',
    serviceTemplateId: 0,
    tld: '',
    ...p,
  });
  const pba: ServicePlanInfo[] = [
    plan({ id: 101, serviceTemplateId: 11 }),
    plan({ id: 102 }),
    plan({ id: 201, category: 'domain', tld: '.COM' }),
    plan({ id: 202, category: 'domain' }),
    plan({ id: 301, category: 'resource' }),
  ];

  it('a mapping whose ids exist and fit has no problem', () => {
    expect(targetProblems(m({ class: 'hosting', poaTemplateId: 11, pbaPlanId: 101 }), poa, pba)).toEqual([]);
    expect(targetProblems(m({ class: 'hosting', poaTemplateId: 11, pbaPlanId: 102 }), poa, pba)).toEqual([]);
    expect(targetProblems(m({ class: 'resource', pbaPlanId: 301 }), poa, pba)).toEqual([]);
    expect(
      targetProblems(m({ class: 'registration', tlds: [tld('.com', 201), tld('.net', 202)] }), poa, pba),
    ).toEqual([]);
  });

  it('names a missing or inactive POA template', () => {
    expect(targetProblems(m({ class: 'hosting', poaTemplateId: 99 }), poa, pba)).toEqual([
      'POA has no service template 99',
    ]);
    expect(targetProblems(m({ class: 'hosting', poaTemplateId: 12 }), poa, pba)).toEqual([
      'POA service template 12 "Old hosting" is not active',
    ]);
  });

  it('names a missing plan, a plan of the wrong category and a plan for another template', () => {
    expect(targetProblems(m({ class: 'hosting', pbaPlanId: 999 }), poa, pba)).toEqual([
      'PBA has no service plan 999',
    ]);
    expect(targetProblems(m({ class: 'hosting', pbaPlanId: 301 }), poa, pba)).toEqual([
      'PBA plan 301 "Plan 301" is a resource plan, not a hosting plan',
    ]);
    expect(targetProblems(m({ class: 'resource', pbaPlanId: 101 }), poa, pba)).toEqual([
      'PBA plan 101 "Plan 101" is a hosting plan, not a resource plan',
    ]);
    expect(targetProblems(m({ class: 'hosting', poaTemplateId: 12, pbaPlanId: 101 }), poa, pba)).toEqual([
      'POA service template 12 "Old hosting" is not active',
      'PBA plan 101 "Plan 101" provisions POA template 11, not 12',
    ]);
    expect(targetProblems(m({ class: 'hosting', pbaPlanId: 101 }), poa, pba)).toEqual([]);
    // Only a hosting plan provisions a POA template: a resource plan is never held to one.
    const resourceForTemplate = [plan({ id: 302, category: 'resource', serviceTemplateId: 12 })];
    expect(
      targetProblems(m({ class: 'resource', poaTemplateId: 11, pbaPlanId: 302 }), poa, resourceForTemplate),
    ).toEqual([]);
  });

  it('names TLD plans that are missing, not domain plans, or register another TLD', () => {
    expect(
      targetProblems(
        m({ class: 'registration', tlds: [tld('.org', 999), tld('.com', 101), tld('.net', 201)] }),
        poa,
        pba,
      ),
    ).toEqual([
      'PBA has no service plan 999 (for .org)',
      'PBA plan 101 "Plan 101" is a hosting plan, not a domain plan (for .com)',
      'PBA plan 201 "Plan 201" registers .COM, not .net',
    ]);
  });

  it('checks only the side whose list it has', () => {
    const bad = m({ class: 'hosting', poaTemplateId: 99, pbaPlanId: 999, tlds: [tld('.com', 998)] });
    expect(targetProblems(bad, undefined, undefined)).toEqual([]);
    expect(targetProblems(bad, poa, undefined)).toEqual(['POA has no service template 99']);
    expect(targetProblems(bad, undefined, pba)).toEqual([
      'PBA has no service plan 999',
      'PBA has no service plan 998 (for .com)',
    ]);
  });
});
