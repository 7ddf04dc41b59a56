import {
  useDeferredValue,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import type { Utterance } from '../contract';
import { formatDuration } from '../live/format';
import { useAppState, useEngine, useT } from '../state/context';
import { keywordSeekTime, type KeywordHit } from '../state/keywords';
import type { Partial as PartialText } from '../state/transcript';
import {
  foldQuery,
  foldText,
  searchRows,
  splitHighlights,
  stepMatch,
  type Folded,
  type MatchRef,
} from '../transcript/search';
import { isAtBottom, scrollTopToCenter, visibleRange } from '../transcript/windowing';
import { Pane } from './Pane';
import { FailureLine } from '../components/FailureLine';

/** Every line's height in px (the CSS gives .transcript__line the same). */
export const ROW_HEIGHT = 24;
const OVERSCAN = 12;
/** Until the viewport is measured (and in server rendering). */
const DEFAULT_VIEWPORT = 320;

const NO_UTTERANCES: readonly Utterance[] = [];
const NO_KEYWORDS: readonly KeywordHit[] = [];

// Utterances are immutable: fold each line's text once.
const foldCache = new WeakMap<Utterance, Folded>();
function folded(u: Utterance): Folded {
  let f = foldCache.get(u);
  if (!f) {
    f = foldText(u.text);
    foldCache.set(u, f);
  }
  return f;
}

function Highlighted(props: { text: string; query: string; fold: Folded; current: number }) {
  if (props.query === '') return <>{props.text}</>;
  // Plain strings only: React escapes them (no HTML is ever built from the text).
  return (
    <>
      {splitHighlights(props.text, props.query, props.fold).map((p, i) =>
        p.match < 0 ? (
          <span key={i}>{p.text}</span>
        ) : (
          <mark key={i} className={p.match === props.current ? 'is-current' : undefined}>
            {p.text}
          </mark>
        ),
      )}
    </>
  );
}

function Timeline(props: {
  sessionId: string;
  utterances: readonly Utterance[];
  partial: PartialText | null;
  footer: ReactNode;
}) {
  const t = useT();
  const { store } = useEngine();
  const { utterances, partial, sessionId } = props;
  const viewportRef = useRef<HTMLDivElement>(null);
  const [viewportH, setViewportH] = useState(DEFAULT_VIEWPORT);
  const [firstRow, setFirstRow] = useState(0);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(-1);
  const deferredQuery = useDeferredValue(query);

  const foldedQuery = deferredQuery.trim() === '' ? '' : foldQuery(deferredQuery);
  const matches: MatchRef[] = useMemo(
    () =>
      deferredQuery.trim() === ''
        ? []
        : searchRows(
            utterances.map((u) => u.text),
            deferredQuery,
            (_text, row) => {
              const u = utterances[row];
              return u ? folded(u).text : '';
            },
          ),
    [utterances, deferredQuery],
  );
  const activeIndex = active < matches.length ? active : -1;
  const current = activeIndex >= 0 ? (matches[activeIndex] ?? null) : null;

  const count = utterances.length + (partial ? 1 : 0);
  const range = visibleRange({
    // Following: the end of the list, whatever the last scroll event said.
    scrollTop: follow ? Number.MAX_SAFE_INTEGER : firstRow * ROW_HEIGHT,
    viewportHeight: viewportH,
    rowHeight: ROW_HEIGHT,
    count,
    overscan: OVERSCAN,
  });

  const scrollToEnd = () => {
    const el = viewportRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  // Following: new lines (and partial text) scroll into view.
  useLayoutEffect(() => {
    if (follow) scrollToEnd();
  }, [follow, count, partial?.text, viewportH]);

  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    setViewportH(el.clientHeight || DEFAULT_VIEWPORT);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewportH(el.clientHeight || DEFAULT_VIEWPORT));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = () => {
    const el = viewportRef.current;
    if (!el) return;
    const row = Math.floor(el.scrollTop / ROW_HEIGHT);
    setFirstRow((prev) => (prev === row ? prev : row));
    // Scrolling away from the end by hand stops following (our own scrolls land on the end).
    if (follow && !isAtBottom(el.scrollTop, el.clientHeight, el.scrollHeight, ROW_HEIGHT / 2)) {
      setFollow(false);
    }
  };

  const goTo = (dir: 1 | -1) => {
    const next = stepMatch(activeIndex, matches.length, dir);
    if (next < 0) return;
    setActive(next);
    const m = matches[next];
    const el = viewportRef.current;
    if (!m || !el) return;
    setFollow(false);
    const top = scrollTopToCenter(m.row, ROW_HEIGHT, el.clientHeight || viewportH, count);
    el.scrollTop = top;
    setFirstRow(Math.floor(top / ROW_HEIGHT));
  };

  const onSearchKey = (ev: KeyboardEvent<HTMLInputElement>) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    goTo(ev.shiftKey ? -1 : 1);
  };

  const rows: ReactNode[] = [];
  for (let i = range.start; i < range.end; i++) {
    const u = utterances[i];
    const style = { top: i * ROW_HEIGHT, height: ROW_HEIGHT };
    if (!u) {
      if (partial) {
        rows.push(
          <div
            key="partial"
            className="transcript__line transcript__line--partial"
            data-testid="transcript-partial"
            data-start={partial.start}
            style={style}
            title={t('transcript.partial')}
          >
            <span className="transcript__time">[{formatDuration(partial.start)}]</span>{' '}
            <span className="transcript__text">{partial.text}</span>
          </div>,
        );
      }
      continue;
    }
    const time = formatDuration(u.start);
    rows.push(
      <button
        key={u.seq}
        type="button"
        className="transcript__line"
        data-testid="transcript-line"
        data-start={u.start}
        data-seq={u.seq}
        style={style}
        title={`${t('transcript.seekTo', { time })}: ${u.text}`}
        onClick={() => store.getState().requestSeek(sessionId, u.start)}
      >
        <span className="transcript__time">[{time}]</span>{' '}
        <span className="transcript__text">
          <Highlighted
            text={u.text}
            query={foldedQuery}
            fold={folded(u)}
            current={current && current.row === i ? current.n : -1}
          />
        </span>
        {(u.tags ?? [])
          .filter((tag) => tag === 'laughter' || tag === 'applause')
          .map((tag) => (
            <span key={tag} className="transcript__tag" data-testid="transcript-tag">
              {t(tag === 'laughter' ? 'transcript.tag.laughter' : 'transcript.tag.applause')}
            </span>
          ))}
      </button>,
    );
  }

  const searching = foldedQuery !== '';
  return (
    <div className="transcript" data-session-id={sessionId}>
      <div className="transcript__toolbar">
        <input
          type="search"
          className="transcript__search"
          data-testid="transcript-search"
          value={query}
          aria-label={t('transcript.search')}
          placeholder={t('transcript.searchPlaceholder')}
          spellCheck={false}
          autoComplete="off"
          onChange={(ev) => {
            setQuery(ev.target.value);
            setActive(-1);
          }}
          onKeyDown={onSearchKey}
        />
        {searching && (
          <>
            <span
              className="transcript__count"
              data-testid="transcript-match-count"
              aria-live="polite"
            >
              {t('transcript.matches', {
                current: activeIndex + 1,
                total: matches.length,
              })}
            </span>
            <button
              type="button"
              data-testid="transcript-prev"
              aria-label={t('transcript.prev')}
              title={t('transcript.prev')}
              disabled={matches.length === 0}
              onClick={() => goTo(-1)}
            >
              ↑
            </button>
            <button
              type="button"
              data-testid="transcript-next"
              aria-label={t('transcript.next')}
              title={t('transcript.next')}
              disabled={matches.length === 0}
              onClick={() => goTo(1)}
            >
              ↓
            </button>
          </>
        )}
        <label className="checkbox transcript__follow">
          <input
            type="checkbox"
            data-testid="transcript-follow"
            checked={follow}
            onChange={(ev) => setFollow(ev.target.checked)}
          />
          {t('transcript.follow')}
        </label>
      </div>
      <div
        ref={viewportRef}
        className="transcript__viewport"
        data-testid="transcript-viewport"
        role="group"
        aria-label={t('transcript.lines')}
        tabIndex={0}
        onScroll={onScroll}
      >
        <div className="transcript__spacer" style={{ height: count * ROW_HEIGHT }}>
          {rows}
        </div>
      </div>
      <div className="transcript__status">
        <span className="pane__context" data-testid="transcript-count">
          {t('transcript.count', { count: utterances.length })}
        </span>
        {!follow && (
          <button
            type="button"
            data-testid="transcript-jump-latest"
            onClick={() => {
              setFollow(true);
              scrollToEnd();
            }}
          >
            {t('transcript.jumpLatest')}
          </button>
        )}
        {props.footer}
      </div>
    </div>
  );
}

