/** The tagged-union protocol between the engine and its ASR worker process. */
export interface KwsModelFiles {
  encoder: string;
  decoder: string;
  joiner: string;
  tokens: string;
}

export type ToWorker =
  | { type: 'init'; model: KwsModelFiles; keywords: string[]; numThreads: number }
  /** 16 kHz mono s16 samples; mediaTime is the time of the first sample. */
  | { type: 'audio'; samples: Int16Array; mediaTime: number }
  /** Answered with pong after everything sent before it has been processed. */
  | { type: 'ping'; id: number }
  | { type: 'shutdown' };

export type FromWorker =
  | { type: 'ready'; loadMs: number }
  /** `at`: media time of the audio at which the keyword fired (0.3–0.8 s after it was said). */
  | { type: 'keyword'; keyword: string; at: number }
  | { type: 'error'; message: string; fatal: boolean }
  | { type: 'pong'; id: number }
  /** Everything up to this media time has been processed (lets the host replay after a crash). */
  | { type: 'processed'; upTo: number }
  | { type: 'log'; level: 'info' | 'warn'; msg: string };
