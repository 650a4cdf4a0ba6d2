import type { EventChannel, EventPayloads } from '../../shared/contract';

export type EventListener = <E extends EventChannel>(event: E, payload: EventPayloads[E]) => void;

/** Typed fan-out of core events to every shell (IPC, SSE, CLI progress bars). */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  emit<E extends EventChannel>(event: E, payload: EventPayloads[E]): void {
    for (const listener of this.#listeners) {
      try {
        listener(event, payload);
      } catch {
        // A broken listener (a closed SSE stream) must not stop the others or the core.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
