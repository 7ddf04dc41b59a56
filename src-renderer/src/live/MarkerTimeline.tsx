import type { SessionMarker } from '../contract';
import { useEngine, useT } from '../state/context';
import { formatDuration } from './format';
import { timelinePercent } from './liveEdge';

/** A thin bar under the player with a tick per marker (gap, stall…); a tick seeks there. */
export function MarkerTimeline(props: { markers: readonly SessionMarker[]; durationS: number }) {
  const t = useT();
  const { store } = useEngine();
  return (
    <div
      className="timeline"
      data-testid="marker-timeline"
      role="group"
      aria-label={t('timeline.label')}
    >
      {props.markers.map((m) => {
        const label = t('marker.tooltip', {
          time: formatDuration(m.mediaTime),
          kind: t(`marker.${m.kind}`),
          message: m.message,
        });
        return (
          <button
            key={`${m.kind}-${m.at}-${m.mediaTime}`}
            type="button"
            className={`timeline__tick timeline__tick--${m.kind}`}
            data-testid="marker-tick"
            data-kind={m.kind}
            style={{ left: `${timelinePercent(m.mediaTime, props.durationS)}%` }}
            title={label}
            aria-label={label}
            onClick={() => store.getState().player?.seek(m.mediaTime)}
          />
        );
      })}
    </div>
  );
}
