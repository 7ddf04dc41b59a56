import { useState } from 'react';
import type { IngestState, IngestStatus, Session } from '../contract';
import { en, type MessageKey } from '../i18n/en';
import { useEngine, useT } from '../state/context';
import { formatBitrate, formatBytes, formatDuration, formatFps, formatLag } from './format';

/** States in which Stop makes sense (the engine is, or is trying to be, recording). */
const STOPPABLE: ReadonlySet<IngestState> = new Set([
  'waiting',
  'starting',
  'live',
  'stalled',
  'reconnecting',
]);

/** The state to show when no status has arrived yet, from the session record alone. */
export function fallbackState(session: Session): IngestState | null {
  if (session.status === 'ended') return 'ended';
  if (session.status === 'live') return 'starting';
  return null;
}

function Stat(props: { label: string; testId?: string; value: string; warn?: boolean }) {
  return (
    <div className={`stat${props.warn === true ? ' stat--warn' : ''}`}>
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.value}</dd>
    </div>
  );
}

/** The selected session's ingest at a glance: state, picture, rates, what was recorded. */
export function IngestStatusBar(props: { session: Session; status: IngestStatus | null }) {
  const t = useT();
  const { actions } = useEngine();
  const [stopping, setStopping] = useState(false);
  const { session, status } = props;
  const state = status?.state ?? fallbackState(session);

  const stop = async () => {
    setStopping(true);
    await actions.stopIngest(session.id);
    setStopping(false);
  };

  const canStop = state !== null && STOPPABLE.has(state) && session.status !== 'ended';
  const video = status?.video ?? null;
  const fps = status?.fps ?? video?.fps ?? null;

  return (
    <div className="ingest-bar" data-testid="ingest-status">
      <div className="ingest-bar__head">
        {state !== null ? (
          <span
            className={`state-badge state-badge--${state}`}
            data-testid="ingest-state"
            data-state={state}
            role="status"
            aria-label={`${t('ingest.stateLabel')}: ${t(`ingest.state.${state}`)}`}
          >
            {t(`ingest.state.${state}`)}
          </span>
        ) : (
          <span className="pane__context">{t('ingest.noStatus')}</span>
        )}
        {status?.message != null && status.message !== '' && (
          <span
            className="ingest-bar__message"
            data-testid="ingest-message"
            data-code={status.code ?? undefined}
          >
            {statusText(status.code, status.message, t)}
          </span>
        )}
        {canStop && (
          <button
            type="button"
            className="danger ingest-bar__stop"
            data-testid="stop-ingest"
            disabled={stopping || state === 'stopping'}
            onClick={() => void stop()}
          >
            {stopping ? t('ingest.stopping') : t('ingest.stop')}
          </button>
        )}
      </div>
      {status && (
        <dl className="ingest-bar__stats">
          <Stat
            label={t('ingest.resolution')}
            testId="ingest-resolution"
            value={video ? `${video.width}×${video.height}` : '—'}
          />
          <Stat label={t('ingest.fps')} testId="ingest-fps" value={formatFps(fps)} />
          <Stat
            label={t('ingest.bitrate')}
            testId="ingest-bitrate"
            value={formatBitrate(status.bitrateKbps)}
          />
          <Stat
            label={t('ingest.dropped')}
            testId="ingest-dropped"
            value={String(status.droppedFrames)}
            warn={status.droppedFrames > 0}
          />
          <Stat
            label={t('ingest.late')}
            testId="ingest-late"
            value={String(status.lateFrames)}
            warn={status.lateFrames > 0}
          />
          <Stat
            label={t('ingest.lag')}
            testId="ingest-lag"
            value={formatLag(status.lagMs)}
            warn={status.lagMs !== null && status.lagMs > 5000}
          />
          <Stat
            label={t('ingest.duration')}
            testId="ingest-duration"
            value={formatDuration(status.mediaTimeS)}
          />
          <Stat
            label={t('ingest.segments')}
            testId="ingest-segments"
            value={String(status.segments)}
          />
          <Stat label={t('ingest.size')} testId="ingest-size" value={formatBytes(status.bytes)} />
        </dl>
      )}
    </div>
  );
}

/** The engine's message in the UI language when its code is a known one; as sent otherwise. */
export function statusText(
  code: string | null,
  message: string,
  t: (key: MessageKey) => string,
): string {
  const key = `ingest.code.${code ?? ''}`;
  return code !== null && Object.prototype.hasOwnProperty.call(en, key)
    ? t(key as MessageKey)
    : message;
}
