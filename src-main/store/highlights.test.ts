import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DetectedHighlight, openStore, type Store } from './index';

let dir: string;
let store: Store;
let sessionId: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-hl-'));
  store = openStore(dir);
  sessionId = store.sessions.create('s', { kind: 'none', uri: null }).id;
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const detected = (over: Partial<DetectedHighlight> = {}): DetectedHighlight => ({
  id: `${sessionId}-h1`,
  sessionId,
  n: 1,
  start: 10,
  end: 20,
  score: 0.8,
  reasons: [{ kind: 'trigger', text: 'trigger "最后三分钟" (urgency)', at: 12, weight: 0.8 }],
  text: "最后三分钟 '; DROP TABLE highlights; --",
  category: 'urgency',
  state: 'provisional',
  delayMs: 0.4,
  ...over,
});

describe('highlights repo', () => {
  it('stores what the detector reports, literally, and lists by start', () => {
    store.highlights.upsert(detected({ id: `${sessionId}-h2`, n: 2, start: 40, end: 50 }));
    const h = store.highlights.upsert(detected(), 1000);
    expect(h).toMatchObject({
      start: 10,
      end: 20,
      detectedStart: 10,
      detectedEnd: 20,
      review: 'new',
      state: 'provisional',
      text: "最后三分钟 '; DROP TABLE highlights; --",
      createdAt: 1000,
    });
    expect(store.highlights.list(sessionId).map((x) => x.start)).toEqual([10, 40]);
    expect(store.highlights.maxN(sessionId)).toBe(2);
  });

  it('keeps the operator’s nudges and decision when the detector updates the window', () => {
    store.highlights.upsert(detected());
    store.highlights.review(`${sessionId}-h1`, 'accepted');
    store.highlights.nudge(`${sessionId}-h1`, 9.5, 21);
    const h = store.highlights.upsert(detected({ start: 8, end: 25, state: 'final', delayMs: 99 }));
    expect(h).toMatchObject({
      start: 9.5,
      end: 21,
      detectedStart: 8,
      detectedEnd: 25,
      review: 'accepted',
      state: 'final',
      delayMs: 0.4, // the first emission's delay is kept
    });
  });

  it('follows the detector while not nudged', () => {
    store.highlights.upsert(detected());
    expect(store.highlights.upsert(detected({ end: 30 })).end).toBe(30);
  });

  it('finalizes what a crashed run left open, and only that session', () => {
    const other = store.sessions.create('o', { kind: 'none', uri: null }).id;
    store.highlights.upsert(detected());
    store.highlights.upsert(detected({ id: `${other}-h1`, sessionId: other }));
    const closed = store.highlights.finalizeOpen(sessionId);
    expect(closed.map((h) => h.state)).toEqual(['final']);
    expect(store.highlights.get(`${other}-h1`)?.state).toBe('provisional');
    expect(store.highlights.finalizeAll()).toBe(1);
    expect(store.highlights.get(`${other}-h1`)?.state).toBe('final');
  });

  it('returns null for unknown ids and keeps marks in time order', () => {
    expect(store.highlights.review('nope', 'accepted')).toBeNull();
    expect(store.highlights.nudge('nope', 1, 2)).toBeNull();
    store.highlights.addMark(sessionId, { at: 30, source: 'file', note: null });
    store.highlights.addMark(sessionId, { at: 5, source: 'hotkey', note: 'wow' });
    expect(store.highlights.marks(sessionId)).toEqual([
      { at: 5, source: 'hotkey', note: 'wow' },
      { at: 30, source: 'file', note: null },
    ]);
  });

  it('deletes a session’s highlights with the session', () => {
    store.highlights.upsert(detected());
    store.db.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId);
    expect(store.highlights.list(sessionId)).toEqual([]);
  });
});
