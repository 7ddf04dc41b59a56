/** Which UI language to show, from the `ui.language` setting and the system's languages. */
import type { Settings, UiLanguage } from '../contract';
import { en, type Dictionary, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type LanguageSetting = Settings['ui.language'];

export const DICTIONARIES: { readonly [L in UiLanguage]: Dictionary } = {
  'zh-CN': zhCN,
  en,
};

/** The order Ctrl+Shift+L and the language menu go through. */
export const LANGUAGE_SETTINGS: readonly LanguageSetting[] = ['system', 'zh-CN', 'en'];

/** The system's preferred language: the first listed; any zh* → 简体中文, anything else → English. */
export function systemLanguage(languages: readonly string[]): UiLanguage {
  const first = languages.find((l) => l.trim() !== '');
  if (first === undefined) return 'en';
  const primary = first.trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'zh' ? 'zh-CN' : 'en';
}

export function resolveLanguage(
  setting: LanguageSetting | null,
  systemLanguages: readonly string[],
): UiLanguage {
  if (setting === 'zh-CN' || setting === 'en') return setting;
  return systemLanguage(systemLanguages);
}

export function nextLanguageSetting(current: LanguageSetting): LanguageSetting {
  const i = LANGUAGE_SETTINGS.indexOf(current);
  return LANGUAGE_SETTINGS[(i + 1) % LANGUAGE_SETTINGS.length] ?? 'system';
}

export type Params = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** `{name}` placeholders are replaced from params; unknown placeholders stay visible. */
export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function translator(language: UiLanguage): Translate {
  const dict = DICTIONARIES[language];
  return (key, params) => format(dict[key], params);
}
