/** Review items for tests and the queue benchmark (plain data, no engine). */
import type { Clip, Highlight, ReviewItem, SafetyReport } from '../contract';

export const SESSION = 'sess_review01';

export function highlightFor(n: number, over: Partial<Highlight> = {}): Highlight {
  return {
    id: `${SESSION}-h${n}`,
    sessionId: SESSION,
    start: n * 10,
    end: n * 10 + 8,
    detectedStart: n * 10,
    detectedEnd: n * 10 + 8,
    score: 0.5,
    reasons: [],
    text: `line ${n}`,
    category: 'price',
    state: 'final',
    review: 'new',
    delayMs: null,
    createdAt: 1000 + n,
    updatedAt: 1000 + n,
    ...over,
  };
}

export function clipFor(h: Highlight, over: Partial<Clip> = {}): Clip {
  return {
    id: h.id,
    highlightId: h.id,
    sessionId: h.sessionId,
    state: 'ready',
    progress: 1,
    file: `sessions/${h.sessionId}/clips/${h.id}.mp4`,
    start: h.start,
    end: h.end,
    output: '720x1280',
    reframe: { mode: 'center' },
    captionStyle: 'bold',
    durationS: h.end - h.start,
    bytes: 1000,
    encoder: 'libx264',
    latencyMs: 900,
    error: null,
    createdAt: 2000 + Math.round(h.start),
    updatedAt: 2000 + Math.round(h.start),
    ...over,
  };
}

export const OK_SAFETY: SafetyReport = {
  state: 'ok',
  reasons: [],
  words: [],
  image: null,
  checkedAt: 3000,
  ms: 5,
};

export function itemFor(
  n: number,
  over: Partial<ReviewItem> = {},
  clipOver: Partial<Clip> = {},
): ReviewItem {
  const highlight = over.highlight ?? highlightFor(n);
  return {
    clip: clipFor(highlight, clipOver),
    highlight,
    prompt: null,
    safety: OK_SAFETY,
    decision: 'pending',
    decidedAt: null,
    override: null,
    cover: null,
    quality: 0.5,
    publications: [],
    aiGenerated: false,
    generation: null,
    ...over,
  };
}

export const FLAGGED: SafetyReport = {
  state: 'flagged',
  reasons: ['the caption contains a blocked word (violence)'],
  words: [
    {
      field: 'caption',
      captionIndex: 0,
      term: 'kill',
      category: 'violence',
      severity: 'block',
      matched: 'kill',
      start: 0,
      end: 4,
    },
  ],
  image: null,
  checkedAt: 3000,
  ms: 4,
};
