/**
 * Resolving verification issues (SPEC R7): override state, manual approval, un-selecting a
 * conflicting domain, re-mapping. Each decision is recorded (time, author, before/after),
 * undoable, and followed by an incremental re-verification of what it touched when the stored
 * results were current before it.
 */
import { randomUUID } from 'node:crypto';
import type { MappingBulkResult } from '../../../shared/contract';
import type {
  Decision,
  DecisionInput,
  DecisionOutcome,
  DecisionPreview,
  DecisionState,
} from '../../../shared/model/decision';
import type { MappingInput, TemplateMapping } from '../../../shared/model/mapping';
import { MmError } from '../errors';
import type { InventoryService } from '../inventory/inventory-service';
import { missingParts, sameMapping } from '../mapping/mapping-rules';
import type { MappingService, TargetLists } from '../mapping/mapping-service';
import type { ProjectService } from '../project/project-service';
import type { SelectionService } from '../selection/selection-service';
import type { ServerService } from '../servers/server-service';
import type { DocumentCache } from '../store/document-cache';
import type { DecisionFacts } from '../verification/input';
import type { VerificationService } from '../verification/verification-service';
import { osAuthor } from './author';
import { type DecisionsFile, decisionFacts, decisionStore } from './decision-store';

export interface DecisionDeps {
  readonly projects: ProjectService;
  readonly servers: ServerService;
  readonly inventory: InventoryService;
  readonly mapping: MappingService;
  readonly selection: SelectionService;
  readonly verification: VerificationService;
  readonly now?: () => Date;
}

export class DecisionService {
  readonly #store: DocumentCache<DecisionsFile>;

  constructor(private readonly deps: DecisionDeps) {
    this.#store = decisionStore(deps.projects);
  }

