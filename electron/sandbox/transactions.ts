/**
 * POA transactions and asynchronous requests, as TARGET-API.md describes them:
 * `txn.Begin {[txn_id], [timeout], [request_id]}` opens one; calls carrying its `txn_id` are
 * staged in its draft (validated, ids allocated and returned at once, nothing applied);
 * `txn.Commit` applies the draft atomically and schedules its request, which `pem.getRequestStatus`
 * reports running (1) for `asyncMs`, then done (0) — or failed (2) with `status_messages` when a
 * fault was injected, and then every object it created is removed together. `txn.Rollback`
 * discards the draft; a transaction not committed within its timeout is rolled back.
 */
import { SandboxRefusal } from './answers';
import type { SbRequest } from './state';
import { Draft, type Key, type Store, type TableSpec } from './store';

export interface Txn {
  readonly txnId: string;
  readonly requestId: string;
  readonly deadline: number;
  readonly draft: Draft;
  /** An injected request failure: the message the request will fail with. */
  failMessage?: string;
}

export class Transactions {
  readonly #open = new Map<string, Txn>();
  /** Committed requests that will fail: settled (objects removed) once due. */
  readonly #failing = new Set<string>();
  #seq = 0;

  constructor(
    private readonly store: Store,
    private readonly tables: Readonly<Record<string, TableSpec>>,
    private readonly commitDraft: (draft: Draft) => void,
    private readonly asyncMs: () => number,
  ) {
    for (const r of store.all<SbRequest>('requests'))
      if (r.fail_message !== undefined && !r.failed) this.#failing.add(r.request_id);
  }

  begin(
    options: { txnId?: string; timeoutSec?: number; requestId?: string },
    now: number,
  ): { txn_id: string } {
    this.#expire(now);
    const txnId = options.txnId ?? `txn-${now.toString(36)}-${++this.#seq}`;
    if (this.#open.has(txnId))
      throw new SandboxRefusal('transactionIdUsed', `Transaction ${txnId} is already open`);
    const requestId = options.requestId ?? `req-${txnId}`;
    if (
      this.store.get('requests', requestId) ||
      [...this.#open.values()].some((t) => t.requestId === requestId)
    )
      throw new SandboxRefusal('requestIdUsed', `Request id ${requestId} is already used`);
    const deadline =
      options.timeoutSec !== undefined && options.timeoutSec > 0 ? now + options.timeoutSec * 1000 : Infinity;
    this.#open.set(txnId, { txnId, requestId, deadline, draft: new Draft(this.store, this.tables) });
    return { txn_id: txnId };
  }

  /** The open transaction a call names; refused when unknown or past its timeout. */
  get(txnId: string, now: number): Txn {
    this.#expire(now);
    const txn = this.#open.get(txnId);
    if (!txn)
      throw new SandboxRefusal(
        'noSuchTransaction',
        `Transaction ${txnId} is not open (unknown, committed, rolled back or timed out)`,
      );
    return txn;
  }

  commit(txnId: string, now: number): Record<string, never> {
    const txn = this.get(txnId, now);
    this.#open.delete(txnId);
    this.#checkConflicts(txn.draft);
    // Only a request that will fail needs the objects it created (they go when it fails);
    // pem.getRequestStatus answers a status and messages, never the objects, so a request that
    // succeeds keeps none: a batch's requests held every created row's key again.
    const failing =
      txn.failMessage !== undefined
        ? {
            fail_message: txn.failMessage,
            objects: txn.draft
              .puts()
              .filter(([t, r]) => txn.draft.created(t, r[this.tables[t]?.key ?? ''] as Key))
              .map(([t, r]): [string, Key] => [t, r[this.tables[t]?.key ?? ''] as Key]),
          }
        : {};
    const request: SbRequest = {
      request_id: txn.requestId,
      txn_id: txnId,
      committed_at: now,
      ready_at: now + this.asyncMs(),
      failed: false,
      ...failing,
    };
    txn.draft.put('requests', request);
    this.commitDraft(txn.draft);
    if (txn.failMessage !== undefined) this.#failing.add(txn.requestId);
    return {};
  }

  rollback(txnId: string, now: number): Record<string, never> {
    this.get(txnId, now);
    this.#open.delete(txnId);
    return {};
  }

  status(requestId: string, now: number): { request_status: number; status_messages: string[] } {
    this.settle(now);
    const r = this.store.get<SbRequest>('requests', requestId);
    if (!r) throw new SandboxRefusal('noSuchRequest', `Request ${requestId} is not known`);
    if (r.failed) return { request_status: 2, status_messages: [r.fail_message ?? 'The request failed'] };
    return now < r.ready_at
      ? { request_status: 1, status_messages: [] }
      : { request_status: 0, status_messages: [] };
  }

  /** Fails the due requests that were set to fail: their objects go, all together. */
  settle(now: number): void {
    for (const id of [...this.#failing]) {
      const r = this.store.get<SbRequest>('requests', id);
      if (!r || r.failed) {
        this.#failing.delete(id);
        continue;
      }
      if (now < r.ready_at) continue;
      const draft = new Draft(this.store, this.tables);
      const { objects, ...failed } = r;
      for (const [table, key] of objects ?? []) draft.del(table, key);
      // Gone with the request's failure: nothing needs their keys any more.
      draft.put('requests', { ...failed, failed: true });
      this.commitDraft(draft);
      this.#failing.delete(id);
    }
  }

  #expire(now: number): void {
    for (const [id, txn] of this.#open) if (now >= txn.deadline) this.#open.delete(id);
  }

  /** What another caller created since the staging takes precedence: the commit is refused whole. */
  #checkConflicts(draft: Draft): void {
    for (const [table, row] of draft.puts()) {
      const spec = this.tables[table];
      if (!spec) continue;
      const key = row[spec.key] as Key;
      if (draft.created(table, key) && this.store.get(table, key))
        throw new SandboxRefusal(
          'commitConflict',
          `${table} #${String(key)} was created by another call meanwhile; the transaction is rolled back`,
        );
      for (const [index, fn] of Object.entries(spec.unique ?? {})) {
        const value = fn(row);
        const other = value === undefined ? undefined : this.store.unique(table, index, value);
        if (other && other[spec.key] !== key)
          throw new SandboxRefusal(
            'commitConflict',
            `${value} was created by another call meanwhile; the transaction is rolled back`,
          );
      }
    }
  }
}
