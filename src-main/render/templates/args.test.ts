import { describe, expect, it } from 'vitest';
import { VIDEO_TIMESCALE, x264Args } from '../encode';
import { baseCardArgs, composeCardArgs, concatArgs, concatList } from './args';

const HOSTILE = "/tmp/we'ird dir/a:b,c;[d]%03d\\e.png";

function after(args: string[], flag: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === flag) out.push(args[i + 1]!);
  });
  return out;
}

describe('template ffmpeg args', () => {
  it('compose: hostile paths are file: inputs, never in the graph; shared encode params', () => {
    const args = composeCardArgs({
      base: HOSTILE,
      durationS: 2.5,
      productImage: { file: HOSTILE, slot: { x: 120, y: 340, w: 480, h: 480 } },
      ass: 'intro-card.ass',
      threads: 1,
      out: HOSTILE,
    });
    expect(after(args, '-i')).toEqual([`file:${HOSTILE}`, `file:${HOSTILE}`]);
    expect(args[args.length - 1]).toBe(`file:${HOSTILE}`);
    // The image is read as one still, never as a %d sequence.
    expect(args.join(' ')).toContain('-f image2 -pattern_type none -protocol_whitelist file -i');
    const graph = after(args, '-filter_complex')[0]!;
    expect(graph).not.toContain('we');
    expect(graph).toBe(
      '[1:v]scale=480:480:force_original_aspect_ratio=decrease,setsar=1,format=rgba[p];' +
        '[0:v][p]overlay=x=120+(480-overlay_w)/2:y=340+(480-overlay_h)/2:eof_action=repeat[withp];' +
        '[withp]tpad=stop_mode=clone:stop_duration=0.5,ass=filename=intro-card.ass,fps=30,format=yuv420p[v]',
    );
    // Video with exactly the shared x264 params, audio copied from the base.
    const i = args.indexOf('-c:v');
    expect(args.slice(i, i + x264Args(1).length)).toEqual(x264Args(1));
    expect(after(args, '-c:a')).toEqual(['copy']);
    expect(after(args, '-video_track_timescale')).toEqual([String(VIDEO_TIMESCALE)]);
    expect(after(args, '-t')).toEqual(['2.5']);
  });

  it('refuses a subtitle file name that would need escaping in the graph', () => {
    expect(() =>
      composeCardArgs({
        base: '/b.mp4',
        durationS: 2,
        productImage: null,
        ass: "x',y.ass",
        threads: 1,
        out: '/o.mp4',
      }),
    ).toThrow(/unsafe subtitle/);
  });

  it('base: colour background, logo, silence; numbers only in the graph', () => {
    const args = baseCardArgs({
      width: 720,
      height: 1280,
      durationS: 2,
      background: { color: '#16162e' },
      logo: { file: HOSTILE, y: 110, height: 112 },
      ass: 'intro-card.ass',
      music: null,
      threads: 1,
      out: '/o.mp4',
    });
    expect(after(args, '-i')).toEqual([
      'color=c=0x16162e:s=720x1280:r=30:d=2.5',
      `file:${HOSTILE}`,
      'anullsrc=r=48000:cl=stereo',
    ]);
    expect(after(args, '-filter_complex')[0]).toBe(
      '[0:v]format=yuv420p,setsar=1[bg];[1:v]scale=-2:112,format=rgba[logo];' +
        '[bg][logo]overlay=x=(main_w-overlay_w)/2:y=110:eof_action=repeat[withlogo];' +
        '[withlogo]ass=filename=intro-card.ass,fps=30,format=yuv420p[v]',
    );
    expect(after(args, '-map')).toEqual(['[v]', '2:a']);
    expect(after(args, '-c:a')).toEqual(['aac']);
  });

  it('base: image background and music', () => {
    const args = baseCardArgs({
      width: 1080,
      height: 1920,
      durationS: 3,
      background: { imageFile: '/bg.jpg' },
      logo: null,
      ass: null,
      music: { file: '/m.mp3', volume: 0.5 },
      threads: 2,
      out: '/o.mp4',
    });
    expect(after(args, '-i')).toEqual(['file:/bg.jpg', 'file:/m.mp3']);
    const graph = after(args, '-filter_complex')[0]!;
    expect(graph).toContain('scale=1080:1920:force_original_aspect_ratio=increase,crop=1080:1920');
    expect(graph).toContain('volume=0.5,apad,atrim=0:3,afade=t=out:st=2.5:d=0.5[a]');
    expect(after(args, '-map')).toEqual(['[v]', '[a]']);
    expect(() =>
      baseCardArgs({
        width: 720,
        height: 1280,
        durationS: 2,
        background: { color: 'red:d=1' },
        logo: null,
        ass: null,
        music: null,
        threads: 1,
        out: '/o.mp4',
      }),
    ).toThrow(/colour/);
  });

  it('concat list quotes paths and refuses line breaks', () => {
    expect(concatList(["/a/it's.mp4", '/b c.mp4'])).toBe(
      "ffconcat version 1.0\nfile 'file:/a/it'\\''s.mp4'\nfile 'file:/b c.mp4'\n",
    );
    expect(() => concatList(['/a\nfile /etc/passwd'])).toThrow(/line break/);
    const args = concatArgs({ list: '/l.txt', metadataFrom: '/body.mp4', out: '/o.mp4.part' });
    expect(args.join(' ')).toContain('-c copy');
    expect(args.join(' ')).toContain('-movflags +faststart');
    expect(after(args, '-map_metadata')).toEqual(['1']);
  });
});
