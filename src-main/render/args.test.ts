import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import {
  AIGC_COMMENT,
  aigcJson,
  audioGraph,
  buildAudioArgs,
  buildMuxArgs,
  buildPieceArgs,
  cleanMetadataValue,
  concatfList,
  escapeFilterValue,
  ffconcatList,
  ffconcatQuote,
  metadataArgs,
  movflags,
  num,
  type PieceArgsSpec,
  type PunchIn,
  punchInGraph,
  punchInOverlaps,
  punchInZoomAt,
  type Reframe,
  reframeGraph,
  RenderArgsError,
  validateAigc,
  validatePunchIn,
  validateReframe,
  watermarkGraph,
} from './args';
import { buildAss } from './ass';
import { hwEncoder, softwareEncoder } from './encode';

describe('escaping', () => {
  it.each([
    // ffmpeg's own example ("Notes on filtergraph escaping").
    [
      "this is a 'string': may contain one, or more, special characters",
      "this is a \\\\\\'string\\\\\\'\\\\: may contain one\\, or more\\, special characters",
    ],
    ['plain.ass', 'plain.ass'],
    ['C:\\Users\\a b\\c.ass', 'C\\\\:\\\\\\\\Users\\\\\\\\a b\\\\\\\\c.ass'],
    ['[in];[out]', '\\[in\\]\\;\\[out\\]'],
    ['min(iw,ih*0.5625)', 'min(iw\\,ih*0.5625)'],
  ])('escapeFilterValue(%j)', (raw, want) => {
    expect(escapeFilterValue(raw)).toBe(want);
  });

  it('refuses NUL in a filter value', () => {
    expect(() => escapeFilterValue('a\0b')).toThrow(RenderArgsError);
  });

  it.each([
    ['/a/b.mp4', "'/a/b.mp4'"],
    ["/it's/here.mp4", "'/it'\\''s/here.mp4'"],
    ['/a b/c#d.mp4', "'/a b/c#d.mp4'"],
  ])('ffconcatQuote(%j)', (p, want) => {
    expect(ffconcatQuote(p)).toBe(want);
  });

  it.each(['/a\nfile /etc/passwd', '/a\rb', '/a\0b'])(
    'a path with a line break or NUL is refused: %j',
    (p) => {
      expect(() => ffconcatQuote(p)).toThrow(RenderArgsError);
      expect(() => concatfList([p])).toThrow(RenderArgsError);
    },
  );

  it('lists', () => {
    expect(ffconcatList(['/x/a.mp4', "/y/b'.mp4"])).toBe(
      "ffconcat version 1.0\nfile '/x/a.mp4'\nfile '/y/b'\\''.mp4'\n",
    );
    expect(concatfList(['/d/r001-000001.ts', '/d/r001-000002.ts'])).toBe(
      'file:/d/r001-000001.ts\nfile:/d/r001-000002.ts\n',
    );
  });

  it.each([
    [2.5, '2.5'],
    [1 / 3, '0.333333'],
    [1e-7, '0'],
    [-0, '0'],
    [-1.25, '-1.25'],
    [3, '3'],
  ])('num(%s) = %s', (n, s) => {
    expect(num(n)).toBe(s);
  });

  it.each([NaN, Infinity, -Infinity, 1e21])('num(%s) throws', (n) => {
    expect(() => num(n)).toThrow(RenderArgsError);
  });
});

