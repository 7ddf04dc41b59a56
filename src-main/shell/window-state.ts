/** Remembered window bounds, validated and fitted to the displays that exist now. Pure. */
import { z } from 'zod';

export const WindowState = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(200).max(20000),
  height: z.number().int().min(200).max(20000),
  maximized: z.boolean(),
});
export type WindowState = z.infer<typeof WindowState>;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW: WindowState = { width: 1440, height: 900, maximized: false };
export const MIN_WIDTH = 960;
export const MIN_HEIGHT = 600;
/** At least this much of the title bar must be on a display, or the position is dropped. */
const MIN_VISIBLE = 64;

export function fitWindowState(saved: WindowState | null, workAreas: readonly Rect[]): WindowState {
  if (!saved) return DEFAULT_WINDOW;
  const primary = workAreas[0];
  const width = Math.max(MIN_WIDTH, primary ? Math.min(saved.width, primary.width) : saved.width);
  const height = Math.max(
    MIN_HEIGHT,
    primary ? Math.min(saved.height, primary.height) : saved.height,
  );
  const base = { width, height, maximized: saved.maximized };
  if (saved.x === undefined || saved.y === undefined) return base;
  const title: Rect = { x: saved.x, y: saved.y, width, height: 32 };
  const visible = workAreas.some((a) => overlap(title, a) >= MIN_VISIBLE * 16);
  return visible ? { ...base, x: saved.x, y: saved.y } : base;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}
