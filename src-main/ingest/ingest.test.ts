/**
 * The ingest with real ffmpeg on 127.0.0.1: file replay, RTMP push (right and wrong key), publisher
 * disconnect/reconnect, kill -9 of the ingest child, HLS pull from a local server, SRT push,
 * garbage input, an unreachable URL, a stream without audio, a mid-stream resolution change, and
 * an app restart.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventName, EventPayload, IngestStatus } from '../api/contract';
import { createEventBus, type EventBus } from '../api/events';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { createLogger } from '../log/logger';
import { openStore, type Store } from '../store';
import { freePort } from '../testing/ports';
import { exited, FFMPEG, hasProtocol, kill, makeClip, NO_FFMPEG, publish } from '../testing/media';
import { IngestManager } from './manager';
import { PLAYLIST_FILE } from './session-ingest';
import { missing } from '../testing/skip';

const describeFf = FFMPEG ? describe : describe.skip;
if (!FFMPEG) console.warn(`skipping ingest integration tests: ${NO_FFMPEG}`);

let fixtures: string;
let clip: string;
let silentClip: string;

beforeAll(() => {
  if (!FFMPEG) return;
  fixtures = mkdtempSync(join(tmpdir(), 'liveslice-fixtures-'));
  clip = makeClip(fixtures, 'av', { seconds: 4 });
  silentClip = makeClip(fixtures, 'video-only', { seconds: 3, audio: false });
});
afterAll(() => {
  if (fixtures) rmSync(fixtures, { recursive: true, force: true });
});

interface Harness {
  dataDir: string;
  store: Store;
  bus: EventBus;
  ingest: IngestManager;
  events: Array<{ event: EventName; payload: unknown }>;
}
const open: Harness[] = [];

async function harness(
  opts: { listen?: boolean; dataDir?: string; graceMs?: number } = {},
): Promise<Harness> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'liveslice-ingest-'));
  const store = openStore(dataDir);
  store.settings.set({ key: 'ingest.rtmpPort', value: await freePort() });
  store.settings.set({ key: 'ingest.srtPort', value: await freePort() });
  store.settings.set({ key: 'disk.warnFreeGB', value: 0 });
  store.settings.set({ key: 'disk.stopFreeGB', value: 0 });
  const bus = createEventBus();
  const events: Harness['events'] = [];
  bus.onAny((event, payload) => events.push({ event, payload }));
  const ingest = new IngestManager({
    store,
    bus,
    logger: createLogger({ dir: null, console: false }),
    dataDir,
    ffmpeg: () => resolveFfmpeg({}),
    settings: () => store.settings.getAll(),
    resolutionCheckMs: 0,
    ...(opts.graceMs !== undefined ? { publishGraceMs: opts.graceMs } : {}),
  });
  ingest.recover();
  if (opts.listen) await ingest.listen();
  const h = { dataDir, store, bus, ingest, events };
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.ingest.close();
    h.store.close();
    rmSync(h.dataDir, { recursive: true, force: true });
  }
});

function waitForStatus(
  h: Harness,
  sessionId: string,
  pred: (s: IngestStatus) => boolean,
  timeout = 20_000,
) {
  return vi.waitFor(
    () => {
      const s = h.ingest.status(sessionId);
      if (!pred(s)) throw new Error(`status not reached yet: ${JSON.stringify(s)}`);
      return s;
    },
    { timeout, interval: 100 },
  );
}

function eventsOf<E extends EventName>(h: Harness, event: E): Array<EventPayload<E>> {
  return h.events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>);
}

/** The index is contiguous and monotonic, and every indexed file exists. */
function checkDvr(h: Harness, sessionId: string) {
  const segs = h.store.dvr.segments(sessionId);
  let t = 0;
  segs.forEach((s, i) => {
    expect(s.seq).toBe(i);
    // Monotonic, and contiguous to within an audio frame (the muxer's boundaries can overlap).
    if (i > 0) expect(s.media_start).toBeGreaterThan(segs[i - 1]!.media_start);
    expect(Math.abs(s.media_start - t)).toBeLessThan(0.05);
    expect(s.duration).toBeGreaterThan(0);
    t = s.media_start + s.duration;
    expect(existsSync(join(h.dataDir, 'sessions', sessionId, s.file))).toBe(true);
  });
  const onDisk = readdirSync(join(h.dataDir, 'sessions', sessionId, 'dvr'));
  return { segs, onDisk, end: t };
}

