import { describe, expect, it } from 'vitest';
import { DEFAULT_LEXICON } from './default-lexicon';
import { Detector, type DetectorSizes } from './detector';
import { presetSettings } from './presets';
import type { Highlight, LoudFrame } from './types';

const NEUTRAL = [
  '我们今天聊聊这个面料的手感',
  '大家可以看看评论区的问题',
  'this one comes in three colors',
  '这个尺码偏大一点',
  '主播身高一米六五',
];
const TRIGGERS = ['最后三分钟', '全场五折', 'last call', '只剩三件了', '点击下方链接'];

describe('a 4 h session', () => {
  it('30,000 utterances and 4 h of loudness frames: bounded buffers, every highlight closed', () => {
    const hours = 4;
    const total = hours * 3600;
    const utterances = 30_000;
    const step = total / utterances; // 0.48 s
    const d = new Detector({
      settings: presetSettings('e-commerce'),
      lexicon: DEFAULT_LEXICON,
      events: { onHighlight: (h, change) => (change === 'final' ? finals.push(h) : undefined) },
    });
    const finals: Highlight[] = [];
    const peak: DetectorSizes = {
      utterances: 0,
      signals: 0,
      openHighlights: 0,
      recentFinals: 0,
      frames: 0,
      speechRates: 0,
      chatSlots: 0,
      recentStarts: 0,
      emitted: 0,
    };
    const sample = () => {
      const s = d.debugSizes();
      for (const k of Object.keys(peak) as Array<keyof DetectorSizes>)
        peak[k] = Math.max(peak[k], s[k]);
    };
    const t0 = performance.now();
    let u = 0;
    let frameBatch: LoudFrame[] = [];
    for (let f = 0; f < total * 10; f++) {
      const t = f / 10;
      // Speech around −30 dBFS, a loud cheer of 3 s every 7 minutes.
      const cheer = t % 420 >= 200 && t % 420 < 203;
      frameBatch.push({ t, rms: cheer ? -14 : -30 + Math.sin(f) * 2, peak: -10 });
      if (frameBatch.length === 5) {
        d.loudness(frameBatch); // every 500 ms, as the ingest sends them
        frameBatch = [];
      }
      while (u < utterances && (u + 1) * step - 0.05 <= t) {
        const start = u * step;
        const text = u % 97 === 0 ? TRIGGERS[(u / 97) % TRIGGERS.length]! : NEUTRAL[u % 5]!;
        d.utterance({ seq: u, start, end: start + step - 0.05, text });
        if (u % 5000 === 0) d.chat({ at: start, text: 'hi' });
        u++;
      }
      if (f % 6000 === 0) sample();
    }
    for (; u < utterances; u++) {
      const start = u * step;
      d.utterance({ seq: u, start, end: start + step - 0.05, text: NEUTRAL[u % 5]! });
    }
    d.finish();
    sample();
    const ms = performance.now() - t0;
    console.log(`4 h session: ${ms.toFixed(0)} ms, peak sizes ${JSON.stringify(peak)}`);

    expect(u).toBe(utterances);
    // Only the last few minutes are kept, however long the session.
    expect(peak.utterances).toBeLessThan(500); // ~135 s of 0.48 s utterances
    expect(peak.frames).toBeLessThanOrEqual(10 + 2 * 600);
    expect(peak.signals).toBeLessThan(100);
    expect(peak.openHighlights).toBeLessThan(20);
    expect(peak.recentFinals).toBeLessThan(100);
    expect(peak.speechRates).toBeLessThanOrEqual(20);
    expect(peak.recentStarts).toBeLessThanOrEqual(12);
    // Highlights: many, all final exactly once.
    const hs = d.highlights();
    expect(hs.length).toBeGreaterThan(200);
    expect(hs.every((h) => h.state === 'final')).toBe(true);
    expect(new Set(finals.map((h) => h.id)).size).toBe(finals.length);
    expect(finals.length).toBe(hs.length);
    // The 34 cheers were heard: alone below the e-commerce minimum score, or joining a trigger.
    const joined = hs.filter((h) => h.reasons.some((r) => r.kind === 'excitement')).length;
    expect(joined).toBeGreaterThan(0);
    expect(d.stats.dropped.minScore + joined).toBeGreaterThanOrEqual(30);
    // Fast enough to run live with room to spare: well under a second per media minute.
    expect(ms / (total / 60)).toBeLessThan(100);
  });
});
