import { MmError } from '../errors';

/** Which side of the target answered: POA (operations) or PBA (billing). */
export type TargetSystem = 'POA' | 'PBA';

/**
 * How a target call failed. `target-error` (POA status -1) and `target-fault` (an XML-RPC
 * fault) are the target's own refusals and never retried; the rest are transport failures.
 */
export type TargetErrorCode =
  | 'target-error'
  | 'target-fault'
  | 'target-timeout'
  | 'target-unreachable'
  | 'target-unauthorized'
  | 'target-http-status'
  | 'target-tls-mismatch'
  | 'target-bad-response'
  | 'target-not-configured';

/** A failed target call, reported with the method, the object it was about and the target's message. */
export class TargetCallError extends MmError {
  constructor(
    code: TargetErrorCode,
    readonly system: TargetSystem,
    readonly method: string,
    readonly object: string,
    readonly targetMessage: string,
    readonly faultCode?: number,
    /** POA refusals: the module and extype that name the refusal (see poa-errors.ts). */
    readonly moduleId?: string,
    readonly extypeId?: number,
  ) {
    super(
      code,
      `${system} ${method}${object ? ` for ${object}` : ''} failed: ${targetMessage}`,
      `${system} ${method}`,
    );
    this.name = 'TargetCallError';
  }
}

/** A transport failure before the target answered; the client turns it into a TargetCallError. */
export class TransportError extends Error {
  constructor(
    readonly code: Exclude<TargetErrorCode, 'target-error' | 'target-fault' | 'target-not-configured'>,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }

  /** Failures where the request may not have reached the target, or its answer was lost. */
  get transient(): boolean {
    return this.code === 'target-timeout' || this.code === 'target-unreachable';
  }
}
