/**
 * The keyboard shortcut table. One list drives both the global key handler and the help overlay,
 * so what the overlay says is what the keys do.
 */
import type { Highlight } from '../contract';
import type { MessageKey } from '../i18n/en';
import { PANE_IDS, type PaneId } from '../panes/paneIds';
import type { NudgeEdge } from '../state/highlights';

export type ShortcutAction =
  | { type: 'openHelp' }
  | { type: 'closeHelp' }
  | { type: 'focusPane'; pane: PaneId }
  | { type: 'cycleLanguage' }
  | { type: 'backToLive' }
  | { type: 'togglePlay' }
  /** "Clip that!": mark the live moment. */
  | { type: 'mark' }
  | { type: 'highlightStep'; dir: 1 | -1 }
  | { type: 'highlightReview'; review: Highlight['review'] }
  | { type: 'highlightSeek' }
  | { type: 'highlightNudge'; edge: NudgeEdge; delta: number }
  /** The selected highlight's clip: re-render it with other options / play its newest render. */
  | { type: 'clipRerender' }
  | { type: 'clipPreview' }
  /** The selected highlight: generate a video (AI) from its prompt (opens the form). */
  | { type: 'generateVideo' }
  /** The review queue (keys scoped to its pane). */
  | { type: 'reviewStep'; dir: 1 | -1 }
  | { type: 'reviewDecide'; decision: 'approved' | 'rejected' }
  | { type: 'reviewEditPrompt' }
  | { type: 'reviewUndo' }
  | { type: 'reviewToggleCheck' };

export interface KeyCombo {
  /** Matches KeyboardEvent.key (case-insensitive for letters). */
  readonly key?: string;
  /** Matches KeyboardEvent.code (layout-independent, e.g. 'Digit1'); either key or code may match. */
  readonly code?: string;
  readonly alt: boolean;
  readonly ctrl: boolean;
  readonly meta: boolean;
  /** 'any': shift is ignored (e.g. "?" needs Shift on some layouts, not on others). */
  readonly shift: boolean | 'any';
}

export interface Shortcut {
  readonly id: string;
  readonly combo: KeyCombo;
  /** How the overlay shows the keys. */
  readonly display: string;
  readonly action: ShortcutAction;
  readonly description: MessageKey;
  /** Only while the help overlay is open, or only while it is closed. */
  readonly when: 'overlayOpen' | 'overlayClosed';
  /**
   * Also ignored while a control that the key itself operates has focus (Space presses a
   * focused button, toggles a checkbox, plays a focused <video> through its own controls).
   */
  readonly notOnControls?: boolean;
  /** false: a variant the overlay does not list (its listed sibling's description names it). */
  readonly inHelp?: boolean;
  /** Only while the focus is inside this pane (it then wins over an unscoped entry). */
  readonly scope?: PaneId;
  /** Not while the focus is inside one of these panes (their own keys use the same letters). */
  readonly notIn?: readonly PaneId[];
}

const plain = { alt: false, ctrl: false, meta: false } as const;

/** Nudge steps, seconds: [ and ] move by NUDGE_S, with Alt by FINE_NUDGE_S. */
export const NUDGE_S = 0.5;
export const FINE_NUDGE_S = 0.1;

/** The highlight keys' letters mean other things in the review queue. */
const NOT_IN_REVIEW: readonly PaneId[] = ['review'];

function letter(
  id: string,
  char: string,
  action: ShortcutAction,
  description: MessageKey,
  extra: Partial<Shortcut> = {},
): Shortcut {
  return {
    id,
    combo: { key: char, code: `Key${char.toUpperCase()}`, ...plain, shift: false },
    display: char.toUpperCase(),
    action,
    description,
    when: 'overlayClosed',
    ...extra,
  };
}

function nudge(edge: NudgeEdge, sign: 1 | -1, fine: boolean): Shortcut {
  const bracket = sign < 0 ? '[' : ']';
  const shift = edge === 'out';
  const display = `${fine ? 'Alt+' : ''}${shift ? 'Shift+' : ''}${bracket}`;
  return {
    id: `highlight-${edge}-${sign < 0 ? 'earlier' : 'later'}${fine ? '-fine' : ''}`,
    combo: {
      key: bracket,
      code: sign < 0 ? 'BracketLeft' : 'BracketRight',
      ...plain,
      alt: fine,
      shift,
    },
    display,
    action: { type: 'highlightNudge', edge, delta: sign * (fine ? FINE_NUDGE_S : NUDGE_S) },
    description: `shortcut.nudge.${edge}.${sign < 0 ? 'earlier' : 'later'}`,
    when: 'overlayClosed',
    ...(fine ? { inHelp: false } : {}),
  };
}

/**
 * The highlights pane's keys: select, review, seek and nudge the selected highlight; re-render or
 * play its clip, or generate a video from its prompt. They work from anywhere but the review
 * queue, whose keys share the letters.
 */
