import { useEffect, useMemo, useState } from 'react';
import { ClipPreview } from '../clips/ClipPreview';
import { ClipSettingsDialog } from '../clips/ClipSettingsDialog';
import { RerenderDialog } from '../clips/RerenderDialog';
import type { Highlight } from '../contract';
import { DetectSettingsDialog } from '../highlights/DetectSettingsDialog';
import { HighlightFilters } from '../highlights/HighlightFilters';
import { HighlightList } from '../highlights/HighlightList';
import { LexiconDialog } from '../highlights/LexiconDialog';
import { SelectedActions } from '../highlights/SelectedActions';
import { useAppState, useEngine, useT } from '../state/context';
import { findClip } from '../state/clips';
import { filterHighlights } from '../state/highlights';
import { Pane } from './Pane';
import { FailureLine } from '../components/FailureLine';

const NONE: readonly Highlight[] = [];

/** The selected session's highlights: filters, the list, and what to do with the selected one. */
function SessionHighlights(props: { sessionId: string }) {
  const t = useT();
  const { actions } = useEngine();
  const { sessionId } = props;
  const connected = useAppState((s) => s.connection === 'connected');
  const entry = useAppState((s) => s.highlights[sessionId] ?? null);
  const filter = useAppState((s) => s.highlightFilter);
  const selectedId = useAppState((s) => s.selectedHighlightId);
  const clipsError = useAppState((s) => s.clips[sessionId]?.error ?? null);
  const previewId = useAppState((s) => {
    const c = s.previewClipId !== null ? findClip(s.clips, s.previewClipId) : null;
    return c?.sessionId === sessionId ? c.id : null;
  });
  const rerenderId = useAppState((s) => s.rerenderHighlightId);
  const setRerender = useAppState((s) => s.setRerenderHighlight);

  useEffect(() => {
    if (!connected) return;
    void actions.loadHighlights(sessionId);
    void actions.loadClips(sessionId);
  }, [sessionId, connected, actions]);

  const all = entry?.list ?? NONE;
  const shown = useMemo(() => filterHighlights(all, filter), [all, filter]);
  const selected = selectedId !== null ? (shown.find((h) => h.id === selectedId) ?? null) : null;
  const error = entry?.error ?? null;
  const rerender = rerenderId !== null ? (all.find((h) => h.id === rerenderId) ?? null) : null;

  let body;
  if (all.length === 0) {
    if (error) body = null;
    else if (entry === null || entry.status === 'loading') {
      body = (
        <p className="pane__context" data-testid="highlights-loading">
          {t('highlights.loading')}
        </p>
      );
    } else {
      body = (
        <div className="hl-empty" data-testid="highlights-empty" data-reason="none-yet">
          <p>{t('highlights.empty')}</p>
          <p className="hint">{t('highlights.emptyHint')}</p>
        </div>
      );
    }
  } else if (shown.length === 0) {
    body = (
      <p className="hl-empty" data-testid="highlights-empty" data-reason="filtered">
        {t('highlights.filteredOut')}
      </p>
    );
  } else {
    body = <HighlightList sessionId={sessionId} shown={shown} selectedId={selected?.id ?? null} />;
  }

  return (
    <div className="highlights" data-session-id={sessionId}>
      <HighlightFilters all={all} />
      {all.length > 0 && <SelectedActions highlight={selected} />}
      {previewId !== null && <ClipPreview key={previewId} clipId={previewId} />}
      {body}
      {clipsError && (
        <FailureLine
          testId="clips-error"
          text={t('clips.loadFailed', { message: clipsError.message })}
          code={clipsError.code}
        >
          <button type="button" onClick={() => void actions.loadClips(sessionId)}>
            {t('highlights.retry')}
          </button>
        </FailureLine>
      )}
      {rerender && <RerenderDialog highlight={rerender} onClose={() => setRerender(null)} />}
      {error && (
        <FailureLine
          testId="highlights-error"
          text={t('highlights.loadFailed', { message: error.message })}
          code={error.code}
        >
          <button type="button" onClick={() => void actions.loadHighlights(sessionId)}>
            {t('highlights.retry')}
          </button>
        </FailureLine>
      )}
      <p className="pane__context" data-testid="highlights-count" aria-live="polite">
        {t('highlights.count', { shown: shown.length, total: all.length })}
      </p>
    </div>
  );
}

/** Opens the lexicon editor, the detection settings and the clip settings (they need no session). */
function DetectTools() {
  const t = useT();
  const [open, setOpen] = useState<'lexicon' | 'settings' | 'clips' | null>(null);
  return (
    <div className="hl-tools">
      <button type="button" data-testid="open-lexicon" onClick={() => setOpen('lexicon')}>
        {t('lexicon.open')}
      </button>
      <button type="button" data-testid="open-detect-settings" onClick={() => setOpen('settings')}>
        {t('detect.open')}
      </button>
      <button type="button" data-testid="open-clip-settings" onClick={() => setOpen('clips')}>
        {t('clipSettings.open')}
      </button>
      {open === 'lexicon' && <LexiconDialog onClose={() => setOpen(null)} />}
      {open === 'clips' && <ClipSettingsDialog onClose={() => setOpen(null)} />}
      {open === 'settings' && <DetectSettingsDialog onClose={() => setOpen(null)} />}
    </div>
  );
}

export function HighlightsPane() {
  const t = useT();
  const sessionId = useAppState((s) =>
    s.selectedSessionId !== null && s.sessions[s.selectedSessionId] ? s.selectedSessionId : null,
  );
  return (
    <Pane pane="highlights">
      <DetectTools />
      {sessionId !== null ? (
        <SessionHighlights key={sessionId} sessionId={sessionId} />
      ) : (
        <p className="hl-empty" data-testid="highlights-empty" data-reason="no-session">
          {t('highlights.noSession')}
        </p>
      )}
    </Pane>
  );
}
