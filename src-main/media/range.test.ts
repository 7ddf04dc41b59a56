import { describe, expect, it } from 'vitest';
import { type ByteRange, parseRange } from './range';

const full: ByteRange = { kind: 'full' };
const unsat: ByteRange = { kind: 'unsatisfiable' };
const part = (start: number, end: number): ByteRange => ({ kind: 'partial', start, end });

describe('parseRange', () => {
  const cases: Array<[string | null | undefined, number, ByteRange]> = [
    [null, 100, full],
    [undefined, 100, full],
    ['', 100, full],
    ['bytes=0-9', 100, part(0, 9)],
    ['bytes=10-10', 100, part(10, 10)],
    ['bytes=90-200', 100, part(90, 99)],
    ['bytes=0-', 100, part(0, 99)],
    ['bytes=99-', 100, part(99, 99)],
    ['bytes=-10', 100, part(90, 99)],
    ['bytes=-100', 100, part(0, 99)],
    ['bytes=-1000', 100, part(0, 99)],
    ['bytes=-0', 100, unsat],
    ['bytes=100-', 100, unsat],
    ['bytes=100-200', 100, unsat],
    ['bytes=5-3', 100, unsat],
    ['Bytes=0-9', 100, part(0, 9)],
    ['bytes = 0-9', 100, part(0, 9)],
    ['bytes= 0-9 ', 100, part(0, 9)],
    ['bytes=0-9,', 100, part(0, 9)],
    ['bytes=, 0-9', 100, part(0, 9)],
    ['bytes=0-9,20-29', 100, full],
    ['bytes=0-9, -5', 100, full],
    ['items=0-9', 100, full],
    ['bytes', 100, full],
    ['bytes=', 100, full],
    ['bytes=-', 100, full],
    ['bytes=abc', 100, full],
    ['bytes=a-9', 100, full],
    ['bytes=0-b', 100, full],
    ['bytes=-5-', 100, full],
    ['bytes=+1-2', 100, full],
    ['bytes=1.5-2', 100, full],
    ['bytes=0x10-20', 100, full],
    ['bytes=0 - 9', 100, full],
    ['bytes=0-' + '9'.repeat(40), 100, part(0, 99)],
    ['bytes=' + '9'.repeat(40) + '-', 100, unsat],
    ['bytes=-' + '9'.repeat(40), 100, part(0, 99)],
    ['bytes=0-', 0, unsat],
    ['bytes=0-0', 0, unsat],
    ['bytes=-5', 0, full],
    ['bytes=-0', 0, unsat],
    [null, 0, full],
    ['bytes=0-0', 1, part(0, 0)],
    ['bytes=-1', 1, part(0, 0)],
  ];
  it.each(cases)('%j of %d bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it.each([-1, 1.5, NaN, Infinity])('rejects size %d', (size) => {
    expect(() => parseRange('bytes=0-1', size)).toThrow(RangeError);
  });
});
