import { useEffect } from 'react';
import { nextLanguageSetting } from '../i18n/language';
import { paneDomId } from '../panes/paneIds';
import { useEngine } from '../state/context';
import { matchShortcut, type ShortcutAction } from './shortcuts';

/** Player shortcuts do nothing (and keep the key's default) while no player is shown. */
const needsPlayer = (action: ShortcutAction): boolean =>
  action.type === 'backToLive' || action.type === 'togglePlay';

/** One window-level key handler driven by the shortcut table. */
export function useShortcuts(): void {
  const { store, actions } = useEngine();
  useEffect(() => {
    const run = (action: ShortcutAction): void => {
      const s = store.getState();
      switch (action.type) {
        case 'openHelp':
          s.setHelpOpen(true);
          return;
        case 'closeHelp':
          s.setHelpOpen(false);
          return;
        case 'focusPane':
          document.getElementById(paneDomId(action.pane))?.focus();
          return;
        case 'cycleLanguage':
          void actions.changeSetting({
            key: 'ui.language',
            value: nextLanguageSetting(s.settings?.['ui.language'] ?? 'system'),
          });
          return;
        case 'backToLive':
          s.player?.backToLive();
          return;
        case 'togglePlay':
          s.player?.togglePlay();
          return;
      }
    };
    const onKeyDown = (ev: KeyboardEvent): void => {
      if (ev.defaultPrevented || ev.isComposing) return;
      const target = ev.target instanceof HTMLElement ? ev.target : null;
      const shortcut = matchShortcut(
        {
          key: ev.key,
          code: ev.code,
          altKey: ev.altKey,
          ctrlKey: ev.ctrlKey,
          metaKey: ev.metaKey,
          shiftKey: ev.shiftKey,
          target: target
            ? {
                tagName: target.tagName,
                isContentEditable: target.isContentEditable,
                role: target.getAttribute('role'),
              }
            : null,
        },
        { overlayOpen: store.getState().helpOpen },
      );
      if (!shortcut) return;
      if (needsPlayer(shortcut.action) && store.getState().player === null) return;
      ev.preventDefault();
      run(shortcut.action);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store, actions]);
}
