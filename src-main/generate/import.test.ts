/** Importing a text-to-video export: verified before copying, verified again where it lands. */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runModels } from '../cli/models';
import { generationModels } from './review-link';
import { importT2vModel, isT2vExport } from './import';

const TINY = join(__dirname, '..', '..', 'models', 'tiny-t2v');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-t2v-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('imports a verified export under its id, where the generation stage finds it', async () => {
  expect(await isT2vExport(TINY)).toBe(true);
  expect(await isT2vExport(dir)).toBe(false);
  const data = join(dir, 'data1');
  const r = await importT2vModel(data, TINY, 'my-t2v');
  expect(r).toMatchObject({ id: 'my-t2v', files: 6 });
  expect(readFileSync(join(r.dir, 'transformer.onnx'))).toEqual(
    readFileSync(join(TINY, 'transformer.onnx')),
  );
  expect(generationModels(data).map((m) => m.id)).toContain('my-t2v');
});

it('refuses a corrupt export before copying anything, naming the file (CLI exit 4)', async () => {
  const bad = join(dir, 'bad');
  cpSync(TINY, bad, { recursive: true });
  const f = join(bad, 'vae_decoder.onnx');
  const bytes = readFileSync(f);
  bytes[bytes.length - 5] = (bytes[bytes.length - 5]! + 1) % 256;
  writeFileSync(f, bytes);
  const data = join(dir, 'data2');
  await expect(importT2vModel(data, bad)).rejects.toThrow(/vae_decoder\.onnx/);
  expect(existsSync(join(data, 'models', 'tiny-t2v'))).toBe(false);
  const said: string[] = [];
  const code = await runModels(['import', bad], {
    dataDir: data,
    say: (l) => said.push(l),
    out: (l) => said.push(l),
  });
  expect(code).toBe(4);
  expect(said.join('\n')).toMatch(/vae_decoder\.onnx/);
  const ok = await runModels(['import', TINY], {
    dataDir: data,
    say: (l) => said.push(l),
    out: (l) => said.push(l),
  });
  expect(ok).toBe(0);
  expect(said.at(-1)).toMatch(/Imported text-to-video model tiny-t2v .*all verified/);
});