  async facts(projectId: string): Promise<DecisionFacts> {
    return decisionFacts(await this.#store.read(projectId));
  }

  async revision(projectId: string): Promise<number> {
    return (await this.#store.read(projectId)).revision;
  }

  /** Newest first. */
  async list(projectId: string): Promise<readonly Decision[]> {
    return [...(await this.#store.read(projectId)).log].reverse();
  }

  async about(projectId: string, serverId: string, id: string): Promise<readonly string[]> {
    return (await this.list(projectId))
      .filter((d) => {
        const i = d.input;
        if (i.kind === 'remap') return i.mapping.serverId === serverId && i.mapping.templateId === id;
        return i.serverId === serverId && (i.kind === 'override' ? i.subscriptionId : i.domainId) === id;
      })
      .map((d) => d.id);
  }

  /** What the decision would change (the object itself and everything else), before it is applied. */
  async preview(projectId: string, raw: DecisionInput): Promise<DecisionPreview> {
    return this.deps.verification.preview(projectId, await this.resolve(projectId, raw));
  }

  async apply(
    projectId: string,
    raw: DecisionInput,
    author = osAuthor(),
    options: { lists?: TargetLists; reverify?: boolean } = {},
  ): Promise<DecisionOutcome> {
    const input = await this.resolve(projectId, raw);
    const fresh = options.reverify !== false && (await this.deps.verification.isFresh(projectId));
    const before = await this.current(projectId, input);
    const after = await this.target(projectId, input, author, options.lists);
    if (JSON.stringify(before) === JSON.stringify(after))
      throw new MmError(
        'decision-no-change',
        `Nothing to change: ${describe(input)} already.`,
        objectOf(input),
      );
    await this.checkAllowed(projectId, input);
    const decision: Decision = {
      id: `d-${randomUUID().slice(0, 8)}`,
      time: this.now().toISOString(),
      author,
      input,
      summary: describe(input),
      before,
      after,
    };
    // All or nothing: the log entry and the state it sets in decisions.json are one write, made
    // first — on a shared store that write is the one refused when another engineer decided on
    // the same object meanwhile, and then nothing at all was written. Only once it is accepted
    // does the selection or mapping change; if that fails, the log entry is taken back.
    await this.#store.update(projectId, (d) => ({
      ...this.withState(d, input, after, decision.id),
      log: [...d.log, decision],
    }));
    await this.writeOutside(projectId, input, after, decision.id).catch(async (e: unknown) => {
      await this.#store.update(projectId, (d) => ({
        ...d,
        revision: d.revision + 1,
        log: d.log.filter((x) => x.id !== decision.id),
      }));
      throw e;
    });
    return { decision, reverified: fresh ? await this.reverify(projectId, input) : null };
  }

  /** Mapping set from the mapping page or `mm mapping set`: a re-mapping when one existed. */
  async setMapping(
    projectId: string,
    input: MappingInput,
    author = osAuthor(),
    options: { lists?: TargetLists; reverify?: boolean } = {},
  ): Promise<{
    mapping: TemplateMapping;
    decision: Decision | null;
    reverified: DecisionOutcome['reverified'];
  }> {
    const server = await this.deps.servers.get(projectId, input.serverId);
    const existing = await this.deps.mapping.find(projectId, server.id, input.templateId);
    // Setting the same mapping again (an import of an export) changes nothing and records nothing.
    if (existing && sameMapping(existing, input))
      return { mapping: existing, decision: null, reverified: null };
    if (existing) {
      const outcome = await this.apply(
        projectId,
        { kind: 'remap', mapping: { ...input, serverId: server.id } },
        author,
        options,
      );
      const after = outcome.decision.after;
      if (after.kind !== 'remap' || !after.mapping) throw new Error('a re-mapping recorded no mapping');
      return { mapping: after.mapping, decision: outcome.decision, reverified: outcome.reverified };
    }
    const fresh = options.reverify !== false && (await this.deps.verification.isFresh(projectId));
    const mapping = await this.deps.mapping.prepare(
      projectId,
      { ...input, serverId: server.id },
      author,
      options.lists,
    );
    await this.deps.mapping.put(projectId, server.id, input.templateId, mapping);
    return {
      mapping,
      decision: null,
      reverified: fresh ? await this.reverify(projectId, { kind: 'remap', mapping }) : null,
    };
  }

  /**
   * Several mappings at once (accepted suggestions, an imported file): the target's lists are
   * read once, each mapping is stored (a re-mapping is recorded as a decision), and fresh
   * results get one full re-verification at the end instead of one per mapping.
   */
  async setMappings(
    projectId: string,
    inputs: readonly MappingInput[],
    author = osAuthor(),
  ): Promise<MappingBulkResult> {
    const fresh = await this.deps.verification.isFresh(projectId);
    const lists = await this.deps.mapping.targetLists(projectId);
    const applied: TemplateMapping[] = [];
    const failed: { serverId: string; templateId: string; message: string }[] = [];
    for (const input of inputs) {
      try {
        applied.push((await this.setMapping(projectId, input, author, { lists, reverify: false })).mapping);
      } catch (e) {
        failed.push({
          serverId: input.serverId,
          templateId: input.templateId,
          message: e instanceof Error ? e.message : String(e),
        });
      }
    }
    return {
      applied,
      failed,
      reverified: fresh && applied.length > 0 ? await this.deps.verification.run(projectId) : null,
    };
  }

  async undo(projectId: string, decisionId: string, author = osAuthor()): Promise<DecisionOutcome> {
    const file = await this.#store.read(projectId);
    const decision = file.log.find((d) => d.id === decisionId);
    if (!decision)
      throw new MmError(
        'decision-not-found',
        `There is no decision "${decisionId}" (see "mm decide list").`,
        decisionId,
      );
    if (decision.undone)
      throw new MmError(
        'decision-undone',
        `Decision ${decisionId} was already undone by ${decision.undone.author} at ${decision.undone.time}.`,
        decisionId,
      );
    const now = await this.current(projectId, decision.input);
    if (JSON.stringify(now) !== JSON.stringify(decision.after))
      throw new MmError(
        'undo-conflict',
        `Decision ${decisionId} (${decision.summary}) was changed by a later decision or edit: undo that first.`,
        decisionId,
      );
    const fresh = await this.deps.verification.isFresh(projectId);
    const undone: Decision = { ...decision, undone: { time: this.now().toISOString(), author } };
    // as in apply: the refusable write first, the selection or mapping only once it is accepted
    await this.#store.update(projectId, (d) => ({
      ...this.withState(d, decision.input, decision.before, decision.id),
      log: d.log.map((x) => (x.id === decisionId ? undone : x)),
    }));
    await this.writeOutside(projectId, decision.input, decision.before, decision.id).catch(
      async (e: unknown) => {
        await this.#store.update(projectId, (d) => ({
          ...this.withState(d, decision.input, decision.after, decision.id),
          log: d.log.map((x) => (x.id === decisionId ? decision : x)),
        }));
        throw e;
      },
    );
    return { decision: undone, reverified: fresh ? await this.reverify(projectId, decision.input) : null };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async reverify(projectId: string, input: DecisionInput): Promise<DecisionOutcome['reverified']> {
    const info = await this.deps.verification.reverify(projectId, input);
    return { changed: info.changed, recomputed: info.recomputed, ms: info.ms };
  }

  /** Server names become ids; the object must exist in the server's inventory. */
  private async resolve(projectId: string, input: DecisionInput): Promise<DecisionInput> {
    const serverRef = input.kind === 'remap' ? input.mapping.serverId : input.serverId;
    const server = await this.deps.servers.get(projectId, serverRef);
    const inv = await this.deps.inventory.load(projectId, server.id);
    const missing = (what: string, id: string): never => {
      throw new MmError('object-not-found', `${server.name} has no ${what} "${id}".`, id);
    };
    switch (input.kind) {
      case 'override':
        if (!inv?.subscriptions.some((s) => s.id === input.subscriptionId))
          missing('subscription', input.subscriptionId);
        return { ...input, serverId: server.id };
      case 'approve':
      case 'unselect':
        if (!inv?.domains.some((d) => d.id === input.domainId)) missing('domain', input.domainId);
        return { ...input, serverId: server.id };
      case 'remap':
        return { kind: 'remap', mapping: { ...input.mapping, serverId: server.id } };
    }
  }

  private async checkAllowed(projectId: string, input: DecisionInput): Promise<void> {
    if (input.kind !== 'approve') return;
    const server = await this.deps.servers.get(projectId, input.serverId);
    if (input.park && !server.settings.parkRegistrationOnly)
      throw new MmError(
        'parking-off',
        `${server.name} does not offer parking (turn "park registration-only domains" on first).`,
        input.domainId,
      );
    const result = await this.deps.verification.get(projectId, {
      kind: 'domain',
      serverId: server.id,
      id: input.domainId,
    });
    if (result && result.status !== 'manual-approval-required')
      throw new MmError(
        'approval-not-needed',
        `Domain ${result.name ?? input.domainId} is "${result.status}": only a domain waiting for manual approval can be approved.`,
        input.domainId,
      );
  }

  /** The state the decision is about, as it is now. */
  private async current(projectId: string, input: DecisionInput): Promise<DecisionState> {
    const file = await this.#store.read(projectId);
    switch (input.kind) {
      case 'override':
        return {
          kind: 'override',
          notMigrated: file.overrides.some(
            (o) => o.serverId === input.serverId && o.subscriptionId === input.subscriptionId,
          ),
        };
      case 'approve': {
        const a = file.approvals.find((x) => x.serverId === input.serverId && x.domainId === input.domainId);
        return { kind: 'approve', approved: a !== undefined, park: a?.park ?? false };
      }
      case 'unselect':
        return {
          kind: 'unselect',
          selected: await this.deps.selection.isDomainSelected(projectId, input.serverId, input.domainId),
        };
      case 'remap':
        return {
          kind: 'remap',
          mapping:
            (await this.deps.mapping.find(projectId, input.mapping.serverId, input.mapping.templateId)) ??
            null,
        };
    }
  }

  /** The state the decision asks for. */
  private async target(
    projectId: string,
    input: DecisionInput,
    author: string,
    lists?: TargetLists,
  ): Promise<DecisionState> {
    switch (input.kind) {
      case 'override':
        return { kind: 'override', notMigrated: true };
      case 'approve':
        return { kind: 'approve', approved: true, park: input.park ?? false };
      case 'unselect':
        return { kind: 'unselect', selected: false };
      case 'remap': {
        // A re-mapping is a fix: one that leaves the template incomplete fixes nothing.
        const lacking = missingParts(input.mapping);
        if (lacking.length > 0)
          throw new MmError(
            'mapping-incomplete',
            `The re-mapping of ${input.mapping.templateId} lacks ${lacking.join(', ')}: nothing was recorded.`,
            input.mapping.templateId,
          );
        const existing = await this.deps.mapping.find(
          projectId,
          input.mapping.serverId,
          input.mapping.templateId,
        );
        // Re-setting the same mapping is no change, even though its time stamp would differ.
        if (existing && sameMapping(existing, input.mapping)) return { kind: 'remap', mapping: existing };
        return {
          kind: 'remap',
          mapping: await this.deps.mapping.prepare(projectId, input.mapping, author, lists),
        };
      }
    }
  }

  /**
   * decisions.json with a state in place (a decision's after, or its before on undo): the
   * override or approval it holds for the object. Its revision moves on in any case.
   */
  private withState(
    d: DecisionsFile,
    input: DecisionInput,
    state: DecisionState,
    decisionId: string,
  ): DecisionsFile {
    if (state.kind === 'override' && input.kind === 'override') {
      const rest = d.overrides.filter(
        (o) => !(o.serverId === input.serverId && o.subscriptionId === input.subscriptionId),
      );
      return {
        ...d,
        revision: d.revision + 1,
        overrides: state.notMigrated
          ? [...rest, { serverId: input.serverId, subscriptionId: input.subscriptionId, decisionId }]
          : rest,
      };
    }
    if (state.kind === 'approve' && input.kind === 'approve') {
      const rest = d.approvals.filter(
        (a) => !(a.serverId === input.serverId && a.domainId === input.domainId),
      );
      return {
        ...d,
        revision: d.revision + 1,
        approvals: state.approved
          ? [...rest, { serverId: input.serverId, domainId: input.domainId, park: state.park, decisionId }]
          : rest,
      };
    }
    return { ...d, revision: d.revision + 1 };
  }

  /** Puts in place what a state changes outside decisions.json: the selection or a mapping. */
  private async writeOutside(
    projectId: string,
    input: DecisionInput,
    state: DecisionState,
    decisionId: string,
  ): Promise<void> {
    if (state.kind === 'unselect' && input.kind === 'unselect') {
      await this.deps.selection.setDomain(
        projectId,
        input.serverId,
        input.domainId,
        state.selected,
        decisionId,
      );
    } else if (state.kind === 'remap' && input.kind === 'remap') {
      await this.deps.mapping.put(projectId, input.mapping.serverId, input.mapping.templateId, state.mapping);
    }
  }
}

function objectOf(input: DecisionInput): string {
  switch (input.kind) {
    case 'override':
      return input.subscriptionId;
    case 'approve':
    case 'unselect':
      return input.domainId;
    case 'remap':
      return input.mapping.templateId;
  }
}

export function describe(input: DecisionInput): string {
  switch (input.kind) {
    case 'override':
      return `subscription ${input.subscriptionId} on ${input.serverId} marked not migrated`;
    case 'approve':
      return `domain ${input.domainId} on ${input.serverId} approved manually${input.park ? ' with parking' : ''}`;
    case 'unselect':
      return `domain ${input.domainId} unselected on ${input.serverId}`;
    case 'remap':
      return `template ${input.mapping.templateId} on ${input.mapping.serverId} re-mapped as ${input.mapping.class}`;
  }
}
