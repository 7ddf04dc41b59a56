/** React access to the store, the engine actions and the translator. */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { UiLanguage } from '../contract';
import type { RendererClient } from '../api/types';
import { resolveLanguage, systemLanguage, translator, type Translate } from '../i18n/language';
import type { EngineActions } from './engine';
import type { AppState, AppStore } from './store';

export interface Engine {
  client: RendererClient;
  store: AppStore;
  actions: EngineActions;
}

const EngineContext = createContext<Engine | null>(null);

export function EngineProvider(props: { engine: Engine; children: ReactNode }) {
  return <EngineContext.Provider value={props.engine}>{props.children}</EngineContext.Provider>;
}

export function useEngine(): Engine {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useEngine() outside <EngineProvider>');
  return engine;
}

export function useAppState<T>(selector: (s: AppState) => T): T {
  return useStore(useEngine().store, selector);
}

/** The language shown: the setting once read from the engine, else the system language. */
export function effectiveLanguage(s: AppState): UiLanguage {
  const fallback = s.appInfo?.systemLanguage;
  const system = s.systemLanguages.length > 0 ? s.systemLanguages : fallback ? [fallback] : [];
  return s.settings ? resolveLanguage(s.settings['ui.language'], system) : systemLanguage(system);
}

export function useLanguage(): UiLanguage {
  return useAppState(effectiveLanguage);
}

export function useT(): Translate {
  const language = useLanguage();
  return useMemo(() => translator(language), [language]);
}
