import Hls, { ErrorDetails, ErrorTypes, Events, type HlsConfig } from 'hls.js';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { backoffDelay } from '../api/backoff';
import { useEngine, useT } from '../state/context';
import type { SeekRequest } from '../state/store';
import { isAtLive } from './liveEdge';

/** Low-latency live from plain 1 s segments (not LL-HLS parts), with the whole DVR seekable. */
export const HLS_CONFIG: Partial<HlsConfig> = {
  liveSyncDurationCount: 2,
  // No liveMaxLatencyDurationCount: hls.js would jump back to live whenever the operator scrubs
  // more than that far back into the DVR. The playback rate (below) catches up small drift.
  maxLiveSyncPlaybackRate: 1.5,
  enableWorker: true,
  lowLatencyMode: false,
  // A 4-hour DVR must not live in memory: keep 2 minutes behind the playhead.
  backBufferLength: 120,
};

/** Media errors recovered in place before giving up (hls.recoverMediaError). */
const MAX_MEDIA_RECOVERIES = 3;

export type PlaybackSupport = 'mse' | 'native' | 'none';

/** How this browser plays HLS: hls.js on MediaSource, natively (Safari), or not at all. */
function detectSupport(): PlaybackSupport {
  if (Hls.isSupported()) return 'mse';
  const probe = document.createElement('video');
  return probe.canPlayType('application/vnd.apple.mpegurl') !== '' ? 'native' : 'none';
}
let cachedSupport: PlaybackSupport | null = null;
const getSupport = (): PlaybackSupport => (cachedSupport ??= detectSupport());
const noSubscribe = () => () => undefined;

type Problem =
  { kind: 'retrying'; attempt: number; seconds: number } | { kind: 'error'; message: string };

/**
 * The session's HLS playlist in a <video>: live with the DVR behind it (EVENT playlist), or a
 * plain VOD once the playlist has ENDLIST. Mount it with key = the URL: a new session or
 * playlist gets a fresh player. Seek requests for its session in the store (a transcript line
 * clicked) move the playhead.
 */
