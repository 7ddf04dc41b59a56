import type { ChangeEvent } from 'react';
import { LANGUAGE_SETTINGS, type LanguageSetting } from '../i18n/language';
import { useAppState, useEngine, useT } from '../state/context';

const isLanguageSetting = (v: string): v is LanguageSetting =>
  (LANGUAGE_SETTINGS as readonly string[]).includes(v);

export function LanguageSelect() {
  const t = useT();
  const { actions } = useEngine();
  const value = useAppState((s) => s.settings?.['ui.language'] ?? 'system');
  const onChange = (ev: ChangeEvent<HTMLSelectElement>) => {
    const next = ev.target.value;
    if (isLanguageSetting(next)) void actions.changeSetting({ key: 'ui.language', value: next });
  };
  return (
    <label className="language">
      <span className="visually-hidden">{t('language.label')}</span>
      <select
        data-testid="language-select"
        value={value}
        onChange={onChange}
        aria-label={t('language.label')}
      >
        {LANGUAGE_SETTINGS.map((l) => (
          <option key={l} value={l}>
            {t(`language.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
