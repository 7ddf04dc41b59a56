/**
 * The tagged-union protocol between the engine and its generation worker process
 * (out/main/generate-worker.js). Requests carry ids; errors cross as { code, message }.
 */
import type {
  GenerationErrorCode,
  PipelineJob,
  PipelineProgress,
  PipelineResult,
} from './pipeline';
import type { RequestedProvider } from './providers';

export type ToGenerationWorker =
  /** Verify and load a model (replacing another one); answered with `loaded` or `error`. */
  | {
      type: 'load';
      id: number;
      dir: string;
      provider: RequestedProvider;
      lowMemory: boolean;
      threads: number;
    }
  /** One job at a time: a second run while one runs is answered with an error. */
  | { type: 'run'; id: number; job: PipelineJob }
  /** Stop the running job at the next step boundary (answered by its `error` 'cancelled'). */
  | { type: 'cancel' }
  | { type: 'health'; id: number }
  /** Release the sessions and exit. */
  | { type: 'unload'; id: number };

export interface SerializedError {
  code: GenerationErrorCode;
  message: string;
}

export type FromGenerationWorker =
  | {
      type: 'loaded';
      id: number;
      model: string;
      provider: string;
      providerReason: string;
      loadMs: number;
      /** The worker's resident set right after loading. */
      rssBytes: number;
    }
  | { type: 'progress'; id: number; progress: PipelineProgress }
  | { type: 'done'; id: number; result: PipelineResult }
  | { type: 'error'; id: number | null; error: SerializedError }
  | {
      type: 'health';
      id: number;
      state: 'empty' | 'ready' | 'busy';
      model: string | null;
      rssBytes: number;
    }
  | { type: 'unloaded'; id: number }
  | {
      type: 'log';
      level: 'info' | 'warn' | 'error';
      msg: string;
      fields?: Record<string, unknown>;
    };

const TO_TYPES = new Set(['load', 'run', 'cancel', 'health', 'unload']);
const FROM_TYPES = new Set(['loaded', 'progress', 'done', 'error', 'health', 'unloaded', 'log']);

const tagged = (m: unknown, types: Set<string>): boolean =>
  typeof m === 'object' &&
  m !== null &&
  typeof (m as { type?: unknown }).type === 'string' &&
  types.has((m as { type: string }).type);

/** A message the worker accepts (the job's fields are checked by the pipeline). */
export function isToGenerationWorker(m: unknown): m is ToGenerationWorker {
  return tagged(m, TO_TYPES);
}

export function isFromGenerationWorker(m: unknown): m is FromGenerationWorker {
  return tagged(m, FROM_TYPES);
}
