import { useEffect } from 'react';
import { useAppState, useLanguage, useT } from './context';

/** Keeps <html lang>, the theme attribute and the window title in step with the state. */
export function useDocumentSync(): void {
  const language = useLanguage();
  const theme = useAppState((s) => s.settings?.['ui.theme'] ?? 'system');
  const t = useT();
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
  }, [theme]);
  useEffect(() => {
    document.title = t('app.name');
  }, [t]);
}
