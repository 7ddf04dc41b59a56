import type { ApiClient } from '../contract';

/** What the UI shows about the link to the engine. IPC is always `connected`. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'unauthorized';

export const CONNECTION_STATES: readonly ConnectionState[] = [
  'connecting',
  'connected',
  'disconnected',
  'unauthorized',
];

/** The contract's client plus the lifecycle and connection state the UI needs. */
export interface RendererClient extends ApiClient {
  getState(): ConnectionState;
  /** Returns the unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void;
  /** Starts connecting (no-op for IPC). */
  start(): void;
  /** Closes the transport; pending calls reject. */
  dispose(): void;
}
