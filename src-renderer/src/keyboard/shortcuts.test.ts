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

const press = (partial: Partial<KeyInput> & { key: string }): KeyInput => ({
  code: '',
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  target: { tagName: 'BODY' },
  ...partial,
});

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
  it('has unique ids and one Alt+N entry per pane, in pane order', () => {
    const ids = SHORTCUTS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const focus = SHORTCUTS.flatMap((s) => (s.action.type === 'focusPane' ? [s] : []));
    expect(focus.map((s) => s.display)).toEqual(PANE_IDS.map((_, i) => `Alt+${i + 1}`));
    expect(focus.map((s) => (s.action.type === 'focusPane' ? s.action.pane : ''))).toEqual([
      ...PANE_IDS,
    ]);
  });

  it('no two entries of the same phase match the same key press', () => {
    for (const s of SHORTCUTS) {
      const ev = press({
        key: s.combo.key ?? '',
        code: s.combo.code ?? '',
        altKey: s.combo.alt,
        ctrlKey: s.combo.ctrl,
        metaKey: s.combo.meta,
        shiftKey: s.combo.shift === true,
      });
      expect(matchShortcut(ev, { overlayOpen: s.when === 'overlayOpen' })?.id).toBe(s.id);
    }
  });
});
