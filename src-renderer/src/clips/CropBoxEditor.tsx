import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { useT } from '../state/context';
import { CORNERS, EDGES, keyStep, moveBox, resizeBox, type Box, type Handle } from './cropBox';

interface Drag {
  pointerId: number;
  handle: Handle | 'move';
  start: Box;
  x: number;
  y: number;
  width: number;
  height: number;
}

const pct = (v: number): string => `${(v * 100).toFixed(3)}%`;

/**
 * A crop box over a still of the source frame: drag the box to move it, a handle to resize it
 * (corners only while the aspect is locked), arrows / Shift+arrows on the focused box. All
 * geometry is in fractions of the frame (cropBox.ts); this only turns pointer moves into them.
 */
export function CropBoxEditor(props: {
  /** The still's URL, or null to draw an empty frame. */
  stillUrl: string | null;
  /** The frame's pixel size (its aspect shapes the editor). */
  frame: { width: number; height: number };
  box: Box;
  /** w / h in fraction units while the aspect is locked, else null. */
  ratio: number | null;
  onChange: (box: Box) => void;
  onStillSize?: (size: { width: number; height: number }) => void;
}) {
  const t = useT();
  const frameRef = useRef<HTMLDivElement>(null);
  const drag = useRef<Drag | null>(null);
  const { box, ratio, onChange } = props;

  // One handler for the box and its handles: which one was grabbed is in data-handle.
  const begin = (ev: PointerEvent<HTMLElement>) => {
    const handle = ev.currentTarget.dataset['handle'] as Handle | 'move' | undefined;
    const rect = frameRef.current?.getBoundingClientRect();
    if (handle === undefined) return;
    if (!rect || rect.width <= 0 || rect.height <= 0 || ev.button !== 0) return;
    ev.preventDefault();
    ev.stopPropagation();
    ev.currentTarget.setPointerCapture(ev.pointerId);
    drag.current = {
      pointerId: ev.pointerId,
      handle,
      start: box,
      x: ev.clientX,
      y: ev.clientY,
      width: rect.width,
      height: rect.height,
    };
  };
  const move = (ev: PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (!d || d.pointerId !== ev.pointerId) return;
    const dx = (ev.clientX - d.x) / d.width;
    const dy = (ev.clientY - d.y) / d.height;
    onChange(
      d.handle === 'move' ? moveBox(d.start, dx, dy) : resizeBox(d.start, d.handle, dx, dy, ratio),
    );
  };
  const end = (ev: PointerEvent<HTMLElement>) => {
    if (drag.current?.pointerId === ev.pointerId) drag.current = null;
  };
  const onKeyDown = (ev: KeyboardEvent<HTMLDivElement>) => {
    const next = keyStep(box, ev.key, ev.shiftKey, ratio);
    if (!next) return;
    ev.preventDefault();
    onChange(next);
  };

  const handles: readonly Handle[] = ratio === null ? [...CORNERS, ...EDGES] : CORNERS;
  const pointer = { onPointerMove: move, onPointerUp: end, onPointerCancel: end };
  return (
    <div
      ref={frameRef}
      className="crop-frame"
      data-testid="crop-frame"
      style={{
        aspectRatio: `${props.frame.width} / ${props.frame.height}`,
        // As wide as fits, and never taller than half the window (the shape stays the frame's).
        width: `min(100%, 640px, calc(50vh * ${(props.frame.width / props.frame.height).toFixed(4)}))`,
      }}
    >
      {props.stillUrl !== null ? (
        <img
          className="crop-frame__still"
          data-testid="crop-still"
          src={props.stillUrl}
          alt=""
          draggable={false}
          onLoad={(ev) => {
            const img = ev.currentTarget;
            if (img.naturalWidth > 0 && img.naturalHeight > 0)
              props.onStillSize?.({ width: img.naturalWidth, height: img.naturalHeight });
          }}
        />
      ) : (
        <div className="crop-frame__empty" />
      )}
      <div
        className="crop-box"
        data-testid="crop-box"
        data-x={box.x.toFixed(4)}
        data-y={box.y.toFixed(4)}
        data-w={box.w.toFixed(4)}
        data-h={box.h.toFixed(4)}
        role="group"
        tabIndex={0}
        aria-label={t('rerender.boxLabel')}
        aria-describedby="crop-box-help"
        style={{ left: pct(box.x), top: pct(box.y), width: pct(box.w), height: pct(box.h) }}
        data-handle="move"
        onPointerDown={begin}
        onKeyDown={onKeyDown}
        {...pointer}
      >
        {handles.map((h) => (
          <span
            key={h}
            className={`crop-box__handle crop-box__handle--${h}`}
            data-testid={`crop-handle-${h}`}
            data-handle={h}
            onPointerDown={begin}
            {...pointer}
          />
        ))}
      </div>
    </div>
  );
}
