import { useEffect, useId, useRef, useState } from 'react';
import type { ErrorCode, HighlightPrompt, PromptTemplate } from '../contract';
import { SETTING_DEFAULTS } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import { insertAt, PROMPT_VARIABLES, variableToken, type PreviewState } from './preview';
import { usePreview } from './usePreview';
import { FailureLine } from '../components/FailureLine';

const NO_TEMPLATES: readonly PromptTemplate[] = [];

function PreviewBox(props: { state: PreviewState; testId: string; label: string }) {
  const t = useT();
  const { state } = props;
  return (
    <div className="prompt-preview" data-status={state.status}>
      <span className="prompt-preview__label">
        {props.label}
        {state.status === 'waiting' && (
          <span className="pane__context"> · {t('prompt.previewUpdating')}</span>
        )}
      </span>
      {/* Text, never markup: a transcript line with ${...} or <tags> shows as typed. */}
      <p className="prompt-preview__text" data-testid={props.testId} aria-live="polite">
        {state.text}
      </p>
      {state.error !== null && (
        <p className="field-error" role="alert" data-testid={`${props.testId}-error`}>
          {t('prompt.previewError', { message: state.error })}
        </p>
      )}
    </div>
  );
}

/**
 * One highlight's prompt as a form: the template or the operator's own text (variables insert at
 * the caret), the title line, a live preview of both filled with the highlight's values, and
 * save (optionally re-rendering the clip). Mount it keyed by the prompt's version: a saved prompt
 * starts a fresh draft.
 */
function PromptForm(props: {
  prompt: HighlightPrompt;
  templates: readonly PromptTemplate[];
  onSaved?: (rerendered: boolean) => void;
}) {
  const t = useT();
  const id = useId();
  const { actions } = useEngine();
  const { prompt, templates } = props;
  const titleTemplate =
    useAppState((s) => s.settings?.['review.titleTemplate']) ??
    SETTING_DEFAULTS['review.titleTemplate'];
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [templateId, setTemplateId] = useState(prompt.templateId);
  const [useCustom, setUseCustom] = useState(prompt.custom !== null);
  const [custom, setCustom] = useState(prompt.custom ?? prompt.text);
  const [useTitle, setUseTitle] = useState(prompt.titleCustom !== null);
  const [title, setTitle] = useState(prompt.titleCustom ?? '');
  const [busy, setBusy] = useState<'save' | 'rerender' | null>(null);
  const [problem, setProblem] = useState<{ message: string; code: ErrorCode } | null>(null);
  const [saved, setSaved] = useState<'saved' | 'rerendering' | null>(null);

  const template = templates.find((x) => x.id === templateId) ?? null;
  // Before the library is loaded, the prompt's own filled text stands for its template.
  const source = useCustom ? custom : (template?.text ?? null);
  const preview = usePreview(prompt.highlightId, source);
  const titlePreview = usePreview(prompt.highlightId, useTitle ? title : titleTemplate);
  const shownPreview: PreviewState =
    source === null ? { status: 'ready', text: prompt.text, error: null } : preview;

  const edited = () => {
    setSaved(null);
    setProblem(null);
  };

  const insertVariable = (name: string) => {
    const el = textRef.current;
    const token = variableToken(name);
    const at = el
      ? { start: el.selectionStart, end: el.selectionEnd }
      : { start: custom.length, end: custom.length };
    const next = insertAt(custom, at, token);
    setCustom(next.value);
    edited();
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };

  const save = async (rerender: boolean) => {
    setBusy(rerender ? 'rerender' : 'save');
    setProblem(null);
    setSaved(null);
    const r = await actions.review.savePrompt({
      highlightId: prompt.highlightId,
      templateId,
      custom: useCustom ? custom : null,
      titleCustom: useTitle ? title : null,
      ...(rerender ? { rerender: true } : {}),
    });
    setBusy(null);
    if (!r.ok) {
      setProblem({ message: r.message, code: r.code });
      return;
    }
    setSaved(rerender && r.value.clip ? 'rerendering' : 'saved');
    props.onSaved?.(rerender && r.value.clip !== null);
  };

  const field = (name: string) => `${id}-${name}`;
  const options = templates.some((x) => x.id === templateId)
    ? templates
    : [
        ...templates,
        {
          id: templateId,
          name: templateId,
          language: 'zh' as const,
          text: '',
          version: prompt.templateVersion,
          updatedAt: '',
        },
      ];
  return (
    <form
      className="prompt-form"
      data-testid="prompt-form"
      data-highlight-id={prompt.highlightId}
      onSubmit={(ev) => {
        ev.preventDefault();
        void save(false);
      }}
    >
      <div className="prompt-form__row">
        <label htmlFor={field('template')}>{t('prompt.template')}</label>
        <select
          id={field('template')}
          data-testid="prompt-template"
          value={templateId}
          onChange={(ev) => {
            setTemplateId(ev.target.value);
            edited();
          }}
        >
          {options.map((x) => (
            <option key={x.id} value={x.id}>
              {t('prompt.templateOption', { name: x.name, version: x.version })}
            </option>
          ))}
        </select>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="prompt-custom-toggle"
            checked={useCustom}
            onChange={(ev) => {
              setUseCustom(ev.target.checked);
              if (ev.target.checked && custom === '') setCustom(template?.text ?? prompt.text);
              edited();
            }}
          />
          {t('prompt.ownText')}
        </label>
      </div>
      <label htmlFor={field('text')} className="visually-hidden">
        {t('prompt.text')}
      </label>
      <textarea
        ref={textRef}
        id={field('text')}
        className="prompt-form__text"
        data-testid="prompt-text"
        rows={4}
        maxLength={4000}
        spellCheck={false}
        readOnly={!useCustom}
        value={useCustom ? custom : (template?.text ?? prompt.text)}
        onChange={(ev) => {
          setCustom(ev.target.value);
          edited();
        }}
        title={useCustom ? undefined : t('prompt.readOnlyHint')}
      />
      {useCustom && (
        <div className="prompt-form__vars" role="group" aria-label={t('prompt.variables')}>
          <span className="pane__context">{t('prompt.insert')}</span>
          {PROMPT_VARIABLES.map((v) => (
            <button
              key={v}
              type="button"
              className="chip-button"
              data-testid={`prompt-var-${v}`}
              title={t('prompt.insertVar', { value: prompt.values[v] ?? '' })}
              onClick={() => insertVariable(v)}
            >
              {variableToken(v)}
            </button>
          ))}
        </div>
      )}
      <PreviewBox state={shownPreview} testId="prompt-preview" label={t('prompt.preview')} />
      <div className="prompt-form__row">
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="prompt-title-toggle"
            checked={useTitle}
            onChange={(ev) => {
              setUseTitle(ev.target.checked);
              if (ev.target.checked && title === '') setTitle(titleTemplate);
              edited();
            }}
          />
          {t('prompt.ownTitle')}
        </label>
        <input
          className="prompt-form__title"
          data-testid="prompt-title"
          aria-label={t('prompt.title')}
          maxLength={200}
          readOnly={!useTitle}
          value={useTitle ? title : titleTemplate}
          onChange={(ev) => {
            setTitle(ev.target.value);
            edited();
          }}
        />
      </div>
      <PreviewBox
        state={titlePreview}
        testId="prompt-title-preview"
        label={t('prompt.titlePreview')}
      />
      <details className="prompt-form__values">
        <summary>{t('prompt.values')}</summary>
        <dl className="facts" data-testid="prompt-values">
          {PROMPT_VARIABLES.map((v) => (
            <div key={v} className="facts__pair">
              <dt>{variableToken(v)}</dt>
              <dd data-var={v}>{prompt.values[v] || '—'}</dd>
            </div>
          ))}
          <div className="facts__pair">
            <dt>{t('prompt.styling')}</dt>
            <dd>{stylingText(t, prompt.styling)}</dd>
          </div>
        </dl>
      </details>
      {problem && (
        <FailureLine
          testId="prompt-error"
          text={t('prompt.saveFailed', { message: problem.message })}
          code={problem.code}
        />
      )}
      {saved && (
        <p className="ok" role="status" data-testid="prompt-saved">
          {t(saved === 'rerendering' ? 'prompt.savedRerender' : 'prompt.saved')}
        </p>
      )}
      <div className="prompt-form__buttons">
        <button type="submit" data-testid="prompt-save" disabled={busy !== null}>
          {busy === 'save' ? t('prompt.saving') : t('prompt.save')}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="prompt-save-rerender"
          disabled={busy !== null}
          onClick={() => void save(true)}
        >
          {busy === 'rerender' ? t('prompt.saving') : t('prompt.saveRerender')}
        </button>
      </div>
    </form>
  );
}

