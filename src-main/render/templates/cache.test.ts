/**
 * The template cache with real ffmpeg: prepare once and reuse, compose with the shared encode
 * params, hostile product text, missing inputs, corrupt entries, cancel, and the stream-copy join.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG } from '../../testing/media';
import { missing } from '../../testing/skip';
import { TemplateCache } from './cache';
import { buildCardAss } from './card-ass';
import { composeClip, concatMismatches, type PieceStream } from './concat';
import defaultJson from './default.json';
import { makeBody, makeProductImage } from './fixtures';
import { builtInTemplate, type LoadedTemplate, loadTemplate, TemplateError } from './schema';

const FFPROBE = FFMPEG === null ? null : path.join(path.dirname(FFMPEG), 'ffprobe');
function why(): string | null {
  if (FFMPEG === null)
    return 'ffmpeg is not installed (apt-get install ffmpeg): the template cache tests need it';
  if (FFPROBE === null || !fs.existsSync(FFPROBE))
    return `ffprobe is not installed beside ${FFMPEG}`;
  const filters = execFileSync(FFMPEG, ['-hide_banner', '-filters'], { encoding: 'utf8' });
  if (!/\sass\s/.test(filters)) return `${FFMPEG} was built without libass (no "ass" filter)`;
  return null;
}
const SKIP = missing(why());
const SLOW = 90_000;

interface Probe {
  streams: Array<PieceStream & { nb_read_frames?: string; duration?: string }>;
  format: { duration: string; tags?: Record<string, string> };
}

function probe(file: string, countFrames = false): Probe {
  const out = execFileSync(
    FFPROBE!,
    [
      '-v',
      'error',
      ...(countFrames ? ['-count_frames'] : []),
      '-show_streams',
      '-show_format',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as Probe;
}

const video = (p: Probe): Probe['streams'][number] =>
  p.streams.find((s) => s.codec_type === 'video')!;
const audio = (p: Probe): Probe['streams'][number] | undefined =>
  p.streams.find((s) => s.codec_type === 'audio');

/** Decodes the whole file; returns ffmpeg's error output ('' when it decodes cleanly). */
function decodeErrors(file: string): string {
  const r = spawnSync(FFMPEG!, ['-v', 'error', '-i', file, '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stderr.trim() : `exit ${r.status}: ${r.stderr}`;
}

/** Files a crash or cancel could leave behind. */
function leftovers(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter(
    (n) =>
      n.includes('.part') ||
      path.basename(n).startsWith('.work-') ||
      path.basename(n).startsWith('.concat-'),
  );
}

describe.skipIf(SKIP)('TemplateCache with ffmpeg', () => {
  let tmp = '';
  let image = '';
  let body = '';
  const ffmpeg = FFMPEG!;
  const template = builtInTemplate();

  function newCache(dataDir: string, runs: string[] = []): TemplateCache {
    return new TemplateCache({ dataDir, ffmpeg, threads: 1, onRun: (w) => runs.push(w) });
  }

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'liveslice-templates-'));
    image = path.join(tmp, 'product.jpg');
    await makeProductImage(ffmpeg, image, 600);
    body = path.join(tmp, 'body.mp4');
    await makeBody(ffmpeg, body, { seconds: 4, threads: 1, title: 'Body title' });
  }, SLOW);
  afterAll(() => {
    if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(
    'prepares the base once and reuses it in this process and after a restart',
    async () => {
      const data = path.join(tmp, 'prepare');
      const runs: string[] = [];
      const cache = newCache(data, runs);
      const p1 = await cache.prepare(template);
      expect(p1.built).toBe(true);
      expect(runs).toHaveLength(3); // the built-in logo, the intro base, the outro base
      expect(p1.dir).toBe(path.join(data, 'cache', 'templates', p1.hash));
      const files = [p1.intro!.file, p1.outro!.file, p1.watermark!.file];
      const mtimes = files.map((f) => fs.statSync(f).mtimeMs);

      const p2 = await cache.prepare(template);
      expect(p2.built).toBe(false);
      expect(runs).toHaveLength(3);

      const restartRuns: string[] = [];
      const p3 = await newCache(data, restartRuns).prepare(template);
      expect(p3.built).toBe(false);
      expect(restartRuns).toEqual([]);
      expect(p3.hash).toBe(p1.hash);
      expect(files.map((f) => fs.statSync(f).mtimeMs)).toEqual(mtimes);
      expect(leftovers(data)).toEqual([]);

      const base = probe(p1.intro!.file, true);
      expect(video(base)).toMatchObject({ width: 720, height: 1280, nb_read_frames: '75' });
      expect(audio(base)).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
      expect(p1.watermark).toMatchObject({ corner: 'top-right', opacity: 0.8 });
      expect(fs.statSync(p1.watermark!.file).size).toBeLessThan(50_000);

      // Different content → a different hash and entry; the same content → the same hash.
      const t2: LoadedTemplate = {
        ...template,
        template: { ...template.template, intro: { ...template.template.intro!, durationS: 2 } },
      };
      expect(await cache.templateHash(t2)).not.toBe(p1.hash);
      expect(await cache.templateHash(builtInTemplate())).toBe(p1.hash);
    },
    SLOW,
  );

  it(
    'composes pieces with the shared encode params that join a body by stream copy',
    async () => {
      const data = path.join(tmp, 'compose');
      const runs: string[] = [];
      const cache = newCache(data, runs);
      await cache.prepare(template);
      runs.length = 0;
      const product = { name: '限时特价 Wireless earbuds', price: '¥99.00', image };
      const c = await cache.compose(template, product);
      expect(c.cached).toBe(false);
      expect(runs).toHaveLength(2); // intro + outro, nothing re-prepared

      const intro = probe(c.intro!, true);
      const outro = probe(c.outro!, true);
      const bodyProbe = probe(body);
      expect(video(intro)).toMatchObject({
        codec_name: 'h264',
        profile: 'High',
        width: 720,
        height: 1280,
        pix_fmt: 'yuv420p',
        r_frame_rate: '30/1',
        time_base: '1/15360',
        nb_read_frames: '75',
      });
      expect(Number(intro.format.duration)).toBeCloseTo(2.5, 1);
      expect(video(outro).nb_read_frames).toBe('60');
      expect(audio(intro)).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
      // Same stream parameters as a body rendered with the shared params: concat copy is valid.
      expect(
        concatMismatches([
          { name: 'body', streams: bodyProbe.streams },
          { name: 'intro', streams: intro.streams },
          { name: 'outro', streams: outro.streams },
        ]),
      ).toEqual([]);

      // The same product again: from the cache, no encode.
      const again = await cache.compose(template, product);
      expect(again.cached).toBe(true);
      expect(again.intro).toBe(c.intro);
      expect(runs).toHaveLength(2);
      expect(again.ms).toBeLessThan(1000);
      // Another price is another product.
      const cheaper = await cache.compose(template, { ...product, price: '¥79.00' });
      expect(cheaper.cached).toBe(false);
      expect(cheaper.productHash).not.toBe(c.productHash);

      const out = path.join(tmp, 'out dir', "it's a clip.mp4");
      const joined = await composeClip({ ffmpeg, body, intro: c.intro, outro: c.outro, out });
      expect(joined.checked).toBe(true);
      const p = probe(out, true);
      expect(Number(p.format.duration)).toBeGreaterThan(8.5 - 0.1);
      expect(Number(p.format.duration)).toBeLessThan(8.5 + 0.1);
      expect(video(p)).toMatchObject({
        width: 720,
        height: 1280,
        nb_read_frames: String(75 + 120 + 60),
      });
      expect(audio(p)).toBeDefined();
      expect(p.format.tags?.['title']).toBe('Body title');
      expect(decodeErrors(out)).toBe('');
      // +faststart: the index comes before the media data.
      const head = fs.readFileSync(out);
      expect(head.indexOf('moov')).toBeGreaterThan(0);
      expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat'));
      expect(leftovers(path.dirname(out))).toEqual([]);
      expect(leftovers(data)).toEqual([]);
    },
    SLOW,
  );

  it(
    'hostile product names and prices compose without breaking anything',
    async () => {
      const cache = newCache(path.join(tmp, 'hostile'));
      const products = [
        {
          name: '{\\b1}Bold?{\\fs200} "quotes" \'single\': colons; semi, comma [x] 100% %{pts}\n2nd line\\N 🔥👍🏽',
          price: "{\\an5}¥1'2:3%",
        },
        { name: 'x'.repeat(10_240), price: 19.9 },
        { name: "'; drawtext=text=pwned:x=0 [out] ,\\", price: '\u0000\u001b[31m$5\r\n' },
      ];
      for (const product of products) {
        const c = await cache.compose(template, { ...product, image });
        const p = probe(c.intro!);
        expect(video(p)).toMatchObject({ width: 720, height: 1280 });
        expect(Number(p.format.duration)).toBeCloseTo(2.5, 1);
        expect(decodeErrors(c.outro!)).toBe('');
      }
    },
    SLOW,
  );

  it(
    'libass draws override blocks and escapes in product text literally',
    async () => {
      const dir = fs.mkdtempSync(path.join(tmp, 'pixels-'));
      /** Height and width (px) of what a one-box card draws on black. */
      const drawn = (text: string): { rows: number; cols: number } => {
        fs.writeFileSync(
          path.join(dir, 't.ass'),
          buildCardAss({
            width: 720,
            height: 400,
            font: 'Sans',
            durationS: 1,
            boxes: [
              {
                x: 20,
                y: 100,
                w: 680,
                size: 40,
                color: '#ffffff',
                align: 'left',
                bold: false,
                text,
                maxChars: 100,
                maxLines: 3,
                fadeInMs: 0,
              },
            ],
          }),
        );
        const raw = execFileSync(
          ffmpeg,
          [
            '-v',
            'error',
            '-f',
            'lavfi',
            '-i',
            'color=c=black:s=720x400:r=1:d=1',
            '-vf',
            'ass=filename=t.ass,format=gray',
            '-frames:v',
            '1',
            '-f',
            'rawvideo',
            '-',
          ],
          { cwd: dir },
        );
        let top = -1;
        let bottom = -1;
        let left = 720;
        let right = -1;
        for (let y = 0; y < 400; y++) {
          for (let x = 0; x < 720; x++) {
            if (raw[y * 720 + x]! > 128) {
              if (top < 0) top = y;
              bottom = y;
              left = Math.min(left, x);
              right = Math.max(right, x);
            }
          }
        }
        return { rows: top < 0 ? 0 : bottom - top + 1, cols: right < 0 ? 0 : right - left + 1 };
      };
      const plain = drawn('Xb');
      expect(plain.rows).toBeGreaterThan(10);
      // \fs200 would draw a glyph five times taller.
      expect(drawn('{\\fs200}Xb').rows).toBeLessThan(plain.rows * 1.6);
      // \N would start a second line.
      expect(drawn('X\\Nb').rows).toBeLessThan(plain.rows * 1.6);
      // An alpha override would make the text invisible; literally it is wider than "Xb".
      const alpha = drawn('{\\alpha&HFF&}Xb');
      expect(alpha.rows).toBeGreaterThan(10);
      expect(alpha.cols).toBeGreaterThan(plain.cols * 3);
    },
    SLOW,
  );

  it(
    'a missing product image is an error naming the file, before any encode',
    async () => {
      const runs: string[] = [];
      const cache = newCache(path.join(tmp, 'missing'), runs);
      await cache.prepare(template);
      runs.length = 0;
      const gone = path.join(tmp, 'no such dir', 'gone.png');
      await expect(cache.compose(template, { name: 'A', price: '1', image: gone })).rejects.toThrow(
        `Product image not found: ${gone}`,
      );
      expect(runs).toEqual([]);
      const notImage = path.join(tmp, 'not-an-image.png');
      fs.writeFileSync(notImage, 'this is text');
      await expect(
        cache.compose(template, { name: 'A', price: '1', image: notImage }),
      ).rejects.toThrow(`(product image: ${notImage})`);
      await expect(
        cache.compose(template, { name: 'A', price: { v: 1 } as unknown as string }),
      ).rejects.toThrow(/Product is not valid: price/);
    },
    SLOW,
  );

  it(
    'a corrupt or partial cache entry is detected and rebuilt',
    async () => {
      const data = path.join(tmp, 'corrupt');
      const p = await newCache(data).prepare(template);
      const good = fs.readFileSync(p.intro!.file);

      // Same size, different bytes (bit rot), seen by a fresh process.
      const fd = fs.openSync(p.intro!.file, 'r+');
      fs.writeSync(fd, Buffer.alloc(4096, 0xaa), 0, 4096, Math.floor(good.length / 2));
      fs.closeSync(fd);
      let runs: string[] = [];
      const rebuilt = await newCache(data, runs).prepare(template);
      expect(rebuilt.built).toBe(true);
      expect(runs.length).toBeGreaterThan(0);
      expect(decodeErrors(rebuilt.intro!.file)).toBe('');

      // A crash before the manifest was written: the entry is partial.
      fs.rmSync(path.join(p.dir, 'manifest.json'));
      runs = [];
      const cache = newCache(data, runs);
      expect((await cache.prepare(template)).built).toBe(true);

      // Truncated while this process has it verified in memory.
      fs.truncateSync(p.outro!.file, 1000);
      expect((await cache.prepare(template)).built).toBe(true);
      expect(fs.statSync(p.outro!.file).size).toBeGreaterThan(1000);

      // A composed piece that was cut short is composed again.
      const product = { name: 'Mug', price: '$5', image };
      const c = await cache.compose(template, product);
      fs.truncateSync(c.intro!, 500);
      runs = [];
      const again = await newCache(data, runs).compose(template, product);
      expect(again.cached).toBe(false);
      expect(runs).toHaveLength(2);
      expect(decodeErrors(again.intro!)).toBe('');
      expect(leftovers(data)).toEqual([]);
    },
    SLOW,
  );

  it(
    'uses template files (background image, music, logo); a missing one names the field',
    async () => {
      const dir = path.join(tmp, 'shop');
      fs.mkdirSync(dir);
      await makeProductImage(ffmpeg, path.join(dir, 'bg.png'), 300);
      await makeProductImage(ffmpeg, path.join(dir, 'logo.png'), 64);
      execFileSync(ffmpeg, [
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=300:duration=5',
        path.join(dir, 'music.wav'),
      ]);
      const j = structuredClone(defaultJson) as Record<string, unknown> & typeof defaultJson;
      const intro = {
        ...j.intro,
        background: { image: 'bg.png' },
        music: 'music.wav',
        brand: { ...j.intro.brand, logo: 'logo.png' },
      };
      fs.writeFileSync(
        path.join(dir, 'shop.json'),
        JSON.stringify({
          ...j,
          name: 'Shop',
          intro,
          overlay: { logo: 'logo.png', corner: 'bottom-left', opacity: 0.5 },
        }),
      );
      const t = loadTemplate(path.join(dir, 'shop.json'));
      const cache = newCache(path.join(tmp, 'shop-data'));
      const p = await cache.prepare(t);
      expect(p.watermark).toEqual({
        file: path.join(dir, 'logo.png'),
        corner: 'bottom-left',
        opacity: 0.5,
      });
      const vol = spawnSync(
        ffmpeg,
        ['-i', p.intro!.file, '-af', 'volumedetect', '-vn', '-f', 'null', '-'],
        { encoding: 'utf8' },
      );
      const max = Number(/max_volume: (-?[\d.]+) dB/.exec(vol.stderr)?.[1]);
      expect(max).toBeGreaterThan(-40); // the music is there (silence is about -91 dB)
      const c = await cache.compose(t, { name: 'Shop item', price: '$1', image });
      expect(decodeErrors(c.intro!)).toBe('');

      // Changing an asset's bytes changes the hash.
      await makeProductImage(ffmpeg, path.join(dir, 'bg.png'), 320);
      expect(await newCache(path.join(tmp, 'shop-data')).templateHash(t)).not.toBe(p.hash);

      fs.rmSync(path.join(dir, 'music.wav'));
      const err = await newCache(path.join(tmp, 'shop-data'))
        .prepare(t)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as Error).message).toContain(
        `intro.music: file not found: ${path.join(dir, 'music.wav')}`,
      );
    },
    SLOW,
  );

  it(
    'concurrent composes share one encode; cancelling kills ffmpeg and leaves nothing partial',
    async () => {
      const data = path.join(tmp, 'cancel');
      const runs: string[] = [];
      const cache = newCache(data, runs);
      await cache.prepare(template);
      runs.length = 0;

      const product = { name: 'Shared', price: '1', image };
      const [a, b] = await Promise.all([
        cache.compose(template, product),
        cache.compose(template, product),
      ]);
      expect(runs).toHaveLength(2); // one intro + one outro for both callers
      expect(a.intro).toBe(b.intro);
      expect(decodeErrors(a.intro!)).toBe('');

      // The only waiter cancels while ffmpeg runs: it is stopped and nothing partial remains.
      const solo = new AbortController();
      let spawned = 0;
      const c2 = new TemplateCache({
        dataDir: data,
        ffmpeg,
        threads: 1,
        // Called just before each spawn; abort once the spawn has happened.
        onRun: () => {
          spawned++;
          setImmediate(() => solo.abort());
        },
      });
      const err = await c2
        .compose(template, { name: 'Cancelled', price: '2', image }, { signal: solo.signal })
        .catch((e: unknown) => e);
      expect(spawned).toBeGreaterThan(0);
      expect(String(err)).toMatch(/abort/i);
      expect(leftovers(data)).toEqual([]);
      // Composing it again works, and nothing was cached by the cancelled run.
      const fresh = await newCache(data).compose(template, {
        name: 'Cancelled',
        price: '2',
        image,
      });
      expect(fresh.cached).toBe(false);
      expect(decodeErrors(fresh.intro!)).toBe('');
    },
    SLOW,
  );
});
