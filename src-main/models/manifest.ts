/**
 * The manifest of supported models (models/manifest.json): files with sizes and sha256, licence,
 * and download mirrors. Weights live in `<dataDir>/models/<id>/<file>`; nothing here touches disk
 * except `loadManifestFile`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import manifestJson from '../../models/manifest.json';

export const MODEL_KINDS = ['kws', 'streaming-transducer', 'offline-sensevoice', 'vad'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

const fileName = z
  .string()
  .min(1)
  .refine((s) => !/[/\\]|^\.\.?$|\0/.test(s), 'a plain file name (no directories)');

export const ModelFileSchema = z.strictObject({
  name: fileName,
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 as 64 lowercase hex digits'),
});

export const MirrorSchema = z.strictObject({
  name: z.string().min(1),
  region: z.enum(['global', 'cn']),
  /** http(s) URL; a file is fetched from `${baseUrl}/${file name}`, an archive from `${baseUrl}/${archive.file}`. */
  baseUrl: z.url().refine((u) => /^https?:\/\//.test(u), 'an http or https URL'),
  /** Set when the mirror publishes the model as one .tar.bz2 (extracted with the system `tar`). */
  archive: z
    .strictObject({
      file: fileName,
      /** The directory inside the archive that holds the files. */
      root: z.string().min(1),
      bytes: z.number().int().positive().optional(),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    })
    .optional(),
  note: z.string().optional(),
});

export const ModelEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase id: letters, digits, . _ -'),
  name: z.string().min(1),
  kind: z.enum(MODEL_KINDS),
  languages: z.array(z.string().min(2)).min(1),
  /** The upstream directory / archive name. */
  upstream: z.string().optional(),
  description: z.string().optional(),
  license: z.strictObject({
    spdx: z.string().min(1),
    /** Shown wherever the model is listed, pulled or imported. */
    caveat: z.string().optional(),
  }),
  files: z.array(ModelFileSchema).min(1),
  mirrors: z.array(MirrorSchema),
});

export const ManifestSchema = z
  .strictObject({
    version: z.literal(1),
    models: z.array(ModelEntrySchema),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.models.forEach((model, i) => {
      if (seen.has(model.id))
        ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: 'duplicate id' });
      seen.add(model.id);
      const names = new Set<string>();
      model.files.forEach((f, j) => {
        if (names.has(f.name))
          ctx.addIssue({
            code: 'custom',
            path: ['models', i, 'files', j, 'name'],
            message: 'duplicate file name',
          });
        names.add(f.name);
      });
    });
  });

export type ModelFile = z.infer<typeof ModelFileSchema>;
export type Mirror = z.infer<typeof MirrorSchema>;
export type ModelEntry = z.infer<typeof ModelEntrySchema>;
export type Manifest = z.infer<typeof ManifestSchema>;

export function parseManifest(data: unknown): Manifest {
  const r = ManifestSchema.safeParse(data);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first ? first.path.join('.') : '';
    throw new Error(
      `Invalid model manifest${where ? ` at ${where}` : ''}: ${first?.message ?? r.error.message}`,
    );
  }
  return r.data;
}

export function loadManifestFile(path: string): Manifest {
  return parseManifest(JSON.parse(readFileSync(path, 'utf8')) as unknown);
}

let bundled: Manifest | null = null;

/** The manifest shipped with the app (models/manifest.json, bundled at build time). */
export function getManifest(): Manifest {
  bundled ??= parseManifest(manifestJson);
  return bundled;
}

export function findModel(id: string, manifest: Manifest = getManifest()): ModelEntry | undefined {
  return manifest.models.find((m) => m.id === id);
}

export function modelsRoot(dataDir: string): string {
  return join(dataDir, 'models');
}

export function modelDir(dataDir: string, id: string): string {
  return join(modelsRoot(dataDir), id);
}

export function totalBytes(model: ModelEntry): number {
  return model.files.reduce((n, f) => n + f.bytes, 0);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'] as const;
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
