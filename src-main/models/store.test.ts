import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { modelDir, type Mirror } from './manifest';
import { detectModelsInDir, importModel, orderMirrors, pullModel } from './store';
import {
  fakeModel,
  KWS_ID,
  KWS_SHARED_DIR,
  LFS_POINTER,
  manifestOf,
  writeModelDir,
} from './testFixtures';
import { startFileServer, type FileServer } from './testServer';
import { clearVerifyCache, ModelError, requireVerifiedModel } from './verify';
import { missing } from '../testing/skip';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-store-'));
  clearVerifyCache();
  return () => rmSync(dir, { recursive: true, force: true });
});

const HAVE_KWS = existsSync(join(KWS_SHARED_DIR, 'tokens.txt'));
if (!HAVE_KWS)
  console.warn(`skipping the real-model import tests: ${KWS_SHARED_DIR} is not on this machine`);

describe('importModel', () => {
  it.skipIf(
    missing(
      !HAVE_KWS &&
        'the KWS model is absent from ../shared/models/sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
    ),
  )('imports the real KWS model, then it loads verified', async () => {
    const before = readdirSync(KWS_SHARED_DIR).sort();
    const data = join(dir, 'data');
    const r = await importModel(data, KWS_ID, KWS_SHARED_DIR);
    expect(r.copied).toHaveLength(4);
    expect(readdirSync(KWS_SHARED_DIR).sort()).toEqual(before);
    expect(readdirSync(modelDir(data, KWS_ID)).sort()).toEqual([
      'decoder-epoch-12-avg-2-chunk-16-left-64.onnx',
      'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
      'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
      'tokens.txt',
    ]);
    const ok = await requireVerifiedModel(data, KWS_ID);
    expect(ok.files['tokens.txt']).toBe(join(modelDir(data, KWS_ID), 'tokens.txt'));
    // A second import finds everything in place.
    expect((await importModel(data, KWS_ID, KWS_SHARED_DIR)).unchanged).toHaveLength(4);
  });

  it.skipIf(
    missing(
      !HAVE_KWS &&
        'the KWS model is absent from ../shared/models/sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
    ),
  )('refuses a corrupted copy of the real KWS model', async () => {
    const src = join(dir, 'copy');
    cpSync(KWS_SHARED_DIR, src, { recursive: true });
    const joiner = join(src, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx');
    const buf = readFileSync(joiner);
    buf[buf.length >> 1] = buf[buf.length >> 1]! ^ 0xff;
    writeFileSync(joiner, buf);
    const e = await importModel(join(dir, 'data'), KWS_ID, src).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ kind: 'corrupt' });
    expect((e as ModelError).issues).toEqual([
      expect.objectContaining({
        file: 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
        problem: 'hash',
      }),
    ]);
    expect(existsSync(modelDir(join(dir, 'data'), KWS_ID))).toBe(false);
  });

  const m = fakeModel('fake', { 'enc.onnx': 4000, 'tokens.txt': 100 });
  const manifest = manifestOf(m.entry);

  it('refuses LFS pointers, truncated and missing files, installing nothing', async () => {
    const src = join(dir, 'src');
    writeModelDir(src, m);
    writeFileSync(join(src, 'enc.onnx'), LFS_POINTER(m.entry.files[0]!.sha256, 4000));
    writeFileSync(join(src, 'tokens.txt'), m.content['tokens.txt']!.subarray(0, 10));
    const e = (await importModel(join(dir, 'data'), 'fake', src, { manifest }).catch(
      (x: unknown) => x,
    )) as ModelError;
    expect(e.kind).toBe('corrupt');
    expect(e.issues.map((i) => [i.file, i.problem])).toEqual([
      ['enc.onnx', 'lfs-pointer'],
      ['tokens.txt', 'size'],
    ]);
    expect(e.message).toMatch(/nothing was installed/);
    expect(existsSync(join(dir, 'data'))).toBe(false);

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const e2 = await importModel(join(dir, 'data'), 'fake', empty, { manifest }).catch(
      (x: unknown) => x,
    );
    expect(e2).toMatchObject({ kind: 'missing' });
  });

  it('finds the files in a subdirectory (an unpacked archive) and detects the model', async () => {
    const src = join(dir, 'dl');
    writeModelDir(join(src, 'fake-model-2024'), m);
    expect(await detectModelsInDir(src, manifest)).toEqual(['fake']);
    const r = await importModel(join(dir, 'data'), 'fake', src, { manifest });
    expect(r.source).toBe(join(src, 'fake-model-2024'));
    expect(r.copied).toEqual(['enc.onnx', 'tokens.txt']);
    expect(readdirSync(modelDir(join(dir, 'data'), 'fake'))).toEqual(['enc.onnx', 'tokens.txt']);
  });
});

