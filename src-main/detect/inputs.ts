/**
 * Side inputs to the detector, headless: manual marks from a file, chat from a JSONL file or a
 * WebSocket, and a pipeline config file. Parsers are pure and name the line that is wrong; the
 * feeds release items on the session's media clock, as they would have arrived live.
 */
import { readFileSync, statSync } from 'node:fs';
import { WebSocket } from 'ws';
import { DetectSettings, Lexicon as LexiconSchema } from '../api/contract';
import type { ChatMsg, Mark } from './types';

export class InputFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    message: string,
  ) {
    super(`${file}${line !== null ? `, line ${line}` : ''}: ${message}`);
    this.name = 'InputFileError';
  }
}

const MAX_FILE_BYTES = 20 * 1024 * 1024;

export function readSmallText(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new InputFileError(path, null, 'no such file');
  }
  if (size > MAX_FILE_BYTES) throw new InputFileError(path, null, 'larger than 20 MB');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch (err) {
    throw new InputFileError(path, null, `not readable as UTF-8 text (${String(err)})`);
  }
}

/** 83.5, 1:23.5, 01:02:03.250 → seconds; null when it is not a time. */
export function parseClock(text: string): number | null {
  const t = text.trim();
  const m = /^(?:(\d+):)?(?:(\d{1,2}):)?(\d+(?:\.\d+)?)$/.exec(t);
  if (!m) return null;
  const [, a, b, c] = m;
  const secs = Number(c);
  if (a !== undefined && b !== undefined) return Number(a) * 3600 + Number(b) * 60 + secs;
  if (a !== undefined) return secs < 60 ? Number(a) * 60 + secs : null;
  return secs;
}

/** A marks file: a JSON list [{"at": s, "note"?: "…"}], or one time a line (# comments). */
export function parseMarks(name: string, text: string): Mark[] {
  const trimmed = text.trim();
  const marks: Mark[] = [];
  if (trimmed.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(trimmed);
    } catch (err) {
      throw new InputFileError(name, null, `not valid JSON (${(err as Error).message})`);
    }
    (list as unknown[]).forEach((item, i) => {
      const at = typeof item === 'number' ? item : (item as { at?: unknown } | null)?.at;
      const note = (item as { note?: unknown } | null)?.note;
      if (typeof at !== 'number' || !Number.isFinite(at) || at < 0)
        throw new InputFileError(name, null, `entry ${i + 1}: "at" must be a time ≥ 0 in seconds`);
      marks.push({ at, source: 'file', ...(typeof note === 'string' ? { note } : {}) });
    });
  } else {
    text.split(/\r?\n/).forEach((line, i) => {
      const body = line.replace(/#.*$/, '').trim();
      if (body === '') return;
      const [time, ...rest] = body.split(/\s+/);
      const at = parseClock(time ?? '');
      if (at === null)
        throw new InputFileError(name, i + 1, `'${time}' is not a time (83.5 or 1:23.5)`);
      const note = rest.join(' ');
      marks.push({ at, source: 'file', ...(note ? { note } : {}) });
    });
  }
  return marks.sort((x, y) => x.at - y.at);
}

const MAX_CHAT_TEXT = 2000;

/** A chat file: one JSON object a line, {"at": s, "text": "…", "user"?: "…"}. */
export function parseChat(name: string, text: string): ChatMsg[] {
  const out: ChatMsg[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new InputFileError(name, i + 1, 'not a JSON object');
    }
    const o = v as { at?: unknown; text?: unknown; user?: unknown } | null;
    if (typeof o?.at !== 'number' || !Number.isFinite(o.at) || o.at < 0)
      throw new InputFileError(name, i + 1, '"at" must be a time ≥ 0 in seconds');
    if (typeof o.text !== 'string')
      throw new InputFileError(name, i + 1, '"text" must be a string');
    out.push({
      at: o.at,
      text: o.text.slice(0, MAX_CHAT_TEXT),
      ...(typeof o.user === 'string' ? { user: o.user.slice(0, 200) } : {}),
    });
  });
  return out.sort((x, y) => x.at - y.at);
}