describe('reframe', () => {
  it.each<[unknown, Reframe | string]>([
    [{ mode: 'center' }, { mode: 'center' }],
    [{ mode: 'blur', extra: 1 }, { mode: 'blur' }],
    [
      { mode: 'box', x: 0.25, y: 0, w: 0.5, h: 1 },
      { mode: 'box', x: 0.25, y: 0, w: 0.5, h: 1 },
    ],
    [
      { mode: 'box', x: 0.5, y: 0.5, w: 0.5000000001, h: 0.5 },
      { mode: 'box', x: 0.5, y: 0.5, w: 0.5, h: 0.5 },
    ],
    [null, 'expected an object'],
    [{ mode: 'zoom' }, 'reframe.mode'],
    [{ mode: 'box', x: '0', y: 0, w: 1, h: 1 }, 'reframe.x'],
    [{ mode: 'box', x: -0.1, y: 0, w: 0.5, h: 0.5 }, 'reframe.x: -0.1 is outside'],
    [{ mode: 'box', x: 0, y: 0, w: NaN, h: 0.5 }, 'reframe.w'],
    [{ mode: 'box', x: 0.6, y: 0, w: 0.5, h: 0.5 }, 'outside the frame'],
    [{ mode: 'box', x: 0, y: 0, w: 0.01, h: 0.5 }, 'too small'],
    [{ mode: 'box', x: 0, y: 0, w: 0.5, h: '1;drawtext=text=x' }, 'reframe.h'],
  ])('validateReframe(%j)', (input, want) => {
    if (typeof want === 'string') expect(() => validateReframe(input)).toThrow(want);
    else expect(validateReframe(input)).toEqual(want);
  });

  it.each<[Reframe, string[]]>([
    [
      { mode: 'center' },
      ['[a]crop=w=min(iw\\,ih*0.5625):h=min(ih\\,iw/0.5625),scale=720:1280,setsar=1[b]'],
    ],
    [
      { mode: 'box', x: 0.25, y: 0.1, w: 0.5, h: 0.8 },
      ['[a]crop=w=iw*0.5:h=ih*0.8:x=iw*0.25:y=ih*0.1,crop=w=min('],
    ],
    [
      { mode: 'blur' },
      [
        '[a]split=2[rbg][rfg]',
        'boxblur=8:2',
        'scale=180:320',
        'force_original_aspect_ratio=decrease',
        'overlay=x=(main_w-overlay_w)/2:y=(main_h-overlay_h)/2[b]',
      ],
    ],
  ])('reframeGraph(%j)', (r, parts) => {
    const g = reframeGraph(r, 720, 1280, 'a', 'b');
    for (const p of parts) expect(g).toContain(p);
  });

  it('the 1080×1920 preset keeps the 9:16 crop', () => {
    expect(reframeGraph({ mode: 'center' }, 1080, 1920, 'a', 'b')).toContain('scale=1080:1920');
  });
});

describe('watermark', () => {
  it.each([
    ['top-left', 'overlay=x=29:y=29'],
    ['top-right', 'overlay=x=main_w-overlay_w-29:y=29'],
    ['bottom-left', 'overlay=x=29:y=main_h-overlay_h-29'],
    ['bottom-right', 'overlay=x=main_w-overlay_w-29:y=main_h-overlay_h-29'],
  ] as const)('%s', (corner, want) => {
    const g = watermarkGraph(
      { file: "/odd 'dir'/logo,[1].png", corner, opacity: 0.5 },
      720,
      1280,
      '1:v',
      'in',
      'out',
    );
    expect(g).toContain(want);
    expect(g).toContain('colorchannelmixer=aa=0.5');
    expect(g).toContain('scale=w=144:h=-1');
    // The file never reaches the graph (it is an input).
    expect(g).not.toContain('logo');
  });

  it.each([
    [{ corner: 'middle', opacity: 0.5 }, 'watermark.corner'],
    [{ corner: 'top-left', opacity: 1.5 }, 'watermark.opacity'],
    [{ corner: 'top-left', opacity: 0.5, scale: 0 }, 'watermark.scale'],
  ])('rejects %j', (bad, msg) => {
    expect(() =>
      watermarkGraph({ file: '/l.png', ...bad } as never, 720, 1280, '1:v', 'a', 'b'),
    ).toThrow(msg);
  });
});

