import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW, fitWindowState, MIN_WIDTH, WindowState } from './window-state';

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
const twoScreens = [...screen, { x: 1920, y: 0, width: 2560, height: 1440 }];

describe('fitWindowState', () => {
  it.each([
    ['nothing saved → default', null, screen, DEFAULT_WINDOW],
    [
      'on screen → kept',
      { x: 100, y: 80, width: 1200, height: 800, maximized: false },
      screen,
      { x: 100, y: 80, width: 1200, height: 800, maximized: false },
    ],
    [
      'on a monitor that was unplugged → position dropped',
      { x: 2500, y: 100, width: 1200, height: 800, maximized: true },
      screen,
      { width: 1200, height: 800, maximized: true },
    ],
    [
      'on the second monitor while it is there → kept',
      { x: 2500, y: 100, width: 1200, height: 800, maximized: false },
      twoScreens,
      { x: 2500, y: 100, width: 1200, height: 800, maximized: false },
    ],
    [
      'larger than the screen → shrunk to it',
      { x: 0, y: 0, width: 5000, height: 3000, maximized: false },
      screen,
      { x: 0, y: 0, width: 1920, height: 1080, maximized: false },
    ],
    [
      'tiny → grown to the minimum',
      { width: 300, height: 250, maximized: false },
      screen,
      { width: MIN_WIDTH, height: 600, maximized: false },
    ],
  ] as const)('%s', (_name, saved, areas, expected) => {
    expect(fitWindowState(saved, areas)).toEqual(expected);
  });

  it('rejects corrupt saved state at the schema', () => {
    expect(WindowState.safeParse({ width: 'big', height: 10, maximized: 'yes' }).success).toBe(
      false,
    );
  });
});
