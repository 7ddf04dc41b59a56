import { useId, useState, type FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import {
  SETTING_DEFAULTS,
  type CaptionStyle,
  type ErrorCode,
  type OutputPreset,
} from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import { clipSettingChanges, toForm, type ClipSettingsForm as Form } from './clipSettings';
import { CAPTION_STYLES, OUTPUT_PRESETS } from './labels';
import { FailureLine } from '../components/FailureLine';

/** Defaults for every new clip: auto-render, size, framing, captions, copyright, watermark. */
export function ClipSettingsDialog(props: { onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const id = useId();
  const current = useAppState((s) => s.settings) ?? SETTING_DEFAULTS;
  const [form, setForm] = useState<Form>(() => toForm(current));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<{
    message: string;
    code: ErrorCode;
    key: string | null;
  } | null>(null);

  const edit = (change: Partial<Form>) => {
    setSaved(false);
    setForm((f) => ({ ...f, ...change }));
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setProblem(null);
    setSaved(false);
    const r = await actions.saveSettings(clipSettingChanges(current, form));
    setBusy(false);
    if (r.ok) setSaved(true);
    else setProblem({ message: r.message, code: r.code, key: r.key ?? null });
  };

  const field = (name: string) => `${id}-${name}`;
  return (
    <Dialog title={t('clipSettings.title')} testId="clip-settings" onClose={props.onClose}>
      <p className="dialog__intro">{t('clipSettings.intro')}</p>
      <form className="detect-form" onSubmit={(ev) => void submit(ev)} noValidate>
        <label className="clip-settings__check" htmlFor={field('auto')}>
          <input
            id={field('auto')}
            type="checkbox"
            data-testid="clip-settings-auto"
            checked={form.auto}
            onChange={(ev) => edit({ auto: ev.target.checked })}
          />
          {t('clipSettings.auto')}
        </label>
        <div className="detect-form__row">
          <label className="detect-form__field" htmlFor={field('output')}>
            <span>{t('clipSettings.output')}</span>
            <select
              id={field('output')}
              data-testid="clip-settings-output"
              value={form.output}
              onChange={(ev) => edit({ output: ev.target.value as OutputPreset })}
            >
              {OUTPUT_PRESETS.map((o) => (
                <option key={o} value={o}>
                  {t(`clips.output.${o}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="detect-form__field" htmlFor={field('reframe')}>
            <span>{t('clipSettings.reframe')}</span>
            <select
              id={field('reframe')}
              data-testid="clip-settings-reframe"
              value={form.reframe}
              onChange={(ev) => edit({ reframe: ev.target.value as Form['reframe'] })}
            >
              <option value="center">{t('clips.reframe.center')}</option>
              <option value="blur">{t('clips.reframe.blur')}</option>
              {current['clips.reframe'].mode === 'box' && (
                <option value="kept">{t('clipSettings.reframeBoxKept')}</option>
              )}
            </select>
          </label>
          <label className="detect-form__field" htmlFor={field('captions')}>
            <span>{t('clipSettings.captions')}</span>
            <select
              id={field('captions')}
              data-testid="clip-settings-captions"
              value={form.captionStyle}
              onChange={(ev) => edit({ captionStyle: ev.target.value as CaptionStyle })}
            >
              {CAPTION_STYLES.map((c) => (
                <option key={c} value={c}>
                  {t(`clips.captions.${c}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="clip-settings__field" htmlFor={field('copyright')}>
          <span>{t('clipSettings.copyright')}</span>
          <input
            id={field('copyright')}
            type="text"
            data-testid="clip-settings-copyright"
            maxLength={200}
            value={form.copyright}
            aria-invalid={problem?.key === 'clips.copyright' || undefined}
            onChange={(ev) => edit({ copyright: ev.target.value })}
          />
        </label>
        <label className="clip-settings__field" htmlFor={field('watermark')}>
          <span>{t('clipSettings.watermark')}</span>
          <input
            id={field('watermark')}
            type="text"
            data-testid="clip-settings-watermark"
            spellCheck={false}
            value={form.watermark}
            aria-invalid={problem?.key === 'clips.watermark' || undefined}
            onChange={(ev) => edit({ watermark: ev.target.value })}
          />
        </label>
        <label className="clip-settings__field" htmlFor={field('template')}>
          <span>{t('clipSettings.template')}</span>
          <input
            id={field('template')}
            type="text"
            data-testid="clip-settings-template"
            spellCheck={false}
            maxLength={64}
            placeholder="default"
            value={form.template}
            aria-invalid={problem?.key === 'clips.template' || undefined}
            onChange={(ev) => edit({ template: ev.target.value })}
          />
        </label>
        <div className="detect-form__grid">
          <label className="detect-form__field" htmlFor={field('productName')}>
            <span>{t('clipSettings.productName')}</span>
            <input
              id={field('productName')}
              type="text"
              data-testid="clip-settings-product-name"
              maxLength={200}
              value={form.productName}
              aria-invalid={problem?.key === 'clips.product' || undefined}
              onChange={(ev) => edit({ productName: ev.target.value })}
            />
          </label>
          <label className="detect-form__field" htmlFor={field('productPrice')}>
            <span>{t('clipSettings.productPrice')}</span>
            <input
              id={field('productPrice')}
              type="text"
              data-testid="clip-settings-product-price"
              maxLength={50}
              value={form.productPrice}
              onChange={(ev) => edit({ productPrice: ev.target.value })}
            />
          </label>
          <label className="detect-form__field" htmlFor={field('productImage')}>
            <span>{t('clipSettings.productImage')}</span>
            <input
              id={field('productImage')}
              type="text"
              data-testid="clip-settings-product-image"
              spellCheck={false}
              value={form.productImage}
              onChange={(ev) => edit({ productImage: ev.target.value })}
            />
          </label>
        </div>
        {problem && (
          <FailureLine
            testId="clip-settings-error"
            text={t('clipSettings.failed', { message: problem.message })}
            code={problem.code}
          />
        )}
        {saved && (
          <p className="ok" data-testid="clip-settings-saved" role="status">
            {t('clipSettings.saved')}
          </p>
        )}
        <div className="dialog__buttons">
          <button
            type="submit"
            className="primary"
            data-testid="clip-settings-save"
            disabled={busy}
          >
            {busy ? t('clipSettings.saving') : t('clipSettings.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
