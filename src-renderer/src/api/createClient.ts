/**
 * Picks the transport once, at start: the Electron preload's bridge when it exists, otherwise the
 * headless host's WebSocket (the page was opened from `liveslice serve`).
 */
import type { PreloadBridge } from '../contract';
import { createIpcClient } from './ipcClient';
import { takeToken } from './token';
import type { RendererClient } from './types';
import { createWsClient, type SerializedErrorHandler, type WebSocketCtor } from './wsClient';

export function createBrowserClient(onServerError: SerializedErrorHandler): RendererClient {
  const bridge = (window as Window & { liveslice?: PreloadBridge }).liveslice;
  if (bridge !== undefined) return createIpcClient(bridge);

  let storage: Storage | null = null;
  try {
    storage = window.sessionStorage;
  } catch {
    storage = null;
  }
  const token = takeToken({ location: window.location, history: window.history, storage });
  return createWsClient({
    token,
    location: window.location,
    // The DOM WebSocket has this shape; its handler types are just wider than the interface's.
    WebSocket: window.WebSocket as unknown as WebSocketCtor,
    fetch: (url, init) => window.fetch(url, init),
    setCookie: (cookie) => {
      document.cookie = cookie;
    },
    onServerError,
  });
}
