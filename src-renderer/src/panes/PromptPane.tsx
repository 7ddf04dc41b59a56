import { useId, useState } from 'react';
import type { PromptLanguage } from '../contract';
import { GenerateDialog } from '../generate/GenerateDialog';
import { GenerationList } from '../generate/GenerationList';
import { EnhanceDialog } from '../prompts/EnhanceDialog';
import { ProductsDialog } from '../prompts/ProductsDialog';
import { PromptEditor } from '../prompts/PromptEditor';
import { TemplatesDialog } from '../prompts/TemplatesDialog';
import { formatDuration } from '../live/format';
import { selectedHighlight } from '../highlights/commands';
import { useAppState, useEngine, useT } from '../state/context';
import { Pane } from './Pane';

/**
 * A text setting edited in place: saved when the field loses focus or on Enter, put back on Esc.
 * Keyed by the stored value by its parent, so a change from elsewhere shows.
 */
function SettingText(props: {
  label: string;
  testId: string;
  value: string;
  maxLength: number;
  placeholder?: string;
  onSave: (value: string) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState(props.value);
  const commit = () => {
    if (draft !== props.value) props.onSave(draft);
  };
  return (
    <label className="detect-form__field" htmlFor={id}>
      <span>{props.label}</span>
      <input
        id={id}
        data-testid={props.testId}
        value={draft}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
        spellCheck={false}
        onChange={(ev) => setDraft(ev.target.value)}
        onBlur={commit}
        onKeyDown={(ev) => {
          if (ev.key === 'Enter') commit();
          if (ev.key === 'Escape') setDraft(props.value);
        }}
      />
    </label>
  );
}

/** The prompt settings every highlight shares: host name, prompt language, title line. */
function PromptSettings() {
  const t = useT();
  const { actions } = useEngine();
  const settings = useAppState((s) => s.settings);
  if (!settings) return null;
  const host = settings['review.host'];
  const titleTemplate = settings['review.titleTemplate'];
  return (
    <div className="prompt-settings detect-form__row">
      <SettingText
        key={`host:${host}`}
        label={t('prompts.host')}
        testId="prompt-host"
        value={host}
        maxLength={100}
        placeholder={t('prompts.hostPlaceholder')}
        onSave={(value) => void actions.changeSetting({ key: 'review.host', value })}
      />
      <label className="detect-form__field">
        <span>{t('prompts.language')}</span>
        <select
          data-testid="prompt-language"
          value={settings['review.promptLanguage']}
          onChange={(ev) =>
            void actions.changeSetting({
              key: 'review.promptLanguage',
              value: ev.target.value as PromptLanguage,
            })
          }
        >
          <option value="zh">{t('prompts.language.zh')}</option>
          <option value="en">{t('prompts.language.en')}</option>
        </select>
      </label>
      <SettingText
        key={`title:${titleTemplate}`}
        label={t('prompts.titleTemplate')}
        testId="prompt-title-template"
        value={titleTemplate}
        maxLength={400}
        onSave={(value) => void actions.changeSetting({ key: 'review.titleTemplate', value })}
      />
    </div>
  );
}

function PromptTools() {
  const t = useT();
  const [open, setOpen] = useState<'templates' | 'products' | 'enhance' | null>(null);
  return (
    <div className="hl-tools">
      <button type="button" data-testid="open-templates" onClick={() => setOpen('templates')}>
        {t('templates.open')}
      </button>
      <button type="button" data-testid="open-products" onClick={() => setOpen('products')}>
        {t('products.open')}
      </button>
      <button type="button" data-testid="open-enhance" onClick={() => setOpen('enhance')}>
        {t('enhance.open')}
      </button>
      {open === 'templates' && <TemplatesDialog onClose={() => setOpen(null)} />}
      {open === 'products' && <ProductsDialog onClose={() => setOpen(null)} />}
      {open === 'enhance' && <EnhanceDialog onClose={() => setOpen(null)} />}
    </div>
  );
}

/** "Generate video (AI)" for the selected highlight; the form opens here, from G as well. */
function GenerateAction(props: { highlightId: string }) {
  const t = useT();
  const setGenerate = useAppState((s) => s.setGenerateHighlight);
  return (
    <div className="hl-tools">
      <button
        type="button"
        data-testid="open-generate"
        title={t('generate.openTitle')}
        onClick={() => setGenerate(props.highlightId)}
      >
        {t('generate.open')}
      </button>
    </div>
  );
}

/** The form for the highlight G or the button asked for, while that highlight is held. */
function GenerateForHighlight() {
  const generateId = useAppState((s) => s.generateHighlightId);
  const setGenerate = useAppState((s) => s.setGenerateHighlight);
  const highlight = useAppState((s) => {
    if (generateId === null) return null;
    for (const entry of Object.values(s.highlights)) {
      const h = entry.list.find((x) => x.id === generateId);
      if (h) return h;
    }
    return null;
  });
  if (!highlight) return null;
  return <GenerateDialog highlight={highlight} onClose={() => setGenerate(null)} />;
}

/**
 * The selected highlight's prompt (the highlights pane selects), with the shared settings; the
 * "generate video (AI)" action and the session's generations under it.
 */
export function PromptPane() {
  const t = useT();
  const highlight = useAppState(selectedHighlight);
  const sessionId = useAppState((s) =>
    s.selectedSessionId !== null && s.sessions[s.selectedSessionId] ? s.selectedSessionId : null,
  );
  return (
    <Pane pane="prompt">
      <PromptTools />
      <PromptSettings />
      {highlight ? (
        <>
          <p className="pane__context" data-testid="prompt-highlight" data-id={highlight.id}>
            {t('prompts.for', {
              time: `${formatDuration(highlight.start)}–${formatDuration(highlight.end)}`,
              text: highlight.text || t('highlights.noText'),
            })}
          </p>
          <PromptEditor key={highlight.id} highlightId={highlight.id} />
          <GenerateAction highlightId={highlight.id} />
        </>
      ) : (
        <p className="hl-empty" data-testid="prompt-empty">
          {t('pane.prompt.empty')}
        </p>
      )}
      {sessionId !== null && (
        <GenerationList key={sessionId} sessionId={sessionId} highlightId={highlight?.id ?? null} />
      )}
      <GenerateForHighlight />
    </Pane>
  );
}
