/**
 * Which onnxruntime execution provider the generation worker runs on. 'auto' tries CUDA, then
 * DirectML (Windows), then CoreML (macOS), then the CPU; TensorRT only when asked for. Each
 * candidate is really tried — a session is created on a small model of the bundle — because a
 * provider library can be present and still fail (no driver, wrong CUDA), and the reason every
 * better provider was skipped is kept so the operator sees why generation is slow.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export const REQUESTED_PROVIDERS = ['auto', 'cuda', 'tensorrt', 'dml', 'coreml', 'cpu'] as const;
export type RequestedProvider = (typeof REQUESTED_PROVIDERS)[number];
export type ProviderName = Exclude<RequestedProvider, 'auto'>;

export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  /** Why it was skipped (null when it was taken). */
  reason: string | null;
}

export interface ProviderChoice {
  provider: ProviderName;
  /** One line for the status panel: what was asked, what was taken, why the better ones were not. */
  reason: string;
  attempts: ProviderAttempt[];
}

/** The candidates for a request, best first; the CPU always closes the list. */
export function providerOrder(
  requested: RequestedProvider,
  platform: NodeJS.Platform = process.platform,
): ProviderName[] {
  const auto: ProviderName[] = ['cuda'];
  if (platform === 'win32') auto.push('dml');
  if (platform === 'darwin') auto.push('coreml');
  auto.push('cpu');
  const first: ProviderName[] =
    requested === 'auto' ? [] : requested === 'tensorrt' ? ['tensorrt', 'cuda'] : [requested];
  return [...new Set([...first, ...(requested === 'cpu' ? [] : auto), 'cpu' as const])];
}

/** The native directory of onnxruntime-node, where its provider libraries would be installed. */
export function ortBinaryDir(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string {
  const pkg = createRequire(__filename).resolve('onnxruntime-node/package.json');
  return join(dirname(pkg), 'bin', 'napi-v6', platform, arch);
}

function providerLibrary(provider: 'cuda' | 'tensorrt', platform: NodeJS.Platform): string {
  const base = `onnxruntime_providers_${provider}`;
  return platform === 'win32' ? `${base}.dll` : `lib${base}.so`;
}

const INSTALL_HINT =
  'reinstall onnxruntime-node with its GPU binaries: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node';

/**
 * Why `provider` cannot work here without trying it, or null when it is worth a try (pure apart
 * from the file-existence check, which is injectable).
 */
export function precheckProvider(
  provider: ProviderName,
  env: {
    platform: NodeJS.Platform;
    /** Backends this onnxruntime-node build knows (listSupportedBackends). */
    backends: readonly string[];
    binaryDir: string;
    exists?: (path: string) => boolean;
  },
): string | null {
  const exists = env.exists ?? existsSync;
  switch (provider) {
    case 'cpu':
      return null;
    case 'cuda':
    case 'tensorrt': {
      if (env.platform !== 'linux' && env.platform !== 'win32')
        return `${provider} is available on Linux and Windows only`;
      const lib = providerLibrary(provider, env.platform);
      if (!exists(join(env.binaryDir, lib))) return `${lib} is not installed (${INSTALL_HINT})`;
      return null;
    }
    case 'dml':
      if (env.platform !== 'win32') return 'DirectML exists on Windows only';
      if (!env.backends.includes('dml')) return 'this onnxruntime-node build has no dml backend';
      return null;
    case 'coreml':
      if (env.platform !== 'darwin') return 'CoreML exists on macOS only';
      if (!env.backends.includes('coreml'))
        return 'this onnxruntime-node build has no coreml backend';
      return null;
  }
}

/** Session options' executionProviders entry for a provider (onnxruntime-node's names). */
export function executionProvider(provider: ProviderName): string {
  return provider;
}

export interface SelectProviderOptions {
  requested: RequestedProvider;
  /** A small model of the bundle to open on each candidate (the text encoder). */
  probeModel: string;
  platform?: NodeJS.Platform;
  /** Tests: replace the real session creation. */
  tryProvider?: (provider: ProviderName, model: string) => Promise<void>;
  /** Tests: replace the file check of the provider libraries. */
  exists?: (path: string) => boolean;
}

async function openOn(provider: ProviderName, model: string): Promise<void> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [executionProvider(provider)],
  });
  await session.release();
}

const firstLine = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0]?.trim() ?? 'unknown error';

/** Takes the first candidate that opens a session, recording why each better one was skipped. */
export async function selectProvider(opts: SelectProviderOptions): Promise<ProviderChoice> {
  const platform = opts.platform ?? process.platform;
  const backends = ort.listSupportedBackends().map((b) => b.name);
  const binaryDir = ortBinaryDir(platform);
  const tryProvider = opts.tryProvider ?? openOn;
  const attempts: ProviderAttempt[] = [];
  for (const provider of providerOrder(opts.requested, platform)) {
    const pre = precheckProvider(provider, {
      platform,
      backends,
      binaryDir,
      ...(opts.exists !== undefined ? { exists: opts.exists } : {}),
    });
    if (pre !== null) {
      attempts.push({ provider, ok: false, reason: pre });
      continue;
    }
    try {
      await tryProvider(provider, opts.probeModel);
      attempts.push({ provider, ok: true, reason: null });
      return { provider, reason: describeChoice(opts.requested, provider, attempts), attempts };
    } catch (err) {
      attempts.push({ provider, ok: false, reason: `failed to start: ${firstLine(err)}` });
    }
  }
  const why = attempts.map((a) => `${a.provider}: ${a.reason ?? 'ok'}`).join('; ');
  throw new Error(`No onnxruntime execution provider could open ${opts.probeModel}: ${why}`);
}

function describeChoice(
  requested: RequestedProvider,
  provider: ProviderName,
  attempts: readonly ProviderAttempt[],
): string {
  const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.provider}: ${a.reason}`);
  const head =
    requested === 'auto' || requested === provider
      ? `${provider} (asked: ${requested})`
      : `${provider} instead of ${requested}`;
  return skipped.length === 0 ? head : `${head}; ${skipped.join('; ')}`;
}
