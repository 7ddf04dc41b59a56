/** `liveslice models list|verify|pull|import`: the model manager on the command line. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { importT2vModel, isT2vExport } from '../generate/import';
import {
  detectModelsInDir,
  findModel,
  fixHint,
  formatBytes,
  getManifest,
  importModel,
  ModelError,
  modelsRoot,
  modelStatus,
  pullModel,
  totalBytes,
  verifyModel,
  type Manifest,
  type ModelEntry,
  type ModelStatus,
} from '../models';

export const MODELS_EXIT = { ok: 0, failed: 1, badArgs: 2, model: 4 } as const;

export const MODELS_USAGE = `Usage:
  liveslice models list                          Supported models, size, status and licence
  liveslice models verify [ID]                   Check installed files (size, sha256, no Git-LFS pointers)
  liveslice models pull ID [--mirror cn|global]  Download (resumable, verified) from the model's mirrors
  liveslice models import [ID] DIR               Install from a directory you already have (verified first)

Options:
  --data-dir DIR       Where models live: DIR/models/<id>/ (default: the app's data directory)
  --mirror cn|global   Mirror region to try first (env LIVESLICE_MIRROR=cn does the same)

Exit status: 0 done, 2 bad arguments, 4 a model is missing or corrupt, or a pull/import failed.`;

export interface RunModelsOptions {
  dataDir: string;
  /** stderr: progress, notes, the one-line reason of a failure. */
  say: (line: string) => void;
  /** stdout: the table / report. */
  out: (line: string) => void;
  /** Cancels a pull (SIGINT). */
  signal?: AbortSignal | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Tests only: another manifest. */
  manifest?: Manifest | undefined;
  /** Minimum interval between progress lines (default 500 ms). */
  progressIntervalMs?: number | undefined;
}

const SUBCOMMANDS = ['list', 'verify', 'pull', 'import'] as const;

