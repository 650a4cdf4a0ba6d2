import { useCallback, useEffect, useState } from 'react';
import type {
  CallChannel,
  CallRequest,
  CallResponse,
  EventChannel,
  EventPayloads,
} from '../../shared/contract';
import type { AppError } from '../../shared/result';
import { api } from '../api';

export interface CallState<T> {
  readonly data: T | undefined;
  readonly error: AppError | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** Calls the core and keeps the answer; `reload` asks again. The request is compared by value. */
export function useCall<C extends CallChannel>(
  channel: C,
  request: CallRequest<C>,
): CallState<CallResponse<C>> {
  const key = JSON.stringify(request);
  const [tick, setTick] = useState(0);
  const ask = `${tick}:${key}`;
  // The answer remembers which question it answers; loading is derived, not stored.
  const [state, setState] = useState<{ ask: string; data?: CallResponse<C>; error?: AppError }>({ ask: '' });
  useEffect(() => {
    let live = true;
    void api.call(channel, JSON.parse(key) as CallRequest<C>).then((r) => {
      if (!live) return;
      setState(r.ok ? { ask, data: r.value } : { ask, error: r.error });
    });
    return () => {
      live = false;
    };
  }, [channel, key, ask]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.ask !== ask, reload };
}

/** Subscribes to a core event for the component's lifetime. */
export function useEvent<E extends EventChannel>(
  event: E,
  listener: (payload: EventPayloads[E]) => void,
): void {
  useEffect(() => api.on(event, listener), [event, listener]);
}
