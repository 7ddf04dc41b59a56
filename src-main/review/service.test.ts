/**
 * The review stage in the engine, on real media and a real render: prompts filled from the
 * highlight (a transcript line can never inject template syntax), the sensitive-word check
 * holding a clip back, approve / undo / override with its log, caption correction re-rendering,
 * the cover frame, and the monitoring records and export.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine';
import { createLogger } from '../log/logger';
import { FFMPEG, makeClip, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import { qualityScore } from './service';

let dir: string;
let media: string;
let vtt: string;
let engine: Engine | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-review-'));
  if (FFMPEG) media = makeClip(dir, 'av', { seconds: 24, size: '640x360' });
  vtt = join(dir, 's.vtt');
  writeFileSync(
    vtt,
    'WEBVTT\n\n00:00.500 --> 00:02.000\n欢迎来到直播间\n\n' +
      '00:02.500 --> 00:04.000\n全场五折！${host} 送给大家\n\n' +
      '00:16.000 --> 00:18.000\n最后三分钟，加微信下单\n',
  );
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('quality: score, length fit and caption coverage', () => {
  expect(qualityScore(1, 20, 20)).toBe(1);
  expect(qualityScore(0.5, 20, 0)).toBeCloseTo(0.5, 3);
  // Too short and too long both cost.
  expect(qualityScore(1, 4, 4)).toBeLessThan(qualityScore(1, 8, 8));
  expect(qualityScore(1, 90, 90)).toBeLessThan(qualityScore(1, 60, 60));
  expect(qualityScore(1, 0, 0)).toBeCloseTo(0.6, 3);
});

it.skipIf(missing(FFMPEG ? null : NO_FFMPEG))(
  'review queue: prompts, word safety, approve/undo/override, captions, cover, monitoring',
  async () => {
    const eng = createEngine({
      dataDir: join(dir, 'd'),
      logger: createLogger({ console: false }),
      transport: 'websocket',
    });
    engine = eng;
    await eng.ready;
    const set = eng.handlers['settings.set'];
    const ctx = { transport: 'websocket' } as never;
    await set({ key: 'review.host', value: '小美' }, ctx);
    await set({ key: 'safety.image', value: false }, ctx);
    await set({ key: 'review.titleTemplate', value: '${product}' }, ctx);
    eng.review.setProducts([{ name: '保湿面霜', price: '¥99' }]);
    const readies: string[][] = [];
    eng.bus.on('review.ready', (r) => readies.push(r.clipIds));
    const session = await eng.ingest.start({
      source: { kind: 'file', path: media, realtime: false },
      transcript: vtt,
    });
    await eng.ingest.activeIngest(session.id)?.whenEnded();
    await eng.keywords.endSession(session.id);
    eng.detect.endSession(session.id);
    await eng.clips.settle(session.id, 120_000);
    await eng.review.settle(30_000);

    const items = eng.review.items(session.id);
    expect(items.length).toBe(2);
    const byText = (s: string) => items.find((i) => i.highlight.text.includes(s))!;
    const sale = byText('全场五折');
    const wechat = byText('加微信');
    expect(sale.clip.state).toBe('ready');

    // The prompt: host and product filled; the transcript's "${host}" stays literal.
    expect(sale.prompt?.values['host']).toBe('小美');
    expect(sale.prompt?.text).toContain('小美直播间高光');
    expect(sale.prompt?.values['quote']).toContain('${host}');
    expect(sale.prompt?.text).toContain('${host} 送给大家');
    expect(sale.prompt?.title).toBe('保湿面霜');
    // A preview of the operator's own text, and a template error returned (not thrown).
    expect(eng.review.preview(sale.highlight.id, '${product} ${price}').text).toBe('保湿面霜 ¥99');
    expect(eng.review.preview(sale.highlight.id, '${nope}').error).toMatch(/nope/);

    // Safety: the sale passes, the WeChat line is held back with the word named.
    expect(sale.safety.state).toBe('ok');
    expect(wechat.safety.state).toBe('flagged');
    expect(wechat.safety.reasons.join(' ')).toContain('加微信');
    expect(wechat.safety.words.some((w) => w.field === 'caption')).toBe(true);
    expect(eng.review.heldBack(session.id).map((h) => h.id)).toEqual([wechat.clip.id]);
    expect(sale.quality).toBeGreaterThan(0);
    // The operator is told (batched: a burst of clips is one notice).
    for (let i = 0; i < 100 && readies.flat().length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(readies.flat().sort()).toEqual([sale.clip.id, wechat.clip.id].sort());

    // Approve both: the flagged one is refused with its reason.
    const r1 = eng.review.decide([sale.clip.id, wechat.clip.id], 'approved');
    expect(r1.refused.map((x) => x.clipId)).toEqual([wechat.clip.id]);
    expect(r1.refused[0]?.reason).toMatch(/override/);
    expect(eng.review.item(sale.clip.id).decision).toBe('approved');
    // Undo reverts the whole last decision.
    eng.review.undo(session.id);
    expect(eng.review.item(sale.clip.id).decision).toBe('pending');
    // An override (logged with its reason) lets the flagged clip be approved.
    expect(() => eng.review.override(sale.clip.id, 'not flagged')).toThrow(/not held back/);
    eng.review.override(wechat.clip.id, '主播口误，已核实');
    expect(eng.review.decide([wechat.clip.id], 'approved').refused).toEqual([]);
    const log = eng.review.repo.history(wechat.clip.id);
    expect(log.map((e) => e.action)).toEqual(['override', 'decide']);
    expect(log[0]?.note).toBe('主播口误，已核实');
    expect(eng.review.heldBack(session.id)).toEqual([]);

    // The cover frame.
    const withCover = await eng.review.cover(sale.clip.id, 1);
    expect(withCover.cover?.at).toBe(1);
    expect(existsSync(join(eng.dataDir, withCover.cover!.path!))).toBe(true);
    await expect(eng.review.cover(sale.clip.id, 999)).rejects.toThrow(/past the clip's end/);

    // Correcting a caption re-renders the clip with it; the new render replaces it in the queue.
    const cues = eng.review.captions(sale.clip.id);
    const cue = cues.find((c) => c.original.includes('全场五折'))!;
    expect(cue.start).toBeGreaterThanOrEqual(0);
    const next = eng.review.setCaptions(sale.clip.id, [{ index: cue.index, text: '全场五折!!' }]);
    expect(next.id).not.toBe(sale.clip.id);
    await eng.clips.settle(session.id, 120_000);
    await eng.review.settle(30_000);
    const after = eng.review.captions(next.id).find((c) => c.index === cue.index)!;
    expect(after).toMatchObject({ text: '全场五折!!', edited: true });
    const current = eng.review.items(session.id).map((i) => i.clip.id);
    expect(current).toContain(next.id);
    expect(current).not.toContain(sale.clip.id);
    expect(() => eng.review.setCaptions(next.id, [{ index: 9999, text: 'x' }])).toThrow(
      /not in clip/,
    );

    // Monitoring: a record per current clip with its stages, and a CSV export.
    const records = eng.monitor.records(session.id);
    expect(records.length).toBe(2);
    const rec = records.find((r) => r.clipId === next.id)!;
    expect(rec.stages.renderMs).toBeGreaterThan(0);
    expect(rec.stages.queueMs).not.toBeNull();
    expect(rec.stages.safetyMs).not.toBeNull();
    expect(rec.prompt).toContain('小美');
    const csv = eng.monitor.export('csv', session.id);
    expect(csv.text.split('\r\n')[0]).toContain('clip_id,highlight_id');
    expect(csv.text.split('\r\n').filter(Boolean).length).toBe(3);
    const json = JSON.parse(eng.monitor.export('json', session.id).text) as { records: unknown[] };
    expect(json.records.length).toBe(2);
  },
  300_000,
);