const HIGHLIGHT_KEYS: readonly Shortcut[] = [
  letter('highlight-next', 'j', { type: 'highlightStep', dir: 1 }, 'shortcut.highlightNext'),
  letter('highlight-prev', 'k', { type: 'highlightStep', dir: -1 }, 'shortcut.highlightPrev'),
  letter(
    'highlight-accept',
    'a',
    { type: 'highlightReview', review: 'accepted' },
    'shortcut.highlightAccept',
  ),
  letter(
    'highlight-dismiss',
    'd',
    { type: 'highlightReview', review: 'dismissed' },
    'shortcut.highlightDismiss',
    { display: 'D / Delete' },
  ),
  {
    id: 'highlight-dismiss-delete',
    combo: { key: 'Delete', ...plain, shift: false },
    display: 'Delete',
    action: { type: 'highlightReview', review: 'dismissed' },
    description: 'shortcut.highlightDismiss',
    when: 'overlayClosed',
    inHelp: false,
  },
  letter(
    'highlight-undo',
    'u',
    { type: 'highlightReview', review: 'new' },
    'shortcut.highlightUndo',
  ),
  {
    id: 'highlight-seek',
    combo: { key: 'Enter', ...plain, shift: false },
    display: 'Enter',
    action: { type: 'highlightSeek' },
    description: 'shortcut.highlightSeek',
    when: 'overlayClosed',
    // Enter on a focused button (a highlight row included) presses that button.
    notOnControls: true,
  },
  letter('clip-rerender', 'r', { type: 'clipRerender' }, 'shortcut.clipRerender'),
  letter('clip-preview', 'c', { type: 'clipPreview' }, 'shortcut.clipPreview'),
  letter('generate-video', 'g', { type: 'generateVideo' }, 'shortcut.generateVideo'),
  nudge('in', -1, false),
  nudge('in', 1, false),
  nudge('out', -1, false),
  nudge('out', 1, false),
  nudge('in', -1, true),
  nudge('in', 1, true),
  nudge('out', -1, true),
  nudge('out', 1, true),
];

const HIGHLIGHT_SHORTCUTS: readonly Shortcut[] = [
  letter('mark', 'm', { type: 'mark' }, 'shortcut.mark'),
  ...HIGHLIGHT_KEYS.map((sc): Shortcut => ({ ...sc, notIn: NOT_IN_REVIEW })),
];

/** The review queue's keys: only while the focus is in its pane (Alt+5, or a click on a row). */
const REVIEW_SHORTCUTS: readonly Shortcut[] = [
  letter('review-next', 'j', { type: 'reviewStep', dir: 1 }, 'shortcut.reviewNext', {
    scope: 'review',
  }),
  letter('review-prev', 'k', { type: 'reviewStep', dir: -1 }, 'shortcut.reviewPrev', {
    scope: 'review',
  }),
  letter(
    'review-approve',
    'a',
    { type: 'reviewDecide', decision: 'approved' },
    'shortcut.reviewApprove',
    { scope: 'review' },
  ),
  letter(
    'review-reject',
    'r',
    { type: 'reviewDecide', decision: 'rejected' },
    'shortcut.reviewReject',
    { scope: 'review' },
  ),
  letter('review-edit', 'e', { type: 'reviewEditPrompt' }, 'shortcut.reviewEdit', {
    scope: 'review',
  }),
  letter('review-check', 'x', { type: 'reviewToggleCheck' }, 'shortcut.reviewCheck', {
    scope: 'review',
  }),
  letter('review-undo', 'u', { type: 'reviewUndo' }, 'shortcut.reviewUndo', {
    scope: 'review',
    display: 'U / Ctrl+Z',
  }),
  {
    id: 'review-undo-ctrl',
    combo: { key: 'z', code: 'KeyZ', ...plain, ctrl: true, shift: false },
    display: 'Ctrl+Z',
    action: { type: 'reviewUndo' },
    description: 'shortcut.reviewUndo',
    when: 'overlayClosed',
    scope: 'review',
    inHelp: false,
  },
  {
    id: 'review-undo-meta',
    combo: { key: 'z', code: 'KeyZ', ...plain, meta: true, shift: false },
    display: '⌘Z',
    action: { type: 'reviewUndo' },
    description: 'shortcut.reviewUndo',
    when: 'overlayClosed',
    scope: 'review',
    inHelp: false,
  },
];

