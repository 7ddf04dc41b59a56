/**
 * Clip styling and labels on a real (fake) DVR with real ffmpeg: the punch-in zoom (magnified in
 * its range only, no jump where a piece boundary falls inside it), the visible AI label and the
 * metadata (AIGC, tags, copyright) as ffprobe reads them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import { AIGC_COMMENT, type PunchIn, punchInZoomAt } from './args';
import { DEFAULT_AI_LABEL, styleGeometry } from './ass';
import { type ClipSpec, ClipRender, RenderError, type RenderResult } from './clip-render';
import { FPS, softwareEncoder } from './encode';
import { type FakeDvr, makeFakeDvr } from './fake-dvr';
import { renderClip } from './render-once';
import { inspectClip } from './verify';

const FFPROBE = FFMPEG === null ? null : path.join(path.dirname(FFMPEG), 'ffprobe');
const W = 720;
const H = 1280;

/** Every frame of a clip as small gray pictures (after an optional filter on the full frame). */
function grayFrames(file: string, size: [number, number], vf = ''): Buffer[] {
  const [w, h] = size;
  const raw = execFileSync(
    FFMPEG!,
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      `${vf}${vf ? ',' : ''}scale=${w}:${h}:flags=area`,
      '-pix_fmt',
      'gray',
      '-f',
      'rawvideo',
      '-',
    ],
    { maxBuffer: 256 << 20 },
  );
  const out: Buffer[] = [];
  for (let o = 0; o + w * h <= raw.length; o += w * h) out.push(raw.subarray(o, o + w * h));
  return out;
}

