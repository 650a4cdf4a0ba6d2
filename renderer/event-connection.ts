/**
 * The state of the browser host's event stream, for the banner that says when the host does not
 * answer. A restarted host can take many seconds to listen again (longer still on a loaded
 * machine), so the stream is retried with a growing delay until it answers, instead of the
 * browser's one fixed interval.
 */

export type EventConnection =
  | { readonly state: 'connected' }
  /** `attempt` counts the failed tries since the stream last worked; the next comes after `delayMs`. */
  | { readonly state: 'reconnecting'; readonly attempt: number; readonly delayMs: number };

/** Delay before try `attempt` (1-based): 1 s, 2 s, 4 s … at most 15 s, so a returning host is found soon. */
export function reconnectDelay(attempt: number): number {
  return Math.min(15_000, 1_000 * 2 ** Math.max(0, attempt - 1));
}

type Listener = (c: EventConnection) => void;
let current: EventConnection = { state: 'connected' };
const listeners = new Set<Listener>();

export function eventConnection(): EventConnection {
  return current;
}

export function setEventConnection(next: EventConnection): void {
  current = next;
  for (const l of listeners) l(next);
}

/** Subscribes to changes (the shape useSyncExternalStore takes). */
export function onEventConnection(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
