import type { Highlight, Session } from '../contract';
import { formatDuration } from '../live/format';
import { timelinePercent } from '../live/liveEdge';
import { useAppState, useEngine, useT } from '../state/context';
import { isManual, scorePercent } from '../state/highlights';
import { seekHighlight } from './commands';
import { categoryLabel } from './labels';

const NONE: readonly Highlight[] = [];

/**
 * A lane under the player with every highlight's window as a band (manual marks drawn apart,
 * open windows dashed, dismissed ones faint); a band selects its highlight and plays it.
 */
function HighlightLane(props: { sessionId: string; durationS: number }) {
  const t = useT();
  const { store } = useEngine();
  const list = useAppState((s) => s.highlights[props.sessionId]?.list ?? NONE);
  const selectedId = useAppState((s) => s.selectedHighlightId);
  // The lane spans the recording, or the last highlight when the duration is not known yet.
  const span = Math.max(
    props.durationS,
    list.reduce((m, h) => Math.max(m, h.end), 0),
  );
  return (
    <div
      className="hl-lane"
      data-testid="highlight-lane"
      role="group"
      aria-label={t('highlights.lane')}
    >
      {list.map((h) => {
        const manual = isManual(h);
        const left = timelinePercent(h.start, span);
        const width = Math.max(0.4, timelinePercent(h.end, span) - left);
        const label = t('highlights.band', {
          time: `${formatDuration(h.start)}–${formatDuration(h.end)}`,
          category: categoryLabel(t, h.category),
          percent: scorePercent(h.score),
        });
        return (
          <button
            key={h.id}
            type="button"
            className={`hl-band hl-band--${h.review} hl-band--${h.state}${manual ? ' hl-band--manual' : ''}`}
            data-testid="highlight-band"
            data-id={h.id}
            data-manual={manual ? 'true' : 'false'}
            aria-current={h.id === selectedId ? 'true' : undefined}
            style={{ left: `${left}%`, width: `${width}%` }}
            title={label}
            aria-label={label}
            onClick={() => {
              store.getState().selectHighlight(h.id);
              seekHighlight(store, h);
            }}
          />
        );
      })}
    </div>
  );
}

/** "Clip that!": marks this session's live moment (M does the same for the live session). */
function ClipThatButton(props: { session: Session }) {
  const t = useT();
  const { actions } = useEngine();
  const live = props.session.status === 'live';
  return (
    <button
      type="button"
      className="clip-that"
      data-testid="clip-that"
      data-live={live ? 'true' : 'false'}
      title={live ? t('mark.buttonHint') : t('mark.notLiveHint')}
      onClick={() => void actions.mark('button', props.session.id)}
    >
      {t('mark.button')} <kbd>M</kbd>
    </button>
  );
}

/** Under the player: the "Clip that!" button and the highlight lane. */
export function HighlightStrip(props: { session: Session; durationS: number }) {
  return (
    <div className="hl-strip">
      <ClipThatButton session={props.session} />
      <HighlightLane sessionId={props.session.id} durationS={props.durationS} />
    </div>
  );
}
