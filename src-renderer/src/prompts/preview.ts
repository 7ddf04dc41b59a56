/**
 * The live preview of a prompt being typed: the engine fills the text with the highlight's values
 * (prompts.preview), so the preview shows exactly what the clip will get. Typing asks again only
 * after a pause (debounce), and only the newest request's answer is shown: an answer that comes
 * back after a later keystroke's is dropped.
 */
import type { Outcome } from '../state/engine';

export interface PreviewState {
  /** idle: nothing asked yet; waiting: typed, or asked and not answered; ready / failed. */
  status: 'idle' | 'waiting' | 'ready' | 'failed';
  /** The filled text of the newest answer (kept while a newer one is on its way). */
  text: string;
  /** The template's own error (e.g. an unknown variable), or why the call failed. */
  error: string | null;
}

export const PREVIEW_DELAY_MS = 250;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface Previewer {
  /** The text changed: preview it after the pause (a newer call replaces this one). */
  request(text: string): void;
  /** Preview now (e.g. on opening): no pause. */
  now(text: string): void;
  dispose(): void;
}

export function createPreviewer(opts: {
  fill: (text: string) => Promise<Outcome<{ text: string; error: string | null }>>;
  onChange: (state: PreviewState) => void;
  delayMs?: number;
  timers?: Timers;
}): Previewer {
  const timers = opts.timers ?? realTimers;
  const delay = opts.delayMs ?? PREVIEW_DELAY_MS;
  let handle: unknown = null;
  let seq = 0;
  let disposed = false;
  let current: PreviewState = { status: 'idle', text: '', error: null };
  const emit = (next: PreviewState) => {
    current = next;
    if (!disposed) opts.onChange(next);
  };

  const run = async (text: string) => {
    const mine = ++seq;
    const r = await opts.fill(text);
    if (disposed || mine !== seq) return;
    emit(
      r.ok
        ? {
            status: r.value.error === null ? 'ready' : 'failed',
            text: r.value.error === null ? r.value.text : current.text,
            error: r.value.error,
          }
        : { status: 'failed', text: current.text, error: r.message },
    );
  };

  const cancelTimer = () => {
    if (handle !== null) timers.clear(handle);
    handle = null;
  };

  return {
    request(text) {
      cancelTimer();
      // A pending answer is stale from now on.
      seq++;
      emit({ ...current, status: 'waiting' });
      handle = timers.set(() => {
        handle = null;
        void run(text);
      }, delay);
    },
    now(text) {
      cancelTimer();
      void run(text);
    },
    dispose() {
      disposed = true;
      cancelTimer();
    },
  };
}

/** Inserts text at a selection of a field's value; returns the new value and the caret after it. */
export function insertAt(
  value: string,
  selection: { start: number; end: number },
  insert: string,
): { value: string; caret: number } {
  const start = Math.max(0, Math.min(value.length, selection.start));
  const end = Math.max(start, Math.min(value.length, selection.end));
  return { value: value.slice(0, start) + insert + value.slice(end), caret: start + insert.length };
}

/** The variables a template may use (the contract's PromptTemplate names them). */
export const PROMPT_VARIABLES = ['host', 'product', 'price', 'action', 'quote', 'time'] as const;

/** `${name}` as typed in a template. */
export const variableToken = (name: string): string => '${' + name + '}';
