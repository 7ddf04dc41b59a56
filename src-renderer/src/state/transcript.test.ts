import { describe, expect, it } from 'vitest';
import type { Utterance } from '../contract';
import {
  addUtterances,
  beginLoad,
  endLoad,
  MAX_TRANSCRIPT_SESSIONS,
  mergeUtterances,
  setPartial,
  type Transcripts,
} from './transcript';

const u = (seq: number, sessionId = 'sess_a', text = `line ${seq}`): Utterance => ({
  sessionId,
  seq,
  start: seq * 2,
  end: seq * 2 + 1.5,
  text,
  source: 'timed-text',
});
const seqs = (list: readonly Utterance[]) => list.map((x) => x.seq);

describe('mergeUtterances', () => {
  it('appends newer lines in order', () => {
    expect(seqs(mergeUtterances([u(0), u(1)], [u(2), u(3)]))).toEqual([0, 1, 2, 3]);
  });

  it('ignores duplicates by seq (the copy already held wins) and sorts stragglers in', () => {
    const held = [u(0), u(1), u(3)];
    const merged = mergeUtterances(held, [u(1, 'sess_a', 'other'), u(2), u(3)]);
    expect(seqs(merged)).toEqual([0, 1, 2, 3]);
    expect(merged[1]?.text).toBe('line 1');
  });

  it('returns the same list when nothing is new', () => {
    const held = [u(0), u(1)];
    expect(mergeUtterances(held, [u(1), u(0)])).toBe(held);
    expect(mergeUtterances(held, [])).toBe(held);
  });

  it('duplicates within one batch count once', () => {
    expect(seqs(mergeUtterances([u(5)], [u(2), u(2), u(1)]))).toEqual([1, 2, 5]);
  });
});

describe('transcript reducers', () => {
  it('a load creates the session, pages and events merge, and it ends loaded', () => {
    let m: Transcripts = {};
    m = beginLoad(m, 'sess_a');
    expect(m['sess_a']?.status).toBe('loading');
    m = addUtterances(m, 'sess_a', [u(0), u(1)]);
    m = addUtterances(m, 'sess_a', [u(1)]); // an event for a line the page already had
    m = addUtterances(m, 'sess_a', [u(2)]);
    m = endLoad(m, 'sess_a', null);
    expect(m['sess_a']?.status).toBe('loaded');
    expect(seqs(m['sess_a']?.utterances ?? [])).toEqual([0, 1, 2]);
  });

  it('a failed load keeps what was there and says why', () => {
    let m = addUtterances(beginLoad({}, 'sess_a'), 'sess_a', [u(0)]);
    m = endLoad(m, 'sess_a', { message: 'engine gone', code: 'unavailable' });
    expect(m['sess_a']).toMatchObject({
      status: 'error',
      error: { message: 'engine gone', code: 'unavailable' },
    });
    expect(seqs(m['sess_a']?.utterances ?? [])).toEqual([0]);
    m = beginLoad(m, 'sess_a');
    expect(m['sess_a']).toMatchObject({ status: 'loading', error: null });
    expect(seqs(m['sess_a']?.utterances ?? [])).toEqual([0]);
  });

  it('events for sessions not kept are ignored (selecting one loads it)', () => {
    const m = beginLoad({}, 'sess_a');
    expect(addUtterances(m, 'sess_b', [u(0, 'sess_b')])).toBe(m);
    expect(setPartial(m, 'sess_b', { start: 1, text: 'x' })).toBe(m);
    expect(endLoad(m, 'sess_b', null)).toBe(m);
  });

  it('keeps only a few sessions, dropping the least recently loaded', () => {
    let m: Transcripts = {};
    for (const id of ['s1', 's2', 's3']) m = beginLoad(m, id);
    m = beginLoad(m, 's1'); // s1 again: now the most recent
    m = beginLoad(m, 's4');
    expect(Object.keys(m)).toEqual(['s3', 's1', 's4']);
    expect(Object.keys(m)).toHaveLength(MAX_TRANSCRIPT_SESSIONS);
    expect(Object.keys(beginLoad(m, 's5', 1))).toEqual(['s5']);
  });

  it('a partial shows until the final utterance that covers it arrives', () => {
    let m = addUtterances(beginLoad({}, 'sess_a'), 'sess_a', [u(0)]);
    m = setPartial(m, 'sess_a', { start: 10, text: 'hel' });
    m = setPartial(m, 'sess_a', { start: 10, text: 'hello wor' });
    expect(m['sess_a']?.partial).toEqual({ start: 10, text: 'hello wor' });
    // A final line that ends before the partial began leaves it alone.
    m = addUtterances(m, 'sess_a', [u(1)]);
    expect(m['sess_a']?.partial).not.toBeNull();
    m = addUtterances(m, 'sess_a', [{ ...u(5), start: 10, end: 12, text: 'hello world' }]);
    expect(m['sess_a']?.partial).toBeNull();
    // Empty partial text clears it; clearing nothing changes nothing.
    m = setPartial(m, 'sess_a', { start: 20, text: 'x' });
    m = setPartial(m, 'sess_a', { start: 20, text: '  ' });
    expect(m['sess_a']?.partial).toBeNull();
    expect(setPartial(m, 'sess_a', { start: 20, text: '' })).toBe(m);
  });
});
