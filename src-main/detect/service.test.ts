/**
 * Detection inside the engine: a real file session with a VTT, the API as the UI calls it
 * (review, nudge, mark, thumbnail, lexicon), and events as the UI receives them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, Highlight, MethodName } from '../api/contract';
import { dispatch } from '../api/dispatch';
import { createEngine, type Engine } from '../engine';
import { createLogger } from '../log/logger';
import { FFMPEG, makeClip } from '../testing/media';

let dir: string;
let clip: string;
let vtt: string;
let engine: Engine | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-detect-svc-'));
  if (FFMPEG) clip = makeClip(dir, 'av', { seconds: 12 });
  vtt = join(dir, 'subs.vtt');
  writeFileSync(
    vtt,
    'WEBVTT\n\n00:00.500 --> 00:02.000\n欢迎来到直播间\n\n00:02.500 --> 00:04.000\n全場五折！\n\n' +
      '00:04.500 --> 00:06.000\n这款面霜很好用\n\n00:09.000 --> 00:10.500\n谢谢大家\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await engine?.close();
  engine = null;
});

async function call<M extends MethodName>(m: M, input: unknown) {
  const r = await dispatch(engine!.handlers, m, input, { transport: 'test' });
  return r;
}

function start(name: string): Engine {
  engine = createEngine({
    dataDir: join(dir, name),
    logger: createLogger({ console: false }),
    transport: 'websocket',
  });
  return engine;
}

(FFMPEG ? describe : describe.skip)('detection in the engine', () => {
  it('proposes, finalizes, and takes the operator’s review and nudges', async () => {
    const eng = start('d1');
    await eng.ready;
    const seen: Array<EventPayload<'highlight.upserted'>> = [];
    eng.bus.on('highlight.upserted', (h) => seen.push(h));
    const session = await eng.ingest.start({
      source: { kind: 'file', path: clip, realtime: false },
      transcript: vtt,
    });
    await eng.ingest.activeIngest(session.id)?.whenEnded();
    await eng.keywords.endSession(session.id);
    eng.detect.endSession(session.id);

    const list = await call('highlights.list', { sessionId: session.id });
    expect(list.ok).toBe(true);
    const hs = (list as { value: { highlights: Highlight[] } }).value.highlights;
    expect(hs).toHaveLength(1);
    const h = hs[0]!;
    expect(h.state).toBe('final');
    expect(h.text).toContain('全場五折'); // stored as written (traditional), matched normalized
    expect(h.start).toBeLessThanOrEqual(2.5);
    expect(h.end).toBeGreaterThanOrEqual(4);
    // Events: first a provisional one, the final one last.
    expect(seen[0]!.state).toBe('provisional');
    expect(seen.at(-1)!.state).toBe('final');

    const accepted = await call('highlights.review', { id: h.id, review: 'accepted' });
    expect(accepted).toMatchObject({ ok: true, value: { review: 'accepted' } });
    const nudged = await call('highlights.nudge', { id: h.id, start: h.start + 0.5, end: h.end });
    expect(nudged).toMatchObject({
      ok: true,
      value: { start: h.start + 0.5, detectedStart: h.start },
    });
    expect(await call('highlights.nudge', { id: h.id, start: 5, end: 4 })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/out point/) },
    });
    expect(await call('highlights.nudge', { id: h.id, start: 500, end: 501 })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/past the recorded media/) },
    });
    expect(await call('highlights.review', { id: 'nope', review: 'accepted' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    // A mark on an ended session is refused with the reason.
    expect(await call('highlights.mark', { sessionId: session.id })).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/not live/) },
    });
    // The thumbnail is a JPEG inside the data directory, made once.
    const thumb = await call('highlights.thumbnail', { id: h.id });
    expect(thumb).toMatchObject({
      ok: true,
      value: { path: `sessions/${session.id}/thumbs/${h.id}.jpg` },
    });
    const jpeg = readFileSync(join(eng.dataDir, `sessions/${session.id}/thumbs/${h.id}.jpg`));
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
  }, 60_000);

  it('marks the live edge while live, and applies a new lexicon to running sessions', async () => {
    const eng = start('d2');
    await eng.ready;
    const session = await eng.ingest.start({
      source: { kind: 'file', path: clip, realtime: true },
    });
    // Wait until some media is in.
    await new Promise<void>((resolve) => {
      const off = eng.bus.on('ingest.status', (s) => {
        if (s.sessionId === session.id && s.mediaTimeS >= 1) {
          off();
          resolve();
        }
      });
    });
    const marked = await call('highlights.mark', { sessionId: session.id, source: 'button' });
    expect(marked.ok).toBe(true);
    const m = (marked as { value: Highlight }).value;
    expect(m.score).toBe(1);
    expect(m.category).toBe('manual');
    expect(m.start).toBe(0); // clamped at the start of the media
    expect(m.reasons.some((r) => r.kind === 'mark')).toBe(true);
    expect(eng.store.highlights.marks(session.id)).toHaveLength(1);

    const dup = {
      version: 1,
      entries: [
        { id: 'a', pattern: '最后三分钟', category: 'urgency', weight: 0.9, lang: 'zh' },
        { id: 'b', pattern: '最後三分鐘', category: 'urgency', weight: 0.9, lang: 'zh' },
      ],
    };
    const refused = await call('lexicon.set', { lexicon: dup });
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect((refused as { error: { message: string } }).error.message).toMatch(/'b'|"b"|\bb\b/);
    const changed: unknown[] = [];
    eng.bus.on('lexicon.changed', (l) => changed.push(l));
    const ok = await call('lexicon.set', { lexicon: { version: 1, entries: [dup.entries[0]] } });
    expect(ok).toMatchObject({ ok: true, value: { builtIn: false } });
    expect(changed).toHaveLength(1);
    expect(await call('lexicon.reset', {})).toMatchObject({ ok: true, value: { builtIn: true } });
    const presets = await call('detect.presets', {});
    expect(
      (presets as { value: { presets: Array<{ name: string }> } }).value.presets.map((p) => p.name),
    ).toEqual(expect.arrayContaining(['e-commerce', 'gaming', 'talk-show']));
    await eng.ingest.stop(session.id);
  }, 60_000);

  it('refuses a chat feed that is not a ws:// URL before starting anything', async () => {
    const eng = start('d3');
    await eng.ready;
    const r = await call('ingest.start', {
      source: { kind: 'file', path: clip },
      chat: 'http://127.0.0.1:1/chat',
    });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/ws:\/\/ or wss:\/\//) },
    });
    expect(eng.store.sessions.list(10)).toHaveLength(0);
  });
});
