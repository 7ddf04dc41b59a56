/**
 * The desktop app's global "clip that!" shortcut, without Electron: which session a press marks,
 * registering it (a failure is reported, never fatal) and what the operator is told. The shell
 * passes in Electron's globalShortcut and its own way of telling the operator.
 */
import type { CallResult, Highlight, IngestState, UiLanguage } from '../api/contract';

/** Ctrl+Shift+M (Cmd+Shift+M on macOS). */
export const MARK_ACCELERATOR = 'CommandOrControl+Shift+M';

/** How the shortcut reads to the operator on this platform. */
export function acceleratorLabel(platform: string): string {
  return platform === 'darwin' ? 'Cmd+Shift+M' : 'Ctrl+Shift+M';
}

/** What Electron's globalShortcut offers that this needs. */
export interface ShortcutRegistry {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface MarkCandidate {
  id: string;
  createdAt: number;
  /** The session's ingest state now (null when it cannot be read). */
  ingestState: IngestState | null;
}

/** Ingest states in which a session still has a live edge to mark, best first. */
const MARKABLE: readonly IngestState[] = ['live', 'stalled', 'reconnecting', 'starting', 'waiting'];

/**
 * The session a global press marks: one whose ingest is live (the most recent first), else one
 * that is only stalled or reconnecting, and so on; null when none is ingesting.
 */
export function pickMarkSession(candidates: readonly MarkCandidate[]): string | null {
  let best: { rank: number; c: MarkCandidate } | null = null;
  for (const c of candidates) {
    const rank = c.ingestState === null ? -1 : MARKABLE.indexOf(c.ingestState);
    if (rank < 0) continue;
    if (
      best === null ||
      rank < best.rank ||
      (rank === best.rank && c.createdAt > best.c.createdAt)
    ) {
      best = { rank, c };
    }
  }
  return best?.c.id ?? null;
}

/**
 * Registers the shortcut. Registration can fail (another application holds the keys, or the
 * platform refuses): then `onError` says so and the app goes on without it.
 */
export function registerMarkHotkey(opts: {
  registry: ShortcutRegistry;
  accelerator?: string;
  onPress: () => void;
  onError: (reason: string) => void;
}): { registered: boolean; dispose(): void } {
  const accelerator = opts.accelerator ?? MARK_ACCELERATOR;
  let registered = false;
  try {
    registered = opts.registry.register(accelerator, opts.onPress);
    if (!registered) opts.onError('another application may already use it');
  } catch (err) {
    opts.onError(err instanceof Error ? err.message : String(err));
  }
  return {
    registered,
    dispose() {
      if (!registered) return;
      registered = false;
      opts.registry.unregister(accelerator);
    },
  };
}

export type HotkeyOutcome =
  | { kind: 'marked'; sessionId: string; highlight: Highlight }
  | { kind: 'no-live-session' }
  | { kind: 'refused'; sessionId: string; message: string };

/** One press: picks the session and marks it through the engine's contract handler. */
export async function markFromHotkey(deps: {
  candidates: () => readonly MarkCandidate[];
  mark: (sessionId: string) => Promise<CallResult<unknown>>;
}): Promise<HotkeyOutcome> {
  const sessionId = pickMarkSession(deps.candidates());
  if (sessionId === null) return { kind: 'no-live-session' };
  const r = await deps.mark(sessionId);
  if (!r.ok) return { kind: 'refused', sessionId, message: r.error.message };
  return { kind: 'marked', sessionId, highlight: r.value as Highlight };
}

function clock(s: number): string {
  const t = Math.max(0, Math.floor(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

/** What the operator is told (a system notification), in the UI language. */
export function hotkeyMessage(
  language: UiLanguage,
  what: HotkeyOutcome | { kind: 'register-failed'; accelerator: string; reason: string },
): { title: string; body: string } {
  const zh = language === 'zh-CN';
  switch (what.kind) {
    case 'marked': {
      const range = `${clock(what.highlight.start)}–${clock(what.highlight.end)}`;
      return zh
        ? { title: 'LiveSlice:已标记', body: `已添加高光片段 ${range}。` }
        : { title: 'LiveSlice: marked', body: `Highlight ${range} added.` };
    }
    case 'no-live-session':
      return zh
        ? { title: 'LiveSlice:无法标记', body: '没有正在直播的场次。请先开始一个信号源。' }
        : {
            title: 'LiveSlice: nothing to mark',
            body: 'No session is live. Start a source first.',
          };
    case 'refused':
      return zh
        ? { title: 'LiveSlice:无法标记', body: what.message }
        : { title: 'LiveSlice: not marked', body: what.message };
    case 'register-failed':
      return zh
        ? {
            title: 'LiveSlice:全局快捷键不可用',
            body: `无法注册 ${what.accelerator}(${what.reason})。在应用窗口内仍可按 M 或点“切这段!”标记。`,
          }
        : {
            title: 'LiveSlice: global shortcut unavailable',
            body: `Could not register ${what.accelerator} (${what.reason}). In the app window, press M or click “Clip that!” to mark.`,
          };
  }
}
