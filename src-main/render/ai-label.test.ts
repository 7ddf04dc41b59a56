import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import { labelAiGenerated, labelArgs, type LabelProbe, parseLabelProbe } from './ai-label';
import { AIGC_COMMENT } from './args';
import { RenderError } from './clip-render';
import { softwareEncoder } from './encode';
import { inspectClip } from './verify';

const FFPROBE = FFMPEG === null ? null : path.join(path.dirname(FFMPEG), 'ffprobe');
const AIGC = { producer: 'LiveSlice', produceId: 'gen-1' };

describe('parseLabelProbe', () => {
  const video = { codec_type: 'video', codec_name: 'h264', width: 1280, height: 720 };
  it.each<[string, unknown, LabelProbe | null]>([
    [
      'video and AAC',
      { streams: [video, { codec_type: 'audio', codec_name: 'aac' }], format: { duration: '4.5' } },
      { width: 1280, height: 720, durationS: 4.5, audioCodec: 'aac' },
    ],
    [
      'a quarter turn (display matrix) swaps the size',
      { streams: [{ ...video, side_data_list: [{ rotation: -90 }] }], format: {} },
      { width: 720, height: 1280, durationS: null, audioCodec: null },
    ],
    [
      'a half turn (old rotate tag) keeps it',
      { streams: [{ ...video, tags: { rotate: '180' } }], format: { duration: 'N/A' } },
      { width: 1280, height: 720, durationS: null, audioCodec: null },
    ],
    [
      'cover art is not the video',
      {
        streams: [
          { ...video, disposition: { attached_pic: 1 } },
          { codec_type: 'audio', codec_name: 'mp3' },
        ],
      },
      null,
    ],
    ['no streams', { streams: [] }, null],
    ['not an object', 'nope', null],
    ['a zero size', { streams: [{ ...video, width: 0 }] }, null],
  ])('%s', (_name, json, want) => {
    expect(parseLabelProbe(json)).toEqual(want);
  });
});

describe('labelArgs', () => {
  const base = {
    input: "/in/it's [1],x;y.mp4",
    probe: { width: 1280, height: 720, durationS: 3, audioCodec: 'aac' },
    assFile: 'label.ass',
    aigc: AIGC,
    metadata: { title: 'T' },
    encoder: softwareEncoder(2),
    threads: 2,
    outFile: '/out/x.mp4.part',
    progressFd: true,
  };
  const after = (a: string[], flag: string): string | undefined => a[a.indexOf(flag) + 1];

  it('burns the ASS file, copies AAC, writes the AIGC tag as an mdta key', () => {
    const a = labelArgs(base);
    expect(after(a, '-filter_complex')).toBe('[0:v:0]ass=filename=label.ass,format=yuv420p[vout]');
    expect(after(a, '-i')).toBe("file:/in/it's [1],x;y.mp4");
    expect(after(a, '-c:a')).toBe('copy');
    expect(after(a, '-movflags')).toBe('+faststart+use_metadata_tags');
    expect(a.find((x) => x.startsWith('AIGC='))).toBe(
      'AIGC={"Label":"1","ContentProducer":"LiveSlice","ProduceID":"gen-1","ReservedCode1":"","ContentPropagator":"","PropagateID":"","ReservedCode2":""}',
    );
    expect(a).toContain(`comment=${AIGC_COMMENT}`);
    expect(a.at(-1)).toBe('/out/x.mp4.part');
  });

  it('an odd size is cropped to even; other audio becomes AAC; no audio, -an', () => {
    const odd = labelArgs({ ...base, probe: { ...base.probe, width: 853, audioCodec: 'mp3' } });
    expect(after(odd, '-filter_complex')).toBe(
      '[0:v:0]crop=852:720:0:0,ass=filename=label.ass,format=yuv420p[vout]',
    );
    expect(after(odd, '-c:a')).toBe('aac');
    const silent = labelArgs({ ...base, probe: { ...base.probe, audioCodec: null } });
    expect(silent).toContain('-an');
    expect(silent).not.toContain('-c:a');
  });

  it('refuses an unsafe subtitle file name', () => {
    expect(() => labelArgs({ ...base, assFile: "a'b.ass" })).toThrow('unsafe subtitle file name');
  });
});

