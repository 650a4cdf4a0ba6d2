/**
 * The verification input as it would be after a decision, without storing anything: the
 * preview of a fix ("also changes zahn-termin.test: manual approval → failed") runs the
 * incremental verification on it.
 */
import type { DecisionInput } from '../../../shared/model/decision';
import { mappingKey } from '../mapping/mapping-store';
import { type VerificationInput, objectKey } from './input';

export function withDecision(input: VerificationInput, change: DecisionInput): VerificationInput {
  switch (change.kind) {
    case 'override':
      return {
        ...input,
        decisions: {
          ...input.decisions,
          overrides: new Set([
            ...input.decisions.overrides,
            objectKey(change.serverId, change.subscriptionId),
          ]),
        },
      };
    case 'approve': {
      const approvals = new Map(input.decisions.approvals);
      approvals.set(objectKey(change.serverId, change.domainId), {
        park: change.park ?? false,
        decisionId: 'preview',
      });
      return { ...input, decisions: { ...input.decisions, approvals } };
    }
    case 'unselect': {
      const selection = new Map(input.selection);
      const current = selection.get(change.serverId);
      if (current) {
        const domains = new Set(current.domains);
        domains.delete(change.domainId);
        selection.set(change.serverId, { accounts: current.accounts, domains });
      }
      return { ...input, selection };
    }
    case 'remap': {
      const mappings = new Map(input.mappings);
      mappings.set(mappingKey(change.mapping.serverId, change.mapping.templateId), change.mapping);
      return { ...input, mappings };
    }
  }
}
