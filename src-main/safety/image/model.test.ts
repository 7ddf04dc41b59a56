/**
 * The model from nsfwjs's package files, with no network: found, read, checked for damage, and
 * run on both tfjs backends in this thread (scores are probabilities over the five classes).
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { missing } from '../../testing/skip';
import { type Classifier, loadClassifier, wasmDir } from './classifier';
import { LABELS, type Scores } from './decide';
import { ImageCheckError } from './errors';
import { locateModel, MODEL_FILES, readModelArtifacts } from './model-files';

const located = locateModel();
const MODEL_ABSENT = located.ok ? null : located.reason;
const MODEL_DIR = located.ok ? located.dir : '';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'liveslice-image-model-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sum = (s: Scores): number => LABELS.reduce((a, l) => a + s[l], 0);

/** A 224×224 frame: vertical colour bars, like a test card. */
function colourBars(): Uint8Array {
  const bars = [
    [255, 255, 255],
    [255, 255, 0],
    [0, 255, 255],
    [0, 255, 0],
    [255, 0, 255],
    [255, 0, 0],
    [0, 0, 255],
  ];
  const rgb = new Uint8Array(224 * 224 * 3);
  for (let y = 0; y < 224; y++) {
    for (let x = 0; x < 224; x++) {
      rgb.set(bars[Math.floor((x * bars.length) / 224)]!, (y * 224 + x) * 3);
    }
  }
  return rgb;
}

describe('locateModel', () => {
  it('names the exact file that is missing', () => {
    const empty = mkdtempSync(join(tmp, 'empty-'));
    const r = locateModel(empty);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(join(empty, MODEL_FILES[0]));
    writeFileSync(join(empty, MODEL_FILES[0]), '');
    const r2 = locateModel(empty);
    if (!r2.ok) expect(r2.reason).toContain(join(empty, MODEL_FILES[1]));
    else expect.unreachable('the weight file is missing too');
  });
});

describe.skipIf(missing(MODEL_ABSENT))('the packaged MobileNetV2', () => {
  it('is found inside the nsfwjs package', () => {
    expect(MODEL_DIR).toMatch(/nsfwjs[\\/]dist[\\/]models[\\/]mobilenet_v2$/);
  });

  it('reads topology and weights whose size matches the manifest', () => {
    const a = readModelArtifacts(MODEL_DIR);
    expect(a.weightSpecs?.length).toBeGreaterThan(100);
    expect((a.weightData as ArrayBuffer).byteLength).toBeGreaterThan(1_000_000);
    expect(a.modelTopology).toHaveProperty('model_config');
  });

  it('a truncated weight file is reported as damaged, naming the folder', () => {
    const dir = mkdtempSync(join(tmp, 'truncated-'));
    copyFileSync(join(MODEL_DIR, MODEL_FILES[0]), join(dir, MODEL_FILES[0]));
    // A valid bundle whose weights are a tenth of what the manifest needs.
    writeFileSync(
      join(dir, MODEL_FILES[1]),
      `module.exports = ${JSON.stringify('AAAA'.repeat(1000))};`,
    );
    const err = catchError(() => readModelArtifacts(dir));
    expect(err).toBeInstanceOf(ImageCheckError);
    expect(err).toMatchObject({ kind: 'model_corrupt' });
    expect(err.message).toMatch(/bytes but the manifest needs/);
    expect(err.message).toContain(dir);
  });

  it('a model file that is not a bundle is reported as damaged, naming the file', () => {
    const dir = mkdtempSync(join(tmp, 'garbage-'));
    writeFileSync(join(dir, MODEL_FILES[0]), '{{{ not javascript');
    copyFileSync(join(MODEL_DIR, MODEL_FILES[1]), join(dir, MODEL_FILES[1]));
    const err = catchError(() => readModelArtifacts(dir));
    expect(err).toMatchObject({ kind: 'model_corrupt' });
    expect(err.message).toContain(join(dir, MODEL_FILES[0]));
  });

  describe('on tfjs', () => {
    let classifier: Classifier | null = null;
    const fetches: unknown[] = [];
    afterEach(() => {
      classifier?.dispose();
      classifier = null;
      vi.restoreAllMocks();
      vi.unstubAllGlobals();
    });

    it.each(['wasm', 'cpu'] as const)(
      'loads from disk with no network and scores a frame (%s backend)',
      async (backend) => {
        vi.stubGlobal('fetch', (...args: unknown[]) => {
          fetches.push(args);
          throw new Error('no network in this test');
        });
        const sockets = vi.spyOn(net.Socket.prototype, 'connect');
        const httpReq = vi.spyOn(http, 'request');
        const httpsReq = vi.spyOn(https, 'request');
        classifier = await loadClassifier(MODEL_DIR, backend);
        expect(classifier.backend).toBe(backend);
        expect(classifier.fallbackReason).toBeNull();
        expect(classifier.model).toMatch(/^nsfwjs@\d+\.\d+\.\d+ MobileNetV2 224$/);

        const bars = classifier.classify(colourBars(), 224, 224);
        expect(sum(bars)).toBeCloseTo(1, 4);
        for (const l of LABELS) expect(bars[l]).toBeGreaterThanOrEqual(0);
        // A different picture gets different scores: the output depends on the input.
        const grey = classifier.classify(new Uint8Array(224 * 224 * 3).fill(128), 224, 224);
        expect(sum(grey)).toBeCloseTo(1, 4);
        expect(grey).not.toEqual(bars);
        // Any size is resized to 224×224 first.
        const small = classifier.classify(new Uint8Array(32 * 48 * 3).fill(128), 32, 48);
        expect(sum(small)).toBeCloseTo(1, 4);

        expect(fetches).toEqual([]);
        expect(sockets).not.toHaveBeenCalled();
        expect(httpReq).not.toHaveBeenCalled();
        expect(httpsReq).not.toHaveBeenCalled();
      },
      60_000,
    );

    it('falls back to the cpu backend when the wasm binaries are missing, and says why', async () => {
      const noWasm = mkdtempSync(join(tmp, 'no-wasm-'));
      classifier = await loadClassifier(MODEL_DIR, 'wasm', { wasmDir: noWasm });
      expect(classifier.backend).toBe('cpu');
      expect(classifier.fallbackReason).toContain(join(noWasm, 'tfjs-backend-wasm.wasm'));
      expect(classifier.fallbackReason).toMatch(/wasm backend failed .* cpu backend/);
      const s = classifier.classify(colourBars(), 224, 224);
      expect(sum(s)).toBeCloseTo(1, 4);
    }, 60_000);

    it('refuses a buffer that does not match the size', async () => {
      classifier = await loadClassifier(MODEL_DIR, 'wasm');
      expect(() => classifier!.classify(new Uint8Array(10), 224, 224)).toThrow(
        /needs 150528 bytes \(got 10\)/,
      );
      expect(() => classifier!.classify(new Uint8Array(0), 0, 0)).toThrow(/positive integers/);
    });
  });

  it('finds the wasm binaries on disk', () => {
    const w = wasmDir();
    expect('dir' in w ? w.dir : w.reason).toMatch(/tfjs-backend-wasm[\\/]dist$/);
  });
});

function catchError(fn: () => unknown): Error & { kind?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