describe('punch-in', () => {
  it.each<[unknown, PunchIn | string]>([
    [
      { from: 3, to: 5, zoom: 1.3 },
      { from: 3, to: 5, zoom: 1.3 },
    ],
    [
      { from: 0, to: 0.1, zoom: 2, extra: 'x' },
      { from: 0, to: 0.1, zoom: 2 },
    ],
    [null, 'punchIn: expected an object'],
    [{ from: '3', to: 5, zoom: 1.3 }, 'punchIn.from'],
    [{ from: -1, to: 5, zoom: 1.3 }, 'punchIn.from: -1 is before'],
    [{ from: 5, to: 5, zoom: 1.3 }, 'punchIn.to'],
    [{ from: 3, to: NaN, zoom: 1.3 }, 'punchIn.to'],
    [{ from: 3, to: 5, zoom: 1 }, 'punchIn.zoom'],
    [{ from: 3, to: 5, zoom: 2.01 }, 'punchIn.zoom'],
    [{ from: 3, to: 5, zoom: Infinity }, 'punchIn.zoom'],
    [{ from: 3, to: 5, zoom: '1.5;drawtext' }, 'punchIn.zoom'],
  ])('validatePunchIn(%j)', (input, want) => {
    if (typeof want === 'string') expect(() => validatePunchIn(input)).toThrow(want);
    else expect(validatePunchIn(input)).toEqual(want);
  });

  const P: PunchIn = { from: 10, to: 14, zoom: 1.4 };
  it.each([
    [0, 1],
    [9.99, 1],
    [10, 1],
    [10.15, 1.2],
    [10.3, 1.4],
    [12, 1.4],
    [13.7, 1.4],
    [13.85, 1.2],
    [14, 1],
    [20, 1],
  ])('the zoom at %s s is %s (eased in and out over 0.3 s)', (t, z) => {
    expect(punchInZoomAt(P, t)).toBeCloseTo(z, 9);
  });

  it('eases smoothly: monotone, and small steps at 30 fps', () => {
    let prev = 1;
    for (let t = 10; t <= 10.3 + 1e-9; t += 1 / 30) {
      const z = punchInZoomAt(P, t);
      expect(z).toBeGreaterThanOrEqual(prev);
      expect(z - prev).toBeLessThan(0.07);
      prev = z;
    }
  });

  it('a short range still peaks (the ease is at most half of it)', () => {
    const short = { from: 1, to: 1.2, zoom: 1.5 };
    expect(punchInZoomAt(short, 1.1)).toBeCloseTo(1.5, 9);
    expect(punchInZoomAt(short, 1.05)).toBeCloseTo(1.25, 9);
  });

  it.each([
    [9, 10, false],
    [9, 10.01, true],
    [13.9, 16, true],
    [14, 16, false],
  ])('overlaps [%s, %s): %s', (t0, t1, want) => {
    expect(punchInOverlaps(P, t0, t1)).toBe(want);
  });

  it('the graph: zoompan one frame per frame, exact size and rate, numbers only', () => {
    const g = punchInGraph(P, 8.5, 720, 1280, 'framed', 'zoomed');
    expect(g).toMatch(/^\[framed\]zoompan=z=/);
    expect(g).toContain(':d=1:s=720x1280:fps=30,setsar=1[zoomed]');
    // The frame's media time is mediaStart + it: (it − 1.5)/0.3 and (5.5 − it)/0.3.
    expect(g).toContain('clip((it+-1.5)/0.3\\,0\\,1)');
    expect(g).toContain('clip((5.5-it)/0.3\\,0\\,1)');
    expect(g).toContain('st(0\\,');
    expect(g).toContain('\\;1+0.4*ld(0)');
    expect(() => punchInGraph({ ...P, zoom: 3 }, 0, 720, 1280, 'a', 'b')).toThrow('punchIn.zoom');
  });
});

const PIECE: PieceArgsSpec = {
  segmentList: 's0.txt',
  srcStart: 12.421333,
  frames: 75,
  width: 720,
  height: 1280,
  reframe: { mode: 'center' },
  assFile: 'c0.ass',
  watermark: null,
  encoder: softwareEncoder(2),
  threads: 2,
  outFile: 'v0.mp4',
  progressFd: true,
};

function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

