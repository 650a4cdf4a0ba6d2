/**
 * Fault injection for reliability tests: "on the Nth call of method M (counted from when the
 * rule was set), fail / delay / drop the connection / let its request fail". Rules fire once
 * each, then disappear.
 */
export type FaultAction = 'fail' | 'delay' | 'drop' | 'drop-after' | 'fail-request';

export const FAULT_ACTIONS: readonly FaultAction[] = ['fail', 'delay', 'drop', 'drop-after', 'fail-request'];

export interface FaultRule {
  /** POA method name (pem.addDomain) or PBA method name (AccountAdd_API). */
  readonly method: string;
  /** 1 = the next call. */
  readonly nth: number;
  /**
   * fail: refuse with `message`; delay: answer after `delayMs`; drop: close the connection
   * without doing anything; drop-after: do the work, then close without answering (the lost
   * answer a crash-resume must survive); fail-request: a POA call staged in a transaction is
   * accepted, but the transaction's asynchronous request ends failed with `message` and its
   * objects are removed.
   */
  readonly action: FaultAction;
  readonly delayMs?: number;
  readonly message?: string;
}

export class FaultPlan {
  #rules: { rule: FaultRule; seen: number }[] = [];

  add(rule: FaultRule): void {
    if (!Number.isInteger(rule.nth) || rule.nth < 1) throw new Error('nth must be 1 or more');
    this.#rules.push({ rule, seen: 0 });
  }

  clear(): void {
    this.#rules = [];
  }

  get pending(): readonly FaultRule[] {
    return this.#rules.map((r) => r.rule);
  }

  /** Counts a call of `method`; returns the rule that fires on it, if any. */
  next(method: string): FaultRule | undefined {
    let fired: FaultRule | undefined;
    for (const entry of this.#rules) {
      if (entry.rule.method !== method) continue;
      entry.seen++;
      if (entry.seen === entry.rule.nth && !fired) fired = entry.rule;
    }
    if (fired) this.#rules = this.#rules.filter((r) => r.rule !== fired);
    return fired;
  }
}