describe('pullModel', () => {
  let srv: FileServer;
  beforeAll(async () => {
    srv = await startFileServer({});
  });
  afterAll(async () => {
    await srv.close();
  });
  beforeEach(() => {
    for (const k of Object.keys(srv.routes)) delete srv.routes[k];
    srv.requests.length = 0;
  });

  const mirrors = (): Mirror[] => [
    { name: 'global', region: 'global', baseUrl: `${srv.url}/global` },
    { name: 'cn', region: 'cn', baseUrl: `${srv.url}/cn/` },
  ];

  it('orders mirrors by the preferred region', () => {
    const ms = mirrors();
    expect(orderMirrors(ms, 'cn').map((x) => x.name)).toEqual(['cn', 'global']);
    expect(orderMirrors(ms, undefined).map((x) => x.name)).toEqual(['global', 'cn']);
  });

  it('downloads from the first mirror that works, then skips verified files', async () => {
    const m = fakeModel('fake', { 'enc.onnx': 50_000, 'tokens.txt': 300 }, mirrors());
    const manifest = manifestOf(m.entry);
    // global is down (404); cn serves the files.
    for (const [name, body] of Object.entries(m.content)) srv.routes[`/cn/${name}`] = { body };
    const notes: string[] = [];
    const progress: string[] = [];
    const data = join(dir, 'data');
    const r = await pullModel(data, 'fake', {
      manifest,
      env: {},
      onNote: (l) => notes.push(l),
      onProgress: (p) => progress.push(`${p.file}:${p.received}/${p.total}@${p.mirror}`),
    });
    expect(r.downloaded).toEqual(['enc.onnx', 'tokens.txt']);
    expect(r.mirrors).toEqual(['cn']);
    expect(notes.join('\n')).toMatch(/global: enc.onnx failed: HTTP 404/);
    expect(progress).toContain('enc.onnx:50000/50000@cn');
    expect((await requireVerifiedModel(data, 'fake', manifest)).dir).toBe(modelDir(data, 'fake'));

    srv.requests.length = 0;
    const again = await pullModel(data, 'fake', { manifest, env: {} });
    expect(again).toMatchObject({ downloaded: [], skipped: ['enc.onnx', 'tokens.txt'] });
    expect(srv.requests).toHaveLength(0);
  });

  it('prefers the cn mirror with LIVESLICE_MIRROR=cn, and resumes a cut download', async () => {
    const m = fakeModel('fake', { 'enc.onnx': 200_000 }, mirrors());
    const manifest = manifestOf(m.entry);
    srv.routes['/global/enc.onnx'] = { body: m.content['enc.onnx']! };
    srv.routes['/cn/enc.onnx'] = { body: m.content['enc.onnx']!, cutAt: 70_000 };
    const data = join(dir, 'data');
    const first = await pullModel(data, 'fake', {
      manifest,
      env: { LIVESLICE_MIRROR: 'cn' },
    }).then(
      () => 'ok',
      (e: unknown) => e,
    );
    // cn was cut short, global finished it by resuming the same .part.
    expect(first).toBe('ok');
    expect(srv.requests.map((q) => q.path)).toEqual(['/cn/enc.onnx', '/global/enc.onnx']);
    expect(srv.requests[0]?.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(srv.requests[1]?.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThan(200_000);
  });

  it('fails with a clear error when every mirror sends a wrong file', async () => {
    const m = fakeModel('fake', { 'enc.onnx': 1000 }, mirrors());
    const manifest = manifestOf(m.entry);
    const wrong = Buffer.from(m.content['enc.onnx']!);
    wrong[0] = wrong[0]! ^ 1;
    srv.routes['/global/enc.onnx'] = { body: wrong };
    srv.routes['/cn/enc.onnx'] = { body: wrong };
    const e = (await pullModel(join(dir, 'data'), 'fake', { manifest, mirror: 'global' }).catch(
      (x: unknown) => x,
    )) as ModelError;
    expect(e).toBeInstanceOf(ModelError);
    expect(e.kind).toBe('download_failed');
    expect(e.message).toMatch(/global: enc.onnx: .*wrong file.*; cn: enc.onnx: .*wrong file/);
    expect(e.message).toMatch(/liveslice models import fake <dir>/);
    expect(existsSync(join(modelDir(join(dir, 'data'), 'fake'), 'enc.onnx'))).toBe(false);
  });

  const haveTar =
    spawnSync('tar', ['--version']).status === 0 && spawnSync('bzip2', ['--help']).status === 0;
  it.skipIf(missing(!haveTar && 'no system tar with bzip2 support to unpack archive mirrors'))(
    'pulls a .tar.bz2 archive mirror and installs only verified files',
    async () => {
      const m = fakeModel('fake', { 'enc.onnx': 30_000, 'tokens.txt': 200 }, [
        {
          name: 'release',
          region: 'global',
          baseUrl: `${srv.url}/rel`,
          archive: { file: 'fake-1.tar.bz2', root: 'fake-1' },
        },
      ]);
      const manifest = manifestOf(m.entry);
      const build = join(dir, 'build');
      writeModelDir(join(build, 'fake-1'), m);
      writeFileSync(join(build, 'fake-1', 'README.md'), 'extra file, not installed');
      const tar = spawnSync('tar', ['-cjf', join(dir, 'fake-1.tar.bz2'), '-C', build, 'fake-1']);
      expect(tar.status).toBe(0);
      srv.routes['/rel/fake-1.tar.bz2'] = { body: readFileSync(join(dir, 'fake-1.tar.bz2')) };
      const data = join(dir, 'data');
      const r = await pullModel(data, 'fake', { manifest, env: {} });
      expect(r.downloaded.sort()).toEqual(['enc.onnx', 'tokens.txt']);
      expect(readdirSync(modelDir(data, 'fake')).sort()).toEqual(['enc.onnx', 'tokens.txt']);
      expect(statSync(join(modelDir(data, 'fake'), 'enc.onnx')).size).toBe(30_000);
      // The archive and the staging directory are cleaned up.
      expect(readdirSync(join(data, 'models', '.downloads'))).toEqual([]);
    },
  );
});