describe('buildPieceArgs', () => {
  it('one run of segments, frame-exact, shared encode params, bounded threads', () => {
    const a = buildPieceArgs(PIECE);
    expect(after(a, '-i')).toBe('concatf:s0.txt');
    expect(after(a, '-protocol_whitelist')).toBe('concatf,file');
    expect(a).toContain('-copyts');
    expect(after(a, '-frames:v')).toBe('75');
    expect(after(a, '-video_track_timescale')).toBe('15360');
    expect(after(a, '-threads')).toBe('2');
    // The encoder's own -threads follows the piece's share.
    const one = buildPieceArgs({ ...PIECE, threads: 1 });
    expect(one.filter((_x, i) => one[i - 1] === '-threads')).toEqual(['1', '1']);
    expect(after(a, '-filter_complex_threads')).toBe('2');
    expect(after(a, '-progress')).toBe('pipe:3');
    expect(after(a, '-c:v')).toBe('libx264');
    expect(a).toContain('-an');
    expect(a.at(-1)).toBe('v0.mp4');
    const g = after(a, '-filter_complex')!;
    expect(g).toMatch(
      /^\[0:v\]trim=start=12\.404666,setpts=PTS-12\.421333\/TB,fps=30:start_time=0,/,
    );
    expect(g).toContain('ass=filename=c0.ass,format=yuv420p[vout]');
  });

  it('a watermark is an image input with no pattern expansion', () => {
    const a = buildPieceArgs({
      ...PIECE,
      watermark: { file: '/logos/logo%d.png', corner: 'top-left', opacity: 0.8 },
    });
    const i = a.lastIndexOf('-i');
    expect(a.slice(i - 6, i + 2)).toEqual([
      '-f',
      'image2',
      '-pattern_type',
      'none',
      '-protocol_whitelist',
      'file',
      '-i',
      'file:/logos/logo%d.png',
    ]);
    expect(after(a, '-filter_complex')).toContain('[1:v]format=rgba');
  });

  it('no captions: no ass filter', () => {
    expect(after(buildPieceArgs({ ...PIECE, assFile: null }), '-filter_complex')).not.toContain(
      'ass=',
    );
  });

  it('a punch-in zooms the reframed picture before the watermark and the ASS', () => {
    const g = after(
      buildPieceArgs({
        ...PIECE,
        watermark: { file: '/l.png', corner: 'top-left', opacity: 0.8 },
        punchIn: { from: 3, to: 6, zoom: 1.5 },
        mediaStart: 2.5,
      }),
      '-filter_complex',
    )!;
    const framed = g.indexOf('[framed]zoompan=');
    expect(framed).toBeGreaterThan(g.indexOf('scale=720:1280'));
    expect(g.indexOf('[zoomed][wm]overlay')).toBeGreaterThan(framed);
    expect(g.indexOf('ass=filename=c0.ass')).toBeGreaterThan(framed);
    expect(g).toContain('clip((it+-0.5)/0.3');
    expect(() => buildPieceArgs({ ...PIECE, punchIn: { from: 3, to: 6, zoom: 1.5 } })).toThrow(
      'mediaStart',
    );
    expect(after(buildPieceArgs({ ...PIECE, punchIn: null }), '-filter_complex')).not.toContain(
      'zoompan',
    );
  });

  it.each(['../x.ass', 'a b.ass', "c'.ass", 'c:0.ass', 'c,0.ass', ''])(
    'refuses an unsafe subtitle file name %j',
    (name) => {
      expect(() => buildPieceArgs({ ...PIECE, assFile: name })).toThrow(RenderArgsError);
    },
  );

  it.each([0, -1, 1.5])('refuses %s frames', (frames) => {
    expect(() => buildPieceArgs({ ...PIECE, frames })).toThrow(RenderArgsError);
  });

  it('VAAPI: device before the inputs, upload at the end of the graph', () => {
    const a = buildPieceArgs({ ...PIECE, encoder: hwEncoder('h264_vaapi') });
    expect(a.indexOf('-vaapi_device')).toBeLessThan(a.indexOf('-i'));
    expect(after(a, '-filter_complex')).toMatch(/format=yuv420p,format=nv12,hwupload\[vout\]$/);
    expect(after(a, '-c:v')).toBe('h264_vaapi');
  });
});

