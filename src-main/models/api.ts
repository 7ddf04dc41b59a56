/** The model manager as the API contract sees it: plain data, clear errors. */
import { importT2vModel, isT2vExport } from '../generate/import';
import { ApiError, type ModelInfo } from '../api/contract';
import { findModel, getManifest, totalBytes } from './manifest';
import { detectModelsInDir, importModel, pullModel } from './store';
import { ModelError, modelStatus } from './verify';

export async function listModels(dataDir: string): Promise<ModelInfo[]> {
  return (await modelStatus(dataDir)).map((s) => ({
    id: s.model.id,
    name: s.model.name,
    kind: s.model.kind,
    languages: [...s.model.languages],
    bytes: totalBytes(s.model),
    license: s.model.license.spdx,
    caveat: s.model.license.caveat ?? null,
    state: s.state,
    // "Missing" needs no file list (the state says it); a corrupt model names what is wrong.
    problem:
      s.state === 'corrupt' ? s.issues.map((i) => `${i.file}: ${i.message}`).join('; ') : null,
  }));
}

export async function importModelFrom(
  dataDir: string,
  dir: string,
  id?: string,
): Promise<ModelInfo[]> {
  try {
    // A text-to-video export (its own manifest.json): verified, copied, listed by generate.status.
    if (await isT2vExport(dir)) {
      await importT2vModel(dataDir, dir, id);
      return listModels(dataDir);
    }
    let target = id;
    if (!target) {
      const found = await detectModelsInDir(dir);
      if (found.length === 0)
        throw new ApiError('bad_request', `No supported model's files were found in ${dir}`);
      target = found[0]!;
    }
    if (!findModel(target, getManifest()))
      throw new ApiError('bad_request', `Unknown model id ${target}`);
    await importModel(dataDir, target, dir);
  } catch (err) {
    throw toApiError(err);
  }
  return listModels(dataDir);
}

export async function pullModelWithProgress(
  dataDir: string,
  id: string,
  mirror: 'cn' | 'global' | undefined,
  onProgress: (p: { id: string; file: string; received: number; total: number | null }) => void,
): Promise<ModelInfo[]> {
  let last = 0;
  try {
    await pullModel(dataDir, id, {
      ...(mirror ? { mirror } : {}),
      onProgress: (p) => {
        const now = Date.now();
        if (now - last < 500 && p.received !== p.total) return;
        last = now;
        onProgress({ id, file: p.file, received: p.received, total: p.total });
      },
    });
  } catch (err) {
    throw toApiError(err);
  }
  return listModels(dataDir);
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ModelError)
    return new ApiError(err.kind === 'unknown_model' ? 'bad_request' : 'unavailable', err.message);
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return new ApiError('bad_request', `No such directory: ${e.path ?? ''}`);
  return new ApiError('unavailable', err instanceof Error ? err.message : String(err));
}