export async function runModels(argv: readonly string[], opts: RunModelsOptions): Promise<number> {
  const manifest = opts.manifest ?? getManifest();
  const bad = (msg: string): number => {
    opts.say(`liveslice models: ${msg} (see liveslice models --help)`);
    return MODELS_EXIT.badArgs;
  };

  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        mirror: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return bad((msg.split('\n')[0] ?? msg).replace(/\.$/, ''));
  }
  const [sub, ...rest] = positionals;
  if (values['help'] === true || sub === 'help') {
    opts.out(MODELS_USAGE);
    return MODELS_EXIT.ok;
  }
  if (sub === undefined) return bad(`a subcommand is needed: ${SUBCOMMANDS.join(', ')}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    return bad(`unknown subcommand '${sub}' (subcommands: ${SUBCOMMANDS.join(', ')})`);

  const dd = values['data-dir'];
  if (typeof dd === 'string' && (dd.trim() === '' || dd.includes('\0')))
    return bad('--data-dir must be a directory path');
  const dataDir = resolve(typeof dd === 'string' ? dd : opts.dataDir);

  const mirror = values['mirror'];
  if (mirror !== undefined && sub !== 'pull') return bad(`--mirror applies to pull only`);
  if (mirror !== undefined && mirror !== 'cn' && mirror !== 'global')
    return bad(`--mirror must be cn or global, got '${String(mirror)}'`);

  const knownId = (id: string): ModelEntry | string => {
    const m = findModel(id, manifest);
    return m ?? `unknown model '${id}' (models: ${manifest.models.map((x) => x.id).join(', ')})`;
  };

  try {
    switch (sub) {
      case 'list': {
        if (rest.length > 0) return bad(`list takes no arguments, got '${rest[0]}'`);
        await list(dataDir, manifest, opts);
        return MODELS_EXIT.ok;
      }
      case 'verify': {
        if (rest.length > 1) return bad(`verify takes at most one model id`);
        let statuses: ModelStatus[];
        if (rest[0] !== undefined) {
          const m = knownId(rest[0]);
          if (typeof m === 'string') return bad(m);
          statuses = [await verifyModel(dataDir, m.id, manifest)];
        } else {
          statuses = await modelStatus(dataDir, manifest);
        }
        return report(statuses, opts);
      }
      case 'pull': {
        if (rest.length !== 1) return bad('pull needs exactly one model id');
        const m = knownId(rest[0]!);
        if (typeof m === 'string') return bad(m);
        return await pull(dataDir, m, mirror, manifest, opts);
      }
      case 'import': {
        if (rest.length < 1 || rest.length > 2)
          return bad('import needs a directory, optionally after a model id: import [ID] DIR');
        let id: string;
        const dir = resolve(rest[rest.length - 1]!);
        if (!(await isDir(dir))) return bad(`import: ${dir} is not a directory`);
        // A text-to-video export brings its own manifest.json (files, roles, checksums, shapes).
        if (await isT2vExport(dir)) {
          const r = await importT2vModel(dataDir, dir, rest.length === 2 ? rest[0] : undefined);
          opts.out(
            `Imported text-to-video model ${r.id} into ${r.dir} (${r.files} files, ${r.bytes} bytes; all verified).`,
          );
          return MODELS_EXIT.ok;
        }
        if (rest.length === 2) {
          const m = knownId(rest[0]!);
          if (typeof m === 'string') return bad(m);
          id = m.id;
        } else {
          const found = await detectModelsInDir(dir, manifest);
          if (found.length !== 1) {
            opts.say(
              found.length === 0
                ? `liveslice models: ${dir} holds no complete model of the manifest (files by name and size); ` +
                    `name the model: liveslice models import ID ${dir}`
                : `liveslice models: ${dir} matches several models (${found.join(', ')}); name one: liveslice models import ID ${dir}`,
            );
            return found.length === 0 ? MODELS_EXIT.model : MODELS_EXIT.badArgs;
          }
          id = found[0]!;
        }
        const r = await importModel(dataDir, id, dir, { manifest });
        const model = findModel(id, manifest)!;
        opts.out(
          `Imported ${id} into ${r.dir} (${r.copied.length} copied, ${r.unchanged.length} already there; all verified).`,
        );
        caveat(model, opts.out);
        return MODELS_EXIT.ok;
      }
    }
  } catch (err) {
    if (err instanceof ModelError) {
      if (err.kind !== 'download_failed')
        for (const i of err.issues) opts.say(`  ${i.file}: ${i.problem}: ${i.message}`);
      opts.say(`liveslice models: ${err.message}`);
      return err.kind === 'unknown_model' ? MODELS_EXIT.badArgs : MODELS_EXIT.model;
    }
    opts.say(
      `liveslice models: ${sub} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    return MODELS_EXIT.failed;
  }
  return bad(`unknown subcommand '${sub}'`);
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function caveat(model: ModelEntry, line: (s: string) => void): void {
  if (model.license.caveat) line(`Licence caveat (${model.id}): ${model.license.caveat}`);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function list(dataDir: string, manifest: Manifest, opts: RunModelsOptions): Promise<void> {
  const statuses = await modelStatus(dataDir, manifest);
  const rows = [
    ['ID', 'KIND', 'LANGUAGES', 'SIZE', 'STATUS', 'LICENCE'],
    ...statuses.map((s) => [
      s.model.id,
      s.model.kind,
      s.model.languages.join(','),
      formatBytes(totalBytes(s.model)),
      s.state,
      s.model.license.spdx + (s.model.license.caveat ? ' (!)' : ''),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const r of rows)
    opts.out(
      r
        .map((cell, c) => (c === r.length - 1 ? cell : pad(cell, widths[c]! + 2)))
        .join('')
        .trimEnd(),
    );
  for (const s of statuses) {
    if (s.model.license.caveat) opts.out(`(!) ${s.model.id}: ${s.model.license.caveat}`);
  }
  opts.out(`Models live in ${modelsRoot(dataDir)}.`);
  const absent = statuses.find((s) => s.state !== 'installed');
  if (absent) opts.out(`To add one: liveslice models pull ID, or liveslice models import ID DIR.`);
}

function report(statuses: ModelStatus[], opts: RunModelsOptions): number {
  let bad = 0;
  for (const s of statuses) {
    if (s.state === 'installed') {
      opts.out(`ok       ${s.model.id}`);
      continue;
    }
    bad++;
    if (s.issues.length === s.model.files.length && s.state === 'missing') {
      opts.out(`missing  ${s.model.id}: not installed`);
      continue;
    }
    for (const i of s.issues) opts.out(`${pad(s.state, 8)} ${s.model.id}: ${i.file}: ${i.message}`);
  }
  if (bad > 0) {
    const ids = statuses.filter((s) => s.state !== 'installed').map((s) => s.model.id);
    opts.say(
      `liveslice models: ${bad} of ${statuses.length} model(s) missing or corrupt (${ids.join(', ')}); to fix one, ${fixHint(ids[0]!)}`,
    );
    return MODELS_EXIT.model;
  }
  return MODELS_EXIT.ok;
}

async function pull(
  dataDir: string,
  model: ModelEntry,
  mirror: 'cn' | 'global' | undefined,
  manifest: Manifest,
  opts: RunModelsOptions,
): Promise<number> {
  const interval = opts.progressIntervalMs ?? 500;
  let last = -Infinity;
  opts.say(`Pulling ${model.id} (${formatBytes(totalBytes(model))}) into ${dataDir}…`);
  const r = await pullModel(dataDir, model.id, {
    mirror,
    manifest,
    signal: opts.signal,
    env: opts.env,
    onNote: (line) => opts.say(line),
    onProgress: (p) => {
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      const pct = p.total ? ` (${Math.floor((100 * p.received) / p.total)}%)` : '';
      opts.say(
        `  ${p.file}: ${formatBytes(p.received)}${p.total ? ` / ${formatBytes(p.total)}` : ''}${pct} from ${p.mirror}`,
      );
    },
  });
  opts.out(
    `Installed ${model.id} in ${r.dir}: ${r.downloaded.length} downloaded` +
      `${r.mirrors.length ? ` from ${r.mirrors.join(', ')}` : ''}, ${r.skipped.length} already there; all verified.`,
  );
  caveat(model, opts.out);
  return MODELS_EXIT.ok;
}
