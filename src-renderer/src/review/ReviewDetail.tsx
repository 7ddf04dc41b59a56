import { useRef, useState } from 'react';
import type { Publication, ReviewItem, SafetyWordHit } from '../contract';
import { formatDuration } from '../live/format';
import { mediaUrl } from '../live/mediaUrl';
import { NUDGE_S } from '../keyboard/shortcuts';
import { useAppState, useEngine, useT } from '../state/context';
import { excerpt, needsOverride, splitBySpans } from '../state/review';
import { decideReview } from './commands';
import { qualityText, renderStateText } from './ReviewRow';

/** A field's text with the safety hits on it marked. */
function Marked(props: { text: string; hits: readonly SafetyWordHit[]; testId: string }) {
  return (
    <p className="rv-detail__text" data-testid={props.testId}>
      {splitBySpans(props.text, props.hits).map((part, i) =>
        part.hit ? (
          <mark key={i} className={`safety-hit safety-hit--${part.severity ?? 'warn'}`}>
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </p>
  );
}

function SafetySection(props: { item: ReviewItem }) {
  const t = useT();
  const { safety, override } = props.item;
  const captionHits = safety.words.filter((w) => w.field === 'caption');
  return (
    <section
      className="rv-detail__safety"
      data-testid="review-safety-detail"
      data-state={safety.state}
      aria-label={t('review.safetyHeading')}
    >
      <h3 className="rv-detail__heading">
        {t('review.safetyHeading')}{' '}
        <span className={`safety-badge safety-badge--${safety.state}`}>
          {t(`review.safety.${safety.state}`)}
        </span>
      </h3>
      {safety.reasons.length > 0 && (
        <ul className="rv-detail__reasons" data-testid="review-safety-reasons">
          {safety.reasons.map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      )}
      {captionHits.length > 0 && (
        <ul className="safety-hits">
          {captionHits.map((h, i) => (
            <li key={`${h.captionIndex ?? 0}-${h.start}-${i}`}>
              {t('review.captionHit', {
                n: (h.captionIndex ?? 0) + 1,
                matched: h.matched,
                term: h.term,
                severity: t(`safety.severity.${h.severity}`),
              })}
            </li>
          ))}
        </ul>
      )}
      {safety.image && (
        <p className="pane__context">
          {safety.image.worst
            ? t('review.imageWorst', {
                label: safety.image.worst.label,
                score: Math.round(safety.image.worst.score * 100),
                at: safety.image.worst.at.toFixed(1),
                frames: safety.image.frames,
              })
            : t('review.imageClean', { frames: safety.image.frames })}
        </p>
      )}
      {override && (
        <p className="warn" data-testid="review-override">
          {t('review.overridden', { reason: override.reason })}
        </p>
      )}
    </section>
  );
}

function PublicationRow(props: { p: Publication }) {
  const t = useT();
  const { actions } = useEngine();
  const { p } = props;
  const [busy, setBusy] = useState(false);
  const percent = p.progress === null ? null : Math.round(p.progress * 100);
  return (
    <li
      className={`rv-pub rv-pub--${p.state}`}
      data-testid="review-publication"
      data-target-id={p.targetId}
      data-state={p.state}
    >
      <span className="rv-pub__name">
        {p.targetName} <span className="pane__context">({t(`targets.kind.${p.kind}`)})</span>
      </span>
      <span className="hl-badge">{t(`review.pubState.${p.state}`)}</span>
      {p.state === 'uploading' && (
        <progress
          max={100}
          value={percent ?? undefined}
          aria-label={t('review.pubProgress', { name: p.targetName })}
        />
      )}
      {p.state === 'done' && p.url && (
        <code className="path rv-pub__url" title={p.url}>
          {p.url}
        </code>
      )}
      {p.state === 'failed' && (
        <>
          <span className="field-error" role="alert">
            {p.error ?? t('review.pubFailed')}
          </span>
          <button
            type="button"
            data-testid="review-publication-retry"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              void actions.review
                .retryPublication(p.clipId, p.targetId)
                .finally(() => setBusy(false));
            }}
          >
            {t('review.retry')}
          </button>
        </>
      )}
    </li>
  );
}

/**
 * The current clip in full: its player (and the cover frame picked from it), prompt and
 * transcript, safety result, what to decide, trim, captions, and where it was published.
 */
export function ReviewDetail(props: { item: ReviewItem }) {
  const t = useT();
  const { store, actions } = useEngine();
  const transport = useAppState((s) => s.transport);
  const { item } = props;
  const { clip, highlight: h, prompt } = item;
  const videoRef = useRef<HTMLVideoElement>(null);
  const [videoFailed, setVideoFailed] = useState<string | null>(null);
  const [coverBusy, setCoverBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const url = clip.state === 'ready' && clip.file !== null ? mediaUrl(transport, clip.file) : null;
  const coverUrl = item.cover?.path ? mediaUrl(transport, item.cover.path) : null;
  const rendering = renderStateText(t, item);
  const promptHits = item.safety.words.filter((w) => w.field === 'prompt');
  const titleHits = item.safety.words.filter((w) => w.field === 'title');
  const flagged = needsOverride(item);
  const setDialog = store.getState().setReviewDialog;

  const pickCover = async () => {
    const at = videoRef.current?.currentTime ?? 0;
    setCoverBusy(true);
    setActionError(null);
    const r = await actions.review.setCover(clip.id, at);
    setCoverBusy(false);
    if (!r.ok) setActionError(r.message);
  };

  const publishNow = async () => {
    setPublishing(true);
    const r = await actions.review.request('publish.clip', { clipId: clip.id });
    setPublishing(false);
    if (r.ok) for (const p of r.value.publications) store.getState().applyPublication(p);
    else setActionError(r.message);
  };

  return (
    <article
      className="rv-detail"
      data-testid="review-detail"
      data-clip-id={clip.id}
      data-decision={item.decision}
      aria-label={t('review.detail')}
    >
      <div className="rv-detail__player">
        {url !== null && videoFailed !== url ? (
          <video
            key={url}
            ref={videoRef}
            className="rv-detail__video"
            data-testid="review-video"
            src={url}
            controls
            playsInline
            preload="metadata"
            onError={() => setVideoFailed(url)}
          />
        ) : (
          <p className="pane__context rv-detail__novideo" data-testid="review-novideo">
            {url !== null ? t('clips.videoFailed') : (rendering ?? t('review.noVideo'))}
          </p>
        )}
        <div className="rv-detail__cover">
          {coverUrl !== null && (
            <img
              className="rv-detail__cover-img"
              data-testid="review-cover-img"
              src={coverUrl}
              alt={t('review.coverAlt')}
            />
          )}
          <span className="pane__context" data-testid="review-cover-at">
            {item.cover
              ? t('review.coverAt', { at: item.cover.at.toFixed(1) })
              : t('review.coverNone')}
          </span>
          <button
            type="button"
            data-testid="review-cover"
            disabled={url === null || coverBusy}
            onClick={() => void pickCover()}
          >
            {t('review.coverPick')}
          </button>
        </div>
      </div>
      <div className="rv-detail__side">
        <p className="pane__context">
          {t('review.facts', {
            time: `${formatDuration(h.start)}–${formatDuration(h.end)}`,
            quality: qualityText(item.quality),
            score: Math.round(h.score * 100),
          })}
          {rendering !== null && ` · ${rendering}`}
        </p>
        {item.aiGenerated && (
          <p className="pane__context" data-testid="review-generated">
            <span className="hl-badge ai-badge" data-testid="review-ai">
              {t('review.ai')}
            </span>
            {item.generation && (
              <>
                {' '}
                {t('review.generatedWith', {
                  model: item.generation.model,
                  provider: item.generation.provider ?? '—',
                  seed: item.generation.seed,
                  steps: item.generation.steps,
                  frames: item.generation.frames,
                  size: item.generation.size,
                })}
              </>
            )}
          </p>
        )}
        {prompt && (
          <>
            <h3 className="rv-detail__heading">{t('review.title')}</h3>
            <Marked text={prompt.title || '—'} hits={titleHits} testId="review-title" />
            <h3 className="rv-detail__heading">
              {t('review.prompt')}{' '}
              <button
                type="button"
                className="link-button"
                data-testid="review-edit-prompt"
                onClick={() => setDialog({ kind: 'prompt', clipId: clip.id })}
              >
                {t('review.editPrompt')}
              </button>
            </h3>
            <Marked text={prompt.text} hits={promptHits} testId="review-prompt" />
          </>
        )}
        <h3 className="rv-detail__heading">{t('review.transcript')}</h3>
        <p className="rv-detail__text" data-testid="review-transcript">
          {excerpt(h.text, 400) || t('highlights.noText')}
        </p>
        <SafetySection item={item} />
        <div className="rv-detail__buttons">
          {flagged ? (
            <button
              type="button"
              className="primary"
              data-testid="review-override-open"
              onClick={() => setDialog({ kind: 'override', clipId: clip.id })}
            >
              {t('review.overrideApprove')}
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              data-testid="review-approve"
              disabled={item.decision === 'approved'}
              onClick={() => void decideReview(store, actions, 'approved', [clip.id])}
            >
              {t('review.approve')}
            </button>
          )}
          <button
            type="button"
            className="danger"
            data-testid="review-reject"
            disabled={item.decision === 'rejected'}
            onClick={() => void decideReview(store, actions, 'rejected', [clip.id])}
          >
            {t('review.reject')}
          </button>
          {item.decision !== 'pending' && (
            <button
              type="button"
              data-testid="review-reset"
              onClick={() => void actions.review.decide([clip.id], 'pending')}
            >
              {t('review.reset')}
            </button>
          )}
          <button
            type="button"
            data-testid="review-captions"
            disabled={clip.state !== 'ready'}
            onClick={() => setDialog({ kind: 'captions', clipId: clip.id })}
          >
            {t('review.captions')}
          </button>
        </div>
        <div className="rv-detail__trim" role="group" aria-label={t('review.trim')}>
          <span className="pane__context">{t('review.trim')}</span>
          {(
            [
              ['in', -NUDGE_S],
              ['in', NUDGE_S],
              ['out', -NUDGE_S],
              ['out', NUDGE_S],
            ] as const
          ).map(([edge, delta]) => (
            <button
              key={`${edge}${delta}`}
              type="button"
              data-testid={`review-trim-${edge}-${delta < 0 ? 'earlier' : 'later'}`}
              title={t(`shortcut.nudge.${edge}.${delta < 0 ? 'earlier' : 'later'}`)}
              onClick={() => void actions.nudgeHighlight(h.id, edge, delta)}
            >
              {t(`review.trim.${edge}`)} {delta < 0 ? '−' : '+'}
              {NUDGE_S}s
            </button>
          ))}
        </div>
        <section className="rv-detail__pubs" aria-label={t('review.published')}>
          <h3 className="rv-detail__heading">{t('review.published')}</h3>
          {item.publications.length > 0 ? (
            <ul className="rv-pubs" data-testid="review-publications">
              {item.publications.map((p) => (
                <PublicationRow key={p.targetId} p={p} />
              ))}
            </ul>
          ) : (
            <p className="pane__context">
              {item.decision === 'approved' ? t('review.notPublished') : t('review.publishAfter')}
            </p>
          )}
          {item.decision === 'approved' && (
            <button
              type="button"
              data-testid="review-publish"
              disabled={publishing}
              onClick={() => void publishNow()}
            >
              {t('review.publishNow')}
            </button>
          )}
        </section>
        {actionError !== null && (
          <p className="field-error" role="alert" data-testid="review-detail-error">
            {actionError}
          </p>
        )}
      </div>
    </article>
  );
}
