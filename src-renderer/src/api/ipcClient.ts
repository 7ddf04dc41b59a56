/** The client over Electron IPC: the preload's named methods, nothing generic. */
import { ApiError, type PreloadBridge } from '../contract';
import { decodeEvent, unwrapResult } from './decode';
import type { RendererClient } from './types';

export function createIpcClient(
  bridge: PreloadBridge,
  log: Pick<Console, 'warn'> = console,
): RendererClient {
  return {
    transport: 'electron',
    async call(method, input) {
      const fn = bridge.methods[method];
      if (typeof fn !== 'function') {
        throw new ApiError('unknown_method', `The preload does not expose ${method}`);
      }
      let result: unknown;
      try {
        result = await fn(input);
      } catch (err) {
        throw new ApiError(
          'unavailable',
          `The engine did not answer ${method}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      return unwrapResult(method, result);
    },
    subscribe(event, listener) {
      return bridge.events[event]((payload) => {
        const decoded = decodeEvent(event, payload);
        if (decoded.ok) listener(decoded.payload);
        else log.warn(`LiveSlice: dropped an event: ${decoded.reason}`);
      });
    },
    getState: () => 'connected',
    onStateChange: () => () => undefined,
    start: () => undefined,
    dispose: () => undefined,
  };
}
