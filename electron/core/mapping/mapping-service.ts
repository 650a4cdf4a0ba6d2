/**
 * Template mapping of a project (SPEC R4): list every external service template of every
 * source server with its mapping; set, remove, suggest, export and import mappings. Target ids
 * are checked against the target's live lists when it answers; when it does not, the mapping
 * is accepted and flagged "unverified".
 */
import type {
  MappingExport,
  MappingInput,
  MappingRow,
  MappingSuggestions,
  TemplateMapping,
} from '../../../shared/model/mapping';
import { mappingExportSchema } from '../../../shared/model/mapping';
import type { ServicePlanInfo, ServiceTemplateInfo } from '../../../shared/model/target';
import { MmError, toAppError } from '../errors';
import type { InventoryService } from '../inventory/inventory-service';
import type { ProjectService } from '../project/project-service';
import type { ServerService } from '../servers/server-service';
import type { DocumentCache } from '../store/document-cache';
import type { TargetService } from '../target/target-service';
import { type ServerInventory, loadInventories } from '../verification/project-inventories';
import { mappingState, missingParts, normalizeMapping, targetProblems, tldOf } from './mapping-rules';
import { type MappingFile, mappingKey, mappingStore } from './mapping-store';
import { type TargetTemplate, suggestMapping } from './suggest';

export interface TargetLists {
  readonly poa?: readonly ServiceTemplateInfo[];
  readonly pba?: readonly ServicePlanInfo[];
  readonly error?: string;
}

export class MappingService {
  readonly #store: DocumentCache<MappingFile>;

  constructor(
    projects: ProjectService,
    private readonly servers: ServerService,
    private readonly inventory: InventoryService,
    private readonly target: TargetService,
  ) {
    this.#store = mappingStore(projects);
  }

  async entries(projectId: string): Promise<readonly TemplateMapping[]> {
    return (await this.#store.read(projectId)).entries;
  }

  async revision(projectId: string): Promise<number> {
    return (await this.#store.read(projectId)).revision;
  }

  async find(projectId: string, serverId: string, templateId: string): Promise<TemplateMapping | undefined> {
    return (await this.entries(projectId)).find(
      (m) => m.serverId === serverId && m.templateId === templateId,
    );
  }

  /** Every template of every source server (or one), with its mapping and what it lacks. */
  async rows(projectId: string, serverRef?: string): Promise<MappingRow[]> {
    const loaded = await loadInventories(this.servers, this.inventory, projectId, serverRef);
    const byKey = new Map(
      (await this.entries(projectId)).map((m) => [mappingKey(m.serverId, m.templateId), m]),
    );
    return loaded.flatMap((si) => {
      const usage = templateUsage(si);
      return si.inventory.templates.map((t): MappingRow => {
        const mapping = byKey.get(mappingKey(si.server.id, t.id));
        const use = usage.get(t.id);
        const tlds = [...(use?.tlds ?? [])].sort();
        const covered = new Set((mapping?.tlds ?? []).map((x) => x.tld));
        const missing = mapping
          ? [
              ...missingParts(mapping),
              ...((mapping.tlds ?? []).length > 0
                ? tlds.filter((x) => !covered.has(x)).map((x) => `a PBA plan for ${x}`)
                : []),
            ]
          : [];
        return {
          serverId: si.server.id,
          templateId: t.id,
          templateName: t.name,
          virtual: t.virtual,
          disabled: t.disabled,
          ...(t.kind !== undefined ? { kindHint: t.kind } : {}),
          subscriptions: use?.subscriptions ?? 0,
          tlds,
          state: mapping ? (missing.length === 0 ? mappingState(mapping) : 'incomplete') : 'unmapped',
          missing,
          ...(mapping ? { mapping } : {}),
        };
      });
    });
  }

  /** The target's templates and plans, or why they could not be listed. */
  async targetLists(projectId: string): Promise<TargetLists> {
    const test = await this.target.test(projectId);
    const error = [test.poa.error && `POA: ${test.poa.error}`, test.pba.error && `PBA: ${test.pba.error}`]
      .filter(Boolean)
      .join('; ');
    return {
      ...(test.poa.ok ? { poa: test.poa.items } : {}),
      ...(test.pba.ok ? { pba: test.pba.items } : {}),
      ...(error ? { error } : {}),
    };
  }

  /**
   * Checks a mapping (server and template exist; ids exist on the target when it answers) and
   * returns it as it would be stored. Throws on ids the target does not have.
   */
  async prepare(
    projectId: string,
    input: MappingInput,
    author: string,
    lists?: TargetLists,
  ): Promise<TemplateMapping> {
    const server = await this.servers.get(projectId, input.serverId);
    const inv = await this.inventory.load(projectId, server.id);
    if (!inv?.templates.some((t) => t.id === input.templateId))
      throw new MmError(
        'template-not-found',
        `${server.name} has no external service template "${input.templateId}"${inv ? '' : ' (no inventory yet)'}.`,
        input.templateId,
      );
    const normalized = normalizeMapping({ ...input, serverId: server.id });
    const target = lists ?? (await this.targetLists(projectId));
    const problems = targetProblems(normalized, target.poa, target.pba);
    if (problems.length > 0)
      throw new MmError(
        'mapping-invalid',
        `The mapping of ${input.templateId} does not fit the target: ${problems.join('; ')}.`,
        input.templateId,
      );
    const verified = target.poa !== undefined && target.pba !== undefined;
    return {
      ...normalized,
      tlds: normalized.tlds ?? [],
      check: verified ? 'verified' : 'unverified',
      ...(verified ? {} : { checkNote: target.error ?? 'the target was not reachable' }),
      updatedAt: new Date().toISOString(),
      updatedBy: author,
    };
  }

  /** Stores a prepared mapping (null removes it); returns what was there before. */
  async put(
    projectId: string,
    serverId: string,
    templateId: string,
    mapping: TemplateMapping | null,
  ): Promise<TemplateMapping | null> {
    let before: TemplateMapping | null = null;
    await this.#store.update(projectId, (d) => {
      before = d.entries.find((m) => m.serverId === serverId && m.templateId === templateId) ?? null;
      const rest = d.entries.filter((m) => !(m.serverId === serverId && m.templateId === templateId));
      return { ...d, revision: d.revision + 1, entries: mapping ? [...rest, mapping] : rest };
    });
    return before;
  }

