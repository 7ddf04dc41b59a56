import { describe, expect, it } from 'vitest';
import { PANE_IDS } from '../panes/paneIds';
import {
  isControlTarget,
  isTypingTarget,
  matchShortcut,
  SHORTCUTS,
  type KeyInput,
  type TargetLike,
} from './shortcuts';

const press = (partial: Partial<KeyInput> & { key: string }): Mutable<KeyInput> => ({
  code: '',
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  target: { tagName: 'BODY' },
  ...partial,
});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const closed = { overlayOpen: false };
const open = { overlayOpen: true };

describe('matchShortcut', () => {
  const table: Array<[string, KeyInput, { overlayOpen: boolean }, string | null]> = [
    [
      '? with shift (US layout)',
      press({ key: '?', code: 'Slash', shiftKey: true }),
      closed,
      'help',
    ],
    ['? without shift (other layouts)', press({ key: '?' }), closed, 'help'],
    ['Ctrl+? is not help', press({ key: '?', ctrlKey: true, shiftKey: true }), closed, null],
    ['/ is not help', press({ key: '/', code: 'Slash' }), closed, null],
    ['Alt+1', press({ key: '1', code: 'Digit1', altKey: true }), closed, 'focus-live'],
    ['Alt+6', press({ key: '6', code: 'Digit6', altKey: true }), closed, 'focus-monitor'],
    [
      'Alt+1 on macOS (key is ¡)',
      press({ key: '¡', code: 'Digit1', altKey: true }),
      closed,
      'focus-live',
    ],
    ['Alt+7 is nothing', press({ key: '7', code: 'Digit7', altKey: true }), closed, null],
    ['plain 1 is nothing', press({ key: '1', code: 'Digit1' }), closed, null],
    ['Ctrl+1 is nothing', press({ key: '1', code: 'Digit1', ctrlKey: true }), closed, null],
    [
      'Alt+Shift+1 is nothing',
      press({ key: '!', code: 'Digit1', altKey: true, shiftKey: true }),
      closed,
      null,
    ],
    [
      'Ctrl+Shift+L',
      press({ key: 'L', code: 'KeyL', ctrlKey: true, shiftKey: true }),
      closed,
      'cycle-language',
    ],
    ['Ctrl+L is nothing', press({ key: 'l', code: 'KeyL', ctrlKey: true }), closed, null],
    [
      'Ctrl+Alt+Shift+L is nothing',
      press({ key: 'L', code: 'KeyL', ctrlKey: true, altKey: true, shiftKey: true }),
      closed,
      null,
    ],
    ['L is back to live', press({ key: 'l', code: 'KeyL' }), closed, 'back-to-live'],
    ['Shift+L is nothing', press({ key: 'L', code: 'KeyL', shiftKey: true }), closed, null],
    ['Alt+L is nothing', press({ key: 'l', code: 'KeyL', altKey: true }), closed, null],
    ['Space is play/pause', press({ key: ' ', code: 'Space' }), closed, 'toggle-play'],
    [
      'Space on a focused button presses the button',
      press({ key: ' ', code: 'Space', target: { tagName: 'BUTTON' } }),
      closed,
      null,
    ],
    [
      'Space on a tab / checkbox role operates it',
      press({ key: ' ', code: 'Space', target: { tagName: 'DIV', role: 'tab' } }),
      closed,
      null,
    ],
    [
      'Space on the <video> is its own controls',
      press({ key: ' ', code: 'Space', target: { tagName: 'VIDEO' } }),
      closed,
      null,
    ],
    [
      'L on a focused button is still back to live',
      press({ key: 'l', code: 'KeyL', target: { tagName: 'BUTTON' } }),
      closed,
      'back-to-live',
    ],
    ['M marks the live moment', press({ key: 'm', code: 'KeyM' }), closed, 'mark'],
    ['Shift+M is nothing', press({ key: 'M', code: 'KeyM', shiftKey: true }), closed, null],
    [
      'Ctrl+Shift+M is nothing (the global hotkey)',
      press({ key: 'M', code: 'KeyM', ctrlKey: true, shiftKey: true }),
      closed,
      null,
    ],
    ['M on another layout (by code)', press({ key: 'ь', code: 'KeyM' }), closed, 'mark'],
    ['J selects the next highlight', press({ key: 'j', code: 'KeyJ' }), closed, 'highlight-next'],
    ['K selects the previous one', press({ key: 'k', code: 'KeyK' }), closed, 'highlight-prev'],
    ['A accepts', press({ key: 'a', code: 'KeyA' }), closed, 'highlight-accept'],
    ['D dismisses', press({ key: 'd', code: 'KeyD' }), closed, 'highlight-dismiss'],
    [
      'Delete dismisses',
      press({ key: 'Delete', code: 'Delete' }),
      closed,
      'highlight-dismiss-delete',
    ],
    ['U undoes', press({ key: 'u', code: 'KeyU' }), closed, 'highlight-undo'],
    [
      'Enter plays the selected highlight',
      press({ key: 'Enter', code: 'Enter' }),
      closed,
      'highlight-seek',
    ],
    [
      'Enter on a focused button presses the button',
      press({ key: 'Enter', code: 'Enter', target: { tagName: 'BUTTON' } }),
      closed,
      null,
    ],
    [
      '[ moves the in point earlier',
      press({ key: '[', code: 'BracketLeft' }),
      closed,
      'highlight-in-earlier',
    ],
    [']', press({ key: ']', code: 'BracketRight' }), closed, 'highlight-in-later'],
    [
      'Shift+[ (key is {) moves the out point earlier',
      press({ key: '{', code: 'BracketLeft', shiftKey: true }),
      closed,
      'highlight-out-earlier',
    ],
    [
      'Shift+]',
      press({ key: '}', code: 'BracketRight', shiftKey: true }),
      closed,
      'highlight-out-later',
    ],
    [
      'Alt+[ on macOS (key is “)',
      press({ key: '“', code: 'BracketLeft', altKey: true }),
      closed,
      'highlight-in-earlier-fine',
    ],
    [
      'Alt+Shift+]',
      press({ key: '’', code: 'BracketRight', altKey: true, shiftKey: true }),
      closed,
      'highlight-out-later-fine',
    ],
    ['Ctrl+[ is nothing', press({ key: '[', code: 'BracketLeft', ctrlKey: true }), closed, null],
    ['A while overlay open', press({ key: 'a', code: 'KeyA' }), open, null],
    ['L while overlay open', press({ key: 'l', code: 'KeyL' }), open, null],
    ['Esc while overlay closed', press({ key: 'Escape', code: 'Escape' }), closed, null],
    ['Esc while overlay open', press({ key: 'Escape', code: 'Escape' }), open, 'close-help'],
    ['? while overlay open', press({ key: '?', shiftKey: true }), open, null],
    ['Alt+2 while overlay open', press({ key: '2', code: 'Digit2', altKey: true }), open, null],
  ];
  it.each(table)('%s', (_name, ev, ctx, expected) => {
    expect(matchShortcut(ev, ctx)?.id ?? null).toBe(expected);
  });

  const typingTargets: TargetLike[] = [
    { tagName: 'INPUT' },
    { tagName: 'textarea' },
    { tagName: 'SELECT' },
    { tagName: 'DIV', isContentEditable: true },
  ];
  it.each(typingTargets)('ignores every shortcut while typing in %j', (target) => {
    expect(matchShortcut(press({ key: '?', shiftKey: true, target }), closed)).toBeNull();
    expect(
      matchShortcut(press({ key: '1', code: 'Digit1', altKey: true, target }), closed),
    ).toBeNull();
    expect(
      matchShortcut(
        press({ key: 'L', code: 'KeyL', ctrlKey: true, shiftKey: true, target }),
        closed,
      ),
    ).toBeNull();
    expect(matchShortcut(press({ key: 'l', code: 'KeyL', target }), closed)).toBeNull();
    expect(matchShortcut(press({ key: ' ', code: 'Space', target }), closed)).toBeNull();
  });

  it('treats buttons, panes and no target as not typing', () => {
    expect(isTypingTarget({ tagName: 'BUTTON' })).toBe(false);
    expect(isTypingTarget({ tagName: 'SECTION', isContentEditable: false })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
    expect(matchShortcut(press({ key: '?', target: null }), closed)?.id).toBe('help');
  });
});

describe('isControlTarget', () => {
  it('buttons, links, media and control roles operate Space themselves', () => {
    expect(isControlTarget({ tagName: 'button' })).toBe(true);
    expect(isControlTarget({ tagName: 'A' })).toBe(true);
    expect(isControlTarget({ tagName: 'VIDEO' })).toBe(true);
    expect(isControlTarget({ tagName: 'DIV', role: 'Checkbox' })).toBe(true);
    expect(isControlTarget({ tagName: 'SECTION', role: null })).toBe(false);
    expect(isControlTarget({ tagName: 'BODY' })).toBe(false);
    expect(isControlTarget(null)).toBe(false);
  });
});

describe('shortcut table', () => {
  it('nudges move by 0.5 s, with Alt by 0.1 s; the Alt and Delete variants are not listed', () => {
    const nudges = SHORTCUTS.flatMap((s) =>
      s.action.type === 'highlightNudge' ? [[s.display, s.action.edge, s.action.delta]] : [],
    );
    expect(nudges).toEqual([
      ['[', 'in', -0.5],
      [']', 'in', 0.5],
      ['Shift+[', 'out', -0.5],
      ['Shift+]', 'out', 0.5],
      ['Alt+[', 'in', -0.1],
      ['Alt+]', 'in', 0.1],
      ['Alt+Shift+[', 'out', -0.1],
      ['Alt+Shift+]', 'out', 0.1],
    ]);
    const hidden = SHORTCUTS.filter((s) => s.inHelp === false).map((s) => s.id);
    expect(hidden.sort()).toEqual([
      'highlight-dismiss-delete',
      'highlight-in-earlier-fine',
      'highlight-in-later-fine',
      'highlight-out-earlier-fine',
      'highlight-out-later-fine',
      'review-undo-ctrl',
      'review-undo-meta',
    ]);
    expect(SHORTCUTS.find((s) => s.id === 'mark')?.display).toBe('M');
  });

  it('has unique ids and one Alt+N entry per pane, in pane order', () => {
    const ids = SHORTCUTS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const focus = SHORTCUTS.flatMap((s) => (s.action.type === 'focusPane' ? [s] : []));
    expect(focus.map((s) => s.display)).toEqual(PANE_IDS.map((_, i) => `Alt+${i + 1}`));
    expect(focus.map((s) => (s.action.type === 'focusPane' ? s.action.pane : ''))).toEqual([
      ...PANE_IDS,
    ]);
  });

  it('no two entries of the same phase and pane match the same key press', () => {
    for (const s of SHORTCUTS) {
      const ev = press({
        key: s.combo.key ?? '',
        code: s.combo.code ?? '',
        altKey: s.combo.alt,
        ctrlKey: s.combo.ctrl,
        metaKey: s.combo.meta,
        shiftKey: s.combo.shift === true,
        target: { tagName: 'BUTTON', pane: s.scope ?? null },
      });
      // Enter and Space are the focused button's own keys: press those on the pane itself.
      if (s.notOnControls) ev.target = { tagName: 'SECTION', pane: s.scope ?? null };
      expect(matchShortcut(ev, { overlayOpen: s.when === 'overlayOpen' })?.id).toBe(s.id);
    }
  });
});

describe('pane-scoped keys (the review queue)', () => {
  const inReview: TargetLike = { tagName: 'BUTTON', pane: 'review' };
  const inHighlights: TargetLike = { tagName: 'BUTTON', pane: 'highlights' };
  const table: Array<[string, KeyInput, string | null]> = [
    ['J in the review pane', press({ key: 'j', code: 'KeyJ', target: inReview }), 'review-next'],
    ['K in the review pane', press({ key: 'k', code: 'KeyK', target: inReview }), 'review-prev'],
    ['A approves there', press({ key: 'a', code: 'KeyA', target: inReview }), 'review-approve'],
    ['R rejects there', press({ key: 'r', code: 'KeyR', target: inReview }), 'review-reject'],
    ['E edits the prompt', press({ key: 'e', code: 'KeyE', target: inReview }), 'review-edit'],
    ['X ticks', press({ key: 'x', code: 'KeyX', target: inReview }), 'review-check'],
    ['U undoes', press({ key: 'u', code: 'KeyU', target: inReview }), 'review-undo'],
    [
      'Ctrl+Z undoes',
      press({ key: 'z', code: 'KeyZ', ctrlKey: true, target: inReview }),
      'review-undo-ctrl',
    ],
    [
      'Cmd+Z undoes',
      press({ key: 'z', code: 'KeyZ', metaKey: true, target: inReview }),
      'review-undo-meta',
    ],
    ['Ctrl+Z elsewhere is nothing', press({ key: 'z', code: 'KeyZ', ctrlKey: true }), null],
    ['E elsewhere is nothing', press({ key: 'e', code: 'KeyE', target: inHighlights }), null],
    [
      'J in the highlights pane is the highlight key',
      press({ key: 'j', code: 'KeyJ', target: inHighlights }),
      'highlight-next',
    ],
    ['A with no pane focused accepts a highlight', press({ key: 'a' }), 'highlight-accept'],
    [
      'G generates a video from the selected highlight',
      press({ key: 'g', code: 'KeyG', target: inHighlights }),
      'generate-video',
    ],
    ['G in the review pane is nothing', press({ key: 'g', code: 'KeyG', target: inReview }), null],
    [
      'D (dismiss a highlight) does nothing in the review pane',
      press({ key: 'd', code: 'KeyD', target: inReview }),
      null,
    ],
    [
      '[ (nudge a highlight) does nothing in the review pane',
      press({ key: '[', code: 'BracketLeft', target: inReview }),
      null,
    ],
    [
      'M still marks from the review pane',
      press({ key: 'm', code: 'KeyM', target: inReview }),
      'mark',
    ],
    [
      'L still goes live from there',
      press({ key: 'l', code: 'KeyL', target: inReview }),
      'back-to-live',
    ],
    [
      'Alt+5 from there',
      press({ key: '5', code: 'Digit5', altKey: true, target: inReview }),
      'focus-review',
    ],
    [
      'A on a tick box in the review list approves',
      press({
        key: 'a',
        code: 'KeyA',
        target: { tagName: 'INPUT', type: 'checkbox', pane: 'review' },
      }),
      'review-approve',
    ],
    [
      'A while typing a reason in the review pane is text',
      press({ key: 'a', code: 'KeyA', target: { tagName: 'TEXTAREA', pane: 'review' } }),
      null,
    ],
    [
      'J in a text field of the review pane is text',
      press({ key: 'j', code: 'KeyJ', target: { tagName: 'INPUT', type: 'text', pane: 'review' } }),
      null,
    ],
    [
      'Ctrl+Z in a text field is the field’s own undo',
      press({
        key: 'z',
        code: 'KeyZ',
        ctrlKey: true,
        target: { tagName: 'INPUT', pane: 'review' },
      }),
      null,
    ],
    ['A with the help open', press({ key: 'a', code: 'KeyA', target: inReview }), null],
  ];
  it.each(table)('%s', (name, ev, expected) => {
    const ctx = name.includes('help open') ? open : closed;
    expect(matchShortcut(ev, ctx)?.id ?? null).toBe(expected);
  });

  it('Space on a tick box operates the box, not the player', () => {
    const box = { tagName: 'INPUT', type: 'checkbox' };
    expect(isTypingTarget(box)).toBe(false);
    expect(isControlTarget(box)).toBe(true);
    expect(matchShortcut(press({ key: ' ', code: 'Space', target: box }), closed)).toBeNull();
  });

  it('the help lists the review keys once each (Ctrl/Cmd+Z under U)', () => {
    const listed = SHORTCUTS.filter((s) => s.scope === 'review' && s.inHelp !== false);
    expect(listed.map((s) => s.display)).toEqual(['J', 'K', 'A', 'R', 'E', 'X', 'U / Ctrl+Z']);
  });
});
