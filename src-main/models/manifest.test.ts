import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBytes, getManifest, loadManifestFile, parseManifest, totalBytes } from './manifest';
import { KWS_ID, KWS_SHARED_DIR } from './testFixtures';

const MANIFEST_PATH = join(__dirname, '..', '..', 'models', 'manifest.json');
const ZH_EN_SOURCE = join(KWS_SHARED_DIR, '..', 'sherpa-onnx-zh-en-test-wavs', 'SOURCE.md');
/** Models with no copy in ../shared/models: their sizes and sha256 come from public pins, listed in models/README.md. */
const PINNED_IN_README = new Set(['sense-voice-zh-en-ja-ko-yue-2024-07-17']);

describe('models/manifest.json', () => {
  it('parses, and the bundled copy is the file on disk', () => {
    expect(loadManifestFile(MANIFEST_PATH)).toEqual(getManifest());
  });

  it('has the supported models', () => {
    expect(getManifest().models.map((m) => m.id)).toEqual([
      KWS_ID,
      'streaming-zipformer-bilingual-zh-en-2023-02-20-mobile',
      'streaming-zipformer-small-bilingual-zh-en-2023-02-16-mobile',
      'sense-voice-zh-en-ja-ko-yue-2024-07-17',
    ]);
  });

  it('gives every model at least one mirror, one of them in mainland China', () => {
    for (const m of getManifest().models) {
      expect(m.mirrors.length, m.id).toBeGreaterThanOrEqual(1);
      expect(
        m.mirrors.some((x) => x.region === 'cn'),
        `${m.id} has a cn mirror`,
      ).toBe(true);
      for (const x of m.mirrors) expect(x.baseUrl).toMatch(/^https:\/\//);
    }
  });

  it('carries the licence caveat of the KWS model', () => {
    const kws = getManifest().models.find((m) => m.id === KWS_ID)!;
    expect(kws.license.spdx).toBe('Apache-2.0');
    expect(kws.license.caveat).toMatch(/WenetSpeech.*non-commercial/);
    expect(totalBytes(kws)).toBe(3990821 + 675349 + 65242 + 1627);
  });

  it('matches the sizes and sha256 listed in the shared SOURCE.md files', () => {
    const sources = [join(KWS_SHARED_DIR, 'SOURCE.md'), ZH_EN_SOURCE].filter((p) => existsSync(p));
    if (sources.length === 0) {
      console.warn('skipping the SOURCE.md cross-check: ../shared/models is not on this machine');
      return;
    }
    const listed = new Map<string, Set<string>>();
    for (const p of sources) {
      for (const m of readFileSync(p, 'utf8').matchAll(/(\S+)\s+(\d+)\s+([0-9a-f]{64})/g)) {
        const set = listed.get(`${m[2]} ${m[3]}`) ?? new Set<string>();
        set.add(m[1]!);
        listed.set(`${m[2]} ${m[3]}`, set);
      }
      for (const m of readFileSync(p, 'utf8').matchAll(/(\d+)\s+([0-9a-f]{64})\s+(\S+)/g)) {
        const set = listed.get(`${m[1]} ${m[2]}`) ?? new Set<string>();
        set.add(m[3]!);
        listed.set(`${m[1]} ${m[2]}`, set);
      }
    }
    for (const model of getManifest().models) {
      if (PINNED_IN_README.has(model.id)) continue;
      for (const f of model.files) {
        const names = listed.get(`${f.bytes} ${f.sha256}`);
        expect(names, `${model.id}/${f.name}`).toBeDefined();
        expect([...(names ?? [])], `${model.id}/${f.name}`).toContain(f.name);
      }
    }
  });

  it('matches the SenseVoice pins that models/README.md documents (no shared copy exists)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'models', 'README.md'), 'utf8');
    for (const id of PINNED_IN_README) {
      const model = getManifest().models.find((m) => m.id === id)!;
      for (const f of model.files) {
        expect(readme, `${id}/${f.name}`).toContain(`${f.name} ${f.bytes} ${f.sha256}`);
      }
      const archive = model.mirrors.find((m) => m.archive)?.archive;
      expect(readme).toContain(`${archive!.file} ${archive!.bytes} ${archive!.sha256}`);
    }
  });

  it('rejects malformed manifests with the path of the problem', () => {
    const good = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as {
      models: { files: { sha256: string; name: string }[]; mirrors: { baseUrl: string }[] }[];
    };
    const bad = structuredClone(good);
    bad.models[0]!.files[0]!.sha256 = 'XYZ';
    expect(() => parseManifest(bad)).toThrow(/models\.0\.files\.0\.sha256/);
    const traversal = structuredClone(good);
    traversal.models[0]!.files[0]!.name = '../evil.onnx';
    expect(() => parseManifest(traversal)).toThrow(/plain file name/);
    const ftp = structuredClone(good);
    ftp.models[0]!.mirrors[0]!.baseUrl = 'ftp://example.com/x';
    expect(() => parseManifest(ftp)).toThrow(/http or https/);
  });

  it('formats sizes', () => {
    expect(formatBytes(1627)).toBe('1.6 KB');
    expect(formatBytes(105276499)).toBe('100 MB');
    expect(formatBytes(512)).toBe('512 B');
  });
});