export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: 'help',
    combo: { key: '?', ...plain, shift: 'any' },
    display: '?',
    action: { type: 'openHelp' },
    description: 'shortcut.openHelp',
    when: 'overlayClosed',
  },
  ...PANE_IDS.map((pane, i): Shortcut => ({
    id: `focus-${pane}`,
    combo: { key: String(i + 1), code: `Digit${i + 1}`, ...plain, alt: true, shift: false },
    display: `Alt+${i + 1}`,
    action: { type: 'focusPane', pane },
    description: 'shortcut.focusPane',
    when: 'overlayClosed',
  })),
  {
    id: 'cycle-language',
    combo: { key: 'l', code: 'KeyL', ...plain, ctrl: true, shift: true },
    display: 'Ctrl+Shift+L',
    action: { type: 'cycleLanguage' },
    description: 'shortcut.cycleLanguage',
    when: 'overlayClosed',
  },
  {
    id: 'back-to-live',
    combo: { key: 'l', code: 'KeyL', ...plain, shift: false },
    display: 'L',
    action: { type: 'backToLive' },
    description: 'shortcut.backToLive',
    when: 'overlayClosed',
  },
  {
    id: 'toggle-play',
    combo: { key: ' ', code: 'Space', ...plain, shift: false },
    display: 'Space',
    action: { type: 'togglePlay' },
    description: 'shortcut.togglePlay',
    when: 'overlayClosed',
    notOnControls: true,
  },
  ...HIGHLIGHT_SHORTCUTS,
  ...REVIEW_SHORTCUTS,
  {
    id: 'close-help',
    combo: { key: 'Escape', ...plain, shift: 'any' },
    display: 'Esc',
    action: { type: 'closeHelp' },
    description: 'shortcut.closeHelp',
    when: 'overlayOpen',
  },
];

/** The parts of a KeyboardEvent the matcher reads (so it is testable without a DOM). */
export interface KeyInput {
  readonly key: string;
  readonly code: string;
  readonly altKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly target: TargetLike | null;
}
export interface TargetLike {
  readonly tagName?: string;
  readonly isContentEditable?: boolean;
  /** The ARIA role attribute, if any (getAttribute('role')). */
  readonly role?: string | null;
  /** The pane the target is in (its section's data-pane), if any. */
  readonly pane?: string | null;
  /** An <input>'s type (a tick box is a control, not a text field). */
  readonly type?: string | null;
}

const TYPING_TAGS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
/** Inputs that take no text: letters typed there are commands (Space still operates them). */
const CONTROL_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range']);

const isControlInput = (target: TargetLike): boolean =>
  typeof target.tagName === 'string' &&
  target.tagName.toUpperCase() === 'INPUT' &&
  typeof target.type === 'string' &&
  CONTROL_INPUTS.has(target.type.toLowerCase());

/** True when keys typed at this target are text (or a menu choice), not commands. */
export function isTypingTarget(target: TargetLike | null): boolean {
  if (!target) return false;
  if (target.isContentEditable === true) return true;
  if (isControlInput(target)) return false;
  return typeof target.tagName === 'string' && TYPING_TAGS.has(target.tagName.toUpperCase());
}

const CONTROL_TAGS = new Set(['BUTTON', 'A', 'SUMMARY', 'VIDEO', 'AUDIO']);
const CONTROL_ROLES = new Set([
  'button',
  'link',
  'tab',
  'checkbox',
  'radio',
  'switch',
  'menuitem',
  'option',
  'slider',
]);

/** True when the target is a control that Space/Enter operate by themselves. */
export function isControlTarget(target: TargetLike | null): boolean {
  if (!target) return false;
  if (isControlInput(target)) return true;
  if (typeof target.role === 'string' && CONTROL_ROLES.has(target.role.toLowerCase())) return true;
  return typeof target.tagName === 'string' && CONTROL_TAGS.has(target.tagName.toUpperCase());
}

export function comboMatches(combo: KeyCombo, ev: KeyInput): boolean {
  if (ev.altKey !== combo.alt || ev.ctrlKey !== combo.ctrl || ev.metaKey !== combo.meta) {
    return false;
  }
  if (combo.shift !== 'any' && ev.shiftKey !== combo.shift) return false;
  const keyOk = combo.key !== undefined && ev.key.toLowerCase() === combo.key.toLowerCase();
  const codeOk = combo.code !== undefined && ev.code === combo.code;
  return keyOk || codeOk;
}

/**
 * The shortcut a key press triggers, or null (also null while typing in a field). An entry scoped
 * to the pane that has the focus wins over an unscoped one for the same keys.
 */
export function matchShortcut(
  ev: KeyInput,
  context: { overlayOpen: boolean },
  table: readonly Shortcut[] = SHORTCUTS,
): Shortcut | null {
  if (isTypingTarget(ev.target)) return null;
  const phase = context.overlayOpen ? 'overlayOpen' : 'overlayClosed';
  const onControl = isControlTarget(ev.target);
  const pane = ev.target?.pane ?? null;
  const candidates = table.filter(
    (s) =>
      s.when === phase &&
      !(s.notOnControls === true && onControl) &&
      (s.scope === undefined || s.scope === pane) &&
      !(pane !== null && s.notIn?.some((p) => p === pane)) &&
      comboMatches(s.combo, ev),
  );
  return candidates.find((s) => s.scope !== undefined) ?? candidates[0] ?? null;
}
