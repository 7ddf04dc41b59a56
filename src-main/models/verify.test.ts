import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelDir } from './manifest';
import { fakeModel, LFS_POINTER, manifestOf, sha256, writeModelDir } from './testFixtures';
import {
  clearVerifyCache,
  modelStatus,
  ModelError,
  requireVerifiedModel,
  verifyFile,
  verifyModel,
} from './verify';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-verify-'));
  clearVerifyCache();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const body = Buffer.from('x'.repeat(5000) + 'model bytes');
const expected = { bytes: body.length, sha256: sha256(body) };

describe('verifyFile', () => {
  it('accepts the right file', async () => {
    const p = join(dir, 'm.onnx');
    writeFileSync(p, body);
    expect(await verifyFile(p, expected)).toEqual({ ok: true });
  });

  it('reports a missing file, and a directory in its place', async () => {
    const r = await verifyFile(join(dir, 'nope.onnx'), expected);
    expect(r).toMatchObject({ ok: false, problem: 'missing' });
    mkdirSync(join(dir, 'd.onnx'));
    expect(await verifyFile(join(dir, 'd.onnx'), expected)).toMatchObject({ problem: 'missing' });
  });

  it('reports a truncated file by size', async () => {
    const p = join(dir, 'm.onnx');
    writeFileSync(p, body.subarray(0, 100));
    const r = await verifyFile(p, expected);
    expect(r).toMatchObject({ ok: false, problem: 'size' });
    expect(!r.ok && r.message).toMatch(/100 B, expected 5011 B.*truncated/);
  });

  it('refuses a Git-LFS pointer before looking at size or hash', async () => {
    const p = join(dir, 'm.onnx');
    writeFileSync(p, LFS_POINTER(expected.sha256, expected.bytes));
    const r = await verifyFile(p, expected);
    expect(r).toMatchObject({ ok: false, problem: 'lfs-pointer' });
    expect(!r.ok && r.message).toMatch(/Git-LFS pointer.*git lfs pull/);
    // Even a pointer padded to the expected size is a pointer.
    const padded = Buffer.alloc(expected.bytes, 0x20);
    Buffer.from(LFS_POINTER(expected.sha256, expected.bytes)).copy(padded);
    writeFileSync(p, padded);
    expect(await verifyFile(p, expected)).toMatchObject({ problem: 'lfs-pointer' });
  });

  it('reports a wrong hash for a file of the right size', async () => {
    const p = join(dir, 'm.onnx');
    const bad = Buffer.from(body);
    bad[10] = 0x79;
    writeFileSync(p, bad);
    const r = await verifyFile(p, expected);
    expect(r).toMatchObject({ ok: false, problem: 'hash' });
    expect(!r.ok && r.message).toContain(expected.sha256);
  });

  it('caches a success by size and mtime, and re-verifies when the file changes', async () => {
    const p = join(dir, 'm.onnx');
    const t = 1_700_000_000; // whole seconds survive utimes exactly
    writeFileSync(p, body);
    utimesSync(p, t, t);
    expect((await verifyFile(p, expected)).ok).toBe(true);
    // Same size, same mtime: the cache answers (no rehash), so a silent change goes unseen…
    const bad = Buffer.from(body);
    bad[0] = 0x41;
    writeFileSync(p, bad);
    utimesSync(p, t, t);
    expect(statSync(p).size).toBe(expected.bytes);
    expect((await verifyFile(p, expected)).ok).toBe(true);
    // …useCache:false always rehashes…
    expect(await verifyFile(p, expected, { useCache: false })).toMatchObject({ problem: 'hash' });
    // …and a changed mtime, as any real write gives, re-verifies.
    writeFileSync(p, body);
    utimesSync(p, t, t);
    expect((await verifyFile(p, expected)).ok).toBe(true);
    writeFileSync(p, bad);
    utimesSync(p, t, t + 5);
    expect(await verifyFile(p, expected)).toMatchObject({ problem: 'hash' });
  });
});

describe('verifyModel / modelStatus / requireVerifiedModel', () => {
  const a = fakeModel('model-a', { 'encoder.onnx': 3000, 'tokens.txt': 50 });
  const b = fakeModel('model-b', { 'x.onnx': 200 });
  const manifest = manifestOf(a.entry, b.entry);

  it('lists every model: installed, missing, corrupt with the file and why', async () => {
    writeModelDir(modelDir(dir, 'model-a'), a);
    let all = await modelStatus(dir, manifest);
    expect(all.map((s) => [s.model.id, s.state])).toEqual([
      ['model-a', 'installed'],
      ['model-b', 'missing'],
    ]);
    writeFileSync(join(modelDir(dir, 'model-a'), 'tokens.txt'), 'short');
    all = await modelStatus(dir, manifest);
    expect(all[0]).toMatchObject({
      state: 'corrupt',
      issues: [{ file: 'tokens.txt', problem: 'size' }],
    });
    expect((await verifyModel(dir, 'model-b', manifest)).issues).toHaveLength(1);
  });

  it('requireVerifiedModel returns the paths of a good model', async () => {
    writeModelDir(modelDir(dir, 'model-a'), a);
    const r = await requireVerifiedModel(dir, 'model-a', manifest);
    expect(r.dir).toBe(modelDir(dir, 'model-a'));
    expect(r.files['encoder.onnx']).toBe(join(r.dir, 'encoder.onnx'));
    expect(Object.keys(r.files)).toEqual(['encoder.onnx', 'tokens.txt']);
  });

  it('requireVerifiedModel throws ModelError saying what and how to fix', async () => {
    const missing = await requireVerifiedModel(dir, 'model-a', manifest).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ModelError);
    expect(missing).toMatchObject({ kind: 'missing', modelId: 'model-a' });
    expect((missing as Error).message).toMatch(
      /not installed.*liveslice models pull model-a.*liveslice models import model-a <dir>/,
    );

    writeModelDir(modelDir(dir, 'model-a'), a);
    writeFileSync(
      join(modelDir(dir, 'model-a'), 'encoder.onnx'),
      LFS_POINTER(a.entry.files[0]!.sha256, 3000),
    );
    const corrupt = await requireVerifiedModel(dir, 'model-a', manifest).catch((e: unknown) => e);
    expect(corrupt).toMatchObject({ kind: 'corrupt' });
    expect((corrupt as ModelError).issues[0]).toMatchObject({
      file: 'encoder.onnx',
      problem: 'lfs-pointer',
    });

    const unknown = await requireVerifiedModel(dir, 'nope', manifest).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ kind: 'unknown_model' });
    expect((unknown as Error).message).toMatch(/Known models: model-a, model-b/);
  });
});
