import { useEffect, useId, useState, type FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { DETECT_DEFAULTS, type DetectSettings, type ErrorCode } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import {
  fieldsInError,
  FIELD_STEP,
  fromForm,
  matchingPreset,
  toForm,
  type DetectField,
  type DetectForm,
} from './detectForm';
import { FailureLine } from '../components/FailureLine';

type Presets = ReadonlyArray<{ name: string; settings: DetectSettings }>;

const PRESET_NAMES: ReadonlyArray<DetectSettings['preset']> = [
  'e-commerce',
  'gaming',
  'talk-show',
  'custom',
];

/** Fields shown side by side (min with max). */
const GROUPS: ReadonlyArray<readonly DetectField[]> = [
  ['preRollMinS', 'preRollMaxS'],
  ['postRollMinS', 'postRollMaxS'],
  ['mergeGapS', 'maxWindowS'],
  ['cooldownS', 'maxPerMinute'],
  ['minScore'],
  ['markPreRollS', 'markPostRollS'],
];

/**
 * Detection settings: a preset (e-commerce, gaming, talk show) and the main numbers (windows,
 * merging, limits, minimum score, manual-mark pre/post-roll). The engine validates them; a refusal
 * is shown with the fields it names marked.
 */
export function DetectSettingsDialog(props: { onClose: () => void }) {
  const t = useT();
  const { actions } = useEngine();
  const presetId = useId();
  const current = useAppState((s) => s.settings?.['detect.settings'] ?? null);
  const [base, setBase] = useState<DetectSettings>(current ?? DETECT_DEFAULTS);
  const [form, setForm] = useState<DetectForm>(() => toForm(current ?? DETECT_DEFAULTS));
  const [preset, setPreset] = useState<DetectSettings['preset']>(current?.preset ?? 'e-commerce');
  const [presets, setPresets] = useState<Presets>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{
    message: string;
    code: ErrorCode | null;
    fields: DetectField[];
  } | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    let cancelled = false;
    void actions.loadDetectPresets().then((r) => {
      if (cancelled) return;
      if (r.ok) setPresets(r.value);
      else setProblem({ message: r.message, code: r.code, fields: [] });
    });
    return () => {
      cancelled = true;
    };
  }, [actions]);

  const pickPreset = (name: DetectSettings['preset']) => {
    setSaved(false);
    setProblem(null);
    setPreset(name);
    const p = presets.find((x) => x.settings.preset === name || x.name === name);
    if (p) {
      setBase(p.settings);
      setForm(toForm(p.settings));
    }
  };

  const edit = (field: DetectField, value: string) => {
    setSaved(false);
    const next = { ...form, [field]: value };
    setForm(next);
    setPreset(matchingPreset(next, presets));
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const r = fromForm(base, form, preset);
    if (!r.ok) {
      setProblem({
        message: t('detect.notANumber', { field: t(`detect.field.${r.field}`) }),
        code: null,
        fields: [r.field],
      });
      return;
    }
    setBusy(true);
    setProblem(null);
    setSaved(false);
    const out = await actions.saveDetectSettings(r.settings);
    setBusy(false);
    if (out.ok) setSaved(true);
    else setProblem({ message: out.message, code: out.code, fields: fieldsInError(out.message) });
  };

  const available = PRESET_NAMES.filter(
    (n) => n === 'custom' || presets.some((p) => p.settings.preset === n || p.name === n),
  );

  return (
    <Dialog title={t('detect.title')} testId="detect-settings" onClose={props.onClose}>
      <p className="dialog__intro">{t('detect.intro')}</p>
      <form className="detect-form" onSubmit={(ev) => void submit(ev)} noValidate>
        <div className="detect-form__preset">
          <label htmlFor={presetId}>{t('detect.preset')}</label>
          <select
            id={presetId}
            data-testid="detect-preset"
            value={preset}
            onChange={(ev) => pickPreset(ev.target.value as DetectSettings['preset'])}
          >
            {available.map((n) => (
              <option key={n} value={n}>
                {t(`detect.preset.${n}`)}
              </option>
            ))}
          </select>
        </div>
        {GROUPS.map((group) => (
          <div key={group.join()} className="detect-form__row">
            {group.map((f) => {
              const invalid = problem?.fields.includes(f) === true;
              return (
                <label key={f} className="detect-form__field">
                  <span>{t(`detect.field.${f}`)}</span>
                  <input
                    type="number"
                    data-testid={`detect-${f}`}
                    step={FIELD_STEP[f]}
                    min={0}
                    value={form[f]}
                    aria-invalid={invalid || undefined}
                    onChange={(ev) => edit(f, ev.target.value)}
                  />
                </label>
              );
            })}
          </div>
        ))}
        {problem && (
          <FailureLine
            testId="detect-error"
            text={t('detect.failed', { message: problem.message })}
            code={problem.code}
          />
        )}
        {saved && (
          <p className="ok" data-testid="detect-saved" role="status">
            {t('detect.saved')}
          </p>
        )}
        <div className="dialog__buttons">
          <button type="submit" className="primary" data-testid="detect-save" disabled={busy}>
            {busy ? t('detect.saving') : t('detect.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
