import { describe, expect, it } from 'vitest';
import { createProgressParser, type FfmpegProgress, parseOutTime } from './progress';

// Blocks copied from real runs of ffmpeg 5.1:
//   ffmpeg -hide_banner -re -f lavfi -i testsrc2=size=320x240:rate=30 -t 3 -c:v libx264 -f null - -progress pipe:1 -nostats
//   ffmpeg -hide_banner -y -f lavfi -i testsrc2=size=320x240:rate=30 -t 2 -c:v libx264 out.mp4 -progress pipe:1 -nostats
//   ffmpeg -hide_banner -f lavfi -i sine -t 1 -c:a aac -f null - -progress pipe:1 -nostats
const START = `frame=1
fps=0.00
stream_0_0_q=0.0
bitrate=N/A
total_size=N/A
out_time_us=0
out_time_ms=0
out_time=00:00:00.000000
dup_frames=0
drop_frames=0
speed=N/A
progress=continue
`;
const PADDED_SPEED = `frame=31
fps=30.68
stream_0_0_q=0.0
bitrate=N/A
total_size=N/A
out_time_us=0
out_time_ms=0
out_time=00:00:00.000000
dup_frames=0
drop_frames=0
speed=   0x
progress=continue
`;
const FILE_END = `frame=60
fps=0.00
stream_0_0_q=-1.0
bitrate= 308.6kbits/s
total_size=73304
out_time_us=1900065
out_time_ms=1900065
out_time=00:00:01.900065
dup_frames=0
drop_frames=0
speed=16.5x
progress=end
`;
const AUDIO_END = `bitrate=N/A
total_size=N/A
out_time_us=1002667
out_time_ms=1002667
out_time=00:00:01.002667
dup_frames=0
drop_frames=0
speed=47.7x
progress=end
`;
// Older ffmpeg builds print no out_time_us; out_time_ms is (despite its name) in µs.
const MS_ONLY = `frame=90
fps=29.97
bitrate=1234.5kbits/s
total_size=465000
out_time_ms=3003000
out_time=00:00:03.003000
dup_frames=2
drop_frames=1
speed=1.01x
progress=continue
`;
const OUT_TIME_ONLY = `frame=5
fps=25.00
bitrate=N/A
total_size=N/A
out_time_us=N/A
out_time_ms=N/A
out_time=01:02:03.5
dup_frames=0
drop_frames=0
speed=N/A
progress=continue
`;
const ALL_NA = `frame=0
fps=0.0
bitrate=N/A
total_size=N/A
out_time_us=N/A
out_time_ms=N/A
out_time=N/A
dup_frames=0
drop_frames=0
speed=N/A
progress=continue
`;

function parseAll(chunks: Array<string | Buffer>): FfmpegProgress[] {
  const out: FfmpegProgress[] = [];
  const p = createProgressParser((b) => out.push(b));
  for (const c of chunks) p.push(c);
  return out;
}

