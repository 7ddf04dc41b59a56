import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearVerifyCache, getManifest } from '../models';
import {
  fakeModel,
  KWS_ID,
  KWS_SHARED_DIR,
  manifestOf,
  writeModelDir,
} from '../models/testFixtures';
import { startFileServer } from '../models/testServer';
import { runModels, type RunModelsOptions } from './models';
import { missing } from '../testing/skip';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-cli-models-'));
  clearVerifyCache();
  return () => rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[], extra: Partial<RunModelsOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runModels(argv, {
    dataDir: join(dir, 'data'),
    say: (l) => err.push(l),
    out: (l) => out.push(l),
    env: {},
    ...extra,
  });
  return { code, out: out.join('\n'), err: err.join('\n'), errLines: err };
}

const HAVE_KWS = existsSync(join(KWS_SHARED_DIR, 'tokens.txt'));

describe('liveslice models', () => {
  it('list: every model with kind, languages, size, status, licence and the KWS caveat', async () => {
    const r = await run(['list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ID\s+KIND\s+LANGUAGES\s+SIZE\s+STATUS\s+LICENCE$/m);
    expect(r.out).toMatch(
      new RegExp(
        `^${KWS_ID.replace(/\./g, '\\.')}\\s+kws\\s+zh\\s+4\\.5 MB\\s+missing\\s+Apache-2\\.0 \\(!\\)$`,
        'm',
      ),
    );
    expect(r.out).toMatch(
      /streaming-zipformer-bilingual-zh-en-2023-02-20-mobile\s+streaming-transducer\s+zh,en/,
    );
    expect(r.out).toMatch(/\(!\) kws-zh-wenetspeech-3\.3m-mobile: .*WenetSpeech.*non-commercial/);
    expect(existsSync(join(dir, 'data'))).toBe(false); // listing creates nothing
  });

  it('verify on an empty data directory exits 4 with one line per model', async () => {
    const r = await run(['verify']);
    expect(r.code).toBe(4);
    const n = getManifest().models.length;
    expect(r.out.split('\n')).toHaveLength(n);
    expect(r.out).toMatch(/^missing {2}kws-zh-wenetspeech-3\.3m-mobile: not installed$/m);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toMatch(
      new RegExp(`${n} of ${n} model\\(s\\) missing or corrupt.*liveslice models pull`),
    );
    expect((await run(['verify', KWS_ID])).code).toBe(4);
  });

  it.skipIf(
    missing(
      !HAVE_KWS &&
        'the KWS model is absent from ../shared/models/sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
    ),
  )('import of the real KWS model exits 0; verify then passes', async () => {
    const r = await run(['import', KWS_ID, KWS_SHARED_DIR]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Imported kws-zh-wenetspeech-3\.3m-mobile .*4 copied/);
    expect(r.out).toMatch(/Licence caveat \(kws-zh-wenetspeech-3\.3m-mobile\): .*non-commercial/);
    const v = await run(['verify', KWS_ID]);
    expect(v.code).toBe(0);
    expect(v.out).toBe(`ok       ${KWS_ID}`);
    expect((await run(['list'])).out).toMatch(
      /kws-zh-wenetspeech-3\.3m-mobile\s+kws\s+zh\s+4\.5 MB\s+installed/,
    );
    // Without an id the model is recognised by its files.
    rmSync(join(dir, 'data'), { recursive: true });
    const auto = await run(['import', KWS_SHARED_DIR]);
    expect(auto.code, auto.err).toBe(0);
    expect(auto.out).toMatch(/Imported kws-zh-wenetspeech-3\.3m-mobile/);
  });

  it('import of a bad file exits 4 with one line per problem; verify shows a corrupt model', async () => {
    const m = fakeModel('fake', { 'enc.onnx': 2000, 'tokens.txt': 30 });
    const manifest = manifestOf(m.entry);
    const src = join(dir, 'src');
    writeModelDir(src, m);
    writeFileSync(join(src, 'enc.onnx'), Buffer.alloc(2000));
    const r = await run(['import', 'fake', src], { manifest });
    expect(r.code).toBe(4);
    expect(r.errLines[0]).toMatch(/^ {2}enc\.onnx: hash: /);
    expect(r.errLines.at(-1)).toMatch(/Cannot import 'fake'.*nothing was installed/);

    writeModelDir(join(dir, 'data', 'models', 'fake'), m);
    writeFileSync(join(dir, 'data', 'models', 'fake', 'tokens.txt'), 'x');
    const v = await run(['verify'], { manifest });
    expect(v.code).toBe(4);
    expect(v.out).toMatch(/^corrupt {2}fake: tokens\.txt: .* is 1 B, expected 30 B/m);
  });

  it('pull downloads from a mirror, prints throttled progress and the caveat', async () => {
    const srv = await startFileServer({});
    try {
      const m = fakeModel('fake', { 'enc.onnx': 400_000, 'tokens.txt': 30 }, [
        { name: 'local-global', region: 'global', baseUrl: `${srv.url}/g` },
        { name: 'local-cn', region: 'cn', baseUrl: `${srv.url}/c` },
      ]);
      for (const [n, body] of Object.entries(m.content)) srv.routes[`/c/${n}`] = { body };
      const manifest = manifestOf(m.entry);
      const r = await run(['pull', 'fake', '--mirror', 'cn'], { manifest });
      expect(r.code, r.err).toBe(0);
      expect(srv.requests.every((q) => q.path.startsWith('/c/'))).toBe(true);
      expect(r.out).toMatch(/Installed fake .*2 downloaded from local-cn/);
      expect(r.out).toMatch(/Licence caveat \(fake\): test caveat/);
      // A fast local download fits in one 500 ms window: the start line and one progress line.
      expect(r.errLines.filter((l) => l.startsWith('  ')).length).toBeLessThanOrEqual(2);

      delete srv.routes['/c/enc.onnx'];
      rmSync(join(dir, 'data'), { recursive: true });
      const f = await run(['pull', 'fake'], { manifest });
      expect(f.code).toBe(4);
      expect(f.errLines.at(-1)).toMatch(
        /^liveslice models: Could not download 'fake' \(enc\.onnx\): .*HTTP 404/,
      );
    } finally {
      await srv.close();
    }
  });

  it('exits 2 with one line for bad arguments', async () => {
    const cases: [string[], RegExp][] = [
      [[], /a subcommand is needed/],
      [['frobnicate'], /unknown subcommand 'frobnicate'/],
      [['pull'], /pull needs exactly one model id/],
      [['pull', 'no-such-model'], /unknown model 'no-such-model'/],
      [['pull', KWS_ID, '--mirror', 'mars'], /--mirror must be cn or global/],
      [['list', '--mirror', 'cn'], /--mirror applies to pull only/],
      [['list', 'extra'], /list takes no arguments/],
      [['import', KWS_ID], /is not a directory/],
      [['import'], /import needs a directory/],
      [['verify', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.errLines, argv.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(re);
    }
  });

  it('--help prints the usage', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/liveslice models pull ID \[--mirror cn\|global\]/);
  });

  it('import [ID] DIR: a directory with no known model exits 4', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = await run(['import', empty]);
    expect(r.code).toBe(4);
    expect(r.errLines).toHaveLength(1);
    expect(r.err).toMatch(/holds no complete model/);
  });
});
