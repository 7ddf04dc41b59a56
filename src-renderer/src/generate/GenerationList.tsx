import { memo, useEffect, useState } from 'react';
import type { Generation } from '../contract';
import type { Translate } from '../i18n/language';
import { mediaUrl } from '../live/mediaUrl';
import { useAppState, useEngine, useT } from '../state/context';
import { formatEta, generationsOf, isActive, progressPercent } from '../state/generations';
import { FailureLine } from '../components/FailureLine';

/** The line under a job's state: step i/N, ETA and the provider, as far as they are known. */
export function progressText(t: Translate, g: Generation): string {
  const parts: string[] = [];
  if (g.step !== null && isActive(g))
    parts.push(t('generate.step', { step: g.step, steps: g.steps }));
  const eta = isActive(g) ? formatEta(g.etaS) : null;
  if (eta !== null) parts.push(t('generate.eta', { time: eta }));
  if (g.provider !== null) parts.push(t('generate.provider', { provider: g.provider }));
  return parts.join(' · ');
}

/** The finished video, played from the data directory like a clip. */
function GeneratedVideo(props: { g: Generation; file: string }) {
  const t = useT();
  const transport = useAppState((s) => s.transport);
  const [failed, setFailed] = useState(false);
  const url = mediaUrl(transport, props.file);
  if (url === null || failed) {
    return (
      <p className="warn" data-testid="generation-video-unavailable">
        {t('generate.videoUnavailable', { file: props.file })}
      </p>
    );
  }
  return (
    <div className="generation__player">
      <video
        className="generation__video"
        data-testid="generation-video"
        src={url}
        controls
        preload="metadata"
        aria-label={t('generate.videoLabel', { id: props.g.id })}
        onError={() => setFailed(true)}
      />
      <span className="hl-badge ai-badge" data-testid="generation-ai-badge">
        {t('review.ai')}
      </span>
    </div>
  );
}

/**
 * One job: state, step i/N, a progress bar, ETA and provider while it runs (with Cancel), the
 * error in full when it failed, the video (with the AI-generated badge) when it is done.
 */
const GenerationRow = memo(function GenerationRow(props: { g: Generation; current: boolean }) {
  const t = useT();
  const { actions } = useEngine();
  const { g } = props;
  const [cancelling, setCancelling] = useState(false);
  const active = isActive(g);
  const percent = progressPercent(g);
  const detail = progressText(t, g);
  const cancel = async () => {
    setCancelling(true);
    await actions.generate.cancel(g.id);
    setCancelling(false);
  };
  return (
    <li
      className={`generation generation--${g.state}`}
      data-testid="generation"
      data-generation-id={g.id}
      data-state={g.state}
      data-highlight-id={g.highlightId ?? ''}
    >
      <div className="generation__head">
        <span className={`hl-badge generation__state`} data-testid="generation-state">
          {t(`generate.state.${g.state}`)}
        </span>
        {props.current && <span className="hl-badge">{t('generate.thisHighlight')}</span>}
        {detail !== '' && (
          <span className="pane__context" data-testid="generation-progress-text">
            {detail}
          </span>
        )}
        {active && (
          <button
            type="button"
            data-testid="generation-cancel"
            disabled={cancelling}
            aria-busy={cancelling}
            onClick={() => void cancel()}
          >
            {cancelling ? t('generate.cancelling') : t('generate.cancel')}
          </button>
        )}
      </div>
      {active && (
        <progress
          className="generation__bar"
          data-testid="generation-progress"
          max={100}
          value={percent}
          aria-label={t('generate.progressLabel', { id: g.id })}
        />
      )}
      <p className="generation__prompt" title={g.prompt}>
        {g.prompt}
      </p>
      <p className="pane__context">
        {t('generate.facts', {
          frames: g.frames,
          size: g.size,
          steps: g.steps,
          seed: g.seed,
          model: g.model,
        })}
      </p>
      {g.state === 'failed' && (
        <p className="field-error generation__error" data-testid="generation-error" role="alert">
          {t('generate.error', { error: g.error ?? t('generate.state.failed') })}
        </p>
      )}
      {g.state === 'done' && g.file !== null && <GeneratedVideo g={g} file={g.file} />}
    </li>
  );
});

/**
 * The session's text-to-video jobs, newest first, kept live by generation.upserted; loaded when
 * the session is shown and again on a reconnect.
 */
export function GenerationList(props: { sessionId: string; highlightId: string | null }) {
  const t = useT();
  const { actions } = useEngine();
  const { sessionId, highlightId } = props;
  const connected = useAppState((s) => s.connection === 'connected');
  const entry = useAppState((s) => s.generations[sessionId] ?? null);
  const list = useAppState((s) => generationsOf(s.generations, sessionId));

  useEffect(() => {
    if (connected) void actions.generate.loadGenerations(sessionId);
  }, [sessionId, connected, actions]);

  let body;
  if (list.length === 0) {
    if (entry?.error) body = null;
    else if (entry === null || entry.status === 'loading') {
      body = (
        <p className="pane__context" data-testid="generations-loading">
          {t('generate.loading')}
        </p>
      );
    } else {
      body = (
        <p className="hl-empty" data-testid="generations-empty">
          {t('generate.empty')}
        </p>
      );
    }
  } else {
    body = (
      <ul className="generations__list">
        {list.map((g) => (
          <GenerationRow
            key={g.id}
            g={g}
            current={highlightId !== null && g.highlightId === highlightId}
          />
        ))}
      </ul>
    );
  }
  return (
    <section
      className="generations"
      data-testid="generations"
      data-session-id={sessionId}
      aria-labelledby="generations-heading"
    >
      <h3 id="generations-heading" className="storage__heading">
        {t('generate.listHeading')}
      </h3>
      {body}
      {entry?.error && (
        <FailureLine
          testId="generations-error"
          text={t('generate.loadFailed', { message: entry.error.message })}
          code={entry.error.code}
        >
          <button type="button" onClick={() => void actions.generate.loadGenerations(sessionId)}>
            {t('highlights.retry')}
          </button>
        </FailureLine>
      )}
    </section>
  );
}