describeFf('file replay', () => {
  it('ingests a file as fast as it decodes: DVR, playlist, PCM tap and loudness', async () => {
    const h = await harness();
    let pcmBytes = 0;
    h.ingest.onPcm((c) => (pcmBytes += c.samples.length));
    const session = await h.ingest.start({ source: { kind: 'file', path: clip, realtime: false } });
    await h.ingest.whenAllEnded();
    const status = h.ingest.status(session.id);
    expect(status).toMatchObject({ state: 'ended', code: 'eof' });
    const { segs, onDisk, end } = checkDvr(h, session.id);
    expect(segs.length).toBeGreaterThanOrEqual(3);
    expect(end).toBeCloseTo(4, 0);
    expect(onDisk.sort()).toEqual(segs.map((s) => s.file.replace('dvr/', '')).sort());
    const playlist = readFileSync(join(h.dataDir, 'sessions', session.id, PLAYLIST_FILE), 'utf8');
    expect(playlist.match(/#EXTINF/g)).toHaveLength(segs.length);
    expect(playlist.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
    // 16 kHz mono s16le ≈ 32000 bytes per second of media.
    expect(pcmBytes / 32000).toBeCloseTo(4, 0);
    const frames = h.ingest.loudness(session.id);
    expect(frames.length).toBeGreaterThanOrEqual(38);
    // A 440 Hz sine at lavfi's default amplitude (1/8) sits near −21 dBFS RMS.
    const mid = frames[10]!;
    expect(mid.rms).toBeGreaterThan(-25);
    expect(mid.rms).toBeLessThan(-17);
    expect(h.store.sessions.get(session.id)?.status).toBe('ended');
    expect(h.ingest.media(session.id)).toMatchObject({
      playlist: `sessions/${session.id}/${PLAYLIST_FILE}`,
      ended: true,
    });
  });

  it('paces a file as live with realtime', async () => {
    const h = await harness();
    const t0 = Date.now();
    const session = await h.ingest.start({
      source: { kind: 'file', path: silentClip, realtime: true },
    });
    const live = await waitForStatus(h, session.id, (s) => s.state === 'live' && s.segments >= 1);
    expect(live.video).toMatchObject({ width: 320, height: 240 });
    await h.ingest.whenAllEnded();
    expect(Date.now() - t0).toBeGreaterThan(2500);
    expect(h.ingest.loudness(session.id)).toEqual([]);
    expect(h.ingest.status(session.id).audio).toBeNull();
  });

  it('refuses garbage and missing files with a specific error, creating nothing', async () => {
    const h = await harness();
    const junk = join(fixtures, 'junk.mp4');
    writeFileSync(junk, Buffer.alloc(64 * 1024, 7));
    await expect(h.ingest.start({ source: { kind: 'file', path: junk } })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(
      h.ingest.start({ source: { kind: 'file', path: join(fixtures, 'nope.mp4') } }),
    ).rejects.toThrow(/No such file/);
    expect(h.store.sessions.list(10)).toEqual([]);
  });

  it('transcodes a codec MPEG-TS cannot carry (VP9/Opus webm)', async () => {
    const h = await harness();
    const webm = makeClip(fixtures, 'vp9', { seconds: 2, codec: 'libvpx-vp9', ext: 'webm' });
    const session = await h.ingest.start({ source: { kind: 'file', path: webm, realtime: false } });
    await h.ingest.whenAllEnded();
    expect(h.ingest.status(session.id).state).toBe('ended');
    expect(checkDvr(h, session.id).segs.length).toBeGreaterThanOrEqual(1);
  });

  it('marks a mid-stream resolution change', async () => {
    const h = await harness();
    const a = makeClip(fixtures, 'small', { seconds: 2, size: '320x240', ext: 'ts' });
    const b = makeClip(fixtures, 'large', { seconds: 2, size: '640x360', ext: 'ts' });
    const joined = join(fixtures, 'joined.ts');
    execFileSync(FFMPEG!, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      `concat:${a}|${b}`,
      '-c',
      'copy',
      '-y',
      joined,
    ]);
    expect(existsSync(joined)).toBe(true);
    const session = await h.ingest.start({
      source: { kind: 'file', path: joined, realtime: false },
    });
    await h.ingest.whenAllEnded();
    const markers = h.ingest.media(session.id).markers.filter((m) => m.kind === 'resolution');
    expect(markers.length).toBeGreaterThanOrEqual(1);
    const up = markers.find((m) => /to 640×360/.test(m.message));
    expect(up?.message).toMatch(/320×240 to 640×360/);
    // The change sits where the second part starts (2 s into the media), not at the end.
    expect(up!.mediaTime).toBeGreaterThan(1);
    expect(up!.mediaTime).toBeLessThan(3.5);
    expect(h.ingest.status(session.id).state).toBe('ended');
  });
});

describeFf('pull URLs', () => {
  let server: Server;
  let base: string;
  let hlsDir: string;
  beforeAll(async () => {
    hlsDir = mkdtempSync(join(tmpdir(), 'liveslice-hls-'));
    execFileSync(FFMPEG!, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      clip,
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_time',
      '1',
      '-hls_playlist_type',
      'vod',
      join(hlsDir, 'stream.m3u8'),
    ]);
    server = createServer((req, res) => {
      const f = join(hlsDir, (req.url ?? '/').slice(1).split('?')[0]!);
      if (!f.startsWith(hlsDir) || !existsSync(f)) return void res.writeHead(404).end();
      res.writeHead(200).end(readFileSync(f));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    rmSync(hlsDir, { recursive: true, force: true });
  });

  it('pulls an HLS stream from a local server to its end', async () => {
    const h = await harness();
    const session = await h.ingest.start({ source: { kind: 'url', url: `${base}/stream.m3u8` } });
    expect(session.source).toEqual({ kind: 'url', uri: `${base}/stream.m3u8` });
    await h.ingest.whenAllEnded();
    expect(h.ingest.status(session.id)).toMatchObject({ state: 'ended', code: 'eof' });
    expect(checkDvr(h, session.id).end).toBeCloseTo(4, 0);
  });

  it('pulls an HTTP-FLV stream', async () => {
    const h = await harness();
    execFileSync(FFMPEG!, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      clip,
      '-c',
      'copy',
      '-f',
      'flv',
      '-y',
      join(hlsDir, 'live.flv'),
    ]);
    const session = await h.ingest.start({ source: { kind: 'url', url: `${base}/live.flv` } });
    await h.ingest.whenAllEnded();
    expect(h.ingest.status(session.id)).toMatchObject({
      state: 'ended',
      code: 'eof',
      audio: { codec: 'aac' },
    });
    expect(checkDvr(h, session.id).end).toBeCloseTo(4, 0);
  });

  it('never lets a playlist make ffmpeg read a local file', async () => {
    const h = await harness();
    const secret = join(hlsDir, 'stream0.ts');
    writeFileSync(
      join(hlsDir, 'evil.m3u8'),
      `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile://${secret}\n#EXT-X-ENDLIST\n`,
    );
    let session = null;
    try {
      session = await h.ingest.start({ source: { kind: 'url', url: `${base}/evil.m3u8` } });
      await h.ingest.whenAllEnded();
    } catch (err) {
      expect(String(err)).not.toMatch(/^$/);
    }
    if (session) {
      expect(h.ingest.status(session.id).state).toBe('failed');
      expect(h.store.dvr.segments(session.id)).toEqual([]);
    }
  });

  it('fails fast and clearly for a URL nothing answers, creating nothing', async () => {
    const h = await harness();
    const port = await freePort();
    const t0 = Date.now();
    await expect(
      h.ingest.start({ source: { kind: 'url', url: `http://127.0.0.1:${port}/live.m3u8` } }),
    ).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/127\.0\.0\.1/),
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    await expect(
      h.ingest.start({ source: { kind: 'url', url: `${base}/missing.m3u8` } }),
    ).rejects.toThrow();
    await expect(
      h.ingest.start({ source: { kind: 'url', url: 'file:///etc/passwd' } }),
    ).rejects.toMatchObject({ code: 'bad_request' });
    expect(h.store.sessions.list(10)).toEqual([]);
  });
});

describeFf('RTMP push', () => {
  it('refuses a wrong key, and continues the same run when the publisher resumes (OBS retry)', async () => {
    const h = await harness({ listen: true });
    const ep = h.ingest.endpoints();
    expect(ep.rtmp.listening).toBe(true);
    const session = await h.ingest.start({ source: { kind: 'rtmp' } });
    expect(h.ingest.status(session.id).state).toBe('waiting');

    const wrong = publish(clip, `${ep.rtmp.serverUrl}/not-the-key`);
    expect(await exited(wrong)).not.toBe(0);
    expect(h.store.sessions.list(10)).toHaveLength(1);

    const url = `${ep.rtmp.serverUrl}/${ep.rtmp.streamKey}`;
    const first = publish(clip, url, { loop: true });
    await waitForStatus(h, session.id, (s) => s.state === 'live' && s.segments >= 2);
    await kill(first); // the network drops
    await waitForStatus(h, session.id, (s) => s.state === 'reconnecting');
    const before = h.ingest.status(session.id).mediaTimeS;

    const second = publish(clip, url, { loop: true });
    try {
      await waitForStatus(h, session.id, (s) => s.state === 'live' && s.mediaTimeS > before + 2);
    } finally {
      await kill(second);
    }
    await h.ingest.stop(session.id);
    const { segs } = checkDvr(h, session.id);
    expect(new Set(segs.map((s) => s.run))).toEqual(new Set([1]));
    const gap = h.ingest.media(session.id).markers.find((m) => m.kind === 'gap');
    expect(gap?.durationMs).toBeGreaterThan(0);
    expect(gap!.mediaTime).toBeGreaterThan(0);
    expect(
      eventsOf(h, 'ingest.status').some((s) => s.state === 'live' && s.video?.width === 320),
    ).toBe(true);
  }, 60_000);

  it('starts a new run on the same media clock when the publisher returns after the grace window', async () => {
    const h = await harness({ listen: true, graceMs: 500 });
    const ep = h.ingest.endpoints();
    const url = `${ep.rtmp.serverUrl}/${ep.rtmp.streamKey}`;
    const session = await h.ingest.start({ source: { kind: 'rtmp' } });
    const first = publish(clip, url, { loop: true });
    await waitForStatus(h, session.id, (s) => s.state === 'live' && s.segments >= 2);
    await kill(first);
    await vi.waitFor(() => expect(h.store.dvr.runs(session.id)[0]?.ended_at).not.toBeNull(), {
      timeout: 15_000,
    });
    const before = h.ingest.status(session.id).mediaTimeS;
    const second = publish(clip, url, { loop: true });
    try {
      await waitForStatus(h, session.id, (s) => s.runs === 2 && s.mediaTimeS > before + 2, 30_000);
    } finally {
      await kill(second);
    }
    await h.ingest.stop(session.id);
    const { segs } = checkDvr(h, session.id);
    expect(new Set(segs.map((s) => s.run))).toEqual(new Set([1, 2]));
    expect(h.ingest.media(session.id).markers.some((m) => m.kind === 'gap')).toBe(true);
    const playlist = readFileSync(join(h.dataDir, 'sessions', session.id, PLAYLIST_FILE), 'utf8');
    expect(playlist).toContain('#EXT-X-DISCONTINUITY');
  }, 60_000);

  it('restarts after kill -9 of the ingest child without losing or duplicating segments', async () => {
    const h = await harness({ listen: true });
    const ep = h.ingest.endpoints();
    const session = await h.ingest.start({ source: { kind: 'rtmp' } });
    const pub = publish(clip, `${ep.rtmp.serverUrl}/${ep.rtmp.streamKey}`, { loop: true });
    try {
      await waitForStatus(h, session.id, (s) => s.state === 'live' && s.segments >= 2);
      const ffmpegPids = execFileSync('pgrep', ['-f', `sessions/${session.id}/dvr`], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n');
      expect(ffmpegPids.length).toBeGreaterThanOrEqual(1);
      for (const pid of ffmpegPids) process.kill(Number(pid), 'SIGKILL');
      await waitForStatus(h, session.id, (s) => s.runs >= 2 && s.state === 'live', 30_000);
      const before = h.ingest.status(session.id).segments;
      await waitForStatus(h, session.id, (s) => s.segments >= before + 2);
    } finally {
      await kill(pub);
    }
    await h.ingest.stop(session.id);
    const { segs, onDisk } = checkDvr(h, session.id);
    // No partial file from the killed run is left, and nothing indexed is missing.
    expect(onDisk.sort()).toEqual(segs.map((s) => s.file.replace('dvr/', '')).sort());
    expect(h.ingest.media(session.id).markers.some((m) => m.kind === 'restart')).toBe(true);
  }, 60_000);

  it('records a publish that arrives with no session waiting', async () => {
    const h = await harness({ listen: true });
    const ep = h.ingest.endpoints();
    const pub = publish(silentClip, `${ep.rtmp.serverUrl}/${ep.rtmp.streamKey}`, { loop: true });
    const s = await vi.waitFor(
      () => {
        const list = h.store.sessions.list(5);
        if (list.length !== 1) throw new Error('no session yet');
        return list[0]!;
      },
      { timeout: 15_000 },
    );
    try {
      await waitForStatus(h, s.id, (st) => st.segments >= 1);
      expect(h.ingest.status(s.id).audio).toBeNull();
    } finally {
      await kill(pub);
    }
  }, 30_000);

  it('rotating the key cuts off the old one', async () => {
    const h = await harness({ listen: true });
    const old = h.ingest.endpoints().rtmp;
    const next = h.ingest.rotateKey().rtmp;
    expect(next.streamKey).not.toBe(old.streamKey);
    const pub = publish(clip, `${old.serverUrl}/${old.streamKey}`);
    expect(await exited(pub)).not.toBe(0);
    expect(h.store.sessions.list(5)).toEqual([]);
  }, 30_000);
});

describe.skipIf(
  missing(
    (!FFMPEG && NO_FFMPEG) || (!hasProtocol('srt') && 'this ffmpeg has no SRT protocol (libsrt)'),
  ),
)('SRT push', () => {
  it('accepts the passphrase, refuses a wrong one, and records through the relay', async () => {
    const h = await harness({ listen: true });
    const ep = h.ingest.endpoints();
    await vi.waitFor(() => expect(h.ingest.endpoints().srt.listening).toBe(true), {
      timeout: 5000,
    });
    const session = await h.ingest.start({ source: { kind: 'srt' } });
    const wrong = publish(
      clip,
      ep.srt.url.replace(/passphrase=[^&]+/, 'passphrase=wrongwrongwrong1'),
    );
    expect(await exited(wrong)).not.toBe(0);
    const pub = publish(clip, ep.srt.url, { loop: true });
    try {
      await waitForStatus(h, session.id, (s) => s.state === 'live' && s.segments >= 1, 30_000);
    } finally {
      await kill(pub);
    }
    await h.ingest.stop(session.id);
    expect(checkDvr(h, session.id).segs.length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe.skipIf(
  missing(
    (!FFMPEG && NO_FFMPEG) || (!hasProtocol('srt') && 'this ffmpeg has no SRT protocol (libsrt)'),
  ),
)('SRT pull', () => {
  it('pulls from an SRT listener (caller mode)', async () => {
    const h = await harness();
    const port = await freePort();
    // The source listens and, like an SRT server, takes a new caller after each one (LiveSlice's
    // probe is one connection and the ingest another).
    let stopped = false;
    let source: ReturnType<typeof spawn> | null = null;
    const args = ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip];
    const arm = (): void => {
      if (stopped) return;
      source = spawn(
        FFMPEG!,
        [...args, '-c', 'copy', '-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener`],
        {
          stdio: 'ignore',
        },
      );
      source.once('exit', () => setTimeout(arm, 100));
    };
    arm();
    try {
      const session = await vi.waitFor(
        () =>
          h.ingest.start({ source: { kind: 'url', url: `srt://127.0.0.1:${port}?mode=caller` } }),
        { timeout: 15_000, interval: 500 },
      );
      await waitForStatus(h, session.id, (s) => s.state === 'live' && s.segments >= 2, 30_000);
      await h.ingest.stop(session.id);
      expect(checkDvr(h, session.id).segs.length).toBeGreaterThanOrEqual(2);
    } finally {
      stopped = true;
      if (source) await kill(source);
    }
  }, 60_000);
});

describeFf('restart of the app', () => {
  it('reopens a recorded session, and closes one that was recording when the app died', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'liveslice-restart-'));
    const first = await harness({ dataDir });
    const s = await first.ingest.start({ source: { kind: 'file', path: clip, realtime: false } });
    await first.ingest.whenAllEnded();
    const segments = first.store.dvr.segments(s.id).length;
    // Pretend the app died mid-recording: status still live, a half-written segment on disk.
    first.store.sessions.setStatus(s.id, 'live');
    writeFileSync(join(dataDir, 'sessions', s.id, 'dvr', 'r009-000000.ts'), 'partial');
    await first.ingest.close();
    first.store.close();
    open.splice(open.indexOf(first), 1);

    const second = await harness({ dataDir });
    expect(second.store.sessions.get(s.id)?.status).toBe('ended');
    expect(existsSync(join(dataDir, 'sessions', s.id, 'dvr', 'r009-000000.ts'))).toBe(false);
    const media = second.ingest.media(s.id);
    expect(media).toMatchObject({ segments, ended: true });
    expect(media.markers.at(-1)?.message).toMatch(/stopped while recording/);
    expect(checkDvr(second, s.id).segs).toHaveLength(segments);
    mkdirSync(join(dataDir, 'x'), { recursive: true });
  });
});

describeFf('disk guard and retention', () => {
  it('warns below the warning threshold and stops cleanly below the stop threshold', async () => {
    const h = await harness();
    // Thresholds far above any real disk: the guard trips at its first check.
    h.store.settings.set({ key: 'disk.warnFreeGB', value: 100_000 });
    const warned = await h.ingest.start({ source: { kind: 'file', path: clip, realtime: true } });
    await waitForStatus(h, warned.id, (s) => s.code === 'disk_low');
    await h.ingest.whenAllEnded();
    expect(h.ingest.status(warned.id).state).toBe('ended');
    expect(h.ingest.media(warned.id).markers.some((m) => m.kind === 'disk')).toBe(true);

    h.store.settings.set({ key: 'disk.stopFreeGB', value: 100_000 });
    const stopped = await h.ingest.start({ source: { kind: 'file', path: clip, realtime: true } });
    await h.ingest.whenAllEnded();
    const st = h.ingest.status(stopped.id);
    expect(st.state).toBe('ended');
    expect(st.code).toBe('disk_full');
    expect(st.mediaTimeS).toBeLessThan(3.9);
    // What was recorded before the stop is intact and playable.
    const { segs } = checkDvr(h, stopped.id);
    expect(segs.length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(h.dataDir, 'sessions', stopped.id, PLAYLIST_FILE), 'utf8')).toContain(
      '#EXT-X-ENDLIST',
    );
  }, 30_000);

  it('prunes old DVR by the hour limit, keeping media a clip holds', async () => {
    const h = await harness();
    const a = await h.ingest.start({ source: { kind: 'file', path: clip, realtime: false } });
    await h.ingest.whenAllEnded();
    const segs = h.store.dvr.segments(a.id);
    const held = segs[1]!;
    h.store.dvr.addHold({
      session_id: a.id,
      media_start: held.media_start + 0.1,
      media_end: held.media_start + 0.2,
      reason: 'clip',
      created_at: Date.now(),
    });
    h.store.settings.set({ key: 'dvr.retentionHours', value: 1 });
    const before = await h.ingest.storageUsage();
    expect(before.dvrBytes).toBeGreaterThan(0);
    const after = await h.ingest.prune(Date.now() + 2 * 3600_000);
    expect(after.dvrBytes).toBe(held.bytes);
    const left = h.store.dvr.segments(a.id);
    expect(left.map((s) => s.seq)).toEqual([held.seq]);
    for (const s of segs) {
      expect(existsSync(join(h.dataDir, 'sessions', a.id, s.file))).toBe(s.seq === held.seq);
    }
    const playlist = readFileSync(join(h.dataDir, 'sessions', a.id, PLAYLIST_FILE), 'utf8');
    expect(playlist.match(/#EXTINF/g)).toHaveLength(1);
  });
});