describe('buildAudioArgs', () => {
  it('one input per run stretch, exact trims, loudnorm, bookends', () => {
    const a = buildAudioArgs({
      parts: [
        { kind: 'media', segmentList: 'a0.txt', srcStart: 10.5, duration: 2.25 },
        { kind: 'silence', duration: 1 },
        { kind: 'media', segmentList: 'a2.txt', srcStart: 1.4, duration: 3 },
      ],
      intro: { file: '/t/intro.mp4', duration: 2, hasAudio: true },
      outro: { file: '/t/outro.mp4', duration: 1.5, hasAudio: false },
      loudness: { I: -14, TP: -1.5, LRA: 11 },
      outFile: 'audio.m4a',
    });
    expect(a.filter((x) => x === '-i')).toHaveLength(3);
    expect(a).toContain('concatf:a0.txt');
    expect(a).toContain('concatf:a2.txt');
    expect(a).toContain('file:/t/intro.mp4');
    expect(a).not.toContain('file:/t/outro.mp4');
    const g = after(a, '-filter_complex')!;
    expect(g).toContain('[0:a]atrim=start=10.5:end=12.75,asetpts=PTS-10.5/TB');
    expect(g).toContain('apad=whole_dur=2.25,atrim=end=2.25[p0]');
    expect(g).toContain('anullsrc=r=48000:cl=stereo,atrim=end=1[p1]');
    expect(g).toContain('[1:a]atrim=start=1.4:end=4.4');
    expect(g).toContain('[p0][p1][p2]concat=n=3:v=0:a=1[body]');
    expect(g).toContain('loudnorm=I=-14:TP=-1.5:LRA=11');
    expect(g).toContain('[2:a]aresample');
    expect(g).toContain('anullsrc=r=48000:cl=stereo,atrim=end=1.5[outro]');
    expect(g).toContain('[intro][bodyn][outro]concat=n=3:v=0:a=1[aout]');
    expect(after(a, '-c:a')).toBe('aac');
    expect(after(a, '-ar')).toBe('48000');
    expect(after(a, '-ac')).toBe('2');
  });

  it('without loudness or bookends', () => {
    const g = audioGraph(
      {
        parts: [{ kind: 'silence', duration: 3 }],
        intro: null,
        outro: null,
        loudness: null,
        outFile: 'a.m4a',
      },
      { parts: [-1], intro: null, outro: null },
    );
    expect(g).not.toContain('loudnorm');
    expect(g).toContain('[bodyn]anull[aout]');
  });
});

