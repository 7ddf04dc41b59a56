/**
 * Validation of what arrives from the engine: every result and event payload is checked against
 * the contract's schemas before it reaches the UI state.
 */
import {
  ApiError,
  type CallResult,
  type EventName,
  type EventPayload,
  events,
  formatIssues,
  isEventName,
  methods,
  type MethodName,
  type MethodOutput,
  SerializedError,
} from '../contract';

/** Unwraps a call result envelope: returns the checked value or throws an ApiError. */
export function unwrapResult<M extends MethodName>(method: M, result: unknown): MethodOutput<M> {
  if (typeof result !== 'object' || result === null || !('ok' in result)) {
    throw new ApiError('internal', `The engine sent a malformed reply to ${method}`);
  }
  const envelope = result as CallResult<unknown>;
  if (!envelope.ok) {
    const err = SerializedError.safeParse(envelope.error);
    if (!err.success) throw new ApiError('internal', `${method} failed with a malformed error`);
    throw new ApiError(err.data.code, err.data.message);
  }
  const checked = methods[method].output.safeParse(envelope.value);
  if (!checked.success) {
    throw new ApiError(
      'internal',
      `The engine returned an invalid result for ${method}: ${formatIssues(checked.error)}`,
    );
  }
  return checked.data as MethodOutput<M>;
}

export type DecodedEvent<E extends EventName> =
  { ok: true; payload: EventPayload<E> } | { ok: false; reason: string };

export function decodeEvent<E extends EventName>(event: E, payload: unknown): DecodedEvent<E> {
  if (!isEventName(event)) return { ok: false, reason: `unknown event ${String(event)}` };
  const checked = events[event].safeParse(payload);
  if (!checked.success) {
    return { ok: false, reason: `invalid ${event} payload: ${formatIssues(checked.error)}` };
  }
  return { ok: true, payload: checked.data as EventPayload<E> };
}

/** Any thrown value as an ApiError, so the UI can always say what happened. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof Error) return new ApiError('internal', err.message);
  return new ApiError('internal', String(err));
}
