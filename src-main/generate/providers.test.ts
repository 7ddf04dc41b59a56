/**
 * Execution provider choice: the fallback order per platform, the reasons a provider is skipped
 * without trying it, and the real selection on this machine (CPU, with why not CUDA).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { precheckProvider, providerOrder, selectProvider } from './providers';

const TEXT_ENCODER = join(__dirname, '..', '..', 'models', 'tiny-t2v', 'text_encoder.onnx');

describe('providerOrder', () => {
  it.each([
    ['auto', 'linux', ['cuda', 'cpu']],
    ['auto', 'win32', ['cuda', 'dml', 'cpu']],
    ['auto', 'darwin', ['cuda', 'coreml', 'cpu']],
    ['tensorrt', 'linux', ['tensorrt', 'cuda', 'cpu']],
    ['dml', 'win32', ['dml', 'cuda', 'cpu']],
    ['coreml', 'darwin', ['coreml', 'cuda', 'cpu']],
    ['cpu', 'win32', ['cpu']],
  ] as const)('%s on %s → %j', (req, platform, want) => {
    expect(providerOrder(req, platform)).toEqual(want);
  });
  it('TensorRT is tried only when asked for', () => {
    for (const p of ['linux', 'win32', 'darwin'] as const)
      expect(providerOrder('auto', p)).not.toContain('tensorrt');
  });
});

describe('precheckProvider', () => {
  const env = (platform: NodeJS.Platform, files: string[] = [], backends = ['cpu']) => ({
    platform,
    backends,
    binaryDir: '/ort',
    exists: (p: string) => files.includes(p),
  });
  it.each([
    ['cuda', env('linux'), /libonnxruntime_providers_cuda\.so is not installed.*cuda12/],
    ['cuda', env('win32'), /onnxruntime_providers_cuda\.dll is not installed/],
    ['cuda', env('darwin'), /Linux and Windows only/],
    ['tensorrt', env('linux'), /libonnxruntime_providers_tensorrt\.so is not installed/],
    ['dml', env('linux'), /Windows only/],
    ['dml', env('win32'), /no dml backend/],
    ['coreml', env('win32'), /macOS only/],
    ['coreml', env('darwin'), /no coreml backend/],
  ] as const)('%s %#: %s', (provider, e, why) => {
    expect(precheckProvider(provider, e)).toMatch(why);
  });
  it('lets a provider through when its library or backend is there', () => {
    expect(precheckProvider('cuda', env('linux', ['/ort/libonnxruntime_providers_cuda.so']))).toBe(
      null,
    );
    expect(precheckProvider('dml', env('win32', [], ['cpu', 'dml']))).toBeNull();
    expect(precheckProvider('cpu', env('linux'))).toBeNull();
  });
});

describe('selectProvider', () => {
  it('on this machine: cpu, saying why not CUDA', async () => {
    const c = await selectProvider({ requested: 'auto', probeModel: TEXT_ENCODER });
    // This machine has no GPU build of onnxruntime: a machine that has one passes the next line.
    if (c.provider !== 'cpu') return expect(c.provider).toBe('cuda');
    expect(c.attempts.map((a) => a.provider)).toEqual(['cuda', 'cpu']);
    expect(c.attempts[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/cuda/) });
    expect(c.reason).toMatch(/^cpu \(asked: auto\); cuda: /);
  });

  it('falls back past a provider whose session fails, recording the error', async () => {
    const c = await selectProvider({
      requested: 'tensorrt',
      probeModel: TEXT_ENCODER,
      platform: 'linux',
      exists: () => true,
      tryProvider: async (p) => {
        if (p !== 'cpu') throw new Error(`${p}: CUDA driver version is insufficient\nmore`);
      },
    });
    expect(c.provider).toBe('cpu');
    expect(c.reason).toBe(
      'cpu instead of tensorrt; tensorrt: failed to start: tensorrt: CUDA driver version is insufficient; ' +
        'cuda: failed to start: cuda: CUDA driver version is insufficient',
    );
  });

  it('says what every provider answered when none works', async () => {
    await expect(
      selectProvider({
        requested: 'cpu',
        probeModel: TEXT_ENCODER,
        tryProvider: async () => {
          throw new Error('out of memory');
        },
      }),
    ).rejects.toThrow(/No onnxruntime execution provider.*cpu: failed to start: out of memory/);
  });
});