export function stylingText(
  t: ReturnType<typeof useT>,
  styling: HighlightPrompt['styling'],
): string {
  const parts: string[] = [];
  if (styling.punchIn) parts.push(t('enhance.punchIn'));
  if (styling.zoom !== undefined) parts.push(t('enhance.zoomValue', { zoom: styling.zoom }));
  if (styling.emphasis) parts.push(t('enhance.emphasis'));
  return parts.length > 0 ? parts.join(' · ') : '—';
}

/**
 * The prompt editor of one highlight: loads its prompt (and the template library) and shows the
 * form, or why it cannot.
 */
export function PromptEditor(props: {
  highlightId: string;
  onSaved?: (rerendered: boolean) => void;
}) {
  const t = useT();
  const { actions } = useEngine();
  const { highlightId } = props;
  const connected = useAppState((s) => s.connection === 'connected');
  const prompt = useAppState((s) => s.prompts[highlightId] ?? null);
  const templates = useAppState((s) => s.promptTemplates);
  const [problem, setProblem] = useState<{ message: string; code: ErrorCode } | null>(null);

  useEffect(() => {
    if (!connected) return;
    let cancelled = false;
    void actions.review.loadPrompt(highlightId).then((r) => {
      if (!cancelled) setProblem(r.ok ? null : { message: r.message, code: r.code });
    });
    return () => {
      cancelled = true;
    };
  }, [actions, highlightId, connected]);

  useEffect(() => {
    if (connected && templates === null) void actions.review.loadTemplates();
  }, [actions, connected, templates]);

  if (!prompt) {
    return problem ? (
      <FailureLine
        testId="prompt-load-error"
        text={t('prompt.loadFailed', { message: problem.message })}
        code={problem.code}
      />
    ) : (
      <p className="pane__context" data-testid="prompt-loading">
        {t('prompt.loading')}
      </p>
    );
  }
  return (
    <PromptForm
      key={`${prompt.highlightId}:${prompt.updatedAt}`}
      prompt={prompt}
      templates={templates ?? NO_TEMPLATES}
      {...(props.onSaved ? { onSaved: props.onSaved } : {})}
    />
  );
}
