import { useEffect, useRef } from 'react';
import type { LoudnessFrame } from '../contract';
import { useEngine, useT } from '../state/context';
import {
  binFrame,
  binFrames,
  dbToY,
  displayWindow,
  emptyColumns,
  frameSpan,
  LIVE_WINDOW_S,
} from './waveform';

/** At most ~10 redraws a second. */
const MIN_FRAME_MS = 100;
const GRID_DB = [-12, -24, -36, -48];

/**
 * The loudness of the selected session as bars in dBFS: rms solid, peak lighter behind it.
 * Live: the last minute, fed by ingest.loudness events (the store's ring) on top of the history
 * fetched once. Ended: the whole session, fetched once at the canvas's width.
 */
export function Waveform(props: { sessionId: string; live: boolean; durationS: number }) {
  const t = useT();
  const { store, actions } = useEngine();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const { sessionId, live, durationS } = props;

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d') ?? null;
    if (!canvas || !ctx) return;
    let disposed = false;
    let frame = 0;
    let lastDraw = 0;
    let dirty = true;
    let lastVersion = -1;
    let history: readonly LoudnessFrame[] = [];
    let historySpan = 0.1;
    let fetchedWidth = 0;
    let historyRequested = false;

    const resize = () => {
      const dpr = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
      const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
        dirty = true;
      }
      // An ended session is fetched at (about) the canvas width; refetch when it grows a lot.
      if (!live && w > fetchedWidth * 1.5) void fetchHistory(w);
    };

    const fetchHistory = async (width: number) => {
      fetchedWidth = width;
      const maxPoints = Math.min(20_000, Math.max(10, width));
      const status = store.getState().ingestStatus[sessionId];
      const range = live
        ? { fromS: Math.max(0, (status?.mediaTimeS ?? 0) - LIVE_WINDOW_S), maxPoints: 1000 }
        : { maxPoints };
      const r = await actions.loadLoudness(sessionId, range);
      if (disposed || !r.ok) return;
      history = r.value;
      historySpan = frameSpan(history);
      dirty = true;
    };

    const draw = () => {
      const ring = store.getState().loudness[sessionId];
      const status = store.getState().ingestStatus[sessionId];
      const w = canvas.width;
      const h = canvas.height;
      const lastFrame = ring?.lastT ?? history[history.length - 1]?.t ?? null;
      const endS = Math.max(lastFrame !== null ? lastFrame + 0.1 : 0, live ? 0 : durationS);
      const win = displayWindow({
        live,
        endS: live ? Math.max(endS, status?.mediaTimeS ?? 0) : endS,
        durationS,
      });
      const cols = emptyColumns(w);
      binFrames(cols, win, history, historySpan);
      ring?.forEachIn(win.fromS - 0.1, win.toS, (ft, rms, peak) =>
        binFrame(cols, win, ft, rms, peak),
      );

      ctx.clearRect(0, 0, w, h);
      const color = getComputedStyle(canvas).color;
      ctx.fillStyle = color;
      ctx.globalAlpha = 0.12;
      for (const db of GRID_DB) ctx.fillRect(0, Math.round(dbToY(db, h)), w, 1);
      ctx.globalAlpha = 0.3;
      for (let c = 0; c < w; c++) {
        const y = dbToY(cols.peak[c] ?? -Infinity, h);
        if (y < h) ctx.fillRect(c, y, 1, h - y);
      }
      ctx.globalAlpha = 1;
      for (let c = 0; c < w; c++) {
        const y = dbToY(cols.rms[c] ?? -Infinity, h);
        if (y < h) ctx.fillRect(c, y, 1, h - y);
      }
      canvas.dataset['frames'] = String((ring?.size ?? 0) + history.length);
    };

    const loop = (now: number) => {
      if (disposed) return;
      frame = requestAnimationFrame(loop);
      if (now - lastDraw < MIN_FRAME_MS) return;
      // Live history is the minute before the current media time, so it waits for a status.
      if (live && !historyRequested && store.getState().ingestStatus[sessionId]) {
        historyRequested = true;
        void fetchHistory(canvas.width);
      }
      const version = store.getState().loudness[sessionId]?.version ?? -1;
      if (!dirty && version === lastVersion) return;
      lastDraw = now;
      lastVersion = version;
      dirty = false;
      draw();
    };

    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(resize) : null;
    observer?.observe(canvas);
    resize();
    frame = requestAnimationFrame(loop);
    return () => {
      disposed = true;
      cancelAnimationFrame(frame);
      observer?.disconnect();
    };
  }, [sessionId, live, durationS, store, actions]);

  const label = live ? t('waveform.live', { seconds: LIVE_WINDOW_S }) : t('waveform.whole');
  return (
    <figure className="waveform">
      <canvas
        ref={canvasRef}
        className="waveform__canvas"
        data-testid="waveform"
        data-live={live ? 'true' : 'false'}
        role="img"
        aria-label={label}
      />
      <figcaption className="waveform__caption">{label}</figcaption>
    </figure>
  );
}
