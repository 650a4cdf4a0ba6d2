/**
 * Decisions that resolve verification issues (SPEC R7): recorded with time, author and
 * before/after, undoable, kept in their own file apart from the inventory.
 */
import type { VerifiedKind } from '../statuses';
import type { MappingInput, TemplateMapping } from './mapping';

export type DecisionKind = 'override' | 'approve' | 'unselect' | 'remap';

/** What the engineer asks for ('decisions:apply', `mm decide …`). */
export type DecisionInput =
  | {
      /** The subscription's override state: "not migrated". */
      readonly kind: 'override';
      readonly serverId: string;
      readonly subscriptionId: string;
    }
  | {
      /** Manual approval of a domain waiting for it (registration/resource only). */
      readonly kind: 'approve';
      readonly serverId: string;
      readonly domainId: string;
      /** Park the domain on the target (offered when the server's parkRegistrationOnly is on). */
      readonly park?: boolean;
    }
  | {
      /** Mark a conflicting domain as not selected for migration on this source server. */
      readonly kind: 'unselect';
      readonly serverId: string;
      readonly domainId: string;
    }
  | {
      /** Re-map an external service template. */
      readonly kind: 'remap';
      readonly mapping: MappingInput;
    };

/** The piece of state a decision changed, before and after (null: absent). */
export type DecisionState =
  | { readonly kind: 'override'; readonly notMigrated: boolean }
  | { readonly kind: 'approve'; readonly approved: boolean; readonly park: boolean }
  | { readonly kind: 'unselect'; readonly selected: boolean }
  | { readonly kind: 'remap'; readonly mapping: TemplateMapping | null };

export interface Decision {
  readonly id: string;
  readonly time: string;
  readonly author: string;
  readonly input: DecisionInput;
  /** One line for the log: "Subscription 17 on web01 marked not migrated". */
  readonly summary: string;
  readonly before: DecisionState;
  readonly after: DecisionState;
  /** Set when undone: the undo is recorded, not erased. */
  readonly undone?: { readonly time: string; readonly author: string };
}

export interface DecisionOutcome {
  readonly decision: Decision;
  /** The incremental re-verification it triggered (null when there were no fresh results to update). */
  readonly reverified: {
    readonly changed: number;
    readonly recomputed: number;
    readonly ms: number;
  } | null;
}

/** One object whose verification status a decision changes (null: not verified, out of scope). */
export interface DecisionEffect {
  readonly kind: VerifiedKind;
  readonly serverId: string;
  readonly id: string;
  readonly name?: string;
  readonly before: string | null;
  readonly after: string | null;
  /** The object the decision is about (the others are what else it changes). */
  readonly subject: boolean;
}

/** 'decisions:preview': what a decision would change, computed by the incremental verification. */
export interface DecisionPreview {
  /** False when the stored results are out of date: run verification for a preview. */
  readonly current: boolean;
  readonly effects: readonly DecisionEffect[];
}