/** Releases time-stamped items once the media clock has passed them. */
export class ClockFeed<T extends { at: number }> {
  private next = 0;
  constructor(
    private readonly items: readonly T[],
    private readonly emit: (item: T) => void,
  ) {}

  advance(mediaTime: number): void {
    while (this.next < this.items.length && this.items[this.next]!.at <= mediaTime)
      this.emit(this.items[this.next++]!);
  }

  get remaining(): number {
    return this.items.length - this.next;
  }
}

/** A chat URL must be ws:// or wss:// with a host, no credentials. */
export function parseChatUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`'${text}' is not a URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new Error(`a chat feed URL is ws:// or wss://, got ${url.protocol}`);
  if (url.username || url.password)
    throw new Error('a chat feed URL must not carry a user name or password');
  return url;
}

/**
 * A generic chat WebSocket: each message is a JSON object with "text" (and maybe "user"), or
 * plain text. It is stamped with the media time it arrived at. Reconnects with backoff.
 */
export class ChatSocket {
  private ws: WebSocket | null = null;
  private closed = false;
  private backoffMs = 500;
  received = 0;

  constructor(
    private readonly url: URL,
    private readonly clock: () => number,
    private readonly onMessage: (m: ChatMsg) => void,
    private readonly onProblem: (message: string) => void = () => undefined,
  ) {
    this.connect();
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
    this.ws = null;
  }

  private connect(): void {
    const ws = new WebSocket(this.url, { maxPayload: 64 * 1024, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('open', () => {
      this.backoffMs = 500;
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const raw = data.toString();
      let text = raw;
      let user: string | undefined;
      try {
        const v = JSON.parse(raw) as { text?: unknown; user?: unknown };
        if (v && typeof v === 'object') {
          if (typeof v.text !== 'string') return;
          text = v.text;
          if (typeof v.user === 'string') user = v.user.slice(0, 200);
        }
      } catch {
        // plain text
      }
      this.received++;
      this.onMessage({
        at: this.clock(),
        text: text.slice(0, MAX_CHAT_TEXT),
        ...(user !== undefined ? { user } : {}),
      });
    });
    ws.on('error', (err) => this.onProblem(`chat feed: ${err.message}`));
    ws.on('close', () => {
      if (this.closed) return;
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
      setTimeout(() => {
        if (!this.closed) this.connect();
      }, delay).unref();
    });
  }
}

/** A pipeline config: {"detect": {...partial settings}, "lexicon": {...}}. */
export function parseConfig(
  name: string,
  text: string,
  base: DetectSettings,
): { detect: DetectSettings; lexicon: unknown } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new InputFileError(name, null, `not valid JSON (${(err as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new InputFileError(name, null, 'a config is a JSON object');
  const { detect, lexicon, ...rest } = v as Record<string, unknown>;
  const unknownKeys = Object.keys(rest).filter((k) => k !== 'publish');
  if (unknownKeys.length)
    throw new InputFileError(
      name,
      null,
      `unknown key "${unknownKeys[0]}" (known: detect, lexicon)`,
    );
  let merged: DetectSettings = base;
  if (detect !== undefined) {
    if (!detect || typeof detect !== 'object')
      throw new InputFileError(name, null, '"detect" must be an object');
    const d = detect as Record<string, unknown>;
    const candidate = {
      ...base,
      ...d,
      excitement: { ...base.excitement, ...(d['excitement'] as object | undefined) },
      speechRate: { ...base.speechRate, ...(d['speechRate'] as object | undefined) },
      chat: { ...base.chat, ...(d['chat'] as object | undefined) },
    };
    const parsed = DetectSettings.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputFileError(name, null, `detect.${issue.path.join('.')}: ${issue.message}`);
    }
    merged = parsed.data;
  }
  if (lexicon !== undefined && !LexiconSchema.safeParse(lexicon).success) {
    const issue = LexiconSchema.safeParse(lexicon).error!.issues[0]!;
    throw new InputFileError(name, null, `lexicon.${issue.path.join('.')}: ${issue.message}`);
  }
  return { detect: merged, lexicon };
}
