/** Tests: where ../shared/models is (env LIVESLICE_SHARED_MODELS, the workplace path, or beside the clone). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function sharedModelsDir(): string {
  const candidates = [
    process.env['LIVESLICE_SHARED_MODELS'],
    '/work/shared/models',
    join(__dirname, '..', '..', '..', 'shared', 'models'),
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  return candidates.find((p) => existsSync(p)) ?? candidates[candidates.length - 1]!;
}

export const KWS_MODEL_DIR = join(
  sharedModelsDir(),
  'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
);