/** Keywords spotted in the session (as they arrive); a chip plays from a little before it. */
function KeywordChips(props: { sessionId: string }) {
  const t = useT();
  const { store } = useEngine();
  const { sessionId } = props;
  const hits = useAppState((s) => s.keywords[sessionId] ?? NO_KEYWORDS);
  if (hits.length === 0) return null;
  return (
    <div
      className="keyword-chips"
      data-testid="keyword-chips"
      role="group"
      aria-label={t('keywords.label')}
    >
      {hits.map((k) => {
        const seekTo = keywordSeekTime(k.at);
        return (
          <button
            key={`${k.at}:${k.keyword}`}
            type="button"
            className="keyword-chip"
            data-testid="keyword-chip"
            data-at={k.at}
            title={t('keywords.seek', { time: formatDuration(seekTo), keyword: k.keyword })}
            onClick={() => store.getState().requestSeek(sessionId, seekTo)}
          >
            {k.keyword} {formatDuration(k.at)}
          </button>
        );
      })}
    </div>
  );
}

/** The selected session's transcript: loads it, then shows the timeline or why it is empty. */
function SessionTranscript(props: { sessionId: string }) {
  const t = useT();
  const { actions } = useEngine();
  const { sessionId } = props;
  const connected = useAppState((s) => s.connection === 'connected');
  const transcript = useAppState((s) => s.transcripts[sessionId] ?? null);
  const kws = useAppState((s) => s.asrStatus?.keywordSpotting ?? null);

  useEffect(() => {
    if (connected) void actions.loadTranscript(sessionId);
  }, [sessionId, connected, actions]);

  const utterances = transcript?.utterances ?? NO_UTTERANCES;
  const partial = transcript?.partial ?? null;
  const error = transcript?.error ?? null;
  const retry = (
    <button
      type="button"
      data-testid="transcript-retry"
      onClick={() => void actions.loadTranscript(sessionId)}
    >
      {t('transcript.retry')}
    </button>
  );
  const errorLine = error && (
    <FailureLine
      testId="transcript-error"
      text={t('transcript.loadFailed', { message: error.message })}
      code={error.code}
    >
      {retry}
    </FailureLine>
  );

  const chips = <KeywordChips sessionId={sessionId} />;
  if (utterances.length === 0 && partial === null) {
    if (error) {
      return (
        <>
          {chips}
          {errorLine}
        </>
      );
    }
    if (transcript === null || transcript.status === 'loading') {
      return (
        <>
          {chips}
          <p className="pane__context" data-testid="transcript-loading">
            {t('transcript.loading')}
          </p>
        </>
      );
    }
    const speechOff = kws !== null && !kws.enabled;
    return (
      <>
        {chips}
        <div className="transcript-empty" data-testid="transcript-empty" data-reason="none-yet">
          <p>{t('transcript.empty')}</p>
          {speechOff && (
            <div data-testid="transcript-speech-off">
              {kws.reason !== null && (
                <p className="hint">{t('transcript.speechOff', { reason: kws.reason })}</p>
              )}
              <p className="hint">{t('transcript.speechHint')}</p>
            </div>
          )}
          <p className="hint">{t('transcript.emptyHint')}</p>
        </div>
      </>
    );
  }
  return (
    <>
      {chips}
      <Timeline
        key={sessionId}
        sessionId={sessionId}
        utterances={utterances}
        partial={partial}
        footer={errorLine}
      />
    </>
  );
}

export function TranscriptPane() {
  const t = useT();
  const sessionId = useAppState((s) =>
    s.selectedSessionId !== null && s.sessions[s.selectedSessionId] ? s.selectedSessionId : null,
  );
  return (
    <Pane pane="transcript">
      {sessionId !== null ? (
        <SessionTranscript key={sessionId} sessionId={sessionId} />
      ) : (
        <p className="transcript-empty" data-testid="transcript-empty" data-reason="no-session">
          {t('transcript.noSession')}
        </p>
      )}
    </Pane>
  );
}
