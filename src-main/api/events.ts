/** The engine's typed event bus; transports forward its events to their clients. */
import { type EventName, type EventPayload, EVENT_NAMES } from './contract';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;
type AnyListener = (event: EventName, payload: unknown) => void;

export interface EventBus {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
  /** Every event, for transports that forward all of them. */
  onAny(listener: AnyListener): () => void;
}

export function createEventBus(onListenerError?: (err: unknown) => void): EventBus {
  const byEvent = new Map<EventName, Set<(payload: unknown) => void>>(
    EVENT_NAMES.map((e) => [e, new Set()]),
  );
  const any = new Set<AnyListener>();
  const safely = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      onListenerError?.(err);
    }
  };
  return {
    emit(event, payload) {
      for (const l of [...(byEvent.get(event) ?? [])]) safely(() => l(payload));
      for (const l of [...any]) safely(() => l(event, payload));
    },
    on(event, listener) {
      const set = byEvent.get(event);
      if (!set) throw new Error(`unknown event ${event}`);
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    onAny(listener) {
      any.add(listener);
      return () => any.delete(listener);
    },
  };
}