export function LivePlayer(props: {
  url: string;
  title: string;
  ended: boolean;
  sessionId: string;
}) {
  const t = useT();
  const { store } = useEngine();
  const support = useSyncExternalStore(noSubscribe, getSupport, () => 'mse' as const);
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [edge, setEdge] = useState<{ live: boolean; atLive: boolean; behindS: number }>({
    live: false,
    atLive: true,
    behindS: 0,
  });
  const { url, sessionId } = props;

  useEffect(() => {
    const video = videoRef.current;
    if (!video || support === 'none') return;
    let disposed = false;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    let attempt = 0;
    let mediaRecoveries = 0;

    const liveSync = (): number | null => {
      const hls = hlsRef.current;
      if (hls) return hls.latestLevelDetails?.live === true ? hls.liveSyncPosition : null;
      // Native HLS: the end of the seekable range, minus the same two segments of latency.
      if (video.seekable.length === 0 || Number.isFinite(video.duration)) return null;
      return video.seekable.end(video.seekable.length - 1) - 2;
    };

    const updateEdge = () => {
      const sync = liveSync();
      const live = sync !== null;
      const atLive = isAtLive(video.currentTime, sync);
      const behindS = sync !== null ? Math.max(0, Math.round(sync - video.currentTime)) : 0;
      setEdge((prev) =>
        prev.live === live && prev.atLive === atLive && prev.behindS === behindS
          ? prev
          : { live, atLive, behindS },
      );
    };

    const play = () => {
      video.play().catch(() => undefined);
    };

    store.getState().setPlayer({
      togglePlay: () => (video.paused ? play() : video.pause()),
      backToLive: () => {
        const sync = liveSync();
        if (sync !== null) video.currentTime = sync;
        play();
      },
      seek: (s) => {
        video.currentTime = Math.max(0, s);
      },
    });

    // hls.js follows currentTime: it loads the segments at the new position from the DVR.
    const applySeek = (req: SeekRequest | null) => {
      if (!req || req.sessionId !== sessionId || !Number.isFinite(req.mediaTimeS)) return;
      video.currentTime = Math.max(0, req.mediaTimeS);
      store.getState().clearSeek(req.id);
    };
    applySeek(store.getState().seekRequest);
    const unsubscribeSeek = store.subscribe((s, prev) => {
      if (s.seekRequest !== prev.seekRequest) applySeek(s.seekRequest);
    });

    video.addEventListener('timeupdate', updateEdge);
    video.addEventListener('seeked', updateEdge);

    let hls: Hls | null = null;
    if (support === 'native') {
      video.src = url;
      play();
    } else {
      hls = new Hls(HLS_CONFIG);
      hlsRef.current = hls;
      const h = hls;
      h.on(Events.MANIFEST_PARSED, () => {
        setProblem(null);
        play();
      });
      h.on(Events.FRAG_LOADED, () => {
        attempt = 0;
        setProblem(null);
      });
      h.on(Events.LEVEL_UPDATED, updateEdge);
      h.on(Events.ERROR, (_event, data) => {
        if (!data.fatal || disposed) return;
        if (data.type === ErrorTypes.NETWORK_ERROR) {
          // The engine may be restarting the segmenter, or the first segment is not written yet.
          attempt++;
          const delay = backoffDelay(attempt);
          setProblem({ kind: 'retrying', attempt, seconds: Math.round(delay / 100) / 10 });
          if (retryTimer !== null) clearTimeout(retryTimer);
          retryTimer = setTimeout(() => {
            retryTimer = null;
            if (disposed) return;
            const manifest =
              data.details === ErrorDetails.MANIFEST_LOAD_ERROR ||
              data.details === ErrorDetails.MANIFEST_LOAD_TIMEOUT ||
              data.details === ErrorDetails.MANIFEST_PARSING_ERROR;
            if (manifest) h.loadSource(url);
            else h.startLoad();
          }, delay);
          return;
        }
        if (data.type === ErrorTypes.MEDIA_ERROR && mediaRecoveries < MAX_MEDIA_RECOVERIES) {
          mediaRecoveries++;
          h.recoverMediaError();
          return;
        }
        setProblem({ kind: 'error', message: data.error.message || data.details });
        h.destroy();
        if (hlsRef.current === h) hlsRef.current = null;
      });
      h.attachMedia(video);
      h.loadSource(url);
    }

    return () => {
      disposed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      unsubscribeSeek();
      video.removeEventListener('timeupdate', updateEdge);
      video.removeEventListener('seeked', updateEdge);
      store.setState((s) => (s.player !== null ? { player: null } : {}));
      if (hls) {
        hls.destroy();
        if (hlsRef.current === hls) hlsRef.current = null;
      } else {
        video.removeAttribute('src');
        video.load();
      }
    };
  }, [url, sessionId, support, store]);

  if (support === 'none') {
    return (
      <p
        className="player-message player-message--error"
        data-testid="player-unsupported"
        role="alert"
      >
        {t('player.unsupported')}
      </p>
    );
  }

  const showBackToLive = !props.ended && edge.live;
  return (
    <div className="player">
      <video
        ref={videoRef}
        className="player__video"
        data-testid="live-video"
        aria-label={t('player.label', { title: props.title })}
        controls
        muted
        autoPlay
        playsInline
      />
      <div className="player__bar">
        {showBackToLive && (
          <button
            type="button"
            data-testid="back-to-live"
            data-at-live={edge.atLive ? 'true' : 'false'}
            disabled={edge.atLive}
            onClick={() => store.getState().player?.backToLive()}
            title={edge.atLive ? undefined : t('player.behindLive', { seconds: edge.behindS })}
          >
            {t('player.backToLive')}
            {!edge.atLive && (
              <span className="player__behind">
                {' '}
                ({t('player.behindLive', { seconds: edge.behindS })})
              </span>
            )}
          </button>
        )}
        {props.ended && <span className="pane__context">{t('player.replay')}</span>}
        {problem && (
          <span
            className={`player-message player-message--${problem.kind}`}
            data-testid="player-problem"
            data-kind={problem.kind}
            role={problem.kind === 'error' ? 'alert' : 'status'}
          >
            {problem.kind === 'retrying'
              ? t('player.retrying', { seconds: problem.seconds, attempt: problem.attempt })
              : t('player.error', { message: problem.message })}
          </span>
        )}
      </div>
    </div>
  );
}
