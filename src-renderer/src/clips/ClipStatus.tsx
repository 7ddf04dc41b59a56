import { memo, useState } from 'react';
import type { Clip, Highlight } from '../contract';
import {
  isActive,
  newestReady,
  progressPercent,
  renderNumber,
  renderOptions,
} from '../state/clips';
import { useEngine, useT } from '../state/context';
import { clipOptionsText, clipSeconds } from './labels';

/**
 * A highlight's clip, under its row: the newest render's state (queued, a progress bar while
 * rendering, ready, failed with the reason, cancelled) and what can be done about it (cancel,
 * retry, play the newest ready render, re-render with other options).
 */
export const ClipStatus = memo(function ClipStatus(props: {
  highlight: Highlight;
  /** The highlight's renders, newest first. */
  clips: readonly Clip[];
}) {
  const t = useT();
  const { store, actions } = useEngine();
  const { highlight: h, clips } = props;
  const [busy, setBusy] = useState(false);
  const c = clips[0] ?? null;
  const ready = newestReady(clips);

  const run = (f: () => Promise<unknown>) => {
    setBusy(true);
    void f().finally(() => setBusy(false));
  };
  const play = (clip: Clip) => store.getState().setPreviewClip(clip.id);
  const rerender = () => store.getState().setRerenderHighlight(h.id);

  let status;
  if (c === null) {
    status = (
      <>
        <span className="clip-state__text">{t('clips.none')}</span>
        <button
          type="button"
          data-testid="clip-render"
          disabled={busy}
          onClick={() => run(() => actions.renderClip(h.id, {}, 'notice'))}
        >
          {t('clips.render')}
        </button>
      </>
    );
  } else if (c.state === 'rendering') {
    const percent = progressPercent(c);
    status = (
      <>
        <span
          className="clip-progress"
          data-testid="clip-progress"
          role="progressbar"
          aria-label={t('clips.progress')}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <span className="clip-progress__fill" style={{ width: `${percent}%` }} />
        </span>
        <span className="clip-state__text" data-testid="clip-progress-text">
          {t('clips.state.rendering', { percent })}
        </span>
      </>
    );
  } else if (c.state === 'failed') {
    status = (
      <span
        className="clip-state__text clip-state__text--error"
        data-testid="clip-error"
        title={c.error ?? ''}
      >
        {t('clips.state.failed', { error: c.error ?? t('clips.noReason') })}
      </span>
    );
  } else if (c.state === 'ready') {
    status = (
      <span className="clip-state__text clip-state__text--ok">
        {t('clips.state.ready', { duration: clipSeconds(c.durationS) })}
      </span>
    );
  } else {
    status = <span className="clip-state__text">{t(`clips.state.${c.state}`)}</span>;
  }

  return (
    <div
      className={`clip-state clip-state--${c?.state ?? 'none'}`}
      data-testid="clip-status"
      data-highlight-id={h.id}
      data-clip-id={c?.id ?? ''}
      data-state={c?.state ?? 'none'}
      data-renders={clips.length}
      title={c ? `#${renderNumber(c)} · ${clipOptionsText(t, c)}` : undefined}
    >
      {status}
      <span className="clip-state__actions">
        {c !== null && isActive(c) && (
          <button
            type="button"
            data-testid="clip-cancel"
            title={t('clips.cancelTitle')}
            disabled={busy}
            onClick={() => run(() => actions.cancelClip(c.id))}
          >
            {t('clips.cancel')}
          </button>
        )}
        {c !== null && (c.state === 'failed' || c.state === 'cancelled') && (
          <button
            type="button"
            data-testid="clip-retry"
            title={t('clips.retryTitle')}
            disabled={busy}
            onClick={() => run(() => actions.renderClip(h.id, renderOptions(c), 'notice'))}
          >
            {t('clips.retry')}
          </button>
        )}
        {ready !== null && (
          <button
            type="button"
            data-testid="clip-play"
            data-clip-id={ready.id}
            title={t('clips.playTitle', { n: renderNumber(ready) })}
            onClick={() => play(ready)}
          >
            ▶ {t('clips.playShort')}
          </button>
        )}
        {c !== null && (
          <button
            type="button"
            className="clip-state__icon"
            data-testid="clip-rerender"
            title={t('clips.rerenderTitle')}
            aria-label={t('clips.rerenderTitle')}
            onClick={rerender}
          >
            ↻
          </button>
        )}
      </span>
    </div>
  );
});
