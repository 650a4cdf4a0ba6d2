/**
 * Pure rules of a template mapping: what each class needs (seed: Hosting → POA service
 * template + PBA plan; Domain Registration → per TLD a PBA plan and a registrar type;
 * Resource → PBA plan; both → both), TLD matching, and the check against the target's lists.
 */
import type { MappingInput, MappingState, TemplateClass, TldMapping } from '../../../shared/model/mapping';
import type { ServicePlanInfo, ServiceTemplateInfo } from '../../../shared/model/target';

export const hasHosting = (c: TemplateClass): boolean => c === 'hosting' || c === 'hosting+registration';
export const hasRegistration = (c: TemplateClass): boolean =>
  c === 'registration' || c === 'hosting+registration';

/** The domain's name as compared everywhere: lower-case ASCII, no trailing dot. */
export function domainKey(name: string, asciiName?: string): string {
  return (asciiName ?? name).toLowerCase().replace(/\.$/, '');
}

/** ".com" for "shop.example.com": the last label, with its dot. */
export function tldOf(name: string): string {
  const key = domainKey(name);
  const dot = key.lastIndexOf('.');
  return dot < 0 ? `.${key}` : key.slice(dot);
}

/** The TLD entry that covers a domain: the longest suffix wins (".co.uk" before ".uk"). */
export function matchTld(domain: string, tlds: readonly TldMapping[]): TldMapping | undefined {
  const key = `.${domainKey(domain)}`;
  let best: TldMapping | undefined;
  for (const t of tlds) {
    if (key.endsWith(t.tld) && (!best || t.tld.length > best.tld.length)) best = t;
  }
  return best;
}

/** What a mapping still lacks for its class (empty when complete), in words for the UI. */
export function missingParts(m: MappingInput | undefined): string[] {
  if (!m) return ['a class and target template/plans'];
  const missing: string[] = [];
  if (hasHosting(m.class)) {
    if (m.poaTemplateId === undefined) missing.push('POA service template');
    if (m.pbaPlanId === undefined) missing.push('PBA service plan');
  }
  if (m.class === 'resource' && m.pbaPlanId === undefined) missing.push('PBA service plan');
  if (hasRegistration(m.class) && (m.tlds ?? []).length === 0) missing.push('a TLD with its PBA plan');
  return missing;
}

export function mappingState(m: MappingInput | undefined): MappingState {
  if (!m) return 'unmapped';
  return missingParts(m).length === 0 ? 'complete' : 'incomplete';
}

/** Drops ids the class does not use, so a stored mapping says exactly what it means. */
export function normalizeMapping(m: MappingInput): MappingInput {
  const tlds = hasRegistration(m.class)
    ? dedupeTlds((m.tlds ?? []).map((t) => ({ ...t, tld: t.tld.toLowerCase() })))
    : [];
  return {
    serverId: m.serverId,
    templateId: m.templateId,
    class: m.class,
    ...(hasHosting(m.class) && m.poaTemplateId !== undefined ? { poaTemplateId: m.poaTemplateId } : {}),
    ...((hasHosting(m.class) || m.class === 'resource') && m.pbaPlanId !== undefined
      ? { pbaPlanId: m.pbaPlanId }
      : {}),
    ...(tlds.length > 0 ? { tlds } : {}),
  };
}

function dedupeTlds(tlds: readonly TldMapping[]): TldMapping[] {
  const byTld = new Map<string, TldMapping>();
  for (const t of tlds) byTld.set(t.tld, t); // the last one given wins
  return [...byTld.values()];
}

/**
 * Problems with the ids of a mapping against the target's live lists; empty when they exist
 * and fit (a hosting plan that provisions the chosen template, a domain plan for that TLD).
 */
export function targetProblems(
  m: MappingInput,
  poa: readonly ServiceTemplateInfo[] | undefined,
  pba: readonly ServicePlanInfo[] | undefined,
): string[] {
  const problems: string[] = [];
  const plan = (id: number): ServicePlanInfo | undefined => pba?.find((p) => p.id === id);
  if (poa && m.poaTemplateId !== undefined) {
    const t = poa.find((x) => x.id === m.poaTemplateId);
    if (!t) problems.push(`POA has no service template ${m.poaTemplateId}`);
    else if (!t.active) problems.push(`POA service template ${t.id} "${t.name}" is not active`);
  }
  if (pba && m.pbaPlanId !== undefined) {
    const p = plan(m.pbaPlanId);
    const want = m.class === 'resource' ? 'resource' : 'hosting';
    if (!p) problems.push(`PBA has no service plan ${m.pbaPlanId}`);
    else if (p.category !== want)
      problems.push(`PBA plan ${p.id} "${p.name}" is a ${p.category} plan, not a ${want} plan`);
    else if (
      want === 'hosting' &&
      m.poaTemplateId !== undefined &&
      p.serviceTemplateId !== 0 &&
      p.serviceTemplateId !== m.poaTemplateId
    )
      problems.push(
        `PBA plan ${p.id} "${p.name}" provisions POA template ${p.serviceTemplateId}, not ${m.poaTemplateId}`,
      );
  }
  if (pba) {
    for (const t of m.tlds ?? []) {
      const p = plan(t.pbaPlanId);
      if (!p) problems.push(`PBA has no service plan ${t.pbaPlanId} (for ${t.tld})`);
      else if (p.category !== 'domain')
        problems.push(
          `PBA plan ${p.id} "${p.name}" is a ${p.category} plan, not a domain plan (for ${t.tld})`,
        );
      else if (p.tld !== '' && p.tld.toLowerCase() !== t.tld)
        problems.push(`PBA plan ${p.id} "${p.name}" registers ${p.tld}, not ${t.tld}`);
    }
  }
  return problems;
}

/** Two mappings say the same thing (re-setting an identical mapping is not a re-mapping). */
export function sameMapping(a: MappingInput | undefined, b: MappingInput | undefined): boolean {
  if (!a || !b) return a === b;
  const strip = (m: MappingInput): string =>
    JSON.stringify([m.class, m.poaTemplateId ?? null, m.pbaPlanId ?? null, m.tlds ?? []]);
  return strip(normalizeMapping(a)) === strip(normalizeMapping(b));
}
