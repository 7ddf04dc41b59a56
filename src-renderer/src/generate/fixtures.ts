/** Generations for tests (plain data, no engine). */
import type { Generation, GenerationStatus } from '../contract';

export function generationFor(
  id: string,
  sessionId: string | null,
  over: Partial<Generation> = {},
): Generation {
  return {
    id,
    highlightId: id.replace(/-g\d+$/, ''),
    sessionId,
    state: 'queued',
    step: null,
    steps: 30,
    progress: null,
    etaS: null,
    prompt: 'a red sneaker turning on a table',
    negativePrompt: '',
    model: 'tiny-t2v',
    seed: 42,
    frames: 17,
    size: '832x480',
    fps: 16,
    scheduler: 'unipc',
    guidance: 5,
    shift: 5,
    provider: null,
    file: null,
    error: null,
    timings: {},
    createdAt: 100,
    updatedAt: 100,
    ...over,
  };
}

export function statusFor(over: Partial<GenerationStatus['worker']> = {}): GenerationStatus {
  return {
    worker: {
      state: 'stopped',
      provider: null,
      providerReason: null,
      coldStartMs: null,
      model: null,
      idleUnloadS: 300,
      ...over,
    },
    models: [{ id: 'tiny-t2v', dir: 'models/tiny-t2v', ok: true, reason: null }],
  };
}
