import { describe, expect, it } from 'vitest';
import type { MonitorRecord, MonitorSample } from '../contract';
import {
  bucketRates,
  formatMs,
  linePath,
  mergeSamples,
  niceMax,
  quantile,
  queueDepth,
  queueKinds,
  series,
  stageStats,
  totals,
} from './monitor';

const pulse = (at: number, over: Partial<MonitorSample> = {}): MonitorSample => ({
  at,
  queues: {},
  ready: 0,
  published: 0,
  ...over,
});

function record(stages: Partial<MonitorRecord['stages']>): MonitorRecord {
  return {
    clipId: 'c',
    highlightId: 'sess_aaaaaaaa-h1',
    sessionId: 'sess_aaaaaaaa',
    createdAt: 1,
    engine: 'clip',
    encoder: null,
    prompt: '',
    result: '',
    quality: null,
    decision: 'pending',
    safety: 'ok',
    stages: {
      detectMs: null,
      queueMs: null,
      renderMs: null,
      safetyMs: null,
      publishMs: null,
      momentToClipMs: null,
      ...stages,
    },
    published: [],
  };
}

describe('mergeSamples', () => {
  it('appends in order, keeps the newest max, and returns the same list for nothing', () => {
    const a = mergeSamples([], [pulse(1000), pulse(2000)], 3);
    const b = mergeSamples(a, [pulse(3000), pulse(4000)], 3);
    expect(b.map((s) => s.at)).toEqual([2000, 3000, 4000]);
    expect(mergeSamples(b, [], 3)).toBe(b);
  });

  it('sorts out-of-order pulses and lets a later copy of the same second win', () => {
    const a = mergeSamples([pulse(1000), pulse(3000)], [pulse(2000), pulse(3000, { ready: 2 })]);
    expect(a.map((s) => [s.at, s.ready])).toEqual([
      [1000, 0],
      [2000, 0],
      [3000, 2],
    ]);
  });
});

describe('stage statistics', () => {
  it.each([
    [[], 0.5, null],
    [[5], 0.5, 5],
    [[1, 2, 3, 4], 0.5, 2],
    [[1, 2, 3, 4], 0.95, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 0.95, 95],
  ])('quantile(%j, %f) = %s', (values, q, want) => expect(quantile(values, q)).toBe(want));

  it('skips stages a record did not reach and bad values', () => {
    const stats = stageStats([
      record({ renderMs: 300, momentToClipMs: 4000 }),
      record({ renderMs: 100, momentToClipMs: 2000, publishMs: 50 }),
      record({ renderMs: 200, safetyMs: Number.NaN }),
    ]);
    const render = stats.find((s) => s.stage === 'renderMs');
    expect(render).toEqual({ stage: 'renderMs', count: 3, median: 200, p95: 300, max: 300 });
    expect(stats.find((s) => s.stage === 'safetyMs')?.count).toBe(0);
    expect(stats.find((s) => s.stage === 'safetyMs')?.median).toBeNull();
    expect(stats.find((s) => s.stage === 'momentToClipMs')?.median).toBe(2000);
    expect(stats.map((s) => s.stage)).toEqual([
      'detectMs',
      'queueMs',
      'renderMs',
      'safetyMs',
      'publishMs',
      'momentToClipMs',
    ]);
  });
});

describe('series and throughput', () => {
  const now = 1_000_000;
  const pulses = [
    pulse(now - 700_000, { ready: 9 }), // outside the window
    pulse(now - 599_000, { ready: 1 }),
    pulse(now - 5_000, { ready: 2, published: 1 }),
    pulse(now, {
      ready: 1,
      queues: { render: { queued: 3, running: 1 }, publish: { queued: 0, running: 1 } },
    }),
  ];

  it('keeps the window and times points relative to now', () => {
    expect(series(pulses, now, (s) => s.ready)).toEqual([
      { t: -599, v: 1 },
      { t: -5, v: 2 },
      { t: 0, v: 1 },
    ]);
  });

  it('averages per-second counts over buckets', () => {
    const rates = bucketRates(pulses, now, (s) => s.ready, 10);
    expect(rates).toHaveLength(60);
    expect(rates[0]).toEqual({ t: -590, v: 0.1 });
    expect(rates.at(-1)).toEqual({ t: 0, v: 0.3 });
    expect(rates.slice(1, -1).every((p) => p.v === 0)).toBe(true);
  });

  it('totals the window', () => {
    expect(totals(pulses, now)).toEqual({ ready: 4, published: 1, seconds: 599 });
    expect(totals([], now)).toEqual({ ready: 0, published: 0, seconds: 0 });
  });

  it('lists queue kinds and their depth', () => {
    expect(queueKinds(pulses)).toEqual(['publish', 'render']);
    expect(queueDepth(pulses[3]!, 'render')).toBe(4);
    expect(queueDepth(pulses[3]!, 'nope')).toBe(0);
    expect(queueDepth(pulse(0, { queues: {} }), 'constructor')).toBe(0);
  });
});

describe('chart geometry', () => {
  it.each([
    [0, 1],
    [0.3, 1],
    [1, 1],
    [1.2, 2],
    [3, 5],
    [7, 10],
    [12, 20],
    [450, 500],
    [Number.NaN, 1],
  ])('niceMax(%f) = %f', (v, want) => expect(niceMax(v)).toBe(want));

  it('maps the window left to right and values bottom to top, clamped', () => {
    const d = linePath(
      [
        { t: -600, v: 0 },
        { t: -300, v: 5 },
        { t: 0, v: 20 },
      ],
      { w: 300, h: 100, windowS: 600, max: 10 },
    );
    expect(d).toBe('M0.0 100.0 L150.0 50.0 L300.0 0.0');
    expect(linePath([], { w: 1, h: 1, windowS: 1, max: 1 })).toBe('');
  });

  it.each([
    [null, '—'],
    [850.4, '850 ms'],
    [4200, '4.2 s'],
    [125_000, '2 min 5 s'],
  ])('formatMs(%s) = %s', (ms, want) => expect(formatMs(ms)).toBe(want));
});
