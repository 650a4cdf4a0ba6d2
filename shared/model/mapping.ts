/**
 * External service template mapping (SPEC R4, seed "Mapping External Service Template to POA
 * Service Templates and/or PBA Service Plans"): per source server and template, its class and
 * the target template/plans it becomes. The zod schemas are the one definition of a valid
 * mapping input: the contract, the CLI and the mapping file import all use them.
 */
import { z } from 'zod';

export const TEMPLATE_CLASSES = ['hosting', 'registration', 'hosting+registration', 'resource'] as const;
export type TemplateClass = (typeof TEMPLATE_CLASSES)[number];

/** Domain Registration: per TLD a PBA plan and a registrar type. */
export interface TldMapping {
  /** ".com", ".co.uk": lower case with its leading dot. */
  readonly tld: string;
  readonly pbaPlanId: number;
  /** The registrar plug-in on the target, e.g. "enom", "opensrs". */
  readonly registrarType: string;
}

/** What the engineer says about one template. */
export interface MappingInput {
  readonly serverId: string;
  readonly templateId: string;
  readonly class: TemplateClass;
  /** Hosting: the POA service template. */
  readonly poaTemplateId?: number;
  /** Hosting and Resource: the PBA service plan. */
  readonly pbaPlanId?: number;
  /** Domain Registration: one entry per TLD. */
  readonly tlds?: readonly TldMapping[];
}

/**
 * verified: checked against the target's live lists; unverified: the target was not reachable
 * when it was set (accepted, to be checked again); the ids are kept as given either way.
 */
export type TargetCheckState = 'verified' | 'unverified';

export interface TemplateMapping extends MappingInput {
  readonly tlds: readonly TldMapping[];
  readonly check: TargetCheckState;
  /** Why it is unverified (the target's error), when it is. */
  readonly checkNote?: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** complete: everything its class needs is there; incomplete: classified but missing ids. */
export type MappingState = 'unmapped' | 'incomplete' | 'complete';

/** One row of the mapping page: a template of a source server and its mapping, if any. */
export interface MappingRow {
  readonly serverId: string;
  readonly templateId: string;
  readonly templateName: string;
  readonly virtual: boolean;
  readonly disabled: boolean;
  /** The agent's classification hint (HostingPlatform.xsd serviceTemplate/@kind). */
  readonly kindHint?: string;
  readonly subscriptions: number;
  /** TLDs of the domains its subscriptions provide: what a registration mapping must cover. */
  readonly tlds: readonly string[];
  readonly state: MappingState;
  /** What is missing, when incomplete ("POA service template", "PBA plan for .net" …). */
  readonly missing: readonly string[];
  readonly mapping?: TemplateMapping;
}

export interface MappingSuggestion {
  readonly input: MappingInput;
  readonly templateName: string;
  /** 0..1: how sure the suggestion is (name and resource similarity). */
  readonly confidence: number;
  readonly why: readonly string[];
}

export interface MappingSuggestions {
  readonly targetReachable: boolean;
  readonly targetError?: string;
  readonly suggestions: readonly MappingSuggestion[];
}

/** The mapping file (`mm mapping export` / 'mapping:export'): portable between projects. */
export interface MappingExport {
  readonly format: 'migration-manager/mapping';
  readonly version: 1;
  readonly exportedAt: string;
  readonly mappings: readonly MappingInput[];
}

export const tldSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^\.[a-z0-9-]+(\.[a-z0-9-]+)*$/, 'a TLD is written with its dot, e.g. ".com" or ".co.uk"');

export const tldMappingSchema = z
  .object({
    tld: tldSchema,
    pbaPlanId: z.number().int().positive(),
    registrarType: z.string().trim().min(1).max(100),
  })
  .strict();

export const mappingInputSchema = z
  .object({
    serverId: z.string().min(1).max(100),
    templateId: z.string().min(1).max(500),
    class: z.enum(TEMPLATE_CLASSES),
    poaTemplateId: z.number().int().positive().optional(),
    pbaPlanId: z.number().int().positive().optional(),
    // readonly: what 'mapping:suggest' returns can be sent back to 'mapping:apply-suggestions' as is.
    tlds: z.array(tldMappingSchema).max(500).readonly().optional(),
  })
  .strict();

export const mappingExportSchema = z
  .object({
    format: z.literal('migration-manager/mapping'),
    version: z.literal(1),
    exportedAt: z.string().optional(),
    mappings: z.array(mappingInputSchema).max(100_000),
  })
  .strip();
