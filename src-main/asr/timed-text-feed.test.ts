import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Utterance } from '../api/contract';
import { createEventBus } from '../api/events';
import { openStore, type Store } from '../store';
import { loadTimedText, TimedTextFeed } from './timed-text-feed';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-feed-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TimedTextFeed', () => {
  it('releases each cue once the media clock passes its end, in order, and the rest at the end', () => {
    const s = store.sessions.create('replay', { kind: 'file', uri: '/x.mp4' });
    const bus = createEventBus();
    const seen: Utterance[] = [];
    bus.on('transcript.utterance', (u) => seen.push(u));
    const cues = [
      { start: 0.5, end: 1.8, text: '最後三分鐘！', line: 3 },
      { start: 2, end: 3.5, text: 'Last call', line: 6 },
      { start: 9, end: 12, text: 'after the media', line: 9 },
    ];
    const feed = new TimedTextFeed(s.id, cues, store, bus);
    feed.advance(1.7);
    expect(seen).toEqual([]);
    feed.advance(2.0);
    expect(seen.map((u) => u.text)).toEqual(['最後三分鐘！']);
    feed.advance(4);
    feed.advance(4);
    expect(seen.map((u) => u.seq)).toEqual([0, 1]);
    feed.advance(Infinity);
    expect(seen.map((u) => u.text)).toEqual(['最後三分鐘！', 'Last call', 'after the media']);
    expect(feed.remaining).toBe(0);
    expect(store.transcript.list(s.id)).toEqual(seen);
    // Stored as written; the normalized form is only for matching.
    const norm = store.db
      .prepare('SELECT norm FROM utterances WHERE session_id = ? ORDER BY seq')
      .pluck()
      .all(s.id);
    expect(norm).toEqual(['最后三分钟', 'lastcall', 'afterthemedia']);
  });

  it('loads files: refuses non-UTF-8 and reports the bad line', () => {
    const bin = join(dir, 'x.srt');
    writeFileSync(bin, Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]));
    expect(() => loadTimedText(bin)).toThrow(TypeError);
    const bad = join(dir, 'y.vtt');
    writeFileSync(bad, 'WEBVTT\n\n00:01.000 --> 00:00.000\nx\n');
    expect(() => loadTimedText(bad)).toThrow(/y\.vtt:3:/);
  });
});
