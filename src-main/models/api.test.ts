/** The model manager through the API contract, and keyword spotting turning on after an import. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../api/dispatch';
import { createEngine, type Engine } from '../engine';
import { createLogger } from '../log/logger';
import { KWS_MODEL_DIR } from '../testing/shared';
import { missing } from '../testing/skip';

const KWS = KWS_MODEL_DIR;
let dir: string;
let engine: Engine;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-models-api-'));
  engine = createEngine({
    dataDir: dir,
    logger: createLogger({ dir: null, console: false }),
    transport: 'websocket',
  });
  await engine.ready;
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, input: unknown) =>
  dispatch(engine.handlers, method, input, { transport: 'test' });

describe('models over the API', () => {
  it('lists every supported model as missing on a fresh data directory, caveats included', async () => {
    const r = await call('models.list', {});
    expect(r.ok).toBe(true);
    const list = (r as { value: Array<{ id: string; state: string; caveat: string | null }> })
      .value;
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list.every((m) => m.state === 'missing')).toBe(true);
    expect(list.find((m) => m.id === 'kws-zh-wenetspeech-3.3m-mobile')?.caveat).toMatch(
      /non-commercial/,
    );
    expect(await call('asr.status', {})).toMatchObject({
      ok: true,
      value: { keywordSpotting: { enabled: false }, recognizer: { enabled: false } },
    });
  });

  it('refuses an import from a directory without a model, clearly', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'liveslice-empty-'));
    try {
      expect(await call('models.import', { dir: empty })).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
      expect(
        await call('models.import', {
          dir: join(empty, 'nope'),
          id: 'kws-zh-wenetspeech-3.3m-mobile',
        }),
      ).toMatchObject({
        ok: false,
      });
      expect(await call('models.pull', { id: '../../etc' })).toMatchObject({
        ok: false,
        error: { code: 'bad_request' },
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it.skipIf(
    missing(
      !existsSync(join(KWS, 'tokens.txt')) &&
        'the KWS model is absent from ../shared/models/sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
    ),
  )('imports the real KWS model and turns keyword spotting on', async () => {
    const r = await call('models.import', { dir: KWS });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const kws = (r as { value: Array<{ id: string; state: string }> }).value.find(
      (m) => m.id === 'kws-zh-wenetspeech-3.3m-mobile',
    );
    expect(kws?.state).toBe('installed');
    // Under vitest the worker is the built one (out/main/kws-worker.js) when present.
    const status = (await call('asr.status', {})) as {
      value: { keywordSpotting: { enabled: boolean; reason: string | null } };
    };
    const built = existsSync(join(__dirname, '..', '..', 'out', 'main', 'kws-worker.js'));
    expect(status.value.keywordSpotting.enabled || !built).toBe(true);
  });
});
