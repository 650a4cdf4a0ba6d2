/**
 * What the manager and a rehearsal's throwaway sandbox say to each other when the sandbox runs
 * in a process of its own (throwaway-process.ts forks throwaway-child.ts): one request, one
 * answer with the same `n`. The holdings come back in pieces the parent asks for one after the
 * other, so neither side ever holds them as one message or one string.
 */
import type { TargetHolding } from '../../shared/model/rehearsal';
import type { ThrowawayTargetOptions } from '../core/rehearsal/throwaway-target';
import type { ChildAnswer } from './child-answers';

export type ThrowawayRequest =
  /** Starts the sandbox (the first request, once): answered with ThrowawayStarted. */
  | { readonly n: number; readonly ask: 'start'; readonly options: ThrowawayTargetOptions }
  /** Begins a read-back of everything it holds, `size` holdings a piece: answered with null. */
  | { readonly n: number; readonly ask: 'holdings'; readonly size: number }
  /** The read-back's next piece: answered with a HoldingsPiece. */
  | { readonly n: number; readonly ask: 'next' }
  /** Its peak RSS so far (bytes). */
  | { readonly n: number; readonly ask: 'peak' }
  /** Stops the sandbox, answers its peak RSS, then exits. */
  | { readonly n: number; readonly ask: 'close' };

export type ThrowawayAnswer = ChildAnswer;

export interface ThrowawayStarted {
  readonly poaUrl: string;
  readonly pbaUrl: string;
  readonly nodes?: Readonly<Partial<Record<'web' | 'mail' | 'db', string>>>;
  readonly offered: { readonly templates: number; readonly plans: number };
}

export type HoldingsPiece = { readonly part: readonly TargetHolding[] } | { readonly done: true };
