/**
 * Requests to a child process over its channel, each answered once with the same `n`: the
 * rehearsal's throwaway sandbox (throwaway-process.ts) and the rehearsal bench's "production"
 * sandbox (build/bench/rehearsal-sandboxes.ts) are both driven so. Pending requests fail when
 * the child ends.
 */
export type ChildAnswer =
  | { readonly n: number; readonly ok: true; readonly value: unknown }
  | { readonly n: number; readonly ok: false; readonly error: string };

export interface ChildAnswers<Q> {
  /** Sends `what` with the next `n`; resolves with the answer's value, rejects with its error. */
  ask(what: Q): Promise<unknown>;
  /** Hands an answer that arrived to its request (an unknown `n` is ignored). */
  settle(answer: ChildAnswer): void;
  /** Fails every request still waiting (the child ended). */
  failAll(error: Error): void;
}

/**
 * `send` puts a numbered request on the channel; `failed` words a child's error for the caller
 * (it names the child).
 */
export function childAnswers<Q extends object>(
  send: (request: Q & { readonly n: number }) => void,
  failed: (error: string) => Error,
): ChildAnswers<Q> {
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  return {
    ask: (what) =>
      new Promise((resolve, reject) => {
        const n = next++;
        waiting.set(n, { resolve, reject });
        send({ ...what, n });
      }),
    settle: (a) => {
      const w = waiting.get(a.n);
      if (!w) return;
      waiting.delete(a.n);
      if (a.ok) w.resolve(a.value);
      else w.reject(failed(a.error));
    },
    failAll: (error) => {
      for (const w of waiting.values()) w.reject(error);
      waiting.clear();
    },
  };
}