/** The bounding box of the dark pixels (the label's box) in a gray frame on a white background. */
function darkBox(gray: Buffer, w: number, h: number): { w: number; h: number } | null {
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (gray[y * w + x]! > 160) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  return x1 < 0 ? null : { w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))('labelAiGenerated (real ffmpeg)', () => {
  const ffmpeg = FFMPEG!;
  const ffprobe = FFPROBE!;
  let root: string;
  let white: string;
  let n = 0;
  const out = (): string => path.join(root, `out${n++}`, 'labelled.mp4');

  function frame(file: string): Buffer {
    return execFileSync(
      ffmpeg,
      ['-v', 'error', '-i', file, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'],
      { maxBuffer: 64 << 20 },
    );
  }

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'liveslice-ailabel-'));
    mkdirSync(path.join(root, 'in'));
    // A plain white 16:9 picture with an odd width, and MP3 audio (not AAC).
    white = path.join(root, 'in', 'white.mkv');
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=white:s=853x480:r=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100',
      '-t',
      '1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'libmp3lame',
      '-y',
      white,
    ]);
  }, 60_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('any size: the label shows bottom-left, AIGC and other tags are in the MP4, audio is AAC', async () => {
    const output = out();
    const fractions: number[] = [];
    await labelAiGenerated({
      ffmpeg,
      input: white,
      output,
      aigc: { ...AIGC, propagator: 'Shop', propagateId: 'p-9' },
      metadata: { title: 'Generated', copyright: '© Shop', tags: ['ai'] },
      onProgress: (f) => fractions.push(f),
    });
    const facts = await inspectClip(ffprobe, output);
    expect(facts.video).toMatchObject({ codec: 'h264', width: 852, height: 480 });
    expect(facts.audio?.codec).toBe('aac');
    expect(facts.faststart).toBe(true);
    expect(facts.tags).toMatchObject({
      title: 'Generated',
      copyright: '© Shop',
      keywords: 'ai',
    });
    expect(JSON.parse(facts.tags['aigc']!)).toMatchObject({
      Label: '1',
      ContentProducer: 'LiveSlice',
      ProduceID: 'gen-1',
      ContentPropagator: 'Shop',
      PropagateID: 'p-9',
    });
    expect(facts.tags['comment']).toBe(AIGC_COMMENT);
    expect(fractions.length).toBeGreaterThan(0);

    const g = frame(output);
    // Dark box pixels only in the bottom-left quarter of the frame.
    let bottomLeft = 0;
    let elsewhere = 0;
    for (let y = 0; y < 480; y++)
      for (let x = 0; x < 852; x++) {
        if (g[y * 852 + x]! > 160) continue;
        if (x < 426 && y >= 240) bottomLeft++;
        else elsewhere++;
      }
    expect(bottomLeft).toBeGreaterThan(2000);
    expect(elsewhere).toBe(0);
    expect(readdirSync(path.dirname(output))).toEqual(['labelled.mp4']);
  }, 60_000);

  it('hostile label text is shown literally: no override, no line break, nothing in the graph', async () => {
    const box = async (label: string): Promise<{ w: number; h: number }> => {
      const output = out();
      await labelAiGenerated({ ffmpeg, input: white, output, label, aigc: AIGC });
      const b = darkBox(frame(output), 852, 480);
      expect(b).not.toBeNull();
      return b!;
    };
    const hostile = "{\\b1}X\\NY: ' %{pts}";
    const [literal, oneLine, ifInterpreted] = await Promise.all([
      box(hostile),
      box('X'),
      // What libass would show if the override and the line break were obeyed (one line of it).
      box("XY: ' %{pts}"),
    ]);
    expect(Math.abs(literal.h - oneLine.h)).toBeLessThanOrEqual(2);
    expect(literal.w).toBeGreaterThan(ifInterpreted.w + 20);
  }, 90_000);

  it.each<[string, () => Parameters<typeof labelAiGenerated>[0], string]>([
    [
      'a missing input',
      () => ({ ffmpeg, input: path.join(root, 'in', 'none.mp4'), output: out(), aigc: AIGC }),
      'no_media',
    ],
    [
      'an input without video',
      () => {
        const audio = path.join(root, 'in', 'audio.m4a');
        if (!existsSync(audio))
          execFileSync(ffmpeg, [
            '-v',
            'error',
            '-f',
            'lavfi',
            '-i',
            'sine=frequency=440',
            '-t',
            '0.5',
            '-y',
            audio,
          ]);
        return { ffmpeg, input: audio, output: out(), aigc: AIGC };
      },
      'no_media',
    ],
    [
      'the input as output',
      () => ({ ffmpeg, input: white, output: white, aigc: AIGC }),
      'bad_spec',
    ],
    [
      'an AIGC label without an id',
      () => ({ ffmpeg, input: white, output: out(), aigc: { producer: 'x', produceId: '' } }),
      'bad_spec',
    ],
  ])('fails clearly on %s, leaving nothing', async (_name, make, code) => {
    const spec = make();
    const err = await labelAiGenerated(spec).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RenderError);
    expect((err as RenderError).code).toBe(code);
    if (spec.output !== white && existsSync(path.dirname(spec.output)))
      expect(readdirSync(path.dirname(spec.output))).toEqual([]);
  });

  it('a cancel stops ffmpeg and leaves no .part or temp dir', async () => {
    const long = path.join(root, 'in', 'long.mp4');
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=1280x720:r=30',
      '-t',
      '20',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-y',
      long,
    ]);
    const ac = new AbortController();
    const output = out();
    const err = await labelAiGenerated({
      ffmpeg,
      input: long,
      output,
      aigc: AIGC,
      signal: ac.signal,
      onProgress: (f) => {
        if (f > 0.05) ac.abort();
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as RenderError).code).toBe('cancelled');
    expect(readdirSync(path.dirname(output))).toEqual([]);
  }, 60_000);
});
