import { selectedReadyClip, toggleClipPreview } from '../clips/commands';
import type { Highlight } from '../contract';
import { FINE_NUDGE_S, NUDGE_S } from '../keyboard/shortcuts';
import { formatDuration } from '../live/format';
import { useAppState, useEngine, useT } from '../state/context';
import type { NudgeEdge } from '../state/highlights';
import { reviewHighlight, seekHighlight } from './commands';

/** Buttons for what the keys do to the selected highlight (each names its key). */
export function SelectedActions(props: { highlight: Highlight | null }) {
  const t = useT();
  const { store, actions } = useEngine();
  const h = props.highlight;
  const hasReadyClip = useAppState((s) => selectedReadyClip(s) !== null);
  if (!h) {
    return (
      <p className="hl-selected hl-selected--none pane__context" data-testid="highlight-selected">
        {t('highlights.selectHint')}
      </p>
    );
  }
  const review = (r: Highlight['review']) => void reviewHighlight(store, actions, h, r);
  const nudge = (edge: NudgeEdge, delta: number) => void actions.nudgeHighlight(h.id, edge, delta);
  const nudgeTitle = (edge: NudgeEdge, sign: 1 | -1) =>
    t(`shortcut.nudge.${edge}.${sign < 0 ? 'earlier' : 'later'}`);
  return (
    <div
      className="hl-selected"
      data-testid="highlight-selected"
      data-id={h.id}
      role="group"
      aria-label={t('highlights.selected', {
        time: `${formatDuration(h.start)}–${formatDuration(h.end)}`,
      })}
    >
      <button type="button" data-testid="highlight-play" onClick={() => seekHighlight(store, h)}>
        {t('highlights.play')} <kbd>Enter</kbd>
      </button>
      <button
        type="button"
        data-testid="highlight-accept"
        disabled={h.review === 'accepted'}
        onClick={() => review('accepted')}
      >
        {t('highlights.accept')} <kbd>A</kbd>
      </button>
      <button
        type="button"
        data-testid="highlight-dismiss"
        disabled={h.review === 'dismissed'}
        onClick={() => review('dismissed')}
      >
        {t('highlights.dismiss')} <kbd>D</kbd>
      </button>
      <button
        type="button"
        data-testid="highlight-undo"
        disabled={h.review === 'new'}
        onClick={() => review('new')}
      >
        {t('highlights.undo')} <kbd>U</kbd>
      </button>
      <button
        type="button"
        data-testid="highlight-rerender"
        onClick={() => store.getState().setRerenderHighlight(h.id)}
      >
        {t('clips.rerender')} <kbd>R</kbd>
      </button>
      <button
        type="button"
        data-testid="highlight-play-clip"
        disabled={!hasReadyClip}
        onClick={() => toggleClipPreview(store)}
      >
        {t('clips.play')} <kbd>C</kbd>
      </button>
      <span className="hl-selected__nudge" role="group" aria-label={t('highlights.nudge')}>
        <span className="pane__context">{t('highlights.in')}</span>
        <button
          type="button"
          data-testid="highlight-in-earlier"
          title={nudgeTitle('in', -1)}
          aria-label={nudgeTitle('in', -1)}
          onClick={(ev) => nudge('in', ev.altKey ? -FINE_NUDGE_S : -NUDGE_S)}
        >
          [
        </button>
        <button
          type="button"
          data-testid="highlight-in-later"
          title={nudgeTitle('in', 1)}
          aria-label={nudgeTitle('in', 1)}
          onClick={(ev) => nudge('in', ev.altKey ? FINE_NUDGE_S : NUDGE_S)}
        >
          ]
        </button>
        <span className="pane__context">{t('highlights.out')}</span>
        <button
          type="button"
          data-testid="highlight-out-earlier"
          title={nudgeTitle('out', -1)}
          aria-label={nudgeTitle('out', -1)}
          onClick={(ev) => nudge('out', ev.altKey ? -FINE_NUDGE_S : -NUDGE_S)}
        >
          ⇧[
        </button>
        <button
          type="button"
          data-testid="highlight-out-later"
          title={nudgeTitle('out', 1)}
          aria-label={nudgeTitle('out', 1)}
          onClick={(ev) => nudge('out', ev.altKey ? FINE_NUDGE_S : NUDGE_S)}
        >
          ⇧]
        </button>
      </span>
    </div>
  );
}
