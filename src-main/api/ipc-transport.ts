/**
 * The contract over Electron IPC, generated from the handler map: one `ipcMain.handle` per
 * contract method on a fixed channel, each call checked against the sender and the schema.
 * Electron is not imported here: the shell passes `ipcMain`, so this runs under tests too.
 */
import { type CallResult, eventChannel, METHOD_NAMES, methodChannel } from './contract';
import { type CallContext, dispatch, type DispatchLogger, type Handlers } from './dispatch';
import type { EventBus } from './events';

/** The part of an IpcMainInvokeEvent the sender check (and a file drag) needs. */
export interface IpcSenderEvent {
  sender: {
    id: number;
    /** WebContents.startDrag: an OS drag of a file from this window. */
    startDrag?(item: { file: string; icon: DragIcon }): void;
  };
  senderFrame: { url: string; parent: unknown } | null;
}

/** A NativeImage or an image path (Electron's startDrag refuses an empty icon on macOS). */
export type DragIcon = string | object;

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcLogger extends DispatchLogger {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export function registerIpcApi(opts: {
  ipcMain: IpcMainLike;
  handlers: Handlers;
  isTrustedSender: (event: IpcSenderEvent) => boolean;
  logger: IpcLogger;
  /** The image shown under the pointer while a clip is dragged out (clips.drag). */
  dragIcon?: DragIcon;
}): () => void {
  const { ipcMain, handlers, isTrustedSender, logger, dragIcon } = opts;
  for (const method of METHOD_NAMES) {
    ipcMain.handle(methodChannel(method), async (event, ...args): Promise<CallResult<unknown>> => {
      if (!isTrustedSender(event)) {
        logger.warn('refused an IPC call from an untrusted sender', {
          method,
          senderId: event.sender.id,
          url: event.senderFrame?.url ?? null,
        });
        return {
          ok: false,
          error: { code: 'forbidden', message: 'This window may not call the engine' },
        };
      }
      if (args.length > 1) {
        return {
          ok: false,
          error: { code: 'bad_request', message: `${method} takes one argument` },
        };
      }
      return dispatch(handlers, method, args[0], callContext(event, dragIcon), logger);
    });
  }
  return () => METHOD_NAMES.forEach((m) => ipcMain.removeHandler(methodChannel(m)));
}

/** The context of a call from a trusted window: it may start a drag from that window. */
function callContext(event: IpcSenderEvent, icon: DragIcon | undefined): CallContext {
  const sender = event.sender;
  if (icon === undefined || typeof sender.startDrag !== 'function')
    return { transport: 'electron' };
  return { transport: 'electron', startDrag: (file) => sender.startDrag?.({ file, icon }) };
}

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/** Forwards every engine event to the app's own windows (never to other web contents). */
export function forwardEventsToWindows(
  bus: EventBus,
  targets: () => Iterable<EventTarget>,
): () => void {
  return bus.onAny((event, payload) => {
    for (const t of targets()) if (!t.isDestroyed()) t.send(eventChannel(event), payload);
  });
}
