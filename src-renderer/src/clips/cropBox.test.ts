import { describe, expect, it } from 'vitest';
import {
  centeredBox,
  clampBox,
  CORNERS,
  EDGES,
  fitAspect,
  fractionAspect,
  keyStep,
  MIN_BOX,
  moveBox,
  OUTPUT_ASPECT,
  resizeBox,
  toReframe,
  type Box,
  type Handle,
} from './cropBox';

const EPS = 1e-9;
function expectInside(b: Box): void {
  expect(b.x).toBeGreaterThanOrEqual(-EPS);
  expect(b.y).toBeGreaterThanOrEqual(-EPS);
  expect(b.x + b.w).toBeLessThanOrEqual(1 + EPS);
  expect(b.y + b.h).toBeLessThanOrEqual(1 + EPS);
  expect(b.w).toBeGreaterThan(0);
  expect(b.h).toBeGreaterThan(0);
}
const close = (b: Box, want: Box): void => {
  expect(b.x).toBeCloseTo(want.x, 9);
  expect(b.y).toBeCloseTo(want.y, 9);
  expect(b.w).toBeCloseTo(want.w, 9);
  expect(b.h).toBeCloseTo(want.h, 9);
};

/** 9:16 on a 16:9 frame, in fraction units. */
const R169 = fractionAspect(OUTPUT_ASPECT, 1280, 720);

describe('fractionAspect', () => {
  it.each([
    [1280, 720, (9 / 16) * (720 / 1280)],
    [720, 1280, 1],
    [640, 480, (9 / 16) * (480 / 640)],
    [0, 720, 1],
  ])('9:16 on %i×%i → %f', (w, h, want) => {
    expect(fractionAspect(OUTPUT_ASPECT, w, h)).toBeCloseTo(want, 9);
  });
  it('a box with that aspect is 9:16 in pixels', () => {
    const b = centeredBox(R169);
    expect((b.w * 1280) / (b.h * 720)).toBeCloseTo(9 / 16, 9);
    // The centre crop of a 16:9 frame: full height, 405 of 1280 px wide.
    close(b, { x: (1 - 405 / 1280) / 2, y: 0, w: 405 / 1280, h: 1 });
  });
});

describe('moveBox', () => {
  const b: Box = { x: 0.2, y: 0.3, w: 0.4, h: 0.5 };
  it.each([
    [0.1, 0.1, { x: 0.3, y: 0.4, w: 0.4, h: 0.5 }],
    [-1, 0, { x: 0, y: 0.3, w: 0.4, h: 0.5 }],
    [1, 1, { x: 0.6, y: 0.5, w: 0.4, h: 0.5 }],
    [0.39, -0.31, { x: 0.59, y: 0, w: 0.4, h: 0.5 }],
  ])('by (%f, %f) stays inside, same size', (dx, dy, want) => {
    const m = moveBox(b, dx, dy);
    close(m, want);
    expectInside(m);
  });
});

describe('resizeBox, free', () => {
  const b: Box = { x: 0.2, y: 0.2, w: 0.4, h: 0.4 };
  const table: Array<[Handle, number, number, Box]> = [
    ['se', 0.1, 0.2, { x: 0.2, y: 0.2, w: 0.5, h: 0.6 }],
    ['se', 1, 1, { x: 0.2, y: 0.2, w: 0.8, h: 0.8 }],
    ['nw', -1, -1, { x: 0, y: 0, w: 0.6, h: 0.6 }],
    ['nw', 1, 1, { x: 0.6 - MIN_BOX, y: 0.6 - MIN_BOX, w: MIN_BOX, h: MIN_BOX }],
    ['ne', 0.1, -0.1, { x: 0.2, y: 0.1, w: 0.5, h: 0.5 }],
    ['sw', -0.1, 0.1, { x: 0.1, y: 0.2, w: 0.5, h: 0.5 }],
    ['e', -1, 0.5, { x: 0.2, y: 0.2, w: MIN_BOX, h: 0.4 }],
    ['n', 0.3, -0.1, { x: 0.2, y: 0.1, w: 0.4, h: 0.5 }],
    ['w', 0.1, 0, { x: 0.3, y: 0.2, w: 0.3, h: 0.4 }],
    ['s', 0, 0.7, { x: 0.2, y: 0.2, w: 0.4, h: 0.8 }],
  ];
  it.each(table)('%s by (%f, %f)', (handle, dx, dy, want) => {
    const r = resizeBox(b, handle, dx, dy);
    close(r, want);
    expectInside(r);
  });
});

