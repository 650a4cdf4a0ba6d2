/**
 * Mapping suggestions by name and resources: a proposal per unmapped template, with how sure
 * it is and why. Pure; never applied by itself (the engineer accepts it explicitly).
 */
import type { ServiceTemplate, TemplateKind, TemplateResource } from '../../../shared/model/inventory';
import type { MappingSuggestion, TemplateClass, TldMapping } from '../../../shared/model/mapping';
import type { ServicePlanInfo, ServiceTemplateInfo } from '../../../shared/model/target';
import { hasHosting, hasRegistration } from './mapping-rules';

/** A POA template with the resource limits pem.getServiceTemplate gave (empty when unknown). */
export interface TargetTemplate extends ServiceTemplateInfo {
  readonly resources: readonly { readonly name: string; readonly limit: number }[];
}

export interface SuggestInput {
  readonly serverId: string;
  readonly template: ServiceTemplate;
  /** TLDs of the domains its subscriptions provide. */
  readonly tlds: readonly string[];
}

/** Registrar types are not listed by the target: the suggestion names a placeholder to confirm. */
export const DEFAULT_REGISTRAR_TYPE = 'default';

const HINT_CLASS: Record<TemplateKind, TemplateClass> = {
  hosting: 'hosting',
  domainRegistration: 'registration',
  hostingAndDomainRegistration: 'hosting+registration',
  resource: 'resource',
};

export function suggestClass(t: ServiceTemplate): { cls: TemplateClass; why: string } {
  if (t.kind) return { cls: HINT_CLASS[t.kind], why: `the agent classifies it as ${t.kind}` };
  const name = t.name.toLowerCase();
  if (/domain|regist|\btld\b/.test(name))
    return { cls: 'registration', why: 'its name speaks of registration' };
  if (/\bip\b|ssl|certificate|extra|add-?on|backup/.test(name))
    return { cls: 'resource', why: 'its name speaks of an add-on resource' };
  return { cls: 'hosting', why: 'templates are hosting unless their name says otherwise' };
}

export function suggestMapping(
  input: SuggestInput,
  poa: readonly TargetTemplate[],
  pba: readonly ServicePlanInfo[],
): MappingSuggestion {
  const { cls, why: classWhy } = suggestClass(input.template);
  const why = [`class ${cls}: ${classWhy}`];
  const scores: number[] = [];
  let poaTemplateId: number | undefined;
  let pbaPlanId: number | undefined;

  if (hasHosting(cls)) {
    const best = bestBy(
      poa.filter((t) => t.active),
      (t) =>
        0.6 * nameSimilarity(input.template.name, t.name) +
        0.4 * resourceSimilarity(input.template.resources, t.resources),
    );
    if (best) {
      poaTemplateId = best.item.id;
      scores.push(best.score);
      why.push(`POA template ${best.item.id} "${best.item.name}" (match ${pct(best.score)})`);
      const plan = bestBy(
        pba.filter((p) => p.category === 'hosting' && p.serviceTemplateId === best.item.id),
        (p) => nameSimilarity(input.template.name, p.name),
      );
      if (plan) {
        pbaPlanId = plan.item.id;
        why.push(`PBA plan ${plan.item.id} "${plan.item.name}" provisions that template`);
      } else why.push('no PBA hosting plan provisions that template: pick one');
    } else {
      scores.push(0);
      why.push('no active POA template to propose');
    }
  }
  if (cls === 'resource') {
    const plan = bestBy(
      pba.filter((p) => p.category === 'resource'),
      (p) => nameSimilarity(input.template.name, p.name),
    );
    if (plan) {
      pbaPlanId = plan.item.id;
      scores.push(plan.score);
      why.push(`PBA resource plan ${plan.item.id} "${plan.item.name}" (match ${pct(plan.score)})`);
    } else scores.push(0);
  }
  const tlds: TldMapping[] = [];
  if (hasRegistration(cls)) {
    for (const tld of input.tlds) {
      const plan = pba.find((p) => p.category === 'domain' && p.tld.toLowerCase() === tld);
      if (plan) tlds.push({ tld, pbaPlanId: plan.id, registrarType: DEFAULT_REGISTRAR_TYPE });
      else why.push(`no PBA domain plan registers ${tld}`);
    }
    scores.push(input.tlds.length === 0 ? 0.5 : tlds.length / input.tlds.length);
    if (tlds.length > 0)
      why.push(
        `domain plans for ${tlds.map((t) => t.tld).join(', ')}; registrar type "${DEFAULT_REGISTRAR_TYPE}" is a placeholder: confirm it`,
      );
  }
  const confidence = scores.length === 0 ? 0 : scores.reduce((a, b) => a + b, 0) / scores.length;
  return {
    templateName: input.template.name,
    confidence: Math.round(confidence * 100) / 100,
    why,
    input: {
      serverId: input.serverId,
      templateId: input.template.id,
      class: cls,
      ...(poaTemplateId !== undefined ? { poaTemplateId } : {}),
      ...(pbaPlanId !== undefined ? { pbaPlanId } : {}),
      ...(tlds.length > 0 ? { tlds } : {}),
    },
  };
}

function bestBy<T>(items: readonly T[], score: (t: T) => number): { item: T; score: number } | undefined {
  let best: { item: T; score: number } | undefined;
  for (const item of items) {
    const s = score(item);
    if (!best || s > best.score) best = { item, score: s };
  }
  return best;
}

const pct = (n: number): string => `${Math.round(n * 100)}%`;

function tokens(s: string): Set<string> {
  return new Set(
    s
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((t) => t.length > 1),
  );
}

/** Jaccard similarity of the words of two names. */
export function nameSimilarity(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.size === 0 || tb.size === 0) return 0;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return common / (ta.size + tb.size - common);
}

const RESOURCE_KINDS: readonly [string, RegExp][] = [
  ['disk', /disk|space|storage|quota/i],
  ['traffic', /traffic|bandwidth|transfer/i],
  ['domains', /domain/i],
  ['mailboxes', /mail ?box|e-?mail account/i],
  ['databases', /database|mysql|postgres|\bdb\b/i],
  ['ftp', /ftp/i],
];

function byKind(resources: readonly { name?: string; id?: string; limit: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of resources) {
    const label = `${r.name ?? ''} ${r.id ?? ''}`;
    const kind = RESOURCE_KINDS.find(([, re]) => re.test(label))?.[0];
    if (kind && !out.has(kind)) out.set(kind, r.limit);
  }
  return out;
}

/** How close the limits of the resources both sides name are (1: the same; -1 = unlimited). */
export function resourceSimilarity(
  source: readonly TemplateResource[],
  target: readonly { readonly name: string; readonly limit: number }[],
): number {
  const a = byKind(source);
  const b = byKind(target);
  let sum = 0;
  let n = 0;
  for (const [kind, la] of a) {
    const lb = b.get(kind);
    if (lb === undefined) continue;
    n++;
    if (la < 0 || lb < 0) sum += la < 0 && lb < 0 ? 1 : 0;
    else sum += Math.max(la, lb) === 0 ? 1 : Math.min(la, lb) / Math.max(la, lb);
  }
  return n === 0 ? 0 : sum / n;
}
