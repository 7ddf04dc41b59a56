import { describe, expect, it } from 'vitest';
import { benchQueueOps } from './bench';

// Shape only: the timings themselves are the bench's to report, not a test's to assert.
describe('benchQueueOps', () => {
  it('runs over 500 clips and renders a window of rows', () => {
    const r = benchQueueOps(500, 200);
    expect(r.n).toBe(500);
    expect(r.events).toBe(200);
    expect(r.renderedRows).toBeGreaterThan(0);
    expect(r.renderedRows).toBeLessThan(20);
    for (const v of [r.loadMs, r.eventUs, r.filterUs]) expect(Number.isFinite(v)).toBe(true);
  });
});
