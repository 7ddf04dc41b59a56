import { useEffect, useId, useState } from 'react';
import { Dialog } from '../components/Dialog';
import type { CaptionCue, ErrorCode, ReviewItem } from '../contract';
import { PromptEditor } from '../prompts/PromptEditor';
import { useEngine, useT } from '../state/context';
import { FailureLine } from '../components/FailureLine';

/** The shortest override reason the engine takes (after trimming). */
export const MIN_OVERRIDE_REASON = 3;

/**
 * Approving a flagged clip: the operator says why it may go out anyway (logged with the clip),
 * then it is approved.
 */
export function OverrideDialog(props: { item: ReviewItem; onClose: () => void }) {
  const t = useT();
  const id = useId();
  const { actions } = useEngine();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; code: ErrorCode } | null>(null);
  const tooShort = reason.trim().length < MIN_OVERRIDE_REASON;

  const submit = async () => {
    if (tooShort) return;
    setBusy(true);
    setProblem(null);
    const r = await actions.review.approveWithOverride(props.item.clip.id, reason);
    setBusy(false);
    if (r.ok) props.onClose();
    else setProblem({ message: r.message, code: r.code });
  };

  return (
    <Dialog title={t('override.title')} testId="override-dialog" onClose={props.onClose}>
      <p className="dialog__intro">{t('override.intro')}</p>
      <ul className="rv-detail__reasons">
        {props.item.safety.reasons.map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
      <form
        className="detect-form"
        noValidate
        onSubmit={(ev) => {
          ev.preventDefault();
          void submit();
        }}
      >
        <label className="detect-form__field" htmlFor={id}>
          <span>{t('override.reason')}</span>
          <textarea
            id={id}
            data-testid="override-reason"
            rows={3}
            maxLength={500}
            value={reason}
            aria-invalid={reason !== '' && tooShort ? true : undefined}
            onChange={(ev) => setReason(ev.target.value)}
          />
          <span className="hint">{t('override.hint', { min: MIN_OVERRIDE_REASON })}</span>
        </label>
        {problem && (
          <FailureLine
            testId="override-error"
            text={t('override.failed', { message: problem.message })}
            code={problem.code}
          />
        )}
        <div className="dialog__buttons">
          <button
            type="submit"
            className="primary"
            data-testid="override-submit"
            disabled={busy || tooShort}
          >
            {t('override.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The cues with the text as typed; only changed ones are sent. */
export function captionEdits(
  cues: readonly CaptionCue[],
  typed: Readonly<Record<number, string>>,
): Array<{ index: number; text: string }> {
  const edits: Array<{ index: number; text: string }> = [];
  for (const c of cues) {
    const text = typed[c.index];
    if (text !== undefined && text !== c.text) edits.push({ index: c.index, text });
  }
  return edits;
}

/**
 * Correcting the captions before they are burned in: each cue's text (the transcript's shown when
 * it was changed); saving re-renders the clip. An emptied cue goes back to the transcript's text.
 */
export function CaptionsDialog(props: { item: ReviewItem; onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const clipId = props.item.clip.id;
  const [cues, setCues] = useState<CaptionCue[] | null>(null);
  const [typed, setTyped] = useState<Record<number, string>>({});
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ message: string; code: ErrorCode } | null>(null);

  useEffect(() => {
    let cancelled = false;
    void actions.review.loadCaptions(clipId).then((r) => {
      if (cancelled) return;
      if (r.ok) setCues(r.value);
      else setProblem({ message: r.message, code: r.code });
    });
    return () => {
      cancelled = true;
    };
  }, [actions, clipId]);

  const edits = cues ? captionEdits(cues, typed) : [];
  const save = async () => {
    if (edits.length === 0) return;
    setBusy(true);
    setProblem(null);
    const r = await actions.review.saveCaptions(clipId, edits);
    setBusy(false);
    if (r.ok) props.onClose();
    else setProblem({ message: r.message, code: r.code });
  };

  return (
    <Dialog title={t('captions.title')} testId="captions-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">{t('captions.intro')}</p>
      {cues === null && !problem && <p className="pane__context">{t('captions.loading')}</p>}
      {cues !== null && cues.length === 0 && (
        <p className="pane__context" data-testid="captions-empty">
          {t('captions.none')}
        </p>
      )}
      {cues !== null && cues.length > 0 && (
        <ol className="captions" data-testid="captions-list">
          {cues.map((c) => (
            <li
              key={c.index}
              className="captions__cue"
              data-testid="captions-cue"
              data-index={c.index}
            >
              <span className="pane__context">
                {c.start.toFixed(1)}–{c.end.toFixed(1)} s
              </span>
              <input
                data-testid="captions-text"
                aria-label={t('captions.cue', { n: c.index + 1 })}
                maxLength={500}
                value={typed[c.index] ?? c.text}
                onChange={(ev) => setTyped((m) => ({ ...m, [c.index]: ev.target.value }))}
              />
              {c.edited && (
                <span className="hint" title={c.original}>
                  {t('captions.original', { text: c.original })}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      {problem && (
        <FailureLine
          testId="captions-error"
          text={t('captions.failed', { message: problem.message })}
          code={problem.code}
        />
      )}
      <div className="dialog__buttons">
        <button
          type="button"
          className="primary"
          data-testid="captions-save"
          disabled={busy || edits.length === 0}
          onClick={() => void save()}
        >
          {t('captions.save', { count: edits.length })}
        </button>
      </div>
    </Dialog>
  );
}

/** E: the item's prompt in the editor; saving with a re-render closes it. */
export function PromptDialog(props: { item: ReviewItem; onClose: () => void }) {
  const t = useT();
  const { onClose } = props;
  return (
    <Dialog title={t('review.promptDialog')} testId="prompt-dialog" onClose={onClose} wide>
      <p className="dialog__intro">{props.item.highlight.text || t('highlights.noText')}</p>
      <PromptEditor
        highlightId={props.item.highlight.id}
        onSaved={(rerendered) => {
          if (rerendered) onClose();
        }}
      />
    </Dialog>
  );
}
