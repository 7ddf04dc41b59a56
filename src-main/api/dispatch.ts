/** Runs one contract call against a handler map: validate input, run, validate output. */
import {
  ApiError,
  type CallResult,
  formatIssues,
  isMethodName,
  methods,
  type MethodName,
  type MethodOutput,
  type ParsedInput,
} from './contract';

export interface CallContext {
  /** Which transport the call came over, for logs and app.info. */
  transport: 'electron' | 'websocket' | 'test';
  /**
   * Starts an OS drag of a file from the calling window (Electron IPC only: the transport fills it
   * from the sender; absent over the WebSocket, where nothing can be dragged out of a browser).
   */
  startDrag?(file: string): void;
}

export type Handlers = {
  [M in MethodName]: (
    input: ParsedInput<M>,
    ctx: CallContext,
  ) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export interface DispatchLogger {
  error(msg: string, fields?: Record<string, unknown>): void;
}

export async function dispatch(
  handlers: Handlers,
  method: unknown,
  rawInput: unknown,
  ctx: CallContext,
  logger?: DispatchLogger,
): Promise<CallResult<unknown>> {
  if (!isMethodName(method)) {
    return fail(
      'unknown_method',
      `Unknown method ${JSON.stringify(String(method)).slice(0, 80)}: not in the API contract`,
    );
  }
  const spec = methods[method];
  const parsed = spec.input.safeParse(rawInput === undefined ? {} : rawInput);
  if (!parsed.success) {
    return fail('bad_request', `Invalid input for ${method}: ${formatIssues(parsed.error)}`);
  }
  try {
    const handler = handlers[method] as (input: unknown, ctx: CallContext) => unknown;
    const value = await handler(parsed.data, ctx);
    const checked = spec.output.safeParse(value);
    if (!checked.success) {
      logger?.error('handler returned a value outside the contract', {
        method,
        issues: formatIssues(checked.error),
      });
      return fail('internal', `The engine returned an invalid result for ${method}`);
    }
    return { ok: true, value: checked.data };
  } catch (err) {
    if (err instanceof ApiError) return fail(err.code, err.message);
    logger?.error('handler failed', { method, error: errorMessage(err) });
    return fail('internal', `${method} failed: ${errorMessage(err)}`);
  }
}

function fail(code: ApiError['code'], message: string): CallResult<never> {
  return { ok: false, error: { code, message } };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
