import { useEffect, useState } from 'react';
import type { Session } from '../contract';
import { HighlightStrip } from '../highlights/HighlightLane';
import { IngestStatusBar } from '../live/IngestStatusBar';
import { LivePlayer } from '../live/LivePlayer';
import { MarkerTimeline } from '../live/MarkerTimeline';
import { mediaUrl } from '../live/mediaUrl';
import { SourceSetup } from '../live/SourceSetup';
import { Waveform } from '../live/Waveform';
import { useAppState, useEngine, useT } from '../state/context';
import { Pane } from './Pane';

const NO_MARKERS: readonly never[] = [];

/** The selected session: its ingest status, the player with the DVR, markers and loudness. */
function LiveSession(props: { session: Session }) {
  const t = useT();
  const { actions } = useEngine();
  const { session } = props;
  const id = session.id;
  const connected = useAppState((s) => s.connection === 'connected');
  const transport = useAppState((s) => s.transport);
  const status = useAppState((s) => s.ingestStatus[id] ?? null);
  const media = useAppState((s) => s.media[id] ?? null);
  const markers = useAppState((s) => s.markers[id] ?? NO_MARKERS);
  const [mediaError, setMediaError] = useState<{ message: string; missing: boolean } | null>(null);

  const ended = session.status === 'ended' || status?.state === 'ended';
  const hasSegments = (status?.segments ?? 0) > 0;

  useEffect(() => {
    if (!connected) return;
    void actions.loadIngestStatus(id);
  }, [id, connected, actions]);

  // The playlist appears with the first segment; an ended session gets its final duration.
  useEffect(() => {
    if (!connected) return;
    let cancelled = false;
    void actions.loadMedia(id).then((r) => {
      // not_found: nothing recorded for this session (e.g. one created without a source).
      if (!cancelled) {
        setMediaError(r.ok ? null : { message: r.message, missing: r.code === 'not_found' });
      }
    });
    return () => {
      cancelled = true;
    };
  }, [id, connected, hasSegments, ended, actions]);

  const url = media?.playlist != null ? mediaUrl(transport, media.playlist) : null;
  const durationS = Math.max(media?.durationS ?? 0, status?.mediaTimeS ?? 0);

  let body;
  if (url !== null) {
    body = (
      <LivePlayer
        key={url}
        url={url}
        sessionId={id}
        title={session.title}
        ended={ended || media?.ended === true}
      />
    );
  } else if ((mediaError !== null && !mediaError.missing) || media?.playlist != null) {
    body = (
      <p className="player-message player-message--error" data-testid="media-error" role="alert">
        {t('player.mediaFailed', { message: mediaError?.message ?? media?.playlist ?? '' })}
      </p>
    );
  } else {
    body = (
      <p className="player-placeholder" data-testid="player-placeholder">
        {media === null && mediaError === null ? t('player.loading') : t('player.noMedia')}
      </p>
    );
  }

  return (
    <div className="live-session" data-session-id={id}>
      <IngestStatusBar session={session} status={status} />
      {body}
      <MarkerTimeline markers={markers} durationS={durationS} />
      <HighlightStrip session={session} durationS={durationS} />
      <Waveform sessionId={id} live={!ended} durationS={ended ? durationS : 0} />
    </div>
  );
}

export function LivePane() {
  const t = useT();
  const session = useAppState((s) =>
    s.selectedSessionId !== null ? (s.sessions[s.selectedSessionId] ?? null) : null,
  );
  return (
    <Pane pane="live">
      <p className="pane__context" data-testid="selected-session">
        {session
          ? t('sessions.selected', {
              title: session.title,
              status: t(`sessions.status.${session.status}`),
              source: t(`sessions.source.${session.source.kind}`),
            })
          : t('sessions.noneSelected')}
      </p>
      {session ? (
        <LiveSession key={session.id} session={session} />
      ) : (
        <p className="player-placeholder">{t('player.noSession')}</p>
      )}
      <SourceSetup />
    </Pane>
  );
}