  async suggest(projectId: string, serverRef?: string): Promise<MappingSuggestions> {
    const loaded = await loadInventories(this.servers, this.inventory, projectId, serverRef);
    // Complete mappings stay as they are; unmapped and incomplete ones get a proposal.
    const mapped = new Set(
      (await this.entries(projectId))
        .filter((m) => mappingState(m) === 'complete')
        .map((m) => mappingKey(m.serverId, m.templateId)),
    );
    const lists = await this.targetLists(projectId);
    const poa = lists.poa ? await this.templateDetails(projectId, lists.poa) : [];
    const suggestions = loaded.flatMap((si) => {
      const usage = templateUsage(si);
      return si.inventory.templates
        .filter((t) => !mapped.has(mappingKey(si.server.id, t.id)))
        .map((t) =>
          suggestMapping(
            { serverId: si.server.id, template: t, tlds: [...(usage.get(t.id)?.tlds ?? [])].sort() },
            poa,
            lists.pba ?? [],
          ),
        );
    });
    return {
      targetReachable: lists.poa !== undefined && lists.pba !== undefined,
      ...(lists.error ? { targetError: lists.error } : {}),
      suggestions,
    };
  }

  /** POA templates with their resources (for resource similarity); a template that fails is kept without. */
  private async templateDetails(
    projectId: string,
    list: readonly ServiceTemplateInfo[],
  ): Promise<TargetTemplate[]> {
    const poa = await this.target.poa(projectId);
    return Promise.all(
      list.slice(0, 200).map(async (t) => {
        try {
          const details = await poa.getServiceTemplate(t.id);
          return {
            ...t,
            resources: (details.resources ?? []).map((r) => ({ name: r.name, limit: Number(r.limit) })),
          };
        } catch {
          return { ...t, resources: [] };
        }
      }),
    );
  }

  async exportJson(projectId: string): Promise<string> {
    const file: MappingExport = {
      format: 'migration-manager/mapping',
      version: 1,
      exportedAt: new Date().toISOString(),
      mappings: (await this.entries(projectId)).map((m) => normalizeMapping(m)),
    };
    return `${JSON.stringify(file, null, 2)}\n`;
  }

  /** Parses a mapping file; throws what is wrong with it, naming the field. */
  parseExport(content: string): readonly MappingInput[] {
    let raw: unknown;
    try {
      raw = JSON.parse(content);
    } catch (e) {
      throw new MmError('mapping-file-invalid', `The mapping file is not JSON: ${toAppError(e).message}`);
    }
    const parsed = mappingExportSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MmError(
        'mapping-file-invalid',
        `The mapping file is not a Migration Manager mapping: ${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'wrong shape'}.`,
      );
    }
    return parsed.data.mappings;
  }
}

/** Per template: how many subscriptions use it and the TLDs of the domains they provide. */
function templateUsage(si: ServerInventory): Map<string, { subscriptions: number; tlds: Set<string> }> {
  const domains = new Map(si.inventory.domains.map((d) => [d.id, d]));
  const usage = new Map<string, { subscriptions: number; tlds: Set<string> }>();
  const subsTemplate = new Map<string, string>();
  for (const s of si.inventory.subscriptions) {
    subsTemplate.set(s.id, s.templateId);
    const u = usage.get(s.templateId) ?? { subscriptions: 0, tlds: new Set<string>() };
    u.subscriptions++;
    for (const id of s.domainIds) {
      const d = domains.get(id);
      if (d) u.tlds.add(tldOf(d.asciiName ?? d.name));
    }
    usage.set(s.templateId, u);
  }
  for (const d of si.inventory.domains) {
    const t =
      d.registrationSubscriptionId !== undefined ? subsTemplate.get(d.registrationSubscriptionId) : undefined;
    if (t !== undefined) usage.get(t)?.tlds.add(tldOf(d.asciiName ?? d.name));
  }
  return usage;
}
