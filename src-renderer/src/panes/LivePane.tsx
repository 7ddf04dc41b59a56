import { useAppState, useT } from '../state/context';
import { NotBuilt } from './NotBuilt';
import { Pane } from './Pane';

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
      <NotBuilt empty="pane.live.empty" future="pane.live.future" />
    </Pane>
  );
}
