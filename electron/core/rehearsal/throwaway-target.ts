/**
 * The port through which a rehearsal gets a target of its own: started fresh for one rehearsal,
 * seeded with a catalogue (the real target's templates and plans when they could be listed),
 * read back whole when the batch is over, then stopped. The shells provide it (the sandbox is a
 * program of its own, the core never imports it); a core without it cannot rehearse.
 */
import type { TargetHolding } from '../../../shared/model/rehearsal';
import type { ServicePlanInfo, ServiceTemplateInfo } from '../../../shared/model/target';

export interface ThrowawayCatalogue {
  readonly templates: readonly ServiceTemplateInfo[];
  readonly plans: readonly ServicePlanInfo[];
}

export interface ThrowawayTargetOptions {
  /** Its state lives here (inside the rehearsal's folder), and goes with it. */
  readonly dataDir: string;
  /** Undefined: the sandbox's own catalogue (the real target could not be listed). */
  readonly catalogue?: ThrowawayCatalogue;
  /** How long its asynchronous requests run (ms). */
  readonly asyncMs?: number;
}

export interface ThrowawayTarget {
  readonly poaUrl: string;
  readonly pbaUrl: string;
  /** Its own content nodes on this machine (absolute roots), for the rehearsal's content port. */
  readonly nodes?: Readonly<Partial<Record<'web' | 'mail' | 'db', string>>>;
  /** How many templates and plans it offers. */
  readonly offered: { readonly templates: number; readonly plans: number };
  /**
   * Everything it holds now, object by object (no passwords, no ids it assigned), in pieces:
   * at 10× the whole is ~2 million holdings, never held (nor sent, nor written) as one.
   */
  holdings(): AsyncIterable<readonly TargetHolding[]>;
  close(): Promise<void>;
}

export type StartThrowawayTarget = (options: ThrowawayTargetOptions) => Promise<ThrowawayTarget>;
