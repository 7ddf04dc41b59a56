/** Test helper: small synthetic models (random bytes with their real sizes and sha256). */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest, type Manifest, type ModelEntry } from './manifest';

export const KWS_SHARED_DIR = join(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'models',
  'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
);
export const KWS_ID = 'kws-zh-wenetspeech-3.3m-mobile';

export interface FakeModel {
  entry: ModelEntry;
  content: Record<string, Buffer>;
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

export function fakeModel(
  id: string,
  sizes: Record<string, number>,
  mirrors: ModelEntry['mirrors'] = [],
): FakeModel {
  const content: Record<string, Buffer> = {};
  const files = Object.entries(sizes).map(([name, n]) => {
    const buf = randomBytes(n);
    content[name] = buf;
    return { name, bytes: n, sha256: sha256(buf) };
  });
  return {
    entry: {
      id,
      name: `Test model ${id}`,
      kind: 'kws',
      languages: ['zh'],
      license: { spdx: 'Apache-2.0', caveat: 'test caveat' },
      files,
      mirrors,
    },
    content,
  };
}

export function manifestOf(...models: ModelEntry[]): Manifest {
  return parseManifest({ version: 1, models });
}

export function writeModelDir(dir: string, model: FakeModel): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, buf] of Object.entries(model.content)) writeFileSync(join(dir, name), buf);
}

export const LFS_POINTER = (sha: string, size: number): string =>
  `version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\nsize ${size}\n`;
