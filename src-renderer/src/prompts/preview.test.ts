import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Outcome } from '../state/engine';
import { deferred } from '../testing/fakeClient';
import { createPreviewer, insertAt, PREVIEW_DELAY_MS, type PreviewState } from './preview';

type Answer = Outcome<{ text: string; error: string | null }>;

/** The engine's fill: `${host}` → Anna, by literal replacement of the template's own variable. */
const fillAnna = async (text: string): Promise<Answer> => ({
  ok: true,
  value: { text: text.split('${host}').join('Anna'), error: null },
});

describe('the live preview', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks once, after the pause, with the last text typed', async () => {
    const asked: string[] = [];
    const states: PreviewState[] = [];
    const p = createPreviewer({
      fill: (text) => {
        asked.push(text);
        return fillAnna(text);
      },
      onChange: (s) => states.push(s),
    });
    p.request('Hi ');
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS - 50);
    p.request('Hi $');
    p.request('Hi ${host}');
    expect(asked).toEqual([]);
    expect(states.at(-1)?.status).toBe('waiting');
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS - 1);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual(['Hi ${host}']);
    expect(states.at(-1)).toEqual({ status: 'ready', text: 'Hi Anna', error: null });
    p.dispose();
  });

  it('drops an answer that comes back after a later request', async () => {
    const slow = deferred<Answer>();
    const fast = deferred<Answer>();
    const answers = [slow, fast];
    const states: PreviewState[] = [];
    const p = createPreviewer({
      fill: () => answers.shift()!.promise,
      onChange: (s) => states.push(s),
    });
    p.now('first');
    p.request('second');
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS);
    fast.resolve({ ok: true, value: { text: 'SECOND', error: null } });
    await vi.advanceTimersByTimeAsync(0);
    slow.resolve({ ok: true, value: { text: 'FIRST', error: null } });
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)?.text).toBe('SECOND');
    expect(states.some((s) => s.text === 'FIRST')).toBe(false);
    p.dispose();
  });

  it('shows a template error and keeps the last good text', async () => {
    const replies: Answer[] = [
      { ok: true, value: { text: 'Hi Anna', error: null } },
      { ok: true, value: { text: '', error: 'unknown variable ${hots}' } },
      { ok: false, message: 'engine went away', code: 'unavailable' },
    ];
    const states: PreviewState[] = [];
    const p = createPreviewer({
      fill: async () => replies.shift()!,
      onChange: (s) => states.push(s),
    });
    p.now('Hi ${host}');
    await vi.advanceTimersByTimeAsync(0);
    p.now('Hi ${hots}');
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({
      status: 'failed',
      text: 'Hi Anna',
      error: 'unknown variable ${hots}',
    });
    p.now('x');
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ status: 'failed', text: 'Hi Anna', error: 'engine went away' });
    p.dispose();
  });

  it('says nothing more once disposed', async () => {
    const asked: string[] = [];
    const states: PreviewState[] = [];
    const p = createPreviewer({
      fill: (t) => {
        asked.push(t);
        return fillAnna(t);
      },
      onChange: (s) => states.push(s),
    });
    p.request('late');
    const before = states.length;
    p.dispose();
    await vi.advanceTimersByTimeAsync(PREVIEW_DELAY_MS * 2);
    expect(asked).toEqual([]);
    expect(states).toHaveLength(before);
  });
});

describe('insertAt', () => {
  it.each([
    ['Hi ', { start: 3, end: 3 }, '${host}', 'Hi ${host}', 10],
    ['Hi X!', { start: 3, end: 4 }, '${host}', 'Hi ${host}!', 10],
    ['', { start: 5, end: 9 }, '${quote}', '${quote}', 8],
    ['ab', { start: 2, end: 0 }, '-', 'ab-', 3],
  ])('%j at %j + %j → %j', (value, sel, insert, want, caret) => {
    expect(insertAt(value, sel, insert)).toEqual({ value: want, caret });
  });
});
