/**
 * A scripted engine client for unit tests: replies per method (a function of the input; a missing
 * one rejects as 'unavailable'), records every call, emits events and connection changes on demand.
 */
import { ApiError, type EventName, type EventPayload, type MethodName } from '../contract';
import type { ConnectionState, RendererClient } from '../api/types';

export type Replies = Partial<Record<MethodName, (input: unknown) => unknown>>;

export function fakeClient(replies: Replies, initial: ConnectionState = 'connecting') {
  let state: ConnectionState = initial;
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const calls: Array<[MethodName, unknown]> = [];
  const client: RendererClient = {
    transport: 'websocket',
    async call(method, input) {
      calls.push([method, input]);
      const reply = replies[method];
      if (!reply) throw new ApiError('unavailable', `${method}: not in this test`);
      return (await reply(input)) as never;
    },
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    getState: () => state,
    onStateChange(l) {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    start: () => undefined,
    dispose: () => undefined,
  };
  return {
    client,
    calls,
    /** The inputs of every call of one method, in order. */
    inputs: (method: MethodName) => calls.filter(([m]) => m === method).map(([, i]) => i),
    setState(s: ConnectionState) {
      state = s;
      for (const l of stateListeners) l(s);
    },
    emit<E extends EventName>(event: E, payload: EventPayload<E>) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
}

/** Resolves after pending promise callbacks ran. */
export const settle = () => new Promise((r) => setTimeout(r, 0));

/** A promise resolved from outside (to hold an engine answer back). */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
