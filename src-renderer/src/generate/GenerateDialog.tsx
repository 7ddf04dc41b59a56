import { useEffect, useId, useState, type FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import type { ErrorCode, Highlight } from '../contract';
import { formatDuration } from '../live/format';
import { useAppState, useEngine, useT } from '../state/context';
import {
  blankForm,
  FRAME_CHOICES,
  framesSeconds,
  MAX_PROMPT,
  MAX_SEED,
  MAX_STEPS,
  SIZE_PRESETS,
  toStartInput,
  type GenerateForm,
  type GenerateProblems,
} from './generateForm';
import { FailureLine } from '../components/FailureLine';

/**
 * "Generate video (AI)" for one highlight: the prompt (the highlight's own to start with),
 * frames, size, steps and seed, and a plain note that this is slow and runs in the background.
 * The queued job shows in the generations list; a refusal stays here with the engine's reason.
 */
export function GenerateDialog(props: { highlight: Highlight; onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const h = props.highlight;
  const ids = { prompt: useId(), frames: useId(), size: useId(), steps: useId(), seed: useId() };
  const heldPrompt = useAppState((s) => s.prompts[h.id]?.text ?? null);
  const [fields, setFields] = useState<GenerateForm>(() => blankForm(''));
  // null until the operator types: the highlight's prompt shows (it may arrive after opening).
  const [promptDraft, setPromptDraft] = useState<string | null>(null);
  const form: GenerateForm = { ...fields, prompt: promptDraft ?? heldPrompt ?? '' };
  const [problems, setProblems] = useState<GenerateProblems>({});
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; code: ErrorCode } | null>(null);

  // The prompt may not be held yet (the prompt pane loads it when the highlight is selected).
  useEffect(() => {
    if (heldPrompt === null) void actions.review.loadPrompt(h.id);
  }, [heldPrompt, actions, h.id]);

  const change = (patch: Partial<Omit<GenerateForm, 'prompt'>>) => {
    setFields((f) => ({ ...f, ...patch }));
    setProblems({});
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const checked = toStartInput(h.id, form, heldPrompt ?? '');
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setBusy(true);
    setRefusal(null);
    const r = await actions.generate.start(checked.input);
    setBusy(false);
    if (r.ok) props.onClose();
    else setRefusal({ message: r.message, code: r.code });
  };

  const problem = (field: keyof GenerateProblems, text: string) =>
    problems[field] !== undefined && (
      <span className="field-error" data-testid={`generate-invalid-${field}`} role="alert">
        {text}
      </span>
    );

  return (
    <Dialog title={t('generate.title')} testId="generate-dialog" onClose={props.onClose} wide>
      <p className="dialog__intro">
        {t('generate.intro', { time: `${formatDuration(h.start)}–${formatDuration(h.end)}` })}
      </p>
      <p className="hint generate__note" data-testid="generate-slow-note">
        {t('generate.slowNote')}
      </p>
      <form className="generate" onSubmit={(ev) => void submit(ev)} noValidate>
        <label className="detect-form__field generate__prompt" htmlFor={ids.prompt}>
          <span>{t('generate.prompt')}</span>
          <textarea
            id={ids.prompt}
            data-testid="generate-prompt"
            rows={4}
            value={form.prompt}
            maxLength={MAX_PROMPT + 200}
            onChange={(ev) => {
              setPromptDraft(ev.target.value);
              setProblems({});
            }}
          />
          <span className="hint">{t('generate.promptHint')}</span>
          {problem('prompt', t('generate.invalid.promptLong', { max: MAX_PROMPT }))}
        </label>
        <div className="detect-form__row">
          <label className="detect-form__field" htmlFor={ids.frames}>
            <span>{t('generate.frames')}</span>
            <select
              id={ids.frames}
              data-testid="generate-frames"
              value={form.frames}
              onChange={(ev) => change({ frames: Number(ev.target.value) })}
            >
              {FRAME_CHOICES.map((n) => (
                <option key={n} value={n}>
                  {t('generate.framesOption', { frames: n, seconds: framesSeconds(n).toFixed(1) })}
                </option>
              ))}
            </select>
            {problem('frames', t('generate.invalid.frames'))}
          </label>
          <label className="detect-form__field" htmlFor={ids.size}>
            <span>{t('generate.size')}</span>
            <select
              id={ids.size}
              data-testid="generate-size"
              value={form.size}
              onChange={(ev) => change({ size: ev.target.value })}
            >
              {SIZE_PRESETS.map((size) => (
                <option key={size} value={size}>
                  {t(`generate.size.${size}`)}
                </option>
              ))}
            </select>
            {problem('size', t('generate.invalid.size'))}
          </label>
          <label className="detect-form__field" htmlFor={ids.steps}>
            <span>{t('generate.steps')}</span>
            <input
              id={ids.steps}
              data-testid="generate-steps"
              inputMode="numeric"
              value={form.steps}
              placeholder={t('generate.stepsPlaceholder')}
              aria-invalid={problems.steps !== undefined}
              onChange={(ev) => change({ steps: ev.target.value })}
            />
            {problem('steps', t('generate.invalid.steps', { max: MAX_STEPS }))}
          </label>
          <label className="detect-form__field" htmlFor={ids.seed}>
            <span>{t('generate.seed')}</span>
            <input
              id={ids.seed}
              data-testid="generate-seed"
              inputMode="numeric"
              value={form.seed}
              placeholder={t('generate.seedPlaceholder')}
              aria-invalid={problems.seed !== undefined}
              onChange={(ev) => change({ seed: ev.target.value })}
            />
            {problem('seed', t('generate.invalid.seed', { max: MAX_SEED }))}
          </label>
        </div>
        {refusal && (
          <FailureLine
            testId="generate-error"
            text={t('generate.failed', { message: refusal.message })}
            code={refusal.code}
          />
        )}
        <div className="dialog__buttons">
          <button type="submit" className="primary" data-testid="generate-submit" disabled={busy}>
            {busy ? t('generate.submitting') : t('generate.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