describe('createProgressParser (table)', () => {
  const cases: Array<[string, string, FfmpegProgress]> = [
    [
      'first block: N/A bitrate/size/speed',
      START,
      {
        frame: 1,
        fps: 0,
        bitrateKbps: null,
        totalSize: null,
        outTimeUs: 0,
        dupFrames: 0,
        dropFrames: 0,
        speed: null,
        ended: false,
      },
    ],
    [
      'space-padded speed "   0x"',
      PADDED_SPEED,
      {
        frame: 31,
        fps: 30.68,
        bitrateKbps: null,
        totalSize: null,
        outTimeUs: 0,
        dupFrames: 0,
        dropFrames: 0,
        speed: 0,
        ended: false,
      },
    ],
    [
      'final block of a file encode',
      FILE_END,
      {
        frame: 60,
        fps: 0,
        bitrateKbps: 308.6,
        totalSize: 73304,
        outTimeUs: 1_900_065,
        dupFrames: 0,
        dropFrames: 0,
        speed: 16.5,
        ended: true,
      },
    ],
    [
      'audio-only output has no frame/fps keys',
      AUDIO_END,
      {
        frame: null,
        fps: null,
        bitrateKbps: null,
        totalSize: null,
        outTimeUs: 1_002_667,
        dupFrames: 0,
        dropFrames: 0,
        speed: 47.7,
        ended: true,
      },
    ],
    [
      'out_time_ms fallback is microseconds; dup/drop counted',
      MS_ONLY,
      {
        frame: 90,
        fps: 29.97,
        bitrateKbps: 1234.5,
        totalSize: 465000,
        outTimeUs: 3_003_000,
        dupFrames: 2,
        dropFrames: 1,
        speed: 1.01,
        ended: false,
      },
    ],
    [
      'out_time HH:MM:SS.frac fallback',
      OUT_TIME_ONLY,
      {
        frame: 5,
        fps: 25,
        bitrateKbps: null,
        totalSize: null,
        outTimeUs: 3_723_500_000,
        dupFrames: 0,
        dropFrames: 0,
        speed: null,
        ended: false,
      },
    ],
    [
      'every time field N/A',
      ALL_NA,
      {
        frame: 0,
        fps: 0,
        bitrateKbps: null,
        totalSize: null,
        outTimeUs: null,
        dupFrames: 0,
        dropFrames: 0,
        speed: null,
        ended: false,
      },
    ],
  ];

  it.each(cases)('%s', (_name, text, expected) => {
    expect(parseAll([text])).toEqual([expected]);
  });
});

describe('createProgressParser (streaming)', () => {
  const stream = START + PADDED_SPEED + FILE_END;
  const whole = parseAll([stream]);

  it('emits one block per progress= line, in order', () => {
    expect(whole.map((b) => [b.frame, b.ended])).toEqual([
      [1, false],
      [31, false],
      [60, true],
    ]);
  });

  it('gives the same result for every split point of the stream', () => {
    for (let i = 0; i <= stream.length; i++) {
      expect(parseAll([stream.slice(0, i), stream.slice(i)])).toEqual(whole);
    }
  });

  it('handles one byte at a time, as Buffers', () => {
    const bytes = Buffer.from(stream);
    const chunks = Array.from(bytes, (b) => Buffer.from([b]));
    expect(parseAll(chunks)).toEqual(whole);
  });

  it('handles CRLF line endings', () => {
    expect(parseAll([stream.replace(/\n/g, '\r\n')])).toEqual(whole);
  });

  it('waits for the progress= line before emitting', () => {
    const out: FfmpegProgress[] = [];
    const p = createProgressParser((b) => out.push(b));
    p.push(FILE_END.slice(0, FILE_END.indexOf('progress=')));
    expect(out).toEqual([]);
    p.push('progress=end');
    expect(out).toEqual([]); // no newline yet: the line may continue
    p.push('\n');
    expect(out).toHaveLength(1);
    expect(out[0]?.ended).toBe(true);
  });

  it('does not carry fields over from one block to the next', () => {
    const [, second] = parseAll([FILE_END, 'out_time_us=5\nprogress=continue\n']);
    expect(second).toEqual({
      frame: null,
      fps: null,
      bitrateKbps: null,
      totalSize: null,
      outTimeUs: 5,
      dupFrames: 0,
      dropFrames: 0,
      speed: null,
      ended: false,
    });
  });

  it('ignores junk lines', () => {
    const out = parseAll(['garbage without equals\n=novalue\n', START]);
    expect(out).toHaveLength(1);
    expect(out[0]?.frame).toBe(1);
  });
});

describe('parseOutTime', () => {
  it.each([
    ['00:00:01.900065', 1_900_065],
    ['00:00:00.000000', 0],
    ['10:00:00', 36_000_000_000],
    ['00:01:02.5', 62_500_000],
    ['-00:00:00.023220', -23_220],
    ['N/A', null],
    ['', null],
  ])('%s → %s', (text, us) => {
    expect(parseOutTime(text)).toBe(us);
  });
});
