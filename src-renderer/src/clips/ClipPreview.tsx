import { useState, type DragEvent } from 'react';
import type { Clip } from '../contract';
import { formatBytes, formatLag } from '../live/format';
import { CopyField } from '../live/CopyField';
import { mediaUrl } from '../live/mediaUrl';
import { clipsOf, findClip, renderNumber } from '../state/clips';
import { useAppState, useEngine, useT } from '../state/context';
import { clipOptionsText, clipSeconds } from './labels';

type RevealState =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'shown' }
  | { kind: 'path'; path: string }
  | { kind: 'error'; message: string };

/** The absolute URL of a page-relative media URL (a DownloadURL drag needs one). */
function absolute(url: string): string {
  try {
    return new URL(url, window.location.href).href;
  } catch {
    return url;
  }
}

/**
 * The clip being previewed: a 9:16 player, the render's options and figures, and what to do with
 * the file — show it in the file manager (the desktop app; the browser shows its path to copy),
 * download it, or drag it out of the app (desktop: an OS file drag started by the engine).
 * Mount it keyed by the clip id: another clip starts with a fresh state.
 */
export function ClipPreview(props: { clipId: string }) {
  const t = useT();
  const { store, actions } = useEngine();
  const transport = useAppState((s) => s.transport);
  const clip = useAppState((s) => findClip(s.clips, props.clipId));
  const siblings = useAppState((s) =>
    clip ? clipsOf(s.clips, clip.sessionId, clip.highlightId) : null,
  );
  const [reveal, setReveal] = useState<RevealState>({ kind: 'idle' });
  const [dragError, setDragError] = useState<string | null>(null);
  const [videoFailed, setVideoFailed] = useState(false);

  const close = () => store.getState().setPreviewClip(null);
  if (!clip || clip.state !== 'ready' || clip.file === null) {
    return null;
  }
  const url = mediaUrl(transport, clip.file);
  const fileName = `${clip.id}.mp4`;
  const ready = (siblings ?? []).filter((c) => c.state === 'ready' && c.file !== null);

  const onReveal = async () => {
    setReveal({ kind: 'busy' });
    const r = await actions.revealClip(clip.id);
    if (!r.ok) setReveal({ kind: 'error', message: r.message });
    else if (r.value.shown) setReveal({ kind: 'shown' });
    else setReveal({ kind: 'path', path: r.value.path });
  };

  // Desktop: the engine starts an OS file drag from this window (Electron's startDrag), so the
  // page's own drag is cancelled. Browser: Chromium saves a DownloadURL dropped on a folder.
  const onDragStart = (ev: DragEvent<HTMLElement>) => {
    setDragError(null);
    if (transport === 'electron') {
      ev.preventDefault();
      void actions.dragClip(clip.id).then((r) => {
        if (!r.ok) setDragError(r.message);
      });
      return;
    }
    if (url !== null) {
      ev.dataTransfer.setData('DownloadURL', `video/mp4:${fileName}:${absolute(url)}`);
      ev.dataTransfer.setData('text/uri-list', absolute(url));
      ev.dataTransfer.effectAllowed = 'copy';
    }
  };

  return (
    <section
      className="clip-preview"
      data-testid="clip-preview"
      data-clip-id={clip.id}
      aria-label={t('clips.preview')}
    >
      <div className="clip-preview__player">
        {url !== null && !videoFailed ? (
          <video
            key={clip.id}
            className="clip-preview__video"
            data-testid="clip-video"
            src={url}
            controls
            autoPlay
            playsInline
            preload="auto"
            onError={() => setVideoFailed(true)}
          />
        ) : (
          <p className="field-error" data-testid="clip-video-error" role="alert">
            {t('clips.videoFailed')}
          </p>
        )}
      </div>
      <div className="clip-preview__side">
        <div className="clip-preview__head">
          {ready.length > 1 ? (
            <select
              data-testid="clip-preview-render"
              aria-label={t('clips.preview.render')}
              value={clip.id}
              onChange={(ev) => store.getState().setPreviewClip(ev.target.value)}
            >
              {ready.map((c: Clip) => (
                <option key={c.id} value={c.id}>
                  {t('clips.preview.renderOption', {
                    n: renderNumber(c),
                    options: clipOptionsText(t, c),
                  })}
                </option>
              ))}
            </select>
          ) : (
            <span className="clip-preview__title">
              {t('clips.preview.renderOption', {
                n: renderNumber(clip),
                options: clipOptionsText(t, clip),
              })}
            </span>
          )}
          <button
            type="button"
            className="icon-button"
            data-testid="clip-preview-close"
            aria-label={t('clips.preview.close')}
            title={t('clips.preview.close')}
            onClick={close}
          >
            ×
          </button>
        </div>
        <p className="pane__context" data-testid="clip-facts">
          {t('clips.preview.facts', {
            duration: clipSeconds(clip.durationS),
            size: formatBytes(clip.bytes),
            encoder: clip.encoder ?? '—',
          })}
          {clip.latencyMs !== null && (
            <>
              <br />
              {t('clips.preview.latency', { lag: formatLag(clip.latencyMs) })}
            </>
          )}
        </p>
        <div className="clip-preview__buttons">
          <button
            type="button"
            data-testid="clip-reveal"
            disabled={reveal.kind === 'busy'}
            onClick={() => void onReveal()}
          >
            {t('clips.reveal')}
          </button>
          {url !== null && (
            <a
              className="button-link"
              data-testid="clip-download"
              href={url}
              download={fileName}
              title={t(transport === 'electron' ? 'clips.download' : 'clips.downloadTitle')}
              onDragStart={transport === 'electron' ? undefined : onDragStart}
            >
              {t('clips.download')}
            </a>
          )}
          {transport === 'electron' && (
            <span
              className="clip-preview__drag"
              data-testid="clip-drag"
              draggable
              role="button"
              tabIndex={-1}
              title={t('clips.dragTitle')}
              onDragStart={onDragStart}
            >
              ⠿ {t('clips.drag')}
            </span>
          )}
        </div>
        {reveal.kind === 'shown' && (
          <p className="ok" role="status" data-testid="clip-revealed">
            {t('clips.revealShown')}
          </p>
        )}
        {reveal.kind === 'path' && (
          <CopyField
            label={t('clips.revealPath')}
            value={reveal.path}
            testId="clip-path"
            copyTestId="clip-path-copy"
          />
        )}
        {reveal.kind === 'error' && (
          <p className="field-error" role="alert" data-testid="clip-reveal-error">
            {t('clips.revealFailed', { message: reveal.message })}
          </p>
        )}
        {dragError !== null && (
          <p className="field-error" role="alert" data-testid="clip-drag-error">
            {t('clips.dragFailed', { message: dragError })}
          </p>
        )}
      </div>
    </section>
  );
}
