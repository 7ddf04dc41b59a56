import { describe, expect, it, vi } from 'vitest';
import type { Highlight } from '../api/contract';
import {
  acceleratorLabel,
  hotkeyMessage,
  MARK_ACCELERATOR,
  markFromHotkey,
  pickMarkSession,
  registerMarkHotkey,
  type MarkCandidate,
} from './hotkey';

const c = (id: string, createdAt: number, ingestState: MarkCandidate['ingestState']) => ({
  id,
  createdAt,
  ingestState,
});

describe('pickMarkSession', () => {
  it.each([
    ['none', [], null],
    [
      'only ended / failed / unknown',
      [c('a', 1, 'ended'), c('b', 2, 'failed'), c('x', 3, null)],
      null,
    ],
    ['the live one', [c('a', 1, 'ended'), c('b', 2, 'live')], 'b'],
    ['the newest live one', [c('a', 1, 'live'), c('b', 3, 'live'), c('c', 2, 'live')], 'b'],
    ['live beats a newer stalled one', [c('a', 1, 'live'), c('b', 9, 'stalled')], 'a'],
    ['stalled beats waiting', [c('a', 9, 'waiting'), c('b', 1, 'stalled')], 'b'],
    ['reconnecting when nothing is live', [c('a', 1, 'reconnecting'), c('b', 2, 'ended')], 'a'],
  ] as const)('%s', (_name, list, want) => {
    expect(pickMarkSession(list)).toBe(want);
  });
});

describe('registerMarkHotkey', () => {
  it('registers Ctrl/Cmd+Shift+M and unregisters it once on dispose', () => {
    const registry = { register: vi.fn(() => true), unregister: vi.fn() };
    const onPress = vi.fn();
    const onError = vi.fn();
    const h = registerMarkHotkey({ registry, onPress, onError });
    expect(h.registered).toBe(true);
    expect(registry.register).toHaveBeenCalledWith(MARK_ACCELERATOR, onPress);
    expect(MARK_ACCELERATOR).toBe('CommandOrControl+Shift+M');
    h.dispose();
    h.dispose();
    expect(registry.unregister).toHaveBeenCalledTimes(1);
    expect(onError).not.toHaveBeenCalled();
  });

  it('a refused or throwing registration is reported, not fatal, and never unregistered', () => {
    for (const register of [
      () => false,
      () => {
        throw new Error('Failed to register: accelerator is invalid');
      },
    ]) {
      const registry = { register: vi.fn(register), unregister: vi.fn() };
      const onError = vi.fn();
      const h = registerMarkHotkey({ registry, onPress: () => undefined, onError });
      expect(h.registered).toBe(false);
      expect(onError).toHaveBeenCalledTimes(1);
      expect(onError.mock.calls[0]?.[0]).toMatch(/another application|accelerator is invalid/);
      h.dispose();
      expect(registry.unregister).not.toHaveBeenCalled();
    }
  });
});

describe('markFromHotkey', () => {
  const highlight = { id: 'sess_x-h3', start: 70, end: 100 } as Highlight;
  it('marks the picked session through the contract', async () => {
    const mark = vi.fn(async () => ({ ok: true as const, value: highlight }));
    const r = await markFromHotkey({
      candidates: () => [c('sess_old', 1, 'live'), c('sess_new', 2, 'live')],
      mark,
    });
    expect(mark).toHaveBeenCalledWith('sess_new');
    expect(r).toEqual({ kind: 'marked', sessionId: 'sess_new', highlight });
  });
  it('says when nothing is live, and passes on a refusal', async () => {
    const mark = vi.fn(async () => ({
      ok: false as const,
      error: { code: 'unavailable' as const, message: 'This session is not live' },
    }));
    expect(await markFromHotkey({ candidates: () => [c('a', 1, 'ended')], mark })).toEqual({
      kind: 'no-live-session',
    });
    expect(mark).not.toHaveBeenCalled();
    expect(await markFromHotkey({ candidates: () => [c('a', 1, 'live')], mark })).toEqual({
      kind: 'refused',
      sessionId: 'a',
      message: 'This session is not live',
    });
  });
});

describe('messages', () => {
  it('speak both languages and name the time range or the reason', () => {
    const marked = {
      kind: 'marked' as const,
      sessionId: 's',
      highlight: { start: 3725, end: 3740 } as Highlight,
    };
    expect(hotkeyMessage('en', marked).body).toBe('Highlight 1:02:05–1:02:20 added.');
    expect(hotkeyMessage('zh-CN', marked).body).toContain('1:02:05–1:02:20');
    expect(hotkeyMessage('en', { kind: 'no-live-session' }).body).toMatch(/No session is live/);
    const failed = {
      kind: 'register-failed' as const,
      accelerator: 'Ctrl+Shift+M',
      reason: 'taken',
    };
    expect(hotkeyMessage('en', failed).body).toMatch(/Ctrl\+Shift\+M \(taken\).*press M/);
    expect(hotkeyMessage('zh-CN', failed).body).toContain('Ctrl+Shift+M(taken)');
    expect(acceleratorLabel('darwin')).toBe('Cmd+Shift+M');
    expect(acceleratorLabel('win32')).toBe('Ctrl+Shift+M');
  });
});
