import { useEffect, useRef, type KeyboardEvent } from 'react';
import { SHORTCUTS, type Shortcut } from '../keyboard/shortcuts';
import type { Translate } from '../i18n/language';
import { PANE_TITLE_KEYS } from '../panes/paneIds';
import { useAppState, useT } from '../state/context';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function describe(t: Translate, s: Shortcut): string {
  return s.action.type === 'focusPane'
    ? t(s.description, { pane: t(PANE_TITLE_KEYS[s.action.pane]) })
    : t(s.description);
}

/** The shortcut table as a modal dialog; Esc (a table entry) or the close button closes it. */
export function HelpOverlay() {
  const t = useT();
  const open = useAppState((s) => s.helpOpen);
  const setHelpOpen = useAppState((s) => s.setHelpOpen);
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => previous?.focus();
  }, [open]);

  if (!open) return null;

  const trapTab = (ev: KeyboardEvent<HTMLDivElement>) => {
    if (ev.key !== 'Tab' || !dialogRef.current) return;
    const items = [...dialogRef.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) {
      ev.preventDefault();
      return;
    }
    const active = document.activeElement;
    if (ev.shiftKey && (active === first || !dialogRef.current.contains(active))) {
      ev.preventDefault();
      last.focus();
    } else if (!ev.shiftKey && (active === last || !dialogRef.current.contains(active))) {
      ev.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="overlay" onClick={() => setHelpOpen(false)}>
      <div
        ref={dialogRef}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        aria-describedby="help-intro"
        data-testid="help-overlay"
        onClick={(ev) => ev.stopPropagation()}
        onKeyDown={trapTab}
      >
        <div className="dialog__header">
          <h2 id="help-title">{t('help.title')}</h2>
          <button
            ref={closeRef}
            type="button"
            className="icon-button"
            data-testid="help-close"
            aria-label={t('help.close')}
            onClick={() => setHelpOpen(false)}
          >
            ×
          </button>
        </div>
        <p id="help-intro" className="dialog__intro">
          {t('help.intro')}
        </p>
        <table className="shortcuts">
          <thead>
            <tr>
              <th scope="col">{t('help.keyColumn')}</th>
              <th scope="col">{t('help.actionColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.filter((s) => s.inHelp !== false).map((s) => (
              <tr key={s.id} data-shortcut={s.id}>
                <td>
                  <kbd>{s.display}</kbd>
                </td>
                <td>{describe(t, s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
