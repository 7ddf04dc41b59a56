import { describe, expect, it } from 'vitest';
import { toJsonlLine } from './highlights-jsonl';
import type { Highlight } from './types';

describe('toJsonlLine', () => {
  it('writes the brief’s fields, reasons as text, one line', () => {
    const h: Highlight = {
      id: 'h1',
      start: 6.000000001,
      end: 16.12345,
      score: 0.854999,
      reasons: [
        { kind: 'trigger', text: 'trigger "最后三分钟" (urgency)', at: 9, weight: 0.75 },
        { kind: 'mark', text: 'manual mark (hotkey): "quoted"\nnext', at: 10, weight: 1 },
      ],
      text: '最后三分钟\n全场五折',
      category: 'urgency',
      state: 'final',
      triggerStart: 9,
      triggerEnd: 11.5,
      firstSignalWallMs: 1,
      emittedWallMs: 2,
    };
    const line = toJsonlLine(h);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      id: 'h1',
      start: 6,
      end: 16.123,
      score: 0.855,
      reasons: ['trigger "最后三分钟" (urgency)', 'manual mark (hotkey): "quoted"\nnext'],
      text: '最后三分钟\n全场五折',
    });
    expect(Object.keys(JSON.parse(line))).toEqual([
      'id',
      'start',
      'end',
      'score',
      'reasons',
      'text',
    ]);
  });
});
