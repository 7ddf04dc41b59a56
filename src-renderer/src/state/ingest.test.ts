import { describe, expect, it } from 'vitest';
import type { IngestStatus, SessionMarker } from '../contract';
import { LoudnessRing } from '../live/loudnessRing';
import { mergeMarkers, reduceIngestStatus, reduceLoudness } from './ingest';

const status = (sessionId: string, at: number, over: Partial<IngestStatus> = {}): IngestStatus => ({
  sessionId,
  state: 'live',
  message: null,
  code: null,
  video: null,
  audio: null,
  bitrateKbps: null,
  fps: null,
  droppedFrames: 0,
  lateFrames: 0,
  lagMs: null,
  mediaTimeS: at / 1000,
  segments: 0,
  bytes: 0,
  runs: 1,
  at,
  ...over,
});

const marker = (mediaTime: number, at: number, kind: SessionMarker['kind'] = 'gap') => ({
  sessionId: 'sess_aaaaaaaa',
  kind,
  mediaTime,
  at,
  durationMs: null,
  message: `${kind} at ${mediaTime}`,
});

describe('reduceIngestStatus', () => {
  it('keeps the latest status per session', () => {
    let map = reduceIngestStatus({}, status('sess_aaaaaaaa', 1000));
    map = reduceIngestStatus(map, status('sess_bbbbbbbb', 1500, { state: 'waiting' }));
    map = reduceIngestStatus(map, status('sess_aaaaaaaa', 2000, { state: 'stalled' }));
    expect(map['sess_aaaaaaaa']?.state).toBe('stalled');
    expect(map['sess_bbbbbbbb']?.state).toBe('waiting');
  });

  it('ignores an older status that arrives late (a slow ingest.status call)', () => {
    const map = reduceIngestStatus({}, status('sess_aaaaaaaa', 2000, { state: 'ended' }));
    const same = reduceIngestStatus(map, status('sess_aaaaaaaa', 1000, { state: 'live' }));
    expect(same).toBe(map);
    expect(same['sess_aaaaaaaa']?.state).toBe('ended');
  });

  it('an equal timestamp replaces (the event after the call wins)', () => {
    const map = reduceIngestStatus({}, status('sess_aaaaaaaa', 1000, { segments: 1 }));
    expect(
      reduceIngestStatus(map, status('sess_aaaaaaaa', 1000, { segments: 2 }))['sess_aaaaaaaa']
        ?.segments,
    ).toBe(2);
  });
});

describe('mergeMarkers', () => {
  it('merges without duplicates, sorted by media time', () => {
    const a = [marker(30, 3), marker(10, 1)];
    const merged = mergeMarkers(a, [marker(20, 2, 'stall'), marker(10, 1)]);
    expect(merged.map((m) => [m.mediaTime, m.kind])).toEqual([
      [10, 'gap'],
      [20, 'stall'],
      [30, 'gap'],
    ]);
    expect(mergeMarkers(undefined, [])).toEqual([]);
  });
});

describe('reduceLoudness', () => {
  const frames = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ t: (from + i) / 10, rms: -20, peak: -10 }));

  it('creates a ring per session and appends in place afterwards', () => {
    const first = reduceLoudness({}, 'sess_aaaaaaaa', frames(0, 5));
    const ring = first['sess_aaaaaaaa'];
    expect(ring).toBeInstanceOf(LoudnessRing);
    expect(ring?.size).toBe(5);
    const v = ring?.version;
    const again = reduceLoudness(first, 'sess_aaaaaaaa', frames(5, 5));
    expect(again).toBe(first);
    expect(ring?.size).toBe(10);
    expect(ring?.version).toBe((v ?? 0) + 1);
  });

  it('bounds each ring and the number of sessions kept', () => {
    let rings = reduceLoudness({}, 's1', frames(0, 50), { capacity: 20, maxSessions: 2 });
    expect(rings['s1']?.size).toBe(20);
    rings = reduceLoudness(rings, 's2', frames(0, 1), { maxSessions: 2 });
    rings = reduceLoudness(rings, 's3', frames(0, 1), { maxSessions: 2 });
    expect(Object.keys(rings)).toEqual(['s2', 's3']);
  });
});
