import { useEffect } from 'react';
import { onSelected, selectedHighlight, stepHighlight } from '../highlights/commands';
import { selectedReadyClip, toggleClipPreview } from '../clips/commands';
import { nextLanguageSetting } from '../i18n/language';
import { paneDomId } from '../panes/paneIds';
import {
  currentItem,
  decideReview,
  editCurrentPrompt,
  shownReview,
  stepReview,
  toggleCurrentCheck,
  undoReview,
} from '../review/commands';
import { actionTargets } from '../state/review';
import { useEngine } from '../state/context';
import type { AppState } from '../state/store';
import { matchShortcut, type ShortcutAction } from './shortcuts';

/**
 * Whether a shortcut has something to act on now. When not, it does nothing and the key keeps its
 * default: player keys need a player, the review / seek / nudge / re-render keys a selected
 * highlight, the clip preview key a selected highlight with a ready clip, the generate key a
 * selected highlight and no generate form open.
 */
function applicable(action: ShortcutAction, s: AppState): boolean {
  switch (action.type) {
    case 'backToLive':
    case 'togglePlay':
      return s.player !== null;
    case 'highlightReview':
    case 'highlightSeek':
    case 'highlightNudge':
      return selectedHighlight(s) !== null;
    case 'highlightStep':
      return s.selectedSessionId !== null;
    case 'clipRerender':
      return selectedHighlight(s) !== null && s.rerenderHighlightId === null;
    case 'clipPreview':
      return selectedReadyClip(s) !== null;
    case 'generateVideo':
      return selectedHighlight(s) !== null && s.generateHighlightId === null;
    case 'reviewStep':
      return shownReview(s).length > 0;
    case 'reviewDecide':
      return (
        s.reviewDialog === null &&
        actionTargets(shownReview(s), s.reviewChecked, s.reviewCursor).length > 0
      );
    case 'reviewEditPrompt':
    case 'reviewToggleCheck':
      return s.reviewDialog === null && currentItem(s) !== null;
    case 'reviewUndo':
      return s.selectedSessionId !== null && s.reviewDialog === null;
    default:
      return true;
  }
}

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
        case 'mark':
          void actions.mark('hotkey');
          return;
        case 'highlightStep':
          stepHighlight(store, action.dir);
          return;
        case 'highlightReview':
          onSelected(store, actions, { type: 'review', review: action.review });
          return;
        case 'highlightSeek':
          onSelected(store, actions, { type: 'seek' });
          return;
        case 'highlightNudge':
          onSelected(store, actions, { type: 'nudge', edge: action.edge, delta: action.delta });
          return;
        case 'clipRerender': {
          const h = selectedHighlight(s);
          if (h) s.setRerenderHighlight(h.id);
          return;
        }
        case 'clipPreview':
          toggleClipPreview(store);
          return;
        case 'generateVideo': {
          const h = selectedHighlight(s);
          if (h) s.setGenerateHighlight(h.id);
          return;
        }
        case 'reviewStep':
          stepReview(store, action.dir);
          return;
        case 'reviewDecide':
          void decideReview(store, actions, action.decision);
          return;
        case 'reviewEditPrompt':
          editCurrentPrompt(store);
          return;
        case 'reviewToggleCheck':
          toggleCurrentCheck(store);
          return;
        case 'reviewUndo':
          void undoReview(store, actions);
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
                pane: target.closest('[data-pane]')?.getAttribute('data-pane') ?? null,
                type: target instanceof HTMLInputElement ? target.type : null,
              }
            : null,
        },
        { overlayOpen: store.getState().helpOpen },
      );
      if (!shortcut) return;
      if (!applicable(shortcut.action, store.getState())) return;
      ev.preventDefault();
      run(shortcut.action);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store, actions]);
}
