import type { ReactNode } from 'react';
import { useT } from '../state/context';
import { PANE_IDS, PANE_TITLE_KEYS, paneDomId, type PaneId } from './paneIds';

/** A pane's frame: a focusable section (Alt+N) with its heading. */
export function Pane(props: { pane: PaneId; children: ReactNode }) {
  const t = useT();
  const headingId = `${paneDomId(props.pane)}-heading`;
  return (
    <section
      id={paneDomId(props.pane)}
      className={`pane pane--${props.pane}`}
      data-testid={paneDomId(props.pane)}
      data-pane={props.pane}
      aria-labelledby={headingId}
      tabIndex={-1}
    >
      <h2 id={headingId} className="pane__heading">
        <span className="pane__shortcut" aria-hidden="true">
          {PANE_IDS.indexOf(props.pane) + 1}
        </span>
        {t(PANE_TITLE_KEYS[props.pane])}
      </h2>
      <div className="pane__body">{props.children}</div>
    </section>
  );
}