/** Mean absolute difference of two gray pictures (0..255). */
function mad(a: Buffer, b: Buffer): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Mean absolute difference inside a rectangle of two full-size gray frames. */
function madIn(
  a: Buffer,
  b: Buffer,
  width: number,
  r: { x: number; y: number; w: number; h: number },
): number {
  let sum = 0;
  for (let y = r.y; y < r.y + r.h; y++)
    for (let x = r.x; x < r.x + r.w; x++) sum += Math.abs(a[y * width + x]! - b[y * width + x]!);
  return sum / (r.w * r.h);
}

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))('clip styling (real ffmpeg)', () => {
  const ffmpeg = FFMPEG!;
  const ffprobe = FFPROBE!;
  let root: string;
  let dvr: FakeDvr;
  let n = 0;

  // A 10 s window: with 2 threads it is encoded as two pieces of 150 frames (boundary at 7.0 s),
  // with 1 thread as one piece.
  const START = 2;
  const END = 12;
  const BOUNDARY = START + 150 / FPS;
  // Its ease-in (6.9–7.2 s) straddles the piece boundary.
  const PUNCH: PunchIn = { from: 6.9, to: 10, zoom: 1.5 };
  const frameAt = (t: number): number => Math.round((t - START) * FPS);

  function spec(over: Partial<ClipSpec> = {}): ClipSpec {
    const outDir = path.join(root, `clips${n++}`);
    return {
      id: `s${n}`,
      outFile: path.join(outDir, 'clip.mp4'),
      sessionDir: dvr.sessionDir,
      start: START,
      output: '720x1280',
      reframe: { mode: 'center' },
      captions: null,
      title: null,
      watermark: null,
      intro: null,
      outro: null,
      metadata: { title: 'styled' },
      loudness: null,
      encoder: softwareEncoder(2),
      threads: 2,
      ffmpeg,
      ...over,
    };
  }

  const render = (over: Partial<ClipSpec> = {}, end = END): Promise<RenderResult> =>
    renderClip({ ...spec(over), end, segments: dvr.rows, cues: [] });

  let plain: RenderResult;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'liveslice-style-'));
    // testsrc: bar edges and a band off the centre of the 9:16 crop, which a zoom pushes outwards.
    dvr = await makeFakeDvr(ffmpeg, path.join(root, 'sessions', 's1'), [
      { seconds: 14, size: '1280x720', pattern: 'testsrc' },
    ]);
    plain = await render();
  }, 180_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('punch-in: the centre is magnified inside the range and the picture is untouched outside it', async () => {
    const zoomed = await render({ punchIn: PUNCH });
    expect(zoomed.pieces).toBe(2);
    const facts = await inspectClip(ffprobe, zoomed.file);
    expect(facts.video).toMatchObject({ width: W, height: H, frames: 300 });

    const size: [number, number] = [90, 160];
    const z = grayFrames(zoomed.file, size);
    const p = grayFrames(plain.file, size);
    // What the unzoomed picture looks like magnified 1.5× on its centre.
    const cw = Math.floor(W / PUNCH.zoom);
    const ch = Math.floor(H / PUNCH.zoom);
    const magnified = grayFrames(plain.file, size, `crop=${cw}:${ch}`);
    expect(z).toHaveLength(300);

    const inside = frameAt(8.5);
    expect(punchInZoomAt(PUNCH, 8.5)).toBe(1.5);
    const toMagnified = mad(z[inside]!, magnified[inside]!);
    const toPlain = mad(z[inside]!, p[inside]!);
    expect(toPlain).toBeGreaterThan(8);
    expect(toMagnified).toBeLessThan(toPlain / 3);

    for (const t of [4, 11]) {
      const k = frameAt(t);
      const same = mad(z[k]!, p[k]!);
      expect(same).toBeLessThan(2.5);
      expect(same).toBeLessThan(mad(z[k]!, magnified[k]!) / 3);
    }
  }, 120_000);

  it('punch-in: a piece boundary inside the range makes no jump (same frames as one piece)', async () => {
    const [twoPieces, onePiece] = await Promise.all([
      render({ punchIn: PUNCH }),
      render({ punchIn: PUNCH, threads: 1, encoder: softwareEncoder(1) }),
    ]);
    expect(twoPieces.pieces).toBe(2);
    expect(onePiece.pieces).toBe(1);
    const size: [number, number] = [90, 160];
    const a = grayFrames(twoPieces.file, size);
    const b = grayFrames(onePiece.file, size);
    const p = grayFrames(plain.file, size);
    const k = frameAt(BOUNDARY);
    // The ease is under way at the boundary: the zoom there is neither 1 nor the target.
    expect(punchInZoomAt(PUNCH, BOUNDARY)).toBeGreaterThan(1.05);
    expect(punchInZoomAt(PUNCH, BOUNDARY)).toBeLessThan(1.45);
    for (let i = k - 6; i <= k + 15; i++) expect(mad(a[i]!, b[i]!)).toBeLessThan(2);
    // ... and it is zoomed there (an encode difference alone would not tell).
    expect(mad(a[k + 10]!, p[k + 10]!)).toBeGreaterThan(6);
  }, 180_000);

  it('AI label: visible bottom-left, AIGC tag with valid JSON, comment, tags and copyright in the MP4', async () => {
    const r = await render({
      aiLabel: { text: '  ' },
      metadata: {
        title: '最后三分钟 — AI',
        copyright: '© 2025 Shop 小店',
        tags: ['sale', 'AI生成'],
        keywords: 'live',
        comment: 'made by the generation engine',
        aigc: {
          producer: 'LiveSlice 生成引擎',
          produceId: 'gen-7f3a',
          propagator: 'Shop "小店"',
          propagateId: 'clip-1',
        },
      },
    });
    const facts = await inspectClip(ffprobe, r.file);
    expect(facts.faststart).toBe(true);
    expect(facts.tags['title']).toBe('最后三分钟 — AI');
    expect(facts.tags['copyright']).toBe('© 2025 Shop 小店');
    expect(facts.tags['keywords']).toBe('live,sale,AI生成');
    expect(facts.tags['comment']).toContain(AIGC_COMMENT);
    expect(facts.tags['comment']).toContain('made by the generation engine');
    const aigc = JSON.parse(facts.tags['aigc']!) as Record<string, string>;
    expect(Object.keys(aigc)).toEqual([
      'Label',
      'ContentProducer',
      'ProduceID',
      'ReservedCode1',
      'ContentPropagator',
      'PropagateID',
      'ReservedCode2',
    ]);
    expect(aigc).toMatchObject({
      Label: '1',
      ContentProducer: 'LiveSlice 生成引擎',
      ProduceID: 'gen-7f3a',
      ContentPropagator: 'Shop "小店"',
      PropagateID: 'clip-1',
    });

    // The label's box differs from the unlabelled render; the rest of the frame does not.
    const full: [number, number] = [W, H];
    const k = frameAt(5);
    const labelled = grayFrames(r.file, full, `select=eq(n\\,${k})`)[0]!;
    const unlabelled = grayFrames(plain.file, full, `select=eq(n\\,${k})`)[0]!;
    const g = styleGeometry(W, H, 'clean');
    const labelBox = {
      x: g.labelMarginH,
      y: H - g.labelMarginV - g.labelSize,
      w: 6 * g.labelSize,
      h: g.labelSize,
    };
    expect(madIn(labelled, unlabelled, W, labelBox)).toBeGreaterThan(20);
    expect(madIn(labelled, unlabelled, W, { x: 360, y: 40, w: 320, h: 300 })).toBeLessThan(3);
    expect(DEFAULT_AI_LABEL).toContain('AI');
  }, 120_000);

  it('a hostile label text renders without breaking ffmpeg', async () => {
    const r = await render(
      { aiLabel: { text: "{\\b1}bold\\N: it's %{pts} [x];,=\\" }, title: "t: '%{pts}'" },
      5,
    );
    const facts = await inspectClip(ffprobe, r.file);
    expect(facts.video).toMatchObject({ width: W, height: H, frames: 90 });
    expect(readdirSync(path.dirname(r.file))).toEqual(['clip.mp4']);
  }, 60_000);

  it.each<[string, Partial<ClipSpec>, string]>([
    ['a zoom past 2', { punchIn: { from: 3, to: 5, zoom: 2.5 } }, 'punchIn.zoom'],
    ['a zoom of 1', { punchIn: { from: 3, to: 5, zoom: 1 } }, 'punchIn.zoom'],
    ['a range that ends first', { punchIn: { from: 5, to: 3, zoom: 1.2 } }, 'punchIn.to'],
    [
      'an AIGC label without a producer',
      { metadata: { aigc: { producer: ' ', produceId: 'x' } } },
      'aigc.producer',
    ],
  ])('refuses %s before encoding anything', (_name, over, field) => {
    let err: unknown = null;
    try {
      new ClipRender({ ...spec(over), end: 5 }).cancel();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RenderError);
    expect((err as RenderError).code).toBe('bad_spec');
    expect((err as Error).message).toContain(field);
  });
});