describe('resizeBox, locked to 9:16', () => {
  const start = centeredBox(R169);
  const shrunk: Box = { ...start, w: start.w / 2, h: start.h / 2, x: 0.3, y: 0.25 };
  const ratioOf = (b: Box) => b.w / b.h;

  it.each(CORNERS.flatMap((c) => EDGES.map((e) => [c, e] as const)))(
    'corner %s / edge %s: every drag keeps the aspect, the frame and the minimum size',
    (corner, edge) => {
      for (const handle of [corner, edge] as Handle[]) {
        for (const [dx, dy] of [
          [0.5, 0.5],
          [-0.5, -0.5],
          [2, -2],
          [-0.02, 0.3],
          [0, 0],
        ] as const) {
          const r = resizeBox(shrunk, handle, dx, dy, R169);
          expect(ratioOf(r)).toBeCloseTo(R169, 9);
          expectInside(r);
          expect(r.w).toBeGreaterThanOrEqual(Math.max(MIN_BOX, MIN_BOX * R169) - EPS);
        }
      }
    },
  );

  it('the corner opposite the handle stays put', () => {
    const r = resizeBox(shrunk, 'se', 0.05, 0.01, R169);
    expect(r.x).toBeCloseTo(shrunk.x, 9);
    expect(r.y).toBeCloseTo(shrunk.y, 9);
    expect(r.w).toBeCloseTo(shrunk.w + 0.05, 9);
    const l = resizeBox(shrunk, 'nw', -0.05, 0, R169);
    expect(l.x + l.w).toBeCloseTo(shrunk.x + shrunk.w, 9);
    expect(l.y + l.h).toBeCloseTo(shrunk.y + shrunk.h, 9);
  });

  it('a corner drag past the frame stops at the frame, still 9:16', () => {
    const r = resizeBox(shrunk, 'se', 5, 5, R169);
    // Height is what runs out first on a 16:9 frame.
    expect(r.y + r.h).toBeCloseTo(1, 9);
    expect(ratioOf(r)).toBeCloseTo(R169, 9);
  });
});

describe('clampBox, fitAspect, toReframe', () => {
  it.each([
    [
      { x: -0.2, y: 0.9, w: 0.5, h: 0.5 },
      { x: 0, y: 0.5, w: 0.5, h: 0.5 },
    ],
    [
      { x: 0.5, y: 0.5, w: 2, h: 0.001 },
      { x: 0, y: 0.5, w: 1, h: MIN_BOX },
    ],
    [
      { x: Number.NaN, y: 0, w: 0.5, h: 0.5 },
      { x: 0, y: 0, w: 0.5, h: 0.5 },
    ],
  ])('clampBox(%j) → %j', (b, want) => close(clampBox(b), want));

  it('fitAspect reshapes around the centre and stays inside', () => {
    const r = fitAspect({ x: 0.9, y: 0, w: 0.1, h: 1 }, R169);
    expect(r.w / r.h).toBeCloseTo(R169, 9);
    expectInside(r);
    expect(r.x + r.w).toBeCloseTo(1, 9);
    const wide = fitAspect({ x: 0, y: 0, w: 1, h: 1 }, 4);
    expect(wide.w).toBeCloseTo(1, 9);
    expect(wide.h).toBeCloseTo(0.25, 9);
  });

  it('toReframe rounds to 4 decimals and never passes the right or bottom edge', () => {
    // Inside the frame, but rounding each side up would pass its edge by 0.0001.
    const r = toReframe({ x: 0.33335, y: 0.12344, w: 0.66665, h: 0.876555 });
    expect(r).toEqual({ mode: 'box', x: 0.3334, y: 0.1234, w: 0.6666, h: 0.8766 });
    expect(toReframe({ x: 0.25, y: 0.5, w: 0.5, h: 0.5 })).toEqual({
      mode: 'box',
      x: 0.25,
      y: 0.5,
      w: 0.5,
      h: 0.5,
    });
    expect(r.x + r.w).toBeLessThanOrEqual(1);
    expect(r.y + r.h).toBeLessThanOrEqual(1);
  });
});

describe('keyStep', () => {
  const b: Box = { x: 0.5, y: 0.5, w: 0.2, h: 0.2 };
  it('arrows move, Shift+arrows resize, other keys do nothing', () => {
    close(keyStep(b, 'ArrowLeft', false, null)!, { x: 0.49, y: 0.5, w: 0.2, h: 0.2 });
    close(keyStep(b, 'ArrowDown', true, null)!, { x: 0.5, y: 0.5, w: 0.2, h: 0.21 });
    expect(keyStep(b, 'a', false, null)).toBeNull();
    const locked = keyStep({ x: 0.5, y: 0, w: 0.2, h: 0.2 / R169 }, 'ArrowRight', true, R169)!;
    expect(locked.w).toBeCloseTo(0.21, 9);
    expect(locked.w / locked.h).toBeCloseTo(R169, 9);
  });
});
