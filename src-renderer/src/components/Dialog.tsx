import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useT } from '../state/context';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: focus moves in on open and back on close, Tab stays inside, Esc and the close
 * button close it (a click beside it does not). Keys pressed inside never reach the page shortcuts (J, A, D… edit text here).
 */
export function Dialog(props: {
  title: string;
  testId: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const t = useT();
  const dialogRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const titleId = `${props.testId}-title`;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => previous?.focus();
  }, []);

  // Focus can fall out of the dialog (a button disables itself while saving): Esc still closes
  // it, Tab comes back in, and no key reaches the page shortcuts while it is open.
  const { onClose } = props;
  useEffect(() => {
    const onWindowKey = (ev: globalThis.KeyboardEvent) => {
      const dialog = dialogRef.current;
      if (!dialog) return;
      if (ev.key === 'Escape') {
        ev.preventDefault();
        ev.stopPropagation();
        onClose();
        return;
      }
      if (ev.target instanceof Node && dialog.contains(ev.target)) return;
      ev.stopPropagation();
      if (ev.key === 'Tab') {
        ev.preventDefault();
        dialog.querySelector<HTMLElement>(FOCUSABLE)?.focus();
      }
    };
    window.addEventListener('keydown', onWindowKey, true);
    return () => window.removeEventListener('keydown', onWindowKey, true);
  }, [onClose]);

  const onKeyDown = (ev: KeyboardEvent<HTMLDivElement>) => {
    ev.stopPropagation();
    if (ev.key !== 'Tab' || !dialogRef.current) return;
    const items = [...dialogRef.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
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
    // No close on a backdrop click: a stray click must not throw away an edited table.
    <div className="overlay">
      <div
        ref={dialogRef}
        className={`dialog${props.wide ? ' dialog--wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={props.testId}
        onKeyDown={onKeyDown}
      >
        <div className="dialog__header">
          <h2 id={titleId}>{props.title}</h2>
          <button
            ref={closeRef}
            type="button"
            className="icon-button"
            data-testid={`${props.testId}-close`}
            aria-label={t('dialog.close')}
            title={t('dialog.close')}
            onClick={props.onClose}
          >
            ×
          </button>
        </div>
        {props.children}
      </div>
    </div>
  );
}
