/**
 * The clip engine on a real (fake) DVR with real ffmpeg: every output checked with ffprobe.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveProcesses } from '../ffmpeg/run';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import { type Reframe } from './args';
import {
  ClipRender,
  type ClipSpec,
  type DvrSegment,
  RenderError,
  type RenderProgress,
} from './clip-render';
import { softwareEncoder } from './encode';
import { type FakeDvr, makeFakeDvr } from './fake-dvr';
import { renderClip } from './render-once';
import { inspectClip } from './verify';

const FFPROBE = FFMPEG === null ? null : path.join(path.dirname(FFMPEG), 'ffprobe');

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))('ClipRender (real ffmpeg)', () => {
  const ffmpeg = FFMPEG!;
  const ffprobe = FFPROBE!;
  let root: string;
  let dvr: FakeDvr;
  let dvr2: FakeDvr;
  let logo: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'liveslice-render-'));
    dvr = await makeFakeDvr(ffmpeg, path.join(root, 'sessions', 's1'), [{ seconds: 20 }]);
    // A reconnect: two runs, each with its own timestamps starting again.
    dvr2 = await makeFakeDvr(ffmpeg, path.join(root, 'sessions', 's2'), [
      { seconds: 5 },
      { seconds: 5, size: '480x360' },
    ]);
    logo = path.join(root, 'logo.png');
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=red@0.8:s=64x32,format=rgba',
      '-frames:v',
      '1',
      '-y',
      logo,
    ]);
  }, 120_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  let n = 0;
  function spec(over: Partial<ClipSpec> & { dvr?: FakeDvr } = {}): ClipSpec {
    const d = over.dvr ?? dvr;
    const outDir = path.join(root, `clips${n++}`);
    const { dvr: _d, ...rest } = over;
    return {
      id: `c${n}`,
      outFile: path.join(outDir, 'clip.mp4'),
      sessionDir: d.sessionDir,
      start: 2.3,
      output: '720x1280',
      reframe: { mode: 'center' },
      captions: { style: 'boxed' },
      title: 'Last 3 minutes: {\\b1}50% off!',
      watermark: null,
      intro: null,
      outro: null,
      metadata: { title: 'Hook: "quotes", commas', copyright: '© Shop', tags: ['sale', 'live'] },
      loudness: { I: -14, TP: -1.5, LRA: 11 },
      encoder: softwareEncoder(2),
      ffmpeg,
      ...rest,
    };
  }

  const cues = [
    { start: 2.0, end: 3.5, text: 'Hello, "world": 100% {\\b1}bold{\\b0}?' },
    { start: 3.6, end: 5.2, text: '最后三分钟！全场五折 😀' },
    { start: 5.3, end: 9.0, text: 'line one\nline two; [x] \\N not a break' },
  ];

  function leftovers(outFile: string): string[] {
    return readdirSync(path.dirname(outFile)).filter((f) => f !== path.basename(outFile));
  }

  async function expectGoodClip(file: string, windowS: number): Promise<void> {
    const facts = await inspectClip(ffprobe, file);
    expect(Math.abs(facts.durationS - windowS)).toBeLessThanOrEqual(0.1);
    expect(facts.video).toMatchObject({ codec: 'h264', width: 720, height: 1280 });
    expect(facts.video!.fps).toBeCloseTo(30, 1);
    expect(facts.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(Math.abs(facts.audio!.durationS! - windowS)).toBeLessThanOrEqual(0.1);
    expect(facts.faststart).toBe(true);
    expect(facts.tags['title']).toBeTruthy();
    expect(facts.tags['comment']).toContain('window');
  }

  it('renders a window: exact duration, 720×1280, H.264 + AAC, metadata, faststart, no temp files', async () => {
    const s = spec();
    const phases = new Set<string>();
    const r = await renderClip({
      ...s,
      end: 7.1,
      segments: dvr.rows,
      cues,
      onProgress: (p) => phases.add(p.phase),
    });
    await expectGoodClip(r.file, 4.8);
    const facts = await inspectClip(ffprobe, r.file);
    expect(facts.tags['title']).toBe('Hook: "quotes", commas');
    expect(facts.tags['copyright']).toBe('© Shop');
    expect(facts.tags['keywords']).toBe('sale,live');
    expect(facts.tags['comment']).toContain('session s1');
    expect(r.window.start).toBeCloseTo(2.3, 3);
    expect(r.window.end).toBeCloseTo(7.1, 1);
    expect(r.bytes).toBeGreaterThan(10_000);
    expect(r.encoder).toBe('libx264');
    expect([...phases]).toEqual(expect.arrayContaining(['encoding', 'muxing', 'done']));
    expect(leftovers(r.file)).toEqual([]);
  }, 60_000);

  it.each<[string, Reframe, boolean]>([
    ['blur with a watermark', { mode: 'blur' }, true],
    ['a crop box', { mode: 'box', x: 0.25, y: 0.1, w: 0.5, h: 0.8 }, false],
  ])(
    'reframes: %s',
    async (_name, reframe, withLogo) => {
      const r = await renderClip({
        ...spec({
          reframe,
          watermark: withLogo ? { file: logo, corner: 'top-right', opacity: 0.7 } : null,
          captions: { style: 'clean' },
        }),
        start: 10,
        end: 12.5,
        segments: dvr.rows,
        cues,
      });
      await expectGoodClip(r.file, 2.5);
    },
    60_000,
  );

  it('joins an intro (another x264 preset, with audio) and an outro (no audio) with -c copy', async () => {
    const intro = path.join(root, 'intro.mp4');
    const outro = path.join(root, 'outro.mp4');
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=720x1280:r=30',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=660:sample_rate=44100',
      '-t',
      '2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-x264-params',
      'repeat-headers=1',
      '-pix_fmt',
      'yuv420p',
      '-video_track_timescale',
      '15360',
      '-c:a',
      'aac',
      '-y',
      intro,
    ]);
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=green:s=720x1280:r=30',
      '-t',
      '1.5',
      ...softwareEncoder(2).args,
      '-video_track_timescale',
      '15360',
      '-y',
      outro,
    ]);
    const r = await renderClip({
      ...spec({ intro, outro }),
      start: 6,
      end: 9,
      segments: dvr.rows,
      cues,
    });
    expect(r.durationS).toBeCloseTo(6.5, 1);
    await expectGoodClip(r.file, 6.5);
    // Every frame decodes: the ultrafast intro's parameter sets differ from the body's.
    const errors = execFileSync(ffmpeg, ['-v', 'error', '-i', r.file, '-f', 'null', '-'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(errors).toBe('');
    const facts = await inspectClip(ffprobe, r.file);
    expect(facts.video!.frames).toBe(60 + 90 + 45);
  }, 60_000);

  it('a bookend of another size is refused', async () => {
    const small = path.join(root, 'small.mp4');
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=320x240:r=30',
      '-t',
      '1',
      '-c:v',
      'libx264',
      '-y',
      small,
    ]);
    const s = spec({ intro: small });
    const err = await renderClip({ ...s, start: 6, end: 8, segments: dvr.rows, cues }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as RenderError).code).toBe('bookend');
    expect((err as Error).message).toContain('320×240');
    expect(readdirSync(path.dirname(s.outFile))).toEqual([]);
  }, 60_000);

  it('catching up, a long window is split into pieces encoded side by side within the thread budget', async () => {
    const r = await renderClip({
      ...spec({ threads: 2 }),
      start: 1,
      end: 13,
      segments: dvr.rows,
      cues,
    });
    expect(r.pieces).toBe(2);
    await expectGoodClip(r.file, 12);
    expect((await inspectClip(ffprobe, r.file)).video!.frames).toBe(360);
  }, 60_000);

  it('clamps the window to the media', async () => {
    const r = await renderClip({
      ...spec({ captions: null, title: null }),
      start: 18,
      end: 40,
      segments: dvr.rows,
      cues: [],
    });
    expect(r.window.end).toBeCloseTo(dvr.end, 1);
    await expectGoodClip(r.file, dvr.end - 18);
  }, 60_000);

  it('splits a window across two runs (a reconnect) at the run boundary', async () => {
    const runBoundary = dvr2.rows.find((row) => row.run === 2)!.media_start;
    const r = await renderClip({
      ...spec({ dvr: dvr2 }),
      start: runBoundary - 2.5,
      end: runBoundary + 2.5,
      segments: dvr2.rows,
      cues: [{ start: runBoundary - 1, end: runBoundary + 1, text: 'across the gap' }],
    });
    expect(r.pieces).toBe(2);
    await expectGoodClip(r.file, 5);
  }, 60_000);

  it('progressive feeding (segments one by one, captions and end late) gives the same clip length as render-once', async () => {
    const start = 4.2;
    const end = 9.6;
    const once = await renderClip({ ...spec(), start, end, segments: dvr.rows, cues });
    const progress: RenderProgress[] = [];
    const render = new ClipRender({ ...spec(), start, onProgress: (p) => progress.push(p) });
    const rows = dvr.rows.filter((row) => row.media_start < end + 1);
    for (const row of rows) {
      render.segments([row]);
      const mediaEnd = row.media_start + row.duration;
      // Final captions trail the media by a second.
      render.transcriptFinalUpTo(
        mediaEnd - 1,
        cues.filter((c) => c.end <= mediaEnd - 1),
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    render.transcriptFinalUpTo(Infinity, cues);
    render.setEnd(end);
    const r = await render.done;
    expect(r.pieces).toBeGreaterThan(1);
    expect(r.timings.firstPieceMs).toBeLessThan(r.timings.lastPieceMs);
    await expectGoodClip(r.file, end - start);
    const a = await inspectClip(ffprobe, once.file);
    const b = await inspectClip(ffprobe, r.file);
    expect(Math.abs(a.durationS - b.durationS)).toBeLessThanOrEqual(1 / 30 + 1e-6);
    expect(b.video!.frames).toBe(a.video!.frames);
    // It was encoding before the end was known.
    expect(progress.some((p) => p.phase === 'encoding' && p.fraction === null)).toBe(true);
  }, 90_000);

  it('an end that arrives after media past it was encoded: those pieces are dropped or redone', async () => {
    const start = 3.1;
    let pastEnd!: () => void;
    const encodedPast = new Promise<void>((resolve) => (pastEnd = resolve));
    const render = new ClipRender({
      ...spec({ captions: null }),
      start,
      minPieceS: 1,
      onProgress: (p) => {
        if (p.phase === 'waiting' && p.encodedUpTo > 8 - start) pastEnd();
      },
    });
    render.segments(dvr.rows.filter((r) => r.media_start < 9));
    await encodedPast;
    render.setEnd(6.6);
    render.segments(dvr.rows);
    const r = await render.done;
    expect(r.window.end).toBeCloseTo(6.6, 3);
    await expectGoodClip(r.file, 3.5);
    expect((await inspectClip(ffprobe, r.file)).video!.frames).toBe(105);
  }, 60_000);

  it('cancel mid-render stops ffmpeg and leaves no .part and no temp files; children run niced', async () => {
    const ac = new AbortController();
    const niceOfChildren: number[] = [];
    const s = spec({ signal: ac.signal });
    const r = renderClip({
      ...s,
      start: 1,
      end: 19,
      segments: dvr.rows,
      cues,
      onProgress: (p) => {
        if (p.phase === 'encoding' && p.encodedUpTo > 0.5 && !ac.signal.aborted) {
          niceOfChildren.push(...childNices('ffmpeg'));
          ac.abort();
        }
      },
    });
    const err = await r.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RenderError);
    expect((err as RenderError).code).toBe('cancelled');
    expect(readdirSync(path.dirname(s.outFile))).toEqual([]);
    expect(liveProcesses()).toBe(0);
    if (process.platform === 'linux') {
      expect(niceOfChildren.length).toBeGreaterThan(0);
      expect(niceOfChildren.every((nice) => nice === 10)).toBe(true);
    }
  }, 60_000);

  it('cuts frame-accurately with audio in sync, in one piece and in a later piece', async () => {
    const marked = await makeFakeDvr(ffmpeg, path.join(root, 'sessions', 'sync'), [
      { seconds: 10, marks: [3, 8] },
    ]);
    // A white frame and a beep at media 3.0 and 8.0 (the first segment of a run starts
    // ~0.02 s off its keyframe, so media time ≈ source time here to within a frame).
    const once = await renderClip({
      ...spec({ dvr: marked, captions: null, title: null }),
      start: 2.3,
      end: 4.3,
      segments: marked.rows,
      cues: [],
    });
    // The first piece is encoded before the rest of the media arrives.
    let firstPiece!: () => void;
    const firstPieceDone = new Promise<void>((resolve) => (firstPiece = resolve));
    const progressive = new ClipRender({
      ...spec({ dvr: marked, captions: null, title: null }),
      start: 6.1,
      minPieceS: 1,
      onProgress: (p) => {
        if (p.phase === 'waiting' && p.encodedUpTo > 0) firstPiece();
      },
    });
    progressive.segments(marked.rows.filter((r) => r.media_start < 7.5));
    await firstPieceDone;
    progressive.segments(marked.rows);
    progressive.setEnd(9.9);
    const later = await progressive.done;
    expect(later.pieces).toBeGreaterThan(1);
    for (const [file, at] of [
      [once.file, 0.7],
      [later.file, 1.9],
    ] as const) {
      const flash = flashFrame(ffmpeg, file);
      const beep = beepOnset(ffmpeg, file);
      expect(Math.abs(flash / 30 - at)).toBeLessThanOrEqual(1 / 30 + 1e-6);
      // In sync: the beep starts within the flash frame's slot.
      expect(flash).toBe(Math.round(beep * 30));
    }
  }, 60_000);

  describe('a bad segment in the window fails clearly, naming it', () => {
    function copyDvr(name: string): FakeDvr {
      const dir = path.join(root, 'sessions', name);
      cpSync(dvr.sessionDir, dir, { recursive: true });
      return { ...dvr, sessionDir: dir };
    }
    const victim = (rows: DvrSegment[]): DvrSegment =>
      rows.find((r) => r.media_start > 5 && r.media_start < 6)!;

    it.each([
      [
        'garbage in the middle',
        (file: string) => {
          const buf = readFileSync(file);
          for (let i = Math.floor(buf.length / 2); i < buf.length * 0.75; i++)
            buf[i] = (i * 7919) & 0xff;
          writeFileSync(file, buf);
        },
        'corrupt_segment',
      ],
      [
        'truncated',
        (file: string) => writeFileSync(file, readFileSync(file).subarray(0, 1000)),
        'corrupt_segment',
      ],
      ['deleted', (file: string) => rmSync(file), 'missing_segment'],
    ])(
      '%s',
      async (name, damage, code) => {
        const d = copyDvr(`bad-${name.replace(/\W/g, '')}`);
        const seg = victim(d.rows);
        damage(path.join(d.sessionDir, seg.file));
        const s = spec({ dvr: d });
        const err = await renderClip({ ...s, start: 3, end: 8, segments: d.rows, cues }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(RenderError);
        expect((err as RenderError).code).toBe(code);
        expect((err as RenderError).segment).toBe(seg.file);
        expect((err as Error).message).toContain(seg.file);
        expect(readdirSync(path.dirname(s.outFile))).toEqual([]);
      },
      60_000,
    );
  });
});

/** The index of the brightest frame. */
function flashFrame(ffmpeg: string, file: string): number {
  const raw = execFileSync(
    ffmpeg,
    ['-v', 'error', '-i', file, '-vf', 'scale=8:8', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'],
    {
      maxBuffer: 64 << 20,
    },
  );
  let best = -1;
  let bestMean = -1;
  for (let f = 0; f * 64 < raw.length; f++) {
    let sum = 0;
    for (let i = 0; i < 64; i++) sum += raw[f * 64 + i]!;
    if (sum > bestMean) {
      bestMean = sum;
      best = f;
    }
  }
  return best;
}

/** Seconds to the first loud sample. */
function beepOnset(ffmpeg: string, file: string): number {
  const raw = execFileSync(
    ffmpeg,
    ['-v', 'error', '-i', file, '-vn', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'],
    {
      maxBuffer: 64 << 20,
    },
  );
  for (let i = 0; i + 1 < raw.length; i += 2)
    if (Math.abs(raw.readInt16LE(i)) > 3000) return i / 2 / 48000;
  return Infinity;
}

/** Nice values of this process's children named `comm` (Linux /proc). */
function childNices(comm: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // From "state" (field 3): ppid is field 4, nice field 19.
    if (name === comm && Number(fields[4 - 3]) === process.pid) out.push(Number(fields[19 - 3]));
  }
  return out;
}