describe('metadata and mux', () => {
  it.each([
    ['title\0with nul', 200, 'titlewith nul'],
    ['  spaced  ', 200, 'spaced'],
    ['line1\r\nline2', 200, 'line1\nline2'],
    ['a'.repeat(300), 200, 'a'.repeat(199) + '…'],
    ['😀'.repeat(5), 3, '😀😀…'],
  ])('cleanMetadataValue(%j, %d)', (v, max, want) => {
    expect(cleanMetadataValue(v, max)).toBe(want);
  });

  it('metadataArgs: argv pairs, empty values dropped, tags joined', () => {
    expect(
      metadataArgs({
        title: 'T=1; "x"',
        comment: null,
        copyright: '',
        tags: ['sale', 'a,b', '  '],
        keywords: 'live,sale',
      }),
    ).toEqual(['-metadata', 'title=T=1; "x"', '-metadata', 'keywords=live,sale,a b']);
  });

  it.each<[unknown, string]>([
    [null, 'aigc: expected an object'],
    [{ produceId: 'x' }, 'aigc.producer: required'],
    [{ producer: '  ', produceId: 'x' }, 'aigc.producer: must not be empty'],
    [{ producer: 'p', produceId: 7 }, 'aigc.produceId: expected a string'],
    [{ producer: 'p', produceId: 'x'.repeat(257) }, 'aigc.produceId: longer than 256'],
    [{ producer: 'p', produceId: 'x', propagator: 1 }, 'aigc.propagator: expected a string'],
  ])('validateAigc refuses %j', (input, msg) => {
    expect(() => validateAigc(input)).toThrow(msg);
  });

  it('aigcJson: the standard field names in its order, Label 1, unknown fields empty', () => {
    const json = aigcJson({
      producer: ' 生成引擎\r\nLiveSlice\u0000 ',
      produceId: 'a"b\\c',
      propagateId: 'clip-1',
    });
    expect(json).toBe(
      '{"Label":"1","ContentProducer":"生成引擎 LiveSlice","ProduceID":"a\\"b\\\\c",' +
        '"ReservedCode1":"","ContentPropagator":"","PropagateID":"clip-1","ReservedCode2":""}',
    );
    expect(JSON.parse(json)).toMatchObject({ ProduceID: 'a"b\\c' });
  });

  it('metadataArgs with an AIGC label: the AIGC key, and the comment says AI-generated', () => {
    const a = metadataArgs({
      comment: 'window 1–2 s',
      aigc: { producer: 'p', produceId: 'i' },
    });
    expect(a).toContain(`comment=${AIGC_COMMENT}\nwindow 1–2 s`);
    expect(a.filter((x) => x.startsWith('AIGC='))).toHaveLength(1);
    expect(metadataArgs({ aigc: { producer: 'p', produceId: 'i' } })).toContain(
      `comment=${AIGC_COMMENT}`,
    );
    expect(metadataArgs({ comment: 'c' }).join(' ')).not.toContain('AIGC');
  });

  it('movflags: mdta keys only when a custom key (AIGC) must survive', () => {
    expect(movflags({ title: 't' })).toBe('+faststart');
    expect(movflags({ aigc: null })).toBe('+faststart');
    const a = buildMuxArgs({
      videoList: 'v.ffconcat',
      audioFile: 'a.m4a',
      metadata: { aigc: { producer: 'p', produceId: 'i' } },
      outFile: 'o.mp4',
    });
    expect(after(a, '-movflags')).toBe('+faststart+use_metadata_tags');
  });

  it('mux: copy, audio mapped, faststart, mp4', () => {
    const a = buildMuxArgs({
      videoList: 'video.ffconcat',
      audioFile: 'audio.m4a',
      metadata: { title: 't' },
      outFile: '/c/x.mp4.part',
    });
    expect(a.slice(a.indexOf('-f'), a.indexOf('-f') + 6)).toEqual([
      '-f',
      'concat',
      '-safe',
      '0',
      '-protocol_whitelist',
      'file',
    ]);
    expect(after(a, '-c')).toBe('copy');
    expect(after(a, '-movflags')).toBe('+faststart');
    expect(a).toContain('title=t');
    expect(a.slice(-4)).toEqual(['-f', 'mp4', '-y', '/c/x.mp4.part']);
  });
});

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))(
  'paths and values through a real filter graph',
  () => {
    it('the punch-in graph zooms as punchInZoomAt says, and two pieces equal one', () => {
      // A 100 px white square centred on black: its width on the middle row is 100 × zoom.
      const P: PunchIn = { from: 1.1, to: 2.2, zoom: 1.8 };
      const widths = (mediaStart: number, frames: number): number[] => {
        const raw = execFileSync(
          FFMPEG!,
          [
            '-v',
            'error',
            '-f',
            'lavfi',
            '-i',
            'color=c=black:s=720x1280:r=30,drawbox=x=310:y=590:w=100:h=100:color=white:t=fill',
            '-filter_complex',
            punchInGraph(P, mediaStart, 720, 1280, '0:v', 'out'),
            '-map',
            '[out]',
            '-frames:v',
            String(frames),
            '-pix_fmt',
            'gray',
            '-f',
            'rawvideo',
            '-',
          ],
          { maxBuffer: 256 << 20 },
        );
        const out: number[] = [];
        for (let f = 0; (f + 1) * 720 * 1280 <= raw.length; f++) {
          const row = raw.subarray(f * 720 * 1280 + 640 * 720, f * 720 * 1280 + 641 * 720);
          out.push(row.filter((b) => b > 128).length);
        }
        return out;
      };
      const start = 0.9;
      const whole = widths(start, 45);
      // The same 45 frames as two pieces split inside the ease-in (at 1.2 s).
      const split = [...widths(start, 9), ...widths(start + 9 / 30, 36)];
      expect(whole).toHaveLength(45);
      expect(split).toEqual(whole);
      for (let k = 0; k < 45; k++) {
        const want = 100 * punchInZoomAt(P, start + k / 30);
        expect(Math.abs(whole[k]! - want)).toBeLessThanOrEqual(4);
      }
      expect(Math.max(...whole)).toBe(180);
      expect(whole[0]).toBe(100);
    });

    it('an ASS file at a hostile path renders via escapeFilterValue', () => {
      const dir = mkdtempSync(path.join(tmpdir(), "liveslice 'a:b,c[d];e%f\\g-"));
      try {
        const file = path.join(dir, "sub's [1],x;y:z.ass");
        writeFileSync(
          file,
          buildAss({
            width: 320,
            height: 240,
            cues: [{ start: 0, end: 5, text: 'XXXX' }],
            title: null,
            style: 'boxed',
          }),
        );
        const raw = execFileSync(FFMPEG!, [
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          'color=c=black:s=720x1280:r=30',
          '-vf',
          `ass=filename=${escapeFilterValue(file)}`,
          '-frames:v',
          '1',
          '-pix_fmt',
          'gray',
          '-f',
          'rawvideo',
          '-',
        ]);
        expect(raw.filter((b) => b > 100).length).toBeGreaterThan(500);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
