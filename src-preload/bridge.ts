/**
 * Builds the object the preload exposes as `window.liveslice`: one named function per contract
 * method, one subscription function per contract event, each on its fixed channel. The renderer
 * never names a channel, so there is no generic send/on to abuse.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import {
  type CallResult,
  EVENT_NAMES,
  eventChannel,
  type EventName,
  METHOD_NAMES,
  methodChannel,
  type MethodName,
  type PreloadBridge,
} from '../src-main/api/contract';

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function createBridge(ipc: IpcRendererLike): PreloadBridge {
  const methods = {} as Record<MethodName, (input: unknown) => Promise<CallResult<unknown>>>;
  for (const m of METHOD_NAMES) {
    const channel = methodChannel(m);
    methods[m] = (input: unknown) => ipc.invoke(channel, input) as Promise<CallResult<unknown>>;
  }
  const events = {} as Record<EventName, (listener: (payload: unknown) => void) => () => void>;
  for (const e of EVENT_NAMES) {
    const channel = eventChannel(e);
    events[e] = (listener) => {
      if (typeof listener !== 'function')
        throw new TypeError(`${e}: the listener must be a function`);
      const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
      ipc.on(channel, wrapped);
      return () => {
        ipc.removeListener(channel, wrapped);
      };
    };
  }
  return Object.freeze({
    transport: 'electron' as const,
    methods: Object.freeze(methods),
    events: Object.freeze(events),
  });
}
