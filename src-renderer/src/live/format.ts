/** Number formatting for the live status bar, the storage line and the timeline (pure). */

/** Seconds as H:MM:SS (hours unbounded), e.g. 3725.4 → "1:02:05". Negative/NaN → "0:00:00". */
export function formatDuration(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** A bitrate in kbps: "850 kbps" below 1000, "4.5 Mbps" from there; null → "—". */
export function formatBitrate(kbps: number | null): string {
  if (kbps === null || !Number.isFinite(kbps) || kbps < 0) return '—';
  if (kbps < 1000) return `${Math.round(kbps)} kbps`;
  return `${(kbps / 1000).toFixed(kbps < 10_000 ? 1 : 0)} Mbps`;
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** Bytes in decimal units (1 GB = 10⁹ B, as the retention setting counts): "1.2 GB"; null → "—". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** A lag in ms: "850 ms" below a second, "2.3 s" from there; null → "—". */
export function formatLag(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const v = Math.max(0, ms);
  return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`;
}

/** Frames per second with at most two decimals (29.97, 30, 59.94); null → "—". */
export function formatFps(fps: number | null): string {
  if (fps === null || !Number.isFinite(fps) || fps <= 0) return '—';
  return String(Math.round(fps * 100) / 100);
}
